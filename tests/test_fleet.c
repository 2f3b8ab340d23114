/* test_fleet.c — the remote-write body (proto/swt_rw.h) and a session's
 * series (analyze/swt_fleet.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <snappy-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swt_analysis.h"
#include "swt_engine.h"
#include "swt_fleet.h"
#include "swt_reader.h"
#include "swt_rw.h"
#include "swt_stats.h"
#include "swt_status.h"
#include "swt_test.h"
#include "swt_test_feed.h"

#define FIXTURE(name) SWT_FIXTURE_DIR "/" name "/session.swt"

static const struct swt_rw_label labs_a[] = {
	{ "__name__", "swt_module_weight" },
	{ "kind", "process" },
	{ "module", "cc1 \"x\"" },
};
static const struct swt_rw_sample smp_a[] = {
	{ 1700000000000, 0.5 },
	{ 1700000000100, 0.0 },
	{ 1700000000200, -1.25e300 },
};
static const struct swt_rw_label labs_b[] = {
	{ "__name__", "swt_session_cpu_ratio" },
	{ "session", "" },
};
static const struct swt_rw_sample smp_b[] = { { 0, 3.0 } };

struct got {
	size_t n;
	struct swt_rw_series s[2];
	char text[2][512];
};

static int keep(const struct swt_rw_series *s, void *payload)
{
	struct got *g = payload;
	size_t i, k = g->n++;
	int len = 0;

	assert_true(k < 2);
	g->s[k].n_labels = s->n_labels;
	g->s[k].n_samples = s->n_samples;
	for (i = 0; i < s->n_labels; i++)
		len += snprintf(g->text[k] + len, sizeof(g->text[k]) - len,
				"%s=%s;", s->labels[i].name,
				s->labels[i].value);
	for (i = 0; i < s->n_samples; i++)
		len += snprintf(g->text[k] + len, sizeof(g->text[k]) - len,
				"%lld:%a;", (long long)s->samples[i].t_ms,
				s->samples[i].value);
	return 0;
}

static void test_rw_round_trip(void **state)
{
	struct swt_rw_series s[2] = {
		{ 3, labs_a, 3, smp_a },
		{ 2, labs_b, 1, smp_b },
	};
	struct swt_buf body = SWT_BUF_INIT;
	struct got g;
	char msg[128];
	size_t raw_len;

	(void)state;
	memset(&g, 0, sizeof(g));
	assert_ok(swt_rw_encode(&body, s, 2));
	/* the size helper is what protobuf writes, to the byte */
	assert_int_equal(snappy_uncompressed_length(body.ptr, body.len,
						    &raw_len), SNAPPY_OK);
	assert_int_equal(raw_len, swt_rw_series_size(&s[0], 3) +
					  swt_rw_series_size(&s[1], 1));
	assert_ok(swt_rw_decode(body.ptr, body.len, keep, &g, msg,
				sizeof(msg)));
	assert_int_equal(g.n, 2);
	assert_string_equal(g.text[0],
			    "__name__=swt_module_weight;kind=process;"
			    "module=cc1 \"x\";1700000000000:0x1p-1;"
			    "1700000000100:0x0p+0;"
			    "1700000000200:-0x1.ddd4baa009303p+996;");
	/* proto3: an empty string is not on the wire, so comes back "" */
	assert_string_equal(g.text[1], "__name__=swt_session_cpu_ratio;"
			    "session=;0:0x1.8p+1;");
	swt_buf_fini(&body);
}

static void test_rw_decode_refuses_garbage(void **state)
{
	static const char junk[] = "\x05not snappy at all";
	struct swt_buf body = SWT_BUF_INIT;
	struct got g;
	char msg[128];
	size_t clen = snappy_max_compressed_length(4);

	(void)state;
	memset(&g, 0, sizeof(g));
	assert_status(SWT_ECORRUPT, swt_rw_decode(junk, sizeof(junk) - 1,
						  keep, &g, msg,
						  sizeof(msg)));
	/* snappy, but not a WriteRequest (a varint cut short) */
	assert_int_equal(snappy_compress("\x0a\xff\xff\xff", 4,
					 swt_buf_reserve(&body, clen), &clen),
			 SNAPPY_OK);
	swt_buf_commit(&body, clen);
	assert_status(SWT_ECORRUPT, swt_rw_decode(body.ptr, body.len, keep,
						  &g, msg, sizeof(msg)));
	swt_buf_fini(&body);
}

