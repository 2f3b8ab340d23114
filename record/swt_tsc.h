/* swt_tsc.h — the TSC as the clock of application events (issue 17).
 *
 * A C client under swrec may stamp its events with the raw time-stamp
 * counter (`rdtsc`, ≈ 11 ns here) instead of clock_gettime(
 * CLOCK_MONOTONIC) (≈ 28 ns under kvm-clock): the recorder measures how
 * the TSC relates to CLOCK_MONOTONIC and converts each event on ingest,
 * so the file holds CLOCK_MONOTONIC nanoseconds as before.
 *
 * When the TSC is trusted (swt_tsc_calibrate()):
 *   - the CPU says the TSC is invariant: /proc/cpuinfo lists both
 *     `constant_tsc` (fixed rate whatever the P-state) and `nonstop_tsc`
 *     (keeps counting in deep C-states), i.e. CPUID 0x80000007 EDX[8];
 *   - two readings 10 ms apart give a plausible rate (10 MHz - 100 GHz);
 *   - read on every CPU this process may run on, the TSC agrees with that
 *     line within SWT_TSC_MAX_SKEW_NS, so events of threads on different
 *     CPUs stay in order.
 * The kernel's choice of clocksource is not a criterion: on these KVM
 * guests it is kvm-clock (itself computed from the TSC, scaled by the
 * host) and the kernel was told `tsc=unstable` at boot, which says
 * nothing about the TSC's rate; the checks above and the periodic
 * recalibration (SWT_TSC_MAX_ERROR_NS) are what the recorder relies on.
 *
 * Conversion (struct swt_tsc_conv): ns = mono0 + ((tsc - tsc0) * mult >>
 * shift), the kernel's clocksource arithmetic, done in 128 bits so that
 * no span of time overflows. The recorder re-anchors it (tsc0, mono0) to
 * a fresh reading at every recalibration and takes the rate over a long
 * baseline (up to SWT_TSC_HISTORY readings), so the error of a converted
 * time is the extrapolation error since the last reading, which the
 * recalibration itself measures. */
#ifndef SWT_TSC_H
#define SWT_TSC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SWT_TSC_SHIFT 40u	/* 1 part in ~4e11 at 2.7 GHz: 9 ns an hour */
#define SWT_TSC_MAX_SKEW_NS 2000	/* between CPUs, to be trusted */
/* A recalibration that finds the conversion further than this from
 * CLOCK_MONOTONIC (a TSC jump: the VM was restored or migrated, or the
 * TSC is not what it claimed) restarts the baseline from that reading. */
#define SWT_TSC_MAX_ERROR_NS 1000000
#define SWT_TSC_HISTORY 64

/* One paired reading: the TSC between two CLOCK_MONOTONIC reads, the
 * narrowest of several tries; mono_ns is the middle of the bracket and
 * width_ns its width (the reading's uncertainty). */
struct swt_tsc_point {
	uint64_t tsc;
	int64_t mono_ns;
	int64_t width_ns;
};

struct swt_tsc_conv {
	uint64_t tsc0;
	int64_t mono0;
	uint64_t mult;		/* ns per tick << shift */
	uint32_t shift;		/* SWT_TSC_SHIFT */
};

/* Why the TSC is or is not used, filled by swt_tsc_calibrate(). */
struct swt_tsc_info {
	bool trusted;
	bool invariant;		/* constant_tsc and nonstop_tsc */
	uint64_t hz;		/* measured rate, ticks per second */
	int64_t skew_ns;	/* largest disagreement between CPUs */
	int n_cpus;		/* CPUs checked */
	char why[128];		/* when not trusted */
};

/* 1 where this build can read the TSC (x86-64), else 0. */
bool swt_tsc_supported(void);

/* The TSC now (0 where unsupported). */
uint64_t swt_tsc_now(void);

/* Does the `flags` line of the cpuinfo file at `path` (NULL:
 * /proc/cpuinfo) list constant_tsc and nonstop_tsc? false if it cannot
 * be read. */
bool swt_tsc_invariant(const char *path);

/* A paired reading (best of `tries`, at least 1). */
void swt_tsc_read_point(struct swt_tsc_point *out, int tries);

/* The conversion through readings a and b (b later): returns 0, or
 * SWT_EINVAL if they give no plausible rate (*out untouched). Anchored
 * at b. */
int swt_tsc_conv_init(struct swt_tsc_conv *out, const struct swt_tsc_point *a,
		      const struct swt_tsc_point *b);

/* CLOCK_MONOTONIC ns of a TSC value (also before tsc0). */
int64_t swt_tsc_to_ns(const struct swt_tsc_conv *c, uint64_t tsc);

/* Decide whether to stamp events with the TSC: the checks at the top,
 * ≈ 10 ms (a sleep between two readings) plus a migration to each
 * allowed CPU and back. `force`: skip the invariance flags (the other
 * checks still apply; for tests and `swrec --event-clock=tsc`). Returns
 * 0 with *conv set when trusted (info->trusted), SWT_ENOTFOUND when not
 * (info->why says why). */
int swt_tsc_calibrate(struct swt_tsc_conv *conv, struct swt_tsc_info *info,
		      bool force);

#endif
