/* trace_app — the instrumented program (libswtrace) of the tests that
 * record real programs: tests/client/test_client.c drives the ingest
 * itself, tests/e2e/test_e2e.c runs it under the real swrec.
 *
 *   trace_app SCENARIO [ARGS]
 *
 * It writes what the test needs to know on stdout ("pid P", "tid ROLE T",
 * "key value" lines; each line one write, so that lines of threads and
 * processes sharing the pipe never interleave), and "exit N" last. Where
 * the test must act at a given point (kill the recorder, send garbage, let
 * another user in), the program says "ready" and reads a line from stdin:
 * the test synchronises on what the program says, never on sleeps. Exit
 * status 0 when everything it checked itself held.
 *
 *   basic N        main + 2 workers; each worker N times: begin
 *                  vision_system, count ocr_call (i+1), end vision_system,
 *                  mark frame; main: a span main_module around it all
 *   counts T N     T threads, N counts of 1 each under "hits"
 *   burst N        N counts of "burst" as fast as possible on one thread
 *   clock T N      T threads, each N times: read CLOCK_MONOTONIC, then
 *                  count "clock" with that reading as its value, so that
 *                  each event's time lies between its own value and the
 *                  next event's of the same thread (a reference for the
 *                  recorder's TSC conversion); prints "tsc 1" if the
 *                  library was told to use the TSC
 *   noop           every call, outside a recorder: nothing happens
 *   names N        count 1 under N distinct names "name_<i>" (built in one
 *                  reused buffer), then "after"
 *   anomalies      end without begin, crossed spans, a thread that exits
 *                  inside a span
 *   scope          SWT_MODULE_SCOPE nesting
 *   wait           a span "waiting" around reading one stdin line
 *   gone MS        a busy recording thread; "ready" once connected; goes
 *                  on (rounds of events, short-lived recording threads and
 *                  forks) until the recorder is gone (at most MS ms), then
 *                  50 rounds more without it: it must neither die
 *                  (SIGPIPE) nor block
 *   nobody         count root_count; "ready"; read a line; a fork()ed
 *                  child becomes uid/gid 65534 and counts nobody_count 3
 *                  times; count root_count again
 *   fork           span "parent_work" around: count parent_count, a
 *                  fork() child that records (child_count 7, mark),
 *                  count parent_count
 *   forkexec       fork, plus a second fork() child that execs
 *                  "trace_app exec2"
 *   exec           span "before_exec", count pre, then exec itself
 *                  ("exec2") inside the span
 *   exec2          count post_exec 1 (the exec'd image)
 *   produce T RATE SECONDS
 *                  T threads, RATE events/s in total, in bursts of 1024
 *                  counts paced to the clock; prints what was produced and
 *                  what the library dropped
 *   measure N      a thread ("tid worker"), N rounds of: span "busy"
 *                  spinning until its CPU clock moved 50 ms, span
 *                  "sleepy" sleeping 200 ms; then span "grow" allocating
 *                  and touching 8 MiB (freed after the span). For each
 *                  busy and sleepy span it says "busy|sleepy I TICKS
 *                  WALL_NS": the thread's utime + stime from
 *                  /proc/thread-self/stat (clock ticks, "clk_tck N")
 *                  gained over the span and the span's wall time, both
 *                  taken right outside it, as a reference that does not
 *                  come from the library
 *   children N MS  N short-lived children, two at a time, each spinning
 *                  until its CPU clock moved MS ms; every third one runs
 *                  its spin in a grandchild it waits for (a chain, as a
 *                  build's sh -> cc -> cc1). Then "cpu_us U": this
 *                  process's CPU and its reaped children's (getrusage
 *                  SELF + CHILDREN), the reference for the tree's CPU
 *   storm RATE S   a fork storm: RATE children a second for S seconds,
 *                  each exiting at once, reaped as they go (paced on
 *                  absolute 1 ms deadlines; a machine that cannot keep
 *                  up forks as fast as it can). Then "forks N" and
 *                  "storm_us T", its wall time */
#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "swtrace.h"

static const char *self_path;

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void sleep_ns(int64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000),
			       (long)(ns % 1000000000) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* One line, one write. */
__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(1, buf, (size_t)n) < 0) {
		/* the test is gone: nothing to tell */
	}
}

static void say_tid(const char *role)
{
	say("tid %s %d", role, (int)gettid());
}

static void say_dropped(void)
{
	say("dropped %llu", (unsigned long long)swt_trace_dropped());
}

