#!/bin/sh
# bench/rec/sampler.sh — swrec's two sampler backends, BPF and /proc, in
# the same run.
#
#   bench/rec/sampler.sh [BUILD_DIR [WINDOW_S [COUNTS [REPS [INTERVAL]]]]]
#   (defaults: build-bpfs-rel, 10, "500 2000 10000", 3, 0.1)
#
# For each count N, N sleeping processes (swt-bench-rec-sleepers: nothing
# of theirs moves, so what a recorder spends is its floor per
# process-sample), then REPS rounds of `swrec -p TREE -i INTERVAL --sampler
# B` for B = bpf and proc, one at a time, alternating which goes first.
# Each recorder's CPU is taken from /proc/PID/schedstat over WINDOW_S
# seconds after a warm-up (the first tick's scan of N processes is not
# in it), divided by the process rows its file holds for that window;
# peak RSS is VmHWM at the end. Then the BPF program alone
# (swt-bench-rec-bpf-run: runs over every process of the machine).
# Prints the median of the rounds per N and backend, as Markdown rows,
# and every round below as notes. Needs root for the BPF backend.
#
# Beside each recorder, over the same window, the same swrec records a
# tree of one sleeper (two process rows): the tick's own work, which no
# process adds to (/proc/stat, /proc/meminfo, the pressure files, the
# wake-up, the BPF run's system call, the flush). The columns "µs a
# tick" give both; "µs per process-sample above the tick" is the
# difference of their CPU over the difference of their rows, round by
# round (what each process a tick costs, the backend's own cost): per
# tick, the CPU of the one less the other's, over the rows of the one
# less the other's. (The two wake at the same time, on two CPUs; a
# one-sleeper recorder's tick measured 230-266 µs alone and 208-284 µs
# beside another, 2026-12-07.) KEEP=1 keeps the directory of the files
# and the recorders' messages (its name printed on stderr at the end).
#
# OLD=path/to/swrec adds the backends old-bpf and old-proc: that swrec,
# with --sampler bpf and proc, in the same rounds (BACKENDS="bpf old-bpf"
# to choose). The backend bpf-full is --sampler bpf with every run reading
# every process (SWT_SAMPLER_BPF_FULL: no program on the context switch).
set -eu

BUILD=${1:-build-bpfs-rel}
WINDOW=${2:-10}
COUNTS=${3:-"500 2000 10000"}
REPS=${4:-3}
I=${5:-0.1}
WARMUP=4

SWREC=$BUILD/record/swrec
OLD=${OLD:-}
if [ -n "$OLD" ]; then
	BACKENDS=${BACKENDS:-"bpf old-bpf proc old-proc"}
else
	BACKENDS=${BACKENDS:-"bpf proc"}
fi
SLEEPERS=$BUILD/bench/rec/swt-bench-rec-sleepers
BPFRUN=$BUILD/bench/rec/swt-bench-rec-bpf-run
COST=$BUILD/bench/rec/swt-bench-rec-cost
for f in "$SWREC" "$SLEEPERS" "$BPFRUN" "$COST"; do
	[ -x "$f" ] || { echo "sampler.sh: $f missing: ninja -C $BUILD" >&2; exit 2; }
done