static void test_label_parse(void **state)
{
	char *n, *v, msg[256];

	(void)state;
	assert_ok(swt_fleet_parse_label(&n, &v, "host=ci-07", msg,
					sizeof(msg)));
	assert_string_equal(n, "host");
	assert_string_equal(v, "ci-07");
	free(n);
	assert_ok(swt_fleet_parse_label(&n, &v, "_a1=x=y", msg, sizeof(msg)));
	assert_string_equal(v, "x=y");
	free(n);
	assert_status(SWT_EINVAL, swt_fleet_parse_label(&n, &v, "1a=x", msg,
							sizeof(msg)));
	assert_status(SWT_EINVAL, swt_fleet_parse_label(&n, &v, "__name__=x",
							msg, sizeof(msg)));
	assert_status(SWT_EINVAL, swt_fleet_parse_label(&n, &v, "a-b=x", msg,
							sizeof(msg)));
	assert_status(SWT_EINVAL, swt_fleet_parse_label(&n, &v, "a=", msg,
							sizeof(msg)));
	assert_status(SWT_EINVAL, swt_fleet_parse_label(&n, &v, "noequals",
							msg, sizeof(msg)));
	assert_status(SWT_EINVAL, swt_fleet_parse_label(&n, &v, "a=\xff",
							msg, sizeof(msg)));
	assert_null(n);
}

/* The series of a fixture, through the engine. */
static struct swt_rw_set *series_of(const char *path,
				    const struct swt_fleet_opts *fo,
				    const struct swt_result **res,
				    struct swt_analysis **an)
{
	struct swt_engine_opts eo;
	struct swt_reader *r = NULL;
	struct swt_rw_set *set = NULL;
	char msg[256];

	memset(&eo, 0, sizeof(eo));
	assert_ok(swt_reader_open(&r, path, 0, msg, sizeof(msg)));
	assert_ok(swt_fleet_from_session(&set, an, r, &eo, fo, NULL, msg,
					 sizeof(msg)));
	swt_reader_free(r);
	assert_non_null(set);
	*res = (*an)->result;
	return set;
}

static const char *label(const struct swt_rw_series *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n_labels; i++)
		if (!strcmp(s->labels[i].name, name))
			return s->labels[i].value;
	return NULL;
}

static const struct swt_rw_series *find(const struct swt_rw_set *set,
					const char *metric)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (!strcmp(label(&set->series[i], "__name__"), metric))
			return &set->series[i];
	return NULL;
}

static void test_series_sorted_and_the_reports(void **state)
{
	struct swt_rw_label user[] = { { "session", "nightly-42" },
				       { "host", "ci-07" } };
	struct swt_fleet_opts fo = { 2, user, 0 };
	struct swt_analysis *an = NULL, *an2 = NULL;
	const struct swt_result *res, *res2;
	struct swt_rw_set *set = series_of(FIXTURE("recorded-busy-loop"),
					   &fo, &res, &an);
	struct swt_rw_set *again = series_of(FIXTURE("recorded-busy-loop"),
					     &fo, &res2, &an2);
	const struct swt_rw_series *tot;
	uint64_t samples = 0;
	size_t i, j;

	(void)state;
	assert_true(set->n > 10);
	for (i = 0; i < set->n; i++) {
		const struct swt_rw_series *s = &set->series[i];

		assert_string_equal(s->labels[0].name, "__name__");
		for (j = 1; j < s->n_labels; j++)
			assert_true(strcmp(s->labels[j - 1].name,
					   s->labels[j].name) < 0);
		for (j = 1; j < s->n_samples; j++)
			assert_true(s->samples[j - 1].t_ms <
				    s->samples[j].t_ms);
		/* the user's labels win over ours */
		assert_string_equal(label(s, "session"), "nightly-42");
		assert_string_equal(label(s, "host"), "ci-07");
		samples += s->n_samples;
		/* deterministic: the same series twice */
		assert_int_equal(s->n_labels, again->series[i].n_labels);
		assert_int_equal(s->n_samples, again->series[i].n_samples);
		for (j = 0; j < s->n_labels; j++)
			assert_string_equal(s->labels[j].value,
					    again->series[i].labels[j].value);
		assert_memory_equal(s->samples, again->series[i].samples,
				    s->n_samples * sizeof(*s->samples));
	}
	assert_int_equal(samples, set->samples);
	/* the tree's CPU total ends at the report's cpu_ms */
	tot = find(set, "swt_session_cpu_seconds_total");
	assert_non_null(tot);
	assert_true(tot->samples[tot->n_samples - 1].value * 1000.0 -
			    (double)res->session.cpu_ms <
		    1.0);
	assert_true((double)res->session.cpu_ms -
			    tot->samples[tot->n_samples - 1].value * 1000.0 <
		    1.0);
	swt_rw_set_free(set);
	swt_rw_set_free(again);
	swt_analysis_free(an);
	swt_analysis_free(an2);
}

