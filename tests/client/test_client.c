/* test_client — libswtrace, swtrace.py and the ingest, end to end.
 *
 *   test_client TRACE_APP PYTHON3 TRACE_APP_PY PYTHON_DIR
 *
 * The ingest runs in this process, driven the way swrec's loop drives it
 * (poll its fd, service, drain up to now); the instrumented programs are
 * real child processes (tests/client/trace_app.c and trace_app.py) started
 * with the ingest's environment variable. Nothing is mocked. */
#include "swt_test.h"

#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include "swt_ingest.h"
#include "swt_wire.h"

static const char *app_c;
static const char *python3;
static const char *app_py;
static const char *py_dir;

/* ---- what the ingest emitted ------------------------------------------ */

struct ev {
	int64_t t;
	int32_t pid;
	int32_t tid;
	int kind;
	char name[48];		/* long enough for every name the tests use */
	int64_t value;
};

struct an {
	char kind[64];
	char subject[256];
	char detail[512];
	int32_t pid;
	int32_t tid;
};

struct dr {
	int32_t pid;
	uint64_t dropped;
	uint64_t total;
	char reason[32];
};

struct coll {
	struct ev *ev;
	size_t n_ev;
	size_t cap_ev;
	struct an an[64];
	size_t n_an;
	struct dr dr[64];
	size_t n_dr;
	int64_t last_t;
	bool disorder;		/* a record older than the one before */
	bool batch_disorder;	/* events of a batch out of time order */
	bool over_until;	/* a record newer than the drain's until */
	int64_t until;
};

static int collect(const struct swt_record *r, void *payload)
{
	struct coll *c = payload;
	size_t i;

	if (r->t_ns < c->last_t)
		c->disorder = true;
	if (r->t_ns > c->until)
		c->over_until = true;
	c->last_t = r->t_ns;
	switch (r->kind) {
	case SWT_REC_EVENTS:
		if (r->u.events.n && r->u.events.events[0].t_ns != r->t_ns)
			c->disorder = true;
		for (i = 0; i < r->u.events.n; i++) {
			const struct swt_event *e = &r->u.events.events[i];
			struct ev *o;

			if (i && e->t_ns < r->u.events.events[i - 1].t_ns)
				c->batch_disorder = true;
			if (c->n_ev == c->cap_ev) {
				c->cap_ev = c->cap_ev ? 2 * c->cap_ev : 1024;
				c->ev = realloc(c->ev,
						c->cap_ev * sizeof(*c->ev));
				assert_non_null(c->ev);
			}
			o = &c->ev[c->n_ev++];
			o->t = e->t_ns;
			o->pid = r->u.events.pid;
			o->tid = e->tid;
			o->kind = (int)e->kind;
			snprintf(o->name, sizeof(o->name), "%s", e->name);
			o->value = e->value;
		}
		break;
	case SWT_REC_ANOMALY:
		if (c->n_an < 64) {
			struct an *a = &c->an[c->n_an++];

			snprintf(a->kind, sizeof(a->kind), "%s",
				 r->u.anomaly.kind);
			snprintf(a->subject, sizeof(a->subject), "%s",
				 r->u.anomaly.subject);
			snprintf(a->detail, sizeof(a->detail), "%.*s",
				 (int)r->u.anomaly.detail_len,
				 r->u.anomaly.detail);
			a->pid = r->u.anomaly.pid;
			a->tid = r->u.anomaly.tid;
		}
		break;
	case SWT_REC_DROPS:
		if (c->n_dr < 64) {
			struct dr *d = &c->dr[c->n_dr++];

			d->pid = r->u.drops.pid;
			d->dropped = r->u.drops.dropped;
			d->total = r->u.drops.total_dropped;
			snprintf(d->reason, sizeof(d->reason), "%s",
				 r->u.drops.reason);
		}
		break;
	default:
		fail_msg("unexpected record kind %d", (int)r->kind);
	}
	return 0;
}

static void coll_free(struct coll *c)
{
	free(c->ev);
	memset(c, 0, sizeof(*c));
}

/* Events matching pid (0: any), tid (0: any), kind (0: any), name (NULL:
 * any); their values are summed into *sum when not NULL. */
static size_t count_ev(const struct coll *c, int32_t pid, int32_t tid,
		       int kind, const char *name, int64_t *sum)
{
	size_t i, n = 0;

	if (sum)
		*sum = 0;
	for (i = 0; i < c->n_ev; i++) {
		const struct ev *e = &c->ev[i];

		if ((pid && e->pid != pid) || (tid && e->tid != tid) ||
		    (kind && e->kind != kind) ||
		    (name && strcmp(e->name, name)))
			continue;
		n++;
		if (sum)
			*sum += e->value;
	}
	return n;
}

static size_t count_an(const struct coll *c, const char *kind,
		       const char *subject)
{
	size_t i, n = 0;

	for (i = 0; i < c->n_an; i++)
		if (!strcmp(c->an[i].kind, kind) &&
		    (!subject || !strcmp(c->an[i].subject, subject)))
			n++;
	return n;
}

/* (A function of its own: GCC 12 warns about strstr on a struct member
 * reached through a pointer it cannot prove non-NULL.) */
static __attribute__((noinline)) bool contains(const char *hay,
					       const char *needle)
{
	return strstr(hay, needle) != NULL;
}

static const struct an *find_an(const struct coll *c, const char *kind)
{
	size_t i;

	for (i = 0; i < c->n_an; i++)
		if (!strcmp(c->an[i].kind, kind))
			return &c->an[i];
	return NULL;
}

/* ---- the instrumented child ---------------------------------------------- */

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct child {
	pid_t pid;
	int out;		/* its stdout */
	char text[8192];
	size_t len;
	int status;
	bool exited;
};

/* argv[0] is the program; env entries ("K=V") are added, and
 * SWT_TRACE_SOCKET is removed unless one of them sets it. */
