/* swt_ingest.h — the recorder's end of libswtrace: accept instrumented
 * processes, read their events, hand them out as session records.
 *
 * Transport and protocol: record/client/swt_wire.h. In short, each
 * process connects to a socket in a private directory, hands over one
 * shared-memory ring per thread plus a table of names, and writes events
 * into the rings without system calls; swtrace.py sends batches over the
 * socket instead. The ingest copies events out of the rings into
 * per-thread queues ("pumping") and emits them, merged in time order, as
 * records.
 *
 * How a recorder's loop uses it (swrec: record/swt_session.c):
 *
 *   swt_ingest_open(&ing, &opts, err, sizeof(err));
 *   putenv-style: give swt_ingest_get_env(ing) to the launched command;
 *   loop:
 *       poll(..., swt_ingest_get_fd(ing) POLLIN, ...);
 *       if that fd is readable: swt_ingest_service(ing);
 *       before appending a record stamped T (a sample):
 *           swt_ingest_drain(ing, T, append, s);
 *       after handling a wake-up at time NOW (no record older than NOW
 *       will be appended any more):
 *           swt_ingest_drain(ing, NOW, append, s);
 *   at the end: swt_ingest_service(ing);
 *               swt_ingest_drain(ing, END, append, s);
 *               swt_ingest_close(ing);
 *
 * Ordering contract: a drain emits only records stamped <= until_ns, in
 * non-decreasing time order, and never a record stamped before an earlier
 * drain's until_ns. So if the caller never passes an until_ns greater than
 * the time of a record it appends afterwards, the stream stays in time
 * order. An event published after its time was already drained (a thread
 * preempted between reading the clock and publishing, or a Python batch
 * arriving late) is emitted with its time raised to that earlier until_ns
 * and counted in stats.late.
 *
 * Draining keeps up on its own schedule: a ring rings its doorbell (the
 * fd turns readable) when it is a quarter full, so a loop that services
 * and drains on every wake-up keeps the rings from filling as long as it
 * gets the CPU in time: a default ring holds 65536 events, 26 ms of a
 * thread recording 2.5 M events/s (docs/performance.md, "libswtrace").
 * A loop busy elsewhere for longer than that (a long sampling tick) makes
 * the producers drop events, which are counted and reported. Events are
 * also pumped at every drain.
 *
 * Not thread-safe: one ingest per thread (the recorder's loop). Nothing
 * here samples /proc or writes the file. */
#ifndef SWT_INGEST_H
#define SWT_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "swt_record.h"
#include "swt_tsc.h"

/* The clock C clients stamp their rings' events with (issue 17). */
enum swt_event_clock {
	SWT_EVENT_CLOCK_AUTO = 0,	/* the TSC where trusted (swt_tsc.h) */
	SWT_EVENT_CLOCK_MONOTONIC = 1,	/* clock_gettime, always */
	SWT_EVENT_CLOCK_TSC = 2,	/* the TSC even without the CPU's
					 * invariance flags (the other checks
					 * still apply); open fails without */
};

struct swt_ingest;

struct swt_ingest_opts {
	/* Parent of the private directory; NULL: $TMPDIR, else /tmp. */
	const char *tmpdir;
	/* Accept connections from other user ids (the directory becomes
	 * 0711 and the socket 0666 so that they can reach it). Default:
	 * directory 0700, socket 0600, so another user's connect() fails
	 * (EACCES) and is not seen; one that gets through anyway (root) is
	 * refused (SO_PEERCRED) and counted. */
	bool allow_other_uids;
	uint32_t max_clients;		/* connected at once, default 256;
					 * when full, the oldest connection
					 * without a hello is cut off for a
					 * new one */
	uint32_t max_threads;		/* per client, default 1024 */
	uint32_t max_names;		/* per client, default 4096 */
	uint32_t max_ring_entries;	/* per ring, default 1 << 20 */
	uint64_t max_map_bytes;		/* all rings mapped, default 1 GiB */
	uint32_t max_msgs_per_s;	/* per client, default 20000 */
	/* enum swt_event_clock (default AUTO). With the TSC, the ingest
	 * calibrates it against CLOCK_MONOTONIC at open (≈ 10 ms), again
	 * after 20 ms, 40 ms, ... then every second (at service and drain
	 * calls), and converts each TSC ring's events to CLOCK_MONOTONIC
	 * ns; records carry CLOCK_MONOTONIC times whatever the clock. */
	int event_clock;
	uint32_t max_pending;		/* queued events per client before
					 * its rings are left to fill,
					 * default 1 << 20; all clients
					 * together hold at most 1 << 18
					 * (the recorder's memory) */
};

