/* swt_lib.c — libswt: the public API of swt.h over the engine.
 *
 * Nothing is computed here: a report is swt_analysis_run() over a reader,
 * its figures are the engine's result copied into the public structs (one
 * field each, no arithmetic but history_samples' count in thousandths),
 * and swt_report_print() is swanalyze's swt_report_write(). So libswt cannot say anything swanalyze does not.
 *
 * Include order matters once: the internal headers come first, so that
 * enum swt_status is common/swt_status.h's and swt.h skips its copy (the
 * two are checked equal by tests/lib/test_lib_status.c). */
#include "swt_analysis.h"
#include "swt_buf.h"
#include "swt_config.h"
#include "swt_engine.h"
#include "swt_reader.h"
#include "swt_report.h"
#include "swt_status.h"
#include "swt_thresholds.h"

#include "swt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "swt_alloc.h"

/* The only symbols of libswt.so: the version script swt.sym lists them
 * (tests/lib/check-symbols.sh), the rest is hidden. */
#define EXPORT __attribute__((visibility("default")))

_Static_assert(SWT_VERSION_MAJOR * 10000 + SWT_VERSION_MINOR * 100 +
		       SWT_VERSION_PATCH == SWT_VERSION_NUMBER,
	       "swt.h version macros");
_Static_assert(SWT_PRIORITY_LOW == SWT_PRIO_LOW &&
		       SWT_PRIORITY_MEDIUM == SWT_PRIO_MEDIUM &&
		       SWT_PRIORITY_HIGH == SWT_PRIO_HIGH &&
		       SWT_PRIORITY_CRITICAL == SWT_PRIO_CRITICAL,
	       "swt.h priorities are the engine's");

struct swt_settings {
	struct swt_thresholds th;
	unsigned threads;	/* swt_settings_set_threads(); 0: CPUs */
	char errmsg[600];
};

struct swt_report {
	struct swt_analysis *an;
	struct swt_report_input in;	/* what swt_report_write() takes */
	int status;
	char *errmsg;
	struct swt_session_info session;
	struct swt_trend_info trend;
	size_t n_modules, n_alerts, n_spikes, n_leaks, n_recs, n_damage;
	size_t n_counters, n_forecasts, n_bottlenecks, n_thresholds, n_rates;
	struct swt_module_info *modules;
	struct swt_alert_info *alerts;
	struct swt_spike_info *spikes;
	struct swt_leak_info *leaks;
	struct swt_recommendation_info *recs;
	struct swt_damage_info *damage;
	struct swt_counter_info *counters;
	struct swt_forecast_info *forecasts;
	struct swt_bottleneck_info *bottlenecks;
	struct swt_threshold_info *thresholds;
	struct swt_rate_threshold_info *rates;
	struct swt_variant_info *variants; /* every module's top variants */
	size_t *variant_at;	/* per module: its first in variants */
	size_t n_usage;		/* buckets per subject */
	struct swt_usage_info *usage; /* the session's, then each module's */
};

/* One series into n_usage infos. */
static void fill_series(struct swt_usage_info *o,
			const struct swt_usage_series *u, size_t n)
{
	size_t k;

	for (k = 0; k < n && k < u->n_buckets; k++) {
		const struct swt_usage_bucket *b = &u->buckets[k];

		o[k].t_from_ns = b->t_from_ns;
		o[k].t_to_ns = b->t_to_ns;
		o[k].has_cpu = u->has_cpu && b->cpu_intervals > 0;
		if (o[k].has_cpu) {
			o[k].cpu_min_mpct = b->cpu_min_mpct;
			o[k].cpu_max_mpct = b->cpu_max_mpct;
			o[k].cpu_avg_mpct = b->cpu_avg_mpct;
		}
		o[k].has_memory = u->has_memory && b->mem_samples > 0;
		if (o[k].has_memory) {
			o[k].mem_min_mmb = b->mem_min_mmb;
			o[k].mem_max_mmb = b->mem_max_mmb;
			o[k].mem_avg_mmb = b->mem_avg_mmb;
		}
	}
}

