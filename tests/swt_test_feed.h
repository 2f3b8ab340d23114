/* swt_test_feed.h — records fed to the analysis engine, built the same way
 * in every unit test of it (test_engine, test_fleet, test_usage). A
 * process's start_ticks is pid * 10, so that its start and exit match. */
#ifndef SWT_TEST_FEED_H
#define SWT_TEST_FEED_H

#include <string.h>

#include "swt_engine.h"
#include "swt_test.h"

static inline void feed_proc_start(struct swt_engine *e, int64_t t,
				   int32_t pid, int32_t ppid,
				   const char *comm, const char *exe,
				   const char *argv, size_t len,
				   bool preexisting)
{
	struct swt_record r;

	memset(&r, 0, sizeof(r));
	r.kind = SWT_REC_PROC_START;
	r.t_ns = t;
	r.u.proc_start.pid = pid;
	r.u.proc_start.ppid = ppid;
	r.u.proc_start.start_ticks = (uint64_t)pid * 10;
	r.u.proc_start.comm = comm;
	r.u.proc_start.cmdline = argv;
	r.u.proc_start.cmdline_len = len;
	r.u.proc_start.exe = exe;
	r.u.proc_start.preexisting = preexisting;
	assert_ok(swt_engine_feed(e, &r));
}

/* A child of ppid whose command line is its name. */
static inline void feed_child(struct swt_engine *e, int64_t t, int32_t pid,
			      int32_t ppid, const char *comm)
{
	feed_proc_start(e, t, pid, ppid, comm, NULL, comm, strlen(comm) + 1,
			false);
}

/* The exit of pid at t, nothing known of its end yet (the caller adds
 * what it was told). */
static inline struct swt_record proc_exit_rec(int64_t t, int32_t pid)
{
	struct swt_record r;

	memset(&r, 0, sizeof(r));
	r.kind = SWT_REC_PROC_EXIT;
	r.t_ns = t;
	r.u.proc_exit.pid = pid;
	r.u.proc_exit.start_ticks = (uint64_t)pid * 10;
	return r;
}

/* An exit; with final, the last counters read from the zombie (ticks of
 * its own, cticks of the children it reaped). */
static inline void feed_proc_exit(struct swt_engine *e, int64_t t,
				  int32_t pid, bool final, int64_t ticks,
				  int64_t cticks)
{
	struct swt_record r = proc_exit_rec(t, pid);

	r.u.proc_exit.has_final = final;
	r.u.proc_exit.utime = ticks;
	r.u.proc_exit.cutime = cticks;
	assert_ok(swt_engine_feed(e, &r));
}

/* A sample record taken on time at t (the caller may set more). */
static inline struct swt_record sample_rec(int64_t t,
					   const struct swt_proc_row *procs,
					   size_t n,
					   const struct swt_thread_row *threads,
					   size_t nt)
{
	struct swt_record r;

	memset(&r, 0, sizeof(r));
	r.kind = SWT_REC_SAMPLE;
	r.t_ns = t;
	r.u.sample.scheduled_ns = t;
	r.u.sample.n_procs = n;
	r.u.sample.procs = procs;
	r.u.sample.n_threads = nt;
	r.u.sample.threads = threads;
	return r;
}

/* A sample taken on time at t; the engine's status (a sample it refuses:
 * tests of damage). */
static inline int try_feed_sample(struct swt_engine *e, int64_t t,
				  const struct swt_proc_row *procs, size_t n,
				  const struct swt_thread_row *threads,
				  size_t nt)
{
	struct swt_record r = sample_rec(t, procs, n, threads, nt);

	return swt_engine_feed(e, &r);
}

static inline void feed_sample(struct swt_engine *e, int64_t t,
			       const struct swt_proc_row *procs, size_t n,
			       const struct swt_thread_row *threads,
			       size_t nt)
{
	assert_ok(try_feed_sample(e, t, procs, n, threads, nt));
}

/* One process row: pid, cumulative CPU ticks, RSS in KiB. */
static inline struct swt_proc_row prow(int32_t pid, int64_t ticks,
				       int64_t rss)
{
	struct swt_proc_row p;

	memset(&p, 0, sizeof(p));
	p.pid = pid;
	p.utime = ticks;
	p.rss_kib = rss;
	p.nthreads = 1;
	return p;
}

#endif
