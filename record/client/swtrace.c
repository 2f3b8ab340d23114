/* swtrace.c — libswtrace: module spans, counters and marks into per-thread
 * shared-memory rings that swrec's ingest reads (protocol: swt_wire.h).
 *
 * Why rings: measured here, one datagram per event costs ≈ 2.5 µs and
 * batching 256 per send ≈ 64 ns, while a per-thread ring in shared memory
 * costs ≈ 53 ns including the ≈ 25 ns clock read, with no system call on
 * the event path at all. Each thread owns its ring (single producer, no
 * locks, no shared cache lines with other threads); the recorder maps it
 * and copies events out.
 *
 * The event path, once a thread has its ring:
 *   state check (one predictable branch; all a disabled process pays),
 *   name id from a per-thread cache keyed by address and checked against
 *   the interned text, the time (rdtsc where swrec asked for the TSC,
 *   else clock_gettime: see ev_time()), one compare against `limit`, a
 *   24-byte store and a release store of `head` (a plain store on
 *   x86-64: the ring has one writer, so no atomic read-modify-write).
 * `limit` folds three slow cases into that one compare: the ring is full,
 * a periodic check is due (every MAINT_STRIDE events: doorbell, recorder
 * still there?) or the ring has not been handed over yet.
 *
 * Never abort, never print, never block, never raise a signal: allocation
 * and system-call failures drop the event and count it (in the process
 * block the recorder reads), sends are MSG_DONTWAIT | MSG_NOSIGNAL on a
 * non-blocking socket, and shared memory is sealed (see make_memfd()).
 *
 * Span measurements (SWT_TRACE_SPAN_CPU, SWT_TRACE_SPAN_RSS; swt_wire.h):
 * a BEGIN or END then also reads the thread's CPU time and/or the
 * process's RSS, each a system call (1.3 and 1.7 µs here, 45 and 60
 * events' worth: docs/performance.md), so they are off unless asked for,
 * and a thread that does not measure pays one branch on its own context
 * for it. Candidates measured (bench/client, phase "probes"):
 * clock_gettime(CLOCK_THREAD_CPUTIME_ID) 1.46 µs, getrusage(
 * RUSAGE_THREAD) 1.13 µs, a pread of /proc/thread-self/schedstat 1.81 µs;
 * but only the clock brings the running thread's time up to date: the
 * other two lag by up to a scheduler tick (4 ms), longer than many
 * spans. RSS: a pread of /proc/self/statm through a descriptor kept open
 * (nothing else gives the current, not the peak, resident set).
 *
 * Process-wide state is unavoidable here (the API has no context
 * argument); it is all in `P`, guarded by P.lock except the fields the
 * event path reads (swt__state and each thread's own context). */
#define SWT_TRACE_NO_INLINE	/* we define the functions themselves */
#include "swtrace.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#include "swt_config.h"
#include "swt_wire.h"

#define EXPORT __attribute__((visibility("default")))
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#define TLS __thread __attribute__((tls_model("initial-exec")))

_Static_assert(SWT_TRACE_EIO == -2 && SWT_TRACE_ENOTFOUND == -5 &&
		       SWT_TRACE_ENOMEM == -6,
	       "same values as enum swt_status");

enum { ST_UNKNOWN = 0, ST_ON = 1, ST_OFF = 2 };	/* ST_OFF: see SWT__OFF() */

#define CACHE_SLOTS 64u			/* per-thread name cache */
#define MAINT_STRIDE 1024u		/* events between periodic checks */
#define RETRY_NS 20000000		/* between connection attempts */
#define ALIVE_NS 10000000		/* between "recorder gone?" probes */

#define CACHE_WORDS 4u		/* names checked inline: see slot_hit() */

/* What a thread measures at span boundaries (tctx.measure). */
#define M_CPU 1u
#define M_RSS 2u

struct cache_slot {
	const char *ptr;	/* the caller's string */
	uint64_t w[CACHE_WORDS];	/* expected aligned words, masked */
	/* the bytes of each word that belong to the name: from ptr in
	 * w[0], up to the NUL in w[n_words-1], all of the others (one mask
	 * per word keeps the check a simple loop: fewer live registers) */
	uint64_t m[CACHE_WORDS];
	uint16_t n_words;	/* 0: too long for w, use strncmp */
	uint16_t cmp_n;		/* strncmp bound (255: truncated name) */
	uint32_t id;
	const char *str;	/* the interned copy (NUL-terminated) */
};

struct tctx {
	/* read on every event */
	uint64_t head;		/* our copy of ring->head */
	uint64_t limit;		/* take the slow path when head >= limit */
	uint64_t mask;
	struct swt_wire_entry *entries;
	struct swt_wire_ring *ring;
	uint32_t measure;	/* M_*: from P.measure at the thread's start */
	bool tsc;		/* stamp with the TSC: from P.tsc */
	struct cache_slot cache[CACHE_SLOTS];
	/* slow path only */
	uint64_t cap;
	uint64_t dropped;	/* our copy of ring->dropped */
	size_t map_size;
	int ring_fd;		/* until handed over, then -1 */
	int efd;		/* doorbell */
	dev_t efd_dev;		/* to recognise our eventfd (see doorbell) */
	ino_t efd_ino;
	atomic_bool sent;	/* the recorder has the ring */
	int32_t tid;
	int64_t retry_ns;
	int64_t alive_ns;
	struct tctx *next;
	struct tctx *prev;
};

