/* test_client — libswtrace, swtrace.py and the ingest, end to end.
 *
 *   test_client TRACE_APP PYTHON3 TRACE_APP_PY PYTHON_DIR
 *
 * The ingest runs in this process, driven the way swrec's loop drives it
 * (poll its fd, service, drain up to now); the instrumented programs are
 * real child processes (tests/apps/trace_app.c and trace_app.py) started
 * with the ingest's environment variable. Nothing is mocked. */
#include "swt_test.h"
#include "swt_testev.h"
#include "swt_testproc.h"

#include <grp.h>
#include <limits.h>
#include <sys/eventfd.h>
#include <sys/mman.h>

#include "swt_ingest.h"
#include "swt_wire.h"

static const char *app_c;
static const char *python3;
static const char *app_py;
static const char *py_dir;

/* ---- what the ingest emitted ------------------------------------------ */

struct coll {
	struct tev_set s;
	bool over_until;	/* a record newer than the drain's until */
	int64_t until;
};

static int collect(const struct swt_record *r, void *payload)
{
	struct coll *c = payload;

	if (r->t_ns > c->until)
		c->over_until = true;
	if (!tev_add(&c->s, r))
		fail_msg("unexpected record kind %d", (int)r->kind);
	return 0;
}

static void coll_free(struct coll *c)
{
	tev_free(&c->s);
	memset(c, 0, sizeof(*c));
}

/* (A function of its own: GCC 12 warns about strstr on a struct member
 * reached through a pointer it cannot prove non-NULL.) */
static __attribute__((noinline)) bool contains(const char *hay,
					       const char *needle)
{
	return strstr(hay, needle) != NULL;
}

/* ---- driving the ingest ------------------------------------------------ */

/* One turn of swrec's loop: handle what is ready, drain up to now. */
static void serve(struct swt_ingest *ing, struct coll *c)
{
	assert_ok(swt_ingest_service(ing));
	c->until = tp_mono_ns();
	assert_ok(swt_ingest_drain(ing, c->until, collect, c));
}

/* Nothing more to come: no client left, nothing pending, and nothing
 * waiting on the ingest's descriptor (a connection in the backlog, a
 * message, the end of a connection). Meaningful after a serve() that
 * followed the exit of every process that could still send. */
static bool quiet(struct swt_ingest *ing)
{
	struct pollfd pfd = { swt_ingest_get_fd(ing), POLLIN, 0 };
	struct swt_ingest_stats st;

	swt_ingest_get_stats(ing, &st);
	return !st.clients && !st.pending && poll(&pfd, 1, 0) == 0;
}

/* Serve until quiet() (the processes that could send are gone). */
static void serve_to_end(struct swt_ingest *ing, struct coll *c)
{
	int64_t deadline = tp_mono_ns() + (int64_t)TP_WAIT_MS * 1000000;

	do {
		if (tp_mono_ns() > deadline)
			fail_msg("the ingest did not settle");
		serve(ing, c);
	} while (!quiet(ing));
}

/* Drive the ingest as swrec's loop would until the child has exited
 * (it waits for the processes it forks) and everything it sent is
 * drained. Once it has exited nothing new can arrive: what it sent is in
 * the rings and sockets, so serving until quiet() takes it all, however
 * late this process gets the CPU. */
static void run(struct swt_ingest *ing, struct tp_proc *ch, struct coll *c)
{
	int64_t deadline = tp_mono_ns() + (int64_t)TP_WAIT_MS * 1000000;

	while (!tp_poll(ch, 0)) {
		struct pollfd pfd = { swt_ingest_get_fd(ing), POLLIN, 0 };

		if (tp_mono_ns() > deadline) {
			tp_kill(ch, false);
			fail_msg("child did not finish, output:\n%s",
				 ch->out.text);
		}
		poll(&pfd, 1, 5);
		serve(ing, c);
	}
	serve_to_end(ing, c);
	tp_read_rest(ch, deadline);
}

static void assert_exit0(const struct tp_proc *ch)
{
	if (!WIFEXITED(ch->status) || WEXITSTATUS(ch->status) != 0)
		fail_msg("child status %#x (signal %d), output:\n%s",
			 ch->status,
			 WIFSIGNALED(ch->status) ? WTERMSIG(ch->status) : 0,
			 ch->out.text);
}

