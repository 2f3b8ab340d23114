/* swt_procconn.c — the proc connector: see swt_procconn.h. */
#include "swt_procconn.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/types.h>

#include "bpf/swt_procev.h"
#include "swt_alloc.h"
#include "swt_exitacct.h"
#include "swt_map.h"
#include "swt_nlbatch.h"
#include "swt_procev.h"
#include "swt_status.h"

/* The kernel doubles it: some 20 000 events between two reads (a
 * message takes about 200 bytes of buffer). */
#define RCVBUF_BYTES (4 << 20)
#define BATCH 64		/* messages per recvmmsg() */
#define MSG_BYTES 256		/* one event is 76 bytes with its headers */
/* An exit record's elapsed time runs from the process's start, set while
 * it is being forked, to before it releases its memory; its events' life
 * from after the fork to after that: the events' life can be shorter (the
 * forking parent preempted before it announced the fork: milliseconds
 * under a storm) or longer (the exiting process waiting for a CPU). Among
 * the processes that held the pid, the record's is the one whose life is
 * closest within those bounds. */
#define MATCH_SLACK_US 1000000
#define MATCH_BELOW_US 50000

#define NONE UINT32_MAX

struct ent {
	struct swt_newproc np;
	uint32_t prev;		/* the older entry of the same pid */
	bool used;
	/* An exec of a process the sampler tracks (no fork in the table:
	 * fork_ns 0), kept until the tick after next: one that execs and
	 * exits between two samples is known by its exit record and this
	 * (swt_procconn_exec_of()). */
	bool exec_only;
};

/* BPF exit records: the counters of a process's threads that exited
 * before its last one. */
struct thr_sum {
	int32_t tgid;
	bool io;
	uint64_t utime_ns, stime_ns, read_bytes, write_bytes, nvcsw, nivcsw;
};

#define EXE_CACHE 64	/* a power of two */

struct swt_procconn {
	int fd;
	struct swt_procev *pe;	/* the BPF source, or NULL: the socket's */
	int proc_fd;		/* /proc, for the reads at exec */
	struct ent *ents;
	size_t n_ents, cap_ents;
	uint32_t *free_list;
	size_t n_free, cap_free;
	size_t live;		/* used entries */
	struct swt_imap latest;	/* pid -> its latest entry */
	size_t cmd_bytes;	/* command lines and paths held */
	int64_t credit;		/* reads allowed, x 1e9 */
	int64_t credit_ns;	/* when it was last raised */
	struct swt_procconn_stats st;
	void (*on_exit_record)(const struct swt_exit_stats *x, void *payload);
	void (*on_thread_exit)(const struct swt_thread_exit *t, void *payload);
	void *exit_payload;
	struct thr_sum *thr;	/* by thr_by_tgid */
	size_t n_thr, cap_thr;
	struct swt_imap thr_by_tgid;
	/* The programs' paths seen last, by a hash of the path: a build
	 * execs a few programs hundreds of times, and each exec of one of
	 * them shares its string (no allocation). Each holds a reference. */
	char *exes[EXE_CACHE];
	_Alignas(8) char bufs[BATCH][MSG_BYTES];
	char scratch[SWT_PROCCONN_CMDLINE_MAX];
};

/* The subscription message: a netlink header, a connector header and the
 * operation. */
static int send_op(struct swt_procconn *pc, enum proc_cn_mcast_op op)
{
	_Alignas(NLMSG_ALIGNTO) char m[NLMSG_SPACE(sizeof(struct cn_msg) +
						   sizeof(op))];
	struct nlmsghdr *n = (struct nlmsghdr *)(void *)m;
	struct cn_msg *c = NLMSG_DATA(n);
	size_t len = NLMSG_LENGTH(sizeof(*c) + sizeof(op));

	memset(m, 0, sizeof(m));
	n->nlmsg_len = (uint32_t)len;
	n->nlmsg_type = NLMSG_DONE;
	c->id.idx = CN_IDX_PROC;
	c->id.val = CN_VAL_PROC;
	c->len = sizeof(op);
	memcpy(c->data, &op, sizeof(op));
	return send(pc->fd, m, len, 0) == (ssize_t)len ? 0 : -1;
}

