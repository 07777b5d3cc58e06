/* test_front.c: Criterion tests for the front end (src/front/parse.h, the
 * --dump-ast printer of src/front/ast.h) and the diagnostic renderer (diag.h).
 *
 * Trees are compared through ast_dump: one node per line, indented two
 * spaces per level, `kind [payload] [op] @line:col`. The expected dumps
 * were written by hand from DESIGN.md §1 (precedence as in Octave/Julia:
 * `^` above unary minus, `:` below + -, comparisons below `:`, && above
 * ||) and the node layouts documented in ast.h. Locations follow one
 * convention: a node sits at its first token, except operators (at the
 * operator), ranges (at the first colon) and field accesses (at the
 * field name).
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "front/ast.h"
#include "base/diag.h"
#include "front/parse.h"
#include "base/strbuf.h"

/* ------------------------------------------------------------- helpers */

/* Parses text; returns the tree (or NULL with *err filled) and the source
 * through *srcp so the caller can free both. */
static AstNode *parse_text(const char *text, Source **srcp, ParseError *err)
{
    size_t len = strlen(text);
    Source *src = source_new("t.ovp", xstrdup(text), len);
    *srcp = src;
    memset(err, 0, sizeof *err);
    return parse_source(src, err);
}

/* The ast_dump of a node as a malloc'd string. */
static char *dump_node(const AstNode *n)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    cr_assert_not_null(f);
    ast_dump(f, n, 0);
    fclose(f);
    return buf;
}

static void expect_dump(const char *text, const char *want)
{
    Source *src;
    ParseError err;
    AstNode *tree = parse_text(text, &src, &err);
    cr_assert_not_null(tree, "parse of [%s] failed: %s at %d:%d", text,
                       err.msg ? err.msg : "(no message)", err.loc.line,
                       err.loc.col);
    cr_expect_null(err.msg);
    char *got = dump_node(tree);
    cr_expect_str_eq(got, want, "dump of [%s]:\n--- got\n%s--- want\n%s", text,
                     got, want);
    free(got);
    ast_free(tree);
    source_free_all(src);
}

/* Parses text expecting a syntax error; returns it (caller clears). The
 * Source is freed; the error's loc.src is not to be used afterwards. */
static ParseError expect_error(const char *text)
{
    Source *src;
    ParseError err;
    AstNode *tree = parse_text(text, &src, &err);
    if (tree) {
        char *got = dump_node(tree);
        cr_expect_fail("[%s] parsed, but it is a syntax error; tree:\n%s",
                       text, got);
        free(got);
        ast_free(tree);
    }
    cr_expect_not_null(err.msg, "[%s]: no error message", text);
    if (!err.msg)
        err.msg = xstrdup("");
    source_free_all(src);
    return err;
}

static void expect_msg_has(const ParseError *e, const char *text,
                           const char *part)
{
    cr_expect(strstr(e->msg, part) != NULL,
              "[%s]: message \"%s\" should mention \"%s\"", text, e->msg, part);
}

/* ---------------------------------------------------- operator precedence */

Test(precedence, product_binds_tighter_than_sum)
{
    expect_dump("1 + 2 * 3",
                "block @1:1\n"
                "  expr @1:1\n"
                "    binop + @1:3\n"
                "      num 1 @1:1\n"
                "      binop * @1:7\n"
                "        num 2 @1:5\n"
                "        num 3 @1:9\n");
    expect_dump("(1 + 2) * 3",
                "block @1:1\n"
                "  expr @1:1\n"
                "    binop * @1:9\n"
                "      binop + @1:4\n"
                "        num 1 @1:2\n"
                "        num 2 @1:6\n"
                "      num 3 @1:11\n");
}

Test(precedence, left_associative_minus_and_elementwise)
{
    expect_dump("1 - 2 - 3",
                "block @1:1\n"
                "  expr @1:1\n"
                "    binop - @1:7\n"
                "      binop - @1:3\n"
                "        num 1 @1:1\n"
                "        num 2 @1:5\n"
                "      num 3 @1:9\n");
    expect_dump("x .* y ./ z \\ w",
                "block @1:1\n"
                "  expr @1:1\n"
                "    binop \\ @1:13\n"
                "      binop ./ @1:8\n"
                "        binop .* @1:3\n"
                "          ident x @1:1\n"
                "          ident y @1:6\n"
                "        ident z @1:11\n"
                "      ident w @1:15\n");
}

Test(precedence, power_above_unary_minus)
{
    /* -2^2 is -(2^2) = -4, as in Octave, Julia and Python. */
    expect_dump("-2^2",
                "block @1:1\n"
                "  expr @1:1\n"
                "    unop - @1:1\n"
                "      binop ^ @1:3\n"
                "        num 2 @1:2\n"
                "        num 2 @1:4\n");
    /* A unary minus is allowed as the exponent: 2^(-1). */
    expect_dump("2^-1",
                "block @1:1\n"
                "  expr @1:1\n"
                "    binop ^ @1:2\n"
                "      num 2 @1:1\n"
                "      unop - @1:3\n"
                "        num 1 @1:4\n");
    expect_dump("x.^2",
                "block @1:1\n"
                "  expr @1:1\n"
                "    binop .^ @1:2\n"
                "      ident x @1:1\n"
                "      num 2 @1:4\n");
}

