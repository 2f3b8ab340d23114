// SPDX-License-Identifier: GPL-2.0
/* swt_sample.bpf.c — one sample of the machine's processes (or of swrec's
 * tree), the counters /proc/PID/stat, status, io and task/TID/stat show,
 * read from the kernel's structures by the open-coded task iterator
 * (bpf_iter_task_*, Linux 6.7+): swrec runs the program once a tick
 * (BPF_PROG_TEST_RUN of a "syscall" program) and reads the rows from
 * arrays it has mapped, instead of reading a file per process.
 *
 * Which fields, and why they equal /proc's (fs/proc/array.c, base.c):
 *  - CPU: the signal struct's share of the dead threads plus every live
 *    thread's utime, stime and sum_exec_runtime (thread_group_cputime());
 *    swrec applies cputime_adjust() with signal->prev_cputime, as the
 *    kernel does before printing, without updating it.
 *  - faults likewise (signal's plus the live threads'), threads
 *    (nr_threads), vsize (total_vm), RSS (the global part of the per-CPU
 *    counters, what get_mm_rss() reads for stat), start (start_boottime),
 *    context switches (the leader's own, as status shows them), I/O
 *    (signal->ioac plus the live threads', as io shows it).
 * Running threads' sum_exec_runtime is as of their last update (a tick at
 * most); /proc updates the current one first.
 *
 * Licensed GPL-2.0 (the kernel requires it of programs that read its
 * structures); loaded by record/swt_sampler_bpf.c. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "swt_sample.h"

char LICENSE[] SEC("license") = "GPL";

/* libbpf 1.1 declares none of these; they are the kernel's (6.7+) */
extern int bpf_iter_task_new(struct bpf_iter_task *it,
			     struct task_struct *task,
			     unsigned int flags) __weak __ksym;
extern struct task_struct *
bpf_iter_task_next(struct bpf_iter_task *it) __weak __ksym;
extern void bpf_iter_task_destroy(struct bpf_iter_task *it) __weak __ksym;
extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

const volatile int all_procs = 0;	/* swrec -a: every process */
const volatile int want_threads = 0;	/* thread rows */
const volatile __u32 cap_procs = 1;	/* entries of procs */
const volatile __u32 cap_threads = 1;

#define PF_KTHREAD 0x00200000
#define EXIT_DEAD 0x0010
#define EXIT_ZOMBIE 0x0020

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);	/* set by the loader */
	__type(key, __u32);
	__type(value, struct swt_ps);
} procs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct swt_ts);
} threads SEC(".maps");

/* The tree's processes (tgid), kept by swrec: the others are skipped
 * unless all_procs. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __s32);
	__type(value, __u8);
} tracked SEC(".maps");

/* The run's counts, read by swrec after it. Kept in memory, not in
 * registers: the verifier then sees unknown numbers, and the states of
 * the loop's iterations compare equal. */
__u32 n_procs = 0;
__u32 n_threads = 0;
__u32 procs_cut = 0;	/* processes that did not fit */
__u32 threads_cut = 0;

static __always_inline __s64 pos(__s64 v)
{
	return v > 0 ? v : 0;
}