/* ST_*: the one hot global. Exported (swt__state in swtrace.h) so that
 * the disabled check is inlined in the application; accessed with the
 * __atomic builtins because the header reads it as a plain int. */
EXPORT int swt__state;

static inline int state_get(void)
{
	return __atomic_load_n(&swt__state, __ATOMIC_RELAXED);
}

static inline void state_set(int v)
{
	__atomic_store_n(&swt__state, v, __ATOMIC_RELEASE);
}

static TLS struct tctx *t_ctx;
static TLS int64_t t_retry_ns;		/* thread could not get a ring */

static struct {
	pthread_mutex_t lock;
	bool registered;	/* pthread key and atfork handlers */
	bool gone;		/* tracing stopped: the recorder went away */
	pthread_key_t key;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	uint32_t ring_entries;
	int sock;		/* -1: not connected */
	dev_t sock_dev;
	ino_t sock_ino;
	bool hello_sent;
	int64_t retry_ns;
	struct swt_wire_proc *proc;	/* the process block, our mapping */
	size_t proc_size;
	int proc_fd;		/* until the hello is sent, then -1 */
	struct swt_wire_name *index;
	char *arena;
	uint32_t arena_used;
	uint32_t n_names;
	uint32_t *hash;		/* name ids by content, open addressing */
	uint32_t hash_mask;
	struct tctx *threads;
	uint64_t exited_dropped;	/* ring-full drops of exited threads */
	uint32_t measure;	/* M_*, from the environment */
	bool tsc;		/* SWT_TRACE_CLOCK=tsc (and x86-64) */
	/* RSS: /proc/self/statm, read with pread by any thread */
	_Atomic int statm_fd;	/* -1: none */
	dev_t statm_dev;
	ino_t statm_ino;
	int64_t statm_retry_ns;
	int64_t page_kib;	/* page size in KiB */
} P = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.sock = -1,
	.proc_fd = -1,
	.statm_fd = -1,
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void set_off(bool gone)
{
	if (gone)
		P.gone = true;
	state_set(ST_OFF);
}

static void count_drop(enum swt_wire_drop reason, uint64_t n)
{
	if (P.proc && n)
		atomic_fetch_add_explicit(&P.proc->dropped[reason], n,
					  memory_order_relaxed);
}

/* ---- the connection (under P.lock) ----------------------------------- */

/* Is `fd` still the descriptor we opened? An application may close all
 * descriptors it does not know (daemons do) and reuse the number; writing
 * our bytes into its file would be far worse than losing events. */
static bool same_file(int fd, dev_t dev, ino_t ino)
{
	struct stat st;

	return fd >= 0 && fstat(fd, &st) == 0 && st.st_dev == dev &&
	       st.st_ino == ino;
}

/* errno of a failed send or connect: is the recorder gone for good? */
static bool fatal_errno(int e)
{
	return e != EAGAIN && e != EWOULDBLOCK && e != EINTR &&
	       e != ENOBUFS && e != ENOMEM && e != EMFILE && e != ENFILE;
}

static int send_fds(const void *msg, size_t len, const int *fds, size_t n_fds)
{
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { (void *)(uintptr_t)msg, len };
	struct msghdr mh = { 0 };
	ssize_t r;

	if (!same_file(P.sock, P.sock_dev, P.sock_ino)) {
		errno = EBADF;
		return -1;
	}
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (n_fds) {
		struct cmsghdr *cm;

		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(n_fds * sizeof(int));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(n_fds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, n_fds * sizeof(int));
	}
	do
		r = sendmsg(P.sock, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	return r == (ssize_t)len ? 0 : -1;
}

/* Connect and say hello, without waiting: a full backlog or send buffer
 * means "try again later" (the caller counts what it drops meanwhile). */
static bool connect_locked(int64_t now)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct swt_wire_hello hello;
	struct stat st;

	if (P.hello_sent)
		return true;
	if (now < P.retry_ns || state_get() != ST_ON)
		return false;
	P.retry_ns = now + RETRY_NS;
	if (P.sock < 0) {
		int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK |
					 SOCK_CLOEXEC, 0);

		if (fd < 0)
			return false;
		memcpy(sa.sun_path, P.path, strlen(P.path) + 1);
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			int e = errno;

			close(fd);
			if (e == EAGAIN || e == EINPROGRESS || !fatal_errno(e))
				return false;
			set_off(true);	/* no recorder there (any more) */
			return false;
		}
		if (fstat(fd, &st) < 0) {
			close(fd);
			return false;
		}
		P.sock = fd;
		P.sock_dev = st.st_dev;
		P.sock_ino = st.st_ino;
	}
	memset(&hello, 0, sizeof(hello));
	swt_wire_msg_hdr_init(&hello.h, SWT_WIRE_HELLO, sizeof(hello));
	hello.pid = (int32_t)getpid();
	if (send_fds(&hello, sizeof(hello), &P.proc_fd, 1) < 0) {
		if (fatal_errno(errno))
			set_off(true);
		return false;
	}
	P.hello_sent = true;
	close(P.proc_fd);	/* the mapping stays; the recorder has a copy */
	P.proc_fd = -1;
	return true;
}