Test(precedence, transpose_is_postfix)
{
    expect_dump("a' * b",
                "block @1:1\n"
                "  expr @1:1\n"
                "    binop * @1:4\n"
                "      unop ' @1:2\n"
                "        ident a @1:1\n"
                "      ident b @1:6\n");
    expect_dump("X * W'",
                "block @1:1\n"
                "  expr @1:1\n"
                "    binop * @1:3\n"
                "      ident X @1:1\n"
                "      unop ' @1:6\n"
                "        ident W @1:5\n");
}

Test(precedence, ranges_below_arithmetic)
{
    expect_dump("a:b:c",
                "block @1:1\n"
                "  expr @1:1\n"
                "    range @1:2\n"
                "      ident a @1:1\n"
                "      ident b @1:3\n"
                "      ident c @1:5\n");
    expect_dump("1:n+1",
                "block @1:1\n"
                "  expr @1:1\n"
                "    range @1:2\n"
                "      num 1 @1:1\n"
                "      binop + @1:4\n"
                "        ident n @1:3\n"
                "        num 1 @1:5\n");
}

Test(precedence, comparisons_and_logic)
{
    expect_dump("a < b && c == d || e",
                "block @1:1\n"
                "  expr @1:1\n"
                "    binop || @1:17\n"
                "      binop && @1:7\n"
                "        binop < @1:3\n"
                "          ident a @1:1\n"
                "          ident b @1:5\n"
                "        binop == @1:12\n"
                "          ident c @1:10\n"
                "          ident d @1:15\n"
                "      ident e @1:20\n");
    /* && binds tighter than || on either side. */
    expect_dump("a || b && c",
                "block @1:1\n"
                "  expr @1:1\n"
                "    binop || @1:3\n"
                "      ident a @1:1\n"
                "      binop && @1:8\n"
                "        ident b @1:6\n"
                "        ident c @1:11\n");
    expect_dump("!true != false",
                "block @1:1\n"
                "  expr @1:1\n"
                "    binop != @1:7\n"
                "      unop ! @1:1\n"
                "        bool true @1:2\n"
                "      bool false @1:10\n");
    expect_dump("x >= 1 + y",
                "block @1:1\n"
                "  expr @1:1\n"
                "    binop >= @1:3\n"
                "      ident x @1:1\n"
                "      binop + @1:8\n"
                "        num 1 @1:6\n"
                "        ident y @1:10\n");
}

/* ------------------------------------------------------------ literals */

Test(literals, matrix_rows)
{
    expect_dump("[1, 2; 3, 4]",
                "block @1:1\n"
                "  expr @1:1\n"
                "    matrix @1:1\n"
                "      row @1:2\n"
                "        num 1 @1:2\n"
                "        num 2 @1:5\n"
                "      row @1:8\n"
                "        num 3 @1:8\n"
                "        num 4 @1:11\n");
    expect_dump("[]",
                "block @1:1\n"
                "  expr @1:1\n"
                "    matrix @1:1\n");
    /* Blocks concatenate: [a; -b] is two rows of one element each. */
    expect_dump("[a; -b]",
                "block @1:1\n"
                "  expr @1:1\n"
                "    matrix @1:1\n"
                "      row @1:2\n"
                "        ident a @1:2\n"
                "      row @1:5\n"
                "        unop - @1:5\n"
                "          ident b @1:6\n");
}

Test(literals, numbers_strings_bools)
{
    expect_dump("x = 1e-3; s = \"a\\\"b\"; t = .5; u = true",
                "block @1:1\n"
                "  assign @1:1\n"
                "    ident x @1:1\n"
                "    num 0.001 @1:5\n"
                "  assign @1:11\n"
                "    ident s @1:11\n"
                "    str \"a\"b\" @1:15\n"
                "  assign @1:23\n"
                "    ident t @1:23\n"
                "    num 0.5 @1:27\n"
                "  assign @1:31\n"
                "    ident u @1:31\n"
                "    bool true @1:35\n");
}

Test(literals, list_versus_record)
{
    expect_dump("{a, b}",
                "block @1:1\n"
                "  expr @1:1\n"
                "    list @1:1\n"
                "      ident a @1:2\n"
                "      ident b @1:5\n");
    expect_dump("{lr: 0.1}",
                "block @1:1\n"
                "  expr @1:1\n"
                "    record @1:1\n"
                "      fieldinit lr @1:2\n"
                "        num 0.10000000000000001 @1:6\n");
    expect_dump("{lr: 0.1, steps: 100}",
                "block @1:1\n"
                "  expr @1:1\n"
                "    record @1:1\n"
                "      fieldinit lr @1:2\n"
                "        num 0.10000000000000001 @1:6\n"
                "      fieldinit steps @1:11\n"
                "        num 100 @1:18\n");
    expect_dump("{}",
                "block @1:1\n"
                "  expr @1:1\n"
                "    list @1:1\n");
    /* A range as a list item when its start is not a name. */
    expect_dump("{1:3}",
                "block @1:1\n"
                "  expr @1:1\n"
                "    list @1:1\n"
                "      range @1:3\n"
                "        num 1 @1:2\n"
                "        num 3 @1:4\n");
}

/* ------------------------------------------------ calls, indexing, fields */