/* The series over time: (1 + modules) rows of n_usage buckets. */
static void fill_usage(struct swt_report *rep)
{
	const struct swt_result *res = rep->an->result;
	size_t n = res->n_usage_buckets, i;

	rep->n_usage = n;
	rep->usage = swt_calloc((res->n_modules + 1) * (n ? n : 1),
				sizeof(*rep->usage));
	fill_series(rep->usage, &res->usage, n);
	for (i = 0; i < res->n_modules; i++)
		fill_series(&rep->usage[(i + 1) * n], &res->modules[i].usage,
			    n);
}

EXPORT const char *swt_version(void)
{
	return SWT_VERSION;
}

/* ---- settings ------------------------------------------------------------ */

EXPORT int swt_settings_new(struct swt_settings **out)
{
	struct swt_settings *s;

	if (!out)
		return SWT_EINVAL;
	s = swt_zalloc(sizeof(*s));
	swt_thresholds_init(&s->th);
	s->threads = 1;
	*out = s;
	return 0;
}

EXPORT void swt_settings_free(struct swt_settings *s)
{
	if (!s)
		return;
	swt_thresholds_fini(&s->th);
	free(s);
}

EXPORT int swt_settings_set(struct swt_settings *s, const char *assignment)
{
	if (!s)
		return SWT_EINVAL;
	s->errmsg[0] = '\0';
	if (!assignment) {
		snprintf(s->errmsg, sizeof(s->errmsg), "no KEY=VALUE (NULL)");
		return SWT_EINVAL;
	}
	return swt_thresholds_set_assignment(&s->th, assignment,
					     SWT_TH_OPTION, s->errmsg,
					     sizeof(s->errmsg));
}

EXPORT int swt_settings_set_threads(struct swt_settings *s, unsigned n)
{
	if (!s)
		return SWT_EINVAL;
	s->errmsg[0] = '\0';
	if (n > SWT_READER_MAX_THREADS) {
		snprintf(s->errmsg, sizeof(s->errmsg),
			 "threads: %u is over %u", n, SWT_READER_MAX_THREADS);
		return SWT_EINVAL;
	}
	s->threads = n;
	return 0;
}

EXPORT int swt_settings_load(struct swt_settings *s, const char *text,
			     size_t len, const char *name)
{
	if (!s)
		return SWT_EINVAL;
	s->errmsg[0] = '\0';
	if (!text && len) {
		snprintf(s->errmsg, sizeof(s->errmsg), "no text (NULL)");
		return SWT_EINVAL;
	}
	return swt_thresholds_load(&s->th, text ? text : "", len,
				   name ? name : "config", s->errmsg,
				   sizeof(s->errmsg));
}

EXPORT int swt_settings_load_file(struct swt_settings *s, const char *path)
{
	if (!s)
		return SWT_EINVAL;
	s->errmsg[0] = '\0';
	if (!path) {
		snprintf(s->errmsg, sizeof(s->errmsg), "no file name (NULL)");
		return SWT_EINVAL;
	}
	return swt_thresholds_load_file(&s->th, path, s->errmsg,
					sizeof(s->errmsg));
}

EXPORT const char *swt_settings_errmsg(const struct swt_settings *s)
{
	return s ? s->errmsg : "";
}

/* ---- reports ------------------------------------------------------------- */

static void copy_msg(char *errbuf, size_t errlen, const char *msg)
{
	if (errbuf && errlen)
		snprintf(errbuf, errlen, "%s", msg);
}

/* A failure's message as swanalyze prints it (swt_cli_error_line()): the
 * reader's messages name the file already, the engine's do not. */
static void fail_msg(char *errbuf, size_t errlen, const char *name,
		     int status, const char *msg)
{
	size_t n = strlen(name);

	if (!errbuf || !errlen)
		return;
	if (!msg || !*msg)
		snprintf(errbuf, errlen, "%s: %s", name,
			 swt_status_name(status));
	else if (strncmp(msg, name, n) == 0 && msg[n] == ':')
		snprintf(errbuf, errlen, "%s", msg);
	else
		snprintf(errbuf, errlen, "%s: %s", name, msg);
}

static void subject_info(struct swt_subject_info *out,
			 const struct swt_subject *s)
{
	out->kind = swt_kind_name(s->kind);
	out->name = s->name;
	out->process = s->process;
	out->command = s->command;
}

