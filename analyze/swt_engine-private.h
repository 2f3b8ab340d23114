/* swt_engine-private.h — engine state shared by swt_engine.c (streaming)
 * and swt_findings.c (the end-of-session computations). */
#ifndef SWT_ENGINE_PRIVATE_H
#define SWT_ENGINE_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "swt_attrib.h"
#include "swt_buf.h"
#include "swt_engine.h"
#include "swt_map.h"
#include "swt_stats.h"
#include "swt_thresholds.h"
#include "swt_usage.h"

#define NS_PER_S INT64_C(1000000000)
#define NS_PER_MIN INT64_C(60000000000)
/* CPU is accumulated in millionths of a clock tick so that the share of a
 * span (a fraction of a thread's ticks) is not rounded per sample. */
#define MICRO INT64_C(1000000)

/* Pairs of byte counters of processes: disk I/O (read, written) and TCP
 * (sent, received). docs/analysis.md § 2.5, 2.6. */
enum engine__by {
	BY_IO = 0,
	BY_NET = 1,
	BY_N = 2,
};

/* Sockets by kind (network). */
#define ENGINE_SOCK_KINDS 3	/* TCP, UDP, other */

/* What a process's counters of one pair showed: its last reading
 * (cumulative; disk I/O includes its reaped children's), the rate of the
 * window that reading closed (held until the next one), and, for disk
 * I/O, the bytes of its exited children counted already, which its own
 * counters will show again once it has reaped them. */
struct engine__bytes {
	bool have;		/* a, b are a reading */
	bool zero;		/* started in the session: counters from 0 */
	bool rated;		/* rate is one (not after a base) */
	bool unavail;		/* unreadable (counted in its module) */
	int64_t a, b;
	int64_t t;		/* time of that reading (or its start) */
	int64_t rate;		/* a + b, thousandths of MB/s */
	int64_t pend_a, pend_b;
	int64_t socks[ENGINE_SOCK_KINDS]; /* network: open at the reading */
};

/* A module's (or the tree's) totals of one pair. */
struct engine__bytes_tot {
	int64_t cur;		/* this interval: thousandths of MB/s */
	bool cur_has;
	bool known;		/* a reading, or an exit's bytes */
	int64_t a, b;		/* bytes, saturating */
	int64_t obs_ns;		/* intervals with it observed */
	int64_t peak;		/* thousandths of MB/s */
	uint64_t unavail;	/* processes whose counters were unreadable */
	int64_t cur_socks[ENGINE_SOCK_KINDS];
	int64_t peak_socks[ENGINE_SOCK_KINDS];
};

/* A process identity: comm + command line. All processes with the same
 * identity aggregate into one process module. */
struct engine__ident {
	char *comm;		/* comm, or the group_patterns rule's name */
	char *command;		/* display form of its first process's
				 * argv, joined by spaces */
	char *program;		/* display form of the program path (exe,
				 * else argv[0], else comm) */
	char *prog_key;		/* the program as grouped ("" unknown) */
	char *group_command;	/* "PROGRAM (command lines vary)", from
				 * the second variant on */
	uint32_t n_variants;	/* distinct command lines */
	bool by_rule;		/* grouped by a group_patterns rule */
	uint32_t proc_module;
	uint32_t reaped_module;	/* valid when has_reaped */
	bool has_reaped;
	/* attribution (docs/analysis.md § Attribution): column c > 0 of
	 * the regressions is module cols[c]; column 0 the time outside
	 * every span */
	uint32_t cols[SWT_ATTRIB_MAX];
	size_t n_cols;		/* 1 + modules with a column */
	bool cols_full;		/* a module found no column */
	struct swt_attrib *mem_attr;	/* RSS change ~ open time */
	struct swt_attrib *cpu_attr;	/* unmeasured threads' ticks */
};

/* A ring of the last `cap` values with their running sum. */
struct engine__hist {
	int64_t *v;
	size_t cap, n, head;
	swt_i128 sum;		/* exact: the values can be absurd */
};

struct engine__spike {
	bool open;
	int64_t start_ns;	/* absolute */
	int64_t last_ns;
	int64_t baseline;
	int64_t peak;
	int64_t peak_ns;
	size_t n_active;
	uint32_t active[SWT_SPIKE_ACTIVE_MAX];	/* module indices */
};

/* What the quiet processes and threads of a module (docs/analysis.md §
 * 15) add to each sample: their rows repeat, so what they add is the same
 * every time. Sums of values below ENGINE_QUIET_MAX: never saturated. */
