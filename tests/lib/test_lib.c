/* test_lib.c — libswt through its public header alone (swt.h), linked to
 * the built libswt.so (tests/lib/test-installed.sh does the same with the
 * installed one).
 *
 *   test_lib FIXTURES_DIR
 *
 * - every report of every fixture, in every format, is byte for byte the
 *   golden report swanalyze is held to (fixtures/<name>/expected.*);
 * - a damaged session: its status, message (swanalyze's warnings) and lost
 *   ranges, and the readable part analysed;
 * - every corrupt fixture: the status and message its "expected" file
 *   names (open: no report; next: a report of what was readable);
 * - settings: KEY=VALUE and config text reach the analysis, bad ones are
 *   refused with a message and change nothing;
 * - the structs of every section (forecasts, trend, counters,
 *   bottlenecks, thresholds in force, command lines) on the fixtures
 *   that have them;
 * - swt_report_print()'s buffer contract, NULL arguments;
 * - reports opened and printed in several threads at once;
 * - enum swt_status of swt.h is common/swt_status.h's (status_values.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <swt.h>

static const char *fixtures;

/* status_values.c: the internal enum's values, in swt.h's order */
extern const int swt_test_internal_status[];
extern const size_t swt_test_internal_status_n;

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	data = malloc((size_t)n + 1);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
	data[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return data;
}

static char *fixture_path(const char *name, const char *file)
{
	size_t n = strlen(fixtures) + strlen(name) + strlen(file) + 3;
	char *p = malloc(n);

	assert_non_null(p);
	snprintf(p, n, "%s/%s/%s", fixtures, name, file);
	return p;
}

/* The report rendered into a new string. */
static char *print(const struct swt_report *r, const char *kind,
		   const char *format)
{
	size_t len = 0;
	char *buf;

	assert_int_equal(swt_report_print(NULL, 0, &len, r, kind, format),
			 SWT_ELIMIT);
	buf = malloc(len + 1);
	assert_non_null(buf);
	assert_int_equal(swt_report_print(buf, len + 1, NULL, r, kind,
					  format),
			 SWT_OK);
	assert_int_equal(strlen(buf), len);
	return buf;
}

/* Open fixtures/<name>/session.swt from memory as "session.swt", the name
 * swanalyze's golden warnings were made with. */
static int open_fixture(struct swt_report **out, const char *name,
			const struct swt_settings *set, char *msg,
			size_t msglen)
{
	char *path = fixture_path(name, "session.swt");
	size_t len = 0;
	char *data = slurp(path, &len);
	int rc;

	assert_non_null(data);
	rc = swt_report_open_mem(out, data, len, "session.swt", set, msg,
				 msglen);
	free(data);	/* the report keeps nothing of it */
	free(path);
	return rc;
}

static void test_version(void **state)
{
	(void)state;
	assert_string_equal(swt_version(), SWT_VERSION_STRING);
	assert_int_equal(SWT_VERSION_NUMBER, SWT_VERSION_MAJOR * 10000 +
						     SWT_VERSION_MINOR * 100 +
						     SWT_VERSION_PATCH);
	assert_string_equal(swt_status_name(SWT_ECORRUPT), "SWT_ECORRUPT");
}

static void test_status_values(void **state)
{
	static const int pub[] = {
		SWT_OK, SWT_EINVAL, SWT_EIO, SWT_ECORRUPT, SWT_EVERSION,
		SWT_ENOTFOUND, SWT_ENOMEM, SWT_ITEROVER, SWT_ETRUNCATED,
		SWT_EEXIST, SWT_ELIMIT,
	};
	size_t i;

	(void)state;
	assert_int_equal(sizeof(pub) / sizeof(pub[0]),
			 swt_test_internal_status_n);
	for (i = 0; i < swt_test_internal_status_n; i++)
		assert_int_equal(pub[i], swt_test_internal_status[i]);
}

