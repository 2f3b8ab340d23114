"""swtrace -- tell swrec which modules of a Python program are working.

Standard library only. Under ``swrec -- python3 app.py`` every call records
one event (CLOCK_MONOTONIC time, native thread id, name, value) into the
session file, in time order with swrec's samples; outside swrec (the
environment variable SWT_TRACE_SOCKET is not set) every call returns at
once::

    from swtrace import profile_module, module, count, mark

    @profile_module("vision_system")
    def analyse(frame):
        with module("ocr_processor"):
            count("ocr_call")
            ...
        mark("frame_done")

    @profile_module                     # module "Pipeline.step"
    def step(self): ...

Profiling the program itself (no ``swrec --`` in front of it)::

    import argparse, swtrace
    parser = argparse.ArgumentParser()
    swtrace.add_arguments(parser)       # --profile-session,
    args = parser.parse_args()          # --performance-report KIND,
    swtrace.profile_from_args(args)     # --performance-interval S,
                                        # --performance-output FILE

or by hand: ``start_profiling(path=None, interval=1.0)`` runs
``swrec -p <this pid> --print-socket`` (this process and its children),
waits for the line naming its socket and sends the events there;
``get_performance_report(kind="full")`` and ``analyze_session_weight()``
return swanalyze's JSON report as a dict (``format="text"`` a str);
``stop_profiling()`` sends what is left, stops swrec with SIGINT and waits
for it; ``session_path()`` names the file (path=None: a temporary file,
kept). The tools are found from the swrec=/swanalyze=/bindir= arguments,
$SWT_SWREC/$SWT_SWANALYZE, then PATH; when one is missing, or swrec
refuses, ProfilingError says which and why. See docs/python.md.

Cost (docs/performance.md, "swtrace.py"): with the optional C accelerator
``_swtrace_fast`` (built beside this file; SWT_TRACE_PURE_PYTHON=1 turns
it off) an event costs about as much as a ``time.monotonic_ns()`` call;
in pure Python a few hundred ns. Span measurements (below) add system
calls that cost microseconds on either path.

Span measurements (as libswtrace; record/client/swt_wire.h): with
SWT_TRACE_SPAN_CPU=1 in the environment (swrec sets it for the command it
launches unless --no-span-cpu) a span's begin and end carry the thread's
CPU time in ns (time.thread_time_ns()); with SWT_TRACE_SPAN_RSS=1 (unless
--no-span-rss) an RSS event (kind 5, the process's resident set in KiB
from a pread of a kept-open /proc/self/statm) goes right before each
begin and right after each end, with its time and name. Each is a system
call (about 1 us here), so unlike libswtrace not every boundary is
measured: one in SWT_TRACE_SPAN_SAMPLE (32; 1 = all) at random with the
boundary after it, and both ends of a module's first span on a thread
and of every span after one of its name that lasted 1 ms or more; the
others carry 0 and the analysis estimates their CPU at the module's
measured rate (docs/python.md, "Span sampling").

Like the C library (libswtrace): thread-safe, never blocks the program,
never raises (when the recorder cannot take events they are dropped and
counted, and the count is written into the session; so is each event of
a name whose str() fails), survives fork() (the child starts afresh) and
the recorder going away (tracing just stops).

Inside: an event is appended to a process-wide deque (pure Python: no
lock, the thread id cached per thread) and encoded into messages by the
flusher thread, by flush(), or by the caller once 2048 wait; the
accelerator writes it straight into the next message's body and calls
back to send it when full.

Transport ("inline mode" of record/client/swt_wire.h): the events are
buffered per process and sent as SOCK_SEQPACKET messages on a non-blocking
Unix socket -- when the buffer nears 64 KiB, every 20 ms from a daemon
thread, on flush() and at exit -- instead of the shared-memory rings the C
library uses (a Python call costs microseconds anyway). An event reaches
the recorder up to 20 ms after it happened; if the recorder has already
written records past its time, the event is written with its time raised
to the last one written (swrec counts these as "late").

When the socket is full (the recorder is busy for a moment), up to 16
messages (1 MiB) wait in the process and go out, in order, as soon as it
takes them again (meanwhile the buffer grows into a full message rather
than a small one every 20 ms); past that, new events are dropped and
counted. The count of dropped events travels in the messages: after
drops, a message without events carries it if no later one does. At exit
the library waits at most 0.5 s for the recorder to take what is left; a
recorder still busy after that never learns of what was left. A
message::

    header  "=IHHII" magic 0x4d545753 ("SWTM"), type 3, version 1,
            length of the whole message, 0
            "=Q"     events dropped so far (cumulative)
    items   name:  "=BBHI" 1, len, 0, id   + len bytes of UTF-8
            event: "=BBHiIqq" 2, kind, 0, tid, name id, t_ns, value

Name ids count 1, 2, 3, ... in the order they are first sent; a process
has 4096 of them, further names are recorded under "(overflow)" (id 0).
Kinds: 1 begin, 2 end, 3 count, 4 mark, 5 rss; value: begin/end the
thread's CPU time (0: not measured), count the delta, rss KiB. The
connection starts with a hello
("=IHHII" type 1, then "=iIII" pid, flags 1 = inline, 0, 0).
"""

import atexit
import collections
import contextlib
import functools
import inspect
import json
import os
import random
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

__all__ = ["profile_module", "module", "count", "mark", "flush", "enabled",
           "dropped", "accelerated", "start_profiling", "stop_profiling",
           "get_performance_report", "analyze_session_weight",
           "session_path", "profiling", "add_arguments", "profile_from_args",
           "ProfilingError"]

