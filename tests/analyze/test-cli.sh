# test-cli.sh — swanalyze's command line: options, exit statuses, messages,
# -o, --config/--threshold, --fail-on, damaged input, determinism.
#
#   sh test-cli.sh SWANALYZE MKFIXTURE TMPDIR VERSION SRCDIR

if [ $# -ne 5 ]; then
	echo "Bail out! usage: $0 SWANALYZE MKFIXTURE TMPDIR VERSION SRCDIR"
	exit 1
fi
. "$5/tap.sh"
SWANALYZE=$(abspath "$1")
MKFIXTURE=$(abspath "$2")
T=$(abspath "$3")
VERSION=$4
tap_sandbox

for s in synthetic-leak synthetic-busy synthetic-counters \
	synthetic-damaged; do
	"$MKFIXTURE" "$s" "$T/$s.swt" || echo "Bail out! mkfixture $s"
done
LEAK=$T/synthetic-leak.swt
BUSY=$T/synthetic-busy.swt
CTRS=$T/synthetic-counters.swt
DAMAGED=$T/synthetic-damaged.swt

# ---- help, version, usage errors ------------------------------------------
run "$SWANALYZE" --help
check "--help exits 0 and shows the usage" \
	eval '[ $rc = 0 ] && grep -q "^Usage: swanalyze FILE --report" "$T/out"'
run "$SWANALYZE" --version
check "--version prints the version" \
	eval '[ $rc = 0 ] && [ "$(cat "$T/out")" = "swanalyze $VERSION" ]'

usage_case() {
	desc=$1
	shift
	run "$SWANALYZE" "$@"
	check "$desc: exit 2 with one message and a hint" \
		eval '[ $rc = 2 ] && [ ! -s "$T/out" ] &&
		grep -q "^swanalyze: " "$T/err"'
}
usage_case "no arguments"
usage_case "missing --report" "$LEAK"
usage_case "unknown report" "$LEAK" --report heavy
usage_case "unknown format" "$LEAK" --report full --format xml
check "the unknown format's message lists html" \
	grep -q "markdown or html" "$T/err"
usage_case "unknown option" "$LEAK" --report full --frobnicate
usage_case "two files" "$LEAK" "$LEAK" --report full
usage_case "bad --fail-on" "$LEAK" --report full --fail-on low
usage_case "missing option argument" "$LEAK" --report
usage_case "bad threshold value" "$LEAK" --report full \
	--threshold cpu_percent=lots
check "bad threshold: the message names the key" \
	grep -q "cpu_percent" "$T/err"
usage_case "empty -o" "$LEAK" --report full -o ""
usage_case "a value for an option without one" "$LEAK" --report full \
	--help=1
check "a value for an option without one: named as such" \
	grep -q "^swanalyze: option takes no value: --help$" "$T/err"
usage_case "empty --report" "$LEAK" --report ""
usage_case "empty --format" "$LEAK" --report full --format ""
usage_case "empty --threshold" "$LEAK" --report full -t ""
usage_case "--threshold without a key" "$LEAK" --report full -t =5
usage_case "--threshold without a value" "$LEAK" --report full -t memory_mb=
usage_case "negative threshold" "$LEAK" --report full -t memory_mb=-5
usage_case "huge threshold" "$LEAK" --report full \
	-t memory_mb=99999999999999999999999999
usage_case "threshold with trailing garbage" "$LEAK" --report full \
	-t memory_mb=5x
usage_case "heavy_patterns with an empty element" "$LEAK" --report full \
	-t heavy_patterns=a,
usage_case "empty --config" "$LEAK" --report full --config ""
usage_case "--config twice" "$LEAK" --report full --config "$T/x" \
	--config "$T/y"
usage_case "unknown threshold key" "$LEAK" --report full -t nope=1
check "unknown threshold key: named" grep -q "unknown key 'nope'" "$T/err"

run "$SWANALYZE" "$T/missing.swt" --report full
check "missing file: exit 2, message names the file" \
	eval '[ $rc = 2 ] && grep -q "^swanalyze: $T/missing.swt: " "$T/err"'
printf 'not a session file at all\n' >"$T/junk.swt"
run "$SWANALYZE" "$T/junk.swt" --report full
check "not a session: exit 2, message names the file" \
	eval '[ $rc = 2 ] && grep -q "^swanalyze: $T/junk.swt" "$T/err"'

# ---- config and thresholds ---------------------------------------------------
printf '# test\nmemory_mb = 50\n\ncpu_percent = 1\n' >"$T/good.conf"
printf 'memory_mb = 50\nbogus = 2\n' >"$T/bad.conf"
run "$SWANALYZE" "$LEAK" --report full --config "$T/bad.conf"
check "config error: exit 2, FILE:LINE named" \
	eval '[ $rc = 2 ] &&
	grep -q "^swanalyze: $T/bad.conf:2: unknown key .bogus." "$T/err"'
run "$SWANALYZE" "$LEAK" --report full --config "$T/missing.conf"
check "missing config: exit 2" \
	eval '[ $rc = 2 ] && grep -q "$T/missing.conf" "$T/err"'
run "$SWANALYZE" "$LEAK" --report full --format json \
	--config "$T/good.conf" --threshold cpu_percent=2.5
check "config then --threshold: sources and values in the report" \
	eval '[ $rc = 0 ] &&
	grep -q "\"memory_mb\": 50.0," "$T/out" &&
	grep -q "\"cpu_percent\": 2.5," "$T/out" &&
	grep -q "\"memory_mb\": \"config\"" "$T/out" &&
	grep -q "\"cpu_percent\": \"option\"" "$T/out"'
run "$SWANALYZE" "$CTRS" --report full --format csv -t ocr_per_minute=40
check "--threshold ocr_per_minute=40: ocr_call no longer exceeded" \
	eval '[ $rc = 0 ] &&
	grep -q "^counters,ocr_call,300,30.0,40.0,no,0,$" "$T/out"'

# Big inputs stay fast: 10 000 --threshold options on one command line,
# and a config of 100 000 rate keys (the timing itself is the unit test's).
# (One line written by awk: growing "$@" in a loop is quadratic in sh.)
awk 'BEGIN { printf "exec \"$SWANALYZE\" \"$CTRS\" --report full --format csv"
	for (i = 0; i < 10000; i++) printf " -t rate.c%d=%d", i, i % 50 + 1
	printf " -t rate.c77=3.5\n" }' >"$T/many.sh"
