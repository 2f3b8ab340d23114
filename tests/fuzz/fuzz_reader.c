/* fuzz_reader.c — libFuzzer target over the session reader.
 *
 * The input is taken as a whole .swt file. It is opened with
 * swt_reader_open_mem() in two modes (default, and strict without the
 * index), every record is iterated and every byte the reader hands out is
 * read (so ASan sees bad pointers and lengths), then the reader seeks to
 * times taken from the records and iterates again. Besides the sanitizers
 * it checks the contract: only the documented statuses, *out NULL on a
 * failed open, and a record after seek(t) has t_ns >= t. Then it is read
 * again on a decoding thread with the changed rows listed, as swanalyze
 * reads it (threads_agree()): the same records, damage and rows as on the
 * caller's thread once the listed rows are put in place. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "swt_reader.h"
#include "swt_status.h"

static volatile uint64_t sink;

static void touch_str(const char *s)
{
	CHECK(s != NULL);
	sink += strlen(s);
}

static void touch_bytes(const char *p, size_t len)
{
	size_t i;

	if (len)
		CHECK(p != NULL);
	for (i = 0; i < len; i++)
		sink += (unsigned char)p[i];
}

static void touch_header(const struct swt_header *h)
{
	size_t i;

	touch_str(h->recorder);
	touch_str(h->zstd_version);
	touch_str(h->kernel);
	for (i = 0; i < h->n_command; i++)
		touch_str(h->command[i]);
	for (i = 0; i < h->n_attach_pids; i++)
		sink += (uint64_t)h->attach_pids[i];
}

static void touch_record(const struct swt_record *rec)
{
	size_t i;

	CHECK(rec != NULL);
	sink += (uint64_t)rec->t_ns;
	switch (rec->kind) {
	case SWT_REC_HEADER:
		touch_header(&rec->u.header);
		break;
	case SWT_REC_PROC_START:
		touch_str(rec->u.proc_start.comm);
		touch_bytes(rec->u.proc_start.cmdline,
			    rec->u.proc_start.cmdline_len);
		break;
	case SWT_REC_PROC_EXIT:
		sink += (uint64_t)rec->u.proc_exit.pid;
		for (i = 0; i < rec->u.proc_exit.n_threads; i++) {
			sink += (uint64_t)rec->u.proc_exit.threads[i].tid +
				rec->u.proc_exit.threads[i].stime_us;
			touch_str(rec->u.proc_exit.threads[i].name);
		}
		break;
	case SWT_REC_SAMPLE: {
		const struct swt_sample *sm = &rec->u.sample;

		/* the places of the changed rows (swt_reader_set_deltas()):
		 * ascending, within the rows, over whole rows here */
		CHECK(!sm->proc_listed && !sm->thread_listed);
		CHECK(!sm->proc_at || (sm->same_pids && sm->proc_same &&
				       sm->n_proc_at <= sm->n_procs));
		for (i = 0; sm->proc_at && i < sm->n_proc_at; i++)
			CHECK(sm->proc_at[i] < sm->n_procs &&
			      (!i || sm->proc_at[i] > sm->proc_at[i - 1]) &&
			      !sm->proc_same[sm->proc_at[i]]);
		CHECK(!sm->thread_at ||
		      (sm->same_tids && sm->thread_same &&
		       sm->n_thread_at <= sm->n_threads));
		for (i = 0; sm->thread_at && i < sm->n_thread_at; i++)
			CHECK(sm->thread_at[i] < sm->n_threads &&
			      (!i || sm->thread_at[i] > sm->thread_at[i - 1]) &&
			      !sm->thread_same[sm->thread_at[i]]);
	}
		for (i = 0; i < rec->u.sample.n_procs; i++)
			sink += (uint64_t)rec->u.sample.procs[i].pid +
				(uint64_t)rec->u.sample.procs[i].ivctxsw;
		for (i = 0; i < rec->u.sample.n_threads; i++) {
			sink += (uint64_t)rec->u.sample.threads[i].stime;
			touch_str(rec->u.sample.threads[i].name);
		}
		break;
	case SWT_REC_EVENTS:
		for (i = 0; i < rec->u.events.n; i++) {
			sink += (uint64_t)rec->u.events.events[i].value;
			touch_str(rec->u.events.events[i].name);
		}
		break;
	case SWT_REC_ALERT:
		touch_str(rec->u.alert.kind);
		touch_str(rec->u.alert.subject);
		break;
	case SWT_REC_DROPS:
		touch_str(rec->u.drops.reason);
		break;
	case SWT_REC_ANOMALY:
		touch_str(rec->u.anomaly.kind);
		touch_str(rec->u.anomaly.subject);
		touch_bytes(rec->u.anomaly.detail, rec->u.anomaly.detail_len);
		break;
	case SWT_REC_END:
		touch_str(rec->u.end.error);
		break;
	default:
		/* the reader skips kinds it does not know */
		__builtin_trap();
	}
}

