/* swt_render.c — text, Markdown, CSV and JSON renderers of the report
 * model (see swt_render.h). The three table formats share one view of a
 * section (its table-visible columns and cells as strings); JSON walks the
 * typed cells. */
#include "swt_render.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "swt_alloc.h"
#include "swt_json.h"

/* Text tables cut long command lines (the other formats keep them whole). */
#define TEXT_CUT_MAX 48

void swt_render_cell(struct swt_buf *out, const struct swt_cell *c)
{
	size_t i;

	switch (c->type) {
	case SWT_CELL_NULL:
	case SWT_CELL_ANY:
		break;
	case SWT_CELL_INT:
		swt_buf_i64(out, c->i);
		break;
	case SWT_CELL_FIXED:
		swt_buf_fixed(out, c->i, c->scale, c->dec);
		break;
	case SWT_CELL_STR:
	case SWT_CELL_ENUM:
		swt_buf_puts(out, c->s ? c->s : "");
		break;
	case SWT_CELL_BOOL:
		swt_buf_puts(out, c->i ? "yes" : "no");
		break;
	case SWT_CELL_LIST:
		for (i = 0; i < c->n; i++) {
			if (i)
				swt_buf_puts(out, c->sep ? c->sep : ",");
			swt_buf_puts(out, c->list[i] ? c->list[i] : "");
		}
		break;
	}
}

/* ---- the table view --------------------------------------------------------- */

/* A section as text, Markdown and CSV see it: the columns shown in tables,
 * every cell as a string. */
struct view {
	const struct swt_model_section *s;
	char *name;		/* CSV section name */
	size_t ncol;
	const struct swt_model_col *col[32];
	const char *head[32];
	bool num[32];
	bool cut[32];
	size_t n;		/* cells: rows * ncol */
	char **cells;
	bool header;		/* text: a header line */
};

static bool col_numeric(const struct swt_model_col *c)
{
	return (c->flags & SWT_COL_NUMERIC) || c->type == SWT_CELL_INT ||
	       c->type == SWT_CELL_FIXED;
}

static void view_init(struct view *v, const struct swt_model_section *s,
		      const char *parent)
{
	const struct swt_model_def *d = s->def;
	struct swt_buf b = SWT_BUF_INIT;
	size_t i, j;

	memset(v, 0, sizeof(*v));
	v->s = s;
	if (parent)
		swt_buf_printf(&b, "%s.%s", parent, d->key);
	else
		swt_buf_puts(&b, d->key);
	v->name = b.ptr;
	for (j = 0; j < d->n_cols; j++) {
		const struct swt_model_col *c = &d->cols[j];

		if (!swt_model_col_in_tables(c))
			continue;
		assert(v->ncol < 32);
		v->col[v->ncol] = c;
		v->head[v->ncol] = c->heading;
		v->num[v->ncol] = col_numeric(c);
		v->cut[v->ncol] = (c->flags & SWT_COL_CUT) != 0;
		v->ncol++;
	}
	v->header = !(d->kind == SWT_SECTION_KV && v->ncol == 2);
	v->cells = swt_zalloc((s->n_rows * v->ncol + 1) * sizeof(*v->cells));
	for (i = 0; i < s->n_rows; i++) {
		for (j = 0; j < d->n_cols; j++) {
			struct swt_buf c = SWT_BUF_INIT;

			if (!swt_model_col_in_tables(&d->cols[j]))
				continue;
			swt_render_cell(&c, &s->rows[i].cells[j]);
			v->cells[v->n++] = c.ptr ? c.ptr : swt_strdup("");
		}
	}
}

static void view_fini(struct view *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		free(v->cells[i]);
	free(v->cells);
	free(v->name);
}

/* ---- text --------------------------------------------------------------------- */

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

/* ---- charts (SWT_SECTION_CHART) ----------------------------------------------- */

/* Columns of a sparkline, whatever the number of rows: more rows than
 * columns take the max of theirs, fewer are drawn wider. */
#define CHART_WIDTH 60
#define CHART_METRICS 4
#define CHART_LEVELS 8

/* U+2581 .. U+2588, and the ASCII ramp of --ascii; a column without a
 * value is a space in both */
static const char *const chart_blocks[CHART_LEVELS] = {
	"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
	"\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88",
};
static const char chart_ascii[CHART_LEVELS + 1] = ".:-=+*#@";

struct chart {
	const struct swt_model_section *s;
	bool ascii;
	size_t n_group, group[8];
	bool has_line;
	size_t line, from, to;
	bool has_from, has_to;
	size_t n_metric, min[CHART_METRICS], max[CHART_METRICS];
};

