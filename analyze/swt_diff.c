/* swt_diff.c — sessions compared (see swt_diff.h and docs/ci.md). */
#include "swt_diff.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "swt_alloc.h"
#include "swt_buf.h"
#include "swt_checked.h"
#include "swt_parse.h"
#include "swt_stats.h"
#include "swt_status.h"

const char *swt_verdict_name(enum swt_verdict v)
{
	switch (v) {
	case SWT_VERDICT_UNCHANGED:
		return "unchanged";
	case SWT_VERDICT_IMPROVEMENT:
		return "improvement";
	case SWT_VERDICT_INCONCLUSIVE:
		return "inconclusive";
	case SWT_VERDICT_REGRESSION:
		return "regression";
	}
	return "?";
}

const char *swt_diff_method_name(enum swt_diff_method m)
{
	return m == SWT_DIFF_RANK ? "rank_test" : "single_run";
}

const char *swt_diff_status_name(enum swt_diff_status s)
{
	switch (s) {
	case SWT_DIFF_MATCHED:
		return "matched";
	case SWT_DIFF_APPEARED:
		return "appeared";
	case SWT_DIFF_DISAPPEARED:
		return "disappeared";
	}
	return "?";
}

/* ---- loading: one analysis per file, on several threads ------------------- */

struct load_ctx {
	struct swt_diff_run *runs;
	size_t n;
	const struct swt_engine_opts *opts;
	unsigned decode_threads;
	pthread_mutex_t lock;
	size_t next;
};

static void load_one(struct swt_diff_run *r, const struct swt_engine_opts *o,
		     unsigned decode_threads)
{
	r->status = swt_reader_open(&r->reader, r->path, 0, r->errmsg,
				    sizeof(r->errmsg));
	if (r->status < 0)
		return;
	r->opened = true;
	/* without threads the file is decoded on this one: the same */
	swt_reader_set_threads(r->reader, decode_threads);
	r->status = swt_analysis_run(&r->an, r->reader, o, r->errmsg,
				     sizeof(r->errmsg));
}

static void *load_worker(void *arg)
{
	struct load_ctx *c = arg;

	for (;;) {
		size_t i;

		pthread_mutex_lock(&c->lock);
		i = c->next++;
		pthread_mutex_unlock(&c->lock);
		if (i >= c->n)
			break;
		load_one(&c->runs[i], c->opts, c->decode_threads);
	}
	return NULL;
}

void swt_diff_load(struct swt_diff_run *runs, size_t n,
		   const struct swt_engine_opts *opts, unsigned threads,
		   unsigned decode_threads)
{
	struct load_ctx c = { runs, n, opts, 1, PTHREAD_MUTEX_INITIALIZER, 0 };
	pthread_t tid[16];
	size_t k, started = 0;
	long online = sysconf(_SC_NPROCESSORS_ONLN);

	if (online < 1)
		online = 1;
	if (!threads)
		threads = (unsigned)online;
	if (threads > 16)
		threads = 16;
	if (threads > n)
		threads = (unsigned)n;
	/* by default the CPUs the analyses leave over, at most 4 each (one
	 * analysis consumes what about two decoding threads produce) */
	if (!decode_threads && threads) {
		decode_threads = (unsigned)online / threads;
		if (decode_threads > 4)
			decode_threads = 4;
	}
	if (decode_threads > SWT_READER_MAX_THREADS)
		decode_threads = SWT_READER_MAX_THREADS;
	c.decode_threads = decode_threads ? decode_threads : 1;
	/* the analyses share nothing (the engine has no global state); the
	 * calling thread works too */
	for (k = 1; k < threads; k++)
		if (pthread_create(&tid[started], NULL, load_worker, &c) == 0)
			started++;
	load_worker(&c);
	for (k = 0; k < started; k++)
		pthread_join(tid[k], NULL);
	pthread_mutex_destroy(&c.lock);
}

void swt_diff_runs_fini(struct swt_diff_run *runs, size_t n)
{
	size_t i;

	for (i = 0; runs && i < n; i++) {
		swt_analysis_free(runs[i].an);
		swt_reader_free(runs[i].reader);
		runs[i].an = NULL;
		runs[i].reader = NULL;
	}
}

/* ---- normalize_patterns ------------------------------------------------------ */

struct norm {
	size_t n;
	regex_t *rx;
	const char **repl;
};

static void norm_init(struct norm *z, const struct swt_thresholds *th)
{
	size_t i;

	z->rx = swt_calloc(th->n_norms ? th->n_norms : 1, sizeof(*z->rx));
	z->repl = swt_calloc(th->n_norms ? th->n_norms : 1,
			     sizeof(*z->repl));
	z->n = 0;
	for (i = 0; i < th->n_norms; i++) {
		/* validated when set: a failure here is out of memory */
		if (regcomp(&z->rx[z->n], th->norms[i].re, REG_EXTENDED) != 0)
			abort();
		z->repl[z->n++] = th->norms[i].repl;
	}
}

static void norm_fini(struct norm *z)
{
	size_t i;

	for (i = 0; i < z->n; i++)
		regfree(&z->rx[i]);
	free(z->rx);
	free(z->repl);
}

/* repl with \1..\9 and & expanded for the match m of subject p. */
static void expand(struct swt_buf *out, const char *repl, const char *p,
		   const regmatch_t *m)
{
	for (; *repl; repl++) {
		int g = -1;

		if (*repl == '\\' && repl[1] >= '0' && repl[1] <= '9') {
			g = repl[1] - '0';
			repl++;
		} else if (*repl == '\\' && repl[1]) {
			swt_buf_putc(out, *++repl);
			continue;
		} else if (*repl == '&') {
			g = 0;
		}
		if (g < 0)
			swt_buf_putc(out, *repl);
		else if (m[g].rm_so >= 0)
			swt_buf_add(out, p + m[g].rm_so,
				    (size_t)(m[g].rm_eo - m[g].rm_so));
	}
}

static char *norm_apply(const struct norm *z, const char *s)
{
	char *cur = swt_strdup(s);
	size_t i;

	for (i = 0; i < z->n; i++) {
		struct swt_buf out = SWT_BUF_INIT;
		const char *p = cur;
		regmatch_t m[10];
		int eflags = 0;

		while (*p && regexec(&z->rx[i], p, 10, m, eflags) == 0) {
			if (m[0].rm_eo == 0) {	/* empty match: step on */
				swt_buf_add(&out, p, 1);
				p++;
			} else {
				swt_buf_add(&out, p, (size_t)m[0].rm_so);
				expand(&out, z->repl[i], p, m);
				p += m[0].rm_eo;
			}
			eflags = REG_NOTBOL;
		}
		swt_buf_puts(&out, p);
		free(cur);
		cur = out.ptr ? out.ptr : swt_strdup("");
	}
	return cur;
}

char *swt_diff_normalize(const struct swt_thresholds *th, const char *s)
{
	struct norm z;
	char *r;

	norm_init(&z, th);
	r = norm_apply(&z, s);
	norm_fini(&z);
	return r;
}

/* ---- metrics ---------------------------------------------------------------- */

enum metric {
	M_DURATION,
	M_CPU_S,
	M_CPU_PCT,
	M_MEM_AVG,
	M_MEM_PEAK,
	M_CALLS_PM,
	M_IO_MB,
	M_NET_MB,
	M_WEIGHT,
	M_COUNT,
	M_PER_MIN,
	M_N
};

