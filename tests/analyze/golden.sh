# golden.sh — the real swanalyze over every fixture, every report and every
# format, compared byte for byte with the expected reports next to it.
#
#   sh golden.sh SWANALYZE MKFIXTURE FIXTURES_DIR TMPDIR SRCDIR
#
# Fixtures: fixtures/synthetic-*/ (written by mkfixture) and any other
# fixtures/*/ holding an expected.status file. Each has session.swt and
#   expected.<report>.<ext>   report: lightweight, full, weight-analysis;
#                             ext: txt, json, csv, md, html
#   expected.stderr           the warnings (the same for every report)
#   expected.status           the exit status
# swanalyze runs inside the fixture directory on "session.swt", so that the
# warnings do not depend on where the tree is.
#
# SWT_UPDATE_GOLDEN=1 writes the expected files instead of comparing them
# (review the git diff). SWT_UPDATE_FIXTURES=1 also rewrites the synthetic
# session.swt files with mkfixture first.

if [ $# -ne 5 ]; then
	echo "Bail out! usage: $0 SWANALYZE MKFIXTURE FIXTURES_DIR TMPDIR SRCDIR"
	exit 1
fi
. "$5/tap.sh"
SWANALYZE=$(abspath "$1")
MKFIXTURE=$(abspath "$2")
FIXTURES=$(abspath "$3")
T=$(abspath "$4")
tap_sandbox
update=${SWT_UPDATE_GOLDEN:-0}
regen=${SWT_UPDATE_FIXTURES:-0}

if [ "$regen" = 1 ]; then
	for s in $("$MKFIXTURE" list); do
		mkdir -p "$FIXTURES/$s" &&
			"$MKFIXTURE" "$s" "$FIXTURES/$s/session.swt" ||
			echo "Bail out! mkfixture $s failed"
	done
	update=1
fi

ext_of() {
	case $1 in
	text) echo txt ;;
	markdown) echo md ;;
	*) echo "$1" ;;
	esac
}

is_scenario() {
	"$MKFIXTURE" list | grep -qx "$1"
}

n_fixtures=0
for d in "$FIXTURES"/*/; do
	d=${d%/}
	name=$(basename "$d")
	[ -f "$d/session.swt" ] || continue
	case $name in
	synthetic-*) ;;
	*) [ -f "$d/expected.status" ] || continue ;;
	esac
	n_fixtures=$((n_fixtures + 1))
	first=1
	for report in lightweight full weight-analysis; do
		for format in text json csv markdown html; do
			exp="$d/expected.$report.$(ext_of $format)"
			desc="$name: --report $report --format $format"
			(cd "$d" && "$SWANALYZE" session.swt --report "$report" \
				--format "$format") >"$T/out" 2>"$T/err"
			rc=$?
			if [ $first = 1 ]; then
				cp "$T/err" "$T/err.first"
				first_rc=$rc
				first=0
			fi
			if [ ! -s "$T/out" ] || [ $rc -ge 4 ]; then
				# a report is never empty: swanalyze did
				# not run (nothing is written then)
				not_ok "$desc: no report (exit status $rc)"
				head -n 5 "$T/err" | diag
			elif [ "$update" = 1 ]; then
				cp "$T/out" "$exp"
				ok "$desc # updated"
			elif [ ! -f "$exp" ]; then
				not_ok "$desc: $exp is missing (SWT_UPDATE_GOLDEN=1)"
			elif cmp -s "$T/out" "$exp"; then
				ok "$desc"
			else
				not_ok "$desc differs from $(basename "$exp")"
				diff -u "$exp" "$T/out" | head -n 40 | diag
			fi
			if [ $rc != "$first_rc" ] ||
				! cmp -s "$T/err" "$T/err.first"; then
				not_ok "$desc: status/stderr differ between reports"
			fi
		done
	done
	if [ "$update" = 1 ] && [ "$first_rc" -lt 4 ]; then
		cp "$T/err.first" "$d/expected.stderr"
		echo "$first_rc" >"$d/expected.status"
		ok "$name: status and stderr # updated"
	elif [ "$first_rc" = "$(cat "$d/expected.status" 2>/dev/null)" ] &&
		cmp -s "$T/err.first" "$d/expected.stderr"; then
		ok "$name: exit status $first_rc and stderr as expected"
	else
		not_ok "$name: exit status $first_rc or stderr unexpected"
		diff -u "$d/expected.stderr" "$T/err.first" | head -n 20 | diag
	fi
	# the committed session is what mkfixture writes today (compared
	# by analysis, not by bytes: zstd output may differ between
	# versions)
	if is_scenario "$name"; then
		mkdir -p "$T/regen" &&
			"$MKFIXTURE" "$name" "$T/regen/session.swt" &&
			(cd "$T/regen" && "$SWANALYZE" session.swt \
				--report full --format json) >"$T/regen.json" \
				2>/dev/null
		(cd "$d" && "$SWANALYZE" session.swt --report full \
			--format json) >"$T/fixture.json" 2>/dev/null
		check "$name: mkfixture reproduces session.swt" \
			cmp -s "$T/regen.json" "$T/fixture.json"
	fi
done
check "fixtures found ($n_fixtures)" [ "$n_fixtures" -gt 0 ]
done_testing
