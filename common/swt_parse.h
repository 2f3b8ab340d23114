/* swt_parse.h — strict, locale-free parsers for options and config files.
 *
 * Every parser consumes the whole string (no trailing junk, no leading
 * space, no empty input) and reports overflow; they return 0 or SWT_EINVAL
 * and never touch *out on failure. */
#ifndef SWT_PARSE_H
#define SWT_PARSE_H

#include <stdint.h>

int swt_parse_i64(int64_t *out, const char *s);
int swt_parse_u64(uint64_t *out, const char *s);

/* A decimal number with up to `scale` fractional digits as an integer
 * scaled by 10^scale: ("12.5", 3) gives 12500. More digits are refused. */
int swt_parse_fixed(int64_t *out, const char *s, unsigned scale);

/* A duration: a decimal number of seconds ("0.1", "2") or a number with a
 * unit: ns, us, ms, s, m (minutes), h ("100ms", "1.5s", "1m"). Result in
 * nanoseconds; negative durations are refused. */
int swt_parse_duration_ns(int64_t *out, const char *s);

/* A size: bytes or with K, M, G (binary: KiB, MiB, GiB) suffix. */
int swt_parse_size(uint64_t *out, const char *s);

#endif