/* Every report of every fixture with expected reports, every format. */
static void test_golden(void **state)
{
	static const char *const kinds[] = { "lightweight", "full",
					     "weight-analysis" };
	static const char *const formats[][2] = {
		{ "text", "txt" }, { "json", "json" },
		{ "csv", "csv" }, { "markdown", "md" },
	};
	DIR *d = opendir(fixtures);
	struct dirent *e;
	size_t n = 0, k, f;

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d))) {
		struct swt_report *r = NULL;
		char *status_path, *status, msg[2048];
		int rc;

		if (e->d_name[0] == '.')
			continue;
		/* (the diff fixtures have an expected.status of their own,
		 * and no session.swt) */
		status_path = fixture_path(e->d_name, "expected.full.json");
		rc = access(status_path, F_OK);
		free(status_path);
		if (rc != 0)
			continue;
		status_path = fixture_path(e->d_name, "expected.status");
		status = slurp(status_path, NULL);
		free(status_path);
		assert_non_null(status);
		rc = open_fixture(&r, e->d_name, NULL, msg, sizeof(msg));
		assert_non_null(r);
		/* swanalyze exits 0 for a whole session, 3 for a damaged
		 * one */
		assert_int_equal(rc == 0 ? 0 : 3, atoi(status));
		for (k = 0; k < 3; k++) {
			for (f = 0; f < 4; f++) {
				char file[64], *exp_path, *exp, *have;

				snprintf(file, sizeof(file), "expected.%s.%s",
					 kinds[k], formats[f][1]);
				exp_path = fixture_path(e->d_name, file);
				exp = slurp(exp_path, NULL);
				assert_non_null(exp);
				have = print(r, kinds[k], formats[f][0]);
				if (strcmp(exp, have) != 0)
					fail_msg("%s: differs from the "
						 "golden report", exp_path);
				free(have);
				free(exp);
				free(exp_path);
			}
		}
		swt_report_free(r);
		free(status);
		n++;
	}
	closedir(d);
	assert_true(n >= 10);
}

static void test_damaged(void **state)
{
	struct swt_report *r = NULL;
	const struct swt_damage_info *d;
	char msg[2048], *stderr_path, *want;
	char *p, *q;
	int rc;

	(void)state;
	rc = open_fixture(&r, "synthetic-damaged", NULL, msg, sizeof(msg));
	assert_int_equal(rc, SWT_ECORRUPT);
	assert_non_null(r);
	assert_int_equal(swt_report_status(r), SWT_ECORRUPT);
	assert_string_equal(swt_report_errmsg(r), msg);
	/* swanalyze's warnings, without its "swanalyze: " prefixes and the
	 * final newline */
	stderr_path = fixture_path("synthetic-damaged", "expected.stderr");
	want = slurp(stderr_path, NULL);
	assert_non_null(want);
	for (p = q = want; *p; ) {
		if (strncmp(p, "swanalyze: ", 11) == 0)
			p += 11;
		while (*p && *p != '\n')
			*q++ = *p++;
		if (*p == '\n' && p[1])
			*q++ = *p;
		if (*p)
			p++;
	}
	*q = '\0';
	assert_string_equal(msg, want);
	free(want);
	free(stderr_path);

	assert_int_equal(swt_report_damage_count(r), 2);
	d = swt_report_get_damage(r, 0);
	assert_int_equal(d->status, SWT_ECORRUPT);
	assert_int_equal(d->offset, 1987);
	assert_int_equal(d->length, 600);
	assert_true(d->lost && d->from_known && !d->to_end);
	assert_int_equal(d->from_ns, INT64_C(278000000000));
	assert_int_equal(d->to_ns, INT64_C(372000000000));
	assert_non_null(strstr(d->what, "checksum"));
	d = swt_report_get_damage(r, 1);
	assert_int_equal(d->status, SWT_ETRUNCATED);
	assert_int_equal(d->offset, 3793);
	assert_true(d->lost && d->to_end);
	assert_null(swt_report_get_damage(r, 2));
	/* the readable part: a leak found in it */
	assert_false(swt_report_get_session(r)->complete);
	assert_int_equal(swt_report_leak_count(r), 1);
	assert_string_equal(swt_report_get_leak(r, 0)->subject.kind,
			    "process");
	swt_report_free(r);
}

