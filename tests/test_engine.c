/* test_engine.c — the analysis engine on records built in memory, each
 * scenario with an answer known exactly (docs/analysis.md has the
 * formulas these numbers come from). */
#include "swt_test.h"
#include "swt_test_feed.h"

#include <malloc.h>

#include "swt_analysis.h"
#include "swt_checked.h"
#include "swt_engine.h"
#include "swt_reader.h"
#include "swt_report.h"
#include "swt_status.h"
#include "swt_thresholds.h"

#define S INT64_C(1000000000)
#define T0 (100 * S)
#define MIN (60 * S)

/* ---- record builders ----------------------------------------------------- */

/* mode: the header's (0: none said, as the tests' sessions mostly) */
static int feed_header_mode(struct swt_engine *e, int64_t interval,
			    bool threads, enum swt_mode mode)
{
	static const char *const cmd[] = { "app", "--run" };
	struct swt_record r;

	memset(&r, 0, sizeof(r));
	r.kind = SWT_REC_HEADER;
	r.u.header.recorder = "test";
	r.u.header.clock_ticks = 100;
	r.u.header.page_size = 4096;
	r.u.header.cpu_count = 4;
	r.u.header.interval_ns = interval;
	r.u.header.start_mono_ns = T0;
	r.u.header.n_command = 2;
	r.u.header.command = cmd;
	r.u.header.threads = threads;
	r.u.header.mode = mode;
	return swt_engine_feed(e, &r);
}

static int feed_header(struct swt_engine *e, int64_t interval,
		       bool threads)
{
	return feed_header_mode(e, interval, threads, (enum swt_mode)0);
}

/* A ProcStart of pid (start time pid x 10) with its parent, program and
 * argv of len bytes. */
static void feed_start(struct swt_engine *e, int64_t t, int32_t pid,
		       const char *comm, const char *cmdline,
		       bool preexisting)
{
	feed_proc_start(e, t, pid, 1, comm, NULL, cmdline,
			strlen(cmdline) + 1, preexisting);
}

/* A ProcStart with a program path and a real argv: args are separated by
 * '|' here and by NUL in the record. */
static void feed_start_exe(struct swt_engine *e, int64_t t, int32_t pid,
			   const char *comm, const char *exe,
			   const char *args)
{
	char argv[256];
	size_t i, n = strlen(args);

	assert_true(n < sizeof(argv));
	for (i = 0; i <= n; i++)
		argv[i] = args[i] == '|' ? '\0' : args[i];
	feed_proc_start(e, t, pid, 1, comm, exe, argv, n + 1, false);
}

static void feed_exit(struct swt_engine *e, int64_t t, int32_t pid)
{
	feed_proc_exit(e, t, pid, false, 0, 0);
}

static void feed_event(struct swt_engine *e, int32_t pid, int32_t tid,
		       int64_t t, enum swt_event_kind kind, const char *name,
		       int64_t value)
{
	struct swt_event ev = { t, kind, tid, name, value };
	struct swt_record r;

	memset(&r, 0, sizeof(r));
	r.kind = SWT_REC_EVENTS;
	r.t_ns = t;
	r.u.events.pid = pid;
	r.u.events.n = 1;
	r.u.events.events = &ev;
	assert_ok(swt_engine_feed(e, &r));
}

static void feed_end(struct swt_engine *e, int64_t t)
{
	struct swt_record r;

	memset(&r, 0, sizeof(r));
	r.kind = SWT_REC_END;
	r.t_ns = t;
	assert_ok(swt_engine_feed(e, &r));
}

static const struct swt_module_result *
find_module(const struct swt_result *res, enum swt_module_kind kind,
	    const char *name)
{
	size_t i;

	for (i = 0; i < res->n_modules; i++)
		if (res->modules[i].subj.kind == kind &&
		    strcmp(res->modules[i].subj.name, name) == 0)
			return &res->modules[i];
	print_error("no %s module '%s'\n", swt_kind_name(kind), name);
	fail();
	return NULL;
}

static struct swt_engine *new_engine(const struct swt_thresholds *th)
{
	struct swt_engine_opts o;
	struct swt_engine *e;

	memset(&o, 0, sizeof(o));
	o.thresholds = th;
	swt_engine_new(&e, &o);
	return e;
}

/* ---- CPU, memory, identities --------------------------------------------- */

/* 50 ticks per second at 100 ticks/s: 50 % of one core. */
static void cpu_is_percent_of_one_core(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	const struct swt_module_result *m;
	struct swt_proc_row p;
	int i;

	(void)state;
	assert_ok(feed_header(e, S, false));
	feed_start(e, T0, 10, "busy", "busy", false);
	for (i = 1; i <= 10; i++) {
		p = prow(10, 50 * i, 2048);
		feed_sample(e, T0 + i * S, &p, 1, NULL, 0);
	}
	feed_end(e, T0 + 10 * S);
	assert_ok(swt_engine_finish(e, &res));
	m = find_module(res, SWT_KIND_PROCESS, "busy");
	assert_int_equal(m->cpu_avg_mpct, 50000);
	assert_int_equal(m->cpu_peak_mpct, 50000);
	assert_int_equal(m->mem_avg_mmb, 2000);
	assert_int_equal(m->mem_peak_mmb, 2000);
	assert_int_equal(m->instances, 1);
	assert_int_equal(res->session.cpu_avg_mpct, 50000);
	assert_int_equal(res->session.duration_ns, 10 * S);
	assert_int_equal(res->session.samples, 10);
	swt_engine_free(e);
}

/* Two busy cores read 200 %, as top and pidstat show it. */
static void two_busy_cores_read_200_percent(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	struct swt_proc_row p;
	int i;

	(void)state;
	assert_ok(feed_header(e, S, false));
	feed_start(e, T0, 10, "par", "par -j2", false);
	for (i = 1; i <= 5; i++) {
		p = prow(10, 200 * i, 1024);
		feed_sample(e, T0 + i * S, &p, 1, NULL, 0);
	}
	assert_ok(swt_engine_finish(e, &res));
	assert_int_equal(find_module(res, SWT_KIND_PROCESS, "par")
				 ->cpu_avg_mpct,
			 200000);
	swt_engine_free(e);
}

/* Memory: average over the samples the process was present in, peak. */
static void memory_average_and_peak(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	const struct swt_module_result *m;
	struct swt_proc_row p;
	static const int64_t rss[] = { 1024, 2048, 3072, 2048 };
	int i;

	(void)state;
	assert_ok(feed_header(e, S, false));
	feed_start(e, T0, 10, "mem", "mem", false);
	for (i = 0; i < 4; i++) {
		p = prow(10, 0, rss[i]);
		feed_sample(e, T0 + (i + 1) * S, &p, 1, NULL, 0);
	}
	assert_ok(swt_engine_finish(e, &res));
	m = find_module(res, SWT_KIND_PROCESS, "mem");
	assert_int_equal(m->mem_avg_mmb, 2000);
	assert_int_equal(m->mem_peak_mmb, 3000);
	assert_int_equal(res->session.mem_end_mmb, 2000);
	assert_int_equal(res->session.mem_peak_mmb, 3000);
	swt_engine_free(e);

	/* the process exits; the last sample (swrec's last look in launch
	 * mode) has no row: the memory at the end is the last live one */
	e = new_engine(NULL);
	assert_ok(feed_header(e, S, false));
	feed_start(e, T0, 10, "mem", "mem", false);
	for (i = 0; i < 4; i++) {
		p = prow(10, 0, rss[i]);
		feed_sample(e, T0 + (i + 1) * S, &p, 1, NULL, 0);
	}
	feed_exit(e, T0 + 5 * S, 10);
	feed_sample(e, T0 + 5 * S, NULL, 0, NULL, 0);
	assert_ok(swt_engine_finish(e, &res));
	assert_int_equal(res->session.mem_end_mmb, 2000);
	swt_engine_free(e);
}

/* The sample after the launched command exited (swrec's last look, no
 * rows) is no memory observation of the tree: 8 samples at 100 MB average
 * 100 MB, not 800 / 9 = 88.9 MB, and the series does not fall to 0 at the
 * end (no decreasing trend, no spike baseline pulled down). */
static void empty_last_sample_is_no_memory_observation(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	struct swt_proc_row p;
	int i;

	(void)state;
	assert_ok(feed_header(e, S, false));
	feed_start(e, T0, 10, "app", "app", false);
	for (i = 1; i <= 8; i++) {
		p = prow(10, 10 * i, 100 * 1024);
		p.vsz_kib = 200 * 1024;
		feed_sample(e, T0 + i * S, &p, 1, NULL, 0);
	}
	feed_exit(e, T0 + 8 * S + S / 2, 10);
	feed_sample(e, T0 + 8 * S + S / 2, NULL, 0, NULL, 0);
	feed_end(e, T0 + 8 * S + S / 2);
	assert_ok(swt_engine_finish(e, &res));
	assert_int_equal(res->session.samples, 9);
	assert_int_equal(res->session.mem_avg_mmb, 100000);
	assert_int_equal(res->session.mem_peak_mmb, 100000);
	assert_int_equal(res->session.mem_end_mmb, 100000);
	assert_int_equal(res->trend.memory, SWT_DIR_STABLE);
	assert_int_equal(res->trend.memory_slope_mmb_per_min, 0);
	swt_engine_free(e);
}

/* Processes with the same comm and command line are one module: CPU and
 * RSS add up, instances count the pids; another command line is another
 * module. The same pid reused by another program is not merged. */
static void processes_aggregate_by_identity(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	const struct swt_module_result *m;
	struct swt_proc_row p[3];
	size_t i, n;
	int k;

	(void)state;
	assert_ok(feed_header(e, S, false));
	feed_start(e, T0, 10, "worker", "worker --pool", false);
	feed_start(e, T0, 11, "worker", "worker --pool", false);
	feed_start(e, T0, 12, "worker", "worker --other", false);
	for (k = 1; k <= 4; k++) {
		p[0] = prow(10, 30 * k, 1024);
		p[1] = prow(11, 20 * k, 1024);
		p[2] = prow(12, 10 * k, 512);
		feed_sample(e, T0 + k * S, p, 3, NULL, 0);
	}
	assert_ok(swt_engine_finish(e, &res));
	for (i = 0, n = 0; i < res->n_modules; i++)
		n += res->modules[i].subj.kind == SWT_KIND_PROCESS;
	assert_int_equal(n, 2);
	m = &res->modules[0];	/* the heavier one sorts first */
	assert_string_equal(m->subj.command, "worker --pool");
	assert_int_equal(m->instances, 2);
	assert_int_equal(m->cpu_avg_mpct, 50000);
	assert_int_equal(m->mem_avg_mmb, 2000);
	assert_string_equal(res->modules[1].subj.command, "worker --other");
	assert_int_equal(res->modules[1].cpu_avg_mpct, 10000);
	assert_int_equal(res->session.processes, 3);
	swt_engine_free(e);
}

/* A build's compilers: one cc1 per source file, run one after the other,
 * each for one sample. Returns the result of the session under th. */
static const struct swt_result *compile_session(struct swt_engine *e)
{
	static const char *const src[] = { "a.c", "b.c", "c.c", "d.c" };
	const struct swt_result *res;
	struct swt_proc_row p[2];
	char args[64];
	int k;

	assert_ok(feed_header(e, S, false));
	feed_start_exe(e, T0, 5, "ninja", "/usr/bin/ninja", "ninja|-C|b");
	for (k = 0; k < 4; k++) {
		snprintf(args, sizeof(args), "/usr/lib/gcc/cc1|-quiet|%s",
			 src[k]);
		/* the last one was read inside its exec: no program */
		feed_start_exe(e, T0 + k * S, 20 + k, "cc1",
			       k == 3 ? "" : k == 2 ?
			       "/usr/lib/gcc/cc1 (deleted)" :
			       "/usr/lib/gcc/cc1", args);
		p[0] = prow(5, k + 1, 4096);
		/* d.c costs 40 ticks, the others 10 * (k + 1) */
		p[1] = prow(20 + k, k == 3 ? 40 : 10 * (k + 1), 20480);
		feed_sample(e, T0 + (k + 1) * S, p, 2, NULL, 0);
		feed_exit(e, T0 + (k + 1) * S + 1, 20 + k);
	}
	/* another program of the same comm is another module */
	feed_start_exe(e, T0 + 4 * S, 30, "cc1", "/opt/gcc-13/cc1",
		       "/opt/gcc-13/cc1|x.c");
	p[0] = prow(5, 5, 4096);
	p[1] = prow(30, 5, 10240);
	feed_sample(e, T0 + 5 * S, p, 2, NULL, 0);
	assert_ok(swt_engine_finish(e, &res));
	return res;
}

static size_t count_kind(const struct swt_result *res,
			 enum swt_module_kind kind, const char *name)
{
	size_t i, n = 0;

	for (i = 0; i < res->n_modules; i++)
		n += res->modules[i].subj.kind == kind &&
		     strcmp(res->modules[i].subj.name, name) == 0;
	return n;
}

static void processes_group_by_program(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res = compile_session(e);
	const struct swt_module_result *m;

	(void)state;
	assert_int_equal(count_kind(res, SWT_KIND_PROCESS, "cc1"), 2);
	m = &res->modules[0];
	assert_string_equal(m->subj.name, "cc1");
	assert_int_equal(m->instances, 4);
	assert_int_equal(m->calls, 0);	/* four files: no restart */
	assert_string_equal(m->subj.command,
			    "/usr/lib/gcc/cc1 (command lines vary)");
	assert_int_equal(m->n_variants, 4);
	assert_int_equal(m->n_top_variants, 3);
	/* CPU desc: d.c 400 ms, c.c 300 ms, then b.c 200 ms */
	assert_string_equal(m->top_variants[0].command,
			    "/usr/lib/gcc/cc1 -quiet d.c");
	assert_int_equal(m->top_variants[0].cpu_ms, 400);
	assert_int_equal(m->top_variants[0].processes, 1);
	assert_string_equal(m->top_variants[1].command,
			    "/usr/lib/gcc/cc1 -quiet c.c");
	assert_int_equal(m->top_variants[1].cpu_ms, 300);
	assert_string_equal(m->top_variants[2].command,
			    "/usr/lib/gcc/cc1 -quiet b.c");
	/* 100 ticks over the 4 s some cc1 ran: 25 % of a core */
	assert_int_equal(m->cpu_avg_mpct, 25000);
	assert_int_equal(m->cpu_ms, 1000);
	/* one at a time: the largest one of them had 20 MB */
	assert_true(m->has_proc_peak);
	assert_int_equal(m->proc_peak_mmb, 20000);
	/* of the tree's 100 + 5 (the other cc1) + 5 (ninja) ticks */
	assert_int_equal(res->session.cpu_ms, 1100);
	assert_int_equal(m->cpu_share_mpct, 90909);
	/* the other program, alone: its own command line (weights: cc1,
	 * this cc1, ninja) */
	m = &res->modules[1];
	assert_string_equal(m->subj.name, "cc1");
	assert_string_equal(m->subj.command, "/opt/gcc-13/cc1 x.c");
	assert_int_equal(m->n_variants, 1);
	swt_engine_free(e);
}

static void processes_group_by_comm_or_cmdline(void **state)
{
	struct swt_thresholds th;
	struct swt_engine *e;
	const struct swt_result *res;
	char msg[128];

	(void)state;
	swt_thresholds_init(&th);
	assert_ok(swt_thresholds_set(&th, "group_by", "comm", SWT_TH_OPTION,
				     msg, sizeof(msg)));
	e = new_engine(&th);
	res = compile_session(e);
	assert_int_equal(count_kind(res, SWT_KIND_PROCESS, "cc1"), 1);
	assert_int_equal(res->modules[0].instances, 5);
	assert_int_equal(res->modules[0].n_variants, 5);
	swt_engine_free(e);
	assert_ok(swt_thresholds_set(&th, "group_by", "cmdline",
				     SWT_TH_OPTION, msg, sizeof(msg)));
	e = new_engine(&th);
	res = compile_session(e);
	assert_int_equal(count_kind(res, SWT_KIND_PROCESS, "cc1"), 5);
	assert_string_equal(res->modules[0].subj.command,
			    "/usr/lib/gcc/cc1 -quiet d.c");
	assert_int_equal(res->modules[0].n_variants, 1);
	swt_engine_free(e);
	swt_thresholds_fini(&th);
}

/* group_patterns: the first matching rule names the module, whatever the
 * program; what no rule matches is grouped by group_by. */
static void group_patterns_name_modules(void **state)
{
	struct swt_thresholds th;
	struct swt_engine *e;
	const struct swt_result *res;
	const struct swt_module_result *m;
	struct swt_proc_row p[3];
	char msg[128];
	int k;

	(void)state;
	swt_thresholds_init(&th);
	assert_ok(swt_thresholds_set(&th, "group_patterns",
				     "bot:python3 *bot.py*, "
				     "early:*c.c,late:*.c", SWT_TH_CONFIG,
				     msg, sizeof(msg)));
	e = new_engine(&th);
	assert_ok(feed_header(e, S, false));
	feed_start_exe(e, T0, 10, "python3", "/usr/bin/python3.11",
		       "python3|bot.py|--fast");
	feed_start_exe(e, T0, 11, "python3", "/usr/bin/python3.11",
		       "python3|worker.py");
	feed_start_exe(e, T0, 12, "cc1", "/usr/lib/gcc/cc1", "cc1|c.c");
	for (k = 1; k <= 2; k++) {
		p[0] = prow(10, 10 * k, 1024);
		p[1] = prow(11, 20 * k, 1024);
		p[2] = prow(12, 30 * k, 1024);
		feed_sample(e, T0 + k * S, p, 3, NULL, 0);
	}
	assert_ok(swt_engine_finish(e, &res));
	m = find_module(res, SWT_KIND_PROCESS, "bot");
	assert_string_equal(m->subj.process, "bot");
	assert_string_equal(m->subj.command, "python3 bot.py --fast");
	assert_int_equal(m->cpu_avg_mpct, 10000);
	m = find_module(res, SWT_KIND_PROCESS, "python3");
	assert_string_equal(m->subj.command, "python3 worker.py");
	m = find_module(res, SWT_KIND_PROCESS, "early");
	assert_int_equal(m->cpu_avg_mpct, 30000);
	assert_int_equal(count_kind(res, SWT_KIND_PROCESS, "late"), 0);
	swt_engine_free(e);
	swt_thresholds_fini(&th);
}

/* A process's calls are its restarts: starts of a command line its
 * module started before (a respawn loop), not the starts of a build's
 * compilers on as many files; a start whose command line is unknown
 * counts while the module knows none and the same parent started the one
 * before (it may be a loop of processes too short to read), not beside
 * known ones, nor when each has a parent of its own (a build's `rm -f`
 * steps, each run by a shell of its own, too quick to read). */
static void restarts_are_the_calls_of_a_process(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	struct swt_proc_row p[1];
	int k;

	(void)state;
	assert_ok(feed_header(e, S, false));
	for (k = 0; k < 4; k++) {
		feed_start_exe(e, T0 + k * S, 20 + k, "worker",
			       "/usr/bin/worker", "worker|--queue|a");
		p[0] = prow(20 + k, 10, 1024);
		feed_sample(e, T0 + k * S + S / 2, p, 1, NULL, 0);
		feed_exit(e, T0 + k * S + S / 2 + 1, 20 + k);
	}
	for (k = 0; k < 3; k++) {
		feed_start_exe(e, T0 + k * S, 40 + k, "cc1", "/usr/lib/cc1",
			       k == 2 ? "" : k ? "cc1|b.c" : "cc1|a.c");
		feed_exit(e, T0 + k * S + 2, 40 + k);
	}
	for (k = 0; k < 3; k++) {
		feed_start_exe(e, T0 + k * S, 60 + k, "crash", "", "");
		feed_exit(e, T0 + k * S + 2, 60 + k);
	}
	for (k = 0; k < 4; k++) {
		feed_proc_start(e, T0 + k * S, 100 + k, 90 + k, "rm", "", "",
				0, false);
		feed_exit(e, T0 + k * S + 2, 100 + k);
	}
	/* a shell and two subshells it forked (its command line) */
	feed_start_exe(e, T0, 80, "sh", "/bin/sh", "sh|-c|a | b");
	feed_proc_start(e, T0 + 1, 81, 80, "sh", "/bin/sh", "sh\0-c\0a | b",
			sizeof("sh\0-c\0a | b"), false);
	feed_proc_start(e, T0 + 2, 82, 80, "sh", "/bin/sh", "sh\0-c\0a | b",
			sizeof("sh\0-c\0a | b"), false);
	assert_ok(swt_engine_finish(e, &res));
	/* the same command four times: three restarts */
	assert_int_equal(find_module(res, SWT_KIND_PROCESS, "worker")->calls,
			 3);
	/* two files, then one unknown: no restart */
	assert_int_equal(find_module(res, SWT_KIND_PROCESS, "cc1")->calls, 0);
	/* never a command line: each start after the first may be one */
	assert_int_equal(find_module(res, SWT_KIND_PROCESS, "crash")->calls,
			 2);
	/* its own forks: no restart */
	assert_int_equal(find_module(res, SWT_KIND_PROCESS, "sh")->calls, 0);
	/* unknown, but each from a parent of its own: no restart */
	assert_int_equal(find_module(res, SWT_KIND_PROCESS, "rm")->calls, 0);
	swt_engine_free(e);
}

/* Restarts per minute are over at least 10 s, the window a counter's
 * rate alert needs: `true` run twice in a session of a second (59
 * restarts a minute) was scored "medium" and told to start less often;
 * now 6 a minute. A loop of 200 in 1.6 s, and one of 12 in 12 s, still
 * are (7 462 and 55 a minute). Starts per minute the same (one `sort` in
 * 2.5 s read 24 a minute). */
static void restarts_of_a_short_session_are_over_10_s(void **state)
{
	const int64_t len[3] = { S, 16 * S / 10, 12 * S };
	const int count[3] = { 2, 200, 12 };
	const int64_t per_min[3] = { 6000, 1194000, 55000 };
	const int64_t starts_min[3] = { 12000, 1200000, 60000 };
	int j, k;

	(void)state;
	for (j = 0; j < 3; j++) {
		struct swt_engine *e = new_engine(NULL);
		const struct swt_result *res;
		const struct swt_module_result *m;
		int n = count[j];

		assert_ok(feed_header(e, S, false));
		for (k = 0; k < n; k++) {
			feed_start_exe(e, T0 + k * len[j] / n, 20 + k, "true",
				       "/bin/true", "true");
			feed_exit(e, T0 + k * len[j] / n + 1, 20 + k);
		}
		feed_sample(e, T0 + len[j], NULL, 0, NULL, 0);
		feed_end(e, T0 + len[j]);
		assert_ok(swt_engine_finish(e, &res));
		m = find_module(res, SWT_KIND_PROCESS, "true");
		assert_int_equal(m->calls, n - 1);
		assert_int_equal(m->calls_per_min_milli, per_min[j]);
		assert_int_equal(m->starts, n);
		assert_int_equal(m->starts_per_min_milli, starts_min[j]);
		assert_int_equal(res->n_recommendations, j ? 1 : 0);
		swt_engine_free(e);
	}
}

/* A parent's ProcStart after its children's: swrec writes the records of
 * processes that lived and died within an interval before the start of a
 * parent born in it. Forks of the parent's own program are no restarts
 * once its start comes (a test binary's thousand forks read 2 352
 * restarts a minute); the same forks of a parent never known stay
 * restarts, as before. */
static void forks_before_their_parents_start_are_no_restarts(void **state)
{
	/* forks first, then their parent or not; starts, restarts */
	static const struct {
		int forks;
		bool parent;
		int64_t starts, calls;
	} c[] = { { 5, true, 6, 0 }, { 5, false, 5, 4 }, { 1, true, 2, 0 } };
	size_t j;
	int k;

	(void)state;
	for (j = 0; j < sizeof(c) / sizeof(c[0]); j++) {
		struct swt_engine *e = new_engine(NULL);
		const struct swt_result *res;
		const struct swt_module_result *m;
		struct swt_proc_row p = prow(10, 5, 1024);

		assert_ok(feed_header(e, S, false));
		for (k = 0; k < c[j].forks; k++) {
			feed_child(e, T0 + S / 2, 20 + k, 10, "tbin");
			feed_exit(e, T0 + S / 2, 20 + k);
		}
		if (c[j].parent)
			feed_child(e, T0 + S / 2, 10, 1, "tbin");
		feed_sample(e, T0 + S, c[j].parent ? &p : NULL, c[j].parent,
			    NULL, 0);
		feed_end(e, T0 + S);
		assert_ok(swt_engine_finish(e, &res));
		m = find_module(res, SWT_KIND_PROCESS, "tbin");
		assert_int_equal(m->starts, c[j].starts);
		assert_int_equal(m->calls, c[j].calls);
		swt_engine_free(e);
	}
}

/* A sample with the machine's memory (MemTotal, MemAvailable KiB). */
static void feed_sample_mem(struct swt_engine *e, int64_t t,
			    const struct swt_proc_row *procs, size_t n,
			    uint64_t total, uint64_t avail)
{
	struct swt_record r = sample_rec(t, procs, n, NULL, 0);

	r.u.sample.mem_total_kib = total;
	r.u.sample.mem_available_kib = avail;
	assert_ok(swt_engine_feed(e, &r));
}

/* Forks of one program summed 7 GB of RSS on a machine with 756 MB in
 * use (a test suite): a process module whose summed RSS goes above the
 * machine's memory in use (MemTotal - MemAvailable) is told, at the sample
 * where it went furthest above; one process alone below it, and samples
 * without the machine's memory, are not. */
