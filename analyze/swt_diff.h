/* swt_diff.h — swanalyze diff: sessions compared, with a verdict per
 * module and metric that a pipeline can act on.
 *
 * Each session is analysed by the same engine, with the same thresholds,
 * as swanalyze's reports (swt_analysis.h); the diff then matches the
 * modules of the base runs and of the new runs by their identity (kind,
 * name, process and the grouping's program or command line, after
 * normalize_patterns), never by PID, and compares every metric of each
 * matched module: one run a side against minimum effects, more with the
 * exact Mann-Whitney rank test and its distribution-free confidence
 * interval of the shift. Everything is integer: the same files give the
 * same verdicts and the same bytes. docs/ci.md has the rules. */
#ifndef SWT_DIFF_H
#define SWT_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "swt_analysis.h"
#include "swt_engine.h"
#include "swt_model.h"
#include "swt_reader.h"
#include "swt_thresholds.h"

#define SWT_DIFF_SCHEMA_VERSION 2

/* Most modules, besides the session, in the diff's series over time. */
#define SWT_DIFF_SERIES_MODULES 5

/* Most runs per side (the exact test's limit, swt_stats.h). */
#define SWT_DIFF_MAX_RUNS 64

enum swt_verdict {
	SWT_VERDICT_UNCHANGED = 0,
	SWT_VERDICT_IMPROVEMENT = 1,
	SWT_VERDICT_INCONCLUSIVE = 2,
	SWT_VERDICT_REGRESSION = 3,
};

/* "unchanged", "improvement", "inconclusive", "regression". */
const char *swt_verdict_name(enum swt_verdict v);

enum swt_diff_side { SWT_DIFF_BASE = 0, SWT_DIFF_NEW = 1 };

/* One session of the comparison. */
struct swt_diff_run {
	const char *path;	/* as given (borrowed) */
	enum swt_diff_side side;
	struct swt_reader *reader;
	struct swt_analysis *an; /* NULL if it could not be analysed */
	int status;		/* 0, or why it could not be (open: the
				 * reader's status; analysis: its error) */
	bool opened;		/* the reader opened it (a session file) */
	char errmsg[512];
};

/* Open and analyse every run, on up to `threads` threads (0: the online
 * CPUs), each run decoded on `decode_threads` threads in all
 * (swt_reader_set_threads(); 0: the online CPUs the analyses leave
 * over); each run's status and message are set, none stops the others.
 * The results do not depend on either number. */
void swt_diff_load(struct swt_diff_run *runs, size_t n,
		   const struct swt_engine_opts *opts, unsigned threads,
		   unsigned decode_threads);

/* NULL-safe; frees what swt_diff_load() made. */
void swt_diff_runs_fini(struct swt_diff_run *runs, size_t n);

enum swt_diff_method {
	SWT_DIFF_SINGLE = 0,	/* one run a side: minimum effect only */
	SWT_DIFF_RANK = 1,	/* the rank test and its interval */
};

/* "single_run", "rank_test". */
const char *swt_diff_method_name(enum swt_diff_method m);

enum swt_diff_status {
	SWT_DIFF_MATCHED = 0,
	SWT_DIFF_APPEARED = 1,	/* in no base run */
	SWT_DIFF_DISAPPEARED = 2, /* in no new run */
};

/* "matched", "appeared", "disappeared". */
const char *swt_diff_status_name(enum swt_diff_status s);

/* Who: the identity a diff matches by. Strings owned by the diff. */
struct swt_diff_who {
	const char *kind;	/* "session", "process", "module", "thread",
				 * "counter" */
	const char *name;
	const char *process;
	const char *group;	/* normalised program or command line */
};

struct swt_diff_metric {
	size_t subject;		/* index in modules */
	const char *metric;	/* "cpu_s", ... (static) */
	const char *unit;	/* "s", "percent", "MB", "per_minute", NULL */
	unsigned scale, dec;	/* values are v / 10^scale */
	size_t n_base, n_new;	/* runs compared */
	int64_t base, new_;	/* medians */
	int64_t change;		/* single: new - base; rank: the shift */
	bool has_rel;
	int64_t rel_mpct;	/* change / base, thousandths of a percent */
	int64_t min_effect;	/* the smallest change that counts */
	enum swt_verdict verdict;
	enum swt_diff_method method;
	bool has_p;
	int64_t p_ppm;
	bool has_ci;
	int64_t lo, hi;
	unsigned runs_needed;	/* per side, to decide (inconclusive); 0 */
	bool contended;		/* a change the runner's contention can
				 * explain, made inconclusive */
	const char *note;	/* why (static), or "" */
};

