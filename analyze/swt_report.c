/* swt_report.c — report writers (see swt_report.h).
 *
 * Text, Markdown and CSV are rendered from the same tables (a section is a
 * table of cells, a key/value section a two-column table), so the three
 * always say the same thing; JSON has its own writer because its shape
 * (nested objects, null, numbers) is a documented contract. */
#include "swt_report.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "swt_alloc.h"
#include "swt_status.h"

#define NS_PER_S INT64_C(1000000000)
/* Text tables cut long command lines (JSON and CSV keep them whole). */
#define TEXT_COMMAND_MAX 48
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
	}
	return "?";
}

int swt_report_format_parse(enum swt_report_format *out, const char *s)
{
	int f;

	for (f = SWT_FORMAT_TEXT; f <= SWT_FORMAT_MARKDOWN; f++) {
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

static const char *alert_unit(enum swt_alert_kind k)
{
	switch (k) {
	case SWT_ALERT_CPU:
		return "percent";
	case SWT_ALERT_MEMORY:
		return "MB";
	case SWT_ALERT_RATE:
		return "per_minute";
	}
	return "?";
}

static const char *resource_unit(enum swt_resource r)
{
	return r == SWT_RES_CPU ? "percent" : "MB";
}

/* Modules that did anything: CPU, memory or calls. */
static bool module_active(const struct swt_module_result *m)
{
	return m->cpu_avg_mpct > 0 || m->cpu_peak_mpct > 0 || m->calls > 0 ||
	       (m->has_memory && m->mem_peak_mmb > 0);
}

static size_t count_active(const struct swt_result *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->n_modules; i++)
		n += module_active(&r->modules[i]);
	return n;
}

/* ---- cells ---------------------------------------------------------------- */

static char *s_fixed(int64_t v, unsigned scale, unsigned dec)
{
	struct swt_buf b = SWT_BUF_INIT;

	swt_buf_fixed(&b, v, scale, dec);
	return b.ptr;
}

/* thousandths with one decimal: percents, MB, rates */
static char *s_one(int64_t milli)
{
	return s_fixed(milli, 3, 1);
}

static char *s_milli(int64_t milli)
{
	return s_fixed(milli, 3, 3);
}

static char *s_secs(int64_t ns)
{
	return s_fixed(ns, 9, 3);
}

static char *s_int(int64_t v)
{
	struct swt_buf b = SWT_BUF_INIT;

	swt_buf_i64(&b, v);
	return b.ptr;
}

static char *s_str(const char *s)
{
	return swt_strdup(s ? s : "");
}

/* A thousandths value printed with as many decimals as it needs (at least
 * one): thresholds are shown as they were given. */
static char *s_trim(int64_t milli)
{
	unsigned dec = 3;

	while (dec > 1 && milli % 10 == 0) {
		milli /= 10;
		dec--;
	}
	return s_fixed(milli, dec, dec);
}

static char *s_threshold(const struct swt_thresholds *th,
			 enum swt_th_key k)
{
	return swt_th_key_is_count(k) ? s_int(th->v[k]) : s_trim(th->v[k]);
}

static char *s_heavy(const struct swt_thresholds *th)
{
	struct swt_buf b = SWT_BUF_INIT;
	size_t i;

	for (i = 0; i < th->n_heavy; i++)
		swt_buf_printf(&b, "%s%s", i ? "," : "", th->heavy[i]);
	return b.ptr ? b.ptr : swt_strdup("");
}

static char *s_command(const struct swt_session_result *s)
{
	struct swt_buf b = SWT_BUF_INIT;
	size_t i;

	for (i = 0; i < s->n_command; i++)
		swt_buf_printf(&b, "%s%s", i ? " " : "", s->command[i]);
	return b.ptr ? b.ptr : swt_strdup("");
}

static char *s_active(const struct swt_spike_result *sp)
{
	struct swt_buf b = SWT_BUF_INIT;
	size_t i;

	for (i = 0; i < sp->n_active; i++)
		swt_buf_printf(&b, "%s%s", i ? "," : "", sp->active[i]);
	return b.ptr ? b.ptr : swt_strdup("");
}

/* ---- tables --------------------------------------------------------------- */

#define MAX_COLS 16

struct table {
	const char *id;		/* CSV section name */
	const char *title;	/* text and Markdown heading */
	size_t ncol;
	const char *head[MAX_COLS];	/* text and Markdown */
	const char *key[MAX_COLS];	/* CSV (snake_case like JSON) */
	bool num[MAX_COLS];		/* right-aligned */
	bool cut[MAX_COLS];		/* cut in text (command lines) */
	char **cells;
	size_t n, cap;		/* cells */
	char *note;		/* a line after the table, or NULL */
	bool kv;		/* key/value: no header line in text */
};

/* Columns as "Head|csv_key|flags" strings: flags 'n' numeric, 'c' cut. */
static void table_init(struct table *t, const char *id, const char *title,
		       const char *const *cols, size_t ncol)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	t->id = id;
	t->title = title;
	t->ncol = ncol;
	for (i = 0; i < ncol; i++) {
		t->head[i] = cols[3 * i];
		t->key[i] = cols[3 * i + 1];
		t->num[i] = strchr(cols[3 * i + 2], 'n') != NULL;
		t->cut[i] = strchr(cols[3 * i + 2], 'c') != NULL;
	}
}

/* Append one cell (owned by the table from now on). */
static void cell(struct table *t, char *s)
{
	t->cells = swt_grow(t->cells, &t->cap, t->n + 1, sizeof(*t->cells));
	t->cells[t->n++] = s ? s : swt_strdup("");
}

static void table_fini(struct table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->note);
}

static size_t rows(const struct table *t)
{
	return t->n / t->ncol;
}

/* Display width: UTF-8 code points. */
static size_t width(const char *s, size_t len)
{
	size_t i, w = 0;

	for (i = 0; i < len; i++)
		w += ((unsigned char)s[i] & 0xc0) != 0x80;
	return w;
}

