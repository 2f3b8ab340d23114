/* test_thresholds.c — big configs and --threshold lists load in
 * n log n, with the documented semantics (docs/analysis.md § 5). */
#include "swt_test.h"

#include <time.h>

#include "swt_buf.h"
#include "swt_thresholds.h"

#define N_RATES 100000
#define N_PATTERNS 50000
#define N_MODULES 2000
/* Generous: under ASan on a loaded 2-vCPU VM. A quadratic load of
 * 100 000 keys takes over a minute there. */
#define BOUND_NS (INT64_C(5) * 1000000000)

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Counter names in a scrambled order, so that neither sorted insertion
 * nor appending at the end is the easy case. */
static unsigned scramble(unsigned i, unsigned n)
{
	return (unsigned)(((uint64_t)i * 7919u) % n);
}

/* 100 000 rate.NAME lines, then heavy_patterns with 50 000 globs. */
static void big_config(struct swt_buf *b)
{
	unsigned i;

	swt_buf_puts(b, "# generated\nmemory_mb = 64\n");
	for (i = 0; i < N_RATES; i++)
		swt_buf_printf(b, "rate.c%06u = %u.5\n", scramble(i, N_RATES),
			       i % 1000 + 1);
	swt_buf_puts(b, "heavy_patterns = ");
	for (i = 0; i < N_PATTERNS; i++)
		swt_buf_printf(b, "%s*m%05u_*x", i ? "," : "", i);
	swt_buf_puts(b, "\n");
}

static void config_of_100000_keys_loads_fast(void **state)
{
	struct swt_buf b = SWT_BUF_INIT;
	struct swt_thresholds th;
	char msg[256], name[64];
	const char *pat = NULL;
	int64_t t0, dt;
	unsigned i, hits = 0;
	size_t k;

	(void)state;
	big_config(&b);
	swt_thresholds_init(&th);
	t0 = now_ns();
	assert_ok(swt_thresholds_load(&th, b.ptr, b.len, "big.conf", msg,
				      sizeof(msg)));
	dt = now_ns() - t0;
	print_message("# loaded %u rate keys and %u patterns in %lld ms\n",
		      N_RATES, N_PATTERNS, (long long)(dt / 1000000));
	assert_true(dt < BOUND_NS);
	/* the two defaults and every key, sorted, values as written */
	assert_int_equal(th.n_rates, N_RATES + 2);
	for (k = 1; k < th.n_rates; k++)
		assert_true(strcmp(th.rates[k - 1].counter,
				   th.rates[k].counter) < 0);
	for (i = 0; i < N_RATES; i += 997) {
		snprintf(name, sizeof(name), "c%06u", scramble(i, N_RATES));
		assert_int_equal(swt_thresholds_rate(&th, name),
				 (int64_t)(i % 1000 + 1) * 1000 + 500);
	}
	assert_int_equal(swt_thresholds_rate(&th, "ocr_call"), 10000);
	assert_int_equal(th.v[SWT_TH_MEMORY_MB], 64000);
	assert_int_equal(th.n_heavy, N_PATTERNS);
	assert_string_equal(th.heavy[0], "*m00000_*x");
	assert_string_equal(th.heavy[N_PATTERNS - 1], "*m49999_*x");

	/* Matching every module against 50 000 patterns: bounded too. */
	t0 = now_ns();
	for (i = 0; i < N_MODULES; i++) {
		snprintf(name, sizeof(name), "lib/M%05u_mod.x",
			 (i * 31) % (2 * N_PATTERNS));
		if (swt_thresholds_heavy_match(&th, name, &pat)) {
			hits++;
			/* "*m01234_*x" for "lib/M01234_mod.x" */
			assert_memory_equal(pat + 2, name + 5, 6);
		}
	}
	dt = now_ns() - t0;
	print_message("# matched %u names against %u patterns in %lld ms\n",
		      N_MODULES, N_PATTERNS, (long long)(dt / 1000000));
	assert_true(dt < BOUND_NS);
	assert_true(hits > 0 && hits < N_MODULES);
	swt_thresholds_fini(&th);
	swt_buf_fini(&b);
}