/* Read up to max records; damage statuses (strict mode) are stepped over
 * as the contract allows. Returns the records read. */
static size_t drain(struct swt_reader *r, size_t max, int64_t not_before)
{
	const struct swt_record *rec;
	size_t n = 0;
	int rc;

	while (n < max) {
		rc = swt_reader_next(r, &rec);
		if (rc == SWT_ITEROVER)
			break;
		if (rc < 0) {
			CHECK(rc == SWT_ECORRUPT || rc == SWT_ETRUNCATED);
			touch_str(swt_reader_errmsg(r));
			continue;
		}
		touch_record(rec);
		if (n == 0 && rec->kind != SWT_REC_HEADER)
			CHECK(rec->t_ns >= not_before);
		n++;
	}
	return n;
}

static void seek_and_drain(struct swt_reader *r, int64_t t)
{
	int rc = swt_reader_seek(r, t);

	if (rc == 0)
		drain(r, 4, t);
	else
		CHECK(rc == SWT_ITEROVER || rc == SWT_ECORRUPT ||
		      rc == SWT_ETRUNCATED);
}

/* Sample s of a reader with decoding threads and listed rows made whole
 * in k (as the engine's whole_sample() makes them): its rows into *pr, *tr
 * (the sample's own when not kept). Every sample is seen here, so a
 * listed one follows the one kept. */
static void kept_rows(struct swt_rows_kept *k, const struct swt_sample *s,
		      const struct swt_proc_row **pr,
		      const struct swt_thread_row **tr)
{
	CHECK(swt_rows_keep_sample(k, s, false));
	*pr = k->have ? k->procs : s->procs;
	*tr = k->have ? k->threads : s->threads;
}

/* Two samples, the second from decoding threads (made whole by kept):
 * the same rows, places of the rows that changed and totals. */
static void same_sample(const struct swt_sample *a,
			const struct swt_sample *b, struct swt_rows_kept *k)
{
	const struct swt_proc_row *pr;
	const struct swt_thread_row *tr;
	size_t i;

	kept_rows(k, b, &pr, &tr);
	CHECK(a->n_procs == b->n_procs && a->n_threads == b->n_threads);
	CHECK(a->n_procs == 0 || memcmp(a->procs, pr, a->n_procs *
					sizeof(*pr)) == 0);
	for (i = 0; i < a->n_threads; i++)
		CHECK(a->threads[i].tid == tr[i].tid &&
		      a->threads[i].tgid == tr[i].tgid &&
		      a->threads[i].utime == tr[i].utime &&
		      a->threads[i].stime == tr[i].stime &&
		      strcmp(a->threads[i].name, tr[i].name) == 0);
	CHECK(a->same_pids == b->same_pids && a->same_tids == b->same_tids);
	CHECK(a->n_proc_at == b->n_proc_at &&
	      a->n_thread_at == b->n_thread_at);
	CHECK(a->n_proc_at == 0 || memcmp(a->proc_at, b->proc_at,
					  a->n_proc_at *
						  sizeof(*a->proc_at)) == 0);
	CHECK(a->n_thread_at == 0 ||
	      memcmp(a->thread_at, b->thread_at,
		     a->n_thread_at * sizeof(*a->thread_at)) == 0);
	CHECK(a->scheduled_ns == b->scheduled_ns &&
	      a->sys_busy_ticks == b->sys_busy_ticks &&
	      a->mem_available_kib == b->mem_available_kib &&
	      a->has_pressure == b->has_pressure &&
	      a->n_netdevs == b->n_netdevs &&
	      a->chunk_sample == b->chunk_sample);
}

/* Decoding threads against the caller's thread (swt_reader_set_threads(),
 * listed rows as the engine reads them, swt_reader_set_deltas()): the
 * same records, statuses, messages and damage, the listed rows (their
 * columns) made whole giving the same tables. */
