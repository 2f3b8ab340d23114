/* test_swrec.c — the real swrec over real processes (no mocks).
 *
 *   test_swrec SWREC REC_WORKLOAD
 *
 * Every test runs swrec as a child with its own sandbox directory and reads
 * the session file back through the reader API. Tests synchronise on what
 * the file (or a pipe, or a file the workload writes) shows, polling in
 * 20 ms steps under a generous deadline; nothing assumes how long anything
 * takes, so a loaded machine makes them slower, not flaky. CPU and RSS
 * are compared with what the test itself reads from /proc, with
 * tolerances. */
#include "swt_test.h"

#include <dirent.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "rec_file.h"
#include "swt_test_pb.h"

#define WAIT_S 90	/* deadline of every wait: only hit when broken */

static const char *swrec_path;
static const char *workload_path;

/* Process groups of the swrec runs of the current test: teardown kills
 * whatever a failing test left running (swrec, its command, orphans). */
static pid_t started[64];
static size_t n_started;

static int sandbox_teardown(void **state)
{
	struct swt_sandbox *sb = *state;
	char mnt[600];

	/* the disk-full test's small file system */
	swt_test_path(mnt, sizeof(mnt), sb->dir, "mnt");
	umount2(mnt, MNT_DETACH);
	swt_sandbox_free(sb, started, &n_started);
	return 0;
}

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void nap(void)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static void touch(const char *dir, const char *name)
{
	char path[600];

	swt_test_path(path, sizeof(path), dir, name);
	swt_test_write_file(path, "", 0);
}

/* ---- running swrec -------------------------------------------------- */

struct run {
	pid_t pid;
	int out_fd;		/* swrec's (and the command's) stdout */
	int err_fd;		/* swrec's stderr */
	char err[8192];
	size_t err_len;
	int status;		/* exit code, 128+N if killed by N */
	bool done;
};

struct start_opts {
	rlim_t fsize;		/* RLIMIT_FSIZE in bytes, 0: unchanged */
	uid_t uid;		/* run as this user, 0: unchanged */
};

static void start_swrec(struct run *r, const char *const *args,
			const struct start_opts *o)
{
	char *argv[64];
	int outp[2], errp[2];
	size_t n = 0;

	/* execv wants char *const []: the strings are not modified */
	memset(r, 0, sizeof(*r));
	argv[n++] = (char *)(uintptr_t)swrec_path;
	while (*args && n < 62)
		argv[n++] = (char *)(uintptr_t)*args++;
	argv[n] = NULL;
	assert_int_equal(pipe2(outp, O_CLOEXEC), 0);
	assert_int_equal(pipe2(errp, O_CLOEXEC), 0);
	r->pid = fork();
	assert_true(r->pid >= 0);
	if (r->pid == 0) {
		dup2(outp[1], 1);
		dup2(errp[1], 2);
		/* as a terminal would start it, however the tests were
		 * started (nohup ignores SIGHUP, a background job SIGINT) */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		/* Its own group, as a shell job: terminal-style signals
		 * (kill(-pgid)) and cleanup reach swrec and its command. */
		setpgid(0, 0);
		if (o && o->fsize) {
			struct rlimit rl = { o->fsize, o->fsize };

			setrlimit(RLIMIT_FSIZE, &rl);
		}
		if (o && o->uid) {
			if (setgroups(0, NULL) < 0 ||
			    setresgid(o->uid, o->uid, o->uid) < 0 ||
			    setresuid(o->uid, o->uid, o->uid) < 0)
				_exit(99);
		}
		execv(swrec_path, argv);
		_exit(98);
	}
	setpgid(r->pid, r->pid);	/* no race with the child's own call */
	if (n_started < sizeof(started) / sizeof(started[0]))
		started[n_started++] = r->pid;
	close(outp[1]);
	close(errp[1]);
	r->out_fd = outp[0];
	r->err_fd = errp[0];
}

static void drain_err(struct run *r, int timeout_ms)
{
	struct pollfd p = { r->err_fd, POLLIN, 0 };

	while (r->err_fd >= 0 && poll(&p, 1, timeout_ms) > 0) {
		ssize_t n = read(r->err_fd, r->err + r->err_len,
				 sizeof(r->err) - 1 - r->err_len);

		if (n <= 0) {
			close(r->err_fd);
			r->err_fd = -1;
			break;
		}
		r->err_len += (size_t)n;
		r->err[r->err_len] = '\0';
		timeout_ms = 0;
	}
}

static bool check_done(struct run *r)
{
	int st;

	if (r->done)
		return true;
	if (waitpid(r->pid, &st, WNOHANG) != r->pid)
		return false;
	r->done = true;
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return true;
}

/* Wait for swrec to exit; returns its status (128+N if killed by N). */
static int wait_swrec(struct run *r)
{
	int64_t deadline = mono_ns() + (int64_t)WAIT_S * 1000000000;

	while (!check_done(r)) {
		drain_err(r, 20);
		if (mono_ns() > deadline) {
			kill(r->pid, SIGKILL);
			print_error("swrec did not exit; stderr: %s\n", r->err);
			fail();
		}
	}
	drain_err(r, 1000);
	if (r->out_fd >= 0)
		close(r->out_fd);
	r->out_fd = -1;
	return r->status;
}

static int run_swrec(struct run *r, const char *const *args)
{
	start_swrec(r, args, NULL);
	return wait_swrec(r);
}

/* Read a line from swrec's stdout (the command's output). */
static void read_line(struct run *r, char *buf, size_t len)
{
	size_t n = 0;
	int64_t deadline = mono_ns() + (int64_t)WAIT_S * 1000000000;

	while (n + 1 < len) {
		struct pollfd p = { r->out_fd, POLLIN, 0 };
		char c;

		if (poll(&p, 1, 100) <= 0) {
			if (mono_ns() > deadline || check_done(r)) {
				print_error("no line on stdout\n");
				fail();
			}
			continue;
		}
		if (read(r->out_fd, &c, 1) != 1) {
			print_error("stdout closed\n");
			fail();
		}
		if (c == '\n')
			break;
		buf[n++] = c;
	}
	buf[n] = '\0';
}

/* ---- reading the session ------------------------------------------ */

/* The generic invariants every session must hold. */
static void check_invariants(const struct rf *rf)
{
	size_t i, k, j;

	assert_true(rf->time_ordered);
	for (i = 0; i < rf->n_samples; i++) {
		const struct rf_sample *s = &rf->samples[i];

		assert_true(s->scheduled <= s->t);
		if (i)
			assert_true(s->scheduled >
				    rf->samples[i - 1].scheduled);
		for (k = 0; k < s->n_rows; k++) {
			const struct swt_proc_row *row = &rf->rows[s->row0 + k];
			const struct rf_start *st = NULL;

			if (k)
				assert_true(rf->rows[s->row0 + k - 1].pid <
					    row->pid);
			if (row->flags & SWT_PF_IO_UNAVAILABLE) {
				assert_int_equal(row->io_read, 0);
				assert_int_equal(row->io_write, 0);
			}
			/* The latest start of that pid comes before the row
			 * and has not exited yet. */
			for (j = 0; j < rf->n_starts; j++)
				if (rf->starts[j].pid == row->pid &&
				    rf->starts[j].seq < s->seq)
					st = &rf->starts[j];
			if (!st) {
				print_error("row of pid %d without a start\n",
					    row->pid);
				fail();
			}
			for (j = 0; j < rf->n_exits; j++) {
				const struct rf_exit *e = &rf->exits[j];

				if (e->pid == row->pid && e->seq > st->seq &&
				    e->seq < s->seq) {
					print_error("row of pid %d after its "
						    "exit\n", row->pid);
					fail();
				}
			}
		}
		for (k = 1; k < s->n_trows; k++)
			assert_true(rf->trows[s->trow0 + k - 1].tid <
				    rf->trows[s->trow0 + k].tid);
	}
	for (j = 0; j < rf->n_exits; j++) {
		const struct rf_exit *e = &rf->exits[j];
		bool found = false;

		for (i = 0; i < rf->n_starts; i++)
			if (rf->starts[i].pid == e->pid &&
			    rf->starts[i].start_ticks == e->start_ticks &&
			    rf->starts[i].seq < e->seq)
				found = true;
		if (!found) {
			print_error("exit of pid %d without a start\n", e->pid);
			fail();
		}
	}
}