run env SWANALYZE="$SWANALYZE" CTRS="$CTRS" sh "$T/many.sh"
check "10 000 --threshold options: the later of a key wins" \
	eval '[ $rc = 0 ] && grep -q "^thresholds.rates,c77,3.5,option$" "$T/out" &&
	grep -q "^thresholds.rates,c9999,50.0,option$" "$T/out"'
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "rate.k%d = %d\n", i, i % 7 + 1 }' \
	>"$T/big.conf"
run "$SWANALYZE" "$CTRS" --report full --format csv --config "$T/big.conf"
check "a config of 100 000 keys loads" \
	eval '[ $rc = 0 ] && grep -q "^thresholds.rates,k99999,5.0,config$" "$T/out"'

# ---- figures known exactly ---------------------------------------------------
run "$SWANALYZE" "$LEAK" --report weight-analysis --format csv
check "a 10 MB/min ramp is reported as 10.0 MB/min" \
	eval '[ $rc = 0 ] && grep -q "^leaks,leaky,process,leaky,10.0," "$T/out"'
run "$SWANALYZE" "$CTRS" --report full --format csv
check "a counter ticking 30/min reports 30.0" \
	eval '[ $rc = 0 ] && grep -q "^counters,ocr_call,300,30.0,10.0,yes,1,$" "$T/out"'

# ---- output, exit statuses ---------------------------------------------------
run "$SWANALYZE" "$LEAK" --report full -o "$T/report.txt"
check "-o writes the report there, nothing on stdout" \
	eval '[ $rc = 0 ] && [ ! -s "$T/out" ] &&
	grep -q "^swanalyze full report" "$T/report.txt"'
run "$SWANALYZE" "$LEAK" --report full -o "$T/no/such/dir/r.txt"
check "-o to an unwritable place: exit 4" \
	eval '[ $rc = 4 ] && grep -q "$T/no/such/dir/r.txt" "$T/err"'
echo precious >"$T/target.txt"
ln -s "$T/target.txt" "$T/link.txt"
run "$SWANALYZE" "$LEAK" --report full -o "$T/link.txt"
check "-o through a symlink: refused, exit 4, the target untouched" \
	eval '[ $rc = 4 ] && [ "$(cat "$T/target.txt")" = precious ] &&
	grep -q "^swanalyze: $T/link.txt: exists and is not a regular file" \
		"$T/err"'
