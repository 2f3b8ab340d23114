/* _swtrace_fast — the optional accelerator of swtrace.py.
 *
 * count(), mark(), begin() and end() of swtrace.py in C: the same
 * events, written straight into the body of the next message in the
 * inline wire format of swtrace.py's docstring (record/client/swt_wire.h),
 * name items first when a name is new. swtrace.py keeps everything else
 * (the connection, the queue of messages, drops, fork, the flusher
 * thread): it takes the body with take(), then calls commit_names() when
 * the message is queued or forget_names() when it is dropped, exactly as
 * it does with the buffer of its pure-Python path. When the body reaches
 * the size of a message, the next event calls swtrace.py's kick (it sends
 * the message); if that could not make room (another thread is sending),
 * the event is dropped and counted.
 *
 * Every function runs with the GIL held and never releases it except
 * through the Python callbacks (first use, kick, a name's __str__), so
 * the GIL is the lock; nothing here is touched without it. The state is
 * process-wide on purpose: it mirrors swtrace.py's one client, which a
 * fork() child resets (reset()).
 *
 * The functions never raise into the application (a wrong number of
 * arguments aside, as a Python function would): an event that cannot be
 * written is counted in the drops swtrace.py collects with take_dropped().
 */
#define PY_SSIZE_T_CLEAN
/* Python's headers are not written for -Wconversion and friends. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wcast-qual"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wpedantic"
#include <Python.h>
#pragma GCC diagnostic pop

#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum { ST_UNKNOWN = 0, ST_ON = 1, ST_OFF = 2 };
enum { K_BEGIN = 1, K_END = 2, K_COUNT = 3, K_MARK = 4, K_RSS = 5 };

#define MAX_MSG 65536
#define EVENTS_HDR 24		/* "=IHHIIQ" */
#define NAME_ITEM 8		/* "=BBHI" + the name */
#define EVENT_ITEM 28		/* "=BBHiIqq" */
#define MAX_NAME 255
#define MAX_NAMES 4096
/* A record (a new name and up to two events) started below HIGH still
 * fits in a message with its header: swtrace.py's _HIGH. */
#define HIGH (MAX_MSG - EVENTS_HDR - NAME_ITEM - MAX_NAME - 2 * EVENT_ITEM)

static struct {
	int state;
	int span_cpu, span_rss;
	long long span_sample;	/* one boundary in this many at random */
	int statm_fd;		/* swtrace.py's, -1: none */
	long page_kib;
	unsigned char *buf;	/* the body of the next message */
	size_t len, cap;
	Py_ssize_t n_events;	/* in buf */
	PyObject *names;	/* dict: name -> int id */
	unsigned long n_names, n_sent_names;
	unsigned long long dropped;	/* not yet taken */
	PyObject *first_use, *kick;
	int kicking;
} g = { .statm_fd = -1, .page_kib = 4 };

/* The native thread id (threading.get_native_id()), cached per thread:
 * gettid is a system call (~1.2-1.8 us on the project's VMs). A fork()
 * child's thread has another id: the generation tells. */
static unsigned fork_gen;
static __thread int32_t t_tid;
static __thread unsigned t_gen;
/* Span sampling of this thread (swtrace.py's _spans(), _draw()): its open
 * spans, the length of the last span of each name (a small cache by the
 * name object's address: a miss counts as a first span), a measurement
 * due at the next boundary, and its random numbers (xorshift64*). */
#define SPAN_STACK 256
#define LAST_SLOTS 256
#define SPAN_LONG_NS 1000000
static __thread struct {
	PyObject *name;		/* compared by address only */
	int64_t t;
	int measured;
} t_stk[SPAN_STACK];
static __thread int t_nstk;
static __thread struct {
	PyObject *name;
	int64_t len;
} t_last[LAST_SLOTS];
static __thread int t_burst;
static __thread uint64_t t_rng;