/* Block until the test writes a line (or closes our stdin). */
static void await_go(void)
{
	char c;

	while (read(0, &c, 1) == 1 && c != '\n')
		;
}

/* The library is connected and has this thread's ring: events recorded
 * from now on reach the recorder. Bounded: 60 s. */
static int connected(void)
{
	int64_t end = now_ns() + 60000000000;

	while (swt_trace_flush() != SWT_TRACE_OK) {
		if (now_ns() > end || !swt_trace_enabled())
			return 0;
		sleep_ns(1000000);
	}
	return 1;
}

static int wait_child(pid_t pid)
{
	int st;

	return waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	       WEXITSTATUS(st) == 0;
}

/* ---- basic, counts, burst ------------------------------------------------ */

static long basic_n;

static void *basic_worker(void *arg)
{
	long i;

	say_tid((const char *)arg);
	for (i = 0; i < basic_n; i++) {
		swt_module_begin("vision_system");
		swt_count("ocr_call", i + 1);
		swt_module_end("vision_system");
		swt_mark("frame");
	}
	return NULL;
}

static int basic(long n)
{
	pthread_t a, b;

	basic_n = n;
	say_tid("main");
	swt_module_begin("main_module");
	if (pthread_create(&a, NULL, basic_worker, (void *)"w1") ||
	    pthread_create(&b, NULL, basic_worker, (void *)"w2"))
		return 1;
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	swt_module_end("main_module");
	say("enabled %d", swt_trace_enabled());
	say_dropped();
	return 0;
}

static long counts_n;

static void *counts_worker(void *arg)
{
	long i;

	(void)arg;
	for (i = 0; i < counts_n; i++)
		swt_count("hits", 1);
	return NULL;
}

