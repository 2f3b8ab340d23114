/* swt_report.c — the reports of swanalyze (see swt_report.h): each section
 * is built once, from the result, into the report model (swt_model.h), and
 * every format is a renderer of that model (swt_render.h).
 *
 * Adding a column: one line in the section's column table below and one
 * swt_model_cell_*() call at the same position in its builder. Adding a
 * section: a definition (key, title, kind, columns), a builder, and one
 * call in swt_report_model_build() where it belongs in the order. */
#include "swt_report.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "swt_alloc.h"
#include "swt_checked.h"
#include "swt_render.h"
#include "swt_status.h"

/* Lightweight reports list the heaviest active modules only. */
#define LIGHT_MODULES_MAX 10

const char *swt_report_kind_name(enum swt_report_kind k)
{
	switch (k) {
	case SWT_REPORT_LIGHTWEIGHT:
		return "lightweight";
	case SWT_REPORT_FULL:
		return "full";
	case SWT_REPORT_WEIGHT:
		return "weight-analysis";
	}
	return "?";
}

int swt_report_kind_parse(enum swt_report_kind *out, const char *s)
{
	int k;

	for (k = SWT_REPORT_LIGHTWEIGHT; k <= SWT_REPORT_WEIGHT; k++) {
		if (strcmp(s, swt_report_kind_name((enum swt_report_kind)k)) ==
		    0) {
			*out = (enum swt_report_kind)k;
			return 0;
		}
	}
	return SWT_EINVAL;
}

const char *swt_report_format_name(enum swt_report_format f)
{
	switch (f) {
	case SWT_FORMAT_TEXT:
		return "text";
	case SWT_FORMAT_JSON:
		return "json";
	case SWT_FORMAT_CSV:
		return "csv";
	case SWT_FORMAT_MARKDOWN:
		return "markdown";
	case SWT_FORMAT_HTML:
		return "html";
	}
	return "?";
}

int swt_report_format_parse(enum swt_report_format *out, const char *s)
{
	int f;

	for (f = SWT_FORMAT_TEXT; f <= SWT_FORMAT_HTML; f++) {
		if (strcmp(s, swt_report_format_name(
				      (enum swt_report_format)f)) == 0) {
			*out = (enum swt_report_format)f;
			return 0;
		}
	}
	return SWT_EINVAL;
}

static const char *loss_name(enum swt_loss l)
{
	switch (l) {
	case SWT_LOSS_NONE:
		return "none";
	case SWT_LOSS_RANGE:
		return "range";
	case SWT_LOSS_TAIL:
		return "tail";
	}
	return "?";
}

static const char *damage_status_name(int status)
{
	return status == SWT_ETRUNCATED ? "truncated" : "corrupt";
}

/* Modules that did anything: CPU, memory, calls, disk I/O or network. */
static bool module_active(const struct swt_module_result *m)
{
	return m->cpu_avg_mpct > 0 || m->cpu_peak_mpct > 0 || m->calls > 0 ||
	       (m->has_memory && m->mem_peak_mmb > 0) ||
	       m->io_read_mmb > 0 || m->io_write_mmb > 0 ||
	       m->net_sent_mmb > 0 || m->net_recv_mmb > 0;
}

static size_t count_active(const struct swt_result *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->n_modules; i++)
		n += module_active(&r->modules[i]);
	return n;
}

/* ---- cells of the usual units ---------------------------------------------- */

/* thousandths with one decimal: percents, MB, rates, confidence */
static void c_one(struct swt_model_section *s, int64_t milli)
{
	swt_model_cell_fixed(s, milli, 3, 1);
}

/* A subject's name, kind and process: the first columns of most tables. */
static void c_subject(struct swt_model_section *s,
		      const struct swt_subject *subj)
{
	swt_model_cell_str(s, subj->name);
	swt_model_cell_enum(s, swt_kind_name(subj->kind));
	swt_model_cell_str(s, subj->process);
}

/* thousandths with three decimals: scores, weights, z */
static void c_milli(struct swt_model_section *s, int64_t milli)
{
	swt_model_cell_fixed(s, milli, 3, 3);
}

/* nanoseconds as seconds with three decimals */
static void c_secs(struct swt_model_section *s, int64_t ns)
{
	swt_model_cell_fixed(s, ns, 9, 3);
}

/* A thousandths value with as many decimals as it needs (at least one):
 * thresholds are shown as they were given. */
static void c_trim(struct swt_model_section *s, int64_t milli)
{
	unsigned dec = 3;
	int64_t v = milli;

	while (dec > 1 && v % 10 == 0) {
		v /= 10;
		dec--;
	}
	swt_model_cell_fixed(s, milli, 3, dec);
}

static void c_opt_one(struct swt_model_section *s, bool has, int64_t milli)
{
	if (has)
		c_one(s, milli);
	else
		swt_model_cell_null(s);
}

/* Column shorthands: key, heading, unit. */
#define COL_STR(k, h) { k, h, NULL, SWT_CELL_STR, 0 }
#define COL_ENUM(k, h) { k, h, NULL, SWT_CELL_ENUM, 0 }
#define COL_INT(k, h) { k, h, NULL, SWT_CELL_INT, 0 }
#define COL_FIXED(k, h, u) { k, h, u, SWT_CELL_FIXED, 0 }
#define COL_BOOL(k, h) { k, h, NULL, SWT_CELL_BOOL, 0 }
#define COL_LIST(k, h) { k, h, NULL, SWT_CELL_LIST, 0 }
/* command lines: cut in text */
#define COL_COMMAND { "command", "command", NULL, SWT_CELL_STR, SWT_COL_CUT }
#define N_COLS(a) (sizeof(a) / sizeof((a)[0]))
#define DEF(key, title, kind, flags, cols) \
	{ key, title, kind, flags, N_COLS(cols), cols }

/* A plain key/value section: key and value. */
static const struct swt_model_col kv_cols[] = {
	SWT_MODEL_KV_KEY_COL,
	{ "value", "value", NULL, SWT_CELL_ANY, 0 },
};

/* ---- sections ------------------------------------------------------------- */

