# test-html.sh — swanalyze's HTML pages opened in a real browser (headless
# Chromium): a full report of the recorded example and a diff of two
# sessions must be well-formed, draw something, hold their tables and
# charts in the DOM, log nothing on the console and request nothing.
#
#   sh test-html.sh SWANALYZE FIXTURES_DIR TMPDIR PYTHON SRCDIR
#
# Chromium comes from `scripts/setup-debian.sh --browser` (scripts/test.sh
# runs it); without it the browser checks are skipped, saying so. Each page
# is opened twice, in a fresh profile each time:
#   1. --screenshot at 1280x2000: the PNG must have colours and ink
#      (html_check.py decodes it with zlib), and with --enable-logging the
#      log must hold no console line (":CONSOLE", "Uncaught"); names resolve
#      nowhere (--host-resolver-rules).
#   2. --dump-dom: the DOM must hold the tables and the SVG; the proxy is a
#      trap (html_check.py trap) that logs each connection's request line
#      and must see none from the page (Chromium's own calls to its
#      makers' services are listed apart). A control page with an external
#      stylesheet must reach the trap, or the trap proves nothing.

if [ $# -ne 5 ]; then
	echo "Bail out! usage: $0 SWANALYZE FIXTURES_DIR TMPDIR PYTHON SRCDIR"
	exit 1
fi
. "$5/tap.sh"
SWANALYZE=$(abspath "$1")
FIXTURES=$(abspath "$2")
T=$(abspath "$3")
PY=$4
SRC=$(abspath "$5")
CHECK="$SRC/html_check.py"
tap_sandbox

# ---- the pages -------------------------------------------------------------------
(cd "$FIXTURES/recorded-example" && "$SWANALYZE" session.swt --report full \
	--format html) >"$T/report.html" 2>"$T/err"
check "full report of the recorded example as HTML" [ -s "$T/report.html" ]
(cd "$FIXTURES/diff-repeated" && "$SWANALYZE" diff --format html -j 2 \
	--base ../diff-runs/base-1.swt ../diff-runs/base-2.swt \
	../diff-runs/base-3.swt --new ../diff-runs/new-1.swt \
	../diff-runs/new-2.swt ../diff-runs/new-3.swt) >"$T/diff.html" \
	2>"$T/err"
check "diff of three runs a side as HTML" [ -s "$T/diff.html" ]

for p in report diff; do
	run "$PY" "$CHECK" static "$T/$p.html"
	check "$p: no script, no address out of the page" [ "$rc" = 0 ]
	grep -v '^#' "$T/out" | diag
	run xmllint --noout "$T/$p.html"
	check "$p: well-formed (xmllint, as XML)" [ "$rc" = 0 ]
	# libxml2's HTML parser predates HTML5: it names every HTML5 and SVG
	# element "invalid" (and nothing else may be wrong)
	xmllint --html --noout "$T/$p.html" 2>&1 |
		grep 'parser error' | grep -v 'Tag [a-zA-Z]* invalid' \
		>"$T/out"
	check "$p: xmllint --html finds nothing but HTML5 tags" \
		[ ! -s "$T/out" ]
done

# ---- the browser -------------------------------------------------------------------
CHROMIUM=""
for c in chromium chromium-browser google-chrome; do
	if command -v "$c" >/dev/null 2>&1; then
		CHROMIUM=$(command -v "$c")
		break
	fi
done
if [ -z "$CHROMIUM" ]; then
	for what in "screenshot not blank" "no console message" \
		"tables and charts in the DOM" "no network request"; do
		skip "$what" "no chromium: install it with sh scripts/setup-debian.sh --browser (as root)"
	done
	done_testing
	exit 0
fi
"$CHROMIUM" --version 2>/dev/null | diag

# chromium FLAGS... URL: one headless run in a fresh profile, generous
# time (a loaded 2-core machine), stdout in $T/out, stderr in $T/err.
chromium() {
	prof=$(mktemp -d "$T/profile.XXXXXX")
	rc=0
	timeout 180 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		--disable-quic --no-first-run --disable-background-networking \
		--disable-component-update --disable-sync \
		--disable-default-apps --disable-extensions \
		--disable-client-side-phishing-detection --no-pings \
		--disable-domain-reliability --metrics-recording-only \
		--safebrowsing-disable-auto-update --disable-breakpad \
		--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication,CertificateTransparencyComponentUpdater,NetworkTimeServiceQuerying \
		--user-data-dir="$prof" "$@" >"$T/out" 2>"$T/err" || rc=$?
	rm -rf "$prof"
}

# the trap: a proxy that counts connections
"$PY" "$CHECK" trap "$T/port" "$T/trap.log" &
trap_pid=$!
i=0
while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
PORT=$(cat "$T/port" 2>/dev/null)
: >"$T/trap.log"

start=$(date +%s)
for p in report diff; do
	chromium --window-size=1280,2000 --screenshot="$T/$p.png" \
		--host-resolver-rules='MAP * ~NOTFOUND' \
		--enable-logging=stderr --v=0 "file://$T/$p.html"
	cp "$T/err" "$T/$p.chromium-log"
	check "$p: chromium took the screenshot (exit $rc)" \
		test "$rc" = 0 -a -s "$T/$p.png"
	run "$PY" "$CHECK" png "$T/$p.png"
	check "$p: screenshot not blank" [ "$rc" = 0 ]
	diag <"$T/out"
	run "$PY" "$CHECK" console "$T/$p.chromium-log"
	check "$p: no console message" [ "$rc" = 0 ]

	chromium --proxy-server="http://127.0.0.1:$PORT" \
		--proxy-bypass-list='<-loopback>' --dump-dom "file://$T/$p.html"
	cp "$T/out" "$T/$p.dom"
	check "$p: chromium dumped the DOM (exit $rc)" [ "$rc" = 0 ]
	run "$PY" "$CHECK" dom "$T/$p.dom" "$p"
	check "$p: tables and charts in the DOM" [ "$rc" = 0 ]
	diag <"$T/out"
done
# Chromium itself calls its makers' services whatever the flags (component
# updates, accounts: seen with Chromium 156); those hosts are not the
# page's (the static check above: the page names no address at all), so
# they are shown and not counted. Anything else is the page's.
own='^connection: (CONNECT |[A-Z]+ http://)([a-z0-9-]+[.])*(google[.]com|googleapis[.]com|gstatic[.]com)[:/]'
grep -E "$own" "$T/trap.log" | cut -c 1-100 | sed 's/^/browser: /' | diag
grep -Ev "$own" "$T/trap.log" >"$T/page-requests"
n=$(wc -l <"$T/page-requests")
check "no network request from the pages ($n to the trap)" [ "$n" = 0 ]
diag <"$T/page-requests"

# the control: a page that does load from outside reaches the trap
printf '<!DOCTYPE html><html><head><link rel="stylesheet" href="http://swt-test.example/x.css"/></head><body><iframe src="http://swt-test.example/"></iframe></body></html>\n' \
	>"$T/control.html"
chromium --proxy-server="http://127.0.0.1:$PORT" \
	--proxy-bypass-list='<-loopback>' --window-size=400,300 \
	--screenshot="$T/control.png" "file://$T/control.html"
n=$(grep -c 'swt-test[.]example' "$T/trap.log")
check "control: a page loading from outside reaches the trap ($n)" \
	[ "$n" -gt 0 ]
kill "$trap_pid" 2>/dev/null
wait "$trap_pid" 2>/dev/null
echo "chromium checks took $(($(date +%s) - start)) s" | diag
done_testing
