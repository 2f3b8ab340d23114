/* swt_engine.h — the deterministic analysis engine.
 *
 * Records are fed in time order (the order a reader returns them, header
 * first) with swt_engine_feed(); alerts come out as they happen through an
 * optional callback, everything else is computed by swt_engine_finish().
 * The engine does no I/O, reads no clock and holds no global state: today
 * swanalyze drives it; swrec (live alerts) and swreplay (timeline), planned,
 * are to drive the same code, so that the alerts
 * are the same for the same records and thresholds.
 *
 * Memory grows with the number of processes, threads, modules and counters
 * (bounded history rings and trend summaries per subject), not with the
 * session length; the lists of spikes and alerts are capped (the counts of
 * what was left out are kept).
 *
 * Units (all integers): CPU in thousandths of a percent of one core
 * ("mpct": 100000 = one busy core), memory in thousandths of a MB where
 * MB = MiB = 1024 KiB ("mmb"), rates in thousandths per minute, scores and
 * weights in thousandths, times in ns relative to the session start. The
 * formulas are in docs/analysis.md. */
#ifndef SWT_ENGINE_H
#define SWT_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "swt_record.h"
#include "swt_thresholds.h"

struct swt_engine;

enum swt_module_kind {
	SWT_KIND_MODULE = 0,	/* instrumented module (spans) */
	SWT_KIND_THREAD = 1,	/* a thread, by name within its process */
	SWT_KIND_PROCESS = 2,	/* processes grouped by group_by and
				 * group_patterns (by default comm and
				 * program path) */
	SWT_KIND_SESSION = 3,	/* the whole recorded tree (spikes, leaks) */
	SWT_KIND_COUNTER = 4,	/* an application counter (rate alerts) */
};

/* "module", "thread", "process", "session", "counter". */
const char *swt_kind_name(enum swt_module_kind kind);

enum swt_priority {
	SWT_PRIO_LOW = 0,
	SWT_PRIO_MEDIUM = 1,
	SWT_PRIO_HIGH = 2,
	SWT_PRIO_CRITICAL = 3,
};

/* "low", "medium", "high", "critical". */
const char *swt_priority_name(enum swt_priority p);

/* Priority of a weight (thousandths): >= 800 critical, >= 400 high,
 * >= 200 medium, else low. */
enum swt_priority swt_priority_of_weight(int64_t weight_milli);

/* Who a finding is about. Strings are owned by the result. */
struct swt_subject {
	enum swt_module_kind kind;
	const char *name;	/* module/thread name, comm, or "session" */
	const char *process;	/* comm of the owning process ("" for the
				 * session) */
	const char *command;	/* its command line, arguments joined by
				 * spaces ("" if unknown); for a process
				 * module whose processes ran several command
				 * lines, "PROGRAM (command lines vary)" */
	const char *group;	/* what keeps its process module apart from
				 * others of the same name (docs/analysis.md
				 * § 2.4): the program (group_by exe, when
				 * known), the first command line (cmdline);
				 * "" by comm, by a group_patterns rule, for
				 * the session and counters. With kind, name
				 * and process: the identity that swanalyze
				 * diff matches sessions by. */
};

/* A command line of a process module, among the heaviest few
 * (SWT_VARIANTS_TOP). */
#define SWT_VARIANTS_TOP 3
struct swt_variant {
	const char *command;	/* arguments joined by spaces */
	uint64_t processes;	/* processes that ran it */
	int64_t cpu_ms;		/* their CPU, ms */
};

/* How an instrumented module's memory was attributed (docs/analysis.md
 * § Attribution). */
enum swt_mem_attribution {
	SWT_MEM_NOT_APPLICABLE = 0, /* not a module (process, thread) */
	SWT_MEM_NO_DATA = 1,	/* too few readings, or too many modules */
	SWT_MEM_NO_GROWTH = 2,	/* no growth lands on it */
	SWT_MEM_SHARED = 3,	/* growth the file cannot pin on it rather
				 * than on modules open at the same times */
	SWT_MEM_ATTRIBUTED = 4,	/* growth that needs this module */
};

/* "", "no_data", "none", "shared", "attributed". */
const char *swt_mem_attribution_name(enum swt_mem_attribution a);

