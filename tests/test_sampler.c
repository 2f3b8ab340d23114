/* test_sampler.c — the /proc parsers, the tree tracker and the sampler.
 *
 * Parsers and tracker get literal inputs; the sampler runs over real
 * child processes of the test (no mocks), synchronised by pipes. */
#include "swt_test.h"

#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "swt_exitacct.h"
#include "swt_procfs.h"
#include "swt_sampler-private.h"
#include "swt_sampler.h"
#include "swt_tracker.h"

/* ---- parsers -------------------------------------------------------- */

static const char stat_line[] =
	"4242 (my prog) S 1 4242 4242 0 -1 4194560 1234 0 5 0 "
	"300 45 0 0 20 0 3 0 987654 104857600 2560 18446744073709551615 "
	"1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";

static void parse_stat_reads_the_fields(void **state)
{
	struct swt_procfs_stat st;

	(void)state;
	assert_ok(swt_procfs_parse_stat(&st, stat_line, strlen(stat_line)));
	assert_int_equal(st.pid, 4242);
	assert_int_equal(st.state, 'S');
	assert_int_equal(st.ppid, 1);
	assert_int_equal(st.minflt, 1234);
	assert_int_equal(st.majflt, 5);
	assert_int_equal(st.utime, 300);
	assert_int_equal(st.stime, 45);
	assert_int_equal(st.nthreads, 3);
	assert_int_equal(st.start_ticks, 987654);
	assert_int_equal(st.vsize, 104857600);
	assert_int_equal(st.rss_pages, 2560);
	assert_int_equal(st.comm_len, 7);
	assert_memory_equal(st.comm, "my prog", 7);
}

static void parse_stat_takes_comm_to_the_last_paren(void **state)
{
	static const char tricky[] =
		"7 (a) b (c)) R 2 0 0 0 -1 0 1 2 3 4 5 6 7 8 9 10 1 0 11 "
		"12 13\n";
	static const char kthread[] =
		"99 (kworker/1:2-events_power_efficient) I 2 0 0 0 -1 "
		"69238880 0 0 0 0 0 4 0 0 20 0 1 0 12 0 0\n";
	struct swt_procfs_stat st;

	(void)state;
	assert_ok(swt_procfs_parse_stat(&st, tricky, strlen(tricky)));
	assert_int_equal(st.comm_len, 8);
	assert_memory_equal(st.comm, "a) b (c)", 8);
	assert_int_equal(st.state, 'R');
	assert_int_equal(st.ppid, 2);
	assert_int_equal(st.utime, 5);
	assert_int_equal(st.rss_pages, 13);
	/* kernel threads: long comm, no trailing fields after rss */
	assert_ok(swt_procfs_parse_stat(&st, kthread, strlen(kthread)));
	assert_int_equal(st.comm_len, 34);
	assert_int_equal(st.stime, 4);
}

static void parse_stat_refuses_malformed_lines(void **state)
{
	static const char *const bad[] = {
		"",
		"12",
		"12 (x",
		"12 x) S 1",
		"(x) S 1 2 3",
		"12 (x) S 1 0 0 0 -1 0 1 2 3 4 5",	/* truncated */
		"12 (x) S 1 0 0 0 -1 0 1 2 3 4 5 6 7 8 9 10 1 0 zz 12 13",
		"-3 (x) S 1 0 0 0 -1 0 1 2 3 4 5 6 7 8 9 10 1 0 11 12 13",
	};
	struct swt_procfs_stat st;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_status(SWT_ECORRUPT,
			      swt_procfs_parse_stat(&st, bad[i],
						    strlen(bad[i])));
	/* a truncated copy of a good line */
	assert_status(SWT_ECORRUPT,
		      swt_procfs_parse_stat(&st, stat_line, 60));
}

static void parse_status_io_sys_meminfo(void **state)
{
	static const char status[] =
		"Name:\tx\nState:\tS (sleeping)\nTgid:\t77\n"
		"voluntary_ctxt_switches:\t150\n"
		"nonvoluntary_ctxt_switches:\t7\n";
	static const char status_rev[] =
		"nonvoluntary_ctxt_switches:\t9\n"
		"voluntary_ctxt_switches:\t3\n";
	static const char io[] =
		"rchar: 10\nwchar: 20\nsyscr: 1\nsyscw: 2\n"
		"read_bytes: 4096\nwrite_bytes: 8192\n"
		"cancelled_write_bytes: 4096\n";
	static const char sys[] =
		"cpu  100 5 50 1000 20 1 2 3 0 0\n"
		"cpu0 50 2 25 500 10 1 1 1 0 0\n"
		"intr 12345 0 0\nctxt 999\nbtime 1700000000\n"
		"processes 31337\nprocs_running 2\n";
	static const char mem[] =
		"MemTotal:       24684096 kB\nMemFree:  1 kB\n"
		"MemAvailable:   20000000 kB\n";
	struct swt_procfs_sys s;
	uint64_t a, b;

	(void)state;
	assert_ok(swt_procfs_parse_ctxsw(&a, &b, status, strlen(status)));
	assert_int_equal(a, 150);
	assert_int_equal(b, 7);
	assert_ok(swt_procfs_parse_ctxsw(&a, &b, status_rev,
					 strlen(status_rev)));
	assert_int_equal(a, 3);
	assert_int_equal(b, 9);
	assert_status(SWT_ECORRUPT, swt_procfs_parse_ctxsw(&a, &b, "x", 1));
	assert_ok(swt_procfs_find_u64(&a, status, strlen(status), "Tgid:"));
	assert_int_equal(a, 77);

	assert_ok(swt_procfs_parse_io(&a, &b, io, strlen(io)));
	assert_int_equal(a, 4096);
	assert_int_equal(b, 8192);	/* not cancelled_write_bytes */

	assert_ok(swt_procfs_parse_sys(&s, sys, strlen(sys)));
	assert_int_equal(s.busy_ticks, 100 + 5 + 50 + 1 + 2 + 3);
	assert_int_equal(s.idle_ticks, 1000 + 20);
	assert_int_equal(s.forks, 31337);
	assert_int_equal(s.btime, 1700000000);
	assert_int_equal(s.steal_ticks, 3);
	assert_status(SWT_ECORRUPT, swt_procfs_parse_sys(&s, "cpu0 1", 6));

	{
		static const char psi[] =
			"some avg10=8.75 avg60=12.60 avg300=5.60 "
			"total=9655802986\n"
			"full avg10=0.00 avg60=0.00 avg300=0.00 total=42\n";
		static const char psi_old[] =	/* cpu before Linux 5.13 */
			"some avg10=0.00 avg60=0.00 avg300=0.00 total=7\n";

		assert_ok(swt_procfs_parse_pressure(&a, &b, psi,
						    strlen(psi)));
		assert_int_equal(a, 9655802986);
		assert_int_equal(b, 42);
		assert_ok(swt_procfs_parse_pressure(&a, &b, psi_old,
						    strlen(psi_old)));
		assert_int_equal(a, 7);
		assert_int_equal(b, 0);
		assert_status(SWT_ECORRUPT,
			      swt_procfs_parse_pressure(&a, &b, "some x\n",
							7));
		assert_status(SWT_ECORRUPT,
			      swt_procfs_parse_pressure(&a, &b, "", 0));
	}

	assert_ok(swt_procfs_parse_meminfo(&a, &b, mem, strlen(mem)));
	assert_int_equal(a, 24684096);
	assert_int_equal(b, 20000000);

	assert_ok(swt_procfs_parse_statm_rss(&a, "1000 250 30 1 0 5 0\n",
					     21));
	assert_int_equal(a, 250);

	assert_int_equal(swt_procfs_name_pid("123"), 123);
	assert_int_equal(swt_procfs_name_pid("self"), 0);
	assert_int_equal(swt_procfs_name_pid("0123"), 0);
	assert_int_equal(swt_procfs_name_pid("12a"), 0);
	assert_int_equal(swt_procfs_name_pid("99999999999"), 0);
}

/* ---- tracker -------------------------------------------------------- */

static size_t scan_pids(struct swt_tracker *t, struct swt_tracker_cand **c,
			const int32_t *pids, const uint64_t *inos, size_t n)
{
	struct swt_tracker_entry list[32];
	size_t i;

	for (i = 0; i < n; i++) {
		list[i].pid = pids[i];
		list[i].ino = inos ? inos[i] : (uint64_t)pids[i] * 10;
	}
	return swt_tracker_scan(t, c, list, n);
}

/* A listing of a range of pids (the new ones): known pids outside it are
 * kept; inside it, those not listed have gone. */
static void tracker_range_scan_keeps_what_it_did_not_list(void **state)
{
	static const int32_t all[] = { 1, 10, 20, 30, 40 };
	struct swt_tracker_entry range[2] = { { 31, 310 }, { 35, 350 } };
	struct swt_tracker *t;
	struct swt_tracker_cand *c;
	size_t n;

	(void)state;
	swt_tracker_new(&t, SWT_MODE_ATTACH, 5);
	swt_tracker_track(t, 10, 0);
	n = scan_pids(t, &c, all, NULL, 5);
	assert_int_equal(n, 4);
	c[0].ppid = 0;		/* 1 */
	c[1].ppid = 10;		/* 20 */
	c[2].ppid = 1;		/* 30 */
	c[3].ppid = 1;		/* 40 */
	swt_tracker_decide(t, c, n);
	/* pids 30..39: 30 (excluded) has gone, 31 and 35 are new */
	n = swt_tracker_scan_range(t, &c, range, 2, 30, 39);
	assert_int_equal(n, 2);
	assert_int_equal(c[0].pid, 31);
	assert_int_equal(c[1].pid, 35);
	c[0].ppid = 20;
	c[1].ppid = 30;
	swt_tracker_decide(t, c, n);
	assert_int_equal(swt_tracker_get_state(t, 31), SWT_TRACKER_TRACKED);
	assert_int_equal(swt_tracker_get_state(t, 35), SWT_TRACKER_EXCLUDED);
	assert_int_equal(swt_tracker_get_state(t, 30), SWT_TRACKER_UNKNOWN);
	/* outside the range, unlisted: as they were */
	assert_int_equal(swt_tracker_get_state(t, 1), SWT_TRACKER_EXCLUDED);
	assert_int_equal(swt_tracker_get_state(t, 40), SWT_TRACKER_EXCLUDED);
	assert_int_equal(swt_tracker_get_state(t, 20), SWT_TRACKER_TRACKED);
	/* an empty range forgets its excluded pids only */
	n = swt_tracker_scan_range(t, &c, NULL, 0, 35, 40);
	assert_int_equal(n, 0);
	assert_int_equal(swt_tracker_get_state(t, 35), SWT_TRACKER_UNKNOWN);
	assert_int_equal(swt_tracker_get_state(t, 40), SWT_TRACKER_UNKNOWN);
	assert_int_equal(swt_tracker_get_state(t, 1), SWT_TRACKER_EXCLUDED);
	assert_int_equal(swt_tracker_get_state(t, 31), SWT_TRACKER_TRACKED);
	swt_tracker_free(t);
}

static void tracker_follows_the_tree_in_any_order(void **state)
{
	/* self 100 -> 101 -> 102 -> 105; 103 (ppid 1); 104 -> 103 */
	static const int32_t pids[] = { 1, 100, 101, 102, 103, 104, 105 };
	static const int32_t ppids[] = { 0, 50, 100, 101, 1, 103, 102 };
	struct swt_tracker *t;
	struct swt_tracker_cand *c;
	size_t n, i;

	(void)state;
	swt_tracker_new(&t, SWT_MODE_LAUNCH, 100);
	n = scan_pids(t, &c, pids, NULL, 7);
	/* self is listed too; it is never its own child */
	assert_int_equal(n, 7);
	/* children before parents: decide() must not care */
	for (i = 0; i < n; i++) {
		size_t k;

		for (k = 0; k < 7; k++)
			if (pids[k] == c[i].pid)
				c[i].ppid = ppids[k];
	}
	{
		struct swt_tracker_cand rev[7];

		for (i = 0; i < n; i++)
			rev[i] = c[n - 1 - i];
		swt_tracker_decide(t, rev, n);
	}
	assert_int_equal(swt_tracker_get_state(t, 101), SWT_TRACKER_TRACKED);
	assert_int_equal(swt_tracker_get_state(t, 102), SWT_TRACKER_TRACKED);
	assert_int_equal(swt_tracker_get_state(t, 105), SWT_TRACKER_TRACKED);
	assert_int_equal(swt_tracker_get_state(t, 103), SWT_TRACKER_EXCLUDED);
	assert_int_equal(swt_tracker_get_state(t, 104), SWT_TRACKER_EXCLUDED);
	assert_int_equal(swt_tracker_get_state(t, 100), SWT_TRACKER_EXCLUDED);
	assert_int_equal(swt_tracker_get_state(t, 1), SWT_TRACKER_EXCLUDED);
	assert_int_equal(swt_tracker_count(t), 3);
	swt_tracker_free(t);
}