static void load(struct rf *rf, const char *path)
{
	char err[512];
	int rc = rf_load(rf, path, err, sizeof(err));

	if (rc < 0) {
		print_error("%s\n", err);
		fail();
	}
	check_invariants(rf);
}

typedef bool (*rf_pred)(const struct rf *rf, const void *arg);

/* Poll the file until pred holds; *rf holds the file that satisfied it.
 * Fails if swrec exits first (checked once more after it exited). */
static void wait_for(struct rf *rf, struct run *r, const char *path,
		     rf_pred pred, const void *arg, const char *what)
{
	int64_t deadline = mono_ns() + (int64_t)WAIT_S * 1000000000;
	char err[512];

	for (;;) {
		bool done = check_done(r);

		if (exists(path) && rf_load(rf, path, err, sizeof(err)) == 0) {
			if (pred(rf, arg)) {
				check_invariants(rf);
				return;
			}
			rf_free(rf);
		}
		drain_err(r, 0);
		if (done || mono_ns() > deadline) {
			if (!done)
				kill(r->pid, SIGKILL);
			print_error("waiting for %s: swrec %s; stderr: %s\n",
				    what, done ? "exited" : "timed out",
				    r->err);
			fail();
		}
		nap();
	}
}

static bool has_samples(const struct rf *rf, const void *arg)
{
	return rf->n_samples >= *(const size_t *)arg;
}

struct rows_arg {
	int32_t pid;
	size_t n;
};

static bool has_rows(const struct rf *rf, const void *arg)
{
	const struct rows_arg *a = arg;

	return rf_rows_of(rf, a->pid) >= a->n;
}

static bool has_comm(const struct rf *rf, const void *arg)
{
	const struct rf_start *s = rf_start_by_comm(rf, arg);

	return s && rf_rows_of(rf, s->pid) > 0;
}

/* A started process whose argv[1] is `arg`, with at least one row. */
static const struct rf_start *start_by_arg1(const struct rf *rf,
					    const char *arg1)
{
	size_t i;

	for (i = 0; i < rf->n_starts; i++) {
		const struct rf_start *s = &rf->starts[i];
		size_t l0 = strnlen(s->cmdline, s->cmdline_len);

		if (l0 + 1 < s->cmdline_len &&
		    !strcmp(s->cmdline + l0 + 1, arg1))
			return s;
	}
	return NULL;
}

static bool has_arg1(const struct rf *rf, const void *arg)
{
	const struct rf_start *s = start_by_arg1(rf, arg);

	return s && rf_rows_of(rf, s->pid) > 0;
}

static bool has_exit(const struct rf *rf, const void *arg)
{
	return rf_exit_of(rf, *(const int32_t *)arg) != NULL;
}

static bool last_t_after(const struct rf *rf, const void *arg)
{
	return rf->n_samples &&
	       rf->samples[rf->n_samples - 1].t >= *(const int64_t *)arg;
}

static bool last_due_after(const struct rf *rf, const void *arg)
{
	return rf->n_samples &&
	       rf->samples[rf->n_samples - 1].scheduled >=
		       *(const int64_t *)arg;
}

/* The fields of /proc/PID/stat (of its thread tid, if not 0) after the
 * comm, from the state on, read into buf; NULL if it cannot be read. */
static const char *stat_fields(int32_t pid, int32_t tid, char *buf,
			       size_t len)
{
	char path[96], *p;
	ssize_t n;
	int fd;

	if (tid)
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid,
			 tid);
	else
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p + 2 : NULL;
}

/* State letter of pid from /proc/PID/stat, or 0. */
static char proc_state(pid_t pid)
{
	char buf[512];
	const char *p = stat_fields((int32_t)pid, 0, buf, sizeof(buf));

	return p ? p[0] : 0;
}

/* (utime + stime, rss pages) of pid from /proc, as the test sees it. */
static void proc_stat(int32_t pid, int64_t *ticks, int64_t *rss_pages)
{
	char buf[4096];
	const char *p = stat_fields(pid, 0, buf, sizeof(buf));
	long long ut, st, rss;

	assert_non_null(p);
	assert_int_equal(sscanf(p,
				"%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
				"%lld %lld %*d %*d %*d %*d %*d %*d %*u %*u "
				"%lld",
				&ut, &st, &rss),
			 3);
	*ticks = ut + st;
	*rss_pages = rss;
}

/* ---- tests ---------------------------------------------------------- */

static void exit_status_is_propagated(void **state)
{
	struct swt_sandbox *sb = *state;
	const char *args[] = { "-q", "-o", sb->out, "-i", "0.05", "--",
			       "sh", "-c", "exit 3", NULL };
	struct run r;
	struct rf rf;

	assert_int_equal(run_swrec(&r, args), 3);
	assert_int_equal(r.err_len, 0);
	load(&rf, sb->out);
	assert_true(rf.has_end);
	assert_true(rf.has_index);
	assert_int_equal(rf.damage, 0);
	assert_int_equal(rf.end.reason, SWT_END_EXITED);
	assert_true(rf.end.has_status);
	assert_int_equal(rf.end.exit_code, 3);
	assert_int_equal(rf.mode, SWT_MODE_LAUNCH);
	assert_int_equal(rf.n_command, 3);
	assert_int_equal(rf.interval_ns, 50000000);
	assert_true(!strncmp(rf.recorder, "swrec ", 6));
	rf_free(&rf);
}

static void signal_death_is_128_plus_n(void **state)
{
	struct swt_sandbox *sb = *state;
	char script[700];
	const char *args[] = { "-o", sb->out, "-i", "0.05", "--flush", "0.05",
			       "--", "sh", "-c", script, NULL };
	const char *simple[] = { "-q", "-o", NULL, "--", "sh", "-c",
				 "kill -TERM $$", NULL };
	char out2[600];
	const struct rf_start *w;
	const struct rf_exit *e;
	struct run r;
	struct rf rf;
	int32_t pid;

	/* A shell killing itself: 128 + SIGTERM. */
	swt_test_path(out2, sizeof(out2), sb->dir, "term.swt");
	simple[2] = out2;
	assert_int_equal(run_swrec(&r, simple), 128 + SIGTERM);
	load(&rf, out2);
	assert_true(rf.has_end);
	assert_int_equal(rf.end.signal, SIGTERM);
	rf_free(&rf);

	/* A command the test kills once the file shows it. */
	snprintf(script, sizeof(script), "exec %s sleep", workload_path);
	start_swrec(&r, args, NULL);
	wait_for(&rf, &r, sb->out, has_comm, "rec_workload", "the workload");
	pid = rf_start_by_comm(&rf, "rec_workload")->pid;
	rf_free(&rf);
	kill(pid, SIGKILL);
	assert_int_equal(wait_swrec(&r), 128 + SIGKILL);
	load(&rf, sb->out);
	w = rf_last_start_of(&rf, pid);
	assert_non_null(w);
	e = rf_exit_of(&rf, pid);
	assert_non_null(e);
	/* swrec reaped it: the status is known. */
	assert_true(e->has_status);
	assert_int_equal(e->signal, SIGKILL);
	assert_int_equal(rf.end.signal, SIGKILL);
	assert_int_equal(rf.end.reason, SWT_END_EXITED);
	rf_free(&rf);
}

static void grandchild_through_sh_is_tracked(void **state)
{
	struct swt_sandbox *sb = *state;
	char script[700];
	const char *args[] = { "-o", sb->out, "-i", "0.05", "--flush", "0.05",
			       "--", "sh", "-c", script, NULL };
	const struct rf_start *sh, *gc;
	const struct rf_exit *e;
	struct run r;
	struct rf rf;
	int32_t pid;

	snprintf(script, sizeof(script), "%s sleep & wait", workload_path);
	start_swrec(&r, args, NULL);
	wait_for(&rf, &r, sb->out, has_arg1, "sleep", "the grandchild");
	gc = start_by_arg1(&rf, "sleep");
	sh = rf_start_by_comm(&rf, "sh");
	assert_non_null(sh);
	assert_int_equal(gc->ppid, sh->pid);
	assert_false(gc->preexisting);
	pid = gc->pid;
	rf_free(&rf);
	kill(pid, SIGKILL);
	assert_int_equal(wait_swrec(&r), 0);
	load(&rf, sb->out);
	e = rf_exit_of(&rf, pid);
	assert_non_null(e);
	/* Its parent, the shell, reaped it: no status for swrec. */
	assert_false(e->has_status);
	rf_free(&rf);
}

