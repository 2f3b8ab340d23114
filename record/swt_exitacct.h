/* swt_exitacct.h — the kernel's exit accounting (taskstats over generic
 * netlink): one record per exiting process of the machine, with its final
 * CPU, peak RSS, I/O and context switches, whatever its lifetime.
 *
 * Needs CAP_NET_ADMIN (root): swt_exitacct_open() fails without it, and
 * swrec then goes on without per-process exit records
 * (the CPU of short-lived processes still reaches the file through their
 * parents' cutime and cstime). The listener is registered for every CPU;
 * records of the whole machine arrive, and the caller keeps those of its
 * tree. Records are read by swt_exitacct_read() (non-blocking); what the
 * socket could not hold (a fork storm between two reads) is counted, not
 * silently lost. docs/format.md § ProcExit, docs/analysis.md § 2.1. */
#ifndef SWT_EXITACCT_H
#define SWT_EXITACCT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One exited process (its thread group as a whole). */
struct swt_exit_stats {
	int32_t pid;		/* the process (thread group) id */
	int32_t ppid;		/* its parent when it exited */
	char comm[32];		/* NUL-terminated */
	uint64_t utime_us;	/* CPU, all its threads */
	uint64_t stime_us;
	uint64_t hiwater_rss_kib; /* peak RSS */
	uint64_t read_bytes;	/* storage I/O */
	uint64_t write_bytes;
	uint64_t nvcsw;		/* voluntary context switches */
	uint64_t nivcsw;
	uint64_t btime_s;	/* start, seconds since the epoch */
	uint64_t etime_us;	/* elapsed from start to exit */
	uint32_t exit_code;	/* as wait() reports it */
};

/* One thread that exited: its own CPU, split as /proc splits it
 * (swt_exit_cputime()). Either the rest of its process lives on, or (last)
 * it was the process's last thread, whose exit record follows. */
struct swt_thread_exit {
	int32_t tid;
	int32_t tgid;		/* its process */
	char comm[16];		/* the thread's name, NUL-terminated ("" if
				 * unknown) */
	uint64_t utime_us;
	uint64_t stime_us;
	bool last;		/* the process ended with it */
};

typedef void (*swt_thread_exit_fn)(const struct swt_thread_exit *t,
				   void *payload);

struct swt_exitacct;

/* A task's exact run time rtime (the scheduler's sum_exec_runtime) split
 * between user and system in the proportion of its tick samples utime and
 * stime, as /proc and wait4() give it (the kernel's cputime_adjust(),
 * without its monotonic memory: an exit is read once); any unit, the
 * same for all. The samples alone missed up to a third of a process's
 * CPU on a loaded virtual machine here. */
void swt_exit_cputime(uint64_t rtime, uint64_t utime, uint64_t stime,
		      uint64_t *ut, uint64_t *st);

/* Open a listener. 0 or SWT_EIO (no CAP_NET_ADMIN, no taskstats in this
 * kernel, or a netlink error): the message says which. */
int swt_exitacct_open(struct swt_exitacct **out, char *errmsg,
		      size_t errlen);

/* Call fn for every process exit received so far (threads that exit
 * alone are skipped), without blocking. Returns the number of records
 * passed to fn; *overflows counts the times the socket overflowed (each
 * time, an unknown number of records was lost). */
size_t swt_exitacct_read(struct swt_exitacct *ea,
			 void (*fn)(const struct swt_exit_stats *, void *),
			 void *payload, uint64_t *overflows);

/* Also call fn, during swt_exitacct_read(), for every thread that exits
 * (every thread of the machine: the caller keeps its tree's), the last
 * thread of a process (last set) just before the process's record. NULL:
 * none. */
void swt_exitacct_on_thread(struct swt_exitacct *ea, swt_thread_exit_fn fn,
			    void *payload);

void swt_exitacct_free(struct swt_exitacct *ea);

#endif