/* Bytes of s that fit in max code points, cut with "..." if longer. */
static size_t cut_len(const char *s, size_t max, bool *cut)
{
	size_t i, w = 0, len = strlen(s);

	*cut = false;
	if (width(s, len) <= max)
		return len;
	for (i = 0; i < len; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80) {
			if (w == max - 3)
				break;
			w++;
		}
	}
	*cut = true;
	return i;
}

static void pad(struct swt_buf *b, size_t n)
{
	while (n--)
		swt_buf_putc(b, ' ');
}

static void trim_line(struct swt_buf *b)
{
	while (b->len && b->ptr[b->len - 1] == ' ')
		b->ptr[--b->len] = '\0';
	swt_buf_putc(b, '\n');
}

/* One text cell: s cut to TEXT_COMMAND_MAX code points in cut columns. */
static size_t text_cell(const struct table *t, size_t c, const char *s,
			size_t *len, bool *cut)
{
	*cut = false;
	*len = t->cut[c] ? cut_len(s, TEXT_COMMAND_MAX, cut) : strlen(s);
	return width(s, *len) + (*cut ? 3 : 0);
}

static void text_row(struct swt_buf *b, const struct table *t,
		     const size_t *w, const char *const *cells)
{
	size_t c, len, cw;
	bool cut;

	swt_buf_puts(b, "  ");
	for (c = 0; c < t->ncol; c++) {
		cw = text_cell(t, c, cells[c], &len, &cut);
		if (c)
			swt_buf_puts(b, "  ");
		if (t->num[c])
			pad(b, w[c] - cw);
		swt_buf_add(b, cells[c], len);
		if (cut)
			swt_buf_puts(b, "...");
		if (!t->num[c])
			pad(b, w[c] - cw);
	}
	trim_line(b);
}

static void text_table(struct swt_buf *b, const struct table *t)
{
	size_t w[MAX_COLS], i, len, cw;
	bool cut;

	swt_buf_printf(b, "%s\n", t->title);
	if (rows(t) == 0) {
		swt_buf_puts(b, "  (none)\n");
		goto note;
	}
	for (i = 0; i < t->ncol; i++)
		w[i] = t->kv ? 0 : width(t->head[i], strlen(t->head[i]));
	for (i = 0; i < t->n; i++) {
		cw = text_cell(t, i % t->ncol, t->cells[i], &len, &cut);
		if (cw > w[i % t->ncol])
			w[i % t->ncol] = cw;
	}
	if (!t->kv)
		text_row(b, t, w, t->head);
	for (i = 0; i < t->n; i += t->ncol)
		text_row(b, t, w, (const char *const *)&t->cells[i]);
note:
	if (t->note)
		swt_buf_printf(b, "  %s\n", t->note);
	swt_buf_putc(b, '\n');
}

static void md_cell(struct swt_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '|' || *s == '\\' || *s == '*' ||
		    *s == '`' || *s == '<' || *s == '>' || *s == '[' ||
		    *s == ']')
			swt_buf_putc(b, '\\');
		swt_buf_putc(b, *s);
	}
}

static void md_table(struct swt_buf *b, const struct table *t)
{
	size_t i, j;

	swt_buf_printf(b, "## %s\n\n", t->title);
	if (rows(t) == 0) {
		swt_buf_puts(b, "_None._\n\n");
		goto note;
	}
	swt_buf_puts(b, "|");
	for (j = 0; j < t->ncol; j++) {
		swt_buf_puts(b, " ");
		md_cell(b, t->head[j]);
		swt_buf_puts(b, " |");
	}
	swt_buf_puts(b, "\n|");
	for (j = 0; j < t->ncol; j++)
		swt_buf_puts(b, t->num[j] ? " ---: |" : " --- |");
	swt_buf_putc(b, '\n');
	for (i = 0; i < t->n; i++) {
		if (i % t->ncol == 0)
			swt_buf_puts(b, "|");
		swt_buf_puts(b, " ");
		md_cell(b, t->cells[i]);
		swt_buf_puts(b, " |");
		if (i % t->ncol == t->ncol - 1)
			swt_buf_putc(b, '\n');
	}
	swt_buf_putc(b, '\n');
note:
	if (t->note) {
		md_cell(b, t->note);
		swt_buf_puts(b, "\n\n");
	}
}

/* RFC 4180 quoting when needed. */
static void csv_cell(struct swt_buf *b, const char *s)
{
	const char *p;

	if (!strpbrk(s, ",\"\r\n") && s[0] != ' ' &&
	    (!*s || s[strlen(s) - 1] != ' ')) {
		swt_buf_puts(b, s);
		return;
	}
	swt_buf_putc(b, '"');
	for (p = s; *p; p++) {
		if (*p == '"')
			swt_buf_putc(b, '"');
		swt_buf_putc(b, *p);
	}
	swt_buf_putc(b, '"');
}

static void csv_table(struct swt_buf *b, const struct table *t, bool first)
{
	size_t i, j;

	if (!first)
		swt_buf_putc(b, '\n');
	swt_buf_puts(b, "section");
	for (j = 0; j < t->ncol; j++) {
		swt_buf_putc(b, ',');
		swt_buf_puts(b, t->key[j]);
	}
	swt_buf_putc(b, '\n');
	for (i = 0; i < t->n; i++) {
		if (i % t->ncol == 0)
			swt_buf_puts(b, t->id);
		swt_buf_putc(b, ',');
		csv_cell(b, t->cells[i]);
		if (i % t->ncol == t->ncol - 1)
			swt_buf_putc(b, '\n');
	}
}

/* The sections of one report, rendered as they are added. */
struct out {
	struct swt_buf *b;
	enum swt_report_format fmt;
	bool first;
};