Test(postfix, call_with_named_args)
{
    expect_dump("gd(loss, W0, lr = 0.5, steps = 20)",
                "block @1:1\n"
                "  expr @1:1\n"
                "    call @1:1\n"
                "      ident gd @1:1\n"
                "      ident loss @1:4\n"
                "      ident W0 @1:10\n"
                "      namedarg lr @1:14\n"
                "        num 0.5 @1:19\n"
                "      namedarg steps @1:24\n"
                "        num 20 @1:32\n");
    expect_dump("f()",
                "block @1:1\n"
                "  expr @1:1\n"
                "    call @1:1\n"
                "      ident f @1:1\n");
    /* Named argument versus comparison: f(a == 1) is positional. */
    expect_dump("f(a == 1)",
                "block @1:1\n"
                "  expr @1:1\n"
                "    call @1:1\n"
                "      ident f @1:1\n"
                "      binop == @1:5\n"
                "        ident a @1:3\n"
                "        num 1 @1:8\n");
}

Test(postfix, index_with_end_and_colon)
{
    expect_dump("A[2:end, :]",
                "block @1:1\n"
                "  expr @1:1\n"
                "    index @1:1\n"
                "      ident A @1:1\n"
                "      range @1:4\n"
                "        num 2 @1:3\n"
                "        end @1:5\n"
                "      colon @1:10\n");
    expect_dump("v[end - 1]",
                "block @1:1\n"
                "  expr @1:1\n"
                "    index @1:1\n"
                "      ident v @1:1\n"
                "      binop - @1:7\n"
                "        end @1:3\n"
                "        num 1 @1:9\n");
    expect_dump("A[B[end]]",
                "block @1:1\n"
                "  expr @1:1\n"
                "    index @1:1\n"
                "      ident A @1:1\n"
                "      index @1:3\n"
                "        ident B @1:3\n"
                "        end @1:5\n");
}

Test(postfix, field_chains)
{
    expect_dump("a.b.c",
                "block @1:1\n"
                "  expr @1:1\n"
                "    field c @1:5\n"
                "      field b @1:3\n"
                "        ident a @1:1\n");
    expect_dump("run.loss[end]",
                "block @1:1\n"
                "  expr @1:1\n"
                "    index @1:1\n"
                "      field loss @1:5\n"
                "        ident run @1:1\n"
                "      end @1:10\n");
    expect_dump("f(x).y",
                "block @1:1\n"
                "  expr @1:1\n"
                "    field y @1:6\n"
                "      call @1:1\n"
                "        ident f @1:1\n"
                "        ident x @1:3\n");
}

/* ---------------------------------------------------------- statements */

Test(statements, assignment_forms)
{
    expect_dump("x = 1",
                "block @1:1\n"
                "  assign @1:1\n"
                "    ident x @1:1\n"
                "    num 1 @1:5\n");
    expect_dump("a, b = f()",
                "block @1:1\n"
                "  assign @1:1\n"
                "    ident a @1:1\n"
                "    ident b @1:4\n"
                "    call @1:8\n"
                "      ident f @1:8\n");
    expect_dump("x += 2",
                "block @1:1\n"
                "  assign + @1:1\n"
                "    ident x @1:1\n"
                "    num 2 @1:6\n");
    expect_dump("A[1, :] = 0",
                "block @1:1\n"
                "  assign @1:1\n"
                "    index @1:1\n"
                "      ident A @1:1\n"
                "      num 1 @1:3\n"
                "      colon @1:6\n"
                "    num 0 @1:11\n");
    expect_dump("r.lr -= 0.5",
                "block @1:1\n"
                "  assign - @1:1\n"
                "    field lr @1:3\n"
                "      ident r @1:1\n"
                "    num 0.5 @1:9\n");
    expect_dump("w *= 2; w /= 4",
                "block @1:1\n"
                "  assign * @1:1\n"
                "    ident w @1:1\n"
                "    num 2 @1:6\n"
                "  assign / @1:9\n"
                "    ident w @1:9\n"
                "    num 4 @1:14\n");
}

Test(statements, bad_assignment_targets)
{
    const char *bad[] = {"1 = 2", "f(x) = 1", "x, 2 = f()", "[a] = 1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ParseError e = expect_error(bad[i]);
        expect_msg_has(&e, bad[i], "assign");
        cr_expect(!e.incomplete);
        parse_error_clear(&e);
    }
    /* `a + b = 3` is already wrong at the `=`. */
    ParseError e = expect_error("a + b = 3");
    expect_msg_has(&e, "a + b = 3", "'='");
    cr_expect_eq(e.loc.col, 7);
    parse_error_clear(&e);
}

Test(statements, separators_and_comments)
{
    expect_dump("\n# leading comment\nx = 1; y = 2  # trailing\n\n\nz\n",
                "block @3:1\n"
                "  assign @3:1\n"
                "    ident x @3:1\n"
                "    num 1 @3:5\n"
                "  assign @3:8\n"
                "    ident y @3:8\n"
                "    num 2 @3:12\n"
                "  expr @6:1\n"
                "    ident z @6:1\n");
    expect_dump("#{\nnot = code (\n}#\nx",
                "block @4:1\n"
                "  expr @4:1\n"
                "    ident x @4:1\n");
}

Test(statements, if_elseif_else)
{
    expect_dump("if a\n"
                "  x = 1\n"
                "elseif b\n"
                "  x = 2\n"
                "else\n"
                "  x = 3\n"
                "end",
                "block @1:1\n"
                "  if @1:1\n"
                "    ident a @1:4\n"
                "    block @2:3\n"
                "      assign @2:3\n"
                "        ident x @2:3\n"
                "        num 1 @2:7\n"
                "    ident b @3:8\n"
                "    block @4:3\n"
                "      assign @4:3\n"
                "        ident x @4:3\n"
                "        num 2 @4:7\n"
                "    block @6:3\n"
                "      assign @6:3\n"
                "        ident x @6:3\n"
                "        num 3 @6:7\n");
}

