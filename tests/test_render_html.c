/* test_render_html.c — the HTML renderer (swt_render_html.c) over models
 * built by hand: the charts of a "series" section (band and mean, more
 * buckets than pixel columns, spikes and alerts on the time axis, base
 * and new overlaid), what a missing column leaves out, escaping, and
 * byte-identical output. The page of every real report is checked by the
 * golden tests, test_model.c and tests/analyze/test-html.sh (Chromium). */
#include "swt_test.h"

#include "swt_model.h"
#include "swt_render.h"

#define N_COLS(a) (sizeof(a) / sizeof((a)[0]))

/* The series section as the engine will write it (see docs/html.md);
 * with_side: the diff's, with a "side" column. */
static const struct swt_model_col series_cols[] = {
	{ "subject", "subject", NULL, SWT_CELL_STR, 0 },
	{ "kind", "kind", NULL, SWT_CELL_ENUM, 0 },
	{ "process", "process", NULL, SWT_CELL_STR, 0 },
	{ "t_from_s", "from s", "s", SWT_CELL_FIXED, 0 },
	{ "t_to_s", "to s", "s", SWT_CELL_FIXED, 0 },
	{ "cpu_min_percent", "cpu % min", "percent", SWT_CELL_FIXED, 0 },
	{ "cpu_max_percent", "cpu % max", "percent", SWT_CELL_FIXED, 0 },
	{ "cpu_avg_percent", "cpu % avg", "percent", SWT_CELL_FIXED, 0 },
	{ "mem_min_mb", "mem MB min", "MB", SWT_CELL_FIXED, 0 },
	{ "mem_max_mb", "mem MB max", "MB", SWT_CELL_FIXED, 0 },
	{ "mem_avg_mb", "mem MB avg", "MB", SWT_CELL_FIXED, 0 },
	{ "side", "side", NULL, SWT_CELL_ENUM, 0 },
};
static const struct swt_model_def series_def = {
	"series", "Over time", SWT_SECTION_TABLE, 0, N_COLS(series_cols) - 1,
	series_cols
};
static const struct swt_model_def series_side_def = {
	"series", "Over time", SWT_SECTION_TABLE, 0, N_COLS(series_cols),
	series_cols
};

/* Without cpu_avg_percent (the CPU chart cannot be drawn) */
static const struct swt_model_col series_no_avg_cols[] = {
	{ "subject", "subject", NULL, SWT_CELL_STR, 0 },
	{ "t_from_s", "from s", "s", SWT_CELL_FIXED, 0 },
	{ "t_to_s", "to s", "s", SWT_CELL_FIXED, 0 },
	{ "cpu_min_percent", "cpu % min", "percent", SWT_CELL_FIXED, 0 },
	{ "cpu_max_percent", "cpu % max", "percent", SWT_CELL_FIXED, 0 },
	{ "mem_min_mb", "mem MB min", "MB", SWT_CELL_FIXED, 0 },
	{ "mem_max_mb", "mem MB max", "MB", SWT_CELL_FIXED, 0 },
	{ "mem_avg_mb", "mem MB avg", "MB", SWT_CELL_FIXED, 0 },
};
static const struct swt_model_def series_no_avg_def = {
	"series", "Over time", SWT_SECTION_TABLE, 0,
	N_COLS(series_no_avg_cols), series_no_avg_cols
};

/* Without t_from_s: no chart at all, the section is a table. */
static const struct swt_model_def series_no_time_def = {
	"series", "Over time", SWT_SECTION_TABLE, 0, 2,
	&series_no_avg_cols[2]	/* t_to_s, cpu_min_percent */
};