static void test_step_keeps_the_total(void **state)
{
	struct swt_fleet_opts all = { 0, NULL, 0 };
	struct swt_fleet_opts step = { 0, NULL, INT64_C(2000000000) };
	struct swt_analysis *a1 = NULL, *a2 = NULL;
	const struct swt_result *r1, *r2;
	struct swt_rw_set *s1 = series_of(FIXTURE("recorded-busy-loop"),
					  &all, &r1, &a1);
	struct swt_rw_set *s2 = series_of(FIXTURE("recorded-busy-loop"),
					  &step, &r2, &a2);
	const struct swt_rw_series *t1 =
		find(s1, "swt_session_cpu_seconds_total");
	const struct swt_rw_series *t2 =
		find(s2, "swt_session_cpu_seconds_total");

	(void)state;
	assert_true(s2->samples < s1->samples);
	assert_true(t2->n_samples < t1->n_samples);
	assert_true(t1->samples[t1->n_samples - 1].value ==
		    t2->samples[t2->n_samples - 1].value);
	assert_int_equal(t1->samples[t1->n_samples - 1].t_ms,
			 t2->samples[t2->n_samples - 1].t_ms);
	swt_rw_set_free(s1);
	swt_rw_set_free(s2);
	swt_analysis_free(a1);
	swt_analysis_free(a2);
}

/* The series of metric whose labels of a subject (kind, module, process,
 * group; none: the session's) or counter equal these. */
static const struct swt_rw_series *find_of(const struct swt_rw_set *set,
					   const char *metric,
					   const struct swt_subject *subj,
					   const char *counter)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		const struct swt_rw_series *s = &set->series[i];
		const char *want[4][2] = {
			{ "kind", subj ? swt_kind_name(subj->kind) : NULL },
			{ "module", subj ? subj->name : NULL },
			{ "process", subj ? subj->process : NULL },
			{ "counter", counter },
		};
		int k;

		if (strcmp(label(s, "__name__"), metric))
			continue;
		for (k = 0; k < 4; k++) {
			const char *v = label(s, want[k][0]);
			const char *w = want[k][1] && want[k][1][0] ? want[k][1] :
								      NULL;

			if ((v == NULL) != (w == NULL) || (v && strcmp(v, w)))
				break;
		}
		if (k == 4 && (!subj || !subj->group || !subj->group[0] ||
			       !strcmp(label(s, "group") ? label(s, "group") :
							   "",
				       subj->group)))
			return s;
	}
	return NULL;
}

/* A running total: per interval (several samples, never decreasing),
 * and its last value. */
static double check_total(const struct swt_rw_series *s, size_t min_samples)
{
	size_t j;

	assert_non_null(s);
	assert_true(s->n_samples >= min_samples);
	for (j = 1; j < s->n_samples; j++)
		assert_true(s->samples[j - 1].value <= s->samples[j].value);
	return s->samples[s->n_samples - 1].value;
}