static void fill_session(struct swt_report *rep)
{
	const struct swt_result *res = rep->an->result;
	const struct swt_session_result *s = &res->session;
	struct swt_session_info *o = &rep->session;

	o->recorder = s->recorder;
	o->n_command = s->n_command;
	o->command = s->command;
	o->duration_ns = s->duration_ns;
	o->interval_ns = s->interval_ns;
	o->start_wall_ns = s->start_wall_ns;
	o->samples = s->samples;
	o->processes = s->processes;
	o->events = s->events;
	o->cpu_count = s->cpu_count;
	o->clock_ticks = s->clock_ticks;
	o->mem_total_kib = s->mem_total_kib;
	o->cpu_ms = s->cpu_ms;
	o->cpu_avg_mpct = s->cpu_avg_mpct;
	o->cpu_peak_mpct = s->cpu_peak_mpct;
	o->cpu_end_mpct = s->cpu_end_mpct;
	o->mem_avg_mmb = s->mem_avg_mmb;
	o->mem_peak_mmb = s->mem_peak_mmb;
	o->mem_end_mmb = s->mem_end_mmb;
	o->total_weight = res->total_weight;
	o->dropped_events = s->dropped_events;
	o->missed_samples = s->missed_samples;
	o->alerts_total = res->alerts_total;
	o->spikes_total = res->spikes_total;
	o->complete = !swt_analysis_incomplete(rep->an);
}

static void fill_modules(struct swt_report *rep)
{
	const struct swt_result *res = rep->an->result;
	size_t i, n_var = 0;

	rep->n_modules = res->n_modules;
	rep->modules = swt_calloc(res->n_modules ? res->n_modules : 1,
				  sizeof(*rep->modules));
	for (i = 0; i < res->n_modules; i++) {
		const struct swt_module_result *m = &res->modules[i];
		struct swt_module_info *o = &rep->modules[i];

		o->kind = swt_kind_name(m->subj.kind);
		o->name = m->subj.name;
		o->process = m->subj.process;
		o->command = m->subj.command;
		o->group = m->subj.group;
		o->instances = m->instances;
		o->cpu_avg_mpct = m->cpu_avg_mpct;
		o->cpu_peak_mpct = m->cpu_peak_mpct;
		o->cpu_ms = m->cpu_ms;
		o->cpu_share_mpct = m->cpu_share_mpct;
		o->cpu_source = swt_cpu_source_name(m->cpu_source);
		o->has_memory = m->has_memory;
		o->mem_avg_mmb = m->mem_avg_mmb;
		o->mem_peak_mmb = m->mem_peak_mmb;
		o->mem_attribution =
			swt_mem_attribution_name(m->mem_attribution);
		o->calls = m->calls;
		o->calls_per_min_milli = m->calls_per_min_milli;
		o->cpu_score = m->cpu_score;
		o->mem_score = m->mem_score;
		o->freq_score = m->freq_score;
		o->weight = m->weight;
		o->priority = (int)m->priority;
		o->priority_name = swt_priority_name(m->priority);
		o->in_total = m->in_total;
		o->has_io = m->has_io;
		o->io_read_mmb = m->io_read_mmb;
		o->io_write_mmb = m->io_write_mmb;
		o->has_net = m->has_net;
		o->net_sent_mmb = m->net_sent_mmb;
		o->net_recv_mmb = m->net_recv_mmb;
		o->cpu_session_mpct = m->cpu_session_mpct;
		o->has_starts = m->has_starts;
		o->starts = m->starts;
		o->starts_per_min_milli = m->starts_per_min_milli;
		o->n_variants = m->n_variants;
		o->n_top_variants = m->n_top_variants;
		n_var += m->n_top_variants;
	}
	rep->variants = swt_calloc(n_var ? n_var : 1, sizeof(*rep->variants));
	rep->variant_at = swt_calloc(res->n_modules ? res->n_modules : 1,
				     sizeof(*rep->variant_at));
	for (i = 0, n_var = 0; i < res->n_modules; i++) {
		const struct swt_module_result *m = &res->modules[i];
		size_t k;

		rep->variant_at[i] = n_var;
		for (k = 0; k < m->n_top_variants; k++, n_var++) {
			rep->variants[n_var].command =
				m->top_variants[k].command;
			rep->variants[n_var].processes =
				m->top_variants[k].processes;
			rep->variants[n_var].cpu_ms = m->top_variants[k].cpu_ms;
		}
	}
}

