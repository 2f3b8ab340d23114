/* swt_diff_report.c — the report model of swanalyze diff (swt_diff.h): the
 * same renderers as every report (text, JSON, CSV, Markdown) and JUnit,
 * whose test cases are the rows of "metrics". */
#include "swt_diff.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "swt_alloc.h"
#include "swt_buf.h"

#define N_COLS(a) (sizeof(a) / sizeof((a)[0]))
#define DEF(key, title, kind, flags, cols) \
	{ key, title, kind, flags, N_COLS(cols), cols }

/* Who and which metric: a JUnit test case's class and name. */
#define WHO_METRIC_COLS                                                   \
	{ "kind", "kind", NULL, SWT_CELL_ENUM, SWT_COL_JUNIT_CLASS },     \
	{ "name", "name", NULL, SWT_CELL_STR, SWT_COL_JUNIT_CLASS },      \
	{ "process", "process", NULL, SWT_CELL_STR,                       \
	  SWT_COL_JUNIT_CLASS },                                          \
	{ "metric", "metric", NULL, SWT_CELL_ENUM, SWT_COL_JUNIT_NAME }

static const struct swt_model_col kv_cols[] = {
	SWT_MODEL_KV_KEY_COL,
	{ "value", "value", NULL, SWT_CELL_ANY, 0 },
};

static void c_val(struct swt_model_section *s, const struct swt_diff_metric *r,
		  int64_t v)
{
	swt_model_cell_fixed(s, v, r->scale, r->dec);
}

static const char *side_name(enum swt_diff_side s)
{
	return s == SWT_DIFF_BASE ? "base" : "new";
}

static void sec_diff(struct swt_model *m, const struct swt_diff *d)
{
	static const struct swt_model_def def =
		DEF("diff", "Diff", SWT_SECTION_KV, SWT_SECTION_FOLD, kv_cols);
	struct swt_model_section *s = swt_model_add_section(m, &def);

	swt_model_add_row(s, "verdict");
	swt_model_cell_enum(s, swt_verdict_name(d->verdict));
	swt_model_add_row(s, "method");
	swt_model_cell_enum(s, swt_diff_method_name(d->method));
	swt_model_add_row(s, "base_runs");
	swt_model_cell_int(s, (int64_t)d->n_side[0]);
	swt_model_add_row(s, "new_runs");
	swt_model_cell_int(s, (int64_t)d->n_side[1]);
	swt_model_add_row(s, "metrics");
	swt_model_cell_int(s, (int64_t)d->n_metrics);
	swt_model_add_row(s, "regressions");
	swt_model_cell_int(s, (int64_t)d->n_verdict[SWT_VERDICT_REGRESSION]);
	swt_model_add_row(s, "improvements");
	swt_model_cell_int(s, (int64_t)d->n_verdict[SWT_VERDICT_IMPROVEMENT]);
	swt_model_add_row(s, "inconclusive");
	swt_model_cell_int(s,
			   (int64_t)d->n_verdict[SWT_VERDICT_INCONCLUSIVE]);
	swt_model_add_row(s, "unchanged");
	swt_model_cell_int(s, (int64_t)d->n_verdict[SWT_VERDICT_UNCHANGED]);
	swt_model_add_row(s, "appeared");
	swt_model_cell_int(s, (int64_t)d->n_appeared);
	swt_model_add_row(s, "disappeared");
	swt_model_cell_int(s, (int64_t)d->n_disappeared);
	swt_model_add_row(s, "incomplete_sessions");
	swt_model_cell_int(s, (int64_t)d->n_incomplete);
	swt_model_add_row(s, "unreadable_sessions");
	swt_model_cell_int(s, (int64_t)d->n_failed);
	swt_model_add_row(s, "runner_changed");
	swt_model_cell_bool(s, d->runner_changed);
	swt_model_add_row(s, "base_contention_percent");
	if (d->has_contention[0])
		swt_model_cell_fixed(s, d->contention_mpct[0], 3, 1);
	else
		swt_model_cell_null(s);
	swt_model_add_row(s, "new_contention_percent");
	if (d->has_contention[1])
		swt_model_cell_fixed(s, d->contention_mpct[1], 3, 1);
	else
		swt_model_cell_null(s);
	swt_model_add_row(s, "contended");
	swt_model_cell_enum(s, d->contended_side == SWT_DIFF_NEW ? "new" :
			       d->contended_side == SWT_DIFF_BASE ? "base" :
			       d->has_contention[0] && d->has_contention[1] ?
								   "neither" :
								   "unknown");
	swt_model_add_row(s, "contended_changes");
	swt_model_cell_int(s, (int64_t)d->n_contended);
}

/* Verdicts in the order the changes are listed. */
static int change_rank(enum swt_verdict v)
{
	switch (v) {
	case SWT_VERDICT_REGRESSION:
		return 0;
	case SWT_VERDICT_INCONCLUSIVE:
		return 1;
	case SWT_VERDICT_IMPROVEMENT:
		return 2;
	case SWT_VERDICT_UNCHANGED:
		break;
	}
	return 3;
}

/* The note of a metric row, with the runs that would decide. */
static const char *row_note(struct swt_model *m, const struct swt_diff_metric *r)
{
	struct swt_buf b = SWT_BUF_INIT;

	if (!r->runs_needed)
		return r->note;
	swt_buf_printf(&b, "%s; about %u runs a side would decide", r->note,
		       r->runs_needed);
	return swt_model_keep(m, b.ptr);
}

