/* test_report.c — the report writers: JSON contract (keys and their
 * order), CSV quoting, text alignment, Markdown escaping, the damage
 * warnings. The figures themselves are test_engine.c's business. */
#include "swt_test.h"

#include "swt_analysis.h"
#include "swt_engine.h"
#include "swt_report.h"

#define S INT64_C(1000000000)
#define T0 (100 * S)

struct fixture {
	struct swt_engine *e;
	const struct swt_result *res;
};

static void feed(struct swt_engine *e, const struct swt_record *r)
{
	assert_ok(swt_engine_feed(e, r));
}

/* A small session: a process with a comma, a quote and a '|' in its
 * command line, a thread, a module, a counter. */
static int setup(void **state)
{
	static const char *const cmd[] = { "run", "a,b" };
	static const char cmdline[] = "tool\0--name=\"x|y\",z";
	struct fixture *f = calloc(1, sizeof(*f));
	struct swt_record r;
	struct swt_proc_row p;
	struct swt_thread_row th;
	struct swt_event ev[3];
	int k;

	swt_engine_new(&f->e, NULL);
	memset(&r, 0, sizeof(r));
	r.kind = SWT_REC_HEADER;
	r.u.header.recorder = "test";
	r.u.header.clock_ticks = 100;
	r.u.header.interval_ns = S;
	r.u.header.start_mono_ns = T0;
	r.u.header.n_command = 2;
	r.u.header.command = cmd;
	feed(f->e, &r);
	memset(&r, 0, sizeof(r));
	r.kind = SWT_REC_PROC_START;
	r.t_ns = T0;
	r.u.proc_start.pid = 10;
	r.u.proc_start.comm = "tool";
	r.u.proc_start.cmdline = cmdline;
	r.u.proc_start.cmdline_len = sizeof(cmdline);
	feed(f->e, &r);
	for (k = 1; k <= 20; k++) {
		ev[0] = (struct swt_event){ T0 + (k - 1) * S, SWT_EV_BEGIN, 10,
					    "work|step", 0 };
		ev[1] = (struct swt_event){ T0 + (k - 1) * S + 1,
					    SWT_EV_COUNT, 10, "items", 2 };
		ev[2] = (struct swt_event){ T0 + (k - 1) * S + S / 2,
					    SWT_EV_END, 10, "work|step", 0 };
		memset(&r, 0, sizeof(r));
		r.kind = SWT_REC_EVENTS;
		r.t_ns = ev[0].t_ns;
		r.u.events.pid = 10;
		r.u.events.n = 3;
		r.u.events.events = ev;
		feed(f->e, &r);
		memset(&p, 0, sizeof(p));
		p.pid = 10;
		p.utime = 95 * k;
		p.rss_kib = 600 * 1024;
		th = (struct swt_thread_row){ 10, 10, "tool", 95 * k, 0 };
		memset(&r, 0, sizeof(r));
		r.kind = SWT_REC_SAMPLE;
		r.t_ns = T0 + k * S;
		r.u.sample.n_procs = 1;
		r.u.sample.procs = &p;
		r.u.sample.n_threads = 1;
		r.u.sample.threads = &th;
		feed(f->e, &r);
	}
	assert_ok(swt_engine_finish(f->e, &f->res));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	swt_engine_free(f->e);
	free(f);
	return 0;
}

static char *report(const struct fixture *f, enum swt_report_kind kind,
		    enum swt_report_format fmt,
		    const struct swt_lost_range *lost, size_t n_lost,
		    bool truncated)
{
	struct swt_report_input in = { f->res, n_lost, lost, truncated, false, 0, 0, false };
	struct swt_buf b = SWT_BUF_INIT;

	swt_report_write(&b, &in, kind, fmt);
	return b.ptr;
}

/* The keys of the top-level object, in order, one per line. */
static char *top_keys(const char *json)
{
	struct swt_buf b = SWT_BUF_INIT;
	const char *p = json;

	while ((p = strstr(p, "\n  \"")) != NULL) {
		const char *k = p + 4, *e = strchr(k, '"');

		swt_buf_add(&b, k, (size_t)(e - k));
		swt_buf_putc(&b, ' ');
		p = e;
	}
	return b.ptr;
}