TMP=$(mktemp -d /tmp/swt-bench-sampler.XXXXXX)
SPID=
ONEPID=
cleanup() {
	[ -n "$SPID" ] && kill -TERM "$SPID" 2>/dev/null || true
	[ -n "$ONEPID" ] && kill -TERM "$ONEPID" 2>/dev/null || true
	if [ -n "${KEEP:-}" ]; then
		echo "# kept: $TMP" >&2
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT INT TERM

cpu_ns() { cut -d' ' -f1 "/proc/$1/schedstat"; }
hwm_kib() { awk '/^VmHWM/ { print $2 }' "/proc/$1/status"; }

. "$(dirname "$0")/../facts.sh"
bench_facts "$(dirname "$0")/../.." "$BUILD" record | sed 's/^/# /'
echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ)"
echo "# swrec -p TREE -i $I --sampler B; window ${WINDOW}s after ${WARMUP}s; $REPS rounds, medians"
echo
: > "$TMP/res"
# the tree of one sleeper, recorded beside every recorder
"$SLEEPERS" 1 > "$TMP/ready1" &
ONEPID=$!
while ! grep -q ready "$TMP/ready1" 2>/dev/null; do sleep 0.1; done
for N in $COUNTS; do
	rm -f "$TMP/ready"
	"$SLEEPERS" "$N" > "$TMP/ready" &
	SPID=$!
	while ! grep -q ready "$TMP/ready" 2>/dev/null; do sleep 0.1; done
	r=1
	while [ "$r" -le "$REPS" ]; do
		# alternate which goes first
		if [ $((r % 2)) -eq 1 ]; then
			order=$BACKENDS
		else
			order=$(echo "$BACKENDS" | tr ' ' '\n' | sed '1!G;h;$!d' | tr '\n' ' ')
		fi
		for B in $order; do
			rm -f "$TMP/$B.swt" "$TMP/$B-1.swt"
			case $B in
			old-*) bin=$OLD; smp=${B#old-} ;;
			*) bin=$SWREC; smp=${B%-full} ;;
			esac
			full=
			[ "$B" = bpf-full ] && full=1
			env ${full:+SWT_SAMPLER_BPF_FULL=1} \
				"$bin" -q -o "$TMP/$B.swt" -i "$I" -p "$SPID" \
				--sampler "$smp" 2>"$TMP/$B.err" &
			p=$!
			env ${full:+SWT_SAMPLER_BPF_FULL=1} \
				"$bin" -q -o "$TMP/$B-1.swt" -i "$I" \
				-p "$ONEPID" --sampler "$smp" \
				2>"$TMP/$B-1.err" &
			p1=$!
			sleep "$WARMUP"
			M0=$("$COST" --now)
			c0=$(cpu_ns "$p")
			o0=$(cpu_ns "$p1")
			sleep "$WINDOW"
			M1=$("$COST" --now)
			c1=$(cpu_ns "$p")
			o1=$(cpu_ns "$p1")
			h=$(hwm_kib "$p")
			kill -INT "$p" "$p1"
			wait "$p" || { cat "$TMP/$B.err" >&2; exit 1; }
			wait "$p1" || { cat "$TMP/$B-1.err" >&2; exit 1; }
			one=$("$COST" "$TMP/$B-1.swt" 3 "$M0" "$M1" |
			      tr ' ' '\n' | awk -F= '
				$1 == "window_proc_rows" { r = $2 }
				$1 == "window_samples" { s = $2 }
				END { print r, s }')
			"$COST" "$TMP/$B.swt" 3 "$M0" "$M1" | awk -v n="$N" \
			    -v b="$B" -v r="$r" -v c="$((c1 - c0))" -v h="$h" \
			    -v o="$((o1 - o0))" -v one="$one" \
			    -v w="$WINDOW" -v sz="$(stat -c %s "$TMP/$B.swt")" '{
				for (k = 1; k <= NF; k++) {
					split($k, kv, "="); v[kv[1]] = kv[2]
				}
				rows = v["window_proc_rows"]
				smp = v["window_samples"]
				split(one, ov, " ")
				# per tick: this recorder, the one-sleeper one
				tk = c / smp / 1000; tk1 = o / ov[2] / 1000
				printf "%s %s %s %.4f %.3f %s %s %s %.2f %.1f %.1f %.4f\n", \
				    n, b, r, c / rows / 1000, 100 * c / (w * 1e9), \
				    h, rows, smp, sz / v["proc_rows"], tk, tk1, \
				    (tk - tk1) / (rows / smp - ov[1] / ov[2])
			}' >> "$TMP/res"
		done
		r=$((r + 1))
	done
	NALL=$(ls /proc | grep -c '^[0-9][0-9]*$')
	echo "$N $("$BPFRUN" 200) machine_procs $NALL" >> "$TMP/alone"
	kill -TERM "$SPID" 2>/dev/null || true
	wait "$SPID" 2>/dev/null || true
	SPID=
done
kill -TERM "$ONEPID" 2>/dev/null || true
wait "$ONEPID" 2>/dev/null || true
ONEPID=

echo "| processes | backend | µs per process-sample | CPU % of a core | peak RSS KiB | rows per tick | file bytes per process-sample | µs a tick (one sleeper's) | µs per process-sample above the tick |"
echo "|---|---|---|---|---|---|---|---|---|"
for N in $COUNTS; do
	for B in $BACKENDS; do
		awk -v n="$N" -v b="$B" '$1 == n && $2 == b' "$TMP/res" |
		sort -k4,4g | awk -v reps="$REPS" '
			{ us[NR] = $4; pc[NR] = $5; h[NR] = $6; rt[NR] = $7 / $8
			  fb[NR] = $9; tk[NR] = $10; t1[NR] = $11; mg[NR] = $12
			  n = $1; b = $2 }
			function med(a, k, i, j, t, c) {
				# (the median of a[1..NR], sorted in c)
				for (i = 1; i <= NR; i++) c[i] = a[i]
				for (i = 2; i <= NR; i++)
					for (j = i; j > 1 && c[j - 1] > c[j]; j--) {
						t = c[j]; c[j] = c[j - 1]; c[j - 1] = t
					}
				return c[int((NR + 1) / 2)]
			}
			END {
				m = int((NR + 1) / 2)
				printf "| %d | %s | %.3f | %.3f | %d | %d | %.2f | %.0f (%.0f) | %.3f |\n", \
				    n, b, us[m], pc[m], h[m], rt[m] + 0.5, fb[m], \
				    med(tk), med(t1), med(mg)
			}'
	done
done
echo
echo "# rounds: N backend round µs/process-sample CPU% VmHWM-KiB rows samples file-bytes/process-sample µs/tick µs/tick(one-sleeper) µs/process-sample-above-the-tick"
sed 's/^/# /' "$TMP/res"
echo "# the BPF program alone (every process of the machine):"
sed 's/^/# N=/' "$TMP/alone"
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ)"
