/* test_net.c — the network source (swt_net.h) over real sockets: two
 * child processes talk TCP over loopback, driven by pipes; what the
 * kernel's socket table says of them is compared with what they sent. */
#include "swt_test.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>

#include "swt_net.h"

/* tcp_info counts sequence space: the SYN of a connection the process
 * opened is one byte acknowledged, a FIN one byte each way. */
#define near(v, want) assert_true((v) >= (int64_t)(want) && \
				  (v) <= (int64_t)(want) + 2)

/* A child process holding one end of a TCP connection, doing what the
 * test asks through a pipe and answering through another. */
static pid_t test_pid;

struct agent {
	pid_t pid;
	int cmd, ack;		/* the test's ends */
};

static void put_all(int fd, const void *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w <= 0)
			_exit(3);
		p = (const char *)p + w;
		n -= (size_t)w;
	}
}

static void get_all(int fd, void *p, size_t n)
{
	while (n) {
		ssize_t r = read(fd, p, n);

		if (r <= 0)
			_exit(3);
		p = (char *)p + r;
		n -= (size_t)r;
	}
}

/* Commands: 'S' n: send n bytes (and wait for the peer's one-byte
 * receipt); 'R' n: receive n bytes (and send the receipt); 'F': fork a
 * child that holds the socket too (answers its pid); 'W' n: send n
 * bytes (at most 64 KiB) without a receipt; 'U': open a bound
 * UDP socket and a pair of unix sockets. Each is answered. */
static void agent_loop(int cmd, int ack, int sock)
{
	static char buf[1 << 16];
	char c;

	for (;;) {
		uint32_t n = 0;
		int32_t pid = 0;

		get_all(cmd, &c, 1);
		switch (c) {
		case 'S':
			get_all(cmd, &n, sizeof(n));
			for (uint32_t done = 0; done < n;) {
				uint32_t k = n - done < sizeof(buf) ?
						     n - done :
						     (uint32_t)sizeof(buf);

				put_all(sock, buf, k);
				done += k;
			}
			/* the receipt comes with the acknowledgement of all
			 * of it: the kernel's count is final when it is here */
			if (recv(sock, buf, 1, MSG_WAITALL) != 1)
				_exit(4);
			break;
		case 'W':	/* send, no receipt */
			get_all(cmd, &n, sizeof(n));
			memset(buf, 'w', n < sizeof(buf) ? n : sizeof(buf));
			put_all(sock, buf, n < sizeof(buf) ? n : sizeof(buf));
			break;
		case 'R':
			get_all(cmd, &n, sizeof(n));
			for (uint32_t done = 0; done < n;) {
				ssize_t r = recv(sock, buf, sizeof(buf), 0);

				if (r <= 0)
					_exit(4);
				done += (uint32_t)r;
			}
			put_all(sock, "r", 1);
			break;
		case 'F':
			pid = fork();
			if (pid == 0) {
				/* outlives the agent, not the test */
				while (kill(test_pid, 0) == 0)
					usleep(100000);
				_exit(0);
			}
			break;
		case 'U': {
			int u = socket(AF_INET, SOCK_DGRAM, 0), sp[2];
			struct sockaddr_in a = { .sin_family = AF_INET };

			a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			if (u < 0 || bind(u, (struct sockaddr *)&a,
					  sizeof(a)) < 0 ||
			    socketpair(AF_UNIX, SOCK_STREAM, 0, sp) < 0)
				_exit(5);
			break;
		}
		default:
			_exit(6);
		}
		put_all(ack, &pid, sizeof(pid));
	}
}

static int32_t agent_wait(struct agent *a);

