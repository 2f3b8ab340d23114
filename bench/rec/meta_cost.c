/* meta_cost — what a scan's parts cost: the listing of /proc and the
 * metadata of a process (ppid, start time, comm, uid, state), read by hand
 * as swrec's sampler does or through libproc2 (swrec --libproc2-scans),
 * and what libproc2 adds to the resident memory.
 *
 *   swt-bench-rec-meta [REPS]        (default 21)
 *
 * Over every process of the machine, REPS times each; prints the median
 * CPU time (this thread's, user + system: preemption on a busy machine
 * does not count) per process or per /proc entry, one "name value unit"
 * line each, then the resident memory (RssAnon, RssFile of
 * /proc/self/status) before and after libproc2 is loaded and used.
 * libproc2 is dlopen'ed as the sampler does, so that its cost in memory is
 * what this process gains. Also what a tick pays for the runner's
 * contention (the three /proc/pressure files, format 1.4) and for
 * /proc/stat, per tick. docs/performance.md, "What each part costs". */
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libproc2/pids.h>

#include "swt_procfs.h"

#define MAX_PIDS 65536
#define SELECT_MAX 255

static struct {
	void *handle;
	__typeof__(procps_pids_new) *pids_new;
	__typeof__(procps_pids_unref) *pids_unref;
	__typeof__(procps_pids_get) *pids_get;
	__typeof__(procps_pids_select) *pids_select;
	__typeof__(procps_pids_reap) *pids_reap;
} p2;

static enum pids_item items[] = {
	PIDS_ID_PID, PIDS_ID_PPID, PIDS_TICS_BEGAN, PIDS_CMD,
	PIDS_ID_EUID, PIDS_STATE, PIDS_NLWP,
};
#define N_ITEMS ((int)(sizeof(items) / sizeof(items[0])))

static unsigned pids[MAX_PIDS];
static size_t n_pids;
static volatile uint64_t sink;

static int64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static void rss(const char *when)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");
	long anon = -1, file = -1;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "RssAnon: %ld", &anon);
		sscanf(line, "RssFile: %ld", &file);
	}
	fclose(f);
	printf("rss_%s anon=%ld file=%ld KiB\n", when, anon, file);
}

/* getdents64 of /proc on a kept descriptor, as the sampler lists it.
 * Returns the number of entries. */
static size_t list_proc(int proc_fd, int collect)
{
	static char buf[16384];
	size_t n = 0;

	lseek(proc_fd, 0, SEEK_SET);
	for (;;) {
		ssize_t got = getdents64(proc_fd, buf, sizeof(buf));
		ssize_t off = 0;

		if (got <= 0)
			break;
		while (off < got) {
			struct dirent64 *d = (struct dirent64 *)(void *)(buf +
									 off);
			int32_t pid = swt_procfs_name_pid(d->d_name);

			off += d->d_reclen;
			n++;
			if (collect && pid && n_pids < MAX_PIDS)
				pids[n_pids++] = (unsigned)pid;
		}
	}
	return n;
}