/* Fill *opts with the defaults above. */
void swt_ingest_opts_init(struct swt_ingest_opts *opts);

/* Create the private directory (mkdtemp, mode 0700), flock() it for the
 * ingest's life, and listen on a socket in it; first remove the unlocked
 * (killed recorders') directories of the same user in the same place
 * that are over 2 s old. opts may be NULL (defaults). Returns 0, SWT_EINVAL (bad option)
 * or SWT_EIO (directory, socket or epoll failed); on failure *out is NULL
 * and, if errmsg is not NULL, a message is copied into errmsg[0..errlen).
 * All descriptors are close-on-exec. */
int swt_ingest_open(struct swt_ingest **out,
		    const struct swt_ingest_opts *opts, char *errmsg,
		    size_t errlen);

/* Remove the socket and the directory, unmap every ring, close every
 * connection, free. Events not drained are lost. NULL is a no-op. */
void swt_ingest_close(struct swt_ingest *ing);

/* One descriptor (an epoll instance) covering the listening socket, every
 * connection and every ring's doorbell: when it polls readable, call
 * swt_ingest_service(). Owned by the ingest. */
int swt_ingest_get_fd(const struct swt_ingest *ing);

/* "SWT_TRACE_SOCKET=/tmp/swt.XXXXXX/trace.sock", for the environment of
 * the command to trace (putenv()/execve() style). Borrowed: valid until
 * swt_ingest_close(). */
const char *swt_ingest_get_env(const struct swt_ingest *ing);

/* "SWT_TRACE_CLOCK=tsc:SOCKET" (this ingest's socket) when the ingest
 * converts the TSC, else "SWT_TRACE_CLOCK=monotonic": for the environment
 * of the command to trace, with swt_ingest_get_env(). A client that is
 * not given it, or given another socket's, stays on CLOCK_MONOTONIC.
 * Borrowed, as above. */
const char *swt_ingest_get_clock_env(const struct swt_ingest *ing);

/* The TSC's use: false when events are on CLOCK_MONOTONIC. When true,
 * *conv (if not NULL) is the conversion set at open and *info (if not
 * NULL) what calibration found; when false, info->why says why (empty
 * when the TSC was not asked for). */
bool swt_ingest_get_tsc(const struct swt_ingest *ing,
			struct swt_tsc_conv *conv, struct swt_tsc_info *info);

/* The socket's path alone. Borrowed, as above. */
const char *swt_ingest_get_path(const struct swt_ingest *ing);

/* Handle whatever is ready without waiting: accept connections (checking
 * the peer's uid), read hellos, rings and batches, validate them, pump
 * rings whose doorbell rang, notice clients that went away. Misbehaving
 * clients (malformed, oversized, flooding) are disconnected and counted;
 * nothing a client does makes this fail. Returns 0, or SWT_EIO if
 * epoll_wait itself failed. Bounded work per call. */
int swt_ingest_service(struct swt_ingest *ing);

/* Receives each record. `rec` and everything it points to is valid only
 * during the call. A negative return stops the drain (see below). */
typedef int (*swt_ingest_emit_fn)(const struct swt_record *rec,
				  void *payload);