static void emit(struct out *o, struct table *t)
{
	switch (o->fmt) {
	case SWT_FORMAT_TEXT:
		text_table(o->b, t);
		break;
	case SWT_FORMAT_MARKDOWN:
		md_table(o->b, t);
		break;
	case SWT_FORMAT_CSV:
		csv_table(o->b, t, o->first);
		break;
	case SWT_FORMAT_JSON:
		break;
	}
	o->first = false;
	table_fini(t);
}

static const char *const kv_cols[] = {
	"key", "key", "", "value", "value", "",
};

static void kv(struct table *t, const char *key, char *value)
{
	t->kv = true;
	cell(t, s_str(key));
	cell(t, value);
}

/* ---- sections ------------------------------------------------------------- */

/* "N more WHAT" under a table that does not list them all (not in CSV,
 * whose tables are data only). */
static void note_more(const struct out *o, struct table *t, uint64_t n,
		      const char *what)
{
	struct swt_buf b = SWT_BUF_INIT;

	if (o->fmt == SWT_FORMAT_CSV)
		return;
	swt_buf_printf(&b, "%llu more %s", (unsigned long long)n, what);
	t->note = b.ptr;
}

static void sec_session(struct out *o, const struct swt_report_input *in)
{
	const struct swt_session_result *s = &in->result->session;
	struct table t;

	table_init(&t, "session", "Session", kv_cols, 2);
	kv(&t, "command", s_command(s));
	kv(&t, "recorder", s_str(s->recorder));
	kv(&t, "duration_s", s_secs(s->duration_ns));
	kv(&t, "interval_s", s_secs(s->interval_ns));
	kv(&t, "samples", s_int((int64_t)s->samples));
	kv(&t, "processes", s_int((int64_t)s->processes));
	kv(&t, "process_samples", s_int((int64_t)s->proc_samples));
	kv(&t, "events", s_int((int64_t)s->events));
	kv(&t, "dropped_events", s_int((int64_t)s->dropped_events));
	kv(&t, "span_anomalies", s_int((int64_t)s->span_anomalies));
	kv(&t, "clock_ticks", s_int(s->clock_ticks));
	kv(&t, "cpu_count", s_int(s->cpu_count));
	kv(&t, "complete",
	   s_str(in->n_lost == 0 && !in->truncated ? "yes" : "no"));
	kv(&t, "missed_samples", s_int((int64_t)s->missed_samples));
	emit(o, &t);
}

static void sec_damage(struct out *o, const struct swt_report_input *in)
{
	static const char *const cols[] = {
		"loss", "loss", "", "from s", "from_s", "n",
		"to s", "to_s", "n", "offset", "offset", "n",
		"bytes", "length", "n", "status", "status", "",
		"what", "what", "",
	};
	struct table t;
	size_t i;

	if (o->fmt != SWT_FORMAT_CSV && in->n_lost == 0)
		return;
	table_init(&t, "damage", "Lost data", cols, 7);
	for (i = 0; i < in->n_lost; i++) {
		const struct swt_lost_range *l = &in->lost[i];

		cell(&t, s_str(loss_name(l->loss)));
		cell(&t, l->loss != SWT_LOSS_NONE && l->from_known ?
				 s_secs(l->from_ns) :
				 NULL);
		cell(&t, l->loss == SWT_LOSS_RANGE ? s_secs(l->to_ns) : NULL);
		cell(&t, s_int((int64_t)l->offset));
		cell(&t, s_int((int64_t)l->length));
		cell(&t, s_str(damage_status_name(l->status)));
		cell(&t, s_str(l->what));
	}
	emit(o, &t);
}

static void sec_thresholds(struct out *o, const struct swt_thresholds *th)
{
	static const char *const cols[] = {
		"key", "key", "", "value", "value", "n",
		"source", "source", "",
	};
	struct table t;
	struct swt_buf k = SWT_BUF_INIT;
	size_t i;

	table_init(&t, "thresholds", "Thresholds", cols, 3);
	for (i = 0; i < SWT_TH_N_SCALAR; i++) {
		cell(&t, s_str(swt_th_key_name((enum swt_th_key)i)));
		cell(&t, s_threshold(th, (enum swt_th_key)i));
		cell(&t, s_str(swt_th_source_name(th->src[i])));
	}
	cell(&t, s_str("heavy_patterns"));
	cell(&t, s_heavy(th));
	cell(&t, s_str(swt_th_source_name(th->heavy_src)));
	for (i = 0; i < th->n_rates; i++) {
		swt_buf_clear(&k);
		swt_buf_printf(&k, "rate.%s", th->rates[i].counter);
		cell(&t, s_str(k.ptr));
		cell(&t, s_trim(th->rates[i].per_minute_milli));
		cell(&t, s_str(swt_th_source_name(th->rates[i].source)));
	}
	swt_buf_fini(&k);
	emit(o, &t);
}

static void sec_resources(struct out *o, const struct swt_result *r)
{
	static const char *const cols[] = {
		"resource", "resource", "", "unit", "unit", "",
		"avg", "avg", "n", "peak", "peak", "n", "end", "end", "n",
	};
	const struct swt_session_result *s = &r->session;
	struct table t;

	table_init(&t, "resources", "Resources", cols, 5);
	cell(&t, s_str("cpu"));
	cell(&t, s_str("percent"));
	cell(&t, s_one(s->cpu_avg_mpct));
	cell(&t, s_one(s->cpu_peak_mpct));
	cell(&t, s_one(s->cpu_end_mpct));
	cell(&t, s_str("memory"));
	cell(&t, s_str("MB"));
	cell(&t, s_one(s->mem_avg_mmb));
	cell(&t, s_one(s->mem_peak_mmb));
	cell(&t, s_one(s->mem_end_mmb));
	emit(o, &t);
}

static void sec_summary(struct out *o, const struct swt_result *r,
			enum swt_report_kind kind)
{
	struct table t;