static void spawn(struct child *ch, const char *const *argv,
		  const char *const *env)
{
	int p[2];

	memset(ch, 0, sizeof(*ch));
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	ch->pid = fork();
	assert_true(ch->pid >= 0);
	if (ch->pid == 0) {
		dup2(p[1], 1);
		unsetenv(SWT_WIRE_ENV);
		for (; env && *env; env++)
			putenv((char *)(uintptr_t)*env);
		execv(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	close(p[1]);
	ch->out = p[0];
	fcntl(ch->out, F_SETFL, O_NONBLOCK);
}

static void child_read(struct child *ch)
{
	ssize_t n;

	while (ch->out >= 0 && ch->len < sizeof(ch->text) - 1) {
		n = read(ch->out, ch->text + ch->len,
			 sizeof(ch->text) - 1 - ch->len);
		if (n <= 0) {
			if (n == 0) {
				close(ch->out);
				ch->out = -1;
			}
			break;
		}
		ch->len += (size_t)n;
	}
	ch->text[ch->len] = '\0';
}

/* The value after "key " on the child's output (the first such line). */
static long long child_val(const struct child *ch, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "%s ", key);
	for (p = ch->text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p)
		if (!strncmp(p, pat, strlen(pat)))
			return strtoll(p + strlen(pat), NULL, 10);
	fail_msg("no \"%s\" in the output of the child:\n%s", key, ch->text);
	return -1;
}

static int32_t child_tid(const struct child *ch, const char *role)
{
	char key[64];

	snprintf(key, sizeof(key), "tid %s", role);
	return (int32_t)child_val(ch, key);
}

/* Drive the ingest as swrec's loop would until the child exited and every
 * client it made is gone and drained (or timeout_ms passed). */
static void run(struct swt_ingest *ing, struct child *ch, struct coll *c,
		int timeout_ms)
{
	int64_t deadline = mono_ns() + (int64_t)timeout_ms * 1000000;
	int64_t exit_t = 0;

	while (mono_ns() < deadline) {
		struct pollfd pfd = { swt_ingest_get_fd(ing), POLLIN, 0 };
		struct swt_ingest_stats st;

		poll(&pfd, 1, 5);
		assert_ok(swt_ingest_service(ing));
		c->until = mono_ns();
		assert_ok(swt_ingest_drain(ing, c->until, collect, c));
		child_read(ch);
		if (!ch->exited && waitpid(ch->pid, &ch->status, WNOHANG) ==
					   ch->pid) {
			ch->exited = true;
			exit_t = mono_ns();
		}
		swt_ingest_get_stats(ing, &st);
		if (ch->exited && !st.clients && !st.pending &&
		    mono_ns() - exit_t > 100000000)
			break;
	}
	child_read(ch);
	if (!ch->exited) {
		kill(ch->pid, SIGKILL);
		waitpid(ch->pid, &ch->status, 0);
		fail_msg("child did not finish in %d ms", timeout_ms);
	}
	if (ch->out >= 0)
		close(ch->out);
}

static void assert_exit0(const struct child *ch)
{
	if (!WIFEXITED(ch->status) || WEXITSTATUS(ch->status) != 0)
		fail_msg("child status %#x (signal %d), output:\n%s",
			 ch->status,
			 WIFSIGNALED(ch->status) ? WTERMSIG(ch->status) : 0,
			 ch->text);
}

static void assert_in_order(const struct coll *c)
{
	assert_false(c->disorder);
	assert_false(c->batch_disorder);
	assert_false(c->over_until);
}

static struct swt_ingest *open_ingest(const struct swt_ingest_opts *o)
{
	struct swt_ingest *ing = NULL;
	char err[256];

	if (swt_ingest_open(&ing, o, err, sizeof(err)) != 0)
		fail_msg("swt_ingest_open: %s", err);
	return ing;
}

static void run_app(struct swt_ingest *ing, struct child *ch,
		    struct coll *c, const char *const *argv,
		    const char *extra_env)
{
	const char *env[3] = { swt_ingest_get_env(ing), extra_env, NULL };

	spawn(ch, argv, env);
	run(ing, ch, c, 30000);
}

/* ---- C client ---------------------------------------------------------- */

/* Each worker's stream, in order: begin vision_system, count ocr_call i+1,
 * end vision_system, mark frame. */
static void check_worker(const struct coll *c, int32_t pid, int32_t tid,
			 long n)
{
	static const char *const names[4] = { "vision_system", "ocr_call",
					      "vision_system", "frame" };
	static const int kinds[4] = { SWT_EV_BEGIN, SWT_EV_COUNT, SWT_EV_END,
				      SWT_EV_MARK };
	size_t i, k = 0;
	int64_t last = INT64_MIN;

	for (i = 0; i < c->n_ev; i++) {
		const struct ev *e = &c->ev[i];

		if (e->tid != tid)
			continue;
		assert_int_equal(e->pid, pid);
		assert_string_equal(e->name, names[k % 4]);
		assert_int_equal(e->kind, kinds[k % 4]);
		assert_int_equal(e->value,
				 k % 4 == 1 ? (int64_t)(k / 4 + 1) : 0);
		assert_true(e->t >= last);
		last = e->t;
		k++;
	}
	assert_int_equal(k, 4 * n);
}

static void test_c_events(void **state)
{
	const long n = 20000;
	const char *argv[] = { app_c, "basic", "20000", NULL };
	struct swt_ingest *ing = open_ingest(NULL);
	struct swt_ingest_stats st;
	struct coll c = { 0 };
	struct child ch;
	int32_t pid, tm;
	int64_t sum;

	(void)state;
	/* Two threads recording flat out keep both CPUs of a small machine
	 * busy, and the reader with them: a ring that holds it all makes the
	 * counts exact here (bench/client measures the sustained rates). */
	run_app(ing, &ch, &c, argv, SWT_WIRE_ENV_RING "=131072");
	assert_exit0(&ch);
	pid = (int32_t)child_val(&ch, "pid");
	tm = child_tid(&ch, "main");
	assert_int_equal(child_val(&ch, "enabled"), 1);
	assert_int_equal(child_val(&ch, "dropped"), 0);
	assert_int_equal(tm, pid);
	check_worker(&c, pid, child_tid(&ch, "w1"), n);
	check_worker(&c, pid, child_tid(&ch, "w2"), n);
	/* exact counts, whatever the interleaving */
	assert_int_equal(count_ev(&c, pid, 0, SWT_EV_COUNT, "ocr_call", &sum),
			 2 * n);
	assert_int_equal(sum, n * (n + 1));
	/* main: its span around everything */
	assert_int_equal(count_ev(&c, pid, tm, 0, NULL, NULL), 2);
	assert_int_equal(count_ev(&c, pid, tm, SWT_EV_BEGIN, "main_module",
				  NULL), 1);
	assert_int_equal(count_ev(&c, pid, tm, SWT_EV_END, "main_module",
				  NULL), 1);
	assert_int_equal(c.n_ev, 8 * n + 2);
	assert_int_equal(c.n_an, 0);
	assert_int_equal(c.n_dr, 0);
	assert_in_order(&c);
	swt_ingest_get_stats(ing, &st);
	assert_int_equal(st.accepted, 1);
	assert_int_equal(st.rings, 3);
	assert_int_equal(st.events, 8 * n + 2);
	assert_int_equal(st.dropped, 0);
	assert_int_equal(st.bad_clients, 0);
	swt_ingest_close(ing);
	coll_free(&c);
}

static void test_c_scope(void **state)
{
	static const char *const seq[] = {
		"scope_outer", "scope_inner", "scope_inner", "scope_leaf",
		"scope_leaf", "scope_inner", "scope_inner", "scope_outer",
	};
	const char *argv[] = { app_c, "scope", NULL };
	struct swt_ingest *ing = open_ingest(NULL);
	struct coll c = { 0 };
	struct child ch;
	size_t i;

	(void)state;
	run_app(ing, &ch, &c, argv, NULL);
	assert_exit0(&ch);
	assert_int_equal(c.n_ev, 8);
	for (i = 0; i < 8; i++) {
		assert_string_equal(c.ev[i].name, seq[i]);
		assert_int_equal(c.ev[i].kind,
				 i < 4 ? SWT_EV_BEGIN : SWT_EV_END);
	}
	assert_int_equal(c.n_an, 0);
	swt_ingest_close(ing);
	coll_free(&c);
}

static void test_noop_without_recorder(void **state)
{
	const char *argv[] = { app_c, "noop", NULL };
	struct swt_ingest *ing = open_ingest(NULL);
	struct swt_ingest_stats st;
	struct coll c = { 0 };
	struct child ch;

	(void)state;
	spawn(&ch, argv, NULL);	/* no SWT_TRACE_SOCKET */
	run(ing, &ch, &c, 30000);
	assert_exit0(&ch);
	assert_int_equal(child_val(&ch, "enabled"), 0);
	assert_int_equal(child_val(&ch, "flush"), SWT_ENOTFOUND);
	assert_int_equal(child_val(&ch, "dropped"), 0);
	swt_ingest_get_stats(ing, &st);
	assert_int_equal(st.accepted, 0);
	assert_int_equal(c.n_ev, 0);
	swt_ingest_close(ing);
	coll_free(&c);
}

static void test_names_bounded(void **state)
{
	const char *argv[] = { app_c, "names", "100000", NULL };
	struct swt_ingest *ing = open_ingest(NULL);
	struct swt_ingest_stats st;
	struct coll c = { 0 };
	struct child ch;
	char name[32];
	long i;

	(void)state;
	/* a ring that holds everything: the test is about names, not speed */
	run_app(ing, &ch, &c, argv, SWT_WIRE_ENV_RING "=262144");
	assert_exit0(&ch);
	assert_int_equal(child_val(&ch, "dropped"), 0);
	assert_int_equal(c.n_ev, 100001);
	for (i = 0; i < 4096; i += 97) {
		snprintf(name, sizeof(name), "name_%ld", i);
		assert_int_equal(count_ev(&c, 0, 0, SWT_EV_COUNT, name, NULL),
				 1);
	}
	assert_int_equal(count_ev(&c, 0, 0, SWT_EV_COUNT, "name_4095", NULL),
			 1);
	assert_int_equal(count_ev(&c, 0, 0, 0, "name_4096", NULL), 0);
	/* the excess, "after" included, is counted under the overflow name */
	assert_int_equal(count_ev(&c, 0, 0, SWT_EV_COUNT,
				  SWT_WIRE_OVERFLOW_NAME, NULL),
			 100001 - 4096);
	assert_int_equal(count_an(&c, "name-overflow", NULL), 1);
	swt_ingest_get_stats(ing, &st);
	assert_int_equal(st.name_overflow, 100001 - 4096);
	assert_in_order(&c);
	swt_ingest_close(ing);
	coll_free(&c);
}

static void test_anomalies(void **state)
{
	const char *argv[] = { app_c, "anomalies", NULL };
	struct swt_ingest *ing = open_ingest(NULL);
	struct coll c = { 0 };
	struct child ch;
	const struct an *a;
	int32_t tm, tl;

	(void)state;
	run_app(ing, &ch, &c, argv, NULL);
	assert_exit0(&ch);
	tm = child_tid(&ch, "main");
	tl = child_tid(&ch, "leaky");
	assert_int_equal(c.n_an, 3);
	a = find_an(&c, "end-without-begin");
	assert_non_null(a);
	assert_string_equal(a->subject, "never_begun");
	assert_int_equal(a->tid, tm);
	a = find_an(&c, "end-mismatch");
	assert_non_null(a);
	assert_string_equal(a->subject, "outer");
	assert_true(contains(a->detail, "\"inner\""));
	assert_int_equal(a->tid, tm);
	a = find_an(&c, "open-at-exit");
	assert_non_null(a);
	assert_string_equal(a->subject, "leaky_module");
	assert_int_equal(a->tid, tl);
	assert_true(contains(a->detail, "thread exited"));
	/* the events themselves are all there */
	assert_int_equal(c.n_ev, 6);
	assert_in_order(&c);
	swt_ingest_close(ing);
	coll_free(&c);
}

static void test_fork(void **state)
{
	const char *argv[] = { app_c, "fork", NULL };
	struct swt_ingest *ing = open_ingest(NULL);
	struct swt_ingest_stats st;
	struct coll c = { 0 };
	struct child ch;
	int32_t pp, cp;
	int64_t sum;

	(void)state;
	run_app(ing, &ch, &c, argv, NULL);
	assert_exit0(&ch);
	pp = child_tid(&ch, "parent");
	cp = child_tid(&ch, "child");
	assert_int_not_equal(pp, cp);
	/* parent: its own events only, in its own stream */
	assert_int_equal(count_ev(&c, pp, 0, 0, NULL, NULL), 4);
	assert_int_equal(count_ev(&c, pp, pp, SWT_EV_COUNT, "parent_count",
				  &sum), 2);
	assert_int_equal(sum, 2);
	assert_int_equal(count_ev(&c, pp, 0, 0, "child_count", NULL), 0);
	/* child: a fresh connection and rings, nothing of its parent's */
	assert_int_equal(count_ev(&c, cp, 0, 0, NULL, NULL), 4);
	assert_int_equal(count_ev(&c, cp, cp, SWT_EV_COUNT, "child_count",
				  &sum), 1);
	assert_int_equal(sum, 7);
	assert_int_equal(count_ev(&c, cp, 0, SWT_EV_MARK, "child_mark", NULL),
			 1);
	assert_int_equal(count_ev(&c, cp, 0, 0, "parent_count", NULL), 0);
	assert_int_equal(c.n_an, 0);
	assert_int_equal(c.n_dr, 0);
	swt_ingest_get_stats(ing, &st);
	assert_int_equal(st.accepted, 2);
	assert_int_equal(st.bad_clients, 0);
	assert_in_order(&c);
	swt_ingest_close(ing);
	coll_free(&c);
}

static void test_exec(void **state)
{
	const char *argv[] = { app_c, "exec", NULL };
	struct swt_ingest *ing = open_ingest(NULL);
	struct swt_ingest_stats st;
	struct coll c = { 0 };
	struct child ch;
	const struct an *a;
	int32_t pid;

	(void)state;
	run_app(ing, &ch, &c, argv, NULL);
	assert_exit0(&ch);
	pid = (int32_t)child_val(&ch, "pid");
	/* both images' events, same pid, two connections */
	assert_int_equal(count_ev(&c, pid, pid, SWT_EV_COUNT, "pre", NULL), 1);
	assert_int_equal(count_ev(&c, pid, pid, SWT_EV_COUNT, "post", NULL),
			 1);
	assert_int_equal(count_ev(&c, pid, pid, SWT_EV_BEGIN, "before_exec",
				  NULL), 1);
	assert_int_equal(c.n_ev, 3);
	/* the image was replaced inside a span */
	assert_int_equal(c.n_an, 1);
	a = find_an(&c, "open-at-exit");
	assert_non_null(a);
	assert_string_equal(a->subject, "before_exec");
	swt_ingest_get_stats(ing, &st);
	assert_int_equal(st.accepted, 2);
	assert_in_order(&c);
	swt_ingest_close(ing);
	coll_free(&c);
}

static int count_rounds(const struct swt_record *r, void *payload)
{
	size_t i, *n = payload;

	if (r->kind == SWT_REC_EVENTS)
		for (i = 0; i < r->u.events.n; i++)
			*n += !strcmp(r->u.events.events[i].name, "round");
	return 0;
}

static void test_recorder_gone(void **state)
{
	const char *argv[] = { app_c, "gone", "20000", NULL };
	struct swt_ingest *ing = open_ingest(NULL);
	const char *env[2] = { swt_ingest_get_env(ing), NULL };
	struct child ch;
	size_t rounds = 0;
	int64_t deadline = mono_ns() + 30000000000;

	(void)state;
	spawn(&ch, argv, env);
	while (rounds < 5 && mono_ns() < deadline) {
		struct pollfd pfd = { swt_ingest_get_fd(ing), POLLIN, 0 };

		poll(&pfd, 1, 5);
		assert_ok(swt_ingest_service(ing));
		assert_ok(swt_ingest_drain(ing, mono_ns(), count_rounds,
					   &rounds));
	}
	assert_true(rounds >= 5);
	swt_ingest_close(ing);	/* the recorder goes away mid-run */
	while (mono_ns() < deadline &&
	       waitpid(ch.pid, &ch.status, WNOHANG) != ch.pid) {
		struct timespec ts = { 0, 10000000 };

		child_read(&ch);
		nanosleep(&ts, NULL);
	}
	child_read(&ch);
	if (mono_ns() >= deadline) {
		kill(ch.pid, SIGKILL);
		waitpid(ch.pid, &ch.status, 0);
		fail_msg("the application blocked after the recorder left");
	}
	assert_exit0(&ch);	/* no SIGPIPE, no abort */
	if (child_val(&ch, "detected") != 1 || child_val(&ch, "enabled") != 0)
		fail_msg("still enabled after the recorder left:\n%s",
			 ch.text);
	assert_int_equal(child_val(&ch, "flush"), SWT_EIO);
	if (ch.out >= 0)
		close(ch.out);
}

static void test_ring_full_counted(void **state)
{
	const char *argv[] = { app_c, "burst", "100000", NULL };
	struct swt_ingest *ing = open_ingest(NULL);
	const char *env[3] = { swt_ingest_get_env(ing),
			       SWT_WIRE_ENV_RING "=1024", NULL };
	struct swt_ingest_stats st;
	struct coll c = { 0 };
	struct child ch;
	uint64_t dropped;

	(void)state;
	/* Nobody reads while it records: the ring fills, the rest is
	 * dropped and counted, and the program is not slowed down. */
	spawn(&ch, argv, env);
	assert_int_equal(waitpid(ch.pid, &ch.status, 0), ch.pid);
	ch.exited = true;
	run(ing, &ch, &c, 30000);
	assert_exit0(&ch);
	dropped = (uint64_t)child_val(&ch, "dropped");
	assert_int_equal(c.n_ev, 1024);
	assert_int_equal(dropped, 100000 - 1024);
	assert_int_equal(c.n_dr, 1);
	assert_string_equal(c.dr[0].reason, "ring-full");
	assert_int_equal(c.dr[0].dropped, dropped);
	assert_int_equal(c.dr[0].total, dropped);
	assert_int_equal(c.dr[0].pid, child_val(&ch, "pid"));
	swt_ingest_get_stats(ing, &st);
	assert_int_equal(st.dropped, dropped);
	swt_ingest_close(ing);
	coll_free(&c);
}

static void test_drain_until(void **state)
{
	const char *argv[] = { app_c, "burst", "1000", NULL };
	struct swt_ingest *ing = open_ingest(NULL);
	const char *env[2] = { swt_ingest_get_env(ing), NULL };
	struct coll c = { 0 };
	struct child ch;
	int64_t t0 = mono_ns();

	(void)state;
	spawn(&ch, argv, env);
	assert_int_equal(waitpid(ch.pid, &ch.status, 0), ch.pid);
	ch.exited = true;
	assert_ok(swt_ingest_service(ing));
	assert_ok(swt_ingest_service(ing));
	/* nothing happened before t0: nothing may come out */
	c.until = t0;
	assert_ok(swt_ingest_drain(ing, t0, collect, &c));
	assert_int_equal(c.n_ev, 0);
	run(ing, &ch, &c, 30000);
	assert_exit0(&ch);
	assert_int_equal(c.n_ev, 1000);
	assert_true(c.ev[0].t > t0);
	assert_in_order(&c);
	swt_ingest_close(ing);
	coll_free(&c);
}

/* ---- hostile clients --------------------------------------------------- */

static int raw_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static void fill_hdr(struct swt_wire_msg_hdr *h, uint16_t type, size_t len)
{
	h->magic = SWT_WIRE_MSG_MAGIC;
	h->type = type;
	h->version = SWT_WIRE_VERSION;
	h->len = (uint32_t)len;
	h->reserved = 0;
}

static void send_inline_hello(int fd)
{
	struct swt_wire_hello h;

	memset(&h, 0, sizeof(h));
	fill_hdr(&h.h, SWT_WIRE_HELLO, sizeof(h));
	h.pid = (int32_t)getpid();
	h.flags = SWT_WIRE_F_INLINE;
	assert_int_equal(send(fd, &h, sizeof(h), MSG_NOSIGNAL), sizeof(h));
}

/* Service the ingest until the peer of fd sees the connection closed. */
static bool cut_off(struct swt_ingest *ing, int fd, struct coll *c)
{
	int64_t deadline = mono_ns() + 5000000000;
	char b[16];

	while (mono_ns() < deadline) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t n;

		assert_ok(swt_ingest_service(ing));
		c->until = mono_ns();
		assert_ok(swt_ingest_drain(ing, c->until, collect, c));
		if (poll(&p, 1, 5) > 0) {
			n = recv(fd, b, sizeof(b), MSG_DONTWAIT);
			if (n == 0 || (n < 0 && errno == ECONNRESET))
				return true;
		}
	}
	return false;
}