static const struct swt_model_col spike_cols[] = {
	{ "resource", "resource", NULL, SWT_CELL_ENUM, 0 },
	{ "subject", "subject", NULL, SWT_CELL_STR, 0 },
	{ "kind", "kind", NULL, SWT_CELL_ENUM, 0 },
	{ "process", "process", NULL, SWT_CELL_STR, 0 },
	{ "start_s", "start s", "s", SWT_CELL_FIXED, 0 },
	{ "duration_s", "duration s", "s", SWT_CELL_FIXED, 0 },
	{ "peak_s", "peak at s", "s", SWT_CELL_FIXED, 0 },
	{ "peak", "peak", NULL, SWT_CELL_FIXED, 0 },
};
static const struct swt_model_def spike_def = {
	"spikes", "Spikes", SWT_SECTION_TABLE, 0, N_COLS(spike_cols),
	spike_cols
};
static const struct swt_model_col alert_cols[] = {
	{ "t_s", "t s", "s", SWT_CELL_FIXED, 0 },
	{ "kind", "kind", NULL, SWT_CELL_ENUM, 0 },
	{ "subject", "subject", NULL, SWT_CELL_STR, 0 },
	{ "value", "value", NULL, SWT_CELL_FIXED, 0 },
	{ "threshold", "threshold", NULL, SWT_CELL_FIXED, 0 },
};
static const struct swt_model_def alert_def = {
	"alerts", "Alerts", SWT_SECTION_TABLE, 0, N_COLS(alert_cols),
	alert_cols
};
static const struct swt_model_col module_cols[] = {
	{ "name", "name", NULL, SWT_CELL_STR, 0 },
	{ "kind", "kind", NULL, SWT_CELL_ENUM, 0 },
	{ "weight", "weight", NULL, SWT_CELL_FIXED, 0 },
	{ "priority", "priority", NULL, SWT_CELL_ENUM, 0 },
	{ "command", "command", NULL, SWT_CELL_STR, SWT_COL_CUT },
};
static const struct swt_model_def module_def = {
	"modules", "Modules", SWT_SECTION_TABLE, 0, N_COLS(module_cols),
	module_cols
};

/* One series row: times in seconds, values in tenths. */
static void series_row(struct swt_model_section *s, const char *subject,
		       const char *kind, int64_t from_s, int64_t to_s,
		       int64_t cpu_max, int64_t mem_max, const char *side)
{
	swt_model_add_row(s, NULL);
	swt_model_cell_str(s, subject);
	swt_model_cell_enum(s, kind);
	swt_model_cell_str(s, "");
	swt_model_cell_fixed(s, from_s * 1000, 3, 3);
	swt_model_cell_fixed(s, to_s * 1000, 3, 3);
	swt_model_cell_fixed(s, cpu_max / 2, 1, 1);
	swt_model_cell_fixed(s, cpu_max, 1, 1);
	swt_model_cell_fixed(s, cpu_max * 3 / 4, 1, 1);
	swt_model_cell_fixed(s, mem_max - 10, 1, 1);
	swt_model_cell_fixed(s, mem_max, 1, 1);
	swt_model_cell_fixed(s, mem_max - 5, 1, 1);
	if (side)
		swt_model_cell_enum(s, side);
}

static char *render(const struct swt_model *m)
{
	struct swt_buf b = SWT_BUF_INIT;

	swt_render_html(&b, m);
	assert_non_null(b.ptr);
	return b.ptr;
}

/* Occurrences of needle in the attribute or element starting at hay
 * (up to its "/>"). */
static size_t count_in_tag(const char *hay, const char *needle)
{
	const char *end = strstr(hay, "/>");
	size_t n = 0;

	assert_non_null(end);
	while ((hay = strstr(hay, needle)) != NULL && hay < end) {
		n++;
		hay++;
	}
	return n;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay++;
	}
	return n;
}

/* A report with a session and a module over 2000 one-second buckets (more
 * than the chart's pixel columns): one bucket at 100 % CPU among 5 %,
 * which must reach the top of the band, and a spike and an alert marked
 * on the session chart's time axis. */
