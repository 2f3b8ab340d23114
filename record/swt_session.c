#include "swt_session.h"

#include "swt_live.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
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
#include "swt_exitacct.h"
#include "swt_procconn.h"
#include "swt_net.h"
#include "swt_config.h"
#include "swt_procfs.h"
#include "swt_ingest.h"
#include "swt_sampler.h"
#include "swt_sampler_bpf.h"
#include "swt_status.h"
#include "swt_writer.h"
#include "client/swt_wire.h"

#define NS_PER_S INT64_C(1000000000)

/* At the end, rounds of service + drain for what the command's processes
 * sent last (each bounded: a client still sending cannot hold swrec). */
#define SETTLE_ROUNDS 64
/* swt_ingest_service() calls per wake-up, at most (each bounded). */
#define SERVICE_ROUNDS 8
/* A backlog of more than DRAIN_BACKLOG queued events is drained in
 * slices of DRAIN_SLICE_NS of event time (see ingest_drain()): 1 ms is
 * 5000 events at 5 M events/s, about half a millisecond of writing; past
 * DRAIN_SLICES of them, the first slice takes the rest. */
#define DRAIN_BACKLOG 16384
#define DRAIN_SLICE_NS INT64_C(1000000)
#define DRAIN_SLICES 256
/* Process events read per wake-up of the loop (about 0.3 ms of work):
 * the next wake-up takes the rest, after a tick that is due. */
#define PROC_EVENTS_BATCH 1024
/* After a read of process events, the next waits this long: events come
 * in batches rather than one wake-up each (a compiler's fork, exec and
 * exit: a wake-up of the loop costs more than reading a few events), at
 * most 50 wake-ups a second. A process that execs and exits within it
 * keeps no command line. */
#define PROC_EVENTS_HOLD_NS INT64_C(20000000)

extern char **environ;

struct session {
	const struct swt_session_opts *opts;
	struct swt_session_result *res;
	struct swt_writer *w;
	struct swt_sampler *smp;
	struct swt_sampler_bpf *sbpf; /* the BPF backend; NULL: /proc */
	struct swt_exitacct *ea; /* exit records; NULL: none (not root) */
	struct swt_procconn *pc; /* process events; NULL: none (not root) */
	struct swt_net *net;	/* sockets; NULL: --no-net */
	uint64_t ea_overflows;
	struct swt_ingest *ing;	/* application events; NULL: none */
	char **child_env;	/* launch: environ plus SWT_TRACE_SOCKET */
	int64_t drained;	/* the last until_ns given to the ingest */
	struct pumper {		/* see "The pumper" */
		pthread_t th;
		pthread_mutex_t lock;	/* who may use s->ing */
		pthread_cond_t cond;
		bool running;	/* the thread exists */
		bool lent;	/* the loop lets it use the ingest */
		bool stop;
	} pump;
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
	int64_t pc_hold;	/* process events not read before; 0: now */
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
	opts->events = true;
	opts->exits = true;
	opts->proc_events = true;
	opts->net = true;
	opts->span_cpu = true;
	opts->span_rss = true;
}

/* The recording has failed: say so once, keep what was flushed, carry on
 * without a file. (This may run inside swt_ingest_drain(), through
 * session_append(): the ingest is closed later, by ingest_close().) */
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

/* The live alerts' own records: written, not fed back. */
static int append_alert(const struct swt_record *rec, void *payload)
{
	struct session *s = payload;
	int err;

	if (!s->recording)
		return SWT_EIO;
	err = swt_writer_append(s->w, rec);
	if (err < 0 && err != SWT_EINVAL) {
		fail_recording(s, swt_writer_errmsg(s->w));
		return err;
	}
	s->dirty = true;
	return 0;
}

/* The one path from producers (the sampler, the event ingest) to the
 * file. */
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
	if (s->opts->live)
		swt_live_feed(s->opts->live, rec, append_alert, s);
	return 0;
}

