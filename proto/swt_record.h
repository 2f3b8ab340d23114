/* swt_record.h — session records as plain C structs.
 *
 * This is what the codec hands to the rest of swt (and takes from it): no
 * protobuf-c or zstd types leak out of proto/. Times are CLOCK_MONOTONIC
 * nanoseconds; memory is KiB; CPU times are clock ticks (header.clock_ticks
 * per second); kernel counters are cumulative absolute values (the codec
 * does the delta encoding).
 *
 * Strings handed out by the reader are NUL-terminated and borrowed: valid
 * until the next swt_reader_next()/swt_reader_seek() call. */
#ifndef SWT_RECORD_H
#define SWT_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum swt_record_kind {
	SWT_REC_HEADER = 1,	/* only from swt_reader_next(), first */
	SWT_REC_PROC_START = 2,
	SWT_REC_PROC_EXIT = 3,
	SWT_REC_SAMPLE = 4,
	SWT_REC_EVENTS = 5,
	SWT_REC_ALERT = 6,
	SWT_REC_DROPS = 7,
	SWT_REC_ANOMALY = 8,
	SWT_REC_END = 9,
};

/* Name of a kind as used in dumps ("sample"); "unknown" otherwise. */
const char *swt_record_kind_name(enum swt_record_kind kind);

enum swt_mode {
	SWT_MODE_UNSPECIFIED = 0,
	SWT_MODE_LAUNCH = 1,
	SWT_MODE_ATTACH = 2,
	SWT_MODE_ALL = 3,
};

/* "launch", "attach", "all", "unspecified"; "unknown" otherwise. */
const char *swt_mode_name(enum swt_mode mode);

struct swt_header {
	uint32_t format_major;	/* filled in by the writer */
	uint32_t format_minor;
	const char *recorder;	/* "swrec 0.1.0" */
	const char *zstd_version; /* filled in by the writer */
	const char *kernel;
	const char *alert_config; /* format 1.5: the thresholds of swrec's
				   * live alerts (config lines), "" none */
	const char *sampler;	/* "proc", "bpf"; "" unknown (older
				 * files); NULL writes "" */
	uint32_t clock_ticks;
	uint32_t page_size;
	uint32_t cpu_count;
	uint64_t mem_total_kib;
	int64_t interval_ns;
	int64_t flush_interval_ns;
	int64_t start_mono_ns;
	int64_t start_wall_ns;
	enum swt_mode mode;
	size_t n_command;
	const char *const *command;
	size_t n_attach_pids;
	const int32_t *attach_pids;
	uint64_t boot_time_s;
	bool threads;
	/* format 1.7: the events' clock, "tsc", "monotonic" or "" (older,
	 * or no events); for "tsc" the conversion at the start (swt.proto) */
	const char *event_clock;
	uint64_t tsc_hz;
	uint64_t tsc0;
	int64_t tsc_mono0_ns;
	uint64_t tsc_mult;
	uint32_t tsc_shift;
	int64_t tsc_skew_ns;
};

struct swt_proc_start {
	int32_t pid;
	int32_t ppid;
	uint64_t start_ticks;
	const char *comm;
	const char *cmdline;	/* NUL-separated argv, cmdline_len bytes */
	size_t cmdline_len;
	uint32_t uid;
	bool preexisting;
	const char *exe;	/* /proc/PID/exe; "" when it could not be read
				 * (and in files before format 1.1) */
	bool exits_at_once;	/* in memory only, never encoded: its
				 * ProcExit follows at the same time (it
				 * lived and died between two samples),
				 * so the writer leaves it out of the
				 * process directory (no window starts
				 * while it is alive) */
};

/* A thread of an exiting process, its own CPU to the µs from the kernel's
 * exit record (format 1.10, struct swt_proc_exit.threads). */
struct swt_thread_end {
	int32_t tid;
	const char *name;	/* its name at its exit ("" unknown) */
	uint64_t utime_us, stime_us;
};