static void sec_session(struct swt_model *m, const struct swt_report_input *in)
{
	static const struct swt_model_def def =
		DEF("session", "Session", SWT_SECTION_KV, 0, kv_cols);
	const struct swt_session_result *ss = &in->result->session;
	struct swt_model_section *s = swt_model_add_section(m, &def);

	swt_model_add_row(s, "command");
	swt_model_cell_list(s, ss->n_command, ss->command, " ");
	swt_model_add_row(s, "recorder");
	swt_model_cell_str(s, ss->recorder);
	swt_model_add_row(s, "duration_s");
	c_secs(s, ss->duration_ns);
	swt_model_add_row(s, "interval_s");
	c_secs(s, ss->interval_ns);
	swt_model_add_row(s, "samples");
	swt_model_cell_int(s, (int64_t)ss->samples);
	swt_model_add_row(s, "processes");
	swt_model_cell_int(s, (int64_t)ss->processes);
	swt_model_add_row(s, "process_samples");
	swt_model_cell_int(s, (int64_t)ss->proc_samples);
	swt_model_add_row(s, "cpu_s");
	swt_model_cell_fixed(s, ss->cpu_ms, 3, 3);
	swt_model_add_row(s, "reaped_cpu_s");
	swt_model_cell_fixed(s, ss->reaped_ms, 3, 3);
	swt_model_add_row(s, "io_read_mb");
	c_opt_one(s, ss->has_io, ss->io_read_mmb);
	swt_model_add_row(s, "io_write_mb");
	c_opt_one(s, ss->has_io, ss->io_write_mmb);
	swt_model_add_row(s, "io_unavailable");
	swt_model_cell_int(s, (int64_t)ss->io_unavailable);
	swt_model_add_row(s, "net_sent_mb");
	c_opt_one(s, ss->has_net, ss->net_sent_mmb);
	swt_model_add_row(s, "net_received_mb");
	c_opt_one(s, ss->has_net, ss->net_recv_mmb);
	swt_model_add_row(s, "net_unavailable");
	swt_model_cell_int(s, (int64_t)ss->net_unavailable);
	swt_model_add_row(s, "exit_records");
	swt_model_cell_bool(s, ss->exit_records);
	swt_model_add_row(s, "exit_records_lost");
	swt_model_cell_int(s, (int64_t)ss->exit_records_lost);
	swt_model_add_row(s, "events");
	swt_model_cell_int(s, (int64_t)ss->events);
	swt_model_add_row(s, "dropped_events");
	swt_model_cell_int(s, (int64_t)ss->dropped_events);
	swt_model_add_row(s, "span_anomalies");
	swt_model_cell_int(s, (int64_t)ss->span_anomalies);
	swt_model_add_row(s, "clock_ticks");
	swt_model_cell_int(s, ss->clock_ticks);
	swt_model_add_row(s, "cpu_count");
	swt_model_cell_int(s, ss->cpu_count);
	swt_model_add_row(s, "complete");
	swt_model_cell_bool(s, in->n_lost == 0 && !in->truncated);
	swt_model_add_row(s, "missed_samples");
	swt_model_cell_int(s, (int64_t)ss->missed_samples);
	/* (null: the whole session) */
	swt_model_add_row(s, "window_from_s");
	if (in->has_window && in->window_from_ns != INT64_MIN)
		swt_model_cell_fixed(s, in->window_from_ns, 9, 3);
	else
		swt_model_cell_null(s);
	swt_model_add_row(s, "window_to_s");
	if (in->has_window && in->window_to_ns != INT64_MAX)
		swt_model_cell_fixed(s, in->window_to_ns, 9, 3);
	else
		swt_model_cell_null(s);
}

static void sec_damage(struct swt_model *m, const struct swt_report_input *in)
{
	static const struct swt_model_col cols[] = {
		COL_ENUM("loss", "loss"),
		COL_FIXED("from_s", "from s", "s"),
		COL_FIXED("to_s", "to s", "s"),
		COL_INT("offset", "offset"),
		COL_INT("length", "bytes"),
		COL_ENUM("status", "status"),
		COL_STR("what", "what"),
	};
	static const struct swt_model_def def =
		DEF("damage", "Lost data", SWT_SECTION_TABLE,
		    SWT_SECTION_HIDE_EMPTY, cols);
	struct swt_model_section *s = swt_model_add_section(m, &def);
	size_t i;

	for (i = 0; i < in->n_lost; i++) {
		const struct swt_lost_range *l = &in->lost[i];

		swt_model_add_row(s, NULL);
		swt_model_cell_enum(s, loss_name(l->loss));
		if (l->loss != SWT_LOSS_NONE && l->from_known)
			c_secs(s, l->from_ns);
		else
			swt_model_cell_null(s);
		if (l->loss == SWT_LOSS_RANGE)
			c_secs(s, l->to_ns);
		else
			swt_model_cell_null(s);
		swt_model_cell_int(s, (int64_t)l->offset);
		swt_model_cell_int(s, (int64_t)l->length);
		swt_model_cell_enum(s, damage_status_name(l->status));
		swt_model_cell_str(s, l->what);
	}
}

static void sec_thresholds(struct swt_model *m, const struct swt_thresholds *th)
{
	static const struct swt_model_col cols[] = {
		SWT_MODEL_KV_KEY_COL,
		{ "value", "value", NULL, SWT_CELL_ANY, SWT_COL_NUMERIC },
		{ "sources", "source", NULL, SWT_CELL_ENUM,
		  SWT_COL_JSON_BY_KEY },
	};
	static const struct swt_model_col rate_cols[] = {
		COL_STR("counter", "counter"),
		COL_FIXED("per_minute", "per min", "per_minute"),
		COL_ENUM("source", "source"),
	};
	static const struct swt_model_def def =
		DEF("thresholds", "Thresholds", SWT_SECTION_KV, 0, cols);
	static const struct swt_model_def rates =
		DEF("rates", "Rate thresholds", SWT_SECTION_TABLE, 0,
		    rate_cols);
	struct swt_model_section *s = swt_model_add_section(m, &def);
	struct swt_model_section *r;
	size_t i;

	for (i = 0; i < SWT_TH_N_ANALYSIS; i++) {
		enum swt_th_key k = (enum swt_th_key)i;

		swt_model_add_row(s, swt_th_key_name(k));
		if (swt_th_key_is_count(k))
			swt_model_cell_int(s, th->v[i]);
		else
			c_trim(s, th->v[i]);
		swt_model_cell_enum(s, swt_th_source_name(th->src[i]));
	}
	/* a 0 that turns a check off must not read as a limit of 0 */
	if (th->v[SWT_TH_NET_MB_PER_S] == 0 &&
	    th->v[SWT_TH_FORECAST_MINUTES] == 0)
		swt_model_note(s, "net_mb_per_s 0 and forecast_minutes 0: off "
			       "(no network alerts or spikes, no forecast "
			       "alerts)");
	else if (th->v[SWT_TH_NET_MB_PER_S] == 0)
		swt_model_note(s, "net_mb_per_s 0: off (no network alerts or "
			       "spikes; set it to check the network)");
	else if (th->v[SWT_TH_FORECAST_MINUTES] == 0)
		swt_model_note(s, "forecast_minutes 0: off (no forecast "
			       "alerts)");
	swt_model_add_row(s, "heavy_patterns");
	/* char ** to const char *const *: only adds qualifiers */
	swt_model_cell_list(s, th->n_heavy, (const char *const *)th->heavy,
			    ",");
	swt_model_cell_enum(s, swt_th_source_name(th->heavy_src));
	swt_model_add_row(s, "group_by");
	swt_model_cell_enum(s, swt_group_by_name(th->group_by));
	swt_model_cell_enum(s, swt_th_source_name(th->group_by_src));
	swt_model_add_row(s, "group_patterns");
	{
		/* made for the report: the model keeps (and frees) them */
		char **rules = swt_model_keep(
			m, swt_calloc(th->n_groups ? th->n_groups : 1,
				      sizeof(*rules)));

		for (i = 0; i < th->n_groups; i++) {
			struct swt_buf b = SWT_BUF_INIT;

			swt_buf_printf(&b, "%s:%s", th->groups[i].name,
				       th->groups[i].pattern);
			rules[i] = swt_model_keep(m, b.ptr);
		}
		swt_model_cell_list(s, th->n_groups,
				    (const char *const *)rules, ",");
	}
	swt_model_cell_enum(s, swt_th_source_name(th->groups_src));
	r = swt_model_add_child(s, &rates);
	for (i = 0; i < th->n_rates; i++) {
		swt_model_add_row(r, NULL);
		swt_model_cell_str(r, th->rates[i].counter);
		c_trim(r, th->rates[i].per_minute_milli);
		swt_model_cell_enum(r, swt_th_source_name(th->rates[i].source));
	}
}

/* In JSON two objects, "cpu_percent" and "memory_mb", named by the
 * resource and unit the tables show in columns of their own. */
