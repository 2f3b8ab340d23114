/* swt_thresholds.c — threshold defaults, --threshold and --config parsing. */
#include "swt_thresholds.h"

#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swt_alloc.h"
#include "swt_buf.h"
#include "swt_map.h"
#include "swt_parse.h"
#include "swt_status.h"

#define MAX_CONFIG_BYTES SWT_TH_MAX_CONFIG_BYTES
/* Upper bound of a thousandths value: keeps every product in the engine
 * far from overflow. */
#define MAX_MILLI INT64_C(1000000000000)

struct key_desc {
	const char *name;
	int64_t def;		/* default, thousandths (or a count) */
	int64_t min;		/* smallest accepted value */
	int64_t max;
	bool count;		/* an integer, not thousandths */
};

static const struct key_desc keys[SWT_TH_N_SCALAR] = {
	[SWT_TH_MEMORY_MB] = { "memory_mb", 500000, 1, MAX_MILLI, false },
	[SWT_TH_CPU_PERCENT] = { "cpu_percent", 80000, 1, MAX_MILLI, false },
	[SWT_TH_IO_MB_PER_S] = { "io_mb_per_s", 50000, 1, MAX_MILLI, false },
	/* 0: no network alerts nor spikes */
	[SWT_TH_NET_MB_PER_S] = { "net_mb_per_s", 0, 0, MAX_MILLI, false },
	[SWT_TH_CALLS_PER_MINUTE] = { "calls_per_minute", 600000, 1,
				      MAX_MILLI, false },
	[SWT_TH_STARTS_PER_MINUTE] = { "starts_per_minute", 30000, 1,
				       MAX_MILLI, false },
	/* the history rings cost 24 bytes per sample per process: bound it */
	[SWT_TH_HISTORY_SAMPLES] = { "history_samples", 100, 2, 100000,
				     true },
	[SWT_TH_SPIKE_FACTOR] = { "spike_factor", 1500, 1000, 1000000,
				  false },
	[SWT_TH_LEAK_MB_PER_MIN] = { "leak_mb_per_min", 1000, 1, MAX_MILLI,
				     false },
	[SWT_TH_TREND_MB_PER_MIN] = { "trend_mb_per_min", 500, 1, MAX_MILLI,
				      false },
	[SWT_TH_TREND_CPU_PERCENT_PER_MIN] = { "trend_cpu_percent_per_min",
					       500, 1, MAX_MILLI, false },
	[SWT_TH_SATURATION_PERCENT] = { "saturation_percent", 90000, 1,
					100000, false },
	/* 0: no forecast alerts */
	[SWT_TH_FORECAST_MINUTES] = { "forecast_minutes", 30000, 0,
				      MAX_MILLI, false },
	/* swanalyze diff: the minimum effects (0 turns a floor off) */
	[SWT_TH_DIFF_MIN_CHANGE_PERCENT] = { "diff_min_change_percent", 10000,
					     0, MAX_MILLI, false },
	[SWT_TH_DIFF_MIN_CHANGE_PERCENT_REPEATED] = {
		"diff_min_change_percent_repeated", 5000, 0, MAX_MILLI, false },
	[SWT_TH_DIFF_MIN_CPU_S] = { "diff_min_cpu_s", 50, 0, MAX_MILLI,
				    false },
	[SWT_TH_DIFF_MIN_CPU_PERCENT] = { "diff_min_cpu_percent", 1000, 0,
					  MAX_MILLI, false },
	[SWT_TH_DIFF_MIN_MEMORY_MB] = { "diff_min_memory_mb", 2000, 0,
					MAX_MILLI, false },
	[SWT_TH_DIFF_MIN_PER_MINUTE] = { "diff_min_per_minute", 1000, 0,
					 MAX_MILLI, false },
	[SWT_TH_DIFF_MIN_BYTES_MB] = { "diff_min_bytes_mb", 1000, 0,
				       MAX_MILLI, false },
	[SWT_TH_DIFF_MIN_WEIGHT] = { "diff_min_weight", 50, 0, MAX_MILLI,
				     false },
	[SWT_TH_DIFF_MIN_DURATION_S] = { "diff_min_duration_s", 500, 0,
					 MAX_MILLI, false },
	/* two-sided; the exact test cannot go below 1 / C(128, 64) anyway */
	[SWT_TH_DIFF_SIGNIFICANCE] = { "diff_significance", 50, 1, 500,
				       false },
	[SWT_TH_DIFF_CONTENTION_PERCENT] = { "diff_contention_percent", 10000,
					     1, 100000, false },
};

/* normalize_patterns by default: temporary directories, long hexadecimal
 * runs (hashes, addresses), numbers of four digits or more (PIDs, ports,
 * timestamps). */
static const struct {
	const char *re, *repl;
} norm_defaults[] = {
	{ "(/tmp|/var/tmp|/dev/shm|/run/user/[0-9]+)/[^/ ]+", "\\1/*" },
	{ "[0-9a-fA-F]{8,}", "<hex>" },
	{ "[0-9]{4,}", "<n>" },
};

static const struct {
	const char *alias;
	const char *counter;
	int64_t def;
} rate_defaults[] = {
	/* sorted by counter name (the rates array stays sorted) */
	{ "event_listener_per_minute", "event_listener", 50000 },
	{ "ocr_per_minute", "ocr_call", 10000 },
};

static const char *const heavy_defaults[] = { "*ocr*", "*image*" };

#define RATE_PREFIX "rate."
#define HEAVY_KEY "heavy_patterns"
#define GROUP_BY_KEY "group_by"
#define GROUPS_KEY "group_patterns"
#define NORMS_KEY "normalize_patterns"

static const char *const group_by_names[] = { "exe", "comm", "cmdline" };

