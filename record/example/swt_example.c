/* swt-example — a small application with named modules doing real work.
 *
 * It stands in for the kind of program swt was made for (a bot with a
 * vision system, OCR, event listeners and a database): each module runs in
 * its own thread, named after the module, so even without instrumentation
 * swrec's per-thread samples show which module weighs what.
 *
 *   vision_system     CPU-heavy: busy for --busy percent of each 100 ms
 *   ocr_processor     one "OCR call" (a few ms of work) --ocr-rate per min
 *   event_listener    wakes --event-rate times per minute, little work
 *   database_manager  grows its memory by --leak MB per minute (touched)
 *
 * It is also instrumented with libswtrace (swtrace.h), as an application
 * would be: each piece of a module's work is a span of that module
 * (swt_module_begin/end, or SWT_MODULE_SCOPE), each OCR call counts
 * "ocr_call" and each listener event "event_listener" (the counters
 * swanalyze rates by default), and marks "start" and "end" frame the run.
 * Under swrec these become events in the session; elsewhere they cost a
 * branch each.
 *
 * Everything runs for --duration seconds, then the program prints what it
 * did (the counts swanalyze should find) on stdout and exits 0. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "swt_parse.h"
#include "swtrace.h"

struct opts {
	int64_t duration_ns;
	int64_t busy_pct;
	int64_t ocr_per_min;
	int64_t events_per_min;
	int64_t leak_mb_per_min;
};

static struct opts o = { 5000000000, 60, 30, 120, 60 };

/* What each module did, for the summary line (each written by its own
 * thread, read after the joins). */
static long n_frames, n_ocr_calls, n_events;
static size_t leaked_bytes;

/* Name the calling thread after its module. Linux keeps 15 bytes of a
 * thread name, so "database_manager" shows as "database_manage", exactly as
 * the kernel would truncate it (pthread_setname_np refuses longer names). */
static void name_thread(const char *module)
{
	char name[16];
	size_t n = strlen(module);

	if (n > sizeof(name) - 1)
		n = sizeof(name) - 1;
	memcpy(name, module, n);
	name[n] = '\0';
	pthread_setname_np(pthread_self(), name);
}
static int64_t t_end;

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void sleep_until(int64_t t)
{
	struct timespec ts = { (time_t)(t / 1000000000),
			       (long)(t % 1000000000) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	       EINTR)
		;
}

/* Burn CPU until time t; returns a value so the work is not elided. */
static uint64_t spin_until(int64_t t)
{
	uint64_t x = 88172645463325252ull;

	while (now_ns() < t) {
		int i;

		for (i = 0; i < 1000; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
		}
	}
	return x;
}

static void *vision_system(void *arg)
{
	int64_t t = now_ns(), period = 100000000;
	volatile uint64_t sink = 0;

	(void)arg;
	name_thread("vision_system");
	while (t < t_end) {
		/* one frame: a span per piece of work */
		swt_module_begin("vision_system");
		sink += spin_until(t + period * o.busy_pct / 100);
		swt_module_end("vision_system");
		n_frames++;
		t += period;
		sleep_until(t);
	}
	(void)sink;	/* (read: clang counts += as no use) */
	return NULL;
}

/* One OCR call: a span of its own, from here to the closing brace. */
static uint64_t ocr_call(void)
{
	SWT_MODULE_SCOPE("ocr_processor");
	swt_count("ocr_call", 1);
	n_ocr_calls++;
	return spin_until(now_ns() + 5000000);
}

/* One event handled. */
static uint64_t on_event(void)
{
	SWT_MODULE_SCOPE("event_listener");
	swt_count("event_listener", 1);
	n_events++;
	return spin_until(now_ns() + 200000);
}

static void *ocr_processor(void *arg)
{
	int64_t t = now_ns(), period;
	volatile uint64_t sink = 0;

	(void)arg;
	name_thread("ocr_processor");
	if (o.ocr_per_min <= 0)
		return NULL;
	period = 60000000000 / o.ocr_per_min;
	while (t < t_end) {
		sink += ocr_call();
		t += period;
		sleep_until(t);
	}
	(void)sink;	/* (read: clang counts += as no use) */
	return NULL;
}