static void sec_resources(struct swt_model *m, const struct swt_result *r)
{
	static const struct swt_model_col cols[] = {
		{ "resource", "resource", NULL, SWT_CELL_ENUM,
		  SWT_COL_TABLES_ONLY },
		{ "unit", "unit", NULL, SWT_CELL_ENUM, SWT_COL_TABLES_ONLY },
		COL_FIXED("avg", "avg", NULL),
		COL_FIXED("peak", "peak", NULL),
		COL_FIXED("end", "end", NULL),
	};
	static const struct swt_model_def def =
		DEF("resources", "Resources", SWT_SECTION_TABLE,
		    SWT_SECTION_JSON_INLINE | SWT_SECTION_JSON_NAMED_ROWS,
		    cols);
	const struct swt_session_result *ss = &r->session;
	struct swt_model_section *s = swt_model_add_section(m, &def);

	swt_model_add_row(s, "cpu_percent");
	swt_model_cell_enum(s, "cpu");
	swt_model_cell_enum(s, "percent");
	c_one(s, ss->cpu_avg_mpct);
	c_one(s, ss->cpu_peak_mpct);
	c_one(s, ss->cpu_end_mpct);
	swt_model_add_row(s, "memory_mb");
	swt_model_cell_enum(s, "memory");
	swt_model_cell_enum(s, "MB");
	c_one(s, ss->mem_avg_mmb);
	c_one(s, ss->mem_peak_mmb);
	c_one(s, ss->mem_end_mmb);
	swt_model_add_row(s, "io_mb_per_s");
	swt_model_cell_enum(s, "io");
	swt_model_cell_enum(s, "MB/s");
	c_opt_one(s, ss->has_io, ss->io_avg_mmbps);
	c_opt_one(s, ss->has_io, ss->io_peak_mmbps);
	c_opt_one(s, ss->has_io, ss->io_end_mmbps);
	swt_model_add_row(s, "net_mb_per_s");
	swt_model_cell_enum(s, "net");
	swt_model_cell_enum(s, "MB/s");
	c_opt_one(s, ss->has_net, ss->net_avg_mmbps);
	c_opt_one(s, ss->has_net, ss->net_peak_mmbps);
	c_opt_one(s, ss->has_net, ss->net_end_mmbps);
}

/* How contended the machine was while the session ran (format 1.4). */
static void sec_contention(struct swt_model *m, const struct swt_result *r)
{
	static const struct swt_model_col cols[] = {
		SWT_MODEL_KV_KEY_COL,
		{ "value", "%", "percent", SWT_CELL_FIXED, SWT_COL_NUMERIC },
	};
	static const struct swt_model_def def =
		DEF("contention", "Runner contention", SWT_SECTION_KV, 0,
		    cols);
	static const char *const keys[6] = {
		"cpu_some_percent",    "cpu_full_percent",
		"memory_some_percent", "memory_full_percent",
		"io_some_percent",     "io_full_percent",
	};
	const struct swt_session_result *ss = &r->session;
	struct swt_model_section *s = swt_model_add_section(m, &def);
	int k;

	for (k = 0; k < 6; k++) {
		swt_model_add_row(s, keys[k]);
		c_opt_one(s, ss->has_pressure, ss->pressure_mpct[k]);
	}
	swt_model_add_row(s, "steal_percent");
	c_opt_one(s, ss->has_steal, ss->steal_mpct);
	if (!ss->has_pressure)
		swt_model_note(s, "no pressure stall data: recorded before "
			       "format 1.4, or a kernel without PSI");
	else
		swt_model_note(s, "share of the session's time with some task "
			       "(full: every non-idle task) of the machine "
			       "stalled for CPU, memory or I/O; steal: CPU "
			       "time the hypervisor took");
}

static void sec_summary(struct swt_model *m, const struct swt_result *r,
			enum swt_report_kind kind)
{
	static const struct swt_model_def def =
		DEF("summary", "Summary", SWT_SECTION_KV, 0, kv_cols);
	struct swt_model_section *s = swt_model_add_section(m, &def);

	if (kind != SWT_REPORT_LIGHTWEIGHT) {
		swt_model_add_row(s, "total_weight");
		c_milli(s, r->total_weight);
	}
	swt_model_add_row(s, "modules");
	swt_model_cell_int(s, (int64_t)r->n_modules);
	swt_model_add_row(s, "active_modules");
	swt_model_cell_int(s, (int64_t)count_active(r));
	if (kind != SWT_REPORT_WEIGHT) {
		swt_model_add_row(s, "alerts");
		swt_model_cell_int(s, (int64_t)r->alerts_total);
	}
	if (kind == SWT_REPORT_FULL) {
		swt_model_add_row(s, "spikes");
		swt_model_cell_int(s, (int64_t)r->spikes_total);
		swt_model_add_row(s, "leaks");
		swt_model_cell_int(s, (int64_t)r->n_leaks);
		swt_model_add_row(s, "bottlenecks");
		swt_model_cell_int(s, (int64_t)r->n_bottlenecks);
		swt_model_add_row(s, "recommendations");
		swt_model_cell_int(s, (int64_t)r->n_recommendations);
	}
}

static void sec_active(struct swt_model *m, const struct swt_result *r)
{
	static const struct swt_model_col cols[] = {
		COL_STR("name", "name"),
		COL_ENUM("kind", "kind"),
		COL_STR("process", "process"),
		COL_FIXED("cpu_percent_avg", "cpu % avg", "percent"),
		COL_FIXED("memory_mb_avg", "mem MB avg", "MB"),
		COL_FIXED("weight", "weight", NULL),
		COL_ENUM("priority", "priority"),
		COL_COMMAND,
	};
	static const struct swt_model_def def =
		DEF("active_modules", "Active modules", SWT_SECTION_TABLE, 0,
		    cols);
	struct swt_model_section *s = swt_model_add_section(m, &def);
	size_t i, n = 0, active = count_active(r);

	for (i = 0; i < r->n_modules && n < LIGHT_MODULES_MAX; i++) {
		const struct swt_module_result *mr = &r->modules[i];

		if (!module_active(mr))
			continue;
		n++;
		swt_model_add_row(s, NULL);
		c_subject(s, &mr->subj);
		c_one(s, mr->cpu_avg_mpct);
		c_opt_one(s, mr->has_memory, mr->mem_avg_mmb);
		c_milli(s, mr->weight);
		swt_model_cell_enum(s, swt_priority_name(mr->priority));
		swt_model_cell_str(s, mr->subj.command);
	}
	if (active > n)
		swt_model_note(s, "%zu more active modules in the full report",
			       active - n);
}

/* The tree, and process modules (three at most, in the table's order),
 * whose processes' summed RSS went above the machine's memory in use (a
 * test suite's forks of one binary summed 7 139 MB on a machine with
 * 756 MB in use). */
#define MEM_OVER_NOTES 3

static void note_mem_over_one(struct swt_model_section *s, const char *name,
			      const int64_t v[3])
{
	struct swt_buf a = SWT_BUF_INIT, b = SWT_BUF_INIT;
	struct swt_buf t = SWT_BUF_INIT;

	swt_buf_fixed(&a, v[0], 3, 1);
	swt_buf_fixed(&b, v[1], 3, 1);
	swt_buf_fixed(&t, v[2], 9, 3);
	swt_model_note(s, "%s: its processes' RSS summed to %s MB at %s s, "
		       "above the %s MB the machine had in use (MemTotal - "
		       "MemAvailable): pages they share after fork, or map "
		       "from files, count in each one's RSS, so its memory "
		       "figures overstate what it holds",
		       name, a.ptr, t.ptr, b.ptr);
	swt_buf_fini(&a);
	swt_buf_fini(&b);
	swt_buf_fini(&t);
}