/* The proc connector's socket, subscribed. */
static int open_connector(struct swt_procconn *pc, char *errmsg,
			  size_t errlen)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
				  .nl_groups = CN_IDX_PROC };
	int size = RCVBUF_BYTES;

	pc->fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
			NETLINK_CONNECTOR);
	if (pc->fd < 0) {
		snprintf(errmsg, errlen, "proc connector: %s",
			 strerror(errno));
		return SWT_EIO;
	}
	if (bind(pc->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		snprintf(errmsg, errlen, "proc connector: %s%s", strerror(e),
			 e == EPERM ? " (needs CAP_NET_ADMIN: root)" : "");
		return SWT_EIO;
	}
	/* as root the limit of net.core.rmem_max does not apply */
	if (setsockopt(pc->fd, SOL_SOCKET, SO_RCVBUFFORCE, &size,
		       sizeof(size)) < 0)
		(void)setsockopt(pc->fd, SOL_SOCKET, SO_RCVBUF, &size,
				 sizeof(size));
	if (send_op(pc, PROC_CN_MCAST_LISTEN) < 0) {
		int e = errno;

		snprintf(errmsg, errlen, "proc connector: %s%s", strerror(e),
			 e == EPERM ? " (needs CAP_NET_ADMIN: root)" : "");
		return SWT_EIO;
	}
	return 0;
}

int swt_procconn_open(struct swt_procconn **out,
		      const struct swt_procconn_opts *o, char *errmsg,
		      size_t errlen)
{
	struct swt_procconn *pc = swt_zalloc(sizeof(*pc));
	char bpfmsg[300] = "";

	*out = NULL;
	swt_imap_init(&pc->latest);
	swt_imap_init(&pc->thr_by_tgid);
	pc->proc_fd = -1;
	pc->fd = -1;
	pc->on_exit_record = o->on_exit_record;
	pc->on_thread_exit = o->on_thread_exit;
	pc->exit_payload = o->exit_payload;
	if (o->source != SWT_PROCCONN_CONNECTOR &&
	    swt_procev_open(&pc->pe, o->all, o->self, o->launcher, bpfmsg,
			    sizeof(bpfmsg)) < 0) {
		pc->pe = NULL;
		if (o->source == SWT_PROCCONN_BPF) {
			snprintf(errmsg, errlen, "%s", bpfmsg);
			goto fail;
		}
	}
	if (!pc->pe && open_connector(pc, errmsg, errlen) < 0) {
		if (bpfmsg[0]) {
			size_t n = strlen(errmsg);

			snprintf(errmsg + n, errlen - n, "; %s", bpfmsg);
		}
		goto fail;
	}
	pc->proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pc->proc_fd < 0) {
		snprintf(errmsg, errlen, "/proc: %s", strerror(errno));
		goto fail;
	}
	*out = pc;
	return 0;
fail:
	swt_procconn_free(pc);
	return SWT_EIO;
}

bool swt_procconn_exit_records(const struct swt_procconn *pc)
{
	return pc->pe && pc->on_exit_record && swt_procev_exit_stats(pc->pe);
}

static struct ent *latest(const struct swt_procconn *pc, int32_t pid);

void swt_procconn_track(struct swt_procconn *pc, int32_t pid)
{
	const struct ent *e;

	if (!pc->pe)
		return;
	/* Its fork was told, and it has not exited: the program put it into
	 * the kernel's table then, and a system call (≈ 3 us here, one per
	 * process a scan finds) is spared. Unless events were lost: an exit
	 * missed leaves a stale entry. */
	e = latest(pc, pid);
	if (e && !e->np.exit_ns && !pc->st.overflows)
		return;
	swt_procev_track(pc->pe, pid);
}

