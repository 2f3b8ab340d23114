# The series over time of a real recording: swrec records a shell that
# spins, sleeps, spins and sleeps again (its rows never move faster than
# the clock: the sampler read the spinning shell at every sample);
# swanalyze's "series" section of the tree,
# its buckets' CPU means weighted by the time of the intervals they hold
# (swreplay --export csv: the tree's CPU % at each sample; --dump: the
# samples' exact times), must give the report's tree average (within the
# rounding of the printed figures), and the text report draws it in 60
# columns, pure ASCII with --ascii.
#
#   sh test-series.sh SWREC SWANALYZE SWREPLAY PYTHON3 TMPDIR
#
# TAP; works only inside TMPDIR, which it empties first.
set -u
. "$(dirname "$0")/../tap-core.sh"

tap_args 5 "$0 SWREC SWANALYZE SWREPLAY PYTHON3 TMPDIR" "$@"
SWREC=$1
SWANALYZE=$2
SWREPLAY=$3
PY=$4
T=$5
tap_sandbox

run "$SWREC" -q -i 100ms -o "$T/s.swt" -- sh -c \
	'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; sleep 1
	 i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; sleep 0.5'
check "swrec records a spinning shell" [ "$rc" -eq 0 ]

run "$SWANALYZE" "$T/s.swt" --report full --format json -o "$T/r.json"
check "swanalyze writes its JSON report" [ "$rc" -eq 0 ]

run "$SWREPLAY" --export csv "$T/s.swt" -o "$T/s.csv"
check "swreplay exports the session as CSV" [ "$rc" -eq 0 ]

run "$SWREPLAY" --dump "$T/s.swt"
check "swreplay dumps the session" [ "$rc" -eq 0 ]
mv "$T/out" "$T/s.jsonl"

# The processes here are single-threaded: between two samples neither
# can have burnt more CPU than the time between them, give or take where
# in its tick swrec read the rows (a sample is stamped before it reads
# them: a recorder held up in between on a loaded machine reads later),
# so 10 % and 5 ticks are allowed. A sampler that did not read the
# spinning shell for a while shows it as a burst: the BPF sampler did,
# in CI (its switch program missed a switch onto the shell:
# record/bpf/swt_sample.bpf.c, swt_tick), 40 ticks in 0.1 s.
check "no process burns more CPU than the clock between two samples" "$PY" -c '
import json, sys
hz = None
last = {}
bad = []
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["kind"] == "header":
        hz = r["clock_ticks"]
        t0 = r["t_ns"]
    if r["kind"] != "sample":
        continue
    for p in r["procs"]:
        c = p["utime"] + p["stime"]
        k = p["pid"]
        if k in last and p["nthreads"] == 1:
            t, c0 = last[k]
            allowed = (r["t_ns"] - t) * hz / 1e9 * 1.1 + 5
            if c - c0 > allowed:
                bad.append("pid %d: %d ticks in %.3f s (at %.3f s)" % (k, c - c0, (r["t_ns"] - t) / 1e9, (r["t_ns"] - t0) / 1e9))
        last[k] = (r["t_ns"], c)
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
' "$T/s.jsonl"