static void summed_rss_above_memory_in_use_is_told(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	const struct swt_module_result *m;
	struct swt_proc_row p[4];
	const uint64_t total = 4096 * 1024;

	(void)state;
	assert_ok(feed_header(e, S, false));
	feed_child(e, T0, 10, 1, "suite");
	feed_child(e, T0, 11, 10, "worker");
	feed_child(e, T0, 12, 10, "worker");
	feed_child(e, T0, 13, 10, "worker");
	p[0] = prow(10, 0, 100 * 1024);
	p[1] = prow(11, 0, 300 * 1024);
	p[2] = prow(12, 0, 300 * 1024);
	p[3] = prow(13, 0, 300 * 1024);
	/* 900 MB of workers, 512 MB in use */
	feed_sample_mem(e, T0 + S, p, 4, total, total - 512 * 1024);
	/* 800 MB in use: below */
	feed_sample_mem(e, T0 + 2 * S, p, 4, total, total - 800 * 1024);
	/* furthest above: 900 against 256 */
	feed_sample_mem(e, T0 + 3 * S, p, 4, total, total - 256 * 1024);
	/* the machine's memory not recorded */
	p[1].rss_kib = p[2].rss_kib = p[3].rss_kib = 3000 * 1024;
	feed_sample_mem(e, T0 + 4 * S, p, 4, 0, 0);
	feed_end(e, T0 + 4 * S);
	assert_ok(swt_engine_finish(e, &res));
	m = find_module(res, SWT_KIND_PROCESS, "worker");
	assert_true(m->has_mem_over);
	assert_int_equal(m->mem_over_mmb, 900000);
	assert_int_equal(m->mem_over_in_use_mmb, 256000);
	assert_int_equal(m->mem_over_at_ns, 3 * S);
	m = find_module(res, SWT_KIND_PROCESS, "suite");
	assert_false(m->has_mem_over);
	/* the tree: 1 000 MB against 256 */
	assert_true(res->session.has_mem_over);
	assert_int_equal(res->session.mem_over_mmb, 1000000);
	assert_int_equal(res->session.mem_over_in_use_mmb, 256000);
	assert_int_equal(res->session.mem_over_at_ns, 3 * S);
	swt_engine_free(e);
}

/* ---- reaped children (cutime, cstime) ----------------------------------- */

/* An exit with the last counters read from the zombie (ticks, cticks). */
static void feed_exit_final(struct swt_engine *e, int64_t t, int32_t pid,
			    int64_t ticks, int64_t cticks)
{
	feed_proc_exit(e, t, pid, true, ticks, cticks);
}

static struct swt_proc_row crow(int32_t pid, int64_t ticks, int64_t cticks)
{
	struct swt_proc_row p = prow(pid, ticks, 1024);

	p.cutime = cticks;
	return p;
}

/* A child sampled once, then gone: its parent's cutime takes its whole
 * CPU, of which the rows saw 30 ticks; the other 20 (its tail) and a
 * child never sampled (40) are the parent's reaped children. */
static void reaped_children_count_once(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	const struct swt_module_result *m;
	struct swt_proc_row p[2];

	(void)state;
	assert_ok(feed_header(e, S, false));
	feed_child(e, T0, 10, 1, "make");
	feed_child(e, T0, 11, 10, "cc1");
	p[0] = crow(10, 0, 0);
	p[1] = crow(11, 30, 0);
	feed_sample(e, T0 + S, p, 2, NULL, 0);
	feed_exit(e, T0 + 2 * S - 1, 11);
	p[0] = crow(10, 1, 50);
	feed_sample(e, T0 + 2 * S, p, 1, NULL, 0);
	p[0] = crow(10, 1, 90);	/* one that lived between samples */
	feed_sample(e, T0 + 3 * S, p, 1, NULL, 0);
	assert_ok(swt_engine_finish(e, &res));
	m = find_module(res, SWT_KIND_PROCESS, "make (reaped children)");
	assert_false(m->has_memory);
	assert_int_equal(m->instances, 1);
	/* 20 + 40 ticks over the 2 s it reaped in: 30 % */
	assert_int_equal(m->cpu_avg_mpct, 30000);
	assert_int_equal(m->cpu_peak_mpct, 40000);
	assert_int_equal(res->session.reaped_ms, 600);
	assert_int_equal(res->session.cpu_ms, (1 + 30 + 20 + 40) * 10);
	swt_engine_free(e);
}

/* What on_usage told (docs/analysis.md § 14, "Per interval"). */
struct usage_log {
	int64_t ses_micro;	/* the tree's CPU told, micro-ticks */
	int n_ses;
	int64_t last_to;	/* the tree's last interval's end */
	int64_t reaped_micro;	/* "make (reaped children)" */
	int n_mem;
	int64_t ses_mem_kib;	/* the tree's last memory */
	int n_revised;
	bool ordered;		/* the tree's intervals follow each other */
};

static void log_usage(const struct swt_usage_point *p, void *payload)
{
	struct usage_log *l = payload;

	if (p->revised)
		l->n_revised++;
	if (!p->has_cpu) {
		l->n_mem++;
		assert_int_equal(p->t_from_ns, p->t_to_ns);
		if (p->id == 0)
			l->ses_mem_kib = p->mem_kib;
		return;
	}
	assert_true(p->t_from_ns < p->t_to_ns);
	if (p->id == 0) {
		assert_int_equal(p->subj->kind, SWT_KIND_SESSION);
		if (l->n_ses && p->t_from_ns < l->last_to)
			l->ordered = false;
		l->ses_micro += p->cpu_micro_ticks;
		l->last_to = p->t_to_ns;
		l->n_ses++;
	} else if (strcmp(p->subj->name, "make (reaped children)") == 0) {
		assert_true(p->reaped);
		l->reaped_micro += p->cpu_micro_ticks;
	}
}

/* The tree's intervals told to on_usage add up to its CPU: rows, an
 * exit's last counters in the next interval and in a short one (late),
 * children reaped unseen; the result is the same without the callback. */
static void usage_points_add_up_to_the_tree_cpu(void **state)
{
	struct usage_log l = { .ordered = true };
	const struct swt_result *res, *res0;
	struct swt_engine *e, *e0;
	struct swt_engine_opts o;
	struct swt_proc_row p[2];
	int k;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.on_usage = log_usage;
	o.payload = &l;
	swt_engine_new(&e, &o);
	e0 = new_engine(NULL);
	for (k = 0; k < 2; k++) {
		struct swt_engine *x = k ? e0 : e;

		assert_ok(feed_header(x, S, false));
		feed_child(x, T0, 10, 1, "make");
		feed_child(x, T0, 11, 10, "cc1");
		p[0] = crow(10, 0, 0);
		p[1] = crow(11, 30, 0);
		feed_sample(x, T0 + S, p, 2, NULL, 0);
		feed_exit_final(x, T0 + 2 * S - 1, 11, 50, 0);
		p[0] = crow(10, 1, 50);
		feed_sample(x, T0 + 2 * S, p, 1, NULL, 0);
		/* born and gone in a short interval: late, to the last one */
		feed_child(x, T0 + 2 * S + 50000000, 12, 10, "cc1");
		feed_exit_final(x, T0 + 2 * S + 100000000, 12, 40, 0);
		feed_sample(x, T0 + 2 * S + 200000000, p, 1, NULL, 0);
		p[0] = crow(10, 2, 190);  /* 100 more unseen */
		feed_sample(x, T0 + 3 * S, p, 1, NULL, 0);
		feed_exit_final(x, T0 + 3 * S + 1, 10, 3, 190);
	}
	assert_ok(swt_engine_finish(e, &res));
	assert_ok(swt_engine_finish(e0, &res0));
	/* micro-ticks at 100 ticks/s: 1e5 a ms */
	assert_int_equal(swt_div_round(l.ses_micro, 100000),
			 res->session.cpu_ms);
	assert_int_equal(res->session.cpu_ms, res0->session.cpu_ms);
	assert_int_equal(res->session.cpu_peak_mpct,
			 res0->session.cpu_peak_mpct);
	assert_int_equal(swt_div_round(l.reaped_micro, 100000),
			 find_module(res, SWT_KIND_PROCESS,
				     "make (reaped children)")->cpu_ms);
	assert_true(l.ordered);
	assert_int_equal(l.n_ses, 3);
	assert_int_equal(l.last_to, 3 * S);
	assert_int_equal(l.n_revised, 0);
	assert_true(l.n_mem > 0);
	assert_int_equal(l.ses_mem_kib, 1024);
	swt_engine_free(e);
	swt_engine_free(e0);
}

struct revised_log {
	int n_revised;
	int64_t micro, t_to;	/* the revised point of "a" */
};

static void log_revised(const struct swt_usage_point *p, void *payload)
{
	struct revised_log *l = payload;

	if (p->revised && p->has_cpu && strcmp(p->subj->name, "a") == 0) {
		l->n_revised++;
		l->micro = p->cpu_micro_ticks;
		l->t_to = p->t_to_ns;
	}
}

/* A module without an interval in the next sample is told at the tree's
 * next interval; an exit of one of its processes during a later short
 * interval adds to that interval (late): it is told again, revised. */
static void usage_point_revised_by_a_late_exit(void **state)
{
	struct revised_log l = { 0, 0, 0 };
	const struct swt_result *res;
	struct swt_engine_opts o;
	struct swt_engine *e;
	struct swt_proc_row p[2];

	(void)state;
	memset(&o, 0, sizeof(o));
	o.on_usage = log_revised;
	o.payload = &l;
	swt_engine_new(&e, &o);
	assert_ok(feed_header(e, S, false));
	feed_child(e, T0, 10, 1, "make");
	feed_child(e, T0, 11, 10, "a");
	p[0] = crow(10, 0, 0);
	p[1] = crow(11, 10, 0);
	feed_sample(e, T0 + S, p, 2, NULL, 0);
	feed_exit(e, T0 + S + 1, 11);
	p[0] = crow(10, 5, 0);
	feed_sample(e, T0 + 2 * S, p, 1, NULL, 0);
	assert_int_equal(l.n_revised, 0);
	feed_child(e, T0 + 2 * S + 50000000, 12, 10, "a");
	feed_exit_final(e, T0 + 2 * S + 100000000, 12, 20, 0);
	feed_sample(e, T0 + 2 * S + 200000000, p, 1, NULL, 0);
	assert_int_equal(l.n_revised, 1);
	assert_int_equal(l.t_to, S);
	assert_int_equal(l.micro, INT64_C(30) * 1000000);
	assert_ok(swt_engine_finish(e, &res));
	assert_int_equal(find_module(res, SWT_KIND_PROCESS, "a")->cpu_ms, 300);
	swt_engine_free(e);
}

struct tree_points {
	int64_t from[8], to[8], mpct[8];	/* the tree's, by interval */
	int n;
};

static void log_tree_points(const struct swt_usage_point *p, void *payload)
{
	struct tree_points *l = payload;
	int i;

	if (p->id != 0 || !p->has_cpu)
		return;
	for (i = 0; i < l->n && l->from[i] != p->t_from_ns; i++)
		;
	if (i == l->n) {
		assert_true(l->n < 8);
		l->n++;
	}
	l->from[i] = p->t_from_ns;
	l->to[i] = p->t_to_ns;
	l->mpct[i] = p->cpu_mpct;
}

/* A launched command of 0.3 s at a 1 s interval: its first sample 23 ms
 * after the start and swrec's last look at 0.303 s are both short
 * intervals, baselines only, and the session had its CPU in cpu_ms and
 * 0.0 % everywhere else. The whole session is one interval: 0.29 s over
 * 0.303 s, the tree's and the process's average, peak and end, and the
 * one point over time spans it and integrates to the CPU. */
static void a_session_with_no_long_interval_is_one(void **state)
{
	struct tree_points l = { .n = 0 };
	struct swt_engine_opts o;
	struct swt_engine *e;
	const struct swt_result *res;
	const struct swt_module_result *m;
	struct swt_proc_row p;
	int64_t want, cpu_ns = 0;
	int k;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.on_usage = log_tree_points;
	o.payload = &l;
	swt_engine_new(&e, &o);
	assert_ok(feed_header_mode(e, S, false, SWT_MODE_LAUNCH));
	feed_child(e, T0, 10, 1, "dd");
	p = prow(10, 2, 1024);
	feed_sample(e, T0 + 23000000, &p, 1, NULL, 0);
	feed_exit_final(e, T0 + 300000000, 10, 29, 0);
	feed_sample(e, T0 + 303000000, NULL, 0, NULL, 0);
	assert_ok(swt_engine_finish(e, &res));
	m = find_module(res, SWT_KIND_PROCESS, "dd");
	assert_int_equal(m->cpu_ms, 290);
	assert_int_equal(res->session.cpu_ms, 290);
	/* 29 ticks over 0.303 s: 95.71 % */
	want = 95709;
	assert_true(m->cpu_avg_mpct >= want && m->cpu_avg_mpct <= want + 1);
	assert_int_equal(m->cpu_peak_mpct, m->cpu_avg_mpct);
	assert_int_equal(m->cpu_session_mpct, m->cpu_avg_mpct);
	assert_int_equal(res->session.cpu_avg_mpct, m->cpu_avg_mpct);
	assert_int_equal(res->session.cpu_peak_mpct, m->cpu_avg_mpct);
	assert_int_equal(res->session.cpu_end_mpct, m->cpu_avg_mpct);
	/* (over time, every point ends at a sample: from the start to the
	 * first sample and on to the last, at the same percentage) */
	assert_int_equal(l.n, 2);
	assert_int_equal(l.from[0], 0);
	assert_int_equal(l.to[0], 23000000);
	assert_int_equal(l.from[1], 23000000);
	assert_int_equal(l.to[1], 303000000);
	for (k = 0; k < l.n; k++) {
		assert_int_equal(l.mpct[k], m->cpu_avg_mpct);
		cpu_ns += l.mpct[k] * (l.to[k] - l.from[k]) / 100000;
	}
	assert_true(cpu_ns > 289900000 && cpu_ns < 290100000);
	swt_engine_free(e);
}

/* A launched session's first sample comes 30 ms after its start: a
 * short interval, a baseline, which the next interval reaches back over.
 * The processes that lived and exited in it (a pyenv shim's shells,
 * before its Python) are in that next interval's CPU % too, not in the
 * module's total alone: their module's average (total over observed
 * time) was above its only interval's peak, 4.9 % against 4.5 % in a
 * recorded session. Their total is unchanged. */
static void exits_before_the_first_interval_are_in_it(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	const struct swt_module_result *m;
	struct swt_proc_row p;
	int64_t at = T0 + 30000000;

	(void)state;
	assert_ok(feed_header_mode(e, S, false, SWT_MODE_LAUNCH));
	/* two shells of 20 ms that lived before the first sample */
	feed_child(e, at, 11, 1, "sh");
	feed_exit_final(e, at, 11, 2, 0);
	feed_child(e, at, 12, 1, "sh");
	feed_exit_final(e, at, 12, 2, 0);
	/* one that stays: 10 ms before the first sample, 30 ms after */
	feed_child(e, at, 10, 1, "sh");
	p = prow(10, 1, 1024);
	feed_sample(e, at, &p, 1, NULL, 0);
	p = prow(10, 4, 1024);
	feed_sample(e, at + S, &p, 1, NULL, 0);
	p = prow(10, 4, 1024);
	feed_sample(e, at + 2 * S, &p, 1, NULL, 0);
	assert_ok(swt_engine_finish(e, &res));
	m = find_module(res, SWT_KIND_PROCESS, "sh");
	assert_int_equal(m->cpu_ms, 80);
	assert_int_equal(res->session.cpu_ms, 80);
	/* 80 ms in the first interval, 1.03 s from the start: 7.767 % */
	assert_int_equal(m->cpu_peak_mpct, 7767);
	assert_true(m->cpu_avg_mpct <= m->cpu_peak_mpct);
	assert_int_equal(res->session.cpu_peak_mpct, 7767);
	assert_true(res->session.cpu_avg_mpct <= res->session.cpu_peak_mpct);
	swt_engine_free(e);
}

/* A sample less than half an interval after the one before it has no
 * CPU figure of its own: a tick's next after it came late, or swrec's
 * last look after a signal stop. The CPU the rows show in it joins each
 * module's last interval, which stands for that much longer (the process
 * was seen through it): a single thread busy throughout stays at 100 %,
 * and no tick is lost (the short interval's CPU was lost before: 3.7 s
 * of 4 s, 1.0 s of 1.1 s). (Quiet rows take the same path: the quiet
 * test's churn sessions have such intervals.) */
static void short_intervals_lose_no_cpu(void **state)
{
	/* ticks at each sample time (ms after T0) */
	static const int64_t late_t[] = { 1000, 2000, 3700, 4000, 5000 };
	static const int64_t late_ticks[] = { 0, 100, 270, 300, 400 };
	static const int64_t last_t[] = { 1000, 2000, 2100 };
	static const int64_t last_ticks[] = { 0, 100, 110 };
	const struct {
		const int64_t *t, *ticks;
		size_t n;
		int64_t cpu_ms;
	} c[2] = {
		{ late_t, late_ticks, 5, 4000 },
		{ last_t, last_ticks, 3, 1100 },
	};
	size_t k, i;

	(void)state;
	for (k = 0; k < 2; k++) {
		struct swt_engine *e = new_engine(NULL);
		const struct swt_result *res;
		const struct swt_module_result *m;
		struct swt_proc_row p;

		assert_ok(feed_header(e, S, false));
		feed_start(e, T0, 10, "busy", "busy", true);
		for (i = 0; i < c[k].n; i++) {
			p = prow(10, c[k].ticks[i], 1024);
			feed_sample(e, T0 + c[k].t[i] * 1000000, &p, 1, NULL,
				    0);
		}
		assert_ok(swt_engine_finish(e, &res));
		assert_int_equal(res->session.cpu_ms, c[k].cpu_ms);
		m = find_module(res, SWT_KIND_PROCESS, "busy");
		assert_int_equal(m->cpu_ms, c[k].cpu_ms);
		assert_int_equal(m->cpu_peak_mpct, 100000);
		assert_int_equal(m->cpu_avg_mpct, 100000);
		swt_engine_free(e);
	}
}

/* The same for thread rows: swrec's last look 0.1 s after a full
 * interval, the process's threads busy through it. Each thread module
 * has its CPU of that 0.1 s (a thread new in it, all of its ticks), and
 * the tree has it once (from the process's row, not again from its
 * threads'). Before, the thread modules lacked it: 3.0 s of the worker's
 * 3.15 s, the process 4.79 s (born at the start: counted from it). */
static void short_intervals_lose_no_thread_cpu(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	const struct swt_module_result *m, *w, *a;
	struct swt_proc_row p[2];
	struct swt_thread_row t[4];
	int k;

	(void)state;
	assert_ok(feed_header(e, S, true));
	feed_start(e, T0, 10, "app", "app", false);
	for (k = 1; k <= 3; k++) {
		t[0] = (struct swt_thread_row){ 10, 10, "app", 50 * k, 0 };
		t[1] = (struct swt_thread_row){ 11, 10, "worker", 100 * k, 0 };
		t[2] = (struct swt_thread_row){ 13, 10, "idle", 7, 0 };
		p[0] = prow(10, 150 * k + 7, 4096);
		feed_sample(e, T0 + k * S, p, 1, t, 3);
	}
	/* (and a process born in the short interval: all its ticks) */
	feed_start(e, T0 + 3 * S + S / 20, 20, "late", "late", false);
	t[0] = (struct swt_thread_row){ 10, 10, "app", 155, 0 };
	t[1] = (struct swt_thread_row){ 11, 10, "worker", 310, 0 };
	t[2] = (struct swt_thread_row){ 12, 10, "worker", 5, 0 };
	t[3] = (struct swt_thread_row){ 13, 10, "idle", 9, 0 };
	p[0] = prow(10, 479, 4096);
	p[1] = prow(20, 4, 1024);
	feed_sample(e, T0 + 3 * S + S / 10, p, 2, t, 4);
	assert_ok(swt_engine_finish(e, &res));
	m = find_module(res, SWT_KIND_PROCESS, "app");
	w = find_module(res, SWT_KIND_THREAD, "worker");
	a = find_module(res, SWT_KIND_THREAD, "app");
	assert_int_equal(find_module(res, SWT_KIND_PROCESS, "late")->cpu_ms,
			 40);
	assert_int_equal(res->session.cpu_ms, 4830);
	assert_int_equal(m->cpu_ms, 4790);
	/* (a thread quiet since its first row: its row in the short
	 * interval, taken in place, changed in its CPU alone) */
	assert_int_equal(find_module(res, SWT_KIND_THREAD, "idle")->cpu_ms,
			 90);
	assert_int_equal(w->cpu_ms, 3150);
	assert_int_equal(a->cpu_ms, 1550);
	assert_int_equal(w->instances, 2);
	/* the one thread busy throughout: a core, before and after */
	assert_int_equal(a->cpu_avg_mpct, 50000);
	assert_true(w->cpu_avg_mpct <= w->cpu_peak_mpct);
	swt_engine_free(e);
}

/* An exit with its exit record: its CPU to the µs (whole ticks as its last
 * counters) and its threads' ends (format 1.10). */
static void feed_exit_ends(struct swt_engine *e, int64_t t, int32_t pid,
			   uint64_t cpu_us, const struct swt_thread_end *ends,
			   size_t n)
{
	struct swt_record r = proc_exit_rec(t, pid);

	r.u.proc_exit.has_final = true;
	r.u.proc_exit.utime = (int64_t)(cpu_us / 10000);
	r.u.proc_exit.has_acct = true;
	r.u.proc_exit.utime_us = cpu_us;
	r.u.proc_exit.threads = ends;
	r.u.proc_exit.n_threads = n;
	assert_ok(swt_engine_feed(e, &r));
}

/* A multi-threaded process exits between two samples: its exit record
 * (format 1.10) has each thread's own CPU to the µs, and each thread's CPU
 * since its last row reaches its thread module, as the process's own
 * reaches the process module (the thread modules had only their rows: a
 * `sort --parallel=2` of 2.5 s read 73 % of its process's CPU). A thread
 * never sampled (12) stays in its process alone; an end naming a thread
 * of another process (21) counts nothing; a process whose ends add up to
 * more than its own exit brought (20) gives them at most that. */
static void a_process_end_brings_its_threads_cpu(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	struct swt_proc_row p[2];
	struct swt_thread_row t[4];
	const struct swt_thread_end ends10[] = {
		{ 10, "app", 1900000, 100000 },
		{ 11, "worker", 3000000, 500000 },
		{ 12, "late", 100000, 0 },
		{ 21, "w2", 9000000, 0 },
	};
	const struct swt_thread_end ends20[] = {
		{ 20, "capp", 1000000, 0 },
		{ 21, "w2", 1000000, 0 },
	};
	int k;

	(void)state;
	assert_ok(feed_header(e, S, true));
	feed_start(e, T0, 10, "app", "app", false);
	feed_start(e, T0, 20, "capp", "capp", false);
	for (k = 1; k <= 3; k++) {
		t[0] = (struct swt_thread_row){ 10, 10, "app", 50 * k, 0 };
		t[1] = (struct swt_thread_row){ 11, 10, "worker", 100 * k, 0 };
		t[2] = (struct swt_thread_row){ 20, 20, "capp", 0, 0 };
		t[3] = (struct swt_thread_row){ 21, 20, "w2", 50 * k - 50, 0 };
		p[0] = prow(10, 150 * k, 4096);
		p[1] = prow(20, 50 * k - 50, 4096);
		feed_sample(e, T0 + k * S, p, 2, t, 4);
	}
	/* 10: 450 ticks at its last row, 5.6 s at its end (0.5 s more on
	 * each of its two threads, 0.1 s on one never sampled) */
	feed_exit_ends(e, T0 + 3 * S + S / 2, 10, 5600000, ends10, 4);
	/* 20: 100 ticks at its last row, 1.5 s at its end, its threads'
	 * ends 1 s each (0.5 s more than its rows on each) */
	feed_exit_ends(e, T0 + 3 * S + S / 2, 20, 1500000, ends20, 2);
	feed_sample(e, T0 + 4 * S, NULL, 0, NULL, 0);
	assert_ok(swt_engine_finish(e, &res));
	assert_int_equal(find_module(res, SWT_KIND_PROCESS, "app")->cpu_ms,
			 5600);
	assert_int_equal(find_module(res, SWT_KIND_THREAD, "app")->cpu_ms,
			 2000);
	assert_int_equal(find_module(res, SWT_KIND_THREAD, "worker")->cpu_ms,
			 3500);
	for (k = 0; k < (int)res->n_modules; k++)
		assert_string_not_equal(res->modules[k].subj.name, "late");
	assert_int_equal(find_module(res, SWT_KIND_PROCESS, "capp")->cpu_ms,
			 1500);
	assert_int_equal(find_module(res, SWT_KIND_THREAD, "capp")->cpu_ms,
			 500);
	assert_int_equal(find_module(res, SWT_KIND_THREAD, "w2")->cpu_ms,
			 1000);
	/* the tree counts each process once */
	assert_int_equal(res->session.cpu_ms, 7100);
	swt_engine_free(e);
}

/* A multi-threaded command shorter than a sampling interval has no thread
 * row (its one row came before it started its threads): its exit
 * record's thread ends give it thread modules by name, each with its
 * CPU, together at most the process's since its row; an end without a
 * name has none (its CPU stays the process's). */
static void a_short_command_gets_thread_modules_from_its_ends(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	const struct swt_module_result *w;
	struct swt_proc_row p;
	const struct swt_thread_end ends[] = {
		{ 30, "short", 100000, 0 },
		{ 31, "worker", 300000, 50000 },
		{ 32, "worker", 300000, 50000 },
		{ 33, "", 100000, 0 },
	};

	(void)state;
	assert_ok(feed_header(e, S, true));
	feed_start(e, T0, 30, "short", "short", false);
	p = prow(30, 0, 4096);
	feed_sample(e, T0 + S, &p, 1, NULL, 0);
	feed_exit_ends(e, T0 + S + S / 2, 30, 900000, ends, 4);
	feed_sample(e, T0 + 2 * S, NULL, 0, NULL, 0);
	assert_ok(swt_engine_finish(e, &res));
	assert_int_equal(find_module(res, SWT_KIND_PROCESS, "short")->cpu_ms,
			 900);
	assert_int_equal(find_module(res, SWT_KIND_THREAD, "short")->cpu_ms,
			 100);
	w = find_module(res, SWT_KIND_THREAD, "worker");
	assert_int_equal(w->cpu_ms, 700);
	assert_int_equal(w->instances, 2);
	assert_int_equal(res->session.cpu_ms, 900);
	swt_engine_free(e);
}