struct engine__quiet {
	uint32_t n;		/* processes */
	uint32_t n_mem;		/* ... of them with memory */
	int64_t rss_kib;
	uint32_t n_rated[2];	/* ... with a rate of disk I/O, network */
	int64_t rate[2];	/* the rates held */
	uint32_t n_socks;	/* ... whose sockets count */
	int64_t socks[3];
	uint32_t n_thr;		/* threads */
	uint32_t pos;		/* place in the engine's qmods */
};

#define ENGINE_QUIET_MAX (INT64_C(1) << 40)

struct engine__module {
	/* the current sample (valid when stamp == engine seq); first, so
	 * that a row touches one cache line of its module */
	uint64_t stamp;
	int64_t cur_ticks_micro;
	int64_t cur_obs_ns;
	int64_t cur_rss_kib;
	bool cur_mem;
	bool cur_sat;		/* threads: one of them saturated */
	bool cur_by;		/* by[]'s values of this sample were written
				 * (else they are all 0: touch_first()) */
	uint64_t cur_mem_gen;	/* instance whose RSS was added last */
	int64_t cur_mpct;
	int64_t cur_mmb;
	enum swt_module_kind kind;
	uint32_t ident;		/* SWT_MAP_NONE for the session */
	char *name;
	uint64_t instances;
	uint64_t last_gen;	/* newest instance counted (modules) */
	struct engine__quiet q;
	uint64_t first_seq;	/* samples fed when it was created */
	/* totals */
	int64_t ticks_micro;
	int64_t observed_ns;
	int64_t last_ticks_micro;	/* its last interval with CPU % */
	int64_t last_dt;		/* (0: none yet) */
	int64_t late_seen_ns;	/* of the short interval after it, what
				 * its rows were seen through (late_credit()) */
	int64_t cpu_peak_mpct;
	int64_t mem_sum_kib;
	int64_t mem_n;
	int64_t mem_peak_kib;
	int64_t proc_peak_kib;	/* processes: the largest RSS one of them had
				 * (rows, and the peak of exit records) */
	/* the sample where its summed RSS went furthest above the machine's
	 * memory in use (MemTotal - MemAvailable): pages its processes
	 * share, or map from files, counted in each (over_kib 0: never) */
	int64_t over_kib, over_rss_kib, over_in_use_kib, over_t;
	int64_t calls;
	int64_t starts;		/* processes: instances started */
	int32_t last_ppid;	/* processes: the parent of the last one
				 * started */
	int64_t full_n;		/* threads: fully observed intervals */
	int64_t sat_n;		/* ... at or above saturation_percent */
	/* process, module and session kinds */
	struct swt_series *mem_series;
	/* process and session kinds */
	struct swt_series *cpu_series;	/* session only */
	/* the pair slopes of mem_series and cpu_series kept between their
	 * tests (swt_slopes, made by the first test that reaches them) */
	struct swt_slopes *mem_slopes, *cpu_slopes;
	struct engine__hist hist[SWT_RES_N];	/* by enum swt_resource */
	struct engine__spike spike[SWT_RES_N];
	bool alert_on[SWT_RES_N];
	int64_t alert_t[SWT_RES_N];	/* when the alert that is on fired */
	int64_t alert_v[SWT_RES_N];	/* ... and its value */
	/* process and session kinds: the leak and trend tests as the
	 * samples come (docs/analysis.md § 8) */
	uint64_t next_test;	/* series count of the next test (memory) */
	uint64_t next_test_cpu;	/* session: of the CPU series */
	bool leak_sig;		/* processes: the leak test passed once */
	int64_t leak_sig_t;	/* ... first at (absolute) */
	bool fc_on;		/* processes: a forecast alert is on */
	uint8_t fc_miss;	/* tests in a row without a forecast since */
	struct swt_alert_result fc_alert; /* ... as raised */
	uint8_t trend_sig[2];	/* session: directions announced (bit
				 * 1 increasing, 2 decreasing), memory and
				 * CPU */
	/* disk I/O and network (process and session kinds): the processes'
	 * held rates and exits' bytes in the current interval, totals */
	struct engine__bytes_tot by[BY_N];
	bool in_open_spikes;
	bool orphan;		/* in orphan_mods */
	bool merged;		/* adopted by another module: unreported */
	bool reaped;		/* "COMM (reaped children)": CPU of the
				 * children its processes reaped that was
				 * not seen in their rows; no memory */
	/* instrumented modules: attribution */
	uint32_t attr_col;	/* column in its identity's regressions, 0:
				 * none */
	int64_t pend_micro;	/* measured CPU not yet in a sample */
	int64_t cpu_self_ns;	/* measured: CPU of its spans, nested
				 * spans of other modules excluded */
	int64_t cpu_total_ns;	/* measured: outermost spans, nested
				 * included */
	uint64_t spans_measured; /* spans with CPU readings at both ends */
	uint64_t spans_estimated; /* spans without */
	/* a client that measures some spans only (swtrace.py): its own time
	 * between two readings (measured) and the rest, whose CPU is
	 * estimated at the measured rate */
	int64_t meas_wall_ns;
	int64_t meas_cpu_ns;	/* CPU of the measured stretches that took
				 * time (the rate's numerator) */
	int64_t unmeas_pend_ns;	/* not yet estimated into an interval */
	/* stretches that took no time: both ends clamped to one time (late
	 * events raised to the recorder's watermark, or to the last sample):
	 * their time is unknown, taken as the mean of the others' */
	uint64_t n_timed;	/* stretches with a length, */
	int64_t timed_ns;	/* their time */
	uint64_t untimed_pend;	/* unmeasured ones without, not yet
				 * estimated */
	int64_t cpu_est_ns;	/* the estimate */
	uint64_t n_stretches;	/* measured, for the estimate's error: */
	double st_c, st_w, st_cc, st_ww, st_cw;	/* sums of CPU and wall
						 * (s) over them */
	int64_t est_frac_ppm;	/* largest share of an interval its spans
				 * covered on an unmeasured thread */
	/* over time (swt_usage.h): grid.cap buckets once it has a value,
	 * and its last interval's CPU, held back until its next one (or the
	 * end) because exits can still add to it (late_credit()) */
	struct swt_usage_acc *usage;
	bool u_pend;
	int64_t u_pend_slot;	/* its first slot */
	int64_t u_pend_slots;	/* the slots it spans (u_slots) */
	int64_t u_pend_p0, u_pend_p1;	/* the time they share (u_p0, u_p1) */
	int64_t u_pend_ticks;	/* micro-ticks */
	int64_t u_pend_span;	/* the interval, ns (stretched: busy_span) */
	int64_t u_pend_mpct;	/* its CPU % */
	int64_t u_pend_t0, u_pend_t;	/* the interval (absolute) */
	/* the sample that closed it, and the one after it when its CPU
	 * reaches into that short interval (late_credit(): u_pend_t past
	 * u_pend_tc) */
	int64_t u_pend_tc, u_pend_t2;
	int64_t u_pend_tm;	/* a sample inside it (a launched session's
				 * first, short, the interval reaching back
				 * to the start: defer_first), else 0 */
	uint64_t u_pend_seq;	/* the sample that closed it */
	int64_t early_micro;	/* micro-ticks of exits before its first
				 * interval (late_credit()): its first
				 * interval takes them, in its CPU %, its
				 * total and over time (at the end, if none
				 * came, the total alone) */
	bool u_told;		/* the pending interval went to on_usage */
	/* running totals told (swt_engine_opts.usage_totals): io read,
	 * written, net sent, received, calls */
	bool ut_told;
	int64_t ut_v[5];
	int64_t act_ns;		/* open time seen by the memory
				 * regression */
	int64_t act_t;		/* time act_int is integrated to */
	swt_i128 act_int;	/* integral of act_ns over time (ns^2) */
};

