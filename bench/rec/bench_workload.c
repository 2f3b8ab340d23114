/* bench_workload — the benchmark's process tree.
 *
 *   bench_workload N
 *
 * Forks N idle processes (blocked in pause()), two busy ones (spinning)
 * and one whose memory grows (1 MiB touched every 100 ms, up to 256 MiB,
 * then it starts over), prints "ready\n" and waits for a signal; SIGTERM
 * or SIGINT ends the whole group. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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

	setpgid(0, 0);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	for (i = 0; i < n; i++)
		spawn(idle);
	spawn(busy);
	spawn(busy);
	spawn(grow);
	printf("ready\n");
	fflush(stdout);
	idle();
	return 0;
}
