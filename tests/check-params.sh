#!/bin/sh
# Script parameters: `ovp script.ovp NAME=VALUE`, `--param NAME=VALUE`, and
# param(name, default) typed by its default; every mistake is a clear error
# (exit status 2 for the command line, 1 with a located diagnostic in the
# script), never silently ignored.
ovp=${OVP:-./ovp}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
status=0
fail() { echo "FAIL: $1"; status=1; }
# expect WHAT CODE PATTERN cmd...: exit status CODE and PATTERN in the output
expect() {
    what=$1 want=$2 pat=$3
    shift 3
    "$@" > "$dir/out" 2>&1
    code=$?
    [ "$code" = "$want" ] || { fail "$what: exit status $code, expected $want"; cat "$dir/out"; return; }
    grep -qF -- "$pat" "$dir/out" || { fail "$what: no '$pat' in"; cat "$dir/out"; }
}
cat > "$dir/p.ovp" <<'X'
k = param("k", 3)
name = param("name", "relu")
on = param("on", false)
printf("k=%g name=%s on=%d type=%s\n", k, name, on, type(k))
X
expect "defaults" 0 "k=3 name=relu on=0 type=number" "$ovp" "$dir/p.ovp"
expect "NAME=VALUE after the script" 0 "k=40 name=tanh on=1" "$ovp" "$dir/p.ovp" k=40 name=tanh on=true
expect "--param before the script" 0 "k=0.25 name=relu" "$ovp" --param k=2.5e-1 "$dir/p.ovp"
expect "a string default takes any text" 0 "name=1e3" "$ovp" "$dir/p.ovp" name=1e3
expect "-e takes parameters too" 0 "7" "$ovp" -e 'print(param("n", 1))' n=7
expect "other arguments stay in argv" 0 '"x", "k=5"' "$ovp" -e 'print(argv, param("k", 0))' x k=5
expect "a number default, a non-number value" 1 "parameter k='abc' from the command line is not a number" \
    "$ovp" "$dir/p.ovp" k=abc
expect "the located diagnostic" 1 "p.ovp:1:5: error: param:" "$ovp" "$dir/p.ovp" k=abc
expect "NaN is not a number here" 1 "is not a number" "$ovp" "$dir/p.ovp" k=nan
expect "a boolean default, another value" 1 "is not true or false" "$ovp" "$dir/p.ovp" on=yes
expect "an unknown parameter" 2 "parameter 'kk' was given on the command line but the script never reads it" \
    "$ovp" "$dir/p.ovp" kk=4
expect "a parameter given twice" 2 "this parameter is given twice" "$ovp" "$dir/p.ovp" k=1 k=2
expect "a malformed --param" 2 "a parameter is NAME=VALUE" "$ovp" --param 1k=3 "$dir/p.ovp"
expect "--param without a value" 2 "--param needs a value" "$ovp" --param
expect "a required parameter" 1 "parameter 'n' is required: give it on the command line as n=VALUE" \
    "$ovp" -e 'param("n")'
expect "no default: a number" 0 "number" "$ovp" -e 'print(type(param("n")))' n=3
expect "no default: a string" 0 "string" "$ovp" -e 'print(type(param("n")))' n=abc
expect "a bad name in the script" 1 "cannot be a parameter name" "$ovp" -e 'param("a b", 1)'
expect "a matrix default" 1 "must be a number, boolean or string" "$ovp" -e 'param("a", [1, 2])'
expect "wrong arity" 1 "param: expected" "$ovp" -e 'param()'
expect "a name that is not a string" 1 "param: argument 1" "$ovp" -e 'param(3, 1)'
expect "an error run does not also complain of unread parameters" 1 "undefined variable" \
    "$ovp" -e 'x = y' k=1
[ $status = 0 ] && echo "params: all cases behave"
exit $status
