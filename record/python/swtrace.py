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

Span measurements (as libswtrace; record/client/swt_wire.h): with
SWT_TRACE_SPAN_CPU=1 in the environment (swrec sets it for the command it
launches unless --no-span-cpu) a span's begin and end carry the thread's
CPU time in ns (time.thread_time_ns()); with SWT_TRACE_SPAN_RSS=1 (unless
--no-span-rss) an RSS event (kind 5, the process's resident set in KiB
from a pread of a kept-open /proc/self/statm) goes right before each
begin and right after each end, with its time and name. Each is a system
call per begin and per end.

Like the C library (libswtrace): thread-safe, never blocks the program,
never raises (when the recorder cannot take events they are dropped and
counted, and the count is written into the session), survives fork() (the
child starts afresh) and the recorder going away (tracing just stops).

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
import os
import select
import socket
import struct
import threading
import time

__all__ = ["profile_module", "module", "count", "mark", "flush", "enabled",
           "dropped"]

_ENV = "SWT_TRACE_SOCKET"
_ENV_SPAN_CPU = "SWT_TRACE_SPAN_CPU"
_ENV_SPAN_RSS = "SWT_TRACE_SPAN_RSS"
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

_HDR = struct.Struct("=IHHII")
_HELLO_MSG = struct.Struct("=IHHIIiIII")
_EVENTS_HDR = struct.Struct("=IHHIIQ")
_NAME_ITEM = struct.Struct("=BBHI")
_EVENT_ITEM = struct.Struct("=BBHiIqq")
# Flush before an item could make the message too long.
_HIGH = _MAX_MSG - _NAME_ITEM.size - _MAX_NAME - _EVENT_ITEM.size

_UNKNOWN, _ON, _OFF = 0, 1, 2


class _Client:
    """Process-wide state; one instance, reset in a fork() child."""

    def __init__(self):
        self.state = _UNKNOWN
        self._reset()

    def _reset(self):
        self.lock = threading.Lock()
        self.sock = None
        self.path = None
        self.pid = os.getpid()
        self.buf = bytearray()
        self.n_buf = 0              # events in buf
        self.names = {}             # str -> id
        self.queue = collections.deque()    # [message, events] not sent
        self.n_sent_names = 0       # ids in messages sent or queued
        self.n_names = 0
        self.dropped = 0
        self.dropped_sent = 0       # the count the recorder has been sent
        self.retry_at = 0.0
        self.flusher = None
        self.wake = threading.Event()
        self.span_cpu = False
        self.span_rss = False
        self.statm_fd = -1          # /proc/self/statm, ours
        self.page_kib = 4

    # -- called with self.lock held -------------------------------------

    def _start(self):
        path = os.environ.get(_ENV)
        if not path:
            self.state = _OFF
            return
        self.path = path
        self.span_cpu = os.environ.get(_ENV_SPAN_CPU) == "1"
        self.span_rss = os.environ.get(_ENV_SPAN_RSS) == "1"
        if self.span_rss:
            try:
                self.page_kib = max(1, os.sysconf("SC_PAGE_SIZE") // 1024)
                # names this process: a fork() child opens its own
                self.statm_fd = os.open("/proc/self/statm",
                                        os.O_RDONLY | os.O_CLOEXEC)
            except (OSError, ValueError):
                self.statm_fd = -1
        self.state = _ON

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
        if self.n_names > self.n_sent_names:
            self.names = {k: v for k, v in self.names.items()
                          if v <= self.n_sent_names}
            self.n_names = self.n_sent_names

    def _enqueue(self):
        """The buffer becomes the last message of the queue (or, the
        queue being full, is dropped and counted)."""
        if not self.buf:
            return
        if len(self.queue) >= _QUEUE_MAX or self.state != _ON:
            self.dropped += self.n_buf
            self._forget_unsent_names()
        else:
            msg = bytearray(_EVENTS_HDR.pack(
                _MAGIC, _EVENTS, _VERSION,
                _EVENTS_HDR.size + len(self.buf), 0, self.dropped))
            msg += self.buf
            self.queue.append((msg, self.n_buf, self.dropped))
            self.n_sent_names = self.n_names
        self.buf = bytearray()
        self.n_buf = 0

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

    def _flusher_loop(self):
        while True:
            self.wake.wait(_FLUSH_S)
            self.wake.clear()
            with self.lock:
                if self.state != _ON or self.pid != os.getpid():
                    return
                # A busy recorder: what waits goes first, and meanwhile
                # the buffer grows into one large message (record() queues
                # it at _HIGH) rather than a small one every 20 ms, which
                # would fill the queue's 16 places in 320 ms.
                if self.queue and not self._push():
                    continue
                if self.buf or self.dropped > self.dropped_sent:
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

    def _add(self, t, name, events):
        """Append events [(kind, value), ...] of this thread at time t
        under name."""
        tid = threading.get_native_id()
        with self.lock:
            if self.state == _UNKNOWN:
                self._start()
            if self.state != _ON:
                return
            i = self._name_id(name)
            for kind, value in events:
                self.buf += _EVENT_ITEM.pack(2, kind, 0, tid, i, t, value)
                self.n_buf += 1
            if len(self.buf) >= _HIGH:
                self._send()
            if self.flusher is None:
                self.flusher = threading.Thread(
                    target=self._flusher_loop, name="swtrace-flush",
                    daemon=True)
                self.flusher.start()

    def _internal_error(self):
        # counted as a lost event; never raised into the application
        try:
            self.dropped += 1
        except Exception:
            pass

    # -- API ---------------------------------------------------------------

    def record(self, kind, name, value):
        if self.state == _OFF:
            return
        try:
            self._add(time.monotonic_ns(), name, ((kind, value),))
        except Exception:           # never raise into the application
            self._internal_error()

    def span(self, kind, name):
        """A span's BEGIN or END, measured as asked (record/client/
        swt_wire.h): BEGIN reads RSS, then CPU, then the time and sends
        RSS(t), BEGIN(t, cpu); END takes the time, then CPU, then RSS and
        sends END(t, cpu), RSS(t)."""
        if self.state == _OFF:
            return
        try:
            if self.state == _UNKNOWN:
                with self.lock:
                    if self.state == _UNKNOWN:
                        self._start()
            if self.state != _ON:
                return
            cpu_on, rss_on = self.span_cpu, self.span_rss
            cpu, rss = 0, -1
            if kind == _BEGIN:
                if rss_on:
                    rss = self._rss_kib()
                if cpu_on:
                    cpu = max(1, time.thread_time_ns())
                t = time.monotonic_ns()
                ev = ((_RSS, rss), (_BEGIN, cpu)) if rss >= 0 else \
                    ((_BEGIN, cpu),)
            else:
                t = time.monotonic_ns()
                if cpu_on:
                    cpu = max(1, time.thread_time_ns())
                if rss_on:
                    rss = self._rss_kib()
                ev = ((_END, cpu), (_RSS, rss)) if rss >= 0 else \
                    ((_END, cpu),)
            self._add(t, name, ev)
        except Exception:           # never raise into the application
            self._internal_error()

    def flush(self):
        with self.lock:
            if self.state == _UNKNOWN:
                self._start()
            if self.state != _ON:
                return False
            self.retry_at = 0.0
            sent = self._send()
            return sent and self._connect()

    def exit_flush(self):
        """flush(), then wait (at most _EXIT_WAIT_S) for a busy recorder to
        take what is left: nothing is sent after exit."""
        deadline = time.monotonic() + _EXIT_WAIT_S
        with self.lock:
            if self.state != _ON:
                return
            self.retry_at = 0.0
            while not self._send() and self.state == _ON:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                if self.sock is None:       # backlog full: retry soon
                    time.sleep(min(left, _RETRY_S))
                    self.retry_at = 0.0
                    continue
                p = select.poll()
                p.register(self.sock, select.POLLOUT)
                p.poll(max(1, int(left * 1000)))

    def after_fork_child(self):
        # Never send the parent's buffered events (the parent will) nor
        # use its connection: start again on the child's first event.
        old = self.sock
        old_statm = self.statm_fd
        was = self.state
        self._reset()
        for fd in (old_statm,):
            if fd >= 0:
                try:
                    os.close(fd)    # ours, but it names the parent
                except OSError:
                    pass
        if old is not None:
            try:
                old.close()
            except OSError:
                pass
        self.state = _UNKNOWN if was == _ON else was


_client = _Client()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_client.after_fork_child)