static void fill_findings(struct swt_report *rep)
{
	const struct swt_result *res = rep->an->result;
	size_t i;

	rep->n_alerts = res->n_alerts;
	rep->alerts = swt_calloc(res->n_alerts ? res->n_alerts : 1,
				 sizeof(*rep->alerts));
	for (i = 0; i < res->n_alerts; i++) {
		const struct swt_alert_result *a = &res->alerts[i];
		struct swt_alert_info *o = &rep->alerts[i];

		o->t_ns = a->t_ns;
		o->kind = swt_alert_kind_name(a->kind);
		subject_info(&o->subject, &a->subj);
		o->value_milli = a->value;
		o->threshold_milli = a->threshold;
		o->unit = swt_alert_unit(a->kind);
	}
	rep->n_spikes = res->n_spikes;
	rep->spikes = swt_calloc(res->n_spikes ? res->n_spikes : 1,
				 sizeof(*rep->spikes));
	for (i = 0; i < res->n_spikes; i++) {
		const struct swt_spike_result *sp = &res->spikes[i];
		struct swt_spike_info *o = &rep->spikes[i];

		o->resource = swt_resource_name(sp->resource);
		o->unit = swt_resource_unit(sp->resource);
		subject_info(&o->subject, &sp->subj);
		o->start_ns = sp->start_ns;
		o->duration_ns = sp->duration_ns;
		o->peak_t_ns = sp->peak_t_ns;
		o->peak_milli = sp->peak;
		o->baseline_milli = sp->baseline;
		o->threshold_milli = sp->threshold;
		o->n_active = sp->n_active;
		o->active = sp->active;
	}
	rep->n_leaks = res->n_leaks;
	rep->leaks = swt_calloc(res->n_leaks ? res->n_leaks : 1,
				sizeof(*rep->leaks));
	for (i = 0; i < res->n_leaks; i++) {
		const struct swt_leak_result *l = &res->leaks[i];
		struct swt_leak_info *o = &rep->leaks[i];

		subject_info(&o->subject, &l->subj);
		o->slope_mmb_per_min = l->slope_mmb_per_min;
		o->confidence_mpct = l->confidence_mpct;
		o->first_mmb = l->first_mmb;
		o->last_mmb = l->last_mmb;
		o->attributed_to = l->attributed_to;
		o->significant_ns = l->significant_ns;
	}
	rep->n_recs = res->n_recommendations;
	rep->recs = swt_calloc(rep->n_recs ? rep->n_recs : 1,
			       sizeof(*rep->recs));
	for (i = 0; i < rep->n_recs; i++) {
		const struct swt_recommendation *rc =
			&res->recommendations[i];
		struct swt_recommendation_info *o = &rep->recs[i];

		o->priority = (int)rc->priority;
		o->priority_name = swt_priority_name(rc->priority);
		o->subject = rc->subject;
		o->text = rc->text;
	}
}

/* An array of n structs (one at least, so that it is never NULL). */
#define LIST_ALLOC(arr, n) ((arr) = swt_calloc((n) ? (n) : 1, sizeof(*(arr))))