static void orphaned_grandchild_stays_in_the_tree(void **state)
{
	struct swt_sandbox *sb = *state;
	char script[1400], stop[600];
	const char *args[] = { "-o", sb->out, "-i", "0.05", "--flush", "0.05",
			       "--", "sh", "-c", script, NULL };
	const struct rf_start *gc;
	const struct rf_exit *e;
	struct rows_arg ra;
	struct run r;
	struct rf rf;
	int32_t pid;

	swt_test_path(stop, sizeof(stop), sb->dir, "stop");
	/* The subshell exits at once: its child is orphaned. */
	snprintf(script, sizeof(script), "(%s sleep &); exec %s wait-file %s 0",
		 workload_path, workload_path, stop);
	start_swrec(&r, args, NULL);
	wait_for(&rf, &r, sb->out, has_arg1, "sleep", "the orphan");
	pid = start_by_arg1(&rf, "sleep")->pid;
	ra.pid = pid;
	ra.n = rf_rows_of(&rf, pid) + 3;
	rf_free(&rf);
	/* Still sampled after its parent has gone. */
	wait_for(&rf, &r, sb->out, has_rows, &ra, "more rows of the orphan");
	gc = start_by_arg1(&rf, "sleep");
	rf_free(&rf);
	(void)gc;
	kill(pid, SIGKILL);
	wait_for(&rf, &r, sb->out, has_exit, &pid, "the orphan's exit");
	e = rf_exit_of(&rf, pid);
	/* swrec is a subreaper: it reaped the orphan and knows why it
	 * ended. */
	assert_true(e->has_status);
	assert_int_equal(e->signal, SIGKILL);
	rf_free(&rf);
	touch(sb->dir, "stop");
	assert_int_equal(wait_swrec(&r), 0);
}

static void attach_follows_descendants_until_all_exit(void **state)
{
	struct swt_sandbox *sb = *state;
	char script[1400], spawn[600], pidarg[32];
	const char *args[] = { "-o", sb->out, "-i", "0.05", "--flush", "0.05",
			       "-p", pidarg, NULL };
	const struct rf_start *s, *child;
	struct rows_arg ra;
	struct run r;
	struct rf rf;
	int32_t cpid;
	pid_t target;
	int st;

	swt_test_path(spawn, sizeof(spawn), sb->dir, "spawn");
	snprintf(script, sizeof(script), "%s wait-file %s 0; %s sleep",
		 workload_path, spawn, workload_path);
	target = fork();
	assert_true(target >= 0);
	if (target == 0) {
		/* no "Killed" from the shell in the TAP stream */
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 2);
		setpgid(0, 0);
		execl("/bin/sh", "sh", "-c", script, (char *)NULL);
		_exit(98);
	}
	setpgid(target, target);
	started[n_started++] = target;
	snprintf(pidarg, sizeof(pidarg), "%d", (int)target);
	start_swrec(&r, args, NULL);
	ra.pid = target;
	ra.n = 2;
	wait_for(&rf, &r, sb->out, has_rows, &ra, "rows of the target");
	assert_int_equal(rf.mode, SWT_MODE_ATTACH);
	assert_int_equal(rf.n_attach, 1);
	s = rf_start_of(&rf, target);
	assert_true(s->preexisting);
	/* its network was read (the first sample is a round) */
	{
		bool net = false;

		for (size_t i = 0; i < rf.n_samples; i++) {
			const struct swt_proc_row *row =
				rf_row(&rf, i, target);

			if (row && !(row->flags & (SWT_PF_NET_NOT_SAMPLED |
						   SWT_PF_NET_UNAVAILABLE)))
				net = true;
		}
		assert_true(net);
	}
	rf_free(&rf);
	/* A child born after attaching is followed. */
	touch(sb->dir, "spawn");
	wait_for(&rf, &r, sb->out, has_arg1, "sleep", "the new child");
	child = start_by_arg1(&rf, "sleep");
	assert_int_equal(child->ppid, target);
	assert_false(child->preexisting);
	cpid = child->pid;
	rf_free(&rf);
	kill(cpid, SIGKILL);
	waitpid(target, &st, 0);
	/* Everything has exited: swrec ends by itself. */
	assert_int_equal(wait_swrec(&r), 0);
	load(&rf, sb->out);
	assert_true(rf.has_end);
	assert_int_equal(rf.end.reason, SWT_END_EXITED);
	assert_non_null(rf_exit_of(&rf, target));
	assert_false(rf_exit_of(&rf, target)->has_status);
	assert_non_null(rf_exit_of(&rf, cpid));
	rf_free(&rf);
}

static void *idle_thread(void *arg)
{
	__atomic_store_n((pid_t *)arg, (pid_t)syscall(SYS_gettid),
			 __ATOMIC_SEQ_CST);
	pause();
	return NULL;
}

static void attach_refuses_missing_pid_and_thread(void **state)
{
	struct swt_sandbox *sb = *state;
	char tidarg[32];
	const char *missing[] = { "-o", sb->out, "-p", "2147483000", NULL };
	const char *some_missing[] = { "-o", sb->out, "-p", "1,2147483000",
				       NULL };
	const char *thread[] = { "-o", sb->out, "-p", tidarg, NULL };
	pid_t tid = 0;
	pthread_t t;
	struct run r;

	assert_int_equal(run_swrec(&r, missing), 2);
	assert_contains(r.err, "no such process: 2147483000");
	assert_false(exists(sb->out));
	assert_int_equal(run_swrec(&r, some_missing), 2);
	assert_false(exists(sb->out));

	assert_int_equal(pthread_create(&t, NULL, idle_thread, &tid), 0);
	while (!__atomic_load_n(&tid, __ATOMIC_SEQ_CST))
		nap();
	snprintf(tidarg, sizeof(tidarg), "%d", (int)tid);
	assert_int_equal(run_swrec(&r, thread), 2);
	assert_contains(r.err, "thread");
	assert_false(exists(sb->out));
	pthread_cancel(t);
	pthread_join(t, NULL);
}

static void all_mode_records_the_machine(void **state)
{
	struct swt_sandbox *sb = *state;
	char out2[600];
	const char *args[] = { "-q", "-a", "-o", sb->out, "-i", "0.05",
			       "--no-threads", NULL };
	const char *timed[] = { "-q", "-a", "-o", out2, "-i", "0.05",
				"--duration", "0.2", "--no-threads", NULL };
	const struct rf_start *me;
	size_t three = 3, i;
	struct run r;
	struct rf rf;

	/* Stopped once the file has 3 samples: how long the first scan of
	 * the machine takes (much longer under a sanitizer, or on a loaded
	 * machine) does not matter. */
	start_swrec(&r, args, NULL);
	wait_for(&rf, &r, sb->out, has_samples, &three, "3 samples");
	rf_free(&rf);
	kill(r.pid, SIGINT);
	assert_int_equal(wait_swrec(&r), 0);
	load(&rf, sb->out);
	assert_int_equal(rf.mode, SWT_MODE_ALL);
	assert_true(rf.has_end);
	assert_true(rf.n_samples >= 3);
	assert_false(rf.threads);
	assert_int_equal(rf.n_trows, 0);
	me = rf_start_of(&rf, (int32_t)getpid());
	assert_non_null(me);
	assert_true(me->preexisting);
	assert_non_null(rf_start_of(&rf, 1));
	assert_true(rf_rows_of(&rf, (int32_t)getpid()) >= 2);
	/* Deadlines are absolute: multiples of the interval from the
	 * first (but for the last sample, taken when SIGINT came). */
	for (i = 1; i + 1 < rf.n_samples; i++)
		assert_int_equal((rf.samples[i].scheduled -
				  rf.samples[0].scheduled) % rf.interval_ns,
				 0);
	/* The recorder's own cost is recorded and grows. */
	assert_true(rf.samples[rf.n_samples - 1].cpu_ns >
		    rf.samples[0].cpu_ns);
	assert_true(rf.samples[0].rss_kib > 0);
	assert_true(rf.samples[0].mem_total > rf.samples[0].mem_avail);
	rf_free(&rf);

	/* --duration ends it by itself, on deadlines alone. */
	swt_test_path(out2, sizeof(out2), sb->dir, "timed.swt");
	assert_int_equal(run_swrec(&r, timed), 0);
	load(&rf, out2);
	assert_true(rf.has_end);
	assert_int_equal(rf.end.reason, SWT_END_DURATION);
	assert_true(rf.n_samples >= 1);
	for (i = 1; i < rf.n_samples; i++)
		assert_int_equal((rf.samples[i].scheduled -
				  rf.samples[0].scheduled) % rf.interval_ns,
				 0);
	rf_free(&rf);
}

