/* test_model.c — the report model and its renderers: one model, built once
 * from a real engine result (fixture sessions through swt_analysis), says
 * the same thing in every format: every scalar of its JSON rendering is in
 * its text, Markdown, CSV and HTML renderings. Plus the builder's own rules. */
#include "swt_test.h"

#include <ctype.h>

#include "swt_alloc.h"
#include "swt_analysis.h"
#include "swt_reader.h"
#include "swt_render.h"
#include "swt_report.h"

/* Fixtures that between them have every section filled: damage, spikes,
 * alerts, counters, leaks, bottlenecks, recommendations. */
static const char *const fixtures[] = {
	"synthetic-spike", "synthetic-counters", "synthetic-damaged",
	"recorded-example",
};

/* ---- a small JSON scanner: the scalars of a document -------------------- */

enum scalar_kind { SC_STR, SC_NUM, SC_BOOL, SC_NULL };

struct scalar {
	enum scalar_kind kind;
	char *text;		/* unescaped string, number, "true"/"false" */
	char key[64];		/* member name, "" for array elements */
	int depth;		/* of the containing object or array */
};

struct scalars {
	size_t n, cap;
	struct scalar *v;
};

static char *json_string(const char **pp)
{
	struct swt_buf b = SWT_BUF_INIT;
	const char *p = *pp + 1;	/* after the quote */

	swt_buf_puts(&b, "");
	for (; *p != '"'; p++) {
		assert_true(*p != '\0');
		if (*p != '\\') {
			swt_buf_putc(&b, *p);
			continue;
		}
		p++;
		switch (*p) {
		case 'n':
			swt_buf_putc(&b, '\n');
			break;
		case 't':
			swt_buf_putc(&b, '\t');
			break;
		case 'r':
			swt_buf_putc(&b, '\r');
			break;
		case 'u': {
			unsigned v = 0;
			int i;

			for (i = 1; i <= 4; i++)
				v = v * 16 + (unsigned)(isdigit(p[i]) ?
					p[i] - '0' : (p[i] | 0x20) - 'a' + 10);
			swt_buf_putc(&b, (char)v);
			p += 4;
			break;
		}
		default:
			swt_buf_putc(&b, *p);	/* " \ / */
		}
	}
	*pp = p + 1;
	return b.ptr;
}

static void scan_json(struct scalars *out, const char *p)
{
	char key[64] = "";
	int depth = 0, chart = 0;

	while (*p) {
		struct scalar sc;

		/* the rows of the chart section ("series"): drawn as
		 * sparklines in text and Markdown, not printed (CSV has
		 * them, tested in test_report.c) */
		if (depth == 1 && *p == '[' && strcmp(key, "series") == 0)
			chart = 2;
		if (chart) {
			if (*p == '[' || *p == '{')
				depth++;
			else if (*p == ']' || *p == '}')
				depth--;
			else if (*p == '"')
				free(json_string(&p)), p--;
			if (depth == 1)
				chart = 0;
			p++;
			continue;
		}

		if (isspace((unsigned char)*p) || *p == ',') {
			p++;
			continue;
		}
		if (*p == '{' || *p == '[') {
			depth++;
			key[0] = '\0';
			p++;
			continue;
		}
		if (*p == '}' || *p == ']') {
			depth--;
			p++;
			continue;
		}
		memset(&sc, 0, sizeof(sc));
		if (*p == '"') {
			char *s = json_string(&p);

			while (isspace((unsigned char)*p))
				p++;
			if (*p == ':') {	/* a member name */
				snprintf(key, sizeof(key), "%s", s);
				free(s);
				p++;
				continue;
			}
			sc.kind = SC_STR;
			sc.text = s;
		} else if (strncmp(p, "null", 4) == 0) {
			sc.kind = SC_NULL;
			sc.text = strdup("null");
			p += 4;
		} else if (strncmp(p, "true", 4) == 0 ||
			   strncmp(p, "false", 5) == 0) {
			sc.kind = SC_BOOL;
			sc.text = strdup(*p == 't' ? "true" : "false");
			p += *p == 't' ? 4 : 5;
		} else {
			size_t n = strspn(p, "-0123456789.");

			assert_true(n > 0);
			sc.kind = SC_NUM;
			sc.text = strndup(p, n);
			p += n;
		}
		snprintf(sc.key, sizeof(sc.key), "%s", key);
		key[0] = '\0';
		sc.depth = depth;
		out->v = swt_grow(out->v, &out->cap, out->n + 1,
				  sizeof(*out->v));
		out->v[out->n++] = sc;
	}
	assert_int_equal(depth, 0);
}

