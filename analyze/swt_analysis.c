/* swt_analysis.c — reader -> engine, with the lost ranges of a damaged
 * file (see swt_analysis.h). */
#include "swt_analysis.h"

#include "swt_checked.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swt_alloc.h"
#include "swt_map.h"
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

/* Announce to the engine the processes of dir alive right after the
 * records at t_b (absolute; announced at t_b, as preexisting: their first
 * row, the sample at t_b, is a base). The directory is the file's, or one
 * built from the records before the window (a file without one): the same
 * records either way. A process that had no child before t_b may take
 * the disk I/O its first row holds from an earlier tick as a base; a
 * parent may not: its counters grow by the children it reaps, and those
 * reaped between that tick and t_b were counted before the window. */
static int announce(struct swt_engine *e, const struct swt_dir_proc *dir,
		    size_t n, int64_t t_b)
{
	struct swt_imap parents;
	size_t i;
	int err = 0;

	swt_imap_init(&parents);
	for (i = 0; i < n; i++)
		if (dir[i].t_start_ns <= t_b && dir[i].ps.ppid > 0)
			swt_imap_put(&parents, dir[i].ps.ppid, 1);
	for (i = 0; i < n && err == 0; i++)
		if (swt_dir_proc_alive_at(&dir[i], swt_sat_add(t_b, 1)))
			err = swt_engine_announce(
				e, &dir[i].ps, t_b,
				swt_imap_get(&parents, dir[i].ps.pid) ==
					SWT_MAP_NONE);
	swt_imap_fini(&parents);
	return err < 0 ? -1 : 0;
}

/* Can the window be read through the index and the directory? false: why
 * in w->fallback. */
static bool can_seek(struct swt_reader *r, struct swt_window *w,
		     const struct swt_dir_proc **dir, size_t *n)
{
	struct swt_reader_stats st;
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
	err = swt_reader_directory(r, dir, n);
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
	return true;
}

/* Read forward from where r stands until a record after `from` and `to`
 * (absolute; to may be INT64_MIN: only from), noting damage on the way:
 * the times of the last samples at or before each (INT64_MIN: none), and
 * into bef (may be NULL) the ProcStart/ProcExit records up to `from`. */
static void last_samples(struct swt_analysis *a, struct swt_reader *r,
			 int64_t from, int64_t to, size_t *seen,
			 struct swt_procdir *bef, int64_t *t_from,
			 int64_t *t_to)
{
	const struct swt_record *rec;
	int64_t stop = to > from ? to : from;
	size_t n;
	int err;

	*t_from = INT64_MIN;
	*t_to = INT64_MIN;
	for (;;) {
		err = swt_reader_next(r, &rec);
		n = swt_reader_damage_count(r);
		if (n > *seen) {
			note_damage(a, r, *seen, n, err == SWT_ITEROVER,
				    err == 0 ? rec->t_ns : 0, false);
			*seen = n;
		}
		if (err == SWT_ITEROVER)
			break;
		if (err < 0 || rec->kind == SWT_REC_HEADER)
			continue;	/* (strict: damage passed over) */
		if (rec->t_ns > stop)
			break;
		if (rec->kind == SWT_REC_SAMPLE) {
			if (rec->t_ns <= from)
				*t_from = rec->t_ns;
			if (rec->t_ns <= to)
				*t_to = rec->t_ns;
		} else if (bef && rec->t_ns <= from) {
			if (rec->kind == SWT_REC_PROC_START)
				swt_procdir_start(bef, &rec->u.proc_start,
						  rec->t_ns);
			else if (rec->kind == SWT_REC_PROC_EXIT)
				swt_procdir_exit(bef, &rec->u.proc_exit,
						 rec->t_ns);
		}
	}
}

/* Through the index: the time of the last sample at or before t
 * (absolute), looked for a few intervals back, further while none is
 * found; INT64_MIN: none. A t past the session's end looks back from
 * there too: nothing is at or after t - back until back reaches the last
 * records. */
static int64_t find_last_sample(struct swt_analysis *a, struct swt_reader *r,
				int64_t t, int64_t origin, int64_t interval,
				size_t *seen)
{
	int64_t back, found = INT64_MIN, unused;

	if (interval <= 0)
		interval = 1000000000;
	for (back = 2 * interval;; back = swt_sat_add(back, back)) {
		int64_t at = swt_sat_sub(t, back);
		int rc = swt_reader_seek(r, at);

		if (rc == 0)
			last_samples(a, r, t, INT64_MIN, seen, NULL, &found,
				     &unused);
		else if (rc != SWT_ITEROVER)
			break;
		if (found != INT64_MIN || at <= origin || back >= INT64_MAX / 2)
			break;
	}
	return found;
}

/* Where a window starts and ends (absolute; after the header). A window
 * is made of whole sampling intervals (docs/analysis.md § 12.1): it
 * starts at the last sample at or before `from`, *t_from (INT64_MIN when
 * from is the session's start or no sample comes before it: the window
 * starts there), and with w->whole_intervals ends at the last sample at
 * or before `to`, *t_to, so that consecutive windows add up to the
 * session. The processes alive after the records at *t_from are announced
 * to the engine, and r is positioned at *t_from (the caller skips to its
 * sample, the first record fed, a base) or at the start. -1: the engine
 * refused an announcement. */
