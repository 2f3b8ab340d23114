/* swt_synth.h — a reproducible synthetic recording for codec benchmarks.
 *
 * Models what `swrec -a` would write on a mostly idle server: a population
 * of processes of which ~70 % are idle (counters change on a few ticks per
 * minute), ~27 % mildly active (0-3 CPU ticks per second, RSS wobbling by a
 * few pages, page faults, context switches, occasional I/O) and ~3 % busy
 * (~100 ticks/s, growing RSS, heavy faults and I/O). Short-lived processes
 * start and exit over time (ProcStart/ProcExit with fresh, higher PIDs) and
 * a few long-lived ones are restarted. Optionally ~10 % of the processes
 * report two threads each.
 *
 * Everything comes from one seeded xorshift64* generator: the same options
 * give the same records, bit for bit, on every machine. */
#ifndef SWT_SYNTH_H
#define SWT_SYNTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "swt_record.h"

struct swt_synth;

struct swt_synth_opts {
	uint64_t seed;		/* default 1; 0 is replaced by 1 */
	size_t n_procs;		/* processes at start, default 500 */
	size_t n_samples;	/* default 3600 */
	int64_t interval_ns;	/* default 1 s */
	bool threads;		/* per-thread rows, default false */
};

void swt_synth_opts_init(struct swt_synth_opts *opts);

/* Caller owns *out; free it with swt_synth_free(). Returns 0 or
 * SWT_EINVAL (n_procs or n_samples is 0, interval_ns <= 0). */
int swt_synth_new(struct swt_synth **out, const struct swt_synth_opts *opts);

void swt_synth_free(struct swt_synth *s);

/* The session header (borrowed, valid until swt_synth_free()). */
const struct swt_header *swt_synth_get_header(const struct swt_synth *s);

/* Next record, in time order: the ProcStarts of the initial population,
 * then per tick its ProcExits, ProcStarts and the Sample. *out is borrowed:
 * valid until the next call. Returns 0, or SWT_ITEROVER after the last
 * sample. */
int swt_synth_next(struct swt_synth *s, const struct swt_record **out);

/* The SessionEnd matching what was generated (valid until free). */
const struct swt_session_end *swt_synth_get_end(const struct swt_synth *s,
						 int64_t *t_ns);

/* Fold every value of every row of a sample into acc[0..1] (start from
 * zeros). The encoder side folds the generated samples, the decoder side
 * the decoded ones: equal results mean the round trip was exact, and
 * computing it touches every row. */
void swt_synth_fold_sample(uint64_t acc[2], const struct swt_sample *sample);

#endif
