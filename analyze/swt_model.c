/* swt_model.c — the report model's builder (see swt_model.h). */
#include "swt_model.h"

#include <assert.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "swt_alloc.h"
#include "swt_buf.h"

void swt_model_new(struct swt_model **out, const char *tool,
		   const char *name, int schema_version)
{
	struct swt_model *m = swt_zalloc(sizeof(*m));

	m->tool = tool;
	m->name = name;
	m->schema_version = schema_version;
	*out = m;
}

static void section_free(struct swt_model_section *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n_rows; i++)
		free(s->rows[i].cells);
	free(s->rows);
	for (i = 0; i < s->n_children; i++)
		section_free(s->children[i]);
	free(s->children);
	for (i = 0; i < s->n_notes; i++)
		free(s->notes[i]);
	free(s->notes);
	free(s);
}

void swt_model_free(struct swt_model *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->n_sections; i++)
		section_free(m->sections[i]);
	free(m->sections);
	for (i = 0; i < m->n_kept; i++)
		free(m->kept[i]);
	free(m->kept);
	for (i = 0; i < m->n_summary; i++)
		free(m->summary[i]);
	free(m->summary);
	free(m);
}

static struct swt_model_section *section_new(const struct swt_model_def *d)
{
	struct swt_model_section *s = swt_zalloc(sizeof(*s));

	/* a KV section is key, value and JSON_BY_KEY columns */
	assert(d->kind != SWT_SECTION_KV ||
	       (d->n_cols >= 2 && d->cols[0].type == SWT_CELL_STR));
	s->def = d;
	return s;
}

struct swt_model_section *swt_model_add_section(struct swt_model *m,
						const struct swt_model_def *d)
{
	struct swt_model_section *s = section_new(d);

	m->sections = swt_grow(m->sections, &m->cap_sections,
			       m->n_sections + 1, sizeof(*m->sections));
	m->sections[m->n_sections++] = s;
	return s;
}

struct swt_model_section *swt_model_add_child(struct swt_model_section *p,
					      const struct swt_model_def *d)
{
	struct swt_model_section *s = section_new(d);

	assert(p->def->kind == SWT_SECTION_KV);
	p->children = swt_grow(p->children, &p->cap_children,
			       p->n_children + 1, sizeof(*p->children));
	p->children[p->n_children++] = s;
	return s;
}

void swt_model_add_row(struct swt_model_section *s, const char *key)
{
	struct swt_model_row *r;

	/* the previous row is complete */
	assert(s->n_rows == 0 ||
	       s->rows[s->n_rows - 1].n_cells == s->def->n_cols);
	s->rows = swt_grow(s->rows, &s->cap_rows, s->n_rows + 1,
			   sizeof(*s->rows));
	r = &s->rows[s->n_rows++];
	r->key = key;
	r->n_cells = 0;
	r->cells = swt_zalloc(s->def->n_cols * sizeof(*r->cells));
	if (s->def->kind == SWT_SECTION_KV) {
		assert(key != NULL);
		swt_model_cell_str(s, key);
	}
}

static struct swt_cell *next_cell(struct swt_model_section *s,
				  enum swt_cell_type type)
{
	struct swt_model_row *r;
	const struct swt_model_col *c;

	assert(s->n_rows > 0);
	r = &s->rows[s->n_rows - 1];
	assert(r->n_cells < s->def->n_cols);
	c = &s->def->cols[r->n_cells];
	/* a cell of the column's type (null fits every column) */
	assert(type == SWT_CELL_NULL || c->type == SWT_CELL_ANY ||
	       c->type == type);
	(void)c;
	r->cells[r->n_cells].type = type;
	return &r->cells[r->n_cells++];
}

void swt_model_cell_null(struct swt_model_section *s)
{
	next_cell(s, SWT_CELL_NULL);
}

void swt_model_cell_int(struct swt_model_section *s, int64_t v)
{
	next_cell(s, SWT_CELL_INT)->i = v;
}

void swt_model_cell_fixed(struct swt_model_section *s, int64_t v,
			  unsigned scale, unsigned dec)
{
	struct swt_cell *c = next_cell(s, SWT_CELL_FIXED);

	c->i = v;
	c->scale = scale;
	c->dec = dec;
}

void swt_model_cell_str(struct swt_model_section *s, const char *v)
{
	next_cell(s, SWT_CELL_STR)->s = v ? v : "";
}

void swt_model_cell_enum(struct swt_model_section *s, const char *name)
{
	next_cell(s, SWT_CELL_ENUM)->s = name;
}

void swt_model_cell_bool(struct swt_model_section *s, bool v)
{
	next_cell(s, SWT_CELL_BOOL)->i = v;
}

void swt_model_cell_list(struct swt_model_section *s, size_t n,
			 const char *const *list, const char *sep)
{
	struct swt_cell *c = next_cell(s, SWT_CELL_LIST);

	c->n = n;
	c->list = list;
	c->sep = sep;
}

void *swt_model_keep(struct swt_model *m, void *p)
{
	m->kept = swt_grow(m->kept, &m->cap_kept, m->n_kept + 1,
			   sizeof(*m->kept));
	m->kept[m->n_kept++] = p;
	return p;
}

/* Append one formatted line to a growing array of lines. */
static void add_line(char ***lines, size_t *n, size_t *cap, const char *fmt,
		     va_list ap) __attribute__((format(printf, 4, 0)));

static void add_line(char ***lines, size_t *n, size_t *cap, const char *fmt,
		     va_list ap)
{
	struct swt_buf b = SWT_BUF_INIT;

	swt_buf_vprintf(&b, fmt, ap);
	*lines = swt_grow(*lines, cap, *n + 1, sizeof(**lines));
	(*lines)[(*n)++] = b.ptr ? b.ptr : swt_strdup("");
}

void swt_model_note(struct swt_model_section *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_line(&s->notes, &s->n_notes, &s->cap_notes, fmt, ap);
	va_end(ap);
}

void swt_model_summary(struct swt_model *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_line(&m->summary, &m->n_summary, &m->cap_summary, fmt, ap);
	va_end(ap);
}

bool swt_model_col_in_json(const struct swt_model_col *c)
{
	return !(c->flags & SWT_COL_TABLES_ONLY);
}

bool swt_model_col_in_tables(const struct swt_model_col *c)
{
	return !(c->flags & SWT_COL_JSON_ONLY);
}
