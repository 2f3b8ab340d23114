/* swt_render_html.c — the HTML renderer of the report model (see
 * swt_render.h): one self-contained page, no script, no request.
 *
 * Like every renderer it only walks the model. Every section is a table
 * (key/value sections two columns, their JSON_BY_KEY columns after), so a
 * new section appears on the page with no change here; a few sections,
 * found by their key and their columns' keys, get more than a table:
 *
 *   session, summary, diff   cards and the verdict in the page's header
 *   modules, active_modules  a bar beside each weight, coloured by priority
 *   leaks, bottlenecks       a bar beside the slope / the saturation
 *   counters                 the rate against its limit (bar and line)
 *   changes, metrics (diff)  base and new as two bars; regressions marked
 *   series                   charts over time (CPU and memory per subject:
 *                            the min-max band and the mean), with the
 *                            spikes and alerts marked on the time axis
 *
 * Every printed figure is a cell of the model rendered by
 * swt_render_cell(), as in the other formats; the bars and charts are drawn
 * from the same cells in integer arithmetic, so the page is byte-identical
 * for the same model. A column a decoration needs that is missing (or of
 * another type) only leaves the decoration out.
 *
 * The markup is well-formed XML as well as HTML (every element closed,
 * attributes quoted, only the five XML entities), so xmllint checks it. */
#include "swt_render.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "swt_alloc.h"
#include "swt_checked.h"
#include "swt_stats.h"

/* ---- text ------------------------------------------------------------------- */

/* s as HTML text or attribute value: markup characters escaped, bytes that
 * are not UTF-8 and control characters as U+FFFD (the page stays valid
 * UTF-8 and valid XML whatever a session file holds). */
static void esc(struct swt_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = s ? strlen(s) : 0, i = 0;

	while (i < len) {
		unsigned char c = p[i];
		size_t n;

		switch (c) {
		case '&':
			swt_buf_puts(b, "&amp;");
			i++;
			continue;
		case '<':
			swt_buf_puts(b, "&lt;");
			i++;
			continue;
		case '>':
			swt_buf_puts(b, "&gt;");
			i++;
			continue;
		case '"':
			swt_buf_puts(b, "&quot;");
			i++;
			continue;
		case '\'':
			swt_buf_puts(b, "&#39;");
			i++;
			continue;
		default:
			break;
		}
		if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) {
			swt_buf_puts(b, "\xef\xbf\xbd");
			i++;
			continue;
		}
		n = c < 0x80 ? 1 : swt_utf8_seq_len(p + i, len - i);
		if (n == 0) {
			swt_buf_puts(b, "\xef\xbf\xbd");
			i++;
			continue;
		}
		/* C1 controls (U+0080..U+009F) are not HTML characters */
		if (n == 2 && c == 0xc2 && p[i + 1] < 0xa0) {
			swt_buf_puts(b, "\xef\xbf\xbd");
			i += 2;
			continue;
		}
		swt_buf_add(b, p + i, n);
		i += n;
	}
}

/* A cell as the tables show it (swt_render_cell()), escaped. */
static void esc_cell(struct swt_buf *b, const struct swt_cell *c)
{
	struct swt_buf v = SWT_BUF_INIT;

	swt_render_cell(&v, c);
	if (v.ptr)
		esc(b, v.ptr);
	swt_buf_fini(&v);
}

/* An id from a section key: [a-z0-9_-] kept, anything else '-'. */
static void id_part(struct swt_buf *b, const char *s)
{
	for (; s && *s; s++) {
		char c = *s;

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '_' || c == '-')
			swt_buf_putc(b, c);
		else if (c >= 'A' && c <= 'Z')
			swt_buf_putc(b, (char)(c + 32));
		else
			swt_buf_putc(b, '-');
	}
}

/* ---- reading the model defensively ------------------------------------------ */

static const struct swt_model_section *find_section(const struct swt_model *m,
						    const char *key)
{
	size_t i;

	for (i = 0; i < m->n_sections; i++)
		if (strcmp(m->sections[i]->def->key, key) == 0)
			return m->sections[i];
	return NULL;
}

/* The index of the column with this key and one of these cell types
 * (a bit per enum swt_cell_type), or -1. */
#define T_NUM ((1u << SWT_CELL_INT) | (1u << SWT_CELL_FIXED))
#define T_STR ((1u << SWT_CELL_STR) | (1u << SWT_CELL_ENUM))

static int find_col(const struct swt_model_section *s, const char *key,
		    unsigned types)
{
	size_t j;

	if (!s)
		return -1;
	for (j = 0; j < s->def->n_cols; j++) {
		const struct swt_model_col *c = &s->def->cols[j];

		if (strcmp(c->key, key) == 0)
			return (types & (1u << c->type)) ? (int)j : -1;
	}
	return -1;
}

static const struct swt_cell *cell_at(const struct swt_model_section *s,
				      size_t row, int col)
{
	if (col < 0 || (size_t)col >= s->def->n_cols ||
	    s->rows[row].n_cells <= (size_t)col)
		return NULL;
	return &s->rows[row].cells[col];
}

/* A string or enum cell's text, or NULL. */
static const char *cell_str(const struct swt_cell *c)
{
	if (!c || (c->type != SWT_CELL_STR && c->type != SWT_CELL_ENUM))
		return NULL;
	return c->s ? c->s : "";
}

static int64_t pow10_(unsigned n)
{
	int64_t v = 1;

	while (n--)
		v = swt_sat_mul(v, 10);
	return v;
}

/* A number cell in thousandths (saturating), or false. */
static bool cell_milli(const struct swt_cell *c, int64_t *out)
{
	if (!c)
		return false;
	if (c->type == SWT_CELL_INT) {
		*out = swt_sat_mul(c->i, 1000);
		return true;
	}
	if (c->type != SWT_CELL_FIXED || c->scale > 18)
		return false;
	if (c->scale >= 3)
		*out = swt_div_round(c->i, pow10_(c->scale - 3));
	else
		*out = swt_sat_mul(c->i, pow10_(3 - c->scale));
	return true;
}

/* The KV row of this key's cell, or NULL. */
static const struct swt_cell *kv_cell(const struct swt_model_section *s,
				      const char *key)
{
	size_t i;

	if (!s || s->def->kind != SWT_SECTION_KV || s->def->n_cols < 2)
		return NULL;
	for (i = 0; i < s->n_rows; i++)
		if (s->rows[i].key && strcmp(s->rows[i].key, key) == 0 &&
		    s->rows[i].n_cells >= 2)
			return &s->rows[i].cells[1];
	return NULL;
}

/* v * full / den, v clamped to [0, den], without overflow. */
static int64_t scale_to(int64_t v, int64_t den, int64_t full)
{
	if (den <= 0 || v <= 0)
		return 0;
	if (v > den)
		v = den;
	while (den > (INT64_C(1) << 31)) {
		den >>= 1;
		v >>= 1;
	}
	if (den == 0)
		return 0;
	return v * full / den;
}

/* ---- badges -------------------------------------------------------------------- */

/* Values that are shown as coloured labels: priorities and verdicts. The
 * label is the value itself (the colour is never the only sign), with an
 * icon for the verdicts. */
static const char *const priorities[] = { "critical", "high", "medium",
					  "low" };

struct verdict_style {
	const char *name, *cls, *icon;
};

static const struct verdict_style verdicts[] = {
	{ "regression", "bad", "\xe2\x96\xb2 " },		/* ▲ */
	{ "over_budget", "bad", "\xe2\x96\xb2 " },
	{ "improvement", "good", "\xe2\x96\xbc " },		/* ▼ */
	{ "within_budget", "good", "\xe2\x9c\x93 " },		/* ✓ */
	{ "inconclusive", "unsure", "? " },
	{ "unmatched", "unsure", "? " },
	{ "appeared", "unsure", "+ " },
	{ "disappeared", "unsure", "\xe2\x88\x92 " },		/* − */
	{ "unchanged", "same", "= " },
};

static const struct verdict_style *verdict_of(const char *s)
{
	size_t i;

	for (i = 0; s && i < sizeof(verdicts) / sizeof(verdicts[0]); i++)
		if (strcmp(s, verdicts[i].name) == 0 ||
		    (strncmp(s, "inconclusive", 12) == 0 &&
		     strcmp(verdicts[i].name, "inconclusive") == 0))
			return &verdicts[i];
	return NULL;
}

static bool is_priority(const char *s)
{
	size_t i;

	for (i = 0; s && i < 4; i++)
		if (strcmp(s, priorities[i]) == 0)
			return true;
	return false;
}

