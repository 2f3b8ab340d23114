/* swt_procdir.h — the process directory (format 1.6, docs/format.md
 * § 4.1): every process a session announced, with the times of its
 * ProcStart and ProcExit records. The writer builds it from the records it
 * writes (and stores it before the index), the reader loads it back, and
 * a window of a file without one is read by building it from the records
 * before the window: one builder, one rule for which ProcExit ends which
 * process, one rule for "alive at t". */
#ifndef SWT_PROCDIR_H
#define SWT_PROCDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "swt_map.h"
#include "swt_record.h"

/* A process of the directory: its ProcStart and when the file announced
 * its start and exit. */
struct swt_dir_proc {
	struct swt_proc_start ps;
	int64_t t_start_ns;	/* its ProcStart record's time */
	bool exited;		/* a ProcExit record followed, at: */
	int64_t t_exit_ns;
};

/* true if p was announced before t and had not exited before it. */
bool swt_dir_proc_alive_at(const struct swt_dir_proc *p, int64_t t);

/* A directory being built; its strings are owned. */
struct swt_procdir {
	struct swt_dir_proc *procs;	/* in the order of their ProcStart */
	size_t n, cap;
	size_t bytes;		/* strings and about 100 bytes an entry: the
				 * size of its Directory message, roughly */
	struct swt_imap pids;	/* pid -> its latest entry */
};

void swt_procdir_init(struct swt_procdir *d);
void swt_procdir_fini(struct swt_procdir *d);
/* A ProcStart at t (its strings copied). */
void swt_procdir_start(struct swt_procdir *d, const struct swt_proc_start *p,
		       int64_t t);
/* The same with comm and exe given by their lengths (not NUL-terminated:
 * a Directory message's bytes). */
void swt_procdir_add(struct swt_procdir *d, const struct swt_proc_start *p,
		     size_t comm_len, size_t exe_len, int64_t t);
/* A ProcExit at t: ends the pid's latest process if its start_ticks match
 * and it has not exited yet. */
void swt_procdir_exit(struct swt_procdir *d, const struct swt_proc_exit *p,
		      int64_t t);

#endif