static void assert_in_order(const struct coll *c)
{
	assert_false(c->s.rec_disorder);
	assert_false(c->s.batch_time_bad);
	assert_false(c->s.batch_disorder);
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

static void run_app(struct swt_ingest *ing, struct tp_proc *ch,
		    struct coll *c, const char *const *argv,
		    const char *extra_env)
{
	const char *env[3] = { swt_ingest_get_env(ing), extra_env, NULL };

	tp_start(ch, argv, env, 0);
	run(ing, ch, c);
}

/* ---- C client ---------------------------------------------------------- */

static void test_c_events(void **state)
{
	const long n = 20000;
	const char *argv[] = { app_c, "basic", "20000", NULL };
	struct swt_ingest *ing = open_ingest(NULL);
	struct swt_ingest_stats st;
	struct coll c = { 0 };
	struct tp_proc ch;

	(void)state;
	/* Two threads recording flat out keep both CPUs of a small machine
	 * busy, and the reader with them: a ring that holds it all makes the
	 * counts exact here (bench/client measures the sustained rates). */
	run_app(ing, &ch, &c, argv, SWT_WIRE_ENV_RING "=131072");
	assert_exit0(&ch);
	tev_check_basic(&c.s, ch.out.text, n, false);
	assert_in_order(&c);
	swt_ingest_get_stats(ing, &st);
	assert_int_equal(st.accepted, 1);
	assert_int_equal(st.rings, 3);
	assert_int_equal(st.events, 8 * n + 2);
	assert_int_equal(st.dropped, 0);
	assert_int_equal(st.bad_clients, 0);
	swt_ingest_close(ing);
	tp_free(&ch);
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
	struct tp_proc ch;
	size_t i;

	(void)state;
	run_app(ing, &ch, &c, argv, NULL);
	assert_exit0(&ch);
	assert_int_equal(c.s.n_ev, 8);
	for (i = 0; i < 8; i++) {
		assert_string_equal(c.s.ev[i].name, seq[i]);
		assert_int_equal(c.s.ev[i].kind,
				 i < 4 ? SWT_EV_BEGIN : SWT_EV_END);
	}
	assert_int_equal(c.s.n_an, 0);
	swt_ingest_close(ing);
	tp_free(&ch);
	coll_free(&c);
}

static void test_noop_without_recorder(void **state)
{
	const char *argv[] = { app_c, "noop", NULL };
	struct swt_ingest *ing = open_ingest(NULL);
	struct swt_ingest_stats st;
	struct coll c = { 0 };
	struct tp_proc ch;

	(void)state;
	tp_start(&ch, argv, NULL, 0);	/* no SWT_TRACE_SOCKET */
	run(ing, &ch, &c);
	assert_exit0(&ch);
	assert_int_equal(tp_val(ch.out.text, "enabled"), 0);
	assert_int_equal(tp_val(ch.out.text, "flush"), SWT_ENOTFOUND);
	assert_int_equal(tp_val(ch.out.text, "dropped"), 0);
	swt_ingest_get_stats(ing, &st);
	assert_int_equal(st.accepted, 0);
	assert_int_equal(c.s.n_ev, 0);
	swt_ingest_close(ing);
	tp_free(&ch);
	coll_free(&c);
}

static void test_names_bounded(void **state)
{
	const char *argv[] = { app_c, "names", "100000", NULL };
	struct swt_ingest *ing = open_ingest(NULL);
	struct swt_ingest_stats st;
	struct coll c = { 0 };
	struct tp_proc ch;
	char name[32];
	long i;

	(void)state;
	/* a ring that holds everything: the test is about names, not speed */
	run_app(ing, &ch, &c, argv, SWT_WIRE_ENV_RING "=262144");
	assert_exit0(&ch);
	assert_int_equal(tp_val(ch.out.text, "dropped"), 0);
	assert_int_equal(c.s.n_ev, 100001);
	for (i = 0; i < 4096; i += 97) {
		snprintf(name, sizeof(name), "name_%ld", i);
		assert_int_equal(tev_count(&c.s, 0, 0, SWT_EV_COUNT, name,
					   NULL), 1);
	}
	assert_int_equal(tev_count(&c.s, 0, 0, SWT_EV_COUNT, "name_4095", NULL),
			 1);
	assert_int_equal(tev_count(&c.s, 0, 0, 0, "name_4096", NULL), 0);
	/* the excess, "after" included, is counted under the overflow name */
	assert_int_equal(tev_count(&c.s, 0, 0, SWT_EV_COUNT,
				   SWT_WIRE_OVERFLOW_NAME, NULL),
			 100001 - 4096);
	assert_int_equal(tev_count_an(&c.s, "name-overflow", NULL, 0), 1);
	swt_ingest_get_stats(ing, &st);
	assert_int_equal(st.name_overflow, 100001 - 4096);
	assert_in_order(&c);
	swt_ingest_close(ing);
	tp_free(&ch);
	coll_free(&c);
}

static void test_anomalies(void **state)
{
	const char *argv[] = { app_c, "anomalies", NULL };
	struct swt_ingest *ing = open_ingest(NULL);
	struct coll c = { 0 };
	struct tp_proc ch;
	const struct tan *a;
	int32_t tm, tl;

	(void)state;
	run_app(ing, &ch, &c, argv, NULL);
	assert_exit0(&ch);
	tm = tp_tid(ch.out.text, "main");
	tl = tp_tid(ch.out.text, "leaky");
	assert_int_equal(c.s.n_an, 3);
	a = tev_find_an(&c.s, "end-without-begin");
	assert_non_null(a);
	assert_string_equal(a->subject, "never_begun");
	assert_int_equal(a->tid, tm);
	a = tev_find_an(&c.s, "end-mismatch");
	assert_non_null(a);
	assert_string_equal(a->subject, "outer");
	assert_true(contains(a->detail, "\"inner\""));
	assert_int_equal(a->tid, tm);
	a = tev_find_an(&c.s, "open-at-exit");
	assert_non_null(a);
	assert_string_equal(a->subject, "leaky_module");
	assert_int_equal(a->tid, tl);
	assert_true(contains(a->detail, "thread exited"));
	/* the events themselves are all there */
	assert_int_equal(c.s.n_ev, 6);
	assert_in_order(&c);
	swt_ingest_close(ing);
	tp_free(&ch);
	coll_free(&c);
}

static void test_fork(void **state)
{
	const char *argv[] = { app_c, "fork", NULL };
	struct swt_ingest *ing = open_ingest(NULL);
	struct swt_ingest_stats st;
	struct coll c = { 0 };
	struct tp_proc ch;
	int32_t pp, cp;
	int64_t sum;

	(void)state;
	run_app(ing, &ch, &c, argv, NULL);
	assert_exit0(&ch);
	pp = tp_tid(ch.out.text, "parent");
	cp = tp_tid(ch.out.text, "child");
	assert_int_not_equal(pp, cp);
	/* parent: its own events only, in its own stream */
	assert_int_equal(tev_count(&c.s, pp, 0, 0, NULL, NULL), 4);
	assert_int_equal(tev_count(&c.s, pp, pp, SWT_EV_COUNT, "parent_count",
				   &sum), 2);
	assert_int_equal(sum, 2);
	assert_int_equal(tev_count(&c.s, pp, 0, 0, "child_count", NULL), 0);
	/* child: a fresh connection and rings, nothing of its parent's */
	assert_int_equal(tev_count(&c.s, cp, 0, 0, NULL, NULL), 4);
	assert_int_equal(tev_count(&c.s, cp, cp, SWT_EV_COUNT, "child_count",
				   &sum), 1);
	assert_int_equal(sum, 7);
	assert_int_equal(tev_count(&c.s, cp, 0, SWT_EV_MARK, "child_mark",
				   NULL), 1);
	assert_int_equal(tev_count(&c.s, cp, 0, 0, "parent_count", NULL), 0);
	assert_int_equal(c.s.n_an, 0);
	assert_int_equal(c.s.n_dr, 0);
	swt_ingest_get_stats(ing, &st);
	assert_int_equal(st.accepted, 2);
	assert_int_equal(st.bad_clients, 0);
	assert_in_order(&c);
	swt_ingest_close(ing);
	tp_free(&ch);
	coll_free(&c);
}

static void test_exec(void **state)
{
	const char *argv[] = { app_c, "exec", NULL };
	struct swt_ingest *ing = open_ingest(NULL);
	struct swt_ingest_stats st;
	struct coll c = { 0 };
	struct tp_proc ch;
	const struct tan *a;
	int32_t pid;

	(void)state;
	run_app(ing, &ch, &c, argv, NULL);
	assert_exit0(&ch);
	pid = (int32_t)tp_val(ch.out.text, "pid");
	/* both images' events, same pid, two connections */
	assert_int_equal(tev_count(&c.s, pid, pid, SWT_EV_COUNT, "pre", NULL),
			 1);
	assert_int_equal(tev_count(&c.s, pid, pid, SWT_EV_COUNT, "post_exec",
				   NULL), 1);
	assert_int_equal(tev_count(&c.s, pid, pid, SWT_EV_BEGIN, "before_exec",
				   NULL), 1);
	assert_int_equal(c.s.n_ev, 3);
	/* the image was replaced inside a span */
	assert_int_equal(c.s.n_an, 1);
	a = tev_find_an(&c.s, "open-at-exit");
	assert_non_null(a);
	assert_string_equal(a->subject, "before_exec");
	swt_ingest_get_stats(ing, &st);
	assert_int_equal(st.accepted, 2);
	assert_in_order(&c);
	swt_ingest_close(ing);
	tp_free(&ch);
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
	struct tp_proc ch;
	size_t rounds = 0;
	int64_t deadline = tp_mono_ns() + (int64_t)TP_WAIT_MS * 1000000;

	(void)state;
	tp_start(&ch, argv, env, 0);
	while (rounds < 5 && tp_mono_ns() < deadline) {
		struct pollfd pfd = { swt_ingest_get_fd(ing), POLLIN, 0 };

		poll(&pfd, 1, 5);
		assert_ok(swt_ingest_service(ing));
		assert_ok(swt_ingest_drain(ing, tp_mono_ns(), count_rounds,
					   &rounds));
	}
	assert_true(rounds >= 5);
	swt_ingest_close(ing);	/* the recorder goes away mid-run */
	if (!tp_wait_until(&ch, deadline)) {
		tp_kill(&ch, false);
		fail_msg("the application blocked after the recorder left");
	}
	tp_read_rest(&ch, deadline);
	assert_exit0(&ch);	/* no SIGPIPE, no abort */
	if (tp_val(ch.out.text, "detected") != 1 ||
	    tp_val(ch.out.text, "enabled") != 0)
		fail_msg("still enabled after the recorder left:\n%s",
			 ch.out.text);
	assert_int_equal(tp_val(ch.out.text, "flush"), SWT_EIO);
	tp_free(&ch);
}

static void test_ring_full_counted(void **state)
{
	const char *argv[] = { app_c, "burst", "100000", NULL };
	struct swt_ingest *ing = open_ingest(NULL);
	const char *env[3] = { swt_ingest_get_env(ing),
			       SWT_WIRE_ENV_RING "=1024", NULL };
	struct swt_ingest_stats st;
	struct coll c = { 0 };
	struct tp_proc ch;
	uint64_t dropped;

	(void)state;
	/* Nobody reads while it records: the ring fills, the rest is
	 * dropped and counted, and the program is not slowed down. */
	tp_start(&ch, argv, env, 0);
	assert_int_equal(waitpid(ch.pid, &ch.status, 0), ch.pid);
	ch.exited = true;
	run(ing, &ch, &c);
	assert_exit0(&ch);
	dropped = (uint64_t)tp_val(ch.out.text, "dropped");
	assert_int_equal(c.s.n_ev, 1024);
	assert_int_equal(dropped, 100000 - 1024);
	assert_int_equal(c.s.n_dr, 1);
	assert_string_equal(c.s.dr[0].reason, "ring-full");
	assert_int_equal(c.s.dr[0].dropped, dropped);
	assert_int_equal(c.s.dr[0].total, dropped);
	assert_int_equal(c.s.dr[0].pid, tp_val(ch.out.text, "pid"));
	swt_ingest_get_stats(ing, &st);
	assert_int_equal(st.dropped, dropped);
	swt_ingest_close(ing);
	tp_free(&ch);
	coll_free(&c);
}

static void test_drain_until(void **state)
{
	const char *argv[] = { app_c, "burst", "1000", NULL };
	struct swt_ingest *ing = open_ingest(NULL);
	const char *env[2] = { swt_ingest_get_env(ing), NULL };
	struct coll c = { 0 };
	struct tp_proc ch;
	int64_t t0 = tp_mono_ns();

	(void)state;
	tp_start(&ch, argv, env, 0);
	assert_int_equal(waitpid(ch.pid, &ch.status, 0), ch.pid);
	ch.exited = true;
	assert_ok(swt_ingest_service(ing));
	assert_ok(swt_ingest_service(ing));
	/* nothing happened before t0: nothing may come out */
	c.until = t0;
	assert_ok(swt_ingest_drain(ing, t0, collect, &c));
	assert_int_equal(c.s.n_ev, 0);
	run(ing, &ch, &c);
	assert_exit0(&ch);
	assert_int_equal(c.s.n_ev, 1000);
	assert_true(c.s.ev[0].t > t0);
	assert_in_order(&c);
	swt_ingest_close(ing);
	tp_free(&ch);
	coll_free(&c);
}

/* ---- hostile clients --------------------------------------------------- */

static void send_inline_hello(int fd)
{
	struct swt_wire_hello h;

	memset(&h, 0, sizeof(h));
	swt_wire_msg_hdr_init(&h.h, SWT_WIRE_HELLO, sizeof(h));
	h.pid = (int32_t)getpid();
	h.flags = SWT_WIRE_F_INLINE;
	assert_int_equal(send(fd, &h, sizeof(h), MSG_NOSIGNAL), sizeof(h));
}

struct served {
	struct swt_ingest *ing;
	struct coll *c;
};

static void serve_cb(void *arg)
{
	struct served *sv = arg;

	serve(sv->ing, sv->c);
}

/* Serve the ingest until the peer of fd sees the connection closed. */
static bool cut_off(struct swt_ingest *ing, int fd, struct coll *c)
{
	struct served sv = { ing, c };

	return tp_cut_off(fd, serve_cb, &sv);
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
	struct tp_proc ch;
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
	fd = tp_connect(swt_ingest_get_path(ing));
	assert_true(fd >= 0);
	assert_int_equal(send(fd, garbage, sizeof(garbage), MSG_NOSIGNAL),
			 sizeof(garbage));
	assert_true(cut_off(ing, fd, &c));
	close(fd);

	/* oversized message */
	big = calloc(1, 70000);
	assert_non_null(big);
	swt_wire_msg_hdr_init((struct swt_wire_msg_hdr *)(void *)big,
			      SWT_WIRE_EVENTS, 70000);
	fd = tp_connect(swt_ingest_get_path(ing));
	assert_true(fd >= 0);
	send_inline_hello(fd);
	assert_int_equal(send(fd, big, 70000, MSG_NOSIGNAL), 70000);
	assert_true(cut_off(ing, fd, &c));
	close(fd);
	free(big);

	/* a ring that is a pipe, not a sealed memfd */
	fd = tp_connect(swt_ingest_get_path(ing));
	assert_true(fd >= 0);
	memset(&hello, 0, sizeof(hello));
	swt_wire_msg_hdr_init(&hello.h, SWT_WIRE_HELLO, sizeof(hello));
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	send_fd_msg(fd, &hello, sizeof(hello), p[0], 1);
	memset(&ring, 0, sizeof(ring));
	swt_wire_msg_hdr_init(&ring.h, SWT_WIRE_RING, sizeof(ring));
	ring.tid = 1;
	send_fd_msg(fd, &ring, sizeof(ring), p[0], 2);
	assert_true(cut_off(ing, fd, &c));
	close(fd);
	close(p[0]);
	close(p[1]);

	/* flooding: more messages per second than allowed */
	fd = tp_connect(swt_ingest_get_path(ing));
	assert_true(fd >= 0);
	send_inline_hello(fd);
	memset(&evm, 0, sizeof(evm));
	swt_wire_msg_hdr_init(&evm.h, SWT_WIRE_EVENTS, sizeof(evm));
	for (i = 0; i < 100; i++)
		if (send(fd, &evm, sizeof(evm), MSG_NOSIGNAL | MSG_DONTWAIT) <
		    0)
			break;
	assert_true(cut_off(ing, fd, &c));
	close(fd);

	swt_ingest_get_stats(ing, &st);
	assert_int_equal(st.bad_clients, 4);
	assert_int_equal(tev_count_an(&c.s, "bad-client", "malformed", 0), 2);
	assert_int_equal(tev_count_an(&c.s, "bad-client", "oversized", 0), 1);
	assert_int_equal(tev_count_an(&c.s, "bad-client", "flooding", 0), 1);

	/* ... and the ingest still works for a real program */
	run_app(ing, &ch, &c, argv, NULL);
	assert_exit0(&ch);
	assert_int_equal(tev_count(&c.s, (int32_t)tp_val(ch.out.text, "pid"), 0,
				   0, NULL, NULL), 8 * 100 + 2);
	swt_ingest_get_stats(ing, &st);
	assert_int_equal(st.bad_clients, 4);
	assert_in_order(&c);
	swt_ingest_close(ing);
	tp_free(&ch);
	coll_free(&c);
}

/* A hand-made C client: a process block naming id 1 "okay", a ring with
 * the entries given, published up to `head`. The ingest must cut it off
 * (bad), or else take its events once it hangs up. */
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

static uint32_t forge_clock;	/* the forged ring's clock field */

static void forge_client_as(struct swt_ingest *ing, struct coll *c,
			    const struct swt_wire_entry *ents, size_t n,
			    uint64_t head, bool bad)
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
	ring->clock = forge_clock;
	e = (struct swt_wire_entry *)((char *)rmap + SWT_WIRE_HDR_SIZE);
	for (i = 0; i < n; i++)
		e[i] = ents[i];
	atomic_store(&ring->head, head);
	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	assert_true(efd >= 0);

	fd = tp_connect(swt_ingest_get_path(ing));
	assert_true(fd >= 0);
	memset(&hello, 0, sizeof(hello));
	swt_wire_msg_hdr_init(&hello.h, SWT_WIRE_HELLO, sizeof(hello));
	hello.pid = (int32_t)getpid();
	send_fd_msg(fd, &hello, sizeof(hello), pfd, 1);
	memset(&rm, 0, sizeof(rm));
	swt_wire_msg_hdr_init(&rm.h, SWT_WIRE_RING, sizeof(rm));
	rm.tid = ring->tid;
	{
		int two[2] = { rfd, efd };

		send_fds_msg(fd, &rm, sizeof(rm), two, 2);
	}
	if (bad) {
		assert_true(cut_off(ing, fd, c));
		close(fd);
	} else {
		close(fd);
		serve_to_end(ing, c);
	}
	close(pfd);
	close(rfd);
	close(efd);
	munmap(pm, psize);
	munmap(rmap, rsize);
}