static int window_bounds(struct swt_analysis *a, struct swt_reader *r,
			 struct swt_window *w, int64_t origin, int64_t from,
			 int64_t to, int64_t interval, size_t *seen,
			 int64_t *t_from, int64_t *t_to)
{
	const struct swt_dir_proc *dir = NULL;
	struct swt_procdir bef;	/* the records before it (read from the
				 * start) */
	bool want_from = from > origin;
	bool want_to = w->whole_intervals && to != INT64_MAX;
	size_t n = 0;
	int err = 0;

	*t_from = INT64_MIN;
	*t_to = INT64_MIN;
	swt_procdir_init(&bef);
	if (can_seek(r, w, &dir, &n)) {
		if (want_from)
			*t_from = find_last_sample(a, r, from, origin, interval,
						   seen);
		if (want_to)
			*t_to = find_last_sample(a, r, to, origin, interval,
						 seen);
		w->used_directory = *t_from != INT64_MIN;
	} else {
		int64_t f;

		last_samples(a, r, want_from ? from : INT64_MIN,
			     want_to ? to : INT64_MIN, seen, &bef, &f, t_to);
		if (want_from)
			*t_from = f;
		dir = bef.procs;
		n = bef.n;
	}
	if (*t_from == INT64_MIN) {
		swt_reader_seek(r, INT64_MIN);
		goto out;
	}
	if (announce(a->engine, dir, n, *t_from) < 0) {
		err = -1;
		goto out;
	}
	if (swt_reader_seek(r, *t_from) < 0)
		*t_from = INT64_MIN;	/* (cannot be: it was read) */
out:
	*seen = swt_reader_damage_count(r);
	swt_procdir_fini(&bef);
	return err;
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
	int64_t o = 0, interval = 0;
	int64_t t_b = INT64_MIN, t_e;	/* a window's first and last
					 * samples */
	bool need_start = false, skip_to_b = false;
	int err;

	*out = NULL;
	memset(&eo, 0, sizeof(eo));
	if (opts)
		eo = *opts;
	if (w) {
		w->used_directory = false;
		w->fallback[0] = '\0';
		w->start_ns = 0;
		w->end_ns = w->to_ns;
		eo.window_from_ns = w->from_ns > w->warmup_ns ?
					    w->from_ns - w->warmup_ns :
					    0;
	}
	swt_engine_new(&a->engine, &eo);
	/* the engine looks at the rows that changed where the reader says
	 * which; when it alone sees every sample (not a window, whose start
	 * is passed over, nor a hook), decoding threads hand over those rows
	 * alone */
	if (swt_engine_takes_deltas(a->engine))
		(void)swt_reader_set_deltas(r, true, !w && !fn);
	/* damage known before any record: the index (checked at open) */
	seen = swt_reader_damage_count(r);
	note_damage(a, r, 0, seen, false, 0, true);
	for (;;) {
		if (need_start) {
			need_start = false;
			if (window_bounds(a, r, w, o, from, to, interval,
					  &seen, &t_b, &t_e) < 0) {
				err = SWT_ECORRUPT;
				copy_msg(errmsg, errlen,
					 swt_engine_errmsg(a->engine));
				goto out;
			}
			skip_to_b = t_b != INT64_MIN;
			w->start_ns = skip_to_b ? t_b - o : 0;
			swt_engine_set_window_from(a->engine, w->start_ns);
			/* (no sample at or before `to`: an empty window) */
			if (w->whole_intervals && to != INT64_MAX) {
				to = t_e == INT64_MIN ? INT64_MIN + 1 : t_e;
				w->end_ns = t_e == INT64_MIN ? w->start_ns :
							      t_e - o;
			}
		}
		err = swt_reader_next(r, &rec);
		n = swt_reader_damage_count(r);
		if (err == SWT_ITEROVER) {
			note_damage(a, r, seen, n, true, 0, false);
			break;
		}
		if (err == 0 && w && rec->kind == SWT_REC_HEADER) {
			o = rec->u.header.start_mono_ns;
			interval = rec->u.header.interval_ns;
			from = swt_sat_add(o, eo.window_from_ns);
			to = w->to_ns == INT64_MAX ? INT64_MAX :
						     swt_sat_add(o, w->to_ns);
			need_start = eo.window_from_ns > 0 ||
				     (w->whole_intervals && to != INT64_MAX);
		}
		if (err == 0 && skip_to_b) {
			/* records at t_b before its sample close the
			 * interval before the window */
			if (rec->kind != SWT_REC_SAMPLE || rec->t_ns != t_b)
				continue;
			skip_to_b = false;
		}
		else if (err == 0 && t_b != INT64_MIN && rec->t_ns <= t_b)
			continue;	/* (the interval before has them) */
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