/* bytes as the report's thousandths of MB */
static int64_t mmb(double bytes)
{
	return swt_muldiv((int64_t)bytes, 1000, INT64_C(1048576));
}

/* Disk and network bytes, calls and counters go per interval, and their
 * last values are the report's totals; no such series is left at the end
 * alone. */
static void check_totals(const char *path, int64_t step_ns,
			 int *io_seen, int *calls_seen, int *ctrs_seen)
{
	struct swt_fleet_opts fo = { 0, NULL, step_ns };
	struct swt_analysis *an = NULL;
	const struct swt_result *res;
	struct swt_rw_set *set = series_of(path, &fo, &res, &an);
	const struct swt_session_result *ss = &res->session;
	size_t min = step_ns ? 2 : 10, i;

	if (ss->has_io) {
		assert_int_equal(mmb(check_total(
					 find_of(set,
						 "swt_session_io_read_bytes_total",
						 NULL, NULL),
					 min)),
				 ss->io_read_mmb);
		assert_int_equal(
			mmb(check_total(
				find_of(set,
					"swt_session_io_written_bytes_total",
					NULL, NULL),
				min)),
			ss->io_write_mmb);
		*io_seen += ss->io_read_mmb > 0;
	} else {
		assert_null(find_of(set, "swt_session_io_read_bytes_total",
				    NULL, NULL));
	}
	if (ss->has_net)
		assert_int_equal(
			mmb(check_total(
				find_of(set,
					"swt_session_network_sent_bytes_total",
					NULL, NULL),
				min)),
			ss->net_sent_mmb);
	for (i = 0; i < res->n_modules; i++) {
		const struct swt_module_result *m = &res->modules[i];
		const struct swt_rw_series *c =
			find_of(set, "swt_module_calls_total", &m->subj, NULL);

		if (m->subj.kind == SWT_KIND_THREAD) {
			assert_null(c);
			continue;
		}
		/* (a module whose process was seen once has one sample) */
		assert_true(check_total(c, 1) == (double)m->calls);
		if (m->calls > 0) {
			assert_true(c->n_samples >= min);
			(*calls_seen)++;
		}
		if (m->has_io) {
			assert_int_equal(
				mmb(check_total(
					find_of(set,
						"swt_module_io_read_bytes_total",
						&m->subj, NULL),
					1)),
				m->io_read_mmb);
			assert_int_equal(
				mmb(check_total(
					find_of(set,
						"swt_module_io_written_bytes_"
						"total",
						&m->subj, NULL),
					1)),
				m->io_write_mmb);
		} else {
			assert_null(find_of(set,
					    "swt_module_io_read_bytes_total",
					    &m->subj, NULL));
		}
		if (m->has_net)
			assert_int_equal(
				mmb(check_total(
					find_of(set,
						"swt_module_network_received_"
						"bytes_total",
						&m->subj, NULL),
					1)),
				m->net_recv_mmb);
	}
	for (i = 0; i < res->n_counters; i++) {
		const struct swt_counter_result *c = &res->counters[i];

		assert_true(check_total(find_of(set, "swt_counter_total", NULL,
						c->name),
					min) == (double)c->count);
		(*ctrs_seen)++;
	}
	swt_rw_set_free(set);
	swt_analysis_free(an);
}

static void test_totals_per_interval(void **state)
{
	static const char *const fx[] = {
		FIXTURE("recorded-burst"), FIXTURE("recorded-example"),
		FIXTURE("recorded-idle-tree"), FIXTURE("synthetic-counters"),
		FIXTURE("recorded-busy-loop"),
	};
	int io = 0, calls = 0, ctrs = 0;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(fx) / sizeof(fx[0]); i++) {
		check_totals(fx[i], 0, &io, &calls, &ctrs);
		check_totals(fx[i], INT64_C(5000000000), &io, &calls, &ctrs);
	}
	/* the fixtures have them (not all zero) */
	assert_true(io >= 2);
	assert_true(calls >= 4);
	assert_true(ctrs >= 4);
}

/* ---- live: the engine fed by hand, the series taken after each sample */

#define S INT64_C(1000000000)
#define T0 (100 * S)