struct swt_diff_module {
	struct swt_diff_who who;
	enum swt_diff_status status;
	bool material;		/* appeared or disappeared with at least
				 * diff_min_cpu_s or diff_min_memory_mb in
				 * some run (counters and instrumented
				 * modules: always): counted, listed among
				 * the changes */
	int64_t cpu_ms_max;	/* appeared, disappeared: the most CPU of
				 * one of the runs it ran in */
	size_t runs_base, runs_new; /* runs it appears in */
	bool has_cpu;		/* not a counter */
	int64_t cpu_ms[2];	/* medians, by side (0 in a run it is absent
				 * from) */
	bool has_mem;
	int64_t mem_peak_mmb[2];
	bool has_weight;
	int64_t weight[2];
	enum swt_verdict verdict; /* the worst of its metrics */
	/* its CPU and memory over time in each side's series run
	 * (swt_diff.series_run), borrowed from that run's analysis; NULL
	 * where it did not run */
	const struct swt_usage_series *usage[2];
};

struct swt_diff {
	const struct swt_thresholds *th;
	const struct swt_diff_run *runs;
	size_t n_runs;
	size_t n_side[2];	/* runs analysed, by side */
	size_t n_failed;	/* runs not analysed at all */
	size_t n_incomplete;	/* damaged or truncated (analysed) */
	enum swt_diff_method method;
	size_t n_modules;	/* session first, then weight desc, who */
	struct swt_diff_module *modules;
	size_t n_metrics;	/* by module, then metric */
	struct swt_diff_metric *metrics;
	size_t n_verdict[4];	/* metrics by verdict */
	size_t n_appeared, n_disappeared; /* material ones */
	enum swt_verdict verdict; /* the worst of all */
	bool runner_changed;	/* cpu_count, clock_ticks, page_size, memory
				 * or kernel differ between the sides */
	/* contention of each side: the median over its runs of CPU-some
	 * stall plus steal (swt_session_result.contention_mpct) */
	bool has_contention[2];
	int64_t contention_mpct[2];
	int contended_side;	/* -1 neither, else the side that stalled
				 * diff_contention_percent more */
	size_t n_contended;	/* metrics made inconclusive by it */
	/* budgets: one check per rule and matching module, rule order then
	 * module order; a rule matching nothing: one check, unmatched */
	bool has_budget;
	size_t n_checks;
	struct swt_budget_check *checks;
	size_t n_over, n_unmatched;
	/* over time (docs/analysis.md § 14): each side's series come from
	 * one run, its median by the session's CPU time (of an even count
	 * the lower middle, equal CPU: the first given); its index in runs,
	 * or SIZE_MAX (no analysed run on that side) */
	size_t series_run[2];
	/* the subjects shown over time, indices in modules: the session,
	 * then at most SWT_DIFF_SERIES_MODULES matched modules that ran in
	 * both series runs, regressions first, then inconclusive,
	 * improvements and unchanged (the order of Changes), each verdict
	 * by the largest change of weight, then in module order */
	size_t n_series;
	size_t series[1 + SWT_DIFF_SERIES_MODULES];
	char **strings;		/* owned */
	size_t n_strings, cap_strings;
};

/* ---- budgets: absolute limits, without a base ------------------------------- */

/* One line of a budget file: "SUBJECT METRIC <= LIMIT", SUBJECT "session"
 * or KIND:NAME with KIND process, module, thread, counter or *, NAME a
 * glob (case-sensitive: * any run, ? one byte); METRIC one of the diff's
 * metrics, LIMIT in its unit (docs/ci.md § Budgets). */
struct swt_budget_rule {
	char *kind;		/* "session", "process", ..., or "*" */
	char *name;		/* glob */
	const char *metric;	/* static: the metric's key */
	int metric_id;
	int64_t limit;		/* in the metric's fixed-point unit */
	unsigned line;
};

struct swt_budget {
	size_t n;
	struct swt_budget_rule *rules;
};

/* Parse a budget held in memory; `name` prefixes messages ("FILE:3:
 * unknown metric 'x'"). 0 or SWT_EINVAL (nothing kept then). */
int swt_budget_parse(struct swt_budget *b, const char *text, size_t len,
		     const char *name, char *errmsg, size_t errlen);

