"""Instrumented Python program for tests/client/test_client.c.

    python3 trace_app.py SCENARIO [N]

Prints "pid P" and "tid ROLE TID" lines, like trace_app.c. Scenarios:
  basic N   main + 2 threads; each thread N times: @profile_module
            "vision_system" around count("ocr_call", i + 1), then
            with module("ocr_processor"): mark("frame")
  noop      all calls outside a recorder
  fork      counts before and after fork(), and in the child
  names N   N distinct names, then "after"
"""
import os
import sys
import threading

import swtrace
from swtrace import count, mark, module, profile_module


_out = threading.Lock()


def say_tid(role):
    # one write per line: print() from two threads can interleave
    with _out:
        sys.stdout.write("tid %s %d\n" % (role, threading.get_native_id()))
        sys.stdout.flush()


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
    print("enabled %d" % swtrace.enabled())
    print("flush %d" % swtrace.flush())
    print("dropped %d" % swtrace.dropped())
    return 0


def noop():
    for _ in range(1000):
        with module("x"):
            count("y")
            mark("z")
    print("enabled %d" % swtrace.enabled())
    print("flush %d" % swtrace.flush())
    return 1 if swtrace.enabled() or swtrace.flush() else 0


def fork():
    say_tid("parent")
    count("parent_count", 1)
    pid = os.fork()
    if pid == 0:
        say_tid("child")
        count("child_count", 7)
        swtrace.flush()
        os._exit(0)
    _, st = os.waitpid(pid, 0)
    count("parent_count", 1)
    return 0 if st == 0 else 1


def names(n):
    say_tid("main")
    for i in range(n):
        count("name_%d" % i)
    count("after")
    return 0


def main():
    print("pid %d" % os.getpid(), flush=True)
    s = sys.argv[1] if len(sys.argv) > 1 else ""
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    if s == "basic":
        return basic(n)
    if s == "noop":
        return noop()
    if s == "fork":
        return fork()
    if s == "names":
        return names(n)
    return 2


if __name__ == "__main__":
    sys.exit(main())