struct swt_proc_exit {
	int32_t pid;
	uint64_t start_ticks;
	bool has_final;		/* its last counters (read as a zombie, or
				 * from its taskstats record) */
	int64_t utime, stime;	/* ticks, cumulative, when has_final */
	int64_t cutime, cstime;
	bool has_acct;		/* its taskstats exit record came (root) */
	uint64_t utime_us, stime_us; /* its CPU to the µs, when has_acct */
	uint64_t hiwater_rss_kib; /* peak RSS, when has_acct */
	uint64_t read_bytes, write_bytes;
	uint64_t nvcsw, nivcsw;
	bool has_final_io;	/* its /proc/PID/io read as a zombie */
	uint64_t final_read_bytes, final_write_bytes; /* cumulative, its
				 * reaped children's included */
	bool has_final_net;	/* its TCP counters at its exit */
	uint64_t final_net_tx, final_net_rx;
	bool has_status;
	int32_t exit_code;
	int32_t signal;
	bool core_dumped;
	/* its threads that ended with it (format 1.10; by tid, ascending):
	 * a process written with thread rows, as root */
	size_t n_threads;
	const struct swt_thread_end *threads;
};

/* Row flags of struct swt_proc_row. */
enum swt_proc_flag {
	SWT_PF_IO_UNAVAILABLE = 1u,	/* io_* unreadable: not 0, unknown */
	SWT_PF_IO_NOT_SAMPLED = 2u,	/* io_* not read this tick */
	SWT_PF_CTXSW_NOT_SAMPLED = 4u,	/* *ctxsw not read this tick */
	SWT_PF_NET_NOT_SAMPLED = 8u,	/* net_*, socks_* not read */
	SWT_PF_NET_UNAVAILABLE = 16u,	/* net_*, socks_* unknown, not 0 */
};

struct swt_proc_row {
	int32_t pid;
	uint32_t flags;		/* enum swt_proc_flag bits */
	int64_t utime;		/* ticks, cumulative */
	int64_t stime;
	int64_t rss_kib;
	int64_t vsz_kib;
	int64_t nthreads;
	int64_t minflt;
	int64_t majflt;
	int64_t io_read;	/* bytes, cumulative */
	int64_t io_write;
	int64_t vctxsw;
	int64_t ivctxsw;
	int64_t cutime;		/* ticks, cumulative: CPU of the children it
				 * reaped (their cutime included); 0 in files
				 * before format 1.1 */
	int64_t cstime;
	int64_t net_tx;		/* TCP bytes sent (acknowledged), cumulative
				 * (format 1.2) */
	int64_t net_rx;		/* TCP bytes received, cumulative */
	int64_t socks_tcp;	/* sockets open, by kind */
	int64_t socks_udp;
	int64_t socks_other;
};

/* A network interface's cumulative bytes (/proc/net/dev). */
struct swt_netdev {
	const char *name;
	uint64_t rx_bytes;
	uint64_t tx_bytes;
};

struct swt_thread_row {
	int32_t tid;
	int32_t tgid;
	const char *name;
	int64_t utime;
	int64_t stime;
};

/* Indexes of swt_sample.pressure_us. */
enum swt_psi {
	SWT_PSI_CPU_SOME = 0,
	SWT_PSI_CPU_FULL = 1,
	SWT_PSI_MEM_SOME = 2,
	SWT_PSI_MEM_FULL = 3,
	SWT_PSI_IO_SOME = 4,
	SWT_PSI_IO_FULL = 5,
};

