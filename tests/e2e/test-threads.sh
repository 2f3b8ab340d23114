# Short-lived threads (docs/analysis.md § 2.1): a program that runs each
# task on a thread of its own (tests/apps/thread_jobs.c: threads named
# "job", 20 ms of CPU each, one after another) is recorded by swrec; the
# threads live between its samples, and their CPU reaches the thread
# module "job" by their exit records (swrec writes a last row of each
# exited thread in the next sample). Most of the process's CPU must be the
# thread module's — all of it but what the threads burnt after the last
# sample — and never more. Before, the module had a sixth of it. With the
# default sources (BPF where it loads), with taskstats exit records
# (--proc-events=connector) and with the /proc sampler. Needs root (exit
# records); skipped otherwise. Then threads busy until their process
# exits: the process's exit record brings their CPU after the last sample
# (and, for a command shorter than an interval, its thread modules).
#
#   sh test-threads.sh SWREC SWANALYZE THREAD_JOBS PYTHON3 TMPDIR
#
# TAP; works only inside TMPDIR, which it empties first.
set -u
. "$(dirname "$0")/../tap-core.sh"

tap_args 5 "$0 SWREC SWANALYZE THREAD_JOBS PYTHON3 TMPDIR" "$@"
SWREC=$1
SWANALYZE=$2
JOBS=$3
PY=$4
T=$5
tap_sandbox

if [ "$(id -u)" -ne 0 ]; then
	for v in default connector proc; do
		for w in "the thread module has its threads' CPU" \
			"busy threads' CPU to their exit" \
			"a short command's thread modules from its exit"; do
			skip "$v: $w" "exit records need root"
		done
	done
	done_testing
fi

# share V WHAT JSON MIN_SAMPLES THREAD MIN_SHARE MIN_CPU_S: thread module
# THREAD of the session JSON has at least MIN_SHARE of the CPU of process
# thread_jobs (of at least MIN_CPU_S), never more than it. A machine
# loaded enough to starve swrec for the whole run leaves no samples of the
# program to tell its threads by (a chroot run beside a CI run once had 2
# samples, 9 missed): skipped below MIN_SAMPLES process samples.
share() {
	ps=$("$PY" -c 'import json, sys
print(json.load(open(sys.argv[1]))["session"]["process_samples"])' "$3")
	if [ "${ps:-0}" -lt "$4" ]; then
		skip "$1: $2" "swrec was starved: $ps samples of the program"
		return
	fi
	check "$1: $2" "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
name, low, least = sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
m = {(x["kind"], x["name"]): x for x in d["modules"]}
p = m[("process", "thread_jobs")]["cpu_s"]
j = m.get(("thread", name), {"cpu_s": 0})["cpu_s"]
print("# process %.3f s, thread module %s %.3f s" % (p, name, j))
assert p > least, "the process burnt too little to tell"
assert j >= low * p, "%s has %.3f s of its process %.3f s" % (name, j, p)
assert j <= p + 0.011, "%s has more than its process" % name
' "$3" "$5" "$6" "$7"
}

# busy V NAME DURATION_MS N: swrec ($opt) at 1 s of thread_jobs DURATION_MS
# busy N into $T/V-NAME.swt, analysed into $T/V-NAME.json.
busy() {
	# shellcheck disable=SC2086
	run "$SWREC" -q $opt -i 1s -o "$T/$1-$2.swt" -- "$JOBS" "$3" busy "$4"
	check "$1: swrec records thread_jobs $3 busy $4" eval \
		'[ "$rc" -eq 0 ] && grep -q "^jobs '"$4"' cpu_ms" "$T/out"'
	run "$SWANALYZE" "$T/$1-$2.swt" --report full --format json \
		-o "$T/$1-$2.json"
	check "$1: swanalyze reads the $2 session" [ "$rc" -eq 0 ]
}

for v in default connector proc; do
	case $v in
	default) opt= ;;
	connector) opt=--proc-events=connector ;;
	proc) opt=--sampler=proc ;;
	esac
	# shellcheck disable=SC2086
	run "$SWREC" -q $opt -i 250ms -o "$T/$v.swt" -- "$JOBS" 2000 20
	check "$v: swrec records thread_jobs" eval '[ "$rc" -eq 0 ] &&
		grep -q "^jobs [1-9][0-9]* cpu_ms" "$T/out"'
	run "$SWANALYZE" "$T/$v.swt" --report full --format json \
		-o "$T/$v.json"
	check "$v: swanalyze reads it" [ "$rc" -eq 0 ]
	if ! grep -q '"exit_records": true' "$T/$v.json"; then
		for w in "the thread module has its threads' CPU" \
			"busy threads' CPU to their exit" \
			"a short command's thread modules from its exit"; do
			skip "$v: $w" \
				"no exit records in this session (taskstats or BPF)"
		done
		continue
	fi
	# (what the last job burnt after the last sample, at most an interval
	# of the 2 s, is no thread row: its process is gone by the next
	# sample; 95-99 % here, a loaded machine may give the process its CPU
	# late; without the last rows, 14 %)
	share "$v" "the thread module has its threads' CPU" "$T/$v.json" 4 \
		job 0.6 0.02

	# Threads busy until their process exits (thread_jobs DURATION busy
	# N): their CPU after the last sample comes with the process's exit
	# record (format 1.10). At 1 s over 1.8 s the module "busy" had 55 %
	# of the process before; now all of it, never more.
	busy "$v" busy 1800 2
	share "$v" "busy threads' CPU to their exit" "$T/$v-busy.json" 2 \
		busy 0.95 0.5

	# The same, shorter than an interval: sampled once, before it had
	# threads (no thread row), its thread modules come from the ends in
	# its exit record; they have its CPU after that one sample (nearly
	# all: it comes right after the launch; a loaded machine may take it
	# later). Before, it had no thread module at all. (24 threads: more
	# ends than swrec's first room for them; their names were once read
	# after it grew, which ASan runs of this test catch.)
	busy "$v" short 400 24
	share "$v" "a short command's thread modules from its exit" \
		"$T/$v-short.json" 1 busy 0.5 0.1
done
done_testing
