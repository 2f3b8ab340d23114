/* mkfixture — write the synthetic sessions of fixtures/synthetic-* and the
 * benchmark session, through the codec, with answers known exactly.
 *
 *   mkfixture list                  the scenario names, one per line
 *   mkfixture SCENARIO PATH         write one scenario to PATH
 *   mkfixture absurd-sample-delta PATH, absurd-clock-ticks PATH
 *                                   the damaged sessions of
 *                                   fixtures/corrupt/absurd-* (not listed)
 *   mkfixture diff base|new|contended RUN PATH
 *                                   one run (1..99) of the sessions that
 *                                   fixtures/diff-* compare (not listed)
 *   mkfixture bench PATH [PROCS [SAMPLES [ROWS]]]
 *                                   the benchmark session: PROCS processes
 *                                   (500) sampled SAMPLES times (3600) at 1 s;
 *                                   each has one thread, written as a row of
 *                                   its own unless ROWS is no-lone-thread-rows
 *                                   (default lone-thread-rows; swrec writes
 *                                   none for a process that never had more
 *                                   than one thread: docs/format.md)
 *   mkfixture churn SEED PATH       a session of processes and threads that
 *                                   come, go, rest and change, from SEED
 *                                   (tests/analyze/quiet.sh)
 *
 * Everything is a function of the arguments (no clock, no randomness but a
 * fixed LCG): the same command writes the same records. Files are written
 * at a pinned zstd level without fsync. fixtures/README.md describes each
 * scenario and the figures its reports must show. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swt_status.h"
#include "swt_writer.h"

#define S INT64_C(1000000000)
#define T0 (1000 * S)		/* session start (CLOCK_MONOTONIC) */
#define MIB 1024		/* KiB */

struct gen {
	struct swt_writer *w;
	const char *path;
	int err;
	uint64_t lcg;
	/* format 1.4 contention in every sample: the CPU-some stall, us a
	 * second, and steal ticks a second (of 400 a second: 4 CPUs) */
	bool psi;
	uint64_t psi_cpu_per_s;
	uint64_t steal_per_s;
};

static const char *const command[] = { "mkfixture-app", "--scenario" };

/* Seconds added to the sessions' wall-clock start (the diff runs are
 * recorded an hour apart, in order: swanalyze history sorts by it). */
static int64_t wall_offset_s;

static void header(struct swt_header *h, int64_t interval, bool threads)
{
	memset(h, 0, sizeof(*h));
	h->recorder = "mkfixture 1";
	h->kernel = "6.1.0-synthetic";
	h->clock_ticks = 100;
	h->page_size = 4096;
	h->cpu_count = 4;
	h->mem_total_kib = 16 * 1024 * 1024;
	h->interval_ns = interval;
	h->flush_interval_ns = S;
	h->start_mono_ns = T0;
	h->start_wall_ns = (INT64_C(1700000000) + wall_offset_s) * S;
	h->mode = SWT_MODE_LAUNCH;
	h->n_command = 2;
	h->command = command;
	h->boot_time_s = 1700000000;
	h->threads = threads;
}

static int gen_open(struct gen *g, const char *path, int64_t interval,
		    bool threads, size_t chunk)
{
	struct swt_writer_opts o;
	struct swt_header h;
	char msg[256];
	int err;

	memset(g, 0, sizeof(*g));
	g->path = path;
	g->lcg = 12345;
	swt_writer_opts_init(&o);
	o.level = 3;
	o.sync = false;
	o.force = true;
	if (chunk)
		o.chunk_raw_bytes = chunk;
	header(&h, interval, threads);
	err = swt_writer_open(&g->w, path, &o, &h, msg, sizeof(msg));
	if (err < 0)
		fprintf(stderr, "mkfixture: %s\n", msg);
	return err;
}

static void put(struct gen *g, const struct swt_record *r)
{
	int err;

	if (g->err < 0)
		return;
	err = swt_writer_append(g->w, r);
	if (err < 0) {
		fprintf(stderr, "mkfixture: %s: %s\n", g->path,
			swt_writer_errmsg(g->w));
		g->err = err;
	}
}

static int gen_close(struct gen *g, int64_t t_end, bool finish)
{
	struct swt_session_end end;
	int err = g->err;

	memset(&end, 0, sizeof(end));
	end.reason = SWT_END_EXITED;
	end.has_status = true;
	if (err == 0 && finish) {
		err = swt_writer_finish(g->w, &end, t_end);
		if (err < 0)
			fprintf(stderr, "mkfixture: %s\n",
				swt_writer_errmsg(g->w));
	} else if (err == 0) {
		err = swt_writer_flush(g->w);
	}
	swt_writer_free(g->w);
	return err;
}

/* A fixed pseudo-random sequence (Knuth's MMIX LCG). */
static uint32_t rnd(struct gen *g, uint32_t n)
{
	g->lcg = g->lcg * UINT64_C(6364136223846793005) +
		 UINT64_C(1442695040888963407);
	return (uint32_t)((g->lcg >> 33) % n);
}

/* A ProcStart; exe is its program (format 1.1), NULL for none. */
static void start_full(struct gen *g, int64_t t, int32_t pid, int32_t ppid,
		       const char *comm, const char *cmdline, bool pre,
		       const char *exe)
{
	struct swt_record r;
	char argv0[256];
	size_t i, len = strlen(cmdline);

	/* argv is NUL-separated (and NUL-terminated); the scenarios write
	 * '\1' for the separators */
	if (len >= sizeof(argv0))
		len = sizeof(argv0) - 1;
	for (i = 0; i < len; i++)
		argv0[i] = cmdline[i] == '\1' ? '\0' : cmdline[i];
	argv0[len] = '\0';
	memset(&r, 0, sizeof(r));
	r.kind = SWT_REC_PROC_START;
	r.t_ns = t;
	r.u.proc_start.pid = pid;
	r.u.proc_start.ppid = ppid;
	r.u.proc_start.start_ticks = (uint64_t)(t / (S / 100));
	r.u.proc_start.comm = comm;
	r.u.proc_start.cmdline = argv0;
	r.u.proc_start.cmdline_len = len + 1;
	r.u.proc_start.preexisting = pre;
	r.u.proc_start.exe = exe;
	put(g, &r);
}

