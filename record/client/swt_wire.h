/* swt_wire.h — the protocol between libswtrace (and swtrace.py) and the
 * recorder's ingest (record/swt_ingest.c). Not installed: applications use
 * swtrace.h only.
 *
 * Both ends run on the same machine, so everything is in native byte order
 * and native struct layout (the asserts at the end pin the sizes).
 *
 * Endpoint: the recorder creates a private directory (mkdtemp, mode 0700)
 * with a SOCK_SEQPACKET listening socket and puts its path in the launched
 * command's environment as SWT_TRACE_SOCKET. A client connects on its first
 * event (non-blocking; never waits for the recorder).
 *
 *   client                                   recorder (swt_ingest)
 *   ------                                   ---------------------
 *   connect()  ────────────────────────────▶ accept4(), SO_PEERCRED: uid
 *   HELLO  + fd: process block (memfd) ────▶ map read-only
 *   RING   + fds: ring (memfd), eventfd ───▶ map read-write, poll eventfd
 *   ... one RING per thread, on its first event ...
 *   events: plain stores into the ring, published by a release store of
 *   `head`; the recorder copies them out and release-stores `tail`.
 *   names: appended to the process block's arena, published by a release
 *   store of `n_names` BEFORE any event carrying the new id is published,
 *   so whoever sees an event (acquire of head) also sees its name.
 *   close() / exit / exec ─────────────────▶ EPOLLHUP: rings read one last
 *                                              time, then unmapped
 *
 * The recorder never writes to the socket. A client that sees EOF or EPIPE
 * on it stops tracing (the recorder is gone).
 *
 * Process block (memfd, sealed against shrinking, mapped read-only by the
 * recorder):
 *
 *   0      struct swt_wire_proc        header, counters
 *   4096   struct swt_wire_name[max]   index of name id 1..max (id - 1)
 *   ...    arena                       name bytes (the client adds a NUL
 *                                      after each; the recorder uses len)
 *
 * Ring (memfd, sealed against shrinking, one per thread, single producer):
 *
 *   0      struct swt_wire_ring        geometry, head/tail on own lines
 *   4096   struct swt_wire_entry[capacity]   capacity a power of two
 *
 * Entry i lives at index (i & (capacity - 1)); head - tail <= capacity is
 * the number of unread entries. When the ring is full the producer drops the
 * event and increments `dropped` (it never waits). It rings the doorbell
 * (writes 1 to the eventfd) when the ring is at least a quarter full and
 * `wake` is set; the consumer sets `wake` after each read.
 *
 * Inline mode (swtrace.py; no shared memory): HELLO with SWT_WIRE_F_INLINE
 * and no fd, then EVENTS messages carrying name definitions and events:
 *
 *   struct swt_wire_events          header: cumulative dropped count
 *   then items, packed, no padding:
 *     name:  u8 type=1, u8 len, u16 0, u32 id, len bytes    (8 + len)
 *     event: u8 type=2, u8 kind, u16 0, i32 tid, u32 name,
 *            i64 t_ns, i64 value                             (28 bytes)
 *   Ids are defined in order 1, 2, 3, ... before their first use; id 0 is
 *   the overflow name. kind and value as in struct swt_wire_entry.
 *   Python: struct formats "<BBHI" and "<BBHiIqq".
 *
 * Any violation (bad magic, size, order, id, kind, fd) gets the client
 * disconnected and counted; the recorder validates a copy of every entry
 * before using it, and maps only sealed memfds so a client cannot make it
 * fault by truncating a mapping. */
#ifndef SWT_WIRE_H
#define SWT_WIRE_H

#include <stdatomic.h>
#include <stdint.h>

#define SWT_WIRE_ENV "SWT_TRACE_SOCKET"
/* Optional: ring entries per thread (a power of two in
 * [SWT_WIRE_MIN_RING, SWT_WIRE_MAX_RING]). */
#define SWT_WIRE_ENV_RING "SWT_TRACE_RING_ENTRIES"
/* Optional, read at the client's start: "1" turns the measurement on;
 * absent, empty, "0" or anything else: off. swrec sets both to "1" for
 * the command it launches unless --no-span-cpu / --no-span-rss. */