static void forge_client(struct swt_ingest *ing, struct coll *c,
			 const struct swt_wire_entry *ents, size_t n,
			 uint64_t head)
{
	forge_client_as(ing, c, ents, n, head, true);
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
	ok.t_ns = tp_mono_ns();
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
	/* a negative CPU time, a negative RSS (swt_wire.h: violations) */
	ents[1] = ok;
	ents[1].kind = SWT_EV_BEGIN;
	ents[1].value = -1;
	forge_client(ing, &c, ents, 2, 2);
	ents[1].kind = (uint32_t)SWT_EV_RSS;
	ents[1].value = INT64_MIN;
	forge_client(ing, &c, ents, 2, 2);
	swt_ingest_get_stats(ing, &st);
	assert_int_equal(st.bad_clients, 5);
	assert_int_equal(tev_count_an(&c.s, "bad-client", "malformed", 0), 5);
	assert_non_null(strstr(c.s.an[c.s.n_an - 2].detail,
			       "negative cpu time -1"));
	assert_non_null(strstr(c.s.an[c.s.n_an - 1].detail, "negative rss"));
	assert_int_equal(tev_count(&c.s, 0, 0, SWT_EV_COUNT, "okay", &sum), 4);
	assert_int_equal(sum, 20);
	assert_int_equal(tev_count(&c.s, 0, 0, SWT_EV_BEGIN, NULL, NULL), 0);
	assert_int_equal(tev_count(&c.s, 0, 0, (int)SWT_EV_RSS, NULL, NULL),
			 0);
	assert_int_equal(st.pending, 0);
	assert_in_order(&c);
	swt_ingest_close(ing);
	coll_free(&c);
}