/* A duplicate far down a big file is still found, and named. */
static void duplicate_in_a_big_config_is_named(void **state)
{
	struct swt_buf b = SWT_BUF_INIT;
	struct swt_thresholds th;
	char msg[256];
	unsigned i;
	int64_t t0;

	(void)state;
	for (i = 0; i < N_RATES; i++)
		swt_buf_printf(&b, "rate.c%06u = 1\n", scramble(i, N_RATES));
	/* line N_RATES + 1 repeats line 2's key (scramble(1) = 7919) */
	swt_buf_printf(&b, "rate.c%06u = 2\n", scramble(1, N_RATES));
	swt_thresholds_init(&th);
	t0 = now_ns();
	assert_status(SWT_EINVAL, swt_thresholds_load(&th, b.ptr, b.len,
						      "d.conf", msg,
						      sizeof(msg)));
	assert_true(now_ns() - t0 < BOUND_NS);
	assert_string_equal(msg, "d.conf:100001: 'rate.c007919' already set "
				 "on line 2");
	/* nothing applied */
	assert_int_equal(th.n_rates, 2);
	swt_thresholds_fini(&th);
	swt_buf_fini(&b);
}

/* rate.NAME and a scalar key of the same NAME are different keys; an
 * alias and its rate.NAME are the same. */
static void rate_keys_do_not_clash_with_scalar_keys(void **state)
{
	static const char ok[] = "memory_mb = 10\nrate.memory_mb = 20\n"
				 "heavy_patterns = a\nrate.heavy_patterns = 3\n";
	static const char dup[] = "rate.event_listener = 1\n"
				  "event_listener_per_minute = 2\n";
	struct swt_thresholds th;
	char msg[256];

	(void)state;
	swt_thresholds_init(&th);
	assert_ok(swt_thresholds_load(&th, ok, sizeof(ok) - 1, "a.conf", msg,
				      sizeof(msg)));
	assert_int_equal(th.v[SWT_TH_MEMORY_MB], 10000);
	assert_int_equal(swt_thresholds_rate(&th, "memory_mb"), 20000);
	assert_int_equal(swt_thresholds_rate(&th, "heavy_patterns"), 3000);
	assert_status(SWT_EINVAL, swt_thresholds_load(&th, dup,
						      sizeof(dup) - 1,
						      "b.conf", msg,
						      sizeof(msg)));
	assert_string_equal(msg, "b.conf:2: 'event_listener_per_minute' "
				 "already set on line 1");
	swt_thresholds_fini(&th);
}

/* --threshold given 100 000 times: later ones win, loads fast, and a bad
 * one stops it with nothing applied. */
static void many_assignments_apply_in_order(void **state)
{
	const char **kv = calloc(N_RATES + 2, sizeof(*kv));
	char **owned = calloc(N_RATES, sizeof(*owned));
	struct swt_thresholds th;
	char msg[256];
	unsigned i;
	int64_t t0, dt;

	(void)state;
	assert_non_null(kv);
	assert_non_null(owned);
	for (i = 0; i < N_RATES; i++) {
		owned[i] = malloc(32);
		assert_non_null(owned[i]);
		snprintf(owned[i], 32, "rate.c%06u=%u",
			 scramble(i, N_RATES / 2), i + 1);
		kv[i] = owned[i];
	}
	kv[N_RATES] = "ocr_per_minute=7";
	kv[N_RATES + 1] = "rate.ocr_call=8";
	swt_thresholds_init(&th);
	t0 = now_ns();
	assert_ok(swt_thresholds_set_assignments(&th, kv, N_RATES + 2,
						 SWT_TH_OPTION, msg,
						 sizeof(msg)));
	dt = now_ns() - t0;
	print_message("# applied %u --threshold in %lld ms\n", N_RATES + 2,
		      (long long)(dt / 1000000));
	assert_true(dt < BOUND_NS);
	/* each name given twice (i and i + N_RATES / 2): the later wins */
	assert_int_equal(th.n_rates, N_RATES / 2 + 2);
	assert_int_equal(swt_thresholds_rate(&th, "c000000"),
			 (int64_t)(N_RATES / 2 + 1) * 1000);
	assert_int_equal(swt_thresholds_rate(&th, "ocr_call"), 8000);
	assert_int_equal(th.rates[0].source, SWT_TH_OPTION);

	kv[0] = "cpu_percent=1";
	kv[1] = "rate.x=-1";
	assert_status(SWT_EINVAL, swt_thresholds_set_assignments(
					  &th, kv, 2, SWT_TH_OPTION, msg,
					  sizeof(msg)));
	assert_contains(msg, "bad value for rate.x: '-1'");
	assert_int_equal(th.v[SWT_TH_CPU_PERCENT], 80000);
	assert_int_equal(swt_thresholds_rate(&th, "x"), -1);
	swt_thresholds_fini(&th);
	for (i = 0; i < N_RATES; i++)
		free(owned[i]);
	free(owned);
	free(kv);
}

