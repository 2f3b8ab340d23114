/* test_stats.c — the integer statistics behind leaks and trends. */
#include "swt_test.h"

#include "swt_buf.h"
#include "swt_stats.h"

static int cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The median by selection equals the median of the sorted values, for
 * odd and even counts, duplicates and extreme values. */
static void median_matches_sorting(void **state)
{
	int64_t v[300], w[300], ref;
	uint64_t x = 42;
	size_t n, i;

	(void)state;
	for (n = 1; n <= 300; n += (n < 20 ? 1 : 37)) {
		for (i = 0; i < n; i++) {
			x = x * 6364136223846793005u + 1442695040888963407u;
			v[i] = (int64_t)(x >> 40) % 7 - 3;	/* many ties */
			if (n > 50)
				v[i] = (int64_t)(x >> 11) - (INT64_C(1) << 52);
		}
		memcpy(w, v, n * sizeof(*v));
		qsort(w, n, sizeof(*w), cmp);
		ref = n % 2 ? w[n / 2] :
			      w[n / 2 - 1] / 2 + w[n / 2] / 2 +
				      swt_div_round(w[n / 2 - 1] % 2 +
							    w[n / 2] % 2,
						    2);
		assert_int_equal(swt_median(v, n), ref);
	}
	v[0] = INT64_MAX;
	v[1] = INT64_MAX - 2;
	assert_int_equal(swt_median(v, 2), INT64_MAX - 1);
}

static void integer_helpers(void **state)
{
	(void)state;
	assert_int_equal(swt_isqrt(0), 0);
	assert_int_equal(swt_isqrt(15), 3);
	assert_int_equal(swt_isqrt(16), 4);
	assert_int_equal(swt_isqrt(UINT64_MAX), 4294967295u);
	/* 128-bit path and rounding half away from zero */
	assert_int_equal(swt_muldiv(INT64_C(4000000000000), 3000000000,
				    INT64_C(6000000000000)),
			 2000000000);
	assert_int_equal(swt_muldiv(5, 1, 2), 3);
	assert_int_equal(swt_muldiv(-5, 1, 2), -3);
	assert_int_equal(swt_muldiv_ceil(10, 1, 3), 4);
	/* a * b / (c * d) with c * d past int64 (100 ticks x 2^62 ns) */
	assert_int_equal(swt_muldiv2(INT64_C(1) << 62, 300, 100,
				     INT64_C(1) << 62), 3);
	assert_int_equal(swt_muldiv2(INT64_MAX, INT64_MAX, 1, 1), INT64_MAX);
	assert_int_equal(swt_muldiv2(INT64_MIN, INT64_MAX, 1, 1), INT64_MIN);
	assert_int_equal(swt_muldiv2(7, 1, 2, 1), 4);
	assert_int_equal(swt_muldiv2(-7, 1, 1, 2), -4);
	assert_int_equal(swt_normal_cdf_ppm(0), 500000);
	assert_int_equal(swt_normal_cdf_ppm(2326), 989971); /* true: 989992 */
	assert_int_equal(swt_normal_cdf_ppm(-1000), 1000000 - 841345);
	for (int64_t z = -5000; z < 5000; z += 7)
		assert_true(swt_normal_cdf_ppm(z) <= swt_normal_cdf_ppm(z + 7));
}

/* swt_muldiv2's 64-bit path rounds as the 128-bit one: compared with a
 * 128-bit reference over values around the int64 limits and signs. */
static int64_t ref_muldiv2(int64_t a, int64_t b, int64_t c, int64_t d)
{
	/* rounded half away from zero, written another way: the magnitude
	 * of the quotient of magnitudes plus a half, floored, then signed
	 * and clamped */
	swt_i128 n = (swt_i128)a * b, den = (swt_i128)c * d;
	int neg = n < 0;
	swt_u128 mag = (swt_u128)(neg ? -n : n);
	swt_u128 q = (2 * mag + (swt_u128)den) /
			      (2 * (swt_u128)den);
	swt_i128 v = neg ? -(swt_i128)q : (swt_i128)q;

	return v > INT64_MAX ? INT64_MAX : v < INT64_MIN ? INT64_MIN :
						    (int64_t)v;
}

static void muldiv2_paths_agree(void **state)
{
	static const int64_t v[] = {
		0, 1, 2, 3, 7, 99, 100, 101, 1000000, 100000000,
		1000000000, INT64_C(3037000499), INT64_C(3037000500),
		INT64_C(1) << 32, (INT64_C(1) << 62) - 1, INT64_C(1) << 62,
		INT64_MAX / 3, INT64_MAX - 1, INT64_MAX,
	};
	size_t n = sizeof(v) / sizeof(v[0]), i, j, k, l;
	int sa, sb;

	(void)state;
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			for (k = 1; k < n; k++)
				for (l = 1; l < n; l++)
					for (sa = 0; sa < 2; sa++)
						for (sb = 0; sb < 2; sb++) {
							int64_t a = sa ? -v[i] : v[i];
							int64_t b = sb ? -v[j] : v[j];

							assert_int_equal(
								swt_muldiv2(a, b, v[k], v[l]),
								ref_muldiv2(a, b, v[k], v[l]));
						}
	/* INT64_MIN itself, on either side */
	assert_int_equal(swt_muldiv2(INT64_MIN, 1, 1, 1), INT64_MIN);
	assert_int_equal(swt_muldiv2(INT64_MIN, 1, 2, 1), INT64_MIN / 2);
	assert_int_equal(swt_muldiv2(INT64_MIN, 3, 7, 11),
			 ref_muldiv2(INT64_MIN, 3, 7, 11));
	assert_int_equal(swt_muldiv2(1, INT64_MIN, 3, 1),
			 ref_muldiv2(1, INT64_MIN, 3, 1));
}

