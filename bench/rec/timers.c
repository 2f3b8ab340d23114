/* timers — processes that keep timers firing, or a CPU busy.
 *
 *   swt-bench-rec-timers N NS
 *
 * Forks N processes; each sleeps NS nanoseconds (nanosleep) in a loop,
 * one timer expiring per pass on its CPU, or spins when NS is 0. Prints
 * "ready\n" and waits for a signal; SIGTERM or SIGINT ends them all.
 * For bench/rec/timer.sh: what the BPF sampler's timer program (swt_tick)
 * costs where timers are many. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void sleeper(long ns)
{
	struct timespec nap = { ns / 1000000000L, ns % 1000000000L };

	for (;;)
		nanosleep(&nap, NULL);
}

static void spinner(void)
{
	volatile unsigned long n = 0;

	for (;;)
		n++;
}

int main(int argc, char **argv)
{
	long n, ns, i;
	sigset_t set;
	pid_t *kids;
	int sig;

	if (argc != 3) {
		fprintf(stderr, "usage: %s N NS\n", argv[0]);
		return 2;
	}
	n = atol(argv[1]);
	ns = atol(argv[2]);
	if (n < 1 || ns < 0) {
		fprintf(stderr, "%s: N >= 1, NS >= 0\n", argv[0]);
		return 2;
	}
	kids = calloc((size_t)n, sizeof(*kids));
	if (!kids) {
		perror("calloc");
		return 1;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (i = 0; i < n; i++) {
		pid_t p = fork();

		if (p < 0) {
			perror("fork");
			while (i-- > 0)
				kill(kids[i], SIGKILL);
			return 1;
		}
		if (p == 0) {
			sigprocmask(SIG_UNBLOCK, &set, NULL);
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (ns > 0)
				sleeper(ns);
			spinner();
		}
		kids[i] = p;
	}
	printf("ready\n");
	fflush(stdout);
	sigwait(&set, &sig);
	for (i = 0; i < n; i++)
		kill(kids[i], SIGKILL);
	for (i = 0; i < n; i++)
		waitpid(kids[i], NULL, 0);
	free(kids);
	return 0;
}
