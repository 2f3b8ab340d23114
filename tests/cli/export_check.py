"""Checks of swreplay --export output, for test-export.sh.

  export_check.py trace OUT.json
      the Trace Event Format rules of docs/exports.md: the JSON parses
      (no NaN, no float keys), metadata first, then events sorted by ts;
      every B has its E on the same pid/tid, properly nested, never before
      it; counter tracks go forward in time; every pid with events has a
      process_name and every thread with spans or marks a thread_name.
      Prints "key value" lines (events, spans, counters, instants, alerts,
      pids, ts_min, ts_max, cpu_integral_ms: the session's CPU % counter
      integrated over the intervals it ends) for the script to compare.

  export_check.py csv OUT.csv DUMP.jsonl
      the CSV parses (RFC 4180, csv module), has the documented header,
      and every process and thread row's cpu_percent and rss_mb, and every
      tree row's RSS sum, are those computed here from `swreplay --dump` of
      the same file (the tree's CPU is the engine's: only its form is
      checked, and its integral printed); module rows have a known
      module_kind and numbers in the documented form. Prints "rows N",
      "cpu_values N", "missing N" (sample rows of the dump with no CSV
      row: 0 unless a window was cut), "module_rows N" and
      "cpu_integral_ms N" (the tree's CPU % x the interval each value
      ends: from the previous sample, or the session start).

Exits 1 with the first failure on stderr.
"""
import csv
import json
import re
import sys
from fractions import Fraction

HEADER = ["t_s", "kind", "name", "pid", "tid", "process", "cpu_percent",
          "rss_mb", "threads", "io_read_mb", "io_write_mb", "module_kind"]
MODULE_KINDS = ("process", "thread", "module")
CENTI = re.compile(r"^[0-9]+\.[0-9]{2}$")
MILLI = re.compile(r"^[0-9]+\.[0-9]{3}$")


def fail(msg):
    sys.stderr.write("export_check: " + msg + "\n")
    sys.exit(1)


def no_constant(s):
    raise ValueError("non-standard JSON constant " + s)


