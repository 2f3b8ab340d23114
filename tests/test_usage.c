/* test_usage.c — the series over time: the bucket grid (swt_usage.h), the
 * engine's series (swt_result.usage) and their sparklines. */
#include "swt_test.h"
#include "swt_test_feed.h"

#include <string.h>

#include "swt_engine.h"
#include "swt_model.h"
#include "swt_render.h"
#include "swt_report.h"
#include "swt_usage.h"

#define S INT64_C(1000000000)
#define T0 (100 * S)

/* ---- the grid --------------------------------------------------------------- */

/* Feed n slots (value v[s] at slot s, every slot) into cap buckets. */
static void feed_slots(struct swt_usage_grid *g, struct swt_usage_acc *b,
		       size_t cap, const int64_t *v, size_t n)
{
	size_t s;

	swt_usage_grid_init(g, cap);
	memset(b, 0, cap * sizeof(*b));
	for (s = 0; s < n; s++) {
		unsigned folds = swt_usage_grid_place(g, (int64_t)s);

		swt_usage_fold(b, g->cap, folds);
		swt_usage_add_cpu(&b[swt_usage_grid_index(g, (int64_t)s)],
				  v[s], v[s], 1);
		swt_usage_add_mem(&b[swt_usage_grid_index(g, (int64_t)s)],
				  v[s]);
	}
}

/* A deterministic, irregular series (no two neighbours alike). */
static int64_t value_at(size_t s)
{
	return (int64_t)((s * 7919u + 13u) % 1000u);
}

/* Bucketing with the final width known from the start gives the same
 * buckets as the doublings did: merging is exact. */
static void doubling_equals_direct_bucketing(void **state)
{
	static int64_t v[5000];
	struct swt_usage_acc b[8];
	struct swt_usage_grid g;
	size_t n, k, s;

	(void)state;
	for (s = 0; s < 5000; s++)
		v[s] = value_at(s);
	for (n = 1; n <= 5000; n = n * 3 + 1) {
		feed_slots(&g, b, 8, v, n);
		assert_true(swt_usage_grid_count(&g) <= 8);
		assert_int_equal(swt_usage_grid_count(&g),
				 (n - 1) / (size_t)g.width + 1);
		for (k = 0; k < swt_usage_grid_count(&g); k++) {
			int64_t mn = INT64_MAX, mx = -1, sum = 0;
			uint32_t cnt = 0;

			for (s = k * (size_t)g.width;
			     s < (k + 1) * (size_t)g.width && s < n; s++) {
				mn = v[s] < mn ? v[s] : mn;
				mx = v[s] > mx ? v[s] : mx;
				sum += v[s];
				cnt++;
			}
			assert_int_equal(b[k].cpu_min, mn);
			assert_int_equal(b[k].cpu_max, mx);
			assert_int_equal(b[k].cpu_ticks, sum);
			assert_int_equal(b[k].cpu_ns, cnt);
			assert_int_equal(b[k].cpu_n, cnt);
			assert_int_equal(b[k].mem_min, mn);
			assert_int_equal(b[k].mem_max, mx);
			assert_int_equal(b[k].mem_sum, sum);
			assert_int_equal(b[k].mem_n, cnt);
		}
		/* the buckets past the last are empty */
		for (; k < 8; k++)
			assert_int_equal(b[k].cpu_n + b[k].mem_n, 0);
	}
}

/* One interval's spike is the max of its bucket however many merges
 * follow, and the count stays bounded. */
static void a_single_interval_spike_survives_every_merge(void **state)
{
	static int64_t v[70000];
	struct swt_usage_acc b[4];
	struct swt_usage_grid g;
	size_t spike, n, k, at;

	(void)state;
	for (spike = 0; spike < 70000; spike += 6997) {
		memset(v, 0, sizeof(v));
		for (k = 0; k < 70000; k++)
			v[k] = 1000 + (int64_t)(k % 3);
		v[spike] = 987654;
		for (n = spike + 1; n <= 70000; n = n * 2 + 5) {
			feed_slots(&g, b, 4, v, n);
			assert_true(swt_usage_grid_count(&g) <= 4);
			at = spike / (size_t)g.width;
			assert_int_equal(b[at].cpu_max, 987654);
			assert_int_equal(b[at].mem_max, 987654);
			for (k = 0; k < 4; k++)
				if (k != at)
					assert_true(b[k].cpu_max < 987654);
		}
	}
}

