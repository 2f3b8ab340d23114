/* swt_fleet.h — a session as Prometheus series (docs/fleet.md).
 *
 * One definition of the series that `swanalyze export --remote-write`
 * (backfill, from a file) and `swrec --remote-write` (live) send: both
 * drive swanalyze's engine and hand this builder what the engine tells,
 * so every figure is the report's:
 * - per interval, from swt_engine_opts.on_usage: the tree's and every
 *   module's CPU (swt_{session,module}_cpu_seconds_total, the running sum
 *   of the intervals' CPU, and swt_{session,module}_cpu_ratio, the
 *   interval's CPU in cores) and memory (swt_{session,module}_memory_bytes,
 *   the samples' RSS: the tree and process modules), and the running
 *   totals of disk and network bytes (the tree, process modules), calls
 *   (process and instrumented modules) and counters (has_totals points,
 *   swt_engine_opts.usage_totals, which the engine must be made with);
 * - at the session's end, from the result (swt_fleet_result()): weights,
 *   priorities, averages and peaks, findings.
 * Labels: session (an id of the recording, docs/fleet.md), command (the
 * recorded command line), kind, module, process, group (what tells apart
 * process modules of one name: the program), and the user's (--label,
 * which win over ours of the same name); sorted by name. No host label of
 * our own: the file does not say where it was recorded, and the analysing
 * machine's name would be a lie (--label host=...).
 *
 * Deterministic: the series of a file and options are the same bytes on
 * every run (sorted by their labels, samples in time order). The builder
 * reads no clock; times are the header's wall clock start plus the
 * records' times, in milliseconds. */
#ifndef SWT_FLEET_H
#define SWT_FLEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "swt_record.h"
#include "swt_rw.h"

/* (swt_engine.h, swt_analysis.h, swt_reader.h: not included, so that
 * swrec.c, whose session result has the engine's struct name, can use
 * this header) */
struct swt_analysis;
struct swt_engine_opts;
struct swt_reader;
struct swt_result;
struct swt_usage_point;

struct swt_fleet;

struct swt_fleet_opts {
	/* the user's labels (copied), names checked by
	 * swt_fleet_check_label() */
	size_t n_labels;
	const struct swt_rw_label *labels;
	/* backfill: at most one sample per series per step (the CPU ratio the
	 * mean over the step, the total and memory at its last interval);
	 * 0: every interval */
	int64_t step_ns;
};

/* A label from "NAME=VALUE": 0, or SWT_EINVAL with the reason in msg.
 * Names are Prometheus's ([a-zA-Z_][a-zA-Z0-9_]*), not reserved ("__"
 * first) and not "__name__"; values UTF-8 (1..1024 bytes). *name and
 * *value point into a copy the caller frees with free(*name). */
int swt_fleet_parse_label(char **name, char **value, const char *arg,
			  char *msg, size_t msglen);

/* The --label and --header options of swrec and swanalyze export, as
 * given: labels parsed (swt_fleet_parse_label(), each name owning its
 * copy), headers the arguments themselves. Zero it first; free with
 * swt_fleet_cli_free(). */
struct swt_fleet_cli {
	struct swt_rw_label *labels;
	size_t n_labels;
	const char **headers;
	size_t n_headers;
};

/* One --label K=V: 0, or -1 with why in msg. */
int swt_fleet_cli_label(struct swt_fleet_cli *c, const char *arg, char *msg,
			size_t msglen);
/* One --header 'N: V' (kept by pointer). */
void swt_fleet_cli_header(struct swt_fleet_cli *c, const char *arg);
void swt_fleet_cli_free(struct swt_fleet_cli *c);

void swt_fleet_new(struct swt_fleet **out, const struct swt_fleet_opts *o);
void swt_fleet_free(struct swt_fleet *f);	/* NULL: no-op */

/* The session's header (first): the session's labels and time origin. */
void swt_fleet_header(struct swt_fleet *f, const struct swt_header *h);

/* A figure of the engine (swt_engine_opts.on_usage). */
void swt_fleet_usage(struct swt_fleet *f, const struct swt_usage_point *p);

/* The engine's result: the series at the session's end. */
void swt_fleet_result(struct swt_fleet *f, const struct swt_result *r);

/* A set of series that owns its strings and samples. */
struct swt_rw_set {
	size_t n;
	struct swt_rw_series *series;	/* sorted by labels */
	uint64_t samples;		/* in all of them */
};
void swt_rw_set_free(struct swt_rw_set *s);	/* NULL: no-op */

/* Every sample told since the last take (all of them the first time),
 * as series sorted by their labels: *out (caller owns; NULL when there
 * is none). Backfill takes once, after swt_fleet_result(); live takes
 * after each sample. A CPU interval revised after it was taken adds its
 * difference to the total's next sample. */
void swt_fleet_take(struct swt_fleet *f, struct swt_rw_set **out);

/* Series left out because another of theirs had the same labels (a
 * label value cut at its bound). */
uint64_t swt_fleet_collisions(const struct swt_fleet *f);

/* Backfill: the series of a session file. The records of r (a fresh
 * reader) go through a new engine made with eo (its on_usage and payload
 * are ours) as swanalyze's report has them, then its result; *out the
 * series (caller owns; NULL if there are none), *an the analysis (caller
 * frees: damage, the result). Returns swt_analysis_run()'s status;
 * collisions (may be NULL): swt_fleet_collisions(). */
int swt_fleet_from_session(struct swt_rw_set **out, struct swt_analysis **an,
			   struct swt_reader *r,
			   const struct swt_engine_opts *eo,
			   const struct swt_fleet_opts *fo, uint64_t *collisions,
			   char *errmsg, size_t errlen);

#endif