static void start(struct gen *g, int64_t t, int32_t pid, int32_t ppid,
		  const char *comm, const char *cmdline, bool pre)
{
	start_full(g, t, pid, ppid, comm, cmdline, pre, NULL);
}

static void exit_(struct gen *g, int64_t t, int32_t pid)
{
	struct swt_record r;

	memset(&r, 0, sizeof(r));
	r.kind = SWT_REC_PROC_EXIT;
	r.t_ns = t;
	r.u.proc_exit.pid = pid;
	r.u.proc_exit.start_ticks = 0;
	r.u.proc_exit.has_status = true;
	put(g, &r);
}

static void sample(struct gen *g, int64_t t, const struct swt_proc_row *p,
		   size_t n, const struct swt_thread_row *th, size_t nt)
{
	struct swt_record r;

	memset(&r, 0, sizeof(r));
	r.kind = SWT_REC_SAMPLE;
	r.t_ns = t;
	r.u.sample.scheduled_ns = t;
	r.u.sample.mem_total_kib = 16 * 1024 * 1024;
	r.u.sample.mem_available_kib = 8 * 1024 * 1024;
	if (g->psi) {
		uint64_t secs = (uint64_t)((t - T0) / S);

		r.u.sample.has_pressure = true;
		r.u.sample.pressure_us[SWT_PSI_CPU_SOME] =
			secs * g->psi_cpu_per_s;
		r.u.sample.pressure_us[SWT_PSI_IO_SOME] = secs * 1000;
		r.u.sample.pressure_us[SWT_PSI_IO_FULL] = secs * 500;
		r.u.sample.steal_ticks = secs * g->steal_per_s;
		r.u.sample.sys_busy_ticks = secs * 200;
		r.u.sample.sys_idle_ticks = secs * 200;
	}
	r.u.sample.n_procs = n;
	r.u.sample.procs = p;
	r.u.sample.n_threads = nt;
	r.u.sample.threads = th;
	put(g, &r);
}

static void events(struct gen *g, int32_t pid, const struct swt_event *ev,
		   size_t n)
{
	struct swt_record r;

	if (!n)
		return;
	memset(&r, 0, sizeof(r));
	r.kind = SWT_REC_EVENTS;
	r.t_ns = ev[0].t_ns;
	r.u.events.pid = pid;
	r.u.events.n = n;
	r.u.events.events = ev;
	put(g, &r);
}

static struct swt_proc_row row(int32_t pid, int64_t ticks, int64_t rss_kib)
{
	struct swt_proc_row p;

	memset(&p, 0, sizeof(p));
	p.pid = pid;
	p.utime = ticks - ticks / 4;
	p.stime = ticks / 4;
	p.rss_kib = rss_kib;
	p.vsz_kib = rss_kib * 3;
	p.nthreads = 1;
	return p;
}

/* ---- scenarios ------------------------------------------------------------ */

/* A process leaking exactly 10 MB/min (10240 KiB per 60 s, rounded to whole
 * KiB per 1 s sample) for 30 minutes next to a steady one: the leak must be
 * reported as 10.0 MB/min, the steady process not at all. */
static int sc_leak(const char *path)
{
	struct swt_proc_row p[2];
	struct gen g;
	int k;

	if (gen_open(&g, path, S, false, 0) < 0)
		return SWT_EIO;
	start(&g, T0, 100, 1, "leaky", "leaky\1--cache=off", false);
	start(&g, T0, 101, 1, "steady", "steady", false);
	for (k = 1; k <= 1800; k++) {
		int64_t t = T0 + k * S;

		p[0] = row(100, 5 * k, 64 * MIB + (k * 10240 + 30) / 60);
		p[1] = row(101, 2 * k, 80 * MIB + (k % 5) * 8);
		sample(&g, t, p, 2, NULL, 0);
	}
	return gen_close(&g, T0 + 1800 * S, true);
}

/* A leak with noise, for a forecast with a real interval: `cache` grows
 * 6 MB/min on average from 300 MB, in steps of a random 0..2 MB every
 * 10 s on top of a random 0..4 MB of scratch memory each second, for 20
 * minutes next to a steady process. Its leak is significant, its
 * forecast to 500 MB comes with a slope interval, and its forecast alert
 * fires once the fitted level is within 30 minutes of 500 MB. */
static int sc_forecast(const char *path)
{
	struct swt_proc_row p[2];
	struct gen g;
	int64_t grown = 0;
	int k;

	if (gen_open(&g, path, S, false, 0) < 0)
		return SWT_EIO;
	start(&g, T0, 700, 1, "cache", "cache\1--size=auto", false);
	start(&g, T0, 701, 1, "steady", "steady", false);
	for (k = 1; k <= 1200; k++) {
		int64_t t = T0 + k * S;

		if (k % 10 == 0)
			grown += rnd(&g, 2049);
		p[0] = row(700, 3 * k,
			   300 * MIB + grown + (int64_t)rnd(&g, 4097));
		p[1] = row(701, k, 50 * MIB + (k % 3) * 4);
		sample(&g, t, p, 2, NULL, 0);
	}
	return gen_close(&g, T0 + 1200 * S, true);
}