	table_init(&t, "summary", "Summary", kv_cols, 2);
	if (kind != SWT_REPORT_LIGHTWEIGHT)
		kv(&t, "total_weight", s_milli(r->total_weight));
	kv(&t, "modules", s_int((int64_t)r->n_modules));
	kv(&t, "active_modules", s_int((int64_t)count_active(r)));
	if (kind != SWT_REPORT_WEIGHT)
		kv(&t, "alerts", s_int((int64_t)r->alerts_total));
	if (kind == SWT_REPORT_FULL) {
		kv(&t, "spikes", s_int((int64_t)r->spikes_total));
		kv(&t, "leaks", s_int((int64_t)r->n_leaks));
		kv(&t, "bottlenecks", s_int((int64_t)r->n_bottlenecks));
		kv(&t, "recommendations",
		   s_int((int64_t)r->n_recommendations));
	}
	emit(o, &t);
}

static void sec_active(struct out *o, const struct swt_result *r)
{
	static const char *const cols[] = {
		"name", "name", "", "kind", "kind", "",
		"process", "process", "", "cpu % avg", "cpu_percent_avg", "n",
		"mem MB avg", "memory_mb_avg", "n", "weight", "weight", "n",
		"priority", "priority", "",
	};
	struct table t;
	size_t i, n = 0, active = count_active(r);

	table_init(&t, "active_modules", "Active modules", cols, 7);
	for (i = 0; i < r->n_modules && n < LIGHT_MODULES_MAX; i++) {
		const struct swt_module_result *m = &r->modules[i];

		if (!module_active(m))
			continue;
		n++;
		cell(&t, s_str(m->subj.name));
		cell(&t, s_str(swt_kind_name(m->subj.kind)));
		cell(&t, s_str(m->subj.process));
		cell(&t, s_one(m->cpu_avg_mpct));
		cell(&t, m->has_memory ? s_one(m->mem_avg_mmb) : NULL);
		cell(&t, s_milli(m->weight));
		cell(&t, s_str(swt_priority_name(m->priority)));
	}
	if (active > n)
		note_more(o, &t, active - n, "active modules in the full report");
	emit(o, &t);
}

static void sec_modules(struct out *o, const struct swt_result *r)
{
	static const char *const cols[] = {
		"name", "name", "", "kind", "kind", "",
		"process", "process", "", "n", "instances", "n",
		"cpu % avg", "cpu_percent_avg", "n",
		"cpu % peak", "cpu_percent_peak", "n",
		"mem MB avg", "memory_mb_avg", "n",
		"mem MB peak", "memory_mb_peak", "n",
		"calls/min", "calls_per_minute", "n",
		"weight", "weight", "n", "priority", "priority", "",
		"command", "command", "c",
	};
	struct table t;
	size_t i;

	table_init(&t, "modules", "Modules", cols, 12);
	for (i = 0; i < r->n_modules; i++) {
		const struct swt_module_result *m = &r->modules[i];

		cell(&t, s_str(m->subj.name));
		cell(&t, s_str(swt_kind_name(m->subj.kind)));
		cell(&t, s_str(m->subj.process));
		cell(&t, s_int((int64_t)m->instances));
		cell(&t, s_one(m->cpu_avg_mpct));
		cell(&t, s_one(m->cpu_peak_mpct));
		cell(&t, m->has_memory ? s_one(m->mem_avg_mmb) : NULL);
		cell(&t, m->has_memory ? s_one(m->mem_peak_mmb) : NULL);
		cell(&t, s_one(m->calls_per_min_milli));
		cell(&t, s_milli(m->weight));
		cell(&t, s_str(swt_priority_name(m->priority)));
		cell(&t, s_str(m->subj.command));
	}
	emit(o, &t);
}

static void sec_counters(struct out *o, const struct swt_result *r)
{
	static const char *const cols[] = {
		"name", "name", "", "count", "count", "n",
		"per min", "per_minute", "n",
		"limit per min", "threshold_per_minute", "n",
		"exceeded", "exceeded", "",
		"alerts", "alerts", "n",
		"note", "note", "",
	};
	struct table t;
	size_t i;

	table_init(&t, "counters", "Counters", cols, 7);
	for (i = 0; i < r->n_counters; i++) {
		const struct swt_counter_result *c = &r->counters[i];

		cell(&t, s_str(c->name));
		cell(&t, s_int(c->count));
		cell(&t, s_one(c->per_min_milli));
		cell(&t, c->has_threshold ? s_one(c->threshold_milli) : NULL);
		cell(&t, s_str(c->exceeded ? "yes" : "no"));
		cell(&t, s_int((int64_t)c->alerts));
		cell(&t, s_str(c->note));
	}
	emit(o, &t);
}

static void sec_spikes(struct out *o, const struct swt_result *r)
{
	static const char *const cols[] = {
		"start s", "start_s", "n", "duration s", "duration_s", "n",
		"resource", "resource", "", "subject", "subject", "",
		"kind", "kind", "", "peak", "peak", "n",
		"baseline", "baseline", "n", "threshold", "threshold", "n",
		"unit", "unit", "", "peak at s", "peak_s", "n",
		"active", "active_modules", "",
	};
	struct table t;
	size_t i;

	table_init(&t, "spikes", "Spikes", cols, 11);
	for (i = 0; i < r->n_spikes; i++) {
		const struct swt_spike_result *s = &r->spikes[i];

		cell(&t, s_secs(s->start_ns));
		cell(&t, s_secs(s->duration_ns));
		cell(&t, s_str(swt_resource_name(s->resource)));
		cell(&t, s_str(s->subj.name));
		cell(&t, s_str(swt_kind_name(s->subj.kind)));
		cell(&t, s_one(s->peak));
		cell(&t, s_one(s->baseline));
		cell(&t, s_one(s->threshold));
		cell(&t, s_str(resource_unit(s->resource)));
		cell(&t, s_secs(s->peak_t_ns));
		cell(&t, s_active(s));
	}
	if (r->spikes_total > r->n_spikes)
		note_more(o, &t, r->spikes_total - r->n_spikes,
			  "spikes not listed");
	emit(o, &t);
}