static void scalars_fini(struct scalars *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i].text);
	free(s->v);
}

/* ---- finding a value in a rendering -------------------------------------- */

static bool is_num_char(char c)
{
	return isalnum((unsigned char)c) || c == '.' || c == '-';
}

/* needle as a whole token (not inside a longer number or word) */
static bool has_token(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	const char *p = hay;

	while ((p = strstr(p, needle)) != NULL) {
		if ((p == hay || !is_num_char(p[-1])) && !is_num_char(p[n]))
			return true;
		p++;
	}
	return false;
}

static char *md_escaped(const char *s)
{
	struct swt_buf b = SWT_BUF_INIT;

	swt_buf_puts(&b, "");
	for (; *s; s++) {
		if (strchr("|\\*`<>[]", *s))
			swt_buf_putc(&b, '\\');
		swt_buf_putc(&b, *s);
	}
	return b.ptr;
}

static char *csv_escaped(const char *s)
{
	struct swt_buf b = SWT_BUF_INIT;

	swt_buf_puts(&b, "");
	for (; *s; s++) {
		if (*s == '"')
			swt_buf_putc(&b, '"');
		swt_buf_putc(&b, *s);
	}
	return b.ptr;
}

/* As HTML text: & < > " ' escaped (the fixtures' strings are UTF-8). */
static char *html_escaped(const char *s)
{
	struct swt_buf b = SWT_BUF_INIT;

	swt_buf_puts(&b, "");
	for (; *s; s++) {
		if (*s == '&')
			swt_buf_puts(&b, "&amp;");
		else if (*s == '<')
			swt_buf_puts(&b, "&lt;");
		else if (*s == '>')
			swt_buf_puts(&b, "&gt;");
		else if (*s == '"')
			swt_buf_puts(&b, "&quot;");
		else if (*s == '\'')
			swt_buf_puts(&b, "&#39;");
		else
			swt_buf_putc(&b, *s);
	}
	return b.ptr;
}

/* Text cuts command lines to 48 code points: the first 45 and "...". */
static bool text_has_string(const char *text, const char *s)
{
	size_t i, cps = 0;
	char *cut;
	bool found;

	if (strstr(text, s))
		return true;
	for (i = 0; s[i]; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80) {
			if (cps == 45)
				break;
			cps++;
		}
	}
	if (!s[i])
		return false;
	cut = strndup(s, i);
	found = strstr(text, cut) != NULL;
	free(cut);
	return found;
}

struct renderings {
	char *json, *text, *md, *csv, *html;
};

static void check_scalar(const struct renderings *r, const struct scalar *sc,
			 const char *where)
{
	const char *yes = strcmp(sc->text, "true") == 0 ? "yes" : "no";
	char *md, *csv, *html;
	bool t, m, c, h;

	switch (sc->kind) {
	case SC_NULL:
		return;		/* an empty cell */
	case SC_BOOL:
		t = has_token(r->text, yes);
		m = has_token(r->md, yes);
		c = has_token(r->csv, yes);
		h = has_token(r->html, yes);
		break;
	case SC_NUM:
		t = has_token(r->text, sc->text);
		m = has_token(r->md, sc->text);
		c = has_token(r->csv, sc->text);
		h = has_token(r->html, sc->text);
		break;
	case SC_STR:
	default:
		if (!*sc->text)
			return;	/* "" is an empty cell */
		md = md_escaped(sc->text);
		csv = csv_escaped(sc->text);
		html = html_escaped(sc->text);
		t = text_has_string(r->text, sc->text);
		h = strstr(r->html, html) != NULL;
		free(html);
		m = strstr(r->md, md) != NULL;
		c = strstr(r->csv, csv) != NULL;
		free(md);
		free(csv);
		break;
	}
	if (!t || !m || !c || !h)
		fail_msg("%s: JSON \"%s\": %s missing from%s%s%s%s", where,
			 sc->key, sc->text, t ? "" : " text",
			 m ? "" : " markdown", c ? "" : " csv",
			 h ? "" : " html");
}

