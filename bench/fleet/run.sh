#!/bin/sh
# bench/fleet/run.sh — what remote-write costs (issue 16, docs/performance.md
# "Remote-write"), in one run:
# 1. backfill: a 1 h, 500-process session at 1 s (swt-bench-mkfixture, the
#    swanalyze benchmark's) sent by `swanalyze export --remote-write` to a
#    victoria-metrics on a free loopback port, RUNS times: wall time,
#    series and samples per second, against `swanalyze --report full` on
#    the same file (the analysis alone) and `export --print` (analysis and
#    series, no network);
# 2. live: a workload of N processes (bench_workload.c) recorded by swrec -p
#    for SECS s at 1 s without and with --remote-write (to the same
#    receiver), alternated RUNS times: the recorder's CPU per tick (from
#    the file, swt-bench-rec-cost) and the medians.
#
#   sh bench/fleet/run.sh BUILD [RUNS [N [SECS]]]      defaults 3 500 20
set -eu

BUILD=${1:?usage: run.sh BUILD [RUNS [N [SECS]]]}
RUNS=${2:-3}
N=${3:-500}
SECS=${4:-20}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
SWA=$BUILD/analyze/swanalyze
SWREC=$BUILD/record/swrec
MK=$BUILD/bench/analyze/swt-bench-mkfixture
WORKLOAD=$BUILD/bench/rec/swt-bench-rec-workload
COST=$BUILD/bench/rec/swt-bench-rec-cost
VM=$(command -v victoria-metrics) ||
	{ echo "run.sh: victoria-metrics missing (scripts/setup-debian.sh --fleet)" >&2; exit 2; }
for f in "$SWA" "$SWREC" "$MK" "$WORKLOAD" "$COST"; do
	[ -x "$f" ] || { echo "run.sh: $f missing (ninja -C $BUILD)" >&2; exit 2; }
done
TMP=$(mktemp -d)
VPID= WPID=
cleanup() {
	[ -n "$WPID" ] && kill -TERM "$WPID" 2>/dev/null || true
	[ -n "$VPID" ] && kill "$VPID" 2>/dev/null && wait "$VPID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

. "$SRC/bench/facts.sh"
bench_facts "$SRC" "$BUILD" analyze
PORT=$(python3 "$SRC/tests/fleet/fleet_util.py" port)
"$VM" -httpListenAddr="127.0.0.1:$PORT" -storageDataPath="$TMP/vm" \
	-retentionPeriod=100y >"$TMP/vm.log" 2>&1 &
VPID=$!
python3 "$SRC/tests/fleet/fleet_util.py" wait "http://127.0.0.1:$PORT/health" 60
URL="http://127.0.0.1:$PORT/api/v1/write"
echo "receiver: victoria-metrics $("$VM" -version 2>&1 | head -n 1)"

S=$TMP/bench-500x3600.swt
"$MK" bench "$S" 500 3600
"$SWA" export --print "$S" >"$TMP/print"
series=$(sed 's/} .*//' "$TMP/print" | sort -u | wc -l)
samples=$(wc -l <"$TMP/print")
echo "session: 500 processes x 3600 s, $(wc -c <"$S") bytes;" \
	"$series series, $samples samples"

# wall seconds of a command
secs() {
	a=$(date +%s.%N)
	"$@" >/dev/null 2>"$TMP/err" || { cat "$TMP/err" >&2; return 1; }
	b=$(date +%s.%N)
	awk "BEGIN { printf \"%.3f\", $b - $a }"
}
printf '%-4s %10s %10s %10s %14s %14s\n' run report_s print_s export_s \
	series_per_s samples_per_s
: >"$TMP/export"
r=1
while [ "$r" -le "$RUNS" ]; do
	rep=$(secs "$SWA" "$S" --report full)
	pr=$(secs "$SWA" export --print "$S")
	ex=$(secs "$SWA" export --remote-write "$URL" --label run="$r" "$S")
	grep -q " 0 failed" "$TMP/err" || { cat "$TMP/err" >&2; exit 1; }
	printf '%-4s %10s %10s %10s %14s %14s\n' "$r" "$rep" "$pr" "$ex" \
		"$(awk "BEGIN { printf \"%.0f\", $series / $ex }")" \
		"$(awk "BEGIN { printf \"%.0f\", $samples / $ex }")"
	echo "$ex" >>"$TMP/export"
	r=$((r + 1))
done
med() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
m=$(med "$TMP/export")
echo "median export ${m}s: $(awk "BEGIN { printf \"%.0f\", $series / $m }")" \
	"series/s, $(awk "BEGIN { printf \"%.0f\", $samples / $m }") samples/s"

"$WORKLOAD" "$N" 1 0 0 >"$TMP/ready" &
WPID=$!
while ! grep -q ready "$TMP/ready" 2>/dev/null; do sleep 0.1; done
echo "workload: $N processes; swrec -p at 1s for ${SECS}s;" \
	"load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-6s %3s %8s %12s %10s %10s\n' variant run samples us_per_tick \
	engine_us sent
: >"$TMP/plain"
: >"$TMP/rw"
r=1
while [ "$r" -le "$RUNS" ]; do
	for v in plain rw; do
		extra=""
		[ $v = rw ] && extra="--remote-write $URL --label live=$r"
		# shellcheck disable=SC2086
		"$SWREC" --force -o "$TMP/$v.swt" -i 1 --duration "$SECS" \
			$extra -p "$WPID" 2>"$TMP/err" || true
		line=$("$COST" "$TMP/$v.swt")
		n=$(echo "$line" | tr ' ' '\n' | sed -n 's/^samples=//p')
		pct=$(echo "$line" | tr ' ' '\n' | sed -n 's/^cpu_percent=//p')
		per_tick=$(awk "BEGIN { printf \"%.1f\", $pct / 100 * 1e6 }")
		sent=$(sed -n 's/.*remote-write: [0-9]* samples, \([0-9]*\) sent.*/\1/p' \
			"$TMP/err")
		eng=$(sed -n 's/.*engine took .* ms of CPU, \([0-9.]*\) us a sample.*/\1/p' \
			"$TMP/err")
		printf '%-6s %3s %8s %12s %10s %10s\n' $v $r "$n" "$per_tick" \
			"${eng:--}" "${sent:--}"
		echo "$per_tick" >>"$TMP/$v"
	done
	r=$((r + 1))
done
p=$(med "$TMP/plain")
w=$(med "$TMP/rw")
echo "median_us_per_tick plain $p remote-write $w" \
	"ratio $(awk "BEGIN { printf \"%.3f\", $w / $p }")"
