/* swt.h — analyse swt session files from a program (libswt).
 *
 *   #include <swt.h>          pkg-config --cflags --libs swt
 *
 *   struct swt_report *rep = NULL;
 *   char msg[1024];
 *   int rc = swt_report_open(&rep, "session.swt", NULL, msg, sizeof(msg));
 *
 *   if (!rep) {                        // not a session that can be read
 *           fprintf(stderr, "%s\n", msg);
 *           return 1;
 *   }
 *   if (rc < 0)                        // damaged: the readable part is
 *           fprintf(stderr, "%s\n", msg); // analysed, msg says what is lost
 *   for (size_t i = 0; i < swt_report_module_count(rep); i++) {
 *           const struct swt_module_info *m = swt_report_get_module(rep, i);
 *           printf("%s %s: weight %" PRId64 "/1000\n", m->kind, m->name,
 *                  m->weight);
 *   }
 *   swt_report_print(buf, sizeof(buf), &len, rep, "full", "json");
 *   swt_report_free(rep);
 *
 * libswt is the engine of swanalyze (the same code, not a copy): the
 * session reader, the analysis and the report model. A report opened here
 * holds the same figures swanalyze prints, and swt_report_print() renders
 * them with swanalyze's renderers: for the same file and settings its
 * output is byte for byte `swanalyze FILE --report KIND --format FORMAT`
 * (with the same --config and --threshold). The formulas, thresholds and
 * report keys are documented in swt's docs/analysis.md; this library's
 * guide is docs/libswt.md.
 *
 * Units. Every figure is an integer in a fixed-point unit named by its
 * suffix, the same units the engine computes in (nothing here is floating
 * point, so figures are the same on every machine and build):
 *   _ns     nanoseconds; times (t_ns, start_ns) relative to the session
 *           start
 *   _ms     milliseconds (CPU time)
 *   _mpct   thousandths of a percent; CPU as a share of ONE core
 *           (100000 = one busy core, 250000 = two and a half cores)
 *   _mmb    thousandths of a MB, where MB = MiB = 1048576 bytes
 *   _mmbps  thousandths of a MB per second
 *   _mmin   thousandths of a minute (forecast times)
 *   _permille  thousandths of the whole (1000 = all of it)
 *   _milli  thousandths of the unit in the name (per minute, ...)
 *   _per_min  a slope: the unit before it per minute
 *   weight, scores: thousandths (1000 = the threshold), 0 to 2000
 * The reports print these rounded half away from zero at a fixed number of
 * decimals (docs/analysis.md § Report formats).
 *
 * Strings: kinds, priorities, resources, directions, reasons, sources and
 * units are the names the JSON report uses ("process", "high", "memory",
 * "increasing", "cpu_bound", "config", "MB"). What the JSON shows as null
 * is a has_ flag, "" or -1 here (each field says). Names and command lines
 * come from the file with control bytes and invalid UTF-8 shown as '?'.
 * Every pointer a function here returns is borrowed from the report (or
 * the settings) and stays valid until swt_report_free()
 * (swt_settings_free()).
 *
 * Structs: the library allocates every struct it hands out. New fields
 * are only ever added at the end (a minor version), so a program built
 * with an older swt.h keeps working; do not allocate these structs
 * yourself or index them as arrays, use the accessors.
 *
 * Errors: fallible functions return 0 or a negative enum swt_status; the
 * message (naming the file, the byte offset and what is wrong) goes into
 * the caller's buffer or the object's errmsg, never into a global.
 *
 * Guarantees:
 *   - session files are untrusted input: any bytes are read without
 *     crashing or hanging, damage is reported with its byte range, and
 *     what is readable is analysed (docs/security.md);
 *   - deterministic: the results depend only on the file and the
 *     settings (no clock, locale, environment or host fact);
 *   - no global state: objects are independent, any number may be used
 *     at once in different threads; a report is read-only once opened,
 *     so one report may also be read (get, print) from several threads;
 *     settings must not be changed while a report is being opened with
 *     them;
 *   - never prints; out of memory is fatal (abort), as in swt's tools.
 *
 * Exported symbols are the functions below (libswt.so.0, symbol version
 * SWT_0). This header compiles as C99 (and later) and as C++. */
