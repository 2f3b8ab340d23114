// SPDX-License-Identifier: GPL-2.0
/* swt_sample.bpf.c — one sample of the machine's processes (or of swrec's
 * tree), the counters /proc/PID/stat, status, io and task/TID/stat show,
 * read from the kernel's structures (Linux 6.7+): swrec runs the program
 * once a tick (BPF_PROG_TEST_RUN of a "syscall" program) and reads the
 * rows from arrays it has mapped, instead of reading a file per process.
 *
 * Which processes a run reads. A process that has not been on a CPU since
 * the last run has the counters it had then: CPU, faults, I/O, threads,
 * context switches and its own memory map all move only while one of its
 * threads runs. So a small program on the scheduler's switch (swt_ran)
 * lists each tracked process the first time one of its threads goes off
 * a CPU in an epoch (the time between two runs), and a run reads only the
 * processes of the closing epoch's list plus those on a CPU right now
 * (they have not gone off one yet) and those a switch is taking off one
 * (its entry may not be in the list yet): a machine of sleeping
 * processes costs a run nearly nothing. The switch and the run share no
 * lock; what each writes, and in which order, is below swt_ran. The
 * switch's program does not see every switch (measured: a few in a
 * hundred here), so a second small program, on timers (the scheduler's
 * tick among them), puts a CPU's current process right when the switch's
 * left it wrong (swt_tick). A run
 * walks every process of the machine instead (the open-coded task
 * iterator) when swrec asks for it (its first run,
 * then every refresh period: RSS can fall while a process sleeps, by
 * reclaim, and another process can rename it or become its parent), when
 * a CPU's current process is not known yet, or when a list overflowed.
 * The run tells swrec which it did (partial).
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
#include <bpf/bpf_tracing.h>

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
extern struct task_struct *bpf_task_from_pid(__s32 pid) __ksym;
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start,
			    int end) __weak __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __weak __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __weak __ksym;

const volatile int all_procs = 0;	/* swrec -a: every process */
const volatile int want_threads = 0;	/* thread rows */
const volatile __u32 cap_procs = 1;	/* entries of procs */
const volatile __u32 cap_threads = 1;
const volatile __u32 nr_cpus = 1;	/* possible CPUs */

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

/* The processes swrec tracks (tgid; with all_procs, every one it knows):
 * the switch lists only these, and a full walk of a tree reads only these. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __s32);
	__type(value, struct swt_tk);
} tracked SEC(".maps");

/* The two epochs' dirty lists, cap_procs entries each: list e & 1 fills
 * during epoch e (set by the loader to 2 * cap_procs entries). An entry
 * is the epoch it was taken in (high half) and the tgid (low half),
 * written at once: a run reads only its epoch's, so it tells an entry
 * taken but not written yet (the last time round's) from its own. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} dirty SEC(".maps");

/* Each CPU's switch (struct swt_cpu; set by the loader to nr_cpus
 * entries). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct swt_cpu);
} curr SEC(".maps");

/* The epoch the switch lists into; a run closes it. */
__u32 epoch = 1;
__u32 n_dirty[2];	/* entries taken in each list (may pass cap_procs) */
__u32 done_dirty[2];	/* ... of which the run that closed it read */
/* Entries of the closed list its run found taken but not yet written
 * (their switches still going): the next run reads them again. */
#define MAX_PENDING 64
__u32 pending[MAX_PENDING];
__u32 n_pending = 0;	/* may pass MAX_PENDING: then the next run
			 * walks all */
__u32 run_no = 0;
__u32 partial = 0;	/* the last run read only processes that ran */

/* The run's counts, read by swrec after it. Kept in memory, not in
 * registers: the verifier then sees unknown numbers, and the states of
 * the loop's iterations compare equal. */
__u32 n_procs = 0;
__u32 n_threads = 0;
__u32 procs_cut = 0;	/* processes that did not fit */
/* Times a timer found a CPU's current process other than the switch's
 * program left it (swt_tick), since the load. */
__u64 cur_fixed = 0;
__u32 threads_cut = 0;

static __always_inline __s64 pos(__s64 v)
{
	return v > 0 ? v : 0;
}