Test(statements, for_loop)
{
    expect_dump("for i in 1:n\n"
                "  s += i\n"
                "end\n",
                "block @1:1\n"
                "  for @1:1\n"
                "    ident i @1:5\n"
                "    range @1:11\n"
                "      num 1 @1:10\n"
                "      ident n @1:12\n"
                "    block @2:3\n"
                "      assign + @2:3\n"
                "        ident s @2:3\n"
                "        ident i @2:8\n");
}

Test(statements, while_loop_with_break_and_continue)
{
    expect_dump("while x > 0\n"
                "  x -= 1\n"
                "  continue\n"
                "  break\n"
                "end",
                "block @1:1\n"
                "  while @1:1\n"
                "    binop > @1:9\n"
                "      ident x @1:7\n"
                "      num 0 @1:11\n"
                "    block @2:3\n"
                "      assign - @2:3\n"
                "        ident x @2:3\n"
                "        num 1 @2:8\n"
                "      continue @3:3\n"
                "      break @4:3\n");
}

Test(statements, fn_definition_with_default)
{
    expect_dump("fn f(a, b = 2)\n"
                "  return a + b\n"
                "end",
                "block @1:1\n"
                "  fndef @1:1\n"
                "    ident f @1:4\n"
                "    func f @1:1\n"
                "      params @1:6\n"
                "        param a @1:6\n"
                "        param b @1:9\n"
                "          num 2 @1:13\n"
                "      block @2:3\n"
                "        return @2:3\n"
                "          binop + @2:12\n"
                "            ident a @2:10\n"
                "            ident b @2:14\n");
}

Test(statements, anonymous_fn)
{
    expect_dump("sq = fn(x) x .^ 2 end",
                "block @1:1\n"
                "  assign @1:1\n"
                "    ident sq @1:1\n"
                "    func @1:6\n"
                "      params @1:9\n"
                "        param x @1:9\n"
                "      block @1:12\n"
                "        expr @1:12\n"
                "          binop .^ @1:14\n"
                "            ident x @1:12\n"
                "            num 2 @1:17\n");
}

Test(statements, empty_programs)
{
    expect_dump("", "block @1:1\n");
    /* (where an empty block sits is not specified: compare the kind) */
    Source *src;
    ParseError err;
    AstNode *tree = parse_text("# only a comment\n\n", &src, &err);
    cr_assert_not_null(tree);
    cr_expect_eq(tree->kind, AST_BLOCK);
    cr_expect_eq(tree->nkids, 0);
    ast_free(tree);
    source_free_all(src);
    expect_dump(";;x;;",
                "block @1:3\n"
                "  expr @1:3\n"
                "    ident x @1:3\n");
}

Test(statements, import)
{
    expect_dump("import \"nets\"",
                "block @1:1\n"
                "  import nets @1:1\n");
}

/* ----------------------------------------------- newlines inside brackets */

Test(layout, newlines_inside_brackets_are_layout)
{
    expect_dump("x = (1 +\n  2)",
                "block @1:1\n"
                "  assign @1:1\n"
                "    ident x @1:1\n"
                "    binop + @1:8\n"
                "      num 1 @1:6\n"
                "      num 2 @2:3\n");
    /* A newline in a matrix literal does not start a row; `;` does. */
    expect_dump("[1, 2,\n 3]",
                "block @1:1\n"
                "  expr @1:1\n"
                "    matrix @1:1\n"
                "      row @1:2\n"
                "        num 1 @1:2\n"
                "        num 2 @1:5\n"
                "        num 3 @2:2\n");
    expect_dump("[1, 2;\n 3, 4]",
                "block @1:1\n"
                "  expr @1:1\n"
                "    matrix @1:1\n"
                "      row @1:2\n"
                "        num 1 @1:2\n"
                "        num 2 @1:5\n"
                "      row @2:2\n"
                "        num 3 @2:2\n"
                "        num 4 @2:5\n");
    expect_dump("c = {lr: 0.1,\n     steps: 5}",
                "block @1:1\n"
                "  assign @1:1\n"
                "    ident c @1:1\n"
                "    record @1:5\n"
                "      fieldinit lr @1:6\n"
                "        num 0.10000000000000001 @1:10\n"
                "      fieldinit steps @2:6\n"
                "        num 5 @2:13\n");
}

Test(layout, fn_inside_brackets_has_statements)
{
    expect_dump("r = g(1,\n"
                "      fn(v)\n"
                "        w = v * 2\n"
                "        w + 1\n"
                "      end,\n"
                "      3)",
                "block @1:1\n"
                "  assign @1:1\n"
                "    ident r @1:1\n"
                "    call @1:5\n"
                "      ident g @1:5\n"
                "      num 1 @1:7\n"
                "      func @2:7\n"
                "        params @2:10\n"
                "          param v @2:10\n"
                "        block @3:9\n"
                "          assign @3:9\n"
                "            ident w @3:9\n"
                "            binop * @3:15\n"
                "              ident v @3:13\n"
                "              num 2 @3:17\n"
                "          expr @4:9\n"
                "            binop + @4:11\n"
                "              ident w @4:9\n"
                "              num 1 @4:13\n"
                "      num 3 @6:7\n");
}

