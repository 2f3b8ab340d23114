"""Instrumented Python program (record/python/swtrace.py) of the tests that
record real programs: tests/client/test_client.c drives the ingest itself,
tests/e2e/test_e2e.c runs it under the real swrec.

    python3 trace_app.py SCENARIO [N]

Prints "pid P", "tid ROLE TID" and "key value" lines (one write each), and
"exit N" last, like trace_app.c. Scenarios:
  basic N     main + 2 threads; each thread N times: @profile_module
              "vision_system" around count("ocr_call", i + 1), then
              with module("ocr_processor"): mark("frame"); then
              "flush 1" once the recorder has taken everything
  counts N    2 threads, N count("py_hits") each (delta 1)
  busy N      "ready" once connected; reads a line; then like counts N,
              and says "produced" (the test stops the recorder meanwhile)
  noop        every call outside a recorder: nothing happens
  names N     N distinct names, then "after"

Where the recorder must get everything, the program ends with
flush_all() ("flushed 1"): the library's own flush at exit waits at most
0.5 s for a busy recorder, and a loaded machine must not lose events.
  fork        count("parent_count") before and after os.fork(); the child
              counts child_count 7 and exits
  forkexec    the same, but the child execs "trace_app.py exec2"
  exec2       count("post_exec")
  hold N      "comm C" (its /proc comm), a worker of basic N on the main
              thread, "flushed 1", "ready"; exits after a line on stdin
              (the test waits until the recorder has announced it)
"""
import os
import select
import sys
import threading
import time

import swtrace
from swtrace import count, mark, module, profile_module


def say(line):
    # one write per line: lines of threads and processes must not mix
    os.write(1, (line + "\n").encode())


def say_tid(role):
    say("tid %s %d" % (role, threading.get_native_id()))


def flush_all(limit_s=120):
    """flush() until it says that the recorder took everything; False if
    tracing stopped (or after limit_s, only reached when broken).

    flush() never blocks: while the recorder is busy (not scheduled this
    very moment) it says "not yet" and the library keeps the rest, up to
    16 messages, dropping what comes past that. So the wait is for the
    recorder itself: for its socket to take more (the library's socket;
    the test may look inside the library, an application would not)."""
    end = time.monotonic() + limit_s
    while not swtrace.flush():
        if not swtrace.enabled() or time.monotonic() > end:
            return False
        sock = swtrace._client.sock
        if sock is None:
            # not connected: the library retries a full backlog every
            # 20 ms, there is nothing to wait on
            time.sleep(0.02)
        else:
            try:
                select.select([], [sock], [], 1.0)
            except (OSError, ValueError):
                pass                # closed meanwhile: flush() says
    return True


@profile_module("vision_system")
def analyse(i):
    count("ocr_call", i + 1)


def worker(role, n):
    say_tid(role)
    for i in range(n):
        analyse(i)
        with module("ocr_processor"):
            mark("frame")
        # This is about what arrives, not about a recorder that does not
        # get the CPU (busy is): every 500 rounds (2.5 full messages of
        # both threads' events), wait until the recorder has taken what
        # was sent, so that a loaded machine makes the run slower, never
        # makes the library drop.
        if i % 500 == 499:
            flush_all()


def basic(n):
    say_tid("main")
    ts = [threading.Thread(target=worker, args=(r, n)) for r in ("w1", "w2")]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    say("enabled %d" % swtrace.enabled())
    say("flush %d" % flush_all())
    say("dropped %d" % swtrace.dropped())
    return 0


def counts(n, then_wait=True):
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
    if then_wait:
        say("flushed %d" % flush_all())
    return 0


def busy(n):
    while not swtrace.flush():      # connected (bounded by the test)
        count("connect")
    say("ready")
    sys.stdin.readline()
    counts(n, then_wait=False)
    say("produced %d" % (2 * n))
    # the test lets the recorder go on once it has read "produced"
    say("flushed %d" % flush_all())
    return 0


def noop():
    for _ in range(1000):
        with module("x"):
            count("y")
            mark("z")
    say("enabled %d" % swtrace.enabled())
    say("flush %d" % swtrace.flush())
    return 1 if swtrace.enabled() or swtrace.flush() else 0


def names(n):
    say_tid("main")
    for i in range(n):
        count("name_%d" % i)
    count("after")
    say("flushed %d" % flush_all())
    return 0


def fork(then_exec):
    say_tid("parent")
    count("parent_count", 1)
    pid = os.fork()
    if pid == 0:
        say_tid("child")
        count("child_count", 7)
        # neither os._exit() nor exec runs the library's flush at exit
        flush_all()
        if then_exec:
            os.execv(sys.executable, [sys.executable, __file__, "exec2"])
        os._exit(0)
    _, st = os.waitpid(pid, 0)
    count("parent_count", 1)
    return 0 if st == 0 else 1


def exec2():
    say_tid("exec2")
    count("post_exec")
    return 0


def hold(n):
    with open("/proc/self/comm") as f:
        say("comm %s" % f.read().strip())
    worker("main", n)
    say("flushed %d" % flush_all())
    say("ready")
    sys.stdin.readline()
    return 0


def main():
    say("pid %d" % os.getpid())
    s = sys.argv[1] if len(sys.argv) > 1 else ""
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    fn = {"basic": lambda: basic(n), "counts": lambda: counts(n),
          "busy": lambda: busy(n), "noop": noop,
          "names": lambda: names(n), "fork": lambda: fork(False),
          "forkexec": lambda: fork(True), "exec2": exec2,
          "hold": lambda: hold(n)}.get(s)
    ret = fn() if fn else 2
    say("exit %d" % ret)
    return ret


if __name__ == "__main__":
    sys.exit(main())