const char *swt_group_by_name(enum swt_group_by g)
{
	return (unsigned)g < 3 ? group_by_names[g] : "?";
}

const char *swt_th_source_name(enum swt_th_source src)
{
	switch (src) {
	case SWT_TH_CONFIG:
		return "config";
	case SWT_TH_OPTION:
		return "option";
	case SWT_TH_DEFAULT:
		break;
	}
	return "default";
}

const char *swt_th_key_name(enum swt_th_key key)
{
	return key < SWT_TH_N_SCALAR ? keys[key].name : "?";
}

bool swt_th_key_is_count(enum swt_th_key key)
{
	return key < SWT_TH_N_SCALAR && keys[key].count;
}

static void set_err(char *errmsg, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *errmsg, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!errmsg || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(errmsg, errlen, fmt, ap);
	va_end(ap);
}

/* What a name needs to possibly match a pattern: every literal byte of
 * the pattern (folded to 64 bits after lowering: a necessary condition
 * only) and at least as many bytes as the pattern has non-'*' bytes. It
 * lets heavy_match skip most patterns with one AND instead of a glob. */
struct swt_th_heavy_ix {
	uint64_t need;
	size_t min_len;
};

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static uint64_t byte_bit(char c)
{
	return UINT64_C(1) << ((unsigned char)lower(c) & 63);
}

static void clear_heavy(struct swt_thresholds *t)
{
	size_t i;

	for (i = 0; i < t->n_heavy; i++)
		free(t->heavy[i]);
	free(t->heavy);
	free(t->heavy_ix);
	t->heavy = NULL;
	t->heavy_ix = NULL;
	t->n_heavy = 0;
}

/* Room for n patterns; the list must be empty. One allocation each, so
 * 50 000 patterns cost no reallocation (under ASan every realloc copies). */
static void alloc_heavy(struct swt_thresholds *t, size_t n)
{
	t->heavy = swt_calloc(n ? n : 1, sizeof(*t->heavy));
	t->heavy_ix = swt_calloc(n ? n : 1, sizeof(*t->heavy_ix));
}

/* Append into the room alloc_heavy made. */
static void add_heavy(struct swt_thresholds *t, const char *p, size_t len)
{
	struct swt_th_heavy_ix *ix = &t->heavy_ix[t->n_heavy];
	size_t i;

	t->heavy[t->n_heavy++] = swt_strndup(p, len);
	ix->need = 0;
	ix->min_len = 0;
	for (i = 0; i < len; i++) {
		if (p[i] == '*')
			continue;
		ix->min_len++;
		if (p[i] != '?')
			ix->need |= byte_bit(p[i]);
	}
}

void swt_thresholds_init(struct swt_thresholds *t)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < SWT_TH_N_SCALAR; i++)
		t->v[i] = keys[i].def;
	t->n_rates = sizeof(rate_defaults) / sizeof(rate_defaults[0]);
	t->rates = swt_calloc(t->n_rates, sizeof(*t->rates));
	for (i = 0; i < t->n_rates; i++) {
		t->rates[i].counter = swt_strdup(rate_defaults[i].counter);
		t->rates[i].per_minute_milli = rate_defaults[i].def;
	}
	alloc_heavy(t, sizeof(heavy_defaults) / sizeof(heavy_defaults[0]));
	for (i = 0; i < sizeof(heavy_defaults) / sizeof(heavy_defaults[0]);
	     i++)
		add_heavy(t, heavy_defaults[i], strlen(heavy_defaults[i]));
	t->n_norms = sizeof(norm_defaults) / sizeof(norm_defaults[0]);
	t->norms = swt_calloc(t->n_norms, sizeof(*t->norms));
	for (i = 0; i < t->n_norms; i++) {
		t->norms[i].re = swt_strdup(norm_defaults[i].re);
		t->norms[i].repl = swt_strdup(norm_defaults[i].repl);
	}
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static void clear_groups(struct swt_thresholds *t)
{
	size_t i;

	for (i = 0; i < t->n_groups; i++) {
		free(t->groups[i].name);
		free(t->groups[i].pattern);
	}
	free(t->groups);
	t->groups = NULL;
	t->n_groups = 0;
}

static void clear_norms(struct swt_thresholds *t)
{
	size_t i;

	for (i = 0; i < t->n_norms; i++) {
		free(t->norms[i].re);
		free(t->norms[i].repl);
	}
	free(t->norms);
	t->norms = NULL;
	t->n_norms = 0;
}

void swt_thresholds_fini(struct swt_thresholds *t)
{
	size_t i;

	for (i = 0; i < t->n_rates; i++)
		free(t->rates[i].counter);
	free(t->rates);
	clear_heavy(t);
	clear_groups(t);
	clear_norms(t);
	memset(t, 0, sizeof(*t));
}

void swt_thresholds_copy(struct swt_thresholds *out,
			 const struct swt_thresholds *src)
{
	size_t i;

	*out = *src;
	out->rates = swt_calloc(src->n_rates, sizeof(*out->rates));
	for (i = 0; i < src->n_rates; i++) {
		out->rates[i] = src->rates[i];
		out->rates[i].counter = swt_strdup(src->rates[i].counter);
	}
	out->heavy = NULL;
	out->heavy_ix = NULL;
	out->n_heavy = 0;
	alloc_heavy(out, src->n_heavy);
	for (i = 0; i < src->n_heavy; i++)
		add_heavy(out, src->heavy[i], strlen(src->heavy[i]));
	out->groups = swt_calloc(src->n_groups ? src->n_groups : 1,
				 sizeof(*out->groups));
	for (i = 0; i < src->n_groups; i++) {
		out->groups[i].name = swt_strdup(src->groups[i].name);
		out->groups[i].pattern = swt_strdup(src->groups[i].pattern);
	}
	out->norms = swt_calloc(src->n_norms ? src->n_norms : 1,
				sizeof(*out->norms));
	for (i = 0; i < src->n_norms; i++) {
		out->norms[i].re = swt_strdup(src->norms[i].re);
		out->norms[i].repl = swt_strdup(src->norms[i].repl);
	}
}