Test(layout, end_inside_fn_inside_index_closes_the_fn)
{
    /* The inner `end` closes the fn; the outer one is A's last index. */
    expect_dump("A[(fn(i) i end)(end)]",
                "block @1:1\n"
                "  expr @1:1\n"
                "    index @1:1\n"
                "      ident A @1:1\n"
                "      call @1:3\n"
                "        func @1:4\n"
                "          params @1:7\n"
                "            param i @1:7\n"
                "          block @1:10\n"
                "            expr @1:10\n"
                "              ident i @1:10\n"
                "        end @1:17\n");
}

/* -------------------------------------------------------- syntax errors */

Test(errors, missing_right_operand)
{
    const char *t = "x = ";
    ParseError e = expect_error(t);
    expect_msg_has(&e, t, "end of input");
    expect_msg_has(&e, t, "expected");
    expect_msg_has(&e, t, "expression");
    cr_expect_eq(e.loc.line, 1);
    /* at the end of the input: its last byte or just past it */
    cr_expect(e.loc.col == 4 || e.loc.col == 5, "col %d", e.loc.col);
    parse_error_clear(&e);

    t = "x = 1\ny = = 2";
    e = expect_error(t);
    expect_msg_has(&e, t, "unexpected '='");
    cr_expect_eq(e.loc.line, 2);
    cr_expect_eq(e.loc.col, 5);
    cr_expect(!e.incomplete);
    parse_error_clear(&e);
}

Test(errors, unclosed_bracket)
{
    const char *t = "[1, 2";
    ParseError e = expect_error(t);
    expect_msg_has(&e, t, "end of input");
    expect_msg_has(&e, t, "'['");          /* names what is still open */
    expect_msg_has(&e, t, "1:1");          /* and where it was opened */
    cr_expect_eq(e.loc.line, 1);
    cr_expect(e.loc.col == 5 || e.loc.col == 6, "col %d", e.loc.col);
    cr_expect(e.incomplete);
    parse_error_clear(&e);
}

Test(errors, unfinished_parameter_list)
{
    const char *t = "fn f(";
    ParseError e = expect_error(t);
    expect_msg_has(&e, t, "end of input");
    expect_msg_has(&e, t, "')'");          /* what was expected */
    cr_expect_eq(e.loc.line, 1);
    cr_expect(e.loc.col == 5 || e.loc.col == 6, "col %d", e.loc.col);
    cr_expect(e.incomplete);
    parse_error_clear(&e);
}

Test(errors, invalid_character)
{
    const char *t = "@";
    ParseError e = expect_error(t);
    expect_msg_has(&e, t, "'@'");
    cr_expect_eq(e.loc.line, 1);
    cr_expect_eq(e.loc.col, 1);
    cr_expect(!e.incomplete);
    parse_error_clear(&e);

    t = "y = 3\nz = 3 $ 4";
    e = expect_error(t);
    expect_msg_has(&e, t, "'$'");
    cr_expect_eq(e.loc.line, 2);
    cr_expect_eq(e.loc.col, 7);
    parse_error_clear(&e);
}

Test(errors, unterminated_string)
{
    const char *t = "x = \"abc";
    ParseError e = expect_error(t);
    expect_msg_has(&e, t, "string");
    expect_msg_has(&e, t, "terminated");
    cr_expect_eq(e.loc.line, 1);
    cr_expect_eq(e.loc.col, 5, "at the opening quote");
    cr_expect(!e.incomplete, "strings do not continue on the next line");
    parse_error_clear(&e);

    t = "s = \"abc\ndef\"";
    e = expect_error(t);
    expect_msg_has(&e, t, "string");
    cr_expect_eq(e.loc.line, 1);
    cr_expect_eq(e.loc.col, 5);
    parse_error_clear(&e);
}

Test(errors, unknown_escape)
{
    const char *t = "s = \"a\\qb\"";
    ParseError e = expect_error(t);
    expect_msg_has(&e, t, "escape");
    cr_expect_eq(e.loc.line, 1);
    cr_expect_eq(e.loc.col, 5);
    parse_error_clear(&e);
}

Test(errors, number_too_large_and_nul_byte)
{
    const char *t = "x = 1e999";
    ParseError e = expect_error(t);
    expect_msg_has(&e, t, "too large");
    cr_expect_eq(e.loc.col, 5);
    cr_expect_eq(e.loc.end_col, 9, "the whole literal is the span");
    parse_error_clear(&e);

    /* an embedded NUL byte is an invalid character, not the end of input */
    const char text[] = "x = 1\0 + 2";
    Source *src = source_new("t.ovp", xstrndup(text, sizeof text - 1),
                             sizeof text - 1);
    e = (ParseError){0};
    AstNode *tree = parse_source(src, &e);
    cr_expect_null(tree, "the NUL byte was skipped or ended the input");
    ast_free(tree);
    cr_expect_not_null(e.msg);
    cr_expect_eq(e.loc.col, 6);
    cr_expect(!e.incomplete);
    parse_error_clear(&e);
    source_free_all(src);
}

Test(errors, eof_error_is_located_at_the_end)
{
    /* "unexpected end of input" must point where the input ends, not at
     * the start of the last token. */
    const char *cases[] = {"for i in", "x = foo(a, bcd", "while"};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *t = cases[i];
        int len = (int)strlen(t);
        ParseError e = expect_error(t);
        expect_msg_has(&e, t, "end of input");
        cr_expect_eq(e.loc.line, 1, "[%s]", t);
        cr_expect(e.loc.col == len || e.loc.col == len + 1,
                  "[%s]: error at column %d, input ends at column %d", t,
                  e.loc.col, len);
        parse_error_clear(&e);
    }
}

