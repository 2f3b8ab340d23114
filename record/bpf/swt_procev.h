/* swt_procev.h — the records the BPF process-event program
 * (swt_procev.bpf.c) hands swrec through its ring buffer; included by the
 * program and by swt_procev.c. Fixed-width types only: both sides must
 * agree on the layout. */
#ifndef SWT_PROCEV_H
#define SWT_PROCEV_H

#define SWT_PE_FORK 1
#define SWT_PE_EXEC 2
#define SWT_PE_EXIT 3
#define SWT_PE_COMM 4

/* flags */
#define SWT_PE_IN_TREE 1u	/* fork: the kernel's table has the child
				 * (its parent was there); exec: the data
				 * was read */
#define SWT_PE_EXE_CUT 2u	/* exec: the program's path was deeper
				 * than the walk: read it from /proc */
#define SWT_PE_GROUP_DEAD 4u	/* exit: the last thread of its process */
#define SWT_PE_HAS_IO 8u	/* exit: read_bytes, write_bytes are set */
#define SWT_PE_HAS_MM 16u	/* exit: hiwater_pages is set */
#define SWT_PE_STATS 32u	/* exit: a thread's counters (else only
				 * its leader's exit time) */

/* The data of an exec: its argv (bytes of its arguments area, NUL
 * separated, at most SWT_PE_CMD_MAX), then the names of its program's
 * path from the file up (each NUL-terminated, leaf first). */
#define SWT_PE_CMD_MAX 4095
#define SWT_PE_DATA 8192	/* a power of two: offsets are masked */
#define SWT_PE_NAME_MAX 256
#define SWT_PE_DEPTH 40		/* path components walked */

struct swt_pe {
	__u32 kind;
	__u32 flags;
	__s32 pid;		/* the thread */
	__s32 tgid;		/* its process */
	__s32 ptgid;		/* fork: the parent's process */
	__u32 cmd_len;		/* exec: bytes of argv in data */
	__u64 ts_ns;		/* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
	__u32 exe_len;		/* exec: bytes of path names after argv */
	__u32 exit_code;	/* exit: as wait() reports it */
	/* exit (every thread of the tree's processes): the thread's own
	 * counters, as taskstats gives them (CPU time not scaled) */
	__u64 utime_ns, stime_ns;
	__u64 rtime_ns;		/* its exact run time (the scheduler's);
				 * utime and stime are tick samples */
	__u64 read_bytes, write_bytes;	/* storage I/O */
	__u64 nvcsw, nivcsw;
	/* exit, last thread: its process's peak RSS (of its memory since
	 * its last exec), in pages, and its leader's start
	 * (CLOCK_MONOTONIC) */
	__u64 hiwater_pages;
	__u64 start_ns;
	char comm[16];
	/* exit, last thread: its own name (comm is its leader's) */
	char tcomm[16];
	char data[SWT_PE_DATA + SWT_PE_NAME_MAX];
};

#define SWT_PE_HDR_BYTES ((unsigned)__builtin_offsetof(struct swt_pe, data))

#endif
