/* swt_testev.h — the application events, anomalies and drops of a
 * recording, kept for the tests that check them: test_client.c gets the
 * records from the ingest, test_e2e.c from a session file. Include after
 * swt_test.h. */
#ifndef SWT_TESTEV_H
#define SWT_TESTEV_H

#include "swt_alloc.h"
#include "swt_testproc.h"

struct tev {
	int64_t t;
	int32_t pid;
	int32_t tid;
	int kind;
	char name[48];		/* enough for every name the tests use */
	int64_t value;
};

struct tan {
	int64_t t;
	char kind[64];
	char subject[256];
	char detail[512];
	int32_t pid;
	int32_t tid;
};

struct tdr {
	int32_t pid;
	uint64_t dropped;
	uint64_t total;
	char reason[32];
};

struct tev_set {
	struct tev *ev;
	size_t n_ev, cap_ev;
	struct tan *an;
	size_t n_an, cap_an;
	struct tdr *dr;
	size_t n_dr, cap_dr;
	size_t n_batches;
	uint64_t max_total_dropped;	/* highest total_dropped */
	/* order of the records given to tev_add() */
	int64_t last_t;
	bool rec_disorder;	/* a record older than the one before */
	bool batch_time_bad;	/* a batch's time not its first event's */
	bool batch_disorder;	/* events of a batch out of time order */
};

/* Keep r if it is an events, anomaly or drops record (true); false for
 * any other kind. */
static inline bool tev_add(struct tev_set *s, const struct swt_record *r)
{
	size_t i;

	if (r->kind != SWT_REC_EVENTS && r->kind != SWT_REC_ANOMALY &&
	    r->kind != SWT_REC_DROPS)
		return false;
	if (r->t_ns < s->last_t)
		s->rec_disorder = true;
	s->last_t = r->t_ns;
	if (r->kind == SWT_REC_EVENTS) {
		const struct swt_event_batch *b = &r->u.events;

		s->n_batches++;
		if (b->n && b->events[0].t_ns != r->t_ns)
			s->batch_time_bad = true;
		s->ev = swt_grow(s->ev, &s->cap_ev, s->n_ev + b->n,
				 sizeof(s->ev[0]));
		for (i = 0; i < b->n; i++) {
			const struct swt_event *e = &b->events[i];
			struct tev *o = &s->ev[s->n_ev++];

			if (i && e->t_ns < b->events[i - 1].t_ns)
				s->batch_disorder = true;
			o->t = e->t_ns;
			o->pid = b->pid;
			o->tid = e->tid;
			o->kind = (int)e->kind;
			snprintf(o->name, sizeof(o->name), "%s", e->name);
			o->value = e->value;
		}
	} else if (r->kind == SWT_REC_ANOMALY) {
		struct tan *a;

		s->an = swt_grow(s->an, &s->cap_an, s->n_an + 1,
				 sizeof(s->an[0]));
		a = &s->an[s->n_an++];
		a->t = r->t_ns;
		snprintf(a->kind, sizeof(a->kind), "%s", r->u.anomaly.kind);
		snprintf(a->subject, sizeof(a->subject), "%s",
			 r->u.anomaly.subject);
		snprintf(a->detail, sizeof(a->detail), "%.*s",
			 (int)r->u.anomaly.detail_len, r->u.anomaly.detail);
		a->pid = r->u.anomaly.pid;
		a->tid = r->u.anomaly.tid;
	} else {
		struct tdr *d;

		s->dr = swt_grow(s->dr, &s->cap_dr, s->n_dr + 1,
				 sizeof(s->dr[0]));
		d = &s->dr[s->n_dr++];
		d->pid = r->u.drops.pid;
		d->dropped = r->u.drops.dropped;
		d->total = r->u.drops.total_dropped;
		snprintf(d->reason, sizeof(d->reason), "%s",
			 r->u.drops.reason);
		if (d->total > s->max_total_dropped)
			s->max_total_dropped = d->total;
	}
	return true;
}

static inline void tev_free(struct tev_set *s)
{
	free(s->ev);
	free(s->an);
	free(s->dr);
	memset(s, 0, sizeof(*s));
}

/* Events matching pid (0: any), tid (0: any), kind (0: any) and name
 * (NULL: any); their values are summed into *sum if not NULL. */
static inline size_t tev_count(const struct tev_set *s, int32_t pid,
			       int32_t tid, int kind, const char *name,
			       int64_t *sum)
{
	size_t i, n = 0;

	if (sum)
		*sum = 0;
	for (i = 0; i < s->n_ev; i++) {
		const struct tev *e = &s->ev[i];

		if ((pid && e->pid != pid) || (tid && e->tid != tid) ||
		    (kind && e->kind != kind) ||
		    (name && strcmp(e->name, name)))
			continue;
		n++;
		if (sum)
			*sum += e->value;
	}
	return n;
}