_ENV = "SWT_TRACE_SOCKET"
_ENV_SPAN_CPU = "SWT_TRACE_SPAN_CPU"
_ENV_SPAN_RSS = "SWT_TRACE_SPAN_RSS"
_ENV_SPAN_SAMPLE = "SWT_TRACE_SPAN_SAMPLE"
# Which span boundaries are measured (docs/python.md, "Span sampling"):
# one in _SPAN_SAMPLE at random, with the boundary after it; both ends of
# a module's first span on a thread and of every span after one that
# lasted _SPAN_LONG_NS or more.
_SPAN_SAMPLE = 32
_SPAN_LONG_NS = 1000000
_SPAN_STACK = 256
_ENV_PURE = "SWT_TRACE_PURE_PYTHON"
_MAGIC = 0x4D545753
_VERSION = 1
_HELLO = 1
_EVENTS = 3
_F_INLINE = 1
_BEGIN, _END, _COUNT, _MARK, _RSS = 1, 2, 3, 4, 5
_MAX_MSG = 65536
_MAX_NAMES = 4096
_MAX_NAME = 255
_FLUSH_S = 0.02
_RETRY_S = 0.02
_QUEUE_MAX = 16             # messages waiting for a busy recorder
_EXIT_WAIT_S = 0.5          # for the recorder to take the rest at exit
_STOP_WAIT_S = 10.0         # ... at stop_profiling(): the session's end

_HDR = struct.Struct("=IHHII")
_HELLO_MSG = struct.Struct("=IHHIIiIII")
_EVENTS_HDR = struct.Struct("=IHHIIQ")
_NAME_ITEM = struct.Struct("=BBHI")
_EVENT_ITEM = struct.Struct("=BBHiIqq")
# Cut a message before an item could make it too long.
_HIGH = _MAX_MSG - _EVENTS_HDR.size - _NAME_ITEM.size - _MAX_NAME - \
    2 * _EVENT_ITEM.size
# Pure path: events waiting in _q before the caller encodes them itself
# (the flusher thread does every 20 ms): about one full message.
_Q_HIGH = 2048

_UNKNOWN, _ON, _OFF = 0, 1, 2

# The accelerator (_swtrace_fast.c, optional): the same events, encoded
# into the same messages, by C functions. SWT_TRACE_PURE_PYTHON=1 or a
# failed import leaves the pure-Python path.
_fast = None
if os.environ.get(_ENV_PURE) != "1":
    try:
        import _swtrace_fast as _fast
        if getattr(_fast, "WIRE_VERSION", None) != 1:
            _fast = None
    except ImportError:
        _fast = None

# -- the hot path's state (module globals: the cheapest lookups) ----------
# _st is the client's state, _span_cpu/_span_rss its span measurements.
# Pure path: an event is a tuple appended to _q (deque.append is atomic,
# so no lock); the flusher thread, flush(), or the caller past _Q_HIGH
# encodes them under the client's lock. _tls.tid caches the native thread
# id (threading.get_native_id() is a gettid system call, ~1.8 us on the
# project's VMs: more than all the rest of an event).
_st = _UNKNOWN
_span_cpu = False
_span_rss = False
_span_p = 1.0 / _SPAN_SAMPLE      # the chance of a random measurement
_rand = random.random
_q = collections.deque()
_q_append = _q.append
_tls = threading.local()
_mono = time.monotonic_ns
_thread_ns = time.thread_time_ns


def _tid():
    t = _tls.__dict__.get("tid")
    if t is None:
        t = _tls.tid = threading.get_native_id()
    return t


def _env_span_sample():
    """SWT_TRACE_SPAN_SAMPLE: one boundary in N measured at random (1:
    every one)."""
    try:
        n = int(os.environ.get(_ENV_SPAN_SAMPLE, _SPAN_SAMPLE))
    except ValueError:
        n = _SPAN_SAMPLE
    return max(1, min(n, 1 << 20))


def _spans():
    """The calling thread's span state: [the next boundary is measured,
    its open spans (name, t, measured), {name: its last span's length
    (ns)}, its tid]."""
    sp = _tls.__dict__.get("sp")
    if sp is None:
        sp = _tls.sp = [False, [], {}, _tid()]
    return sp


def _value(delta):
    try:
        v = int(delta)
    except (TypeError, ValueError):
        return 0
    return max(-(1 << 63), min((1 << 63) - 1, v))


