/* sleepers — N sleeping processes, to reach a process count.
 *
 *   sleepers N
 *
 * Forks N children blocked in pause() (nothing of theirs moves: what a
 * recorder spends on them is its cost per process-sample, the floor of
 * every sample), prints "ready\n" and waits; SIGTERM or SIGINT ends the
 * whole group. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_term(int sig)
{
	(void)sig;
	signal(SIGTERM, SIG_IGN);
	kill(0, SIGKILL);
	_exit(0);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 0, i;

	if (n <= 0) {
		fprintf(stderr, "usage: sleepers N\n");
		return 2;
	}
	setpgid(0, 0);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	for (i = 0; i < n; i++) {
		pid_t p = fork();

		if (p < 0) {
			perror("fork");
			kill(0, SIGKILL);
			return 1;
		}
		if (p == 0) {
			signal(SIGTERM, SIG_DFL);
			signal(SIGINT, SIG_DFL);
			for (;;)
				pause();
		}
	}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
