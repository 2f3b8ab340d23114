/* swt_alloc.h — checked allocation for the engine, codec and tools.
 *
 * These abort with a message on out-of-memory: the tools cannot do anything
 * useful without memory. The client library (libswtrace) must never use
 * them: it drops the event and returns SWT_ENOMEM instead. */
#ifndef SWT_ALLOC_H
#define SWT_ALLOC_H

#include <stddef.h>

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

#endif
