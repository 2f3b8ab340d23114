#!/bin/sh
# bench/rec/machine.sh — swrec -a (the whole machine) over N sleeping
# processes, on a quiet machine and on one that forks all the time, in
# the same run.
#
#   bench/rec/machine.sh [BUILD_DIR [WINDOW_S [REPS [N [INTERVAL]]]]]
#   (defaults: build-bpfs-rel, 10, 3, 10000, 0.1)
#
# N sleepers (swt-bench-rec-sleepers) hold the process count. Then REPS
# rounds of `swrec -a -i INTERVAL --sampler bpf`, each twice: "quiet" (the
# machine as it is) and "forking" (a shell that runs /bin/true and
# `sleep 0.1` in a loop: two processes born and gone every ~110 ms, as on
# a server that runs health checks and scripts). The recorder's CPU comes
# from /proc/PID/schedstat over WINDOW_S seconds after a warm-up; CPU % is
# of one core. OLD=path/to/swrec runs that swrec too, in the same rounds,
# alternating which goes first. Prints the median per variant as Markdown
# rows and every round below. Needs root (BPF, and -a sees everything).
set -eu

BUILD=${1:-build-bpfs-rel}
WINDOW=${2:-10}
REPS=${3:-3}
N=${4:-10000}
I=${5:-0.1}
WARMUP=4
SWREC=$BUILD/record/swrec
OLD=${OLD:-}
SLEEPERS=$BUILD/bench/rec/swt-bench-rec-sleepers
for f in "$SWREC" "$SLEEPERS"; do
	[ -x "$f" ] || { echo "machine.sh: $f missing: ninja -C $BUILD" >&2; exit 2; }
done
[ -z "$OLD" ] || [ -x "$OLD" ] || { echo "machine.sh: OLD=$OLD is not executable" >&2; exit 2; }

TMP=$(mktemp -d /tmp/swt-bench-machine.XXXXXX)
SPID=
LPID=
cleanup() {
	[ -n "$LPID" ] && kill -TERM "$LPID" 2>/dev/null || true
	[ -n "$SPID" ] && kill -TERM "$SPID" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cpu_ns() { cut -d' ' -f1 "/proc/$1/schedstat"; }

. "$(dirname "$0")/../facts.sh"
bench_facts "$(dirname "$0")/../.." "$BUILD" record | sed 's/^/# /'
echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ)"
echo "# swrec -a -i $I --sampler bpf over $N sleepers; window ${WINDOW}s after ${WARMUP}s; $REPS rounds, medians"
echo

"$SLEEPERS" "$N" > "$TMP/ready" &
SPID=$!
while ! grep -q ready "$TMP/ready" 2>/dev/null; do sleep 0.1; done
echo "# processes on the machine: $(ls /proc | grep -c '^[0-9][0-9]*$')"

bins="new"
[ -n "$OLD" ] && bins="new old"
: > "$TMP/res"
r=1
while [ "$r" -le "$REPS" ]; do
	for load in quiet forking; do
		if [ "$load" = forking ]; then
			sh -c 'while :; do /bin/true; sleep 0.1; done' &
			LPID=$!
		fi
		order=$bins
		[ $((r % 2)) -eq 0 ] && [ -n "$OLD" ] && order="old new"
		for b in $order; do
			bin=$SWREC
			[ "$b" = old ] && bin=$OLD
			"$bin" -q --force -o "$TMP/$b.swt" -i "$I" -a \
				--sampler bpf 2>"$TMP/$b.err" &
			p=$!
			sleep "$WARMUP"
			c0=$(cpu_ns "$p")
			sleep "$WINDOW"
			c1=$(cpu_ns "$p")
			kill -INT "$p"
			wait "$p" || { cat "$TMP/$b.err" >&2; exit 1; }
			echo "$b $load $r $c0 $c1" | awk -v w="$WINDOW" '{
				printf "%s %s %s %.3f\n", $1, $2, $3,
				    100 * ($5 - $4) / (w * 1e9) }' >> "$TMP/res"
		done
		if [ -n "$LPID" ]; then
			kill -TERM "$LPID" 2>/dev/null || true
			wait "$LPID" 2>/dev/null || true
			LPID=
		fi
	done
	r=$((r + 1))
done

echo "| swrec | machine | CPU % of a core (median) | rounds |"
echo "|---|---|--:|---|"
for b in $bins; do
	for load in quiet forking; do
		awk -v b="$b" -v l="$load" '$1 == b && $2 == l { print $4 }' \
			"$TMP/res" | sort -g | awk -v b="$b" -v l="$load" '
			{ v[NR] = $1; all = all (NR > 1 ? ", " : "") $1 }
			END { printf "| %s | %s | %.3f | %s |\n", b, l,
				     v[int((NR + 1) / 2)], all }'
	done
done
echo
echo "# rounds: swrec machine round CPU%"
sed 's/^/# /' "$TMP/res"
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ)"