#ifndef SWT_H
#define SWT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* This header's version; swt_version() is the library's. */
#define SWT_VERSION_MAJOR 0
#define SWT_VERSION_MINOR 1
#define SWT_VERSION_PATCH 0
#define SWT_VERSION_STRING "0.1.0"
#define SWT_VERSION_NUMBER \
	(SWT_VERSION_MAJOR * 10000 + SWT_VERSION_MINOR * 100 + \
	 SWT_VERSION_PATCH)

/* The library's version, "MAJOR.MINOR.PATCH" (a static string). */
const char *swt_version(void);

/* Status codes: 0 or negative, never renumbered. (swt's own sources
 * define the same enum in common/swt_status.h, whose include guard this
 * is.) */
#ifndef SWT_STATUS_H
enum swt_status {
	SWT_OK = 0,
	SWT_EINVAL = -1,	/* bad argument, setting or config */
	SWT_EIO = -2,		/* a file could not be read (errno in the
				 * message) */
	SWT_ECORRUPT = -3,	/* bytes are not what the format says */
	SWT_EVERSION = -4,	/* unsupported format major version */
	SWT_ENOTFOUND = -5,	/* no such file */
	SWT_ENOMEM = -6,
	SWT_ITEROVER = -7,
	SWT_ETRUNCATED = -8,	/* input ends before it should */
	SWT_EEXIST = -9,
	SWT_ELIMIT = -10	/* a buffer or bound too small */
};
#endif

/* Constant name of a status ("SWT_ECORRUPT"); never NULL. */
const char *swt_status_name(int status);

/* Priorities (swt_module_info, swt_recommendation_info). */
#define SWT_PRIORITY_LOW 0
#define SWT_PRIORITY_MEDIUM 1
#define SWT_PRIORITY_HIGH 2
#define SWT_PRIORITY_CRITICAL 3

/* ---- Settings: the thresholds of the analysis ----------------------------
 * What swanalyze's --config, --threshold and --group-by set: the keys,
 * their defaults and value syntax are in docs/analysis.md § Thresholds
 * (memory_mb=500, cpu_percent=80, rate.NAME=30, group_by=comm, ...). Later
 * settings win; the report lists every value and where it came from
 * ("default", "config" or "option"). To reproduce `swanalyze --config F
 * --threshold K=V --group-by G`, load F, then set K=V, then group_by=G. */
struct swt_settings;

/* New settings holding the defaults. Returns 0; *out is freed with
 * swt_settings_free(). */
int swt_settings_new(struct swt_settings **out);

/* NULL is a no-op. */
void swt_settings_free(struct swt_settings *s);

/* One "KEY=VALUE" (source "option"), as --threshold KEY=VALUE. Returns 0
 * or SWT_EINVAL (unknown key, bad value: nothing changed, message in
 * swt_settings_errmsg()). */
int swt_settings_set(struct swt_settings *s, const char *assignment);

/* A config file's text (source "config"), as --config: one "KEY = VALUE"
 * per line, '#' comments, each key at most once. `name` (may be NULL)
 * starts messages, which name the line ("prod.conf:3: unknown key 'x'").
 * Returns 0 or SWT_EINVAL (nothing changed then). */
int swt_settings_load(struct swt_settings *s, const char *text, size_t len,
		      const char *name);

/* The same from a file (at most 16 MiB). 0, SWT_EIO (cannot read it) or
 * SWT_EINVAL. */
int swt_settings_load_file(struct swt_settings *s, const char *path);

/* The message of the last failed call; "" if none. */
const char *swt_settings_errmsg(const struct swt_settings *s);

/* Decode sessions on n threads in all, the caller's included, as
 * swanalyze --threads N: 1 (the default) decodes on the calling thread,
 * 0 takes the online CPUs; at most 64. The reports are the same whatever
 * n (the records are handed to the one analysis in file order). Not a
 * threshold: reports do not list it. Returns 0 or SWT_EINVAL (over 64,
 * nothing changed). */
int swt_settings_set_threads(struct swt_settings *s, unsigned n);

/* ---- Reports --------------------------------------------------------- */
struct swt_report;

