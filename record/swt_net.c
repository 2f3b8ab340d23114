/* swt_net.c — network of the recorded processes: see swt_net.h. */
#include "swt_net.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "swt_alloc.h"
#include "swt_map.h"
#include "swt_status.h"

#ifndef SKNLGRP_INET_TCP_DESTROY
#define SKNLGRP_INET_TCP_DESTROY 1
#define SKNLGRP_INET6_TCP_DESTROY 3
#endif

enum { KIND_TCP = 1, KIND_UDP = 2, KIND_OTHER = 3 };

/* Owned TCP sockets are read one by one (a hash lookup in the kernel)
 * up to this many per round; more, and one dump of the table is cheaper
 * (a dump walks every bucket of the kernel's TCP hash: about 1 ms here
 * even with a handful of sockets). */
#define QUERY_MAX 256

/* Inodes and cookies as keys of swt_imap (which cannot hold INT64_MIN:
 * such a key, never seen in practice, is simply not found). */
static void map_put(struct swt_imap *m, uint64_t key, uint32_t val)
{
	if ((int64_t)key != INT64_MIN)
		swt_imap_put(m, (int64_t)key, val);
}

static bool map_get(const struct swt_imap *m, uint64_t key, uint32_t *val)
{
	uint32_t v;

	if (!key || (int64_t)key == INT64_MIN)
		return false;
	v = swt_imap_get(m, (int64_t)key);
	if (v == SWT_MAP_NONE)
		return false;
	*val = v;
	return true;
}

/* A socket of the machine's table (this round). */
struct sock {
	uint64_t inode;
	uint64_t cookie;
	uint64_t acked, received;
	int kind;
	int family;
	struct inet_diag_sockid id;
};

/* A socket a tracked process holds: its kind (once known, it never
 * changes) and, for TCP, whose it is and the bytes counted so far. */
struct owned {
	uint64_t inode;
	uint64_t cookie;
	int kind;
	int family;		/* TCP: to ask for it alone */
	struct inet_diag_sockid id;
	int32_t owner;		/* 0: released, the next holder takes it */
	uint64_t last_tx, last_rx;
	uint64_t round;		/* last round a holder was read */
	uint64_t read_round;	/* the round its bytes were read */
	uint64_t acked, received; /* ... as read then */
};

/* Bytes of destroyed sockets not yet added to their owner. */
struct credit {
	int32_t pid;
	uint64_t tx, rx;
};

struct swt_net {
	bool (*own_kept)(int fd, void *payload);	/* swt_net_own_fds() */
	void *own_payload;
	int fd;			/* dumps */
	int dfd;		/* destroy events, -1 none */
	uint32_t seq;
	uint64_t round;
	uint64_t tick;		/* swt_net_take_events() calls */
	uint64_t dumped_tick;	/* the tick of the last table */
	uint64_t table_round;	/* ... and its round */
	struct sock *socks;
	size_t n_socks, cap_socks;
	struct swt_imap sock_map;	/* inode -> socks */
	struct owned *own;
	size_t n_own, cap_own;
	struct swt_imap own_map;	/* inode -> own */
	struct swt_imap cookie_map; /* cookie -> own */
	struct credit *credits;
	size_t n_credits, cap_credits;
	struct swt_netdev *devs;
	char (*dev_names)[32];
	size_t n_devs, cap_devs, cap_dev_names;
	struct swt_net_stats stats;
	_Alignas(NLMSG_ALIGNTO) char buf[32 << 10];
};