static void sec_leaks(struct out *o, const struct swt_result *r)
{
	static const char *const cols[] = {
		"subject", "subject", "", "kind", "kind", "",
		"process", "process", "", "MB/min", "slope_mb_per_min", "n",
		"confidence %", "confidence", "n", "first MB", "first_mb", "n",
		"last MB", "last_mb", "n", "samples", "samples", "n",
		"command", "command", "c",
	};
	struct table t;
	size_t i;

	table_init(&t, "leaks", "Memory leaks", cols, 9);
	for (i = 0; i < r->n_leaks; i++) {
		const struct swt_leak_result *l = &r->leaks[i];

		cell(&t, s_str(l->subj.name));
		cell(&t, s_str(swt_kind_name(l->subj.kind)));
		cell(&t, s_str(l->subj.process));
		cell(&t, s_one(l->slope_mmb_per_min));
		cell(&t, s_one(l->confidence_mpct));
		cell(&t, s_one(l->first_mmb));
		cell(&t, s_one(l->last_mmb));
		cell(&t, s_int((int64_t)l->samples));
		cell(&t, s_str(l->subj.command));
	}
	emit(o, &t);
}

static void sec_trend(struct out *o, const struct swt_result *r)
{
	const struct swt_trend_result *tr = &r->trend;
	struct table t;

	table_init(&t, "trend", "Resource trend", kv_cols, 2);
	kv(&t, "overall", s_str(swt_direction_name(tr->overall)));
	kv(&t, "memory", s_str(swt_direction_name(tr->memory)));
	kv(&t, "memory_mb_per_min", s_one(tr->memory_slope_mmb_per_min));
	kv(&t, "cpu", s_str(swt_direction_name(tr->cpu)));
	kv(&t, "cpu_percent_per_min", s_one(tr->cpu_slope_mpct_per_min));
	emit(o, &t);
}

static void sec_bottlenecks(struct out *o, const struct swt_result *r)
{
	static const char *const cols[] = {
		"subject", "subject", "", "kind", "kind", "",
		"process", "process", "", "reason", "reason", "",
		"cpu % avg", "cpu_percent_avg", "n",
		"cpu % peak", "cpu_percent_peak", "n",
		"saturated %", "saturated_percent", "n",
		"calls/min", "calls_per_minute", "n",
		"pattern", "pattern", "",
	};
	struct table t;
	size_t i;

	table_init(&t, "bottlenecks", "Bottlenecks", cols, 9);
	for (i = 0; i < r->n_bottlenecks; i++) {
		const struct swt_bottleneck_result *b = &r->bottlenecks[i];

		cell(&t, s_str(b->subj.name));
		cell(&t, s_str(swt_kind_name(b->subj.kind)));
		cell(&t, s_str(b->subj.process));
		cell(&t, s_str(swt_bottleneck_reason_name(b->reason)));
		cell(&t, s_one(b->cpu_avg_mpct));
		cell(&t, s_one(b->cpu_peak_mpct));
		cell(&t, s_fixed(b->saturated_permille, 1, 1));
		cell(&t, s_one(b->calls_per_min_milli));
		cell(&t, s_str(b->pattern));
	}
	emit(o, &t);
}

static void sec_alerts(struct out *o, const struct swt_result *r)
{
	static const char *const cols[] = {
		"t s", "t_s", "n", "kind", "kind", "",
		"subject", "subject", "", "subject kind", "subject_kind", "",
		"process", "process", "", "value", "value", "n",
		"threshold", "threshold", "n", "unit", "unit", "",
	};
	struct table t;
	size_t i;

	table_init(&t, "alerts", "Alerts", cols, 8);
	for (i = 0; i < r->n_alerts; i++) {
		const struct swt_alert_result *a = &r->alerts[i];

		cell(&t, s_secs(a->t_ns));
		cell(&t, s_str(swt_alert_kind_name(a->kind)));
		cell(&t, s_str(a->subj.name));
		cell(&t, s_str(swt_kind_name(a->subj.kind)));
		cell(&t, s_str(a->subj.process));
		cell(&t, s_one(a->value));
		cell(&t, s_one(a->threshold));
		cell(&t, s_str(alert_unit(a->kind)));
	}
	if (r->alerts_total > r->n_alerts)
		note_more(o, &t, r->alerts_total - r->n_alerts,
			  "alerts not listed");
	emit(o, &t);
}

static void sec_recs(struct out *o, const struct swt_result *r)
{
	static const char *const cols[] = {
		"priority", "priority", "", "subject", "subject", "",
		"recommendation", "text", "",
	};
	struct table t;
	size_t i;

	table_init(&t, "recommendations", "Recommendations", cols, 3);
	for (i = 0; i < r->n_recommendations; i++) {
		const struct swt_recommendation *c = &r->recommendations[i];

		cell(&t, s_str(swt_priority_name(c->priority)));
		cell(&t, s_str(c->subject));
		cell(&t, s_str(c->text));
	}
	emit(o, &t);
}

static void tables(struct swt_buf *b, const struct swt_report_input *in,
		   enum swt_report_kind kind, enum swt_report_format fmt)
{
	const struct swt_result *r = in->result;
	struct out o = { b, fmt, true };