class _Client:
    """Process-wide state; one instance, reset in a fork() child and by
    start_profiling()/stop_profiling()."""

    def __init__(self):
        self._state = _UNKNOWN
        self.gen = 0                # flusher threads of older states exit
        self.fixed = None           # (path, cpu, rss) of start_profiling()
        self._reset()

    @property
    def state(self):
        return self._state

    @state.setter
    def state(self, st):
        global _st
        self._state = st
        _st = st
        if _fast is not None:
            _fast.set_state(st, self.span_cpu, self.span_rss,
                            self.statm_fd, self.page_kib,
                            self.span_sample)

    def _reset(self):
        self.lock = threading.Lock()
        self.sock = None
        self.path = None
        self.pid = os.getpid()
        self.buf = bytearray()
        self.n_buf = 0              # events in buf
        self.names = {}             # name -> id
        self.queue = collections.deque()    # [message, events] not sent
        self.n_sent_names = 0       # ids in messages sent or queued
        self.n_names = 0
        self.dropped = 0
        self.dropped_sent = 0       # the count the recorder has been sent
        self.retry_at = 0.0
        self.gen += 1
        self.wake = threading.Event()
        self.span_cpu = False
        self.span_rss = False
        self.span_sample = _SPAN_SAMPLE
        self.statm_fd = -1          # /proc/self/statm, ours
        self.page_kib = 4
        _q.clear()
        if _fast is not None:
            _fast.reset()

    def _close_fds(self):
        if self.statm_fd >= 0:
            try:
                os.close(self.statm_fd)
            except OSError:
                pass
            self.statm_fd = -1
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
            self.sock = None

    # -- called with self.lock held -------------------------------------

    def _start(self):
        global _span_cpu, _span_rss, _span_p
        if self.fixed is not None:
            path, cpu, rss = self.fixed
        else:
            path = os.environ.get(_ENV)
            cpu = os.environ.get(_ENV_SPAN_CPU) == "1"
            rss = os.environ.get(_ENV_SPAN_RSS) == "1"
        if not path:
            self.state = _OFF
            return
        self.path = path
        self.span_cpu = _span_cpu = cpu
        self.span_rss = _span_rss = rss
        n = _env_span_sample()
        self.span_sample = n
        _span_p = 1.0 / n
        if self.span_rss:
            try:
                self.page_kib = max(1, os.sysconf("SC_PAGE_SIZE") // 1024)
                # names this process: a fork() child opens its own
                self.statm_fd = os.open("/proc/self/statm",
                                        os.O_RDONLY | os.O_CLOEXEC)
            except (OSError, ValueError):
                self.statm_fd = -1
        self.state = _ON
        gen = self.gen
        threading.Thread(target=self._flusher_loop, args=(gen,),
                         name="swtrace-flush", daemon=True).start()

    def _connect(self):
        if self.sock is not None:
            return True
        now = time.monotonic()
        if now < self.retry_at:
            return False
        self.retry_at = now + _RETRY_S
        s = None
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            s.setblocking(False)
            s.connect(self.path)
            hello = _HELLO_MSG.pack(_MAGIC, _HELLO, _VERSION,
                                    _HELLO_MSG.size, 0, os.getpid(),
                                    _F_INLINE, 0, 0)
            s.send(hello, socket.MSG_DONTWAIT | socket.MSG_NOSIGNAL)
        except (BlockingIOError, InterruptedError):
            s.close()
            return False            # backlog full: later
        except OSError:
            if s is not None:
                s.close()
            self.state = _OFF       # no recorder there (any more)
            return False
        self.sock = s
        return True

    def _forget_unsent_names(self):
        if _fast is not None:
            _fast.forget_names()
        elif self.n_names > self.n_sent_names:
            self.names = {k: v for k, v in self.names.items()
                          if v <= self.n_sent_names}
            self.n_names = self.n_sent_names

    def _encode(self):
        """Pure path: the events waiting in _q into self.buf (a message
        is cut at _HIGH); the accelerator's drops into self.dropped."""
        if _fast is not None:
            self.dropped += _fast.take_dropped()
            return
        popleft = _q.popleft
        pack = _EVENT_ITEM.pack
        names = self.names
        for _ in range(len(_q)):
            kind, tid, name, t, value = popleft()
            try:
                i = names.get(name)
                if i is None:
                    i = self._name_id(name)
                    names = self.names
                if value.__class__ is not int:
                    value = _value(value)
                try:
                    item = pack(2, kind, 0, tid, i, t, value)
                except struct.error:    # out of range
                    item = pack(2, kind, 0, tid, i, t, _value(value))
            except Exception:           # a bad name: dropped, counted
                self.dropped += 1
                continue
            self.buf += item
            self.n_buf += 1
            if len(self.buf) >= _HIGH:
                self._enqueue()
                self._push()
                names = self.names

    def _enqueue(self):
        """The buffer becomes the last message of the queue (or, the
        queue being full, is dropped and counted)."""
        if _fast is not None:
            body, n = _fast.take()
            self.dropped += _fast.take_dropped()
        else:
            body, n = self.buf, self.n_buf
            self.buf = bytearray()
            self.n_buf = 0
        if not body:
            return
        if len(self.queue) >= _QUEUE_MAX or self.state != _ON:
            self.dropped += n
            self._forget_unsent_names()
        else:
            msg = bytearray(_EVENTS_HDR.pack(
                _MAGIC, _EVENTS, _VERSION,
                _EVENTS_HDR.size + len(body), 0, self.dropped))
            msg += body
            self.queue.append((msg, n, self.dropped))
            if _fast is not None:
                _fast.commit_names()
            else:
                self.n_sent_names = self.n_names

    def _push(self):
        """Send queued messages, in order, until the socket is full, then
        the count of dropped events if the last message sent did not carry
        it (events dropped after it, with the queue full). True when
        nothing is left."""
        if not self.queue and self.dropped == self.dropped_sent:
            return True
        if not self._connect():
            if self.state != _ON:
                self._lose_queue()
            return False
        while self.queue or self.dropped > self.dropped_sent:
            if self.queue:
                msg, _, count = self.queue[0]
            else:                   # a message of no events
                count = self.dropped
                msg = _EVENTS_HDR.pack(_MAGIC, _EVENTS, _VERSION,
                                       _EVENTS_HDR.size, 0, count)
            try:
                self.sock.send(msg, socket.MSG_DONTWAIT |
                               socket.MSG_NOSIGNAL)
            except (BlockingIOError, InterruptedError):
                return False        # recorder busy: later
            except OSError:
                self.state = _OFF   # recorder gone
                self._lose_queue()
                return False
            if self.queue:
                self.queue.popleft()
            self.dropped_sent = max(self.dropped_sent, count)
        return True

    def _lose_queue(self):
        for _, n, _ in self.queue:
            self.dropped += n
        self.queue.clear()

    def _send(self):
        self._encode()
        self._enqueue()
        return self._push()

    def _name_id(self, name):
        i = self.names.get(name)
        if i is not None:
            return i
        if self.n_names >= _MAX_NAMES:
            return 0
        raw = str(name).encode("utf-8", "replace")[:_MAX_NAME]
        self.n_names += 1
        i = self.n_names
        self.names[name] = i
        self.buf += _NAME_ITEM.pack(1, len(raw), 0, i)
        self.buf += raw
        return i

    def _flusher_loop(self, gen):
        while True:
            self.wake.wait(_FLUSH_S)
            self.wake.clear()
            with self.lock:
                if self.state != _ON or self.pid != os.getpid() or \
                        self.gen != gen:
                    return
                # A busy recorder: what waits goes first, and meanwhile
                # the buffer grows into one large message (queued at
                # _HIGH) rather than a small one every 20 ms, which
                # would fill the queue's 16 places in 320 ms.
                if self.queue and not self._push():
                    self._encode()
                    continue
                self._send()

    def _rss_kib(self):
        """The process's resident set in KiB, or -1."""
        fd = self.statm_fd
        if fd < 0:
            return -1
        try:
            f = os.pread(fd, 128, 0).split()
            return int(f[1]) * self.page_kib if len(f) == 7 else -1
        except (OSError, ValueError):
            return -1

    def _internal_error(self):
        # counted as a lost event; never raised into the application
        try:
            self.dropped += 1
        except Exception:
            pass

    # -- without the lock ------------------------------------------------

    def first_use(self):
        """The state, decided on the first event (SWT_TRACE_SOCKET)."""
        with self.lock:
            if self.state == _UNKNOWN:
                self._start()
        return self.state

    def kick(self):
        """Encode and send now (the caller's queue or the accelerator's
        buffer is full)."""
        with self.lock:
            if self.state == _ON:
                self._send()

    def flush(self):
        with self.lock:
            if self.state == _UNKNOWN:
                self._start()
            if self.state != _ON:
                return False
            self.retry_at = 0.0
            sent = self._send()
            return sent and self._connect()

    def take_dropped(self):
        with self.lock:
            if self.state == _ON:
                self._encode()
            elif _fast is not None:
                self.dropped += _fast.take_dropped()
            return self.dropped

    def exit_flush(self, wait_s=_EXIT_WAIT_S):
        """flush(), then wait (at most wait_s) for a busy recorder to
        take what is left. True when it took everything."""
        deadline = time.monotonic() + wait_s
        with self.lock:
            if self.state != _ON:
                return False
            self.retry_at = 0.0
            while not self._send():
                left = deadline - time.monotonic()
                if self.state != _ON or left <= 0:
                    return False
                if self.sock is None:       # backlog full: retry soon
                    time.sleep(min(left, _RETRY_S))
                    self.retry_at = 0.0
                    continue
                p = select.poll()
                p.register(self.sock, select.POLLOUT)
                p.poll(max(1, int(left * 1000)))
            return self._connect()

    def attach(self, path, span_cpu, span_rss):
        """start_profiling(): events go to the socket at path from now
        on (whatever SWT_TRACE_SOCKET said at import)."""
        with self.lock:
            self._close_fds()
            self.state = _OFF
            self._reset()
            self.fixed = (path, bool(span_cpu), bool(span_rss))
            self._start()
            return self._connect()

    def detach(self, wait_s=_STOP_WAIT_S):
        """stop_profiling(): send what is left (waiting at most wait_s for
        a busy recorder), close, and record nothing more. True when the
        recorder took everything."""
        ok = self.exit_flush(wait_s)
        with self.lock:
            if self.state == _ON:   # what is left is counted as dropped
                self._encode()
                self._enqueue()
            self._lose_queue()
            self._close_fds()
            self.fixed = None
            dropped = self.dropped
            self.state = _OFF
            self._reset()
            self.dropped = dropped
            self.state = _OFF
        return ok

    def after_fork_child(self):
        # Never send the parent's buffered events (the parent will) nor
        # use its connection: start again on the child's first event.
        global _tls
        _tls = threading.local()
        was = self.state
        self._close_fds()           # ours, but they name the parent
        self._reset()
        self.state = _UNKNOWN if was == _ON else was


_client = _Client()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_client.after_fork_child)