/* The instrumented app at known rates for 10 minutes: counter ocr_call
 * ticks every 2 s (30/min, limit 10/min: exceeded), event_listener every
 * 1.5 s (40/min, limit 50/min: not exceeded); module "ocr" runs 0.5 s in
 * every other second on thread "ocr-worker", which burns 45 ticks in those
 * seconds (the module gets 22.5 % of a core in them, 11.3 % on average),
 * module "ui.render" 0.1 s of every second on the main thread (60/min). */
static int sc_counters(const char *path)
{
	struct swt_proc_row p;
	struct swt_thread_row th[2];
	struct swt_event ev[8];
	struct gen g;
	int64_t main_ticks = 0, ocr_ticks = 0;
	int k;
	size_t n;

	if (gen_open(&g, path, S, true, 0) < 0)
		return SWT_EIO;
	start(&g, T0, 200, 1, "scanner", "scanner\1--watch\1/srv/in", false);
	for (k = 1; k <= 600; k++) {
		int64_t ts = T0 + (k - 1) * S, t = T0 + k * S;

		n = 0;
		ev[n++] = (struct swt_event){ ts + S / 10, SWT_EV_BEGIN, 200,
					      "ui.render", 0 };
		ev[n++] = (struct swt_event){ ts + 2 * S / 10, SWT_EV_END, 200,
					      "ui.render", 0 };
		if (k % 2 == 1) {
			ev[n++] = (struct swt_event){ ts + 3 * S / 10,
						      SWT_EV_BEGIN, 201, "ocr",
						      0 };
			ev[n++] = (struct swt_event){ ts + 4 * S / 10,
						      SWT_EV_COUNT, 201,
						      "ocr_call", 1 };
			ev[n++] = (struct swt_event){ ts + 8 * S / 10,
						      SWT_EV_END, 201, "ocr",
						      0 };
		}
		/* event_listener: at 0, 1.5, 3, ... s: one in each of two
		 * seconds out of three */
		if ((k - 1) % 3 != 2)
			ev[n++] = (struct swt_event){
				ts + ((k - 1) % 3 == 0 ? 0 : S / 2) + 9 * S / 10,
				SWT_EV_COUNT, 200, "event_listener", 1 };
		/* events of one batch in time order */
		if (n >= 2 && ev[n - 1].t_ns < ev[n - 2].t_ns) {
			struct swt_event tmp = ev[n - 1];

			ev[n - 1] = ev[n - 2];
			ev[n - 2] = tmp;
		}
		events(&g, 200, ev, n);
		main_ticks += 10;
		ocr_ticks += k % 2 == 1 ? 45 : 0;
		th[0] = (struct swt_thread_row){ 200, 200, "scanner",
						 main_ticks, 0 };
		th[1] = (struct swt_thread_row){ 201, 200, "ocr-worker",
						 ocr_ticks, 0 };
		p = row(200, main_ticks + ocr_ticks, 120 * MIB);
		sample(&g, t, &p, 1, th, 2);
	}
	return gen_close(&g, T0 + 600 * S, true);
}

/* A CPU-bound process (one thread pinned at 100 %, another at 50 %), a
 * memory hog at 600 MB and an idle helper, for 5 minutes at 1 s. */
static int sc_busy(const char *path)
{
	struct swt_proc_row p[3];
	struct swt_thread_row th[4];
	struct gen g;
	int k;

	if (gen_open(&g, path, S, true, 0) < 0)
		return SWT_EIO;
	start(&g, T0, 300, 1, "crunch", "crunch\1--jobs=2", false);
	start(&g, T0, 310, 1, "hog", "hog\1--preload", false);
	start(&g, T0, 320, 1, "helper", "helper", false);
	for (k = 1; k <= 300; k++) {
		int64_t t = T0 + k * S;

		th[0] = (struct swt_thread_row){ 300, 300, "crunch", 100 * k,
						 0 };
		th[1] = (struct swt_thread_row){ 301, 300, "crunch-io", 50 * k,
						 0 };
		th[2] = (struct swt_thread_row){ 310, 310, "hog", 5 * k, 0 };
		th[3] = (struct swt_thread_row){ 320, 320, "helper", k / 10,
						 0 };
		p[0] = row(300, 150 * k, 40 * MIB);
		p[1] = row(310, 5 * k, 600 * MIB);
		p[2] = row(320, k / 10, 8 * MIB);
		sample(&g, t, p, 3, th, 4);
	}
	return gen_close(&g, T0 + 300 * S, true);
}

/* A steady 20 % load with a CPU burst (180 % for 3 s at t = 60..63 s, during
 * module "import") and a memory spike (+700 MB for 2 s at t = 120..122 s). */
static int sc_spike(const char *path)
{
	struct swt_proc_row p[2];
	struct swt_event ev[2];
	struct gen g;
	int64_t a = 0, b = 0, rss;
	int k;

	if (gen_open(&g, path, S, false, 0) < 0)
		return SWT_EIO;
	start(&g, T0, 400, 1, "server", "server\1-p\0018080", false);
	start(&g, T0, 410, 400, "batch", "batch\1--nightly", false);
	for (k = 1; k <= 180; k++) {
		int64_t ts = T0 + (k - 1) * S, t = T0 + k * S;

		if (k == 61) {
			ev[0] = (struct swt_event){ ts, SWT_EV_BEGIN, 410,
						    "import", 0 };
			events(&g, 410, ev, 1);
		}
		if (k == 64) {
			ev[0] = (struct swt_event){ ts, SWT_EV_END, 410,
						    "import", 0 };
			events(&g, 410, ev, 1);
		}
		a += 20;
		b += k >= 61 && k <= 63 ? 160 : 0;
		rss = 50 * MIB + (k >= 121 && k <= 122 ? 700 * MIB : 0);
		p[0] = row(400, a, 100 * MIB);
		p[1] = row(410, b, rss);
		sample(&g, t, p, 2, NULL, 0);
	}
	return gen_close(&g, T0 + 180 * S, true);
}