static void note_mem_over(struct swt_model_section *s,
			  const struct swt_result *r)
{
	size_t i, n = 0;

	if (r->session.has_mem_over) {
		const int64_t v[3] = { r->session.mem_over_mmb,
				       r->session.mem_over_in_use_mmb,
				       r->session.mem_over_at_ns };

		note_mem_over_one(s, "the recorded tree", v);
	}
	for (i = 0; i < r->n_modules; i++) {
		const struct swt_module_result *mr = &r->modules[i];
		int64_t v[3];

		if (!mr->has_mem_over || n++ >= MEM_OVER_NOTES)
			continue;
		v[0] = mr->mem_over_mmb;
		v[1] = mr->mem_over_in_use_mmb;
		v[2] = mr->mem_over_at_ns;
		note_mem_over_one(s, mr->subj.name, v);
	}
	if (n > MEM_OVER_NOTES)
		swt_model_note(s, "%zu more process modules' summed RSS went "
			       "above the memory in use",
			       n - MEM_OVER_NOTES);
}

static void sec_modules(struct swt_model *m, const struct swt_result *r)
{
	static const struct swt_model_col cols[] = {
		COL_STR("name", "name"),
		COL_ENUM("kind", "kind"),
		COL_STR("process", "process"),
		COL_INT("instances", "n"),
		COL_FIXED("cpu_percent_avg", "cpu % avg", "percent"),
		COL_FIXED("cpu_percent_peak", "cpu % peak", "percent"),
		COL_FIXED("cpu_s", "cpu s", "s"),
		COL_FIXED("cpu_share_percent", "cpu share %", "percent"),
		COL_FIXED("cpu_percent_session", "cpu % sess", "percent"),
		COL_FIXED("memory_mb_avg", "mem MB avg", "MB"),
		COL_FIXED("memory_mb_peak", "mem MB peak", "MB"),
		COL_FIXED("process_peak_mb", "proc peak MB", "MB"),
		COL_INT("calls", "calls"),
		COL_FIXED("calls_per_minute", "calls/min", "per_minute"),
		COL_INT("starts", "starts"),
		COL_FIXED("starts_per_minute", "starts/min", "per_minute"),
		COL_FIXED("cpu_score", "cpu score", NULL),
		COL_FIXED("memory_score", "mem score", NULL),
		COL_FIXED("frequency_score", "freq score", NULL),
		COL_FIXED("weight", "weight", NULL),
		COL_ENUM("priority", "priority"),
		COL_BOOL("in_total", "in total"),
		COL_ENUM("cpu_source", "cpu from"),
		COL_FIXED("cpu_confidence", "cpu conf %", "percent"),
		COL_ENUM("memory_attribution", "mem from"),
		COL_FIXED("memory_confidence", "mem conf %", "percent"),
		COL_INT("command_lines", "cmd lines"),
		COL_COMMAND,
	};
	static const struct swt_model_def def =
		DEF("modules", "Modules", SWT_SECTION_TABLE, 0, cols);
	struct swt_model_section *s = swt_model_add_section(m, &def);
	size_t i;

	for (i = 0; i < r->n_modules; i++) {
		const struct swt_module_result *mr = &r->modules[i];
		bool module = mr->subj.kind == SWT_KIND_MODULE;

		swt_model_add_row(s, NULL);
		c_subject(s, &mr->subj);
		swt_model_cell_int(s, (int64_t)mr->instances);
		c_one(s, mr->cpu_avg_mpct);
		c_one(s, mr->cpu_peak_mpct);
		swt_model_cell_fixed(s, mr->cpu_ms, 3, 3);
		c_one(s, mr->cpu_share_mpct);
		c_one(s, mr->cpu_session_mpct);
		c_opt_one(s, mr->has_memory, mr->mem_avg_mmb);
		c_opt_one(s, mr->has_memory, mr->mem_peak_mmb);
		c_opt_one(s, mr->has_proc_peak, mr->proc_peak_mmb);
		swt_model_cell_int(s, mr->calls);
		c_one(s, mr->calls_per_min_milli);
		if (mr->has_starts) {
			swt_model_cell_int(s, mr->starts);
			c_one(s, mr->starts_per_min_milli);
		} else {
			swt_model_cell_null(s);
			swt_model_cell_null(s);
		}
		c_milli(s, mr->cpu_score);
		c_milli(s, mr->mem_score);
		c_milli(s, mr->freq_score);
		c_milli(s, mr->weight);
		swt_model_cell_enum(s, swt_priority_name(mr->priority));
		swt_model_cell_bool(s, mr->in_total);
		swt_model_cell_enum(s, swt_cpu_source_name(mr->cpu_source));
		c_opt_one(s, module, mr->cpu_confidence_mpct);
		if (module)
			swt_model_cell_enum(s, swt_mem_attribution_name(
						       mr->mem_attribution));
		else
			swt_model_cell_null(s);
		c_opt_one(s, module && mr->mem_attribution >= SWT_MEM_NO_GROWTH,
			  mr->mem_confidence_mpct);
		if (mr->subj.kind == SWT_KIND_PROCESS && mr->n_variants)
			swt_model_cell_int(s, (int64_t)mr->n_variants);
		else
			swt_model_cell_null(s);
		swt_model_cell_str(s, mr->subj.command);
	}
	if (r->session.exits_dropped)
		swt_model_note(s, "%" PRIu64 " processes that lived between "
			       "two samples were not recorded one by one (a "
			       "fork storm, over the recorder's bound, "
			       "swrec --max-short-lived): their CPU is in "
			       "their parents' (reaped children)",
			       r->session.exits_dropped);
	if (r->session.duration_ns < SWT_ENGINE_RATE_MIN_WINDOW_NS) {
		size_t k;

		for (k = 0; k < r->n_modules; k++)
			if (r->modules[k].subj.kind == SWT_KIND_PROCESS &&
			    (r->modules[k].calls > 0 ||
			     r->modules[k].starts > 0))
				break;
		if (k < r->n_modules)
			swt_model_note(s, "starts/min and restarts/min "
				       "(process modules' calls/min) of a "
				       "session shorter than 10 s are over "
				       "10 s");
	}
	note_mem_over(s, r);
	if (r->session.reaped_ms > 0 && r->session.exit_records)
		swt_model_note(s, "(reaped children): CPU in the parents' "
			       "cutime and cstime that the exit records of "
			       "their children do not account (a record is "
			       "taken as the process exits, before it frees "
			       "its memory, which takes a large process "
			       "milliseconds)");
	else if (r->session.reaped_ms > 0)
		swt_model_note(s, "(reaped children): CPU of processes that "
			       "exited between two samples, or after their "
			       "last one, read from their parents' cutime "
			       "and cstime; which processes they were needs "
			       "the kernel's exit records (swrec as root)");
}

/* The two directions of a module's disk I/O or network, in MB. */
static int64_t mod_bytes(const struct swt_module_result *mr, bool net)
{
	return net ? swt_sat_add(mr->net_sent_mmb, mr->net_recv_mmb) :
		     swt_sat_add(mr->io_read_mmb, mr->io_write_mmb);
}

/* The process modules of the Disk I/O (Network) section: those that moved
 * 0.05 MB or more (what shows as 0.0 is left out) or whose counters could
 * not be read, most bytes first (the modules' order otherwise); *quiet
 * counts the others that were read. Returns their count; free *out. */
