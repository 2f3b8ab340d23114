# swreplay --export chrome-json|csv: the Trace Event Format and CSV exports
# of the fixtures, of sessions written by mksession (spans that break the
# rules, names that need quoting), of a cut file and of a real recording,
# checked by export_check.py (docs/exports.md states the rules); the
# option errors and their exit status.
#
#   sh test-export.sh SWREPLAY MKSESSION TMPDIR SRCDIR FIXTURES SWREC EXAMPLE
. "$(dirname "$0")/../tap-core.sh"

tap_args 7 "$0 SWREPLAY MKSESSION TMPDIR SRCDIR FIXTURES SWREC EXAMPLE" "$@"
SWREPLAY=$1
MKSESSION=$2
T=$3
SRCDIR=$4
FIXTURES=$5
SWREC=$6
EXAMPLE=$7
tap_sandbox

# swrec runs inside $T: meson may pass paths relative to the build tree
case $SWREC in /*) ;; *) SWREC=$(pwd)/$SWREC ;; esac
case $EXAMPLE in /*) ;; *) EXAMPLE=$(pwd)/$EXAMPLE ;; esac

# The tests' python is the system's (a `python3` on PATH may be a pyenv
# shim that needs a home directory).
PY=/usr/bin/python3
CHECK=$SRCDIR/export_check.py

lines() {
	wc -l <"$1" | tr -d ' '
}

# mk KIND FILE: a session from mksession, or bail out.
mk() {
	if ! "$MKSESSION" "$1" "$2" >"$T/mk.out" 2>"$T/mk.err"; then
		echo "Bail out! mksession $1 failed: $(cat "$T/mk.err")"
		exit 1
	fi
}

# value KEY FILE: the value of a "key value" line of export_check.py.
value() {
	sed -n "s/^$1 //p" "$2"
}

# trace_ok JSON OUT: export_check.py's trace rules hold for JSON; its
# summary in OUT (the failure on stderr, shown by not_ok).
trace_ok() {
	"$PY" "$CHECK" trace "$1" >"$2" 2>"$T/check.err" || {
		cat "$T/check.err" >"$T/err"
		return 1
	}
}

# csv_ok CSV SESSION OUT: the CSV's rows agree with the dump of SESSION.
csv_ok() {
	"$SWREPLAY" --dump "$2" >"$T/dump.jsonl" 2>/dev/null
	"$PY" "$CHECK" csv "$1" "$T/dump.jsonl" >"$3" 2>"$T/check.err" || {
		cat "$T/check.err" >"$T/err"
		return 1
	}
}

# begins SESSION: BEGIN events in the file.
begins() {
	"$SWREPLAY" --dump "$1" 2>/dev/null | grep -o '"kind":"begin"' |
		wc -l | tr -d ' '
}

if [ ! -x "$PY" ]; then
	echo "1..0 # SKIP no /usr/bin/python3"
	exit 0
fi

# ---- every fixture ----------------------------------------------------------
for dir in "$FIXTURES"/*/; do
	f=$dir/session.swt
	[ -f "$f" ] || continue
	name=$(basename "$dir")
	want=0
	[ "$name" = synthetic-damaged ] && want=3
	run "$SWREPLAY" --export chrome-json "$f" -o "$T/$name.json"
	check "$name: chrome-json exits $want" [ "$rc" -eq "$want" ]
	check "$name: the trace keeps the rules" \
		trace_ok "$T/$name.json" "$T/$name.trace"
	run "$SWREPLAY" --export csv "$f" -o "$T/$name.csv"
	check "$name: csv exits $want" [ "$rc" -eq "$want" ]
	check "$name: every CSV row agrees with the dump" \
		csv_ok "$T/$name.csv" "$f" "$T/$name.csvcheck"
	check "$name: the CSV has a row for every process and thread row" \
		[ "$(value missing "$T/$name.csvcheck")" = 0 ]
done

ex=$FIXTURES/recorded-example/session.swt
check "recorded-example: every span is a B/E pair" \
	[ "$(value spans "$T/recorded-example.trace")" = "$(begins "$ex")" ]
check "recorded-example: module spans are named after the modules" \
	grep -q '"name":"vision_system","cat":"module","ph":"B"' \
	"$T/recorded-example.json"
check "recorded-example: the threads are named" \
	grep -q '"name":"thread_name","ph":"M",[^}]*"args":{"name":"ocr_processor"}' \
	"$T/recorded-example.json"
