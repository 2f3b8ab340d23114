/* swt-bench-client — what libswtrace costs an application, and what the
 * ingest sustains (docs/performance.md, "libswtrace").
 *
 *   swt-bench-client [--events N] [--reps R] [--rate EV_PER_S]
 *                    [--seconds S] [--file PATH] [--ring ENTRIES]
 *
 * Phases, each in a child process of its own (so that the library starts
 * from scratch: it reads its environment on the first event):
 *
 *  1. disabled   swt_count() with SWT_TRACE_SOCKET unset, ns per call.
 *  2. cost       ns per event (producer thread CPU time) of
 *                swt_module_begin, swt_module_end and
 *                swt_count on 1 and 2 producer threads, each repetition
 *                next to a bare clock_gettime(CLOCK_MONOTONIC) loop timed
 *                on the same threads in the same conditions; the ingest
 *                drains concurrently on the main thread. Rings are sized
 *                to hold a whole repetition (--events per thread), so no
 *                event takes the drop path (which is cheaper, and would
 *                flatter the figures). Every event is accounted for.
 *  3. sustained  2 threads paced to --rate events/s in total for --seconds,
 *                rings of the library's default size (or --ring), drained
 *                by swt_ingest on the main thread the way swrec's loop
 *                does (poll, service, drain up to now) into a real .swt
 *                file through swt_writer (flushed every second, no fsync).
 *                Reports received, dropped (as counted by the ingest and
 *                the library) and unaccounted (must be 0).
 *  4. flat out   the same with unpaced producers: the ceiling, and the
 *                drops it causes, all counted.
 *  5. probes     the candidate readings for span measurements, ns per
 *                call: clock_gettime(CLOCK_THREAD_CPUTIME_ID),
 *                getrusage(RUSAGE_THREAD), pread of /proc/thread-self/
 *                schedstat (kept open), pread of /proc/self/statm (kept
 *                open), next to clock_gettime(CLOCK_MONOTONIC); and how
 *                current each CPU reading is: read alone every 20 us of
 *                spinning, how often it moved and its longest standstill.
 *  6. spans      swt_module_begin + swt_module_end pairs with the span
 *                measurements off, CPU, RSS, both (SWT_TRACE_SPAN_CPU,
 *                SWT_TRACE_SPAN_RSS): ns per call (thread CPU time, which
 *                includes the system calls), each repetition running
 *                the four settings one after the other, each in a fresh
 *                child process (the library reads its environment once)
 *                whose ring (2^20 entries) was written all over once
 *                before the timed 100 000 pairs; ratio to "off" per
 *                repetition. --measure-only runs phases 5 and 6 alone.
 *  7. clock      (run first) the event clock of issue 17: per
 *                repetition four children in turn, {clock_gettime (the
 *                old path, SWT_TRACE_CLOCK=monotonic), TSC (new)} x
 *                {spans without, with their CPU time}, each timing on one
 *                thread bare rdtsc and clock_gettime loops, swt_count
 *                and begin+end pairs; ratios per repetition: new / old,
 *                new / rdtsc, old / clock_gettime. --clock-only runs it
 *                alone. Probes (5) also time rdtsc and a perf task-clock
 *                event, read() and through its mmap'd page.
 *
 * Medians with [min-max] over the repetitions. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <x86intrin.h>

#include "client/swt_wire.h"
#include "swt_ingest.h"
#include "swt_status.h"
#include "swt_writer.h"
#include "swtrace.h"

struct opts {
	long events;		/* per thread per repetition (cost) */
	int reps;
	long rate;		/* sustained, events/s in total */
	int seconds;
	const char *file;
	long ring;		/* sustained: ring entries, 0 = default */
	bool measure_only;	/* phases 5 and 6 only */
	bool clock_only;	/* phase 7 only */
};

static struct opts o = { 500000, 7, 5000000, 3, NULL, 0, false, false };

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* "median [min-max]" of n values (sorted in place). */
static void fmt_stat(char *buf, size_t len, double *v, int n, int prec)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_dbl);
	snprintf(buf, len, "%.*f [%.*f-%.*f]", prec, v[n / 2], prec, v[0],
		 prec, v[n - 1]);
}

/* ---- the consumer: an ingest driven like swrec's loop -------------------- */

struct sink {
	uint64_t events;
	uint64_t dropped;	/* highest total_dropped seen */
	uint64_t anomalies;
	struct swt_writer *w;
	int64_t next_flush;
	int64_t writer_cpu;	/* consumer CPU time spent in the writer */
	int err;
};

