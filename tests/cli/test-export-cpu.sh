# The exports' tree CPU is the engine's (docs/exports.md § CPU % and RSS
# MB): on a real recording of a shell that runs 200 short /bin/true and
# short busy children (most born and gone between two samples, their CPU
# known only from exit records and their parents' reaped children), the
# session's CPU % counter of chrome-json, csv and perfetto, integrated
# over the intervals its values end, is swanalyze's cpu_s within 1 %.
#
#   sh test-export-cpu.sh SWREC SWREPLAY SWANALYZE TMPDIR SRCDIR PROTODIR
. "$(dirname "$0")/../tap-core.sh"

tap_args 6 "$0 SWREC SWREPLAY SWANALYZE TMPDIR SRCDIR PROTODIR" "$@"
SWREC=$1
SWREPLAY=$2
SWANALYZE=$3
T=$4
SRCDIR=$5
PROTODIR=$6
tap_sandbox

# the system's python (a `python3` on PATH may be a shim needing a home)
PY=/usr/bin/python3
CHECK=$SRCDIR/export_check.py
PCHECK=$SRCDIR/perfetto_check.py
if [ ! -x "$PY" ]; then
	echo "1..0 # SKIP no /usr/bin/python3"
	exit 0
fi

value() {
	sed -n "s/^$1 //p" "$2"
}

# within INTEGRAL_MS CPU_S: |integral - cpu_s| <= 1 % of cpu_s (and 5 ms
# of rounding: the CSV's times have 3 decimals). An interval of the tree
# at the machine's capacity may have had its CPU % taken over a longer
# span than the interval (the engine's busy_span, docs/exports.md): the
# integral misses what the longer span held, so it may be short by that
# much more, allowed up to another interval at capacity for each such
# interval (CAPPED_MS, below; the short last look of a session is
# usually one: a few ms). On a machine loaded by other tests, swrec's late
# ticks made such an interval in the middle, and the integral was 1.06 %
# short.
within() {
	"$PY" -c 'import sys
i, c, extra = float(sys.argv[1]), float(sys.argv[2]) * 1000, \
	float(sys.argv[3])
tol = max(c * 0.01, 5)
sys.exit(0 if c > 0 and i - c <= tol and c - i <= tol + extra
	 else 1)' "$1" "$2" "$CAPPED_MS"
}

run "$SWREC" -q -i 200ms -o "$T/s.swt" -- sh -c '
	i=0
	while [ $i -lt 200 ]; do /bin/true; i=$((i+1)); done
	j=0
	while [ $j -lt 30 ]; do
		sh -c "k=0; while [ \$k -lt 20000 ]; do k=\$((k+1)); done" &
		sh -c "k=0; while [ \$k -lt 10000 ]; do k=\$((k+1)); done"
		wait
		j=$((j+1))
	done'
check "swrec records a shell with short-lived children" [ "$rc" -eq 0 ]

run "$SWANALYZE" "$T/s.swt" --report full --format json -o "$T/r.json"
check "swanalyze writes its JSON report" [ "$rc" -eq 0 ]
cpu_s=$("$PY" -c 'import json, sys
print(json.load(open(sys.argv[1]))["session"]["cpu_s"])' "$T/r.json")
# the tree's intervals at the machine's capacity (CPU % of the CSV's tree
# rows at cpu_count x 100): their length at capacity, in CPU ms
ncpu=$("$SWREPLAY" --dump "$T/s.swt" 2>/dev/null | "$PY" -c 'import json, sys
print(json.loads(sys.stdin.readline())["cpu_count"])')
"$SWREPLAY" --export csv "$T/s.swt" -o "$T/cap.csv" 2>/dev/null
CAPPED_MS=$(awk -F, -v cap="$((${ncpu:-0} * 100))" \
	'$2 != "tree" { next }
	 $7 != "" && $7 + 0 >= cap - 0.005 {
		n++; ms += cap / 100 * ($1 - prev) * 1000 }
	 { prev = $1 }
	 END { printf "%.0f\n", ms }' "$T/cap.csv")
diag <<EOF2
swanalyze cpu_s $cpu_s
tree intervals at the capacity of $ncpu CPUs: $CAPPED_MS CPU ms
EOF2

run "$SWREPLAY" --export chrome-json "$T/s.swt" -o "$T/s.json"
"$PY" "$CHECK" trace "$T/s.json" >"$T/s.trace" 2>"$T/err"
check "chrome-json: the tree's CPU integrates to swanalyze's cpu_s" \
	within "$(value cpu_integral_ms "$T/s.trace")" "$cpu_s"
echo "chrome-json integral $(value cpu_integral_ms "$T/s.trace") ms" | diag

check "chrome-json: module counters, the shell's reaped children's CPU" \
	grep -q '^{"name":"CPU % process sh (reaped children)","cat":"module","ph":"C",' \
	"$T/s.json"
check "chrome-json: a module's counter drops to 0 when it is gone" \
	grep -q '^{"name":"CPU % process true","cat":"module","ph":"C",.*"args":{"value":0.00}}' \
	"$T/s.json"
"$SWREPLAY" --export chrome-json "$T/s.swt" -o "$T/s2.json" 2>/dev/null
check "chrome-json: the same bytes again" cmp -s "$T/s.json" "$T/s2.json"

run "$SWREPLAY" --export csv "$T/s.swt" -o "$T/s.csv"
"$SWREPLAY" --export csv "$T/s.swt" -o "$T/s2.csv" 2>/dev/null
check "csv: the same bytes again" cmp -s "$T/s.csv" "$T/s2.csv"
"$SWREPLAY" --dump "$T/s.swt" >"$T/dump.jsonl" 2>/dev/null
csv_rc=0
"$PY" "$CHECK" csv "$T/s.csv" "$T/dump.jsonl" >"$T/s.csvcheck" 2>"$T/err" ||
	csv_rc=$?
check "csv: the rows keep the rules" [ "$csv_rc" -eq 0 ]
check "csv: the tree's CPU integrates to swanalyze's cpu_s" \
	within "$(value cpu_integral_ms "$T/s.csvcheck")" "$cpu_s"
echo "csv integral $(value cpu_integral_ms "$T/s.csvcheck") ms" | diag
check "csv: module rows for the shell and its reaped children" \
	eval 'grep -q ",module,sh,,,sh,[0-9.]*,[0-9.]*,,,,process$" "$T/s.csv" &&
	      grep -q ",module,sh (reaped children),,,sh,[0-9.]*,,,,,process$" "$T/s.csv"'

if command -v protoc >/dev/null 2>&1; then
	run "$SWREPLAY" --export perfetto "$T/s.swt" -o "$T/s.pftrace"
	protoc --decode=perfetto.protos.Trace -I "$PROTODIR" \
		"$PROTODIR/perfetto_trace.proto" <"$T/s.pftrace" >"$T/s.txt" \
		2>"$T/err"
	"$PY" "$PCHECK" "$T/s.txt" >"$T/s.pfcheck" 2>"$T/err"
	check "perfetto: the tree's CPU integrates to swanalyze's cpu_s" \
		within "$(value cpu_integral_ms "$T/s.pfcheck")" "$cpu_s"
	check "perfetto: module counter tracks under the session" \
		grep -q 'name: "CPU % process sh (reaped children)"' "$T/s.txt"
	echo "perfetto integral $(value cpu_integral_ms "$T/s.pfcheck") ms" | diag
else
	skip "perfetto: the tree's CPU integrates to swanalyze's cpu_s" \
		"protoc not found"
	skip "perfetto: module counter tracks under the session" \
		"protoc not found"
fi

done_testing
