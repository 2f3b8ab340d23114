#!/bin/sh
# bench/client/run.sh — build and run the libswtrace benchmark, with the
# machine facts the figures depend on (docs/performance.md, "libswtrace").
#
# Usage: bench/client/run.sh [swt-bench-client options]
#   BUILD_DIR  meson build directory (default: build-bench in the source tree)
#   OUT_DIR    where the session file of the sustained runs is written
#              (default: a new directory under ${TMPDIR:-/tmp}, removed
#              afterwards)
# Example: bench/client/run.sh --reps 9 --seconds 5
set -eu

src=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$src/build-bench}

[ -d "$build" ] || meson setup "$build" >/dev/null
exe=$build/bench/client/swt-bench-client
ninja -C "$build" bench/client/swt-bench-client >/dev/null

if [ -n "${OUT_DIR:-}" ]; then
	out=$OUT_DIR
	mkdir -p "$out"
else
	out=$(mktemp -d "${TMPDIR:-/tmp}/swt-bench-client.XXXXXX")
	trap 'rm -rf "$out"' EXIT
	trap 'exit 130' INT TERM HUP PIPE	# so that EXIT runs too
fi

echo "## libswtrace benchmark"
. "$src/bench/facts.sh"
bench_facts "$src" "$build" record
echo "clocksource: $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null || echo unknown) (available: $(cat /sys/devices/system/clocksource/clocksource0/available_clocksource 2>/dev/null))"
echo "tsc flags:  $(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(constant_tsc|nonstop_tsc|tsc_reliable|tsc_known_freq)$' | tr '\n' ' ')"
echo "load avg:   $(cut -d' ' -f1-3 /proc/loadavg) (before)"
echo "command:    $exe --file $out/bench.swt $*"

"$exe" --file "$out/bench.swt" "$@"

echo "load avg:   $(cut -d' ' -f1-3 /proc/loadavg) (after)"
