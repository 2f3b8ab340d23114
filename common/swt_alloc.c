#include "swt_alloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n)
{
	fprintf(stderr, "swt: out of memory allocating %zu bytes\n", n);
	abort();
}

void *swt_zalloc(size_t size)
{
	void *p = calloc(1, size ? size : 1);

	if (!p)
		oom(size);
	return p;
}

void *swt_calloc(size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size)
		oom(SIZE_MAX);
	p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom(n * size);
	return p;
}

void *swt_reallocarray(void *ptr, size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size)
		oom(SIZE_MAX);
	p = realloc(ptr, n * size != 0 ? n * size : 1);
	if (!p)
		oom(n * size);
	return p;
}

char *swt_strndup(const char *s, size_t len)
{
	char *p = swt_zalloc(len + 1);

	memcpy(p, s, len);
	return p;
}

char *swt_strdup(const char *s)
{
	return swt_strndup(s, strlen(s));
}

void *swt_grow(void *ptr, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap;

	if (need <= c)
		return ptr;
	if (c < 16)
		c = 16;
	while (c < need) {
		if (c > SIZE_MAX / 2)
			oom(SIZE_MAX);
		c *= 2;
	}
	*cap = c;
	return swt_reallocarray(ptr, c, size);
}

size_t swt_array_drop(void *a, size_t size, size_t n, const uint32_t *at,
		      size_t m)
{
	char *b = a;
	size_t j, x;

	if (!m)
		return n;
	for (j = at[0], x = 0; x < m; x++) {
		size_t from = (size_t)at[x] + 1;
		size_t to = x + 1 < m ? at[x + 1] : n;

		memmove(b + j * size, b + from * size, (to - from) * size);
		j += to - from;
	}
	return j;
}

void swt_array_open(void *a, size_t size, size_t n, const uint32_t *at,
		    size_t m)
{
	char *b = a;
	size_t src = n, dst = n + m, x;

	for (x = m; x-- > 0;) {
		size_t cnt = dst - ((size_t)at[x] + 1);

		memmove(b + ((size_t)at[x] + 1) * size,
			b + (src - cnt) * size, cnt * size);
		src -= cnt;
		dst = at[x];
	}
}
