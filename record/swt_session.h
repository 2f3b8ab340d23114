/* swt_session.h — one recording: launch or attach, sample, write, finish.
 *
 * The loop sleeps until an absolute CLOCK_MONOTONIC deadline (a timerfd
 * armed with TFD_TIMER_ABSTIME, polled together with a signalfd), so ticks
 * do not drift however long each one takes: tick k is scheduled at
 * start + k * interval, and a tick that is late by more than an interval
 * skips the deadlines it missed rather than bursting. Everything appended
 * is made durable at least every flush interval.
 *
 * Faults never reach the recorded program: swrec does not signal it, a
 * failed write stops the recording (the file stays readable up to the last
 * flush) while the session keeps waiting for the launched command, and in
 * launch mode a first SIGINT or SIGHUP (which the terminal sends to the
 * command too) only makes swrec wait for the command to exit.
 *
 * Process-wide effects (a recorder is a process of its own): SIGINT,
 * SIGTERM, SIGHUP (unless ignored when called, as under nohup) and SIGCHLD
 * are blocked and stay blocked on return, so that a late Ctrl-C cannot kill
 * swrec between finishing the file and exiting with the right status;
 * SIGXFSZ is ignored (a file-size limit becomes an EFBIG write error);
 * RLIMIT_NOFILE's soft limit is raised to the hard one for kept /proc
 * descriptors; in launch mode swrec becomes a child subreaper, so orphaned
 * descendants stay in the tree and their exit status is known. The launched
 * command gets the original mask, SIGXFSZ disposition and soft limit.
 * With application events, the session runs a second thread while it
 * lasts, which only empties the event rings while the loop is busy (see
 * "The pumper" in swt_session.c).
 *
 * Application events (libswtrace, swtrace.py): unless opts.events is false,
 * a launch-mode session opens an event ingest (swt_ingest.h) before it
 * starts the command, and gives the command SWT_TRACE_SOCKET in its
 * environment. Instrumented processes of the tree connect on their first
 * event; their events, drop counts and anomalies go into the same record
 * stream as the samples, in time order (see "Time order" in
 * swt_session.c), and the end record counts them. In attach and all modes
 * the processes are already running and never see the variable: the
 * ingest is opened only when opts.on_socket is set, which is told the
 * variable so that programs started afterwards with it can connect. */
#ifndef SWT_SESSION_H
#define SWT_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "swt_record.h"

/* swrec's defaults for the writer, chosen for the recorder's own CPU and
 * memory rather than the last byte of the file (docs/performance.md,
 * "swrec"): level 1 needs a 32 KiB hash table where level 3 needs 768
 * KiB, and the files differ by a few percent. */
#define SWT_SESSION_LEVEL 1
#define SWT_SESSION_CHUNK_RAW_BYTES (256u << 10)

struct swt_session_opts {
	const char *path;	/* output file */
	bool force;		/* overwrite an existing regular file */
	bool plain_samples;	/* every sample whole (format 1.7 readers) */
	int level;		/* zstd level; 0: SWT_SESSION_LEVEL */
	enum swt_mode mode;
	char *const *command;	/* launch: argv, NULL-terminated */
	const int32_t *pids;	/* attach: the roots */
	size_t n_pids;
	int64_t interval_ns;
	int64_t flush_ns;
	int64_t duration_ns;	/* 0: no limit */
	bool threads;
	unsigned slow_every;	/* see swt_sampler_opts; 0: default */
	bool libproc2_scans;	/* see swt_sampler_opts (measurement) */
	bool events;		/* take application events (default on) */
	bool exits;		/* the kernel's exit records when allowed
				 * (root; default on): swt_exitacct.h */
	bool proc_events;	/* with them, the fork/exec/exit events
				 * (default on): swt_procconn.h */
	int proc_events_source;	/* enum swt_procconn_source (default
				 * auto: BPF where it loads) */
	uint64_t max_short_lived; /* see swt_sampler_opts.max_unseen_per_s */
	int sampler;		/* enum swt_sampler_backend (default auto:
				 * BPF where it loads); the header says
				 * which ran */
	bool net;		/* network per process (default on):
				 * swt_net.h */
	/* Launch mode, with events: ask the command's clients to measure
	 * each span's thread CPU time and the RSS around it (default on:
	 * SWT_TRACE_SPAN_CPU=1, SWT_TRACE_SPAN_RSS=1 in its environment;
	 * off: =0, replacing inherited values). */
	bool span_cpu;
	bool span_rss;
	/* enum swt_event_clock: the clock the command's C clients stamp
	 * their events with (SWT_TRACE_CLOCK in its environment; default
	 * auto: the TSC where trusted, swt_tsc.h). Recorded in the header
	 * (format 1.7). */
	int event_clock;
	bool allow_other_users;	/* events from other user ids too */
	/* Live alerts (swt_live.h): every record written is fed to it, and
	 * the alerts it raises are written as Alert records. NULL: none. */
	struct swt_live *live;
	const char *alert_config; /* its thresholds as config lines, stored
				   * in the header (format 1.5); NULL: none */
	/* Attach and all modes take events only if this is set; it is
	 * called once, before anything is launched or sampled, with
	 * "SWT_TRACE_SOCKET=path" (borrowed for the call). In launch mode it
	 * is optional. */
	void (*on_socket)(const char *env, void *payload);
	/* Called at once when the recording fails (libraries do not print;
	 * the session goes on waiting for the command). May be NULL. */
	void (*on_error)(const char *msg, void *payload);
	void *payload;
};

struct swt_session_result {
	enum swt_end_reason reason;
	bool has_status;	/* launch: the command's wait status */
	int wstatus;
	int stop_signal;	/* signal that ended swrec early, or 0 */
	bool recording_failed;	/* errmsg says why */
	int exec_errno;		/* launch: the command cannot run */
	uint64_t samples;	/* SWT_REC_SAMPLE records written */
	uint64_t proc_samples;
	uint64_t thread_samples;
	const char *sampler;	/* the backend that sampled: "bpf", "proc"
				 * (static), or NULL before it was chosen */
	char sampler_msg[300];	/* auto fell back to /proc: why, else "" */
	uint64_t bytes;		/* size of the file */
	uint64_t skipped_ticks;	/* deadlines missed (recorder starved) */
	uint64_t wait_ns;	/* the sampling thread waited for a CPU */
	bool events_on;		/* an event ingest was open */
	uint64_t events;	/* application events written */
	uint64_t dropped_events; /* events lost, as counted in the file */
	uint64_t late_events;	/* written with their time raised */
	uint64_t clients;	/* connections accepted */
	uint64_t refused_clients; /* other users', or past the limit */
	uint64_t bad_clients;	/* cut off for misbehaving */
	char errmsg[512];
};

/* Fill *opts with defaults: 1 s interval and flush, threads, events and
 * span measurements on, launch. */
void swt_session_opts_init(struct swt_session_opts *opts);

/* Run a session to its end. Returns 0 when the session ran (even if the
 * recording failed later, or the command could not be executed: see
 * *out), or, before anything was launched or any file created:
 * SWT_EINVAL (bad option, a pid that is a thread, a $TMPDIR too long for
 * the event socket's path), SWT_ENOTFOUND (a pid that does not exist),
 * SWT_EEXIST (the output exists), SWT_EIO (cannot create the output or
 * the event socket, /proc unreadable, fork failed). out->errmsg says why
 * in every case. */
int swt_session_run(struct swt_session_result *out,
		    const struct swt_session_opts *opts);

#endif
