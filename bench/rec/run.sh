#!/bin/sh
# bench/rec/run.sh — swrec against atop, pidstat and a bare pread floor.
#
#   bench/rec/run.sh [BUILD_DIR [WINDOW_S [COUNTS [INTERVALS [THREADS]]]]]
#   (defaults: build-rec2, 30, "50 500", "1 0.1", "1")
#
# For each number of threads per process T, process count N (idle
# processes, plus two busy ones and one whose memory grows, each with T
# threads: bench_workload.c) and interval, this starts, at once and on the
# same workload (the same run):
#
#   swrec-tree       swrec -p WORKLOAD --no-threads   the tree, N+4 processes
#   swrec-threads    swrec -p WORKLOAD                the tree, with threads
#   swrec-all        swrec -a --no-threads            the machine
#   floor            pread of stat+statm, kept fds   the tree
#   floor-threads    pread of task/TID/stat          the tree's threads
#   atop             atop -w FILE 1                   the machine  (1 s only)
#   pidstat          pidstat -p ALL 1 > /dev/null     the machine  (1 s only)
#
# and, for each NAME=PATH of SWREC_EXTRA (other swrec binaries: an earlier
# build, variants, to compare in the same run):
#
#   swrec-threads-NAME  PATH -p WORKLOAD             the tree, with threads
#
# (a NAME=PATH can be a script that execs swrec with an option, e.g.
# `exec build/record/swrec --libproc2-scans "$@"`: exec keeps the pid).
#
# SWREC_FORKS=F[:LIFE_MS] adds to the workload a process that forks F
# short-lived children a second (each lives LIFE_MS, default 200 ms), so
# that the recorders list /proc and read new pids at every tick.
#
# atop and pidstat take whole seconds only, so they run at 1 s alone. After
# a warm-up, each tool's CPU time is taken from /proc/PID/schedstat over
# WINDOW_S seconds (not from its first and last seconds) and divided by the
# process-samples it took in that window: processes x ticks for the floors
# and the peers, the process rows of its file for swrec (a recorder starved
# of CPU skips deadlines: "ticks taken" says how many it took). Peak RSS is
# VmHWM at the end (VmRSS then is in the notes below the table); bytes are
# what the file grew by in the window.
#
# Prints the machine, then one Markdown table row per tool and setting.
# Needs no root; atop and sysstat come from scripts/setup-debian.sh
# --bench. Do not run two benchmarks at once on a 2-core machine.
set -eu

