/* swt_exitacct.c — taskstats exit records: see swt_exitacct.h. */
#include "swt_exitacct.h"

#include <errno.h>
#include <linux/acct.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/taskstats.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "swt_alloc.h"
#include "swt_nlbatch.h"
#include "swt_status.h"

#ifndef AGROUP
#define AGROUP 0x20	/* linux/acct.h: the last task of its group */
#endif

/* Enough for a tick's worth of exits of a busy machine (a record is about
 * 600 bytes; 8 MiB hold some 14 000); the kernel doubles it. */
#define RCVBUF_BYTES (8 << 20)

/* Threads that exited before their process: their CPU, I/O and switches
 * summed per thread group until the group's last thread exits (the
 * kernel's group record, AGGR_TGID, carries only delay accounting). A
 * direct-mapped table: a collision replaces the older group's sum, which
 * then misses those threads (the analysis never counts less than the
 * process's rows showed). */
#define THR_SLOTS 4096

#define BATCH 32
#define BATCH_BYTES 2048

struct thr_sum {
	int32_t tgid;		/* 0: free */
	uint64_t utime_us, stime_us;
	uint64_t read_bytes, write_bytes;
	uint64_t nvcsw, nivcsw;
	uint64_t etime_us;	/* the leader's, if it exited first */
	char comm[32];		/* the leader's, if it exited first */
};

struct swt_exitacct {
	int fd;
	struct thr_sum *thr;	/* THR_SLOTS, allocated on first use */
	bool agroup;		/* the kernel flags a group's last task */
	uint16_t family;
	char mask[32];		/* the CPU list registered */
	swt_thread_exit_fn on_thread;	/* swt_exitacct_on_thread() */
	void *thread_payload;
	/* netlink headers are read in place. recvmmsg(): a record is some
	 * 600 bytes; one a call costs twice as much on a virtual machine
	 * (measured). The answers at opening use the whole as one buffer. */
	_Alignas(NLMSG_ALIGNTO) char bufs[BATCH][BATCH_BYTES];
};

static void *nla_data(const struct nlattr *na)
{
	return (char *)(uintptr_t)na + NLA_HDRLEN;
}

/* One generic netlink request with one attribute. */
static int request(struct swt_exitacct *ea, uint16_t type, uint8_t cmd,
		   uint16_t attr, const void *data, size_t len)
{
	struct {
		struct nlmsghdr n;
		struct genlmsghdr g;
		char attrs[128];
	} m;
	struct nlattr *na;
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };

	if (len > sizeof(m.attrs) - NLA_HDRLEN)
		return -1;
	memset(&m, 0, sizeof(m));
	m.n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	m.n.nlmsg_type = type;
	m.n.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	m.g.cmd = cmd;
	m.g.version = 1;
	na = (struct nlattr *)(void *)((char *)&m + NLMSG_ALIGN(m.n.nlmsg_len));
	na->nla_type = attr;
	na->nla_len = (uint16_t)(NLA_HDRLEN + len);
	memcpy(nla_data(na), data, len);
	m.n.nlmsg_len += NLA_ALIGN(na->nla_len);
	return sendto(ea->fd, &m, m.n.nlmsg_len, 0, (struct sockaddr *)&to,
		      sizeof(to)) < 0 ?
		       -1 :
		       0;
}

/* Wait for the answer to a request: the family id of CTRL_CMD_GETFAMILY
 * (*family) and its acknowledgement. Returns 0 or -errno. */
static int answer(struct swt_exitacct *ea, uint16_t *family)
{
	for (;;) {
		ssize_t n = recv(ea->fd, ea->bufs, sizeof(ea->bufs), 0);
		struct nlmsghdr *h = (struct nlmsghdr *)(void *)ea->bufs;
		size_t left;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		left = (size_t)n;
		for (; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				return e->error;	/* 0: the ack */
			}
			if (family && h->nlmsg_type == GENL_ID_CTRL) {
				struct nlattr *na = (struct nlattr *)(void *)(
					(char *)NLMSG_DATA(h) + GENL_HDRLEN);
				int rem = (int)h->nlmsg_len -
					  (int)NLMSG_LENGTH(GENL_HDRLEN);

				while (rem >= NLA_HDRLEN &&
				       na->nla_len >= NLA_HDRLEN &&
				       na->nla_len <= rem) {
					if (na->nla_type == CTRL_ATTR_FAMILY_ID)
						memcpy(family, nla_data(na),
						       sizeof(*family));
					rem -= NLA_ALIGN(na->nla_len);
					na = (struct nlattr *)(void *)(
						(char *)na +
						NLA_ALIGN(na->nla_len));
				}
			}
		}
	}
}