static void tracker_rescan_costs_only_new_pids(void **state)
{
	static const int32_t first[] = { 1, 10, 20, 30 };
	static const int32_t second[] = { 1, 20, 30, 40 };
	static const uint64_t reused_ino[] = { 10, 201, 999, 400 };
	struct swt_tracker *t;
	struct swt_tracker_cand *c;
	size_t n;

	(void)state;
	swt_tracker_new(&t, SWT_MODE_ATTACH, 5);
	swt_tracker_track(t, 10, 0);
	n = scan_pids(t, &c, first, NULL, 4);
	assert_int_equal(n, 3);		/* 1, 20, 30: 10 is a root */
	c[0].ppid = 0;
	c[1].ppid = 10;
	c[2].ppid = 1;
	swt_tracker_decide(t, c, n);
	assert_int_equal(swt_tracker_get_state(t, 20), SWT_TRACKER_TRACKED);
	assert_int_equal(swt_tracker_get_state(t, 30), SWT_TRACKER_EXCLUDED);
	/* The same listing again: nothing to read. The root picked up the
	 * inode seen for it. */
	n = scan_pids(t, &c, first, NULL, 4);
	assert_int_equal(n, 0);
	/* 10 exited (the sampler forgets it), 40 is new. */
	swt_tracker_forget(t, 10);
	n = scan_pids(t, &c, second, NULL, 4);
	assert_int_equal(n, 1);
	assert_int_equal(c[0].pid, 40);
	c[0].ppid = 20;
	swt_tracker_decide(t, c, 1);
	assert_int_equal(swt_tracker_get_state(t, 40), SWT_TRACKER_TRACKED);
	/* 30 (excluded) was reused by a new process: new inode, so it is a
	 * candidate again; 20 (tracked) with a new inode stays tracked. */
	n = scan_pids(t, &c, second, reused_ino, 4);
	assert_int_equal(n, 1);
	assert_int_equal(c[0].pid, 30);
	c[0].ppid = 40;
	swt_tracker_decide(t, c, 1);
	assert_int_equal(swt_tracker_get_state(t, 30), SWT_TRACKER_TRACKED);
	assert_int_equal(swt_tracker_get_state(t, 20), SWT_TRACKER_TRACKED);
	/* An excluded pid that is no longer listed is dropped. */
	n = scan_pids(t, &c, second + 1, reused_ino + 1, 3);
	assert_int_equal(n, 0);
	assert_int_equal(swt_tracker_get_state(t, 1), SWT_TRACKER_UNKNOWN);
	assert_int_equal(swt_tracker_count(t), 3);
	swt_tracker_free(t);
}

/* The first listing (libproc2's) has no inodes: a pid it excluded is
 * checked again at the first listing with inodes, where it may be a
 * process of the tree that reused the pid meanwhile; after that, only a
 * new inode makes it a candidate. */
static void tracker_checks_again_what_it_excluded_without_inode(void **state)
{
	static const int32_t pids[] = { 1, 10, 300 };
	static const uint64_t no_ino[] = { 0, 0, 0 };
	static const uint64_t ino[] = { 11, 101, 3001 };
	struct swt_tracker *t;
	struct swt_tracker_cand *c;
	size_t n;

	(void)state;
	swt_tracker_new(&t, SWT_MODE_LAUNCH, 5);
	swt_tracker_track(t, 10, 0);
	n = scan_pids(t, &c, pids, no_ino, 3);
	assert_int_equal(n, 2);
	c[0].ppid = 0;		/* 1 */
	c[1].ppid = 1;		/* 300, outside the tree */
	swt_tracker_decide(t, c, n);
	assert_int_equal(swt_tracker_get_state(t, 300), SWT_TRACKER_EXCLUDED);
	/* 300 exited and a child of 10 took its pid */
	n = scan_pids(t, &c, pids, ino, 3);
	assert_int_equal(n, 2);
	assert_int_equal(c[0].pid, 1);
	assert_int_equal(c[1].pid, 300);
	c[0].ppid = 0;
	c[1].ppid = 10;
	swt_tracker_decide(t, c, n);
	assert_int_equal(swt_tracker_get_state(t, 300), SWT_TRACKER_TRACKED);
	assert_int_equal(swt_tracker_get_state(t, 1), SWT_TRACKER_EXCLUDED);
	assert_int_equal(swt_tracker_get_state(t, 10), SWT_TRACKER_TRACKED);
	/* now that 1 has its inode, it costs nothing */
	n = scan_pids(t, &c, pids, ino, 3);
	assert_int_equal(n, 0);
	swt_tracker_free(t);
}

static void tracker_all_mode_takes_all_but_zombies(void **state)
{
	static const int32_t pids[] = { 1, 2, 3 };
	struct swt_tracker *t;
	struct swt_tracker_cand *c;
	size_t n;

	(void)state;
	swt_tracker_new(&t, SWT_MODE_ALL, 3);
	n = scan_pids(t, &c, pids, NULL, 3);
	assert_int_equal(n, 3);
	c[0].ppid = 0;
	c[1].ppid = -1;	/* zombie */
	c[2].ppid = 1;
	swt_tracker_decide(t, c, n);
	assert_true(c[0].track);
	assert_false(c[1].track);
	assert_true(c[2].track);
	assert_int_equal(swt_tracker_count(t), 2);
	swt_tracker_free(t);
}

/* ---- sampler over real processes ------------------------------------ */

#define MAX_ROWS 64

/* A copy of what a tick emitted. */
struct tick {
	size_t n_starts, n_exits, n_samples;
	struct swt_proc_start starts[16];
	char start_comm[16][64];
	char start_cmd[16][512];
	char start_exe[16][512];
	struct swt_proc_exit exits[16];
	struct swt_sample sample;
	struct swt_proc_row rows[MAX_ROWS];
	struct swt_thread_row trows[MAX_ROWS];
	char tnames[MAX_ROWS][64];
	enum swt_record_kind order[64];
	size_t n_order;
};

static int collect(const struct swt_record *rec, void *payload)
{
	struct tick *t = payload;
	size_t i;

	if (t->n_order < 64)
		t->order[t->n_order++] = rec->kind;
	switch (rec->kind) {
	case SWT_REC_PROC_START:
		assert_true(t->n_starts < 16);
		t->starts[t->n_starts] = rec->u.proc_start;
		snprintf(t->start_comm[t->n_starts], 64, "%s",
			 rec->u.proc_start.comm);
		t->starts[t->n_starts].comm = t->start_comm[t->n_starts];
		assert_true(rec->u.proc_start.cmdline_len <= 512);
		memcpy(t->start_cmd[t->n_starts], rec->u.proc_start.cmdline,
		       rec->u.proc_start.cmdline_len);
		t->starts[t->n_starts].cmdline = t->start_cmd[t->n_starts];
		snprintf(t->start_exe[t->n_starts], 512, "%s",
			 rec->u.proc_start.exe ? rec->u.proc_start.exe : "");
		t->starts[t->n_starts].exe = t->start_exe[t->n_starts];
		t->n_starts++;
		break;
	case SWT_REC_PROC_EXIT:
		assert_true(t->n_exits < 16);
		t->exits[t->n_exits++] = rec->u.proc_exit;
		break;
	case SWT_REC_SAMPLE:
		t->n_samples++;
		t->sample = rec->u.sample;
		assert_true(rec->u.sample.n_procs <= MAX_ROWS);
		memcpy(t->rows, rec->u.sample.procs,
		       rec->u.sample.n_procs * sizeof(t->rows[0]));
		for (i = 0; i < rec->u.sample.n_threads && i < MAX_ROWS; i++) {
			t->trows[i] = rec->u.sample.threads[i];
			snprintf(t->tnames[i], 64, "%s",
				 rec->u.sample.threads[i].name);
			t->trows[i].name = t->tnames[i];
		}
		break;
	default:
		fail_msg("unexpected record kind %d", rec->kind);
	}
	return 0;
}

static void do_tick(struct swt_sampler *s, struct tick *t)
{
	memset(t, 0, sizeof(*t));
	assert_ok(swt_sampler_tick(s, 0, collect, t));
	assert_int_equal(t->n_samples, 1);
	/* exits, then starts, then the sample */
	if (t->n_order > 1) {
		size_t i;

		for (i = 1; i < t->n_order; i++)
			assert_true(t->order[i - 1] <= t->order[i] ||
				    (t->order[i - 1] == SWT_REC_PROC_EXIT &&
				     t->order[i] == SWT_REC_PROC_START));
		assert_int_equal(t->order[t->n_order - 1], SWT_REC_SAMPLE);
	}
}

static const struct swt_proc_row *row_of(const struct tick *t, int32_t pid)
{
	size_t i;

	for (i = 0; i < t->sample.n_procs; i++)
		if (t->rows[i].pid == pid)
			return &t->rows[i];
	return NULL;
}

static const struct swt_proc_start *start_of(const struct tick *t,
					     int32_t pid)
{
	size_t i;

	for (i = 0; i < t->n_starts; i++)
		if (t->starts[i].pid == pid)
			return &t->starts[i];
	return NULL;
}

static const struct swt_proc_exit *exit_of(const struct tick *t, int32_t pid)
{
	size_t i;

	for (i = 0; i < t->n_exits; i++)
		if (t->exits[i].pid == pid)
			return &t->exits[i];
	return NULL;
}

/* libproc2_scans: opts.libproc2_scans (swrec --libproc2-scans). */
static void new_sampler_p2(struct swt_sampler **s, enum swt_mode mode,
			   const int32_t *roots, size_t n, bool threads,
			   unsigned slow_every, bool libproc2_scans)
{
	struct swt_sampler_opts o;
	char err[256];

	memset(&o, 0, sizeof(o));
	o.mode = mode;
	o.roots = roots;
	o.n_roots = n;
	o.threads = threads;
	o.slow_every = slow_every;
	o.libproc2_scans = libproc2_scans;
	assert_ok(swt_sampler_new(s, &o, err, sizeof(err)));
}

static void new_sampler(struct swt_sampler **s, enum swt_mode mode,
			const int32_t *roots, size_t n, bool threads,
			unsigned slow_every)
{
	new_sampler_p2(s, mode, roots, n, threads, slow_every, false);
}

/* A child that waits for a byte on `in`, then forks a grandchild that
 * pauses and writes its pid to `out`, then pauses itself. */
static pid_t spawn_parent(int *to_child, int *from_child)
{
	int a[2], b[2];
	pid_t pid;

	assert_int_equal(pipe(a), 0);
	assert_int_equal(pipe(b), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char c;
		pid_t gc;

		prctl(PR_SET_PDEATHSIG, SIGKILL); /* if the test fails */
		close(a[1]);
		close(b[0]);
		if (read(a[0], &c, 1) != 1)
			_exit(1);
		gc = fork();
		if (gc == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL); /* if the test fails */
			for (;;)
				pause();
		}
		if (write(b[1], &gc, sizeof(gc)) != (ssize_t)sizeof(gc))
			_exit(1);
		for (;;)
			pause();
	}
	close(a[0]);
	close(b[1]);
	*to_child = a[1];
	*from_child = b[0];
	return pid;
}

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- the pid counter ------------------------------------------------ */

/* Pids and tids are handed out in increasing order up to pid_max, then
 * from 300 again (RESERVED_PIDS): a new pid or tid may be smaller than
 * every older one, so no test may take "new" to mean "larger". As root the
 * counter can be placed (bench/rec/pidwrap.sh runs these tests with it
 * placed just below pid_max). */
#define LAST_PID_PATH "/proc/sys/kernel/ns_last_pid"

/* The last pid handed out in this pid namespace, or -1. */
static int32_t get_last_pid(void)
{
	FILE *f = fopen(LAST_PID_PATH, "r");
	int v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &v) != 1)
		v = -1;
	fclose(f);
	return (int32_t)v;
}

/* Place the counter: the next pid or tid is the first free one after
 * `last`. 0, or -1 if the file cannot be written (not root). */
