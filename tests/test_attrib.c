/* test_attrib.c — the non-negative regression behind module attribution
 * (analyze/swt_attrib.h, docs/analysis.md § 2.3). */
#include "swt_test.h"

#include "swt_attrib.h"

/* column layout of the engine: 0 outside, then (time, ends) per module */
enum { OUT = 0, A_T = 1, A_N = 2, B_T = 3, B_N = 4, C_T = 5, C_N = 6 };

static uint32_t lcg(uint32_t *x)
{
	*x = *x * 1103515245u + 12345u;
	return *x >> 16;
}

/* Growth only while B is open, with open times that vary: B's group is
 * decided and credited with all of it; A and C get nothing. */
static void growth_lands_on_its_module(void **state)
{
	struct swt_attrib a;
	struct swt_attrib_fit f;
	uint32_t r = 1;
	int64_t total = 0;
	int i;

	(void)state;
	swt_attrib_init(&a);
	for (i = 0; i < 200; i++) {
		int64_t x[7] = { 0 };

		x[A_T] = (int64_t)(lcg(&r) % 1000) * 100000;
		x[B_T] = (int64_t)(lcg(&r) % 1000) * 100000;
		x[C_T] = 100000000 - x[A_T] / 2 - x[B_T] / 2;
		x[OUT] = 1000000;
		x[B_N] = 1;
		/* 1 KiB per ms of B */
		swt_attrib_add(&a, x, 7, x[B_T] / 1000000);
		total += x[B_T] / 1000000;
	}
	swt_attrib_solve(&a, 16.0 / 6, &f);
	assert_true(f.solved);
	assert_true(f.decided[swt_attrib_group(B_T)]);
	assert_in_range(f.amount_group[swt_attrib_group(B_T)], total - 100,
			total + 100);
	assert_false(f.decided[swt_attrib_group(A_T)]);
	assert_false(f.decided[swt_attrib_group(C_T)]);
	assert_true(f.amount_group[swt_attrib_group(A_T)] < 100);
	assert_true(f.amount_group[swt_attrib_group(C_T)] < 100);
}

/* A is open exactly when B is: the file cannot tell them apart, and
 * neither is decided; both are marked shared. */
static void always_together_is_shared(void **state)
{
	struct swt_attrib a;
	struct swt_attrib_fit f;
	uint32_t r = 5;
	int i;

	(void)state;
	swt_attrib_init(&a);
	for (i = 0; i < 100; i++) {
		int64_t x[5] = { 0 };

		x[A_T] = x[B_T] = (int64_t)(lcg(&r) % 1000) * 100000;
		x[A_N] = x[B_N] = 1;
		x[OUT] = 100000000 - x[A_T];
		swt_attrib_add(&a, x, 5, x[A_T] / 1000000);
	}
	swt_attrib_solve(&a, 16.0 / 6, &f);
	assert_false(f.decided[swt_attrib_group(A_T)]);
	assert_false(f.decided[swt_attrib_group(B_T)]);
	assert_true(f.shared[swt_attrib_group(A_T)]);
	assert_true(f.shared[swt_attrib_group(B_T)]);
}

/* A module open the whole time next to two that alternate, one growing:
 * the non-negative fit puts nothing on the one open all along. */
static void open_all_along_is_not_blamed(void **state)
{
	struct swt_attrib a;
	struct swt_attrib_fit f;
	uint32_t r = 9;
	int i;

	(void)state;
	swt_attrib_init(&a);
	for (i = 0; i < 120; i++) {
		int64_t x[7] = { 0 };

		x[A_T] = 100000000;			/* renderer */
		x[B_T] = (int64_t)(lcg(&r) % 1001) * 100000; /* loader */
		x[C_T] = 100000000 - x[B_T];		/* parser */
		swt_attrib_add(&a, x, 7, x[B_T] / 500000);
	}
	swt_attrib_solve(&a, 16.0 / 6, &f);
	assert_true(f.decided[swt_attrib_group(B_T)]);
	assert_true(f.amount_group[swt_attrib_group(A_T)] < 4);
	assert_false(f.decided[swt_attrib_group(A_T)]);
	assert_false(f.decided[swt_attrib_group(C_T)]);
}

/* Absurd values from a crafted file neither overflow (UBSan) nor make the
 * solve produce non-numbers; nothing, and one observation, are handled. */
static void absurd_values_are_bounded(void **state)
{
	struct swt_attrib a;
	struct swt_attrib_fit f;
	int64_t x[3] = { INT64_MAX, INT64_MAX, INT64_MIN };
	int i;

	(void)state;
	swt_attrib_init(&a);
	swt_attrib_solve(&a, 1, &f);
	assert_false(f.solved);
	for (i = 0; i < 1000; i++)
		swt_attrib_add(&a, x, 3, i % 2 ? INT64_MAX : INT64_MIN);
	swt_attrib_solve(&a, 1, &f);
	assert_true(f.solved);
	for (i = 0; i < 3; i++) {
		assert_true(f.b[i] >= 0);
		assert_true(f.confidence_ppm[i] >= 0);
		assert_true(f.confidence_ppm[i] <= 1000000);
	}
	x[0] = 5;
	x[1] = 0;
	swt_attrib_init(&a);
	swt_attrib_add(&a, x, 3, 10);
	swt_attrib_solve(&a, 1, &f);
	assert_true(f.solved);
	assert_int_equal(f.amount[0], 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(growth_lands_on_its_module),
		cmocka_unit_test(always_together_is_shared),
		cmocka_unit_test(open_all_along_is_not_blamed),
		cmocka_unit_test(absurd_values_are_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
