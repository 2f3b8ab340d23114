/* swt_procconn.h — the kernel's process events (the proc connector,
 * NETLINK_CONNECTOR / CN_IDX_PROC): the fork, exec, comm change and exit
 * of every process of the machine, the moment each happens.
 *
 * swrec uses them for the processes of its tree that it never samples
 * (they live between two ticks): it learns each one's parent at its fork
 * (so a process whose parent has already exited, or that was reparented
 * to init, still belongs to the tree), its exact start, and its command
 * line and program path, read at its exec while it runs. The taskstats
 * exit record (swt_exitacct.h) then brings its counters, and the sampler
 * writes the two together.
 *
 * Two sources of the same events: a BPF program on the scheduler's
 * tracepoints (swt_procev.h), which also reads each exec's arguments and
 * program path in the kernel, so that nothing is opened in /proc for
 * them; or the proc connector, whose execs are followed by reads of
 * /proc/PID/cmdline and /proc/PID/exe (≈ 60 µs for a new process here).
 *
 * Needs CAP_NET_ADMIN (root), like taskstats; without it
 * swt_procconn_open() fails and swrec goes on without (start times are
 * then estimated from the exit record, and command lines are missing).
 *
 * Bounded: the table holds at most SWT_PROCCONN_MAX_PROCS processes of
 * the tree and SWT_PROCCONN_MAX_CMDLINE_BYTES of command lines; command
 * lines are read at SWT_PROCCONN_READS_PER_S a second at most (a fork
 * storm execs faster than it is worth reading); what did not fit is
 * counted (swt_procconn_stats), never an error. An overflow of the socket
 * (events lost) is counted too. docs/analysis.md § 2.1. */
#ifndef SWT_PROCCONN_H
#define SWT_PROCCONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SWT_PROCCONN_MAX_PROCS 32768
#define SWT_PROCCONN_MAX_CMDLINE_BYTES (8u << 20)
#define SWT_PROCCONN_READS_PER_S 100
#define SWT_PROCCONN_CMDLINE_MAX 4096	/* bytes kept of one */

/* A process of the tree, from its fork on. */
struct swt_newproc {
	int32_t pid;		/* its thread group id */
	int32_t ppid;		/* the process that forked it */
	int64_t fork_ns;	/* CLOCK_MONOTONIC, the kernel's stamp */
	int64_t exec_ns;	/* its last exec; 0: none seen */
	int64_t exit_ns;	/* its leader's exit; 0: not yet */
	char *cmdline;		/* NUL-separated argv, read at its last
				 * exec; NULL: not read */
	size_t cmdline_len;
	char *exe;		/* /proc/PID/exe at its last exec, or NULL */
	char comm[16];		/* after a comm event, else "" */
};

struct swt_procconn_stats {
	uint64_t events;	/* messages received */
	uint64_t overflows;	/* times the socket overflowed (events
				 * lost) */
	uint64_t procs;		/* processes of the tree entered */
	uint64_t cmdlines;	/* command lines read at exec */
	uint64_t cmdlines_bpf;	/* of which the BPF program read in the
				 * kernel (none from /proc) */
	uint64_t cmdlines_skipped; /* execs not read: over the rate or the
				    * byte bound, or already gone */
	uint64_t table_full;	/* processes of the tree not entered */
	uint64_t unmatched;	/* entries dropped without their exit
				 * record (their record was lost) */
	uint64_t exit_records;	/* BPF: exit records handed on */
};

struct swt_procconn;

/* Where the events come from. */
enum swt_procconn_source {
	SWT_PROCCONN_AUTO = 0,	/* BPF where it loads, else the connector */
	SWT_PROCCONN_BPF = 1,	/* the BPF program (swt_procev.h) only */
	SWT_PROCCONN_CONNECTOR = 2, /* the proc connector only */
};

struct swt_exit_stats;
struct swt_thread_exit;

struct swt_procconn_opts {
	enum swt_procconn_source source;
	bool all;		/* every process of the machine (swrec -a):
				 * the BPF program reads every exec */
	int32_t self;		/* swrec's pid: never in the tree */
	int32_t launcher;	/* 0, or a process whose children are in
				 * the tree (swrec launching the command) */
	/* With the BPF source, the exit record of each process of the tree
	 * (its threads' counters summed, as swt_exitacct gives them) comes
	 * with its exit event and is handed to this, during
	 * swt_procconn_read(), after the exit event: swrec then needs no
	 * taskstats listener, which takes every exit of the machine. NULL:
	 * none. */
	void (*on_exit_record)(const struct swt_exit_stats *x, void *payload);
	void *exit_payload;
	/* With the BPF source, each thread of the tree that exits while the
	 * rest of its process lives on (its own counters), with
	 * exit_payload. NULL: none. */
	void (*on_thread_exit)(const struct swt_thread_exit *t, void *payload);
};

