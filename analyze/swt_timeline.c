/* swt_timeline.c — a session in time order (see swt_timeline.h). */
#include "swt_timeline.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swt_alloc.h"
#include "swt_buf.h"
#include "swt_checked.h"

static struct swt_timeline_event *add(struct swt_timeline *tl, int64_t t,
				      const char *event)
{
	struct swt_timeline_event *e;

	tl->ev = swt_grow(tl->ev, &tl->cap, tl->n + 1, sizeof(*tl->ev));
	e = &tl->ev[tl->n++];
	memset(e, 0, sizeof(*e));
	e->t_ns = t;
	e->seq = tl->seq++;
	e->event = event;
	e->kind = "";
	return e;
}

static char *dup_display(const char *s)
{
	return swt_display_bytes(s ? s : "", s ? strlen(s) : 0);
}

/* An event's name and process: its subject's, made displayable. */
static void set_subject(struct swt_timeline_event *e,
			const struct swt_subject *subj)
{
	e->name = dup_display(subj->name);
	e->process = dup_display(subj->process);
}

/* A span of milli-minutes, in minutes, or in seconds when it is under one
 * (a fast leak: "in 0.7 s", not "in 0.0 min"). */
static void put_span(struct swt_buf *b, int64_t mmin, bool secs)
{
	if (secs)
		swt_buf_fixed(b, swt_sat_mul(mmin, 60), 3, 1);
	else
		swt_buf_fixed(b, mmin, 3, 1);
}

void swt_forecast_phrase(struct swt_buf *b, int64_t target_mmb, int64_t eta,
			 int64_t lo, int64_t hi)
{
	bool secs = hi >= 0 ? hi < 1000 : eta < 1000 && lo < 1000;
	const char *unit = secs ? " s" : " min";

	swt_buf_puts(b, "reaches ");
	swt_buf_fixed(b, target_mmb, 3, 1);
	swt_buf_puts(b, " MB in ");
	put_span(b, eta, secs);
	swt_buf_printf(b, "%s (", unit);
	put_span(b, lo, secs);
	if (hi >= 0) {
		swt_buf_puts(b, "-");
		put_span(b, hi, secs);
		swt_buf_printf(b, "%s)", unit);
	} else {
		swt_buf_printf(b, "%s or more)", unit);
	}
}

/* "reaches 500.0 MB in 14.2 min (10.1-19.3 min); level 363.4 MB" */
static void forecast_detail(struct swt_buf *b, int64_t target_mmb,
			    int64_t eta, int64_t lo, int64_t hi,
			    int64_t level_mmb)
{
	swt_forecast_phrase(b, target_mmb, eta, lo, hi);
	swt_buf_puts(b, "; level ");
	swt_buf_fixed(b, level_mmb, 3, 1);
	swt_buf_puts(b, " MB");
}

/* The engine's alerts, as they fire (times already relative). */
static void on_alert(const struct swt_alert_result *a, void *payload)
{
	struct swt_timeline *tl = payload;
	struct swt_timeline_event *e = add(tl, a->t_ns, "alert");

	e->kind = swt_alert_kind_name(a->kind);
	set_subject(e, &a->subj);
	e->has_value = true;
	e->value = a->value;
	e->unit = swt_alert_unit(a->kind);
	e->has_threshold = true;
	e->threshold = a->threshold;
	if (a->kind == SWT_ALERT_FORECAST) {
		struct swt_buf b = SWT_BUF_INIT;

		forecast_detail(&b, a->target_mmb, a->value, a->eta_low,
				a->eta_high, a->level_mmb);
		e->detail = b.ptr;
	} else {
		e->detail = dup_display(a->subj.command);
	}
}

/* The engine's other events: alerts cleared, leaks and trends becoming
 * significant. */
