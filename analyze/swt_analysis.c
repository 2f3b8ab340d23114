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

static int run(struct swt_analysis **out, struct swt_reader *r,
	       const struct swt_engine_opts *opts, struct swt_window *w,
	       swt_analysis_record_fn fn, void *payload, char *errmsg,
	       size_t errlen);

int swt_analysis_run(struct swt_analysis **out, struct swt_reader *r,
		     const struct swt_engine_opts *opts, char *errmsg,
		     size_t errlen)
{
	return swt_analysis_run_hook(out, r, opts, NULL, NULL, errmsg,
				     errlen);
}

/* Announce to the engine the processes of dir alive at `from` (absolute),
 * at `from`, as preexisting: their first row after it is a base. The
 * directory is the file's, or one built from the records before the
 * window (a file without one): the same records either way. */
static int announce(struct swt_engine *e, const struct swt_dir_proc *dir,
		    size_t n, int64_t from)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct swt_record rec;

		if (!swt_dir_proc_alive_at(&dir[i], from))
			continue;
		memset(&rec, 0, sizeof(rec));
		rec.kind = SWT_REC_PROC_START;
		rec.t_ns = from;
		rec.u.proc_start = dir[i].ps;
		rec.u.proc_start.preexisting = true;
		if (swt_engine_feed(e, &rec) < 0)
			return -1;
	}
	return 0;
}

/* Announce the processes alive at `from` (absolute) from the directory,
 * and seek there. false: the file cannot be read that way (why in w). */
static bool window_start(struct swt_analysis *a, struct swt_reader *r,
			 struct swt_window *w, int64_t from)
{
	const struct swt_dir_proc *dir;
	struct swt_reader_stats st;
	size_t n;
	int err;

	if (w->scan) {
		snprintf(w->fallback, sizeof(w->fallback),
			 "read from the start as asked (SWT_WINDOW_SCAN)");
		return false;
	}
	swt_reader_get_stats(r, &st);
	if (!st.has_index) {
		snprintf(w->fallback, sizeof(w->fallback),
			 "no index (an unfinished file)");
		return false;
	}
	err = swt_reader_directory(r, &dir, &n);
	if (err == SWT_ENOTFOUND) {
		snprintf(w->fallback, sizeof(w->fallback),
			 "no process directory (a file before format 1.6)");
		return false;
	}
	if (err < 0) {
		snprintf(w->fallback, sizeof(w->fallback), "%s",
			 swt_reader_errmsg(r));
		return false;
	}
	if (announce(a->engine, dir, n, from) < 0)
		return false;
	w->used_directory = true;
	return true;
}

static int run(struct swt_analysis **out, struct swt_reader *r,
	       const struct swt_engine_opts *opts, struct swt_window *w,
	       swt_analysis_record_fn fn, void *payload, char *errmsg,
	       size_t errlen)
{
	struct swt_analysis *a = swt_zalloc(sizeof(*a));
	const struct swt_record *rec;
	struct swt_reader_stats st;
	struct swt_engine_opts eo;
	size_t seen = 0, n, i;
	int64_t origin, t_last = INT64_MIN, from = INT64_MIN, to = INT64_MAX;
	bool seeked = false, announced = false;
	struct swt_procdir bef;	/* the records before a window read from
				 * the start */
	int err;

	*out = NULL;
	swt_procdir_init(&bef);
	memset(&eo, 0, sizeof(eo));
	if (opts)
		eo = *opts;
	if (w) {
		w->used_directory = false;
		w->fallback[0] = '\0';
		eo.window_from_ns = w->from_ns > w->warmup_ns ?
					    w->from_ns - w->warmup_ns :
					    0;
	}
	swt_engine_new(&a->engine, &eo);
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
		if (err == 0 && w && rec->kind == SWT_REC_HEADER) {
			int64_t o = rec->u.header.start_mono_ns;

			from = swt_sat_add(o, eo.window_from_ns);
			to = w->to_ns == INT64_MAX ? INT64_MAX :
						     swt_sat_add(o, w->to_ns);
		} else if (err == 0 && w && !seeked) {
			/* the first record after the header: jump */
			seeked = true;
			if (eo.window_from_ns > 0 &&
			    window_start(a, r, w, from)) {
				if (swt_reader_seek(r, from) < 0)
					break;
				continue;
			}
		}
		if (err == 0 && w && rec->kind != SWT_REC_HEADER &&
		    !w->used_directory && rec->t_ns < from) {
			/* (read from the start: what the directory says) */
			if (rec->kind == SWT_REC_PROC_START)
				swt_procdir_start(&bef, &rec->u.proc_start,
						  rec->t_ns);
			else if (rec->kind == SWT_REC_PROC_EXIT)
				swt_procdir_exit(&bef, &rec->u.proc_exit,
						 rec->t_ns);
			continue;
		}
		if (err == 0 && w && rec->kind != SWT_REC_HEADER &&
		    !w->used_directory && !announced) {
			announced = true;
			if (announce(a->engine, bef.procs, bef.n, from) < 0) {
				err = SWT_ECORRUPT;
				copy_msg(errmsg, errlen,
					 swt_engine_errmsg(a->engine));
				goto out;
			}
		}
		if (err == 0 && w && rec->kind != SWT_REC_HEADER &&
		    rec->t_ns > to) {
			if (w->used_directory)
				break;	/* (the rest is after the window) */
			continue;
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
	/* (a window read through the index stops before the end record:
	 * the index is there only if the recorder finished) */
	a->truncated = !st.has_index ||
		       (!st.has_end && !(w && w->used_directory));
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
	swt_procdir_fini(&bef);
	swt_analysis_free(a);
	return err;
}

int swt_analysis_run_hook(struct swt_analysis **out, struct swt_reader *r,
			  const struct swt_engine_opts *opts,
			  swt_analysis_record_fn fn, void *payload,
			  char *errmsg, size_t errlen)
{
	return run(out, r, opts, NULL, fn, payload, errmsg, errlen);
}

int swt_analysis_run_window(struct swt_analysis **out, struct swt_reader *r,
			    const struct swt_engine_opts *opts,
			    struct swt_window *w, swt_analysis_record_fn fn,
			    void *payload, char *errmsg, size_t errlen)
{
	return run(out, r, opts, w, fn, payload, errmsg, errlen);
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
