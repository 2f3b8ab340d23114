#!/bin/sh
# bench/rec/switch.sh — what swrec's BPF sampler adds to every context
# switch of the machine: its program on the scheduler's switch (one hash
# lookup of the switching process, one store of the CPU's new process).
#
#   bench/rec/switch.sh [BUILD_DIR [REPS [PASSES]]]   (defaults:
#   build-bpfs-rel, 7, 200000)
#
# Per round, in turns: swt-bench-rec-switch alone ("none"); with a swrec
# --sampler bpf recording a sleeping process ("bpf", the program on the
# switch attached); and with the same swrec told to read every process at
# every run (SWT_SAMPLER_BPF_FULL: nothing on the switch, "bpf-full").
# Prints the median ns per switch of each and the difference (on these VMs
# a switch costs about 8 µs, with a spread of a microsecond: the
# difference is noise), and then the program's own run time per call as
# the kernel counts it (kernel.bpf_stats_enabled for the bpf rounds:
# run_time_ns / run_cnt of swt_ran, over every switch of the machine,
# the count's own clock reads included). Needs root and bpftool.
set -eu
BUILD=${1:-build-bpfs-rel}
REPS=${2:-7}
PASSES=${3:-200000}
SWREC=$BUILD/record/swrec
SW=$BUILD/bench/rec/swt-bench-rec-switch
for f in "$SWREC" "$SW"; do
	[ -x "$f" ] || { echo "switch.sh: $f missing: ninja -C $BUILD" >&2; exit 2; }
done
. "$(dirname "$0")/../facts.sh"
TMP=$(mktemp -d /tmp/swt-bench-switch.XXXXXX)
SL=
REC=
cleanup() {
	[ -n "$REC" ] && kill -INT "$REC" 2>/dev/null || true
	[ -n "$SL" ] && kill "$SL" 2>/dev/null || true
	bpf_stats_restore
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
sleep 1000 &
SL=$!
bpf_stats_on
bench_facts "$(dirname "$0")/../.." "$BUILD" record | sed 's/^/# /'
echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ)"
: >"$TMP/res"
r=1
while [ "$r" -le "$REPS" ]; do
	for mode in none bpf bpf-full; do
		REC=
		case $mode in
		bpf) "$SWREC" -q -o "$TMP/s.swt" -i 0.1 -p "$SL" \
			--sampler bpf --force 2>"$TMP/err" & REC=$! ;;
		bpf-full) SWT_SAMPLER_BPF_FULL=1 "$SWREC" -q -o "$TMP/s.swt" \
			-i 0.1 -p "$SL" --sampler bpf --force 2>"$TMP/err" &
			REC=$! ;;
		esac
		[ -n "$REC" ] && sleep 1
		v=$("$SW" "$PASSES" 0 | awk '{ print $4 }')
		echo "$mode $r $v" >>"$TMP/res"
		if [ "$mode" = bpf ]; then
			bpf_prog_counts name swt_ran | awk -v r="$r" '{
			    printf "prog %s %.1f %d\n", r, $2 / $1, $1 }' \
				>>"$TMP/res"
		fi
		if [ -n "$REC" ]; then
			kill -INT "$REC"
			wait "$REC" || { cat "$TMP/err" >&2; exit 1; }
			REC=
		fi
	done
	r=$((r + 1))
done
med() { awk -v m="$1" '$1 == m { print $3 }' "$TMP/res" | sort -g |
	awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
n=$(med none); b=$(med bpf); f=$(med bpf-full); p=$(med prog)
echo "| program on the switch | ns per switch (median of $REPS) |"
echo "|---|--:|"
echo "| none (no swrec) | $n |"
echo "| swrec --sampler bpf | $b |"
echo "| swrec --sampler bpf, SWT_SAMPLER_BPF_FULL | $f |"
echo
echo "the program on the switch, per call (median of $REPS, bpf_stats): $p ns"
echo
awk -v n="$n" -v b="$b" -v f="$f" 'BEGIN {
	printf "# the program adds %.1f ns a switch against no swrec, %.1f against the full-walk swrec\n", b - n, b - f }'
sed 's/^/# /' "$TMP/res"
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
