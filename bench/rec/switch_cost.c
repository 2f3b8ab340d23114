/* switch_cost — what a context switch costs on this machine: two
 * processes pinned to one CPU pass a byte back and forth through two pipes,
 * each pass a switch. With swrec's BPF sampler loaded, every switch of the
 * machine also runs its program on the scheduler's switch (one hash lookup
 * and a store); bench/rec/switch.sh runs this with and without it.
 *
 *   swt-bench-rec-switch PASSES [CPU]
 *
 * Prints "passes N ns_per_switch X" (wall time over 2 * N switches, the
 * two processes on CPU, default 0). */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void pin(int cpu)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	if (sched_setaffinity(0, sizeof(s), &s) != 0) {
		perror("sched_setaffinity");
		exit(1);
	}
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 200000, i;
	int cpu = argc > 2 ? atoi(argv[2]) : 0;
	int ab[2], ba[2], st;
	struct timespec t0, t1;
	char c = 'x';
	pid_t pid;

	if (n <= 0 || pipe(ab) != 0 || pipe(ba) != 0)
		return 2;
	pin(cpu);
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		/* (the write ends it does not use: EOF when the parent
		 * closes its own) */
		close(ab[1]);
		close(ba[0]);
		for (;;) {
			if (read(ab[0], &c, 1) != 1)
				_exit(0);
			if (write(ba[1], &c, 1) != 1)
				_exit(1);
		}
	}
	close(ab[0]);
	close(ba[1]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++)
		if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1)
			return 1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	close(ab[1]);
	waitpid(pid, &st, 0);
	printf("passes %ld ns_per_switch %.1f\n", n,
	       ((double)(t1.tv_sec - t0.tv_sec) * 1e9 +
		(double)(t1.tv_nsec - t0.tv_nsec)) / (2.0 * (double)n));
	return 0;
}