int64_t swt_procconn_load_cpu_ns(const struct swt_procconn *pc)
{
	return pc->pe ? swt_procev_load_cpu_ns(pc->pe) : 0;
}

const char *swt_procconn_source(const struct swt_procconn *pc)
{
	return pc->pe ? "bpf" : "connector";
}

int swt_procconn_fd(const struct swt_procconn *pc)
{
	return pc->pe ? swt_procev_fd(pc->pe) : pc->fd;
}

/* A command line or program path, shared by a process and the children
 * it forks before they exec (a fork costs no copy); its bytes count in
 * cmd_bytes once. */
struct shstr {
	uint32_t refs;
	uint32_t len;	/* bytes after the header, its NUL included */
	char s[];
};

static struct shstr *shstr_of(const char *s)
{
	return (struct shstr *)(void *)((char *)(uintptr_t)s -
					offsetof(struct shstr, s));
}

/* A new string of n bytes (and a NUL after them), copied from src. */
static char *shstr_new(struct swt_procconn *pc, const char *src, size_t n)
{
	struct shstr *h = swt_zalloc(sizeof(*h) + n + 1);

	h->refs = 1;
	h->len = (uint32_t)(n + 1);
	memcpy(h->s, src, n);
	h->s[n] = '\0';
	pc->cmd_bytes += n + 1;
	return h->s;
}

static char *shstr_ref(char *s)
{
	if (s)
		shstr_of(s)->refs++;
	return s;
}

static void shstr_unref(struct swt_procconn *pc, char *s)
{
	struct shstr *h;

	if (!s)
		return;
	h = shstr_of(s);
	if (--h->refs)
		return;
	pc->cmd_bytes -= h->len;
	free(h);
}

static void drop_strings(struct swt_procconn *pc, struct swt_newproc *np)
{
	shstr_unref(pc, np->cmdline);
	shstr_unref(pc, np->exe);
	np->cmdline = NULL;
	np->exe = NULL;
	np->cmdline_len = 0;
}

static struct ent *latest(const struct swt_procconn *pc, int32_t pid)
{
	uint32_t i = swt_imap_get(&pc->latest, pid);

	return i == SWT_MAP_NONE ? NULL : &pc->ents[i];
}

/* Unlink entry i from its pid's chain and free it. */
static void remove_ent(struct swt_procconn *pc, uint32_t i)
{
	struct ent *e = &pc->ents[i];
	uint32_t j = swt_imap_get(&pc->latest, e->np.pid);

	if (j == i) {
		if (e->prev == NONE)
			swt_imap_del(&pc->latest, e->np.pid);
		else
			swt_imap_put(&pc->latest, e->np.pid, e->prev);
	} else {
		while (j != SWT_MAP_NONE && j != NONE &&
		       pc->ents[j].prev != i)
			j = pc->ents[j].prev;
		if (j != SWT_MAP_NONE && j != NONE)
			pc->ents[j].prev = e->prev;
	}
	drop_strings(pc, &e->np);
	memset(e, 0, sizeof(*e));
	pc->free_list = swt_grow(pc->free_list, &pc->cap_free,
				 pc->n_free + 1, sizeof(*pc->free_list));
	pc->free_list[pc->n_free++] = i;
	pc->live--;
}

/* A new entry, the latest of pid (zeroed but for its pid), or NULL when
 * the table is full (counted). */
static struct ent *new_ent(struct swt_procconn *pc, int32_t pid)
{
	struct ent *e;
	uint32_t i, prev;

	if (pc->live >= SWT_PROCCONN_MAX_PROCS) {
		pc->st.table_full++;
		return NULL;
	}
	if (pc->n_free) {
		i = pc->free_list[--pc->n_free];
	} else {
		pc->ents = swt_grow(pc->ents, &pc->cap_ents, pc->n_ents + 1,
				    sizeof(*pc->ents));
		i = (uint32_t)pc->n_ents++;
	}
	prev = swt_imap_get(&pc->latest, pid);
	e = &pc->ents[i];
	memset(e, 0, sizeof(*e));
	e->used = true;
	e->prev = prev == SWT_MAP_NONE ? NONE : prev;
	e->np.pid = pid;
	swt_imap_put(&pc->latest, pid, i);
	pc->live++;
	return e;
}

