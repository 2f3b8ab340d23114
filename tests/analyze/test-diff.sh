# test-diff.sh — `swanalyze diff`: exit statuses, usage errors, damaged
# input, globs, -o, determinism (threads), and that its JUnit validates
# against the common JUnit shape and its Markdown renders as tables.
#
#   sh test-diff.sh SWANALYZE MKFIXTURE TMPDIR VERSION SRCDIR
# (the arguments of test-cli.sh)

if [ $# -ne 5 ]; then
	echo "Bail out! usage: $0 SWANALYZE MKFIXTURE TMPDIR VERSION SRCDIR"
	exit 1
fi
. "$5/tap.sh"
SWANALYZE=$(abspath "$1")
MKFIXTURE=$(abspath "$2")
T=$(abspath "$3")
SRC=$(abspath "$5")
tap_sandbox

for side in base new; do
	for k in 1 2 3 4 5 6 7 8 9 10; do
		"$MKFIXTURE" diff $side $k "$T/$side-$k.swt" ||
			echo "Bail out! mkfixture diff $side $k"
	done
done
for k in 1 2 3 4 5; do
	"$MKFIXTURE" diff contended $k "$T/contended-$k.swt" ||
		echo "Bail out! mkfixture diff contended $k"
done
"$MKFIXTURE" synthetic-damaged "$T/damaged.swt" ||
	echo "Bail out! mkfixture synthetic-damaged"
cd "$T" || echo "Bail out! cd $T"
B5="base-1.swt base-2.swt base-3.swt base-4.swt base-5.swt"
N5="new-1.swt new-2.swt new-3.swt new-4.swt new-5.swt"
S5="base-6.swt base-7.swt base-8.swt base-9.swt base-10.swt"

# ---- verdicts and exit statuses -------------------------------------------
# shellcheck disable=SC2086
run "$SWANALYZE" diff --base $B5 --new $N5
check "5 + 5 runs, 20 % more CPU in 'worker': a regression, exit 1" \
	eval '[ $rc = 1 ] && grep -q "^Verdict: REGRESSION" out &&
	grep -Eq "▲ +process +worker +worker +cpu_s .*regression" out'
check "... and the memory of 'cache' an improvement" \
	grep -Eq "▼ +process +cache +cache +memory_mb_peak .*improvement" out
check "... and test-bin, in a temporary directory per run, one module" \
	eval 'grep -Eq "process +test-bin .*matched .* /tmp/\*/test-bin" out'
check "... helpers that changed name: appeared and disappeared" \
	eval 'grep -Eq "^  \+ +process +fresh-helper .*appeared" out &&
	grep -Eq "^  - +process +legacy-helper .*disappeared" out'
# shellcheck disable=SC2086
run "$SWANALYZE" diff --base $B5 --new contended-*.swt
check "the same new runs on a contended runner: no regression, exit 0" \
	eval '[ $rc = 0 ] && grep -q "^Runner contended: the new runs stalled" out &&
	grep -Eq "worker .*cpu_s .*inconclusive +runner contended" out &&
	! grep -q " regression " out'
# shellcheck disable=SC2086
run "$SWANALYZE" diff --base $B5 --new $S5
check "10 identical runs: unchanged, exit 0" \
	eval '[ $rc = 0 ] && grep -q "^Verdict: UNCHANGED" out'
# shellcheck disable=SC2086
run "$SWANALYZE" diff --base $B5 --new $N5 --fail-on never
check "--fail-on never: exit 0 on a regression" eval '[ $rc = 0 ]'
# shellcheck disable=SC2086
run "$SWANALYZE" diff --base $B5 --new $S5 --fail-on change
check "--fail-on change: nothing changed, exit 0" eval '[ $rc = 0 ]'
run "$SWANALYZE" diff base-1.swt base-1.swt --fail-on change
check "a session against itself: unchanged, exit 0" \
	eval '[ $rc = 0 ] && grep -q "^Verdict: UNCHANGED" out'
# shellcheck disable=SC2086
run "$SWANALYZE" diff --base $B5 --new $N5 -t diff_min_cpu_s=100 \
	-t diff_min_cpu_percent=50
check "a minimum effect above the change: no CPU regression" \
	eval '[ $rc = 0 ] && ! grep -q "regression  *$" out &&
	! grep -Eq "worker .*cpu_s .*regression" out'
run "$SWANALYZE" diff --base base-1.swt base-2.swt --new new-1.swt new-2.swt
check "2 + 2 runs: inconclusive, with the runs that would decide" \
	eval '[ $rc = 0 ] && grep -q "^Verdict: INCONCLUSIVE" out &&
	grep -Eq "worker .*cpu_s .*inconclusive .*runs a side would decide" out'

# ---- the same answer whatever the threads and the operand form ---------------
# shellcheck disable=SC2086
"$SWANALYZE" diff --base $B5 --new $N5 -f json -j 1 >j1.json 2>/dev/null
# shellcheck disable=SC2086
"$SWANALYZE" diff --base $B5 --new $N5 -f json -j 4 >j4.json 2>/dev/null
"$SWANALYZE" diff --base 'base-[1-5].swt' --new 'new-[1-5].swt' -f json \
	>glob.json 2>/dev/null
check "one thread or four: the same bytes" cmp -s j1.json j4.json
check "quoted globs expand to the same sessions" cmp -s j1.json glob.json
check "JSON: schema_version and report" \
	eval 'grep -q "\"schema_version\": 2" j1.json &&
	grep -q "\"report\": \"diff\"" j1.json'

# ---- over time --------------------------------------------------------------
# the subjects of the series, in order, from the CSV (section, subject,
# kind, process, side, ...)
series_subjects() {
	awk -F, '$1 == "series" && $5 == "base" && !seen[$2 "," $3]++ {
		print $2 "," $3 }' "$1"
}
"$SWANALYZE" diff base-1.swt new-1.swt -f csv >series1.csv 2>/dev/null
check "over time: the session, then worker (the regression) first of the \
modules though indexer weighs more, then cache (an improvement)" \
	eval '[ "$(series_subjects series1.csv | head -n 3 | tr "\n" " ")" = \
		"session,session worker,process cache,process " ]'