static void check_fixture(const char *name)
{
	struct swt_analysis *an = NULL;
	struct swt_reader *rd = NULL;
	char path[512], errmsg[256], where[128];
	int k;

	snprintf(path, sizeof(path), "%s/%s/session.swt", SWT_FIXTURE_DIR,
		 name);
	assert_ok(swt_reader_open(&rd, path, 0, errmsg, sizeof(errmsg)));
	assert_ok(swt_analysis_run(&an, rd, NULL, errmsg, sizeof(errmsg)));
	for (k = SWT_REPORT_LIGHTWEIGHT; k <= SWT_REPORT_WEIGHT; k++) {
		struct swt_report_input in = { an->result, an->n_lost,
					       an->lost, an->truncated,
					       false, 0, 0, false };
		struct swt_buf j = SWT_BUF_INIT, t = SWT_BUF_INIT,
			       m = SWT_BUF_INIT, c = SWT_BUF_INIT,
			       h = SWT_BUF_INIT;
		struct scalars sc = { 0, 0, NULL };
		struct renderings r;
		struct swt_model *model;
		size_t i, checked = 0;

		/* built once, rendered five times */
		swt_report_model_build(&model, &in, (enum swt_report_kind)k);
		swt_render_json(&j, model);
		swt_render_text(&t, model);
		swt_render_markdown(&m, model);
		swt_render_csv(&c, model);
		swt_render_html(&h, model);
		swt_model_free(model);
		r = (struct renderings){ j.ptr, t.ptr, m.ptr, c.ptr, h.ptr };
		scan_json(&sc, j.ptr);
		snprintf(where, sizeof(where), "%s %s", name,
			 swt_report_kind_name((enum swt_report_kind)k));
		for (i = 0; i < sc.n; i++) {
			/* the document header: the version of the JSON
			 * format, and the report's name (the text title) */
			if (sc.v[i].depth == 1 &&
			    (strcmp(sc.v[i].key, "schema_version") == 0 ||
			     strcmp(sc.v[i].key, "report") == 0))
				continue;
			check_scalar(&r, &sc.v[i], where);
			checked++;
		}
		assert_true(checked > 50);
		scalars_fini(&sc);
		swt_buf_fini(&j);
		swt_buf_fini(&t);
		swt_buf_fini(&m);
		swt_buf_fini(&c);
		swt_buf_fini(&h);
	}
	swt_analysis_free(an);
	swt_reader_free(rd);
}

static void every_json_value_is_in_every_table_format_and_html(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++)
		check_fixture(fixtures[i]);
}

/* The checker itself finds what is missing: a value only JSON has. */
static void a_json_only_column_is_caught(void **state)
{
	static const struct swt_model_col cols[] = {
		{ "a", "a", NULL, SWT_CELL_INT, 0 },
		{ "secret", "secret", NULL, SWT_CELL_FIXED, SWT_COL_JSON_ONLY },
	};
	static const struct swt_model_def def = {
		"t", "T", SWT_SECTION_TABLE, 0, 2, cols
	};
	struct swt_model *m;
	struct swt_model_section *s;
	struct swt_buf j = SWT_BUF_INIT, t = SWT_BUF_INIT;
	struct scalars sc = { 0, 0, NULL };

	(void)state;
	swt_model_new(&m, "tool", "x", 9);
	s = swt_model_add_section(m, &def);
	swt_model_add_row(s, NULL);
	swt_model_cell_int(s, 17);
	swt_model_cell_fixed(s, 98765, 3, 2);
	swt_render_json(&j, m);
	swt_render_text(&t, m);
	assert_string_equal(j.ptr, "{\n  \"schema_version\": 9,\n"
				   "  \"report\": \"x\",\n  \"t\": [\n    {\n"
				   "      \"a\": 17,\n      \"secret\": 98.77\n"
				   "    }\n  ]\n}\n");
	scan_json(&sc, j.ptr);
	assert_int_equal(sc.n, 4);
	assert_string_equal(sc.v[3].text, "98.77");
	assert_true(has_token(t.ptr, "17"));
	assert_false(has_token(t.ptr, "98.77"));
	assert_false(has_token("x 117 y", "17"));
	assert_false(has_token("x 17.5 y", "17"));
	scalars_fini(&sc);
	swt_buf_fini(&j);
	swt_buf_fini(&t);
	swt_model_free(m);
}

