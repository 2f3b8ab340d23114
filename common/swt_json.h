/* swt_json.h — the one JSON writer of swt: a small streaming writer into a
 * struct swt_buf, used by the JSON report (pretty) and swreplay --dump
 * (compact).
 *
 * Every value call takes the member's key: a string inside an object, NULL
 * inside an array and for the top-level value. Strings are escaped by
 * swt_buf_json_str() (invalid UTF-8 as \u00XX), numbers are integers or
 * fixed point through swt_buf_fixed(): no floating point, no locale.
 *
 *   pretty:  two spaces per level, one member or element per line,
 *            "key": value, "{}" and "[]" when empty, no final newline;
 *   compact: no whitespace at all ({"a":1,"b":[]}).
 *
 * One writer writes one top-level value; the caller adds any newline. The
 * writer does not check that keys are given exactly inside objects: that is
 * the caller's contract (the output is what the calls say). Nesting deeper
 * than SWT_JSON_MAX_DEPTH is a programming error and aborts. */
#ifndef SWT_JSON_H
#define SWT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "swt_buf.h"

#define SWT_JSON_MAX_DEPTH 32

struct swt_json {
	struct swt_buf *b;	/* borrowed */
	bool pretty;
	unsigned depth;		/* open containers */
	bool has[SWT_JSON_MAX_DEPTH + 1]; /* the container at a depth (0:
					   * the top level) holds an item */
};

/* Start writing one value into b (appended). Never fails. */
void swt_json_init(struct swt_json *w, struct swt_buf *b, bool pretty);

void swt_json_begin_object(struct swt_json *w, const char *key);
void swt_json_end_object(struct swt_json *w);
void swt_json_begin_array(struct swt_json *w, const char *key);
void swt_json_end_array(struct swt_json *w);

/* s NULL is written as "". */
void swt_json_str(struct swt_json *w, const char *key, const char *s);
/* len bytes of s (may hold NUL bytes, written as \u0000). */
void swt_json_strn(struct swt_json *w, const char *key, const char *s,
		   size_t len);
void swt_json_i64(struct swt_json *w, const char *key, int64_t v);
void swt_json_u64(struct swt_json *w, const char *key, uint64_t v);
/* v / 10^scale with `decimals` decimals (swt_buf_fixed()). */
void swt_json_fixed(struct swt_json *w, const char *key, int64_t v,
		    unsigned scale, unsigned decimals);
void swt_json_bool(struct swt_json *w, const char *key, bool v);
void swt_json_null(struct swt_json *w, const char *key);

/* Start a value that the caller writes itself into w->b, already valid
 * JSON (the separator and the key are written here): for hot paths that
 * format a whole object into swt_buf_reserve()d space. */
void swt_json_raw(struct swt_json *w, const char *key);

#endif