/* No rate key at all: an empty batch (UBSan saw qsort(NULL, 0)). */
static void no_rate_keys(void **state)
{
	static const char conf[] = "memory_mb = 7\n";
	const char *kv[] = { "cpu_percent=3" };
	struct swt_thresholds th;
	char msg[256];

	(void)state;
	swt_thresholds_init(&th);
	assert_ok(swt_thresholds_load(&th, conf, sizeof(conf) - 1, "a.conf",
				      msg, sizeof(msg)));
	assert_ok(swt_thresholds_load(&th, "", 0, "e.conf", msg,
				      sizeof(msg)));
	assert_ok(swt_thresholds_set_assignments(&th, kv, 1, SWT_TH_OPTION,
						 msg, sizeof(msg)));
	assert_ok(swt_thresholds_set_assignments(&th, NULL, 0, SWT_TH_OPTION,
						 msg, sizeof(msg)));
	assert_int_equal(th.v[SWT_TH_MEMORY_MB], 7000);
	assert_int_equal(th.v[SWT_TH_CPU_PERCENT], 3000);
	assert_int_equal(th.n_rates, 2);
	swt_thresholds_fini(&th);
}

/* The prefilter must never hide a match: case, '?', '*' at either end. */
static void heavy_prefilter_keeps_every_match(void **state)
{
	static const struct {
		const char *pats;
		const char *name;
		const char *first;	/* NULL: no match */
	} cases[] = {
		{ "*OCR*", "run_ocr", "*OCR*" },
		{ "a?c", "abc", "a?c" },
		{ "a?c", "ac", NULL },
		{ "abc,ab*", "ab", "ab*" },
		{ "*z*,*b*", "ABC", "*b*" },
		{ "x*", "x", "x*" },
		{ "?*?", "x", NULL },
		{ "?*?", "xy", "?*?" },
		{ "*", "", "*" },
		{ "*@*", "a\x80" "b", NULL },	/* 0x40 and 0x80 share a bit */
	};
	struct swt_thresholds th;
	const char *pat;
	char msg[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		swt_thresholds_init(&th);
		assert_ok(swt_thresholds_set(&th, "heavy_patterns",
					     cases[i].pats, SWT_TH_OPTION, msg,
					     sizeof(msg)));
		pat = NULL;
		if (swt_thresholds_heavy_match(&th, cases[i].name, &pat) !=
		    (cases[i].first != NULL)) {
			print_error("case %zu: %s vs %s\n", i, cases[i].pats,
				    cases[i].name);
			fail();
		}
		if (cases[i].first)
			assert_string_equal(pat, cases[i].first);
		swt_thresholds_fini(&th);
	}
}

/* group_by and group_patterns: values, errors that change nothing, a
 * later value replacing the earlier rules, copies, first match wins. */