def check_trace(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f, parse_constant=no_constant)
    if not isinstance(doc, dict) or not isinstance(doc.get("traceEvents"), list):
        fail("no traceEvents array")
    if doc.get("displayTimeUnit") != "ms":
        fail("displayTimeUnit is not ms")
    evs = doc["traceEvents"]
    named_pids, named_threads = set(), set()
    seen_other = False
    last_ts = None
    stacks = {}          # (pid, tid) -> [(name, ts)]
    last_span_ts = {}    # (pid, tid) -> ts
    last_counter = {}    # (pid, name) -> ts
    used_pids, span_threads = set(), set()
    n = {"events": 0, "spans": 0, "counters": 0, "instants": 0,
         "alerts": 0}
    ts_min = ts_max = None
    grid = {0}           # the session counters' times (us): the samples
    ses_cpu = []         # (ts, value) of the session's CPU %
    for i, e in enumerate(evs):
        for k in ("name", "ph", "pid", "tid"):
            if k not in e:
                fail("event %d has no %s: %r" % (i, k, e))
        ph = e["ph"]
        if ph == "M":
            if seen_other:
                fail("metadata after other events: %r" % e)
            if e["name"] == "process_name":
                named_pids.add(e["pid"])
            elif e["name"] == "thread_name":
                named_threads.add((e["pid"], e["tid"]))
            if not isinstance(e.get("args", {}).get("name"), str):
                fail("metadata without a name: %r" % e)
            continue
        seen_other = True
        n["events"] += 1
        ts = e["ts"]
        if not isinstance(ts, (int, float)):
            fail("ts is not a number: %r" % e)
        if last_ts is not None and ts < last_ts:
            fail("events not sorted by ts at %r" % e)
        last_ts = ts
        ts_min = ts if ts_min is None else min(ts_min, ts)
        ts_max = ts if ts_max is None else max(ts_max, ts)
        key = (e["pid"], e["tid"])
        used_pids.add(e["pid"])
        if ph in ("B", "E"):
            span_threads.add(key)
            if key in last_span_ts and ts < last_span_ts[key]:
                fail("B/E ts goes back on %r: %r" % (key, e))
            last_span_ts[key] = ts
            st = stacks.setdefault(key, [])
            if ph == "B":
                st.append((e["name"], ts))
            else:
                if not st:
                    fail("E without B: %r" % e)
                name, bts = st.pop()
                if name != e["name"]:
                    fail("E %r closes %r: not nested" % (e, name))
                if ts < bts:
                    fail("E before its B: %r" % e)
                n["spans"] += 1
        elif ph == "C":
            ck = (e["pid"], e["name"])
            if ck in last_counter and ts < last_counter[ck]:
                fail("counter track %r goes back: %r" % (ck, e))
            last_counter[ck] = ts
            if e["pid"] == 0 and e.get("cat") == "session":
                grid.add(ts)
                if e["name"] == "CPU %":
                    ses_cpu.append((ts, e["args"]["value"]))
            vals = e.get("args", {})
            if not vals or not all(isinstance(v, (int, float))
                                   for v in vals.values()):
                fail("counter without numeric args: %r" % e)
            n["counters"] += 1
        elif ph == "i":
            if e.get("s") not in ("g", "p", "t"):
                fail("instant without scope: %r" % e)
            n["instants"] += 1
            if e.get("cat") == "alert":
                n["alerts"] += 1
        else:
            fail("unexpected phase: %r" % e)
    for key, st in stacks.items():
        if st:
            fail("B without E on %r: %r" % (key, st))
    missing = used_pids - named_pids
    if missing:
        fail("pids without process_name: %r" % sorted(missing))
    missing = span_threads - named_threads
    if missing:
        fail("threads with spans but no thread_name: %r" % sorted(missing))
    for k in ("events", "spans", "counters", "instants", "alerts"):
        print(k, n[k])
    print("pids", len(used_pids))
    print("ts_min", ts_min if ts_min is not None else "none")
    print("ts_max", ts_max if ts_max is not None else "none")
    times = sorted(grid)
    integral = 0.0
    for ts, v in ses_cpu:
        prev = max(t for t in times if t < ts) if ts > 0 else 0
        integral += v / 100.0 * (ts - prev) / 1000.0
    print("cpu_integral_ms", "%.0f" % integral)


def round_half_away(x, decimals):
    """Fraction x as a string with `decimals` decimals, rounded half away
    from zero (swt's one rounding rule)."""
    scale = 10 ** decimals
    v = x * scale
    neg = v < 0
    v = abs(v)
    q = int(v)
    if v - q >= Fraction(1, 2):
        q += 1
    s = str(q).rjust(decimals + 1, "0")
    out = s[:-decimals] + "." + s[-decimals:] if decimals else s
    return ("-" if neg and q else "") + out