/* Index of counter in the sorted rates, or where it would go. */
static size_t rate_pos(const struct swt_thresholds *t, const char *counter,
		       bool *found)
{
	size_t lo = 0, hi = t->n_rates;

	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(t->rates[mid].counter, counter);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* One rate: O(n) for a new counter (the shift). Many at once go through
 * struct batch instead. */
static void set_rate(struct swt_thresholds *t, const char *counter,
		     int64_t v, enum swt_th_source src)
{
	bool found;
	size_t i = rate_pos(t, counter, &found);

	if (found) {
		t->rates[i].per_minute_milli = v;
		t->rates[i].source = src;
		return;
	}
	t->rates = swt_reallocarray(t->rates, t->n_rates + 1,
				    sizeof(*t->rates));
	memmove(&t->rates[i + 1], &t->rates[i],
		(t->n_rates - i) * sizeof(*t->rates));
	t->rates[i].counter = swt_strdup(counter);
	t->rates[i].per_minute_milli = v;
	t->rates[i].source = src;
	t->n_rates++;
}

static int parse_value(int64_t *out, const struct key_desc *d,
		       const char *value, char *errmsg, size_t errlen)
{
	int64_t v;
	int err;

	if (d->count)
		err = swt_parse_i64(&v, value);
	else
		err = swt_parse_fixed(&v, value, 3);
	if (err < 0 || value[0] == '-') {
		set_err(errmsg, errlen, "bad value for %s: '%s' (%s)",
			d->name, value,
			d->count ? "expected a whole number" :
				   "expected a number with at most 3 "
				   "decimals");
		return SWT_EINVAL;
	}
	if (v < d->min || v > d->max) {
		struct swt_buf b = SWT_BUF_INIT;

		if (d->count) {
			swt_buf_printf(&b, "%lld to %lld", (long long)d->min,
				       (long long)d->max);
		} else {
			swt_buf_fixed(&b, d->min, 3, 3);
			swt_buf_puts(&b, " to ");
			swt_buf_fixed(&b, d->max, 3, 3);
		}
		set_err(errmsg, errlen, "bad value for %s: '%s' (allowed: %s)",
			d->name, value, b.ptr);
		swt_buf_fini(&b);
		return SWT_EINVAL;
	}
	*out = v;
	return 0;
}

/* The next element of a comma-separated list: *it is where it starts,
 * NULL after the last (an empty list has none: start at NULL). */
static bool next_item(const char **it, const char **item, size_t *len)
{
	const char *comma;

	if (!*it)
		return false;
	comma = strchr(*it, ',');
	*item = *it;
	*len = comma ? (size_t)(comma - *it) : strlen(*it);
	*it = comma ? comma + 1 : NULL;
	return true;
}

static int set_heavy(struct swt_thresholds *t, const char *value,
		     enum swt_th_source src, char *errmsg, size_t errlen)
{
	const char *it, *p;
	size_t len, n = 0;

	/* validate first: nothing changes on error */
	for (it = *value ? value : NULL; next_item(&it, &p, &len); n++) {
		if (len == 0 || memchr(p, ' ', len) || memchr(p, '\t', len)) {
			set_err(errmsg, errlen,
				"bad value for " HEAVY_KEY ": '%s' (expected "
				"comma-separated glob patterns without "
				"blanks, or nothing)", value);
			return SWT_EINVAL;
		}
	}
	clear_heavy(t);
	alloc_heavy(t, n);
	for (it = *value ? value : NULL; next_item(&it, &p, &len);)
		add_heavy(t, p, len);
	t->heavy_src = src;
	return 0;
}

static int set_group_by(struct swt_thresholds *t, const char *value,
			enum swt_th_source src, char *errmsg, size_t errlen)
{
	size_t i;

	for (i = 0; i < 3; i++) {
		if (strcmp(value, group_by_names[i]) == 0) {
			t->group_by = (enum swt_group_by)i;
			t->group_by_src = src;
			return 0;
		}
	}
	set_err(errmsg, errlen, "bad value for " GROUP_BY_KEY ": '%s' "
		"(expected exe, comm or cmdline)", value);
	return SWT_EINVAL;
}

/* One rule "NAME:GLOB" of group_patterns, blanks around it trimmed:
 * *name and *pat point into it. false if it has no ':', an empty or
 * blank-containing NAME, or an empty GLOB. */
static bool split_group(const char *p, size_t len, const char **name,
			size_t *name_len, const char **pat, size_t *pat_len)
{
	const char *colon;
	size_t i;

	while (len && is_blank(*p)) {
		p++;
		len--;
	}
	while (len && is_blank(p[len - 1]))
		len--;
	colon = memchr(p, ':', len);
	if (!colon || colon == p)
		return false;
	*name = p;
	*name_len = (size_t)(colon - p);
	*pat = colon + 1;
	*pat_len = len - *name_len - 1;
	for (i = 0; i < *name_len; i++)
		if ((unsigned char)p[i] <= ' ' || p[i] == 0x7f)
			return false;
	return *pat_len > 0;
}

/* group_patterns = NAME:GLOB[,NAME:GLOB...] (or nothing): replaces the
 * rules as a whole, like heavy_patterns. Linear in the value. */
static int set_groups(struct swt_thresholds *t, const char *value,
		      enum swt_th_source src, char *errmsg, size_t errlen)
{
	const char *it, *p, *name, *pat;
	size_t len, n = 0, name_len, pat_len;

	/* validate first: nothing changes on error */
	for (it = *value ? value : NULL; next_item(&it, &p, &len); n++) {
		if (!split_group(p, len, &name, &name_len, &pat, &pat_len)) {
			set_err(errmsg, errlen,
				"bad value for " GROUPS_KEY ": '%.*s' "
				"(expected NAME:GLOB, comma-separated, or "
				"nothing)", (int)(len < 200 ? len : 200), p);
			return SWT_EINVAL;
		}
	}
	clear_groups(t);
	t->groups = swt_calloc(n ? n : 1, sizeof(*t->groups));
	for (it = *value ? value : NULL; next_item(&it, &p, &len);) {
		(void)split_group(p, len, &name, &name_len, &pat, &pat_len);
		t->groups[t->n_groups].name = swt_strndup(name, name_len);
		t->groups[t->n_groups].pattern = swt_strndup(pat, pat_len);
		t->n_groups++;
	}
	t->groups_src = src;
	return 0;
}

/* One rule "RE => REPL" of normalize_patterns, blanks around both
 * trimmed: false without " => " or with an empty RE. */
static bool split_norm(const char *p, size_t len, const char **re,
		       size_t *re_len, const char **repl, size_t *repl_len)
{
	const char *arrow = NULL;
	size_t i;

	for (i = 0; i + 2 <= len; i++) {
		if (p[i] == '=' && p[i + 1] == '>') {
			arrow = p + i;
			break;
		}
	}
	if (!arrow)
		return false;
	*re = p;
	*re_len = (size_t)(arrow - p);
	while (*re_len && is_blank(**re)) {
		(*re)++;
		(*re_len)--;
	}
	while (*re_len && is_blank((*re)[*re_len - 1]))
		(*re_len)--;
	*repl = arrow + 2;
	*repl_len = len - (size_t)(*repl - p);
	while (*repl_len && is_blank(**repl)) {
		(*repl)++;
		(*repl_len)--;
	}
	while (*repl_len && is_blank((*repl)[*repl_len - 1]))
		(*repl_len)--;
	return *re_len > 0;
}

/* How far regcomp() may expand a normalisation pattern, bounded before it
 * compiles one (a config is input: a pattern must not take the memory or
 * the time of the machine). glibc copies a repeated expression once per
 * repetition it may need ("x{30}" 30 times, "x+" twice, "x{3,}" four
 * times) and the copies multiply, stacked or nested: "a" followed by
 * twenty '+' took 700 MB, by twenty-two more than 2 GB (fuzz_config);
 * "((a{30}){30}){30}" 27 000 copies. Its closures over the empty matches
 * of nested repetitions can take longer than anyone waits even when the
 * copies are few ("a*{,9}{,9}a+*a??{2,}": more than 3 s for 186;
 * "[a-c](((a*a*){5}){3,12}){2,}" for 979). The bound counts a pattern's
 * atoms, groups, alternatives and repetitions as regcomp expands them,
 * saturating past the limit; two repetition operators in a row (undefined
 * in POSIX) are refused, and groups nest at most NORM_RE_MAX_DEPTH deep
 * (regcomp parses them by recursion). Bracket expressions and escapes are
 * one atom each. Of 3 673 random patterns within these limits, none took
 * regcomp 0.07 s on a loaded machine. */
#define NORM_RE_MAX_NODES 300
#define NORM_RE_MAX_DEPTH 32

struct re_walk {
	const char *p, *end;
	unsigned depth;
	bool deep, stacked;
};

static uint64_t re_cap(uint64_t n)
{
	return n > NORM_RE_MAX_NODES ? NORM_RE_MAX_NODES + 1 : n;
}

static bool re_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* An interval "{m}", "{m,}", "{m,n}" or (glibc) "{,n}", "{,}" at *pp (its
 * '{'): the copies it makes of what it repeats, *pp past it; false when it
 * is none (a literal brace, or one regcomp refuses). */
static bool re_interval(const char **pp, const char *end, uint64_t *copies)
{
	const char *p = *pp + 1;
	uint64_t m = 0, n = 0;
	bool comma = false, has_n = false;

	if (p == end || (!re_digit(*p) && *p != ','))
		return false;
	while (p < end && re_digit(*p))
		m = re_cap(m * 10 + (uint64_t)(*p++ - '0'));
	if (p < end && *p == ',') {
		comma = true;
		for (p++; p < end && re_digit(*p); has_n = true)
			n = re_cap(n * 10 + (uint64_t)(*p++ - '0'));
	}
	if (p == end || *p != '}')
		return false;
	*pp = p + 1;
	if (!comma)
		n = m;
	else if (!has_n)
		n = m + 1;	/* m copies and a star */
	*copies = n ? n : 1;
	return true;
}

/* Past one atom at w->p: a bracket expression (with its classes, which
 * may hold ']'), an escaped character, or any other character. */
static void re_skip_atom(struct re_walk *w)
{
	const char *p = w->p, *end = w->end;

	if (*p == '\\') {
		p += p + 1 < end ? 2 : 1;
	} else if (*p == '[') {
		p++;
		if (p < end && *p == '^')
			p++;
		if (p < end && *p == ']')
			p++;
		while (p < end && *p != ']') {
			if (*p == '[' && p + 1 < end &&
			    (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
				char c = p[1];

				for (p += 2; p + 1 < end && !(p[0] == c &&
							      p[1] == ']');
				     p++)
					;
				p = p + 1 < end ? p + 2 : end;
				continue;
			}
			p++;
		}
		if (p < end)
			p++;
	} else {
		p++;
	}
	w->p = p;
}

static uint64_t re_branches(struct re_walk *w);

/* An atom or a group with the repetitions that follow it. */
static uint64_t re_piece(struct re_walk *w)
{
	uint64_t n, copies;
	unsigned reps;

	if (*w->p == '(') {
		w->p++;
		if (++w->depth > NORM_RE_MAX_DEPTH) {
			w->deep = true;
			return NORM_RE_MAX_NODES + 1;
		}
		n = re_cap(re_branches(w) + 1);
		w->depth--;
		if (w->p < w->end)
			w->p++;	/* ')' */
	} else {
		re_skip_atom(w);
		n = 1;
	}
	for (reps = 0; w->p < w->end; reps++) {
		if (*w->p == '*' || *w->p == '?') {
			n = re_cap(n + 1);
			w->p++;
		} else if (*w->p == '+') {
			n = re_cap(2 * n + 1);
			w->p++;
		} else if (*w->p == '{' &&
			   re_interval(&w->p, w->end, &copies)) {
			n = re_cap(n * copies + 1);
		} else {
			break;
		}
	}
	if (reps > 1)
		w->stacked = true;
	return n;
}

/* Alternatives up to a ')' or the end. */
static uint64_t re_branches(struct re_walk *w)
{
	uint64_t n = 0;

	while (w->p < w->end && *w->p != ')' && !w->deep && !w->stacked &&
	       n <= NORM_RE_MAX_NODES) {
		if (*w->p == '|') {
			n = re_cap(n + 1);
			w->p++;
		} else {
			n = re_cap(n + re_piece(w));
		}
	}
	return n;
}

/* NULL when pat is small enough to compile, else why not. */
static const char *norm_re_too_big(const char *pat)
{
	struct re_walk w;
	uint64_t n = 0;

	w.p = pat;
	w.end = pat + strlen(pat);
	w.depth = 0;
	w.deep = false;
	w.stacked = false;
	while (w.p < w.end && !w.deep && !w.stacked &&
	       n <= NORM_RE_MAX_NODES) {
		n = re_cap(n + re_branches(&w));
		if (w.p < w.end && *w.p == ')') {
			n = re_cap(n + 1);	/* (regcomp's to judge) */
			w.p++;
		}
	}
	if (w.deep)
		return "groups nested more than 32 deep";
	if (w.stacked)
		return "two repetition operators in a row (undefined in POSIX; "
		       "a group says which is meant: (x+)*)";
	if (n > NORM_RE_MAX_NODES)
		return "too large once its repetitions are expanded "
		       "(more than 300 copies of its parts)";
	return NULL;
}

/* The next rule of a ';'-separated list (like next_item). */
static bool next_rule(const char **it, const char **item, size_t *len)
{
	const char *semi;

	if (!*it)
		return false;
	semi = strchr(*it, ';');
	*item = *it;
	*len = semi ? (size_t)(semi - *it) : strlen(*it);
	*it = semi ? semi + 1 : NULL;
	return true;
}

/* normalize_patterns = RE => REPL[; RE => REPL...] (or nothing): replaces
 * the rules as a whole. Every RE must compile (POSIX extended). */
static int set_norms(struct swt_thresholds *t, const char *value,
		     enum swt_th_source src, char *errmsg, size_t errlen)
{
	const char *it, *p, *re, *repl;
	size_t len, n = 0, re_len, repl_len;

	for (it = *value ? value : NULL; next_rule(&it, &p, &len); n++) {
		regex_t rx;
		const char *big;
		char *pat;
		int rc;

		if (!split_norm(p, len, &re, &re_len, &repl, &repl_len)) {
			set_err(errmsg, errlen,
				"bad value for " NORMS_KEY ": '%.*s' "
				"(expected RE => REPLACEMENT, ';'-separated, "
				"or nothing)", (int)(len < 200 ? len : 200),
				p);
			return SWT_EINVAL;
		}
		pat = swt_strndup(re, re_len);
		big = norm_re_too_big(pat);
		if (big) {
			set_err(errmsg, errlen, "bad value for " NORMS_KEY
				": '%.200s': %s", pat, big);
			free(pat);
			return SWT_EINVAL;
		}
		rc = regcomp(&rx, pat, REG_EXTENDED);
		if (rc != 0) {
			char why[128];

			regerror(rc, &rx, why, sizeof(why));
			set_err(errmsg, errlen, "bad value for " NORMS_KEY
				": '%.200s': %s", pat, why);
			free(pat);
			return SWT_EINVAL;
		}
		regfree(&rx);
		free(pat);
	}
	clear_norms(t);
	t->norms = swt_calloc(n ? n : 1, sizeof(*t->norms));
	for (it = *value ? value : NULL; next_rule(&it, &p, &len);) {
		(void)split_norm(p, len, &re, &re_len, &repl, &repl_len);
		t->norms[t->n_norms].re = swt_strndup(re, re_len);
		t->norms[t->n_norms].repl = swt_strndup(repl, repl_len);
		t->n_norms++;
	}
	t->norms_src = src;
	return 0;
}

/* Scopes of the duplicate detection's map: a counter of rate.NAME (or
 * of its alias) and a plain key are different keys even when spelt the
 * same ("rate.memory_mb" and "memory_mb"). */
enum { SCOPE_KEY = 0, SCOPE_COUNTER = 1 };

/* The key a name stands for, for duplicate detection: aliases are their
 * rate.NAME. Returns a pointer into a static string or into key. */
static const char *canonical_key(const char *key, uint32_t *scope)
{
	size_t i;

	*scope = SCOPE_COUNTER;
	for (i = 0; i < sizeof(rate_defaults) / sizeof(rate_defaults[0]);
	     i++)
		if (strcmp(key, rate_defaults[i].alias) == 0)
			return rate_defaults[i].counter;
	if (strncmp(key, RATE_PREFIX, strlen(RATE_PREFIX)) == 0)
		return key + strlen(RATE_PREFIX);
	*scope = SCOPE_KEY;
	return key;
}

static bool valid_counter_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == '=' || *s == 0x7f)
			return false;
	return true;
}

