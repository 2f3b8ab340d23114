/* swt_checked.h — checked and saturating int64 arithmetic.
 *
 * Every product or sum of values read from a file (untrusted: a damaged or
 * crafted session can hold any int64) goes through one of these, or is done
 * in a wider type: signed overflow is undefined behaviour in C, and a
 * product that wraps to 0 becomes a division by zero further on
 * (ARCHITECTURE.md § Untrusted input).
 *
 * - swt_add_ok / swt_sub_ok / swt_mul_ok: store the exact result in *out
 *   and return true, or return false (and leave *out unspecified) when it
 *   does not fit in int64. For values that must be rejected when absurd.
 * - swt_sat_add / swt_sat_sub / swt_sat_mul: the exact result, or
 *   INT64_MAX / INT64_MIN (the sign of the true result) when it does not
 *   fit. For totals where "too big to tell" is an acceptable answer.
 *
 * All are header-only (GCC/clang __builtin_*_overflow). */
#ifndef SWT_CHECKED_H
#define SWT_CHECKED_H

#include <stdbool.h>
#include <stdint.h>

static inline bool swt_add_ok(int64_t *out, int64_t a, int64_t b)
{
	return !__builtin_add_overflow(a, b, out);
}

static inline bool swt_sub_ok(int64_t *out, int64_t a, int64_t b)
{
	return !__builtin_sub_overflow(a, b, out);
}

static inline bool swt_mul_ok(int64_t *out, int64_t a, int64_t b)
{
	return !__builtin_mul_overflow(a, b, out);
}

static inline int64_t swt_sat_add(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

static inline int64_t swt_sat_sub(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_sub_overflow(a, b, &r))
		return b < 0 ? INT64_MAX : INT64_MIN;
	return r;
}

static inline int64_t swt_sat_mul(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_mul_overflow(a, b, &r))
		return (a < 0) != (b < 0) ? INT64_MIN : INT64_MAX;
	return r;
}

#endif