/* Hand a thread's ring over (under P.lock). */
static void send_ring_locked(struct tctx *c, int64_t now)
{
	struct swt_wire_ring_msg m;
	int fds[2];

	if (atomic_load(&c->sent) || !connect_locked(now))
		return;
	memset(&m, 0, sizeof(m));
	swt_wire_msg_hdr_init(&m.h, SWT_WIRE_RING, sizeof(m));
	m.tid = c->tid;
	fds[0] = c->ring_fd;
	fds[1] = c->efd;
	if (send_fds(&m, sizeof(m), fds, 2) < 0) {
		if (fatal_errno(errno))
			set_off(true);
		return;
	}
	close(c->ring_fd);
	c->ring_fd = -1;
	atomic_store(&c->sent, true);
}

/* ---- process block and names ----------------------------------------- */

static int make_memfd(const char *name, size_t size, void **out, int prot)
{
	int fd;
	void *p;

	*out = NULL;
	fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -1;
	/* Sparse: pages are allocated as they are first written, so a
	 * thread that records a few events costs a page or two, not the
	 * whole ring (only a busy thread's ring becomes resident). memfds
	 * live on the kernel's internal, unlimited tmpfs: a first write
	 * cannot fail for lack of space (which would be a SIGBUS), only
	 * for lack of memory, like any other page of the process. The
	 * header page is allocated now. The seals keep the recorder, which
	 * maps the file too, from ever faulting on it. */
	if (ftruncate(fd, (off_t)size) < 0 ||
	    fallocate(fd, 0, 0, SWT_WIRE_HDR_SIZE) < 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) <
		    0) {
		close(fd);
		return -1;
	}
	p = mmap(NULL, size, prot, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		close(fd);
		return -1;
	}
	*out = p;
	return fd;
}

static bool proc_create_locked(void)
{
	uint32_t max = SWT_WIRE_MAX_NAMES;
	uint32_t arena_off = SWT_WIRE_HDR_SIZE +
			     max * (uint32_t)sizeof(struct swt_wire_name);
	uint32_t arena_size = max * SWT_WIRE_ARENA_PER_NAME;
	size_t size = (size_t)arena_off + arena_size;
	void *p;
	int fd;

	P.hash_mask = 2 * max - 1;
	P.hash = calloc((size_t)P.hash_mask + 1, sizeof(*P.hash));
	if (!P.hash)
		return false;
	fd = make_memfd("swtrace-proc", size, &p, PROT_READ | PROT_WRITE);
	if (fd < 0) {
		free(P.hash);
		P.hash = NULL;
		return false;
	}
	P.proc = p;
	P.proc_size = size;
	P.proc_fd = fd;
	P.proc->magic = SWT_WIRE_PROC_MAGIC;
	P.proc->version = SWT_WIRE_VERSION;
	P.proc->size = (uint32_t)size;
	P.proc->max_names = max;
	P.proc->arena_off = arena_off;
	P.proc->arena_size = arena_size;
	P.proc->pid = (int32_t)getpid();
	P.index = (struct swt_wire_name *)((char *)p + SWT_WIRE_HDR_SIZE);
	P.arena = (char *)p + arena_off;
	P.arena_used = 0;
	P.n_names = 0;
	return true;
}

static uint32_t hash_name(const char *s, size_t len)
{
	uint32_t h = 2166136261u;	/* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static uint32_t intern_locked(const char *name, size_t len)
{
	uint32_t h = hash_name(name, len), i, id;

	for (i = 0; i <= P.hash_mask; i++) {
		uint32_t slot = (h + i) & P.hash_mask;
		const struct swt_wire_name *n;

		id = P.hash[slot];
		if (!id)
			break;
		n = &P.index[id - 1];
		if (n->len == len && !memcmp(P.arena + n->off, name, len))
			return id;
	}
	if (P.n_names >= P.proc->max_names ||
	    P.arena_used + len + 1 > P.proc->arena_size)
		return SWT_WIRE_OVERFLOW_ID;
	id = P.n_names + 1;
	memcpy(P.arena + P.arena_used, name, len);
	P.arena[P.arena_used + len] = '\0';
	P.index[id - 1].off = P.arena_used;
	P.index[id - 1].len = (uint32_t)len;
	P.arena_used += (uint32_t)len + 1;
	P.n_names = id;
	/* Publish before any event carrying the id can be published. */
	atomic_store_explicit(&P.proc->n_names, id, memory_order_release);
	P.hash[(h + i) & P.hash_mask] = id;
	return id;
}

