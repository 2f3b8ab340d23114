/* swt_ingest.c — see swt_ingest.h; the protocol is record/client/swt_wire.h.
 *
 * Objects:
 *   client  one connection (one process image: exec reconnects), its name
 *           table, drop counters and threads;
 *   thr     one event stream: a thread's ring, or a tid of an inline
 *           (Python) client; it owns a queue of events copied out of the
 *           ring and the stack of spans open on it;
 *   item    one record of the current drain (a batch, a drop count, an
 *           anomaly), sorted by time before it is emitted.
 *
 * Lifetimes: service() only marks things gone (and closes sockets); drain()
 * frees threads once their queue is empty and their end is emitted, and
 * clients once they are gone and have no threads. So an epoll event never
 * points at freed memory, and names stay valid while records use them.
 *
 * Everything a client wrote is untrusted: entries are copied before they
 * are checked, ring geometry is read once at hand-over, only sealed memfds
 * are mapped (a client cannot truncate them under us: no SIGBUS), counters
 * only ever go up here whatever the client writes. */
#include "swt_ingest.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "swt_alloc.h"
#include "swt_status.h"
#include "client/swt_wire.h"

_Static_assert(SWT_WIRE_EV_BEGIN == SWT_EV_BEGIN &&
		       SWT_WIRE_EV_END == SWT_EV_END &&
		       SWT_WIRE_EV_COUNT == SWT_EV_COUNT &&
		       SWT_WIRE_EV_MARK == SWT_EV_MARK &&
		       SWT_WIRE_EV_RSS == (unsigned)SWT_EV_RSS,
	       "wire event kinds are the record's");

#define MAX_BATCH 65536u	/* events per SWT_REC_EVENTS record */
#define MAX_DEPTH 256u		/* spans tracked per thread */
#define MAX_FDS 4		/* descriptors taken from one message */
#define SERVICE_ROUNDS 8	/* epoll_wait batches per service call */
#define MSGS_PER_CALL 64	/* messages read per client per readiness */
#define ACCEPTS_PER_CALL 64
#define HELLO_TIMEOUT_NS 5000000000LL
#define MAX_CLIENT_ANOMALIES 1000u	/* then suppressed, counted */
#define MAX_GLOBAL_ANOMALIES 1000u	/* refused connections */
/* The whole session's anomalies: a client that reconnects gets a fresh
 * per-client budget, so the session has its own, in total and per second
 * (what is not recorded is counted: "anomalies-suppressed"). */
#define MAX_SESSION_ANOMALIES 10000u
#define MAX_ANOMALIES_PER_S 100u
/* The session's clock: an event stamped before the ingest opened minus
 * PAST_MARGIN_NS, or more than FUTURE_SLACK_NS after the recorder's clock
 * when the recorder reads it, is rejected and counted ("bad-time"). An
 * honest client's event is never later than that read (it is published
 * after its clock read); one far in the future would otherwise hold its
 * thread's later events (raised to it) in the queue for ever. */
#define PAST_MARGIN_NS 10000000000LL
#define FUTURE_SLACK_NS 1000000000LL
/* Refused rings whose counters are still read (one descriptor each), so
 * that the events written into them are counted as lost. */
#define MAX_REFUSED_RINGS 4096u
#define REFUSED_READ_NS 100000000LL	/* how often they are read */
/* Events queued, all clients together: past this, no client is read
 * (their rings and sockets hold the rest: back-pressure) until a drain
 * has written half of them. Clients that each stay under max_pending
 * must not add up to more memory than the recorder may take: 2^18
 * events are 6 MiB of queues and 10 MiB of records being written. */
#define MAX_TOTAL_PENDING (1u << 18)
#define MAX_PROC_BYTES (64u << 20)

enum watch_type { W_LISTEN = 1, W_CLIENT, W_BELL };

struct watch {
	enum watch_type type;
	void *obj;
};

/* Drop reasons as written into SWT_REC_DROPS. */
enum drop_reason {
	DR_RING_FULL,
	DR_NOMEM,
	DR_NOCONN,
	DR_SEND,
	DR_BAD_TIME,	/* counted here: outside the session's clock */
	DR_REFUSED,	/* counted here: a thread the ingest refused */
	DR_N,
};

static const char *const drop_reason_name[DR_N] = {
	"ring-full", "no-memory", "not-connected", "send-blocked",
	"bad-time", "thread-refused",
};

/* A refused ring: its descriptor kept (not mapped) to read how many
 * events the client published into it or dropped. */
struct refused {
	int fd;
	uint64_t seen;	/* head + dropped, last read */
};

struct qev {
	int64_t t;
	int64_t value;
	uint32_t name;
	uint32_t kind;
};

struct client;

struct thr {
	struct client *cl;
	int32_t tid;
	/* ring (NULL for an inline client) */
	struct swt_wire_ring *ring;
	const struct swt_wire_entry *entries;
	size_t map_size;
	uint32_t cap;
	uint64_t tail;
	uint64_t ring_dropped;	/* highest value seen */
	int efd;
	struct watch bell;
	/* end of the stream */
	bool ended;
	int64_t end_ns;
	const char *end_why;
	/* events copied out, not emitted yet */
	struct qev *q;
	size_t q_cap;		/* a power of two */
	size_t q_head;
	size_t q_len;
	int64_t last_t;		/* last queued time */
	bool tsc;		/* the ring's times are TSC ticks */
	/* spans open on this thread, innermost last */
	uint32_t *stack;
	uint32_t depth;
	uint32_t excess;	/* begins past MAX_DEPTH, not tracked */
	bool depth_reported;
	struct thr *next;
};

struct client {
	struct watch w;
	struct swt_ingest *ing;
	int fd;			/* -1 once gone */
	int32_t pid;
	uint32_t uid;
	int64_t accepted_ns;
	bool hello;
	bool inline_mode;
	bool gone;
	bool bad;
	bool reading;		/* EPOLLIN armed (back-pressure) */
	int64_t gone_ns;
	/* process block (C clients) */
	const struct swt_wire_proc *proc;
	size_t proc_size;
	uint32_t proc_max_names;
	const struct swt_wire_name *index;
	const char *arena;
	uint32_t arena_size;
	/* names: ids 1..n_names defined; stored up to max_names */
	char **names;
	uint32_t n_names;
	uint32_t names_cap;
	bool overflow_reported;
	/* streams */
	struct thr *threads;
	uint32_t n_threads;
	bool thread_refused;
	bool bad_time_reported;
	struct refused *refused;
	uint32_t n_refused;
	uint32_t cap_refused;
	int64_t refused_read_ns;
	uint64_t pending;
	/* drops: highest count seen and count emitted, by reason */
	uint64_t drops[DR_N];
	uint64_t drops_emitted[DR_N];
	/* flooding */
	int64_t rate_t0;
	uint32_t rate_n;
	uint32_t n_anomalies;
	uint64_t suppressed;
	struct client *next;
	struct client *prev;
};

struct item {
	int64_t t;
	uint64_t seq;
	enum swt_record_kind kind;
	int32_t pid;
	int32_t tid;
	size_t ev_off;		/* SWT_REC_EVENTS: range in ing->evs */
	size_t ev_n;
	const char *reason;	/* SWT_REC_DROPS */
	uint64_t dropped;
	uint64_t total;
	const char *akind;	/* SWT_REC_ANOMALY: static */
	char *subject;		/* owned */
	char *detail;		/* owned */
};

