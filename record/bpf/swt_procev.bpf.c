// SPDX-License-Identifier: GPL-2.0
/* swt_procev.bpf.c — the process events of swrec's tree, from the
 * scheduler's tracepoints: fork, exec (with the new program's arguments
 * and path, read from the kernel's own structures while the process is
 * in exec, so swrec never opens /proc for them), comm changes and exits.
 * The same events as the proc connector (swt_procconn.h) brings, without
 * a system call per event on swrec's side: they arrive in a ring buffer
 * swrec reads from its memory.
 *
 * The kernel keeps a table of the tree's processes (`tree`): a fork by a
 * process there adds the child, so exec data is taken for the tree only;
 * swrec adds the processes it learns of otherwise. Every fork is told
 * (swrec decides what else belongs to the tree, as with the connector).
 *
 * Licensed GPL-2.0 (the kernel requires it of programs that read its
 * structures); loaded by record/swt_procev.c. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "swt_procev.h"

char LICENSE[] SEC("license") = "GPL";

const volatile int all_procs = 0;	/* swrec -a: every process */
const volatile int self_tgid = 0;	/* swrec itself: never */
const volatile int launcher_tgid = 0;	/* its children are (swrec's launch) */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 << 10);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __s32);
	__type(value, __u8);
} tree SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct swt_pe);
} scratch SEC(".maps");

/* Times the ring buffer was full (events lost), read by swrec. */
__u64 lost = 0;

/* swrec reads the ring at its ticks; it is woken between them only when a
 * quarter of the ring waits (a fork storm), not for every event: the
 * command lines are read here, nothing needs reading while the process
 * still runs. */
static __always_inline __u64 wake(void)
{
	return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) > (64 << 10)
		       ? BPF_RB_FORCE_WAKEUP
		       : BPF_RB_NO_WAKEUP;
}

static __always_inline int in_tree(__s32 tgid)
{
	if (tgid == self_tgid)
		return 0;
	return all_procs || bpf_map_lookup_elem(&tree, &tgid) != NULL;
}

/* An event of the header alone; comm: a name in the kernel's memory to
 * copy, or NULL. */