static void feed(struct swt_engine *e, const struct swt_record *r)
{
	assert_ok(swt_engine_feed(e, r));
}

struct live {
	struct swt_fleet *f;
	/* module a's CPU total as sent: its samples in order */
	size_t n;
	int64_t t_ms[16];
	double v[16];
};

static void live_usage(const struct swt_usage_point *p, void *payload)
{
	swt_fleet_usage(((struct live *)payload)->f, p);
}

static void live_take(struct live *l)
{
	struct swt_rw_set *set = NULL;
	size_t i, j;

	swt_fleet_take(l->f, &set);
	for (i = 0; set && i < set->n; i++) {
		const struct swt_rw_series *s = &set->series[i];

		if (strcmp(label(s, "__name__"),
			   "swt_module_cpu_seconds_total") ||
		    strcmp(label(s, "module"), "a"))
			continue;
		for (j = 0; j < s->n_samples; j++) {
			assert_true(l->n < 16);
			l->t_ms[l->n] = s->samples[j].t_ms;
			l->v[l->n++] = s->samples[j].value;
		}
	}
	swt_rw_set_free(set);
}

/* The header of the live tests' sessions: "make", started at T0. */
static void live_header(struct swt_record *hdr, uint32_t cpu_count,
			int64_t interval)
{
	static const char *const cmd[] = { "make" };

	memset(hdr, 0, sizeof(*hdr));
	hdr->kind = SWT_REC_HEADER;
	hdr->u.header.recorder = "test";
	hdr->u.header.clock_ticks = 100;
	hdr->u.header.page_size = 4096;
	hdr->u.header.cpu_count = cpu_count;
	hdr->u.header.interval_ns = interval;
	hdr->u.header.start_mono_ns = T0;
	hdr->u.header.start_wall_ns = INT64_C(1700000000) * S;
	hdr->u.header.n_command = 1;
	hdr->u.header.command = cmd;
}

/* An interval sent live, then revised by a late exit (the engine's
 * usage_point_revised_by_a_late_exit), with no later interval of its
 * module to carry the difference: it goes as a sample of its own just
 * after the one sent, so the last value sent is the report's total. */
static void test_live_revision_is_sent(void **state)
{
	struct swt_fleet_opts fo = { 0, NULL, 0 };
	struct swt_engine_opts eo;
	struct swt_engine *e;
	const struct swt_result *res;
	struct swt_record hdr;
	struct swt_proc_row p[2];
	struct live l;
	size_t i;

	(void)state;
	memset(&l, 0, sizeof(l));
	swt_fleet_new(&l.f, &fo);
	memset(&eo, 0, sizeof(eo));
	eo.on_usage = live_usage;
	eo.usage_totals = true;
	eo.payload = &l;
	swt_engine_new(&e, &eo);
	live_header(&hdr, 4, S);
	swt_fleet_header(l.f, &hdr.u.header);
	feed(e, &hdr);
	feed_child(e, T0, 10, 1, "make");
	feed_child(e, T0, 11, 10, "a");
	p[0] = prow(10, 0, 1024);
	p[1] = prow(11, 10, 1024);
	feed_sample(e, T0 + S, p, 2, NULL, 0);
	live_take(&l);
	feed_proc_exit(e, T0 + S + 1, 11, false, 0, 0);
	p[0] = prow(10, 5, 1024);
	feed_sample(e, T0 + 2 * S, p, 1, NULL, 0);
	live_take(&l);
	assert_int_equal(l.n, 1);	/* a's interval, sent */
	feed_child(e, T0 + 2 * S + 50000000, 12, 10, "a");
	feed_proc_exit(e, T0 + 2 * S + 100000000, 12, true, 20, 0);
	feed_sample(e, T0 + 2 * S + 200000000, p, 1, NULL, 0);
	live_take(&l);
	assert_ok(swt_engine_finish(e, &res));
	swt_fleet_result(l.f, res);
	live_take(&l);
	/* the revision: a sample of its own, 1 ms after the one sent */
	assert_true(l.n >= 2);
	assert_int_equal(l.t_ms[1], l.t_ms[0] + 1);
	for (i = 1; i < l.n; i++)
		assert_true(l.t_ms[i - 1] < l.t_ms[i]);
	for (i = 0; i < res->n_modules; i++)
		if (res->modules[i].subj.kind == SWT_KIND_PROCESS &&
		    !strcmp(res->modules[i].subj.name, "a"))
			break;
	assert_true(i < res->n_modules);
	assert_int_equal(res->modules[i].cpu_ms, 300);
	assert_true(l.v[l.n - 1] == 0.3);
	swt_engine_free(e);
	swt_fleet_free(l.f);
}

