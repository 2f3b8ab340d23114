/* rec_workload — processes with known behaviour for the swrec tests.
 *
 *   rec_workload sleep              wait for a signal (default actions)
 *   rec_workload ignore-int         the same, ignoring SIGINT
 *   rec_workload busy               spin on the CPU until killed
 *   rec_workload alloc MIB          allocate and touch MIB MiB, print
 *                                   "ready\n" on stdout, wait for a signal
 *   rec_workload wait-file PATH N   exit N once PATH exists
 *   rec_workload threads N          N named threads ("worker-0"...), print
 *                                   "ready\n", wait for a signal
 *   rec_workload spin-threads N     N threads spinning ("spinner-0"...),
 *                                   the main thread waiting
 *   rec_workload syscalls           small reads of /dev/zero without
 *                                   end (system time, context switches)
 *   rec_workload late-thread PATH   spin for 30 ms of CPU, wait for PATH,
 *                                   start a thread ("late-worker"), print
 *                                   "ready\n", wait for a signal
 *   rec_workload reuse DIR          PID reuse (needs root for
 *                                   /proc/sys/kernel/ns_last_pid): fork A,
 *                                   write DIR/a, wait for DIR/go, end A,
 *                                   fork B with A's pid, write DIR/b, wait
 *                                   for DIR/done, end B, exit 0 (or exit 77
 *                                   if the pid could not be reused)
 *
 * Synchronisation is by files and pipes, never by sleeping a guessed
 * time; the only sleeps are 10 ms poll steps. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void nap(void)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

static void wait_file(const char *path)
{
	while (access(path, F_OK) != 0)
		nap();
}

static void write_file(const char *path, const char *text)
{
	char tmp[4096];
	FILE *f;

	/* rename: the reader never sees a half-written file */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f) {
		perror(tmp);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
	if (rename(tmp, path) < 0) {
		perror(path);
		exit(1);
	}
}

static void forever(void)
{
	for (;;)
		pause();
}

static void *thread_main(void *arg)
{
	(void)arg;
	forever();
	return NULL;
}

static pid_t fork_sleeper(void)
{
	pid_t pid = fork();

	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0)
		forever();
	return pid;
}

static int reuse(const char *dir)
{
	char path[4096], text[64];
	pid_t a, b = -1;
	int attempt, st;

	a = fork_sleeper();
	snprintf(text, sizeof(text), "%d\n", (int)a);
	snprintf(path, sizeof(path), "%s/a", dir);
	write_file(path, text);
	snprintf(path, sizeof(path), "%s/go", dir);
	wait_file(path);
	kill(a, SIGKILL);
	waitpid(a, &st, 0);
	/* A later clock tick than A's, so that start times differ. */
	nap();
	nap();
	for (attempt = 0; attempt < 50; attempt++) {
		FILE *f = fopen("/proc/sys/kernel/ns_last_pid", "w");

		if (!f)
			return 77;
		fprintf(f, "%d", (int)a - 1);
		if (fclose(f) != 0)
			return 77;
		b = fork_sleeper();
		if (b == a)
			break;
		/* Someone else forked in between: try again. */
		kill(b, SIGKILL);
		waitpid(b, &st, 0);
		b = -1;
	}
	if (b < 0)
		return 77;
	snprintf(text, sizeof(text), "%d\n", (int)b);
	snprintf(path, sizeof(path), "%s/b", dir);
	write_file(path, text);
	snprintf(path, sizeof(path), "%s/done", dir);
	wait_file(path);
	kill(b, SIGKILL);
	waitpid(b, &st, 0);
	return 0;
}

static void *spin_main(void *arg)
{
	volatile unsigned long n = 0;

	(void)arg;
	for (;;)
		n++;
	return NULL;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	if (!strcmp(mode, "sleep")) {
		forever();
	} else if (!strcmp(mode, "ignore-int")) {
		signal(SIGINT, SIG_IGN);
		forever();
	} else if (!strcmp(mode, "busy")) {
		volatile unsigned long n = 0;

		for (;;)
			n++;
	} else if (!strcmp(mode, "alloc") && argc > 2) {
		size_t len = (size_t)atol(argv[2]) << 20;
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		size_t i;

		if (p == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
		for (i = 0; i < len; i += 4096)
			p[i] = (char)(i >> 12 | 1);
		printf("ready\n");
		fflush(stdout);
		forever();
	} else if (!strcmp(mode, "wait-file") && argc > 3) {
		wait_file(argv[2]);
		return atoi(argv[3]);
	} else if (!strcmp(mode, "threads") && argc > 2) {
		int i, n = atoi(argv[2]);

		for (i = 0; i < n; i++) {
			pthread_t t;
			char name[32];

			if (pthread_create(&t, NULL, thread_main, NULL) != 0) {
				perror("pthread_create");
				return 1;
			}
			/* thread names are at most 15 bytes */
			snprintf(name, sizeof(name), "worker-%d", i % 100);
			name[15] = '\0';
			pthread_setname_np(t, name);
		}
		printf("ready\n");
		fflush(stdout);
		forever();
	} else if (!strcmp(mode, "spin-threads") && argc > 2) {
		int i, n = atoi(argv[2]);

		for (i = 0; i < n; i++) {
			pthread_t t;
			char name[32];

			if (pthread_create(&t, NULL, spin_main, NULL) != 0) {
				perror("pthread_create");
				return 1;
			}
			snprintf(name, sizeof(name), "spinner-%d", i % 100);
			pthread_setname_np(t, name);
		}
		forever();
	} else if (!strcmp(mode, "syscalls")) {
		int z = open("/dev/zero", O_RDONLY);
		char b[64];
		unsigned long n = 0;

		for (;;) {
			if (read(z, b, sizeof(b)) < 0)
				return 1;
			if (++n % 64 == 0)
				sched_yield();
			if (n % 4096 == 0)
				nap();
		}
	} else if (!strcmp(mode, "late-thread") && argc > 2) {
		struct timespec a, b;
		pthread_t t;

		/* CPU time, not wall time: the same on a loaded machine */
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
		do
			clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
		while ((b.tv_sec - a.tv_sec) * 1000 +
			       (b.tv_nsec - a.tv_nsec) / 1000000 <
		       30);
		wait_file(argv[2]);
		if (pthread_create(&t, NULL, thread_main, NULL) != 0) {
			perror("pthread_create");
			return 1;
		}
		pthread_setname_np(t, "late-worker");
		printf("ready\n");
		fflush(stdout);
		forever();
	} else if (!strcmp(mode, "reuse") && argc > 2) {
		return reuse(argv[2]);
	}
	fprintf(stderr, "rec_workload: bad arguments\n");
	return 2;
}
