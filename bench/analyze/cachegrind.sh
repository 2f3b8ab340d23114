#!/bin/sh
# bench/analyze/cachegrind.sh — swanalyze under valgrind's cachegrind: the
# instructions and the level-1 data cache misses of one analysis, counted
# rather than timed (docs/performance.md, "The rows that changed"). On a
# machine shared with others, wall times move by 20 % from one run to the
# next; these counts do not move at all, and tell a change that saves 5 %
# from noise. They are not times: a miss that L2 serves costs far less than
# one that goes to memory, and cachegrind runs one thread at a time.
#
# Usage: bench/analyze/cachegrind.sh
#   BUILD_DIR  meson build directory (default: build-bench, release)
#   BASE       a baseline swanalyze binary (another tree's), counted too
#   SESSION    an existing session to use (else one is written)
#   PROCS, SAMPLES  the session written (default 1000 processes x 7200 s
#              = 2 h, 9 MB: about 40 s under cachegrind)
#   THREADS    swanalyze --threads (default 1)
set -eu

src=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$src/build-bench}
procs=${PROCS:-1000}
samples=${SAMPLES:-7200}
threads=${THREADS:-1}
base=${BASE:-}

command -v valgrind >/dev/null || {
	echo "cachegrind.sh: needs valgrind (apt-get install valgrind)" >&2
	exit 2
}
[ -d "$build" ] || meson setup "$build" --buildtype=release >/dev/null
ninja -C "$build" bench/analyze/swt-bench-mkfixture analyze/swanalyze \
	>/dev/null

out=$(mktemp -d "${TMPDIR:-/tmp}/swt-bench-cg.XXXXXX")
trap 'rm -rf "$out"' EXIT
trap 'exit 130' INT TERM HUP PIPE
. "$src/bench/facts.sh"
session=$(bench_session "$build" "$out" "$procs" "$samples")

echo "## swanalyze under cachegrind"
echo "command:    ${BUILD_DIR:+BUILD_DIR=$BUILD_DIR }${BASE:+BASE=$BASE }${SESSION:+SESSION=$SESSION }${THREADS:+THREADS=$THREADS }sh bench/analyze/cachegrind.sh"
bench_facts "$src" "$build" analyze
echo "file:       $session, $(wc -c <"$session") bytes"
echo "valgrind:   $(valgrind --version)"

# count NAME BINARY: its instructions, data reads and writes, D1 misses and
# its ten costliest functions
count() {
	valgrind --tool=cachegrind --cache-sim=yes \
		--cachegrind-out-file="$out/cg.$1" "$2" "$session" \
		--report full -o "$out/r.$1" --threads "$threads" \
		2>"$out/log.$1" || {
		echo "cachegrind.sh: $1 failed:" >&2
		tail -n 5 "$out/log.$1" >&2
		exit 1
	}
	printf '%s: %s\n' "$1" "$(sed -n \
		's/^==[0-9]*== \(I   refs\|D1  misses\):  *\([0-9,]*\).*/\1 \2;/p' \
		"$out/log.$1" | tr -s ' ' | tr '\n' ' ')"
	cg_annotate "$out/cg.$1" 2>/dev/null |
		sed -n 's/^ *\([0-9,][0-9,]*\) ([^)]*) *[0-9,]* .*[:]\([a-z_A-Z0-9.]*\)$/\1 \2/p' |
		sed -n '1,10p' | sed 's/^/    /'
}

count this "$build/analyze/swanalyze"
if [ -n "$base" ]; then
	count baseline "$base"
	cmp -s "$out/r.this" "$out/r.baseline" || {
		echo "cachegrind.sh: the report differs from the baseline's" >&2
		exit 1
	}
	echo "reports:    identical"
fi