static bool cell_eq(const struct swt_cell *a, const struct swt_cell *b)
{
	struct swt_buf x = SWT_BUF_INIT, y = SWT_BUF_INIT;
	bool eq;

	if (a->type != b->type)
		return false;
	swt_render_cell(&x, a);
	swt_render_cell(&y, b);
	eq = x.len == y.len && (x.len == 0 || memcmp(x.ptr, y.ptr, x.len) == 0);
	swt_buf_fini(&x);
	swt_buf_fini(&y);
	return eq;
}

static bool same_group(const struct chart *c, size_t r1, size_t r2)
{
	size_t k;

	for (k = 0; k < c->n_group; k++)
		if (!cell_eq(&c->s->rows[r1].cells[c->group[k]],
			     &c->s->rows[r2].cells[c->group[k]]))
			return false;
	return true;
}

static const struct swt_cell *chart_cell(const struct chart *c, size_t r,
					 size_t col)
{
	return &c->s->rows[r].cells[col];
}

/* The level of a bar of value v on a chart whose highest bar is hi (from
 * 0, the lowest block, rounded half up). */
static size_t chart_level(int64_t v, int64_t hi)
{
	__extension__ typedef unsigned __int128 u128;
	u128 d, w;
	size_t i;

	if (hi <= 0 || v <= 0)
		return 0;
	d = (u128)(uint64_t)v;
	w = (u128)(uint64_t)hi;
	i = (size_t)((d * 2 * (CHART_LEVELS - 1) + w) / (w * 2));
	return i >= CHART_LEVELS ? CHART_LEVELS - 1 : i;
}

/* Do lo and hi print alike with `dec` decimals of a value of `scale`? */
static bool same_figure(int64_t lo, int64_t hi, unsigned scale, unsigned dec)
{
	struct swt_buf x = SWT_BUF_INIT, y = SWT_BUF_INIT;
	bool same;

	swt_buf_fixed(&x, lo, scale, dec);
	swt_buf_fixed(&y, hi, scale, dec);
	same = x.len == y.len && memcmp(x.ptr, y.ptr, x.len) == 0;
	swt_buf_fini(&x);
	swt_buf_fini(&y);
	return same;
}

/* The range [lo, hi] a line's values span, at the cell's decimals, or
 * more (up to its scale) where those would hide what the bars show: its
 * highest value printed as 0 beside bars of some height, or lo and hi
 * printed alike though their bars (on a chart whose highest is top)
 * differ. "0.0–0.0 %" and "0.1–0.1 %" beside bars of every height (a
 * module of 0.02–0.03 % or 0.06–0.12 % of CPU) read as a drawing of
 * nothing; a steady line (50.00–50.01 MB, bars alike) keeps the cell's
 * decimals. */
static void chart_range(struct swt_buf *b, const struct chart *c,
			const struct swt_cell *proto, int64_t lo, int64_t hi,
			int64_t top)
{
	unsigned dec = proto->dec;
	bool differ = chart_level(lo, top) != chart_level(hi, top);

	for (; dec < proto->scale; dec++) {
		if (hi > 0 && same_figure(0, hi, proto->scale, dec))
			continue;
		if (differ && same_figure(lo, hi, proto->scale, dec))
			continue;
		break;
	}
	swt_buf_fixed(b, lo, proto->scale, dec);
	swt_buf_puts(b, c->ascii ? "-" : "\xe2\x80\x93");
	swt_buf_fixed(b, hi, proto->scale, dec);
}

/* Does row r's bucket [from, to) reach into column k of a time axis
 * [0, t_end) cut into CHART_WIDTH columns? */
static bool chart_in_column(const struct chart *c, size_t r, size_t k,
			    int64_t t_end)
{
	const struct swt_cell *f = chart_cell(c, r, c->from);
	const struct swt_cell *t = chart_cell(c, r, c->to);
	__extension__ typedef __int128 i128;
	i128 lo, hi, w = CHART_WIDTH, kk = (i128)k;

	if (f->type != SWT_CELL_FIXED || t->type != SWT_CELL_FIXED)
		return false;
	lo = f->i;
	hi = t->i > f->i ? (i128)t->i : (i128)f->i + 1;
	return lo * w < (kk + 1) * t_end && hi * w > kk * t_end;
}

/* One metric's line over rows rs[0..n) of a subject. top > 0: the value
 * of the highest bar (the highest of every line of the chart), else the
 * line's own highest; t_end > 0: the columns cut the time [0, t_end)
 * (every line of the chart on one axis), else the rows. */