# -- the events --------------------------------------------------------------
# Pure-Python versions; replaced by the accelerator's when it is there.
# Each returns at once outside a recorder, never raises, and costs one
# tuple appended to _q under one (see docs/performance.md, "swtrace.py").

def count(counter, delta=1):
    """Add ``delta`` (an int) to the counter ``counter``."""
    if _st != _ON:
        if _st == _OFF or _client.first_use() != _ON:
            return
    try:
        _q_append((_COUNT, _tls.tid, counter, _mono(), delta))
    except AttributeError:
        _q_append((_COUNT, _tid(), counter, _mono(), delta))
    if len(_q) >= _Q_HIGH:
        _kick()


def mark(name):
    """An instant in the timeline."""
    if _st != _ON:
        if _st == _OFF or _client.first_use() != _ON:
            return
    try:
        _q_append((_MARK, _tls.tid, name, _mono(), 0))
    except AttributeError:
        _q_append((_MARK, _tid(), name, _mono(), 0))
    if len(_q) >= _Q_HIGH:
        _kick()


def begin(name):
    """Module ``name`` starts working on this thread (prefer module())."""
    if _st != _ON:
        if _st == _OFF or _client.first_use() != _ON:
            return
    if _span_cpu or _span_rss:
        # BEGIN reads RSS, then CPU, then the time and sends RSS(t),
        # BEGIN(t, cpu) (record/client/swt_wire.h); a boundary not
        # sampled (docs/python.md, "Span sampling") just BEGIN(t, 0).
        # (Inline: this runs at every call of a decorated function.)
        try:
            try:
                sp = _tls.sp
            except AttributeError:
                sp = _spans()
            t = _mono()
            if sp[0]:               # the boundary after a drawn one
                sp[0] = False
                m = True
            elif _rand() < _span_p:     # drawn: this one and the next
                sp[0] = m = True
            else:                   # a module's first span, or one after
                last = sp[2].get(name)  # a long one
                m = last is None or last >= _SPAN_LONG_NS
            if len(sp[1]) < _SPAN_STACK:
                sp[1].append((name, t, m))
            if not m:
                _q_append((_BEGIN, sp[3], name, t, 0))
            else:
                rss = _client._rss_kib() if _span_rss else -1
                cpu = max(1, _thread_ns()) if _span_cpu else 0
                t = _mono()
                if rss >= 0:
                    _q_append((_RSS, sp[3], name, t, rss))
                _q_append((_BEGIN, sp[3], name, t, cpu))
        except Exception:           # never raise into the application
            _client._internal_error()
    else:
        try:
            _q_append((_BEGIN, _tls.tid, name, _mono(), 0))
        except AttributeError:
            _q_append((_BEGIN, _tid(), name, _mono(), 0))
    if len(_q) >= _Q_HIGH:
        _kick()