/* Read the session file at `path` and analyse it with `settings` (NULL:
 * the defaults; copied, so they may be freed or changed afterwards).
 *
 * On every return *out is either NULL or a report to free with
 * swt_report_free(). The return value says how complete it is:
 *   0               the whole session was read;
 *   SWT_ECORRUPT    *out set: some byte range of the file is damaged and
 *                   was skipped, the rest is analysed (a damaged chunk
 *                   loses only its own records);
 *   SWT_ETRUNCATED  *out set: the file ends early (the recorder did not
 *                   finish: no end record or no index; the complete
 *                   records of the last chunk are kept);
 * and with *out NULL, nothing could be analysed:
 *   SWT_ENOTFOUND, SWT_EIO     no such file, cannot open or map it;
 *   SWT_ECORRUPT, SWT_ETRUNCATED  not a swt session (bad magic, damaged
 *                   session header), or a record no session can hold
 *                   (an absurd clock rate, a time years away: docs/
 *                   analysis.md § 11);
 *   SWT_EVERSION    a format major version this library cannot read;
 *   SWT_EINVAL      a NULL argument.
 * swanalyze exits 3 in the first two cases and 2 or 3 in the others.
 * The message (errbuf, errlen; errbuf may be NULL; always NUL-terminated,
 * cut to fit) names the file and the byte offset: "s.swt: records lost
 * between t=278.000 s and t=372.000 s (corrupt: 600 bytes at offset
 * 1987: ...)", one line per damaged range, the lines joined by '\n' (no
 * final newline); "" when the return is 0. swt_report_errmsg() keeps it. */
int swt_report_open(struct swt_report **out, const char *path,
		    const struct swt_settings *settings, char *errbuf,
		    size_t errlen);

/* The same for a session held in memory: len bytes at data, read during
 * the call only (the report keeps nothing of them). `name` (NULL:
 * "(memory)") stands for the file in messages. */
int swt_report_open_mem(struct swt_report **out, const void *data,
			size_t len, const char *name,
			const struct swt_settings *settings, char *errbuf,
			size_t errlen);

/* NULL is a no-op. */
void swt_report_free(struct swt_report *r);

/* 0, SWT_ECORRUPT or SWT_ETRUNCATED: what swt_report_open() returned. */
int swt_report_status(const struct swt_report *r);

/* The damage message of swt_report_open(), whole; "" if intact. */
const char *swt_report_errmsg(const struct swt_report *r);

/* Render the report as swanalyze does: kind "lightweight", "full" or
 * "weight-analysis", format "text", "json", "csv", "markdown" or "html".
 * Writes at most size bytes including a terminating NUL into buf (buf may be NULL
 * when size is 0) and sets *len (len may be NULL) to the length of the
 * whole document without the NUL. Returns 0, SWT_ELIMIT when it did not
 * fit (buf holds the start of it; call again with *len + 1 bytes) or
 * SWT_EINVAL (unknown kind or format; *len is 0). */
int swt_report_print(char *buf, size_t size, size_t *len,
		     const struct swt_report *r, const char *kind,
		     const char *format);

/* The highest priority among the modules and recommendations
 * (SWT_PRIORITY_*), or -1 if there are none: what swanalyze --fail-on
 * tests. */
int swt_report_max_priority(const struct swt_report *r);

/* The session as a whole (the JSON report's "session", "cpu_percent",
 * "memory_mb" and "summary"). */
struct swt_session_info {
	const char *recorder;	/* "swrec 0.1.0" */
	size_t n_command;	/* the recorded command line (argv) */
	const char *const *command;
	int64_t duration_ns;	/* start to the end record (or last record) */
	int64_t interval_ns;	/* sampling interval */
	int64_t start_wall_ns;	/* CLOCK_REALTIME at the start */
	uint64_t samples;
	uint64_t processes;	/* distinct processes (pids) */
	uint64_t events;	/* application events (libswtrace) */
	uint32_t cpu_count;	/* of the recording machine */
	uint32_t clock_ticks;
	uint64_t mem_total_kib;
	int64_t cpu_ms;		/* CPU time of the whole tree, reaped
				 * children included */
	int64_t cpu_avg_mpct;	/* the tree's CPU, of one core */
	int64_t cpu_peak_mpct;
	int64_t cpu_end_mpct;	/* last interval */
	int64_t mem_avg_mmb;	/* the tree's resident memory */
	int64_t mem_peak_mmb;
	int64_t mem_end_mmb;
	int64_t total_weight;	/* sum of the process modules' weights */
	uint64_t dropped_events;
	uint64_t missed_samples;
	uint64_t alerts_total;	/* including any over the list's cap */
	uint64_t spikes_total;
	int complete;		/* 1: an end record, an index and no damage
				 * (swt_report_status() == 0) */
};

