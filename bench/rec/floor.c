/* floor — the cheapest way to sample a set of processes, as a yardstick.
 *
 *   floor [-t] INTERVAL_MS PID...
 *
 * Opens /proc/PID/stat and /proc/PID/statm of each PID once and then, on
 * absolute CLOCK_MONOTONIC deadlines every INTERVAL_MS, pread()s both for
 * every process, until SIGINT or SIGTERM. With -t it pread()s
 * /proc/PID/task/TID/stat of every thread instead (the thread floor).
 * Nothing is parsed or stored: this is the kernel's price of the numbers,
 * plus a loop. The benchmark reads its CPU time from /proc/PID/schedstat.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* /proc/PID/FILE, or /proc/PID/task/TID/stat if tid > 0. */
static int open_proc(int pid, int tid, const char *file)
{
	char path[96];

	if (tid > 0)
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid,
			 tid);
	else
		snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	return open(path, O_RDONLY | O_CLOEXEC);
}

int main(int argc, char **argv)
{
	int threads = 0, *fds = NULL, i;
	size_t n = 0, cap = 0, k;
	struct rlimit rl;
	struct timespec next;
	long interval_ms;
	char buf[4096];

	if (argc > 1 && !strcmp(argv[1], "-t")) {
		threads = 1;
		argv++;
		argc--;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: floor [-t] INTERVAL_MS PID...\n");
		return 2;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	interval_ms = atol(argv[1]);
	for (i = 2; i < argc; i++) {
		int pid = atoi(argv[i]);

		if (threads) {
			char path[64];
			struct dirent *d;
			DIR *dir;

			snprintf(path, sizeof(path), "/proc/%d/task", pid);
			dir = opendir(path);
			if (!dir)
				continue;
			while ((d = readdir(dir))) {
				int tid = atoi(d->d_name);

				if (tid <= 0)
					continue;
				if (n + 1 > cap) {
					cap = cap ? 2 * cap : 1024;
					fds = realloc(fds, cap * sizeof(*fds));
				}
				fds[n] = open_proc(pid, tid, "stat");
				if (fds[n] >= 0)
					n++;
			}
			closedir(dir);
		} else {
			if (n + 2 > cap) {
				cap = cap ? 2 * cap : 1024;
				fds = realloc(fds, cap * sizeof(*fds));
			}
			fds[n] = open_proc(pid, 0, "stat");
			fds[n + 1] = open_proc(pid, 0, "statm");
			if (fds[n] >= 0 && fds[n + 1] >= 0)
				n += 2;
		}
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!stop) {
		for (k = 0; k < n; k++)
			if (pread(fds[k], buf, sizeof(buf), 0) < 0 &&
			    errno == ESRCH)
				continue;
		next.tv_nsec += (interval_ms % 1000) * 1000000;
		next.tv_sec += interval_ms / 1000 + next.tv_nsec / 1000000000;
		next.tv_nsec %= 1000000000;
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	printf("floor: %zu files\n", n);
	return 0;
}