static int draw(int64_t t, int32_t tid)
{
	uint64_t x;

	if (t_burst) {
		t_burst = 0;
		return 1;
	}
	if (g.span_sample <= 1) {
		t_burst = 1;
		return 1;
	}
	x = t_rng;
	if (x == 0)
		x = ((uint64_t)(uint32_t)tid << 32) ^ (uint64_t)t ^
		    UINT64_C(0x9E3779B97F4A7C15);
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	t_rng = x;
	if (((x * UINT64_C(0x2545F4914F6CDD1D)) >> 11) %
		    (uint64_t)g.span_sample ==
	    0) {
		t_burst = 1;
		return 1;
	}
	return 0;
}

static size_t last_slot(PyObject *name)
{
	return ((uintptr_t)name >> 4) % LAST_SLOTS;
}

static void atfork_child(void)
{
	fork_gen++;
}

static int32_t cur_tid(void)
{
	if (t_tid == 0 || t_gen != fork_gen) {
		t_tid = (int32_t)syscall(SYS_gettid);
		t_gen = fork_gen;
	}
	return t_tid;
}

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) < 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The process's resident set in KiB from swtrace.py's kept-open
 * /proc/self/statm, or -1 (as its _rss_kib(): 7 fields, the second). */
static int64_t rss_kib(void)
{
	char b[128];
	ssize_t n;
	int64_t rss = -1;
	int fields = 0;
	char *p, *end;

	if (g.statm_fd < 0)
		return -1;
	n = pread(g.statm_fd, b, sizeof(b) - 1, 0);
	if (n <= 0)
		return -1;
	b[n] = '\0';
	for (p = b; *p;) {
		while (*p == ' ' || *p == '\n' || *p == '\t')
			p++;
		if (!*p)
			break;
		if (fields == 1)
			rss = strtoll(p, &end, 10);
		while (*p && *p != ' ' && *p != '\n' && *p != '\t')
			p++;
		fields++;
	}
	if (fields != 7 || rss < 0)
		return -1;
	return rss * g.page_kib;
}

/* Room for one record; calls swtrace.py's kick to send the full body
 * first. 0 or -1 (no room: drop). */
static int make_room(void)
{
	if (!g.buf) {
		/* a full message: one allocation for good */
		g.buf = PyMem_RawMalloc(MAX_MSG);
		if (!g.buf)
			return -1;
		g.cap = MAX_MSG - EVENTS_HDR;
	}
	if (g.len < HIGH)
		return 0;
	if (!g.kicking && g.kick) {
		PyObject *r;

		g.kicking = 1;
		r = PyObject_CallNoArgs(g.kick);
		g.kicking = 0;
		if (r)
			Py_DECREF(r);
		else
			PyErr_Clear();
	}
	return g.len < HIGH ? 0 : -1;
}

static void put_u8(unsigned char **p, unsigned v)
{
	*(*p)++ = (unsigned char)v;
}

static void put(unsigned char **p, const void *v, size_t n)
{
	memcpy(*p, v, n);
	*p += n;
}

static void put_event(int kind, int32_t tid, uint32_t id, int64_t t,
		      int64_t value)
{
	unsigned char *p = g.buf + g.len;
	uint16_t zero = 0;

	put_u8(&p, 2);
	put_u8(&p, (unsigned)kind);
	put(&p, &zero, 2);
	put(&p, &tid, 4);
	put(&p, &id, 4);
	put(&p, &t, 8);
	put(&p, &value, 8);
	g.len += EVENT_ITEM;
	g.n_events++;
}

/* Writes the events [(kind, value), ...] of this thread at time t under
 * name, the name's item first if it is new (swtrace.py's _name_id: the
 * 4097th name and later are id 0). A name that fails (unhashable, its
 * str() raises) or no room: the events are dropped and counted.
 *
 * The kick and a name's __str__ run Python code, which may let other
 * threads write or forget names meanwhile: the room and the name are
 * looked at again after each, and nothing borrowed is kept across them.
 * The last check of the capacity makes the writes safe whatever such
 * code did. */
