/* swt_model.h — the report model: a report as typed data.
 *
 * Every report of swt is built once into a struct swt_model (sections of
 * typed rows) and every output format is a renderer that only walks it
 * (swt_render.h: text, Markdown, CSV, JSON; later HTML, JUnit and the diff
 * of swanalyze). So the formats cannot say different things: a value is in
 * all of them or the model says, per column, that it is not.
 *
 *   model ── sections (in output order)
 *              key        JSON key, CSV section name
 *              title      text and Markdown heading
 *              kind       KV: one row per key; TABLE: rows of columns
 *              columns    key (JSON key, CSV heading), heading (text and
 *                         Markdown), unit, cell type, flags
 *              rows       a key (KV sections; JSON member names) and one
 *                         typed cell per column
 *              note       a line under the table (text and Markdown)
 *              children   sections nested in a KV section's JSON object
 *
 * A key/value section's first column is the key ("key"), its second the
 * value; more columns must be SWT_COL_JSON_BY_KEY. The builder fills cells[0]
 * of a KV row with the row key itself, so table renderers walk every section
 * the same way.
 *
 * Building: swt_model_new(), then per section swt_model_add_section() with a
 * static definition, per row swt_model_add_row() and one swt_model_cell_*()
 * call per column in column order (a row with too many cells or a cell of
 * the wrong type is a programming error: assert). Renderers read the public
 * structs below and never change them.
 *
 * Lifetime: the model borrows every string given to it (keys, STR/ENUM
 * cells, LIST arrays, definitions): they must outlive the model, which for
 * a report means "free the model before the engine". Notes are copied. */
#ifndef SWT_MODEL_H
#define SWT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum swt_cell_type {
	SWT_CELL_NULL = 0,	/* no value: JSON null, an empty table cell */
	SWT_CELL_INT = 1,	/* i */
	SWT_CELL_FIXED = 2,	/* i / 10^scale printed with dec decimals */
	SWT_CELL_STR = 3,	/* s */
	SWT_CELL_ENUM = 4,	/* s: the name of an enum value */
	SWT_CELL_BOOL = 5,	/* i (0 or 1): JSON true/false, tables yes/no */
	SWT_CELL_LIST = 6,	/* list[n] strings: a JSON array, in tables
				 * joined with sep */
	SWT_CELL_ANY = 7,	/* column type only: a KV value column whose
				 * rows have cells of different types */
};

struct swt_cell {
	enum swt_cell_type type;
	int64_t i;		/* INT, FIXED, BOOL */
	unsigned scale;		/* FIXED: i / 10^scale */
	unsigned dec;		/* FIXED: printed decimals (<= scale) */
	const char *s;		/* STR, ENUM */
	size_t n;		/* LIST */
	const char *const *list;
	const char *sep;	/* LIST: separator in tables (", ", " ") */
};

enum swt_col_flag {
	/* right-aligned in text and Markdown (implied by INT and FIXED) */
	SWT_COL_NUMERIC = 1u << 0,
	/* left out of JSON, where its value is in the member's name (the
	 * resource and unit of "cpu_percent") */
	SWT_COL_TABLES_ONLY = 1u << 1,
	/* left out of text, Markdown and CSV */
	SWT_COL_JSON_ONLY = 1u << 2,
	/* text cuts cells to 48 code points with "..." (command lines);
	 * the other formats have them whole */
	SWT_COL_CUT = 1u << 3,
	/* KV sections, a column after the value: in JSON an object of its
	 * own, named by the column key, from each row key to the cell,
	 * after the rows and the children */
	SWT_COL_JSON_BY_KEY = 1u << 4,
	/* JUnit (SWT_SECTION_JUNIT sections): the test case's class name
	 * (these columns' cells joined by '.'), its name, and its verdict:
	 * "regression" or "over_budget" a failure, "inconclusive" and
	 * "unmatched" skipped, anything else a pass */
	SWT_COL_JUNIT_CLASS = 1u << 5,
	SWT_COL_JUNIT_NAME = 1u << 6,
	SWT_COL_JUNIT_VERDICT = 1u << 7,
	/* SWT_SECTION_CHART sections (swt_render.h): consecutive rows with
	 * equal cells in the GROUP columns are one subject; within it, one
	 * line per value of the LINE column (base, new), in the order met;
	 * FROM and TO (FIXED, one scale) a row's time; the n-th MIN and the
	 * n-th MAX column (FIXED, one scale) are one metric, drawn by the
	 * max, labelled by the MAX column's heading up to its first space
	 * and its unit. With a LINE column the lines of a subject share
	 * one time axis, [0, the latest TO), and per metric one scale (the
	 * highest MAX of all its lines), so that they compare; without
	 * one, each line spreads its rows over the width and its own
	 * scale */
	SWT_COL_CHART_GROUP = 1u << 8,
	SWT_COL_CHART_LINE = 1u << 9,
	SWT_COL_CHART_FROM = 1u << 10,
	SWT_COL_CHART_TO = 1u << 11,
	SWT_COL_CHART_MIN = 1u << 12,
	SWT_COL_CHART_MAX = 1u << 13,
};

