/* swt_attrib.c — non-negative least squares over exact normal equations;
 * see swt_attrib.h and docs/analysis.md § Attribution. */
#include "swt_attrib.h"

#include <math.h>
#include <string.h>

#define K SWT_ATTRIB_MAX
/* iterations of the active-set method: it converges in a few times k
 * steps; the bound only guards against a cycle */
#define MAX_ITER (4 * K + 8)
#define LIM (INT64_C(1) << 44)

void swt_attrib_init(struct swt_attrib *a)
{
	memset(a, 0, sizeof(*a));
}

void swt_attrib_add(struct swt_attrib *a, const int64_t *x, size_t k,
		    int64_t y)
{
	size_t i, j;
	bool any = false;

	int64_t xc[K];

	if (k > K)
		k = K;
	/* bounded so that no sum can overflow 128 bits: 2^88 a product, at
	 * most 2^39 observations (a file has fewer) */
	for (i = 0; i < k; i++) {
		xc[i] = x[i] < 0 ? 0 : x[i] > LIM ? LIM : x[i];
		any |= xc[i] > 0;
	}
	x = xc;
	y = y < -LIM ? -LIM : y > LIM ? LIM : y;
	if (!any)
		return;
	if (k > a->k)
		a->k = k;
	for (i = 0; i < k; i++) {
		if (x[i] <= 0)
			continue;
		for (j = 0; j < k; j++)
			if (x[j] > 0)
				a->g[i][j] += (swt_i128)x[i] * x[j];
		a->c[i] += (swt_i128)x[i] * y;
		a->xsum[i] = x[i] > INT64_MAX - a->xsum[i] ? INT64_MAX :
							     a->xsum[i] + x[i];
	}
	a->yy += (swt_i128)y * y;
	a->ysum += y;
	a->n++;
}

/* The problem in normalised columns (unit diagonal), which makes the
 * tolerances below relative. */
struct prob {
	size_t k;
	double g[K][K];
	double c[K];
	double yy;
	double scale[K];	/* b = b' / scale */
	bool usable[K];		/* the column was ever non-zero */
};

/* Solve g[P,P] z = c[P] by Cholesky; false if g[P,P] is (nearly)
 * singular: a column of P is a combination of the others. */
static bool solve_passive(const struct prob *p, const bool *in, double *z)
{
	double l[K][K], v[K];
	size_t idx[K], m = 0, i, j, r;

	for (i = 0; i < p->k; i++)
		if (in[i])
			idx[m++] = i;
	for (i = 0; i < m; i++) {
		for (j = 0; j <= i; j++) {
			double s = p->g[idx[i]][idx[j]];

			for (r = 0; r < j; r++)
				s -= l[i][r] * l[j][r];
			if (i == j) {
				/* unit diagonal: a pivot this small means the
				 * column is within 1e-5 of the span of the
				 * others (sin of the angle) */
				if (s <= 1e-10)
					return false;
				l[i][i] = sqrt(s);
			} else {
				l[i][j] = s / l[j][j];
			}
		}
	}
	for (i = 0; i < m; i++) {
		double s = p->c[idx[i]];

		for (r = 0; r < i; r++)
			s -= l[i][r] * v[r];
		v[i] = s / l[i][i];
	}
	for (i = m; i-- > 0;) {
		double s = v[i];

		for (r = i + 1; r < m; r++)
			s -= l[r][i] * v[r];
		v[i] = s / l[i][i];
	}
	for (i = 0; i < p->k; i++)
		z[i] = 0;
	for (i = 0; i < m; i++)
		z[idx[i]] = v[i];
	return true;
}

/* Residual sum of squares of b: y'y - 2 b'c + b'Gb. */
static double rss_of(const struct prob *p, const double *b)
{
	double s = p->yy;
	size_t i, j;

	for (i = 0; i < p->k; i++) {
		if (b[i] == 0)
			continue;
		s -= 2 * b[i] * p->c[i];
		for (j = 0; j < p->k; j++)
			s += b[i] * p->g[i][j] * b[j];
	}
	return s > 0 ? s : 0;
}

/* Lawson-Hanson active set method on the normal equations, over the
 * columns `allow` permits. */
