#include "swt_buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swt_alloc.h"

void swt_buf_init(struct swt_buf *b)
{
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
}

void swt_buf_fini(struct swt_buf *b)
{
	free(b->ptr);
	swt_buf_init(b);
}

void swt_buf_clear(struct swt_buf *b)
{
	b->len = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

char *swt_buf_reserve(struct swt_buf *b, size_t extra)
{
	b->ptr = swt_grow(b->ptr, &b->cap, b->len + extra + 1, 1);
	return b->ptr + b->len;
}

void swt_buf_commit(struct swt_buf *b, size_t n)
{
	b->len += n;
	b->ptr[b->len] = '\0';
}

void swt_buf_add(struct swt_buf *b, const void *data, size_t len)
{
	char *p = swt_buf_reserve(b, len);

	if (len)
		memcpy(p, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
}

void swt_buf_puts(struct swt_buf *b, const char *s)
{
	swt_buf_add(b, s, strlen(s));
}

void swt_buf_putc(struct swt_buf *b, char c)
{
	swt_buf_add(b, &c, 1);
}

void swt_buf_vprintf(struct swt_buf *b, const char *fmt, va_list ap)
{
	char tmp[256];
	va_list ap2;
	int n;

	/* Most output fits the stack buffer: format once. (Sizing with
	 * vsnprintf(NULL, 0, ...) also trips a false -Wformat-overflow
	 * "null destination" under gcc 12's sanitizer builds.) */
	va_copy(ap2, ap);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap2);
	va_end(ap2);
	if (n <= 0)
		return;
	if ((size_t)n < sizeof(tmp)) {
		swt_buf_add(b, tmp, (size_t)n);
		return;
	}
	swt_buf_reserve(b, (size_t)n);
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void swt_buf_printf(struct swt_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	swt_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

char *swt_put_u64(char *p, uint64_t v)
{
	char tmp[20];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	memcpy(p, tmp + i, sizeof(tmp) - i);
	return p + (sizeof(tmp) - i);
}

char *swt_put_i64(char *p, int64_t v)
{
	if (v < 0) {
		*p++ = '-';
		return swt_put_u64(p, (uint64_t)0 - (uint64_t)v);
	}
	return swt_put_u64(p, (uint64_t)v);
}

void swt_buf_u64(struct swt_buf *b, uint64_t v)
{
	char *p = swt_buf_reserve(b, SWT_INT_MAX_DIGITS);

	swt_buf_commit(b, (size_t)(swt_put_u64(p, v) - p));
}

void swt_buf_i64(struct swt_buf *b, int64_t v)
{
	char *p = swt_buf_reserve(b, SWT_INT_MAX_DIGITS);

	swt_buf_commit(b, (size_t)(swt_put_i64(p, v) - p));
}

int64_t swt_div_round(int64_t n, int64_t d)
{
	int64_t q = n / d, r = n % d;

	if (r < 0)
		r = -r;
	if (r >= d - r)
		q += n < 0 ? -1 : 1;
	return q;
}

void swt_buf_fixed(struct swt_buf *b, int64_t v, unsigned scale,
		   unsigned decimals)
{
	uint64_t mag, p = 1, ip, fp;
	unsigned i;

	if (decimals > scale)
		decimals = scale;
	for (i = decimals; i < scale; i++)
		p *= 10;
	/* round to `decimals` first, keeping the sign */
	v = swt_div_round(v, (int64_t)p);
	mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	for (p = 1, i = 0; i < decimals; i++)
		p *= 10;
	ip = mag / p;
	fp = mag % p;
	if (v < 0)
		swt_buf_putc(b, '-');
	swt_buf_u64(b, ip);
	if (decimals) {
		char tmp[24];

		swt_buf_putc(b, '.');
		for (i = decimals; i > 0; i--) {
			tmp[i - 1] = (char)('0' + fp % 10);
			fp /= 10;
		}
		swt_buf_add(b, tmp, decimals);
	}
}

size_t swt_utf8_seq_len(const unsigned char *s, size_t len)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1fu;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0fu;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07u;
	else
		return 0;
	if (n > len)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3fu);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

void swt_buf_csv_cell(struct swt_buf *b, const char *s)
{
	const char *p;

	if (!strpbrk(s, ",\"\r\n") && s[0] != ' ' &&
	    (!*s || s[strlen(s) - 1] != ' ')) {
		swt_buf_puts(b, s);
		return;
	}
	swt_buf_putc(b, '"');
	for (p = s; *p; p++) {
		if (*p == '"')
			swt_buf_putc(b, '"');
		swt_buf_putc(b, *p);
	}
	swt_buf_putc(b, '"');
}

void swt_buf_json_str(struct swt_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	swt_buf_putc(b, '"');
	while (i < len) {
		unsigned char c = u[i];
		size_t n = 0;

		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };

			swt_buf_add(b, e, 2);
			i++;
		} else if (c == '\n') {
			swt_buf_puts(b, "\\n");
			i++;
		} else if (c == '\t') {
			swt_buf_puts(b, "\\t");
			i++;
		} else if (c == '\r') {
			swt_buf_puts(b, "\\r");
			i++;
		} else if (c < 0x20 || c == 0x7f ||
			   (c >= 0x80 && (n = swt_utf8_seq_len(u + i, len - i)) == 0)) {
			char e[6] = { '\\', 'u', '0', '0', hex[c >> 4],
				      hex[c & 15] };

			swt_buf_add(b, e, 6);
			i++;
		} else if (c >= 0x80) {
			swt_buf_add(b, u + i, n);
			i += n;
		} else {
			swt_buf_putc(b, (char)c);
			i++;
		}
	}
	swt_buf_putc(b, '"');
}
