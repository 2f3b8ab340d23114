#include "swt_procfs.h"

#include <stdbool.h>
#include <string.h>

#include "swt_status.h"

/* A cursor over the space-separated fields after the comm of a stat line.
 * Hand-written because strtoull is locale-aware and several times slower,
 * and this runs once per process and per thread every tick. */
struct cursor {
	const char *p;
	const char *end;
	bool bad;
};

static void skip_field(struct cursor *c)
{
	while (c->p < c->end && *c->p != ' ' && *c->p != '\n')
		c->p++;
	if (c->p < c->end && *c->p == ' ')
		c->p++;
	else
		c->bad = true;	/* a skipped field is never the last */
}

/* An unsigned decimal field followed by a space or the end. */
static uint64_t take_u64(struct cursor *c)
{
	uint64_t v = 0;
	const char *start = c->p;

	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		if (v > (UINT64_MAX - 9) / 10)
			c->bad = true;
		v = v * 10 + (uint64_t)(*c->p - '0');
		c->p++;
	}
	if (c->p == start)
		c->bad = true;
	if (c->p < c->end && *c->p == ' ')
		c->p++;
	else if (c->p < c->end && *c->p != '\n')
		c->bad = true;
	return v;
}

/* A signed field (rss can be negative in theory, ppid is a pid). */
static int64_t take_i64(struct cursor *c)
{
	bool neg = false;
	uint64_t v;

	if (c->p < c->end && *c->p == '-') {
		neg = true;
		c->p++;
	}
	v = take_u64(c);
	if (v > INT64_MAX)
		c->bad = true;
	return neg ? -(int64_t)v : (int64_t)v;
}

int swt_procfs_parse_stat(struct swt_procfs_stat *out, const char *buf,
			  size_t len)
{
	struct swt_procfs_stat st;
	struct cursor c;
	const char *open, *close;
	int64_t pid;
	int field;

	memset(&st, 0, sizeof(st));
	open = memchr(buf, '(', len);
	close = memrchr(buf, ')', len);
	if (!open || !close || close < open || close + 2 >= buf + len ||
	    close[1] != ' ')
		return SWT_ECORRUPT;

	c.p = buf;
	c.end = open;
	c.bad = false;
	pid = take_i64(&c);
	if (c.bad || c.p != open || pid <= 0 || pid > INT32_MAX)
		return SWT_ECORRUPT;
	st.pid = (int32_t)pid;
	st.comm = open + 1;
	st.comm_len = (size_t)(close - open - 1);

	c.p = close + 2;
	c.end = buf + len;
	st.state = *c.p;
	skip_field(&c);		/* 3 state */
	{
		int64_t ppid = take_i64(&c); /* 4 */

		if (ppid < 0 || ppid > INT32_MAX)
			c.bad = true;
		st.ppid = (int32_t)ppid;
	}
	/* 5 pgrp 6 session 7 tty_nr 8 tpgid 9 flags */
	for (field = 5; field <= 9; field++)
		skip_field(&c);
	st.minflt = take_u64(&c);	/* 10 */
	skip_field(&c);			/* 11 cminflt */
	st.majflt = take_u64(&c);	/* 12 */
	skip_field(&c);			/* 13 cmajflt */
	st.utime = take_u64(&c);	/* 14 */
	st.stime = take_u64(&c);	/* 15 */
	st.cutime = take_i64(&c);	/* 16 */
	st.cstime = take_i64(&c);	/* 17 */
	/* 18 priority 19 nice */
	for (field = 18; field <= 19; field++)
		skip_field(&c);
	st.nthreads = take_i64(&c);	/* 20 */
	skip_field(&c);			/* 21 itrealvalue */
	st.start_ticks = take_u64(&c);	/* 22 */
	st.vsize = take_u64(&c);	/* 23 */
	st.rss_pages = take_i64(&c);	/* 24 */
	if (c.bad)
		return SWT_ECORRUPT;
	*out = st;
	return 0;
}

int swt_procfs_find_u64(uint64_t *out, const char *buf, size_t len,
			const char *key)
{
	size_t klen = strlen(key);
	const char *p = buf, *end = buf + len;
	uint64_t v = 0;
	bool any = false;

	for (;;) {
		p = memmem(p, (size_t)(end - p), key, klen);
		if (!p)
			return SWT_ECORRUPT;
		/* must start a line: "nonvoluntary_ctxt_switches" contains
		 * "voluntary_ctxt_switches" */
		if (p == buf || p[-1] == '\n')
			break;
		p += klen;
	}
	p += klen;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return SWT_ECORRUPT;
		v = v * 10 + (uint64_t)(*p - '0');
		any = true;
	}
	if (!any)
		return SWT_ECORRUPT;
	*out = v;
	return 0;
}