static const struct {
	const char *key;
	const char *unit;
	unsigned scale, dec;
	int floor_key;		/* enum swt_th_key, or -1: a floor of 1 */
} mdefs[M_N] = {
	[M_DURATION] = { "duration_s", "s", 3, 3, SWT_TH_DIFF_MIN_DURATION_S },
	[M_CPU_S] = { "cpu_s", "s", 3, 3, SWT_TH_DIFF_MIN_CPU_S },
	[M_CPU_PCT] = { "cpu_percent_avg", "percent", 3, 1,
			SWT_TH_DIFF_MIN_CPU_PERCENT },
	[M_MEM_AVG] = { "memory_mb_avg", "MB", 3, 1,
			SWT_TH_DIFF_MIN_MEMORY_MB },
	[M_MEM_PEAK] = { "memory_mb_peak", "MB", 3, 1,
			 SWT_TH_DIFF_MIN_MEMORY_MB },
	[M_CALLS_PM] = { "calls_per_minute", "per_minute", 3, 1,
			 SWT_TH_DIFF_MIN_PER_MINUTE },
	[M_IO_MB] = { "io_mb", "MB", 3, 1, SWT_TH_DIFF_MIN_BYTES_MB },
	[M_NET_MB] = { "net_mb", "MB", 3, 1, SWT_TH_DIFF_MIN_BYTES_MB },
	[M_WEIGHT] = { "weight", NULL, 3, 3, SWT_TH_DIFF_MIN_WEIGHT },
	[M_COUNT] = { "count", NULL, 0, 0, -1 },
	[M_PER_MIN] = { "per_minute", "per_minute", 3, 1,
			SWT_TH_DIFF_MIN_PER_MINUTE },
};

/* How a contended runner moves a metric of the runs it stalls: +1 up
 * (wall time, and CPU time: caches, SMT siblings, frequency), -1 down
 * (everything per wall-clock minute: the same work takes longer), 2
 * either way (the share of a core: down for a program the stalls slow,
 * up for one on a fixed schedule whose CPU time they inflate; and the
 * weight made of it), 0 not at all (memory, bytes and counts are the
 * program's own). */
static int contention_moves(enum metric k)
{
	switch (k) {
	case M_DURATION:
	case M_CPU_S:
		return 1;
	case M_CALLS_PM:
	case M_PER_MIN:
		return -1;
	case M_CPU_PCT:
	case M_WEIGHT:
		return 2;
	default:
		return 0;
	}
}

/* ---- budgets ---------------------------------------------------------------- */

const char *swt_budget_verdict_name(enum swt_budget_verdict v)
{
	switch (v) {
	case SWT_BUDGET_WITHIN:
		return "within_budget";
	case SWT_BUDGET_OVER:
		return "over_budget";
	case SWT_BUDGET_UNMATCHED:
		return "unmatched";
	}
	return "?";
}

