/* swt_export.h — a session as data for other tools: the Trace Event Format
 * of Chrome (the JSON that Perfetto UI and chrome://tracing load), a CSV
 * table of the samples and Perfetto's own protobuf trace.
 *
 * This is the library behind `swreplay --export` (libswt_replay.a). Like
 * swt_dump.h it never prints: the export goes to the FILE the caller
 * gives, errors come back as a status with a message in errmsg, and what
 * the export had to repair (spans without an end, ends without a begin) is
 * counted in struct swt_export_stats for the caller to report.
 *
 * Both exports are deterministic: the same file and options give the same
 * bytes (no clock, no locale, numbers through swt_buf_fixed(), ties broken
 * by the order of the records in the file). Times are from the session
 * start (the header's start, else the first record's time, as swreplay's
 * timeline counts them). docs/exports.md lists every event, column and
 * rule. */
#ifndef SWT_EXPORT_H
#define SWT_EXPORT_H

#include <stdint.h>
#include <stdio.h>

#include "swt_reader.h"

/* Values are explicit and never renumbered. */
enum swt_export_format {
	SWT_EXPORT_CHROME_JSON = 1,	/* "chrome-json" */
	SWT_EXPORT_CSV = 2,		/* "csv" */
	SWT_EXPORT_PERFETTO = 3,	/* "perfetto" (binary) */
};

/* The format named `name` ("chrome-json", "csv", "perfetto") into *out: 0,
 * or SWT_EINVAL for any other name. */
int swt_export_format_parse(enum swt_export_format *out, const char *name);

/* "chrome-json", "csv", "perfetto"; "unknown" otherwise. */
const char *swt_export_format_name(enum swt_export_format f);

struct swt_export_opts {
	/* The window exported, ns from the session start, both included:
	 * INT64_MIN and INT64_MAX for no bound. The whole file is still
	 * read, so that CPU bases, counters and spans open before the window
	 * are right inside it. */
	int64_t from_ns;
	int64_t to_ns;
};

/* No window. */
void swt_export_opts_init(struct swt_export_opts *o);

struct swt_export_stats {
	uint64_t items;		/* trace events (JSON, Perfetto: track
				 * descriptors excluded) or rows (CSV, the
				 * header excluded) written */
	uint64_t spans;		/* B/E pairs (JSON), SLICE_BEGIN/END pairs
				 * (Perfetto) written */
	uint64_t spans_closed;	/* spans still open when the file (or the
				 * window) ended: closed at the last time
				 * read (the window's end) */
	uint64_t ends_unmatched; /* END events with no open span of their
				  * name on their thread: dropped */
	uint64_t events_reordered; /* span begins and ends earlier than the
				    * previous one of their thread, moved
				    * to its time */
};

/* Read every record r still has to return (all of them, on a fresh reader)
 * and write the Trace Event Format JSON of them to fp: one object
 * {"traceEvents":[...],"displayTimeUnit":"ms","otherData":{...}}, one
 * event per line, metadata (M) first, then every other event sorted by
 * time (ties in file order). The events are kept in memory until the end
 * (they must be sorted): memory grows with the output.
 *
 * Damage does not stop the export (unless r was opened with
 * SWT_READER_STRICT): what is readable is exported and the caller asks
 * the reader for swt_reader_get_damage() afterwards. stats may be NULL.
 *
 * Returns 0; SWT_EIO when writing to fp failed (message "write error:
 * ..."); or the status of swt_reader_next() (message: the reader's).
 * errmsg may be NULL. */
int swt_export_chrome_json(struct swt_reader *r,
			   const struct swt_export_opts *o, FILE *fp,
			   struct swt_export_stats *stats, char *errmsg,
			   size_t errlen);

/* The same for the CSV table: a header line, then per sample in the
 * window one row for the tree, one per process (by pid), one per thread
 * row (by tid) and one per module the analysis engine has figures of;
 * streamed, a sample held back until the engine's figures for it are
 * final (usually until the next): memory grows with the processes,
 * threads and modules, not with the session. Same statuses. */
int swt_export_csv(struct swt_reader *r, const struct swt_export_opts *o,
		   FILE *fp, struct swt_export_stats *stats, char *errmsg,
		   size_t errlen);

/* The Perfetto protobuf trace (perfetto.protos.Trace, the file Perfetto UI
 * and trace_processor open): a track descriptor for the session, every
 * process, its counters and its threads first, then the track events in
 * time order (ties in file order): the spans, counters, marks, process
 * starts and exits and alerts of the Trace Event Format export, the same
 * span repairs and window, timestamps in ns from the session start (a
 * time before it is written as 0), all on packet sequence 1. Binary: the
 * caller decides whether fp may take it. Kept in memory until the end as
 * the JSON. Same statuses. */
int swt_export_perfetto(struct swt_reader *r, const struct swt_export_opts *o,
			FILE *fp, struct swt_export_stats *stats,
			char *errmsg, size_t errlen);

/* The export of format f (one of the functions above); SWT_EINVAL for an
 * unknown format. */
int swt_export_write(struct swt_reader *r, enum swt_export_format f,
		     const struct swt_export_opts *o, FILE *fp,
		     struct swt_export_stats *stats, char *errmsg,
		     size_t errlen);

#endif
