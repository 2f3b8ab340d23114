#!/usr/bin/env python3
"""check-fields.py REPORT.json FIELDS — libswt's structs say what the JSON
report says.

FIELDS is the dump of tests/lib/consumer.c (SECTION, INDEX, FIELD, VALUE
separated by tabs), REPORT.json the full report of the same session (the
golden one). Every field that the JSON report also shows is compared: names
and strings exactly, fixed-point integers rounded (half away from zero, the
one rounding of swt) to the decimals the JSON prints. Prints each mismatch;
exit 0 if none, 1 otherwise."""
import json
import sys
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

report = json.load(open(sys.argv[1]), parse_float=Decimal)
fields = defaultdict(lambda: defaultdict(list))
for line in open(sys.argv[2], encoding="utf-8"):
    sec, idx, key, val = line.rstrip("\n").split("\t", 3)
    fields[sec][int(idx)].append((key, val))

errors = []


def get(sec, i, key, many=False):
    vals = [v for k, v in fields[sec][i] if k == key]
    return vals if many else vals[0]


def fail(where, what, want, have):
    errors.append(f"{where}: {what}: JSON {want!r}, struct {have!r}")


def same(where, what, want, have):
    if want != have:
        fail(where, what, want, have)


def fixed(where, what, want, raw, scale):
    """want: the JSON number (Decimal or int); raw: the struct's integer in
    units of 10^-scale."""
    if want is None:
        fail(where, what, want, raw)
        return
    dec = max(0, -Decimal(want).as_tuple().exponent)
    have = (Decimal(int(raw)) / (Decimal(10) ** scale)).quantize(
        Decimal(1).scaleb(-dec), rounding=ROUND_HALF_UP)
    if Decimal(want) != have:
        fail(where, what, want, f"{raw} -> {have}")


def boolean(where, what, want, raw):
    same(where, what, want, raw == "1")


# ---- session ---------------------------------------------------------------
S = report["session"]
w = "session"
same(w, "recorder", S["recorder"], get("session", 0, "recorder"))
same(w, "command", S["command"], get("session", 0, "command", many=True))
fixed(w, "duration_s", S["duration_s"], get("session", 0, "duration_ns"), 9)
fixed(w, "interval_s", S["interval_s"], get("session", 0, "interval_ns"), 9)
for key in ("samples", "processes", "events", "cpu_count", "clock_ticks",
            "dropped_events", "missed_samples"):
    same(w, key, S[key], int(get("session", 0, key)))
fixed(w, "cpu_s", S["cpu_s"], get("session", 0, "cpu_ms"), 3)
boolean(w, "complete", S["complete"], get("session", 0, "complete"))
for what, src in (("avg", "cpu_avg_mpct"), ("peak", "cpu_peak_mpct"),
                  ("end", "cpu_end_mpct")):
    fixed(w, "cpu_percent." + what, report["cpu_percent"][what],
          get("session", 0, src), 3)
for what, src in (("avg", "mem_avg_mmb"), ("peak", "mem_peak_mmb"),
                  ("end", "mem_end_mmb")):
    fixed(w, "memory_mb." + what, report["memory_mb"][what],
          get("session", 0, src), 3)
summary = report["summary"]
fixed(w, "total_weight", summary["total_weight"],
      get("session", 0, "total_weight"), 3)
same(w, "summary.alerts", summary["alerts"],
     int(get("session", 0, "alerts_total")))
same(w, "summary.spikes", summary["spikes"],
     int(get("session", 0, "spikes_total")))
status = int(get("session", 0, "status"))
same(w, "status", "SWT_OK" if not report["damage"] and S["complete"]
     else "damaged", "SWT_OK" if status == 0 else "damaged")

# ---- the lists -------------------------------------------------------------
for sec, key in (("module", "modules"), ("alert", "alerts"),
                 ("spike", "spikes"), ("leak", "leaks"),
                 ("recommendation", "recommendations"),
                 ("damage", "damage")):
    same(key, "count", len(report[key]), len(fields[sec]))

