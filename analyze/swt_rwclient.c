/* swt_rwclient.c — remote-write over libcurl (see swt_rwclient.h). */
#include "swt_rwclient.h"

#define CURL_DISABLE_TYPECHECK 1	/* calls go through pointers */
#include <curl/curl.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "swt_alloc.h"
#include "swt_buf.h"
#include "swt_config.h"
#include "swt_rw.h"
#include "swt_status.h"

#define MAX_SECRET 4096
#define MAX_ANSWER 512		/* bytes of a server's message kept */

struct swt_rwclient {
	struct swt_rwclient_opts o;
	CURL *curl;
	struct curl_slist *hdrs;
	char *userpwd;		/* secret */
	char url[2048];
	char shown[2048];	/* url without user:password@ (messages) */
	struct swt_buf body, answer;
	struct swt_rwclient_stats st;
	char err[5120];
	atomic_bool abort;
	uint64_t rnd;		/* jitter: not a report figure */
	pthread_mutex_t st_lock; /* stats read by another thread */
};

/* libcurl, loaded when a client is first made: swrec links neither it
 * nor the TLS, Kerberos and LDAP libraries it brings (about 7 MB of
 * resident pages and 40 libraries to relocate at every start) unless it
 * sends. */
static struct {
	CURLcode (*global_init)(long);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
} cu;
static char cu_err[256];
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
	static const char *const names[] = { "libcurl.so.4",
					     "libcurl-gnutls.so.4" };
	void *h = NULL;
	size_t i;

	for (i = 0; !h && i < sizeof(names) / sizeof(names[0]); i++)
		h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(cu_err, sizeof(cu_err), "cannot load libcurl: %s "
			 "(Debian: apt-get install libcurl4)", dlerror());
		return;
	}
#define SYM(f, n) \
	if (!(*(void **)&cu.f = dlsym(h, n))) { \
		snprintf(cu_err, sizeof(cu_err), "libcurl without %s", n); \
		return; \
	}
	SYM(global_init, "curl_global_init")
	SYM(easy_init, "curl_easy_init")
	SYM(easy_setopt, "curl_easy_setopt")
	SYM(easy_perform, "curl_easy_perform")
	SYM(easy_getinfo, "curl_easy_getinfo")
	SYM(easy_cleanup, "curl_easy_cleanup")
	SYM(easy_strerror, "curl_easy_strerror")
	SYM(slist_append, "curl_slist_append")
	SYM(slist_free_all, "curl_slist_free_all")
#undef SYM
	cu.global_init(CURL_GLOBAL_DEFAULT);
}