static void send_fds_msg(int fd, const void *msg, size_t len,
			 const int *fds, size_t n_fds)
{
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { (void *)(uintptr_t)msg, len };
	struct msghdr mh = { 0 };
	struct cmsghdr *cm;

	memset(&u, 0, sizeof(u));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = u.buf;
	mh.msg_controllen = CMSG_SPACE(n_fds * sizeof(int));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(n_fds * sizeof(int));
	memcpy(CMSG_DATA(cm), fds, n_fds * sizeof(int));
	assert_int_equal(sendmsg(fd, &mh, MSG_NOSIGNAL), (ssize_t)len);
}

/* Send msg with passfd attached n times (1 or 2). */
static void send_fd_msg(int fd, const void *msg, size_t len, int passfd,
			size_t n)
{
	int fds[2] = { passfd, passfd };

	send_fds_msg(fd, msg, len, fds, n);
}

static void test_hostile_clients(void **state)
{
	const char *argv[] = { app_c, "basic", "100", NULL };
	struct swt_ingest_opts o;
	struct swt_ingest *ing;
	struct swt_ingest_stats st;
	struct coll c = { 0 };
	struct child ch;
	char garbage[100], *big;
	struct swt_wire_hello hello;
	struct swt_wire_ring_msg ring;
	struct swt_wire_events evm;
	int fd, p[2], i;

	(void)state;
	swt_ingest_opts_init(&o);
	o.max_msgs_per_s = 50;
	ing = open_ingest(&o);

	/* garbage bytes */
	for (i = 0; i < (int)sizeof(garbage); i++)
		garbage[i] = (char)(i * 37 + 11);
	fd = raw_connect(swt_ingest_get_path(ing));
	assert_true(fd >= 0);
	assert_int_equal(send(fd, garbage, sizeof(garbage), MSG_NOSIGNAL),
			 sizeof(garbage));
	assert_true(cut_off(ing, fd, &c));
	close(fd);

	/* oversized message */
	big = calloc(1, 70000);
	assert_non_null(big);
	fill_hdr((struct swt_wire_msg_hdr *)(void *)big, SWT_WIRE_EVENTS,
		 70000);
	fd = raw_connect(swt_ingest_get_path(ing));
	assert_true(fd >= 0);
	send_inline_hello(fd);
	assert_int_equal(send(fd, big, 70000, MSG_NOSIGNAL), 70000);
	assert_true(cut_off(ing, fd, &c));
	close(fd);
	free(big);

	/* a ring that is a pipe, not a sealed memfd */
	fd = raw_connect(swt_ingest_get_path(ing));
	assert_true(fd >= 0);
	memset(&hello, 0, sizeof(hello));
	fill_hdr(&hello.h, SWT_WIRE_HELLO, sizeof(hello));
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	send_fd_msg(fd, &hello, sizeof(hello), p[0], 1);
	memset(&ring, 0, sizeof(ring));
	fill_hdr(&ring.h, SWT_WIRE_RING, sizeof(ring));
	ring.tid = 1;
	send_fd_msg(fd, &ring, sizeof(ring), p[0], 2);
	assert_true(cut_off(ing, fd, &c));
	close(fd);
	close(p[0]);
	close(p[1]);

	/* flooding: more messages per second than allowed */
	fd = raw_connect(swt_ingest_get_path(ing));
	assert_true(fd >= 0);
	send_inline_hello(fd);
	memset(&evm, 0, sizeof(evm));
	fill_hdr(&evm.h, SWT_WIRE_EVENTS, sizeof(evm));
	for (i = 0; i < 100; i++)
		if (send(fd, &evm, sizeof(evm), MSG_NOSIGNAL | MSG_DONTWAIT) <
		    0)
			break;
	assert_true(cut_off(ing, fd, &c));
	close(fd);

	swt_ingest_get_stats(ing, &st);
	assert_int_equal(st.bad_clients, 4);
	assert_int_equal(count_an(&c, "bad-client", "malformed"), 2);
	assert_int_equal(count_an(&c, "bad-client", "oversized"), 1);
	assert_int_equal(count_an(&c, "bad-client", "flooding"), 1);

	/* ... and the ingest still works for a real program */
	run_app(ing, &ch, &c, argv, NULL);
	assert_exit0(&ch);
	assert_int_equal(count_ev(&c, (int32_t)child_val(&ch, "pid"), 0, 0,
				  NULL, NULL),
			 8 * 100 + 2);
	swt_ingest_get_stats(ing, &st);
	assert_int_equal(st.bad_clients, 4);
	assert_in_order(&c);
	swt_ingest_close(ing);
	coll_free(&c);
}

