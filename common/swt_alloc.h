/* swt_alloc.h — checked allocation for the engine, codec and tools.
 *
 * These abort with a message on out-of-memory: the tools cannot do anything
 * useful without memory. The client library (libswtrace) must never use
 * them: it drops the event and returns SWT_ENOMEM instead. */
#ifndef SWT_ALLOC_H
#define SWT_ALLOC_H

#include <stddef.h>
#include <stdint.h>

/* Zeroed allocation of `size` bytes (at least 1). Never returns NULL. */
void *swt_zalloc(size_t size);

/* Zeroed array of n elements of `size` bytes, overflow-checked. */
void *swt_calloc(size_t n, size_t size);

/* Resize `ptr` to n elements of `size` bytes, overflow-checked. The old
 * pointer is INVALID after the call: always assign the result back. New
 * bytes are NOT zeroed. */
void *swt_reallocarray(void *ptr, size_t n, size_t size);

/* Copy of a NUL-terminated string / of len bytes plus a NUL. */
char *swt_strdup(const char *s);
char *swt_strndup(const char *s, size_t len);

/* Grow-by-doubling helper: make room for `need` elements in *ptr whose
 * capacity is *cap. Returns the (possibly moved) array. */
void *swt_grow(void *ptr, size_t *cap, size_t need, size_t size);

/* An array a of n elements of `size` bytes without the elements at the
 * indexes at[0, m) (ascending, < n): the others keep their order, moved
 * down in blocks from the first removed (the places before it stay).
 * Returns n - m. */
size_t swt_array_drop(void *a, size_t size, size_t n, const uint32_t *at,
		      size_t m);

/* The n elements of a spread over n + m places so that the indexes
 * at[0, m) (ascending, < n + m) are free, the others in order: moved up
 * in blocks from the end (those before at[0] stay). a must have room for
 * n + m. */
void swt_array_open(void *a, size_t size, size_t n, const uint32_t *at,
		    size_t m);

#endif