/* swrec's last look comes a moment after the launched command exits,
 * 0.1 s past a full interval: the exit's last counters, a 4-CPU
 * machine's worth over that 0.1 s, join the last interval, which could
 * not hold them: it stands for the 1.1 s the machine needed. The
 * average is 400 %, never above the machine or the peak (it read 413 %:
 * the CPU counted, its 0.1 s not), and the tree's points over time, the
 * last interval's reach into the short one a point of its own, integrate
 * to the CPU. */
static void a_short_last_interval_keeps_the_average_in_the_machine(
	void **state)
{
	struct tree_points l = { .n = 0 };
	struct swt_engine_opts o;
	struct swt_engine *e;
	const struct swt_result *res;
	const struct swt_module_result *m;
	struct swt_proc_row p;
	int64_t cpu_ns = 0;
	int k;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.on_usage = log_tree_points;
	o.payload = &l;
	swt_engine_new(&e, &o);
	assert_ok(feed_header(e, S, false));
	feed_child(e, T0, 10, 1, "spin");
	for (k = 1; k <= 3; k++) {
		p = crow(10, 400 * k, 0);
		feed_sample(e, T0 + k * S, &p, 1, NULL, 0);
	}
	feed_exit_final(e, T0 + 3 * S + 50000000, 10, 1240, 0);
	feed_sample(e, T0 + 3 * S + 100000000, NULL, 0, NULL, 0);
	assert_ok(swt_engine_finish(e, &res));
	m = find_module(res, SWT_KIND_PROCESS, "spin");
	assert_int_equal(m->cpu_ms, 12400);
	assert_int_equal(m->cpu_avg_mpct, 400000);
	assert_int_equal(m->cpu_session_mpct, 400000);
	assert_int_equal(m->cpu_peak_mpct, 400000);
	assert_int_equal(res->session.cpu_avg_mpct, 400000);
	assert_true(res->session.cpu_avg_mpct <= res->session.cpu_peak_mpct);
	/* mpct x ns / 1e5 = ns of CPU */
	for (k = 0; k < l.n; k++)
		cpu_ns += l.mpct[k] * (l.to[k] - l.from[k]) / 100000;
	/* (the last interval's reach into the short one is a figure of its
	 * own, from 3.0 to 3.1 s: every figure ends at a sample) */
	assert_int_equal(l.n, 4);
	assert_int_equal(l.to[2], 3 * S);
	assert_int_equal(l.from[3], 3 * S);
	assert_int_equal(l.to[3], 3 * S + 100000000);
	assert_int_equal(cpu_ns, INT64_C(12400000000));
	swt_engine_free(e);
}

/* One tick: the middle process exits (its last counters read as a
 * zombie) before its child's exit, and the root reaps the middle one. The
 * child's 30 seen ticks are the middle one's, not the root's: 15 unseen
 * for the middle one, nothing for the root, nothing counted twice. */
static void reaped_children_of_an_exit_in_the_same_tick(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	struct swt_proc_row p[3];
	size_t i;

	(void)state;
	assert_ok(feed_header(e, S, false));
	feed_child(e, T0, 10, 1, "ninja");
	feed_child(e, T0, 11, 10, "sh");
	feed_child(e, T0, 12, 11, "cc1");
	p[0] = crow(10, 0, 0);
	p[1] = crow(11, 0, 0);
	p[2] = crow(12, 30, 0);
	feed_sample(e, T0 + S, p, 3, NULL, 0);
	feed_exit_final(e, T0 + 2 * S - 2, 11, 2, 45);
	feed_exit(e, T0 + 2 * S - 2, 12);
	p[0] = crow(10, 1, 47);
	feed_sample(e, T0 + 2 * S, p, 1, NULL, 0);
	assert_ok(swt_engine_finish(e, &res));
	assert_int_equal(res->session.cpu_ms, (1 + 30 + 2 + 15) * 10);
	assert_int_equal(res->session.reaped_ms, 150);
	assert_int_equal(find_module(res, SWT_KIND_PROCESS,
				     "sh (reaped children)")->cpu_avg_mpct,
			 15000);
	assert_int_equal(find_module(res, SWT_KIND_PROCESS, "sh")->cpu_peak_mpct,
			 2000);
	for (i = 0; i < res->n_modules; i++)
		assert_string_not_equal(res->modules[i].subj.name,
					"ninja (reaped children)");
	swt_engine_free(e);
}

/* One tick of a build as swrec writes it: a compiler (cc1) that lived
 * between two samples comes with its start and its exit record, before
 * the start of its parent (cc), which the scan found alive after them.
 * Its 50 ticks reach cc's cutime: they were counted from its exit, so
 * they are nothing unseen for cc, nor for ninja when it reaps cc. Before,
 * the credit found no parent and 50 more ticks were counted (a debug
 * build of this repository read 2.7 % over rusage). */
static void a_childs_exit_before_its_parents_start(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	struct swt_proc_row p[2];
	size_t i;

	(void)state;
	assert_ok(feed_header(e, S, false));
	feed_child(e, T0, 10, 1, "ninja");
	p[0] = crow(10, 0, 0);
	feed_sample(e, T0 + S, p, 1, NULL, 0);
	feed_child(e, T0 + 2 * S - 5, 12, 11, "cc1");
	feed_exit_final(e, T0 + 2 * S - 5, 12, 50, 0);
	feed_child(e, T0 + 2 * S - 5, 11, 10, "cc");
	p[0] = crow(10, 0, 0);
	p[1] = crow(11, 1, 50);
	feed_sample(e, T0 + 2 * S, p, 2, NULL, 0);
	feed_exit_final(e, T0 + 3 * S - 5, 11, 1, 50);
	p[0] = crow(10, 0, 51);
	feed_sample(e, T0 + 3 * S, p, 1, NULL, 0);
	assert_ok(swt_engine_finish(e, &res));
	assert_int_equal(res->session.cpu_ms, 510);
	assert_int_equal(res->session.reaped_ms, 0);
	assert_int_equal(find_module(res, SWT_KIND_PROCESS, "cc1")->cpu_ms,
			 500);
	for (i = 0; i < res->n_modules; i++)
		assert_null(strstr(res->modules[i].subj.name, "reaped"));
	swt_engine_free(e);
}

/* A parent that reaps late (a fork storm that reaps in bursts): 12 s of
 * its children's CPU reach its cutime in one 1 s interval of a 4-CPU
 * machine. No interval shows more than the machine has (400 %), the
 * average is over the 3 s the machine needed at least, and no CPU is
 * lost. */
static void reaped_burst_never_passes_the_machine(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	const struct swt_module_result *m;
	struct swt_proc_row p[1];
	int k;

	(void)state;
	assert_ok(feed_header(e, S, false));
	feed_child(e, T0, 10, 1, "storm");
	for (k = 1; k <= 3; k++) {
		p[0] = crow(10, 10 * k, 0);
		feed_sample(e, T0 + k * S, p, 1, NULL, 0);
	}
	p[0] = crow(10, 40, 1200);
	feed_sample(e, T0 + 4 * S, p, 1, NULL, 0);
	assert_ok(swt_engine_finish(e, &res));
	m = find_module(res, SWT_KIND_PROCESS, "storm (reaped children)");
	assert_int_equal(m->cpu_ms, 12000);
	assert_int_equal(m->cpu_peak_mpct, 400000);
	assert_int_equal(m->cpu_avg_mpct, 400000);
	assert_int_equal(res->session.cpu_ms, 12400);
	assert_true(res->session.cpu_peak_mpct <= 400000);
	swt_engine_free(e);
}

/* ---- disk I/O ------------------------------------------------------------ */

#define MIB INT64_C(1048576)

/* A row with /proc/PID/io read (write bytes w), or not read this tick. */
static struct swt_proc_row iorow(int32_t pid, int64_t ticks, int64_t w,
				 bool sampled)
{
	struct swt_proc_row p = prow(pid, ticks, 1024);

	p.io_write = w;
	if (!sampled)
		p.flags = SWT_PF_IO_NOT_SAMPLED;
	return p;
}

/* An exit with the bytes the process wrote: from the kernel's exit record
 * (acct, with its CPU), or read from its zombie's /proc/PID/io. */
static void feed_exit_io(struct swt_engine *e, int64_t t, int32_t pid,
			 uint64_t cpu_us, uint64_t write_bytes, bool acct)
{
	struct swt_record r = proc_exit_rec(t, pid);

	if (acct) {
		r.u.proc_exit.has_acct = true;
		r.u.proc_exit.utime_us = cpu_us;
		r.u.proc_exit.write_bytes = write_bytes;
	} else {
		r.u.proc_exit.has_final_io = true;
		r.u.proc_exit.final_write_bytes = write_bytes;
	}
	assert_ok(swt_engine_feed(e, &r));
}

/* What a shell's children burnt after their exit records (the kernel
 * freeing them) reaches its cutime, rounded to ticks: a fraction of a
 * millisecond was a "(reaped children)" module of 0.000 s in the report.
 * Under half a millisecond it is no module (its CPU stays the tree's);
 * from half a millisecond on it is one. */
static void reaped_crumbs_are_no_module(void **state)
{
	static const int64_t tail_us[2] = { 300, 600 };
	int k;

	(void)state;
	for (k = 0; k < 2; k++) {
		struct swt_engine *e = new_engine(NULL);
		const struct swt_result *res;
		struct swt_proc_row p;
		struct swt_record r;
		size_t i;
		bool listed = false;

		assert_ok(feed_header(e, S, false));
		feed_child(e, T0, 10, 1, "sh");
		p = crow(10, 0, 0);
		feed_sample(e, T0 + S, &p, 1, NULL, 0);
		feed_child(e, T0 + S + 1000, 11, 10, "readlink");
		r = proc_exit_rec(T0 + S + 2000, 11);
		r.u.proc_exit.has_final = true;
		r.u.proc_exit.utime = 1;
		r.u.proc_exit.has_acct = true;
		r.u.proc_exit.utime_us = (uint64_t)(10000 - tail_us[k]);
		assert_ok(swt_engine_feed(e, &r));
		p = crow(10, 0, 1);
		feed_sample(e, T0 + 2 * S, &p, 1, NULL, 0);
		feed_sample(e, T0 + 3 * S, &p, 1, NULL, 0);
		assert_ok(swt_engine_finish(e, &res));
		assert_int_equal(res->session.cpu_ms, 10);
		for (i = 0; i < res->n_modules; i++)
			if (!strcmp(res->modules[i].subj.name,
				    "sh (reaped children)"))
				listed = true;
		assert_int_equal(listed, k == 1);
		assert_int_equal(res->n_modules, k == 1 ? 3 : 2);
		swt_engine_free(e);
	}
}

/* Attached (-p, -a), a child of the tree that started before the
 * recording and exited unseen (swrec writes it preexisting: its exit
 * record holds its CPU from its start, an hour's job here) adds none of
 * that CPU: not from its record (no base), and not as its parent's
 * reaped children when the parent's cutime takes it. */
static void an_old_unseen_child_adds_no_cpu(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	struct swt_proc_row p;
	struct swt_record r;

	(void)state;
	assert_ok(feed_header_mode(e, S, false, SWT_MODE_ATTACH));
	feed_proc_start(e, T0, 10, 1, "sh", NULL, "sh", 3, true);
	p = crow(10, 100, 0);
	feed_sample(e, T0 + S, &p, 1, NULL, 0);
	feed_proc_start(e, T0 + S + S / 2, 11, 10, "old-job", NULL,
			"old-job", 8, true);
	r = proc_exit_rec(T0 + S + S / 2, 11);
	r.u.proc_exit.has_final = true;
	r.u.proc_exit.utime = 300000;
	r.u.proc_exit.has_acct = true;
	r.u.proc_exit.utime_us = UINT64_C(3000000000);
	assert_ok(swt_engine_feed(e, &r));
	p = crow(10, 110, 300000);
	feed_sample(e, T0 + 2 * S, &p, 1, NULL, 0);
	feed_sample(e, T0 + 3 * S, &p, 1, NULL, 0);
	assert_ok(swt_engine_finish(e, &res));
	assert_int_equal(res->session.cpu_ms, 100);
	assert_true(res->session.cpu_peak_mpct <= 10000);
	swt_engine_free(e);
}

/* /proc/PID/io is read every 4th tick: an older process's first reading
 * is a base; the bytes of each later window count once, at the window's
 * rate, held until the next reading. */
static void disk_io_from_sparse_readings(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	const struct swt_module_result *m;
	struct swt_proc_row p;
	int k;

	(void)state;
	assert_ok(feed_header(e, S, false));
	feed_start(e, T0, 10, "db", "db", true);
	for (k = 1; k <= 8; k++) {
		/* 100 MB before the session, 30 MB in [1 s, 4 s], 10 MB in
		 * [4 s, 8 s] */
		int64_t w = k < 4 ? 100 * MIB : k < 8 ? 130 * MIB : 140 * MIB;

		p = iorow(10, 10 * k, w, k == 1 || k == 4 || k == 8);
		feed_sample(e, T0 + k * S, &p, 1, NULL, 0);
	}
	assert_ok(swt_engine_finish(e, &res));
	m = find_module(res, SWT_KIND_PROCESS, "db");
	assert_true(m->has_io);
	assert_int_equal(m->io_read_mmb, 0);
	assert_int_equal(m->io_write_mmb, 40000);
	/* 30 MB over 3 s; 40 MB over the 7 s observed */
	assert_int_equal(m->io_peak_mmbps, 10000);
	assert_int_equal(m->io_avg_mmbps, 5714);
	assert_int_equal(m->io_unavailable, 0);
	assert_true(res->session.has_io);
	assert_int_equal(res->session.io_write_mmb, 40000);
	assert_int_equal(res->session.io_peak_mmbps, 10000);
	assert_int_equal(res->session.io_end_mmbps, 2500);
	swt_engine_free(e);
}

/* A shell runs dd, which writes 84 MB: 20 MB in its one row, the rest
 * after it (its exit record, or its zombie's last reading). The shell's
 * counters then hold all of it (it reaped dd) plus its own 1 MB: dd 84,
 * sh 1, the tree 85, and dd's 64 MB/s in the interval of its exit is
 * above io_mb_per_s (50). */
static void children_count_once(bool acct)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	const struct swt_module_result *m;
	const struct swt_alert_result *a;
	struct swt_proc_row p[2];

	assert_ok(feed_header(e, S, false));
	feed_child(e, T0, 10, 1, "sh");
	feed_child(e, T0, 11, 10, "dd");
	p[0] = iorow(10, 1, 0, true);
	p[1] = iorow(11, 5, 20 * MIB, true);
	feed_sample(e, T0 + S, p, 2, NULL, 0);
	feed_exit_io(e, T0 + S + S / 2, 11, 300000, (uint64_t)(84 * MIB),
		     acct);
	p[0] = iorow(10, 1, 85 * MIB, true);
	feed_sample(e, T0 + 2 * S, p, 1, NULL, 0);
	p[0] = iorow(10, 1, 85 * MIB, true);
	feed_sample(e, T0 + 3 * S, p, 1, NULL, 0);
	assert_ok(swt_engine_finish(e, &res));
	m = find_module(res, SWT_KIND_PROCESS, "dd");
	assert_int_equal(m->io_write_mmb, 84000);
	assert_int_equal(m->io_peak_mmbps, 64000);
	m = find_module(res, SWT_KIND_PROCESS, "sh");
	assert_int_equal(m->io_write_mmb, 1000);
	assert_int_equal(m->io_peak_mmbps, 1000);
	assert_int_equal(res->session.io_write_mmb, 85000);
	assert_int_equal(res->session.io_peak_mmbps, 65000);
	assert_int_equal(res->n_alerts, 1);
	a = &res->alerts[0];
	assert_int_equal(a->kind, SWT_ALERT_IO);
	assert_string_equal(a->subj.name, "dd");
	assert_int_equal(a->t_ns, 2 * S);
	assert_int_equal(a->value, 64000);
	assert_int_equal(a->threshold, 50000);
	swt_engine_free(e);
}

/* The same order for bytes: dd (written 10 MB) exits before its parent
 * sh is announced in the tick; sh's counters then hold them, and the tree
 * has 10 MB (dd's), not 20. */
static void disk_io_of_a_childs_exit_before_its_parents_start(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	struct swt_proc_row p[2];

	(void)state;
	assert_ok(feed_header(e, S, false));
	feed_child(e, T0, 10, 1, "make");
	p[0] = iorow(10, 0, 0, true);
	feed_sample(e, T0 + S, p, 1, NULL, 0);
	feed_child(e, T0 + 2 * S - 5, 12, 11, "dd");
	feed_exit_io(e, T0 + 2 * S - 5, 12, 1000, (uint64_t)(10 * MIB), true);
	feed_child(e, T0 + 2 * S - 5, 11, 10, "sh");
	p[0] = iorow(10, 0, 0, true);
	p[1] = iorow(11, 0, 10 * MIB, true);
	feed_sample(e, T0 + 2 * S, p, 2, NULL, 0);
	p[1] = iorow(11, 0, 10 * MIB, true);
	feed_sample(e, T0 + 3 * S, p, 2, NULL, 0);
	assert_ok(swt_engine_finish(e, &res));
	assert_int_equal(find_module(res, SWT_KIND_PROCESS, "dd")->io_write_mmb,
			 10000);
	assert_int_equal(find_module(res, SWT_KIND_PROCESS, "sh")->io_write_mmb,
			 0);
	assert_int_equal(res->session.io_write_mmb, 10000);
	swt_engine_free(e);
}

static void disk_io_of_children_counts_once(void **state)
{
	(void)state;
	children_count_once(true);
	children_count_once(false);
}

/* The same, with the shell's exit (its last reading as a zombie, which
 * holds dd) before dd's in one tick, under a make that reaps the shell:
 * dd's bytes come off the shell's last reading, not off make's (whose
 * counters get the shell's, dd included): dd 84, sh 1, make 0, the tree
 * 85, not 84 more. */
static void disk_io_of_a_child_exiting_after_its_parent(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	struct swt_proc_row p[3];

	(void)state;
	assert_ok(feed_header(e, S, false));
	feed_child(e, T0, 5, 1, "make");
	feed_child(e, T0, 10, 5, "sh");
	feed_child(e, T0, 11, 10, "dd");
	p[0] = iorow(5, 1, 0, true);
	p[1] = iorow(10, 1, 0, true);
	p[2] = iorow(11, 5, 20 * MIB, true);
	feed_sample(e, T0 + S, p, 3, NULL, 0);
	feed_exit_io(e, T0 + S + S / 2, 10, 0, (uint64_t)(85 * MIB), false);
	feed_exit_io(e, T0 + S + S / 2, 11, 300000, (uint64_t)(84 * MIB),
		     true);
	p[0] = iorow(5, 1, 85 * MIB, true);
	feed_sample(e, T0 + 2 * S, p, 1, NULL, 0);
	assert_ok(swt_engine_finish(e, &res));
	assert_int_equal(find_module(res, SWT_KIND_PROCESS, "dd")->io_write_mmb,
			 84000);
	assert_int_equal(find_module(res, SWT_KIND_PROCESS, "sh")->io_write_mmb,
			 1000);
	assert_int_equal(
		find_module(res, SWT_KIND_PROCESS, "make")->io_write_mmb, 0);
	assert_int_equal(res->session.io_write_mmb, 85000);
	swt_engine_free(e);
}

/* Another user's process: its I/O is unknown, which is not 0. */
static void disk_io_unavailable_is_not_zero(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	const struct swt_module_result *m;
	struct swt_proc_row p[2];
	int k;

	(void)state;
	assert_ok(feed_header(e, S, false));
	feed_child(e, T0, 10, 1, "mine");
	feed_child(e, T0, 11, 1, "theirs");
	for (k = 1; k <= 3; k++) {
		p[0] = iorow(10, k, 0, true);
		p[1] = iorow(11, k, 0, true);
		p[1].flags = SWT_PF_IO_UNAVAILABLE;
		feed_sample(e, T0 + k * S, p, 2, NULL, 0);
	}
	assert_ok(swt_engine_finish(e, &res));
	m = find_module(res, SWT_KIND_PROCESS, "mine");
	assert_true(m->has_io);
	assert_int_equal(m->io_write_mmb, 0);
	assert_int_equal(m->io_unavailable, 0);
	m = find_module(res, SWT_KIND_PROCESS, "theirs");
	assert_false(m->has_io);
	assert_int_equal(m->io_unavailable, 1);
	assert_true(res->session.has_io);
	assert_int_equal(res->session.io_unavailable, 1);
	swt_engine_free(e);
}

/* A row with the network read (bytes sent, received, TCP sockets). */
static struct swt_proc_row netrow(int32_t pid, int64_t ticks, int64_t tx,
				  int64_t rx, int64_t tcp)
{
	struct swt_proc_row p = prow(pid, ticks, 1024);

	p.net_tx = tx;
	p.net_rx = rx;
	p.socks_tcp = tcp;
	p.socks_udp = 1;
	return p;
}

/* A client sends 20 MB to a server in the second second; with
 * net_mb_per_s at 10 both are above it then (alerts), each has its bytes
 * and its most sockets; the tree has both. */
static void network_per_process(void **state)
{
	struct swt_thresholds th;
	struct swt_engine *e;
	const struct swt_result *res;
	const struct swt_module_result *m;
	struct swt_proc_row p[2];
	char err[128];

	(void)state;
	swt_thresholds_init(&th);
	assert_ok(swt_thresholds_set(&th, "net_mb_per_s", "10",
				     SWT_TH_OPTION, err, sizeof(err)));
	e = new_engine(&th);
	assert_ok(feed_header(e, S, false));
	feed_child(e, T0, 10, 1, "client");
	feed_child(e, T0, 11, 1, "server");
	p[0] = netrow(10, 1, 0, 0, 1);
	p[1] = netrow(11, 1, 0, 0, 1);
	feed_sample(e, T0 + S, p, 2, NULL, 0);
	p[0] = netrow(10, 2, 20 * MIB, 0, 1);
	p[1] = netrow(11, 2, 0, 20 * MIB, 3);
	feed_sample(e, T0 + 2 * S, p, 2, NULL, 0);
	p[0] = netrow(10, 3, 20 * MIB, 0, 1);
	p[0].flags = SWT_PF_NET_NOT_SAMPLED;	/* held: 20 MB/s again */
	p[1] = netrow(11, 3, 0, 20 * MIB, 1);
	feed_sample(e, T0 + 3 * S, p, 2, NULL, 0);
	assert_ok(swt_engine_finish(e, &res));
	m = find_module(res, SWT_KIND_PROCESS, "client");
	assert_true(m->has_net);
	assert_int_equal(m->net_sent_mmb, 20000);
	assert_int_equal(m->net_recv_mmb, 0);
	assert_int_equal(m->net_peak_mmbps, 20000);
	assert_int_equal(m->socks_peak[0], 1);
	assert_int_equal(m->socks_peak[1], 1);
	m = find_module(res, SWT_KIND_PROCESS, "server");
	assert_int_equal(m->net_recv_mmb, 20000);
	assert_int_equal(m->net_sent_mmb, 0);
	assert_int_equal(m->socks_peak[0], 3);
	assert_int_equal(res->session.net_sent_mmb, 20000);
	assert_int_equal(res->session.net_recv_mmb, 20000);
	assert_int_equal(res->session.net_peak_mmbps, 40000);
	/* one alert each, at 2 s (the held rate stays above: no second) */
	assert_int_equal(res->n_alerts, 2);
	assert_int_equal(res->alerts[0].kind, SWT_ALERT_NET);
	assert_int_equal(res->alerts[0].t_ns, 2 * S);
	assert_int_equal(res->alerts[1].kind, SWT_ALERT_NET);
	swt_engine_free(e);
	swt_thresholds_fini(&th);
}

/* A file before format 1.2 has no network columns: unknown, not 0. */
static void network_of_an_older_file_is_unknown(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	struct swt_record r;
	struct swt_proc_row p;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.kind = SWT_REC_HEADER;
	r.u.header.recorder = "old";
	r.u.header.format_major = 1;
	r.u.header.format_minor = 1;
	r.u.header.clock_ticks = 100;
	r.u.header.interval_ns = S;
	r.u.header.start_mono_ns = T0;
	assert_ok(swt_engine_feed(e, &r));
	feed_child(e, T0, 10, 1, "old");
	p = prow(10, 1, 1024);
	feed_sample(e, T0 + S, &p, 1, NULL, 0);
	p = prow(10, 2, 1024);
	feed_sample(e, T0 + 2 * S, &p, 1, NULL, 0);
	assert_ok(swt_engine_finish(e, &res));
	assert_false(res->session.has_net);
	assert_true(res->session.has_io);
	assert_false(find_module(res, SWT_KIND_PROCESS, "old")->has_net);
	swt_engine_free(e);
}

/* A wrapper (a pyenv shim) runs helpers, then execs the program: the
 * helpers' CPU, which the first row after the exec shows in cutime, is
 * the wrapper's reaped children, not the program's. */
static void children_reaped_before_an_exec_stay_with_the_wrapper(
	void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	struct swt_proc_row p[1];
	size_t i;

	(void)state;
	assert_ok(feed_header(e, S, false));
	feed_child(e, T0, 10, 1, "bash");
	p[0] = crow(10, 1, 0);
	feed_sample(e, T0 + S, p, 1, NULL, 0);
	feed_child(e, T0 + 2 * S, 10, 1, "python3");	/* the exec */
	p[0] = crow(10, 2, 12);
	feed_sample(e, T0 + 2 * S, p, 1, NULL, 0);
	p[0] = crow(10, 3, 12);
	feed_sample(e, T0 + 3 * S, p, 1, NULL, 0);
	assert_ok(swt_engine_finish(e, &res));
	assert_int_equal(find_module(res, SWT_KIND_PROCESS,
				     "bash (reaped children)")->instances, 1);
	assert_int_equal(res->session.reaped_ms, 120);
	for (i = 0; i < res->n_modules; i++)
		assert_string_not_equal(res->modules[i].subj.name,
					"python3 (reaped children)");
	swt_engine_free(e);
}