static int status_of(const char *name)
{
	static const struct { const char *name; int status; } s[] = {
		{ "SWT_ECORRUPT", SWT_ECORRUPT },
		{ "SWT_ETRUNCATED", SWT_ETRUNCATED },
		{ "SWT_EVERSION", SWT_EVERSION },
	};
	size_t i;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		if (strcmp(s[i].name, name) == 0)
			return s[i].status;
	fail_msg("unknown status %s", name);
	return 0;
}

/* fixtures/corrupt/<case>/expected: "STAGE STATUS SUBSTRING" (see its
 * README.md). open and analyze: no report; next: the readable part. */
static void test_corrupt(void **state)
{
	char *dir = fixture_path("corrupt", "");
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d))) {
		struct swt_report *r = NULL;
		char name[300], *exp_path, *exp, stage[16], status[32];
		char msg[2048];
		const char *sub;
		int rc, consumed = 0;

		if (e->d_name[0] == '.')
			continue;
		snprintf(name, sizeof(name), "corrupt/%s", e->d_name);
		exp_path = fixture_path(name, "expected");
		exp = slurp(exp_path, NULL);
		free(exp_path);
		if (!exp)
			continue;
		assert_int_equal(sscanf(exp, "%15s %31s %n", stage, status,
					&consumed),
				 2);
		sub = exp + consumed;
		exp[strcspn(exp, "\n")] = '\0';
		rc = open_fixture(&r, name, NULL, msg, sizeof(msg));
		assert_int_equal(rc, status_of(status));
		if (!strstr(msg, sub))
			fail_msg("%s: \"%s\" does not contain \"%s\"", name,
				 msg, sub);
		assert_int_equal(strncmp(msg, "session.swt: ", 13), 0);
		if (strcmp(stage, "next") == 0) {
			char *json;

			assert_non_null(r);
			assert_int_equal(swt_report_status(r), rc);
			assert_true(swt_report_damage_count(r) > 0);
			json = print(r, "full", "json");
			assert_non_null(strstr(json, "\"damage\": ["));
			free(json);
		} else {
			assert_null(r);
		}
		swt_report_free(r);
		free(exp);
		n++;
	}
	closedir(d);
	free(dir);
	assert_true(n >= 10);
}

static void test_open_errors(void **state)
{
	struct swt_report *r = (struct swt_report *)&r;
	char msg[256];

	(void)state;
	assert_int_equal(swt_report_open(&r, "/nonexistent/s.swt", NULL, msg,
					 sizeof(msg)),
			 SWT_ENOTFOUND);
	assert_null(r);
	assert_non_null(strstr(msg, "/nonexistent/s.swt"));
	assert_int_equal(swt_report_open(&r, NULL, NULL, msg, sizeof(msg)),
			 SWT_EINVAL);
	assert_int_equal(swt_report_open(NULL, "x", NULL, NULL, 0),
			 SWT_EINVAL);
	assert_int_equal(swt_report_open_mem(&r, "", 0, NULL, NULL, msg,
					     sizeof(msg)),
			 SWT_ETRUNCATED);
	assert_null(r);
	assert_non_null(strstr(msg, "(memory): "));
	/* a message cut to the buffer, always terminated */
	assert_int_equal(swt_report_open(&r, "/nonexistent/s.swt", NULL, msg,
					 8),
			 SWT_ENOTFOUND);
	assert_int_equal(strlen(msg), 7);
	/* NULL objects */
	swt_report_free(NULL);
	swt_settings_free(NULL);
	assert_int_equal(swt_report_module_count(NULL), 0);
	assert_null(swt_report_get_session(NULL));
	assert_string_equal(swt_report_errmsg(NULL), "");
}