/* A rate key (an alias or rate.NAME): 1 with its counter (a static
 * string or a pointer into key) and value; 0 if key is not a rate key;
 * SWT_EINVAL for a bad counter name or value. */
static int parse_rate_key(const char **counter, int64_t *v, const char *key,
			  const char *value, char *errmsg, size_t errlen)
{
	static const struct key_desc rate_desc = { "rate", 0, 1, MAX_MILLI,
						   false };
	struct key_desc d = rate_desc;
	size_t i;
	int err = 0;

	*counter = NULL;
	for (i = 0; i < sizeof(rate_defaults) / sizeof(rate_defaults[0]);
	     i++)
		if (strcmp(key, rate_defaults[i].alias) == 0)
			*counter = rate_defaults[i].counter;
	if (!*counter && strncmp(key, RATE_PREFIX, strlen(RATE_PREFIX)) == 0) {
		*counter = key + strlen(RATE_PREFIX);
		if (!valid_counter_name(*counter)) {
			set_err(errmsg, errlen, "bad key '%s' (expected "
				"rate.COUNTER)", key);
			err = SWT_EINVAL;
			goto out;
		}
	}
	if (!*counter)
		goto out;
	d.name = key;
	SWT_TRY(err = parse_value(v, &d, value, errmsg, errlen));
	err = 1;
out:
	return err;
}