static void on_event(const struct swt_engine_event *ev, void *payload)
{
	struct swt_timeline *tl = payload;
	struct swt_timeline_event *e;
	struct swt_buf b = SWT_BUF_INIT;

	switch (ev->kind) {
	case SWT_ENGINE_ALERT_CLEARED:
		e = add(tl, ev->t_ns, "alert_cleared");
		e->kind = swt_alert_kind_name(ev->alert.kind);
		set_subject(e, &ev->alert.subj);
		e->has_value = ev->value >= 0 ||
			       ev->alert.kind != SWT_ALERT_FORECAST;
		e->value = ev->value;
		e->unit = swt_alert_unit(ev->alert.kind);
		e->has_threshold = true;
		e->threshold = ev->alert.threshold;
		swt_buf_puts(&b, "lasted ");
		swt_buf_fixed(&b, ev->duration_ns, 9, 3);
		swt_buf_puts(&b, " s, from ");
		swt_buf_fixed(&b, ev->alert.t_ns, 9, 3);
		swt_buf_puts(&b, " s");
		break;
	case SWT_ENGINE_LEAK_SIGNIFICANT:
	case SWT_ENGINE_TREND_SIGNIFICANT:
		/* (a leak is of memory; a trend's detail has its direction) */
		e = add(tl, ev->t_ns,
			ev->kind == SWT_ENGINE_LEAK_SIGNIFICANT ?
				"leak_significant" :
				"trend_significant");
		e->kind = swt_resource_name(ev->resource);
		set_subject(e, &ev->subj);
		e->has_value = true;
		e->value = ev->value;
		e->unit = ev->resource == SWT_RES_MEMORY ? "MB/min" :
							   "percent/min";
		if (ev->kind == SWT_ENGINE_TREND_SIGNIFICANT)
			swt_buf_printf(&b, "%s, ",
				       swt_direction_name(ev->direction));
		if (ev->attributed) {
			/* (the attribution's test has no z) */
			swt_buf_puts(&b, "attributed growth, confidence ");
			swt_buf_fixed(&b, ev->confidence_mpct, 3, 1);
			swt_buf_puts(&b, " %");
			break;
		}
		swt_buf_puts(&b, "z ");
		swt_buf_fixed(&b, ev->z_milli, 3, 3);
		break;
	default:
		return;
	}
	e->detail = b.ptr ? b.ptr : swt_strdup("");
}

/* A record's time from the session start: the engine's origin (the
 * header's start, else the first record's time), so that records and the
 * engine's alerts share one clock. */
static int64_t rel(const struct swt_timeline *tl, int64_t t)
{
	return swt_sat_sub(t, tl->origin_ns);
}

/* When a process started: its ProcStart's time, which for one that lived
 * between two samples is the sample after it (or its exit); its
 * start_ticks (since boot, which CLOCK_MONOTONIC also counts from on a
 * machine that never slept) say when it forked, to the clock tick. Taken
 * when they fall between the sample before the record and the record
 * (else the record's time: a suspended machine, another clock, a process
 * found late). */
static int64_t start_time(const struct swt_timeline *tl,
			  const struct swt_record *rec)
{
	const struct swt_proc_start *p = &rec->u.proc_start;
	int64_t fork_ns, lo;

	if (p->preexisting || !tl->clock_ticks || !p->start_ticks ||
	    p->start_ticks > (uint64_t)INT64_MAX / 1000000000u ||
	    tl->last_sample_ns == INT64_MIN)
		return rec->t_ns;
	fork_ns = (int64_t)(p->start_ticks * 1000000000u / tl->clock_ticks);
	/* (after the sample before it, to the tick) */
	lo = swt_sat_sub(tl->last_sample_ns,
			 2 * (1000000000 / (int64_t)tl->clock_ticks));
	if (fork_ns > rec->t_ns || fork_ns < lo || fork_ns < tl->origin_ns)
		return rec->t_ns;
	return fork_ns;
}

/* A span's begin or end: a module's first begin in its process is an
 * event ("module_start"); its calls and last end are kept for the
 * "module_end" event at the close. */
