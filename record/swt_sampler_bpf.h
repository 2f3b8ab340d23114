/* swt_sampler_bpf.h — the sampler's BPF backend: one run of a BPF program
 * (record/bpf/swt_sample.bpf.c) per tick reads the counters of every
 * process (or of the tracked ones) from the kernel's structures with the
 * open-coded task iterator, instead of a pread() of /proc/PID/stat (and
 * status, io, task/TID/stat) per process and thread.
 *
 * The sampler (swt_sampler.h) stays the one interface: it tracks the tree,
 * finds new processes by listing /proc, reads their command lines and
 * metadata there, and asks this backend for the counters of each tracked
 * process at each tick. What this backend hands over has /proc's units
 * and meaning, field for field (struct swt_procfs_stat: CPU in clock ticks
 * scaled to the run time as the kernel scales it, RSS in pages, ...);
 * docs/performance.md, "The BPF sampler", says where it can differ (the
 * run time of a thread running at the instant, RSS's per-CPU lag is the
 * same as /proc/PID/stat's, io readable where /proc refuses it).
 *
 * Needs Linux 6.7+ (bpf_iter_task_*) with BTF, CAP_BPF and CAP_PERFMON
 * (root), and swt built with the BPF toolchain (meson option bpf).
 * swt_sampler_bpf_open() fails with a message otherwise, and the caller
 * records from /proc (swrec --sampler auto). The environment variable
 * SWT_SAMPLER_BPF_FAIL (any value) makes it fail, to test that fallback.
 *
 * Like swt_procev, the program is loaded by a child process that hands
 * over its descriptors: libbpf's parse of the kernel's types (≈ 10 MB at
 * its peak) stays out of swrec's resident memory. */
#ifndef SWT_SAMPLER_BPF_H
#define SWT_SAMPLER_BPF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "swt_procfs.h"

struct swt_sampler_bpf;

/* Which backend a session samples with (swrec --sampler). */
enum swt_sampler_backend {
	SWT_SAMPLER_AUTO = 0,	/* BPF where it loads, else /proc */
	SWT_SAMPLER_PROC = 1,
	SWT_SAMPLER_BPF = 2,	/* BPF or fail */
};

/* A process of the last run, in /proc's terms. */
struct swt_sampler_bpf_proc {
	struct swt_procfs_stat st;	/* as /proc/PID/stat parses; comm
					 * borrowed (until the next run) */
	bool kthread;
	uint64_t vctxsw, ivctxsw;	/* /proc/PID/status */
	uint64_t io_read, io_write;	/* /proc/PID/io */
	uint64_t run_ns;	/* the run time of all its threads, dead ones
				 * included (ns): whether it ran */
	/* its leader thread alone (/proc/PID/task/PID/stat), ticks */
	uint64_t lead_utime, lead_stime;
	/* its thread rows (threads), or none; see swt_sampler_bpf_thread() */
	uint32_t thr_first, thr_n;
	bool threads_cut;	/* not all fitted: read them from /proc */
};

/* Load. all: every process (swrec -a), else only those given to
 * swt_sampler_bpf_track(); threads: thread rows of the processes of more
 * than one thread. Returns 0, or SWT_EIO with the reason in errmsg (built
 * without BPF, not allowed, kernel without the iterator or BTF). */
int swt_sampler_bpf_open(struct swt_sampler_bpf **out, bool all,
			 bool threads, char *errmsg, size_t errlen);

void swt_sampler_bpf_free(struct swt_sampler_bpf *b);

/* Take a snapshot (one run of the program). full: of every tracked
 * process; else (where the kernel lets the switch's program attach) of
 * the tracked processes that have been on a CPU since the last run, and
 * those on one now: the others have the counters of their last row
 * (swt_sampler_bpf_partial()). A run after a failed one is full. Returns
 * 0 or SWT_EIO (the run failed; message in swt_sampler_bpf_errmsg()). */