/* The grid never holds more than cap buckets, even across absurd gaps,
 * and the bounds on cap hold. */
static void bucket_count_is_bounded(void **state)
{
	struct swt_usage_grid g;
	int64_t slot;
	unsigned folds = 0;

	(void)state;
	swt_usage_grid_init(&g, 0);
	assert_int_equal(g.cap, SWT_USAGE_BUCKETS_DEFAULT);
	swt_usage_grid_init(&g, 1);
	assert_int_equal(g.cap, SWT_USAGE_BUCKETS_MIN);
	swt_usage_grid_init(&g, 1u << 30);
	assert_int_equal(g.cap, SWT_USAGE_BUCKETS_MAX);
	swt_usage_grid_init(&g, 240);
	assert_int_equal(swt_usage_grid_count(&g), 0);
	for (slot = 5; slot < INT64_MAX / 4; slot = slot * 3 + 1) {
		folds += swt_usage_grid_place(&g, slot);
		assert_true(swt_usage_grid_count(&g) <= 240);
		assert_true(swt_usage_grid_index(&g, slot) < 240);
	}
	assert_true(folds > 50);
	/* a slot before the last one counts as the last */
	assert_int_equal(swt_usage_grid_place(&g, 0), 0);
	assert_int_equal(swt_usage_grid_index(&g, 0), 0);
}

/* ---- the engine ------------------------------------------------------------- */

static void feed_header(struct swt_engine *e)
{
	static const char *const cmd[] = { "app" };
	struct swt_record r;

	memset(&r, 0, sizeof(r));
	r.kind = SWT_REC_HEADER;
	r.u.header.recorder = "test";
	r.u.header.clock_ticks = 100;
	r.u.header.page_size = 4096;
	r.u.header.cpu_count = 4;
	r.u.header.interval_ns = S;
	r.u.header.start_mono_ns = T0;
	r.u.header.n_command = 1;
	r.u.header.command = cmd;
	assert_ok(swt_engine_feed(e, &r));
}

static void feed_start(struct swt_engine *e, int64_t t, int32_t pid,
		       const char *comm)
{
	feed_child(e, t, pid, 1, comm);
}

/* A sample of one process: pid, cumulative CPU ticks, RSS in KiB. */
static void feed_one(struct swt_engine *e, int64_t t, int32_t pid,
		     int64_t ticks, int64_t rss)
{
	struct swt_proc_row p = prow(pid, ticks, rss);

	feed_sample(e, t, &p, 1, NULL, 0);
}

/* n seconds of one process at 10 % of a core (50 % in second `spike`),
 * 1 MB more each second; from_s: a
 * window's first sample (its base). */
static struct swt_engine *run_session(size_t buckets, int n, int spike,
				      int from_s)
{
	struct swt_engine_opts o;
	struct swt_engine *e;
	int64_t ticks = 0;
	int i;

	memset(&o, 0, sizeof(o));
	o.usage_buckets = buckets;
	o.window_from_ns = (int64_t)from_s * S;
	swt_engine_new(&e, &o);
	feed_header(e);
	feed_start(e, T0, 10, "app");
	for (i = from_s; i <= n; i++) {
		if (i > from_s || from_s == 0)
			ticks += i == spike ? 50 : 10;
		if (i == 0)
			ticks = 0;
		feed_one(e, T0 + i * S, 10, ticks,
			    1024 * (100 + i));
	}
	return e;
}

/* 1000 one-second intervals (the first sample a baseline: slot 0 holds
 * two samples) into 240 buckets: width 8 s, a bucket's
 * mean is its intervals', the spike is one bucket's max, times are whole
 * intervals from the session start. */