/* An enum cell: a priority or verdict label, or the plain text. */
static void enum_cell(struct swt_buf *b, const struct swt_cell *c)
{
	const struct verdict_style *v = verdict_of(c->s);

	if (is_priority(c->s)) {
		swt_buf_printf(b, "<span class=\"p p-%s\">", c->s);
		esc(b, c->s);
		swt_buf_puts(b, "</span>");
	} else if (v) {
		swt_buf_printf(b, "<span class=\"v v-%s\"><span "
			       "aria-hidden=\"true\">%s</span>", v->cls,
			       v->icon);
		esc(b, c->s);
		swt_buf_puts(b, "</span>");
	} else {
		esc(b, c->s);
	}
}

/* ---- decorations of known tables ------------------------------------------------ */

struct deco {
	bool long_[64];		/* a text column with long cells: wider */
	int bar;		/* a bar beside this column's value */
	int64_t bar_max;	/* thousandths: the longest bar */
	int prio;		/* the bar's colour: this row's priority */
	int rate, limit, exceeded;	/* counters: rate against limit */
	int64_t rate_max;
	int base, new_;		/* diff: base and new bars after new_ */
	int verdict;		/* diff: the row's verdict (regressions) */
};

static void deco_init(struct deco *d, const struct swt_model_section *s)
{
	const char *k = s->def->key;
	size_t i;

	memset(d, 0, sizeof(*d));
	d->bar = d->prio = d->rate = d->limit = d->exceeded = -1;
	d->base = d->new_ = d->verdict = -1;
	if (s->def->kind != SWT_SECTION_TABLE)
		return;
	if (strcmp(k, "modules") == 0 || strcmp(k, "active_modules") == 0) {
		d->bar = find_col(s, "weight", T_NUM);
		d->prio = find_col(s, "priority", T_STR);
	} else if (strcmp(k, "leaks") == 0) {
		d->bar = find_col(s, "slope_mb_per_min", T_NUM);
	} else if (strcmp(k, "bottlenecks") == 0) {
		d->bar = find_col(s, "saturated_percent", T_NUM);
	} else if (strcmp(k, "counters") == 0) {
		d->rate = find_col(s, "per_minute", T_NUM);
		d->limit = find_col(s, "threshold_per_minute", T_NUM);
		d->exceeded = find_col(s, "exceeded",
				       1u << SWT_CELL_BOOL);
		if (d->limit < 0)
			d->rate = -1;
	}
	if (find_col(s, "verdict", T_STR) >= 0) {
		d->verdict = find_col(s, "verdict", T_STR);
		d->base = find_col(s, "base", T_NUM);
		d->new_ = find_col(s, "new", T_NUM);
		if (d->base < 0 || d->new_ < 0)
			d->base = d->new_ = -1;
	}
	for (i = 0; i < s->n_rows; i++) {
		int64_t v;
		size_t j;

		for (j = 0; j < s->def->n_cols && j < 64; j++) {
			const char *t = cell_str(cell_at(s, i, (int)j));

			if (t && strlen(t) > 40)
				d->long_[j] = true;
		}
		if (d->bar >= 0 && cell_milli(cell_at(s, i, d->bar), &v) &&
		    v > d->bar_max)
			d->bar_max = v;
		if (d->rate >= 0) {
			if (cell_milli(cell_at(s, i, d->rate), &v) &&
			    v > d->rate_max)
				d->rate_max = v;
			if (cell_milli(cell_at(s, i, d->limit), &v) &&
			    v > d->rate_max)
				d->rate_max = v;
		}
	}
}

/* A CSS bar of v out of max (per mille of its width). */
static void css_bar(struct swt_buf *b, int64_t v, int64_t max,
		    const char *prio)
{
	int64_t pm = scale_to(v, max, 1000);

	swt_buf_puts(b, "<span class=\"bt\" aria-hidden=\"true\"><span "
			"class=\"bf");
	if (prio && is_priority(prio))
		swt_buf_printf(b, " p-%s", prio);
	swt_buf_puts(b, "\" style=\"width:");
	swt_buf_fixed(b, pm, 1, 1);
	swt_buf_puts(b, "%\"></span></span>");
}

#define RATE_W 160

/* The counter's rate as a bar, its limit as a line across it. */
static void rate_svg(struct swt_buf *b, const struct swt_model_section *s,
		     size_t row, const struct deco *d)
{
	int64_t rate = 0, limit = 0, x, lx;
	const struct swt_cell *ex = cell_at(s, row, d->exceeded);
	bool over = ex && ex->i;
	bool has_rate = cell_milli(cell_at(s, row, d->rate), &rate);
	bool has_limit = cell_milli(cell_at(s, row, d->limit), &limit);
	/* a little room past the longest */
	int64_t max = swt_sat_add(d->rate_max, d->rate_max / 10);

	swt_buf_printf(b, "<svg class=\"rate\" width=\"%d\" height=\"14\" "
		       "viewBox=\"0 0 %d 14\" role=\"img\"><title>",
		       RATE_W, RATE_W);
	esc_cell(b, cell_at(s, row, d->rate));
	swt_buf_puts(b, " per min, limit ");
	esc_cell(b, cell_at(s, row, d->limit));
	swt_buf_puts(b, " per min</title>");
	swt_buf_printf(b, "<rect x=\"0\" y=\"2\" width=\"%d\" height=\"10\" "
		       "class=\"track\"/>", RATE_W);
	if (has_rate) {
		x = scale_to(rate, max, RATE_W);
		swt_buf_printf(b, "<rect x=\"0\" y=\"2\" width=\"%lld\" "
			       "height=\"10\" class=\"%s\"/>", (long long)x,
			       over ? "over" : "under");
	}
	if (has_limit && limit > 0) {
		lx = scale_to(limit, max, RATE_W);
		swt_buf_printf(b, "<line x1=\"%lld\" x2=\"%lld\" y1=\"0\" "
			       "y2=\"14\" class=\"limit\"/>", (long long)lx,
			       (long long)lx);
	}
	swt_buf_puts(b, "</svg>");
}

#define PAIR_W 120

/* base and new as two bars on one scale (the larger of the two). */
static void pair_svg(struct swt_buf *b, const struct swt_model_section *s,
		     size_t row, const struct deco *d)
{
	int64_t v[2] = { 0, 0 }, max;
	bool has[2];
	int k;

	has[0] = cell_milli(cell_at(s, row, d->base), &v[0]);
	has[1] = cell_milli(cell_at(s, row, d->new_), &v[1]);
	for (k = 0; k < 2; k++)
		if (v[k] < 0)
			v[k] = v[k] == INT64_MIN ? INT64_MAX : -v[k];
	max = v[0] > v[1] ? v[0] : v[1];
	swt_buf_printf(b, "<svg class=\"pair\" width=\"%d\" height=\"16\" "
		       "viewBox=\"0 0 %d 16\" role=\"img\"><title>base ",
		       PAIR_W, PAIR_W);
	esc_cell(b, cell_at(s, row, d->base));
	swt_buf_puts(b, ", new ");
	esc_cell(b, cell_at(s, row, d->new_));
	swt_buf_puts(b, "</title>");
	for (k = 0; k < 2; k++) {
		if (!has[k])
			continue;
		swt_buf_printf(b, "<rect x=\"0\" y=\"%d\" width=\"%lld\" "
			       "height=\"6\" class=\"%s\"/>", k ? 9 : 1,
			       (long long)scale_to(v[k], max, PAIR_W),
			       k ? "new" : "base");
	}
	swt_buf_puts(b, "</svg>");
}

/* ---- tables ----------------------------------------------------------------------- */

static bool col_numeric(const struct swt_model_col *c)
{
	return (c->flags & SWT_COL_NUMERIC) || c->type == SWT_CELL_INT ||
	       c->type == SWT_CELL_FIXED;
}

static void html_cell(struct swt_buf *b, const struct swt_model_section *s,
		      size_t row, size_t j, const struct deco *d)
{
	const struct swt_model_col *col = &s->def->cols[j];
	const struct swt_cell *c = &s->rows[row].cells[j];
	bool num = col_numeric(col);

	swt_buf_puts(b, "<td");
	if (num)
		swt_buf_puts(b, " class=\"n\"");
	else if (col->flags & SWT_COL_CUT)
		swt_buf_puts(b, " class=\"cmd\"");
	else if (j < 64 && d->long_[j])
		swt_buf_puts(b, " class=\"long\"");
	swt_buf_puts(b, ">");
	if ((int)j == d->bar && d->bar_max > 0) {
		int64_t v;

		if (cell_milli(c, &v))
			css_bar(b, v, d->bar_max,
				cell_str(cell_at(s, row, d->prio)));
	}
	if (c->type == SWT_CELL_ENUM)
		enum_cell(b, c);
	else
		esc_cell(b, c);
	swt_buf_puts(b, "</td>");
	if ((int)j == d->limit && d->rate >= 0 && d->rate_max > 0) {
		swt_buf_puts(b, "<td class=\"viz\">");
		rate_svg(b, s, row, d);
		swt_buf_puts(b, "</td>");
	}
	if ((int)j == d->new_ && d->base >= 0) {
		swt_buf_puts(b, "<td class=\"viz\">");
		pair_svg(b, s, row, d);
		swt_buf_puts(b, "</td>");
	}
}