static void names_parse_both_ways(void **state)
{
	enum swt_report_kind k;
	enum swt_report_format f;

	(void)state;
	assert_ok(swt_report_kind_parse(&k, "weight-analysis"));
	assert_int_equal(k, SWT_REPORT_WEIGHT);
	assert_string_equal(swt_report_kind_name(SWT_REPORT_LIGHTWEIGHT),
			    "lightweight");
	assert_status(SWT_EINVAL, swt_report_kind_parse(&k, "Full"));
	assert_ok(swt_report_format_parse(&f, "markdown"));
	assert_int_equal(f, SWT_FORMAT_MARKDOWN);
	assert_status(SWT_EINVAL, swt_report_format_parse(&f, "md"));
}

/* The JSON contract: these keys in this order, per report. */
static void json_top_level_keys_in_order(void **state)
{
	struct fixture *f = *state;
	char *j, *keys;

	j = report(f, SWT_REPORT_FULL, SWT_FORMAT_JSON, NULL, 0, false);
	assert_true(strncmp(j, "{\n  \"schema_version\": 10,\n  \"report\": "
			       "\"full\",", 40) == 0);
	keys = top_keys(j);
	assert_string_equal(keys,
			    "schema_version report session damage thresholds "
			    "cpu_percent memory_mb io_mb_per_s net_mb_per_s "
			    "contention "
			    "summary modules command_lines disk_io network "
			    "interfaces counters spikes leaks forecasts trend "
			    "series bottlenecks alerts recommendations ");
	free(keys);
	free(j);
	j = report(f, SWT_REPORT_LIGHTWEIGHT, SWT_FORMAT_JSON, NULL, 0, false);
	keys = top_keys(j);
	assert_string_equal(keys, "schema_version report session damage "
				  "thresholds cpu_percent memory_mb "
				  "io_mb_per_s net_mb_per_s contention "
				  "summary active_modules series ");
	free(keys);
	free(j);
	j = report(f, SWT_REPORT_WEIGHT, SWT_FORMAT_JSON, NULL, 0, false);
	keys = top_keys(j);
	assert_string_equal(keys, "schema_version report session damage "
				  "thresholds summary modules command_lines "
				  "disk_io network interfaces leaks forecasts trend "
				  "series bottlenecks ");
	free(keys);
	assert_int_equal(j[strlen(j) - 1], '\n');
	free(j);
}

static void json_module_fields(void **state)
{
	struct fixture *f = *state;
	char *j = report(f, SWT_REPORT_FULL, SWT_FORMAT_JSON, NULL, 0, false);

	/* a process: 95 % of a core, 600 MB */
	assert_contains(j, "      \"name\": \"tool\",\n"
			   "      \"kind\": \"process\",\n"
			   "      \"process\": \"tool\",\n"
			   "      \"instances\": 1,\n"
			   "      \"cpu_percent_avg\": 95.0,\n"
			   "      \"cpu_percent_peak\": 95.0,\n"
			   "      \"cpu_s\": 19.000,\n"
			   "      \"cpu_share_percent\": 100.0,\n"
			   "      \"cpu_percent_session\": 95.0,\n"
			   "      \"memory_mb_avg\": 600.0,\n"
			   "      \"memory_mb_peak\": 600.0,\n"
			   "      \"process_peak_mb\": 600.0,\n"
			   "      \"calls\": 0,\n"
			   "      \"calls_per_minute\": 0.0,\n"
			   "      \"starts\": 1,\n"
			   "      \"starts_per_minute\": 3.0,\n"
			   "      \"cpu_score\": 1.188,\n"
			   "      \"memory_score\": 1.200,\n"
			   "      \"frequency_score\": 0.000,\n"
			   "      \"weight\": 0.955,\n"
			   "      \"priority\": \"critical\",\n"
			   "      \"in_total\": true,\n"
			   "      \"cpu_source\": \"sampled\",\n"
			   "      \"cpu_confidence\": null,\n"
			   "      \"memory_attribution\": null,\n"
			   "      \"memory_confidence\": null,\n"
			   "      \"command_lines\": 1,\n"
			   "      \"command\": \"tool --name=\\\"x|y\\\",z\"\n");
	/* threads have no memory of their own */
	assert_contains(j, "\"kind\": \"thread\",");
	assert_contains(j, "\"memory_mb_avg\": null,");
	assert_contains(j, "\"threshold_per_minute\": null,");
	free(j);
}