static void pid_reuse_starts_a_new_process(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	struct swt_proc_row p;

	(void)state;
	assert_ok(feed_header(e, S, false));
	feed_start(e, T0, 10, "first", "first", false);
	p = prow(10, 100, 1024);
	feed_sample(e, T0 + S, &p, 1, NULL, 0);
	p = prow(10, 200, 1024);
	feed_sample(e, T0 + 2 * S, &p, 1, NULL, 0);
	feed_exit(e, T0 + 2 * S + 1, 10);
	feed_start(e, T0 + 2 * S + 2, 10, "second", "second", false);
	/* 5 ticks since it started: not 5 - 200 */
	p = prow(10, 5, 1024);
	feed_sample(e, T0 + 3 * S, &p, 1, NULL, 0);
	p = prow(10, 15, 1024);
	feed_sample(e, T0 + 4 * S, &p, 1, NULL, 0);
	assert_ok(swt_engine_finish(e, &res));
	assert_int_equal(find_module(res, SWT_KIND_PROCESS, "first")
				 ->cpu_avg_mpct,
			 100000);
	/* 15 ticks over its 2 s minus 2 ns of life */
	assert_int_equal(find_module(res, SWT_KIND_PROCESS, "second")
				 ->cpu_peak_mpct,
			 10000);
	swt_engine_free(e);
}

/* Linux cuts a process's name (comm) to 15 bytes: a module shows the
 * base name of its program, or of a script its interpreter runs, where
 * the cut name starts it; its main thread's module too. A name that
 * starts neither, or shorter than 15 bytes, stays as it is. */
static void cut_process_names_are_made_whole(void **state)
{
	static const struct {
		const char *comm, *exe, *args, *want;
	} c[] = {
		{ "swt-bench-mkfix", "/b/bench/swt-bench-mkfixture",
		  "swt-bench-mkfixture|bench|x", "swt-bench-mkfixture" },
		{ "unattended-upgr", "/usr/bin/python3.11",
		  "/usr/bin/python3|/usr/bin/unattended-upgrade|--dry-run",
		  "unattended-upgrade" },
		{ "containerd-shim", "/usr/bin/other-program-name",
		  "/usr/bin/other-program-name|-id", "containerd-shim" },
		{ "short-name-here", "/usr/bin/short-name-here",
		  "short-name-here", "short-name-here" },
		{ "tool-14-bytes!", "/usr/bin/tool-14-bytes!-and-more",
		  "tool-14-bytes!-and-more", "tool-14-bytes!" },
	};
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	const struct swt_module_result *m;
	struct swt_proc_row p[5];
	struct swt_thread_row t[5];
	size_t i, k;

	(void)state;
	assert_ok(feed_header(e, S, true));
	for (i = 0; i < 5; i++)
		feed_start_exe(e, T0, (int32_t)(10 + i), c[i].comm, c[i].exe,
			       c[i].args);
	for (k = 1; k <= 3; k++) {
		for (i = 0; i < 5; i++) {
			p[i] = prow((int32_t)(10 + i), (int64_t)(10 * k),
				    1024);
			p[i].nthreads = 2;
			t[i] = (struct swt_thread_row){ (int32_t)(10 + i),
							(int32_t)(10 + i),
							c[i].comm,
							(int64_t)(10 * k), 0 };
		}
		feed_sample(e, T0 + (int64_t)k * S, p, 5, t, 5);
	}
	assert_ok(swt_engine_finish(e, &res));
	for (i = 0; i < 5; i++) {
		m = find_module(res, SWT_KIND_PROCESS, c[i].want);
		assert_string_equal(m->subj.process, c[i].want);
		assert_int_equal(m->cpu_ms, 300);
		m = find_module(res, SWT_KIND_THREAD, c[i].want);
		assert_string_equal(m->subj.process, c[i].want);
		assert_int_equal(m->cpu_ms, 300);
	}
	swt_engine_free(e);
}

/* Threads aggregate by name within their process. */
static void threads_by_name_within_process(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	const struct swt_module_result *m;
	struct swt_proc_row p;
	struct swt_thread_row t[3];
	int k;

	(void)state;
	assert_ok(feed_header(e, S, true));
	feed_start(e, T0, 10, "app", "app", false);
	for (k = 1; k <= 5; k++) {
		t[0] = (struct swt_thread_row){ 10, 10, "app", 5 * k, 0 };
		t[1] = (struct swt_thread_row){ 11, 10, "worker", 40 * k, 0 };
		t[2] = (struct swt_thread_row){ 12, 10, "worker", 50 * k, 0 };
		p = prow(10, 95 * k, 4096);
		feed_sample(e, T0 + k * S, &p, 1, t, 3);
	}
	assert_ok(swt_engine_finish(e, &res));
	m = find_module(res, SWT_KIND_THREAD, "worker");
	assert_int_equal(m->instances, 2);
	assert_int_equal(m->cpu_avg_mpct, 90000);
	assert_false(m->has_memory);
	assert_string_equal(m->subj.process, "app");
	m = find_module(res, SWT_KIND_THREAD, "app");
	assert_int_equal(m->cpu_avg_mpct, 5000);
	swt_engine_free(e);
}

/* A thread's name found equal before is known by its address only within
 * one decoding of a chunk (swt_sample.decode_id): the same address in
 * another decoding may hold another name (the pool is reused), and
 * another address in the same decoding is another string. */
static void thread_name_by_address_within_one_decoding(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	const struct swt_module_result *m;
	static const char *const want[] = { "alpha", "beta", "gamma" };
	char pool[16];
	struct swt_proc_row p;
	struct swt_thread_row t;
	struct swt_record r;
	int k;

	(void)state;
	assert_ok(feed_header(e, S, true));
	feed_start(e, T0, 10, "app", "app", false);
	for (k = 1; k <= 9; k++) {
		/* decoding 1: "alpha" at pool; decoding 2: "beta" at the
		 * same address, then "gamma" elsewhere */
		strcpy(pool, k <= 3 ? "alpha" : "beta");
		t = (struct swt_thread_row){ 11, 10, k <= 6 ? pool : "gamma",
					     10 * k, 0 };
		p = prow(10, 10 * k, 4096);
		memset(&r, 0, sizeof(r));
		r.kind = SWT_REC_SAMPLE;
		r.t_ns = r.u.sample.scheduled_ns = T0 + k * S;
		r.u.sample.n_procs = 1;
		r.u.sample.procs = &p;
		r.u.sample.n_threads = 1;
		r.u.sample.threads = &t;
		r.u.sample.decode_id = k <= 3 ? 1 : 2;
		assert_ok(swt_engine_feed(e, &r));
	}
	assert_ok(swt_engine_finish(e, &res));
	for (k = 0; k < 3; k++) {
		m = find_module(res, SWT_KIND_THREAD, want[k]);
		assert_non_null(m);
		assert_true(m->cpu_avg_mpct > 0);
	}
	swt_engine_free(e);
}

/* Linux cuts thread names to 15 bytes: the thread "database_manage" of a
 * process with the module "database_manager" is that module's thread and
 * takes its full name. The prefix must be unique among the process's
 * module names: "report_generato" matches two modules and stays cut; a
 * module of another process does not count; a shorter name is no cut. */
static void cut_thread_name_takes_its_module_name(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	const struct swt_module_result *m;
	struct swt_proc_row p[2];
	struct swt_thread_row t[4];
	size_t i, n_db = 0;
	int k;

	(void)state;
	assert_ok(feed_header(e, S, true));
	feed_start(e, T0, 10, "app", "app", false);
	feed_start(e, T0, 20, "other", "other", false);
	feed_event(e, 10, 11, T0 + S / 10, SWT_EV_BEGIN, "database_manager", 0);
	feed_event(e, 10, 12, T0 + S / 10, SWT_EV_BEGIN, "report_generator",
		   0);
	feed_event(e, 10, 12, T0 + S / 10, SWT_EV_END, "report_generator", 0);
	feed_event(e, 10, 12, T0 + S / 10, SWT_EV_BEGIN, "report_generator2",
		   0);
	feed_event(e, 10, 12, T0 + S / 10, SWT_EV_END, "report_generator2",
		   0);
	feed_event(e, 10, 14, T0 + S / 10, SWT_EV_BEGIN, "event_listener_x",
		   0);
	for (k = 1; k <= 4; k++) {
		t[0] = (struct swt_thread_row){ 11, 10, "database_manage",
						20 * k, 0 };
		t[1] = (struct swt_thread_row){ 12, 10, "report_generato",
						10 * k, 0 };
		t[2] = (struct swt_thread_row){ 13, 10, "short", 0, 0 };
		t[3] = (struct swt_thread_row){ 21, 20, "event_listener_",
						5 * k, 0 };
		p[0] = prow(10, 30 * k, 4096);
		p[1] = prow(20, 5 * k, 1024);
		feed_sample(e, T0 + k * S, p, 2, t, 4);
	}
	feed_end(e, T0 + 4 * S);
	assert_ok(swt_engine_finish(e, &res));
	/* one subject: the module and its thread, both "database_manager" */
	for (i = 0; i < res->n_modules; i++) {
		const struct swt_module_result *r = &res->modules[i];

		assert_string_not_equal(r->subj.name, "database_manage");
		if (strcmp(r->subj.name, "database_manager") == 0) {
			assert_string_equal(r->subj.process, "app");
			n_db++;
		}
	}
	assert_int_equal(n_db, 2);
	m = find_module(res, SWT_KIND_THREAD, "database_manager");
	assert_int_equal(m->instances, 1);
	assert_int_equal(m->cpu_avg_mpct, 20000);
	assert_int_equal(m->cpu_peak_mpct, 20000);
	assert_false(m->has_memory);
	m = find_module(res, SWT_KIND_MODULE, "database_manager");
	assert_int_equal(m->calls, 1);
	/* ambiguous: stays cut */
	m = find_module(res, SWT_KIND_THREAD, "report_generato");
	assert_int_equal(m->cpu_avg_mpct, 10000);
	/* the module is another process's */
	m = find_module(res, SWT_KIND_THREAD, "event_listener_");
	assert_string_equal(m->subj.process, "other");
	find_module(res, SWT_KIND_THREAD, "short");
	assert_int_equal(res->n_modules, 2 + 4 + 4);
	swt_engine_free(e);
}

/* A span open for half of each 1 s interval on a thread that burns 80
 * ticks a second gets 40 % (the thread's ticks times the overlap share). */
static void span_gets_thread_ticks_by_overlap(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	const struct swt_module_result *m;
	struct swt_proc_row p;
	struct swt_thread_row t[2];
	int k;

	(void)state;
	assert_ok(feed_header(e, S, true));
	feed_start(e, T0, 10, "app", "app", false);
	p = prow(10, 0, 10240);
	t[0] = (struct swt_thread_row){ 10, 10, "app", 0, 0 };
	t[1] = (struct swt_thread_row){ 11, 10, "ocr-thread", 0, 0 };
	feed_sample(e, T0, &p, 1, t, 2);
	for (k = 1; k <= 10; k++) {
		int64_t ts = T0 + (k - 1) * S;

		feed_event(e, 10, 11, ts + S / 4, SWT_EV_BEGIN, "ocr", 0);
		feed_event(e, 10, 11, ts + 3 * S / 4, SWT_EV_END, "ocr", 0);
		t[0] = (struct swt_thread_row){ 10, 10, "app", 10 * k, 0 };
		t[1] = (struct swt_thread_row){ 11, 10, "ocr-thread", 80 * k,
						0 };
		p = prow(10, 90 * k, 10240);
		feed_sample(e, T0 + k * S, &p, 1, t, 2);
	}
	feed_end(e, T0 + 10 * S);
	assert_ok(swt_engine_finish(e, &res));
	m = find_module(res, SWT_KIND_MODULE, "ocr");
	/* min(80 ticks, 0.5 s x 100 ticks/s) = 50 ticks a second: the most
	 * the thread can have burnt inside the span */
	assert_int_equal(m->cpu_avg_mpct, 50000);
	assert_int_equal(m->cpu_peak_mpct, 50000);
	assert_int_equal(m->calls, 10);
	/* 10 spans in 10 s */
	assert_int_equal(m->calls_per_min_milli, 60000);
	/* the RSS never changed: no growth is attributed to it (it is not
	 * given its process's RSS) */
	assert_int_equal(m->mem_attribution, SWT_MEM_NO_GROWTH);
	assert_int_equal(m->mem_avg_mmb, 0);
	/* estimated: the overlap cannot tell the span from the rest of the
	 * thread (always half of each interval) */
	assert_int_equal(m->cpu_source, SWT_CPU_ESTIMATED);
	assert_true(m->cpu_confidence_mpct < 99900);
	assert_string_equal(m->subj.process, "app");
	assert_int_equal(res->session.span_anomalies, 0);
	swt_engine_free(e);
}

/* A thread that burns CPU only inside its spans gives the module all its
 * ticks (min(ticks, overlap x clock_ticks)), not the span's share. */
static void thread_busy_only_in_spans(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	const struct swt_module_result *m;
	struct swt_proc_row p;
	struct swt_thread_row t;
	int k;

	(void)state;
	assert_ok(feed_header(e, S, true));
	feed_start(e, T0, 10, "app", "app", false);
	p = prow(10, 0, 1024);
	t = (struct swt_thread_row){ 10, 10, "vision", 0, 0 };
	feed_sample(e, T0, &p, 1, &t, 1);
	for (k = 1; k <= 10; k++) {
		int64_t ts = T0 + (k - 1) * S;

		feed_event(e, 10, 10, ts, SWT_EV_BEGIN, "vision", 0);
		feed_event(e, 10, 10, ts + S / 5, SWT_EV_END, "vision", 0);
		t = (struct swt_thread_row){ 10, 10, "vision", 13 * k, 0 };
		p = prow(10, 13 * k, 1024);
		feed_sample(e, T0 + k * S, &p, 1, &t, 1);
	}
	feed_end(e, T0 + 10 * S);
	assert_ok(swt_engine_finish(e, &res));
	m = find_module(res, SWT_KIND_MODULE, "vision");
	/* min(13, 0.2 s x 100) = 13 ticks a second, not 13 x 0.2 */
	assert_int_equal(m->cpu_avg_mpct, 13000);
	assert_int_equal(m->cpu_peak_mpct, 13000);
	swt_engine_free(e);
}

/* A span across several intervals, and nested/recursive spans counting the
 * thread's time once. Without thread rows the process ticks are used. */
static void long_and_nested_spans(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	struct swt_proc_row p;
	int k;

	(void)state;
	assert_ok(feed_header(e, S, false));
	feed_start(e, T0, 10, "app", "app", false);
	p = prow(10, 0, 1024);
	feed_sample(e, T0, &p, 1, NULL, 0);
	feed_event(e, 10, 10, T0 + S / 2, SWT_EV_BEGIN, "outer", 0);
	feed_event(e, 10, 10, T0 + S / 2, SWT_EV_BEGIN, "outer", 0);
	feed_event(e, 10, 10, T0 + S / 2 + 1, SWT_EV_BEGIN, "inner", 0);
	for (k = 1; k <= 4; k++) {
		p = prow(10, 100 * k, 1024);
		feed_sample(e, T0 + k * S, &p, 1, NULL, 0);
		if (k == 2)
			feed_event(e, 10, 10, T0 + 2 * S, SWT_EV_END, "inner",
				   0);
	}
	feed_event(e, 10, 10, T0 + 4 * S, SWT_EV_END, "outer", 0);
	feed_event(e, 10, 10, T0 + 4 * S, SWT_EV_END, "outer", 0);
	feed_event(e, 10, 10, T0 + 4 * S, SWT_EV_END, "never-begun", 0);
	assert_ok(swt_engine_finish(e, &res));
	/* outer: 0.5 + 1 + 1 + 1 s of 4 s at 100 % */
	assert_int_equal(find_module(res, SWT_KIND_MODULE, "outer")
				 ->cpu_avg_mpct,
			 87500);
	assert_int_equal(find_module(res, SWT_KIND_MODULE, "outer")->calls,
			 2);
	/* inner (nested in outer for 1.5 s) adds nothing to what outer's
	 * rate explains: the CPU is counted once, by the regression */
	assert_int_equal(find_module(res, SWT_KIND_MODULE, "inner")
				 ->cpu_avg_mpct,
			 0);
	assert_int_equal(res->session.span_anomalies, 1);
	swt_engine_free(e);
}

/* One thread alternates a busy module (40 ms of CPU) and a sleeping one
 * (400 ms open, 1 ms of CPU). With the client's CPU readings at every
 * span boundary the busy module has all the CPU it burnt, exactly. */
static void busy_module_has_the_cpu_measured(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	const struct swt_module_result *busy, *idle;
	struct swt_proc_row p;
	int64_t t = T0, cpu = 1000000, ticks;
	int k;

	(void)state;
	assert_ok(feed_header(e, S, false));
	feed_start(e, T0, 10, "app", "app", false);
	p = prow(10, 0, 1024);
	feed_sample(e, T0, &p, 1, NULL, 0);
	for (k = 1; k <= 20; k++) {
		/* 2 cycles a second: crunch 40 ms busy, idle_wait 400 ms */
		feed_event(e, 10, 10, t, SWT_EV_BEGIN, "crunch", cpu);
		cpu += 40000000;
		t += 40000000;
		feed_event(e, 10, 10, t, SWT_EV_END, "crunch", cpu);
		feed_event(e, 10, 10, t, SWT_EV_BEGIN, "idle_wait", cpu);
		cpu += 1000000;
		t += 400000000;
		feed_event(e, 10, 10, t, SWT_EV_END, "idle_wait", cpu);
		t += 60000000;
		if (k % 2 == 0) {
			ticks = cpu / 10000000;	/* 100 ticks/s */
			p = prow(10, ticks, 1024);
			feed_sample(e, T0 + (k / 2) * S, &p, 1, NULL, 0);
		}
	}
	feed_end(e, T0 + 10 * S);
	assert_ok(swt_engine_finish(e, &res));
	busy = find_module(res, SWT_KIND_MODULE, "crunch");
	idle = find_module(res, SWT_KIND_MODULE, "idle_wait");
	assert_int_equal(busy->cpu_source, SWT_CPU_MEASURED);
	assert_int_equal(idle->cpu_source, SWT_CPU_MEASURED);
	/* 20 x 40 ms of 10 s: 8 %; 20 x 1 ms: 0.2 % */
	assert_int_equal(busy->cpu_self_ms, 800);
	assert_int_equal(busy->cpu_avg_mpct, 8000);
	assert_int_equal(idle->cpu_self_ms, 20);
	assert_int_equal(idle->cpu_avg_mpct, 200);
	assert_true(busy->cpu_avg_mpct > 10 * idle->cpu_avg_mpct);
	swt_engine_free(e);
}

/* A span measured after its process's last row, the process gone before
 * the next sample: with the exit's last counters (the tree has that CPU)
 * the module keeps what its span burnt, in the interval of the exit; an
 * exit without them leaves it out, as the tree does (a module never has
 * more than its process). */
static void span_after_the_last_row_counts_with_the_exit(void **state)
{
	int final;

	(void)state;
	for (final = 0; final < 2; final++) {
		struct swt_engine *e = new_engine(NULL);
		const struct swt_result *res;
		const struct swt_module_result *w, *app;
		struct swt_proc_row p = prow(10, 0, 1024);

		assert_ok(feed_header(e, S, false));
		feed_start(e, T0, 10, "app", "app", false);
		feed_sample(e, T0, &p, 1, NULL, 0);
		p = prow(10, 10, 1024);
		feed_sample(e, T0 + S, &p, 1, NULL, 0);
		feed_event(e, 10, 10, T0 + S + S / 10, SWT_EV_BEGIN, "work",
			   100000000);
		feed_event(e, 10, 10, T0 + S + 6 * S / 10, SWT_EV_END, "work",
			   600000000);
		if (final)
			feed_exit_final(e, T0 + S + 7 * S / 10, 10, 60, 0);
		else
			feed_exit(e, T0 + S + 7 * S / 10, 10);
		feed_sample(e, T0 + 2 * S, NULL, 0, NULL, 0);
		feed_end(e, T0 + 2 * S);
		assert_ok(swt_engine_finish(e, &res));
		w = find_module(res, SWT_KIND_MODULE, "work");
		app = find_module(res, SWT_KIND_PROCESS, "app");
		assert_int_equal(app->cpu_ms, final ? 600 : 100);
		assert_int_equal(w->cpu_ms, final ? 500 : 0);
		assert_true(w->cpu_ms <= app->cpu_ms);
		swt_engine_free(e);
	}
}

/* One round of a loop of "spin" (100 us of CPU in w ns) and "nap" (10 us
 * of CPU in w ns), 5 us of CPU outside them after each, on thread 10 of
 * process 10: which boundaries carry their CPU reading, the nap's begin
 * raised late by 100 us (an event raised to the watermark). */
struct spin_nap_round {
	bool spin_read, nap_read, late;
	int64_t w;
};

/* The loop of `rounds` rounds from T0 + 1 us, as round(k) says, after a
 * first sample at T0; then the last sample at `end` with the thread's
 * ticks and the session's end. */
static void feed_spin_nap(struct swt_engine *e, int rounds,
			  struct spin_nap_round (*round)(int k), int64_t end)
{
	struct swt_proc_row p;
	int64_t t = T0 + 1000, cpu = 1000000;
	int k;

	assert_ok(feed_header(e, S, false));
	feed_start(e, T0, 10, "app", "app", false);
	p = prow(10, 0, 1024);
	feed_sample(e, T0, &p, 1, NULL, 0);
	for (k = 0; k < rounds; k++) {
		struct spin_nap_round r = round(k);
		int64_t ms = r.spin_read, mn = r.nap_read;

		feed_event(e, 10, 10, t, SWT_EV_BEGIN, "spin", ms * cpu);
		cpu += 100000;
		t += r.w;
		feed_event(e, 10, 10, t, SWT_EV_END, "spin", ms * cpu);
		cpu += 5000;	/* outside the spans: all CPU */
		t += 5000;
		feed_event(e, 10, 10, r.late ? t + 100000 : t, SWT_EV_BEGIN,
			   "nap", mn * cpu);
		cpu += 10000;
		t += r.w;
		feed_event(e, 10, 10, t, SWT_EV_END, "nap", mn * cpu);
		cpu += 5000;
		t += 5000;
	}
	p = prow(10, cpu / 10000000, 1024);
	feed_sample(e, end, &p, 1, NULL, 0);
	feed_end(e, end);
}

static struct spin_nap_round every_8th(int k)
{
	return (struct spin_nap_round){ k % 8 == 0, k % 8 == 4, k % 50 == 7,
					100000 };
}

/* swtrace.py's sampled spans: one thread alternates "spin" (100 us, all
 * CPU) and "nap" (100 us open, 10 us of CPU), 4000 times; only every 8th
 * span carries CPU readings (a pair of boundaries: the stretch between
 * them), and every 50th nap came late (both ends clamped to one time, its
 * length lost). Each module's CPU is its measured stretches' plus the rest
 * at its measured rate (a lost length taken as the mean of its others):
 * spin 400 ms, nap 40 ms, "mixed", confident. */
static void sampled_spans_are_estimated_at_the_measured_rate(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	const struct swt_module_result *spin, *nap;

	(void)state;
	feed_spin_nap(e, 4000, every_8th, T0 + S);
	assert_ok(swt_engine_finish(e, &res));
	spin = find_module(res, SWT_KIND_MODULE, "spin");
	nap = find_module(res, SWT_KIND_MODULE, "nap");
	assert_int_equal(spin->cpu_source, SWT_CPU_MIXED);
	assert_int_equal(nap->cpu_source, SWT_CPU_MIXED);
	assert_int_equal(spin->cpu_self_ms, 400);
	assert_int_equal(nap->cpu_self_ms, 40);
	assert_int_equal(spin->cpu_ms, 400);
	assert_int_equal(nap->cpu_ms, 40);
	assert_true(spin->cpu_confidence_mpct >= 99000);
	swt_engine_free(e);
}

/* (every other block of 100 rounds contended: calls of 1 ms, the busy
 * module measured there only) */
static struct spin_nap_round contended_blocks(int k)
{
	bool slow = (k / 100) % 2 == 1;

	return (struct spin_nap_round){ slow && k % 8 == 0,
					k % 8 == 4 || k % 16 == 0, false,
					slow ? 1000000 : 100000 };
}

/* The CPU between two readings is known: only its split among the
 * unmeasured stretches between them is estimated. A loop of a busy module
 * (100 us of CPU a call) and a sleeping one (10 us), where in every other
 * block of 100 rounds the machine is contended (each call lasts 1 ms) and
 * the busy module is measured only there (as swtrace.py measures a call
 * after a long one): its measured rate, 0.1, is the contended one. At
 * that rate alone its calls of the quiet blocks (rate 1) would read 10x
 * too low, 220 ms in all. The CPU the gaps' readings enclose is exact, so
 * only the split of each gap between the two modules (and the time outside
 * them) is left to the rates, whatever their error: within 10 % of the
 * 400 ms it burnt (369 ms; python-sampling on a loaded machine read 0.143 s
 * for 0.311 s). */
static void sampled_gaps_split_the_cpu_their_readings_enclose(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	const struct swt_module_result *spin, *nap;

	(void)state;
	feed_spin_nap(e, 4000, contended_blocks, T0 + 5 * S);
	assert_ok(swt_engine_finish(e, &res));
	spin = find_module(res, SWT_KIND_MODULE, "spin");
	nap = find_module(res, SWT_KIND_MODULE, "nap");
	assert_int_equal(spin->cpu_source, SWT_CPU_MIXED);
	assert_int_equal(nap->cpu_source, SWT_CPU_MIXED);
	print_message("# spin %" PRId64 " ms, nap %" PRId64 " ms\n",
		      spin->cpu_ms, nap->cpu_ms);
	assert_in_range(spin->cpu_ms, 360, 440);
	assert_in_range(nap->cpu_ms, 20, 70);
	swt_engine_free(e);
}

