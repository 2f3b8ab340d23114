#!/bin/sh
# bench/analyze/html.sh — swanalyze --format html on a long session against
# the same analysis written as JSON, in one run, alternated, and the size of
# the page (docs/performance.md, "HTML report"). Targets: the HTML run under
# 2x the JSON run (medians of CPU time), the page under 2 MB.
#
# Usage: bench/analyze/html.sh [RUNS]         (default 3)
#   BUILD_DIR  meson build directory (default: build-bench, release)
#   PROCS, SAMPLES  the session (default 1000 processes x 86400 s = 24 h)
#   REPORT     the report (default full)
set -eu

src=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$src/build-bench}
runs=${1:-3}
procs=${PROCS:-1000}
samples=${SAMPLES:-86400}
report=${REPORT:-full}

[ -x /usr/bin/time ] || { echo "html.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
[ -d "$build" ] || meson setup "$build" --buildtype=release >/dev/null
ninja -C "$build" bench/analyze/swt-bench-mkfixture analyze/swanalyze \
	>/dev/null

out=$(mktemp -d "${TMPDIR:-/tmp}/swt-bench-html.XXXXXX")
trap 'rm -rf "$out"' EXIT
trap 'exit 130' INT TERM HUP PIPE
session=$out/bench-${procs}x${samples}.swt
"$build/bench/analyze/swt-bench-mkfixture" bench "$session" "$procs" \
	"$samples"

echo "## swanalyze --format html benchmark"
. "$src/bench/facts.sh"
bench_facts "$src" "$build" analyze
echo "file:       $(wc -c <"$session") bytes, $procs processes x $samples s"
echo "report:     --report $report, --format json against --format html"
echo "load avg:   $(cut -d' ' -f1-3 /proc/loadavg) (before)"

# seconds of CPU (user + system) and wall of one swanalyze run
cpu() {
	/usr/bin/time -f "%U %S %e" -o "$out/t" "$build/analyze/swanalyze" \
		"$session" --report "$report" --format "$1" -o "$out/page.$1" ||
		true
	awk '{ printf "%.3f %.3f\n", $1 + $2, $3 }' "$out/t"
}

json=""
html=""
i=1
while [ "$i" -le "$runs" ]; do
	j=$(cpu json)
	h=$(cpu html)
	echo "run $i: json ${j% *} s CPU (${j#* } s wall)," \
		"html ${h% *} s CPU (${h#* } s wall)"
	json="$json ${j% *}"
	html="$html ${h% *}"
	i=$((i + 1))
done
median() { echo "$@" | tr ' ' '\n' | sort -n | awk '{ a[NR] = $1 }
	END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
mj=$(median $json)
mh=$(median $html)
size=$(wc -c <"$out/page.html")
echo "median:     json $mj s, html $mh s CPU: html/json" \
	"$(awk -v a="$mh" -v b="$mj" 'BEGIN { printf "%.3f", a / b }')" \
	"(target < 2)"
echo "page:       $size bytes (target < 2 MB = 2097152); JSON" \
	"$(wc -c <"$out/page.json") bytes;" \
	"$(grep -c '<svg' "$out/page.html") lines with <svg"
echo "load avg:   $(cut -d' ' -f1-3 /proc/loadavg) (after)"
status=0
awk -v a="$mh" -v b="$mj" 'BEGIN { exit !(a < 2 * b) }' || status=1
[ "$size" -lt 2097152 ] || status=1
[ $status = 0 ] && echo "result:     within both targets" ||
	echo "result:     OVER a target"
exit $status
