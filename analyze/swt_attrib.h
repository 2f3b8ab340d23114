/* swt_attrib.h — attribution of a resource to the modules that were open.
 *
 * A process's RSS (or a thread's CPU) is read at some times; between two
 * readings the engine knows for how long each module's spans were open.
 * The change y between readings is modelled as a sum of per-module rates
 * times those open times, plus a rate for the time no span was open:
 *
 *     y_i = b_0 x_i0 + b_1 x_i1 + ... + b_k x_ik + noise,   b >= 0
 *
 * Observations are accumulated exactly (128-bit sums of the normal
 * equations: memory is O(columns^2), not O(observations)) and solved at the
 * end by non-negative least squares. A column is "decided" when leaving it
 * out makes the fit significantly worse (an F test of one degree of
 * freedom, z = sqrt(F)): growth that happens only while database_manager
 * runs needs database_manager's column, whereas a module that runs the
 * whole time can be replaced by the others and so is not blamed. When two
 * modules are always open together, neither is decided: the report says
 * "shared" instead of guessing. docs/analysis.md § Attribution.
 *
 * The solve is done in IEEE double precision from the exact sums, in a
 * fixed order and without contraction (-ffp-contract=off), and its results
 * are rounded to integers before they are printed or compared: the same
 * observations give the same figures in -O0, -O2 and sanitizer builds. */
#ifndef SWT_ATTRIB_H
#define SWT_ATTRIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Columns of one regression: column 0 is the time outside every span,
 * then two per module, its open time and its spans ended, so that growth
 * per call is told from growth per second (a process with more modules
 * leaves the rest unattributed, and the report says so). */
#define SWT_ATTRIB_MAX 31

/* A group is decided at p <= 0.001 for the whole fit: each of its G
 * groups at p <= 0.001 / G (Bonferroni). */
#define SWT_ATTRIB_MIN_PPM 999000

__extension__ typedef __int128 swt_i128;

struct swt_attrib {
	size_t k;			/* columns in use, <= SWT_ATTRIB_MAX */
	uint64_t n;			/* observations */
	swt_i128 g[SWT_ATTRIB_MAX][SWT_ATTRIB_MAX]; /* sum x x' */
	swt_i128 c[SWT_ATTRIB_MAX];	/* sum x y */
	swt_i128 yy;			/* sum y^2 */
	swt_i128 ysum;			/* sum y */
	int64_t xsum[SWT_ATTRIB_MAX];	/* sum x (saturating) */
};

void swt_attrib_init(struct swt_attrib *a);

/* One observation: x[0..k) (non-negative, e.g. ns) and the change y.
 * Observations with an all-zero x are ignored. k may grow between calls
 * (new columns start at 0 in the earlier observations). */
void swt_attrib_add(struct swt_attrib *a, const int64_t *x, size_t k,
		    int64_t y);

struct swt_attrib_fit {
	size_t k;
	uint64_t n;
	bool solved;			/* false: no observation */
	double b[SWT_ATTRIB_MAX];	/* rates, y units per x unit, >= 0 */
	int64_t amount[SWT_ATTRIB_MAX];	/* b x sum x, rounded: what each
					 * column is credited with */
	/* per group of columns (see swt_attrib_solve) */
	int64_t amount_group[SWT_ATTRIB_MAX]; /* sum of its amounts */
	int64_t confidence_ppm[SWT_ATTRIB_MAX]; /* 1 - p of the F test of
					 * leaving the group out; 0 for a
					 * group credited with nothing */
	int64_t min_confidence_ppm;	/* what decides a group here */
	bool decided[SWT_ATTRIB_MAX];	/* a positive amount at confidence
					 * >= min_confidence_ppm */
	bool shared[SWT_ATTRIB_MAX];	/* not decided, but could take
					 * growth another group was given:
					 * "the file cannot tell" */
	int64_t xsum[SWT_ATTRIB_MAX];	/* sum x of each column */
	double rss;			/* residual sum of squares */
};

/* Solve. noise_var is the smallest variance of y the fit assumes (the
 * quantisation of the readings: e.g. page^2 / 6 for RSS in KiB), so that
 * a perfect fit does not make every column infinitely significant.
 * Column c belongs to group (c + 1) / 2: column 0 alone, then pairs; each
 * group with a positive amount is tested by refitting without it. */
void swt_attrib_solve(const struct swt_attrib *a, double noise_var,
		      struct swt_attrib_fit *out);

/* v rounded half away from zero to an int64, saturated at its range; 0
 * for NaN: how every figure of a fit becomes an integer. */
int64_t swt_attrib_round(double v);

/* Group of column c. */
static inline size_t swt_attrib_group(size_t c)
{
	return (c + 1) / 2;
}

#endif