static void all_mode_stops_cleanly_on_sigint_and_sigterm(void **state)
{
	struct swt_sandbox *sb = *state;
	const char *args[] = { "-q", "-a", "-o", sb->out, "-i", "0.05",
			       "--flush", "0.05", "--force", NULL };
	int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	size_t two = 2, i;
	struct run r;
	struct rf rf;

	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		unlink(sb->out);
		start_swrec(&r, args, NULL);
		wait_for(&rf, &r, sb->out, has_samples, &two, "2 samples");
		rf_free(&rf);
		kill(r.pid, sigs[i]);
		assert_int_equal(wait_swrec(&r), 0);
		load(&rf, sb->out);
		assert_true(rf.has_end);
		assert_true(rf.has_index);
		assert_int_equal(rf.end.reason, SWT_END_SIGNAL);
		rf_free(&rf);
	}
}

struct window_arg {
	int32_t pid;
	int64_t from;	/* CLOCK_MONOTONIC ns */
};

/* The first sample at or after a->from with a row of a->pid, or n. */
static size_t first_row_after(const struct rf *rf, const struct window_arg *a)
{
	size_t i;

	for (i = 0; i < rf->n_samples; i++)
		if (rf->samples[i].t >= a->from && rf_row(rf, i, a->pid))
			return i;
	return rf->n_samples;
}

/* A row of the pid at or after `from`, and a second sample with a row at
 * least 1 s later that is followed by another sample (which bounds when
 * that row was read). */
static bool has_1s_window(const struct rf *rf, const void *arg)
{
	const struct window_arg *a = arg;
	size_t i1 = first_row_after(rf, a);

	return i1 + 2 < rf->n_samples &&
	       rf->samples[rf->n_samples - 2].t >=
		       rf->samples[i1].t + 1000000000 &&
	       rf_row(rf, rf->n_samples - 2, a->pid);
}

static void busy_process_reads_its_cpu(void **state)
{
	struct swt_sandbox *sb = *state;
	const char *args[] = { "-o", sb->out, "-i", "0.1", "--flush", "0.1",
			       "--no-threads", "--", workload_path, "busy",
			       NULL };
	int64_t ta, tb, ticks_a, ticks_b, rss, file_d, proc_d, outside;
	const struct swt_proc_row *r1, *r2;
	double file_rate, proc_rate;
	struct window_arg wa;
	struct run r;
	struct rf rf;
	size_t i1, i2;
	int32_t pid;

	start_swrec(&r, args, NULL);
	wait_for(&rf, &r, sb->out, has_comm, "rec_workload", "the workload");
	pid = rf_start_by_comm(&rf, "rec_workload")->pid;
	rf_free(&rf);
	ta = mono_ns();
	proc_stat(pid, &ticks_a, &rss);
	wa.pid = pid;
	wa.from = ta;
	wait_for(&rf, &r, sb->out, has_1s_window, &wa, "1 s of samples");
	tb = mono_ns();
	proc_stat(pid, &ticks_b, &rss);
	/* Row i was read between sample i's time and sample i+1's (ticks
	 * run one after the other): r1 after ta, r2 before tb. */
	i1 = first_row_after(&rf, &wa);
	i2 = rf.n_samples - 2;
	r1 = rf_row(&rf, i1, pid);
	r2 = rf_row(&rf, i2, pid);
	file_d = r2->utime + r2->stime - r1->utime - r1->stime;
	proc_d = ticks_b - ticks_a;
	file_rate = (double)file_d / rf.clock_ticks /
		    ((double)(rf.samples[i2].t - rf.samples[i1].t) / 1e9);
	proc_rate = (double)proc_d / rf.clock_ticks / ((double)(tb - ta) / 1e9);
	print_message("# busy: file %.2f cores, /proc %.2f cores\n",
		      file_rate, proc_rate);
	/* The same counter, read by swrec inside the test's window: never
	 * ahead of it, and behind by no more than the CPU one thread can
	 * use in the parts of the window outside swrec's readings (utime
	 * and stime are each rounded down: 2 ticks per reading). On an idle
	 * machine both read about 1.0 core; on a loaded one whatever share
	 * the spinning process got, which no tolerance has to guess. */
	assert_true(ticks_a <= r1->utime + r1->stime + 2);
	assert_true(r2->utime + r2->stime <= ticks_b + 2);
	outside = (rf.samples[i1 + 1].t - ta) + (tb - rf.samples[i2].t);
	assert_true(file_d <= proc_d + 4);
	assert_true(proc_d - file_d <=
		    outside * rf.clock_ticks / 1000000000 + 4);
	/* One thread spinning: under a core, and it did run. */
	assert_true(file_d <= (rf.samples[i2 + 1].t - rf.samples[i1].t) *
					      rf.clock_ticks / 1000000000 +
				      4);
	assert_true(file_rate > 0.05);
	rf_free(&rf);
	kill(pid, SIGKILL);
	assert_int_equal(wait_swrec(&r), 128 + SIGKILL);
}

static void allocation_shows_in_rss(void **state)
{
	struct swt_sandbox *sb = *state;
	const char *args[] = { "-o", sb->out, "-i", "0.1", "--flush", "0.1",
			       "--", workload_path, "alloc", "200", NULL };
	const struct swt_proc_row *row = NULL;
	int64_t ticks, rss_pages, t_ready, proc_kib;
	char line[64];
	struct run r;
	struct rf rf;
	int32_t pid;
	size_t i;

	start_swrec(&r, args, NULL);
	read_line(&r, line, sizeof(line));
	assert_string_equal(line, "ready");
	t_ready = mono_ns();
	wait_for(&rf, &r, sb->out, has_comm, "rec_workload", "the workload");
	pid = rf_start_by_comm(&rf, "rec_workload")->pid;
	rf_free(&rf);
	proc_stat(pid, &ticks, &rss_pages);
	proc_kib = rss_pages * (sysconf(_SC_PAGESIZE) / 1024);
	wait_for(&rf, &r, sb->out, last_t_after, &t_ready, "a sample");
	for (i = 0; i < rf.n_samples; i++)
		if (rf.samples[i].t >= t_ready && rf_row(&rf, i, pid))
			row = rf_row(&rf, i, pid);
	assert_non_null(row);
	print_message("# rss: file %lld KiB, /proc %lld KiB\n",
		      (long long)row->rss_kib, (long long)proc_kib);
	assert_true(row->rss_kib >= 200 * 1024 * 95 / 100);
	assert_true(row->rss_kib * 100 >= proc_kib * 95 &&
		    row->rss_kib * 100 <= proc_kib * 105);
	assert_true(row->vsz_kib >= row->rss_kib);
	assert_true(row->minflt >= 200 * 256 * 9 / 10);	/* 4 KiB pages */
	rf_free(&rf);
	kill(pid, SIGKILL);
	assert_int_equal(wait_swrec(&r), 128 + SIGKILL);
}