static int on_record(const struct swt_record *rec, void *payload)
{
	struct sink *s = payload;

	if (rec->kind == SWT_REC_EVENTS)
		s->events += rec->u.events.n;
	else if (rec->kind == SWT_REC_DROPS &&
		 rec->u.drops.total_dropped > s->dropped)
		s->dropped = rec->u.drops.total_dropped;
	else if (rec->kind == SWT_REC_ANOMALY)
		s->anomalies++;
	if (s->w && !s->err) {
		int64_t c0 = thread_cpu_ns();

		s->err = swt_writer_append(s->w, rec);
		s->writer_cpu += thread_cpu_ns() - c0;
		if (s->err)
			fprintf(stderr, "writer: %s\n",
				swt_writer_errmsg(s->w));
	}
	return 0;
}

static void consume_once(struct swt_ingest *ing, struct sink *s, int wait_ms)
{
	struct pollfd p = { swt_ingest_get_fd(ing), POLLIN, 0 };

	poll(&p, 1, wait_ms);
	swt_ingest_service(ing);
	swt_ingest_drain(ing, now_ns(), on_record, s);
	if (s->w && now_ns() >= s->next_flush) {
		int64_t c0 = thread_cpu_ns();

		if (!s->err)
			s->err = swt_writer_flush(s->w);
		s->writer_cpu += thread_cpu_ns() - c0;
		s->next_flush = now_ns() + 1000000000;
	}
}

/* An ingest whose clock is `clock` (enum swt_event_clock), its socket and
 * clock in our environment for the library's first event. */
static struct swt_ingest *ingest_start(int clock)
{
	struct swt_ingest *ing = NULL;
	struct swt_ingest_opts io;
	char err[256];

	swt_ingest_opts_init(&io);
	io.event_clock = clock;
	if (swt_ingest_open(&ing, &io, err, sizeof(err))) {
		fprintf(stderr, "swt-bench-client: %s\n", err);
		exit(1);
	}
	if (setenv("SWT_TRACE_SOCKET", strchr(swt_ingest_get_env(ing), '=') + 1,
		   1)) {
		perror("setenv");
		exit(1);
	}
	if (setenv(SWT_WIRE_ENV_CLOCK,
		   strchr(swt_ingest_get_clock_env(ing), '=') + 1, 1)) {
		perror("setenv");
		exit(1);
	}
	return ing;
}

/* Drain until everything produced is accounted for (or 10 s). */
static void settle(struct swt_ingest *ing, struct sink *s, uint64_t produced)
{
	int64_t end = now_ns() + 10000000000;

	swt_trace_flush();
	while (now_ns() < end &&
	       s->events + s->dropped < produced)
		consume_once(ing, s, 1);
	/* a little longer: a late drop record or anomaly */
	end = now_ns() + 50000000;
	while (now_ns() < end)
		consume_once(ing, s, 1);
}

/* ---- producers ------------------------------------------------------- */

enum op { OP_CLOCK, OP_BEGIN, OP_END, OP_COUNT, OP_PAIR, OP_RDTSC };

static const char *const op_name[] = {
	"clock_gettime", "swt_module_begin", "swt_module_end", "swt_count",
	"begin+end pair", "rdtsc",
};

struct prod {
	pthread_t th;
	enum op op;
	long n;
	long rate;		/* events/s for this thread, 0: unpaced */
	int64_t until;		/* paced/unpaced duration mode: stop time */
	atomic_int *go;
	int64_t elapsed;
	int64_t cpu;		/* the thread's CPU time for it */
	uint64_t produced;
	uint64_t sink;
};

static void *producer(void *arg)
{
	struct prod *p = arg;
	struct timespec ts;
	int64_t t0;
	long i;

	int64_t c0;

	while (!atomic_load(p->go))
		;
	c0 = thread_cpu_ns();
	t0 = now_ns();
	switch (p->op) {
	case OP_CLOCK:
		for (i = 0; i < p->n; i++) {
			clock_gettime(CLOCK_MONOTONIC, &ts);
			p->sink += (uint64_t)ts.tv_nsec;
		}
		break;
	case OP_BEGIN:
		for (i = 0; i < p->n; i++)
			swt_module_begin("bench_module");
		break;
	case OP_END:
		for (i = 0; i < p->n; i++)
			swt_module_end("bench_module");
		break;
	case OP_COUNT:
		for (i = 0; i < p->n; i++)
			swt_count("bench_counter", 1);
		break;
	case OP_PAIR:
		for (i = 0; i < p->n; i++) {
			swt_module_begin("bench_module");
			swt_module_end("bench_module");
		}
		break;
	case OP_RDTSC:
		for (i = 0; i < p->n; i++)
			p->sink += __rdtsc();
		break;
	}
	p->cpu = thread_cpu_ns() - c0;
	p->elapsed = now_ns() - t0;
	p->produced = p->op == OP_CLOCK || p->op == OP_RDTSC ? 0
		      : p->op == OP_PAIR ? 2 * (uint64_t)p->n
					 : (uint64_t)p->n;
	return NULL;
}

/* Duration mode: count events until `until`, paced to p->rate (bursts of
 * 1024, sleeping to the schedule when ahead of it). */