static void engine_series_of_a_session(void **state)
{
	struct swt_engine *e = run_session(0, 1000, 437, 0);
	const struct swt_result *res;
	const struct swt_usage_series *u;
	const struct swt_module_result *m = NULL;
	size_t k, i;
	int64_t spikes = 0;

	(void)state;
	assert_ok(swt_engine_finish(e, &res));
	assert_int_equal(res->n_usage_buckets, 125);
	assert_int_equal(res->usage_width_ns, 8 * S);
	u = &res->usage;
	assert_true(u->has_cpu && u->has_memory);
	assert_int_equal(u->n_buckets, 125);
	for (i = 0; i < res->n_modules; i++)
		if (strcmp(res->modules[i].subj.name, "app") == 0)
			m = &res->modules[i];
	assert_non_null(m);
	assert_int_equal(m->usage.n_buckets, 125);
	for (k = 0; k < u->n_buckets; k++) {
		const struct swt_usage_bucket *b = &u->buckets[k];

		assert_int_equal(b->t_from_ns, (int64_t)k * 8 * S);
		assert_int_equal(b->t_to_ns, (int64_t)(k + 1) * 8 * S);
		assert_int_equal(b->cpu_min_mpct, 10000);
		if (b->cpu_max_mpct == 50000) {
			spikes++;
			/* second 437's interval: (436, 437] */
			assert_int_equal(k, 436 / 8);
			assert_int_equal(b->cpu_avg_mpct, 15000);
		} else {
			assert_int_equal(b->cpu_max_mpct, 10000);
		}
		assert_int_equal(b->mem_samples, k == 0 ? 9 : 8);
		assert_memory_equal(b, &m->usage.buckets[k], sizeof(*b));
	}
	assert_int_equal(spikes, 1);
	/* the first bucket: samples 0..8 (the first a baseline for CPU) */
	assert_int_equal(u->buckets[0].cpu_intervals, 8);
	assert_int_equal(u->buckets[0].mem_min_mmb, 100000);
	assert_int_equal(u->buckets[0].mem_max_mmb, 108000);
	assert_int_equal(u->buckets[0].mem_avg_mmb, 104000);
	swt_engine_free(e);
}

/* A window's series covers the window only: its first sample is a base,
 * the first bucket starts there. */
static void engine_series_of_a_window(void **state)
{
	struct swt_engine *e = run_session(10, 100, 0, 40);
	const struct swt_result *res;
	const struct swt_usage_series *u;
	size_t k;
	uint32_t n = 0;

	(void)state;
	assert_ok(swt_engine_finish(e, &res));
	u = &res->usage;
	assert_int_equal(res->n_usage_buckets, 8);
	assert_int_equal(res->usage_width_ns, 8 * S);
	assert_int_equal(u->buckets[0].t_from_ns, 40 * S);
	assert_int_equal(u->buckets[7].t_to_ns, 100 * S);
	for (k = 0; k < u->n_buckets; k++)
		n += u->buckets[k].cpu_intervals;
	assert_int_equal(n, 60);
	swt_engine_free(e);
}

/* The last bucket ends at the last sample, not at the end of its slot:
 * swrec's last look 0.2 s after the 10 s sample made a 10.2 s session
 * read "0.000-11.000 s". */
static void engine_series_end_at_the_last_sample(void **state)
{
	struct swt_engine *e;
	const struct swt_result *res;
	const struct swt_usage_series *u;
	int i;

	(void)state;
	swt_engine_new(&e, NULL);
	feed_header(e);
	feed_start(e, T0, 10, "app");
	for (i = 0; i <= 10; i++)
		feed_one(e, T0 + i * S, 10, 10 * i, 1024 * 100);
	feed_one(e, T0 + 10 * S + S / 5, 10, 102, 1024 * 100);
	assert_ok(swt_engine_finish(e, &res));
	u = &res->usage;
	assert_int_equal(res->n_usage_buckets, 11);
	assert_int_equal(u->buckets[9].t_to_ns, 10 * S);
	assert_int_equal(u->buckets[10].t_from_ns, 10 * S);
	assert_int_equal(u->buckets[10].t_to_ns, 10 * S + S / 5);
	swt_engine_free(e);
}

/* The CPU % of a subject over buckets [from, to) weighted by their time,
 * in mpct x ns / 1e5: ns of CPU. */
static int64_t cpu_ns_of(const struct swt_usage_series *u)
{
	int64_t ns = 0;
	size_t k;

	for (k = 0; k < u->n_buckets; k++)
		if (u->buckets[k].cpu_intervals)
			ns += u->buckets[k].cpu_avg_mpct *
			      (u->buckets[k].t_to_ns -
			       u->buckets[k].t_from_ns) / 100000;
	return ns;
}

/* Samples the recorder missed (none at 5, 6 and 7 s): the interval from
 * 4 to 8 s spans four slots and gives each its share, at its CPU %; one
 * bucket held it all, and three read "unknown", a hole in a process that
 * never stopped. */
