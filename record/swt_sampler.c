#include "swt_sampler.h"
#include "swt_sampler-private.h"
#include "swt_sampler_bpf.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libproc2/pids.h>

#include "swt_alloc.h"
#include "swt_exitacct.h"
#include "swt_net.h"
#include "swt_procconn.h"
#include "swt_procfs.h"
#include "swt_status.h"
#include "swt_tracker.h"

#define COMM_MAX 64		/* kernel threads may exceed TASK_COMM_LEN */
/* Threads with rows belong to processes with more than one thread, never
 * kernel threads: TASK_COMM_LEN (16) holds their names; the margin costs
 * 32 bytes a thread (thousands of them are kept). */
#define TNAME_MAX 32
#define FD_RESERVE 64		/* descriptors left for the writer & co */
#define CMDLINE_MAX (1u << 20)	/* longer command lines are truncated */
#define LIBPROC2_SONAME "libproc2.so.0"
#define READ_BUF 16384		/* status on big machines is long */
/* A process caught inside execve() has its new comm and memory but no
 * command line yet (the kernel sets it up last): its identity waits for
 * the command line this many ticks at most. */
#define CMD_WAIT_TICKS 10

struct thread_ent {
	int32_t tid;
	int fd;			/* task/TID/stat, -1 if not kept */
	uint32_t slot;		/* its row in s->trows (rebuild_trows()) */
	int64_t utime;
	int64_t stime;
	char name[TNAME_MAX];
};

struct proc_ent {
	/* What every tick reads, together at the start (five cache lines:
	 * a tick's loops prefetch them, see prefetch_ent()). */
	int32_t pid;
	uint32_t row_flags;	/* the flags read_proc() gave its row */
	bool row_ok;		/* row was read this tick */
	bool announce;		/* SWT_REC_PROC_START due this tick */
	bool preexisting;
	bool net_due;		/* read its sockets at its next row (a new
				 * program, between two rounds) */
	bool in_trows;		/* its threads have slots in s->trows */
	/* Has had more than one thread (seen in nthreads, or the CPU of
	 * threads that came and went): it gets thread rows from then on.
	 * Never cleared, so that its threads' rows do not come and go. */
	bool multi;
	/* In the BPF sampler's table (added before its first read, which
	 * every tracked entry has had: add_proc() drops it otherwise): a
	 * partial snapshot without it means it did not run, and its row
	 * stands (with row_flags and bpf_run_ns). */
	bool bpf_tracked;
	int64_t bpf_run_ns;	/* its run time from the BPF snapshot its row
				 * came from (a row that stands: the same),
				 * -1: from /proc (read schedstat) */
	struct swt_proc_row row;
	struct swt_net_proc net;	/* its sockets (opts.net) */
	/* the rest: when it is read, starts or goes */
	int32_t ppid;
	uint64_t start_ticks;
	uint32_t uid;
	int fd_stat;		/* -1 if not kept (yet) */
	int fd_status;
	int fd_io;
	int fd_sched;		/* schedstat (network rounds), -1 if not kept */
	uint8_t cmd_wait;	/* ticks waited for a command line (exec) */
	bool io_denied;		/* /proc/PID/io refused us */
	bool rescan_threads;
	bool thr_read;		/* threads read (or the lone one checked) */
	int64_t thr_cpu;	/* utime+stime of the process then */
	uint64_t thr_tick;	/* tick_no of that read */
	char comm[COMM_MAX];
	char *cmdline;
	size_t cmdline_len;
	char *exe;		/* /proc/PID/exe, NULL if unreadable */
	bool has_final;		/* read as a zombie: its last counters */
	bool has_final_io;	/* ... and its I/O */
	uint64_t fin_io[2];	/* read, write bytes */
	int64_t fin[4];		/* utime, stime, cutime, cstime */
	bool has_acct;		/* its taskstats exit record came */
	struct swt_exit_stats acct;
	struct thread_ent *threads;	/* sorted by tid */
	size_t n_threads;
	size_t cap_threads;
	/* CPU of its exited threads not yet in a last row's whole ticks,
	 * in us: carried to the next (add_thread_exits()) */
	uint64_t tx_rem_us;
};

/* A tick's loops over the processes touch each entry's first lines: ask
 * for those of the entry PREFETCH_AHEAD places on while this one is
 * worked on (the entries are separate heap blocks, and at 10 Hz another
 * tick's work has evicted them: one cache miss after another otherwise,
 * most of the recorder's CPU at 10 000 sleeping processes). */
#define PREFETCH_AHEAD 6

static inline void prefetch_ent(struct proc_ent *const *procs, size_t i,
				size_t n)
{
	const char *p;
	size_t off;

	if (i + PREFETCH_AHEAD >= n)
		return;
	p = (const char *)procs[i + PREFETCH_AHEAD];
	for (off = 0; off < offsetof(struct proc_ent, ppid); off += 64)
		__builtin_prefetch(p + off);
}

/* Metadata of a process from libproc2. */
struct meta {
	int32_t pid;
	int32_t ppid;
	uint64_t start_ticks;
	uint32_t uid;
	bool zombie;		/* opts.libproc2_scans only */
	char comm[COMM_MAX];
};

struct noted {
	int32_t pid;
	int wstatus;
};

/* What the scan knows about a candidate before deciding on it. */
struct cand_info {
	int fd;			/* its stat, open */
	struct meta m;
};

/* libproc2, loaded for the first enumeration only (see initial_scan()),
 * or for the whole recording with opts.libproc2_scans. */
struct proc2 {
	void *handle;
	__typeof__(procps_pids_new) *pids_new;
	__typeof__(procps_pids_unref) *pids_unref;
	__typeof__(procps_pids_get) *pids_get;
	__typeof__(procps_pids_select) *pids_select;
};

enum meta_item {
	MI_PID,
	MI_PPID,
	MI_BEGAN,
	MI_CMD,
	MI_EUID,
	MI_FIRST_SCAN,		/* the items of the first scan end here */
	MI_STATE = MI_FIRST_SCAN, /* opts.libproc2_scans: zombies */
	MI_NLWP,
	MI_ALL,
};

/* procps_pids_select() takes at most this many pids (FILL_ID_MAX). */
#define PROC2_SELECT_MAX 255

/* A process of the tree that exited unseen (no row): its taskstats exit
 * record, announced and ended at the next tick. */
struct unseen {
	struct swt_exit_stats x;
	uint64_t start_ticks;	/* estimated from its elapsed time, or its
				 * fork event's */
	/* its fork, exec and exit events (opts.conn), or NULL; valid until
	 * the tick is over, but for the table's reading once the rows are
	 * read (late_acct(), through np_ref) */
	const struct swt_newproc *np;
	uint32_t np_ref;
	bool drop;		/* over the tick's bound (take_acct()) */
	uint32_t acct_i;	/* its record in s->acct */
};

struct swt_sampler {
	struct swt_sampler_opts opts;
	int32_t *roots;
	int32_t self_pid;
	uint64_t page_size;
	long clk_tck;
	struct unseen *unseen;
	size_t n_unseen, cap_unseen;
	struct swt_exit_stats *acct;	/* exit records since the last tick */
	size_t n_acct, cap_acct;
	size_t acct_done;	/* ... taken by this tick (take_acct()) */
	const struct swt_exit_stats **acct_by_pid; /* the same, by pid */
	size_t cap_acct_by_pid;
	uint32_t *acct_unseen;	/* per record: its unseen, or UINT32_MAX */
	size_t cap_acct_unseen;
	int64_t acct_mono_ns[2]; /* the last two take_acct()s */
	/* pids of tracked processes that ended in the last two ticks: their
	 * exit records may come after their exit was written, and must not
	 * make them unseen processes (counted twice) */
	int32_t *gone_pids[2];
	size_t n_gone_pids[2], cap_gone_pids[2];
	int proc_fd;		/* the /proc directory */
	int sys_stat_fd;	/* /proc/stat */
	int meminfo_fd;
	int self_statm_fd;
	int psi_fd[3];		/* /proc/pressure/cpu, memory, io; -1: none */
	struct swt_tracker *tracker;
	bool first;
	bool preexisting;	/* processes found now were there before us */
	uint64_t start_boot_ticks; /* when the sampler began (ticks since
				    * boot, as /proc's start times) */
	uint64_t last_forks;
	/* the process events' counts at the last tick (tree_did_not_fork()) */
	bool ev_have;
	uint64_t ev_procs, ev_overflows, ev_table_full;
	uint64_t tick_no;
	unsigned refresh_every;	/* ticks between reads of idle threads */
	size_t max_kept;
	struct proc_ent **procs;	/* tracked, sorted by pid */
	size_t n_procs, cap_procs;
	struct proc_ent **gone;
	size_t n_gone, cap_gone;
	struct proc_ent **born;
	size_t n_born, cap_born;
	struct noted *noted;
	size_t n_noted, cap_noted;
	struct swt_tracker_entry *list;
	size_t cap_list;
	struct cand_info *cinfo;
	size_t cap_cinfo;
	struct meta *metas;
	size_t n_metas, cap_metas;
	int32_t *tids;
	size_t cap_tids;
	struct thread_ent *tscratch;
	size_t cap_tscratch;
	struct swt_proc_row *rows;
	size_t cap_rows;
	struct swt_thread_row *trows;	/* the last tick's, in tid order */
	size_t cap_trows, n_trows;
	bool trows_dirty;	/* the set of thread rows has changed */
	char *dents;		/* getdents64 buffer */
	/* Listing only the pids allocated since the last listing: see
	 * scan(). */
	int last_pid_fd;	/* /proc/sys/kernel/ns_last_pid, or -1 */
	int64_t tgid_off;	/* d_off of /proc's entry of pid P is
				 * tgid_off + P; 0 unknown, -1 unusable */
	int32_t win_last;	/* ns_last_pid before the last listing */
	bool win_ok;		/* win_last is known */
	uint64_t full_tick;	/* tick_no of the last full listing */
	/* opts.libproc2_scans: libproc2 stays loaded after the first scan
	 * and p2_info (MI_ALL items) gives later scans their metadata. */
	struct proc2 p2;
	struct pids_info *p2_info;
	/* opts.bpf took this tick's snapshot: read_proc() takes the counters
	 * of the processes it has from it (step 1 of a tick only; the
	 * processes a scan finds are read from /proc, with their metadata) */
	bool bpf_tick;
	bool bpf_partial;	/* its snapshot has the processes that ran */
	bool bpf_full_next;	/* the next snapshot reads all (the
				 * initial scan's were read from /proc) */
	/* s->rows holds the last sample's rows, one per entry of s->procs,
	 * in its places, each as it would be again if its process had not
	 * run: every entry had its row, every one is in the BPF table, and
	 * the network was not a round's (the few whose sockets were read,
	 * whose rows say so unlike the next tick's, are in s->renew). Then a
	 * tick over a partial snapshot looks at its processes alone
	 * (steady_read()), and tells the writer which rows it changed. */
	bool rows_steady;
	bool net_read;		/* this tick's network round read some
				 * process's sockets */
	uint32_t *visit;	/* this tick's entries from the snapshot,
				 * indexes into s->procs, ascending */
	size_t n_visit, cap_visit;
	int32_t *pids;		/* the entries' pids, as s->procs was at
				 * the last build_rows() (a steady tick
				 * keeps them in step) */
	size_t cap_pids;
	int32_t *renew;		/* processes whose sockets a steady tick
				 * read: their rows say so, and the next
				 * steady tick looks at them again */
	size_t n_renew, cap_renew;
	/* a steady tick's entries gone (indexes into the last sample's
	 * rows) and born (into this one's), ascending: for the writer */
	uint32_t *removed, *inserted;
	size_t n_removed, cap_removed, n_inserted, cap_inserted;
	/* the descriptors kept open on /proc files, by number: no sockets
	 * (swt_net_own_fds(): swrec reads its own sockets with -a) */
	uint64_t *kept_bits;
	size_t cap_kept_bits;	/* words */
	/* Threads of the tracked processes that exited while the rest of
	 * their process lives on (swt_sampler_note_thread_exit()): each
	 * gets a last row in the next sample, with its final counters, so
	 * that its CPU since its last row (all of it, for one that lived
	 * between two samples) reaches its thread module. One whose id is
	 * alive in that sample waits one tick (its row read before it
	 * exited), then goes. */
	struct texit {
		struct swt_thread_exit x;
		unsigned waited;
	} *texits;
	size_t n_texits, cap_texits;
	/* an exiting process's threads (take_thread_ends()) and their
	 * names, for its exit record */
	struct swt_thread_end *tends;
	size_t cap_tends;
	char (*tend_names)[TNAME_MAX];
	size_t cap_tend_names;
	/* this sample's thread rows with those last rows, and their names
	 * (two buffers: the writer holds the last sample's rows until it
	 * writes the next) */
	struct swt_thread_row *trows_x;
	size_t cap_trows_x;
	char (*tx_names[2])[TNAME_MAX];
	size_t cap_tx_names[2];
	unsigned tx_cur;
	struct swt_sampler_stats stats;
	char buf[READ_BUF];
	char errmsg[256];
};

__attribute__((format(printf, 3, 4))) static void
put_msg(char *dst, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!dst || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(dst, len, fmt, ap);
	va_end(ap);
}

/* Clock id now, in ns (0 if it cannot be read): CLOCK_MONOTONIC for
 * record times, CLOCK_THREAD_CPUTIME_ID for the cost of exit
 * accounting. */
static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) < 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The calling thread's CPU since t0 (CLOCK_THREAD_CPUTIME_ID, a system
 * call here: read only around work that is there), added to *ns. */
static void cpu_since(uint64_t *ns, int64_t t0)
{
	int64_t d = clock_ns(CLOCK_THREAD_CPUTIME_ID) - t0;

	if (d > 0)
		*ns += (uint64_t)d;
}

/* Whole small file read into buf (NUL-terminated); -1 with errno. */
static ssize_t read_small(int dirfd, const char *path, char *buf, size_t cap)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	int err;

	if (fd < 0)
		return -1;
	n = read(fd, buf, cap - 1);
	err = errno;
	close(fd);
	errno = err;
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

int swt_sampler_get_sysinfo(struct swt_sysinfo *out, char *errmsg,
			    size_t errlen)
{
	struct swt_sysinfo si;
	struct swt_procfs_sys sys;
	struct utsname uts;
	char buf[READ_BUF];
	uint64_t avail;
	ssize_t n;
	long v;

	memset(&si, 0, sizeof(si));
	v = sysconf(_SC_CLK_TCK);
	si.clock_ticks = v > 0 ? (uint32_t)v : 100;
	v = sysconf(_SC_PAGESIZE);
	si.page_size = v > 0 ? (uint32_t)v : 4096;
	v = sysconf(_SC_NPROCESSORS_ONLN);
	si.cpu_count = v > 0 ? (uint32_t)v : 1;
	n = read_small(AT_FDCWD, "/proc/stat", buf, sizeof(buf));
	if (n < 0 || swt_procfs_parse_sys(&sys, buf, (size_t)n) < 0) {
		put_msg(errmsg, errlen, "cannot read /proc/stat: %s",
			n < 0 ? strerror(errno) : "unexpected format");
		return SWT_EIO;
	}
	si.boot_time_s = sys.btime;
	n = read_small(AT_FDCWD, "/proc/meminfo", buf, sizeof(buf));
	if (n < 0 || swt_procfs_parse_meminfo(&si.mem_total_kib, &avail, buf,
					      (size_t)n) < 0) {
		put_msg(errmsg, errlen, "cannot read /proc/meminfo: %s",
			n < 0 ? strerror(errno) : "unexpected format");
		return SWT_EIO;
	}
	if (uname(&uts) == 0)
		snprintf(si.kernel, sizeof(si.kernel), "%s", uts.release);
	*out = si;
	return 0;
}

int swt_sampler_check_pid(int32_t pid, char *errmsg, size_t errlen)
{
	struct swt_procfs_stat st;
	char path[64], buf[READ_BUF];
	uint64_t tgid;
	ssize_t n;

	if (pid <= 0) {
		put_msg(errmsg, errlen, "invalid process id %d", (int)pid);
		return SWT_EINVAL;
	}
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	n = read_small(AT_FDCWD, path, buf, sizeof(buf));
	if (n <= 0 || swt_procfs_parse_stat(&st, buf, (size_t)n) < 0 ||
	    ((st.state == 'Z' || st.state == 'X') && st.nthreads <= 1)) {
		put_msg(errmsg, errlen, "no such process: %d", (int)pid);
		return SWT_ENOTFOUND;
	}
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	n = read_small(AT_FDCWD, path, buf, sizeof(buf));
	if (n <= 0) {
		put_msg(errmsg, errlen, "no such process: %d", (int)pid);
		return SWT_ENOTFOUND;
	}
	if (swt_procfs_find_u64(&tgid, buf, (size_t)n, "Tgid:") == 0 &&
	    tgid != (uint64_t)pid) {
		put_msg(errmsg, errlen,
			"%d is a thread of process %llu, not a process",
			(int)pid, (unsigned long long)tgid);
		return SWT_EINVAL;
	}
	return 0;
}

