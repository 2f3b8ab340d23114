# test-quiet.sh — the engine's quiet rows (docs/analysis.md § 15): a
# process or thread whose row repeats is passed over, and what it adds is
# summed per module; the samples of a whole session come as deltas (only
# the rows that changed) and are walked by those and the places still
# awake. Every output must be what taking every row of whole samples gives
# (SWT_ENGINE_FULL=1): for sessions made to come, go, rest and change in
# every way (mkfixture churn SEED), and for every fixture.
#
#   sh test-quiet.sh SWANALYZE SWREPLAY MKFIXTURE TMPDIR SRCDIR FIXTURES

if [ $# -ne 6 ]; then
	echo "Bail out! usage: $0 SWANALYZE SWREPLAY MKFIXTURE TMPDIR SRCDIR FIXTURES"
	exit 1
fi
FIX=$6
. "$5/tap.sh"
SWANALYZE=$(abspath "$1")
SWREPLAY=$(abspath "$2")
MKFIXTURE=$(abspath "$3")
T=$(abspath "$4")
FIX=$(abspath "$FIX")
tap_sandbox
cd "$T" || echo "Bail out! cd $T"

# same NAME CMD...: CMD's output, standard error and exit status, with
# quiet rows and with every row taken, are the same
same() {
	sname=$1
	shift
	"$@" >q.out 2>q.err
	qrc=$?
	SWT_ENGINE_FULL=1 "$@" >f.out 2>f.err
	frc=$?
	if [ "$qrc" = "$frc" ] && cmp -s q.out f.out && cmp -s q.err f.err
	then
		ok "$sname"
	else
		not_ok "$sname (exit $qrc against $frc)"
		diff q.out f.out | head -n 20 | diag
		diff q.err f.err | head -n 5 | diag
	fi
}

seed=1
while [ "$seed" -le 12 ]; do
	f=churn-$seed.swt
	if ! "$MKFIXTURE" churn "$seed" "$f" 2>err; then
		not_ok "mkfixture churn $seed"
		seed=$((seed + 1))
		continue
	fi
	# rows were passed over: the comparisons below mean something
	SWT_ENGINE_STATS=1 "$SWANALYZE" "$f" --report full -o /dev/null \
		2>stats
	passed=$(sed -n 's/^swt engine: \([0-9]*\) of \([0-9]*\) process rows and \([0-9]*\) thread.*/\1 \2 \3/p' stats)
	check "churn $seed: quiet rows were passed over ($passed)" \
		eval '[ -n "$passed" ] && set -- $passed &&
		[ "$1" -gt $(($2 / 4)) ] && [ "$3" -gt 1000 ]'
	# and samples came as deltas, most walked by their awake places
	# alone (swt_reader_set_deltas(), procs_aligned_delta())
	deltas=$(sed -n 's/^swt engine: \([0-9]*\) samples as deltas, \([0-9]*\) walked.*/\1 \2/p' stats)
	check "churn $seed: samples as deltas, walked by awake places ($deltas)" \
		eval '[ -n "$deltas" ] && set -- $deltas &&
		[ "$1" -gt 100 ] && [ "$2" -gt $(($1 / 3)) ]'
	twalks=$(sed -n 's/^swt engine: .* \([0-9]*\) thread walks by awake places.*/\1/p' stats)
	check "churn $seed: thread rows walked by awake places ($twalks)" \
		eval '[ -n "$twalks" ] && [ "$twalks" -gt 100 ]'
	# and rows that changed in their CPU, memory or the pairs read were
	# taken in place (inst_tick(), inst_reflag(), thr_tick())
	inplace=$(sed -n 's/^swt engine: \([0-9]*\) process rows and \([0-9]*\) thread rows of them changed.*/\1 \2/p' stats)
	check "churn $seed: rows taken in place ($inplace)" \
		eval '[ -n "$inplace" ] && set -- $inplace &&
		[ "$1" -gt 100 ] && [ "$2" -gt 100 ]'
	same "churn $seed: full report, json" \
		"$SWANALYZE" "$f" --report full --format json
	same "churn $seed: weight analysis, text" \
		"$SWANALYZE" "$f" --report weight-analysis
	same "churn $seed: a window (--from 40s --to 100s)" \
		"$SWANALYZE" "$f" --report full --format json --from 40s \
		--to 100s
	same "churn $seed: 3 decoding threads" \
		"$SWANALYZE" "$f" --report full --format json --threads 3
	same "churn $seed: the timeline" \
		"$SWREPLAY" "$f" --format jsonl
	same "churn $seed: the CSV export" \
		"$SWREPLAY" --export csv "$f"
	seed=$((seed + 1))
done

n=0
for f in $(find "$FIX" -name '*.swt' | sort); do
	n=$((n + 1))
	same "${f#"$FIX"/}: full report, json" \
		"$SWANALYZE" "$f" --report full --format json
done
check "fixtures found ($n)" [ "$n" -gt 20 ]
done_testing