static void sec_changes(struct swt_model *m, const struct swt_diff *d)
{
	static const struct swt_model_col cols[] = {
		{ "arrow", "", NULL, SWT_CELL_STR, SWT_COL_TABLES_ONLY },
		{ "kind", "kind", NULL, SWT_CELL_ENUM, 0 },
		{ "name", "name", NULL, SWT_CELL_STR, 0 },
		{ "process", "process", NULL, SWT_CELL_STR, 0 },
		{ "metric", "metric", NULL, SWT_CELL_ENUM, 0 },
		{ "base", "base", NULL, SWT_CELL_FIXED, 0 },
		{ "new", "new", NULL, SWT_CELL_FIXED, 0 },
		{ "change", "change", NULL, SWT_CELL_FIXED, 0 },
		{ "change_percent", "change %", "percent", SWT_CELL_FIXED, 0 },
		{ "verdict", "verdict", NULL, SWT_CELL_ENUM, 0 },
		{ "note", "note", NULL, SWT_CELL_STR, 0 },
		{ "group", "program or command", NULL, SWT_CELL_STR,
		  SWT_COL_CUT },
	};
	static const struct swt_model_def def =
		DEF("changes", "Changes", SWT_SECTION_TABLE, 0, cols);
	struct swt_model_section *s = swt_model_add_section(m, &def);
	int rank;
	size_t i;

	for (rank = 0; rank < 3; rank++) {
		for (i = 0; i < d->n_metrics; i++) {
			const struct swt_diff_metric *r = &d->metrics[i];
			const struct swt_diff_module *dm =
				&d->modules[r->subject];

			if (change_rank(r->verdict) != rank)
				continue;
			/* an inconclusive change smaller than the minimum
			 * effect (its interval merely too wide to call it
			 * unchanged) is in Metrics only: Changes lists what
			 * moved by the minimum effect, shown or not */
			if (r->verdict == SWT_VERDICT_INCONCLUSIVE &&
			    !r->contended &&
			    (r->change < 0 ? -r->change : r->change) <
				    r->min_effect)
				continue;
			swt_model_add_row(s, NULL);
			swt_model_cell_str(s, r->change > 0 ?
						      (m->ascii ? "^" : "▲") :
					      r->change < 0 ?
						      (m->ascii ? "v" : "▼") :
						      "=");
			swt_model_cell_enum(s, dm->who.kind);
			swt_model_cell_str(s, dm->who.name);
			swt_model_cell_str(s, dm->who.process);
			swt_model_cell_enum(s, r->metric);
			c_val(s, r, r->base);
			c_val(s, r, r->new_);
			c_val(s, r, r->change);
			if (r->has_rel)
				swt_model_cell_fixed(s, r->rel_mpct, 3, 1);
			else
				swt_model_cell_null(s);
			swt_model_cell_enum(s, swt_verdict_name(r->verdict));
			swt_model_cell_str(s, row_note(m, r));
			swt_model_cell_str(s, dm->who.group);
		}
	}
	for (i = 0; i < d->n_modules; i++) {
		const struct swt_diff_module *dm = &d->modules[i];

		if (dm->status == SWT_DIFF_MATCHED || !dm->material)
			continue;
		swt_model_add_row(s, NULL);
		swt_model_cell_str(s, dm->status == SWT_DIFF_APPEARED ? "+" :
									 "-");
		swt_model_cell_enum(s, dm->who.kind);
		swt_model_cell_str(s, dm->who.name);
		swt_model_cell_str(s, dm->who.process);
		{
			/* the most CPU it had in a run, not the median over
			 * runs it may mostly be absent from */
			bool app = dm->status == SWT_DIFF_APPEARED;
			struct swt_buf note = SWT_BUF_INIT;

			swt_model_cell_enum(s, "cpu_s");
			swt_model_cell_fixed(s, app ? 0 : dm->cpu_ms_max, 3,
					     3);
			swt_model_cell_fixed(s, app ? dm->cpu_ms_max : 0, 3,
					     3);
			swt_model_cell_fixed(s, app ? dm->cpu_ms_max :
						      -dm->cpu_ms_max,
					     3, 3);
			swt_model_cell_null(s);
			swt_model_cell_enum(s,
					    swt_diff_status_name(dm->status));
			swt_buf_printf(&note, "in no %s run; in %zu of %zu %s "
				       "runs (CPU: the most of one)",
				       app ? "base" : "new",
				       app ? dm->runs_new : dm->runs_base,
				       d->n_side[app ? 1 : 0],
				       app ? "new" : "base");
			swt_model_cell_str(s, swt_model_keep(m, note.ptr));
		}
		swt_model_cell_str(s, dm->who.group);
	}
}

static void sec_budgets(struct swt_model *m, const struct swt_diff *d)
{
	static const struct swt_model_col cols[] = {
		WHO_METRIC_COLS,
		{ "runs", "runs", NULL, SWT_CELL_INT, 0 },
		{ "value", "value", NULL, SWT_CELL_FIXED, 0 },
		{ "limit", "limit", NULL, SWT_CELL_FIXED, 0 },
		{ "verdict", "verdict", NULL, SWT_CELL_ENUM,
		  SWT_COL_JUNIT_VERDICT },
		{ "rule", "rule", NULL, SWT_CELL_STR, 0 },
		{ "line", "line", NULL, SWT_CELL_INT, 0 },
	};
	static const struct swt_model_def def =
		DEF("budgets", "Budgets", SWT_SECTION_TABLE, SWT_SECTION_JUNIT,
		    cols);
	struct swt_model_section *s = swt_model_add_section(m, &def);
	size_t i;

	for (i = 0; i < d->n_checks; i++) {
		const struct swt_budget_check *c = &d->checks[i];
		const struct swt_budget_rule *r = c->rule;
		bool matched = c->verdict != SWT_BUDGET_UNMATCHED;
		const struct swt_diff_module *dm =
			matched ? &d->modules[c->subject] : NULL;
		struct swt_buf rule = SWT_BUF_INIT;

		swt_model_add_row(s, NULL);
		swt_model_cell_enum(s, matched ? dm->who.kind : r->kind);
		swt_model_cell_str(s, matched ? dm->who.name : r->name);
		swt_model_cell_str(s, matched ? dm->who.process : "");
		swt_model_cell_enum(s, c->metric);
		swt_model_cell_int(s, (int64_t)c->runs);
		if (matched)
			swt_model_cell_fixed(s, c->value, c->scale, c->dec);
		else
			swt_model_cell_null(s);
		swt_model_cell_fixed(s, r->limit, c->scale, c->dec);
		swt_model_cell_enum(s, swt_budget_verdict_name(c->verdict));
		if (strcmp(r->kind, "session") == 0)
			swt_buf_puts(&rule, "session");
		else
			swt_buf_printf(&rule, "%s:%s", r->kind, r->name);
		swt_model_cell_str(s, swt_model_keep(m, rule.ptr));
		swt_model_cell_int(s, r->line);
	}
}