/* The next row, or NULL (counted) when the array is full. */
static __always_inline struct swt_ps *next_row(void)
{
	__u32 i = n_procs;
	struct swt_ps *r;

	if (i >= cap_procs) {
		procs_cut++;
		return NULL;
	}
	r = bpf_map_lookup_elem(&procs, &i);
	if (r)
		n_procs = i + 1;
	return r;
}

/* Thread u's own counters into its process's row r. */
static __always_inline void add_thread(struct swt_ps *r, struct task_struct *u)
{
	r->utime += u->utime;
	r->stime += u->stime;
	r->rtime += u->se.sum_exec_runtime;
	r->minflt += u->min_flt;
	r->majflt += u->maj_flt;
	r->read_bytes += u->ioac.read_bytes;
	r->write_bytes += u->ioac.write_bytes;
}

/* The row of process t (its leader) into r. */
static __always_inline void fill(struct swt_ps *r, struct task_struct *t,
				 __s32 tgid)
{
	struct signal_struct *sig;
	struct mm_struct *mm;
	__u32 nthr;
	int xs;

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
		add_thread(r, t);
	} else {
		struct bpf_iter_task ti;
		struct task_struct *u, *ref;

		/* the inner iterator wants a trusted task, the outer gives
		 * an RCU one: a reference, for processes of more than one
		 * thread only */
		ref = bpf_task_acquire(t);
		if (!ref)
			return;
		bpf_iter_task_new(&ti, ref, BPF_TASK_ITER_PROC_THREADS);
		while ((u = bpf_iter_task_next(&ti))) {
			struct swt_ts *w;
			__u32 j;

			add_thread(r, u);
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
			__builtin_memcpy(w->comm, u->comm, sizeof(w->comm));
		}
		bpf_iter_task_destroy(&ti);
		bpf_task_release(ref);
	}
}

/* What the switch and the run write for each other, in program order,
 * seen in that order by the other CPU: x86 keeps stores in order and
 * loads in order (TSO), so the compiler's order is enough there; other
 * CPUs get an exchange or an atomic add (their JITs emit full barriers). */
#define compiler_barrier() __asm__ __volatile__("" ::: "memory")

#if defined(__TARGET_ARCH_x86)
#define put_once(p, v)                                                  \
	do {                                                            \
		compiler_barrier();                                     \
		*(volatile __typeof__(*(p)) *)(p) = (v);                \
		compiler_barrier();                                     \
	} while (0)
#define get_once(p)                                                     \
	({                                                              \
		__typeof__(*(p)) v_;                                    \
		compiler_barrier();                                     \
		v_ = *(volatile __typeof__(*(p)) *)(p);                 \
		compiler_barrier();                                     \
		v_;                                                     \
	})
#else
#define put_once(p, v) ((void)__sync_lock_test_and_set((p), (v)))
#define get_once(p) __sync_fetch_and_add((p), 0)
#endif

/* Add tgid to epoch e's dirty list (an entry of epoch e). */
static __always_inline void append(__s32 tgid, __u32 e)
{
	__u64 *p;
	__u32 i, k;

	i = __sync_fetch_and_add(&n_dirty[e & 1], 1);
	if (i >= cap_procs)
		return;	/* the list overflowed: the run walks all */
	k = (e & 1) * cap_procs + i;
	p = bpf_map_lookup_elem(&dirty, &k);
	if (p)
		put_once(p, (__u64)e << 32 | (__u32)tgid);
}

/* List tgid in epoch e's dirty list, once an epoch (a switch's). */
static __always_inline void mark(__s32 tgid, __u32 e)
{
	struct swt_tk *v;

	if (tgid <= 0)
		return;
	v = bpf_map_lookup_elem(&tracked, &tgid);
	if (!v || v->ran == e)
		return;
	v->ran = e;
	append(tgid, e);
}

/* List tgid in epoch e's dirty list whatever a switch did (a run's: a
 * switch may have marked it and not listed it yet). */
static __always_inline void take(__s32 tgid, __u32 e)
{
	if (tgid > 0 && bpf_map_lookup_elem(&tracked, &tgid))
		append(tgid, e);
}

