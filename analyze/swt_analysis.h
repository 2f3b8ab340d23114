/* swt_analysis.h — run a session file through the engine.
 *
 * The glue between the reader (proto/) and the engine: every readable
 * record is fed in file order; damaged chunks are skipped by the reader and
 * turned here into lost time ranges (between the last record before the
 * damage and the first one after it), which the reports list and swanalyze
 * warns about. Never prints. */
#ifndef SWT_ANALYSIS_H
#define SWT_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "swt_engine.h"
#include "swt_reader.h"

enum swt_loss {
	SWT_LOSS_NONE = 0,	/* a damaged index: frames were scanned, no
				 * record lost */
	SWT_LOSS_RANGE = 1,	/* records between from and to lost */
	SWT_LOSS_TAIL = 2,	/* everything after from lost (truncated
				 * file, or damage up to the end) */
};

/* Records lost to one damaged byte range. Times are relative to the
 * session start; from_known is false when the damage precedes every
 * record, to_end when nothing readable follows it. */
struct swt_lost_range {
	enum swt_loss loss;
	bool from_known;
	int64_t from_ns;
	bool to_end;
	int64_t to_ns;
	uint64_t offset;	/* byte range in the file */
	uint64_t length;
	int status;		/* SWT_ECORRUPT or SWT_ETRUNCATED */
	char what[160];		/* the reader's reason */
};

struct swt_analysis {
	struct swt_engine *engine;
	const struct swt_result *result; /* owned by engine */
	size_t n_lost;
	struct swt_lost_range *lost;
	bool damaged;		/* some byte range could not be read */
	bool truncated;		/* no session end record or no index: the
				 * recorder did not finish cleanly */
	int64_t t_last_ns;	/* last record read, relative */
};

/* Feed every remaining record of r (a fresh reader: the whole file) to a
 * new engine made with opts (may be NULL) and finish it. Damage does not
 * stop the analysis. Returns 0, or the status of swt_reader_next() /
 * swt_engine_feed() for a failure that is not damage (message copied into
 * errmsg, which may be NULL); *out is NULL then. */
int swt_analysis_run(struct swt_analysis **out, struct swt_reader *r,
		     const struct swt_engine_opts *opts, char *errmsg,
		     size_t errlen);

/* Called with every record before the engine gets it (borrowed for the
 * call). */
typedef void (*swt_analysis_record_fn)(const struct swt_record *rec,
				       void *payload);

/* swt_analysis_run() that also hands each record to fn (may be NULL). */
int swt_analysis_run_hook(struct swt_analysis **out, struct swt_reader *r,
			  const struct swt_engine_opts *opts,
			  swt_analysis_record_fn fn, void *payload,
			  char *errmsg, size_t errlen);

/* A window of the session, times relative to its start. */
struct swt_window {
	int64_t from_ns;	/* 0: from the start */
	int64_t to_ns;		/* INT64_MAX: to the end */
	/* read (and feed) this much before from_ns as well, so that
	 * baselines and alert states are those of the whole session
	 * (swreplay); the engine's duration counts from from_ns - warm-up */
	int64_t warmup_ns;
	bool whole_intervals;	/* end at the last sample at or before
				 * to_ns too (swanalyze: consecutive
				 * windows add up to the session) */
	bool scan;		/* read from the start even where the index
				 * and directory could be used (a check:
				 * both ways give the same result) */
	/* out: how the window was read */
	int64_t start_ns;	/* where it starts: the last sample at or
				 * before from_ns - warmup_ns (0: the
				 * session's start) */
	int64_t end_ns;		/* where it ends: to_ns, or with
				 * whole_intervals the last sample at or
				 * before it (INT64_MAX: the end) */
	bool used_directory;	/* seeked through the index, the processes
				 * alive at its start from the directory */
	char fallback[256];	/* why it was read from the start, or "" */
};

/* swt_analysis_run_hook() over the records of a window only. A window is
 * made of whole sampling intervals: it starts at the last sample at or
 * before from_ns - warmup_ns (w->start_ns; its rows are bases) and takes
 * the records after it up to to_ns, or with whole_intervals up to the last
 * sample at or before to_ns, so that windows [a, b] and [b, c] add up to
 * [a, c]. With an index and a
 * process directory (format 1.6, a finished file) the reader seeks there,
 * the processes alive there are announced to the engine (their ProcStart,
 * preexisting), and reading stops after the window; otherwise the records
 * before the window are read to find them and those after it are not fed
 * (w->fallback says why). The engine's window_from_ns is w->start_ns. */
int swt_analysis_run_window(struct swt_analysis **out, struct swt_reader *r,
			    const struct swt_engine_opts *opts,
			    struct swt_window *w, swt_analysis_record_fn fn,
			    void *payload, char *errmsg, size_t errlen);

/* NULL is a no-op. */
void swt_analysis_free(struct swt_analysis *a);

/* true if the session was damaged or truncated (swanalyze exits 3). */
bool swt_analysis_incomplete(const struct swt_analysis *a);

#endif