static void sec_modules(struct swt_model *m, const struct swt_diff *d)
{
	static const struct swt_model_col cols[] = {
		{ "kind", "kind", NULL, SWT_CELL_ENUM, 0 },
		{ "name", "name", NULL, SWT_CELL_STR, 0 },
		{ "process", "process", NULL, SWT_CELL_STR, 0 },
		{ "status", "status", NULL, SWT_CELL_ENUM, 0 },
		{ "base_runs", "base runs", NULL, SWT_CELL_INT, 0 },
		{ "new_runs", "new runs", NULL, SWT_CELL_INT, 0 },
		{ "base_cpu_s", "base cpu s", "s", SWT_CELL_FIXED, 0 },
		{ "new_cpu_s", "new cpu s", "s", SWT_CELL_FIXED, 0 },
		{ "base_memory_mb_peak", "base mem MB peak", "MB",
		  SWT_CELL_FIXED, 0 },
		{ "new_memory_mb_peak", "new mem MB peak", "MB",
		  SWT_CELL_FIXED, 0 },
		{ "base_weight", "base weight", NULL, SWT_CELL_FIXED, 0 },
		{ "new_weight", "new weight", NULL, SWT_CELL_FIXED, 0 },
		{ "base_priority", "base prio", NULL, SWT_CELL_ENUM, 0 },
		{ "new_priority", "new prio", NULL, SWT_CELL_ENUM, 0 },
		{ "verdict", "verdict", NULL, SWT_CELL_ENUM, 0 },
		{ "group", "program or command", NULL, SWT_CELL_STR,
		  SWT_COL_CUT },
	};
	static const struct swt_model_def def =
		DEF("modules", "Modules", SWT_SECTION_TABLE, SWT_SECTION_FOLD,
		    cols);
	struct swt_model_section *s = swt_model_add_section(m, &def);
	size_t i;

	for (i = 0; i < d->n_modules; i++) {
		const struct swt_diff_module *dm = &d->modules[i];
		bool ran[2] = { dm->runs_base > 0, dm->runs_new > 0 };
		int k;

		swt_model_add_row(s, NULL);
		swt_model_cell_enum(s, dm->who.kind);
		swt_model_cell_str(s, dm->who.name);
		swt_model_cell_str(s, dm->who.process);
		swt_model_cell_enum(s, swt_diff_status_name(dm->status));
		swt_model_cell_int(s, (int64_t)dm->runs_base);
		swt_model_cell_int(s, (int64_t)dm->runs_new);
		for (k = 0; k < 2; k++) {
			if (dm->has_cpu && ran[k])
				swt_model_cell_fixed(s, dm->cpu_ms[k], 3, 3);
			else
				swt_model_cell_null(s);
		}
		for (k = 0; k < 2; k++) {
			if (dm->has_mem && ran[k])
				swt_model_cell_fixed(s, dm->mem_peak_mmb[k], 3,
						     1);
			else
				swt_model_cell_null(s);
		}
		for (k = 0; k < 2; k++) {
			if (dm->has_weight && ran[k])
				swt_model_cell_fixed(s, dm->weight[k], 3, 3);
			else
				swt_model_cell_null(s);
		}
		for (k = 0; k < 2; k++) {
			if (dm->has_weight && ran[k])
				swt_model_cell_enum(
					s, swt_priority_name(
						   swt_priority_of_weight(
							   dm->weight[k])));
			else
				swt_model_cell_null(s);
		}
		if (dm->status == SWT_DIFF_MATCHED)
			swt_model_cell_enum(s, swt_verdict_name(dm->verdict));
		else
			swt_model_cell_enum(s, swt_diff_status_name(dm->status));
		swt_model_cell_str(s, dm->who.group);
	}
}

