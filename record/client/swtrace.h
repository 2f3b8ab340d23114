/* swtrace.h — tell swrec which modules of a program are working.
 *
 *   #include <swtrace.h>          pkg-config --cflags --libs swtrace
 *
 *   void ocr_page(const struct page *p)
 *   {
 *           SWT_MODULE_SCOPE("ocr_processor");   // begin now, end at '}'
 *           swt_count("ocr_call", 1);
 *           ...
 *   }
 *
 * Under `swrec -- ./program` every call records one event (the time, the
 * calling thread, a name and for counters a value) into the session
 * file, in time order with swrec's samples. The time is read from the
 * TSC (rdtsc) where swrec trusts it and asks for it (SWT_TRACE_CLOCK=tsc:
 * and the socket of SWT_TRACE_SOCKET; swrec converts it to
 * CLOCK_MONOTONIC), else with clock_gettime(CLOCK_MONOTONIC).
 *
 * Span measurements: swrec also sets SWT_TRACE_SPAN_CPU=1 and
 * SWT_TRACE_SPAN_RSS=1 for the command it launches (unless --no-span-cpu,
 * --no-span-rss). With the first, swt_module_begin() and swt_module_end()
 * also record the calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID), so
 * that a module is charged with the CPU its spans burnt, not with the
 * time they were open. With the second, they record the process's
 * resident set (/proc/self/statm) right before the span begins and right
 * after it ends, so that memory growth lands on the module that grew it.
 * Each is a system call per begin and per end (1.3 and 1.7 µs here: a
 * measured span costs 5.7 µs more, docs/performance.md); the variables
 * are read at the first call, "1" meaning on, anything else off.
 * Outside swrec (the environment variable SWT_TRACE_SOCKET is not
 * set) every call is one predictable branch, inlined at the call site
 * (see "Inline fast path" below), and records nothing.
 *
 * Guarantees, for every function here:
 *   - thread-safe; each thread records into its own buffer;
 *   - never blocks: when the buffer is full or the recorder cannot take an
 *     event, the event is dropped and counted (the count is written into
 *     the session file, see swt_trace_dropped());
 *   - never aborts, never prints, never raises a signal (no SIGPIPE when
 *     the recorder dies: tracing just stops);
 *   - fork(): the child starts with fresh buffers and its own connection;
 *     exec: nothing leaks into the new program (all descriptors are
 *     close-on-exec);
 *   - a thread's or process's recorded events are delivered when it exits
 *     normally (pthread_exit, return from the thread function, exit()), and
 *     also when it is killed: they are already in memory the recorder maps.
 *   - not async-signal-safe: do not call from a signal handler.
 *
 * Names: any NUL-terminated string; at most 255 bytes are kept. A process
 * can use 4096 distinct names; events with further names are recorded
 * under the name "(overflow)" (and the recorder counts them). Names are
 * cached by address and checked against their content on each use, so a
 * buffer reused for different names is safe, but string literals are
 * fastest. NULL is recorded as "(null)".
 *
 * Spans: swt_module_begin()/swt_module_end() pairs nest per thread and
 * must end on the thread that began them. An end without a matching begin,
 * an end naming another module than the innermost open one, or a thread
 * that exits inside a span is recorded as an anomaly, never an error.
 *
 * Cost (bench/client, docs/performance.md): about one rdtsc (≈ 13 ns
 * here), or one clock_gettime() plus a few ns on the CLOCK_MONOTONIC
 * fallback, per event; a measured begin or end, the system calls above. Memory: each recording thread has a ring of 65536
 * events (24 bytes each, 1.5 MiB, allocated as it is first filled) shared
 * with the recorder; the environment variable SWT_TRACE_RING_ENTRIES
 * chooses another power of two from 1024 to 1048576.
 *
 * This header compiles as C99 (and later) and as C++. */
#ifndef SWTRACE_H
#define SWTRACE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Return values of swt_trace_flush(); the same numbers as swt's
 * enum swt_status. */
enum swt_trace_status {
	SWT_TRACE_OK = 0,
	SWT_TRACE_EIO = -2,		/* the recorder went away */
	SWT_TRACE_ENOTFOUND = -5,	/* not running under a recorder */
	SWT_TRACE_ENOMEM = -6		/* a buffer could not be created or
					 * handed over yet (retried later) */
};

/* Module `module` starts working on the calling thread. When measuring
 * (see the top): reads the process's RSS, then the thread's CPU time,
 * then the time of the event, so the readings' own cost stays outside
 * the span. */
void swt_module_begin(const char *module);

/* ... and stops. `module` must name the innermost span opened by
 * swt_module_begin() on this thread (otherwise: an anomaly is recorded).
 * When measuring: takes the time, then the CPU time, then the RSS. */
void swt_module_end(const char *module);

