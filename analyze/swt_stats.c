/* swt_stats.c — integer statistics: see swt_stats.h and docs/analysis.md. */
#include "swt_stats.h"

#include <stdlib.h>
#include <string.h>

#include "swt_alloc.h"
#include "swt_buf.h"

/* 128-bit intermediates keep a * b exact; GCC and clang have them on every
 * 64-bit target we build for. */
typedef swt_i128 i128;

#define NS_PER_MIN INT64_C(60000000000)

static int64_t div_round128(i128 n, i128 d)
{
	i128 q, r;

	/* both within 64 bits, the divisor positive (a series' slopes,
	 * mostly): one 64-bit division, rounded the same way, which cannot
	 * pass the int64 range then */
	if (d > 0 && d <= INT64_MAX && n >= INT64_MIN && n <= INT64_MAX)
		return swt_div_round((int64_t)n, (int64_t)d);
	q = n / d;
	r = n % d;

	if (r < 0)
		r = -r;
	if (r >= d - r)
		q += n < 0 ? -1 : 1;
	if (q > INT64_MAX)
		return INT64_MAX;
	if (q < INT64_MIN)
		return INT64_MIN;
	return (int64_t)q;
}

int64_t swt_muldiv(int64_t a, int64_t b, int64_t c)
{
	int64_t p;

	/* the common case fits in 64 bits: no 128-bit division */
	if (!__builtin_mul_overflow(a, b, &p))
		return swt_div_round(p, c);
	return div_round128((i128)a * b, c);
}

int64_t swt_muldiv2(int64_t a, int64_t b, int64_t c, int64_t d)
{
	int64_t p, q;

	/* the common case fits in 64 bits: no 128-bit division (the
	 * engine's per-sample rates, 2 % of an analysis otherwise); the
	 * same rounding, and a quotient of 64-bit values cannot saturate */
	if (!__builtin_mul_overflow(a, b, &p) &&
	    !__builtin_mul_overflow(c, d, &q) && q > 0)
		return swt_div_round(p, q);
	/* |a * b| < 2^126 and 0 < c * d < 2^126: both exact in 128 bits */
	return div_round128((i128)a * b, (i128)c * d);
}

int64_t swt_muldiv_ceil(int64_t a, int64_t b, int64_t c)
{
	i128 q = ((i128)a * b + c - 1) / c;

	return q > INT64_MAX ? INT64_MAX : (int64_t)q;
}