static int set_last_pid(int32_t last)
{
	FILE *f = fopen(LAST_PID_PATH, "w");

	if (!f)
		return -1;
	fprintf(f, "%d", (int)last);
	return fclose(f) == 0 ? 0 : -1;
}

static int32_t get_pid_max(void)
{
	FILE *f = fopen("/proc/sys/kernel/pid_max", "r");
	int v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &v) != 1)
		v = -1;
	fclose(f);
	return (int32_t)v;
}

/* Teardown of the sampler tests: kill and reap the children a test left
 * (a failing test leaves without its cleanup). The next test in LAUNCH
 * mode would count them in its tree and fail for a reason not its own,
 * hiding which test broke. */
static int reap_leftovers(void **state)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;

	(void)state;
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char path[320];
		FILE *f;
		int pid, st;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/children",
			 de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fscanf(f, "%d", &pid) == 1) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
		}
		fclose(f);
	}
	closedir(d);
	return 0;
}

/* The fields of /proc/PID/task/TID/stat (tid 0: /proc/PID/stat) the tests
 * compare with. 0, or -1 if it cannot be read. */
struct task_stat {
	char state;
	int64_t utime, stime;
	uint64_t start_ticks;
	char comm[64];
};

static int read_task(struct task_stat *out, pid_t pid, pid_t tid)
{
	struct swt_procfs_stat st;
	char path[96], buf[1024];
	size_t n, len;
	FILE *f;

	if (tid)
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid,
			 (int)tid);
	else
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	if (swt_procfs_parse_stat(&st, buf, n) < 0)
		return -1;
	out->state = st.state;
	out->utime = (int64_t)st.utime;
	out->stime = (int64_t)st.stime;
	out->start_ticks = st.start_ticks;
	len = st.comm_len < sizeof(out->comm) ? st.comm_len :
						sizeof(out->comm) - 1;
	memcpy(out->comm, st.comm, len);
	out->comm[len] = '\0';
	return 0;
}

/* Poll until pid (or its thread tid) is in state `want`, under a deadline
 * that only a broken test reaches: a loaded machine makes this slower,
 * never wrong. */
static void wait_task_state(pid_t pid, pid_t tid, char want)
{
	int64_t deadline = mono_ns() + INT64_C(60000000000);
	struct task_stat ts;

	while (mono_ns() < deadline) {
		if (read_task(&ts, pid, tid) < 0)
			break;
		if (ts.state == want)
			return;
		usleep(2000);
	}
	fail_msg("pid %d tid %d never reached state %c", (int)pid, (int)tid,
		 want);
}

static void wait_state(pid_t pid, char want)
{
	wait_task_state(pid, 0, want);
}

/* Whether this process has `path` open (a kept /proc descriptor). */
static bool has_open(const char *path)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	bool found = false;

	assert_non_null(d);
	while (!found && (de = readdir(d))) {
		char target[128];
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		n = readlinkat(dirfd(d), de->d_name, target,
			       sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		found = strcmp(target, path) == 0;
	}
	closedir(d);
	return found;
}

/* The same in both ways of reading a joining process's metadata: from
 * its stat line (the default) or from libproc2 (opts.libproc2_scans). */
static void follows_children(bool libproc2_scans)
{
	struct swt_sampler_stats ss;
	struct swt_sampler *s;
	struct task_stat ts;
	struct tick t;
	char path[64];
	int to_child, from_child, st;
	pid_t child, gc;
	int32_t root;

	child = spawn_parent(&to_child, &from_child);
	root = (int32_t)child;
	new_sampler_p2(&s, SWT_MODE_LAUNCH, &root, 1, false, 1, libproc2_scans);

	do_tick(s, &t);
	assert_non_null(start_of(&t, child));
	assert_int_equal(start_of(&t, child)->ppid, getpid());
	assert_false(start_of(&t, child)->preexisting);
	assert_non_null(row_of(&t, child));
	assert_int_equal(row_of(&t, child)->nthreads, 1);
	assert_int_equal(swt_sampler_count(s), 1);

	/* A grandchild appears: found by the next tick. */
	assert_int_equal(write(to_child, "x", 1), 1);
	assert_int_equal(read(from_child, &gc, sizeof(gc)),
			 (ssize_t)sizeof(gc));
	do_tick(s, &t);
	assert_non_null(start_of(&t, gc));
	assert_int_equal(start_of(&t, gc)->ppid, child);
	assert_int_equal(read_task(&ts, gc, 0), 0);
	assert_int_equal(start_of(&t, gc)->start_ticks, ts.start_ticks);
	assert_string_equal(start_of(&t, gc)->comm, "test_sampler");
	assert_int_equal(start_of(&t, gc)->uid, getuid());
	assert_false(start_of(&t, gc)->preexisting);
	assert_null(start_of(&t, child));
	assert_non_null(row_of(&t, child));
	assert_non_null(row_of(&t, gc));
	assert_int_equal(swt_sampler_count(s), 2);
	/* its stat is kept open for the ticks to come */
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)gc);
	assert_true(has_open(path));
	swt_sampler_get_stats(s, &ss);
	assert_true(ss.scans >= 1);
	if (libproc2_scans) {
		/* nothing to measure without it */
		assert_false(ss.libproc2_missing);
		assert_true(ss.libproc2_selects >= 1);
	} else {
		assert_int_equal(ss.libproc2_selects, 0);
	}

	/* Its parent does not reap it: a zombie has exited all the same. */
	kill(gc, SIGKILL);
	wait_state(gc, 'Z');
	do_tick(s, &t);
	assert_non_null(exit_of(&t, gc));
	assert_false(exit_of(&t, gc)->has_status);
	assert_null(row_of(&t, gc));
	/* read as a zombie: its last counters come with the exit, its I/O
	 * too (readable while it is a zombie) */
	assert_true(exit_of(&t, gc)->has_final);
	assert_true(exit_of(&t, gc)->has_final_io);

	/* We reap the child: the exit carries its status, and the last
	 * counters read from the zombie before reaping it (as swrec does) */
	kill(child, SIGKILL);
	wait_state(child, 'Z');
	swt_sampler_note_zombie(s, (int32_t)child);
	assert_int_equal(waitpid(child, &st, 0), child);
	swt_sampler_note_exit(s, (int32_t)child, st);
	do_tick(s, &t);
	assert_non_null(exit_of(&t, child));
	assert_true(exit_of(&t, child)->has_status);
	assert_true(exit_of(&t, child)->has_final);
	assert_true(exit_of(&t, child)->has_final_io);
	assert_true(exit_of(&t, child)->utime >= 0);
	assert_int_equal(exit_of(&t, child)->signal, SIGKILL);
	assert_int_equal(t.sample.n_procs, 0);
	assert_int_equal(swt_sampler_count(s), 0);

	/* Nothing left: ticks go on quietly. */
	do_tick(s, &t);
	assert_int_equal(t.n_exits + t.n_starts, 0);
	close(to_child);
	close(from_child);
	swt_sampler_free(s);
}

/* A child that forks a pausing grandchild for every byte on `to`, and
 * answers with its pid. */
static pid_t spawn_forker(int *to_child, int *from_child)
{
	int a[2], b[2];
	pid_t pid;

	assert_int_equal(pipe(a), 0);
	assert_int_equal(pipe(b), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char c;

		prctl(PR_SET_PDEATHSIG, SIGKILL); /* if the test fails */
		close(a[1]);
		close(b[0]);
		while (read(a[0], &c, 1) == 1) {
			pid_t gc = fork();

			if (gc == 0) {
				prctl(PR_SET_PDEATHSIG, SIGKILL);
				for (;;)
					pause();
			}
			if (write(b[1], &gc, sizeof(gc)) != (ssize_t)sizeof(gc))
				_exit(1);
		}
		_exit(0);
	}
	close(a[0]);
	close(b[1]);
	*to_child = a[1];
	*from_child = b[0];
	return pid;
}

/* Scans after the first list the pids allocated since the last one only
 * (ns_last_pid); a process outside the tree started in between is read
 * once and excluded, and the tree's new processes are all found. */
static void sampler_lists_only_the_new_pids(void **state)
{
	struct swt_sampler_stats ss;
	struct swt_sampler *s;
	struct tick t;
	int to_child, from_child, st, i, wrapped = 0;
	pid_t child, gc[4], other;
	int32_t root, before[4], after[4];

	(void)state;
	if (access(LAST_PID_PATH, R_OK) != 0)
		skip();	/* a kernel without it: every scan is full */
	child = spawn_forker(&to_child, &from_child);
	root = (int32_t)child;
	/* the default period: a full listing every 4th tick at the most */
	new_sampler(&s, SWT_MODE_LAUNCH, &root, 1, false, 0);
	do_tick(s, &t);
	assert_non_null(start_of(&t, child));
	for (i = 0; i < 4; i++) {
		/* outside the tree, and gone before the tick */
		other = fork();
		if (other == 0)
			_exit(0);
		assert_int_equal(waitpid(other, &st, 0), other);
		assert_int_equal(write(to_child, "x", 1), 1);
		assert_int_equal(read(from_child, &gc[i], sizeof(gc[i])),
				 (ssize_t)sizeof(gc[i]));
		before[i] = get_last_pid();
		do_tick(s, &t);
		after[i] = get_last_pid();
		assert_non_null(start_of(&t, gc[i]));
		assert_int_equal(start_of(&t, gc[i])->ppid, child);
		assert_non_null(row_of(&t, gc[i]));
		assert_int_equal(t.sample.n_procs, (size_t)i + 2);
	}
	swt_sampler_get_stats(s, &ss);
	assert_true(ss.scans >= 4);
	/* The first scan after libproc2's is a full one; then partial ones,
	 * but for one refresh and for each scan whose window the counter
	 * went back in (a wrap, or a write to ns_last_pid): the window of
	 * the scan of tick i lies between the reads before tick i - 1 and
	 * after tick i. */
	for (i = 1; i < 4; i++)
		if (after[i - 1] < before[i - 1] ||
		    before[i] < after[i - 1] || after[i] < before[i])
			wrapped++;
	if (wrapped)
		print_message("# the pid counter went back in %d scan(s)\n",
			      wrapped);
	assert_true(ss.partial_scans + (uint64_t)wrapped >= 2);
	swt_sampler_free(s);
	close(to_child);
	assert_int_equal(waitpid(child, &st, 0), child);
	for (i = 0; i < 4; i++)
		kill(gc[i], SIGKILL);
	close(from_child);
}

static void sampler_follows_children_and_reports_exits(void **state)
{
	(void)state;
	follows_children(false);
}

static void sampler_follows_children_with_libproc2_scans(void **state)
{
	(void)state;
	follows_children(true);
}

/* The recorder's side of reuse_outsider_pid(), in a child of the test:
 * the first tick, 'r' on `out`; on a byte from `in`, a newcomer in the
 * tree, the second tick, and on `out` the newcomer's pid and whether that
 * tick started it. Its exit code: 0, or where it failed. */
static int outsider_recorder(int in, int out, bool libproc2_scans)
{
	struct swt_sampler_opts o;
	struct swt_sampler *s;
	struct tick *t = calloc(1, sizeof(*t));
	char err[256], c;
	int to_child, from_child;
	int32_t root, ans[2];
	pid_t gc;

	root = (int32_t)spawn_forker(&to_child, &from_child);
	memset(&o, 0, sizeof(o));
	o.mode = SWT_MODE_LAUNCH;
	o.roots = &root;
	o.n_roots = 1;
	o.libproc2_scans = libproc2_scans;
	if (!t || swt_sampler_new(&s, &o, err, sizeof(err)) < 0)
		return 2;
	if (swt_sampler_tick(s, 0, collect, t) < 0 || !row_of(t, root))
		return 3;
	if (write(out, "r", 1) != 1 || read(in, &c, 1) != 1)
		return 4;
	if (write(to_child, "x", 1) != 1 ||
	    read(from_child, &gc, sizeof(gc)) != (ssize_t)sizeof(gc))
		return 5;
	memset(t, 0, sizeof(*t));
	if (swt_sampler_tick(s, 0, collect, t) < 0)
		return 6;
	ans[0] = (int32_t)gc;
	ans[1] = start_of(t, gc) && row_of(t, gc);
	/* Not left to PR_SET_PDEATHSIG: the newcomer may not have run its
	 * prctl() yet when its parent dies, and would then outlive the
	 * test, holding its output open (meson test waits for it). */
	kill(gc, SIGKILL);
	kill(root, SIGKILL);
	waitpid(root, NULL, 0);
	if (write(out, ans, sizeof(ans)) != (ssize_t)sizeof(ans))
		return 7;
	return 0;
}

