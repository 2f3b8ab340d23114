/* swt_synth.c — the synthetic recording behind the codec benchmark.
 *
 * The point is to be no kinder to the codec than a real host would be:
 * jitter comes from the PRNG on every active counter (a constant increment
 * would compress to nothing), 10 % of the processes have unreadable I/O (a
 * non-zero flags column in every sample), new processes bring absolute
 * values and new strings, and the busy ones have large, irregular deltas.
 * The rates below are per tick (one sample interval) in parts per million
 * so they read as "how often", and stay integer. */
#include "swt_synth.h"

#include <stdlib.h>
#include <string.h>

#include "swt_alloc.h"
#include "swt_status.h"

#define PPM 1000000u
#define PAGE_KIB 4

/* Population mix, in per mille of the processes created at start. */
#define IDLE_PERMILLE 700
#define BUSY_PERMILLE 30	/* the rest is "active" */
#define THREADED_PERMILLE 100	/* processes reporting 2 thread rows */
#define NO_IO_PERMILLE 100	/* /proc/PID/io unreadable (EACCES) */

/* Churn, per tick. */
#define SHORT_SPAWN_PPM 30000	/* a short-lived job starts (~108/hour) */
#define SHORT_LIFE_MIN 2	/* its lifetime in ticks: 2..61 */
#define SHORT_LIFE_SPAN 60
#define RESTART_PPM 3000	/* a long-lived service restarts (~11/hour) */

/* Idle processes: a wake-up now and then. */
#define IDLE_UTIME_PPM 20000
#define IDLE_STIME_PPM 10000
#define IDLE_CTXSW_PPM 100000
#define IDLE_MINFLT_PPM 10000
#define IDLE_RSS_PPM 10000

/* Active processes. */
#define ACTIVE_RSS_PPM 300000
#define ACTIVE_MINFLT_PPM 500000
#define ACTIVE_MAJFLT_PPM 1000
#define ACTIVE_IOR_PPM 30000
#define ACTIVE_IOW_PPM 80000

/* Busy processes. */
#define BUSY_RSS_PPM 500000
#define BUSY_VSZ_PPM 20000
#define BUSY_IOR_PPM 200000
#define BUSY_IOW_PPM 300000

/* RSS of idle/active processes wanders at most this many pages from its
 * base (real RSS wobbles with heap and page cache use, but does not
 * drift). */
#define WOBBLE_MAX_PAGES 8

enum proc_class { CLS_IDLE, CLS_ACTIVE, CLS_BUSY };

struct cmd {
	const char *comm;
	const char *cmdline;	/* NUL-separated argv */
	size_t cmdline_len;
};

#define CMD(comm, argv) { comm, argv, sizeof(argv) - 1 }

static const struct cmd long_cmds[] = {
	CMD("systemd", "/sbin/init\0splash\0"),
	CMD("systemd-journal", "/lib/systemd/systemd-journald\0"),
	CMD("systemd-udevd", "/lib/systemd/systemd-udevd\0"),
	CMD("systemd-logind", "/lib/systemd/systemd-logind\0"),
	CMD("dbus-daemon", "/usr/bin/dbus-daemon\0--system\0--nofork\0"),
	CMD("sshd", "sshd: /usr/sbin/sshd -D [listener]\0"),
	CMD("cron", "/usr/sbin/cron\0-f\0"),
	CMD("rsyslogd", "/usr/sbin/rsyslogd\0-n\0-iNONE\0"),
	CMD("agetty", "/sbin/agetty\0-o\0-p -- \\u\0--noclear\0tty1\0"),
	CMD("bash", "-bash\0"),
	CMD("tmux: server", "tmux\0new\0-s\0work\0"),
	CMD("nginx", "nginx: worker process\0"),
	CMD("postgres", "postgres: checkpointer\0"),
	CMD("postgres", "postgres: walwriter\0"),
	CMD("postgres", "postgres: autovacuum launcher\0"),
	CMD("redis-server", "/usr/bin/redis-server\0127.0.0.1:6379\0"),
	CMD("containerd", "/usr/bin/containerd\0"),
	CMD("dockerd", "/usr/bin/dockerd\0-H\0fd://\0"),
	CMD("containerd-shim", "/usr/bin/containerd-shim-runc-v2\0"
			       "-namespace\0moby\0-address\0"
			       "/run/containerd/containerd.sock\0"),
	CMD("python3", "/usr/bin/python3\0/opt/app/worker.py\0--queue\0"
		       "default\0"),
	CMD("node", "node\0/srv/web/server.js\0"),
	CMD("java", "/usr/lib/jvm/java-17-openjdk-amd64/bin/java\0-Xmx2g\0"
		    "-jar\0/opt/svc/service.jar\0"),
	CMD("gunicorn", "/srv/venv/bin/python\0/srv/venv/bin/gunicorn\0"
			"app:app\0-w\0"
			"4\0"),
	CMD("polkitd", "/usr/libexec/polkitd\0--no-debug\0"),
	CMD("chronyd", "/usr/sbin/chronyd\0-F\0"
		       "1\0"),
	CMD("unattended-upgr", "/usr/bin/python3\0/usr/share/unattended-"
			       "upgrades/unattended-upgrade-shutdown\0"),
	CMD("kworker/3:1-events", ""),
	CMD("kworker/u32:2-flush-252:0", ""),
	CMD("ksoftirqd/5", ""),
	CMD("rcu_preempt", ""),
	CMD("jbd2/vda1-8", ""),
	CMD("xfsaild/dm-1", ""),
};