/* ---- the pumper -----------------------------------------------------------
 *
 * The loop is the event ingest's reader: it empties the programs' rings
 * whenever it polls. But some of what it does takes a while without a
 * return to poll: a tick reading /proc (the first tick, which lists the
 * machine, takes 5 ms on an idle machine and 20-50 ms on a loaded one;
 * ticks of -a take milliseconds) and a flush's fdatasync(). A ring holds
 * 26 ms of a thread recording 2.5 M events/s, so during those stretches a
 * second thread, the pumper, services the ingest (reads the rings into
 * the ingest's queues, takes connections); it does nothing else, and
 * nothing at other times.
 *
 * The ingest is not thread-safe: pump.lock says who may use it. The loop
 * holds it all the time except between pump_lend() and pump_take(),
 * around work that does not touch the ingest. Without the thread (no
 * events, or pthread_create failed) both are no-ops. */

#define PUMP_POLL_MS 1	/* the pumper's look for the loop's take-back */

static void *pump_main(void *payload)
{
	struct session *s = payload;
	struct pumper *p = &s->pump;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		struct pollfd pfd;

		while (!p->lent && !p->stop)
			pthread_cond_wait(&p->cond, &p->lock);
		if (p->stop)
			break;
		(void)swt_ingest_service(s->ing);
		pfd.fd = swt_ingest_get_fd(s->ing);
		pfd.events = POLLIN;
		pfd.revents = 0;
		pthread_mutex_unlock(&p->lock);
		/* (The ingest stays open while the thread runs: pump_stop()
		 * comes first.) */
		poll(&pfd, 1, PUMP_POLL_MS);
		pthread_mutex_lock(&p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* With the signals blocked, so that they go to the loop's signalfd. (The
 * command is forked while the thread runs: the child only calls
 * async-signal-safe functions before exec, and never touches the lock.) */
static void pump_start(struct session *s)
{
	struct pumper *p = &s->pump;

	if (!s->ing)
		return;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	pthread_mutex_lock(&p->lock);
	if (pthread_create(&p->th, NULL, pump_main, s) == 0) {
		p->running = true;
		return;
	}
	/* No thread: the loop alone reads the rings, as without it. */
	pthread_mutex_unlock(&p->lock);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
}

static void pump_lend(struct session *s)
{
	struct pumper *p = &s->pump;

	if (!p->running || p->lent)
		return;
	p->lent = true;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

static void pump_take(struct session *s)
{
	struct pumper *p = &s->pump;

	if (!p->running || !p->lent)
		return;
	pthread_mutex_lock(&p->lock);
	p->lent = false;
}

static void pump_stop(struct session *s)
{
	struct pumper *p = &s->pump;

	if (!p->running)
		return;
	pump_take(s);
	p->stop = true;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->th, NULL);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	p->running = false;
}

static void flush(struct session *s, int64_t now)
{
	int err;

	if (!s->recording || !s->dirty)
		return;
	pump_lend(s);	/* fdatasync() can take a while */
	err = swt_writer_flush(s->w);
	pump_take(s);
	if (err < 0) {
		fail_recording(s, swt_writer_errmsg(s->w));
		return;
	}
	s->dirty = false;
	s->next_flush = now + s->opts->flush_ns;
}

/* ---- application events --------------------------------------------------
 *
 * Time order. The file's records must not go back in time. Sampler records
 * carry the time at which their tick began reading (a clock read inside
 * swt_sampler_tick()); the ingest's records carry the events' own times,
 * and swt_ingest_drain(until) emits only what is stamped <= until, never
 * older than an earlier until (a straggler is raised to it and counted as
 * late). So the stream stays ordered as long as no record appended after a
 * drain is stamped before that drain's until:
 *   - right before the first record of a tick is appended, drain up to
 *     that record's own time (sample_append()): exactly the events that
 *     precede the tick's records;
 *   - otherwise drain only up to a time just read from the clock, at the
 *     end of each pass of the loop and before the end record: every
 *     record appended later is stamped from a later clock read. (Not the
 *     next deadline: a tick's records are stamped when it actually runs,
 *     at or after its deadline.)
 *
 * Back-pressure. Producers never wait: a thread's ring holds 65536 events
 * (26 ms of a thread recording 2.5 M events/s) and rings the ingest's
 * descriptor when a quarter full; the loop polls that descriptor, so a
 * ring is emptied into the ingest's queues (1 M events per process)
 * whenever swrec gets the CPU, and written at every pass. While the loop
 * is busy elsewhere (reading /proc, fdatasync) the pumper empties the
 * rings (above); a long write of a backlog is cut into slices with the
 * rings emptied in between (ingest_drain()). Only a recorder that does
 * not get the CPU for longer than the ring's slack makes the producers
 * drop events, and those are counted in the file. */

/* Handle what is ready, in a few rounds: a connection accepted in one
 * round has its hello and rings read in the next, so that they are known
 * before the next drain. (Otherwise the first events of a process that
 * connected while swrec was busy would be older than that drain's until,
 * and be written late, with their times raised.) */
static void ingest_service(struct session *s)
{
	int i;

	if (!s->ing)
		return;
	for (i = 0; i < SERVICE_ROUNDS; i++) {
		struct pollfd p = { swt_ingest_get_fd(s->ing), POLLIN, 0 };

		/* Only epoll_wait() itself failing makes this fail; the next
		 * pass tries again. Nothing a client does stops swrec. */
		(void)swt_ingest_service(s->ing);
		if (poll(&p, 1, 0) <= 0)
			break;
	}
}

static void drain_to(struct session *s, int64_t until)
{
	/* A failed append stops the drain; session_append() has already
	 * stopped the recording and ingest_close() follows. */
	(void)swt_ingest_drain(s->ing, until, session_append, s);
	if (until > s->drained)
		s->drained = until;
}

/* Everything up to `until`. Each swt_ingest_drain() empties the rings
 * into the ingest's queues before it writes; a large backlog (after a
 * long tick, or when swrec did not get the CPU for a while) is written in
 * slices of DRAIN_SLICE_NS of event time, so that the rings are emptied
 * every slice rather than once before a long write during which the
 * producers could fill them. */
static void ingest_drain(struct session *s, int64_t until)
{
	struct swt_ingest_stats st;
	int64_t u;

	if (!s->ing || !s->recording)
		return;
	/* Rings handed over since the last look first: events a new thread
	 * recorded before `until` would otherwise come out late. */
	ingest_service(s);
	u = s->drained;
	if (until - u > DRAIN_SLICES * DRAIN_SLICE_NS)
		u = until - DRAIN_SLICES * DRAIN_SLICE_NS;
	for (u += DRAIN_SLICE_NS; u < until; u += DRAIN_SLICE_NS) {
		swt_ingest_get_stats(s->ing, &st);
		if (st.pending < DRAIN_BACKLOG)
			break;
		drain_to(s, u);
		if (!s->recording)
			return;
	}
	drain_to(s, until);
}

/* Before a tick's records (all stamped t_ns): the ingest taken back (the
 * tick has read /proc: the ingest is ours) and the events before t_ns
 * written. The sampler calls it before its first record
 * (swt_sampler_opts.before_records), so that its measure of the exit
 * accounting holds the records alone; each record repeats it (then a
 * no-op). */
static void before_records(int64_t t_ns, void *payload)
{
	struct session *s = payload;

	pump_take(s);
	if (s->ing && t_ns > s->drained)
		ingest_drain(s, t_ns);
}

/* Samples and process starts/exits: the events before them first. */
static int sample_append(const struct swt_record *rec, void *payload)
{
	before_records(rec->t_ns, payload);
	return session_append(rec, payload);
}

/* Take in what the processes sent last: their final messages and the
 * ends of their connections are queued by the time swrec learns that the
 * command exited (a process's descriptors close before its parent is
 * signalled). Nothing is waited for. Each drain goes up to a time read
 * after the service before it, so that what the service found (a
 * connection refused, a client cut off: records stamped when noticed)
 * is written too; the end record is stamped later still. */
static void ingest_settle(struct session *s)
{
	int i;

	if (!s->ing)
		return;
	swt_ingest_set_ending(s->ing);
	for (i = 0; i < SETTLE_ROUNDS && s->recording; i++) {
		struct pollfd p = { swt_ingest_get_fd(s->ing), POLLIN, 0 };

		/* A drain frees room for clients held back (max_pending),
		 * which makes them readable again: alternate. */
		ingest_service(s);
		ingest_drain(s, clock_ns(CLOCK_MONOTONIC));
		if (poll(&p, 1, 0) <= 0)
			break;
	}
}

static void ingest_close(struct session *s)
{
	struct swt_ingest_stats st;

	if (!s->ing)
		return;
	pump_stop(s);
	swt_ingest_get_stats(s->ing, &st);
	s->res->events = st.events;
	s->res->dropped_events = st.dropped;
	s->res->late_events = st.late;
	s->res->clients = st.accepted;
	s->res->refused_clients = st.refused_uid + st.refused_limit;
	s->res->bad_clients = st.bad_clients;
	/* The processes see their connections close and stop tracing. */
	swt_ingest_close(s->ing);
	s->ing = NULL;
}

static void reap(struct session *s);

static void on_exit_record(const struct swt_exit_stats *x, void *payload)
{
	struct session *s = payload;

	if (s->smp)
		swt_sampler_note_acct(s->smp, x);
}

static void on_thread_exit_record(const struct swt_thread_exit *t,
				  void *payload)
{
	struct session *s = payload;

	if (s->smp)
		swt_sampler_note_thread_exit(s->smp, t);
}

/* The exit records (taskstats) that came so far, handed to the sampler in
 * the measure of its exit accounting: before a tick, and once it has read
 * the rows (swt_sampler_opts.late_exits). */
static void read_exits(void *payload)
{
	struct session *s = payload;

	if (s->ea && s->smp) {
		int64_t t0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);

		swt_exitacct_read(s->ea, on_exit_record, s, &s->ea_overflows);
		swt_sampler_add_exit_cpu(s->smp,
					 clock_ns(CLOCK_THREAD_CPUTIME_ID) - t0);
	}
}