static void test_print_buffer(void **state)
{
	struct swt_report *r = NULL;
	char small[16], *whole;
	size_t len = 0, len2 = 0;

	(void)state;
	assert_int_equal(open_fixture(&r, "synthetic-busy", NULL, NULL, 0),
			 SWT_OK);
	whole = print(r, "full", "text");
	assert_int_equal(swt_report_print(small, sizeof(small), &len, r,
					  "full", "text"),
			 SWT_ELIMIT);
	assert_int_equal(len, strlen(whole));
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, whole, sizeof(small) - 1);
	assert_int_equal(swt_report_print(small, sizeof(small), &len2, r,
					  "full", "yaml"),
			 SWT_EINVAL);
	assert_int_equal(len2, 0);
	assert_string_equal(small, "");
	assert_int_equal(swt_report_print(NULL, 5, &len2, r, "full", "json"),
			 SWT_EINVAL);
	assert_int_equal(swt_report_print(small, sizeof(small), &len2, NULL,
					  "full", "json"),
			 SWT_EINVAL);
	free(whole);
	swt_report_free(r);
}

static void test_settings(void **state)
{
	static const char conf[] = "# thresholds\ncpu_percent = 5\n"
				   "memory_mb = 1\n";
	struct swt_settings *s = NULL;
	struct swt_report *plain = NULL, *strict = NULL;
	char *json;

	(void)state;
	assert_int_equal(swt_settings_new(&s), SWT_OK);
	assert_string_equal(swt_settings_errmsg(s), "");
	assert_int_equal(swt_settings_set(s, "no_such_key=1"), SWT_EINVAL);
	assert_non_null(strstr(swt_settings_errmsg(s), "no_such_key"));
	assert_int_equal(swt_settings_set(s, "cpu_percent=-1"), SWT_EINVAL);
	assert_int_equal(swt_settings_set(s, NULL), SWT_EINVAL);
	assert_int_equal(swt_settings_load(s, "cpu_percent = 1\nx = 2\n", 22,
					   "bad.conf"),
			 SWT_EINVAL);
	assert_non_null(strstr(swt_settings_errmsg(s), "bad.conf:2:"));
	assert_int_equal(swt_settings_load_file(s, "/nonexistent/c.conf"),
			 SWT_EIO);
	assert_non_null(strstr(swt_settings_errmsg(s), "/nonexistent/c.conf"));
	/* nothing of the failures applied: the defaults' report */
	assert_int_equal(open_fixture(&plain, "synthetic-busy", NULL, NULL, 0),
			 SWT_OK);
	assert_int_equal(open_fixture(&strict, "synthetic-busy", s, NULL, 0),
			 SWT_OK);
	json = print(strict, "full", "json");
	assert_null(strstr(json, "\"option\""));
	assert_null(strstr(json, "\"config\""));
	free(json);
	swt_report_free(strict);
	/* a config and an option; the settings are copied at open */
	assert_int_equal(swt_settings_load(s, conf, sizeof(conf) - 1, "c"),
			 SWT_OK);
	assert_int_equal(swt_settings_set(s, "group_by=comm"), SWT_OK);
	assert_int_equal(open_fixture(&strict, "synthetic-busy", s, NULL, 0),
			 SWT_OK);
	swt_settings_free(s);
	assert_true(swt_report_alert_count(strict) >
		    swt_report_alert_count(plain));
	json = print(strict, "full", "json");
	assert_non_null(strstr(json, "\"cpu_percent\": \"config\""));
	assert_non_null(strstr(json, "\"group_by\": \"option\""));
	free(json);
	swt_report_free(strict);
	swt_report_free(plain);
}

/* What the structs say for a session with every kind of finding (the
 * JSON side of this is tests/lib/check-fields.py). */