def end(name):
    """... and stops; must be the innermost open span of this thread."""
    if _st != _ON:
        if _st == _OFF or _client.first_use() != _ON:
            return
    if _span_cpu or _span_rss:
        # END takes the time, then CPU, then RSS and sends END(t, cpu),
        # RSS(t); a boundary not sampled, of a span whose BEGIN was not
        # measured, just END(t, 0).
        try:
            try:
                sp = _tls.sp
            except AttributeError:
                sp = _spans()
            t = _mono()
            stack, m = sp[1], False
            if stack and stack[-1][0] == name:
                _, t0, m = stack.pop()
                sp[2][name] = t - t0
            else:
                for i in range(len(stack) - 2, -1, -1):
                    if stack[i][0] == name:
                        _, t0, m = stack.pop(i)
                        sp[2][name] = t - t0
                        break
            if m:
                sp[0] = False       # (it is the boundary after, if due)
            elif sp[0]:
                sp[0] = False
                m = True
            elif _rand() < _span_p:
                sp[0] = m = True
            if not m:
                _q_append((_END, sp[3], name, t, 0))
            else:
                cpu = max(1, _thread_ns()) if _span_cpu else 0
                rss = _client._rss_kib() if _span_rss else -1
                _q_append((_END, sp[3], name, t, cpu))
                if rss >= 0:
                    _q_append((_RSS, sp[3], name, t, rss))
        except Exception:           # never raise into the application
            _client._internal_error()
    else:
        try:
            _q_append((_END, _tls.tid, name, _mono(), 0))
        except AttributeError:
            _q_append((_END, _tid(), name, _mono(), 0))
    if len(_q) >= _Q_HIGH:
        _kick()


def _kick():
    try:
        _client.kick()
    except Exception:
        _client._internal_error()


if _fast is not None:
    _fast.set_callbacks(_client.first_use, _kick)
    count, mark, begin, end = _fast.count, _fast.mark, _fast.begin, \
        _fast.end

# the decorators' and module()'s references (the accelerator's or not)
_begin, _end = begin, end


class module(contextlib.ContextDecorator):
    """``with module("ocr_processor"):`` -- a span around the block.

    Also a decorator for plain functions (see profile_module)."""

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        _begin(self.name)
        return self

    def __exit__(self, *exc):
        _end(self.name)
        return False


def _steps(it, name):
    """Drive the generator or coroutine ``it`` (anything with send, throw
    and close) one resumption at a time, each inside a span of ``name``;
    yields what it yields, passes in what is sent or thrown, returns what
    it returns. Used with ``yield from`` (generators) and as __await__
    (coroutines)."""
    send, exc = None, None
    while True:
        _begin(name)
        try:
            y = it.send(send) if exc is None else it.throw(exc)
        except StopIteration as e:
            return e.value
        finally:
            _end(name)
        send, exc = None, None
        try:
            send = yield y
        except GeneratorExit:
            _begin(name)
            try:
                it.close()
            finally:
                _end(name)
            raise
        except BaseException as e:  # thrown in: into `it`, in a span
            exc = e


class _Stepped:
    """An awaitable: ``it`` awaited resumption by resumption (_steps)."""
    __slots__ = ("it", "name")

    def __init__(self, it, name):
        self.it = it
        self.name = name

    def __await__(self):
        return _steps(self.it, self.name)