static void record(PyObject *name, int32_t tid, int64_t t, int n,
		   const int *kinds, const int64_t *values)
{
	PyObject *v, *raw = NULL, *s, *idv = NULL;
	unsigned long id = 0;
	size_t len = 0, need;
	int i, fresh = 0;

	for (;;) {
		if (make_room() < 0)
			goto drop;
		v = PyDict_GetItemWithError(g.names, name);
		if (!v && PyErr_Occurred())
			goto drop;
		if (v) {
			id = PyLong_AsUnsignedLong(v);
			break;
		}
		if (g.n_names >= MAX_NAMES)
			break;		/* id 0: "(overflow)" */
		if (raw) {
			fresh = 1;
			break;
		}
		s = PyObject_Str(name);
		if (!s)
			goto drop;
		raw = PyUnicode_AsEncodedString(s, "utf-8", "replace");
		Py_DECREF(s);
		if (!raw)
			goto drop;
	}
	if (fresh) {
		len = (size_t)PyBytes_GET_SIZE(raw);
		if (len > MAX_NAME)
			len = MAX_NAME;
	}
	need = (fresh ? NAME_ITEM + len : 0) + (size_t)n * EVENT_ITEM;
	if (g.len + need > g.cap)
		goto drop;
	if (fresh) {
		unsigned char *p;
		uint16_t zero = 0;
		uint32_t id32;

		id = g.n_names + 1;
		idv = PyLong_FromUnsignedLong(id);
		if (!idv || PyDict_SetItem(g.names, name, idv) < 0)
			goto drop;
		if (g.len + need > g.cap)	/* (an __eq__ ran) */
			goto drop_name;
		g.n_names = id;
		id32 = (uint32_t)id;
		p = g.buf + g.len;
		put_u8(&p, 1);
		put_u8(&p, (unsigned)len);
		put(&p, &zero, 2);
		put(&p, &id32, 4);
		put(&p, PyBytes_AS_STRING(raw), len);
		g.len += NAME_ITEM + len;
	}
	for (i = 0; i < n; i++)
		put_event(kinds[i], tid, (uint32_t)id, t, values[i]);
	goto out;
drop_name:
	if (PyDict_DelItem(g.names, name) < 0)
		PyErr_Clear();
drop:
	PyErr_Clear();
	g.dropped += (unsigned long long)n;
out:
	Py_XDECREF(raw);
	Py_XDECREF(idv);
}

/* Recording? Decided on the first event by swtrace.py (first_use reads
 * SWT_TRACE_SOCKET and calls set_state()). */
static int ready(void)
{
	PyObject *r;

	if (g.state == ST_ON)
		return 1;
	if (g.state == ST_OFF || !g.first_use)
		return 0;
	r = PyObject_CallNoArgs(g.first_use);
	if (r)
		Py_DECREF(r);
	else
		PyErr_Clear();
	return g.state == ST_ON;
}

/* swtrace.py's _value(): int(delta), 0 if that is a TypeError or
 * ValueError, clamped to int64. -1: another error (the event is
 * dropped). */
static int to_value(PyObject *o, int64_t *out)
{
	PyObject *l;
	long long v;
	int over;

	if (PyLong_CheckExact(o)) {
		l = o;
		Py_INCREF(l);
	} else {
		l = PyNumber_Long(o);
		if (!l) {
			if (PyErr_ExceptionMatches(PyExc_TypeError) ||
			    PyErr_ExceptionMatches(PyExc_ValueError)) {
				PyErr_Clear();
				*out = 0;
				return 0;
			}
			PyErr_Clear();
			return -1;
		}
	}
	v = PyLong_AsLongLongAndOverflow(l, &over);
	Py_DECREF(l);
	if (over)
		v = over > 0 ? INT64_MAX : INT64_MIN;
	else if (v == -1 && PyErr_Occurred()) {
		PyErr_Clear();
		return -1;
	}
	*out = v;
	return 0;
}

static int one_arg(const char *fn, const char *kw, PyObject *const *args,
		   Py_ssize_t nargs, PyObject *kwnames, PyObject **out)
{
	if (nargs == 1 && !kwnames) {
		*out = args[0];
		return 0;
	}
	if (nargs == 0 && kwnames && PyTuple_GET_SIZE(kwnames) == 1 &&
	    PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(kwnames, 0),
					     kw) == 0) {
		*out = args[0];
		return 0;
	}
	PyErr_Format(PyExc_TypeError, "%s() takes exactly one argument (%s)",
		     fn, kw);
	return -1;
}

