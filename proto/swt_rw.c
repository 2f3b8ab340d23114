/* swt_rw.c — encode and decode remote-write bodies (see swt_rw.h). */
#include "swt_rw.h"

#include <dlfcn.h>
#include <pthread.h>
#include <snappy-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remote_write.pb-c.h"
#include "swt_alloc.h"
#include "swt_status.h"

/* A decoded body is bounded, so that a hostile "uncompressed length"
 * cannot make us allocate gigabytes (receivers bound it too). */
#define MAX_BODY (256u << 20)

/* libsnappy (its C interface), loaded at the first body: swrec links
 * neither it nor the C++ runtime it brings unless it sends. */
static struct {
	snappy_status (*compress)(const char *, size_t, char *, size_t *);
	snappy_status (*uncompress)(const char *, size_t, char *, size_t *);
	size_t (*max_compressed_length)(size_t);
	snappy_status (*uncompressed_length)(const char *, size_t, size_t *);
} sn;
static char sn_err[256];
static pthread_once_t sn_once = PTHREAD_ONCE_INIT;

static void sn_load(void)
{
	void *h = dlopen("libsnappy.so.1", RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		snprintf(sn_err, sizeof(sn_err), "cannot load libsnappy: %s "
			 "(Debian: apt-get install libsnappy1v5)", dlerror());
		return;
	}
#define SYM(f, n) \
	if (!(*(void **)&sn.f = dlsym(h, n))) { \
		snprintf(sn_err, sizeof(sn_err), "libsnappy without %s", n); \
		return; \
	}
	SYM(compress, "snappy_compress")
	SYM(uncompress, "snappy_uncompress")
	SYM(max_compressed_length, "snappy_max_compressed_length")
	SYM(uncompressed_length, "snappy_uncompressed_length")
#undef SYM
}

int swt_rw_load(char *errmsg, size_t errlen)
{
	pthread_once(&sn_once, sn_load);
	if (!sn_err[0])
		return 0;
	if (errmsg && errlen)
		snprintf(errmsg, errlen, "%s", sn_err);
	return SWT_EINVAL;
}

static size_t varint_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/* tag + length + payload of a length-delimited field */
static size_t ld_len(size_t payload)
{
	return 1 + varint_len(payload) + payload;
}

size_t swt_rw_series_size(const struct swt_rw_series *s, size_t n_samples)
{
	size_t n = 0, i;

	for (i = 0; i < s->n_labels; i++) {
		size_t nl = strlen(s->labels[i].name);
		size_t vl = strlen(s->labels[i].value);
		size_t lab = (nl ? ld_len(nl) : 0) + (vl ? ld_len(vl) : 0);

		n += ld_len(lab);
	}
	for (i = 0; i < n_samples && i < s->n_samples; i++) {
		size_t smp = 0;

		if (s->samples[i].value != 0.0)
			smp += 9;
		if (s->samples[i].t_ms != 0)
			smp += 1 + varint_len((uint64_t)s->samples[i].t_ms);
		n += ld_len(smp);
	}
	return ld_len(n);
}