int swt_net_open(struct swt_net **out, bool destroy_events, char *errmsg,
		 size_t errlen)
{
	struct swt_net *n = swt_zalloc(sizeof(*n));

	*out = NULL;
	n->dfd = -1;
	n->dumped_tick = UINT64_MAX;	/* no table yet */
	n->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (n->fd < 0) {
		snprintf(errmsg, errlen, "sock_diag: %s", strerror(errno));
		free(n);
		return SWT_EIO;
	}
	if (destroy_events) {
		struct sockaddr_nl ga = { .nl_family = AF_NETLINK };

		ga.nl_groups = 1u << (SKNLGRP_INET_TCP_DESTROY - 1) |
			       1u << (SKNLGRP_INET6_TCP_DESTROY - 1);
		n->dfd = socket(AF_NETLINK,
				SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
				NETLINK_SOCK_DIAG);
		if (n->dfd >= 0 &&
		    bind(n->dfd, (struct sockaddr *)&ga, sizeof(ga)) < 0) {
			close(n->dfd);	/* not root: no final bytes */
			n->dfd = -1;
		}
		if (n->dfd >= 0) {
			int size = 4 << 20;

			if (setsockopt(n->dfd, SOL_SOCKET, SO_RCVBUFFORCE,
				       &size, sizeof(size)) < 0)
				(void)setsockopt(n->dfd, SOL_SOCKET,
						 SO_RCVBUF, &size,
						 sizeof(size));
		}
	}
	n->stats.destroy_events = n->dfd >= 0;
	*out = n;
	return 0;
}

/* The tcp_info of a message's attributes (zeros if absent or short). */
static void msg_info(const struct inet_diag_msg *r, size_t len,
		     struct tcp_info *ti)
{
	const char *p = (const char *)(r + 1);
	size_t rem = len > sizeof(*r) ? len - sizeof(*r) : 0;

	memset(ti, 0, sizeof(*ti));
	while (rem >= sizeof(struct rtattr)) {
		const struct rtattr *a = (const void *)p;
		size_t step = RTA_ALIGN(a->rta_len);

		if (a->rta_len < sizeof(*a) || a->rta_len > rem)
			return;
		if (a->rta_type == INET_DIAG_INFO) {
			size_t l = a->rta_len - RTA_LENGTH(0);

			memcpy(ti, p + RTA_LENGTH(0),
			       l < sizeof(*ti) ? l : sizeof(*ti));
			return;
		}
		if (step >= rem)
			return;
		p += step;
		rem -= step;
	}
}

static uint64_t msg_cookie(const struct inet_diag_msg *r)
{
	return (uint64_t)r->id.idiag_cookie[0] |
	       (uint64_t)r->id.idiag_cookie[1] << 32;
}

static void add_sock(struct swt_net *n, const struct inet_diag_msg *r,
		     size_t len, int kind)
{
	struct sock *s;

	if (!r->idiag_inode)
		return;	/* TIME_WAIT and the like: no longer anyone's */
	n->socks = swt_grow(n->socks, &n->cap_socks, n->n_socks + 1,
			    sizeof(*n->socks));
	s = &n->socks[n->n_socks];
	memset(s, 0, sizeof(*s));
	s->inode = r->idiag_inode;
	s->cookie = msg_cookie(r);
	s->kind = kind;
	s->family = r->idiag_family;
	s->id = r->id;
	if (kind == KIND_TCP) {
		struct tcp_info ti;

		msg_info(r, len, &ti);
		s->acked = ti.tcpi_bytes_acked;
		s->received = ti.tcpi_bytes_received;
	}
	map_put(&n->sock_map, s->inode, (uint32_t)n->n_socks);
	n->n_socks++;
}

/* Send a sock_diag request for family and protocol (a dump, or the one
 * socket id), with tcp_info if info, and pass each answer to fn until the
 * dump ends or fn returns 1. Returns 0 (an error answer: a family or
 * protocol this kernel lacks, or no such socket, with *missing set) or
 * SWT_EIO. */