static void an_interval_of_missed_samples_spans_its_slots(void **state)
{
	struct swt_engine *e;
	const struct swt_result *res;
	const struct swt_usage_series *u;
	int i;
	size_t k;

	(void)state;
	swt_engine_new(&e, NULL);
	feed_header(e);
	feed_start(e, T0, 10, "app");
	for (i = 0; i <= 12; i++)
		if (i < 5 || i > 7)
			feed_one(e, T0 + i * S, 10, 10 * i, 1024 * 100);
	assert_ok(swt_engine_finish(e, &res));
	u = &res->usage;
	assert_int_equal(res->usage_width_ns, S);
	assert_int_equal(u->n_buckets, 12);
	for (k = 0; k < u->n_buckets; k++) {
		assert_int_equal(u->buckets[k].t_from_ns, (int64_t)k * S);
		assert_int_equal(u->buckets[k].cpu_intervals, 1);
		assert_int_equal(u->buckets[k].cpu_min_mpct, 10000);
		assert_int_equal(u->buckets[k].cpu_max_mpct, 10000);
		assert_int_equal(u->buckets[k].cpu_avg_mpct, 10000);
	}
	/* (the memory of the sample at 8 s: in the slot of the interval's
	 * middle, as every sample's) */
	assert_int_equal(u->buckets[6].mem_samples, 1);
	assert_int_equal(u->buckets[5].mem_samples, 0);
	assert_int_equal(cpu_ns_of(u), INT64_C(1200000000));
	swt_engine_free(e);
}

/* A launched command's first sample 2.4 s after the start (swrec's first
 * scan of a machine of 10 000 processes takes a quarter of a second at
 * 10 Hz): the series starts at the start, the first interval over the
 * slots its time covers, each with the part that falls in it. */
static void a_late_first_sample_spans_the_slots_before_it(void **state)
{
	struct swt_engine *e;
	const struct swt_result *res;
	const struct swt_usage_series *u;
	int i;
	size_t k;

	(void)state;
	swt_engine_new(&e, NULL);
	feed_header(e);
	feed_start(e, T0, 10, "app");
	feed_one(e, T0 + 24 * S / 10, 10, 240, 1024 * 100);
	for (i = 1; i <= 5; i++)
		feed_one(e, T0 + 24 * S / 10 + i * S, 10, 240 + 100 * i,
			 1024 * 100);
	assert_ok(swt_engine_finish(e, &res));
	u = &res->usage;
	assert_int_equal(res->usage_width_ns, S);
	assert_int_equal(u->buckets[0].t_from_ns, 0);
	assert_int_equal(u->buckets[0].cpu_intervals, 1);
	assert_int_equal(u->buckets[0].cpu_avg_mpct, 100000);
	assert_int_equal(u->buckets[1].cpu_avg_mpct, 100000);
	assert_int_equal(u->buckets[2].cpu_avg_mpct, 100000);
	assert_int_equal(res->session.cpu_avg_mpct, 100000);
	/* one bucket a slot, from the start, each at 100 %: the first
	 * interval gives the first two 1 s each and the third its last
	 * 0.4 s, which also holds the next interval (2.4, 3.4] (placed by
	 * its middle, as the later ones: seven slots in all) */
	assert_int_equal(u->n_buckets, 7);
	for (k = 0; k < u->n_buckets; k++) {
		assert_int_equal(u->buckets[k].t_from_ns, (int64_t)k * S);
		assert_int_equal(u->buckets[k].cpu_intervals, k == 2 ? 2 : 1);
		assert_int_equal(u->buckets[k].cpu_avg_mpct, 100000);
	}
	assert_int_equal(cpu_ns_of(u), INT64_C(7000000000));
	swt_engine_free(e);
}

/* Same records, same series, whatever the bucket count asked (the
 * buckets of a smaller count are merges of those of a larger one). */
static void engine_series_are_deterministic(void **state)
{
	struct swt_engine *a = run_session(16, 300, 77, 0);
	struct swt_engine *b = run_session(16, 300, 77, 0);
	struct swt_engine *c = run_session(64, 300, 77, 0);
	const struct swt_result *ra, *rb, *rc;
	size_t k;

	(void)state;
	assert_ok(swt_engine_finish(a, &ra));
	assert_ok(swt_engine_finish(b, &rb));
	assert_ok(swt_engine_finish(c, &rc));
	assert_int_equal(ra->n_usage_buckets, rb->n_usage_buckets);
	assert_memory_equal(ra->usage.buckets, rb->usage.buckets,
			    ra->n_usage_buckets * sizeof(*ra->usage.buckets));
	assert_int_equal(rc->usage_width_ns * 4, ra->usage_width_ns);
	for (k = 0; k < ra->n_usage_buckets; k++) {
		const struct swt_usage_bucket *x = &ra->usage.buckets[k];
		int64_t mx = 0;
		size_t j;

		for (j = 4 * k; j < 4 * k + 4 && j < rc->n_usage_buckets; j++)
			if (rc->usage.buckets[j].cpu_max_mpct > mx)
				mx = rc->usage.buckets[j].cpu_max_mpct;
		assert_int_equal(x->cpu_max_mpct, mx);
	}
	swt_engine_free(a);
	swt_engine_free(b);
	swt_engine_free(c);
}