static void agent_start(struct agent *a, int sock, int close_fd)
{
	int c[2], k[2];

	assert_int_equal(pipe(c), 0);
	assert_int_equal(pipe(k), 0);
	a->pid = fork();
	assert_true(a->pid >= 0);
	if (a->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(c[1]);
		close(k[0]);
		if (close_fd >= 0)
			close(close_fd);
		put_all(k[1], &(int32_t){ 0 }, sizeof(int32_t)); /* ready */
		agent_loop(c[0], k[1], sock);
	}
	close(c[0]);
	close(k[1]);
	a->cmd = c[1];
	a->ack = k[0];
	agent_wait(a);	/* it holds its end alone now */
}

/* Send a command; wait for its answer. */
static void agent_send(struct agent *a, char c, uint32_t n)
{
	assert_int_equal(write(a->cmd, &c, 1), 1);
	if (c == 'S' || c == 'R' || c == 'W')
		assert_int_equal(write(a->cmd, &n, sizeof(n)),
				 (ssize_t)sizeof(n));
}

static int32_t agent_wait(struct agent *a)
{
	int32_t pid;

	assert_int_equal(read(a->ack, &pid, sizeof(pid)), (ssize_t)sizeof(pid));
	return pid;
}

static int32_t agent_do(struct agent *a, char c, uint32_t n)
{
	agent_send(a, c, n);
	return agent_wait(a);
}

/* n bytes from a to b (both at once: a socket buffer holds less). */
static void transfer(struct agent *a, struct agent *b, uint32_t n)
{
	agent_send(a, 'S', n);
	agent_send(b, 'R', n);
	agent_wait(a);
	agent_wait(b);
}

static void agent_stop(struct agent *a)
{
	int st;

	kill(a->pid, SIGKILL);
	waitpid(a->pid, &st, 0);
	close(a->cmd);
	close(a->ack);
}

/* A connected pair: *tx the sending end's agent, *rx the receiving one's
 * (neither holds the listening socket). */
static void pair_start(struct agent *tx, struct agent *rx)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0), s, r;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(l >= 0);
	assert_int_equal(bind(l, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(l, 1), 0);
	assert_int_equal(getsockname(l, (struct sockaddr *)&a, &len), 0);
	s = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(s, (struct sockaddr *)&a, sizeof(a)), 0);
	r = accept(l, NULL, NULL);
	assert_true(r >= 0);
	close(l);
	agent_start(tx, s, r);
	agent_start(rx, r, s);
	close(s);
	close(r);
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read both ends (a round) until the sender's acknowledged bytes reach
 * want_tx (the last acknowledgement may trail the data by a moment). */
static void read_until(struct swt_net *n, struct agent *tx, struct agent *rx,
		       struct swt_net_proc *ptx, struct swt_net_proc *prx,
		       bool born, int64_t want_tx)
{
	int64_t deadline = mono_ms() + 10000;

	for (;;) {
		assert_ok(swt_net_refresh(n));
		assert_int_equal(swt_net_read_proc(n, tx->pid, born, -1, ptx), 1);
		assert_int_equal(swt_net_read_proc(n, rx->pid, born, -1, prx), 1);
		swt_net_end_round(n);
		if (ptx->tx >= want_tx || mono_ms() > deadline)
			return;
		usleep(10000);
	}
}

/* 4 MiB from one process to the other: sent by one, received by the
 * other, each with its socket counted by kind. */