check "recorded-example: counts are cumulative counters (40 OCR calls)" \
	grep -q '"name":"ocr_call","cat":"counter","ph":"C",[^}]*"args":{"value":40}' \
	"$T/recorded-example.json"
check "recorded-example: CPU % and RSS MB counters of the session" \
	eval 'grep -q "\"name\":\"CPU %\",\"cat\":\"session\",\"ph\":\"C\"" \
	      "$T/recorded-example.json" &&
	      grep -q "\"name\":\"RSS MB\",\"cat\":\"session\",\"ph\":\"C\"" \
	      "$T/recorded-example.json"'
check "synthetic-counters: every span is a B/E pair" \
	[ "$(value spans "$T/synthetic-counters.trace")" = \
	  "$(begins "$FIXTURES/synthetic-counters/session.swt")" ]
check "synthetic-busy: CPU values in the CSV for processes and threads" \
	[ "$(value cpu_values "$T/synthetic-busy.csvcheck")" -gt 1000 ]
check "synthetic-damaged: the export says it holds the readable part only" \
	eval '"$SWREPLAY" --export csv "$FIXTURES/synthetic-damaged/session.swt" \
	      2>&1 >/dev/null | grep -q "exported the readable part only"'

# ---- determinism and the output --------------------------------------------
run "$SWREPLAY" --export chrome-json "$ex"
check "chrome-json to standard output is the -o file" \
	cmp -s "$T/out" "$T/recorded-example.json"
cp "$T/out" "$T/again.json"
run "$SWREPLAY" --export chrome-json "$ex" -o -
check "-o - is standard output" cmp -s "$T/out" "$T/again.json"
run "$SWREPLAY" --export csv "$ex"
check "the CSV export is byte-identical across runs" \
	cmp -s "$T/out" "$T/recorded-example.csv"
check "a clean export prints nothing on stderr" [ ! -s "$T/err" ]
check "the CSV header names the columns" \
	[ "$(head -n 1 "$T/out")" = \
	  "t_s,kind,name,pid,tid,process,cpu_percent,rss_mb,threads,io_read_mb,io_write_mb,module_kind" ]
check "the trace ends with displayTimeUnit ms" \
	grep -q '^"displayTimeUnit":"ms",$' "$T/again.json"

# ---- spans that break the rules --------------------------------------------
f=$T/spans.swt
mk spans "$f"
run "$SWREPLAY" --export chrome-json "$f" -o "$T/spans.json"
check "repaired spans: exit 0" [ "$rc" -eq 0 ]
check "repaired spans: one stderr line counts the repairs" \
	[ "$(cat "$T/err")" = "swreplay: $f: export: 1 span still open at the end, closed at the last time read; 1 end without a begin dropped; 1 span event out of time order on its thread, moved forward" ]
check "repaired spans: the trace keeps the rules" \
	trace_ok "$T/spans.json" "$T/spans.trace"
check "repaired spans: 7 B/E pairs" [ "$(value spans "$T/spans.trace")" = 7 ]
check "an END closes the spans inside it first, at its time" \
	eval 'grep "\"ph\":\"E\"" "$T/spans.json" | sed -n 1,3p |
	      sed "s/.*\"name\":\"\([a-z]*\)\".*\"ts\":\([0-9.]*\),.*/\1 \2/" |
	      tr "\n" " " | grep -qx "leaf 200000.050 inner 200000.050 outer 200000.050 "'
check "an END without a BEGIN is dropped" \
	eval '! grep -q "\"name\":\"ghost\"" "$T/spans.json"'
check "a span never ended closes at the last time read" \
	grep -q '"name":"late","cat":"module","ph":"E","ts":600000.000,' \
	"$T/spans.json"
check "an END earlier than its thread's last event moves to that time" \
	grep -q '"name":"c","cat":"module","ph":"E","ts":200000.090,' \
	"$T/spans.json"
check "a reused pid is named after its last process" \
	grep -q '"name":"process_name","ph":"M","ts":0,"pid":400,"tid":400,"args":{"name":"reused"' \
	"$T/spans.json"
check "an execve() is an instant of its own" \
	grep -q '"name":"process exec","cat":"process","ph":"i",[^}]*"comm":"python3"' \
	"$T/spans.json"
run "$SWREPLAY" --export csv "$f" -o "$T/spans.csv"
check "names with commas and quotes: the CSV rows agree with the dump" \
	csv_ok "$T/spans.csv" "$f" "$T/spans.csvcheck"
