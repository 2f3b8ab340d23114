# The series over time of a real recording: swrec records a shell that
# spins, sleeps, spins and sleeps again; swanalyze's "series" section of the tree,
# its buckets' CPU means weighted by their length, must give the report's
# tree average (within the rounding of the printed figures), and the text
# report draws it in 60 columns, pure ASCII with --ascii.
#
#   sh test-series.sh SWREC SWANALYZE PYTHON3 TMPDIR
#
# TAP; works only inside TMPDIR, which it empties first.
set -u
. "$(dirname "$0")/../tap-core.sh"

tap_args 4 "$0 SWREC SWANALYZE PYTHON3 TMPDIR" "$@"
SWREC=$1
SWANALYZE=$2
PY=$3
T=$4
tap_sandbox

run "$SWREC" -q -i 100ms -o "$T/s.swt" -- sh -c \
	'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; sleep 1
	 i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; sleep 0.5'
check "swrec records a spinning shell" [ "$rc" -eq 0 ]

run "$SWANALYZE" "$T/s.swt" --report full --format json -o "$T/r.json"
check "swanalyze writes its JSON report" [ "$rc" -eq 0 ]

check "the tree's CPU over time averages to the report's" "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
rows = [r for r in d["series"] if r["subject"] == "session"]
assert rows, "no session rows"
cpu = [r for r in rows if r["cpu_avg_percent"] is not None]
w = sum(r["t_to_s"] - r["t_from_s"] for r in cpu)
mean = sum(r["cpu_avg_percent"] * (r["t_to_s"] - r["t_from_s"])
           for r in cpu) / w
avg = d["cpu_percent"]["avg"]
# the buckets are rounded to 0.1 %, the average too; a bucket weighs its
# nominal length, its intervals a few ms more or less (the last one, after
# the command has gone, is shorter: the shell sleeps at the end so that
# it holds no CPU)
ok = abs(mean - avg) <= max(0.2, avg * 0.02)
sys.stderr.write("series mean %.3f, report average %.1f\n" % (mean, avg))
sys.exit(0 if ok else 1)
' "$T/r.json"
"$PY" - "$T/r.json" <<'PYEOF' | diag
import json, sys
d = json.load(open(sys.argv[1]))
rows = [r for r in d["series"] if r["subject"] == "session"]
print("%d session buckets, report avg %s" % (len(rows), d["cpu_percent"]["avg"]))
PYEOF

run "$SWANALYZE" "$T/s.swt" --report full
check "the text report draws the tree's CPU in 60 columns" "$PY" -c '
import sys
t = open(sys.argv[1], encoding="utf-8").read()
i = t.index("\nOver time\n")
line = [l for l in t[i:].split("\n") if l.startswith("    cpu  ")][0]
bars = line[len("    cpu  "):][:60]
assert len(bars) == 60 and set(bars) <= set(" \u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588"), bars
assert "\u2588" in bars, bars
' "$T/out"

run "$SWANALYZE" "$T/s.swt" --report full --ascii
check "--ascii: the text report is pure ASCII" "$PY" -c '
import sys
b = open(sys.argv[1], "rb").read()
sys.exit(0 if all(c < 0x80 for c in b) and b"\nOver time\n" in b else 1)
' "$T/out"

done_testing