static const struct cmd short_cmds[] = {
	CMD("sh", "/bin/sh\0-c\0/usr/lib/sysstat/debian-sa1 1 1\0"),
	CMD("git", "git\0fetch\0--quiet\0origin\0"),
	CMD("gzip", "gzip\0-9\0/var/log/app.log.1\0"),
	CMD("curl", "curl\0-fsS\0http://127.0.0.1:8080/health\0"),
	CMD("python3", "python3\0/opt/jobs/report.py\0"),
	CMD("sed", "sed\0-n\0s/x/y/p\0"),
	CMD("logrotate", "/usr/sbin/logrotate\0/etc/logrotate.conf\0"),
	CMD("apt-check", "/usr/bin/python3\0/usr/lib/update-notifier/"
			 "apt-check\0"),
};

static const char *const thread_names[] = {
	"gmain", "gdbus", "worker", "pool-spawner", "tokio-runtime-w",
	"JIT thread", "GC Thread#0", "jemalloc_bg_thd",
};

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

struct sproc {
	const struct cmd *cmd;
	enum proc_class cls;
	int32_t ppid;
	uint64_t start_ticks;
	uint64_t exit_tick;	/* 0: no planned exit */
	int nthr;		/* thread rows: 0 or 2 */
	const char *tname2;
	int64_t rss_base;
	int64_t wobble;		/* pages */
	struct swt_proc_row row;	/* cumulative values now */
	int64_t tutime[2], tstime[2];
};

struct swt_synth {
	struct swt_synth_opts opts;
	uint64_t rng;
	struct swt_header hdr;
	int64_t t0;

	struct sproc *procs;	/* sorted by pid */
	size_t n_procs, cap_procs;
	int32_t next_pid;
	size_t tick;		/* index of the next sample */

	/* records of the current tick, handed out in order */
	struct swt_record *queue;
	size_t n_queue, cap_queue, queue_pos;

	struct swt_proc_row *rows;
	size_t cap_rows;
	struct swt_thread_row *trows;
	size_t cap_trows;

	uint64_t sys_busy, sys_idle, mem_avail, rec_cpu_ns, rec_rss_kib;
	uint64_t rec_peak_rss_kib;
	uint64_t n_records;
	struct swt_session_end end;
	int64_t t_last;
};

/* ---- PRNG: xorshift64* (Vigna), tiny and good enough for workloads --- */

static uint64_t rnd(struct swt_synth *s)
{
	uint64_t x = s->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	s->rng = x;
	return x * 0x2545F4914F6CDD1Dull;
}

/* Uniform in [0, n). The modulo bias is irrelevant at these sizes. */
static uint64_t below(struct swt_synth *s, uint64_t n)
{
	return n ? (rnd(s) >> 11) % n : 0;
}

static bool chance(struct swt_synth *s, uint32_t ppm)
{
	return below(s, PPM) < ppm;
}

/* ---- population ------------------------------------------------------- */

void swt_synth_opts_init(struct swt_synth_opts *opts)
{
	opts->seed = 1;
	opts->n_procs = 500;
	opts->n_samples = 3600;
	opts->interval_ns = 1000000000;
	opts->threads = false;
}

