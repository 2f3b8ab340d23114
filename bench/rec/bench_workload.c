/* bench_workload — the benchmark's process tree.
 *
 *   bench_workload N [T [F [LIFE_MS]]]
 *
 * Forks N idle processes (blocked in pause()), two busy ones (spinning)
 * and one whose memory grows (1 MiB touched every 100 ms, up to 256 MiB,
 * then it starts over), prints "ready\n" and waits for a signal; SIGTERM
 * or SIGINT ends the whole group. With T > 1 each of those N + 3
 * processes has T threads: the one described and T - 1 idle ones (blocked
 * in pause()), so that the thread rows have something to sample.
 *
 * With F > 0 one more process (the forker, T threads too) forks F
 * short-lived children a second, on absolute deadlines; each sleeps
 * LIFE_MS milliseconds (default 200) and exits, and the forker reaps it.
 * The fork counter then moves at every tick of a recorder, which lists
 * /proc and reads the metadata of the new pids at every tick. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void idle(void)
{
	for (;;)
		pause();
}

static void busy(void)
{
	volatile unsigned long n = 0;

	for (;;)
		n++;
}

static void grow(void)
{
	const size_t step = 1u << 20, max = 256u << 20;
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	char *p = mmap(NULL, max, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t used = 0;

	if (p == MAP_FAILED)
		_exit(1);
	for (;;) {
		if (used == max) {
			madvise(p, max, MADV_DONTNEED);
			used = 0;
		}
		memset(p + used, 1, step);
		used += step;
		nanosleep(&ts, NULL);
	}
}

static long threads_per_proc = 1;
static long forks_per_s;
static long life_ms = 200;

static void forker(void)
{
	const long period = 1000000000L / forks_per_s;
	struct timespec next;

	clock_gettime(CLOCK_MONOTONIC, &next);
	for (;;) {
		struct timespec life = { life_ms / 1000,
					 life_ms % 1000 * 1000000 };
		pid_t pid = fork();

		if (pid == 0) {
			nanosleep(&life, NULL);
			_exit(0);
		}
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		next.tv_nsec += period;
		while (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
}

static void *idle_thread(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

/* The T - 1 idle threads of a process, with small stacks: thousands of
 * them at N = 500. */
static void add_threads(void)
{
	pthread_attr_t attr;
	long i;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64u << 10);
	for (i = 1; i < threads_per_proc; i++) {
		pthread_t t;

		if (pthread_create(&t, &attr, idle_thread, NULL) != 0) {
			perror("pthread_create");
			_exit(1);
		}
	}
	pthread_attr_destroy(&attr);
}

static pid_t spawn(void (*fn)(void))
{
	pid_t pid = fork();

	if (pid < 0) {
		perror("fork");
		kill(0, SIGTERM);
		exit(1);
	}
	if (pid == 0) {
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		add_threads();
		fn();
	}
	return pid;
}

static void on_term(int sig)
{
	(void)sig;
	signal(SIGTERM, SIG_IGN);
	kill(0, SIGTERM);
	_exit(0);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 50, i;

	threads_per_proc = argc > 2 ? atol(argv[2]) : 1;
	forks_per_s = argc > 3 ? atol(argv[3]) : 0;
	if (argc > 4)
		life_ms = atol(argv[4]);
	if (forks_per_s < 0 || forks_per_s > 1000 || life_ms < 0) {
		fprintf(stderr, "bench_workload: F is 0..1000, LIFE_MS >= 0\n");
		return 2;
	}

	setpgid(0, 0);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	for (i = 0; i < n; i++)
		spawn(idle);
	spawn(busy);
	spawn(busy);
	spawn(grow);
	if (forks_per_s)
		spawn(forker);
	printf("ready\n");
	fflush(stdout);
	idle();
	return 0;
}