ln -s "$T/dangling.txt" "$T/dangling-link.txt"
run "$SWANALYZE" "$LEAK" --report full -o "$T/dangling-link.txt"
check "-o through a dangling symlink: refused, nothing created" \
	eval '[ $rc = 4 ] && [ ! -e "$T/dangling.txt" ]'
printf '%s\n' "a much longer previous content than any report header" \
	"line 2" "line 3" >"$T/old.txt"
run "$SWANALYZE" "$LEAK" --report lightweight --format csv -o "$T/old.txt"
"$SWANALYZE" "$LEAK" --report lightweight --format csv >"$T/new.txt"
check "-o replaces an existing regular file (no old bytes left)" \
	eval '[ $rc = 0 ] && cmp -s "$T/old.txt" "$T/new.txt"'
cp "$LEAK" "$T/self.swt"
ln "$T/self.swt" "$T/self-link.swt"
for o in "$T/self.swt" "$T/self-link.swt"; do
	run "$SWANALYZE" "$T/self.swt" --report full -o "$o"
	check "-o naming the session itself ($(basename "$o")): exit 2, kept" \
		eval '[ $rc = 2 ] && cmp -s "$LEAK" "$T/self.swt" &&
		grep -q "is the session file itself" "$T/err"'
done
mkdir -p "$T/adir"
run "$SWANALYZE" "$LEAK" --report full -o "$T/adir"
check "-o to a directory: exit 4" \
	eval '[ $rc = 4 ] && grep -q "$T/adir" "$T/err"'
if [ -w /dev/full ]; then
	run "$SWANALYZE" "$LEAK" --report full -o /dev/full
	check "a full disk: exit 4" eval '[ $rc = 4 ]'
fi
run "$SWANALYZE" "$BUSY" --report full --fail-on high
check "--fail-on high with high findings: exit 1" eval '[ $rc = 1 ]'
run "$SWANALYZE" "$BUSY" --report full --fail-on critical
check "--fail-on critical without critical findings: exit 0" \
	eval '[ $rc = 0 ]'
run "$SWANALYZE" "$LEAK" --report full --fail-on high
check "--fail-on high on the leak (a high finding): exit 1" \
	eval '[ $rc = 1 ]'

run "$SWANALYZE" "$DAMAGED" --report full --fail-on high
check "damaged session: exit 3 (even with --fail-on), report written" \
	eval '[ $rc = 3 ] && grep -q "^Lost data" "$T/out"'
check "damaged session: warnings name the lost time ranges" \
	eval 'grep -q "^swanalyze: $DAMAGED: records lost between t=[0-9.]* s and t=[0-9.]* s (corrupt: " "$T/err" &&
	grep -q "^swanalyze: $DAMAGED: records lost after t=[0-9.]* s (truncated: " "$T/err"'
size=$(wc -c <"$LEAK")
dd if="$LEAK" of="$T/cut.swt" bs=$((size - 100)) count=1 2>/dev/null
run "$SWANALYZE" "$T/cut.swt" --report lightweight --format json
check "truncated session: exit 3, \"complete\": false" \
	eval '[ $rc = 3 ] && grep -q "\"complete\": false" "$T/out"'

# ---- determinism ---------------------------------------------------------------
for f in text json csv markdown html; do
	"$SWANALYZE" "$CTRS" --report full --format $f >"$T/a.$f" 2>&1
	"$SWANALYZE" "$CTRS" --report full --format $f >"$T/b.$f" 2>&1
	check "repeated runs are byte-identical ($f)" cmp -s "$T/a.$f" "$T/b.$f"
done
LC_ALL=de_DE.UTF-8 LANG=de_DE.UTF-8 TZ=Asia/Tokyo \
	"$SWANALYZE" "$CTRS" --report full --format json >"$T/c.json" 2>&1
check "locale and time zone do not change the output" \
	cmp -s "$T/a.json" "$T/c.json"

if command -v python3 >/dev/null 2>&1; then
	for r in lightweight full weight-analysis; do
		"$SWANALYZE" "$DAMAGED" --report $r --format json >"$T/j.json" \
			2>/dev/null
		check "JSON of $r parses, schema_version 10" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema_version"] == 10, d
assert d["report"] == sys.argv[2], d
' "$T/j.json" "$r"
	done
else
	ok "JSON parse check # SKIP python3 not found"
fi
done_testing