/* Where an instrumented module's CPU comes from. */
enum swt_cpu_source {
	SWT_CPU_SAMPLED = 0,	/* not a module: its own rows */
	SWT_CPU_MEASURED = 1,	/* the thread's CPU clock at every span
				 * boundary: exact */
	SWT_CPU_ESTIMATED = 2,	/* regression of thread ticks on open time,
				 * with a confidence */
	SWT_CPU_MIXED = 3,	/* some spans measured, some estimated */
};

/* "sampled", "measured", "estimated", "mixed". */
const char *swt_cpu_source_name(enum swt_cpu_source s);

/* One bucket of a subject's use over time (docs/analysis.md § 14): the
 * sampling intervals (CPU) and the samples (memory) of whole sampling
 * intervals [t_from_ns, t_to_ns). */
struct swt_usage_bucket {
	int64_t t_from_ns;	/* relative to the session start */
	int64_t t_to_ns;
	uint32_t cpu_intervals;	/* intervals with its CPU; 0: unknown */
	int64_t cpu_min_mpct;	/* of one interval */
	int64_t cpu_max_mpct;
	int64_t cpu_avg_mpct;	/* over their time */
	uint32_t mem_samples;	/* samples with its memory; 0: unknown */
	int64_t mem_min_mmb;
	int64_t mem_max_mmb;
	int64_t mem_avg_mmb;
};

/* A subject's CPU and memory over time, in the result's buckets (every
 * subject has the same buckets: swt_result.n_usage_buckets). */
struct swt_usage_series {
	bool has_cpu;		/* false: instrumented modules whose CPU is
				 * estimated by the regression (known for
				 * the session only) */
	bool has_memory;	/* the session and process modules (not
				 * threads, instrumented modules, reaped
				 * children) */
	size_t n_buckets;
	const struct swt_usage_bucket *buckets;
};

struct swt_module_result {
	struct swt_subject subj;
	uint64_t instances;	/* pids (process), tids (thread), processes
				 * the module ran in (module) */
	int64_t cpu_avg_mpct;
	int64_t cpu_peak_mpct;
	int64_t cpu_ms;		/* its CPU time in the session */
	int64_t cpu_share_mpct;	/* of the tree's CPU time (session cpu_ms) */
	bool has_memory;	/* false for threads (memory is per process) */
	int64_t mem_avg_mmb;
	int64_t mem_peak_mmb;
	bool has_proc_peak;	/* process modules with a reading */
	int64_t proc_peak_mmb;	/* the largest RSS one of its processes had
				 * (its rows, and the kernel's peak at exit) */
	/* Process modules: its processes' summed RSS went above the
	 * machine's memory in use (MemTotal - MemAvailable) in a sample
	 * (pages they share after fork, or map from files, counted in each
	 * one's RSS): the sample where it went furthest above, its summed
	 * RSS, the memory in use then, and when (relative) */
	bool has_mem_over;
	int64_t mem_over_mmb, mem_over_in_use_mmb, mem_over_at_ns;
	int64_t calls;		/* spans begun (module), starts after the
				 * first (process), 0 (thread) */
	int64_t calls_per_min_milli;
	bool has_starts;	/* process modules ("reaped children": no) */
	int64_t starts;		/* processes: of its processes, those
				 * started in the session */
	int64_t starts_per_min_milli;
	int64_t cpu_session_mpct; /* its CPU over the session's observed
				   * time (% of a core): the CPU score's
				   * value for processes and threads */
	int64_t freq_threshold_milli; /* per minute, the one the score used */
	int64_t cpu_score;	/* thousandths, capped at 2000 */
	int64_t mem_score;
	int64_t freq_score;
	int64_t weight;		/* thousandths, 0..2000 */
	enum swt_priority priority;
	int64_t full_intervals;	/* threads: intervals observed whole */
	int64_t saturated_permille; /* threads: of those, at or above the
				 * saturation threshold, per mille */
	/* instrumented modules (kind module) */
	enum swt_cpu_source cpu_source;
	int64_t cpu_confidence_mpct; /* 100 % measured; Phi(z) estimated */
	int64_t cpu_self_ms;	/* measured spans: own CPU, ms */
	int64_t cpu_total_ms;	/* measured spans: nested spans included */
	enum swt_mem_attribution mem_attribution;
	int64_t mem_growth_mmb;	/* growth credited to it (attributed) */
	int64_t mem_confidence_mpct; /* Phi(z) of its memory column */
	bool in_total;		/* counted in total_weight (processes) */
	/* disk I/O (processes): storage bytes read and written, from
	 * /proc/PID/io and the exit records (docs/analysis.md § 2.5) */
	bool has_io;		/* some of its processes' I/O was read */
	int64_t io_read_mmb;	/* thousandths of MB */
	int64_t io_write_mmb;
	int64_t io_avg_mmbps;	/* read + write, thousandths of MB/s, over
				 * the time its I/O was observed */
	int64_t io_peak_mmbps;	/* the highest interval */
	uint64_t io_unavailable; /* processes whose I/O could not be read
				  * (another user's): unknown, not 0 */
	/* network (processes): TCP bytes of their sockets, the most sockets
	 * open at once by kind (docs/analysis.md § 2.6) */
	bool has_net;
	int64_t net_sent_mmb;
	int64_t net_recv_mmb;
	int64_t net_avg_mmbps;	/* sent + received */
	int64_t net_peak_mmbps;
	int64_t socks_peak[3];	/* TCP, UDP, other */
	uint64_t net_unavailable;
	/* process modules: distinct command lines, the heaviest first (CPU
	 * desc, processes desc, command) */
	uint64_t n_variants;
	size_t n_top_variants;
	struct swt_variant top_variants[SWT_VARIANTS_TOP];
	/* CPU and memory over time (docs/analysis.md § 14) */
	struct swt_usage_series usage;
};