static void loopback_tcp_bytes_per_process(void **state)
{
	struct swt_net *n;
	struct agent tx, rx;
	struct swt_net_proc ptx, prx;
	const uint32_t size = 4u << 20;
	char msg[200];
	const struct swt_netdev *devs;
	size_t n_devs, i;
	bool lo = false;

	(void)state;
	memset(&ptx, 0, sizeof(ptx));
	memset(&prx, 0, sizeof(prx));
	assert_ok(swt_net_open(&n, true, msg, sizeof(msg)));
	pair_start(&tx, &rx);
	agent_do(&tx, 'U', 0);
	/* a first round: both start from 0 (started in the session) */
	read_until(n, &tx, &rx, &ptx, &prx, true, 0);
	near(ptx.tx, 0);
	near(prx.rx, 0);
	transfer(&tx, &rx, size);
	read_until(n, &tx, &rx, &ptx, &prx, true, size);
	near(ptx.tx, size);
	near(ptx.rx, 1);	/* the receipt */
	near(prx.rx, size);
	assert_true(prx.tx <= 1);
	assert_int_equal(ptx.tcp, 1);
	assert_int_equal(ptx.udp, 1);
	assert_true(ptx.other >= 2);
	assert_int_equal(prx.tcp, 1);
	assert_int_equal(prx.udp, 0);
	/* the machine's loopback carried it */
	assert_ok(swt_net_devs(n, &devs, &n_devs));
	for (i = 0; i < n_devs; i++)
		if (!strcmp(devs[i].name, "lo")) {
			lo = true;
			assert_true(devs[i].rx_bytes >= size);
		}
	assert_true(lo);
	agent_stop(&tx);
	agent_stop(&rx);
	swt_net_proc_fini(&ptx);
	swt_net_proc_fini(&prx);
	swt_net_free(n);
}

/* A process older than the recording: its first reading is a base, only
 * what moves after it counts. */
static void older_process_starts_from_a_base(void **state)
{
	struct swt_net *n;
	struct agent tx, rx;
	struct swt_net_proc ptx, prx;
	char msg[200];

	(void)state;
	memset(&ptx, 0, sizeof(ptx));
	memset(&prx, 0, sizeof(prx));
	assert_ok(swt_net_open(&n, false, msg, sizeof(msg)));
	pair_start(&tx, &rx);
	transfer(&tx, &rx, 300000);
	read_until(n, &tx, &rx, &ptx, &prx, false, 0);
	assert_int_equal(ptx.tx, 0);
	assert_int_equal(prx.rx, 0);
	transfer(&tx, &rx, 100000);
	read_until(n, &tx, &rx, &ptx, &prx, false, 100000);
	near(ptx.tx, 100000);
	near(prx.rx, 100000);
	agent_stop(&tx);
	agent_stop(&rx);
	swt_net_proc_fini(&ptx);
	swt_net_proc_fini(&prx);
	swt_net_free(n);
}

/* A socket held by a process and the child it forked counts once; when
 * its first holder goes, the other carries it on from what was counted. */
static void shared_socket_counts_once(void **state)
{
	struct swt_net *n;
	struct agent tx, rx;
	struct swt_net_proc ptx, prx, pch;
	char msg[200];
	int32_t child;
	int st;

	(void)state;
	memset(&ptx, 0, sizeof(ptx));
	memset(&prx, 0, sizeof(prx));
	memset(&pch, 0, sizeof(pch));
	assert_ok(swt_net_open(&n, false, msg, sizeof(msg)));
	pair_start(&tx, &rx);
	child = agent_do(&tx, 'F', 0);
	assert_true(child > 0);
	transfer(&tx, &rx, 200000);
	read_until(n, &tx, &rx, &ptx, &prx, true, 200000);
	assert_ok(swt_net_refresh(n));
	assert_int_equal(swt_net_read_proc(n, tx.pid, true, -1, &ptx), 1);
	assert_int_equal(swt_net_read_proc(n, child, true, -1, &pch), 1);
	assert_int_equal(swt_net_read_proc(n, rx.pid, true, -1, &prx), 1);
	swt_net_end_round(n);
	near(ptx.tx + pch.tx, 200000);
	assert_int_equal(pch.tcp, 1);
	/* the sender goes (its child still holds the socket): the child
	 * carries it on */
	swt_net_release(n, tx.pid);
	kill(tx.pid, SIGKILL);
	waitpid(tx.pid, &st, 0);
	close(tx.cmd);
	close(tx.ack);
	agent_do(&rx, 'W', 50000);	/* the other way now */
	{
		int64_t deadline = mono_ms() + 10000, before = pch.rx;

		do {
			assert_ok(swt_net_refresh(n));
			assert_int_equal(
				swt_net_read_proc(n, child, true, -1, &pch), 1);
			swt_net_end_round(n);
		} while (pch.rx < before + 50000 && mono_ms() < deadline);
		near(pch.rx - before, 50000);
	}
	near(ptx.tx + pch.tx, 200000);
	kill(child, SIGKILL);
	agent_stop(&rx);
	swt_net_proc_fini(&ptx);
	swt_net_proc_fini(&prx);
	swt_net_proc_fini(&pch);
	swt_net_free(n);
}

