/* swt_thresholds.h — the thresholds the analysis runs with.
 *
 * Every threshold has a documented default (docs/analysis.md §
 * Thresholds) and can be set by a config file and by --threshold
 * KEY=VALUE; the report says where each value came from. Values are
 * fixed-point (thousandths) except history_samples, which is a count.
 *
 * Keys (VALUE syntax: a decimal number with at most 3 decimals, no sign):
 *   memory_mb                  500     MB (MiB) of RSS per module
 *   cpu_percent                80      % of one core per module
 *   io_mb_per_s                50      disk read + write MB/s per module
 *   net_mb_per_s               0       TCP sent + received MB/s per module
 *                                      (0: none)
 *   calls_per_minute           600     module call frequency (weight)
 *   starts_per_minute          30      process respawn frequency (weight)
 *   history_samples            100     samples of history (spikes, rates)
 *   spike_factor               1.5     spike: value >= factor x baseline
 *   leak_mb_per_min            1       smallest slope reported as a leak
 *   trend_mb_per_min           0.5     smallest memory slope of a trend
 *   trend_cpu_percent_per_min  0.5     smallest CPU slope of a trend
 *   saturation_percent         90      a thread at or above is saturated
 *   forecast_minutes           30      forecast alert: a leak reaching
 *                                      memory_mb within this (0: none)
 *   heavy_patterns             *ocr*,*image*   comma-separated globs
 *   rate.NAME                  —       rate limit of counter NAME (/min)
 *   ocr_per_minute             10      the same as rate.ocr_call
 *   event_listener_per_minute  50      the same as rate.event_listener
 *   group_by                   exe     process modules by: exe (comm and
 *                                      program path), comm, cmdline
 *   group_patterns             —       NAME:GLOB,... a process whose
 *                                      command line matches GLOB is in
 *                                      module NAME (first rule wins)
 *
 * swanalyze diff and history (docs/ci.md § Settings):
 *   diff_min_change_percent    10      smallest relative change that counts
 *                                      (one run a side)
 *   diff_min_change_percent_repeated 5 the same with repeated runs (the
 *                                      rank test handles the noise)
 *   diff_min_cpu_s             0.05    smallest CPU-time change (s)
 *   diff_min_cpu_percent       1       smallest CPU change (% of a core)
 *   diff_min_memory_mb         2       smallest memory change (MB)
 *   diff_min_per_minute        1       smallest rate change (/min)
 *   diff_min_bytes_mb          1       smallest disk or network change (MB)
 *   diff_min_weight            0.05    smallest weight change
 *   diff_min_duration_s        0.5     smallest session-duration change (s)
 *   diff_significance          0.05    two-sided level of the rank test
 *   diff_contention_percent    10      stall margin of a contended side
 *   normalize_patterns         (below) RE => REPL; ... applied to programs
 *                                      and command lines before matching
 *
 * Pure: no I/O except swt_thresholds_load_file(), which reads one file. */
#ifndef SWT_THRESHOLDS_H
#define SWT_THRESHOLDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum swt_th_source {
	SWT_TH_DEFAULT = 0,
	SWT_TH_CONFIG = 1,
	SWT_TH_OPTION = 2,
};

/* Name of a source: "default", "config" or "option". */
const char *swt_th_source_name(enum swt_th_source src);

