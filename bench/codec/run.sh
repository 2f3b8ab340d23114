#!/bin/sh
# bench/codec/run.sh — build and run the codec benchmark, with the machine
# facts that the figures depend on (docs/performance.md, "Session file
# codec").
#
# Usage: bench/codec/run.sh [swt-bench-codec options]
#   BUILD_DIR  meson build directory (default: build-bench in the source tree)
#   OUT_DIR    where the session files are written (default: a new
#              directory under ${TMPDIR:-/tmp}, removed afterwards)
# Example: bench/codec/run.sh --reps 7
set -eu

src=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$src/build-bench}

[ -d "$build" ] || meson setup "$build" >/dev/null
exe=$build/bench/swt-bench-codec
ninja -C "$build" bench/swt-bench-codec >/dev/null

if [ -n "${OUT_DIR:-}" ]; then
	out=$OUT_DIR
	mkdir -p "$out"
else
	out=$(mktemp -d "${TMPDIR:-/tmp}/swt-bench-codec.XXXXXX")
	trap 'rm -rf "$out"' EXIT
	trap 'exit 130' INT TERM HUP PIPE	# so that EXIT runs too
fi

echo "## swt codec benchmark"
. "$src/bench/facts.sh"
bench_facts "$src" "$build" proto
echo "zstd:       $(zstd --version | sed 's/^\*\*\* //; s/, by.*//')," \
	"libzstd $(pkg-config --modversion libzstd)," \
	"protobuf-c $(pkg-config --modversion libprotobuf-c)"
echo "files in:   $out ($(findmnt -no FSTYPE -T "$out" 2>/dev/null ||
	stat -f -c %T "$out"))"
echo "load avg:   $(cut -d' ' -f1-3 /proc/loadavg) (before)"
echo "command:    $exe --dir $out $*"

"$exe" --dir "$out" "$@"

echo "load avg:   $(cut -d' ' -f1-3 /proc/loadavg) (after)"