static void grouping_keys(void **state)
{
	static const char conf[] = "group_by = cmdline\n"
				   "group_patterns = a:x*, b:*y z*\n";
	struct swt_thresholds th, cp;
	char msg[256];

	(void)state;
	swt_thresholds_init(&th);
	assert_int_equal(th.group_by, SWT_GROUP_EXE);
	assert_int_equal(th.n_groups, 0);
	assert_null(swt_thresholds_group_match(&th, "x"));
	assert_ok(swt_thresholds_load(&th, conf, strlen(conf), "g.conf", msg,
				      sizeof(msg)));
	assert_int_equal(th.group_by, SWT_GROUP_CMDLINE);
	assert_int_equal(th.group_by_src, SWT_TH_CONFIG);
	assert_int_equal(th.n_groups, 2);
	assert_string_equal(th.groups[1].name, "b");
	assert_string_equal(th.groups[1].pattern, "*y z*");
	assert_string_equal(swt_thresholds_group_match(&th, "xy z"), "a");
	assert_string_equal(swt_thresholds_group_match(&th, "y z"), "b");
	assert_null(swt_thresholds_group_match(&th, "Y Z"));	/* case */
	assert_status(SWT_EINVAL, swt_thresholds_set(&th, "group_by", "pid",
						     SWT_TH_OPTION, msg,
						     sizeof(msg)));
	assert_string_equal(msg, "bad value for group_by: 'pid' (expected "
				 "exe, comm or cmdline)");
	assert_int_equal(th.group_by, SWT_GROUP_CMDLINE);
	assert_status(SWT_EINVAL,
		      swt_thresholds_set(&th, "group_patterns", "c:*,d*",
					 SWT_TH_OPTION, msg, sizeof(msg)));
	assert_string_equal(msg, "bad value for group_patterns: 'd*' "
				 "(expected NAME:GLOB, comma-separated, or "
				 "nothing)");
	assert_status(SWT_EINVAL,
		      swt_thresholds_set(&th, "group_patterns", "a b:*",
					 SWT_TH_OPTION, msg, sizeof(msg)));
	assert_status(SWT_EINVAL,
		      swt_thresholds_set(&th, "group_patterns", "a:",
					 SWT_TH_OPTION, msg, sizeof(msg)));
	assert_status(SWT_EINVAL,
		      swt_thresholds_set(&th, "group_patterns", ":*",
					 SWT_TH_OPTION, msg, sizeof(msg)));
	assert_int_equal(th.n_groups, 2);	/* unchanged */
	swt_thresholds_copy(&cp, &th);
	assert_ok(swt_thresholds_set(&th, "group_patterns", "c:*",
				     SWT_TH_OPTION, msg, sizeof(msg)));
	assert_int_equal(th.n_groups, 1);
	assert_string_equal(swt_thresholds_group_match(&th, "xy z"), "c");
	assert_string_equal(swt_thresholds_group_match(&cp, "xy z"), "a");
	assert_ok(swt_thresholds_set(&th, "group_patterns", "", SWT_TH_OPTION,
				     msg, sizeof(msg)));
	assert_int_equal(th.n_groups, 0);
	swt_thresholds_fini(&cp);
	swt_thresholds_fini(&th);
}

static void format_reads_back_the_same(void **state)
{
	struct swt_thresholds a, b;
	struct swt_buf t1 = SWT_BUF_INIT, t2 = SWT_BUF_INIT;
	char msg[256];

	(void)state;
	swt_thresholds_init(&a);
	assert_int_equal(swt_thresholds_set(&a, "memory_mb", "123.25",
					    SWT_TH_OPTION, msg, sizeof(msg)),
			 0);
	assert_int_equal(swt_thresholds_set(&a, "rate.frames", "7.5",
					    SWT_TH_OPTION, msg, sizeof(msg)),
			 0);
	assert_int_equal(swt_thresholds_set(&a, "group_patterns",
					    "bot:*bot.py*,w:*worker*",
					    SWT_TH_OPTION, msg, sizeof(msg)),
			 0);
	assert_int_equal(swt_thresholds_set(&a, "heavy_patterns", "",
					    SWT_TH_OPTION, msg, sizeof(msg)),
			 0);
	swt_thresholds_format(&a, &t1);
	swt_thresholds_init(&b);
	assert_int_equal(swt_thresholds_load(&b, t1.ptr, t1.len, "t", msg,
					     sizeof(msg)),
			 0);
	swt_thresholds_format(&b, &t2);
	assert_string_equal(t1.ptr, t2.ptr);
	assert_int_equal(b.v[SWT_TH_MEMORY_MB], 123250);
	assert_int_equal(swt_thresholds_rate(&b, "frames"), 7500);
	assert_int_equal(b.n_groups, 2);
	assert_int_equal(b.n_heavy, 0);
	swt_buf_fini(&t1);
	swt_buf_fini(&t2);
	swt_thresholds_fini(&a);
	swt_thresholds_fini(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(format_reads_back_the_same),
		cmocka_unit_test(config_of_100000_keys_loads_fast),
		cmocka_unit_test(duplicate_in_a_big_config_is_named),
		cmocka_unit_test(rate_keys_do_not_clash_with_scalar_keys),
		cmocka_unit_test(many_assignments_apply_in_order),
		cmocka_unit_test(no_rate_keys),
		cmocka_unit_test(heavy_prefilter_keeps_every_match),
		cmocka_unit_test(grouping_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