static int request(struct swt_net *n, int family, int proto, bool info,
		   const struct inet_diag_sockid *id,
		   int (*fn)(struct swt_net *, const struct inet_diag_msg *,
			     size_t, void *),
		   void *arg, bool *missing)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
	} req;
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };

	*missing = false;
	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = sizeof(req);
	req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | (id ? 0 : NLM_F_DUMP);
	req.nlh.nlmsg_seq = ++n->seq;
	req.r.sdiag_family = (uint8_t)family;
	req.r.sdiag_protocol = (uint8_t)proto;
	req.r.idiag_states = ~0u;
	if (info)
		req.r.idiag_ext = 1u << (INET_DIAG_INFO - 1);
	if (id)
		req.r.id = *id;
	if (sendto(n->fd, &req, sizeof(req), 0, (struct sockaddr *)&to,
		   sizeof(to)) < 0)
		return SWT_EIO;
	for (;;) {
		ssize_t got = recv(n->fd, n->buf, sizeof(n->buf), 0);
		struct nlmsghdr *h = (struct nlmsghdr *)(void *)n->buf;
		size_t left;

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return SWT_EIO;
		left = (size_t)got;
		for (; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_seq != n->seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				*missing = true;
				return 0;
			}
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(
						   struct inet_diag_msg)))
				continue;
			if (fn(n, NLMSG_DATA(h), h->nlmsg_len - NLMSG_LENGTH(0),
			       arg))
				return 0;
		}
	}
}

static int add_tcp(struct swt_net *n, const struct inet_diag_msg *r,
		   size_t len, void *arg)
{
	(void)arg;
	add_sock(n, r, len, KIND_TCP);
	return 0;
}

static int add_udp(struct swt_net *n, const struct inet_diag_msg *r,
		   size_t len, void *arg)
{
	(void)arg;
	add_sock(n, r, len, KIND_UDP);
	return 0;
}

/* One dump of the sockets of a family and protocol into the table. */
static int dump(struct swt_net *n, int family, int proto, int kind)
{
	bool missing;

	return request(n, family, proto, kind == KIND_TCP, NULL,
		       kind == KIND_TCP ? add_tcp : add_udp, NULL, &missing);
}

static void add_credit(struct swt_net *n, int32_t pid, uint64_t tx,
		       uint64_t rx)
{
	size_t i;

	for (i = 0; i < n->n_credits; i++)
		if (n->credits[i].pid == pid)
			break;
	if (i == n->n_credits) {
		n->credits = swt_grow(n->credits, &n->cap_credits,
				      n->n_credits + 1, sizeof(*n->credits));
		memset(&n->credits[i], 0, sizeof(n->credits[i]));
		n->credits[i].pid = pid;
		n->n_credits++;
	}
	n->credits[i].tx += tx;
	n->credits[i].rx += rx;
}

/* The destroy events since the last round: the bytes a counted socket
 * moved after its last reading go to its owner's next reading. */
static void take_destroyed(struct swt_net *n)
{
	for (;;) {
		ssize_t got = recv(n->dfd, n->buf, sizeof(n->buf),
				   MSG_DONTWAIT);
		struct nlmsghdr *h = (struct nlmsghdr *)(void *)n->buf;
		size_t left;

		if (got < 0 && (errno == EINTR || errno == ENOBUFS))
			continue;	/* (lost events: bytes missed) */
		if (got <= 0)
			return;
		left = (size_t)got;
		for (; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			const struct inet_diag_msg *r = NLMSG_DATA(h);
			struct tcp_info ti;
			struct owned *o;
			uint32_t k;

			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*r)))
				continue;
			if (!(r->idiag_inode &&
			      map_get(&n->own_map, r->idiag_inode, &k)) &&
			    !map_get(&n->cookie_map, msg_cookie(r), &k))
				continue;
			o = &n->own[k];
			if (o->kind != KIND_TCP)
				continue;
			msg_info(r, h->nlmsg_len - NLMSG_LENGTH(0), &ti);
			n->stats.destroyed++;
			if (o->owner > 0)
				add_credit(n,
					   o->owner,
					   ti.tcpi_bytes_acked > o->last_tx ?
						   ti.tcpi_bytes_acked -
							   o->last_tx :
						   0,
					   ti.tcpi_bytes_received > o->last_rx ?
						   ti.tcpi_bytes_received -
							   o->last_rx :
						   0);
			if (ti.tcpi_bytes_acked > o->last_tx)
				o->last_tx = ti.tcpi_bytes_acked;
			if (ti.tcpi_bytes_received > o->last_rx)
				o->last_rx = ti.tcpi_bytes_received;
		}
	}
}

