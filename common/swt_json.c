/* swt_json.c — see swt_json.h. */
#include "swt_json.h"

#include <stdlib.h>
#include <string.h>

void swt_json_init(struct swt_json *w, struct swt_buf *b, bool pretty)
{
	memset(w, 0, sizeof(*w));
	w->b = b;
	w->pretty = pretty;
}

static void newline(struct swt_json *w)
{
	char *p = swt_buf_reserve(w->b, 1 + 2 * (size_t)w->depth);

	p[0] = '\n';
	memset(p + 1, ' ', 2 * (size_t)w->depth);
	swt_buf_commit(w->b, 1 + 2 * (size_t)w->depth);
}

void swt_json_raw(struct swt_json *w, const char *key)
{
	/* the top-level value has no separator, no line of its own */
	if (w->depth == 0) {
		w->has[0] = true;
		return;
	}
	if (w->has[w->depth])
		swt_buf_putc(w->b, ',');
	w->has[w->depth] = true;
	if (w->pretty)
		newline(w);
	if (key) {
		swt_buf_json_str(w->b, key, strlen(key));
		if (w->pretty)
			swt_buf_add(w->b, ": ", 2);
		else
			swt_buf_putc(w->b, ':');
	}
}

static void open_c(struct swt_json *w, const char *key, char c)
{
	swt_json_raw(w, key);
	swt_buf_putc(w->b, c);
	if (w->depth >= SWT_JSON_MAX_DEPTH)
		abort();	/* see swt_json.h: a programming error */
	w->depth++;
	w->has[w->depth] = false;
}

static void close_c(struct swt_json *w, char c)
{
	bool had = w->has[w->depth];

	if (w->depth == 0)
		abort();	/* more ends than begins */
	w->depth--;
	if (had && w->pretty)
		newline(w);
	swt_buf_putc(w->b, c);
}

void swt_json_begin_object(struct swt_json *w, const char *key)
{
	open_c(w, key, '{');
}

void swt_json_end_object(struct swt_json *w)
{
	close_c(w, '}');
}

void swt_json_begin_array(struct swt_json *w, const char *key)
{
	open_c(w, key, '[');
}

void swt_json_end_array(struct swt_json *w)
{
	close_c(w, ']');
}

void swt_json_str(struct swt_json *w, const char *key, const char *s)
{
	swt_json_strn(w, key, s ? s : "", s ? strlen(s) : 0);
}

void swt_json_strn(struct swt_json *w, const char *key, const char *s,
		   size_t len)
{
	swt_json_raw(w, key);
	swt_buf_json_str(w->b, s, len);
}

void swt_json_i64(struct swt_json *w, const char *key, int64_t v)
{
	swt_json_raw(w, key);
	swt_buf_i64(w->b, v);
}

void swt_json_u64(struct swt_json *w, const char *key, uint64_t v)
{
	swt_json_raw(w, key);
	swt_buf_u64(w->b, v);
}

void swt_json_fixed(struct swt_json *w, const char *key, int64_t v,
		    unsigned scale, unsigned decimals)
{
	swt_json_raw(w, key);
	swt_buf_fixed(w->b, v, scale, decimals);
}

void swt_json_bool(struct swt_json *w, const char *key, bool v)
{
	swt_json_raw(w, key);
	if (v)
		swt_buf_add(w->b, "true", 4);
	else
		swt_buf_add(w->b, "false", 5);
}

void swt_json_null(struct swt_json *w, const char *key)
{
	swt_json_raw(w, key);
	swt_buf_add(w->b, "null", 4);
}