static void *producer_timed(void *arg)
{
	struct prod *p = arg;
	int64_t t0, t;
	uint64_t n = 0;
	int i;

	while (!atomic_load(p->go))
		;
	t0 = now_ns();
	while ((t = now_ns()) < p->until) {
		if (p->rate) {
			int64_t due = t0 + (int64_t)((double)n * 1e9 /
						     (double)p->rate);

			if (due > t) {
				struct timespec ts = {
					(time_t)(due / 1000000000),
					(long)(due % 1000000000)
				};

				clock_nanosleep(CLOCK_MONOTONIC,
						TIMER_ABSTIME, &ts, NULL);
				continue;
			}
		}
		for (i = 0; i < 1024; i++)
			swt_count("bench_sustained", 1);
		n += 1024;
	}
	p->elapsed = now_ns() - t0;
	p->produced = n;
	return NULL;
}

/* The cost phase keeps its producer threads for the whole phase: a
 * thread's ring is created and first filled (every page written once)
 * before anything is timed, and each repetition starts with empty rings.
 * Producer i runs command `seq` when w->seq moves. */
struct worker {
	pthread_t th;
	struct prod p;
	atomic_int seq;
	atomic_int done;
	atomic_int quit;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	int seen = 0;
	atomic_int go = 1;

	w->p.go = &go;
	for (;;) {
		int s;

		while ((s = atomic_load(&w->seq)) == seen &&
		       !atomic_load(&w->quit))
			;
		if (atomic_load(&w->quit))
			return NULL;
		seen = s;
		producer(&w->p);
		atomic_store(&w->done, s);
	}
}

/* Run `op` on the first nthreads workers while the main thread consumes,
 * then drain until every event is accounted for; returns the mean ns per
 * operation per thread, in the thread's CPU time: on a machine with as
 * many busy threads as CPUs, wall time would also count the time a
 * producer waited while another thread ran. */
static double run_op(struct swt_ingest *ing, struct sink *s,
		     struct worker *w, enum op op, long n, int nthreads,
		     uint64_t *produced)
{
	double sum = 0;
	int i, done;

	for (i = 0; i < nthreads; i++) {
		w[i].p.op = op;
		w[i].p.n = n;
		w[i].p.elapsed = 0;
		atomic_fetch_add(&w[i].seq, 1);
	}
	for (done = 0; done < nthreads;) {
		consume_once(ing, s, 1);
		for (done = i = 0; i < nthreads; i++)
			done += atomic_load(&w[i].done) ==
				atomic_load(&w[i].seq);
	}
	for (i = 0; i < nthreads; i++) {
		sum += (double)w[i].p.cpu /
		       (double)(op == OP_PAIR ? 2 * n : n);
		*produced += w[i].p.produced;
	}
	/* empty rings for the next repetition */
	while (s->events + s->dropped < *produced)
		consume_once(ing, s, 1);
	return sum / nthreads;
}

/* ---- phases ---------------------------------------------------------- */

static void phase_disabled(void)
{
	const long n = 200000000;
	double v[16];
	int r;

	unsetenv("SWT_TRACE_SOCKET");
	for (r = 0; r < o.reps && r < 16; r++) {
		int64_t t0 = now_ns();
		long i;

		for (i = 0; i < n; i++)
			swt_count("bench_counter", 1);
		v[r] = (double)(now_ns() - t0) / (double)n;
	}
	{
		char b[64];

		fmt_stat(b, sizeof(b), v, r, 2);
		printf("| disabled (no recorder) | swt_count | 1 | %s | | |\n",
		       b);
	}
	if (swt_trace_enabled()) {
		fprintf(stderr, "disabled phase: tracing is on?\n");
		exit(1);
	}
}

static void phase_cost(void)
{
	static const enum op ops[] = { OP_COUNT, OP_BEGIN, OP_END, OP_PAIR };
	struct swt_ingest *ing;
	struct swt_ingest_stats st;
	struct sink s = { 0 };
	struct worker w[2];
	uint64_t produced = 0;
	char ring[32];
	int nt, k, r, i;
	long entries = 1024;

	while (entries < 2 * o.events && entries < (1L << 20))
		entries *= 2;
	snprintf(ring, sizeof(ring), "%ld", entries);
	setenv("SWT_TRACE_RING_ENTRIES", ring, 1);
	ing = ingest_start(SWT_EVENT_CLOCK_AUTO);
	memset(w, 0, sizeof(w));
	for (i = 0; i < 2; i++)
		if (pthread_create(&w[i].th, NULL, worker_main, &w[i])) {
			perror("pthread_create");
			exit(1);
		}
	/* warm up: each thread's ring created and written all over once */
	run_op(ing, &s, w, OP_COUNT, entries, 2, &produced);
	for (nt = 1; nt <= 2; nt++) {
		for (k = 0; k < 4; k++) {
			double clk[16], ev[16], ratio[16];
			char a[64], b[64], c[64];

			for (r = 0; r < o.reps && r < 16; r++) {
				clk[r] = run_op(ing, &s, w, OP_CLOCK, o.events,
						nt, &produced);
				ev[r] = run_op(ing, &s, w, ops[k], o.events, nt,
					       &produced);
				ratio[r] = ev[r] / clk[r];
			}
			fmt_stat(a, sizeof(a), ev, r, 1);
			fmt_stat(b, sizeof(b), clk, r, 1);
			fmt_stat(c, sizeof(c), ratio, r, 2);
			printf("| recording | %s | %d | %s | %s | %s |\n",
			       op_name[ops[k]], nt, a, b, c);
			fflush(stdout);
		}
	}
	for (i = 0; i < 2; i++) {
		atomic_store(&w[i].quit, 1);
		pthread_join(w[i].th, NULL);
	}
	settle(ing, &s, produced);
	swt_ingest_get_stats(ing, &st);
	printf("\ncost phase: %" PRIu64 " events produced, %" PRIu64
	       " received, %" PRIu64 " dropped (ingest: %" PRIu64
	       " dropped), unaccounted %" PRId64 "; ring %s entries\n",
	       produced, s.events, s.dropped, st.dropped,
	       (int64_t)(produced - s.events - s.dropped), ring);
	swt_ingest_close(ing);
}