/* A hand-made C client: a process block naming id 1 "okay", a ring with
 * the entries given, published up to `head`. */
static int sealed_memfd(size_t size, void **map)
{
	int fd = memfd_create("test", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	assert_int_equal(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW),
			 0);
	*map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(*map != MAP_FAILED);
	return fd;
}

static void forge_client(struct swt_ingest *ing, struct coll *c,
			 const struct swt_wire_entry *ents, size_t n,
			 uint64_t head)
{
	const size_t arena_off = SWT_WIRE_HDR_SIZE + 16 * 8;
	const size_t psize = arena_off + 1024;
	const size_t rsize = SWT_WIRE_HDR_SIZE + 1024 * 24;
	struct swt_wire_hello hello;
	struct swt_wire_ring_msg rm;
	struct swt_wire_proc *proc;
	struct swt_wire_name *idx;
	struct swt_wire_ring *ring;
	struct swt_wire_entry *e;
	void *pm, *rmap;
	int fd, pfd, rfd, efd;
	size_t i;

	pfd = sealed_memfd(psize, &pm);
	proc = pm;
	proc->magic = SWT_WIRE_PROC_MAGIC;
	proc->version = SWT_WIRE_VERSION;
	proc->size = (uint32_t)psize;
	proc->max_names = 16;
	proc->arena_off = (uint32_t)arena_off;
	proc->arena_size = 1024;
	proc->pid = (int32_t)getpid();
	idx = (struct swt_wire_name *)((char *)pm + SWT_WIRE_HDR_SIZE);
	idx[0].off = 0;
	idx[0].len = 4;
	memcpy((char *)pm + arena_off, "okay", 5);
	atomic_store(&proc->n_names, 1);

	rfd = sealed_memfd(rsize, &rmap);
	ring = rmap;
	ring->magic = SWT_WIRE_RING_MAGIC;
	ring->version = SWT_WIRE_VERSION;
	ring->hdr_size = SWT_WIRE_HDR_SIZE;
	ring->entry_size = sizeof(struct swt_wire_entry);
	ring->capacity = 1024;
	ring->tid = (int32_t)gettid();
	e = (struct swt_wire_entry *)((char *)rmap + SWT_WIRE_HDR_SIZE);
	for (i = 0; i < n; i++)
		e[i] = ents[i];
	atomic_store(&ring->head, head);
	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	assert_true(efd >= 0);

	fd = raw_connect(swt_ingest_get_path(ing));
	assert_true(fd >= 0);
	memset(&hello, 0, sizeof(hello));
	fill_hdr(&hello.h, SWT_WIRE_HELLO, sizeof(hello));
	hello.pid = (int32_t)getpid();
	send_fd_msg(fd, &hello, sizeof(hello), pfd, 1);
	memset(&rm, 0, sizeof(rm));
	fill_hdr(&rm.h, SWT_WIRE_RING, sizeof(rm));
	rm.tid = ring->tid;
	{
		int two[2] = { rfd, efd };

		send_fds_msg(fd, &rm, sizeof(rm), two, 2);
	}
	assert_true(cut_off(ing, fd, c));
	close(fd);
	close(pfd);
	close(rfd);
	close(efd);
	munmap(pm, psize);
	munmap(rmap, rsize);
}