	if (fmt == SWT_FORMAT_TEXT)
		swt_buf_printf(b, "swanalyze %s report\n\n",
			       swt_report_kind_name(kind));
	else if (fmt == SWT_FORMAT_MARKDOWN)
		swt_buf_printf(b, "# swanalyze %s report\n\n",
			       swt_report_kind_name(kind));
	sec_session(&o, in);
	sec_damage(&o, in);
	sec_thresholds(&o, r->thresholds);
	if (kind != SWT_REPORT_WEIGHT)
		sec_resources(&o, r);
	sec_summary(&o, r, kind);
	if (kind == SWT_REPORT_LIGHTWEIGHT) {
		sec_active(&o, r);
		goto out;
	}
	sec_modules(&o, r);
	if (kind == SWT_REPORT_FULL) {
		sec_counters(&o, r);
		sec_spikes(&o, r);
	}
	sec_leaks(&o, r);
	sec_trend(&o, r);
	sec_bottlenecks(&o, r);
	if (kind == SWT_REPORT_FULL) {
		sec_alerts(&o, r);
		sec_recs(&o, r);
	}
out:
	/* text and Markdown end with one newline, not a blank line */
	if (fmt != SWT_FORMAT_CSV && b->len >= 2 &&
	    b->ptr[b->len - 1] == '\n' && b->ptr[b->len - 2] == '\n')
		b->ptr[--b->len] = '\0';
}

/* ---- JSON ----------------------------------------------------------------- */

/* A pretty-printing JSON writer: two spaces per level, one member or
 * element per line, "[]" and "{}" when empty. */
struct jw {
	struct swt_buf *b;
	int depth;
	bool has[32];		/* the open container has a member */
};

static void jw_indent(struct jw *w)
{
	int i;

	swt_buf_putc(w->b, '\n');
	for (i = 0; i < w->depth; i++)
		swt_buf_puts(w->b, "  ");
}

/* Start a member (key != NULL) or an element. */
static void jw_item(struct jw *w, const char *key)
{
	if (w->has[w->depth])
		swt_buf_putc(w->b, ',');
	w->has[w->depth] = true;
	jw_indent(w);
	if (key) {
		swt_buf_json_str(w->b, key, strlen(key));
		swt_buf_puts(w->b, ": ");
	}
}

static void jw_open(struct jw *w, const char *key, char c)
{
	if (w->depth > 0 || w->has[0])
		jw_item(w, key);
	else
		w->has[0] = true;	/* the top-level value */
	swt_buf_putc(w->b, c);
	w->depth++;
	w->has[w->depth] = false;
}

static void jw_close(struct jw *w, char c)
{
	bool had = w->has[w->depth];

	w->depth--;
	if (had)
		jw_indent(w);
	swt_buf_putc(w->b, c);
}

static void jw_str(struct jw *w, const char *key, const char *s)
{
	jw_item(w, key);
	s = s ? s : "";
	swt_buf_json_str(w->b, s, strlen(s));
}

static void jw_fixed(struct jw *w, const char *key, int64_t v,
		     unsigned scale, unsigned dec)
{
	jw_item(w, key);
	swt_buf_fixed(w->b, v, scale, dec);
}

static void jw_one(struct jw *w, const char *key, int64_t milli)
{
	jw_fixed(w, key, milli, 3, 1);
}

static void jw_secs(struct jw *w, const char *key, int64_t ns)
{
	jw_fixed(w, key, ns, 9, 3);
}

static void jw_int(struct jw *w, const char *key, int64_t v)
{
	jw_item(w, key);
	swt_buf_i64(w->b, v);
}

static void jw_bool(struct jw *w, const char *key, bool v)
{
	jw_item(w, key);
	swt_buf_puts(w->b, v ? "true" : "false");
}

static void jw_null(struct jw *w, const char *key)
{
	jw_item(w, key);
	swt_buf_puts(w->b, "null");
}

static void jw_trim(struct jw *w, const char *key, int64_t milli)
{
	char *s = s_trim(milli);

	jw_item(w, key);
	swt_buf_puts(w->b, s);
	free(s);
}

static void jw_subject(struct jw *w, const char *name_key,
		       const char *kind_key, const struct swt_subject *s)
{
	jw_str(w, name_key, s->name);
	jw_str(w, kind_key, swt_kind_name(s->kind));
	jw_str(w, "process", s->process);
	jw_str(w, "command", s->command);
}

static void json_session(struct jw *w, const struct swt_report_input *in)
{
	const struct swt_session_result *s = &in->result->session;
	size_t i;

	jw_open(w, "session", '{');
	jw_secs(w, "duration_s", s->duration_ns);
	jw_secs(w, "interval_s", s->interval_ns);
	jw_open(w, "command", '[');
	for (i = 0; i < s->n_command; i++)
		jw_str(w, NULL, s->command[i]);
	jw_close(w, ']');
	jw_int(w, "samples", (int64_t)s->samples);
	jw_str(w, "recorder", s->recorder);
	jw_int(w, "processes", (int64_t)s->processes);
	jw_int(w, "process_samples", (int64_t)s->proc_samples);
	jw_int(w, "events", (int64_t)s->events);
	jw_int(w, "dropped_events", (int64_t)s->dropped_events);
	jw_int(w, "span_anomalies", (int64_t)s->span_anomalies);
	jw_int(w, "clock_ticks", s->clock_ticks);
	jw_int(w, "cpu_count", s->cpu_count);
	jw_bool(w, "complete", in->n_lost == 0 && !in->truncated);
	jw_int(w, "missed_samples", (int64_t)s->missed_samples);
	jw_close(w, '}');

	jw_open(w, "damage", '[');
	for (i = 0; i < in->n_lost; i++) {
		const struct swt_lost_range *l = &in->lost[i];

		jw_open(w, NULL, '{');
		jw_str(w, "loss", loss_name(l->loss));
		if (l->loss != SWT_LOSS_NONE && l->from_known)
			jw_secs(w, "from_s", l->from_ns);
		else
			jw_null(w, "from_s");
		if (l->loss == SWT_LOSS_RANGE)
			jw_secs(w, "to_s", l->to_ns);
		else
			jw_null(w, "to_s");
		jw_int(w, "offset", (int64_t)l->offset);
		jw_int(w, "length", (int64_t)l->length);
		jw_str(w, "status", damage_status_name(l->status));
		jw_str(w, "what", l->what);
		jw_close(w, '}');
	}
	jw_close(w, ']');
}