/* A secret from a file: its first line, without the newline. */
static int read_secret(char **out, const char *path, const char *what,
		       char *msg, size_t msglen)
{
	FILE *fp = fopen(path, "re");
	char *buf = NULL;
	size_t n;
	int err = 0;

	*out = NULL;
	if (!fp) {
		snprintf(msg, msglen, "%s %s: %s", what, path,
			 strerror(errno));
		return SWT_EIO;
	}
	buf = swt_zalloc(MAX_SECRET + 1);
	n = fread(buf, 1, MAX_SECRET + 1, fp);
	if (ferror(fp) || n > MAX_SECRET) {
		snprintf(msg, msglen, "%s %s: %s", what, path,
			 ferror(fp) ? "read error" : "over 4096 bytes");
		err = SWT_EIO;
		goto out;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (!buf[0]) {
		snprintf(msg, msglen, "%s %s: empty", what, path);
		err = SWT_EINVAL;
		goto out;
	}
	*out = buf;
	buf = NULL;
out:
	if (buf) {
		memset(buf, 0, MAX_SECRET + 1);
		free(buf);
	}
	fclose(fp);
	return err;
}

static size_t on_answer(char *p, size_t size, size_t n, void *payload)
{
	struct swt_buf *b = payload;
	size_t len = size * n;

	if (b->len < MAX_ANSWER)
		swt_buf_add(b, p, len < MAX_ANSWER - b->len ?
				   len : MAX_ANSWER - b->len);
	return len;
}

/* A request in flight stops when the client is aborted (the end of a
 * recording), not at its timeout. */
static int on_progress(void *payload, curl_off_t dltotal, curl_off_t dlnow,
		       curl_off_t ultotal, curl_off_t ulnow)
{
	struct swt_rwclient *c = payload;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return atomic_load(&c->abort) ? 1 : 0;
}

int swt_rwclient_new(struct swt_rwclient **out,
		     const struct swt_rwclient_opts *o, char *msg,
		     size_t msglen)
{
	struct swt_rwclient *c = NULL;
	char *secret = NULL;
	size_t i;
	int err = 0;

	*out = NULL;
	if (!o->url || (strncmp(o->url, "http://", 7) &&
			strncmp(o->url, "https://", 8))) {
		snprintf(msg, msglen, "--remote-write: %s: not an http:// or "
			 "https:// URL", o->url ? o->url : "");
		return SWT_EINVAL;
	}
	if (strlen(o->url) >= sizeof(c->url)) {
		snprintf(msg, msglen, "--remote-write: URL too long");
		return SWT_EINVAL;
	}
	if (o->bearer_token_file && o->basic_auth_file) {
		snprintf(msg, msglen, "--bearer-token-file and "
			 "--basic-auth-file: one or the other");
		return SWT_EINVAL;
	}
	for (i = 0; i < o->n_headers; i++) {
		const char *h = o->headers[i], *colon = strchr(h, ':');

		if (!colon || colon == h || strpbrk(h, "\r\n")) {
			snprintf(msg, msglen, "--header %s: not 'Name: "
				 "value'", h);
			return SWT_EINVAL;
		}
	}
	pthread_once(&curl_once, curl_init_once);
	if (cu_err[0]) {
		snprintf(msg, msglen, "--remote-write: %s", cu_err);
		return SWT_EINVAL;
	}
	{
		char why[256];

		if (swt_rw_load(why, sizeof(why)) != 0) {
			snprintf(msg, msglen, "--remote-write: %s", why);
			return SWT_EINVAL;
		}
	}
	c = swt_zalloc(sizeof(*c));
	c->o = *o;
	snprintf(c->url, sizeof(c->url), "%s", o->url);
	{
		/* scheme://user:password@host/...: never in a message */
		const char *host = strstr(c->url, "://") + 3;
		const char *at = strchr(host, '@');
		const char *slash = strchr(host, '/');

		if (at && (!slash || at < slash))
			snprintf(c->shown, sizeof(c->shown), "%.*s***%s",
				 (int)(host - c->url), c->url, at);
		else
			snprintf(c->shown, sizeof(c->shown), "%s", c->url);
	}
	c->o.url = c->url;
	c->o.headers = NULL;
	c->o.n_headers = 0;
	if (!c->o.timeout_ms)
		c->o.timeout_ms = 30000;
	if (!c->o.connect_timeout_ms)
		c->o.connect_timeout_ms = 10000;
	if (c->o.max_retries < 0)
		c->o.max_retries = 0;
	if (!c->o.backoff_min_ms)
		c->o.backoff_min_ms = 250;
	if (!c->o.backoff_max_ms)
		c->o.backoff_max_ms = 30000;
	if (!c->o.max_batch_bytes)
		c->o.max_batch_bytes = 1u << 20;
	c->rnd = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^
		 (uint64_t)(uintptr_t)c;
	pthread_mutex_init(&c->st_lock, NULL);
	c->curl = cu.easy_init();
	if (!c->curl) {
		snprintf(msg, msglen, "libcurl: cannot make a handle");
		err = SWT_EIO;
		goto out;
	}
	c->hdrs = cu.slist_append(c->hdrs, "Content-Encoding: snappy");
	c->hdrs = cu.slist_append(c->hdrs,
				    "Content-Type: application/x-protobuf");
	c->hdrs = cu.slist_append(c->hdrs,
				    "X-Prometheus-Remote-Write-Version: 0.1.0");
	c->hdrs = cu.slist_append(c->hdrs, "Expect:");
	for (i = 0; i < o->n_headers; i++)
		c->hdrs = cu.slist_append(c->hdrs, o->headers[i]);
	if (o->bearer_token_file) {
		struct swt_buf h = SWT_BUF_INIT;

		err = read_secret(&secret, o->bearer_token_file,
				  "--bearer-token-file", msg, msglen);
		if (err < 0)
			goto out;
		swt_buf_printf(&h, "Authorization: Bearer %s", secret);
		c->hdrs = cu.slist_append(c->hdrs, h.ptr);
		memset(h.ptr, 0, h.len);
		swt_buf_fini(&h);
	}
	if (o->basic_auth_file) {
		err = read_secret(&secret, o->basic_auth_file,
				  "--basic-auth-file", msg, msglen);
		if (err < 0)
			goto out;
		if (!strchr(secret, ':')) {
			snprintf(msg, msglen, "--basic-auth-file %s: not "
				 "USER:PASSWORD", o->basic_auth_file);
			err = SWT_EINVAL;
			goto out;
		}
		c->userpwd = swt_strdup(secret);
	}
	if (!c->hdrs) {
		snprintf(msg, msglen, "libcurl: out of memory");
		err = SWT_EIO;
		goto out;
	}
	cu.easy_setopt(c->curl, CURLOPT_URL, c->url);
	cu.easy_setopt(c->curl, CURLOPT_HTTPHEADER, c->hdrs);
	cu.easy_setopt(c->curl, CURLOPT_POST, 1L);
	cu.easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	cu.easy_setopt(c->curl, CURLOPT_USERAGENT, "swt/" SWT_VERSION);
	cu.easy_setopt(c->curl, CURLOPT_TIMEOUT_MS,
			 (long)c->o.timeout_ms);
	cu.easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT_MS,
			 (long)c->o.connect_timeout_ms);
	cu.easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_answer);
	cu.easy_setopt(c->curl, CURLOPT_WRITEDATA, &c->answer);
	cu.easy_setopt(c->curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	cu.easy_setopt(c->curl, CURLOPT_XFERINFODATA, c);
	cu.easy_setopt(c->curl, CURLOPT_NOPROGRESS, 0L);
	if (c->userpwd) {
		cu.easy_setopt(c->curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		cu.easy_setopt(c->curl, CURLOPT_USERPWD, c->userpwd);
	}
	*out = c;
	c = NULL;
out:
	if (secret) {
		memset(secret, 0, strlen(secret));
		free(secret);
	}
	swt_rwclient_free(c);
	return err;
}

void swt_rwclient_free(struct swt_rwclient *c)
{
	if (!c)
		return;
	if (c->curl)
		cu.easy_cleanup(c->curl);
	cu.slist_free_all(c->hdrs);	/* (holds the token) */
	if (c->userpwd) {
		memset(c->userpwd, 0, strlen(c->userpwd));
		free(c->userpwd);
	}
	swt_buf_fini(&c->body);
	swt_buf_fini(&c->answer);
	pthread_mutex_destroy(&c->st_lock);
	free(c);
}

void swt_rwclient_abort(struct swt_rwclient *c)
{
	atomic_store(&c->abort, true);
}

void swt_rwclient_get_stats(const struct swt_rwclient *c,
			    struct swt_rwclient_stats *out)
{
	pthread_mutex_lock((pthread_mutex_t *)(uintptr_t)&c->st_lock);
	*out = c->st;
	pthread_mutex_unlock((pthread_mutex_t *)(uintptr_t)&c->st_lock);
}

const char *swt_rwclient_errmsg(const struct swt_rwclient *c)
{
	return c->err;
}

static uint64_t next_rnd(struct swt_rwclient *c)
{
	/* xorshift64* */
	c->rnd ^= c->rnd >> 12;
	c->rnd ^= c->rnd << 25;
	c->rnd ^= c->rnd >> 27;
	return c->rnd * UINT64_C(2685821657736338717);
}

/* Sleep ms, in slices, unless aborted: false if aborted. */
static bool backoff_sleep(struct swt_rwclient *c, int64_t ms)
{
	while (ms > 0) {
		int64_t slice = ms < 50 ? ms : 50;
		struct timespec ts = { 0, (long)slice * 1000000L };

		if (atomic_load(&c->abort))
			return false;
		nanosleep(&ts, NULL);
		ms -= slice;
	}
	return !atomic_load(&c->abort);
}

/* The answer, printable: control bytes as spaces, cut. */
static void answer_text(struct swt_rwclient *c, struct swt_buf *out)
{
	size_t i;

	for (i = 0; i < c->answer.len; i++) {
		unsigned char ch = (unsigned char)c->answer.ptr[i];

		swt_buf_putc(out, ch < 0x20 || ch == 0x7f ? ' ' : (char)ch);
	}
	while (out->len && out->ptr[out->len - 1] == ' ')
		out->ptr[--out->len] = '\0';
}

static bool old_sample_answer(const char *s)
{
	return strstr(s, "out of bounds") || strstr(s, "too old") ||
	       strstr(s, "out of order") || strstr(s, "out-of-order");
}

/* POST the body: 0 accepted, 1 retryable failure, -1 final failure (err
 * set). */
static int post_once(struct swt_rwclient *c, long *status)
{
	CURLcode rc;
	struct swt_buf msg = SWT_BUF_INIT;
	int ret;

	swt_buf_clear(&c->answer);
	cu.easy_setopt(c->curl, CURLOPT_POSTFIELDS, c->body.ptr);
	cu.easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE,
			 (curl_off_t)c->body.len);
	rc = cu.easy_perform(c->curl);
	pthread_mutex_lock(&c->st_lock);
	c->st.requests++;
	pthread_mutex_unlock(&c->st_lock);
	*status = 0;
	if (rc != CURLE_OK) {
		/* (a request our own stop cut short says nothing of the
		 * receiver: an earlier attempt's answer stays the error) */
		if (!(rc == CURLE_ABORTED_BY_CALLBACK &&
		      atomic_load(&c->abort) && c->err[0]))
			snprintf(c->err, sizeof(c->err), "%s: %s", c->shown,
				 cu.easy_strerror(rc));
		return 1;
	}
	cu.easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, status);
	if (*status >= 200 && *status < 300)
		return 0;
	answer_text(c, &msg);
	snprintf(c->err, sizeof(c->err), "%s: HTTP %ld%s%s%s", c->shown,
		 *status, msg.len ? ": " : "", msg.len ? msg.ptr : "",
		 old_sample_answer(msg.len ? msg.ptr : "") ?
			 " (the receiver refuses samples older than what it "
			 "holds: give Prometheus an out-of-order window, "
			 "storage: tsdb: out_of_order_time_window, or send "
			 "to an empty one; docs/fleet.md)" :
			 "");
	ret = *status >= 500 || *status == 429 ? 1 : -1;
	/* Prometheus 2.42 (Debian 12's) answers a too old sample with 500,
	 * not 400: it will not change on retry either */
	if (old_sample_answer(msg.len ? msg.ptr : ""))
		ret = -1;
	swt_buf_fini(&msg);
	return ret;
}