static void budget_err(char *errmsg, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void budget_err(char *errmsg, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!errmsg || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(errmsg, errlen, fmt, ap);
	va_end(ap);
}

void swt_budget_fini(struct swt_budget *b)
{
	size_t i;

	for (i = 0; b && i < b->n; i++) {
		free(b->rules[i].kind);
		free(b->rules[i].name);
	}
	if (b) {
		free(b->rules);
		memset(b, 0, sizeof(*b));
	}
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* The next blank-separated word of [*p, end): NUL-terminated copy. */
static char *word(const char **p, const char *end)
{
	const char *s;

	while (*p < end && blank(**p))
		(*p)++;
	s = *p;
	while (*p < end && !blank(**p))
		(*p)++;
	return *p > s ? swt_strndup(s, (size_t)(*p - s)) : NULL;
}

static bool valid_kind(const char *k)
{
	return !strcmp(k, "process") || !strcmp(k, "module") ||
	       !strcmp(k, "thread") || !strcmp(k, "counter") ||
	       !strcmp(k, "*");
}

int swt_budget_parse(struct swt_budget *b, const char *text, size_t len,
		     const char *name, char *errmsg, size_t errlen)
{
	struct swt_budget tmp = { 0, NULL };
	const char *p = text, *end = text + len;
	size_t cap = 0;
	unsigned line = 0;
	int err = 0;

	while (p < end && err == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *q = p;
		char *w[5] = { NULL, NULL, NULL, NULL, NULL };
		struct swt_budget_rule r;
		int k, mi;

		line++;
		p = nl ? nl + 1 : end;
		if (memchr(q, '\0', (size_t)(le - q))) {
			budget_err(errmsg, errlen, "%s:%u: NUL byte in line",
				   name, line);
			err = SWT_EINVAL;
			break;
		}
		while (q < le && blank(*q))
			q++;
		if (q == le || *q == '#')
			continue;
		for (k = 0; k < 5; k++)
			w[k] = word(&q, le);
		memset(&r, 0, sizeof(r));
		r.line = line;
		if (!w[3] || w[4] || strcmp(w[2], "<=") != 0) {
			budget_err(errmsg, errlen, "%s:%u: expected SUBJECT "
				   "METRIC <= LIMIT", name, line);
			err = SWT_EINVAL;
			goto next;
		}
		if (strcmp(w[0], "session") == 0) {
			r.kind = swt_strdup("session");
			r.name = swt_strdup("session");
		} else {
			char *colon = strchr(w[0], ':');

			if (!colon || colon == w[0] || !colon[1]) {
				budget_err(errmsg, errlen, "%s:%u: subject "
					   "'%.200s': expected session or "
					   "KIND:NAME", name, line, w[0]);
				err = SWT_EINVAL;
				goto next;
			}
			r.kind = swt_strndup(w[0], (size_t)(colon - w[0]));
			r.name = swt_strdup(colon + 1);
			if (!valid_kind(r.kind)) {
				budget_err(errmsg, errlen, "%s:%u: kind "
					   "'%.100s': expected process, "
					   "module, thread, counter or *",
					   name, line, r.kind);
				err = SWT_EINVAL;
				goto next;
			}
		}
		for (mi = 0; mi < M_N; mi++)
			if (strcmp(w[1], mdefs[mi].key) == 0)
				break;
		if (mi == M_N) {
			budget_err(errmsg, errlen, "%s:%u: unknown metric "
				   "'%.100s'", name, line, w[1]);
			err = SWT_EINVAL;
			goto next;
		}
		r.metric = mdefs[mi].key;
		r.metric_id = mi;
		if (swt_parse_fixed(&r.limit, w[3], mdefs[mi].scale) < 0 ||
		    r.limit < 0) {
			budget_err(errmsg, errlen, "%s:%u: bad limit '%.100s' "
				   "(a number with at most %u decimals)",
				   name, line, w[3], mdefs[mi].scale);
			err = SWT_EINVAL;
			goto next;
		}
		tmp.rules = swt_grow(tmp.rules, &cap, tmp.n + 1,
				     sizeof(*tmp.rules));
		tmp.rules[tmp.n++] = r;
		memset(&r, 0, sizeof(r));
next:
		free(r.kind);
		free(r.name);
		for (k = 0; k < 5; k++)
			free(w[k]);
	}
	if (err < 0) {
		swt_budget_fini(&tmp);
		return err;
	}
	swt_budget_fini(b);
	*b = tmp;
	return 0;
}

#define MAX_BUDGET_BYTES (1024 * 1024)

int swt_budget_load(struct swt_budget *b, const char *path, char *errmsg,
		    size_t errlen)
{
	struct swt_buf text = SWT_BUF_INIT;
	char chunk[8192];
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;
	ssize_t n;

	if (fd < 0) {
		budget_err(errmsg, errlen, "%s: %s", path, strerror(errno));
		return SWT_EIO;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		if (text.len + (size_t)n > MAX_BUDGET_BYTES) {
			budget_err(errmsg, errlen, "%s: larger than 1 MiB: "
				   "not a budget", path);
			err = SWT_EINVAL;
			break;
		}
		swt_buf_add(&text, chunk, (size_t)n);
	}
	if (n < 0 && err == 0) {
		budget_err(errmsg, errlen, "%s: %s", path, strerror(errno));
		err = SWT_EIO;
	}
	close(fd);
	if (err == 0)
		err = swt_budget_parse(b, text.ptr ? text.ptr : "", text.len,
				       path, errmsg, errlen);
	swt_buf_fini(&text);
	return err;
}

/* What one run says of one subject. */
struct entry {
	char *key;		/* kind NUL name NUL process NUL group */
	size_t run;
	enum swt_module_kind kind;
	const struct swt_session_result *ses;
	const struct swt_module_result *mod;
	const struct swt_counter_result *ctr;
};

/* Subject kinds in report order. */
static int kind_rank(enum swt_module_kind k)
{
	switch (k) {
	case SWT_KIND_SESSION:
		return 0;
	case SWT_KIND_PROCESS:
		return 1;
	case SWT_KIND_MODULE:
		return 2;
	case SWT_KIND_THREAD:
		return 3;
	case SWT_KIND_COUNTER:
		return 4;
	}
	return 5;
}

static void make_key(struct entry *e, enum swt_module_kind kind,
		     const char *name, const char *process, const char *group)
{
	struct swt_buf b = SWT_BUF_INIT;

	swt_buf_putc(&b, (char)('0' + kind_rank(kind)));
	swt_buf_add(&b, name, strlen(name) + 1);
	swt_buf_add(&b, process, strlen(process) + 1);
	swt_buf_add(&b, group, strlen(group) + 1);
	e->key = b.ptr;
	e->kind = kind;
}

static size_t key_len(const char *k)
{
	const char *p = k + 1;
	int i;

	for (i = 0; i < 3; i++)
		p += strlen(p) + 1;
	return (size_t)(p - k);
}

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	size_t lx = key_len(x->key), ly = key_len(y->key);
	int c = memcmp(x->key, y->key, lx < ly ? lx : ly);

	if (c)
		return c;
	if (lx != ly)
		return lx < ly ? -1 : 1;
	return (x->run > y->run) - (x->run < y->run);
}

/* The value of metric k in one entry; false if it has none there. */
static bool value_of(const struct entry *e, enum metric k, int64_t *v)
{
	const struct swt_module_result *m = e->mod;
	const struct swt_session_result *s = e->ses;

	*v = 0;
	if (s) {
		switch (k) {
		case M_DURATION:
			*v = s->duration_ns / 1000000;
			return true;
		case M_CPU_S:
			*v = s->cpu_ms;
			return true;
		case M_CPU_PCT:
			*v = s->cpu_avg_mpct;
			return true;
		case M_MEM_AVG:
			*v = s->mem_avg_mmb;
			return true;
		case M_MEM_PEAK:
			*v = s->mem_peak_mmb;
			return true;
		case M_IO_MB:
			*v = swt_sat_add(s->io_read_mmb, s->io_write_mmb);
			return s->has_io;
		case M_NET_MB:
			*v = swt_sat_add(s->net_sent_mmb, s->net_recv_mmb);
			return s->has_net;
		default:
			return false;
		}
	}
	if (e->ctr) {
		if (k == M_COUNT)
			*v = e->ctr->count;
		else if (k == M_PER_MIN)
			*v = e->ctr->per_min_milli;
		return k == M_COUNT || k == M_PER_MIN;
	}
	switch (k) {
	case M_CPU_S:
		*v = m->cpu_ms;
		return true;
	case M_CPU_PCT:
		*v = m->cpu_avg_mpct;
		return true;
	case M_MEM_AVG:
		*v = m->mem_avg_mmb;
		return m->has_memory;
	case M_MEM_PEAK:
		*v = m->mem_peak_mmb;
		return m->has_memory;
	case M_CALLS_PM:
		*v = m->calls_per_min_milli;
		return m->subj.kind != SWT_KIND_THREAD;
	case M_IO_MB:
		*v = swt_sat_add(m->io_read_mmb, m->io_write_mmb);
		return m->has_io;
	case M_NET_MB:
		*v = swt_sat_add(m->net_sent_mmb, m->net_recv_mmb);
		return m->has_net;
	case M_WEIGHT:
		*v = m->weight;
		return true;
	default:
		return false;
	}
}

/* ---- the verdict of one metric ---------------------------------------------- */

static int64_t abs64(int64_t v)
{
	return v < 0 ? (v == INT64_MIN ? INT64_MAX : -v) : v;
}

/* ceil(n * h^2 / t^2), at least n + 1, at most 999. */
static unsigned runs_for(size_t n, int64_t h, int64_t t)
{
	swt_u128 num, den;
	uint64_t k;

	if (t <= 0)
		return 999;
	num = (swt_u128)n * (swt_u128)h * (swt_u128)h;
	den = (swt_u128)t * (swt_u128)t;
	k = (uint64_t)((num + den - 1) / den > 999 ? 999 :
						     (num + den - 1) / den);
	if (k <= n)
		k = n + 1;
	return (unsigned)(k > 999 ? 999 : k);
}

static void decide(struct swt_diff_metric *r, const int64_t *x, size_t n,
		   const int64_t *y, size_t m, const struct swt_thresholds *th,
		   int64_t floor, int64_t *scratch, const swt_u128 *dist)
{
	int64_t e, tmp[SWT_DIFF_MAX_RUNS];
	int64_t alpha = th->v[SWT_TH_DIFF_SIGNIFICANCE];
	struct swt_shift s;
	size_t i;

	r->n_base = n;
	r->n_new = m;
	for (i = 0; i < n; i++)
		tmp[i] = x[i];
	r->base = swt_median(tmp, n);
	for (i = 0; i < m; i++)
		tmp[i] = y[i];
	r->new_ = swt_median(tmp, m);
	e = swt_muldiv(abs64(r->base),
		       th->v[n == 1 && m == 1 ?
				     SWT_TH_DIFF_MIN_CHANGE_PERCENT :
				     SWT_TH_DIFF_MIN_CHANGE_PERCENT_REPEATED],
		       100000);
	if (e < floor)
		e = floor;
	r->min_effect = e;
	r->note = "";
	if (n == 1 && m == 1) {
		r->method = SWT_DIFF_SINGLE;
		r->change = swt_sat_sub(y[0], x[0]);
		if (r->change != 0 && abs64(r->change) >= e)
			r->verdict = r->change > 0 ? SWT_VERDICT_REGRESSION :
						     SWT_VERDICT_IMPROVEMENT;
		else
			r->verdict = SWT_VERDICT_UNCHANGED;
		goto rel;
	}
	r->method = SWT_DIFF_RANK;
	swt_shift_estimate(x, n, y, m, alpha, scratch, dist, &s);
	r->change = s.hl;
	r->has_p = true;
	r->p_ppm = s.p_ppm;
	r->has_ci = s.has_ci;
	r->lo = s.lo;
	r->hi = s.hi;
	if (!s.has_ci) {
		if (s.dmin > -e && s.dmax < e) {
			r->verdict = SWT_VERDICT_UNCHANGED;
			r->note = "every run within the minimum effect";
		} else {
			unsigned k = swt_mw_min_runs(alpha);
			int64_t h = swt_sat_sub(s.dmax, s.dmin) / 2;
			int64_t t = abs64(s.hl) >= e ? abs64(s.hl) :
						       e - abs64(s.hl);
			unsigned need = runs_for(n > m ? n : m, h, t);

			r->verdict = SWT_VERDICT_INCONCLUSIVE;
			r->runs_needed = need > k ? need : k;
			r->note = "too few runs for the rank test";
		}
		goto rel;
	}
	if (s.lo > 0 && s.hl >= e && s.hl > 0) {
		r->verdict = SWT_VERDICT_REGRESSION;
	} else if (s.hi < 0 && s.hl <= -e && s.hl < 0) {
		r->verdict = SWT_VERDICT_IMPROVEMENT;
	} else if (s.lo > -e && s.hi < e) {
		r->verdict = SWT_VERDICT_UNCHANGED;
	} else if ((s.lo > 0 || s.hi < 0) && abs64(s.hl) < e) {
		r->verdict = SWT_VERDICT_UNCHANGED;
		r->note = "significant, below the minimum effect";
	} else {
		int64_t h = swt_sat_sub(s.hi, s.lo) / 2;
		int64_t t = abs64(s.hl) >= e ? abs64(s.hl) : e - abs64(s.hl);

		r->verdict = SWT_VERDICT_INCONCLUSIVE;
		r->runs_needed = runs_for(n > m ? n : m, h, t);
		r->note = abs64(s.hl) >= e ? "not significant: too much spread"
					   : "interval wider than the "
					     "minimum effect";
	}
rel:
	if (r->base != 0) {
		r->has_rel = true;
		r->rel_mpct = swt_muldiv(r->change, 100000, abs64(r->base));
	}
}

/* ---- the comparison ------------------------------------------------------------ */

static const char *keep(struct swt_diff *d, char *s)
{
	d->strings = swt_grow(d->strings, &d->cap_strings, d->n_strings + 1,
			      sizeof(*d->strings));
	d->strings[d->n_strings++] = s;
	return s;
}

static const char *kind_label(enum swt_module_kind k)
{
	return swt_kind_name(k);
}

/* Entries of every analysed run. */
static struct entry *gather(const struct swt_diff_run *runs, size_t n,
			    const struct norm *z, size_t *count)
{
	struct entry *v = NULL;
	size_t cap = 0, k = 0, i, j;

	for (i = 0; i < n; i++) {
		const struct swt_result *r;

		if (!runs[i].an)
			continue;
		r = runs[i].an->result;
		v = swt_grow(v, &cap, k + 1 + r->n_modules + r->n_counters,
			     sizeof(*v));
		memset(&v[k], 0, sizeof(*v));
		make_key(&v[k], SWT_KIND_SESSION, "session", "", "");
		v[k].run = i;
		v[k].ses = &r->session;
		k++;
		for (j = 0; j < r->n_modules; j++) {
			const struct swt_module_result *m = &r->modules[j];
			char *g = norm_apply(z, m->subj.group ? m->subj.group :
								"");

			memset(&v[k], 0, sizeof(*v));
			make_key(&v[k], m->subj.kind, m->subj.name,
				 m->subj.process, g);
			free(g);
			v[k].run = i;
			v[k].mod = m;
			k++;
		}
		for (j = 0; j < r->n_counters; j++) {
			memset(&v[k], 0, sizeof(*v));
			make_key(&v[k], SWT_KIND_COUNTER,
				 r->counters[j].name, "", "");
			v[k].run = i;
			v[k].ctr = &r->counters[j];
			k++;
		}
	}
	*count = k;
	return v;
}

/* Length of a key's kind, name and process (with their NULs): what is
 * left is the group. */
static size_t prefix_len(const char *k)
{
	const char *p = k + 1;
	int i;

	for (i = 0; i < 2; i++)
		p += strlen(p) + 1;
	return (size_t)(p - k);
}

/* Under group_by exe a process whose program could not be read (it
 * exited first, or was another user's) has no program: in its own
 * session it joins the module of its comm that knows one, and across
 * sessions it must too, or a run where only such processes ran would
 * show the module as disappeared and another as appeared. Entries
 * without a group take the one group that others of their kind, name and
 * process have, when there is exactly one. ent is sorted (cmp_entry):
 * those without a group come first in their block. true if a key
 * changed. */
static bool adopt_unknown(struct entry *ent, size_t n)
{
	bool changed = false;
	size_t i = 0, j, k;

	while (i < n) {
		size_t pl = prefix_len(ent[i].key);
		const char *known = NULL;
		bool one = true;

		for (j = i; j < n && prefix_len(ent[j].key) == pl &&
			    memcmp(ent[j].key, ent[i].key, pl) == 0;
		     j++) {
			const char *g = ent[j].key + pl;

			if (!*g)
				continue;
			if (known && strcmp(known, g) != 0)
				one = false;
			known = g;
		}
		if (known && one && ent[i].key[pl] == '\0' &&
		    ent[i].kind != SWT_KIND_SESSION &&
		    ent[i].kind != SWT_KIND_COUNTER) {
			size_t gl = strlen(known) + 1;

			for (k = i; k < j && ent[k].key[pl] == '\0'; k++) {
				char *nk = swt_zalloc(pl + gl);

				memcpy(nk, ent[k].key, pl);
				memcpy(nk + pl, known, gl);
				free(ent[k].key);
				ent[k].key = nk;
				changed = true;
			}
		}
		i = j;
	}
	return changed;
}

static int cmp_module(const void *a, const void *b)
{
	const struct swt_diff_module *x = a, *y = b;
	int kx = strcmp(x->who.kind, "session") == 0,
	    ky = strcmp(y->who.kind, "session") == 0;
	int64_t wx, wy;
	int c;

	if (kx != ky)
		return ky - kx;
	wx = x->weight[0] > x->weight[1] ? x->weight[0] : x->weight[1];
	wy = y->weight[0] > y->weight[1] ? y->weight[0] : y->weight[1];
	if (wx != wy)
		return wx > wy ? -1 : 1;
	if ((c = strcmp(x->who.kind, y->who.kind)) ||
	    (c = strcmp(x->who.name, y->who.name)) ||
	    (c = strcmp(x->who.process, y->who.process)))
		return c;
	return strcmp(x->who.group, y->who.group);
}

/* A subject while the diff is built: its entries ent[first..last). */
struct subj {
	size_t first, last;
	struct swt_diff_module m;
};

static int cmp_subj(const void *a, const void *b)
{
	return cmp_module(&((const struct subj *)a)->m,
			  &((const struct subj *)b)->m);
}

/* The values of metric mi for subject s, one per analysed run of each
 * side (0 in a run it is absent from: nothing of it ran); has[side] if
 * some run of the side measured it. */
static void values(const struct entry *ent, const struct subj *s,
		   const struct swt_diff_run *runs, size_t n, enum metric mi,
		   int64_t *x, size_t *nx, int64_t *y, size_t *ny, bool has[2])
{
	size_t r, k = s->first;

	*nx = *ny = 0;
	has[0] = has[1] = false;
	for (r = 0; r < n; r++) {
		int64_t v = 0;

		if (!runs[r].an)
			continue;
		/* entries are sorted by run within the subject; should a
		 * run have two (names that the normalisation joins), the
		 * first counts */
		while (k < s->last && ent[k].run < r)
			k++;
		if (k < s->last && ent[k].run == r &&
		    value_of(&ent[k], mi, &v))
			has[runs[r].side] = true;
		if (runs[r].side == SWT_DIFF_BASE)
			x[(*nx)++] = v;
		else
			y[(*ny)++] = v;
	}
}

static bool all_zero(const int64_t *x, size_t nx, const int64_t *y,
		     size_t ny)
{
	size_t i;

	for (i = 0; i < nx; i++)
		if (x[i])
			return false;
	for (i = 0; i < ny; i++)
		if (y[i])
			return false;
	return true;
}

static int64_t max_of(const int64_t *v, size_t n)
{
	int64_t m = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] > m)
			m = v[i];
	return m;
}

