# test-ci-recipe.sh — the recipe of docs/ci.md § 9, run as written: the
# shell block between "<!-- recipe: begin -->" and "<!-- recipe: end -->"
# with real swrec recordings of a small shell workload as SUITE, against
# base sessions recorded the same way.
#
#   sh test-ci-recipe.sh SWREC SWANALYZE TMPDIR DOCS_CI_MD SRCDIR

if [ $# -ne 5 ]; then
	echo "Bail out! usage: $0 SWREC SWANALYZE TMPDIR DOCS_CI_MD SRCDIR"
	exit 1
fi
. "$5/tap.sh"
SWREC=$(abspath "$1")
SWANALYZE=$(abspath "$2")
T=$(abspath "$3")
DOC=$(abspath "$4")
SRC=$(abspath "$5")
tap_sandbox
cd "$T" || echo "Bail out! cd $T"

# the commands as installed: swrec and swanalyze on the PATH
mkdir -p bin
ln -s "$SWREC" bin/swrec
ln -s "$SWANALYZE" bin/swanalyze
PATH=$T/bin:$PATH
export PATH

sed -n '/^<!-- recipe: begin -->$/,/^<!-- recipe: end -->$/p' "$DOC" |
	sed '/^<!--/d; /^```/d' >recipe.sh
check "docs/ci.md has the recipe block" grep -q "swanalyze diff" recipe.sh

# a shell loop of a fixed amount of work (about 0.1 s of CPU here: four
# times it must clear the 50 ms floor of a CPU change by far)
LOOP='i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done'
mkdir -p swt-base
for i in 1 2 3 4 5; do
	swrec -q -i 0.1 -o "swt-base/run-$i.swt" -- sh -c "$LOOP" ||
		echo "Bail out! swrec of the base runs"
done

# the same work: the recipe runs through, its reports are written
SUITE=$LOOP
export SUITE
rc=0
sh recipe.sh >recipe.out 2>recipe.err || rc=$?
check "the recipe runs (exit 0 or 1, no usage error)" \
	eval '[ $rc = 0 ] || [ $rc = 1 ]'
check "... five sessions recorded" \
	eval '[ "$(ls swt-new/*.swt | wc -l)" = 5 ]'
check "... the Markdown for the merge request" \
	grep -q "^# swanalyze diff report" swt-diff.md
check "... the JUnit XML" grep -q "<testsuites name=\"swanalyze diff\"" \
	swt-junit.xml
if command -v xmllint >/dev/null; then
	check "... which validates against the common JUnit shape" \
		xmllint --noout --schema "$SRC/junit.xsd" swt-junit.xml
else
	skip "JUnit schema check" "xmllint not installed (libxml2-utils)"
fi

# four times the work: the gate fails, unless the runner was contended
# (a loaded CI machine), which the report must then say
SUITE='for k in 1 2 3 4; do '"$LOOP"'; done'
export SUITE
rc=0
sh recipe.sh >recipe.out 2>recipe.err || rc=$?
if [ $rc = 0 ] && grep -Eq "^Runner contended: .*: [1-9][0-9]* changes? it can explain left inconclusive" swt-diff.md; then
	skip "four times the work fails the gate" \
		"the runner was contended: $(grep '^Runner contended' swt-diff.md)"
else
	check "four times the work: the gate fails (exit 1), the Markdown says so" \
		eval '[ $rc = 1 ] && grep -q "^Verdict: REGRESSION" swt-diff.md &&
		grep -q "<failure type=\"regression\"" swt-junit.xml'
fi
done_testing