static void test_structs(void **state)
{
	struct swt_report *r = NULL;
	const struct swt_session_info *s;
	const struct swt_module_info *m;
	size_t i;
	int64_t weight = 0;

	(void)state;
	assert_int_equal(open_fixture(&r, "recorded-attrib-two-threads", NULL,
				      NULL, 0),
			 SWT_OK);
	s = swt_report_get_session(r);
	assert_true(s->complete);
	assert_true(s->duration_ns > 0 && s->samples > 0);
	assert_true(swt_report_module_count(r) > 0);
	assert_true(swt_report_alert_count(r) > 0);
	assert_true(swt_report_spike_count(r) > 0);
	assert_true(swt_report_leak_count(r) > 0);
	assert_true(swt_report_recommendation_count(r) > 0);
	assert_int_equal(swt_report_damage_count(r), 0);
	for (i = 0; i < swt_report_module_count(r); i++) {
		m = swt_report_get_module(r, i);
		assert_true(m->priority >= SWT_PRIORITY_LOW &&
			    m->priority <= SWT_PRIORITY_CRITICAL);
		if (i > 0)
			assert_true(m->weight <=
				    swt_report_get_module(r, i - 1)->weight);
		if (m->in_total)
			weight += m->weight;
	}
	assert_int_equal(weight, s->total_weight);
	assert_true(swt_report_max_priority(r) >= SWT_PRIORITY_LOW);
	assert_null(swt_report_get_alert(r, swt_report_alert_count(r)));
	swt_report_free(r);
}

/* The structs of the rest of the report: forecasts, trend, leaks'
 * significant_ns (synthetic-forecast), counters, bottlenecks
 * (synthetic-counters), thresholds and their sources, and NULL or out of
 * range arguments of their accessors. */