static int counts(long threads, long n)
{
	pthread_t th[16];
	long i;

	if (threads < 1 || threads > 16)
		return 2;
	counts_n = n;
	for (i = 0; i < threads; i++)
		if (pthread_create(&th[i], NULL, counts_worker, NULL))
			return 1;
	for (i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	say_dropped();
	return 0;
}

static long clock_n;

static void *clock_worker(void *arg)
{
	struct timespec ts;
	long i;

	(void)arg;
	for (i = 0; i < clock_n; i++) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		swt_count("clock", (int64_t)ts.tv_sec * 1000000000 +
					  ts.tv_nsec);
	}
	/* the upper bound of the last one */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	swt_count("clock", (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
	return NULL;
}

static int clock_scenario(long threads, long n)
{
	/* (the library's rule: "tsc:" and its own socket) */
	const char *clk = getenv("SWT_TRACE_CLOCK");
	const char *sock = getenv("SWT_TRACE_SOCKET");
	pthread_t th[16];
	long i;

	if (threads < 1 || threads > 16)
		return 2;
	clock_n = n;
	for (i = 0; i < threads; i++)
		if (pthread_create(&th[i], NULL, clock_worker, NULL))
			return 1;
	for (i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	say("tsc %d", clk && sock && !strncmp(clk, "tsc:", 4) &&
			      !strcmp(clk + 4, sock));
	say_dropped();
	return 0;
}

static int burst(long n)
{
	long i;

	say_tid("main");
	for (i = 0; i < n; i++)
		swt_count("burst", 1);
	say_dropped();
	return 0;
}

/* ---- noop, names, anomalies, scope, wait --------------------------------- */

static int noop(void)
{
	int i;

	for (i = 0; i < 1000; i++) {
		swt_module_begin("x");
		swt_count("y", 1);
		swt_mark("z");
		swt_module_end("x");
	}
	say("enabled %d", swt_trace_enabled());
	say("flush %d", swt_trace_flush());
	say_dropped();
	say("version %s", swt_trace_version());
	return swt_trace_enabled() != 0 ||
	       swt_trace_flush() != SWT_TRACE_ENOTFOUND;
}

static int names(long n)
{
	char buf[32];
	long i;

	say_tid("main");
	for (i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "name_%ld", i);
		swt_count(buf, 1);
	}
	swt_count("after", 1);
	say_dropped();
	return 0;
}

static void *leaky(void *arg)
{
	(void)arg;
	say_tid("leaky");
	swt_module_begin("leaky_module");
	return NULL;	/* exits inside the span */
}

static int anomalies(void)
{
	pthread_t t;

	say_tid("main");
	swt_module_end("never_begun");
	swt_module_begin("outer");
	swt_module_begin("inner");
	swt_module_end("outer");	/* crossed: inner is innermost */
	swt_module_end("inner");
	if (pthread_create(&t, NULL, leaky, NULL))
		return 1;
	pthread_join(t, NULL);
	return 0;
}

static void nested(int depth)
{
	SWT_MODULE_SCOPE(depth ? "scope_inner" : "scope_leaf");
	if (depth)
		nested(depth - 1);
}

static int scope(void)
{
	say_tid("main");
	{
		SWT_MODULE_SCOPE("scope_outer");
		nested(2);
	}
	return 0;
}

static int wait_scenario(void)
{
	say_tid("main");
	swt_module_begin("waiting");
	if (!connected())
		return 1;
	say("ready");
	await_go();
	swt_module_end("waiting");
	swt_count("after_wait", 1);
	say("enabled %d", swt_trace_enabled());
	return 0;
}

/* ---- gone ---------------------------------------------------------------- */

/* About 300 000 events/s: busy, but a session the test can read back. */
static void *busy_thread(void *arg)
{
	volatile int *stop = arg;
	int i;

	while (!*stop) {
		for (i = 0; i < 100; i++) {
			swt_module_begin("worker");
			swt_count("tick", 1);
			swt_module_end("worker");
		}
		sleep_ns(1000000);
	}
	return NULL;
}

/* An event, a short-lived recording thread, every tenth round a fork()
 * whose child records, a flush. */
static void gone_round(long round)
{
	static volatile int stop_u;
	pthread_t u;
	pid_t pid;
	int st;

	swt_count("round", 1);
	stop_u = 0;
	if (pthread_create(&u, NULL, busy_thread, (void *)(uintptr_t)&stop_u) ==
	    0) {
		sleep_ns(1000000);
		stop_u = 1;
		pthread_join(u, NULL);
	}
	if (round % 10 == 0) {
		pid = fork();
		if (pid == 0) {
			swt_count("child", 1);
			_exit(0);
		}
		if (pid > 0)
			waitpid(pid, &st, 0);
	}
	swt_trace_flush();
}

static int gone(long ms)
{
	static volatile int stop_t;
	int64_t end;
	pthread_t t;
	long rounds = 0, after;
	int detected;

	say_tid("main");
	if (pthread_create(&t, NULL, busy_thread, (void *)(uintptr_t)&stop_t))
		return 1;
	if (!connected())
		return 1;
	say("ready");
	end = now_ns() + ms * 1000000;
	while (swt_trace_enabled() && now_ns() < end)
		gone_round(rounds++);
	detected = !swt_trace_enabled();
	for (after = 0; after < 50; after++)
		gone_round(rounds++);
	stop_t = 1;
	pthread_join(t, NULL);
	say("detected %d", detected);
	say("enabled %d", swt_trace_enabled());
	say("flush %d", swt_trace_flush());
	say("rounds %ld", rounds);
	return 0;
}

/* ---- nobody -------------------------------------------------------------- */

static int nobody(void)
{
	pid_t pid;
	int i;

	say_tid("main");
	swt_count("root_count", 1);
	if (!connected())
		return 1;
	say("ready");
	await_go();
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		if (setgroups(0, NULL) < 0 || setgid(65534) < 0 ||
		    setuid(65534) < 0)
			_exit(3);
		say("nobody %d", (int)getpid());
		for (i = 0; i < 3; i++)
			swt_count("nobody_count", 1);
		/* 0: not accepted, or the library found out it was refused */
		say("nobody_flush %d", swt_trace_flush());
		_exit(0);
	}
	if (!wait_child(pid))
		return 1;
	swt_count("root_count", 1);
	return 0;
}

/* ---- fork and exec ------------------------------------------------------- */

static int do_fork(int also_exec)
{
	pid_t a, b = -1;

	say_tid("parent");
	swt_module_begin("parent_work");
	swt_count("parent_count", 1);
	a = fork();
	if (a < 0)
		return 1;
	if (a == 0) {
		/* fresh rings and its own connection */
		say_tid("child");
		swt_module_begin("child_work");
		swt_count("child_count", 7);
		swt_mark("child_mark");
		swt_module_end("child_work");
		exit(0);
	}
	if (also_exec) {
		b = fork();
		if (b < 0)
			return 1;
		if (b == 0) {
			execl(self_path, self_path, "exec2", (char *)NULL);
			_exit(127);
		}
	}
	if (!wait_child(a) || (also_exec && !wait_child(b)))
		return 1;
	swt_count("parent_count", 1);
	swt_module_end("parent_work");
	return 0;
}

static int do_exec(void)
{
	say_tid("main");
	swt_module_begin("before_exec");
	swt_count("pre", 1);
	execl(self_path, self_path, "exec2", (char *)NULL);
	return 1;
}

static int exec2(void)
{
	say_tid("exec2");
	swt_count("post_exec", 1);
	return 0;
}

/* ---- measure ------------------------------------------------------------- */

static int64_t thread_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* utime + stime of the calling thread in clock ticks, -1 if unreadable */
static long long stat_ticks(void)
{
	char buf[1024], *p;
	unsigned long long ut, st;
	FILE *f = fopen("/proc/thread-self/stat", "re");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');	/* the name may hold spaces */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u "
			 "%*u %llu %llu", &ut, &st) != 2)
		return -1;
	return (long long)(ut + st);
}

