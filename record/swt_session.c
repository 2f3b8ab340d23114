#include "swt_session.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "swt_alloc.h"
#include "swt_config.h"
#include "swt_sampler.h"
#include "swt_status.h"
#include "swt_writer.h"

#define NS_PER_S INT64_C(1000000000)

struct session {
	const struct swt_session_opts *opts;
	struct swt_session_result *res;
	struct swt_writer *w;
	struct swt_sampler *smp;
	int sfd;		/* signalfd */
	int tfd;		/* timerfd, absolute deadlines */
	pid_t child;
	int *pidfds;		/* attach: one per root still running */
	size_t n_pidfds;
	sigset_t oldmask;	/* given back to the launched command */
	struct sigaction old_xfsz;
	struct rlimit old_nofile;
	bool hup_handled;
	bool recording;		/* the writer is usable */
	bool dirty;		/* appended since the last flush */
	bool child_done;
	bool roots_done;	/* attach: every root has exited */
	int stop_signal;	/* stop now */
	int soft_signals;	/* first SIGINT/SIGHUP seen in launch mode */
	int64_t start_ns;
	int64_t next_sample;
	int64_t next_flush;
	int64_t end_ns;
	uint64_t samples;
};

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

__attribute__((format(printf, 2, 3))) static void
set_msg(struct session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->res->errmsg, sizeof(s->res->errmsg), fmt, ap);
	va_end(ap);
}

void swt_session_opts_init(struct swt_session_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->mode = SWT_MODE_LAUNCH;
	opts->interval_ns = NS_PER_S;
	opts->flush_ns = NS_PER_S;
	opts->threads = true;
}

/* The recording has failed: say so once, keep what was flushed, carry on
 * without a file. */
static void fail_recording(struct session *s, const char *msg)
{
	if (!s->recording)
		return;
	s->recording = false;
	s->res->recording_failed = true;
	s->res->reason = SWT_END_ERROR;
	snprintf(s->res->errmsg, sizeof(s->res->errmsg), "%s", msg);
	if (s->w) {
		struct swt_writer_stats st;

		swt_writer_get_stats(s->w, &st);
		s->res->bytes = st.bytes;
	}
	swt_writer_free(s->w);
	s->w = NULL;
	if (s->opts->on_error)
		s->opts->on_error(s->res->errmsg, s->opts->payload);
}

/* The one path from producers (the sampler; later the event ingest) to
 * the file. */
static int session_append(const struct swt_record *rec, void *payload)
{
	struct session *s = payload;
	int err;

	if (!s->recording)
		return SWT_EIO;
	err = swt_writer_append(s->w, rec);
	if (err == SWT_EINVAL) {
		/* A record the codec refuses is a bug of ours, not of the
		 * disk: drop it and keep recording. */
		return 0;
	}
	if (err < 0) {
		fail_recording(s, swt_writer_errmsg(s->w));
		return err;
	}
	s->dirty = true;
	if (rec->kind == SWT_REC_SAMPLE)
		s->samples++;
	return 0;
}

static void flush(struct session *s, int64_t now)
{
	if (!s->recording || !s->dirty)
		return;
	if (swt_writer_flush(s->w) < 0) {
		fail_recording(s, swt_writer_errmsg(s->w));
		return;
	}
	s->dirty = false;
	s->next_flush = now + s->opts->flush_ns;
}

static void tick(struct session *s, int64_t scheduled)
{
	int err;

	if (!s->recording)
		return;
	err = swt_sampler_tick(s->smp, scheduled, session_append, s);
	if (err < 0 && s->recording) {
		/* Not the writer: /proc itself has become unreadable. */
		char msg[300];

		snprintf(msg, sizeof(msg), "sampling failed: %s",
			 swt_sampler_errmsg(s->smp));
		fail_recording(s, msg);
	}
}

static void finish(struct session *s, enum swt_end_reason reason)
{
	struct swt_session_end end;
	struct swt_writer_stats st;
	struct swt_sampler_stats ss;
	struct rusage ru;
	int64_t now;

	if (!s->recording)
		return;
	memset(&end, 0, sizeof(end));
	end.reason = reason;
	if (s->res->has_status) {
		end.has_status = true;
		if (WIFEXITED(s->res->wstatus))
			end.exit_code = WEXITSTATUS(s->res->wstatus);
		else if (WIFSIGNALED(s->res->wstatus))
			end.signal = WTERMSIG(s->res->wstatus);
	}
	end.samples = s->samples;
	swt_writer_get_stats(s->w, &st);
	end.records = st.records;
	end.recorder_cpu_ns = (uint64_t)clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		end.recorder_peak_rss_kib = (uint64_t)ru.ru_maxrss;
	now = clock_ns(CLOCK_MONOTONIC);
	if (swt_writer_finish(s->w, &end, now) < 0) {
		fail_recording(s, swt_writer_errmsg(s->w));
		return;
	}
	swt_writer_get_stats(s->w, &st);
	s->res->bytes = st.bytes;
	s->res->reason = reason;
	swt_writer_free(s->w);
	s->w = NULL;
	s->recording = false;
	if (s->smp) {
		swt_sampler_get_stats(s->smp, &ss);
		s->res->proc_samples = ss.proc_samples;
		s->res->thread_samples = ss.thread_samples;
	}
}

