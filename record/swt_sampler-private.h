/* swt_sampler-private.h — internals of the sampler shared with its tests.
 *
 * Not an API: the tests use it to hand the sampler an enumeration of /proc
 * whose pids have gone (or never existed) by the time they are read, the
 * race that a real listing hits only by chance. */
#ifndef SWT_SAMPLER_PRIVATE_H
#define SWT_SAMPLER_PRIVATE_H

#include <stddef.h>

#include "swt_sampler.h"
#include "swt_tracker.h"

/* What a scan does after listing /proc: classify the unknown pids of
 * `list` (sorted by pid), read the ones that join and queue them for the
 * next tick's records. Pids that cannot be read are skipped. Returns the
 * number of processes that joined. */
size_t swt_sampler__scan_list(struct swt_sampler *s,
			      const struct swt_tracker_entry *list, size_t n);

#endif