static int64_t median_of(const int64_t *v, size_t n)
{
	int64_t t[SWT_DIFF_MAX_RUNS];
	size_t i;

	if (!n)
		return 0;
	for (i = 0; i < n; i++)
		t[i] = v[i];
	return swt_median(t, n);
}

/* The subjects of the analysed runs: entries gathered, sorted and grouped
 * by identity; each with its status and its per-side medians of CPU,
 * peak memory and weight (not yet in report order). Strings go to d. */
static struct subj *build_subjects(struct swt_diff *d,
				   const struct swt_diff_run *runs, size_t n,
				   const struct swt_thresholds *th,
				   struct entry **ent_out, size_t *n_ent_out,
				   size_t *n_sj_out)
{
	struct norm z;
	struct entry *ent;
	struct subj *sj = NULL;
	size_t n_ent, n_sj = 0, cap_sj = 0, i, j, k;
	int64_t x[SWT_DIFF_MAX_RUNS], y[SWT_DIFF_MAX_RUNS];

	norm_init(&z, th);
	ent = gather(runs, n, &z, &n_ent);
	norm_fini(&z);
	qsort(ent, n_ent, sizeof(*ent), cmp_entry);
	if (th->group_by == SWT_GROUP_EXE && adopt_unknown(ent, n_ent))
		qsort(ent, n_ent, sizeof(*ent), cmp_entry);
	/* each run of entries with one key is a subject */
	for (i = 0; i < n_ent; i = j) {
		size_t len = key_len(ent[i].key), side_n[2] = { 0, 0 };
		struct swt_diff_module *dm;
		const char *p;
		size_t nx, ny;
		bool has[2];

		for (j = i + 1; j < n_ent && key_len(ent[j].key) == len &&
				memcmp(ent[j].key, ent[i].key, len) == 0;
		     j++)
			;
		sj = swt_grow(sj, &cap_sj, n_sj + 1, sizeof(*sj));
		memset(&sj[n_sj], 0, sizeof(*sj));
		sj[n_sj].first = i;
		sj[n_sj].last = j;
		dm = &sj[n_sj].m;
		p = ent[i].key + 1;
		dm->who.kind = kind_label(ent[i].kind);
		dm->who.name = keep(d, swt_strdup(p));
		p += strlen(p) + 1;
		dm->who.process = keep(d, swt_strdup(p));
		p += strlen(p) + 1;
		dm->who.group = keep(d, swt_strdup(p));
		for (k = i; k < j; k++)
			if (k == i || ent[k - 1].run != ent[k].run)
				side_n[runs[ent[k].run].side]++;
		dm->runs_base = side_n[0];
		dm->runs_new = side_n[1];
		dm->status = !side_n[0] ? SWT_DIFF_APPEARED :
			     !side_n[1] ? SWT_DIFF_DISAPPEARED :
					  SWT_DIFF_MATCHED;
		values(ent, &sj[n_sj], runs, n, M_CPU_S, x, &nx, y, &ny, has);
		dm->has_cpu = has[0] || has[1];
		dm->cpu_ms[0] = median_of(x, nx);
		dm->cpu_ms[1] = median_of(y, ny);
		/* a module on one side only matters from a floor on: the
		 * transient identities of exec chains (a comm read before an
		 * exec, a program after) cost nothing */
		if (dm->status != SWT_DIFF_MATCHED) {
			bool b = dm->status == SWT_DIFF_DISAPPEARED;

			dm->cpu_ms_max = max_of(b ? x : y, b ? nx : ny);
			dm->material = dm->cpu_ms_max >=
				       th->v[SWT_TH_DIFF_MIN_CPU_S];
		}
		values(ent, &sj[n_sj], runs, n, M_MEM_PEAK, x, &nx, y, &ny,
		       has);
		dm->has_mem = has[0] || has[1];
		dm->mem_peak_mmb[0] = median_of(x, nx);
		dm->mem_peak_mmb[1] = median_of(y, ny);
		if (dm->status != SWT_DIFF_MATCHED && !dm->material) {
			bool b = dm->status == SWT_DIFF_DISAPPEARED;

			dm->material = max_of(b ? x : y, b ? nx : ny) >=
				       th->v[SWT_TH_DIFF_MIN_MEMORY_MB];
		}
		/* counters and instrumented modules: any that ran */
		if (dm->status != SWT_DIFF_MATCHED &&
		    (ent[i].kind == SWT_KIND_COUNTER ||
		     ent[i].kind == SWT_KIND_MODULE))
			dm->material = true;
		d->n_appeared += dm->status == SWT_DIFF_APPEARED &&
				 dm->material;
		d->n_disappeared += dm->status == SWT_DIFF_DISAPPEARED &&
				    dm->material;
		values(ent, &sj[n_sj], runs, n, M_WEIGHT, x, &nx, y, &ny, has);
		dm->has_weight = has[0] || has[1];
		dm->weight[0] = median_of(x, nx);
		dm->weight[1] = median_of(y, ny);
		n_sj++;
	}
	*ent_out = ent;
	*n_ent_out = n_ent;
	*n_sj_out = n_sj;
	return sj;
}