/* Memory shapes that are not leaks, next to one that is: a sawtooth (grows
 * 2 MB/min for 5 min, then frees it), a one-time allocation (+200 MB at
 * 12 min), a plateau (warms up 10 min, then flat) and a slow real leak of
 * 3 MB/min. 30 minutes at 1 s. */
static int sc_shapes(const char *path)
{
	struct swt_proc_row p[4];
	struct gen g;
	int k;

	if (gen_open(&g, path, S, false, 0) < 0)
		return SWT_EIO;
	start(&g, T0, 500, 1, "sawtooth", "sawtooth", false);
	start(&g, T0, 501, 1, "onetime", "onetime", false);
	start(&g, T0, 502, 1, "plateau", "plateau", false);
	start(&g, T0, 503, 1, "creep", "creep", false);
	for (k = 1; k <= 1800; k++) {
		int64_t t = T0 + k * S;

		p[0] = row(500, k, 200 * MIB + (k % 300) * 2048 / 60);
		p[1] = row(501, k, k < 720 ? 100 * MIB : 300 * MIB);
		p[2] = row(502, k, 100 * MIB + (k < 600 ? k : 600) * 100);
		p[3] = row(503, k, 30 * MIB + (k * 3072 + 30) / 60);
		sample(&g, t, p, 4, NULL, 0);
	}
	return gen_close(&g, T0 + 1800 * S, true);
}

/* A burst of short-lived processes: every second for 2 minutes "sh -c
 * convert" starts, burns 30 ticks and exits before the next sample sees it
 * a second time (120 instances, 119 starts after the first in 121 s:
 * 59.0/min against 30/min; 30 % of a core). */
static int sc_burst(const char *path)
{
	struct swt_proc_row p[2];
	struct gen g;
	int k;

	if (gen_open(&g, path, S, false, 0) < 0)
		return SWT_EIO;
	start(&g, T0, 600, 1, "make", "make\1-j1", false);
	for (k = 1; k <= 120; k++) {
		int64_t t = T0 + k * S;
		int32_t pid = 1000 + k;

		start(&g, t - S / 2, pid, 600, "sh", "sh\1-c\1convert", false);
		p[0] = row(600, 2 * k, 12 * MIB);
		p[1] = row(pid, 30, 3 * MIB);
		sample(&g, t, p, 2, NULL, 0);
		exit_(&g, t + S / 10, pid);
	}
	p[0] = row(600, 242, 12 * MIB);
	sample(&g, T0 + 121 * S, p, 1, NULL, 0);
	return gen_close(&g, T0 + 121 * S, true);
}

/* The leak scenario in small chunks, then damaged: one chunk's bytes
 * inverted in the middle of the file and the tail cut off inside the last
 * chunk, as after a crash. The readable part is analysed; the lost ranges
 * are named and swanalyze exits 3. */
static int sc_damaged(const char *path)
{
	struct swt_proc_row p[2];
	struct swt_writer_stats st;
	struct gen g;
	FILE *f = NULL;
	unsigned char *buf = NULL;
	long size;
	size_t cut;
	int k, err;

	if (gen_open(&g, path, S, false, 4096) < 0)
		return SWT_EIO;
	start(&g, T0, 100, 1, "leaky", "leaky\1--cache=off", false);
	for (k = 1; k <= 600; k++) {
		p[0] = row(100, 5 * k, 64 * MIB + (k * 10240 + 30) / 60);
		sample(&g, T0 + k * S, p, 1, NULL, 0);
	}
	swt_writer_get_stats(g.w, &st);
	err = gen_close(&g, T0 + 600 * S, false);
	if (err < 0)
		return err;
	f = fopen(path, "r+b");
	if (!f || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) <= 0)
		goto io;
	buf = malloc((size_t)size);
	if (!buf || fseek(f, 0, SEEK_SET) != 0 ||
	    fread(buf, 1, (size_t)size, f) != (size_t)size)
		goto io;
	/* a byte inside a chunk in the middle: invert 16 bytes there */
	for (k = 0; k < 16; k++)
		buf[size / 2 + k] ^= 0xff;
	/* and lose the last 300 bytes (inside the unfinished last chunk) */
	cut = (size_t)size - 300;
	fclose(f);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, cut, f) != cut)
		goto io;
	err = fclose(f) == 0 ? 0 : SWT_EIO;
	f = NULL;
	free(buf);
	return err;
io:
	fprintf(stderr, "mkfixture: %s: cannot damage the file\n", path);
	if (f)
		fclose(f);
	free(buf);
	return SWT_EIO;
}

/* ---- the benchmark session --------------------------------------------- */

/* procs processes sampled `samples` times at 1 s: 10 % busy (20-100 %),
 * the rest mostly idle, RSS wandering, 1 % leaking, one thread each (with
 * lone_rows, a thread row per process, which swrec would not write), an
 * instrumented main process with spans and counters. */