PyDoc_STRVAR(count_doc, "count(counter, delta=1)\n--\n\n"
	     "Add ``delta`` (an int) to the counter ``counter``.");

static PyObject *fast_count(PyObject *self, PyObject *const *args,
			    Py_ssize_t nargs, PyObject *kwnames)
{
	PyObject *name = NULL, *delta = NULL;
	Py_ssize_t i, nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
	int kind = K_COUNT;
	int64_t v = 1, t;
	int32_t tid;

	(void)self;
	if (nargs > 2)
		goto usage;
	if (nargs >= 1)
		name = args[0];
	if (nargs == 2)
		delta = args[1];
	for (i = 0; i < nkw; i++) {
		PyObject *k = PyTuple_GET_ITEM(kwnames, i);

		if (!name &&
		    PyUnicode_CompareWithASCIIString(k, "counter") == 0)
			name = args[nargs + i];
		else if (!delta &&
			 PyUnicode_CompareWithASCIIString(k, "delta") == 0)
			delta = args[nargs + i];
		else
			goto usage;
	}
	if (!name)
		goto usage;
	if (!ready())
		Py_RETURN_NONE;
	tid = cur_tid();
	t = clock_ns(CLOCK_MONOTONIC);
	if (delta && to_value(delta, &v) < 0) {
		g.dropped++;
		Py_RETURN_NONE;
	}
	record(name, tid, t, 1, &kind, &v);
	Py_RETURN_NONE;
usage:
	PyErr_SetString(PyExc_TypeError,
			"count() takes (counter, delta=1)");
	return NULL;
}

PyDoc_STRVAR(mark_doc, "mark(name)\n--\n\nAn instant in the timeline.");

static PyObject *fast_mark(PyObject *self, PyObject *const *args,
			   Py_ssize_t nargs, PyObject *kwnames)
{
	PyObject *name;
	int kind = K_MARK;
	int64_t v = 0, t;
	int32_t tid;

	(void)self;
	if (one_arg("mark", "name", args, nargs, kwnames, &name) < 0)
		return NULL;
	if (!ready())
		Py_RETURN_NONE;
	tid = cur_tid();
	t = clock_ns(CLOCK_MONOTONIC);
	record(name, tid, t, 1, &kind, &v);
	Py_RETURN_NONE;
}

/* A span's BEGIN or END, measured as asked (record/client/swt_wire.h):
 * BEGIN reads RSS, then CPU, then the time and sends RSS(t), BEGIN(t,
 * cpu); END takes the time, then CPU, then RSS and sends END(t, cpu),
 * RSS(t); a boundary not sampled (draw(), and for an END a span whose
 * BEGIN was not measured) just BEGIN or END (t, 0). */
static void span(PyObject *name, int begin)
{
	int kinds[2];
	int64_t values[2], cpu = 0, rss = -1, t;
	int32_t tid = cur_tid();
	int n = 0, m = 0;

	t = clock_ns(CLOCK_MONOTONIC);
	if (begin) {
		size_t k = last_slot(name);

		m = draw(t, tid) || t_last[k].name != name ||
		    t_last[k].len >= SPAN_LONG_NS;
		if (t_nstk < SPAN_STACK) {
			t_stk[t_nstk].name = name;
			t_stk[t_nstk].t = t;
			t_stk[t_nstk].measured = m;
			t_nstk++;
		}
	} else {
		int i;

		for (i = t_nstk - 1; i >= 0; i--)
			if (t_stk[i].name == name)
				break;
		if (i >= 0) {
			size_t k = last_slot(name);

			m = t_stk[i].measured;
			t_last[k].name = name;
			t_last[k].len = t - t_stk[i].t;
			memmove(&t_stk[i], &t_stk[i + 1],
				(size_t)(t_nstk - i - 1) * sizeof(t_stk[0]));
			t_nstk--;
		}
		if (m)
			t_burst = 0;	/* (it is the boundary after) */
		else
			m = draw(t, tid);
	}
	if (!m) {
		kinds[0] = begin ? K_BEGIN : K_END;
		values[0] = 0;
		record(name, tid, t, 1, kinds, values);
		return;
	}
	if (begin) {
		if (g.span_rss)
			rss = rss_kib();
		if (g.span_cpu) {
			cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID);
			cpu = cpu > 1 ? cpu : 1;
		}
		t = clock_ns(CLOCK_MONOTONIC);
		if (rss >= 0) {
			kinds[n] = K_RSS;
			values[n++] = rss;
		}
		kinds[n] = K_BEGIN;
		values[n++] = cpu;
	} else {
		t = clock_ns(CLOCK_MONOTONIC);
		if (g.span_cpu) {
			cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID);
			cpu = cpu > 1 ? cpu : 1;
		}
		if (g.span_rss)
			rss = rss_kib();
		kinds[n] = K_END;
		values[n++] = cpu;
		if (rss >= 0) {
			kinds[n] = K_RSS;
			values[n++] = rss;
		}
	}
	record(name, tid, t, n, kinds, values);
}