/* The fork of process child by process parent. Returns whether the child
 * entered the table. */
static bool on_fork(struct swt_procconn *pc, int32_t parent, int32_t child,
		    int64_t ts_ns, swt_procconn_tree_fn in_tree,
		    void *payload)
{
	struct ent *p = latest(pc, parent), *e;

	if (!(p && !p->np.exit_ns) && !in_tree(parent, child, payload))
		return false;
	e = new_ent(pc, child);
	if (!e)
		return false;
	e->np.ppid = parent;
	e->np.fork_ns = ts_ns;
	/* until it execs, it runs its parent's program (the same strings:
	 * no copy) */
	p = latest(pc, parent);	/* (the table may have moved) */
	if (p && p->np.cmdline) {
		e->np.cmdline = shstr_ref(p->np.cmdline);
		e->np.cmdline_len = p->np.cmdline_len;
		e->np.exe = shstr_ref(p->np.exe);
	}
	pc->st.procs++;
	return true;
}

/* Whether a read is allowed now, at most SWT_PROCCONN_READS_PER_S a
 * second with a burst of as many. */
static bool take_credit(struct swt_procconn *pc, int64_t now_ns)
{
	const int64_t full = (int64_t)SWT_PROCCONN_READS_PER_S * 1000000000;
	int64_t dt = now_ns - pc->credit_ns;

	if (pc->credit_ns == 0)
		pc->credit = full;
	else if (dt > 0)
		pc->credit += (dt > 1000000000 ? 1000000000 : dt) *
			      SWT_PROCCONN_READS_PER_S;
	if (dt > 0 || pc->credit_ns == 0)
		pc->credit_ns = now_ns;
	if (pc->credit > full)
		pc->credit = full;
	if (pc->credit < 1000000000)
		return false;
	pc->credit -= 1000000000;
	return true;
}

static void keep_exe(struct swt_procconn *pc, struct ent *e,
		     const char *path, size_t n)
{
	char **slot = &pc->exes[swt_fnv1a(path, n) & (EXE_CACHE - 1)];

	if (*slot && shstr_of(*slot)->len == n + 1 &&
	    memcmp(*slot, path, n) == 0) {
		e->np.exe = shstr_ref(*slot);
		return;
	}
	shstr_unref(pc, *slot);
	*slot = shstr_new(pc, path, n);
	e->np.exe = shstr_ref(*slot);
}

/* Its command line and program, now that it has exec'd and runs: given
 * (cmd: read by the kernel during the exec; exe NULL: to read) or read
 * from /proc now. */