/* Send the body with retries: true if accepted. */
static bool post(struct swt_rwclient *c)
{
	int64_t backoff = c->o.backoff_min_ms;
	int attempt;
	long status = 0;

	for (attempt = 0;; attempt++) {
		int r;

		if (atomic_load(&c->abort)) {
			if (!c->err[0])
				snprintf(c->err, sizeof(c->err),
					 "%s: stopped before it was sent",
					 c->shown);
			return false;
		}
		r = post_once(c, &status);
		pthread_mutex_lock(&c->st_lock);
		c->st.last_status = status;
		pthread_mutex_unlock(&c->st_lock);
		if (r == 0)
			return true;
		if (r < 0 || attempt >= c->o.max_retries)
			return false;
		/* full jitter: uniform in [0, backoff] */
		if (!backoff_sleep(c, (int64_t)(next_rnd(c) %
					       (uint64_t)(backoff + 1))))
			return false;
		pthread_mutex_lock(&c->st_lock);
		c->st.retries++;
		pthread_mutex_unlock(&c->st_lock);
		backoff = backoff > c->o.backoff_max_ms / 2 ?
				  c->o.backoff_max_ms :
				  backoff * 2;
	}
}

static void account(struct swt_rwclient *c, bool ok, uint64_t samples,
		    uint64_t series)
{
	pthread_mutex_lock(&c->st_lock);
	if (ok) {
		c->st.samples_sent += samples;
		c->st.series_sent += series;
		c->st.bytes_sent += c->body.len;
	} else {
		c->st.samples_failed += samples;
		c->st.batches_failed++;
		/* a send cut short by our own stop says nothing of the
		 * receiver: the last failure it answered stays (a loaded
		 * run printed "Operation was aborted by an application
		 * callback" where the receiver's 500 and its message were) */
		if (!atomic_load(&c->abort) || !c->st.last_error[0])
			snprintf(c->st.last_error, sizeof(c->st.last_error),
				 "%.500s", c->err);
	}
	pthread_mutex_unlock(&c->st_lock);
}

