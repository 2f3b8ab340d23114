#!/bin/sh
# run.sh — does `swanalyze diff` find a real 10 % regression, and stay quiet
# about identical workloads and about a contended runner, on this machine
# while another load runs? (issue 13; results in docs/ci.md)
#
#   sh bench/diff/run.sh BUILD [TRIALS [MILLIONS]]
#
# BUILD: a build directory of this tree (release, for the figures).
# A CPU-bound program (bench/diff/work.c, MILLIONS million iterations,
# default 600: about 0.7 s) is recorded by swrec at 0.1 s, base and new
# runs alternated, while one busy loop competes for the two cores:
#   detection   TRIALS comparisons of 5 base runs against 5 runs with 10 %
#               more work: each should call the program a regression;
#   identical   TRIALS comparisons of 5 against 5 runs of the same work:
#               none should find any regression (exit 1);
#   contended   5 quiet base runs against 5 runs of the same work, each
#               beside two more busy loops: marked contended, no
#               regression.
# Prints one line per comparison: the program's CPU-seconds verdict, the
# diff's exit status, which side was contended, each side's median
# contention (%), the change of the program's CPU, the regressions and the
# changes left inconclusive for contention; then the rates. TRIALS
# defaults to 10.
set -eu

BUILD=${1:?usage: run.sh BUILD [TRIALS [MILLIONS]]}
TRIALS=${2:-10}
W=${3:-600}
W10=$((W + W / 10))
SWREC=$BUILD/record/swrec
SWANALYZE=$BUILD/analyze/swanalyze
WORK=$BUILD/bench/diff/swt-bench-diff-work
TMP=$(mktemp -d)
BUSY=""
cleanup() {
	# shellcheck disable=SC2086
	[ -n "$BUSY" ] && kill $BUSY 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

busy() {	# start one busy loop, its pid appended to BUSY
	sh -c 'while :; do :; done' &
	BUSY="$BUSY $!"
}

rec() {	# rec FILE MILLIONS
	"$SWREC" -q -i 0.1 -o "$1" -- "$WORK" "$2" >/dev/null
}

# verdict of the program's CPU seconds, and the diff's exit status
judge() {	# judge NAME -> prints "verdict status contended"
	set +e
	"$SWANALYZE" diff --base "$TMP"/b-*.swt --new "$TMP"/n-*.swt \
		-f json -o "$TMP/$1.json" 2>/dev/null
	st=$?
	set -e
	python3 - "$TMP/$1.json" "$st" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
v = [m for m in d["metrics"]
     if m["kind"] == "process" and m["name"].startswith("swt-bench-diff")
     and m["metric"] == "cpu_s"]
print(v[0]["verdict"] if v else "missing", sys.argv[2],
      d["diff"]["contended"], d["diff"]["base_contention_percent"],
      d["diff"]["new_contention_percent"],
      "%+.1f%%" % v[0]["change_percent"] if v else "",
      "regressions=%d" % d["diff"]["regressions"],
      "contended_changes=%d" % d["diff"]["contended_changes"])
PY
}

pair() {	# pair BASE_WORK NEW_WORK [contended]
	rm -f "$TMP"/b-*.swt "$TMP"/n-*.swt
	for k in 1 2 3 4 5; do
		rec "$TMP/b-$k.swt" "$1"
		if [ "${3:-}" = contended ]; then
			sh -c 'while :; do :; done' &
			l1=$!
			sh -c 'while :; do :; done' &
			l2=$!
			rec "$TMP/n-$k.swt" "$2"
			kill "$l1" "$l2"
			wait "$l1" "$l2" 2>/dev/null || true
		else
			rec "$TMP/n-$k.swt" "$2"
		fi
	done
}

SRC=$(cd "$(dirname "$0")/../.." && pwd)
. "$SRC/bench/facts.sh"
bench_facts "$SRC" "$BUILD" analyze
echo "work: $W million iterations (new: $W10), 5 + 5 runs a comparison,"
echo "one competing busy loop throughout; swrec -i 0.1"
busy
det=0
fp=0
echo "== detection (10 % more work)"
t=1
while [ "$t" -le "$TRIALS" ]; do
	pair "$W" "$W10"
	line=$(judge "det-$t")
	echo "trial $t: $line"
	case $line in regression*) det=$((det + 1)) ;; esac
	t=$((t + 1))
done
echo "== identical workloads"
t=1
while [ "$t" -le "$TRIALS" ]; do
	pair "$W" "$W"
	line=$(judge "same-$t")
	echo "trial $t: $line"
	# any regression at all (exit status 1) is a false positive
	case $line in *" 1 "*) fp=$((fp + 1)) ;; esac
	t=$((t + 1))
done
echo "== contended new runs (two more busy loops beside each)"
pair "$W" "$W" contended
echo "contended: $(judge contended)"
echo "detected $det of $TRIALS; false positives $fp of $TRIALS"
