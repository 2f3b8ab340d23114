#!/usr/bin/env python3
"""sampler_compare.py — two sessions of the same processes over the same
time, one sampled from /proc and one by BPF (swrec --sampler), agree.

  sampler_compare.py rows A.jsonl B.jsonl LAG_KIB
      the swreplay --dump of each: every process row of A, at its time t,
      lies between B's rows of the same process around t (cumulative
      counters only grow): CPU (utime+stime) within 1 tick each side, the
      faults exactly, RSS within LAG_KIB (the per-CPU counters' lag);
      threads and VSZ of a process whose rows agree in both. "Around t"
      is B's last row at least one interval (B's) before t and its first
      at least one interval after: a sample's time is when its tick
      began, and its rows are read after it, later on a loaded machine (a
      /proc row 40 ms late, 4 ticks of a busy process, was seen), so the
      rows next to t could have been read on the wrong side of A's. The
      first sample of each is left out: its rows are read by the first
      scan, which reads every process's command line too (800 ms after
      the tick began was seen, on a machine the workload keeps busy).
  sampler_compare.py reports A.json B.json LAG_KIB
      swanalyze --report full --format json of each: the same modules
      (name, kind, instances), each module's average and peak memory
      within LAG_KIB + 2 %, its average CPU within 10 points.
  sampler_compare.py window A.jsonl B.jsonl
      the window both sessions sampled: from the later of their first
      samples to the earlier of their last, printed as "A_FROM A_TO
      B_FROM B_TO", seconds from each one's start (swanalyze --from,
      --to). Their starts lie apart by swrec's start-up (the BPF
      program's load), a second on a loaded machine, in which the
      processes' share of the CPUs was not what it was later (68 against
      87 % was seen): the reports compare the same time.

Prints what it compared, as TAP diagnostics; exit 1 at the first
disagreement, with it."""
import json
import sys


def rows(path):
    by_pid = {}
    header = None
    first = True
    for line in open(path):
        r = json.loads(line)
        if r["kind"] == "header":
            header = r
        if r["kind"] != "sample":
            continue
        if first:
            first = False
            continue
        for p in r["procs"]:
            by_pid.setdefault(p["pid"], []).append((r["t_ns"], p))
    return header, by_pid


def fail(msg):
    print("# DISAGREE: " + msg)
    sys.exit(1)


def cmp_rows(a_path, b_path, lag_kib):
    ha, a = rows(a_path)
    hb, b = rows(b_path)
    margin = hb["interval_ns"]
    n = 0
    for pid, ra in sorted(a.items()):
        rb = b.get(pid)
        if not rb:
            continue
        for t, p in ra:
            before = [q for (u, q) in rb if u <= t - margin]
            after = [q for (u, q) in rb if u >= t + margin]
            if not before or not after:
                continue
            lo, hi = before[-1], after[0]
            cpu = p["utime"] + p["stime"]
            if not (lo["utime"] + lo["stime"] - 1 <= cpu <=
                    hi["utime"] + hi["stime"] + 1):
                fail("pid %d at %d: CPU %d not within [%d, %d]" % (
                    pid, t, cpu, lo["utime"] + lo["stime"],
                    hi["utime"] + hi["stime"]))
            if not lo["minflt"] <= p["minflt"] <= hi["minflt"]:
                fail("pid %d at %d: minflt %d not within [%d, %d]" % (
                    pid, t, p["minflt"], lo["minflt"], hi["minflt"]))
            if not lo["majflt"] <= p["majflt"] <= hi["majflt"]:
                fail("pid %d: majflt" % pid)
            rl = min(lo["rss_kib"], hi["rss_kib"]) - lag_kib
            rh = max(lo["rss_kib"], hi["rss_kib"]) + lag_kib
            if not rl <= p["rss_kib"] <= rh:
                fail("pid %d at %d: RSS %d KiB not within [%d, %d]" % (
                    pid, t, p["rss_kib"], rl, rh))
            if lo["nthreads"] == hi["nthreads"] and \
                    p["nthreads"] != lo["nthreads"]:
                fail("pid %d: threads %d, %d" % (pid, p["nthreads"],
                                                 lo["nthreads"]))
            if lo["vsz_kib"] == hi["vsz_kib"] and \
                    p["vsz_kib"] != lo["vsz_kib"]:
                fail("pid %d: VSZ %d, %d" % (pid, p["vsz_kib"],
                                             lo["vsz_kib"]))
            n += 1
    print("# %d rows of %s (%s) within %s (%s)" % (
        n, a_path, ha.get("sampler"), b_path, hb.get("sampler")))
    if n < 10:
        fail("only %d rows compared" % n)


def cmp_reports(a_path, b_path, lag_kib):
    a = json.load(open(a_path))
    b = json.load(open(b_path))
    def key(m):
        return (m["name"], m["kind"], m.get("command") or "")
    ma = {key(m): m for m in a["modules"]}
    mb = {key(m): m for m in b["modules"]}
    if set(ma) != set(mb):
        fail("modules differ: %s" % sorted(set(ma) ^ set(mb)))
    for k in sorted(ma):
        x, y = ma[k], mb[k]
        if x.get("instances") != y.get("instances"):
            fail("%s: instances %s, %s" % (k, x.get("instances"),
                                           y.get("instances")))
        for f in ("memory_mb_avg", "memory_mb_peak"):
            if x[f] is None and y[f] is None:
                continue    # a thread: no memory of its own
            if x[f] is None or y[f] is None:
                fail("%s: %s %s, %s" % (k, f, x[f], y[f]))
            tol = lag_kib / 1024.0 + 0.02 * max(x[f], y[f]) + 0.1
            if abs(x[f] - y[f]) > tol:
                fail("%s: %s %s, %s" % (k, f, x[f], y[f]))
        if abs(x["cpu_percent_avg"] - y["cpu_percent_avg"]) > 10:
            fail("%s: cpu_percent_avg %s, %s" % (
                k, x["cpu_percent_avg"], y["cpu_percent_avg"]))
        print("# %s %s: CPU %s%% / %s%%, memory peak %s / %s MB" % (
            k[1], (k[2] or k[0])[-40:], x["cpu_percent_avg"],
            y["cpu_percent_avg"],
            x["memory_mb_peak"], y["memory_mb_peak"]))


def window(a_path, b_path):
    spans = []
    for path in (a_path, b_path):
        start, ts = None, []
        for line in open(path):
            r = json.loads(line)
            if r["kind"] == "header":
                start = r["start_mono_ns"]
            elif r["kind"] == "sample":
                ts.append(r["t_ns"])
        if start is None or not ts:
            fail("%s: no header or no sample" % path)
        spans.append((start, ts[0], ts[-1]))
    lo = max(s[1] for s in spans)
    hi = min(s[2] for s in spans)
    if hi <= lo:
        fail("the two sessions share no time")
    print(" ".join("%.9f %.9f" % ((lo - s[0]) / 1e9, (hi - s[0]) / 1e9)
                   for s in spans))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "window":
        window(sys.argv[2], sys.argv[3])
        sys.exit(0)
    if len(sys.argv) != 5 or sys.argv[1] not in ("rows", "reports"):
        sys.exit(__doc__)
    (cmp_rows if sys.argv[1] == "rows" else cmp_reports)(
        sys.argv[2], sys.argv[3], int(sys.argv[4]))