def _qualname(fn):
    return (getattr(fn, "__qualname__", None) or
            getattr(fn, "__name__", None) or repr(fn))


def _decorate(fn, name):
    if isinstance(fn, (classmethod, staticmethod)):
        return type(fn)(_decorate(fn.__func__, name))
    if name is None:
        name = _qualname(fn)

    if inspect.isasyncgenfunction(fn):
        @functools.wraps(fn)
        async def agwrapper(*args, **kwargs):
            agen = fn(*args, **kwargs)
            op, arg = agen.asend, None
            try:
                while True:
                    try:
                        y = await _Stepped(op(arg), name)
                    except StopAsyncIteration:
                        return
                    try:
                        arg = yield y
                        op = agen.asend
                    except GeneratorExit:
                        raise
                    except BaseException as e:
                        op, arg = agen.athrow, e
            finally:
                await _Stepped(agen.aclose(), name)
        return agwrapper

    if inspect.iscoroutinefunction(fn):
        @functools.wraps(fn)
        async def awrapper(*args, **kwargs):
            return await _Stepped(fn(*args, **kwargs), name)
        return awrapper

    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def gwrapper(*args, **kwargs):
            return (yield from _steps(fn(*args, **kwargs), name))
        return gwrapper

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        _begin(name)
        try:
            return fn(*args, **kwargs)
        finally:
            _end(name)
    return wrapper


def profile_module(name=None):
    """Decorator: the function's work is a span of module ``name``.

    ``@profile_module`` (bare, or ``@profile_module()``) names the module
    after the function's ``__qualname__`` ("Reader.parse");
    ``@profile_module("ocr")`` gives the name. The wrapper keeps the
    function's metadata (functools.wraps) and kind: a generator function
    stays one, a coroutine function stays one. Works on functions,
    methods, classmethods and staticmethods (above or below
    ``@classmethod``/``@staticmethod``).

    Plain functions and methods: one span per call.

    Generators, coroutines (``async def``) and async generators: one span
    per *resumption* -- it begins when the caller (or the event loop)
    resumes the body and ends when the body yields, awaits something that
    suspends, returns or raises. The time a generator waits for its
    consumer, or a coroutine for its I/O, is no span of the module: that
    is what makes the CPU of a span the module's own, and coroutines that
    interleave on one thread never cross each other's spans.

    Exceptions of the function pass through unchanged; the library never
    raises (an internal error drops the event and counts it)."""
    if name is not None and not isinstance(name, str):
        # bare: @profile_module
        return _decorate_safely(name, None)
    return lambda fn: _decorate_safely(fn, name)


def _decorate_safely(fn, name):
    try:
        return _decorate(fn, name)
    except Exception:               # never raise into the application
        _client._internal_error()
        return fn


def flush():
    """Send buffered events now. True if they reached the recorder."""
    try:
        return _client.flush()
    except Exception:
        return False


def _exit_flush():
    try:
        _client.exit_flush()
    except Exception:
        pass


atexit.register(_exit_flush)


def enabled():
    """True when events are being recorded (under swrec, or between
    start_profiling() and stop_profiling())."""
    if _client.state == _UNKNOWN:
        _client.first_use()
    return _client.state == _ON


def dropped():
    """Events this process dropped so far."""
    try:
        return _client.take_dropped()
    except Exception:
        return _client.dropped


def accelerated():
    """True when the C accelerator (_swtrace_fast) records the events."""
    return _fast is not None


# -- profiling the calling process -------------------------------------------

class ProfilingError(RuntimeError):
    """start_profiling(), stop_profiling() or a report failed: a tool is
    missing, swrec refused its options, swanalyze could not read the
    session. The message says which and why."""


_REPORT_KINDS = ("full", "lightweight", "weight-analysis")
_FORMATS = ("json", "text", "markdown", "csv")
_START_WAIT_S = 60.0        # for swrec's socket line (a loaded machine)


def _find_tool(name, env, given, bindir):
    """given, else bindir/name, else $env, else PATH."""
    how = None
    if given:
        path, how = given, "argument"
    elif bindir:
        path, how = os.path.join(bindir, name), "bindir %s" % bindir
    elif os.environ.get(env):
        path, how = os.environ[env], "$" + env
    else:
        path = shutil.which(name)
        if path is None:
            raise ProfilingError(
                "%s not found: put it on PATH, set %s=/path/to/%s or pass "
                "bindir=" % (name, env, name))
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise ProfilingError("%s (from %s) is not an executable file"
                             % (path, how))
    return path


class _Session:
    """The one recording start_profiling() made (the last one, once
    stopped: its file and tools stay for the reports)."""

    def __init__(self, path, swrec, swanalyze):
        self.path = path
        self.swrec = swrec
        self.swanalyze = swanalyze
        self.proc = None
        self.owner = os.getpid()
        self.stderr = None
        self.socket = None
        self.old_env = None
        self.returncode = None
        self.events_taken = None


_session = None
_session_lock = threading.RLock()


def _swrec_error(s, what):
    msg = ""
    if s.stderr is not None:
        try:
            s.stderr.seek(0)
            msg = s.stderr.read().decode("utf-8", "replace").strip()
        except OSError:
            pass
    return ProfilingError("%s%s" % (what, (": " + msg) if msg else ""))