/* The budget checks of d: each rule against every subject it matches. */
static void check_budget(struct swt_diff *d, const struct swt_budget *b,
			 const struct entry *ent, const struct subj *sj,
			 size_t n_sj, const struct swt_diff_run *runs,
			 size_t n)
{
	int64_t x[SWT_DIFF_MAX_RUNS], y[SWT_DIFF_MAX_RUNS];
	size_t cap = 0, r, i;

	d->has_budget = true;
	for (r = 0; r < b->n; r++) {
		const struct swt_budget_rule *rule = &b->rules[r];
		bool any = false;

		for (i = 0; i < n_sj; i++) {
			const struct swt_diff_module *dm = &sj[i].m;
			bool ses = strcmp(dm->who.kind, "session") == 0;
			struct swt_budget_check *c;
			size_t nx, ny;
			bool has[2];

			if (strcmp(rule->kind, "session") == 0 ? !ses :
			    ses || (strcmp(rule->kind, "*") != 0 &&
				    strcmp(rule->kind, dm->who.kind) != 0) ||
				    !swt_glob_match(rule->name, dm->who.name, false))
				continue;
			values(ent, &sj[i], runs, n,
			       (enum metric)rule->metric_id, x, &nx, y, &ny,
			       has);
			if (!has[1])
				continue;	/* not measured, or not run */
			any = true;
			d->checks = swt_grow(d->checks, &cap, d->n_checks + 1,
					     sizeof(*d->checks));
			c = &d->checks[d->n_checks++];
			memset(c, 0, sizeof(*c));
			c->rule = rule;
			c->subject = i;
			c->metric = rule->metric;
			c->scale = mdefs[rule->metric_id].scale;
			c->dec = mdefs[rule->metric_id].dec;
			c->runs = ny;
			c->value = median_of(y, ny);
			c->verdict = c->value > rule->limit ? SWT_BUDGET_OVER :
							      SWT_BUDGET_WITHIN;
			d->n_over += c->verdict == SWT_BUDGET_OVER;
		}
		if (!any) {
			struct swt_budget_check *c;

			d->checks = swt_grow(d->checks, &cap, d->n_checks + 1,
					     sizeof(*d->checks));
			c = &d->checks[d->n_checks++];
			memset(c, 0, sizeof(*c));
			c->rule = rule;
			c->subject = SIZE_MAX;
			c->metric = rule->metric;
			c->scale = mdefs[rule->metric_id].scale;
			c->dec = mdefs[rule->metric_id].dec;
			c->verdict = SWT_BUDGET_UNMATCHED;
			d->n_unmatched++;
		}
	}
}