/* Scalar keys, in report order. */
enum swt_th_key {
	SWT_TH_MEMORY_MB,
	SWT_TH_CPU_PERCENT,
	SWT_TH_IO_MB_PER_S,
	SWT_TH_NET_MB_PER_S,
	SWT_TH_CALLS_PER_MINUTE,
	SWT_TH_STARTS_PER_MINUTE,
	SWT_TH_HISTORY_SAMPLES,
	SWT_TH_SPIKE_FACTOR,
	SWT_TH_LEAK_MB_PER_MIN,
	SWT_TH_TREND_MB_PER_MIN,
	SWT_TH_TREND_CPU_PERCENT_PER_MIN,
	SWT_TH_SATURATION_PERCENT,
	SWT_TH_FORECAST_MINUTES,
	/* swanalyze diff (docs/ci.md): its minimum effects, significance and
	 * contention margin; not listed in the reports' thresholds */
	SWT_TH_DIFF_MIN_CHANGE_PERCENT,
	SWT_TH_DIFF_MIN_CHANGE_PERCENT_REPEATED,
	SWT_TH_DIFF_MIN_CPU_S,
	SWT_TH_DIFF_MIN_CPU_PERCENT,
	SWT_TH_DIFF_MIN_MEMORY_MB,
	SWT_TH_DIFF_MIN_PER_MINUTE,
	SWT_TH_DIFF_MIN_BYTES_MB,
	SWT_TH_DIFF_MIN_WEIGHT,
	SWT_TH_DIFF_MIN_DURATION_S,
	SWT_TH_DIFF_SIGNIFICANCE,
	SWT_TH_DIFF_CONTENTION_PERCENT,
	SWT_TH_N_SCALAR,
};

/* The scalar keys of the analysis (the reports list these); the diff's
 * follow them. */
#define SWT_TH_N_ANALYSIS SWT_TH_DIFF_MIN_CHANGE_PERCENT

/* A normalize_patterns rule: every match of the POSIX extended regular
 * expression `re` in a module's program or command line is replaced by
 * `repl` (\1..\9 its groups, & the whole match) before sessions are
 * matched (swanalyze diff and history). */
struct swt_th_norm {
	char *re;
	char *repl;
};

struct swt_th_rate {
	char *counter;
	int64_t per_minute_milli;
	enum swt_th_source source;
};

/* How processes are grouped into process modules (docs/analysis.md §
 * Process modules). */
enum swt_group_by {
	SWT_GROUP_EXE = 0,	/* comm and program path (default) */
	SWT_GROUP_COMM = 1,	/* comm alone */
	SWT_GROUP_CMDLINE = 2,	/* comm and the whole command line */
};

/* "exe", "comm", "cmdline". */
const char *swt_group_by_name(enum swt_group_by g);

/* A group_patterns rule: a process whose command line matches the glob
 * (case-sensitive) is in module `name`. */
struct swt_th_group {
	char *name;
	char *pattern;
};

/* Per heavy pattern, what a name needs to possibly match it (private to
 * swt_thresholds.c). */
struct swt_th_heavy_ix;

struct swt_thresholds {
	/* scalar values: thousandths, except history_samples (a count) */
	int64_t v[SWT_TH_N_SCALAR];
	enum swt_th_source src[SWT_TH_N_SCALAR];
	size_t n_rates;			/* sorted by counter name */
	struct swt_th_rate *rates;
	size_t n_heavy;
	char **heavy;			/* glob patterns, in the order given */
	struct swt_th_heavy_ix *heavy_ix;	/* n_heavy, prefilter */
	enum swt_th_source heavy_src;
	enum swt_group_by group_by;
	enum swt_th_source group_by_src;
	size_t n_groups;
	struct swt_th_group *groups;	/* in the order given */
	enum swt_th_source groups_src;
	size_t n_norms;
	struct swt_th_norm *norms;	/* in the order given */
	enum swt_th_source norms_src;
};

/* Key name of a scalar ("memory_mb"). */
const char *swt_th_key_name(enum swt_th_key key);

/* true if the scalar key is a count printed without decimals. */
bool swt_th_key_is_count(enum swt_th_key key);

/* Defaults. Never fails. */
void swt_thresholds_init(struct swt_thresholds *t);
void swt_thresholds_fini(struct swt_thresholds *t);

/* Deep copy of src into *out (out is initialised, not finalised). */
void swt_thresholds_copy(struct swt_thresholds *out,
			 const struct swt_thresholds *src);

