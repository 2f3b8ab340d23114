"""Per-event cost of record/python/swtrace.py under a real swrec
(bench/python/run.sh runs it; docs/performance.md, "swtrace.py").

    swrec -- python3 bench_client.py [--n N] [--reps R]

Each repetition times N iterations of every candidate, the candidates
taking turns, in the process's CPU time (time.process_time_ns: the
library's flusher thread is counted, a loaded machine's waits are not),
in batches of B iterations (--batch, default 2000), each up to the moment
the recorder has taken every event of it (so that the library never
outruns the recorder's socket and drops: a dropped event costs less):

  bare     time.monotonic_ns()            (the clock every event reads)
  empty    an empty loop                  (the loop's own cost)
  count    swtrace.count("bench_count")   (one event)
  plain    a call of a plain function
  deco     a call of the same function under @profile_module
                                          (two events: begin, end)
  with     with swtrace.module("bench_with"): pass   (two events)

Prints one JSON object per repetition with ns per iteration of each, and
a last line {"done": ..., "dropped": ..., "accel": ...}.
"""
import json
import os
import select
import sys
import time

import swtrace


def plain_fn():
    return None


@swtrace.profile_module("bench_deco")
def deco_fn():
    return None


def t_bare(n):
    mono = time.monotonic_ns
    for _ in range(n):
        mono()


def t_empty(n):
    for _ in range(n):
        pass


def t_count(n):
    count = swtrace.count
    for _ in range(n):
        count("bench_count")


def t_plain(n):
    f = plain_fn
    for _ in range(n):
        f()


def t_deco(n):
    f = deco_fn
    for _ in range(n):
        f()


def t_with(n):
    module = swtrace.module
    for _ in range(n):
        with module("bench_with"):
            pass


CANDIDATES = [("bare", t_bare), ("empty", t_empty), ("count", t_count),
              ("plain", t_plain), ("deco", t_deco), ("with", t_with)]


def drain(limit_s=120):
    """Wait until the recorder has taken every event (as the tests'
    flush_all): the next repetition must not pay for this one's."""
    end = time.monotonic() + limit_s
    while not swtrace.flush():
        if not swtrace.enabled() or time.monotonic() > end:
            return False
        sock = swtrace._client.sock
        if sock is None:
            time.sleep(0.02)
        else:
            try:
                select.select([], [sock], [], 1.0)
            except (OSError, ValueError):
                pass
    return True


def main():
    n, reps, batch = 200000, 5, 2000
    args = sys.argv[1:]
    while args:
        a = args.pop(0)
        if a == "--n":
            n = int(args.pop(0))
        elif a == "--reps":
            reps = int(args.pop(0))
        elif a == "--batch":
            batch = int(args.pop(0))
        else:
            print("usage: bench_client.py [--n N] [--reps R] [--batch B]",
                  file=sys.stderr)
            return 2
    swtrace.count("bench_start")        # connect before timing
    drain()
    clock = time.process_time_ns
    for rep in range(reps):
        row = {"rep": rep}
        for name, fn in CANDIDATES:
            t0 = clock()
            for _ in range(n // batch):
                fn(batch)
                drain()             # what the loop left to encode and send
            dt = clock() - t0
            row[name] = dt / (n // batch * batch)
        print(json.dumps(row), flush=True)
    ok = drain()
    print(json.dumps({"done": ok, "dropped": swtrace.dropped(),
                      "enabled": swtrace.enabled(),
                      "accel": swtrace.accelerated(),
                      "pid": os.getpid()}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