static void tick(struct session *s, int64_t scheduled)
{
	int err;

	if (!s->recording)
		return;
	/* Reap first: a child that died since the last SIGCHLD was read is a
	 * zombie the sampler would report as gone without its wait status. */
	reap(s);
	/* the exit records that came since the last tick, before the tick
	 * writes the exits it finds */
	read_exits(s);
	/* (then the process events: swt_sampler_tick() reads them first,
	 * in the same measure of its exit accounting as the records) */
	/* The pumper keeps the rings moving while /proc is read; the first
	 * record the tick emits takes the ingest back (sample_append()). */
	pump_lend(s);
	err = swt_sampler_tick(s->smp, scheduled, sample_append, s);
	pump_take(s);
	if (err < 0 && s->recording) {
		/* Not the writer: /proc itself has become unreadable. */
		char msg[300];

		snprintf(msg, sizeof(msg), "sampling failed: %s",
			 swt_sampler_errmsg(s->smp));
		fail_recording(s, msg);
	}
}


/* swrec's own peak RSS: VmHWM of /proc/self/status. (getrusage()'s
 * ru_maxrss survives execve(): it would report the peak of whatever
 * process started swrec, as seen with a test runner of 360 MB.) 0 if it
 * cannot be read. */
static uint64_t own_peak_rss_kib(void)
{
	char buf[4096];
	uint64_t v = 0;
	ssize_t n;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if (swt_procfs_find_u64(&v, buf, (size_t)n, "VmHWM:") < 0)
		return 0;
	return v;
}

