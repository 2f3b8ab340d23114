/* swt_bpfload.c — load a BPF program in a process of its own (see
 * swt_bpfload.h). */
#include "swt_bpfload.h"

#ifdef SWT_HAVE_BPF

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/libbpf.h>

/* What the loader sends: how it went, then the descriptors. */
struct load_msg {
	int err;		/* 0 or a positive errno */
	uint32_t flags;
	char msg[300];
};

/* libbpf's last warning, in the loader. */
static char last_msg[200];

static int print_fn(enum libbpf_print_level level, const char *fmt,
		    va_list ap) __attribute__((format(printf, 2, 0)));

static int print_fn(enum libbpf_print_level level, const char *fmt,
		    va_list ap)
{
	if (level == LIBBPF_WARN) {
		size_t n;

		vsnprintf(last_msg, sizeof(last_msg), fmt, ap);
		n = strlen(last_msg);
		while (n && (last_msg[n - 1] == '\n' || last_msg[n - 1] == ' '))
			last_msg[--n] = '\0';
	}
	return 0;
}

void swt_bpfload_quiet(void)
{
	last_msg[0] = '\0';
	libbpf_set_print(print_fn);
}

void swt_bpfload_answer(int sock, int err, uint32_t flags, const int *fds,
			int n_fds)
{
	struct load_msg m;
	struct msghdr mh;
	struct iovec iov = { &m, sizeof(m) };
	union {
		char buf[CMSG_SPACE(sizeof(int) * SWT_BPFLOAD_MAX_FDS)];
		struct cmsghdr align;
	} cm;

	memset(&m, 0, sizeof(m));
	m.flags = flags;
	if (err) {
		int e = err < 0 ? -err : err;

		m.err = e;
		snprintf(m.msg, sizeof(m.msg), "%s%s%s%s", strerror(e),
			 e == EPERM ? " (needs CAP_BPF and CAP_PERFMON: root)"
				    : "",
			 last_msg[0] ? ": " : "", last_msg);
		n_fds = 0;
	}
	if (n_fds > SWT_BPFLOAD_MAX_FDS)
		n_fds = SWT_BPFLOAD_MAX_FDS;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (n_fds > 0) {
		struct cmsghdr *c;

		memset(&cm, 0, sizeof(cm));
		mh.msg_control = cm.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)n_fds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n_fds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)n_fds);
	}
	_exit(sendmsg(sock, &mh, MSG_NOSIGNAL) < 0 ? 1 : 0);
}

int swt_bpfload_run(const char *who, swt_bpfload_fn fn, void *arg, int *fds,
		    int max_fds, int min_fds, uint32_t *flags,
		    int64_t *load_cpu_ns, char *errmsg, size_t errlen)
{
	struct load_msg m;
	struct iovec iov = { &m, sizeof(m) };
	union {
		char buf[CMSG_SPACE(sizeof(int) * SWT_BPFLOAD_MAX_FDS)];
		struct cmsghdr align;
	} cm;
	struct msghdr mh;
	struct cmsghdr *c;
	struct rusage ru;
	int sv[2], st = 0, n_fds = 0, i;
	ssize_t n;
	pid_t pid;

	*flags = 0;
	*load_cpu_ns = 0;
	if (max_fds > SWT_BPFLOAD_MAX_FDS)
		max_fds = SWT_BPFLOAD_MAX_FDS;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		snprintf(errmsg, errlen, "%s: socketpair: %s", who,
			 strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(errmsg, errlen, "%s: fork: %s", who, strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		close(sv[0]);
		fn(sv[1], arg);
		_exit(1);	/* (fn answers and exits) */
	}
	close(sv[1]);
	memset(&m, 0, sizeof(m));
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cm.buf;
	mh.msg_controllen = sizeof(cm.buf);
	do
		n = recvmsg(sv[0], &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	close(sv[0]);
	memset(&ru, 0, sizeof(ru));
	while (wait4(pid, &st, 0, &ru) < 0 && errno == EINTR)
		;
	*load_cpu_ns = ((int64_t)ru.ru_utime.tv_sec +
			(int64_t)ru.ru_stime.tv_sec) * 1000000000 +
		       ((int64_t)ru.ru_utime.tv_usec +
			(int64_t)ru.ru_stime.tv_usec) * 1000;
	for (c = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL; c;
	     c = CMSG_NXTHDR(&mh, c)) {
		int k, *got;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		got = (int *)(void *)CMSG_DATA(c);
		for (i = 0; i < k; i++) {
			if (n_fds < max_fds)
				fds[n_fds++] = got[i];
			else
				close(got[i]);	/* cannot be */
		}
	}
	m.msg[sizeof(m.msg) - 1] = '\0';
	if (n == (ssize_t)sizeof(m) && !m.err && n_fds >= min_fds) {
		*flags = m.flags;
		return n_fds;
	}
	if (n == (ssize_t)sizeof(m) && m.err)
		snprintf(errmsg, errlen, "%s: %s", who, m.msg);
	else
		snprintf(errmsg, errlen, "%s: the loader ended without an "
			 "answer (status %d)", who, st);
	for (i = 0; i < n_fds; i++)
		close(fds[i]);
	return -1;
}

#endif