for i, m in enumerate(report["modules"]):
    w = f"modules[{i}]"

    def g(k):
        return get("module", i, k)

    for k in ("name", "kind", "process", "command", "cpu_source"):
        same(w, k, m[k], g(k))
    same(w, "instances", m["instances"], int(g("instances")))
    same(w, "calls", m["calls"], int(g("calls")))
    same(w, "priority", m["priority"], g("priority_name"))
    boolean(w, "in_total", m["in_total"], g("in_total"))
    for jk, sk in (("cpu_percent_avg", "cpu_avg_mpct"),
                   ("cpu_percent_peak", "cpu_peak_mpct"),
                   ("cpu_s", "cpu_ms"),
                   ("cpu_share_percent", "cpu_share_mpct"),
                   ("cpu_percent_session", "cpu_session_mpct"),
                   ("calls_per_minute", "calls_per_min_milli"),
                   ("cpu_score", "cpu_score"),
                   ("memory_score", "mem_score"),
                   ("frequency_score", "freq_score"),
                   ("weight", "weight")):
        fixed(w, jk, m[jk], g(sk), 3)
    if g("has_memory") == "1":
        fixed(w, "memory_mb_avg", m["memory_mb_avg"], g("mem_avg_mmb"), 3)
        fixed(w, "memory_mb_peak", m["memory_mb_peak"], g("mem_peak_mmb"),
              3)
    else:
        same(w, "memory_mb_avg", m["memory_mb_avg"], None)
    if g("has_starts") == "1":
        same(w, "starts", m["starts"], int(g("starts")))
        fixed(w, "starts_per_minute", m["starts_per_minute"],
              g("starts_per_min_milli"), 3)
    else:
        same(w, "starts", m["starts"], None)
    same(w, "memory_attribution", m["memory_attribution"],
         g("mem_attribution") if m["kind"] == "module" else None)

for i, a in enumerate(report["alerts"]):
    w = f"alerts[{i}]"

    def g(k):
        return get("alert", i, k)

    fixed(w, "t_s", a["t_s"], g("t_ns"), 9)
    for jk, sk in (("kind", "kind"), ("subject", "subject.name"),
                   ("subject_kind", "subject.kind"),
                   ("process", "subject.process"),
                   ("command", "subject.command"), ("unit", "unit")):
        same(w, jk, a[jk], g(sk))
    fixed(w, "value", a["value"], g("value_milli"), 3)
    fixed(w, "threshold", a["threshold"], g("threshold_milli"), 3)

for i, p in enumerate(report["spikes"]):
    w = f"spikes[{i}]"

    def g(k):
        return get("spike", i, k)

    for jk, sk in (("resource", "resource"), ("subject", "subject.name"),
                   ("kind", "subject.kind"), ("process", "subject.process"),
                   ("command", "subject.command"), ("unit", "unit")):
        same(w, jk, p[jk], g(sk))
    for jk, sk in (("start_s", "start_ns"), ("duration_s", "duration_ns"),
                   ("peak_s", "peak_t_ns")):
        fixed(w, jk, p[jk], g(sk), 9)
    for jk, sk in (("peak", "peak_milli"), ("baseline", "baseline_milli"),
                   ("threshold", "threshold_milli")):
        fixed(w, jk, p[jk], g(sk), 3)
    same(w, "active_modules", p["active_modules"],
         get("spike", i, "active", many=True))

for i, lk in enumerate(report["leaks"]):
    w = f"leaks[{i}]"

    def g(k):
        return get("leak", i, k)

    for jk, sk in (("subject", "subject.name"), ("kind", "subject.kind"),
                   ("process", "subject.process"),
                   ("command", "subject.command"),
                   ("attributed_to", "attributed_to")):
        same(w, jk, lk[jk], g(sk))
    for jk, sk in (("slope_mb_per_min", "slope_mmb_per_min"),
                   ("confidence", "confidence_mpct"),
                   ("first_mb", "first_mmb"), ("last_mb", "last_mmb")):
        fixed(w, jk, lk[jk], g(sk), 3)

for i, r in enumerate(report["recommendations"]):
    w = f"recommendations[{i}]"
    same(w, "priority", r["priority"],
         get("recommendation", i, "priority_name"))
    for k in ("subject", "text"):
        same(w, k, r[k], get("recommendation", i, k))

for i, d in enumerate(report["damage"]):
    w = f"damage[{i}]"

    def g(k):
        return get("damage", i, k)

    loss = ("none" if g("lost") == "0" else
            "tail" if g("to_end") == "1" else "range")
    same(w, "loss", d["loss"], loss)
    same(w, "status", d["status"],
         {"SWT_ECORRUPT": "corrupt", "SWT_ETRUNCATED": "truncated"}.get(
             g("status"), g("status")))
    same(w, "offset", d["offset"], int(g("offset")))
    same(w, "length", d["length"], int(g("length")))
    same(w, "what", d["what"], g("what"))
    if loss != "none":
        if g("from_known") == "1":
            fixed(w, "from_s", d["from_s"], g("from_ns"), 9)
        else:
            same(w, "from_s", d["from_s"], None)
        if loss == "range":
            fixed(w, "to_s", d["to_s"], g("to_ns"), 9)

for e in errors:
    print(e)
sys.exit(1 if errors else 0)