static void test_bad_ring_contents(void **state)
{
	struct swt_wire_entry ok = { 0, 5, 1, SWT_EV_COUNT };
	struct swt_wire_entry ents[2];
	struct swt_ingest *ing = open_ingest(NULL);
	struct swt_ingest_stats st;
	struct coll c = { 0 };
	int64_t sum;

	(void)state;
	ok.t_ns = mono_ns();
	/* a bad kind after a good event: the good one is kept */
	ents[0] = ok;
	ents[1] = ok;
	ents[1].kind = 9;
	forge_client(ing, &c, ents, 2, 2);
	/* an undefined name id */
	ents[1] = ok;
	ents[1].name = 7;
	forge_client(ing, &c, ents, 2, 2);
	/* a head beyond the ring's capacity */
	forge_client(ing, &c, ents, 1, 5000);
	swt_ingest_get_stats(ing, &st);
	assert_int_equal(st.bad_clients, 3);
	assert_int_equal(count_an(&c, "bad-client", "malformed"), 3);
	assert_int_equal(count_ev(&c, 0, 0, SWT_EV_COUNT, "okay", &sum), 2);
	assert_int_equal(sum, 10);
	assert_int_equal(st.pending, 0);
	assert_in_order(&c);
	swt_ingest_close(ing);
	coll_free(&c);
}