static void nnls(const struct prob *p, const bool *allow, double *b)
{
	bool in[K] = { false }, bad[K] = { false };
	double w[K], z[K], tol = 1e-12 * sqrt(p->yy > 0 ? p->yy : 1);
	size_t i, j, it, inner;

	for (i = 0; i < p->k; i++)
		b[i] = 0;
	for (it = 0; it < MAX_ITER; it++) {
		size_t best = K;

		for (i = 0; i < p->k; i++) {
			double s = p->c[i];

			for (j = 0; j < p->k; j++)
				s -= p->g[i][j] * b[j];
			w[i] = s;
		}
		/* the steepest column; on a near tie the later one, so that
		 * a module wins over the time outside spans (column 0) when
		 * the file cannot tell them apart */
		for (i = 0; i < p->k; i++)
			if (allow[i] && p->usable[i] && !in[i] && !bad[i] &&
			    w[i] > tol &&
			    (best == K || w[i] >= w[best] * (1 - 1e-9)))
				best = i;
		if (best == K)
			break;
		in[best] = true;
		for (inner = 0; inner < MAX_ITER; inner++) {
			double alpha = 2;
			bool all_pos = true;

			if (!solve_passive(p, in, z)) {
				/* a combination of the columns already in:
				 * it cannot improve the fit by itself */
				in[best] = false;
				bad[best] = true;
				break;
			}
			for (i = 0; i < p->k; i++)
				if (in[i] && z[i] <= 0)
					all_pos = false;
			if (all_pos) {
				for (i = 0; i < p->k; i++)
					b[i] = z[i];
				break;
			}
			for (i = 0; i < p->k; i++) {
				if (in[i] && z[i] <= 0) {
					double a = b[i] / (b[i] - z[i]);

					if (a < alpha)
						alpha = a;
				}
			}
			for (i = 0; i < p->k; i++) {
				b[i] += alpha * (z[i] - b[i]);
				if (in[i] && b[i] <= 1e-15) {
					in[i] = false;
					b[i] = 0;
				}
			}
		}
		/* a column found collinear may be fine once others left */
		if (!bad[best])
			for (i = 0; i < p->k; i++)
				bad[i] = false;
	}
	for (i = 0; i < p->k; i++)
		if (b[i] < 0)
			b[i] = 0;
}

int64_t swt_attrib_round(double v)
{
	if (!(v == v))
		return 0;
	if (v >= 9.2e18)
		return INT64_MAX;
	if (v <= -9.2e18)
		return INT64_MIN;
	return (int64_t)(v < 0 ? v - 0.5 : v + 0.5);
}

void swt_attrib_solve(const struct swt_attrib *a, double noise_var,
		      struct swt_attrib_fit *out)
{
	struct prob p;
	bool allow[K];
	double bn[K], bo[K], s2;
	size_t i, j, gi, ng, used = 0;
	int64_t min_ppm;

	memset(out, 0, sizeof(*out));
	out->k = a->k;
	out->n = a->n;
	if (a->n < 1 || a->k == 0)
		return;
	memset(&p, 0, sizeof(p));
	p.k = a->k;
	for (i = 0; i < p.k; i++) {
		double d = (double)a->g[i][i];

		p.usable[i] = d > 0;
		p.scale[i] = d > 0 ? sqrt(d) : 1;
	}
	for (i = 0; i < p.k; i++) {
		for (j = 0; j < p.k; j++)
			p.g[i][j] = (double)a->g[i][j] /
				    (p.scale[i] * p.scale[j]);
		p.c[i] = (double)a->c[i] / p.scale[i];
		allow[i] = true;
	}
	p.yy = (double)a->yy;
	nnls(&p, allow, bn);
	out->solved = true;
	out->rss = rss_of(&p, bn);
	for (i = 0; i < p.k; i++)
		used += bn[i] > 0;
	s2 = a->n > used ? out->rss / (double)(a->n - used) : 0;
	if (s2 < noise_var)
		s2 = noise_var;
	if (!(s2 > 0))
		s2 = 1e-300;
	for (i = 0; i < p.k; i++) {
		out->b[i] = bn[i] / p.scale[i];
		out->xsum[i] = a->xsum[i];
		out->amount[i] = swt_attrib_round(out->b[i] * (double)a->xsum[i]);
		out->amount_group[swt_attrib_group(i)] += out->amount[i];
	}
	/* every group is tested: at 0.001 for the family (Bonferroni), so
	 * that a process with many modules does not blame one by chance */
	ng = swt_attrib_group(p.k - 1) + 1;
	min_ppm = 1000000 - (1000000 - SWT_ATTRIB_MIN_PPM) / (int64_t)ng;
	out->min_confidence_ppm = min_ppm;
	for (gi = 0; gi < ng; gi++) {
		double f, stat, pv;
		size_t df = 0;
		bool pos = false;

		for (i = 0; i < p.k; i++) {
			if (swt_attrib_group(i) != gi)
				continue;
			pos |= bn[i] > 0;
			df++;
			allow[i] = false;
		}
		if (pos) {
			/* how much worse is the best fit without it? */
			nnls(&p, allow, bo);
			f = (rss_of(&p, bo) - out->rss) / s2;
			stat = f > 0 ? f : 0;
			/* p of a chi-square with df degrees of freedom (1
			 * or 2: the closed forms) */
			pv = df >= 2 ? exp(-stat / 2) : erfc(sqrt(stat / 2));
			out->confidence_ppm[gi] = swt_attrib_round((1 - pv) * 1e6);
		}
		for (i = 0; i < p.k; i++)
			allow[i] = true;
		out->decided[gi] = out->amount_group[gi] > 0 &&
				   out->confidence_ppm[gi] >= min_ppm;
	}
	/* an undecided group and every group that takes its place when it
	 * is left out share what it was given */
	for (gi = 0; gi < ng; gi++) {
		if (out->amount_group[gi] <= 0 || out->decided[gi])
			continue;
		out->shared[gi] = true;
		for (i = 0; i < p.k; i++)
			allow[i] = swt_attrib_group(i) != gi;
		nnls(&p, allow, bo);
		for (i = 0; i < p.k; i++) {
			size_t h = swt_attrib_group(i);

			if (bo[i] > 0 && !out->decided[h] &&
			    out->amount_group[h] <= 0)
				out->shared[h] = true;
		}
	}
	for (i = 0; i < p.k; i++)
		allow[i] = true;
}