static void fill_more(struct swt_report *rep)
{
	const struct swt_result *res = rep->an->result;
	const struct swt_thresholds *th = res->thresholds;
	size_t i;

	rep->n_counters = res->n_counters;
	LIST_ALLOC(rep->counters, rep->n_counters);
	for (i = 0; i < res->n_counters; i++) {
		const struct swt_counter_result *c = &res->counters[i];
		struct swt_counter_info *o = &rep->counters[i];

		o->name = c->name;
		o->count = c->count;
		o->per_min_milli = c->per_min_milli;
		o->has_threshold = c->has_threshold;
		o->threshold_per_min_milli = c->threshold_milli;
		o->exceeded = c->exceeded;
		o->alerts = c->alerts;
		o->note = c->note ? c->note : "";
	}
	rep->n_forecasts = res->n_forecasts;
	LIST_ALLOC(rep->forecasts, rep->n_forecasts);
	for (i = 0; i < res->n_forecasts; i++) {
		const struct swt_forecast_result *f = &res->forecasts[i];
		struct swt_forecast_info *o = &rep->forecasts[i];

		subject_info(&o->subject, &f->subj);
		o->at_ns = f->at_ns;
		o->level_mmb = f->level_mmb;
		o->target_mmb = f->target_mmb;
		o->slope_mmb_per_min = f->slope_mmb_per_min;
		o->slope_low_mmb_per_min = f->slope_low_mmb_per_min;
		o->slope_high_mmb_per_min = f->slope_high_mmb_per_min;
		o->eta_mmin = f->eta_mmin;
		o->eta_low_mmin = f->eta_low_mmin;
		o->eta_high_mmin = f->eta_high_mmin;
	}
	rep->trend.overall = swt_direction_name(res->trend.overall);
	rep->trend.memory = swt_direction_name(res->trend.memory);
	rep->trend.memory_slope_mmb_per_min =
		res->trend.memory_slope_mmb_per_min;
	rep->trend.cpu = swt_direction_name(res->trend.cpu);
	rep->trend.cpu_slope_mpct_per_min = res->trend.cpu_slope_mpct_per_min;
	rep->n_bottlenecks = res->n_bottlenecks;
	LIST_ALLOC(rep->bottlenecks, rep->n_bottlenecks);
	for (i = 0; i < res->n_bottlenecks; i++) {
		const struct swt_bottleneck_result *b = &res->bottlenecks[i];
		struct swt_bottleneck_info *o = &rep->bottlenecks[i];

		subject_info(&o->subject, &b->subj);
		o->reason = swt_bottleneck_reason_name(b->reason);
		o->cpu_avg_mpct = b->cpu_avg_mpct;
		o->cpu_peak_mpct = b->cpu_peak_mpct;
		o->saturated_permille = b->saturated_permille;
		o->calls_per_min_milli = b->calls_per_min_milli;
		o->pattern = b->pattern ? b->pattern : "";
	}
	/* the scalars the reports list (the diff's follow them) */
	rep->n_thresholds = SWT_TH_N_ANALYSIS;
	LIST_ALLOC(rep->thresholds, rep->n_thresholds);
	for (i = 0; i < rep->n_thresholds; i++) {
		enum swt_th_key k = (enum swt_th_key)i;
		struct swt_threshold_info *o = &rep->thresholds[i];

		o->key = swt_th_key_name(k);
		o->is_count = swt_th_key_is_count(k);
		/* a count (at most 100000) in thousandths, as the others */
		o->value_milli = o->is_count ? th->v[i] * 1000 : th->v[i];
		o->source = swt_th_source_name(th->src[i]);
	}
	rep->n_rates = th->n_rates;
	LIST_ALLOC(rep->rates, rep->n_rates);
	for (i = 0; i < th->n_rates; i++) {
		rep->rates[i].counter = th->rates[i].counter;
		rep->rates[i].per_min_milli = th->rates[i].per_minute_milli;
		rep->rates[i].source = swt_th_source_name(th->rates[i].source);
	}
}

/* The lost ranges, the status they make and the warning lines that
 * swanalyze prints for them (its stderr, with the file's name for its
 * "swanalyze: FILE" prefix). */
static void fill_damage(struct swt_report *rep, const char *name)
{
	const struct swt_analysis *an = rep->an;
	struct swt_buf msg = SWT_BUF_INIT;
	size_t i;

	rep->n_damage = an->n_lost;
	rep->damage = swt_calloc(an->n_lost ? an->n_lost : 1,
				 sizeof(*rep->damage));
	rep->status = 0;
	for (i = 0; i < an->n_lost; i++) {
		const struct swt_lost_range *l = &an->lost[i];
		struct swt_damage_info *o = &rep->damage[i];

		o->status = l->status;
		o->offset = l->offset;
		o->length = l->length;
		o->lost = l->loss != SWT_LOSS_NONE;
		o->from_known = l->from_known;
		o->from_ns = l->from_ns;
		o->to_end = l->to_end;
		o->to_ns = l->to_ns;
		o->what = l->what;
		if (l->status == SWT_ECORRUPT)
			rep->status = SWT_ECORRUPT;
	}
	if (rep->status == 0 && swt_analysis_incomplete(an))
		rep->status = SWT_ETRUNCATED;
	swt_report_warnings(&msg, name, &rep->in);
	if (msg.len && msg.ptr[msg.len - 1] == '\n')
		msg.ptr[--msg.len] = '\0';
	rep->errmsg = swt_strdup(msg.len ? msg.ptr : "");
	swt_buf_fini(&msg);
}

