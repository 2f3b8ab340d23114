"""Instrumented Python program run under the real swrec by test_e2e.c.

    python3 e2e_app.py SCENARIO [N]

Prints "pid P", "tid ROLE TID" and "key value" lines (one write each) like
e2e_app.c. Scenarios:
  basic N   main + 2 threads; each thread N times: @profile_module
            "vision_system" around count("ocr_call", i + 1), then
            with module("ocr_processor"): mark("frame")
  counts N  2 threads, N count("py_hits") each (delta 1)
  busy N    "ready" once connected; reads a line; then like counts N, and
            says "produced" (the test stops swrec meanwhile)
  noop      every call outside a recorder: nothing happens
  fork      count("parent_count") before and after os.fork(); the child
            counts child_count 7 and execs "e2e_app.py exec2"
  exec2     count("post_exec")
"""
import os
import sys
import threading

import swtrace
from swtrace import count, mark, module, profile_module


def say(line):
    # one write per line: lines of threads and processes must not mix
    os.write(1, (line + "\n").encode())


def say_tid(role):
    say("tid %s %d" % (role, threading.get_native_id()))


@profile_module("vision_system")
def analyse(i):
    count("ocr_call", i + 1)


def worker(role, n):
    say_tid(role)
    for i in range(n):
        analyse(i)
        with module("ocr_processor"):
            mark("frame")


def basic(n):
    say_tid("main")
    ts = [threading.Thread(target=worker, args=(r, n)) for r in ("w1", "w2")]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    say("enabled %d" % swtrace.enabled())
    say("flush %d" % swtrace.flush())
    say("dropped %d" % swtrace.dropped())
    return 0


def counts(n):
    def run():
        for _ in range(n):
            count("py_hits")
    ts = [threading.Thread(target=run) for _ in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    say("flush %d" % swtrace.flush())
    say("dropped %d" % swtrace.dropped())
    return 0


def busy(n):
    while not swtrace.flush():      # connected (bounded by the test)
        count("connect")
    say("ready")
    sys.stdin.readline()
    counts(n)
    say("produced %d" % (2 * n))
    return 0


def noop():
    for _ in range(1000):
        with module("x"):
            count("y")
            mark("z")
    say("enabled %d" % swtrace.enabled())
    say("flush %d" % swtrace.flush())
    return 1 if swtrace.enabled() or swtrace.flush() else 0


def fork():
    say_tid("parent")
    count("parent_count", 1)
    pid = os.fork()
    if pid == 0:
        say_tid("child")
        count("child_count", 7)
        swtrace.flush()
        os.execv(sys.executable, [sys.executable, __file__, "exec2"])
    _, st = os.waitpid(pid, 0)
    count("parent_count", 1)
    return 0 if st == 0 else 1


def exec2():
    say_tid("exec2")
    count("post_exec")
    return 0


def main():
    say("pid %d" % os.getpid())
    s = sys.argv[1] if len(sys.argv) > 1 else ""
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    fn = {"basic": lambda: basic(n), "counts": lambda: counts(n),
          "busy": lambda: busy(n), "noop": noop, "fork": fork,
          "exec2": exec2}.get(s)
    ret = fn() if fn else 2
    say("exit %d" % ret)
    return ret


if __name__ == "__main__":
    sys.exit(main())