struct swt_counter_result {
	const char *name;
	int64_t count;		/* sum of the counter's increments */
	int64_t per_min_milli;
	bool has_threshold;
	int64_t threshold_milli; /* per minute */
	bool exceeded;		/* per_min > threshold */
	uint64_t alerts;	/* rate alerts raised for it (over its
				 * windows, docs/analysis.md 6) */
	const char *note;	/* why exceeded and alerts disagree, or
				 * "" (static) */
};

enum swt_resource {
	SWT_RES_CPU = 0,
	SWT_RES_MEMORY = 1,
	SWT_RES_IO = 2,		/* disk I/O, read + write */
	SWT_RES_NET = 3,	/* TCP, sent + received */
};
#define SWT_RES_N 4

/* "cpu", "memory", "io", "net". */
const char *swt_resource_name(enum swt_resource r);

#define SWT_SPIKE_ACTIVE_MAX 5

struct swt_spike_result {
	enum swt_resource resource;
	struct swt_subject subj;
	int64_t start_ns;	/* relative to the session start */
	int64_t duration_ns;
	int64_t peak_t_ns;
	int64_t peak;		/* mpct, mmb or (io) thousandths of MB/s */
	int64_t baseline;	/* history mean at the start, same unit */
	int64_t threshold;
	size_t n_active;	/* modules active at the peak, biggest first */
	const char *active[SWT_SPIKE_ACTIVE_MAX];
};

struct swt_leak_result {
	struct swt_subject subj;
	int64_t slope_mmb_per_min;
	/* attributed: an instrumented module's attributed growth (§ 2.3),
	 * significant by the attribution's chi-square test, which has no z:
	 * confidence_mpct is its 1 - p (floored), z_milli 0; else a process
	 * module's Mann-Kendall test: confidence_mpct Phi(z), z_milli z */
	bool attributed;
	int64_t confidence_mpct; /* thousandths of a percent */
	int64_t z_milli;
	size_t points;		/* trend buckets the test used */
	uint64_t samples;	/* samples behind them (attributed: the RSS
				 * readings of the regression) */
	int64_t first_mmb;	/* mean of the first / last bucket */
	int64_t last_mmb;
	/* processes: the instrumented modules its growth is attributed to
	 * ("database_manager"; "(outside spans)"), "undecided" when the
	 * file cannot tell which, "" without modules; modules: "" */
	const char *attributed_to;
	/* when the leak test, run as the samples came (docs/analysis.md
	 * § 8), first called it a leak; the end of its series if only the
	 * final test did; modules (attributed growth): the session's last
	 * sample (relative to the session start) */
	int64_t significant_ns;
	/* the Theil-Sen line through its memory series (process modules):
	 * its value at the series' first and last sample (times relative
	 * to the session start), what a chart draws; has_fit false for an
	 * instrumented module's attributed growth */
	bool has_fit;
	int64_t fit_from_ns, fit_to_ns;
	int64_t fit_from_mmb, fit_to_mmb;
};

