/* swt_testproc.h — child processes, their output and raw connections to
 * an event socket, for the tests that run instrumented programs
 * (tests/client/test_client.c, tests/e2e/test_e2e.c; the programs are in
 * tests/apps/). Include after swt_test.h.
 *
 * Every wait here is on something a process does (writes, exits, closes
 * a connection), under a deadline that is only reached when something is
 * broken: a loaded machine (or ASan) makes a test slower, not flaky. */
#ifndef SWT_TESTPROC_H
#define SWT_TESTPROC_H

#include <poll.h>
#include <signal.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

/* The deadline of every wait. */
#define TP_WAIT_MS 180000

static inline int64_t tp_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- a child and its output ------------------------------------------- */

/* What a child wrote on a pipe: kept up to cap - 1 bytes, NUL-terminated;
 * past that read and thrown away, so that the writer never blocks. */
struct tp_out {
	int fd;			/* non-blocking read end; -1 after EOF */
	char *text;
	size_t len;
	size_t cap;
};

struct tp_proc {
	pid_t pid;
	int pidfd;		/* readable once it exited (-1: none) */
	int in_fd;		/* its stdin's write end (TP_STDIN), or -1 */
	struct tp_out out;	/* its stdout */
	struct tp_out err;	/* its stderr (TP_STDERR; else fd -1) */
	bool exited;
	int status;		/* waitpid()'s, once exited */
};

enum {
	TP_STDIN = 1,		/* a pipe to its stdin (else ours) */
	TP_STDERR = 2,		/* a pipe from its stderr (else ours) */
	TP_GROUP = 4,		/* a process group of its own */
};

/* Exit code, or 128 + the signal that killed it. */
static inline int tp_code(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status)
				 : 128 + WTERMSIG(status);
}

static inline void tp_out_init(struct tp_out *o, int fd, size_t cap)
{
	o->fd = fd;
	o->len = 0;
	o->cap = cap;
	o->text = calloc(1, cap);
	assert_non_null(o->text);
	if (fd >= 0)
		fcntl(fd, F_SETFL, O_NONBLOCK);
}

/* Read what is there, without blocking. */
static inline void tp_out_read(struct tp_out *o)
{
	char sink[4096];
	ssize_t n;

	while (o->fd >= 0) {
		if (o->len < o->cap - 1) {
			n = read(o->fd, o->text + o->len, o->cap - 1 - o->len);
			if (n > 0)
				o->len += (size_t)n;
		} else {
			n = read(o->fd, sink, sizeof(sink));
		}
		if (n == 0 || (n < 0 && errno != EINTR)) {
			if (n == 0) {
				close(o->fd);
				o->fd = -1;
			}
			break;
		}
	}
	o->text[o->len] = '\0';
}

/* Start argv[0] with argv: SIGPIPE at its default action, swrec's
 * SWT_TRACE_* variables removed from its environment and the entries of
 * env ("K=V", may be NULL) added; stdout a pipe to p->out, stdin and stderr
 * pipes too as flags say. */