static void sec_metrics(struct swt_model *m, const struct swt_diff *d)
{
	static const struct swt_model_col cols[] = {
		WHO_METRIC_COLS,
		{ "unit", "unit", NULL, SWT_CELL_ENUM, 0 },
		{ "base_runs", "base n", NULL, SWT_CELL_INT, 0 },
		{ "new_runs", "new n", NULL, SWT_CELL_INT, 0 },
		{ "base", "base", NULL, SWT_CELL_FIXED, 0 },
		{ "new", "new", NULL, SWT_CELL_FIXED, 0 },
		{ "change", "change", NULL, SWT_CELL_FIXED, 0 },
		{ "change_percent", "change %", "percent", SWT_CELL_FIXED, 0 },
		{ "min_effect", "min effect", NULL, SWT_CELL_FIXED, 0 },
		{ "verdict", "verdict", NULL, SWT_CELL_ENUM,
		  SWT_COL_JUNIT_VERDICT },
		{ "method", "method", NULL, SWT_CELL_ENUM, 0 },
		{ "p_value", "p", NULL, SWT_CELL_FIXED, 0 },
		{ "ci_low", "ci low", NULL, SWT_CELL_FIXED, 0 },
		{ "ci_high", "ci high", NULL, SWT_CELL_FIXED, 0 },
		{ "runs_needed", "runs needed", NULL, SWT_CELL_INT, 0 },
		{ "contended", "contended", NULL, SWT_CELL_BOOL, 0 },
		{ "note", "note", NULL, SWT_CELL_STR, 0 },
		{ "group", "program or command", NULL, SWT_CELL_STR,
		  SWT_COL_CUT | SWT_COL_JSON_ONLY },
	};
	static const struct swt_model_def def =
		DEF("metrics", "Metrics", SWT_SECTION_TABLE,
		    SWT_SECTION_FOLD | SWT_SECTION_JUNIT, cols);
	struct swt_model_section *s = swt_model_add_section(m, &def);
	size_t i;

	for (i = 0; i < d->n_metrics; i++) {
		const struct swt_diff_metric *r = &d->metrics[i];
		const struct swt_diff_module *dm = &d->modules[r->subject];

		swt_model_add_row(s, NULL);
		swt_model_cell_enum(s, dm->who.kind);
		swt_model_cell_str(s, dm->who.name);
		swt_model_cell_str(s, dm->who.process);
		swt_model_cell_enum(s, r->metric);
		if (r->unit)
			swt_model_cell_enum(s, r->unit);
		else
			swt_model_cell_null(s);
		swt_model_cell_int(s, (int64_t)r->n_base);
		swt_model_cell_int(s, (int64_t)r->n_new);
		c_val(s, r, r->base);
		c_val(s, r, r->new_);
		c_val(s, r, r->change);
		if (r->has_rel)
			swt_model_cell_fixed(s, r->rel_mpct, 3, 1);
		else
			swt_model_cell_null(s);
		c_val(s, r, r->min_effect);
		swt_model_cell_enum(s, swt_verdict_name(r->verdict));
		swt_model_cell_enum(s, swt_diff_method_name(r->method));
		if (r->has_p)
			swt_model_cell_fixed(s, r->p_ppm, 6, 4);
		else
			swt_model_cell_null(s);
		if (r->has_ci) {
			c_val(s, r, r->lo);
			c_val(s, r, r->hi);
		} else {
			swt_model_cell_null(s);
			swt_model_cell_null(s);
		}
		if (r->runs_needed)
			swt_model_cell_int(s, r->runs_needed);
		else
			swt_model_cell_null(s);
		swt_model_cell_bool(s, r->contended);
		swt_model_cell_str(s, r->note);
		swt_model_cell_str(s, dm->who.group);
	}
}

static void sec_sessions(struct swt_model *m, const struct swt_diff *d)
{
	static const struct swt_model_col cols[] = {
		{ "side", "side", NULL, SWT_CELL_ENUM, 0 },
		{ "file", "file", NULL, SWT_CELL_STR, 0 },
		{ "status", "status", NULL, SWT_CELL_ENUM, 0 },
		{ "duration_s", "duration s", "s", SWT_CELL_FIXED, 0 },
		{ "cpu_s", "cpu s", "s", SWT_CELL_FIXED, 0 },
		{ "processes", "processes", NULL, SWT_CELL_INT, 0 },
		{ "samples", "samples", NULL, SWT_CELL_INT, 0 },
		{ "contention_percent", "contention %", "percent",
		  SWT_CELL_FIXED, 0 },
		{ "command", "command", NULL, SWT_CELL_LIST, SWT_COL_CUT },
		{ "error", "error", NULL, SWT_CELL_STR, 0 },
	};
	static const struct swt_model_def def =
		DEF("sessions", "Sessions", SWT_SECTION_TABLE,
		    SWT_SECTION_FOLD, cols);
	struct swt_model_section *s = swt_model_add_section(m, &def);
	size_t i;

	for (i = 0; i < d->n_runs; i++) {
		const struct swt_diff_run *r = &d->runs[i];
		const struct swt_session_result *ss =
			r->an ? &r->an->result->session : NULL;

		swt_model_add_row(s, NULL);
		swt_model_cell_enum(s, side_name(r->side));
		swt_model_cell_str(s, r->path);
		swt_model_cell_enum(s, !r->an ? "unreadable" :
				       swt_analysis_incomplete(r->an) ?
							   "incomplete" :
							   "complete");
		if (ss) {
			swt_model_cell_fixed(s, ss->duration_ns, 9, 3);
			swt_model_cell_fixed(s, ss->cpu_ms, 3, 3);
			swt_model_cell_int(s, (int64_t)ss->processes);
			swt_model_cell_int(s, (int64_t)ss->samples);
			if (ss->has_contention)
				swt_model_cell_fixed(s, ss->contention_mpct, 3,
						     1);
			else
				swt_model_cell_null(s);
			swt_model_cell_list(s, ss->n_command, ss->command,
					    " ");
		} else {
			swt_model_cell_null(s);
			swt_model_cell_null(s);
			swt_model_cell_null(s);
			swt_model_cell_null(s);
			swt_model_cell_null(s);
			swt_model_cell_null(s);
		}
		swt_model_cell_str(s, r->an ? "" : r->errmsg);
	}
}

/* The distinct values of one header fact on one side, joined. */
static const char *side_values(struct swt_model *m, const struct swt_diff *d,
			       enum swt_diff_side side, int what)
{
	struct swt_buf all = SWT_BUF_INIT;
	char **seen = NULL;
	size_t n = 0, i, j;