/* The machine's TCP and UDP sockets, afresh. */
static int dump_table(struct swt_net *n)
{
	int err = 0;

	n->dumped_tick = n->tick;
	n->table_round = n->round;
	n->n_socks = 0;
	swt_imap_clear(&n->sock_map);
	if (dump(n, AF_INET, IPPROTO_TCP, KIND_TCP) < 0 ||
	    dump(n, AF_INET6, IPPROTO_TCP, KIND_TCP) < 0 ||
	    dump(n, AF_INET, IPPROTO_UDP, KIND_UDP) < 0 ||
	    dump(n, AF_INET6, IPPROTO_UDP, KIND_UDP) < 0)
		err = SWT_EIO;
	n->stats.dumps++;
	return err;
}

int swt_net_refresh(struct swt_net *n)
{
	size_t i, tcp = 0;

	n->round++;
	n->tick++;	/* (a round is a tick of its own) */
	n->stats.rounds++;
	if (n->dfd >= 0)
		take_destroyed(n);
	/* many sockets to read: one dump (else each alone, as needed) */
	for (i = 0; i < n->n_own; i++)
		tcp += n->own[i].kind == KIND_TCP;
	n->stats.tcp_sockets = tcp;
	return tcp > QUERY_MAX ? dump_table(n) : 0;
}

/* "socket:[N]" -> N, 0 if it is not a socket. */
static uint64_t socket_inode(const char *link)
{
	uint64_t v = 0;

	if (strncmp(link, "socket:[", 8) != 0)
		return 0;
	for (link += 8; *link >= '0' && *link <= '9'; link++)
		v = v * 10 + (uint64_t)(*link - '0');
	return *link == ']' ? v : 0;
}

/* The entry of socket inode ino, held by pid: made from the table if the
 * socket is new (a table of this tick: the socket may be newer than the
 * last one), with its kind (not in the TCP or UDP table: other, for
 * good) and, for TCP, its identity and bytes then (a base for an older
 * process's first reading). NULL if the table cannot be read. */
static struct owned *known(struct swt_net *n, uint64_t ino, int32_t pid,
			   bool from_zero)
{
	struct owned *o;
	uint32_t k;

	if (map_get(&n->own_map, ino, &k))
		return &n->own[k];
	if (!map_get(&n->sock_map, ino, &k) && n->dumped_tick != n->tick &&
	    dump_table(n) < 0)
		return NULL;
	n->own = swt_grow(n->own, &n->cap_own, n->n_own + 1, sizeof(*n->own));
	o = &n->own[n->n_own];
	memset(o, 0, sizeof(*o));
	o->inode = ino;
	o->kind = KIND_OTHER;	/* unix, netlink, raw, ... */
	if (map_get(&n->sock_map, ino, &k)) {
		const struct sock *sk = &n->socks[k];

		o->kind = sk->kind;
		o->cookie = sk->cookie;
		o->family = sk->family;
		o->id = sk->id;
		o->owner = pid;
		o->acked = sk->acked;
		o->received = sk->received;
		o->read_round = n->table_round;
		if (!from_zero) {
			o->last_tx = sk->acked;
			o->last_rx = sk->received;
		}
	}
	map_put(&n->own_map, ino, (uint32_t)n->n_own);
	if (o->kind == KIND_TCP && o->cookie)
		map_put(&n->cookie_map, o->cookie, (uint32_t)n->n_own);
	return &n->own[n->n_own++];
}

/* The answer to a query for one socket (arg: its entry). */
static int got_one(struct swt_net *n, const struct inet_diag_msg *r,
		   size_t len, void *arg)
{
	struct owned *o = arg;
	struct tcp_info ti;

	(void)n;
	/* (the kernel matched the cookie; a socket its process has closed
	 * while the connection ends has no inode any more) */
	if (r->idiag_inode && r->idiag_inode != o->inode)
		return 1;	/* (not ours: read as gone) */
	msg_info(r, len, &ti);
	o->acked = ti.tcpi_bytes_acked;
	o->received = ti.tcpi_bytes_received;
	o->read_round = n->round;
	return 1;
}