static void chart_line(struct swt_buf *b, const struct chart *c, size_t mi,
		       const char *label, size_t label_w, const size_t *rs,
		       size_t n, int64_t top, int64_t t_end)
{
	const struct swt_model_col *mc = &c->s->def->cols[c->max[mi]];
	const struct swt_cell *proto = NULL;
	int64_t lo = 0, hi = 0, own_hi, v;
	size_t i, k, a, z;
	bool any = false, has;

	for (i = 0; i < n; i++) {
		const struct swt_cell *x = chart_cell(c, rs[i], c->min[mi]);
		const struct swt_cell *y = chart_cell(c, rs[i], c->max[mi]);

		if (y->type != SWT_CELL_FIXED)
			continue;
		v = x->type == SWT_CELL_FIXED && x->i < y->i ? x->i : y->i;
		if (!any || v < lo)
			lo = v;
		if (!any || y->i > hi)
			hi = y->i;
		any = true;
		proto = y;
	}
	swt_buf_puts(b, "    ");
	swt_buf_puts(b, label);
	pad(b, label_w - strlen(label) + 2);
	if (!any) {
		swt_buf_puts(b, "(no data)\n");
		return;
	}
	own_hi = hi;
	if (top > hi)
		hi = top;
	for (k = 0; k < CHART_WIDTH; k++) {
		a = k * n / CHART_WIDTH;
		z = (k + 1) * n / CHART_WIDTH;
		if (z <= a)
			z = a + 1;
		if (t_end > 0) {
			a = 0;
			z = n;
		}
		has = false;
		v = 0;
		for (i = a; i < z && i < n; i++) {
			const struct swt_cell *y =
				chart_cell(c, rs[i], c->max[mi]);

			if (t_end > 0 && !chart_in_column(c, rs[i], k, t_end))
				continue;
			if (y->type == SWT_CELL_FIXED && (!has || y->i > v)) {
				v = y->i;
				has = true;
			}
		}
		if (!has) {
			swt_buf_putc(b, ' ');
			continue;
		}
		/* the level, rounded half up: bars from 0 (the lowest
		 * block: nothing or little) to the line's highest value */
		i = chart_level(v, hi);
		if (c->ascii)
			swt_buf_putc(b, chart_ascii[i]);
		else
			swt_buf_puts(b, chart_blocks[i]);
	}
	swt_buf_puts(b, "  ");
	chart_range(b, c, proto, lo, own_hi, hi);
	if (mc->unit) {
		swt_buf_putc(b, ' ');
		swt_buf_puts(b, strcmp(mc->unit, "percent") == 0 ? "%" :
								   mc->unit);
	}
	swt_buf_putc(b, '\n');
}

/* A metric's label: its MAX column's heading up to the first space. */
static void chart_label(struct swt_buf *b, const struct chart *c, size_t mi,
			const struct swt_cell *side)
{
	const char *h = c->s->def->cols[c->max[mi]].heading;
	const char *sp = strchr(h, ' ');

	swt_buf_add(b, h, sp ? (size_t)(sp - h) : strlen(h));
	if (side) {
		swt_buf_putc(b, ' ');
		swt_render_cell(b, side);
	}
}

/* One subject: rows [r0, r1). */
static void chart_subject(struct swt_buf *b, const struct chart *c,
			  size_t r0, size_t r1)
{
	size_t *rs = swt_calloc(r1 - r0, sizeof(*rs));
	size_t sides[16], n_sides = 0, i, j, k, n, label_w = 0;
	struct swt_buf lab = SWT_BUF_INIT;
	bool first = true, have_t = false;
	int64_t t0 = 0, t1 = 0, t_end = 0;
	const struct swt_cell *tp = NULL;

	/* "name (other group cells)" and the time it covers */
	swt_buf_puts(b, "  ");
	for (k = 0; k < c->n_group; k++) {
		struct swt_buf x = SWT_BUF_INIT;

		swt_render_cell(&x, chart_cell(c, r0, c->group[k]));
		if (k == 0) {
			swt_buf_puts(b, x.len ? x.ptr : "");
		} else if (x.len) {
			swt_buf_puts(b, first ? " (" : ", ");
			swt_buf_puts(b, x.ptr);
			first = false;
		}
		swt_buf_fini(&x);
	}
	if (!first)
		swt_buf_putc(b, ')');
	for (i = r0; i < r1; i++) {
		const struct swt_cell *f =
			c->has_from ? chart_cell(c, i, c->from) : NULL;
		const struct swt_cell *t =
			c->has_to ? chart_cell(c, i, c->to) : NULL;

		if (f && f->type == SWT_CELL_FIXED && (!have_t || f->i < t0)) {
			t0 = f->i;
			if (!have_t)
				t1 = f->i;
			have_t = true;
			tp = f;
		}
		if (t && t->type == SWT_CELL_FIXED && (!have_t || t->i > t1)) {
			t1 = t->i;
			if (!have_t)
				t0 = t->i;
			have_t = true;
			tp = t;
		}
	}
	if (have_t) {
		swt_buf_puts(b, "  ");
		chart_range(b, c, tp, t0, t1, 0);
		swt_buf_puts(b, " s");
	}
	swt_buf_putc(b, '\n');
	/* the lines (base, new) in the order met */
	for (i = r0; i < r1 && c->has_line; i++) {
		for (j = 0; j < n_sides; j++)
			if (cell_eq(chart_cell(c, sides[j], c->line),
				    chart_cell(c, i, c->line)))
				break;
		if (j == n_sides && n_sides < 16)
			sides[n_sides++] = i;
	}
	if (!c->has_line)
		n_sides = 1;
	for (k = 0; k < c->n_metric; k++)
		for (j = 0; j < n_sides; j++) {
			lab.len = 0;
			if (lab.ptr)
				lab.ptr[0] = '\0';
			chart_label(&lab, c, k,
				    c->has_line ?
					    chart_cell(c, sides[j], c->line) :
					    NULL);
			if (lab.len > label_w)
				label_w = lab.len;
		}
	/* lines of several sides (base, new) share the time axis, from 0
	 * to the latest end, and each metric its scale */
	if (c->has_line && c->has_from && c->has_to) {
		for (i = r0; i < r1; i++) {
			const struct swt_cell *t = chart_cell(c, i, c->to);

			if (t->type == SWT_CELL_FIXED && t->i > t_end)
				t_end = t->i;
		}
		for (i = r0; i < r1 && t_end > 0; i++) {
			const struct swt_cell *f = chart_cell(c, i, c->from);

			/* an axis from 0 needs no negative time */
			if (f->type == SWT_CELL_FIXED && f->i < 0)
				t_end = 0;
		}
	}
	for (k = 0; k < c->n_metric; k++) {
		int64_t top = 0;

		for (i = r0; i < r1 && c->has_line; i++) {
			const struct swt_cell *y = chart_cell(c, i, c->max[k]);

			if (y->type == SWT_CELL_FIXED && y->i > top)
				top = y->i;
		}
		for (j = 0; j < n_sides; j++) {
			const struct swt_cell *side =
				c->has_line ? chart_cell(c, sides[j], c->line) :
					      NULL;

			for (i = r0, n = 0; i < r1; i++)
				if (!side ||
				    cell_eq(chart_cell(c, i, c->line), side))
					rs[n++] = i;
			lab.len = 0;
			if (lab.ptr)
				lab.ptr[0] = '\0';
			chart_label(&lab, c, k, side);
			chart_line(b, c, k, lab.ptr ? lab.ptr : "", label_w,
				   rs, n, top, t_end);
		}
	}
	swt_buf_fini(&lab);
	free(rs);
}

static void chart_init(struct chart *c, const struct swt_model_section *s,
		       bool ascii)
{
	const struct swt_model_def *d = s->def;
	size_t j, n_min = 0;

	memset(c, 0, sizeof(*c));
	c->s = s;
	c->ascii = ascii;
	for (j = 0; j < d->n_cols; j++) {
		unsigned f = d->cols[j].flags;

		if ((f & SWT_COL_CHART_GROUP) && c->n_group < 8)
			c->group[c->n_group++] = j;
		if (f & SWT_COL_CHART_LINE) {
			c->has_line = true;
			c->line = j;
		}
		if (f & SWT_COL_CHART_FROM) {
			c->has_from = true;
			c->from = j;
		}
		if (f & SWT_COL_CHART_TO) {
			c->has_to = true;
			c->to = j;
		}
		if ((f & SWT_COL_CHART_MIN) && n_min < CHART_METRICS)
			c->min[n_min++] = j;
		if ((f & SWT_COL_CHART_MAX) && c->n_metric < CHART_METRICS)
			c->max[c->n_metric++] = j;
	}
	/* (a metric without a MIN column takes its MAX for the bottom) */
	for (j = n_min; j < c->n_metric; j++)
		c->min[j] = c->max[j];
}

/* The sparklines of a chart section: per subject a heading line and a
 * line per metric (and side). */
static void chart_body(struct swt_buf *b, const struct swt_model_section *s,
		       bool ascii)
{
	struct chart c;
	size_t r0, r1;

	chart_init(&c, s, ascii);
	for (r0 = 0; r0 < s->n_rows; r0 = r1) {
		for (r1 = r0 + 1; r1 < s->n_rows && same_group(&c, r0, r1);
		     r1++)
			;
		chart_subject(b, &c, r0, r1);
	}
}

/* One text cell: s cut to TEXT_CUT_MAX code points in cut columns. */
static size_t text_cell(const struct view *v, size_t c, const char *s,
			size_t *len, bool *cut)
{
	*cut = false;
	*len = v->cut[c] ? cut_len(s, TEXT_CUT_MAX, cut) : strlen(s);
	return width(s, *len) + (*cut ? 3 : 0);
}

static void text_row(struct swt_buf *b, const struct view *v,
		     const size_t *w, const char *const *cells)
{
	size_t c, len, cw;
	bool cut;

	swt_buf_puts(b, "  ");
	for (c = 0; c < v->ncol; c++) {
		cw = text_cell(v, c, cells[c], &len, &cut);
		if (c)
			swt_buf_puts(b, "  ");
		if (v->num[c])
			pad(b, w[c] - cw);
		swt_buf_add(b, cells[c], len);
		if (cut)
			swt_buf_puts(b, "...");
		if (!v->num[c])
			pad(b, w[c] - cw);
	}
	trim_line(b);
}

static void text_section(struct swt_buf *b, const struct view *v,
			 bool ascii)
{
	size_t w[32], i, len, cw;
	bool cut;

	swt_buf_printf(b, "%s\n", v->s->def->title);
	if (v->s->n_rows == 0) {
		swt_buf_puts(b, "  (none)\n");
		goto note;
	}
	if (v->s->def->flags & SWT_SECTION_CHART) {
		chart_body(b, v->s, ascii);
		goto note;
	}
	for (i = 0; i < v->ncol; i++)
		w[i] = v->header ? width(v->head[i], strlen(v->head[i])) : 0;
	for (i = 0; i < v->n; i++) {
		cw = text_cell(v, i % v->ncol, v->cells[i], &len, &cut);
		if (cw > w[i % v->ncol])
			w[i % v->ncol] = cw;
	}
	if (v->header)
		text_row(b, v, w, v->head);
	for (i = 0; i < v->n; i += v->ncol)
		text_row(b, v, w, (const char *const *)&v->cells[i]);
note:
	for (i = 0; i < v->s->n_notes; i++)
		swt_buf_printf(b, "  %s\n", v->s->notes[i]);
	swt_buf_putc(b, '\n');
}

/* ---- Markdown ----------------------------------------------------------------- */

static void md_cell(struct swt_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '|' || *s == '\\' || *s == '*' || *s == '`' ||
		    *s == '<' || *s == '>' || *s == '[' || *s == ']')
			swt_buf_putc(b, '\\');
		swt_buf_putc(b, *s);
	}
}

/* Text inside HTML (a folded section's summary): &, < and > escaped. */
static void md_html(struct swt_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '&')
			swt_buf_puts(b, "&amp;");
		else if (*s == '<')
			swt_buf_puts(b, "&lt;");
		else if (*s == '>')
			swt_buf_puts(b, "&gt;");
		else
			swt_buf_putc(b, *s);
	}
}

static void md_section(struct swt_buf *b, const struct view *v, bool ascii)
{
	bool fold = (v->s->def->flags & SWT_SECTION_FOLD) != 0;
	size_t i, j;

	if (fold) {
		swt_buf_puts(b, "<details><summary>");
		md_html(b, v->s->def->title);
		swt_buf_puts(b, "</summary>\n\n");
	} else {
		swt_buf_printf(b, "## %s\n\n", v->s->def->title);
	}
	if (v->s->n_rows == 0) {
		swt_buf_puts(b, "_None._\n\n");
		goto note;
	}
	if (v->s->def->flags & SWT_SECTION_CHART) {
		swt_buf_puts(b, "```\n");
		chart_body(b, v->s, ascii);
		swt_buf_puts(b, "```\n\n");
		goto note;
	}
	swt_buf_puts(b, "|");
	for (j = 0; j < v->ncol; j++) {
		swt_buf_puts(b, " ");
		md_cell(b, v->head[j]);
		swt_buf_puts(b, " |");
	}
	swt_buf_puts(b, "\n|");
	for (j = 0; j < v->ncol; j++)
		swt_buf_puts(b, v->num[j] ? " ---: |" : " --- |");
	swt_buf_putc(b, '\n');
	for (i = 0; i < v->n; i++) {
		if (i % v->ncol == 0)
			swt_buf_puts(b, "|");
		swt_buf_puts(b, " ");
		md_cell(b, v->cells[i]);
		swt_buf_puts(b, " |");
		if (i % v->ncol == v->ncol - 1)
			swt_buf_putc(b, '\n');
	}
	swt_buf_putc(b, '\n');
note:
	for (i = 0; i < v->s->n_notes; i++) {
		md_cell(b, v->s->notes[i]);
		swt_buf_puts(b, "\n\n");
	}
	if (fold)
		swt_buf_puts(b, "</details>\n\n");
}

/* ---- CSV ---------------------------------------------------------------------- */


static void csv_section(struct swt_buf *b, const struct view *v)
{
	size_t i, j;

	if (b->len)
		swt_buf_putc(b, '\n');
	swt_buf_puts(b, "section");
	for (j = 0; j < v->ncol; j++) {
		swt_buf_putc(b, ',');
		swt_buf_puts(b, v->col[j]->key);
	}
	swt_buf_putc(b, '\n');
	for (i = 0; i < v->n; i++) {
		if (i % v->ncol == 0)
			swt_buf_puts(b, v->name);
		swt_buf_putc(b, ',');
		swt_buf_csv_cell(b, v->cells[i]);
		if (i % v->ncol == v->ncol - 1)
			swt_buf_putc(b, '\n');
	}
}

/* ---- the three table formats ------------------------------------------------ */

enum table_fmt { FMT_TEXT, FMT_MARKDOWN, FMT_CSV };

static void table_section(struct swt_buf *b, const struct swt_model_section *s,
			  const char *parent, enum table_fmt fmt, bool ascii)
{
	struct view v;
	size_t i;

	if (fmt != FMT_CSV && s->n_rows == 0 &&
	    (s->def->flags & SWT_SECTION_HIDE_EMPTY))
		return;
	view_init(&v, s, parent);
	if (fmt == FMT_TEXT)
		text_section(b, &v, ascii);
	else if (fmt == FMT_MARKDOWN)
		md_section(b, &v, ascii);
	else
		csv_section(b, &v);
	for (i = 0; i < s->n_children; i++)
		table_section(b, s->children[i], v.name, fmt, ascii);
	view_fini(&v);
}

static void tables(struct swt_buf *out, const struct swt_model *m,
		   enum table_fmt fmt)
{
	struct swt_buf b = SWT_BUF_INIT;
	size_t i;

	if (fmt == FMT_TEXT) {
		swt_buf_printf(&b, "%s %s report\n\n", m->tool, m->name);
		for (i = 0; i < m->n_summary; i++)
			swt_buf_printf(&b, "%s\n", m->summary[i]);
		if (m->n_summary)
			swt_buf_putc(&b, '\n');
	} else if (fmt == FMT_MARKDOWN) {
		swt_buf_printf(&b, "# %s %s report\n\n", m->tool, m->name);
		for (i = 0; i < m->n_summary; i++) {
			md_cell(&b, m->summary[i]);
			swt_buf_puts(&b, "\n\n");
		}
	}
	for (i = 0; i < m->n_sections; i++)
		table_section(&b, m->sections[i], NULL, fmt, m->ascii);
	/* text and Markdown end with one newline, not a blank line */
	if (fmt != FMT_CSV && b.len >= 2 && b.ptr[b.len - 1] == '\n' &&
	    b.ptr[b.len - 2] == '\n')
		b.ptr[--b.len] = '\0';
	if (b.len)
		swt_buf_add(out, b.ptr, b.len);
	swt_buf_fini(&b);
}

void swt_render_text(struct swt_buf *out, const struct swt_model *m)
{
	tables(out, m, FMT_TEXT);
}

void swt_render_markdown(struct swt_buf *out, const struct swt_model *m)
{
	tables(out, m, FMT_MARKDOWN);
}

void swt_render_csv(struct swt_buf *out, const struct swt_model *m)
{
	tables(out, m, FMT_CSV);
}

/* ---- JSON --------------------------------------------------------------------- */

static void json_cell(struct swt_json *w, const char *key,
		      const struct swt_cell *c)
{
	size_t i;

	switch (c->type) {
	case SWT_CELL_NULL:
	case SWT_CELL_ANY:
		swt_json_null(w, key);
		break;
	case SWT_CELL_INT:
		swt_json_i64(w, key, c->i);
		break;
	case SWT_CELL_FIXED:
		swt_json_fixed(w, key, c->i, c->scale, c->dec);
		break;
	case SWT_CELL_STR:
	case SWT_CELL_ENUM:
		swt_json_str(w, key, c->s);
		break;
	case SWT_CELL_BOOL:
		swt_json_bool(w, key, c->i != 0);
		break;
	case SWT_CELL_LIST:
		swt_json_begin_array(w, key);
		for (i = 0; i < c->n; i++)
			swt_json_str(w, NULL, c->list[i]);
		swt_json_end_array(w);
		break;
	}
}

/* The members of one table row. */
static void json_row(struct swt_json *w, const struct swt_model_def *d,
		     const struct swt_model_row *r)
{
	size_t j;

	for (j = 0; j < d->n_cols; j++)
		if (swt_model_col_in_json(&d->cols[j]))
			json_cell(w, d->cols[j].key, &r->cells[j]);
}

static void json_section(struct swt_json *w,
			 const struct swt_model_section *s)
{
	const struct swt_model_def *d = s->def;
	bool inline_ = (d->flags & SWT_SECTION_JSON_INLINE) != 0;
	size_t i, j;

	if (d->kind == SWT_SECTION_TABLE &&
	    !(d->flags & SWT_SECTION_JSON_NAMED_ROWS)) {
		swt_json_begin_array(w, d->key);
		for (i = 0; i < s->n_rows; i++) {
			swt_json_begin_object(w, NULL);
			json_row(w, d, &s->rows[i]);
			swt_json_end_object(w);
		}
		swt_json_end_array(w);
		return;
	}
	if (!inline_)
		swt_json_begin_object(w, d->key);
	if (d->kind == SWT_SECTION_TABLE) {
		for (i = 0; i < s->n_rows; i++) {
			swt_json_begin_object(w, s->rows[i].key);
			json_row(w, d, &s->rows[i]);
			swt_json_end_object(w);
		}
	} else {
		for (i = 0; i < s->n_rows; i++)
			json_cell(w, s->rows[i].key, &s->rows[i].cells[1]);
		for (i = 0; i < s->n_children; i++)
			json_section(w, s->children[i]);
		for (j = 2; j < d->n_cols; j++) {
			assert(d->cols[j].flags & SWT_COL_JSON_BY_KEY);
			if (!swt_model_col_in_json(&d->cols[j]))
				continue;
			swt_json_begin_object(w, d->cols[j].key);
			for (i = 0; i < s->n_rows; i++)
				json_cell(w, s->rows[i].key,
					  &s->rows[i].cells[j]);
			swt_json_end_object(w);
		}
	}
	if (!inline_)
		swt_json_end_object(w);
}

void swt_render_json(struct swt_buf *out, const struct swt_model *m)
{
	struct swt_json w;
	size_t i;

	swt_json_init(&w, out, true);
	swt_json_begin_object(&w, NULL);
	swt_json_i64(&w, "schema_version", m->schema_version);
	swt_json_str(&w, "report", m->name);
	for (i = 0; i < m->n_sections; i++)
		json_section(&w, m->sections[i]);
	swt_json_end_object(&w);
	swt_buf_putc(out, '\n');
}

/* ---- JSON lines ------------------------------------------------------------------ */

void swt_render_jsonl(struct swt_buf *out, const struct swt_model *m)
{
	size_t i, r;

	for (i = 0; i < m->n_sections; i++) {
		const struct swt_model_section *s = m->sections[i];

		if (s->def->kind != SWT_SECTION_TABLE)
			continue;
		for (r = 0; r < s->n_rows; r++) {
			struct swt_json w;

			swt_json_init(&w, out, false);
			swt_json_begin_object(&w, NULL);
			json_row(&w, s->def, &s->rows[r]);
			swt_json_end_object(&w);
			swt_buf_putc(out, '\n');
		}
	}
}

/* ---- JUnit XML ------------------------------------------------------------------ */

static void xml_text(struct swt_buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			swt_buf_puts(b, "&amp;");
			break;
		case '<':
			swt_buf_puts(b, "&lt;");
			break;
		case '>':
			swt_buf_puts(b, "&gt;");
			break;
		case '"':
			swt_buf_puts(b, "&quot;");
			break;
		case '\n':
			swt_buf_puts(b, "&#10;");
			break;
		default:
			/* control bytes are not XML 1.0 characters */
			if ((unsigned char)*s < 0x20 && *s != '\t')
				swt_buf_putc(b, '?');
			else
				swt_buf_putc(b, *s);
		}
	}
}

enum junit_outcome { JU_PASS, JU_FAIL, JU_SKIP };

static enum junit_outcome junit_outcome(const char *verdict)
{
	if (strcmp(verdict, "regression") == 0 ||
	    strcmp(verdict, "over_budget") == 0)
		return JU_FAIL;
	if (strncmp(verdict, "inconclusive", 12) == 0 ||
	    strcmp(verdict, "unmatched") == 0)
		return JU_SKIP;
	return JU_PASS;
}

struct junit_case {
	char *classname, *name, *verdict, *message;
};