/* ---- over time ------------------------------------------------------------------ */

/* Each side's series run: the median of its analysed runs by the
 * session's CPU time, the lower middle of an even count, equal CPU in the
 * order given (a run chosen whole, so that all the side's subjects come
 * from one session and add up like its report's). */
static void pick_series_runs(struct swt_diff *d,
			     const struct swt_diff_run *runs, size_t n)
{
	size_t idx[SWT_DIFF_MAX_RUNS], k, i, j;
	int side;

	for (side = 0; side < 2; side++) {
		k = 0;
		for (i = 0; i < n && k < SWT_DIFF_MAX_RUNS; i++) {
			int64_t c;

			if (!runs[i].an || (int)runs[i].side != side)
				continue;
			/* insertion by (CPU, index): at most 64 runs */
			c = runs[i].an->result->session.cpu_ms;
			for (j = k; j > 0 &&
				    runs[idx[j - 1]].an->result->session.cpu_ms >
					    c;
			     j--)
				idx[j] = idx[j - 1];
			idx[j] = i;
			k++;
		}
		d->series_run[side] = k ? idx[(k - 1) / 2] : SIZE_MAX;
	}
}

/* The series of subject s in run r, or NULL if it did not run there. */
static const struct swt_usage_series *
series_of(const struct entry *ent, const struct subj *s,
	  const struct swt_diff_run *runs, size_t r)
{
	size_t k;

	if (r == SIZE_MAX)
		return NULL;
	for (k = s->first; k < s->last; k++) {
		if (ent[k].run != r)
			continue;
		if (ent[k].ses)
			return &runs[r].an->result->usage;
		if (ent[k].mod)
			return &ent[k].mod->usage;
		return NULL;	/* a counter */
	}
	return NULL;
}

/* true if the series has a value in some bucket. */
static bool series_any(const struct swt_usage_series *u)
{
	size_t k;

	for (k = 0; u && k < u->n_buckets; k++)
		if ((u->has_cpu && u->buckets[k].cpu_intervals) ||
		    (u->has_memory && u->buckets[k].mem_samples))
			return true;
	return false;
}

/* Verdicts in the order Changes lists them: regression, inconclusive,
 * improvement, unchanged. */
static int severity_rank(enum swt_verdict v)
{
	switch (v) {
	case SWT_VERDICT_REGRESSION:
		return 0;
	case SWT_VERDICT_INCONCLUSIVE:
		return 1;
	case SWT_VERDICT_IMPROVEMENT:
		return 2;
	case SWT_VERDICT_UNCHANGED:
		break;
	}
	return 3;
}

static int64_t weight_change(const struct swt_diff_module *m)
{
	int64_t c = m->weight[1] - m->weight[0];

	return c < 0 ? -c : c;
}

/* Candidates for the series, in the order they are shown. */
static int cmp_series(const struct swt_diff_module *mods, size_t i,
		      size_t j)
{
	int ri = severity_rank(mods[i].verdict),
	    rj = severity_rank(mods[j].verdict);
	int64_t ci = weight_change(&mods[i]), cj = weight_change(&mods[j]);

	if (ri != rj)
		return ri < rj ? -1 : 1;
	if (ci != cj)
		return ci > cj ? -1 : 1;
	return (i > j) - (i < j);
}

/* d->series: the session, then the matched modules with a series in both
 * series runs, most severe verdict first, then the largest change of
 * weight, then module order; at most SWT_DIFF_SERIES_MODULES of them. */
static void pick_series(struct swt_diff *d)
{
	size_t *cand = swt_calloc(d->n_modules ? d->n_modules : 1,
				  sizeof(*cand));
	size_t i, j, best, n = 0;

	d->n_series = 0;
	for (i = 0; i < d->n_modules; i++) {
		const struct swt_diff_module *m = &d->modules[i];

		if (strcmp(m->who.kind, "session") == 0) {
			if (d->n_series == 0 && (m->usage[0] || m->usage[1]))
				d->series[d->n_series++] = i;
			continue;
		}
		if (m->status == SWT_DIFF_MATCHED && m->usage[0] &&
		    m->usage[1] &&
		    (series_any(m->usage[0]) || series_any(m->usage[1])))
			cand[n++] = i;
	}
	/* the first few of a total order: selection, O(n) each */
	for (i = 0; i < n && i < SWT_DIFF_SERIES_MODULES; i++) {
		best = i;
		for (j = i + 1; j < n; j++)
			if (cmp_series(d->modules, cand[j], cand[best]) < 0)
				best = j;
		j = cand[i];
		cand[i] = cand[best];
		cand[best] = j;
		d->series[d->n_series++] = cand[i];
	}
	free(cand);
}