static size_t default_max_kept(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return 1024 - FD_RESERVE;
	if (rl.rlim_cur <= 2 * FD_RESERVE)
		return rl.rlim_cur / 2;
	return (size_t)rl.rlim_cur - FD_RESERVE;
}

/* dlopen libproc2 and the few functions swt uses. Returns 0 or -1 (the
 * caller lists /proc itself then). A missing pids_select is an error only
 * if `select` is wanted. */
static int proc2_load(struct proc2 *p, bool select)
{
	memset(p, 0, sizeof(*p));
	p->handle = dlopen(LIBPROC2_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!p->handle)
		return -1;
	/* POSIX allows converting dlsym's void * to a function pointer. */
	*(void **)(void *)&p->pids_new = dlsym(p->handle, "procps_pids_new");
	*(void **)(void *)&p->pids_unref = dlsym(p->handle,
						 "procps_pids_unref");
	*(void **)(void *)&p->pids_get = dlsym(p->handle, "procps_pids_get");
	*(void **)(void *)&p->pids_select = dlsym(p->handle,
						  "procps_pids_select");
	if (!p->pids_new || !p->pids_unref || !p->pids_get ||
	    (select && !p->pids_select)) {
		dlclose(p->handle);
		p->handle = NULL;
		return -1;
	}
	return 0;
}

/* Unload libproc2 (after the first scan; with opts.libproc2_scans, at the
 * end). It brings libsystemd, libgcrypt and more: some 1 MiB of resident
 * pages the recorder would carry for nothing, since later ticks read /proc
 * directly (docs/performance.md). Under AddressSanitizer it stays mapped:
 * libproc2 keeps buffers in its own static data, which LeakSanitizer
 * reports as leaks once unmapped. */
static void proc2_unload(struct swt_sampler *s)
{
	if (s->p2_info)
		s->p2.pids_unref(&s->p2_info);
	s->p2_info = NULL;
#ifndef __SANITIZE_ADDRESS__
	if (s->p2.handle)
		dlclose(s->p2.handle);
#endif
	memset(&s->p2, 0, sizeof(s->p2));
}

static bool kept_fd(int fd, void *payload);

static int64_t us_to_ticks(const struct swt_sampler *s, uint64_t us);

int swt_sampler_new(struct swt_sampler **out,
		    const struct swt_sampler_opts *opts, char *errmsg,
		    size_t errlen)
{
	struct swt_sampler *s = swt_zalloc(sizeof(*s));
	int err = SWT_EIO;
	long v;

	*out = NULL;
	s->opts = *opts;
	v = sysconf(_SC_CLK_TCK);
	s->clk_tck = v > 0 ? v : 100;
	s->start_boot_ticks = (uint64_t)us_to_ticks(
		s, (uint64_t)clock_ns(CLOCK_BOOTTIME) / 1000u);
	if (!s->opts.slow_every) {
		/* status costs 2-3 stat reads: every 4th tick keeps the
		 * average within 2x of a stat-only sample; at short
		 * intervals once a second is plenty for counters that are
		 * cumulative anyway (docs/performance.md). */
		int64_t per_s = opts->interval_ns > 0 ?
					(1000000000 + opts->interval_ns - 1) /
						opts->interval_ns :
					1;

		s->opts.slow_every = SWT_SAMPLER_SLOW_EVERY;
		if (per_s > SWT_SAMPLER_SLOW_EVERY)
			s->opts.slow_every = per_s > 1000 ? 1000 :
							    (unsigned)per_s;
	}
	/* Idle threads are re-read at least every 10 s (and never more often
	 * than the dear files): a read of every idle thread each second
	 * cost 1 % of a core at 0.1 s with 2000 threads, for a rounding
	 * error under a tick (docs/performance.md). */
	s->refresh_every = s->opts.slow_every;
	if (opts->interval_ns > 0) {
		int64_t n = (SWT_SAMPLER_THREAD_REFRESH_NS + opts->interval_ns -
			     1) / opts->interval_ns;

		if (n > 100000)
			n = 100000;
		if (n > (int64_t)s->refresh_every)
			s->refresh_every = (unsigned)n;
	}
	s->roots = swt_calloc(opts->n_roots, sizeof(s->roots[0]));
	if (opts->n_roots)
		memcpy(s->roots, opts->roots,
		       opts->n_roots * sizeof(s->roots[0]));
	s->opts.roots = s->roots;
	s->self_pid = (int32_t)getpid();
	v = sysconf(_SC_PAGESIZE);
	s->page_size = v > 0 ? (uint64_t)v : 4096;
	s->max_kept = opts->max_kept_fds ? opts->max_kept_fds :
					   default_max_kept();
	s->first = true;
	s->sys_stat_fd = s->meminfo_fd = s->self_statm_fd = -1;
	s->psi_fd[0] = s->psi_fd[1] = s->psi_fd[2] = -1;
	s->proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->proc_fd < 0) {
		put_msg(errmsg, errlen, "cannot open /proc: %s",
			strerror(errno));
		goto out;
	}
	s->sys_stat_fd = openat(s->proc_fd, "stat", O_RDONLY | O_CLOEXEC);
	s->meminfo_fd = openat(s->proc_fd, "meminfo", O_RDONLY | O_CLOEXEC);
	s->self_statm_fd = openat(s->proc_fd, "self/statm",
				  O_RDONLY | O_CLOEXEC);
	if (s->sys_stat_fd < 0 || s->meminfo_fd < 0 || s->self_statm_fd < 0) {
		put_msg(errmsg, errlen, "cannot open /proc files: %s",
			strerror(errno));
		goto out;
	}
	/* the machine's pressure stall totals, when the kernel has them
	 * (CONFIG_PSI, not turned off by psi=0: reading fails then) */
	{
		static const char *const psi[3] = { "pressure/cpu",
						    "pressure/memory",
						    "pressure/io" };
		int k;

		for (k = 0; k < 3; k++)
			s->psi_fd[k] = openat(s->proc_fd, psi[k],
					      O_RDONLY | O_CLOEXEC);
	}
	s->dents = swt_zalloc(READ_BUF);
	s->last_pid_fd = openat(s->proc_fd, "sys/kernel/ns_last_pid",
				O_RDONLY | O_CLOEXEC);
	swt_tracker_new(&s->tracker, opts->mode, s->self_pid);
	/* (swrec's own row, with -a: its sockets among its kept files) */
	if (s->opts.net)
		swt_net_own_fds(s->opts.net, kept_fd, s);
	/* attached to a process it descends from (swtrace.start_profiling()
	 * runs swrec -p on its own program): not in its own recording */
	if (opts->mode != SWT_MODE_ALL)
		swt_tracker_never(s->tracker, s->self_pid, true);
	err = 0;
out:
	if (err < 0)
		swt_sampler_free(s);
	else
		*out = s;
	return err;
}

/* fd is (on) or is no longer a kept /proc file. */
static void kept_mark(struct swt_sampler *s, int fd, bool on)
{
	size_t w = (size_t)fd / 64;
	uint64_t bit = UINT64_C(1) << ((unsigned)fd % 64);

	if (fd < 0)
		return;
	if (w >= s->cap_kept_bits) {
		size_t old = s->cap_kept_bits;

		if (!on)
			return;
		s->kept_bits = swt_grow(s->kept_bits, &s->cap_kept_bits,
					w + 1, sizeof(*s->kept_bits));
		memset(s->kept_bits + old, 0,
		       (s->cap_kept_bits - old) * sizeof(*s->kept_bits));
	}
	if (on)
		s->kept_bits[w] |= bit;
	else
		s->kept_bits[w] &= ~bit;
}

/* swt_net_own_fds(): whether fd is one of our kept /proc files. */
static bool kept_fd(int fd, void *payload)
{
	const struct swt_sampler *s = payload;
	size_t w = (size_t)fd / 64;

	return fd >= 0 && w < s->cap_kept_bits &&
	       (s->kept_bits[w] >> ((unsigned)fd % 64) & 1u);
}

static void kclose(struct swt_sampler *s, int *fd)
{
	if (*fd >= 0) {
		kept_mark(s, *fd, false);
		close(*fd);
		s->stats.kept_fds--;
		*fd = -1;
	}
}

static void free_ent(struct swt_sampler *s, struct proc_ent *e)
{
	size_t i;

	if (!e)
		return;
	if (e->in_trows)
		s->trows_dirty = true;
	if (s->opts.net)
		swt_net_release(s->opts.net, e->pid);
	swt_net_proc_fini(&e->net);
	kclose(s, &e->fd_stat);
	kclose(s, &e->fd_status);
	kclose(s, &e->fd_io);
	kclose(s, &e->fd_sched);
	for (i = 0; i < e->n_threads; i++)
		kclose(s, &e->threads[i].fd);
	free(e->threads);
	free(e->cmdline);
	free(e->exe);
	free(e);
}

void swt_sampler_free(struct swt_sampler *s)
{
	size_t i;

	if (!s)
		return;
	if (s->opts.net)
		swt_net_own_fds(s->opts.net, NULL, NULL);
	free(s->unseen);
	free(s->acct);
	free(s->texits);
	free(s->tends);
	free(s->tend_names);
	free(s->trows_x);
	free(s->tx_names[0]);
	free(s->tx_names[1]);
	free(s->acct_by_pid);
	free(s->acct_unseen);
	free(s->gone_pids[0]);
	free(s->gone_pids[1]);
	for (i = 0; i < s->n_procs; i++)
		free_ent(s, s->procs[i]);
	for (i = 0; i < s->n_gone; i++)
		free_ent(s, s->gone[i]);
	for (i = 0; i < s->n_born; i++)
		free_ent(s, s->born[i]);
	if (s->proc_fd >= 0)
		close(s->proc_fd);
	if (s->last_pid_fd >= 0)
		close(s->last_pid_fd);
	if (s->sys_stat_fd >= 0)
		close(s->sys_stat_fd);
	if (s->meminfo_fd >= 0)
		close(s->meminfo_fd);
	if (s->self_statm_fd >= 0)
		close(s->self_statm_fd);
	for (i = 0; i < 3; i++)
		if (s->psi_fd[i] >= 0)
			close(s->psi_fd[i]);
	proc2_unload(s);
	swt_tracker_free(s->tracker);
	free(s->roots);
	free(s->procs);
	free(s->gone);
	free(s->born);
	free(s->noted);
	free(s->list);
	free(s->cinfo);
	free(s->metas);
	free(s->tids);
	free(s->tscratch);
	free(s->rows);
	free(s->visit);
	free(s->pids);
	free(s->renew);
	free(s->removed);
	free(s->inserted);
	free(s->kept_bits);
	free(s->trows);
	free(s->dents);
	free(s);
}

static void rel_path(char *dst, size_t len, int32_t pid, int32_t tid,
		     const char *file)
{
	if (tid)
		snprintf(dst, len, "%d/task/%d/%s", (int)pid, (int)tid, file);
	else
		snprintf(dst, len, "%d/%s", (int)pid, file);
}

static int keep_fd(struct swt_sampler *s, int fd);

/* Read /proc/PID[/task/TID]/FILE into s->buf (NUL-terminated) through the
 * kept descriptor *fd, opening and keeping one if the budget allows, else
 * opening it for this read only. Returns the length, or -1 with errno. */
static ssize_t kread(struct swt_sampler *s, int *fd, int32_t pid, int32_t tid,
		     const char *file)
{
	ssize_t n;

	if (*fd < 0) {
		char rel[64];
		int tmp, err;

		rel_path(rel, sizeof(rel), pid, tid, file);
		tmp = openat(s->proc_fd, rel, O_RDONLY | O_CLOEXEC);
		if (tmp < 0)
			return -1;
		if (s->stats.kept_fds < s->max_kept) {
			*fd = keep_fd(s, tmp);
		} else {
			s->stats.transient_reads++;
			n = read(tmp, s->buf, sizeof(s->buf) - 1);
			err = errno;
			close(tmp);
			errno = err;
			if (n >= 0)
				s->buf[n] = '\0';
			return n;
		}
	}
	n = pread(*fd, s->buf, sizeof(s->buf) - 1, 0);
	if (n >= 0)
		s->buf[n] = '\0';
	return n;
}

/* Errors that say nothing about the process: try again next tick. */
static bool transient_errno(int err)
{
	return err == EMFILE || err == ENFILE || err == ENOMEM ||
	       err == EINTR || err == EAGAIN;
}