static void module_event(struct swt_timeline *tl, int32_t pid,
			 const struct swt_event *ev)
{
	const char *name = ev->name ? ev->name : "";
	size_t len = strlen(name);
	uint32_t i = swt_smap_get(&tl->mod_map, (uint32_t)pid, name, len);
	struct swt_timeline_mod *m;

	if (i == SWT_MAP_NONE) {
		struct swt_timeline_event *e;
		struct swt_buf b = SWT_BUF_INIT;

		if (ev->kind != SWT_EV_BEGIN)
			return;	/* (an end without its begin) */
		tl->mods = swt_grow(tl->mods, &tl->cap_mods, tl->n_mods + 1,
				    sizeof(*tl->mods));
		i = (uint32_t)tl->n_mods++;
		swt_smap_put(&tl->mod_map, (uint32_t)pid, name, len, i);
		m = &tl->mods[i];
		memset(m, 0, sizeof(*m));
		m->pid = pid;
		m->name = swt_strdup(name);
		e = add(tl, rel(tl, ev->t_ns), "module_start");
		e->name = dup_display(name);
		e->process = swt_strdup("");
		swt_buf_printf(&b, "pid %" PRId32 ", thread %" PRId32, pid,
			       ev->tid);
		e->detail = b.ptr;
	}
	m = &tl->mods[i];
	if (ev->kind == SWT_EV_BEGIN) {
		m->calls++;
	} else {
		m->ended = true;
		m->last_end_ns = rel(tl, ev->t_ns);
	}
}

/* The modules' last ends, at the close, if the session's end was read (a
 * window that stops before it does not know them). */
static void module_ends(struct swt_timeline *tl)
{
	size_t i;

	if (!tl->saw_end)
		return;
	for (i = 0; i < tl->n_mods; i++) {
		const struct swt_timeline_mod *m = &tl->mods[i];
		struct swt_timeline_event *e;
		struct swt_buf b = SWT_BUF_INIT;

		if (!m->ended)
			continue;
		e = add(tl, m->last_end_ns, "module_end");
		e->name = dup_display(m->name);
		e->process = swt_strdup("");
		swt_buf_printf(&b, "pid %" PRId32 ", %" PRIu64 " call%s", m->pid,
			       m->calls, m->calls == 1 ? "" : "s");
		e->detail = b.ptr;
	}
}