/* ---- the event clock (issue 17) ---------------------------------------- */

/* How far a converted time may be from CLOCK_MONOTONIC in these tests:
 * the conversion's own error is far below (tens of ns to a few µs,
 * docs/performance.md, "libswtrace with the TSC"); the margin is for a
 * loaded machine, where the first calibration's 10 ms baseline may be
 * taken across a preemption. */
#define CLOCK_TOL_NS 50000

/* trace_app "clock": each "clock" event's time lies between its own
 * value (CLOCK_MONOTONIC read right before it) and the next event's of
 * the same thread (read right after it), within CLOCK_TOL_NS. An event
 * whose time the ingest raised (stats.late: its thread was preempted
 * between stamping and publishing while the drain went past) may be
 * later than that: at most `late` of them. */
static void check_clock_events(const struct coll *c, long per_thread,
			       int threads, uint64_t late)
{
	struct {
		int32_t tid;
		long n;
		int64_t prev_t;
	} th[16];
	int n_th = 0, i;
	uint64_t over = 0;
	size_t k;

	for (k = 0; k < c->s.n_ev; k++) {
		const struct tev *e = &c->s.ev[k];

		if (strcmp(e->name, "clock") != 0)
			continue;
		for (i = 0; i < n_th && th[i].tid != e->tid; i++)
			;
		if (i == n_th) {
			assert_true(n_th < 16);
			th[n_th].tid = e->tid;
			th[n_th].n = 0;
			n_th++;
		}
		if (e->t < e->value - CLOCK_TOL_NS)
			fail_msg("event at %lld, before the clock read before "
				 "it (%lld) by %lld ns", (long long)e->t,
				 (long long)e->value,
				 (long long)(e->value - e->t));
		if (th[i].n && th[i].prev_t > e->value + CLOCK_TOL_NS)
			over++;
		th[i].prev_t = e->t;
		th[i].n++;
	}
	assert_int_equal(n_th, threads);
	for (i = 0; i < n_th; i++)
		assert_int_equal(th[i].n, per_thread + 1);
	if (over > late)
		fail_msg("%llu events later than the clock read after them "
			 "(%llu raised by the ingest)",
			 (unsigned long long)over, (unsigned long long)late);
}

/* trace_app "clock" on two threads against an ingest of clock `clock`,
 * the client given the ingest's SWT_TRACE_CLOCK, or clock_env when not
 * NULL (another recorder's); want_tsc: the ingest offers the TSC. */
