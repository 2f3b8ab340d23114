/* swt_live.h — live alerts while recording (swrec --alerts).
 *
 * The same engine as swanalyze and swreplay (analyze/swt_engine.h), fed
 * the records as they are written: an alert is raised by the very code
 * that raises it in a replay of the file, at the same record and with the
 * same thresholds, so live and replayed alerts agree. Each alert is
 * printed at once (text on a stream, or JSON lines) and written into the
 * session as an Alert record at its time.
 *
 * The engine's work is done on the recorder's loop after each record is
 * written; its CPU time is measured (swt_live_cpu_ns()). */
#ifndef SWT_LIVE_H
#define SWT_LIVE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "swt_record.h"
#include "swt_thresholds.h"

struct swt_live;

struct swt_live_opts {
	const struct swt_thresholds *thresholds; /* copied by the engine */
	FILE *text;		/* one line per alert, or NULL */
	FILE *jsonl;		/* one JSON object per alert, or NULL */
	/* --on-alert: run `/bin/sh -c on_alert` for each alert, not waited
	 * for (posix_spawn), with the alert in its environment (SWT_ALERT_*,
	 * swrec(1)); at most SWT_LIVE_MAX_RUNNING at once, further alerts
	 * are counted, not run. NULL: none. */
	const char *on_alert;
	const char *session_path;	/* SWT_SESSION of the command */
	/* false: the engine runs for --remote-write only; no alert is
	 * printed, run or written */
	bool alerts;
	/* --remote-write (may be NULL, borrowed): the engine's figures go to
	 * the series builder, and after each sample what it has is pushed to
	 * the queue, whose thread sends it (analyze/swt_rwclient.h): the
	 * loop never waits on the network */
	struct swt_fleet *fleet;
	struct swt_rwqueue *rwq;
	int64_t rw_drain_ms;	/* at the end, wait this long for the queue */
};

#define SWT_LIVE_MAX_RUNNING 4

/* Appends a record to the session (the Alert records). */
typedef int (*swt_live_append_fn)(const struct swt_record *rec,
				  void *payload);

void swt_live_new(struct swt_live **out, const struct swt_live_opts *o);
void swt_live_free(struct swt_live *l);

/* The session's header, before any record. */
void swt_live_header(struct swt_live *l, const struct swt_header *h);

/* One record just written (not an Alert). The alerts it raises are
 * printed and appended through append. A record the engine refuses turns
 * live alerts off (swt_live_error() says why). */
void swt_live_feed(struct swt_live *l, const struct swt_record *rec,
		   swt_live_append_fn append, void *payload);

/* A child of the recorder was reaped (by the session's reap loop): if it
 * was an --on-alert command, its status is taken. */
void swt_live_note_exit(struct swt_live *l, int32_t pid, int wstatus);

/* --remote-write at the end, before the session's end record: the
 * result's series are pushed, the queue gets rw_drain_ms to send what it
 * holds, then the counts (sent, failed, dropped, unsent) are written into
 * the session as an Anomaly record of kind "remote_write" (the file stays
 * the source of truth: `swanalyze export` sends it all again). */
void swt_live_end(struct swt_live *l, swt_live_append_fn append,
		  void *payload);

/* What --remote-write did (after swt_live_end(); zero without it). */
struct swt_live_rw_stats {
	uint64_t samples, sent, failed, dropped, unsent;
	uint64_t requests, retries;
	char last_error[512];	/* the client's last failure, "" none */
};
void swt_live_rw_stats(const struct swt_live *l,
		       struct swt_live_rw_stats *out);

/* At the end: wait up to timeout_ms for --on-alert commands still
 * running, then leave them. Returns how many were left running. */
size_t swt_live_finish(struct swt_live *l, int timeout_ms);

/* --on-alert: commands run, alerts not run (too many running or the
 * spawn failed), commands that exited non-zero or of a signal. */
struct swt_live_cmd_stats {
	uint64_t run, skipped, failed;
};
void swt_live_cmd_stats(const struct swt_live *l,
			struct swt_live_cmd_stats *out);
int swt_live_spawn_errno(const struct swt_live *l);	/* 0: none */

/* Told of each --on-alert command started (running true) and gone (false),
 * so that the recorder leaves it out of the recording. */
typedef void (*swt_live_spawn_fn)(int32_t pid, bool running, void *payload);
void swt_live_set_spawn_hook(struct swt_live *l, swt_live_spawn_fn fn,
			     void *payload);

uint64_t swt_live_alerts(const struct swt_live *l);
int64_t swt_live_cpu_ns(const struct swt_live *l);	/* engine + output */
uint64_t swt_live_feeds(const struct swt_live *l);	/* samples fed */
const char *swt_live_error(const struct swt_live *l);	/* "" if none */

#endif