/* A process outside the tree holds a pid at the first tick; it exits,
 * and a newcomer in the tree takes its pid before the next tick (as on a
 * busy machine when the counter wraps: the freed pid is the first free
 * one after 300). Whether the next tick found the newcomer (0 or 1), or
 * -1 if another process took the pid first.
 *
 * The recorder runs in a child of the test, so that a child of the test
 * (the outsider) is outside its tree. */
static int reuse_outsider_pid(bool libproc2_scans)
{
	int cmd[2], rep[2], st, found = -1;
	int32_t ans[2];
	pid_t outsider, rec;
	char c;

	outsider = fork();
	assert_true(outsider >= 0);
	if (outsider == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* if the test fails */
		for (;;)
			pause();
	}
	assert_int_equal(pipe(cmd), 0);
	assert_int_equal(pipe(rep), 0);
	rec = fork();
	assert_true(rec >= 0);
	if (rec == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(cmd[1]);
		close(rep[0]);
		_exit(outsider_recorder(cmd[0], rep[1], libproc2_scans));
	}
	close(cmd[0]);
	close(rep[1]);
	assert_int_equal(read(rep[0], &c, 1), 1);
	/* the first tick has seen the outsider: free its pid, and have it
	 * handed out next */
	kill(outsider, SIGKILL);
	assert_int_equal(waitpid(outsider, &st, 0), outsider);
	assert_int_equal(set_last_pid((int32_t)outsider - 1), 0);
	assert_int_equal(write(cmd[1], "f", 1), 1);
	assert_int_equal(read(rep[0], ans, sizeof(ans)),
			 (ssize_t)sizeof(ans));
	assert_int_equal(waitpid(rec, &st, 0), rec);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	if (ans[0] == (int32_t)outsider)
		found = ans[1];
	close(cmd[1]);
	close(rep[0]);
	return found;
}

/* The first tick's listing (libproc2's, or the /proc one) is the tracker's
 * memory of the processes outside the tree; a pid of theirs reused by a
 * process of the tree before the next listing must not be taken for
 * them. */
static void pid_reuse(bool libproc2_scans)
{
	int found = -1, attempt;

	if (geteuid() != 0 || access(LAST_PID_PATH, W_OK) != 0) {
		print_message("# %s not writable: needs root\n",
			      LAST_PID_PATH);
		skip();
	}
	for (attempt = 0; attempt < 20 && found < 0; attempt++)
		found = reuse_outsider_pid(libproc2_scans);
	if (found < 0) {
		print_message("# 20 times, another process took the pid\n");
		skip();
	}
	assert_int_equal(found, 1);
}

static void sampler_finds_a_newcomer_on_an_outsiders_pid(void **state)
{
	(void)state;
	pid_reuse(false);
}

static void sampler_finds_a_newcomer_on_an_outsiders_pid_libproc2(
	void **state)
{
	(void)state;
	pid_reuse(true);
}

static void sampler_works_without_libproc2(void **state)
{
	struct swt_sampler_opts o;
	struct swt_sampler_stats st;
	struct swt_sampler *s;
	struct tick t;
	char err[256];
	int to_child, from_child, status;
	pid_t child, gc;
	int32_t root;

	(void)state;
	child = spawn_parent(&to_child, &from_child);
	assert_int_equal(write(to_child, "x", 1), 1);
	assert_int_equal(read(from_child, &gc, sizeof(gc)),
			 (ssize_t)sizeof(gc));
	root = (int32_t)child;
	memset(&o, 0, sizeof(o));
	o.mode = SWT_MODE_ATTACH;
	o.roots = &root;
	o.n_roots = 1;
	o.no_libproc2 = true;
	assert_ok(swt_sampler_new(&s, &o, err, sizeof(err)));
	do_tick(s, &t);
	/* the root and its child, both there before the recording */
	assert_non_null(start_of(&t, child));
	assert_true(start_of(&t, child)->preexisting);
	assert_non_null(start_of(&t, gc));
	assert_true(start_of(&t, gc)->preexisting);
	assert_int_equal(start_of(&t, gc)->ppid, child);
	assert_int_equal(start_of(&t, gc)->uid, getuid());
	assert_string_equal(start_of(&t, gc)->comm, "test_sampler");
	swt_sampler_get_stats(s, &st);
	assert_true(st.libproc2_missing);
	kill(gc, SIGKILL);
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	close(to_child);
	close(from_child);
	swt_sampler_free(s);
}

static void skips_gone_pids(bool libproc2_scans)
{
	struct swt_sampler_stats ss;
	struct swt_sampler *s;
	struct swt_tracker_entry list[3];
	struct tick t;
	pid_t live, dead;
	int32_t root;
	int st;

	live = fork();
	if (live == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* if the test fails */
		for (;;)
			pause();
	}
	dead = fork();
	if (dead == 0)
		_exit(0);
	assert_int_equal(waitpid(dead, &st, 0), dead);
	root = (int32_t)live;
	new_sampler_p2(&s, SWT_MODE_LAUNCH, &root, 1, true, 1, libproc2_scans);
	do_tick(s, &t);
	assert_non_null(row_of(&t, live));

	/* A listing that names a reaped child (its parent is us, so it would
	 * be tracked) and a pid that never existed. */
	list[0].pid = (int32_t)live;
	list[0].ino = 1;
	list[1].pid = (int32_t)dead;
	list[1].ino = 2;
	list[2].pid = INT32_MAX - 1;
	list[2].ino = 3;
	if (list[1].pid > list[0].pid) {
		assert_int_equal(swt_sampler__scan_list(s, list, 3), 0);
	} else {
		struct swt_tracker_entry sorted[3] = { list[1], list[0],
						       list[2] };

		assert_int_equal(swt_sampler__scan_list(s, sorted, 3), 0);
	}
	do_tick(s, &t);
	assert_null(start_of(&t, dead));
	assert_null(row_of(&t, dead));
	assert_non_null(row_of(&t, live));
	swt_sampler_get_stats(s, &ss);
	/* libproc2 was asked, and answered for neither */
	assert_int_equal(ss.libproc2_selects >= 1, libproc2_scans);
	kill(live, SIGKILL);
	waitpid(live, &st, 0);
	swt_sampler_free(s);
}

static void sampler_skips_pids_gone_between_listing_and_read(void **state)
{
	(void)state;
	skips_gone_pids(false);
}

static void sampler_skips_gone_pids_with_libproc2_scans(void **state)
{
	(void)state;
	skips_gone_pids(true);
}

/* Poll until pid has n threads (see wait_task_state()). */
static void wait_thread_count(pid_t pid, int64_t n)
{
	int64_t deadline = mono_ns() + INT64_C(60000000000);
	struct swt_procfs_stat st;
	char path[64], buf[1024];
	size_t len;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	while (mono_ns() < deadline) {
		f = fopen(path, "r");
		assert_non_null(f);
		len = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		assert_ok(swt_procfs_parse_stat(&st, buf, len));
		if (st.nthreads == n)
			return;
		usleep(2000);
	}
	fail_msg("pid %d never had %d threads", (int)pid, (int)n);
}

static void *named_thread(void *arg)
{
	(void)arg;
	pause();
	return NULL;
}

static void sampler_reads_threads_of_a_process(void **state)
{
	struct swt_sampler *s;
	pthread_t th[2];
	struct tick t;
	int32_t self = (int32_t)getpid();
	size_t i, workers = 0;
	bool main_seen = false;

	(void)state;
	for (i = 0; i < 2; i++) {
		assert_int_equal(pthread_create(&th[i], NULL, named_thread,
						NULL),
				 0);
		pthread_setname_np(th[i], i ? "wk-beta" : "wk-alpha");
	}
	new_sampler(&s, SWT_MODE_ATTACH, &self, 1, true, 1);
	do_tick(s, &t);
	assert_non_null(row_of(&t, self));
	assert_true(start_of(&t, self)->preexisting);
	for (i = 0; i < t.sample.n_threads; i++) {
		assert_int_equal(t.trows[i].tgid, self);
		if (i)
			assert_true(t.trows[i - 1].tid < t.trows[i].tid);
		if (t.trows[i].tid == self)
			main_seen = true;
		if (!strncmp(t.trows[i].name, "wk-", 3))
			workers++;
	}
	assert_true(main_seen);
	assert_int_equal(workers, 2);
	assert_int_equal(t.sample.n_threads, row_of(&t, self)->nthreads);
	/* One thread goes: the next tick notices. pthread_join returns
	 * when the thread has cleared its tid, a little before the kernel
	 * drops it from the thread count: wait for that. */
	pthread_cancel(th[1]);
	pthread_join(th[1], NULL);
	wait_thread_count(getpid(), row_of(&t, self)->nthreads - 1);
	do_tick(s, &t);
	workers = 0;
	for (i = 0; i < t.sample.n_threads; i++)
		if (!strncmp(t.trows[i].name, "wk-", 3))
			workers++;
	assert_int_equal(workers, 1);
	pthread_cancel(th[0]);
	pthread_join(th[0], NULL);
	swt_sampler_free(s);
}

static void sampler_reads_dear_files_every_nth_tick(void **state)
{
	struct swt_sampler *s;
	struct tick t;
	int32_t self = (int32_t)getpid();
	size_t i, full = 0;

	(void)state;
	new_sampler(&s, SWT_MODE_ATTACH, &self, 1, false, 4);
	do_tick(s, &t);
	/* The first row has everything. */
	assert_int_equal(row_of(&t, self)->flags &
				 (SWT_PF_CTXSW_NOT_SAMPLED |
				  SWT_PF_IO_NOT_SAMPLED),
			 0);
	assert_true(row_of(&t, self)->vctxsw > 0);
	for (i = 0; i < 8; i++) {
		const struct swt_proc_row *r;

		do_tick(s, &t);
		r = row_of(&t, self);
		assert_non_null(r);
		if (!(r->flags & SWT_PF_CTXSW_NOT_SAMPLED))
			full++;
		/* io is either read with ctxsw, or unavailable */
		if (r->flags & SWT_PF_IO_UNAVAILABLE)
			assert_false(r->flags & SWT_PF_IO_NOT_SAMPLED);
		else
			assert_int_equal(!(r->flags & SWT_PF_IO_NOT_SAMPLED),
					 !(r->flags &
					   SWT_PF_CTXSW_NOT_SAMPLED));
	}
	assert_int_equal(full, 2);
	swt_sampler_free(s);
}

static void spin_cpu_ms(int ms);

static void *spin_30ms(void *arg)
{
	(void)arg;
	spin_cpu_ms(30);
	return NULL;
}

static void *spin_120ms(void *arg)
{
	(void)arg;
	spin_cpu_ms(120);
	return NULL;
}

static void note_record(const struct swt_exit_stats *x, void *payload)
{
	swt_sampler_note_acct(payload, x);
}

/* As root: the kernel's exit records (taskstats), or the test skipped. */
static struct swt_exitacct *exitacct_or_skip(void)
{
	struct swt_exitacct *ea = NULL;
	char msg[200];

	if (swt_exitacct_open(&ea, msg, sizeof(msg)) < 0) {
		print_message("# skipped: %s\n", msg);
		skip();
	}
	return ea;
}

/* A process that, once it reads a byte on go[0], runs each of kids[0, n)
 * in a child of its own, one after the other, reaps it, writes the
 * children's pids to done[1], and pauses. */
static pid_t spawn_reaper(int go[2], int done[2], void (*const kids[])(void),
			  size_t n)
{
	pid_t child, gc[4];
	size_t i;
	char c;

	assert_true(n <= 4);
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(done), 0);
	child = fork();
	assert_true(child >= 0);
	if (child > 0)
		return child;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (read(go[0], &c, 1) != 1)
		_exit(1);
	for (i = 0; i < n; i++) {
		int status;

		gc[i] = fork();
		if (gc[i] == 0) {
			kids[i]();
			_exit(0);
		}
		waitpid(gc[i], &status, 0);
	}
	if (write(done[1], gc, n * sizeof(*gc)) != (ssize_t)(n * sizeof(*gc)))
		_exit(1);
	for (;;)
		pause();
}

static void close4(int a[2], int b[2])
{
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
}

/* The exit records a tick's late_exits hook hands over (the caller's
 * reading once the rows are read: late_exits_read()). */
static struct swt_exitacct *late_ea;
static struct swt_sampler *late_s;