int swt_diff_compute(struct swt_diff **out, const struct swt_diff_run *runs,
		     size_t n, const struct swt_thresholds *th,
		     const struct swt_budget *budget)
{
	struct swt_diff *d;
	struct entry *ent;
	struct subj *sj = NULL;
	size_t n_ent, n_sj = 0, cap_met = 0, i, k;
	int64_t *scratch, x[SWT_DIFF_MAX_RUNS], y[SWT_DIFF_MAX_RUNS];
	swt_u128 *dist;

	*out = NULL;
	d = swt_zalloc(sizeof(*d));
	d->th = th;
	d->runs = runs;
	d->n_runs = n;
	for (i = 0; i < n; i++) {
		if (runs[i].an) {
			d->n_side[runs[i].side]++;
			d->n_incomplete += swt_analysis_incomplete(runs[i].an);
		} else {
			d->n_failed++;
		}
	}
	if ((!d->n_side[0] && !budget) || !d->n_side[1] ||
	    d->n_side[0] > SWT_DIFF_MAX_RUNS ||
	    d->n_side[1] > SWT_DIFF_MAX_RUNS) {
		free(d);
		return SWT_EINVAL;
	}
	d->method = d->n_side[0] <= 1 && d->n_side[1] == 1 ? SWT_DIFF_SINGLE :
							      SWT_DIFF_RANK;
	sj = build_subjects(d, runs, n, th, &ent, &n_ent, &n_sj);
	qsort(sj, n_sj, sizeof(*sj), cmp_subj);
	pick_series_runs(d, runs, n);
	/* each side's contention: the median of its runs that know it */
	d->contended_side = -1;
	{
		int side;

		for (side = 0; side < 2; side++) {
			size_t nv = 0;

			for (i = 0; i < n; i++) {
				const struct swt_session_result *ss;

				if (!runs[i].an || (int)runs[i].side != side)
					continue;
				ss = &runs[i].an->result->session;
				if (ss->has_contention)
					x[nv++] = ss->contention_mpct;
			}
			d->has_contention[side] = nv > 0;
			d->contention_mpct[side] = nv ? swt_median(x, nv) : 0;
		}
		if (d->has_contention[0] && d->has_contention[1]) {
			int64_t margin = th->v[SWT_TH_DIFF_CONTENTION_PERCENT];

			if (d->contention_mpct[1] - d->contention_mpct[0] >=
			    margin)
				d->contended_side = SWT_DIFF_NEW;
			else if (d->contention_mpct[0] -
					 d->contention_mpct[1] >=
				 margin)
				d->contended_side = SWT_DIFF_BASE;
		}
	}
	scratch = swt_calloc(SWT_DIFF_MAX_RUNS * SWT_DIFF_MAX_RUNS,
			     sizeof(*scratch));
	dist = swt_calloc(SWT_DIFF_MAX_RUNS * SWT_DIFF_MAX_RUNS + 1,
			  sizeof(*dist));
	/* every comparison has one value per analysed run of each side:
	 * one distribution serves them all */
	if (d->n_side[0])
		swt_mw_dist((unsigned)d->n_side[0], (unsigned)d->n_side[1],
			    dist);
	d->modules = swt_calloc(n_sj ? n_sj : 1, sizeof(*d->modules));
	for (i = 0; i < n_sj; i++) {
		struct swt_diff_module *dm = &sj[i].m;
		int mi;

		dm->verdict = SWT_VERDICT_UNCHANGED;
		for (mi = 0; mi < M_N && dm->status == SWT_DIFF_MATCHED;
		     mi++) {
			struct swt_diff_metric *mr;
			size_t nx, ny;
			bool has[2];
			int64_t floor;
			int dir;

			values(ent, &sj[i], runs, n, (enum metric)mi, x, &nx,
			       y, &ny, has);
			/* compared where both sides measured it, and
			 * something happened */
			if (!has[0] || !has[1] || all_zero(x, nx, y, ny))
				continue;
			d->metrics = swt_grow(d->metrics, &cap_met,
					      d->n_metrics + 1,
					      sizeof(*d->metrics));
			mr = &d->metrics[d->n_metrics++];
			memset(mr, 0, sizeof(*mr));
			mr->subject = i;
			mr->metric = mdefs[mi].key;
			mr->unit = mdefs[mi].unit;
			mr->scale = mdefs[mi].scale;
			mr->dec = mdefs[mi].dec;
			floor = mdefs[mi].floor_key < 0 ?
					1 :
					th->v[mdefs[mi].floor_key];
			decide(mr, x, nx, y, ny, th, floor, scratch, dist);
			/* the contended side's runs ran slower: a change in
			 * its disfavour that the runner can explain is no
			 * verdict */
			/* a change in the direction the contended side's
			 * stalls push the metric is no verdict: up on the new
			 * side reads as a regression, down as an
			 * improvement, and the other way round on the base
			 * side */
			dir = contention_moves((enum metric)mi);
			if (d->contended_side == SWT_DIFF_BASE && dir != 2)
				dir = -dir;
			if (d->contended_side >= 0 &&
			    ((dir > 0 &&
			      mr->verdict == SWT_VERDICT_REGRESSION) ||
			     ((dir < 0 || dir == 2) &&
			      mr->verdict == SWT_VERDICT_IMPROVEMENT))) {
				mr->verdict = SWT_VERDICT_INCONCLUSIVE;
				mr->contended = true;
				mr->note = "runner contended";
				d->n_contended++;
			}
			d->n_verdict[mr->verdict]++;
			if (mr->verdict > dm->verdict)
				dm->verdict = mr->verdict;
		}
		dm->usage[0] = series_of(ent, &sj[i], runs,
					 d->series_run[SWT_DIFF_BASE]);
		dm->usage[1] = series_of(ent, &sj[i], runs,
					 d->series_run[SWT_DIFF_NEW]);
		d->modules[i] = *dm;
	}
	d->n_modules = n_sj;
	pick_series(d);
	if (budget)
		check_budget(d, budget, ent, sj, n_sj, runs, n);
	d->verdict = SWT_VERDICT_UNCHANGED;
	for (k = 4; k-- > 0;) {
		if (d->n_verdict[k]) {
			d->verdict = (enum swt_verdict)k;
			break;
		}
	}
	d->runner_changed = false;
	{
		const struct swt_session_result *b = NULL, *s;

		for (i = 0; i < n; i++) {
			if (!runs[i].an)
				continue;
			s = &runs[i].an->result->session;
			if (!b) {
				b = s;
				continue;
			}
			if (s->cpu_count != b->cpu_count ||
			    s->clock_ticks != b->clock_ticks ||
			    s->page_size != b->page_size ||
			    s->mem_total_kib != b->mem_total_kib ||
			    strcmp(s->kernel, b->kernel) != 0)
				d->runner_changed = true;
		}
	}
	free(scratch);
	free(dist);
	free(sj);
	for (i = 0; i < n_ent; i++)
		free(ent[i].key);
	free(ent);
	*out = d;
	return 0;
}

void swt_diff_free(struct swt_diff *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n_strings; i++)
		free(d->strings[i]);
	free(d->strings);
	free(d->modules);
	free(d->metrics);
	free(d->checks);
	free(d);
}

/* ---- history ------------------------------------------------------------------ */

const char *swt_trend_dir_name(enum swt_trend_dir t)
{
	switch (t) {
	case SWT_HTREND_TOO_FEW:
		return "too_few_sessions";
	case SWT_HTREND_STABLE:
		return "stable";
	case SWT_HTREND_INCREASING:
		return "increasing";
	case SWT_HTREND_DECREASING:
		return "decreasing";
	}
	return "?";
}

static int cmp_run_time(const void *a, const void *b)
{
	const struct swt_diff_run *x = a, *y = b;
	int64_t tx, ty;

	if (!x->an || !y->an)
		return (x->an == NULL) - (y->an == NULL);
	tx = x->an->result->session.start_wall_ns;
	ty = y->an->result->session.start_wall_ns;
	if (tx != ty)
		return tx < ty ? -1 : 1;
	return strcmp(x->path, y->path);
}

void swt_history_sort(struct swt_diff_run *runs, size_t n)
{
	qsort(runs, n, sizeof(*runs), cmp_run_time);
}

/* One value per analysed run, in run order (0 where the subject did not
 * run); *present counts the runs it ran in and measured. */
static size_t values_runs(const struct entry *ent, const struct subj *s,
			  const struct swt_diff_run *runs, size_t n,
			  enum metric mi, int64_t *v, size_t *present)
{
	size_t r, k = s->first, nv = 0;

	*present = 0;
	for (r = 0; r < n; r++) {
		int64_t x = 0;

		if (!runs[r].an)
			continue;
		while (k < s->last && ent[k].run < r)
			k++;
		if (k < s->last && ent[k].run == r && value_of(&ent[k], mi, &x))
			(*present)++;
		v[nv++] = x;
	}
	return nv;
}

/* The most significant split of v into before and after (2 sessions each
 * at least). */
