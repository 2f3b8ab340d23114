/* swt_buf.h — a growable byte buffer and locale-free text output helpers.
 *
 * Reports and dumps are built here. There is deliberately no floating-point
 * formatting: numbers go through swt_buf_fixed() with an explicit scale, so
 * output never depends on locale, libc or compiler flags. */
#ifndef SWT_BUF_H
#define SWT_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct swt_buf {
	char *ptr;	/* always NUL-terminated once anything was added */
	size_t len;
	size_t cap;
};

#define SWT_BUF_INIT { NULL, 0, 0 }

void swt_buf_init(struct swt_buf *b);
void swt_buf_fini(struct swt_buf *b);
void swt_buf_clear(struct swt_buf *b);
/* Make room for `extra` more bytes (+ NUL) and return where they go. */
char *swt_buf_reserve(struct swt_buf *b, size_t extra);
/* Account for n bytes written into the space swt_buf_reserve() returned
 * (n <= the reserved amount) and keep the buffer NUL-terminated. */
void swt_buf_commit(struct swt_buf *b, size_t n);
void swt_buf_add(struct swt_buf *b, const void *data, size_t len);
void swt_buf_puts(struct swt_buf *b, const char *s);
void swt_buf_putc(struct swt_buf *b, char c);
/* printf-style; use only integer and string conversions (no %f/%g). */
void swt_buf_printf(struct swt_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void swt_buf_vprintf(struct swt_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
void swt_buf_i64(struct swt_buf *b, int64_t v);
void swt_buf_u64(struct swt_buf *b, uint64_t v);

/* The one integer formatter: the decimal digits of v written at p (no NUL),
 * returning the end. p needs SWT_INT_MAX_DIGITS bytes (a sign and 20
 * digits). For hot paths that write into swt_buf_reserve()d space;
 * swt_buf_u64()/swt_buf_i64() are built on them. */
#define SWT_INT_MAX_DIGITS 21
char *swt_put_u64(char *p, uint64_t v);
char *swt_put_i64(char *p, int64_t v);
/* v / 10^scale printed with exactly `decimals` (<= scale) decimals, rounded
 * half away from zero: swt_buf_fixed(b, 12345, 3, 1) gives "12.3". */
void swt_buf_fixed(struct swt_buf *b, int64_t v, unsigned scale,
		   unsigned decimals);
/* A JSON string literal (with quotes) for len bytes of s. Bytes that are
 * not valid UTF-8 are written as \u00XX of their byte value so output is
 * always valid JSON. */
void swt_buf_json_str(struct swt_buf *b, const char *s, size_t len);

/* A CSV cell (RFC 4180): s as it is, or quoted, quotes doubled, when it
 * holds a comma, a quote or a line break, or begins or ends with a space
 * (which spreadsheets would trim). */
void swt_buf_csv_cell(struct swt_buf *b, const char *s);

/* Length of the valid UTF-8 sequence at s[0..len) (1 to 4), or 0 if the
 * bytes there are not valid UTF-8 (overlong forms, surrogates and code
 * points above U+10FFFF are invalid). len must be at least 1. */
size_t swt_utf8_seq_len(const unsigned char *s, size_t len);

/* Divide rounding half away from zero (the one rounding rule of swt).
 * d must be > 0. */
int64_t swt_div_round(int64_t n, int64_t d);

#endif
