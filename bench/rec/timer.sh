#!/bin/sh
# bench/rec/timer.sh — what swrec's BPF sampler costs the machine through
# its program on timers (swt_tick, record/bpf/swt_sample.bpf.c: at every
# timer expiry, one array lookup and one compare, and a correction when
# the switch's program missed a switch), beside its program on the switch
# (swt_ran) for comparison.
#
#   bench/rec/timer.sh [BUILD_DIR [REPS [SECS]]]   (defaults: build, 5, 3)
#
# Per round, for each workload: swt-bench-rec-timers started (spin: one
# process spinning; sleep10us: three processes sleeping 10 µs in a loop,
# a timer each pass), swrec --sampler bpf attached to it, and over SECS
# seconds the kernel's counts of both programs (kernel.bpf_stats_enabled:
# run_cnt, run_time_ns, whose ratio includes the count's own clock reads,
# about 110 ns here: bench/rec/switch.sh's program that does nothing
# measures that). Prints the medians of calls a second and ns a call.
# Needs root and bpftool.
set -eu
BUILD=${1:-build}
REPS=${2:-5}
SECS=${3:-3}
SWREC=$BUILD/record/swrec
TM=$BUILD/bench/rec/swt-bench-rec-timers
for f in "$SWREC" "$TM"; do
	[ -x "$f" ] || { echo "timer.sh: $f missing: ninja -C $BUILD" >&2; exit 2; }
done
command -v bpftool >/dev/null || { echo "timer.sh: needs bpftool" >&2; exit 2; }
. "$(dirname "$0")/../facts.sh"
TMP=$(mktemp -d /tmp/swt-bench-timer.XXXXXX)
WL=
REC=
cleanup() {
	[ -n "$REC" ] && kill -INT "$REC" 2>/dev/null || true
	[ -n "$WL" ] && kill "$WL" 2>/dev/null || true
	bpf_stats_restore
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
bpf_stats_on
bench_facts "$(dirname "$0")/../.." "$BUILD" record | sed 's/^/# /'
echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ)"
# the ids of the programs named $1
ids() { bpftool prog show name "$1" | awk -F: '/^[0-9]+:/ { print $1 }'; }
# the id of the program named $1 that is not among the ids in file $2
# (this round's swrec's: the bench wants the machine to itself)
new_id() {
	n=$(ids "$1" | grep -vxF -f "$2" || true)
	[ "$(printf '%s\n' "$n" | grep -c .)" -eq 1 ] || {
		echo "timer.sh: not one new $1 program ($n): another BPF" \
			"sampler is loaded? run it alone" >&2
		exit 1
	}
	echo "$n"
}
: >"$TMP/res"
r=1
while [ "$r" -le "$REPS" ]; do
	for wl in spin sleep10us; do
		case $wl in
		spin) "$TM" 1 0 >"$TMP/ready" & WL=$! ;;
		sleep10us) "$TM" 3 10000 >"$TMP/ready" & WL=$! ;;
		esac
		until [ -s "$TMP/ready" ]; do sleep 0.05; done
		{ ids swt_tick; echo x; } >"$TMP/tick0"
		{ ids swt_ran; echo x; } >"$TMP/ran0"
		"$SWREC" -q -o "$TMP/s.swt" -i 0.1 -p "$WL" --sampler bpf \
			--force 2>"$TMP/err" &
		REC=$!
		sleep 1
		tk=$(new_id swt_tick "$TMP/tick0")
		rn=$(new_id swt_ran "$TMP/ran0")
		set -- $(bpf_prog_counts id "$tk") $(bpf_prog_counts id "$rn")
		t0=$(date +%s%N)
		sleep "$SECS"
		set -- "$@" $(bpf_prog_counts id "$tk") $(bpf_prog_counts id "$rn")
		t1=$(date +%s%N)
		echo "$wl $r $* $t0 $t1" | awk '{
		    s = ($12 - $11) / 1e9
		    printf "%s %s tick %.0f %.1f ran %.0f %.1f\n", $1, $2,
			($7 - $3) / s, ($8 - $4) / ($7 - $3 > 0 ? $7 - $3 : 1),
			($9 - $5) / s, ($10 - $6) / ($9 - $5 > 0 ? $9 - $5 : 1) }' \
			>>"$TMP/res"
		kill -INT "$REC"
		wait "$REC" || { cat "$TMP/err" >&2; exit 1; }
		REC=
		kill "$WL"
		wait "$WL" || true
		WL=
		rm -f "$TMP/ready"
	done
	r=$((r + 1))
done
# median of column $2 of the rows of workload $1
med() { awk -v w="$1" -v c="$2" '$1 == w { print $c }' "$TMP/res" | sort -g |
	awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "| workload under swrec --sampler bpf | swt_tick calls/s | ns a call | swt_ran calls/s | ns a call |"
echo "|---|--:|--:|--:|--:|"
for wl in spin sleep10us; do
	echo "| $wl | $(med $wl 4) | $(med $wl 5) | $(med $wl 7) | $(med $wl 8) |"
done
echo
echo "(medians of $REPS rounds of $SECS s; ns a call includes the count's own clock reads)"
sed 's/^/# /' "$TMP/res"
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