static void threads_agree(const uint8_t *data, size_t size)
{
	struct swt_reader *a = NULL, *b = NULL;
	struct swt_rows_kept k;
	char err[256];
	size_t i;
	int ra, rb;

	memset(&k, 0, sizeof(k));
	ra = swt_reader_open_mem(&a, data, size, "fuzz", 0, err, sizeof(err));
	rb = swt_reader_open_mem(&b, data, size, "fuzz", 0, err, sizeof(err));
	CHECK(ra == rb);
	if (ra != 0)
		return;
	rb = swt_reader_set_threads(b, 2);
	CHECK(rb == 0 || rb == SWT_EIO);
	CHECK(swt_reader_set_deltas(a, true, false) == 0);
	CHECK(swt_reader_set_deltas(b, true, true) == 0);
	for (;;) {
		const struct swt_record *x, *y;

		ra = swt_reader_next(a, &x);
		rb = swt_reader_next(b, &y);
		CHECK(ra == rb);
		if (ra == SWT_ITEROVER)
			break;
		CHECK(ra == 0);	/* (not strict: damage is stepped over) */
		CHECK(x->kind == y->kind && x->t_ns == y->t_ns);
		if (x->kind == SWT_REC_SAMPLE)
			same_sample(&x->u.sample, &y->u.sample, &k);
		if (x->kind == SWT_REC_PROC_EXIT) {
			const struct swt_proc_exit *px = &x->u.proc_exit;
			const struct swt_proc_exit *py = &y->u.proc_exit;

			CHECK(px->n_threads == py->n_threads);
			for (i = 0; i < px->n_threads; i++)
				CHECK(px->threads[i].tid == py->threads[i].tid &&
				      px->threads[i].utime_us ==
					      py->threads[i].utime_us &&
				      px->threads[i].stime_us ==
					      py->threads[i].stime_us &&
				      strcmp(px->threads[i].name,
					     py->threads[i].name) == 0);
		}
	}
	CHECK(swt_reader_damage_count(a) == swt_reader_damage_count(b));
	for (i = 0; i < swt_reader_damage_count(a); i++) {
		const struct swt_damage *da = swt_reader_get_damage(a, i);
		const struct swt_damage *db = swt_reader_get_damage(b, i);

		CHECK(da->status == db->status && da->offset == db->offset &&
		      strcmp(da->what, db->what) == 0);
	}
	swt_reader_free(a);
	swt_reader_free(b);
	swt_rows_kept_fini(&k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the last: with the changed rows' places said */
	static const unsigned modes[] = {
		0,
		SWT_READER_STRICT | SWT_READER_NO_INDEX,
		0,
	};
	size_t m, i;

	for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		struct swt_reader *r = (struct swt_reader *)&m;
		struct swt_reader_stats st;
		char err[256];
		int rc;

		rc = swt_reader_open_mem(&r, data, size, "fuzz", modes[m], err,
					 sizeof(err));
		if (rc != 0) {
			CHECK(r == NULL);
			CHECK(rc == SWT_ECORRUPT || rc == SWT_ETRUNCATED ||
			      rc == SWT_EVERSION);
			CHECK(memchr(err, '\0', sizeof(err)) != NULL);
			continue;
		}
		touch_header(swt_reader_get_header(r));
		if (m == 2)
			CHECK(swt_reader_set_deltas(r, true, true) == 0);
		drain(r, SIZE_MAX, INT64_MIN);
		for (i = 0; i < swt_reader_damage_count(r); i++) {
			const struct swt_damage *d = swt_reader_get_damage(r, i);

			CHECK(d != NULL);
			CHECK(d->status == SWT_ECORRUPT ||
			      d->status == SWT_ETRUNCATED);
			CHECK(memchr(d->what, '\0', sizeof(d->what)) != NULL);
			CHECK(d->offset <= size);
		}
		CHECK(swt_reader_get_damage(r, i) == NULL);
		swt_reader_get_stats(r, &st);
		CHECK(st.chunks_ok <= st.chunks);
		CHECK(st.file_size == size);
		if (st.records > 0) {
			seek_and_drain(r, st.t_first_ns);
			seek_and_drain(r, st.t_last_ns);
			seek_and_drain(r, st.t_first_ns / 2 +
						  st.t_last_ns / 2);
		}
		if (size >= 8) {
			int64_t t;

			memcpy(&t, data + size - 8, sizeof(t));
			seek_and_drain(r, t);
		}
		seek_and_drain(r, INT64_MIN);
		drain(r, SIZE_MAX, INT64_MIN);
		seek_and_drain(r, INT64_MAX);
		swt_reader_free(r);
	}
	threads_agree(data, size);
	return 0;
}