struct engine__span_ent {
	uint32_t module;
	int32_t depth;		/* nesting of this module on the thread */
	int64_t open_since;	/* while depth > 0: start of the part not yet
				 * counted */
	int64_t overlap_ns;	/* closed parts in the current interval */
	int64_t ends;		/* spans ended in the current interval */
};

/* Open spans of one thread in nesting order, for measured CPU. */
#define ENGINE_STACK 32
#define ENGINE_GAP 8

struct engine__span_thr {
	int32_t tid;
	size_t n, cap;
	struct engine__span_ent *ents;
	int64_t cpu_last;	/* last CPU reading of the thread (ns), 0
				 * none: then its CPU is estimated */
	int64_t t_bound;	/* the last boundary of its stretches */
	bool adjacent;		/* that boundary was a reading */
	int64_t busy_since;	/* while n_stk > 0: start of the part of
				 * the interval not yet in covered_ns */
	int64_t covered_ns;	/* time in the interval with a span open */
	uint32_t n_stk;
	uint32_t stk[ENGINE_STACK];	/* modules, innermost last */
	int64_t stk_begin[ENGINE_STACK]; /* the reading at their begin */
	/* The unmeasured stretches since the thread's last reading, by
	 * module (SWT_MAP_NONE: outside any span), while none of them met a
	 * sample: at the next reading the CPU between the two readings is
	 * known, and only its split among them is estimated (gap_settle()).
	 * gap_bad: this gap is left to the rates alone (it met a sample, an
	 * untimed stretch, more modules than ENGINE_GAP, ...). */
	uint32_t gap_n;
	bool gap_bad;
	uint32_t gap_mod[ENGINE_GAP];
	int64_t gap_wall[ENGINE_GAP];
	/* its measured stretches outside any span: their rate */
	int64_t out_cpu_ns, out_wall_ns;
};