/* Ask the kernel for one TCP socket (a hash lookup). false: it has gone
 * from the tables (closed). */
static bool query_one(struct swt_net *n, struct owned *o)
{
	uint64_t before = o->read_round;
	bool missing;

	n->stats.queries++;
	o->read_round = 0;
	if (request(n, o->family, IPPROTO_TCP, true, &o->id, got_one, o,
		    &missing) < 0 || missing || o->read_round != n->round) {
		o->read_round = before;
		return false;
	}
	return true;
}

/* The bytes of a TCP entry as of this round: from this round's table if
 * there is one, else asked for alone. false: it has gone. */
static bool tcp_bytes(struct swt_net *n, struct owned *o)
{
	uint32_t k;

	if (o->read_round == n->round)
		return true;
	if (n->table_round == n->round) {
		if (!map_get(&n->sock_map, o->inode, &k))
			return false;
		o->acked = n->socks[k].acked;
		o->received = n->socks[k].received;
	} else if (!query_one(n, o)) {
		return false;
	}
	o->read_round = n->round;
	return true;
}

/* TCP socket o, held by pid: its bytes since they were last counted, if
 * it is pid's to count. */
static void add_bytes(struct owned *o, struct swt_net_proc *p);

static void count_tcp(struct swt_net *n, struct owned *o, int32_t pid,
		      struct swt_net_proc *p)
{
	if (o->owner == 0)
		o->owner = pid;	/* its holder went: the next carries on */
	if (o->owner == pid && tcp_bytes(n, o))
		add_bytes(o, p);
}

/* What socket o moved since it was last counted, to *p. */
static void add_bytes(struct owned *o, struct swt_net_proc *p)
{
	if (o->acked > o->last_tx) {
		p->tx += (int64_t)(o->acked - o->last_tx);
		o->last_tx = o->acked;
	}
	if (o->received > o->last_rx) {
		p->rx += (int64_t)(o->received - o->last_rx);
		o->last_rx = o->received;
	}
}

void swt_net_take_events(struct swt_net *n)
{
	n->tick++;
	if (n->dfd >= 0)
		take_destroyed(n);
}

/* Add pid's credit (bytes of its destroyed sockets) to *p, once. */
static void take_credit(struct swt_net *n, int32_t pid,
			struct swt_net_proc *p)
{
	size_t i;

	for (i = 0; i < n->n_credits; i++) {
		if (n->credits[i].pid != pid)
			continue;
		p->tx += (int64_t)n->credits[i].tx;
		p->rx += (int64_t)n->credits[i].rx;
		n->credits[i] = n->credits[--n->n_credits];
		return;
	}
}

bool swt_net_final(struct swt_net *n, int32_t pid, struct swt_net_proc *p)
{
	size_t i;

	if (!p->read_once)
		return false;
	take_credit(n, pid, p);
	/* its sockets outlive it while their connections close (FIN_WAIT,
	 * LAST_ACK): asked for once more, they give its last bytes (those
	 * already destroyed came as credit) */
	for (i = 0; i < n->n_own; i++) {
		struct owned *o = &n->own[i];

		if (o->kind == KIND_TCP && o->owner == pid &&
		    query_one(n, o))
			add_bytes(o, p);
	}
	return true;
}

/* The size of the calling process's descriptor table (FDSize of
 * /proc/self/status: above its highest open descriptor), or -1. */
static int own_fd_table(void)
{
	char buf[4096], *q;
	ssize_t len;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return -1;
	buf[len] = '\0';
	q = strstr(buf, "\nFDSize:");
	return q ? atoi(q + 9) : -1;
}

static void add_inode(struct swt_net_proc *p, uint64_t ino)
{
	p->inodes = swt_grow(p->inodes, &p->cap_inodes, p->n_inodes + 1,
			     sizeof(*p->inodes));
	p->inodes[p->n_inodes++] = ino;
}