/* Rates set many at a time: collected, then sorted and merged into the
 * sorted array once (n log n), where inserting each in turn would shift
 * the array every time (n^2). */
struct pending_rate {
	char *counter;
	int64_t v;
	enum swt_th_source src;
	size_t seq;		/* order given: a later one wins */
};

struct batch {
	struct pending_rate *p;
	size_t n, cap;
};

static void batch_add(struct batch *b, const char *counter, int64_t v,
		      enum swt_th_source src)
{
	b->p = swt_grow(b->p, &b->cap, b->n + 1, sizeof(*b->p));
	b->p[b->n].counter = swt_strdup(counter);
	b->p[b->n].v = v;
	b->p[b->n].src = src;
	b->p[b->n].seq = b->n;
	b->n++;
}

static int cmp_pending(const void *a, const void *b)
{
	const struct pending_rate *x = a, *y = b;
	int c = strcmp(x->counter, y->counter);

	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void batch_fini(struct batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		free(b->p[i].counter);
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* Merge the batch into t's rates (a pending rate replaces an existing
 * one of the same counter; of several pending, the last given wins) and
 * empty it. */
static void batch_apply(struct swt_thresholds *t, struct batch *b)
{
	struct swt_th_rate *m;
	size_t i = 0, j = 0, n = 0;

	if (b->n == 0)	/* qsort(NULL, 0, ...) is undefined */
		return;
	qsort(b->p, b->n, sizeof(*b->p), cmp_pending);
	m = swt_calloc(t->n_rates + b->n + 1, sizeof(*m));
	while (i < t->n_rates || j < b->n) {
		int c;

		if (j + 1 < b->n &&
		    strcmp(b->p[j].counter, b->p[j + 1].counter) == 0) {
			free(b->p[j++].counter);	/* overridden */
			continue;
		}
		if (i == t->n_rates)
			c = 1;
		else if (j == b->n)
			c = -1;
		else
			c = strcmp(t->rates[i].counter, b->p[j].counter);
		if (c < 0) {
			m[n++] = t->rates[i++];
			continue;
		}
		if (c == 0)
			free(t->rates[i++].counter);
		m[n].counter = b->p[j].counter;
		m[n].per_minute_milli = b->p[j].v;
		m[n].source = b->p[j].src;
		n++;
		j++;
	}
	free(t->rates);
	t->rates = m;
	t->n_rates = n;
	b->n = 0;	/* every counter moved or freed */
	batch_fini(b);
}

int swt_thresholds_set(struct swt_thresholds *t, const char *key,
		       const char *value, enum swt_th_source src,
		       char *errmsg, size_t errlen)
{
	const char *counter;
	int64_t v = 0;
	size_t i;
	int err = 0;

	for (i = 0; i < SWT_TH_N_SCALAR; i++) {
		if (strcmp(key, keys[i].name) == 0) {
			SWT_TRY(err = parse_value(&v, &keys[i], value, errmsg,
						  errlen));
			t->v[i] = v;
			t->src[i] = src;
			goto out;
		}
	}
	if (strcmp(key, HEAVY_KEY) == 0) {
		err = set_heavy(t, value, src, errmsg, errlen);
		goto out;
	}
	if (strcmp(key, GROUP_BY_KEY) == 0) {
		err = set_group_by(t, value, src, errmsg, errlen);
		goto out;
	}
	if (strcmp(key, GROUPS_KEY) == 0) {
		err = set_groups(t, value, src, errmsg, errlen);
		goto out;
	}
	if (strcmp(key, NORMS_KEY) == 0) {
		err = set_norms(t, value, src, errmsg, errlen);
		goto out;
	}
	SWT_TRY(err = parse_rate_key(&counter, &v, key, value, errmsg,
				     errlen));
	if (err == 1) {
		set_rate(t, counter, v, src);
		err = 0;
		goto out;
	}
	set_err(errmsg, errlen, "unknown key '%s'", key);
	err = SWT_EINVAL;
out:
	return err;
}

int swt_thresholds_set_assignment(struct swt_thresholds *t, const char *kv,
				  enum swt_th_source src, char *errmsg,
				  size_t errlen)
{
	const char *eq = strchr(kv, '=');
	char *key = NULL;
	int err;

	if (!eq || eq == kv) {
		set_err(errmsg, errlen, "expected KEY=VALUE, got '%s'", kv);
		return SWT_EINVAL;
	}
	key = swt_strndup(kv, (size_t)(eq - kv));
	err = swt_thresholds_set(t, key, eq + 1, src, errmsg, errlen);
	free(key);
	return err;
}

/* One assignment into a working copy: rates into the batch, the rest
 * directly. */
static int apply_one(struct swt_thresholds *tmp, struct batch *b,
		     const char *key, const char *value,
		     enum swt_th_source src, char *errmsg, size_t errlen)
{
	const char *counter;
	int64_t v = 0;
	int err;

	SWT_TRY(err = parse_rate_key(&counter, &v, key, value, errmsg,
				     errlen));
	if (err == 1) {
		batch_add(b, counter, v, src);
		err = 0;
		goto out;
	}
	err = swt_thresholds_set(tmp, key, value, src, errmsg, errlen);
out:
	return err;
}

int swt_thresholds_set_assignments(struct swt_thresholds *t,
				   const char *const *kv, size_t n,
				   enum swt_th_source src, char *errmsg,
				   size_t errlen)
{
	struct swt_thresholds tmp;
	struct batch b = { NULL, 0, 0 };
	char *key = NULL;
	size_t i;
	int err = 0;

	swt_thresholds_copy(&tmp, t);
	for (i = 0; i < n; i++) {
		const char *eq = strchr(kv[i], '=');

		if (!eq || eq == kv[i]) {
			set_err(errmsg, errlen, "expected KEY=VALUE, got '%s'",
				kv[i]);
			err = SWT_EINVAL;
			goto out;
		}
		key = swt_strndup(kv[i], (size_t)(eq - kv[i]));
		SWT_TRY(err = apply_one(&tmp, &b, key, eq + 1, src, errmsg,
					errlen));
		free(key);
		key = NULL;
	}
	batch_apply(&tmp, &b);
	swt_thresholds_fini(t);
	*t = tmp;
	memset(&tmp, 0, sizeof(tmp));
out:
	free(key);
	batch_fini(&b);
	swt_thresholds_fini(&tmp);
	return err;
}

int swt_thresholds_load(struct swt_thresholds *t, const char *text,
			size_t len, const char *name, char *errmsg,
			size_t errlen)
{
	struct swt_thresholds tmp;
	struct batch b = { NULL, 0, 0 };
	struct swt_smap seen;	/* canonical key -> its line */
	char msg[256];
	size_t line = 0;
	const char *p = text, *end = text + len;
	int err = 0;

	swt_thresholds_copy(&tmp, t);
	swt_smap_init(&seen);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *ks, *ke, *vs, *ve, *eq;
		char *key = NULL, *value = NULL;
		const char *canon;
		uint32_t scope, prev;

		line++;
		if (memchr(p, '\0', (size_t)(le - p))) {
			set_err(errmsg, errlen, "%s:%zu: NUL byte in line",
				name, line);
			err = SWT_EINVAL;
			goto out;
		}
		ks = p;
		while (ks < le && is_blank(*ks))
			ks++;
		ve = le;
		if (ve > ks && ve[-1] == '\r')
			ve--;
		while (ve > ks && is_blank(ve[-1]))
			ve--;
		p = nl ? nl + 1 : end;
		if (ks == ve || *ks == '#')
			continue;
		eq = memchr(ks, '=', (size_t)(ve - ks));
		if (!eq) {
			set_err(errmsg, errlen, "%s:%zu: expected KEY = VALUE",
				name, line);
			err = SWT_EINVAL;
			goto out;
		}
		ke = eq;
		while (ke > ks && is_blank(ke[-1]))
			ke--;
		vs = eq + 1;
		while (vs < ve && is_blank(*vs))
			vs++;
		if (ke == ks) {
			set_err(errmsg, errlen, "%s:%zu: missing key before "
				"'='", name, line);
			err = SWT_EINVAL;
			goto out;
		}
		key = swt_strndup(ks, (size_t)(ke - ks));
		value = swt_strndup(vs, (size_t)(ve - vs));
		canon = canonical_key(key, &scope);
		prev = swt_smap_get(&seen, scope, canon, strlen(canon));
		if (prev != SWT_MAP_NONE) {
			set_err(errmsg, errlen, "%s:%zu: '%s' already set on "
				"line %u", name, line, key, (unsigned)prev);
			err = SWT_EINVAL;
		}
		if (err == 0) {
			err = apply_one(&tmp, &b, key, value, SWT_TH_CONFIG,
					msg, sizeof(msg));
			if (err < 0)
				set_err(errmsg, errlen, "%s:%zu: %s", name,
					line, msg);
		}
		/* a line number fits: a loaded file has at most
		 * MAX_CONFIG_BYTES lines */
		if (err == 0)
			swt_smap_put(&seen, scope, canon, strlen(canon),
				     (uint32_t)line);
		free(key);
		free(value);
		if (err < 0)
			goto out;
	}
	batch_apply(&tmp, &b);
	swt_thresholds_fini(t);
	*t = tmp;
	memset(&tmp, 0, sizeof(tmp));
out:
	batch_fini(&b);
	swt_smap_fini(&seen);
	swt_thresholds_fini(&tmp);
	return err;
}