/* A child that becomes nobody and tries to talk to the ingest. Exit
 * status: 0 connection refused by the ingest (closed), 1 accepted and
 * still open, 2 connect() failed with EACCES, 3 other failure. */
static pid_t as_nobody(const char *path, bool send_event)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)
		_exit(3);
	{
		struct swt_wire_hello h;
		struct pollfd p;
		char b[8];
		int fd = raw_connect(path);

		if (fd < 0)
			_exit(errno == EACCES ? 2 : 3);
		memset(&h, 0, sizeof(h));
		fill_hdr(&h.h, SWT_WIRE_HELLO, sizeof(h));
		h.pid = (int32_t)getpid();
		h.flags = SWT_WIRE_F_INLINE;
		if (send(fd, &h, sizeof(h), MSG_NOSIGNAL) < 0)
			_exit(errno == EPIPE || errno == ECONNRESET ? 0 : 3);
		if (send_event) {
			unsigned char m[sizeof(struct swt_wire_events) + 8 +
					4 + SWT_WIRE_ITEM_EVENT_SIZE];
			struct swt_wire_events eh;
			uint32_t id = 1;
			int32_t tid = (int32_t)gettid();
			int64_t t = mono_ns(), v = 5;

			memset(&eh, 0, sizeof(eh));
			fill_hdr(&eh.h, SWT_WIRE_EVENTS, sizeof(m));
			memcpy(m, &eh, sizeof(eh));
			m[24] = SWT_WIRE_ITEM_NAME;
			m[25] = 4;
			m[26] = m[27] = 0;
			memcpy(m + 28, &id, 4);
			memcpy(m + 32, "uidx", 4);
			m[36] = SWT_WIRE_ITEM_EVENT;
			m[37] = SWT_EV_COUNT;
			m[38] = m[39] = 0;
			memcpy(m + 40, &tid, 4);
			memcpy(m + 44, &id, 4);
			memcpy(m + 48, &t, 8);
			memcpy(m + 56, &v, 8);
			if (send(fd, m, sizeof(m), MSG_NOSIGNAL) < 0)
				_exit(errno == EPIPE || errno == ECONNRESET
					      ? 0
					      : 3);
		}
		p.fd = fd;
		p.events = POLLIN;
		if (poll(&p, 1, 2000) == 1 &&
		    recv(fd, b, sizeof(b), 0) <= 0)
			_exit(0);
		_exit(1);
	}
}

