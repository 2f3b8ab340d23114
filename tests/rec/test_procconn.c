/* test_procconn.c — the kernel's process events (swt_procconn.h) over
 * real processes: a child of the test forks a grandchild that execs a
 * program and exits; the table knows both from their forks, the
 * grandchild's command line and program from its exec, their lives from
 * their exit events. Needs root (CAP_NET_ADMIN): skipped without. */
#include "swt_test.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

#include "swt_exitacct.h"
#include "swt_procconn.h"
#include "swt_sampler.h"

#include <pthread.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>

static pid_t test_pid;

/* The tree: the test's own children and theirs. */
static bool in_tree(int32_t parent, int32_t child, void *payload)
{
	(void)child;
	(void)payload;
	return parent == test_pid;
}

static bool none_tracked(int32_t pid, void *payload)
{
	(void)pid;
	(void)payload;
	return false;
}

/* Which source the tests run on: SWT_TEST_PROC_EVENTS=bpf|connector
 * (meson runs this test once with each). */
static struct swt_procconn_opts popts;

static struct swt_procconn *open_or_skip(void)
{
	struct swt_procconn *pc;
	char msg[400];
	const char *src = getenv("SWT_TEST_PROC_EVENTS");

	popts.source = src && !strcmp(src, "bpf") ? SWT_PROCCONN_BPF
						  : SWT_PROCCONN_CONNECTOR;
	popts.self = (int32_t)getpid();
	popts.launcher = (int32_t)getpid();

	if (geteuid() != 0) {
		print_message("# skipped: the proc connector needs root\n");
		skip();
	}
	if (swt_procconn_open(&pc, &popts, msg, sizeof(msg)) < 0) {
		print_message("# skipped: %s\n", msg);
		skip();
	}
	return pc;
}

/* Read events until the exit of pid has come (the kernel sends them as
 * they happen; 10 s at most on a loaded machine), or NULL, said. */
static const struct swt_newproc *wait_exit_or_lost(struct swt_procconn *pc,
						   int32_t pid)
{
	struct swt_procconn_stats st;
	int i;

	for (i = 0; i < 10000; i++) {
		const struct swt_newproc *np;
		struct timespec ts = { 0, 1000000 };

		swt_procconn_read(pc, 0, in_tree, NULL);
		np = swt_procconn_find(pc, pid, 0);
		if (np && np->exit_ns)
			return np;
		nanosleep(&ts, NULL);
	}
	swt_procconn_get_stats(pc, &st);
	print_message("# no exit event for %d (%" PRIu64 " events, %" PRIu64
		      " overflows)\n", (int)pid, st.events, st.overflows);
	return NULL;
}

static const struct swt_newproc *wait_exit(struct swt_procconn *pc,
					   int32_t pid)
{
	const struct swt_newproc *np = wait_exit_or_lost(pc, pid);

	if (!np)
		fail();
	return np;
}

/* sh forks, its child execs /bin/sleep 0.2: the exec is read while it
 * sleeps. The child of the test (sh) is in the tree by in_tree(), the
 * sleep by its parent's entry. */
