/* swt_rwclient.h — send series to a Prometheus remote-write 1.0 receiver
 * (Prometheus, Mimir, Cortex, Thanos Receive, VictoriaMetrics) over HTTP
 * with libcurl (TLS, proxies from the environment, timeouts).
 *
 * Series are cut into requests of at most max_batch_bytes of encoded
 * protobuf (a series with more samples than fit spans several requests,
 * in time order), each sent with `Content-Encoding: snappy`,
 * `Content-Type: application/x-protobuf`,
 * `X-Prometheus-Remote-Write-Version: 0.1.0`. A request that fails with a
 * 5xx, a 429 or no answer (connection refused, timeout) is retried after
 * an exponential backoff with full jitter, up to max_retries times; any
 * other 4xx is not (the receiver refuses the data: retrying cannot help)
 * and its samples count as failed, with the server's message kept. The
 * answer of a Prometheus without an out-of-order window to old samples
 * ("out of bounds", "too old", "out of order") gets a hint appended and
 * is never retried, whatever its status (Prometheus 2.42 sends it as a
 * 500).
 *
 * swt_rwqueue is the live path: a bounded queue and a thread that sends
 * what is pushed, so that the pusher (swrec's sampling loop) never waits
 * on the network: when the queue is full, what is pushed is dropped and
 * counted. */
#ifndef SWT_RWCLIENT_H
#define SWT_RWCLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "swt_fleet.h"

struct swt_rwclient;

struct swt_rwclient_opts {
	const char *url;
	/* read once at swt_rwclient_new(), never printed: a file holding the
	 * bearer token, or "USER:PASSWORD" (a trailing newline is dropped) */
	const char *bearer_token_file;
	const char *basic_auth_file;
	size_t n_headers;	/* "Name: value" each */
	const char *const *headers;
	int64_t timeout_ms;	/* per request; 0: 30 000 */
	int64_t connect_timeout_ms; /* 0: 10 000 */
	int max_retries;	/* after the first try; < 0: 0; default set
				 * by the caller */
	int64_t backoff_min_ms;	/* 0: 250 */
	int64_t backoff_max_ms;	/* 0: 30 000 */
	size_t max_batch_bytes;	/* 0: 1 MiB of uncompressed protobuf */
};

struct swt_rwclient_stats {
	uint64_t requests;	/* HTTP requests made, retries included */
	uint64_t retries;
	uint64_t samples_sent;	/* accepted (2xx) */
	uint64_t samples_failed; /* refused, or out of retries */
	uint64_t series_sent;	/* series in accepted requests (a series
				 * cut over several counts in each) */
	uint64_t bytes_sent;	/* compressed bodies accepted */
	uint64_t batches_failed;
	long last_status;	/* the last HTTP status, 0 none */
	char last_error[512];	/* why the last batch failed, "" none */
};

/* Reads the credentials. 0, or SWT_EINVAL/SWT_EIO with the reason in msg
 * (which never holds a secret). */
int swt_rwclient_new(struct swt_rwclient **out,
		     const struct swt_rwclient_opts *o, char *msg,
		     size_t msglen);
void swt_rwclient_free(struct swt_rwclient *c);	/* NULL: no-op */

/* Send n series. 0 when every sample was accepted, SWT_EIO when some
 * failed (counted; swt_rwclient_errmsg() says why the last failed). */
int swt_rwclient_send(struct swt_rwclient *c,
		      const struct swt_rw_series *series, size_t n);

/* From another thread: stop the request in flight and the waits between
 * retries, and fail what is left (counted) — the end of a recording that
 * cannot wait. */
void swt_rwclient_abort(struct swt_rwclient *c);

void swt_rwclient_get_stats(const struct swt_rwclient *c,
			    struct swt_rwclient_stats *out);
/* The last failure: the HTTP status and the server's message (cut), or
 * the transport's; "" none. Valid until the next send. */
const char *swt_rwclient_errmsg(const struct swt_rwclient *c);

/* ---- the live queue ------------------------------------------------------ */

struct swt_rwqueue;

struct swt_rwqueue_stats {
	uint64_t pushed;	/* samples pushed */
	uint64_t dropped;	/* samples pushed while the queue was full */
	uint64_t unsent;	/* samples still queued when it was closed */
	uint64_t queued_max;	/* the most samples queued at once */
	struct swt_rwclient_stats client; /* sent and failed */
};

/* A queue of at most max_samples samples (0: 100 000) over c (borrowed:
 * outlives the queue), with its sending thread started. 0 or SWT_EIO
 * (the thread could not start; msg says why). */
int swt_rwqueue_new(struct swt_rwqueue **out, struct swt_rwclient *c,
		    uint64_t max_samples, char *msg, size_t msglen);

/* Hand a set to the queue (it takes it: freed when sent or dropped).
 * Never blocks on the network; false when it was dropped (full). */
bool swt_rwqueue_push(struct swt_rwqueue *q, struct swt_rw_set *set);

/* Let the thread send what is queued for up to timeout_ms, then abort the
 * client, join the thread and count what was left unsent. */
void swt_rwqueue_close(struct swt_rwqueue *q, int64_t timeout_ms);

/* After close (or at any time: a snapshot). */
void swt_rwqueue_get_stats(struct swt_rwqueue *q,
			   struct swt_rwqueue_stats *out);
void swt_rwqueue_free(struct swt_rwqueue *q);	/* closes if open */

#endif