static uint64_t now_ticks(const struct swt_synth *s)
{
	/* boot was 12 days before t0, 100 ticks per second */
	return (uint64_t)(s->t0 / 10000000) +
	       s->tick * (uint64_t)(s->opts.interval_ns / 10000000);
}

/* Initial counters: a process that has been running for a while. */
static void init_counters(struct swt_synth *s, struct sproc *p, bool fresh)
{
	struct swt_proc_row *r = &p->row;
	uint64_t scale = p->cls == CLS_BUSY ? 100 :
			 p->cls == CLS_ACTIVE ? 10 : 1;

	if (fresh)
		scale = 0;	/* just exec'd: everything starts small */
	r->utime = (int64_t)below(s, 20000 * scale + 1);
	r->stime = (int64_t)below(s, 5000 * scale + 1);
	p->rss_base = 1000 + (int64_t)below(s, 20000) +
		      (int64_t)below(s, 20000 * (scale + 1));
	r->rss_kib = p->rss_base;
	r->vsz_kib = r->rss_kib * 3 + (int64_t)below(s, 400000);
	r->nthreads = p->nthr ? p->nthr : 1;
	r->minflt = 100 + (int64_t)below(s, 100000 * scale + 1);
	r->majflt = (int64_t)below(s, 20 * scale + 1);
	r->vctxsw = (int64_t)below(s, 50000 * scale + 1);
	r->ivctxsw = (int64_t)below(s, 5000 * scale + 1);
	if (chance(s, NO_IO_PERMILLE * 1000)) {
		r->flags = SWT_PF_IO_UNAVAILABLE;
	} else {
		r->io_read = (int64_t)below(s, 25000 * scale + 1) * 4096;
		r->io_write = (int64_t)below(s, 2500 * scale + 1) * 4096;
	}
	/* process time is the sum of its threads' */
	p->tutime[0] = r->utime / 2;
	p->tutime[1] = r->utime - p->tutime[0];
	p->tstime[0] = r->stime / 2;
	p->tstime[1] = r->stime - p->tstime[0];
}

/* Append a process with the next pid (pids only grow: the array stays
 * sorted). A threaded process takes pid and pid + 1 (its second tid). */
static struct sproc *add_proc(struct swt_synth *s, enum proc_class cls,
			      const struct cmd *cmd, bool fresh)
{
	struct sproc *p;

	s->procs = swt_grow(s->procs, &s->cap_procs, s->n_procs + 1,
			    sizeof(*s->procs));
	p = &s->procs[s->n_procs++];
	memset(p, 0, sizeof(*p));
	p->cmd = cmd;
	p->cls = cls;
	p->row.pid = s->next_pid;
	p->ppid = fresh ? s->procs[0].row.pid : 1;
	/* other processes come and go unseen between ours */
	s->next_pid += 1 + (int32_t)below(s, fresh ? 8 : 60);
	if (chance(s, THREADED_PERMILLE * 1000)) {
		p->nthr = 2;
		p->tname2 = thread_names[below(s, N_ELEMS(thread_names))];
		s->next_pid++;
	}
	p->start_ticks = fresh ? now_ticks(s) : below(s, now_ticks(s));
	init_counters(s, p, fresh);
	return p;
}

static struct swt_record *queue_add(struct swt_synth *s,
				    enum swt_record_kind kind, int64_t t)
{
	struct swt_record *r;

	s->queue = swt_grow(s->queue, &s->cap_queue, s->n_queue + 1,
			    sizeof(*s->queue));
	r = &s->queue[s->n_queue++];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->t_ns = t;
	return r;
}

static void queue_start(struct swt_synth *s, const struct sproc *p, int64_t t,
			bool preexisting)
{
	struct swt_proc_start *ps = &queue_add(s, SWT_REC_PROC_START, t)
					     ->u.proc_start;

	ps->pid = p->row.pid;
	ps->ppid = p->ppid;
	ps->start_ticks = p->start_ticks;
	ps->comm = p->cmd->comm;
	ps->cmdline = p->cmd->cmdline;
	ps->cmdline_len = p->cmd->cmdline_len;
	ps->uid = p->cls == CLS_IDLE ? 0 : 1000;
	ps->preexisting = preexisting;
}

