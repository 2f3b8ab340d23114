/* test_tsc — the TSC as the events' clock (record/swt_tsc.h, issue 17):
 * the conversion's arithmetic, the invariance flags, and a calibration
 * on this machine checked against CLOCK_MONOTONIC. */
#include "swt_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "swt_tsc.h"

static int64_t mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* 2.7 GHz: 1 s is 2 700 000 000 ticks. */
static void test_conversion(void **state)
{
	struct swt_tsc_point a = { 1000, 5000, 10 };
	struct swt_tsc_point b = { 1000 + 2700000000u, 5000 + 1000000000, 10 };
	struct swt_tsc_conv c;

	(void)state;
	assert_ok(swt_tsc_conv_init(&c, &a, &b));
	assert_int_equal(c.shift, SWT_TSC_SHIFT);
	assert_int_equal(c.tsc0, b.tsc);
	assert_int_equal(c.mono0, b.mono_ns);
	assert_int_equal(swt_tsc_to_ns(&c, b.tsc), b.mono_ns);
	/* within 1 ns at the other end, 1 s back */
	assert_true(llabs(swt_tsc_to_ns(&c, a.tsc) - a.mono_ns) <= 1);
	/* an hour on: the fixed-point rate's error stays below 10 ns */
	assert_true(llabs(swt_tsc_to_ns(&c, b.tsc + 3600ull * 2700000000u) -
			  (b.mono_ns + 3600 * 1000000000ll)) <= 10);
	/* one tick is 0.37 ns: 3 ticks are 1 ns (truncated) */
	assert_int_equal(swt_tsc_to_ns(&c, b.tsc + 3), b.mono_ns + 1);
	/* garbage saturates, never overflows */
	c.mono0 = INT64_MAX / 2;
	assert_int_equal(swt_tsc_to_ns(&c, UINT64_MAX), INT64_MAX);
	c.mono0 = INT64_MIN + 5;
	assert_int_equal(swt_tsc_to_ns(&c, 0), INT64_MIN);
}

static void test_implausible_rates_refused(void **state)
{
	struct swt_tsc_point a = { 1000, 5000, 10 }, b;
	struct swt_tsc_conv c = { 1, 2, 3, 4 };

	(void)state;
	b = a;			/* no time */
	assert_status(SWT_EINVAL, swt_tsc_conv_init(&c, &a, &b));
	b.mono_ns += 1000000000;	/* TSC stood still */
	assert_status(SWT_EINVAL, swt_tsc_conv_init(&c, &a, &b));
	b.tsc = 999;		/* went back */
	assert_status(SWT_EINVAL, swt_tsc_conv_init(&c, &a, &b));
	b.tsc = a.tsc + 1000000;	/* 1 MHz: too slow */
	assert_status(SWT_EINVAL, swt_tsc_conv_init(&c, &a, &b));
	b.tsc = a.tsc + 200000000000ull;	/* 200 GHz */
	assert_status(SWT_EINVAL, swt_tsc_conv_init(&c, &a, &b));
	assert_int_equal(c.mult, 3);	/* untouched */
	b.tsc = a.tsc + 20000000;	/* 20 MHz: fine */
	assert_ok(swt_tsc_conv_init(&c, &a, &b));
}

static bool flags_say(const char *text)
{
	char path[] = "/tmp/swt-test-cpuinfo.XXXXXX";
	int fd = mkstemp(path);
	bool r;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	r = swt_tsc_invariant(path);
	unlink(path);
	return r;
}

static void test_invariance_flags(void **state)
{
	(void)state;
	assert_true(flags_say("processor\t: 0\nflags\t\t: fpu tsc "
			      "constant_tsc rep_good nonstop_tsc cpuid\n"));
	assert_true(flags_say("flags\t\t: nonstop_tsc constant_tsc\n"));
	/* one of the two is not enough */
	assert_false(flags_say("flags\t\t: fpu tsc constant_tsc\n"));
	assert_false(flags_say("flags\t\t: fpu tsc nonstop_tsc\n"));
	/* words, not substrings */
	assert_false(flags_say("flags\t\t: xconstant_tsc nonstop_tsc_y\n"));
	/* the first CPU's line only */
	assert_false(flags_say("flags\t\t: tsc\nflags\t\t: constant_tsc "
			       "nonstop_tsc\n"));
	assert_false(flags_say("processor\t: 0\n"));
	assert_false(swt_tsc_invariant("/nonexistent/cpuinfo"));
}

/* This machine: where the TSC is trusted, a converted reading lies
 * between the CLOCK_MONOTONIC reads around it (within 50 µs: the error of
 * a 10 ms baseline on a loaded machine); where it is not, the reason is
 * given. */
static void test_calibration_here(void **state)
{
	struct swt_tsc_conv c;
	struct swt_tsc_info info;
	int i, err;

	(void)state;
	err = swt_tsc_calibrate(&c, &info, false);
	if (err) {
		assert_status(SWT_ENOTFOUND, err);
		assert_false(info.trusted);
		assert_true(info.why[0] != '\0');
		skip();
	}
	assert_true(info.trusted);
	assert_true(info.hz > 10000000);
	assert_true(info.n_cpus >= 1);
	assert_true(info.skew_ns <= SWT_TSC_MAX_SKEW_NS);
	for (i = 0; i < 1000; i++) {
		int64_t m0 = mono();
		int64_t t = swt_tsc_to_ns(&c, swt_tsc_now());
		int64_t m1 = mono();

		assert_true(t >= m0 - 50000);
		assert_true(t <= m1 + 50000);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conversion),
		cmocka_unit_test(test_implausible_rates_refused),
		cmocka_unit_test(test_invariance_flags),
		cmocka_unit_test(test_calibration_here),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
