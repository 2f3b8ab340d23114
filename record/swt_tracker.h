/* swt_tracker.h — which processes belong to the recorded tree.
 *
 * The tracker knows, for every pid seen in the last enumeration of /proc,
 * whether it is tracked (part of the recorded tree) or excluded. Only pids
 * it has not classified yet ("candidates") cost the sampler a read, so an
 * enumeration of an idle machine is a merge of two sorted lists.
 *
 * Rules: in SWT_MODE_ALL every process is tracked. Otherwise a process is
 * tracked when it is a root (the launched command, an attached pid) or its
 * parent is tracked or is swrec itself (in launch mode swrec is a child
 * subreaper, so an orphaned grandchild is re-parented to it rather than
 * lost). A decision is final for the life of the pid: a process cannot
 * become a descendant later, since re-parenting only goes to subreapers.
 *
 * Identity: tracked processes are verified by the sampler (kept-open
 * descriptors and start time). For the others the tracker keeps the inode
 * number of their /proc/PID directory (d_ino of the enumeration): a pid
 * reused by a new process between two enumerations gets a new inode, so it
 * is a candidate again instead of inheriting the old decision. (An inode can
 * also change when the kernel evicts the dentry; that costs one needless
 * re-decision, never a wrong one.) Inode 0 means "unknown": a tracked pid
 * takes the next one seen; an excluded pid is a candidate again at the
 * first enumeration that lists it with an inode, since it may have been
 * reused meanwhile (libproc2's first listing has no inodes).
 *
 * Pure: no /proc access, no clock, so tests drive it with made-up trees. */
#ifndef SWT_TRACKER_H
#define SWT_TRACKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "swt_record.h"

struct swt_tracker;

enum swt_tracker_state {
	SWT_TRACKER_UNKNOWN = 0,
	SWT_TRACKER_TRACKED = 1,
	SWT_TRACKER_EXCLUDED = 2,
};

/* One entry of an enumeration of /proc. */
struct swt_tracker_entry {
	int32_t pid;
	uint64_t ino;	/* d_ino of /proc/PID, 0 if unknown */
};

/* A candidate to decide: scan() fills pid and ino, the caller fills ppid
 * (-1 to exclude it whatever the mode, e.g. for a zombie), decide() sets
 * track. */
struct swt_tracker_cand {
	int32_t pid;
	int32_t ppid;
	uint64_t ino;
	bool track;
};

/* self_pid is swrec's own pid. Never fails (aborts on OOM). */
void swt_tracker_new(struct swt_tracker **out, enum swt_mode mode,
		     int32_t self_pid);
void swt_tracker_free(struct swt_tracker *t);

/* pid (and what it forks) is never tracked while on: the recorder itself
 * where it is a descendant of the attached processes, and the --on-alert
 * commands. Off again when it has gone (its pid may be reused). */
void swt_tracker_never(struct swt_tracker *t, int32_t pid, bool on);

/* Mark pid tracked (a root: the launched command, an attached pid). */
void swt_tracker_track(struct swt_tracker *t, int32_t pid, uint64_t ino);

/* Forget pid (a tracked process has gone or could not be opened). */
void swt_tracker_forget(struct swt_tracker *t, int32_t pid);

enum swt_tracker_state swt_tracker_get_state(const struct swt_tracker *t,
					     int32_t pid);

/* Number of tracked pids. */
size_t swt_tracker_count(const struct swt_tracker *t);

/* Merge a fresh enumeration of /proc: `list` sorted by pid ascending,
 * unique. Excluded pids absent from it, or listed with another inode, are
 * dropped (they exited); tracked ones are kept until forgotten. *out
 * receives the pids not classified yet (borrowed: the caller may edit and
 * reorder them until the next scan); returns their number. */
size_t swt_tracker_scan(struct swt_tracker *t, struct swt_tracker_cand **out,
			const struct swt_tracker_entry *list, size_t n);

/* The same for a listing of the pids from..to only (both included; every
 * entry of `list` in that range): known pids outside it are kept as they
 * are. */
size_t swt_tracker_scan_range(struct swt_tracker *t,
			      struct swt_tracker_cand **out,
			      const struct swt_tracker_entry *list, size_t n,
			      int32_t from, int32_t to);

/* Decide candidates (from the last scan; those the caller could not read
 * are simply left out): sets cands[i].track and records the decision. A
 * parent that is itself a candidate is decided first, whatever the order
 * of `cands`. */
void swt_tracker_decide(struct swt_tracker *t, struct swt_tracker_cand *cands,
			size_t n);

#endif