static size_t bytes_modules(const struct swt_result *r, bool net,
			    size_t **out, size_t *quiet)
{
	size_t i, n = 0, *ix;

	*quiet = 0;
	ix = swt_calloc(r->n_modules ? r->n_modules : 1, sizeof(*ix));
	for (i = 0; i < r->n_modules; i++) {
		const struct swt_module_result *mr = &r->modules[i];

		if (mr->subj.kind != SWT_KIND_PROCESS)
			continue;
		if (mod_bytes(mr, net) >= 50 ||
		    (net ? mr->net_unavailable : mr->io_unavailable) > 0)
			ix[n++] = i;
		else if (net ? mr->has_net : mr->has_io)
			(*quiet)++;
	}
	/* insertion sort, stable: most bytes first */
	for (i = 1; i < n; i++) {
		size_t j = i, v = ix[i];
		int64_t vb = mod_bytes(&r->modules[v], net);

		while (j > 0 && mod_bytes(&r->modules[ix[j - 1]], net) < vb) {
			ix[j] = ix[j - 1];
			j--;
		}
		ix[j] = v;
	}
	*out = ix;
	return n;
}

/* Disk I/O of the process modules (§ 2.5 of docs/analysis.md). */
static void sec_disk_io(struct swt_model *m, const struct swt_result *r)
{
	static const struct swt_model_col cols[] = {
		COL_STR("name", "name"),
		COL_STR("process", "process"),
		COL_INT("instances", "n"),
		COL_FIXED("read_mb", "read MB", "MB"),
		COL_FIXED("write_mb", "write MB", "MB"),
		COL_FIXED("mb_per_s_avg", "MB/s avg", "MB/s"),
		COL_FIXED("mb_per_s_peak", "MB/s peak", "MB/s"),
		COL_INT("unavailable", "unavailable"),
		COL_COMMAND,
	};
	static const struct swt_model_def def =
		DEF("disk_io", "Disk I/O", SWT_SECTION_TABLE,
		    SWT_SECTION_HIDE_EMPTY, cols);
	struct swt_model_section *s = swt_model_add_section(m, &def);
	size_t i, quiet, *ix, n = bytes_modules(r, false, &ix, &quiet);

	for (i = 0; i < n; i++) {
		const struct swt_module_result *mr = &r->modules[ix[i]];

		swt_model_add_row(s, NULL);
		swt_model_cell_str(s, mr->subj.name);
		swt_model_cell_str(s, mr->subj.process);
		swt_model_cell_int(s, (int64_t)mr->instances);
		c_opt_one(s, mr->has_io, mr->io_read_mmb);
		c_opt_one(s, mr->has_io, mr->io_write_mmb);
		c_opt_one(s, mr->has_io, mr->io_avg_mmbps);
		c_opt_one(s, mr->has_io, mr->io_peak_mmbps);
		swt_model_cell_int(s, (int64_t)mr->io_unavailable);
		swt_model_cell_str(s, mr->subj.command);
	}
	free(ix);
	if (r->session.io_unavailable)
		swt_model_note(s, "unavailable: processes of another user "
			       "whose I/O the kernel does not show to the "
			       "recorder (unknown, not 0)");
	if (n && quiet)
		swt_model_note(s, "%zu more process modules read and wrote "
			       "less than 0.05 MB on disk", quiet);
	if (n && !r->session.exit_records)
		swt_model_note(s, "without the kernel's exit records (swrec "
			       "as root), the I/O of children that exited "
			       "between two samples is counted in the parent "
			       "that reaped them");
}

/* TCP traffic and sockets of the process modules (§ 2.6). */
static void sec_network(struct swt_model *m, const struct swt_result *r)
{
	static const struct swt_model_col cols[] = {
		COL_STR("name", "name"),
		COL_STR("process", "process"),
		COL_INT("instances", "n"),
		COL_FIXED("sent_mb", "sent MB", "MB"),
		COL_FIXED("received_mb", "recv MB", "MB"),
		COL_FIXED("mb_per_s_avg", "MB/s avg", "MB/s"),
		COL_FIXED("mb_per_s_peak", "MB/s peak", "MB/s"),
		COL_INT("tcp_sockets", "tcp"),
		COL_INT("udp_sockets", "udp"),
		COL_INT("other_sockets", "other"),
		COL_INT("unavailable", "unavailable"),
		COL_COMMAND,
	};
	static const struct swt_model_def def =
		DEF("network", "Network", SWT_SECTION_TABLE,
		    SWT_SECTION_HIDE_EMPTY, cols);
	struct swt_model_section *s = swt_model_add_section(m, &def);
	size_t i, quiet, *ix, n = bytes_modules(r, true, &ix, &quiet);

	for (i = 0; i < n; i++) {
		const struct swt_module_result *mr = &r->modules[ix[i]];
		int k;

		swt_model_add_row(s, NULL);
		swt_model_cell_str(s, mr->subj.name);
		swt_model_cell_str(s, mr->subj.process);
		swt_model_cell_int(s, (int64_t)mr->instances);
		c_opt_one(s, mr->has_net, mr->net_sent_mmb);
		c_opt_one(s, mr->has_net, mr->net_recv_mmb);
		c_opt_one(s, mr->has_net, mr->net_avg_mmbps);
		c_opt_one(s, mr->has_net, mr->net_peak_mmbps);
		for (k = 0; k < 3; k++) {
			if (mr->has_net)
				swt_model_cell_int(s, mr->socks_peak[k]);
			else
				swt_model_cell_null(s);
		}
		swt_model_cell_int(s, (int64_t)mr->net_unavailable);
		swt_model_cell_str(s, mr->subj.command);
	}
	free(ix);
	if (n)
		swt_model_note(s, "tcp, udp, other: the most sockets of each "
			       "kind its processes held open at once (other: "
			       "unix, netlink, ...)");
	if (r->session.net_unavailable)
		swt_model_note(s, "unavailable: processes of another user "
			       "whose sockets the recorder could not list "
			       "(unknown, not 0)");
	if (n && quiet)
		swt_model_note(s, "%zu more process modules sent and "
			       "received less than 0.05 MB over TCP", quiet);
}

/* The machine's interfaces over the session: all their traffic, the
 * tree's and everyone else's. */
static void sec_interfaces(struct swt_model *m, const struct swt_result *r)
{
	static const struct swt_model_col cols[] = {
		COL_STR("name", "name"),
		COL_FIXED("received_mb", "recv MB", "MB"),
		COL_FIXED("sent_mb", "sent MB", "MB"),
		COL_FIXED("received_mb_per_s", "recv MB/s", "MB/s"),
		COL_FIXED("sent_mb_per_s", "sent MB/s", "MB/s"),
	};
	static const struct swt_model_def def =
		DEF("interfaces", "Network interfaces (the whole machine)",
		    SWT_SECTION_TABLE, SWT_SECTION_HIDE_EMPTY, cols);
	struct swt_model_section *s = swt_model_add_section(m, &def);
	size_t i, idle = 0;

	for (i = 0; i < r->n_netdevs; i++) {
		const struct swt_netdev_result *d = &r->netdevs[i];

		if (d->recv_mmb == 0 && d->sent_mmb == 0) {
			idle++;	/* (less than 0.0005 MB) */
			continue;
		}
		swt_model_add_row(s, NULL);
		swt_model_cell_str(s, d->name);
		c_one(s, d->recv_mmb);
		c_one(s, d->sent_mmb);
		c_one(s, d->recv_avg_mmbps);
		c_one(s, d->sent_avg_mmbps);
	}
	if (idle && idle < r->n_netdevs)
		swt_model_note(s, "%zu more interfaces moved nothing", idle);
}

