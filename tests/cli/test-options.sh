# swreplay options, usage errors and files that are not sessions: exit 0
# for --help/--version, 2 with one diagnostic line otherwise.
. "$(dirname "$0")/tap.sh"

run "$SWREPLAY" --help
check "--help exits 0" [ "$rc" -eq 0 ]
check "--help prints the usage on stdout" grep -q '^Usage: swreplay' "$T/out"
check "--help prints nothing on stderr" [ ! -s "$T/err" ]

run "$SWREPLAY" -h
check "-h exits 0 with the usage" \
	eval '[ "$rc" -eq 0 ] && grep -q "^Usage: swreplay" "$T/out"'

run "$SWREPLAY" --version
check "--version exits 0" [ "$rc" -eq 0 ]
check "--version prints 'swreplay $VERSION'" \
	[ "$(cat "$T/out")" = "swreplay $VERSION" ]
check "--version prints nothing on stderr" [ ! -s "$T/err" ]

run "$SWREPLAY" --bogus "$T/none.swt"
check "an unknown long option exits 2" [ "$rc" -eq 2 ]
check "an unknown long option is named on one line" \
	[ "$(head -n 1 "$T/err")" = "swreplay: unknown option --bogus" ]
check "an unknown option gets a hint" \
	grep -q "^Try 'swreplay --help'" "$T/err"
check "an unknown option prints nothing on stdout" [ ! -s "$T/out" ]

run "$SWREPLAY" -x "$T/none.swt"
check "an unknown short option exits 2" \
	eval '[ "$rc" -eq 2 ] &&
	      grep -q "^swreplay: unknown option -x$" "$T/err"'

run "$SWREPLAY"
check "no arguments exit 2" [ "$rc" -eq 2 ]

run "$SWREPLAY" "$T/none.swt"
check "the timeline of a missing file exits 2" \
	eval '[ "$rc" -eq 2 ] && grep -q "none.swt" "$T/err"'

run "$SWREPLAY" --dump
check "--dump without FILE exits 2" \
	eval '[ "$rc" -eq 2 ] && grep -q "missing FILE" "$T/err"'

run "$SWREPLAY" --dump --check "$T/none.swt"
check "--dump and --check together exit 2" [ "$rc" -eq 2 ]

run "$SWREPLAY" --check "$T/a.swt" "$T/b.swt"
check "two files exit 2" [ "$rc" -eq 2 ]

# Files that are not readable sessions.
for mode in --check --dump; do
	f=$T/missing.swt
	run "$SWREPLAY" $mode "$f"
	check "$mode of a missing file exits 2" [ "$rc" -eq 2 ]
	check "$mode of a missing file: one line naming it" \
		eval 'stderr_names "$f" && [ "$(lines "$T/err")" -eq 1 ]'
	check "$mode of a missing file prints nothing on stdout" \
		[ ! -s "$T/out" ]
done

f=$T/wrong-magic.swt
printf 'this is not a swt session file, just text\n' >"$f"
run "$SWREPLAY" --check "$f"
check "a file with a wrong magic exits 2" [ "$rc" -eq 2 ]
check "a wrong magic: one line naming the file and offset" \
	eval 'stderr_names "$f" && stderr_offset "$f" &&
	      [ "$(lines "$T/err")" -eq 1 ]'
run "$SWREPLAY" --dump "$f"
check "--dump of a wrong magic exits 2 and prints nothing" \
	eval '[ "$rc" -eq 2 ] && [ ! -s "$T/out" ]'

f=$T/empty.swt
: >"$f"
run "$SWREPLAY" --check "$f"
check "an empty file exits 2 with one line naming it" \
	eval '[ "$rc" -eq 2 ] && stderr_names "$f" &&
	      [ "$(lines "$T/err")" -eq 1 ]'

f=$T/dir.swt
mkdir "$f"
run "$SWREPLAY" --check "$f"
check "a directory exits 2 with one line naming it" \
	eval '[ "$rc" -eq 2 ] && stderr_names "$f"'