/* Our own sockets: every descriptor up to the table's size that the
 * caller does not know as one of its files and that is open, by fstat().
 * Which numbers are open, one poll() (no wait) tells for up to
 * OWN_POLL_FDS of them: with -a the table holds tens of thousands of
 * kept /proc files, and an fstat() of each unused number between them
 * was a system call each (10 000 a second at 10 000 processes). -1 if
 * the table's size is unknown. */
#define OWN_POLL_FDS 512
static int scan_own_fds(struct swt_net *n, struct swt_net_proc *p)
{
	struct pollfd pf[OWN_POLL_FDS];
	int max = own_fd_table(), fd = 0;

	if (max < 0)
		return -1;
	p->unavailable = false;
	p->n_inodes = 0;
	while (fd < max) {
		nfds_t k = 0, i;

		for (; fd < max && k < OWN_POLL_FDS; fd++)
			if (!n->own_kept(fd, n->own_payload))
				pf[k++] = (struct pollfd){ .fd = fd };
		/* (where poll() fails, every one is looked at) */
		if (k && poll(pf, k, 0) < 0)
			for (i = 0; i < k; i++)
				pf[i].revents = 0;
		for (i = 0; i < k; i++) {
			struct stat st;

			if ((pf[i].revents & POLLNVAL) ||
			    fstat(pf[i].fd, &st) != 0 || !S_ISSOCK(st.st_mode))
				continue;
			add_inode(p, (uint64_t)st.st_ino);
		}
	}
	return 0;
}

void swt_net_own_fds(struct swt_net *n, bool (*kept)(int fd, void *payload),
		     void *payload)
{
	n->own_kept = kept;
	n->own_payload = payload;
}

/* List the socket inodes among pid's descriptors into p->inodes. Returns
 * 0, or -1 (p->unavailable says whether it was refused). */
static int scan_fds(struct swt_net *n, int32_t pid, struct swt_net_proc *p)
{
	char path[64], link[64];
	struct dirent *d;
	DIR *dir;

	/* swrec's own descriptors (it records itself with -a): those it
	 * does not keep as /proc files. It keeps thousands open with -a and
	 * runs every tick, so their listing, a readlink() each, came at
	 * every round (30 000 a second at 10 000 processes: 7 % of a core) */
	if (n->own_kept && pid == (int32_t)getpid() &&
	    scan_own_fds(n, p) == 0)
		return 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	dir = opendir(path);
	if (!dir) {
		p->unavailable = errno == EACCES || errno == EPERM;
		return -1;
	}
	p->unavailable = false;
	p->n_inodes = 0;
	while ((d = readdir(dir)) != NULL) {
		ssize_t len;
		uint64_t ino;

		if (d->d_name[0] == '.')
			continue;
		len = readlinkat(dirfd(dir), d->d_name, link,
				 sizeof(link) - 1);
		if (len <= 0)
			continue;
		link[len] = '\0';
		ino = socket_inode(link);
		if (ino)
			add_inode(p, ino);
	}
	closedir(dir);
	return 0;
}

int swt_net_read_proc(struct swt_net *n, int32_t pid, bool born,
		      int64_t cpu, struct swt_net_proc *p)
{
	bool from_zero = born || p->read_once;
	size_t i;

	/* a process that ran nothing since its last scan opened and closed
	 * nothing: its sockets are those of then (the bytes are read anew
	 * from the table, which has none of a gone process's). Its CPU time
	 * was read this tick, so it was there: no other check (a kill(pid,
	 * 0) each was a tenth of swrec's CPU at 10 000 sleeping processes) */
	if (!p->read_once || cpu < 0 || cpu != p->scan_cpu) {
		if (scan_fds(n, pid, p) < 0)
			return 0;
		p->scan_cpu = cpu;
		n->stats.fd_scans++;
	}
	p->tcp = p->udp = p->other = 0;
	for (i = 0; i < p->n_inodes; i++) {
		struct owned *o = known(n, p->inodes[i], pid, from_zero);

		if (!o)
			continue;
		o->round = n->round;
		switch (o->kind) {
		case KIND_TCP:
			p->tcp++;
			count_tcp(n, o, pid, p);
			break;
		case KIND_UDP:
			p->udp++;
			break;
		default:
			p->other++;
			break;
		}
	}
	take_credit(n, pid, p);
	p->read_once = true;
	return 1;
}