static void charts_keep_a_one_bucket_spike(void **state)
{
	struct swt_model *m;
	struct swt_model_section *s;
	char *a, *b, *band;
	int64_t t;

	(void)state;
	swt_model_new(&m, "swanalyze", "full", 7);
	s = swt_model_add_section(m, &module_def);
	swt_model_add_row(s, NULL);
	swt_model_cell_str(s, "worker");
	swt_model_cell_enum(s, "process");
	swt_model_cell_fixed(s, 420, 3, 3);
	swt_model_cell_enum(s, "high");
	swt_model_cell_str(s, "worker --x <y> & 'z'");
	s = swt_model_add_section(m, &spike_def);
	swt_model_add_row(s, NULL);
	swt_model_cell_enum(s, "cpu");
	swt_model_cell_str(s, "session");
	swt_model_cell_enum(s, "session");
	swt_model_cell_str(s, "");
	swt_model_cell_fixed(s, 1000000, 3, 3);
	swt_model_cell_fixed(s, 1000, 3, 3);
	swt_model_cell_fixed(s, 1000000, 3, 3);
	swt_model_cell_fixed(s, 1000, 1, 1);
	s = swt_model_add_section(m, &alert_def);
	swt_model_add_row(s, NULL);
	swt_model_cell_fixed(s, 1500000, 3, 3);
	swt_model_cell_enum(s, "memory");
	swt_model_cell_str(s, "worker");
	swt_model_cell_fixed(s, 6000, 1, 1);
	swt_model_cell_fixed(s, 5000, 1, 1);
	s = swt_model_add_section(m, &series_def);
	for (t = 0; t < 2000; t++)
		series_row(s, "session", "session", t, t + 1,
			   t == 1000 ? 1000 : 50, 2000 + t, NULL);
	for (t = 0; t < 2000; t++)
		series_row(s, "worker", "process", t, t + 1, 40, 1000, NULL);

	a = render(m);
	b = render(m);
	assert_string_equal(a, b);	/* byte-identical */
	assert_contains(a, "<a href=\"#charts\">Over time</a>");
	/* two subjects, a CPU and a memory chart each */
	assert_int_equal(count(a, "<figure class=\"chart\">"), 4);
	assert_int_equal(count(a, "class=\"cpu\""), 2);
	assert_int_equal(count(a, "class=\"mem\""), 2);
	/* the session's CPU band: 100 % is the axis' top, y=20 (CH_TOP),
	 * and the spike bucket reaches it */
	band = strstr(a, "<path class=\"band one\" d=\"");
	assert_non_null(band);
	assert_true(strstr(band, "V20H") != NULL &&
		    strstr(band, "V20H") < strstr(band, "\"/>"));
	assert_contains(a, "peak 100.0 % at 1000.000\xe2\x80\x93"
			   "1001.000 s");
	/* ticks in minutes over 2000 s */
	assert_contains(a, ">30 min</text>");
	/* the spike on the session's CPU chart, the alert on the session's
	 * memory chart and the worker's */
	assert_int_equal(count(a, "<rect class=\"spike\""), 1);
	assert_int_equal(count(a, "<path class=\"peak\""), 1);
	assert_int_equal(count(a, "<path class=\"alert\""), 2);
	assert_contains(a, "<title>alert: memory of worker at 1500.000 s: "
			   "600.0 over 500.0</title>");
	/* a bar beside the weight, the priority labelled, the command
	 * escaped; no script, no request */
	assert_contains(a, "<span class=\"bf p-high\" style=\"width:100.0%\">");
	assert_contains(a, "<span class=\"p p-high\">high</span>");
	assert_contains(a, "worker --x &lt;y&gt; &amp; &#39;z&#39;");
	assert_null(strstr(a, "<script"));
	assert_null(strstr(a, "http:"));
	assert_null(strstr(a, "https:"));
	free(a);
	free(b);
	swt_model_free(m);
}

static const struct swt_model_col leak_cols[] = {
	{ "subject", "subject", NULL, SWT_CELL_STR, 0 },
	{ "kind", "kind", NULL, SWT_CELL_ENUM, 0 },
	{ "process", "process", NULL, SWT_CELL_STR, 0 },
	{ "slope_mb_per_min", "MB/min", "MB/min", SWT_CELL_FIXED, 0 },
	{ "fit_from_s", "fit from s", "s", SWT_CELL_FIXED, SWT_COL_JSON_ONLY },
	{ "fit_to_s", "fit to s", "s", SWT_CELL_FIXED, SWT_COL_JSON_ONLY },
	{ "fit_from_mb", "fit from MB", "MB", SWT_CELL_FIXED,
	  SWT_COL_JSON_ONLY },
	{ "fit_to_mb", "fit to MB", "MB", SWT_CELL_FIXED, SWT_COL_JSON_ONLY },
};
static const struct swt_model_def leak_def = {
	"leaks", "Memory leaks", SWT_SECTION_TABLE, 0, N_COLS(leak_cols),
	leak_cols
};