struct swt_model_col {
	const char *key;	/* JSON key and CSV heading */
	const char *heading;	/* text and Markdown heading */
	const char *unit;	/* "s", "percent", "MB", "MB/min",
				 * "per_minute", or NULL */
	enum swt_cell_type type; /* of every non-null cell, or ANY */
	unsigned flags;		/* enum swt_col_flag */
};

enum swt_section_kind {
	SWT_SECTION_KV = 0,	/* JSON: an object of row key: value */
	SWT_SECTION_TABLE = 1,	/* JSON: an array of objects */
};

enum swt_section_flag {
	/* text and Markdown leave the section out when it has no rows
	 * (CSV and JSON always have it) */
	SWT_SECTION_HIDE_EMPTY = 1u << 0,
	/* JSON: the members go into the enclosing object instead of an
	 * object or array under the section key */
	SWT_SECTION_JSON_INLINE = 1u << 1,
	/* JSON, tables: each row is an object named by its row key instead
	 * of an element of an array */
	SWT_SECTION_JSON_NAMED_ROWS = 1u << 2,
	/* Markdown: folded (<details>, the title as its summary) */
	SWT_SECTION_FOLD = 1u << 3,
	/* JUnit: one test case per row (see SWT_COL_JUNIT_*) */
	SWT_SECTION_JUNIT = 1u << 4,
	/* text and Markdown draw the rows as sparklines, a line per metric
	 * and subject (see SWT_COL_CHART_*), instead of a table; CSV and
	 * JSON have the rows */
	SWT_SECTION_CHART = 1u << 5,
};

/* What a section is: static data, borrowed by the model. */
struct swt_model_def {
	const char *key;	/* JSON key; CSV section name */
	const char *title;	/* text and Markdown heading */
	enum swt_section_kind kind;
	unsigned flags;		/* enum swt_section_flag */
	size_t n_cols;
	const struct swt_model_col *cols;
};

struct swt_model_row {
	const char *key;	/* KV: the key; NAMED_ROWS: the JSON name */
	struct swt_cell *cells;	/* def->n_cols */
	size_t n_cells;		/* set so far (builder) */
};

struct swt_model_section {
	const struct swt_model_def *def;
	size_t n_rows;
	struct swt_model_row *rows;
	char **notes;		/* text and Markdown: lines under the
				 * table, in the order given (not in CSV
				 * or JSON) */
	size_t n_notes;
	size_t n_children;	/* KV sections only */
	struct swt_model_section **children;
	size_t cap_rows, cap_children, cap_notes;
};

struct swt_model {
	const char *tool;	/* "swanalyze": the text title */
	const char *name;	/* the report: "full", ... */
	int schema_version;	/* JSON "schema_version" */
	char **summary;		/* text and Markdown: lines under the title
				 * (swt_model_summary()) */
	size_t n_summary, cap_summary;
	size_t n_sections;
	struct swt_model_section **sections;
	size_t cap_sections;
	void **kept;		/* swt_model_keep() */
	size_t n_kept, cap_kept;
	bool ascii;		/* text and Markdown: charts with ASCII
				 * characters instead of Unicode blocks
				 * (swanalyze --ascii); set by the caller */
};