/* Anomalies of this kind, subject (NULL: any) and pid (0: any). */
static inline size_t tev_count_an(const struct tev_set *s, const char *kind,
				  const char *subject, int32_t pid)
{
	size_t i, n = 0;

	for (i = 0; i < s->n_an; i++)
		if (!strcmp(s->an[i].kind, kind) &&
		    (!subject || !strcmp(s->an[i].subject, subject)) &&
		    (!pid || s->an[i].pid == pid))
			n++;
	return n;
}

/* The first anomaly of this kind, or NULL. */
static inline const struct tan *tev_find_an(const struct tev_set *s,
					    const char *kind)
{
	size_t i;

	for (i = 0; i < s->n_an; i++)
		if (!strcmp(s->an[i].kind, kind))
			return &s->an[i];
	return NULL;
}

/* The span measurements (swt_record.h) of pid's events (0: every
 * process), thread by thread: with cpu, every BEGIN and END carries a CPU
 * time > 0, non-decreasing along the thread; without, 0. With rss, every
 * BEGIN is right after an RSS reading of the same thread, time and name,
 * and every END right before one, RSS values > 0, and there is no other
 * RSS event; without, none at all. Then the measurements are forgotten
 * (RSS events removed, BEGIN and END values set to 0), so that the
 * checks written for unmeasured streams apply. Returns the number of RSS
 * events removed. */
static inline size_t tev_check_measures(struct tev_set *s, int32_t pid,
					bool cpu, bool rss)
{
	size_t i, j, k, n_rss = 0;

	for (i = 0; i < s->n_ev; i++) {
		const struct tev *e = &s->ev[i];
		const struct tev *prev = NULL, *next = NULL;

		if (pid && e->pid != pid)
			continue;
		/* this thread's previous and next events */
		for (j = i; j-- > 0;)
			if (s->ev[j].pid == e->pid && s->ev[j].tid == e->tid) {
				prev = &s->ev[j];
				break;
			}
		for (j = i + 1; j < s->n_ev; j++)
			if (s->ev[j].pid == e->pid && s->ev[j].tid == e->tid) {
				next = &s->ev[j];
				break;
			}
		if (e->kind == SWT_EV_BEGIN || e->kind == SWT_EV_END) {
			const struct tev *r = e->kind == SWT_EV_BEGIN ? prev
								      : next;

			if (cpu) {
				if (e->value <= 0)
					fail_msg("%s %s of thread %d: cpu "
						 "%lld", e->kind == SWT_EV_BEGIN
						 ? "begin" : "end", e->name,
						 (int)e->tid,
						 (long long)e->value);
			} else {
				assert_int_equal(e->value, 0);
			}
			/* the same time, unless swrec raised a late one
			 * (then never on the wrong side of its span) */
			if (rss && (!r || r->kind != (int)SWT_EV_RSS ||
				    (e->kind == SWT_EV_BEGIN ? r->t > e->t
							     : r->t < e->t) ||
				    strcmp(r->name, e->name)))
				fail_msg("%s %s of thread %d at %lld: no rss "
					 "reading %s it (kind %d %s at %lld)",
					 e->kind == SWT_EV_BEGIN ? "begin"
								 : "end",
					 e->name, (int)e->tid,
					 (long long)e->t,
					 e->kind == SWT_EV_BEGIN ? "before"
								 : "after",
					 r ? r->kind : 0, r ? r->name : "-",
					 r ? (long long)r->t : 0LL);
			/* non-decreasing along the thread */
			for (j = i + 1; cpu && j < s->n_ev; j++) {
				const struct tev *f = &s->ev[j];

				if (f->pid != e->pid || f->tid != e->tid ||
				    (f->kind != SWT_EV_BEGIN &&
				     f->kind != SWT_EV_END))
					continue;
				if (f->value < e->value)
					fail_msg("thread %d: cpu %lld after "
						 "%lld", (int)e->tid,
						 (long long)f->value,
						 (long long)e->value);
				break;
			}
		} else if (e->kind == (int)SWT_EV_RSS) {
			if (!rss)
				fail_msg("an rss event of thread %d, not "
					 "asked for", (int)e->tid);
			if (e->value <= 0)
				fail_msg("rss %lld", (long long)e->value);
			/* a reading belongs to the BEGIN after it or the
			 * END before it: at its time, or on the right side
			 * of it when swrec raised a late one (a pair can be
			 * split by the recorder's budget, swrec.1) */
			if (!((next && next->kind == SWT_EV_BEGIN &&
			       next->t >= e->t) ||
			      (prev && prev->kind == SWT_EV_END &&
			       prev->t <= e->t)))
				fail_msg("an rss reading of thread %d at %lld "
					 "next to no span boundary",
					 (int)e->tid, (long long)e->t);
		}
	}
	for (i = k = 0; i < s->n_ev; i++) {
		struct tev *e = &s->ev[i];

		if (!pid || e->pid == pid) {
			if (e->kind == (int)SWT_EV_RSS) {
				n_rss++;
				continue;
			}
			if (e->kind == SWT_EV_BEGIN || e->kind == SWT_EV_END)
				e->value = 0;
		}
		s->ev[k++] = *e;
	}
	s->n_ev = k;
	return n_rss;
}