static void threads_are_sampled_with_names(void **state)
{
	struct swt_sandbox *sb = *state;
	const char *args[] = { "-o", sb->out, "-i", "0.05", "--flush", "0.05",
			       "--", workload_path, "threads", "3", NULL };
	int64_t t_ready;
	char line[64];
	struct run r;
	struct rf rf;
	int32_t pid;
	size_t i, k, found = 0;
	bool main_seen = false;

	start_swrec(&r, args, NULL);
	read_line(&r, line, sizeof(line));
	t_ready = mono_ns();
	wait_for(&rf, &r, sb->out, last_t_after, &t_ready, "a sample");
	pid = rf_start_by_comm(&rf, "rec_workload")->pid;
	i = rf.n_samples - 1;
	for (k = 0; k < rf.samples[i].n_trows; k++) {
		const struct rf_trow *t = &rf.trows[rf.samples[i].trow0 + k];

		if (t->tgid != pid)
			continue;
		if (t->tid == pid && !strcmp(t->name, "rec_workload"))
			main_seen = true;
		else if (!strncmp(t->name, "worker-", 7))
			found++;
	}
	assert_true(main_seen);
	assert_int_equal(found, 3);
	assert_int_equal(rf_row(&rf, i, pid)->nthreads, 4);
	rf_free(&rf);
	kill(pid, SIGKILL);
	assert_int_equal(wait_swrec(&r), 128 + SIGKILL);
}

/* The thread rows of pid in sample i, sorted by tid, into rows (at most
 * cap). Returns their number. */
static size_t trows_of(const struct rf *rf, size_t i, int32_t pid,
		       const struct rf_trow **rows, size_t cap)
{
	const struct rf_sample *s = &rf->samples[i];
	size_t k, n = 0;

	for (k = 0; k < s->n_trows; k++)
		if (rf->trows[s->trow0 + k].tgid == pid && n < cap)
			rows[n++] = &rf->trows[s->trow0 + k];
	return n;
}

/* Two thread rows of pid, the main thread's (tid == pid) first. The rows
 * are in tid order, and a thread started later may have the smaller tid:
 * the pid counter wraps at pid_max (bench/rec/pidwrap.sh). */
static void main_thread_first(const struct rf_trow **rows, int32_t pid)
{
	if (rows[0]->tid != pid) {
		const struct rf_trow *t = rows[0];

		rows[0] = rows[1];
		rows[1] = t;
	}
}

/* The next pid or tid handed out: the first free one from 300 (as right
 * after a wrap at pid_max), if /proc/sys/kernel/ns_last_pid is writable
 * (root); else nothing changes. */
static void place_pid_counter_low(void)
{
	FILE *f = fopen("/proc/sys/kernel/ns_last_pid", "w");

	if (!f)
		return;
	fprintf(f, "299");
	fclose(f);
}

/* Every thread of pid is blocked (state S). */
static bool all_threads_blocked(int32_t pid)
{
	char path[64], buf[512], *p;
	struct dirent *de;
	bool idle = true;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	assert_non_null(d);
	while ((de = readdir(d))) {
		int tid = atoi(de->d_name);
		char sp[128];
		ssize_t n;
		int fd;

		if (tid <= 0)
			continue;
		snprintf(sp, sizeof(sp), "%s/%d/stat", path, tid);
		fd = open(sp, O_RDONLY);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[n > 0 ? n : 0] = '\0';
		p = strrchr(buf, ')');
		if (!p || p[2] != 'S')
			idle = false;
	}
	closedir(d);
	return idle;
}

/* utime + stime of thread tid of pid, from /proc. */
static int64_t thread_ticks(int32_t pid, int32_t tid)
{
	char buf[1024];
	const char *p = stat_fields(pid, tid, buf, sizeof(buf));
	long long ut, st;

	assert_non_null(p);
	assert_int_equal(sscanf(p,
				"%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
				"%lld %lld",
				&ut, &st),
			 2);
	return ut + st;
}

static void thread_rows_start_with_a_second_thread(void **state)
{
	struct swt_sandbox *sb = *state;
	char go[600];
	const char *args[] = { "-o", sb->out, "-i", "0.05", "--flush", "0.05",
			       "--", workload_path, "late-thread", go, NULL };
	const struct rf_trow *rows[4];
	struct rows_arg ra;
	int64_t t_idle;
	size_t i, first = 0;
	char line[64];
	struct run r;
	struct rf rf;
	int32_t pid, tid = 0;

	swt_test_path(go, sizeof(go), sb->dir, "go");
	start_swrec(&r, args, NULL);
	wait_for(&rf, &r, sb->out, has_comm, "rec_workload", "the workload");
	ra.pid = pid = rf_start_by_comm(&rf, "rec_workload")->pid;
	ra.n = 3;
	rf_free(&rf);
	/* One thread: process rows, no thread row. */
	wait_for(&rf, &r, sb->out, has_rows, &ra, "3 rows");
	assert_true(rf.threads);
	for (i = 0; i < rf.n_samples; i++)
		assert_int_equal(trows_of(&rf, i, pid, rows, 4), 0);
	rf_free(&rf);

	/* A second thread: rows for both from the next sample on. As root,
	 * the pid counter is placed low first, so that its tid is smaller
	 * than the process's, as after a wrap. */
	place_pid_counter_low();
	touch(sb->dir, "go");
	read_line(&r, line, sizeof(line));
	assert_string_equal(line, "ready");
	while (!all_threads_blocked(pid))
		nap();
	t_idle = mono_ns();
	wait_for(&rf, &r, sb->out, last_t_after, &t_idle, "a later sample");
	for (i = 0; i < rf.n_samples; i++) {
		size_t n = trows_of(&rf, i, pid, rows, 4);

		if (!first && !n)
			continue;
		if (!first)
			first = i;
		assert_int_equal(n, 2);
		assert_int_equal(rf_row(&rf, i, pid)->nthreads, 2);
		main_thread_first(rows, pid);
		assert_int_equal(rows[0]->tid, pid);
		assert_string_equal(rows[0]->name, "rec_workload");
		assert_string_equal(rows[1]->name, "late-worker");
		tid = rows[1]->tid;
		/* cumulative: the 30 ms spun when it had no thread rows */
		assert_true(rows[0]->utime + rows[0]->stime >= 2);
	}
	assert_true(first > 0);
	/* Both idle now: the last sample holds what /proc says. */
	i = rf.n_samples - 1;
	assert_int_equal(trows_of(&rf, i, pid, rows, 4), 2);
	main_thread_first(rows, pid);
	assert_int_equal(rows[0]->utime + rows[0]->stime,
			 thread_ticks(pid, pid));
	assert_int_equal(rows[1]->utime + rows[1]->stime,
			 thread_ticks(pid, tid));
	rf_free(&rf);
	kill(pid, SIGKILL);
	assert_int_equal(wait_swrec(&r), 128 + SIGKILL);
}

static void kill9_leaves_file_readable_and_command_running(void **state)
{
	struct swt_sandbox *sb = *state;
	const char *args[] = { "-o", sb->out, "-i", "0.05", "--flush", "0.1",
			       "--", workload_path, "sleep", NULL };
	size_t five = 5, n0;
	struct run r;
	struct rf rf;
	int32_t pid;
	int st;

	/* The orphaned command comes to us when swrec dies. */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	start_swrec(&r, args, NULL);
	wait_for(&rf, &r, sb->out, has_samples, &five, "5 samples");
	n0 = rf.n_samples;
	pid = rf_start_by_comm(&rf, "rec_workload")->pid;
	rf_free(&rf);
	kill(r.pid, SIGKILL);
	assert_int_equal(wait_swrec(&r), 128 + SIGKILL);
	load(&rf, sb->out);
	assert_false(rf.has_end);
	assert_true(rf.n_samples >= n0);
	assert_true(rf_rows_of(&rf, pid) >= n0 - 1);
	rf_free(&rf);
	/* The command was not harmed. */
	assert_int_equal(kill(pid, 0), 0);
	assert_int_not_equal(proc_state(pid), 0);
	assert_int_not_equal(proc_state(pid), 'Z');
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
}

