/* swt_analysis.c — reader -> engine, with the lost ranges of a damaged
 * file (see swt_analysis.h). */
#include "swt_analysis.h"

#include "swt_checked.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swt_alloc.h"
#include "swt_status.h"

static void copy_msg(char *errmsg, size_t errlen, const char *msg)
{
	if (errmsg && errlen)
		snprintf(errmsg, errlen, "%s", msg ? msg : "");
}

/* New damage entries [from, to) met before the record at time t (or before
 * the end when at_end); true if records were lost to any of them. The reader reports a cut last chunk when it starts
 * salvaging it, before its records: what is lost there is the tail after
 * the last record, filled in at the end. */
static bool note_damage(struct swt_analysis *a, struct swt_reader *r,
			size_t from, size_t to, bool at_end, int64_t t,
			bool at_open)
{
	size_t i;
	bool lost = false;

	for (i = from; i < to; i++) {
		const struct swt_damage *d = swt_reader_get_damage(r, i);
		struct swt_lost_range *l;

		a->lost = swt_reallocarray(a->lost, a->n_lost + 1,
					   sizeof(*a->lost));
		l = &a->lost[a->n_lost++];
		memset(l, 0, sizeof(*l));
		if (at_open || d->no_loss)
			l->loss = SWT_LOSS_NONE;
		else if (at_end || d->status == SWT_ETRUNCATED)
			l->loss = SWT_LOSS_TAIL;
		else
			l->loss = SWT_LOSS_RANGE;
		l->from_known = d->t_prev_ns != INT64_MIN;
		l->from_ns = d->t_prev_ns;	/* absolute for now */
		l->to_end = l->loss == SWT_LOSS_TAIL;
		l->to_ns = l->to_end ? 0 : t;
		if (d->lost_span && l->loss == SWT_LOSS_RANGE) {
			/* a chunk skipped for going back in time: its own
			 * records' times are what is lost */
			l->from_known = true;
			l->from_ns = d->lost_first_ns;
			l->to_ns = d->lost_last_ns;
		}
		l->offset = d->offset;
		l->length = d->length;
		l->status = d->status;
		snprintf(l->what, sizeof(l->what), "%s", d->what);
		a->damaged = true;
		lost = lost || l->loss != SWT_LOSS_NONE;
	}
	return lost;
}

int swt_analysis_run(struct swt_analysis **out, struct swt_reader *r,
		     const struct swt_engine_opts *opts, char *errmsg,
		     size_t errlen)
{
	return swt_analysis_run_hook(out, r, opts, NULL, NULL, errmsg,
				     errlen);
}

int swt_analysis_run_hook(struct swt_analysis **out, struct swt_reader *r,
			  const struct swt_engine_opts *opts,
			  swt_analysis_record_fn fn, void *payload,
			  char *errmsg, size_t errlen)
{
	struct swt_analysis *a = swt_zalloc(sizeof(*a));
	const struct swt_record *rec;
	struct swt_reader_stats st;
	size_t seen = 0, n, i;
	int64_t origin, t_last = INT64_MIN;
	int err;

	*out = NULL;
	swt_engine_new(&a->engine, opts);
	/* damage known before any record: the index (checked at open) */
	seen = swt_reader_damage_count(r);
	note_damage(a, r, 0, seen, false, 0, true);
	for (;;) {
		err = swt_reader_next(r, &rec);
		n = swt_reader_damage_count(r);
		if (err == SWT_ITEROVER) {
			note_damage(a, r, seen, n, true, 0, false);
			break;
		}
		if (err < 0) {
			copy_msg(errmsg, errlen, swt_reader_errmsg(r));
			goto out;
		}
		if (n > seen) {
			bool lost = note_damage(a, r, seen, n, false,
						rec->t_ns, false);

			seen = n;
			/* spans whose end was lost must not stay open (an
			 * index that is merely ignored loses nothing) */
			if (lost)
				swt_engine_note_gap(a->engine);
		}
		if (rec->kind != SWT_REC_HEADER && rec->t_ns > t_last)
			t_last = rec->t_ns;
		if (fn)
			fn(rec, payload);
		err = swt_engine_feed(a->engine, rec);
		if (err < 0) {
			/* name the frame that held the record */
			if (errmsg && errlen)
				snprintf(errmsg, errlen,
					 "frame at offset %llu: %s",
					 (unsigned long long)
						 swt_reader_get_offset(r),
					 swt_engine_errmsg(a->engine));
			goto out;
		}
	}
	err = swt_engine_finish(a->engine, &a->result);
	if (err < 0) {
		copy_msg(errmsg, errlen, swt_engine_errmsg(a->engine));
		goto out;
	}
	swt_reader_get_stats(r, &st);
	a->truncated = !st.has_end || !st.has_index;
	/* times relative to the session start, as everywhere in reports */
	origin = a->result->session.start_ns;
	for (i = 0; i < a->n_lost; i++) {
		struct swt_lost_range *l = &a->lost[i];

		if (l->loss == SWT_LOSS_TAIL && t_last != INT64_MIN) {
			/* lost: whatever followed the last record read */
			l->from_known = true;
			l->from_ns = t_last;
		}
		/* (times from a damaged chunk can be anything) */
		if (l->from_known) {
			l->from_ns = swt_sat_sub(l->from_ns, origin);
			/* a time before the session is no time */
			if (l->from_ns < 0)
				l->from_known = false;
		}
		if (!l->to_end)
			l->to_ns = swt_sat_sub(l->to_ns, origin);
	}
	a->t_last_ns = t_last == INT64_MIN ? 0 : swt_sat_sub(t_last, origin);
	*out = a;
	a = NULL;
	err = 0;
out:
	swt_analysis_free(a);
	return err;
}

void swt_analysis_free(struct swt_analysis *a)
{
	if (!a)
		return;
	swt_engine_free(a->engine);
	free(a->lost);
	free(a);
}

bool swt_analysis_incomplete(const struct swt_analysis *a)
{
	return a->damaged || a->truncated;
}