static void json_thresholds(struct jw *w, const struct swt_thresholds *th)
{
	size_t i;

	jw_open(w, "thresholds", '{');
	for (i = 0; i < SWT_TH_N_SCALAR; i++) {
		const char *k = swt_th_key_name((enum swt_th_key)i);

		if (swt_th_key_is_count((enum swt_th_key)i))
			jw_int(w, k, th->v[i]);
		else
			jw_trim(w, k, th->v[i]);
	}
	jw_open(w, "heavy_patterns", '[');
	for (i = 0; i < th->n_heavy; i++)
		jw_str(w, NULL, th->heavy[i]);
	jw_close(w, ']');
	jw_open(w, "rates", '[');
	for (i = 0; i < th->n_rates; i++) {
		jw_open(w, NULL, '{');
		jw_str(w, "counter", th->rates[i].counter);
		jw_trim(w, "per_minute", th->rates[i].per_minute_milli);
		jw_str(w, "source", swt_th_source_name(th->rates[i].source));
		jw_close(w, '}');
	}
	jw_close(w, ']');
	jw_open(w, "sources", '{');
	for (i = 0; i < SWT_TH_N_SCALAR; i++)
		jw_str(w, swt_th_key_name((enum swt_th_key)i),
		       swt_th_source_name(th->src[i]));
	jw_str(w, "heavy_patterns", swt_th_source_name(th->heavy_src));
	jw_close(w, '}');
	jw_close(w, '}');
}

static void json_resources(struct jw *w, const struct swt_result *r)
{
	const struct swt_session_result *s = &r->session;

	jw_open(w, "cpu_percent", '{');
	jw_one(w, "avg", s->cpu_avg_mpct);
	jw_one(w, "peak", s->cpu_peak_mpct);
	jw_one(w, "end", s->cpu_end_mpct);
	jw_close(w, '}');
	jw_open(w, "memory_mb", '{');
	jw_one(w, "avg", s->mem_avg_mmb);
	jw_one(w, "peak", s->mem_peak_mmb);
	jw_one(w, "end", s->mem_end_mmb);
	jw_close(w, '}');
}

static void json_module(struct jw *w, const struct swt_module_result *m)
{
	jw_open(w, NULL, '{');
	jw_subject(w, "name", "kind", &m->subj);
	jw_int(w, "instances", (int64_t)m->instances);
	jw_one(w, "cpu_percent_avg", m->cpu_avg_mpct);
	jw_one(w, "cpu_percent_peak", m->cpu_peak_mpct);
	if (m->has_memory) {
		jw_one(w, "memory_mb_avg", m->mem_avg_mmb);
		jw_one(w, "memory_mb_peak", m->mem_peak_mmb);
	} else {
		jw_null(w, "memory_mb_avg");
		jw_null(w, "memory_mb_peak");
	}
	jw_int(w, "calls", m->calls);
	jw_one(w, "calls_per_minute", m->calls_per_min_milli);
	jw_fixed(w, "cpu_score", m->cpu_score, 3, 3);
	jw_fixed(w, "memory_score", m->mem_score, 3, 3);
	jw_fixed(w, "frequency_score", m->freq_score, 3, 3);
	jw_fixed(w, "weight", m->weight, 3, 3);
	jw_str(w, "priority", swt_priority_name(m->priority));
	jw_close(w, '}');
}

static void json_active(struct jw *w, const struct swt_result *r)
{
	size_t i, n = 0;

	jw_int(w, "active_module_count", (int64_t)count_active(r));
	jw_open(w, "active_modules", '[');
	for (i = 0; i < r->n_modules && n < LIGHT_MODULES_MAX; i++) {
		const struct swt_module_result *m = &r->modules[i];

		if (!module_active(m))
			continue;
		n++;
		jw_open(w, NULL, '{');
		jw_subject(w, "name", "kind", &m->subj);
		jw_one(w, "cpu_percent_avg", m->cpu_avg_mpct);
		if (m->has_memory)
			jw_one(w, "memory_mb_avg", m->mem_avg_mmb);
		else
			jw_null(w, "memory_mb_avg");
		jw_fixed(w, "weight", m->weight, 3, 3);
		jw_str(w, "priority", swt_priority_name(m->priority));
		jw_close(w, '}');
	}
	jw_close(w, ']');
}

static void json_counters(struct jw *w, const struct swt_result *r)
{
	size_t i;

	jw_open(w, "counters", '[');
	for (i = 0; i < r->n_counters; i++) {
		const struct swt_counter_result *c = &r->counters[i];

		jw_open(w, NULL, '{');
		jw_str(w, "name", c->name);
		jw_int(w, "count", c->count);
		jw_one(w, "per_minute", c->per_min_milli);
		if (c->has_threshold)
			jw_one(w, "threshold_per_minute", c->threshold_milli);
		else
			jw_null(w, "threshold_per_minute");
		jw_bool(w, "exceeded", c->exceeded);
		jw_int(w, "alerts", (int64_t)c->alerts);
		jw_str(w, "note", c->note);
		jw_close(w, '}');
	}
	jw_close(w, ']');
}

static void json_spikes(struct jw *w, const struct swt_result *r)
{
	size_t i, j;

	jw_open(w, "spikes", '[');
	for (i = 0; i < r->n_spikes; i++) {
		const struct swt_spike_result *s = &r->spikes[i];

		jw_open(w, NULL, '{');
		jw_str(w, "resource", swt_resource_name(s->resource));
		jw_subject(w, "subject", "kind", &s->subj);
		jw_secs(w, "start_s", s->start_ns);
		jw_secs(w, "duration_s", s->duration_ns);
		jw_secs(w, "peak_s", s->peak_t_ns);
		jw_one(w, "peak", s->peak);
		jw_one(w, "baseline", s->baseline);
		jw_one(w, "threshold", s->threshold);
		jw_str(w, "unit", resource_unit(s->resource));
		jw_open(w, "active_modules", '[');
		for (j = 0; j < s->n_active; j++)
			jw_str(w, NULL, s->active[j]);
		jw_close(w, ']');
		jw_close(w, '}');
	}
	jw_close(w, ']');
	jw_int(w, "spikes_total", (int64_t)r->spikes_total);
}