/* src (len bytes) into dst (cap bytes), truncated, terminated. */
static void copy_comm(char *dst, size_t cap, const char *src, size_t len)
{
	if (len >= cap)
		len = cap - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* Whether copy_comm() would write what dst already holds. */
static bool same_comm(const char *have, size_t cap, const char *src,
		      size_t len)
{
	if (len >= cap)
		len = cap - 1;
	return strlen(have) == len && memcmp(have, src, len) == 0;
}

/* The program's path, /proc/PID/exe, into *out (a new string, or NULL
 * when it cannot be read: another user's process, a kernel thread, a
 * zombie). One readlink, only when a process is announced. */
static void read_exe(struct swt_sampler *s, int32_t pid, char **out)
{
	char rel[64], path[4096];
	ssize_t n;

	free(*out);
	*out = NULL;
	rel_path(rel, sizeof(rel), pid, 0, "exe");
	n = readlinkat(s->proc_fd, rel, path, sizeof(path) - 1);
	if (n <= 0)
		return;
	path[n] = '\0';
	*out = swt_zalloc((size_t)n + 1);
	memcpy(*out, path, (size_t)n + 1);
}

/* Read the whole /proc/PID/cmdline (NUL-separated argv). Returns a new
 * buffer (possibly empty: kernel threads, zombies) in *out. */
static void read_cmdline(struct swt_sampler *s, int32_t pid, char **out,
			 size_t *out_len)
{
	char rel[64];
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int fd;

	rel_path(rel, sizeof(rel), pid, 0, "cmdline");
	fd = openat(s->proc_fd, rel, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		/* Most command lines fit the scratch buffer: keep an exact
		 * copy (hundreds of processes are tracked at once, and this
		 * is the recorder's largest per-process allocation). */
		ssize_t n = read(fd, s->buf, sizeof(s->buf));

		if (n > 0) {
			len = (size_t)n;
			cap = len + 1;
			buf = swt_zalloc(cap);
			memcpy(buf, s->buf, len);
		}
		/* A full buffer: there may be more. */
		while (n == (ssize_t)sizeof(s->buf) && len < CMDLINE_MAX) {
			buf = swt_grow(buf, &cap, len + sizeof(s->buf), 1);
			n = read(fd, buf + len, sizeof(s->buf));
			if (n > 0)
				len += (size_t)n;
		}
		if (len > CMDLINE_MAX)
			len = CMDLINE_MAX;
		close(fd);
	}
	if (!buf)
		buf = swt_zalloc(1);
	*out = buf;
	*out_len = len;
}

static bool is_gone_state(const struct swt_procfs_stat *st)
{
	/* A zombie leader whose other threads still run is alive. */
	return (st->state == 'Z' || st->state == 'X') && st->nthreads <= 1;
}

static bool slow_tick(const struct swt_sampler *s, const struct proc_ent *e)
{
	return (s->tick_no + (uint64_t)e->pid) % s->opts.slow_every == 0;
}

/* Ticks that read the threads of a process even if it has not moved. */
static bool refresh_tick(const struct swt_sampler *s, const struct proc_ent *e)
{
	return (s->tick_no + (uint64_t)e->pid) % s->refresh_every == 0;
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

/* List /proc/PID/task and bring e->threads in line with it. */
static void rescan_threads(struct swt_sampler *s, struct proc_ent *e)
{
	char rel[64];
	size_t n = 0, i = 0, j = 0, k = 0;
	int dfd;

	rel_path(rel, sizeof(rel), e->pid, 0, "task");
	dfd = openat(s->proc_fd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return;
	for (;;) {
		ssize_t got = getdents64(dfd, s->dents, READ_BUF);
		ssize_t off = 0;

		if (got <= 0)
			break;
		while (off < got) {
			struct dirent64 *d = (struct dirent64 *)(void *)
						     (s->dents + off);
			int32_t tid = swt_procfs_name_pid(d->d_name);

			off += d->d_reclen;
			if (!tid)
				continue;
			s->tids = swt_grow(s->tids, &s->cap_tids, n + 1,
					   sizeof(s->tids[0]));
			s->tids[n++] = tid;
		}
	}
	close(dfd);
	qsort(s->tids, n, sizeof(s->tids[0]), cmp_i32);
	s->tscratch = swt_grow(s->tscratch, &s->cap_tscratch, n + 1,
			       sizeof(s->tscratch[0]));
	/* Merge: keep known threads (and their descriptors), add new ones,
	 * close the descriptors of those that have gone. */
	while (i < e->n_threads || j < n) {
		if (j == n || (i < e->n_threads &&
			       e->threads[i].tid < s->tids[j])) {
			kclose(s, &e->threads[i].fd);
			i++;
		} else if (i == e->n_threads ||
			   s->tids[j] < e->threads[i].tid) {
			struct thread_ent *t = &s->tscratch[k++];

			memset(t, 0, sizeof(*t));
			t->tid = s->tids[j];
			t->fd = -1;
			j++;
		} else {
			s->tscratch[k++] = e->threads[i];
			i++;
			j++;
		}
	}
	/* Exact size: most processes have one thread, and hundreds of them
	 * with swt_grow()'s minimum of 16 would be most of the heap. */
	if (k > e->cap_threads) {
		e->threads = swt_reallocarray(e->threads, k,
					      sizeof(e->threads[0]));
		e->cap_threads = k;
	}
	if (k)
		memcpy(e->threads, s->tscratch, k * sizeof(e->threads[0]));
	e->n_threads = k;
	e->rescan_threads = false;
	s->trows_dirty = true;
}

/* Read the stat of thread t of e into t. Returns 0, or -1 if the thread
 * has gone (its descriptor is closed then). */
static int read_thread(struct swt_sampler *s, struct proc_ent *e,
		       struct thread_ent *t)
{
	struct swt_procfs_stat st;
	ssize_t n = kread(s, &t->fd, e->pid, t->tid, "stat");

	s->stats.thread_reads++;
	if (n <= 0 || swt_procfs_parse_stat(&st, s->buf, (size_t)n) < 0) {
		kclose(s, &t->fd);
		return -1;
	}
	t->utime = (int64_t)st.utime;
	t->stime = (int64_t)st.stime;
	if (!same_comm(t->name, sizeof(t->name), st.comm, st.comm_len))
		copy_comm(t->name, sizeof(t->name), st.comm, st.comm_len);
	return 0;
}

/* A process with one thread that never had more: its thread is the
 * process (tid = pid, name = comm, CPU = the process's), so it has no
 * thread row. Unless threads came and went between two samples: the
 * process's CPU then includes theirs. Compare the lone thread's CPU with
 * the process's, read just before: with no other thread it is at least
 * the process's minus one tick (utime and stime are each rounded down, in
 * both files), so two ticks less means other threads ran; the process
 * gets thread rows from now on. */
static void check_lone_thread(struct swt_sampler *s, struct proc_ent *e,
			      int64_t cpu)
{
	struct thread_ent *t;

	if (!e->n_threads) {
		if (!e->cap_threads) {
			e->threads = swt_zalloc(sizeof(e->threads[0]));
			e->cap_threads = 1;
		}
		t = &e->threads[0];
		memset(t, 0, sizeof(*t));
		t->tid = e->pid;
		t->fd = -1;
		e->n_threads = 1;
	}
	t = &e->threads[0];
	s->stats.thread_checks++;
	if (read_thread(s, e, t) < 0)
		return;		/* gone meanwhile, or no descriptor: later */
	/* With nthreads 1 the one thread is the leader: no listing needed
	 * should the process get thread rows. */
	e->rescan_threads = false;
	e->thr_read = true;
	e->thr_cpu = cpu;
	if (t->utime + t->stime + 2 <= cpu)
		e->multi = true;
}

/* The threads of e, whose stat was just read (docs/performance.md,
 * "swrec", has the rule and its costs). */
static void read_threads(struct swt_sampler *s, struct proc_ent *e,
			 const struct swt_procfs_stat *pst, bool slow)
{
	int64_t cpu = (int64_t)(pst->utime + pst->stime);
	size_t i, k = 0;

	if (pst->nthreads > 1)
		e->multi = true;
	if (!e->multi) {
		/* Idle since the last check: no thread can have used CPU. */
		if (slow && (!e->thr_read || cpu != e->thr_cpu))
			check_lone_thread(s, e, cpu);
		/* Other threads came and went: its one thread, read just
		 * now, has rows from this sample on. */
		if (e->multi)
			e->thr_tick = s->tick_no;
		return;
	}
	if (e->rescan_threads || pst->nthreads != (int64_t)e->n_threads) {
		rescan_threads(s, e);
		e->thr_read = false;
	}
	/* A process whose CPU has not moved since its threads were read,
	 * and whose thread count has not changed: none of its threads ran
	 * for a clock tick, so their values are those read then, to the
	 * rounding of a tick. A refresh tick reads them anyway, so that a
	 * thread that crossed a tick (or renamed itself) while the process
	 * did not is seen at most a refresh period late. A process's first
	 * row reads them (thr_read is false). */
	if (e->thr_read && cpu == e->thr_cpu && !refresh_tick(s, e)) {
		s->stats.threads_carried += e->n_threads;
		return;
	}
	for (i = 0; i < e->n_threads; i++) {
		struct thread_ent *t = &e->threads[i];

		if (read_thread(s, e, t) < 0) {
			/* The thread has gone; another may have come in its
			 * place without changing the count. */
			e->rescan_threads = true;
			continue;
		}
		e->threads[k++] = *t;
	}
	if (k != e->n_threads)
		s->trows_dirty = true;
	e->n_threads = k;
	e->thr_read = !e->rescan_threads;
	e->thr_cpu = cpu;
	e->thr_tick = s->tick_no;
}

/* The last counters of a process read as a zombie: its CPU, and its I/O
 * (readable while it is a zombie, its reaped children's included). */
static void take_final(struct swt_sampler *s, struct proc_ent *e,
		       const struct swt_procfs_stat *st)
{
	uint64_t r, w;
	ssize_t n;

	e->has_final = true;
	e->fin[0] = (int64_t)st->utime;
	e->fin[1] = (int64_t)st->stime;
	e->fin[2] = st->cutime;
	e->fin[3] = st->cstime;
	if (e->io_denied || e->has_final_io)
		return;
	n = kread(s, &e->fd_io, e->pid, 0, "io");
	if (n > 0 && swt_procfs_parse_io(&r, &w, s->buf, (size_t)n) == 0) {
		e->has_final_io = true;
		e->fin_io[0] = r;
		e->fin_io[1] = w;
	}
}

/* read_threads() with the BPF snapshot's rows: the same rule for which
 * processes have thread rows, but every thread of them read at every tick
 * (what /proc reads only when the process moved costs nothing here). */
static void bpf_threads(struct swt_sampler *s, struct proc_ent *e,
			const struct swt_sampler_bpf_proc *bp, bool slow)
{
	int64_t cpu = (int64_t)(bp->st.utime + bp->st.stime);
	size_t n = bp->thr_n, i;
	bool same;

	if (bp->st.nthreads > 1)
		e->multi = true;
	if (!e->multi && !(slow && (!e->thr_read || cpu != e->thr_cpu)))
		return;
	s->tscratch = swt_grow(s->tscratch, &s->cap_tscratch, n + 1,
			       sizeof(s->tscratch[0]));
	if (n == 0) {
		/* one thread, the leader (the program lists the threads of
		 * processes of more than one, or whose leader has ended) */
		struct thread_ent *t = &s->tscratch[0];

		memset(t, 0, sizeof(*t));
		t->tid = e->pid;
		t->fd = -1;
		t->utime = (int64_t)bp->lead_utime;
		t->stime = (int64_t)bp->lead_stime;
		copy_comm(t->name, sizeof(t->name), bp->st.comm,
			  bp->st.comm_len);
		n = 1;
	}
	for (i = 0; i < bp->thr_n; i++) {
		struct thread_ent *t = &s->tscratch[i];
		uint64_t u, st;
		const char *name;
		size_t len;

		memset(t, 0, sizeof(*t));
		swt_sampler_bpf_thread(s->opts.bpf, bp->thr_first + (uint32_t)i,
				       &t->tid, &u, &st, &name, &len);
		t->fd = -1;
		t->utime = (int64_t)u;
		t->stime = (int64_t)st;
		copy_comm(t->name, sizeof(t->name), name, len);
	}
	qsort(s->tscratch, n, sizeof(s->tscratch[0]), cmp_i32);
	if (!e->multi) {
		/* check_lone_thread()'s test, on the leader's own CPU */
		s->stats.thread_checks++;
		e->thr_read = true;
		e->thr_cpu = cpu;
		if (s->tscratch[0].utime + s->tscratch[0].stime + 2 <= cpu) {
			e->multi = true;
			e->thr_tick = s->tick_no;
		} else {
			return;
		}
	}
	same = n == e->n_threads;
	for (i = 0; same && i < n; i++)
		same = s->tscratch[i].tid == e->threads[i].tid;
	if (!same) {
		for (i = 0; i < e->n_threads; i++)
			kclose(s, &e->threads[i].fd);
		if (n > e->cap_threads) {
			e->threads = swt_reallocarray(e->threads, n,
						      sizeof(e->threads[0]));
			e->cap_threads = n;
		}
		s->trows_dirty = true;
	} else {
		/* keep the slots of the rows and any descriptors */
		for (i = 0; i < n; i++) {
			s->tscratch[i].slot = e->threads[i].slot;
			s->tscratch[i].fd = e->threads[i].fd;
		}
	}
	memcpy(e->threads, s->tscratch, n * sizeof(e->threads[0]));
	e->n_threads = n;
	s->stats.thread_reads += n;
	e->rescan_threads = false;
	e->thr_read = true;
	e->thr_cpu = cpu;
	e->thr_tick = s->tick_no;
}

/* The counters of one process. Returns 1 if read, 0 if it has gone, -1 if
 * it could not be read this time (no descriptor available). */
static int read_proc(struct swt_sampler *s, struct proc_ent *e, bool slow)
{
	struct swt_procfs_stat st;
	struct swt_proc_row *r = &e->row;
	struct swt_sampler_bpf_proc bp;
	bool from_bpf = false;
	uint32_t flags = 0;
	ssize_t n;
	int got = 0;

	e->row_ok = false;
	if (s->bpf_tick)
		got = swt_sampler_bpf_get(s->opts.bpf, e->pid, &bp);
	if (got == 0 && s->bpf_partial && e->bpf_tracked) {
		/* not on a CPU since the last snapshot: nothing of its row
		 * moved (swt_sampler_bpf.h), its threads' neither */
		r->flags = e->row_flags;
		e->row_ok = true;
		s->stats.bpf_kept++;
		return 1;
	}
	if (got > 0) {
		/* the snapshot's values, /proc's units (swt_sampler_bpf.h);
		 * a process not in it (gone, over its capacity, or listed
		 * gone) is read from /proc below */
		from_bpf = true;
		st = bp.st;
		s->stats.bpf_rows++;
		/* /proc names a kernel worker by its work too
		 * ("kworker/0:1-events"); the kernel's comm is the name
		 * alone: not a new program */
		if (bp.kthread &&
		    strncmp(e->comm, st.comm, st.comm_len) == 0) {
			st.comm = e->comm;
			st.comm_len = strlen(e->comm);
		}
		if (st.start_ticks != e->start_ticks)
			return 0;
		e->bpf_run_ns = (int64_t)bp.run_ns;
	} else {
		n = kread(s, &e->fd_stat, e->pid, 0, "stat");
		if (n < 0 && transient_errno(errno))
			return -1;
		if (n <= 0 ||
		    swt_procfs_parse_stat(&st, s->buf, (size_t)n) < 0 ||
		    st.start_ticks != e->start_ticks)
			return 0;
	}
	if (is_gone_state(&st)) {
		/* a zombie's counters are final: its exit record carries
		 * them (the CPU since its last row) */
		take_final(s, e, &st);
		return 0;
	}
	r->pid = e->pid;
	r->utime = (int64_t)st.utime;
	r->stime = (int64_t)st.stime;
	r->cutime = st.cutime;
	r->cstime = st.cstime;
	r->rss_kib = st.rss_pages * (int64_t)(s->page_size / 1024);
	r->vsz_kib = (int64_t)(st.vsize / 1024);
	r->nthreads = st.nthreads;
	r->minflt = (int64_t)st.minflt;
	r->majflt = (int64_t)st.majflt;
	e->ppid = st.ppid;
	if (!same_comm(e->comm, sizeof(e->comm), st.comm, st.comm_len)) {
		/* A new comm usually means exec: if the command line changed
		 * too, announce the process again with its new identity. A
		 * thread renaming itself (prctl) keeps its command line. */
		char comm[COMM_MAX];
		bool take = true;

		/* st.comm points into s->buf, which read_cmdline() uses */
		copy_comm(comm, sizeof(comm), st.comm, st.comm_len);
		if (!e->announce) {
			char *cmd;
			size_t len;

			read_cmdline(s, e->pid, &cmd, &len);
			if (len == 0 && st.vsize > 0 &&
			    e->cmd_wait < CMD_WAIT_TICKS) {
				/* inside execve(): the old identity holds
				 * until the new one is complete */
				free(cmd);
				e->cmd_wait++;
				take = false;
			} else if (len != e->cmdline_len ||
				   memcmp(cmd, e->cmdline, len) != 0) {
				free(e->cmdline);
				e->cmdline = cmd;
				e->cmdline_len = len;
				read_exe(s, e->pid, &e->exe);
				e->announce = true;
				e->net_due = true; /* a new program */
				e->cmd_wait = 0;
			} else {
				free(cmd);
				e->cmd_wait = 0;
			}
		}
		if (take)
			memcpy(e->comm, comm, sizeof(comm));
	}
	if (from_bpf) {
		/* every tick: here they cost nothing (the /proc backend reads
		 * them every slow_every ticks, and says so in the flags) */
		r->vctxsw = (int64_t)bp.vctxsw;
		r->ivctxsw = (int64_t)bp.ivctxsw;
		r->io_read = (int64_t)bp.io_read;
		r->io_write = (int64_t)bp.io_write;
		e->io_denied = false;
	} else if (slow) {
		uint64_t a, b;

		s->stats.slow_reads++;
		n = kread(s, &e->fd_status, e->pid, 0, "status");
		if (n > 0 && swt_procfs_parse_ctxsw(&a, &b, s->buf,
						    (size_t)n) == 0) {
			r->vctxsw = (int64_t)a;
			r->ivctxsw = (int64_t)b;
		} else {
			flags |= SWT_PF_CTXSW_NOT_SAMPLED;
		}
		n = kread(s, &e->fd_io, e->pid, 0, "io");
		if (n < 0 && (errno == EACCES || errno == EPERM)) {
			e->io_denied = true;
		} else if (n > 0 && swt_procfs_parse_io(&a, &b, s->buf,
							(size_t)n) == 0) {
			e->io_denied = false;
			r->io_read = (int64_t)a;
			r->io_write = (int64_t)b;
		} else {
			flags |= SWT_PF_IO_NOT_SAMPLED;
		}
	} else {
		flags |= SWT_PF_CTXSW_NOT_SAMPLED;
		if (!e->io_denied)
			flags |= SWT_PF_IO_NOT_SAMPLED;
	}
	if (e->io_denied) {
		/* Unknown, not zero: the flag says so and the values are
		 * left at 0 so that they compress to nothing. */
		flags = (flags & ~(uint32_t)SWT_PF_IO_NOT_SAMPLED) |
			SWT_PF_IO_UNAVAILABLE;
		r->io_read = 0;
		r->io_write = 0;
	}
	r->flags = flags;
	e->row_flags = flags;
	if (!from_bpf)
		e->bpf_run_ns = -1;
	if (s->opts.threads && from_bpf && !bp.threads_cut)
		bpf_threads(s, e, &bp, slow);
	else if (s->opts.threads)
		read_threads(s, e, &st, slow);
	e->row_ok = true;
	return 1;
}

/* Create the entry of a process that joins the tree and take its first
 * reading. stat_fd is its already open stat (or -1). Returns NULL if it
 * has gone meanwhile. */
static struct proc_ent *add_proc(struct swt_sampler *s, const struct meta *m,
				 int stat_fd, bool preexisting)
{
	struct proc_ent *e = swt_zalloc(sizeof(*e));

	e->pid = m->pid;
	e->ppid = m->ppid;
	e->start_ticks = m->start_ticks;
	e->uid = m->uid;
	e->fd_stat = stat_fd;
	e->fd_status = -1;
	e->fd_io = -1;
	e->fd_sched = -1;
	e->preexisting = preexisting;
	e->announce = true;
	e->rescan_threads = true;
	snprintf(e->comm, sizeof(e->comm), "%s", m->comm);
	/* the BPF sampler's table learns it before its first read: what it
	 * runs after that read is listed for the next snapshot */
	if (s->opts.bpf)
		e->bpf_tracked = swt_sampler_bpf_track(s->opts.bpf, e->pid,
						       true);
	read_cmdline(s, e->pid, &e->cmdline, &e->cmdline_len);
	read_exe(s, e->pid, &e->exe);
	if (read_proc(s, e, true) <= 0) {
		if (e->bpf_tracked)
			swt_sampler_bpf_track(s->opts.bpf, e->pid, false);
		free_ent(s, e);
		return NULL;
	}
	/* the BPF events' table in the kernel learns it (a root, a process
	 * found by a scan): its forks, execs and exit are told from now on
	 * (a process it forked itself is there already; one more update of
	 * a hash entry) */
	if (s->opts.conn)
		swt_procconn_track(s->opts.conn, e->pid);
	/* Memory but no command line: inside execve() (a kernel thread or a
	 * zombie has no memory); announce_ready() waits for it. */
	if (!e->cmdline_len && e->row.vsz_kib > 0)
		e->cmd_wait = 1;
	return e;
}

/* Whether the start record of a new process can be written: not while it
 * is inside execve() (see add_proc()), for CMD_WAIT_TICKS at most. A
 * process without its start record has no row either, so that its rows
 * and events all fall under the one identity. */
static bool announce_ready(struct swt_sampler *s, struct proc_ent *e)
{
	if (!e->cmd_wait)
		return true;
	free(e->cmdline);
	read_cmdline(s, e->pid, &e->cmdline, &e->cmdline_len);
	if (e->cmdline_len || e->cmd_wait >= CMD_WAIT_TICKS) {
		read_exe(s, e->pid, &e->exe);
		e->cmd_wait = 0;
		return true;
	}
	e->cmd_wait++;
	return false;
}

static void push_born(struct swt_sampler *s, struct proc_ent *e)
{
	s->born = swt_grow(s->born, &s->cap_born, s->n_born + 1,
			   sizeof(s->born[0]));
	s->born[s->n_born++] = e;
}

static void take_meta(struct meta *m, struct pids_stack *st)
{
	const char *comm = PIDS_VAL(MI_CMD, str, st, NULL);

	memset(m, 0, sizeof(*m));
	m->pid = PIDS_VAL(MI_PID, s_int, st, NULL);
	m->ppid = PIDS_VAL(MI_PPID, s_int, st, NULL);
	m->start_ticks = PIDS_VAL(MI_BEGAN, ull_int, st, NULL);
	m->uid = PIDS_VAL(MI_EUID, u_int, st, NULL);
	snprintf(m->comm, sizeof(m->comm), "%s", comm ? comm : "");
}

static int cmp_meta(const void *a, const void *b)
{
	const struct meta *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static const struct meta *find_meta(const struct swt_sampler *s, int32_t pid)
{
	size_t lo = 0, hi = s->n_metas;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->metas[mid].pid < pid)
			lo = mid + 1;
		else if (s->metas[mid].pid > pid)
			hi = mid;
		else
			return &s->metas[mid];
	}
	return NULL;
}

/* What libproc2 reads for a process's metadata (enum meta_item). */
static enum pids_item meta_items[MI_ALL] = {
	[MI_PID] = PIDS_ID_PID,
	[MI_PPID] = PIDS_ID_PPID,
	[MI_BEGAN] = PIDS_TICS_BEGAN,
	[MI_CMD] = PIDS_CMD,
	[MI_EUID] = PIDS_ID_EUID,
	[MI_STATE] = PIDS_STATE,
	[MI_NLWP] = PIDS_NLWP,
};

/* Every process of the machine with its metadata, through libproc2, into
 * s->metas (sorted). Returns 0, or -1 if libproc2 cannot be used. */
static int proc2_list(struct swt_sampler *s)
{
	struct pids_info *info = NULL;
	struct pids_stack *st;

	if (proc2_load(&s->p2, s->opts.libproc2_scans) < 0)
		return -1;
	if (s->p2.pids_new(&info, meta_items, MI_FIRST_SCAN) < 0) {
		dlclose(s->p2.handle);
		memset(&s->p2, 0, sizeof(s->p2));
		return -1;
	}
	/* One process at a time (procps_pids_get reuses one stack): a reap
	 * would allocate a stack per process of the machine. */
	s->n_metas = 0;
	while ((st = s->p2.pids_get(info, PIDS_FETCH_TASKS_ONLY))) {
		s->metas = swt_grow(s->metas, &s->cap_metas, s->n_metas + 1,
				    sizeof(s->metas[0]));
		take_meta(&s->metas[s->n_metas++], st);
	}
	s->p2.pids_unref(&info);
	/* Only to measure the alternative (opts.libproc2_scans) does it stay
	 * loaded, for the metadata of later scans (proc2_select()). */
	if (!s->opts.libproc2_scans || !s->n_metas ||
	    s->p2.pids_new(&s->p2_info, meta_items, MI_ALL) < 0) {
		s->p2_info = NULL;
		proc2_unload(s);
	}
	if (!s->n_metas)
		return -1;
	qsort(s->metas, s->n_metas, sizeof(s->metas[0]), cmp_meta);
	return 0;
}

static void scan(struct swt_sampler *s);
static int read_meta(struct swt_sampler *s, int32_t pid, struct cand_info *ci,
		     bool *zombie);

static size_t list_proc(struct swt_sampler *s, int32_t from, int32_t to);

/* First tick: libproc2 lists the machine with the metadata of every
 * process; the tracker picks the tree. Without libproc2, the /proc listing
 * of later ticks does the same job. */
static int initial_scan(struct swt_sampler *s)
{
	struct swt_tracker_cand *cands;
	struct swt_tracker_entry *inos = NULL;
	size_t i, j, n_cands, n_inos = 0;

	/* The inodes of the processes, from a listing of /proc made first
	 * (libproc2's has none): a later full listing then finds the
	 * machine's processes known, and reads none of them again (10 000
	 * stat files, 0.12 s, in the tick after the first). A pid reused
	 * between the two listings has another inode by then and is
	 * decided again. (The first scan still lists the whole of /proc:
	 * ns_last_pid may have been written back since, and a pid below it
	 * reused.) */
	if (!s->opts.no_libproc2) {
		n_inos = list_proc(s, 0, INT32_MAX);
		inos = swt_calloc(n_inos + 1, sizeof(*inos));
		if (n_inos)
			memcpy(inos, s->list, n_inos * sizeof(*inos));
	}
	if (s->opts.no_libproc2 || proc2_list(s) < 0) {
		free(inos);
		inos = NULL;
		s->stats.libproc2_missing = true;
		for (i = 0; i < s->opts.n_roots; i++) {
			struct cand_info ci;
			struct proc_ent *e;
			bool zombie;

			if (read_meta(s, s->roots[i], &ci, &zombie) < 0)
				continue;
			if (zombie) {
				close(ci.fd);
				continue;
			}
			e = add_proc(s, &ci.m, keep_fd(s, ci.fd),
				     s->preexisting);
			if (!e)
				continue;
			push_born(s, e);
			swt_tracker_track(s->tracker, s->roots[i], 0);
		}
		scan(s);
		goto out;
	}
	for (i = 0; i < s->opts.n_roots; i++)
		swt_tracker_track(s->tracker, s->roots[i], 0);
	s->list = swt_grow(s->list, &s->cap_list, s->n_metas + 1,
			   sizeof(s->list[0]));
	for (i = 0, j = 0; i < s->n_metas; i++) {
		s->list[i].pid = s->metas[i].pid;
		while (j < n_inos && inos[j].pid < s->metas[i].pid)
			j++;
		s->list[i].ino = j < n_inos && inos[j].pid == s->metas[i].pid ?
					 inos[j].ino :
					 0;
	}
	free(inos);
	for (i = 0; i < s->opts.n_roots; i++)
		if (!find_meta(s, s->roots[i]))
			swt_tracker_forget(s->tracker, s->roots[i]);
	n_cands = swt_tracker_scan(s->tracker, &cands, s->list, s->n_metas);
	for (i = 0; i < n_cands; i++)
		cands[i].ppid = find_meta(s, cands[i].pid)->ppid;
	swt_tracker_decide(s->tracker, cands, n_cands);
	for (i = 0; i < s->n_metas; i++) {
		const struct meta *m = &s->metas[i];
		struct proc_ent *e;

		if (swt_tracker_get_state(s->tracker, m->pid) !=
		    SWT_TRACKER_TRACKED)
			continue;
		e = add_proc(s, m, -1, s->preexisting);
		if (e)
			push_born(s, e);
		else
			swt_tracker_forget(s->tracker, m->pid);
	}
out:
	/* The machine-sized buffers of this scan are not needed again. */
	free(s->metas);
	s->metas = NULL;
	s->n_metas = s->cap_metas = 0;
	free(s->list);
	s->list = NULL;
	s->cap_list = 0;
	malloc_trim(0);
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct swt_tracker_entry *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* A dirent64 of a /proc pid entry: 19 bytes and the name (at most 10
 * digits and the NUL), 8-aligned. */
#define PID_DIRENT_MAX 32

/* List the pids from..to of /proc (from 0: all of them) into s->list,
 * sorted by pid. Returns the count. A full listing also learns how the
 * directory's offsets encode pids (tgid_off), which a partial one needs
 * to start at `from`. */
static size_t list_proc(struct swt_sampler *s, int32_t from, int32_t to)
{
	size_t n = 0, want = READ_BUF;
	bool sorted = true, full = from <= 0, done = false;
	int64_t prev_off = -1;

	if (full) {
		lseek(s->proc_fd, 0, SEEK_SET);
	} else {
		/* just enough for the range: the kernel makes (and looks
		 * up) an entry for every pid it returns */
		uint64_t span = (uint64_t)(to - from) + 2;

		if (span * PID_DIRENT_MAX < want)
			want = (size_t)span * PID_DIRENT_MAX;
		lseek(s->proc_fd, (off_t)(s->tgid_off + from), SEEK_SET);
	}
	while (!done) {
		ssize_t got = getdents64(s->proc_fd, s->dents, want);
		ssize_t off = 0;

		if (got <= 0)
			break;
		while (off < got) {
			struct dirent64 *d = (struct dirent64 *)(void *)
						     (s->dents + off);
			int32_t pid = swt_procfs_name_pid(d->d_name);

			off += d->d_reclen;
			if (full && pid && prev_off >= 0 && s->tgid_off >= 0) {
				/* the previous entry's d_off is this one's
				 * position */
				int64_t k = prev_off - pid;

				if (s->tgid_off == 0)
					s->tgid_off = k > 0 ? k : -1;
				else if (s->tgid_off != k)
					s->tgid_off = -1;
			}
			prev_off = (int64_t)d->d_off;
			if (!pid)
				continue;
			if (pid > to) {
				done = true;
				break;
			}
			if (pid < from)
				continue;
			s->list = swt_grow(s->list, &s->cap_list, n + 1,
					   sizeof(s->list[0]));
			if (n && s->list[n - 1].pid >= pid)
				sorted = false;
			s->list[n].pid = pid;
			s->list[n].ino = d->d_ino;
			n++;
		}
	}
	/* The kernel lists pids in ascending order; do not rely on it. */
	if (!sorted)
		qsort(s->list, n, sizeof(s->list[0]), cmp_entry);
	return n;
}

/* The last pid the kernel allocated (in swrec's pid namespace), or -1. */
static int32_t last_pid(struct swt_sampler *s)
{
	char buf[32];
	ssize_t n;
	long v;

	if (s->last_pid_fd < 0)
		return -1;
	n = pread(s->last_pid_fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	v = strtol(buf, NULL, 10);
	return v > 0 && v < INT32_MAX ? (int32_t)v : -1;
}

/* Open pid's stat and read its metadata from it: the stat line has ppid,
 * start time and comm; the owner of the file is the process's uid (as
 * libproc2 takes it). The descriptor stays open in ci->fd. 0, or -1 if the
 * process has gone. */
static int read_meta(struct swt_sampler *s, int32_t pid, struct cand_info *ci,
		     bool *zombie)
{
	struct swt_procfs_stat st;
	struct stat fs;
	char rel[64];
	ssize_t len;
	int fd;

	rel_path(rel, sizeof(rel), pid, 0, "stat");
	fd = openat(s->proc_fd, rel, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = pread(fd, s->buf, sizeof(s->buf) - 1, 0);
	if (len <= 0 || swt_procfs_parse_stat(&st, s->buf, (size_t)len) < 0 ||
	    fstat(fd, &fs) < 0) {
		close(fd);
		return -1;
	}
	ci->fd = fd;
	memset(&ci->m, 0, sizeof(ci->m));
	ci->m.pid = pid;
	ci->m.ppid = st.ppid;
	ci->m.start_ticks = st.start_ticks;
	ci->m.uid = (uint32_t)fs.st_uid;
	copy_comm(ci->m.comm, sizeof(ci->m.comm), st.comm, st.comm_len);
	*zombie = is_gone_state(&st);
	return 0;
}

/* Take a kept descriptor into the budget, or close it. */
static int keep_fd(struct swt_sampler *s, int fd)
{
	if (s->stats.kept_fds < s->max_kept) {
		s->stats.kept_fds++;
		kept_mark(s, fd, true);
		return fd;
	}
	close(fd);
	return -1;
}

/* opts.libproc2_scans: the metadata of the candidates cands[from..to)
 * (at most PROC2_SELECT_MAX) through one procps_pids_select(), appended
 * to s->metas. Pids that have gone are not in its answer. Returns 0, or -1
 * if libproc2 failed (cand_meta() reads those candidates itself). */
static int proc2_select(struct swt_sampler *s,
			const struct swt_tracker_cand *cands, size_t from,
			size_t to)
{
	unsigned pids[PROC2_SELECT_MAX];
	struct pids_fetch *f;
	size_t i;
	int j;

	for (i = from; i < to; i++)
		pids[i - from] = (unsigned)cands[i].pid;
	f = s->p2.pids_select(s->p2_info, pids, (int)(to - from),
			      PIDS_SELECT_PID);
	if (!f)
		return -1;
	s->stats.libproc2_selects++;
	for (j = 0; j < f->counts->total; j++) {
		struct pids_stack *st = f->stacks[j];
		struct meta *m;
		char state;

		s->metas = swt_grow(s->metas, &s->cap_metas, s->n_metas + 1,
				    sizeof(s->metas[0]));
		m = &s->metas[s->n_metas++];
		take_meta(m, st);
		state = PIDS_VAL(MI_STATE, s_ch, st, NULL);
		/* as is_gone_state() */
		m->zombie = (state == 'Z' || state == 'X') &&
			    PIDS_VAL(MI_NLWP, s_int, st, NULL) <= 1;
	}
	return 0;
}

/* The metadata of `pid` into *ci: from libproc2's answer (ci->fd -1), or
 * else from its stat (ci->fd open: a pid libproc2 did not answer for has
 * most likely gone, which costs a failed open; a failed select costs the
 * reads it would have made). 0, or -1 if it has gone. */
static int cand_meta(struct swt_sampler *s, int32_t pid, struct cand_info *ci,
		     bool *zombie)
{
	const struct meta *m = s->p2_info ? find_meta(s, pid) : NULL;

	if (!m)
		return read_meta(s, pid, ci, zombie);
	ci->fd = -1;
	ci->m = *m;
	*zombie = m->zombie;
	return 0;
}

/* swt_sampler__scan_list() for a listing of the pids from..to. */
static size_t scan_list_range(struct swt_sampler *s,
			      const struct swt_tracker_entry *list, size_t n,
			      int32_t from, int32_t to)
{
	struct swt_tracker_cand *cands;
	size_t n_cands, i, k = 0, joined = 0;
	int64_t t0;

	n_cands = swt_tracker_scan_range(s->tracker, &cands, list, n, from,
					 to);
	if (!n_cands)
		return 0;
	s->stats.cand_reads += n_cands;
	s->cinfo = swt_grow(s->cinfo, &s->cap_cinfo, n_cands,
			    sizeof(s->cinfo[0]));
	if (s->p2_info) {
		/* libproc2 reads the metadata, PROC2_SELECT_MAX pids a
		 * call (cand_meta() takes it from s->metas). */
		s->n_metas = 0;
		for (i = 0; i < n_cands; i += PROC2_SELECT_MAX)
			proc2_select(s, cands, i,
				     i + PROC2_SELECT_MAX < n_cands ?
					     i + PROC2_SELECT_MAX :
					     n_cands);
		if (s->n_metas > 1)
			qsort(s->metas, s->n_metas, sizeof(s->metas[0]),
			      cmp_meta);
	}
	/* Read each candidate's stat for its parent (and its metadata: the
	 * same line has ppid, start time and comm; the owner of the file is
	 * the process's uid). Keep the descriptor of those that join. */
	for (i = 0; i < n_cands; i++) {
		bool zombie;

		if (cand_meta(s, cands[i].pid, &s->cinfo[k], &zombie) < 0)
			continue;	/* gone between listing and read */
		cands[k] = cands[i];
		cands[k].ppid = zombie ? -1 : s->cinfo[k].m.ppid;
		k++;
	}
	n_cands = k;
	swt_tracker_decide(s->tracker, cands, n_cands);
	for (i = k = 0; i < n_cands; i++) {
		if (cands[i].track) {
			k++;
		} else if (s->cinfo[i].fd >= 0) {
			close(s->cinfo[i].fd);
			s->cinfo[i].fd = -1;
		}
	}
	if (!k)
		return 0;
	/* The first reads of those that join, measured: what finding a
	 * process in /proc costs past the listing (its first sample: its
	 * stat, read above, then command line, program, status and io),
	 * which an exiting process's accounting is compared with. */
	t0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	for (i = 0; i < n_cands; i++) {
		struct proc_ent *e = NULL;
		int fd = s->cinfo[i].fd;

		if (!cands[i].track)
			continue;
		/* Without a descriptor (libproc2 read the metadata), the
		 * first read opens and keeps one; either way that read
		 * checks the start time, so a pid reused since is not
		 * taken for the process that was listed. */
		if (fd >= 0)
			fd = keep_fd(s, fd);
		e = add_proc(s, &s->cinfo[i].m, fd, s->preexisting);
		if (e) {
			push_born(s, e);
			joined++;
		} else {
			swt_tracker_forget(s->tracker, cands[i].pid);
		}
	}
	/* (over the attempts: one that found its process gone costs less, so
	 * the figure leans low) */
	s->stats.first_reads += k;
	cpu_since(&s->stats.first_read_ns, t0);
	return joined;
}

/* Later ticks: find the processes that joined the tree since the last
 * enumeration. */
size_t swt_sampler__scan_list(struct swt_sampler *s,
			      const struct swt_tracker_entry *list, size_t n)
{
	return scan_list_range(s, list, n, 0, INT32_MAX);
}

/* Later ticks, when the fork counter moved: find the processes that
 * joined the tree. The kernel hands out pids in increasing order, wrapping
 * at pid_max, and ns_last_pid is the last one: the processes new since the
 * last listing have the pids after the ns_last_pid read then, up to the
 * one read now, and only those are listed (a tree that forks at every
 * tick would otherwise cost a listing of the whole machine per tick).
 * Pids handed out meanwhile come after the range and go to the next one.
 * The whole of /proc is listed when that cannot be used (no ns_last_pid,
 * offsets not understood), when pids have wrapped around, when the fork
 * counter moved but ns_last_pid did not (forks in other pid namespaces, or
 * ns_last_pid written back, as checkpoint/restore tools and swrec's tests
 * do to have a pid reused), and every refresh_every ticks, which forgets
 * the processes outside the tree that have exited. */
static void scan(struct swt_sampler *s)
{
	int32_t last = last_pid(s);
	size_t n;

	s->stats.scans++;
	if (last < 0 || !s->win_ok || s->tgid_off <= 0 ||
	    last <= s->win_last ||
	    s->tick_no - s->full_tick >= s->refresh_every) {
		n = list_proc(s, 0, INT32_MAX);
		swt_sampler__scan_list(s, s->list, n);
		s->full_tick = s->tick_no;
	} else {
		s->stats.partial_scans++;
		n = list_proc(s, s->win_last + 1, last);
		scan_list_range(s, s->list, n, s->win_last + 1, last);
	}
	s->win_last = last;
	s->win_ok = last >= 0;
}

static int cmp_ent(const void *a, const void *b)
{
	const struct proc_ent *x = *(const struct proc_ent *const *)a;
	const struct proc_ent *y = *(const struct proc_ent *const *)b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static struct proc_ent *find_proc(const struct swt_sampler *s, int32_t pid);

void swt_sampler_note_zombie(struct swt_sampler *s, int32_t pid)
{
	struct proc_ent *e = find_proc(s, pid);
	struct swt_procfs_stat st;
	ssize_t n;

	if (!e)
		return;
	n = kread(s, &e->fd_stat, e->pid, 0, "stat");
	if (n > 0 && swt_procfs_parse_stat(&st, s->buf, (size_t)n) == 0 &&
	    st.start_ticks == e->start_ticks && is_gone_state(&st))
		take_final(s, e, &st);
}

static int64_t us_to_ticks(const struct swt_sampler *s, uint64_t us)
{
	uint64_t t = us / 1000000u * (uint64_t)s->clk_tck +
		     us % 1000000u * (uint64_t)s->clk_tck / 1000000u;

	return t > INT64_MAX ? INT64_MAX : (int64_t)t;
}

void swt_sampler_note_acct(struct swt_sampler *s,
			   const struct swt_exit_stats *x)
{
	s->acct = swt_grow(s->acct, &s->cap_acct, s->n_acct + 1,
			   sizeof(*s->acct));
	s->acct[s->n_acct++] = *x;
}

void swt_sampler_note_thread_exit(struct swt_sampler *s,
				  const struct swt_thread_exit *x)
{
	if (!s->opts.threads)
		return;
	if (x->last || x->tid == x->tgid) {
		/* the last thread, or the leader leaving before it (a
		 * leader leaving early stays a zombie row): for its
		 * process's exit record (emit_exit()), when it is written
		 * with thread rows or has had more than one thread (the
		 * last threads of every process of the machine come here,
		 * most of them its only one) */
		const struct proc_ent *e = find_proc(s, x->tgid);
		size_t i;

		if (!e)
			return;
		for (i = 0; x->last && !e->in_trows && i < s->n_texits; i++)
			if (s->texits[i].x.tgid == x->tgid)
				break;
		if (x->last && !e->in_trows && i == s->n_texits)
			return;
	} else if (!x->comm[0]) {
		return;
	}
	s->texits = swt_grow(s->texits, &s->cap_texits, s->n_texits + 1,
			     sizeof(*s->texits));
	s->texits[s->n_texits].x = *x;
	s->texits[s->n_texits++].waited = 0;
}

/* Whether live process pid, the parent of a process that started at
 * child_start (ticks since boot), is in the recorded tree: tracked, or its
 * ancestors lead to a tracked one (a short-lived parent never sampled). A
 * process that started after the child holds a reused pid: not its
 * parent. A few stat reads, only for exits of processes never tracked. */
static bool in_tree(struct swt_sampler *s, int32_t pid, uint64_t child_start)
{
	int depth;

	for (depth = 0; depth < 64 && pid > 1; depth++) {
		struct swt_procfs_stat st;
		ssize_t n;
		int fd = -1;

		if (find_proc(s, pid))
			return true;
		n = kread(s, &fd, pid, 0, "stat");
		kclose(s, &fd);
		/* (+1: the child's start is estimated to a tick) */
		if (n <= 0 ||
		    swt_procfs_parse_stat(&st, s->buf, (size_t)n) < 0 ||
		    st.start_ticks > child_start + 1)
			return false;
		pid = st.ppid;
		child_start = st.start_ticks;
	}
	return false;
}

/* By pid, then in the order the records came (one pid can end twice in a
 * batch when pids are reused). */
static int cmp_acct_pid(const void *a, const void *b)
{
	const struct swt_exit_stats *x = *(const struct swt_exit_stats *const *)a;
	const struct swt_exit_stats *y = *(const struct swt_exit_stats *const *)b;

	if (x->pid != y->pid)
		return (x->pid > y->pid) - (x->pid < y->pid);
	return (x > y) - (x < y);
}

/* The exit record of the parent pid of record child in this batch, or
 * NULL: a record of that pid that came after the child's (a parent
 * outlives the child whose exit names it; an earlier one is another
 * process that held the pid). Binary search in s->acct_by_pid: a fork
 * storm's batch is large. */
static const struct swt_exit_stats *
acct_parent(const struct swt_sampler *s, int32_t pid,
	    const struct swt_exit_stats *child)
{
	size_t lo = 0, hi = s->n_acct;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->acct_by_pid[mid]->pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < s->n_acct && s->acct_by_pid[lo]->pid == pid; lo++)
		if (s->acct_by_pid[lo] > child)
			return s->acct_by_pid[lo];
	return NULL;
}

/* Whether the process of record x (started at x_start) is in the tree:
 * its parent is tracked, or is a process of this batch whose parent is
 * (a chain of short-lived processes, sh -> cc -> cc1, exits child
 * first), or a live process whose ancestors lead to one. */
static bool acct_in_tree(struct swt_sampler *s,
			 const struct swt_exit_stats *x, uint64_t x_start,
			 uint64_t up)
{
	int depth;

	for (depth = 0; depth < 64 && x->ppid > 1; depth++) {
		const struct swt_exit_stats *p;

		if (find_proc(s, x->ppid))
			return true;
		p = acct_parent(s, x->ppid, x);
		if (!p)
			return in_tree(s, x->ppid, x_start);
		x = p;
		x_start = (uint64_t)us_to_ticks(
			s, up > x->etime_us ? up - x->etime_us : 0);
	}
	return false;
}

/* Unseen processes written per tick at most: opts.max_unseen_per_s
 * (a fork storm of 10 000 a second would otherwise write 1 MB a second
 * of records) times the interval. The rest are dropped whole, each with
 * the processes it forked in the same tick, and counted; their CPU still
 * reaches the file through their parents' cutime and cstime (the
 * analysis's "reaped children"). */
static size_t unseen_bound(const struct swt_sampler *s)
{
	int64_t iv = s->opts.interval_ns > 0 ? s->opts.interval_ns :
					       1000000000;
	uint64_t per_s = s->opts.max_unseen_per_s ?
				 s->opts.max_unseen_per_s :
				 SWT_SAMPLER_MAX_UNSEEN_PER_S;
	uint64_t n;

	if (per_s == UINT64_MAX)
		return SIZE_MAX;
	n = per_s > UINT64_MAX / (uint64_t)iv ?
		    UINT64_MAX :
		    per_s * (uint64_t)iv / 1000000000u;
	return n < 1 ? 1 : n > SIZE_MAX ? SIZE_MAX : (size_t)n;
}

/* Past the bound, drop whole trees: a process is kept when its parent
 * (an unseen process of this batch) is, and a process whose parent is
 * not unseen starts a tree that is kept while the bound allows. Parents
 * come after their children in the batch: decided backwards. (A child
 * kept without its parent's record would have its CPU counted twice:
 * once from its record, once in the parents' cutime.) */
static void bound_unseen(struct swt_sampler *s)
{
	size_t bound = unseen_bound(s), kept = 0, i;

	if (s->n_unseen <= bound)
		return;
	for (i = s->n_unseen; i-- > 0;) {
		struct unseen *u = &s->unseen[i];
		const struct swt_exit_stats *p =
			acct_parent(s, u->x.ppid, &s->acct[u->acct_i]);

		if (p && s->acct_unseen[p - s->acct] != UINT32_MAX) {
			u->drop = s->unseen[s->acct_unseen[p - s->acct]].drop;
		} else {
			u->drop = kept >= bound;
		}
		if (!u->drop)
			kept++;
	}
}

/* This tick's gone process pid (set aside by its reading), or NULL. */
static struct proc_ent *find_gone(const struct swt_sampler *s, int32_t pid)
{
	size_t i;

	for (i = 0; i < s->n_gone; i++)
		if (s->gone[i]->pid == pid)
			return s->gone[i];
	return NULL;
}

/* A process of the sampler's with its exit record x: if it exec'd since
 * its last row (a process event says so; its row still has the program
 * it ran before: a compiler driver's child that ran cc1 and exited
 * between two samples), it is announced again with the program it ran
 * (its command line and executable from the exec, its name from the exit
 * record), before its exit, as a row with a new comm would have it. */
static void take_exec(struct swt_sampler *s, struct proc_ent *e,
		      const struct swt_exit_stats *x)
{
	const struct swt_newproc *xp =
		swt_procconn_exec_of(s->opts.conn, e->pid);
	size_t len = strnlen(x->comm, sizeof(x->comm));

	if (!xp)
		return;
	if (xp->cmdline ? xp->cmdline_len != e->cmdline_len ||
				  memcmp(xp->cmdline, e->cmdline,
					 e->cmdline_len) != 0
			: !same_comm(e->comm, sizeof(e->comm), x->comm, len)) {
		free(e->cmdline);
		e->cmdline = xp->cmdline ? swt_strndup(xp->cmdline,
						       xp->cmdline_len)
					 : NULL;
		e->cmdline_len = xp->cmdline ? xp->cmdline_len : 0;
		free(e->exe);
		e->exe = xp->exe ? swt_strdup(xp->exe) : NULL;
		copy_comm(e->comm, sizeof(e->comm), x->comm, len);
		e->cmd_wait = 0;
		e->announce = true;
	}
	swt_procconn_forget(s->opts.conn, xp);
}

/* The exit records since the last tick, before the tick looks at the
 * tracked processes (first), and again those that came while it read the
 * rows: a tracked process's record goes with its exit (a process found
 * gone by this tick's reading: with this tick's exit), a process of the
 * tree that was never tracked becomes an unseen one. The records stay
 * until the tick's first take of the next tick (the second take's
 * children and parents are looked for among them all). */
static void take_acct(struct swt_sampler *s, bool first)
{
	struct timespec now, mono;
	uint64_t up;
	int64_t boot_off;
	size_t i, j, k, from;

	if (first) {
		/* (the last tick's records go; those noted since stay) */
		if (s->acct_done) {
			memmove(s->acct, s->acct + s->acct_done,
				(s->n_acct - s->acct_done) * sizeof(*s->acct));
			s->n_acct -= s->acct_done;
			s->acct_done = 0;
		}
		s->acct_mono_ns[1] = s->acct_mono_ns[0];
	}
	/* (the records of processes that exited before this were taken) */
	s->acct_mono_ns[0] = clock_ns(CLOCK_MONOTONIC);
	from = s->acct_done;
	if (from == s->n_acct)
		return;
	s->acct_by_pid = swt_grow(s->acct_by_pid, &s->cap_acct_by_pid,
				  s->n_acct, sizeof(*s->acct_by_pid));
	s->acct_unseen = swt_grow(s->acct_unseen, &s->cap_acct_unseen,
				  s->n_acct, sizeof(*s->acct_unseen));
	for (i = 0; i < s->n_acct; i++) {
		s->acct_by_pid[i] = &s->acct[i];
		if (i >= from)
			s->acct_unseen[i] = UINT32_MAX;
	}
	qsort(s->acct_by_pid, s->n_acct, sizeof(*s->acct_by_pid),
	      cmp_acct_pid);
	clock_gettime(CLOCK_BOOTTIME, &now);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	up = (uint64_t)now.tv_sec * 1000000u + (uint64_t)now.tv_nsec / 1000u;
	/* the events' stamps are CLOCK_MONOTONIC, /proc's starts boot time */
	boot_off = ((int64_t)now.tv_sec - (int64_t)mono.tv_sec) * 1000000000 +
		   (now.tv_nsec - mono.tv_nsec);
	for (i = from; i < s->n_acct; i++) {
		const struct swt_exit_stats *x = &s->acct[i];
		struct proc_ent *e = find_proc(s, x->pid);
		const struct swt_newproc *np = NULL;
		struct unseen *u;
		uint64_t start;
		bool written = false;

		if (s->opts.conn)
			np = swt_procconn_find(s->opts.conn, x->pid,
					       x->etime_us);
		if (!e)
			e = find_gone(s, x->pid);
		if (e) {
			e->has_acct = true;
			e->acct = *x;
			if (np)
				swt_procconn_forget(s->opts.conn, np);
			if (s->opts.conn)
				take_exec(s, e, x);
			continue;
		}
		for (j = 0; j < 2; j++)
			for (k = 0; k < s->n_gone_pids[j]; k++)
				if (s->gone_pids[j][k] == x->pid)
					written = true;
		if (np && np->fork_ns + boot_off > 0) {
			/* its fork, exactly */
			start = (uint64_t)us_to_ticks(
				s, (uint64_t)(np->fork_ns + boot_off) / 1000u);
		} else {
			/* /proc's start time (ticks since boot), from the
			 * time it ran */
			start = (uint64_t)us_to_ticks(
				s, up > x->etime_us ? up - x->etime_us : 0);
		}
		/* a process with fork events is of the tree: its parent
		 * was, when it forked (even if it exited since, or the
		 * process was reparented) */
		if (written || x->pid == s->self_pid ||
		    (s->opts.mode != SWT_MODE_ALL && !np &&
		     !acct_in_tree(s, x, start, up))) {
			if (np)
				swt_procconn_forget(s->opts.conn, np);
			continue;
		}
		s->unseen = swt_grow(s->unseen, &s->cap_unseen,
				     s->n_unseen + 1, sizeof(*s->unseen));
		s->acct_unseen[i] = (uint32_t)s->n_unseen;
		u = &s->unseen[s->n_unseen++];
		u->x = *x;
		u->start_ticks = start;
		u->np = np;
		u->drop = false;
		u->acct_i = (uint32_t)i;
	}
	bound_unseen(s);
	s->acct_done = s->n_acct;
}

/* A process this tick's scan found that has an exit record of this tick:
 * the zombie of a process that lived between two samples, which its
 * parent had not reaped yet. Its unseen records (start, exit with its
 * counters) stand for it: tracked as well, it would be written twice (and
 * end, one tick later, with no counters). The pid cannot have been
 * reused by then: a zombie holds it. */
static void drop_born_unseen(struct swt_sampler *s)
{
	size_t i, j, k = 0;

	for (i = 0; i < s->n_born; i++) {
		struct proc_ent *e = s->born[i];
		bool dup = false;

		for (j = 0; j < s->n_unseen && !dup; j++)
			dup = s->unseen[j].x.pid == e->pid &&
			      e->start_ticks <= s->unseen[j].start_ticks +
							(uint64_t)s->clk_tck;
		if (!dup) {
			s->born[k++] = e;
			continue;
		}
		swt_tracker_forget(s->tracker, e->pid);
		if (s->opts.bpf)
			swt_sampler_bpf_track(s->opts.bpf, e->pid, false);
		free_ent(s, e);
		s->stats.born_unseen++;
	}
	s->n_born = k;
}

/* swt_procconn_tree_fn: a fork by a tracked process, or the launch or
 * attach roots', or any with -a. */
static bool conn_in_tree(int32_t parent, int32_t child, void *payload)
{
	struct swt_sampler *s = payload;
	size_t i;

	if (s->opts.mode == SWT_MODE_ALL)
		return child != s->self_pid;
	if (parent != s->self_pid && find_proc(s, parent))
		return true;
	for (i = 0; i < s->opts.n_roots; i++)
		if (s->roots[i] == child || s->roots[i] == parent)
			return true;
	return false;
}

static bool conn_tracked(int32_t pid, void *payload)
{
	return find_proc(payload, pid) != NULL;
}

void swt_sampler_exclude(struct swt_sampler *s, int32_t pid, bool on)
{
	if (s->opts.mode != SWT_MODE_ALL)
		swt_tracker_never(s->tracker, pid, on);
}

void swt_sampler_add_exit_cpu(struct swt_sampler *s, int64_t ns)
{
	if (ns > 0)
		s->stats.exit_cpu_ns += (uint64_t)ns;
}

/* The calling thread's CPU since t0 (CLOCK_THREAD_CPUTIME_ID), to the
 * cost of exit accounting. */
static void exit_cpu_since(struct swt_sampler *s, int64_t t0)
{
	cpu_since(&s->stats.exit_cpu_ns, t0);
}

/* Whether the process events told every fork of the tree since the last
 * tick, and none: then no process can have joined it, and a listing of
 * /proc (which another session's forks would trigger) finds nothing. Not
 * when some were lost or not entered, when some still wait in the ring
 * (a read stopped at its bound, or they came since), nor with the proc
 * connector (whose socket cannot say it is empty without a system call). */
static bool tree_did_not_fork(struct swt_sampler *s)
{
	struct swt_procconn_stats ps;
	bool quiet;

	if (!s->opts.conn)
		return false;
	swt_procconn_get_stats(s->opts.conn, &ps);
	quiet = s->ev_have && ps.procs == s->ev_procs &&
		ps.overflows == s->ev_overflows &&
		ps.table_full == s->ev_table_full &&
		!swt_procconn_pending(s->opts.conn);
	s->ev_have = true;
	s->ev_procs = ps.procs;
	s->ev_overflows = ps.overflows;
	s->ev_table_full = ps.table_full;
	return quiet;
}

size_t swt_sampler_read_events(struct swt_sampler *s, size_t max)
{
	int64_t t0;
	size_t n;

	/* (the CPU clock is a system call, ≈ 1.5 us here: not read at a
	 * tick with nothing to do) */
	if (!s->opts.conn || !swt_procconn_pending(s->opts.conn))
		return 0;
	t0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	n = swt_procconn_read(s->opts.conn, max, conn_in_tree, s);
	exit_cpu_since(s, t0);
	return n;
}

void swt_sampler_note_exit(struct swt_sampler *s, int32_t pid, int wstatus)
{
	s->noted = swt_grow(s->noted, &s->cap_noted, s->n_noted + 1,
			    sizeof(s->noted[0]));
	s->noted[s->n_noted].pid = pid;
	s->noted[s->n_noted].wstatus = wstatus;
	s->n_noted++;
}

static void set_acct(struct swt_proc_exit *x, const struct swt_exit_stats *a)
{
	x->has_acct = true;
	x->utime_us = a->utime_us;
	x->stime_us = a->stime_us;
	x->hiwater_rss_kib = a->hiwater_rss_kib;
	x->read_bytes = a->read_bytes;
	x->write_bytes = a->write_bytes;
	x->nvcsw = a->nvcsw;
	x->nivcsw = a->nivcsw;
}

/* The processes of the tree that exited unseen since the last tick:
 * their starts first (parents before their children), then their exits
 * in the order they came (children before their parents), so that each
 * exit finds its unseen parent announced. They come before the tick's
 * other records: their pids may already be a new process's. */
static int emit_unseen(struct swt_sampler *s, int64_t t,
		       swt_sampler_emit_fn emit, void *payload)
{
	struct swt_record rec;
	size_t i;
	int err = 0;

	/* starts backwards: a parent (it exits after its children) before
	 * its children, as they began */
	for (i = s->n_unseen; i-- > 0;) {
		const struct unseen *u = &s->unseen[i];
		const struct swt_newproc *np = u->np;
		struct swt_proc_start *p = &rec.u.proc_start;

		if (u->drop)
			continue;
		memset(&rec, 0, sizeof(rec));
		rec.kind = SWT_REC_PROC_START;
		rec.t_ns = t;
		p->pid = u->x.pid;
		p->ppid = u->x.ppid;
		p->start_ticks = u->start_ticks;
		p->exits_at_once = true;	/* (its exit, below, at t) */
		/* Attached (-p, -a): one that started before the recording
		 * (its start taken from its elapsed time is, if anything,
		 * later than it was) is an old process, whose CPU before
		 * the session its exit record holds too: no base to count
		 * from (a job of hours that ended during the first scan
		 * read as hours of CPU in the session's first second). */
		p->preexisting = s->opts.mode != SWT_MODE_LAUNCH &&
				 u->start_ticks < s->start_boot_ticks;
		/* the name it had when it exited; its command line and
		 * program as read at its exec (fork events) */
		p->comm = u->x.comm;
		p->cmdline = np && np->cmdline ? np->cmdline : "";
		p->cmdline_len = np && np->cmdline ? np->cmdline_len : 0;
		p->exe = np ? np->exe : NULL;
		if (np && !np->exec_ns && !np->cmdline) {
			/* it never exec'd: its tracked parent's program,
			 * unless the parent has exec'd since the fork (its
			 * name is no longer the child's: a shell's subshell
			 * whose shell then exec'd python3 ran the shell) */
			const struct proc_ent *pe = find_proc(s, np->ppid);
			size_t g;

			for (g = 0; !pe && g < s->n_gone; g++)
				if (s->gone[g]->pid == np->ppid)
					pe = s->gone[g];

			if (pe && pe->cmdline &&
			    strncmp(pe->comm, u->x.comm, sizeof(pe->comm)) ==
				    0) {
				p->cmdline = pe->cmdline;
				p->cmdline_len = pe->cmdline_len;
				p->exe = pe->exe;
			}
		}
		s->stats.procs_started++;
		SWT_TRY(err = emit(&rec, payload));
	}
	for (i = 0; i < s->n_unseen; i++) {
		const struct unseen *u = &s->unseen[i];
		struct swt_proc_exit *x = &rec.u.proc_exit;

		if (u->drop) {
			s->stats.unseen_dropped++;
			continue;
		}
		memset(&rec, 0, sizeof(rec));
		rec.kind = SWT_REC_PROC_EXIT;
		rec.t_ns = t;
		x->pid = u->x.pid;
		x->start_ticks = u->start_ticks;
		x->has_final = true;
		x->utime = us_to_ticks(s, u->x.utime_us);
		x->stime = us_to_ticks(s, u->x.stime_us);
		set_acct(x, &u->x);
		s->stats.procs_exited++;
		s->stats.unseen_exits++;
		SWT_TRY(err = emit(&rec, payload));
	}
out:
	for (i = 0; i < s->n_unseen; i++)
		if (s->unseen[i].np)
			swt_procconn_forget(s->opts.conn, s->unseen[i].np);
	s->n_unseen = 0;
	return err;
}

/* The threads of process e that ended since the last sample (s->texits:
 * those that exited with it, its last one among them), taken out of the
 * list for its exit record x (format 1.10), by tid, one each: each one's
 * CPU since its last row reaches its thread module, as the process's own
 * reaches its process module. For a process written with thread rows, or
 * one of several threads never written with them (a multi-threaded
 * command shorter than a sampling interval: its threads' modules come
 * from their ends alone). */
static void take_thread_ends(struct swt_sampler *s, const struct proc_ent *e,
			     struct swt_proc_exit *x)
{
	size_t i, keep = 0, n = 0;

	for (i = 0; i < s->n_texits; i++) {
		const struct swt_thread_exit *te = &s->texits[i].x;

		if (te->tgid != e->pid) {
			s->texits[keep++] = s->texits[i];
			continue;
		}
		s->tends = swt_grow(s->tends, &s->cap_tends, n + 1,
				    sizeof(*s->tends));
		s->tend_names = swt_grow(s->tend_names, &s->cap_tend_names,
					 n + 1, sizeof(*s->tend_names));
		memcpy(s->tend_names[n], te->comm, sizeof(te->comm));
		s->tend_names[n][sizeof(te->comm) - 1] = '\0';
		s->tends[n].tid = te->tid;
		s->tends[n].utime_us = te->utime_us;
		s->tends[n].stime_us = te->stime_us;
		n++;
	}
	s->n_texits = keep;
	if (!n)
		return;
	/* (the names once they stay where they are) */
	for (i = 0; i < n; i++)
		s->tends[i].name = s->tend_names[i];
	/* by tid, in the order they came where a tid is there twice (its
	 * id taken again by a thread that ended too): the later one stays,
	 * the one a row saw last */
	for (i = 1; i < n; i++) {
		struct swt_thread_end v = s->tends[i];
		size_t j = i;

		for (; j > 0 && s->tends[j - 1].tid > v.tid; j--)
			s->tends[j] = s->tends[j - 1];
		s->tends[j] = v;
	}
	for (i = 1, keep = 1; i < n; i++) {
		if (s->tends[i].tid == s->tends[keep - 1].tid)
			s->tends[keep - 1] = s->tends[i];
		else
			s->tends[keep++] = s->tends[i];
	}
	if (keep < 2 && !e->in_trows)
		return;	/* (one thread: the process, no thread module) */
	x->threads = s->tends;
	x->n_threads = keep;
}

static int emit_exit(struct swt_sampler *s, struct proc_ent *e,
		     int64_t t, swt_sampler_emit_fn emit, void *payload)
{
	struct swt_record rec;
	struct swt_proc_exit *x = &rec.u.proc_exit;
	size_t i;

	memset(&rec, 0, sizeof(rec));
	rec.kind = SWT_REC_PROC_EXIT;
	rec.t_ns = t;
	x->pid = e->pid;
	x->start_ticks = e->start_ticks;
	if (e->has_final) {
		x->has_final = true;
		x->utime = e->fin[0];
		x->stime = e->fin[1];
		x->cutime = e->fin[2];
		x->cstime = e->fin[3];
	} else if (e->has_acct) {
		/* its children's CPU since its last row is not in the
		 * record: they have records of their own */
		x->has_final = true;
		x->utime = us_to_ticks(s, e->acct.utime_us);
		x->stime = us_to_ticks(s, e->acct.stime_us);
		x->cutime = e->row.cutime;
		x->cstime = e->row.cstime;
	}
	if (e->has_final_io) {
		x->has_final_io = true;
		x->final_read_bytes = e->fin_io[0];
		x->final_write_bytes = e->fin_io[1];
	}
	if (s->opts.net && swt_net_final(s->opts.net, e->pid, &e->net)) {
		x->has_final_net = true;
		x->final_net_tx = e->net.tx > 0 ? (uint64_t)e->net.tx : 0;
		x->final_net_rx = e->net.rx > 0 ? (uint64_t)e->net.rx : 0;
	}
	if (e->has_acct)
		set_acct(x, &e->acct);
	take_thread_ends(s, e, x);
	for (i = 0; i < s->n_noted; i++) {
		int st = s->noted[i].wstatus;

		if (s->noted[i].pid != e->pid)
			continue;
		x->has_status = true;
		if (WIFEXITED(st)) {
			x->exit_code = WEXITSTATUS(st);
		} else if (WIFSIGNALED(st)) {
			x->signal = WTERMSIG(st);
			x->core_dumped = WCOREDUMP(st) != 0;
		}
	}
	if (!x->has_status && s->opts.mode == SWT_MODE_LAUNCH &&
	    s->opts.n_roots && e->pid == s->roots[0]) {
		/* swrec's own child, killed during this tick after the
		 * tick's reap: a zombie it has not reaped yet. Its status
		 * without reaping it (the caller reaps it next, and notes a
		 * status for a process no longer tracked, which is
		 * dropped). */
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)e->pid, &si,
			   WEXITED | WNOHANG | WNOWAIT) == 0 &&
		    si.si_pid == e->pid) {
			x->has_status = true;
			if (si.si_code == CLD_EXITED) {
				x->exit_code = si.si_status;
			} else {
				x->signal = si.si_status;
				x->core_dumped = si.si_code == CLD_DUMPED;
			}
		}
	}
	s->stats.procs_exited++;
	return emit(&rec, payload);
}

/* exits_now: its exit record follows at the same time (swt_record.h,
 * exits_at_once) */
static int emit_start(struct swt_sampler *s, const struct proc_ent *e,
		      int64_t t, bool exits_now, swt_sampler_emit_fn emit,
		      void *payload)
{
	struct swt_record rec;
	struct swt_proc_start *p = &rec.u.proc_start;

	memset(&rec, 0, sizeof(rec));
	rec.kind = SWT_REC_PROC_START;
	rec.t_ns = t;
	p->pid = e->pid;
	p->ppid = e->ppid;
	p->start_ticks = e->start_ticks;
	p->comm = e->comm;
	p->cmdline = e->cmdline;
	p->cmdline_len = e->cmdline_len;
	p->uid = e->uid;
	p->preexisting = e->preexisting;
	p->exe = e->exe;
	p->exits_at_once = exits_now;
	s->stats.procs_started++;
	return emit(&rec, payload);
}

static int read_sys(struct swt_sampler *s, struct swt_procfs_sys *sys,
		    uint64_t *mem_total, uint64_t *mem_avail)
{
	ssize_t n = pread(s->sys_stat_fd, s->buf, sizeof(s->buf) - 1, 0);

	if (n <= 0 || swt_procfs_parse_sys(sys, s->buf, (size_t)n) < 0) {
		snprintf(s->errmsg, sizeof(s->errmsg),
			 "cannot read /proc/stat: %s",
			 n < 0 ? strerror(errno) : "unexpected format");
		return SWT_EIO;
	}
	n = pread(s->meminfo_fd, s->buf, sizeof(s->buf) - 1, 0);
	if (n <= 0 || swt_procfs_parse_meminfo(mem_total, mem_avail, s->buf,
					       (size_t)n) < 0) {
		snprintf(s->errmsg, sizeof(s->errmsg),
			 "cannot read /proc/meminfo: %s",
			 n < 0 ? strerror(errno) : "unexpected format");
		return SWT_EIO;
	}
	return 0;
}

/* The pressure stall totals into smp: all three files, or nothing (a
 * kernel without PSI, or one that turned it off). */
static void read_pressure(struct swt_sampler *s, struct swt_sample *smp)
{
	uint64_t v[6];
	int k;

	smp->has_pressure = false;
	for (k = 0; k < 3; k++) {
		ssize_t n;

		if (s->psi_fd[k] < 0)
			return;
		n = pread(s->psi_fd[k], s->buf, sizeof(s->buf) - 1, 0);
		if (n <= 0 || swt_procfs_parse_pressure(&v[2 * k],
							&v[2 * k + 1], s->buf,
							(size_t)n) < 0)
			return;
	}
	memcpy(smp->pressure_us, v, sizeof(v));
	smp->has_pressure = true;
}

static void self_usage(struct swt_sampler *s, uint64_t *cpu_ns,
		       uint64_t *rss_kib)
{
	struct timespec ts;
	uint64_t pages = 0;
	ssize_t n;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	*cpu_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	n = pread(s->self_statm_fd, s->buf, sizeof(s->buf) - 1, 0);
	if (n > 0)
		swt_procfs_parse_statm_rss(&pages, s->buf, (size_t)n);
	*rss_kib = pages * s->page_size / 1024;
}

static int cmp_trow(const void *a, const void *b)
{
	const struct swt_thread_row *x = a, *y = b;

	return (x->tid > y->tid) - (x->tid < y->tid);
}

/* The tracked process pid (s->procs is sorted by pid), or NULL. */
static struct proc_ent *find_proc(const struct swt_sampler *s, int32_t pid)
{
	size_t lo = 0, hi = s->n_procs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->procs[mid]->pid < pid)
			lo = mid + 1;
		else if (s->procs[mid]->pid > pid)
			hi = mid;
		else
			return s->procs[mid];
	}
	return NULL;
}