struct swt_ingest {
	struct swt_ingest_opts o;
	char dir[PATH_MAX];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char env[sizeof(SWT_WIRE_ENV) +
		 sizeof(((struct sockaddr_un *)0)->sun_path)];
	int lfd;
	int epfd;
	int dirfd;		/* ing->dir, flock()ed while we live */
	struct watch lw;
	uid_t euid;
	struct client *clients;
	uint64_t map_bytes;
	bool have_wm;
	int64_t wm;		/* the highest until_ns drained */
	/* anomalies and the like waiting for their time to be drained */
	struct item *later;
	size_t n_later;
	size_t cap_later;
	uint32_t n_global_anomalies;
	/* the session's anomaly budget */
	uint32_t n_anomalies;	/* recorded in all */
	uint32_t an_in_window;	/* recorded since an_window_ns */
	int64_t an_window_ns;
	uint64_t an_suppressed;	/* not recorded, not reported yet */
	int64_t an_summary_ns;	/* last "anomalies-suppressed" */
	bool ending;		/* swt_ingest_set_ending() */
	uint32_t n_refused;	/* refused rings watched, all clients */
	int64_t t_lo;		/* earliest event time accepted */
	/* the current drain */
	struct item *items;
	size_t n_items;
	size_t cap_items;
	struct swt_event *evs;
	size_t n_evs;
	size_t cap_evs;
	struct thr **heap;
	size_t cap_heap;
	uint64_t seq;
	uint64_t total_dropped;
	char *msgbuf;		/* SWT_WIRE_MAX_MSG + 1 */
	struct swt_ingest_stats st;
	bool listen_paused;	/* out of descriptors: see listen_pause() */
	/* the TSC (swt_tsc.h): conversion in force, the readings behind
	 * its rate, when to recalibrate */
	bool tsc;
	/* SWT_WIRE_ENV_CLOCK=monotonic, or =tsc: and the socket's path */
	char clock_env[sizeof(SWT_WIRE_ENV_CLOCK "=" SWT_WIRE_ENV_CLOCK_TSC) +
		       sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct swt_tsc_conv tsc_first;	/* set at open */
	struct swt_tsc_conv conv;
	struct swt_tsc_info tsc_info;
	struct swt_tsc_point tsc_hist[SWT_TSC_HISTORY];
	unsigned n_hist;
	int64_t tsc_gap_ns;
	int64_t tsc_next_ns;
};

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- the TSC ------------------------------------------------------------ */

#define TSC_FIRST_GAP_NS 20000000	/* then doubling up to ... */
#define TSC_GAP_NS 1000000000		/* ... one recalibration a second */
#define TSC_MIN_BASELINE_NS 10000000

static void tsc_start(struct swt_ingest *ing, const struct swt_tsc_conv *c)
{
	struct swt_tsc_point p;

	swt_tsc_read_point(&p, 16);
	ing->conv = *c;
	ing->conv.tsc0 = p.tsc;		/* re-anchored, same rate */
	ing->conv.mono0 = p.mono_ns;
	ing->tsc_hist[0] = p;
	ing->n_hist = 1;
}

/* Recalibrate when due: one paired reading, how far the conversion in
 * force had drifted from it, then the rate over the readings kept (up
 * to SWT_TSC_HISTORY seconds) and the anchor moved to the reading. A
 * jump restarts the baseline. ≈ 1 µs a second. */
static void tsc_tick(struct swt_ingest *ing, int64_t now)
{
	struct swt_tsc_point p;
	struct swt_tsc_conv c;
	int64_t err;

	if (!ing->tsc || now < ing->tsc_next_ns)
		return;
	swt_tsc_read_point(&p, 8);
	err = swt_tsc_to_ns(&ing->conv, p.tsc) - p.mono_ns;
	err = err < 0 ? -err : err;
	ing->st.tsc_calibrations++;
	if (err > SWT_TSC_MAX_ERROR_NS) {
		ing->st.tsc_resets++;
		tsc_start(ing, &ing->conv);
	} else {
		if (err > ing->st.tsc_max_error_ns)
			ing->st.tsc_max_error_ns = err;
		if (ing->n_hist == SWT_TSC_HISTORY) {
			memmove(ing->tsc_hist, ing->tsc_hist + 1,
				(SWT_TSC_HISTORY - 1) * sizeof(p));
			ing->n_hist--;
		}
		ing->tsc_hist[ing->n_hist++] = p;
		c = ing->conv;
		if (p.mono_ns - ing->tsc_hist[0].mono_ns <
			    TSC_MIN_BASELINE_NS ||
		    swt_tsc_conv_init(&c, &ing->tsc_hist[0], &p) != 0) {
			c.tsc0 = p.tsc;
			c.mono0 = p.mono_ns;
		}
		ing->conv = c;
	}
	ing->tsc_gap_ns = ing->tsc_gap_ns * 2 > TSC_GAP_NS ? TSC_GAP_NS
							   : ing->tsc_gap_ns * 2;
	ing->tsc_next_ns = now + ing->tsc_gap_ns;
}

/* Choose the events' clock at open (opts.event_clock). */
static int clock_open(struct swt_ingest *ing, char *errmsg, size_t errlen)
{
	struct swt_tsc_conv c;
	int mode = ing->o.event_clock;

	snprintf(ing->clock_env, sizeof(ing->clock_env), "%s=monotonic",
		 SWT_WIRE_ENV_CLOCK);
	if (mode == SWT_EVENT_CLOCK_MONOTONIC)
		return 0;
	if (swt_tsc_calibrate(&c, &ing->tsc_info,
			      mode == SWT_EVENT_CLOCK_TSC) != 0) {
		if (mode == SWT_EVENT_CLOCK_TSC) {
			if (errmsg && errlen)
				snprintf(errmsg, errlen,
					 "ingest: the TSC cannot be used: %s",
					 ing->tsc_info.why);
			return SWT_EINVAL;
		}
		return 0;
	}
	ing->tsc = true;
	ing->tsc_first = c;
	tsc_start(ing, &c);
	ing->tsc_first = ing->conv;
	ing->tsc_gap_ns = TSC_FIRST_GAP_NS;
	ing->tsc_next_ns = ing->conv.mono0 + TSC_FIRST_GAP_NS;
	snprintf(ing->clock_env, sizeof(ing->clock_env), "%s=%s%s",
		 SWT_WIRE_ENV_CLOCK, SWT_WIRE_ENV_CLOCK_TSC, ing->path);
	return 0;
}

static char *fmt_alloc(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static char *fmt_alloc(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return swt_strdup(buf);
}

static void sat_add(uint64_t *a, uint64_t b)
{
	*a = *a > UINT64_MAX - b ? UINT64_MAX : *a + b;
}

/* ---- names ------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (1..4), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1fu;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0fu;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07u;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3fu);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* A private copy of a client's name that is safe in any report: control
 * characters and bytes that are not UTF-8 become '?'. */
static char *name_copy(const char *src, size_t len)
{
	const unsigned char *s = (const unsigned char *)src;
	char *out;
	size_t i = 0, k;

	if (!len)
		return swt_strdup("(empty)");
	out = swt_zalloc(len + 1);
	while (i < len) {
		k = utf8_seq(s + i, len - i);
		if (!k || (k == 1 && (s[i] < 0x20 || s[i] == 0x7f))) {
			out[i++] = '?';
			continue;
		}
		memcpy(out + i, s + i, k);
		i += k;
	}
	return out;
}

static void names_reserve(struct client *cl, uint32_t id)
{
	uint32_t cap = cl->names_cap ? cl->names_cap : 64;

	if (id < cl->names_cap)
		return;
	while (cap <= id)
		cap *= 2;
	cl->names = swt_reallocarray(cl->names, cap, sizeof(*cl->names));
	memset(cl->names + cl->names_cap, 0,
	       (cap - cl->names_cap) * sizeof(*cl->names));
	cl->names_cap = cap;
}

/* Define id cl->n_names + 1; names past max_names are not stored (they
 * are recorded as the overflow name). */
static void name_define(struct client *cl, const char *s, size_t len)
{
	uint32_t id = cl->n_names + 1;

	if (id <= cl->ing->o.max_names) {
		names_reserve(cl, id);
		cl->names[id] = name_copy(s, len);
	}
	cl->n_names = id;
}

/* ---- anomalies --------------------------------------------------------- */

static struct item *later_add(struct swt_ingest *ing, int64_t t)
{
	struct item *it;

	if (ing->n_later == ing->cap_later)
		ing->later = swt_grow(ing->later, &ing->cap_later,
				      ing->n_later + 1, sizeof(*ing->later));
	it = &ing->later[ing->n_later++];
	memset(it, 0, sizeof(*it));
	it->t = t;
	it->seq = ing->seq++;
	return it;
}

static struct item *item_add(struct swt_ingest *ing, int64_t t)
{
	struct item *it;

	if (ing->n_items == ing->cap_items)
		ing->items = swt_grow(ing->items, &ing->cap_items,
				      ing->n_items + 1, sizeof(*ing->items));
	it = &ing->items[ing->n_items++];
	memset(it, 0, sizeof(*it));
	it->t = t;
	it->seq = ing->seq++;
	return it;
}

static void fill_anomaly(struct item *it, const char *kind, int32_t pid,
			 int32_t tid, char *subject, char *detail)
{
	it->kind = SWT_REC_ANOMALY;
	it->akind = kind;
	it->pid = pid;
	it->tid = tid;
	it->subject = subject;
	it->detail = detail;
}

/* An anomaly about a client, emitted once drained up to t. Bounded per
 * client: a program that ends spans it never began on every call must not
 * turn the session into a list of anomalies. */
static bool session_anomaly_ok(struct swt_ingest *ing)
{
	int64_t now = mono_ns();

	if (now - ing->an_window_ns >= 1000000000) {
		ing->an_window_ns = now;
		ing->an_in_window = 0;
	}
	if (ing->n_anomalies >= MAX_SESSION_ANOMALIES ||
	    ing->an_in_window >= MAX_ANOMALIES_PER_S) {
		ing->an_suppressed++;
		ing->st.anomalies_suppressed++;
		return false;
	}
	ing->n_anomalies++;
	ing->an_in_window++;
	return true;
}

static bool client_anomaly_ok(struct client *cl)
{
	if (cl->n_anomalies >= MAX_CLIENT_ANOMALIES) {
		cl->suppressed++;
		cl->ing->st.anomalies_suppressed++;
		return false;
	}
	if (!session_anomaly_ok(cl->ing))
		return false;
	cl->n_anomalies++;
	return true;
}

static void anomaly_later(struct client *cl, int64_t t, const char *kind,
			  int32_t tid, char *subject, char *detail)
{
	if (!client_anomaly_ok(cl)) {
		free(subject);
		free(detail);
		return;
	}
	fill_anomaly(later_add(cl->ing, t), kind, cl->pid, tid, subject,
		     detail);
}

/* An anomaly at an event's time, inside the current drain. */
static void anomaly_now(struct client *cl, int64_t t, const char *kind,
			int32_t tid, char *subject, char *detail)
{
	if (!client_anomaly_ok(cl)) {
		free(subject);
		free(detail);
		return;
	}
	fill_anomaly(item_add(cl->ing, t), kind, cl->pid, tid, subject,
		     detail);
}

/* ---- threads and clients ---------------------------------------------- */

static void epoll_del(struct swt_ingest *ing, int fd)
{
	/* Explicitly: closing our descriptor does not remove it from the
	 * epoll set while the client still holds the same file. */
	epoll_ctl(ing->epfd, EPOLL_CTL_DEL, fd, NULL);
}

static void thr_unring(struct thr *th)
{
	struct swt_ingest *ing = th->cl->ing;

	if (th->efd >= 0) {
		epoll_del(ing, th->efd);
		close(th->efd);
		th->efd = -1;
	}
	if (th->ring) {
		munmap(th->ring, th->map_size);
		ing->map_bytes -= th->map_size;
		th->ring = NULL;
		th->entries = NULL;
	}
}

static void thr_free(struct thr *th)
{
	thr_unring(th);
	free(th->q);
	free(th->stack);
	free(th);
}

static struct thr *thr_new(struct client *cl, int32_t tid)
{
	struct thr *th = swt_zalloc(sizeof(*th));

	th->cl = cl;
	th->tid = tid;
	th->efd = -1;
	th->bell.type = W_BELL;
	th->bell.obj = th;
	th->last_t = INT64_MIN;
	th->next = cl->threads;
	cl->threads = th;
	cl->n_threads++;
	return th;
}

/* Room for `more` events in th's queue. */
static void q_reserve(struct thr *th, size_t more)
{
	size_t cap, i;
	struct qev *q;

	if (th->q_len + more <= th->q_cap)
		return;
	cap = th->q_cap ? th->q_cap : 256;
	while (cap < th->q_len + more)
		cap *= 2;
	q = swt_calloc(cap, sizeof(*q));
	for (i = 0; i < th->q_len; i++)
		q[i] = th->q[(th->q_head + i) & (th->q_cap - 1)];
	free(th->q);
	th->q = q;
	th->q_cap = cap;
	th->q_head = 0;
}

/* Append to th's queue (room reserved). A thread's clock does not go
 * back: its stream is kept monotonic whatever a client claims (a time
 * raised so is counted as late). */
static inline void q_put(struct thr *th, const struct qev *e)
{
	struct qev *d = &th->q[(th->q_head + th->q_len) & (th->q_cap - 1)];

	*d = *e;
	if (e->t < th->last_t) {
		d->t = th->last_t;
		th->cl->ing->st.late++;
	} else
		th->last_t = e->t;
	th->q_len++;
}

static void q_push(struct thr *th, const struct qev *e)
{
	q_reserve(th, 1);
	q_put(th, e);
	th->cl->pending++;
	th->cl->ing->st.pending++;
}

static void set_reading(struct client *cl, bool on)
{
	struct epoll_event ev = { 0 };

	if (cl->gone || cl->reading == on)
		return;
	ev.events = (on ? EPOLLIN : 0) | EPOLLRDHUP;
	ev.data.ptr = &cl->w;
	if (epoll_ctl(cl->ing->epfd, EPOLL_CTL_MOD, cl->fd, &ev) == 0)
		cl->reading = on;
}

/* Count what the client put into the rings it was refused: everything
 * it published there (nobody consumes it) plus what it dropped when they
 * were full. A client can claim any number here; counters only go up. */
static void read_refused(struct client *cl, int64_t now)
{
	uint32_t i;

	cl->refused_read_ns = now;
	for (i = 0; i < cl->n_refused; i++) {
		struct refused *rf = &cl->refused[i];
		unsigned char b[sizeof(struct swt_wire_ring)];
		uint64_t head, dropped, lost;

		if (pread(rf->fd, b, sizeof(b), 0) != (ssize_t)sizeof(b))
			continue;
		memcpy(&head, b + offsetof(struct swt_wire_ring, head),
		       sizeof(head));
		memcpy(&dropped, b + offsetof(struct swt_wire_ring, dropped),
		       sizeof(dropped));
		lost = head;
		sat_add(&lost, dropped);
		if (lost > rf->seen) {
			sat_add(&cl->drops[DR_REFUSED], lost - rf->seen);
			rf->seen = lost;
		}
	}
}

static void close_refused(struct client *cl)
{
	uint32_t i;

	for (i = 0; i < cl->n_refused; i++)
		close(cl->refused[i].fd);
	cl->ing->n_refused -= cl->n_refused;
	cl->n_refused = 0;
	free(cl->refused);
	cl->refused = NULL;
	cl->cap_refused = 0;
}

/* Inside the session's clock (see PAST_MARGIN_NS), now read after the
 * event was published. */
static inline bool time_ok(const struct swt_ingest *ing, int64_t t,
			   int64_t now)
{
	return t >= ing->t_lo && t - now <= FUTURE_SLACK_NS;
}

/* An event outside the session's clock: dropped, counted; one anomaly
 * per client says so. */
static void bad_time(struct client *cl, int32_t tid, int64_t t, int64_t now)
{
	sat_add(&cl->drops[DR_BAD_TIME], 1);
	if (cl->bad_time_reported)
		return;
	cl->bad_time_reported = true;
	anomaly_later(cl, now, "bad-time", tid, swt_strdup("time"),
		      fmt_alloc("thread %d: event stamped %lld ns, outside "
				"the session's clock (%lld to %lld ns): "
				"dropped, like every such event of this "
				"process (counted in its drops)",
				(int)tid, (long long)t, (long long)cl->ing->t_lo,
				(long long)(now + FUTURE_SLACK_NS)));
}

/* The client is gone (EOF, error, or we cut it off): what its rings hold
 * is still read to the end, then every stream ends. */
static void pump(struct client *cl, struct thr *th);

static void client_gone(struct client *cl, int64_t now, const char *why)
{
	struct thr *th;

	if (cl->gone)
		return;
	if (!cl->bad)
		for (th = cl->threads; th; th = th->next)
			pump(cl, th);
	if (cl->gone)
		return;	/* a ring turned out bad: done by bad_client() */
	cl->gone = true;
	cl->gone_ns = now;
	read_refused(cl, now);
	close_refused(cl);
	epoll_del(cl->ing, cl->fd);
	close(cl->fd);
	cl->fd = -1;
	cl->ing->st.clients--;
	for (th = cl->threads; th; th = th->next) {
		if (th->efd >= 0) {
			epoll_del(cl->ing, th->efd);
			close(th->efd);
			th->efd = -1;
		}
		if (cl->bad)
			thr_unring(th);	/* nothing more is read from it */
		if (!th->ended) {
			th->ended = true;
			th->end_ns = now;
			th->end_why = why;
		}
	}
}

static void bad_client(struct client *cl, int64_t now, const char *what,
		       const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void bad_client(struct client *cl, int64_t now, const char *what,
		       const char *fmt, ...)
{
	char buf[400];
	va_list ap;

	if (cl->bad || cl->gone)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	cl->bad = true;	/* before client_gone: its rings are not read */
	cl->ing->st.bad_clients++;
	anomaly_later(cl, now, "bad-client", 0, swt_strdup(what),
		      swt_strdup(buf));
	client_gone(cl, now, "client disconnected for misbehaving");
}

static void client_free(struct client *cl)
{
	struct thr *th, *n;
	uint32_t i;

	for (th = cl->threads; th; th = n) {
		n = th->next;
		thr_free(th);
	}
	if (cl->fd >= 0) {
		epoll_del(cl->ing, cl->fd);
		close(cl->fd);
	}
	if (cl->proc)
		munmap((void *)(uintptr_t)cl->proc, cl->proc_size);
	close_refused(cl);
	for (i = 0; i < cl->names_cap; i++)
		free(cl->names[i]);
	free(cl->names);
	free(cl);
}

/* ---- rings ------------------------------------------------------------- */

static void import_names(struct client *cl)
{
	uint32_t pub;

	if (!cl->proc)
		return;
	pub = atomic_load_explicit(&((struct swt_wire_proc *)(uintptr_t)
					     cl->proc)->n_names,
				   memory_order_acquire);
	if (pub > cl->proc_max_names)
		pub = cl->proc_max_names;
	while (cl->n_names < pub) {
		struct swt_wire_name nm;

		memcpy(&nm, &cl->index[cl->n_names], sizeof(nm));
		if (nm.len > SWT_WIRE_MAX_NAME || nm.off > cl->arena_size ||
		    nm.len > cl->arena_size - nm.off)
			return;	/* the caller sees the id undefined */
		name_define(cl, cl->arena + nm.off, nm.len);
	}
}

/* Check an event's kind and value (swt_wire.h, struct swt_wire_entry) and
 * fill q->value: NULL if it is valid, else what is wrong. A negative CPU
 * time or RSS is a violation like a bad kind: the client is broken or
 * hostile, and passing it on (or clamping it, which would invent a
 * reading) would poison the differences the analysis takes. Marks carry
 * no value: whatever was sent is dropped. */
static const char *check_event(struct qev *q, uint32_t kind, int64_t value)
{
	if (kind < SWT_WIRE_EV_BEGIN || kind > SWT_WIRE_EV_RSS)
		return "event kind";
	if (value < 0 && kind != SWT_WIRE_EV_COUNT)
		return kind == SWT_WIRE_EV_RSS ? "negative rss"
					       : "negative cpu time";
	q->value = kind == SWT_WIRE_EV_MARK ? 0 : value;
	return NULL;
}

/* Copy what a ring holds into its thread's queue, as far as the client's
 * budget allows (the rest waits in the ring: back-pressure). */
static void pump(struct client *cl, struct thr *th)
{
	struct swt_wire_ring *r = th->ring;
	uint64_t head, avail, n, i, queued = 0, dropped;
	int64_t closed, now;
	uint64_t budget;
	struct swt_wire_entry e;
	const char *bad = NULL;

	if (!r || cl->bad)
		return;
	closed = atomic_load_explicit(&r->closed_ns, memory_order_acquire);
	head = atomic_load_explicit(&r->head, memory_order_acquire);
	now = mono_ns();	/* after head: no honest event is later */
	avail = head - th->tail;
	if (avail > th->cap) {
		bad_client(cl, mono_ns(), "malformed",
			   "ring of thread %d: head %llu, tail %llu, "
			   "capacity %u", (int)th->tid,
			   (unsigned long long)head,
			   (unsigned long long)th->tail, th->cap);
		return;
	}
	budget = cl->pending < cl->ing->o.max_pending
			 ? cl->ing->o.max_pending - cl->pending
			 : 0;
	if (cl->ing->st.pending >= MAX_TOTAL_PENDING)
		budget = 0;
	else if (budget > MAX_TOTAL_PENDING - cl->ing->st.pending)
		budget = MAX_TOTAL_PENDING - cl->ing->st.pending;
	n = avail < budget ? avail : budget;
	q_reserve(th, n);
	for (i = 0; i < n; i++) {
		struct qev q;

		/* a copy: the client may be writing the same memory */
		memcpy(&e, &th->entries[(th->tail + i) & (th->cap - 1)],
		       sizeof(e));
		bad = check_event(&q, e.kind, e.value);
		if (bad)
			break;
		if (e.name > cl->n_names) {
			import_names(cl);
			if (e.name > cl->n_names) {
				bad = "undefined name id";
				break;
			}
		}
		if (th->tsc)
			e.t_ns = swt_tsc_to_ns(&cl->ing->conv,
					       (uint64_t)e.t_ns);
		if (!time_ok(cl->ing, e.t_ns, now)) {
			bad_time(cl, th->tid, e.t_ns, now);
			continue;
		}
		q.t = e.t_ns;
		q.name = e.name;
		q.kind = e.kind;
		q_put(th, &q);
		queued++;
	}
	cl->pending += queued;	/* what was queued stays valid */
	cl->ing->st.pending += queued;
	if (bad) {
		/* unmaps the ring: r is not to be touched after this */
		if (!strcmp(bad, "undefined name id") ||
		    !strcmp(bad, "event kind"))
			bad_client(cl, mono_ns(), "malformed",
				   "thread %d: %s %u", (int)th->tid, bad,
				   !strcmp(bad, "event kind") ? e.kind
							      : e.name);
		else
			bad_client(cl, mono_ns(), "malformed",
				   "thread %d: %s %lld", (int)th->tid, bad,
				   (long long)e.value);
		return;
	}
	th->tail += n;
	atomic_store_explicit(&r->tail, th->tail, memory_order_release);
	dropped = atomic_load_explicit(&r->dropped, memory_order_relaxed);
	if (dropped > th->ring_dropped) {
		sat_add(&cl->drops[DR_RING_FULL], dropped - th->ring_dropped);
		th->ring_dropped = dropped;
	}
	if (th->tail == head && (closed || th->ended)) {
		/* Read to the end: the thread exited, or its process is gone
		 * (then `ended` is already set, with the time we noticed). */
		if (!th->ended) {
			th->ended = true;
			th->end_ns = closed;
			th->end_why = "thread exited";
		}
		thr_unring(th);
		return;
	}
	atomic_store_explicit(&r->wake, 1, memory_order_relaxed);
}

static void pump_client(struct client *cl)
{
	struct thr *th;
	uint32_t r;

	if (cl->bad)
		return;
	for (th = cl->threads; th; th = th->next)
		pump(cl, th);
	if (cl->n_refused) {
		int64_t now = mono_ns();

		if (now - cl->refused_read_ns >= REFUSED_READ_NS)
			read_refused(cl, now);
	}
	if (cl->proc && !cl->bad) {
		struct swt_wire_proc *p =
			(struct swt_wire_proc *)(uintptr_t)cl->proc;

		for (r = 0; r < 2; r++) {
			enum swt_wire_drop wd = r == 0 ? SWT_WIRE_DROP_NOMEM
						       : SWT_WIRE_DROP_NOCONN;
			enum drop_reason dr = r == 0 ? DR_NOMEM : DR_NOCONN;
			uint64_t v = atomic_load_explicit(&p->dropped[wd],
							  memory_order_relaxed);

			if (v > cl->drops[dr])
				cl->drops[dr] = v;
		}
	}
}

/* Map a client's memfd after checking that it is one and that it cannot
 * shrink (a truncated mapping would SIGBUS the recorder). */
static void *map_sealed(int fd, size_t *size, int prot, const char **why)
{
	struct stat st;
	int seals;
	void *p;

	seals = fcntl(fd, F_GET_SEALS);
	if (seals < 0 || !(seals & F_SEAL_SHRINK)) {
		*why = "not a memfd sealed against shrinking";
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size < (off_t)SWT_WIRE_HDR_SIZE) {
		*why = "bad memfd size";
		return NULL;
	}
	*size = (size_t)st.st_size;
	p = mmap(NULL, *size, prot, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		*why = "mmap failed";
		return NULL;
	}
	return p;
}

static bool is_eventfd(int fd)
{
	char path[64], target[64];
	ssize_t n;
	int fl;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = '\0';
	fl = fcntl(fd, F_GETFL);
	return !strcmp(target, "anon_inode:[eventfd]") && fl >= 0 &&
	       (fl & O_NONBLOCK);
}

/* ---- messages ---------------------------------------------------------- */

static void on_hello(struct client *cl, const char *buf, size_t n,
		     int *fds, int n_fds, int64_t now)
{
	struct swt_wire_hello h;
	struct swt_wire_proc ph;
	const char *why = "";
	size_t size;
	void *p;

	if (cl->hello || n != sizeof(h)) {
		bad_client(cl, now, "malformed", "unexpected hello");
		return;
	}
	memcpy(&h, buf, sizeof(h));
	if (h.flags & ~SWT_WIRE_F_INLINE) {
		bad_client(cl, now, "malformed", "hello flags %#x", h.flags);
		return;
	}
	cl->hello = true;
	if (h.flags & SWT_WIRE_F_INLINE) {
		if (n_fds != 0) {
			bad_client(cl, now, "malformed",
				   "inline hello with descriptors");
			return;
		}
		cl->inline_mode = true;
		return;
	}
	if (n_fds != 1) {
		bad_client(cl, now, "malformed",
			   "hello with %d descriptors, expected 1", n_fds);
		return;
	}
	p = map_sealed(fds[0], &size, PROT_READ, &why);
	if (!p) {
		bad_client(cl, now, "malformed", "process block: %s", why);
		return;
	}
	memcpy(&ph, p, sizeof(ph));
	if (ph.magic != SWT_WIRE_PROC_MAGIC || ph.version != SWT_WIRE_VERSION ||
	    ph.size != size || size > MAX_PROC_BYTES || !ph.max_names ||
	    ph.max_names > 65536 ||
	    ph.arena_off < SWT_WIRE_HDR_SIZE +
				   (uint64_t)ph.max_names *
					   sizeof(struct swt_wire_name) ||
	    (uint64_t)ph.arena_off + ph.arena_size > size) {
		munmap(p, size);
		bad_client(cl, now, "malformed", "bad process block header");
		return;
	}
	cl->proc = p;
	cl->proc_size = size;
	cl->proc_max_names = ph.max_names;
	cl->index = (const struct swt_wire_name *)((const char *)p +
						   SWT_WIRE_HDR_SIZE);
	cl->arena = (const char *)p + ph.arena_off;
	cl->arena_size = ph.arena_size;
}

/* Keep a refused ring's descriptor (*fd, taken) to count its events as
 * lost: NULL, or why it cannot be watched. */
static const char *watch_refused(struct client *cl, int *fd)
{
	struct swt_ingest *ing = cl->ing;
	struct stat st;
	int seals = fcntl(*fd, F_GET_SEALS);

	if (seals < 0 || !(seals & F_SEAL_SHRINK) || fstat(*fd, &st) < 0 ||
	    !S_ISREG(st.st_mode) || st.st_size < (off_t)SWT_WIRE_HDR_SIZE)
		return "malformed";
	if (ing->n_refused >= MAX_REFUSED_RINGS)
		return "flooding";
	if (cl->n_refused == cl->cap_refused) {
		size_t cap = cl->cap_refused;

		cl->refused = swt_grow(cl->refused, &cap, cl->n_refused + 1,
				       sizeof(*cl->refused));
		cl->cap_refused = (uint32_t)cap;
	}
	cl->refused[cl->n_refused].fd = *fd;
	cl->refused[cl->n_refused].seen = 0;
	cl->n_refused++;
	ing->n_refused++;
	*fd = -1;
	return NULL;
}

static void refuse_ring(struct client *cl, int64_t now, int32_t tid,
			const char *why)
{
	cl->ing->st.rings_refused++;
	if (cl->thread_refused)
		return;
	cl->thread_refused = true;
	anomaly_later(cl, now, "ring-refused", tid, swt_strdup("limit"),
		      fmt_alloc("thread %d: %s; its events are lost",
				(int)tid, why));
}

/* A ring refused: its events are counted as lost as long as the client
 * lives; one that cannot even be counted gets the client cut off, which
 * it notices (EPIPE) when it next hands over a ring. */
static void refuse_ring_fd(struct client *cl, int64_t now, int32_t tid,
			   const char *why, int *fd)
{
	const char *bad = watch_refused(cl, fd);

	if (bad) {
		bad_client(cl, now, bad,
			   "thread %d: ring refused (%s) and %s", (int)tid,
			   why, !strcmp(bad, "malformed")
					? "not a sealed memfd"
					: "too many refused already to count "
					  "its events");
		return;
	}
	refuse_ring(cl, now, tid, why);
}

static void on_ring(struct client *cl, const char *buf, size_t n, int *fds,
		    int n_fds, int64_t now)
{
	struct swt_ingest *ing = cl->ing;
	struct swt_wire_ring_msg m;
	struct swt_wire_ring rh;
	struct epoll_event ev = { 0 };
	const char *why = "";
	struct thr *th;
	size_t size;
	void *p;

	if (!cl->hello || cl->inline_mode || n != sizeof(m) || n_fds != 2) {
		bad_client(cl, now, "malformed", "unexpected ring message");
		return;
	}
	memcpy(&m, buf, sizeof(m));
	if (m.tid <= 0) {
		bad_client(cl, now, "malformed", "ring of tid %d", (int)m.tid);
		return;
	}
	if (!is_eventfd(fds[1])) {
		bad_client(cl, now, "malformed",
			   "doorbell is not a non-blocking eventfd");
		return;
	}
	if (cl->n_threads >= ing->o.max_threads) {
		refuse_ring_fd(cl, now, m.tid, "too many threads", &fds[0]);
		return;
	}
	p = map_sealed(fds[0], &size, PROT_READ | PROT_WRITE, &why);
	if (!p) {
		bad_client(cl, now, "malformed", "ring: %s", why);
		return;
	}
	memcpy(&rh, p, offsetof(struct swt_wire_ring, head));
	if (rh.magic != SWT_WIRE_RING_MAGIC || rh.version != SWT_WIRE_VERSION ||
	    rh.hdr_size != SWT_WIRE_HDR_SIZE ||
	    rh.entry_size != sizeof(struct swt_wire_entry) ||
	    rh.capacity < SWT_WIRE_MIN_RING ||
	    (rh.capacity & (rh.capacity - 1)) ||
	    size != SWT_WIRE_HDR_SIZE + (size_t)rh.capacity *
						sizeof(struct swt_wire_entry)) {
		munmap(p, size);
		bad_client(cl, now, "malformed", "bad ring header");
		return;
	}
	if (rh.clock != SWT_WIRE_CLOCK_MONOTONIC &&
	    !(rh.clock == SWT_WIRE_CLOCK_TSC && ing->tsc)) {
		munmap(p, size);
		bad_client(cl, now, "malformed", "ring clock %u (%s)",
			   rh.clock, ing->tsc ? "unknown" : "not offered");
		return;
	}
	if (rh.capacity > ing->o.max_ring_entries ||
	    ing->map_bytes + size > ing->o.max_map_bytes) {
		munmap(p, size);
		refuse_ring_fd(cl, now, m.tid, "ring too large for the limits",
			       &fds[0]);
		return;
	}
	th = thr_new(cl, m.tid);
	th->ring = p;
	th->entries = (const struct swt_wire_entry *)((const char *)p +
						      SWT_WIRE_HDR_SIZE);
	th->map_size = size;
	th->cap = rh.capacity;
	th->tsc = rh.clock == SWT_WIRE_CLOCK_TSC;
	th->tail = 0;
	ing->map_bytes += size;
	ev.events = EPOLLIN;
	ev.data.ptr = &th->bell;
	if (epoll_ctl(ing->epfd, EPOLL_CTL_ADD, fds[1], &ev) == 0) {
		th->efd = fds[1];
		fds[1] = -1;
	}
	/* Without the doorbell the ring is still read at every drain. */
	ing->st.rings++;
	pump(cl, th);
}

static struct thr *inline_thr(struct client *cl, int32_t tid)
{
	struct thr *th;

	for (th = cl->threads; th; th = th->next)
		if (th->tid == tid && !th->ended)
			return th;
	if (cl->n_threads >= cl->ing->o.max_threads)
		return NULL;
	return thr_new(cl, tid);
}

static void on_events(struct client *cl, const char *buf, size_t n,
		      int n_fds, int64_t now)
{
	struct swt_wire_events h;
	size_t off = sizeof(h);
	int64_t t_read = mono_ns();	/* after the message was sent */

	if (!cl->hello || !cl->inline_mode || n_fds || n < sizeof(h)) {
		bad_client(cl, now, "malformed", "unexpected events message");
		return;
	}
	memcpy(&h, buf, sizeof(h));
	if (h.dropped > cl->drops[DR_SEND])
		cl->drops[DR_SEND] = h.dropped;
	while (off < n) {
		const unsigned char *p = (const unsigned char *)buf + off;
		uint32_t id;

		if (p[0] == SWT_WIRE_ITEM_NAME) {
			if (n - off < SWT_WIRE_ITEM_NAME_SIZE ||
			    n - off - SWT_WIRE_ITEM_NAME_SIZE < p[1])
				goto bad;
			memcpy(&id, p + 4, sizeof(id));
			if (id != cl->n_names + 1) {
				bad_client(cl, now, "malformed",
					   "name id %u defined out of order",
					   id);
				return;
			}
			name_define(cl, (const char *)p + 8, p[1]);
			off += SWT_WIRE_ITEM_NAME_SIZE + p[1];
		} else if (p[0] == SWT_WIRE_ITEM_EVENT) {
			struct qev q;
			int64_t value;
			int32_t tid;
			struct thr *th;

			if (n - off < SWT_WIRE_ITEM_EVENT_SIZE)
				goto bad;
			memcpy(&tid, p + 4, sizeof(tid));
			memcpy(&id, p + 8, sizeof(id));
			memcpy(&q.t, p + 12, sizeof(q.t));
			memcpy(&value, p + 20, sizeof(value));
			q.kind = p[1];
			q.name = id;
			if (check_event(&q, q.kind, value) || tid <= 0 ||
			    id > cl->n_names)
				goto bad;
			off += SWT_WIRE_ITEM_EVENT_SIZE;
			if (!time_ok(cl->ing, q.t, t_read)) {
				bad_time(cl, tid, q.t, t_read);
				continue;
			}
			th = inline_thr(cl, tid);
			if (!th) {
				sat_add(&cl->drops[DR_REFUSED], 1);
				refuse_ring(cl, now, tid, "too many threads");
				continue;
			}
			q_push(th, &q);
		} else {
			goto bad;
		}
	}
	return;
bad:
	bad_client(cl, now, "malformed", "bad item at byte %zu of an events "
		   "message", off);
}

static void on_message(struct client *cl, const char *buf, size_t n,
		       int *fds, int n_fds, int64_t now)
{
	struct swt_wire_msg_hdr h;

	if (n < sizeof(h)) {
		bad_client(cl, now, "malformed", "message of %zu bytes", n);
		return;
	}
	memcpy(&h, buf, sizeof(h));
	if (h.magic != SWT_WIRE_MSG_MAGIC || h.version != SWT_WIRE_VERSION ||
	    h.len != n) {
		bad_client(cl, now, "malformed",
			   "bad message header (magic %#x, version %u, "
			   "length %u of %zu)",
			   h.magic, h.version, h.len, n);
		return;
	}
	if (h.type != SWT_WIRE_HELLO && !cl->hello) {
		bad_client(cl, now, "malformed", "message before hello");
		return;
	}
	switch (h.type) {
	case SWT_WIRE_HELLO:
		on_hello(cl, buf, n, fds, n_fds, now);
		break;
	case SWT_WIRE_RING:
		on_ring(cl, buf, n, fds, n_fds, now);
		break;
	case SWT_WIRE_EVENTS:
		on_events(cl, buf, n, n_fds, now);
		break;
	default:
		bad_client(cl, now, "malformed", "message type %u", h.type);
		break;
	}
}

static void client_read(struct client *cl, uint32_t events, int64_t now)
{
	struct swt_ingest *ing = cl->ing;
	bool hup = events & (EPOLLHUP | EPOLLRDHUP | EPOLLERR);
	int k;

	for (k = 0; k < MSGS_PER_CALL && !cl->gone; k++) {
		union {
			char buf[CMSG_SPACE(MAX_FDS * sizeof(int))];
			struct cmsghdr align;
		} u;
		struct iovec iov = { ing->msgbuf, SWT_WIRE_MAX_MSG + 1 };
		struct msghdr mh = { 0 };
		struct cmsghdr *cm;
		int fds[MAX_FDS], n_fds = 0, i;
		ssize_t n;

		if (!hup && (cl->pending >= ing->o.max_pending ||
			     ing->st.pending >= MAX_TOTAL_PENDING)) {
			set_reading(cl, false);
			return;
		}
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		n = recvmsg(cl->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				client_gone(cl, now, "connection error");
			return;
		}
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			size_t j, m;

			if (cm->cmsg_level != SOL_SOCKET ||
			    cm->cmsg_type != SCM_RIGHTS)
				continue;
			m = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (j = 0; j < m; j++) {
				int fd;

				memcpy(&fd, CMSG_DATA(cm) + j * sizeof(int),
				       sizeof(int));
				if (n_fds < MAX_FDS)
					fds[n_fds++] = fd;
				else
					close(fd);
			}
		}
		if (n == 0) {
			client_gone(cl, now, "process exited");
		} else if (mh.msg_flags & MSG_TRUNC) {
			bad_client(cl, now, "oversized",
				   "message longer than %u bytes",
				   SWT_WIRE_MAX_MSG);
		} else if (mh.msg_flags & MSG_CTRUNC) {
			bad_client(cl, now, "malformed",
				   "too many descriptors in a message");
		} else {
			if (now - cl->rate_t0 >= 1000000000) {
				cl->rate_t0 = now;
				cl->rate_n = 0;
			}
			if (++cl->rate_n > ing->o.max_msgs_per_s)
				bad_client(cl, now, "flooding",
					   "more than %u messages per second",
					   ing->o.max_msgs_per_s);
			else
				on_message(cl, ing->msgbuf, (size_t)n, fds,
					   n_fds, now);
		}
		for (i = 0; i < n_fds; i++)
			if (fds[i] >= 0)
				close(fds[i]);
	}
}

/* ---- accepting -------------------------------------------------------- */

static void global_anomaly(struct swt_ingest *ing, int64_t now,
			   const char *kind, int32_t pid, const char *subject,
			   char *detail)
{
	if (ing->n_global_anomalies >= MAX_GLOBAL_ANOMALIES) {
		ing->an_suppressed++;
		ing->st.anomalies_suppressed++;
		free(detail);
		return;
	}
	if (!session_anomaly_ok(ing)) {
		free(detail);
		return;
	}
	ing->n_global_anomalies++;
	fill_anomaly(later_add(ing, now), kind, pid, 0, swt_strdup(subject),
		     detail);
}

/* Out of descriptors, the listening socket stays readable and a loop
 * polling it would spin: stop watching it until the next drain (which
 * may have closed some). Connections wait in the backlog meanwhile. */
static void listen_pause(struct swt_ingest *ing, bool pause)
{
	struct epoll_event ev = { 0 };

	if (ing->listen_paused == pause)
		return;
	ev.events = pause ? 0 : EPOLLIN;
	ev.data.ptr = &ing->lw;
	if (epoll_ctl(ing->epfd, EPOLL_CTL_MOD, ing->lfd, &ev) == 0)
		ing->listen_paused = pause;
}

static void client_read(struct client *cl, uint32_t events, int64_t now);

/* The table is full: make room by cutting off the connection that has
 * waited longest without saying hello (after reading what it may have
 * sent meanwhile). An unauthenticated connection costs its peer nothing,
 * so it must not be able to hold a slot a process needs for the whole
 * hello timeout. False if every slot is taken by a client that said
 * hello. */
static bool evict_idle(struct swt_ingest *ing, int64_t now)
{
	int tries;

	for (tries = 0; tries < 4; tries++) {
		struct client *cl, *old = NULL;

		for (cl = ing->clients; cl; cl = cl->next)
			if (!cl->gone && !cl->hello &&
			    (!old || cl->accepted_ns <= old->accepted_ns))
				old = cl;
		if (!old)
			return false;
		client_read(old, EPOLLIN, now);
		if (old->gone)
			return true;	/* it went (or was cut off) itself */
		if (old->hello)
			continue;
		ing->st.evicted++;
		bad_client(old, now, "idle",
			   "no hello after %lld ms while the client table "
			   "was full: cut off for a new connection",
			   (long long)((now - old->accepted_ns) / 1000000));
		return true;
	}
	return ing->st.clients < ing->o.max_clients;
}

static void accept_all(struct swt_ingest *ing, int64_t now)
{
	int k;

	for (k = 0; k < ACCEPTS_PER_CALL; k++) {
		struct epoll_event ev = { 0 };
		struct ucred cred;
		socklen_t len = sizeof(cred);
		struct client *cl;
		int fd;

		fd = accept4(ing->lfd, NULL, NULL,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM)
				listen_pause(ing, true);
			return;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
			close(fd);
			continue;
		}
		if (!ing->o.allow_other_uids && cred.uid != ing->euid) {
			ing->st.refused_uid++;
			global_anomaly(ing, now, "refused-client", cred.pid,
				       "uid",
				       fmt_alloc("connection from uid %u "
						 "refused (recorder: uid %u)",
						 (unsigned)cred.uid,
						 (unsigned)ing->euid));
			close(fd);
			continue;
		}
		if (ing->st.clients >= ing->o.max_clients &&
		    !evict_idle(ing, now)) {
			ing->st.refused_limit++;
			global_anomaly(ing, now, "refused-client", cred.pid,
				       "limit",
				       fmt_alloc("%u clients connected "
						 "already",
						 ing->o.max_clients));
			close(fd);
			continue;
		}
		cl = swt_zalloc(sizeof(*cl));
		cl->w.type = W_CLIENT;
		cl->w.obj = cl;
		cl->ing = ing;
		cl->fd = fd;
		cl->pid = cred.pid;
		cl->uid = cred.uid;
		cl->accepted_ns = now;
		cl->rate_t0 = now;
		ev.events = EPOLLIN | EPOLLRDHUP;
		ev.data.ptr = &cl->w;
		if (epoll_ctl(ing->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			close(fd);
			free(cl);
			continue;
		}
		cl->reading = true;
		cl->next = ing->clients;
		if (ing->clients)
			ing->clients->prev = cl;
		ing->clients = cl;
		ing->st.clients++;
		ing->st.accepted++;
	}
}

int swt_ingest_service(struct swt_ingest *ing)
{
	struct epoll_event ev[64];
	int round, n, i;
	int64_t now = mono_ns();

	tsc_tick(ing, now);
	for (round = 0; round < SERVICE_ROUNDS; round++) {
		n = epoll_wait(ing->epfd, ev, 64, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return SWT_EIO;
		}
		for (i = 0; i < n; i++) {
			struct watch *w = ev[i].data.ptr;

			if (w->type == W_LISTEN) {
				accept_all(ing, now);
			} else if (w->type == W_CLIENT) {
				struct client *cl = w->obj;

				if (!cl->gone)
					client_read(cl, ev[i].events, now);
			} else {
				struct thr *th = w->obj;
				uint64_t v;

				if (th->efd >= 0 &&
				    read(th->efd, &v, sizeof(v)) < 0) {
					/* EAGAIN: already reset */
				}
				if (!th->cl->gone)
					pump(th->cl, th);
			}
		}
		if (n < 64)
			break;
	}
	return 0;
}

/* ---- draining --------------------------------------------------------- */

static inline const char *name_of(struct client *cl, uint32_t id)
{
	if (id == SWT_WIRE_OVERFLOW_ID || id > cl->ing->o.max_names ||
	    id >= cl->names_cap || !cl->names[id])
		return NULL;
	return cl->names[id];
}

static void span_check(struct client *cl, struct thr *th, const struct qev *e,
		       int64_t t)
{
	uint32_t i;

	if (e->kind == SWT_WIRE_EV_BEGIN) {
		if (th->depth >= MAX_DEPTH) {
			th->excess++;
			if (!th->depth_reported) {
				th->depth_reported = true;
				anomaly_now(cl, t, "span-depth", th->tid,
					    swt_strdup("depth"),
					    fmt_alloc("more than %u nested "
						      "spans on thread %d",
						      MAX_DEPTH,
						      (int)th->tid));
			}
			return;
		}
		if (!th->stack)
			th->stack = swt_calloc(MAX_DEPTH, sizeof(uint32_t));
		th->stack[th->depth++] = e->name;
		return;
	}
	if (e->kind != SWT_WIRE_EV_END)
		return;
	if (th->excess) {
		th->excess--;
		return;
	}
	if (th->depth && th->stack[th->depth - 1] == e->name) {
		th->depth--;
		return;
	}
	for (i = th->depth; i-- > 0;)
		if (th->stack[i] == e->name)
			break;
	if (i == UINT32_MAX || th->depth == 0) {
		const char *n = name_of(cl, e->name);

		anomaly_now(cl, t, "end-without-begin", th->tid,
			    swt_strdup(n ? n : SWT_WIRE_OVERFLOW_NAME),
			    fmt_alloc("thread %d ended a span it had not "
				      "begun",
				      (int)th->tid));
		return;
	}
	{
		const char *n = name_of(cl, e->name);
		const char *top = name_of(cl, th->stack[th->depth - 1]);

		anomaly_now(cl, t, "end-mismatch", th->tid,
			    swt_strdup(n ? n : SWT_WIRE_OVERFLOW_NAME),
			    fmt_alloc("thread %d ended \"%s\" while \"%s\" "
				      "was the innermost open span",
				      (int)th->tid,
				      n ? n : SWT_WIRE_OVERFLOW_NAME,
				      top ? top : SWT_WIRE_OVERFLOW_NAME));
	}
	memmove(th->stack + i, th->stack + i + 1,
		(th->depth - i - 1) * sizeof(*th->stack));
	th->depth--;
}

static bool heap_less(const struct thr *a, const struct thr *b)
{
	int64_t ta = a->q[a->q_head].t, tb = b->q[b->q_head].t;

	if (ta != tb)
		return ta < tb;
	return a->tid < b->tid;
}

static void heap_push(struct thr **h, size_t *n, struct thr *th)
{
	size_t i = (*n)++;

	while (i && heap_less(th, h[(i - 1) / 2])) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = th;
}

static struct thr *heap_pop(struct thr **h, size_t *n)
{
	struct thr *top = h[0], *last = h[--*n];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= *n)
			break;
		if (c + 1 < *n && heap_less(h[c + 1], h[c]))
			c++;
		if (!heap_less(h[c], last))
			break;
		h[i] = h[c];
		i = c;
	}
	if (*n)
		h[i] = last;
	return top;
}