int swt_sampler_bpf_run(struct swt_sampler_bpf *b, bool full);

/* Whether the last run read only the processes that ran: a tracked
 * process that is not in this snapshot has not been on a CPU since the
 * previous run (or, tracked since, since it was tracked), and its
 * counters are those it had then (all but RSS, which reclaim can lower
 * meanwhile, and the parent and name another process can change: a full
 * run sets those right). So a reading taken after the process was
 * tracked (its first, from /proc) stands until it runs. */
bool swt_sampler_bpf_partial(const struct swt_sampler_bpf *b);

/* The process pid of the last snapshot, converted: 1. 0: it is not in it
 * (not tracked, or over the arrays' capacity: read /proc; or, in a
 * partial snapshot, it did not run). -1: it ran, and no task had its pid
 * at the run (reaped: read /proc, which says it has gone). */
int swt_sampler_bpf_get(const struct swt_sampler_bpf *b, int32_t pid,
			struct swt_sampler_bpf_proc *out);

/* The processes of the last snapshot: how many, and the pid of the i-th
 * (i < that count; in the snapshot's order, not sorted, and a pid may
 * come twice). What a partial snapshot lists is what swt_sampler_bpf_get()
 * answers 1 or -1 for: a reader needs to look at no other tracked
 * process. */
size_t swt_sampler_bpf_rows(const struct swt_sampler_bpf *b);
int32_t swt_sampler_bpf_row_pid(const struct swt_sampler_bpf *b, size_t i);

/* Thread i (thr_first <= i < thr_first + thr_n) of the last snapshot:
 * its tid, CPU in ticks (as /proc/PID/task/TID/stat) and name (borrowed,
 * until the next run). */
void swt_sampler_bpf_thread(const struct swt_sampler_bpf *b, uint32_t i,
			    int32_t *tid, uint64_t *utime, uint64_t *stime,
			    const char **name, size_t *name_len);

/* Add (on) or remove a process to read (with all, too: the switch's
 * program lists the tracked ones only). Add it before its first /proc
 * read: from then on its runs are listed. Returns whether it is tracked
 * now (false when removed, or the table is full: then a partial snapshot
 * says nothing of it). */
bool swt_sampler_bpf_track(struct swt_sampler_bpf *b, int32_t pid, bool on);

struct swt_sampler_bpf_stats {
	uint64_t runs;
	uint64_t run_ns;	/* CPU of the runs, measured around them */
	uint64_t procs;		/* process rows read, all runs */
	uint64_t threads;
	uint64_t procs_cut;	/* that did not fit (read from /proc) */
	uint64_t partial_runs;	/* runs that read only those that ran */
	/* times a timer found a CPU running another process than the one
	 * the switch's program had seen switched in (and put it right:
	 * swt_tick in record/bpf/swt_sample.bpf.c), since the load */
	uint64_t cur_fixed;
	bool tick;		/* that timer's program is attached */
	int64_t load_cpu_ns;	/* the loader process's CPU, once */
};

void swt_sampler_bpf_get_stats(const struct swt_sampler_bpf *b,
			       struct swt_sampler_bpf_stats *out);

/* For the tests: make CPU cpu's current process the idle task in the
 * switch's table, as if the switch's program had missed the CPU's last
 * switch (it misses a few in a hundred: swt_tick). The process there is
 * known to the runs again within a few ticks (the timer's program). Returns
 * whether it could. */
bool swt_sampler_bpf_lose_cpu(struct swt_sampler_bpf *b, uint32_t cpu);

/* For the tests: the process the switch's table says CPU cpu runs (0:
 * its idle task), -1 if not known. */
int32_t swt_sampler_bpf_cpu_current(const struct swt_sampler_bpf *b,
				    uint32_t cpu);

/* The last error; "" if none. */
const char *swt_sampler_bpf_errmsg(const struct swt_sampler_bpf *b);

#endif