/* The sampler's read_meta(): open stat, read, parse, fstat, close. */
static void read_meta(int proc_fd, unsigned pid)
{
	struct swt_procfs_stat st;
	struct stat fs;
	char rel[32], buf[4096];
	ssize_t len;
	int fd;

	snprintf(rel, sizeof(rel), "%u/stat", pid);
	fd = openat(proc_fd, rel, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	len = pread(fd, buf, sizeof(buf) - 1, 0);
	if (len > 0 && swt_procfs_parse_stat(&st, buf, (size_t)len) == 0 &&
	    fstat(fd, &fs) == 0)
		sink += (uint64_t)st.ppid + st.start_ticks + fs.st_uid;
	close(fd);
}

static int load(void)
{
	p2.handle = dlopen("libproc2.so.0", RTLD_NOW | RTLD_LOCAL);
	if (!p2.handle)
		return -1;
	*(void **)(void *)&p2.pids_new = dlsym(p2.handle, "procps_pids_new");
	*(void **)(void *)&p2.pids_unref = dlsym(p2.handle,
						 "procps_pids_unref");
	*(void **)(void *)&p2.pids_get = dlsym(p2.handle, "procps_pids_get");
	*(void **)(void *)&p2.pids_select = dlsym(p2.handle,
						  "procps_pids_select");
	*(void **)(void *)&p2.pids_reap = dlsym(p2.handle,
						"procps_pids_reap");
	return p2.pids_new && p2.pids_unref && p2.pids_get &&
			       p2.pids_select && p2.pids_reap ?
		       0 :
		       -1;
}

/* procps_pids_select of every pid, `batch` pids a call. */
static void select_all(struct pids_info *info, size_t batch)
{
	size_t i;

	for (i = 0; i < n_pids; i += batch) {
		size_t k = n_pids - i < batch ? n_pids - i : batch;
		struct pids_fetch *f = p2.pids_select(info, pids + i, (int)k,
						      PIDS_SELECT_PID);
		if (f)
			sink += (uint64_t)f->counts->total;
	}
}

/* An enumeration with procps_pids_get, one process at a time, as the
 * sampler's first scan does; a fresh pids_info each time (a used one
 * stays at the end of its listing). */
static void get_all(enum pids_item *its, int n)
{
	struct pids_info *info = NULL;
	struct pids_stack *st;

	if (p2.pids_new(&info, its, n) < 0)
		return;
	while ((st = p2.pids_get(info, PIDS_FETCH_TASKS_ONLY)))
		sink += (uint64_t)PIDS_VAL(0, s_int, st, NULL);
	p2.pids_unref(&info);
}

enum which {
	W_LIST,
	W_READ_META,
	W_SELECT_1,
	W_SELECT_8,
	W_SELECT_255,
	W_GET_META,
	W_GET_PID_ONLY,
	W_REAP_META,
	W_PRESSURE,
	W_SYS_STAT,
	W_N,
};

static const char *const names[W_N] = {
	"listing_getdents_per_entry",
	"read_meta_stat_per_process",
	"libproc2_select_1_per_process",
	"libproc2_select_8_per_process",
	"libproc2_select_255_per_process",
	"libproc2_get_meta_per_process",
	"libproc2_get_pid_only_per_process",
	"libproc2_reap_meta_per_process",
	"pressure_read_per_tick",
	"proc_stat_read_per_tick",
};

/* What a tick pays for the runner's contention (format 1.4): the three
 * /proc/pressure files read and parsed as the sampler does, 100 times
 * (per = 100); /proc/stat the same way, for scale. */
static int psi_fd[3] = { -1, -1, -1 }, stat_fd = -1;

static size_t read_pressure(void)
{
	char buf[4096];
	uint64_t some, full;
	int i, k;

	for (i = 0; i < 100; i++) {
		for (k = 0; k < 3; k++) {
			ssize_t n = pread(psi_fd[k], buf, sizeof(buf) - 1, 0);

			if (n > 0 && swt_procfs_parse_pressure(&some, &full,
							       buf,
							       (size_t)n) == 0)
				sink += some + full;
		}
	}
	return 100;
}

static size_t read_stat(void)
{
	char buf[8192];
	struct swt_procfs_sys sys;
	int i;

	for (i = 0; i < 100; i++) {
		ssize_t n = pread(stat_fd, buf, sizeof(buf) - 1, 0);

		if (n > 0 && swt_procfs_parse_sys(&sys, buf, (size_t)n) == 0)
			sink += sys.busy_ticks;
	}
	return 100;
}

int main(int argc, char **argv)
{
	int reps = argc > 1 ? atoi(argv[1]) : 21;
	int proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct pids_info *meta = NULL, *reap = NULL;
	enum pids_item pid_item = PIDS_ID_PID;
	int64_t *t[W_N];
	size_t n_entries;
	int r, w;

	if (proc_fd < 0 || reps < 1) {
		fprintf(stderr, "usage: swt-bench-rec-meta [REPS]\n");
		return 2;
	}
	n_entries = list_proc(proc_fd, 1);
	psi_fd[0] = openat(proc_fd, "pressure/cpu", O_RDONLY | O_CLOEXEC);
	psi_fd[1] = openat(proc_fd, "pressure/memory", O_RDONLY | O_CLOEXEC);
	psi_fd[2] = openat(proc_fd, "pressure/io", O_RDONLY | O_CLOEXEC);
	stat_fd = openat(proc_fd, "stat", O_RDONLY | O_CLOEXEC);
	rss("before_dlopen");
	if (load() < 0) {
		fprintf(stderr, "swt-bench-rec-meta: cannot load libproc2\n");
		return 1;
	}
	rss("after_dlopen");
	if (p2.pids_new(&meta, items, N_ITEMS) < 0 ||
	    p2.pids_new(&reap, items, N_ITEMS) < 0)
		return 1;
	select_all(meta, SELECT_MAX);
	rss("after_first_select");
	get_all(items, N_ITEMS);
	rss("after_get_all");
	for (w = 0; w < W_N; w++)
		t[w] = calloc((size_t)reps, sizeof(int64_t));
	for (r = 0; r < reps; r++) {
		for (w = 0; w < W_N; w++) {
			int64_t t0 = cpu_ns();
			size_t i, per = n_pids;

			switch ((enum which)w) {
			case W_LIST:
				per = list_proc(proc_fd, 0);
				break;
			case W_READ_META:
				for (i = 0; i < n_pids; i++)
					read_meta(proc_fd, pids[i]);
				break;
			case W_SELECT_1:
				select_all(meta, 1);
				break;
			case W_SELECT_8:
				select_all(meta, 8);
				break;
			case W_SELECT_255:
				select_all(meta, SELECT_MAX);
				break;
			case W_GET_META:
				get_all(items, N_ITEMS);
				break;
			case W_GET_PID_ONLY:
				get_all(&pid_item, 1);
				break;
			case W_REAP_META: {
				struct pids_fetch *f =
					p2.pids_reap(reap,
						     PIDS_FETCH_TASKS_ONLY);
				if (f)
					sink += (uint64_t)f->counts->total;
				break;
			}
			case W_PRESSURE:
				per = read_pressure();
				break;
			case W_SYS_STAT:
				per = read_stat();
				break;
			default:
				break;
			}
			t[w][r] = (cpu_ns() - t0) / (int64_t)(per ? per : 1);
		}
	}
	rss("after_runs");
	printf("processes %zu\nproc_entries %zu\nreps %d\n", n_pids, n_entries,
	       reps);
	for (w = 0; w < W_N; w++) {
		qsort(t[w], (size_t)reps, sizeof(int64_t), cmp_i64);
		printf("%s %.2f us (min %.2f, max %.2f)\n", names[w],
		       (double)t[w][reps / 2] / 1000.0,
		       (double)t[w][0] / 1000.0,
		       (double)t[w][reps - 1] / 1000.0);
		free(t[w]);
	}
	p2.pids_unref(&meta);
	p2.pids_unref(&reap);
	close(proc_fd);
	return 0;
}