static __attribute__((noinline)) uint32_t lookup_slow(struct cache_slot *s,
						      const char *name)
{
	size_t len = strnlen(name, SWT_WIRE_MAX_NAME + 1);
	bool truncated = len > SWT_WIRE_MAX_NAME;
	uint32_t id;

	if (truncated)
		len = SWT_WIRE_MAX_NAME;
	pthread_mutex_lock(&P.lock);
	id = P.proc ? intern_locked(name, len) : SWT_WIRE_OVERFLOW_ID;
	if (id != SWT_WIRE_OVERFLOW_ID) {
		size_t off = (uintptr_t)name & 7, end = off + len + 1, i;

		s->ptr = name;
		s->str = P.arena + P.index[id - 1].off;
		s->cmp_n = truncated ? SWT_WIRE_MAX_NAME
				     : SWT_WIRE_MAX_NAME + 1;
		s->id = id;
		s->n_words = 0;
		if (!truncated && end <= 8 * CACHE_WORDS) {
			unsigned char buf[8 * CACHE_WORDS] = { 0 };
			size_t k;

			memcpy(buf + off, s->str, len + 1);
			for (i = 0; i < CACHE_WORDS; i++)
				memcpy(&s->w[i], buf + 8 * i, 8);
			s->n_words = (uint16_t)((end + 7) / 8);
			k = end - 8 * ((size_t)s->n_words - 1);	/* 1..8 */
			for (i = 0; i < CACHE_WORDS; i++)
				s->m[i] = ~(uint64_t)0;
			s->m[0] &= ~(uint64_t)0 << (8 * off);
			s->m[s->n_words - 1] &= k == 8 ? ~(uint64_t)0
					      : ((uint64_t)1 << (8 * k)) - 1;
		}
	}
	pthread_mutex_unlock(&P.lock);
	return id;
}

typedef uint64_t __attribute__((may_alias)) word_t;

/* Is `name` (the address this slot caches) still the cached text? The
 * address alone is not enough: a buffer may be reused for another name.
 * strncmp through the PLT costs about as much as the rest of the event, so
 * names that fit in CACHE_WORDS aligned words are compared a word at a
 * time. Aligned loads never cross a page, so reading a few bytes around
 * the string is safe even where they are not part of it (as glibc's own
 * string functions do); those bytes are masked out. */
static inline __attribute__((no_sanitize_address)) bool
slot_hit(const struct cache_slot *s, const char *name)
{
	const word_t *a = (const word_t *)((uintptr_t)name & ~(uintptr_t)7);
	uint64_t diff = 0;
	unsigned n = s->n_words, i;

	if (UNLIKELY(!n))
		return !strncmp(name, s->str, s->cmp_n);
	for (i = 0; i < n; i++)
		diff |= (a[i] & s->m[i]) ^ s->w[i];
	return diff == 0;
}

static inline uint32_t lookup(struct tctx *c, const char *name)
{
	uintptr_t p = (uintptr_t)name;
	struct cache_slot *s =
		&c->cache[(p ^ (p >> 7) ^ (p >> 13)) & (CACHE_SLOTS - 1)];

	if (LIKELY(s->ptr == name) && LIKELY(slot_hit(s, name)))
		return s->id;
	return lookup_slow(s, name);
}

/* ---- threads ---------------------------------------------------------- */

static void free_ctx(struct tctx *c)
{
	if (c->ring)
		munmap(c->ring, c->map_size);
	if (c->efd >= 0)
		close(c->efd);
	if (c->ring_fd >= 0)
		close(c->ring_fd);
	free(c);
}