# A session whose header says a future major version: the major is the
# u16 after the 8-byte frame prefix and the 8-byte magic.
mk clean "$T/clean.swt"
f=$T/future.swt
cp "$T/clean.swt" "$f"
printf '\143' | dd of="$f" bs=1 seek=16 count=1 conv=notrunc 2>/dev/null
run "$SWREPLAY" --check "$f"
check "a future format version exits 2" [ "$rc" -eq 2 ]
check "a future format version: one line naming the file and offset" \
	eval 'stderr_names "$f" && stderr_offset "$f" &&
	      [ "$(lines "$T/err")" -eq 1 ]'

f=$T/bad-magic.swt
cp "$T/clean.swt" "$f"
printf 'XXXXXXX' | dd of="$f" bs=1 seek=8 count=7 conv=notrunc 2>/dev/null
run "$SWREPLAY" --dump "$f"
check "a session with a damaged file magic exits 2" \
	eval '[ "$rc" -eq 2 ] && stderr_names "$f" && [ ! -s "$T/out" ]'

# ---- the timeline (no --dump, no --check) ------------------------------------
run "$SWREPLAY" "$T/clean.swt"
check "the timeline of a session: exit 0, its start and end" \
	eval '[ "$rc" -eq 0 ] && grep -q "^swreplay timeline report" "$T/out" &&
	grep -Eq "^ +0\.000 +session_start" "$T/out" &&
	grep -Eq " session_end " "$T/out"'
run "$SWREPLAY" "$T/clean.swt" --format jsonl
check "--format jsonl: one JSON object per line" \
	eval '[ "$rc" -eq 0 ] && [ -s "$T/out" ] &&
	! grep -qv "^{\"t_s\":" "$T/out"'
run "$SWREPLAY" "$T/clean.swt" --from 0.3 --to 0.5 --format jsonl
check "--from/--to: only events in the window" \
	eval '[ "$rc" -eq 0 ] && ! grep -q "session_start" "$T/out" &&
	! grep -q "session_end" "$T/out"'
run "$SWREPLAY" "$T/clean.swt" --from 2 --to 1
check "--from after --to exits 2" eval '[ "$rc" -eq 2 ] && [ ! -s "$T/out" ]'
run "$SWREPLAY" "$T/clean.swt" --from soon
check "a bad --from exits 2, named" \
	eval '[ "$rc" -eq 2 ] && grep -q "^swreplay: --from expects" "$T/err"'
run "$SWREPLAY" "$T/clean.swt" --speed 2 --format json
check "--speed with json exits 2" eval '[ "$rc" -eq 2 ]'
run "$SWREPLAY" "$T/clean.swt" --speed 0
check "--speed 0 exits 2" eval '[ "$rc" -eq 2 ]'
run "$SWREPLAY" "$T/clean.swt" --threshold memory_mb=lots
check "a bad --threshold exits 2, named" \
	eval '[ "$rc" -eq 2 ] && grep -q "memory_mb" "$T/err" && [ ! -s "$T/out" ]'
run "$SWREPLAY" "$T/clean.swt" --format yaml
check "an unknown --format exits 2" eval '[ "$rc" -eq 2 ]'
run "$SWREPLAY" "$T/clean.swt" --format html
check "--format html is swanalyze's, not the timeline's: exit 2" \
	eval '[ "$rc" -eq 2 ] && [ ! -s "$T/out" ]'
run "$SWREPLAY" "$T/clean.swt" --speed 1000 --format jsonl
check "--speed: paced, the same lines" \
	eval '[ "$rc" -eq 0 ] && [ -s "$T/out" ]'

f=$T/noperm.swt
cp "$T/clean.swt" "$f"
chmod 000 "$f"
if [ -r "$f" ]; then
	skip "an unreadable file exits 2" "running as root"
else
	run "$SWREPLAY" --check "$f"
	check "an unreadable file exits 2 with one line naming it" \
		eval '[ "$rc" -eq 2 ] && stderr_names "$f"'
fi
chmod 644 "$f"

done_testing