/* When a memory series reaches memory_mb, from its leak (process
 * modules) or the tree's increasing memory trend (the session): the
 * Theil-Sen line through the series, its slope's 95 % interval
 * (docs/analysis.md § 8). Only for significant models whose fitted level
 * is still under the threshold. */
struct swt_forecast_result {
	struct swt_subject subj;
	int64_t at_ns;		/* the time of the level: the series' last
				 * value, relative to the session start */
	int64_t level_mmb;	/* the fitted level then */
	int64_t target_mmb;	/* memory_mb */
	int64_t slope_mmb_per_min; /* Theil-Sen (precise: KiB based) */
	int64_t slope_low_mmb_per_min;	/* its 95 % interval */
	int64_t slope_high_mmb_per_min;
	int64_t eta_mmin;	/* minutes from at_ns to the target
				 * (thousandths) at the slope */
	int64_t eta_low_mmin;	/* at the interval's high slope */
	int64_t eta_high_mmin;	/* at its low slope; -1 when that is not
				 * positive (no upper bound) */
};

enum swt_direction {
	SWT_DIR_STABLE = 0,
	SWT_DIR_INCREASING = 1,
	SWT_DIR_DECREASING = 2,
	/* moving by at least the trend's minimum a minute, but not steadily
	 * enough to tell a direction (not significant) */
	SWT_DIR_FLUCTUATING = 3,
};

/* "stable", "increasing", "decreasing", "fluctuating". */
const char *swt_direction_name(enum swt_direction d);

struct swt_trend_result {
	enum swt_direction overall;
	enum swt_direction memory;
	int64_t memory_slope_mmb_per_min;
	int64_t memory_z_milli;
	enum swt_direction cpu;
	int64_t cpu_slope_mpct_per_min;
	int64_t cpu_z_milli;
};

enum swt_bottleneck_reason {
	SWT_BN_CPU_BOUND = 0,	/* average CPU at or above cpu_percent */
	SWT_BN_SATURATED = 1,	/* thread pinned at saturation_percent */
	SWT_BN_HEAVY = 2,	/* name matches a heavy_patterns glob */
};

/* "cpu_bound", "saturated_thread", "heavy_pattern". */
const char *swt_bottleneck_reason_name(enum swt_bottleneck_reason r);

struct swt_bottleneck_result {
	struct swt_subject subj;
	enum swt_bottleneck_reason reason;
	int64_t cpu_avg_mpct;
	int64_t cpu_peak_mpct;
	int64_t saturated_permille;
	int64_t calls_per_min_milli;
	const char *pattern;	/* the glob (heavy_pattern), else "" */
};

enum swt_alert_kind {
	SWT_ALERT_CPU = 0,	/* a process above cpu_percent */
	SWT_ALERT_MEMORY = 1,	/* a process above memory_mb */
	SWT_ALERT_RATE = 2,	/* a counter above its rate limit */
	SWT_ALERT_IO = 3,	/* a process above io_mb_per_s */
	SWT_ALERT_NET = 4,	/* a process above net_mb_per_s (if set) */
	SWT_ALERT_FORECAST = 5,	/* a leaking process forecast to reach
				 * memory_mb within forecast_minutes */
};

/* "cpu", "memory", "rate", "io", "net", "forecast". */
const char *swt_alert_kind_name(enum swt_alert_kind k);

/* The unit of an alert's value and threshold, and of a spike of a
 * resource, as the reports name it: "percent" (of one core), "MB",
 * "per_minute", "MB/s", "min" (forecast: minutes to the threshold and the
 * horizon). */
const char *swt_alert_unit(enum swt_alert_kind k);
const char *swt_resource_unit(enum swt_resource r);

struct swt_alert_result {
	int64_t t_ns;		/* relative to the session start */
	enum swt_alert_kind kind;
	struct swt_subject subj; /* counters: kind module, name = counter */
	int64_t value;		/* mpct, mmb, thousandths per minute or (io)
				 * thousandths of MB/s; forecast: the time
				 * to memory_mb in thousandths of a minute */
	int64_t threshold;	/* forecast: forecast_minutes (thousandths) */
	/* forecast alerts only (0 otherwise): the interval of the time
	 * (thousandths of a minute; eta_high -1: no upper bound), the fitted
	 * memory level and the level it reaches (memory_mb), in mmb */
	int64_t eta_low, eta_high;
	int64_t level_mmb, target_mmb;
};