static int bench(const char *path, int procs, int samples, bool lone_rows)
{
	struct swt_proc_row *p = calloc((size_t)procs, sizeof(*p));
	struct swt_thread_row *th = calloc((size_t)procs, sizeof(*th));
	int64_t *ticks = calloc((size_t)procs, sizeof(*ticks));
	int64_t *rss = calloc((size_t)procs, sizeof(*rss));
	char (*names)[32] = calloc((size_t)procs, sizeof(*names));
	struct swt_event ev[3];
	struct gen g;
	int i, k, err;

	if (!p || !th || !ticks || !rss || !names ||
	    gen_open(&g, path, S, true, 0) < 0) {
		err = SWT_EIO;
		goto out;
	}
	for (i = 0; i < procs; i++) {
		/* 50 distinct programs, several instances each */
		snprintf(names[i], sizeof(names[i]), "prog%02d", i % 50);
		start(&g, T0, 10000 + i, 1, names[i], names[i], true);
		rss[i] = 10 * MIB + rnd(&g, 200 * MIB);
	}
	for (k = 1; k <= samples; k++) {
		int64_t t = T0 + k * S;

		ev[0] = (struct swt_event){ t - S / 2, SWT_EV_BEGIN, 10000,
					    "ocr", 0 };
		ev[1] = (struct swt_event){ t - S / 4, SWT_EV_COUNT, 10000,
					    "ocr_call", 1 };
		ev[2] = (struct swt_event){ t - S / 5, SWT_EV_END, 10000,
					    "ocr", 0 };
		events(&g, 10000, ev, 3);
		for (i = 0; i < procs; i++) {
			if (i % 10 == 0)
				ticks[i] += 20 + rnd(&g, 81);
			else
				ticks[i] += rnd(&g, 8) == 0;
			if (i % 100 == 7)
				rss[i] += 20;
			else if (rnd(&g, 16) == 0)
				rss[i] += (int64_t)rnd(&g, 257) - 128;
			p[i] = row(10000 + i, ticks[i], rss[i]);
			th[i] = (struct swt_thread_row){ 10000 + i, 10000 + i,
							 names[i], ticks[i],
							 0 };
		}
		sample(&g, t, p, (size_t)procs, th,
		       lone_rows ? (size_t)procs : 0);
	}
	err = gen_close(&g, T0 + (int64_t)samples * S, true);
out:
	free(p);
	free(th);
	free(ticks);
	free(rss);
	free(names);
	return err;
}

/* ---- a session for the quiet-row equivalence test ------------------------ */

/* A session that makes the engine's quiet processes and threads
 * (docs/analysis.md § 15) come, go and wake every way it knows, for
 * tests/analyze/test-quiet.sh: the report must be the same with every row
 * taken (SWT_ENGINE_FULL=1). Small chunks (many first samples), sample
 * times with late and early samples, processes that stay the same for
 * long stretches and then change one column, flags that come and go,
 * bytes that grow while not read, a program whose bytes are not read at
 * first, command lines that vary, processes born and gone (pids reused,
 * an exec, a row missing for a sample, an exit with its last counters),
 * threads that come, go, are renamed or have no process row, spans and
 * RSS readings that start on a quiet process, all from `seed`. */
#define CHURN_SLOTS 24
#define CHURN_THREADS 3

struct churn_proc {
	bool alive;
	int32_t pid;
	int64_t ticks, cticks, rss, io_r, io_w, tx, rx, socks;
	uint32_t flags;
	int n_thr;
	int64_t tticks[CHURN_THREADS];
	int tname[CHURN_THREADS];
	int busy;		/* samples left changing every time */
	uint32_t flip;		/* flags to toggle in the next sample */
	bool spans;		/* its client sends spans */
};

static const char *const churn_names[] = { "alpha", "beta", "gamma",
					   "delta", "alpha-io",
					   "a-thread-name-longer-than-24" };