static void find_step(struct swt_history_series *hs, const int64_t *v,
		      size_t n, const struct swt_thresholds *th, int64_t floor,
		      int64_t *scratch, swt_u128 *const *dist)
{
	int64_t alpha = th->v[SWT_TH_DIFF_SIGNIFICANCE];
	int64_t best_p = INT64_MAX, best_abs = -1;
	size_t k, best_k = 0;
	struct swt_shift best, s;

	memset(&best, 0, sizeof(best));
	for (k = 2; k + 2 <= n; k++) {
		int64_t a;

		swt_shift_estimate(v, k, v + k, n - k, alpha, scratch, dist[k],
				   &s);
		a = abs64(s.hl);
		if (s.p_ppm < best_p || (s.p_ppm == best_p && a > best_abs)) {
			best_p = s.p_ppm;
			best_abs = a;
			best_k = k;
			best = s;
		}
	}
	if (!best_k)
		return;
	{
		int64_t before = median_of(v, best_k), e;

		e = swt_muldiv(abs64(before),
			       th->v[SWT_TH_DIFF_MIN_CHANGE_PERCENT_REPEATED],
			       100000);
		if (e < floor)
			e = floor;
		if (best.p_ppm > alpha * 1000 || abs64(best.hl) < e ||
		    best.hl == 0)
			return;
		hs->has_step = true;
		hs->step_at = best_k;
		hs->step_change = best.hl;
		hs->step_p_ppm = best.p_ppm;
		if (before) {
			hs->step_has_rel = true;
			hs->step_rel_mpct =
				swt_muldiv(best.hl, 100000, abs64(before));
		}
	}
}

/* Mann-Kendall and Theil-Sen over the sessions (one point each, a
 * "minute" apart: slopes come out per session). */
static void find_trend(struct swt_history_series *hs, const int64_t *v,
		       size_t n, const struct swt_thresholds *th, int64_t floor)
{
	int64_t scratch[SWT_SERIES_SCRATCH];
	struct swt_series ser;
	struct swt_trend tr;
	int64_t e, total;
	size_t k;

	if (hs->present < 4 || n < 4 || n > SWT_SERIES_POINTS) {
		hs->trend = SWT_HTREND_TOO_FEW;
		return;
	}
	swt_series_init(&ser);
	for (k = 0; k < n; k++)
		swt_series_add(&ser, (int64_t)k * INT64_C(60000000000), v[k]);
	swt_series_trend(&ser, scratch, &tr);
	hs->slope_milli = tr.slope_milli;
	hs->z_milli = tr.z_milli;
	/* the slope over the whole history must reach the minimum effect */
	e = swt_muldiv(abs64(hs->first),
		       th->v[SWT_TH_DIFF_MIN_CHANGE_PERCENT_REPEATED], 100000);
	if (e < floor)
		e = floor;
	total = swt_muldiv(tr.slope_milli, (int64_t)(n - 1), 1000);
	/* |z| >= 1.96: two-sided 5 % (the level of the normal
	 * approximation, whatever diff_significance says) */
	if (tr.z_milli >= 1960 && total >= e)
		hs->trend = SWT_HTREND_INCREASING;
	else if (tr.z_milli <= -1960 && -total >= e)
		hs->trend = SWT_HTREND_DECREASING;
	else
		hs->trend = SWT_HTREND_STABLE;
}

int swt_history_compute(struct swt_history **out,
			const struct swt_diff_run *runs, size_t n,
			const struct swt_thresholds *th)
{
	static const enum metric hist_metrics[] = { M_DURATION, M_CPU_S,
						    M_MEM_PEAK, M_WEIGHT,
						    M_PER_MIN };
	struct swt_diff tmp;
	struct swt_history *h;
	struct entry *ent;
	struct subj *sj;
	size_t n_ent, n_sj, i, k, cap = 0, n_an = 0;
	int64_t *scratch, v[SWT_DIFF_MAX_RUNS];
	swt_u128 *dist[SWT_DIFF_MAX_RUNS];

	*out = NULL;
	for (i = 0; i < n; i++)
		n_an += runs[i].an != NULL;
	if (!n_an || n_an > SWT_DIFF_MAX_RUNS)
		return SWT_EINVAL;
	memset(&tmp, 0, sizeof(tmp));
	sj = build_subjects(&tmp, runs, n, th, &ent, &n_ent, &n_sj);
	qsort(sj, n_sj, sizeof(*sj), cmp_subj);
	h = swt_zalloc(sizeof(*h));
	h->th = th;
	h->runs = runs;
	h->n_runs = n;
	h->strings = tmp.strings;
	h->n_strings = tmp.n_strings;
	h->cap_strings = tmp.cap_strings;
	h->modules = swt_calloc(n_sj ? n_sj : 1, sizeof(*h->modules));
	h->n_modules = n_sj;
	scratch = swt_calloc(SWT_DIFF_MAX_RUNS * SWT_DIFF_MAX_RUNS,
			     sizeof(*scratch));
	/* the distribution of every split (k before, n_an - k after) that
	 * find_step tries, once for all series */
	memset(dist, 0, sizeof(dist));
	for (k = 2; k + 2 <= n_an; k++) {
		dist[k] = swt_calloc(k * (n_an - k) + 1, sizeof(*dist[k]));
		swt_mw_dist((unsigned)k, (unsigned)(n_an - k), dist[k]);
	}
	for (i = 0; i < n_sj; i++) {
		h->modules[i] = sj[i].m;
		for (k = 0; k < sizeof(hist_metrics) / sizeof(hist_metrics[0]);
		     k++) {
			enum metric mi = hist_metrics[k];
			struct swt_history_series *hs;
			size_t nv, present, q;
			int64_t floor;

			nv = values_runs(ent, &sj[i], runs, n, mi, v, &present);
			if (!present || all_zero(v, nv, NULL, 0))
				continue;
			h->series = swt_grow(h->series, &cap, h->n_series + 1,
					     sizeof(*h->series));
			hs = &h->series[h->n_series++];
			memset(hs, 0, sizeof(*hs));
			hs->subject = i;
			hs->metric = mdefs[mi].key;
			hs->unit = mdefs[mi].unit;
			hs->scale = mdefs[mi].scale;
			hs->dec = mdefs[mi].dec;
			hs->n = nv;
			hs->present = present;
			hs->v = swt_calloc(nv, sizeof(*hs->v));
			memcpy(hs->v, v, nv * sizeof(*v));
			hs->first = v[0];
			hs->last = v[nv - 1];
			hs->min = hs->max = v[0];
			for (q = 1; q < nv; q++) {
				if (v[q] < hs->min)
					hs->min = v[q];
				if (v[q] > hs->max)
					hs->max = v[q];
			}
			if (hs->first) {
				hs->has_rel = true;
				hs->rel_mpct = swt_muldiv(
					swt_sat_sub(hs->last, hs->first),
					100000, abs64(hs->first));
			}
			floor = mdefs[mi].floor_key < 0 ?
					1 :
					th->v[mdefs[mi].floor_key];
			find_trend(hs, v, nv, th, floor);
			find_step(hs, v, nv, th, floor, scratch, dist);
			h->n_steps += hs->has_step;
			h->n_trends += hs->trend == SWT_HTREND_INCREASING ||
				       hs->trend == SWT_HTREND_DECREASING;
		}
	}
	free(scratch);
	for (k = 0; k < SWT_DIFF_MAX_RUNS; k++)
		free(dist[k]);
	free(sj);
	for (i = 0; i < n_ent; i++)
		free(ent[i].key);
	free(ent);
	*out = h;
	return 0;
}

void swt_history_free(struct swt_history *h)
{
	size_t i;

	if (!h)
		return;
	for (i = 0; i < h->n_strings; i++)
		free(h->strings[i]);
	free(h->strings);
	for (i = 0; i < h->n_series; i++)
		free(h->series[i].v);
	free(h->series);
	free(h->modules);
	free(h);
}
