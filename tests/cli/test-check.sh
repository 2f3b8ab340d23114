# swreplay --check: the summary of intact, crashed, corrupted and cut
# sessions, and its exit status (0 intact, 3 damaged or truncated).
. "$(dirname "$0")/tap.sh"

# A clean session with every record kind.
f=$T/clean.swt
mk clean "$f"
clean_records=$records
run "$SWREPLAY" --check "$f"
check "a clean session exits 0" [ "$rc" -eq 0 ]
check "a clean session prints nothing on stderr" [ ! -s "$T/err" ]
check "a clean session is intact" [ "$(report status)" = intact ]
check "the report names the file" [ "$(report file)" = "$f" ]
check "the report counts every record written" \
	[ "$(report records)" = "$clean_records" ]
check "one chunk, read whole" [ "$(report chunks)" = "1 total, 1 ok, 0 salvaged" ]
check "process rows are counted" [ "$(report process_samples)" = 4 ]
check "an index was found" [ "$(report index)" = yes ]
check "an end record was found" [ "$(report end_record)" = yes ]
check "no damage" [ "$(report damaged_ranges)" = 0 ]
check "t_first_ns is the first record time" \
	[ "$(report t_first_ns)" = 1000000000 ]
check "t_last_ns is the end record time" \
	[ "$(report t_last_ns)" = 1900000000 ]
check "duration_s is fixed point with three decimals" \
	[ "$(report duration_s)" = 0.900 ]
check "the format version is reported" [ "$(report format)" = 1.10 ]
check "the recorder is reported" [ "$(report recorder)" = "mksession 1" ]
check "the size is the file size" \
	[ "$(report size_bytes)" = "$(file_size "$f")" ]

if command -v zstd >/dev/null; then
	check "zstd -t accepts a clean session" zstd -q -t "$f"
else
	skip "zstd -t accepts a clean session" "no zstd CLI"
fi

# Flushed, then the writer freed without finishing (as after kill -9).
f=$T/crash.swt
mk crash "$f"
crash_records=$records
run "$SWREPLAY" --check "$f"
check "a crashed session exits 3" [ "$rc" -eq 3 ]
check "a crashed session is truncated" [ "$(report status)" = truncated ]
check "a crashed session keeps every flushed record" \
	[ "$(report records)" = "$crash_records" ]
check "a crashed session has no index" [ "$(report index)" = no ]
check "a crashed session's open chunk is salvaged" \
	[ "$(report chunks)" = "1 total, 0 ok, 1 salvaged" ]
check "a crashed session has no end record" [ "$(report end_record)" = no ]
check "a crashed session: diagnostics name the file and offset" \
	eval 'stderr_names "$f" && stderr_offset "$f"'
check "a crashed session: one diagnostic says truncated" \
	grep -q "^swreplay: $f: truncated at byte [0-9]* ([0-9]* bytes, SWT_ETRUNCATED): unfinished chunk" \
	"$T/err"

# Many chunks, one of them damaged in the middle of the file.
f=$T/big.swt
mk big "$f" 400
big_records=$records
run "$SWREPLAY" --check "$f"
big_chunks=$(report chunks | sed 's/ total.*//')
check "a clean session of many chunks exits 0" [ "$rc" -eq 0 ]
check "a clean session of many chunks has more than 3 chunks" \
	[ "$big_chunks" -gt 3 ]
check "a clean session of many chunks reads every chunk" \
	[ "$(report chunks)" = "$big_chunks total, $big_chunks ok, 0 salvaged" ]
check "a clean session of many chunks reads every record" \
	[ "$(report records)" = "$big_records" ]

f=$T/corrupt.swt
cp "$T/big.swt" "$f"
mid=$(( $(file_size "$f") / 2 ))
flip_byte "$f" "$mid"
run "$SWREPLAY" --check "$f"
check "a corrupted chunk exits 3" [ "$rc" -eq 3 ]
check "a corrupted chunk: the file is damaged" \
	[ "$(report status)" = damaged ]
check "a corrupted chunk: one damaged range" \
	[ "$(report damaged_ranges)" = 1 ]
check "a corrupted chunk: only that chunk is lost" \
	[ "$(report chunks)" = "$big_chunks total, $((big_chunks - 1)) ok, 0 salvaged" ]
check "a corrupted chunk: the other chunks' records are read" \
	eval '[ "$(report records)" -gt 0 ] &&
	      [ "$(report records)" -lt "$big_records" ]'
check "a corrupted chunk: the index and end record still count" \
	eval '[ "$(report index)" = yes ] && [ "$(report end_record)" = yes ]'
check "a corrupted chunk: the damage line covers the flipped byte" \
	eval 'report damage | awk -v m="$mid" "
		{ split(\$1, o, \"=\"); split(\$2, l, \"=\");
		  if (o[2] <= m && m < o[2] + l[2] &&
		      \$3 == \"status=SWT_ECORRUPT\") found = 1 }
		END { exit !found }"'
check "a corrupted chunk: one diagnostic line naming file and offset" \
	eval 'stderr_names "$f" && stderr_offset "$f" &&
	      [ "$(lines "$T/err")" -eq 1 ]'

# The file cut at two thirds: a chunk cut in the middle, no index.
f=$T/cut.swt
cut_file "$T/big.swt" "$f" $(( $(file_size "$T/big.swt") * 2 / 3 ))
run "$SWREPLAY" --check "$f"
check "a cut file exits 3" [ "$rc" -eq 3 ]
check "a cut file is truncated" [ "$(report status)" = truncated ]
check "a cut file keeps the records before the cut" \
	eval '[ "$(report records)" -gt 0 ] &&
	      [ "$(report records)" -lt "$big_records" ]'
check "a cut file: diagnostics name the file and offset" \
	eval 'stderr_names "$f" && stderr_offset "$f"'

# Only the header frame is left: 8 bytes of frame prefix (magic, u32 LE
# payload size) and the payload.
f=$T/header-only.swt
hdr_size=$(od -An -tu1 -j4 -N4 "$T/clean.swt" |
	awk '{ print 8 + $1 + 256 * ($2 + 256 * ($3 + 256 * $4)) }')
cut_file "$T/clean.swt" "$f" "$hdr_size"
run "$SWREPLAY" --check "$f"
check "a file cut after its header exits 3" [ "$rc" -eq 3 ]
check "a file cut after its header has no records" \
	eval '[ "$(report records)" = 0 ] &&
	      [ "$(report chunks)" = "0 total, 0 ok, 0 salvaged" ]'
check "a file cut after its header has no time range" \
	eval '[ "$(report t_first_ns)" = none ] &&
	      [ "$(report duration_s)" = none ]'
msg="swreplay: $f: truncated at byte $hdr_size (0 bytes, SWT_ETRUNCATED):"
msg="$msg file ends without an index (recording did not finish)"
check "a file cut after its header: one line, truncated at its end" \
	[ "$(cat "$T/err")" = "$msg" ]

# Cut inside the header frame: not a readable session.
f=$T/header-cut.swt
cut_file "$T/clean.swt" "$f" $((hdr_size - 3))
run "$SWREPLAY" --check "$f"
check "a file cut inside its header exits 2" [ "$rc" -eq 2 ]
check "a file cut inside its header: one line naming file and offset" \
	eval 'stderr_names "$f" && stderr_offset "$f" &&
	      [ "$(lines "$T/err")" -eq 1 ]'

done_testing