static void late_exits_read(void *payload)
{
	uint64_t overflows = 0;

	(void)payload;
	(void)swt_exitacct_read(late_ea, note_record, late_s, &overflows);
}

static void kid_spin_50ms(void)
{
	spin_cpu_ms(50);
}

/* A pid free for a made-up process (a child that ran and was reaped). */
static int32_t free_pid(void)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return (int32_t)pid;
}

/* Attached to a tree (-p, -a), the exit record of a process of it that
 * was never sampled holds all its CPU, from its start: one that started
 * before the recording (a job of an hour that ended during swrec's first
 * scan) is written as an old process, preexisting, whose CPU the
 * analysis does not count from its record (it has no base), and one that
 * started since as a new one. Its start, taken from its elapsed time
 * when the record is read, is never earlier than it was. (The records
 * are handed to the sampler as its readers would: no root needed.) */
static void unseen_exits_of_old_processes_are_old(void **state)
{
	struct swt_sampler *s;
	struct swt_exit_stats x;
	const struct swt_proc_start *st;
	struct tick t;
	int32_t self = (int32_t)getpid(), old_pid, new_pid;

	(void)state;
	old_pid = free_pid();
	new_pid = free_pid();
	new_sampler(&s, SWT_MODE_ATTACH, &self, 1, false, 1);
	do_tick(s, &t);
	memset(&x, 0, sizeof(x));
	x.pid = old_pid;
	x.ppid = self;
	snprintf(x.comm, sizeof(x.comm), "old-job");
	x.utime_us = UINT64_C(3000000000);	/* 3000 s */
	x.etime_us = UINT64_C(3600000000);	/* 1 h */
	swt_sampler_note_acct(s, &x);
	x.pid = new_pid;
	snprintf(x.comm, sizeof(x.comm), "new-job");
	x.utime_us = 1000;
	x.etime_us = 2000;
	swt_sampler_note_acct(s, &x);
	do_tick(s, &t);
	st = start_of(&t, old_pid);
	assert_non_null(st);
	assert_true(st->preexisting);
	assert_non_null(exit_of(&t, old_pid));
	st = start_of(&t, new_pid);
	assert_non_null(st);
	assert_false(st->preexisting);
	swt_sampler_free(s);
}

/* As root: a grandchild that exits and is reaped by the tracked process
 * after the exit records were read at the start of a tick (here: none
 * read before it) and before the rows are read is in its parent's
 * cutime in that tick's sample; its start and exit with its record must
 * come in the same tick (through late_exits, once the rows are read),
 * not the next, or the analysis counts its CPU twice (once from its
 * record, once as the parent's reaped children). */
static void sampler_takes_exit_records_of_the_rows_read(void **state)
{
	static void (*const kids[])(void) = { kid_spin_50ms };
	struct swt_sampler_opts o;
	struct swt_sampler_stats stats;
	const struct swt_proc_exit *x;
	const struct swt_proc_start *st;
	const struct swt_proc_row *r;
	struct tick t;
	char msg[200];
	int go[2], done[2], status;
	pid_t child, gc;
	int32_t root;

	(void)state;
	late_ea = exitacct_or_skip();
	child = spawn_reaper(go, done, kids, 1);
	root = (int32_t)child;
	memset(&o, 0, sizeof(o));
	o.mode = SWT_MODE_LAUNCH;
	o.roots = &root;
	o.n_roots = 1;
	o.slow_every = 1;
	o.late_exits = late_exits_read;
	assert_ok(swt_sampler_new(&late_s, &o, msg, sizeof(msg)));
	do_tick(late_s, &t);
	assert_non_null(start_of(&t, child));
	/* (the records of the machine so far: not this test's) */
	late_exits_read(NULL);
	do_tick(late_s, &t);
	/* the grandchild lives and dies, and is reaped, between two ticks;
	 * its record is not read before the next tick begins */
	assert_int_equal(write(go[1], "g", 1), 1);
	assert_int_equal(read(done[0], &gc, sizeof(gc)), (ssize_t)sizeof(gc));
	do_tick(late_s, &t);
	r = row_of(&t, child);
	assert_non_null(r);
	assert_true(r->cutime + r->cstime > 0);
	st = start_of(&t, gc);
	assert_non_null(st);
	assert_int_equal(st->ppid, child);
	x = exit_of(&t, gc);
	assert_non_null(x);
	assert_true(x->has_acct);
	assert_true(x->utime_us + x->stime_us >= 30000);
	swt_sampler_get_stats(late_s, &stats);
	assert_true(stats.late_exit_records >= 1);
	/* and not again in the next tick */
	do_tick(late_s, &t);
	assert_null(start_of(&t, gc));
	assert_null(exit_of(&t, gc));
	/* the tracked process itself gone before the rows are read, its
	 * record read after them: its exit has it, and it is not written
	 * again as a process never tracked */
	kill(child, SIGKILL);
	assert_int_equal(waitpid(child, &status, 0), child);
	do_tick(late_s, &t);
	x = exit_of(&t, child);
	assert_non_null(x);
	assert_true(x->has_acct);
	assert_null(start_of(&t, child));
	assert_int_equal(t.n_exits, 1);
	swt_sampler_free(late_s);
	swt_exitacct_free(late_ea);
	close4(go, done);
}

/* As root: the kernel's exit records (taskstats). A child of the tracked
 * process lives and dies between two ticks: the next tick announces it
 * and ends it with its CPU, peak RSS and context switches; so does one of
 * three threads whose leader exits first (the kernel's group record has
 * no CPU: the threads' records are summed); an exit of a process outside
 * the tree is ignored. */
static void kid_switch_and_spin(void)
{
	usleep(2000);		/* a voluntary switch, at least */
	spin_cpu_ms(30);	/* one thread: the process's */
}

static void kid_three_threads(void)
{
	pthread_t a, b;

	if (pthread_create(&a, NULL, spin_30ms, NULL) != 0 ||
	    pthread_create(&b, NULL, spin_120ms, NULL) != 0)
		_exit(1);
	pthread_join(a, NULL);
	spin_cpu_ms(30);
	pthread_exit(NULL);	/* b is the last to go */
}

static void sampler_takes_the_kernels_exit_records(void **state)
{
	static void (*const kids[])(void) = { kid_switch_and_spin,
					       kid_three_threads };
	struct swt_exitacct *ea;
	struct swt_sampler *s;
	const struct swt_proc_exit *x;
	const struct swt_proc_start *st;
	struct tick t;
	int go[2], done[2], status;
	uint64_t overflows = 0;
	pid_t child, outsider, gc[2];
	int32_t root;

	(void)state;
	ea = exitacct_or_skip();
	child = spawn_reaper(go, done, kids, 2);
	root = (int32_t)child;
	new_sampler(&s, SWT_MODE_LAUNCH, &root, 1, false, 1);
	do_tick(s, &t);
	assert_non_null(start_of(&t, child));
	/* one outside the tree, reaped by us */
	outsider = fork();
	if (outsider == 0) {
		spin_cpu_ms(5);
		_exit(0);
	}
	assert_int_equal(waitpid(outsider, &status, 0), outsider);
	assert_int_equal(write(go[1], "g", 1), 1);
	assert_int_equal(read(done[0], gc, sizeof(gc)), (ssize_t)sizeof(gc));
	/* the record is sent before the parent can reap: it is there */
	assert_true(swt_exitacct_read(ea, note_record, s, &overflows) >= 3);
	assert_int_equal(overflows, 0);
	do_tick(s, &t);
	st = start_of(&t, gc[0]);
	assert_non_null(st);
	assert_int_equal(st->ppid, child);
	assert_int_equal(st->cmdline_len, 0);
	x = exit_of(&t, gc[0]);
	assert_non_null(x);
	assert_true(x->has_acct);
	assert_true(x->has_final);
	/* 30 ms of CPU, counted by the scheduler's ticks (4 ms here) */
	assert_true(x->utime_us + x->stime_us >= 20000);
	assert_true(x->utime_us + x->stime_us <= 1000000);
	assert_true(x->hiwater_rss_kib > 0);
	assert_true(x->nvcsw > 0);
	/* 30 + 30 + 120 ms over three threads, to the scheduler's tick */
	assert_non_null(start_of(&t, gc[1]));
	x = exit_of(&t, gc[1]);
	assert_non_null(x);
	assert_true(x->has_acct);
	assert_true(x->utime_us + x->stime_us >= 150000);
	assert_true(x->utime_us + x->stime_us <= 2000000);
	assert_true(x->hiwater_rss_kib > 0);
	assert_null(start_of(&t, outsider));
	assert_null(exit_of(&t, outsider));
	/* the tracked process's own record goes with its exit */
	kill(child, SIGKILL);
	assert_int_equal(waitpid(child, &status, 0), child);
	(void)swt_exitacct_read(ea, note_record, s, &overflows);
	do_tick(s, &t);
	x = exit_of(&t, child);
	assert_non_null(x);
	assert_true(x->has_acct);
	assert_null(start_of(&t, child));
	swt_sampler_free(s);
	swt_exitacct_free(ea);
	close4(go, done);
}

static void sampler_announces_exec_again(void **state)
{
	struct swt_sampler *s;
	struct tick t;
	int p[2], st;
	pid_t child;
	int32_t root;

	(void)state;
	assert_int_equal(pipe(p), 0);
	child = fork();
	if (child == 0) {
		char c;

		/* kept across the exec: gone with the test if it fails */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			_exit(1);
		execl("/bin/sleep", "sleep", "1000", (char *)NULL);
		_exit(1);
	}
	close(p[0]);
	root = (int32_t)child;
	new_sampler(&s, SWT_MODE_LAUNCH, &root, 1, false, 1);
	do_tick(s, &t);
	assert_non_null(start_of(&t, child));
	/* the program: this test's own, before the exec */
	{
		char self[512];
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

		assert_true(n > 0);
		self[n] = '\0';
		assert_string_equal(start_of(&t, child)->exe, self);
	}
	assert_int_equal(write(p[1], "x", 1), 1);
	close(p[1]);
	/* wait for the exec to be complete: the new comm comes first, the
	 * command line last (see the next test) */
	for (;;) {
		char path[64], comm[64] = "";
		size_t cmd_len = 0;
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/comm", (int)child);
		f = fopen(path, "r");
		assert_non_null(f);
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = '\0';
		fclose(f);
		snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)child);
		f = fopen(path, "r");
		assert_non_null(f);
		cmd_len = fread(path, 1, sizeof(path), f);
		fclose(f);
		if (!strcmp(comm, "sleep\n") &&
		    cmd_len == sizeof("sleep\0001000"))
			break;
		usleep(2000);
	}
	do_tick(s, &t);
	assert_non_null(start_of(&t, child));
	assert_string_equal(start_of(&t, child)->comm, "sleep");
	assert_int_equal(start_of(&t, child)->cmdline_len,
			 sizeof("sleep\0001000"));
	/* and the new one after it: /bin/sleep resolved (usrmerge) */
	{
		char path[64], prog[512];
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/%d/exe", (int)child);
		n = readlink(path, prog, sizeof(prog) - 1);
		assert_true(n > 0);
		prog[n] = '\0';
		assert_string_equal(start_of(&t, child)->exe, prog);
		assert_non_null(strstr(prog, "sleep"));
	}
	kill(child, SIGKILL);
	waitpid(child, &st, 0);
	swt_sampler_free(s);
}

/* A process whose command line is empty while it has memory is inside
 * execve() (the kernel sets the command line up last): its start record,
 * and its rows, wait for the command line, CMD_WAIT_TICKS (10) ticks at
 * most. The window of a real exec is too short to hit on purpose; a
 * process that empties its own argument area (prctl PR_SET_MM_MAP, as
 * checkpoint/restore tools do; no privilege needed without exe_fd) looks
 * the same to /proc. Returns 0 or -errno. */
