/* swt_report.h — the reports of swanalyze: lightweight, full and
 * weight-analysis, as text, JSON, CSV, Markdown or HTML.
 *
 * A report is data: swt_report_model_build() turns the result into the
 * report model (swt_model.h), and each format is a renderer of that model
 * (swt_render.h), so the formats always say the same thing.
 *
 * Output goes into a buffer and depends only on the result (and the damage
 * list): no path, clock, locale or host fact, numbers through
 * swt_buf_fixed() at a fixed precision per unit (docs/analysis.md § Report
 * formats), every list in the result's total order. The JSON keys and their
 * order are the contract documented there (SWT_REPORT_SCHEMA_VERSION). */
#ifndef SWT_REPORT_H
#define SWT_REPORT_H

#include <stddef.h>

#include "swt_analysis.h"
#include "swt_buf.h"
#include "swt_engine.h"
#include "swt_model.h"

#define SWT_REPORT_SCHEMA_VERSION 10

enum swt_report_kind {
	SWT_REPORT_LIGHTWEIGHT = 0,
	SWT_REPORT_FULL = 1,
	SWT_REPORT_WEIGHT = 2,	/* weight-analysis */
};

enum swt_report_format {
	SWT_FORMAT_TEXT = 0,
	SWT_FORMAT_JSON = 1,
	SWT_FORMAT_CSV = 2,
	SWT_FORMAT_MARKDOWN = 3,
	SWT_FORMAT_HTML = 4,	/* the last: CLIs number theirs after it */
};

/* "lightweight", "full", "weight-analysis" and back: 0 or SWT_EINVAL. */
const char *swt_report_kind_name(enum swt_report_kind k);
int swt_report_kind_parse(enum swt_report_kind *out, const char *s);

/* "text", "json", "csv", "markdown", "html" and back: 0 or SWT_EINVAL. */
const char *swt_report_format_name(enum swt_report_format f);
int swt_report_format_parse(enum swt_report_format *out, const char *s);

/* What a report is made of: the engine's result and what was lost. */
struct swt_report_input {
	const struct swt_result *result;
	size_t n_lost;
	const struct swt_lost_range *lost;
	bool truncated;		/* no end record or no index */
	/* a window of the session (swanalyze --from/--to), times from its
	 * start; INT64_MIN / INT64_MAX: no bound */
	bool has_window;
	int64_t window_from_ns, window_to_ns;
	/* text and Markdown: charts in ASCII (swanalyze --ascii; the
	 * model's ascii) */
	bool ascii;
};

/* The report model of in (borrowed: free the model with swt_model_free()
 * before the result and the lost ranges go). Never fails. */
void swt_report_model_build(struct swt_model **out,
			    const struct swt_report_input *in,
			    enum swt_report_kind kind);

/* Render a model in one format (swt_render_*()), appended to out. */
void swt_report_render(struct swt_buf *out, const struct swt_model *m,
		       enum swt_report_format format);

/* Build, render and free: append the report to out. Never fails. */
void swt_report_write(struct swt_buf *out, const struct swt_report_input *in,
		      enum swt_report_kind kind,
		      enum swt_report_format format);

/* One warning line per lost range (and one for a truncated file), each
 * "<prefix>: ...\n", naming the lost time range and the bytes. Nothing for
 * an intact session. */
void swt_report_warnings(struct swt_buf *out, const char *prefix,
			 const struct swt_report_input *in);

#endif