static void on_exec(struct swt_procconn *pc, int32_t tgid, int64_t ts_ns,
		    const char *cmd, size_t cmd_len, const char *exe,
		    bool tracked)
{
	struct ent *e = latest(pc, tgid);
	char rel[40], path[4096];
	ssize_t n;
	int fd;

	if (e && e->np.exit_ns)
		return;
	if (!e) {
		/* a process the sampler has (its fork is not in the table):
		 * what it runs now, should it exit before its next row */
		if (!tracked || !(e = new_ent(pc, tgid)))
			return;
		e->exec_only = true;
	}
	e->np.exec_ns = ts_ns;
	e->np.comm[0] = '\0';	/* the exec gave it a new one */
	drop_strings(pc, &e->np);
	if (pc->cmd_bytes + 2 * sizeof(pc->scratch) >
	    SWT_PROCCONN_MAX_CMDLINE_BYTES) {
		pc->st.cmdlines_skipped++;
		return;
	}
	if (cmd) {
		/* no cost to speak of: no rate bound */
		if (cmd_len > SWT_PROCCONN_CMDLINE_MAX)
			cmd_len = SWT_PROCCONN_CMDLINE_MAX;
		if (cmd_len) {
			e->np.cmdline = shstr_new(pc, cmd, cmd_len);
			e->np.cmdline_len = cmd_len;
		}
		if (exe) {
			keep_exe(pc, e, exe, strlen(exe));
		} else {
			snprintf(rel, sizeof(rel), "%d/exe", (int)tgid);
			n = readlinkat(pc->proc_fd, rel, path,
				       sizeof(path) - 1);
			if (n > 0)
				keep_exe(pc, e, path, (size_t)n);
		}
		pc->st.cmdlines++;
		pc->st.cmdlines_bpf++;
		return;
	}
	if (!take_credit(pc, ts_ns)) {
		pc->st.cmdlines_skipped++;
		return;
	}
	snprintf(rel, sizeof(rel), "%d/cmdline", (int)e->np.pid);
	fd = openat(pc->proc_fd, rel, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : read(fd, pc->scratch, sizeof(pc->scratch));
	if (fd >= 0)
		close(fd);
	/* empty: it has exited already (a zombie has no memory to read) */
	if (n <= 0) {
		pc->st.cmdlines_skipped++;
		return;
	}
	e->np.cmdline = shstr_new(pc, pc->scratch, (size_t)n);
	e->np.cmdline_len = (size_t)n;
	snprintf(rel, sizeof(rel), "%d/exe", (int)e->np.pid);
	n = readlinkat(pc->proc_fd, rel, path, sizeof(path) - 1);
	if (n > 0)
		keep_exe(pc, e, path, (size_t)n);
	pc->st.cmdlines++;
}

static void on_comm(struct swt_procconn *pc, int32_t tgid, const char *comm)
{
	struct ent *e = latest(pc, tgid);

	if (e && !e->np.exit_ns) {
		memcpy(e->np.comm, comm, sizeof(e->np.comm));
		e->np.comm[sizeof(e->np.comm) - 1] = '\0';
	}
}

static void on_exit_ev(struct swt_procconn *pc, int32_t tgid, int64_t ts_ns)
{
	struct ent *e = latest(pc, tgid);

	if (e && !e->np.exit_ns)
		e->np.exit_ns = ts_ns;
}

static void on_event(struct swt_procconn *pc, const struct proc_event *ev,
		     swt_procconn_tree_fn in_tree, void *payload)
{
	int64_t ts = (int64_t)ev->timestamp_ns;

	switch (ev->what) {
	case PROC_EVENT_FORK:
		if (ev->event_data.fork.child_pid ==
		    ev->event_data.fork.child_tgid)	/* not a thread */
			(void)on_fork(pc, ev->event_data.fork.parent_tgid,
				      ev->event_data.fork.child_tgid, ts,
				      in_tree, payload);
		break;
	case PROC_EVENT_EXEC: {
		int32_t tgid = ev->event_data.exec.process_tgid;

		/* (tracked: a fork of it would be the tree's) */
		on_exec(pc, tgid, ts, NULL, 0, NULL,
			!latest(pc, tgid) && in_tree(tgid, tgid, payload));
		break;
	}
	case PROC_EVENT_COMM:
		if (ev->event_data.comm.process_pid ==
		    ev->event_data.comm.process_tgid)
			on_comm(pc, ev->event_data.comm.process_tgid,
				ev->event_data.comm.comm);
		break;
	case PROC_EVENT_EXIT:
		if (ev->event_data.exit.process_pid ==
		    ev->event_data.exit.process_tgid)
			on_exit_ev(pc, ev->event_data.exit.process_tgid, ts);
		break;
	default:
		break;
	}
}

/* A thread of a process of the tree exited (BPF): its counters are added
 * to its process's; the last one ends the process, whose exit record
 * (the sum) is handed on, as swt_exitacct would give it. */
static void on_thread_exit(struct swt_procconn *pc,
			   const struct swt_procev_event *ev)
{
	uint32_t i = swt_imap_get(&pc->thr_by_tgid, ev->tgid);
	struct thr_sum sum = { .tgid = ev->tgid, .io = ev->has_io };
	struct swt_exit_stats x;
	const struct thr_sum *t = i == SWT_MAP_NONE ? NULL : &pc->thr[i];
	uint64_t ut, st;

	if (t)
		sum = *t;
	/* the thread's exact run time, split as /proc splits it */
	swt_exit_cputime(ev->rtime_ns, ev->utime_ns, ev->stime_ns, &ut, &st);
	sum.utime_ns += ut;
	sum.stime_ns += st;
	sum.read_bytes += ev->read_bytes;
	sum.write_bytes += ev->write_bytes;
	sum.nvcsw += ev->nvcsw;
	sum.nivcsw += ev->nivcsw;
	if (pc->on_thread_exit) {
		/* its own record; the last one's before its process's */
		struct swt_thread_exit te;

		memset(&te, 0, sizeof(te));
		te.tid = ev->pid;
		te.tgid = ev->tgid;
		/* (the group's last event has its leader's name in comm,
		 * its own in tcomm) */
		memcpy(te.comm, ev->group_dead ? ev->tcomm : ev->comm,
		       sizeof(te.comm) - 1);
		te.utime_us = ut / 1000u;
		te.stime_us = st / 1000u;
		te.last = ev->group_dead;
		pc->on_thread_exit(&te, pc->exit_payload);
	}
	if (!ev->group_dead) {
		if (t) {
			pc->thr[i] = sum;
		} else if (pc->n_thr < SWT_PROCCONN_MAX_PROCS) {
			pc->thr = swt_grow(pc->thr, &pc->cap_thr,
					   pc->n_thr + 1, sizeof(*pc->thr));
			pc->thr[pc->n_thr] = sum;
			swt_imap_put(&pc->thr_by_tgid, ev->tgid,
				     (uint32_t)pc->n_thr++);
		} else {
			pc->st.table_full++;
		}
		return;
	}
	if (t) {	/* the last slot moves into its place */
		uint32_t last = (uint32_t)--pc->n_thr;

		if (i != last) {
			pc->thr[i] = pc->thr[last];
			swt_imap_put(&pc->thr_by_tgid, pc->thr[i].tgid, i);
		}
		swt_imap_del(&pc->thr_by_tgid, ev->tgid);
	}
	on_exit_ev(pc, ev->tgid, ev->ts_ns);
	if (!pc->on_exit_record)
		return;
	memset(&x, 0, sizeof(x));
	x.pid = ev->tgid;
	x.ppid = ev->ptgid;
	memcpy(x.comm, ev->comm, sizeof(ev->comm));
	x.utime_us = sum.utime_ns / 1000u;
	x.stime_us = sum.stime_ns / 1000u;
	x.hiwater_rss_kib = ev->has_mm ? ev->hiwater_kib : 0;
	x.read_bytes = sum.io ? sum.read_bytes : 0;
	x.write_bytes = sum.io ? sum.write_bytes : 0;
	x.nvcsw = sum.nvcsw;
	x.nivcsw = sum.nivcsw;
	x.etime_us = ev->ts_ns > ev->start_ns
			     ? (uint64_t)(ev->ts_ns - ev->start_ns) / 1000u
			     : 0;
	x.exit_code = ev->exit_code;
	pc->st.exit_records++;
	pc->on_exit_record(&x, pc->exit_payload);
}

struct pe_ctx {
	struct swt_procconn *pc;
	swt_procconn_tree_fn in_tree;
	void *payload;
};

/* swt_procev_fn: the same events, from the BPF program (threads already
 * left out by it). */
static void on_pe(const struct swt_procev_event *ev, void *payload)
{
	struct pe_ctx *c = payload;
	struct swt_procconn *pc = c->pc;

	pc->st.events++;
	switch (ev->kind) {
	case SWT_PE_FORK:
		if (on_fork(pc, ev->ptgid, ev->tgid, ev->ts_ns, c->in_tree,
			    c->payload) &&
		    !ev->in_tree)
			swt_procev_track(pc->pe, ev->tgid);
		break;
	case SWT_PE_EXEC:
		if (ev->in_tree)
			on_exec(pc, ev->tgid, ev->ts_ns, ev->cmd, ev->cmd_len,
				ev->exe, true);
		else	/* the kernel's table did not have it yet */
			on_exec(pc, ev->tgid, ev->ts_ns, NULL, 0, NULL,
				false);
		break;
	case SWT_PE_COMM:
		on_comm(pc, ev->tgid, ev->comm);
		break;
	case SWT_PE_EXIT:
		if (ev->stats)
			on_thread_exit(pc, ev);
		else
			on_exit_ev(pc, ev->tgid, ev->ts_ns);
		break;
	default:
		break;
	}
}

size_t swt_procconn_read(struct swt_procconn *pc, size_t max,
			 swt_procconn_tree_fn in_tree, void *payload)
{
	struct mmsghdr mm[BATCH];
	struct iovec iov[BATCH];
	size_t done = 0;
	unsigned i;

	if (pc->pe) {
		struct pe_ctx c = { pc, in_tree, payload };

		done = swt_procev_read(pc->pe, max, on_pe, &c);
		if (swt_procev_lost(pc->pe) != pc->st.overflows) {
			/* events were lost: a sum may miss its process's
			 * end, and a later process of that pid must not
			 * inherit it */
			pc->st.overflows = swt_procev_lost(pc->pe);
			pc->n_thr = 0;
			swt_imap_fini(&pc->thr_by_tgid);
			swt_imap_init(&pc->thr_by_tgid);
		}
		return done;
	}
	for (;;) {
		unsigned want = BATCH;
		int n;

		if (max && done >= max)
			break;
		if (max && max - done < want)
			want = (unsigned)(max - done);
		n = swt_nl_recv_batch(pc->fd, &pc->bufs[0][0], MSG_BYTES, want,
				      mm, iov);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			pc->st.overflows++;	/* events were lost; go on */
			continue;
		}
		if (n <= 0)
			break;
		for (i = 0; i < (unsigned)n; i++) {
			struct nlmsghdr *h =
				(struct nlmsghdr *)(void *)pc->bufs[i];
			const struct cn_msg *c;
			struct proc_event ev;
			size_t len = mm[i].msg_len, plen;

			pc->st.events++;
			if (len < NLMSG_LENGTH(sizeof(*c)) ||
			    h->nlmsg_len > len ||
			    h->nlmsg_len < NLMSG_LENGTH(sizeof(*c)))
				continue;
			c = NLMSG_DATA(h);
			if (c->id.idx != CN_IDX_PROC ||
			    c->id.val != CN_VAL_PROC)
				continue;
			plen = h->nlmsg_len - NLMSG_LENGTH(sizeof(*c));
			if (c->len < plen)
				plen = c->len;
			/* a shorter event (an older kernel's) is padded */
			memset(&ev, 0, sizeof(ev));
			memcpy(&ev, c->data,
			       plen < sizeof(ev) ? plen : sizeof(ev));
			on_event(pc, &ev, in_tree, payload);
		}
		done += (size_t)n;
		if ((unsigned)n < want)
			break;
	}
	return done;
}

