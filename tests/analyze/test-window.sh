# test-window.sh — swanalyze/swreplay --from/--to on a finished file
# (format 1.6) read through its index and process directory: the same
# report as reading the file from the start (SWT_WINDOW_SCAN), and for
# swreplay the same timeline as the whole session's, cut to the window.
#
#   sh test-window.sh SWANALYZE SWREPLAY MKFIXTURE TMPDIR SRCDIR FIXTURES SWREC

if [ $# -ne 7 ]; then
	echo "Bail out! usage: $0 SWANALYZE SWREPLAY MKFIXTURE TMPDIR SRCDIR FIXTURES SWREC"
	exit 1
fi
SRC=$5
FIX=$6
SWREC=$7
set -- "$1" "$2" "$3" "$4" "$SRC" "$4"
. "$SRC/tap.sh"
SWANALYZE=$(abspath "$1")
SWREPLAY=$(abspath "$2")
SWREC=$(abspath "$SWREC")
MKFIXTURE=$(abspath "$3")
T=$(abspath "$4")
tap_sandbox
cd "$T" || echo "Bail out! cd $T"

PY=""
for p in /usr/bin/python3 python3; do
	if "$p" -c "import json" 2>/dev/null; then
		PY=$p
		break
	fi
done

"$MKFIXTURE" window w.swt
"$SWREPLAY" --check w.swt >check.txt 2>&1
check "the session has a process directory and several chunks" \
	eval 'grep -Eq "^format: 1\.([6-9]|[1-9][0-9])$" check.txt &&
	[ "$(sed -n "s/^chunks: \([0-9]*\) total.*/\1/p" check.txt)" -ge 8 ]'

# (the last four reach past the session's end, 300 s: they once found no
# sample through the index, and read as empty windows)
for win in "--from 50 --to 120" "--from 0 --to 30" "--from 150" \
	"--to 60" "--from 299.5" "--from 63 --to 63" "--from 2m --to 3m" \
	"--from 250 --to 400" "--from 290 --to 1h" "--to 400" "--from 350"; do
	# shellcheck disable=SC2086
	"$SWANALYZE" w.swt --report full --format json $win >a.json 2>a.err
	ra=$?
	# shellcheck disable=SC2086
	SWT_WINDOW_SCAN=1 "$SWANALYZE" w.swt --report full --format json \
		$win >b.json 2>b.err
	rb=$?
	check "swanalyze $win: through the index as from the start" \
		eval '[ $ra = 0 ] && [ $rb = 0 ] && cmp -s a.json b.json'
done

if [ -n "$PY" ]; then
	"$SWANALYZE" w.swt --report full --format json >whole.json
	"$SWANALYZE" w.swt --report full --format json --from 0 >from0.json
	check "--from 0: the whole session's report, the window named" \
		"$PY" -c '
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
assert a["session"].pop("window_from_s") is None
assert a["session"].pop("window_to_s") is None
assert b["session"].pop("window_from_s") == 0.0
assert b["session"].pop("window_to_s") is None
assert a == b
' whole.json from0.json
	"$SWANALYZE" w.swt --report full --format json --from 50 --to 120 \
		>w.json
	check "a window's report: its duration, rates and processes alive" \
		"$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
s = d["session"]
assert s["duration_s"] == 70.0, s
assert (s["window_from_s"], s["window_to_s"]) == (50.0, 120.0), s
assert s["complete"] is True, s
m = {x["name"]: x for x in d["modules"] if x["kind"] == "process"}
# server and leaky began before the window, as did the workers of 36.5,
# 43.5 and 49.5 (each lives 20 s): named, not "[pid N]"
assert set(m) == {"server", "leaky", "worker"}, sorted(m)

c = {x["name"]: x for x in d["counters"]}
assert c["ocr_call"]["count"] == 70 and c["ocr_call"]["per_minute"] == 60.0, c
' w.json

	# windows cut between samples add up to the session: each is made
	# of whole sampling intervals, its events after its start
	"$SWANALYZE" w.swt --report full --format json --to 50.3 >p1.json
	"$SWANALYZE" w.swt --report full --format json --from 50.3 \
		--to 120.7 >p2.json
	"$SWANALYZE" w.swt --report full --format json --from 120.7 >p3.json
	check "windows cut between samples add up to the whole session" \
		"$PY" "$SRC/window_sum.py" whole.json p1.json p2.json p3.json
	"$SWANALYZE" w.swt --report full --format json --from 50.3 --to 50.9 \
		>p4.json
	check "a window is whole intervals: from the last sample at or before --from to the last at or before --to" \
		"$PY" -c '
import json, sys
s = json.load(open(sys.argv[1]))["session"]
assert s["window_from_s"] == 50.0 and s["window_to_s"] == 50.0, s
assert s["duration_s"] == 0.0, s
' p4.json

	# the same on a real recording: a shell running short CPU-bound
	# children (most live between two samples), cut between samples
	"$SWREC" -q -i 0.1 -o real.swt -- sh -c '
		i=0
		while [ $i -lt 30 ]; do
			awk "BEGIN { for (j = 0; j < 1500000; j++) s += j }"
			i=$((i + 1))
		done' >rec.out 2>&1
	"$SWANALYZE" real.swt --report full --format json >r0.json
	cuts=$("$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))["session"]["duration_s"]
print("%.3f %.3f" % (d * 0.37 + 0.031, d * 0.71 + 0.057))
' r0.json)
	# shellcheck disable=SC2086
	set -- $cuts
	"$SWANALYZE" real.swt --report full --format json --to "$1" >r1.json
	"$SWANALYZE" real.swt --report full --format json --from "$1" \
		--to "$2" >r2.json
	"$SWANALYZE" real.swt --report full --format json --from "$2" >r3.json
	check "a recorded session: windows cut between samples add up to it" \
		"$PY" "$SRC/window_sum.py" --recorded r0.json r1.json r2.json \
		r3.json

	"$SWREPLAY" w.swt -t history_samples=5 -t memory_mb=35 -f jsonl \
		>full.jsonl
	for win in "50 120" "228 300" "0 40" "100 100" "133 200"; do
		# shellcheck disable=SC2086
		set -- $win
		"$SWREPLAY" w.swt -t history_samples=5 -t memory_mb=35 \
			--from "$1" --to "$2" -f jsonl >t.jsonl
		SWT_WINDOW_SCAN=1 "$SWREPLAY" w.swt -t history_samples=5 \
			-t memory_mb=35 --from "$1" --to "$2" -f jsonl >s.jsonl
		check "swreplay --from $1 --to $2: through the index as from the start" \
			cmp -s t.jsonl s.jsonl
		check "swreplay --from $1 --to $2: the whole timeline's events there (but leak, trend and forecast)" \
			"$PY" -c '
import json, sys
lo, hi = float(sys.argv[1]), float(sys.argv[2])
# (leak and trend significance, forecasts, which rest on the leak test,
# and the first starts and last ends of modules are of what was read: not
# compared)
def kept(l):
    e = json.loads(l)
    return (e["event"] not in ("leak_significant", "trend_significant",
                               "module_start", "module_end")
            and e["kind"] != "forecast")
a = [l for l in open("full.jsonl")
     if lo <= json.loads(l)["t_s"] <= hi and kept(l)]
b = [l for l in open("t.jsonl") if kept(l)]
assert a == b, (len(a), len(b), hi)
# a window read from after the start leaves those out altogether (but
# the last ends of modules, known once the end of the session was read)
if lo > 6:
    assert not [l for l in open("t.jsonl") if not kept(l)
                and json.loads(l)["event"] != "module_end"], lo
' "$1" "$2"
	done
else
	skip "report comparisons" "python3 not found"
fi

# a file without a directory (before format 1.6): read from the start
"$SWANALYZE" "$FIX/synthetic-leak/session.swt" --report full --format json \
	--from 600 --to 1200 >o.json
ro=$?
SWT_WINDOW_SCAN=1 "$SWANALYZE" "$FIX/synthetic-leak/session.swt" \
	--report full --format json --from 600 --to 1200 >p.json
check "an older file: the window read from the start, same report" \
	eval '[ $ro = 0 ] && cmp -s o.json p.json && grep -q "\"duration_s\": 600.000" o.json'

run "$SWANALYZE" w.swt --report full --from 90 --to 60
check "--from after --to: exit 2, said" \
	eval '[ $rc = 2 ] && grep -q "from is after --to" err'
run "$SWANALYZE" w.swt --report full --from soon
check "--from not a time: exit 2, named" \
	eval '[ $rc = 2 ] && grep -q "soon" err'
done_testing