static void test_structs_more(void **state)
{
	struct swt_settings *s = NULL;
	struct swt_report *r = NULL;
	const struct swt_forecast_info *f;
	const struct swt_trend_info *t;
	const struct swt_counter_info *c;
	const struct swt_threshold_info *h;
	size_t i;

	(void)state;
	assert_int_equal(open_fixture(&r, "synthetic-forecast", NULL, NULL, 0),
			 SWT_OK);
	assert_int_equal(swt_report_forecast_count(r), 2);
	f = swt_report_get_forecast(r, 0);
	assert_string_equal(f->subject.kind, "session");
	assert_int_equal(f->target_mmb, 500000);
	assert_true(f->level_mmb < f->target_mmb);
	assert_true(f->slope_low_mmb_per_min <= f->slope_mmb_per_min &&
		    f->slope_mmb_per_min <= f->slope_high_mmb_per_min);
	assert_true(f->eta_low_mmin <= f->eta_mmin &&
		    f->eta_mmin <= f->eta_high_mmin);
	f = swt_report_get_forecast(r, 1);
	assert_string_equal(f->subject.kind, "process");
	assert_string_equal(f->subject.name, "cache");
	assert_true(f->eta_mmin >= swt_report_get_forecast(r, 0)->eta_mmin);
	assert_null(swt_report_get_forecast(r, 2));
	t = swt_report_get_trend(r);
	assert_string_equal(t->overall, "increasing");
	assert_string_equal(t->memory, "increasing");
	assert_string_equal(t->cpu, "stable");
	assert_true(t->memory_slope_mmb_per_min > 0);
	assert_int_equal(swt_report_leak_count(r), 1);
	assert_int_equal(swt_report_get_leak(r, 0)->significant_ns,
			 INT64_C(24000000000));
	assert_int_equal(swt_report_counter_count(r), 0);
	assert_int_equal(swt_report_bottleneck_count(r), 0);
	swt_report_free(r);

	assert_int_equal(open_fixture(&r, "synthetic-counters", NULL, NULL, 0),
			 SWT_OK);
	assert_int_equal(swt_report_counter_count(r), 2);
	c = swt_report_get_counter(r, 1);
	assert_string_equal(c->name, "ocr_call");
	assert_int_equal(c->count, 300);
	assert_true(c->has_threshold);
	assert_int_equal(c->threshold_per_min_milli, 10000);
	assert_true(c->exceeded);
	assert_int_equal(c->alerts, 1);
	assert_string_equal(c->note, "");
	assert_int_equal(swt_report_bottleneck_count(r), 2);
	for (i = 0; i < swt_report_bottleneck_count(r); i++) {
		const struct swt_bottleneck_info *b =
			swt_report_get_bottleneck(r, i);

		assert_true(strcmp(b->reason, "cpu_bound") == 0 ||
			    strcmp(b->reason, "saturated_thread") == 0 ||
			    strcmp(b->reason, "heavy_pattern") == 0);
		assert_true((strcmp(b->reason, "heavy_pattern") == 0) ==
			    (b->pattern[0] != '\0'));
		if (i > 0)
			assert_true(b->cpu_avg_mpct <=
				    swt_report_get_bottleneck(r, i - 1)
					    ->cpu_avg_mpct);
	}
	assert_null(swt_report_get_bottleneck(r, 2));
	/* the defaults */
	assert_int_equal(swt_report_threshold_count(r), 13);
	h = swt_report_get_threshold(r, 0);
	assert_string_equal(h->key, "memory_mb");
	assert_int_equal(h->value_milli, 500000);
	assert_false(h->is_count);
	assert_string_equal(h->source, "default");
	assert_int_equal(swt_report_rate_threshold_count(r), 2);
	assert_string_equal(swt_report_get_rate_threshold(r, 1)->counter,
			    "ocr_call");
	assert_int_equal(swt_report_get_rate_threshold(r, 1)->per_min_milli,
			 10000);
	swt_report_free(r);

	/* settings: the values and sources in force */
	assert_int_equal(swt_settings_new(&s), SWT_OK);
	assert_int_equal(swt_settings_load(s, "history_samples = 20\n", 21,
					   "c"),
			 SWT_OK);
	assert_int_equal(swt_settings_set(s, "cpu_percent=12.5"), SWT_OK);
	assert_int_equal(swt_settings_set(s, "rate.ocr_call=500"), SWT_OK);
	assert_int_equal(open_fixture(&r, "synthetic-counters", s, NULL, 0),
			 SWT_OK);
	swt_settings_free(s);
	for (i = 0; i < swt_report_threshold_count(r); i++) {
		h = swt_report_get_threshold(r, i);
		if (strcmp(h->key, "cpu_percent") == 0) {
			assert_int_equal(h->value_milli, 12500);
			assert_string_equal(h->source, "option");
		} else if (strcmp(h->key, "history_samples") == 0) {
			assert_true(h->is_count);
			assert_int_equal(h->value_milli, 20000);
			assert_string_equal(h->source, "config");
		} else {
			assert_false(h->is_count);
			assert_string_equal(h->source, "default");
		}
	}
	assert_string_equal(swt_report_get_rate_threshold(r, 1)->source,
			    "option");
	c = swt_report_get_counter(r, 1);
	assert_int_equal(c->threshold_per_min_milli, 500000);
	assert_false(c->exceeded);
	assert_null(swt_report_get_threshold(r, 13));
	assert_null(swt_report_get_rate_threshold(r, 2));
	assert_null(swt_report_get_module_variant(r, 0, 3));
	assert_null(swt_report_get_module_variant(
		r, swt_report_module_count(r), 0));
	swt_report_free(r);

	/* NULL reports */
	assert_int_equal(swt_report_counter_count(NULL), 0);
	assert_int_equal(swt_report_forecast_count(NULL), 0);
	assert_int_equal(swt_report_bottleneck_count(NULL), 0);
	assert_int_equal(swt_report_threshold_count(NULL), 0);
	assert_int_equal(swt_report_rate_threshold_count(NULL), 0);
	assert_null(swt_report_get_counter(NULL, 0));
	assert_null(swt_report_get_forecast(NULL, 0));
	assert_null(swt_report_get_bottleneck(NULL, 0));
	assert_null(swt_report_get_threshold(NULL, 0));
	assert_null(swt_report_get_rate_threshold(NULL, 0));
	assert_null(swt_report_get_module_variant(NULL, 0, 0));
	assert_null(swt_report_get_trend(NULL));
}