static int set_arg_end(bool empty)
{
	static unsigned long long f[53];
	struct prctl_mm_map m;

	if (!f[26]) {
		char buf[4096], *p, *tok, *save = NULL;
		ssize_t n;
		int fd, i = 3;

		fd = open("/proc/self/stat", O_RDONLY);
		if (fd < 0)
			return -errno;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			return -EIO;
		buf[n] = '\0';
		/* fields from 3 on, after the comm (field 2) */
		p = strrchr(buf, ')');
		if (!p)
			return -EIO;
		for (tok = strtok_r(p + 1, " ", &save); tok && i < 53;
		     tok = strtok_r(NULL, " ", &save))
			f[i++] = strtoull(tok, NULL, 10);
		if (i < 52)
			return -EIO;
	}
	memset(&m, 0, sizeof(m));
	m.start_code = f[26];
	m.end_code = f[27];
	m.start_stack = f[28];
	m.start_data = f[45];
	m.end_data = f[46];
	m.start_brk = f[47];
	m.brk = (uint64_t)(uintptr_t)sbrk(0);
	m.arg_start = f[48];
	m.arg_end = empty ? f[48] : f[49];
	m.env_start = f[50];
	m.env_end = f[51];
	m.exe_fd = (uint32_t)-1;
	if (prctl(PR_SET_MM, PR_SET_MM_MAP, &m, sizeof(m), 0))
		return -errno;
	return 0;
}

static void sampler_waits_for_the_command_line_of_a_process_in_exec(
	void **state)
{
	char self_cmd[4096];
	int cmd[2], rep[2], st, r = 0, k;
	ssize_t self_len;
	struct swt_sampler *s;
	struct tick t;
	pid_t child;
	int32_t root;
	FILE *f;
	char c;

	(void)state;
	f = fopen("/proc/self/cmdline", "r");
	assert_non_null(f);
	self_len = (ssize_t)fread(self_cmd, 1, sizeof(self_cmd), f);
	fclose(f);
	assert_true(self_len > 0);
	assert_int_equal(pipe(cmd), 0);
	assert_int_equal(pipe(rep), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		/* 'e': empty the command line, 'r': restore it; each is
		 * answered with 0 or -errno */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(cmd[1]);
		close(rep[0]);
		while (read(cmd[0], &c, 1) == 1) {
			r = set_arg_end(c == 'e');
			if (write(rep[1], &r, sizeof(r)) != sizeof(r))
				_exit(1);
		}
		_exit(0);
	}
	close(cmd[0]);
	close(rep[1]);
	assert_int_equal(write(cmd[1], "e", 1), 1);
	assert_int_equal(read(rep[0], &r, sizeof(r)), sizeof(r));
	if (r == -EPERM || r == -EINVAL) {
		/* a kernel without CONFIG_CHECKPOINT_RESTORE */
		close(cmd[1]);
		waitpid(child, &st, 0);
		skip();
	}
	assert_int_equal(r, 0);
	root = (int32_t)child;
	new_sampler(&s, SWT_MODE_LAUNCH, &root, 1, false, 1);
	/* no start and no row while the command line is missing */
	do_tick(s, &t);
	assert_null(start_of(&t, child));
	assert_null(row_of(&t, child));
	do_tick(s, &t);
	assert_null(start_of(&t, child));
	/* then the whole identity, with its row */
	assert_int_equal(write(cmd[1], "r", 1), 1);
	assert_int_equal(read(rep[0], &r, sizeof(r)), sizeof(r));
	assert_int_equal(r, 0);
	do_tick(s, &t);
	assert_non_null(start_of(&t, child));
	assert_int_equal(start_of(&t, child)->cmdline_len, (size_t)self_len);
	assert_memory_equal(start_of(&t, child)->cmdline, self_cmd,
			    (size_t)self_len);
	assert_non_null(row_of(&t, child));
	swt_sampler_free(s);

	/* A process whose command line stays empty is announced anyway,
	 * after the wait. */
	assert_int_equal(write(cmd[1], "e", 1), 1);
	assert_int_equal(read(rep[0], &r, sizeof(r)), sizeof(r));
	assert_int_equal(r, 0);
	new_sampler(&s, SWT_MODE_LAUNCH, &root, 1, false, 1);
	for (k = 1; k <= 10; k++) {
		do_tick(s, &t);
		if (start_of(&t, child))
			break;
		assert_null(row_of(&t, child));
	}
	assert_int_equal(k, 10);
	assert_int_equal(start_of(&t, child)->cmdline_len, 0);
	assert_non_null(row_of(&t, child));
	swt_sampler_free(s);
	close(cmd[1]);
	assert_int_equal(waitpid(child, &st, 0), child);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(rep[0]);
}

/* ---- thread rows: the lone-thread rule and idle threads ------------- */

/* A child process whose threads the test drives through pipes. Commands
 * (one byte on `cmd`; every one is answered with an int32 on `reply`):
 *   's'  the main thread spins for 30 ms of its CPU time; answer 0
 *   't'  start a worker thread ("lab-worker"); it answers its tid
 *   'w'  the first worker spins for 30 ms of CPU; it answers its tid
 *   'g'  a thread spins for 60 ms of CPU and ends, joined; answer 0
 *   'e'  end the first worker; answer 0
 *   'd'  end the first worker and start another in its place (the thread
 *        count does not change), then fork a process with the ended
 *        worker's id, if /proc/sys/kernel/ns_last_pid allows, that starts
 *        a thread of its own; answer its pid (-1 if the id could not be
 *        had)
 * Everything blocks in read() in between: an idle process, whose values
 * do not change until the next command. CPU time, not wall time, so a
 * loaded machine does not change what is spun. */
struct lab {
	pid_t pid;
	int cmd;
	int reply;
};

static int lab_reply_fd;