int swt_thresholds_load_file(struct swt_thresholds *t, const char *path,
			     char *errmsg, size_t errlen)
{
	FILE *f = NULL;
	char *data = NULL;
	size_t len = 0, n;
	int err = 0;

	f = fopen(path, "rb");
	if (!f) {
		set_err(errmsg, errlen, "%s: %s", path, strerror(errno));
		err = SWT_EIO;
		goto out;
	}
	data = swt_zalloc(MAX_CONFIG_BYTES + 1);
	n = fread(data, 1, MAX_CONFIG_BYTES + 1, f);
	if (ferror(f)) {
		set_err(errmsg, errlen, "%s: read error: %s", path,
			strerror(errno));
		err = SWT_EIO;
		goto out;
	}
	if (n > MAX_CONFIG_BYTES) {
		set_err(errmsg, errlen, "%s: larger than %d bytes", path,
			MAX_CONFIG_BYTES);
		err = SWT_EINVAL;
		goto out;
	}
	len = n;
	err = swt_thresholds_load(t, data, len, path, errmsg, errlen);
out:
	if (f)
		fclose(f);
	free(data);
	return err;
}

static void put_milli(struct swt_buf *b, int64_t v, bool count)
{
	unsigned dec = 3;
	int64_t x = v;

	if (count) {
		swt_buf_i64(b, v);
		return;
	}
	while (dec > 0 && x % 10 == 0) {
		x /= 10;
		dec--;
	}
	swt_buf_fixed(b, v, 3, dec);
}