struct swt_recommendation {
	enum swt_priority priority;
	const char *subject;
	const char *text;
};

struct swt_session_result {
	const char *recorder;
	size_t n_command;
	const char *const *command;
	uint32_t clock_ticks;
	uint32_t cpu_count;
	const char *kernel;	/* the recording machine's (header) */
	uint32_t page_size;	/* bytes; 0: not recorded */
	uint64_t mem_total_kib;
	/* the tree's summed RSS above the machine's memory in use, as a
	 * process module's (swt_module_result.has_mem_over) */
	bool has_mem_over;
	int64_t mem_over_mmb, mem_over_in_use_mmb, mem_over_at_ns;
	int64_t start_wall_ns;	/* CLOCK_REALTIME at the start (history
				 * orders sessions by it) */
	int64_t start_ns;	/* absolute (CLOCK_MONOTONIC of the file) */
	int64_t duration_ns;	/* start to the end record or last record */
	int64_t interval_ns;	/* from the header */
	uint64_t samples;
	uint64_t proc_samples;	/* process rows */
	uint64_t events;
	uint64_t processes;	/* distinct process instances (pids) */
	bool has_end;
	uint64_t dropped_events; /* from Drops records */
	uint64_t recorded_alerts; /* Alert records in the file (no recorder
				   * writes them yet; not reported) */
	uint64_t span_anomalies; /* ends without begin; spans open at end */
	uint64_t missed_samples; /* sampling deadlines skipped: the end
				  * record's count, or the gaps in the
				  * samples' scheduled times (not across
				  * damage) if that is more */
	int64_t cpu_ms;		/* CPU of the whole tree, reaped children
				 * included */
	bool exit_records;	/* the kernel's exit record of every process
				 * (taskstats, root) are in the file */
	uint64_t exit_records_lost; /* times some could not be taken */
	uint64_t exits_dropped;	/* processes that lived between two samples
				 * and were not written one by one: over the
				 * recorder's bound in a fork storm (their CPU
				 * is in their parents' reaped children) */
	int64_t reaped_ms;	/* CPU of children that exited unseen between
				 * samples, from their parents' cutime and
				 * cstime (in the modules "COMM (reaped
				 * children)") */
	int64_t cpu_avg_mpct;	/* the whole tree */
	int64_t cpu_peak_mpct;
	int64_t cpu_end_mpct;	/* last interval */
	int64_t mem_avg_mmb;
	int64_t mem_peak_mmb;
	int64_t mem_end_mmb;	/* last sample with a live process */
	bool has_io;		/* disk I/O of some process was read */
	int64_t io_read_mmb;	/* the tree's, thousandths of MB */
	int64_t io_write_mmb;
	int64_t io_avg_mmbps;	/* read + write, thousandths of MB/s */
	int64_t io_peak_mmbps;
	int64_t io_end_mmbps;	/* last interval with I/O observed */
	uint64_t io_unavailable; /* processes whose I/O was unreadable */
	bool has_net;		/* some process's sockets were read */
	int64_t net_sent_mmb;	/* the tree's TCP bytes */
	int64_t net_recv_mmb;
	int64_t net_avg_mmbps;
	int64_t net_peak_mmbps;
	int64_t net_end_mmbps;
	uint64_t net_unavailable;
	/* how contended the machine was, from the first to the last sample
	 * (format 1.4): the share of the time with some task (or, full, all
	 * non-idle tasks) stalled on the CPU, memory and I/O, by the kernel's
	 * pressure stall totals (SWT_PSI_* order), and the share of all CPU
	 * time the hypervisor stole, in thousandths of a percent */
	bool has_pressure;
	int64_t pressure_mpct[6];
	bool has_steal;
	int64_t steal_mpct;
	/* what swanalyze diff compares between runners: CPU-some stall
	 * plus steal (what is known of them) */
	bool has_contention;
	int64_t contention_mpct;
};

/* A network interface of the machine (all its traffic, not only the
 * tree's), over the time it was read. */
