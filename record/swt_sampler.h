/* swt_sampler.h — sample a process tree from /proc, tick by tick.
 *
 * Costs decide the shape (docs/performance.md, "swrec", has the figures):
 *
 *  - libproc2 enumerates the machine at the first tick and supplies the
 *    metadata (ppid, start time, comm, uid) of the processes found then. It
 *    is loaded (dlopen) for that scan only: it opens, reads and closes every
 *    file on every call, several times the cost target per process-sample,
 *    and its dependencies (libsystemd, libgcrypt, ...) would add about 1 MiB
 *    to the recorder's resident memory for the whole recording. Processes
 *    that join later take the same metadata from the stat line the sampler
 *    reads anyway. Without libproc2 the first scan lists /proc the same way.
 *    (opts.libproc2_scans keeps it for later scans, to measure that
 *    choice: 1 MiB more, over the 4 MB target.)
 *  - With opts.bpf (swt_sampler_bpf.h) a tick's counters come from one
 *    run of a BPF program over the kernel's task list instead of the files
 *    below: same units and rules, and the processes it lacks are read
 *    from /proc as here.
 *  - Per tick the counters come from pread() on descriptors kept open per
 *    process (/proc/PID/stat; status and io on "slow" ticks) and per thread
 *    (/proc/PID/task/TID/stat). A kept descriptor also pins the identity:
 *    once the process has exited it reads ESRCH even if the pid is reused.
 *  - New processes are found by listing /proc (getdents on a kept
 *    descriptor), and only when the fork counter of /proc/stat moved since
 *    the last tick, unless the BPF process events told every fork of the
 *    tree since then and none (tree_did_not_fork()); then only the pids
 *    allocated since the last listing (ns_last_pid; see scan()). Only pids
 *    not classified before cost a read (swt_tracker.h).
 *  - Thread rows (opts.threads) are kept for processes that have, or have
 *    had, more than one thread. A process with one thread that never had
 *    more has none: its thread is the process (tid = pid, name = comm, the
 *    same CPU time), which its process row already says. "Never had more"
 *    is what nthreads showed at every sample, and, on slow ticks of a
 *    process whose CPU moved, that its lone thread's CPU is the process's:
 *    threads that came and went between two samples leave CPU in the
 *    process that its thread lacks (2 ticks or more), and the process gets
 *    thread rows from then on. Once a process has thread rows it keeps
 *    them, whatever its thread count does later.
 *  - The threads of a process whose CPU (utime+stime) and thread count
 *    have not changed since they were last read did not run for a tick:
 *    their rows repeat the values read then, without a read. They are
 *    read regardless every SWT_SAMPLER_THREAD_REFRESH_NS (or slow_every
 *    ticks if longer; slow_every ticks without interval_ns), so that what
 *    a tick's rounding hides (a thread that crossed a tick while the
 *    process did not, a rename) shows at most that late. Should a
 *    repeated row's thread have ended and its id been taken by a thread
 *    of another process, the row read earlier is dropped (thread ids stay
 *    unique in a sample) and its process lists its threads again.
 *  - The dearer files (status for context switches, io) are read every
 *    `slow_every`-th tick of a process, and at least a second apart,
 *    staggered by pid so the cost is spread evenly over ticks; rows of other
 *    ticks carry the previous values with SWT_PF_CTXSW_NOT_SAMPLED /
 *    SWT_PF_IO_NOT_SAMPLED. A process's first row reads everything.
 *
 * Not thread-safe (libproc2 is not): one sampler per thread. */
#ifndef SWT_SAMPLER_H
#define SWT_SAMPLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "swt_record.h"

struct swt_thread_exit;

/* Default period, in ticks of a process, of the status and io reads. */
#define SWT_SAMPLER_SLOW_EVERY 4

/* Idle threads (see the top of this file) are read again at least this
 * often, and at most every slow_every ticks. */
#define SWT_SAMPLER_THREAD_REFRESH_NS INT64_C(10000000000)