/* Thread tid of e (e->threads is sorted by tid), or NULL. */
static struct thread_ent *find_thread(const struct proc_ent *e, int32_t tid)
{
	size_t lo = 0, hi = e->n_threads;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (e->threads[mid].tid < tid)
			lo = mid + 1;
		else if (e->threads[mid].tid > tid)
			hi = mid;
		else
			return &e->threads[mid];
	}
	return NULL;
}

/* The thread rows of this tick, in tid order, built afresh: the threads
 * of processes interleave in tid order, so they are sorted (a few hundred
 * microseconds a tick with 2000 threads: done only when the set of rows
 * has changed). Each thread learns its slot. */
static void rebuild_trows(struct swt_sampler *s)
{
	size_t i, j, n = 0, k = 0;
	bool sorted = true;

	for (i = 0; i < s->n_procs; i++) {
		struct proc_ent *e = s->procs[i];

		e->in_trows = e->row_ok && e->multi;
		if (!e->in_trows)
			continue;
		s->trows = swt_grow(s->trows, &s->cap_trows,
				    n + e->n_threads + 1,
				    sizeof(s->trows[0]));
		for (j = 0; j < e->n_threads; j++) {
			struct swt_thread_row *r = &s->trows[n];

			r->tid = e->threads[j].tid;
			r->tgid = e->pid;
			r->name = e->threads[j].name;
			r->utime = e->threads[j].utime;
			r->stime = e->threads[j].stime;
			if (n && s->trows[n - 1].tid >= r->tid)
				sorted = false;
			n++;
		}
	}
	if (!sorted)
		qsort(s->trows, n, sizeof(s->trows[0]), cmp_trow);
	s->trows_dirty = false;
	for (i = 0; i < n; i++) {
		struct swt_thread_row r = s->trows[i];
		struct proc_ent *e = find_proc(s, r.tgid);
		struct thread_ent *t = find_thread(e, r.tid);

		if (k && s->trows[k - 1].tid == r.tid) {
			/* Two processes with the same thread id: the rows of
			 * one were repeated without a read (read_threads())
			 * and that thread has ended, its id taken by the
			 * other's. The one read later holds the live thread;
			 * the other lists its threads again next tick. */
			struct proc_ent *pe = find_proc(s, s->trows[k - 1].tgid);
			struct proc_ent *stale =
				pe->thr_tick < e->thr_tick ? pe : e;

			stale->rescan_threads = true;
			stale->thr_read = false;
			s->trows_dirty = true;
			s->stats.stale_thread_rows++;
			if (stale == e) {
				t->slot = UINT32_MAX;
				continue;
			}
			find_thread(pe, r.tid)->slot = UINT32_MAX;
			k--;
		}
		t->slot = (uint32_t)k;
		s->trows[k++] = r;
	}
	s->n_trows = k;
}

