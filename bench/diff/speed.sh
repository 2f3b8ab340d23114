#!/bin/sh
# speed.sh — how long `swanalyze diff` of two sessions takes against the
# analysis of one (issue 13: two 1 h, 500-process sessions diff in under
# 2 x the time of analysing one).
#
#   sh bench/diff/speed.sh BUILD [RUNS [PROCS [SAMPLES]]]
#
# BUILD: a release build directory of this tree. The sessions are the
# analysis benchmark's (mkfixture bench: PROCS processes, default 500,
# sampled SAMPLES times, default 3600, at 1 s), the second a copy of the
# first. Wall-clock time, median of RUNS (default 5) alternated runs of
#   one    swanalyze S1 --report full -o /dev/null
#   diff   swanalyze diff S1 S2 -o /dev/null        (both analysed at once
#          on the machine's CPUs, then compared)
#   diff1  the same with -j 1 (one after the other)
set -eu

BUILD=${1:?usage: speed.sh BUILD [RUNS [PROCS [SAMPLES]]]}
RUNS=${2:-5}
PROCS=${3:-500}
SAMPLES=${4:-3600}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
SWANALYZE=$BUILD/analyze/swanalyze
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

"$BUILD/tests/analyze/mkfixture" bench "$TMP/s1.swt" "$PROCS" "$SAMPLES"
cp "$TMP/s1.swt" "$TMP/s2.swt"
. "$SRC/bench/facts.sh"
bench_facts "$SRC" "$BUILD" analyze
echo "sessions:   2 x $(wc -c <"$TMP/s1.swt") bytes, $PROCS processes x" \
	"$SAMPLES samples"
echo "load avg:   $(cut -d' ' -f1-3 /proc/loadavg) (before)"

ms() {	# ms CMD...: wall-clock milliseconds of CMD
	t0=$(date +%s%N)
	"$@" >/dev/null 2>&1 || true
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}

median() {	# median of the numbers on stdin
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

: >"$TMP/one"
: >"$TMP/diff"
: >"$TMP/diff1"
r=1
while [ "$r" -le "$RUNS" ]; do
	ms "$SWANALYZE" "$TMP/s1.swt" --report full -o /dev/null >>"$TMP/one"
	ms "$SWANALYZE" diff "$TMP/s1.swt" "$TMP/s2.swt" -o /dev/null \
		>>"$TMP/diff"
	ms "$SWANALYZE" diff -j 1 "$TMP/s1.swt" "$TMP/s2.swt" -o /dev/null \
		>>"$TMP/diff1"
	r=$((r + 1))
done
one=$(median <"$TMP/one")
diff=$(median <"$TMP/diff")
diff1=$(median <"$TMP/diff1")
echo "one_ms $one (runs: $(tr '\n' ' ' <"$TMP/one"))"
echo "diff_ms $diff (runs: $(tr '\n' ' ' <"$TMP/diff"))"
echo "diff_j1_ms $diff1 (runs: $(tr '\n' ' ' <"$TMP/diff1"))"
echo "ratio_diff_to_one $(awk "BEGIN { printf \"%.2f\", $diff / $one }")"
echo "ratio_diff_j1_to_one $(awk "BEGIN { printf \"%.2f\", $diff1 / $one }")"
echo "target_under_2x: $(awk "BEGIN { print ($diff < 2 * $one) ? \"pass\" : \"FAIL\" }")"
echo "load avg:   $(cut -d' ' -f1-3 /proc/loadavg) (after)"