/* Open and subscribe. 0 or SWT_EIO (no CAP_NET_ADMIN, no proc connector
 * in this kernel; with SWT_PROCCONN_BPF, why BPF did not load): the
 * message says which. */
int swt_procconn_open(struct swt_procconn **out,
		      const struct swt_procconn_opts *o, char *errmsg,
		      size_t errlen);

/* Whether the exit records come from here (the BPF source and an
 * on_exit_record callback): no taskstats listener is needed. */
bool swt_procconn_exit_records(const struct swt_procconn *pc);

/* A process swrec found to be of the tree by other means (a root it
 * attached to, a process it sampled): with the BPF source the kernel's
 * table learns it, so that its forks, execs and exits are told. */
void swt_procconn_track(struct swt_procconn *pc, int32_t pid);

/* The CPU time of the process that loaded the BPF program (0: none). */
int64_t swt_procconn_load_cpu_ns(const struct swt_procconn *pc);

/* "bpf" or "connector": where the events come from. */
const char *swt_procconn_source(const struct swt_procconn *pc);

/* The socket, for poll(): readable when events wait. */
int swt_procconn_fd(const struct swt_procconn *pc);

/* Whether the fork of process child by process parent belongs to the
 * tree; asked when the parent is not in the table. */
typedef bool (*swt_procconn_tree_fn)(int32_t parent, int32_t child,
				     void *payload);

/* Read up to max messages (0: until none waits), without blocking.
 * Returns the number read. */
size_t swt_procconn_read(struct swt_procconn *pc, size_t max,
			 swt_procconn_tree_fn in_tree, void *payload);

/* The entry of process pid whose life matches an exit record of
 * etime_us elapsed from start to exit (its fork to its exit within a few
 * milliseconds), or NULL. */
const struct swt_newproc *swt_procconn_find(const struct swt_procconn *pc,
					    int32_t pid, uint64_t etime_us);

/* The exec of process pid (tracked by the sampler, which the fork events
 * no longer follow: swt_procconn_sweep()) since the tick before last: its
 * time, command line and program, comm after a comm event; NULL when it
 * did not exec. A process that execs and exits between two samples is
 * known by its exit record and this; swt_procconn_forget() it once
 * taken. Never returned by swt_procconn_find(). */
const struct swt_newproc *swt_procconn_exec_of(const struct swt_procconn *pc,
					       int32_t pid);

/* A found entry's place in the table: reading events may move the table,
 * never an entry to another place (only swt_procconn_forget() and
 * swt_procconn_sweep() free one). swt_procconn_at() gives the entry at a
 * place again. */
uint32_t swt_procconn_ref(const struct swt_procconn *pc,
			  const struct swt_newproc *np);
const struct swt_newproc *swt_procconn_at(const struct swt_procconn *pc,
					  uint32_t ref);

/* Whether the latest process of pid is in the table. */
bool swt_procconn_has(const struct swt_procconn *pc, int32_t pid);

/* Drop an entry (its exit was written). */
void swt_procconn_forget(struct swt_procconn *pc,
			 const struct swt_newproc *np);

/* Once per tick, after it: drop the entries that tracked(pid, payload)
 * says the sampler now has, and those whose process exited before
 * exited_before_ns without being forgotten (their exit record was lost:
 * counted as unmatched); the execs of tracked processes
 * (swt_procconn_exec_of()) made before exited_before_ns. */
void swt_procconn_sweep(struct swt_procconn *pc, int64_t exited_before_ns,
			bool (*tracked)(int32_t pid, void *payload),
			void *payload);

/* Whether events may be waiting (the BPF source: some are in its ring;
 * the connector's socket: always true, only a read tells). */
bool swt_procconn_pending(const struct swt_procconn *pc);

/* After poll() found swt_procconn_fd() readable, before reading: the BPF
 * source takes its wake-up (swt_procev_rearm()); nothing for the
 * connector. */
void swt_procconn_rearm(struct swt_procconn *pc);

/* Processes in the table now. */
size_t swt_procconn_count(const struct swt_procconn *pc);

void swt_procconn_get_stats(const struct swt_procconn *pc,
			    struct swt_procconn_stats *out);

void swt_procconn_free(struct swt_procconn *pc);

#endif