static void on_record(const struct swt_record *rec, void *payload)
{
	struct swt_timeline *tl = payload;
	struct swt_timeline_event *e;
	struct swt_buf b = SWT_BUF_INIT;
	size_t i;

	if (rec->kind == SWT_REC_HEADER) {
		const struct swt_header *h = &rec->u.header;

		if (h->start_mono_ns > 0) {
			tl->origin_ns = h->start_mono_ns;
			tl->origin_known = true;
		}
		tl->clock_ticks = h->clock_ticks;
		tl->interval_ns = h->interval_ns;
		e = add(tl, 0, "session_start");
		for (i = 0; i < h->n_command; i++) {
			if (i)
				swt_buf_putc(&b, ' ');
			swt_buf_puts(&b, h->command[i] ? h->command[i] : "");
		}
		e->name = swt_strdup("session");
		e->process = swt_strdup("");
		e->detail = dup_display(b.ptr ? b.ptr : "");
		swt_buf_fini(&b);
		return;
	}
	if (!tl->origin_known) {
		/* as the engine: the first record's time */
		tl->origin_ns = rec->t_ns;
		tl->origin_known = true;
	}
	switch (rec->kind) {
	case SWT_REC_SAMPLE:
		tl->last_sample_ns = rec->t_ns;
		break;
	case SWT_REC_PROC_START: {
		const struct swt_proc_start *p = &rec->u.proc_start;

		e = add(tl, rel(tl, start_time(tl, rec)), "process_start");
		e->name = dup_display(p->comm);
		e->process = dup_display(p->comm);
		swt_buf_printf(&b, "pid %" PRId32 "%s", p->pid,
			       p->preexisting ? ", already running" : "");
		if (p->cmdline_len) {
			char *c;
			size_t len = p->cmdline_len;

			while (len && p->cmdline[len - 1] == '\0')
				len--;
			c = swt_display_bytes(p->cmdline, len);
			swt_buf_printf(&b, ": %s", c);
			free(c);
		}
		e->detail = b.ptr ? b.ptr : swt_strdup("");
		break;
	}
	case SWT_REC_PROC_EXIT: {
		const struct swt_proc_exit *p = &rec->u.proc_exit;

		e = add(tl, rel(tl, rec->t_ns), "process_exit");
		e->name = swt_strdup("");
		e->process = swt_strdup("");
		swt_buf_printf(&b, "pid %" PRId32, p->pid);
		if (p->has_status && p->signal)
			swt_buf_printf(&b, ", killed by signal %" PRId32 "%s",
				       p->signal,
				       p->core_dumped ? " (core dumped)" : "");
		else if (p->has_status)
			swt_buf_printf(&b, ", exit status %" PRId32,
				       p->exit_code);
		e->detail = b.ptr;
		break;
	}
	case SWT_REC_EVENTS:
		for (i = 0; i < rec->u.events.n; i++) {
			const struct swt_event *ev = &rec->u.events.events[i];

			if (ev->kind == SWT_EV_BEGIN || ev->kind == SWT_EV_END) {
				module_event(tl, rec->u.events.pid, ev);
				continue;
			}
			if (ev->kind != SWT_EV_MARK)
				continue;
			e = add(tl, rel(tl, ev->t_ns), "mark");
			e->name = dup_display(ev->name);
			e->process = swt_strdup("");
			swt_buf_clear(&b);
			swt_buf_printf(&b, "pid %" PRId32 ", thread %" PRId32,
				       rec->u.events.pid, ev->tid);
			e->detail = swt_strdup(b.ptr);
		}
		swt_buf_fini(&b);
		break;
	case SWT_REC_END: {
		const struct swt_session_end *s = &rec->u.end;

		tl->saw_end = true;
		e = add(tl, rel(tl, rec->t_ns), "session_end");
		e->name = swt_strdup("session");
		e->process = swt_strdup("");
		swt_buf_puts(&b, swt_end_reason_name(s->reason));
		if (s->has_status && s->signal)
			swt_buf_printf(&b, ", killed by signal %" PRId32,
				       s->signal);
		else if (s->has_status)
			swt_buf_printf(&b, ", exit status %" PRId32,
				       s->exit_code);
		e->detail = b.ptr;
		break;
	}
	default:
		break;
	}
}

