/* test_common.c — swt_buf, swt_json, swt_parse_*, swt_alloc and
 * swt_status. */
#include "swt_test.h"

#include "swt_alloc.h"
#include "swt_buf.h"
#include "swt_checked.h"
#include "swt_json.h"
#include "swt_parse.h"

/* ---- swt_buf ----------------------------------------------------------- */

static void buf_starts_empty_and_accumulates(void **state)
{
	struct swt_buf b = SWT_BUF_INIT;

	(void)state;
	assert_int_equal(b.len, 0);
	swt_buf_puts(&b, "ab");
	swt_buf_putc(&b, 'c');
	swt_buf_add(&b, "d\0e", 3);
	assert_int_equal(b.len, 6);
	assert_memory_equal(b.ptr, "abcd\0e", 7);
	swt_buf_clear(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.ptr, "");
	swt_buf_printf(&b, "%s=%d;", "x", 42);
	assert_string_equal(b.ptr, "x=42;");
	swt_buf_fini(&b);
	assert_null(b.ptr);
	assert_int_equal(b.len, 0);
	swt_buf_fini(&b); /* twice is harmless */
}

static void buf_add_nothing_still_terminates(void **state)
{
	struct swt_buf b;

	(void)state;
	swt_buf_init(&b);
	swt_buf_add(&b, NULL, 0);
	assert_non_null(b.ptr);
	assert_string_equal(b.ptr, "");
	swt_buf_fini(&b);
}

static void buf_grows_past_many_reallocations(void **state)
{
	struct swt_buf b = SWT_BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < 10000; i++)
		swt_buf_printf(&b, "%03zu", i % 1000);
	assert_int_equal(b.len, 30000);
	assert_true(b.cap > b.len);
	assert_memory_equal(b.ptr + 3 * 999, "999000", 6);
	assert_int_equal(b.ptr[b.len], '\0');
	swt_buf_fini(&b);
}

static void buf_reserve_gives_room_without_changing_len(void **state)
{
	struct swt_buf b = SWT_BUF_INIT;
	char *p;

	(void)state;
	swt_buf_puts(&b, "xy");
	p = swt_buf_reserve(&b, 100);
	assert_ptr_equal(p, b.ptr + 2);
	assert_int_equal(b.len, 2);
	assert_true(b.cap >= 103);
	memcpy(p, "zz", 2);
	b.len += 2;
	p[2] = '\0';
	assert_string_equal(b.ptr, "xyzz");
	swt_buf_fini(&b);
}

static void buf_printf_long_output(void **state)
{
	struct swt_buf b = SWT_BUF_INIT;
	char big[5000];

	(void)state;
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	swt_buf_puts(&b, "<");
	swt_buf_printf(&b, "%s>", big);
	assert_int_equal(b.len, 5000 + 1);
	assert_int_equal(b.ptr[0], '<');
	assert_int_equal(b.ptr[4999], 'q');
	assert_int_equal(b.ptr[5000], '>');
	swt_buf_fini(&b);
}

static void expect_i64(int64_t v, const char *want)
{
	struct swt_buf b = SWT_BUF_INIT;

	swt_buf_i64(&b, v);
	assert_string_equal(b.ptr, want);
	swt_buf_fini(&b);
}

static void expect_u64(uint64_t v, const char *want)
{
	struct swt_buf b = SWT_BUF_INIT;

	swt_buf_u64(&b, v);
	assert_string_equal(b.ptr, want);
	swt_buf_fini(&b);
}

static void buf_integers_full_range(void **state)
{
	(void)state;
	expect_i64(0, "0");
	expect_i64(-1, "-1");
	expect_i64(1234567, "1234567");
	expect_i64(INT64_MAX, "9223372036854775807");
	expect_i64(INT64_MIN, "-9223372036854775808");
	expect_u64(0, "0");
	expect_u64(UINT64_MAX, "18446744073709551615");
}

static void expect_fixed(int64_t v, unsigned scale, unsigned decimals,
			 const char *want)
{
	struct swt_buf b = SWT_BUF_INIT;

	swt_buf_fixed(&b, v, scale, decimals);
	if (strcmp(b.ptr, want) != 0) {
		print_error("swt_buf_fixed(%" PRId64 ", %u, %u) = \"%s\", "
			    "want \"%s\"\n", v, scale, decimals, b.ptr, want);
		swt_buf_fini(&b);
		fail();
	}
	swt_buf_fini(&b);
}

