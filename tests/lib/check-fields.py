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
                 ("damage", "damage"), ("counter", "counters"),
                 ("forecast", "forecasts"), ("bottleneck", "bottlenecks")):
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
    n_var = int(g("n_variants"))
    same(w, "command_lines", m["command_lines"],
         n_var if m["kind"] == "process" and n_var else None)
    if int(g("n_top_variants")) > min(n_var, 3):
        fail(w, "n_top_variants", f"at most {min(n_var, 3)}",
             g("n_top_variants"))

# the top command lines of the process modules that ran two or more
variants = [i for i in sorted(fields["variant"])
            if get("variant", i, "kind") == "process"
            and int(get("variant", i, "n_variants")) >= 2]
same("command_lines", "count", len(report["command_lines"]), len(variants))
for c, i in zip(report["command_lines"], variants):
    w = f"command_lines[{c['name']} {c['rank']}]"

    def g(k):
        return get("variant", i, k)

    same(w, "name", c["name"], g("module"))
    same(w, "rank", c["rank"], int(g("rank")))
    same(w, "processes", c["processes"], int(g("processes")))
    fixed(w, "cpu_s", c["cpu_s"], g("cpu_ms"), 3)
    same(w, "command", c["command"], g("command"))

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
    fixed(w, "significant_s", lk["significant_s"], g("significant_ns"), 9)

for i, c in enumerate(report["counters"]):
    w = f"counters[{i}]"

    def g(k):
        return get("counter", i, k)

    for k in ("name", "note"):
        same(w, k, c[k], g(k))
    same(w, "count", c["count"], int(g("count")))
    same(w, "alerts", c["alerts"], int(g("alerts")))
    boolean(w, "exceeded", c["exceeded"], g("exceeded"))
    fixed(w, "per_minute", c["per_minute"], g("per_min_milli"), 3)
    if g("has_threshold") == "1":
        fixed(w, "threshold_per_minute", c["threshold_per_minute"],
              g("threshold_per_min_milli"), 3)
    else:
        same(w, "threshold_per_minute", c["threshold_per_minute"], None)

for i, f in enumerate(report["forecasts"]):
    w = f"forecasts[{i}]"

    def g(k):
        return get("forecast", i, k)

    for jk, sk in (("subject", "subject.name"), ("kind", "subject.kind"),
                   ("process", "subject.process"),
                   ("command", "subject.command")):
        same(w, jk, f[jk], g(sk))
    fixed(w, "at_s", f["at_s"], g("at_ns"), 9)
    for jk, sk in (("level_mb", "level_mmb"), ("threshold_mb", "target_mmb"),
                   ("slope_mb_per_min", "slope_mmb_per_min"),
                   ("slope_low_mb_per_min", "slope_low_mmb_per_min"),
                   ("slope_high_mb_per_min", "slope_high_mmb_per_min")):
        fixed(w, jk, f[jk], g(sk), 3)
    for jk, sk in (("minutes", "eta_mmin"), ("minutes_low", "eta_low_mmin"),
                   ("minutes_high", "eta_high_mmin")):
        if int(g(sk)) < 0:      # -1: no bound, null in the JSON
            same(w, jk, f[jk], None)
        else:
            fixed(w, jk, f[jk], g(sk), 3)

T = report["trend"]
w = "trend"
for k in ("overall", "memory", "cpu"):
    same(w, k, T[k], get("trend", 0, k))
fixed(w, "memory_mb_per_min", T["memory_mb_per_min"],
      get("trend", 0, "memory_slope_mmb_per_min"), 3)
fixed(w, "cpu_percent_per_min", T["cpu_percent_per_min"],
      get("trend", 0, "cpu_slope_mpct_per_min"), 3)

for i, b in enumerate(report["bottlenecks"]):
    w = f"bottlenecks[{i}]"

    def g(k):
        return get("bottleneck", i, k)

    for jk, sk in (("subject", "subject.name"), ("kind", "subject.kind"),
                   ("process", "subject.process"),
                   ("command", "subject.command"), ("reason", "reason")):
        same(w, jk, b[jk], g(sk))
    for jk, sk in (("cpu_percent_avg", "cpu_avg_mpct"),
                   ("cpu_percent_peak", "cpu_peak_mpct"),
                   ("calls_per_minute", "calls_per_min_milli")):
        fixed(w, jk, b[jk], g(sk), 3)
    fixed(w, "saturated_percent", b["saturated_percent"],
          g("saturated_permille"), 1)
    same(w, "pattern", b["pattern"], g("pattern") or None)

# the scalar thresholds: every one, in the JSON's order, with its source
TH = report["thresholds"]
scalars = [k for k, v in TH.items()
           if isinstance(v, (int, Decimal)) and not isinstance(v, bool)]
keys = [get("threshold", i, "key") for i in sorted(fields["threshold"])]
same("thresholds", "scalar keys", scalars, keys)
for i, k in enumerate(keys):
    w = f"thresholds.{k}"
    if k not in TH:
        continue
    raw = get("threshold", i, "value_milli")
    if get("threshold", i, "is_count") == "1":
        same(w, "value (a count)", TH[k],
             int(raw) // 1000 if int(raw) % 1000 == 0 else raw)
    else:
        if not isinstance(TH[k], Decimal):
            fail(w, "value (decimals)", TH[k], raw)
        fixed(w, "value", TH[k], raw, 3)
    same(w, "source", TH["sources"][k], get("threshold", i, "source"))
same("thresholds.rates", "count", len(TH["rates"]),
     len(fields["rate_threshold"]))
for i, rt in enumerate(TH["rates"]):
    w = f"thresholds.rates[{i}]"
    same(w, "counter", rt["counter"], get("rate_threshold", i, "counter"))
    fixed(w, "per_minute", rt["per_minute"],
          get("rate_threshold", i, "per_min_milli"), 3)
    same(w, "source", rt["source"], get("rate_threshold", i, "source"))

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