/* A process's CPU time in ns (schedstat's first field), -1 if unknown:
 * whether it ran at all since its descriptors were last listed (clock
 * ticks are too coarse: a connect() costs less than one). */
static int64_t run_ns(struct swt_sampler *s, struct proc_ent *e)
{
	ssize_t n;
	long long v;

	/* the BPF snapshot has it (all its threads', not only the
	 * leader's: a process whose other threads ran did run) */
	if (e->bpf_run_ns >= 0)
		return e->bpf_run_ns;
	n = kread(s, &e->fd_sched, e->pid, 0, "schedstat");
	if (n <= 0 || sscanf(s->buf, "%lld", &v) != 1 || v < 0)
		return -1;
	return (int64_t)v;
}

/* Whether this tick is a round of the network: every process's sockets
 * are read (about once a second). */
static bool net_round(const struct swt_sampler *s)
{
	int64_t every = s->opts.interval_ns > 0 ?
				INT64_C(1000000000) / s->opts.interval_ns :
				1;

	return s->opts.net &&
	       (s->tick_no - 1) % (uint64_t)(every > 1 ? every : 1) == 0;
}

/* Whether e's sockets are read at this row: at a round, or a process
 * started (or a new program) since the last one, which is read at its
 * first row (it may be gone by the next round). */