/* A process module of processes that ran several command lines (every
 * process of synthetic-busy put in one module): its heaviest lines. */
static void test_variants(void **state)
{
	struct swt_settings *s = NULL;
	struct swt_report *r = NULL;
	const struct swt_module_info *m = NULL;
	const struct swt_variant_info *v;
	size_t i, k;

	(void)state;
	assert_int_equal(swt_settings_new(&s), SWT_OK);
	assert_int_equal(swt_settings_set(s, "group_patterns=all:*"), SWT_OK);
	assert_int_equal(open_fixture(&r, "synthetic-busy", s, NULL, 0),
			 SWT_OK);
	swt_settings_free(s);
	for (i = 0; i < swt_report_module_count(r); i++) {
		m = swt_report_get_module(r, i);
		if (strcmp(m->name, "all") == 0)
			break;
	}
	assert_true(i < swt_report_module_count(r));
	assert_string_equal(m->kind, "process");
	assert_int_equal(m->n_variants, 3);
	assert_int_equal(m->n_top_variants, 3);
	for (k = 0; k < m->n_top_variants; k++) {
		v = swt_report_get_module_variant(r, i, k);
		assert_non_null(v);
		assert_int_equal(v->processes, 1);
		if (k > 0)
			assert_true(v->cpu_ms <=
				    swt_report_get_module_variant(r, i, k - 1)
					    ->cpu_ms);
	}
	v = swt_report_get_module_variant(r, i, 0);
	assert_string_equal(v->command, "crunch --jobs=2");
	assert_int_equal(v->cpu_ms, 450000);
	assert_null(swt_report_get_module_variant(r, i, 3));
	swt_report_free(r);
}

/* CPU and memory over time: the session's buckets and every module's on
 * the same times, as the JSON's "series" of synthetic-spike shows them
 * (180 buckets of 1 s; the tree at 20 % and 150 MB, 180 % at 60 s; the
 * instrumented module "import" without memory). */
static void test_usage(void **state)
{
	struct swt_report *r = NULL;
	const struct swt_usage_info *u, *v;
	size_t i, k, n;

	(void)state;
	assert_int_equal(open_fixture(&r, "synthetic-spike", NULL, NULL, 0),
			 SWT_OK);
	n = swt_report_usage_count(r);
	assert_int_equal(n, 180);
	u = swt_report_get_usage(r, 0);
	assert_non_null(u);
	assert_int_equal(u->t_from_ns, 0);
	assert_int_equal(u->t_to_ns, 1000000000);
	assert_true(u->has_cpu && u->has_memory);
	assert_int_equal(u->cpu_min_mpct, 20000);
	assert_int_equal(u->cpu_avg_mpct, 20000);
	assert_int_equal(u->mem_max_mmb, 150000);
	u = swt_report_get_usage(r, 60);
	assert_int_equal(u->t_from_ns, INT64_C(60000000000));
	assert_int_equal(u->cpu_max_mpct, 180000);
	assert_null(swt_report_get_usage(r, n));
	for (i = 0; i < swt_report_module_count(r); i++) {
		const struct swt_module_info *m = swt_report_get_module(r, i);

		for (k = 0; k < n; k++) {
			u = swt_report_get_module_usage(r, i, k);
			v = swt_report_get_usage(r, k);
			assert_non_null(u);
			assert_int_equal(u->t_from_ns, v->t_from_ns);
			assert_int_equal(u->t_to_ns, v->t_to_ns);
			if (u->has_cpu)
				assert_true(u->cpu_min_mpct <= u->cpu_avg_mpct &&
					    u->cpu_avg_mpct <= u->cpu_max_mpct);
			if (u->has_memory)
				assert_true(u->mem_min_mmb <= u->mem_avg_mmb &&
					    u->mem_avg_mmb <= u->mem_max_mmb);
			if (strcmp(m->kind, "module") == 0)
				assert_false(u->has_memory);
		}
		assert_null(swt_report_get_module_usage(r, i, n));
	}
	assert_null(swt_report_get_module_usage(r, swt_report_module_count(r),
						0));
	assert_int_equal(swt_report_usage_count(NULL), 0);
	assert_null(swt_report_get_usage(NULL, 0));
	swt_report_free(r);
}