int swt_rwclient_send(struct swt_rwclient *c,
		      const struct swt_rw_series *series, size_t n)
{
	struct swt_rw_series *batch = NULL;
	size_t cap = 0, nb = 0, bytes = 0, i = 0, off = 0;
	uint64_t bsamples = 0;
	bool failed = false;

	c->err[0] = '\0';
	while (i < n || nb) {
		bool flush = i == n;

		if (!flush) {
			const struct swt_rw_series *s = &series[i];
			size_t left = s->n_samples - off, take = left;
			size_t base = swt_rw_series_size(s, 0);
			size_t sz = swt_rw_series_size(s, take);

			if (bytes + sz > c->o.max_batch_bytes) {
				/* as many samples as fit: at 27 bytes each
				 * at most, at least one */
				size_t room = c->o.max_batch_bytes > bytes +
						base ?
					c->o.max_batch_bytes - bytes - base :
					0;

				take = room / 27;
				if (!take && nb)
					flush = true;	/* a fresh batch */
				else if (!take)
					take = 1;
			}
			if (!flush) {
				struct swt_rw_series *b;

				if (take > left)
					take = left;
				batch = swt_grow(batch, &cap, nb + 1,
						 sizeof(*batch));
				b = &batch[nb++];
				*b = *s;
				b->samples = s->samples + off;
				b->n_samples = take;
				bytes += swt_rw_series_size(b, take);
				bsamples += take;
				off += take;
				if (off == s->n_samples) {
					i++;
					off = 0;
				} else {
					flush = true;	/* it is full */
				}
			}
		}
		if (flush && nb) {
			bool ok;

			if (swt_rw_encode(&c->body, batch, nb) < 0) {
				snprintf(c->err, sizeof(c->err),
					 "snappy refused a body");
				ok = false;
			} else {
				ok = post(c);
			}
			account(c, ok, bsamples, nb);
			failed |= !ok;
			nb = 0;
			bytes = 0;
			bsamples = 0;
		}
	}
	free(batch);
	if (failed) {
		/* keep the first reason: later batches mostly repeat it */
		return SWT_EIO;
	}
	return 0;
}

