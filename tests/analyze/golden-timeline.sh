# golden-timeline.sh — `swreplay FILE` (the timeline through the engine)
# over every report fixture, as text and JSON lines, compared byte for byte
# with expected.timeline.txt and expected.timeline.jsonl next to the
# session; its exit status is the fixture's expected.status (the same
# damage, the same code) and its stderr the fixture's expected.stderr with
# "swanalyze" read "swreplay".
#
#   sh golden-timeline.sh SWREPLAY UNUSED FIXTURES_DIR TMPDIR SRCDIR
#
# SWT_UPDATE_GOLDEN=1 writes the expected timelines instead.

if [ $# -ne 5 ]; then
	echo "Bail out! usage: $0 SWREPLAY UNUSED FIXTURES_DIR TMPDIR SRCDIR"
	exit 1
fi
. "$5/tap.sh"
SWREPLAY=$(abspath "$1")
FIXTURES=$(abspath "$3")
T=$(abspath "$4")
tap_sandbox
update=${SWT_UPDATE_GOLDEN:-0}

n=0
for d in "$FIXTURES"/*/; do
	d=${d%/}
	name=$(basename "$d")
	[ -f "$d/session.swt" ] && [ -f "$d/expected.status" ] || continue
	n=$((n + 1))
	for format in text jsonl; do
		case $format in
		text) ext=txt ;;
		*) ext=jsonl ;;
		esac
		exp="$d/expected.timeline.$ext"
		(cd "$d" && "$SWREPLAY" session.swt --format "$format") \
			>"$T/out" 2>"$T/err"
		rc=$?
		if [ "$update" = 1 ]; then
			cp "$T/out" "$exp"
			ok "$name: timeline $format # updated"
		elif cmp -s "$T/out" "$exp"; then
			ok "$name: timeline $format"
		else
			not_ok "$name: timeline $format differs from $(basename "$exp")"
			diff -u "$exp" "$T/out" | head -n 30 | diag
		fi
		sed 's/^swanalyze: /swreplay: /' "$d/expected.stderr" \
			>"$T/err.exp"
		check "$name: timeline $format: exit status and warnings as swanalyze's" \
			eval '[ $rc = "$(cat "$d/expected.status")" ] &&
			cmp -s "$T/err" "$T/err.exp"'
	done
	# no fixture was recorded with --alerts: verify has nothing to
	# refuse, and says so (a damaged one still exits 3)
	(cd "$d" && "$SWREPLAY" --verify session.swt) >"$T/out" 2>"$T/err"
	rc=$?
	check "$name: --verify exits as the analysis does ($rc)" \
		eval '[ $rc = "$(cat "$d/expected.status")" ] &&
		grep -q "session.swt: recorded without swrec --alerts" "$T/out"'
done
check "fixtures found ($n)" [ "$n" -gt 0 ]
done_testing