/* A module named like known heavy work (heavy_patterns *ocr*) is a
 * heavy_pattern bottleneck only when it is heavy in the session: 10 % CPU
 * on average (at least a tenth of cpu_percent, 80), or one interval at
 * 90 % (a peak at or above cpu_percent), not 1 % all along. */
static void heavy_pattern_needs_heavy_use(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	struct swt_proc_row p[3];
	int64_t lite = 0, busy = 0, peak = 0;
	bool seen[3] = { false, false, false };
	size_t i;
	int k;

	(void)state;
	assert_ok(feed_header(e, S, false));
	feed_start(e, T0, 10, "ocrlite", "ocrlite", false);
	feed_start(e, T0, 11, "ocrbusy", "ocrbusy", false);
	feed_start(e, T0, 12, "ocrpeak", "ocrpeak", false);
	for (k = 0; k <= 20; k++) {
		lite += k > 0;
		busy += k > 0 ? 10 : 0;
		peak += k == 10 ? 90 : 0;
		p[0] = prow(10, lite, 1024);
		p[1] = prow(11, busy, 1024);
		p[2] = prow(12, peak, 1024);
		feed_sample(e, T0 + k * S, p, 3, NULL, 0);
	}
	feed_end(e, T0 + 20 * S);
	assert_ok(swt_engine_finish(e, &res));
	for (i = 0; i < res->n_bottlenecks; i++) {
		const struct swt_bottleneck_result *b = &res->bottlenecks[i];

		assert_int_equal(b->reason, SWT_BN_HEAVY);
		assert_string_equal(b->pattern, "*ocr*");
		assert_string_not_equal(b->subj.name, "ocrlite");
		if (strcmp(b->subj.name, "ocrbusy") == 0)
			seen[1] = true;
		if (strcmp(b->subj.name, "ocrpeak") == 0)
			seen[2] = true;
	}
	assert_true(seen[1] && seen[2]);
	swt_engine_free(e);
}

/* A sample's ticks are read after the sample's own time (a new process's
 * first row, on a loaded machine): they may run ahead of the client's
 * readings around it. Inside a measured span they credit no more CPU than
 * the time that passed, not the 20 ms the ticks are ahead (python-
 * sampling on a loaded machine: a sleeping module given a busy one's
 * CPU). */
static void sample_ticks_ahead_of_the_readings_are_held_to_the_time(
	void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	const struct swt_module_result *nap;
	struct swt_proc_row p;
	int64_t t = T0 + 10000000;	/* 10 ms */

	(void)state;
	assert_ok(feed_header(e, S, false));
	feed_start(e, T0, 10, "app", "app", false);
	p = prow(10, 0, 1024);
	feed_sample(e, T0, &p, 1, NULL, 0);
	/* at 100 ms of the thread's CPU, a nap of 5 ms burning 0.5 ms */
	feed_event(e, 10, 10, t, SWT_EV_BEGIN, "nap", 100000000);
	/* 1 ms in: a sample whose ticks say 120 ms */
	p = prow(10, 12, 1024);
	feed_sample(e, t + 1000000, &p, 1, NULL, 0);
	feed_event(e, 10, 10, t + 5000000, SWT_EV_END, "nap", 100500000);
	p = prow(10, 12, 1024);
	feed_sample(e, T0 + S, &p, 1, NULL, 0);
	feed_end(e, T0 + S);
	assert_ok(swt_engine_finish(e, &res));
	nap = find_module(res, SWT_KIND_MODULE, "nap");
	assert_non_null(nap);
	assert_int_equal(nap->cpu_source, SWT_CPU_MEASURED);
	assert_true(nap->cpu_self_ms <= 1);
	swt_engine_free(e);
}

/* The same without CPU readings (an older client): the regression of the
 * thread's ticks on the modules' open times gives the busy module the CPU,
 * estimated, with its confidence; never the sleeping module. */
static void busy_module_has_the_cpu_estimated(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	const struct swt_module_result *busy, *idle;
	struct swt_proc_row p;
	int64_t iv = S / 10, t = T0, burnt = 0, next = T0 + iv;
	uint32_t lcg = 12345;
	int k;

	(void)state;
	assert_ok(feed_header(e, iv, false));
	feed_start(e, T0, 10, "app", "app", false);
	p = prow(10, 0, 1024);
	feed_sample(e, T0, &p, 1, NULL, 0);
	for (k = 0; k < 60; k++) {
		/* busy for 100-300 ms at one core, then idle 300-500 ms */
		int64_t b, w, end;

		lcg = lcg * 1103515245u + 12345u;
		b = (1 + (int64_t)(lcg >> 16) % 3) * iv;
		lcg = lcg * 1103515245u + 12345u;
		w = (3 + (int64_t)(lcg >> 16) % 3) * iv;
		feed_event(e, 10, 10, t, SWT_EV_BEGIN, "crunch", 0);
		for (end = t + b; next <= end; next += iv) {
			burnt += 10;	/* ticks of a busy 100 ms */
			p = prow(10, burnt, 1024);
			feed_sample(e, next, &p, 1, NULL, 0);
		}
		t = end;
		feed_event(e, 10, 10, t, SWT_EV_END, "crunch", 0);
		feed_event(e, 10, 10, t, SWT_EV_BEGIN, "idle_wait", 0);
		for (end = t + w; next <= end; next += iv) {
			p = prow(10, burnt, 1024);
			feed_sample(e, next, &p, 1, NULL, 0);
		}
		t = end;
		feed_event(e, 10, 10, t, SWT_EV_END, "idle_wait", 0);
	}
	assert_ok(swt_engine_finish(e, &res));
	busy = find_module(res, SWT_KIND_MODULE, "crunch");
	idle = find_module(res, SWT_KIND_MODULE, "idle_wait");
	assert_int_equal(busy->cpu_source, SWT_CPU_ESTIMATED);
	assert_true(busy->cpu_confidence_mpct >= 99900);
	assert_int_equal(idle->cpu_avg_mpct, 0);
	/* all the process's CPU */
	assert_int_equal(busy->cpu_avg_mpct,
			 find_module(res, SWT_KIND_PROCESS, "app")
				 ->cpu_avg_mpct);
	swt_engine_free(e);
}

/* Two threads: `renderer` is open the whole time on one, the other
 * alternates `parser` and `cache_loader`, and the RSS grows only while
 * cache_loader runs (readings at span boundaries and samples). Only
 * cache_loader is a leak; renderer, open all along, is not. */
static const struct swt_leak_result *find_leak(const struct swt_result *r,
					       enum swt_module_kind kind);

static void leak_lands_on_the_module_that_grows(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	const struct swt_module_result *m;
	const struct swt_leak_result *l;
	struct swt_proc_row p;
	int64_t t = T0, rss = 10240, next = T0 + S;
	uint32_t lcg = 7;
	size_t i;
	int k;

	(void)state;
	assert_ok(feed_header(e, S, false));
	feed_start(e, T0, 10, "app", "app", false);
	p = prow(10, 0, rss);
	feed_sample(e, T0, &p, 1, NULL, 0);
	feed_event(e, 10, 11, T0, SWT_EV_BEGIN, "renderer", 0);
	for (k = 0; k < 200; k++) {
		const char *name = k % 2 ? "cache_loader" : "parser";
		int64_t end;
		bool grows = k % 2;

		lcg = lcg * 1103515245u + 12345u;
		end = t + (150 + (int64_t)(lcg >> 16) % 1000) * 1000000;
		feed_event(e, 10, 12, t, SWT_EV_RSS, "", rss);
		feed_event(e, 10, 12, t, SWT_EV_BEGIN, name, 0);
		for (; next <= end; next += S) {
			if (grows)
				rss += (next - t) / 1000000; /* 1 KiB/ms */
			t = next;
			/* the sampler's reading is another approximation
			 * (/proc/PID/stat): 248 KiB below the client's */
			p = prow(10, 0, rss - 248);
			feed_sample(e, next, &p, 1, NULL, 0);
		}
		if (grows)
			rss += (end - t) / 1000000;
		t = end;
		feed_event(e, 10, 12, t, SWT_EV_END, name, 0);
		feed_event(e, 10, 12, t, SWT_EV_RSS, "", rss);
	}
	assert_ok(swt_engine_finish(e, &res));
	m = find_module(res, SWT_KIND_MODULE, "cache_loader");
	assert_int_equal(m->mem_attribution, SWT_MEM_ATTRIBUTED);
	assert_true(m->mem_confidence_mpct >= 99900);
	m = find_module(res, SWT_KIND_MODULE, "renderer");
	assert_int_equal(m->mem_attribution, SWT_MEM_NO_GROWTH);
	m = find_module(res, SWT_KIND_MODULE, "parser");
	assert_int_equal(m->mem_attribution, SWT_MEM_NO_GROWTH);
	l = find_leak(res, SWT_KIND_PROCESS);
	assert_non_null(l);
	assert_string_equal(l->attributed_to, "cache_loader");
	/* the process row's significance is its Mann-Kendall z */
	assert_false(l->attributed);
	assert_true(l->z_milli >= 2326);
	for (i = 0; i < res->n_leaks; i++)
		if (res->leaks[i].subj.kind == SWT_KIND_MODULE)
			assert_string_equal(res->leaks[i].subj.name,
					    "cache_loader");
	/* the module's is the attribution's test: a confidence, no z (a
	 * growth this exact once read z 1000.000, the statistic's cap) */
	l = find_leak(res, SWT_KIND_MODULE);
	assert_non_null(l);
	assert_true(l->attributed);
	assert_int_equal(l->z_milli, 0);
	assert_int_equal(l->confidence_mpct, 100000);
	/* and its advice says so: not "its memory grows ... from 0.0 MB" */
	for (i = 0; i < res->n_recommendations; i++)
		if (strcmp(res->recommendations[i].subject, "cache_loader") ==
		    0)
			break;
	assert_true(i < res->n_recommendations);
	assert_non_null(strstr(res->recommendations[i].text,
			       "': the growth of its process attributed to "
			       "it is "));
	assert_non_null(strstr(res->recommendations[i].text,
			       " MB over the session."));
	swt_engine_free(e);
}

/* total_weight is the sum over the process rows, which do not overlap. */
static void total_weight_counts_processes_once(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	struct swt_proc_row p[2];
	int64_t sum = 0;
	size_t i;
	int k;

	(void)state;
	assert_ok(feed_header(e, S, false));
	feed_start(e, T0, 10, "app", "app", false);
	feed_start(e, T0, 11, "worker", "worker", false);
	for (k = 0; k <= 10; k++) {
		if (k == 1)
			feed_event(e, 10, 10, T0 + S / 2, SWT_EV_BEGIN, "job",
				   0);
		p[0] = prow(10, 60 * k, 200 * 1024);
		p[1] = prow(11, 30 * k, 100 * 1024);
		feed_sample(e, T0 + k * S, p, 2, NULL, 0);
	}
	assert_ok(swt_engine_finish(e, &res));
	for (i = 0; i < res->n_modules; i++) {
		assert_int_equal(res->modules[i].in_total,
				 res->modules[i].subj.kind ==
					 SWT_KIND_PROCESS);
		if (res->modules[i].in_total)
			sum += res->modules[i].weight;
	}
	assert_true(find_module(res, SWT_KIND_MODULE, "job")->weight > 0);
	assert_int_equal(res->total_weight, sum);
	swt_engine_free(e);
}

/* A counter ticking 30 times a minute reports 30.0. */
static void counter_rate_per_minute(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	struct swt_proc_row p;
	int k;

	(void)state;
	assert_ok(feed_header(e, S, false));
	feed_start(e, T0, 10, "app", "app", false);
	for (k = 1; k <= 600; k++) {
		if (k % 2 == 0)
			feed_event(e, 10, 10, T0 + k * S - 1, SWT_EV_COUNT,
				   "ocr_call", 1);
		p = prow(10, k, 1024);
		feed_sample(e, T0 + k * S, &p, 1, NULL, 0);
	}
	feed_end(e, T0 + 600 * S);
	assert_ok(swt_engine_finish(e, &res));
	assert_int_equal(res->n_counters, 1);
	assert_string_equal(res->counters[0].name, "ocr_call");
	assert_int_equal(res->counters[0].count, 300);
	assert_int_equal(res->counters[0].per_min_milli, 30000);
	assert_true(res->counters[0].has_threshold);
	assert_int_equal(res->counters[0].threshold_milli, 10000);
	assert_true(res->counters[0].exceeded);
	/* the rate alert fires once, as soon as the window covers 10 s:
	 * 5 ticks in 10 s */
	assert_int_equal(res->alerts_total, 1);
	assert_int_equal(res->alerts[0].kind, SWT_ALERT_RATE);
	assert_int_equal(res->alerts[0].t_ns, 10 * S);
	assert_int_equal(res->alerts[0].value, 30000);
	assert_int_equal(res->counters[0].alerts, 1);
	assert_string_equal(res->counters[0].note, "");
	swt_engine_free(e);
}

/* A session like the demo's: 10 s sampled every 250 ms, ocr_call ticking
 * at 0, 2, 4, 6 and 8 s (30/min) or once (6/min) against 10/min; and one
 * 5 s long, and one with a burst at its start. Returns its result in *res
 * (borrowed from *out, to free). */
static void rate_session(struct swt_engine **out, const struct swt_result **res,
			 int64_t length, const int64_t *ticks, size_t n_ticks)
{
	struct swt_engine *e = new_engine(NULL);
	struct swt_proc_row p;
	int64_t t = T0 + S / 100;	/* swrec's first sample, 10 ms in */
	size_t i = 0;

	assert_ok(feed_header(e, S / 4, false));
	feed_start(e, T0, 10, "app", "app", false);
	for (; t < T0 + length + S / 4; t += S / 4) {
		for (; i < n_ticks && T0 + ticks[i] <= t; i++)
			feed_event(e, 10, 10, T0 + ticks[i], SWT_EV_COUNT,
				   "ocr_call", 1);
		p = prow(10, (t - T0) / (S / 25), 1024);	/* 25 % */
		feed_sample(e, t, &p, 1, NULL, 0);
	}
	feed_exit(e, T0 + length + S / 50, 10);
	feed_sample(e, T0 + length + S / 50, NULL, 0, NULL, 0);
	feed_end(e, T0 + length + S / 50);
	assert_ok(swt_engine_finish(e, res));
	assert_int_equal((*res)->n_counters, 1);
	*out = e;
}

/* The rate window is judged from 10 s on: a 10 s session at 30/min over
 * a limit of 10/min alerts (its counter exceeded), one at 6/min neither;
 * where the two still differ, the counter's note says why. */
static void rate_alert_in_a_10_s_session(void **state)
{
	static const int64_t thirty[] = { 0, 2 * S, 4 * S, 6 * S, 8 * S };
	static const int64_t six[] = { 3 * S };
	static const int64_t burst[] = { S, 2 * S, 3 * S };
	struct swt_engine *e;
	const struct swt_result *res;
	const struct swt_counter_result *c;

	(void)state;
	rate_session(&e, &res, 10 * S, thirty, 5);
	c = &res->counters[0];
	assert_true(c->exceeded);
	/* 5 ticks in the 10.02 s session */
	assert_int_equal(c->per_min_milli, 29940);
	assert_int_equal(c->alerts, 1);
	assert_string_equal(c->note, "");
	assert_int_equal(res->n_alerts, 1);
	assert_int_equal(res->alerts[0].kind, SWT_ALERT_RATE);
	assert_string_equal(res->alerts[0].subj.name, "ocr_call");
	/* the first sample with 10 s behind it: 10.01 s, 5 ticks */
	assert_int_equal(res->alerts[0].t_ns, 10 * S + S / 100);
	assert_int_equal(res->alerts[0].value, 29970);
	assert_int_equal(res->alerts[0].threshold, 10000);
	swt_engine_free(e);

	rate_session(&e, &res, 10 * S, six, 1);
	c = &res->counters[0];
	assert_false(c->exceeded);
	assert_int_equal(c->alerts, 0);
	assert_string_equal(c->note, "");
	assert_int_equal(res->n_alerts, 0);
	swt_engine_free(e);

	/* too short to judge a window: exceeded, no alert, said so */
	rate_session(&e, &res, 5 * S, thirty, 3);
	c = &res->counters[0];
	assert_true(c->exceeded);
	assert_int_equal(c->alerts, 0);
	assert_string_equal(c->note, "no rate alert: the session ended "
				     "before the rate window was judged");
	swt_engine_free(e);

	/* 3 ticks in the first 10 s of 2 minutes: 18/min over the first
	 * window, 1.5/min over the session */
	rate_session(&e, &res, 120 * S, burst, 3);
	c = &res->counters[0];
	assert_false(c->exceeded);
	assert_int_equal(c->alerts, 1);
	assert_string_equal(c->note, "above the limit over a window, not "
				     "over the session");
	swt_engine_free(e);
}

/* Weight = 0.4 cpu + 0.4 memory + 0.2 frequency, scores capped at 2. */
static void weight_and_priority(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	const struct swt_module_result *m;
	struct swt_proc_row p[2];
	int k;

	(void)state;
	assert_ok(feed_header(e, S, false));
	feed_start(e, T0, 10, "hot", "hot", false);
	feed_start(e, T0, 11, "idle", "idle", false);
	for (k = 1; k <= 10; k++) {
		p[0] = prow(10, 100 * k, 250 * 1024);	/* 100 %, 250 MB */
		p[1] = prow(11, 0, 1024);
		feed_sample(e, T0 + k * S, p, 2, NULL, 0);
	}
	feed_end(e, T0 + 10 * S);
	assert_ok(swt_engine_finish(e, &res));
	m = find_module(res, SWT_KIND_PROCESS, "hot");
	assert_int_equal(m->cpu_score, 1250);
	assert_int_equal(m->mem_score, 500);
	/* started once: no respawns, no frequency */
	assert_int_equal(m->freq_score, 0);
	assert_int_equal(m->weight, 700);
	assert_int_equal(m->priority, SWT_PRIO_HIGH);
	m = find_module(res, SWT_KIND_PROCESS, "idle");
	assert_int_equal(m->weight, 1);	/* 0.4 x 0.002 */
	assert_int_equal(m->priority, SWT_PRIO_LOW);
	assert_int_equal(res->total_weight, 701);
	assert_int_equal(swt_priority_of_weight(800), SWT_PRIO_CRITICAL);
	assert_int_equal(swt_priority_of_weight(799), SWT_PRIO_HIGH);
	assert_int_equal(swt_priority_of_weight(200), SWT_PRIO_MEDIUM);
	assert_int_equal(swt_priority_of_weight(199), SWT_PRIO_LOW);
	swt_engine_free(e);
}

static void modules_sorted_by_weight_then_name(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	struct swt_proc_row p[3];
	size_t i;
	int k;

	(void)state;
	assert_ok(feed_header(e, S, false));
	feed_start(e, T0, 10, "b", "b", true);
	feed_start(e, T0, 11, "a", "a", true);
	feed_start(e, T0, 12, "c", "c", true);
	for (k = 1; k <= 3; k++) {
		p[0] = prow(10, 10 * k, 1024);
		p[1] = prow(11, 10 * k, 1024);
		p[2] = prow(12, 50 * k, 1024);
		feed_sample(e, T0 + k * S, p, 3, NULL, 0);
	}
	assert_ok(swt_engine_finish(e, &res));
	assert_int_equal(res->n_modules, 3);
	assert_string_equal(res->modules[0].subj.name, "c");
	assert_string_equal(res->modules[1].subj.name, "a");
	assert_string_equal(res->modules[2].subj.name, "b");
	for (i = 1; i < res->n_modules; i++)
		assert_true(res->modules[i - 1].weight >=
			    res->modules[i].weight);
	swt_engine_free(e);
}

/* ---- alerts, spikes ------------------------------------------------------ */

struct alert_log {
	size_t n;
	struct swt_alert_result a[16];
};

static void log_alert(const struct swt_alert_result *a, void *payload)
{
	struct alert_log *log = payload;

	if (log->n < 16)
		log->a[log->n++] = *a;
}

struct event_log {
	size_t n;
	struct swt_engine_event ev[32];
	struct alert_log alerts;
};

static void log_event(const struct swt_engine_event *ev, void *payload)
{
	struct event_log *log = payload;

	if (log->n < 32)
		log->ev[log->n++] = *ev;
}

static void log_event_alert(const struct swt_alert_result *a, void *payload)
{
	struct event_log *log = payload;

	log_alert(a, &log->alerts);
}

/* An alert clears at the first judgement at or under its threshold after
 * it fired: the callback gets the alert as raised, the value and how long
 * it lasted. Still above at the end: no clear. */
static void alerts_clear_at_or_under_the_threshold(void **state)
{
	struct swt_engine_opts o;
	struct swt_engine *e;
	struct event_log log;
	const struct swt_result *res;
	struct swt_proc_row p;
	static const int64_t cpu[] = { 10, 90, 95, 80, 90 };
	int64_t ticks = 0;
	int k;

	(void)state;
	memset(&log, 0, sizeof(log));
	memset(&o, 0, sizeof(o));
	o.on_alert = log_event_alert;
	o.on_event = log_event;
	o.payload = &log;
	swt_engine_new(&e, &o);
	assert_ok(feed_header(e, S, false));
	feed_start(e, T0, 10, "spiky", "spiky", true);
	p = prow(10, 0, 1024);
	feed_sample(e, T0, &p, 1, NULL, 0);
	for (k = 0; k < 5; k++) {
		ticks += cpu[k];
		p = prow(10, ticks, k == 2 ? 600 * 1024 : 1024);
		feed_sample(e, T0 + (k + 1) * S, &p, 1, NULL, 0);
		if (k == 3)
			assert_int_equal(log.n, 2);	/* live */
		else if (k == 2)
			assert_int_equal(log.n, 0);
	}
	assert_ok(swt_engine_finish(e, &res));
	assert_int_equal(log.alerts.n, 3);
	/* at 4 s, CPU first (judged first in a sample), then memory */
	assert_int_equal(log.n, 2);
	/* CPU: 90 % at 2 s, 95 % at 3 s, exactly 80 % (not above) at 4 s:
	 * cleared after 2 s; 90 % again at 5 s is a new alert, still on */
	assert_int_equal(log.ev[0].kind, SWT_ENGINE_ALERT_CLEARED);
	assert_int_equal(log.ev[0].alert.kind, SWT_ALERT_CPU);
	assert_int_equal(log.ev[0].t_ns, 4 * S);
	assert_int_equal(log.ev[0].alert.t_ns, 2 * S);
	assert_int_equal(log.ev[0].alert.value, 90000);
	assert_int_equal(log.ev[0].duration_ns, 2 * S);
	assert_int_equal(log.ev[0].value, 80000);
	/* memory: 600 MB at 3 s, 1 MB at 4 s */
	assert_int_equal(log.ev[1].kind, SWT_ENGINE_ALERT_CLEARED);
	assert_int_equal(log.ev[1].alert.kind, SWT_ALERT_MEMORY);
	assert_int_equal(log.ev[1].t_ns, 4 * S);
	assert_int_equal(log.ev[1].alert.t_ns, 3 * S);
	assert_int_equal(log.ev[1].alert.value, 600000);
	assert_int_equal(log.ev[1].duration_ns, S);
	assert_int_equal(log.ev[1].value, 1000);
	assert_int_equal(log.ev[1].alert.threshold, 500000);
	assert_string_equal(log.ev[1].alert.subj.name, "spiky");
	assert_int_equal(res->n_alerts, 3);
	swt_engine_free(e);
}

/* Alerts fire when a process crosses a threshold upward, once per
 * crossing, through the callback as the samples come and in the result. */
static void alerts_fire_on_crossing(void **state)
{
	struct swt_engine_opts o;
	struct swt_engine *e;
	struct alert_log log;
	const struct swt_result *res;
	struct swt_proc_row p;
	static const int64_t cpu[] = { 10, 90, 95, 10, 90 };
	int64_t ticks = 0;
	int k;

	(void)state;
	memset(&log, 0, sizeof(log));
	memset(&o, 0, sizeof(o));
	o.on_alert = log_alert;
	o.payload = &log;
	swt_engine_new(&e, &o);
	assert_ok(feed_header(e, S, false));
	feed_start(e, T0, 10, "spiky", "spiky", true);
	p = prow(10, 0, 1024);
	feed_sample(e, T0, &p, 1, NULL, 0);
	for (k = 0; k < 5; k++) {
		ticks += cpu[k];
		p = prow(10, ticks, k == 2 ? 600 * 1024 : 1024);
		feed_sample(e, T0 + (k + 1) * S, &p, 1, NULL, 0);
		if (k == 1)
			assert_int_equal(log.n, 1);	/* live */
	}
	assert_ok(swt_engine_finish(e, &res));
	assert_int_equal(log.n, 3);
	assert_int_equal(res->n_alerts, 3);
	assert_int_equal(res->alerts[0].kind, SWT_ALERT_CPU);
	assert_int_equal(res->alerts[0].t_ns, 2 * S);
	assert_int_equal(res->alerts[0].value, 90000);
	assert_int_equal(res->alerts[0].threshold, 80000);
	assert_int_equal(res->alerts[1].kind, SWT_ALERT_MEMORY);
	assert_int_equal(res->alerts[1].t_ns, 3 * S);
	assert_int_equal(res->alerts[1].value, 600000);
	assert_int_equal(res->alerts[2].kind, SWT_ALERT_CPU);
	assert_int_equal(res->alerts[2].t_ns, 5 * S);
	assert_string_equal(res->alerts[2].subj.name, "spiky");
	swt_engine_free(e);
}

/* A spike: above the threshold and at least 1.5 x the history mean; its
 * start is the start of its first interval, the modules active at the
 * peak are listed biggest first. */