struct swt_sample {
	int64_t scheduled_ns;
	uint64_t recorder_cpu_ns;
	uint64_t recorder_rss_kib;
	uint64_t sys_busy_ticks;
	uint64_t sys_idle_ticks;
	uint64_t mem_total_kib;
	uint64_t mem_available_kib;
	/* format 1.4: the pressure stall totals (us) of cpu, memory and io,
	 * "some" then "full" of each (SWT_PSI_*), when the kernel has PSI,
	 * and the steal ticks of /proc/stat */
	bool has_pressure;
	uint64_t pressure_us[6];
	uint64_t steal_ticks;
	size_t n_procs;		/* rows sorted by pid, strictly ascending */
	const struct swt_proc_row *procs;
	size_t n_threads;	/* rows sorted by tid, strictly ascending */
	const struct swt_thread_row *threads;
	size_t n_netdevs;	/* when the network was read (format 1.2) */
	const struct swt_netdev *netdevs;
	/* For the engine, from the reader (never encoded; a writer ignores
	 * them): chunk_id names the chunk the sample was read from (its
	 * frame's offset + 1, 0 for none) and chunk_sample its place among
	 * the chunk's samples (0 the first). With a previous sample in the
	 * chunk, proc_same[i] (thread_same[i]) is 1 when row i is equal to
	 * the row of its pid (tid) in that sample, field for field (the
	 * thread's name the same string), and no ProcStart for the pid came
	 * in between; 0 when it may differ. NULL for the first sample of a
	 * chunk. A repeat is said only where decoding knows it for free (a
	 * row carried over in a sparse sample, a thread whose deltas are 0):
	 * a 0 can be a row equal to its last. */
	uint64_t chunk_id;
	uint32_t chunk_sample;
	/* The decoding of the chunk the sample came from, unique in the
	 * process (0 for none): two of its strings (a thread's name) at the
	 * same address with the same decode_id are the same string; their
	 * addresses mean nothing across decodings (the memory is reused). */
	uint64_t decode_id;
	const uint8_t *proc_same;
	const uint8_t *thread_same;
	/* With them: the rows have exactly the pids (tids) of that sample,
	 * in the same places (none came or went). */
	bool same_pids, same_tids;
	/* Only from a reader asked for them (swt_reader_set_deltas()): with
	 * same_pids, proc_at may list the places of the rows that may differ
	 * from the previous sample's, ascending (n_proc_at of them); every
	 * other row is a repeat. NULL: not said. thread_at, n_thread_at the
	 * same for the thread rows (with same_tids). The rows are whole
	 * (n_procs of them, proc_same set), unless proc_listed (thread_listed)
	 * says that procs (threads) holds only the listed rows, in the order
	 * of their places, and proc_same (thread_same) is NULL: only in a
	 * sample that follows one with keep_rows, whose rows the consumer
	 * kept (swt_reader_set_deltas()). */
	bool proc_listed, thread_listed, keep_rows;
	const uint32_t *proc_at;
	size_t n_proc_at;
	const uint32_t *thread_at;
	size_t n_thread_at;
	/* With proc_listed, the listed rows may come as columns instead
	 * (proc_cols not NULL, procs NULL; a decoding thread's, swt_reader.h):
	 * n_proc_cols int64_t members of struct swt_proc_row at the byte
	 * offsets proc_cols[k], listed row i's values proc_vals[i *
	 * n_proc_cols + k] and its flags proc_flags[i]; every other member
	 * is that of its row in the sample kept (swt_rows_put_cols()). */
	const uint8_t *proc_cols;
	size_t n_proc_cols;
	const int64_t *proc_vals;
	const uint32_t *proc_flags;
	/* For the writer only (never encoded; a reader leaves them 0): the
	 * rows that may differ from the last sample appended, as indexes
	 * into procs, strictly ascending. Set (changed != NULL), it says
	 * that procs has the same pids as that sample, in the same places,
	 * and that every row not listed is equal to its row there: the
	 * writer then compares and remembers only the listed ones (10 000
	 * sleeping processes at 10 Hz). The writer checks what it can
	 * cheaply (the count, the listed pids) and otherwise compares every
	 * row. */
	const uint32_t *changed;
	size_t n_changed;
	/* With changed, when processes came and went since that sample: its
	 * rows that are not in procs, as indexes into its rows, ascending
	 * (removed), and the rows of procs that were not in it, as indexes
	 * into procs, ascending, each also in changed (inserted). Every other
	 * row of procs is then the next row of that sample not removed, in
	 * order. A pid both removed and inserted (reused) is refused: the
	 * writer compares every row. */
	const uint32_t *removed;
	size_t n_removed;
	const uint32_t *inserted;
	size_t n_inserted;
};