PyDoc_STRVAR(begin_doc, "begin(name)\n--\n\n"
	     "Module ``name`` starts working on this thread (prefer "
	     "module()).");

static PyObject *fast_begin(PyObject *self, PyObject *const *args,
			    Py_ssize_t nargs, PyObject *kwnames)
{
	PyObject *name;

	(void)self;
	if (one_arg("begin", "name", args, nargs, kwnames, &name) < 0)
		return NULL;
	if (ready())
		span(name, 1);
	Py_RETURN_NONE;
}

PyDoc_STRVAR(end_doc, "end(name)\n--\n\n"
	     "... and stops; must be the innermost open span of this "
	     "thread.");

static PyObject *fast_end(PyObject *self, PyObject *const *args,
			  Py_ssize_t nargs, PyObject *kwnames)
{
	PyObject *name;

	(void)self;
	if (one_arg("end", "name", args, nargs, kwnames, &name) < 0)
		return NULL;
	if (ready())
		span(name, 0);
	Py_RETURN_NONE;
}

/* ---- swtrace.py's side ------------------------------------------------ */

static PyObject *fast_set_state(PyObject *self, PyObject *args)
{
	int st, cpu, rss, fd;
	long page_kib;
	long long sample;

	(void)self;
	if (!PyArg_ParseTuple(args, "ippilL", &st, &cpu, &rss, &fd, &page_kib,
			      &sample))
		return NULL;
	g.span_sample = sample > 1 ? sample : 1;
	g.state = st;
	g.span_cpu = cpu;
	g.span_rss = rss;
	g.statm_fd = fd;
	g.page_kib = page_kib > 0 ? page_kib : 4;
	Py_RETURN_NONE;
}

static PyObject *fast_set_callbacks(PyObject *self, PyObject *args)
{
	PyObject *first_use, *kick;

	(void)self;
	if (!PyArg_ParseTuple(args, "OO", &first_use, &kick))
		return NULL;
	Py_INCREF(first_use);
	Py_INCREF(kick);
	Py_XSETREF(g.first_use, first_use);
	Py_XSETREF(g.kick, kick);
	Py_RETURN_NONE;
}

static PyObject *fast_take(PyObject *self, PyObject *unused)
{
	PyObject *body, *r;

	(void)self;
	(void)unused;
	body = PyBytes_FromStringAndSize((const char *)g.buf,
					 (Py_ssize_t)g.len);
	if (!body)
		return NULL;
	r = Py_BuildValue("(Nn)", body, g.n_events);
	if (r) {
		g.len = 0;
		g.n_events = 0;
	}
	return r;
}

static PyObject *fast_take_dropped(PyObject *self, PyObject *unused)
{
	unsigned long long d = g.dropped;

	(void)self;
	(void)unused;
	g.dropped = 0;
	return PyLong_FromUnsignedLongLong(d);
}

static PyObject *fast_commit_names(PyObject *self, PyObject *unused)
{
	(void)self;
	(void)unused;
	g.n_sent_names = g.n_names;
	Py_RETURN_NONE;
}

/* The message that defined names n_sent_names+1.. was dropped: they are
 * new again (their items go out with their next use). */
