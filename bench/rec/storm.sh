#!/bin/sh
# storm.sh — swrec under a fork storm (issue 12): a tree forking RATE
# processes a second (as fast as the machine forks, up to RATE) for SECS
# seconds, each exiting at once, recorded at INTERVAL. For each variant:
# the forks the storm achieved (against the storm alone, run alternately
# in the same loop: how much the recorder slowed it), the recorder's CPU
# and the part of it spent on exit accounting, its peak RSS, the sampling
# deadlines it missed, and the processes written one by one or dropped
# past the bound (all from the session's end record).
#
#   sh bench/rec/storm.sh BUILD [RATE [SECS [INTERVAL [RUNS]]]]
#
# BUILD is a meson build directory (release: meson setup B
# --buildtype=release). Defaults: 10000 10 100ms 3. Needs root for the
# exit records and process events (without, the exit columns are 0).
set -eu

BUILD=${1:?usage: storm.sh BUILD [RATE [SECS [INTERVAL [RUNS]]]]}
RATE=${2:-10000}
SECS=${3:-10}
INTERVAL=${4:-100ms}
RUNS=${5:-3}
SWREC=$BUILD/record/swrec
DUMP="$BUILD/replay/swreplay --dump"
APP=$BUILD/tests/apps/trace_app
for f in "$SWREC" "$BUILD/replay/swreplay" "$APP"; do
	[ -x "$f" ] || { echo "storm.sh: $f missing (ninja -C $BUILD)" >&2; exit 2; }
done
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

field() {	# field NAME < end record
	tr ',' '\n' | sed -n "s/^\"$1\":\\([0-9a-z]*\\).*/\\1/p" | head -n 1
}

printf '%-22s %3s %7s %8s %10s %10s %8s %7s %8s %8s\n' variant run forks \
	forks/s swrec_ms exit_ms rss_kib missed written dropped
run=1
while [ "$run" -le "$RUNS" ]; do
	for v in alone default proc-events=connector no-proc-events no-exits; do
		out=$TMP/s.swt
		rm -f "$out"
		case $v in
		alone) "$APP" storm "$RATE" "$SECS" >"$TMP/app" ;;
		default) "$SWREC" -q --no-events -i "$INTERVAL" -o "$out" -- \
			"$APP" storm "$RATE" "$SECS" >"$TMP/app" ;;
		*) "$SWREC" -q --no-events "--$v" -i "$INTERVAL" -o "$out" -- \
			"$APP" storm "$RATE" "$SECS" >"$TMP/app" ;;
		esac
		forks=$(sed -n 's/^forks //p' "$TMP/app")
		us=$(sed -n 's/^storm_us //p' "$TMP/app")
		rate=$(awk -v f="$forks" -v u="$us" 'BEGIN { printf "%.0f", f / (u / 1e6) }')
		if [ "$v" = alone ]; then
			printf '%-22s %3d %7d %8d %10s %10s %8s %7s %8s %8s\n' \
				"$v" "$run" "$forks" "$rate" - - - - - -
			continue
		fi
		$DUMP "$out" | tail -n 1 >"$TMP/end"
		written=$($DUMP "$out" | grep -c '"kind":"proc_exit"' || true)
		printf '%-22s %3d %7d %8d %10.1f %10.1f %8d %7d %8d %8d\n' \
			"$v" "$run" "$forks" "$rate" \
			"$(field recorder_cpu_ns <"$TMP/end" | awk '{ print $1 / 1e6 }')" \
			"$(field exit_acct_cpu_ns <"$TMP/end" | awk '{ print $1 / 1e6 }')" \
			"$(field recorder_peak_rss_kib <"$TMP/end")" \
			"$(field missed_samples <"$TMP/end")" \
			"$written" "$(field exits_dropped <"$TMP/end")"
	done
	run=$((run + 1))
done