static int open_reader(struct swt_report **out, struct swt_reader *r,
		       const char *name, const struct swt_settings *settings,
		       char *errbuf, size_t errlen)
{
	struct swt_report *rep = swt_zalloc(sizeof(*rep));
	struct swt_engine_opts eopts;
	char msg[512] = "";
	int err;

	memset(&eopts, 0, sizeof(eopts));
	eopts.thresholds = settings ? &settings->th : NULL;
	if (settings && settings->threads != 1) {
		long n = settings->threads;

		if (!n)
			n = sysconf(_SC_NPROCESSORS_ONLN);
		if (n > (long)SWT_READER_MAX_THREADS)
			n = SWT_READER_MAX_THREADS;
		/* no thread started: decoded on this one, the same */
		if (n > 1)
			swt_reader_set_threads(r, (unsigned)n);
	}
	err = swt_analysis_run(&rep->an, r, &eopts, msg, sizeof(msg));
	if (err < 0) {
		fail_msg(errbuf, errlen, name, err, msg);
		goto out;
	}
	rep->in.result = rep->an->result;
	rep->in.n_lost = rep->an->n_lost;
	rep->in.lost = rep->an->lost;
	rep->in.truncated = rep->an->truncated;
	fill_session(rep);
	fill_modules(rep);
	fill_findings(rep);
	fill_more(rep);
	fill_damage(rep, name);
	fill_usage(rep);
	copy_msg(errbuf, errlen, rep->errmsg);
	err = rep->status;
	*out = rep;
	rep = NULL;
out:
	swt_report_free(rep);
	return err;
}

EXPORT int swt_report_open(struct swt_report **out, const char *path,
			   const struct swt_settings *settings, char *errbuf,
			   size_t errlen)
{
	struct swt_reader *r = NULL;
	char msg[512] = "";
	int err;

	copy_msg(errbuf, errlen, "");
	if (!out)
		return SWT_EINVAL;
	*out = NULL;
	if (!path) {
		copy_msg(errbuf, errlen, "no file name (NULL)");
		return SWT_EINVAL;
	}
	err = swt_reader_open(&r, path, 0, msg, sizeof(msg));
	if (err < 0) {
		fail_msg(errbuf, errlen, path, err, msg);
		goto out;
	}
	err = open_reader(out, r, path, settings, errbuf, errlen);
out:
	swt_reader_free(r);
	return err;
}

EXPORT int swt_report_open_mem(struct swt_report **out, const void *data,
			       size_t len, const char *name,
			       const struct swt_settings *settings,
			       char *errbuf, size_t errlen)
{
	struct swt_reader *r = NULL;
	char msg[512] = "";
	int err;

	copy_msg(errbuf, errlen, "");
	if (!out)
		return SWT_EINVAL;
	*out = NULL;
	if (!data && len) {
		copy_msg(errbuf, errlen, "no data (NULL)");
		return SWT_EINVAL;
	}
	if (!name)
		name = "(memory)";
	err = swt_reader_open_mem(&r, data ? data : "", len, name, 0, msg,
				  sizeof(msg));
	if (err < 0) {
		fail_msg(errbuf, errlen, name, err, msg);
		goto out;
	}
	err = open_reader(out, r, name, settings, errbuf, errlen);
out:
	swt_reader_free(r);
	return err;
}

EXPORT void swt_report_free(struct swt_report *r)
{
	if (!r)
		return;
	free(r->modules);
	free(r->alerts);
	free(r->spikes);
	free(r->leaks);
	free(r->recs);
	free(r->damage);
	free(r->counters);
	free(r->forecasts);
	free(r->bottlenecks);
	free(r->thresholds);
	free(r->rates);
	free(r->variants);
	free(r->variant_at);
	free(r->usage);
	free(r->errmsg);
	swt_analysis_free(r->an);
	free(r);
}

