"""window_sum.py [--recorded] WHOLE.json W1.json W2.json ... — consecutive
windows' reports (swanalyze --format json) add up to the whole session's:
CPU seconds, reaped CPU, disk I/O, each process module's CPU and each
counter's count; and no window reports more CPU than its cores could
burn in its duration. Exit 1 with the first difference.

--recorded (a session swrec recorded): a parent's reaped children's CPU
may be counted twice at a window's start, for children that exited in the
interval before it but were reaped after the parent's row at its start
(docs/analysis.md § 12.1): the tree's CPU and reaped CPU may then exceed
the session's by at most an interval of all cores per cut, and disk I/O
is not compared (the same holds for a parent's I/O counters)."""
import json
import sys


def load(p):
    with open(p) as f:
        return json.load(f)


def mods(d):
    out = {}
    for m in d["modules"]:
        if m["kind"] == "process" and \
                not m["name"].endswith(" (reaped children)"):
            out[m["name"]] = out.get(m["name"], 0) + m["cpu_s"]
    return out


def main():
    args = sys.argv[1:]
    recorded = args[:1] == ["--recorded"]
    if recorded:
        args = args[1:]
    whole = load(args[0])
    parts = [load(p) for p in args[1:]]
    ws = whole["session"]
    # (reports print CPU seconds to the ms: a sum of n windows may be off
    # by n/2 ms)
    tol = 0.0005 * len(parts) + 1e-9
    slack = 0.0
    if recorded:
        slack = (len(parts) - 1) * ws["interval_s"] * ws["cpu_count"]
    for key in ("cpu_s", "reaped_cpu_s", "duration_s"):
        got = sum(p["session"][key] for p in parts)
        extra = slack if key != "duration_s" else 0.0
        if got < ws[key] - tol or got > ws[key] + tol + extra:
            sys.exit("%s: windows add up to %.3f, the session %.3f"
                     % (key, got, ws[key]))
    for key in () if recorded else ("io_read_mb", "io_write_mb"):
        got = sum(p["session"][key] for p in parts)
        if abs(got - ws[key]) > 0.05 * len(parts) + 1e-9:
            sys.exit("%s: windows add up to %.1f, the session %.1f"
                     % (key, got, ws[key]))
    for p in parts:
        s = p["session"]
        if s["cpu_s"] > s["duration_s"] * s["cpu_count"] + 0.01 + 1e-9:
            sys.exit("window from %s: %.3f s CPU in %.3f s on %d cores"
                     % (s["window_from_s"], s["cpu_s"], s["duration_s"],
                        s["cpu_count"]))
    wm = mods(whole)
    pm = {}
    for p in parts:
        for k, v in mods(p).items():
            pm[k] = pm.get(k, 0) + v
    for k in sorted(set(wm) | set(pm)):
        if abs(wm.get(k, 0) - pm.get(k, 0)) > tol:
            sys.exit("module %s: windows add up to %.3f s, the session "
                     "%.3f s" % (k, pm.get(k, 0), wm.get(k, 0)))
    wc = {c["name"]: c["count"] for c in whole["counters"]}
    pc = {}
    for p in parts:
        for c in p["counters"]:
            pc[c["name"]] = pc.get(c["name"], 0) + c["count"]
    if wc != pc:
        sys.exit("counters: windows %r, the session %r" % (pc, wc))


main()