/* Default bound of the unseen processes written a second. */
#define SWT_SAMPLER_MAX_UNSEEN_PER_S 5000

struct swt_sampler;

/* Process events a tick reads at most before its exit records (more than
 * a socket holds, in case a storm outpaces the reading). */
#define SWT_SAMPLER_EVENTS_PER_TICK 65536u

struct swt_sampler_opts {
	enum swt_mode mode;
	const int32_t *roots;	/* launch: the child; attach: -p pids */
	size_t n_roots;
	bool threads;		/* per-thread rows */
	unsigned slow_every;	/* 0: SWT_SAMPLER_SLOW_EVERY ticks, and at
				 * least 1 s given interval_ns; 1: every
				 * tick */
	int64_t interval_ns;	/* the tick period, for the rule above */
	size_t max_kept_fds;	/* 0: from RLIMIT_NOFILE, minus a reserve */
	bool no_libproc2;	/* list /proc directly from the first tick
				 * (as when libproc2 cannot be loaded) */
	/* For measurement only (swrec --libproc2-scans): keep libproc2
	 * loaded after the first scan, and take the metadata of the
	 * candidates of later scans from procps_pids_select() rather than
	 * from their stat lines. The listing of /proc, the kept stat
	 * descriptors and the checks of identity are the same. */
	bool libproc2_scans;
	/* The network source (swt_net.h), owned by the caller; NULL: no
	 * network columns (their rows say not sampled). Read about once a
	 * second. */
	struct swt_net *net;
	/* The kernel's process events (swt_procconn.h), owned by the
	 * caller, who has them read with swt_sampler_read_events() when its
	 * descriptor is readable between ticks; each tick first reads what
	 * waits (SWT_SAMPLER_EVENTS_PER_TICK at most). NULL: none (not
	 * root). */
	struct swt_procconn *conn;
	/* The BPF backend (swt_sampler_bpf.h), owned by the caller; NULL:
	 * the counters come from /proc. Processes are still found, and
	 * their command lines and metadata read, in /proc. */
	struct swt_sampler_bpf *bpf;
	/* Processes that lived between two ticks written per second at
	 * most (0: SWT_SAMPLER_MAX_UNSEEN_PER_S; UINT64_MAX: no bound); the
	 * rest are counted (stats.unseen_dropped). */
	uint64_t max_unseen_per_s;
	/* Called by each tick, with the payload of its emit, once it has
	 * read the rows and before its records: the caller hands over the
	 * exit records that came since the tick began
	 * (swt_sampler_note_acct()), as it did before the tick. A child
	 * reaped while the rows were read is in its parent's cutime in this
	 * sample: its records must be in this tick too. NULL: they come
	 * with the next tick (exit records that come with the process
	 * events are read again by the tick itself). */
	void (*late_exits)(void *payload);
	/* Called by each tick, with the payload of its emit, right before
	 * the first of its records (all stamped t_ns), outside the measure
	 * of the exit accounting: what the caller does before any record of
	 * a tick (swrec: take its event ingest back and write the
	 * application events stamped before t_ns) is not the cost of the
	 * record that happens to come first. NULL: nothing. */
	void (*before_records)(int64_t t_ns, void *payload);
};

/* Facts of the machine for the session header. */
struct swt_sysinfo {
	uint32_t clock_ticks;
	uint32_t page_size;
	uint32_t cpu_count;
	uint64_t mem_total_kib;
	uint64_t boot_time_s;
	char kernel[65];
};

/* Read them. Returns 0 or SWT_EIO (/proc unreadable; message in errmsg
 * if not NULL). */
int swt_sampler_get_sysinfo(struct swt_sysinfo *out, char *errmsg,
			    size_t errlen);

/* Check that `pid` is a running process (not a thread of another one).
 * Returns 0, SWT_ENOTFOUND (no such process, or a zombie) or SWT_EINVAL
 * (a thread id); a message naming the pid goes into errmsg. */