static void output_path_errors(void **state)
{
	struct swt_sandbox *sb = *state;
	char marker[600], script[700], link[600], target[600], nodir[600];
	const char *exist[] = { "-o", sb->out, "--", "sh", "-c", script, NULL };
	const char *forced[] = { "-q", "-o", sb->out, "--force", "--", "true",
				 NULL };
	const char *via_link[] = { "-o", link, "--force", "--", "sh", "-c",
				   script, NULL };
	const char *via_link2[] = { "-o", link, "--", "sh", "-c", script,
				    NULL };
	const char *no_dir[] = { "-o", nodir, "--", "sh", "-c", script,
				 NULL };
	const char *a_dir[] = { "-o", sb->dir, "--force", "--", "sh", "-c",
				script, NULL };
	unsigned char *data;
	struct run r;
	struct rf rf;
	size_t len;

	swt_test_path(marker, sizeof(marker), sb->dir, "ran");
	snprintf(script, sizeof(script), "touch %s", marker);
	swt_test_path(link, sizeof(link), sb->dir, "link.swt");
	swt_test_path(target, sizeof(target), sb->dir, "target");
	swt_test_path(nodir, sizeof(nodir), sb->dir, "missing/out.swt");

	/* An existing file is kept, and the command does not run. */
	swt_test_write_file(sb->out, "keep", 4);
	assert_int_equal(run_swrec(&r, exist), 4);
	assert_contains(r.err, sb->out);
	assert_contains(r.err, "--force");
	data = swt_test_read_file(sb->out, &len);
	assert_int_equal(len, 4);
	assert_memory_equal(data, "keep", 4);
	free(data);
	assert_false(exists(marker));

	/* --force replaces a regular file. */
	assert_int_equal(run_swrec(&r, forced), 0);
	load(&rf, sb->out);
	assert_true(rf.has_end);
	rf_free(&rf);

	/* A symlink is never followed, dangling or not, forced or not. */
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(run_swrec(&r, via_link), 4);
	assert_false(exists(target));
	assert_int_equal(run_swrec(&r, via_link2), 4);
	assert_false(exists(target));
	swt_test_write_file(target, "precious", 8);
	assert_int_equal(run_swrec(&r, via_link), 4);
	data = swt_test_read_file(target, &len);
	assert_int_equal(len, 8);
	free(data);
	assert_false(exists(marker));

	/* Missing directory, a directory. */
	assert_int_equal(run_swrec(&r, no_dir), 4);
	assert_contains(r.err, nodir);
	assert_int_equal(run_swrec(&r, a_dir), 4);
	assert_false(exists(marker));
}

static void bad_options_are_refused(void **state)
{
	struct swt_sandbox *sb = *state;
	static const struct {
		const char *args[6];
		const char *msg;
	} cases[] = {
		{ { "-i", "0", "-a" }, "-i/--interval" },
		{ { "-i", "5ms", "-a" }, "-i/--interval" },
		{ { "-i", "2h", "-a" }, "-i/--interval" },
		{ { "-i", "abc", "-a" }, "-i/--interval" },
		{ { "-i", "1.5.2", "-a" }, "-i/--interval" },
		{ { "-i", "", "-a" }, "-i/--interval" },
		{ { "-i", "-1", "-a" }, "-i/--interval" },
		{ { "--interval=10", "-a" }, NULL },	/* valid: skipped */
		{ { "-i", "1s5", "-a" }, "-i/--interval" },
		{ { "--flush", "0", "-a" }, "--flush" },
		{ { "--flush", "2h", "-a" }, "--flush" },
		{ { "--duration", "x", "-a" }, "--duration" },
		{ { "--duration", "0", "-a" }, "--duration" },
		{ { "--level", "0", "-a" }, "--level" },
		{ { "--level", "x", "-a" }, "--level" },
		{ { "-p", "abc" }, "-p/--pid" },
		{ { "-p", "0" }, "-p/--pid" },
		{ { "-p", "" }, "-p/--pid" },
		{ { "-p", "1,,x" }, "-p/--pid" },
		{ { "-p", "1," }, "-p/--pid: empty process id" },
		{ { "-p", ",1" }, "-p/--pid: empty process id" },
		{ { "-p", "1,,2" }, "-p/--pid: empty process id" },
		{ { "-p", "," }, "-p/--pid: empty process id" },
		{ { "-p", "1", "-p", "2," }, "-p/--pid: empty process id" },
		{ { "-p", "+1" }, "-p/--pid" },
		{ { "-p", "1 " }, "-p/--pid" },
		{ { "-p", "2147483648" }, "-p/--pid" },
		{ { "-p", "99999999999999999999999999999999" }, "-p/--pid" },
		{ { "--level", "-1", "-a" }, "--level" },
		{ { "--level", "1x", "-a" }, "--level" },
		{ { "--level", "99999999999999999999", "-a" }, "--level" },
		{ { "--duration", "-1s", "-a" }, "--duration" },
		{ { "--duration", "99999999999h", "-a" }, "--duration" },
		{ { "-o", "", "-a" }, "-o/--output" },
		{ { "-a", "-p", "1" }, "exactly one" },
		{ { "-a", "--", "true" }, "exactly one" },
		{ { "-q" }, "exactly one" },
		{ { "--bogus", "-a" }, "unknown option" },
		{ { "-a", "-i" }, "needs a value" },
		{ { "--force=1", "-a" }, "option takes no value: --force" },
		{ { "-x", "-a" }, "unknown option -x" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *args[12];
		struct run r;
		size_t n = 0, k;

		if (!cases[i].msg)
			continue;
		args[n++] = "-o";
		args[n++] = sb->out;
		for (k = 0; cases[i].args[k]; k++)
			args[n++] = cases[i].args[k];
		args[n] = NULL;
		if (run_swrec(&r, args) != 2) {
			print_error("case %zu (%s): status %d\n", i,
				    cases[i].args[0], r.status);
			fail();
		}
		assert_contains(r.err, cases[i].msg);
		assert_false(exists(sb->out));
	}
}

static void good_durations_are_accepted(void **state)
{
	struct swt_sandbox *sb = *state;
	static const char *const ok[] = { "0.1", "100ms", "2s", "1m", "10ms",
					  "1h", "0.01" };
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		const char *args[] = { "-q", "-a", "--no-threads", "--force",
				       "-o", sb->out, "-i", ok[i],
				       "--duration", "1ms", NULL };
		struct run r;

		if (run_swrec(&r, args) != 0) {
			print_error("-i %s: status %d: %s\n", ok[i], r.status,
				    r.err);
			fail();
		}
	}
}

static void help_and_version(void **state)
{
	const char *help[] = { "--help", NULL };
	const char *version[] = { "--version", NULL };
	char out[4096];
	struct run r;
	ssize_t n;

	(void)state;
	start_swrec(&r, help, NULL);
	n = read(r.out_fd, out, sizeof(out) - 1);
	assert_true(n > 0);
	out[n] = '\0';
	assert_int_equal(wait_swrec(&r), 0);
	assert_contains(out, "Usage: swrec");
	assert_contains(out, "--interval");
	start_swrec(&r, version, NULL);
	n = read(r.out_fd, out, sizeof(out) - 1);
	assert_true(n > 0);
	out[n] = '\0';
	assert_int_equal(wait_swrec(&r), 0);
	assert_contains(out, "swrec ");
}

static void command_that_cannot_run(void **state)
{
	struct swt_sandbox *sb = *state;
	char noexec[600];
	const char *missing[] = { "-o", sb->out, "--", "/nonexistent/cmd",
				  NULL };
	const char *denied[] = { "-o", sb->out, "--", noexec, NULL };
	struct run r;

	assert_int_equal(run_swrec(&r, missing), 127);
	assert_contains(r.err, "cannot run '/nonexistent/cmd'");
	assert_false(exists(sb->out));
	swt_test_path(noexec, sizeof(noexec), sb->dir, "noexec");
	swt_test_write_file(noexec, "#!/bin/sh\n", 10);
	chmod(noexec, 0644);
	assert_int_equal(run_swrec(&r, denied), 126);
	assert_false(exists(sb->out));
}