	seen = swt_calloc(d->n_runs ? d->n_runs : 1, sizeof(*seen));
	for (i = 0; i < d->n_runs; i++) {
		const struct swt_session_result *ss;
		struct swt_buf v = SWT_BUF_INIT;
		bool dup = false;

		if (d->runs[i].side != side || !d->runs[i].an)
			continue;
		ss = &d->runs[i].an->result->session;
		switch (what) {
		case 0:
			swt_buf_u64(&v, ss->cpu_count);
			break;
		case 1:
			swt_buf_u64(&v, ss->clock_ticks);
			break;
		case 2:
			swt_buf_u64(&v, ss->page_size);
			break;
		case 3:
			swt_buf_fixed(&v, (int64_t)(ss->mem_total_kib * 1000 /
						    1024),
				      3, 0);
			break;
		case 4:
			swt_buf_puts(&v, ss->kernel);
			break;
		default:
			swt_buf_puts(&v, ss->recorder);
			break;
		}
		if (!v.ptr)
			swt_buf_puts(&v, "");
		for (j = 0; j < n; j++)
			dup |= strcmp(seen[j], v.ptr) == 0;
		if (dup) {
			swt_buf_fini(&v);
			continue;
		}
		seen[n++] = v.ptr;
	}
	for (i = 0; i < n; i++) {
		if (i)
			swt_buf_puts(&all, ", ");
		swt_buf_puts(&all, seen[i]);
		free(seen[i]);
	}
	free(seen);
	if (!all.ptr)
		swt_buf_puts(&all, "");
	return swt_model_keep(m, all.ptr);
}

static void sec_runner(struct swt_model *m, const struct swt_diff *d)
{
	static const struct swt_model_col cols[] = {
		{ "key", "key", NULL, SWT_CELL_STR, 0 },
		{ "base", "base", NULL, SWT_CELL_STR, 0 },
		{ "new", "new", NULL, SWT_CELL_STR, 0 },
		{ "same", "same", NULL, SWT_CELL_BOOL, 0 },
	};
	static const struct swt_model_def def =
		DEF("runner", "Runner", SWT_SECTION_TABLE, SWT_SECTION_FOLD,
		    cols);
	static const char *const keys[] = { "cpu_count", "clock_ticks",
					    "page_size", "memory_mb",
					    "kernel", "recorder" };
	struct swt_model_section *s = swt_model_add_section(m, &def);
	int k;

	for (k = 0; k < 6; k++) {
		const char *b = side_values(m, d, SWT_DIFF_BASE, k);
		const char *n = side_values(m, d, SWT_DIFF_NEW, k);

		swt_model_add_row(s, NULL);
		swt_model_cell_str(s, keys[k]);
		swt_model_cell_str(s, b);
		swt_model_cell_str(s, n);
		swt_model_cell_bool(s, strcmp(b, n) == 0 && !strchr(b, ','));
	}
	if (d->runner_changed)
		swt_model_note(s, "The sessions ran on different machines, "
			       "kernels or setups. CPU is compared in "
			       "seconds and %% of one core, memory in MB, "
			       "rates per minute: units that do not depend "
			       "on the machine; a change may still come "
			       "from the runner itself.");
}

static void sec_settings(struct swt_model *m, const struct swt_diff *d)
{
	static const struct swt_model_def def =
		DEF("settings", "Settings", SWT_SECTION_KV, SWT_SECTION_FOLD,
		    kv_cols);
	const struct swt_thresholds *th = d->th;
	struct swt_model_section *s = swt_model_add_section(m, &def);
	const char **rules;
	size_t i;

	for (i = SWT_TH_N_ANALYSIS; i < SWT_TH_N_SCALAR; i++) {
		int64_t v = th->v[i];
		unsigned dec = 3;

		while (dec > 1 && v % 10 == 0) {
			v /= 10;
			dec--;
		}
		swt_model_add_row(s, swt_th_key_name((enum swt_th_key)i));
		swt_model_cell_fixed(s, th->v[i], 3, dec);
	}
	swt_model_add_row(s, "group_by");
	swt_model_cell_enum(s, swt_group_by_name(th->group_by));
	rules = swt_model_keep(m, swt_calloc(th->n_norms ? th->n_norms : 1,
					     sizeof(*rules)));
	for (i = 0; i < th->n_norms; i++) {
		struct swt_buf b = SWT_BUF_INIT;

		swt_buf_printf(&b, "%s => %s", th->norms[i].re,
			       th->norms[i].repl);
		rules[i] = swt_model_keep(m, b.ptr);
	}
	swt_model_add_row(s, "normalize_patterns");
	swt_model_cell_list(s, th->n_norms, rules, "; ");
}

/* ---- over time ------------------------------------------------------------------ */

/* The columns of the reports' series (swt_report.c) and the side: one
 * chart per subject, a line per side (base over new) and metric. */
static const struct swt_model_col series_cols[] = {
	{ "subject", "subject", NULL, SWT_CELL_STR, SWT_COL_CHART_GROUP },
	{ "kind", "kind", NULL, SWT_CELL_ENUM, SWT_COL_CHART_GROUP },
	{ "process", "process", NULL, SWT_CELL_STR, SWT_COL_CHART_GROUP },
	{ "side", "side", NULL, SWT_CELL_ENUM, SWT_COL_CHART_LINE },
	SWT_SERIES_VALUE_COLS,
};

static void c_opt(struct swt_model_section *s, bool has, int64_t milli)
{
	if (has)
		swt_model_cell_fixed(s, milli, 3, 1);
	else
		swt_model_cell_null(s);
}

/* One subject's rows on one side. */
static void series_rows(struct swt_model_section *s,
			const struct swt_diff_module *dm,
			enum swt_diff_side side)
{
	const struct swt_usage_series *u = dm->usage[side];
	size_t k;