check "over time: each subject on both sides, base rows before new rows" \
	eval '[ "$(awk -F, "\$1 == \"series\" && \$2 == \"worker\" {
		print \$5 }" series1.csv | uniq | tr "\n" " ")" = "base new " ]'
check "over time: at most 5 modules" \
	eval '[ "$(series_subjects series1.csv | wc -l)" -le 6 ]'
# shellcheck disable=SC2086
"$SWANALYZE" diff --base $B5 --new $N5 >rep.txt 2>/dev/null
check "over time, repeated runs: each side from its median run, named" \
	eval 'grep -Eq "^  base: base-[1-5]\.swt, [0-9]+ buckets of" rep.txt &&
	grep -Eq "^  new: new-[1-5]\.swt, [0-9]+ buckets of" rep.txt &&
	grep -q "median run by the session" rep.txt'
# shellcheck disable=SC2086
"$SWANALYZE" diff --base $B5 --new $N5 --ascii >ascii.txt 2>/dev/null
# shellcheck disable=SC2086
"$SWANALYZE" diff --base $B5 --new $N5 --ascii -f markdown >ascii.md \
	2>/dev/null
check "--ascii: the text and Markdown diffs are pure ASCII, with charts" \
	eval '! LC_ALL=C grep -q "[^ -~]" ascii.txt &&
	! LC_ALL=C grep -q "[^ -~]" ascii.md &&
	grep -Eq "^    cpu base  [.:=+*#@-]+" ascii.txt &&
	grep -Eq "^    cpu new   [.:=+*#@-]+" ascii.txt'
check "without --ascii: sparklines of Unicode blocks" \
	grep -q "^    cpu new   .*█" rep.txt
# shellcheck disable=SC2086
"$SWANALYZE" diff --base $B5 --new $N5 -f junit >j-series.xml 2>/dev/null
check "JUnit: no test case from the series" \
	eval '! grep -q "series\|t_from" j-series.xml'
run "$SWANALYZE" diff base-1.swt new-1.swt --ascii=yes
check "--ascii=yes: a usage error, exit 2" eval '[ $rc = 2 ]'
run "$SWANALYZE" history base-1.swt new-1.swt --ascii
check "history: no --ascii (no charts), exit 2" eval '[ $rc = 2 ]'

run "$SWANALYZE" diff --base 'nothing-*.swt' --new new-1.swt
check "a glob that matches nothing: exit 2, named" \
	eval '[ $rc = 2 ] && grep -q "nothing-\*.swt: no file matches" err'