/* The values of two "key: value" lines, both or neither: 0 or
 * SWT_ECORRUPT (the outputs are left alone then). */
static int find_two(uint64_t *out_a, uint64_t *out_b, const char *buf,
		    size_t len, const char *key_a, const char *key_b)
{
	uint64_t a, b;

	if (swt_procfs_find_u64(&a, buf, len, key_a) < 0 ||
	    swt_procfs_find_u64(&b, buf, len, key_b) < 0)
		return SWT_ECORRUPT;
	*out_a = a;
	*out_b = b;
	return 0;
}

int swt_procfs_parse_ctxsw(uint64_t *out_vol, uint64_t *out_invol,
			   const char *buf, size_t len)
{
	return find_two(out_vol, out_invol, buf, len,
			"voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:");
}

int swt_procfs_parse_io(uint64_t *out_read, uint64_t *out_write,
			const char *buf, size_t len)
{
	return find_two(out_read, out_write, buf, len, "read_bytes:",
			"write_bytes:");
}

int swt_procfs_parse_sys(struct swt_procfs_sys *out, const char *buf,
			 size_t len)
{
	struct swt_procfs_sys sys;
	struct cursor c;
	uint64_t v[8];
	size_t i;

	memset(&sys, 0, sizeof(sys));
	/* "cpu  user nice system idle iowait irq softirq steal guest gnice":
	 * guest time is already counted in user. */
	if (len < 5 || memcmp(buf, "cpu ", 4) != 0)
		return SWT_ECORRUPT;
	c.p = buf + 4;
	c.end = buf + len;
	c.bad = false;
	while (c.p < c.end && *c.p == ' ')
		c.p++;
	for (i = 0; i < 8; i++)
		v[i] = take_u64(&c);
	if (c.bad)
		return SWT_ECORRUPT;
	sys.busy_ticks = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
	sys.idle_ticks = v[3] + v[4];
	sys.steal_ticks = v[7];
	if (swt_procfs_find_u64(&sys.forks, buf, len, "processes") < 0 ||
	    swt_procfs_find_u64(&sys.btime, buf, len, "btime") < 0)
		return SWT_ECORRUPT;
	*out = sys;
	return 0;
}

/* The total= of the line of buf starting with `kind`: 0, or SWT_ECORRUPT
 * if there is no such line or it has no total. */
static int pressure_total(uint64_t *out, const char *buf, size_t len,
			  const char *kind)
{
	const char *p = buf, *end = buf + len, *eol;
	size_t klen = strlen(kind);

	while (p < end) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		if ((size_t)(eol - p) > klen && memcmp(p, kind, klen) == 0) {
			const char *t = memmem(p, (size_t)(eol - p), " total=",
					       7);
			uint64_t v = 0;
			bool any = false;

			if (!t)
				return SWT_ECORRUPT;
			for (t += 7; t < eol && *t >= '0' && *t <= '9'; t++) {
				if (v > (UINT64_MAX - 9) / 10)
					return SWT_ECORRUPT;
				v = v * 10 + (uint64_t)(*t - '0');
				any = true;
			}
			if (!any)
				return SWT_ECORRUPT;
			*out = v;
			return 0;
		}
		p = eol + 1;
	}
	return SWT_ECORRUPT;
}

int swt_procfs_parse_pressure(uint64_t *out_some, uint64_t *out_full,
			      const char *buf, size_t len)
{
	uint64_t some, full = 0;

	if (pressure_total(&some, buf, len, "some ") < 0)
		return SWT_ECORRUPT;
	if (pressure_total(&full, buf, len, "full ") < 0)
		full = 0;
	*out_some = some;
	*out_full = full;
	return 0;
}

int swt_procfs_parse_meminfo(uint64_t *out_total, uint64_t *out_avail,
			     const char *buf, size_t len)
{
	return find_two(out_total, out_avail, buf, len, "MemTotal:",
			"MemAvailable:");
}

int swt_procfs_parse_statm_rss(uint64_t *out_pages, const char *buf,
			       size_t len)
{
	struct cursor c = { buf, buf + len, false };
	uint64_t rss;

	skip_field(&c);
	rss = take_u64(&c);
	if (c.bad)
		return SWT_ECORRUPT;
	*out_pages = rss;
	return 0;
}

int32_t swt_procfs_name_pid(const char *name)
{
	int64_t v = 0;
	const char *p = name;

	if (*p < '1' || *p > '9')
		return 0;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		v = v * 10 + (*p - '0');
		if (v > INT32_MAX)
			return 0;
	}
	return (int32_t)v;
}