/* How long the calling thread has waited on a run queue (schedstat's
 * run_delay), or 0 where the kernel does not say. */
static uint64_t run_delay_ns(void)
{
	char buf[128];
	unsigned long long run, wait;
	ssize_t n;
	int fd = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if (sscanf(buf, "%llu %llu", &run, &wait) != 2)
		return 0;
	return wait;
}

static void finish(struct session *s, enum swt_end_reason reason)
{
	struct swt_session_end end;
	struct swt_writer_stats st;
	struct swt_sampler_stats ss;
	int64_t now;

	if (!s->recording)
		return;
	ingest_settle(s);
	if (!s->recording)
		return;	/* an append failed */
	/* --remote-write: the end's series sent, the counts written */
	if (s->opts->live)
		swt_live_end(s->opts->live, append_alert, s);
	if (!s->recording)
		return;
	now = clock_ns(CLOCK_MONOTONIC);	/* after every drain's until */
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
	end.missed_samples = s->res->skipped_ticks;
	end.recorder_wait_ns = s->res->wait_ns = run_delay_ns();
	end.exit_acct = s->ea != NULL;
	end.exit_acct_overflows = s->ea_overflows;
	if (s->pc) {
		struct swt_procconn_stats ps;

		swt_procconn_get_stats(s->pc, &ps);
		if (swt_procconn_exit_records(s->pc)) {
			/* one ring buffer: what overflowed lost both */
			end.exit_acct = true;
			end.exit_acct_overflows = ps.overflows;
		}
		end.proc_events = true;
		end.proc_events_overflows = ps.overflows;
		end.exits_unmatched = ps.unmatched;
		end.cmdlines_skipped = ps.cmdlines_skipped;
		end.proc_events_source = swt_procconn_source(s->pc);
	}
	if (s->smp) {
		swt_sampler_get_stats(s->smp, &ss);
		end.exits_dropped = ss.unseen_dropped;
		end.exit_acct_cpu_ns = ss.exit_cpu_ns;
		end.exit_write_cpu_ns = ss.unseen_write_ns;
		end.proc_read_cpu_ns = ss.proc_read_ns;
		end.proc_reads = ss.proc_reads;
		end.proc_scans = ss.scans;
		end.proc_scans_skipped = ss.scans_skipped;
		end.proc_first_read_cpu_ns = ss.first_read_ns;
		end.proc_first_reads = ss.first_reads;
		end.sampled_write_cpu_ns = ss.seen_write_ns;
		end.sampled_records = ss.seen_records;
	}
	if (s->ing) {
		struct swt_ingest_stats is;

		swt_ingest_get_stats(s->ing, &is);
		end.events = is.events;
		end.dropped_events = is.dropped;
		end.late_events = is.late;
		end.tsc_calibrations = is.tsc_calibrations;
		end.tsc_max_error_ns = is.tsc_max_error_ns;
		end.tsc_resets = is.tsc_resets;
	}
	swt_writer_get_stats(s->w, &st);
	end.records = st.records;
	end.recorder_cpu_ns = (uint64_t)clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	/* and the process that loaded the BPF program for it */
	if (s->pc)
		end.recorder_cpu_ns +=
			(uint64_t)swt_procconn_load_cpu_ns(s->pc);
	end.recorder_peak_rss_kib = own_peak_rss_kib();
	ingest_close(s);
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
	siginfo_t si;
	int st;
	pid_t pid;

	for (;;) {
		/* a zombie first (WNOWAIT): its last counters, the CPU since
		 * its last row, are read before it is reaped */
		memset(&si, 0, sizeof(si));
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 ||
		    si.si_pid <= 0)
			break;
		if (s->smp)
			swt_sampler_note_zombie(s->smp, (int32_t)si.si_pid);
		pid = waitpid(si.si_pid, &st, WNOHANG);
		if (pid <= 0)
			break;
		if (s->smp)
			swt_sampler_note_exit(s->smp, (int32_t)pid, st);
		if (s->opts->live)
			swt_live_note_exit(s->opts->live, (int32_t)pid, st);
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
	if (s->pc_hold && s->pc_hold < wake)
		wake = s->pc_hold;
	return wake;
}