struct swt_netdev_result {
	const char *name;
	int64_t recv_mmb;
	int64_t sent_mmb;
	int64_t recv_avg_mmbps;
	int64_t sent_avg_mmbps;
};

struct swt_result {
	struct swt_session_result session;
	const struct swt_thresholds *thresholds; /* in force */
	int64_t total_weight;	/* sum of the weights of the process rows
				 * (the rows that do not overlap) */
	size_t n_modules;	/* weight desc, name, kind, process, command */
	const struct swt_module_result *modules;
	size_t n_counters;	/* by name */
	const struct swt_counter_result *counters;
	size_t n_spikes;	/* by start, resource, subject */
	const struct swt_spike_result *spikes;
	uint64_t spikes_total;	/* including those over the cap */
	size_t n_leaks;		/* slope desc, subject */
	const struct swt_leak_result *leaks;
	size_t n_forecasts;	/* eta asc, subject */
	const struct swt_forecast_result *forecasts;
	struct swt_trend_result trend;
	size_t n_bottlenecks;	/* cpu avg desc, subject, reason */
	const struct swt_bottleneck_result *bottlenecks;
	size_t n_alerts;	/* by time, kind, subject */
	const struct swt_alert_result *alerts;
	uint64_t alerts_total;	/* including those over the cap */
	size_t n_recommendations; /* priority desc, subject, text */
	const struct swt_recommendation *recommendations;
	size_t n_netdevs;	/* by name */
	const struct swt_netdev_result *netdevs;
	/* the tree's CPU and memory over time (docs/analysis.md § 14); the
	 * modules' are in theirs, on the same buckets */
	struct swt_usage_series usage;
	size_t n_usage_buckets;	/* at most swt_engine_opts.usage_buckets */
	int64_t usage_width_ns;	/* a bucket's width: the sampling interval
				 * x a power of 2 (the last bucket may end
				 * early, at the last interval) */
};

/* Alert callback: the alert is borrowed for the duration of the call. */
typedef void (*swt_engine_alert_fn)(const struct swt_alert_result *alert,
				    void *payload);

/* What the engine tells besides the alerts it raises, as it happens
 * (docs/analysis.md § 6 and § 8). */
enum swt_engine_event_kind {
	SWT_ENGINE_ALERT_CLEARED = 0,	/* an alert's value is back at or
					 * under its threshold */
	SWT_ENGINE_LEAK_SIGNIFICANT = 1, /* a leak test passed for the
					  * first time */
	SWT_ENGINE_TREND_SIGNIFICANT = 2, /* the tree's memory or CPU trend
					   * took a direction for the first
					   * time */
};

struct swt_engine_event {
	enum swt_engine_event_kind kind;
	int64_t t_ns;		/* relative to the session start */
	/* cleared: the alert as it was raised (its t_ns when it fired) */
	struct swt_alert_result alert;
	int64_t duration_ns;	/* cleared: from the raise to the clear */
	int64_t value;		/* cleared: the value at or under the
				 * threshold (forecast: the time to it, -1
				 * when there is no forecast any more);
				 * leak: the slope (mmb/min); trend: the
				 * slope (mmb or mpct per minute) */
	struct swt_subject subj; /* leak: the module; trend: the session */
	enum swt_resource resource; /* leak, trend: memory or cpu */
	enum swt_direction direction; /* trend: increasing or decreasing */
	int64_t z_milli;	/* leak, trend: Mann-Kendall z */
	/* leak: an instrumented module's attributed growth, whose test
	 * (the attribution's) has no z: its confidence instead, in
	 * thousandths of a percent (z_milli 0) */
	bool attributed;
	int64_t confidence_mpct;
};

/* Event callback: the event is borrowed for the duration of the call. */
typedef void (*swt_engine_event_fn)(const struct swt_engine_event *ev,
				    void *payload);

/* One figure of a subject's use over time, as the series of § 14 take it
 * (docs/analysis.md § 14): an interval's CPU or a sample's memory. The
 * subject and the point are borrowed for the duration of the call. */