	for (k = 0; u && k < u->n_buckets; k++) {
		const struct swt_usage_bucket *b = &u->buckets[k];
		bool cpu = u->has_cpu && b->cpu_intervals > 0;
		bool mem = u->has_memory && b->mem_samples > 0;

		swt_model_add_row(s, NULL);
		swt_model_cell_str(s, dm->who.name);
		swt_model_cell_enum(s, dm->who.kind);
		swt_model_cell_str(s, dm->who.process);
		swt_model_cell_enum(s, side_name(side));
		swt_model_cell_fixed(s, b->t_from_ns, 9, 3);
		swt_model_cell_fixed(s, b->t_to_ns, 9, 3);
		c_opt(s, cpu, b->cpu_min_mpct);
		c_opt(s, cpu, b->cpu_max_mpct);
		c_opt(s, cpu, b->cpu_avg_mpct);
		c_opt(s, mem, b->mem_min_mmb);
		c_opt(s, mem, b->mem_max_mmb);
		c_opt(s, mem, b->mem_avg_mmb);
	}
}

/* The session and the modules of d->series over time, each side from its
 * series run (swt_diff.h), base rows before new rows. */
static void sec_series(struct swt_model *m, const struct swt_diff *d)
{
	static const struct swt_model_def def =
		DEF("series", "Over time", SWT_SECTION_TABLE,
		    SWT_SECTION_CHART | SWT_SECTION_FOLD, series_cols);
	struct swt_model_section *s = swt_model_add_section(m, &def);
	size_t i;
	int side;

	for (i = 0; i < d->n_series; i++)
		for (side = 0; side < 2; side++)
			series_rows(s, &d->modules[d->series[i]],
				    (enum swt_diff_side)side);
	for (side = 0; side < 2; side++) {
		size_t r = d->series_run[side];
		const struct swt_result *res;
		struct swt_buf w = SWT_BUF_INIT;

		if (r == SIZE_MAX || !d->runs[r].an)
			continue;
		res = d->runs[r].an->result;
		swt_buf_fixed(&w, res->usage_width_ns, 9, 3);
		swt_model_note(s, "%s: %s, %zu bucket%s of %s s", side_name(
				       (enum swt_diff_side)side),
			       d->runs[r].path, res->n_usage_buckets,
			       res->n_usage_buckets == 1 ? "" : "s", w.ptr);
		swt_buf_fini(&w);
	}
	if (d->n_side[0] > 1 || d->n_side[1] > 1)
		swt_model_note(s, "Repeated runs: each side is drawn from its "
			       "median run by the session's CPU time.");
	swt_model_note(s, "Times from each session's start; both lines of "
		       "a chart on one time axis and one scale; a column "
		       "shows the highest value of its buckets.");
}

static void summary(struct swt_model *m, const struct swt_diff *d)
{
	const char *v = swt_verdict_name(d->verdict);
	char up[16];
	size_t i;

	for (i = 0; v[i] && i < sizeof(up) - 1; i++)
		up[i] = (char)(v[i] >= 'a' && v[i] <= 'z' ? v[i] - 32 : v[i]);
	up[i] = '\0';
	swt_model_summary(m,
			  "Verdict: %s. %zu regression%s, %zu improvement%s, "
			  "%zu inconclusive, %zu unchanged; %zu module%s "
			  "appeared, %zu disappeared.",
			  up, d->n_verdict[SWT_VERDICT_REGRESSION],
			  d->n_verdict[SWT_VERDICT_REGRESSION] == 1 ? "" : "s",
			  d->n_verdict[SWT_VERDICT_IMPROVEMENT],
			  d->n_verdict[SWT_VERDICT_IMPROVEMENT] == 1 ? "" : "s",
			  d->n_verdict[SWT_VERDICT_INCONCLUSIVE],
			  d->n_verdict[SWT_VERDICT_UNCHANGED], d->n_appeared,
			  d->n_appeared == 1 ? "" : "s", d->n_disappeared);
	if (d->method == SWT_DIFF_SINGLE) {
		swt_model_summary(m, "1 base run, 1 new run: a single-run "
				  "comparison (minimum effects only: no "
				  "test of noise; record more runs for one).");
	} else {
		struct swt_buf a = SWT_BUF_INIT;

		swt_buf_fixed(&a, d->th->v[SWT_TH_DIFF_SIGNIFICANCE] * 100, 3,
			      1);
		swt_model_summary(m,
				  "%zu base run%s, %zu new run%s: exact "
				  "Mann-Whitney rank test, two-sided at %s %%, "
				  "and minimum effects.",
				  d->n_side[0], d->n_side[0] == 1 ? "" : "s",
				  d->n_side[1], d->n_side[1] == 1 ? "" : "s",
				  a.ptr);
		swt_buf_fini(&a);
	}
	if (d->has_contention[0] && d->has_contention[1]) {
		struct swt_buf a = SWT_BUF_INIT, b = SWT_BUF_INIT;

		swt_buf_fixed(&a, d->contention_mpct[0], 3, 1);
		swt_buf_fixed(&b, d->contention_mpct[1], 3, 1);
		if (d->contended_side >= 0)
			swt_model_summary(
				m,
				"Runner contended: the %s runs stalled for CPU "
				"%s %% of the time, the %s runs %s %% (median "
				"PSI cpu some + steal): %zu change%s it can "
				"explain left inconclusive.",
				d->contended_side == SWT_DIFF_NEW ? "new" :
								    "base",
				d->contended_side == SWT_DIFF_NEW ? b.ptr :
								    a.ptr,
				d->contended_side == SWT_DIFF_NEW ? "base" :
								    "new",
				d->contended_side == SWT_DIFF_NEW ? a.ptr :
								    b.ptr,
				d->n_contended,
				d->n_contended == 1 ? "" : "s");
		else
			swt_model_summary(m, "Runner contention: base %s %%, "
					  "new %s %% of the time stalled for "
					  "CPU (median PSI cpu some + steal).",
					  a.ptr, b.ptr);
		swt_buf_fini(&a);
		swt_buf_fini(&b);
	} else {
		swt_model_summary(m, "Runner contention unknown for the %s: "
				  "recorded before format 1.4 or without "
				  "PSI.",
				  !d->has_contention[0] &&
						  !d->has_contention[1] ?
					  "base and new runs" :
				  !d->has_contention[0] ? "base runs" :
							  "new runs");
	}
	if (d->runner_changed)
		swt_model_summary(m, "The runner changed between sessions "
				  "(see Runner): compared in units that do "
				  "not depend on the machine.");
	if (d->n_incomplete || d->n_failed)
		swt_model_summary(m, "Input: %zu session%s damaged or "
				  "truncated (their readable part is "
				  "compared), %zu unreadable (left out).",
				  d->n_incomplete,
				  d->n_incomplete == 1 ? "" : "s", d->n_failed);
}