/* A linear series stays exactly linear through any number of bucket
 * merges: the slope is exact. */
static void series_merges_keep_lines_exact(void **state)
{
	static int64_t scratch[SWT_SERIES_SCRATCH];
	struct swt_series s;
	struct swt_trend tr;
	int64_t k;

	(void)state;
	swt_series_init(&s);
	for (k = 0; k < 100000; k++)	/* 3 units per 2 s: 90 per min */
		swt_series_add(&s, k * INT64_C(2000000000), 1000 + 3 * k);
	assert_true(s.n <= SWT_SERIES_POINTS);
	assert_int_equal(s.count, 100000);
	swt_series_trend(&s, scratch, &tr);
	assert_int_equal(tr.slope_milli, 90000);
	assert_int_equal(tr.last_quarter_slope_milli, 90000);
	assert_true(tr.quarters_rising);
	assert_true(tr.z_milli > 2326);
	assert_int_equal(tr.s, (int64_t)(s.n * (s.n - 1) / 2));
}

/* A month at 1 s: the buckets hold 2^16 values each, whose times sum past
 * int64 (they saturated once, from 2.8 days at 100 ms on, and the trend of
 * a long session was wrong). The line stays exact. */
static void month_long_series_keeps_its_line(void **state)
{
	static int64_t scratch[SWT_SERIES_SCRATCH];
	struct swt_series s;
	struct swt_trend tr;
	int64_t k, n = 30 * 24 * 3600;

	(void)state;
	swt_series_init(&s);
	for (k = 0; k < n; k++)	/* 2 MB per minute, in bytes */
		swt_series_add(&s, INT64_C(5000000000) + k * INT64_C(1000000000),
			       INT64_C(100000000) + k * 2000000 / 60);
	assert_true(s.width >= 65536);
	swt_series_trend(&s, scratch, &tr);
	assert_int_equal(tr.slope_milli, INT64_C(2000000) * 1000);
	assert_true(tr.quarters_rising);
	assert_int_equal(tr.s, (int64_t)(s.n * (s.n - 1) / 2));
}

/* The pair slopes kept between tests (swt_series_trend_kept(),
 * swt_series_fit_kept()) give the results computed afresh: while a noisy
 * series grows by one value at a time through its buckets' merges, tested
 * after every value at first and then every few, and when the kept slopes
 * are handed a different series (its first buckets equal, then not). */
static void kept_slopes_change_nothing(void **state)
{
	static int64_t scratch[SWT_SERIES_SCRATCH];
	struct swt_series s, u;
	struct swt_slopes *kept = NULL;
	struct swt_trend a, b;
	struct swt_fit fa, fb;
	uint64_t x = 12345;
	int64_t k, v = 1000000;
	int tests = 0;

	(void)state;
	swt_series_init(&s);
	for (k = 0; k < 20000; k++) {
		bool ra, rb;

		x = x * 6364136223846793005u + 1442695040888963407u;
		/* a rising walk with ties and jumps */
		v += (int64_t)(x >> 58) - 20 + (k % 700 == 0 ? 50000 : 0);
		swt_series_add(&s, k * INT64_C(1000000000), v);
		if (k > 300 && k % 37 != 0)
			continue;
		swt_series_trend(&s, scratch, &a);
		swt_series_trend_kept(&s, &kept, scratch, &b);
		assert_memory_equal(&a, &b, sizeof(a));
		ra = swt_series_fit(&s, a.slope_milli, a.var_s18, scratch,
				    &fa);
		rb = swt_series_fit_kept(&s, &kept, a.slope_milli, a.var_s18,
					 scratch, &fb);
		assert_int_equal(ra, rb);
		if (ra)
			assert_memory_equal(&fa, &fb, sizeof(fa));
		tests++;
	}
	assert_true(s.width > 64);	/* (merged several times) */
	/* another series: its first half equal to s's buckets, then other
	 * values (the kept pairs of the equal buckets stay, the rest are
	 * computed), then a series of its own */
	u = s;
	for (k = (int64_t)u.n / 2; k < (int64_t)u.n; k++)
		u.pt[k].sum_v += k * 7919;
	swt_series_trend(&u, scratch, &a);
	swt_series_trend_kept(&u, &kept, scratch, &b);
	assert_memory_equal(&a, &b, sizeof(a));
	swt_series_init(&u);
	for (k = 0; k < 90; k++)
		swt_series_add(&u, k * INT64_C(500000000), 5 * k - k % 3);
	swt_series_trend(&u, scratch, &a);
	swt_series_trend_kept(&u, &kept, scratch, &b);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(a.slope_milli, 600000);
	swt_slopes_free(kept);
	assert_true(tests > 800);
}