static void pid_reuse_does_not_merge_processes(void **state)
{
	struct swt_sandbox *sb = *state;
	char apath[600], bpath[600];
	const char *args[] = { "-o", sb->out, "-i", "0.05", "--flush", "0.05",
			       "--no-threads", "--", workload_path, "reuse",
			       sb->dir, NULL };
	const struct rf_start *first, *second;
	const struct rf_exit *e;
	struct rows_arg ra;
	unsigned char *data;
	struct run r;
	struct rf rf;
	size_t len, i;
	int32_t a;

	if (geteuid() != 0) {
		skip();
		return;
	}
	swt_test_path(apath, sizeof(apath), sb->dir, "a");
	swt_test_path(bpath, sizeof(bpath), sb->dir, "b");
	start_swrec(&r, args, NULL);
	while (!exists(apath) && !check_done(&r))
		nap();
	data = swt_test_read_file(apath, &len);
	a = (int32_t)atoi((char *)data);
	free(data);
	ra.pid = a;
	ra.n = 2;
	wait_for(&rf, &r, sb->out, has_rows, &ra, "rows of A");
	rf_free(&rf);
	touch(sb->dir, "go");
	while (!exists(bpath) && !check_done(&r))
		nap();
	if (!exists(bpath)) {
		/* ns_last_pid not writable here (status 77). */
		wait_swrec(&r);
		skip();
		return;
	}
	/* Wait until B, with the same pid, has rows of its own. */
	for (;;) {
		wait_for(&rf, &r, sb->out, has_rows, &ra, "rows of B");
		first = rf_start_of(&rf, a);
		second = rf_last_start_of(&rf, a);
		if (first->start_ticks != second->start_ticks &&
		    rf_rows_of(&rf, a) > 0) {
			size_t after = 0;

			for (i = 0; i < rf.n_samples; i++)
				if (rf.samples[i].seq > second->seq &&
				    rf_row(&rf, i, a))
					after++;
			if (after >= 2)
				break;
		}
		ra.n = rf_rows_of(&rf, a) + 1;
		rf_free(&rf);
	}
	e = rf_exit_of(&rf, a);
	assert_non_null(e);
	/* A's exit (with its own start time) separates the two lives. */
	assert_int_equal(e->start_ticks, first->start_ticks);
	assert_true(first->seq < e->seq && e->seq < second->seq);
	assert_false(second->preexisting);
	rf_free(&rf);
	touch(sb->dir, "done");
	assert_int_equal(wait_swrec(&r), 0);
	load(&rf, sb->out);
	/* Two exits, one per life. */
	len = 0;
	for (i = 0; i < rf.n_exits; i++)
		if (rf.exits[i].pid == a)
			len++;
	assert_int_equal(len, 2);
	rf_free(&rf);
}

/* Wait until process pid ignores signal sig (SigIgn of its status): its
 * comm is there from the exec on, its handlers only once its main ran
 * (later under AddressSanitizer, whose start-up comes first). */
static void wait_ignored(int32_t pid, int sig)
{
	int64_t deadline = mono_ns() + (int64_t)WAIT_S * 1000000000;
	char path[64], buf[4096];

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	for (;;) {
		FILE *f = fopen(path, "r");
		unsigned long long mask = 0;

		assert_non_null(f);
		while (fgets(buf, sizeof(buf), f))
			if (sscanf(buf, "SigIgn: %llx", &mask) == 1)
				break;
		fclose(f);
		if (mask & (1ULL << (sig - 1)))
			return;
		assert_true(mono_ns() < deadline);
		nap();
	}
}

static void ctrl_c_reaches_command_and_swrec_waits(void **state)
{
	struct swt_sandbox *sb = *state;
	const char *ignoring[] = { "-o", sb->out, "-i", "0.05", "--flush",
				   "0.05", "--", workload_path, "ignore-int",
				   NULL };
	char out2[600];
	const char *dying[] = { "-o", out2, "-i", "0.05", "--flush", "0.05",
				"--", workload_path, "sleep", NULL };
	size_t want;
	struct run r;
	struct rf rf;
	int32_t pid;
	int st;

	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	/* A command that dies of Ctrl-C: swrec exits with its status. */
	swt_test_path(out2, sizeof(out2), sb->dir, "dying.swt");
	start_swrec(&r, dying, NULL);
	wait_for(&rf, &r, out2, has_comm, "rec_workload", "the workload");
	rf_free(&rf);
	kill(-r.pid, SIGINT);
	assert_int_equal(wait_swrec(&r), 128 + SIGINT);
	load(&rf, out2);
	assert_true(rf.has_end);
	assert_int_equal(rf.end.reason, SWT_END_EXITED);
	assert_int_equal(rf.end.signal, SIGINT);
	rf_free(&rf);

	/* A command that ignores it: swrec keeps recording... */
	start_swrec(&r, ignoring, NULL);
	wait_for(&rf, &r, sb->out, has_comm, "rec_workload", "the workload");
	pid = rf_start_by_comm(&rf, "rec_workload")->pid;
	wait_ignored(pid, SIGINT);
	want = rf.n_samples + 3;
	rf_free(&rf);
	kill(-r.pid, SIGINT);
	wait_for(&rf, &r, sb->out, has_samples, &want, "samples after ^C");
	rf_free(&rf);
	/* ...until a second one, which stops swrec but not the command. */
	kill(r.pid, SIGINT);
	assert_int_equal(wait_swrec(&r), 128 + SIGINT);
	load(&rf, sb->out);
	assert_true(rf.has_end);
	assert_int_equal(rf.end.reason, SWT_END_SIGNAL);
	rf_free(&rf);
	assert_int_equal(kill(pid, 0), 0);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
}

/* A recorder starved of CPU (here: stopped for 10 intervals) skips the
 * deadlines it missed; the end record and the summary count them, and the
 * count is what the samples' scheduled times show. */
static void starved_recorder_counts_missed_deadlines(void **state)
{
	struct swt_sandbox *sb = *state;
	const char *args[] = { "-o", sb->out, "-i", "0.02", "--flush", "0.02",
			       "--", workload_path, "sleep", NULL };
	const int64_t iv = 20000000;
	size_t three = 3, i;
	uint64_t gaps = 0;
	int64_t t_stop, t_cont;
	struct run r;
	struct rf rf;

	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	start_swrec(&r, args, NULL);
	wait_for(&rf, &r, sb->out, has_samples, &three, "3 samples");
	rf_free(&rf);
	kill(r.pid, SIGSTOP);
	while (proc_state(r.pid) != 'T')
		nap();
	/* Stopped from here on: let 10 intervals pass on the clock. */
	t_stop = mono_ns();
	while (mono_ns() < t_stop + 10 * iv)
		nap();
	t_cont = mono_ns();
	kill(r.pid, SIGCONT);
	/* a sample due after the resumption: it follows the skip */
	wait_for(&rf, &r, sb->out, last_due_after, &t_cont, "a sample after");
	rf_free(&rf);
	kill(-r.pid, SIGINT);
	assert_int_equal(wait_swrec(&r), 128 + SIGINT);
	load(&rf, sb->out);
	assert_true(rf.has_end);
	/* the deadlines inside the stop, but the first (taken late) */
	assert_true(rf.end.missed_samples >= 8);
	/* The gaps show them (those of a skip just before the last look,
	 * which is off the grid, would not show: the count may be more). */
	for (i = 1; i < rf.n_samples; i++) {
		int64_t d = rf.samples[i].scheduled - rf.samples[i - 1].scheduled;

		/* the last look (command gone) is off the grid: not a gap */
		if ((rf.samples[i].scheduled - rf.samples[0].scheduled) % iv)
			continue;
		assert_true(d > 0 && d % iv == 0);
		gaps += (uint64_t)(d / iv - 1);
	}
	assert_true(gaps >= 8 && gaps <= rf.end.missed_samples);
	assert_non_null(strstr(r.err, " thread rows; "));
	assert_non_null(strstr(r.err, " deadlines missed: swrec waited "));
	rf_free(&rf);
	prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
}

/* Run a command under swrec until the recording fails; check the error
 * line, the exit status and that the file is readable. */
