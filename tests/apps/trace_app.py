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
  measure N   as trace_app.c measure N: a thread ("tid worker"), N rounds
              of span "busy" (spin until thread_time_ns() moved 50 ms)
              and span "sleepy" (sleep 200 ms), each with "busy|sleepy I
              TICKS WALL_NS" (the kernel's count, /proc/thread-self/stat,
              around it), "clk_tck N"; then span "grow" making 8 MiB of
              bytes ("grew 1")
  decorators  every form of @profile_module (see DECORATED below), each
              checked here ("check NAME 1" or "check NAME 0 WHY"; "checks
              N" passed, "failed N"); "spans NAME N" for each module: the
              spans the session must hold (the test counts them); the
              events of one span lost to a forced library error (2, or 4
              with RSS readings)
"""
import asyncio
import functools
import inspect
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


def stat_ticks():
    """utime + stime of this thread, clock ticks (the kernel's count)."""
    with open("/proc/thread-self/stat") as f:
        s = f.read()
    fields = s[s.rindex(")") + 2:].split()
    return int(fields[11]) + int(fields[12])


def measure(n):
    grown = []

    def work():
        say_tid("worker")
        for i in range(n):
            k0, w0 = stat_ticks(), time.monotonic_ns()
            with module("busy"):
                c0 = time.thread_time_ns()
                while time.thread_time_ns() - c0 < 50000000:
                    pass
            say("busy %d %d %d" % (i, stat_ticks() - k0,
                                   time.monotonic_ns() - w0))
            k0, w0 = stat_ticks(), time.monotonic_ns()
            with module("sleepy"):
                time.sleep(0.2)
            say("sleepy %d %d %d" % (i, stat_ticks() - k0,
                                     time.monotonic_ns() - w0))
        with module("grow"):
            grown.append(b"\x01" * (8 << 20))    # allocated and written
        say("grew %d" % len(grown))

    say("clk_tck %d" % os.sysconf("SC_CLK_TCK"))
    t = threading.Thread(target=work)
    t.start()
    t.join()
    say("flushed %d" % flush_all())
    say("dropped %d" % swtrace.dropped())
    return 0


# ---- decorators ----------------------------------------------------------

@profile_module
def plain(x):
    """plain's doc"""
    return x + 1


@profile_module("named_module")
def named(x, *, y=2):
    return x * y


@profile_module()
def empty_parens():
    return "ok"


class Pipeline:
    @profile_module
    def step(self, x):
        return ("step", x)

    @profile_module
    @classmethod
    def make_above(cls):
        return cls.__name__

    @classmethod
    @profile_module
    def make_below(cls):
        return cls.__name__

    @profile_module("static_module")
    @staticmethod
    def helper(a, b):
        return a - b


@profile_module
def gen(n):
    """gen's doc"""
    got = []
    for i in range(n):
        try:
            got.append((yield i))
        except ValueError:
            got.append("thrown")
    return got


@profile_module
async def coro(tag):
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    return tag


@profile_module
async def agen(n):
    for i in range(n):
        await asyncio.sleep(0)
        yield i


class Boom(Exception):
    pass


@profile_module
def boom(e):
    raise e


@profile_module
def gen_boom():
    yield 1
    raise Boom("in a generator")


# Spans each name must have in the session (the test reads these lines).
DECORATED = {
    "plain": 1, "named_module": 1, "empty_parens": 1, "Pipeline.step": 1,
    "Pipeline.make_above": 1, "Pipeline.make_below": 1,
    "static_module": 2,     # called on the class and on an instance
    # 3 yields + the return: one span per resumption
    "gen": 4,
    # two coroutines of 3 resumptions each (2 awaits that suspend once)
    "coro": 6,
    # per item: to the sleep, to the yield (2 x 2); the end; aclose()
    "agen": 6,
    "boom": 1, "gen_boom": 2, "lib_error": 2,
}


def decorators():
    results = []

    def check(name, ok, why=""):
        results.append(bool(ok))
        say("check %s %d%s" % (name, 1 if ok else 0,
                               " " + why if not ok and why else ""))

    check("plain", plain(1) == 2)
    check("named", named(3, y=4) == 12)
    check("empty_parens", empty_parens() == "ok")
    check("method", Pipeline().step(5) == ("step", 5))
    check("classmethod_above", Pipeline.make_above() == "Pipeline")
    check("classmethod_below", Pipeline.make_below() == "Pipeline")
    check("staticmethod", Pipeline.helper(7, 2) == 5 and
          Pipeline().helper(1, 1) == 0)
    # functools.wraps metadata and the function's kind
    check("wraps", plain.__name__ == "plain" and
          plain.__doc__ == "plain's doc" and
          plain.__qualname__ == "plain" and
          plain.__wrapped__(1) == 2 and
          str(inspect.signature(named)) == "(x, *, y=2)" and
          Pipeline.step.__qualname__ == "Pipeline.step" and
          gen.__doc__ == "gen's doc")
    check("kinds", inspect.isgeneratorfunction(gen) and
          inspect.iscoroutinefunction(coro) and
          inspect.isasyncgenfunction(agen) and
          not inspect.isgeneratorfunction(plain))
    # a generator: values out, send and throw in, its return value
    g = gen(3)
    first = next(g)
    second = g.send("sent")
    third = g.throw(ValueError)
    try:
        next(g)
        ret = None
    except StopIteration as e:
        ret = e.value
    check("generator", (first, second, third) == (0, 1, 2) and
          ret == ["sent", "thrown", None], repr(ret))

    async def coros():
        a = await asyncio.gather(coro("a"), coro("b"))
        items = [i async for i in agen(2)]
        return a, items
    got = asyncio.run(coros())
    check("coroutines", got == (["a", "b"], [0, 1]), repr(got))
    # exceptions of the function pass unchanged
    e = Boom("mine")
    try:
        boom(e)
        check("exception", False, "no exception")
    except Boom as caught:
        check("exception", caught is e)
    g = gen_boom()
    try:
        list(g)
        check("generator_exception", False, "no exception")
    except Boom as caught:
        check("generator_exception", str(caught) == "in a generator")
    # an error inside the library: swallowed, counted as a drop (a name
    # whose str() fails makes the library fail in the same place on both
    # paths, pure Python and the accelerator: when it writes the name)

    class Flaky(str):
        fail = False

        def __str__(self):
            if Flaky.fail:
                raise RuntimeError("library bug")
            return str.__str__(self)

    @profile_module(Flaky("lib_error"))
    def lib_error(x):
        return x * 2

    # each span's begin and end is one event, or two with RSS readings
    per_call = 2 * (2 if os.environ.get("SWT_TRACE_SPAN_RSS") == "1" else 1)
    d0 = swtrace.dropped()
    Flaky.fail = True
    try:
        r = lib_error(21)
        d1 = swtrace.dropped()      # the events are written by now
    finally:
        Flaky.fail = False
    check("library_error", r == 42 and d1 == d0 + per_call,
          "%r %d" % (r, d1 - d0))
    # the same decorated function, the library working again: recorded
    check("after_library_error", lib_error(1) == 2 and lib_error(2) == 4)
    # with module(...), count, mark keep working
    with module("with_block"):
        count("deco_count", 3)
        mark("deco_mark")
    for k in sorted(DECORATED):
        say("spans %s %d" % (k, DECORATED[k]))
    say("checks %d" % sum(results))
    say("failed %d" % (len(results) - sum(results)))
    say("flushed %d" % flush_all())
    say("dropped %d" % swtrace.dropped())
    return 0 if all(results) else 1


def main():
    say("pid %d" % os.getpid())
    s = sys.argv[1] if len(sys.argv) > 1 else ""
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    fn = {"basic": lambda: basic(n), "counts": lambda: counts(n),
          "busy": lambda: busy(n), "noop": noop,
          "names": lambda: names(n), "fork": lambda: fork(False),
          "forkexec": lambda: fork(True), "exec2": exec2,
          "hold": lambda: hold(n), "measure": lambda: measure(n),
          "decorators": decorators}.get(s)
    ret = fn() if fn else 2
    say("exit %d" % ret)
    return ret


if __name__ == "__main__":
    sys.exit(main())