/* Pump every ring, then emit, in non-decreasing time order, everything
 * known with a time <= until_ns:
 *   SWT_REC_EVENTS   one batch per process (more if it is very large:
 *                    65536 events at most), its threads' events merged in
 *                    time order; record time = its first event's;
 *   SWT_REC_DROPS    for each process and reason whose count of events
 *                    lost changed: dropped = that process's cumulative
 *                    count for that reason, total_dropped = the whole
 *                    session's, reason "ring-full", "no-memory",
 *                    "not-connected", "send-blocked", "bad-time" (the
 *                    event's time is before the ingest opened minus 10 s
 *                    or more than 1 s after the recorder's clock when it
 *                    read it: dropped, never allowed to move time) or
 *                    "thread-refused" (a refused thread's events: for a
 *                    ring, what the client published into it or dropped,
 *                    read from its counters while the client lives);
 *   SWT_REC_ANOMALY  kind "end-without-begin", "end-mismatch" (end of a
 *                    span that is not the innermost open one),
 *                    "open-at-exit" (one per span still open when its
 *                    thread or process ended), "span-depth" (more than
 *                    256 nested spans), "name-overflow" (first event of a
 *                    process under the "(overflow)" name), "bad-client"
 *                    (subject "malformed", "oversized", "flooding" or
 *                    "idle": no hello yet when the table was full and a
 *                    new connection took its place),
 *                    "refused-client" (subject "uid" or "limit"),
 *                    "ring-refused" (a thread past max_threads or
 *                    max_map_bytes: its events are lost, counted as
 *                    "thread-refused" drops), "bad-time" (once per
 *                    client), "anomalies-suppressed" (subject "limit": a
 *                    process had more than 1000 anomalies; "session":
 *                    more than 100 a second or 10000 in all were not
 *                    recorded; detail starts with the count).
 *                    pid and tid say whose; subject is the span's name
 *                    (or the reason), detail a sentence.
 * Names in records are the processes' own strings ("(overflow)" past
 * the name limit); the writer interns them. Event values pass through
 * unchanged (span CPU times, counter increments, RSS readings: see
 * swt_record.h), except a mark's, which is 0; an event with a negative
 * CPU time or RSS gets its client disconnected as "malformed", like one
 * with a bad kind or name id.
 * Returns 0, or the first negative value `emit` returned: the drain stops
 * there and the records it did not emit are dropped (counted in
 * stats.emit_lost); the ingest stays usable. */
int swt_ingest_drain(struct swt_ingest *ing, int64_t until_ns,
		     swt_ingest_emit_fn emit, void *payload);

struct swt_ingest_stats {
	uint32_t clients;	/* connected now */
	uint64_t accepted;	/* connections accepted */
	uint64_t refused_uid;	/* another user's connection refused */
	uint64_t refused_limit;	/* refused: max_clients reached */
	uint64_t bad_clients;	/* disconnected for misbehaving */
	uint64_t rings;		/* rings accepted */
	uint64_t rings_refused;	/* rings refused (limits) */
	uint64_t events;	/* events emitted */
	uint64_t pending;	/* events received, not emitted yet */
	uint64_t dropped;	/* events clients reported lost, all reasons */
	uint64_t late;		/* events whose time was raised (see top;
				 * also an event of a thread older than
				 * that thread's previous one) */
	uint64_t name_overflow;	/* events emitted under "(overflow)" */
	uint64_t anomalies;	/* anomaly records emitted */
	uint64_t emit_lost;	/* records not emitted: emit failed */
	uint64_t evicted;	/* cut off without a hello: table full */
	uint64_t anomalies_suppressed;	/* anomalies not recorded (caps) */
	/* TSC (event_clock): recalibrations made, the largest distance
	 * between the conversion in force and CLOCK_MONOTONIC that one
	 * found (the bound on a converted time's error), and how many
	 * found the TSC jumped (> SWT_TSC_MAX_ERROR_NS: baseline
	 * restarted). */
	uint64_t tsc_calibrations;
	int64_t tsc_max_error_ns;
	uint64_t tsc_resets;
};

/* The session ends: the next drains report what the anomaly caps
 * suppressed at once instead of at most once a second. */
void swt_ingest_set_ending(struct swt_ingest *ing);

void swt_ingest_get_stats(const struct swt_ingest *ing,
			  struct swt_ingest_stats *out);

#endif