static void cpu_spike_with_active_modules(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	const struct swt_spike_result *sp = NULL;
	struct swt_proc_row p[2];
	int64_t a = 0, b = 0;
	size_t i;
	int k;

	(void)state;
	assert_ok(feed_header(e, S, false));
	feed_start(e, T0, 10, "base", "base", true);
	feed_start(e, T0, 11, "burst", "burst", true);
	p[0] = prow(10, 0, 1024);
	p[1] = prow(11, 0, 1024);
	feed_sample(e, T0, p, 2, NULL, 0);
	for (k = 1; k <= 20; k++) {
		a += 20;
		b += k >= 11 && k <= 13 ? (k == 12 ? 150 : 100) : 0;
		p[0] = prow(10, a, 1024);
		p[1] = prow(11, b, 1024);
		feed_sample(e, T0 + k * S, p, 2, NULL, 0);
	}
	assert_ok(swt_engine_finish(e, &res));
	for (i = 0; i < res->n_spikes; i++)
		if (res->spikes[i].subj.kind == SWT_KIND_SESSION &&
		    res->spikes[i].resource == SWT_RES_CPU)
			sp = &res->spikes[i];
	assert_non_null(sp);
	assert_int_equal(sp->start_ns, 10 * S);
	assert_int_equal(sp->duration_ns, 3 * S);
	assert_int_equal(sp->peak, 170000);
	assert_int_equal(sp->peak_t_ns, 12 * S);
	assert_int_equal(sp->baseline, 20000);
	assert_int_equal(sp->n_active, 2);
	assert_string_equal(sp->active[0], "burst");
	assert_string_equal(sp->active[1], "base");
	/* no memory spike: memory never moved */
	for (i = 0; i < res->n_spikes; i++)
		assert_int_equal(res->spikes[i].resource, SWT_RES_CPU);
	swt_engine_free(e);
}

/* ---- leaks and trend ------------------------------------------------------ */

typedef int64_t (*rss_fn)(int k);

static const struct swt_result *run_rss(struct swt_engine *e, rss_fn f,
					int n, int64_t interval)
{
	const struct swt_result *res;
	struct swt_proc_row p;
	int k;

	assert_ok(feed_header(e, interval, false));
	feed_start(e, T0, 10, "proc", "proc", true);
	for (k = 0; k < n; k++) {
		p = prow(10, k, f(k));
		feed_sample(e, T0 + k * interval, &p, 1, NULL, 0);
	}
	feed_end(e, T0 + (n - 1) * interval);
	assert_ok(swt_engine_finish(e, &res));
	return res;
}

static const struct swt_leak_result *find_leak(const struct swt_result *r,
					       enum swt_module_kind kind)
{
	size_t i;

	for (i = 0; i < r->n_leaks; i++)
		if (r->leaks[i].subj.kind == kind)
			return &r->leaks[i];
	return NULL;
}

/* 10 MB/min at 1 s: 10240/60 KiB a second, rounded to whole KiB. */
static int64_t ramp(int k)
{
	return 100 * 1024 + (k * 10240 + 30) / 60;
}

/* exactly linear: 1024 KiB every 6 s */
static int64_t ramp_exact(int k)
{
	return 50 * 1024 + k * 1024;
}

static void linear_ramp_is_a_10_mb_per_min_leak(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res = run_rss(e, ramp, 1800, S);
	const struct swt_leak_result *l = find_leak(res, SWT_KIND_PROCESS);

	(void)state;
	assert_non_null(l);
	/* within rounding of the KiB values; printed as 10.0 */
	assert_in_range(l->slope_mmb_per_min, 9995, 10005);
	assert_true(l->confidence_mpct >= 99000);
	/* the session is not tested for leaks, its trend says it */
	assert_null(find_leak(res, SWT_KIND_SESSION));
	assert_int_equal(res->trend.memory, SWT_DIR_INCREASING);
	assert_int_equal(res->trend.memory_slope_mmb_per_min / 100, 100);
	assert_int_equal(res->trend.overall, SWT_DIR_INCREASING);
	swt_engine_free(e);

	e = new_engine(NULL);
	res = run_rss(e, ramp_exact, 500, 6 * S);
	l = find_leak(res, SWT_KIND_PROCESS);
	assert_non_null(l);
	assert_int_equal(l->slope_mmb_per_min, 10000);
	assert_int_equal(l->confidence_mpct, 99998);
	swt_engine_free(e);
}

/* The leak test run while streaming (docs/analysis.md § 8): ramp_exact
 * at 6 s passes at the first test point, 8 values (42 s); the forecast
 * alert fires at the first test point whose forecast is within 30 min:
 * the level is 50 + k MB at sample k, so (450 - k) / 10 min <= 30 from
 * k = 150; the tests at 128 and 160 values (k = 127, 32.3 min; k = 159,
 * 29.1 min) put it at 954 s. At the end (k = 199, 249 MB) the forecast is
 * 25.1 min, its interval a point (every pair slope is 10 MB/min). */
static void leak_becomes_significant_and_forecast(void **state)
{
	struct swt_engine_opts o;
	struct swt_engine *e;
	struct event_log log;
	const struct swt_result *res;
	const struct swt_leak_result *l;
	const struct swt_forecast_result *f = NULL;
	const struct swt_alert_result *a;
	size_t i;

	(void)state;
	memset(&log, 0, sizeof(log));
	memset(&o, 0, sizeof(o));
	o.on_alert = log_event_alert;
	o.on_event = log_event;
	o.payload = &log;
	swt_engine_new(&e, &o);
	res = run_rss(e, ramp_exact, 200, 6 * S);
	/* leak and memory trend at 42 s, nothing at the end */
	assert_int_equal(log.n, 2);
	assert_int_equal(log.ev[0].kind, SWT_ENGINE_LEAK_SIGNIFICANT);
	assert_int_equal(log.ev[0].t_ns, 42 * S);
	assert_string_equal(log.ev[0].subj.name, "proc");
	assert_int_equal(log.ev[0].value, 10000);
	assert_int_equal(log.ev[0].z_milli, 3340);
	assert_int_equal(log.ev[1].kind, SWT_ENGINE_TREND_SIGNIFICANT);
	assert_int_equal(log.ev[1].t_ns, 42 * S);
	assert_int_equal(log.ev[1].resource, SWT_RES_MEMORY);
	assert_int_equal(log.ev[1].direction, SWT_DIR_INCREASING);
	l = find_leak(res, SWT_KIND_PROCESS);
	assert_non_null(l);
	assert_int_equal(l->significant_ns, 42 * S);
	/* the forecast alert, live and in the result */
	assert_int_equal(log.alerts.n, 1);
	a = &log.alerts.a[0];
	assert_int_equal(a->kind, SWT_ALERT_FORECAST);
	assert_int_equal(a->t_ns, 954 * S);
	assert_int_equal(a->value, 29100);
	assert_int_equal(a->threshold, 30000);
	assert_int_equal(a->eta_low, 29100);
	assert_int_equal(a->eta_high, 29100);
	assert_int_equal(a->level_mmb, 209000);
	assert_int_equal(a->target_mmb, 500000);
	assert_int_equal(res->n_alerts, 1);
	assert_int_equal(res->alerts[0].t_ns, 954 * S);
	assert_string_equal(swt_alert_unit(SWT_ALERT_FORECAST), "min");
	/* the report's forecasts: the process and the tree, same figures */
	assert_int_equal(res->n_forecasts, 2);
	for (i = 0; i < res->n_forecasts; i++)
		if (res->forecasts[i].subj.kind == SWT_KIND_PROCESS)
			f = &res->forecasts[i];
	assert_non_null(f);
	assert_int_equal(f->at_ns, 1194 * S);
	assert_int_equal(f->level_mmb, 249000);
	assert_int_equal(f->target_mmb, 500000);
	assert_int_equal(f->slope_mmb_per_min, 10000);
	assert_int_equal(f->slope_low_mmb_per_min, 10000);
	assert_int_equal(f->slope_high_mmb_per_min, 10000);
	assert_int_equal(f->eta_mmin, 25100);
	assert_int_equal(f->eta_low_mmin, 25100);
	assert_int_equal(f->eta_high_mmin, 25100);
	swt_engine_free(e);

	/* forecast_minutes 0: no forecast alert, the forecasts stay */
	{
		struct swt_thresholds th;
		char msg[128];

		swt_thresholds_init(&th);
		assert_ok(swt_thresholds_set_assignment(
			&th, "forecast_minutes=0", SWT_TH_OPTION, msg,
			sizeof(msg)));
		e = new_engine(&th);
		res = run_rss(e, ramp_exact, 200, 6 * S);
		assert_int_equal(res->n_alerts, 0);
		assert_int_equal(res->n_forecasts, 2);
		swt_engine_free(e);
		swt_thresholds_fini(&th);
	}
}

/* A noisy leak, one bucket a minute: 100 MB + 4 MB x (0 2 1 3 5 4 6 8 7
 * 9). Theil-Sen 4.0 MB/min over the 45 pair slopes; Var(S) = 125,
 * C = ceil(1.96 x 11.18) = 22: the slopes of ranks 11 and 35, 2.0 and
 * 5.0 MB/min. Level at 9 min: the median of the points moved along the
 * slope, 136.0 MB; 500 MB in (500 - 136) / 4 = 91.0 min, 72.8 to 182.0.
 * The leak test passes at its first test point, 8 values (7 min). */
static void forecast_interval_of_a_noisy_leak(void **state)
{
	static const int64_t mb4[] = { 0, 2, 1, 3, 5, 4, 6, 8, 7, 9 };
	struct swt_engine_opts o;
	struct swt_engine *e;
	struct event_log log;
	const struct swt_result *res;
	const struct swt_forecast_result *f;
	struct swt_proc_row p;
	int k;

	(void)state;
	memset(&log, 0, sizeof(log));
	memset(&o, 0, sizeof(o));
	o.on_alert = log_event_alert;
	o.on_event = log_event;
	o.payload = &log;
	swt_engine_new(&e, &o);
	assert_ok(feed_header(e, MIN, false));
	feed_start(e, T0, 10, "proc", "proc", true);
	for (k = 0; k < 10; k++) {
		p = prow(10, k, 100 * 1024 + mb4[k] * 4096);
		feed_sample(e, T0 + k * MIN, &p, 1, NULL, 0);
	}
	feed_end(e, T0 + 9 * MIN);
	assert_ok(swt_engine_finish(e, &res));
	assert_int_equal(res->n_leaks, 1);
	assert_int_equal(res->leaks[0].slope_mmb_per_min, 4000);
	assert_int_equal(res->leaks[0].z_milli, 3398);
	assert_int_equal(res->leaks[0].significant_ns, 7 * MIN);
	assert_int_equal(log.n, 2);
	assert_int_equal(log.ev[0].kind, SWT_ENGINE_LEAK_SIGNIFICANT);
	assert_int_equal(log.ev[0].t_ns, 7 * MIN);
	assert_int_equal(log.ev[0].z_milli, 2845);
	assert_int_equal(log.alerts.n, 0);	/* 91 min: beyond 30 */
	assert_int_equal(res->n_forecasts, 2);
	f = &res->forecasts[0];		/* the same series: equal times */
	assert_string_equal(f->subj.name, "proc");
	assert_int_equal(f->at_ns, 9 * MIN);
	assert_int_equal(f->level_mmb, 136000);
	assert_int_equal(f->slope_mmb_per_min, 4000);
	assert_int_equal(f->slope_low_mmb_per_min, 2000);
	assert_int_equal(f->slope_high_mmb_per_min, 5000);
	assert_int_equal(f->eta_mmin, 91000);
	assert_int_equal(f->eta_low_mmin, 72800);
	assert_int_equal(f->eta_high_mmin, 182000);
	swt_engine_free(e);
}

/* A leak only the final test finds still has its event, from finish, at
 * the series' last value: 100 MB + 4 MB x (0 2 1 3 2 4 3 3 12), one a
 * minute. At the one test point (8 values) the last two quarters are
 * equal (no leak, z 1.925); the ninth value makes them rise (z 2.461,
 * 2.0 MB/min). A decreasing tree announces its direction. */
static int64_t shrinking(int k)
{
	return 400 * 1024 - k * 100;
}

static void late_leak_and_decreasing_trend_events(void **state)
{
	static const int64_t mb4[] = { 0, 2, 1, 3, 2, 4, 3, 3, 12 };
	struct swt_engine_opts o;
	struct swt_engine *e;
	struct event_log log;
	const struct swt_result *res;
	struct swt_proc_row p;
	int k;

	(void)state;
	memset(&log, 0, sizeof(log));
	memset(&o, 0, sizeof(o));
	o.on_event = log_event;
	o.payload = &log;
	swt_engine_new(&e, &o);
	assert_ok(feed_header(e, MIN, false));
	feed_start(e, T0, 10, "proc", "proc", true);
	for (k = 0; k < 9; k++) {
		p = prow(10, k, 100 * 1024 + mb4[k] * 4096);
		feed_sample(e, T0 + k * MIN, &p, 1, NULL, 0);
	}
	feed_end(e, T0 + 8 * MIN);
	assert_int_equal(log.n, 0);
	assert_ok(swt_engine_finish(e, &res));
	assert_int_equal(res->n_leaks, 1);
	assert_int_equal(res->leaks[0].z_milli, 2461);
	assert_int_equal(res->leaks[0].slope_mmb_per_min, 2000);
	assert_int_equal(res->leaks[0].significant_ns, 8 * MIN);
	assert_int_equal(log.n, 2);
	assert_int_equal(log.ev[0].kind, SWT_ENGINE_LEAK_SIGNIFICANT);
	assert_int_equal(log.ev[0].t_ns, 8 * MIN);
	assert_int_equal(log.ev[0].value, 2000);
	assert_int_equal(log.ev[1].kind, SWT_ENGINE_TREND_SIGNIFICANT);
	assert_int_equal(log.ev[1].t_ns, 8 * MIN);
	assert_int_equal(log.ev[1].direction, SWT_DIR_INCREASING);
	swt_engine_free(e);

	memset(&log, 0, sizeof(log));
	swt_engine_new(&e, &o);
	res = run_rss(e, shrinking, 600, S);
	assert_int_equal(res->trend.memory, SWT_DIR_DECREASING);
	assert_int_equal(log.n, 1);
	assert_int_equal(log.ev[0].kind, SWT_ENGINE_TREND_SIGNIFICANT);
	assert_int_equal(log.ev[0].direction, SWT_DIR_DECREASING);
	assert_int_equal(log.ev[0].resource, SWT_RES_MEMORY);
	assert_int_equal(log.ev[0].t_ns, 7 * S);	/* 8 values */
	assert_int_equal(res->n_forecasts, 0);
	swt_engine_free(e);
}

static int64_t sawtooth(int k)
{
	/* grows 2 MB a minute for 5 minutes, then frees it all */
	return 200 * 1024 + (k % 300) * 2048 / 60;
}

static int64_t one_time_allocation(int k)
{
	return k < 700 ? 100 * 1024 : 300 * 1024;
}

static int64_t plateau(int k)
{
	/* warms a cache for 10 minutes, then stays flat for 20 */
	return 100 * 1024 + (k < 600 ? k : 600) * 100;
}

static int64_t flat_with_noise(int k)
{
	return 100 * 1024 + ((k * 7919) % 13) * 50;
}

static void not_leaks(void **state)
{
	static const rss_fn fns[] = { sawtooth, one_time_allocation, plateau,
				      flat_with_noise };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		struct swt_engine *e = new_engine(NULL);
		const struct swt_result *res = run_rss(e, fns[i], 1800, S);

		if (res->n_leaks) {
			print_error("case %zu: leak of %lld mMB/min reported\n",
				    i,
				    (long long)res->leaks[0].slope_mmb_per_min);
			fail();
		}
		swt_engine_free(e);
	}
}

/* A build's memory (MB), a sample a second: compilers come and go. */
static int64_t comings_and_goings(int k)
{
	static const int64_t mb[] = { 100, 300, 150, 400, 120, 380,
				      260, 90,  160, 450, 180, 300 };

	return mb[k % 12] * 1024;
}

static void trend_decreasing_and_stable(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;

	(void)state;
	res = run_rss(e, flat_with_noise, 600, S);
	assert_int_equal(res->trend.memory, SWT_DIR_STABLE);
	assert_int_equal(res->trend.overall, SWT_DIR_STABLE);
	swt_engine_free(e);
	/* a fitted slope far above the minimum, not significant: neither
	 * a direction nor "stable" */
	e = new_engine(NULL);
	res = run_rss(e, comings_and_goings, 12, S);
	print_message("# slope %lld mMB/min, z %lld\n",
		      (long long)res->trend.memory_slope_mmb_per_min,
		      (long long)res->trend.memory_z_milli);
	/* Theil-Sen: 8 MB a second; Mann-Kendall z 0.69 */
	assert_true(res->trend.memory_slope_mmb_per_min >= 100000);
	assert_int_equal(res->trend.memory, SWT_DIR_FLUCTUATING);
	assert_int_equal(res->trend.overall, SWT_DIR_FLUCTUATING);
	swt_engine_free(e);
	/* too few points to test a direction (4): a slope that large is
	 * no "stable" either (a sort of 2.5 s read "stable" beside 4 557
	 * MB/min); a flat one is */
	e = new_engine(NULL);
	res = run_rss(e, ramp, 4, S);
	assert_true(res->trend.memory_slope_mmb_per_min >= 500);
	assert_int_equal(res->trend.memory, SWT_DIR_FLUCTUATING);
	assert_int_equal(res->trend.overall, SWT_DIR_FLUCTUATING);
	swt_engine_free(e);
	e = new_engine(NULL);
	res = run_rss(e, flat_with_noise, 4, S);
	assert_int_equal(res->trend.memory, SWT_DIR_STABLE);
	assert_int_equal(res->trend.overall, SWT_DIR_STABLE);
	swt_engine_free(e);
}

/* ---- thresholds ---------------------------------------------------------- */

static void threshold_keys_and_errors(void **state)
{
	struct swt_thresholds th;
	char msg[256];

	(void)state;
	swt_thresholds_init(&th);
	assert_int_equal(th.v[SWT_TH_MEMORY_MB], 500000);
	assert_int_equal(th.v[SWT_TH_CPU_PERCENT], 80000);
	assert_int_equal(th.v[SWT_TH_HISTORY_SAMPLES], 100);
	assert_int_equal(swt_thresholds_rate(&th, "ocr_call"), 10000);
	assert_int_equal(swt_thresholds_rate(&th, "event_listener"), 50000);
	assert_int_equal(swt_thresholds_rate(&th, "other"), -1);
	assert_ok(swt_thresholds_set_assignment(&th, "cpu_percent=150.5",
						SWT_TH_OPTION, msg,
						sizeof(msg)));
	assert_int_equal(th.v[SWT_TH_CPU_PERCENT], 150500);
	assert_int_equal(th.src[SWT_TH_CPU_PERCENT], SWT_TH_OPTION);
	assert_ok(swt_thresholds_set_assignment(&th, "ocr_per_minute=12",
						SWT_TH_OPTION, msg,
						sizeof(msg)));
	assert_int_equal(swt_thresholds_rate(&th, "ocr_call"), 12000);
	assert_ok(swt_thresholds_set_assignment(&th, "rate.clicks=5",
						SWT_TH_OPTION, msg,
						sizeof(msg)));
	assert_int_equal(swt_thresholds_rate(&th, "clicks"), 5000);
	assert_status(SWT_EINVAL, swt_thresholds_set_assignment(
					  &th, "cpu_percent=-1", SWT_TH_OPTION,
					  msg, sizeof(msg)));
	assert_contains(msg, "cpu_percent");
	assert_status(SWT_EINVAL, swt_thresholds_set_assignment(
					  &th, "cpu_percent=1.2345",
					  SWT_TH_OPTION, msg, sizeof(msg)));
	assert_status(SWT_EINVAL, swt_thresholds_set_assignment(
					  &th, "bogus=1", SWT_TH_OPTION, msg,
					  sizeof(msg)));
	assert_contains(msg, "unknown key 'bogus'");
	assert_status(SWT_EINVAL, swt_thresholds_set_assignment(
					  &th, "memory_mb", SWT_TH_OPTION, msg,
					  sizeof(msg)));
	assert_status(SWT_EINVAL, swt_thresholds_set_assignment(
					  &th, "history_samples=1.5",
					  SWT_TH_OPTION, msg, sizeof(msg)));
	assert_status(SWT_EINVAL, swt_thresholds_set_assignment(
					  &th, "history_samples=1",
					  SWT_TH_OPTION, msg, sizeof(msg)));
	assert_ok(swt_thresholds_set_assignment(&th,
						"heavy_patterns=*OCR*,vision?",
						SWT_TH_OPTION, msg,
						sizeof(msg)));
	assert_true(swt_thresholds_heavy_match(&th, "run_ocr_page", NULL));
	assert_true(swt_thresholds_heavy_match(&th, "vision1", NULL));
	assert_false(swt_thresholds_heavy_match(&th, "vision", NULL));
	assert_false(swt_thresholds_heavy_match(&th, "image", NULL));
	swt_thresholds_fini(&th);
}

static void config_file_is_strict(void **state)
{
	static const char good[] = "# thresholds\n"
				   "memory_mb = 256\n"
				   "\n"
				   "  cpu_percent=50   \r\n"
				   "rate.clicks = 2.5\n";
	static const char unknown[] = "memory_mb = 256\nfoo = 1\n";
	static const char dup[] = "ocr_per_minute = 1\n\nrate.ocr_call = 2\n";
	static const char noeq[] = "memory_mb 256\n";
	static const char badval[] = "\n\n\nmemory_mb = lots\n";
	struct swt_thresholds th;
	char msg[256];

	(void)state;
	swt_thresholds_init(&th);
	assert_ok(swt_thresholds_load(&th, good, sizeof(good) - 1, "a.conf",
				      msg, sizeof(msg)));
	assert_int_equal(th.v[SWT_TH_MEMORY_MB], 256000);
	assert_int_equal(th.src[SWT_TH_MEMORY_MB], SWT_TH_CONFIG);
	assert_int_equal(th.v[SWT_TH_CPU_PERCENT], 50000);
	assert_int_equal(swt_thresholds_rate(&th, "clicks"), 2500);
	assert_status(SWT_EINVAL,
		      swt_thresholds_load(&th, unknown, sizeof(unknown) - 1,
					  "b.conf", msg, sizeof(msg)));
	assert_string_equal(msg, "b.conf:2: unknown key 'foo'");
	assert_status(SWT_EINVAL, swt_thresholds_load(&th, dup,
						      sizeof(dup) - 1,
						      "c.conf", msg,
						      sizeof(msg)));
	assert_string_equal(msg, "c.conf:3: 'rate.ocr_call' already set on "
				 "line 1");
	assert_status(SWT_EINVAL, swt_thresholds_load(&th, noeq,
						      sizeof(noeq) - 1,
						      "d.conf", msg,
						      sizeof(msg)));
	assert_string_equal(msg, "d.conf:1: expected KEY = VALUE");
	assert_status(SWT_EINVAL,
		      swt_thresholds_load(&th, badval, sizeof(badval) - 1,
					  "e.conf", msg, sizeof(msg)));
	assert_contains(msg, "e.conf:4: bad value for memory_mb: 'lots'");
	/* nothing of a failed file is applied */
	assert_int_equal(th.v[SWT_TH_MEMORY_MB], 256000);
	assert_status(SWT_EIO, swt_thresholds_load_file(
				       &th, "/nonexistent/swt.conf", msg,
				       sizeof(msg)));
	assert_contains(msg, "/nonexistent/swt.conf");
	swt_thresholds_fini(&th);
}

static void thresholds_change_the_analysis(void **state)
{
	struct swt_thresholds th;
	struct swt_engine *e;
	const struct swt_result *res;
	struct swt_proc_row p;
	char msg[128];
	int k;

	(void)state;
	swt_thresholds_init(&th);
	assert_ok(swt_thresholds_set(&th, "cpu_percent", "25", SWT_TH_OPTION,
				     msg, sizeof(msg)));
	e = new_engine(&th);
	swt_thresholds_fini(&th);	/* the engine keeps a copy */
	assert_ok(feed_header(e, S, false));
	feed_start(e, T0, 10, "p", "p", true);
	for (k = 0; k <= 4; k++) {
		p = prow(10, 50 * k, 0);
		feed_sample(e, T0 + k * S, &p, 1, NULL, 0);
	}
	assert_ok(swt_engine_finish(e, &res));
	assert_int_equal(res->modules[0].cpu_score, 2000);	/* capped */
	assert_int_equal(res->thresholds->v[SWT_TH_CPU_PERCENT], 25000);
	assert_int_equal(res->n_alerts, 1);
	swt_engine_free(e);
}

/* ---- robustness ----------------------------------------------------------- */

static void header_first_and_once(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	struct swt_record r;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.kind = SWT_REC_SAMPLE;
	assert_status(SWT_EINVAL, swt_engine_feed(e, &r));
	assert_contains(swt_engine_errmsg(e), "header");
	assert_status(SWT_EINVAL, swt_engine_finish(e, &res));
	assert_ok(feed_header(e, S, false));
	assert_status(SWT_EINVAL, feed_header(e, S, false));
	assert_ok(swt_engine_finish(e, &res));
	assert_int_equal(res->n_modules, 0);
	assert_int_equal(res->session.duration_ns, 0);
	assert_status(SWT_EINVAL, swt_engine_feed(e, &r));
	swt_engine_free(e);
	swt_engine_free(NULL);

	e = new_engine(NULL);
	memset(&r, 0, sizeof(r));
	r.kind = SWT_REC_HEADER;
	assert_status(SWT_ECORRUPT, swt_engine_feed(e, &r));
	swt_engine_free(e);
}

/* Rows of a pid whose ProcStart was lost become "[pid N]". */
static void unknown_pid_gets_an_anonymous_identity(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	struct swt_proc_row p;

	(void)state;
	assert_ok(feed_header(e, S, false));
	p = prow(77, 0, 1024);
	feed_sample(e, T0 + S, &p, 1, NULL, 0);
	p = prow(77, 100, 1024);
	feed_sample(e, T0 + 2 * S, &p, 1, NULL, 0);
	assert_ok(swt_engine_finish(e, &res));
	assert_int_equal(res->n_modules, 1);
	assert_string_equal(res->modules[0].subj.name, "[pid 77]");
	assert_int_equal(res->modules[0].cpu_avg_mpct, 100000);
	swt_engine_free(e);
}

