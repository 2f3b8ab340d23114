/* tsc_soak.c — the program of bench/client/tsc_soak.sh (issue 17: event
 * times recorded with the TSC agree with CLOCK_MONOTONIC within 1 us over
 * a 10-minute session, across CPU migrations). Two threads, each about
 * every millisecond: read CLOCK_MONOTONIC, then count "clock" with that
 * reading as the value, so the event's own time must not come before it;
 * every 100 ms each thread moves to the other of CPUs 0 and 1
 * (sched_setaffinity). Usage: tsc_soak [SECONDS] (default 600). */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include "swtrace.h"

static int64_t secs;

static int64_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void *worker(void *arg)
{
	int64_t t0 = now(), t, last_move = 0;
	int cpu = (int)(intptr_t)arg;
	struct timespec d = { 0, 1000000 };

	while ((t = now()) - t0 < secs * 1000000000) {
		if (t - last_move > 100000000) {
			cpu_set_t s;

			CPU_ZERO(&s);
			CPU_SET(cpu, &s);
			sched_setaffinity(0, sizeof(s), &s);
			cpu ^= 1;
			last_move = t;
		}
		swt_count("clock", now());
		nanosleep(&d, NULL);
	}
	swt_count("clock", now());
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t a, b;

	secs = argc > 1 ? atoll(argv[1]) : 600;
	pthread_create(&a, NULL, worker, (void *)(intptr_t)0);
	pthread_create(&b, NULL, worker, (void *)(intptr_t)1);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	return 0;
}
