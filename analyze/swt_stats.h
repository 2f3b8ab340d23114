/* swt_stats.h — integer statistics for the analysis engine.
 *
 * Everything here is integer or fixed-point so that a decision or a printed
 * figure can never differ between -O0, -O2 and sanitizer builds. The
 * formulas (and why they are robust) are in docs/analysis.md.
 *
 * A struct swt_series keeps a bounded summary of a time series whatever its
 * length: at most SWT_SERIES_POINTS buckets, each the exact sums of the
 * times and values that fell into it. When the buckets are full, neighbours
 * are merged pairwise and the bucket width doubles, so memory is constant
 * and a linear series stays exactly linear (the mean point of a bucket lies
 * on the line). */
#ifndef SWT_STATS_H
#define SWT_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "swt_checked.h"

#define SWT_SERIES_POINTS 64

/* a * b / c rounded half away from zero, computed in 128 bits. c must be
 * > 0 and the result must fit in int64 (it saturates if it does not). */
int64_t swt_muldiv(int64_t a, int64_t b, int64_t c);

/* ceil(a * b / c) for a, b >= 0 and c > 0, in 128 bits (saturating). */
int64_t swt_muldiv_ceil(int64_t a, int64_t b, int64_t c);

/* a * b / (c * d) rounded half away from zero, in 128 bits: for a rate
 * whose denominator is itself a product of file values (clock ticks x
 * interval). c and d must be > 0; saturates like swt_muldiv. */
int64_t swt_muldiv2(int64_t a, int64_t b, int64_t c, int64_t d);

/* (swt_sat_add, swt_sat_sub and the checked variants are in
 * swt_checked.h, shared with the other folders.) */

/* floor(sqrt(v)). */
uint64_t swt_isqrt(uint64_t v);

/* Standard normal distribution function Phi(z) for z given in thousandths,
 * as parts per million (interpolated in a table of step 0.05; monotone,
 * within 25 ppm of the true value). */
int64_t swt_normal_cdf_ppm(int64_t z_milli);

/* sum_t is 128 bits: a bucket's n times its mean time passes int64 in
 * sessions of days (2.8 days at 100 ms, 21 h at 10 ms); up to 2^64 values
 * of int64 times fit. */
__extension__ typedef __int128 swt_i128;

struct swt_series_point {
	swt_i128 sum_t;		/* sum of times (ns, relative to the origin) */
	int64_t sum_v;		/* sum of values */
	int64_t n;		/* values in this bucket */
};

struct swt_series {
	int64_t origin_ns;	/* time of the first value */
	int64_t width;		/* values per full bucket (a power of 2) */
	uint64_t count;		/* values added in all */
	int64_t last_t;		/* time of the last value, from origin_ns */
	size_t n;		/* buckets in use */
	struct swt_series_point pt[SWT_SERIES_POINTS];
};

void swt_series_init(struct swt_series *s);
void swt_series_add(struct swt_series *s, int64_t t_ns, int64_t v);

/* Result of swt_series_trend(). Slopes are in value units per minute,
 * scaled by 1000. */
struct swt_trend {
	size_t points;		/* buckets used */
	int64_t slope_milli;	/* Theil-Sen slope over all points */
	int64_t s;		/* Mann-Kendall S */
	int64_t var_s18;	/* 18 x Var(S), ties corrected */
	int64_t z_milli;	/* (S - sgn S) / sqrt(Var S), in thousandths,
				 * truncated toward zero */
	int64_t quarter_mean_milli[4]; /* mean value of each quarter of the
				 * points (x1000), 0 if fewer than 8 points */
	bool quarters_rising;	/* each quarter mean > the one before */
	int64_t last_quarter_slope_milli; /* Theil-Sen slope of the last
				 * quarter of the points */
	int64_t first_milli;	/* mean of the first / last bucket (x1000) */
	int64_t last_milli;
};

/* Compute the trend statistics of s. `scratch` must hold at least
 * SWT_SERIES_POINTS * (SWT_SERIES_POINTS - 1) / 2 int64 values (no
 * allocation happens here). */
void swt_series_trend(const struct swt_series *s, int64_t *scratch,
		      struct swt_trend *out);

#define SWT_SERIES_SCRATCH (SWT_SERIES_POINTS * (SWT_SERIES_POINTS - 1) / 2)

/* The pair slopes of a series' buckets, kept from one trend to the next
 * by whoever tests the series again and again (the engine's leak and
 * trend tests): a bucket does not change once full until the buckets
 * merge, so only the pairs of the buckets that differ from those kept are
 * computed again (a 128-bit division each: most of a trend's cost). Kept
 * per series, made on first use (*kept NULL), freed with
 * swt_slopes_free(). The results are those without: the slopes of two
 * equal buckets are equal, and a median does not depend on the order. */
struct swt_slopes;

/* swt_series_trend() with the slopes kept in *kept. */
void swt_series_trend_kept(const struct swt_series *s,
			   struct swt_slopes **kept, int64_t *scratch,
			   struct swt_trend *out);

void swt_slopes_free(struct swt_slopes *kept);

/* Whether each quarter of the buckets has a higher mean than the one
 * before (at least 8 buckets): swt_series_trend()'s quarters_rising in
 * O(buckets), the cheap necessary condition of a leak. */
bool swt_series_quarters_rising(const struct swt_series *s);

/* swt_series_trend()'s z_milli alone: O(buckets^2) comparisons, no
 * division per pair (the leak test's second necessary condition). */
int64_t swt_series_mk_z(const struct swt_series *s);

/* The Theil-Sen line through s at its last value (docs/analysis.md § 8,
 * forecasts). */
struct swt_fit {
	int64_t level_milli;	/* the line's value at the last value's
				 * time: the median of every bucket's mean
				 * moved along the slope to that time (x1000) */
	int64_t slope_low_milli; /* the slope's 95 % interval: the pair */
	int64_t slope_high_milli; /* slopes of ranks (N - C) / 2 and
				 * (N + C) / 2 + 1, C = 1.96 sqrt(Var S) */
};

/* The fit of s for slope (swt_trend.slope_milli) and var_s18
 * (swt_trend.var_s18). false when s has fewer than 2 buckets or a
 * product passes 128 bits (absurd values). scratch as for
 * swt_series_trend(). */
bool swt_series_fit(const struct swt_series *s, int64_t slope_milli,
		    int64_t var_s18, int64_t *scratch, struct swt_fit *out);

/* swt_series_fit() with the slopes kept in *kept (kept NULL: none). */
bool swt_series_fit_kept(const struct swt_series *s,
			 struct swt_slopes **kept, int64_t slope_milli,
			 int64_t var_s18, int64_t *scratch,
			 struct swt_fit *out);

/* ---- two samples: the Mann-Whitney rank test (swanalyze diff) ------------ */

__extension__ typedef unsigned __int128 swt_u128;

/* Largest sample size per side of the exact distribution: C(128, 64) <
 * 2^125 fits every count in 128 bits. */
#define SWT_MW_MAX 64

/* Twice the Mann-Whitney U of y over x: the pairs (x_i, y_j) with
 * y_j > x_i count 2, ties 1. O(n m). */
int64_t swt_mw_u2(const int64_t *x, size_t n, const int64_t *y, size_t m);

/* The exact null distribution of U for sizes n and m (1..SWT_MW_MAX, no
 * ties): cnt[u] for u = 0..n*m arrangements of the C(n+m, n) (the
 * coefficients of the Gaussian binomial [n+m, n]_q). cnt holds n*m+1. */
void swt_mw_dist(unsigned n, unsigned m, swt_u128 *cnt);

/* The change from x to y as the rank test sees it. */
struct swt_shift {
	int64_t hl;		/* Hodges-Lehmann estimate: the median of
				 * every difference y_j - x_i */
	int64_t dmin, dmax;	/* the smallest and largest difference */
	bool has_ci;		/* n and m allow the level asked for */
	int64_t lo, hi;		/* the distribution-free confidence interval
				 * of the shift, [d(c), d(nm+1-c)] */
	int64_t p_ppm;		/* two-sided exact p-value of U (ties: the
				 * distribution without ties), parts per
				 * million */
};

/* Compare x (n) and y (m), 1 <= n, m <= SWT_MW_MAX, at the two-sided level
 * alpha_milli (thousandths). scratch holds n*m int64; dist is the
 * distribution of sizes n and m from swt_mw_dist() (computed once for
 * every comparison of those sizes: it costs O(n^2 m)). No allocation. */
void swt_shift_estimate(const int64_t *x, size_t n, const int64_t *y,
			size_t m, int64_t alpha_milli, int64_t *scratch,
			const swt_u128 *dist, struct swt_shift *out);

/* The smallest k (per side, k >= 1) whose exact distribution allows a
 * two-sided confidence interval at alpha_milli: 4 at 5 %. */
unsigned swt_mw_min_runs(int64_t alpha_milli);

/* Median of v[0..n) (n > 0); v is reordered. Even n: the two middle values
 * averaged with swt_div_round(). */
int64_t swt_median(int64_t *v, size_t n);

#endif