Test(errors, eof_message_names_what_is_really_expected)
{
    /* Naming the closer of the open construct is right only when the
     * closer could come next: `if x` may be followed by `end`, but
     * `for i in`, `while`, `[1,` and `{lr:` need an expression first and
     * `fn f(a,` needs a parameter name. */
    static const struct { const char *text, *want, *not_expected; } cases[] = {
        {"for i in", "expression", "expected 'end'"},
        {"while", "expression", "expected 'end'"},
        {"if x\ny = ", "expression", "expected 'end'"},
        {"x = [1,", "expression", "expected ']'"},
        {"a = {lr:", "expression", "expected '}'"},
        {"fn f(a,", "identifier", "expected ')'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        ParseError e = expect_error(cases[i].text);
        expect_msg_has(&e, cases[i].text, cases[i].want);
        cr_expect(strstr(e.msg, cases[i].not_expected) == NULL,
                  "[%s]: \"%s\" claims a closer is expected, but it cannot "
                  "come next", cases[i].text, e.msg);
        cr_expect(e.incomplete);
        parse_error_clear(&e);
    }
    /* where the closer can come next, naming it is right */
    ParseError e = expect_error("if x");
    expect_msg_has(&e, "if x", "'end'");
    parse_error_clear(&e);
}

Test(errors, incomplete_for_open_constructs)
{
    const char *open[] = {
        "if x", "[1,", "fn f()", "while x > 0\n  x -= 1\n", "{a: 1,",
        "f(1,\n", "for i in 1:3\n", "x = [1, 2;\n", "#{\nblock comment",
        "if a\n  b\nelse\n", "g = fn(x)\n",
    };
    for (size_t i = 0; i < sizeof open / sizeof *open; i++) {
        ParseError e = expect_error(open[i]);
        cr_expect(e.incomplete, "[%s] should be incomplete (msg: %s)",
                  open[i], e.msg);
        parse_error_clear(&e);
    }
}

Test(errors, not_incomplete_for_real_errors)
{
    const char *bad[] = {
        ")", "x = 1 )", "end", "[1, 2]]", "else", "x = = 1", "if x ) end",
        "fn 1", "@", "x = \"abc",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ParseError e = expect_error(bad[i]);
        cr_expect(!e.incomplete, "[%s] is a real error, not incomplete "
                  "(msg: %s)", bad[i], e.msg);
        parse_error_clear(&e);
    }
    ParseError e = expect_error(")");
    expect_msg_has(&e, ")", "')'");
    cr_expect_eq(e.loc.col, 1);
    parse_error_clear(&e);
}

static char *repeat_wrap(const char *open, const char *mid, const char *close,
                         int n)
{
    StrBuf b;
    sb_init(&b);
    for (int i = 0; i < n; i++)
        sb_puts(&b, open);
    sb_puts(&b, mid);
    for (int i = 0; i < n; i++)
        sb_puts(&b, close);
    char *s = sb_take(&b);
    sb_free(&b);   /* sb_take re-initialises the buffer */
    return s;
}

static void expect_depth_error(char *text, const char *what)
{
    Source *src;
    ParseError err;
    AstNode *tree = parse_text(text, &src, &err);
    cr_expect_null(tree, "%s: deep input was accepted", what);
    ast_free(tree);
    cr_expect_not_null(err.msg, "%s: no error", what);
    if (err.msg)
        cr_expect(strstr(err.msg, "deep") != NULL,
                  "%s: message \"%s\" should say the nesting is too deep",
                  what, err.msg);
    parse_error_clear(&err);
    source_free_all(src);
    free(text);
}

Test(errors, deep_nesting_is_an_error_not_a_crash)
{
    expect_depth_error(repeat_wrap("(", "1", ")", 3000), "3000 parens");
    expect_depth_error(repeat_wrap("[", "1", "]", 3000), "3000 brackets");
    expect_depth_error(repeat_wrap("{", "1", "}", 3000), "3000 braces");
    expect_depth_error(repeat_wrap("-", "1", "", 3000), "3000 minus signs");
    expect_depth_error(repeat_wrap("if x\n", "1\n", "end\n", 3000),
                       "3000 nested ifs");
    expect_depth_error(repeat_wrap("", "a", ".b", 3000), "3000 fields");
    expect_depth_error(repeat_wrap("", "x", "'", 3000), "3000 transposes");
}

Test(errors, very_deep_unary_chain_no_crash)
{
    /* Beyond the parser stack too: must still be an error, not SIGSEGV. */
    char *t = repeat_wrap("-", "1", "", 200000);
    Source *src;
    ParseError err;
    AstNode *tree = parse_text(t, &src, &err);
    cr_expect_null(tree);
    ast_free(tree);
    cr_expect_not_null(err.msg);
    parse_error_clear(&err);
    source_free_all(src);
    free(t);
}

Test(errors, moderate_nesting_is_fine)
{
    char *t = repeat_wrap("(", "1", ")", 500);
    Source *src;
    ParseError err;
    AstNode *tree = parse_text(t, &src, &err);
    cr_expect_not_null(tree, "500 parens: %s", err.msg ? err.msg : "");
    cr_expect_null(err.msg);
    ast_free(tree);
    parse_error_clear(&err);
    source_free_all(src);
    free(t);

    t = repeat_wrap("-", "1", "", 1500);
    tree = parse_text(t, &src, &err);
    cr_expect_not_null(tree, "1500 minus signs: %s", err.msg ? err.msg : "");
    ast_free(tree);
    parse_error_clear(&err);
    source_free_all(src);
    free(t);
}

Test(errors, parser_is_reusable_after_an_error)
{
    ParseError e = expect_error("x = (1 +");
    parse_error_clear(&e);
    cr_expect_null(e.msg);
    cr_expect(!e.incomplete);
    expect_dump("x = 1",
                "block @1:1\n"
                "  assign @1:1\n"
                "    ident x @1:1\n"
                "    num 1 @1:5\n");
}

/* ------------------------------------------------------ diag rendering */

/* Line k (0-based) of s, malloc'd, without its newline. */
static char *line_of(const char *s, int k)
{
    for (int i = 0; i < k && s; i++) {
        s = strchr(s, '\n');
        if (s)
            s++;
    }
    cr_assert_not_null(s, "missing line %d", k);
    const char *e = strchr(s, '\n');
    return xstrndup(s, e ? (size_t)(e - s) : strlen(s));
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* Visual column (tabs to multiples of 8) of byte offset k in line. */
static int visual_col(const char *line, size_t k)
{
    int col = 0;
    for (size_t i = 0; i < k; i++)
        col = line[i] == '\t' ? (col / 8 + 1) * 8 : col + 1;
    return col;
}

static char *render(Source *src, int line, int col, int end_line, int end_col,
                    const char *severity, const char *msg)
{
    Loc loc = {src, line, col, end_line, end_col};
    StrBuf b;
    sb_init(&b);
    diag_render(&b, severity, &loc, msg);
    char *s = sb_take(&b);
    sb_free(&b);   /* sb_take re-initialises the buffer */
    return s;
}

/* Checks that the caret line puts '^' under source column col and a run
 * of width-1 '~' after it, aligned with the echoed source line. */
static void expect_caret(const char *out, const char *srcline, int col,
                         int width)
{
    char *echo = line_of(out, 1);
    char *caret = line_of(out, 2);
    const char *text = strstr(echo, srcline);
    cr_assert_not_null(text, "source line [%s] not echoed in:\n%s", srcline,
                       out);
    size_t start = (size_t)(text - echo);
    const char *hat = strchr(caret, '^');
    cr_assert_not_null(hat, "no caret in:\n%s", out);
    size_t at = (size_t)(hat - caret);
    cr_expect_eq(visual_col(caret, at), visual_col(echo, start + (size_t)col - 1),
                 "caret under the wrong column:\n%s", out);
    int tildes = 0;
    while (hat[1 + tildes] == '~')
        tildes++;
    cr_expect_eq(tildes + 1, width, "underline width %d, want %d:\n%s",
                 tildes + 1, width, out);
    for (const char *p = hat + 1 + tildes; *p; p++)
        cr_expect(*p == ' ', "junk after the underline:\n%s", out);
    /* everything before the caret is blank (spaces, tabs, the gutter) */
    for (const char *p = caret; p < hat; p++)
        cr_expect(*p == ' ' || *p == '\t' || *p == '|',
                  "unexpected byte before the caret:\n%s", out);
    free(echo);
    free(caret);
}

Test(diag, header_source_line_and_span)
{
    const char *text = "x = 1\ny = foo + 2\n";
    Source *src = source_new("t.ovp", xstrdup(text), strlen(text));
    char *out = render(src, 2, 5, 2, 7, "error", "undefined variable 'foo'");
    char *head = line_of(out, 0);
    cr_expect_str_eq(head, "t.ovp:2:5: error: undefined variable 'foo'");
    cr_expect_eq(count_lines(out), 3, "three lines:\n%s", out);
    expect_caret(out, "y = foo + 2", 5, 3);
    char *echo = line_of(out, 1);
    cr_expect(strstr(echo, "2") != NULL && strstr(echo, "2") < strstr(echo, "y ="),
              "the gutter shows the line number:\n%s", out);
    free(echo);
    free(head);
    free(out);
    source_free_all(src);
}

/* A very long line is shown as a window of at most 160 columns around the
 * error, marked "..." where cut, with the caret still under its column. */
Test(diag, long_line_is_windowed)
{
    char text[2001];
    for (int i = 0; i < 2000; i++)
        text[i] = (char)('a' + i % 26);
    text[2000] = 0;
    Source *src = source_new("l.ovp", xstrdup(text), strlen(text));
    char *out = render(src, 1, 1000, 1, 1003, "error", "here");
    char *echo = line_of(out, 1), *caret = line_of(out, 2);
    cr_expect_lt(strlen(echo), 180, "echo not cut:\n%s", out);
    cr_expect(strstr(echo, "...") != NULL, "no cut mark:\n%s", out);
    const char *hat = strchr(caret, '^');
    cr_assert_not_null(hat);
    size_t at = (size_t)(hat - caret);
    cr_expect_eq(echo[at], text[999], "caret not under column 1000:\n%s", out);
    cr_expect_eq(strspn(hat, "^~"), 4, "underline width:\n%s", out);
    free(echo);
    free(caret);
    free(out);
    out = render(src, 1, 3, 1, 3, "error", "near the start");
    echo = line_of(out, 1);
    cr_expect(strncmp(echo + 8, "abc", 3) == 0, "the start is not cut:\n%s", out);
    free(echo);
    free(out);
    source_free_all(src);
}

Test(diag, single_column_and_first_column)
{
    const char *text = "a = (1 + )";
    Source *src = source_new("s.ovp", xstrdup(text), strlen(text));
    char *out = render(src, 1, 10, 1, 10, "error", "unexpected ')'");
    expect_caret(out, text, 10, 1);
    free(out);
    out = render(src, 1, 1, 1, 1, "warning", "w");
    char *head = line_of(out, 0);
    cr_expect_str_eq(head, "s.ovp:1:1: warning: w");
    expect_caret(out, text, 1, 1);
    free(head);
    free(out);
    out = render(src, 1, 1, 1, 10, "error", "whole line");
    expect_caret(out, text, 1, 10);
    free(out);
    source_free_all(src);
}

Test(diag, tabs_keep_the_caret_aligned)
{
    const char *text = "\tx =\t@ + 1";
    Source *src = source_new("t.ovp", xstrdup(text), strlen(text));
    char *out = render(src, 1, 6, 1, 6, "error", "invalid character '@'");
    expect_caret(out, text, 6, 1);
    free(out);
    source_free_all(src);
}

Test(diag, last_line_without_newline_and_end_of_input)
{
    const char *text = "a = 1\nb = 2\nc = (";
    Source *src = source_new("t.ovp", xstrdup(text), strlen(text));
    char *out = render(src, 3, 5, 3, 5, "error", "x");
    cr_expect(strncmp(out, "t.ovp:3:5: error: x\n", 20) == 0, "%s", out);
    expect_caret(out, "c = (", 5, 1);
    free(out);
    /* one past the last byte: where "unexpected end of input" points */
    out = render(src, 3, 6, 3, 6, "error", "x");
    char *caret = line_of(out, 2);
    char *echo = line_of(out, 1);
    const char *hat = strchr(caret, '^');
    cr_assert_not_null(hat);
    cr_expect_eq((size_t)(hat - caret), (size_t)(strstr(echo, "c = (") - echo) + 5);
    free(caret);
    free(echo);
    free(out);
    source_free_all(src);
}

/* Number of UTF-8 code points in the first n bytes of s. */
static int code_points(const char *s, size_t n)
{
    int k = 0;
    for (size_t i = 0; i < n; i++)
        k += ((unsigned char)s[i] & 0xc0) != 0x80;
    return k;
}

Test(diag, caret_aligned_after_utf8_text)
{
    /* Non-ASCII text is allowed in strings; the caret must still stand
     * under the offending character on a UTF-8 terminal. */
    const char *text = "x = \"\u03b1\u03b2\u03b3\" + @";
    Source *src = source_new("u.ovp", xstrdup(text), strlen(text));
    ParseError e = {0};
    AstNode *tree = parse_source(src, &e);
    cr_assert_null(tree);
    cr_assert_not_null(e.msg);
    StrBuf b;
    sb_init(&b);
    diag_render(&b, "error", &e.loc, e.msg);
    char *echo = line_of(b.s, 1);
    char *caret = line_of(b.s, 2);
    const char *at = strchr(echo, '@');
    const char *hat = strchr(caret, '^');
    cr_assert_not_null(at, "%s", b.s);
    cr_assert_not_null(hat, "%s", b.s);
    cr_expect_eq(code_points(caret, (size_t)(hat - caret)),
                 code_points(echo, (size_t)(at - echo)),
                 "caret not under '@' on screen:\n%s", b.s);
    free(echo);
    free(caret);
    sb_free(&b);
    parse_error_clear(&e);
    source_free_all(src);
}

Test(diag, control_bytes_are_not_echoed_raw)
{
    const char text[] = "x = 1\x1b[2J + 2";
    Source *src = source_new("t.ovp", xstrdup(text), strlen(text));
    char *out = render(src, 1, 6, 1, 6, "error", "invalid character");
    cr_expect(strchr(out, '\x1b') == NULL, "escape byte reached the output");
    free(out);
    source_free_all(src);
}

Test(diag, without_a_location)
{
    StrBuf b;
    sb_init(&b);
    diag_render(&b, "error", NULL, "out of memory");
    cr_expect(strstr(b.s, "error: out of memory\n") != NULL, "%s", b.s);
    cr_expect_eq(count_lines(b.s), 1, "no source line or caret:\n%s", b.s);
    sb_free(&b);
}

Test(diag, position)
{
    const char *text = "abc";
    Source *src = source_new("dir/file.ovp", xstrdup(text), 3);
    Loc loc = {src, 7, 12, 7, 13};
    StrBuf b;
    sb_init(&b);
    diag_position(&b, &loc);
    cr_expect_str_eq(b.s, "dir/file.ovp:7:12");
    sb_free(&b);
    source_free_all(src);
}

Test(diag, renders_a_parse_error)
{
    const char *text = "x = 1\ny = (2 * )\n";
    Source *src = source_new("p.ovp", xstrdup(text), strlen(text));
    ParseError e = {0};
    AstNode *tree = parse_source(src, &e);
    cr_assert_null(tree);
    cr_assert_not_null(e.msg);
    cr_expect_eq(e.loc.src, src);
    StrBuf b;
    sb_init(&b);
    diag_render(&b, "error", &e.loc, e.msg);
    cr_expect(strncmp(b.s, "p.ovp:2:10: error: unexpected ')'", 33) == 0,
              "%s", b.s);
    expect_caret(b.s, "y = (2 * )", 10, 1);
    sb_free(&b);
    parse_error_clear(&e);
    source_free_all(src);
}