uint64_t swt_isqrt(uint64_t v)
{
	uint64_t r = 0, bit = UINT64_C(1) << 62;

	while (bit > v)
		bit >>= 2;
	while (bit) {
		if (v >= r + bit) {
			v -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	return r;
}

/* Phi(k * 0.05) in ppm for k = 0..80, rounded to the nearest ppm. */
static const int32_t phi_table[81] = {
	500000, 519939, 539828, 559618, 579260, 598706, 617911, 636831,
	655422, 673645, 691462, 708840, 725747, 742154, 758036, 773373,
	788145, 802337, 815940, 828944, 841345, 853141, 864334, 874928,
	884930, 894350, 903200, 911492, 919243, 926471, 933193, 939429,
	945201, 950529, 955435, 959941, 964070, 967843, 971283, 974412,
	977250, 979818, 982136, 984222, 986097, 987776, 989276, 990613,
	991802, 992857, 993790, 994614, 995339, 995975, 996533, 997020,
	997445, 997814, 998134, 998411, 998650, 998856, 999032, 999184,
	999313, 999423, 999517, 999596, 999663, 999720, 999767, 999807,
	999841, 999869, 999892, 999912, 999928, 999941, 999952, 999961,
	999968,
};

int64_t swt_normal_cdf_ppm(int64_t z_milli)
{
	int64_t a = z_milli < 0 ? -z_milli : z_milli, k, rem, p;

	if (a >= 4000) {
		p = 1000000 - (1000000 - phi_table[80]) * 4000 / a;
	} else {
		k = a / 50;
		rem = a % 50;
		p = phi_table[k] +
		    swt_div_round((phi_table[k + 1] - phi_table[k]) * rem, 50);
	}
	return z_milli < 0 ? 1000000 - p : p;
}

void swt_series_init(struct swt_series *s)
{
	memset(s, 0, sizeof(*s));
	s->width = 1;
}

void swt_series_add(struct swt_series *s, int64_t t_ns, int64_t v)
{
	struct swt_series_point *p;
	size_t i;

	if (s->count == 0)
		s->origin_ns = t_ns;
	if (s->n == 0 || s->pt[s->n - 1].n >= s->width) {
		if (s->n == SWT_SERIES_POINTS) {
			/* every bucket is full here: merging neighbours keeps
			 * them all full, with twice the width */
			for (i = 0; i < SWT_SERIES_POINTS / 2; i++) {
				s->pt[i].sum_t = s->pt[2 * i].sum_t +
						 s->pt[2 * i + 1].sum_t;
				s->pt[i].sum_v = swt_sat_add(
					s->pt[2 * i].sum_v,
					s->pt[2 * i + 1].sum_v);
				s->pt[i].n = s->pt[2 * i].n + s->pt[2 * i + 1].n;
			}
			s->n = SWT_SERIES_POINTS / 2;
			s->width *= 2;
		}
		memset(&s->pt[s->n], 0, sizeof(s->pt[0]));
		s->n++;
	}
	p = &s->pt[s->n - 1];
	/* Times in 128 bits: fewer than 2^64 values of at most 2^63 each
	 * cannot overflow. Values saturate (they come from a file; a
	 * saturated bucket gives a wrong trend, never undefined behaviour). */
	s->last_t = swt_sat_sub(t_ns, s->origin_ns);
	p->sum_t += s->last_t;
	p->sum_v = swt_sat_add(p->sum_v, v);
	p->n++;
	s->count++;
}

static void swap64(int64_t *a, int64_t *b)
{
	int64_t t = *a;

	*a = *b;
	*b = t;
}

/* The k-th smallest of v[0..n) (v is reordered): quickselect with a
 * median-of-three pivot, linear on average; the result is the same value
 * whatever the order of the input. */
static int64_t select_kth(int64_t *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;

	while (hi > lo) {
		size_t mid = lo + (hi - lo) / 2, i, j;
		int64_t pivot;

		if (v[mid] < v[lo])
			swap64(&v[mid], &v[lo]);
		if (v[hi] < v[lo])
			swap64(&v[hi], &v[lo]);
		if (v[hi] < v[mid])
			swap64(&v[hi], &v[mid]);
		pivot = v[mid];
		i = lo;
		j = hi;
		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				swap64(&v[i], &v[j]);
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return v[k];
	}
	return v[k];
}

int64_t swt_median(int64_t *v, size_t n)
{
	int64_t a, b;
	size_t i;

	if (n % 2)
		return select_kth(v, n, n / 2);
	b = select_kth(v, n, n / 2);
	/* the lower middle is the largest of what is left below it */
	a = v[0];
	for (i = 1; i < n / 2; i++)
		if (v[i] > a)
			a = v[i];
	/* the sum of two int64 may overflow: halve first */
	return a / 2 + b / 2 + swt_div_round(a % 2 + b % 2, 2);
}

/* Sign of mean(b) - mean(a) of two buckets, compared exactly. */
static int cmp_mean(const struct swt_series_point *a,
		    const struct swt_series_point *b)
{
	i128 x = (i128)b->sum_v * a->n, y = (i128)a->sum_v * b->n;

	return (x > y) - (x < y);
}

/* Slope between the mean points of two buckets, value units per minute
 * x1000. *ok is false if their mean times coincide. */
static int64_t pair_slope(const struct swt_series_point *a,
			  const struct swt_series_point *b, bool *ok)
{
	i128 num = (i128)b->sum_v * a->n - (i128)a->sum_v * b->n;
	i128 den, tb, ta, scaled;

	/* b's mean time minus a's, times both counts: exact, so the mean
	 * points of a linear series stay on its line. The products pass 128
	 * bits only for absurd counts and times (from a file): such a pair
	 * is left out. */
	*ok = !__builtin_mul_overflow(b->sum_t, (i128)a->n, &tb) &&
	      !__builtin_mul_overflow(a->sum_t, (i128)b->n, &ta) &&
	      !__builtin_sub_overflow(tb, ta, &den) && den > 0;
	if (!*ok)
		return 0;
	/* |num| < 2^127 / n: times a minute in ns can pass 128 bits when
	 * the values are absurd; the slope then saturates */
	if (__builtin_mul_overflow(num, (i128)(NS_PER_MIN * 1000), &scaled))
		return num > 0 ? INT64_MAX : INT64_MIN;
	return div_round128(scaled, den);
}

struct swt_slopes {
	size_t n;	/* buckets kept: the pairs among [0, n) */
	struct swt_series_point pt[SWT_SERIES_POINTS];
	/* pair (i, j), i < j, at j (j - 1) / 2 + i: the pairs among the
	 * first n buckets are the first n (n - 1) / 2 */
	int64_t sl[SWT_SERIES_SCRATCH];
	bool ok[SWT_SERIES_SCRATCH];
};

void swt_slopes_free(struct swt_slopes *kept)
{
	free(kept);
}

static bool point_eq(const struct swt_series_point *a,
		     const struct swt_series_point *b)
{
	return a->sum_t == b->sum_t && a->sum_v == b->sum_v && a->n == b->n;
}

/* The slopes kept in *kp brought to s's buckets: the pairs among the
 * first buckets that equal those kept stay, every other pair is computed
 * (made on first use). */
static const struct swt_slopes *slopes_of(const struct swt_series *s,
					  struct swt_slopes **kp)
{
	struct swt_slopes *k = *kp;
	size_t same = 0, i, j;

	if (!k)
		k = *kp = swt_zalloc(sizeof(*k));
	while (same < k->n && same < s->n &&
	       point_eq(&k->pt[same], &s->pt[same]))
		same++;
	for (j = same; j < s->n; j++) {
		size_t base = j * (j - 1) / 2;

		k->pt[j] = s->pt[j];
		for (i = 0; i < j; i++)
			k->sl[base + i] = pair_slope(&s->pt[i], &s->pt[j],
						     &k->ok[base + i]);
	}
	k->n = s->n;
	return k;
}

/* The slopes of the pairs among buckets [from, to) (to <= k->n) into
 * scratch: their count. */
static size_t slopes_among(const struct swt_slopes *k, size_t from,
			   size_t to, int64_t *scratch)
{
	size_t i, j, m = 0;

	for (j = from + 1; j < to; j++) {
		size_t base = j * (j - 1) / 2;

		for (i = from; i < j; i++)
			if (k->ok[base + i])
				scratch[m++] = k->sl[base + i];
	}
	return m;
}

/* The slopes of the pairs among pt[from, to) into scratch, from k when
 * there are kept slopes: their count. */
static size_t pair_slopes(const struct swt_series_point *pt, size_t from,
			  size_t to, const struct swt_slopes *k,
			  int64_t *scratch)
{
	size_t i, j, m = 0;
	bool ok;

	if (k)
		return slopes_among(k, from, to, scratch);
	for (i = from; i < to; i++) {
		for (j = i + 1; j < to; j++) {
			int64_t sl = pair_slope(&pt[i], &pt[j], &ok);

			if (ok)
				scratch[m++] = sl;
		}
	}
	return m;
}

/* Theil-Sen: median of the pairwise slopes of points [from, to). */
static int64_t theil_sen(const struct swt_series_point *pt, size_t from,
			 size_t to, const struct swt_slopes *k,
			 int64_t *scratch)
{
	size_t m = pair_slopes(pt, from, to, k, scratch);

	return m ? swt_median(scratch, m) : 0;
}

static int64_t mean_milli(const struct swt_series_point *pt, size_t from,
			  size_t to)
{
	int64_t sv = 0, n = 0;
	size_t i;

	for (i = from; i < to; i++) {
		sv = swt_sat_add(sv, pt[i].sum_v);
		n += pt[i].n;
	}
	return n ? swt_muldiv(sv, 1000, n) : 0;
}

/* Sum over groups of tied bucket means of t(t-1)(2t+5). */
static int64_t tie_term(const struct swt_series_point *pt, size_t n)
{
	size_t idx[SWT_SERIES_POINTS], i, j, run;
	int64_t sum = 0, t;

	/* insertion sort of the bucket indices by mean (n <= 64) */
	for (i = 0; i < n; i++) {
		for (j = i; j > 0 && cmp_mean(&pt[idx[j - 1]], &pt[i]) < 0;
		     j--)
			idx[j] = idx[j - 1];
		idx[j] = i;
	}
	for (i = 0; i < n; i = j) {
		for (j = i + 1;
		     j < n && cmp_mean(&pt[idx[i]], &pt[idx[j]]) == 0; j++)
			;
		run = j - i;
		if (run > 1) {
			t = (int64_t)run;
			sum += t * (t - 1) * (2 * t + 5);
		}
	}
	return sum;
}

int64_t swt_series_mk_z(const struct swt_series *s)
{
	const struct swt_series_point *pt = s->pt;
	size_t n = s->n, i, j;
	int64_t nn = (int64_t)n, ss = 0, var18, z;

	if (n < 2)
		return 0;
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			ss += cmp_mean(&pt[i], &pt[j]);
	var18 = nn * (nn - 1) * (2 * nn + 5) - tie_term(pt, n);
	if (ss == 0 || var18 <= 0)
		return 0;
	ss = ss > 0 ? ss - 1 : ss + 1;
	z = (int64_t)swt_isqrt((uint64_t)(ss * ss) * 18u * 1000000u /
			       (uint64_t)var18);
	return ss < 0 ? -z : z;
}

void swt_series_trend(const struct swt_series *s, int64_t *scratch,
		      struct swt_trend *out)
{
	swt_series_trend_kept(s, NULL, scratch, out);
}

void swt_series_trend_kept(const struct swt_series *s,
			   struct swt_slopes **kept, int64_t *scratch,
			   struct swt_trend *out)
{
	const struct swt_series_point *pt = s->pt;
	const struct swt_slopes *k = NULL;
	size_t n = s->n, i, j, b[5];
	int64_t nn = (int64_t)n, ss;

	memset(out, 0, sizeof(*out));
	out->points = n;
	if (n == 0)
		return;
	out->first_milli = mean_milli(pt, 0, 1);
	out->last_milli = mean_milli(pt, n - 1, n);
	if (n < 2)
		return;
	if (kept)
		k = slopes_of(s, kept);
	out->slope_milli = theil_sen(pt, 0, n, k, scratch);
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			out->s += cmp_mean(&pt[i], &pt[j]);
	out->var_s18 = nn * (nn - 1) * (2 * nn + 5) - tie_term(pt, n);
	if (out->s != 0 && out->var_s18 > 0) {
		ss = out->s > 0 ? out->s - 1 : out->s + 1;
		out->z_milli = (int64_t)swt_isqrt(
			(uint64_t)(ss * ss) * 18u * 1000000u /
			(uint64_t)out->var_s18);
		if (ss < 0)
			out->z_milli = -out->z_milli;
	}
	if (n < 8)
		return;
	for (i = 0; i <= 4; i++)
		b[i] = i * n / 4;
	out->quarters_rising = true;
	for (i = 0; i < 4; i++) {
		out->quarter_mean_milli[i] = mean_milli(pt, b[i], b[i + 1]);
		if (i > 0 && out->quarter_mean_milli[i] <=
				     out->quarter_mean_milli[i - 1])
			out->quarters_rising = false;
	}
	out->last_quarter_slope_milli = theil_sen(pt, b[3], n, k, scratch);
}

bool swt_series_quarters_rising(const struct swt_series *s)
{
	int64_t prev = 0, q;
	size_t i;

	if (s->n < 8)
		return false;
	for (i = 0; i < 4; i++) {
		q = mean_milli(s->pt, i * s->n / 4, (i + 1) * s->n / 4);
		if (i > 0 && q <= prev)
			return false;
		prev = q;
	}
	return true;
}

bool swt_series_fit(const struct swt_series *s, int64_t slope_milli,
		    int64_t var_s18, int64_t *scratch, struct swt_fit *out)
{
	return swt_series_fit_kept(s, NULL, slope_milli, var_s18, scratch,
				   out);
}

bool swt_series_fit_kept(const struct swt_series *s,
			 struct swt_slopes **kept, int64_t slope_milli,
			 int64_t var_s18, int64_t *scratch,
			 struct swt_fit *out)
{
	const struct swt_series_point *pt = s->pt;
	size_t n = s->n, i, m, lo, hi;
	int64_t c;
	uint64_t q;

	memset(out, 0, sizeof(*out));
	if (n < 2)
		return false;
	/* the level: each bucket's mean point moved to the last time along
	 * the slope, y + b (T - t) = (1000 sum_v 60e9 + b (T n - sum_t)) /
	 * (n 60e9), in thousandths; the median of them */
	for (i = 0; i < n; i++) {
		i128 tn, dt, num, a;

		if (pt[i].n <= 0 ||
		    __builtin_mul_overflow((i128)s->last_t, (i128)pt[i].n,
					   &tn) ||
		    __builtin_sub_overflow(tn, pt[i].sum_t, &dt) ||
		    __builtin_mul_overflow(dt, (i128)slope_milli, &num) ||
		    __builtin_mul_overflow((i128)pt[i].sum_v,
					   (i128)(NS_PER_MIN * 1000), &a) ||
		    __builtin_add_overflow(num, a, &num))
			return false;
		scratch[i] = div_round128(num, (i128)pt[i].n * NS_PER_MIN);
	}
	out->level_milli = swt_median(scratch, n);
	/* the pair slopes again, for their ranks */
	m = pair_slopes(pt, 0, n, kept ? slopes_of(s, kept) : NULL, scratch);
	if (m == 0)
		return false;
	/* C = ceil(1.96 sqrt(var_s18 / 18)): C^2 >= 3.8416 var_s18 / 18 */
	q = var_s18 > 0 ? (uint64_t)swt_muldiv_ceil(var_s18, 38416, 180000) :
			  0;
	c = (int64_t)swt_isqrt(q);
	if ((uint64_t)c * (uint64_t)c < q)
		c++;
	/* 1-based ranks (N - C) / 2 and (N + C) / 2 + 1, within 1..N */
	lo = (int64_t)m > c ? (m - (size_t)c) / 2 : 0;
	hi = (m + (size_t)c + 1) / 2 + 1;
	if (lo < 1)
		lo = 1;
	if (hi > m)
		hi = m;
	out->slope_low_milli = select_kth(scratch, m, lo - 1);
	out->slope_high_milli = select_kth(scratch, m, hi - 1);
	return true;
}

/* ---- two samples ------------------------------------------------------------ */

int64_t swt_mw_u2(const int64_t *x, size_t n, const int64_t *y, size_t m)
{
	int64_t u2 = 0;
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < m; j++)
			u2 += y[j] > x[i] ? 2 : y[j] == x[i];
	return u2;
}

void swt_mw_dist(unsigned n, unsigned m, swt_u128 *cnt)
{
	/* [m+i, i]_q = [m+i-1, i-1]_q / (1 - q^i) * (1 - q^(m+i)), the
	 * division as a series cut at the result's degree (the product's
	 * coefficient d needs the series' up to d only): every step ends
	 * with non-negative counts, the series' are partial sums of them */
	__extension__ typedef __int128 s128;
	s128 *c = (s128 *)cnt;
	size_t deg = 0, d, i, k;

	for (k = 0; k <= (size_t)n * m; k++)
		c[k] = 0;
	c[0] = 1;
	for (i = 1; i <= n; i++) {
		size_t up = m + i;

		for (d = i; d <= deg + m; d++)
			c[d] += c[d - i];
		deg += m;
		for (d = deg; d >= up; d--)
			c[d] -= c[d - up];
	}
}

/* a / b of two 128-bit counts in parts per million, rounded. */
static int64_t ratio_ppm(swt_u128 a, swt_u128 b)
{
	while (b >> 90) {
		a >>= 1;
		b >>= 1;
	}
	if (!b)
		return 0;
	return (int64_t)((a * 1000000u + b / 2) / b);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

void swt_shift_estimate(const int64_t *x, size_t n, const int64_t *y,
			size_t m, int64_t alpha_milli, int64_t *scratch,
			const swt_u128 *dist, struct swt_shift *out)
{
	size_t nm = n * m, i, j, k = 0, c;
	swt_u128 total = 0, cum, lower = 0, upper = 0;
	int64_t u2 = swt_mw_u2(x, n, y, m), p;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < n; i++)
		for (j = 0; j < m; j++)
			scratch[k++] = swt_sat_sub(y[j], x[i]);
	qsort(scratch, nm, sizeof(*scratch), cmp_i64);
	out->dmin = scratch[0];
	out->dmax = scratch[nm - 1];
	out->hl = nm % 2 ? scratch[nm / 2] :
			   scratch[nm / 2 - 1] / 2 + scratch[nm / 2] / 2 +
				   swt_div_round(scratch[nm / 2 - 1] % 2 +
							 scratch[nm / 2] % 2,
						 2);
	for (k = 0; k <= nm; k++) {
		total += dist[k];
		/* P(U <= floor(u2/2)) and P(U >= ceil(u2/2)) */
		if ((int64_t)(2 * k) <= u2)
			lower += dist[k];
		if ((int64_t)(2 * k) >= u2)
			upper += dist[k];
	}
	p = ratio_ppm(2 * (lower < upper ? lower : upper), total);
	out->p_ppm = p > 1000000 ? 1000000 : p;
	/* the largest c >= 1 with 2 P(U <= c - 1) <= alpha */
	cum = 0;
	for (c = 1; c <= nm / 2; c++) {
		cum += dist[c - 1];
		if (ratio_ppm(2 * cum, total) > alpha_milli * 1000)
			break;
	}
	c--;
	if (c >= 1) {
		out->has_ci = true;
		out->lo = scratch[c - 1];
		out->hi = scratch[nm - c];
	}
}

unsigned swt_mw_min_runs(int64_t alpha_milli)
{
	/* n = m = k: P(U = 0) = 1 / C(2k, k) */
	unsigned k;
	swt_u128 binom = 2;	/* C(2, 1) */

	for (k = 1; k < SWT_MW_MAX; k++) {
		if (ratio_ppm(2, binom) <= alpha_milli * 1000)
			return k;
		/* C(2k+2, k+1) = C(2k, k) (2k+1)(2k+2) / (k+1)^2 */
		binom = binom * (2 * k + 1) * (2 * k + 2) / ((k + 1) * (k + 1));
	}
	return SWT_MW_MAX;
}