static inline void tp_start(struct tp_proc *p, const char *const *argv,
			    const char *const *env, unsigned flags)
{
	int in[2] = { -1, -1 }, out[2], err[2] = { -1, -1 };

	memset(p, 0, sizeof(*p));
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	if (flags & TP_STDIN)
		assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	if (flags & TP_STDERR)
		assert_int_equal(pipe2(err, O_CLOEXEC), 0);
	p->pid = fork();
	assert_true(p->pid >= 0);
	if (p->pid == 0) {
		if (in[0] >= 0)
			dup2(in[0], 0);
		dup2(out[1], 1);
		if (err[1] >= 0)
			dup2(err[1], 2);
		signal(SIGPIPE, SIG_DFL);
		if (flags & TP_GROUP)
			setpgid(0, 0);
		/* (all of swrec's: a suite run under swrec hands them
		 * down, and env sets its own) */
		unsetenv("SWT_TRACE_SOCKET");
		unsetenv("SWT_TRACE_CLOCK");
		unsetenv("SWT_TRACE_SPAN_CPU");
		unsetenv("SWT_TRACE_SPAN_RSS");
		unsetenv("SWT_TRACE_RING_ENTRIES");
		for (; env && *env; env++)
			putenv((char *)(uintptr_t)*env);
		/* execv wants char *const []: the strings are not modified */
		execv(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	if (flags & TP_GROUP)
		setpgid(p->pid, p->pid);	/* no race with the child's */
	p->pidfd = pidfd_open(p->pid, 0);	/* -1: poll the pid instead */
	close(out[1]);
	tp_out_init(&p->out, out[0], 1 << 16);
	p->in_fd = -1;
	if (in[0] >= 0) {
		close(in[0]);
		p->in_fd = in[1];
	}
	if (err[0] >= 0)
		close(err[1]);
	tp_out_init(&p->err, err[0], 1 << 13);
}

/* Has it exited? (Reaps it if so.) */
static inline bool tp_reap(struct tp_proc *p)
{
	if (!p->exited && waitpid(p->pid, &p->status, WNOHANG) == p->pid)
		p->exited = true;
	return p->exited;
}

/* Wait up to timeout_ms for output or its exit; read what is there.
 * Whether it has exited. */
static inline bool tp_poll(struct tp_proc *p, int timeout_ms)
{
	struct pollfd f[3] = {
		{ p->out.fd, POLLIN, 0 },
		{ p->err.fd, POLLIN, 0 },
		{ p->exited ? -1 : p->pidfd, POLLIN, 0 },
	};

	/* without a pidfd, look at the pid now and then */
	if (!p->exited && p->pidfd < 0 && (timeout_ms < 0 || timeout_ms > 10))
		timeout_ms = 10;
	if (p->out.fd >= 0 || p->err.fd >= 0 || f[2].fd >= 0)
		poll(f, 3, timeout_ms);
	tp_out_read(&p->out);
	tp_out_read(&p->err);
	return tp_reap(p);
}

/* Until it exits (true) or the deadline (a tp_mono_ns() time) passes. */
static inline bool tp_wait_until(struct tp_proc *p, int64_t deadline)
{
	while (!tp_poll(p, 100))
		if (tp_mono_ns() > deadline)
			return false;
	return true;
}

/* Wait until pid (a child, or an orphan re-parented to a subreaper)
 * exits (true, its waitpid() status in *status), or the deadline
 * passes or it is not ours to wait for (false). */
static inline bool tp_wait_pid(pid_t pid, int *status, int64_t deadline)
{
	int fd = pidfd_open(pid, 0);
	pid_t w;

	while ((w = waitpid(pid, status, WNOHANG)) == 0 &&
	       tp_mono_ns() < deadline) {
		struct pollfd f = { fd, POLLIN, 0 };

		poll(&f, 1, fd >= 0 ? 100 : 10);
	}
	if (fd >= 0)
		close(fd);
	return w == pid;
}

/* Until both of its pipes are closed (by it and by whatever it left
 * running), or the deadline passes. */
static inline void tp_read_rest(struct tp_proc *p, int64_t deadline)
{
	while ((p->out.fd >= 0 || p->err.fd >= 0) && tp_mono_ns() < deadline)
		tp_poll(p, 100);
}

/* Kill it (its group with TP_GROUP) and reap it, if it still runs. */
static inline void tp_kill(struct tp_proc *p, bool group)
{
	if (p->exited)
		return;
	kill(group ? -p->pid : p->pid, SIGKILL);
	if (waitpid(p->pid, &p->status, 0) == p->pid)
		p->exited = true;
}

static inline void tp_free(struct tp_proc *p)
{
	if (p->in_fd >= 0)
		close(p->in_fd);
	if (p->out.fd >= 0)
		close(p->out.fd);
	if (p->err.fd >= 0)
		close(p->err.fd);
	if (p->pidfd >= 0)
		close(p->pidfd);
	free(p->out.text);
	free(p->err.text);
	memset(p, 0, sizeof(*p));
	p->in_fd = p->out.fd = p->err.fd = p->pidfd = -1;
}

/* Run argv to its end (as tp_start); its stdout into out[0..len) and its
 * exit code (tp_code). */
static inline int tp_run(const char *const *argv, const char *const *env,
			 char *out, size_t len)
{
	int64_t deadline = tp_mono_ns() + (int64_t)TP_WAIT_MS * 1000000;
	struct tp_proc p;
	int code;

	tp_start(&p, argv, env, 0);
	if (!tp_wait_until(&p, deadline)) {
		tp_kill(&p, false);
		fail_msg("%s did not exit, output:\n%s", argv[0], p.out.text);
	}
	tp_read_rest(&p, deadline);
	snprintf(out, len, "%s", p.out.text);
	code = tp_code(p.status);
	tp_free(&p);
	return code;
}

/* ---- what it said ----------------------------------------------------- */

/* The first line of `text` that is "key" or starts with "key " (or with
 * "key" when key ends with '='), pointing past the key and its space; NULL
 * if none. */
static inline const char *tp_line(const char *text, const char *key)
{
	size_t kl = strlen(key);
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, key, kl) && key[kl - 1] == '=')
			return p + kl;
		if (!strncmp(p, key, kl) && (p[kl] == ' ' || p[kl] == '\n'))
			return p + kl + (p[kl] == ' ');
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

/* The number on the line "key N" (the test fails, showing the text, if
 * there is none). */
static inline long long tp_val(const char *text, const char *key)
{
	const char *v = tp_line(text, key);

	if (!v)
		fail_msg("no \"%s\" line in:\n%s", key, text);
	return strtoll(v, NULL, 10);
}

/* The thread id on the line "tid ROLE T". */
static inline int32_t tp_tid(const char *text, const char *role)
{
	char key[64];

	snprintf(key, sizeof(key), "tid %s", role);
	return (int32_t)tp_val(text, key);
}

/* ---- raw connections --------------------------------------------------- */

/* A SOCK_SEQPACKET connection to path; -1 with errno if refused. */
static inline int tp_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	assert_true(strlen(path) < sizeof(sa.sun_path));
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Wait until the peer closes fd (true) or the deadline passes; between
 * looks, each(arg) if not NULL (a test that is the recorder itself
 * serves its ingest there). */
static inline bool tp_cut_off(int fd, void (*each)(void *), void *arg)
{
	int64_t deadline = tp_mono_ns() + (int64_t)TP_WAIT_MS * 1000000;
	char b[16];

	while (tp_mono_ns() < deadline) {
		struct pollfd p = { fd, POLLIN, 0 };

		if (each)
			each(arg);
		if (poll(&p, 1, each ? 5 : 100) > 0) {
			ssize_t n = recv(fd, b, sizeof(b), MSG_DONTWAIT);

			if (n == 0 || (n < 0 && errno == ECONNRESET))
				return true;
		}
	}
	return false;
}

#endif