const struct swt_session_info *
swt_report_get_session(const struct swt_report *r);

/* A module: an instrumented module, a thread or a group of processes
 * (docs/analysis.md § Modules). Sorted by weight (highest first), then
 * name, kind, process and command. */
struct swt_module_info {
	const char *kind;	/* "module", "thread" or "process" */
	const char *name;
	const char *process;	/* comm of its process */
	const char *command;	/* command line, args joined by spaces */
	const char *group;	/* what tells apart process modules of the
				 * same name (program path, ...), or "" */
	uint64_t instances;	/* processes, threads, or processes the
				 * module ran in */
	int64_t cpu_avg_mpct;
	int64_t cpu_peak_mpct;
	int64_t cpu_ms;		/* its CPU time */
	int64_t cpu_share_mpct;	/* of the tree's CPU time */
	const char *cpu_source;	/* "sampled", "measured", "estimated" or
				 * "mixed" */
	int has_memory;		/* 0 for threads (memory is per process) */
	int64_t mem_avg_mmb;
	int64_t mem_peak_mmb;
	const char *mem_attribution; /* modules: "no_data", "none",
				 * "shared", "attributed"; else "" */
	int64_t calls;		/* spans begun (module), restarts (process) */
	int64_t calls_per_min_milli;
	int64_t cpu_score;	/* thousandths: 1000 = at the threshold */
	int64_t mem_score;
	int64_t freq_score;
	int64_t weight;		/* thousandths, 0..2000 */
	int priority;		/* SWT_PRIORITY_* */
	const char *priority_name; /* "low", "medium", "high", "critical" */
	int in_total;		/* counted in total_weight */
	int has_io;		/* disk I/O of its processes was read */
	int64_t io_read_mmb;
	int64_t io_write_mmb;
	int has_net;		/* TCP bytes of its processes were read */
	int64_t net_sent_mmb;
	int64_t net_recv_mmb;
	int64_t cpu_session_mpct; /* its CPU over the session's observed
				   * time: the CPU score of processes and
				   * threads */
	int has_starts;		/* process modules (not "reaped children") */
	int64_t starts;		/* its processes started in the session */
	int64_t starts_per_min_milli;
	uint64_t n_variants;	/* process modules: the distinct command
				 * lines its processes ran (the JSON's
				 * command_lines); 0 otherwise */
	size_t n_top_variants;	/* the heaviest of them, at most 3:
				 * swt_report_get_module_variant() */
};

size_t swt_report_module_count(const struct swt_report *r);
/* NULL if i >= swt_report_module_count(). */
const struct swt_module_info *
swt_report_get_module(const struct swt_report *r, size_t i);

/* A command line of a process module, among its heaviest (the JSON
 * report's "command_lines" lists them for the modules with two or more).
 * By CPU (highest first), processes, command. */
struct swt_variant_info {
	const char *command;	/* arguments joined by spaces */
	uint64_t processes;	/* its processes that ran it */
	int64_t cpu_ms;		/* their CPU time */
};

/* The k-th heaviest command line of module i; NULL if i or k is out of
 * range (k >= its n_top_variants). */
const struct swt_variant_info *
swt_report_get_module_variant(const struct swt_report *r, size_t i,
			      size_t k);

/* Who a finding is about. */
struct swt_subject_info {
	const char *kind;	/* "module", "thread", "process", "session",
				 * "counter" */
	const char *name;
	const char *process;	/* "" for the session and counters */
	const char *command;
};

/* An alert: a threshold crossed, at the time it happened (the same alerts
 * swrec --alerts prints live). By time, kind, subject. */
struct swt_alert_info {
	int64_t t_ns;
	const char *kind;	/* "cpu", "memory", "rate", "io", "net" */
	struct swt_subject_info subject;
	int64_t value_milli;	/* thousandths of unit */
	int64_t threshold_milli;
	const char *unit;	/* "percent" (of one core), "MB",
				 * "per_minute", "MB/s" */
};

size_t swt_report_alert_count(const struct swt_report *r);
const struct swt_alert_info *
swt_report_get_alert(const struct swt_report *r, size_t i);

/* A spike: a resource well above its recent baseline. By start, resource,
 * subject. */
