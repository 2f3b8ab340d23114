/* swt_timeline.h — a session in time order, through the engine: what
 * swreplay prints.
 *
 * The session is read once and fed to the same engine, with the same
 * thresholds, as swanalyze; on the way the timeline keeps, each with its
 * time from the session start: the session's start and end, every process
 * start and exit, marks, every alert the moment the engine raises it and
 * the moment it clears, each leak and trend of the tree when the engine's
 * test first calls it significant, and (from the engine's result) each
 * spike's start, peak and end. Events are
 * in time order (ties in the order they arose); the report model is one
 * table, rendered like every report (text, JSON, CSV, Markdown) or as JSON
 * lines. */
#ifndef SWT_TIMELINE_H
#define SWT_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "swt_analysis.h"
#include "swt_map.h"
#include "swt_engine.h"
#include "swt_model.h"
#include "swt_reader.h"

#define SWT_TIMELINE_SCHEMA_VERSION 1

struct swt_timeline_event {
	int64_t t_ns;		/* from the session start */
	uint64_t seq;		/* the order it arose in */
	const char *event;	/* "session_start", "process_start",
				 * "process_exit", "mark", "alert",
				 * "alert_cleared", "spike_start",
				 * "spike_peak", "spike_end",
				 * "leak_significant", "trend_significant",
				 * "session_end" (static) */
	const char *kind;	/* alert kind, spike, leak or trend
				 * resource, or "" */
	char *name;		/* subject (display form) */
	char *process;
	bool has_value;
	int64_t value;		/* thousandths of its unit */
	const char *unit;	/* "percent", "MB", "per_minute", "MB/s",
				 * "min", "MB/min", "percent/min" */
	bool has_threshold;
	int64_t threshold;
	char *detail;
};

struct swt_timeline {
	struct swt_analysis *an; /* the analysis behind it */
	size_t n;
	struct swt_timeline_event *ev;
	size_t cap;
	uint64_t seq;
	int64_t origin_ns;	/* the session start (absolute) */
	bool origin_known;
	/* read from a point after the session start (a window's warm-up):
	 * the leak, trend and forecast events, which rest on the series from
	 * the session start, are left out of the model */
	bool partial;
	/* instrumented modules per process: their first begin is an event,
	 * their last end one at the close */
	struct swt_smap mod_map;	/* (pid, name) -> index in mods */
	struct swt_timeline_mod {
		int32_t pid;
		char *name;
		uint64_t calls;
		bool ended;
		int64_t last_end_ns;	/* relative */
	} *mods;
	size_t n_mods, cap_mods;
	bool saw_end;		/* the session's end record was read */
	uint32_t clock_ticks;	/* of the header */
	int64_t interval_ns;
	int64_t last_sample_ns;	/* absolute, INT64_MIN before the first */
};

/* Read every record of r (a fresh reader) through a new engine made with
 * opts (may be NULL; its alert callback is the timeline's own). Same
 * statuses and messages as swt_analysis_run(); damage does not stop it
 * (tl->an says what was lost). */
int swt_timeline_run(struct swt_timeline **out, struct swt_reader *r,
		     const struct swt_engine_opts *opts, char *errmsg,
		     size_t errlen);

/* swt_timeline_run() over a window (swt_analysis_run_window()); w may be
 * NULL: the whole session. */
int swt_timeline_run_window(struct swt_timeline **out,
			    struct swt_reader *r,
			    const struct swt_engine_opts *opts,
			    struct swt_window *w, char *errmsg,
			    size_t errlen);

void swt_timeline_free(struct swt_timeline *tl);

/* Incremental use (swreplay --follow): a timeline fed one record at a
 * time, the header first; events are appended in the order they happen
 * to be found (tl->n grows), not sorted. close() finishes the engine and
 * appends the events of its result (spikes). */
void swt_timeline_open(struct swt_timeline **out,
		       const struct swt_engine_opts *opts);
int swt_timeline_feed(struct swt_timeline *tl, const struct swt_record *rec,
		      char *errmsg, size_t errlen);
int swt_timeline_close(struct swt_timeline *tl, char *errmsg,
		       size_t errlen);
/* Sort the events from index first on by time (then order found). */
void swt_timeline_sort(struct swt_timeline *tl, size_t first);

/* The model of the events from from_ns to to_ns (inclusive, from the
 * session start; INT64_MIN / INT64_MAX for no bound). Borrowed: free the
 * model before the timeline. */
void swt_timeline_model_build(struct swt_model **out,
			      const struct swt_timeline *tl, int64_t from_ns,
			      int64_t to_ns);

/* "reaches 500.0 MB in 14.2 min (10.1-19.3 min)" of a forecast (times
 * in milli-minutes; hi < 0: no upper bound, "or more"), in seconds when
 * the forecast is under a minute: the timeline's and swrec's alert line. */
struct swt_buf;
void swt_forecast_phrase(struct swt_buf *b, int64_t target_mmb, int64_t eta,
			 int64_t lo, int64_t hi);

#endif