/* Ties: a flat series has S = 0 and z = 0. */
static void flat_series_has_no_trend(void **state)
{
	static int64_t scratch[SWT_SERIES_SCRATCH];
	struct swt_series s;
	struct swt_trend tr;
	int k;

	(void)state;
	swt_series_init(&s);
	for (k = 0; k < 500; k++)
		swt_series_add(&s, k * INT64_C(1000000000), 77);
	swt_series_trend(&s, scratch, &tr);
	assert_int_equal(tr.s, 0);
	assert_int_equal(tr.z_milli, 0);
	assert_int_equal(tr.slope_milli, 0);
	assert_false(tr.quarters_rising);
}

static void mann_whitney_distribution_is_exact(void **state)
{
	static const unsigned n3[] = { 1, 1, 2, 3, 3, 3, 3, 2, 1, 1 };
	static swt_u128 d[64 * 64 + 1];
	swt_u128 total = 0, binom = 1;
	unsigned k;

	(void)state;
	swt_mw_dist(3, 3, d);
	for (k = 0; k < 10; k++)
		assert_true(d[k] == n3[k]);
	swt_mw_dist(2, 5, d);
	/* U of sizes 2 and 5: 21 arrangements, 1 1 2 2 3 3 3 2 2 1 1 */
	assert_true(d[0] == 1 && d[4] == 3 && d[5] == 3 && d[10] == 1);
	swt_mw_dist(64, 64, d);
	for (k = 0; k <= 64 * 64; k++) {
		total += d[k];
		assert_true(d[k] == d[64 * 64 - k]);	/* symmetric */
	}
	for (k = 1; k <= 64; k++) {	/* C(128, 64), exactly */
		swt_u128 a = binom, b = k, t;

		while (b) {	/* g = gcd(binom, k); k / g divides 64 + k */
			t = a % b;
			a = b;
			b = t;
		}
		binom = binom / a * ((64 + k) / (k / a));
	}
	assert_true(total == binom);
}

static void shift_estimate_and_interval(void **state)
{
	static const int64_t x[] = { 10, 11, 12, 13, 14 };
	static const int64_t y[] = { 24, 20, 23, 21, 22 };
	static const int64_t z[] = { 12, 12, 12, 12, 12 };
	int64_t scratch[25];
	swt_u128 d[26];
	struct swt_shift s;

	(void)state;
	assert_int_equal(swt_mw_u2(x, 5, y, 5), 50);
	swt_mw_dist(5, 5, d);
	swt_shift_estimate(x, 5, y, 5, 50, scratch, d, &s);
	assert_int_equal(s.hl, 10);
	assert_int_equal(s.dmin, 6);
	assert_int_equal(s.dmax, 14);
	/* 2 / 252 */
	assert_int_equal(s.p_ppm, 7937);
	/* c = 3 (P(U <= 2) = 4 / 252 <= 2.5 % < P(U <= 3) = 7 / 252) */
	assert_true(s.has_ci);
	assert_int_equal(s.lo, 7);
	assert_int_equal(s.hi, 13);
	/* the other way round: the same, mirrored */
	swt_shift_estimate(y, 5, x, 5, 50, scratch, d, &s);
	assert_int_equal(s.hl, -10);
	assert_int_equal(s.lo, -13);
	assert_int_equal(s.hi, -7);
	assert_int_equal(s.p_ppm, 7937);
	/* all tied: no evidence at all */
	swt_shift_estimate(z, 5, z, 5, 50, scratch, d, &s);
	assert_int_equal(s.p_ppm, 1000000);
	assert_int_equal(s.hl, 0);
	assert_true(s.has_ci && s.lo == 0 && s.hi == 0);
	/* three runs a side cannot reach 5 % */
	swt_mw_dist(3, 3, d);
	swt_shift_estimate(x, 3, y, 3, 50, scratch, d, &s);
	assert_false(s.has_ci);
	assert_int_equal(s.p_ppm, 100000);	/* 2 / 20 */
	assert_int_equal(swt_mw_min_runs(50), 4);
	assert_int_equal(swt_mw_min_runs(10), 5);
	assert_int_equal(swt_mw_min_runs(100), 3);	/* 2 / 20 */
	assert_int_equal(swt_mw_min_runs(500), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(median_matches_sorting),
		cmocka_unit_test(integer_helpers),
		cmocka_unit_test(muldiv2_paths_agree),
		cmocka_unit_test(series_merges_keep_lines_exact),
		cmocka_unit_test(month_long_series_keeps_its_line),
		cmocka_unit_test(kept_slopes_change_nothing),
		cmocka_unit_test(flat_series_has_no_trend),
		cmocka_unit_test(mann_whitney_distribution_is_exact),
		cmocka_unit_test(shift_estimate_and_interval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
