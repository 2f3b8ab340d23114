/* trace_app — an instrumented program for tests/client/test_client.c.
 *
 *   trace_app SCENARIO [ARGS]
 *
 * It reports what the test needs to know (its pid, its threads' tids, what
 * the library said) on stdout, one "key value..." line each, and exits 0
 * when everything it checked itself held. Scenarios:
 *
 *   basic N      main + 2 workers; each worker does N times:
 *                begin vision_system, count ocr_call (i+1), end
 *                vision_system, mark frame; main: a span around it all
 *   noop         every call outside a recorder; checks they do nothing
 *   names N      count 1 under N distinct names ("name_<i>", built in one
 *                reused buffer), then count 1 under "after"
 *   anomalies    end without begin, crossed spans, a thread that exits
 *                inside a span
 *   fork         events before, in and after a fork() child
 *   exec         events, then exec itself ("exec2"), which records more
 *   exec2        (the exec'd half)
 *   gone MS      records (and starts threads, forks) until the recorder
 *                goes away (at most MS milliseconds), then 50 rounds more
 *   burst N      N counts as fast as possible on one thread
 *   scope        SWT_MODULE_SCOPE nesting */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "swtrace.h"

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void say_tid(const char *role)
{
	printf("tid %s %d\n", role, (int)gettid());
	fflush(stdout);
}

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
	printf("enabled %d\n", swt_trace_enabled());
	printf("dropped %llu\n", (unsigned long long)swt_trace_dropped());
	return 0;
}

static int noop(void)
{
	int i;

	for (i = 0; i < 1000; i++) {
		swt_module_begin("x");
		swt_count("y", 1);
		swt_mark("z");
		swt_module_end("x");
	}
	printf("enabled %d\n", swt_trace_enabled());
	printf("flush %d\n", swt_trace_flush());
	printf("dropped %llu\n", (unsigned long long)swt_trace_dropped());
	printf("version %s\n", swt_trace_version());
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
	printf("dropped %llu\n", (unsigned long long)swt_trace_dropped());
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

static int do_fork(void)
{
	pid_t pid;
	int st;

	say_tid("parent");
	swt_module_begin("parent_work");
	swt_count("parent_count", 1);
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		/* The child: fresh rings, its own connection. */
		say_tid("child");
		swt_module_begin("child_work");
		swt_count("child_count", 7);
		swt_mark("child_mark");
		swt_module_end("child_work");
		exit(0);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		return 1;
	swt_count("parent_count", 1);
	swt_module_end("parent_work");
	return 0;
}

static int do_exec(const char *self)
{
	say_tid("main");
	swt_module_begin("before_exec");
	swt_count("pre", 1);
	fflush(stdout);
	execl(self, self, "exec2", (char *)NULL);
	return 1;
}

static int exec2(void)
{
	say_tid("exec2");
	swt_count("post", 1);
	return 0;
}

static void *gone_thread(void *arg)
{
	volatile int *stop = arg;

	while (!*stop) {
		swt_module_begin("worker");
		swt_count("tick", 1);
		swt_module_end("worker");
	}
	return NULL;
}

/* One round: an event, a short-lived thread that records, every tenth
 * round a fork() whose child records, a flush. */
static void gone_round(long round)
{
	static volatile int stop_u;
	pthread_t u;
	pid_t pid;
	int st;

	swt_count("round", 1);
	stop_u = 0;
	if (pthread_create(&u, NULL, gone_thread, (void *)(uintptr_t)&stop_u) ==
	    0) {
		struct timespec ts = { 0, 2000000 };

		nanosleep(&ts, NULL);
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

/* Records (a busy thread, short-lived threads, forks) until it notices
 * that the recorder went away (or MS milliseconds pass), then goes on
 * for 50 more rounds without it: it must neither die (SIGPIPE) nor
 * block. */
static int gone(long ms)
{
	static volatile int stop_t;
	int64_t end = now_ms() + ms;
	pthread_t t;
	long rounds = 0, after;
	int detected;

	say_tid("main");
	if (pthread_create(&t, NULL, gone_thread, (void *)(uintptr_t)&stop_t))
		return 1;
	while (swt_trace_enabled() && now_ms() < end)
		gone_round(rounds++);
	detected = !swt_trace_enabled();
	for (after = 0; after < 50; after++)
		gone_round(rounds++);
	stop_t = 1;
	pthread_join(t, NULL);
	printf("detected %d\n", detected);
	printf("enabled %d\n", swt_trace_enabled());
	printf("flush %d\n", swt_trace_flush());
	printf("rounds %ld\n", rounds);
	return 0;
}

static int burst(long n)
{
	long i;

	say_tid("main");
	for (i = 0; i < n; i++)
		swt_count("burst", 1);
	printf("dropped %llu\n", (unsigned long long)swt_trace_dropped());
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

int main(int argc, char **argv)
{
	const char *s = argc > 1 ? argv[1] : "";
	long n = argc > 2 ? strtol(argv[2], NULL, 10) : 0;
	int ret;

	/* The library must never raise SIGPIPE: keep the default action,
	 * which would kill us and fail the test. */
	signal(SIGPIPE, SIG_DFL);
	printf("pid %d\n", (int)getpid());
	fflush(stdout);
	if (!strcmp(s, "basic"))
		ret = basic(n);
	else if (!strcmp(s, "noop"))
		ret = noop();
	else if (!strcmp(s, "names"))
		ret = names(n);
	else if (!strcmp(s, "anomalies"))
		ret = anomalies();
	else if (!strcmp(s, "fork"))
		ret = do_fork();
	else if (!strcmp(s, "exec"))
		ret = do_exec(argv[0]);
	else if (!strcmp(s, "exec2"))
		ret = exec2();
	else if (!strcmp(s, "gone"))
		ret = gone(n);
	else if (!strcmp(s, "burst"))
		ret = burst(n);
	else if (!strcmp(s, "scope"))
		ret = scope();
	else
		ret = 2;
	fflush(stdout);
	return ret;
}