#define UNLIKELY_NULL(p) __builtin_expect((p) == NULL, 0)

/* An event under a name past the table's bound. */
static const char *overflow_name(struct swt_ingest *ing, struct client *cl,
				 struct thr *th, int64_t t)
{
	ing->st.name_overflow++;
	if (!cl->overflow_reported) {
		uint32_t lim = ing->o.max_names;

		if (cl->proc_max_names && cl->proc_max_names < lim)
			lim = cl->proc_max_names;
		cl->overflow_reported = true;
		anomaly_now(cl, t, "name-overflow", th->tid,
			    swt_strdup(SWT_WIRE_OVERFLOW_NAME),
			    fmt_alloc("name table full (%u names): new names "
				      "are recorded as \"%s\"",
				      lim, SWT_WIRE_OVERFLOW_NAME));
	}
	return SWT_WIRE_OVERFLOW_NAME;
}

static void evs_reserve(struct swt_ingest *ing, size_t more)
{
	if (ing->n_evs + more > ing->cap_evs)
		ing->evs = swt_grow(ing->evs, &ing->cap_evs, ing->n_evs + more,
				    sizeof(*ing->evs));
}

/* Merge one client's queued events up to `until` into batches: take the
 * thread whose next event is the earliest, and emit its events up to the
 * next thread's (a run), so the heap is touched once per run, not once
 * per event. */
static void merge_client(struct swt_ingest *ing, struct client *cl,
			 int64_t floor, int64_t until)
{
	struct thr *th;
	size_t n = 0, bi = SIZE_MAX;

	if (!cl->pending)
		return;
	if (cl->n_threads > ing->cap_heap)
		ing->heap = swt_grow(ing->heap, &ing->cap_heap, cl->n_threads,
				     sizeof(*ing->heap));
	evs_reserve(ing, cl->pending);
	for (th = cl->threads; th; th = th->next)
		if (th->q_len && th->q[th->q_head].t <= until)
			heap_push(ing->heap, &n, th);
	while (n) {
		int64_t lim = until;
		int32_t lim_tid = INT32_MAX;

		th = heap_pop(ing->heap, &n);
		if (n && ing->heap[0]->q[ing->heap[0]->q_head].t <= lim) {
			lim = ing->heap[0]->q[ing->heap[0]->q_head].t;
			lim_tid = ing->heap[0]->tid;
		}
		while (th->q_len) {
			const struct qev *e = &th->q[th->q_head];
			struct swt_event *ev;
			const char *name;
			int64_t t = e->t;

			if (t > lim || (t == lim && th->tid > lim_tid))
				break;
			if (t < floor) {
				t = floor;
				ing->st.late++;
			}
			name = name_of(cl, e->name);
			if (UNLIKELY_NULL(name))
				name = overflow_name(ing, cl, th, t);
			if (e->kind <= SWT_WIRE_EV_END)
				span_check(cl, th, e, t);
			/* by index: anomalies added meanwhile may move items */
			if (bi == SIZE_MAX ||
			    ing->items[bi].ev_n == MAX_BATCH) {
				struct item *b = item_add(ing, t);

				b->kind = SWT_REC_EVENTS;
				b->pid = cl->pid;
				b->ev_off = ing->n_evs;
				bi = (size_t)(b - ing->items);
			}
			ev = &ing->evs[ing->n_evs++];
			ev->t_ns = t;
			ev->kind = (enum swt_event_kind)e->kind;
			ev->tid = th->tid;
			ev->name = name;
			ev->value = e->value;
			ing->items[bi].ev_n++;
			th->q_head = (th->q_head + 1) & (th->q_cap - 1);
			th->q_len--;
			cl->pending--;
			ing->st.pending--;
		}
		if (th->q_len && th->q[th->q_head].t <= until)
			heap_push(ing->heap, &n, th);
	}
}

/* Threads whose stream ended and whose events are all out: report the
 * spans left open, then let them go. */
static void finish_threads(struct client *cl, int64_t floor, int64_t until)
{
	struct thr **pp = &cl->threads, *th;

	while ((th = *pp)) {
		int64_t t;

		if (!th->ended || th->ring || th->q_len) {
			pp = &th->next;
			continue;
		}
		t = th->end_ns > th->last_t ? th->end_ns : th->last_t;
		if (t < floor)
			t = floor;
		if (t > until) {
			pp = &th->next;
			continue;
		}
		while (th->depth) {
			const char *n = name_of(cl, th->stack[--th->depth]);

			anomaly_now(cl, t, "open-at-exit", th->tid,
				    swt_strdup(n ? n : SWT_WIRE_OVERFLOW_NAME),
				    fmt_alloc("span still open on thread %d: "
					      "%s",
					      (int)th->tid,
					      th->end_why ? th->end_why
							  : "stream ended"));
		}
		*pp = th->next;
		cl->n_threads--;
		thr_free(th);
	}
}

static int item_cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int emit_item(struct swt_ingest *ing, const struct item *it,
		     swt_ingest_emit_fn emit, void *payload)
{
	struct swt_record rec;

	memset(&rec, 0, sizeof(rec));
	rec.kind = it->kind;
	rec.t_ns = it->t;
	switch (it->kind) {
	case SWT_REC_EVENTS:
		rec.u.events.pid = it->pid;
		rec.u.events.n = it->ev_n;
		rec.u.events.events = ing->evs + it->ev_off;
		break;
	case SWT_REC_DROPS:
		rec.u.drops.pid = it->pid;
		rec.u.drops.dropped = it->dropped;
		rec.u.drops.total_dropped = it->total;
		rec.u.drops.reason = it->reason;
		break;
	default:
		rec.u.anomaly.kind = it->akind;
		rec.u.anomaly.pid = it->pid;
		rec.u.anomaly.tid = it->tid;
		rec.u.anomaly.subject = it->subject;
		rec.u.anomaly.detail = it->detail;
		rec.u.anomaly.detail_len = it->detail ? strlen(it->detail) : 0;
		break;
	}
	return emit(&rec, payload);
}

int swt_ingest_drain(struct swt_ingest *ing, int64_t until_ns,
		     swt_ingest_emit_fn emit, void *payload)
{
	int64_t now = mono_ns(), floor = ing->have_wm ? ing->wm : INT64_MIN;
	struct client *cl, *next;
	size_t i, k;
	int ret = 0;

	tsc_tick(ing, now);
	listen_pause(ing, false);
	for (cl = ing->clients; cl; cl = cl->next) {
		if (!cl->gone && !cl->hello &&
		    now - cl->accepted_ns > HELLO_TIMEOUT_NS)
			bad_client(cl, now, "malformed",
				   "no hello within 5 s");
		pump_client(cl);
	}
	if (until_ns < floor)
		return 0;	/* nothing can go out without breaking order */
	ing->n_items = 0;
	ing->n_evs = 0;
	/* items waiting for their time */
	for (i = k = 0; i < ing->n_later; i++) {
		struct item *it = &ing->later[i];

		if (it->t <= until_ns) {
			struct item *o = item_add(ing, it->t < floor ? floor
								     : it->t);
			uint64_t seq = o->seq;

			*o = *it;
			o->t = o->t < floor ? floor : o->t;
			o->seq = seq;
		} else {
			ing->later[k++] = *it;
		}
	}
	ing->n_later = k;
	for (cl = ing->clients; cl; cl = cl->next) {
		int64_t td = now < until_ns ? now : until_ns;
		int r;

		merge_client(ing, cl, floor, until_ns);
		finish_threads(cl, floor, until_ns);
		if (td < floor)
			td = floor;
		for (r = 0; r < DR_N; r++) {
			struct item *it;

			if (cl->drops[r] <= cl->drops_emitted[r])
				continue;
			sat_add(&ing->total_dropped,
				cl->drops[r] - cl->drops_emitted[r]);
			sat_add(&ing->st.dropped,
				cl->drops[r] - cl->drops_emitted[r]);
			cl->drops_emitted[r] = cl->drops[r];
			it = item_add(ing, td);
			it->kind = SWT_REC_DROPS;
			it->pid = cl->pid;
			it->reason = drop_reason_name[r];
			it->dropped = cl->drops[r];
			it->total = ing->total_dropped;
		}
		if (cl->gone && !cl->threads && cl->suppressed) {
			if (session_anomaly_ok(ing)) {
				fill_anomaly(item_add(ing, td),
					     "anomalies-suppressed", cl->pid, 0,
					     swt_strdup("limit"),
					     fmt_alloc("%llu more anomalies of "
						       "this process were not "
						       "recorded",
						       (unsigned long long)
							       cl->suppressed));
			} else {
				/* counted in the session's summary (which
				 * counted this one as one) */
				ing->an_suppressed += cl->suppressed - 1;
				ing->st.anomalies_suppressed--;
			}
			cl->suppressed = 0;
		}
	}
	/* The session's budget: at most one summary a second (and one at
	 * the end), outside the budget it reports on. */
	if (ing->an_suppressed &&
	    (ing->ending || now - ing->an_summary_ns >= 1000000000)) {
		int64_t td = now < until_ns ? now : until_ns;

		fill_anomaly(item_add(ing, td < floor ? floor : td),
			     "anomalies-suppressed", 0, 0,
			     swt_strdup("session"),
			     fmt_alloc("%llu more anomalies were not recorded "
				       "(at most %u a second and %u in a "
				       "session)",
				       (unsigned long long)ing->an_suppressed,
				       MAX_ANOMALIES_PER_S,
				       MAX_SESSION_ANOMALIES));
		ing->an_suppressed = 0;
		ing->an_summary_ns = now;
	}
	if (ing->n_items > 1)
		qsort(ing->items, ing->n_items, sizeof(*ing->items), item_cmp);
	for (i = 0; i < ing->n_items; i++) {
		struct item *it = &ing->items[i];

		if (!ret) {
			ret = emit_item(ing, it, emit, payload);
			if (ret < 0) {
				ing->st.emit_lost++;
			} else {
				ret = 0;
				if (it->kind == SWT_REC_EVENTS)
					ing->st.events += it->ev_n;
				else if (it->kind == SWT_REC_ANOMALY)
					ing->st.anomalies++;
			}
		} else {
			ing->st.emit_lost++;
		}
		free(it->subject);
		free(it->detail);
	}
	ing->n_items = 0;
	ing->wm = ing->have_wm && ing->wm > until_ns ? ing->wm : until_ns;
	ing->have_wm = true;
	for (cl = ing->clients; cl; cl = next) {
		next = cl->next;
		if (cl->gone && !cl->threads) {
			if (cl->prev)
				cl->prev->next = cl->next;
			else
				ing->clients = cl->next;
			if (cl->next)
				cl->next->prev = cl->prev;
			client_free(cl);
		} else if (!cl->gone && !cl->reading &&
			   cl->pending < ing->o.max_pending / 2 &&
			   ing->st.pending < MAX_TOTAL_PENDING / 2) {
			set_reading(cl, true);
		}
	}
	return ret;
}