const struct swt_newproc *swt_procconn_find(const struct swt_procconn *pc,
					    int32_t pid, uint64_t etime_us)
{
	uint32_t i = swt_imap_get(&pc->latest, pid);
	const struct swt_newproc *best = NULL, *live = NULL;
	uint64_t best_d = MATCH_SLACK_US + 1;

	for (; i != SWT_MAP_NONE && i != NONE; i = pc->ents[i].prev) {
		const struct swt_newproc *np = &pc->ents[i].np;
		uint64_t life, d;

		if (pc->ents[i].exec_only)
			continue;	/* (no fork to match) */
		if (!np->exit_ns) {
			/* its exit event is still to come (it ended just
			 * now): the record's if no ended one matches */
			if (!live)
				live = np;
			continue;
		}
		life = (uint64_t)(np->exit_ns - np->fork_ns) / 1000u;
		if (life + MATCH_BELOW_US < etime_us)
			continue;
		d = life > etime_us ? life - etime_us : etime_us - life;
		if (d < best_d) {
			best = np;
			best_d = d;
		}
	}
	return best ? best : live;
}

uint32_t swt_procconn_ref(const struct swt_procconn *pc,
			  const struct swt_newproc *np)
{
	const struct ent *e = (const struct ent *)(const void *)np;

	return (uint32_t)(e - pc->ents);
}