struct swt_spike_info {
	const char *resource;	/* "cpu", "memory", "io", "net" */
	const char *unit;	/* of peak, baseline and threshold */
	struct swt_subject_info subject;
	int64_t start_ns;
	int64_t duration_ns;
	int64_t peak_t_ns;
	int64_t peak_milli;	/* thousandths of unit */
	int64_t baseline_milli;
	int64_t threshold_milli;
	size_t n_active;	/* modules active at the peak, biggest first */
	const char *const *active;
};

size_t swt_report_spike_count(const struct swt_report *r);
const struct swt_spike_info *
swt_report_get_spike(const struct swt_report *r, size_t i);

/* A leak: memory that grows steadily (Mann-Kendall trend test). By slope,
 * highest first. */
struct swt_leak_info {
	struct swt_subject_info subject;
	int64_t slope_mmb_per_min;
	int64_t confidence_mpct;
	int64_t first_mmb;	/* mean of the first and last trend bucket */
	int64_t last_mmb;
	const char *attributed_to; /* processes: the instrumented modules
				 * the growth is attributed to, "undecided",
				 * or "" */
	int64_t significant_ns;	/* when the leak test, run as the samples
				 * came, first called it a leak (the end of
				 * its series if only the final test did;
				 * modules: the session's last sample) */
};

size_t swt_report_leak_count(const struct swt_report *r);
const struct swt_leak_info *
swt_report_get_leak(const struct swt_report *r, size_t i);

/* An application counter (libswtrace) and its rate limit (the JSON
 * report's "counters"). By name. */
struct swt_counter_info {
	const char *name;
	int64_t count;		/* sum of its increments */
	int64_t per_min_milli;	/* over the session */
	int has_threshold;	/* a rate.NAME limit is set (else the JSON's
				 * threshold_per_minute is null) */
	int64_t threshold_per_min_milli;
	int exceeded;		/* per minute over the limit */
	uint64_t alerts;	/* rate alerts raised for it */
	const char *note;	/* why exceeded and alerts disagree, or "" */
};

size_t swt_report_counter_count(const struct swt_report *r);
const struct swt_counter_info *
swt_report_get_counter(const struct swt_report *r, size_t i);

/* When a memory series reaches memory_mb (the JSON report's "forecasts"):
 * the leak of a process module, or the tree's increasing memory trend
 * (subject kind "session"), as a Theil-Sen line with its slope's 95 %
 * interval (docs/analysis.md § 8). Only while the fitted level is under
 * the threshold. By eta (soonest first), then subject. */
struct swt_forecast_info {
	struct swt_subject_info subject;
	int64_t at_ns;		/* the time of the level: the series' last
				 * value */
	int64_t level_mmb;	/* the fitted level then */
	int64_t target_mmb;	/* memory_mb */
	int64_t slope_mmb_per_min;
	int64_t slope_low_mmb_per_min;	/* its 95 % interval */
	int64_t slope_high_mmb_per_min;
	int64_t eta_mmin;	/* minutes from at_ns to the target */
	int64_t eta_low_mmin;	/* at the interval's high slope */
	int64_t eta_high_mmin;	/* at its low slope; -1: no upper bound
				 * (the low slope is not positive; the JSON
				 * shows null) */
};

size_t swt_report_forecast_count(const struct swt_report *r);
const struct swt_forecast_info *
swt_report_get_forecast(const struct swt_report *r, size_t i);

/* Where the tree's memory and CPU are going (the JSON report's "trend";
 * docs/analysis.md § 8). Directions: "stable", "increasing",
 * "decreasing", "fluctuating" (moving, but not steadily enough to tell a
 * direction). */
struct swt_trend_info {
	const char *overall;
	const char *memory;
	int64_t memory_slope_mmb_per_min;
	const char *cpu;
	int64_t cpu_slope_mpct_per_min;
};

const struct swt_trend_info *swt_report_get_trend(const struct swt_report *r);

/* A bottleneck (the JSON report's "bottlenecks"). By average CPU (highest
 * first), subject, reason. */
struct swt_bottleneck_info {
	struct swt_subject_info subject;
	const char *reason;	/* "cpu_bound" (average CPU at or above
				 * cpu_percent), "saturated_thread" (a thread
				 * at or above saturation_percent),
				 * "heavy_pattern" (its name matches one of
				 * heavy_patterns) */
	int64_t cpu_avg_mpct;
	int64_t cpu_peak_mpct;
	int64_t saturated_permille; /* threads: of the intervals observed
				 * whole, those at or above saturation */
	int64_t calls_per_min_milli;
	const char *pattern;	/* heavy_pattern: the glob; else "" (the
				 * JSON shows null) */
};