def check_csv(path, dump):
    # the expected rows, recomputed from the dump
    ticks = None
    origin = None
    last_t_s = "0.000"
    base = {}      # pid -> (t, ticks)
    tbase = {}     # (tgid, tid) -> (t, ticks)
    started = {}   # pid -> start_ticks
    expect = {}    # (t_s, kind, pid, tid) -> (cpu, rss)
    tree = {}      # t_s -> rss_kib sum
    prev_t = {}    # t_s -> the previous sample's t_s (else the start)
    with open(dump, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            kind = rec["kind"]
            if kind == "header":
                ticks = rec["clock_ticks"]
                if rec["start_mono_ns"] > 0:
                    origin = rec["start_mono_ns"]
                continue
            t = rec["t_ns"]
            if origin is None:
                origin = t
            if kind == "proc_start":
                pid = rec["pid"]
                if pid in started and started[pid] != rec["start_ticks"]:
                    base.pop(pid, None)
                    for k in [k for k in tbase if k[0] == pid]:
                        del tbase[k]
                started[pid] = rec["start_ticks"]
            elif kind == "proc_exit":
                pid = rec["pid"]
                base.pop(pid, None)
                started.pop(pid, None)
                for k in [k for k in tbase if k[0] == pid]:
                    del tbase[k]
            elif kind == "sample":
                t_s = round_half_away(Fraction(t - origin, 10 ** 9), 3)
                prev_t[t_s] = last_t_s
                last_t_s = t_s
                rsum = 0
                for row in rec["procs"]:
                    pid = row["pid"]
                    tk = row["utime"] + row["stime"]
                    cpu = None
                    if pid in base:
                        bt, btk = base[pid]
                        if t > bt and tk >= btk:
                            c = Fraction((tk - btk) * 10 ** 11,
                                         ticks * (t - bt))
                            cpu = round_half_away(c, 2)
                    base[pid] = (t, tk)
                    rsum += row["rss_kib"]
                    expect[(t_s, "process", str(pid), "")] = (
                        cpu or "",
                        round_half_away(Fraction(row["rss_kib"], 1024), 3))
                for row in rec["threads"]:
                    k = (row["tgid"], row["tid"])
                    tk = row["utime"] + row["stime"]
                    cpu = None
                    if k in tbase:
                        bt, btk = tbase[k]
                        if t > bt and tk >= btk:
                            cpu = round_half_away(
                                Fraction((tk - btk) * 10 ** 11,
                                         ticks * (t - bt)), 2)
                    tbase[k] = (t, tk)
                    expect[(t_s, "thread", str(k[0]), str(k[1]))] = (
                        cpu or "", "")
                tree[t_s] = round_half_away(Fraction(rsum, 1024), 3)
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f, strict=True))
    if not rows or rows[0] != HEADER:
        fail("header is %r" % (rows[0] if rows else None))
    cpu_values = 0
    module_rows = 0
    integral = Fraction(0)
    seen = set()
    for row in rows[1:]:
        if len(row) != len(HEADER):
            fail("row of %d fields: %r" % (len(row), row))
        r = dict(zip(HEADER, row))
        if r["kind"] == "tree":
            want = tree.get(r["t_s"])
            if want is None:
                fail("tree row at a time without a sample: %r" % row)
            if r["rss_mb"] != want:
                fail("tree row %r, expected rss %r" % (row, want))
            if r["cpu_percent"]:
                if not CENTI.match(r["cpu_percent"]):
                    fail("tree row %r: cpu_percent not n.nn" % row)
                integral += (Fraction(r["cpu_percent"]) / 100 *
                             (Fraction(r["t_s"]) - Fraction(prev_t[r["t_s"]])))
            continue
        if r["kind"] == "module":
            module_rows += 1
            if r["module_kind"] not in MODULE_KINDS:
                fail("module row %r: module_kind" % row)
            if r["t_s"] not in tree:
                fail("module row at a time without a sample: %r" % row)
            if r["pid"] or r["tid"] or r["threads"] or r["io_read_mb"] or \
               r["io_write_mb"]:
                fail("module row %r: pid, tid, threads or I/O" % row)
            if r["cpu_percent"] and not CENTI.match(r["cpu_percent"]):
                fail("module row %r: cpu_percent not n.nn" % row)
            if r["rss_mb"] and not MILLI.match(r["rss_mb"]):
                fail("module row %r: rss_mb not n.nnn" % row)
            continue
        if r["module_kind"]:
            fail("row %r: module_kind outside module rows" % row)
        key = (r["t_s"], r["kind"], r["pid"], r["tid"])
        if key not in expect:
            fail("row with no sample row in the dump: %r" % row)
        if key in seen:
            fail("duplicate row: %r" % row)
        seen.add(key)
        cpu, rss = expect[key]
        if r["cpu_percent"] != cpu or r["rss_mb"] != rss:
            fail("row %r: expected cpu_percent %r rss_mb %r" %
                 (row, cpu, rss))
        if cpu:
            cpu_values += 1
    print("rows", len(rows) - 1)
    print("cpu_values", cpu_values)
    print("missing", len(set(expect) - seen))
    print("module_rows", module_rows)
    print("cpu_integral_ms", round(integral * 1000))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "trace":
        check_trace(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "csv":
        check_csv(sys.argv[2], sys.argv[3])
    else:
        fail("usage: export_check.py trace OUT.json | csv OUT.csv DUMP")


main()