static __always_inline void small(__u32 kind, __u32 flags, __s32 pid,
				  __s32 tgid, __s32 ptgid, const char *comm)
{
	struct swt_pe *e = bpf_ringbuf_reserve(&events, SWT_PE_HDR_BYTES, 0);

	if (!e) {
		__sync_fetch_and_add(&lost, 1);
		return;
	}
	e->kind = kind;
	e->flags = flags;
	e->pid = pid;
	e->tgid = tgid;
	e->ptgid = ptgid;
	e->cmd_len = 0;
	e->exe_len = 0;
	e->exit_code = 0;
	e->ts_ns = bpf_ktime_get_ns();
	__builtin_memset(e->comm, 0, sizeof(e->comm));
	__builtin_memset(e->tcomm, 0, sizeof(e->tcomm));
	if (comm)
		bpf_probe_read_kernel_str(e->comm, sizeof(e->comm), comm);
	bpf_ringbuf_submit(e, wake());
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(swt_fork, struct task_struct *parent, struct task_struct *child)
{
	__s32 ptgid = BPF_CORE_READ(parent, tgid);
	__s32 pid = BPF_CORE_READ(child, pid);
	__s32 tgid = BPF_CORE_READ(child, tgid);
	__u32 flags = 0;
	__u8 one = 1;

	if (pid != tgid)
		return 0;	/* a thread */
	if (!in_tree(ptgid) && !(launcher_tgid && ptgid == launcher_tgid))
		return 0;	/* not of the tree, as far as the kernel knows
				 * (swrec adds what it learns otherwise) */
	bpf_map_update_elem(&tree, &tgid, &one, BPF_ANY);
	flags = SWT_PE_IN_TREE;
	small(SWT_PE_FORK, flags, pid, tgid, ptgid, NULL);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(swt_exec, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	__s32 tgid = BPF_CORE_READ(p, tgid);
	__u32 zero = 0, off, i;
	struct swt_pe *e;
	unsigned long a0, a1;
	struct dentry *d, *root_d;
	struct vfsmount *vm, *root_vm;
	struct mount *m;
	long n;

	if (!in_tree(tgid))
		return 0;
	e = bpf_map_lookup_elem(&scratch, &zero);
	if (!e)
		return 0;
	e->kind = SWT_PE_EXEC;
	e->flags = SWT_PE_IN_TREE;
	e->pid = BPF_CORE_READ(p, pid);
	e->tgid = tgid;
	e->ptgid = 0;
	e->exit_code = 0;
	e->ts_ns = bpf_ktime_get_ns();
	__builtin_memset(e->comm, 0, sizeof(e->comm));
	BPF_CORE_READ_STR_INTO(&e->comm, p, comm);

	/* argv: the new program's arguments area, written by exec itself a
	 * moment ago (so present in memory) */
	a0 = BPF_CORE_READ(p, mm, arg_start);
	a1 = BPF_CORE_READ(p, mm, arg_end);
	off = 0;
	if (a1 > a0) {
		off = a1 - a0;
		if (off > SWT_PE_CMD_MAX)
			off = SWT_PE_CMD_MAX;
		if (bpf_probe_read_user(e->data, off & SWT_PE_CMD_MAX,
					(void *)a0) < 0)
			off = 0;
	}
	e->cmd_len = off;

	/* the program's path, walked up from its file to the process's root
	 * (what /proc/PID/exe shows a reader with the same root), crossing
	 * mount points */
	d = BPF_CORE_READ(bprm, file, f_path.dentry);
	vm = BPF_CORE_READ(bprm, file, f_path.mnt);
	root_d = BPF_CORE_READ(p, fs, root.dentry);
	root_vm = BPF_CORE_READ(p, fs, root.mnt);
	m = container_of(vm, struct mount, mnt);
	e->flags |= SWT_PE_EXE_CUT;
	/* The write offset lives in the map value, read back through a
	 * volatile each time: an unknown number to the verifier, so the
	 * states of the walk's iterations compare equal and it does not
	 * explore every length of every name (it gave up at a million
	 * instructions when the offset was a register). */
	*(volatile __u32 *)&e->exe_len = off;
	for (i = 0; i < SWT_PE_DEPTH; i++) {
		struct dentry *up;
		const unsigned char *name;
		__u32 o;

		if (d == root_d && vm == root_vm) {
			e->flags &= ~SWT_PE_EXE_CUT;
			break;
		}
		if (d == BPF_CORE_READ(vm, mnt_root)) {
			struct mount *pm = BPF_CORE_READ(m, mnt_parent);

			if (pm == m) {	/* the namespace's root */
				e->flags &= ~SWT_PE_EXE_CUT;
				break;
			}
			d = BPF_CORE_READ(m, mnt_mountpoint);
			m = pm;
			vm = &pm->mnt;
			continue;
		}
		up = BPF_CORE_READ(d, d_parent);
		if (up == d) {
			e->flags &= ~SWT_PE_EXE_CUT;
			break;
		}
		o = *(volatile __u32 *)&e->exe_len;
		if (o > SWT_PE_DATA - 1)
			break;
		name = BPF_CORE_READ(d, d_name.name);
		n = bpf_probe_read_kernel_str(&e->data[o & (SWT_PE_DATA - 1)],
					      SWT_PE_NAME_MAX, name);
		if (n <= 0)
			break;
		*(volatile __u32 *)&e->exe_len = o + (__u32)n;
		d = up;
	}
	off = *(volatile __u32 *)&e->exe_len;
	if (off > SWT_PE_DATA - 1) {
		e->flags |= SWT_PE_EXE_CUT;
		off = e->cmd_len;
	}
	e->exe_len = off - e->cmd_len;
	if (bpf_ringbuf_output(&events, e,
			       SWT_PE_HDR_BYTES + (off & (SWT_PE_DATA - 1)),
			       wake()) < 0)
		__sync_fetch_and_add(&lost, 1);
	return 0;
}

/* The memory counters of an mm: an array of per-CPU counters since Linux
 * 6.2, atomics before (CO-RE picks the layout the running kernel has). */
struct percpu_counter___swt {
	s64 count;
} __attribute__((preserve_access_index));
struct mm_struct___swt62 {
	struct percpu_counter___swt rss_stat[4];
	unsigned long hiwater_rss;
} __attribute__((preserve_access_index));
struct atomic_long___swt {
	s64 counter;
} __attribute__((preserve_access_index));
struct mm_rss_stat___swt61 {
	struct atomic_long___swt count[4];
} __attribute__((preserve_access_index));
struct mm_struct___swt61 {
	struct mm_rss_stat___swt61 rss_stat;
} __attribute__((preserve_access_index));

/* get_mm_hiwater_rss(): the peak the kernel last noted, or the resident
 * pages now (file, anonymous, shared memory) if more. Since 6.2 the
 * counters are per-CPU with a global total that lags by a batch per CPU
 * (32 pages here). */
static __always_inline __u64 mm_hiwater(struct mm_struct *mm)
{
	s64 rss = 0, v = 0;
	__u64 hw = BPF_CORE_READ((struct mm_struct___swt62 *)mm, hiwater_rss);

	if (bpf_core_type_exists(struct mm_rss_stat___swt61)) {
		struct mm_struct___swt61 *o = (void *)mm;

		rss = BPF_CORE_READ(o, rss_stat.count[0].counter) +
		      BPF_CORE_READ(o, rss_stat.count[1].counter) +
		      BPF_CORE_READ(o, rss_stat.count[3].counter);
	} else {
		struct mm_struct___swt62 *n = (void *)mm;

		bpf_core_read(&v, sizeof(v), &n->rss_stat[0].count);
		rss += v;
		bpf_core_read(&v, sizeof(v), &n->rss_stat[1].count);
		rss += v;
		bpf_core_read(&v, sizeof(v), &n->rss_stat[3].count);
		rss += v;
	}
	if (rss > 0 && (__u64)rss > hw)
		hw = (__u64)rss;
	return hw;
}

/* Each exiting thread of the tree's processes, with its counters, and for
 * the last one the process's peak RSS and start. Since Linux 6.16 the
 * tracepoint runs where taskstats takes its record, before the task lets
 * go of its memory, and says whether the group is dead: swrec then needs
 * no taskstats listener. (Loaded only on such kernels: see swt_exit_old.) */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(swt_exit, struct task_struct *p, bool group_dead)
{
	__s32 pid = BPF_CORE_READ(p, pid);
	__s32 tgid = BPF_CORE_READ(p, tgid);
	struct swt_pe *e;
	struct mm_struct *mm;

	if (!in_tree(tgid))
		return 0;
	e = bpf_ringbuf_reserve(&events, SWT_PE_HDR_BYTES, 0);
	if (!e) {
		__sync_fetch_and_add(&lost, 1);
		if (group_dead)
			bpf_map_delete_elem(&tree, &tgid);
		return 0;
	}
	e->kind = SWT_PE_EXIT;
	e->flags = SWT_PE_STATS;
	e->pid = pid;
	e->tgid = tgid;
	e->ptgid = 0;
	e->cmd_len = 0;
	e->exe_len = 0;
	e->exit_code = (__u32)BPF_CORE_READ(p, exit_code);
	e->utime_ns = BPF_CORE_READ(p, utime);
	e->stime_ns = BPF_CORE_READ(p, stime);
	e->rtime_ns = BPF_CORE_READ(p, se.sum_exec_runtime);
	e->nvcsw = BPF_CORE_READ(p, nvcsw);
	e->nivcsw = BPF_CORE_READ(p, nivcsw);
	e->read_bytes = 0;
	e->write_bytes = 0;
	if (bpf_core_field_exists(p->ioac.read_bytes)) {
		e->read_bytes = BPF_CORE_READ(p, ioac.read_bytes);
		e->write_bytes = BPF_CORE_READ(p, ioac.write_bytes);
		e->flags |= SWT_PE_HAS_IO;
	}
	e->hiwater_pages = 0;
	e->start_ns = 0;
	__builtin_memset(e->comm, 0, sizeof(e->comm));
	__builtin_memset(e->tcomm, 0, sizeof(e->tcomm));
	if (group_dead) {
		struct task_struct *l = BPF_CORE_READ(p, group_leader);

		e->flags |= SWT_PE_GROUP_DEAD;
		e->ptgid = BPF_CORE_READ(p, real_parent, tgid);
		e->start_ns = BPF_CORE_READ(l, start_time);
		BPF_CORE_READ_STR_INTO(&e->comm, l, comm);
		BPF_CORE_READ_STR_INTO(&e->tcomm, p, comm);
		mm = BPF_CORE_READ(p, mm);
		if (mm) {
			e->hiwater_pages = mm_hiwater(mm);
			e->flags |= SWT_PE_HAS_MM;
		}
		bpf_map_delete_elem(&tree, &tgid);
	} else {
		/* (a thread that leaves its process: its own name) */
		BPF_CORE_READ_STR_INTO(&e->comm, p, comm);
	}
	e->ts_ns = bpf_ktime_get_ns();
	bpf_ringbuf_submit(e, wake());
	return 0;
}

/* Before 6.16 the tracepoint comes after the task let go of its memory
 * and does not say whether its group is dead: only the leader's exit is
 * told (its time), and taskstats brings the exit records. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(swt_exit_old, struct task_struct *p)
{
	__s32 pid = BPF_CORE_READ(p, pid);
	__s32 tgid = BPF_CORE_READ(p, tgid);

	if (pid != tgid || !in_tree(tgid))
		return 0;	/* a thread, or not of the tree */
	bpf_map_delete_elem(&tree, &tgid);
	small(SWT_PE_EXIT, 0, pid, tgid, 0, NULL);
	return 0;
}

/* A name set by the process itself (prctl, /proc/PID/comm). Not the one
 * every exec sets (to its file's name) before its exec event, which
 * carries it: swrec would only drop it (an event a process of a build,
 * a quarter of what it costs swrec). */
SEC("tp_btf/task_rename")
int BPF_PROG(swt_comm, struct task_struct *t, const char *comm)
{
	__s32 pid = BPF_CORE_READ(t, pid);
	__s32 tgid = BPF_CORE_READ(t, tgid);

	if (pid != tgid || !in_tree(tgid))
		return 0;
	if (bpf_core_field_exists(t->in_execve) &&
	    BPF_CORE_READ_BITFIELD_PROBED(t, in_execve))
		return 0;
	small(SWT_PE_COMM, 0, pid, tgid, 0, comm);
	return 0;
}