#define SWT_WIRE_ENV_SPAN_CPU "SWT_TRACE_SPAN_CPU"	/* see value */
#define SWT_WIRE_ENV_SPAN_RSS "SWT_TRACE_SPAN_RSS"	/* SWT_WIRE_EV_RSS */
/* Optional, read at the client's start: "tsc:PATH", PATH the client's own
 * SWT_TRACE_SOCKET, stamps the events of its rings with the raw TSC
 * (rdtsc) and says so in each ring's `clock`; anything else (another
 * PATH, a bare "tsc"): CLOCK_MONOTONIC. swrec sets it for the command it
 * launches, "tsc:" and its socket only when it trusts the TSC and
 * converts it (record/swt_tsc.h), else "monotonic". A recorder that was
 * not told to expect TSC rings refuses them (malformed): the socket in
 * the value keeps a program that inherited it from a command launched
 * under swrec, and reports to another recorder (a test harness, an
 * `swrec --print-socket`), on the clock that one reads. Inline clients
 * (swtrace.py) always send CLOCK_MONOTONIC. */
#define SWT_WIRE_ENV_CLOCK "SWT_TRACE_CLOCK"
#define SWT_WIRE_ENV_CLOCK_TSC "tsc:"	/* then the socket's path */

#define SWT_WIRE_VERSION 1u
#define SWT_WIRE_MSG_MAGIC 0x4d545753u	/* "SWTM" */
#define SWT_WIRE_PROC_MAGIC 0x50545753u	/* "SWTP" */
#define SWT_WIRE_RING_MAGIC 0x52545753u	/* "SWTR" */

#define SWT_WIRE_HDR_SIZE 4096u		/* ring and process block headers */
#define SWT_WIRE_MAX_MSG 65536u		/* largest message, bytes */
#define SWT_WIRE_MAX_NAME 255u		/* longer names are truncated */
#define SWT_WIRE_MAX_NAMES 4096u	/* per process, client side */
#define SWT_WIRE_ARENA_PER_NAME 64u	/* arena = max_names * this */
#define SWT_WIRE_MIN_RING 1024u
#define SWT_WIRE_MAX_RING (1u << 20)
#define SWT_WIRE_DEFAULT_RING 65536u	/* 1.5 MiB per thread */
#define SWT_WIRE_OVERFLOW_ID 0u		/* names past the table's bound */
#define SWT_WIRE_OVERFLOW_NAME "(overflow)"

/* Event kinds: the values of enum swt_event_kind (proto/swt_record.h). */
#define SWT_WIRE_EV_BEGIN 1u
#define SWT_WIRE_EV_END 2u
#define SWT_WIRE_EV_COUNT 3u
#define SWT_WIRE_EV_MARK 4u
#define SWT_WIRE_EV_RSS 5u

enum swt_wire_msg_type {
	SWT_WIRE_HELLO = 1,
	SWT_WIRE_RING = 2,
	SWT_WIRE_EVENTS = 3,
};

/* The clock of a ring's t_ns (struct swt_wire_ring.clock). */
enum swt_wire_clock {
	SWT_WIRE_CLOCK_MONOTONIC = 0,	/* CLOCK_MONOTONIC ns */
	SWT_WIRE_CLOCK_TSC = 1,		/* raw TSC ticks (SWT_WIRE_ENV_CLOCK) */
};

/* Hello flags. */
#define SWT_WIRE_F_INLINE 1u	/* no shared memory: EVENTS messages */

/* Events items (inline mode). */
enum swt_wire_item {
	SWT_WIRE_ITEM_NAME = 1,
	SWT_WIRE_ITEM_EVENT = 2,
};
#define SWT_WIRE_ITEM_NAME_SIZE 8u
#define SWT_WIRE_ITEM_EVENT_SIZE 28u

/* Drop counters of the process block (cumulative, written by the client). */
enum swt_wire_drop {
	SWT_WIRE_DROP_NOMEM = 0,	/* a ring could not be created */
	SWT_WIRE_DROP_NOCONN = 1,	/* the ring could not be handed over */
	SWT_WIRE_DROP_N = 4,
};

struct swt_wire_msg_hdr {
	uint32_t magic;		/* SWT_WIRE_MSG_MAGIC */
	uint16_t type;		/* enum swt_wire_msg_type */
	uint16_t version;	/* SWT_WIRE_VERSION */
	uint32_t len;		/* whole message, this header included */
	uint32_t reserved;
};

/* The header of a message of `type`, len bytes in all. */
static inline void swt_wire_msg_hdr_init(struct swt_wire_msg_hdr *h,
					 uint16_t type, uint32_t len)
{
	h->magic = SWT_WIRE_MSG_MAGIC;
	h->type = type;
	h->version = SWT_WIRE_VERSION;
	h->len = len;
	h->reserved = 0;
}

