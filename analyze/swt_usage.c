/* swt_usage.c — bounded series over time (see swt_usage.h). */
#include "swt_usage.h"

#include <string.h>

#include "swt_checked.h"

void swt_usage_grid_init(struct swt_usage_grid *g, size_t cap)
{
	memset(g, 0, sizeof(*g));
	if (cap == 0)
		cap = SWT_USAGE_BUCKETS_DEFAULT;
	if (cap < SWT_USAGE_BUCKETS_MIN)
		cap = SWT_USAGE_BUCKETS_MIN;
	if (cap > SWT_USAGE_BUCKETS_MAX)
		cap = SWT_USAGE_BUCKETS_MAX;
	g->cap = cap;
	g->width = 1;
}

unsigned swt_usage_grid_place(struct swt_usage_grid *g, int64_t slot)
{
	unsigned folds = 0;

	if (slot < 0)
		slot = 0;
	if (!g->have_base) {
		g->have_base = true;
		g->base = slot;
		g->last = slot;
		return 0;
	}
	if (slot < g->last)
		slot = g->last;
	g->last = slot;
	/* (slot - base) / width < cap, without a product that could pass
	 * int64: width only grows to about (slot - base) / cap * 2) */
	while ((uint64_t)((slot - g->base) / g->width) >= (uint64_t)g->cap) {
		g->width *= 2;
		g->shift++;
		folds++;
	}
	return folds;
}

size_t swt_usage_grid_count(const struct swt_usage_grid *g)
{
	return g->have_base ? swt_usage_grid_index(g, g->last) + 1 : 0;
}

static uint32_t n_add(uint32_t a, uint32_t b)
{
	return a > UINT32_MAX - b ? UINT32_MAX : a + b;
}

void swt_usage_merge(struct swt_usage_acc *dst,
		     const struct swt_usage_acc *src)
{
	if (src->cpu_n) {
		if (!dst->cpu_n || src->cpu_min < dst->cpu_min)
			dst->cpu_min = src->cpu_min;
		if (!dst->cpu_n || src->cpu_max > dst->cpu_max)
			dst->cpu_max = src->cpu_max;
		dst->cpu_ticks = swt_sat_add(dst->cpu_ticks, src->cpu_ticks);
		dst->cpu_ns = swt_sat_add(dst->cpu_ns, src->cpu_ns);
		dst->cpu_n = n_add(dst->cpu_n, src->cpu_n);
	}
	if (src->mem_n) {
		if (!dst->mem_n || src->mem_min < dst->mem_min)
			dst->mem_min = src->mem_min;
		if (!dst->mem_n || src->mem_max > dst->mem_max)
			dst->mem_max = src->mem_max;
		dst->mem_sum = swt_sat_add(dst->mem_sum, src->mem_sum);
		dst->mem_n = n_add(dst->mem_n, src->mem_n);
	}
}

void swt_usage_fold(struct swt_usage_acc *b, size_t cap, unsigned times)
{
	size_t i;

	for (; times > 0; times--) {
		for (i = 0; i < cap; i++) {
			struct swt_usage_acc v = b[i];

			memset(&b[i], 0, sizeof(b[i]));
			swt_usage_merge(&b[i / 2], &v);
		}
	}
}