/* ---- the live queue ------------------------------------------------------ */

struct qitem {
	struct qitem *next;
	struct swt_rw_set *set;
};

struct swt_rwqueue {
	struct swt_rwclient *c;
	pthread_t thread;
	bool started, closed;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct qitem *head, *tail;
	uint64_t queued, max;	/* samples */
	bool stop;
	struct swt_rwqueue_stats st;
};

static void *sender(void *arg)
{
	struct swt_rwqueue *q = arg;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		struct qitem *it;

		while (!q->head && !q->stop)
			pthread_cond_wait(&q->cond, &q->lock);
		if (!q->head)
			break;
		it = q->head;
		pthread_mutex_unlock(&q->lock);
		/* still counted as queued while it is sent, so that the
		 * bound holds what is in memory */
		swt_rwclient_send(q->c, it->set->series, it->set->n);
		pthread_mutex_lock(&q->lock);
		q->head = it->next;
		if (!q->head)
			q->tail = NULL;
		q->queued -= it->set->samples;
		swt_rw_set_free(it->set);
		free(it);
		pthread_cond_broadcast(&q->cond);
		if (q->stop && atomic_load(&q->c->abort))
			break;
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

int swt_rwqueue_new(struct swt_rwqueue **out, struct swt_rwclient *c,
		    uint64_t max_samples, char *msg, size_t msglen)
{
	struct swt_rwqueue *q = swt_zalloc(sizeof(*q));
	int rc;

	q->c = c;
	q->max = max_samples ? max_samples : 100000;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->cond, NULL);
	rc = pthread_create(&q->thread, NULL, sender, q);
	if (rc) {
		snprintf(msg, msglen, "remote-write thread: %s",
			 strerror(rc));
		pthread_mutex_destroy(&q->lock);
		pthread_cond_destroy(&q->cond);
		free(q);
		*out = NULL;
		return SWT_EIO;
	}
	q->started = true;
	*out = q;
	return 0;
}