check "the tree's CPU over time averages to the report's" "$PY" -c '
import csv, json, sys
d = json.load(open(sys.argv[1]))
rows = [r for r in d["series"] if r["subject"] == "session"]
cpu = [r for r in rows if r["cpu_avg_percent"] is not None]
assert cpu, "no session rows with CPU"
# Each interval between samples weighs its time in the bucket that holds
# it, by the rules of docs/analysis.md section 14, on the exact times of
# the samples (the dump: the CSV has milliseconds, and from them an
# interval whose middle lay within one of a slot boundary, or one of
# 49.6 ms at 100 ms, was placed wrongly):
#   - one shorter than half the sampling interval after another (a late
#     sample, then one on time) is a part of that one: its CPU reaches
#     into it (late_credit), in the bucket or buckets of that one;
#   - one of 1.5 sampling intervals or more is spread over the buckets
#     its time covers;
#   - any other lies in the slot that holds its middle.
# An interval whose CPU the machine could not have burnt in it (its CPU %
# at the capacity of the machine) stands for the longer time that CPU
# needed (busy_span, docs/analysis.md section 2.1), in its bucket and in
# the average alike: its weight is the ticks its rows moved by over the
# rate of the machine (a CPU reading the BPF sampler took 300 ms late, before
# its timer program, made one such interval of the spinning shell;
# weighted by its length, the mean was 33.4 against 39.8).
# The CSV gives the CPU % of each interval, at its sample time from the
# session start rounded to the ms (half up, as swt_buf_fixed); one without
# (empty or no tree row) is not observed time. The slots count from the
# session start too (the header).
origin = iv = None
ts, ticks, last_rows = [], [], {}
for line in open(sys.argv[3]):
    r = json.loads(line)
    if r["kind"] == "header":
        origin, iv = r["start_mono_ns"], r["interval_ns"]
        rate = r["clock_ticks"] * r["cpu_count"]
        full = 100.0 * r["cpu_count"]
    elif r["kind"] == "sample":
        ts.append(r["t_ns"] - origin)
        rows = {p["pid"]: p["utime"] + p["stime"] + p.get("cutime", 0) +
                p.get("cstime", 0) for p in r.get("procs", [])}
        ticks.append(sum(v - last_rows[k] for k, v in rows.items()
                         if k in last_rows))
        last_rows = rows
def ms(ns):
    return (ns + 500000) // 1000000
pct = {}
for r in csv.DictReader(open(sys.argv[2])):
    if r["kind"] == "tree":
        pct[round(float(r["t_s"]) * 1000)] = r["cpu_percent"]
occ = [0.0] * len(cpu)
def spread(a, b, f):
    for i, r in enumerate(cpu):
        lo, hi = r["t_from_s"] * 1e9, r["t_to_s"] * 1e9
        if i == len(cpu) - 1:
            hi = max(hi, b)
        occ[i] += f * max(0, min(b, hi) - max(a, lo))
def bucket_of(slot):
    x = slot * iv
    for i, r in enumerate(cpu):
        if r["t_from_s"] * 1e9 <= x < r["t_to_s"] * 1e9 or \
           (i == len(cpu) - 1 and x >= r["t_from_s"] * 1e9):
            return i
    return None
prev, last = 0, None
for t, k in zip(ts, ticks):
    a, b, prev = prev, t, t
    v = pct.get(ms(t), "")
    if v == "":
        last = None
        continue
    # (the time it stands for, over its length)
    f = max(1.0, k * 1e9 / rate / (b - a)) if float(v) >= full - 0.01 \
        else 1.0
    if b - a < iv // 2 and last is not None:
        if len(last) == 1:
            occ[last[0]] += b - a
        else:
            spread(last[0], last[1], (b - a) / (last[1] - last[0]))
    elif b - a >= iv + iv // 2:
        spread(a, b, f)
        last = (a, b)
    else:
        i = bucket_of((a + (b - a) // 2) // iv)
        if i is not None:
            occ[i] += f * (b - a)
        last = (i,) if i is not None else None
w = sum(occ)
assert w > 0, "no time in the buckets"
mean = sum(r["cpu_avg_percent"] * o for r, o in zip(cpu, occ)) / w
avg = d["cpu_percent"]["avg"]
# the buckets are rounded to 0.1 %, the average too
ok = abs(mean - avg) <= 0.2
sys.stderr.write("series mean %.3f, report average %.1f\n" % (mean, avg))
if not ok:
    for r, o in zip(cpu, occ):
        sys.stderr.write("bucket %.1f-%.3f s: %.1f %%, %.1f ms\n" %
                         (r["t_from_s"], r["t_to_s"], r["cpu_avg_percent"],
                          o / 1e6))
    for t in ts:
        sys.stderr.write("sample %.6f s: %s\n" %
                         (t / 1e9, pct.get(ms(t), "?")))
sys.exit(0 if ok else 1)
' "$T/r.json" "$T/s.csv" "$T/s.jsonl"
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