EXPORT int swt_report_status(const struct swt_report *r)
{
	return r ? r->status : SWT_EINVAL;
}

EXPORT const char *swt_report_errmsg(const struct swt_report *r)
{
	return r && r->errmsg ? r->errmsg : "";
}

EXPORT int swt_report_print(char *buf, size_t size, size_t *len,
			    const struct swt_report *r, const char *kind,
			    const char *format)
{
	struct swt_buf b = SWT_BUF_INIT;
	enum swt_report_kind k;
	enum swt_report_format f;
	int err = 0;

	if (len)
		*len = 0;
	if (buf && size)
		buf[0] = '\0';
	if (!r || !kind || !format || (!buf && size) ||
	    swt_report_kind_parse(&k, kind) < 0 ||
	    swt_report_format_parse(&f, format) < 0)
		return SWT_EINVAL;
	swt_report_write(&b, &r->in, k, f);
	if (len)
		*len = b.len;
	if (size) {
		size_t n = b.len < size ? b.len : size - 1;

		if (n)
			memcpy(buf, b.ptr, n);
		buf[n] = '\0';
	}
	if (b.len >= size)
		err = SWT_ELIMIT;
	swt_buf_fini(&b);
	return err;
}

EXPORT int swt_report_max_priority(const struct swt_report *r)
{
	return r ? swt_result_max_priority(r->an->result) : -1;
}

EXPORT const struct swt_session_info *
swt_report_get_session(const struct swt_report *r)
{
	return r ? &r->session : NULL;
}

EXPORT const struct swt_variant_info *
swt_report_get_module_variant(const struct swt_report *r, size_t i,
			      size_t k)
{
	if (!r || i >= r->n_modules || k >= r->modules[i].n_top_variants)
		return NULL;
	return &r->variants[r->variant_at[i] + k];
}

EXPORT size_t swt_report_usage_count(const struct swt_report *r)
{
	return r ? r->n_usage : 0;
}

EXPORT const struct swt_usage_info *
swt_report_get_usage(const struct swt_report *r, size_t k)
{
	return r && k < r->n_usage ? &r->usage[k] : NULL;
}

EXPORT const struct swt_usage_info *
swt_report_get_module_usage(const struct swt_report *r, size_t i, size_t k)
{
	if (!r || i >= r->n_modules || k >= r->n_usage)
		return NULL;
	return &r->usage[(i + 1) * r->n_usage + k];
}

EXPORT const struct swt_trend_info *
swt_report_get_trend(const struct swt_report *r)
{
	return r ? &r->trend : NULL;
}

/* count and get of one list of the report */
#define LIST_ACCESSORS(what, type, n_field, arr_field)                    \
	EXPORT size_t swt_report_##what##_count(const struct swt_report *r) \
	{                                                                  \
		return r ? r->n_field : 0;                                 \
	}                                                                  \
	EXPORT const struct type *swt_report_get_##what(                   \
		const struct swt_report *r, size_t i)                      \
	{                                                                  \
		return r && i < r->n_field ? &r->arr_field[i] : NULL;      \
	}

LIST_ACCESSORS(module, swt_module_info, n_modules, modules)
LIST_ACCESSORS(alert, swt_alert_info, n_alerts, alerts)
LIST_ACCESSORS(spike, swt_spike_info, n_spikes, spikes)
LIST_ACCESSORS(leak, swt_leak_info, n_leaks, leaks)
LIST_ACCESSORS(recommendation, swt_recommendation_info, n_recs, recs)
LIST_ACCESSORS(damage, swt_damage_info, n_damage, damage)
LIST_ACCESSORS(counter, swt_counter_info, n_counters, counters)
LIST_ACCESSORS(forecast, swt_forecast_info, n_forecasts, forecasts)
LIST_ACCESSORS(bottleneck, swt_bottleneck_info, n_bottlenecks, bottlenecks)
LIST_ACCESSORS(threshold, swt_threshold_info, n_thresholds, thresholds)
LIST_ACCESSORS(rate_threshold, swt_rate_threshold_info, n_rates, rates)