/* Key/value sections: the key column, JSON_BY_KEY columns as objects after
 * the rows and children; a child is its own table, "parent.child" in CSV;
 * inline named rows; tables-only columns; HIDE_EMPTY; notes. */
static void model_shapes_in_every_format(void **state)
{
	static const struct swt_model_col kv[] = {
		SWT_MODEL_KV_KEY_COL,
		{ "value", "value", NULL, SWT_CELL_ANY, 0 },
		{ "origins", "origin", NULL, SWT_CELL_ENUM,
		  SWT_COL_JSON_BY_KEY },
	};
	static const struct swt_model_col sub[] = {
		{ "n", "n", NULL, SWT_CELL_INT, 0 },
	};
	static const struct swt_model_col res[] = {
		{ "what", "what", NULL, SWT_CELL_ENUM, SWT_COL_TABLES_ONLY },
		{ "v", "v", NULL, SWT_CELL_BOOL, 0 },
	};
	static const struct swt_model_def d_kv = {
		"k", "Keys", SWT_SECTION_KV, 0, 3, kv
	};
	static const struct swt_model_def d_sub = {
		"sub", "Sub", SWT_SECTION_TABLE, 0, 1, sub
	};
	static const struct swt_model_def d_res = {
		"r", "Named", SWT_SECTION_TABLE,
		SWT_SECTION_JSON_INLINE | SWT_SECTION_JSON_NAMED_ROWS, 2, res
	};
	static const struct swt_model_def d_hidden = {
		"h", "Hidden", SWT_SECTION_TABLE, SWT_SECTION_HIDE_EMPTY, 1, sub
	};
	static const char *const list[] = { "a b", "c" };
	struct swt_model *m;
	struct swt_model_section *s, *c;
	struct swt_buf j = SWT_BUF_INIT, t = SWT_BUF_INIT, v = SWT_BUF_INIT,
		       md = SWT_BUF_INIT;

	(void)state;
	swt_model_new(&m, "tool", "x", 1);
	s = swt_model_add_section(m, &d_kv);
	swt_model_add_row(s, "l");
	swt_model_cell_list(s, 2, list, ",");
	swt_model_cell_enum(s, "given");
	swt_model_add_row(s, "z");
	swt_model_cell_null(s);
	swt_model_cell_enum(s, "default");
	c = swt_model_add_child(s, &d_sub);
	swt_model_add_row(c, NULL);
	swt_model_cell_int(c, -3);
	swt_model_note(c, "%d more", 4);
	s = swt_model_add_section(m, &d_res);
	swt_model_add_row(s, "flag");
	swt_model_cell_enum(s, "cpu");
	swt_model_cell_bool(s, true);
	swt_model_add_section(m, &d_hidden);
	swt_render_json(&j, m);
	assert_string_equal(j.ptr,
			    "{\n  \"schema_version\": 1,\n  \"report\": \"x\",\n"
			    "  \"k\": {\n    \"l\": [\n      \"a b\",\n"
			    "      \"c\"\n    ],\n    \"z\": null,\n"
			    "    \"sub\": [\n      {\n        \"n\": -3\n"
			    "      }\n    ],\n    \"origins\": {\n"
			    "      \"l\": \"given\",\n"
			    "      \"z\": \"default\"\n    }\n  },\n"
			    "  \"flag\": {\n    \"v\": true\n  },\n"
			    "  \"h\": []\n}\n");
	swt_render_text(&t, m);
	assert_string_equal(t.ptr,
			    "tool x report\n\n"
			    "Keys\n  key  value  origin\n  l    a b,c  given\n"
			    "  z           default\n\n"
			    "Sub\n   n\n  -3\n  4 more\n\n"
			    "Named\n  what  v\n  cpu   yes\n");
	swt_render_csv(&v, m);
	assert_string_equal(v.ptr,
			    "section,key,value,origins\nk,l,\"a b,c\",given\n"
			    "k,z,,default\n\nsection,n\nk.sub,-3\n\n"
			    "section,what,v\nr,cpu,yes\n\nsection,n\n");
	swt_render_markdown(&md, m);
	assert_contains(md.ptr, "## Sub\n\n| n |\n| ---: |\n| -3 |\n\n"
				"4 more\n\n## Named");
	assert_null(strstr(md.ptr, "Hidden"));
	swt_buf_fini(&j);
	swt_buf_fini(&t);
	swt_buf_fini(&v);
	swt_buf_fini(&md);
	swt_model_free(m);
	swt_model_free(NULL);
}