static bool net_now(const struct swt_sampler *s, const struct proc_ent *e,
		    bool round)
{
	return round || (s->opts.net && !e->net.unavailable &&
			 ((!e->preexisting && !e->net.read_once) ||
			  e->net_due));
}

/* The flag of a row whose sockets were not read this tick. */
static uint32_t net_flag(const struct proc_ent *e)
{
	return e->net.unavailable ? SWT_PF_NET_UNAVAILABLE :
				    SWT_PF_NET_NOT_SAMPLED;
}

/* The network of e's row this tick (round: the machine's socket table
 * was just read): its sockets if they are due, else a flag that says
 * they were not read. True if they were looked at (the row says so). */
static bool net_row(struct swt_sampler *s, struct proc_ent *e, bool round)
{
	struct swt_proc_row *r = &e->row;
	bool now = net_now(s, e, round);

	/* (a row that stood through a steady tick has that tick's network
	 * flag: the flags are made anew) */
	r->flags = e->row_flags;
	if (now &&
	    swt_net_read_proc(s->opts.net, e->pid, !e->preexisting,
			      run_ns(s, e), &e->net)) {
		e->net_due = false;
		r->net_tx = e->net.tx;
		r->net_rx = e->net.rx;
		r->socks_tcp = e->net.tcp;
		r->socks_udp = e->net.udp;
		r->socks_other = e->net.other;
	} else {
		r->flags |= net_flag(e);
	}
	return now;
}