struct swt_usage_point {
	const struct swt_subject *subj;	/* the session, a process module
					 * (its "reaped children" too), a
					 * thread or an instrumented module */
	uint32_t id;		/* the subject's, stable for the engine's
				 * life: 0 the session, else 1 + its index */
	bool reaped;		/* a "COMM (reaped children)" module */
	int64_t t_from_ns;	/* CPU: the interval [t_from, t_to] ending at
				 * the sample at t_to (its CPU % may be over
				 * a longer span: busy_span, § 2.1); memory:
				 * t_from = t_to, the sample; relative to
				 * the session start */
	int64_t t_to_ns;
	bool has_cpu;		/* else memory */
	int64_t cpu_mpct;	/* the interval's CPU % (§ 2.1: over the
				 * interval, stretched by busy_span when the
				 * machine could not have burnt it in it) */
	int64_t cpu_micro_ticks; /* its CPU, micro clock ticks */
	bool cpu_estimated;	/* an instrumented module with spans ended
				 * so far without CPU readings at both ends:
				 * their CPU is estimated over the session
				 * (§ 2.3), the figure may lack it */
	int64_t mem_kib;	/* the sample's RSS (session, process
				 * modules) */
	bool revised;		/* CPU: this interval was told before, and
				 * exits after it added to it (§ 14): this
				 * figure replaces the earlier one */
	/* Running totals (swt_engine_opts.usage_totals): has_totals, neither
	 * CPU nor memory; t_from = t_to, the sample (or, at
	 * swt_engine_finish(), the session's end). The subject's totals so
	 * far, from the sources of the report's: its last values are the
	 * report's figures (before their rounding to thousandths of MB). */
	bool has_totals;
	bool has_io;		/* disk I/O read (process modules, session) */
	int64_t io_read_bytes, io_write_bytes;
	bool has_net;		/* TCP bytes read */
	int64_t net_sent_bytes, net_recv_bytes;
	bool has_calls;		/* process modules: restarts (docs/
				 * analysis.md § 2.3); instrumented
				 * modules: spans begun
				 * (swt_module_result.calls) */
	int64_t calls;
	/* an application counter's total (swt_counter_result.count) instead:
	 * counter its name, subj the session's, id the counter's own
	 * number (0, 1, ... in order of appearance) */
	const char *counter;
	int64_t count;
};

/* Usage callback (see swt_engine_opts.on_usage). */
typedef void (*swt_engine_usage_fn)(const struct swt_usage_point *p,
				    void *payload);

struct swt_engine_opts {
	const struct swt_thresholds *thresholds; /* copied; NULL: defaults */
	swt_engine_alert_fn on_alert;	/* may be NULL */
	void *payload;		/* of the callbacks */
	size_t max_spikes;	/* kept in the result; 0: 1000 */
	size_t max_alerts;	/* 0: 1000 */
	/* A window of the session (swt_analysis_run_window()): the records
	 * fed start here, relative to the session start, and the duration
	 * (rates per minute) counts from it. Times stay relative to the
	 * session start. 0: the whole session. */
	int64_t window_from_ns;
	swt_engine_event_fn on_event;	/* may be NULL; leak and trend
					 * events that only the final test
					 * finds come from
					 * swt_engine_finish() */
	/* buckets of the series over time (swt_result.usage); 0: 240,
	 * clamped to [2, 65536] (swt_usage.h) */
	size_t usage_buckets;
	/* may be NULL: every value the series over time take, as it is
	 * final (docs/analysis.md § 14, "Per interval"): a sample's memory
	 * at the sample; an interval's CPU once exits can no longer add to
	 * it as far as the engine knows — at the subject's next interval,
	 * at the tree's next interval (for a subject without one then), or
	 * at swt_engine_finish(). In the rare case of an exit that adds
	 * to an interval already told (a module without intervals since,
	 * whose process exits during a short interval), that interval comes
	 * again, `revised`. */
	swt_engine_usage_fn on_usage;
	/* with on_usage: also the running totals (swt_usage_point
	 * .has_totals) at each sample, of the session, of every process and
	 * instrumented module with a row or span in it or whose totals
	 * changed, and of every counter; at swt_engine_finish() those that
	 * changed since (exits after the last sample) or were never told */
	bool usage_totals;
};

/* New engine. opts may be NULL. Never fails (aborts on OOM). */
void swt_engine_new(struct swt_engine **out,
		    const struct swt_engine_opts *opts);

/* A process alive at a window's start (swt_analysis_run_window()): its
 * ProcStart fed at t as preexisting; with held_base its first row's disk
 * I/O and network are a base even when not read that tick (the row holds
 * the reading of an earlier tick). */