static int cmp_event(const void *a, const void *b)
{
	const struct swt_timeline_event *x = a, *y = b;

	if (x->t_ns != y->t_ns)
		return x->t_ns < y->t_ns ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* The events of the engine's result: spikes (start, peak, end). */
static void result_events(struct swt_timeline *tl)
{
	const struct swt_result *res = tl->an->result;
	size_t i;

	module_ends(tl);
	for (i = 0; i < res->n_spikes; i++) {
		const struct swt_spike_result *s = &res->spikes[i];
		static const char *const what[3] = { "spike_start",
						     "spike_peak",
						     "spike_end" };
		int64_t at[3] = { s->start_ns, s->peak_t_ns,
				  swt_sat_add(s->start_ns, s->duration_ns) };
		int k;

		for (k = 0; k < 3; k++) {
			struct swt_timeline_event *e = add(tl, at[k], what[k]);
			struct swt_buf b = SWT_BUF_INIT;

			e->kind = swt_resource_name(s->resource);
			set_subject(e, &s->subj);
			e->unit = swt_resource_unit(s->resource);
			e->has_threshold = true;
			e->threshold = s->threshold;
			if (k == 1) {
				e->has_value = true;
				e->value = s->peak;
			}
			swt_buf_puts(&b, "baseline ");
			swt_buf_fixed(&b, s->baseline, 3, 1);
			if (k == 2) {
				swt_buf_puts(&b, ", lasted ");
				swt_buf_fixed(&b, s->duration_ns, 9, 3);
				swt_buf_puts(&b, " s");
			}
			if (s->n_active) {
				size_t j;

				swt_buf_puts(&b, "; active: ");
				for (j = 0; j < s->n_active; j++)
					swt_buf_printf(&b, "%s%s",
						       j ? ", " : "",
						       s->active[j]);
			}
			e->detail = b.ptr;
		}
	}
}

int swt_timeline_run(struct swt_timeline **out, struct swt_reader *r,
		     const struct swt_engine_opts *opts, char *errmsg,
		     size_t errlen)
{
	return swt_timeline_run_window(out, r, opts, NULL, errmsg, errlen);
}

int swt_timeline_run_window(struct swt_timeline **out,
			    struct swt_reader *r,
			    const struct swt_engine_opts *opts,
			    struct swt_window *w, char *errmsg, size_t errlen)
{
	struct swt_timeline *tl = swt_zalloc(sizeof(*tl));
	struct swt_engine_opts eo;
	int err;

	*out = NULL;
	tl->last_sample_ns = INT64_MIN;
	swt_smap_init(&tl->mod_map);
	if (opts)
		eo = *opts;
	else
		memset(&eo, 0, sizeof(eo));
	eo.on_alert = on_alert;
	eo.on_event = on_event;
	eo.payload = tl;
	/* (a window from a point after the start misses the series' past) */
	tl->partial = w && w->from_ns > w->warmup_ns;
	err = w ? swt_analysis_run_window(&tl->an, r, &eo, w, on_record, tl,
					  errmsg, errlen) :
		  swt_analysis_run_hook(&tl->an, r, &eo, on_record, tl,
					errmsg, errlen);
	if (err < 0) {
		swt_timeline_free(tl);
		return err;
	}
	result_events(tl);
	qsort(tl->ev, tl->n, sizeof(*tl->ev), cmp_event);
	*out = tl;
	return 0;
}

void swt_timeline_free(struct swt_timeline *tl)
{
	size_t i;

	if (!tl)
		return;
	for (i = 0; i < tl->n; i++) {
		free(tl->ev[i].name);
		free(tl->ev[i].process);
		free(tl->ev[i].detail);
	}
	free(tl->ev);
	for (i = 0; i < tl->n_mods; i++)
		free(tl->mods[i].name);
	free(tl->mods);
	swt_smap_fini(&tl->mod_map);
	swt_analysis_free(tl->an);
	free(tl);
}

#define N_COLS(a) (sizeof(a) / sizeof((a)[0]))

void swt_timeline_model_build(struct swt_model **out,
			      const struct swt_timeline *tl, int64_t from_ns,
			      int64_t to_ns)
{
	static const struct swt_model_col cols[] = {
		{ "t_s", "time s", "s", SWT_CELL_FIXED, 0 },
		{ "event", "event", NULL, SWT_CELL_ENUM, 0 },
		{ "kind", "kind", NULL, SWT_CELL_ENUM, 0 },
		{ "name", "name", NULL, SWT_CELL_STR, 0 },
		{ "process", "process", NULL, SWT_CELL_STR, 0 },
		{ "value", "value", NULL, SWT_CELL_FIXED, 0 },
		{ "threshold", "threshold", NULL, SWT_CELL_FIXED, 0 },
		{ "unit", "unit", NULL, SWT_CELL_ENUM, 0 },
		{ "detail", "detail", NULL, SWT_CELL_STR, SWT_COL_CUT },
	};
	static const struct swt_model_def def = {
		"timeline", "Timeline", SWT_SECTION_TABLE, 0, N_COLS(cols),
		cols
	};
	struct swt_model *m;
	struct swt_model_section *s;
	size_t i, shown = 0;

	swt_model_new(&m, "swreplay", "timeline",
		      SWT_TIMELINE_SCHEMA_VERSION);
	s = swt_model_add_section(m, &def);
	for (i = 0; i < tl->n; i++) {
		const struct swt_timeline_event *e = &tl->ev[i];

		if (e->t_ns < from_ns || e->t_ns > to_ns)
			continue;
		if (tl->partial && (strcmp(e->event, "leak_significant") == 0 ||
				    strcmp(e->event, "trend_significant") == 0 ||
				    strcmp(e->event, "module_start") == 0 ||
				    strcmp(e->kind, "forecast") == 0))
			continue;
		shown++;
		swt_model_add_row(s, NULL);
		swt_model_cell_fixed(s, e->t_ns, 9, 3);
		swt_model_cell_enum(s, e->event);
		if (*e->kind)
			swt_model_cell_enum(s, e->kind);
		else
			swt_model_cell_null(s);
		swt_model_cell_str(s, e->name ? e->name : "");
		swt_model_cell_str(s, e->process ? e->process : "");
		if (e->has_value)
			swt_model_cell_fixed(s, e->value, 3, 1);
		else
			swt_model_cell_null(s);
		if (e->has_threshold)
			swt_model_cell_fixed(s, e->threshold, 3, 1);
		else
			swt_model_cell_null(s);
		if (e->unit)
			swt_model_cell_enum(s, e->unit);
		else
			swt_model_cell_null(s);
		swt_model_cell_str(s, e->detail ? e->detail : "");
	}
	swt_model_summary(m, "%zu event%s%s.", shown, shown == 1 ? "" : "s",
			  from_ns != INT64_MIN || to_ns != INT64_MAX ?
				  " in the window asked for" :
				  "");
	if (tl->partial)
		swt_model_summary(m, "Modules' first starts, leaks and trends "
				  "becoming significant and forecast alerts "
				  "are left out: they rest on what happened "
				  "since the session start, which a window "
				  "read from its warm-up does not have "
				  "(swanalyze's report of the whole file has "
				  "them).");
	*out = m;
}

/* ---- incremental (swreplay --follow) ------------------------------------ */

void swt_timeline_open(struct swt_timeline **out,
		       const struct swt_engine_opts *opts)
{
	struct swt_timeline *tl = swt_zalloc(sizeof(*tl));
	struct swt_engine_opts eo;

	if (opts)
		eo = *opts;
	else
		memset(&eo, 0, sizeof(eo));
	eo.on_alert = on_alert;
	eo.on_event = on_event;
	eo.payload = tl;
	tl->last_sample_ns = INT64_MIN;
	swt_smap_init(&tl->mod_map);
	tl->an = swt_zalloc(sizeof(*tl->an));
	swt_engine_new(&tl->an->engine, &eo);
	*out = tl;
}

int swt_timeline_feed(struct swt_timeline *tl, const struct swt_record *rec,
		      char *errmsg, size_t errlen)
{
	int err;

	on_record(rec, tl);
	err = swt_engine_feed(tl->an->engine, rec);
	if (err < 0 && errmsg && errlen)
		snprintf(errmsg, errlen, "%s",
			 swt_engine_errmsg(tl->an->engine));
	return err;
}

int swt_timeline_close(struct swt_timeline *tl, char *errmsg, size_t errlen)
{
	int err = swt_engine_finish(tl->an->engine, &tl->an->result);

	if (err < 0) {
		if (errmsg && errlen)
			snprintf(errmsg, errlen, "%s",
				 swt_engine_errmsg(tl->an->engine));
		return err;
	}
	result_events(tl);
	return 0;
}

void swt_timeline_sort(struct swt_timeline *tl, size_t first)
{
	if (first < tl->n)
		qsort(tl->ev + first, tl->n - first, sizeof(*tl->ev),
		      cmp_event);
}