# ---- usage errors ------------------------------------------------------------
usage_case() {
	desc=$1
	shift
	run "$SWANALYZE" diff "$@"
	check "$desc: exit 2, one message, no output" \
		eval '[ $rc = 2 ] && [ ! -s out ] && grep -q "^swanalyze: " err'
}
usage_case "no sessions"
usage_case "one session" base-1.swt
usage_case "three sessions" base-1.swt base-2.swt new-1.swt
usage_case "--base without --new" --base base-1.swt
usage_case "unknown option" base-1.swt new-1.swt --frobnicate
usage_case "bad --fail-on" base-1.swt new-1.swt --fail-on sometimes
usage_case "bad --format" base-1.swt new-1.swt --format yaml
usage_case "bad threshold" base-1.swt new-1.swt -t diff_significance=0.9
usage_case "bad normalize pattern" base-1.swt new-1.swt \
	-t "normalize_patterns=([a-z => x"
# patterns regcomp() would expand past any memory or time (fuzz_config:
# "a" and twenty '+' took 700 MB, twenty-two more than 2 GB) are refused
# before they are compiled; bounded repetitions are not
usage_case "stacked repetitions" base-1.swt new-1.swt \
	-t "normalize_patterns=a++++++++++++++++++ => x"
check "stacked repetitions: the pattern and why" \
	grep -q "'a++++++++++++++++++': two repetition operators in a row" err
usage_case "nested intervals" base-1.swt new-1.swt \
	-t "normalize_patterns=/((x{30}){30}){30} => x"
check "nested intervals: why" grep -q "more than 300 copies" err
usage_case "groups 40 deep" base-1.swt new-1.swt \
	-t "normalize_patterns=((((((((((((((((((((((((((((((((((((((((x)))))))))))))))))))))))))))))))))))))))) => x"
check "groups 40 deep: why" grep -q "nested more than 32 deep" err
run "$SWANALYZE" diff base-1.swt new-1.swt \
	-t "normalize_patterns=[0-9a-f]{32,64} => HASH; (/[^/]+){1,8}/ => /"
check "bounded repetitions and classes: accepted" eval '[ $rc -lt 2 ]'
usage_case "a missing file" base-1.swt missing.swt
check "a missing file: named" grep -q "missing.swt" err
usage_case "not a session" base-1.swt "$SRC/tap.sh"
usage_case "-o onto a session" base-1.swt new-1.swt -o new-1.swt
run "$SWANALYZE" diff --help
check "--help: exit 0, the usage" \
	eval '[ $rc = 0 ] && grep -q "^Usage: swanalyze diff BASE.swt NEW.swt" out'

# ---- budgets ------------------------------------------------------------------
cat >budget.conf <<'EOB'
# limits the suite must stay within
session            memory_mb_peak   <= 700
process:worker     cpu_s            <= 20
process:*helper*   cpu_s            <= 1
counter:ocr_call   per_minute       <= 90
module:nothing     calls_per_minute <= 5
EOB
# shellcheck disable=SC2086
run "$SWANALYZE" diff --budget budget.conf --new $N5
check "a budget without a base: worker over its 20 s, exit 1" \
	eval '[ $rc = 1 ] && grep -q "^Budget: 1 over, 3 within, 1 rule matching no module (5 runs, no base)" out &&
	grep -Eq "process +worker +worker +cpu_s +5 +21\.[0-9]+ +20\.000 +over_budget" out'
run "$SWANALYZE" diff --budget budget.conf base-1.swt
check "the base workload within the same budget: exit 0" \
	eval '[ $rc = 0 ] && grep -q "^Budget: 0 over" out'
run "$SWANALYZE" diff --budget budget.conf base-1.swt -f junit
check "JUnit of a budget: an unmatched rule is skipped, not passed" \
	eval 'grep -q "<skipped message=\"unmatched" out'
# shellcheck disable=SC2086
run "$SWANALYZE" diff --budget budget.conf --base $B5 --new $N5
check "a diff with a budget: both in one report" \
	eval '[ $rc = 1 ] && grep -q "^Verdict: REGRESSION" out &&
	grep -q "^Budgets$" out'
printf 'process:worker cpu_seconds <= 1\n' >bad.conf
run "$SWANALYZE" diff --budget bad.conf new-1.swt
check "a bad budget: exit 2, FILE:LINE and the metric named" \
	eval '[ $rc = 2 ] && [ ! -s out ] &&
	grep -q "bad.conf:1: unknown metric .cpu_seconds." err'
printf 'worker cpu_s <= 1\n' >bad.conf
run "$SWANALYZE" diff --budget bad.conf new-1.swt
check "a budget subject without KIND: exit 2" \
	eval '[ $rc = 2 ] && grep -q "bad.conf:1: subject" err'