/* A thread's stream is `per` events repeated n times: names[k % per],
 * kinds[k % per], and for the counter (value_at) the value k / per + 1,
 * 0 elsewhere; in order, times non-decreasing. */
static inline void tev_check_stream(const struct tev_set *s, int32_t pid,
				    int32_t tid, const char *const *names,
				    const int *kinds, size_t per, int value_at,
				    long n)
{
	size_t i, k = 0;
	int64_t last = INT64_MIN;

	for (i = 0; i < s->n_ev; i++) {
		const struct tev *e = &s->ev[i];

		if (e->tid != tid)
			continue;
		assert_int_equal(e->pid, pid);
		assert_string_equal(e->name, names[k % per]);
		assert_int_equal(e->kind, kinds[k % per]);
		assert_int_equal(e->value, (int)(k % per) == value_at
						   ? (int64_t)(k / per + 1)
						   : 0);
		assert_true(e->t >= last);
		last = e->t;
		k++;
	}
	assert_int_equal(k, per * (size_t)n);
}

/* A whole run of tests/apps/trace_app.c basic N or, with python, of
 * trace_app.py basic N; out is what it printed. It said it recorded and
 * dropped nothing; each worker's stream is whole and in order (C: n times
 * begin vision_system, count ocr_call i+1, end vision_system, mark frame;
 * Python: the same with a span ocr_processor around the mark); the
 * counter's sum is exact; in C the main thread's only events are its span
 * main_module; and there is nothing else, no anomaly, no drop. */
static inline void tev_check_basic(const struct tev_set *s, const char *out,
				   long n, bool python)
{
	static const char *const names[6] = {
		"vision_system", "ocr_call", "vision_system",
		"ocr_processor", "frame", "ocr_processor",
	};
	static const char *const c_names[4] = { "vision_system", "ocr_call",
						"vision_system", "frame" };
	static const int kinds[6] = { SWT_EV_BEGIN, SWT_EV_COUNT, SWT_EV_END,
				      SWT_EV_BEGIN, SWT_EV_MARK, SWT_EV_END };
	static const int c_kinds[4] = { SWT_EV_BEGIN, SWT_EV_COUNT,
					SWT_EV_END, SWT_EV_MARK };
	static const char *const workers[2] = { "w1", "w2" };
	size_t per = python ? 6 : 4, i;
	int32_t pid = (int32_t)tp_val(out, "pid"), tm;
	int64_t sum;

	assert_int_equal(tp_val(out, "enabled"), 1);
	assert_int_equal(tp_val(out, "dropped"), 0);
	for (i = 0; i < 2; i++)
		tev_check_stream(s, pid, tp_tid(out, workers[i]),
				 python ? names : c_names,
				 python ? kinds : c_kinds, per, 1, n);
	/* exact counts, whatever the interleaving */
	assert_int_equal(tev_count(s, pid, 0, SWT_EV_COUNT, "ocr_call", &sum),
			 2 * n);
	assert_int_equal(sum, n * (n + 1));
	if (!python) {
		/* main: its span around everything */
		tm = tp_tid(out, "main");
		assert_int_equal(tm, pid);
		assert_int_equal(tev_count(s, pid, tm, 0, NULL, NULL), 2);
		assert_int_equal(tev_count(s, pid, tm, SWT_EV_BEGIN,
					   "main_module", NULL), 1);
		assert_int_equal(tev_count(s, pid, tm, SWT_EV_END,
					   "main_module", NULL), 1);
	}
	assert_int_equal(s->n_ev, 2 * per * (size_t)n + (python ? 0 : 2));
	assert_int_equal(s->n_an, 0);
	assert_int_equal(s->n_dr, 0);
}

#endif
