/* thread_jobs.c — a program that runs each task on a thread of its own:
 * for DURATION_MS, one thread after another, named "job", each burning
 * TASK_MS of its own CPU time, then joined. The threads live between
 * swrec's samples: their CPU reaches the thread module "job" only by
 * their exit records (docs/analysis.md § 2.1; tests/e2e/test-threads.sh).
 *
 *   thread_jobs DURATION_MS TASK_MS
 *   thread_jobs DURATION_MS busy N
 *
 * The second form starts N threads named "busy" that burn CPU until the
 * process exits: its main thread sleeps DURATION_MS, then exits the
 * process while they run (their CPU after the last sample reaches their
 * thread module by the process's exit record, format 1.10).
 *
 * Prints "jobs N cpu_ms M" on stdout: the tasks (threads) run and the CPU
 * the process burnt (its own clock). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t now_ns(clockid_t c)
{
	struct timespec t;

	clock_gettime(c, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static int64_t task_ns;

static void *job(void *arg)
{
	int64_t t0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	volatile uint64_t x = 0;

	(void)arg;
	pthread_setname_np(pthread_self(), "job");
	while (now_ns(CLOCK_THREAD_CPUTIME_ID) - t0 < task_ns)
		x++;
	return NULL;
}

static void *busy(void *arg)
{
	volatile uint64_t x = 0;

	(void)arg;
	pthread_setname_np(pthread_self(), "busy");
	for (;;)
		x++;
	return NULL;
}

/* N threads busy until the process exits DURATION_MS from now. */
static int run_busy(long duration_ms, long n)
{
	struct timespec d = { duration_ms / 1000,
			      duration_ms % 1000 * 1000000 };
	long i;

	for (i = 0; i < n; i++) {
		pthread_t t;

		if (pthread_create(&t, NULL, busy, NULL) != 0) {
			perror("thread_jobs: pthread_create");
			return 1;
		}
	}
	while (nanosleep(&d, &d) != 0)
		;
	printf("jobs %ld cpu_ms %lld\n", n,
	       (long long)(now_ns(CLOCK_PROCESS_CPUTIME_ID) / 1000000));
	fflush(stdout);
	exit(0);	/* (the threads still burning) */
}

int main(int argc, char **argv)
{
	int64_t end;
	long n = 0;

	if (argc == 4 && strcmp(argv[2], "busy") == 0 && atol(argv[1]) > 0 &&
	    atol(argv[3]) > 0)
		return run_busy(atol(argv[1]), atol(argv[3]));
	if (argc != 3 || atol(argv[1]) <= 0 || atol(argv[2]) <= 0) {
		fprintf(stderr, "usage: thread_jobs DURATION_MS TASK_MS\n"
				"       thread_jobs DURATION_MS busy N\n");
		return 2;
	}
	end = now_ns(CLOCK_MONOTONIC) + atol(argv[1]) * INT64_C(1000000);
	task_ns = atol(argv[2]) * INT64_C(1000000);
	do {
		pthread_t t;

		if (pthread_create(&t, NULL, job, NULL) != 0 ||
		    pthread_join(t, NULL) != 0) {
			perror("thread_jobs: pthread");
			return 1;
		}
		n++;
	} while (now_ns(CLOCK_MONOTONIC) < end);
	printf("jobs %ld cpu_ms %lld\n", n,
	       (long long)(now_ns(CLOCK_PROCESS_CPUTIME_ID) / 1000000));
	return 0;
}