/* The guarantee of swt.h: reports are independent, and one report may be
 * printed from several threads at once. Each thread opens a report of its
 * own and prints it and the shared one. */
struct print_job {
	const struct swt_report *shared;
	char *own_json, *shared_json;
};

static void *print_thread(void *arg)
{
	struct print_job *job = arg;
	struct swt_report *r = NULL;
	char *path = fixture_path("recorded-attrib-two-threads",
				  "session.swt");

	if (swt_report_open(&r, path, NULL, NULL, 0) == 0)
		job->own_json = print(r, "full", "json");
	job->shared_json = print(job->shared, "full", "json");
	swt_report_free(r);
	free(path);
	return NULL;
}

static void test_threads(void **state)
{
	struct print_job jobs[4];
	pthread_t th[4];
	struct swt_report *r = NULL;
	char *want;
	size_t i;

	(void)state;
	assert_int_equal(open_fixture(&r, "recorded-attrib-two-threads", NULL,
				      NULL, 0),
			 SWT_OK);
	want = print(r, "full", "json");
	for (i = 0; i < 4; i++) {
		memset(&jobs[i], 0, sizeof(jobs[i]));
		jobs[i].shared = r;
		assert_int_equal(pthread_create(&th[i], NULL, print_thread,
						&jobs[i]),
				 0);
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_non_null(jobs[i].own_json);
		assert_string_equal(jobs[i].own_json, want);
		assert_string_equal(jobs[i].shared_json, want);
		free(jobs[i].own_json);
		free(jobs[i].shared_json);
	}
	free(want);
	swt_report_free(r);
}

/* Decoding threads (swt_settings_set_threads()) change no byte of a
 * report, damaged sessions included. */
static void test_decode_threads(void **state)
{
	static const char *const names[] = { "synthetic-damaged",
					      "recorded-example",
					      "synthetic-leak" };
	static const unsigned threads[] = { 0, 2, 3, 8 };
	struct swt_settings *one = NULL, *many = NULL;
	size_t i, k;

	(void)state;
	assert_int_equal(swt_settings_new(&one), SWT_OK);
	assert_int_equal(swt_settings_new(&many), SWT_OK);
	assert_int_equal(swt_settings_set_threads(one, 65), SWT_EINVAL);
	assert_true(swt_settings_errmsg(one)[0]);
	assert_int_equal(swt_settings_set_threads(NULL, 2), SWT_EINVAL);
	assert_int_equal(swt_settings_set_threads(one, 1), SWT_OK);
	for (i = 0; i < sizeof(names) / sizeof(*names); i++) {
		struct swt_report *a = NULL;
		char msg_a[2048], *pa;
		int rc_a;

		rc_a = open_fixture(&a, names[i], one, msg_a, sizeof(msg_a));
		assert_non_null(a);
		pa = print(a, "full", "json");
		for (k = 0; k < sizeof(threads) / sizeof(*threads); k++) {
			struct swt_report *b = NULL;
			char msg_b[2048], *pb;

			assert_int_equal(swt_settings_set_threads(many,
								  threads[k]),
					 SWT_OK);
			assert_int_equal(open_fixture(&b, names[i], many, msg_b,
						      sizeof(msg_b)),
					 rc_a);
			assert_non_null(b);
			assert_string_equal(msg_a, msg_b);
			pb = print(b, "full", "json");
			assert_string_equal(pa, pb);
			free(pb);
			swt_report_free(b);
		}
		free(pa);
		swt_report_free(a);
	}
	swt_settings_free(one);
	swt_settings_free(many);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_status_values),
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_print_buffer),
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_structs),
		cmocka_unit_test(test_structs_more),
		cmocka_unit_test(test_variants),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_decode_threads),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: test_lib FIXTURES_DIR\n");
		return 2;
	}
	fixtures = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