static void phase_sustained(long rate)
{
	struct swt_ingest *ing;
	struct swt_ingest_stats st;
	struct sink s = { 0 };
	struct prod p[2];
	atomic_int go = 0;
	uint64_t produced = 0, lib_dropped;
	int64_t t0, cpu0, cpu1, t1, elapsed = 0;
	char path[512];
	struct stat sb;
	int i;

	if (o.ring) {
		char ring[32];

		snprintf(ring, sizeof(ring), "%ld", o.ring);
		setenv("SWT_TRACE_RING_ENTRIES", ring, 1);
	} else {
		unsetenv("SWT_TRACE_RING_ENTRIES");
	}
	ing = ingest_start(SWT_EVENT_CLOCK_AUTO);
	snprintf(path, sizeof(path), "%s", o.file ? o.file : "");
	if (path[0]) {
		struct swt_writer_opts wo;
		struct swt_header h;
		char err[256];

		swt_writer_opts_init(&wo);
		wo.sync = false;
		wo.force = true;
		memset(&h, 0, sizeof(h));
		h.recorder = "swt-bench-client";
		h.clock_ticks = 100;
		h.page_size = 4096;
		h.cpu_count = 2;
		h.interval_ns = 1000000000;
		h.flush_interval_ns = 1000000000;
		h.start_mono_ns = now_ns();
		h.mode = SWT_MODE_LAUNCH;
		if (swt_writer_open(&s.w, path, &wo, &h, err, sizeof(err))) {
			fprintf(stderr, "swt-bench-client: %s\n", err);
			exit(1);
		}
	}
	memset(p, 0, sizeof(p));
	t0 = now_ns();
	for (i = 0; i < 2; i++) {
		p[i].rate = rate / 2;
		p[i].until = t0 + (int64_t)o.seconds * 1000000000 +
			     50000000;
		p[i].go = &go;
		if (pthread_create(&p[i].th, NULL, producer_timed, &p[i])) {
			perror("pthread_create");
			exit(1);
		}
	}
	cpu0 = thread_cpu_ns();
	t0 = now_ns();
	atomic_store(&go, 1);
	while (!p[0].elapsed || !p[1].elapsed)
		consume_once(ing, &s, 2);
	for (i = 0; i < 2; i++) {
		pthread_join(p[i].th, NULL);
		produced += p[i].produced;
		elapsed = p[i].elapsed > elapsed ? p[i].elapsed : elapsed;
	}
	settle(ing, &s, produced);
	cpu1 = thread_cpu_ns();
	t1 = now_ns();
	lib_dropped = swt_trace_dropped();
	swt_ingest_get_stats(ing, &st);
	if (s.w) {
		struct swt_session_end end;

		memset(&end, 0, sizeof(end));
		end.reason = SWT_END_EXITED;
		end.events = s.events;
		end.dropped_events = s.dropped;
		if (s.err || swt_writer_finish(s.w, &end, now_ns()))
			fprintf(stderr, "writer: %s\n",
				swt_writer_errmsg(s.w));
		swt_writer_free(s.w);
	}
	printf("| %s | %.2f M/s | %" PRIu64 " | %" PRIu64 " | %" PRIu64
	       " | %" PRId64 " | %.1f %% | %.1f %% | %s |\n",
	       rate ? "paced" : "flat out",
	       (double)produced / ((double)elapsed / 1e9) / 1e6, produced,
	       s.events, s.dropped,
	       (int64_t)(produced - s.events - s.dropped),
	       100.0 * (double)(cpu1 - cpu0 - s.writer_cpu) /
		       (double)(t1 - t0),
	       100.0 * (double)s.writer_cpu / (double)(t1 - t0),
	       path[0] && stat(path, &sb) == 0
		       ? (snprintf(path, sizeof(path), "%.2f B/event",
				   (double)sb.st_size / (double)s.events),
			  path)
		       : "-");
	if (lib_dropped != s.dropped || st.dropped != s.dropped)
		printf("  (library counted %" PRIu64 " dropped, ingest %" PRIu64
		       ")\n", lib_dropped, st.dropped);
	fflush(stdout);
	swt_ingest_close(ing);
}