/* A command line of an identity (process module): its CPU, for the
 * heaviest few listed under the module. */
struct engine__variant {
	uint32_t ident;
	char *command;		/* display form */
	uint64_t processes;
	int64_t micro;		/* its CPU, micro-ticks */
};

#define ENGINE_NO_VARIANT UINT32_MAX

/* A live process (pid). The fields a process row uses come first: what a
 * row taken in place reads (inst_tick(), thr_tick()) in the first 64
 * bytes, then its disk I/O and network pairs (a quiet row's held pair is
 * compared), then what a row taken in full uses besides (7 % fewer
 * first-level cache misses in the walk, in cachegrind's model, than with
 * those fields over three lines). */
struct engine__inst {
	int32_t pid;
	uint32_t proc_module;	/* the identity's process module */
	int64_t base_ticks;
	int64_t rss_kib;
	int64_t base_cticks;	/* cutime + cstime at its last row */
	uint64_t gen;		/* unique per instance, > 0 */
	uint32_t q_flags;	/* quiet: the flags of its last row its bytes
				 * depend on */
	uint32_t variant;	/* its command line, ENGINE_NO_VARIANT if
				 * unknown (anonymous) */
	bool used;
	bool has_base;
	bool counted;		/* CPU counted in the current sample */
	bool born;		/* started during the session, no row yet */
	bool held_base;		/* announced at a window's start: a first
				 * row's held disk I/O and network (not
				 * read that tick) is a base */
	bool born_now;		/* first row in the current sample, born */
	bool thr_seen;		/* thread rows seen in an earlier sample */
	bool mem_row;		/* its last row had memory (no zombie) */
	bool has_cbase;		/* base_cticks is a reading */
	bool at_have;		/* at_rss is a reading */
	bool client_rss;	/* its client sends RSS readings: the
				 * sampler's are not mixed in */
	uint8_t q_tmask;	/* quiet: the pairs (1 << BY_*) whose time of
				 * reading moves with each sample */
	struct engine__bytes by[BY_N];	/* disk I/O, network */
	uint64_t stamp;		/* seq of the last process row */
	int64_t cur_delta_micro;
	uint32_t ident;
	uint32_t cident;	/* the identity whose reaped module its next
				 * cutime rise goes to: before an exec, the
				 * old program's (it reaped them) */
	/* memory attribution: open time per column since the last RSS
	 * reading */
	int64_t at_t;		/* time the accumulators reach, 0 none */
	int64_t at_rss;
	uint64_t thr_stamp;	/* seq of the last thread row */

	/* the rest: records, spans, exits */
	bool anonymous;		/* no ProcStart seen (lost to damage) */
	bool in_span_list;
	bool final_counted;	/* its exit carried its last counters */
	int32_t ppid;		/* from its ProcStart, 0 unknown */
	uint32_t reaped_in;	/* the reaped module that counted it as an
				 * instance, UINT32_MAX none */
	uint32_t fin;		/* its entry in fins, UINT32_MAX none */
	uint32_t iofin;		/* its entry in iofins, UINT32_MAX none */
	int64_t final_micro;	/* its own CPU from a taskstats exit record
				 * (micro-ticks, exact to the µs), -1 none */
	int64_t pending_seen;	/* micro-ticks of its exited children already
				 * counted from their rows, not yet seen in
				 * its cutime + cstime (docs/analysis.md §
				 * 2.1, reaped children) */
	uint64_t start_ticks;
	int64_t born_ns;
	int64_t *at_acc;	/* SWT_ATTRIB_MAX; NULL until its identity
				 * has a module (keeps this struct small) */
	size_t n_spans, cap_spans;
	struct engine__span_thr *spans;
};

/* Thread names up to this length are kept inline: comparing a row's name
 * with them touches no other memory. */
#define ENGINE_THR_NAME 24

/* A live thread (tid). */
struct engine__thr {
	/* what a row taken in place reads (thr_tick()) first */
	int32_t tid;
	int32_t tgid;
	uint32_t inst_idx;	/* its process (valid while inst_gen
				 * matches) */
	uint32_t module;
	uint64_t inst_gen;
	int64_t base_ticks;
	/* a row's name found equal to name: its address and the decoding
	 * it came from (swt_sample.decode_id, 0 none), so that the next row
	 * of that decoding with a name at that address is the same name
	 * without a look at its bytes */
	const char *name_p;
	uint64_t name_dec;
	bool used;
	char name[ENGINE_THR_NAME];	/* the row's raw name if it fits,
					 * else "" */
	uint64_t stamp;
	int64_t cur_delta_micro;
};