void swt_net_proc_fini(struct swt_net_proc *p)
{
	free(p->inodes);
	p->inodes = NULL;
	p->n_inodes = p->cap_inodes = 0;
}

void swt_net_release(struct swt_net *n, int32_t pid)
{
	size_t i;

	for (i = 0; i < n->n_own; i++)
		if (n->own[i].owner == pid)
			n->own[i].owner = 0;
	for (i = 0; i < n->n_credits; i++)
		if (n->credits[i].pid == pid) {
			n->credits[i] = n->credits[--n->n_credits];
			break;
		}
}

void swt_net_end_round(struct swt_net *n)
{
	size_t i, k = 0;

	/* sockets no holder showed this round are closed (or no longer in
	 * the tree): forgotten, and the maps rebuilt */
	for (i = 0; i < n->n_own; i++)
		if (n->own[i].round == n->round)
			n->own[k++] = n->own[i];
	if (k == n->n_own)
		return;
	n->n_own = k;
	swt_imap_clear(&n->own_map);
	swt_imap_clear(&n->cookie_map);
	for (i = 0; i < n->n_own; i++) {
		map_put(&n->own_map, n->own[i].inode, (uint32_t)i);
		if (n->own[i].kind == KIND_TCP && n->own[i].cookie)
			map_put(&n->cookie_map, n->own[i].cookie, (uint32_t)i);
	}
}

int swt_net_devs(struct swt_net *n, const struct swt_netdev **out,
		 size_t *n_out)
{
	FILE *f = fopen("/proc/net/dev", "re");
	char line[512];

	*out = NULL;
	*n_out = 0;
	if (!f)
		return SWT_EIO;
	n->n_devs = 0;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *name = line;
		unsigned long long v[16];
		size_t len;

		if (!colon)
			continue;	/* the two header lines */
		*colon = '\0';
		while (*name == ' ')
			name++;
		if (sscanf(colon + 1,
			   "%llu %llu %llu %llu %llu %llu %llu %llu %llu",
			   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
			   &v[7], &v[8]) != 9)
			continue;
		n->devs = swt_grow(n->devs, &n->cap_devs, n->n_devs + 1,
				   sizeof(*n->devs));
		n->dev_names = swt_grow(n->dev_names, &n->cap_dev_names,
					n->n_devs + 1,
					sizeof(*n->dev_names));
		len = strlen(name);
		if (len >= sizeof(n->dev_names[0]))
			len = sizeof(n->dev_names[0]) - 1;
		memcpy(n->dev_names[n->n_devs], name, len);
		n->dev_names[n->n_devs][len] = '\0';
		n->devs[n->n_devs].rx_bytes = v[0];
		n->devs[n->n_devs].tx_bytes = v[8];
		n->n_devs++;
	}
	fclose(f);
	/* (names point into dev_names, which may have moved) */
	for (size_t i = 0; i < n->n_devs; i++)
		n->devs[i].name = n->dev_names[i];
	*out = n->devs;
	*n_out = n->n_devs;
	return 0;
}

void swt_net_get_stats(const struct swt_net *n, struct swt_net_stats *out)
{
	*out = n->stats;
}

void swt_net_free(struct swt_net *n)
{
	if (!n)
		return;
	if (n->fd >= 0)
		close(n->fd);
	if (n->dfd >= 0)
		close(n->dfd);
	swt_imap_fini(&n->sock_map);
	swt_imap_fini(&n->own_map);
	swt_imap_fini(&n->cookie_map);
	free(n->socks);
	free(n->own);
	free(n->credits);
	free(n->devs);
	free(n->dev_names);
	free(n);
}