struct swt_wire_hello {
	struct swt_wire_msg_hdr h;
	int32_t pid;
	uint32_t flags;		/* SWT_WIRE_F_* */
	uint32_t reserved[2];
};

struct swt_wire_ring_msg {
	struct swt_wire_msg_hdr h;
	int32_t tid;
	uint32_t reserved;
};

struct swt_wire_events {
	struct swt_wire_msg_hdr h;
	uint64_t dropped;	/* events the client lost so far (cumulative) */
};

struct swt_wire_proc {
	uint32_t magic;		/* SWT_WIRE_PROC_MAGIC */
	uint32_t version;
	uint32_t size;		/* bytes of the memfd */
	uint32_t max_names;
	uint32_t arena_off;
	uint32_t arena_size;
	int32_t pid;
	uint32_t reserved;
	_Atomic uint32_t n_names;	/* ids 1..n_names are defined */
	uint32_t pad;
	_Atomic uint64_t dropped[SWT_WIRE_DROP_N];
};

struct swt_wire_name {
	uint32_t off;		/* from arena_off */
	uint32_t len;		/* 1..SWT_WIRE_MAX_NAME */
};

struct swt_wire_ring {
	uint32_t magic;		/* SWT_WIRE_RING_MAGIC */
	uint32_t version;
	uint32_t hdr_size;	/* SWT_WIRE_HDR_SIZE */
	uint32_t entry_size;	/* sizeof(struct swt_wire_entry) */
	uint32_t capacity;	/* entries, a power of two */
	int32_t tid;
	uint32_t clock;		/* enum swt_wire_clock of t_ns (was 0) */
	uint32_t reserved32;
	uint64_t reserved[4];
	/* producer's cache line */
	_Atomic uint64_t head;		/* entries published */
	_Atomic uint64_t dropped;	/* events lost: ring full */
	_Atomic int64_t closed_ns;	/* thread exited at (0: running) */
	uint64_t pad1[5];
	/* consumer's cache line */
	_Atomic uint64_t tail;		/* entries consumed */
	_Atomic uint32_t wake;		/* consumer wants the doorbell */
	uint32_t pad2[13];
};

/* `value` by kind (the contract of proto/swt_record.h):
 *   BEGIN, END  the thread's CPU time in ns (CLOCK_THREAD_CPUTIME_ID) at
 *               the event, >= 1 when measured (SWT_WIRE_ENV_SPAN_CPU); 0:
 *               not measured. Negative: a protocol violation.
 *   COUNT       the increment, any sign.
 *   MARK        0 (the recorder ignores what is sent).
 *   RSS         the process's resident set in KiB at t_ns (/proc/self/
 *               statm resident pages x page size / 1024), read by this
 *               thread (SWT_WIRE_ENV_SPAN_RSS). Negative: a violation.
 *               Sent right before a BEGIN (read RSS, read CPU, take t:
 *               RSS(t), BEGIN(t)) and right after an END (take t, read
 *               CPU, read RSS: END(t), RSS(t)), under the span's name. */
struct swt_wire_entry {
	int64_t t_ns;		/* CLOCK_MONOTONIC, or TSC: ring's clock */
	int64_t value;		/* by kind: see above */
	uint32_t name;		/* id; SWT_WIRE_OVERFLOW_ID */
	uint32_t kind;		/* enum swt_event_kind: 1 begin .. 5 rss */
};

_Static_assert(sizeof(struct swt_wire_msg_hdr) == 16, "wire layout");
_Static_assert(sizeof(struct swt_wire_hello) == 32, "wire layout");
_Static_assert(sizeof(struct swt_wire_ring_msg) == 24, "wire layout");
_Static_assert(sizeof(struct swt_wire_events) == 24, "wire layout");
_Static_assert(sizeof(struct swt_wire_proc) <= SWT_WIRE_HDR_SIZE,
	       "wire layout");
_Static_assert(sizeof(struct swt_wire_ring) == 192, "wire layout");
_Static_assert(sizeof(struct swt_wire_entry) == 24, "wire layout");
_Static_assert(sizeof(_Atomic uint64_t) == 8, "wire layout");
/* Shared between processes: the atomics must not need a lock. */
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2 && ATOMIC_INT_LOCK_FREE == 2,
	       "lock-free atomics");

#endif