bool swt_rwqueue_push(struct swt_rwqueue *q, struct swt_rw_set *set)
{
	struct qitem *it;
	bool ok = false;

	if (!set)
		return true;
	pthread_mutex_lock(&q->lock);
	q->st.pushed += set->samples;
	if (q->closed || q->queued + set->samples > q->max) {
		q->st.dropped += set->samples;
		pthread_mutex_unlock(&q->lock);
		swt_rw_set_free(set);
		return false;
	}
	it = swt_zalloc(sizeof(*it));
	it->set = set;
	if (q->tail)
		q->tail->next = it;
	else
		q->head = it;
	q->tail = it;
	q->queued += set->samples;
	if (q->queued > q->st.queued_max)
		q->st.queued_max = q->queued;
	ok = true;
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
	return ok;
}

void swt_rwqueue_close(struct swt_rwqueue *q, int64_t timeout_ms)
{
	struct timespec dl;

	if (!q || q->closed)
		return;
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += (time_t)(timeout_ms / 1000);
	dl.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (dl.tv_nsec >= 1000000000L) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&q->lock);
	q->closed = true;
	q->stop = true;
	pthread_cond_broadcast(&q->cond);
	while (q->head) {
		if (pthread_cond_timedwait(&q->cond, &q->lock, &dl) ==
		    ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&q->lock);
	swt_rwclient_abort(q->c);
	pthread_join(q->thread, NULL);
	q->started = false;
	/* what the thread did not get to */
	while (q->head) {
		struct qitem *it = q->head;

		q->head = it->next;
		q->st.unsent += it->set->samples;
		swt_rw_set_free(it->set);
		free(it);
	}
	q->tail = NULL;
	q->queued = 0;
}

void swt_rwqueue_get_stats(struct swt_rwqueue *q,
			   struct swt_rwqueue_stats *out)
{
	pthread_mutex_lock(&q->lock);
	*out = q->st;
	pthread_mutex_unlock(&q->lock);
	swt_rwclient_get_stats(q->c, &out->client);
}

void swt_rwqueue_free(struct swt_rwqueue *q)
{
	if (!q)
		return;
	swt_rwqueue_close(q, 0);
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->cond);
	free(q);
}