static void doorbell(struct tctx *c)
{
	uint64_t one = 1;

	if (same_file(c->efd, c->efd_dev, c->efd_ino) &&
	    write(c->efd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is saturated, the recorder will look. */
	}
}

static void thread_dtor(void *arg)
{
	struct tctx *c = arg;

	if (t_ctx == c)
		t_ctx = NULL;
	pthread_mutex_lock(&P.lock);
	if (c->prev)
		c->prev->next = c->next;
	else
		P.threads = c->next;
	if (c->next)
		c->next->prev = c->prev;
	if (atomic_load(&c->sent)) {
		/* Pending events stay readable: the recorder maps the ring
		 * and reads it to the end before it lets it go. */
		atomic_store_explicit(&c->ring->closed_ns, now_ns(),
				      memory_order_release);
		doorbell(c);
		P.exited_dropped += c->dropped;
	} else {
		count_drop(SWT_WIRE_DROP_NOCONN, c->head + c->dropped);
	}
	pthread_mutex_unlock(&P.lock);
	free_ctx(c);
}

static __attribute__((noinline)) struct tctx *thread_start(void)
{
	int64_t now = now_ns();
	uint32_t cap;
	struct tctx *c = NULL;
	struct stat st;
	void *p;

	if (now < t_retry_ns)
		goto fail;
	c = calloc(1, sizeof(*c));
	if (!c)
		goto fail;
	c->efd = -1;
	cap = P.ring_entries;
	c->map_size = SWT_WIRE_HDR_SIZE +
		      (size_t)cap * sizeof(struct swt_wire_entry);
	c->ring_fd = make_memfd("swtrace-ring", c->map_size, &p,
				PROT_READ | PROT_WRITE);
	if (c->ring_fd < 0)
		goto fail;
	c->ring = p;
	c->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (c->efd < 0 || fstat(c->efd, &st) < 0)
		goto fail;
	c->efd_dev = st.st_dev;
	c->efd_ino = st.st_ino;
	c->tid = (int32_t)gettid();
	c->cap = cap;
	c->mask = cap - 1;
	c->entries = (struct swt_wire_entry *)((char *)p + SWT_WIRE_HDR_SIZE);
	c->ring->magic = SWT_WIRE_RING_MAGIC;
	c->ring->version = SWT_WIRE_VERSION;
	c->ring->hdr_size = SWT_WIRE_HDR_SIZE;
	c->ring->entry_size = sizeof(struct swt_wire_entry);
	c->ring->capacity = cap;
	c->ring->tid = c->tid;
	atomic_store(&c->ring->wake, 1);
	c->limit = 0;		/* first event: slow path, hands it over */

	pthread_mutex_lock(&P.lock);
	if (state_get() != ST_ON || !P.registered) {
		pthread_mutex_unlock(&P.lock);
		goto fail;
	}
	c->measure = P.measure;
	c->tsc = P.tsc;
	c->ring->clock = c->tsc ? SWT_WIRE_CLOCK_TSC : SWT_WIRE_CLOCK_MONOTONIC;
	c->next = P.threads;
	if (P.threads)
		P.threads->prev = c;
	P.threads = c;
	if (pthread_setspecific(P.key, c) != 0) {
		/* Without the destructor, the ring would leak at thread exit;
		 * better not to trace this thread. */
		P.threads = c->next;
		if (P.threads)
			P.threads->prev = NULL;
		pthread_mutex_unlock(&P.lock);
		goto fail;
	}
	send_ring_locked(c, now);
	pthread_mutex_unlock(&P.lock);
	t_ctx = c;
	return c;
fail:
	if (c)
		free_ctx(c);
	t_retry_ns = now + RETRY_NS;
	pthread_mutex_lock(&P.lock);
	count_drop(SWT_WIRE_DROP_NOMEM, 1);
	pthread_mutex_unlock(&P.lock);
	return NULL;
}

/* Is the recorder still there? It never writes to the socket, so a
 * readable socket means EOF or an error. */
static void probe_recorder(void)
{
	char b;
	ssize_t r;

	if (pthread_mutex_trylock(&P.lock) != 0)
		return;
	if (P.sock >= 0 && same_file(P.sock, P.sock_dev, P.sock_ino)) {
		r = recv(P.sock, &b, 1, MSG_PEEK | MSG_DONTWAIT);
		if (r == 0 || (r < 0 && fatal_errno(errno)))
			set_off(true);
	}
	pthread_mutex_unlock(&P.lock);
}

/* The slow half of the event path: returns false to drop the event. */
static __attribute__((noinline)) bool ring_slow(struct tctx *c, int64_t t)
{
	uint64_t tail, full, next;
	bool sent = atomic_load(&c->sent);

	if (c->tsc)	/* t is in TSC ticks: one clock read per stride */
		t = now_ns();

	if (!sent && t >= c->retry_ns) {
		c->retry_ns = t + RETRY_NS;
		pthread_mutex_lock(&P.lock);
		send_ring_locked(c, t);
		pthread_mutex_unlock(&P.lock);
		sent = atomic_load(&c->sent);
	}
	tail = atomic_load_explicit(&c->ring->tail, memory_order_acquire);
	if (c->head - tail >= c->cap / 4 && sent &&
	    atomic_load_explicit(&c->ring->wake, memory_order_relaxed) &&
	    atomic_exchange_explicit(&c->ring->wake, 0, memory_order_relaxed))
		doorbell(c);
	/* The recorder never writes to the socket and a thread with a ring
	 * never sends: look for EOF now and then (one recv per ALIVE_NS at
	 * most, at a periodic check), so that a process stops tracing
	 * soon after its recorder died. */
	if (sent && t >= c->alive_ns) {
		c->alive_ns = t + ALIVE_NS;
		probe_recorder();
	}
	full = tail + c->cap;	/* a bogus tail only makes us drop */
	next = (c->head + MAINT_STRIDE) & ~(uint64_t)(MAINT_STRIDE - 1);
	c->limit = sent ? (full < next ? full : next) : c->head;
	if (c->head >= full || c->head < tail) {
		c->limit = c->head;
		c->dropped++;
		atomic_store_explicit(&c->ring->dropped, c->dropped,
				      memory_order_relaxed);
		return false;
	}
	return true;
}

/* ---- span measurements ------------------------------------------------ */

static int64_t ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

/* The calling thread's CPU time, >= 1 (0 means "not measured" on the
 * wire), or 0 if the clock fails. */
static int64_t thread_cpu_ns(void)
{
	struct timespec ts;
	int64_t v;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return 0;
	v = ts_ns(&ts);
	return v > 0 ? v : 1;
}

/* Open /proc/self/statm (under P.lock). It names the process that opens
 * it: a fork() child must open its own (atfork_child closes ours). */
static void statm_open_locked(int64_t now)
{
	struct stat st;
	int fd;

	if (now < P.statm_retry_ns)
		return;
	P.statm_retry_ns = now + RETRY_NS;
	fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return;
	}
	P.statm_dev = st.st_dev;
	P.statm_ino = st.st_ino;
	atomic_store_explicit(&P.statm_fd, fd, memory_order_release);
}

/* The reading went wrong: if the descriptor is no longer ours (the
 * application closed it and reused the number), forget it without
 * closing it, and open another (at most every RETRY_NS). */
static __attribute__((noinline, cold)) void statm_repair(int fd)
{
	pthread_mutex_lock(&P.lock);
	if (atomic_load(&P.statm_fd) == fd &&
	    !same_file(fd, P.statm_dev, P.statm_ino)) {
		atomic_store(&P.statm_fd, -1);
		statm_open_locked(now_ns());
	} else if (atomic_load(&P.statm_fd) < 0) {
		statm_open_locked(now_ns());
	}
	pthread_mutex_unlock(&P.lock);
}