/* A leak row; fit times in seconds, MB in tenths; from_s < 0: no fit
 * (null cells, as for an instrumented module's attributed growth). */
static void leak_row(struct swt_model_section *s, const char *subject,
		     int64_t from_s, int64_t to_s, int64_t from_mb,
		     int64_t to_mb)
{
	swt_model_add_row(s, NULL);
	swt_model_cell_str(s, subject);
	swt_model_cell_enum(s, "process");
	swt_model_cell_str(s, "");
	swt_model_cell_fixed(s, 123, 1, 1);
	if (from_s < 0) {
		swt_model_cell_null(s);
		swt_model_cell_null(s);
		swt_model_cell_null(s);
		swt_model_cell_null(s);
		return;
	}
	swt_model_cell_fixed(s, from_s * 1000, 3, 3);
	swt_model_cell_fixed(s, to_s * 1000, 3, 3);
	swt_model_cell_fixed(s, from_mb, 1, 1);
	swt_model_cell_fixed(s, to_mb, 1, 1);
}

/* A leak's fitted line on its module's memory chart only: from the
 * plot's left edge to its right over the whole series, rising, clipped
 * at the value axis' top; none for a leak without a fit or of a module
 * without a chart, none on the session's chart. */
static void leak_fit_drawn_on_its_module(void **state)
{
	struct swt_model *m;
	struct swt_model_section *s;
	const char *l;
	char *a;
	int64_t t;

	(void)state;
	swt_model_new(&m, "swanalyze", "full", 9);
	s = swt_model_add_section(m, &leak_def);
	leak_row(s, "leaky", 0, 100, 200, 900);	/* 20 MB to 90 MB */
	leak_row(s, "leaky", -1, 0, 0, 0);
	leak_row(s, "elsewhere", 0, 100, 200, 900);
	leak_row(s, "steep", 0, 100, 0, 100000);	/* past the axis */
	s = swt_model_add_section(m, &series_def);
	for (t = 0; t < 100; t++)
		series_row(s, "session", "session", t, t + 1, 50,
			   200 + 7 * t, NULL);
	for (t = 0; t < 100; t++)
		series_row(s, "leaky", "process", t, t + 1, 40, 200 + 7 * t,
			   NULL);
	for (t = 0; t < 100; t++)
		series_row(s, "steep", "process", t, t + 1, 40, 200 + 7 * t,
			   NULL);
	a = render(m);
	assert_int_equal(count(a, "<line class=\"leakfit\""), 2);
	l = strstr(a, "<line class=\"leakfit\"");
	/* after the session's charts and the leaky module's CPU chart */
	assert_true(l > strstr(a, "<b>leaky</b>"));
	assert_contains(l, "<line class=\"leakfit\" x1=\"58\" y1=\"");
	assert_contains(l, "\" x2=\"746\" y2=\"");
	{
		long long x1, y1, x2, y2;

		assert_int_equal(sscanf(l, "<line class=\"leakfit\" x1=\"%lld\" "
					   "y1=\"%lld\" x2=\"%lld\" "
					   "y2=\"%lld\"",
					&x1, &y1, &x2, &y2),
				 4);
		assert_true(y2 < y1);	/* rising: up the page */
		assert_true(y2 > 20 && y1 < 170);
	}
	assert_contains(l, "<title>leak: the fitted line, 12.3 MB/min, "
			   "20.0 MB at 0.000 s to 90.0 MB at 100.000 s"
			   "</title></line>");
	/* the steep one stops at the top of its axis (y = CH_TOP) */
	l = strstr(l + 1, "<line class=\"leakfit\"");
	assert_non_null(l);
	assert_contains(l, "\" x2=\"746\" y2=\"20\">");
	assert_contains(a, "<span class=\"key-leak\">");
	free(a);
	swt_model_free(m);
}