struct engine__counter {
	char *name;
	int64_t count;
	int64_t cur;		/* in the current interval */
	int64_t threshold;	/* thousandths per minute, -1 none */
	int64_t *ring;		/* per interval, history_samples long */
	swt_i128 ring_sum;	/* exact: increments come from the file */
	bool alert_on;
	int64_t alert_t, alert_v; /* when the alert that is on fired, its
				   * value */
	bool judged;		/* its rate was evaluated once */
	uint64_t alerts;	/* rate alerts raised for it */
	bool ut_told;		/* its total went to on_usage */
	int64_t ut_count;	/* ... this one */
};

/* The leak and trend tests while streaming: at most this many values
 * apart (docs/analysis.md § 8), and the one-sided 99 % z of the rule. */
#define ENGINE_TEST_EVERY_MAX 256
#define ENGINE_Z_99_MILLI 2326

/* The rate window is judged once it covers this long (or holds
 * history_samples intervals, if that comes first). */
#define ENGINE_RATE_MIN_WINDOW_NS SWT_ENGINE_RATE_MIN_WINDOW_NS

struct engine__slot {
	int32_t id;		/* pid or tid */
	uint32_t idx;		/* instance or thread slot */
};

/* What swt_engine_finish() computes (swt_findings.c), apart from the
 * engine: the result and the storage behind it. */
struct engine__result {
	struct swt_attrib_fit *f_mem;	/* per identity */
	struct swt_attrib_fit *f_cpu;
	struct swt_result res;
	struct swt_module_result *r_mods;
	struct swt_counter_result *r_ctrs;
	struct swt_leak_result *r_leaks;
	size_t n_r_leaks, cap_r_leaks;
	struct swt_forecast_result *r_fcs;
	size_t n_r_fcs, cap_r_fcs;
	struct swt_bottleneck_result *r_bns;
	size_t n_r_bns, cap_r_bns;
	struct swt_recommendation *r_recs;
	size_t n_r_recs, cap_r_recs;
	char **r_rec_strs;	/* the strings of r_recs (and leaks), owned */
	size_t n_r_rec_strs, cap_r_rec_strs;
	struct swt_spike_result *r_spikes;	/* sorted copies */
	struct swt_alert_result *r_alerts;
	struct swt_netdev_result *r_netdevs;
	struct swt_usage_bucket *r_usage;	/* the series' buckets */
	int64_t scratch[SWT_SERIES_SCRATCH];
};

struct swt_engine {
	struct swt_thresholds th;
	swt_engine_alert_fn on_alert;
	swt_engine_event_fn on_event;
	swt_engine_usage_fn on_usage;
	bool usage_totals;	/* opts.usage_totals, with on_usage */
	void *payload;
	size_t max_spikes, max_alerts;
	int64_t window_from_ns;	/* opts.window_from_ns */
	char errmsg[256];
	bool have_header, finished;
	struct swt_buf namebuf;

	/* header */
	char *recorder;
	char *kernel;
	char **command;
	size_t n_command;
	uint32_t clock_ticks;
	uint32_t cpu_count;
	uint32_t page_size;
	uint64_t mem_total_kib;
	int64_t in_use_kib;	/* this sample's MemTotal - MemAvailable (0:
				 * not recorded) */
	int64_t sample_t;	/* this sample's time */
	int64_t start_wall_ns;
	/* the runner's contention (format 1.4): pressure totals and steal
	 * at the first and the last sample that had them */
	bool contention_in_file;
	bool psi_have;
	int64_t psi_t[2];
	uint64_t psi[2][6];
	bool steal_have;
	uint64_t steal[2], all_ticks[2];
	int64_t interval_ns;
	bool any_mem;		/* a memory row in the current sample */
	int64_t origin_ns;	/* session start: times are relative to it */
	bool origin_known;
	bool origin_from_header;
	bool launched;		/* the header's mode is launch: every process
				 * of the tree started in the session */
	/* a launched session's first sample came less than half an
	 * interval after the start: not a baseline for the processes born
	 * since (their CPU since their start counts in the next interval,
	 * which reaches back to the start) */
	bool defer_first, defer_next;
	/* this sample came less than half an interval after an earlier one
	 * (a tick's next after it came late, swrec's last look): the CPU
	 * its process rows show since their last joins each module's last
	 * interval, as an exit's does (late_credit(), through the carries) */
	bool short_late;

