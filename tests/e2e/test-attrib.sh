# swt-attrib, the workload of the recorded-attrib-* fixtures
# (fixtures/workloads/attrib.c): its options, the summary line of a short
# run, the size of its leak, and its spans in a short recording by swrec.
#
#   sh test-attrib.sh SWT_ATTRIB SWREC SWREPLAY TMPDIR
#
# TAP; works only inside TMPDIR, which it empties first.
set -u
. "$(dirname "$0")/../tap-core.sh"

tap_args 4 "$0 SWT_ATTRIB SWREC SWREPLAY TMPDIR" "$@"
ATTRIB=$1
SWREC=$2
SWREPLAY=$3
T=$4
tap_sandbox

lines() {
	wc -l <"$1" | tr -d ' '
}

run "$ATTRIB" --help
check "--help exits 0" [ "$rc" -eq 0 ]
check "--help prints the usage on stdout" \
	grep -q '^Usage: swt-attrib --mode MODE' "$T/out"
check "--help names the three modes" \
	eval 'grep -q "^  one-thread " "$T/out" &&
	      grep -q "^  two-threads " "$T/out" &&
	      grep -q "^  busy-sleep " "$T/out"'
check "--help prints nothing on stderr" [ ! -s "$T/err" ]

run "$ATTRIB"
check "no --mode exits 2 and says so" \
	eval '[ "$rc" -eq 2 ] && grep -q "^swt-attrib: --mode is required" "$T/err"'
run "$ATTRIB" --mode sideways
check "an unknown mode exits 2 and names it" \
	eval '[ "$rc" -eq 2 ] && grep -q "sideways" "$T/err"'
run "$ATTRIB" --mode busy-sleep --duration soon
check "a bad duration exits 2" [ "$rc" -eq 2 ]
run "$ATTRIB" --mode one-thread --leak 2000
check "a leak out of range exits 2" [ "$rc" -eq 2 ]
run "$ATTRIB" --mode one-thread extra
check "an operand exits 2" [ "$rc" -eq 2 ]

# busy-sleep for 1 s: the summary line, nothing on stdout
run "$ATTRIB" --mode busy-sleep --duration 1s
check "busy-sleep for 1s exits 0" [ "$rc" -eq 0 ]
check "busy-sleep prints one line on stderr" [ "$(lines "$T/err")" -eq 1 ]
secs='[0-9]+\.[0-9]{3} s'
mod_re() {
	echo "$1 [1-9][0-9]* spans, open $secs, cpu $secs"
}
# (idle_wait follows a crunch that ended within the second: a run given
# less than 40 ms of CPU in its second, on a loaded machine, has one crunch
# span and no idle_wait, as the recorded run below once had)
idle0="idle_wait 0 spans, open 0\\.000 s, cpu 0\\.000 s"
check "busy-sleep's summary names crunch and idle_wait" \
	eval 'grep -Eq "^swt-attrib: busy-sleep, 1\\.000 s: $(mod_re crunch); \
($(mod_re idle_wait)|$idle0); cache_loader kept 0 bytes .*; \
rss [0-9]+ -> [0-9]+ KiB\$" "$T/err" &&
	      { ! grep -q "$idle0" "$T/err" ||
		grep -q ": crunch 1 spans, " "$T/err"; }'
check "busy-sleep prints nothing on stdout" [ ! -s "$T/out" ]

# one-thread for 1 s at 60 MiB/min: cache_loader keeps 1 MiB, less at
# most the remainder smaller than a block (32 KiB) that waits for a
# later step
run "$ATTRIB" --mode one-thread --duration 1s --leak 60
kept=$(sed -n 's/.*cache_loader kept \([0-9]*\) bytes.*/\1/p' "$T/err")
check "one-thread for 1s exits 0 with a summary" \
	eval '[ "$rc" -eq 0 ] && [ -n "$kept" ]'
check "cache_loader keeps 1 MiB for 1 s at 60 MiB/min (kept: ${kept:-?})" \
	eval '[ "${kept:-0}" -le 1048576 ] && [ "${kept:-0}" -gt 1015808 ]'
check "one-thread's summary names its three modules" \
	grep -Eq ": $(mod_re parser); $(mod_re cache_loader); $(mod_re \
renderer); cache_loader kept " "$T/err"

# recorded by swrec: the spans are in the session, the run is traced
run "$SWREC" -q -o "$T/s.swt" -i 100ms -- "$ATTRIB" --mode busy-sleep \
	--duration 1s
check "swrec records busy-sleep and exits 0" [ "$rc" -eq 0 ]
check "under swrec the summary says (traced)" grep -q ' (traced)$' "$T/err"
cp "$T/err" "$T/summary"
rc=0
"$SWREPLAY" --dump "$T/s.swt" >"$T/dump" 2>"$T/err" || rc=$?
check "the recording reads back" [ "$rc" -eq 0 ]
# every span the run counted, begun and ended, is in the recording (as
# many as it says: a run starved of CPU on a loaded machine spent its
# second in one crunch and had no idle_wait, CI 2026-12-07)
for m in crunch idle_wait; do
	n=$(sed -n "s/.*[:;] $m \([0-9]*\) spans,.*/\1/p" "$T/summary")
	for k in begin end; do
		got=$(grep -o "\"kind\":\"$k\",\"tid\":[0-9]*,\"name\":\"$m\"" \
			"$T/dump" | wc -l)
		check "the recording has the ${n:-?} $k events of $m the run counted ($got)" \
			eval '[ -n "$n" ] && [ "$got" -eq "$n" ]'
	done
done
n=$(sed -n "s/.*: crunch \([0-9]*\) spans,.*/\1/p" "$T/summary")
check "the recorded run has crunch spans (${n:-?})" [ "${n:-0}" -ge 1 ]

done_testing