int swt_sampler_check_pid(int32_t pid, char *errmsg, size_t errlen);

/* Create a sampler. The roots are not checked here (see
 * swt_sampler_check_pid()): one that has gone by the first tick is simply
 * not recorded. Returns 0 or SWT_EIO (cannot open /proc, libproc2 failed);
 * on failure *out is NULL and a message is copied into errmsg. */
int swt_sampler_new(struct swt_sampler **out,
		    const struct swt_sampler_opts *opts, char *errmsg,
		    size_t errlen);

void swt_sampler_free(struct swt_sampler *s);

/* Receives the records of a tick; returns 0 or a negative status, which
 * abandons the tick and is returned by swt_sampler_tick(). The record and
 * everything it points to are valid during the call only. */
typedef int (*swt_sampler_emit_fn)(const struct swt_record *rec,
				   void *payload);

/* Take one sample now, for the deadline `scheduled_ns` (CLOCK_MONOTONIC).
 * Emits, all with the same t_ns (when reading began): SWT_REC_PROC_EXIT for
 * processes that have gone (with the exit status noted by
 * swt_sampler_note_exit(), if any; preceded by the process's
 * SWT_REC_PROC_START if it went while that waited for its command line),
 * SWT_REC_PROC_START for processes that joined the tree (or exec'd a new
 * program), then one SWT_REC_SAMPLE. A process caught inside execve() has
 * memory but no command line yet: its start record and its rows wait for
 * the command line, 10 ticks at most; a running process's new identity
 * likewise.
 * Returns 0, SWT_EIO (/proc/stat or /proc/meminfo unreadable; message in
 * swt_sampler_errmsg()) or the status of `emit`. Processes that vanish
 * while being read are skipped, never an error. */
int swt_sampler_tick(struct swt_sampler *s, int64_t scheduled_ns,
		     swt_sampler_emit_fn emit, void *payload);

/* Note the wait status of a process swrec reaped (waitpid): the next tick
 * writes it into that process's SWT_REC_PROC_EXIT. Statuses of processes
 * that were never tracked are dropped at the next tick. */
void swt_sampler_note_exit(struct swt_sampler *s, int32_t pid, int wstatus);

/* Before swrec reaps a tracked process (waitid WNOWAIT found it a
 * zombie): read its final counters, which its SWT_REC_PROC_EXIT carries
 * (the CPU it and its reaped children burnt since its last row). A
 * zombie the tick finds gets them the same way. */
void swt_sampler_note_zombie(struct swt_sampler *s, int32_t pid);

struct swt_exit_stats;

/* A taskstats exit record (swt_exitacct.h): a tracked process's exit gets
 * its final CPU, peak RSS, I/O and context switches; a process of the
 * tree that was never tracked (it lived between two ticks) is announced
 * and ended at the next tick, before its sample (SWT_REC_PROC_START with
 * no command line, then SWT_REC_PROC_EXIT with its counters); others are
 * ignored. */
/* A thread that exited while the rest of its process lives on (its exit
 * record): if its process is tracked and written with thread rows, the
 * next sample has a last row of it, with its final CPU (docs/analysis.md
 * § 2.1). */
void swt_sampler_note_thread_exit(struct swt_sampler *s,
				  const struct swt_thread_exit *x);

void swt_sampler_note_acct(struct swt_sampler *s,
			   const struct swt_exit_stats *x);

/* Read the process events waiting on opts.conn (at most max messages; 0:
 * all), keeping those of the tree: between ticks, when its descriptor is
 * readable, so that a process's command line is read at its exec while it
 * still runs (the connector; the BPF program reads it in the kernel).
 * swt_sampler_tick() reads the rest itself, after the exit records that
 * came by taskstats were noted (swt_sampler_note_acct(): the kernel sends
 * a process's exit event after its record). Returns the number read. */
size_t swt_sampler_read_events(struct swt_sampler *s, size_t max);

