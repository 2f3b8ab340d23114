"""A Python program profiling itself with swtrace.py (tests/python/
test_python.py runs it; the tools come from $SWT_SWREC, $SWT_SWANALYZE).

    python3 prof_app.py cli [--n N] [swtrace's options]
        add_arguments + profile_from_args, then N rounds of the modules
        "vision_system" (@profile_module, counting "ocr_call"),
        "Reader.parse" (a method, bare @profile_module) and
        "ocr_processor" (with module()); the report comes at exit.
    python3 prof_app.py api
        start_profiling / get_performance_report / analyze_session_weight
        / stop_profiling, twice, and the errors; a child process started
        while profiling counts "child_count" 5. Prints one JSON object.
    python3 prof_app.py events
        a fixed mix of events (names new and old, unicode, too long,
        4200 distinct, odd count values, nested spans, a thread) under
        start_profiling; prints the session path (the accelerator and the
        pure path must record the same events).
    python3 prof_app.py sampling [ROUNDS]
        under start_profiling(interval=0.1): ROUNDS (3000) rounds of
        "spin" (busy for 100 us) and "nap" (sleeps 100 us), both shorter
        than a millisecond (most go unmeasured); prints JSON: the session
        path, the CPU each burnt (read inside them), the thread's CPU over
        the loop, and its length.
"""
import argparse
import json
import os
import select
import subprocess
import sys
import threading
import time

import swtrace
from swtrace import count, mark, module, profile_module


def flush_all(limit_s=120):
    """flush() until the recorder has taken everything (as trace_app.py):
    a loaded machine makes this slower, never lossy."""
    end = time.monotonic() + limit_s
    while not swtrace.flush():
        if not swtrace.enabled() or time.monotonic() > end:
            return False
        sock = swtrace._client.sock
        if sock is None:
            time.sleep(0.02)        # backlog full: retried every 20 ms
        else:
            try:
                select.select([], [sock], [], 1.0)
            except (OSError, ValueError):
                pass
    return True


@profile_module("vision_system")
def analyse(i):
    s = 0
    for k in range(200):
        s += k * i
    count("ocr_call")
    return s


class Reader:
    @profile_module
    def parse(self, x):
        return x * 2


def work(n):
    r = Reader()
    for i in range(n):
        analyse(i)
        r.parse(i)
        with module("ocr_processor"):
            mark("frame")


def cli(argv):
    p = argparse.ArgumentParser(prog="prof_app.py cli")
    p.add_argument("--n", type=int, default=300)
    swtrace.add_arguments(p)
    a = p.parse_args(argv)
    on = swtrace.profile_from_args(a)
    print("profiling %d" % on, flush=True)
    work(a.n)
    return 0


def api():
    out = {"accel": swtrace.accelerated()}
    out["stop_before_start"] = swtrace.stop_profiling()
    out["enabled_before"] = swtrace.enabled()
    saved = os.environ.pop("SWT_SWREC")
    os.environ["SWT_SWREC"] = "/nonexistent/swrec"
    try:
        swtrace.start_profiling()
        out["missing_tool"] = "no error"
    except swtrace.ProfilingError as e:
        out["missing_tool"] = str(e)
    os.environ["SWT_SWREC"] = saved
    try:
        swtrace.start_profiling(interval=0.001)
        out["bad_interval"] = "no error"
    except swtrace.ProfilingError as e:
        out["bad_interval"] = str(e)
    out["profiling_after_errors"] = swtrace.profiling()

    path = swtrace.start_profiling(interval=0.1)
    out["path"] = path
    out["session_path"] = swtrace.session_path()
    out["profiling"] = swtrace.profiling()
    out["enabled"] = swtrace.enabled()
    out["env"] = os.environ.get("SWT_TRACE_SOCKET", "")
    try:
        swtrace.start_profiling()
        out["twice"] = "no error"
    except swtrace.ProfilingError as e:
        out["twice"] = str(e)
    work(200)
    count("api_count", 7)
    # a child started while profiling records into the same session
    child = subprocess.run(
        [sys.executable, "-c",
         "import sys; sys.path[:0] = %r\n"
         "import prof_app, swtrace\n"
         "swtrace.count('child_count', 5)\n"
         "sys.exit(0 if prof_app.flush_all() else 1)"
         % [os.path.dirname(os.path.abspath(__file__))]])
    out["child_status"] = child.returncode
    out["flushed"] = flush_all()
    live = swtrace.get_performance_report("lightweight")
    out["live_report"] = live.get("report")
    out["live_has_session"] = "session" in live
    out["stopped"] = swtrace.stop_profiling()
    out["profiling_after_stop"] = swtrace.profiling()
    out["enabled_after_stop"] = swtrace.enabled()
    out["env_after_stop"] = os.environ.get("SWT_TRACE_SOCKET")
    count("after_stop")             # not recorded, not an error
    w = swtrace.analyze_session_weight()
    out["weight_report"] = w["report"]
    out["weight_modules"] = sorted(m["name"] for m in w["modules"]
                                   if m["kind"] == "module")
    full = swtrace.get_performance_report()
    out["full_report"] = full["report"]
    out["full_damage"] = full["damage"]
    out["calls"] = {m["name"]: m["calls"] for m in full["modules"]
                    if m["kind"] == "module"}
    out["counters"] = {c["name"]: c["count"] for c in full["counters"]}
    out["dropped_events"] = full["session"]["dropped_events"]
    text = swtrace.get_performance_report("lightweight", format="text")
    out["text_is_str"] = isinstance(text, str) and "vision_system" in text
    try:
        swtrace.get_performance_report("heavy")
        out["bad_kind"] = "no error"
    except swtrace.ProfilingError as e:
        out["bad_kind"] = str(e)
    # a second session, to a given path
    path2 = os.path.join(os.path.dirname(path), "second.swt")
    out["path2"] = swtrace.start_profiling(path2, interval=0.2)
    count("second_count", 3)
    out["flushed2"] = flush_all()
    out["stopped2"] = swtrace.stop_profiling()
    r2 = swtrace.get_performance_report("full")
    out["counters2"] = {c["name"]: c["count"] for c in r2["counters"]}
    try:
        swtrace.start_profiling(path2)
        out["existing_file"] = "no error"
    except swtrace.ProfilingError as e:
        out["existing_file"] = str(e)
    print(json.dumps(out), flush=True)
    return 0