static void csv_quotes_and_sections(void **state)
{
	static const char head[] = "section,key,value\n"
				   "session,command,\"run a,b\"\n";
	struct fixture *f = *state;
	char *c = report(f, SWT_REPORT_FULL, SWT_FORMAT_CSV, NULL, 0, false);

	assert_true(strncmp(c, head, strlen(head)) == 0);
	assert_contains(c, ",\"tool --name=\"\"x|y\"\",z\"\n");
	assert_contains(c, "\n\nsection,name,kind,process,instances,"
			   "cpu_percent_avg,cpu_percent_peak,cpu_s,"
			   "cpu_share_percent,cpu_percent_session,"
			   "memory_mb_avg,memory_mb_peak,process_peak_mb,"
			   "calls,calls_per_minute,starts,"
			   "starts_per_minute,cpu_score,memory_score,"
			   "frequency_score,weight,priority,"
			   "in_total,cpu_source,cpu_confidence,"
			   "memory_attribution,memory_confidence,"
			   "command_lines,command\n");
	assert_contains(c, "\ncounters,items,40,");
	free(c);
}

static void text_is_aligned(void **state)
{
	struct fixture *f = *state;
	char *t = report(f, SWT_REPORT_FULL, SWT_FORMAT_TEXT, NULL, 0, false);
	const char *m = strstr(t, "\nModules\n");
	const char *h, *r1;
	size_t col;

	assert_true(strncmp(t, "swanalyze full report\n\nSession\n", 31) ==
		    0);
	assert_non_null(m);
	h = m + strlen("\nModules\n");
	r1 = strchr(h, '\n') + 1;
	/* numbers are right-aligned under their heading */
	col = (size_t)(strstr(h, "weight") - h) + strlen("weight");
	assert_memory_equal(r1 + col - 5, "0.955", 5);
	/* no line ends in a blank */
	assert_null(strstr(t, " \n"));
	assert_int_equal(t[strlen(t) - 1], '\n');
	assert_int_not_equal(t[strlen(t) - 2], '\n');
	free(t);
}

static void markdown_escapes_pipes(void **state)
{
	struct fixture *f = *state;
	char *md = report(f, SWT_REPORT_WEIGHT, SWT_FORMAT_MARKDOWN, NULL, 0,
			  false);

	assert_true(strncmp(md, "# swanalyze weight-analysis report\n\n",
			    36) == 0);
	assert_contains(md, "| work\\|step | module | tool |");
	assert_contains(md, "| --- | --- | --- | ---: |");
	free(md);
}

/* Lists cut short say how much is left out, under the table (text and
 * Markdown; CSV tables are data only). */
static void cut_lists_say_how_many_more(void **state)
{
	struct fixture *f = *state;
	struct swt_module_result mods[13];
	struct swt_result res = *f->res;
	struct swt_report_input in = { &res, 0, NULL, false, false, 0, 0, false };
	struct swt_buf b = SWT_BUF_INIT;
	size_t i;

	assert_true(res.n_modules >= 1);
	for (i = 0; i < 13; i++)
		mods[i] = res.modules[0];
	assert_true(mods[0].cpu_avg_mpct > 0);	/* active */
	res.modules = mods;
	res.n_modules = 13;
	res.spikes_total = res.n_spikes + 7;
	res.alerts_total = res.n_alerts + 5;
	swt_report_write(&b, &in, SWT_REPORT_FULL, SWT_FORMAT_TEXT);
	assert_contains(b.ptr, "\n  7 more spikes not listed\n");
	assert_contains(b.ptr, "\n  5 more alerts not listed\n");
	swt_buf_fini(&b);
	swt_report_write(&b, &in, SWT_REPORT_LIGHTWEIGHT, SWT_FORMAT_MARKDOWN);
	assert_contains(b.ptr, "3 more active modules in the full report");
	swt_buf_fini(&b);
	swt_report_write(&b, &in, SWT_REPORT_FULL, SWT_FORMAT_CSV);
	assert_null(strstr(b.ptr, " more "));
	swt_buf_fini(&b);
}

/* A leak row of an instrumented module (attributed growth) rests on the
 * attribution's chi-square test, which has no z: every format leaves z
 * empty (JSON null) and names the test, where the statistic's cap
 * (1000.000) once showed through; a process row keeps its Mann-Kendall
 * z. */