int swt_engine_announce(struct swt_engine *e, const struct swt_proc_start *ps,
			int64_t t, bool held_base);

/* Set opts->window_from_ns after the fact (before swt_engine_finish()):
 * a window starts at the sample found at or before the time asked. */
void swt_engine_set_window_from(struct swt_engine *e, int64_t from_ns);

/* Whether the engine walks samples by the places of their rows that changed
 * (swt_reader_set_deltas(), swt_sample.proc_at): it does unless every row
 * is taken (SWT_ENGINE_FULL=1, the reference the quiet rows are tested
 * against), when its reader need not say them. */
bool swt_engine_takes_deltas(const struct swt_engine *e);

/* NULL is a no-op. */
void swt_engine_free(struct swt_engine *e);

/* Bounds on file values (docs/analysis.md § 11). Within them every
 * product and sum the engine forms fits its type (in 128 bits where
 * needed); outside them the file is damaged: swt_engine_feed() returns
 * SWT_ECORRUPT. Values without a bound of their own (ticks, RSS, counter
 * increments, CPU readings) may be anything: totals saturate at INT64_MAX.
 */
#define SWT_ENGINE_MAX_CLOCK_TICKS 1000000	/* per second (Linux: 100) */
#define SWT_ENGINE_MIN_PAGE_SIZE 512		/* bytes, a power of 2; */
#define SWT_ENGINE_MAX_PAGE_SIZE 1048576	/* 0: not recorded */
#define SWT_ENGINE_MAX_INTERVAL_NS INT64_C(86400000000000)	/* 1 day */
/* a record's (and each event's) time from the session start, either way:
 * 366 days */
#define SWT_ENGINE_MAX_SPAN_NS INT64_C(31622400000000000)

/* A rate over time is judged once it covers this long: a counter's rate
 * alert window, a process module's restarts per minute. */
#define SWT_ENGINE_RATE_MIN_WINDOW_NS INT64_C(10000000000)

/* Feed one record (borrowed: nothing of it is kept after the call). The
 * first record must be the header. Returns 0, SWT_EINVAL (no header first,
 * a second header, a record after finish) or SWT_ECORRUPT; the message is
 * in swt_engine_errmsg() and names the record by its index (the header is
 * record 0). SWT_ECORRUPT means:
 * - a header with clock_ticks 0 or over SWT_ENGINE_MAX_CLOCK_TICKS, a
 *   page_size other than 0 or a power of 2 in [SWT_ENGINE_MIN_PAGE_SIZE,
 *   SWT_ENGINE_MAX_PAGE_SIZE], or interval_ns <= 0 or over
 *   SWT_ENGINE_MAX_INTERVAL_NS;
 * - a record whose time, or the time of one of its events, is more than
 *   SWT_ENGINE_MAX_SPAN_NS from the session start (the header's
 *   start_mono_ns if > 0, else the first record's time). Two accepted
 *   times are then never more than 2 x SWT_ENGINE_MAX_SPAN_NS apart, which
 *   bounds every jump between samples. Nothing of such a record is
 *   applied; the engine stays usable (the caller stops: the file is
 *   damaged).
 * Records out of time order are accepted: their time is clamped to the
 * last sample time. */
int swt_engine_feed(struct swt_engine *e, const struct swt_record *rec);

/* Tell the engine that records were lost before the next one (a damaged
 * chunk): open spans are closed at the last known time so that a lost end
 * cannot attribute CPU for ever. Counter and CPU totals stay right because
 * samples carry cumulative values. */
void swt_engine_note_gap(struct swt_engine *e);

/* Compute the results. *out is borrowed: valid until swt_engine_free().
 * Feeding after finish is an error. Returns 0 or SWT_EINVAL (no header was
 * fed). */
int swt_engine_finish(struct swt_engine *e, const struct swt_result **out);

/* The last error message; "" if none. */
const char *swt_engine_errmsg(const struct swt_engine *e);

/* The display form of len bytes of a name or command line from a file, as
 * the reports show it (a new string): control bytes and bytes that are not
 * UTF-8 become '?', NULs (argv separators) spaces. */
char *swt_display_bytes(const char *s, size_t len);

/* Highest priority among the modules and recommendations of r, or -1 if
 * there are none. */
int swt_result_max_priority(const struct swt_result *r);

#endif