/* The process's resident set in KiB, or -1 (not measured). statm is
 * "size resident shared text lib data dt" in pages; the line is parsed
 * strictly so that another file behind a stolen descriptor is noticed. */
static int64_t rss_kib(void)
{
	int fd = atomic_load_explicit(&P.statm_fd, memory_order_acquire);
	char buf[128];
	uint64_t v[2] = { 0, 0 };
	ssize_t n;
	int i, k = 0;

	if (fd < 0)
		goto bad;
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		goto bad;
	for (i = 0; i < n && k < 2; k++) {
		int digits = 0;

		while (i < n && buf[i] >= '0' && buf[i] <= '9' &&
		       digits < 18) {
			v[k] = v[k] * 10 + (uint64_t)(buf[i++] - '0');
			digits++;
		}
		if (!digits || i >= n || buf[i] != ' ')
			goto bad;
		i++;
	}
	if (k < 2)
		goto bad;
	return (int64_t)v[1] * P.page_kib;
bad:
	statm_repair(fd);
	return -1;
}

/* The time of an event in the ring's clock: the TSC where swrec asked
 * for it (SWT_WIRE_ENV_CLOCK; it converts on ingest), else
 * CLOCK_MONOTONIC. A plain rdtsc, not rdtscp or a fenced one: it may
 * execute a few instructions early or late, a few ns, far below what
 * separates events that mean something, and a fence would cost more than
 * the read (Tracy stamps its zones the same way). */
static inline int64_t ev_time(const struct tctx *c)
{
	struct timespec ts;

#if defined(__x86_64__)
	if (LIKELY(c->tsc))
		return (int64_t)__rdtsc();
#else
	(void)c;
#endif
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts_ns(&ts);
}

/* Write entry h of the ring (not yet published). */
static inline void fill(struct tctx *c, uint64_t h, int64_t t,
			int64_t value, uint32_t id, uint32_t kind)
{
	struct swt_wire_entry *e = &c->entries[h & c->mask];

	e->t_ns = t;
	e->value = value;
	e->name = id;
	e->kind = kind;
}

/* One entry at h (the caller's c->head); false: dropped. */
static inline bool put(struct tctx *c, int64_t t, int64_t value,
		       uint32_t id, uint32_t kind)
{
	uint64_t h = c->head;

	if (UNLIKELY(h >= c->limit) && !ring_slow(c, t))
		return false;
	fill(c, h, t, value, id, kind);
	atomic_store_explicit(&c->ring->head, h + 1, memory_order_release);
	c->head = h + 1;
	return true;
}

/* Two entries at the same time t, published together (one release store
 * of head), so that the recorder never sees one without the other: if it
 * has drained past t meanwhile (this thread was preempted), it raises
 * both times alike, and the pair stays a pair. Near the limit (ring full,
 * periodic check due) they go one by one through put(). */
static void put2(struct tctx *c, int64_t t, int64_t v1, uint32_t k1,
		 int64_t v2, uint32_t k2, uint32_t id)
{
	uint64_t h = c->head;

	if (UNLIKELY(h + 2 > c->limit)) {
		put(c, t, v1, id, k1);
		put(c, t, v2, id, k2);
		return;
	}
	fill(c, h, t, v1, id, k1);
	fill(c, h + 1, t, v2, id, k2);
	atomic_store_explicit(&c->ring->head, h + 2, memory_order_release);
	c->head = h + 2;
}

/* A BEGIN or END of a thread that measures (swt_wire.h, struct
 * swt_wire_entry): read RSS, read CPU, take t: RSS(t), BEGIN(t, cpu); or
 * take t, read CPU, read RSS: END(t, cpu), RSS(t). The order keeps the
 * readings' own cost (system calls) outside the span on both sides. */
static __attribute__((noinline)) void record_measured(struct tctx *c,
						      uint32_t kind,
						      uint32_t id)
{
	int64_t t, cpu = 0, rss = -1;

	if (kind == SWT_WIRE_EV_BEGIN) {
		if (c->measure & M_RSS)
			rss = rss_kib();
		if (c->measure & M_CPU)
			cpu = thread_cpu_ns();
		t = ev_time(c);
		if (rss >= 0)
			put2(c, t, rss, SWT_WIRE_EV_RSS, cpu,
			     SWT_WIRE_EV_BEGIN, id);
		else
			put(c, t, cpu, id, SWT_WIRE_EV_BEGIN);
	} else {
		t = ev_time(c);
		if (c->measure & M_CPU)
			cpu = thread_cpu_ns();
		if (c->measure & M_RSS)
			rss = rss_kib();
		if (rss >= 0)
			put2(c, t, cpu, SWT_WIRE_EV_END, rss, SWT_WIRE_EV_RSS,
			     id);
		else
			put(c, t, cpu, id, SWT_WIRE_EV_END);
	}
}

static __attribute__((noinline)) void record(uint32_t kind,
					     const char *name, int64_t value)
{
	struct tctx *c = t_ctx;
	uint32_t id;

	if (UNLIKELY(!c)) {
		c = thread_start();
		if (!c)
			return;
	}
	if (UNLIKELY(!name))
		name = "(null)";
	id = lookup(c, name);
	if (UNLIKELY(c->measure) && kind <= SWT_WIRE_EV_END) {
		record_measured(c, kind, id);
		return;
	}
	put(c, ev_time(c), value, id, kind);
}

/* The common case, inlined into each entry point (so `kind` is a
 * constant): a thread with its ring, a cached name of up to CACHE_WORDS
 * words, the TSC, room before `limit`, nothing to measure. Everything
 * else goes to record(), always as a tail call, so that this path calls
 * nothing and needs no stack frame or saved registers (the generic path
 * pushed and popped six registers around every event). */
static inline __attribute__((always_inline, no_sanitize_address)) void
record_fast(uint32_t kind, const char *name, int64_t value)
{
	struct tctx *c = t_ctx;
	const struct cache_slot *s;
	uintptr_t p = (uintptr_t)name;
	uint64_t h;
	int64_t t;

	if (UNLIKELY(!c) || UNLIKELY(!c->tsc) ||
	    (kind <= SWT_WIRE_EV_END && UNLIKELY(c->measure)))
		goto slow;
	s = &c->cache[(p ^ (p >> 7) ^ (p >> 13)) & (CACHE_SLOTS - 1)];
	if (UNLIKELY(s->ptr != name) || UNLIKELY(!s->n_words) ||
	    UNLIKELY(!slot_hit(s, name)))
		goto slow;
	h = c->head;
	if (UNLIKELY(h >= c->limit))
		goto slow;
#if defined(__x86_64__)
	t = (int64_t)__rdtsc();
#else
	t = 0;	/* unreachable: c->tsc is never set */
#endif
	fill(c, h, t, value, s->id, kind);
	/* The ring has one writer: a release store publishes the entry (a
	 * plain mov on x86-64), no read-modify-write. */
	atomic_store_explicit(&c->ring->head, h + 1, memory_order_release);
	c->head = h + 1;
	return;
slow:
	record(kind, name, value);
}

/* ---- process setup, fork, exit ---------------------------------------- */

static void atfork_prepare(void)
{
	pthread_mutex_lock(&P.lock);
}

static void atfork_parent(void)
{
	pthread_mutex_unlock(&P.lock);
}

/* The child must never write into its parent's rings (the parent's
 * recorder would read them as the parent's events) nor use its
 * connection: drop all of it and start again on the child's first event.
 * Only the forking thread exists here, and it holds P.lock. */
static void atfork_child(void)
{
	struct tctx *c, *n;

	for (c = P.threads; c; c = n) {
		n = c->next;
		free_ctx(c);
	}
	P.threads = NULL;
	t_ctx = NULL;
	t_retry_ns = 0;
	if (P.registered)
		pthread_setspecific(P.key, NULL);
	if (P.sock >= 0)
		close(P.sock);
	P.sock = -1;
	P.hello_sent = false;
	P.retry_ns = 0;
	if (P.proc)
		munmap(P.proc, P.proc_size);
	P.proc = NULL;
	if (P.proc_fd >= 0)
		close(P.proc_fd);
	P.proc_fd = -1;
	free(P.hash);
	P.hash = NULL;
	P.exited_dropped = 0;
	P.n_names = 0;
	P.arena_used = 0;
	/* ours, but it names the parent: the child opens its own */
	if (atomic_load(&P.statm_fd) >= 0 &&
	    same_file(atomic_load(&P.statm_fd), P.statm_dev, P.statm_ino))
		close(atomic_load(&P.statm_fd));
	atomic_store(&P.statm_fd, -1);
	P.statm_retry_ns = 0;
	P.measure = 0;
	P.tsc = false;
	if (state_get() == ST_ON)
		state_set(ST_UNKNOWN);
	pthread_mutex_unlock(&P.lock);
}

static uint32_t ring_entries_from_env(void)
{
	const char *s = secure_getenv(SWT_WIRE_ENV_RING);
	unsigned long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return SWT_WIRE_DEFAULT_RING;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < SWT_WIRE_MIN_RING || v > SWT_WIRE_MAX_RING ||
	    (v & (v - 1)))
		return SWT_WIRE_DEFAULT_RING;
	return (uint32_t)v;
}

/* SWT_WIRE_ENV_SPAN_*: "1" is on, anything else (or nothing) off. */
static bool flag_from_env(const char *var)
{
	const char *s = secure_getenv(var);

	return s && s[0] == '1' && s[1] == '\0';
}

/* SWT_WIRE_ENV_CLOCK: "tsc:" and the socket the client reports to (path),
 * where this build can read the TSC: a value another recorder set (one
 * this program inherited from a command launched under swrec) is not its
 * recorder's, which would refuse TSC rings. */
static bool tsc_from_env(const char *path)
{
#if defined(__x86_64__)
	const char *s = secure_getenv(SWT_WIRE_ENV_CLOCK);
	const size_t n = sizeof(SWT_WIRE_ENV_CLOCK_TSC) - 1;

	return s && !strncmp(s, SWT_WIRE_ENV_CLOCK_TSC, n) && !strcmp(s + n, path);
#else
	(void)path;
	return false;
#endif
}