/* The columns of a series section after its subject (and side) columns,
 * shared by the reports (swt_report.c) and the diff (swt_diff_report.c):
 * the bucket's times, then CPU and memory, least, greatest and mean. */
#define SWT_SERIES_COL_(k, h, u, f) { k, h, u, SWT_CELL_FIXED, f }
#define SWT_SERIES_VALUE_COLS                                              \
	SWT_SERIES_COL_("t_from_s", "from s", "s", SWT_COL_CHART_FROM),     \
	SWT_SERIES_COL_("t_to_s", "to s", "s", SWT_COL_CHART_TO),           \
	SWT_SERIES_COL_("cpu_min_percent", "cpu % min", "percent",          \
			SWT_COL_CHART_MIN),                                 \
	SWT_SERIES_COL_("cpu_max_percent", "cpu % max", "percent",          \
			SWT_COL_CHART_MAX),                                 \
	SWT_SERIES_COL_("cpu_avg_percent", "cpu % avg", "percent", 0),      \
	SWT_SERIES_COL_("mem_min_mb", "mem MB min", "MB", SWT_COL_CHART_MIN), \
	SWT_SERIES_COL_("mem_max_mb", "mem MB max", "MB", SWT_COL_CHART_MAX), \
	SWT_SERIES_COL_("mem_avg_mb", "mem MB avg", "MB", 0)

/* Columns 0 and 1 of a key/value section. */
#define SWT_MODEL_KV_KEY_COL { "key", "key", NULL, SWT_CELL_STR, 0 }

/* A new, empty model; free with swt_model_free(). Never fails (aborts on
 * OOM, like every builder call below). */
void swt_model_new(struct swt_model **out, const char *tool,
		   const char *name, int schema_version);

/* NULL is a no-op. */
void swt_model_free(struct swt_model *m);

/* Append a section (borrowed def). The pointer is valid until
 * swt_model_free(). */
struct swt_model_section *swt_model_add_section(struct swt_model *m,
						const struct swt_model_def *d);

/* A section nested in a KV section's JSON object (after its rows); text,
 * Markdown and CSV show it as a section of its own after its parent, CSV
 * naming it "parent.child". */
struct swt_model_section *swt_model_add_child(struct swt_model_section *p,
					      const struct swt_model_def *d);

/* Start a row; key is required in KV and NAMED_ROWS sections, else NULL.
 * In KV sections the key is cell 0. */
void swt_model_add_row(struct swt_model_section *s, const char *key);

/* The next cell of the last row. */
void swt_model_cell_null(struct swt_model_section *s);
void swt_model_cell_int(struct swt_model_section *s, int64_t v);
void swt_model_cell_fixed(struct swt_model_section *s, int64_t v,
			  unsigned scale, unsigned dec);
void swt_model_cell_str(struct swt_model_section *s, const char *v);
void swt_model_cell_enum(struct swt_model_section *s, const char *name);
void swt_model_cell_bool(struct swt_model_section *s, bool v);
void swt_model_cell_list(struct swt_model_section *s, size_t n,
			 const char *const *list, const char *sep);

/* Cells borrow their strings and lists: one made for the report alone is
 * handed to the model with this, which frees it with itself. Returns p. */
void *swt_model_keep(struct swt_model *m, void *p);

/* Add a note under the section (printf-style, copied; integer and
 * string conversions only), after those added before. */
void swt_model_note(struct swt_model_section *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A line under the report's title in text and Markdown (printf-style,
 * copied; JSON and CSV carry the same facts in a section). */
void swt_model_summary(struct swt_model *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* true if the column appears in JSON / in text, Markdown and CSV. */
bool swt_model_col_in_json(const struct swt_model_col *c);
bool swt_model_col_in_tables(const struct swt_model_col *c);

#endif