static void run_clock_app(int clock, bool want_tsc, const char *clock_env)
{
	const long n = 20000;
	const char *argv[] = { app_c, "clock", "2", "20000", NULL };
	struct swt_ingest_opts o;
	struct swt_ingest *ing;
	struct swt_ingest_stats st;
	struct swt_tsc_info info;
	struct coll c = { 0 };
	struct tp_proc ch;
	const char *env[4];

	swt_ingest_opts_init(&o);
	o.event_clock = clock;
	ing = open_ingest(&o);
	if (want_tsc && !swt_ingest_get_tsc(ing, NULL, &info)) {
		swt_ingest_close(ing);
		skip();		/* this machine's TSC is not trusted */
	}
	assert_int_equal(swt_ingest_get_tsc(ing, NULL, NULL), want_tsc);
	if (want_tsc) {
		/* "tsc:" and this ingest's own socket */
		char want[256];

		snprintf(want, sizeof(want), "SWT_TRACE_CLOCK=tsc:%s",
			 strchr(swt_ingest_get_env(ing), '=') + 1);
		assert_string_equal(swt_ingest_get_clock_env(ing), want);
	} else {
		assert_string_equal(swt_ingest_get_clock_env(ing),
				    "SWT_TRACE_CLOCK=monotonic");
	}
	env[0] = swt_ingest_get_env(ing);
	env[1] = clock_env ? clock_env : swt_ingest_get_clock_env(ing);
	env[2] = SWT_WIRE_ENV_RING "=65536";
	env[3] = NULL;
	tp_start(&ch, argv, env, 0);
	run(ing, &ch, &c);
	assert_exit0(&ch);
	assert_true(contains(ch.out.text, want_tsc ? "tsc 1\n" : "tsc 0\n"));
	assert_in_order(&c);
	swt_ingest_get_stats(ing, &st);
	assert_int_equal(st.events, 2 * (n + 1));
	assert_int_equal(st.dropped, 0);
	assert_int_equal(st.bad_clients, 0);
	check_clock_events(&c, n, 2, st.late);
	if (want_tsc) {
		assert_true(st.tsc_max_error_ns < CLOCK_TOL_NS);
		assert_int_equal(st.tsc_resets, 0);
	} else {
		assert_int_equal(st.tsc_calibrations, 0);
	}
	swt_ingest_close(ing);
	tp_free(&ch);
	coll_free(&c);
}

/* Told to, libswtrace stamps its events with the TSC, and the ingest's
 * conversion agrees with CLOCK_MONOTONIC read around each event, on two
 * threads (free to run on either CPU), merged in order. */
static void test_clock_tsc_agrees(void **state)
{
	(void)state;
	run_clock_app(SWT_EVENT_CLOCK_AUTO, true, NULL);
}

/* The fallback: an ingest that does not offer the TSC (where it is not
 * trusted, or swrec --event-clock=monotonic) tells the client so, and
 * its events are read with clock_gettime. */
static void test_clock_monotonic_fallback(void **state)
{
	(void)state;
	run_clock_app(SWT_EVENT_CLOCK_MONOTONIC, false, NULL);
}

/* A program that inherited another recorder's clock (a command launched
 * under swrec, whose child reports to a recorder of its own: a test
 * harness, `swrec --print-socket`) stamps its events with
 * CLOCK_MONOTONIC, and its recorder takes them: the value names another
 * socket, or is an older swrec's bare "tsc". Before, the library took
 * "tsc" from anyone, and the recorder refused its rings. */
static void test_clock_of_another_recorder_ignored(void **state)
{
	static const char *const foreign[] = {
		"SWT_TRACE_CLOCK=tsc:/tmp/swt.other/trace.sock",
		"SWT_TRACE_CLOCK=tsc",
	};
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(foreign) / sizeof(foreign[0]); k++)
		run_clock_app(SWT_EVENT_CLOCK_MONOTONIC, false, foreign[k]);
}

/* A ring stamped with the TSC is refused by an ingest that did not offer
 * it (it could not convert it), as is an unknown clock; one that was
 * offered it is converted. */
static void test_clock_ring_checked(void **state)
{
	struct swt_wire_entry ent = { 0, 5, 1, SWT_EV_COUNT };
	struct swt_ingest_opts o;
	struct swt_ingest *ing;
	struct swt_ingest_stats st;
	struct coll c = { 0 };
	int64_t before, after;

	(void)state;
	swt_ingest_opts_init(&o);
	o.event_clock = SWT_EVENT_CLOCK_MONOTONIC;
	ing = open_ingest(&o);
	ent.t_ns = tp_mono_ns();
	forge_clock = SWT_WIRE_CLOCK_TSC;
	forge_client(ing, &c, &ent, 1, 1);
	swt_ingest_get_stats(ing, &st);
	assert_int_equal(st.bad_clients, 1);
	assert_non_null(strstr(c.s.an[c.s.n_an - 1].detail,
			       "ring clock 1 (not offered)"));
	assert_int_equal(tev_count(&c.s, 0, 0, SWT_EV_COUNT, NULL, NULL), 0);
	swt_ingest_close(ing);
	coll_free(&c);

	swt_ingest_opts_init(&o);
	ing = open_ingest(&o);
	if (!swt_ingest_get_tsc(ing, NULL, NULL)) {
		forge_clock = 0;
		swt_ingest_close(ing);
		skip();
	}
	forge_clock = 7;
	forge_client(ing, &c, &ent, 1, 1);
	swt_ingest_get_stats(ing, &st);
	assert_int_equal(st.bad_clients, 1);
	assert_non_null(strstr(c.s.an[c.s.n_an - 1].detail,
			       "ring clock 7 (unknown)"));
	forge_clock = SWT_WIRE_CLOCK_TSC;
	before = tp_mono_ns();
	ent.t_ns = (int64_t)swt_tsc_now();
	after = tp_mono_ns();
	forge_client_as(ing, &c, &ent, 1, 1, false);
	forge_clock = 0;
	swt_ingest_get_stats(ing, &st);
	assert_int_equal(st.bad_clients, 1);
	assert_int_equal(tev_count(&c.s, 0, 0, SWT_EV_COUNT, "okay", NULL),
			 1);
	assert_true(c.s.ev[c.s.n_ev - 1].t >= before - CLOCK_TOL_NS);
	/* (the ring reaches the ingest after a drain went past the event:
	 * then its time is raised to that drain's, and counted late) */
	assert_true(c.s.ev[c.s.n_ev - 1].t <= after + CLOCK_TOL_NS ||
		    st.late == 1);
	swt_ingest_close(ing);
	coll_free(&c);
}

/* Issue 11 item 2, ring side: an event stamped far in the future (or
 * long before the session) is dropped and counted; it does not hold back
 * the thread's later events, which are all emitted. */