/* Read (at most 1 MiB) and parse. 0, SWT_EIO or SWT_EINVAL. */
int swt_budget_load(struct swt_budget *b, const char *path, char *errmsg,
		    size_t errlen);

void swt_budget_fini(struct swt_budget *b);

enum swt_budget_verdict {
	SWT_BUDGET_WITHIN = 0,
	SWT_BUDGET_OVER = 1,
	SWT_BUDGET_UNMATCHED = 2, /* no module of the new runs matches */
};

/* "within_budget", "over_budget", "unmatched". */
const char *swt_budget_verdict_name(enum swt_budget_verdict v);

struct swt_budget_check {
	const struct swt_budget_rule *rule;
	size_t subject;		/* index in modules (not for unmatched) */
	const char *metric;
	unsigned scale, dec;
	size_t runs;		/* new runs measured */
	int64_t value;		/* the median of the new runs */
	enum swt_budget_verdict verdict;
};

/* Compare the analysed runs (those with an analysis). Each side must have
 * one at least (SWT_EINVAL otherwise), unless a budget is given: then
 * the new side alone may be (a budget check without a base). th: the
 * thresholds the runs were analysed with; budget may be NULL (both
 * borrowed). */
int swt_diff_compute(struct swt_diff **out, const struct swt_diff_run *runs,
		     size_t n, const struct swt_thresholds *th,
		     const struct swt_budget *budget);

void swt_diff_free(struct swt_diff *d);

/* The report model of a diff (borrowed: free it before the diff). ascii:
 * nothing but ASCII in it (swanalyze diff --ascii): the charts over time
 * drawn with ASCII (swt_model.ascii), Changes' arrows ^ and v instead of
 * U+25B2 and U+25BC. */
void swt_diff_model_build(struct swt_model **out, const struct swt_diff *d,
			  bool ascii);

/* ---- history: modules across sessions in time order -------------------------- */

enum swt_trend_dir {
	SWT_HTREND_TOO_FEW = 0,	/* fewer than 4 sessions measured it */
	SWT_HTREND_STABLE = 1,
	SWT_HTREND_INCREASING = 2,
	SWT_HTREND_DECREASING = 3,
};

/* "too_few_sessions", "stable", "increasing", "decreasing". */
const char *swt_trend_dir_name(enum swt_trend_dir t);

struct swt_history_series {
	size_t subject;		/* index in modules */
	const char *metric;	/* static */
	const char *unit;
	unsigned scale, dec;
	size_t n;		/* sessions (all: 0 where it did not run) */
	int64_t *v;		/* per session, in the history's order */
	size_t present;		/* sessions it ran in */
	int64_t first, last, min, max;
	bool has_rel;
	int64_t rel_mpct;	/* last against first */
	enum swt_trend_dir trend;
	int64_t slope_milli;	/* Theil-Sen, per session, x1000 */
	int64_t z_milli;	/* Mann-Kendall */
	bool has_step;		/* the most significant split into before
				 * and after (at least 2 sessions each) is
				 * significant and beyond the minimum
				 * effect */
	size_t step_at;		/* first session after the step */
	int64_t step_change;	/* the shift of the sessions after it */
	bool step_has_rel;
	int64_t step_rel_mpct;
	int64_t step_p_ppm;
};

struct swt_history {
	const struct swt_thresholds *th;
	const struct swt_diff_run *runs; /* in time order (analysed ones) */
	size_t n_runs;
	size_t n_modules;	/* as in a diff, every run on the new side */
	struct swt_diff_module *modules;
	size_t n_series;	/* by module, then metric */
	struct swt_history_series *series;
	size_t n_steps, n_trends;
	char **strings;
	size_t n_strings, cap_strings;
};

/* Order runs in place by their sessions' start (wall clock, from the file),
 * then path: the order of a history. Runs without an analysis go last. */
void swt_history_sort(struct swt_diff_run *runs, size_t n);

/* The history of the analysed runs, in the order given (at least one;
 * at most SWT_DIFF_MAX_RUNS: SWT_EINVAL otherwise). */
int swt_history_compute(struct swt_history **out,
			const struct swt_diff_run *runs, size_t n,
			const struct swt_thresholds *th);

void swt_history_free(struct swt_history *h);

/* Its report model (borrowed: free it before the history). */
void swt_history_model_build(struct swt_model **out,
			     const struct swt_history *h);

/* Normalise s with the rules of th (normalize_patterns), a new string. */
char *swt_diff_normalize(const struct swt_thresholds *th, const char *s);

#endif