/* The heaviest command lines of the process modules that ran several
 * (cc1 with one per source file), in module order. */
static void sec_command_lines(struct swt_model *m, const struct swt_result *r)
{
	static const struct swt_model_col cols[] = {
		COL_STR("name", "name"),
		COL_INT("rank", "#"),
		COL_INT("processes", "processes"),
		COL_FIXED("cpu_s", "cpu s", "s"),
		COL_COMMAND,
	};
	static const struct swt_model_def def =
		DEF("command_lines", "Command lines of grouped processes",
		    SWT_SECTION_TABLE, SWT_SECTION_HIDE_EMPTY, cols);
	struct swt_model_section *s = swt_model_add_section(m, &def);
	size_t i, k;

	for (i = 0; i < r->n_modules; i++) {
		const struct swt_module_result *mr = &r->modules[i];

		if (mr->subj.kind != SWT_KIND_PROCESS || mr->n_variants < 2)
			continue;
		for (k = 0; k < mr->n_top_variants; k++) {
			const struct swt_variant *v = &mr->top_variants[k];

			swt_model_add_row(s, NULL);
			swt_model_cell_str(s, mr->subj.name);
			swt_model_cell_int(s, (int64_t)k + 1);
			swt_model_cell_int(s, (int64_t)v->processes);
			swt_model_cell_fixed(s, v->cpu_ms, 3, 3);
			swt_model_cell_str(s, v->command);
		}
	}
}

static void sec_counters(struct swt_model *m, const struct swt_result *r)
{
	static const struct swt_model_col cols[] = {
		COL_STR("name", "name"),
		COL_INT("count", "count"),
		COL_FIXED("per_minute", "per min", "per_minute"),
		COL_FIXED("threshold_per_minute", "limit per min",
			  "per_minute"),
		COL_BOOL("exceeded", "exceeded"),
		COL_INT("alerts", "alerts"),
		COL_STR("note", "note"),
	};
	static const struct swt_model_def def =
		DEF("counters", "Counters", SWT_SECTION_TABLE, 0, cols);
	struct swt_model_section *s = swt_model_add_section(m, &def);
	size_t i;

	for (i = 0; i < r->n_counters; i++) {
		const struct swt_counter_result *c = &r->counters[i];

		swt_model_add_row(s, NULL);
		swt_model_cell_str(s, c->name);
		swt_model_cell_int(s, c->count);
		c_one(s, c->per_min_milli);
		c_opt_one(s, c->has_threshold, c->threshold_milli);
		swt_model_cell_bool(s, c->exceeded);
		swt_model_cell_int(s, (int64_t)c->alerts);
		swt_model_cell_str(s, c->note ? c->note : "");
	}
}

static void sec_spikes(struct swt_model *m, const struct swt_result *r)
{
	static const struct swt_model_col cols[] = {
		COL_ENUM("resource", "resource"),
		COL_STR("subject", "subject"),
		COL_ENUM("kind", "kind"),
		COL_STR("process", "process"),
		COL_FIXED("start_s", "start s", "s"),
		COL_FIXED("duration_s", "duration s", "s"),
		COL_FIXED("peak_s", "peak at s", "s"),
		COL_FIXED("peak", "peak", NULL),
		COL_FIXED("baseline", "baseline", NULL),
		COL_FIXED("threshold", "threshold", NULL),
		COL_ENUM("unit", "unit"),
		COL_LIST("active_modules", "active"),
		COL_COMMAND,
	};
	static const struct swt_model_def def =
		DEF("spikes", "Spikes", SWT_SECTION_TABLE, 0, cols);
	struct swt_model_section *s = swt_model_add_section(m, &def);
	size_t i;

	for (i = 0; i < r->n_spikes; i++) {
		const struct swt_spike_result *sp = &r->spikes[i];

		swt_model_add_row(s, NULL);
		swt_model_cell_enum(s, swt_resource_name(sp->resource));
		c_subject(s, &sp->subj);
		c_secs(s, sp->start_ns);
		c_secs(s, sp->duration_ns);
		c_secs(s, sp->peak_t_ns);
		c_one(s, sp->peak);
		c_one(s, sp->baseline);
		c_one(s, sp->threshold);
		swt_model_cell_enum(s, swt_resource_unit(sp->resource));
		swt_model_cell_list(s, sp->n_active, sp->active, ",");
		swt_model_cell_str(s, sp->subj.command);
	}
	if (r->spikes_total > r->n_spikes)
		swt_model_note(s, "%llu more spikes not listed",
			       (unsigned long long)(r->spikes_total -
						    r->n_spikes));
}

static void sec_leaks(struct swt_model *m, const struct swt_result *r)
{
	static const struct swt_model_col cols[] = {
		COL_STR("subject", "subject"),
		COL_ENUM("kind", "kind"),
		COL_STR("process", "process"),
		COL_FIXED("slope_mb_per_min", "MB/min", "MB/min"),
		COL_FIXED("confidence", "confidence %", "percent"),
		COL_FIXED("z", "z", NULL),
		/* what the significance rests on: the trend test (z) or the
		 * attribution's (no z; § 2.3, § 8) */
		COL_ENUM("test", "test"),
		COL_FIXED("first_mb", "first MB", "MB"),
		COL_FIXED("last_mb", "last MB", "MB"),
		COL_INT("samples", "samples"),
		COL_STR("attributed_to", "attributed to"),
		COL_FIXED("significant_s", "significant from s", "s"),
		COL_COMMAND,
		/* the fitted line, for charts (null: none) */
		{ "fit_from_s", "fit from s", "s", SWT_CELL_FIXED,
		  SWT_COL_JSON_ONLY },
		{ "fit_to_s", "fit to s", "s", SWT_CELL_FIXED,
		  SWT_COL_JSON_ONLY },
		{ "fit_from_mb", "fitted MB then", "MB", SWT_CELL_FIXED,
		  SWT_COL_JSON_ONLY },
		{ "fit_to_mb", "fitted MB at the end", "MB", SWT_CELL_FIXED,
		  SWT_COL_JSON_ONLY },
	};
	static const struct swt_model_def def =
		DEF("leaks", "Memory leaks", SWT_SECTION_TABLE, 0, cols);
	struct swt_model_section *s = swt_model_add_section(m, &def);
	size_t i;

	for (i = 0; i < r->n_leaks; i++) {
		const struct swt_leak_result *l = &r->leaks[i];

		swt_model_add_row(s, NULL);
		c_subject(s, &l->subj);
		c_one(s, l->slope_mmb_per_min);
		c_one(s, l->confidence_mpct);
		if (l->attributed) {
			swt_model_cell_null(s);
			swt_model_cell_enum(s, "attribution");
		} else {
			c_milli(s, l->z_milli);
			swt_model_cell_enum(s, "mann_kendall");
		}
		c_one(s, l->first_mmb);
		c_one(s, l->last_mmb);
		swt_model_cell_int(s, (int64_t)l->samples);
		swt_model_cell_str(s, l->attributed_to ? l->attributed_to : "");
		c_secs(s, l->significant_ns);
		swt_model_cell_str(s, l->subj.command);
		if (l->has_fit) {
			c_secs(s, l->fit_from_ns);
			c_secs(s, l->fit_to_ns);
			c_one(s, l->fit_from_mmb);
			c_one(s, l->fit_to_mmb);
		} else {
			swt_model_cell_null(s);
			swt_model_cell_null(s);
			swt_model_cell_null(s);
			swt_model_cell_null(s);
		}
	}
}

