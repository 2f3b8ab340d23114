/* swt_procfs.h — parsers for the /proc files the sampler reads every tick.
 *
 * Pure functions over a buffer: no file access, so the unit tests feed them
 * literal text. They are written for speed (the sampler parses one stat line
 * per process and per thread every tick) and strictness: a buffer that does
 * not have the expected shape gives SWT_ECORRUPT, never a half-filled
 * result. */
#ifndef SWT_PROCFS_H
#define SWT_PROCFS_H

#include <stddef.h>
#include <stdint.h>

/* The fields of /proc/PID/stat (or /proc/PID/task/TID/stat) swt uses. */
struct swt_procfs_stat {
	int32_t pid;
	char state;		/* 'R', 'S', 'Z', ... */
	int32_t ppid;
	uint64_t minflt;
	uint64_t majflt;
	uint64_t utime;		/* ticks */
	uint64_t stime;
	int64_t cutime;		/* ticks of the children it reaped */
	int64_t cstime;
	int64_t nthreads;
	uint64_t start_ticks;	/* ticks after boot */
	uint64_t vsize;		/* bytes */
	int64_t rss_pages;
	const char *comm;	/* borrowed from the buffer, not terminated */
	size_t comm_len;
};

/* Parse a stat line of len bytes. comm may hold spaces and parentheses
 * (the kernel does not escape it): it ends at the last ')'. Returns 0 or
 * SWT_ECORRUPT. */
int swt_procfs_parse_stat(struct swt_procfs_stat *out, const char *buf,
			  size_t len);

/* voluntary_ctxt_switches and nonvoluntary_ctxt_switches of a
 * /proc/PID/status text. Returns 0 or SWT_ECORRUPT. */
int swt_procfs_parse_ctxsw(uint64_t *out_vol, uint64_t *out_invol,
			   const char *buf, size_t len);

/* read_bytes and write_bytes of a /proc/PID/io text. 0 or SWT_ECORRUPT. */
int swt_procfs_parse_io(uint64_t *out_read, uint64_t *out_write,
			const char *buf, size_t len);

/* What swt takes from /proc/stat. */
struct swt_procfs_sys {
	uint64_t busy_ticks;	/* user+nice+system+irq+softirq+steal */
	uint64_t idle_ticks;	/* idle+iowait */
	uint64_t steal_ticks;	/* steal */
	uint64_t forks;		/* "processes": forks since boot */
	uint64_t btime;		/* boot time, seconds since the epoch */
};

/* The "total=" of the "some" and "full" lines of a /proc/pressure/ file
 * (microseconds); a kernel without the "full" line (cpu, before 5.13)
 * gives full 0. 0 or SWT_ECORRUPT (no "some" line with a total). */
int swt_procfs_parse_pressure(uint64_t *out_some, uint64_t *out_full,
			      const char *buf, size_t len);

/* Parse /proc/stat. 0 or SWT_ECORRUPT. */
int swt_procfs_parse_sys(struct swt_procfs_sys *out, const char *buf,
			 size_t len);

/* MemTotal and MemAvailable (KiB) of /proc/meminfo. 0 or SWT_ECORRUPT. */
int swt_procfs_parse_meminfo(uint64_t *out_total, uint64_t *out_avail,
			     const char *buf, size_t len);

/* The second field (resident pages) of a /proc/PID/statm text.
 * 0 or SWT_ECORRUPT. */
int swt_procfs_parse_statm_rss(uint64_t *out_pages, const char *buf,
			       size_t len);

/* The unsigned number after `key` ("Tgid:") at the start of a line of a
 * "Key:\tvalue" text such as /proc/PID/status. 0 or SWT_ECORRUPT. */
int swt_procfs_find_u64(uint64_t *out, const char *buf, size_t len,
			const char *key);

/* A decimal pid of a /proc directory entry name ("123"); 0 if the name is
 * not a pid ("self", "sys", "0123" are not). */
int32_t swt_procfs_name_pid(const char *name);

#endif