	int64_t t_last;		/* newest record time */
	int64_t t_end;
	bool has_end;
	uint64_t n_events, n_proc_samples, n_processes;
	uint64_t dropped_events, recorded_alerts, span_anomalies;
	uint64_t missed_samples;	/* deadlines skipped (scheduled_ns) */
	int64_t grid0;			/* scheduled_ns of the first sample */
	int64_t prev_sched;		/* that of the last one on its grid */
	bool have_sched;
	bool sched_resync;		/* records were lost since then */
	uint64_t end_missed;		/* the recorder's count (end record) */
	bool exit_acct;			/* end record: taskstats were on */
	bool net_in_file;		/* format 1.2 on: network columns */
	uint64_t exit_acct_overflows;
	uint64_t exits_dropped;		/* end record: unseen processes not
					 * written (a fork storm, 1.3) */
	int64_t mem_end_mmb;		/* the tree's, last live sample */
	int64_t by_end[BY_N];		/* the tree's disk I/O and network
					 * (thousandths of MB/s), last
					 * interval with a live process */
	/* the machine's interfaces: first and last reading of each */
	struct engine__netdev {
		char *name;
		uint64_t rx0, tx0, rx, tx;
		int64_t rx_sum, tx_sum;	/* bytes over resets */
		int64_t t0, t;
	} *netdevs;
	size_t n_netdevs, cap_netdevs;

	/* sampling */
	uint64_t seq;		/* samples fed */
	uint64_t decode_id;	/* the sample's swt_sample.decode_id */
	uint64_t n_fed;		/* records fed, the header included */
	bool have_prev;
	int64_t t_prev;
	bool any_counted;	/* a process's CPU counted this sample */
	int64_t sat_ticks;	/* a thread's ticks in this interval that
				 * make it saturated */

	/* identities, modules */
	struct engine__ident *idents;
	size_t n_idents, cap_idents;
	struct swt_smap ident_map;
	int64_t reaped_micro;	/* sum over the reaped modules */
	/* CPU of exit records (a process's last counters) for the next
	 * sample: [i].mod, [i].micro */
	struct engine__carry {
		uint32_t mod;
		int64_t micro;
		int64_t b[BY_N]; /* bytes (of the pair, both ways) */
		bool seen;	/* a row's CPU in a short interval (the
				 * process was observed through it) */
		bool thread;	/* a thread module's (its process's carry
				 * has it for the tree) */
	} *carries;
	size_t n_carries, cap_carries;
	/* processes gone since the last sample: pid -> index in tombs, and
	 * their parents, so that a child whose exit comes after its
	 * parent's in one tick credits its grandparent */
	struct swt_imap tomb_map;
	struct engine__tomb {
		int32_t pid, ppid;
		uint32_t fin;	/* index in fins, or UINT32_MAX */
		uint32_t iofin;	/* index in iofins, or UINT32_MAX */
	} *tombs;
	size_t n_tombs, cap_tombs;
	/* what exited children of this tick credited to a parent whose
	 * ProcStart had not come yet (a recorder writes a short-lived
	 * child's start and exit as it takes its exit record, and the
	 * parent it found alive after them): pid -> index in unborn, taken
	 * by that parent's ProcStart in the same tick, dropped at the next
	 * sample */
	/* starts whose parent was not known at their ProcStart (a parent
	 * born in the tick of children that lived and died unseen: swrec
	 * writes their records before its start); those that would be
	 * restarts are decided at the next sample (restart_settle()): not
	 * one if the parent is of its module */
	struct engine__restart {
		uint32_t mod, ident;
		int32_t ppid;
		bool restart;
	} *restarts;
	size_t n_restarts, cap_restarts;
	struct swt_imap restart_ppids;	/* their parents: ppid -> ident */
	struct swt_imap unborn_map;
	struct engine__unborn {
		int32_t pid;
		uint64_t start_ticks;	/* the earliest child's: the parent
					 * started before it */
		int64_t seen;		/* micro-ticks (pending_seen) */
		int64_t io_a, io_b;	/* bytes (by[BY_IO].pend_*) */
	} *unborn;
	size_t n_unborn, cap_unborn;
	/* exits with last counters in this tick: their children's CPU
	 * (cutime + cstime since the last row) is split into seen and
	 * unseen at the next sample, once the exits of its children that
	 * come after it in the tick have been credited */
	struct engine__fin {
		uint32_t ident;
		int64_t x;
		int64_t pending;
		uint32_t counted_in; /* the reaped module that counted the
				      * process already, or UINT32_MAX */
	} *fins;
	size_t n_fins, cap_fins;
	/* exits with a last disk I/O reading (read as a zombie) in this
	 * tick: the bytes since the process's last reading, counted at the
	 * next sample less those of its children whose exits come after it
	 * in the tick (its reading holds the children it reaped) */
	struct engine__iofin {
		uint32_t mod;		/* its process module */
		int64_t a, b;		/* read, written since its reading */
		int64_t pend_a, pend_b;	/* its children's, counted already */
		bool first;		/* it had no reading before */
	} *iofins;
	size_t n_iofins, cap_iofins;
	struct engine__variant *variants;
	size_t n_variants, cap_variants;
	struct swt_smap variant_map;	/* scope ident, key command */
	struct engine__module *mods;
	size_t n_mods, cap_mods;
	struct swt_smap mod_map;
	struct engine__module session;