/* CPU the caller spent on exit accounting for the sampler (reading the
 * exit records), added to swt_sampler_stats.exit_cpu_ns. */
void swt_sampler_add_exit_cpu(struct swt_sampler *s, int64_t ns);

/* A child of the recorder that is not part of the recording (an --on-alert
 * command), from its start (on) until it has gone (off); with -a every
 * process is recorded and this does nothing. */
void swt_sampler_exclude(struct swt_sampler *s, int32_t pid, bool on);

/* Processes tracked after the last tick (0 before the first tick). */
size_t swt_sampler_count(const struct swt_sampler *s);

struct swt_sampler_stats {
	uint64_t ticks;
	uint64_t proc_samples;	/* process rows emitted */
	uint64_t thread_samples;	/* thread rows emitted */
	uint64_t thread_reads;	/* reads of a thread's stat */
	uint64_t thread_checks;	/* of them, checks of a lone thread */
	uint64_t threads_carried; /* thread rows repeated without a read */
	uint64_t stale_thread_rows; /* of them, dropped: the id was reused */
	uint64_t scans;		/* listings of /proc after the first */
	uint64_t partial_scans;	/* of them, of the new pids only */
	uint64_t cand_reads;	/* processes a scan had to decide (their
				 * metadata read): new ones, or ones it had
				 * not seen with their inode */
	uint64_t scans_skipped;	/* listings not made: the machine forked,
				 * the process events said the tree did
				 * not */
	uint64_t procs_started;	/* SWT_REC_PROC_START emitted */
	uint64_t procs_exited;
	uint64_t unseen_exits;	/* of them, processes never tracked
				 * (taskstats) */
	uint64_t late_exit_records; /* exit records taken once the rows
				     * were read (late_acct()) */
	uint64_t born_unseen;	/* zombies a scan found that had an exit
				 * record of the same tick (written once,
				 * as unseen) */
	uint64_t unseen_dropped; /* processes never tracked and not written:
				  * over the bound of a fork storm */
	uint64_t unseen_write_ns; /* of it, writing the start and exit
				   * records of processes never sampled
				   * (what a sampled process's records
				   * cost it too) */
	uint64_t proc_read_ns;	/* recorder CPU reading the tracked
				 * processes from /proc (not at ticks of
				 * the BPF sampler) */
	uint64_t proc_reads;	/* the processes so read */
	uint64_t first_read_ns;	/* recorder CPU reading new processes
				 * found by a scan for the first time
				 * (command line, program, counters) */
	uint64_t first_reads;	/* the processes so read */
	uint64_t seen_write_ns;	/* recorder CPU writing the start and
				 * exit records of sampled processes */
	uint64_t seen_records;	/* the records so written */
	uint64_t exit_cpu_ns;	/* recorder CPU spent on exit accounting
				 * (process events, exit records, the
				 * records of unseen processes) */
	uint64_t slow_reads;	/* status+io reads */
	uint64_t kept_fds;	/* descriptors open now */
	uint64_t transient_reads; /* reads without a kept descriptor */
	uint64_t libproc2_selects; /* procps_pids_select() calls that
				    * answered (opts.libproc2_scans) */
	bool libproc2_missing;	/* first listing done without it */
	uint64_t bpf_rows;	/* process rows read from opts.bpf */
	uint64_t bpf_kept;	/* rows that stood: not in a partial
				 * snapshot, the process had not run */
	uint64_t bpf_failed_runs; /* ticks whose BPF run failed (/proc) */
	uint64_t steady_ticks;	/* ticks that read only the processes of
				 * a partial BPF snapshot (the other rows
				 * stood as they were) */
	uint64_t steady_reshaped; /* steady ticks with processes born or
				   * gone */
};

void swt_sampler_get_stats(const struct swt_sampler *s,
			   struct swt_sampler_stats *out);

/* The last error; "" if none. Valid until the next call on s. */
const char *swt_sampler_errmsg(const struct swt_sampler *s);

#endif