static int churn(const char *path, uint32_t seed)
{
	struct churn_proc pr[CHURN_SLOTS];
	struct swt_proc_row p[CHURN_SLOTS];
	struct swt_thread_row th[CHURN_SLOTS * CHURN_THREADS + 1];
	struct swt_event ev[4];
	struct gen g;
	int64_t t = T0, prev_t = T0, rt = T0;
	int32_t next_pid = 2000;
	char cmd[64];
	const char *name;
	int k, i, j;

	if (gen_open(&g, path, S / 10, true, 16384) < 0)
		return SWT_EIO;
	g.lcg = 12345 + (uint64_t)seed * 7919;
	memset(pr, 0, sizeof(pr));
	for (k = 1; k <= 1500; k++) {
		size_t n = 0, nt = 0;
		int64_t tick_t = T0 + (int64_t)k * (S / 10);

		/* late or early samples, now and then; the other records
		 * in between, in order */
		t = tick_t + (rnd(&g, 20) == 0 ?
				      (int64_t)rnd(&g, 80) * (S / 1000) :
				      0);
		if (rnd(&g, 60) == 0)
			t = prev_t + S / 100;	/* 10 ms after the last */
		if (t <= prev_t + S / 50)
			t = prev_t + S / 50;
		rt = prev_t;
		for (i = 0; i < CHURN_SLOTS; i++) {
			struct churn_proc *c = &pr[i];
			uint32_t r = rnd(&g, 1000);

			if (!c->alive) {
				if (r < 40 || k == 1) {
					/* born (a pid of its own, or this
					 * slot's again: reused) */
					bool reuse = c->pid && rnd(&g, 3) == 0;
					int32_t old = c->pid;

					memset(c, 0, sizeof(*c));
					c->alive = true;
					c->pid = reuse ? old : next_pid++;
					c->rss = 1000 + rnd(&g, 5000);
					c->n_thr = (int)rnd(&g, CHURN_THREADS + 1);
					for (j = 0; j < c->n_thr; j++)
						c->tname[j] = (int)rnd(&g, 6);
					/* (the RSS of every process of an
					 * identity with modules is a reading
					 * of their regression: never quiet) */
					c->spans = i % 4 == 0 && rnd(&g, 2);
					/* a program whose bytes are not read
					 * at first: its module has no reading
					 * when one comes */
					name = churn_names[i % 4];
					if (!c->spans && rnd(&g, 6) == 0) {
						name = "epsilon";
						c->flags =
							SWT_PF_IO_NOT_SAMPLED |
							SWT_PF_NET_NOT_SAMPLED;
					}
					rt += S / 1000;
					/* (command lines that vary: an
					 * identity's variants) */
					snprintf(cmd, sizeof(cmd),
						 "%s\1--part=%d", name,
						 i % 3);
					start(&g, rt, c->pid, 1, name, cmd,
					      k == 1);
				}
				continue;
			}
			if (r < 8) {
				/* gone: an exit (with its last counters now
				 * and then) */
				struct swt_record x;

				memset(&x, 0, sizeof(x));
				x.kind = SWT_REC_PROC_EXIT;
				x.t_ns = rt += S / 1000;
				x.u.proc_exit.pid = c->pid;
				x.u.proc_exit.has_status = true;
				if (rnd(&g, 2)) {
					x.u.proc_exit.has_final = true;
					x.u.proc_exit.utime = c->ticks + 3;
					x.u.proc_exit.cutime = c->cticks + 1;
				}
				put(&g, &x);
				c->alive = false;
				continue;
			}
			if (r < 11) {
				/* an exec: the same process, a new program */
				rt += S / 1000;
				start(&g, rt, c->pid, 1,
				      churn_names[(i + 1) % 4],
				      churn_names[(i + 1) % 4], false);
			}
			/* what changes: mostly nothing; a reading of bytes is
			 * often followed by a tick without one (the rate of
			 * the reading held) */
			c->flags ^= c->flip;
			c->flip = 0;
			if (c->busy > 0) {
				int64_t dt = 1 + rnd(&g, 3);

				c->busy--;
				c->ticks += dt;
				if (c->n_thr)	/* (its first thread ran) */
					c->tticks[0] += dt;
			} else if (r < 16) {
				c->busy = (int)rnd(&g, 30);
			} else if (r < 50) {
				switch (rnd(&g, 8)) {
				case 0: c->ticks++; break;
				case 1: c->rss += (int64_t)rnd(&g, 300) - 100; break;
				case 2:
					c->io_r += rnd(&g, 1 << 20);
					c->flip = rnd(&g, 2) ?
						SWT_PF_IO_NOT_SAMPLED : 0;
					break;
				case 3:
					c->tx += rnd(&g, 1 << 16);
					c->socks++;
					c->flip = rnd(&g, 2) ?
						SWT_PF_NET_NOT_SAMPLED : 0;
					break;
				case 4: c->flags ^= SWT_PF_NET_NOT_SAMPLED; break;
				case 5: c->flags ^= SWT_PF_IO_NOT_SAMPLED; break;
				case 6: c->cticks += 2; break;
				default:
					if (c->n_thr)
						c->tticks[rnd(&g, (uint32_t)c->n_thr)]++;
				}
			} else if (r < 55 && c->n_thr) {
				/* a thread renamed, or one more or fewer */
				j = (int)rnd(&g, (uint32_t)c->n_thr);
				if (rnd(&g, 2))
					c->tname[j] = (int)rnd(&g, 6);
				else if (c->n_thr < CHURN_THREADS)
					c->tname[c->n_thr++] = (int)rnd(&g, 6);
				else
					c->n_thr--;
			} else if (r < 57) {
				c->flags ^= SWT_PF_IO_UNAVAILABLE;
			} else if (r < 60) {
				/* its bytes not read for a while, and
				 * growing: the next reading shows them */
				c->flags ^= SWT_PF_IO_NOT_SAMPLED;
				if (c->flags & SWT_PF_IO_NOT_SAMPLED)
					c->io_r += 1 + rnd(&g, 1 << 20);
			} else if (r < 63) {
				c->flags ^= SWT_PF_NET_NOT_SAMPLED;
				if (c->flags & SWT_PF_NET_NOT_SAMPLED)
					c->tx += 1 + rnd(&g, 1 << 16);
			}
			if (c->spans && rnd(&g, 40) == 0) {
				int64_t a = rt += S / 1000, b = rt += S / 1000;

				ev[0] = (struct swt_event){ a, SWT_EV_RSS,
							    c->pid, "work",
							    c->rss };
				ev[1] = (struct swt_event){ a, SWT_EV_BEGIN,
							    c->pid, "work", 0 };
				ev[2] = (struct swt_event){ b, SWT_EV_END,
							    c->pid, "work", 0 };
				ev[3] = (struct swt_event){ b, SWT_EV_COUNT,
							    c->pid, "ocr_call",
							    1 };
				events(&g, c->pid, ev, 4);
			}
			/* a row missing now and then (no exit) */
			if (rnd(&g, 200) == 0)
				continue;
			p[n] = row(c->pid, c->ticks, c->rss);
			p[n].flags = c->flags;
			p[n].cutime = c->cticks;
			p[n].io_read = c->io_r;
			p[n].io_write = c->io_w;
			p[n].net_tx = c->tx;
			p[n].net_rx = c->rx;
			p[n].socks_tcp = c->socks;
			n++;
		}
		/* rows by pid, threads by tid */
		for (i = 1; i < (int)n; i++)
			for (j = i; j > 0 && p[j - 1].pid > p[j].pid; j--) {
				struct swt_proc_row x = p[j];

				p[j] = p[j - 1];
				p[j - 1] = x;
			}
		for (i = 0; i < (int)n; i++) {
			struct churn_proc *c = NULL;

			for (j = 0; j < CHURN_SLOTS; j++)
				if (pr[j].alive && pr[j].pid == p[i].pid)
					c = &pr[j];
			for (j = 0; c && j < c->n_thr; j++)
				th[nt++] = (struct swt_thread_row){
					p[i].pid + j * 100000, p[i].pid,
					churn_names[c->tname[j]], c->tticks[j],
					0 };
		}
		/* a thread whose process has no row */
		if (k % 97 == 0)
			th[nt++] = (struct swt_thread_row){ 999999, 999000,
							    "orphan", k, 0 };
		for (i = 1; i < (int)nt; i++)
			for (j = i; j > 0 && th[j - 1].tid > th[j].tid; j--) {
				struct swt_thread_row x = th[j];

				th[j] = th[j - 1];
				th[j - 1] = x;
			}
		sample(&g, t, p, n, th, nt);
		prev_t = t;
	}
	return gen_close(&g, t + S / 20, true);
}