static void exit_proc(struct swt_synth *s, size_t i, int64_t t)
{
	struct swt_proc_exit *pe = &queue_add(s, SWT_REC_PROC_EXIT, t)
					    ->u.proc_exit;

	pe->pid = s->procs[i].row.pid;
	pe->start_ticks = s->procs[i].start_ticks;
	memmove(&s->procs[i], &s->procs[i + 1],
		(s->n_procs - i - 1) * sizeof(*s->procs));
	s->n_procs--;
}

static enum proc_class pick_class(struct swt_synth *s)
{
	uint64_t x = below(s, 1000);

	if (x < IDLE_PERMILLE)
		return CLS_IDLE;
	return x < 1000 - BUSY_PERMILLE ? CLS_ACTIVE : CLS_BUSY;
}

/* Exits and starts of one tick, all stamped with the sample's time: a
 * recorder notices them while it scans /proc for that sample. */
static void churn(struct swt_synth *s, int64_t t)
{
	size_t i;

	for (i = 0; i < s->n_procs;) {
		if (s->procs[i].exit_tick == s->tick)
			exit_proc(s, i, t);
		else
			i++;
	}
	if (chance(s, RESTART_PPM)) {
		i = (size_t)below(s, s->n_procs);
		if (s->procs[i].cls != CLS_BUSY && !s->procs[i].exit_tick) {
			const struct cmd *cmd = s->procs[i].cmd;
			enum proc_class cls = s->procs[i].cls;

			exit_proc(s, i, t);
			queue_start(s, add_proc(s, cls, cmd, true), t, false);
		}
	}
	if (chance(s, SHORT_SPAWN_PPM)) {
		const struct cmd *cmd = &short_cmds[below(s,
							  N_ELEMS(short_cmds))];
		struct sproc *p = add_proc(s, CLS_ACTIVE, cmd, true);

		p->exit_tick = s->tick + SHORT_LIFE_MIN +
			       below(s, SHORT_LIFE_SPAN);
		queue_start(s, p, t, false);
	}
}

static void wobble_rss(struct swt_synth *s, struct sproc *p, int64_t pages)
{
	int64_t step = (int64_t)below(s, (uint64_t)(2 * pages + 1)) - pages;

	p->wobble += step;
	if (p->wobble > WOBBLE_MAX_PAGES)
		p->wobble = WOBBLE_MAX_PAGES;
	if (p->wobble < -WOBBLE_MAX_PAGES)
		p->wobble = -WOBBLE_MAX_PAGES;
	p->row.rss_kib = p->rss_base + p->wobble * PAGE_KIB;
}

/* Advance one process by one tick; returns its CPU ticks used. */
static int64_t step_proc(struct swt_synth *s, struct sproc *p)
{
	struct swt_proc_row *r = &p->row;
	int64_t du = 0, ds = 0, split;
	bool io = !(r->flags & SWT_PF_IO_UNAVAILABLE);

	switch (p->cls) {
	case CLS_IDLE:
		du = chance(s, IDLE_UTIME_PPM);
		ds = chance(s, IDLE_STIME_PPM);
		if (chance(s, IDLE_CTXSW_PPM))
			r->vctxsw += 1 + (int64_t)below(s, 3);
		if (chance(s, IDLE_MINFLT_PPM))
			r->minflt += (int64_t)below(s, 8);
		if (chance(s, IDLE_RSS_PPM))
			wobble_rss(s, p, 1);
		break;
	case CLS_ACTIVE:
		du = (int64_t)below(s, 4);
		ds = below(s, 3) == 0 ? (int64_t)below(s, 2) : 0;
		if (chance(s, ACTIVE_RSS_PPM))
			wobble_rss(s, p, 2);
		if (chance(s, ACTIVE_MINFLT_PPM))
			r->minflt += (int64_t)below(s, 30);
		if (chance(s, ACTIVE_MAJFLT_PPM))
			r->majflt++;
		r->vctxsw += 1 + (int64_t)below(s, 40);
		r->ivctxsw += (int64_t)below(s, 4);
		if (io && chance(s, ACTIVE_IOR_PPM))
			r->io_read += 4096 * (1 + (int64_t)below(s, 16));
		if (io && chance(s, ACTIVE_IOW_PPM))
			r->io_write += 4096 * (1 + (int64_t)below(s, 8));
		break;
	case CLS_BUSY:
		du = 90 + (int64_t)below(s, 11);
		ds = (int64_t)below(s, 8);
		if (chance(s, BUSY_RSS_PPM))	/* slow leak */
			r->rss_kib += (int64_t)below(s, 65);
		if (chance(s, BUSY_VSZ_PPM))
			r->vsz_kib += 1024 * (1 + (int64_t)below(s, 8));
		r->minflt += 50 + (int64_t)below(s, 400);
		r->vctxsw += (int64_t)below(s, 50);
		r->ivctxsw += 5 + (int64_t)below(s, 100);
		if (io && chance(s, BUSY_IOR_PPM))
			r->io_read += 4096 * (1 + (int64_t)below(s, 256));
		if (io && chance(s, BUSY_IOW_PPM))
			r->io_write += 4096 * (1 + (int64_t)below(s, 64));
		break;
	}
	r->utime += du;
	r->stime += ds;
	/* drawn even without thread rows, so that the process columns are
	 * the same with and without threads */
	split = (int64_t)below(s, (uint64_t)du + 1);
	p->tutime[0] += split;
	p->tutime[1] += du - split;
	p->tstime[0] += ds;
	return du + ds;
}