enum swt_event_kind {
	SWT_EV_BEGIN = 1,
	SWT_EV_END = 2,
	SWT_EV_COUNT = 3,
	SWT_EV_MARK = 4,
	SWT_EV_RSS = 5,		/* proto EV_RSS: a reading of the RSS */
};

/* "begin", "end", "count", "mark", "rss"; "unknown" for anything else. */
const char *swt_event_kind_name(enum swt_event_kind kind);

/* The listed rows of a sample put in place (swt_sample.proc_at,
 * thread_at): rows[0, n_at) of `size` bytes each into table[at[i]], a
 * table of n rows; with same (n bytes), its repeats: 0 at the listed
 * places, 1 elsewhere. False, the table partly written, when a place is
 * n or more or the places do not ascend. */
bool swt_rows_put(void *table, size_t n, const void *rows, size_t size,
		  const uint32_t *at, size_t n_at, uint8_t *same);

/* The same for a sample whose listed process rows come as columns
 * (swt_sample.proc_cols): each listed row's columns and flags written in
 * its place in table (n rows). False, the table partly written, when a
 * place does not fit or a column is not one of the int64_t members. */
bool swt_rows_put_cols(struct swt_proc_row *table, size_t n,
		       const struct swt_sample *s, uint8_t *same);

/* The tables a consumer of a reader handing over only the rows that
 * changed (swt_sample.keep_rows) keeps whole, and which sample they hold
 * (its chunk and place in it): swt_rows_keep_sample(). Zeroed to start;
 * freed by swt_rows_kept_fini(). */
struct swt_rows_kept {
	struct swt_proc_row *procs;
	struct swt_thread_row *threads;
	size_t n_procs, n_threads;
	uint8_t *proc_same, *thread_same; /* a listed sample's repeats */
	size_t cap_procs, cap_threads, cap_psame, cap_tsame;
	uint64_t chunk;
	uint32_t sample;
	bool have;		/* the tables hold that sample's rows */
};

/* Sample s into k: with keep_rows, its process and thread rows kept whole
 * (a listed table's listed rows put in place: swt_rows_put(),
 * swt_rows_put_cols(); with same, its repeats into proc_same,
 * thread_same); a listed sample must follow the one k holds in its chunk
 * (a reader hands over every sample of a chunk). Without keep_rows, k
 * holds nothing (the next sample lists nothing either). False, k holding
 * nothing, when s lists rows that do not follow or fit what is kept. */
bool swt_rows_keep_sample(struct swt_rows_kept *k, const struct swt_sample *s,
			  bool same);
void swt_rows_kept_fini(struct swt_rows_kept *k);

/* What `value` means, by kind:
 *   SWT_EV_BEGIN, SWT_EV_END  the calling thread's CPU time in ns
 *       (CLOCK_THREAD_CPUTIME_ID) at the event, >= 1 when measured; 0:
 *       not measured (the client was not asked to, or an older client).
 *       Never negative. Only differences within one thread mean
 *       something: the CPU the thread burnt between two of its events.
 *   SWT_EV_COUNT  the counter's increment (any sign);
 *   SWT_EV_MARK   0;
 *   SWT_EV_RSS    the process's resident set in KiB (/proc/self/statm
 *       resident pages x page size / 1024) at t_ns, read by thread tid,
 *       >= 0. A client that measures RSS sends one right before each span
 *       BEGIN and one right after each END, with that event's time and
 *       name (RSS, BEGIN at t; END, RSS at t). */
