# golden-diff.sh — the real `swanalyze diff` and `swanalyze history` over
# every fixtures/diff-*/ comparison, in every format, compared byte for
# byte with its expected files.
#
#   sh golden-diff.sh SWANALYZE MKFIXTURE FIXTURES_DIR TMPDIR SRCDIR
#
# fixtures/diff-runs/ holds the sessions (base-N.swt, new-N.swt,
# contended-N.swt, written by `mkfixture diff SIDE N`); each other
# fixtures/diff-NAME/ has
#   args                      the subcommand (diff or history) and its
#                             arguments, one per line (paths relative to
#                             that directory)
#   expected.<ext>            txt, json, csv, md (Markdown), html, xml
#                             (JUnit, diff only)
#   expected.stderr           what swanalyze writes on stderr
#   expected.status           its exit status
# swanalyze runs inside the directory, so the file names in the diffs do
# not depend on where the tree is. SWT_UPDATE_GOLDEN=1 writes the expected
# files instead; SWT_UPDATE_FIXTURES=1 also rewrites diff-runs/ first.

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
RUNS="$FIXTURES/diff-runs"

if [ "${SWT_UPDATE_FIXTURES:-0}" = 1 ]; then
	mkdir -p "$RUNS"
	for side in base new contended; do
		for k in 1 2 3 4 5 6 7 8 9 10; do
			[ $side = contended ] && [ $k -gt 5 ] && break
			"$MKFIXTURE" diff $side $k "$RUNS/$side-$k.swt" ||
				echo "Bail out! mkfixture diff $side $k failed"
		done
	done
	update=1
fi

# the committed runs are what mkfixture writes today (by analysis: zstd
# output may differ between versions)
n_runs=0
for f in "$RUNS"/*.swt; do
	[ -f "$f" ] || continue
	b=$(basename "$f" .swt)
	side=${b%-*}
	k=${b##*-}
	n_runs=$((n_runs + 1))
	"$MKFIXTURE" diff "$side" "$k" "$T/regen.swt" &&
		(cd "$T" && "$SWANALYZE" regen.swt --report full \
			--format json) >"$T/regen.json" 2>/dev/null
	(cd "$RUNS" && "$SWANALYZE" "$b.swt" --report full --format json) \
		>"$T/fixture.json" 2>/dev/null
	check "diff-runs/$b.swt: mkfixture reproduces it" \
		cmp -s "$T/regen.json" "$T/fixture.json"
done
check "diff runs found ($n_runs)" [ "$n_runs" -gt 0 ]

n_fixtures=0
for d in "$FIXTURES"/diff-*/; do
	d=${d%/}
	name=$(basename "$d")
	[ -f "$d/args" ] || continue
	n_fixtures=$((n_fixtures + 1))
	# the arguments, one per line (the script's own are in variables)
	set --
	while IFS= read -r a; do
		set -- "$@" "$a"
	done <"$d/args"
	first=1
	sub=$1
	shift
	formats="text json csv markdown html junit"
	[ "$sub" = history ] && formats="text json csv markdown html"
	for format in $formats; do
		case $format in
		text) ext=txt ;;
		markdown) ext=md ;;
		junit) ext=xml ;;
		*) ext=$format ;;
		esac
		exp="$d/expected.$ext"
		desc="$name: --format $format"
		(cd "$d" && "$SWANALYZE" "$sub" --format "$format" -j 2 "$@") \
			>"$T/out" 2>"$T/err"
		rc=$?
		if [ $first = 1 ]; then
			cp "$T/err" "$T/err.first"
			first_rc=$rc
			first=0
		fi
		if [ ! -s "$T/out" ] && [ "$rc" -lt 2 ]; then
			not_ok "$desc: no output (exit status $rc)"
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
		if [ "$rc" != "$first_rc" ] ||
			! cmp -s "$T/err" "$T/err.first"; then
			not_ok "$desc: status/stderr differ between formats"
		fi
	done
	if [ "$update" = 1 ]; then
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
done
check "diff fixtures found ($n_fixtures)" [ "$n_fixtures" -gt 0 ]
done_testing