/* Set one key. Returns 0 or SWT_EINVAL (unknown key, bad value); the
 * message ("unknown key 'x'", "bad value for cpu_percent: '-1' (...)") goes
 * to errmsg. */
int swt_thresholds_set(struct swt_thresholds *t, const char *key,
		       const char *value, enum swt_th_source src,
		       char *errmsg, size_t errlen);

/* "KEY=VALUE" as given to --threshold. 0 or SWT_EINVAL. */
int swt_thresholds_set_assignment(struct swt_thresholds *t, const char *kv,
				  enum swt_th_source src, char *errmsg,
				  size_t errlen);

/* Every "KEY=VALUE" of kv[0..n) in order, as --threshold given n times
 * (a later value of a key wins). n log n in the number of rate keys. 0 or
 * SWT_EINVAL: the message names the bad assignment, and nothing is
 * applied then. */
int swt_thresholds_set_assignments(struct swt_thresholds *t,
				   const char *const *kv, size_t n,
				   enum swt_th_source src, char *errmsg,
				   size_t errlen);

/* Parse a config file held in memory: one "KEY = VALUE" per line, blank
 * lines and lines starting with '#' ignored, each key at most once (an
 * alias and its rate.NAME are one key). `name` prefixes messages, which
 * name the line: "FILE:3: unknown key 'x'". 0 or SWT_EINVAL (nothing is
 * applied then). Linear in the text plus n log n in its rate keys. */
int swt_thresholds_load(struct swt_thresholds *t, const char *text,
			size_t len, const char *name, char *errmsg,
			size_t errlen);

/* The settings of a command line, in its order: the config file (NULL:
 * none), then every --threshold KEY=VALUE of kv[0..n), then --group-by
 * (NULL: none), the later winning. 0, or SWT_EINVAL / SWT_EIO with the
 * message, prefixed "--threshold: " or "--group-by: " when one of those
 * is at fault (a config file's message names the file). */
int swt_thresholds_from_options(struct swt_thresholds *t, const char *config,
				const char *const *kv, size_t n,
				const char *group_by, char *errmsg,
				size_t errlen);

/* Largest config file: room for 100 000 rate keys and 50 000 patterns
 * with long names; a bigger one is a mistake, not a config. */
#define SWT_TH_MAX_CONFIG_BYTES (16 * 1024 * 1024)

/* Read and load a config file (at most SWT_TH_MAX_CONFIG_BYTES). 0,
 * SWT_EIO (cannot read: message names the file and errno) or SWT_EINVAL. */
int swt_thresholds_load_file(struct swt_thresholds *t, const char *path,
			     char *errmsg, size_t errlen);

/* Every setting of t as config lines ("KEY = VALUE\n", the scalars in key
 * order, then the lists, group_by and every rate.NAME), which
 * swt_thresholds_load() reads back to the same settings. Appended to out
 * (a struct swt_buf). */
struct swt_buf;
void swt_thresholds_format(const struct swt_thresholds *t,
			   struct swt_buf *out);

/* Rate limit of a counter in thousandths per minute, or -1 if none.
 * Binary search. */
int64_t swt_thresholds_rate(const struct swt_thresholds *t,
			    const char *counter);

/* true if name matches one of the heavy patterns (ASCII case-insensitive
 * glob: '*' any run, '?' one byte); *pattern gets the first that
 * matches. Cost: one mask test per pattern, and the glob only for the
 * patterns whose literal bytes all occur in name (and not longer than
 * it). */
bool swt_thresholds_heavy_match(const struct swt_thresholds *t,
				const char *name, const char **pattern);

/* A glob over s: '*' any run, '?' one byte, everything else itself (fold:
 * ASCII case-insensitive). Iterative with one backtrack point. */
bool swt_glob_match(const char *pat, const char *s, bool fold);

/* The module name of the first group_patterns rule whose glob matches
 * command (argv joined by spaces), or NULL. Linear in the rules. */
const char *swt_thresholds_group_match(const struct swt_thresholds *t,
				       const char *command);

#endif