static void queue_sample(struct swt_synth *s, int64_t sched, int64_t t)
{
	struct swt_sample *sm;
	size_t i, nt = 0;
	int64_t busy = 0, cap;

	s->rows = swt_grow(s->rows, &s->cap_rows, s->n_procs,
			   sizeof(*s->rows));
	s->trows = swt_grow(s->trows, &s->cap_trows, 2 * s->n_procs,
			    sizeof(*s->trows));
	for (i = 0; i < s->n_procs; i++) {
		struct sproc *p = &s->procs[i];

		busy += step_proc(s, p);
		s->rows[i] = p->row;
		if (s->opts.threads && p->nthr) {
			struct swt_thread_row *tr = &s->trows[nt];

			tr[0].tid = p->row.pid;
			tr[0].tgid = p->row.pid;
			tr[0].name = p->cmd->comm;
			tr[0].utime = p->tutime[0];
			tr[0].stime = p->tstime[0];
			tr[1].tid = p->row.pid + 1;
			tr[1].tgid = p->row.pid;
			tr[1].name = p->tname2;
			tr[1].utime = p->tutime[1];
			tr[1].stime = p->tstime[1];
			nt += 2;
		}
	}
	/* host totals: 16 CPUs at 100 ticks/s */
	cap = 16 * 100 * (s->opts.interval_ns / 1000000000);
	busy += (int64_t)below(s, 5);
	s->sys_busy += (uint64_t)busy;
	s->sys_idle += (uint64_t)(cap > busy ? cap - busy : 0);
	s->mem_avail += below(s, 4097);
	s->mem_avail -= below(s, 4097);
	s->rec_cpu_ns += 4000000 + below(s, 2000000);
	if (chance(s, 20000))
		s->rec_rss_kib += 4;
	if (s->rec_rss_kib > s->rec_peak_rss_kib)
		s->rec_peak_rss_kib = s->rec_rss_kib;

	sm = &queue_add(s, SWT_REC_SAMPLE, t)->u.sample;
	sm->scheduled_ns = sched;
	sm->recorder_cpu_ns = s->rec_cpu_ns;
	sm->recorder_rss_kib = s->rec_rss_kib;
	sm->sys_busy_ticks = s->sys_busy;
	sm->sys_idle_ticks = s->sys_idle;
	sm->mem_total_kib = s->hdr.mem_total_kib;
	sm->mem_available_kib = s->mem_avail;
	sm->n_procs = s->n_procs;
	sm->procs = s->rows;
	sm->n_threads = nt;
	sm->threads = s->trows;
}

/* Build the records of the next tick into the queue. */
static void next_tick(struct swt_synth *s)
{
	int64_t sched = s->t0 + (int64_t)s->tick * s->opts.interval_ns;
	int64_t t = sched + 50000 + (int64_t)below(s, 750000);
	size_t i;

	s->n_queue = 0;
	s->queue_pos = 0;
	if (s->tick == 0) {
		for (i = 0; i < s->n_procs; i++)
			queue_start(s, &s->procs[i], t, true);
	} else {
		churn(s, t);
	}
	queue_sample(s, sched, t);
	s->t_last = t;
	s->tick++;
}