@profile_module
def deco_gen(n):
    for i in range(n):
        yield i


def events():
    path = swtrace.start_profiling(interval=0.5)

    def thread_work():
        for i in range(300):
            count("thread_count", i)
            with module("thread_module"):
                mark("thread_mark")
    t = threading.Thread(target=thread_work)
    t.start()
    t.join()
    for v in (1, -1, 0, 2 ** 62, 2 ** 70, -2 ** 70, 2.7, True, "x", None):
        count("odd_values", v)
    count("κόσμος ✓", 2)
    count("long_" + "x" * 300, 1)
    count("long_" + "é" * 200, 1)      # cut inside a character
    with module("outer"):
        with module("inner"):
            mark("nested")
        analyse(3)
    list(deco_gen(3))
    for i in range(4200):               # past the 4096 names
        count("name_%d" % i, 1)
    count("name_5", 1)                  # an old name, after the overflow
    count("name_4199", 1)               # an overflowed one
    ok = flush_all()
    swtrace.stop_profiling()
    print(json.dumps({"path": path, "flushed": ok,
                      "dropped": swtrace.dropped(),
                      "accel": swtrace.accelerated()}), flush=True)
    return 0


TRUTH = {"spin": 0, "nap": 0}      # their CPU, read inside the spans


@profile_module("spin")
def spin():
    c = time.thread_time_ns()
    t = time.perf_counter_ns() + 100000
    while time.perf_counter_ns() < t:
        pass
    TRUTH["spin"] += time.thread_time_ns() - c


@profile_module("nap")
def nap():
    c = time.thread_time_ns()
    time.sleep(0.0001)
    TRUTH["nap"] += time.thread_time_ns() - c


def sampling(argv):
    rounds = int(argv[0]) if argv else 3000
    path = swtrace.start_profiling(interval=float(os.environ.get("SAMPLING_INTERVAL", "0.1")))
    c0, w0 = time.thread_time_ns(), time.monotonic_ns()
    for _ in range(rounds):
        spin()
        nap()
    c1, w1 = time.thread_time_ns(), time.monotonic_ns()
    ok = flush_all()
    swtrace.stop_profiling()
    print(json.dumps({"path": path, "flushed": ok,
                      "dropped": swtrace.dropped(),
                      "loop_cpu_s": (c1 - c0) / 1e9,
                      "spin_cpu_s": TRUTH["spin"] / 1e9,
                      "nap_cpu_s": TRUTH["nap"] / 1e9,
                      "loop_s": (w1 - w0) / 1e9}), flush=True)
    return 0


def main():
    s = sys.argv[1] if len(sys.argv) > 1 else ""
    if s == "sampling":
        return sampling(sys.argv[2:])
    if s == "cli":
        return cli(sys.argv[2:])
    if s == "api":
        return api()
    if s == "events":
        return events()
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