static void test_ring_event_outside_the_clock_counted(void **state)
{
	struct swt_wire_entry ents[4];
	struct swt_ingest *ing = open_ingest(NULL);
	struct swt_ingest_stats st;
	struct coll c = { 0 };
	const struct tan *a;
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		ents[i] = (struct swt_wire_entry){ tp_mono_ns(), 1, 1,
						   SWT_EV_COUNT };
	}
	ents[0].t_ns = INT64_MAX;
	ents[2].t_ns = 5;
	forge_client_as(ing, &c, ents, 4, 4, false);
	swt_ingest_get_stats(ing, &st);
	assert_int_equal(st.bad_clients, 0);
	assert_int_equal(tev_count(&c.s, 0, 0, SWT_EV_COUNT, "okay", NULL), 2);
	assert_int_equal(st.dropped, 2);
	assert_int_equal(c.s.max_total_dropped, 2);
	assert_string_equal(c.s.dr[c.s.n_dr - 1].reason, "bad-time");
	a = tev_find_an(&c.s, "bad-time");
	assert_non_null(a);
	assert_true(contains(a->detail, "9223372036854775807"));
	assert_int_equal(tev_count_an(&c.s, "bad-time", NULL, 0), 1);
	assert_int_equal(st.pending, 0);
	assert_in_order(&c);
	swt_ingest_close(ing);
	coll_free(&c);
}

/* A ring as libswtrace makes it, with `head` events published and
 * `dropped` lost; its memfd (mapped at *map, size *size). */
static int forge_ring(int32_t tid, uint64_t head, uint64_t dropped,
		      void **map, size_t *size)
{
	struct swt_wire_ring *ring;
	int fd;

	*size = SWT_WIRE_HDR_SIZE + 1024 * sizeof(struct swt_wire_entry);
	fd = sealed_memfd(*size, map);
	ring = *map;
	ring->magic = SWT_WIRE_RING_MAGIC;
	ring->version = SWT_WIRE_VERSION;
	ring->hdr_size = SWT_WIRE_HDR_SIZE;
	ring->entry_size = sizeof(struct swt_wire_entry);
	ring->capacity = 1024;
	ring->tid = tid;
	atomic_store(&ring->head, head);
	atomic_store(&ring->dropped, dropped);
	return fd;
}

/* Issue 11 item 3, ring side: the events a client writes into rings the
 * ingest refused (past max_threads) are counted as dropped, from the
 * rings' counters, including what it writes after the refusal. */