run "$SWANALYZE" diff --budget missing.conf new-1.swt
check "a missing budget: exit 2" eval '[ $rc = 2 ] && grep -q "missing.conf" err'

# ---- history --------------------------------------------------------------------
# shellcheck disable=SC2086
run "$SWANALYZE" history $N5 $B5
check "history: sessions in recorded order whatever the argument order" \
	eval '[ $rc = 0 ] && grep -Eq "^ +1 +base-1.swt " out &&
	grep -Eq "^ +6 +new-1.swt " out && grep -Eq "^ +10 +new-5.swt " out'
check "history: worker's CPU steps up at the first new session" \
	grep -Eq "process +worker +worker +cpu_s +10 .* increasing .* 6 +new-1.swt +3\.[0-9]+ +20\.[0-9]" out
check "history: indexer's CPU stays stable, without a step" \
	eval 'grep -E "process +indexer +indexer +cpu_s" out | grep -q stable &&
	! grep -E "process +indexer +indexer +cpu_s" out | grep -q new-1.swt'
run "$SWANALYZE" history base-1.swt base-2.swt base-3.swt
check "history of 3 sessions: too few for a trend" \
	eval '[ $rc = 0 ] && grep -q "too_few_sessions" out'
run "$SWANALYZE" history
check "history without sessions: exit 2" eval '[ $rc = 2 ] && [ ! -s out ]'
run "$SWANALYZE" history --base base-1.swt
check "history --base: exit 2" eval '[ $rc = 2 ] && [ ! -s out ]'
run "$SWANALYZE" history base-1.swt -f junit
check "history -f junit: exit 2" eval '[ $rc = 2 ] && [ ! -s out ]'
run "$SWANALYZE" history base-1.swt damaged.swt
check "history with a damaged session: exit 3, written" \
	eval '[ $rc = 3 ] && grep -q "^History of 2 sessions" out'
run "$SWANALYZE" history --help
check "history --help: exit 0" \
	eval '[ $rc = 0 ] && grep -q "^Usage: swanalyze history FILE" out'

# ---- damaged input -----------------------------------------------------------
run "$SWANALYZE" diff base-1.swt damaged.swt
check "a damaged session: exit 3, the diff still written, the loss named" \
	eval '[ $rc = 3 ] && grep -q "^Verdict:" out &&
	grep -q "^Input: 1 session damaged or truncated" out &&
	grep -q "^swanalyze: damaged.swt: " err'

# ---- JUnit and Markdown as CI systems read them --------------------------------
# shellcheck disable=SC2086
"$SWANALYZE" diff --base $B5 --new $N5 -f junit -o junit.xml
check "JUnit: written with -o" test -s junit.xml
if command -v xmllint >/dev/null; then
	check "JUnit validates against the common JUnit shape (xmllint)" \
		xmllint --noout --schema "$SRC/junit.xsd" junit.xml
else
	skip "JUnit schema check" "xmllint not installed (libxml2-utils)"
fi
check "JUnit: the four regressions (worker, and the session's CPU) fail" \
	eval 'grep -q "failures=\"4\"" junit.xml &&
	[ "$(grep -c "<failure type=\"regression\"" junit.xml)" = 4 ] &&
	grep -q "<testcase classname=\"process.worker\" name=\"cpu_s\">" \
		junit.xml'
# shellcheck disable=SC2086
"$SWANALYZE" diff --base $B5 --new $N5 -f markdown >diff.md
PY=""
for p in /usr/bin/python3 python3; do
	if "$p" -c "import markdown" 2>/dev/null; then
		PY=$p
		break
	fi
done
if [ -n "$PY" ]; then
	# folded sections are HTML blocks (<details>), whose Markdown GitHub
	# and GitLab render; Python-Markdown leaves them raw: unfold first
	grep -v '^<details><summary>\|^</details>$' diff.md >unfolded.md
	"$PY" -c 'import markdown, sys
h = markdown.markdown(open(sys.argv[1]).read(), extensions=["tables"])
print(h.count("<table>"), h.count("<td>▲</td>"))' unfolded.md >md.out 2>&1
	check "Markdown: every section renders as a table (Python-Markdown)" \
		eval '[ "$(cat md.out)" = "7 4" ]'
	check "Markdown: sections but the changes folded" \
		eval '[ "$(grep -c "^<details><summary>" diff.md)" = 7 ] &&
		grep -q "^## Changes$" diff.md'
else
	skip "Markdown rendering" "python3-markdown not installed"
fi
done_testing