int swt_synth_new(struct swt_synth **out, const struct swt_synth_opts *opts)
{
	static const char *const command[] = { "swrec", "-a", "-o",
					       "bench.swt" };
	struct swt_synth *s;
	size_t i;

	*out = NULL;
	if (!opts->n_procs || !opts->n_samples || opts->interval_ns <= 0)
		return SWT_EINVAL;
	s = swt_zalloc(sizeof(*s));
	s->opts = *opts;
	s->rng = opts->seed ? opts->seed : 1;
	s->t0 = 12 * 86400 * 1000000000ll;	/* 12 days of uptime */
	s->hdr.recorder = "swt-bench-codec";
	s->hdr.kernel = "6.1.0-synthetic";
	s->hdr.clock_ticks = 100;
	s->hdr.page_size = 4096;
	s->hdr.cpu_count = 16;
	s->hdr.mem_total_kib = 64ull << 20;
	s->hdr.interval_ns = opts->interval_ns;
	s->hdr.flush_interval_ns = opts->interval_ns;
	s->hdr.start_mono_ns = s->t0;
	s->hdr.start_wall_ns = 1700000000ll * 1000000000ll;
	s->hdr.mode = SWT_MODE_ALL;
	s->hdr.n_command = N_ELEMS(command);
	s->hdr.command = command;
	s->hdr.boot_time_s = 1700000000ull - 12 * 86400;
	s->hdr.threads = opts->threads;
	s->mem_avail = 40ull << 20;
	s->rec_rss_kib = 6000;
	s->sys_busy = 50000000;
	s->sys_idle = 1500000000;
	s->next_pid = 1;
	for (i = 0; i < opts->n_procs; i++) {
		enum proc_class cls = pick_class(s);

		add_proc(s, cls, &long_cmds[below(s, N_ELEMS(long_cmds))],
			 false);
	}
	*out = s;
	return 0;
}

void swt_synth_free(struct swt_synth *s)
{
	if (!s)
		return;
	free(s->procs);
	free(s->queue);
	free(s->rows);
	free(s->trows);
	free(s);
}

const struct swt_header *swt_synth_get_header(const struct swt_synth *s)
{
	return &s->hdr;
}

int swt_synth_next(struct swt_synth *s, const struct swt_record **out)
{
	if (s->queue_pos == s->n_queue) {
		if (s->tick == s->opts.n_samples)
			return SWT_ITEROVER;
		next_tick(s);
	}
	s->n_records++;
	*out = &s->queue[s->queue_pos++];
	return 0;
}

const struct swt_session_end *swt_synth_get_end(const struct swt_synth *s,
						 int64_t *t_ns)
{
	struct swt_synth *m = (struct swt_synth *)(uintptr_t)s;

	memset(&m->end, 0, sizeof(m->end));
	m->end.reason = SWT_END_DURATION;
	m->end.samples = s->tick;
	m->end.records = s->n_records + 1;
	m->end.recorder_cpu_ns = s->rec_cpu_ns;
	m->end.recorder_peak_rss_kib = s->rec_peak_rss_kib;
	*t_ns = s->t_last + 1000000;
	return &m->end;
}

/* Two running sums (Fletcher style): the second makes the result depend
 * on row order too. Plain adds keep the fold far cheaper than decoding,
 * so it does not distort the decode rate. */
void swt_synth_fold_sample(uint64_t acc[2], const struct swt_sample *sample)
{
	uint64_t a = acc[0], b = acc[1];
	size_t i;

	for (i = 0; i < sample->n_procs; i++) {
		const struct swt_proc_row *r = &sample->procs[i];

		a += (uint64_t)r->pid + r->flags + (uint64_t)r->utime +
		     (uint64_t)r->stime + (uint64_t)r->rss_kib +
		     (uint64_t)r->vsz_kib + (uint64_t)r->nthreads +
		     (uint64_t)r->minflt + (uint64_t)r->majflt +
		     (uint64_t)r->io_read + (uint64_t)r->io_write +
		     (uint64_t)r->vctxsw + (uint64_t)r->ivctxsw;
		b += a;
	}
	for (i = 0; i < sample->n_threads; i++) {
		const struct swt_thread_row *t = &sample->threads[i];

		a += (uint64_t)t->tid + (uint64_t)t->tgid +
		     (uint64_t)t->utime + (uint64_t)t->stime +
		     (unsigned char)t->name[0];
		b += a;
	}
	acc[0] = a;
	acc[1] = b;
}
