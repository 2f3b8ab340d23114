/* swt_procev.h — process events from a BPF program on the scheduler's
 * tracepoints (record/bpf/swt_procev.bpf.c): swt_procconn's faster
 * source. Each exec of a process of the tree comes with the program's
 * arguments and path, read by the kernel during the exec, so swrec opens
 * nothing in /proc for the processes that live between two samples, and
 * the events are read from a ring buffer in swrec's memory rather than
 * one system call each.
 *
 * Needs a kernel with BTF and BPF ring buffers (5.8+), CAP_BPF and
 * CAP_PERFMON (root), and swt built with clang, bpftool and libbpf (meson
 * option bpf); swt_procev_open() fails with a message otherwise and
 * swt_procconn uses the proc connector. */
#ifndef SWT_PROCEV_H_USER
#define SWT_PROCEV_H_USER

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One event, borrowed for the duration of the callback. */
struct swt_procev_event {
	unsigned kind;		/* SWT_PE_FORK, _EXEC, _EXIT, _COMM */
	bool in_tree;		/* fork: the kernel's table took the child;
				 * exec: argv and path were read */
	bool exe_cut;		/* exec: the path was too deep to walk */
	int32_t pid, tgid, ptgid;
	int64_t ts_ns;		/* CLOCK_MONOTONIC */
	char comm[16];		/* exec, comm: NUL-terminated */
	char tcomm[16];		/* exit, group_dead: the thread's own name
				 * (comm is its leader's) */
	const char *cmd;	/* exec: argv, NUL separated */
	size_t cmd_len;
	const char *exe;	/* exec: the path, "/"-joined, NUL-ended;
				 * NULL: not read */
	/* exit: one per exiting thread of the tree's processes, with the
	 * thread's own counters; the last of its process has group_dead and
	 * the process's parent (ptgid), peak RSS and start */
	bool stats;		/* the counters are set (Linux 6.16+); else
				 * only the leader's exit, and no
				 * group_dead */
	bool group_dead;
	bool has_io;		/* read_bytes, write_bytes are known */
	bool has_mm;		/* hiwater_kib is known */
	uint32_t exit_code;
	uint64_t utime_ns, stime_ns;	/* tick samples */
	uint64_t rtime_ns;		/* exact run time */
	uint64_t read_bytes, write_bytes;
	uint64_t nvcsw, nivcsw;
	uint64_t hiwater_kib;
	int64_t start_ns;	/* CLOCK_MONOTONIC */
};

typedef void (*swt_procev_fn)(const struct swt_procev_event *ev,
			      void *payload);

struct swt_procev;

/* Load and attach. all: every process of the machine (swrec -a);
 * self: swrec's pid, never in the tree; launcher (0: none): a process
 * whose children are in the tree (swrec when it launches the command, so
 * that the command's own exec comes with its data). 0, or SWT_EIO with the reason in
 * errmsg (built without BPF, not allowed, no BTF). */
int swt_procev_open(struct swt_procev **out, bool all, int32_t self,
		    int32_t launcher, char *errmsg, size_t errlen);

/* pollable: readable when events wait */
int swt_procev_fd(const struct swt_procev *pe);

/* Hand up to max events (0: all waiting) to fn, oldest first. Returns the
 * number handed. */
size_t swt_procev_read(struct swt_procev *pe, size_t max, swt_procev_fn fn,
		       void *payload);

/* After poll() found swt_procev_fd() readable (the program's forced
 * wake-up): take the wake-up, so that the descriptor is readable again only
 * at the next one. A system call, which swt_procev_read() leaves out: the
 * reads at the ticks need none. */
void swt_procev_rearm(struct swt_procev *pe);

/* Whether events wait in the ring (two loads from memory). */
bool swt_procev_pending(const struct swt_procev *pe);

/* Put a process into the kernel's table of the tree (a process swrec
 * learnt belongs to it otherwise): its execs then come with their data
 * and its forks are in the tree. */
void swt_procev_track(struct swt_procev *pe, int32_t tgid);

/* Whether exits come with the counters (Linux 6.16+: one event per
 * exiting thread, the last with group_dead); else only the leader's exit
 * is told, without them. */
bool swt_procev_exit_stats(const struct swt_procev *pe);

/* Events the kernel could not put into the ring buffer (it was full). */
uint64_t swt_procev_lost(const struct swt_procev *pe);

/* The CPU time the loader process took (libbpf reading the kernel's
 * types, the verifier): once, at the start. */
int64_t swt_procev_load_cpu_ns(const struct swt_procev *pe);

void swt_procev_free(struct swt_procev *pe);

#endif