size_t swt_report_bottleneck_count(const struct swt_report *r);
const struct swt_bottleneck_info *
swt_report_get_bottleneck(const struct swt_report *r, size_t i);

/* A threshold the report was made with (the JSON report's "thresholds"
 * and their "sources"): the scalar keys, in the report's order
 * ("memory_mb", "cpu_percent", ..., "forecast_minutes"; docs/analysis.md
 * § Thresholds). */
struct swt_threshold_info {
	const char *key;
	int64_t value_milli;	/* thousandths of the value (of the count,
				 * for history_samples) */
	int is_count;		/* a count (history_samples): the reports
				 * print it without decimals */
	const char *source;	/* "default", "config" or "option" */
};

size_t swt_report_threshold_count(const struct swt_report *r);
const struct swt_threshold_info *
swt_report_get_threshold(const struct swt_report *r, size_t i);

/* A counter's rate limit in force (the JSON report's thresholds.rates:
 * rate.NAME and its aliases ocr_per_minute, event_listener_per_minute),
 * whether or not the session has the counter. By counter name. */
struct swt_rate_threshold_info {
	const char *counter;
	int64_t per_min_milli;
	const char *source;	/* "default", "config" or "option" */
};

size_t swt_report_rate_threshold_count(const struct swt_report *r);
const struct swt_rate_threshold_info *
swt_report_get_rate_threshold(const struct swt_report *r, size_t i);

/* What to do about the findings, highest priority first. */
struct swt_recommendation_info {
	int priority;		/* SWT_PRIORITY_* */
	const char *priority_name;
	const char *subject;
	const char *text;
};

size_t swt_report_recommendation_count(const struct swt_report *r);
const struct swt_recommendation_info *
swt_report_get_recommendation(const struct swt_report *r, size_t i);

/* A damaged byte range of the file and the records lost to it (the JSON
 * report's "damage"). In file order. */
struct swt_damage_info {
	int status;		/* SWT_ECORRUPT or SWT_ETRUNCATED */
	uint64_t offset;	/* the damaged bytes */
	uint64_t length;
	int lost;		/* 0: only the index was damaged (ignored,
				 * frames scanned), no record lost */
	int from_known;		/* records lost from from_ns (else from the
				 * start) */
	int64_t from_ns;
	int to_end;		/* to the end of the session (else to_ns) */
	int64_t to_ns;
	const char *what;	/* the reader's reason */
};

size_t swt_report_damage_count(const struct swt_report *r);
const struct swt_damage_info *
swt_report_get_damage(const struct swt_report *r, size_t i);

/* CPU and memory over time (the JSON report's "series";
 * docs/analysis.md § 14): one bucket of a subject's use, the whole
 * sampling intervals [t_from_ns, t_to_ns) from the session start. The
 * session and every module have the same buckets, in time order, at most
 * 240 (swt_report_usage_count()); a bucket's min and max are those of
 * single intervals (CPU) or samples (memory). */
struct swt_usage_info {
	int64_t t_from_ns;
	int64_t t_to_ns;
	int has_cpu;		/* a CPU value in the bucket (else the JSON's
				 * cpu_* are null: not running, or an
				 * instrumented module whose CPU is
				 * estimated for the whole session only) */
	int64_t cpu_min_mpct;	/* of one interval, % of one core */
	int64_t cpu_max_mpct;
	int64_t cpu_avg_mpct;	/* over the intervals' time */
	int has_memory;		/* a memory value (else null: threads,
				 * instrumented modules, not running) */
	int64_t mem_min_mmb;	/* of one sample */
	int64_t mem_max_mmb;
	int64_t mem_avg_mmb;	/* over the samples */
};

/* The number of buckets (of the session and of every module alike). */
size_t swt_report_usage_count(const struct swt_report *r);
/* The session's (the whole tree's) bucket k; NULL if k is out of range. */
const struct swt_usage_info *
swt_report_get_usage(const struct swt_report *r, size_t k);
/* Module i's bucket k (i as in swt_report_get_module()); NULL if i or k
 * is out of range. */
const struct swt_usage_info *
swt_report_get_module_usage(const struct swt_report *r, size_t i, size_t k);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif
