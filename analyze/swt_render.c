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

static void text_section(struct swt_buf *b, const struct view *v)
{
	size_t w[32], i, len, cw;
	bool cut;

	swt_buf_printf(b, "%s\n", v->s->def->title);
	if (v->s->n_rows == 0) {
		swt_buf_puts(b, "  (none)\n");
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

static void md_section(struct swt_buf *b, const struct view *v)
{
	size_t i, j;

	swt_buf_printf(b, "## %s\n\n", v->s->def->title);
	if (v->s->n_rows == 0) {
		swt_buf_puts(b, "_None._\n\n");
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
}

/* ---- CSV ---------------------------------------------------------------------- */

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
		csv_cell(b, v->cells[i]);
		if (i % v->ncol == v->ncol - 1)
			swt_buf_putc(b, '\n');
	}
}

/* ---- the three table formats ------------------------------------------------ */

enum table_fmt { FMT_TEXT, FMT_MARKDOWN, FMT_CSV };

static void table_section(struct swt_buf *b, const struct swt_model_section *s,
			  const char *parent, enum table_fmt fmt)
{
	struct view v;
	size_t i;

	if (fmt != FMT_CSV && s->n_rows == 0 &&
	    (s->def->flags & SWT_SECTION_HIDE_EMPTY))
		return;
	view_init(&v, s, parent);
	if (fmt == FMT_TEXT)
		text_section(b, &v);
	else if (fmt == FMT_MARKDOWN)
		md_section(b, &v);
	else
		csv_section(b, &v);
	for (i = 0; i < s->n_children; i++)
		table_section(b, s->children[i], v.name, fmt);
	view_fini(&v);
}

static void tables(struct swt_buf *out, const struct swt_model *m,
		   enum table_fmt fmt)
{
	struct swt_buf b = SWT_BUF_INIT;
	size_t i;

	if (fmt == FMT_TEXT)
		swt_buf_printf(&b, "%s %s report\n\n", m->tool, m->name);
	else if (fmt == FMT_MARKDOWN)
		swt_buf_printf(&b, "# %s %s report\n\n", m->tool, m->name);
	for (i = 0; i < m->n_sections; i++)
		table_section(&b, m->sections[i], NULL, fmt);
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