	/* live processes and threads */
	struct engine__inst *insts;
	size_t n_insts, cap_insts;
	uint32_t *free_insts;
	size_t n_free_insts, cap_free_insts;
	struct swt_imap pid_map;
	uint64_t next_gen;
	struct engine__thr *thrs;
	size_t n_thrs, cap_thrs;
	uint32_t *free_thrs;
	size_t n_free_thrs, cap_free_thrs;
	struct swt_imap tid_map;
	uint32_t *span_insts;
	size_t n_span_insts, cap_span_insts;
	/* modules of processes gone since the last sample, with CPU their
	 * spans burnt (or own time to estimate) not yet in an interval */
	uint32_t *orphan_mods;
	size_t n_orphan_mods, cap_orphan_mods;

	/* The rows of the previous sample (sorted by pid / tid) with the
	 * slot each resolved to: rows rarely change between samples, so a
	 * merge walk over them replaces most hash lookups. */
	struct engine__slot *prev_pids, *cur_pids;
	size_t n_prev_pids, cap_prev_pids, n_cur_pids, cap_cur_pids;
	struct engine__slot *prev_tids, *cur_tids;
	size_t n_prev_tids, cap_prev_tids, n_cur_tids, cap_cur_tids;
	size_t walk_pid, walk_tid;
	size_t n_thr_rows;	/* thread rows taken in this sample */

	/* Incremental samples (docs/analysis.md § 15): a process or thread
	 * whose row repeats the previous sample's, and whose state a repeat
	 * no longer changes, is quiet: its rows are passed over, its module
	 * adds what they add (engine__quiet), and what a row would have
	 * moved (its stamp, times of reading) is set when it wakes: a row
	 * that differs, its absence, a record about it, or anything the
	 * engine does not follow incrementally (wake-all). Indexed by
	 * instance and thread slot, in arrays small enough to stay cached:
	 * whether quiet, the sample of its last row, its quiet threads; a
	 * quiet thread's process and module. */
	uint8_t *q_inst;
	uint64_t *inst_seq;
	uint32_t *q_nthr;
	size_t cap_q_inst;
	uint8_t *q_thr;
	uint32_t *thr_inst, *thr_mod;
	size_t cap_q_thr;
	size_t n_quiet_insts, n_quiet_thrs;
	uint32_t *qmods;	/* modules with quiet processes or threads */
	size_t n_qmods, cap_qmods;
	/* repeats taken in this sample: quiet once it is summed (a process's
	 * row flags in id) */
	struct engine__slot *rest_p;
	size_t n_rest_p, cap_rest_p;
	uint32_t *rest_t;
	size_t n_rest_t, cap_rest_t;
	bool no_quiet;		/* every row is taken (SWT_ENGINE_FULL) */
	bool keep_pids, keep_tids;	/* the slots were kept in place */
	/* a reader handing over only the rows that changed
	 * (swt_sample.keep_rows, proc_listed): the rows of the last sample
	 * (its chunk and place), whole, and the sample made whole from
	 * them (whole_sample()) */
	struct swt_rows_kept kept;
	struct swt_record k_rec;
	uint64_t n_quiet_prows, n_quiet_trows;	/* rows passed over */
	uint64_t n_ticks_p, n_ticks_t;	/* ... of them taken in place
					 * (inst_tick(), thr_tick()) */
	/* procs_aligned_delta(): the places of the last sample's rows whose
	 * instances stayed awake (valid while pawake_ok: no instance woken
	 * or made since, wake_gen), and those taken in this one */
	uint32_t *pawake, *pvisit;
	size_t n_pawake, cap_pawake, n_pvisit, cap_pvisit;
	bool pawake_ok;
	uint64_t wake_gen;
	/* thrs_aligned(): the same of the thread rows (twake_gen: threads
	 * woken out of its walk, in_twalk while it walks) */
	uint32_t *tawake, *tvisit;
	size_t n_tawake, cap_tawake, n_tvisit, cap_tvisit;
	bool tawake_ok, in_twalk;
	uint64_t twake_gen;
	uint64_t n_delta_walks, n_awake_walks, n_prows_looked;	/* stats */
	uint64_t n_tawake_walks, n_trows_looked;
	uint64_t q_all_seq;	/* the last sample every quiet instance had
				 * its row in, unmarked (inst_last()) */
	/* the last sample taken: its reader's chunk and place in it, its
	 * seq, time and interval */
	bool q_have;
	uint64_t q_chunk;
	uint32_t q_chunk_sample;
	uint64_t done_seq;
	int64_t done_t, done_dt;

