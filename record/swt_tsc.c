/* swt_tsc.c — see swt_tsc.h. */
#include "swt_tsc.h"

#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#include "swt_status.h"

/* 128-bit products: a GCC/Clang extension, as the kernel's mul_u64_u32_shr
 * uses where it can. */
__extension__ typedef unsigned __int128 u128;

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

bool swt_tsc_supported(void)
{
#if defined(__x86_64__)
	return true;
#else
	return false;
#endif
}

uint64_t swt_tsc_now(void)
{
#if defined(__x86_64__)
	return __rdtsc();
#else
	return 0;
#endif
}

/* Is `word` one of the space-separated words of `line`? */
static bool has_word(const char *line, const char *word)
{
	size_t n = strlen(word);
	const char *p = line;

	while ((p = strstr(p, word)) != NULL) {
		bool start = p == line || p[-1] == ' ' || p[-1] == '\t';
		char end = p[n];

		if (start && (end == ' ' || end == '\n' || end == '\0' ||
			      end == '\t'))
			return true;
		p += n;
	}
	return false;
}

bool swt_tsc_invariant(const char *path)
{
	char line[8192];
	bool ok = false;
	FILE *f = fopen(path ? path : "/proc/cpuinfo", "re");

	if (!f)
		return false;
	/* The first CPU's flags: every CPU lists the same ones. */
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5) != 0)
			continue;
		ok = has_word(line, "constant_tsc") &&
		     has_word(line, "nonstop_tsc");
		break;
	}
	fclose(f);
	return ok;
}

void swt_tsc_read_point(struct swt_tsc_point *out, int tries)
{
	int i;

	out->width_ns = INT64_MAX;
	for (i = 0; i < (tries < 1 ? 1 : tries); i++) {
		int64_t m0 = mono_ns();
		uint64_t t = swt_tsc_now();
		int64_t m1 = mono_ns();

		if (m1 - m0 < out->width_ns) {
			out->width_ns = m1 - m0;
			out->tsc = t;
			out->mono_ns = m0 + (m1 - m0) / 2;
		}
	}
}

int swt_tsc_conv_init(struct swt_tsc_conv *out, const struct swt_tsc_point *a,
		      const struct swt_tsc_point *b)
{
	uint64_t dt;
	int64_t dns;
	u128 mult;

	if (b->tsc <= a->tsc || b->mono_ns <= a->mono_ns)
		return SWT_EINVAL;
	dt = b->tsc - a->tsc;
	dns = b->mono_ns - a->mono_ns;
	/* 10 MHz .. 100 GHz: ns per tick in [0.01, 100] */
	if ((u128)dns * 100 < dt ||
	    (u128)dt * 100 < (uint64_t)dns)
		return SWT_EINVAL;
	mult = ((u128)dns << SWT_TSC_SHIFT) / dt;
	if (mult == 0 || mult > UINT64_MAX)
		return SWT_EINVAL;
	out->tsc0 = b->tsc;
	out->mono0 = b->mono_ns;
	out->mult = (uint64_t)mult;
	out->shift = SWT_TSC_SHIFT;
	return 0;
}

int64_t swt_tsc_to_ns(const struct swt_tsc_conv *c, uint64_t tsc)
{
	bool after = tsc >= c->tsc0;
	uint64_t d = after ? tsc - c->tsc0 : c->tsc0 - tsc;
	u128 ns = ((u128)d * c->mult) >> c->shift;

	/* absurd values (a client's garbage) saturate; the ingest's time
	 * check rejects them */
	if (after)
		return ns > (u128)(INT64_MAX - c->mono0)
			       ? INT64_MAX
			       : c->mono0 + (int64_t)ns;
	return ns > (u128)c->mono0 - (u128)INT64_MIN
		       ? INT64_MIN
		       : c->mono0 - (int64_t)ns;
}

/* Read the TSC on every CPU of the calling thread's affinity mask and
 * compare with `c`: the largest |converted - CLOCK_MONOTONIC| beyond
 * each reading's own uncertainty. The mask is restored. */
static int64_t cpu_skew(const struct swt_tsc_conv *c, int *n_cpus)
{
	cpu_set_t orig, one;
	int64_t worst = 0;
	int cpu;

	*n_cpus = 0;
	if (sched_getaffinity(0, sizeof(orig), &orig) != 0)
		return 0;
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		struct swt_tsc_point p;
		int64_t err;

		if (!CPU_ISSET(cpu, &orig))
			continue;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		if (sched_setaffinity(0, sizeof(one), &one) != 0)
			continue;
		swt_tsc_read_point(&p, 8);
		err = swt_tsc_to_ns(c, p.tsc) - p.mono_ns;
		err = err < 0 ? -err : err;
		err -= p.width_ns / 2;
		if (err > worst)
			worst = err;
		(*n_cpus)++;
	}
	sched_setaffinity(0, sizeof(orig), &orig);
	return worst;
}

int swt_tsc_calibrate(struct swt_tsc_conv *conv, struct swt_tsc_info *info,
		      bool force)
{
	struct swt_tsc_point a, b, c;
	struct swt_tsc_conv cv;
	struct timespec gap = { 0, 10000000 };

	memset(info, 0, sizeof(*info));
	if (!swt_tsc_supported()) {
		snprintf(info->why, sizeof(info->why),
			 "no TSC in this build (x86-64 only)");
		return SWT_ENOTFOUND;
	}
	info->invariant = swt_tsc_invariant(NULL);
	if (!info->invariant && !force) {
		snprintf(info->why, sizeof(info->why),
			 "the CPU does not report an invariant TSC "
			 "(constant_tsc, nonstop_tsc)");
		return SWT_ENOTFOUND;
	}
	swt_tsc_read_point(&a, 16);
	nanosleep(&gap, NULL);
	swt_tsc_read_point(&b, 16);
	if (swt_tsc_conv_init(&cv, &a, &b) != 0) {
		snprintf(info->why, sizeof(info->why),
			 "no plausible TSC rate (%llu ticks in %lld ns)",
			 (unsigned long long)(b.tsc - a.tsc),
			 (long long)(b.mono_ns - a.mono_ns));
		return SWT_ENOTFOUND;
	}
	info->skew_ns = cpu_skew(&cv, &info->n_cpus);
	swt_tsc_read_point(&c, 16);
	if (swt_tsc_conv_init(&cv, &a, &c) != 0) {
		snprintf(info->why, sizeof(info->why),
			 "the TSC did not advance with CLOCK_MONOTONIC");
		return SWT_ENOTFOUND;
	}
	info->hz = (uint64_t)((u128)(c.tsc - a.tsc) *
			      1000000000u / (uint64_t)(c.mono_ns - a.mono_ns));
	if (info->skew_ns > SWT_TSC_MAX_SKEW_NS) {
		snprintf(info->why, sizeof(info->why),
			 "the TSC differs between CPUs by %lld ns (more than "
			 "%d)", (long long)info->skew_ns, SWT_TSC_MAX_SKEW_NS);
		return SWT_ENOTFOUND;
	}
	info->trusted = true;
	*conv = cv;
	return 0;
}