static void in_child(void (*fn)(long), long arg)
{
	pid_t pid;
	int st;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		fn(arg);
		fflush(stdout);
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st)) {
		fprintf(stderr, "swt-bench-client: a phase failed\n");
		exit(1);
	}
}

/* ---- probes ------------------------------------------------------------- */

enum probe { PR_MONO, PR_CPUCLOCK, PR_RUSAGE, PR_SCHEDSTAT, PR_PERF_READ,
	     PR_PERF_MMAP, PR_STATM, PR_RDTSC, PR_N };
#define PR_LAST_CPU PR_PERF_MMAP	/* CPU readings: PR_CPUCLOCK.. */

static const char *const probe_name[PR_N] = {
	"clock_gettime(CLOCK_MONOTONIC)",
	"clock_gettime(CLOCK_THREAD_CPUTIME_ID)",
	"getrusage(RUSAGE_THREAD)",
	"pread /proc/thread-self/schedstat",
	"read() of a perf task-clock event",
	"perf task-clock, mmap'd page (no system call)",
	"pread /proc/self/statm",
	"rdtsc",
};

/* A self-monitoring perf software event (PERF_COUNT_SW_TASK_CLOCK) on the
 * calling thread, its first page mapped: the kernel keeps the count and,
 * when cap_user_time is set, what it takes to extrapolate it with the TSC
 * (issue 17: a thread's CPU time without a system call?). */
static struct perf_event_mmap_page *perf_pg;
static int perf_fd = -1;

static void perf_open(void)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_TASK_CLOCK;
	a.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED |
			PERF_FORMAT_TOTAL_TIME_RUNNING;
	perf_fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1,
			       PERF_FLAG_FD_CLOEXEC);
	if (perf_fd < 0)
		return;
	perf_pg = mmap(NULL, (size_t)sysconf(_SC_PAGESIZE), PROT_READ,
		       MAP_SHARED, perf_fd, 0);
	if (perf_pg == MAP_FAILED)
		perf_pg = NULL;
}

/* The task clock from the page: the count as of the kernel's last update
 * plus, with cap_user_time, the time since then from the TSC (the
 * documented seqlock read of perf_event_mmap_page). */