/* A thread goes off a CPU: its process ran in this epoch; the next one's
 * process is the CPU's current one now. Runs at every context switch of
 * the machine: a few stores and one hash lookup, then nothing unless the
 * process is tracked and not yet listed.
 *
 * A run, on another CPU, reads this CPU's cur and then its out, and lists
 * both; it reads the dirty lists after. In the order written here:
 *  - before this switch shows (cur still the process going off): the run
 *    lists that process itself;
 *  - after cur shows, out shows too (written first): the run lists the
 *    process going off, until its entry is written and out cleared;
 *  - after out is cleared, the entry (written before) shows, in the list
 *    of the epoch the switch read: the run's own, or the one before it,
 *    whose entries taken late the run reads too.
 * So a process that ran since the last run is read by this one, whenever
 * its switch happens (or stalls: a virtual CPU can be descheduled by its
 * host in the middle of this program, for milliseconds). */
/* CPU entry c: process off (tgid + 1; 0 none) leaves the CPU, on (tgid
 * + 1) is its current process now, in the order above (swt_ran's, and
 * swt_tick's when it puts an entry right). */
static __always_inline void hand_over(struct swt_cpu *c, __s32 off, __s32 on)
{
	put_once(&c->out, off);
	put_once(&c->cur, on);
	mark(off - 1, epoch);
	put_once(&c->out, 0);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(swt_ran, bool preempt, struct task_struct *prev,
	     struct task_struct *next)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct swt_cpu *c = bpf_map_lookup_elem(&curr, &cpu);
	__s32 tgid = prev->tgid;

	if (!c) {
		mark(tgid, epoch);	/* (cannot be: an entry a CPU) */
		return 0;
	}
	hand_over(c, tgid + 1, next->tgid + 1);
	return 0;
}

/* A timer expires on this CPU (the scheduler's tick among them, HZ times
 * a second on a CPU that runs something): the task it interrupted is the
 * CPU's current one. If the switch's program did not leave that one as
 * the CPU's current process, a switch went by without it: the process
 * the CPU's entry names went off the CPU unseen (it ran in this epoch:
 * list it), and the one running now is the CPU's current process. So a
 * process on a CPU is known to the runs within a few ticks whatever the
 * switches did. (Measured on the 6.18 kernel of these machines: the
 * program ran for 2-3 % fewer switches than /proc/stat's ctxt counted,
 * with no recursion misses, and a process spinning alone on a CPU after
 * such a switch was read by no run for 300 ms: docs/performance.md.) */
SEC("tp_btf/hrtimer_expire_entry")
int BPF_PROG(swt_tick)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct swt_cpu *c = bpf_map_lookup_elem(&curr, &cpu);
	__s32 now = (__s32)(bpf_get_current_pid_tgid() >> 32) + 1, was;

	if (!c)
		return 0;
	was = get_once(&c->cur);
	if (was == now)
		return 0;
	/* (in a hard interrupt: no switch of this CPU runs meanwhile) */
	hand_over(c, was, now);
	__sync_fetch_and_add(&cur_fixed, 1);
	return 0;
}

/* Read process tgid, found by its pid, once a run. */
static __always_inline void visit(__s32 tgid)
{
	struct task_struct *t;
	struct swt_tk *v;
	struct swt_ps *r;

	v = bpf_map_lookup_elem(&tracked, &tgid);
	if (!v || v->seen == run_no)
		return;	/* no longer tracked, or read already */
	v->seen = run_no;
	r = next_row();
	if (!r)
		return;
	t = bpf_task_from_pid(tgid);
	if (!t) {
		/* reaped since it ran: swrec reads /proc, which says so */
		__builtin_memset(r, 0, sizeof(*r));
		r->pid = tgid;
		r->flags = SWT_PS_GONE;
		r->thr_first = n_threads;
		return;
	}
	fill(r, t, tgid);
	bpf_task_release(t);
}

/* The entries of epoch e among [from, to) of dirty list l; with
 * keep, the places of the others (taken, not written yet) into pending. */