/* The columns of a chart of one metric (CPU %) over time: a subject,
 * its buckets' times, their min and max, and (the first CHART_COLS + 1)
 * a LINE column (the diff's base and new). */
#define CHART_COLS 5
static const struct swt_model_col chart_cols[CHART_COLS + 1] = {
	{ "subject", "subject", NULL, SWT_CELL_STR, SWT_COL_CHART_GROUP },
	{ "t_from_s", "from s", "s", SWT_CELL_FIXED, SWT_COL_CHART_FROM },
	{ "t_to_s", "to s", "s", SWT_CELL_FIXED, SWT_COL_CHART_TO },
	{ "cpu_min_percent", "cpu % min", "percent", SWT_CELL_FIXED,
	  SWT_COL_CHART_MIN },
	{ "cpu_max_percent", "cpu % max", "percent", SWT_CELL_FIXED,
	  SWT_COL_CHART_MAX },
	{ "side", "side", NULL, SWT_CELL_ENUM, SWT_COL_CHART_LINE },
};

/* A model of one chart section (def), drawn in ASCII: its section into
 * *s. */
static struct swt_model *chart_model(const struct swt_model_def *def,
				     struct swt_model_section **s)
{
	struct swt_model *m;

	swt_model_new(&m, "tool", "x", 1);
	m->ascii = true;
	*s = swt_model_add_section(m, def);
	return m;
}

/* A bucket of 1 s from `from` s of subject subj at mpct thousandths of
 * a percent (min and max), on side `side` (NULL: no LINE column). */
static void chart_row(struct swt_model_section *s, const char *subj,
		      const char *side, int64_t from, int64_t mpct)
{
	swt_model_add_row(s, NULL);
	swt_model_cell_str(s, subj);
	swt_model_cell_fixed(s, from * 1000000000, 9, 3);
	swt_model_cell_fixed(s, (from + 1) * 1000000000, 9, 3);
	swt_model_cell_fixed(s, mpct, 3, 1);
	swt_model_cell_fixed(s, mpct, 3, 1);
	if (side)
		swt_model_cell_enum(s, side);
}

/* A chart with a LINE column (the diff's base and new): one line per side
 * under each other, on one time axis from 0 (the shorter session's line
 * ends early) and one scale (the lower side's bars are lower); each line
 * with its own min-max. */
