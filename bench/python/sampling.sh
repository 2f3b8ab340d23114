#!/bin/sh
# bench/python/sampling.sh — how close swtrace.py's sampled span CPU comes
# to what the modules burnt, on a quiet machine and beside bursty
# neighbours (docs/python.md, "Span sampling"). Each run is
# tests/python/prof_app.py sampling under a real swrec (3 000 rounds of
# "spin", busy 100 us, and "nap", asleep 100 us; one boundary in 32
# measured, swrec's default), analysed by swanalyze; it prints, per run,
# the CPU each module's code read inside itself (the truth, without the
# decorator's own few microseconds a call) and what the report says, and
# the ratio.
#
# Usage: bench/python/sampling.sh [RUNS [NEIGHBOURS]]
#   RUNS        runs per condition (default 5)
#   NEIGHBOURS  bursty Python loops beside the loaded runs (default 6:
#               busy 0.5-4 ms, then asleep 0.5-4 ms, at random)
#   BUILD_DIR   meson build directory (default: build-bench)
#   PURE        1: pure Python (default), 0: the accelerator
#   SAMPLE      SWT_TRACE_SPAN_SAMPLE (default 32; 1 measures every span)
#   BASE        another swanalyze (another tree's): its figure for spin
#               on the same file, in two more columns
set -eu

src=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$src/build-bench}
runs=${1:-5}
neigh=${2:-6}
pure=${PURE:-1}
sample=${SAMPLE:-32}
base=${BASE:-}

[ -d "$build" ] || meson setup "$build" >/dev/null
ninja -C "$build" record/swrec analyze/swanalyze >/dev/null
tmp=$(mktemp -d "${TMPDIR:-/tmp}/swt-bench-sampling.XXXXXX")
trap 'kill $(cat "$tmp/pids" 2>/dev/null) 2>/dev/null || true; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM HUP

cat >"$tmp/burst.py" <<'PY'
import random, sys, time
random.seed(int(sys.argv[1]))
while True:
    t = time.monotonic() + random.uniform(0.0005, 0.004)
    while time.monotonic() < t:
        pass
    time.sleep(random.uniform(0.0005, 0.004))
PY

one() {	# one run: prints "spin truth est ratio nap truth est ratio"
	out=$(cd "$tmp" && SWT_TRACE_PURE_PYTHON=$pure \
		SWT_TRACE_SPAN_SAMPLE=$sample \
		PYTHONPATH="$src/record/python:$build/record/python" \
		SWT_SWREC="$build/record/swrec" \
		SWT_SWANALYZE="$build/analyze/swanalyze" \
		python3 "$src/tests/python/prof_app.py" sampling 2>/dev/null |
		tail -n 1)
	path=$(printf '%s' "$out" | python3 -c \
		'import json, sys; print(json.load(sys.stdin)["path"])')
	"$build/analyze/swanalyze" "$path" --report full --format json \
		>"$tmp/rep.json"
	if [ -n "$base" ]; then
		"$base" "$path" --report full --format json >"$tmp/base.json"
	else
		echo '{"modules": []}' >"$tmp/base.json"
	fi
	printf '%s' "$out" | python3 -c '
import json, sys
i = json.load(sys.stdin)
def mods(f):
    return {x["name"]: x for x in json.load(open(f))["modules"]
            if x["kind"] == "module"}
m, b = mods(sys.argv[1]), mods(sys.argv[2])
row = ["%.3f %.3f %.2f" % (i[k + "_cpu_s"], m[k]["cpu_s"],
                           m[k]["cpu_s"] / i[k + "_cpu_s"])
       for k in ("spin", "nap")]
if "spin" in b:
    row.append("%.3f %.2f" % (b["spin"]["cpu_s"],
                              b["spin"]["cpu_s"] / i["spin_cpu_s"]))
print(" ".join(row))' "$tmp/rep.json" "$tmp/base.json"
	rm -f "$path"
}

echo "## swtrace.py sampled spans against the CPU burnt"
echo "command:    ${BUILD_DIR:+BUILD_DIR=$BUILD_DIR }${BASE:+BASE=$BASE }PURE=$pure SAMPLE=$sample sh bench/python/sampling.sh $runs $neigh"
. "$src/bench/facts.sh"
bench_facts "$src" "$build" record
echo "load avg:   $(cut -d' ' -f1-3 /proc/loadavg) (before)"
echo
if [ -n "$base" ]; then
	echo "| condition | run | spin truth s | spin report s | ratio | nap truth s | nap report s | ratio | spin, BASE s | ratio |"
	echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
else
	echo "| condition | run | spin truth s | spin report s | ratio | nap truth s | nap report s | ratio |"
	echo "|---|--:|--:|--:|--:|--:|--:|--:|"
fi
for cond in quiet loaded; do
	: >"$tmp/pids"
	if [ "$cond" = loaded ]; then
		k=1
		while [ "$k" -le "$neigh" ]; do
			python3 "$tmp/burst.py" "$k" &
			echo $! >>"$tmp/pids"
			k=$((k + 1))
		done
		sleep 1
	fi
	r=1
	while [ "$r" -le "$runs" ]; do
		set -- $(one)
		echo "| $cond | $r | $1 | $2 | $3 | $4 | $5 | $6 |${7:+ $7 | $8 |}"
		r=$((r + 1))
	done
	kill $(cat "$tmp/pids") 2>/dev/null || true
	wait 2>/dev/null || true
done
echo
echo "load avg:   $(cut -d' ' -f1-3 /proc/loadavg) (after)"