/* e's sockets were read this tick, outside a round: the next steady
 * tick looks at it again (its row says they were read, unlike the
 * next tick's). */
static void renew(struct swt_sampler *s, const struct proc_ent *e)
{
	s->renew = swt_grow(s->renew, &s->cap_renew, s->n_renew + 1,
			    sizeof(s->renew[0]));
	s->renew[s->n_renew++] = e->pid;
}

/* The network of the tracked processes, about once a second (the
 * socket table is the machine's, and listing every descriptor of every
 * process each tick would cost more than the rest of a sample), and of
 * each process started in the session at its first row. */
static void read_net(struct swt_sampler *s, struct swt_sample *smp)
{
	bool round = net_round(s);
	size_t i;

	if (round && swt_net_refresh(s->opts.net) < 0)
		round = false;
	s->n_renew = 0;
	for (i = 0; i < s->n_procs; i++) {
		struct proc_ent *e = s->procs[i];

		prefetch_ent(s->procs, i, s->n_procs);
		if (!e->row_ok || !net_row(s, e, round))
			continue;
		if (round)
			s->net_read = true;	/* (all of them, likely) */
		else
			renew(s, e);
	}
	if (round) {
		swt_net_end_round(s->opts.net);
		(void)swt_net_devs(s->opts.net, &smp->netdevs,
				   &smp->n_netdevs);
	}
}

/* The rows keep their places (rebuild_trows()): e's threads' values
 * into theirs. */
static void refresh_trows(struct swt_sampler *s, const struct proc_ent *e)
{
	size_t j;

	for (j = 0; j < e->n_threads && e->in_trows; j++) {
		const struct thread_ent *t = &e->threads[j];
		struct swt_thread_row *r;

		if (t->slot == UINT32_MAX)
			continue;
		r = &s->trows[t->slot];
		r->name = t->name;
		r->utime = t->utime;
		r->stime = t->stime;
	}
}

/* The last rows of the threads that exited since the last sample
 * (s->texits), merged into the sample's thread rows smp->threads in tid
 * order: a thread of a tracked process written with thread rows, whose id
 * no live thread of the process has (else it waits a tick, once). A
 * process that lost a thread had more than one: it is written with them
 * from the next tick on. */
static void add_thread_exits(struct swt_sampler *s, struct swt_sample *smp)
{
	size_t i, n = 0, keep = 0, nt = smp->n_threads, a = 0, o = 0;
	struct swt_thread_row *d;
	char(*names)[TNAME_MAX];

	if (!s->n_texits)
		return;
	s->tx_cur ^= 1;
	s->tx_names[s->tx_cur] = swt_grow(s->tx_names[s->tx_cur],
					  &s->cap_tx_names[s->tx_cur],
					  s->n_texits, TNAME_MAX);
	names = s->tx_names[s->tx_cur];
	/* (the last rows after room for the merged ones) */
	s->trows_x = swt_grow(s->trows_x, &s->cap_trows_x,
			      nt + 2 * s->n_texits + 1, sizeof(*s->trows_x));
	d = s->trows_x + nt + s->n_texits;
	for (i = 0; i < s->n_texits; i++) {
		const struct swt_thread_exit *x = &s->texits[i].x;
		struct proc_ent *e = find_proc(s, x->tgid);
		uint64_t us;
		int64_t tot;

		if (!e || !e->row_ok)
			continue;	/* not of the tree, or gone */
		if (x->last || x->tid == x->tgid) {
			/* its process's exit record takes it, when the
			 * process is found gone (a tick later when its row
			 * was read before it ended) */
			if (!s->texits[i].waited++)
				s->texits[keep++] = s->texits[i];
			continue;
		}
		if (!e->multi) {
			e->multi = true;	/* (rows from the next tick) */
			s->trows_dirty = true;
			continue;
		}
		if (!e->in_trows)
			continue;
		if (find_thread(e, x->tid)) {
			/* (its row was read before it exited, or its id
			 * was taken again) */
			if (!s->texits[i].waited++)
				s->texits[keep++] = s->texits[i];
			continue;
		}
		memcpy(names[n], x->comm, sizeof(x->comm));
		names[n][sizeof(x->comm) - 1] = '\0';
		d[n].tid = x->tid;
		d[n].tgid = x->tgid;
		d[n].name = names[n];
		/* whole ticks, what is left of one carried to the process's
		 * next exited thread: each thread's ticks cut (a thread of
		 * 20 ms, two ticks, split 19.6 + 0.4 ms read one) lost a
		 * program of such threads a quarter of their CPU, and each
		 * rounded could add up to more than its process's */
		us = x->utime_us + x->stime_us + e->tx_rem_us;
		tot = us_to_ticks(s, us);
		e->tx_rem_us = us - (uint64_t)tot * 1000000u /
					    (uint64_t)s->clk_tck;
		d[n].stime = us_to_ticks(s, x->stime_us);
		if (d[n].stime > tot)
			d[n].stime = tot;
		d[n].utime = tot - d[n].stime;
		n++;
	}
	s->n_texits = keep;
	if (!n)
		return;
	/* by tid (few), one per tid, then merged with the live rows (whose
	 * threads none of them is) */
	qsort(d, n, sizeof(*d), cmp_trow);
	for (i = 0; i < n; i++) {
		while (a < nt && smp->threads[a].tid < d[i].tid)
			s->trows_x[o++] = smp->threads[a++];
		if ((a < nt && smp->threads[a].tid == d[i].tid) ||
		    (o && s->trows_x[o - 1].tid == d[i].tid))
			continue;
		s->trows_x[o++] = d[i];
	}
	while (a < nt)
		s->trows_x[o++] = smp->threads[a++];
	s->stats.thread_samples += o - nt;
	smp->threads = s->trows_x;
	smp->n_threads = o;
}

/* Rows of this tick into s->rows / s->trows. */
static void build_rows(struct swt_sampler *s, struct swt_sample *smp)
{
	size_t i, n = 0;
	bool tracked = true;

	s->rows = swt_grow(s->rows, &s->cap_rows, s->n_procs + 1,
			   sizeof(s->rows[0]));
	s->pids = swt_grow(s->pids, &s->cap_pids, s->n_procs + 1,
			   sizeof(s->pids[0]));
	for (i = 0; i < s->n_procs; i++) {
		struct proc_ent *e = s->procs[i];

		prefetch_ent(s->procs, i, s->n_procs);
		if (e->in_trows != (e->row_ok && e->multi && s->opts.threads))
			s->trows_dirty = true;
		if (e->row_ok)
			s->rows[n++] = e->row;
		s->pids[i] = e->pid;
		tracked = tracked && e->bpf_tracked;
	}
	/* the next tick may look at the processes that ran alone */
	s->rows_steady = s->opts.bpf && tracked && n == s->n_procs &&
			 !s->net_read;
	if (s->opts.threads) {
		if (s->trows_dirty)
			rebuild_trows(s);
		/* The rows keep their places: refresh their values. */
		for (i = 0; i < s->n_procs; i++) {
			prefetch_ent(s->procs, i, s->n_procs);
			refresh_trows(s, s->procs[i]);
		}
	}
	smp->n_procs = n;
	smp->procs = s->rows;
	smp->n_threads = s->n_trows;
	smp->threads = s->trows;
	s->stats.proc_samples += n;
	s->stats.thread_samples += s->n_trows;
}

/* Entry e has gone (read_proc() said so): out of the tables, into
 * s->gone. */
static void set_gone(struct swt_sampler *s, struct proc_ent *e)
{
	/* its thread rows go with it */
	if (e->in_trows)
		s->trows_dirty = true;
	swt_tracker_forget(s->tracker, e->pid);
	/* out of the BPF table now, not when the entry is freed: a process
	 * of this tick's scan may reuse the pid (add_proc() puts it back) */
	if (s->opts.bpf)
		swt_sampler_bpf_track(s->opts.bpf, e->pid, false);
	s->gone = swt_grow(s->gone, &s->cap_gone, s->n_gone + 1,
			   sizeof(s->gone[0]));
	s->gone[s->n_gone++] = e;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* The index of pid among the entries (s->pids, dense and ascending), or
 * SIZE_MAX. */
static size_t pid_index(const struct swt_sampler *s, int32_t pid)
{
	size_t lo = 0, hi = s->n_procs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->pids[mid] < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n_procs && s->pids[lo] == pid ? lo : SIZE_MAX;
}

/* Step 1 of a tick that looks at the processes of a partial snapshot
 * alone (s->rows_steady): each entry of one, and each whose sockets the
 * last tick read (s->renew), is read as the loop over all would read it,
 * in the same (pid) order; every other entry's row stands (read_proc()
 * would have kept it as it is). Their indexes go to s->visit. The
 * entries that have gone leave s->procs, and their rows and pids leave
 * theirs, in step (the indexes in s->visit follow): true if some did. */
static bool steady_read(struct swt_sampler *s)
{
	size_t n = swt_sampler_bpf_rows(s->opts.bpf), i, j, m = 0, r, w;

	s->visit = swt_grow(s->visit, &s->cap_visit, n + s->n_renew + 1,
			    sizeof(s->visit[0]));
	for (j = 0; j < n + s->n_renew; j++) {
		size_t at = pid_index(s, j < n ? swt_sampler_bpf_row_pid(
							 s->opts.bpf, j) :
						 s->renew[j - n]);

		if (at != SIZE_MAX)
			s->visit[m++] = (uint32_t)at;
	}
	s->n_renew = 0;
	qsort(s->visit, m, sizeof(s->visit[0]), cmp_u32);
	for (i = 0, j = 0; i < m; i++)
		if (!j || s->visit[i] != s->visit[j - 1])
			s->visit[j++] = s->visit[i];
	m = j;
	s->n_visit = m;
	s->stats.bpf_kept += s->n_procs - m;
	s->stats.steady_ticks++;
	for (i = 0; i < m; i++) {
		struct proc_ent *e = s->procs[s->visit[i]];

		if (read_proc(s, e, slow_tick(s, e)) == 0) {
			set_gone(s, e);
			s->removed = swt_grow(s->removed, &s->cap_removed,
					      s->n_removed + 1,
					      sizeof(s->removed[0]));
			s->removed[s->n_removed++] = s->visit[i];
		}
	}
	if (!s->n_removed)
		return false;
	/* the entries that have gone leave, with their rows and pids (in
	 * blocks: usually few move, short-lived processes have the newest
	 * pids), and the indexes of those read follow */
	swt_array_drop(s->rows, sizeof(s->rows[0]), s->n_procs, s->removed,
		       s->n_removed);
	swt_array_drop(s->pids, sizeof(s->pids[0]), s->n_procs, s->removed,
		       s->n_removed);
	s->n_procs = swt_array_drop(s->procs, sizeof(s->procs[0]), s->n_procs,
				    s->removed, s->n_removed);
	for (i = 0, r = 0, w = 0; i < m; i++) {
		while (r < s->n_removed && s->removed[r] < s->visit[i])
			r++;
		if (r < s->n_removed && s->removed[r] == s->visit[i])
			continue;	/* gone */
		s->visit[w++] = (uint32_t)(s->visit[i] - r);
	}
	s->n_visit = w;
	return true;
}

/* The processes this tick's scan found (s->born) among the entries, in
 * pid order (their places: s->inserted). steady: s->rows and s->pids
 * follow (their first rows), and they join s->visit. */
static void insert_born(struct swt_sampler *s, bool steady)
{
	size_t nb = s->n_born, n = s->n_procs, j, v, w, k;

	qsort(s->born, nb, sizeof(s->born[0]), cmp_ent);
	s->procs = swt_grow(s->procs, &s->cap_procs, n + nb,
			    sizeof(s->procs[0]));
	s->inserted = swt_grow(s->inserted, &s->cap_inserted, nb + 1,
			       sizeof(s->inserted[0]));
	/* each one's place: past the entries of lower pids and the ones
	 * born before it (usually at the end: new pids are the highest,
	 * but for a wrap of the pid counter) */
	for (j = 0; j < nb; j++) {
		size_t lo = 0, hi = n;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if ((steady ? s->pids[mid] : s->procs[mid]->pid) <
			    s->born[j]->pid)
				lo = mid + 1;
			else
				hi = mid;
		}
		s->inserted[j] = (uint32_t)(lo + j);
	}
	s->n_inserted = nb;
	swt_array_open(s->procs, sizeof(s->procs[0]), n, s->inserted, nb);
	for (j = 0; j < nb; j++)
		s->procs[s->inserted[j]] = s->born[j];
	if (steady) {
		s->rows = swt_grow(s->rows, &s->cap_rows, n + nb + 1,
				   sizeof(s->rows[0]));
		s->pids = swt_grow(s->pids, &s->cap_pids, n + nb + 1,
				   sizeof(s->pids[0]));
		s->visit = swt_grow(s->visit, &s->cap_visit,
				    s->n_visit + nb + 1, sizeof(s->visit[0]));
		swt_array_open(s->rows, sizeof(s->rows[0]), n, s->inserted,
			       nb);
		swt_array_open(s->pids, sizeof(s->pids[0]), n, s->inserted,
			       nb);
		for (j = 0; j < nb; j++) {
			s->rows[s->inserted[j]] = s->born[j]->row;
			s->pids[s->inserted[j]] = s->born[j]->pid;
		}
		/* the indexes of the entries read move up by the born placed
		 * before them, and the born join them (from the end) */
		v = s->n_visit;
		w = v + nb;
		k = nb;
		while (v > 0 || k > 0) {
			if (k > 0 && (v == 0 || s->inserted[k - 1] - (k - 1) >
							s->visit[v - 1])) {
				s->visit[--w] = s->inserted[--k];
			} else {
				v--;
				s->visit[--w] = (uint32_t)(s->visit[v] + k);
			}
		}
		s->n_visit += nb;
	}
	s->n_procs = n + nb;
	s->n_born = 0;
}