static void recording_failure(struct swt_sandbox *sb, const char *out,
			      const struct start_opts *so, const char *what)
{
	char stop[600];
	const char *args[] = { "-o", out, "-i", "0.02", "--flush", "0.02",
			       "--", workload_path, "wait-file", stop, "5",
			       NULL };
	int64_t deadline = mono_ns() + (int64_t)WAIT_S * 1000000000;
	struct run r;
	struct rf rf;
	char *p;
	int lines = 0;

	swt_test_path(stop, sizeof(stop), sb->dir, "stop");
	start_swrec(&r, args, so);
	while (!strstr(r.err, "swrec:")) {
		drain_err(&r, 50);
		if (check_done(&r) || mono_ns() > deadline) {
			print_error("no error line: %s\n", r.err);
			fail();
		}
	}
	drain_err(&r, 200);
	/* The command runs on; its status is swrec's. */
	assert_false(check_done(&r));
	touch(sb->dir, "stop");
	assert_int_equal(wait_swrec(&r), 5);
	for (p = r.err; (p = strstr(p, "swrec:")); p++)
		lines++;
	assert_int_equal(lines, 1);
	assert_contains(r.err, what);
	assert_contains(r.err, "recording stopped");
	load(&rf, out);
	assert_false(rf.has_end);
	assert_true(rf.n_samples >= 1);
	rf_free(&rf);
	unlink(stop);
}

static void file_size_limit_stops_recording_not_command(void **state)
{
	struct swt_sandbox *sb = *state;
	struct start_opts so = { .fsize = 3000 };

	recording_failure(sb, sb->out, &so, "File too large");
}

static void disk_full_stops_recording_not_command(void **state)
{
	struct swt_sandbox *sb = *state;
	char mnt[600], out[700], fill[700];
	char zeros[4096];
	int fd;

	swt_test_path(mnt, sizeof(mnt), sb->dir, "mnt");
	assert_int_equal(mkdir(mnt, 0700), 0);
	if (mount("tmpfs", mnt, "tmpfs", 0, "size=64k") != 0) {
		skip();		/* not root, or no mount permission */
		return;
	}
	/* Leave two pages free (tmpfs counts whole pages). */
	snprintf(fill, sizeof(fill), "%s/fill", mnt);
	fd = open(fill, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	memset(zeros, 0, sizeof(zeros));
	while (write(fd, zeros, sizeof(zeros)) == (ssize_t)sizeof(zeros))
		;
	close(fd);
	fd = open(fill, O_WRONLY);
	assert_int_equal(ftruncate(fd, lseek(fd, 0, SEEK_END) - 8192), 0);
	close(fd);
	snprintf(out, sizeof(out), "%s/out.swt", mnt);
	recording_failure(sb, out, NULL, "No space left");
}

static void churn_of_short_processes(void **state)
{
	struct swt_sandbox *sb = *state;
	const char *args[] = { "-q", "-o", sb->out, "-i", "0.01", "--flush",
			       "0.1", "--", "sh", "-c",
			       "i=0; while [ $i -lt 300 ]; do "
			       "/bin/true & /bin/true; i=$((i+1)); done; wait",
			       NULL };
	struct run r;
	struct rf rf;

	/* Processes appear and vanish between listing and reading. */
	assert_int_equal(run_swrec(&r, args), 0);
	load(&rf, sb->out);
	assert_true(rf.has_end);
	assert_int_equal(rf.end.exit_code, 0);
	assert_true(rf.n_samples >= 1);
	rf_free(&rf);
}

/* Records of kind sparse_sample (Record field 11, format 1.8) in a
 * session file: the zstd CLI decompresses it (the header frame is a
 * skippable one), then the records are walked. */
static size_t sparse_records(const char *path, const char *dir)
{
	char raw[PATH_MAX + 16], cmd[3 * PATH_MAX];
	unsigned char *d;
	size_t len, off = 0, n = 0;

	snprintf(raw, sizeof(raw), "%s/raw", dir);
	snprintf(cmd, sizeof(cmd), "zstd -q -dc '%s' > '%s'", path, raw);
	assert_int_equal(system(cmd), 0);
	d = swt_test_read_file(raw, &len);
	while (off < len) {
		const unsigned char *msg;
		size_t rlen = swt_test_next_record(d, len, &off, &msg);

		n += swt_test_record_kind(msg, rlen) == 11;
	}
	free(d);
	return n;
}

/* A sleeping process changes nothing between samples: by default its row
 * is left out of them (sparse samples, format 1.8) and read back whole;
 * --plain-samples writes every row, a file older readers read whole. */
static void sleepers_rows_are_left_out_unless_plain(void **state)
{
	struct swt_sandbox *sb = *state;
	int plain;

	for (plain = 0; plain < 2; plain++) {
		const char *args[] = { "-q", "-o", sb->out, "-i", "0.05",
				       "--no-threads", "--force",
				       plain ? "--plain-samples" : "--force",
				       "--", "sh", "-c", "exec sleep 0.8",
				       NULL };
		struct run r;
		struct rf rf;
		size_t i, whole = 0, n11;

		assert_int_equal(run_swrec(&r, args), 0);
		load(&rf, sb->out);
		/* the samples read back hold the sleeper's row */
		for (i = 0; i < rf.n_samples; i++)
			whole += rf.samples[i].n_rows == 1;
		assert_true(whole >= 5);
		n11 = sparse_records(sb->out, sb->dir);
		print_message("# %s: %zu samples, %zu sparse\n",
			      plain ? "--plain-samples" : "default",
			      rf.n_samples, n11);
		if (plain)
			assert_int_equal(n11, 0);
		else
			assert_true(n11 >= 3);
		rf_free(&rf);
	}
}

static void io_unreadable_is_unavailable_not_zero(void **state)
{
	struct swt_sandbox *sb = *state;
	char pidarg[32];
	const char *args[] = { "-q", "-o", sb->out, "-i", "0.05",
			       "--duration", "0.3", "--no-threads", "-p",
			       pidarg, NULL };
	struct start_opts so = { .uid = 65534 };
	struct run r;
	struct rf rf;
	size_t i, n = 0;

	if (geteuid() != 0) {
		skip();
		return;
	}
	/* As nobody, the io of a root process (this test) is refused. */
	chmod(sb->dir, 0777);
	snprintf(pidarg, sizeof(pidarg), "%d", (int)getpid());
	start_swrec(&r, args, &so);
	assert_int_equal(wait_swrec(&r), 0);
	load(&rf, sb->out);
	for (i = 0; i < rf.n_samples; i++) {
		const struct swt_proc_row *row = rf_row(&rf, i, getpid());

		if (!row)
			continue;
		n++;
		assert_true(row->flags & SWT_PF_IO_UNAVAILABLE);
		assert_false(row->flags & SWT_PF_IO_NOT_SAMPLED);
	}
	assert_true(n >= 1);
	rf_free(&rf);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, swt_sandbox_setup, \
						sandbox_teardown)
		T(exit_status_is_propagated),
		T(signal_death_is_128_plus_n),
		T(grandchild_through_sh_is_tracked),
		T(orphaned_grandchild_stays_in_the_tree),
		T(attach_follows_descendants_until_all_exit),
		T(attach_refuses_missing_pid_and_thread),
		T(all_mode_records_the_machine),
		T(all_mode_stops_cleanly_on_sigint_and_sigterm),
		T(busy_process_reads_its_cpu),
		T(allocation_shows_in_rss),
		T(threads_are_sampled_with_names),
		T(thread_rows_start_with_a_second_thread),
		T(kill9_leaves_file_readable_and_command_running),
		T(output_path_errors),
		T(bad_options_are_refused),
		T(good_durations_are_accepted),
		T(help_and_version),
		T(command_that_cannot_run),
		T(pid_reuse_does_not_merge_processes),
		T(ctrl_c_reaches_command_and_swrec_waits),
		T(starved_recorder_counts_missed_deadlines),
		T(file_size_limit_stops_recording_not_command),
		T(disk_full_stops_recording_not_command),
		T(churn_of_short_processes),
		T(sleepers_rows_are_left_out_unless_plain),
		T(io_unreadable_is_unavailable_not_zero),
#undef T
	};

	if (argc < 3) {
		fprintf(stderr, "usage: test_swrec SWREC REC_WORKLOAD\n");
		return 2;
	}
	swrec_path = argv[1];
	workload_path = argv[2];
	/* Children killed by the tests are reaped by waitpid, never by a
	 * stray SIGCHLD handler; SIGPIPE would hide a failing read. */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
