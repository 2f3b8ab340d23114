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
cleanup() {
	[ -n "$SPID" ] && kill -TERM "$SPID" 2>/dev/null || true
	rm -rf "$TMP"
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
			rm -f "$TMP/$B.swt"
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
			sleep "$WARMUP"
			M0=$("$COST" --now)
			c0=$(cpu_ns "$p")
			sleep "$WINDOW"
			M1=$("$COST" --now)
			c1=$(cpu_ns "$p")
			h=$(hwm_kib "$p")
			kill -INT "$p"
			wait "$p" || { cat "$TMP/$B.err" >&2; exit 1; }
			"$COST" "$TMP/$B.swt" 3 "$M0" "$M1" | awk -v n="$N" \
			    -v b="$B" -v r="$r" -v c="$((c1 - c0))" -v h="$h" \
			    -v w="$WINDOW" -v sz="$(stat -c %s "$TMP/$B.swt")" '{
				for (k = 1; k <= NF; k++) {
					split($k, kv, "="); v[kv[1]] = kv[2]
				}
				rows = v["window_proc_rows"]
				printf "%s %s %s %.4f %.3f %s %s %s %.2f\n", n, b, \
				    r, c / rows / 1000, 100 * c / (w * 1e9), h, \
				    rows, v["window_samples"], \
				    sz / v["proc_rows"]
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

echo "| processes | backend | µs per process-sample | CPU % of a core | peak RSS KiB | rows per tick | file bytes per process-sample |"
echo "|---|---|---|---|---|---|---|"
for N in $COUNTS; do
	for B in $BACKENDS; do
		awk -v n="$N" -v b="$B" '$1 == n && $2 == b' "$TMP/res" |
		sort -k4,4g | awk -v reps="$REPS" '
			{ us[NR] = $4; pc[NR] = $5; h[NR] = $6; rt[NR] = $7 / $8
			  fb[NR] = $9; n = $1; b = $2 }
			END {
				m = int((NR + 1) / 2)
				printf "| %d | %s | %.3f | %.3f | %d | %d | %.2f |\n", \
				    n, b, us[m], pc[m], h[m], rt[m] + 0.5, fb[m]
			}'
	done
done
echo
echo "# rounds: N backend round µs/process-sample CPU% VmHWM-KiB rows samples file-bytes/process-sample"
sed 's/^/# /' "$TMP/res"
echo "# the BPF program alone (every process of the machine):"
sed 's/^/# N=/' "$TMP/alone"
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ)"