def _read_socket_line(proc, limit_s):
    """swrec's first line on stdout, SWT_TRACE_SOCKET=PATH: printed once
    it listens, before it records (swrec.c print_socket). None if it
    exited first."""
    fd = proc.stdout.fileno()
    data = b""
    deadline = time.monotonic() + limit_s
    while not data.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        r, _, _ = select.select([fd], [], [], left)
        if not r:
            continue
        chunk = os.read(fd, 4096)
        if not chunk:
            return None
        data += chunk
    line = data.decode("utf-8", "replace").strip()
    if not line.startswith(_ENV + "="):
        return None
    return line[len(_ENV) + 1:]


def start_profiling(path=None, interval=1.0, *, span_cpu=True,
                    span_rss=True, swrec=None, swanalyze=None, bindir=None,
                    swrec_args=()):
    """Record this process and its children with swrec from now on.

    Starts ``swrec -p PID --print-socket -i INTERVAL -o PATH`` (swrec
    attaches to the calling process and every descendant), waits for the
    line in which swrec names its events socket, and sends this process's
    events (profile_module, module, count, mark) there; so do children
    started later (SWT_TRACE_SOCKET is set in os.environ until
    stop_profiling()). Returns the session file's path.

    path: the session file (never overwritten: swrec refuses an existing
    file); None makes one in a new temporary directory, kept after the
    program ends (session_path() says where). interval: swrec's sampling
    interval in seconds (-i). A failure of swrec after its socket line (it
    cannot write the file) is raised by stop_profiling(). span_cpu, span_rss: spans carry the
    thread's CPU time and are bracketed by RSS readings, as swrec sets for
    a program it launches (unless --no-span-cpu/--no-span-rss): that is
    what puts CPU and memory on the modules, and it costs two system calls
    at each begin and end. swrec_args: more swrec options (e.g.
    ["--flush", "0.2"]).

    The tools: swrec= and swanalyze= (paths), else bindir=DIR holding both,
    else $SWT_SWREC and $SWT_SWANALYZE, else PATH. Raises ProfilingError
    when one is missing, when swrec refuses (its message is in the
    error), or when a recording of this process is already running.
    stop_profiling() is called at exit if the program does not call it.
    """
    global _session
    with _session_lock:
        if _session is not None and _session.proc is not None and \
                _session.owner == os.getpid():
            raise ProfilingError("already profiling (session %s)"
                                 % _session.path)
        if _client.fixed is None and os.environ.get(_ENV):
            raise ProfilingError(
                "this process is already recorded by a swrec "
                "(SWT_TRACE_SOCKET is set)")
        try:
            iv = float(interval)
        except (TypeError, ValueError):
            raise ProfilingError("interval: not a number of seconds: %r"
                                 % (interval,)) from None
        swrec_path = _find_tool("swrec", "SWT_SWREC", swrec, bindir)
        swanalyze_path = _find_tool("swanalyze", "SWT_SWANALYZE", swanalyze,
                                    bindir)
        if path is None:
            d = tempfile.mkdtemp(prefix="swtrace-")
            path = os.path.join(d, "session.swt")
        path = os.path.abspath(os.fspath(path))
        # swrec refuses it too, but only after it has printed its socket
        # (it opens the file then): that would come out at stop.
        if os.path.lexists(path):
            raise ProfilingError("swrec did not start: %s exists (a session "
                                 "file is never overwritten)" % path)
        s = _Session(path, swrec_path, swanalyze_path)
        cmd = [swrec_path, "-p", str(os.getpid()), "--print-socket", "-q",
               "-i", format(iv, "f"), "-o", path]
        cmd += [str(a) for a in swrec_args]
        s.stderr = tempfile.TemporaryFile()
        try:
            # Its own session: a ^C at the terminal stops the program,
            # whose exit then stops the recording cleanly (swrec -p ends
            # when its roots have exited), rather than swrec first.
            s.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                      stdout=subprocess.PIPE,
                                      stderr=s.stderr, close_fds=True,
                                      start_new_session=True)
        except OSError as e:
            s.stderr.close()
            raise ProfilingError("cannot run %s: %s" % (swrec_path, e)) \
                from None
        sock = _read_socket_line(s.proc, _START_WAIT_S)
        if sock is None:
            if s.proc.poll() is None:
                s.proc.kill()
            s.returncode = s.proc.wait()
            s.proc.stdout.close()
            err = _swrec_error(s, "swrec did not start (exit %s)"
                               % s.returncode)
            s.stderr.close()
            s.proc = None
            raise err
        s.socket = sock
        s.old_env = os.environ.get(_ENV)
        os.environ[_ENV] = sock
        _client.attach(sock, span_cpu, span_rss)
        _session = s
    return path


def profiling():
    """True between start_profiling() and stop_profiling()."""
    s = _session
    return s is not None and s.proc is not None and \
        s.owner == os.getpid()


def session_path():
    """The session file of the running or last start_profiling(), or
    None."""
    s = _session
    return s.path if s is not None else None


def stop_profiling():
    """Send the events left, stop swrec (SIGINT: it samples once more,
    writes the session's end and index and exits) and wait for it. Returns
    the session file's path; None if nothing was being profiled (also in a
    fork() child: the recording belongs to the parent). Raises
    ProfilingError if swrec failed (its message is in the error)."""
    with _session_lock:
        s = _session
        if s is None or s.proc is None or s.owner != os.getpid():
            return None
        s.events_taken = _client.detach()
        if s.old_env is None:
            os.environ.pop(_ENV, None)
        else:
            os.environ[_ENV] = s.old_env
        proc = s.proc
        s.proc = None
        try:
            proc.send_signal(signal.SIGINT)
        except OSError:
            pass
        s.returncode = proc.wait()
        proc.stdout.close()
        try:
            if s.returncode != 0:
                raise _swrec_error(s, "swrec failed (exit %d)"
                                   % s.returncode)
        finally:
            s.stderr.close()
            s.stderr = None
        return s.path