void swt_thresholds_format(const struct swt_thresholds *t,
			   struct swt_buf *out)
{
	size_t i;

	for (i = 0; i < SWT_TH_N_SCALAR; i++) {
		swt_buf_printf(out, "%s = ", keys[i].name);
		put_milli(out, t->v[i], keys[i].count);
		swt_buf_putc(out, '\n');
	}
	swt_buf_puts(out, HEAVY_KEY " = ");
	for (i = 0; i < t->n_heavy; i++)
		swt_buf_printf(out, "%s%s", i ? "," : "", t->heavy[i]);
	swt_buf_puts(out, "\n" GROUP_BY_KEY " = ");
	swt_buf_puts(out, swt_group_by_name(t->group_by));
	swt_buf_puts(out, "\n" GROUPS_KEY " = ");
	for (i = 0; i < t->n_groups; i++)
		swt_buf_printf(out, "%s%s:%s", i ? "," : "", t->groups[i].name,
			       t->groups[i].pattern);
	swt_buf_puts(out, "\n" NORMS_KEY " = ");
	for (i = 0; i < t->n_norms; i++)
		swt_buf_printf(out, "%s%s => %s", i ? "; " : "",
			       t->norms[i].re, t->norms[i].repl);
	swt_buf_putc(out, '\n');
	for (i = 0; i < t->n_rates; i++) {
		swt_buf_printf(out, RATE_PREFIX "%s = ", t->rates[i].counter);
		put_milli(out, t->rates[i].per_minute_milli, false);
		swt_buf_putc(out, '\n');
	}
}