static long measure_n;
/* volatile: the compiler may not elide the allocation and its writes */
static char *volatile measure_mem;

static void *measure_worker(void *arg)
{
	const size_t grow = 8u << 20;
	volatile unsigned long sink = 0;
	long i;
	char *m;

	(void)arg;
	say_tid("worker");
	for (i = 0; i < measure_n; i++) {
		long long k0 = stat_ticks(), k1;
		int64_t w0 = now_ns(), c0;

		swt_module_begin("busy");
		c0 = thread_cpu();
		while (thread_cpu() - c0 < 50000000)
			sink = sink + 1;
		swt_module_end("busy");
		k1 = stat_ticks();
		say("busy %ld %lld %lld", i, k1 - k0,
		    (long long)(now_ns() - w0));
		k0 = stat_ticks();
		w0 = now_ns();
		swt_module_begin("sleepy");
		sleep_ns(200000000);
		swt_module_end("sleepy");
		k1 = stat_ticks();
		say("sleepy %ld %lld %lld", i, k1 - k0,
		    (long long)(now_ns() - w0));
	}
	swt_module_begin("grow");
	m = malloc(grow);
	if (m)
		memset(m, 1, grow);
	measure_mem = m;
	swt_module_end("grow");
	say("grew %d", measure_mem != NULL);
	free(measure_mem);
	return NULL;
}

static int measure(long n)
{
	pthread_t t;

	measure_n = n;
	say("clk_tck %ld", sysconf(_SC_CLK_TCK));
	if (pthread_create(&t, NULL, measure_worker, NULL))
		return 1;
	pthread_join(t, NULL);
	say_dropped();
	return 0;
}

/* ---- produce ------------------------------------------------------------- */

struct producer {
	pthread_t th;
	double rate;		/* events/s of this thread */
	int64_t t_end;
	unsigned long long produced;
};

static void *produce_thread(void *arg)
{
	struct producer *p = arg;
	int64_t t0 = now_ns(), t;
	int i;

	while ((t = now_ns()) < p->t_end) {
		/* bursts of 1024, on schedule: catch up, never run ahead */
		int64_t due = t0 + (int64_t)((double)(p->produced + 1024) /
					     p->rate * 1e9);

		if (due > t) {
			sleep_ns(due - t);
			continue;
		}
		for (i = 0; i < 1024; i++)
			swt_count("produce", 1);
		p->produced += 1024;
	}
	return NULL;
}

static int produce(long threads, long rate, long seconds)
{
	struct producer p[16];
	unsigned long long total = 0;
	int64_t t0, t1;
	long i;

	if (threads < 1 || threads > 16 || rate < 1 || seconds < 1)
		return 2;
	/* connect and hand this thread's ring over before the clock
	 * starts: the run measures the event path, not the set-up */
	swt_mark("produce_start");
	if (!connected())
		return 1;
	t0 = now_ns();
	for (i = 0; i < threads; i++) {
		p[i].rate = (double)rate / (double)threads;
		p[i].t_end = t0 + seconds * 1000000000;
		p[i].produced = 0;
		if (pthread_create(&p[i].th, NULL, produce_thread, &p[i]))
			return 1;
	}
	for (i = 0; i < threads; i++) {
		pthread_join(p[i].th, NULL);
		total += p[i].produced;
	}
	t1 = now_ns();
	say("produced %llu", total);
	say("produce_ns %lld", (long long)(t1 - t0));
	say_dropped();
	return 0;
}

/* Spin until this process's CPU clock moved ms. */
static void spin_ms(long ms)
{
	struct timespec a, b;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
	do
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
	while ((b.tv_sec - a.tv_sec) * 1000 +
		       (b.tv_nsec - a.tv_nsec) / 1000000 <
	       ms);
}