static PyObject *fast_forget_names(PyObject *self, PyObject *unused)
{
	PyObject *key, *value, *gone;
	Py_ssize_t pos = 0, i;

	(void)self;
	(void)unused;
	if (g.n_names <= g.n_sent_names)
		Py_RETURN_NONE;
	gone = PyList_New(0);
	if (!gone)
		return NULL;
	while (PyDict_Next(g.names, &pos, &key, &value))
		if (PyLong_AsUnsignedLong(value) > g.n_sent_names &&
		    PyList_Append(gone, key) < 0)
			goto fail;
	for (i = 0; i < PyList_GET_SIZE(gone); i++)
		if (PyDict_DelItem(g.names, PyList_GET_ITEM(gone, i)) < 0)
			goto fail;
	Py_DECREF(gone);
	g.n_names = g.n_sent_names;
	Py_RETURN_NONE;
fail:
	Py_DECREF(gone);
	return NULL;
}

/* A new client (swtrace.py's _reset: fork child, start_profiling(),
 * stop_profiling()): no body, no names, no drops. */
static PyObject *fast_reset(PyObject *self, PyObject *unused)
{
	(void)self;
	(void)unused;
	g.len = 0;
	g.n_events = 0;
	g.n_names = g.n_sent_names = 0;
	g.dropped = 0;
	PyDict_Clear(g.names);
	Py_RETURN_NONE;
}

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wcast-function-type"
#endif
static PyMethodDef methods[] = {
	{ "count", (PyCFunction)(void (*)(void))fast_count,
	  METH_FASTCALL | METH_KEYWORDS, count_doc },
	{ "mark", (PyCFunction)(void (*)(void))fast_mark,
	  METH_FASTCALL | METH_KEYWORDS, mark_doc },
	{ "begin", (PyCFunction)(void (*)(void))fast_begin,
	  METH_FASTCALL | METH_KEYWORDS, begin_doc },
	{ "end", (PyCFunction)(void (*)(void))fast_end,
	  METH_FASTCALL | METH_KEYWORDS, end_doc },
	{ "set_state", fast_set_state, METH_VARARGS,
	  "set_state(state, span_cpu, span_rss, statm_fd, page_kib, "
	  "span_sample)" },
	{ "set_callbacks", fast_set_callbacks, METH_VARARGS,
	  "set_callbacks(first_use, kick)" },
	{ "take", fast_take, METH_NOARGS,
	  "take() -> (body, events): the next message's body, emptied" },
	{ "take_dropped", fast_take_dropped, METH_NOARGS,
	  "take_dropped() -> events dropped since the last call" },
	{ "commit_names", fast_commit_names, METH_NOARGS,
	  "commit_names(): the names taken so far were queued" },
	{ "forget_names", fast_forget_names, METH_NOARGS,
	  "forget_names(): the names taken since the last commit were lost" },
	{ "reset", fast_reset, METH_NOARGS, "reset(): a new client" },
	{ NULL, NULL, 0, NULL },
};
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

static struct PyModuleDef module = {
	PyModuleDef_HEAD_INIT,
	.m_name = "_swtrace_fast",
	.m_doc = "The C accelerator of swtrace.py (its events, same wire "
		 "format); swtrace.py works without it.",
	.m_size = -1,
	.m_methods = methods,
};

PyMODINIT_FUNC PyInit__swtrace_fast(void);

PyMODINIT_FUNC PyInit__swtrace_fast(void)
{
	static int atfork_done;
	PyObject *m;

	if (!g.names) {
		g.names = PyDict_New();
		if (!g.names)
			return NULL;
	}
	if (!atfork_done) {
		if (pthread_atfork(NULL, NULL, atfork_child) != 0) {
			PyErr_SetString(PyExc_ImportError, "pthread_atfork");
			return NULL;
		}
		atfork_done = 1;
	}
	m = PyModule_Create(&module);
	if (!m)
		return NULL;
	if (PyModule_AddIntConstant(m, "WIRE_VERSION", 1) < 0) {
		Py_DECREF(m);
		return NULL;
	}
	return m;
}