/* A session for windowed reading (tests/analyze/test-window.sh; not in
 * `list`): 300 s in 4 KiB chunks (about one every 8 s), two long-lived
 * processes (one leaking, one with module spans and a counter), and a
 * worker started every 7 s that lives 20 s, so that every window starts
 * with some processes alive that began before it. */
static int sc_window(const char *path)
{
	struct swt_proc_row p[8];
	struct swt_event ev[3];
	struct gen g;
	int k, n, w;

	if (gen_open(&g, path, S, false, 4096) < 0)
		return SWT_EIO;
	start_full(&g, T0, 100, 1, "server", "server\1--port=80", false,
		   "/usr/bin/server");
	start_full(&g, T0, 101, 1, "leaky", "leaky", false, "/usr/bin/leaky");
	for (k = 1; k <= 300; k++) {
		int64_t t = T0 + k * S;

		if (k % 7 == 1)
			start_full(&g, t - S / 2, 1000 + k, 100, "worker",
				   k % 2 ? "worker\1odd" : "worker\1even",
				   false, "/usr/bin/worker");
		if (k > 20 && k % 7 == 0)
			exit_(&g, t - S / 3, 1000 + k - 20);
		ev[0] = (struct swt_event){ t - S / 2, SWT_EV_BEGIN, 100,
					    "handle", 0 };
		ev[1] = (struct swt_event){ t - S / 4, SWT_EV_COUNT, 100,
					    "ocr_call", 1 };
		ev[2] = (struct swt_event){ t - S / 5, SWT_EV_END, 100,
					    "handle", 0 };
		events(&g, 100, ev, 3);
		n = 0;
		/* (a burst of 3 s at 330 % after 50 s, and after 230 s) */
		p[n++] = row(100, 30 * k + 300 * ((k > 50) + (k > 51) +
						  (k > 52) + (k > 230) +
						  (k > 231) + (k > 232)),
			     40 * MIB + (k % 3) * 64);
		p[n++] = row(101, 2 * k, 30 * MIB + k * 128);
		for (w = k - 19; w <= k; w++) {
			if (w >= 1 && w % 7 == 1 && w + 20 > k)
				p[n++] = row(1000 + w, 5 * (k - w + 1),
					     8 * MIB + (k - w) * 32);
		}
		sample(&g, t, p, (size_t)n, NULL, 0);
	}
	return gen_close(&g, T0 + 300 * S, true);
}

/* ---- damaged sessions (fixtures/corrupt/, not in `list`) ---------------- */

/* Intact chunks, absurd values (issue 11): the reader reads every record,
 * the engine refuses the session (docs/analysis.md § 11). */
static int absurd(const char *path, uint32_t clock_ticks, int64_t gap)
{
	struct swt_writer_opts o;
	struct swt_header h;
	struct swt_proc_row p;
	struct gen g;
	char msg[256];
	int err;

	memset(&g, 0, sizeof(g));
	g.path = path;
	swt_writer_opts_init(&o);
	o.level = 3;
	o.sync = false;
	o.force = true;
	header(&h, S, false);
	h.clock_ticks = clock_ticks;
	err = swt_writer_open(&g.w, path, &o, &h, msg, sizeof(msg));
	if (err < 0) {
		fprintf(stderr, "mkfixture: %s\n", msg);
		return err;
	}
	start(&g, T0, 100, 1, "app", "app", false);
	p = row(100, 0, 10 * MIB);
	sample(&g, T0 + S, &p, 1, NULL, 0);
	p = row(100, 100, 10 * MIB);
	sample(&g, T0 + S + gap, &p, 1, NULL, 0);
	return gen_close(&g, T0 + S + gap, true);
}

/* The second sample 2^62 ns (146 years) after the first: 100 ticks x 2^62
 * wrapped to 0 and swanalyze died of SIGFPE. */
static int sc_absurd_sample_delta(const char *path)
{
	return absurd(path, 100, INT64_C(1) << 62);
}

/* clock_ticks 4e9 per second. */
static int sc_absurd_clock_ticks(const char *path)
{
	return absurd(path, UINT32_C(4000000000), S);
}

/* One run of the sessions that fixtures/diff-* compare: a test suite of
 * 60 s (1 s samples) whose runs differ by a fixed pseudo-random jitter of
 * +-3 % in CPU (seeded by side and run), and whose new runs change:
 *   worker    30 % of a core in the base runs, 36 % in the new (+20 %)
 *   indexer   20 %, 200 MB on both sides (unchanged)
 *   cache     300 MB in the base runs, 250 MB in the new (improvement)
 *   legacy-helper only in the base runs, fresh-helper only in the new
 *   test-bin  5 %, its program in a temporary directory named after the
 *             run (/tmp/tmp.<hex>/test-bin: normalised, one module)
 *   suite     the parent, 2 %, 50 MB; counter ocr_call once a second
 * The runner is quiet (1-3 % of the time stalled for CPU); "contended"
 * runs are new runs on a runner stalled ~50 % of the time. */