static void reap(struct session *s)
{
	int st;
	pid_t pid;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if (s->smp)
			swt_sampler_note_exit(s->smp, (int32_t)pid, st);
		if (pid == s->child) {
			s->child_done = true;
			s->res->has_status = true;
			s->res->wstatus = st;
		}
	}
}

static void on_signals(struct session *s)
{
	struct signalfd_siginfo si;

	while (read(s->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		int sig = (int)si.ssi_signo;

		switch (sig) {
		case SIGCHLD:
			reap(s);
			break;
		case SIGINT:
		case SIGHUP:
			/* From a terminal these reach the command too: wait
			 * for it to exit. A second one means "stop now". */
			if (s->opts->mode == SWT_MODE_LAUNCH &&
			    !s->child_done && !s->soft_signals++)
				break;
			s->stop_signal = sig;
			break;
		default:
			s->stop_signal = sig;
			break;
		}
	}
}

static void on_pidfds(struct session *s, const struct pollfd *pfds)
{
	size_t i, k = 0;

	for (i = 0; i < s->n_pidfds; i++) {
		if (pfds[i].revents) {
			close(s->pidfds[i]);
			continue;
		}
		s->pidfds[k++] = s->pidfds[i];
	}
	if (s->n_pidfds && !k)
		s->roots_done = true;
	s->n_pidfds = k;
}

static void arm(struct session *s, int64_t wake)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	if (wake != INT64_MAX) {
		if (wake <= 0)
			wake = 1;
		its.it_value.tv_sec = wake / NS_PER_S;
		its.it_value.tv_nsec = wake % NS_PER_S;
	}
	timerfd_settime(s->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static int64_t next_wake(const struct session *s)
{
	int64_t wake = INT64_MAX;

	if (!s->recording)
		return wake;
	wake = s->next_sample < s->end_ns ? s->next_sample : s->end_ns;
	if (s->dirty && s->next_flush < wake)
		wake = s->next_flush;
	return wake;
}

static void loop(struct session *s)
{
	struct pollfd pfds[2 + 64];
	size_t i, n;

	for (;;) {
		int64_t now;
		uint64_t expirations;

		arm(s, next_wake(s));
		n = 0;
		for (i = 0; i < s->n_pidfds && i < 64; i++) {
			pfds[n].fd = s->pidfds[i];
			pfds[n].events = POLLIN;
			pfds[n++].revents = 0;
		}
		pfds[n].fd = s->sfd;
		pfds[n].events = POLLIN;
		pfds[n++].revents = 0;
		pfds[n].fd = s->tfd;
		pfds[n].events = POLLIN;
		pfds[n++].revents = 0;
		if (poll(pfds, n, -1) < 0 && errno != EINTR)
			break;
		if (read(s->tfd, &expirations, sizeof(expirations)) < 0)
			expirations = 0;
		on_signals(s);
		if (s->n_pidfds)
			on_pidfds(s, pfds);
		now = clock_ns(CLOCK_MONOTONIC);

		if (s->child_done) {
			/* Last look at the tree, with the exit status. */
			tick(s, now);
			finish(s, SWT_END_EXITED);
			break;
		}
		if (s->stop_signal) {
			s->res->stop_signal = s->stop_signal;
			tick(s, now);
			finish(s, SWT_END_SIGNAL);
			break;
		}
		if (s->recording && now >= s->next_sample &&
		    s->next_sample <= s->end_ns) {
			tick(s, s->next_sample);
			now = clock_ns(CLOCK_MONOTONIC);
			s->next_sample += s->opts->interval_ns;
			while (s->next_sample <= now) {
				s->next_sample += s->opts->interval_ns;
				s->res->skipped_ticks++;
			}
		} else if (s->roots_done && s->recording) {
			/* Every attached root has exited: look now rather
			 * than at the next deadline. */
			s->roots_done = false;
			tick(s, now);
		}
		if (s->recording && s->opts->mode == SWT_MODE_ATTACH &&
		    s->samples && swt_sampler_count(s->smp) == 0) {
			finish(s, SWT_END_EXITED);
			break;
		}
		if (s->recording && now >= s->end_ns)
			finish(s, SWT_END_DURATION);
		else if (s->dirty && now >= s->next_flush)
			flush(s, now);
		/* Without a file the launched command is still waited for,
		 * so that swrec exits with its status. */
		if (!s->recording && s->opts->mode != SWT_MODE_LAUNCH)
			break;
	}
}

/* fork + exec the command. Returns 0, or SWT_EIO (fork failed; message);
 * an exec failure is 0 with res->exec_errno set. */
static int launch(struct session *s)
{
	int pfd[2], e = 0;
	ssize_t n;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0) {
		set_msg(s, "pipe: %s", strerror(errno));
		return SWT_EIO;
	}
	/* Orphaned descendants are re-parented to us, so they stay in the
	 * tree (and we learn their exit status) instead of going to init. */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	pid = fork();
	if (pid < 0) {
		set_msg(s, "fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return SWT_EIO;
	}
	if (pid == 0) {
		/* Only async-signal-safe calls until exec. */
		sigaction(SIGXFSZ, &s->old_xfsz, NULL);
		setrlimit(RLIMIT_NOFILE, &s->old_nofile);
		sigprocmask(SIG_SETMASK, &s->oldmask, NULL);
		execvp(s->opts->command[0], s->opts->command);
		e = errno;
		if (write(pfd[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(e == ENOENT ? 127 : 126);
	}
	close(pfd[1]);
	/* The pipe closes on a successful exec (O_CLOEXEC), or carries the
	 * errno of a failed one. Sampling starts after exec, so the first
	 * sample shows the command rather than a copy of swrec. */
	do {
		n = read(pfd[0], &e, sizeof(e));
	} while (n < 0 && errno == EINTR);
	close(pfd[0]);
	s->child = pid;
	if (n == (ssize_t)sizeof(e)) {
		int st;

		s->res->exec_errno = e;
		set_msg(s, "cannot run '%s': %s", s->opts->command[0],
			strerror(e));
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		s->child_done = true;
		s->res->has_status = true;
		s->res->wstatus = st;
	}
	return 0;
}

static void setup_process(struct session *s)
{
	struct sigaction ign;
	struct rlimit rl;
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGCHLD);
	/* Respect nohup: an ignored SIGHUP stays ignored. */
	if (sigaction(SIGHUP, NULL, &ign) == 0 && ign.sa_handler != SIG_IGN) {
		sigaddset(&mask, SIGHUP);
		s->hup_handled = true;
	}
	sigprocmask(SIG_BLOCK, &mask, &s->oldmask);
	s->sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGXFSZ, &ign, &s->old_xfsz);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		s->old_nofile = rl;
		if (rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	s->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
}

static int open_writer(struct session *s, const struct swt_sysinfo *si)
{
	struct swt_writer_opts wo;
	struct swt_header hdr;
	const char **argv = NULL;
	size_t argc = 0;
	int err;

	if (s->opts->command)
		while (s->opts->command[argc])
			argc++;
	argv = swt_calloc(argc + 1, sizeof(argv[0]));
	if (argc)
		memcpy(argv, s->opts->command, argc * sizeof(argv[0]));
	memset(&hdr, 0, sizeof(hdr));
	hdr.recorder = "swrec " SWT_VERSION;
	hdr.kernel = si->kernel;
	hdr.clock_ticks = si->clock_ticks;
	hdr.page_size = si->page_size;
	hdr.cpu_count = si->cpu_count;
	hdr.mem_total_kib = si->mem_total_kib;
	hdr.interval_ns = s->opts->interval_ns;
	hdr.flush_interval_ns = s->opts->flush_ns;
	hdr.start_mono_ns = clock_ns(CLOCK_MONOTONIC);
	hdr.start_wall_ns = clock_ns(CLOCK_REALTIME);
	hdr.mode = s->opts->mode;
	hdr.n_command = argc;
	hdr.command = argv;
	hdr.n_attach_pids = s->opts->n_pids;
	hdr.attach_pids = s->opts->pids;
	hdr.boot_time_s = si->boot_time_s;
	hdr.threads = s->opts->threads;
	swt_writer_opts_init(&wo);
	wo.level = s->opts->level ? s->opts->level : SWT_SESSION_LEVEL;
	/* zstd touches its window buffer up to the size of a frame: smaller
	 * chunks keep the recorder's memory small, and samples compress so
	 * well that the extra frames cost little (docs/performance.md). */
	wo.chunk_raw_bytes = SWT_SESSION_CHUNK_RAW_BYTES;
	wo.force = s->opts->force;
	err = swt_writer_open(&s->w, s->opts->path, &wo, &hdr, s->res->errmsg,
			      sizeof(s->res->errmsg));
	free(argv);
	if (err == 0)
		s->recording = true;
	else if (err != SWT_EEXIST)
		err = SWT_EIO;	/* a symlink, a directory: the output */
	return err;
}

static int new_sampler(struct session *s)
{
	struct swt_sampler_opts so;
	int32_t child = (int32_t)s->child;

	memset(&so, 0, sizeof(so));
	so.mode = s->opts->mode;
	so.threads = s->opts->threads;
	so.slow_every = s->opts->slow_every;
	so.interval_ns = s->opts->interval_ns;
	if (s->opts->mode == SWT_MODE_LAUNCH) {
		so.roots = &child;
		so.n_roots = 1;
	} else {
		so.roots = s->opts->pids;
		so.n_roots = s->opts->n_pids;
	}
	return swt_sampler_new(&s->smp, &so, s->res->errmsg,
			       sizeof(s->res->errmsg));
}

static void open_pidfds(struct session *s)
{
	size_t i;

	s->pidfds = swt_calloc(s->opts->n_pids, sizeof(s->pidfds[0]));
	for (i = 0; i < s->opts->n_pids && i < 64; i++) {
		int fd = pidfd_open((pid_t)s->opts->pids[i], 0);

		if (fd < 0) {
			/* Too old a kernel, or gone already: the next tick
			 * will tell. */
			continue;
		}
		fcntl(fd, F_SETFD, FD_CLOEXEC);
		s->pidfds[s->n_pidfds++] = fd;
	}
}

int swt_session_run(struct swt_session_result *out,
		    const struct swt_session_opts *opts)
{
	struct session ss, *s = &ss;
	struct swt_sysinfo si;
	size_t i;
	int err = 0;

	memset(out, 0, sizeof(*out));
	memset(s, 0, sizeof(*s));
	s->opts = opts;
	s->res = out;
	s->sfd = s->tfd = -1;
	out->reason = SWT_END_UNSPECIFIED;
	if (opts->interval_ns <= 0 || opts->flush_ns <= 0 ||
	    opts->duration_ns < 0 || !opts->path ||
	    (opts->mode == SWT_MODE_LAUNCH &&
	     (!opts->command || !opts->command[0])) ||
	    (opts->mode == SWT_MODE_ATTACH && !opts->n_pids)) {
		set_msg(s, "invalid session options");
		return SWT_EINVAL;
	}
	for (i = 0; i < opts->n_pids; i++)
		SWT_TRY(err = swt_sampler_check_pid(opts->pids[i],
						    out->errmsg,
						    sizeof(out->errmsg)));
	SWT_TRY(err = swt_sampler_get_sysinfo(&si, out->errmsg,
					      sizeof(out->errmsg)));
	setup_process(s);
	if (s->sfd < 0 || s->tfd < 0) {
		set_msg(s, "signalfd/timerfd: %s", strerror(errno));
		err = SWT_EIO;
		goto out;
	}
	if (opts->mode != SWT_MODE_LAUNCH) {
		SWT_TRY(err = new_sampler(s));
		if (opts->mode == SWT_MODE_ATTACH)
			open_pidfds(s);
	}
	SWT_TRY(err = open_writer(s, &si));
	if (opts->mode == SWT_MODE_LAUNCH) {
		err = launch(s);
		if (err < 0) {
			/* Nothing was run: leave no file behind. */
			swt_writer_free(s->w);
			s->w = NULL;
			s->recording = false;
			unlink(opts->path);
			goto out;
		}
		if (out->exec_errno) {
			swt_writer_free(s->w);
			s->w = NULL;
			s->recording = false;
			unlink(opts->path);
			goto out;
		}
		if (new_sampler(s) < 0) {
			char msg[sizeof(out->errmsg)];

			memcpy(msg, out->errmsg, sizeof(msg));
			fail_recording(s, msg);
		}
	}
	s->start_ns = clock_ns(CLOCK_MONOTONIC);
	s->next_sample = s->start_ns;
	s->next_flush = s->start_ns;
	s->end_ns = opts->duration_ns ? s->start_ns + opts->duration_ns :
					INT64_MAX;
	loop(s);
	/* Recording ended early (duration, failure, signal): in launch mode
	 * the command still decides when swrec exits, unless a signal asked
	 * swrec to go. */
	while (opts->mode == SWT_MODE_LAUNCH && !s->child_done &&
	       !s->stop_signal) {
		struct pollfd p = { .fd = s->sfd, .events = POLLIN };

		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			break;
		on_signals(s);
	}
	if (s->stop_signal && !out->stop_signal)
		out->stop_signal = s->stop_signal;
	out->samples = s->samples;
	err = 0;
out:
	if (s->w) {
		/* Only after a failure: a finished writer is freed. */
		swt_writer_free(s->w);
	}
	for (i = 0; i < s->n_pidfds; i++)
		close(s->pidfds[i]);
	free(s->pidfds);
	swt_sampler_free(s->smp);
	if (s->sfd >= 0)
		close(s->sfd);
	if (s->tfd >= 0)
		close(s->tfd);
	return err;
}