/* ---- live against the report: sessions recorded in a hurry ------------- */

/* every series' last sample, by its labels */
struct lasts {
	size_t n;
	char key[96][200];
	double v[96];
	int64_t t_ms[96];
};

static void lasts_take(struct swt_fleet *f, struct lasts *l)
{
	struct swt_rw_set *set = NULL;
	size_t i, j, k;

	swt_fleet_take(f, &set);
	for (i = 0; set && i < set->n; i++) {
		const struct swt_rw_series *s = &set->series[i];
		char key[200];
		int len = 0;

		for (j = 0; j < s->n_labels; j++)
			len += snprintf(key + len, sizeof(key) - (size_t)len,
					"%s=%s;", s->labels[j].name,
					s->labels[j].value);
		assert_true(len < (int)sizeof(key));
		for (k = 0; k < l->n && strcmp(l->key[k], key); k++)
			;
		if (k == l->n) {
			assert_true(l->n < 96);
			strcpy(l->key[l->n], key);
			l->t_ms[l->n++] = INT64_MIN;
		}
		for (j = 0; j < s->n_samples; j++) {
			/* (a receiver refuses a sample at or before one it
			 * has) */
			assert_true(s->samples[j].t_ms > l->t_ms[k]);
			l->t_ms[k] = s->samples[j].t_ms;
			l->v[k] = s->samples[j].value;
		}
	}
	swt_rw_set_free(set);
}

struct both {
	struct swt_fleet *live, *all;
};

static void both_usage(const struct swt_usage_point *p, void *payload)
{
	struct both *b = payload;

	swt_fleet_usage(b->live, p);
	swt_fleet_usage(b->all, p);
}

/* An engine whose series go to both (to be freed by the caller with
 * swt_engine_free(), the two with swt_fleet_free()). */
static struct swt_engine *both_new(struct both *b)
{
	struct swt_fleet_opts fo = { 0, NULL, 0 };
	struct swt_engine_opts eo;
	struct swt_engine *e;

	swt_fleet_new(&b->live, &fo);
	swt_fleet_new(&b->all, &fo);
	memset(&eo, 0, sizeof(eo));
	eo.on_usage = both_usage;
	eo.usage_totals = true;
	eo.payload = b;
	swt_engine_new(&e, &eo);
	return e;
}

static void both_header(struct both *b, struct swt_engine *e,
			const struct swt_record *hdr)
{
	swt_fleet_header(b->live, &hdr->u.header);
	swt_fleet_header(b->all, &hdr->u.header);
	feed(e, hdr);
}

static uint32_t lcg(uint64_t *st, uint32_t n)
{
	*st = *st * UINT64_C(6364136223846793005) +
	      UINT64_C(1442695040888963407);
	return (uint32_t)(*st >> 33) % n;
}

/* One session of seed: up to 12 children of "make" in three modules,
 * starting and exiting at random times (in time order) between samples
 * 0.1 s apart, some of them short (a late tick, swrec's last look), some
 * exits before the first sample or after the last, their last counters
 * read or not. */
static void hurried_session(uint64_t seed, struct lasts *live,
			    struct lasts *all, int64_t *cpu_ms)
{
	static const char *const names[] = { "a", "b", "c" };
	struct swt_engine *e;
	const struct swt_result *res;
	struct swt_record hdr;
	struct both b;
	struct {
		int32_t pid;
		int64_t ticks;
		bool alive;
	} pr[12];
	uint64_t st = seed;
	int64_t t = T0, root = 0, iv = S / 10;
	int np = 0, k, i, nsamp;