static void buf_fixed_rounds_half_away_from_zero(void **state)
{
	(void)state;
	/* the header's example */
	expect_fixed(12345, 3, 1, "12.3");
	/* exact */
	expect_fixed(12345, 3, 3, "12.345");
	expect_fixed(-12345, 3, 3, "-12.345");
	/* halves go away from zero on both sides */
	expect_fixed(12350, 3, 1, "12.4");
	expect_fixed(-12350, 3, 1, "-12.4");
	expect_fixed(12349, 3, 1, "12.3");
	expect_fixed(-12349, 3, 1, "-12.3");
	expect_fixed(25, 1, 0, "3");
	expect_fixed(-25, 1, 0, "-3");
	expect_fixed(24, 1, 0, "2");
	/* carry into the integer part */
	expect_fixed(999, 3, 2, "1.00");
	expect_fixed(-999, 3, 2, "-1.00");
	expect_fixed(9995, 3, 2, "10.00");
	/* values below one keep the leading zero and their zeros */
	expect_fixed(5, 3, 3, "0.005");
	expect_fixed(-5, 3, 3, "-0.005");
	expect_fixed(50, 3, 1, "0.1");
	expect_fixed(-50, 3, 1, "-0.1");
	/* rounding to zero prints no sign */
	expect_fixed(-49, 3, 1, "0.0");
	expect_fixed(-4, 3, 2, "0.00");
	expect_fixed(0, 3, 2, "0.00");
	/* scale 0 is plain integers */
	expect_fixed(42, 0, 0, "42");
	/* extremes */
	expect_fixed(INT64_MAX, 0, 0, "9223372036854775807");
	expect_fixed(INT64_MIN, 0, 0, "-9223372036854775808");
	expect_fixed(INT64_MAX, 3, 3, "9223372036854775.807");
	expect_fixed(INT64_MIN, 3, 3, "-9223372036854775.808");
	expect_fixed(INT64_MIN, 3, 0, "-9223372036854776");
	expect_fixed(INT64_MAX, 18, 2, "9.22");
}

static void div_round_half_away_from_zero(void **state)
{
	(void)state;
	assert_int_equal(swt_div_round(7, 2), 4);
	assert_int_equal(swt_div_round(-7, 2), -4);
	assert_int_equal(swt_div_round(5, 3), 2);
	assert_int_equal(swt_div_round(4, 3), 1);
	assert_int_equal(swt_div_round(-4, 3), -1);
	assert_int_equal(swt_div_round(-5, 3), -2);
	assert_int_equal(swt_div_round(0, 7), 0);
	assert_int_equal(swt_div_round(6, 3), 2);
	assert_int_equal(swt_div_round(1, 1000000), 0);
	assert_int_equal(swt_div_round(500000, 1000000), 1);
	assert_true(swt_div_round(INT64_MAX, 1) == INT64_MAX);
	assert_true(swt_div_round(INT64_MIN, 1) == INT64_MIN);
	assert_true(swt_div_round(INT64_MAX, INT64_MAX) == 1);
	assert_true(swt_div_round(INT64_MAX, 2) == INT64_C(4611686018427387904));
	assert_true(swt_div_round(INT64_MIN, 10) ==
		    INT64_C(-922337203685477581));
}

static void expect_json(const char *in, size_t len, const char *want)
{
	struct swt_buf b = SWT_BUF_INIT;

	swt_buf_json_str(&b, in, len);
	if (strcmp(b.ptr, want) != 0) {
		print_error("json: got %s, want %s\n", b.ptr, want);
		swt_buf_fini(&b);
		fail();
	}
	swt_buf_fini(&b);
}

#define JSON(lit, want) expect_json((lit), sizeof(lit) - 1, (want))