static __always_inline void visit_list(__u32 l, __u32 from, __u32 to,
				       __u32 e, int keep)
{
	struct bpf_iter_num it;
	int *i;

	if (from >= to)
		return;
	bpf_iter_num_new(&it, (int)from, (int)to);
	while ((i = bpf_iter_num_next(&it))) {
		__u32 k = l * cap_procs + (__u32)*i;
		__u64 *p = bpf_map_lookup_elem(&dirty, &k);
		__u64 v;
		__u32 j;

		if (!p)
			continue;
		v = get_once(p);
		if ((__u32)(v >> 32) == e) {
			visit((__s32)(__u32)v);
		} else if (keep) {
			j = n_pending++;
			if (j < MAX_PENDING)
				pending[j] = (__u32)*i;
		}
	}
	bpf_iter_num_destroy(&it);
}

/* The first np entries of pending, of dirty list l, that are epoch e's. */
static __always_inline void visit_pending(__u32 l, __u32 np, __u32 e)
{
	struct bpf_iter_num it;
	int *i;

	if (!np)
		return;
	bpf_iter_num_new(&it, 0, (int)np);
	while ((i = bpf_iter_num_next(&it))) {
		__u32 j = (__u32)*i, k;
		__u64 *p, v;

		if (j >= MAX_PENDING)
			break;
		k = pending[j];
		if (k >= cap_procs)
			continue;
		k += l * cap_procs;
		p = bpf_map_lookup_elem(&dirty, &k);
		if (!p)
			continue;
		v = get_once(p);
		if ((__u32)(v >> 32) == e)
			visit((__s32)(__u32)v);
	}
	bpf_iter_num_destroy(&it);
}

SEC("syscall")
int swt_sample(struct swt_sample_args *a)
{
	struct bpf_iter_task it;
	struct task_struct *t;
	__u32 e = epoch, cur = e & 1, nxt = (e + 1) & 1, n, from, np;
	struct bpf_iter_num ci;
	int full = a->full, *c;

	n_procs = 0;
	n_threads = 0;
	procs_cut = 0;
	threads_cut = 0;
	run_no++;
	bpf_rcu_read_lock();
	/* the processes on a CPU now ran in this epoch too, and have not
	 * gone off it yet; one a switch is taking off a CPU may not be
	 * listed yet (swt_ran): list both (a CPU without a switch since the
	 * program was attached has one not known: walk all) */
	bpf_iter_num_new(&ci, 0, (int)nr_cpus);
	while ((c = bpf_iter_num_next(&ci))) {
		__u32 k = (__u32)*c;
		struct swt_cpu *v = bpf_map_lookup_elem(&curr, &k);
		__s32 on, off;

		if (!v) {
			full = 1;
			continue;
		}
		on = get_once(&v->cur);
		off = get_once(&v->out);
		if (!on)
			full = 1;
		else
			take(on - 1, e);
		if (off)
			take(off - 1, e);
	}
	bpf_iter_num_destroy(&ci);
	/* the previous list's late entries: those a switch took after the
	 * last run had read the list (a switch that read the epoch before
	 * that run moved it on), and those that run found taken but not
	 * yet written */
	n = n_dirty[nxt];
	from = done_dirty[nxt];
	np = n_pending;
	if (n > cap_procs || np > MAX_PENDING) {
		full = 1;	/* it overflowed late */
	} else if (!full) {
		visit_pending(nxt, np, e - 1);
		visit_list(nxt, from, n, e - 1, 0);
	}
	n_pending = 0;
	/* the next epoch: its switches fill the other list */
	n_dirty[nxt] = 0;
	done_dirty[nxt] = 0;
	__sync_fetch_and_add(&epoch, 1);
	n = n_dirty[cur];
	if (n > cap_procs) {
		full = 1;	/* more ran than a list holds */
		n = cap_procs;
	}
	done_dirty[cur] = n;
	if (!full) {
		visit_list(cur, 0, n, e, 1);
		partial = 1;
		bpf_rcu_read_unlock();
		return 0;
	}
	partial = 0;
	bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_ALL_PROCS);
	while ((t = bpf_iter_task_next(&it))) {
		struct swt_ps *r;
		__s32 tgid = t->tgid;

		if (tgid == 0)
			continue;	/* the idle task: not in /proc */
		if (!all_procs && !bpf_map_lookup_elem(&tracked, &tgid))
			continue;
		r = next_row();
		if (!r)
			continue;
		fill(r, t, tgid);
	}
	bpf_iter_task_destroy(&it);
	bpf_rcu_read_unlock();
	return 0;
}
