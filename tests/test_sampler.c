/* test_sampler.c — the /proc parsers, the tree tracker and the sampler.
 *
 * Parsers and tracker get literal inputs; the sampler runs over real
 * child processes of the test (no mocks), synchronised by pipes. */
#include "swt_test.h"

#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

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
	assert_status(SWT_ECORRUPT, swt_procfs_parse_sys(&s, "cpu0 1", 6));

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
		t->starts[t->n_starts].cmdline = NULL;
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

static void new_sampler(struct swt_sampler **s, enum swt_mode mode,
			const int32_t *roots, size_t n, bool threads,
			unsigned slow_every)
{
	struct swt_sampler_opts o;
	char err[256];

	memset(&o, 0, sizeof(o));
	o.mode = mode;
	o.roots = roots;
	o.n_roots = n;
	o.threads = threads;
	o.slow_every = slow_every;
	assert_ok(swt_sampler_new(s, &o, err, sizeof(err)));
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

		close(a[1]);
		close(b[0]);
		if (read(a[0], &c, 1) != 1)
			_exit(1);
		gc = fork();
		if (gc == 0) {
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

static void wait_state(pid_t pid, char want)
{
	char path[64], buf[512];
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (i = 0; i < 5000; i++) {
		FILE *f = fopen(path, "r");
		size_t n;
		char *p;

		if (!f)
			break;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		p = strrchr(buf, ')');
		if (p && p[2] == want)
			return;
		usleep(2000);
	}
	fail_msg("pid %d never reached state %c", (int)pid, want);
}

static void sampler_follows_children_and_reports_exits(void **state)
{
	struct swt_sampler *s;
	struct tick t;
	int to_child, from_child, st;
	pid_t child, gc;
	int32_t root;

	(void)state;
	child = spawn_parent(&to_child, &from_child);
	root = (int32_t)child;
	new_sampler(&s, SWT_MODE_LAUNCH, &root, 1, false, 1);

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
	assert_null(start_of(&t, child));
	assert_non_null(row_of(&t, child));
	assert_non_null(row_of(&t, gc));
	assert_int_equal(swt_sampler_count(s), 2);

	/* Its parent does not reap it: a zombie has exited all the same. */
	kill(gc, SIGKILL);
	wait_state(gc, 'Z');
	do_tick(s, &t);
	assert_non_null(exit_of(&t, gc));
	assert_false(exit_of(&t, gc)->has_status);
	assert_null(row_of(&t, gc));

	/* We reap the child: the exit carries its status. */
	kill(child, SIGKILL);
	assert_int_equal(waitpid(child, &st, 0), child);
	swt_sampler_note_exit(s, (int32_t)child, st);
	do_tick(s, &t);
	assert_non_null(exit_of(&t, child));
	assert_true(exit_of(&t, child)->has_status);
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

static void sampler_skips_pids_gone_between_listing_and_read(void **state)
{
	struct swt_sampler *s;
	struct swt_tracker_entry list[3];
	struct tick t;
	pid_t live, dead;
	int32_t root;
	int st;

	(void)state;
	live = fork();
	if (live == 0) {
		for (;;)
			pause();
	}
	dead = fork();
	if (dead == 0)
		_exit(0);
	assert_int_equal(waitpid(dead, &st, 0), dead);
	root = (int32_t)live;
	new_sampler(&s, SWT_MODE_LAUNCH, &root, 1, true, 1);
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
	kill(live, SIGKILL);
	waitpid(live, &st, 0);
	swt_sampler_free(s);
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
	/* One thread goes: the next tick notices. */
	pthread_cancel(th[1]);
	pthread_join(th[1], NULL);
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
	assert_int_equal(write(p[1], "x", 1), 1);
	close(p[1]);
	/* wait for the exec to be visible */
	for (;;) {
		char path[64], comm[64] = "";
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/comm", (int)child);
		f = fopen(path, "r");
		assert_non_null(f);
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = '\0';
		fclose(f);
		if (!strcmp(comm, "sleep\n"))
			break;
		usleep(2000);
	}
	do_tick(s, &t);
	assert_non_null(start_of(&t, child));
	assert_string_equal(start_of(&t, child)->comm, "sleep");
	assert_int_equal(start_of(&t, child)->cmdline_len,
			 sizeof("sleep\0001000"));
	kill(child, SIGKILL);
	waitpid(child, &st, 0);
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
	assert_int_equal(st.proc_samples, 1);
	assert_true(st.kept_fds >= 1);
	assert_false(st.libproc2_missing);
	swt_sampler_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_stat_reads_the_fields),
		cmocka_unit_test(parse_stat_takes_comm_to_the_last_paren),
		cmocka_unit_test(parse_stat_refuses_malformed_lines),
		cmocka_unit_test(parse_status_io_sys_meminfo),
		cmocka_unit_test(tracker_follows_the_tree_in_any_order),
		cmocka_unit_test(tracker_rescan_costs_only_new_pids),
		cmocka_unit_test(tracker_all_mode_takes_all_but_zombies),
		cmocka_unit_test(sampler_follows_children_and_reports_exits),
		cmocka_unit_test(sampler_works_without_libproc2),
		cmocka_unit_test(
			sampler_skips_pids_gone_between_listing_and_read),
		cmocka_unit_test(sampler_reads_threads_of_a_process),
		cmocka_unit_test(sampler_reads_dear_files_every_nth_tick),
		cmocka_unit_test(sampler_announces_exec_again),
		cmocka_unit_test(check_pid_tells_process_thread_and_missing),
		cmocka_unit_test(check_pid_refuses_a_thread),
		cmocka_unit_test(sysinfo_is_sane),
		cmocka_unit_test(sampler_counts_its_own_cost),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