	/* per sample */
	uint32_t *touched;
	size_t n_touched, cap_touched;
	uint64_t *touched_bits;	/* sort_touched(): all 0 in between */
	size_t n_touched_bits, cap_touched_bits;
	uint32_t *open_spikes;
	size_t n_open_spikes, cap_open_spikes;

	/* the series over time: one grid for all (swt_usage.h); the slot
	 * of the current sample, u_on false when it has none (a window's
	 * first sample: a base) */
	struct swt_usage_grid ugrid;
	bool u_on;
	int64_t u_slot;
	/* the slots the current interval's CPU spans, from u_slot0: one,
	 * unless it lasted 1.5 sampling intervals or more (a late first
	 * sample, missed ones): then those its time [u_p0, u_p1) covers */
	int64_t u_slot0, u_slots, u_p0, u_p1;
	int64_t u_mid;		/* the current interval's sample inside it
				 * (u_pend_tm), else 0 */
	int64_t u_t;		/* the current sample's time (absolute) */

	/* counters and their rate window */
	struct engine__counter *ctrs;
	size_t n_ctrs, cap_ctrs;
	struct swt_smap ctr_map;
	int64_t *t_ring;	/* sample times, history_samples + 1 */
	size_t t_n, t_head;
	size_t ring_head;	/* next slot of the counter rings */
	size_t ring_n;

	/* the leak and trend tests while streaming (SWT_SERIES_SCRATCH,
	 * allocated at the first test) */
	int64_t *scratch;

	/* findings collected while streaming */
	struct swt_alert_result *alerts;
	size_t n_alerts, cap_alerts;
	uint64_t alerts_total;
	struct swt_spike_result *spikes;
	size_t n_spikes, cap_spikes;
	uint64_t spikes_total;

	/* the result, built by finish from the engine (which findings do
	 * not change) */
	struct engine__result *out;
};

/* sum + a x b for a, b >= 0, saturated (a file's absurd times must not
 * overflow the integral of a module's open time). */
static inline swt_i128 act_add(swt_i128 sum, int64_t a, int64_t b)
{
	const swt_i128 max = (swt_i128)INT64_MAX * INT64_MAX;
	swt_i128 p;

	if (a <= 0 || b <= 0)
		return sum;
	p = (swt_i128)a * b;
	return sum > max - p ? max : sum + p;
}

/* KiB to thousandths of a MB (MiB). */
static inline int64_t engine__kib_to_mmb(int64_t kib)
{
	return swt_muldiv(kib, 1000, 1024);
}

/* Bytes to thousandths of a MB (MiB). */
static inline int64_t engine__bytes_to_mmb(int64_t bytes)
{
	return swt_muldiv(bytes, 1000, INT64_C(1048576));
}

/* Bytes in dt ns as thousandths of a MB (MiB) per second; 0 without
 * time or bytes. */
static inline int64_t engine__mmbps(int64_t bytes, int64_t dt)
{
	return dt > 0 && bytes > 0 ?
		       swt_muldiv2(bytes, INT64_C(1000000000000),
				   INT64_C(1048576), dt) :
		       0;
}

/* The subject of module m (or of the session). */
void engine__subject(const struct swt_engine *e,
		     const struct engine__module *m, struct swt_subject *out);

/* swt_findings.c: modules, counters, leaks, trend, bottlenecks and
 * recommendations, computed from the engine (not changed) into fr. */
void engine__findings(const struct swt_engine *e, struct engine__result *fr);
void engine__findings_free(struct engine__result *fr);

/* The leak rule (docs/analysis.md § 8) on trend statistics tr with the
 * slope in mmb/min; used at the end and by the tests while streaming. */
bool engine__is_leak(const struct swt_engine *e, const struct swt_trend *tr,
		     int64_t slope_mmb);

/* The trend's direction (§ 8) for a slope and its minimum (per minute);
 * unit divides the series' values (x1000) into the slope's unit (over
 * fewer than 8 points: whether the series moved that much). */
enum swt_direction engine__direction(const struct swt_trend *tr,
				     int64_t slope, int64_t min_slope,
				     int64_t unit);

/* The forecast of series s with trend tr to memory_mb (§ 8); false when
 * there is none (slope not positive, level at or above the threshold).
 * out->subj is not set. kept: s's pair slopes kept (NULL: none). */
bool engine__forecast(const struct swt_engine *e, const struct swt_series *s,
		      struct swt_slopes **kept, const struct swt_trend *tr,
		      int64_t *scratch, struct swt_forecast_result *out);

#endif
