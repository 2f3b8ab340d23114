#!/bin/sh
# bench/rec/run.sh — swrec against atop, pidstat and a bare pread floor.
#
#   bench/rec/run.sh [BUILD_DIR [WINDOW_S [COUNTS [INTERVALS]]]]
#   (defaults: build-rec, 30, "50 500", "1 0.1")
#
# For each process count N (idle processes, plus two busy ones and one whose
# memory grows: bench_workload.c) and each interval, this starts, at once and
# on the same workload (the same run):
#
#   swrec-tree       swrec -p WORKLOAD --no-threads   the tree, N+4 processes
#   swrec-threads    swrec -p WORKLOAD                the tree, with threads
#   swrec-all        swrec -a --no-threads            the machine
#   floor            pread of stat+statm, kept fds   the tree
#   floor-threads    pread of task/TID/stat          the tree's threads
#   atop             atop -w FILE 1                   the machine  (1 s only)
#   pidstat          pidstat -p ALL 1 > /dev/null     the machine  (1 s only)
#
# atop and pidstat take whole seconds only, so they run at 1 s alone. After
# a warm-up, each tool's CPU time is taken from /proc/PID/schedstat over
# WINDOW_S seconds (not from its first and last seconds) and divided by the
# process-samples it took in that window (processes x ticks); peak RSS is
# VmHWM at the end; bytes are what the file grew by in the window.
#
# Prints the machine, then one Markdown table row per tool and setting.
# Needs no root; atop and sysstat come from scripts/setup-debian.sh
# --bench. Do not run two benchmarks at once on a 2-core machine.
set -eu

BUILD=${1:-build-rec}
WINDOW=${2:-30}
COUNTS=${3:-"50 500"}
INTERVALS=${4:-"1 0.1"}
WARMUP=5

SWREC=$BUILD/record/swrec
WORKLOAD=$BUILD/bench/rec/swt-bench-rec-workload
FLOOR=$BUILD/bench/rec/swt-bench-rec-floor
COST=$BUILD/bench/rec/swt-bench-rec-cost
for f in "$SWREC" "$WORKLOAD" "$FLOOR" "$COST"; do
	[ -x "$f" ] || { echo "run.sh: $f missing: ninja -C $BUILD" >&2; exit 2; }
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
size_of() { if [ -e "$1" ]; then stat -c %s "$1"; else echo 0; fi; }
nprocs() { ls /proc | grep -c '^[0-9][0-9]*$'; }

echo "# machine: $(nproc) CPUs, $(uname -r), $(awk '/MemTotal/ {print $2}' /proc/meminfo) KiB;" \
	"load before: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ)"
echo "# window ${WINDOW}s after ${WARMUP}s warm-up; cost = CPU / (processes x ticks)"
echo
echo "| N | interval | tool | processes | CPU % of a core | µs per process-sample | x floor | peak RSS KiB | bytes per process-sample |"
echo "|---|---|---|---|---|---|---|---|---|"

for N in $COUNTS; do
	"$WORKLOAD" "$N" > "$TMP/ready" &
	WPID=$!
	while ! grep -q ready "$TMP/ready" 2>/dev/null; do sleep 0.1; done
	TREE="$WPID $(ps -o pid= --ppid "$WPID" | tr -d ' ' | tr '\n' ' ')"
	NTREE=$(echo $TREE | wc -w)
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
		while read -r name pid; do
			echo "$name $pid $(cpu_ns "$pid")" >> "$TMP/t0"
		done < "$TMP/tools"
		for f in tree threads all; do
			echo "$f $(size_of "$TMP/$f.swt")" >> "$TMP/s0"
		done
		echo "atop $(size_of "$TMP/atop.raw")" >> "$TMP/s0"
		sleep "$WINDOW"
		: > "$TMP/t1"
		while read -r name pid; do
			echo "$name $pid $(cpu_ns "$pid") $(hwm_kib "$pid")" >> "$TMP/t1"
		done < "$TMP/tools"
		: > "$TMP/s1"
		for f in tree threads all; do
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
		# One table row per tool (awk does the arithmetic).
		awk -v n="$N" -v i="$I" -v w="$WINDOW" -v ntree="$NTREE" \
		    -v nall="$NALL" -v t0="$TMP/t0" -v s0="$TMP/s0" \
		    -v s1="$TMP/s1" '
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
				ticks = w / i
			}
			{
				name = $1; cpu[name] = $3 - c0[name]; hwm[name] = $4
				order[++k] = name
			}
			END {
				procs["swrec-tree"] = ntree; procs["floor"] = ntree
				procs["swrec-threads"] = ntree
				procs["floor-threads"] = ntree
				procs["swrec-all"] = nall; procs["atop"] = nall
				procs["pidstat"] = nall
				file["swrec-tree"] = "tree"; file["swrec-all"] = "all"
				file["swrec-threads"] = "threads"; file["atop"] = "atop"
				floor = cpu["floor"] / (ticks * ntree)
				for (j = 1; j <= k; j++) {
					t = order[j]
					us = cpu[t] / (ticks * procs[t]) / 1000
					x = (t == "floor") ? "1" : \
					    sprintf("%.2f", us * 1000 / floor)
					# rows with threads: see the thread-sample note
					if (t == "floor-threads" || t == "swrec-threads")
						x = "-"
					bytes = "-"
					if (t in file)
						bytes = sprintf("%.3f", (b1[file[t]] - b0[file[t]]) / (ticks * procs[t]))
					printf "| %d | %ss | %s | %d | %.2f | %.2f | %s | %s | %s |\n", \
					    n, i, t, procs[t], 100 * cpu[t] / (w * 1e9), us, x, hwm[t], bytes
				}
			}' "$TMP/t1"
		# The thread rows alone: threads run minus tree run.
		awk -v i="$I" -v w="$WINDOW" -v ntree="$NTREE" -v t0="$TMP/t0" '
			BEGIN { while ((getline l < t0) > 0) { split(l, a, " "); c0[a[1]] = a[3] } }
			{ cpu[$1] = $3 - c0[$1] }
			END {
				ticks = w / i
				th = (cpu["swrec-threads"] - cpu["swrec-tree"]) / (ticks * ntree)
				fl = cpu["floor-threads"] / (ticks * ntree)
				printf "# %ss: swrec per thread-sample %.2f µs, thread stat pread %.2f µs (x%.2f)\n", \
				    i, th / 1000, fl / 1000, th / fl
			}' "$TMP/t1" >> "$TMP/notes"
		"$COST" "$TMP/tree.swt" | sed "s/^/# $N procs ${I}s tree: /" >> "$TMP/notes"
		"$COST" "$TMP/all.swt" | sed "s/^/# $N procs ${I}s all: /" >> "$TMP/notes"
		rm -f "$TMP/t0" "$TMP/s0"
	done
	kill -TERM "$WPID" 2>/dev/null || true
	wait "$WPID" 2>/dev/null || true
	WPID=
done
echo
cat "$TMP/notes"