static void *event_listener(void *arg)
{
	int64_t t = now_ns(), period;
	volatile uint64_t sink = 0;

	(void)arg;
	name_thread("event_listener");
	if (o.events_per_min <= 0)
		return NULL;
	period = 60000000000 / o.events_per_min;
	while (t < t_end) {
		sink += on_event();
		t += period;
		sleep_until(t);
	}
	(void)sink;	/* (read: clang counts += as no use) */
	return NULL;
}

static void *database_manager(void *arg)
{
	int64_t t = now_ns(), step = 100000000;
	size_t per_step = (size_t)(o.leak_mb_per_min * 1024 * 1024 / 600);
	char **blocks = NULL;
	size_t n = 0, cap = 0, i;

	(void)arg;
	name_thread("database_manager");
	while (t < t_end && per_step) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			blocks = realloc(blocks, cap * sizeof(*blocks));
			if (!blocks)
				abort();
		}
		swt_module_begin("database_manager");
		blocks[n] = malloc(per_step);
		if (!blocks[n])
			abort();
		memset(blocks[n], (int)(n & 0x7f) + 1, per_step); /* touch */
		swt_module_end("database_manager");
		n++;
		leaked_bytes += per_step;
		t += step;
		sleep_until(t);
	}
	for (i = 0; i < n; i++)
		free(blocks[i]);
	free(blocks);
	return NULL;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: swt-example [options]\n"
		"A small multi-module workload for swrec demonstrations.\n\n"
		"  -d, --duration DUR     run time (default 5s)\n"
		"  -b, --busy PCT         vision_system CPU duty cycle (60)\n"
		"  -r, --ocr-rate N       OCR calls per minute (30)\n"
		"  -e, --event-rate N     listener events per minute (120)\n"
		"  -l, --leak MB          database_manager growth per minute "
		"(60)\n"
		"  -h, --help             this help\n");
}

static int64_t num_arg(const char *name, const char *s, int64_t max)
{
	int64_t v;

	if (swt_parse_i64(&v, s) < 0 || v < 0 || v > max) {
		fprintf(stderr, "swt-example: %s: bad value '%s' (0..%lld)\n",
			name, s, (long long)max);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "duration", required_argument, NULL, 'd' },
		{ "busy", required_argument, NULL, 'b' },
		{ "ocr-rate", required_argument, NULL, 'r' },
		{ "event-rate", required_argument, NULL, 'e' },
		{ "leak", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	void *(*fn[])(void *) = { vision_system, ocr_processor,
				  event_listener, database_manager };
	pthread_t th[4];
	int c, i;

	while ((c = getopt_long(argc, argv, "d:b:r:e:l:h", lo, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (swt_parse_duration_ns(&o.duration_ns, optarg) < 0) {
				fprintf(stderr, "swt-example: --duration: bad "
						"value '%s'\n", optarg);
				return 2;
			}
			break;
		case 'b': o.busy_pct = num_arg("--busy", optarg, 100); break;
		case 'r':
			o.ocr_per_min = num_arg("--ocr-rate", optarg, 60000);
			break;
		case 'e':
			o.events_per_min =
				num_arg("--event-rate", optarg, 600000);
			break;
		case 'l': o.leak_mb_per_min = num_arg("--leak", optarg, 4096);
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	t_end = now_ns() + o.duration_ns;
	swt_mark("start");
	for (i = 0; i < 4; i++)
		if (pthread_create(&th[i], NULL, fn[i], NULL) != 0) {
			fprintf(stderr, "swt-example: cannot start threads\n");
			return 1;
		}
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	swt_mark("end");
	printf("swt-example: %ld frames, %ld OCR calls, %ld listener events, "
	       "%zu KiB kept by database_manager%s\n",
	       n_frames, n_ocr_calls, n_events, leaked_bytes / 1024,
	       swt_trace_enabled() ? " (traced)" : "");
	return 0;
}
