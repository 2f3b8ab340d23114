/* swt_rw.h — the Prometheus remote-write 1.0 body: a WriteRequest
 * (proto/remote_write.proto, upstream field numbers) compressed with
 * snappy's block format.
 *
 * Plain C structs in, bytes out (and back, for tests and tools): this file
 * is the only one that touches the generated messages or libsnappy. What
 * the series are is analyze/swt_fleet.h's business, how they travel
 * analyze/swt_rwclient.h's. */
#ifndef SWT_RW_H
#define SWT_RW_H

#include <stddef.h>
#include <stdint.h>

#include "swt_buf.h"

struct swt_rw_label {
	const char *name;
	const char *value;
};

struct swt_rw_sample {
	int64_t t_ms;		/* milliseconds since the epoch */
	double value;
};

/* Labels sorted by name (strcmp), names unique, "__name__" the metric;
 * samples in time order. */
struct swt_rw_series {
	size_t n_labels;
	const struct swt_rw_label *labels;
	size_t n_samples;
	const struct swt_rw_sample *samples;
};

/* Bytes the encoded (uncompressed) TimeSeries of s takes in a
 * WriteRequest with n_samples of its samples: labels once, 11 bytes per
 * sample plus the timestamp's varint, as protobuf encodes them (exact). */
size_t swt_rw_series_size(const struct swt_rw_series *s, size_t n_samples);

/* Load libsnappy (dlopen, once; the tools link it only through this):
 * 0, or SWT_EINVAL with why in errmsg (may be NULL). Encoding and
 * decoding load it themselves; a tool calls this first to say early and
 * clearly that it cannot send. */
int swt_rw_load(char *errmsg, size_t errlen);

/* out (cleared first) := snappy(WriteRequest{timeseries: series[0..n)}).
 * Returns 0 or SWT_ENOMEM/SWT_EINVAL (libsnappy not loaded, or snappy
 * refused: cannot happen for a buffer of its own bound). */
int swt_rw_encode(struct swt_buf *out, const struct swt_rw_series *series,
		  size_t n);

/* Called with each series of a decoded request (borrowed for the call). */
typedef int (*swt_rw_series_fn)(const struct swt_rw_series *s,
				void *payload);

/* Decode a body: unsnappy, unpack, hand each series to fn (a non-zero
 * return stops and is returned). SWT_ECORRUPT (not snappy, not a
 * WriteRequest; message in errmsg) or 0. */
int swt_rw_decode(const void *body, size_t len, swt_rw_series_fn fn,
		  void *payload, char *errmsg, size_t errlen);

#endif