/* A process that ran nothing since the last scan of its descriptors is
 * not scanned again; what its sockets received meanwhile still counts. */
static void idle_process_is_not_rescanned(void **state)
{
	struct swt_net *n;
	struct agent tx, rx;
	struct swt_net_proc ptx, prx;
	struct swt_net_stats st0, st1;
	char msg[200];
	int64_t deadline;

	(void)state;
	memset(&ptx, 0, sizeof(ptx));
	memset(&prx, 0, sizeof(prx));
	assert_ok(swt_net_open(&n, false, msg, sizeof(msg)));
	pair_start(&tx, &rx);
	assert_ok(swt_net_refresh(n));
	assert_int_equal(swt_net_read_proc(n, tx.pid, true, 7, &ptx), 1);
	assert_int_equal(swt_net_read_proc(n, rx.pid, true, 7, &prx), 1);
	swt_net_end_round(n);
	agent_do(&tx, 'W', 50000);	/* rx does not read it */
	swt_net_get_stats(n, &st0);
	deadline = mono_ms() + 10000;
	do {
		assert_ok(swt_net_refresh(n));
		/* the same CPU time: no scan */
		assert_int_equal(swt_net_read_proc(n, rx.pid, true, 7, &prx),
				 1);
		assert_int_equal(swt_net_read_proc(n, tx.pid, true, 7, &ptx),
				 1);
		swt_net_end_round(n);
		if (prx.rx < 50000)
			usleep(10000);
	} while (prx.rx < 50000 && mono_ms() < deadline);
	swt_net_get_stats(n, &st1);
	assert_int_equal(st1.fd_scans, st0.fd_scans);
	near(prx.rx, 50000);
	assert_int_equal(prx.tcp, 1);
	/* CPU moved: scanned again */
	assert_int_equal(swt_net_read_proc(n, rx.pid, true, 8, &prx), 1);
	swt_net_get_stats(n, &st1);
	assert_int_equal(st1.fd_scans, st0.fd_scans + 1);
	agent_stop(&tx);
	agent_stop(&rx);
	/* gone: not read. (Its CPU time is then no reading of this tick,
	 * which swt_net_read_proc() takes as proof that it is there: -1.) */
	assert_int_equal(swt_net_read_proc(n, rx.pid, true, -1, &prx), 0);
	swt_net_proc_fini(&ptx);
	swt_net_proc_fini(&prx);
	swt_net_free(n);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

#define N_OWN 700
static int own_files[N_OWN];

/* swt_net_own_fds(): our plain files, as swrec's kept /proc files */
static bool own_file(int fd, void *payload)
{
	int k;

	(void)payload;
	for (k = 0; k < N_OWN; k++)
		if (own_files[k] >= 0 && own_files[k] == fd)
			return true;
	return false;
}

/* swrec reads its own descriptors (it records itself with -a, and keeps
 * thousands of /proc files open) by fstat() of those it does not keep as
 * files (swt_net_own_fds()), not by the listing of /proc/self/fd that
 * other processes get: both find the sockets the links name, among 350
 * plain files and as many unused numbers. */
static void own_sockets_are_the_links_sockets(void **state)
{
	struct swt_net *n;
	struct swt_net_proc p;
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	uint64_t want[64];
	size_t n_want = 0, i;
	int *files = own_files, lis, cli, acc, udp, high, k, way;
	char msg[200], path[300], link[64];
	DIR *d;
	struct dirent *de;

	(void)state;
	memset(&p, 0, sizeof(p));
	/* (numbers left unused between them, and more than one poll()'s
	 * worth in all) */
	for (k = 0; k < N_OWN; k++)
		assert_true((files[k] = open("/dev/null", O_RDONLY)) >= 0);
	for (k = 0; k < N_OWN; k += 2) {
		close(files[k]);
		files[k] = -1;
	}
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true((lis = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	assert_int_equal(bind(lis, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(lis, 1), 0);
	assert_int_equal(getsockname(lis, (struct sockaddr *)&a, &alen), 0);
	assert_true((cli = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	assert_int_equal(connect(cli, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_true((acc = accept(lis, NULL, NULL)) >= 0);
	assert_true((udp = socket(AF_INET, SOCK_DGRAM, 0)) >= 0);
	/* one past the first poll()'s numbers (350 unused below 700, and
	 * those from 700 on) */
	assert_true((high = fcntl(udp, F_DUPFD_CLOEXEC, 900)) >= 900);
	assert_ok(swt_net_open(&n, false, msg, sizeof(msg)));
	/* what readlink() of each of our descriptors says */
	assert_non_null(d = opendir("/proc/self/fd"));
	while ((de = readdir(d)) != NULL) {
		ssize_t len;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		len = readlink(path, link, sizeof(link) - 1);
		if (len <= 0)
			continue;
		link[len] = '\0';
		if (strncmp(link, "socket:[", 8) == 0) {
			assert_true(n_want < 64);
			want[n_want++] = strtoull(link + 8, NULL, 10);
		}
	}
	closedir(d);
	assert_true(n_want >= 4);
	qsort(want, n_want, sizeof(want[0]), cmp_u64);
	for (way = 0; way < 2; way++) {
		if (way == 1)
			swt_net_own_fds(n, own_file, NULL);
		memset(&p, 0, sizeof(p));
		assert_ok(swt_net_refresh(n));
		assert_int_equal(swt_net_read_proc(n, (int32_t)getpid(), true,
						   -1, &p),
				 1);
		print_message("# %zu sockets among our descriptors, %zu "
			      "read %s\n",
			      n_want, p.n_inodes,
			      way ? "past our files" : "from the listing");
		assert_int_equal(p.n_inodes, n_want);
		qsort(p.inodes, p.n_inodes, sizeof(p.inodes[0]), cmp_u64);
		for (i = 0; i < n_want; i++)
			assert_int_equal(p.inodes[i], want[i]);
		/* the three TCP sockets are in the table */
		assert_true(p.tcp >= 3);
		swt_net_end_round(n);
		swt_net_proc_fini(&p);
	}
	close(lis);
	close(cli);
	close(acc);
	close(udp);
	close(high);
	for (k = 0; k < N_OWN; k++)
		if (files[k] >= 0)
			close(files[k]);
	swt_net_free(n);
}

/* A process that has gone: not read, not unavailable. */
static void gone_process_is_not_read(void **state)
{
	struct swt_net *n;
	struct swt_net_proc p;
	char msg[200];
	pid_t pid = fork();
	int st;

	(void)state;
	if (pid == 0)
		_exit(0);
	waitpid(pid, &st, 0);
	memset(&p, 0, sizeof(p));
	assert_ok(swt_net_open(&n, false, msg, sizeof(msg)));
	assert_ok(swt_net_refresh(n));
	assert_int_equal(swt_net_read_proc(n, pid, true, -1, &p), 0);
	assert_false(p.unavailable);
	swt_net_proc_fini(&p);
	swt_net_free(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(loopback_tcp_bytes_per_process),
		cmocka_unit_test(older_process_starts_from_a_base),
		cmocka_unit_test(shared_socket_counts_once),
		cmocka_unit_test(idle_process_is_not_rescanned),
		cmocka_unit_test(gone_process_is_not_read),
		cmocka_unit_test(own_sockets_are_the_links_sockets),
	};

	signal(SIGPIPE, SIG_IGN);
	test_pid = getpid();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