static void json_escapes_quotes_backslash_and_controls(void **state)
{
	(void)state;
	JSON("", "\"\"");
	JSON("plain text", "\"plain text\"");
	JSON("a\"b\\c", "\"a\\\"b\\\\c\"");
	JSON("l1\nl2\tx\ry", "\"l1\\nl2\\tx\\ry\"");
	/* every other control character is \u00XX (lowercase hex) */
	JSON("\x01", "\"\\u0001\"");
	JSON("\x08\x0c", "\"\\u0008\\u000c\"");
	JSON("\x1f", "\"\\u001f\"");
	JSON("\x7f", "\"\\u007f\"");
	/* an embedded NUL is data, not the end */
	JSON("a\0b", "\"a\\u0000b\"");
	/* '/' needs no escape */
	JSON("/x", "\"/x\"");
}

static void json_controls_all_escaped(void **state)
{
	unsigned c;

	(void)state;
	for (c = 0; c < 0x20; c++) {
		struct swt_buf b = SWT_BUF_INIT;
		char in = (char)c;
		size_t i;

		swt_buf_json_str(&b, &in, 1);
		/* no raw control byte may reach the output */
		for (i = 0; i < b.len; i++)
			assert_true((unsigned char)b.ptr[i] >= 0x20);
		swt_buf_fini(&b);
	}
}