SEC("syscall")
int swt_sample(void *ctx)
{
	struct bpf_iter_task it;
	struct task_struct *t;

	n_procs = 0;
	n_threads = 0;
	procs_cut = 0;
	threads_cut = 0;
	bpf_rcu_read_lock();
	bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_ALL_PROCS);
	while ((t = bpf_iter_task_next(&it))) {
		struct signal_struct *sig;
		struct mm_struct *mm;
		struct swt_ps *r;
		__s32 tgid = t->tgid;
		__u32 i, nthr;
		int xs;

		if (tgid == 0)
			continue;	/* the idle task: not in /proc */
		if (!all_procs && !bpf_map_lookup_elem(&tracked, &tgid))
			continue;
		i = n_procs;
		if (i >= cap_procs) {
			procs_cut++;
			continue;
		}
		r = bpf_map_lookup_elem(&procs, &i);
		if (!r)
			continue;
		n_procs = i + 1;
		sig = t->signal;
		xs = t->exit_state;
		nthr = (__u32)sig->nr_threads;
		r->pid = tgid;
		r->ppid = t->real_parent->tgid;
		r->nthreads = nthr;
		r->flags = (xs & EXIT_ZOMBIE ? SWT_PS_ZOMBIE : 0) |
			   (xs & EXIT_DEAD ? SWT_PS_DEAD : 0) |
			   (t->flags & PF_KTHREAD ? SWT_PS_KTHREAD : 0);
		r->prev_utime = sig->prev_cputime.utime;
		r->prev_stime = sig->prev_cputime.stime;
		r->cutime = sig->cutime;
		r->cstime = sig->cstime;
		r->start_ns = t->start_boottime;
		r->nvcsw = t->nvcsw;
		r->nivcsw = t->nivcsw;
		r->l_utime = t->utime;
		r->l_stime = t->stime;
		r->l_rtime = t->se.sum_exec_runtime;
		r->l_prev_utime = t->prev_cputime.utime;
		r->l_prev_stime = t->prev_cputime.stime;
		__builtin_memcpy(r->comm, t->comm, sizeof(r->comm));
		mm = t->mm;
		if (mm) {
			r->vm_pages = mm->total_vm;
			r->rss_pages = pos(mm->rss_stat[MM_FILEPAGES].count) +
				       pos(mm->rss_stat[MM_ANONPAGES].count) +
				       pos(mm->rss_stat[MM_SHMEMPAGES].count);
		} else {
			r->vm_pages = 0;
			r->rss_pages = 0;
		}
		r->utime = sig->utime;
		r->stime = sig->stime;
		r->rtime = sig->sum_sched_runtime;
		r->minflt = sig->min_flt;
		r->majflt = sig->maj_flt;
		r->read_bytes = sig->ioac.read_bytes;
		r->write_bytes = sig->ioac.write_bytes;
		r->thr_first = n_threads;
		r->thr_n = 0;
		if (nthr <= 1 && !xs) {
			/* the leader is its one live thread */
			r->utime += t->utime;
			r->stime += t->stime;
			r->rtime += t->se.sum_exec_runtime;
			r->minflt += t->min_flt;
			r->majflt += t->maj_flt;
			r->read_bytes += t->ioac.read_bytes;
			r->write_bytes += t->ioac.write_bytes;
		} else {
			struct bpf_iter_task ti;
			struct task_struct *u, *ref;

			/* the inner iterator wants a trusted task, the outer
			 * gives an RCU one: a reference, for processes of
			 * more than one thread only */
			ref = bpf_task_acquire(t);
			if (!ref)
				continue;
			bpf_iter_task_new(&ti, ref, BPF_TASK_ITER_PROC_THREADS);
			while ((u = bpf_iter_task_next(&ti))) {
				struct swt_ts *w;
				__u32 j;

				r->utime += u->utime;
				r->stime += u->stime;
				r->rtime += u->se.sum_exec_runtime;
				r->minflt += u->min_flt;
				r->majflt += u->maj_flt;
				r->read_bytes += u->ioac.read_bytes;
				r->write_bytes += u->ioac.write_bytes;
				if (!want_threads)
					continue;
				j = n_threads;
				if (j >= cap_threads) {
					threads_cut++;
					r->flags |= SWT_PS_THREADS_CUT;
					continue;
				}
				w = bpf_map_lookup_elem(&threads, &j);
				if (!w)
					continue;
				n_threads = j + 1;
				r->thr_n++;
				w->tid = u->pid;
				w->utime = u->utime;
				w->stime = u->stime;
				w->rtime = u->se.sum_exec_runtime;
				w->prev_utime = u->prev_cputime.utime;
				w->prev_stime = u->prev_cputime.stime;
				__builtin_memcpy(w->comm, u->comm,
						 sizeof(w->comm));
			}
			bpf_iter_task_destroy(&ti);
			bpf_task_release(ref);
		}
	}
	bpf_iter_task_destroy(&it);
	bpf_rcu_read_unlock();
	return 0;
}
