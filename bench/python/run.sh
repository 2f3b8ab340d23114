#!/bin/sh
# bench/python/run.sh — per-event cost of swtrace.py under a real swrec,
# pure Python and with the _swtrace_fast accelerator, span measurements
# off (--no-span-cpu --no-span-rss), on (swrec's default: sampled, one
# boundary in 32 and the one after it) and on every span
# (SWT_TRACE_SPAN_SAMPLE=1), against a bare time.monotonic_ns() in the
# same run (docs/performance.md, "swtrace.py").
#
# Usage: bench/python/run.sh [--runs R] [bench_client.py options]
#   BUILD_DIR  meson build directory (default: build-bench)
#   PYTHON     the interpreter (default: /usr/bin/python3, the one the
#              accelerator is built for)
# Each of R runs (default 5) is a fresh swrec and Python process doing
# --reps repetitions; the table gives, per candidate, the median over all
# repetitions of all runs of ns per iteration, and the ratio to the bare
# clock read of the same repetition.
# Example: bench/python/run.sh --runs 5 --reps 5 --n 200000
set -eu

src=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$src/build-bench}
py=${PYTHON:-/usr/bin/python3}
runs=5
if [ "${1:-}" = "--runs" ]; then
	runs=$2
	shift 2
fi

[ -d "$build" ] || meson setup "$build" >/dev/null
ninja -C "$build" record/swrec >/dev/null
ninja -C "$build" >/dev/null	# the accelerator, if it can be built

out=$(mktemp -d "${TMPDIR:-/tmp}/swt-bench-python.XXXXXX")
trap 'rm -rf "$out"' EXIT
trap 'exit 130' INT TERM HUP PIPE

echo "## swtrace.py benchmark"
. "$src/bench/facts.sh"
bench_facts "$src" "$build" record
echo "python:     $($py -c 'import sys; print(sys.version.split()[0])') ($py)"
echo "load avg:   $(cut -d' ' -f1-3 /proc/loadavg) (before)"
echo "command:    swrec -q -o F [--no-span-cpu --no-span-rss] -- $py bench/python/bench_client.py $*"

export PYTHONPATH="$src/record/python:$build/record/python"
for i in $(seq "$runs"); do
	for path in accel pure; do
		pure=0
		[ $path = pure ] && pure=1
		for meas in off on every; do
			opt=""
			[ $meas = off ] && opt="--no-span-cpu --no-span-rss"
			sample=32
			[ $meas = every ] && sample=1
			f=$out/$path-$meas-$i
			# shellcheck disable=SC2086
			SWT_TRACE_SPAN_SAMPLE=$sample \
			SWT_TRACE_PURE_PYTHON=$pure "$build/record/swrec" -q \
				-o "$f.swt" $opt -- "$py" \
				"$src/bench/python/bench_client.py" "$@" \
				>"$f.jsonl"
			rm -f "$f.swt"
		done
	done
done
echo "load avg:   $(cut -d' ' -f1-3 /proc/loadavg) (after)"

"$py" - "$out" <<'PY'
import glob, json, os, statistics, sys
out = sys.argv[1]
def med(xs):
    return statistics.median(xs) if xs else float("nan")
print()
print("| path | span measurements | bare clock ns | count() ns | "
      "decorated call ns (over plain) | with module() ns (over empty) | "
      "per event: count / decorated / with | dropped |")
print("|---|---|---|---|---|---|---|---|")
for path in ("accel", "pure"):
    for meas in ("off", "on", "every"):
        rows, dropped, accel = [], 0, None
        for f in sorted(glob.glob(os.path.join(out, "%s-%s-*.jsonl"
                                                % (path, meas)))):
            for line in open(f):
                d = json.loads(line)
                if "rep" in d:
                    rows.append(d)
                else:
                    dropped += d["dropped"]
                    accel = d["accel"]
        if not rows:
            continue
        bare = med([r["bare"] for r in rows])
        cnt = med([r["count"] for r in rows])
        deco = med([r["deco"] - r["plain"] for r in rows])
        wth = med([r["with"] - r["empty"] for r in rows])
        name = "C accelerator" if accel else "pure Python"
        if path == "accel" and not accel:
            name = "(accelerator not importable: pure Python)"
        print("| %s | %s | %.0f | %.0f (%.1f× clock) | %.0f | %.0f | "
              "%.0f / %.0f / %.0f | %d |"
              % (name, meas, bare, cnt, cnt / bare, deco, wth,
                 cnt, deco / 2, wth / 2, dropped))
print()
print("(medians over %d repetitions per row; ns per iteration in process "
      "CPU time, the recorder's taking every event included)" % len(rows))
PY