static void json_keeps_valid_utf8(void **state)
{
	(void)state;
	JSON("caf\xc3\xa9", "\"caf\xc3\xa9\"");		/* 2 bytes */
	JSON("\xe2\x82\xac", "\"\xe2\x82\xac\"");		/* 3 bytes */
	JSON("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"");	/* 4 bytes */
	JSON("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"");	/* U+10FFFF */
	JSON("\xef\xbf\xbf", "\"\xef\xbf\xbf\"");		/* U+FFFF */
}

static void json_escapes_invalid_utf8_bytewise(void **state)
{
	(void)state;
	/* lone bytes that never start a sequence */
	JSON("\xff", "\"\\u00ff\"");
	JSON("\xfe", "\"\\u00fe\"");
	JSON("\x80", "\"\\u0080\"");
	JSON("a\xbfz", "\"a\\u00bfz\"");
	/* overlong encodings */
	JSON("\xc0\x80", "\"\\u00c0\\u0080\"");
	JSON("\xc1\xbf", "\"\\u00c1\\u00bf\"");
	JSON("\xe0\x80\xaf", "\"\\u00e0\\u0080\\u00af\"");
	JSON("\xf0\x80\x80\xaf", "\"\\u00f0\\u0080\\u0080\\u00af\"");
	/* UTF-16 surrogates and code points past U+10FFFF */
	JSON("\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\"");
	JSON("\xf4\x90\x80\x80", "\"\\u00f4\\u0090\\u0080\\u0080\"");
	JSON("\xf5\x80\x80\x80", "\"\\u00f5\\u0080\\u0080\\u0080\"");
	/* sequences cut short, at the end and before an ASCII byte */
	JSON("\xe2\x82", "\"\\u00e2\\u0082\"");
	JSON("\xe2\x82z", "\"\\u00e2\\u0082z\"");
	JSON("\xc3", "\"\\u00c3\"");
	/* a valid sequence right after an invalid byte survives */
	JSON("\xff\xc3\xa9", "\"\\u00ff\xc3\xa9\"");
}

static void json_len_bounds_the_input(void **state)
{
	(void)state;
	/* a multibyte sequence cut by len must not be read past len */
	expect_json("\xe2\x82\xac", 2, "\"\\u00e2\\u0082\"");
	expect_json("abc", 1, "\"a\"");
	expect_json("abc", 0, "\"\"");
}

/* ---- swt_put_*: the one integer formatter ------------------------------- */

static void put_int_writes_extremes_without_nul(void **state)
{
	char buf[SWT_INT_MAX_DIGITS + 1];
	char *e;

	(void)state;
	memset(buf, 'x', sizeof(buf));
	e = swt_put_i64(buf, INT64_MIN);
	assert_int_equal(e - buf, 20);
	assert_memory_equal(buf, "-9223372036854775808x", 21);
	e = swt_put_u64(buf, UINT64_MAX);
	assert_int_equal(e - buf, 20);
	assert_memory_equal(buf, "18446744073709551615", 20);
	e = swt_put_i64(buf, 0);
	assert_int_equal(e - buf, 1);
	assert_int_equal(buf[0], '0');
	e = swt_put_i64(buf, -7);
	assert_memory_equal(buf, "-7", 2);
	assert_int_equal(e - buf, 2);
}

/* ---- swt_checked ------------------------------------------------------- */

static void checked_ops_report_overflow(void **state)
{
	int64_t r = 7;

	(void)state;
	assert_true(swt_add_ok(&r, INT64_MAX - 1, 1));
	assert_true(r == INT64_MAX);
	assert_false(swt_add_ok(&r, INT64_MAX, 1));
	assert_false(swt_add_ok(&r, INT64_MIN, -1));
	assert_true(swt_add_ok(&r, INT64_MIN, INT64_MAX));
	assert_true(r == -1);
	assert_true(swt_sub_ok(&r, 0, INT64_MAX));
	assert_true(r == -INT64_MAX);
	assert_false(swt_sub_ok(&r, 0, INT64_MIN));
	assert_false(swt_sub_ok(&r, INT64_MIN, 1));
	assert_false(swt_sub_ok(&r, INT64_MAX, -1));
	/* the SIGFPE of issue 11: 100 ticks x 2^62 ns wrapped to 0 */
	assert_false(swt_mul_ok(&r, 100, INT64_C(1) << 62));
	assert_false(swt_mul_ok(&r, -1, INT64_MIN));
	assert_false(swt_mul_ok(&r, INT64_C(3037000500), INT64_C(3037000500)));
	assert_true(swt_mul_ok(&r, INT64_C(3037000499), INT64_C(3037000499)));
	assert_true(r == INT64_C(9223372030926249001));
	assert_true(swt_mul_ok(&r, -1, INT64_MAX));
	assert_true(r == -INT64_MAX);
}

static void saturating_ops_clamp_to_the_sign(void **state)
{
	(void)state;
	assert_true(swt_sat_add(INT64_MAX, 1) == INT64_MAX);
	assert_true(swt_sat_add(INT64_MAX, INT64_MAX) == INT64_MAX);
	assert_true(swt_sat_add(INT64_MIN, -1) == INT64_MIN);
	assert_true(swt_sat_add(INT64_MIN, INT64_MAX) == -1);
	assert_true(swt_sat_add(40, 2) == 42);
	assert_true(swt_sat_sub(INT64_MIN, 1) == INT64_MIN);
	assert_true(swt_sat_sub(INT64_MAX, -1) == INT64_MAX);
	assert_true(swt_sat_sub(0, INT64_MIN) == INT64_MAX);
	assert_true(swt_sat_sub(-1, INT64_MIN) == INT64_MAX);
	assert_true(swt_sat_sub(44, 2) == 42);
	assert_true(swt_sat_mul(100, INT64_C(1) << 62) == INT64_MAX);
	assert_true(swt_sat_mul(-100, INT64_C(1) << 62) == INT64_MIN);
	assert_true(swt_sat_mul(100, -(INT64_C(1) << 62)) == INT64_MIN);
	assert_true(swt_sat_mul(INT64_MIN, -1) == INT64_MAX);
	assert_true(swt_sat_mul(INT64_MIN, INT64_MIN) == INT64_MAX);
	assert_true(swt_sat_mul(0, INT64_MIN) == 0);
	assert_true(swt_sat_mul(-6, 7) == -42);
}

/* ---- swt_json ----------------------------------------------------------- */

/* One document with every kind of value, nested and empty containers. */
static void json_document(struct swt_buf *b, bool pretty)
{
	struct swt_json w;

	swt_json_init(&w, b, pretty);
	swt_json_begin_object(&w, NULL);
	swt_json_i64(&w, "i", -42);
	swt_json_u64(&w, "u", UINT64_MAX);
	swt_json_fixed(&w, "f", 12345, 3, 1);
	swt_json_str(&w, "s", "a\"b");
	swt_json_str(&w, "nul", NULL);
	swt_json_strn(&w, "n", "x\0y", 3);
	swt_json_bool(&w, "t", true);
	swt_json_bool(&w, "f2", false);
	swt_json_null(&w, "z");
	swt_json_begin_array(&w, "a");
	swt_json_i64(&w, NULL, 1);
	swt_json_begin_object(&w, NULL);
	swt_json_end_object(&w);
	swt_json_begin_array(&w, NULL);
	swt_json_end_array(&w);
	swt_json_end_array(&w);
	swt_json_begin_object(&w, "o");
	swt_json_raw(&w, "raw");
	swt_buf_puts(b, "[7]");
	swt_json_end_object(&w);
	swt_json_end_object(&w);
	assert_int_equal(w.depth, 0);
}

static void json_writer_compact(void **state)
{
	struct swt_buf b = SWT_BUF_INIT;

	(void)state;
	json_document(&b, false);
	assert_string_equal(b.ptr,
			    "{\"i\":-42,\"u\":18446744073709551615,"
			    "\"f\":12.3,\"s\":\"a\\\"b\",\"nul\":\"\","
			    "\"n\":\"x\\u0000y\",\"t\":true,\"f2\":false,"
			    "\"z\":null,\"a\":[1,{},[]],"
			    "\"o\":{\"raw\":[7]}}");
	swt_buf_fini(&b);
}

static void json_writer_pretty(void **state)
{
	struct swt_buf b = SWT_BUF_INIT;

	(void)state;
	json_document(&b, true);
	assert_string_equal(b.ptr,
			    "{\n"
			    "  \"i\": -42,\n"
			    "  \"u\": 18446744073709551615,\n"
			    "  \"f\": 12.3,\n"
			    "  \"s\": \"a\\\"b\",\n"
			    "  \"nul\": \"\",\n"
			    "  \"n\": \"x\\u0000y\",\n"
			    "  \"t\": true,\n"
			    "  \"f2\": false,\n"
			    "  \"z\": null,\n"
			    "  \"a\": [\n"
			    "    1,\n"
			    "    {},\n"
			    "    []\n"
			    "  ],\n"
			    "  \"o\": {\n"
			    "    \"raw\": [7]\n"
			    "  }\n"
			    "}");
	swt_buf_fini(&b);
}

/* A top-level scalar or empty container is written as is, and the writer
 * appends to what the buffer holds. */
static void json_writer_top_level_values_append(void **state)
{
	struct swt_buf b = SWT_BUF_INIT;
	struct swt_json w;

	(void)state;
	swt_buf_puts(&b, "x=");
	swt_json_init(&w, &b, true);
	swt_json_fixed(&w, NULL, -1500, 3, 3);
	assert_string_equal(b.ptr, "x=-1.500");
	swt_buf_clear(&b);
	swt_json_init(&w, &b, true);
	swt_json_begin_array(&w, NULL);
	swt_json_end_array(&w);
	assert_string_equal(b.ptr, "[]");
	swt_buf_fini(&b);
}

/* ---- swt_parse --------------------------------------------------------- */

static void expect_i64_ok(const char *s, int64_t want)
{
	int64_t v = 0;

	if (swt_parse_i64(&v, s) != 0 || v != want) {
		print_error("swt_parse_i64(\"%s\") = %" PRId64 ", want %"
			    PRId64 "\n", s, v, want);
		fail();
	}
}

static void expect_u64_ok(const char *s, uint64_t want)
{
	uint64_t v = 0;

	if (swt_parse_u64(&v, s) != 0 || v != want) {
		print_error("swt_parse_u64(\"%s\") = %" PRIu64 ", want %"
			    PRIu64 "\n", s, v, want);
		fail();
	}
}

/* Rejections must not touch *out. */
static void expect_i64_bad(const char *s)
{
	int64_t v = 777;
	int err = swt_parse_i64(&v, s);

	if (err != SWT_EINVAL || v != 777) {
		print_error("swt_parse_i64(\"%s\") = %s, out %" PRId64
			    "; want SWT_EINVAL, out untouched\n",
			    s, swt_status_name(err), v);
		fail();
	}
}

static void expect_u64_bad(const char *s)
{
	uint64_t v = 777;
	int err = swt_parse_u64(&v, s);

	if (err != SWT_EINVAL || v != 777) {
		print_error("swt_parse_u64(\"%s\") = %s, out %" PRIu64
			    "; want SWT_EINVAL, out untouched\n",
			    s, swt_status_name(err), v);
		fail();
	}
}

static void parse_integers_accept_full_range(void **state)
{
	(void)state;
	expect_i64_ok("0", 0);
	expect_i64_ok("42", 42);
	expect_i64_ok("-42", -42);
	expect_i64_ok("007", 7);
	expect_i64_ok("9223372036854775807", INT64_MAX);
	expect_i64_ok("-9223372036854775808", INT64_MIN);
	expect_u64_ok("0", 0);
	expect_u64_ok("18446744073709551615", UINT64_MAX);
	expect_u64_ok("18446744073709551610", UINT64_MAX - 5);
}

static void parse_integers_reject_junk_empty_overflow(void **state)
{
	(void)state;
	expect_i64_bad("");
	expect_i64_bad("-");
	expect_i64_bad("+1");
	expect_i64_bad(" 1");
	expect_i64_bad("1 ");
	expect_i64_bad("1x");
	expect_i64_bad("x1");
	expect_i64_bad("1.5");
	expect_i64_bad("1.");
	expect_i64_bad("0x10");
	expect_i64_bad("1e3");
	expect_i64_bad("--1");
	expect_i64_bad("9223372036854775808");
	expect_i64_bad("-9223372036854775809");
	expect_i64_bad("99999999999999999999999");
	expect_u64_bad("");
	expect_u64_bad("-1");
	expect_u64_bad("-0");
	expect_u64_bad("+1");
	expect_u64_bad(" 1");
	expect_u64_bad("1 ");
	expect_u64_bad("12a");
	expect_u64_bad("1.0");
	expect_u64_bad("18446744073709551616");
	expect_u64_bad("99999999999999999999999");
}

static void parse_fixed_scales_and_refuses_extra_digits(void **state)
{
	int64_t v = 0;

	(void)state;
	assert_ok(swt_parse_fixed(&v, "12.5", 3));
	assert_int_equal(v, 12500);
	assert_ok(swt_parse_fixed(&v, "12.345", 3));
	assert_int_equal(v, 12345);
	assert_ok(swt_parse_fixed(&v, "7", 3));
	assert_int_equal(v, 7000);
	assert_ok(swt_parse_fixed(&v, "-0.25", 2));
	assert_true(v == -25);
	assert_ok(swt_parse_fixed(&v, "3", 0));
	assert_int_equal(v, 3);
	v = 9;
	assert_status(SWT_EINVAL, swt_parse_fixed(&v, "12.3456", 3));
	assert_status(SWT_EINVAL, swt_parse_fixed(&v, "1.5", 0));
	assert_status(SWT_EINVAL, swt_parse_fixed(&v, "", 3));
	assert_status(SWT_EINVAL, swt_parse_fixed(&v, ".", 3));
	assert_status(SWT_EINVAL, swt_parse_fixed(&v, "1.2.3", 3));
	assert_status(SWT_EINVAL, swt_parse_fixed(&v, "1,5", 3));
	assert_status(SWT_EINVAL, swt_parse_fixed(&v, " 1", 3));
	assert_status(SWT_EINVAL, swt_parse_fixed(&v, "1 ", 3));
	assert_status(SWT_EINVAL, swt_parse_fixed(&v, "abc", 3));
	assert_status(SWT_EINVAL,
		      swt_parse_fixed(&v, "99999999999999999999", 3));
	assert_int_equal(v, 9);
}

static void expect_dur(const char *s, int64_t want)
{
	int64_t v = -1;
	int err = swt_parse_duration_ns(&v, s);

	if (err != 0 || v != want) {
		print_error("swt_parse_duration_ns(\"%s\") = %s, %" PRId64
			    " ns; want %" PRId64 " ns\n", s,
			    swt_status_name(err), v, want);
		fail();
	}
}

static void expect_dur_bad(const char *s)
{
	int64_t v = 777;
	int err = swt_parse_duration_ns(&v, s);

	if (err != SWT_EINVAL || v != 777) {
		print_error("swt_parse_duration_ns(\"%s\") = %s, out %" PRId64
			    "; want SWT_EINVAL, out untouched\n", s,
			    swt_status_name(err), v);
		fail();
	}
}

static void parse_duration_units(void **state)
{
	(void)state;
	/* plain numbers are seconds */
	expect_dur("0.1", 100000000);
	expect_dur("2", INT64_C(2000000000));
	expect_dur("0", 0);
	expect_dur("1.5", INT64_C(1500000000));
	expect_dur("0.000000001", 1);
	/* units */
	expect_dur("100ms", 100000000);
	expect_dur("2s", INT64_C(2000000000));
	expect_dur("1m", INT64_C(60000000000));
	expect_dur("1h", INT64_C(3600000000000));
	expect_dur("1.5s", INT64_C(1500000000));
	expect_dur("1.5m", INT64_C(90000000000));
	expect_dur("0.5h", INT64_C(1800000000000));
	expect_dur("250us", 250000);
	expect_dur("1.5us", 1500);
	expect_dur("7ns", 7);
	expect_dur("0s", 0);
	expect_dur("24h", INT64_C(86400000000000));
	/* the largest that fits: 9223372036854775807 ns */
	expect_dur("9223372036854775807ns", INT64_MAX);
	expect_dur("9223372036s", INT64_C(9223372036000000000));
}

static void parse_duration_rejects(void **state)
{
	(void)state;
	/* empty */
	expect_dur_bad("");
	/* units or signs alone */
	expect_dur_bad("s");
	expect_dur_bad("ms");
	expect_dur_bad(".");
	expect_dur_bad("-");
	/* junk */
	expect_dur_bad("abc");
	expect_dur_bad("1x");
	expect_dur_bad("1 s");
	expect_dur_bad(" 1s");
	expect_dur_bad("1s ");
	expect_dur_bad("1S");
	expect_dur_bad("1sec");
	expect_dur_bad("1ms2");
	expect_dur_bad("1d");
	expect_dur_bad("1e3");
	expect_dur_bad("1..5s");
	expect_dur_bad("s1");
	expect_dur_bad("+1s");
	/* more precision than a nanosecond */
	expect_dur_bad("1.5ns");
	expect_dur_bad("0.0000000001");
	expect_dur_bad("0.0001us");
	/* negative */
	expect_dur_bad("-1");
	expect_dur_bad("-1s");
	expect_dur_bad("-0.1");
	expect_dur_bad("-100ms");
	/* overflow of int64 nanoseconds */
	expect_dur_bad("9223372036854775808ns");
	expect_dur_bad("9223372037s");
	expect_dur_bad("153722868m");
	expect_dur_bad("2562048h");
	expect_dur_bad("99999999999999999999999h");
	expect_dur_bad("99999999999999999999999");
}

static void expect_size(const char *s, uint64_t want)
{
	uint64_t v = 0;
	int err = swt_parse_size(&v, s);

	if (err != 0 || v != want) {
		print_error("swt_parse_size(\"%s\") = %s, %" PRIu64 "\n", s,
			    swt_status_name(err), v);
		fail();
	}
}

static void expect_size_bad(const char *s)
{
	uint64_t v = 777;
	int err = swt_parse_size(&v, s);

	if (err != SWT_EINVAL || v != 777) {
		print_error("swt_parse_size(\"%s\") = %s; want SWT_EINVAL\n",
			    s, swt_status_name(err));
		fail();
	}
}

static void parse_size_binary_suffixes(void **state)
{
	(void)state;
	expect_size("0", 0);
	expect_size("4096", 4096);
	expect_size("4K", 4096);
	expect_size("1M", 1048576);
	expect_size("2G", UINT64_C(2147483648));
	expect_size("17179869183G", UINT64_C(17179869183) << 30);
	expect_size_bad("");
	expect_size_bad("K");
	expect_size_bad("-1K");
	expect_size_bad("1k");
	expect_size_bad("1KK");
	expect_size_bad("1T");
	expect_size_bad("1.5M");
	expect_size_bad(" 1M");
	expect_size_bad("1M ");
	expect_size_bad("17179869184G");
	expect_size_bad("18446744073709551616");
}

/* ---- swt_alloc, swt_status --------------------------------------------- */

static void alloc_zeroes_and_grows(void **state)
{
	unsigned char *p;
	uint32_t *a = NULL;
	size_t cap = 0, i;
	char *s;

	(void)state;
	p = swt_zalloc(64);
	for (i = 0; i < 64; i++)
		assert_int_equal(p[i], 0);
	free(p);
	p = swt_zalloc(0); /* at least one byte */
	assert_non_null(p);
	free(p);
	p = swt_calloc(10, 8);
	for (i = 0; i < 80; i++)
		assert_int_equal(p[i], 0);
	free(p);
	for (i = 0; i < 1000; i++) {
		a = swt_grow(a, &cap, i + 1, sizeof(*a));
		assert_true(cap >= i + 1);
		a[i] = (uint32_t)i;
	}
	for (i = 0; i < 1000; i++)
		assert_int_equal(a[i], i);
	a = swt_reallocarray(a, 2000, sizeof(*a));
	assert_int_equal(a[999], 999);
	free(a);
	s = swt_strdup("hello");
	assert_string_equal(s, "hello");
	free(s);
	s = swt_strndup("hello world", 5);
	assert_string_equal(s, "hello");
	free(s);
}

static void status_names_are_the_constants(void **state)
{
	(void)state;
	assert_string_equal(swt_status_name(SWT_OK), "SWT_OK");
	assert_string_equal(swt_status_name(SWT_EINVAL), "SWT_EINVAL");
	assert_string_equal(swt_status_name(SWT_EIO), "SWT_EIO");
	assert_string_equal(swt_status_name(SWT_ECORRUPT), "SWT_ECORRUPT");
	assert_string_equal(swt_status_name(SWT_EVERSION), "SWT_EVERSION");
	assert_string_equal(swt_status_name(SWT_ENOTFOUND), "SWT_ENOTFOUND");
	assert_string_equal(swt_status_name(SWT_ENOMEM), "SWT_ENOMEM");
	assert_string_equal(swt_status_name(SWT_ITEROVER), "SWT_ITEROVER");
	assert_string_equal(swt_status_name(SWT_ETRUNCATED),
			    "SWT_ETRUNCATED");
	assert_string_equal(swt_status_name(SWT_EEXIST), "SWT_EEXIST");
	assert_string_equal(swt_status_name(SWT_ELIMIT), "SWT_ELIMIT");
	/* never NULL */
	assert_non_null(swt_status_name(-1000));
	assert_non_null(swt_status_name(5));
	/* the values are part of the ABI and never renumbered */
	assert_int_equal(SWT_EINVAL, -1);
	assert_int_equal(SWT_EIO, -2);
	assert_int_equal(SWT_ECORRUPT, -3);
	assert_int_equal(SWT_EVERSION, -4);
	assert_int_equal(SWT_ENOTFOUND, -5);
	assert_int_equal(SWT_ENOMEM, -6);
	assert_int_equal(SWT_ITEROVER, -7);
	assert_int_equal(SWT_ETRUNCATED, -8);
	assert_int_equal(SWT_EEXIST, -9);
	assert_int_equal(SWT_ELIMIT, -10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(buf_starts_empty_and_accumulates),
		cmocka_unit_test(buf_add_nothing_still_terminates),
		cmocka_unit_test(buf_grows_past_many_reallocations),
		cmocka_unit_test(buf_reserve_gives_room_without_changing_len),
		cmocka_unit_test(buf_printf_long_output),
		cmocka_unit_test(buf_integers_full_range),
		cmocka_unit_test(buf_fixed_rounds_half_away_from_zero),
		cmocka_unit_test(div_round_half_away_from_zero),
		cmocka_unit_test(checked_ops_report_overflow),
		cmocka_unit_test(saturating_ops_clamp_to_the_sign),
		cmocka_unit_test(json_escapes_quotes_backslash_and_controls),
		cmocka_unit_test(json_controls_all_escaped),
		cmocka_unit_test(json_keeps_valid_utf8),
		cmocka_unit_test(json_escapes_invalid_utf8_bytewise),
		cmocka_unit_test(json_len_bounds_the_input),
		cmocka_unit_test(parse_integers_accept_full_range),
		cmocka_unit_test(parse_integers_reject_junk_empty_overflow),
		cmocka_unit_test(parse_fixed_scales_and_refuses_extra_digits),
		cmocka_unit_test(parse_duration_units),
		cmocka_unit_test(parse_duration_rejects),
		cmocka_unit_test(parse_size_binary_suffixes),
		cmocka_unit_test(alloc_zeroes_and_grows),
		cmocka_unit_test(status_names_are_the_constants),
		cmocka_unit_test(put_int_writes_extremes_without_nul),
		cmocka_unit_test(json_writer_compact),
		cmocka_unit_test(json_writer_pretty),
		cmocka_unit_test(json_writer_top_level_values_append),
	};

	return cmocka_run_group_tests_name("common", tests, NULL, NULL);
}
