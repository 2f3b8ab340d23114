/* swt_render.h — the renderers of the report model (swt_model.h).
 *
 * Each walks a model and appends one document to a buffer; none fails and
 * none looks at anything but the model. A new format is a new function
 * here; a new column or section is a change of the model's builder only.
 *
 *   text      "<tool> <name> report", then per section its title and an
 *             aligned table (numbers right-aligned; key/value sections with
 *             one value column have no header line), "(none)" when empty,
 *             its note; cut columns at 48 code points. One final newline.
 *   markdown  the same as "# ..." / "## ..." headings and pipe tables
 *             (|, \, *, `, <, >, [, ] escaped), "_None._" when empty.
 *   csv       per section a header "section,<column keys>" and rows whose
 *             first field is the section key (a child: "parent.child");
 *             a blank line between sections; RFC 4180 quoting; no notes.
 *   json      {"schema_version": N, "report": name, <sections>}, pretty,
 *             with a final newline; see swt_model.h for the shapes.
 *   html      one self-contained page (swt_render_html.c): no script, no
 *             request; a table per section, bars, badges and charts over
 *             time where the model has the sections they need. */
#ifndef SWT_RENDER_H
#define SWT_RENDER_H

#include "swt_buf.h"
#include "swt_model.h"

void swt_render_text(struct swt_buf *out, const struct swt_model *m);
void swt_render_markdown(struct swt_buf *out, const struct swt_model *m);
void swt_render_csv(struct swt_buf *out, const struct swt_model *m);
void swt_render_json(struct swt_buf *out, const struct swt_model *m);

/* HTML: one page, well-formed XML too, byte-identical for one model; every
 * figure on it is a cell of the model as swt_render_cell() writes it. The
 * sections it draws more than a table for (weights, counters, diff changes,
 * "series" charts with the spikes and alerts on their time axis) are found
 * by their keys and their columns' keys: a missing column leaves only the
 * drawing out. */
void swt_render_html(struct swt_buf *out, const struct swt_model *m);

/* JSON lines: one compact object per row of every table section (the
 * row's JSON members), nothing else: for streams (swreplay's timeline). */
void swt_render_jsonl(struct swt_buf *out, const struct swt_model *m);

/* JUnit XML: <testsuites><testsuite> with one <testcase> per row of the
 * SWT_SECTION_JUNIT sections (swt_model.h: SWT_COL_JUNIT_*), a <failure>
 * for a regression, <skipped> for an inconclusive verdict, the row's
 * cells as the message; the counts in both elements' attributes. */
void swt_render_junit(struct swt_buf *out, const struct swt_model *m);

/* One cell as the tables show it (no cutting, no escaping): "" for null,
 * yes/no for bool, a list joined with its separator. Appended to out. */
void swt_render_cell(struct swt_buf *out, const struct swt_cell *c);

#endif