def _value(delta):
    try:
        v = int(delta)
    except (TypeError, ValueError):
        return 0
    return max(-(1 << 63), min((1 << 63) - 1, v))


def count(counter, delta=1):
    """Add ``delta`` (an int) to the counter ``counter``."""
    _client.record(_COUNT, counter, _value(delta))


def mark(name):
    """An instant in the timeline."""
    _client.record(_MARK, name, 0)


def begin(name):
    """Module ``name`` starts working on this thread (prefer module())."""
    _client.span(_BEGIN, name)


def end(name):
    """... and stops; must be the innermost open span of this thread."""
    _client.span(_END, name)


class module(contextlib.ContextDecorator):
    """``with module("ocr_processor"):`` -- a span around the block.

    Also a decorator for plain functions (see profile_module)."""

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        _client.span(_BEGIN, self.name)
        return self

    def __exit__(self, *exc):
        _client.span(_END, self.name)
        return False


def _steps(it, name):
    """Drive the generator or coroutine ``it`` (anything with send, throw
    and close) one resumption at a time, each inside a span of ``name``;
    yields what it yields, passes in what is sent or thrown, returns what
    it returns. Used with ``yield from`` (generators) and as __await__
    (coroutines)."""
    send, exc = None, None
    while True:
        _client.span(_BEGIN, name)
        try:
            y = it.send(send) if exc is None else it.throw(exc)
        except StopIteration as e:
            return e.value
        finally:
            _client.span(_END, name)
        send, exc = None, None
        try:
            send = yield y
        except GeneratorExit:
            _client.span(_BEGIN, name)
            try:
                it.close()
            finally:
                _client.span(_END, name)
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
        _client.span(_BEGIN, name)
        try:
            return fn(*args, **kwargs)
        finally:
            _client.span(_END, name)
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
    """True when events are being recorded (running under swrec)."""
    if _client.state == _UNKNOWN:
        with _client.lock:
            if _client.state == _UNKNOWN:
                _client._start()
    return _client.state == _ON


def dropped():
    """Events this process dropped so far."""
    return _client.dropped