static int children(long n, long ms)
{
	struct rusage self, kids;
	long i, running = 0;
	int st;

	if (n < 1 || ms < 1)
		return 2;
	for (i = 0; i < n; i++) {
		pid_t pid;

		if (running == 2) {
			if (wait(&st) < 0)
				return 1;
			running--;
		}
		pid = fork();
		if (pid < 0)
			return 1;
		if (pid == 0) {
			if (i % 3 == 2) {
				pid_t g = fork();

				if (g == 0) {
					spin_ms(ms);
					_exit(0);
				}
				waitpid(g, &st, 0);
				_exit(0);
			}
			spin_ms(ms);
			_exit(0);
		}
		running++;
	}
	while (running-- > 0)
		if (wait(&st) < 0)
			return 1;
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	say("cpu_us %lld",
	    (long long)(self.ru_utime.tv_sec + self.ru_stime.tv_sec +
			kids.ru_utime.tv_sec + kids.ru_stime.tv_sec) *
			    1000000 +
		    self.ru_utime.tv_usec + self.ru_stime.tv_usec +
		    kids.ru_utime.tv_usec + kids.ru_stime.tv_usec);
	return 0;
}

static int64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int storm(long rate, long secs)
{
	int64_t t0 = mono_us(), end, now;
	long long forks = 0;
	struct timespec next;
	int st;

	if (rate < 1 || secs < 1)
		return 2;
	end = t0 + (int64_t)secs * 1000000;
	clock_gettime(CLOCK_MONOTONIC, &next);
	while ((now = mono_us()) < end) {
		long long due = (long long)((now - t0) * rate / 1000000);

		while (forks < due && (forks & 63 || mono_us() < end)) {
			pid_t pid = fork();

			if (pid < 0) {
				if (errno == EAGAIN)
					break;	/* reap first */
				return 1;
			}
			if (pid == 0)
				_exit(0);
			/* reaped as they go, as a shell or make would */
			if (++forks % 16 == 0)
				while (waitpid(-1, &st, WNOHANG) > 0)
					;
		}
		while (waitpid(-1, &st, WNOHANG) > 0)
			;
		next.tv_nsec += 1000000;
		if (next.tv_nsec >= 1000000000) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	while (wait(&st) > 0)
		;
	say("forks %lld", forks);
	say("storm_us %lld", (long long)(mono_us() - t0));
	return 0;
}

int main(int argc, char **argv)
{
	const char *s = argc > 1 ? argv[1] : "";
	long a = argc > 2 ? strtol(argv[2], NULL, 10) : 0;
	long b = argc > 3 ? strtol(argv[3], NULL, 10) : 0;
	long c = argc > 4 ? strtol(argv[4], NULL, 10) : 0;
	int ret;

	/* The library must never raise SIGPIPE: keep the default action,
	 * which would kill us and fail the test. */
	signal(SIGPIPE, SIG_DFL);
	self_path = argv[0];
	say("pid %d", (int)getpid());
	if (!strcmp(s, "basic"))
		ret = basic(a);
	else if (!strcmp(s, "counts"))
		ret = counts(a, b);
	else if (!strcmp(s, "burst"))
		ret = burst(a);
	else if (!strcmp(s, "clock"))
		ret = clock_scenario(a, b);
	else if (!strcmp(s, "noop"))
		ret = noop();
	else if (!strcmp(s, "names"))
		ret = names(a);
	else if (!strcmp(s, "anomalies"))
		ret = anomalies();
	else if (!strcmp(s, "scope"))
		ret = scope();
	else if (!strcmp(s, "wait"))
		ret = wait_scenario();
	else if (!strcmp(s, "gone"))
		ret = gone(a);
	else if (!strcmp(s, "nobody"))
		ret = nobody();
	else if (!strcmp(s, "fork"))
		ret = do_fork(0);
	else if (!strcmp(s, "forkexec"))
		ret = do_fork(1);
	else if (!strcmp(s, "exec"))
		ret = do_exec();
	else if (!strcmp(s, "exec2"))
		ret = exec2();
	else if (!strcmp(s, "produce"))
		ret = produce(a, b, c);
	else if (!strcmp(s, "measure"))
		ret = measure(a);
	else if (!strcmp(s, "children"))
		ret = children(a, b);
	else if (!strcmp(s, "storm"))
		ret = storm(a, b);
	else
		ret = 2;
	say("exit %d", ret);
	return ret;
}