/* ---- sparklines ------------------------------------------------------------- */

static size_t utf8_len(const char *s, size_t n)
{
	size_t i, cp = 0;

	for (i = 0; i < n; i++)
		cp += ((unsigned char)s[i] & 0xc0) != 0x80;
	return cp;
}

/* The line of label `what` under the subject line starting `subj`. */
static const char *chart_line(const char *text, const char *subj,
			      const char *what, size_t *len)
{
	const char *p = strstr(text, subj), *e;
	char pat[32];

	assert_non_null(p);
	snprintf(pat, sizeof(pat), "\n    %s  ", what);
	p = strstr(p, pat);
	assert_non_null(p);
	p += strlen(pat);
	e = strchr(p, '\n');
	*len = (size_t)(e - p);
	return p;
}

/* 60 columns of blocks, the spike the one full block; --ascii: pure
 * ASCII, the same shape. */
static void sparklines_are_60_columns_and_ascii_is_ascii(void **state)
{
	struct swt_engine *e = run_session(0, 1000, 437, 0);
	const struct swt_result *res;
	struct swt_report_input in;
	struct swt_buf t = SWT_BUF_INIT, a = SWT_BUF_INIT;
	const char *l;
	size_t len, i, full = 0, cols = 0;

	(void)state;
	assert_ok(swt_engine_finish(e, &res));
	memset(&in, 0, sizeof(in));
	in.result = res;
	swt_report_write(&t, &in, SWT_REPORT_FULL, SWT_FORMAT_TEXT);
	l = chart_line(t.ptr, "\n  session (session)", "cpu", &len);
	/* 60 columns, two spaces, the range and the unit */
	assert_true(len > 60 * 3);
	assert_int_equal(utf8_len(l, 60 * 3), 60);
	for (i = 0; i < 60 * 3; i += 3) {
		assert_int_equal((unsigned char)l[i], 0xe2);
		assert_int_equal((unsigned char)l[i + 1], 0x96);
		assert_true(l[i + 2] >= (char)0x81 && l[i + 2] <= (char)0x88);
		full += (unsigned char)l[i + 2] == 0x88;
		cols++;
	}
	assert_int_equal(cols, 60);
	assert_int_equal(full, 1);
	assert_memory_equal(l + 180, "  10.0\xe2\x80\x93" "50.0 %", 15);
	in.ascii = true;
	swt_report_write(&a, &in, SWT_REPORT_FULL, SWT_FORMAT_MARKDOWN);
	for (i = 0; i < a.len; i++)
		if ((unsigned char)a.ptr[i] >= 0x80)
			fail_msg("a byte over 0x7f at %zu with --ascii", i);
	l = chart_line(a.ptr, "\n  session (session)", "cpu", &len);
	assert_memory_equal(l + 60, "  10.0-50.0 %", 13);
	for (i = 0, full = 0; i < 60; i++) {
		assert_non_null(strchr(".:-=+*#@", l[i]));
		full += l[i] == '@';
	}
	assert_int_equal(full, 1);
	swt_buf_fini(&t);
	swt_buf_fini(&a);
	swt_engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(doubling_equals_direct_bucketing),
		cmocka_unit_test(a_single_interval_spike_survives_every_merge),
		cmocka_unit_test(bucket_count_is_bounded),
		cmocka_unit_test(engine_series_of_a_session),
		cmocka_unit_test(engine_series_of_a_window),
		cmocka_unit_test(engine_series_end_at_the_last_sample),
		cmocka_unit_test(an_interval_of_missed_samples_spans_its_slots),
		cmocka_unit_test(
			a_late_first_sample_spans_the_slots_before_it),
		cmocka_unit_test(engine_series_are_deterministic),
		cmocka_unit_test(sparklines_are_60_columns_and_ascii_is_ascii),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
