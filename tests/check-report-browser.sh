#!/bin/sh
# The suite's HTML report in a real browser (headless Chromium): the
# summary is a <table>, FAIL is emphasis and not "**FAIL**", and every
# figure loads (an SVG and a PNG). A script added to a copy of the page
# writes what the browser found into the DOM, which --dump-dom prints.
# Skipped (status 77) where Chromium is not installed.
ovp=${OVP:-./ovp}
browser=$(command -v chromium || command -v chromium-browser)
if [ -z "$browser" ] || ! command -v gnuplot > /dev/null; then
    echo "SKIP: chromium or gnuplot not installed (apt-get install chromium gnuplot-nox)"
    exit 77
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
status=0
fail() { echo "FAIL: $1"; status=1; }

mkdir "$dir/s"
cat > "$dir/s/a_figures.ovp" <<'X'
# Two figures, one of each kind.
t = (1:20)'
plot(t, exp(-t / 5), file = "decay.svg", title = "decay", labels = {"e^{-t/5}"}, markup = true)
plot(t, t .^ 2, file = "square.png", title = "square")
check(true, "drawn")
X
cat > "$dir/s/b_fail.ovp" <<'X'
# A result whose check fails.
check(false, "this fails")
X
"$ovp" suite "$dir/s" --report "$dir/r" > /dev/null 2>&1
[ -f "$dir/r/report.html" ] || { echo "FAIL: no report.html"; exit 1; }

# The probe runs after every image has loaded or failed (window load).
sed 's|</body>|<script>\
window.addEventListener("load", function () {\
  var imgs = document.images, ok = 0, bad = [];\
  for (var i = 0; i < imgs.length; i++)\
    if (imgs[i].complete \&\& imgs[i].naturalWidth > 0) ok++; else bad.push(imgs[i].src);\
  var p = document.createElement("pre");\
  p.id = "probe";\
  p.textContent = "images " + imgs.length + " loaded " + ok + " broken " + bad.join(" ") +\
    "\\ntables " + document.querySelectorAll("table").length +\
    "\\nrows " + document.querySelectorAll("table tr").length +\
    "\\nstrong-FAIL " + Array.prototype.filter.call(document.querySelectorAll("strong"),\
        function (e) { return e.textContent === "FAIL"; }).length +\
    "\\nstars " + (document.body.innerText.indexOf("**") >= 0 ? "yes" : "no");\
  document.body.appendChild(p);\
});\
</script></body>|' "$dir/r/report.html" > "$dir/r/probe.html"
grep -q 'id = "probe"' "$dir/r/probe.html" || fail "the probe was not added (no </body> in the report)"

# --no-sandbox: the sandbox cannot start as root, as in CI
timeout 60 "$browser" --headless --no-sandbox --disable-gpu --allow-file-access-from-files \
    --virtual-time-budget=5000 --dump-dom "file://$dir/r/probe.html" > "$dir/dom.html" 2> "$dir/browser.err"
probe=$(sed -n '/<pre id="probe">/,/<\/pre>/p' "$dir/dom.html")
[ -n "$probe" ] || { fail "the browser ran no probe"; sed -n 1,20p "$dir/browser.err"; }
echo "$probe"
echo "$probe" | grep -q "images 2 loaded 2 broken $" || fail "both figures load"
echo "$probe" | grep -Eq "^tables [1-9]" || fail "the summary is a <table>"
echo "$probe" | grep -Eq "^rows ([3-9]|[1-9][0-9])" || fail "the table has a header and a row per script"
echo "$probe" | grep -Eq "^strong-FAIL [1-9]" || fail "FAIL is emphasis"
echo "$probe" | grep -q "^stars no" || fail "no Markdown asterisks left in the text"
exit $status