	e = both_new(&b);
	live_header(&hdr, 1 + lcg(&st, 2), iv);
	hdr.u.header.mode = lcg(&st, 2) ? SWT_MODE_LAUNCH : SWT_MODE_ATTACH;
	both_header(&b, e, &hdr);
	feed_child(e, T0, 10, 1, "make");
	nsamp = 3 + (int)lcg(&st, 10);
	for (k = 0; k < nsamp; k++) {
		struct swt_proc_row rows[13];
		size_t nr = 0;
		/* (the second a full interval: a session all of whose
		 * intervals are short has its CPU in the report's total
		 * only, no series) */
		int64_t next = t + (lcg(&st, 4) || k == 1 ?
				    iv : iv / (2 + (int64_t)lcg(&st, 20)));
		int nev = (int)lcg(&st, 4);
		int64_t te = t;

		for (i = 0; i < nev; i++) {
			int j = (int)lcg(&st, np ? (uint32_t)np : 1);

			te += 1 + lcg(&st, (uint32_t)((next - te) / 2));
			if (np < 12 && (lcg(&st, 2) || !np)) {
				pr[np].pid = 11 + np;
				pr[np].ticks = 0;
				pr[np].alive = true;
				feed_child(e, te, pr[np].pid, 10,
					   names[lcg(&st, 3)]);
				np++;
			} else if (pr[j].alive) {
				pr[j].alive = false;
				pr[j].ticks += lcg(&st, 15);
				feed_proc_exit(e, te, pr[j].pid,
					       lcg(&st, 5) > 0, pr[j].ticks, 0);
			}
		}
		t = next;
		root += lcg(&st, 3);
		rows[nr++] = prow(10, root, 1024);
		for (i = 0; i < np; i++) {
			if (!pr[i].alive)
				continue;
			pr[i].ticks += lcg(&st, 12);
			rows[nr++] = prow(pr[i].pid, pr[i].ticks, 2048);
		}
		feed_sample(e, t, rows, nr, NULL, 0);
		lasts_take(b.live, live);
	}
	for (i = 0; i < np; i++) {
		if (pr[i].alive && lcg(&st, 2)) {
			pr[i].ticks += lcg(&st, 15);
			feed_proc_exit(e, t + 1 + i, pr[i].pid, true,
				       pr[i].ticks, 0);
		}
	}
	assert_ok(swt_engine_finish(e, &res));
	*cpu_ms = res->session.cpu_ms;
	swt_fleet_result(b.live, res);
	swt_fleet_result(b.all, res);
	lasts_take(b.live, live);
	lasts_take(b.all, all);
	swt_engine_free(e);
	swt_fleet_free(b.live);
	swt_fleet_free(b.all);
}

/* Each running total taken after every sample (swrec --remote-write)
 * ends where it ends taken once (export): a revision of an interval sent
 * is never lost nor counted twice (an interval told in parts, revised
 * again: the live session's CPU read 1.35 ms short of the report's in CI),
 * and the CPU total is the report's (an exit before the first interval
 * was in the report's total only). */
static void test_live_totals_are_the_reports(void **state)
{
	static struct lasts live, all;
	uint64_t seed;
	size_t i, k;

	(void)state;
	for (seed = 1; seed <= 3000; seed++) {
		int64_t cpu_ms;
		bool ses = false;

		memset(&live, 0, sizeof(live));
		memset(&all, 0, sizeof(all));
		hurried_session(seed, &live, &all, &cpu_ms);
		for (i = 0; i < all.n; i++) {
			if (!strstr(all.key[i], "_total;"))
				continue;
			for (k = 0; k < live.n && strcmp(live.key[k],
							   all.key[i]);
			     k++)
				;
			if (k == live.n || live.v[k] != all.v[i])
				fail_msg("seed %llu: %s live %.6f, at once "
					 "%.6f",
					 (unsigned long long)seed, all.key[i],
					 k < live.n ? live.v[k] : -1.0,
					 all.v[i]);
			if (!strncmp(all.key[i],
				     "__name__=swt_session_cpu_seconds_total;",
				     39)) {
				ses = true;
				if (all.v[i] * 1000 < (double)cpu_ms - 0.5 ||
				    all.v[i] * 1000 > (double)cpu_ms + 0.5)
					fail_msg("seed %llu: the session's "
						 "CPU %.6f s, the report's "
						 "%lld ms",
						 (unsigned long long)seed,
						 all.v[i], (long long)cpu_ms);
			}
		}
		if (!ses && cpu_ms)
			fail_msg("seed %llu: no CPU series, %lld ms",
				 (unsigned long long)seed, (long long)cpu_ms);
	}
}