struct swt_event {
	int64_t t_ns;
	enum swt_event_kind kind;
	int32_t tid;
	const char *name;
	int64_t value;		/* by kind: see above */
};

struct swt_event_batch {
	int32_t pid;
	size_t n;		/* events in time order; the record time is
				 * events[0].t_ns */
	const struct swt_event *events;
};

struct swt_alert {
	const char *kind;
	const char *subject;
	int64_t value_milli;
	int64_t threshold_milli;
};

struct swt_drops {
	int32_t pid;
	uint64_t dropped;
	uint64_t total_dropped;
	const char *reason;
};

struct swt_anomaly {
	const char *kind;
	int32_t pid;
	int32_t tid;
	const char *subject;
	const char *detail;
	size_t detail_len;
};

enum swt_end_reason {
	SWT_END_UNSPECIFIED = 0,
	SWT_END_EXITED = 1,
	SWT_END_SIGNAL = 2,
	SWT_END_DURATION = 3,
	SWT_END_ERROR = 4,
};

/* "exited", "signal", "duration", "error", "unspecified"; "unknown". */
const char *swt_end_reason_name(enum swt_end_reason reason);

struct swt_session_end {
	enum swt_end_reason reason;
	bool has_status;
	int32_t exit_code;
	int32_t signal;
	uint64_t samples;
	uint64_t records;
	uint64_t events;
	uint64_t dropped_events;
	uint64_t recorder_cpu_ns;
	uint64_t recorder_peak_rss_kib;
	const char *error;
	uint64_t missed_samples;	/* deadlines skipped (starved) */
	uint64_t late_events;		/* times raised to keep the order */
	bool exit_acct;			/* taskstats exit records were on */
	uint64_t exit_acct_overflows;	/* times some were lost */
	bool proc_events;		/* fork/exec/exit events were on (1.3) */
	uint64_t proc_events_overflows;	/* times some were lost */
	uint64_t exits_dropped;		/* unseen processes not written */
	uint64_t exits_unmatched;	/* forks whose exit record was lost */
	uint64_t cmdlines_skipped;	/* execs whose cmdline was not read */
	uint64_t exit_acct_cpu_ns;	/* recorder CPU on exit accounting */
	const char *proc_events_source;	/* "bpf", "connector" or "" */
	uint64_t exit_write_cpu_ns;	/* of exit_acct_cpu_ns: records */
	uint64_t tsc_calibrations;	/* 1.7: TSC recalibrations */
	int64_t tsc_max_error_ns;	/* largest error one found */
	uint64_t tsc_resets;		/* jumps found */
	uint64_t recorder_wait_ns;	/* waited for a CPU (run_delay) */
	uint64_t proc_read_cpu_ns;	/* reading tracked processes from
					 * /proc */
	uint64_t proc_reads;		/* the processes so read */
	uint64_t proc_scans;		/* listings of /proc after the first */
	uint64_t proc_scans_skipped;	/* not made: the events said the
					 * tree had not forked */
	uint64_t proc_first_read_cpu_ns; /* 1.8: first reads of new
					  * processes a scan found */
	uint64_t proc_first_reads;	/* the processes so read */
	uint64_t sampled_write_cpu_ns;	/* writing sampled processes'
					 * start and exit records */
	uint64_t sampled_records;	/* the records so written */
};

struct swt_record {
	enum swt_record_kind kind;
	int64_t t_ns;		/* header: its start_mono_ns */
	union {
		struct swt_header header;
		struct swt_proc_start proc_start;
		struct swt_proc_exit proc_exit;
		struct swt_sample sample;
		struct swt_event_batch events;
		struct swt_alert alert;
		struct swt_drops drops;
		struct swt_anomaly anomaly;
		struct swt_session_end end;
	} u;
};

#endif