static void json_leaks(struct jw *w, const struct swt_result *r)
{
	size_t i;

	jw_open(w, "leaks", '[');
	for (i = 0; i < r->n_leaks; i++) {
		const struct swt_leak_result *l = &r->leaks[i];

		jw_open(w, NULL, '{');
		jw_subject(w, "subject", "kind", &l->subj);
		jw_one(w, "slope_mb_per_min", l->slope_mmb_per_min);
		jw_one(w, "confidence", l->confidence_mpct);
		jw_fixed(w, "z", l->z_milli, 3, 3);
		jw_one(w, "first_mb", l->first_mmb);
		jw_one(w, "last_mb", l->last_mmb);
		jw_int(w, "samples", (int64_t)l->samples);
		jw_close(w, '}');
	}
	jw_close(w, ']');
}

static void json_trend(struct jw *w, const struct swt_result *r)
{
	const struct swt_trend_result *t = &r->trend;

	jw_open(w, "trend", '{');
	jw_str(w, "overall", swt_direction_name(t->overall));
	jw_str(w, "memory", swt_direction_name(t->memory));
	jw_one(w, "memory_mb_per_min", t->memory_slope_mmb_per_min);
	jw_str(w, "cpu", swt_direction_name(t->cpu));
	jw_one(w, "cpu_percent_per_min", t->cpu_slope_mpct_per_min);
	jw_close(w, '}');
}

static void json_bottlenecks(struct jw *w, const struct swt_result *r)
{
	size_t i;

	jw_open(w, "bottlenecks", '[');
	for (i = 0; i < r->n_bottlenecks; i++) {
		const struct swt_bottleneck_result *b = &r->bottlenecks[i];

		jw_open(w, NULL, '{');
		jw_subject(w, "subject", "kind", &b->subj);
		jw_str(w, "reason", swt_bottleneck_reason_name(b->reason));
		jw_one(w, "cpu_percent_avg", b->cpu_avg_mpct);
		jw_one(w, "cpu_percent_peak", b->cpu_peak_mpct);
		jw_fixed(w, "saturated_percent", b->saturated_permille, 1, 1);
		jw_one(w, "calls_per_minute", b->calls_per_min_milli);
		if (*b->pattern)
			jw_str(w, "pattern", b->pattern);
		else
			jw_null(w, "pattern");
		jw_close(w, '}');
	}
	jw_close(w, ']');
}

static void json_alerts(struct jw *w, const struct swt_result *r)
{
	size_t i;

	jw_open(w, "alerts", '[');
	for (i = 0; i < r->n_alerts; i++) {
		const struct swt_alert_result *a = &r->alerts[i];

		jw_open(w, NULL, '{');
		jw_secs(w, "t_s", a->t_ns);
		jw_str(w, "kind", swt_alert_kind_name(a->kind));
		jw_subject(w, "subject", "subject_kind", &a->subj);
		jw_one(w, "value", a->value);
		jw_one(w, "threshold", a->threshold);
		jw_str(w, "unit", alert_unit(a->kind));
		jw_close(w, '}');
	}
	jw_close(w, ']');
	jw_int(w, "alerts_total", (int64_t)r->alerts_total);
}

static void json_recs(struct jw *w, const struct swt_result *r)
{
	size_t i;

	jw_open(w, "recommendations", '[');
	for (i = 0; i < r->n_recommendations; i++) {
		const struct swt_recommendation *c = &r->recommendations[i];

		jw_open(w, NULL, '{');
		jw_str(w, "priority", swt_priority_name(c->priority));
		jw_str(w, "subject", c->subject);
		jw_str(w, "text", c->text);
		jw_close(w, '}');
	}
	jw_close(w, ']');
}

static void json(struct swt_buf *b, const struct swt_report_input *in,
		 enum swt_report_kind kind)
{
	const struct swt_result *r = in->result;
	struct jw w;
	size_t i;

	memset(&w, 0, sizeof(w));
	w.b = b;
	jw_open(&w, NULL, '{');
	jw_int(&w, "schema_version", SWT_REPORT_SCHEMA_VERSION);
	jw_str(&w, "report", swt_report_kind_name(kind));
	json_session(&w, in);
	json_thresholds(&w, r->thresholds);
	if (kind != SWT_REPORT_WEIGHT)
		json_resources(&w, r);
	if (kind != SWT_REPORT_WEIGHT)
		jw_int(&w, "alert_count", (int64_t)r->alerts_total);
	if (kind == SWT_REPORT_LIGHTWEIGHT) {
		json_active(&w, r);
		goto out;
	}
	jw_fixed(&w, "total_weight", r->total_weight, 3, 3);
	jw_open(&w, "modules", '[');
	for (i = 0; i < r->n_modules; i++)
		json_module(&w, &r->modules[i]);
	jw_close(&w, ']');
	if (kind == SWT_REPORT_FULL) {
		json_counters(&w, r);
		json_spikes(&w, r);
	}
	json_leaks(&w, r);
	json_trend(&w, r);
	json_bottlenecks(&w, r);
	if (kind == SWT_REPORT_FULL) {
		json_alerts(&w, r);
		json_recs(&w, r);
	}
out:
	jw_close(&w, '}');
	swt_buf_putc(b, '\n');
}

void swt_report_write(struct swt_buf *out, const struct swt_report_input *in,
		      enum swt_report_kind kind,
		      enum swt_report_format format)
{
	if (format == SWT_FORMAT_JSON)
		json(out, in, kind);
	else
		tables(out, in, kind, format);
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