/* A launched session whose first sample comes 0.3 s after the start (a
 * slow first scan of a big machine, at 1 s): the processes born since the
 * start take no base from it, the next interval reaches back to the
 * start, and their CPU from their start counts, threads included: 2.3 s
 * of CPU, 100 % over 2.3 s. It was a baseline, and its 0.3 s of CPU were
 * lost. In attach mode the processes are older than the session: it
 * stays a baseline. */
static void a_launched_sessions_short_first_sample_loses_no_cpu(
	void **state)
{
	int mode;

	(void)state;
	for (mode = 0; mode < 2; mode++) {
		struct tree_points l = { .n = 0 };
		struct swt_engine_opts o;
		struct swt_engine *e;
		const struct swt_result *res;
		const struct swt_module_result *m;
		struct swt_proc_row p;
		struct swt_thread_row t[2];
		int k;

		memset(&o, 0, sizeof(o));
		o.on_usage = log_tree_points;
		o.payload = &l;
		swt_engine_new(&e, &o);

		assert_ok(feed_header_mode(e, S, true,
					   mode ? SWT_MODE_ATTACH :
						  SWT_MODE_LAUNCH));
		feed_start(e, T0, 10, "app", "app", mode == 1);
		for (k = 0; k <= 2; k++) {
			/* two threads: "app" 10 %, "worker" 90 % */
			t[0] = (struct swt_thread_row){ 10, 10, "app",
							3 + 10 * k, 0 };
			t[1] = (struct swt_thread_row){ 11, 10, "worker",
							27 + 90 * k, 0 };
			p = prow(10, 30 + 100 * k, 4096);
			feed_sample(e, T0 + 3 * S / 10 + k * S, &p, 1, t, 2);
		}
		feed_end(e, T0 + 3 * S / 10 + 2 * S);
		assert_ok(swt_engine_finish(e, &res));
		m = find_module(res, SWT_KIND_PROCESS, "app");
		assert_int_equal(m->cpu_ms, mode ? 2000 : 2300);
		assert_int_equal(m->cpu_avg_mpct, 100000);
		assert_int_equal(res->session.cpu_ms, mode ? 2000 : 2300);
		assert_int_equal(res->session.cpu_avg_mpct, 100000);
		m = find_module(res, SWT_KIND_THREAD, "worker");
		assert_int_equal(m->cpu_ms, mode ? 1800 : 2070);
		assert_int_equal(m->cpu_avg_mpct, 90000);
		m = find_module(res, SWT_KIND_THREAD, "app");
		assert_int_equal(m->cpu_ms, mode ? 200 : 230);
		/* over time, each point ends at a sample: launched, the
		 * first from the start to the first sample, the second from
		 * there, both at 100 % */
		if (mode == 0) {
			assert_int_equal(l.n, 3);
			assert_int_equal(l.from[0], 0);
			assert_int_equal(l.to[0], 3 * S / 10);
			assert_int_equal(l.from[1], 3 * S / 10);
			assert_int_equal(l.to[1], 13 * S / 10);
			assert_int_equal(l.mpct[0], 100000);
			assert_int_equal(l.mpct[1], 100000);
		} else {
			assert_int_equal(l.n, 2);
			assert_int_equal(l.from[0], 3 * S / 10);
		}
		swt_engine_free(e);
	}
}

/* A first interval shorter than half the sampling interval is a baseline
 * only: one tick in 10 ms is no 100 % peak, no alert, no spike baseline. */
static void short_first_interval_is_a_baseline(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	const struct swt_module_result *m;
	struct swt_proc_row p;
	int i;

	(void)state;
	assert_ok(feed_header(e, S, false));
	feed_start(e, T0, 10, "busy", "busy", false);
	p = prow(10, 1, 2048);
	feed_sample(e, T0 + S / 100, &p, 1, NULL, 0);
	for (i = 1; i <= 10; i++) {
		p = prow(10, 1 + 50 * i, 2048);
		feed_sample(e, T0 + S / 100 + i * S, &p, 1, NULL, 0);
	}
	feed_end(e, T0 + S / 100 + 10 * S);
	assert_ok(swt_engine_finish(e, &res));
	m = find_module(res, SWT_KIND_PROCESS, "busy");
	assert_int_equal(m->cpu_avg_mpct, 50000);
	assert_int_equal(m->cpu_peak_mpct, 50000);
	assert_int_equal(m->mem_avg_mmb, 2000);
	assert_int_equal(res->n_alerts, 0);
	assert_int_equal(res->n_spikes, 0);
	swt_engine_free(e);
}

/* An exec (a ProcStart for a live pid with the same start_ticks and a new
 * identity): the process ends as "sh" and goes on as "sleep", its CPU
 * counted once, and the exec is not a start. */
static void exec_continues_under_the_new_identity(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	const struct swt_module_result *m;
	struct swt_proc_row p;

	(void)state;
	assert_ok(feed_header(e, S, false));
	feed_start(e, T0, 10, "sh", "sh", false);
	p = prow(10, 10, 1024);
	feed_sample(e, T0 + S, &p, 1, NULL, 0);
	feed_start(e, T0 + S + 1, 10, "sleep", "sleep", false);
	p = prow(10, 30, 2048);
	feed_sample(e, T0 + 2 * S, &p, 1, NULL, 0);
	p = prow(10, 50, 2048);
	feed_sample(e, T0 + 3 * S, &p, 1, NULL, 0);
	/* the same process announced again changes nothing */
	feed_start(e, T0 + 3 * S + 1, 10, "sleep", "sleep", false);
	feed_exit(e, T0 + 3 * S + 2, 10);
	feed_end(e, T0 + 3 * S + 2);
	assert_ok(swt_engine_finish(e, &res));
	assert_int_equal(res->n_modules, 2);
	m = find_module(res, SWT_KIND_PROCESS, "sh");
	assert_int_equal(m->instances, 1);
	assert_int_equal(m->cpu_avg_mpct, 10000);
	assert_int_equal(m->mem_avg_mmb, 1000);
	assert_int_equal(m->calls, 0);
	m = find_module(res, SWT_KIND_PROCESS, "sleep");
	assert_int_equal(m->instances, 1);
	/* 40 ticks over 2 s: not 50 (the ticks before the exec) */
	assert_int_equal(m->cpu_avg_mpct, 20000);
	assert_int_equal(m->mem_avg_mmb, 2000);
	assert_int_equal(m->calls, 0);
	assert_int_equal(res->session.processes, 1);
	swt_engine_free(e);
}

/* The order swrec writes for `sh -c 'exec env python3 app.py'` (checked
 * with swreplay --dump): each exec is announced by a ProcStart at the
 * first sample after it, and the events python3 sent before that sample
 * come first, under the previous identity (env). They are python3's: its
 * modules go to python3 with their open spans, none is left under the
 * wrapper. A module an instrumented program began before its last row
 * (confirmed by the recorder before the exec) stays with it. */
static void events_before_an_exec_belong_to_the_new_program(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	const struct swt_module_result *m;
	struct swt_proc_row p[2];
	size_t i, n_mod = 0;

	(void)state;
	assert_ok(feed_header(e, S, false));
	feed_start(e, T0, 30, "sh", "sh -c exec env python3 app.py", false);
	feed_start(e, T0, 40, "tool", "tool", false);
	feed_event(e, 40, 40, T0 + S / 2, SWT_EV_BEGIN, "prep", 0);
	feed_event(e, 40, 40, T0 + S / 2 + 1, SWT_EV_END, "prep", 0);
	p[0] = prow(30, 0, 1024);
	p[1] = prow(40, 0, 1024);
	feed_sample(e, T0 + S, p, 2, NULL, 0);
	feed_start(e, T0 + 2 * S, 30, "env", "env python3 app.py", false);
	feed_sample(e, T0 + 2 * S, p, 2, NULL, 0);
	/* python3 (still "env" in the file) and tool, before the exec's
	 * announcement */
	feed_event(e, 30, 30, T0 + 2 * S + S / 2, SWT_EV_BEGIN, "work", 0);
	feed_event(e, 30, 30, T0 + 2 * S + S / 2, SWT_EV_COUNT, "frames", 1);
	feed_event(e, 40, 40, T0 + 2 * S + S / 2, SWT_EV_BEGIN, "late", 0);
	feed_event(e, 40, 40, T0 + 2 * S + S / 2 + 1, SWT_EV_END, "late", 0);
	feed_start(e, T0 + 3 * S, 30, "python3", "python3 app.py", false);
	feed_start(e, T0 + 3 * S, 40, "worker", "worker", false);
	p[0] = prow(30, 100, 8192);
	p[1] = prow(40, 0, 1024);
	feed_sample(e, T0 + 3 * S, p, 2, NULL, 0);
	feed_event(e, 30, 30, T0 + 3 * S + S / 2, SWT_EV_END, "work", 0);
	p[0] = prow(30, 200, 8192);
	feed_sample(e, T0 + 4 * S, p, 2, NULL, 0);
	feed_exit(e, T0 + 4 * S + 1, 30);
	feed_exit(e, T0 + 4 * S + 1, 40);
	feed_sample(e, T0 + 4 * S + 2, NULL, 0, NULL, 0);
	feed_end(e, T0 + 4 * S + 2);
	assert_ok(swt_engine_finish(e, &res));
	for (i = 0; i < res->n_modules; i++) {
		const struct swt_module_result *r = &res->modules[i];

		if (r->subj.kind != SWT_KIND_MODULE)
			continue;
		n_mod++;
		if (strcmp(r->subj.name, "prep") == 0)
			assert_string_equal(r->subj.process, "tool");
		else if (strcmp(r->subj.name, "late") == 0)
			assert_string_equal(r->subj.process, "worker");
		else
			assert_string_equal(r->subj.process, "python3");
	}
	assert_int_equal(n_mod, 3);
	m = find_module(res, SWT_KIND_MODULE, "work");
	assert_string_equal(m->subj.command, "python3 app.py");
	assert_int_equal(m->calls, 1);
	assert_int_equal(m->instances, 1);
	/* its span, begun before the announcement, kept: open 0.5 s of each
	 * of python3's two intervals, 100 ticks each shared by overlap */
	assert_int_equal(m->cpu_avg_mpct, 50000);
	/* no RSS change while python3 ran: no memory lands on it */
	assert_int_not_equal(m->mem_attribution, SWT_MEM_ATTRIBUTED);
	m = find_module(res, SWT_KIND_MODULE, "late");
	assert_int_equal(m->calls, 1);
	assert_int_equal(m->instances, 1);
	assert_int_equal(find_module(res, SWT_KIND_PROCESS, "python3")
				 ->cpu_avg_mpct,
			 100000);
	assert_int_equal(res->n_counters, 1);
	assert_int_equal(res->session.span_anomalies, 0);
	assert_int_equal(res->session.processes, 2);
	swt_engine_free(e);
}

/* Events that reach the file before their process's ProcStart are adopted
 * by the real identity: no "[pid N]", the first span kept. */
static void events_before_proc_start_are_adopted(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	const struct swt_module_result *m;
	struct swt_proc_row p;

	(void)state;
	assert_ok(feed_header(e, S, false));
	feed_event(e, 20, 20, T0 + S / 4, SWT_EV_BEGIN, "work", 0);
	feed_start(e, T0 + S / 4 + 1, 20, "app", "app", false);
	p = prow(20, 10, 1024);
	feed_sample(e, T0 + S, &p, 1, NULL, 0);
	feed_event(e, 20, 20, T0 + S + S / 2, SWT_EV_END, "work", 0);
	feed_event(e, 20, 20, T0 + S + S / 2, SWT_EV_BEGIN, "work", 0);
	feed_event(e, 20, 20, T0 + 2 * S, SWT_EV_END, "work", 0);
	p = prow(20, 20, 1024);
	feed_sample(e, T0 + 2 * S, &p, 1, NULL, 0);
	feed_end(e, T0 + 2 * S);
	assert_ok(swt_engine_finish(e, &res));
	assert_int_equal(res->n_modules, 2);
	m = find_module(res, SWT_KIND_MODULE, "work");
	assert_string_equal(m->subj.process, "app");
	assert_int_equal(m->calls, 2);
	assert_int_equal(m->instances, 1);
	/* open 3/4 of the first interval (its span, begun before the
	 * ProcStart, kept) and all of the second; without thread rows the
	 * process's ticks are shared by overlap: 7.5 + 10 ticks in 2 s */
	assert_int_equal(m->cpu_avg_mpct, 8750);
	m = find_module(res, SWT_KIND_PROCESS, "app");
	assert_int_equal(m->instances, 1);
	assert_int_equal(m->cpu_avg_mpct, 10000);
	assert_int_equal(res->session.span_anomalies, 0);
	swt_engine_free(e);
}

/* A row with RSS 0 and VSZ 0 (a process read while it exits) is no
 * memory observation; its CPU still counts. */
static void exiting_row_is_no_memory_observation(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	const struct swt_module_result *m;
	struct swt_proc_row p;
	int i;

	(void)state;
	assert_ok(feed_header(e, S, false));
	feed_start(e, T0, 10, "busy", "busy", false);
	for (i = 1; i <= 4; i++) {
		p = prow(10, 50 * i, 2048);
		p.vsz_kib = 4096;
		feed_sample(e, T0 + i * S, &p, 1, NULL, 0);
	}
	p = prow(10, 250, 0);
	feed_sample(e, T0 + 5 * S, &p, 1, NULL, 0);
	feed_exit(e, T0 + 5 * S + 1, 10);
	feed_end(e, T0 + 5 * S + 1);
	assert_ok(swt_engine_finish(e, &res));
	m = find_module(res, SWT_KIND_PROCESS, "busy");
	assert_int_equal(m->cpu_avg_mpct, 50000);
	assert_int_equal(m->mem_avg_mmb, 2000);
	assert_int_equal(res->session.mem_end_mmb, 2000);
	assert_int_equal(res->session.mem_avg_mmb, 2000);
	swt_engine_free(e);
}

/* A span whose end was lost in a damaged chunk is closed at the last
 * record before the gap: it gets no CPU after it. */
static void gap_closes_open_spans(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	struct swt_proc_row p;
	int k;

	(void)state;
	assert_ok(feed_header(e, S, false));
	feed_start(e, T0, 10, "app", "app", false);
	p = prow(10, 0, 1024);
	feed_sample(e, T0, &p, 1, NULL, 0);
	feed_event(e, 10, 10, T0, SWT_EV_BEGIN, "job", 0);
	for (k = 1; k <= 10; k++) {
		if (k == 3)
			swt_engine_note_gap(e);	/* the end was lost */
		p = prow(10, 100 * k, 1024);
		feed_sample(e, T0 + k * S, &p, 1, NULL, 0);
	}
	assert_ok(swt_engine_finish(e, &res));
	/* open during the first 2 of 10 s at 100 % */
	assert_int_equal(find_module(res, SWT_KIND_MODULE, "job")
				 ->cpu_avg_mpct,
			 20000);
	assert_int_equal(res->session.span_anomalies, 0);
	swt_engine_free(e);
}

/* Events older than the last sample (a batch written late) count as of
 * that sample; records out of time order do not break anything. */
static void late_events_count_from_the_last_sample(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	struct swt_proc_row p;

	(void)state;
	assert_ok(feed_header(e, S, false));
	feed_start(e, T0, 10, "app", "app", false);
	p = prow(10, 0, 1024);
	feed_sample(e, T0 + S, &p, 1, NULL, 0);
	p = prow(10, 100, 1024);
	feed_sample(e, T0 + 2 * S, &p, 1, NULL, 0);
	/* began at 1.5 s, but arrives after the 2 s sample */
	feed_event(e, 10, 10, T0 + S + S / 2, SWT_EV_BEGIN, "late", 0);
	feed_event(e, 10, 10, T0 + 2 * S + S / 2, SWT_EV_END, "late", 0);
	p = prow(10, 200, 1024);
	feed_sample(e, T0 + 3 * S, &p, 1, NULL, 0);
	assert_ok(swt_engine_finish(e, &res));
	/* 0.5 s of the 2-3 s interval: 50 of its 100 ticks; over the 3 s
	 * the process was observed (it started at the session start) */
	assert_int_equal(find_module(res, SWT_KIND_MODULE, "late")
				 ->cpu_peak_mpct,
			 50000);
	assert_int_equal(find_module(res, SWT_KIND_MODULE, "late")
				 ->cpu_avg_mpct,
			 16667);
	swt_engine_free(e);
}

/* Deadlines on the grid of the first sample's scheduled time: a gap of n
 * intervals hides n - 1 samples; an off-grid sample (swrec's last look
 * when the command exits) is an extra one, missed or not. */
static void missed_samples_from_scheduled_gaps(void **state)
{
	static const int64_t sched[] = {
		T0, T0 + S, T0 + 4 * S,	/* 2 missed (2 s, 3 s) */
		T0 + 4 * S + S / 3,	/* off the grid */
		T0 + 6 * S,		/* 1 missed (5 s) */
		T0 + 7 * S,
		T0 + 8 * S + S / 2,	/* the last look, late */
	};
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	struct swt_record r;
	struct swt_proc_row p = prow(10, 0, 1024);
	size_t i;

	(void)state;
	assert_ok(feed_header(e, S, false));
	feed_start(e, T0, 10, "app", "app", false);
	for (i = 0; i < sizeof(sched) / sizeof(sched[0]); i++) {
		memset(&r, 0, sizeof(r));
		r.kind = SWT_REC_SAMPLE;
		r.t_ns = sched[i] + 1000;	/* taken a little late */
		r.u.sample.scheduled_ns = sched[i];
		r.u.sample.n_procs = 1;
		r.u.sample.procs = &p;
		assert_ok(swt_engine_feed(e, &r));
	}
	assert_ok(swt_engine_finish(e, &res));
	assert_int_equal(res->session.samples, 7);
	assert_int_equal(res->session.missed_samples, 3);
	swt_engine_free(e);

	/* the recorder's count in the end record, when it is more (a skip
	 * just before the last look shows in no gap) */
	e = new_engine(NULL);
	assert_ok(feed_header(e, S, false));
	p = prow(10, 0, 1024);
	feed_sample(e, T0, &p, 1, NULL, 0);
	feed_sample(e, T0 + S, &p, 1, NULL, 0);
	memset(&r, 0, sizeof(r));
	r.kind = SWT_REC_END;
	r.t_ns = T0 + 5 * S;
	r.u.end.missed_samples = 3;
	assert_ok(swt_engine_feed(e, &r));
	assert_ok(swt_engine_finish(e, &res));
	assert_int_equal(res->session.missed_samples, 3);
	swt_engine_free(e);
}

static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

/* Memory depends on the processes, not on the session length: 20 000
 * samples more of the same 50 processes cost (almost) nothing. */
static void memory_does_not_grow_with_length(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	struct swt_proc_row p[50];
	struct swt_thread_row t[50];
	size_t before = 0, after;
	int k, i;

	(void)state;
	assert_ok(feed_header(e, S, true));
	for (i = 0; i < 50; i++)
		feed_start(e, T0, 100 + i, "w", i % 2 ? "w odd" : "w even",
			   true);
	for (k = 0; k < 22000; k++) {
		if (k == 2000)
			before = heap_in_use();
		for (i = 0; i < 50; i++) {
			p[i] = prow(100 + i, k * (i % 7),
				    1024 + (k * i) % 4096);
			t[i] = (struct swt_thread_row){ 100 + i, 100 + i, "w",
							k * (i % 7), 0 };
		}
		if (k % 10 == 0)
			feed_event(e, 100, 100, T0 + k * S + 1, SWT_EV_COUNT,
				   "tick", 1);
		feed_sample(e, T0 + k * S, p, 50, t, 50);
	}
	after = heap_in_use();
	assert_true(after < before + 64 * 1024);
	assert_ok(swt_engine_finish(e, &res));
	assert_int_equal(res->session.samples, 22000);
	swt_engine_free(e);
}

/* ---- untrusted values (issue 11, docs/analysis.md § 11) ----------------- */

static int feed_header_with(struct swt_engine *e, uint32_t clock_ticks,
			    uint32_t page_size, int64_t interval)
{
	struct swt_record r;

	memset(&r, 0, sizeof(r));
	r.kind = SWT_REC_HEADER;
	r.u.header.recorder = "test";
	r.u.header.clock_ticks = clock_ticks;
	r.u.header.page_size = page_size;
	r.u.header.interval_ns = interval;
	r.u.header.start_mono_ns = T0;
	return swt_engine_feed(e, &r);
}