static void test_refused_rings_events_counted(void **state)
{
	struct swt_ingest_opts o;
	struct swt_ingest *ing;
	struct swt_ingest_stats st;
	struct coll c = { 0 };
	struct swt_wire_hello hello;
	struct swt_wire_proc *proc;
	struct swt_wire_entry *e;
	void *pm, *rmap[3];
	size_t psize = SWT_WIRE_HDR_SIZE + 16 * 8 + 1024, rsize[3];
	uint64_t heads[3] = { 2, 500, 1024 }, drops[3] = { 0, 7, 100 };
	int64_t deadline = tp_mono_ns() + (int64_t)TP_WAIT_MS * 1000000;
	int fd, pfd, rfd[3], efd[3];
	size_t i;

	(void)state;
	swt_ingest_opts_init(&o);
	o.max_threads = 1;
	ing = open_ingest(&o);
	pfd = sealed_memfd(psize, &pm);
	proc = pm;
	proc->magic = SWT_WIRE_PROC_MAGIC;
	proc->version = SWT_WIRE_VERSION;
	proc->size = (uint32_t)psize;
	proc->max_names = 16;
	proc->arena_off = SWT_WIRE_HDR_SIZE + 16 * 8;
	proc->arena_size = 1024;
	proc->pid = (int32_t)getpid();
	((struct swt_wire_name *)((char *)pm + SWT_WIRE_HDR_SIZE))[0] =
		(struct swt_wire_name){ 0, 4 };
	memcpy((char *)pm + proc->arena_off, "okay", 5);
	atomic_store(&proc->n_names, 1);
	for (i = 0; i < 3; i++) {
		rfd[i] = forge_ring((int32_t)(gettid() + (pid_t)i), heads[i],
				    drops[i], &rmap[i], &rsize[i]);
		efd[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		assert_true(efd[i] >= 0);
	}
	e = (struct swt_wire_entry *)((char *)rmap[0] + SWT_WIRE_HDR_SIZE);
	e[0] = (struct swt_wire_entry){ tp_mono_ns(), 1, 1, SWT_EV_COUNT };
	e[1] = e[0];

	fd = tp_connect(swt_ingest_get_path(ing));
	assert_true(fd >= 0);
	memset(&hello, 0, sizeof(hello));
	swt_wire_msg_hdr_init(&hello.h, SWT_WIRE_HELLO, sizeof(hello));
	hello.pid = (int32_t)getpid();
	send_fd_msg(fd, &hello, sizeof(hello), pfd, 1);
	for (i = 0; i < 3; i++) {
		struct swt_wire_ring_msg rm;
		int two[2] = { rfd[i], efd[i] };

		memset(&rm, 0, sizeof(rm));
		swt_wire_msg_hdr_init(&rm.h, SWT_WIRE_RING, sizeof(rm));
		rm.tid = ((struct swt_wire_ring *)rmap[i])->tid;
		send_fds_msg(fd, &rm, sizeof(rm), two, 2);
	}
	do {
		if (tp_mono_ns() > deadline)
			fail_msg("the rings were not handed over");
		serve(ing, &c);
		swt_ingest_get_stats(ing, &st);
		assert_int_equal(st.bad_clients, 0);
	} while (st.rings + st.rings_refused < 3);
	assert_int_equal(st.rings, 1);
	assert_int_equal(st.rings_refused, 2);
	/* the client goes on writing into a refused ring, then exits */
	atomic_fetch_add(&((struct swt_wire_ring *)rmap[1])->head, 30);
	close(fd);
	serve_to_end(ing, &c);
	swt_ingest_get_stats(ing, &st);
	assert_int_equal(tev_count(&c.s, 0, 0, SWT_EV_COUNT, "okay", NULL), 2);
	assert_int_equal(st.dropped, 507 + 30 + 1124);
	assert_int_equal(c.s.max_total_dropped, 507 + 30 + 1124);
	assert_string_equal(c.s.dr[c.s.n_dr - 1].reason, "thread-refused");
	assert_int_equal(tev_count_an(&c.s, "ring-refused", NULL, 0), 1);
	assert_in_order(&c);
	for (i = 0; i < 3; i++) {
		close(rfd[i]);
		close(efd[i]);
		munmap(rmap[i], rsize[i]);
	}
	close(pfd);
	munmap(pm, psize);
	swt_ingest_close(ing);
	coll_free(&c);
}

/* Span CPU times and RSS readings pass through unchanged, in order; a
 * mark's value is dropped (swt_wire.h). */
static void test_measured_values_pass(void **state)
{
	static const struct swt_wire_entry ents[] = {
		{ 0, 90112, 1, SWT_WIRE_EV_RSS },
		{ 0, 1234567, 1, SWT_WIRE_EV_BEGIN },
		{ 5, 7, 1, SWT_WIRE_EV_MARK },
		{ 9, 51234567, 1, SWT_WIRE_EV_END },
		{ 9, 98304, 1, SWT_WIRE_EV_RSS },
		{ 10, 0, 1, SWT_WIRE_EV_BEGIN },	/* not measured */
		{ 11, 0, 1, SWT_WIRE_EV_END },
	};
	static const int64_t want[] = { 90112, 1234567, 0, 51234567, 98304,
					0, 0 };
	struct swt_wire_entry e[sizeof(ents) / sizeof(ents[0])];
	struct swt_ingest *ing = open_ingest(NULL);
	struct swt_ingest_stats st;
	struct coll c = { 0 };
	/* ahead of every drain until the ring is read: no time raised */
	int64_t t0 = tp_mono_ns() + 100000000;
	size_t i, n = sizeof(ents) / sizeof(ents[0]);

	(void)state;
	for (i = 0; i < n; i++) {
		e[i] = ents[i];
		e[i].t_ns += t0;
	}
	forge_client_as(ing, &c, e, n, n, false);
	swt_ingest_get_stats(ing, &st);
	assert_int_equal(st.bad_clients, 0);
	assert_int_equal(c.s.n_ev, n);
	for (i = 0; i < n; i++) {
		assert_int_equal(c.s.ev[i].kind, (int)ents[i].kind);
		assert_int_equal(c.s.ev[i].value, want[i]);
		assert_int_equal(c.s.ev[i].t, e[i].t_ns);
		assert_string_equal(c.s.ev[i].name, "okay");
	}
	assert_int_equal(c.s.n_an, 0);
	swt_ingest_close(ing);
	coll_free(&c);
}

/* Inline (swtrace.py) messages: an RSS reading and a measured BEGIN pass
 * (kind 5 is accepted), a negative CPU time gets the client cut off. */
static void test_inline_measured_values(void **state)
{
	struct swt_ingest *ing = open_ingest(NULL);
	struct swt_ingest_stats st;
	struct coll c = { 0 };
	unsigned char m[sizeof(struct swt_wire_events) + 8 + 4 +
			3 * SWT_WIRE_ITEM_EVENT_SIZE];
	static const uint8_t kinds[3] = { SWT_WIRE_EV_RSS, SWT_WIRE_EV_BEGIN,
					  SWT_WIRE_EV_END };
	const int64_t values[3] = { 4096, 777, -5 };
	struct swt_wire_events eh;
	uint32_t id = 1;
	int32_t tid = (int32_t)gettid();
	int64_t t = tp_mono_ns();
	size_t off;
	int fd, k;

	(void)state;
	memset(m, 0, sizeof(m));
	memset(&eh, 0, sizeof(eh));
	swt_wire_msg_hdr_init(&eh.h, SWT_WIRE_EVENTS, sizeof(m));
	memcpy(m, &eh, sizeof(eh));
	off = sizeof(eh);
	m[off] = SWT_WIRE_ITEM_NAME;
	m[off + 1] = 4;
	memcpy(m + off + 4, &id, 4);
	memcpy(m + off + 8, "span", 4);
	off += 12;
	for (k = 0; k < 3; k++, off += SWT_WIRE_ITEM_EVENT_SIZE) {
		m[off] = SWT_WIRE_ITEM_EVENT;
		m[off + 1] = kinds[k];
		memcpy(m + off + 4, &tid, 4);
		memcpy(m + off + 8, &id, 4);
		memcpy(m + off + 12, &t, 8);
		memcpy(m + off + 20, &values[k], 8);
	}
	fd = tp_connect(swt_ingest_get_path(ing));
	assert_true(fd >= 0);
	send_inline_hello(fd);
	assert_int_equal(send(fd, m, sizeof(m), MSG_NOSIGNAL), sizeof(m));
	assert_true(cut_off(ing, fd, &c));
	close(fd);
	serve_to_end(ing, &c);
	swt_ingest_get_stats(ing, &st);
	assert_int_equal(st.bad_clients, 1);
	assert_int_equal(tev_count_an(&c.s, "bad-client", "malformed", 0), 1);
	/* the items before the bad one were taken */
	assert_int_equal(c.s.n_ev, 2);
	assert_int_equal(c.s.ev[0].kind, (int)SWT_EV_RSS);
	assert_int_equal(c.s.ev[0].value, 4096);
	assert_int_equal(c.s.ev[1].kind, SWT_EV_BEGIN);
	assert_int_equal(c.s.ev[1].value, 777);
	swt_ingest_close(ing);
	coll_free(&c);
}

/* A child that becomes nobody and talks to the ingest: connects, says
 * hello (and sends an event "uidx" if send_event), then waits for a byte
 * on its pipe *go, which the test writes once the ingest has dealt with
 * the connection, and looks whether it is still open. Exit status: 0
 * closed by the ingest, 1 still open, 2 connect() failed with EACCES,
 * 3 other failure. */
static pid_t as_nobody(const char *path, bool send_event, int *go)
{
	int gp[2];
	pid_t pid;

	assert_int_equal(pipe2(gp, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid != 0) {
		close(gp[0]);
		*go = gp[1];
		return pid;
	}
	close(gp[1]);
	if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)
		_exit(3);
	{
		struct swt_wire_hello h;
		char b[8];
		ssize_t n;
		int fd = tp_connect(path);

		if (fd < 0)
			_exit(errno == EACCES ? 2 : 3);
		memset(&h, 0, sizeof(h));
		swt_wire_msg_hdr_init(&h.h, SWT_WIRE_HELLO, sizeof(h));
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
			int64_t t = tp_mono_ns(), v = 5;

			memset(&eh, 0, sizeof(eh));
			swt_wire_msg_hdr_init(&eh.h, SWT_WIRE_EVENTS, sizeof(m));
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
		while (read(gp[0], b, 1) < 0 && errno == EINTR)
			;
		n = recv(fd, b, sizeof(b), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			_exit(0);
		_exit(n < 0 && errno == EAGAIN ? 1 : 3);
	}
}

/* Serve the ingest while the child of as_nobody() talks to it; once the
 * ingest has dealt with the connection (refused it, or emitted its
 * event), tell the child to look; its exit status, when the ingest has
 * taken everything. */
static int wait_child_serving(struct swt_ingest *ing, pid_t pid, int go,
			      struct coll *c)
{
	int64_t deadline = tp_mono_ns() + (int64_t)TP_WAIT_MS * 1000000;
	struct swt_ingest_stats st0, st;
	int status = -1;

	swt_ingest_get_stats(ing, &st0);
	for (;;) {
		struct pollfd pfd = { swt_ingest_get_fd(ing), POLLIN, 0 };
		bool exited = waitpid(pid, &status, WNOHANG) == pid;

		if (tp_mono_ns() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			fail_msg("the child of another user did not finish");
		}
		poll(&pfd, 1, 5);
		serve(ing, c);
		swt_ingest_get_stats(ing, &st);
		if (go >= 0 &&
		    (exited || st.refused_uid > st0.refused_uid ||
		     tev_count(&c->s, pid, 0, 0, "uidx", NULL))) {
			if (write(go, "g", 1) < 0) {
				/* it has exited already */
			}
			close(go);
			go = -1;
		}
		if (exited)
			break;
	}
	serve_to_end(ing, c);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void test_other_uid_refused(void **state)
{
	struct swt_ingest_opts o;
	struct swt_ingest *ing;
	struct swt_ingest_stats st;
	struct coll c = { 0 };
	char dir[PATH_MAX];
	pid_t pid;
	int go;

	(void)state;
	if (geteuid() != 0)
		skip();
	/* 1. the private directory keeps others out altogether */
	ing = open_ingest(NULL);
	pid = as_nobody(swt_ingest_get_path(ing), false, &go);
	assert_int_equal(wait_child_serving(ing, pid, go, &c), 2);

	/* 2. past the directory (made reachable here on purpose), the
	 * peer's credentials are checked */
	snprintf(dir, sizeof(dir), "%s", swt_ingest_get_path(ing));
	*strrchr(dir, '/') = '\0';
	assert_int_equal(chmod(dir, 0711), 0);
	assert_int_equal(chmod(swt_ingest_get_path(ing), 0666), 0);
	pid = as_nobody(swt_ingest_get_path(ing), true, &go);
	assert_int_equal(wait_child_serving(ing, pid, go, &c), 0);
	swt_ingest_get_stats(ing, &st);
	assert_int_equal(st.refused_uid, 1);
	assert_int_equal(st.accepted, 0);
	assert_int_equal(tev_count_an(&c.s, "refused-client", "uid", 0), 1);
	assert_int_equal(c.s.n_ev, 0);
	swt_ingest_close(ing);

	/* 3. unless the recorder was told to allow it */
	swt_ingest_opts_init(&o);
	o.allow_other_uids = true;
	ing = open_ingest(&o);
	pid = as_nobody(swt_ingest_get_path(ing), true, &go);
	assert_int_equal(wait_child_serving(ing, pid, go, &c), 1);
	swt_ingest_get_stats(ing, &st);
	assert_int_equal(st.refused_uid, 0);
	assert_int_equal(st.accepted, 1);
	assert_int_equal(tev_count(&c.s, pid, 0, SWT_EV_COUNT, "uidx", NULL),
			 1);
	swt_ingest_close(ing);
	coll_free(&c);
}

/* ---- Python client ----------------------------------------------------- */

static char py_env[PATH_MAX + 16];

static void run_py(struct swt_ingest *ing, struct tp_proc *ch, struct coll *c,
		   const char *scenario, const char *n, bool traced)
{
	const char *argv[] = { python3, app_py, scenario, n, NULL };
	/* no __pycache__ in the source tree */
	const char *env[4] = { "PYTHONDONTWRITEBYTECODE=1", py_env,
			       traced ? swt_ingest_get_env(ing) : NULL, NULL };

	snprintf(py_env, sizeof(py_env), "PYTHONPATH=%s", py_dir);
	tp_start(ch, argv, env, 0);
	run(ing, ch, c);
}

static void test_python_events(void **state)
{
	const long n = 3000;
	struct swt_ingest *ing = open_ingest(NULL);
	struct coll c = { 0 };
	struct tp_proc ch;

	(void)state;
	run_py(ing, &ch, &c, "basic", "3000", true);
	assert_exit0(&ch);
	/* the recorder took everything (after waiting for it) */
	assert_int_equal(tp_val(ch.out.text, "flush"), 1);
	tev_check_basic(&c.s, ch.out.text, n, true);
	assert_in_order(&c);
	swt_ingest_close(ing);
	tp_free(&ch);
	coll_free(&c);
}

static void test_python_noop(void **state)
{
	struct swt_ingest *ing = open_ingest(NULL);
	struct swt_ingest_stats st;
	struct coll c = { 0 };
	struct tp_proc ch;

	(void)state;
	run_py(ing, &ch, &c, "noop", "0", false);
	assert_exit0(&ch);
	assert_int_equal(tp_val(ch.out.text, "enabled"), 0);
	swt_ingest_get_stats(ing, &st);
	assert_int_equal(st.accepted, 0);
	swt_ingest_close(ing);
	tp_free(&ch);
	coll_free(&c);
}

static void test_python_fork(void **state)
{
	struct swt_ingest *ing = open_ingest(NULL);
	struct coll c = { 0 };
	struct tp_proc ch;
	int32_t pp, cp;
	int64_t sum;

	(void)state;
	run_py(ing, &ch, &c, "fork", "0", true);
	assert_exit0(&ch);
	pp = (int32_t)tp_val(ch.out.text, "pid");
	cp = tp_tid(ch.out.text, "child");
	assert_int_equal(tev_count(&c.s, pp, 0, SWT_EV_COUNT, "parent_count",
				   &sum), 2);
	assert_int_equal(sum, 2);
	assert_int_equal(tev_count(&c.s, pp, 0, 0, NULL, NULL), 2);
	assert_int_equal(tev_count(&c.s, cp, cp, SWT_EV_COUNT, "child_count",
				   &sum), 1);
	assert_int_equal(sum, 7);
	assert_int_equal(tev_count(&c.s, cp, 0, 0, NULL, NULL), 1);
	assert_in_order(&c);
	swt_ingest_close(ing);
	tp_free(&ch);
	coll_free(&c);
}

static void test_python_names_bounded(void **state)
{
	struct swt_ingest *ing = open_ingest(NULL);
	struct coll c = { 0 };
	struct tp_proc ch;

	(void)state;
	run_py(ing, &ch, &c, "names", "10000", true);
	assert_exit0(&ch);
	assert_int_equal(c.s.n_ev, 10001);
	assert_int_equal(tev_count(&c.s, 0, 0, SWT_EV_COUNT, "name_4095", NULL),
			 1);
	assert_int_equal(tev_count(&c.s, 0, 0, SWT_EV_COUNT,
				   SWT_WIRE_OVERFLOW_NAME, NULL),
			 10001 - 4096);
	assert_int_equal(tev_count_an(&c.s, "name-overflow", NULL, 0), 1);
	swt_ingest_close(ing);
	tp_free(&ch);
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
		cmocka_unit_test(test_clock_tsc_agrees),
		cmocka_unit_test(test_clock_monotonic_fallback),
		cmocka_unit_test(test_clock_of_another_recorder_ignored),
		cmocka_unit_test(test_clock_ring_checked),
		cmocka_unit_test(test_hostile_clients),
		cmocka_unit_test(test_bad_ring_contents),
		cmocka_unit_test(test_ring_event_outside_the_clock_counted),
		cmocka_unit_test(test_refused_rings_events_counted),
		cmocka_unit_test(test_measured_values_pass),
		cmocka_unit_test(test_inline_measured_values),
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