int swt_thresholds_from_options(struct swt_thresholds *t, const char *config,
				const char *const *kv, size_t n,
				const char *group_by, char *errmsg,
				size_t errlen)
{
	char msg[512];
	int err;

	if (config) {
		err = swt_thresholds_load_file(t, config, msg, sizeof(msg));
		if (err < 0) {
			set_err(errmsg, errlen, "%s", msg);
			return err;
		}
	}
	/* all at once: n log n for many rate.NAME (one by one is n^2) */
	err = swt_thresholds_set_assignments(t, kv, n, SWT_TH_OPTION, msg,
					     sizeof(msg));
	if (err < 0) {
		set_err(errmsg, errlen, "--threshold: %s", msg);
		return err;
	}
	/* after every --threshold, as the later option it is */
	if (group_by) {
		err = swt_thresholds_set(t, GROUP_BY_KEY, group_by,
					 SWT_TH_OPTION, msg, sizeof(msg));
		if (err < 0) {
			set_err(errmsg, errlen, "--group-by: %s", msg);
			return err;
		}
	}
	return 0;
}

int64_t swt_thresholds_rate(const struct swt_thresholds *t,
			    const char *counter)
{
	bool found;
	size_t i = rate_pos(t, counter, &found);

	return found ? t->rates[i].per_minute_milli : -1;
}

/* Iterative glob with one backtrack point: linear in practice. fold:
 * ASCII case-insensitive. */
bool swt_glob_match(const char *pat, const char *s, bool fold)
{
	const char *star = NULL, *retry = NULL;

	while (*s) {
		if (*pat == '*') {
			star = pat++;
			retry = s;
		} else if (*pat &&
			   (*pat == '?' || *pat == *s ||
			    (fold && lower(*pat) == lower(*s)))) {
			pat++;
			s++;
		} else if (star) {
			pat = star + 1;
			s = ++retry;
		} else {
			return false;
		}
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

bool swt_thresholds_heavy_match(const struct swt_thresholds *t,
				const char *name, const char **pattern)
{
	uint64_t have = 0;
	size_t len, i;

	for (len = 0; name[len]; len++)
		have |= byte_bit(name[len]);
	for (i = 0; i < t->n_heavy; i++) {
		const struct swt_th_heavy_ix *ix = &t->heavy_ix[i];

		if (ix->min_len > len || (ix->need & ~have))
			continue;
		if (swt_glob_match(t->heavy[i], name, true)) {
			if (pattern)
				*pattern = t->heavy[i];
			return true;
		}
	}
	return false;
}

const char *swt_thresholds_group_match(const struct swt_thresholds *t,
				       const char *command)
{
	size_t i;

	for (i = 0; i < t->n_groups; i++)
		if (swt_glob_match(t->groups[i].pattern, command, false))
			return t->groups[i].name;
	return NULL;
}