/* A budget check without a base: the checks, the sessions. */
static void budget_only(struct swt_model *m, const struct swt_diff *d)
{
	swt_model_summary(m, "Budget: %zu over, %zu within, %zu rule%s "
			  "matching no module (%zu run%s, no base).",
			  d->n_over, d->n_checks - d->n_over - d->n_unmatched,
			  d->n_unmatched, d->n_unmatched == 1 ? "" : "s",
			  d->n_side[1], d->n_side[1] == 1 ? "" : "s");
	sec_budgets(m, d);
	sec_sessions(m, d);
}

void swt_diff_model_build(struct swt_model **out, const struct swt_diff *d,
			  bool ascii)
{
	struct swt_model *m;

	if (d->n_side[0] == 0) {
		swt_model_new(&m, "swanalyze", "budget",
			      SWT_DIFF_SCHEMA_VERSION);
		m->ascii = ascii;
		budget_only(m, d);
		*out = m;
		return;
	}
	swt_model_new(&m, "swanalyze", "diff", SWT_DIFF_SCHEMA_VERSION);
	m->ascii = ascii;
	summary(m, d);
	if (d->has_budget)
		swt_model_summary(m, "Budget: %zu over, %zu within, %zu "
				  "rule%s matching no module.",
				  d->n_over,
				  d->n_checks - d->n_over - d->n_unmatched,
				  d->n_unmatched,
				  d->n_unmatched == 1 ? "" : "s");
	sec_diff(m, d);
	sec_changes(m, d);
	if (d->has_budget)
		sec_budgets(m, d);
	sec_series(m, d);
	sec_modules(m, d);
	sec_metrics(m, d);
	sec_sessions(m, d);
	sec_runner(m, d);
	sec_settings(m, d);
	*out = m;
}

/* ---- history ------------------------------------------------------------------- */

/* A session's start as UTC, from the file (not the reading machine's
 * clock or zone). */
static const char *utc(struct swt_model *m, int64_t wall_ns)
{
	struct swt_buf b = SWT_BUF_INIT;
	time_t t = (time_t)(wall_ns / 1000000000);
	struct tm tm;

	if (wall_ns <= 0 || !gmtime_r(&t, &tm)) {
		swt_buf_puts(&b, "");
	} else {
		swt_buf_printf(&b, "%04d-%02d-%02dT%02d:%02d:%02dZ",
			       tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			       tm.tm_hour, tm.tm_min, tm.tm_sec);
	}
	return swt_model_keep(m, b.ptr);
}

static void hist_sessions(struct swt_model *m, const struct swt_history *h)
{
	static const struct swt_model_col cols[] = {
		{ "session", "#", NULL, SWT_CELL_INT, 0 },
		{ "file", "file", NULL, SWT_CELL_STR, 0 },
		{ "start", "start (UTC)", NULL, SWT_CELL_STR, 0 },
		{ "status", "status", NULL, SWT_CELL_ENUM, 0 },
		{ "duration_s", "duration s", "s", SWT_CELL_FIXED, 0 },
		{ "cpu_s", "cpu s", "s", SWT_CELL_FIXED, 0 },
		{ "processes", "processes", NULL, SWT_CELL_INT, 0 },
		{ "contention_percent", "contention %", "percent",
		  SWT_CELL_FIXED, 0 },
		{ "error", "error", NULL, SWT_CELL_STR, 0 },
	};
	static const struct swt_model_def def =
		DEF("sessions", "Sessions", SWT_SECTION_TABLE, 0, cols);
	struct swt_model_section *s = swt_model_add_section(m, &def);
	size_t i, k = 0;

	for (i = 0; i < h->n_runs; i++) {
		const struct swt_diff_run *r = &h->runs[i];
		const struct swt_session_result *ss =
			r->an ? &r->an->result->session : NULL;

		swt_model_add_row(s, NULL);
		if (ss)
			swt_model_cell_int(s, (int64_t)++k);
		else
			swt_model_cell_null(s);
		swt_model_cell_str(s, r->path);
		if (!ss) {
			swt_model_cell_null(s);
			swt_model_cell_enum(s, "unreadable");
			swt_model_cell_null(s);
			swt_model_cell_null(s);
			swt_model_cell_null(s);
			swt_model_cell_null(s);
			swt_model_cell_str(s, r->errmsg);
			continue;
		}
		swt_model_cell_str(s, utc(m, ss->start_wall_ns));
		swt_model_cell_enum(s, swt_analysis_incomplete(r->an) ?
					       "incomplete" :
					       "complete");
		swt_model_cell_fixed(s, ss->duration_ns, 9, 3);
		swt_model_cell_fixed(s, ss->cpu_ms, 3, 3);
		swt_model_cell_int(s, (int64_t)ss->processes);
		if (ss->has_contention)
			swt_model_cell_fixed(s, ss->contention_mpct, 3, 1);
		else
			swt_model_cell_null(s);
		swt_model_cell_str(s, "");
	}
}