/* Base and new of a diff overlaid, in two styles. */
static void diff_charts_overlay_base_and_new(void **state)
{
	struct swt_model *m;
	struct swt_model_section *s;
	char *a;
	int64_t t;

	(void)state;
	swt_model_new(&m, "swanalyze", "diff", 3);
	s = swt_model_add_section(m, &series_side_def);
	for (t = 0; t < 30; t++)
		series_row(s, "session", "session", t, t + 1, 100, 500,
			   "base");
	for (t = 0; t < 40; t++)
		series_row(s, "session", "session", t, t + 1, 150, 700, "new");
	a = render(m);
	assert_int_equal(count(a, "<figure class=\"chart\">"), 2);
	assert_int_equal(count(a, "<path class=\"band base\""), 2);
	assert_int_equal(count(a, "<path class=\"band new\""), 2);
	assert_int_equal(count(a, "<path class=\"mean new\""), 2);
	assert_contains(a, "stroke-dasharray");
	assert_contains(a, "base peak 10.0 % at 0.000");
	assert_contains(a, "; new peak 15.0 % at 0.000");
	free(a);
	swt_model_free(m);
}

/* A missing column leaves its chart out; a series section without the
 * time columns is a table like any other; null values are gaps; no
 * series section: no charts. */
static void missing_columns_leave_charts_out(void **state)
{
	struct swt_model *m;
	struct swt_model_section *s;
	char *a;
	int64_t t;

	(void)state;
	swt_model_new(&m, "swanalyze", "full", 7);
	s = swt_model_add_section(m, &series_no_avg_def);
	for (t = 0; t < 10; t++) {
		swt_model_add_row(s, NULL);
		swt_model_cell_str(s, "session");
		swt_model_cell_fixed(s, t, 0, 0);
		swt_model_cell_fixed(s, t + 1, 0, 0);
		swt_model_cell_fixed(s, 10, 0, 0);
		swt_model_cell_fixed(s, 20, 0, 0);
		swt_model_cell_fixed(s, 100, 0, 0);
		if (t == 5) {
			swt_model_cell_null(s);
			swt_model_cell_null(s);
		} else {
			swt_model_cell_fixed(s, 110, 0, 0);
			swt_model_cell_fixed(s, 105, 0, 0);
		}
	}
	a = render(m);
	assert_int_equal(count(a, "<figure class=\"chart\">"), 1);
	assert_int_equal(count(a, "class=\"mem\""), 1);
	assert_int_equal(count(a, "class=\"cpu\""), 0);
	/* the null bucket is a gap: two runs, two subpaths of the band */
	assert_int_equal(count_in_tag(strstr(a, "<path class=\"band one\""),
				      "Z"), 2);
	free(a);
	swt_model_free(m);

	swt_model_new(&m, "swanalyze", "full", 7);
	s = swt_model_add_section(m, &series_no_time_def);
	swt_model_add_row(s, NULL);
	swt_model_cell_fixed(s, 5, 0, 0);
	swt_model_cell_fixed(s, 7, 0, 0);
	a = render(m);
	assert_null(strstr(a, "<figure"));
	assert_contains(a, "<section id=\"s-series\">");
	assert_contains(a, "<td class=\"n\">7</td>");
	free(a);
	swt_model_free(m);

	swt_model_new(&m, "swanalyze", "full", 7);
	swt_model_add_section(m, &series_def);	/* no rows */
	a = render(m);
	assert_null(strstr(a, "<figure"));
	assert_null(strstr(a, "id=\"charts\""));
	assert_null(strstr(a, "#charts"));
	free(a);
	swt_model_free(m);
}

/* Bytes a session file may hold that HTML cannot: invalid UTF-8 and
 * control characters become U+FFFD; the page stays UTF-8. */
static void untrusted_bytes_are_replaced(void **state)
{
	static const struct swt_model_col cols[] = {
		{ "name", "name", NULL, SWT_CELL_STR, 0 },
	};
	static const struct swt_model_def def = {
		"t", "T <b>", SWT_SECTION_TABLE, 0, 1, cols
	};
	struct swt_model *m;
	struct swt_model_section *s;
	char *a;

	(void)state;
	swt_model_new(&m, "swanalyze", "full", 7);
	s = swt_model_add_section(m, &def);
	swt_model_add_row(s, NULL);
	swt_model_cell_str(s, "a\xff" "b\x01" "c\xc2\x85" "d\xc3\xa9");
	a = render(m);
	assert_contains(a, "<td>a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\xef\xbf\xbd"
			   "d\xc3\xa9</td>");
	assert_contains(a, "<h2>T &lt;b&gt;</h2>");
	free(a);
	swt_model_free(m);
}