int swt_rw_encode(struct swt_buf *out, const struct swt_rw_series *series,
		  size_t n)
{
	Prometheus__WriteRequest req = PROMETHEUS__WRITE_REQUEST__INIT;
	Prometheus__TimeSeries *ts = NULL, **tsp = NULL;
	Prometheus__Label *lab = NULL, **labp = NULL;
	Prometheus__Sample *smp = NULL, **smpp = NULL;
	size_t nl = 0, ns = 0, i, j, li = 0, si = 0, raw_len, clen;
	uint8_t *raw = NULL;
	int err = 0;

	swt_buf_clear(out);
	for (i = 0; i < n; i++) {
		nl += series[i].n_labels;
		ns += series[i].n_samples;
	}
	ts = swt_calloc(n ? n : 1, sizeof(*ts));
	tsp = swt_calloc(n ? n : 1, sizeof(*tsp));
	lab = swt_calloc(nl ? nl : 1, sizeof(*lab));
	labp = swt_calloc(nl ? nl : 1, sizeof(*labp));
	smp = swt_calloc(ns ? ns : 1, sizeof(*smp));
	smpp = swt_calloc(ns ? ns : 1, sizeof(*smpp));
	for (i = 0; i < n; i++) {
		const struct swt_rw_series *s = &series[i];

		prometheus__time_series__init(&ts[i]);
		tsp[i] = &ts[i];
		ts[i].n_labels = s->n_labels;
		ts[i].labels = labp + li;
		for (j = 0; j < s->n_labels; j++, li++) {
			prometheus__label__init(&lab[li]);
			/* protobuf-c does not write through them */
			lab[li].name = (char *)(uintptr_t)s->labels[j].name;
			lab[li].value = (char *)(uintptr_t)s->labels[j].value;
			labp[li] = &lab[li];
		}
		ts[i].n_samples = s->n_samples;
		ts[i].samples = smpp + si;
		for (j = 0; j < s->n_samples; j++, si++) {
			prometheus__sample__init(&smp[si]);
			smp[si].value = s->samples[j].value;
			smp[si].timestamp = s->samples[j].t_ms;
			smpp[si] = &smp[si];
		}
	}
	req.n_timeseries = n;
	req.timeseries = tsp;
	raw_len = prometheus__write_request__get_packed_size(&req);
	raw = malloc(raw_len ? raw_len : 1);
	if (!raw) {
		err = SWT_ENOMEM;
		goto out;
	}
	prometheus__write_request__pack(&req, raw);
	if (swt_rw_load(NULL, 0) != 0) {
		err = SWT_EINVAL;
		goto out;
	}
	clen = sn.max_compressed_length(raw_len);
	if (sn.compress((const char *)raw, raw_len,
			swt_buf_reserve(out, clen), &clen) != SNAPPY_OK) {
		err = SWT_EINVAL;
		goto out;
	}
	swt_buf_commit(out, clen);
out:
	free(raw);
	free(ts);
	free(tsp);
	free(lab);
	free(labp);
	free(smp);
	free(smpp);
	return err;
}

int swt_rw_decode(const void *body, size_t len, swt_rw_series_fn fn,
		  void *payload, char *errmsg, size_t errlen)
{
	Prometheus__WriteRequest *req = NULL;
	struct swt_rw_label *labs = NULL;
	struct swt_rw_sample *smps = NULL;
	size_t raw_len, i, j;
	char *raw = NULL;
	int err = 0;

	if (swt_rw_load(errmsg, errlen) != 0)
		return SWT_EINVAL;
	if (sn.uncompressed_length(body, len, &raw_len) != SNAPPY_OK ||
	    raw_len > MAX_BODY) {
		snprintf(errmsg, errlen, "not a snappy block (or over %u "
			 "bytes uncompressed)", MAX_BODY);
		err = SWT_ECORRUPT;
		goto out;
	}
	raw = malloc(raw_len ? raw_len : 1);
	if (!raw)
		abort();
	if (sn.uncompress(body, len, raw, &raw_len) != SNAPPY_OK) {
		snprintf(errmsg, errlen, "damaged snappy block");
		err = SWT_ECORRUPT;
		goto out;
	}
	req = prometheus__write_request__unpack(NULL, raw_len,
						(const uint8_t *)raw);
	if (!req) {
		snprintf(errmsg, errlen, "not a WriteRequest");
		err = SWT_ECORRUPT;
		goto out;
	}
	for (i = 0; i < req->n_timeseries; i++) {
		const Prometheus__TimeSeries *t = req->timeseries[i];
		struct swt_rw_series s;

		labs = swt_reallocarray(labs, t->n_labels ? t->n_labels : 1,
					sizeof(*labs));
		smps = swt_reallocarray(smps, t->n_samples ? t->n_samples : 1,
					sizeof(*smps));
		for (j = 0; j < t->n_labels; j++) {
			labs[j].name = t->labels[j]->name;
			labs[j].value = t->labels[j]->value;
		}
		for (j = 0; j < t->n_samples; j++) {
			smps[j].t_ms = t->samples[j]->timestamp;
			smps[j].value = t->samples[j]->value;
		}
		s.n_labels = t->n_labels;
		s.labels = labs;
		s.n_samples = t->n_samples;
		s.samples = smps;
		err = fn(&s, payload);
		if (err)
			goto out;
	}
out:
	if (req)
		prometheus__write_request__free_unpacked(req, NULL);
	free(raw);
	free(labs);
	free(smps);
	return err;
}
