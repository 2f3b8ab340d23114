#include "swt_parse.h"

#include <stdbool.h>
#include <string.h>

#include "swt_status.h"

/* v = v * 10 + d without leaving [0, limit]; false on overflow. */
static bool mul10_add(uint64_t *v, unsigned d, uint64_t limit)
{
	if (*v > (limit - d) / 10)
		return false;
	*v = *v * 10 + d;
	return true;
}

/* Parse -?[0-9]+(\.[0-9]+)? into value * 10^scale (at most `scale`
 * fractional digits; a '.' needs digits on both sides). The result must
 * fit int64_t. *end is set after the number. */
static int parse_decimal(int64_t *out, const char *s, unsigned scale,
			 const char **end)
{
	uint64_t v = 0, limit = (uint64_t)INT64_MAX;
	unsigned frac = 0, i;
	int digits = 0;
	bool neg = false;

	if (*s == '-') {
		neg = true;
		limit += 1;	/* |INT64_MIN| */
		s++;
	}
	for (; *s >= '0' && *s <= '9'; s++, digits++)
		if (!mul10_add(&v, (unsigned)(*s - '0'), limit))
			return SWT_EINVAL;
	if (!digits)
		return SWT_EINVAL;
	if (*s == '.') {
		s++;
		if (!(*s >= '0' && *s <= '9'))
			return SWT_EINVAL;
		for (; *s >= '0' && *s <= '9'; s++) {
			if (frac == scale)
				return SWT_EINVAL;
			if (!mul10_add(&v, (unsigned)(*s - '0'), limit))
				return SWT_EINVAL;
			frac++;
		}
	}
	for (i = frac; i < scale; i++)
		if (!mul10_add(&v, 0, limit))
			return SWT_EINVAL;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	*end = s;
	return 0;
}

int swt_parse_fixed(int64_t *out, const char *s, unsigned scale)
{
	const char *end;
	int64_t v;

	if (parse_decimal(&v, s, scale, &end) < 0 || *end)
		return SWT_EINVAL;
	*out = v;
	return 0;
}

int swt_parse_i64(int64_t *out, const char *s)
{
	/* scale 0 refuses any fractional digit, so "1.5" fails; "1." fails
	 * because a '.' needs digits after it */
	return swt_parse_fixed(out, s, 0);
}

int swt_parse_u64(uint64_t *out, const char *s)
{
	uint64_t v = 0;

	if (!*s)
		return SWT_EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return SWT_EINVAL;
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return SWT_EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

int swt_parse_duration_ns(int64_t *out, const char *s)
{
	static const struct {
		const char *unit;
		int64_t mult; /* ns per unit */
		unsigned scale;
	} units[] = {
		{ "ns", 1, 0 },
		{ "us", 1000, 3 },
		{ "ms", 1000000, 6 },
		{ "s", 1000000000, 9 },
		{ "m", INT64_C(60000000000), 9 },
		{ "h", INT64_C(3600000000000), 9 },
		{ "", 1000000000, 9 },
	};
	const char *end;
	int64_t v;
	size_t i;

	if (*s == '-')
		return SWT_EINVAL;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		/* value in units * 10^scale, then to ns */
		if (parse_decimal(&v, s, units[i].scale, &end) < 0)
			continue;
		if (strcmp(end, units[i].unit) != 0)
			continue;
		{
			int64_t div = 1, mult = units[i].mult;
			unsigned k;

			for (k = 0; k < units[i].scale; k++)
				div *= 10;
			/* mult is a multiple of div for s/m/h and ms/us */
			if (mult >= div) {
				mult /= div;
				if (v > INT64_MAX / mult)
					return SWT_EINVAL;
				*out = v * mult;
			} else {
				*out = v / (div / mult);
			}
		}
		return 0;
	}
	return SWT_EINVAL;
}

int swt_parse_size(uint64_t *out, const char *s)
{
	size_t n = strlen(s);
	uint64_t mult = 1, v;
	char tmp[32];

	if (!n || n >= sizeof(tmp))
		return SWT_EINVAL;
	memcpy(tmp, s, n + 1);
	switch (tmp[n - 1]) {
	case 'K': mult = UINT64_C(1) << 10; break;
	case 'M': mult = UINT64_C(1) << 20; break;
	case 'G': mult = UINT64_C(1) << 30; break;
	default: break;
	}
	if (mult != 1)
		tmp[n - 1] = '\0';
	if (swt_parse_u64(&v, tmp) < 0 || v > UINT64_MAX / mult)
		return SWT_EINVAL;
	*out = v * mult;
	return 0;
}