const struct swt_newproc *swt_procconn_at(const struct swt_procconn *pc,
					  uint32_t ref)
{
	return &pc->ents[ref].np;
}

const struct swt_newproc *swt_procconn_exec_of(const struct swt_procconn *pc,
					       int32_t pid)
{
	uint32_t i = swt_imap_get(&pc->latest, pid);

	for (; i != SWT_MAP_NONE && i != NONE; i = pc->ents[i].prev)
		if (pc->ents[i].exec_only)
			return &pc->ents[i].np;
	return NULL;
}

bool swt_procconn_has(const struct swt_procconn *pc, int32_t pid)
{
	return latest(pc, pid) != NULL;
}

void swt_procconn_forget(struct swt_procconn *pc,
			 const struct swt_newproc *np)
{
	const struct ent *e = (const struct ent *)(const void *)np;

	remove_ent(pc, (uint32_t)(e - pc->ents));
}

void swt_procconn_sweep(struct swt_procconn *pc, int64_t exited_before_ns,
			bool (*tracked)(int32_t pid, void *payload),
			void *payload)
{
	size_t i;

	for (i = 0; i < pc->n_ents; i++) {
		const struct ent *e = &pc->ents[i];

		if (!e->used)
			continue;
		if (e->exec_only) {
			/* (its exit record, if it exited, came by now) */
			if (e->np.exec_ns < exited_before_ns)
				remove_ent(pc, (uint32_t)i);
			continue;
		}
		if (e->np.exit_ns) {
			if (e->np.exit_ns < exited_before_ns) {
				pc->st.unmatched++;
				remove_ent(pc, (uint32_t)i);
			}
		} else if (tracked(e->np.pid, payload)) {
			remove_ent(pc, (uint32_t)i);
		}
	}
}

