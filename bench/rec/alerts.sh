#!/bin/sh
# alerts.sh — what swrec --alerts costs (issue 14): one workload of N
# processes (bench_workload.c), recorded by swrec -p for SECS seconds at
# INTERVAL, without and with --alerts, alternated RUNS times on the same
# workload (the same run). For each: the recorder's CPU per tick and per
# process-sample over the samples after the first 3 (from the file,
# swt-bench-rec-cost), and, with --alerts, the engine's own CPU per sample
# (swrec's summary); then the medians and the ratio with/without.
#
#   sh bench/rec/alerts.sh BUILD [N [SECS [INTERVAL [RUNS]]]]
#
# BUILD: a release build directory of this tree. Defaults: 500 20 1 3.
set -eu

BUILD=${1:?usage: alerts.sh BUILD [N [SECS [INTERVAL [RUNS]]]]}
N=${2:-500}
SECS=${3:-20}
INTERVAL=${4:-1}
RUNS=${5:-3}
SWREC=$BUILD/record/swrec
WORKLOAD=$BUILD/bench/rec/swt-bench-rec-workload
COST=$BUILD/bench/rec/swt-bench-rec-cost
for f in "$SWREC" "$WORKLOAD" "$COST"; do
	[ -x "$f" ] || { echo "alerts.sh: $f missing (ninja -C $BUILD)" >&2; exit 2; }
done
TMP=$(mktemp -d)
WPID=
cleanup() {
	[ -n "$WPID" ] && kill -TERM "$WPID" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

SRC=$(cd "$(dirname "$0")/../.." && pwd)
. "$SRC/bench/facts.sh"
bench_facts "$SRC" "$BUILD" record
"$WORKLOAD" "$N" 1 0 0 >"$TMP/ready" &
WPID=$!
while ! grep -q ready "$TMP/ready" 2>/dev/null; do sleep 0.1; done
echo "workload: $N processes; swrec -p at ${INTERVAL}s for ${SECS}s;" \
	"load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %3s %8s %14s %16s %14s\n' variant run samples us_per_tick \
	us_per_proc_sample engine_us_per_tick
: >"$TMP/plain"
: >"$TMP/alerts"
r=1
while [ "$r" -le "$RUNS" ]; do
	for v in plain alerts; do
		extra=""
		[ $v = alerts ] && extra="--alerts"
		# shellcheck disable=SC2086
		"$SWREC" --force -o "$TMP/$v.swt" -i "$INTERVAL" \
			--duration "$SECS" $extra -p "$WPID" 2>"$TMP/err" ||
			true
		line=$("$COST" "$TMP/$v.swt")
		samples=$(echo "$line" | tr ' ' '\n' | sed -n 's/^samples=//p')
		per_row=$(echo "$line" | tr ' ' '\n' |
			sed -n 's/^cpu_ns_per_proc_sample=//p')
		pct=$(echo "$line" | tr ' ' '\n' | sed -n 's/^cpu_percent=//p')
		# CPU per tick: percent of a core x interval
		per_tick=$(awk "BEGIN { printf \"%.1f\", $pct / 100 * $INTERVAL * 1e6 }")
		eng=$(sed -n 's/.* \([0-9.]*\) us a sample.*/\1/p' "$TMP/err")
		printf '%-8s %3s %8s %14s %16s %14s\n' $v $r "$samples" \
			"$per_tick" "$(awk "BEGIN { printf \"%.2f\", $per_row / 1000 }")" \
			"${eng:--}"
		echo "$per_tick" >>"$TMP/$v"
	done
	r=$((r + 1))
done
med() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
p=$(med "$TMP/plain")
a=$(med "$TMP/alerts")
echo "median_us_per_tick plain $p alerts $a" \
	"ratio $(awk "BEGIN { printf \"%.3f\", $a / $p }")"