static void attributed_leak_has_no_z(void **state)
{
	static const enum swt_report_format fmts[] = {
		SWT_FORMAT_TEXT, SWT_FORMAT_JSON, SWT_FORMAT_CSV,
		SWT_FORMAT_MARKDOWN, SWT_FORMAT_HTML
	};
	struct fixture *f = *state;
	struct swt_leak_result leaks[2];
	struct swt_result res = *f->res;
	struct swt_report_input in = { &res, 0, NULL, false, false, 0, 0, false };
	struct swt_buf b = SWT_BUF_INIT;
	size_t i;

	memset(leaks, 0, sizeof(leaks));
	leaks[0].subj.kind = SWT_KIND_PROCESS;
	leaks[0].subj.name = "tool";
	leaks[0].subj.process = "tool";
	leaks[0].subj.command = "";
	leaks[0].slope_mmb_per_min = 60000;
	leaks[0].confidence_mpct = 100000;
	leaks[0].z_milli = 9198;
	leaks[0].samples = 41;
	leaks[0].attributed_to = "work|step";
	leaks[1] = leaks[0];
	leaks[1].subj.kind = SWT_KIND_MODULE;
	leaks[1].subj.name = "work|step";
	leaks[1].attributed = true;
	leaks[1].z_milli = 1000000;	/* not shown, whatever it holds */
	leaks[1].attributed_to = "";
	res.leaks = leaks;
	res.n_leaks = 2;
	swt_report_write(&b, &in, SWT_REPORT_FULL, SWT_FORMAT_JSON);
	assert_contains(b.ptr, "\"z\": 9.198,\n"
			       "      \"test\": \"mann_kendall\",\n");
	assert_contains(b.ptr, "\"z\": null,\n"
			       "      \"test\": \"attribution\",\n");
	swt_buf_fini(&b);
	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		swt_report_write(&b, &in, SWT_REPORT_FULL, fmts[i]);
		assert_null(strstr(b.ptr, "1000.000"));
		assert_contains(b.ptr, "attribution");
		assert_contains(b.ptr, "mann_kendall");
		swt_buf_fini(&b);
	}
}

static void damage_in_reports_and_warnings(void **state)
{
	struct fixture *f = *state;
	struct swt_lost_range lost[2];
	struct swt_report_input in;
	struct swt_buf w = SWT_BUF_INIT;
	char *j;

	memset(lost, 0, sizeof(lost));
	lost[0].loss = SWT_LOSS_RANGE;
	lost[0].from_known = true;
	lost[0].from_ns = 3 * S;
	lost[0].to_ns = 7 * S + S / 2;
	lost[0].offset = 1000;
	lost[0].length = 200;
	lost[0].status = SWT_ECORRUPT;
	strcpy(lost[0].what, "checksum mismatch");
	lost[1].loss = SWT_LOSS_TAIL;
	lost[1].from_known = true;
	lost[1].from_ns = 20 * S;
	lost[1].offset = 5000;
	lost[1].length = 30;
	lost[1].status = SWT_ETRUNCATED;
	strcpy(lost[1].what, "unfinished chunk");
	in.result = f->res;
	in.lost = lost;
	in.n_lost = 2;
	in.truncated = true;
	swt_report_warnings(&w, "swanalyze: s.swt", &in);
	assert_string_equal(w.ptr,
			    "swanalyze: s.swt: records lost between t=3.000 s "
			    "and t=7.500 s (corrupt: 200 bytes at offset "
			    "1000: checksum mismatch)\n"
			    "swanalyze: s.swt: records lost after t=20.000 s "
			    "(truncated: 30 bytes at offset 5000: unfinished "
			    "chunk)\n");
	swt_buf_fini(&w);
	j = report(f, SWT_REPORT_LIGHTWEIGHT, SWT_FORMAT_JSON, lost, 2, true);
	assert_contains(j, "\"complete\": false");
	assert_contains(j, "\"loss\": \"range\",\n      \"from_s\": 3.000,\n"
			   "      \"to_s\": 7.500,");
	assert_contains(j, "\"loss\": \"tail\",\n      \"from_s\": 20.000,\n"
			   "      \"to_s\": null,");
	free(j);

	/* truncated without a lost range: one line saying so */
	in.n_lost = 0;
	swt_buf_init(&w);
	swt_report_warnings(&w, "p", &in);
	assert_contains(w.ptr, "p: truncated: the session did not finish "
			       "cleanly");
	swt_buf_fini(&w);
	in.truncated = false;
	swt_buf_init(&w);
	swt_report_warnings(&w, "p", &in);
	assert_null(w.ptr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_parse_both_ways),
		cmocka_unit_test(json_top_level_keys_in_order),
		cmocka_unit_test(json_module_fields),
		cmocka_unit_test(csv_quotes_and_sections),
		cmocka_unit_test(text_is_aligned),
		cmocka_unit_test(markdown_escapes_pipes),
		cmocka_unit_test(damage_in_reports_and_warnings),
		cmocka_unit_test(cut_lists_say_how_many_more),
		cmocka_unit_test(attributed_leak_has_no_z),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