int swt_exitacct_open(struct swt_exitacct **out, char *errmsg,
		      size_t errlen)
{
	struct swt_exitacct *ea = swt_zalloc(sizeof(*ea));
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int size = RCVBUF_BYTES, err;
	long cpus = sysconf(_SC_NPROCESSORS_CONF);

	*out = NULL;
	ea->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (ea->fd < 0 || bind(ea->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		snprintf(errmsg, errlen, "generic netlink: %s",
			 strerror(errno));
		goto fail;
	}
	/* as root the limit of net.core.rmem_max does not apply */
	if (setsockopt(ea->fd, SOL_SOCKET, SO_RCVBUFFORCE, &size,
		       sizeof(size)) < 0)
		(void)setsockopt(ea->fd, SOL_SOCKET, SO_RCVBUF, &size,
				 sizeof(size));
	if (request(ea, GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
		    CTRL_ATTR_FAMILY_NAME, TASKSTATS_GENL_NAME,
		    sizeof(TASKSTATS_GENL_NAME)) < 0 ||
	    (err = answer(ea, &ea->family)) < 0 || !ea->family) {
		snprintf(errmsg, errlen, "no taskstats in this kernel");
		goto fail;
	}
	snprintf(ea->mask, sizeof(ea->mask), "0-%ld",
		 cpus > 1 ? cpus - 1 : 0);
	if (request(ea, ea->family, TASKSTATS_CMD_GET,
		    TASKSTATS_CMD_ATTR_REGISTER_CPUMASK, ea->mask,
		    strlen(ea->mask) + 1) < 0 ||
	    (err = answer(ea, NULL)) < 0) {
		snprintf(errmsg, errlen, "taskstats exit records: %s%s",
			 strerror(err < 0 ? -err : errno),
			 err == -EPERM ? " (needs CAP_NET_ADMIN: root)" : "");
		goto fail;
	}
	*out = ea;
	return 0;
fail:
	swt_exitacct_free(ea);
	return SWT_EIO;
}

/* The taskstats of a TASKSTATS_TYPE_AGGR_PID or _AGGR_TGID attribute,
 * copied into *ts (a newer kernel's larger struct is cut, an older one's
 * smaller struct padded with zeros); false if it has none. */
static bool nested_stats(const struct nlattr *outer, struct taskstats *ts)
{
	const struct nlattr *na = nla_data(outer);
	int rem = outer->nla_len - NLA_HDRLEN;

	while (rem >= NLA_HDRLEN && na->nla_len >= NLA_HDRLEN &&
	       na->nla_len <= rem) {
		if (na->nla_type == TASKSTATS_TYPE_STATS) {
			size_t len = na->nla_len - NLA_HDRLEN;

			memset(ts, 0, sizeof(*ts));
			memcpy(ts, nla_data(na),
			       len < sizeof(*ts) ? len : sizeof(*ts));
			return true;
		}
		rem -= NLA_ALIGN(na->nla_len);
		na = (const struct nlattr *)(const void *)(
			(const char *)na + NLA_ALIGN(na->nla_len));
	}
	return false;
}

__extension__ typedef unsigned __int128 u128;

void swt_exit_cputime(uint64_t rtime, uint64_t utime, uint64_t stime,
		      uint64_t *ut, uint64_t *st)
{
	if (utime + stime == 0 || stime == 0) {
		*ut = rtime;
		*st = 0;
	} else if (utime == 0) {
		*ut = 0;
		*st = rtime;
	} else {
		*ut = (uint64_t)((u128)rtime * utime / (utime + stime));
		*st = rtime - *ut;
	}
}

/* A task's user and system time (us): its exact run time
 * (cpu_run_virtual_total: the scheduler's sum_exec_runtime, which the
 * kernel fills with CONFIG_TASK_DELAY_ACCT, whether delay accounting is on
 * or not; cpu_run_real_total is only the tick samples' sum) split by the
 * tick samples ac_utime and ac_stime; the samples alone where it is 0. */
static void task_times(const struct taskstats *ts, uint64_t *ut, uint64_t *st)
{
	uint64_t rt = ts->cpu_run_virtual_total / 1000u;

	*ut = ts->ac_utime;
	*st = ts->ac_stime;
	if (rt)
		swt_exit_cputime(rt, ts->ac_utime, ts->ac_stime, ut, st);
}

/* The task's name into dst[n], which is zeroed: NUL-terminated. */
static void ac_comm(char *dst, size_t n, const struct taskstats *ts)
{
	memcpy(dst, ts->ac_comm,
	       n - 1 < sizeof(ts->ac_comm) ? n - 1 : sizeof(ts->ac_comm));
}

static void to_stats(const struct taskstats *ts, struct swt_exit_stats *x)
{
	memset(x, 0, sizeof(*x));
	x->pid = (int32_t)ts->ac_tgid;
	x->ppid = (int32_t)ts->ac_ppid;
	ac_comm(x->comm, sizeof(x->comm), ts);
	task_times(ts, &x->utime_us, &x->stime_us);
	x->hiwater_rss_kib = ts->hiwater_rss;
	x->read_bytes = ts->read_bytes;
	x->write_bytes = ts->write_bytes;
	x->nvcsw = ts->nvcsw;
	x->nivcsw = ts->nivcsw;
	x->btime_s = ts->ac_btime64 ? ts->ac_btime64 : ts->ac_btime;
	x->etime_us = ts->ac_etime;
	x->exit_code = ts->ac_exitcode;
}

static struct thr_sum *thr_slot(struct swt_exitacct *ea, int32_t tgid)
{
	uint32_t k = (uint32_t)tgid * UINT32_C(2654435761);

	if (!ea->thr)
		ea->thr = swt_zalloc(THR_SLOTS * sizeof(*ea->thr));
	return &ea->thr[k >> 20 & (THR_SLOTS - 1)];
}

static void thr_add(struct thr_sum *t, const struct taskstats *ts)
{
	uint64_t ut, st;

	task_times(ts, &ut, &st);
	t->utime_us += ut;
	t->stime_us += st;
	t->read_bytes += ts->read_bytes;
	t->write_bytes += ts->write_bytes;
	t->nvcsw += ts->nvcsw;
	t->nivcsw += ts->nivcsw;
}

/* The thread's own record to the caller (swt_exitacct_on_thread()). */
static void thread_exit(struct swt_exitacct *ea, const struct taskstats *ts,
			bool last)
{
	struct swt_thread_exit te;

	if (!ea->on_thread)
		return;
	memset(&te, 0, sizeof(te));
	te.tid = (int32_t)ts->ac_pid;
	te.tgid = (int32_t)ts->ac_tgid;
	ac_comm(te.comm, sizeof(te.comm), ts);
	task_times(ts, &te.utime_us, &te.stime_us);
	te.last = last;
	ea->on_thread(&te, ea->thread_payload);
}

/* One TASKSTATS_CMD_NEW message. A thread that exits before the rest of
 * its group is added to the group's sum; the last thread's message
 * (AGGR_TGID present: group_dead) completes the process's record, whose
 * identity (comm, parent, start) is the exiting thread's and whose
 * counters are the sum of all its threads'. A process of one thread is
 * its AGGR_PID record alone. */
static bool one_message(struct swt_exitacct *ea, struct nlmsghdr *h,
			struct swt_exit_stats *x)
{
	const struct nlattr *na = (const struct nlattr *)(const void *)(
		(const char *)NLMSG_DATA(h) + GENL_HDRLEN);
	int rem = (int)h->nlmsg_len - (int)NLMSG_LENGTH(GENL_HDRLEN);
	struct taskstats ts;
	struct thr_sum *t;
	bool have_pid = false, have_tgid = false, last;

	while (rem >= NLA_HDRLEN && na->nla_len >= NLA_HDRLEN &&
	       na->nla_len <= rem) {
		if (na->nla_type == TASKSTATS_TYPE_AGGR_PID)
			have_pid = nested_stats(na, &ts);
		else if (na->nla_type == TASKSTATS_TYPE_AGGR_TGID)
			have_tgid = true; /* the group is dead */
		rem -= NLA_ALIGN(na->nla_len);
		na = (const struct nlattr *)(const void *)(
			(const char *)na + NLA_ALIGN(na->nla_len));
	}
	if (!have_pid || ts.ac_tgid == 0)
		return false;
	if (ts.ac_flag & AGROUP)
		ea->agroup = true;
	/* the last task of its process: AGROUP where the kernel sets it;
	 * before it did,
	 * the group record or a leader's own (which a leader that exits
	 * before its threads also sends: its process is cut short there) */
	last = ea->agroup ? (ts.ac_flag & AGROUP) != 0 :
			    have_tgid || ts.ac_pid == ts.ac_tgid;
	t = thr_slot(ea, (int32_t)ts.ac_tgid);
	if (last)
		thread_exit(ea, &ts, true);
	if (last && t->tgid != (int32_t)ts.ac_tgid) {
		to_stats(&ts, x);	/* its only thread, or all we saw */
		return x->pid > 0;
	}
	if (t->tgid != (int32_t)ts.ac_tgid) {
		memset(t, 0, sizeof(*t));
		t->tgid = (int32_t)ts.ac_tgid;
	}
	thr_add(t, &ts);
	if (ts.ac_pid == ts.ac_tgid) {
		to_stats(&ts, x);
		memcpy(t->comm, x->comm, sizeof(t->comm));
		t->etime_us = x->etime_us;
	}
	if (!last) {
		thread_exit(ea, &ts, false);	/* the group lives on */
		return false;
	}
	to_stats(&ts, x);
	if (t->comm[0]) {
		/* the process's name and age are its leader's */
		memcpy(x->comm, t->comm, sizeof(x->comm));
		if (t->etime_us > x->etime_us)
			x->etime_us = t->etime_us;
	}
	x->utime_us = t->utime_us;
	x->stime_us = t->stime_us;
	x->read_bytes = t->read_bytes;
	x->write_bytes = t->write_bytes;
	x->nvcsw = t->nvcsw;
	x->nivcsw = t->nivcsw;
	memset(t, 0, sizeof(*t));
	return x->pid > 0;
}

size_t swt_exitacct_read(struct swt_exitacct *ea,
			 void (*fn)(const struct swt_exit_stats *, void *),
			 void *payload, uint64_t *overflows)
{
	struct mmsghdr mm[BATCH];
	struct iovec iov[BATCH];
	size_t n_out = 0;
	unsigned i;

	for (;;) {
		int n = swt_nl_recv_batch(ea->fd, &ea->bufs[0][0],
					  BATCH_BYTES, BATCH, mm, iov);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			(*overflows)++;	/* records were lost; go on */
			/* a sum may now miss its group's end: a later
			 * process of that pid must not inherit it */
			if (ea->thr)
				memset(ea->thr, 0,
				       THR_SLOTS * sizeof(*ea->thr));
			continue;
		}
		if (n <= 0)
			break;
		for (i = 0; i < (unsigned)n; i++) {
			struct nlmsghdr *h =
				(struct nlmsghdr *)(void *)ea->bufs[i];
			size_t left = mm[i].msg_len;

			/* (a datagram longer than its buffer, cut, fails
			 * NLMSG_OK) */
			for (; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
				struct swt_exit_stats x;

				if (h->nlmsg_type != ea->family ||
				    h->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
					continue;
				if (one_message(ea, h, &x)) {
					fn(&x, payload);
					n_out++;
				}
			}
		}
		if (n < BATCH)
			break;
	}
	return n_out;
}

void swt_exitacct_on_thread(struct swt_exitacct *ea, swt_thread_exit_fn fn,
			    void *payload)
{
	ea->on_thread = fn;
	ea->thread_payload = payload;
}

void swt_exitacct_free(struct swt_exitacct *ea)
{
	if (!ea)
		return;
	if (ea->fd >= 0) {
		if (ea->family)
			(void)request(ea, ea->family, TASKSTATS_CMD_GET,
				      TASKSTATS_CMD_ATTR_DEREGISTER_CPUMASK,
				      ea->mask, strlen(ea->mask) + 1);
		close(ea->fd);
	}
	free(ea->thr);
	free(ea);
}