static void section_id(struct swt_buf *b, const struct swt_model_section *s,
		       const char *parent)
{
	swt_buf_puts(b, "s-");
	if (parent) {
		id_part(b, parent);
		swt_buf_putc(b, '-');
	}
	id_part(b, s->def->key);
}

static void html_table(struct swt_buf *b, const struct swt_model_section *s)
{
	const struct swt_model_def *d = s->def;
	bool kv = d->kind == SWT_SECTION_KV;
	struct deco dc;
	size_t i, j;

	deco_init(&dc, s);
	swt_buf_puts(b, "<div class=\"tw\"><table");
	/* a long key/value list flows in two or three column pairs on a
	 * screen (the CSS grid of "wide") */
	if (kv && s->n_rows > 8) {
		size_t nc = 0;

		for (j = 0; j < d->n_cols; j++)
			nc += swt_model_col_in_tables(&d->cols[j]);
		swt_buf_printf(b, " class=\"kv wide nc%zu\"", nc);
	} else if (kv) {
		swt_buf_puts(b, " class=\"kv\"");
	}
	swt_buf_puts(b, ">\n<thead><tr>");
	for (j = 0; j < d->n_cols; j++) {
		const struct swt_model_col *c = &d->cols[j];

		if (!swt_model_col_in_tables(c))
			continue;
		swt_buf_puts(b, "<th");
		if (col_numeric(c))
			swt_buf_puts(b, " class=\"n\"");
		swt_buf_puts(b, " title=\"");
		esc(b, c->key);
		swt_buf_puts(b, "\">");
		esc(b, c->heading);
		swt_buf_puts(b, "</th>");
		if ((int)j == dc.limit && dc.rate >= 0 && dc.rate_max > 0)
			swt_buf_puts(b, "<th>rate against limit</th>");
		if ((int)j == dc.new_ && dc.base >= 0)
			swt_buf_puts(b, "<th><span class=\"key-base\">base"
					"</span> <span class=\"key-new\">new"
					"</span></th>");
	}
	swt_buf_puts(b, "</tr></thead>\n<tbody>\n");
	for (i = 0; i < s->n_rows; i++) {
		const struct verdict_style *v =
			verdict_of(cell_str(cell_at(s, i, dc.verdict)));

		swt_buf_puts(b, "<tr");
		if (v && strcmp(v->cls, "bad") == 0)
			swt_buf_puts(b, " class=\"r-bad\"");
		swt_buf_puts(b, ">");
		for (j = 0; j < d->n_cols && j < s->rows[i].n_cells; j++)
			if (swt_model_col_in_tables(&d->cols[j]))
				html_cell(b, s, i, j, &dc);
		swt_buf_puts(b, "</tr>\n");
	}
	swt_buf_puts(b, "</tbody></table></div>\n");
}

/* The weight table of a modules section: its first columns and the
 * weight with its bar, before the whole table (which is too wide to show
 * the weight without scrolling). The same cells, in the model's order. */
static void weights(struct swt_buf *b, const struct swt_model_section *s)
{
	static const char *const keys[] = { "name", "kind", "process",
					    "cpu_percent_avg",
					    "memory_mb_avg", "weight",
					    "priority" };
	int col[sizeof(keys) / sizeof(keys[0])];
	struct deco dc;
	size_t i, k, n = sizeof(keys) / sizeof(keys[0]);

	deco_init(&dc, s);
	if (dc.bar < 0 || dc.bar_max <= 0 || s->n_rows == 0 ||
	    find_col(s, "name", T_STR) < 0)
		return;
	for (k = 0; k < n; k++) {
		size_t j;

		col[k] = -1;
		for (j = 0; j < s->def->n_cols; j++)
			if (strcmp(s->def->cols[j].key, keys[k]) == 0 &&
			    swt_model_col_in_tables(&s->def->cols[j]))
				col[k] = (int)j;
	}
	swt_buf_puts(b, "<div class=\"tw\"><table class=\"weights\">\n"
			"<caption>Weights, the bars to the heaviest's scale "
			"(every column below)</caption>\n<thead><tr>");
	for (k = 0; k < n; k++) {
		const struct swt_model_col *c;

		if (col[k] < 0)
			continue;
		c = &s->def->cols[col[k]];
		swt_buf_printf(b, "<th%s title=\"", col_numeric(c) ?
				       " class=\"n\"" : "");
		esc(b, c->key);
		swt_buf_puts(b, "\">");
		esc(b, c->heading);
		swt_buf_puts(b, "</th>");
	}
	swt_buf_puts(b, "</tr></thead>\n<tbody>\n");
	for (i = 0; i < s->n_rows; i++) {
		swt_buf_puts(b, "<tr>");
		for (k = 0; k < n; k++)
			if (col[k] >= 0 &&
			    (size_t)col[k] < s->rows[i].n_cells)
				html_cell(b, s, i, (size_t)col[k], &dc);
		swt_buf_puts(b, "</tr>\n");
	}
	swt_buf_puts(b, "</tbody></table></div>\n");
}

static void html_section(struct swt_buf *b, const struct swt_model_section *s,
			 const char *parent)
{
	bool fold = (s->def->flags & SWT_SECTION_FOLD) != 0;
	const char *h = parent ? "h3" : "h2";
	size_t i;

	if (s->n_rows == 0 && (s->def->flags & SWT_SECTION_HIDE_EMPTY))
		return;
	swt_buf_puts(b, "<section id=\"");
	section_id(b, s, parent);
	/* key/value sections are short and narrow: side by side */
	swt_buf_puts(b, s->def->kind == SWT_SECTION_KV ? "\" class=\"kvs\">\n" :
							"\">\n");
	/* folded in Markdown; open here (readable and printable without a
	 * click), closable */
	if (fold)
		swt_buf_puts(b, "<details open=\"open\"><summary>");
	swt_buf_printf(b, "<%s>", h);
	esc(b, s->def->title);
	swt_buf_printf(b, "</%s>", h);
	if (fold)
		swt_buf_puts(b, "</summary>");
	swt_buf_putc(b, '\n');
	if (s->n_rows == 0) {
		swt_buf_puts(b, "<p class=\"none\">None.</p>\n");
	} else {
		if (!parent && s->def->kind == SWT_SECTION_TABLE &&
		    (strcmp(s->def->key, "modules") == 0 ||
		     strcmp(s->def->key, "active_modules") == 0))
			weights(b, s);
		html_table(b, s);
	}
	for (i = 0; i < s->n_notes; i++) {
		swt_buf_puts(b, "<p class=\"note\">");
		esc(b, s->notes[i]);
		swt_buf_puts(b, "</p>\n");
	}
	if (fold)
		swt_buf_puts(b, "</details>\n");
	swt_buf_puts(b, "</section>\n");
	for (i = 0; i < s->n_children; i++)
		html_section(b, s->children[i], s->def->key);
}

/* ---- charts over time ------------------------------------------------------------ */

/* Geometry of a chart (SVG user units = CSS pixels). */
#define CH_W 760
#define CH_LEFT 58
#define CH_RIGHT 14
#define CH_TOP 20		/* the unit above the plot */
#define CH_PLOT_H 150
#define CH_AXIS 40		/* below the plot: markers, ticks, labels */
#define CH_PLOT_W (CH_W - CH_LEFT - CH_RIGHT)	/* one column per pixel */
#define CH_H (CH_TOP + CH_PLOT_H + CH_AXIS)
/* Charts for the session and at most this many other subjects (the
 * heaviest first): the page stays small for sessions of 1000 modules. */
#define MAX_SUBJECT_CHARTS 12

enum { RES_CPU, RES_MEM, N_RES };

/* The series section's columns (-1: missing). */
struct series_cols {
	int subject, kind, process, side, from, to;
	int v[N_RES][3];	/* min, max, avg */
	bool res_ok[N_RES];
};

static const char *const res_cols[N_RES][3] = {
	{ "cpu_min_percent", "cpu_max_percent", "cpu_avg_percent" },
	{ "mem_min_mb", "mem_max_mb", "mem_avg_mb" },
};

static bool series_cols_find(struct series_cols *c,
			     const struct swt_model_section *s)
{
	int r, k;
	bool any = false;

	if (!s || s->def->kind != SWT_SECTION_TABLE)
		return false;
	c->subject = find_col(s, "subject", T_STR);
	c->kind = find_col(s, "kind", T_STR);
	c->process = find_col(s, "process", T_STR);
	c->side = find_col(s, "side", T_STR);
	c->from = find_col(s, "t_from_s", T_NUM);
	c->to = find_col(s, "t_to_s", T_NUM);
	for (r = 0; r < N_RES; r++) {
		c->res_ok[r] = true;
		for (k = 0; k < 3; k++) {
			c->v[r][k] = find_col(s, res_cols[r][k], T_NUM);
			if (c->v[r][k] < 0)
				c->res_ok[r] = false;
		}
		any |= c->res_ok[r];
	}
	return any && c->subject >= 0 && c->from >= 0 && c->to >= 0;
}

