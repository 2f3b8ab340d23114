#!/bin/sh
# bench/rec/pidwrap.sh — the sampler and swrec suites with the pid counter
# placed at a series of starting points, across the wrap at pid_max.
#
#   bench/rec/pidwrap.sh [BUILD_DIR]          (default: build)
#
#   SAMPLER_POINTS  where the counter is placed before each run of
#                   tests/rec/test_sampler (default: 32600 to 32767 by 8,
#                   32767, and 300 1000 10000 20000)
#   REC_POINTS      the same for tests/rec/test_swrec, the real swrec
#                   binary (≈ 30 s a run; default: 32600 to 32767 by 24,
#                   32767, and 300 10000)
#   REPS            runs at each point (default 1)
#
# Needs root: it writes /proc/sys/kernel/ns_last_pid (the last pid handed
# out in this pid namespace; the next process or thread gets the first
# free id after it, wrapping from pid_max - 1 to 300). It never writes
# pid_max. Other processes of the machine share the counter: they only
# take ids from where it was placed, and they move it between the write
# and the test's first fork (so a point is where a run starts, give or
# take a few ids).
#
# The test binaries are run directly, not through meson test, so that the
# counter is placed just before they start. Prints a line per run (point,
# suite, ok/fail counts, failed test names, the counter after the run)
# and a summary; exits 1 if any run failed.
set -u

build=${1:-build}
last_pid=/proc/sys/kernel/ns_last_pid
pid_max=$(cat /proc/sys/kernel/pid_max)

if [ ! -w "$last_pid" ]; then
	echo "pidwrap.sh: $last_pid not writable (run as root)" >&2
	exit 2
fi
for f in tests/rec/test_sampler tests/rec/test_swrec record/swrec \
	 tests/rec/rec_workload; do
	if [ ! -x "$build/$f" ]; then
		echo "pidwrap.sh: no $build/$f (meson compile -C $build)" >&2
		exit 2
	fi
done

span() {	# span FROM TO STEP: FROM, FROM+STEP, ... up to TO, and TO
	seq "$1" "$3" "$2"
	echo "$2"
}
max1=$((pid_max - 1))
SAMPLER_POINTS=${SAMPLER_POINTS:-$(span $((pid_max - 168)) $max1 8 | sort -un | tr '\n' ' ') 300 1000 10000 20000}
REC_POINTS=${REC_POINTS:-$(span $((pid_max - 168)) $max1 24 | sort -un | tr '\n' ' ') 300 10000}
REPS=${REPS:-1}

log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT
runs=0
failed_runs=0

# run SUITE POINT CMD...: one run with the counter placed at POINT
run() {
	suite=$1
	point=$2
	shift 2
	out="$log/run.tap"
	echo "$point" > "$last_pid"
	CMOCKA_MESSAGE_OUTPUT=TAP "$@" > "$out" 2>&1
	rc=$?
	after=$(cat "$last_pid")
	ok=$(grep -c '^ok ' "$out")
	notok=$(grep -c '^not ok ' "$out")
	skipped=$(grep -c '^ok .*# SKIP' "$out")
	names=$(grep '^not ok ' "$out" | sed 's/^not ok [0-9]* - //' |
		tr '\n' ' ')
	runs=$((runs + 1))
	if [ "$rc" -ne 0 ] || [ "$notok" -ne 0 ]; then
		failed_runs=$((failed_runs + 1))
		echo "$point $suite FAIL rc=$rc ok=$ok not_ok=$notok" \
		     "skipped=$skipped counter_after=$after: $names"
		grep -A3 '^not ok ' "$out" | sed 's/^/    /'
	else
		echo "$point $suite ok ok=$ok skipped=$skipped" \
		     "counter_after=$after"
	fi
	printf '%s\n' "$suite $point $rc $ok $notok $skipped" >> "$log/all"
}

echo "# pid_max $pid_max; sampler points: $SAMPLER_POINTS"
echo "# swrec points: $REC_POINTS; $REPS run(s) each"
rep=0
while [ "$rep" -lt "$REPS" ]; do
	for p in $SAMPLER_POINTS; do
		run sampler "$p" "$build/tests/rec/test_sampler"
	done
	for p in $REC_POINTS; do
		run swrec "$p" "$build/tests/rec/test_swrec" \
		    "$build/record/swrec" "$build/tests/rec/rec_workload"
	done
	rep=$((rep + 1))
done
for s in sampler swrec; do
	awk -v s="$s" '$1 == s { n++; if ($3 != 0 || $5 != 0) f++;
			   tests += $4 + $5; bad += $5; sk += $6 }
		END { printf "# %s: %d runs, %d failed; %d test results, " \
			     "%d not ok, %d skipped\n", s, n, f, tests, bad, sk }' \
		"$log/all"
done
[ "$failed_runs" -eq 0 ]