static void junit_cases(const struct swt_model_section *s,
			struct junit_case **out, size_t *n, size_t *cap)
{
	const struct swt_model_def *d = s->def;
	size_t i, j;

	for (i = 0; i < s->n_rows; i++) {
		struct swt_buf cls = SWT_BUF_INIT, name = SWT_BUF_INIT,
			       verdict = SWT_BUF_INIT, msg = SWT_BUF_INIT;
		struct junit_case *c;
		size_t last = 0;	/* where the last class part starts */

		for (j = 0; j < d->n_cols; j++) {
			const struct swt_model_col *col = &d->cols[j];
			const struct swt_cell *cell = &s->rows[i].cells[j];
			struct swt_buf v = SWT_BUF_INIT;

			swt_render_cell(&v, cell);
			if (col->flags & SWT_COL_JUNIT_CLASS) {
				/* a part equal to the one before adds
				 * nothing (a process module's process) */
				if (v.len && !(cls.len &&
					       strcmp(cls.ptr + last, v.ptr) ==
						       0)) {
					if (cls.len)
						swt_buf_putc(&cls, '.');
					last = cls.len;
					swt_buf_puts(&cls, v.ptr);
				}
			} else if (col->flags & SWT_COL_JUNIT_NAME) {
				swt_buf_puts(&name, v.ptr ? v.ptr : "");
			} else if (col->flags & SWT_COL_JUNIT_VERDICT) {
				swt_buf_puts(&verdict, v.ptr ? v.ptr : "");
			}
			if (swt_model_col_in_json(col) && v.len) {
				if (msg.len)
					swt_buf_puts(&msg, ", ");
				swt_buf_printf(&msg, "%s: %s", col->key,
					       v.ptr);
			}
			swt_buf_fini(&v);
		}
		*out = swt_grow(*out, cap, *n + 1, sizeof(**out));
		c = &(*out)[(*n)++];
		c->classname = cls.ptr ? cls.ptr : swt_strdup(d->key);
		c->name = name.ptr ? name.ptr : swt_strdup("");
		c->verdict = verdict.ptr ? verdict.ptr : swt_strdup("");
		c->message = msg.ptr ? msg.ptr : swt_strdup("");
	}
}

void swt_render_junit(struct swt_buf *out, const struct swt_model *m)
{
	struct junit_case *cases = NULL;
	size_t n = 0, cap = 0, i, fail = 0, skip = 0;
	struct swt_buf suite = SWT_BUF_INIT;

	for (i = 0; i < m->n_sections; i++)
		if (m->sections[i]->def->flags & SWT_SECTION_JUNIT)
			junit_cases(m->sections[i], &cases, &n, &cap);
	for (i = 0; i < n; i++) {
		enum junit_outcome o = junit_outcome(cases[i].verdict);

		fail += o == JU_FAIL;
		skip += o == JU_SKIP;
	}
	swt_buf_printf(&suite, "%s %s", m->tool, m->name);
	swt_buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	swt_buf_puts(out, "<testsuites name=\"");
	xml_text(out, suite.ptr);
	swt_buf_printf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
		       "skipped=\"%zu\">\n", n, fail, skip);
	swt_buf_puts(out, "  <testsuite name=\"");
	xml_text(out, suite.ptr);
	swt_buf_printf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
		       "skipped=\"%zu\">\n", n, fail, skip);
	for (i = 0; i < n; i++) {
		enum junit_outcome o = junit_outcome(cases[i].verdict);

		swt_buf_puts(out, "    <testcase classname=\"");
		xml_text(out, cases[i].classname);
		swt_buf_puts(out, "\" name=\"");
		xml_text(out, cases[i].name);
		if (o == JU_PASS) {
			swt_buf_puts(out, "\"/>\n");
		} else {
			swt_buf_puts(out, "\">\n");
			if (o == JU_FAIL) {
				swt_buf_puts(out, "      <failure type=\"");
				xml_text(out, cases[i].verdict);
				swt_buf_puts(out, "\" message=\"");
			} else {
				swt_buf_puts(out, "      <skipped message=\"");
				xml_text(out, cases[i].verdict);
				swt_buf_puts(out, ": ");
			}
			xml_text(out, cases[i].message);
			swt_buf_puts(out, "\"/>\n");
			swt_buf_puts(out, "    </testcase>\n");
		}
		free(cases[i].classname);
		free(cases[i].name);
		free(cases[i].verdict);
		free(cases[i].message);
	}
	free(cases);
	swt_buf_fini(&suite);
	swt_buf_puts(out, "  </testsuite>\n</testsuites>\n");
}