static bool grandchild_once(void)
{
	struct swt_procconn *pc = open_or_skip();
	const struct swt_newproc *sh, *sl;
	struct swt_procconn_stats st;
	int pfd[2], status;
	int32_t sleep_pid;
	pid_t pid;
	char buf[32];
	ssize_t n;

	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		dup2(pfd[1], 1);
		execl("/bin/sh", "sh", "-c",
		      "/bin/sleep 0.2 & echo $!; wait", (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	n = read(pfd[0], buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	sleep_pid = (int32_t)strtol(buf, NULL, 10);
	close(pfd[0]);
	assert_true(sleep_pid > 0);
	/* the sleep runs: its exec is read now, in a batch, as swrec does */
	sl = wait_exit_or_lost(pc, sleep_pid);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	sh = sl ? wait_exit_or_lost(pc, (int32_t)pid) : NULL;
	swt_procconn_get_stats(pc, &st);
	if (!sh || st.overflows) {
		swt_procconn_free(pc);
		return false;
	}
	sl = swt_procconn_find(pc, sleep_pid, 0);
	assert_non_null(sl);
	assert_int_equal(sl->ppid, (int32_t)pid);
	assert_true(sl->exec_ns >= sl->fork_ns);
	assert_true(sl->exit_ns - sl->fork_ns >= 150000000);
	assert_non_null(sl->cmdline);
	assert_int_equal(sl->cmdline_len, sizeof("/bin/sleep\0" "0.2"));
	assert_memory_equal(sl->cmdline, "/bin/sleep\0" "0.2",
			    sl->cmdline_len);
	assert_non_null(sl->exe);
	{
		/* what /proc/PID/exe says: the file, symbolic links
		 * resolved (/bin/sleep is /usr/bin/sleep on merged /usr) */
		char *real = realpath("/bin/sleep", NULL);

		assert_non_null(real);
		assert_string_equal(sl->exe, real);
		free(real);
	}
	assert_non_null(sh);
	assert_int_equal(sh->ppid, (int32_t)getpid());
	assert_true(sh->fork_ns <= sl->fork_ns && sh->exit_ns >= sl->exit_ns);
	/* an exit record of the sleep's life finds it; one of a life far
	 * longer does not */
	assert_ptr_equal(swt_procconn_find(pc, sleep_pid,
					   (uint64_t)(sl->exit_ns -
						      sl->fork_ns) /
						   1000u),
			 sl);
	assert_null(swt_procconn_find(pc, sleep_pid, UINT64_C(60000000)));
	assert_int_equal(swt_procconn_count(pc), 2);
	swt_procconn_forget(pc, sl);
	assert_false(swt_procconn_has(pc, sleep_pid));
	/* exited before now, never matched: counted and dropped */
	swt_procconn_sweep(pc, INT64_MAX, none_tracked, NULL);
	assert_int_equal(swt_procconn_count(pc), 0);
	swt_procconn_get_stats(pc, &st);
	assert_int_equal(st.procs, 2);
	assert_true(st.cmdlines >= 2);	/* sh's exec of itself, sleep's */
	/* read by the kernel during the exec, not from /proc */
	if (popts.source == SWT_PROCCONN_BPF)
		assert_int_equal(st.cmdlines_bpf, st.cmdlines);
	assert_int_equal(st.unmatched, 1);
	assert_int_equal(st.overflows, 0);
	swt_procconn_free(pc);
	return true;
}

static void fork_exec_exit_of_a_grandchild(void **state)
{
	int k;

	(void)state;
	/* (again, once or twice, where the events did not all come: an
	 * ASan run of the connector source beside a loaded CI run saw no
	 * exit of the sleep once, cause not found; a table that misses the
	 * case every time still fails) */
	for (k = 0; k < 3; k++) {
		if (grandchild_once())
			return;
		print_message("# try %d: events missing, again\n", k + 1);
	}
	fail_msg("the events of the sh and sleep were missing 3 times");
}

/* A process outside the tree is not entered; a fork that never execs
 * takes its parent's command line. */
static void outside_the_tree_and_fork_without_exec(void **state)
{
	struct swt_procconn *pc = open_or_skip();
	const struct swt_newproc *np;
	pid_t pid;
	int st;

	(void)state;
	pid = fork();
	if (pid == 0) {
		/* a grandchild that never execs: the child's own cmdline
		 * is the test binary's, inherited through the fork */
		pid_t g = fork();

		if (g == 0)
			_exit(0);
		waitpid(g, &st, 0);
		_exit(0);
	}
	np = wait_exit(pc, (int32_t)pid);
	assert_non_null(np);
	assert_null(np->cmdline);	/* no exec: nothing was read */
	waitpid(pid, &st, 0);
	swt_procconn_sweep(pc, INT64_MAX, none_tracked, NULL);
	assert_int_equal(swt_procconn_count(pc), 0);
	/* a process the test did not fork (init's children) is never in
	 * the table */
	swt_procconn_read(pc, 0, in_tree, NULL);
	assert_false(swt_procconn_has(pc, 1));
	swt_procconn_free(pc);
}

/* A program on another file system (tmpfs /dev/shm): its path crosses a
 * mount point, which the BPF program's walk must follow as /proc does. */
static void program_path_across_a_mount(void **state)
{
	struct swt_procconn *pc;
	const struct swt_newproc *np;
	char dir[] = "/dev/shm/swt-pc-XXXXXX", path[64], buf[65536];
	int in, out, st;
	ssize_t n;
	pid_t pid;

	(void)state;
	if (!mkdtemp(dir)) {
		print_message("# skipped: no /dev/shm\n");
		skip();
	}
	snprintf(path, sizeof(path), "%s/sleep", dir);
	in = open("/bin/sleep", O_RDONLY);
	out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	assert_true(in >= 0 && out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	close(in);
	close(out);
	pc = open_or_skip();
	pid = fork();
	if (pid == 0) {
		execl(path, "sleep", "0.2", (char *)NULL);
		_exit(126);	/* noexec */
	}
	np = wait_exit(pc, (int32_t)pid);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	unlink(path);
	rmdir(dir);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 126) {
		swt_procconn_free(pc);
		print_message("# skipped: /dev/shm does not allow exec\n");
		skip();
	}
	assert_non_null(np);
	assert_non_null(np->exe);
	assert_string_equal(np->exe, path);
	assert_int_equal(np->cmdline_len, sizeof("sleep\0" "0.2"));
	assert_memory_equal(np->cmdline, "sleep\0" "0.2", np->cmdline_len);
	swt_procconn_free(pc);
}

/* A process that renames itself (prctl PR_SET_NAME, as a worker pool
 * does) is told with its new name. */
static void a_rename_is_told(void **state)
{
	struct swt_procconn *pc = open_or_skip();
	const struct swt_newproc *np;
	pid_t pid;
	int st;

	(void)state;
	pid = fork();
	if (pid == 0) {
		struct timespec ts = { 0, 50000000 };

		prctl(PR_SET_NAME, "swt-renamed", 0, 0, 0);
		nanosleep(&ts, NULL);
		_exit(0);
	}
	np = wait_exit(pc, (int32_t)pid);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_non_null(np);
	assert_string_equal(np->comm, "swt-renamed");
	swt_procconn_free(pc);
}

/* The new name every exec gives (its file's) comes with its exec event:
 * the BPF source tells no comm event for it, only fork, exec and exit
 * (the proc connector tells the kernel's comm event too). */
static void an_exec_brings_no_comm_event(void **state)
{
	struct swt_procconn *pc = open_or_skip();
	struct swt_procconn_stats before, after;
	const struct swt_newproc *np;
	pid_t pid;
	int st;

	(void)state;
	swt_procconn_read(pc, 0, in_tree, NULL);
	swt_procconn_get_stats(pc, &before);
	pid = fork();
	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	np = wait_exit(pc, (int32_t)pid);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_non_null(np);
	assert_non_null(np->cmdline);
	assert_memory_equal(np->cmdline, "true", sizeof("true"));
	swt_procconn_get_stats(pc, &after);
	assert_int_equal(after.events - before.events, 3);
	swt_procconn_free(pc);
}

/* An exec of a process the sampler tracks (its fork entry swept: the
 * sampler has it) is kept apart (swt_procconn_exec_of()) until the sweep
 * after it: a process that execs and exits between two samples is
 * announced with that program at its exit. The fork matcher never takes
 * it. */
static int32_t tracked_pid;

static bool in_tree_or_tracked(int32_t parent, int32_t child, void *payload)
{
	return in_tree(parent, child, payload) ||
	       (tracked_pid && parent == tracked_pid);
}

static bool is_tracked(int32_t pid, void *payload)
{
	(void)payload;
	return pid == tracked_pid;
}

static void an_exec_of_a_tracked_process_is_kept(void **state)
{
	struct swt_procconn *pc = open_or_skip();
	const struct swt_newproc *np = NULL;
	struct swt_procconn_stats st;
	int go[2], status, i;
	pid_t pid;
	char c;

	(void)state;
	assert_int_equal(pipe(go), 0);
	pid = fork();
	if (pid == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(126);
		execl("/bin/true", "true", "swt-exec-only", (char *)NULL);
		_exit(127);
	}
	close(go[0]);
	for (i = 0; i < 10000 && !swt_procconn_find(pc, (int32_t)pid, 0);
	     i++) {
		struct timespec ts = { 0, 1000000 };

		swt_procconn_read(pc, 0, in_tree, NULL);
		nanosleep(&ts, NULL);
	}
	assert_non_null(swt_procconn_find(pc, (int32_t)pid, 0));
	/* the sampler found it: its fork's entry goes */
	tracked_pid = (int32_t)pid;
	swt_procconn_sweep(pc, 0, is_tracked, NULL);
	assert_int_equal(swt_procconn_count(pc), 0);
	assert_null(swt_procconn_exec_of(pc, (int32_t)pid));
	assert_int_equal(write(go[1], "x", 1), 1);
	close(go[1]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	for (i = 0; i < 10000; i++) {
		struct timespec ts = { 0, 1000000 };

		swt_procconn_read(pc, 0, in_tree_or_tracked, NULL);
		np = swt_procconn_exec_of(pc, (int32_t)pid);
		if (np && np->exit_ns)
			break;
		nanosleep(&ts, NULL);
	}
	tracked_pid = 0;
	assert_non_null(np);
	assert_true(np->exit_ns >= np->exec_ns && np->exec_ns > 0);
	assert_int_equal(np->fork_ns, 0);
	/* (the connector reads it from /proc after the exec: a /bin/true
	 * can be gone by then) */
	if (popts.source == SWT_PROCCONN_BPF || np->cmdline) {
		assert_non_null(np->cmdline);
		assert_int_equal(np->cmdline_len,
				 sizeof("true\0" "swt-exec-only"));
		assert_memory_equal(np->cmdline, "true\0" "swt-exec-only",
				    np->cmdline_len);
	}
	assert_null(swt_procconn_find(pc, (int32_t)pid, 0));
	/* kept through the sweep of its tick, dropped by the next one's;
	 * not an unmatched exit */
	swt_procconn_sweep(pc, np->exec_ns, none_tracked, NULL);
	assert_int_equal(swt_procconn_count(pc), 1);
	swt_procconn_sweep(pc, np->exec_ns + 1, none_tracked, NULL);
	assert_int_equal(swt_procconn_count(pc), 0);
	swt_procconn_get_stats(pc, &st);
	assert_int_equal(st.unmatched, 0);
	swt_procconn_free(pc);
}

/* The exit records of the BPF source against taskstats' for the same
 * process, and against what wait4() says of it: a child with two threads
 * that burn CPU and end before it, 64 MiB touched, 4 MiB written to a
 * file, exit status 3. The CPU and the bytes written come from the same
 * counters of the same threads (so agree to a tick); the peak RSS differs
 * by the per-CPU lag of the kernel's counters at most. */
#define EXIT_WANT 64
static struct swt_exit_stats bpf_rec[EXIT_WANT], ts_rec[EXIT_WANT];
static size_t n_bpf_rec, n_ts_rec;

static void keep_bpf(const struct swt_exit_stats *x, void *payload)
{
	(void)payload;
	if (n_bpf_rec < EXIT_WANT)
		bpf_rec[n_bpf_rec++] = *x;
}

static void keep_ts(const struct swt_exit_stats *x, void *payload)
{
	(void)payload;
	if (n_ts_rec < EXIT_WANT)
		ts_rec[n_ts_rec++] = *x;
}

static const struct swt_exit_stats *rec_of(const struct swt_exit_stats *r,
					   size_t n, int32_t pid)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (r[i].pid == pid)
			return &r[i];
	return NULL;
}

static void *burn(void *arg)
{
	struct timespec t0, t;

	(void)arg;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	do
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	while ((t.tv_sec - t0.tv_sec) * 1000000000L + t.tv_nsec - t0.tv_nsec <
	       60000000L);
	return NULL;
}

static void exit_record_matches_taskstats_and_wait4(void **state)
{
	struct swt_procconn_opts o = popts;
	struct swt_procconn *pc;
	struct swt_exitacct *ea;
	const struct swt_exit_stats *b = NULL, *t = NULL;
	char msg[400], path[] = "/tmp/swt-pc-io-XXXXXX";
	struct rusage ru;
	uint64_t ov = 0, ru_us, b_us, t_us;
	int st, i, fd;
	pid_t pid;

	(void)state;
	o.source = SWT_PROCCONN_BPF;
	o.on_exit_record = keep_bpf;
	assert_int_equal(swt_procconn_open(&pc, &o, msg, sizeof(msg)), 0);
	if (!swt_procconn_exit_records(pc)) {
		/* before Linux 6.16: taskstats brings them */
		print_message("# this kernel's exit tracepoint has no "
			      "counters: nothing to compare\n");
		swt_procconn_free(pc);
		return;
	}
	assert_int_equal(swt_exitacct_open(&ea, msg, sizeof(msg)), 0);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	pid = fork();
	if (pid == 0) {
		pthread_t th[2];
		size_t len = 64u << 20;
		char *mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), buf[65536];

		if (mem == MAP_FAILED)
			_exit(100);
		memset(mem, 1, len);
		/* given back now, before the CPU is burnt: freed at the exit,
		 * after the record, its system time (more under ASan, whose
		 * free() would only quarantine it) would be wait4's alone */
		munmap(mem, len);
		memset(buf, 2, sizeof(buf));
		for (i = 0; i < 64; i++)
			if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
				_exit(101);
		for (i = 0; i < 2; i++)
			pthread_create(&th[i], NULL, burn, NULL);
		for (i = 0; i < 2; i++)
			pthread_join(th[i], NULL);
		burn(NULL);
		_exit(3);
	}
	close(fd);
	assert_int_equal(wait4(pid, &st, 0, &ru), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 3);
	/* (taskstats takes every exit of the machine: on a busy one its
	 * socket can overflow and lose the record; then only wait4 is
	 * compared) */
	for (i = 0; i < 10000 && (!b || (!t && !ov)); i++) {
		struct timespec ts = { 0, 1000000 };

		swt_procconn_read(pc, 0, in_tree, NULL);
		swt_exitacct_read(ea, keep_ts, NULL, &ov);
		b = rec_of(bpf_rec, n_bpf_rec, (int32_t)pid);
		t = rec_of(ts_rec, n_ts_rec, (int32_t)pid);
		if (!b || !t)
			nanosleep(&ts, NULL);
	}
	assert_non_null(b);
	if (!t) {
		print_message("# taskstats overflowed %llu times: its record "
			      "is lost\n", (unsigned long long)ov);
		t = b;
	}
	b_us = b->utime_us + b->stime_us;
	t_us = t->utime_us + t->stime_us;
	ru_us = (uint64_t)ru.ru_utime.tv_sec * 1000000u +
		(uint64_t)ru.ru_utime.tv_usec +
		(uint64_t)ru.ru_stime.tv_sec * 1000000u +
		(uint64_t)ru.ru_stime.tv_usec;
	print_message("# cpu us: bpf %llu taskstats %llu wait4 %llu; peak "
		      "KiB: bpf %llu taskstats %llu; written: bpf %llu "
		      "taskstats %llu\n",
		      (unsigned long long)b_us, (unsigned long long)t_us,
		      (unsigned long long)ru_us,
		      (unsigned long long)b->hiwater_rss_kib,
		      (unsigned long long)t->hiwater_rss_kib,
		      (unsigned long long)b->write_bytes,
		      (unsigned long long)t->write_bytes);
	/* three threads of 60 ms each at least */
	assert_true(b_us >= 170000);
	/* the exact run time, as wait4 gives it, but for what the exit
	 * costs after the record (freeing 64 MiB: some ms of system time):
	 * within 5 % below (taskstats' tick samples can be a third off on a
	 * loaded machine: not compared) */
	(void)t_us;
	assert_true(b_us <= ru_us && b_us * 20 >= ru_us * 19);
	assert_int_equal(b->write_bytes, t->write_bytes);
	assert_true(b->write_bytes >= 4u << 20);
	assert_true(b->hiwater_rss_kib >= 64u << 10);
	assert_true(b->hiwater_rss_kib + 2048 >= t->hiwater_rss_kib &&
		    t->hiwater_rss_kib + 2048 >= b->hiwater_rss_kib);
	assert_int_equal(b->exit_code, t->exit_code);
	assert_int_equal(b->ppid, (int32_t)getpid());
	assert_true(b->etime_us + 50000 >= t->etime_us &&
		    t->etime_us + 50000 >= b->etime_us);
	swt_exitacct_free(ea);
	swt_procconn_free(pc);
}

/* ---- the sampler's second reading of a tick (late_acct()) -------------- */

static struct swt_sampler *ls_s;	/* the sampler the records go to */
static struct swt_exitacct *ls_ea;	/* taskstats, where the events have
					 * no exit records */
static int ls_cmd[2], ls_done[2];	/* to and from the tracked process */
static bool ls_arm;			/* the next late hook forks */

static void ls_note(const struct swt_exit_stats *x, void *payload)
{
	(void)payload;
	if (ls_s)
		swt_sampler_note_acct(ls_s, x);
}

/* The tracked process asked to do `what` ('a': a grandchild that execs
 * echo; 'b': 300 children that exit at once), and done. */
static void ls_ask(char what)
{
	char c;

	assert_int_equal(write(ls_cmd[1], &what, 1), 1);
	assert_int_equal(read(ls_done[0], &c, 1), 1);
}

/* late_exits: once armed, 300 processes of the tree fork and exit while
 * the tick is between its two readings; then the exit records so far */
static void ls_late(void *payload)
{
	uint64_t ov = 0;

	(void)payload;
	if (ls_arm) {
		ls_arm = false;
		ls_ask('b');
	}
	if (ls_ea)
		(void)swt_exitacct_read(ls_ea, ls_note, NULL, &ov);
}

struct ls_tick {
	int32_t start_pid[1024], start_ppid[1024], exit_pid[1024];
	bool marker[1024], exit_acct[1024];
	size_t n_starts, n_exits;
};

static int ls_collect(const struct swt_record *rec, void *payload)
{
	struct ls_tick *t = payload;

	if (rec->kind == SWT_REC_PROC_START && t->n_starts < 1024) {
		const struct swt_proc_start *p = &rec->u.proc_start;

		t->start_pid[t->n_starts] = p->pid;
		t->start_ppid[t->n_starts] = p->ppid;
		t->marker[t->n_starts++] =
			p->cmdline_len == sizeof("echo\0swt-late-marker") &&
			!memcmp(p->cmdline, "echo\0swt-late-marker",
				p->cmdline_len);
	} else if (rec->kind == SWT_REC_PROC_EXIT && t->n_exits < 1024) {
		t->exit_pid[t->n_exits] = rec->u.proc_exit.pid;
		t->exit_acct[t->n_exits++] = rec->u.proc_exit.has_acct;
	}
	return 0;
}

/* A tick takes the exit records twice: before it reads the rows, and
 * once it has read them, with the process events that came in between
 * (a child reaped meanwhile is in its parent's cutime: its records go in
 * the same tick). Reading events may move their table: a process of the
 * first take, written at the end of the tick, keeps its entry (its
 * command line read at its exec, over BPF; under ASan a pointer into the
 * old table fails here with either source). */
static void late_events_keep_the_first_takes_processes(void **state)
{
	struct swt_procconn_opts o = { 0 };
	struct swt_sampler_opts so;
	struct swt_procconn *pc;
	struct ls_tick *t = calloc(1, sizeof(*t));
	const char *src = getenv("SWT_TEST_PROC_EVENTS");
	char msg[400];
	int32_t root, g = 0;
	size_t i, kids = 0;
	uint64_t ov = 0;
	pid_t child;
	int st;

	(void)state;
	assert_non_null(t);
	o.source = src && !strcmp(src, "bpf") ? SWT_PROCCONN_BPF
					      : SWT_PROCCONN_CONNECTOR;
	o.self = o.launcher = (int32_t)getpid();
	o.on_exit_record = ls_note;
	if (swt_procconn_open(&pc, &o, msg, sizeof(msg)) < 0) {
		print_message("# skipped: %s\n", msg);
		free(t);
		skip();
	}
	ls_ea = NULL;
	if (!swt_procconn_exit_records(pc) &&
	    swt_exitacct_open(&ls_ea, msg, sizeof(msg)) < 0) {
		print_message("# skipped: %s\n", msg);
		swt_procconn_free(pc);
		free(t);
		skip();
	}
	assert_int_equal(pipe(ls_cmd), 0);
	assert_int_equal(pipe(ls_done), 0);
	child = fork();
	if (child == 0) {
		char c;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(ls_cmd[1]);
		close(ls_done[0]);
		while (read(ls_cmd[0], &c, 1) == 1) {
			if (c == 'a') {
				pid_t k = fork();

				if (k == 0) {
					int fd = open("/dev/null", O_WRONLY);

					if (fd >= 0)
						dup2(fd, 1);
					execl("/bin/echo", "echo",
					      "swt-late-marker", (char *)NULL);
					_exit(127);
				}
				if (write(ls_done[1], &k, sizeof(k)) !=
				    (ssize_t)sizeof(k))
					_exit(1);
				waitpid(k, NULL, 0);
			} else {
				for (i = 0; i < 300; i++)
					if (fork() == 0)
						_exit(0);
				while (wait(NULL) > 0)
					;
			}
			if (write(ls_done[1], &c, 1) != 1)
				_exit(1);
		}
		_exit(0);
	}
	root = (int32_t)child;
	memset(&so, 0, sizeof(so));
	so.mode = SWT_MODE_LAUNCH;
	so.roots = &root;
	so.n_roots = 1;
	so.slow_every = 1;
	so.conn = pc;
	so.late_exits = ls_late;
	so.max_unseen_per_s = UINT64_MAX;
	assert_int_equal(swt_sampler_new(&ls_s, &so, msg, sizeof(msg)), 0);
	assert_int_equal(swt_sampler_tick(ls_s, 0, ls_collect, t), 0);
	/* the grandchild execs echo, exits and is reaped between two
	 * ticks; its records are read before the next (as swrec reads
	 * taskstats; the events bring theirs) */
	{
		char c = 'a';

		assert_int_equal(write(ls_cmd[1], &c, 1), 1);
		assert_int_equal(read(ls_done[0], &g, sizeof(g)),
				 (ssize_t)sizeof(g));
		assert_int_equal(read(ls_done[0], &c, 1), 1);
	}
	if (ls_ea)
		(void)swt_exitacct_read(ls_ea, ls_note, NULL, &ov);
	ls_arm = true;
	memset(t, 0, sizeof(*t));
	assert_int_equal(swt_sampler_tick(ls_s, 0, ls_collect, t), 0);
	assert_false(ls_arm);
	/* (its command line where the BPF program read it at its exec; the
	 * connector's reading of /proc comes after echo has gone) */
	for (i = 0; i < t->n_starts; i++) {
		if (t->start_pid[i] == g && o.source == SWT_PROCCONN_BPF)
			assert_true(t->marker[i]);
		kids += t->start_ppid[i] == root && t->start_pid[i] != g;
	}
	for (i = 0; i < t->n_starts && t->start_pid[i] != g; i++)
		;
	assert_true(i < t->n_starts);	/* written, with its command line */
	for (i = 0; i < t->n_exits && t->exit_pid[i] != g; i++)
		;
	assert_true(i < t->n_exits && t->exit_acct[i]);
	/* the 300 of the late reading, in the same tick (taskstats can
	 * lose records on a busy machine: most of them) */
	print_message("# %zu of 300 written in the tick they exited in\n",
		      kids);
	assert_true(kids >= 200 || ov > 0);
	close(ls_cmd[1]);
	assert_int_equal(waitpid(child, &st, 0), child);
	close(ls_cmd[0]);
	close(ls_done[0]);
	close(ls_done[1]);
	swt_sampler_free(ls_s);
	ls_s = NULL;
	swt_exitacct_free(ls_ea);
	ls_ea = NULL;
	swt_procconn_free(pc);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fork_exec_exit_of_a_grandchild),
		cmocka_unit_test(outside_the_tree_and_fork_without_exec),
		cmocka_unit_test(late_events_keep_the_first_takes_processes),
		cmocka_unit_test(program_path_across_a_mount),
		cmocka_unit_test(a_rename_is_told),
		cmocka_unit_test(an_exec_of_a_tracked_process_is_kept),
		/* (the last two: only over BPF) */
		cmocka_unit_test(an_exec_brings_no_comm_event),
		cmocka_unit_test(exit_record_matches_taskstats_and_wait4),
	};
	size_t n_tests = sizeof(tests) / sizeof(tests[0]);

	signal(SIGPIPE, SIG_IGN);
	test_pid = getpid();
	{
		/* where the events cannot be had at all (not root, no BPF),
		 * the whole test is skipped: TAP's empty plan (cmocka's own
		 * skip prints "not ok # SKIP", which meson counts as a
		 * failure) */
		const char *src = getenv("SWT_TEST_PROC_EVENTS");
		struct swt_procconn_opts o = {
			.source = src && !strcmp(src, "bpf")
					  ? SWT_PROCCONN_BPF
					  : SWT_PROCCONN_CONNECTOR,
			.self = (int32_t)getpid(),
		};
		struct swt_procconn *pc;
		char msg[400];

		if (geteuid() != 0) {
			printf("1..0 # SKIP the process events need root\n");
			return 0;
		}
		if (swt_procconn_open(&pc, &o, msg, sizeof(msg)) < 0) {
			printf("1..0 # SKIP %s\n", msg);
			return 0;
		}
		swt_procconn_free(pc);
	}
	{
		const char *src = getenv("SWT_TEST_PROC_EVENTS");

		if (!(src && !strcmp(src, "bpf")))
			n_tests -= 2;
	}
	return _cmocka_run_group_tests("tests", tests, n_tests, NULL, NULL);
}