/* One subject: its rows (indices into the series section). */
struct subject {
	const char *name, *kind, *process;
	size_t n, cap;
	size_t *rows;
	size_t rank;		/* the session 0, the others 1 */
	size_t order;		/* first seen */
};

static bool same_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

static bool subject_is(const struct subject *g, const char *name,
		       const char *kind, const char *process)
{
	return same_str(g->name, name) && same_str(g->kind, kind) &&
	       same_str(g->process, process);
}

static int subject_cmp(const void *a, const void *b)
{
	const struct subject *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* The session's charts come first, then the subjects in the section's
 * own order: the report's (the heaviest first) or, in a diff, the
 * builder's (regressions first). */
static size_t subject_rank(const char *name, const char *kind)
{
	return strcmp(name, "session") == 0 &&
			       (!kind || strcmp(kind, "session") == 0)
		       ? 0
		       : 1;
}

struct charts {
	const struct swt_model *m;
	const struct swt_model_section *s;	/* series */
	struct series_cols c;
	int64_t t0, t1;		/* the time axis, milliseconds */
	bool diff;		/* a side column: base and new overlaid */
	size_t n_subj;
	struct subject *subj;
};

static void charts_fini(struct charts *ch)
{
	size_t i;

	for (i = 0; i < ch->n_subj; i++)
		free(ch->subj[i].rows);
	free(ch->subj);
}

/* Group the rows by subject and find the time axis; false: nothing to
 * draw. */
static bool charts_init(struct charts *ch, const struct swt_model *m)
{
	size_t i, cap = 0, last = SIZE_MAX;
	bool any = false;

	memset(ch, 0, sizeof(*ch));
	ch->m = m;
	ch->s = find_section(m, "series");
	if (!series_cols_find(&ch->c, ch->s))
		return false;
	ch->diff = ch->c.side >= 0;
	for (i = 0; i < ch->s->n_rows; i++) {
		const char *name = cell_str(cell_at(ch->s, i, ch->c.subject));
		const char *kind = cell_str(cell_at(ch->s, i, ch->c.kind));
		const char *proc = cell_str(cell_at(ch->s, i, ch->c.process));
		int64_t from, to;
		struct subject *g = NULL;
		size_t k;

		if (!name ||
		    !cell_milli(cell_at(ch->s, i, ch->c.from), &from) ||
		    !cell_milli(cell_at(ch->s, i, ch->c.to), &to) || to < from)
			continue;
		/* rows come by subject: the last one, else a search */
		if (last != SIZE_MAX &&
		    subject_is(&ch->subj[last], name, kind, proc)) {
			g = &ch->subj[last];
		} else {
			for (k = 0; k < ch->n_subj; k++) {
				if (subject_is(&ch->subj[k], name, kind,
					       proc)) {
					g = &ch->subj[k];
					last = k;
					break;
				}
			}
		}
		if (!g) {
			ch->subj = swt_grow(ch->subj, &cap, ch->n_subj + 1,
					    sizeof(*ch->subj));
			last = ch->n_subj++;
			g = &ch->subj[last];
			memset(g, 0, sizeof(*g));
			g->name = name;
			g->kind = kind;
			g->process = proc;
			g->order = last;
			g->rank = subject_rank(name, kind);
		}
		g->rows = swt_grow(g->rows, &g->cap, g->n + 1,
				   sizeof(*g->rows));
		g->rows[g->n++] = i;
		if (!any || from < ch->t0)
			ch->t0 = from;
		if (!any || to > ch->t1)
			ch->t1 = to;
		any = true;
	}
	if (!any || ch->t1 <= ch->t0) {
		charts_fini(ch);
		return false;
	}
	/* the axis starts at the session's start when the data is near it */
	if (ch->t0 > 0 && ch->t0 <= swt_sat_sub(ch->t1, ch->t0) / 10)
		ch->t0 = 0;
	qsort(ch->subj, ch->n_subj, sizeof(*ch->subj), subject_cmp);
	return true;
}

/* x of a time (ms) in pixels from the plot's left edge, [0, CH_PLOT_W]. */
static int64_t t_x(const struct charts *ch, int64_t t)
{
	return scale_to(swt_sat_sub(t, ch->t0), swt_sat_sub(ch->t1, ch->t0),
			CH_PLOT_W);
}

/* Per pixel column of one side of one chart: min, max, the sum and
 * number of bucket means. */
struct columns {
	bool has[CH_PLOT_W];
	int64_t mn[CH_PLOT_W], mx[CH_PLOT_W], sum[CH_PLOT_W];
	int64_t cnt[CH_PLOT_W];
};

/* Fill cols from a subject's rows of one side: every bucket lands on the
 * columns its time range covers (at least one), each column keeps the
 * least minimum and the greatest maximum of its buckets, so a spike
 * shorter than a column is still drawn. */
static bool columns_fill(struct columns *cols, const struct charts *ch,
			 const struct subject *g, int res, int side,
			 int64_t *vmax)
{
	const struct swt_model_section *s = ch->s;
	bool any = false;
	size_t i;

	memset(cols, 0, sizeof(*cols));
	for (i = 0; i < g->n; i++) {
		size_t r = g->rows[i];
		int64_t from, to, mn, mx, avg, x0, x1, x;

		if (ch->diff) {
			const char *sd = cell_str(cell_at(s, r, ch->c.side));
			int is_new = sd && strcmp(sd, "new") == 0;

			if (is_new != side)
				continue;
		}
		if (!cell_milli(cell_at(s, r, ch->c.from), &from) ||
		    !cell_milli(cell_at(s, r, ch->c.to), &to) ||
		    !cell_milli(cell_at(s, r, ch->c.v[res][0]), &mn) ||
		    !cell_milli(cell_at(s, r, ch->c.v[res][1]), &mx) ||
		    !cell_milli(cell_at(s, r, ch->c.v[res][2]), &avg))
			continue;
		if (mn < 0)
			mn = 0;
		if (mx < mn)
			mx = mn;
		x0 = t_x(ch, from);
		x1 = t_x(ch, to);
		if (x0 >= CH_PLOT_W)
			x0 = CH_PLOT_W - 1;
		if (x1 <= x0)
			x1 = x0 + 1;
		for (x = x0; x < x1 && x < CH_PLOT_W; x++) {
			if (!cols->has[x] || mn < cols->mn[x])
				cols->mn[x] = mn;
			if (!cols->has[x] || mx > cols->mx[x])
				cols->mx[x] = mx;
			cols->sum[x] = swt_sat_add(cols->sum[x], avg);
			cols->cnt[x]++;
			cols->has[x] = true;
		}
		if (mx > *vmax)
			*vmax = mx;
		any = true;
	}
	return any;
}

/* A round step (1, 2 or 5 times a power of ten, thousandths) that
 * divides [0, max] into at most 5 parts. */
static int64_t nice_step(int64_t max)
{
	int64_t p = 1;

	for (;;) {
		if (max <= p * 5)
			return p;
		if (max <= p * 10)
			return p * 2;
		if (max <= p * 25)
			return p * 5;
		if (p > INT64_MAX / 100)
			return p * 10;
		p *= 10;
	}
}

static int64_t y_of(int64_t v, int64_t ymax)
{
	return CH_TOP + CH_PLOT_H - scale_to(v, ymax, CH_PLOT_H);
}

/* The band (min to max) of runs of columns with data, as steps: along
 * the top left to right, back along the bottom. */
static void band_path(struct swt_buf *b, const struct columns *cols,
		      int64_t ymax)
{
	int x = 0, a, e, k;

	while (x < CH_PLOT_W) {
		int64_t y, prev;

		if (!cols->has[x]) {
			x++;
			continue;
		}
		a = x;
		while (x < CH_PLOT_W && cols->has[x])
			x++;
		e = x;
		prev = y_of(cols->mx[a], ymax);
		swt_buf_printf(b, "M%d %lld", CH_LEFT + a, (long long)prev);
		for (k = a + 1; k < e; k++) {
			y = y_of(cols->mx[k], ymax);
			if (y != prev) {
				swt_buf_printf(b, "H%dV%lld", CH_LEFT + k,
					       (long long)y);
				prev = y;
			}
		}
		swt_buf_printf(b, "H%d", CH_LEFT + e);
		/* one pixel at least, so a flat band is still seen */
		prev = -1;
		for (k = e - 1; k >= a; k--) {
			y = y_of(cols->mn[k], ymax);
			if (y < y_of(cols->mx[k], ymax) + 1)
				y = y_of(cols->mx[k], ymax) + 1;
			if (y != prev) {
				if (prev >= 0)
					swt_buf_printf(b, "H%d",
						       CH_LEFT + k + 1);
				swt_buf_printf(b, "V%lld", (long long)y);
				prev = y;
			}
		}
		swt_buf_printf(b, "H%dZ", CH_LEFT + a);
	}
}

/* The mean of the bucket means of each column, as steps. */
static void mean_path(struct swt_buf *b, const struct columns *cols,
		      int64_t ymax)
{
	int x = 0;

	while (x < CH_PLOT_W) {
		int64_t y, prev;

		if (!cols->has[x]) {
			x++;
			continue;
		}
		prev = y_of(cols->sum[x] / cols->cnt[x], ymax);
		swt_buf_printf(b, "M%d %lld", CH_LEFT + x, (long long)prev);
		for (x++; x < CH_PLOT_W && cols->has[x]; x++) {
			y = y_of(cols->sum[x] / cols->cnt[x], ymax);
			if (y != prev) {
				swt_buf_printf(b, "H%dV%lld", CH_LEFT + x,
					       (long long)y);
				prev = y;
			}
		}
		swt_buf_printf(b, "H%d", CH_LEFT + x);
	}
}

/* A time tick's label: seconds, minutes or hours (t and step in ms;
 * t is a multiple of step). */
static void time_tick_label(struct swt_buf *b, int64_t t, int64_t step)
{
	if (step < 1000) {
		unsigned dec = step % 100 == 0 ? 1 : step % 10 == 0 ? 2 : 3;

		swt_buf_fixed(b, t, 3, dec);
		swt_buf_puts(b, " s");
	} else if (step < 60000) {
		swt_buf_i64(b, t / 1000);
		swt_buf_puts(b, " s");
	} else if (step < 3600000) {
		swt_buf_i64(b, t / 60000);
		swt_buf_puts(b, " min");
	} else {
		swt_buf_i64(b, t / 3600000);
		swt_buf_puts(b, " h");
	}
}

/* Round time steps (ms): at most 8 ticks over the axis. */
static int64_t time_step(int64_t span)
{
	static const int64_t steps[] = {
		1, 2, 5, 10, 20, 50, 100, 200, 500,
		1000, 2000, 5000, 10000, 15000, 30000,
		60000, 120000, 300000, 600000, 900000, 1800000,
		3600000, 7200000, 10800000, 21600000, 43200000,
		86400000, 172800000, 604800000,
	};
	size_t i;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (span / steps[i] <= 8)
			return steps[i];
	return span / 8 + 1;
}

/* Decimals a value axis needs for this step (thousandths). */
static unsigned step_decimals(int64_t step)
{
	return step >= 1000 ? 0 : step >= 100 ? 1 : step >= 10 ? 2 : 3;
}

/* (Session files are untrusted: values up to INT64_MAX must not make
 * the loops below overflow, hence the counted loops and saturation.) */
static void axes(struct swt_buf *b, const struct charts *ch, int64_t ymax,
		 int64_t ystep, const char *unit)
{
	int64_t v, t, k, n = ymax / ystep;
	int64_t step = time_step(swt_sat_sub(ch->t1, ch->t0));
	int bottom = CH_TOP + CH_PLOT_H;

	swt_buf_puts(b, "<g class=\"grid\">");
	for (k = 0; k <= n; k++) {
		int64_t y = y_of(k * ystep, ymax);

		swt_buf_printf(b, "<line x1=\"%d\" x2=\"%d\" y1=\"%lld\" "
			       "y2=\"%lld\"/>", CH_LEFT, CH_LEFT + CH_PLOT_W,
			       (long long)y, (long long)y);
	}
	swt_buf_puts(b, "</g><g class=\"ylab\">");
	for (k = 0; k <= n; k++) {
		v = k * ystep;
		swt_buf_printf(b, "<text x=\"%d\" y=\"%lld\">", CH_LEFT - 4,
			       (long long)y_of(v, ymax) + 4);
		swt_buf_fixed(b, v, 3, step_decimals(ystep));
		swt_buf_puts(b, "</text>");
	}
	swt_buf_printf(b, "<text class=\"unit\" x=\"%d\" y=\"%d\">", 4,
		       CH_TOP - 8);
	esc(b, unit);
	swt_buf_puts(b, "</text></g>");
	swt_buf_printf(b, "<line class=\"axis\" x1=\"%d\" x2=\"%d\" y1=\"%d\" "
		       "y2=\"%d\"/>", CH_LEFT, CH_LEFT + CH_PLOT_W, bottom,
		       bottom);
	swt_buf_puts(b, "<g class=\"xlab\">");
	t = ch->t0 / step * step;
	if (t < ch->t0)
		t = swt_sat_add(t, step);
	for (k = 0; k < 12 && t <= ch->t1; k++, t = swt_sat_add(t, step)) {
		int64_t x = CH_LEFT + t_x(ch, t);

		swt_buf_printf(b, "<line class=\"tick\" x1=\"%lld\" "
			       "x2=\"%lld\" y1=\"%d\" y2=\"%d\"/>",
			       (long long)x, (long long)x, bottom,
			       bottom + 4);
		swt_buf_printf(b, "<text x=\"%lld\" y=\"%d\">", (long long)x,
			       bottom + 30);
		time_tick_label(b, t, step);
		swt_buf_puts(b, "</text>");
	}
	swt_buf_puts(b, "</g>");
}

/* Does a spike or alert of this resource (its "resource" or alert
 * "kind") belong on the chart of res? cpu on CPU, memory (and leaks and
 * forecasts) on memory, anything else (I/O, network, rates) on both. */
static bool marker_res(const char *what, int res)
{
	bool cpu, mem;

	if (!what)
		return true;
	cpu = strcmp(what, "cpu") == 0;
	mem = strcmp(what, "memory") == 0 || strcmp(what, "leak") == 0 ||
	      strcmp(what, "forecast") == 0;
	if (!cpu && !mem)
		return true;
	return res == RES_CPU ? cpu : mem;
}

/* Is this spike's or alert's subject the chart's? The session chart has
 * them all. */
static bool marker_subject(const struct subject *g, const char *name,
			   const char *kind, const char *process)
{
	if (g->rank == 0)
		return true;
	return same_str(g->name, name) &&
	       (!kind || !g->kind || strcmp(kind, g->kind) == 0) &&
	       (!process || !g->process || same_str(g->process, process));
}

/* Spikes: a hatched span from start to end behind the data and a
 * triangle at the peak on the time axis; alerts: a diamond on the time
 * axis. Each with a <title> (hover) naming it. */
static void markers(struct swt_buf *b, const struct charts *ch,
		    const struct subject *g, int res, bool spans)
{
	const struct swt_model_section *sp = find_section(ch->m, "spikes");
	const struct swt_model_section *al = find_section(ch->m, "alerts");
	int bottom = CH_TOP + CH_PLOT_H;
	size_t i;

	if (sp && sp->def->kind == SWT_SECTION_TABLE) {
		int cs = find_col(sp, "start_s", T_NUM);
		int cd = find_col(sp, "duration_s", T_NUM);
		int ce = find_col(sp, "end_s", T_NUM);
		int cp = find_col(sp, "peak_s", T_NUM);
		int cr = find_col(sp, "resource", T_STR);
		int cn = find_col(sp, "subject", T_STR);
		int ck = find_col(sp, "kind", T_STR);
		int cq = find_col(sp, "process", T_STR);
		int cv = find_col(sp, "peak", T_NUM);

		for (i = 0; cs >= 0 && cn >= 0 && i < sp->n_rows; i++) {
			int64_t st, en, dur, pk, x0, x1;

			if (!marker_res(cell_str(cell_at(sp, i, cr)), res) ||
			    !marker_subject(g, cell_str(cell_at(sp, i, cn)),
					    cell_str(cell_at(sp, i, ck)),
					    cell_str(cell_at(sp, i, cq))) ||
			    !cell_milli(cell_at(sp, i, cs), &st))
				continue;
			if (!cell_milli(cell_at(sp, i, ce), &en))
				en = cell_milli(cell_at(sp, i, cd), &dur) ?
					     swt_sat_add(st, dur) :
					     st;
			if (en < ch->t0 || st > ch->t1)
				continue;
			x0 = CH_LEFT + t_x(ch, st < ch->t0 ? ch->t0 : st);
			x1 = CH_LEFT + t_x(ch, en > ch->t1 ? ch->t1 : en);
			if (x1 <= x0)
				x1 = x0 + 1;
			if (spans) {
				swt_buf_printf(b, "<rect class=\"spike\" "
					       "x=\"%lld\" y=\"%d\" "
					       "width=\"%lld\" height=\"%d\">",
					       (long long)x0, CH_TOP,
					       (long long)(x1 - x0), CH_PLOT_H);
			} else {
				if (!cell_milli(cell_at(sp, i, cp), &pk) ||
				    pk < ch->t0 || pk > ch->t1)
					pk = st < ch->t0 ? ch->t0 : st;
				x0 = CH_LEFT + t_x(ch, pk);
				swt_buf_printf(b, "<path class=\"peak\" "
					       "d=\"M%lld %dl-5 9h10Z\">",
					       (long long)x0, bottom + 2);
			}
			swt_buf_puts(b, "<title>spike: ");
			esc_cell(b, cell_at(sp, i, cr));
			swt_buf_puts(b, " of ");
			esc_cell(b, cell_at(sp, i, cn));
			swt_buf_puts(b, " from ");
			esc_cell(b, cell_at(sp, i, cs));
			swt_buf_puts(b, " s, peak ");
			esc_cell(b, cell_at(sp, i, cv));
			swt_buf_puts(b, " at ");
			esc_cell(b, cell_at(sp, i, cp));
			swt_buf_puts(b, spans ? " s</title></rect>" :
						" s</title></path>");
		}
	}
	if (spans || !al || al->def->kind != SWT_SECTION_TABLE)
		return;
	{
		int ct = find_col(al, "t_s", T_NUM);
		int ck = find_col(al, "kind", T_STR);
		int cn = find_col(al, "subject", T_STR);
		int csk = find_col(al, "subject_kind", T_STR);
		int cq = find_col(al, "process", T_STR);
		int cv = find_col(al, "value", T_NUM);
		int ch_ = find_col(al, "threshold", T_NUM);

		for (i = 0; ct >= 0 && cn >= 0 && i < al->n_rows; i++) {
			int64_t t, x;

			if (!marker_res(cell_str(cell_at(al, i, ck)), res) ||
			    !marker_subject(g, cell_str(cell_at(al, i, cn)),
					    cell_str(cell_at(al, i, csk)),
					    cell_str(cell_at(al, i, cq))) ||
			    !cell_milli(cell_at(al, i, ct), &t) ||
			    t < ch->t0 || t > ch->t1)
				continue;
			x = CH_LEFT + t_x(ch, t);
			swt_buf_printf(b, "<path class=\"alert\" "
				       "d=\"M%lld %dl5 5l-5 5l-5 -5Z\">"
				       "<title>alert: ",
				       (long long)x, bottom + 12);
			esc_cell(b, cell_at(al, i, ck));
			swt_buf_puts(b, " of ");
			esc_cell(b, cell_at(al, i, cn));
			swt_buf_puts(b, " at ");
			esc_cell(b, cell_at(al, i, ct));
			swt_buf_puts(b, " s: ");
			esc_cell(b, cell_at(al, i, cv));
			swt_buf_puts(b, " over ");
			esc_cell(b, cell_at(al, i, ch_));
			swt_buf_puts(b, "</title></path>");
		}
	}
}

/* The row of a side with the greatest maximum: its cell and time, as the
 * caption's "peak X at T s" (the model's own figures). */
static void caption_peak(struct swt_buf *b, const struct charts *ch,
			 const struct subject *g, int res, int side)
{
	const struct swt_model_section *s = ch->s;
	size_t i, best = SIZE_MAX;
	int64_t best_v = 0, v;

	for (i = 0; i < g->n; i++) {
		size_t r = g->rows[i];

		if (ch->diff) {
			const char *sd = cell_str(cell_at(s, r, ch->c.side));

			if ((sd && strcmp(sd, "new") == 0) != side)
				continue;
		}
		if (cell_milli(cell_at(s, r, ch->c.v[res][1]), &v) &&
		    (best == SIZE_MAX || v > best_v)) {
			best = r;
			best_v = v;
		}
	}
	if (best == SIZE_MAX)
		return;
	swt_buf_puts(b, "peak ");
	esc_cell(b, cell_at(s, best, ch->c.v[res][1]));
	swt_buf_puts(b, res == RES_CPU ? " %" : " MB");
	swt_buf_puts(b, " at ");
	esc_cell(b, cell_at(s, best, ch->c.from));
	swt_buf_puts(b, "\xe2\x80\x93");	/* – */
	esc_cell(b, cell_at(s, best, ch->c.to));
	swt_buf_puts(b, " s");
}

/* The value at time t of the line from (t0, v0) to (t1, v1), t0 < t1
 * (thousandths; saturating: the cells come from an untrusted file). */
static int64_t line_at(int64_t t0, int64_t v0, int64_t t1, int64_t v1,
		       int64_t t)
{
	return swt_sat_add(v0, swt_muldiv(swt_sat_sub(v1, v0),
					  swt_sat_sub(t, t0),
					  swt_sat_sub(t1, t0)));
}

/* A leak's fitted line (the leaks section's fit_* columns) on the memory
 * chart of its own module, clipped to the chart's time range and to its
 * value axis. */
static void leak_lines(struct swt_buf *b, const struct charts *ch,
		       const struct subject *g, int64_t ymax)
{
	const struct swt_model_section *lk = find_section(ch->m, "leaks");
	int c0, c1, v0, v1, cn, ck, cq, cs;
	size_t i;

	if (g->rank == 0 || !lk || lk->def->kind != SWT_SECTION_TABLE)
		return;
	c0 = find_col(lk, "fit_from_s", T_NUM);
	c1 = find_col(lk, "fit_to_s", T_NUM);
	v0 = find_col(lk, "fit_from_mb", T_NUM);
	v1 = find_col(lk, "fit_to_mb", T_NUM);
	cn = find_col(lk, "subject", T_STR);
	ck = find_col(lk, "kind", T_STR);
	cq = find_col(lk, "process", T_STR);
	cs = find_col(lk, "slope_mb_per_min", T_NUM);
	if (c0 < 0 || c1 < 0 || v0 < 0 || v1 < 0 || cn < 0)
		return;
	for (i = 0; i < lk->n_rows; i++) {
		int64_t t0, t1, a, z, ta, tz, ya, yz;

		if (!marker_subject(g, cell_str(cell_at(lk, i, cn)),
				    cell_str(cell_at(lk, i, ck)),
				    cell_str(cell_at(lk, i, cq))) ||
		    !cell_milli(cell_at(lk, i, c0), &t0) ||
		    !cell_milli(cell_at(lk, i, c1), &t1) ||
		    !cell_milli(cell_at(lk, i, v0), &a) ||
		    !cell_milli(cell_at(lk, i, v1), &z) || t1 <= t0 ||
		    t1 < ch->t0 || t0 > ch->t1)
			continue;
		ta = t0 < ch->t0 ? ch->t0 : t0;
		tz = t1 > ch->t1 ? ch->t1 : t1;
		ya = line_at(t0, a, t1, z, ta);
		yz = line_at(t0, a, t1, z, tz);
		swt_buf_printf(b, "<line class=\"leakfit\" x1=\"%lld\" "
			       "y1=\"%lld\" x2=\"%lld\" y2=\"%lld\">"
			       "<title>leak: the fitted line, ",
			       (long long)(CH_LEFT + t_x(ch, ta)),
			       (long long)y_of(ya > ymax ? ymax : ya, ymax),
			       (long long)(CH_LEFT + t_x(ch, tz)),
			       (long long)y_of(yz > ymax ? ymax : yz, ymax));
		if (cs >= 0) {
			esc_cell(b, cell_at(lk, i, cs));
			swt_buf_puts(b, " MB/min, ");
		}
		esc_cell(b, cell_at(lk, i, v0));
		swt_buf_puts(b, " MB at ");
		esc_cell(b, cell_at(lk, i, c0));
		swt_buf_puts(b, " s to ");
		esc_cell(b, cell_at(lk, i, v1));
		swt_buf_puts(b, " MB at ");
		esc_cell(b, cell_at(lk, i, c1));
		swt_buf_puts(b, " s</title></line>");
	}
}

static void subject_name(struct swt_buf *b, const struct subject *g)
{
	esc(b, g->name);
	if (g->kind && *g->kind && strcmp(g->kind, "session") != 0) {
		swt_buf_puts(b, " (");
		esc(b, g->kind);
		if (g->process && *g->process &&
		    strcmp(g->process, g->name) != 0) {
			swt_buf_puts(b, " of ");
			esc(b, g->process);
		}
		swt_buf_puts(b, ")");
	}
}

static void chart(struct swt_buf *b, const struct charts *ch,
		  const struct subject *g, int res, struct columns *cols)
{
	int64_t vmax = 0, ymax, ystep;
	bool has[2] = { false, false };
	int side, n_sides = ch->diff ? 2 : 1;
	const char *what = res == RES_CPU ? "CPU" : "memory";

	for (side = 0; side < n_sides; side++)
		has[side] = columns_fill(&cols[side], ch, g, res, side, &vmax);
	if (!has[0] && !has[1])
		return;
	if (vmax <= 0)
		vmax = 1000;
	ystep = nice_step(vmax);
	ymax = swt_sat_mul(swt_sat_add(vmax, ystep - 1) / ystep, ystep);
	swt_buf_puts(b, "<figure class=\"chart\"><figcaption><b>");
	subject_name(b, g);
	swt_buf_printf(b, "</b> %s: ", what);
	for (side = 0; side < n_sides; side++) {
		if (!has[side])
			continue;
		if (ch->diff)
			swt_buf_printf(b, "%s%s ", side ? "; " : "",
				       side ? "new" : "base");
		caption_peak(b, ch, g, res, side);
	}
	swt_buf_printf(b, "</figcaption>\n<svg width=\"%d\" height=\"%d\" "
		       "viewBox=\"0 0 %d %d\" role=\"img\" class=\"%s\">"
		       "<title>", CH_W, CH_H, CH_W, CH_H,
		       res == RES_CPU ? "cpu" : "mem");
	subject_name(b, g);
	swt_buf_printf(b, ": %s over time, the band from the least to the "
		       "greatest value of each pixel column, the line their "
		       "mean</title>", what);
	axes(b, ch, ymax, ystep, res == RES_CPU ? "CPU %" : "MB");
	markers(b, ch, g, res, true);
	for (side = 0; side < n_sides; side++) {
		const char *cls = ch->diff ? (side ? "new" : "base") : "one";

		if (!has[side])
			continue;
		swt_buf_printf(b, "<path class=\"band %s\" d=\"", cls);
		band_path(b, &cols[side], ymax);
		swt_buf_printf(b, "\"/><path class=\"mean %s\" d=\"", cls);
		mean_path(b, &cols[side], ymax);
		swt_buf_puts(b, "\"/>");
	}
	if (res == RES_MEM && !ch->diff)
		leak_lines(b, ch, g, ymax);
	markers(b, ch, g, res, false);
	swt_buf_puts(b, "</svg></figure>\n");
}

static void html_charts(struct swt_buf *b, const struct swt_model *m)
{
	struct charts ch;
	struct columns *cols;
	size_t i, shown = 0;
	int res;

	if (!charts_init(&ch, m))
		return;
	cols = swt_zalloc(2 * sizeof(*cols));
	swt_buf_puts(b, "<section id=\"charts\">\n<h2>Over time</h2>\n"
			"<p class=\"legend\">");
	if (ch.diff)
		swt_buf_puts(b, "<span class=\"key-base\">base: blue, solid"
				"</span> <span class=\"key-new\">new: "
				"orange, dashed</span>. ");
	swt_buf_puts(b, "Shaded: the least to the greatest value in each "
			"pixel column (a spike is never averaged away); "
			"line: the mean. On the time axis: "
			"<span class=\"key-spike\">hatched span and "
			"\xe2\x96\xb2 a spike and its peak</span>, "
			"<span class=\"key-alert\">\xe2\x97\x86 an "
			"alert</span>");
	if (!ch.diff)
		swt_buf_puts(b, "; on a module's memory: <span "
				"class=\"key-leak\">dashed, a leak's "
				"fitted line</span>");
	swt_buf_puts(b, ".</p>\n");
	for (i = 0; i < ch.n_subj; i++) {
		const struct subject *g = &ch.subj[i];

		if (g->rank != 0 && shown >= MAX_SUBJECT_CHARTS)
			continue;
		shown += g->rank != 0;
		for (res = 0; res < N_RES; res++)
			if (ch.c.res_ok[res])
				chart(b, &ch, g, res, cols);
	}
	if (ch.n_subj > shown + (ch.n_subj && ch.subj[0].rank == 0))
		swt_buf_printf(b, "<p class=\"note\">%zu more subjects over "
			       "time in the JSON report (section "
			       "series).</p>\n",
			       ch.n_subj - shown -
				       (ch.subj[0].rank == 0 ? 1 : 0));
	swt_buf_puts(b, "</section>\n");
	free(cols);
	charts_fini(&ch);
}

/* ---- the page ------------------------------------------------------------------------ */

/* (in parts: C compilers need not take longer literals) */
static const char *const css[] = {
	":root{--ink:#1b1b1b;--mute:#5a5a5a;--line:#d0d0d0;--base:#0072B2;"
	"--new:#D55E00;--bad:#D55E00;--good:#009E73;--unsure:#E69F00}\n"
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,"
	"sans-serif;color:var(--ink);background:#fff;margin:0 auto;"
	"max-width:1240px;padding:16px 20px}\n"
	"h1{font-size:1.6em;margin:0 0 .3em}h2{font-size:1.2em;margin:1.4em 0 "
	".4em;border-bottom:2px solid var(--line)}h3{font-size:1.05em;"
	"margin:1em 0 .3em}\n"
	"summary h2{display:inline-block;border:0;margin:.6em 0 .2em}"
	"summary{cursor:pointer}\n"
	"nav{font-size:.9em;margin:.6em 0;color:var(--mute)}"
	"nav a{margin-right:.9em;color:var(--base)}\n"
	".lines p{margin:.2em 0}.cards{display:flex;flex-wrap:wrap;gap:8px;"
	"margin:.8em 0}.card{border:1px solid var(--line);border-radius:6px;"
	"padding:4px 10px;min-width:7em;max-width:40em;overflow-wrap:anywhere}.card .k{display:block;font-size:.8em;"
	"color:var(--mute)}.card .val{font-size:1.2em;font-weight:600;"
	"font-variant-numeric:tabular-nums}\n"
	".verdict{font-size:1.3em;padding:8px 14px;border-radius:6px;"
	"border:2px solid;margin:.6em 0;display:inline-block}\n"
	".tw{overflow-x:auto}table{border-collapse:collapse;"
	"font-variant-numeric:tabular-nums;margin:.2em 0}\n"
	"th,td{border-bottom:1px solid var(--line);padding:2px 8px;"
	"text-align:left;vertical-align:top}th{background:#f3f3f3;"
	"font-weight:600;white-space:nowrap}td.n,th.n{text-align:right;"
	"white-space:nowrap}td.cmd{max-width:36em;overflow-wrap:anywhere;"
	"font-family:ui-monospace,monospace;font-size:.9em}"
	"td{white-space:nowrap}td.long,td.cmd{white-space:normal}"
	"td.long{min-width:18em;max-width:40em}td.cmd{min-width:26em}\n"
	"table.kv td:first-child{color:var(--mute)}"
	"table.weights{margin-bottom:1em}caption{text-align:left;"
	"color:var(--mute);font-size:.9em;padding:2px 0}"
	"table.wide tbody{display:grid;grid-template-columns:repeat(3,"
	"max-content max-content)}table.wide.nc3 tbody{"
	"grid-template-columns:repeat(2,max-content max-content "
	"max-content)}table.wide tr{display:contents}table.wide thead{"
	"display:none}table.wide td{padding-right:14px}"
	"table.kv.wide td:first-child,table.wide tr td:first-child{"
	"color:var(--mute)}table.wide td.n{text-align:left}\n"
	"section.kvs{display:inline-block;vertical-align:top;"
	"margin-right:2.5em}\n"
	".note{color:var(--mute);font-size:.9em;margin:.3em 0}"
	".none{color:var(--mute);font-style:italic}\n"
	,
	".p,.v{display:inline-block;padding:0 6px;border-radius:4px;"
	"border:1px solid;white-space:nowrap}\n"
	".p-critical{background:#f6cdb3;border-color:#D55E00;"
	"font-weight:700}.p-high{background:#fae3b8;border-color:#E69F00;"
	"font-weight:600}.p-medium{background:#fbf5c0;border-color:#a89c00}"
	".p-low{background:#dbeefa;border-color:#56B4E9}\n"
	".v-bad{background:#f6cdb3;border-color:#D55E00;font-weight:700}"
	".v-good{background:#c9ece0;border-color:#009E73}"
	".v-unsure{background:#fdf0d5;border-color:#E69F00;"
	"border-style:dashed}.v-same{background:#f0f0f0;border-color:#999}\n"
	"tr.r-bad td{background:#fdeee4}tr.r-bad td:first-child{"
	"box-shadow:inset 4px 0 0 #D55E00}\n"
	".bt{display:inline-block;width:110px;height:10px;background:#ececec;"
	"margin-right:6px;vertical-align:middle}.bf{display:block;"
	"height:100%;background:var(--base)}\n"
	".bf.p-critical{background:repeating-linear-gradient(45deg,#D55E00 0 "
	"3px,#8f3d00 3px 5px)}.bf.p-high{background:repeating-linear-"
	"gradient(90deg,#E69F00 0 3px,#a06e00 3px 4px)}.bf.p-medium{"
	"background:#c9bd2a}.bf.p-low{background:#56B4E9}\n"
	,
	"svg{vertical-align:middle}svg text{font:11px system-ui,sans-serif;"
	"fill:#333}\n"
	"svg .track{fill:#ececec}svg .under{fill:var(--base)}svg .over{"
	"fill:url(#swt-hatch-bad)}svg .limit{stroke:#000;stroke-width:2}\n"
	"svg.pair .base{fill:var(--base)}svg.pair .new{"
	"fill:url(#swt-hatch-new)}\n"
	".key-base{border-bottom:3px solid var(--base)}.key-new{"
	"border-bottom:3px dashed var(--new)}.key-spike{"
	"border-bottom:3px solid #CC79A7}.key-alert{color:#a4005a}\n"
	".chart{margin:.4em 0 1em}.chart figcaption{font-size:.9em}\n"
	".grid line{stroke:#e4e4e4}.axis,.tick{stroke:#333}.ylab text{"
	"text-anchor:end}.ylab .unit{text-anchor:start}.xlab text{"
	"text-anchor:middle}\n"
	".band{stroke:none}.band.one{fill:#56B4E9;fill-opacity:.45}"
	".band.base{fill:#0072B2;fill-opacity:.25}.band.new{"
	"fill:#D55E00;fill-opacity:.25}\n"
	".mean{fill:none;stroke-width:1.5}.mean.one,.mean.base{"
	"stroke:#0072B2}.mean.new{stroke:#D55E00;stroke-dasharray:5 3}\n"
	".spike{fill:url(#swt-hatch-spike)}.peak{fill:#CC79A7;stroke:#6b2f55}"
	".alert{fill:#D55E00;stroke:#000;stroke-width:.8}"
	".leakfit{stroke:#000;stroke-width:2;stroke-dasharray:7 4}"
	".key-leak{border-bottom:2px dashed #000}\n"
	"footer{margin-top:2em;color:var(--mute);font-size:.85em}\n"
	"@media print{body{max-width:none;padding:0;font-size:10px}"
	"nav{display:none}.tw{overflow:visible}summary{list-style:none}"
	"section,figure,tr{break-inside:avoid}h2{break-after:avoid}"
	"*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
	"td.cmd{max-width:none}}\n",
};

/* Patterns for the bars and charts: stripes, so that what is over a limit
 * or new reads without the colour. */
static const char defs[] =
	"<svg width=\"0\" height=\"0\" style=\"position:absolute\" "
	"aria-hidden=\"true\"><defs>"
	"<pattern id=\"swt-hatch-bad\" width=\"6\" height=\"6\" "
	"patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
	"<rect width=\"6\" height=\"6\" fill=\"#D55E00\"/>"
	"<rect width=\"2\" height=\"6\" fill=\"#8f3d00\"/></pattern>"
	"<pattern id=\"swt-hatch-new\" width=\"6\" height=\"6\" "
	"patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(-45)\">"
	"<rect width=\"6\" height=\"6\" fill=\"#D55E00\"/>"
	"<rect width=\"2\" height=\"6\" fill=\"#fff\" fill-opacity=\".5\"/>"
	"</pattern>"
	"<pattern id=\"swt-hatch-spike\" width=\"6\" height=\"6\" "
	"patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
	"<rect width=\"2\" height=\"6\" fill=\"#CC79A7\" "
	"fill-opacity=\".55\"/></pattern>"
	"</defs></svg>\n";

/* A card: a KV row's value under its name, when the row is there. */
static void card(struct swt_buf *b, const struct swt_model_section *s,
		 const char *key, const char *label)
{
	const struct swt_cell *c = kv_cell(s, key);

	if (!c || c->type == SWT_CELL_NULL)
		return;
	swt_buf_puts(b, "<div class=\"card\"><span class=\"k\">");
	esc(b, label);
	swt_buf_puts(b, "</span><span class=\"val\">");
	if (c->type == SWT_CELL_ENUM)
		enum_cell(b, c);
	else
		esc_cell(b, c);
	swt_buf_puts(b, "</span></div>");
}

static void header(struct swt_buf *b, const struct swt_model *m,
		   bool charts)
{
	const struct swt_model_section *ses = find_section(m, "session");
	const struct swt_model_section *sum = find_section(m, "summary");
	const struct swt_model_section *dif = find_section(m, "diff");
	const struct swt_cell *verdict = kv_cell(dif, "verdict");
	size_t i;

	swt_buf_puts(b, "<header>\n<h1>");
	esc(b, m->tool);
	swt_buf_putc(b, ' ');
	esc(b, m->name);
	swt_buf_puts(b, " report</h1>\n");
	if (verdict && cell_str(verdict)) {
		const struct verdict_style *v = verdict_of(verdict->s);

		swt_buf_printf(b, "<div class=\"verdict v-%s\"><span "
			       "aria-hidden=\"true\">%s</span>Verdict: "
			       "<strong>", v ? v->cls : "same",
			       v ? v->icon : "");
		esc(b, verdict->s);
		swt_buf_puts(b, "</strong></div>\n");
	}
	if (m->n_summary) {
		swt_buf_puts(b, "<div class=\"lines\">\n");
		for (i = 0; i < m->n_summary; i++) {
			swt_buf_puts(b, "<p>");
			esc(b, m->summary[i]);
			swt_buf_puts(b, "</p>\n");
		}
		swt_buf_puts(b, "</div>\n");
	}
	if (ses || sum || dif) {
		swt_buf_puts(b, "<div class=\"cards\">");
		card(b, ses, "command", "command");
		card(b, ses, "duration_s", "duration s");
		card(b, ses, "processes", "processes");
		card(b, ses, "cpu_s", "CPU s");
		card(b, ses, "samples", "samples");
		card(b, ses, "complete", "complete");
		card(b, sum, "total_weight", "total weight");
		card(b, sum, "active_modules", "active modules");
		card(b, sum, "alerts", "alerts");
		card(b, sum, "spikes", "spikes");
		card(b, sum, "leaks", "leaks");
		card(b, sum, "bottlenecks", "bottlenecks");
		card(b, sum, "recommendations", "recommendations");
		card(b, dif, "regressions", "regressions");
		card(b, dif, "improvements", "improvements");
		card(b, dif, "inconclusive", "inconclusive");
		card(b, dif, "unchanged", "unchanged");
		card(b, dif, "appeared", "appeared");
		card(b, dif, "disappeared", "disappeared");
		swt_buf_puts(b, "</div>\n");
	}
	swt_buf_puts(b, "<nav>");
	if (charts)
		swt_buf_puts(b, "<a href=\"#charts\">Over time</a> ");
	for (i = 0; i < m->n_sections; i++) {
		const struct swt_model_section *s = m->sections[i];

		if ((s->n_rows == 0 &&
		     (s->def->flags & SWT_SECTION_HIDE_EMPTY)) ||
		    (strcmp(s->def->key, "series") == 0 &&
		     series_cols_find(&(struct series_cols){ 0 }, s)))
			continue;
		swt_buf_puts(b, "<a href=\"#");
		section_id(b, s, NULL);
		swt_buf_puts(b, "\">");
		esc(b, s->def->title);
		swt_buf_puts(b, "</a> ");
	}
	swt_buf_puts(b, "</nav>\n</header>\n");
}

void swt_render_html(struct swt_buf *out, const struct swt_model *m)
{
	struct series_cols sc;
	struct swt_buf charts = SWT_BUF_INIT;
	size_t i;

	/* first: the contents link to them only if there are any */
	html_charts(&charts, m);
	swt_buf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
			  "<meta charset=\"utf-8\"/>\n"
			  "<meta name=\"viewport\" content=\"width=device-"
			  "width, initial-scale=1\"/>\n<title>");
	esc(out, m->tool);
	swt_buf_putc(out, ' ');
	esc(out, m->name);
	swt_buf_puts(out, " report</title>\n<style>\n");
	for (i = 0; i < sizeof(css) / sizeof(css[0]); i++)
		swt_buf_puts(out, css[i]);
	swt_buf_puts(out, "</style>\n</head>\n<body>\n");
	swt_buf_puts(out, defs);
	header(out, m, charts.len > 0);
	swt_buf_puts(out, "<main>\n");
	if (charts.len)
		swt_buf_add(out, charts.ptr, charts.len);
	swt_buf_fini(&charts);
	for (i = 0; i < m->n_sections; i++) {
		const struct swt_model_section *s = m->sections[i];

		/* the series are the charts above (a table of thousands of
		 * rows would be the page); one that is not (another
		 * section's "series") is a table like any other */
		if (strcmp(s->def->key, "series") == 0 &&
		    series_cols_find(&sc, s) && s->n_rows > 0) {
			swt_buf_puts(out, "<section id=\"");
			section_id(out, s, NULL);
			swt_buf_puts(out, "\">\n<h2>");
			esc(out, s->def->title);
			swt_buf_printf(out, "</h2>\n<p class=\"note\">%zu rows, "
				       "drawn in the charts above (Over time); "
				       "the figures are in the JSON report."
				       "</p>\n</section>\n", s->n_rows);
			continue;
		}
		html_section(out, s, NULL);
	}
	swt_buf_puts(out, "</main>\n<footer>Written by ");
	esc(out, m->tool);
	swt_buf_puts(out, " (report schema ");
	swt_buf_i64(out, m->schema_version);
	swt_buf_puts(out, "): every figure is the one in the JSON report of "
			  "the same file.</footer>\n</body>\n</html>\n");
}