static void init_locked(void)
{
	const char *path;

	if (!P.registered) {
		if (pthread_key_create(&P.key, thread_dtor) != 0)
			goto off;
		if (pthread_atfork(atfork_prepare, atfork_parent,
				   atfork_child) != 0) {
			pthread_key_delete(P.key);
			goto off;
		}
		P.registered = true;
	}
	/* secure_getenv: a set-uid program must not report to whoever set
	 * its environment. */
	path = secure_getenv(SWT_WIRE_ENV);
	if (!path || !*path || strlen(path) >= sizeof(P.path))
		goto off;
	memcpy(P.path, path, strlen(path) + 1);
	P.ring_entries = ring_entries_from_env();
	if (!proc_create_locked())
		goto off;
	P.measure = 0;
	P.tsc = tsc_from_env(P.path);
	if (flag_from_env(SWT_WIRE_ENV_SPAN_CPU))
		P.measure |= M_CPU;
	if (flag_from_env(SWT_WIRE_ENV_SPAN_RSS)) {
		long page = sysconf(_SC_PAGESIZE);

		P.page_kib = page >= 1024 ? page / 1024 : 4;
		P.measure |= M_RSS;
		statm_open_locked(now_ns());
	}
	state_set(ST_ON);
	connect_locked(now_ns());
	return;
off:
	set_off(false);
}

static __attribute__((noinline, cold)) bool start_slow(void)
{
	pthread_mutex_lock(&P.lock);
	if (state_get() == ST_UNKNOWN)
		init_locked();
	pthread_mutex_unlock(&P.lock);
	return state_get() == ST_ON;
}

static inline bool active(void)
{
	int s = state_get();

	if (LIKELY(s == ST_ON))
		return true;
	if (LIKELY(s == ST_OFF))
		return false;
	return start_slow();
}

/* The first event of the process (or after a fork): read the environment
 * and connect, then record. A tail call from the entry points, so that
 * their fast path saves no registers for it. */
static __attribute__((noinline, cold)) void entry_slow(uint32_t kind,
						       const char *name,
						       int64_t value)
{
	if (start_slow())
		record(kind, name, value);
}

/* The event entry points: the state check comes before anything else, so
 * that a process outside swrec pays a load, a compare and a return (no
 * stack frame: record() is a tail call). */
#define EVENT_ENTRY(kind, name, value)                                   \
	do {                                                             \
		int s_ = state_get();                                    \
		if (LIKELY(s_ == ST_ON)) {                               \
			record_fast(kind, name, value);                  \
			return;                                          \
		}                                                        \
		if (LIKELY(s_ == ST_OFF))                                \
			return;                                          \
		entry_slow(kind, name, value);                           \
	} while (0)

/* At exit (or dlclose): wake the recorder so it collects soon; the events
 * themselves are safe in the rings whatever happens next. The key goes so
 * that no destructor can point into an unloaded library. */
static __attribute__((destructor)) void lib_fini(void)
{
	struct tctx *c;

	if (pthread_mutex_trylock(&P.lock) != 0)
		return;
	for (c = P.threads; c; c = c->next)
		if (atomic_load(&c->sent))
			doorbell(c);
	if (P.registered) {
		pthread_key_delete(P.key);
		P.registered = false;	/* no new rings from here on */
	}
	pthread_mutex_unlock(&P.lock);
}

/* ---- the API ----------------------------------------------------------- */

EXPORT void swt_module_begin(const char *module)
{
	EVENT_ENTRY(SWT_WIRE_EV_BEGIN, module, 0);
}

EXPORT void swt_module_end(const char *module)
{
	EVENT_ENTRY(SWT_WIRE_EV_END, module, 0);
}

EXPORT void swt_count(const char *counter, int64_t delta)
{
	EVENT_ENTRY(SWT_WIRE_EV_COUNT, counter, delta);
}

EXPORT void swt_mark(const char *name)
{
	EVENT_ENTRY(SWT_WIRE_EV_MARK, name, 0);
}

EXPORT int swt_trace_enabled(void)
{
	return active();
}

EXPORT int swt_trace_flush(void)
{
	struct tctx *c;
	int64_t now;
	int ret = SWT_TRACE_OK;

	if (!active())
		return P.gone ? SWT_TRACE_EIO : SWT_TRACE_ENOTFOUND;
	now = now_ns();
	pthread_mutex_lock(&P.lock);
	P.retry_ns = 0;		/* an explicit request: try now */
	if (!connect_locked(now))
		ret = SWT_TRACE_ENOMEM;
	for (c = P.threads; c; c = c->next) {
		send_ring_locked(c, now);
		if (!atomic_load(&c->sent)) {
			ret = SWT_TRACE_ENOMEM;
			continue;
		}
		atomic_store(&c->ring->wake, 0);
		doorbell(c);
	}
	pthread_mutex_unlock(&P.lock);
	probe_recorder();
	if (state_get() != ST_ON)
		ret = SWT_TRACE_EIO;
	return ret;
}

EXPORT uint64_t swt_trace_dropped(void)
{
	struct tctx *c;
	uint64_t n = 0;
	int i;

	pthread_mutex_lock(&P.lock);
	n = P.exited_dropped;
	if (P.proc)
		for (i = 0; i < SWT_WIRE_DROP_N; i++)
			n += atomic_load(&P.proc->dropped[i]);
	for (c = P.threads; c; c = c->next)
		n += atomic_load_explicit(&c->ring->dropped,
					  memory_order_relaxed);
	pthread_mutex_unlock(&P.lock);
	return n;
}

EXPORT const char *swt_trace_version(void)
{
	return SWT_VERSION;
}
