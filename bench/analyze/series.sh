#!/bin/sh
# bench/analyze/series.sh — what the series over time (issue 15) cost:
# swanalyze --report full on a 24 h, 1 000-process session, a build of the
# commit before them (BASE, a release build of it) against this tree's
# (BUILD_DIR, release), alternated (docs/performance.md, "Over time").
#
# Usage: BASE=/path/to/base/build-rel bench/analyze/series.sh [RUNS]
set -eu

src=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$src/build-rel}
base=${BASE:?BASE: the release build directory of the commit before}
runs=${1:-3}
[ -d "$build" ] || meson setup "$build" --buildtype=release >/dev/null
ninja -C "$build" analyze/swanalyze bench/analyze/swt-bench-mkfixture >/dev/null
out=$(mktemp -d "${TMPDIR:-/tmp}/swt-bench-series.XXXXXX")
trap 'rm -rf "$out"' EXIT
trap 'exit 130' INT TERM HUP PIPE
S=$out/bench-1000x86400.swt
"$build/bench/analyze/swt-bench-mkfixture" bench "$S" 1000 86400
echo "load avg: $(cut -d' ' -f1-3 /proc/loadavg) (before)"
i=1
while [ "$i" -le "$runs" ]; do
	for b in base series; do
		if [ "$b" = base ]; then x=$base; else x=$build; fi
		/usr/bin/time -f "$b run $i: %U user %S sys %M KiB" \
			"$x/analyze/swanalyze" "$S" --report full -o "$out/$b.txt"
	done
	i=$((i + 1))
done
echo "load avg: $(cut -d' ' -f1-3 /proc/loadavg) (after)"