static int sc_diff(const char *path, bool is_new, bool contended, int run)
{
	struct swt_proc_row p[6];
	struct swt_event ev[1];
	struct gen g;
	char exe[64];
	int64_t jit[6];
	int k, i;

	wall_offset_s = ((is_new ? 100 : 0) + (contended ? 100 : 0) + run) *
			INT64_C(3600);
	if (gen_open(&g, path, S, false, 0) < 0)
		return SWT_EIO;
	g.lcg = 777 + (uint64_t)(is_new ? 1000 : 0) + (uint64_t)run;
	/* a quiet runner: 1-3 % CPU stall, no steal; contended: ~50 % and
	 * 2 % steal */
	g.psi = true;
	g.psi_cpu_per_s = contended ? 480000 + rnd(&g, 40000) :
				      10000 + rnd(&g, 20000);
	g.steal_per_s = contended ? 8 : 0;
	for (i = 0; i < 6; i++)
		jit[i] = 970 + rnd(&g, 61);
	snprintf(exe, sizeof(exe), "/tmp/tmp.%08x/test-bin",
		 (unsigned)rnd(&g, 0x7fffffff));
	start(&g, T0, 400, 1, "suite", "suite\1--all", false);
	start(&g, T0, 401, 400, "worker", "worker\1--jobs=1", false);
	start(&g, T0, 402, 400, "indexer", "indexer", false);
	start(&g, T0, 403, 400, "cache", "cache\1--size=auto", false);
	start(&g, T0, 404, 400, is_new ? "fresh-helper" : "legacy-helper",
	      is_new ? "fresh-helper" : "legacy-helper", false);
	start_full(&g, T0, 405, 400, "test-bin", "test-bin\1--quick", false,
		   exe);
	for (k = 1; k <= 60; k++) {
		int64_t t = T0 + k * S;

		ev[0] = (struct swt_event){ t - S / 2, SWT_EV_COUNT, 400,
					    "ocr_call", 1 };
		events(&g, 400, ev, 1);
		p[0] = row(400, 2 * k * jit[0] / 1000, 50 * MIB);
		p[1] = row(401, (is_new ? 36 : 30) * k * jit[1] / 1000,
			   100 * MIB);
		p[2] = row(402, 20 * k * jit[2] / 1000, 200 * MIB);
		p[3] = row(403, k * jit[3] / 1000,
			   (is_new ? 250 : 300) * MIB);
		p[4] = row(404, k * jit[4] / 1000, 10 * MIB);
		p[5] = row(405, 5 * k * jit[5] / 1000, 20 * MIB);
		sample(&g, t, p, 6, NULL, 0);
	}
	return gen_close(&g, T0 + 60 * S, true);
}

static const struct {
	const char *name;
	int (*fn)(const char *path);
} damaged[] = {
	{ "absurd-sample-delta", sc_absurd_sample_delta },
	{ "absurd-clock-ticks", sc_absurd_clock_ticks },
};

static const struct {
	const char *name;
	int (*fn)(const char *path);
} scenarios[] = {
	{ "synthetic-leak", sc_leak },
	{ "synthetic-counters", sc_counters },
	{ "synthetic-busy", sc_busy },
	{ "synthetic-spike", sc_spike },
	{ "synthetic-memory-shapes", sc_shapes },
	{ "synthetic-burst", sc_burst },
	{ "synthetic-damaged", sc_damaged },
	{ "synthetic-forecast", sc_forecast },
};

#define N_SCENARIOS (sizeof(scenarios) / sizeof(scenarios[0]))

static int usage(void)
{
	fprintf(stderr, "usage: mkfixture list\n"
			"       mkfixture SCENARIO PATH\n"
			"       mkfixture diff base|new|contended RUN PATH\n"
			"       mkfixture bench PATH [PROCS [SAMPLES "
			"[lone-thread-rows|no-lone-thread-rows]]]\n"
			"       mkfixture churn SEED PATH\n");
	return 2;
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc == 2 && strcmp(argv[1], "list") == 0) {
		for (i = 0; i < N_SCENARIOS; i++)
			printf("%s\n", scenarios[i].name);
		return 0;
	}
	if (argc >= 3 && argc <= 6 && strcmp(argv[1], "bench") == 0) {
		int procs = argc > 3 ? atoi(argv[3]) : 500;
		int samples = argc > 4 ? atoi(argv[4]) : 3600;
		bool lone = argc <= 5 ||
			    strcmp(argv[5], "lone-thread-rows") == 0;

		if (procs < 1 || samples < 1 ||
		    (argc > 5 && !lone &&
		     strcmp(argv[5], "no-lone-thread-rows") != 0))
			return usage();
		return bench(argv[2], procs, samples, lone) < 0 ? 1 : 0;
	}
	if (argc == 4 && strcmp(argv[1], "churn") == 0)
		return churn(argv[3], (uint32_t)strtoul(argv[2], NULL, 10)) < 0 ?
			       1 :
			       0;
	if (argc == 5 && strcmp(argv[1], "diff") == 0) {
		int run = atoi(argv[3]);

		bool contended = strcmp(argv[2], "contended") == 0;

		if ((strcmp(argv[2], "base") && strcmp(argv[2], "new") &&
		     !contended) ||
		    run < 1 || run > 99)
			return usage();
		return sc_diff(argv[4], strcmp(argv[2], "base") != 0,
			       contended, run) < 0 ?
			       1 :
			       0;
	}
	if (argc != 3)
		return usage();
	if (strcmp(argv[1], "window") == 0)
		return sc_window(argv[2]) < 0 ? 1 : 0;
	for (i = 0; i < N_SCENARIOS; i++)
		if (strcmp(argv[1], scenarios[i].name) == 0)
			return scenarios[i].fn(argv[2]) < 0 ? 1 : 0;
	for (i = 0; i < sizeof(damaged) / sizeof(damaged[0]); i++)
		if (strcmp(argv[1], damaged[i].name) == 0)
			return damaged[i].fn(argv[2]) < 0 ? 1 : 0;
	fprintf(stderr, "mkfixture: unknown scenario '%s'\n", argv[1]);
	return 2;
}