static void loop(struct session *s)
{
	struct pollfd pfds[4 + 64];
	size_t i, n;

	for (;;) {
		int64_t now;
		uint64_t expirations;
		size_t ing_i = SIZE_MAX, pc_i = SIZE_MAX;

		if (s->pc_hold && clock_ns(CLOCK_MONOTONIC) >= s->pc_hold)
			s->pc_hold = 0;
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
		if (s->ing) {
			ing_i = n;
			pfds[n].fd = swt_ingest_get_fd(s->ing);
			pfds[n].events = POLLIN;
			pfds[n++].revents = 0;
		}
		if (s->pc && s->smp && s->recording && !s->pc_hold) {
			pc_i = n;
			pfds[n].fd = swt_procconn_fd(s->pc);
			pfds[n].events = POLLIN;
			pfds[n++].revents = 0;
		}
		if (poll(pfds, n, -1) < 0 && errno != EINTR)
			break;
		/* a bounded batch: a fork storm must not hold the ticks */
		if (pc_i != SIZE_MAX && pfds[pc_i].revents) {
			swt_procconn_rearm(s->pc);
			swt_sampler_read_events(s->smp, PROC_EVENTS_BATCH);
			s->pc_hold = clock_ns(CLOCK_MONOTONIC) +
				     PROC_EVENTS_HOLD_NS;
		}
		if (read(s->tfd, &expirations, sizeof(expirations)) < 0)
			expirations = 0;
		if (ing_i != SIZE_MAX && pfds[ing_i].revents)
			ingest_service(s);
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
		if (s->recording && now >= s->end_ns) {
			finish(s, SWT_END_DURATION);
		} else {
			ingest_drain(s, clock_ns(CLOCK_MONOTONIC));
			if (s->dirty && now >= s->next_flush)
				flush(s, now);
		}
		if (!s->recording)
			ingest_close(s);	/* finished, or failed */
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
		if (s->child_env)
			environ = s->child_env;	/* a store: async-safe */
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

/* Is `entry` ("NAME=value") a definition of `name`? */
static bool env_is(const char *entry, const char *name)
{
	size_t len = strlen(name);

	return !strncmp(entry, name, len) && entry[len] == '=';
}

/* The command's environment: swrec's, with SWT_TRACE_SOCKET set to the
 * ingest's socket, SWT_TRACE_CLOCK to the clock the ingest converts and
 * SWT_TRACE_SPAN_CPU, SWT_TRACE_SPAN_RSS to 1 or 0 as asked (replacing
 * values swrec inherited). Built before fork(): the
 * child may only make async-signal-safe calls. */
static char **make_child_env(const struct swt_ingest *ing,
			     const struct swt_session_opts *o)
{
	static const char *const cpu[2] = { SWT_WIRE_ENV_SPAN_CPU "=0",
					    SWT_WIRE_ENV_SPAN_CPU "=1" };
	static const char *const rss[2] = { SWT_WIRE_ENV_SPAN_RSS "=0",
					    SWT_WIRE_ENV_SPAN_RSS "=1" };
	size_t n = 0, k = 0, i;
	char **env;

	while (environ && environ[n])
		n++;
	env = swt_calloc(n + 5, sizeof(env[0]));
	for (i = 0; i < n; i++)
		if (!env_is(environ[i], SWT_WIRE_ENV) &&
		    !env_is(environ[i], SWT_WIRE_ENV_SPAN_CPU) &&
		    !env_is(environ[i], SWT_WIRE_ENV_SPAN_RSS) &&
		    !env_is(environ[i], SWT_WIRE_ENV_CLOCK))
			env[k++] = environ[i];
	env[k++] = (char *)(uintptr_t)swt_ingest_get_env(ing);
	env[k++] = (char *)(uintptr_t)swt_ingest_get_clock_env(ing);
	env[k++] = (char *)(uintptr_t)cpu[o->span_cpu];
	env[k++] = (char *)(uintptr_t)rss[o->span_rss];
	env[k] = NULL;
	return env;
}

/* Application events: launch mode unless opts.events is false; attach
 * and all modes when someone is told where to connect. Returns 0 or the
 * ingest's status (message in errmsg). */
static int open_ingest(struct session *s)
{
	struct swt_ingest_opts io;
	int err;

	if (!s->opts->events ||
	    (s->opts->mode != SWT_MODE_LAUNCH && !s->opts->on_socket))
		return 0;
	swt_ingest_opts_init(&io);
	io.allow_other_uids = s->opts->allow_other_users;
	/* Only a launched command is told to use the TSC: other clients
	 * learn the socket alone (on_socket) and stay on CLOCK_MONOTONIC,
	 * so calibrating for them would only cost the 10 ms. */
	io.event_clock = s->opts->mode == SWT_MODE_LAUNCH
				 ? s->opts->event_clock
				 : SWT_EVENT_CLOCK_MONOTONIC;
	err = swt_ingest_open(&s->ing, &io, s->res->errmsg,
			      sizeof(s->res->errmsg));
	if (err < 0) {
		size_t len = strlen(s->res->errmsg);

		snprintf(s->res->errmsg + len, sizeof(s->res->errmsg) - len,
			 " (--no-events records without application "
			 "events)");
		return err;
	}
	s->res->events_on = true;
	if (s->opts->mode == SWT_MODE_LAUNCH)
		s->child_env = make_child_env(s->ing, s->opts);
	if (s->opts->on_socket)
		s->opts->on_socket(swt_ingest_get_env(s->ing),
				   s->opts->payload);
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
	hdr.alert_config = s->opts->alert_config ? s->opts->alert_config : "";
	if (s->ing && s->opts->mode == SWT_MODE_LAUNCH) {
		struct swt_tsc_conv cv;
		struct swt_tsc_info ti;

		if (swt_ingest_get_tsc(s->ing, &cv, &ti)) {
			hdr.event_clock = "tsc";
			hdr.tsc_hz = ti.hz;
			hdr.tsc0 = cv.tsc0;
			hdr.tsc_mono0_ns = cv.mono0;
			hdr.tsc_mult = cv.mult;
			hdr.tsc_shift = cv.shift;
			hdr.tsc_skew_ns = ti.skew_ns;
		} else {
			hdr.event_clock = "monotonic";
		}
	}
	hdr.sampler = s->res->sampler;
	swt_writer_opts_init(&wo);
	wo.level = s->opts->level ? s->opts->level : SWT_SESSION_LEVEL;
	/* zstd touches its window buffer up to the size of a frame: smaller
	 * chunks keep the recorder's memory small, and samples compress so
	 * well that the extra frames cost little (docs/performance.md). */
	wo.chunk_raw_bytes = SWT_SESSION_CHUNK_RAW_BYTES;
	wo.force = s->opts->force;
	wo.sparse = !s->opts->plain_samples;
	err = swt_writer_open(&s->w, s->opts->path, &wo, &hdr, s->res->errmsg,
			      sizeof(s->res->errmsg));
	if (err == 0 && s->opts->live)
		swt_live_header(s->opts->live, &hdr);	/* argv still held */
	free(argv);
	if (err == 0)
		s->recording = true;
	else if (err != SWT_EEXIST)
		err = SWT_EIO;	/* a symlink, a directory: the output */
	return err;
}

/* swt_live_spawn_fn: an --on-alert command is no part of the recording */
static void live_spawned(int32_t pid, bool running, void *payload)
{
	struct session *s = payload;

	if (s->smp)
		swt_sampler_exclude(s->smp, pid, running);
}

static int new_sampler(struct session *s)
{
	struct swt_sampler_opts so;
	int32_t child = (int32_t)s->child;

	memset(&so, 0, sizeof(so));
	so.mode = s->opts->mode;
	so.threads = s->opts->threads;
	so.slow_every = s->opts->slow_every;
	so.libproc2_scans = s->opts->libproc2_scans;
	so.interval_ns = s->opts->interval_ns;
	so.net = s->net;
	so.conn = s->pc;
	so.bpf = s->sbpf;
	so.max_unseen_per_s = s->opts->max_short_lived;
	so.before_records = before_records;
	so.late_exits = read_exits;
	if (s->opts->mode == SWT_MODE_LAUNCH) {
		so.roots = &child;
		so.n_roots = 1;
	} else {
		so.roots = s->opts->pids;
		so.n_roots = s->opts->n_pids;
	}
	if (s->opts->live)
		swt_live_set_spawn_hook(s->opts->live, live_spawned, s);
	return swt_sampler_new(&s->smp, &so, s->res->errmsg,
			       sizeof(s->res->errmsg));
}

/* The sampler's backend (opts->sampler): BPF where it loads (auto), or as
 * asked. Once per session: the attach and all modes open it before their
 * first tick, launch mode before the command runs (its header says). */
static int open_sampler_bpf(struct session *s)
{
	char msg[sizeof(s->res->sampler_msg)];

	if (s->res->sampler)
		return 0;
	s->res->sampler = "proc";
	if (s->opts->sampler == SWT_SAMPLER_PROC)
		return 0;
	if (swt_sampler_bpf_open(&s->sbpf, s->opts->mode == SWT_MODE_ALL,
				 s->opts->threads, msg, sizeof(msg)) < 0) {
		s->sbpf = NULL;
		if (s->opts->sampler == SWT_SAMPLER_BPF) {
			set_msg(s, "--sampler=bpf: %s", msg);
			return SWT_EIO;
		}
		snprintf(s->res->sampler_msg, sizeof(s->res->sampler_msg),
			 "%s", msg);
		return 0;
	}
	s->res->sampler = "bpf";
	return 0;
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
	/* before any sampler: it reads through it */
	if (opts->net) {
		char msg[200];

		/* (the final bytes of closed sockets need root) */
		if (swt_net_open(&s->net, true, msg, sizeof(msg)) < 0)
			s->net = NULL;
	}
	/* before the command starts (its first children may be short) and
	 * before any sampler (it reads the events) */
	if (opts->exits) {
		char msg[200];

		/* The process events first: from BPF they bring the exit
		 * records of the tree's processes, and the taskstats
		 * listener (every exit of the machine, at a cost per exit
		 * whoever exits) is not needed. */
		if (opts->proc_events) {
			struct swt_procconn_opts po = {
				.source = (enum swt_procconn_source)
						  opts->proc_events_source,
				.all = opts->mode == SWT_MODE_ALL,
				.self = (int32_t)getpid(),
				.launcher = opts->mode == SWT_MODE_LAUNCH
						    ? (int32_t)getpid()
						    : 0,
				.on_exit_record = on_exit_record,
				.on_thread_exit = on_thread_exit_record,
				.exit_payload = s,
			};
			char pmsg[400];

			if (swt_procconn_open(&s->pc, &po, pmsg,
					      sizeof(pmsg)) < 0) {
				s->pc = NULL; /* exit records, no events */
				if (po.source == SWT_PROCCONN_BPF) {
					set_msg(s, "--proc-events=bpf: %s",
						pmsg);
					err = SWT_EIO;
					goto out;
				}
			}
		}
		if (!(s->pc && swt_procconn_exit_records(s->pc)) &&
		    swt_exitacct_open(&s->ea, msg, sizeof(msg)) < 0) {
			s->ea = NULL;	/* not root: parents' cutime only */
			/* (events without exit records are of no use) */
			swt_procconn_free(s->pc);
			s->pc = NULL;
		}
		if (s->ea)
			swt_exitacct_on_thread(s->ea, on_thread_exit_record, s);
	}
	if (opts->mode != SWT_MODE_LAUNCH) {
		SWT_TRY(err = open_sampler_bpf(s));
		SWT_TRY(err = new_sampler(s));
		if (opts->mode == SWT_MODE_ATTACH)
			open_pidfds(s);
	}
	/* Before the file, whose header says which backend samples. */
	SWT_TRY(err = open_sampler_bpf(s));
	/* Before the file: a session that cannot take events leaves none. */
	SWT_TRY(err = open_ingest(s));
	pump_start(s);
	SWT_TRY(err = open_writer(s, &si));
	s->drained = clock_ns(CLOCK_MONOTONIC);	/* nothing is older */
	if (opts->mode == SWT_MODE_LAUNCH) {
		/* The command may record from its first instruction, long
		 * before the first tick (loading libproc2, listing the
		 * machine) is over: the pumper reads its rings meanwhile. */
		pump_lend(s);
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
	free(s->child_env);	/* launched: only the child needed it */
	s->child_env = NULL;
	pump_take(s);
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
	ingest_close(s);
	free(s->child_env);
	for (i = 0; i < s->n_pidfds; i++)
		close(s->pidfds[i]);
	free(s->pidfds);
	swt_sampler_free(s->smp);
	swt_sampler_bpf_free(s->sbpf);
	swt_exitacct_free(s->ea);
	swt_procconn_free(s->pc);
	swt_net_free(s->net);
	if (s->sfd >= 0)
		close(s->sfd);
	if (s->tfd >= 0)
		close(s->tfd);
	return err;
}