check "names with commas and quotes are quoted (RFC 4180)" \
	grep -q '^0.300,process,"a,""b""",300,,"a,""b""",100.00,2.500,2,' \
	"$T/spans.csv"
check "an execve() keeps the CPU base, a reused pid starts a new one" \
	eval 'grep -q "^0.300,process,python3,400,,python3,100.00," "$T/spans.csv" &&
	      grep -q "^0.500,process,reused,400,,reused,,0.977," "$T/spans.csv"'
check "the tree's CPU is the engine's figure for the interval" \
	grep -q '^0.300,tree,session,,,,200.00,3.477,3,' "$T/spans.csv"

# every record kind: alerts, marks, starts and exits
f=$T/clean.swt
mk clean "$f"
run "$SWREPLAY" --export chrome-json "$f" -o "$T/clean.json"
check "all kinds: the trace keeps the rules" \
	trace_ok "$T/clean.json" "$T/clean.trace"
check "an alert recorded live is a global instant" \
	grep -q '"name":"alert: cpu of parse","cat":"alert","ph":"i",[^}]*"s":"g","args":{"kind":"cpu","subject":"parse","value":1.500,"threshold":1.000}' \
	"$T/clean.json"
check "a mark is an instant" \
	grep -q '"name":"done","cat":"mark","ph":"i",' "$T/clean.json"
check "a process exit is an instant with its status" \
	grep -q '"name":"process exit","cat":"process","ph":"i","ts":800000.000,"pid":101,"tid":101,"s":"p","args":{"exit_code":0,"signal":9,"core_dumped":true}}' \
	"$T/clean.json"

# ---- a window ----------------------------------------------------------------
run "$SWREPLAY" --export chrome-json --from 30 --to 60 "$ex" -o "$T/win.json"
check "window: exit 0" [ "$rc" -eq 0 ]
check "window: the trace keeps the rules" trace_ok "$T/win.json" "$T/win.trace"
# within LO HI FILE: "ts_min"/"ts_max" of a trace summary within [LO, HI]
within() {
	"$PY" -c 'import sys
lo, hi = float(sys.argv[1]), float(sys.argv[2])
v = dict(l.split() for l in open(sys.argv[3]))
sys.exit(not (lo <= float(v["ts_min"]) and float(v["ts_max"]) <= hi))' "$@"
}
check "window: every event inside it, session-relative" \
	within 30e6 60e6 "$T/win.trace"
run "$SWREPLAY" --export chrome-json --from 0.3 --to 0.5 "$T/spans.swt" \
	-o "$T/spanwin.json"
check "window: a span across it is cut at both ends" \
	eval 'grep -q "\"name\":\"late\",\"cat\":\"module\",\"ph\":\"B\",\"ts\":300000.000," "$T/spanwin.json" &&
	      grep -q "\"name\":\"late\",\"cat\":\"module\",\"ph\":\"E\",\"ts\":500000.000," "$T/spanwin.json"'
check "window: spans wholly before it are left out" \
	eval '! grep -q "\"name\":\"outer\"" "$T/spanwin.json" &&
	      trace_ok "$T/spanwin.json" "$T/spanwin.trace"'
run "$SWREPLAY" --export csv --from 30 --to 60 "$ex" -o "$T/win.csv"
check "window: the CSV rows agree with the dump" \
	csv_ok "$T/win.csv" "$ex" "$T/win.csvcheck"
check "window: its first process row has a CPU value (base before it)" \
	eval 'grep "^[0-9.]*,process," "$T/win.csv" | head -n 1 |
	      grep -q "^30\.[0-9]*,process,swt-example,[0-9]*,,swt-example,[0-9]"'
check "window: CSV rows only inside it" \
	"$PY" -c 'import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
sys.exit(not rows or not all(30 <= float(r["t_s"]) <= 60 for r in rows))' \
	"$T/win.csv"

# ---- a cut file --------------------------------------------------------------
size=$(wc -c <"$ex" | tr -d ' ')
dd if="$ex" of="$T/cut.swt" bs=$((size * 2 / 3)) count=1 2>/dev/null
run "$SWREPLAY" --export chrome-json "$T/cut.swt" -o "$T/cut.json"
check "cut file: exit 3" [ "$rc" -eq 3 ]
check "cut file: stderr names the truncation and the offset" \
	grep -q "^swreplay: $T/cut.swt: truncated at byte [0-9]" "$T/err"
check "cut file: stderr says the export holds the readable part" \
	grep -qx "swreplay: $T/cut.swt: exported the readable part only" \
	"$T/err"