BUILD=${1:-build-rec2}
WINDOW=${2:-30}
COUNTS=${3:-"50 500"}
INTERVALS=${4:-"1 0.1"}
THREADS=${5:-1}
WARMUP=5
EXTRA=${SWREC_EXTRA:-}
FORKS=${SWREC_FORKS:-0}
FORK_RATE=${FORKS%%:*}
FORK_LIFE=200
case $FORKS in *:*) FORK_LIFE=${FORKS#*:} ;; esac
EXTRA_FILES=
for e in $EXTRA; do
	EXTRA_FILES="$EXTRA_FILES x-${e%%=*}"
done

SWREC=$BUILD/record/swrec
WORKLOAD=$BUILD/bench/rec/swt-bench-rec-workload
FLOOR=$BUILD/bench/rec/swt-bench-rec-floor
COST=$BUILD/bench/rec/swt-bench-rec-cost
for f in "$SWREC" "$WORKLOAD" "$FLOOR" "$COST"; do
	[ -x "$f" ] || { echo "run.sh: $f missing: ninja -C $BUILD" >&2; exit 2; }
done
for e in $EXTRA; do
	[ -x "${e#*=}" ] || { echo "run.sh: ${e#*=} missing (SWREC_EXTRA)" >&2; exit 2; }
done
command -v atop >/dev/null && command -v pidstat >/dev/null || {
	echo "run.sh: atop and pidstat needed (scripts/setup-debian.sh --bench)" >&2
	exit 2
}

TMP=$(mktemp -d /tmp/swt-bench-rec.XXXXXX)
WPID=
cleanup() {
	for p in $(cat "$TMP"/pids 2>/dev/null); do
		kill -TERM "$p" 2>/dev/null || true
	done
	[ -n "$WPID" ] && kill -TERM "$WPID" 2>/dev/null || true
	sleep 1
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

cpu_ns() { cut -d' ' -f1 "/proc/$1/schedstat"; }
hwm_kib() { awk '/^VmHWM/ { print $2 }' "/proc/$1/status"; }
rss_kib() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
size_of() { if [ -e "$1" ]; then stat -c %s "$1"; else echo 0; fi; }
nprocs() { ls /proc | grep -c '^[0-9][0-9]*$'; }

. "$(dirname "$0")/../facts.sh"
bench_facts "$(dirname "$0")/../.." "$BUILD" record | sed 's/^/# /'
echo "# machine: $(nproc) CPUs, $(uname -r), $(awk '/MemTotal/ {print $2}' /proc/meminfo) KiB;" \
	"load before: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ)"
echo "# window ${WINDOW}s after ${WARMUP}s warm-up; cost = CPU / (processes x ticks)"
[ "$FORK_RATE" != 0 ] && echo "# workload forks $FORK_RATE children/s, each living ${FORK_LIFE} ms"
for e in $EXTRA; do
	echo "# swrec-threads-${e%%=*}: ${e#*=}"
done
echo
echo "| T | N | interval | tool | processes | ticks taken | CPU % of a core | µs per process-sample | x floor | peak RSS KiB | bytes per process-sample |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"

for T in $THREADS; do
for N in $COUNTS; do
	rm -f "$TMP/ready"
	"$WORKLOAD" "$N" "$T" "$FORK_RATE" "$FORK_LIFE" > "$TMP/ready" &
	WPID=$!
	while ! grep -q ready "$TMP/ready" 2>/dev/null; do sleep 0.1; done
	TREE="$WPID $(ps -o pid= --ppid "$WPID" | tr -d ' ' | tr '\n' ' ')"
	NTREE=$(echo $TREE | wc -w)
	# every process of the tree has all its threads before the tools start
	for p in $TREE; do
		[ "$p" = "$WPID" ] && continue
		while [ "$(ls "/proc/$p/task" | wc -l)" -lt "$T" ]; do sleep 0.1; done
	done
	NTHR=0
	for p in $TREE; do
		NTHR=$((NTHR + $(ls "/proc/$p/task" | wc -l)))
	done
	for I in $INTERVALS; do
		MS=$(awk -v i="$I" 'BEGIN { printf "%d", i * 1000 }')
		: > "$TMP/pids"
		rm -f "$TMP"/*.swt "$TMP"/atop.raw
		start() { # name command...
			name=$1
			shift
			"$@" > "$TMP/$name.out" 2>&1 &
			echo "$name $!" >> "$TMP/tools"
			echo "$!" >> "$TMP/pids"
		}
		: > "$TMP/tools"
		start swrec-tree "$SWREC" -q -o "$TMP/tree.swt" --no-threads -i "$I" -p "$WPID"
		start swrec-threads "$SWREC" -q -o "$TMP/threads.swt" -i "$I" -p "$WPID"
		for e in $EXTRA; do
			start "swrec-threads-${e%%=*}" "${e#*=}" -q -o "$TMP/x-${e%%=*}.swt" -i "$I" -p "$WPID"
		done
		start swrec-all "$SWREC" -q -o "$TMP/all.swt" --no-threads -i "$I" -a
		# shellcheck disable=SC2086
		start floor "$FLOOR" "$MS" $TREE
		# shellcheck disable=SC2086
		start floor-threads "$FLOOR" -t "$MS" $TREE
		if [ "$I" = 1 ]; then
			start atop atop -w "$TMP/atop.raw" 1
			start pidstat env LC_ALL=C pidstat -h -u -r -p ALL 1
		fi
		sleep "$WARMUP"
		NALL=$(nprocs)
		M0=$("$COST" --now)
		while read -r name pid; do
			echo "$name $pid $(cpu_ns "$pid")" >> "$TMP/t0"
		done < "$TMP/tools"
		for f in tree threads all $EXTRA_FILES; do
			echo "$f $(size_of "$TMP/$f.swt")" >> "$TMP/s0"
		done
		echo "atop $(size_of "$TMP/atop.raw")" >> "$TMP/s0"
		sleep "$WINDOW"
		# both ends taken before the CPU times are: the same span
		M1=$("$COST" --now)
		: > "$TMP/t1"
		while read -r name pid; do
			echo "$name $pid $(cpu_ns "$pid") $(hwm_kib "$pid")" >> "$TMP/t1"
			# the peak may be the first tick's: the RSS now too
			echo "# T=$T N=$N ${I}s $name: VmRSS at the end $(rss_kib "$pid") KiB" >> "$TMP/notes"
		done < "$TMP/tools"
		: > "$TMP/s1"
		for f in tree threads all $EXTRA_FILES; do
			echo "$f $(size_of "$TMP/$f.swt")" >> "$TMP/s1"
		done
		echo "atop $(size_of "$TMP/atop.raw")" >> "$TMP/s1"
		# swrec finishes its file on SIGINT; atop only stops on SIGTERM.
		while read -r name pid; do
			case $name in
			atop) kill -TERM "$pid" 2>/dev/null || true ;;
			*) kill -INT "$pid" 2>/dev/null || true ;;
			esac
		done < "$TMP/tools"
		for p in $(cat "$TMP/pids"); do
			while kill -0 "$p" 2>/dev/null; do sleep 0.1; done
		done
		# What each recording holds for the window: a recorder starved
		# of CPU skips deadlines, so its process-samples are counted
		# in its file, not from the interval.
		: > "$TMP/win"
		for f in tree threads all $EXTRA_FILES; do
			[ -e "$TMP/$f.swt" ] || continue
			"$COST" "$TMP/$f.swt" 3 "$M0" "$M1" | awk -v f="$f" '{
				for (k = 1; k <= NF; k++) {
					split($k, kv, "="); v[kv[1]] = kv[2]
				}
				printf "%s %s %s %s\n", f, v["window_samples"], \
				    v["window_proc_rows"], v["window_thread_rows"]
			}' >> "$TMP/win"
		done
		# One table row per tool (awk does the arithmetic), then the
		# thread rows alone: the threads run minus the tree run, per
		# tick taken, per thread row, against one pread of every
		# thread's stat (floor-threads).
		awk -v T="$T" -v n="$N" -v i="$I" -v w="$WINDOW" -v ntree="$NTREE" \
		    -v nall="$NALL" -v nthr="$NTHR" -v t0="$TMP/t0" \
		    -v s0="$TMP/s0" -v s1="$TMP/s1" -v win="$TMP/win" \
		    -v notes="$TMP/notes" '
			BEGIN {
				while ((getline l < t0) > 0) {
					split(l, a, " "); c0[a[1]] = a[3]
				}
				while ((getline l < s0) > 0) {
					split(l, a, " "); b0[a[1]] = a[2]
				}
				while ((getline l < s1) > 0) {
					split(l, a, " "); b1[a[1]] = a[2]
				}
				while ((getline l < win) > 0) {
					split(l, a, " "); wsmp[a[1]] = a[2]
					wrows[a[1]] = a[3]; wthr[a[1]] = a[4]
				}
				ticks = w / i
			}
			{
				name = $1; cpu[name] = $3 - c0[name]; hwm[name] = $4
				order[++k] = name
			}
			END {
				procs["floor"] = ntree; procs["floor-threads"] = ntree
				procs["atop"] = nall; procs["pidstat"] = nall
				file["swrec-tree"] = "tree"; file["swrec-all"] = "all"
				file["swrec-threads"] = "threads"; file["atop"] = "atop"
				floor = cpu["floor"] / (ticks * ntree)
				for (j = 1; j <= k; j++) {
					t = order[j]
					if (t ~ /^swrec-threads-/)
						file[t] = "x-" substr(t, 15)
					f = (t in file) ? file[t] : ""
					taken = ticks
					ps = ticks * procs[t]
					if (t ~ /^swrec/ && wsmp[f] > 0) {
						taken = wsmp[f]; ps = wrows[f]
						procs[t] = ps / taken
						pertick[t] = cpu[t] / taken
						trows[t] = wthr[f] / taken
					}
					us = cpu[t] / ps / 1000
					x = (t == "floor") ? "1" : \
					    sprintf("%.2f", us * 1000 / floor)
					# the thread floor is not a process floor
					if (t == "floor-threads")
						x = "-"
					bytes = "-"
					if (f != "")
						bytes = sprintf("%.3f", (b1[f] - b0[f]) / ps)
					printf "| %d | %d | %ss | %s | %d | %d/%d | %.2f | %.2f | %s | %s | %s |\n", \
					    T, n, i, t, procs[t] + 0.5, taken, ticks, \
					    100 * cpu[t] / (w * 1e9), us, x, hwm[t], bytes
				}
				fl = cpu["floor-threads"] / (ticks * nthr)
				for (j = 1; j <= k; j++) {
					t = order[j]
					if (t !~ /^swrec-threads/ || !(t in pertick))
						continue
					d = pertick[t] - pertick["swrec-tree"]
					printf "# T=%d N=%d %ss %s: %d thread rows per tick (of %d threads), threads cost %.2f %% of a core over --no-threads", \
					    T, n, i, t, trows[t], nthr, 100 * d / (i * 1e9) >> notes
					if (trows[t] > 0)
						printf ", %.2f µs per thread row = x%.2f a thread-stat pread (%.2f µs)", \
						    d / trows[t] / 1000, d / trows[t] / fl, fl / 1000 >> notes
					printf "\n" >> notes
				}
			}' "$TMP/t1"
		for f in tree threads all $EXTRA_FILES; do
			[ -e "$TMP/$f.swt" ] || continue
			"$COST" "$TMP/$f.swt" | sed "s/^/# T=$T N=$N ${I}s $f: /" >> "$TMP/notes"
		done
		rm -f "$TMP/t0" "$TMP/s0" "$TMP/win"
	done
	kill -TERM "$WPID" 2>/dev/null || true
	wait "$WPID" 2>/dev/null || true
	WPID=
done
done
echo
cat "$TMP/notes"
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ)"