/* Minutes in thousandths, or null (no bound). */
static void c_minutes(struct swt_model_section *s, int64_t mmin)
{
	if (mmin < 0)
		swt_model_cell_null(s);
	else
		c_one(s, mmin);
}

static void sec_forecasts(struct swt_model *m, const struct swt_result *r)
{
	static const struct swt_model_col cols[] = {
		COL_STR("subject", "subject"),
		COL_ENUM("kind", "kind"),
		COL_STR("process", "process"),
		COL_FIXED("at_s", "at s", "s"),
		COL_FIXED("level_mb", "level MB", "MB"),
		COL_FIXED("threshold_mb", "threshold MB", "MB"),
		COL_FIXED("slope_mb_per_min", "MB/min", "MB/min"),
		COL_FIXED("slope_low_mb_per_min", "MB/min low", "MB/min"),
		COL_FIXED("slope_high_mb_per_min", "MB/min high", "MB/min"),
		COL_FIXED("minutes", "in min", "min"),
		COL_FIXED("minutes_low", "min low", "min"),
		COL_FIXED("minutes_high", "min high", "min"),
		COL_COMMAND,
	};
	static const struct swt_model_def def =
		DEF("forecasts", "Memory forecasts", SWT_SECTION_TABLE, 0,
		    cols);
	struct swt_model_section *s = swt_model_add_section(m, &def);
	size_t i;

	for (i = 0; i < r->n_forecasts; i++) {
		const struct swt_forecast_result *f = &r->forecasts[i];

		swt_model_add_row(s, NULL);
		c_subject(s, &f->subj);
		c_secs(s, f->at_ns);
		c_one(s, f->level_mmb);
		c_one(s, f->target_mmb);
		c_one(s, f->slope_mmb_per_min);
		c_one(s, f->slope_low_mmb_per_min);
		c_one(s, f->slope_high_mmb_per_min);
		c_minutes(s, f->eta_mmin);
		c_minutes(s, f->eta_low_mmin);
		c_minutes(s, f->eta_high_mmin);
		swt_model_cell_str(s, f->subj.command);
	}
}

static void sec_trend(struct swt_model *m, const struct swt_result *r)
{
	static const struct swt_model_def def =
		DEF("trend", "Resource trend", SWT_SECTION_KV, 0, kv_cols);
	const struct swt_trend_result *t = &r->trend;
	struct swt_model_section *s = swt_model_add_section(m, &def);

	swt_model_add_row(s, "overall");
	swt_model_cell_enum(s, swt_direction_name(t->overall));
	swt_model_add_row(s, "memory");
	swt_model_cell_enum(s, swt_direction_name(t->memory));
	swt_model_add_row(s, "memory_mb_per_min");
	c_one(s, t->memory_slope_mmb_per_min);
	swt_model_add_row(s, "cpu");
	swt_model_cell_enum(s, swt_direction_name(t->cpu));
	swt_model_add_row(s, "cpu_percent_per_min");
	c_one(s, t->cpu_slope_mpct_per_min);
}

static void sec_bottlenecks(struct swt_model *m, const struct swt_result *r)
{
	static const struct swt_model_col cols[] = {
		COL_STR("subject", "subject"),
		COL_ENUM("kind", "kind"),
		COL_STR("process", "process"),
		COL_ENUM("reason", "reason"),
		COL_FIXED("cpu_percent_avg", "cpu % avg", "percent"),
		COL_FIXED("cpu_percent_peak", "cpu % peak", "percent"),
		COL_FIXED("saturated_percent", "saturated %", "percent"),
		COL_FIXED("calls_per_minute", "calls/min", "per_minute"),
		COL_STR("pattern", "pattern"),
		COL_COMMAND,
	};
	static const struct swt_model_def def =
		DEF("bottlenecks", "Bottlenecks", SWT_SECTION_TABLE, 0, cols);
	struct swt_model_section *s = swt_model_add_section(m, &def);
	size_t i;

	for (i = 0; i < r->n_bottlenecks; i++) {
		const struct swt_bottleneck_result *b = &r->bottlenecks[i];

		swt_model_add_row(s, NULL);
		c_subject(s, &b->subj);
		swt_model_cell_enum(s,
				    swt_bottleneck_reason_name(b->reason));
		c_one(s, b->cpu_avg_mpct);
		c_one(s, b->cpu_peak_mpct);
		swt_model_cell_fixed(s, b->saturated_permille, 1, 1);
		c_one(s, b->calls_per_min_milli);
		if (b->pattern && *b->pattern)
			swt_model_cell_str(s, b->pattern);
		else
			swt_model_cell_null(s);
		swt_model_cell_str(s, b->subj.command);
	}
}

static void sec_alerts(struct swt_model *m, const struct swt_result *r)
{
	static const struct swt_model_col cols[] = {
		COL_FIXED("t_s", "t s", "s"),
		COL_ENUM("kind", "kind"),
		COL_STR("subject", "subject"),
		COL_ENUM("subject_kind", "subject kind"),
		COL_STR("process", "process"),
		COL_FIXED("value", "value", NULL),
		COL_FIXED("threshold", "threshold", NULL),
		COL_ENUM("unit", "unit"),
		COL_COMMAND,
	};
	static const struct swt_model_def def =
		DEF("alerts", "Alerts", SWT_SECTION_TABLE, 0, cols);
	struct swt_model_section *s = swt_model_add_section(m, &def);
	size_t i;

	for (i = 0; i < r->n_alerts; i++) {
		const struct swt_alert_result *a = &r->alerts[i];

		swt_model_add_row(s, NULL);
		c_secs(s, a->t_ns);
		swt_model_cell_enum(s, swt_alert_kind_name(a->kind));
		c_subject(s, &a->subj);
		c_one(s, a->value);
		c_one(s, a->threshold);
		swt_model_cell_enum(s, swt_alert_unit(a->kind));
		swt_model_cell_str(s, a->subj.command);
	}
	if (r->alerts_total > r->n_alerts)
		swt_model_note(s, "%llu more alerts not listed",
			       (unsigned long long)(r->alerts_total -
						    r->n_alerts));
}

static void sec_recs(struct swt_model *m, const struct swt_result *r)
{
	static const struct swt_model_col cols[] = {
		COL_ENUM("priority", "priority"),
		COL_STR("subject", "subject"),
		COL_STR("text", "recommendation"),
	};
	static const struct swt_model_def def =
		DEF("recommendations", "Recommendations", SWT_SECTION_TABLE, 0,
		    cols);
	struct swt_model_section *s = swt_model_add_section(m, &def);
	size_t i;

	for (i = 0; i < r->n_recommendations; i++) {
		const struct swt_recommendation *c = &r->recommendations[i];

		swt_model_add_row(s, NULL);
		swt_model_cell_enum(s, swt_priority_name(c->priority));
		swt_model_cell_str(s, c->subject);
		swt_model_cell_str(s, c->text);
	}
}

/* ---- over time --------------------------------------------------------------- */

/* The report's series: the tree and the heaviest modules. */
#define SERIES_MODULES_MAX 5

static const struct swt_model_col series_cols[] = {
	{ "subject", "subject", NULL, SWT_CELL_STR, SWT_COL_CHART_GROUP },
	{ "kind", "kind", NULL, SWT_CELL_ENUM, SWT_COL_CHART_GROUP },
	{ "process", "process", NULL, SWT_CELL_STR, SWT_COL_CHART_GROUP },
	SWT_SERIES_VALUE_COLS,
};

