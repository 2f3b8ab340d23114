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