def _stop_at_exit():
    try:
        stop_profiling()
    except Exception as e:
        sys.stderr.write("swtrace: %s\n" % e)


atexit.register(_stop_at_exit)      # runs before _exit_flush (LIFO)


def get_performance_report(kind="full", format="json", path=None,
                           swanalyze_args=()):
    """swanalyze's report of the session: ``swanalyze FILE --report KIND
    --format FORMAT``. KIND is "full", "lightweight" or
    "weight-analysis"; format "json" returns the report as a dict (json
    .loads of swanalyze's JSON), "text", "markdown" or "csv" a str.

    path: another session file; by default the one of start_profiling().
    While still profiling, the report covers what swrec has made durable
    so far: the events sent up to now (flush() first) and the samples up
    to swrec's last flush (every second, swrec's --flush); the file's
    unfinished tail is listed under "damage" (swanalyze exits 3 with the
    readable part analysed, accepted here). After stop_profiling() the
    file is complete and "damage" empty. Raises ProfilingError when
    swanalyze cannot read the file (exit 2) or fails otherwise."""
    if kind not in _REPORT_KINDS:
        raise ProfilingError("report kind %r: one of %s"
                             % (kind, ", ".join(_REPORT_KINDS)))
    if format not in _FORMATS:
        raise ProfilingError("format %r: one of %s"
                             % (format, ", ".join(_FORMATS)))
    s = _session
    if path is None:
        if s is None:
            raise ProfilingError("no session: start_profiling() first, or "
                                 "give path=")
        path = s.path
        tool = s.swanalyze
        if s.proc is not None:
            flush()
    else:
        tool = s.swanalyze if s is not None else \
            _find_tool("swanalyze", "SWT_SWANALYZE", None, None)
    cmd = [tool, os.fspath(path), "--report", kind, "--format", format]
    cmd += [str(a) for a in swanalyze_args]
    try:
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as e:
        raise ProfilingError("cannot run %s: %s" % (tool, e)) from None
    # 0: analysed; 3: damaged or unfinished, the readable part analysed
    if r.returncode not in (0, 3) or not r.stdout:
        raise ProfilingError("swanalyze %s failed (exit %d): %s" % (
            path, r.returncode,
            r.stderr.decode("utf-8", "replace").strip()))
    out = r.stdout.decode("utf-8")
    return json.loads(out) if format == "json" else out


def analyze_session_weight(path=None):
    """The weight analysis (per-module weights, leaks, bottlenecks,
    trend) as a dict: get_performance_report("weight-analysis")."""
    return get_performance_report("weight-analysis", "json", path)


# -- command-line integration --------------------------------------------------

def add_arguments(parser):
    """Add swtrace's options to an argparse parser (returns their group):

      --profile-session             record this run with swrec
      --performance-report KIND     full (default), lightweight,
                                    weight-analysis
      --performance-interval SECONDS  swrec's sampling interval (1.0)
      --performance-output FILE     write the report there as JSON
                                    (default: the text report on stderr)

    profile_from_args(args) makes them work."""
    g = parser.add_argument_group("performance profiling (swtrace)")
    g.add_argument("--profile-session", action="store_true",
                   help="record this run's resource use and modules with "
                        "swrec and report it at exit")
    g.add_argument("--performance-report", choices=_REPORT_KINDS,
                   default="full", metavar="{" + ",".join(_REPORT_KINDS) +
                   "}", help="report at exit (default: full)")
    g.add_argument("--performance-interval", type=float, default=1.0,
                   metavar="SECONDS",
                   help="sampling interval in seconds (default: 1.0)")
    g.add_argument("--performance-output", metavar="FILE",
                   help="write the report to FILE as JSON (default: the "
                        "text report on stderr)")
    return g


def _report_at_exit(kind, output):
    try:
        stop_profiling()
        if output:
            rep = get_performance_report(kind, "json")
            tmp = "%s.tmp.%d" % (output, os.getpid())
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(rep, f, indent=2)
                f.write("\n")
            os.replace(tmp, output)
            sys.stderr.write("swtrace: %s report in %s (session %s)\n"
                             % (kind, output, session_path()))
        else:
            sys.stderr.write(get_performance_report(kind, "text"))
            sys.stderr.write("swtrace: session %s\n" % session_path())
    except (ProfilingError, OSError) as e:
        sys.stderr.write("swtrace: no performance report: %s\n" % e)


def profile_from_args(args, **kwargs):
    """After parser.parse_args(): with --profile-session, start_profiling()
    now (interval --performance-interval; kwargs go to start_profiling)
    and, at exit, stop it and write the --performance-report report:
    JSON into --performance-output, else the text report on stderr.
    Returns True when profiling started; without --profile-session does
    nothing and returns False. Raises ProfilingError as start_profiling()
    does."""
    if not getattr(args, "profile_session", False):
        return False
    kind = getattr(args, "performance_report", None) or "full"
    output = getattr(args, "performance_output", None)
    interval = getattr(args, "performance_interval", None) or 1.0
    start_profiling(interval=interval, **kwargs)
    atexit.register(_report_at_exit, kind, output)
    return True