static int wait_child_serving(struct swt_ingest *ing, pid_t pid,
			      struct coll *c)
{
	int64_t deadline = mono_ns() + 10000000000;
	int st = -1;

	while (mono_ns() < deadline) {
		struct pollfd pfd = { swt_ingest_get_fd(ing), POLLIN, 0 };

		poll(&pfd, 1, 5);
		assert_ok(swt_ingest_service(ing));
		c->until = mono_ns();
		assert_ok(swt_ingest_drain(ing, c->until, collect, c));
		if (waitpid(pid, &st, WNOHANG) == pid)
			break;
	}
	/* let the ingest see the end of it */
	for (int i = 0; i < 20; i++) {
		struct timespec ts = { 0, 5000000 };

		nanosleep(&ts, NULL);
		assert_ok(swt_ingest_service(ing));
		c->until = mono_ns();
		assert_ok(swt_ingest_drain(ing, c->until, collect, c));
	}
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void test_other_uid_refused(void **state)
{
	struct swt_ingest_opts o;
	struct swt_ingest *ing;
	struct swt_ingest_stats st;
	struct coll c = { 0 };
	char dir[PATH_MAX];
	pid_t pid;

	(void)state;
	if (geteuid() != 0)
		skip();
	/* 1. the private directory keeps others out altogether */
	ing = open_ingest(NULL);
	pid = as_nobody(swt_ingest_get_path(ing), false);
	assert_int_equal(wait_child_serving(ing, pid, &c), 2);

	/* 2. past the directory (made reachable here on purpose), the
	 * peer's credentials are checked */
	snprintf(dir, sizeof(dir), "%s", swt_ingest_get_path(ing));
	*strrchr(dir, '/') = '\0';
	assert_int_equal(chmod(dir, 0711), 0);
	assert_int_equal(chmod(swt_ingest_get_path(ing), 0666), 0);
	pid = as_nobody(swt_ingest_get_path(ing), true);
	assert_int_equal(wait_child_serving(ing, pid, &c), 0);
	swt_ingest_get_stats(ing, &st);
	assert_int_equal(st.refused_uid, 1);
	assert_int_equal(st.accepted, 0);
	assert_int_equal(count_an(&c, "refused-client", "uid"), 1);
	assert_int_equal(c.n_ev, 0);
	swt_ingest_close(ing);

	/* 3. unless the recorder was told to allow it */
	swt_ingest_opts_init(&o);
	o.allow_other_uids = true;
	ing = open_ingest(&o);
	pid = as_nobody(swt_ingest_get_path(ing), true);
	assert_int_equal(wait_child_serving(ing, pid, &c), 1);
	swt_ingest_get_stats(ing, &st);
	assert_int_equal(st.refused_uid, 0);
	assert_int_equal(st.accepted, 1);
	assert_int_equal(count_ev(&c, pid, 0, SWT_EV_COUNT, "uidx", NULL), 1);
	swt_ingest_close(ing);
	coll_free(&c);
}

/* ---- Python client ----------------------------------------------------- */

static char py_env[PATH_MAX + 16];

static void run_py(struct swt_ingest *ing, struct child *ch, struct coll *c,
		   const char *scenario, const char *n, bool traced)
{
	const char *argv[] = { python3, app_py, scenario, n, NULL };
	/* no __pycache__ in the source tree */
	const char *env[4] = { "PYTHONDONTWRITEBYTECODE=1", py_env,
			       traced ? swt_ingest_get_env(ing) : NULL, NULL };

	snprintf(py_env, sizeof(py_env), "PYTHONPATH=%s", py_dir);
	spawn(ch, argv, env);
	run(ing, ch, c, 60000);
}

static void check_py_worker(const struct coll *c, int32_t pid, int32_t tid,
			    long n)
{
	static const char *const names[6] = {
		"vision_system", "ocr_call", "vision_system",
		"ocr_processor", "frame", "ocr_processor",
	};
	static const int kinds[6] = { SWT_EV_BEGIN, SWT_EV_COUNT, SWT_EV_END,
				      SWT_EV_BEGIN, SWT_EV_MARK, SWT_EV_END };
	size_t i, k = 0;

	for (i = 0; i < c->n_ev; i++) {
		const struct ev *e = &c->ev[i];

		if (e->tid != tid)
			continue;
		assert_int_equal(e->pid, pid);
		assert_string_equal(e->name, names[k % 6]);
		assert_int_equal(e->kind, kinds[k % 6]);
		assert_int_equal(e->value,
				 k % 6 == 1 ? (int64_t)(k / 6 + 1) : 0);
		k++;
	}
	assert_int_equal(k, 6 * n);
}

static void test_python_events(void **state)
{
	const long n = 3000;
	struct swt_ingest *ing = open_ingest(NULL);
	struct coll c = { 0 };
	struct child ch;
	int32_t pid;
	int64_t sum;

	(void)state;
	run_py(ing, &ch, &c, "basic", "3000", true);
	assert_exit0(&ch);
	pid = (int32_t)child_val(&ch, "pid");
	assert_int_equal(child_val(&ch, "enabled"), 1);
	assert_int_equal(child_val(&ch, "flush"), 1);
	assert_int_equal(child_val(&ch, "dropped"), 0);
	check_py_worker(&c, pid, child_tid(&ch, "w1"), n);
	check_py_worker(&c, pid, child_tid(&ch, "w2"), n);
	assert_int_equal(count_ev(&c, pid, 0, SWT_EV_COUNT, "ocr_call", &sum),
			 2 * n);
	assert_int_equal(sum, n * (n + 1));
	assert_int_equal(c.n_ev, 12 * n);
	assert_int_equal(c.n_an, 0);
	assert_int_equal(c.n_dr, 0);
	assert_in_order(&c);
	swt_ingest_close(ing);
	coll_free(&c);
}

static void test_python_noop(void **state)
{
	struct swt_ingest *ing = open_ingest(NULL);
	struct swt_ingest_stats st;
	struct coll c = { 0 };
	struct child ch;

	(void)state;
	run_py(ing, &ch, &c, "noop", "0", false);
	assert_exit0(&ch);
	assert_int_equal(child_val(&ch, "enabled"), 0);
	swt_ingest_get_stats(ing, &st);
	assert_int_equal(st.accepted, 0);
	swt_ingest_close(ing);
	coll_free(&c);
}

static void test_python_fork(void **state)
{
	struct swt_ingest *ing = open_ingest(NULL);
	struct coll c = { 0 };
	struct child ch;
	int32_t pp, cp;
	int64_t sum;

	(void)state;
	run_py(ing, &ch, &c, "fork", "0", true);
	assert_exit0(&ch);
	pp = (int32_t)child_val(&ch, "pid");
	cp = child_tid(&ch, "child");
	assert_int_equal(count_ev(&c, pp, 0, SWT_EV_COUNT, "parent_count",
				  &sum), 2);
	assert_int_equal(sum, 2);
	assert_int_equal(count_ev(&c, pp, 0, 0, NULL, NULL), 2);
	assert_int_equal(count_ev(&c, cp, cp, SWT_EV_COUNT, "child_count",
				  &sum), 1);
	assert_int_equal(sum, 7);
	assert_int_equal(count_ev(&c, cp, 0, 0, NULL, NULL), 1);
	assert_in_order(&c);
	swt_ingest_close(ing);
	coll_free(&c);
}

static void test_python_names_bounded(void **state)
{
	struct swt_ingest *ing = open_ingest(NULL);
	struct coll c = { 0 };
	struct child ch;

	(void)state;
	run_py(ing, &ch, &c, "names", "10000", true);
	assert_exit0(&ch);
	assert_int_equal(c.n_ev, 10001);
	assert_int_equal(count_ev(&c, 0, 0, SWT_EV_COUNT, "name_4095", NULL),
			 1);
	assert_int_equal(count_ev(&c, 0, 0, SWT_EV_COUNT,
				  SWT_WIRE_OVERFLOW_NAME, NULL),
			 10001 - 4096);
	assert_int_equal(count_an(&c, "name-overflow", NULL), 1);
	swt_ingest_close(ing);
	coll_free(&c);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_c_events),
		cmocka_unit_test(test_c_scope),
		cmocka_unit_test(test_noop_without_recorder),
		cmocka_unit_test(test_names_bounded),
		cmocka_unit_test(test_anomalies),
		cmocka_unit_test(test_fork),
		cmocka_unit_test(test_exec),
		cmocka_unit_test(test_recorder_gone),
		cmocka_unit_test(test_ring_full_counted),
		cmocka_unit_test(test_drain_until),
		cmocka_unit_test(test_hostile_clients),
		cmocka_unit_test(test_bad_ring_contents),
		cmocka_unit_test(test_other_uid_refused),
		cmocka_unit_test(test_python_events),
		cmocka_unit_test(test_python_noop),
		cmocka_unit_test(test_python_fork),
		cmocka_unit_test(test_python_names_bounded),
	};

	if (argc != 5) {
		fprintf(stderr,
			"usage: %s TRACE_APP PYTHON3 TRACE_APP_PY PYDIR\n",
			argv[0]);
		return 2;
	}
	app_c = argv[1];
	python3 = argv[2];
	app_py = argv[3];
	py_dir = argv[4];
	/* A test must not die of a write to a closed socket either. */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
