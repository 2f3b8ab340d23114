#!/bin/sh
# bench/analyze/run.sh — build and run the swanalyze benchmark, with the
# machine facts that the figures depend on (docs/performance.md,
# "swanalyze").
#
# Usage: bench/analyze/run.sh [RUNS]      (default 7 repetitions)
#   BUILD_DIR  meson build directory (default: build-bench in the source
#              tree; needs subdir('analyze') in bench/meson.build)
#   PROCS, SAMPLES  the session's size (default 500 processes x 3600 s)
set -eu

src=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$src/build-bench}
runs=${1:-7}
procs=${PROCS:-500}
samples=${SAMPLES:-3600}

[ -d "$build" ] || meson setup "$build" >/dev/null
ninja -C "$build" bench/analyze/swt-bench-analyze \
	bench/analyze/swt-bench-mkfixture analyze/swanalyze >/dev/null

out=$(mktemp -d "${TMPDIR:-/tmp}/swt-bench-analyze.XXXXXX")
trap 'rm -rf "$out"' EXIT
trap 'exit 130' INT TERM HUP PIPE	# so that EXIT runs too
session=$out/bench-${procs}x${samples}.swt
"$build/bench/analyze/swt-bench-mkfixture" bench "$session" "$procs" \
	"$samples"

echo "## swanalyze benchmark"
. "$src/bench/facts.sh"
bench_facts "$src" "$build" analyze
echo "libzstd:    $(pkg-config --modversion libzstd)," \
	"protobuf-c $(pkg-config --modversion libprotobuf-c)"
echo "file:       $(wc -c <"$session") bytes"
echo "load avg:   $(cut -d' ' -f1-3 /proc/loadavg) (before)"
status=0
"$build/bench/analyze/swt-bench-analyze" "$session" \
	"$build/analyze/swanalyze" "$runs" || status=$?
echo "load avg:   $(cut -d' ' -f1-3 /proc/loadavg) (after)"
exit $status