static void spin_cpu_ms(int ms)
{
	struct timespec a, b;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
	do
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
	while ((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 <
	       ms);
}

static void lab_answer(int32_t v)
{
	if (write(lab_reply_fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
		_exit(1);
}

/* A worker of the lab, told what to do through its own pipe: 's' spin,
 * 'x' end (no pthread_cancel: under AddressSanitizer a cancelled thread
 * of a forked child trips over its signal stack). */
struct lab_worker {
	pthread_t th;
	int fd[2];
	pid_t tid;
};

static struct lab_worker lab_workers[8];
static size_t lab_n_workers;

static void *lab_worker_main(void *arg)
{
	struct lab_worker *w = arg;
	char c;

	__atomic_store_n(&w->tid, (pid_t)syscall(SYS_gettid),
			 __ATOMIC_SEQ_CST);
	lab_answer((int32_t)w->tid);
	while (read(w->fd[0], &c, 1) == 1 && c != 'x') {
		spin_cpu_ms(30);
		lab_answer((int32_t)w->tid);
	}
	return NULL;
}

static void *lab_brief(void *arg)
{
	(void)arg;
	spin_cpu_ms(60);
	return NULL;
}

static void *lab_pause(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void lab_start_worker(void)
{
	struct lab_worker *w = &lab_workers[lab_n_workers];

	if (lab_n_workers == 8 || pipe(w->fd) < 0 ||
	    pthread_create(&w->th, NULL, lab_worker_main, w) != 0)
		_exit(1);
	pthread_setname_np(w->th, "lab-worker");
	lab_n_workers++;
}

/* End the first worker; returns its tid. */
static pid_t lab_end_worker(void)
{
	struct lab_worker *w = &lab_workers[0];

	if (lab_n_workers < 1 || write(w->fd[1], "x", 1) != 1)
		_exit(1);
	pthread_join(w->th, NULL);
	return __atomic_load_n(&w->tid, __ATOMIC_SEQ_CST);
}

/* 'd': see above. */
static void lab_take_tid(void)
{
	pthread_t th;
	pid_t tid, b = -1;
	char path[64];
	int attempt, st;

	tid = lab_end_worker();
	if (pthread_create(&th, NULL, lab_pause, NULL) != 0)
		_exit(1);
	/* the ended thread's id is free once it has left the listing */
	snprintf(path, sizeof(path), "/proc/self/task/%d", (int)tid);
	while (access(path, F_OK) == 0)
		usleep(1000);
	for (attempt = 0; attempt < 50 && b != tid; attempt++) {
		FILE *f = fopen("/proc/sys/kernel/ns_last_pid", "w");

		if (!f)
			break;
		fprintf(f, "%d", (int)tid - 1);
		if (fclose(f) != 0)
			break;
		b = fork();
		if (b == 0) {
			/* gone with the lab, even when a test fails */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (pthread_create(&th, NULL, lab_pause, NULL) != 0)
				_exit(1);
			for (;;)
				pause();
		}
		if (b != tid) {
			kill(b, SIGKILL);
			waitpid(b, &st, 0);
		}
	}
	lab_answer(b == tid ? (int32_t)b : -1);
}

static void lab_start(struct lab *l)
{
	int cmd[2], reply[2];

	assert_int_equal(pipe(cmd), 0);
	assert_int_equal(pipe(reply), 0);
	l->pid = fork();
	assert_true(l->pid >= 0);
	if (l->pid == 0) {
		char c;

		/* A failing test leaves without lab_stop(): the lab (and
		 * what it forked) must not outlive the test program, nor
		 * hold its output open. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(cmd[1]);
		close(reply[0]);
		lab_reply_fd = reply[1];
		while (read(cmd[0], &c, 1) == 1) {
			pthread_t th;

			if (c == 's') {
				spin_cpu_ms(30);
				lab_answer(0);
			} else if (c == 't') {
				lab_start_worker();
			} else if (c == 'e') {
				lab_end_worker();
				lab_answer(0);
			} else if (c == 'd') {
				lab_take_tid();
			} else if (c == 'w') {
				if (lab_n_workers < 1 ||
				    write(lab_workers[0].fd[1], "s", 1) != 1)
					_exit(1);
			} else if (c == 'g') {
				if (pthread_create(&th, NULL, lab_brief,
						   NULL) != 0)
					_exit(1);
				pthread_join(th, NULL);
				lab_answer(0);
			}
		}
		_exit(0);
	}
	close(cmd[0]);
	close(reply[1]);
	l->cmd = cmd[1];
	l->reply = reply[0];
}

/* Send a command, wait for its answer and for every thread of the child
 * to be blocked again (a thread that has ended may linger in the listing
 * for a moment: wait for it to go). Returns the answer. */
static int32_t lab_do(const struct lab *l, char c)
{
	int64_t deadline = mono_ns() + INT64_C(60000000000);
	char path[64];
	int32_t v;

	assert_int_equal(write(l->cmd, &c, 1), 1);
	assert_int_equal(read(l->reply, &v, sizeof(v)), (ssize_t)sizeof(v));
	snprintf(path, sizeof(path), "/proc/%d/task", (int)l->pid);
	for (;;) {
		struct dirent *de;
		bool idle = true;
		DIR *d = opendir(path);

		assert_non_null(d);
		while ((de = readdir(d))) {
			struct task_stat ts;
			int tid = atoi(de->d_name);

			if (tid > 0 && read_task(&ts, l->pid, tid) == 0 &&
			    ts.state != 'S')
				idle = false;
		}
		closedir(d);
		if (idle)
			return v;
		if (mono_ns() > deadline)
			fail_msg("threads of %d never all blocked",
				 (int)l->pid);
		usleep(2000);
	}
}

static void lab_stop(struct lab *l)
{
	int st;

	kill(l->pid, SIGKILL);
	waitpid(l->pid, &st, 0);
	close(l->cmd);
	close(l->reply);
}

/* The thread rows of pid in t, into rows (sorted by tid). */
static size_t trows_of(const struct tick *t, int32_t pid,
		       const struct swt_thread_row **rows, size_t cap)
{
	size_t i, n = 0;

	for (i = 0; i < t->sample.n_threads && i < MAX_ROWS; i++)
		if (t->trows[i].tgid == pid && n < cap)
			rows[n++] = &t->trows[i];
	return n;
}

/* The row of thread tid of pid in t, or NULL. Rows are in tid order, and
 * a thread started later may have the smaller tid (the counter wraps):
 * look a thread's row up by its tid, never by its position. */
static const struct swt_thread_row *trow_of(const struct tick *t, int32_t pid,
					    int32_t tid)
{
	size_t i;

	for (i = 0; i < t->sample.n_threads && i < MAX_ROWS; i++)
		if (t->trows[i].tgid == pid && t->trows[i].tid == tid)
			return &t->trows[i];
	return NULL;
}

/* Every thread row of pid holds what /proc says now. */
static void assert_trows_exact(const struct tick *t, int32_t pid)
{
	const struct swt_thread_row *rows[8];
	size_t i, n = trows_of(t, pid, rows, 8);

	for (i = 0; i < n; i++) {
		struct task_stat ts;

		assert_int_equal(read_task(&ts, pid, rows[i]->tid), 0);
		assert_int_equal(rows[i]->utime, ts.utime);
		assert_int_equal(rows[i]->stime, ts.stime);
		assert_string_equal(rows[i]->name, ts.comm);
	}
}

static void sampler_gives_a_lone_thread_no_row(void **state)
{
	const struct swt_thread_row *rows[8];
	struct swt_sampler *s;
	struct tick t;
	struct lab l;
	int32_t root;
	int i;

	(void)state;
	lab_start(&l);
	lab_do(&l, 's');
	root = (int32_t)l.pid;
	new_sampler(&s, SWT_MODE_LAUNCH, &root, 1, true, 1);
	for (i = 0; i < 3; i++) {
		do_tick(s, &t);
		/* the process row, and no thread row: its one thread is the
		 * process */
		assert_non_null(row_of(&t, root));
		assert_int_equal(row_of(&t, root)->nthreads, 1);
		assert_true(row_of(&t, root)->utime +
				    row_of(&t, root)->stime >=
			    2);
		assert_int_equal(trows_of(&t, root, rows, 8), 0);
		if (i == 1)
			lab_do(&l, 's');	/* it runs: still alone */
	}
	lab_stop(&l);
	swt_sampler_free(s);
}

static void sampler_gives_rows_to_both_threads_once_a_second_starts(
	void **state)
{
	const struct swt_thread_row *rows[8], *main_row, *worker_row;
	struct swt_sampler *s;
	struct tick t;
	struct lab l;
	int32_t root, tid;
	int64_t main_ticks;
	int i;

	(void)state;
	lab_start(&l);
	lab_do(&l, 's');
	root = (int32_t)l.pid;
	new_sampler(&s, SWT_MODE_LAUNCH, &root, 1, true, 1);
	do_tick(s, &t);
	assert_int_equal(trows_of(&t, root, rows, 8), 0);

	tid = lab_do(&l, 't');
	do_tick(s, &t);
	assert_int_equal(row_of(&t, root)->nthreads, 2);
	assert_int_equal(trows_of(&t, root, rows, 8), 2);
	main_row = trow_of(&t, root, root);
	assert_non_null(main_row);
	worker_row = trow_of(&t, root, tid);
	assert_non_null(worker_row);
	assert_string_equal(worker_row->name, "lab-worker");
	/* cumulative since the process started: the main thread's 30 ms
	 * spun before it had rows are there */
	assert_true(main_row->utime + main_row->stime >= 2);
	assert_trows_exact(&t, root);
	main_ticks = main_row->utime + main_row->stime;

	/* From then on, both, with what they did. */
	assert_int_equal(lab_do(&l, 'w'), tid);
	for (i = 0; i < 3; i++) {
		do_tick(s, &t);
		assert_int_equal(trows_of(&t, root, rows, 8), 2);
		assert_trows_exact(&t, root);
		main_row = trow_of(&t, root, root);
		assert_non_null(main_row);
		worker_row = trow_of(&t, root, tid);
		assert_non_null(worker_row);
		/* the main thread only answered the command: its CPU may
		 * cross one clock tick (seen once in the pidwrap sweeps),
		 * not take the worker's 30 ms */
		assert_true(main_row->utime + main_row->stime >= main_ticks);
		assert_true(main_row->utime + main_row->stime <=
			    main_ticks + 1);
		assert_true(worker_row->utime + worker_row->stime >= 2);
	}
	/* The worker ends: the main thread keeps its row. */
	lab_do(&l, 'e');
	wait_thread_count(l.pid, 1);
	do_tick(s, &t);
	assert_int_equal(row_of(&t, root)->nthreads, 1);
	assert_int_equal(trows_of(&t, root, rows, 8), 1);
	assert_int_equal(rows[0]->tid, root);
	assert_trows_exact(&t, root);
	lab_stop(&l);
	swt_sampler_free(s);
}

static void sampler_notices_threads_that_came_and_went(void **state)
{
	const struct swt_thread_row *rows[8];
	struct swt_sampler_stats st;
	const struct swt_proc_row *r;
	struct swt_sampler *s;
	struct tick t;
	struct lab l;
	int32_t root;
	int i;

	(void)state;
	lab_start(&l);
	root = (int32_t)l.pid;
	new_sampler(&s, SWT_MODE_LAUNCH, &root, 1, true, 1);
	do_tick(s, &t);
	assert_int_equal(trows_of(&t, root, rows, 8), 0);
	/* A thread runs 60 ms and ends between two samples: nthreads is 1
	 * at both, but the process's CPU is not its lone thread's. */
	lab_do(&l, 'g');
	wait_thread_count(l.pid, 1);
	for (i = 0; i < 2; i++) {
		do_tick(s, &t);
		r = row_of(&t, root);
		assert_int_equal(r->nthreads, 1);
		assert_int_equal(trows_of(&t, root, rows, 8), 1);
		assert_int_equal(rows[0]->tid, root);
		assert_true(rows[0]->utime + rows[0]->stime + 2 <=
			    r->utime + r->stime);
		assert_trows_exact(&t, root);
	}
	swt_sampler_get_stats(s, &st);
	assert_true(st.thread_checks >= 2);
	lab_stop(&l);
	swt_sampler_free(s);
}

static void sampler_carries_idle_threads_exactly(void **state)
{
	const struct swt_thread_row *rows[8];
	struct swt_sampler_stats st0, st1;
	struct swt_sampler *s;
	struct tick t;
	struct lab l;
	int32_t root, tid[2], spun;
	int64_t before = 0;
	size_t i, k;

	(void)state;
	lab_start(&l);
	tid[0] = lab_do(&l, 't');
	tid[1] = lab_do(&l, 't');
	assert_true(tid[0] != tid[1]);
	root = (int32_t)l.pid;
	/* Slow ticks (which read every thread) once in 1000 ticks: at most
	 * one of the ticks below. */
	new_sampler(&s, SWT_MODE_LAUNCH, &root, 1, true, 1000);
	do_tick(s, &t);
	assert_int_equal(trows_of(&t, root, rows, 8), 3);
	assert_trows_exact(&t, root);
	swt_sampler_get_stats(s, &st0);
	for (i = 0; i < 6; i++) {
		do_tick(s, &t);
		assert_int_equal(trows_of(&t, root, rows, 8), 3);
		assert_trows_exact(&t, root);
	}
	swt_sampler_get_stats(s, &st1);
	/* Idle: repeated, not read (but for one slow tick, perhaps). */
	assert_true(st1.thread_reads - st0.thread_reads <= 3);
	assert_true(st1.threads_carried - st0.threads_carried >= 15);
	assert_int_equal(st1.thread_samples - st0.thread_samples, 18);

	/* A worker runs: the process's CPU moves, the threads are read. */
	trows_of(&t, root, rows, 8);
	spun = lab_do(&l, 'w');
	for (k = 0; k < 3; k++)
		if (rows[k]->tid == spun)
			before = rows[k]->utime + rows[k]->stime;
	do_tick(s, &t);
	assert_int_equal(trows_of(&t, root, rows, 8), 3);
	assert_trows_exact(&t, root);
	for (k = 0; k < 3; k++)
		if (rows[k]->tid == spun)
			assert_true(rows[k]->utime + rows[k]->stime >=
				    before + 2);
	lab_stop(&l);
	swt_sampler_free(s);
}

static void sampler_drops_a_repeated_row_whose_tid_was_reused(void **state)
{
	const struct swt_thread_row *rows[8];
	struct swt_sampler_stats st;
	struct swt_sampler *s;
	struct tick t;
	struct lab l;
	int32_t root, worker, b;
	size_t i, n;

	(void)state;
	if (geteuid() != 0) {
		skip();	/* ns_last_pid needs root */
		return;
	}
	lab_start(&l);
	worker = lab_do(&l, 't');
	root = (int32_t)l.pid;
	/* No refresh tick among the few below (see the test above). */
	new_sampler(&s, SWT_MODE_LAUNCH, &root, 1, true, 1000);
	do_tick(s, &t);
	assert_int_equal(trows_of(&t, root, rows, 8), 2);
	assert_non_null(trow_of(&t, root, worker));

	/* The worker ends and another takes its place: same count, and
	 * (but for a tick crossed by chance) the same CPU, so the process's
	 * rows are repeated without a read. A child then gets the ended
	 * worker's id, as a process with a thread of its own. */
	b = lab_do(&l, 'd');
	if (b < 0) {
		lab_stop(&l);
		swt_sampler_free(s);
		skip();	/* ns_last_pid not writable, or busy */
		return;
	}
	assert_int_equal(b, worker);
	wait_thread_count(b, 2);
	wait_task_state(b, 0, 'S');
	for (i = 0; i < 3; i++) {
		do_tick(s, &t);
		/* one row with that id, the live thread's, in order */
		for (n = 0; n < t.sample.n_threads; n++)
			if (n)
				assert_true(t.trows[n - 1].tid < t.trows[n].tid);
		n = 0;
		for (size_t k = 0; k < t.sample.n_threads; k++)
			if (t.trows[k].tid == worker) {
				assert_int_equal(t.trows[k].tgid, b);
				n++;
			}
		assert_int_equal(n, 1);
		assert_int_equal(trows_of(&t, b, rows, 8), 2);
	}
	swt_sampler_get_stats(s, &st);
	print_message("# rows repeated for a reused thread id: %llu\n",
		      (unsigned long long)st.stale_thread_rows);
	/* and the first process lists its new worker */
	assert_int_equal(trows_of(&t, root, rows, 8), 2);
	assert_non_null(trow_of(&t, root, root));
	assert_null(trow_of(&t, root, worker));
	kill(b, SIGKILL);
	lab_stop(&l);
	swt_sampler_free(s);
}

/* A recording across the wrap of the pid counter: with the counter placed
 * a few ids below pid_max, a tree forks processes and starts threads
 * whose ids wrap around to 300; each tick finds exactly what the test
 * started: every process (its start record and its row), every thread
 * (its row), and nothing else. */
static void sampler_finds_every_process_and_thread_across_the_wrap(
	void **state)
{
	const struct swt_thread_row *rows[8];
	struct swt_sampler *s;
	struct tick t;
	struct lab l;
	int to_child, from_child;
	int32_t roots[2], ids[12], pid_max, first_tid;
	pid_t gc[6];
	size_t n_gc = 0, n_tid = 0, i, k;
	bool wrapped = false;

	(void)state;
	pid_max = get_pid_max();
	if (geteuid() != 0 || access(LAST_PID_PATH, W_OK) != 0 ||
	    pid_max <= 0) {
		print_message("# %s not writable: needs root\n",
			      LAST_PID_PATH);
		skip();
	}
	roots[0] = (int32_t)spawn_forker(&to_child, &from_child);
	lab_start(&l);
	roots[1] = (int32_t)l.pid;
	/* a second thread first: a lone thread has no thread row */
	first_tid = lab_do(&l, 't');
	n_tid = 1;
	new_sampler(&s, SWT_MODE_LAUNCH, roots, 2, true, 1000);
	do_tick(s, &t);
	assert_non_null(row_of(&t, roots[0]));
	assert_non_null(row_of(&t, roots[1]));
	/* a listing of /proc, after libproc2's: later ones list the new
	 * pids only, but for the one whose window holds the wrap */
	do_tick(s, &t);
	/* 12 new ids from 6 below pid_max: the wrap is in the middle, or,
	 * when the machine's other processes took those 6 first, just
	 * before the first */
	assert_int_equal(set_last_pid(pid_max - 6), 0);
	for (i = 0; i < 12; i++) {
		if (i % 2 == 0) {
			assert_int_equal(write(to_child, "x", 1), 1);
			assert_int_equal(read(from_child, &gc[n_gc],
					      sizeof(gc[0])),
					 (ssize_t)sizeof(gc[0]));
			ids[i] = (int32_t)gc[n_gc++];
		} else {
			ids[i] = lab_do(&l, 't');
			n_tid++;	/* at most 7 workers: the lab has 8 */
		}
		if (i && ids[i] < ids[i - 1])
			wrapped = true;
		do_tick(s, &t);
		/* the newcomer, at once */
		if (i % 2 == 0) {
			assert_non_null(start_of(&t, ids[i]));
			assert_int_equal(start_of(&t, ids[i])->ppid,
					 roots[0]);
			assert_non_null(row_of(&t, ids[i]));
		} else {
			assert_non_null(trow_of(&t, roots[1], ids[i]));
		}
		/* and exactly what the test started */
		assert_int_equal(t.sample.n_procs, 2 + n_gc);
		for (k = 0; k < n_gc; k++)
			assert_non_null(row_of(&t, (int32_t)gc[k]));
		assert_int_equal(row_of(&t, roots[1])->nthreads,
				 (int64_t)(1 + n_tid));
		assert_int_equal(trows_of(&t, roots[1], rows, 8), 1 + n_tid);
		assert_non_null(trow_of(&t, roots[1], roots[1]));
		assert_non_null(trow_of(&t, roots[1], first_tid));
		for (k = 1; k <= i; k += 2)
			assert_non_null(trow_of(&t, roots[1], ids[k]));
		assert_trows_exact(&t, roots[1]);
	}
	print_message("# ids handed out:");
	for (i = 0; i < 12; i++)
		print_message(" %d", (int)ids[i]);
	print_message("\n");
	/* not a test of the wrap if the ids never went down since the
	 * counter was placed */
	assert_true(wrapped || ids[0] < pid_max - 6);

	/* The processes exit, on both sides of the wrap: each is seen to. */
	for (k = 0; k < n_gc; k++)
		kill(gc[k], SIGKILL);
	for (k = 0; k < n_gc; k++)
		wait_state(gc[k], 'Z');
	do_tick(s, &t);
	for (k = 0; k < n_gc; k++) {
		assert_non_null(exit_of(&t, (int32_t)gc[k]));
		assert_null(row_of(&t, (int32_t)gc[k]));
	}
	assert_int_equal(t.sample.n_procs, 2);
	close(to_child);
	close(from_child);
	lab_stop(&l);
	swt_sampler_free(s);
}

static void check_pid_tells_process_thread_and_missing(void **state)
{
	char err[256];
	pid_t tid = (pid_t)syscall(SYS_gettid);
	pid_t z;
	int st;

	(void)state;
	assert_ok(swt_sampler_check_pid((int32_t)getpid(), err, sizeof(err)));
	assert_status(SWT_ENOTFOUND,
		      swt_sampler_check_pid(INT32_MAX - 1, err, sizeof(err)));
	assert_contains(err, "no such process");
	assert_status(SWT_EINVAL, swt_sampler_check_pid(0, err, sizeof(err)));
	(void)tid;
	z = fork();
	if (z == 0)
		_exit(0);
	wait_state(z, 'Z');
	assert_status(SWT_ENOTFOUND,
		      swt_sampler_check_pid((int32_t)z, err, sizeof(err)));
	waitpid(z, &st, 0);
}

static void *tid_thread(void *arg)
{
	__atomic_store_n((pid_t *)arg, (pid_t)syscall(SYS_gettid),
			 __ATOMIC_SEQ_CST);
	pause();
	return NULL;
}

static void check_pid_refuses_a_thread(void **state)
{
	pid_t tid = 0;
	pthread_t th;
	char err[256];

	(void)state;
	assert_int_equal(pthread_create(&th, NULL, tid_thread, &tid), 0);
	while (!__atomic_load_n(&tid, __ATOMIC_SEQ_CST))
		usleep(1000);
	assert_status(SWT_EINVAL,
		      swt_sampler_check_pid((int32_t)tid, err, sizeof(err)));
	assert_contains(err, "thread");
	pthread_cancel(th);
	pthread_join(th, NULL);
}

static void sysinfo_is_sane(void **state)
{
	struct swt_sysinfo si;
	char err[256];

	(void)state;
	assert_ok(swt_sampler_get_sysinfo(&si, err, sizeof(err)));
	assert_true(si.clock_ticks > 0);
	assert_true(si.page_size >= 4096);
	assert_true(si.cpu_count >= 1);
	assert_true(si.mem_total_kib > 0);
	assert_true(si.boot_time_s > 1000000000);
	assert_true(si.kernel[0] != '\0');
}

static void sampler_counts_its_own_cost(void **state)
{
	struct swt_sampler *s;
	struct swt_sampler_stats st;
	struct tick t;
	int32_t self = (int32_t)getpid();

	(void)state;
	new_sampler(&s, SWT_MODE_ATTACH, &self, 1, false, 0);
	do_tick(s, &t);
	assert_true(t.sample.recorder_cpu_ns > 0);
	assert_true(t.sample.recorder_rss_kib > 0);
	assert_true(t.sample.sys_busy_ticks + t.sample.sys_idle_ticks > 0);
	assert_true(t.sample.mem_available_kib <= t.sample.mem_total_kib);
	swt_sampler_get_stats(s, &st);
	assert_int_equal(st.ticks, 1);
	/* this process, and children a failed test may have left */
	assert_true(st.proc_samples >= 1);
	assert_int_equal(st.proc_samples, t.sample.n_procs);
	assert_true(st.kept_fds >= 1);
	assert_false(st.libproc2_missing);
	swt_sampler_free(s);
}

struct first_sample {
	int64_t t_ns;
	int32_t pid;
	int64_t ticks;
	bool seen;
};

static int keep_first(const struct swt_record *rec, void *payload)
{
	struct first_sample *f = payload;
	size_t i;

	if (rec->kind != SWT_REC_SAMPLE)
		return 0;
	f->t_ns = rec->t_ns;
	for (i = 0; i < rec->u.sample.n_procs; i++)
		if (rec->u.sample.procs[i].pid == f->pid) {
			f->ticks = rec->u.sample.procs[i].utime +
				   rec->u.sample.procs[i].stime;
			f->seen = true;
		}
	return 0;
}

/* The first sample's time is when its rows were read: at the end of the
 * first scan, which lists the machine (1 500 more processes here; a
 * quarter of a second at 10 000). Stamped at the start of the tick, a
 * child spinning since just before it showed more CPU than the time it
 * had lived, and a launched command's first interval held that CPU in a
 * few milliseconds (a baseline, its CPU lost). */
static void first_sample_is_stamped_when_its_rows_were_read(void **state)
{
	enum { HERD = 1500 };
	static pid_t herd[HERD];
	struct first_sample f = { 0 };
	struct swt_sampler *s;
	int64_t t_fork, tick_ns = 1000000000 / sysconf(_SC_CLK_TCK);
	pid_t child;
	int i, st;

	(void)state;
	for (i = 0; i < HERD; i++) {
		herd[i] = fork();
		assert_true(herd[i] >= 0);
		if (herd[i] == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			for (;;)
				pause();
		}
	}
	t_fork = mono_ns();
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			;
	}
	f.pid = child;
	new_sampler(&s, SWT_MODE_ATTACH, &child, 1, false, 1);
	assert_ok(swt_sampler_tick(s, 0, keep_first, &f));
	assert_true(f.seen);
	print_message("# the first sample %.1f ms after the fork, the child "
		      "%" PRId64 " ticks\n",
		      (double)(f.t_ns - t_fork) / 1e6, f.ticks);
	/* (a tick of slack: the counters round down, and a tick's worth
	 * may come from the last partial one) */
	assert_true(f.ticks * tick_ns <= f.t_ns - t_fork + tick_ns);
	swt_sampler_free(s);
	kill(child, SIGKILL);
	waitpid(child, &st, 0);
	for (i = 0; i < HERD; i++)
		kill(herd[i], SIGKILL);
	for (i = 0; i < HERD; i++)
		waitpid(herd[i], &st, 0);
}

/* The first scan after the first tick lists the whole of /proc, and the
 * machine's processes outside the tree are known by then (the first
 * tick's listing pairs libproc2's with their inodes): it reads only the
 * new ones. It read every one of them again (300 here; 10 000 stat files
 * on a big machine, 0.12 s in one tick, which then missed its next). */
static void first_scan_reads_only_new_processes(void **state)
{
	enum { OUT = 300 };
	struct swt_sampler_stats st;
	struct swt_sampler *s;
	struct tick t;
	int to_child, from_child, i, ws, hold[2];
	pid_t root, gc, herd;
	char c = 'x';

	(void)state;
	/* outside the tree (not this process's children, whose children the
	 * tracker takes): orphans of a process that forked them and left,
	 * each waiting for the end of a pipe this test holds */
	assert_int_equal(pipe(hold), 0);
	herd = fork();
	assert_true(herd >= 0);
	if (herd == 0) {
		for (i = 0; i < OUT; i++) {
			pid_t o = fork();

			if (o == 0) {
				close(hold[1]);
				(void)!read(hold[0], &c, 1);
				_exit(0);
			}
			if (o < 0)
				_exit(1);
		}
		_exit(0);
	}
	close(hold[0]);
	assert_int_equal(waitpid(herd, &ws, 0), herd);
	assert_true(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
	root = spawn_parent(&to_child, &from_child);
	new_sampler(&s, SWT_MODE_ATTACH, &root, 1, false, 1000);
	do_tick(s, &t);
	assert_non_null(row_of(&t, root));
	/* the tree forks: the next tick lists /proc */
	assert_int_equal(write(to_child, &c, 1), 1);
	assert_int_equal(read(from_child, &gc, sizeof(gc)), sizeof(gc));
	do_tick(s, &t);
	assert_non_null(row_of(&t, gc));
	swt_sampler_get_stats(s, &st);
	print_message("# scans %" PRIu64 " (partial %" PRIu64 "), processes "
		      "decided %" PRIu64 ", %d outsiders\n",
		      st.scans, st.partial_scans, st.cand_reads, (int)OUT);
	assert_int_equal(st.scans, 1);
	assert_int_equal(st.partial_scans, 0);
	/* the grandchild, and what else the machine started meanwhile */
	assert_true(st.cand_reads >= 1);
	assert_true(st.cand_reads < OUT / 2);
	swt_sampler_free(s);
	kill(gc, SIGKILL);
	kill(root, SIGKILL);
	waitpid(root, &ws, 0);
	close(to_child);
	close(from_child);
	close(hold[1]);	/* the outsiders leave */
}

/* A test over real processes: a failing one leaves its children to
 * reap_leftovers(). */
#define SAMPLER_TEST(f) cmocka_unit_test_teardown(f, reap_leftovers)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_stat_reads_the_fields),
		cmocka_unit_test(parse_stat_takes_comm_to_the_last_paren),
		cmocka_unit_test(parse_stat_refuses_malformed_lines),
		cmocka_unit_test(parse_status_io_sys_meminfo),
		cmocka_unit_test(tracker_follows_the_tree_in_any_order),
		cmocka_unit_test(tracker_range_scan_keeps_what_it_did_not_list),
		cmocka_unit_test(tracker_rescan_costs_only_new_pids),
		cmocka_unit_test(tracker_all_mode_takes_all_but_zombies),
		cmocka_unit_test(
			tracker_checks_again_what_it_excluded_without_inode),
		SAMPLER_TEST(sampler_follows_children_and_reports_exits),
		SAMPLER_TEST(sampler_follows_children_with_libproc2_scans),
		SAMPLER_TEST(sampler_finds_a_newcomer_on_an_outsiders_pid),
		SAMPLER_TEST(
			sampler_finds_a_newcomer_on_an_outsiders_pid_libproc2),
		SAMPLER_TEST(sampler_works_without_libproc2),
		SAMPLER_TEST(sampler_lists_only_the_new_pids),
		SAMPLER_TEST(
			sampler_skips_pids_gone_between_listing_and_read),
		SAMPLER_TEST(sampler_skips_gone_pids_with_libproc2_scans),
		SAMPLER_TEST(sampler_reads_threads_of_a_process),
		SAMPLER_TEST(sampler_reads_dear_files_every_nth_tick),
		SAMPLER_TEST(sampler_announces_exec_again),
		SAMPLER_TEST(sampler_takes_the_kernels_exit_records),
		SAMPLER_TEST(sampler_takes_exit_records_of_the_rows_read),
		SAMPLER_TEST(unseen_exits_of_old_processes_are_old),
		SAMPLER_TEST(
			sampler_waits_for_the_command_line_of_a_process_in_exec),
		SAMPLER_TEST(sampler_gives_a_lone_thread_no_row),
		SAMPLER_TEST(
			sampler_gives_rows_to_both_threads_once_a_second_starts),
		SAMPLER_TEST(sampler_notices_threads_that_came_and_went),
		SAMPLER_TEST(sampler_carries_idle_threads_exactly),
		SAMPLER_TEST(
			sampler_drops_a_repeated_row_whose_tid_was_reused),
		SAMPLER_TEST(
			sampler_finds_every_process_and_thread_across_the_wrap),
		SAMPLER_TEST(check_pid_tells_process_thread_and_missing),
		SAMPLER_TEST(check_pid_refuses_a_thread),
		cmocka_unit_test(sysinfo_is_sane),
		SAMPLER_TEST(sampler_counts_its_own_cost),
		SAMPLER_TEST(first_sample_is_stamped_when_its_rows_were_read),
		SAMPLER_TEST(first_scan_reads_only_new_processes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