/* A module's interval told, then revised twice: by an exit during the
 * short sample after it (the machine could not burn it all in the
 * interval: told in two parts, the second reaching past it), then by an
 * exit after the last sample (no short interval follows: the parts told
 * stay). Live and at once, its total is the report's. */
static void test_live_revised_twice(void **state)
{
	struct swt_engine *e;
	const struct swt_result *res;
	struct swt_record hdr;
	struct swt_proc_row p[2];
	static struct lasts live, all;
	struct both b;
	size_t i, k;

	(void)state;
	memset(&live, 0, sizeof(live));
	memset(&all, 0, sizeof(all));
	e = both_new(&b);
	live_header(&hdr, 1, S);
	both_header(&b, e, &hdr);
	feed_child(e, T0, 10, 1, "make");
	feed_child(e, T0, 11, 10, "a");
	p[0] = prow(10, 0, 1024);
	p[1] = prow(11, 90, 1024);
	feed_sample(e, T0 + S, p, 2, NULL, 0);
	lasts_take(b.live, &live);
	feed_proc_exit(e, T0 + S + 1, 11, false, 0, 0);
	p[0] = prow(10, 5, 1024);
	feed_sample(e, T0 + 2 * S, p, 1, NULL, 0);
	lasts_take(b.live, &live);
	feed_child(e, T0 + 2 * S + 50000000, 12, 10, "a");
	feed_proc_exit(e, T0 + 2 * S + 100000000, 12, true, 30, 0);
	feed_sample(e, T0 + 2 * S + 200000000, p, 1, NULL, 0);
	lasts_take(b.live, &live);
	feed_child(e, T0 + 2 * S + 210000000, 13, 10, "a");
	feed_proc_exit(e, T0 + 2 * S + 220000000, 13, true, 10, 0);
	assert_ok(swt_engine_finish(e, &res));
	swt_fleet_result(b.live, res);
	swt_fleet_result(b.all, res);
	lasts_take(b.live, &live);
	lasts_take(b.all, &all);
	for (i = 0; i < res->n_modules; i++)
		if (res->modules[i].subj.kind == SWT_KIND_PROCESS &&
		    !strcmp(res->modules[i].subj.name, "a"))
			break;
	assert_true(i < res->n_modules);
	assert_int_equal(res->modules[i].cpu_ms, 1300);
	for (i = 0; i < all.n; i++)
		if (strstr(all.key[i], "swt_module_cpu_seconds_total;") &&
		    strstr(all.key[i], ";module=a;"))
			break;
	assert_true(i < all.n);
	assert_true(all.v[i] > 1.3 - 1e-9 && all.v[i] < 1.3 + 1e-9);
	for (k = 0; k < live.n && strcmp(live.key[k], all.key[i]); k++)
		;
	assert_true(k < live.n);
	assert_true(live.v[k] > 1.3 - 1e-9 && live.v[k] < 1.3 + 1e-9);
	swt_engine_free(e);
	swt_fleet_free(b.live);
	swt_fleet_free(b.all);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rw_round_trip),
		cmocka_unit_test(test_rw_decode_refuses_garbage),
		cmocka_unit_test(test_label_parse),
		cmocka_unit_test(test_series_sorted_and_the_reports),
		cmocka_unit_test(test_step_keeps_the_total),
		cmocka_unit_test(test_totals_per_interval),
		cmocka_unit_test(test_live_revision_is_sent),
		cmocka_unit_test(test_live_totals_are_the_reports),
		cmocka_unit_test(test_live_revised_twice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