static void header_with_absurd_values_is_corrupt(void **state)
{
	static const struct {
		uint32_t clock_ticks, page_size;
		int64_t interval;
		int status;
		const char *what;
	} cases[] = {
		{ 0, 4096, S, SWT_ECORRUPT, "clock_ticks is 0" },
		{ 1000001, 4096, S, SWT_ECORRUPT, "clock_ticks 1000001" },
		{ UINT32_MAX, 4096, S, SWT_ECORRUPT, "clock_ticks" },
		{ 1000000, 4096, S, 0, "" },
		{ 100, 0, S, 0, "" },	/* not recorded */
		{ 100, 512, S, 0, "" },
		{ 100, 1048576, S, 0, "" },
		{ 100, 256, S, SWT_ECORRUPT, "page_size 256" },
		{ 100, 4095, S, SWT_ECORRUPT, "page_size 4095" },
		{ 100, 2097152, S, SWT_ECORRUPT, "page_size 2097152" },
		{ 100, UINT32_MAX, S, SWT_ECORRUPT, "page_size" },
		{ 100, 4096, 0, SWT_ECORRUPT, "interval_ns 0" },
		{ 100, 4096, -S, SWT_ECORRUPT, "interval_ns -1000000000" },
		{ 100, 4096, INT64_MIN, SWT_ECORRUPT, "interval_ns" },
		{ 100, 4096, 86400 * S + 1, SWT_ECORRUPT, "interval_ns" },
		{ 100, 4096, 86400 * S, 0, "" },
		{ 100, 4096, 1, 0, "" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct swt_engine *e = new_engine(NULL);
		const struct swt_result *res;

		assert_int_equal(feed_header_with(e, cases[i].clock_ticks,
						  cases[i].page_size,
						  cases[i].interval),
				 cases[i].status);
		if (cases[i].status) {
			assert_contains(swt_engine_errmsg(e), "session header");
			assert_contains(swt_engine_errmsg(e), cases[i].what);
		} else {
			assert_ok(swt_engine_finish(e, &res));
		}
		swt_engine_free(e);
	}
}

/* Issue 11: chunks intact, the second sample 2^62 ns after the first:
 * 100 ticks x 2^62 ns wrapped to 0 and swanalyze died of SIGFPE. Such a
 * time is damage; nothing of the record is applied. */
static void sample_delta_of_2_pow_62_is_corrupt(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	struct swt_proc_row p = prow(10, 0, 1024);

	(void)state;
	assert_ok(feed_header(e, S, false));
	feed_start(e, T0, 10, "app", "app", false);
	feed_sample(e, T0 + S, &p, 1, NULL, 0);
	p = prow(10, 50, 1024);
	assert_status(SWT_ECORRUPT,
		      try_feed_sample(e, T0 + S + (INT64_C(1) << 62), &p, 1,
				      NULL, 0));
	assert_contains(swt_engine_errmsg(e), "record 3 (sample)");
	assert_contains(swt_engine_errmsg(e), "more than a year");
	/* either way from the start, and at the exact bound */
	assert_status(SWT_ECORRUPT,
		      try_feed_sample(e, INT64_MIN, &p, 1, NULL, 0));
	assert_status(SWT_ECORRUPT,
		      try_feed_sample(e, T0 - SWT_ENGINE_MAX_SPAN_NS - 1, &p, 1,
				      NULL, 0));
	assert_status(SWT_ECORRUPT,
		      try_feed_sample(e, T0 + SWT_ENGINE_MAX_SPAN_NS + 1, &p, 1,
				      NULL, 0));
	assert_ok(swt_engine_finish(e, &res));
	assert_int_equal(res->session.samples, 1);
	assert_int_equal(res->session.duration_ns, S);
	swt_engine_free(e);

	e = new_engine(NULL);
	assert_ok(feed_header(e, S, false));
	feed_start(e, T0, 10, "app", "app", false);
	assert_ok(try_feed_sample(e, T0 + SWT_ENGINE_MAX_SPAN_NS, &p, 1, NULL,
				  0));
	swt_engine_free(e);
}

static size_t recs_about(const struct swt_result *res, const char *subject,
			 const char *text)
{
	size_t i, n = 0;

	for (i = 0; i < res->n_recommendations; i++)
		if (strcmp(res->recommendations[i].subject, subject) == 0 &&
		    strstr(res->recommendations[i].text, text))
			n++;
	return n;
}

/* The seed's event_listener: a module counted once per call under its own
 * name is one piece of advice ("call it less often"), not two at the same
 * rate; a counter that ticks at another rate than its module's calls (or
 * one without a module) keeps its own. */
static void counter_of_a_module_call_is_one_recommendation(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	struct swt_proc_row p = prow(10, 0, 1024);
	int k;

	(void)state;
	assert_ok(feed_header(e, S, false));
	feed_start(e, T0, 10, "bot", "bot", false);
	feed_sample(e, T0, &p, 1, NULL, 0);
	for (k = 0; k < 120; k++) {
		int64_t t = T0 + k * S / 2 + 1;

		feed_event(e, 10, 10, t, SWT_EV_BEGIN, "event_listener", 0);
		feed_event(e, 10, 10, t + 1, SWT_EV_COUNT, "event_listener",
			   1);
		feed_event(e, 10, 10, t + 2, SWT_EV_END, "event_listener", 0);
		feed_event(e, 10, 10, t + 3, SWT_EV_BEGIN, "ocr_call", 0);
		feed_event(e, 10, 10, t + 4, SWT_EV_COUNT, "ocr_call", 2);
		feed_event(e, 10, 10, t + 5, SWT_EV_END, "ocr_call", 0);
		if (k % 2 == 0)
			feed_sample(e, T0 + (k / 2 + 1) * S, &p, 1, NULL, 0);
	}
	feed_sample(e, T0 + 61 * S, &p, 1, NULL, 0);
	feed_end(e, T0 + 61 * S);
	assert_ok(swt_engine_finish(e, &res));
	assert_int_equal(recs_about(res, "event_listener", "less often"), 1);
	assert_int_equal(recs_about(res, "event_listener", "Reduce counter"),
			 0);
	assert_int_equal(recs_about(res, "event_listener", "118.0 calls/min"),
			 1);
	/* ocr_call ticks twice a call: both facts stand */
	assert_int_equal(recs_about(res, "ocr_call", "less often"), 1);
	assert_int_equal(recs_about(res, "ocr_call", "Reduce counter"), 1);
	swt_engine_free(e);
}

/* An event batch with one absurd time is refused whole: the counter does
 * not move. */
static void event_with_absurd_time_is_corrupt(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	struct swt_event ev[2] = {
		{ T0 + S, SWT_EV_COUNT, 10, "hits", 5 },
		{ INT64_MAX, SWT_EV_COUNT, 10, "hits", 7 },
	};
	struct swt_record r;

	(void)state;
	assert_ok(feed_header(e, S, false));
	feed_start(e, T0, 10, "app", "app", false);
	feed_event(e, 10, 10, T0 + S, SWT_EV_COUNT, "hits", 1);
	memset(&r, 0, sizeof(r));
	r.kind = SWT_REC_EVENTS;
	r.t_ns = ev[0].t_ns;
	r.u.events.pid = 10;
	r.u.events.n = 2;
	r.u.events.events = ev;
	assert_status(SWT_ECORRUPT, swt_engine_feed(e, &r));
	assert_contains(swt_engine_errmsg(e), "event 1 time");
	assert_ok(swt_engine_finish(e, &res));
	assert_int_equal(res->n_counters, 1);
	assert_int_equal(res->counters[0].count, 1);
	swt_engine_free(e);
}

/* Inside the bounds, products of file values still pass int64: a million
 * clock ticks a second times a 100-day gap between samples (8.64e21) is
 * computed in 128 bits, and a half-busy core reads 50 %. */
static void wide_products_within_bounds_are_exact(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	const struct swt_module_result *m;
	int64_t gap = 100 * 86400 * S;
	struct swt_proc_row p = prow(10, 0, 1024);

	(void)state;
	assert_ok(feed_header_with(e, 1000000, 4096, S));
	feed_start(e, T0, 10, "app", "app", false);
	feed_sample(e, T0 + S, &p, 1, NULL, 0);
	/* 0.5 core x 1e6 ticks/s x 8.64e6 s */
	p = prow(10, INT64_C(4320000000000), 1024);
	feed_sample(e, T0 + S + gap, &p, 1, NULL, 0);
	assert_ok(swt_engine_finish(e, &res));
	m = find_module(res, SWT_KIND_PROCESS, "app");
	assert_int_equal(m->cpu_avg_mpct, 50000);
	assert_int_equal(m->cpu_peak_mpct, 50000);
	assert_int_equal(res->session.cpu_avg_mpct, 50000);
	swt_engine_free(e);
}

/* Values with no bound of their own (ticks, RSS, counter increments) can
 * be anything: totals saturate, nothing overflows. */
static void absurd_row_values_saturate(void **state)
{
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	const struct swt_module_result *m;
	struct swt_proc_row p[2];
	int k;

	(void)state;
	assert_ok(feed_header(e, S, false));
	feed_start(e, T0, 10, "app", "app", false);
	feed_start(e, T0, 11, "app", "app", false);
	for (k = 1; k <= 4; k++) {
		p[0] = prow(10, k % 2 ? INT64_MAX : INT64_MIN, INT64_MAX);
		p[0].stime = INT64_MAX;
		p[1] = prow(11, INT64_MAX, INT64_MAX);
		feed_sample(e, T0 + k * S, p, 2, NULL, 0);
		feed_event(e, 10, 10, T0 + k * S, SWT_EV_COUNT, "c",
			   INT64_MAX);
		feed_event(e, 10, 10, T0 + k * S, SWT_EV_RSS, "x",
			   INT64_MAX);
	}
	assert_ok(swt_engine_finish(e, &res));
	m = find_module(res, SWT_KIND_PROCESS, "app");
	assert_true(m->mem_peak_mmb > 0);
	assert_true(m->cpu_avg_mpct >= 0);
	assert_int_equal(res->counters[0].count, INT64_MAX);
	swt_engine_free(e);
}

/* A sample of chunk 7, place k, from a reader handing over the changed
 * rows alone (swt_reader_set_deltas() with listed): whole rows
 * (keep_rows) or only those at places at[0, n_at). */
static int feed_listed(struct swt_engine *e, int64_t t, uint32_t k,
		       const struct swt_proc_row *procs, size_t n,
		       const uint32_t *at, size_t n_at, size_t n_all)
{
	static const uint8_t none[1];
	struct swt_record r;

	memset(&r, 0, sizeof(r));
	r.kind = SWT_REC_SAMPLE;
	r.t_ns = t;
	r.u.sample.chunk_id = 7;
	r.u.sample.chunk_sample = k;
	r.u.sample.keep_rows = true;
	r.u.sample.procs = procs;
	r.u.sample.n_procs = at ? n_all : n;
	r.u.sample.thread_same = none;
	if (k) {
		r.u.sample.same_pids = r.u.sample.same_tids = true;
		r.u.sample.proc_at = at;
		r.u.sample.n_proc_at = n_at;
		r.u.sample.proc_listed = at != NULL;
	}
	if (!at) {
		static uint8_t same[8];

		assert_true(n <= sizeof(same));
		r.u.sample.proc_same = k ? same : NULL;
	}
	return swt_engine_feed(e, &r);
}

/* The changed rows alone, put in place in the rows the engine kept, give
 * what the whole samples give; a listed sample that does not follow the
 * one kept (a sample left out), or whose places do not fit, is refused
 * with a message, and nothing of it is taken. */
static void listed_rows_follow_the_sample_kept(void **state)
{
	const struct swt_result *res[2];
	struct swt_engine *e[2];
	struct swt_proc_row p[3], q[3], l[2];
	const uint32_t at[2] = { 0, 2 }, bad[2] = { 2, 1 };
	int v, k;

	(void)state;
	for (v = 0; v < 2; v++) {
		e[v] = new_engine(NULL);
		assert_ok(feed_header(e[v], S, false));
		feed_start(e[v], T0, 10, "a", "a", false);
		feed_start(e[v], T0, 11, "b", "b", false);
		feed_start(e[v], T0, 12, "c", "c", false);
	}
	for (k = 0; k < 8; k++) {
		/* 10 and 12 busy, 11 asleep */
		p[0] = prow(10, 40 * (k + 1), 1024 + 64 * k);
		p[1] = prow(11, 3, 512);
		p[2] = prow(12, 70 * (k + 1), 4096);
		memcpy(q, p, sizeof(q));
		feed_sample(e[0], T0 + (k + 1) * S, p, 3, NULL, 0);
		l[0] = p[0];
		l[1] = p[2];
		assert_ok(k ? feed_listed(e[1], T0 + (k + 1) * S, (uint32_t)k,
					  l, 2, at, 2, 3) :
			      feed_listed(e[1], T0 + (k + 1) * S, 0, q, 3,
					  NULL, 0, 3));
	}
	/* place 8 skipped: refused */
	l[0] = prow(10, 500, 2048);
	assert_int_equal(feed_listed(e[1], T0 + 9 * S, 9, l, 2, at, 2, 3),
			 SWT_EINVAL);
	assert_non_null(strstr(swt_engine_errmsg(e[1]), "without the sample "
						       "before it"));
	for (v = 0; v < 2; v++) {
		feed_end(e[v], T0 + 8 * S);
		assert_ok(swt_engine_finish(e[v], &res[v]));
	}
	assert_int_equal(res[1]->session.cpu_avg_mpct,
			 res[0]->session.cpu_avg_mpct);
	assert_int_equal(res[1]->session.mem_avg_mmb,
			 res[0]->session.mem_avg_mmb);
	assert_int_equal(res[1]->session.samples, 8);
	for (k = 0; k < 3; k++) {
		static const char *const name[] = { "a", "b", "c" };
		const struct swt_module_result *m[2];

		for (v = 0; v < 2; v++)
			m[v] = find_module(res[v], SWT_KIND_PROCESS, name[k]);
		assert_int_equal(m[1]->cpu_avg_mpct, m[0]->cpu_avg_mpct);
		assert_int_equal(m[1]->cpu_peak_mpct, m[0]->cpu_peak_mpct);
		assert_int_equal(m[1]->mem_avg_mmb, m[0]->mem_avg_mmb);
		assert_int_equal(m[1]->mem_peak_mmb, m[0]->mem_peak_mmb);
	}
	swt_engine_free(e[0]);
	swt_engine_free(e[1]);

	/* places out of order: refused */
	e[1] = new_engine(NULL);
	assert_ok(feed_header(e[1], S, false));
	p[0] = prow(10, 1, 1024);
	p[1] = prow(11, 1, 1024);
	p[2] = prow(12, 1, 1024);
	assert_ok(feed_listed(e[1], T0 + S, 0, p, 3, NULL, 0, 3));
	assert_int_equal(feed_listed(e[1], T0 + 2 * S, 1, l, 2, bad, 2, 3),
			 SWT_EINVAL);
	swt_engine_free(e[1]);
}

/* fixtures/corrupt/<name>/expected "analyze STATUS substring": the reader
 * reads the whole file, the analysis fails with STATUS and a message that
 * contains the substring (fixtures/corrupt/README.md). (absurd-clock-ticks
 * is refused by the reader already, at open: test_codec checks it; the
 * engine's own header check is tested above.) */
static void corrupt_fixtures_the_engine_refuses(void **state)
{
	static const char *const names[] = { "absurd-sample-delta" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[4096], line[512], where[16], status[32], *sub;
		char err[512] = "";
		struct swt_reader *r = NULL;
		struct swt_analysis *a = NULL;
		FILE *f;
		int rc;

		snprintf(path, sizeof(path), "%s/corrupt/%s/expected",
			 SWT_FIXTURE_DIR, names[i]);
		f = fopen(path, "r");
		assert_non_null(f);
		assert_non_null(fgets(line, sizeof(line), f));
		fclose(f);
		line[strcspn(line, "\n")] = '\0';
		assert_int_equal(sscanf(line, "%15s %31s", where, status), 2);
		assert_string_equal(where, "analyze");
		sub = strstr(line, status) + strlen(status);
		while (*sub == ' ')
			sub++;
		snprintf(path, sizeof(path), "%s/corrupt/%s/session.swt",
			 SWT_FIXTURE_DIR, names[i]);
		assert_ok(swt_reader_open(&r, path, 0, err, sizeof(err)));
		rc = swt_analysis_run(&a, r, NULL, err, sizeof(err));
		if (strcmp(swt_status_name(rc), status) != 0 ||
		    !strstr(err, sub))
			print_error("%s: analysis gave %s \"%s\"\n", names[i],
				    swt_status_name(rc), err);
		assert_string_equal(swt_status_name(rc), status);
		assert_contains(err, sub);
		assert_null(a);
		swt_reader_free(r);
	}
}

/* ---- mutation loop ------------------------------------------------------ */

/* Random records with extreme values in every numeric field, fed through
 * the engine: each feed returns 0 or SWT_ECORRUPT (with a message), finish
 * succeeds, and nothing overflows (run it in the ASan/UBSan build). The
 * seed is fixed (SWT_MUTATE_SEED changes it); SWT_MUTATE_ROUNDS runs more
 * rounds (a few minutes in the sanitizer build: 200000). */
static uint64_t mut_state;

static uint64_t mut_next(void)
{
	uint64_t z = (mut_state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static uint64_t mut_below(uint64_t n)
{
	return mut_next() % n;
}

/* An int64 that is often at an edge. */
static int64_t mut_i64(void)
{
	static const int64_t edge[] = {
		0, 1, -1, 2, 100, 4096, INT64_C(1000000000), INT32_MAX,
		INT32_MIN, UINT32_MAX, INT64_C(1) << 62, -(INT64_C(1) << 62),
		INT64_MAX, INT64_MIN, INT64_MAX - 1, INT64_MIN + 1,
		INT64_MAX / 2, INT64_MAX / 1000000, INT64_MAX / 100000000,
	};

	switch (mut_below(4)) {
	case 0:
		return edge[mut_below(sizeof(edge) / sizeof(edge[0]))];
	case 1:
		return (int64_t)mut_next();
	case 2:
		return (int64_t)mut_below(1000);
	default:
		return (int64_t)(mut_next() >> mut_below(64));
	}
}

/* A time: mostly moving forward from the last, sometimes anywhere. */
static int64_t mut_time(int64_t *clock)
{
	switch (mut_below(10)) {
	case 0:
		return mut_i64();
	case 1:
		return T0 + (mut_below(2) ? 1 : -1) *
				    (SWT_ENGINE_MAX_SPAN_NS +
				     (int64_t)mut_below(3) - 1);
	case 2:
		return swt_sat_sub(*clock, (int64_t)mut_below(3) * S);
	case 3:
		*clock = swt_sat_add(*clock,
				     (int64_t)mut_below(40) * 86400 * S);
		return *clock;
	default:
		*clock = swt_sat_add(*clock, (int64_t)mut_below(3 * S));
		return *clock;
	}
}

static const char *mut_name(void)
{
	static const char *const names[] = {
		"a", "b", "database_manager", "database_manage", "", "\xff\xfe",
		"x y", "cache",
	};

	return names[mut_below(sizeof(names) / sizeof(names[0]))];
}

static int32_t mut_pid(void)
{
	static const int32_t pids[] = { 1, 2, 3, 10, 0, -1, INT32_MAX,
					INT32_MIN };

	return mut_below(4) ? (int32_t)(1 + mut_below(4)) :
			      pids[mut_below(sizeof(pids) / sizeof(pids[0]))];
}

static void mut_round(void)
{
	/* the accepted extremes, and one that is not */
	const uint32_t clock_ticks[5] = { 100, 100, 1, 1000000,
					  (uint32_t)mut_next() };
	const int64_t intervals[3] = { 1, 86400 * S, S };
	struct swt_engine *e = new_engine(NULL);
	const struct swt_result *res;
	struct swt_proc_row procs[4];
	struct swt_thread_row thr[6];
	struct swt_event ev[8];
	struct swt_record r;
	int64_t clock = T0;
	size_t i, j, n_rec = mut_below(60);
	int err;

	memset(&r, 0, sizeof(r));
	r.kind = SWT_REC_HEADER;
	r.u.header.recorder = "mut";
	r.u.header.clock_ticks = clock_ticks[mut_below(5)];
	r.u.header.page_size = mut_below(3) ? 4096 : (uint32_t)mut_next();
	r.u.header.interval_ns = mut_below(2) ? S / 10 :
				 mut_below(2) ? intervals[mut_below(3)] :
						mut_i64();
	r.u.header.start_mono_ns = mut_below(4) ? T0 : mut_i64();
	r.u.header.cpu_count = (uint32_t)mut_next();
	r.u.header.threads = mut_below(2);
	err = swt_engine_feed(e, &r);
	if (err == SWT_ECORRUPT) {
		assert_true(swt_engine_errmsg(e)[0] != '\0');
		swt_engine_free(e);
		return;
	}
	assert_ok(err);
	if (r.u.header.start_mono_ns > 0)
		clock = r.u.header.start_mono_ns;
	for (i = 0; i < n_rec; i++) {
		memset(&r, 0, sizeof(r));
		r.t_ns = mut_time(&clock);
		switch (mut_below(8)) {
		case 0:
			r.kind = SWT_REC_PROC_START;
			r.u.proc_start.pid = mut_pid();
			r.u.proc_start.ppid = mut_pid();
			r.u.proc_start.start_ticks = (uint64_t)mut_i64();
			r.u.proc_start.comm = mut_name();
			r.u.proc_start.cmdline = mut_name();
			r.u.proc_start.cmdline_len =
				strlen(r.u.proc_start.cmdline);
			r.u.proc_start.preexisting = mut_below(2);
			break;
		case 1:
			r.kind = SWT_REC_PROC_EXIT;
			r.u.proc_exit.pid = mut_pid();
			r.u.proc_exit.start_ticks = (uint64_t)mut_i64();
			break;
		case 2:
		case 3:
		case 4: {
			size_t np = mut_below(5), nt = mut_below(7);
			int32_t id = INT32_MIN;

			r.kind = SWT_REC_SAMPLE;
			r.u.sample.scheduled_ns =
				mut_below(2) ? r.t_ns : mut_i64();
			/* rows sorted by id, strictly ascending */
			for (j = 0; j < np; j++) {
				memset(&procs[j], 0, sizeof(procs[j]));
				id = (int32_t)(id + 1 +
					       (int32_t)mut_below(j ? 3 : 6));
				if (id < INT32_MIN + 6)
					id = (int32_t)(1 + mut_below(3));
				procs[j].pid = id;
				procs[j].utime = mut_i64();
				procs[j].stime = mut_i64();
				procs[j].rss_kib = mut_i64();
				procs[j].vsz_kib = mut_i64();
				procs[j].nthreads = mut_i64();
			}
			id = 0;
			for (j = 0; j < nt; j++) {
				memset(&thr[j], 0, sizeof(thr[j]));
				id = (int32_t)(id + 1 + (int32_t)mut_below(3));
				thr[j].tid = id;
				thr[j].tgid = (int32_t)(1 + mut_below(4));
				thr[j].name = mut_name();
				thr[j].utime = mut_i64();
				thr[j].stime = mut_i64();
			}
			r.u.sample.n_procs = np;
			r.u.sample.procs = procs;
			r.u.sample.n_threads = nt;
			r.u.sample.threads = nt ? thr : NULL;
			break;
		}
		case 5:
		case 6: {
			size_t ne = 1 + mut_below(8);

			r.kind = SWT_REC_EVENTS;
			r.u.events.pid = mut_pid();
			for (j = 0; j < ne; j++) {
				ev[j].t_ns = j ? mut_time(&clock) : r.t_ns;
				ev[j].kind = (enum swt_event_kind)(
					mut_below(8) ? 1 + mut_below(5) :
						       mut_below(200));
				ev[j].tid = mut_pid();
				ev[j].name = mut_name();
				ev[j].value = mut_i64();
			}
			r.u.events.n = ne;
			r.u.events.events = ev;
			break;
		}
		default:
			r.kind = mut_below(2) ? SWT_REC_DROPS : SWT_REC_END;
			r.u.drops.dropped = (uint64_t)mut_i64();
			r.u.end.missed_samples = (uint64_t)mut_i64();
			break;
		}
		if (mut_below(20) == 0)
			swt_engine_note_gap(e);
		err = swt_engine_feed(e, &r);
		if (err != 0) {
			assert_status(SWT_ECORRUPT, err);
			assert_true(swt_engine_errmsg(e)[0] != '\0');
		}
	}
	assert_ok(swt_engine_finish(e, &res));
	assert_true(res->session.duration_ns >= 0);
	/* and the report of whatever came out (absurd figures included) */
	if (mut_below(4) == 0) {
		struct swt_report_input in;
		struct swt_buf b = SWT_BUF_INIT;

		memset(&in, 0, sizeof(in));
		in.result = res;
		swt_report_write(&b, &in, SWT_REPORT_FULL,
				 (enum swt_report_format)mut_below(5));
		assert_true(b.len > 0);
		swt_buf_fini(&b);
	}
	swt_engine_free(e);
}

static void mutated_records_never_crash(void **state)
{
	const char *env = getenv("SWT_MUTATE_ROUNDS");
	const char *seed = getenv("SWT_MUTATE_SEED");
	long rounds = env ? strtol(env, NULL, 10) : 3000, k;

	(void)state;
	mut_state = seed ? strtoull(seed, NULL, 10) : 11;
	for (k = 0; k < rounds; k++)
		mut_round();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cpu_is_percent_of_one_core),
		cmocka_unit_test(two_busy_cores_read_200_percent),
		cmocka_unit_test(memory_average_and_peak),
		cmocka_unit_test(empty_last_sample_is_no_memory_observation),
		cmocka_unit_test(processes_aggregate_by_identity),
		cmocka_unit_test(processes_group_by_program),
		cmocka_unit_test(processes_group_by_comm_or_cmdline),
		cmocka_unit_test(group_patterns_name_modules),
		cmocka_unit_test(restarts_are_the_calls_of_a_process),
		cmocka_unit_test(restarts_of_a_short_session_are_over_10_s),
		cmocka_unit_test(summed_rss_above_memory_in_use_is_told),
		cmocka_unit_test(forks_before_their_parents_start_are_no_restarts),
		cmocka_unit_test(reaped_children_count_once),
		cmocka_unit_test(usage_points_add_up_to_the_tree_cpu),
		cmocka_unit_test(usage_point_revised_by_a_late_exit),
		cmocka_unit_test(disk_io_from_sparse_readings),
		cmocka_unit_test(disk_io_of_children_counts_once),
		cmocka_unit_test(disk_io_of_a_child_exiting_after_its_parent),
		cmocka_unit_test(disk_io_unavailable_is_not_zero),
		cmocka_unit_test(network_per_process),
		cmocka_unit_test(network_of_an_older_file_is_unknown),
		cmocka_unit_test(reaped_burst_never_passes_the_machine),
		cmocka_unit_test(reaped_children_of_an_exit_in_the_same_tick),
		cmocka_unit_test(reaped_crumbs_are_no_module),
		cmocka_unit_test(a_childs_exit_before_its_parents_start),
		cmocka_unit_test(disk_io_of_a_childs_exit_before_its_parents_start),
		cmocka_unit_test(
			a_short_last_interval_keeps_the_average_in_the_machine),
		cmocka_unit_test(short_intervals_lose_no_cpu),
		cmocka_unit_test(a_session_with_no_long_interval_is_one),
		cmocka_unit_test(exits_before_the_first_interval_are_in_it),
		cmocka_unit_test(an_old_unseen_child_adds_no_cpu),
		cmocka_unit_test(short_intervals_lose_no_thread_cpu),
		cmocka_unit_test(a_process_end_brings_its_threads_cpu),
		cmocka_unit_test(
			a_short_command_gets_thread_modules_from_its_ends),
		cmocka_unit_test(
			children_reaped_before_an_exec_stay_with_the_wrapper),
		cmocka_unit_test(pid_reuse_starts_a_new_process),
		cmocka_unit_test(cut_process_names_are_made_whole),
		cmocka_unit_test(threads_by_name_within_process),
		cmocka_unit_test(thread_name_by_address_within_one_decoding),
		cmocka_unit_test(cut_thread_name_takes_its_module_name),
		cmocka_unit_test(span_gets_thread_ticks_by_overlap),
		cmocka_unit_test(thread_busy_only_in_spans),
		cmocka_unit_test(long_and_nested_spans),
		cmocka_unit_test(counter_rate_per_minute),
		cmocka_unit_test(rate_alert_in_a_10_s_session),
		cmocka_unit_test(weight_and_priority),
		cmocka_unit_test(modules_sorted_by_weight_then_name),
		cmocka_unit_test(alerts_fire_on_crossing),
		cmocka_unit_test(alerts_clear_at_or_under_the_threshold),
		cmocka_unit_test(cpu_spike_with_active_modules),
		cmocka_unit_test(busy_module_has_the_cpu_measured),
		cmocka_unit_test(sampled_spans_are_estimated_at_the_measured_rate),
		cmocka_unit_test(sampled_gaps_split_the_cpu_their_readings_enclose),
		cmocka_unit_test(heavy_pattern_needs_heavy_use),
		cmocka_unit_test(
			sample_ticks_ahead_of_the_readings_are_held_to_the_time),
		cmocka_unit_test(span_after_the_last_row_counts_with_the_exit),
		cmocka_unit_test(busy_module_has_the_cpu_estimated),
		cmocka_unit_test(leak_lands_on_the_module_that_grows),
		cmocka_unit_test(total_weight_counts_processes_once),
		cmocka_unit_test(linear_ramp_is_a_10_mb_per_min_leak),
		cmocka_unit_test(leak_becomes_significant_and_forecast),
		cmocka_unit_test(forecast_interval_of_a_noisy_leak),
		cmocka_unit_test(late_leak_and_decreasing_trend_events),
		cmocka_unit_test(not_leaks),
		cmocka_unit_test(trend_decreasing_and_stable),
		cmocka_unit_test(threshold_keys_and_errors),
		cmocka_unit_test(config_file_is_strict),
		cmocka_unit_test(thresholds_change_the_analysis),
		cmocka_unit_test(header_first_and_once),
		cmocka_unit_test(unknown_pid_gets_an_anonymous_identity),
		cmocka_unit_test(short_first_interval_is_a_baseline),
		cmocka_unit_test(
			a_launched_sessions_short_first_sample_loses_no_cpu),
		cmocka_unit_test(exec_continues_under_the_new_identity),
		cmocka_unit_test(events_before_proc_start_are_adopted),
		cmocka_unit_test(
			events_before_an_exec_belong_to_the_new_program),
		cmocka_unit_test(exiting_row_is_no_memory_observation),
		cmocka_unit_test(gap_closes_open_spans),
		cmocka_unit_test(late_events_count_from_the_last_sample),
		cmocka_unit_test(missed_samples_from_scheduled_gaps),
		cmocka_unit_test(memory_does_not_grow_with_length),
		cmocka_unit_test(header_with_absurd_values_is_corrupt),
		cmocka_unit_test(sample_delta_of_2_pow_62_is_corrupt),
		cmocka_unit_test(event_with_absurd_time_is_corrupt),
		cmocka_unit_test(counter_of_a_module_call_is_one_recommendation),
		cmocka_unit_test(wide_products_within_bounds_are_exact),
		cmocka_unit_test(absurd_row_values_saturate),
		cmocka_unit_test(listed_rows_follow_the_sample_kept),
		cmocka_unit_test(corrupt_fixtures_the_engine_refuses),
		cmocka_unit_test(mutated_records_never_crash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