/* Absurd figures (a damaged or hostile session): the extremes of int64
 * in times, values, rates and diffs render without overflow (UBSan runs
 * this) and the page is still a page. */
static void absurd_values_render(void **state)
{
	static const struct swt_model_col ctr_cols[] = {
		{ "name", "name", NULL, SWT_CELL_STR, 0 },
		{ "per_minute", "per min", NULL, SWT_CELL_FIXED, 0 },
		{ "threshold_per_minute", "limit", NULL, SWT_CELL_FIXED, 0 },
		{ "exceeded", "exceeded", NULL, SWT_CELL_BOOL, 0 },
	};
	static const struct swt_model_def ctr_def = {
		"counters", "Counters", SWT_SECTION_TABLE, 0, 4, ctr_cols
	};
	static const struct swt_model_col chg_cols[] = {
		{ "base", "base", NULL, SWT_CELL_FIXED, 0 },
		{ "new", "new", NULL, SWT_CELL_FIXED, 0 },
		{ "verdict", "verdict", NULL, SWT_CELL_ENUM, 0 },
	};
	static const struct swt_model_def chg_def = {
		"changes", "Changes", SWT_SECTION_TABLE, 0, 3, chg_cols
	};
	static const int64_t ext[] = { INT64_MIN, -1, 0, 1, INT64_MAX };
	struct swt_model *m;
	struct swt_model_section *s;
	char *a;
	size_t i, j;

	(void)state;
	swt_model_new(&m, "swanalyze", "full", 7);
	s = swt_model_add_section(m, &ctr_def);
	for (i = 0; i < 5; i++) {
		swt_model_add_row(s, NULL);
		swt_model_cell_str(s, "c");
		swt_model_cell_fixed(s, ext[i], 1, 1);
		swt_model_cell_fixed(s, ext[4 - i], 0, 0);
		swt_model_cell_bool(s, i & 1);
	}
	s = swt_model_add_section(m, &chg_def);
	for (i = 0; i < 5; i++) {
		swt_model_add_row(s, NULL);
		swt_model_cell_fixed(s, ext[i], 3, 3);
		swt_model_cell_fixed(s, ext[4 - i], 9, 3);
		swt_model_cell_enum(s, "regression");
	}
	s = swt_model_add_section(m, &alert_def);
	for (i = 0; i < 5; i++) {
		swt_model_add_row(s, NULL);
		swt_model_cell_fixed(s, ext[i], 0, 0);
		swt_model_cell_enum(s, "cpu");
		swt_model_cell_str(s, "session");
		swt_model_cell_fixed(s, ext[i], 1, 1);
		swt_model_cell_fixed(s, ext[4 - i], 1, 1);
	}
	s = swt_model_add_section(m, &series_def);
	for (i = 0; i < 5; i++) {
		for (j = 0; j < 5; j++) {
			swt_model_add_row(s, NULL);
			swt_model_cell_str(s, "session");
			swt_model_cell_enum(s, "session");
			swt_model_cell_null(s);
			swt_model_cell_fixed(s, ext[i], 0, 0);
			swt_model_cell_fixed(s, ext[j], 3, 3);
			swt_model_cell_fixed(s, ext[j], 0, 0);
			swt_model_cell_fixed(s, ext[i], 1, 1);
			swt_model_cell_fixed(s, ext[4 - j], 2, 2);
			swt_model_cell_fixed(s, ext[i], 18, 3);
			swt_model_cell_fixed(s, ext[j], 3, 3);
			swt_model_cell_fixed(s, ext[4 - i], 3, 3);
		}
	}
	a = render(m);
	assert_contains(a, "</html>\n");
	free(a);
	swt_model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(charts_keep_a_one_bucket_spike),
		cmocka_unit_test(leak_fit_drawn_on_its_module),
		cmocka_unit_test(diff_charts_overlay_base_and_new),
		cmocka_unit_test(missing_columns_leave_charts_out),
		cmocka_unit_test(untrusted_bytes_are_replaced),
		cmocka_unit_test(absurd_values_render),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