static void chart_sides_share_time_and_scale(void **state)
{
	static const struct swt_model_def def = {
		"series", "Over time", SWT_SECTION_TABLE, SWT_SECTION_CHART,
		CHART_COLS + 1, chart_cols
	};
	/* base: 2 buckets of 1 s (10 %, 20 %); new: 4 of 1 s (40 %) */
	static const struct {
		const char *side;
		int64_t from, v;
	} rows[] = { { "base", 0, 10 }, { "base", 1, 20 }, { "new", 0, 40 },
		     { "new", 1, 40 },  { "new", 2, 40 },  { "new", 3, 40 } };
	struct swt_model *m;
	struct swt_model_section *s;
	struct swt_buf t = SWT_BUF_INIT, want = SWT_BUF_INIT;
	size_t i;

	(void)state;
	m = chart_model(&def, &s);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		chart_row(s, "S", rows[i].side, rows[i].from,
			  rows[i].v * 1000);
	swt_render_text(&t, m);
	/* 60 columns over 4 s: a bucket of 1 s is 15 columns; 10 % of the
	 * chart's 40 % is level 2 of 0..7 ('-'), 20 % level 4 ('+') */
	swt_buf_puts(&want, "Over time\n  S  0.000-4.000 s\n    cpu base  ");
	for (i = 0; i < 60; i++)
		swt_buf_putc(&want, i < 15 ? '-' : i < 30 ? '+' : ' ');
	swt_buf_puts(&want, "  10.0-20.0 %\n    cpu new   ");
	for (i = 0; i < 60; i++)
		swt_buf_putc(&want, '@');
	swt_buf_puts(&want, "  40.0-40.0 %\n");
	assert_non_null(strstr(t.ptr, want.ptr));
	swt_buf_fini(&want);
	swt_buf_fini(&t);
	swt_model_free(m);
}

/* A line whose values all print as 0 at the cell's decimals (a module
 * of 0.02-0.03 % CPU), or alike though their bars differ (0.06-0.12 %):
 * its range takes the decimals that tell them apart, up to the scale, as
 * its bars are drawn from the values; a steady line keeps the cell's. */
static void chart_range_shows_small_values(void **state)
{
	static const struct swt_model_def def = {
		"series", "Over time", SWT_SECTION_TABLE, SWT_SECTION_CHART,
		CHART_COLS, chart_cols
	};
	/* milli-percent: subject A 0.020 % then 0.030 %; B 0.004 %, 0 %;
	 * C 0 % twice; D 50.000 % and 50.004 % (bars alike); E 0.060 % and
	 * 0.120 % (bars of levels 4 and 7: "0.1-0.1" would hide them) */
	static const struct {
		const char *subj;
		int64_t from, v;
	} rows[] = { { "A", 0, 20 },	 { "A", 1, 30 },   { "B", 0, 4 },
		     { "B", 1, 0 },	 { "C", 0, 0 },	   { "C", 1, 0 },
		     { "D", 0, 50000 }, { "D", 1, 50004 }, { "E", 0, 60 },
		     { "E", 1, 120 } };
	static const char *const want[] = {
		"  0.02-0.03 %\n", "  0.000-0.004 %\n", "  0.0-0.0 %\n",
		"  50.0-50.0 %\n",	"  0.06-0.12 %\n",
	};
	struct swt_model *m;
	struct swt_model_section *s;
	struct swt_buf t = SWT_BUF_INIT;
	const char *p;
	size_t i;

	(void)state;
	m = chart_model(&def, &s);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		chart_row(s, rows[i].subj, NULL, rows[i].from, rows[i].v);
	swt_render_text(&t, m);
	/* the lines in the subjects' order, each ending with its range */
	p = t.ptr;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		p = strstr(p, "    cpu  ");
		assert_non_null(p);
		p = strchr(p, '\n');
		assert_non_null(p);
		assert_true((size_t)(p - t.ptr) + 1 >= strlen(want[i]));
		assert_memory_equal(p + 1 - strlen(want[i]), want[i],
				    strlen(want[i]));
		p++;
	}
	swt_buf_fini(&t);
	swt_model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			every_json_value_is_in_every_table_format_and_html),
		cmocka_unit_test(a_json_only_column_is_caught),
		cmocka_unit_test(model_shapes_in_every_format),
		cmocka_unit_test(chart_sides_share_time_and_scale),
		cmocka_unit_test(chart_range_shows_small_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