static int64_t perf_mmap_read(void)
{
	uint32_t seq;
	int64_t v;

	if (!perf_pg)
		return 0;
	do {
		seq = __atomic_load_n(&perf_pg->lock, __ATOMIC_ACQUIRE);
		v = perf_pg->offset;
		if (perf_pg->cap_user_time) {
			uint64_t cyc = __rdtsc(), quot, rem, delta;

			quot = cyc >> perf_pg->time_shift;
			rem = cyc & (((uint64_t)1 << perf_pg->time_shift) - 1);
			delta = perf_pg->time_offset + quot * perf_pg->time_mult +
				((rem * perf_pg->time_mult) >>
				 perf_pg->time_shift);
			v += (int64_t)delta;	/* time since the update */
		}
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while (__atomic_load_n(&perf_pg->lock, __ATOMIC_RELAXED) != seq);
	return v;
}

/* One reading; for the CPU probes the thread's CPU time in ns. */
static int64_t probe_read(enum probe p, int fd)
{
	struct timespec ts;
	struct rusage ru;
	char buf[128];
	ssize_t n;

	switch (p) {
	case PR_MONO:
		clock_gettime(CLOCK_MONOTONIC, &ts);
		return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	case PR_CPUCLOCK:
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
		return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	case PR_RUSAGE:
		getrusage(RUSAGE_THREAD, &ru);
		return ((int64_t)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) *
			       1000000000 +
		       ((int64_t)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) *
			       1000;
	case PR_PERF_READ: {
		uint64_t rv[3] = { 0, 0, 0 };

		if (perf_fd < 0 || read(perf_fd, rv, sizeof(rv)) < 0)
			return 0;
		return (int64_t)rv[0];
	}
	case PR_PERF_MMAP:
		return perf_mmap_read();
	case PR_RDTSC:
		return (int64_t)__rdtsc();
	case PR_SCHEDSTAT:
	case PR_STATM:
		n = pread(fd, buf, sizeof(buf) - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
		return strtoll(buf, NULL, 10);
	default:
		return 0;
	}
}

static void phase_probes(void)
{
	const long n = 100000;
	int fds[PR_N];
	double v[PR_N][16];
	int p, r;

	for (p = 0; p < PR_N; p++)
		fds[p] = -1;
	perf_open();
	printf("perf task-clock event: %s; cap_user_time %d, "
	       "cap_user_rdpmc %d (clocksource %s)\n\n",
	       perf_fd < 0 ? "unavailable" : "open",
	       perf_pg ? (int)perf_pg->cap_user_time : -1,
	       perf_pg ? (int)perf_pg->cap_user_rdpmc : -1,
	       "see the facts above");
	fds[PR_SCHEDSTAT] = open("/proc/thread-self/schedstat",
				 O_RDONLY | O_CLOEXEC);
	fds[PR_STATM] = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	if (fds[PR_SCHEDSTAT] < 0 || fds[PR_STATM] < 0) {
		perror("open /proc");
		exit(1);
	}
	/* the probes take turns within a repetition: same conditions */
	for (r = 0; r < o.reps && r < 16; r++)
		for (p = 0; p < PR_N; p++) {
			int64_t c0 = thread_cpu_ns(), sink = 0;
			long i;

			for (i = 0; i < n; i++)
				sink += probe_read((enum probe)p, fds[p]);
			v[p][r] = (double)(thread_cpu_ns() - c0) / (double)n;
			if (sink == 42)
				puts("");
		}
	printf("| reading | ns/call (thread CPU) |\n|---|---|\n");
	for (p = 0; p < PR_N; p++) {
		char b[64];

		fmt_stat(b, sizeof(b), v[p], r, 0);
		printf("| %s | %s |\n", probe_name[p], b);
	}
	/* Currency: a reading is exact if it moves with the CPU the thread
	 * burns. Each alone (another reading could bring the kernel's
	 * count up to date), 5000 times, 20 us of spinning apart. */
	printf("\n| CPU reading, alone, every 20 us of spinning | moved | "
	       "longest standstill |\n|---|---|---|\n");
	for (p = PR_CPUCLOCK; p <= PR_LAST_CPU; p++) {
		int64_t last = probe_read((enum probe)p, fds[p]);
		int64_t t_moved = now_ns(), longest = 0;
		int i, moved = 0;

		for (i = 0; i < 5000; i++) {
			int64_t end = now_ns() + 20000, x;

			while (now_ns() < end)
				;
			x = probe_read((enum probe)p, fds[p]);
			if (x != last) {
				int64_t t = now_ns();

				moved++;
				if (t - t_moved > longest)
					longest = t - t_moved;
				t_moved = t;
				last = x;
			}
		}
		printf("| %s | %d of 5000 | %.1f ms |\n", probe_name[p], moved,
		       (double)longest / 1e6);
	}
	close(fds[PR_SCHEDSTAT]);
	close(fds[PR_STATM]);
}

/* ---- spans: measurements on and off ------------------------------------ */

#define SPAN_CFGS 4
static const char *const span_cfg_name[SPAN_CFGS] = {
	"off", "CPU", "RSS", "CPU + RSS"
};
static double *span_res;	/* [rep][cfg], shared with the children */

static void phase_span_once(long arg)
{
	int cfg = (int)(arg % SPAN_CFGS), rep = (int)(arg / SPAN_CFGS);
	struct swt_ingest *ing;
	struct sink s = { 0 };
	struct worker w;
	uint64_t produced = 0;

	setenv("SWT_TRACE_SPAN_CPU", cfg & 1 ? "1" : "0", 1);
	setenv("SWT_TRACE_SPAN_RSS", cfg & 2 ? "1" : "0", 1);
	/* 4 entries per pair at most: a repetition fits in the ring */
	setenv("SWT_TRACE_RING_ENTRIES", "1048576", 1);
	ing = ingest_start(SWT_EVENT_CLOCK_AUTO);
	memset(&w, 0, sizeof(w));
	if (pthread_create(&w.th, NULL, worker_main, &w)) {
		perror("pthread_create");
		exit(1);
	}
	/* warm up: every page of the ring written once (as in the cost
	 * phase), the name cached */
	run_op(ing, &s, &w, OP_COUNT, 1L << 20, 1, &produced);
	run_op(ing, &s, &w, OP_PAIR, 1000, 1, &produced);
	span_res[rep * SPAN_CFGS + cfg] =
		run_op(ing, &s, &w, OP_PAIR, 100000, 1, &produced);
	atomic_store(&w.quit, 1);
	pthread_join(w.th, NULL);
	settle(ing, &s, produced);
	if (s.dropped) {
		fprintf(stderr, "spans phase: %" PRIu64 " dropped\n",
			s.dropped);
		exit(1);
	}
	swt_ingest_close(ing);
}

static void in_child(void (*fn)(long), long arg);

static void phase_spans(void)
{
	double v[SPAN_CFGS][16], ratio[SPAN_CFGS][16];
	int r, k;

	span_res = mmap(NULL, 16 * SPAN_CFGS * sizeof(double),
			PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			-1, 0);
	if (span_res == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	for (r = 0; r < o.reps && r < 16; r++)
		for (k = 0; k < SPAN_CFGS; k++)
			in_child(phase_span_once, r * SPAN_CFGS + k);
	printf("| span measurements | ns per begin or end call | ratio to "
	       "off | extra ns per span (begin + end) |\n|---|---|---|---|\n");
	for (k = 0; k < SPAN_CFGS; k++) {
		double extra[16];
		char a[64], b[64], c[64];

		for (r = 0; r < o.reps && r < 16; r++) {
			v[k][r] = span_res[r * SPAN_CFGS + k];
			ratio[k][r] = v[k][r] / span_res[r * SPAN_CFGS];
			extra[r] = 2 * (v[k][r] - span_res[r * SPAN_CFGS]);
		}
		fmt_stat(a, sizeof(a), v[k], r, 1);
		fmt_stat(b, sizeof(b), ratio[k], r, 1);
		fmt_stat(c, sizeof(c), extra, r, 0);
		printf("| %s | %s | %s | %s |\n", span_cfg_name[k], a, b,
		       k ? c : "");
	}
	munmap(span_res, 16 * SPAN_CFGS * sizeof(double));
}

/* ---- the event clock: clock_gettime (old) against the TSC (new) -------- */

/* Per repetition, four children in turn: {clock_gettime, TSC} x {spans
 * without, with their CPU time}; each times, on one producer thread
 * after a full lap of its ring, bare rdtsc and clock_gettime loops and
 * the calls, so every ratio compares figures of one process. */
enum { CK_RDTSC, CK_CLOCK, CK_COUNT, CK_PAIR, CK_N };
#define CK_CFGS 4	/* bit 0: TSC; bit 1: span CPU time */
static double *ck_res;	/* [rep][cfg][CK_N], shared with the children */

static void phase_clock_once(long arg)
{
	int cfg = (int)(arg % CK_CFGS), rep = (int)(arg / CK_CFGS);
	double *res = ck_res + ((size_t)rep * CK_CFGS + (size_t)cfg) * CK_N;
	bool cpu = cfg & 2;
	long n = cpu ? 20000 : 200000;
	struct swt_ingest *ing;
	struct sink s = { 0 };
	struct worker w;
	uint64_t produced = 0;

	setenv("SWT_TRACE_SPAN_CPU", cpu ? "1" : "0", 1);
	setenv("SWT_TRACE_SPAN_RSS", "0", 1);
	setenv("SWT_TRACE_RING_ENTRIES", "1048576", 1);
	ing = ingest_start(cfg & 1 ? SWT_EVENT_CLOCK_TSC
				   : SWT_EVENT_CLOCK_MONOTONIC);
	memset(&w, 0, sizeof(w));
	if (pthread_create(&w.th, NULL, worker_main, &w)) {
		perror("pthread_create");
		exit(1);
	}
	run_op(ing, &s, &w, OP_COUNT, 1L << 20, 1, &produced);
	run_op(ing, &s, &w, OP_PAIR, 1000, 1, &produced);
	res[CK_RDTSC] = run_op(ing, &s, &w, OP_RDTSC, 1000000, 1, &produced);
	res[CK_CLOCK] = run_op(ing, &s, &w, OP_CLOCK, 1000000, 1, &produced);
	res[CK_COUNT] = run_op(ing, &s, &w, OP_COUNT, n, 1, &produced);
	res[CK_PAIR] = run_op(ing, &s, &w, OP_PAIR, n / 2, 1, &produced);
	atomic_store(&w.quit, 1);
	pthread_join(w.th, NULL);
	settle(ing, &s, produced);
	if (s.dropped || s.events != produced) {
		fprintf(stderr, "clock phase: %" PRIu64 " of %" PRIu64
			" events, %" PRIu64 " dropped\n", s.events, produced,
			s.dropped);
		exit(1);
	}
	swt_ingest_close(ing);
}

static void phase_clock(void)
{
	double v[16], w2[16];
	char a[64], b[64], c[64], d[64];
	int r, k, nr = o.reps < 16 ? o.reps : 16;
	size_t sz = 16 * CK_CFGS * CK_N * sizeof(double);
	static const char *const rows[] = {
		"swt_count", "begin or end (span)",
		"begin or end (span + its CPU time)",
	};

	ck_res = mmap(NULL, sz, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ck_res == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	for (r = 0; r < nr; r++)
		for (k = 0; k < CK_CFGS; k++)
			in_child(phase_clock_once, r * CK_CFGS + k);
#define CK(rep, cfg, op) ck_res[((size_t)(rep) * CK_CFGS + (cfg)) * CK_N + (op)]
	/* bare reads: every child measured them; the no-CPU children's */
	for (r = 0; r < nr; r++) {
		v[r] = (CK(r, 0, CK_RDTSC) + CK(r, 1, CK_RDTSC)) / 2;
		w2[r] = (CK(r, 0, CK_CLOCK) + CK(r, 1, CK_CLOCK)) / 2;
	}
	fmt_stat(a, sizeof(a), v, nr, 1);
	fmt_stat(b, sizeof(b), w2, nr, 1);
	printf("| call | clock_gettime path (old) ns | TSC path (new) ns | "
	       "new / old | new / rdtsc | old / clock_gettime |\n"
	       "|---|---|---|---|---|---|\n");
	printf("| bare rdtsc | %s | | | | |\n", a);
	printf("| bare clock_gettime(CLOCK_MONOTONIC) | %s | | | | |\n", b);
	for (k = 0; k < 3; k++) {
		int op = k == 0 ? CK_COUNT : CK_PAIR, cpu = k == 2 ? 2 : 0;
		double old_v[16], new_v[16], rn[16], rt[16], rc[16];

		for (r = 0; r < nr; r++) {
			old_v[r] = CK(r, cpu, op);
			new_v[r] = CK(r, cpu | 1, op);
			rn[r] = new_v[r] / old_v[r];
			rt[r] = new_v[r] / CK(r, cpu | 1, CK_RDTSC);
			rc[r] = old_v[r] / CK(r, cpu, CK_CLOCK);
		}
		fmt_stat(a, sizeof(a), old_v, nr, 1);
		fmt_stat(b, sizeof(b), new_v, nr, 1);
		fmt_stat(c, sizeof(c), rn, nr, 2);
		fmt_stat(d, sizeof(d), rt, nr, 2);
		{
			char e[64];

			fmt_stat(e, sizeof(e), rc, nr, 2);
			printf("| %s | %s | %s | %s | %s | %s |\n", rows[k], a,
			       b, c, d, e);
		}
	}
#undef CK
	munmap(ck_res, sz);
}

static void run_probes(long a)
{
	(void)a;
	phase_probes();
}

static void run_disabled(long a)
{
	(void)a;
	phase_disabled();
}

static void run_cost(long a)
{
	(void)a;
	phase_cost();
}

static void usage(void)
{
	fprintf(stderr,
		"usage: swt-bench-client [--events N] [--reps R] "
		"[--rate EV_PER_S] [--seconds S] [--file PATH] "
		"[--ring ENTRIES] [--measure-only] [--clock-only]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "events", required_argument, NULL, 'n' },
		{ "reps", required_argument, NULL, 'r' },
		{ "rate", required_argument, NULL, 'R' },
		{ "seconds", required_argument, NULL, 's' },
		{ "file", required_argument, NULL, 'f' },
		{ "ring", required_argument, NULL, 'g' },
		{ "measure-only", no_argument, NULL, 'm' },
		{ "clock-only", no_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'n': o.events = atol(optarg); break;
		case 'r': o.reps = atoi(optarg); break;
		case 'R': o.rate = atol(optarg); break;
		case 's': o.seconds = atoi(optarg); break;
		case 'f': o.file = optarg; break;
		case 'g': o.ring = atol(optarg); break;
		case 'm': o.measure_only = true; break;
		case 'c': o.clock_only = true; break;
		default: usage();
		}
	}
	/* a repetition (the pair loop: 2 events per iteration) must fit in
	 * the largest ring */
	if (optind != argc || o.events < 1000 || o.events > 500000 ||
	    o.reps < 1 || o.reps > 16 ||
	    o.rate < 0 || o.seconds < 1)
		usage();
	printf("libswtrace %s; %ld events per thread per repetition, %d "
	       "repetitions\n\n", swt_trace_version(), o.events, o.reps);
	printf("event clock: clock_gettime (old) against the TSC (new); "
	       "per call, thread CPU time, median [min-max] of %d; spans "
	       "without RSS readings\n\n", o.reps);
	phase_clock();
	if (o.clock_only)
		return 0;
	printf("\n");
	if (o.measure_only)
		goto measure;
	printf("| mode | call | threads | ns/event | clock_gettime ns | "
	       "ratio |\n|---|---|---|---|---|---|\n");
	in_child(run_disabled, 0);
	in_child(run_cost, 0);
	printf("\nsustained: 2 producer threads, %d s, rings of %ld "
	       "entries%s\n\n",
	       o.seconds, o.ring ? o.ring : (long)SWT_WIRE_DEFAULT_RING,
	       o.ring ? "" : " (the library's default)");
	printf("| producers | rate | produced | received | dropped "
	       "(counted) | unaccounted | ingest CPU | writer CPU | file |\n"
	       "|---|---|---|---|---|---|---|---|---|\n");
	in_child(phase_sustained, o.rate);
	in_child(phase_sustained, 0);
measure:
	printf("\nspan measurements: the candidate readings, %d "
	       "repetitions\n\n", o.reps);
	in_child(run_probes, 0);
	printf("\nspans (1 thread, 100000 begin+end pairs per repetition)\n\n");
	phase_spans();
	return 0;
}