/* Add `delta` to the counter `counter` ("ocr_call", "event_listener").
 * Counts are exact: every call is one event carrying its delta. */
void swt_count(const char *counter, int64_t delta);

/* An instant in the timeline ("frame_done"). */
void swt_mark(const char *name);

/* 1 if events are being recorded (running under a recorder that is still
 * there, as far as this process knows), 0 otherwise. The first call (of
 * this or any function here) reads the environment. */
int swt_trace_enabled(void);

/* Ask the recorder to collect this process's buffered events now (for
 * example before a long sleep). Events never need flushing to be
 * delivered; this only makes them arrive sooner. Returns SWT_TRACE_OK,
 * SWT_TRACE_ENOTFOUND (not tracing), SWT_TRACE_EIO (the recorder is gone)
 * or SWT_TRACE_ENOMEM (some thread's buffer is not handed over yet). */
int swt_trace_flush(void);

/* Events this process dropped so far (buffer full, no memory, no
 * connection yet). The recorder also writes these counts into the
 * session file. */
uint64_t swt_trace_dropped(void);

/* The library version, "MAJOR.MINOR.PATCH"; a static string. */
const char *swt_trace_version(void);

/* ---- Inline fast path -----------------------------------------------------
 * A call into a shared library costs about 3 ns on its own here (PLT, call,
 * return), more than a disabled event may cost. So the four event calls
 * are also macros that test the library's state inline and call the
 * function only when tracing may be on. Arguments are evaluated in both
 * cases. Define SWT_TRACE_NO_INLINE before including this header to call
 * the functions directly; (swt_count)(...) does so for one call. The
 * state variable is internal (not an API), read-only for applications. */
extern int swt__state;	/* 2: tracing is off for good in this process */

#if defined(__GNUC__) || defined(__clang__)
#define SWT__OFF()                                                   \
	__builtin_expect(                                            \
		__atomic_load_n(&swt__state, __ATOMIC_RELAXED) == 2, 1)
#else
#define SWT__OFF() (*(volatile const int *)&swt__state == 2)
#endif

/* (Parameter names with the prefix: an application's globals named
 * "module" or "name" must not be shadowed under -Wshadow.) */
static inline void swt__begin(const char *swt__m)
{
	if (!SWT__OFF())
		swt_module_begin(swt__m);
}

static inline void swt__end(const char *swt__m)
{
	if (!SWT__OFF())
		swt_module_end(swt__m);
}

static inline void swt__count(const char *swt__c, int64_t swt__d)
{
	if (!SWT__OFF())
		swt_count(swt__c, swt__d);
}

static inline void swt__mark(const char *swt__n)
{
	if (!SWT__OFF())
		swt_mark(swt__n);
}

#ifndef SWT_TRACE_NO_INLINE
#define swt_module_begin(module) swt__begin(module)
#define swt_module_end(module) swt__end(module)
#define swt_count(counter, delta) swt__count((counter), (delta))
#define swt_mark(name) swt__mark(name)
#endif

/* ---- SWT_MODULE_SCOPE(module): begin now, end when the scope exits ------
 * `module` is evaluated once. Available in C with GCC or Clang (cleanup
 * attribute) and in C++ (an RAII object). Scopes end in reverse order, as
 * spans must. */
#define SWT__CAT2(a, b) a##b
#define SWT__CAT(a, b) SWT__CAT2(a, b)
#if defined(__COUNTER__)
#define SWT__UNIQUE(p) SWT__CAT(p, __COUNTER__)
#else
#define SWT__UNIQUE(p) SWT__CAT(p, __LINE__)
#endif

#ifdef __cplusplus
} /* extern "C" */

namespace swt {
/* A span for the lifetime of the object. */
class module_scope {
public:
	explicit module_scope(const char *swt__m) : module_(swt__m)
	{
		swt_module_begin(module_);
	}
	~module_scope() { swt_module_end(module_); }

private:
	module_scope(const module_scope &);		/* not copyable */
	module_scope &operator=(const module_scope &);
	const char *module_;
};
} /* namespace swt */

#define SWT_MODULE_SCOPE(module) \
	::swt::module_scope SWT__UNIQUE(swt__scope_)(module)

#elif defined(__GNUC__) || defined(__clang__)

static inline const char *swt__scope_begin(const char *swt__m)
{
	swt_module_begin(swt__m);
	return swt__m;
}

static inline void swt__scope_end(const char *const *swt__m)
{
	swt_module_end(*swt__m);
}

#define SWT_MODULE_SCOPE(module)                                      \
	const char *const SWT__UNIQUE(swt__scope_)                     \
		__attribute__((cleanup(swt__scope_end), unused)) =     \
			swt__scope_begin(module)

#endif /* C with GCC/Clang; other C compilers: no SWT_MODULE_SCOPE */

#endif