/* The rows of one subject's series (after its subject cells). */
static void series_rows(struct swt_model_section *s,
			const struct swt_subject *subj,
			const struct swt_usage_series *u)
{
	size_t k;

	for (k = 0; k < u->n_buckets; k++) {
		const struct swt_usage_bucket *b = &u->buckets[k];
		bool cpu = u->has_cpu && b->cpu_intervals > 0;
		bool mem = u->has_memory && b->mem_samples > 0;

		swt_model_add_row(s, NULL);
		c_subject(s, subj);
		c_secs(s, b->t_from_ns);
		c_secs(s, b->t_to_ns);
		c_opt_one(s, cpu, b->cpu_min_mpct);
		c_opt_one(s, cpu, b->cpu_max_mpct);
		c_opt_one(s, cpu, b->cpu_avg_mpct);
		c_opt_one(s, mem, b->mem_min_mmb);
		c_opt_one(s, mem, b->mem_max_mmb);
		c_opt_one(s, mem, b->mem_avg_mmb);
	}
}

static void sec_series(struct swt_model *m, const struct swt_result *r,
		       enum swt_report_kind kind)
{
	static const struct swt_model_def def =
		DEF("series", "Over time", SWT_SECTION_TABLE,
		    SWT_SECTION_CHART, series_cols);
	static const struct swt_subject session = {
		SWT_KIND_SESSION, "session", "", "", ""
	};
	struct swt_model_section *s = swt_model_add_section(m, &def);
	size_t i, n = 0;
	bool no_mem = false, no_cpu = false;

	series_rows(s, &session, &r->usage);
	for (i = 0; kind != SWT_REPORT_LIGHTWEIGHT && i < r->n_modules &&
		    n < SERIES_MODULES_MAX;
	     i++) {
		const struct swt_module_result *mr = &r->modules[i];

		if (!module_active(mr))
			continue;
		n++;
		series_rows(s, &mr->subj, &mr->usage);
		if (mr->usage.n_buckets && !mr->usage.has_memory)
			no_mem = true;
		if (mr->usage.n_buckets && !mr->usage.has_cpu &&
		    mr->subj.kind == SWT_KIND_MODULE)
			no_cpu = true;
	}
	if (r->n_usage_buckets) {
		struct swt_buf w = SWT_BUF_INIT;

		swt_buf_fixed(&w, r->usage_width_ns, 9, 3);
		if (r->n_usage_buckets == 1)
			swt_model_note(s, "1 bucket of %s s", w.ptr);
		else
			swt_model_note(s,
				       "%zu buckets of %s s; a column shows "
				       "the highest value of its buckets",
				       r->n_usage_buckets, w.ptr);
		swt_buf_fini(&w);
	}
	/* why a line has nothing (docs/analysis.md § 14) */
	if (no_mem)
		swt_model_note(s, "memory over time is sampled per process: "
				  "a thread's is its process's, a module's "
				  "is attributed over the whole session "
				  "(Modules), reaped children have CPU only");
	if (no_cpu)
		swt_model_note(s, "a module without CPU over time has its CPU "
				  "from the regression of its threads' ticks "
				  "on its open time: a total, not a figure "
				  "per interval");
}

void swt_report_model_build(struct swt_model **out,
			    const struct swt_report_input *in,
			    enum swt_report_kind kind)
{
	const struct swt_result *r = in->result;
	struct swt_model *m;

	swt_model_new(&m, "swanalyze", swt_report_kind_name(kind),
		      SWT_REPORT_SCHEMA_VERSION);
	sec_session(m, in);
	sec_damage(m, in);
	sec_thresholds(m, r->thresholds);
	if (kind != SWT_REPORT_WEIGHT) {
		sec_resources(m, r);
		sec_contention(m, r);
	}
	sec_summary(m, r, kind);
	if (kind == SWT_REPORT_LIGHTWEIGHT) {
		sec_active(m, r);
		sec_series(m, r, kind);
		goto out;
	}
	sec_modules(m, r);
	sec_command_lines(m, r);
	sec_disk_io(m, r);
	sec_network(m, r);
	sec_interfaces(m, r);
	if (kind == SWT_REPORT_FULL) {
		sec_counters(m, r);
		sec_spikes(m, r);
	}
	sec_leaks(m, r);
	sec_forecasts(m, r);
	sec_trend(m, r);
	sec_series(m, r, kind);
	sec_bottlenecks(m, r);
	if (kind == SWT_REPORT_FULL) {
		sec_alerts(m, r);
		sec_recs(m, r);
	}
out:
	*out = m;
}

void swt_report_render(struct swt_buf *out, const struct swt_model *m,
		       enum swt_report_format format)
{
	switch (format) {
	case SWT_FORMAT_TEXT:
		swt_render_text(out, m);
		break;
	case SWT_FORMAT_JSON:
		swt_render_json(out, m);
		break;
	case SWT_FORMAT_CSV:
		swt_render_csv(out, m);
		break;
	case SWT_FORMAT_MARKDOWN:
		swt_render_markdown(out, m);
		break;
	case SWT_FORMAT_HTML:
		swt_render_html(out, m);
		break;
	}
}

void swt_report_write(struct swt_buf *out, const struct swt_report_input *in,
		      enum swt_report_kind kind,
		      enum swt_report_format format)
{
	struct swt_model *m;

	swt_report_model_build(&m, in, kind);
	m->ascii = in->ascii;
	swt_report_render(out, m, format);
	swt_model_free(m);
}

void swt_report_warnings(struct swt_buf *out, const char *prefix,
			 const struct swt_report_input *in)
{
	bool tail = false;
	size_t i;

	for (i = 0; i < in->n_lost; i++) {
		const struct swt_lost_range *l = &in->lost[i];

		swt_buf_printf(out, "%s: ", prefix);
		switch (l->loss) {
		case SWT_LOSS_NONE:
			swt_buf_puts(out, "damaged index ignored, no record "
					  "lost");
			break;
		case SWT_LOSS_RANGE:
			swt_buf_puts(out, "records lost between ");
			if (l->from_known) {
				swt_buf_puts(out, "t=");
				swt_buf_fixed(out, l->from_ns, 9, 3);
				swt_buf_puts(out, " s");
			} else {
				swt_buf_puts(out, "the start");
			}
			swt_buf_puts(out, " and t=");
			swt_buf_fixed(out, l->to_ns, 9, 3);
			swt_buf_puts(out, " s");
			break;
		case SWT_LOSS_TAIL:
			tail = true;
			swt_buf_puts(out, "records lost after ");
			if (l->from_known) {
				swt_buf_puts(out, "t=");
				swt_buf_fixed(out, l->from_ns, 9, 3);
				swt_buf_puts(out, " s");
			} else {
				swt_buf_puts(out, "the start");
			}
			break;
		}
		swt_buf_printf(out, " (%s: %llu bytes at offset %llu: %s)\n",
			       damage_status_name(l->status),
			       (unsigned long long)l->length,
			       (unsigned long long)l->offset, l->what);
	}
	if (in->truncated && !tail) {
		swt_buf_printf(out, "%s: truncated: the session did not "
			       "finish cleanly (no end record or index); "
			       "nothing is known after t=", prefix);
		swt_buf_fixed(out, in->result->session.duration_ns, 9, 3);
		swt_buf_puts(out, " s\n");
	}
}
