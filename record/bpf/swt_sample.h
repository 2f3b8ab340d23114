/* swt_sample.h — what the BPF sampler program (swt_sample.bpf.c) writes
 * for swrec, one row per process and one per thread, into arrays swrec
 * maps; included by the program and by swt_sampler_bpf.c. Fixed-width
 * types only: both sides must agree on the layout. Times are the kernel's
 * nanoseconds, unscaled: swrec scales them as /proc does (cputime_adjust()
 * needs a 128-bit product the program has not). */
#ifndef SWT_SAMPLE_H
#define SWT_SAMPLE_H

/* swt_ps.flags */
#define SWT_PS_ZOMBIE 1u	/* the leader is a zombie (exit_state) */
#define SWT_PS_DEAD 2u		/* ... or dead */
#define SWT_PS_KTHREAD 4u	/* a kernel thread (PF_KTHREAD) */
#define SWT_PS_THREADS_CUT 8u	/* its thread rows did not all fit */
#define SWT_PS_GONE 16u		/* ran, then no task had its pid: the
				 * row has nothing else (read /proc) */

/* A value of the tracked table (key: the tgid). */
struct swt_tk {
	__u32 ran;	/* the epoch in which it last went off a CPU (and
			 * was listed in that epoch's dirty list) */
	__u32 seen;	/* the run that last wrote its row */
};

/* A CPU as the switch leaves it (the curr table, one per CPU): tgid + 1
 * of the process it runs (1: the idle task; 0: no switch seen there yet,
 * not known), and tgid + 1 of the process a switch in progress is taking
 * off it (0: none). */
struct swt_cpu {
	__s32 cur;
	__s32 out;
};

/* What swrec hands a run (BPF_PROG_TEST_RUN's ctx_in). */
struct swt_sample_args {
	__u32 full;	/* 1: every process (a full walk of the task
			 * list); 0: those that ran since the last run */
	__u32 pad;
};

struct swt_ps {
	__s32 pid;		/* tgid */
	__s32 ppid;		/* the real parent's tgid */
	__u32 nthreads;		/* signal->nr_threads */
	__u32 flags;
	/* CPU of the whole process: the dead threads' share (signal) plus
	 * every live thread's, as thread_group_cputime() sums them */
	__u64 utime, stime;	/* tick samples, ns */
	__u64 rtime;		/* sum_exec_runtime, ns */
	__u64 prev_utime, prev_stime;	/* signal->prev_cputime */
	__u64 cutime, cstime;	/* reaped children, ns */
	__u64 minflt, majflt;	/* signal's plus the live threads' */
	__u64 start_ns;		/* the leader's start_boottime */
	__u64 vm_pages;		/* mm->total_vm (0: no mm) */
	__s64 rss_pages;	/* file+anon+shmem, each the per-CPU
				 * counter's global part (what
				 * /proc/PID/stat shows) */
	__u64 nvcsw, nivcsw;	/* the leader thread's (as
				 * /proc/PID/status) */
	__u64 read_bytes, write_bytes;	/* signal's plus the threads' */
	/* the leader thread alone (/proc/PID/task/PID/stat) */
	__u64 l_utime, l_stime, l_rtime, l_prev_utime, l_prev_stime;
	__u32 thr_first;	/* its thread rows: thr_n from here */
	__u32 thr_n;
	char comm[16];		/* the leader's */
};

struct swt_ts {
	__s32 tid;
	__u32 pad;
	__u64 utime, stime, rtime, prev_utime, prev_stime;
	char comm[16];
};

#endif
