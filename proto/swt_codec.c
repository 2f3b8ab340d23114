#include "swt_record.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "swt_alloc.h"

const char *swt_record_kind_name(enum swt_record_kind kind)
{
	switch (kind) {
	case SWT_REC_HEADER: return "header";
	case SWT_REC_PROC_START: return "proc_start";
	case SWT_REC_PROC_EXIT: return "proc_exit";
	case SWT_REC_SAMPLE: return "sample";
	case SWT_REC_EVENTS: return "events";
	case SWT_REC_ALERT: return "alert";
	case SWT_REC_DROPS: return "drops";
	case SWT_REC_ANOMALY: return "anomaly";
	case SWT_REC_END: return "end";
	}
	return "unknown";
}

const char *swt_event_kind_name(enum swt_event_kind kind)
{
	switch (kind) {
	case SWT_EV_BEGIN: return "begin";
	case SWT_EV_END: return "end";
	case SWT_EV_COUNT: return "count";
	case SWT_EV_MARK: return "mark";
	case SWT_EV_RSS: return "rss";
	}
	return "unknown";
}

const char *swt_mode_name(enum swt_mode mode)
{
	switch (mode) {
	case SWT_MODE_UNSPECIFIED: return "unspecified";
	case SWT_MODE_LAUNCH: return "launch";
	case SWT_MODE_ATTACH: return "attach";
	case SWT_MODE_ALL: return "all";
	}
	return "unknown";
}

const char *swt_end_reason_name(enum swt_end_reason reason)
{
	switch (reason) {
	case SWT_END_UNSPECIFIED: return "unspecified";
	case SWT_END_EXITED: return "exited";
	case SWT_END_SIGNAL: return "signal";
	case SWT_END_DURATION: return "duration";
	case SWT_END_ERROR: return "error";
	}
	return "unknown";
}

bool swt_rows_put(void *table, size_t n, const void *rows, size_t size,
		  const uint32_t *at, size_t n_at, uint8_t *same)
{
	unsigned char *t = table;
	size_t i;

	if (same && n)
		memset(same, 1, n);
	for (i = 0; i < n_at; i++) {
		if (at[i] >= n || (i && at[i] <= at[i - 1]))
			return false;
		memcpy(t + (size_t)at[i] * size,
		       (const unsigned char *)rows + i * size, size);
		if (same)
			same[at[i]] = 0;
	}
	return true;
}

/* The listed rows' nc columns put in place (swt_rows_put_cols(), offsets
 * checked): inlined with nc a constant for the usual counts, so the
 * columns' loop unrolls and its offsets stay in registers (this runs on
 * the analysis thread for every changed row). */
static inline __attribute__((always_inline)) bool
put_cols(struct swt_proc_row *table, size_t n, const struct swt_sample *s,
	 uint8_t *same, const uint8_t *off, size_t nc)
{
	const int64_t *v = s->proc_vals;
	const uint32_t *at = s->proc_at, *flags = s->proc_flags;
	size_t i, k, n_at = s->n_proc_at;

	for (i = 0; i < n_at; i++, v += nc) {
		unsigned char *r;

		if (at[i] >= n || (i && at[i] <= at[i - 1]))
			return false;
		r = (unsigned char *)&table[at[i]];
		for (k = 0; k < nc; k++)
			memcpy(r + off[k], &v[k], sizeof(*v));
		table[at[i]].flags = flags[i];
		if (same)
			same[at[i]] = 0;
	}
	return true;
}

bool swt_rows_put_cols(struct swt_proc_row *table, size_t n,
		       const struct swt_sample *s, uint8_t *same)
{
	/* the int64_t members follow pid and flags: at most this many */
	enum { MAX_COLS = (sizeof(*table) -
			   offsetof(struct swt_proc_row, utime)) /
			  sizeof(int64_t) };
	size_t k, nc = s->n_proc_cols;
	uint8_t off[MAX_COLS];

	/* (the offsets copied here: the rows written cannot touch them) */
	if (nc > MAX_COLS)
		return false;
	for (k = 0; k < nc; k++) {
		off[k] = s->proc_cols[k];
		if (off[k] < offsetof(struct swt_proc_row, utime) ||
		    off[k] % sizeof(int64_t) != 0 ||
		    off[k] + sizeof(int64_t) > sizeof(*table))
			return false;
	}
	if (same && n)
		memset(same, 1, n);
	switch (nc) {
	case 1: return put_cols(table, n, s, same, off, 1);
	case 2: return put_cols(table, n, s, same, off, 2);
	case 3: return put_cols(table, n, s, same, off, 3);
	case 4: return put_cols(table, n, s, same, off, 4);
	case 5: return put_cols(table, n, s, same, off, 5);
	case 6: return put_cols(table, n, s, same, off, 6);
	default: return put_cols(table, n, s, same, off, nc);
	}
}

/* One table of a sample kept whole (swt_rows_keep_sample()): its whole
 * rows (n of `size` bytes) copied into *table (*n_table rows, room for
 * *cap), or, listed, its listed rows put in place among the n kept (rows
 * at places at[0, n_at), or the process columns of cols); with same (not
 * NULL), a listed sample's repeats into *same (room for *cap_same). False
 * when listed rows do not fit what is kept. */
static bool rows_keep(void **table, size_t *n_table, size_t *cap,
		      uint8_t **same, size_t *cap_same, const void *rows,
		      size_t n, size_t size, bool listed, const uint32_t *at,
		      size_t n_at, const struct swt_sample *cols)
{
	uint8_t *rep = NULL;

	if (!listed) {
		*table = swt_grow(*table, cap, n ? n : 1, size);
		if (n)
			memcpy(*table, rows, n * size);
		*n_table = n;
		return true;
	}
	if (n != *n_table || n_at > n)
		return false;
	if (same) {
		*same = swt_grow(*same, cap_same, n ? n : 1, 1);
		rep = *same;
	}
	if (cols)	/* (the listed rows' columns alone) */
		return swt_rows_put_cols(*table, n, cols, rep);
	return swt_rows_put(*table, n, rows, size, at, n_at, rep);
}

bool swt_rows_keep_sample(struct swt_rows_kept *k, const struct swt_sample *s,
			  bool same)
{
	bool listed = s->proc_listed || s->thread_listed;

	if (!s->keep_rows || (listed && (!k->have || s->chunk_id != k->chunk ||
					 s->chunk_sample != k->sample + 1))) {
		k->have = false;
		return !listed;
	}
	k->have = false;
	if (!rows_keep((void **)&k->procs, &k->n_procs, &k->cap_procs,
		       same ? &k->proc_same : NULL, &k->cap_psame, s->procs,
		       s->n_procs, sizeof(*s->procs), s->proc_listed,
		       s->proc_at, s->n_proc_at, s->proc_cols ? s : NULL) ||
	    !rows_keep((void **)&k->threads, &k->n_threads, &k->cap_threads,
		       same ? &k->thread_same : NULL, &k->cap_tsame,
		       s->threads, s->n_threads, sizeof(*s->threads),
		       s->thread_listed, s->thread_at, s->n_thread_at, NULL))
		return false;
	k->have = true;
	k->chunk = s->chunk_id;
	k->sample = s->chunk_sample;
	return true;
}

void swt_rows_kept_fini(struct swt_rows_kept *k)
{
	free(k->procs);
	free(k->threads);
	free(k->proc_same);
	free(k->thread_same);
	memset(k, 0, sizeof(*k));
}