static void hist_series(struct swt_model *m, const struct swt_history *h)
{
	static const struct swt_model_col cols[] = {
		{ "kind", "kind", NULL, SWT_CELL_ENUM, 0 },
		{ "name", "name", NULL, SWT_CELL_STR, 0 },
		{ "process", "process", NULL, SWT_CELL_STR, 0 },
		{ "metric", "metric", NULL, SWT_CELL_ENUM, 0 },
		{ "sessions", "n", NULL, SWT_CELL_INT, 0 },
		{ "first", "first", NULL, SWT_CELL_FIXED, 0 },
		{ "last", "last", NULL, SWT_CELL_FIXED, 0 },
		{ "min", "min", NULL, SWT_CELL_FIXED, 0 },
		{ "max", "max", NULL, SWT_CELL_FIXED, 0 },
		{ "change_percent", "change %", "percent", SWT_CELL_FIXED, 0 },
		{ "trend", "trend", NULL, SWT_CELL_ENUM, 0 },
		{ "slope_per_session", "per session", NULL, SWT_CELL_FIXED,
		  0 },
		{ "step_at", "step at #", NULL, SWT_CELL_INT, 0 },
		{ "step_file", "step file", NULL, SWT_CELL_STR, 0 },
		{ "step_change", "step", NULL, SWT_CELL_FIXED, 0 },
		{ "step_percent", "step %", "percent", SWT_CELL_FIXED, 0 },
		{ "step_p_value", "p", NULL, SWT_CELL_FIXED, 0 },
		{ "values", "values", NULL, SWT_CELL_LIST, SWT_COL_JSON_ONLY },
	};
	static const struct swt_model_def def =
		DEF("series", "Modules across the sessions", SWT_SECTION_TABLE,
		    0, cols);
	struct swt_model_section *s = swt_model_add_section(m, &def);
	const struct swt_diff_run **an;
	size_t i, k, n_an = 0;

	an = swt_model_keep(m, swt_calloc(h->n_runs ? h->n_runs : 1,
					  sizeof(*an)));
	for (i = 0; i < h->n_runs; i++)
		if (h->runs[i].an)
			an[n_an++] = &h->runs[i];
	for (i = 0; i < h->n_series; i++) {
		const struct swt_history_series *hs = &h->series[i];
		const struct swt_diff_module *dm = &h->modules[hs->subject];
		const char **vals = swt_model_keep(
			m, swt_calloc(hs->n ? hs->n : 1, sizeof(*vals)));

		swt_model_add_row(s, NULL);
		swt_model_cell_enum(s, dm->who.kind);
		swt_model_cell_str(s, dm->who.name);
		swt_model_cell_str(s, dm->who.process);
		swt_model_cell_enum(s, hs->metric);
		swt_model_cell_int(s, (int64_t)hs->present);
		swt_model_cell_fixed(s, hs->first, hs->scale, hs->dec);
		swt_model_cell_fixed(s, hs->last, hs->scale, hs->dec);
		swt_model_cell_fixed(s, hs->min, hs->scale, hs->dec);
		swt_model_cell_fixed(s, hs->max, hs->scale, hs->dec);
		if (hs->has_rel)
			swt_model_cell_fixed(s, hs->rel_mpct, 3, 1);
		else
			swt_model_cell_null(s);
		swt_model_cell_enum(s, swt_trend_dir_name(hs->trend));
		if (hs->trend != SWT_HTREND_TOO_FEW)
			swt_model_cell_fixed(s, hs->slope_milli / 1000,
					     hs->scale, hs->dec);
		else
			swt_model_cell_null(s);
		if (hs->has_step) {
			swt_model_cell_int(s, (int64_t)hs->step_at + 1);
			swt_model_cell_str(s, hs->step_at < n_an ?
						      an[hs->step_at]->path :
						      "");
			swt_model_cell_fixed(s, hs->step_change, hs->scale,
					     hs->dec);
			if (hs->step_has_rel)
				swt_model_cell_fixed(s, hs->step_rel_mpct, 3,
						     1);
			else
				swt_model_cell_null(s);
			swt_model_cell_fixed(s, hs->step_p_ppm, 6, 4);
		} else {
			for (k = 0; k < 5; k++)
				swt_model_cell_null(s);
		}
		for (k = 0; k < hs->n; k++) {
			struct swt_buf b = SWT_BUF_INIT;

			swt_buf_fixed(&b, hs->v[k], hs->scale, hs->dec);
			vals[k] = swt_model_keep(m, b.ptr);
		}
		swt_model_cell_list(s, hs->n, vals, " ");
	}
	swt_model_note(s, "trend: Mann-Kendall over the sessions in time "
		       "order (|z| >= 1.96) and a Theil-Sen slope whose change "
		       "over the history reaches the minimum effect; step: "
		       "the split into before and after (2 sessions each at "
		       "least) with the smallest exact Mann-Whitney p, kept "
		       "when p < diff_significance and the shift reaches the "
		       "minimum effect (docs/ci.md)");
}

void swt_history_model_build(struct swt_model **out,
			     const struct swt_history *h)
{
	struct swt_model *m;
	size_t n_an = 0, i;

	for (i = 0; i < h->n_runs; i++)
		n_an += h->runs[i].an != NULL;
	swt_model_new(&m, "swanalyze", "history", SWT_DIFF_SCHEMA_VERSION);
	swt_model_summary(m, "History of %zu session%s in time order: %zu "
			  "step change%s, %zu trend%s.",
			  n_an, n_an == 1 ? "" : "s", h->n_steps,
			  h->n_steps == 1 ? "" : "s", h->n_trends,
			  h->n_trends == 1 ? "" : "s");
	hist_sessions(m, h);
	hist_series(m, h);
	*out = m;
}
