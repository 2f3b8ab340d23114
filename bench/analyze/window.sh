#!/bin/sh
# bench/analyze/window.sh — swanalyze --from/--to on a long session: the
# time of a one-hour window against reading the whole file, in one run,
# alternated (docs/performance.md, "Windows").
#
# Usage: bench/analyze/window.sh [RUNS]       (default 3)
#   BUILD_DIR  meson build directory (default: build-bench, release)
#   PROCS, SAMPLES  the session (default 1000 processes x 86400 s = 24 h)
#   FROM, TO   the window (default 12h .. 13h)
set -eu

src=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$src/build-bench}
runs=${1:-3}
procs=${PROCS:-1000}
samples=${SAMPLES:-86400}
from=${FROM:-12h}
to=${TO:-13h}

[ -x /usr/bin/time ] || { echo "window.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
[ -d "$build" ] || meson setup "$build" --buildtype=release >/dev/null
ninja -C "$build" bench/analyze/swt-bench-mkfixture analyze/swanalyze \
	>/dev/null

out=$(mktemp -d "${TMPDIR:-/tmp}/swt-bench-window.XXXXXX")
trap 'rm -rf "$out"' EXIT
trap 'exit 130' INT TERM HUP PIPE
session=$out/bench-${procs}x${samples}.swt
"$build/bench/analyze/swt-bench-mkfixture" bench "$session" "$procs" \
	"$samples"

echo "## swanalyze --from/--to benchmark"
. "$src/bench/facts.sh"
bench_facts "$src" "$build" analyze
echo "file:       $(wc -c <"$session") bytes, $procs processes x $samples s"
echo "window:     --from $from --to $to"
echo "load avg:   $(cut -d' ' -f1-3 /proc/loadavg) (before)"

# seconds of CPU (user + system) of one swanalyze run
cpu() {
	/usr/bin/time -f "%U %S %e" -o "$out/t" "$build/analyze/swanalyze" \
		"$session" --report full -o /dev/null "$@" || true
	awk '{ printf "%.3f %.3f\n", $1 + $2, $3 }' "$out/t"
}

whole=""
win=""
i=1
while [ "$i" -le "$runs" ]; do
	w=$(cpu)
	x=$(cpu --from "$from" --to "$to")
	echo "run $i: whole file ${w% *} s CPU (${w#* } s wall)," \
		"window ${x% *} s CPU (${x#* } s wall)"
	whole="$whole ${w% *}"
	win="$win ${x% *}"
	i=$((i + 1))
done
median() { echo "$@" | tr ' ' '\n' | sort -n | awk '{ a[NR] = $1 }
	END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
mw=$(median $whole)
mx=$(median $win)
echo "median:     whole $mw s, window $mx s CPU:" \
	"$(awk -v a="$mx" -v b="$mw" 'BEGIN { printf "%.2f %%", 100 * a / b }')" \
	"of the whole"
echo "load avg:   $(cut -d' ' -f1-3 /proc/loadavg) (after)"