bool swt_procconn_pending(const struct swt_procconn *pc)
{
	return pc->pe ? swt_procev_pending(pc->pe) : true;
}

void swt_procconn_rearm(struct swt_procconn *pc)
{
	if (pc->pe)
		swt_procev_rearm(pc->pe);
}

size_t swt_procconn_count(const struct swt_procconn *pc)
{
	return pc->live;
}

void swt_procconn_get_stats(const struct swt_procconn *pc,
			    struct swt_procconn_stats *out)
{
	*out = pc->st;
}

void swt_procconn_free(struct swt_procconn *pc)
{
	size_t i;

	if (!pc)
		return;
	if (pc->fd >= 0) {
		(void)send_op(pc, PROC_CN_MCAST_IGNORE);
		close(pc->fd);
	}
	swt_procev_free(pc->pe);
	if (pc->proc_fd >= 0)
		close(pc->proc_fd);
	for (i = 0; i < pc->n_ents; i++)
		if (pc->ents[i].used)
			drop_strings(pc, &pc->ents[i].np);
	for (i = 0; i < EXE_CACHE; i++)
		shstr_unref(pc, pc->exes[i]);
	free(pc->ents);
	free(pc->free_list);
	free(pc->thr);
	swt_imap_fini(&pc->latest);
	swt_imap_fini(&pc->thr_by_tgid);
	free(pc);
}
