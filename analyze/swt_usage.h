/* swt_usage.h — a subject's CPU and memory over time, in at most a fixed
 * number of buckets however long the session (docs/analysis.md § 14).
 *
 * Time is cut into slots of one sampling interval, counted from the
 * session start; a bucket holds `width` consecutive slots, width a power
 * of 2. The grid starts at the first slot placed (`base`) with width 1;
 * when a slot falls past the last of `cap` buckets, adjacent pairs merge
 * (min of the mins, max of the maxes, sums add) and the width doubles, as
 * often as needed. Bucket k always holds exactly the slots
 * [base + k x width, base + (k + 1) x width): the same buckets as if the
 * final width had been known from the start, so the result depends on the
 * values alone and a single interval's spike survives every merge in its
 * bucket's max. Integers only; sums saturate (values are >= 0, so the
 * order of the additions does not matter).
 *
 * The grid is shared by every series of an engine (swt_usage_grid_place()
 * says how many times each series must be folded first). */
#ifndef SWT_USAGE_H
#define SWT_USAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Default and bounds of the bucket count (swt_engine_opts.usage_buckets). */
#define SWT_USAGE_BUCKETS_DEFAULT 240
#define SWT_USAGE_BUCKETS_MIN 2
#define SWT_USAGE_BUCKETS_MAX 65536

/* One bucket while it is fed. CPU per interval in thousandths of a percent
 * of one core (mpct) with the ticks and time behind it (the mean is over
 * the time, as a module's average is); memory per sample in KiB. */
struct swt_usage_acc {
	int64_t cpu_min, cpu_max;	/* mpct of one interval */
	int64_t cpu_ticks;		/* micro-ticks, saturating */
	int64_t cpu_ns;			/* the intervals' time, saturating */
	int64_t mem_min, mem_max;	/* KiB of one sample */
	int64_t mem_sum;		/* KiB, saturating */
	uint32_t cpu_n, mem_n;		/* intervals, samples (saturating) */
};

struct swt_usage_grid {
	size_t cap;		/* buckets, >= SWT_USAGE_BUCKETS_MIN */
	int64_t width;		/* slots per bucket, a power of 2 */
	unsigned shift;		/* log2(width) */
	bool have_base;
	int64_t base;		/* the first slot placed */
	int64_t last;		/* the last slot placed */
};

/* An empty grid of cap buckets (0: the default; clamped to the bounds). */
void swt_usage_grid_init(struct swt_usage_grid *g, size_t cap);

/* Place a slot (>= 0; one before the last placed counts as the last): how
 * many times every series on the grid must be folded
 * (swt_usage_fold()) before its bucket, swt_usage_grid_index(), can be
 * fed. */
unsigned swt_usage_grid_place(struct swt_usage_grid *g, int64_t slot);

/* The bucket of a slot placed before (clamped to the grid). */
static inline size_t swt_usage_grid_index(const struct swt_usage_grid *g,
					  int64_t slot)
{
	uint64_t k;

	if (!g->have_base || slot <= g->base)
		return 0;
	k = (uint64_t)(slot - g->base) >> g->shift;
	return k >= (uint64_t)g->cap ? g->cap - 1 : (size_t)k;
}

/* Buckets in use: 0 before the first slot, else up to the last slot's. */
size_t swt_usage_grid_count(const struct swt_usage_grid *g);

/* Merge adjacent pairs of the cap buckets of b, `times` times: bucket i
 * goes into bucket i / 2, the freed ones are emptied. */
void swt_usage_fold(struct swt_usage_acc *b, size_t cap, unsigned times);

/* dst takes the values of src (same slots). */
void swt_usage_merge(struct swt_usage_acc *dst,
		     const struct swt_usage_acc *src);

/* One interval's CPU: mpct, and the ticks and time it is made of
 * (negative values count as 0). Inline: once per subject and sample. */
static inline void swt_usage_add_cpu(struct swt_usage_acc *b, int64_t mpct,
				     int64_t ticks_micro, int64_t ns)
{
	int64_t r;

	if (mpct < 0)
		mpct = 0;
	if (!b->cpu_n || mpct < b->cpu_min)
		b->cpu_min = mpct;
	if (!b->cpu_n || mpct > b->cpu_max)
		b->cpu_max = mpct;
	if (ticks_micro > 0)
		b->cpu_ticks = __builtin_add_overflow(b->cpu_ticks, ticks_micro,
						      &r) ? INT64_MAX : r;
	if (ns > 0)
		b->cpu_ns = __builtin_add_overflow(b->cpu_ns, ns, &r) ?
				    INT64_MAX : r;
	if (b->cpu_n < UINT32_MAX)
		b->cpu_n++;
}

/* One sample's memory, KiB (negative: 0). */
static inline void swt_usage_add_mem(struct swt_usage_acc *b, int64_t kib)
{
	int64_t r;

	if (kib < 0)
		kib = 0;
	if (!b->mem_n || kib < b->mem_min)
		b->mem_min = kib;
	if (!b->mem_n || kib > b->mem_max)
		b->mem_max = kib;
	b->mem_sum = __builtin_add_overflow(b->mem_sum, kib, &r) ? INT64_MAX :
								      r;
	if (b->mem_n < UINT32_MAX)
		b->mem_n++;
}

#endif