check "cut file: the trace keeps the rules" trace_ok "$T/cut.json" "$T/cut.trace"
check "cut file: spans of the readable part are exported" \
	[ "$(value spans "$T/cut.trace")" -gt 100 ]
run "$SWREPLAY" --export csv "$T/cut.swt" -o "$T/cut.csv"
check "cut file: the CSV exits 3 and agrees with the readable records" \
	eval '[ "$rc" -eq 3 ] && csv_ok "$T/cut.csv" "$T/cut.swt" "$T/cut.csvcheck"'

# ---- options and errors ------------------------------------------------------
run "$SWREPLAY" --export html "$ex"
check "an unknown export format is a usage error (2)" \
	eval '[ "$rc" -eq 2 ] && grep -q "^swreplay: unknown export format (expected chrome-json, csv or perfetto): html$" "$T/err"'
run "$SWREPLAY" "$ex" -o "$T/x.json"
check "-o without --export is a usage error" \
	eval '[ "$rc" -eq 2 ] && grep -q "^swreplay: -o/--output goes with --export$" "$T/err" &&
	      [ ! -e "$T/x.json" ]'
run "$SWREPLAY" --export csv --dump "$ex"
check "--export and --dump exclude each other" [ "$rc" -eq 2 ]
run "$SWREPLAY" --export csv --format json "$ex"
check "--export takes no --format" \
	eval '[ "$rc" -eq 2 ] && grep -q "^swreplay: --export takes --from, --to and -o only" "$T/err"'
run "$SWREPLAY" --export csv "$T/no-such.swt" -o "$T/y.csv"
check "a missing FILE is a usage error and leaves OUT alone" \
	eval '[ "$rc" -eq 2 ] && [ ! -e "$T/y.csv" ]'
cp "$ex" "$T/self.swt"
run "$SWREPLAY" --export csv "$T/self.swt" -o "$T/self.swt"
check "-o FILE itself is a usage error" \
	eval '[ "$rc" -eq 2 ] && cmp -s "$ex" "$T/self.swt"'
run "$SWREPLAY" --export csv "$ex" -o "$T/no-dir/out.csv"
check "an OUT that cannot be created exits 4 with one line" \
	eval '[ "$rc" -eq 4 ] && [ "$(lines "$T/err")" -eq 1 ] &&
	      grep -q "^swreplay: $T/no-dir/out.csv: " "$T/err"'
if [ -w /dev/full ]; then
	run "$SWREPLAY" --export chrome-json "$ex" -o /dev/full
	check "a failed write exits 4" \
		eval '[ "$rc" -eq 4 ] && grep -q "^swreplay: /dev/full: write error: " "$T/err"'
else
	skip "a failed write exits 4" "no /dev/full"
fi

# ---- a real recording ----------------------------------------------------------
# the bundled example: spans on named threads, counts, marks, and with a
# low CPU threshold the alerts of swrec --alerts
if (cd "$T" && "$SWREC" -q -i 0.1 --alerts=/dev/null -t cpu_percent=5 \
	-o real.swt -- "$EXAMPLE" -d 1s -r 600 -e 600 -b 90 \
	>"$T/rec.out" 2>"$T/rec.err"); then
	run "$SWREPLAY" --export chrome-json "$T/real.swt" -o "$T/real.json"
	check "recorded: chrome-json exits 0" [ "$rc" -eq 0 ]
	check "recorded: the trace keeps the rules" \
		trace_ok "$T/real.json" "$T/real.trace"
	check "recorded: every span is a B/E pair" \
		[ "$(value spans "$T/real.trace")" = "$(begins "$T/real.swt")" ]
	check "recorded: spans exported" [ "$(value spans "$T/real.trace")" -gt 0 ]
	check "recorded: the live alerts are instants" \
		[ "$(value alerts "$T/real.trace")" -ge 1 ]
	check "recorded: the module threads are named" \
		grep -q '"name":"thread_name",[^}]*"args":{"name":"vision_system"}' \
		"$T/real.json"
	run "$SWREPLAY" --export csv "$T/real.swt" -o "$T/real.csv"
	check "recorded: the CSV rows agree with the dump" \
		eval '[ "$rc" -eq 0 ] && csv_ok "$T/real.csv" "$T/real.swt" "$T/real.csvcheck"'
	check "recorded: CPU values for the process and its threads" \
		[ "$(value cpu_values "$T/real.csvcheck")" -gt 10 ]
else
	not_ok "recorded: swrec records the example"
	diag <"$T/rec.err"
fi

done_testing