/* The network of a steady tick (never a round): the entries it read
 * whose sockets are due have them read (and are looked at again next
 * tick, s->renew); the others' rows say they were not read, as the rows
 * that stand do. */
static void steady_net(struct swt_sampler *s)
{
	size_t i;

	s->n_renew = 0;
	for (i = 0; i < s->n_visit; i++) {
		struct proc_ent *e = s->procs[s->visit[i]];

		if (net_row(s, e, false))
			renew(s, e);
	}
}

/* The rows of a steady tick: those of the entries read this tick
 * replace theirs in s->rows (the others are as they were), and the
 * writer is told which (swt_sample.changed), and which rows went and
 * came (reshaped: swt_sample.removed, .inserted). */
static void steady_rows(struct swt_sampler *s, struct swt_sample *smp,
			bool reshaped)
{
	bool tracked = true;
	size_t i;

	for (i = 0; i < s->n_visit; i++) {
		const struct proc_ent *e = s->procs[s->visit[i]];

		if (e->in_trows != (e->multi && s->opts.threads))
			s->trows_dirty = true;
		tracked = tracked && e->bpf_tracked;
		s->rows[s->visit[i]] = e->row;
	}
	if (s->opts.threads && s->trows_dirty)
		rebuild_trows(s);
	for (i = 0; i < s->n_visit && s->opts.threads; i++)
		refresh_trows(s, s->procs[s->visit[i]]);
	smp->n_procs = s->n_procs;
	smp->procs = s->rows;
	smp->changed = s->visit;
	smp->n_changed = s->n_visit;
	smp->removed = s->removed;
	smp->n_removed = s->n_removed;
	smp->inserted = s->inserted;
	smp->n_inserted = s->n_inserted;
	smp->n_threads = s->n_trows;
	smp->threads = s->trows;
	s->stats.proc_samples += s->n_procs;
	s->stats.thread_samples += s->n_trows;
	s->stats.steady_reshaped += reshaped;
	s->rows_steady = tracked;
}

/* The process events and exit records that came since the last tick
 * (first, before the tick looks at the tracked processes), or while the
 * tick read the rows (take_acct()), in one measure of the exit accounting
 * (the thread's CPU clock is a system call, ≈ 1.5 us here: read only
 * around work that is there). The events first: the kernel sends a
 * process's exit event after its exit record, so every record taken has
 * its process's fork, exec and exit read by now. */
static void take_exits(struct swt_sampler *s, bool first)
{
	bool pending = s->opts.conn && swt_procconn_pending(s->opts.conn);
	int64_t c0 = pending || s->n_acct > s->acct_done ?
			     clock_ns(CLOCK_THREAD_CPUTIME_ID) :
			     0;
	size_t i;

	if (pending) {
		/* (reading may move the table of events: the entries of the
		 * unseen processes taken so far are held by their places) */
		for (i = 0; i < s->n_unseen; i++)
			if (s->unseen[i].np)
				s->unseen[i].np_ref = swt_procconn_ref(
					s->opts.conn, s->unseen[i].np);
		swt_procconn_read(s->opts.conn, SWT_SAMPLER_EVENTS_PER_TICK,
				  conn_in_tree, s);
		for (i = 0; i < s->n_unseen; i++)
			if (s->unseen[i].np)
				s->unseen[i].np = swt_procconn_at(
					s->opts.conn, s->unseen[i].np_ref);
	}
	if (!first)
		s->stats.late_exit_records += s->n_acct - s->acct_done;
	if (first || s->n_acct > s->acct_done)
		take_acct(s, first);
	if (c0)
		exit_cpu_since(s, c0);
}

/* The exit records that came while the tick read the rows, with the
 * process events that came with them, taken before its records are
 * written: a child that exited and was reaped in the meantime is in its
 * parent's cutime in this sample, so its start and exit must be in this
 * tick too, or the analysis counts its CPU a second time, as its parent's
 * (docs/analysis.md § 2.1). The kernel makes a process's exit record
 * before its parent can reap it: once the rows are read, the records of
 * every child their cutime holds are there to read. */
static void late_acct(struct swt_sampler *s, void *payload)
{
	/* (the caller measures its own reading, as it does before the
	 * tick) */
	if (s->opts.late_exits)
		s->opts.late_exits(payload);
	take_exits(s, false);
}

int swt_sampler_tick(struct swt_sampler *s, int64_t scheduled_ns,
		     swt_sampler_emit_fn emit, void *payload)
{
	struct swt_procfs_sys sys;
	struct swt_record rec;
	struct swt_sample *smp = &rec.u.sample;
	uint64_t mem_total = 0, mem_avail = 0;
	int64_t t = clock_ns(CLOCK_MONOTONIC), t_read, c_seen;
	size_t i, k = 0, n_seen = 0;
	bool sweep, born, steady, reshaped = false, read_all = true;
	int err;

	s->errmsg[0] = '\0';
	take_exits(s, true);
	/* sockets closed since the last tick, for the exits of this one */
	if (s->opts.net)
		swt_net_take_events(s->opts.net);
	SWT_TRY(err = read_sys(s, &sys, &mem_total, &mem_avail));
	s->tick_no++;
	s->stats.ticks++;
	/* the BPF backend: one snapshot of the counters for step 1 (a
	 * failed run reads /proc this tick, and counts) */
	if (s->opts.bpf) {
		/* every process every refresh period (what can move
		 * while a process sleeps: swt_sampler_bpf.h), else those
		 * that ran */
		s->bpf_tick = swt_sampler_bpf_run(s->opts.bpf,
						  s->bpf_full_next ||
							  s->tick_no %
								  s->refresh_every ==
								  0) == 0;
		s->bpf_full_next = false;
		s->bpf_partial = s->bpf_tick &&
				 swt_sampler_bpf_partial(s->opts.bpf);
		if (!s->bpf_tick)
			s->stats.bpf_failed_runs++;
	}

	/* 1. Read the tracked processes; set aside those that have gone, so
	 * that a new process reusing a pid is found by the scan below. From
	 * /proc, measured: the baseline of the exit accounting's cost. */
	t_read = !s->bpf_tick && s->n_procs ? clock_ns(CLOCK_THREAD_CPUTIME_ID)
					    : 0;
	if (t_read)
		s->stats.proc_reads += s->n_procs;
	steady = s->rows_steady && s->bpf_tick && s->bpf_partial &&
		 !net_round(s);
	s->rows_steady = false;
	s->net_read = false;
	s->n_visit = 0;
	s->n_removed = s->n_inserted = 0;
	if (steady) {
		read_all = false;
		reshaped = steady_read(s);
		k = s->n_procs;
	}
	for (i = 0; i < s->n_procs && read_all; i++) {
		struct proc_ent *e = s->procs[i];

		prefetch_ent(s->procs, i, s->n_procs);
		if (read_proc(s, e, slow_tick(s, e)) == 0)
			set_gone(s, e);
		else
			s->procs[k++] = e;
	}
	s->n_procs = k;
	s->bpf_tick = false;
	s->bpf_partial = false;
	if (t_read)
		cpu_since(&s->stats.proc_read_ns, t_read);

	/* 2. Find processes that joined: a fork is needed for that, so an
	 * unchanged fork counter spares the listing of /proc. */
	s->preexisting = s->first && s->opts.mode != SWT_MODE_LAUNCH;
	if (s->first) {
		SWT_TRY(err = initial_scan(s));
		/* the first rows are the scan's, read at its end: on a
		 * machine of 10 000 processes that is a quarter of a second
		 * after the tick began, and a launched command's CPU until
		 * then belongs before the first sample, not after it (its
		 * first interval, from the session's start, would hold a
		 * quarter of a second of CPU in a few milliseconds: a
		 * baseline only, and that CPU lost) */
		t = clock_ns(CLOCK_MONOTONIC);
		/* their run times, which the network's rounds want, come
		 * with a snapshot's rows: all of them next tick, not a
		 * schedstat read each per round until the first full one */
		s->bpf_full_next = true;
		(void)tree_did_not_fork(s);	/* the counts to compare */
	} else if (tree_did_not_fork(s) &&
		   s->tick_no - s->full_tick < s->refresh_every) {
		/* (the full listing every refresh_every ticks stays: a
		 * safety net) */
		if (sys.forks != s->last_forks)
			s->stats.scans_skipped++;
	} else if (sys.forks != s->last_forks) {
		scan(s);
	}
	s->first = false;
	s->preexisting = false;
	s->last_forks = sys.forks;
	drop_born_unseen(s);
	born = s->n_born > 0;
	if (born) {
		insert_born(s, steady);
		reshaped = true;
	}
	late_acct(s, payload);

	/* 3. Records: the processes that lived and died unseen since the
	 * last tick (first: a process of this tick's scan may have taken the
	 * pid of one of them), exits, starts, then the sample. */
	/* Then, in the same measure, the table of process events: the
	 * entries of processes now tracked, or whose exit record was lost
	 * (they exited before the last tick's records were taken), go. */
	err = 0;
	if (s->opts.before_records)
		s->opts.before_records(t, payload);
	sweep = s->opts.conn && swt_procconn_count(s->opts.conn);
	/* (one measure of the thread's CPU for both, the share of the
	 * records in it from the monotonic clock, which costs no system
	 * call) */
	if (s->n_unseen || sweep) {
		int64_t c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		int64_t m0 = clock_ns(CLOCK_MONOTONIC), m1 = m0, m2, d;

		if (s->n_unseen) {
			err = emit_unseen(s, t, emit, payload);
			m1 = clock_ns(CLOCK_MONOTONIC);
		}
		if (sweep)
			swt_procconn_sweep(s->opts.conn, s->acct_mono_ns[1],
					   conn_tracked, s);
		m2 = clock_ns(CLOCK_MONOTONIC);
		d = clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
		swt_sampler_add_exit_cpu(s, d);
		if (d > 0 && m1 > m0)
			s->stats.unseen_write_ns +=
				m2 > m1 ? (uint64_t)((double)d *
						     (double)(m1 - m0) /
						     (double)(m2 - m0))
					: (uint64_t)d;
	}
	if (err < 0)
		goto out;
	/* The records of sampled processes, measured where there are some
	 * (processes gone, or found, this tick): what an exiting process's
	 * records cost it when a sample saw it, the counterpart of
	 * unseen_write_ns. */
	c_seen = s->n_gone || born ? clock_ns(CLOCK_THREAD_CPUTIME_ID) : 0;
	for (i = 0; i < s->n_gone; i++) {
		/* gone while its start waited for a command line: what was
		 * known of it, then its end */
		if (s->gone[i]->announce) {
			SWT_TRY(err = emit_start(s, s->gone[i], t, true,
						 emit, payload));
			n_seen++;
		}
		SWT_TRY(err = emit_exit(s, s->gone[i], t, emit, payload));
		n_seen++;
	}
	/* (steady, only an entry read this tick can have a start due: one
	 * born, or a new program; one left without a row makes the rows
	 * anew) */
	for (i = 0; i < (steady ? s->n_visit : s->n_procs); i++) {
		struct proc_ent *e = s->procs[steady ? s->visit[i] : i];

		if (!steady)
			prefetch_ent(s->procs, i, s->n_procs);
		if (!e->announce || !e->row_ok)
			continue;
		if (!announce_ready(s, e)) {
			e->row_ok = false;	/* no row before its start */
			continue;
		}
		e->announce = false;
		SWT_TRY(err = emit_start(s, e, t, false, emit, payload));
		n_seen++;
	}
	for (i = 0; i < s->n_visit && steady; i++)
		if (!s->procs[s->visit[i]]->row_ok)
			steady = false;
	if (c_seen && n_seen) {
		s->stats.seen_records += n_seen;
		cpu_since(&s->stats.seen_write_ns, c_seen);
	}
	memset(&rec, 0, sizeof(rec));
	rec.kind = SWT_REC_SAMPLE;
	rec.t_ns = t;
	if (steady)
		steady_net(s);
	else
		read_net(s, smp);
	smp->scheduled_ns = scheduled_ns;
	smp->sys_busy_ticks = sys.busy_ticks;
	smp->sys_idle_ticks = sys.idle_ticks;
	smp->steal_ticks = sys.steal_ticks;
	read_pressure(s, smp);
	smp->mem_total_kib = mem_total;
	smp->mem_available_kib = mem_avail;
	if (steady)
		steady_rows(s, smp, reshaped);
	else
		build_rows(s, smp);
	add_thread_exits(s, smp);
	self_usage(s, &smp->recorder_cpu_ns, &smp->recorder_rss_kib);
	err = emit(&rec, payload);
out:
	/* the older list goes, this tick's exits come in */
	{
		int32_t *old = s->gone_pids[1];
		size_t old_cap = s->cap_gone_pids[1];

		s->gone_pids[1] = s->gone_pids[0];
		s->n_gone_pids[1] = s->n_gone_pids[0];
		s->cap_gone_pids[1] = s->cap_gone_pids[0];
		s->gone_pids[0] = old;
		s->cap_gone_pids[0] = old_cap;
		s->n_gone_pids[0] = 0;
	}
	for (i = 0; i < s->n_gone; i++) {
		s->gone_pids[0] = swt_grow(s->gone_pids[0],
					   &s->cap_gone_pids[0],
					   s->n_gone_pids[0] + 1,
					   sizeof(int32_t));
		s->gone_pids[0][s->n_gone_pids[0]++] = s->gone[i]->pid;
		free_ent(s, s->gone[i]);
	}
	s->n_gone = 0;
	s->n_noted = 0;
	return err;
}

size_t swt_sampler_count(const struct swt_sampler *s)
{
	return s->n_procs;
}

void swt_sampler_get_stats(const struct swt_sampler *s,
			   struct swt_sampler_stats *out)
{
	*out = s->stats;
}

const char *swt_sampler_errmsg(const struct swt_sampler *s)
{
	return s->errmsg;
}