/* ---- setup ------------------------------------------------------------ */

void swt_ingest_opts_init(struct swt_ingest_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->max_clients = 256;
	opts->max_threads = 1024;
	opts->max_names = 4096;
	opts->max_ring_entries = SWT_WIRE_MAX_RING;
	opts->max_map_bytes = 1ull << 30;
	opts->max_msgs_per_s = 20000;
	opts->max_pending = 1u << 20;
}

static int fail(char *errmsg, size_t errlen, int status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *errmsg, size_t errlen, int status, const char *fmt, ...)
{
	va_list ap;

	if (errmsg && errlen) {
		va_start(ap, fmt);
		vsnprintf(errmsg, errlen, fmt, ap);
		va_end(ap);
	}
	return status;
}

/* A socket directory's lock is taken right after mkdtemp(): one younger
 * than this may not be locked yet. */
#define STALE_AGE_S 2

/* Remove the socket directories that recorders killed with SIGKILL left
 * in tmp: each live one holds an flock() on its directory for its whole
 * life, which the kernel drops with the process. Only ours (same owner,
 * real directories named swt.XXXXXX), only the socket in it, and never a
 * directory that is not empty then. Best effort: errors are ignored. */
static void sweep_stale_dirs(const char *tmp)
{
	struct timespec now;
	struct dirent *d;
	int tfd;
	DIR *dir;

	tfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (tfd < 0)
		return;
	dir = fdopendir(tfd);
	if (!dir) {
		close(tfd);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	while ((d = readdir(dir))) {
		struct stat st;
		int fd;

		if (strncmp(d->d_name, "swt.", 4) != 0 ||
		    strlen(d->d_name) != sizeof("swt.XXXXXX") - 1 ||
		    fstatat(tfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
		    st.st_mtim.tv_sec > now.tv_sec - STALE_AGE_S)
			continue;
		fd = openat(tfd, d->d_name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			unlinkat(fd, "trace.sock", 0);
			unlinkat(tfd, d->d_name, AT_REMOVEDIR);
		}
		close(fd);
	}
	closedir(dir);
}

int swt_ingest_open(struct swt_ingest **out,
		    const struct swt_ingest_opts *opts, char *errmsg,
		    size_t errlen)
{
	struct swt_ingest *ing = NULL;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct epoll_event ev = { 0 };
	const char *tmp;
	int err = 0;

	*out = NULL;
	if (errmsg && errlen)
		errmsg[0] = '\0';
	ing = swt_zalloc(sizeof(*ing));
	ing->lfd = -1;
	ing->epfd = -1;
	ing->dirfd = -1;
	if (opts)
		ing->o = *opts;
	else
		swt_ingest_opts_init(&ing->o);
	if (!ing->o.max_clients || !ing->o.max_threads ||
	    !ing->o.max_names || ing->o.max_names > 1u << 20 ||
	    ing->o.max_ring_entries < SWT_WIRE_MIN_RING ||
	    !ing->o.max_msgs_per_s || !ing->o.max_pending) {
		err = fail(errmsg, errlen, SWT_EINVAL,
			   "ingest: a limit is zero or out of range");
		goto out;
	}
	tmp = ing->o.tmpdir;
	if (!tmp)
		tmp = getenv("TMPDIR");
	if (!tmp || !*tmp)
		tmp = "/tmp";
	/* the socket path, dir + "/trace.sock", must fit in sun_path */
	if (strlen(tmp) + sizeof("/swt.XXXXXX/trace.sock") >
	    sizeof(ing->path)) {
		err = fail(errmsg, errlen, SWT_EINVAL,
			   "ingest: directory %s: path too long for a socket",
			   tmp);
		ing->dir[0] = '\0';
		goto out;
	}
	sweep_stale_dirs(tmp);
	snprintf(ing->dir, sizeof(ing->dir), "%s/swt.XXXXXX", tmp);
	if (!mkdtemp(ing->dir)) {
		err = fail(errmsg, errlen, SWT_EIO, "ingest: mkdtemp %s: %s",
			   ing->dir, strerror(errno));
		ing->dir[0] = '\0';
		goto out;
	}
	/* held until we close it, or die: see sweep_stale_dirs() */
	ing->dirfd = open(ing->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ing->dirfd >= 0)
		flock(ing->dirfd, LOCK_EX | LOCK_NB);
	memcpy(ing->path, ing->dir, strlen(ing->dir));
	memcpy(ing->path + strlen(ing->dir), "/trace.sock",
	       sizeof("/trace.sock"));
	snprintf(ing->env, sizeof(ing->env), "%s=%s", SWT_WIRE_ENV, ing->path);
	ing->lfd = socket(AF_UNIX,
			  SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ing->lfd < 0) {
		err = fail(errmsg, errlen, SWT_EIO, "ingest: socket: %s",
			   strerror(errno));
		goto out;
	}
	memcpy(sa.sun_path, ing->path, strlen(ing->path) + 1);
	if (bind(ing->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(ing->lfd, 128) < 0) {
		err = fail(errmsg, errlen, SWT_EIO, "ingest: %s: %s",
			   ing->path, strerror(errno));
		goto out;
	}
	/* Only the directory's mode keeps others out; the socket's follows
	 * it (bind() gives 0777 & ~umask) so that it says the same. */
	if (ing->o.allow_other_uids
		    ? chmod(ing->dir, 0711) < 0 || chmod(ing->path, 0666) < 0
		    : chmod(ing->path, 0600) < 0) {
		err = fail(errmsg, errlen, SWT_EIO, "ingest: chmod %s: %s",
			   ing->dir, strerror(errno));
		goto out;
	}
	ing->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (ing->epfd < 0) {
		err = fail(errmsg, errlen, SWT_EIO, "ingest: epoll: %s",
			   strerror(errno));
		goto out;
	}
	ing->lw.type = W_LISTEN;
	ing->lw.obj = ing;
	ev.events = EPOLLIN;
	ev.data.ptr = &ing->lw;
	if (epoll_ctl(ing->epfd, EPOLL_CTL_ADD, ing->lfd, &ev) < 0) {
		err = fail(errmsg, errlen, SWT_EIO, "ingest: epoll_ctl: %s",
			   strerror(errno));
		goto out;
	}
	err = clock_open(ing, errmsg, errlen);
	if (err)
		goto out;
	ing->euid = geteuid();
	ing->t_lo = mono_ns() - PAST_MARGIN_NS;
	ing->an_window_ns = INT64_MIN / 2;
	ing->an_summary_ns = INT64_MIN / 2;
	ing->msgbuf = swt_zalloc(SWT_WIRE_MAX_MSG + 1);
	*out = ing;
	ing = NULL;
out:
	swt_ingest_close(ing);
	return err;
}

void swt_ingest_close(struct swt_ingest *ing)
{
	struct client *cl, *n;
	size_t i;

	if (!ing)
		return;
	for (cl = ing->clients; cl; cl = n) {
		n = cl->next;
		client_free(cl);
	}
	for (i = 0; i < ing->n_later; i++) {
		free(ing->later[i].subject);
		free(ing->later[i].detail);
	}
	if (ing->epfd >= 0)
		close(ing->epfd);
	if (ing->lfd >= 0) {
		close(ing->lfd);
		unlink(ing->path);
	}
	if (ing->dir[0])
		rmdir(ing->dir);
	if (ing->dirfd >= 0)
		close(ing->dirfd);
	free(ing->later);
	free(ing->items);
	free(ing->evs);
	free(ing->heap);
	free(ing->msgbuf);
	free(ing);
}

int swt_ingest_get_fd(const struct swt_ingest *ing)
{
	return ing->epfd;
}

const char *swt_ingest_get_env(const struct swt_ingest *ing)
{
	return ing->env;
}

const char *swt_ingest_get_clock_env(const struct swt_ingest *ing)
{
	return ing->clock_env;
}

bool swt_ingest_get_tsc(const struct swt_ingest *ing,
			struct swt_tsc_conv *conv, struct swt_tsc_info *info)
{
	if (conv && ing->tsc)
		*conv = ing->tsc_first;
	if (info)
		*info = ing->tsc_info;
	return ing->tsc;
}

const char *swt_ingest_get_path(const struct swt_ingest *ing)
{
	return ing->path;
}

void swt_ingest_set_ending(struct swt_ingest *ing)
{
	ing->ending = true;
}

void swt_ingest_get_stats(const struct swt_ingest *ing,
			  struct swt_ingest_stats *out)
{
	*out = ing->st;
}
