/* test_codec.c — the session-file writer and reader (proto/).
 *
 * Everything here goes through real files in a per-test sandbox directory
 * (mkdtemp, removed by the teardown) or through swt_reader_open_mem() over
 * bytes of such files. The properties are those of ARCHITECTURE.md, "The
 * session file": round trip of every record kind, self-contained chunks,
 * seek with and without the index, salvage after truncation and after a
 * crash, damage confined to one chunk, clear errors for bad magic, future
 * versions and absurd lengths, forward compatibility, and files the zstd
 * CLI accepts. */
#include "swt_test.h"

#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <zstd.h>

#include "swt.pb-c.h"
#include "swt_codec-private.h"
#include "swt_test_pb.h"
#include "swt_format.h"
#include "swt_reader.h"
#include "swt_writer.h"

#ifndef SWT_FIXTURE_DIR
#error "SWT_FIXTURE_DIR must name the source fixtures/ directory"
#endif

#if defined(__SANITIZE_ADDRESS__)
#define SWT_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SWT_TEST_ASAN 1
#endif
#endif

#define MS INT64_C(1000000)

/* ---- sandbox fixture --------------------------------------------------- */

struct sandbox {
	char dir[PATH_MAX];
	char path[PATH_MAX + 64]; /* scratch for sandbox_path() */
};

static int sandbox_setup(void **state)
{
	struct sandbox *sb = calloc(1, sizeof(*sb));

	if (!sb)
		return -1;
	swt_test_mkdtemp(sb->dir, sizeof(sb->dir));
	*state = sb;
	return 0;
}

static int sandbox_teardown(void **state)
{
	struct sandbox *sb = *state;

	swt_test_rmtree(sb->dir);
	free(sb);
	return 0;
}

static const char *sandbox_path(struct sandbox *sb, const char *name)
{
	return swt_test_path(sb->path, sizeof(sb->path), sb->dir, name);
}

/* ---- a store of records we wrote (owning every byte they point to) ---- */

struct store {
	struct swt_record *recs;
	size_t n, cap;
	void **allocs;
	size_t n_allocs, cap_allocs;
};

static void *store_alloc(struct store *s, size_t size)
{
	void *p = calloc(1, size ? size : 1);

	assert_non_null(p);
	if (s->n_allocs == s->cap_allocs) {
		s->cap_allocs = s->cap_allocs ? 2 * s->cap_allocs : 64;
		s->allocs = realloc(s->allocs,
				    s->cap_allocs * sizeof(*s->allocs));
		assert_non_null(s->allocs);
	}
	s->allocs[s->n_allocs++] = p;
	return p;
}

static struct swt_record *store_add(struct store *s, enum swt_record_kind k,
				    int64_t t)
{
	struct swt_record *r;

	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->recs = realloc(s->recs, s->cap * sizeof(*s->recs));
		assert_non_null(s->recs);
	}
	r = &s->recs[s->n++];
	memset(r, 0, sizeof(*r));
	r->kind = k;
	r->t_ns = t;
	return r;
}

static void store_fini(struct store *s)
{
	size_t i;

	for (i = 0; i < s->n_allocs; i++)
		free(s->allocs[i]);
	free(s->allocs);
	free(s->recs);
	memset(s, 0, sizeof(*s));
}

static const char *const test_command[] = { "ocr-pipeline", "--in",
					    "scan dir/", "" };
static const int32_t test_attach[] = { 1, 4242, INT32_MAX };

static void test_header(struct swt_header *h)
{
	memset(h, 0, sizeof(*h));
	h->recorder = "swrec 0.1.0-test";
	h->kernel = "6.1.0-test";
	h->clock_ticks = 100;
	h->page_size = 4096;
	h->cpu_count = 2;
	h->mem_total_kib = UINT64_C(16318480);
	h->interval_ns = 100 * MS;
	h->flush_interval_ns = 1000 * MS;
	h->start_mono_ns = 1000 * MS;
	h->start_wall_ns = INT64_C(1732540800123456789);
	h->mode = SWT_MODE_LAUNCH;
	h->n_command = 4;
	h->command = test_command;
	h->n_attach_pids = 3;
	h->attach_pids = test_attach;
	h->boot_time_s = UINT64_C(1732500000);
	h->threads = true;
}

/* ---- synthetic sessions ------------------------------------------------ */

static uint64_t rng_next(uint64_t *s)
{
	/* xorshift64*: deterministic, good enough for test values */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * UINT64_C(2685821657736338717);
}

static int64_t rng_range(uint64_t *s, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rng_next(s) % (uint64_t)(hi - lo + 1));
}

#define N_GPROC 8

struct gproc {
	int32_t pid;
	bool live;
	uint64_t start_ticks;
	int nthreads;
	struct swt_proc_row row;
	int64_t tutime[3], tstime[3];
};

static void gen_proc_start(struct store *s, struct gproc *p, int64_t t,
			   bool preexisting, uint64_t *rng)
{
	struct swt_record *r = store_add(s, SWT_REC_PROC_START, t);
	static const char argv_tmpl[] = "worker\0--id\0with space\0";
	char *cmd = store_alloc(s, sizeof(argv_tmpl) + 8);
	char *comm = store_alloc(s, 16);
	int k;

	p->live = true;
	p->start_ticks += 1000 + (uint64_t)rng_range(rng, 0, 99);
	memset(&p->row, 0, sizeof(p->row));
	p->row.pid = p->pid;
	p->row.rss_kib = rng_range(rng, 1000, 5000);
	p->row.vsz_kib = p->row.rss_kib * 4;
	p->row.nthreads = p->nthreads;
	/* a fresh process starts with small counters: below the values the
	 * previous owner of the pid had, so the deltas go negative */
	p->row.utime = rng_range(rng, 0, 3);
	for (k = 0; k < 3; k++)
		p->tutime[k] = p->tstime[k] = 0;
	memcpy(cmd, argv_tmpl, sizeof(argv_tmpl));
	snprintf(comm, 16, "w%d", p->pid);
	r->u.proc_start.pid = p->pid;
	r->u.proc_start.ppid = p->pid == 100 ? 1 : 100;
	r->u.proc_start.start_ticks = p->start_ticks;
	r->u.proc_start.comm = comm;
	r->u.proc_start.cmdline = cmd;
	/* NUL-separated argv, the trailing NUL included */
	r->u.proc_start.cmdline_len = sizeof(argv_tmpl) - 1;
	r->u.proc_start.uid = p->pid == 100 ? 0 : 1000;
	r->u.proc_start.preexisting = preexisting;
}

static void gen_proc_exit(struct store *s, struct gproc *p, int64_t t,
			  bool has_status, int32_t code, int32_t sig)
{
	struct swt_record *r = store_add(s, SWT_REC_PROC_EXIT, t);

	p->live = false;
	r->u.proc_exit.pid = p->pid;
	r->u.proc_exit.start_ticks = p->start_ticks;
	r->u.proc_exit.has_status = has_status;
	r->u.proc_exit.exit_code = code;
	r->u.proc_exit.signal = sig;
	r->u.proc_exit.core_dumped = sig == 11;
	if (has_status) {
		/* the last counters, exit record and I/O of format 1.1, 1.2 */
		r->u.proc_exit.has_final = true;
		r->u.proc_exit.utime = 1000 + code;
		r->u.proc_exit.stime = 7;
		r->u.proc_exit.cutime = 300;
		r->u.proc_exit.cstime = 11;
		r->u.proc_exit.has_acct = true;
		r->u.proc_exit.hiwater_rss_kib = 123456;
		r->u.proc_exit.read_bytes = UINT64_C(1) << 40;
		r->u.proc_exit.write_bytes = 4096;
		r->u.proc_exit.nvcsw = 12;
		r->u.proc_exit.nivcsw = 3;
		r->u.proc_exit.utime_us = 10000123;
		r->u.proc_exit.stime_us = 70001;
		r->u.proc_exit.has_final_io = true;
		r->u.proc_exit.final_read_bytes = (UINT64_C(1) << 40) + 8192;
		r->u.proc_exit.final_write_bytes = UINT64_MAX;
		r->u.proc_exit.has_final_net = true;
		r->u.proc_exit.final_net_tx = 20971521;
		r->u.proc_exit.final_net_rx = 77;
	}
	if (has_status && p->nthreads > 1) {
		/* its threads' ends (format 1.10): a name unknown (""), a
		 * value of 0 (left out on the wire), one of 64 bits */
		static const char *const names[] = { "main", "", "io" };
		struct swt_thread_end *te =
			store_alloc(s, (size_t)p->nthreads * sizeof(*te));
		int k;

		for (k = 0; k < p->nthreads; k++) {
			te[k].tid = p->pid + k;
			te[k].name = names[k % 3];
			te[k].utime_us = k == 2 ? UINT64_MAX :
						  (uint64_t)(1000 * k + code);
			te[k].stime_us = k == 0 ? 0 : 17;
		}
		r->u.proc_exit.threads = te;
		r->u.proc_exit.n_threads = (size_t)p->nthreads;
	}
}

static const char *const thread_names[] = { "main", "worker-1", "io" };

static void gen_sample(struct store *s, struct gproc *g, int64_t t,
		       unsigned tick, uint64_t *rng)
{
	struct swt_record *r = store_add(s, SWT_REC_SAMPLE, t);
	struct swt_proc_row *rows = store_alloc(s, N_GPROC * sizeof(*rows));
	struct swt_thread_row *th = store_alloc(s, 3 * N_GPROC * sizeof(*th));
	size_t n = 0, nt = 0;
	int i, k;

	r->u.sample.scheduled_ns = t - rng_range(rng, 0, 999);
	r->u.sample.recorder_cpu_ns = 1000000 * (uint64_t)tick + 17;
	r->u.sample.recorder_rss_kib = 3000 + (uint64_t)rng_range(rng, 0, 50);
	r->u.sample.sys_busy_ticks = 100 * (uint64_t)tick + 3;
	r->u.sample.sys_idle_ticks = 90 * (uint64_t)tick;
	r->u.sample.mem_total_kib = UINT64_C(16318480);
	r->u.sample.mem_available_kib =
		UINT64_C(9000000) + (uint64_t)rng_range(rng, 0, 100000);
	for (i = 0; i < N_GPROC; i++) {
		struct gproc *p = &g[i];
		struct swt_proc_row *w = &p->row;

		if (!p->live)
			continue;
		/* a third of the time, an idle process: its row unchanged
		 * (left out of a sparse sample) */
		if (p->pid != 200 && p->pid != 100 && p->pid != 4000 &&
		    rng_range(rng, 0, 2) == 0) {
			rows[n++] = *w;
			for (k = 0; k < p->nthreads; k++) {
				struct swt_thread_row *x = &th[nt++];

				x->tid = p->pid + k;
				x->tgid = p->pid;
				x->name = thread_names[k];
				x->utime = p->tutime[k];
				x->stime = p->tstime[k];
			}
			continue;
		}
		w->utime += rng_range(rng, 0, 7);
		w->stime += rng_range(rng, 0, 3);
		/* RSS and VSZ move both ways (negative deltas) */
		w->rss_kib += rng_range(rng, -800, 800);
		if (w->rss_kib < 0)
			w->rss_kib = 0;
		w->vsz_kib += rng_range(rng, -4000, 4000);
		w->nthreads = p->nthreads;
		w->minflt += rng_range(rng, 0, 200);
		w->majflt += rng_range(rng, 0, 1);
		w->vctxsw += rng_range(rng, 0, 50);
		w->ivctxsw += rng_range(rng, 0, 5);
		w->flags = 0;
		if (p->pid == 200) {
			/* unreadable io: the values mean nothing */
			w->flags = SWT_PF_IO_UNAVAILABLE;
			w->io_read = w->io_write = 0;
		} else if (p->pid == 4000 && tick % 3 == 0) {
			w->flags = SWT_PF_IO_NOT_SAMPLED; /* io kept */
		} else {
			w->io_read += rng_range(rng, 0, 1 << 20);
			w->io_write += rng_range(rng, 0, 1 << 16);
		}
		if (p->pid == 100 && tick % 4 == 1)
			w->flags |= SWT_PF_CTXSW_NOT_SAMPLED;
		rows[n++] = *w;
		for (k = 0; k < p->nthreads; k++) {
			struct swt_thread_row *x = &th[nt++];

			p->tutime[k] += rng_range(rng, 0, 5);
			p->tstime[k] += rng_range(rng, 0, 2);
			x->tid = p->pid + k;
			x->tgid = p->pid;
			x->name = thread_names[k];
			x->utime = p->tutime[k];
			x->stime = p->tstime[k];
		}
	}
	r->u.sample.n_procs = n;
	r->u.sample.procs = rows;
	r->u.sample.n_threads = nt;
	r->u.sample.threads = th;
}

static void gen_events(struct store *s, int32_t pid, int64_t t, size_t n,
		       uint64_t *rng)
{
	static const char *const names[] = { "parse", "ocr", "parse",
					     "checkpoint" };
	static const enum swt_event_kind kinds[] = { SWT_EV_BEGIN,
						     SWT_EV_COUNT, SWT_EV_END,
						     SWT_EV_MARK };
	struct swt_record *r = store_add(s, SWT_REC_EVENTS, t);
	struct swt_event *ev = store_alloc(s, n * sizeof(*ev));
	size_t i;

	for (i = 0; i < n; i++) {
		ev[i].t_ns = t + (int64_t)i * 137000;
		ev[i].kind = kinds[i % 4];
		ev[i].tid = pid + (int32_t)(i % 2);
		ev[i].name = names[i % 4];
		ev[i].value = ev[i].kind == SWT_EV_COUNT ?
				      rng_range(rng, -10, 10) :
				      0;
	}
	r->u.events.pid = pid;
	r->u.events.n = n;
	r->u.events.events = ev;
}

/* A session of `ticks` sampling ticks of 100 ms with process starts and
 * exits, pid reuse (with and without ProcStart in between), events,
 * alerts, drops and anomalies, ending with a SessionEnd record. Many
 * records share their time with the one before (seek must find the first
 * of them). */
static void gen_session(struct store *s, unsigned ticks, uint64_t seed)
{
	static const int32_t pids[N_GPROC] = { 100, 200, 300, 350, 4000,
					       5000, 70000, 2147483000 };
	struct gproc g[N_GPROC];
	uint64_t rng = seed | 1;
	uint64_t dropped = 0;
	int64_t t = 0;
	unsigned tick;
	int i;

	memset(g, 0, sizeof(g));
	for (i = 0; i < N_GPROC; i++) {
		g[i].pid = pids[i];
		g[i].nthreads = 1 + i % 3;
		g[i].start_ticks = (uint64_t)i * 50;
	}
	for (i = 0; i < 4; i++)
		gen_proc_start(s, &g[i], 1000 * MS, true, &rng);
	for (tick = 0; tick < ticks; tick++) {
		t = 1000 * MS + (int64_t)tick * 100 * MS +
		    rng_range(&rng, 0, 999);
		if (tick == 1) {
			gen_proc_start(s, &g[6], t, false, &rng);
			gen_proc_start(s, &g[7], t, false, &rng);
		}
		/* pid 300 exits with a status and is reused right away
		 * (negative codes too: int32 is sign-extended on the
		 * wire) */
		if (tick % 17 == 5 && g[2].live)
			gen_proc_exit(s, &g[2], t, true,
				      (int32_t)(tick % 256) - 100,
				      tick % 34 == 5 ? -9 : 0);
		else if (tick % 17 == 6 && !g[2].live)
			gen_proc_start(s, &g[2], t, false, &rng);
		/* pid 350 is reused behind our back: counters go down with
		 * no ProcStart in between */
		if (tick % 23 == 11) {
			g[3].row.utime = rng_range(&rng, 0, 2);
			g[3].row.stime = 0;
			g[3].row.minflt = 1;
			g[3].row.io_read = 0;
			g[3].tutime[0] = 0;
		}
		/* pid 4000 comes and goes, killed without status or by a
		 * signal */
		if (tick % 29 == 3 && !g[4].live)
			gen_proc_start(s, &g[4], t, false, &rng);
		else if (tick % 29 == 20 && g[4].live)
			gen_proc_exit(s, &g[4], t, tick % 2 == 0, 0,
				      tick % 2 == 0 ? 11 : 0);
		if (tick % 31 == 2 && !g[5].live)
			gen_proc_start(s, &g[5], t, false, &rng);
		gen_sample(s, g, t, tick, &rng);
		if (tick % 2 == 0)
			gen_events(s, 100, t + 1 * MS,
				   1 + (size_t)rng_range(&rng, 0, 7), &rng);
		if (tick % 10 == 4) {
			struct swt_record *r = store_add(s, SWT_REC_ALERT,
							 t + 60 * MS);

			r->u.alert.kind = tick % 20 == 4 ? "cpu" : "memory";
			r->u.alert.subject = "parse";
			r->u.alert.value_milli = rng_range(&rng, 0, 200000);
			r->u.alert.threshold_milli = 80000;
		}
		if (tick % 13 == 7) {
			struct swt_record *r = store_add(s, SWT_REC_DROPS,
							 t + 70 * MS);
			uint64_t d = (uint64_t)rng_range(&rng, 1, 100);

			dropped += d;
			r->u.drops.pid = tick % 26 == 7 ? 100 : 0;
			r->u.drops.dropped = dropped;
			r->u.drops.total_dropped = dropped;
			r->u.drops.reason = "ring-full";
		}
		if (tick % 19 == 9) {
			struct swt_record *r = store_add(s, SWT_REC_ANOMALY,
							 t + 80 * MS);
			char *detail = store_alloc(s, 8);

			memcpy(detail, "a\0b\xff\0c", 6);
			r->u.anomaly.kind = "end-without-begin";
			r->u.anomaly.pid = 100;
			r->u.anomaly.tid = 101;
			r->u.anomaly.subject = "render";
			r->u.anomaly.detail = detail;
			r->u.anomaly.detail_len = 6;
		}
	}
	{
		struct swt_record *r = store_add(s, SWT_REC_END, t + 90 * MS);

		r->u.end.reason = SWT_END_EXITED;
		r->u.end.has_status = true;
		r->u.end.exit_code = 0;
		r->u.end.samples = ticks;
		r->u.end.records = s->n;
		r->u.end.events = 12345;
		r->u.end.dropped_events = dropped;
		r->u.end.recorder_cpu_ns = UINT64_C(123456789);
		r->u.end.recorder_peak_rss_kib = 4096;
	}
}

/* ---- writing ----------------------------------------------------------- */

struct flush_point {
	uint64_t bytes;	/* file size right after the flush */
	size_t records;	/* records appended before it */
};

struct write_opts {
	size_t chunk_raw_bytes;	/* 0: default */
	size_t flush_every;	/* flush after every n records; 0: never */
	bool finish;		/* finish (the last record must be END) or
				 * flush and free as after a crash */
	struct flush_point *points; /* optional, flush_every != 0 */
	size_t *n_points;
	bool plain;		/* no sparse samples */
	bool changed;		/* samples with their lists of changed rows
				 * (swt_sample.changed), where the pids are
				 * the previous sample's */
};

static void writer_opts(struct swt_writer_opts *o, size_t chunk_raw_bytes)
{
	swt_writer_opts_init(o);
	o->sync = false; /* the tests read back in-process */
	if (chunk_raw_bytes)
		o->chunk_raw_bytes = chunk_raw_bytes;
}

/* As swrec's sampler does: the list of smp's rows that changed since b
 * (the sample before), with every fifth row that did not among them (the
 * sampler lists what it read, changed or not), and, when processes came
 * and went, the rows of b that are gone and those of smp that are new. */
struct hint_lists {
	uint32_t *changed, *removed, *inserted;
};

static void list_changed(struct swt_sample *smp, const struct swt_sample *b,
			 struct hint_lists *hl)
{
	size_t i = 0, j = 0, k = 0, nr = 0, ni = 0;

	if (!b || !smp->n_procs)
		return;
	hl->changed = realloc(hl->changed,
			      smp->n_procs * sizeof(*hl->changed));
	hl->removed = realloc(hl->removed,
			      (b->n_procs + 1) * sizeof(*hl->removed));
	hl->inserted = realloc(hl->inserted,
			       smp->n_procs * sizeof(*hl->inserted));
	assert_non_null(hl->changed);
	assert_non_null(hl->removed);
	assert_non_null(hl->inserted);
	while (i < smp->n_procs || j < b->n_procs) {
		if (i == smp->n_procs ||
		    (j < b->n_procs && b->procs[j].pid < smp->procs[i].pid)) {
			hl->removed[nr++] = (uint32_t)j++;
			continue;
		}
		if (j == b->n_procs || smp->procs[i].pid < b->procs[j].pid) {
			hl->inserted[ni++] = (uint32_t)i;
			hl->changed[k++] = (uint32_t)i++;
			continue;
		}
		if (i % 5 == 0 || memcmp(&smp->procs[i], &b->procs[j],
					 sizeof(smp->procs[i])) != 0)
			hl->changed[k++] = (uint32_t)i;
		i++;
		j++;
	}
	smp->changed = hl->changed;
	smp->n_changed = k;
	smp->removed = hl->removed;
	smp->n_removed = nr;
	smp->inserted = hl->inserted;
	smp->n_inserted = ni;
}

static void write_store(const char *path, const struct store *s,
			const struct write_opts *wo,
			struct swt_writer_stats *stats)
{
	struct swt_writer_opts o;
	struct swt_writer *w = NULL;
	struct swt_header h;
	const struct swt_sample *last = NULL;
	struct hint_lists hl = { NULL, NULL, NULL };
	char err[256] = "";
	size_t i, n = s->n;
	int rc;

	writer_opts(&o, wo->chunk_raw_bytes);
	o.sparse = !wo->plain;
	test_header(&h);
	rc = swt_writer_open(&w, path, &o, &h, err, sizeof(err));
	if (rc != 0)
		print_error("swt_writer_open: %s\n", err);
	assert_ok(rc);
	assert_non_null(w);
	if (wo->n_points)
		*wo->n_points = 0;
	if (wo->finish) {
		assert_true(n > 0 && s->recs[n - 1].kind == SWT_REC_END);
		n--;
	}
	for (i = 0; i < n; i++) {
		struct swt_record rec = s->recs[i];

		if (wo->changed && rec.kind == SWT_REC_SAMPLE) {
			list_changed(&rec.u.sample, last, &hl);
			last = &s->recs[i].u.sample;
		}
		rc = swt_writer_append(w, &rec);
		if (rc != 0)
			print_error("append #%zu (%s): %s\n", i,
				    swt_record_kind_name(s->recs[i].kind),
				    swt_writer_errmsg(w));
		assert_ok(rc);
		if (wo->flush_every && (i + 1) % wo->flush_every == 0) {
			struct swt_writer_stats st;

			assert_ok(swt_writer_flush(w));
			if (wo->points) {
				swt_writer_get_stats(w, &st);
				wo->points[*wo->n_points].bytes = st.bytes;
				wo->points[*wo->n_points].records = i + 1;
				(*wo->n_points)++;
			}
		}
	}
	if (wo->finish) {
		rc = swt_writer_finish(w, &s->recs[n].u.end, s->recs[n].t_ns);
		if (rc != 0)
			print_error("finish: %s\n", swt_writer_errmsg(w));
		assert_ok(rc);
	} else {
		assert_ok(swt_writer_flush(w));
	}
	if (stats)
		swt_writer_get_stats(w, stats);
	swt_writer_free(w);
	free(hl.changed);
	free(hl.removed);
	free(hl.inserted);
}

/* The common case: finished file, given chunk size, no flushes. */
static void write_finished(const char *path, const struct store *s,
			   size_t chunk_raw_bytes,
			   struct swt_writer_stats *stats)
{
	struct write_opts wo = { .chunk_raw_bytes = chunk_raw_bytes,
				 .finish = true };

	write_store(path, s, &wo, stats);
}

/* ---- reading ----------------------------------------------------------- */

static struct swt_reader *open_mem_ok(const void *data, size_t len,
				      unsigned flags)
{
	struct swt_reader *r = NULL;
	char err[256] = "";
	int rc = swt_reader_open_mem(&r, data, len, "mem", flags, err,
				     sizeof(err));

	if (rc != 0)
		print_error("swt_reader_open_mem(%zu bytes): %s\n", len, err);
	assert_ok(rc);
	assert_non_null(r);
	return r;
}

/* The last damage entry of a file without index: the reader's note that
 * the recording did not finish, at end of file. */
static void expect_unfinished_at_eof(struct swt_reader *r, size_t file_len)
{
	size_t n = swt_reader_damage_count(r);
	const struct swt_damage *d;

	assert_true(n >= 1);
	d = swt_reader_get_damage(r, n - 1);
	assert_status(SWT_ETRUNCATED, d->status);
	assert_int_equal(d->offset, file_len);
	assert_int_equal(d->length, 0);
}

static struct swt_reader *open_path_ok(const char *path, unsigned flags)
{
	struct swt_reader *r = NULL;
	char err[256] = "";
	int rc = swt_reader_open(&r, path, flags, err, sizeof(err));

	if (rc != 0)
		print_error("swt_reader_open(%s): %s\n", path, err);
	assert_ok(rc);
	assert_non_null(r);
	return r;
}

static void check_header_fields(const struct swt_header *a)
{
	struct swt_header e;

	test_header(&e);
	assert_header_equal(&e, a);
	assert_int_equal(a->format_major, SWT_FORMAT_MAJOR);
	assert_int_equal(a->format_minor, SWT_FORMAT_MINOR);
	assert_non_null(a->zstd_version);
	assert_string_equal(a->zstd_version, ZSTD_versionString());
}

/* The first record of every reader is the header. */
static void expect_header_record(struct swt_reader *r)
{
	const struct swt_record *rec = NULL;

	assert_ok(swt_reader_next(r, &rec));
	assert_non_null(rec);
	assert_int_equal(rec->kind, SWT_REC_HEADER);
	check_header_fields(&rec->u.header);
	check_header_fields(swt_reader_get_header(r));
}

/* Read to SWT_ITEROVER (non-strict), comparing record i with s->recs[from
 * + i]. Returns how many records were read. */
static size_t expect_records(struct swt_reader *r, const struct store *s,
			     size_t from)
{
	const struct swt_record *rec;
	size_t i = from;
	int rc;

	while ((rc = swt_reader_next(r, &rec)) == 0) {
		if (i >= s->n) {
			print_error("reader returned more than the %zu records "
				    "written (kind %s, t=%" PRId64 ")\n", s->n,
				    swt_record_kind_name(rec->kind),
				    rec->t_ns);
			fail();
		}
		assert_record_equal(&s->recs[i], rec);
		i++;
	}
	assert_status(SWT_ITEROVER, rc);
	/* the end stays the end */
	assert_status(SWT_ITEROVER, swt_reader_next(r, &rec));
	return i - from;
}

/* Number of records (header excluded) in the first len bytes of data. */
static size_t count_records(const unsigned char *data, size_t len)
{
	struct swt_reader *r = open_mem_ok(data, len, 0);
	const struct swt_record *rec;
	size_t n = 0;
	int rc;

	while ((rc = swt_reader_next(r, &rec)) == 0)
		n += rec->kind != SWT_REC_HEADER;
	assert_status(SWT_ITEROVER, rc);
	swt_reader_free(r);
	return n;
}

/* ---- frames ------------------------------------------------------------ */

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

struct frame {
	size_t off, len;
	uint32_t magic;
};

/* Walk the complete frames of a file: skippable ones by their size field,
 * zstd ones with ZSTD_findFrameCompressedSize(). */
static size_t walk_frames(const unsigned char *p, size_t len,
			  struct frame *out, size_t max)
{
	size_t off = 0, n = 0;

	while (off + 8 <= len && n < max) {
		uint32_t magic = le32(p + off);
		size_t flen;

		if ((magic & 0xFFFFFFF0u) == 0x184D2A50u) {
			flen = 8 + (size_t)le32(p + off + 4);
		} else if (magic == SWT_ZSTD_FRAME_MAGIC) {
			flen = ZSTD_findFrameCompressedSize(p + off,
							    len - off);
			if (ZSTD_isError(flen))
				break;
		} else {
			break;
		}
		if (flen > len - off)
			break;
		out[n].off = off;
		out[n].len = flen;
		out[n].magic = magic;
		n++;
		off += flen;
	}
	return n;
}

#define MAX_FRAMES 256

struct layout {
	struct frame f[MAX_FRAMES];
	size_t n;
	size_t hdr_end;		/* end of the header frame */
	size_t chunk[MAX_FRAMES]; /* indexes into f of the chunk frames */
	size_t n_chunks;
};

static void file_layout(const unsigned char *p, size_t len,
			struct layout *l)
{
	size_t i;

	memset(l, 0, sizeof(*l));
	l->n = walk_frames(p, len, l->f, MAX_FRAMES);
	assert_true(l->n >= 1);
	assert_int_equal(l->f[0].magic, SWT_HEADER_FRAME_MAGIC);
	l->hdr_end = l->f[0].len;
	for (i = 1; i < l->n; i++)
		if (l->f[i].magic == SWT_ZSTD_FRAME_MAGIC)
			l->chunk[l->n_chunks++] = i;
}

/* ---- protobuf wire helpers (for hand-made records) --------------------- */

struct bytes {
	unsigned char *p;
	size_t len, cap;
};

static void bytes_add(struct bytes *b, const void *data, size_t len)
{
	if (b->len + len > b->cap) {
		b->cap = (b->len + len) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	if (len)	/* (data may be NULL then: an empty packed column) */
		memcpy(b->p + b->len, data, len);
	b->len += len;
}

static void pb_varint(struct bytes *b, uint64_t v)
{
	unsigned char tmp[10];
	size_t n = 0;

	do {
		tmp[n] = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v)
			tmp[n] |= 0x80;
		n++;
	} while (v);
	bytes_add(b, tmp, n);
}

static void pb_tag(struct bytes *b, unsigned field, unsigned wire)
{
	pb_varint(b, (uint64_t)field << 3 | wire);
}

static uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static void pb_field_varint(struct bytes *b, unsigned field, uint64_t v)
{
	pb_tag(b, field, 0);
	pb_varint(b, v);
}

static void pb_field_bytes(struct bytes *b, unsigned field, const void *p,
			   size_t len)
{
	pb_tag(b, field, 2);
	pb_varint(b, len);
	bytes_add(b, p, len);
}

/* varint length prefix + message */
static void pb_delimited(struct bytes *b, const struct bytes *msg)
{
	pb_varint(b, msg->len);
	bytes_add(b, msg->p, msg->len);
}

/* A complete zstd frame with checksum, as the writer makes them. */
static void zstd_frame(struct bytes *out, const void *raw, size_t len)
{
	ZSTD_CCtx *cctx = ZSTD_createCCtx();
	size_t bound = ZSTD_compressBound(len), n;
	unsigned char *tmp = malloc(bound);

	assert_non_null(cctx);
	assert_non_null(tmp);
	assert_false(ZSTD_isError(
		ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1)));
	n = ZSTD_compress2(cctx, tmp, bound, raw, len);
	assert_false(ZSTD_isError(n));
	bytes_add(out, tmp, n);
	free(tmp);
	ZSTD_freeCCtx(cctx);
}

/* ---- tests: names ------------------------------------------------------ */

static void kind_names_are_distinct(void **state)
{
	int i, j;

	(void)state;
	assert_string_equal(swt_record_kind_name(SWT_REC_SAMPLE), "sample");
	assert_string_equal(swt_record_kind_name((enum swt_record_kind)0),
			    "unknown");
	assert_string_equal(swt_record_kind_name((enum swt_record_kind)99),
			    "unknown");
	for (i = SWT_REC_HEADER; i <= SWT_REC_END; i++) {
		const char *a = swt_record_kind_name((enum swt_record_kind)i);

		assert_non_null(a);
		assert_string_not_equal(a, "unknown");
		for (j = SWT_REC_HEADER; j < i; j++)
			assert_string_not_equal(
				a, swt_record_kind_name(
					   (enum swt_record_kind)j));
	}
	assert_string_equal(swt_event_kind_name(SWT_EV_RSS), "rss");
	assert_string_equal(swt_event_kind_name((enum swt_event_kind)6),
			    "unknown");
	for (i = SWT_EV_BEGIN; i <= (int)SWT_EV_RSS; i++) {
		const char *a = swt_event_kind_name((enum swt_event_kind)i);

		assert_non_null(a);
		assert_string_not_equal(a, "unknown");
		for (j = SWT_EV_BEGIN; j < i; j++)
			assert_string_not_equal(
				a, swt_event_kind_name((enum swt_event_kind)j));
	}
	assert_non_null(swt_event_kind_name((enum swt_event_kind)0));
}

/* ---- tests: round trip ------------------------------------------------- */

/* One record of every kind and variant, by hand. */
static void build_every_kind(struct store *s)
{
	static const char cmdline[] = "/usr/bin/ocr\0--lang\0deu+eng\0\0x";
	static const struct swt_proc_row rows1[] = {
		{ .pid = 7, .utime = 100, .stime = 50, .rss_kib = 90000,
		  .vsz_kib = 300000, .nthreads = 3, .minflt = 1000,
		  .majflt = 2, .io_read = 1 << 20, .io_write = 4096,
		  .vctxsw = 40, .ivctxsw = 3 },
		{ .pid = 8, .flags = SWT_PF_IO_UNAVAILABLE, .utime = 5,
		  .stime = 1, .rss_kib = 2000, .vsz_kib = 8000,
		  .nthreads = 1, .minflt = 10 },
		{ .pid = 31000, .flags = SWT_PF_IO_NOT_SAMPLED |
					 SWT_PF_CTXSW_NOT_SAMPLED,
		  .utime = 1, .rss_kib = 100, .vsz_kib = 200,
		  .nthreads = 1, .io_read = 77 },
	};
	/* RSS shrinks, pid 8 was reused (counters go down), pid 9 new,
	 * pid 31000 gone */
	static const struct swt_proc_row rows2[] = {
		{ .pid = 7, .utime = 130, .stime = 51, .rss_kib = 45000,
		  .vsz_kib = 250000, .nthreads = 2, .minflt = 1500,
		  .majflt = 2, .io_read = (1 << 20) + 5, .io_write = 4096,
		  .vctxsw = 41, .ivctxsw = 3 },
		{ .pid = 8, .utime = 0, .stime = 0, .rss_kib = 500,
		  .vsz_kib = 1000, .nthreads = 1, .minflt = 3,
		  .io_read = 0, .io_write = 0 },
		{ .pid = 9, .utime = 2, .rss_kib = 10, .vsz_kib = 20,
		  .nthreads = 1 },
	};
	static const struct swt_thread_row thr1[] = {
		{ .tid = 7, .tgid = 7, .name = "ocr", .utime = 60,
		  .stime = 20 },
		{ .tid = 10, .tgid = 7, .name = "worker", .utime = 40,
		  .stime = 30 },
		{ .tid = 11, .tgid = 8, .name = "", .utime = 5, .stime = 1 },
	};
	static const struct swt_thread_row thr2[] = {
		{ .tid = 7, .tgid = 7, .name = "ocr", .utime = 90,
		  .stime = 21 },
		{ .tid = 11, .tgid = 8, .name = "renamed", .utime = 0,
		  .stime = 0 },
	};
	/* spans with and without the thread's CPU time, RSS readings
	 * around a measured span (swt_record.h) */
	static const struct swt_event ev[] = {
		{ 2000 * MS, SWT_EV_BEGIN, 7, "parse", 0 },
		{ 2000 * MS + 10, SWT_EV_COUNT, 10, "pages", 5 },
		{ 2000 * MS + 10, SWT_EV_COUNT, 10, "pages", -3 },
		{ 2000 * MS + 500, SWT_EV_MARK, 7, "checkpoint", 0 },
		{ 2000 * MS + 600, SWT_EV_RSS, 10, "ocr", 90112 },
		{ 2000 * MS + 600, SWT_EV_BEGIN, 10, "ocr", 1234567890123 },
		{ 2000 * MS + 900, SWT_EV_END, 10, "ocr", 1234617890123 },
		{ 2000 * MS + 900, SWT_EV_RSS, 10, "ocr", 98304 },
		{ 2001 * MS, SWT_EV_END, 7, "parse", 0 },
		{ 2001 * MS, SWT_EV_BEGIN, 6, "render", 0 },
	};
	static const struct swt_event ev2[] = {
		{ 2600 * MS, SWT_EV_END, 10, "render", 0 },
	};
	struct swt_record *r;

	r = store_add(s, SWT_REC_PROC_START, 1000 * MS);
	r->u.proc_start.pid = 7;
	r->u.proc_start.ppid = 1;
	r->u.proc_start.start_ticks = 123456;
	r->u.proc_start.comm = "ocr";
	r->u.proc_start.cmdline = cmdline;
	r->u.proc_start.cmdline_len = sizeof(cmdline); /* incl. final NUL */
	r->u.proc_start.uid = 1000;
	r->u.proc_start.preexisting = false;
	r = store_add(s, SWT_REC_PROC_START, 1000 * MS);
	r->u.proc_start.pid = 8;
	r->u.proc_start.ppid = 7;
	r->u.proc_start.start_ticks = 123460;
	r->u.proc_start.comm = "kworker/0:1";
	r->u.proc_start.cmdline = ""; /* kernel thread: empty cmdline */
	r->u.proc_start.cmdline_len = 0;
	r->u.proc_start.preexisting = true;
	r = store_add(s, SWT_REC_SAMPLE, 1100 * MS);
	r->u.sample.scheduled_ns = 1100 * MS - 3;
	r->u.sample.recorder_cpu_ns = 5000000;
	r->u.sample.recorder_rss_kib = 4000;
	r->u.sample.sys_busy_ticks = 1000;
	r->u.sample.sys_idle_ticks = 9000;
	r->u.sample.mem_total_kib = 16000000;
	r->u.sample.mem_available_kib = 8000000;
	/* format 1.4: the runner's contention */
	r->u.sample.has_pressure = true;
	r->u.sample.pressure_us[SWT_PSI_CPU_SOME] = 9655802986;
	r->u.sample.pressure_us[SWT_PSI_CPU_FULL] = 0;
	r->u.sample.pressure_us[SWT_PSI_MEM_SOME] = 1;
	r->u.sample.pressure_us[SWT_PSI_MEM_FULL] = 2;
	r->u.sample.pressure_us[SWT_PSI_IO_SOME] = 96004792;
	r->u.sample.pressure_us[SWT_PSI_IO_FULL] = UINT64_MAX;
	r->u.sample.steal_ticks = 77;
	r->u.sample.n_procs = 3;
	r->u.sample.procs = rows1;
	r->u.sample.n_threads = 3;
	r->u.sample.threads = thr1;
	r = store_add(s, SWT_REC_PROC_EXIT, 1150 * MS);
	r->u.proc_exit.pid = 31000;
	r->u.proc_exit.start_ticks = 99;
	r->u.proc_exit.has_status = false;
	r = store_add(s, SWT_REC_SAMPLE, 1200 * MS);
	/* a later scheduled time than the record time is allowed */
	r->u.sample.scheduled_ns = 1200 * MS + 5;
	r->u.sample.recorder_cpu_ns = 4000000; /* absolute, may go down */
	r->u.sample.recorder_rss_kib = 3900;
	r->u.sample.sys_busy_ticks = 1100;
	r->u.sample.sys_idle_ticks = 9100;
	r->u.sample.mem_total_kib = 16000000;
	r->u.sample.mem_available_kib = 7000000;
	r->u.sample.n_procs = 3;
	r->u.sample.procs = rows2;
	r->u.sample.n_threads = 2;
	r->u.sample.threads = thr2;
	r = store_add(s, SWT_REC_SAMPLE, 1300 * MS); /* nothing alive */
	r->u.sample.scheduled_ns = 1300 * MS;
	r = store_add(s, SWT_REC_EVENTS, ev[0].t_ns);
	r->u.events.pid = 7;
	r->u.events.n = sizeof(ev) / sizeof(ev[0]);
	r->u.events.events = ev;
	r = store_add(s, SWT_REC_EVENTS, ev2[0].t_ns);
	r->u.events.pid = 7;
	r->u.events.n = 1;
	r->u.events.events = ev2;
	r = store_add(s, SWT_REC_ALERT, 2700 * MS);
	r->u.alert.kind = "cpu";
	r->u.alert.subject = "parse";
	r->u.alert.value_milli = 95500;
	r->u.alert.threshold_milli = 80000;
	r = store_add(s, SWT_REC_ALERT, 2700 * MS);
	r->u.alert.kind = "trend";
	r->u.alert.subject = "ocr";
	r->u.alert.value_milli = -1250; /* a falling trend */
	r->u.alert.threshold_milli = -1000;
	r = store_add(s, SWT_REC_DROPS, 2800 * MS);
	r->u.drops.pid = 7;
	r->u.drops.dropped = 12;
	r->u.drops.total_dropped = 12;
	r->u.drops.reason = "ring-full";
	r = store_add(s, SWT_REC_DROPS, 2900 * MS);
	r->u.drops.pid = 0;
	r->u.drops.dropped = 3;
	r->u.drops.total_dropped = 15;
	r->u.drops.reason = "client-gone";
	r = store_add(s, SWT_REC_ANOMALY, 3000 * MS);
	r->u.anomaly.kind = "end-without-begin";
	r->u.anomaly.pid = 7;
	r->u.anomaly.tid = 10;
	r->u.anomaly.subject = "render";
	r->u.anomaly.detail = "bytes\0with\0NULs\xff";
	r->u.anomaly.detail_len = 16;
	r = store_add(s, SWT_REC_ANOMALY, 3000 * MS);
	r->u.anomaly.kind = "client-disconnected";
	r->u.anomaly.pid = 8;
	r->u.anomaly.detail = "";
	r->u.anomaly.detail_len = 0;
	r = store_add(s, SWT_REC_PROC_EXIT, 3100 * MS);
	r->u.proc_exit.pid = 8;
	r->u.proc_exit.start_ticks = 123460;
	r->u.proc_exit.has_status = true;
	r->u.proc_exit.signal = 11;
	r->u.proc_exit.core_dumped = true;
	r = store_add(s, SWT_REC_PROC_EXIT, 3200 * MS);
	r->u.proc_exit.pid = 7;
	r->u.proc_exit.start_ticks = 123456;
	r->u.proc_exit.has_status = true;
	r->u.proc_exit.exit_code = 3;
	r = store_add(s, SWT_REC_END, 3300 * MS);
	r->u.end.reason = SWT_END_ERROR;
	r->u.end.has_status = true;
	r->u.end.exit_code = 3;
	r->u.end.signal = 0;
	r->u.end.samples = 3;
	r->u.end.records = 17;
	r->u.end.events = 7;
	r->u.end.dropped_events = 15;
	r->u.end.recorder_cpu_ns = 6000000;
	r->u.end.recorder_peak_rss_kib = 4100;
	r->u.end.error = "disk full";
	r->u.end.missed_samples = 2;
	r->u.end.late_events = 9;
	r->u.end.exit_acct = true;
	r->u.end.exit_acct_overflows = 1;
	r->u.end.proc_events = true;	/* format 1.3 */
	r->u.end.proc_events_overflows = 2;
	r->u.end.exits_dropped = 3000;
	r->u.end.exits_unmatched = 4;
	r->u.end.cmdlines_skipped = 5;
	r->u.end.exit_acct_cpu_ns = 6000;
	r->u.end.exit_write_cpu_ns = 2500;
	r->u.end.recorder_wait_ns = 7000;
	r->u.end.proc_read_cpu_ns = 8000;
	r->u.end.proc_reads = 11;
	r->u.end.proc_scans = 12;
	r->u.end.proc_scans_skipped = 13;
	r->u.end.proc_first_read_cpu_ns = 14000;
	r->u.end.proc_first_reads = 15;
	r->u.end.sampled_write_cpu_ns = 16000;
	r->u.end.sampled_records = 17;
}

static void roundtrip_every_record_kind(void **state)
{
	struct sandbox *sb = *state;
	struct store s = { 0 };
	struct swt_writer_stats ws;
	struct swt_reader_stats rs;
	struct swt_reader *r;
	const char *path = sandbox_path(sb, "every.swt");

	build_every_kind(&s);
	write_finished(path, &s, 0, &ws);
	assert_int_equal(ws.records, s.n);
	assert_int_equal(ws.proc_samples, 6);
	assert_int_equal(ws.chunks, 1);
	assert_true(ws.raw_bytes > 0);

	r = open_path_ok(path, 0);
	expect_header_record(r);
	assert_int_equal(expect_records(r, &s, 0), s.n);
	assert_int_equal(swt_reader_damage_count(r), 0);
	assert_string_equal(swt_reader_errmsg(r), "");
	swt_reader_get_stats(r, &rs);
	assert_int_equal(rs.records, s.n);
	assert_int_equal(rs.proc_samples, 6);
	assert_int_equal(rs.chunks, 1);
	assert_int_equal(rs.chunks_ok, 1);
	assert_int_equal(rs.unknown_records, 0);
	assert_true(rs.t_first_ns == 1000 * MS);
	assert_true(rs.t_last_ns == 3300 * MS);
	assert_true(rs.has_index);
	assert_true(rs.has_end);
	{
		struct stat st;

		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(rs.file_size, (uint64_t)st.st_size);
		assert_int_equal(ws.bytes, (uint64_t)st.st_size);
	}
	swt_reader_free(r);
	store_fini(&s);
}

/* Column values at the ends of their ranges: deltas between INT64_MIN and
 * INT64_MAX overflow int64 and must still come back exactly (the codec
 * should compute them modulo 2^64). */
static void roundtrip_extreme_values(void **state)
{
	struct sandbox *sb = *state;
	struct store s = { 0 };
	struct swt_reader *r;
	const char *path = sandbox_path(sb, "extreme.swt");
	int i;

	for (i = 0; i < 6; i++) {
		struct swt_record *rec = store_add(&s, SWT_REC_SAMPLE,
						   1000 * MS + i);
		struct swt_proc_row *rows = store_alloc(&s, 2 * sizeof(*rows));
		struct swt_thread_row *th = store_alloc(&s, 2 * sizeof(*th));
		int64_t a = i % 2 ? INT64_MAX : INT64_MIN;
		int64_t b = i % 3 ? INT64_MIN + 1 : INT64_MAX - 1;

		rows[0] = (struct swt_proc_row){
			.pid = 1, .flags = UINT32_MAX, .utime = a, .stime = b,
			.rss_kib = a, .vsz_kib = b, .nthreads = a,
			.minflt = b, .majflt = a, .io_read = b, .io_write = a,
			.vctxsw = b, .ivctxsw = a };
		rows[1] = rows[0];
		rows[1].pid = INT32_MAX;
		rows[1].utime = -a - 1;
		th[0] = (struct swt_thread_row){ .tid = 1, .tgid = 1,
						 .name = "t", .utime = a,
						 .stime = b };
		th[1] = (struct swt_thread_row){ .tid = INT32_MAX,
						 .tgid = 1, .name = "u",
						 .utime = b, .stime = a };
		rec->u.sample.scheduled_ns = i % 2 ? INT64_MIN : INT64_MAX;
		rec->u.sample.recorder_cpu_ns = UINT64_MAX - (uint64_t)i;
		rec->u.sample.recorder_rss_kib = UINT64_MAX;
		rec->u.sample.sys_busy_ticks = UINT64_MAX;
		rec->u.sample.sys_idle_ticks = (uint64_t)i;
		rec->u.sample.mem_total_kib = UINT64_MAX;
		rec->u.sample.mem_available_kib = 0;
		rec->u.sample.n_procs = 2;
		rec->u.sample.procs = rows;
		rec->u.sample.n_threads = 2;
		rec->u.sample.threads = th;
	}
	{
		static const struct swt_event ev[] = {
			{ 2000 * MS, SWT_EV_COUNT, INT32_MAX, "x", INT64_MAX },
			{ 2000 * MS, SWT_EV_COUNT, 1, "x", INT64_MIN },
		};
		struct swt_record *rec = store_add(&s, SWT_REC_EVENTS,
						   ev[0].t_ns);

		rec->u.events.pid = 1;
		rec->u.events.n = 2;
		rec->u.events.events = ev;
		rec = store_add(&s, SWT_REC_ALERT, 2000 * MS);
		rec->u.alert.value_milli = INT64_MIN;
		rec->u.alert.threshold_milli = INT64_MAX;
		rec = store_add(&s, SWT_REC_PROC_EXIT, 2000 * MS);
		rec->u.proc_exit.pid = INT32_MAX;
		rec->u.proc_exit.start_ticks = UINT64_MAX;
		rec->u.proc_exit.has_status = true;
		rec->u.proc_exit.exit_code = INT32_MIN;
		rec->u.proc_exit.signal = INT32_MAX;
		rec = store_add(&s, SWT_REC_DROPS, 2000 * MS);
		rec->u.drops.pid = INT32_MAX;
		rec->u.drops.dropped = UINT64_MAX;
		rec->u.drops.total_dropped = UINT64_MAX;
		rec = store_add(&s, SWT_REC_END, 2000 * MS);
		rec->u.end.samples = UINT64_MAX;
		rec->u.end.exit_code = INT32_MIN;
		rec->u.end.signal = INT32_MIN;
	}
	write_finished(path, &s, 0, NULL);
	r = open_path_ok(path, 0);
	expect_header_record(r);
	assert_int_equal(expect_records(r, &s, 0), s.n);
	swt_reader_free(r);
	store_fini(&s);
}

/* A record much larger than a chunk: it gets a chunk of its own and the
 * records around it are unaffected. */
static void roundtrip_record_larger_than_chunk(void **state)
{
	struct sandbox *sb = *state;
	struct store s = { 0 };
	struct swt_writer_stats ws;
	struct swt_reader *r;
	const char *path = sandbox_path(sb, "big.swt");
	char *big;
	size_t i;

	gen_session(&s, 20, 3);
	s.n--; /* drop END, re-added below */
	big = store_alloc(&s, 300000);
	for (i = 0; i < 300000; i++)
		big[i] = (char)(i % 7 == 0 ? '\0' : 'a' + (int)(i % 26));
	{
		struct swt_record *rec = store_add(&s, SWT_REC_PROC_START,
						   s.recs[s.n - 1].t_ns);

		rec->u.proc_start.pid = 12345;
		rec->u.proc_start.comm = "huge";
		rec->u.proc_start.cmdline = big;
		rec->u.proc_start.cmdline_len = 300000;
		rec = store_add(&s, SWT_REC_ANOMALY, s.recs[s.n - 1].t_ns);
		rec->u.anomaly.kind = "big";
		rec->u.anomaly.detail = big;
		rec->u.anomaly.detail_len = 200000;
		rec = store_add(&s, SWT_REC_END, s.recs[s.n - 1].t_ns + 1);
		rec->u.end.reason = SWT_END_SIGNAL;
		rec->u.end.signal = 15;
	}
	write_finished(path, &s, 4096, &ws);
	assert_true(ws.chunks >= 3);
	r = open_path_ok(path, 0);
	expect_header_record(r);
	assert_int_equal(expect_records(r, &s, 0), s.n);
	assert_int_equal(swt_reader_damage_count(r), 0);
	swt_reader_free(r);
	store_fini(&s);
}

/* ---- tests: chunks ----------------------------------------------------- */

static void many_chunks_round_trip(void **state)
{
	struct sandbox *sb = *state;
	struct store s = { 0 };
	struct swt_writer_stats ws;
	struct swt_reader_stats rs;
	const char *path = sandbox_path(sb, "chunks.swt");
	uint64_t rows = 0;
	size_t i;
	unsigned flags[] = { 0, SWT_READER_NO_INDEX };

	gen_session(&s, 300, 42);
	for (i = 0; i < s.n; i++)
		if (s.recs[i].kind == SWT_REC_SAMPLE)
			rows += s.recs[i].u.sample.n_procs;
	write_finished(path, &s, 4096, &ws);
	assert_true(ws.chunks >= 5);
	assert_int_equal(ws.records, s.n);
	assert_int_equal(ws.proc_samples, rows);
	for (i = 0; i < 2; i++) {
		struct swt_reader *r = open_path_ok(path, flags[i]);

		expect_header_record(r);
		assert_int_equal(expect_records(r, &s, 0), s.n);
		assert_int_equal(swt_reader_damage_count(r), 0);
		swt_reader_get_stats(r, &rs);
		assert_int_equal(rs.chunks, ws.chunks);
		assert_int_equal(rs.chunks_ok, ws.chunks);
		assert_int_equal(rs.records, s.n);
		assert_int_equal(rs.proc_samples, rows);
		assert_true(rs.t_first_ns == s.recs[0].t_ns);
		assert_true(rs.t_last_ns == s.recs[s.n - 1].t_ns);
		assert_true(rs.has_end);
		if (flags[i] == 0)
			assert_true(rs.has_index);
		swt_reader_free(r);
	}
	store_fini(&s);
}

/* Record counts before each chunk, found by reading file prefixes that end
 * at frame boundaries; start[n_chunks] is the total. */
static void chunk_starts(const unsigned char *data, const struct layout *l,
			 size_t *start)
{
	size_t k;

	for (k = 0; k < l->n_chunks; k++)
		start[k] = count_records(data, l->f[l->chunk[k]].off);
	{
		const struct frame *last = &l->f[l->chunk[l->n_chunks - 1]];

		start[l->n_chunks] = count_records(data,
						   last->off + last->len);
	}
	for (k = 0; k < l->n_chunks; k++)
		assert_true(start[k] < start[k + 1]);
}

/* Every chunk decodes on its own: a file made of the header frame and
 * chunk k alone yields exactly chunk k's records, because delta bases and
 * string ids restart in every chunk. */
static void each_chunk_decodes_alone(void **state)
{
	struct sandbox *sb = *state;
	struct store s = { 0 };
	struct layout l;
	size_t start[MAX_FRAMES + 1], len, k;
	unsigned char *data;
	const char *path = sandbox_path(sb, "alone.swt");

	gen_session(&s, 200, 7);
	write_finished(path, &s, 4096, NULL);
	data = swt_test_read_file(path, &len);
	file_layout(data, len, &l);
	assert_true(l.n_chunks >= 4);
	chunk_starts(data, &l, start);
	assert_int_equal(start[l.n_chunks], s.n);
	for (k = 0; k < l.n_chunks; k++) {
		const struct frame *f = &l.f[l.chunk[k]];
		struct bytes b = { 0 };
		struct swt_reader *r;

		bytes_add(&b, data, l.hdr_end);
		bytes_add(&b, data + f->off, f->len);
		r = open_mem_ok(b.p, b.len, 0);
		expect_header_record(r);
		assert_int_equal(expect_records(r, &s, start[k]),
				 start[k + 1] - start[k]);
		/* no damage but the missing index */
		assert_int_equal(swt_reader_damage_count(r), 1);
		expect_unfinished_at_eof(r, b.len);
		swt_reader_free(r);
		free(b.p);
	}
	free(data);
	store_fini(&s);
}

/* ---- tests: seek ------------------------------------------------------- */

/* For every distinct record time T (and T-1, T+1, the extremes), seek(T)
 * must position on the first record with t_ns >= T. */
static void check_seeks(struct swt_reader *r, const struct store *s,
			size_t n_recs)
{
	const struct swt_record *rec;
	size_t i, j;
	int d;

	for (i = 0; i <= n_recs; i++) {
		int64_t base = i < n_recs ? s->recs[i].t_ns :
					    s->recs[n_recs - 1].t_ns;

		if (i > 0 && i < n_recs && s->recs[i - 1].t_ns == base)
			continue;
		for (d = -1; d <= 1; d++) {
			int64_t t = base + d;
			size_t want = 0;
			int rc;

			while (want < n_recs && s->recs[want].t_ns < t)
				want++;
			rc = swt_reader_seek(r, t);
			if (want == n_recs) {
				assert_status(SWT_ITEROVER, rc);
				continue;
			}
			assert_ok(rc);
			/* a few records from there, across chunk ends */
			for (j = want; j < want + 3 && j < n_recs; j++) {
				rc = swt_reader_next(r, &rec);
				if (rc != 0)
					print_error("seek(%" PRId64 ") then "
						    "next #%zu\n", t, j - want);
				assert_ok(rc);
				assert_record_equal(&s->recs[j], rec);
			}
		}
	}
	/* before everything: the first record, not the header */
	assert_ok(swt_reader_seek(r, INT64_MIN));
	assert_ok(swt_reader_next(r, &rec));
	assert_record_equal(&s->recs[0], rec);
	/* past everything */
	assert_status(SWT_ITEROVER, swt_reader_seek(r, INT64_MAX));
	/* backwards after reading to the end */
	assert_ok(swt_reader_seek(r, s->recs[n_recs / 2].t_ns));
	for (j = n_recs / 2; j > 0 && s->recs[j - 1].t_ns ==
					      s->recs[n_recs / 2].t_ns;)
		j--;
	i = 0;
	while (swt_reader_next(r, &rec) == 0) {
		assert_true(j + i < n_recs);
		assert_record_equal(&s->recs[j + i], rec);
		i++;
	}
	assert_int_equal(j + i, n_recs);
}

static void seek_with_index(void **state)
{
	struct sandbox *sb = *state;
	struct store s = { 0 };
	struct swt_reader_stats rs;
	struct swt_reader *r;
	const char *path = sandbox_path(sb, "seek.swt");

	gen_session(&s, 150, 11);
	write_finished(path, &s, 4096, NULL);
	r = open_path_ok(path, 0);
	swt_reader_get_stats(r, &rs);
	assert_true(rs.has_index);
	/* seek before anything was read */
	assert_ok(swt_reader_seek(r, s.recs[s.n / 3].t_ns));
	check_seeks(r, &s, s.n);
	assert_int_equal(swt_reader_damage_count(r), 0);
	swt_reader_free(r);
	store_fini(&s);
}

static void seek_ignoring_index(void **state)
{
	struct sandbox *sb = *state;
	struct store s = { 0 };
	struct swt_reader *r;
	const char *path = sandbox_path(sb, "seek.swt");

	gen_session(&s, 150, 12);
	write_finished(path, &s, 4096, NULL);
	r = open_path_ok(path, SWT_READER_NO_INDEX);
	check_seeks(r, &s, s.n);
	assert_int_equal(swt_reader_damage_count(r), 0);
	swt_reader_free(r);
	store_fini(&s);
}

/* A file whose writer was freed after a flush (no index, no end, the last
 * chunk unfinished) still seeks by scanning. */
static void seek_in_file_without_index(void **state)
{
	struct sandbox *sb = *state;
	struct store s = { 0 };
	struct swt_reader_stats rs;
	struct swt_reader *r;
	const char *path = sandbox_path(sb, "noindex.swt");
	struct write_opts wo = { .chunk_raw_bytes = 4096, .finish = false };

	gen_session(&s, 150, 13);
	s.n--; /* no END record: the recorder never finished */
	write_store(path, &s, &wo, NULL);
	r = open_path_ok(path, 0);
	swt_reader_get_stats(r, &rs);
	assert_false(rs.has_index);
	check_seeks(r, &s, s.n);
	swt_reader_get_stats(r, &rs);
	assert_false(rs.has_end);
	swt_reader_free(r);
	store_fini(&s);
}

/* With the index, seeking into a late chunk does not decode the earlier
 * ones: a damaged first chunk is never met. */
static void seek_with_index_skips_earlier_chunks(void **state)
{
	struct sandbox *sb = *state;
	struct store s = { 0 };
	struct layout l;
	size_t start[MAX_FRAMES + 1], len, k;
	unsigned char *data;
	struct swt_reader *r;
	const struct swt_record *rec;
	const char *path = sandbox_path(sb, "skip.swt");

	gen_session(&s, 150, 14);
	write_finished(path, &s, 4096, NULL);
	data = swt_test_read_file(path, &len);
	file_layout(data, len, &l);
	assert_true(l.n_chunks >= 4);
	chunk_starts(data, &l, start);
	k = l.n_chunks - 2;
	/* damage chunk 0 */
	data[l.f[l.chunk[0]].off + l.f[l.chunk[0]].len / 2] ^= 0x5a;
	r = open_mem_ok(data, len, 0);
	assert_ok(swt_reader_seek(r, s.recs[start[k]].t_ns));
	assert_ok(swt_reader_next(r, &rec));
	assert_true(rec->t_ns == s.recs[start[k]].t_ns);
	assert_int_equal(swt_reader_damage_count(r), 0);
	swt_reader_free(r);
	free(data);
	store_fini(&s);
}

/* ---- tests: truncation and crashes ------------------------------------- */

/* Cut a small multi-chunk session (flushed every few records) at every
 * byte. Every prefix opens cleanly or fails with ECORRUPT/ETRUNCATED while
 * the header frame is incomplete; past it, the reader returns a prefix of
 * the records (equal to the originals), never fewer for a longer cut, and
 * at least everything flushed before the cut. */
static void truncated_at_every_byte(void **state)
{
	struct sandbox *sb = *state;
	struct store s = { 0 };
	struct flush_point points[256];
	size_t n_points = 0, len, L, prev = 0, p = 0;
	struct write_opts wo = { .chunk_raw_bytes = 2048, .flush_every = 5,
				 .finish = true, .points = points,
				 .n_points = &n_points };
	struct layout l;
	unsigned char *data;
	const char *path = sandbox_path(sb, "cut.swt");

	gen_session(&s, 30, 5);
	assert_true(s.n / 5 < 256);
	write_store(path, &s, &wo, NULL);
	data = swt_test_read_file(path, &len);
	file_layout(data, len, &l);
	assert_true(l.n_chunks >= 2);
	assert_true(len < 64 * 1024);

	for (L = 0; L <= len; L++) {
		/* an exact-size copy, so ASan sees any read past the end */
		unsigned char *cut = malloc(L ? L : 1);
		struct swt_reader *r = NULL;
		const struct swt_record *rec;
		char err[256] = "";
		size_t n = 0, k;
		int rc;

		assert_non_null(cut);
		memcpy(cut, data, L);
		rc = swt_reader_open_mem(&r, cut, L, "cut", 0, err,
					 sizeof(err));
		if (L < l.hdr_end) {
			if (rc != SWT_ECORRUPT && rc != SWT_ETRUNCATED)
				print_error("open of %zu bytes\n", L);
			assert_status_either(SWT_ETRUNCATED, SWT_ECORRUPT, rc);
			assert_null(r);
			assert_true(err[0] != '\0');
			free(cut);
			continue;
		}
		if (rc != 0)
			print_error("open of %zu bytes: %s\n", L, err);
		assert_ok(rc);
		assert_ok(swt_reader_next(r, &rec));
		assert_int_equal(rec->kind, SWT_REC_HEADER);
		while ((rc = swt_reader_next(r, &rec)) == 0) {
			if (n >= s.n)
				fail();
			assert_record_equal(&s.recs[n], rec);
			n++;
		}
		if (rc != SWT_ITEROVER)
			print_error("cut at %zu of %zu\n", L, len);
		assert_status(SWT_ITEROVER, rc);
		if (n < prev) {
			print_error("cut at %zu: %zu records, %zu at %zu\n", L,
				    n, prev, L - 1);
			fail();
		}
		prev = n;
		/* crash safety: what was flushed is there */
		while (p < n_points && points[p].bytes <= L)
			p++;
		if (p > 0 && n < points[p - 1].records) {
			print_error("cut at %zu: %zu records, but %zu were "
				    "flushed by byte %" PRIu64 "\n", L, n,
				    points[p - 1].records,
				    points[p - 1].bytes);
			fail();
		}
		if (p > 0 && points[p - 1].bytes == L)
			assert_int_equal(n, points[p - 1].records);
		/* a cut inside a chunk frame is reported as truncation */
		for (k = 0; k < l.n_chunks; k++) {
			const struct frame *f = &l.f[l.chunk[k]];
			size_t nd = swt_reader_damage_count(r);
			const struct swt_damage *d;

			if (!(f->off < L && L < f->off + f->len))
				continue;
			if (nd == 0)
				print_error("cut at %zu inside chunk %zu: no "
					    "damage\n", L, k);
			assert_true(nd >= 1);
			d = swt_reader_get_damage(r, nd - 1);
			assert_non_null(d);
			assert_status(SWT_ETRUNCATED, d->status);
			assert_true(d->offset >= f->off);
			assert_int_equal(d->offset + d->length, L);
		}
		swt_reader_free(r);
		free(cut);
	}
	assert_int_equal(prev, s.n);
	free(data);
	store_fini(&s);
}

/* A process written as starting and exiting at once (swrec's processes
 * that lived between two samples: exits_at_once) is in the file, but not
 * in the process directory, which no window could announce it from: its
 * command line is not copied into the writer's memory. */
static void directory_leaves_out_processes_that_exit_at_once(void **state)
{
	struct sandbox *sb = *state;
	const char *path = sandbox_path(sb, "dir.swt");
	struct swt_writer_opts o;
	struct swt_writer *w = NULL;
	struct swt_header h;
	struct swt_record rec;
	struct swt_session_end end;
	struct swt_reader *r;
	const struct swt_record *got;
	const struct swt_dir_proc *dir;
	size_t n_dir = 0, starts = 0, exits = 0;
	int i;

	writer_opts(&o, 0);
	test_header(&h);
	assert_ok(swt_writer_open(&w, path, &o, &h, NULL, 0));
	for (i = 0; i < 2; i++) {
		memset(&rec, 0, sizeof(rec));
		rec.kind = SWT_REC_PROC_START;
		rec.t_ns = h.start_mono_ns + 1000000000;
		rec.u.proc_start.pid = 100 + i;
		rec.u.proc_start.ppid = 1;
		rec.u.proc_start.start_ticks = 1000 + (uint64_t)i;
		rec.u.proc_start.comm = i ? "cc1" : "ninja";
		rec.u.proc_start.cmdline = i ? "cc1\0a.c" : "ninja";
		rec.u.proc_start.cmdline_len = i ? 7 : 5;
		rec.u.proc_start.exe = i ? "/usr/lib/cc1" : "/usr/bin/ninja";
		rec.u.proc_start.exits_at_once = i == 1;
		assert_ok(swt_writer_append(w, &rec));
	}
	memset(&rec, 0, sizeof(rec));
	rec.kind = SWT_REC_PROC_EXIT;
	rec.t_ns = h.start_mono_ns + 1000000000;
	rec.u.proc_exit.pid = 101;
	rec.u.proc_exit.start_ticks = 1001;
	assert_ok(swt_writer_append(w, &rec));
	memset(&end, 0, sizeof(end));
	assert_ok(swt_writer_finish(w, &end, h.start_mono_ns +
						   2 * 1000000000));
	swt_writer_free(w);

	r = open_path_ok(path, 0);
	assert_ok(swt_reader_directory(r, &dir, &n_dir));
	assert_int_equal(n_dir, 1);
	assert_int_equal(dir[0].ps.pid, 100);
	assert_string_equal(dir[0].ps.comm, "ninja");
	/* both processes are in the records */
	while (swt_reader_next(r, &got) == 0) {
		starts += got->kind == SWT_REC_PROC_START;
		exits += got->kind == SWT_REC_PROC_EXIT;
	}
	assert_int_equal(starts, 2);
	assert_int_equal(exits, 1);
	swt_reader_free(r);
}

/* Append s->recs[0..flushed), flush, append the rest without a flush and
 * free the writer as a crash would leave the file. */
static void write_crashed(const char *path, const struct store *s,
			  size_t chunk_raw_bytes, size_t flushed)
{
	struct swt_writer_opts o;
	struct swt_writer *w = NULL;
	struct swt_header h;
	size_t i;

	writer_opts(&o, chunk_raw_bytes);
	o.sync = true; /* the real thing, here */
	test_header(&h);
	assert_ok(swt_writer_open(&w, path, &o, &h, NULL, 0));
	for (i = 0; i < flushed; i++)
		assert_ok(swt_writer_append(w, &s->recs[i]));
	assert_ok(swt_writer_flush(w));
	for (; i < s->n; i++)
		assert_ok(swt_writer_append(w, &s->recs[i]));
	swt_writer_free(w);
}

/* Flushed, then more appended without a flush, then the writer is freed:
 * the file ends inside the open chunk's frame. The flushed records come
 * back, the truncation is reported as damage, and strict mode returns it
 * once. */
static void crash_after_flush_keeps_flushed_records(void **state)
{
	struct sandbox *sb = *state;
	struct store s = { 0 };
	struct swt_reader *r;
	struct swt_reader_stats rs;
	const struct swt_record *rec;
	const struct swt_damage *d;
	const char *path = sandbox_path(sb, "crash.swt");
	size_t i, flushed, n, len;
	struct layout l;
	unsigned char *data;
	int rc;

	gen_session(&s, 60, 21);
	s.n--; /* no END */
	flushed = s.n * 2 / 3;
	write_crashed(path, &s, 0, flushed);
	data = swt_test_read_file(path, &len);
	file_layout(data, len, &l);
	/* nothing complete after the header: the chunk is unfinished */
	assert_int_equal(l.n, 1);
	free(data);

	r = open_path_ok(path, 0);
	expect_header_record(r);
	n = expect_records(r, &s, 0);
	assert_true(n >= flushed);
	assert_int_equal(swt_reader_damage_count(r), 1);
	d = swt_reader_get_damage(r, 0);
	assert_status(SWT_ETRUNCATED, d->status);
	assert_int_equal(d->offset, l.hdr_end);
	assert_int_equal(d->offset + d->length, len);
	assert_true(d->what[0] != '\0');
	swt_reader_get_stats(r, &rs);
	assert_false(rs.has_index);
	assert_false(rs.has_end);
	assert_int_equal(rs.records, n);
	assert_int_equal(rs.chunks, 1);
	assert_int_equal(rs.chunks_ok, 0);
	assert_int_equal(rs.chunks_salvaged, 1);
	swt_reader_free(r);

	/* strict: the same records, then the truncation, then the end */
	r = open_path_ok(path, SWT_READER_STRICT);
	expect_header_record(r);
	for (i = 0; (rc = swt_reader_next(r, &rec)) == 0; i++)
		assert_record_equal(&s.recs[i], rec);
	assert_int_equal(i, n);
	assert_status(SWT_ETRUNCATED, rc);
	assert_true(swt_reader_errmsg(r)[0] != '\0');
	assert_status(SWT_ITEROVER, swt_reader_next(r, &rec));
	swt_reader_free(r);
	store_fini(&s);
}

/* The same with small chunks: chunks closed after the flush are complete
 * on disk, the unflushed tail is lost. Everything flushed comes back; the
 * file says it was not finished (no index, no SessionEnd). */
static void crash_after_flush_across_chunks(void **state)
{
	struct sandbox *sb = *state;
	struct store s = { 0 };
	struct swt_reader *r;
	struct swt_reader_stats rs;
	const char *path = sandbox_path(sb, "crash.swt");
	size_t flushed, n;

	gen_session(&s, 100, 23);
	s.n--;
	flushed = s.n / 2;
	write_crashed(path, &s, 4096, flushed);
	r = open_path_ok(path, 0);
	expect_header_record(r);
	n = expect_records(r, &s, 0);
	assert_true(n >= flushed);
	swt_reader_get_stats(r, &rs);
	assert_true(rs.chunks >= 3);
	assert_false(rs.has_index);
	assert_false(rs.has_end);
	swt_reader_free(r);
	store_fini(&s);
}

/* The same with a real kill -9 of a process that was writing. */
static void crash_by_sigkill_keeps_flushed_records(void **state)
{
	struct sandbox *sb = *state;
	struct store s = { 0 };
	struct swt_reader *r;
	const char *path = sandbox_path(sb, "killed.swt");
	size_t flushed, n;
	int wstatus;
	pid_t pid;

	gen_session(&s, 60, 22);
	s.n--;
	flushed = s.n / 2;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* child: no cmocka here, only exit codes */
		struct swt_writer_opts o;
		struct swt_writer *w = NULL;
		struct swt_header h;
		size_t i;

		writer_opts(&o, 0);
		o.sync = true;
		test_header(&h);
		if (swt_writer_open(&w, path, &o, &h, NULL, 0) != 0)
			_exit(10);
		for (i = 0; i < flushed; i++)
			if (swt_writer_append(w, &s.recs[i]) != 0)
				_exit(11);
		if (swt_writer_flush(w) != 0)
			_exit(12);
		for (; i < s.n; i++)
			if (swt_writer_append(w, &s.recs[i]) != 0)
				_exit(13);
		raise(SIGKILL);
		_exit(14);
	}
	assert_int_equal(waitpid(pid, &wstatus, 0), pid);
	if (!WIFSIGNALED(wstatus))
		print_error("child exited with %d\n", WEXITSTATUS(wstatus));
	assert_true(WIFSIGNALED(wstatus));
	assert_int_equal(WTERMSIG(wstatus), SIGKILL);

	r = open_path_ok(path, 0);
	expect_header_record(r);
	n = expect_records(r, &s, 0);
	assert_true(n >= flushed);
	assert_int_equal(swt_reader_damage_count(r), 1);
	assert_status(SWT_ETRUNCATED, swt_reader_get_damage(r, 0)->status);
	swt_reader_free(r);
	store_fini(&s);
}

/* ---- tests: damage ----------------------------------------------------- */

/* Flip one byte in the middle of chunk k: exactly that chunk's records are
 * lost, the others come back with correct values (in strict mode after one
 * SWT_ECORRUPT), and one damage range at the chunk's offset is reported. */
static void corrupt_byte_loses_one_chunk(void **state)
{
	struct sandbox *sb = *state;
	struct store s = { 0 };
	struct layout l;
	size_t start[MAX_FRAMES + 1], len, k, pick[3];
	unsigned char *data;
	const char *path = sandbox_path(sb, "flip.swt");
	unsigned flags[] = { 0, SWT_READER_NO_INDEX, SWT_READER_STRICT };
	size_t p, fi;

	gen_session(&s, 200, 31);
	write_finished(path, &s, 4096, NULL);
	data = swt_test_read_file(path, &len);
	file_layout(data, len, &l);
	assert_true(l.n_chunks >= 4);
	chunk_starts(data, &l, start);
	pick[0] = 0;
	pick[1] = l.n_chunks / 2;
	pick[2] = l.n_chunks - 1;
	for (p = 0; p < 3; p++) {
		const struct frame *f;

		k = pick[p];
		f = &l.f[l.chunk[k]];
		data[f->off + f->len / 2] ^= 0x5a;
		for (fi = 0; fi < 3; fi++) {
			struct swt_reader *r = open_mem_ok(data, len, flags[fi]);
			struct swt_reader_stats rs;
			const struct swt_record *rec;
			const struct swt_damage *d;
			size_t i = 0, got_damage = 0;
			int rc;

			expect_header_record(r);
			for (;;) {
				rc = swt_reader_next(r, &rec);
				if (rc == SWT_ITEROVER)
					break;
				if (rc == SWT_ECORRUPT &&
				    (flags[fi] & SWT_READER_STRICT)) {
					assert_int_equal(i, start[k]);
					got_damage++;
					assert_true(swt_reader_errmsg(r)[0]);
					continue;
				}
				if (rc != 0)
					print_error("chunk %zu flags %u\n", k,
						    flags[fi]);
				assert_ok(rc);
				if (i == start[k])
					i = start[k + 1]; /* lost chunk */
				assert_true(i < s.n);
				assert_record_equal(&s.recs[i], rec);
				i++;
			}
			if (k + 1 == l.n_chunks && i == start[k])
				i = start[k + 1];
			assert_int_equal(i, s.n);
			assert_int_equal(got_damage,
					 flags[fi] & SWT_READER_STRICT ? 1 : 0);
			assert_int_equal(swt_reader_damage_count(r), 1);
			d = swt_reader_get_damage(r, 0);
			assert_non_null(d);
			assert_status(SWT_ECORRUPT, d->status);
			assert_int_equal(d->offset, f->off);
			assert_int_equal(d->length, f->len);
			assert_true(d->what[0] != '\0');
			if (k == 0)
				assert_true(d->t_prev_ns == INT64_MIN);
			else
				assert_true(d->t_prev_ns ==
					    s.recs[start[k] - 1].t_ns);
			assert_null(swt_reader_get_damage(r, 1));
			swt_reader_get_stats(r, &rs);
			assert_int_equal(rs.chunks, l.n_chunks);
			assert_int_equal(rs.chunks_ok, l.n_chunks - 1);
			assert_int_equal(rs.records,
					 s.n - (start[k + 1] - start[k]));
			swt_reader_free(r);
		}
		data[f->off + f->len / 2] ^= 0x5a;
	}
	free(data);
	store_fini(&s);
}

/* A broken index is not fatal: the records are all there by scanning. */
static void corrupt_index_falls_back_to_scan(void **state)
{
	struct sandbox *sb = *state;
	struct store s = { 0 };
	struct swt_reader_stats rs;
	struct layout l;
	struct swt_reader *r;
	size_t len;
	unsigned char *data;
	const struct frame *ix;
	const char *path = sandbox_path(sb, "badindex.swt");

	gen_session(&s, 100, 41);
	write_finished(path, &s, 4096, NULL);
	data = swt_test_read_file(path, &len);
	file_layout(data, len, &l);
	ix = &l.f[l.n - 1];
	assert_int_equal(ix->magic, SWT_INDEX_FRAME_MAGIC);
	assert_int_equal(ix->off + ix->len, len);
	assert_memory_equal(data + len - SWT_INDEX_MAGIC_LEN, SWT_INDEX_MAGIC,
			    SWT_INDEX_MAGIC_LEN);
	/* a byte of the Index message (its crc32c no longer matches) */
	data[ix->off + 8 + 2] ^= 0x01;
	r = open_mem_ok(data, len, 0);
	swt_reader_get_stats(r, &rs);
	assert_false(rs.has_index);
	expect_header_record(r);
	assert_int_equal(expect_records(r, &s, 0), s.n);
	check_seeks(r, &s, s.n);
	swt_reader_free(r);
	/* the index cut short: same */
	r = open_mem_ok(data, len - 1, 0);
	swt_reader_get_stats(r, &rs);
	assert_false(rs.has_index);
	expect_header_record(r);
	assert_int_equal(expect_records(r, &s, 0), s.n);
	swt_reader_free(r);
	free(data);
	store_fini(&s);
}

/* A small finished session: header frame, one chunk, index. */
static unsigned char *small_session(struct sandbox *sb, struct store *s,
				    size_t *len, struct layout *l)
{
	const char *path = sandbox_path(sb, "small.swt");
	unsigned char *data;

	gen_session(s, 5, 51);
	write_finished(path, s, 0, NULL);
	data = swt_test_read_file(path, len);
	file_layout(data, *len, l);
	assert_int_equal(l->n_chunks, 1);
	return data;
}

/* ---- tests: chunks out of order, an index that disagrees --------------- */

/* The smallest and largest record time of store records [from, to). */
static void store_span(const struct store *s, size_t from, size_t to,
		       int64_t *min, int64_t *max)
{
	size_t i;

	*min = INT64_MAX;
	*max = INT64_MIN;
	for (i = from; i < to; i++) {
		if (s->recs[i].t_ns < *min)
			*min = s->recs[i].t_ns;
		if (s->recs[i].t_ns > *max)
			*max = s->recs[i].t_ns;
	}
}

/* Replace the index frame at the end of data (l's last frame) by one built
 * here: one entry per chunk of l with its offset, size and the times of
 * store records [start[k], start[k+1]); entry `bad` (if < n_chunks) gets
 * t_last + 1. Returns the new length. */
static size_t rewrite_index(struct bytes *b, const unsigned char *data,
			    const struct layout *l, const struct store *s,
			    const size_t *start, size_t bad)
{
	const struct frame *ix = &l->f[l->n - 1];
	struct bytes idx = { 0 };
	unsigned char tmp[8];
	size_t k;

	assert_int_equal(ix->magic, SWT_INDEX_FRAME_MAGIC);
	for (k = 0; k < l->n_chunks; k++) {
		const struct frame *f = &l->f[l->chunk[k]];
		struct bytes e = { 0 };
		int64_t t0, t1;

		store_span(s, start[k], start[k + 1], &t0, &t1);
		pb_field_varint(&e, 1, f->off);
		pb_field_varint(&e, 2, f->len);
		pb_field_varint(&e, 3, (uint64_t)t0);
		pb_field_varint(&e, 4, (uint64_t)t1 + (k == bad));
		pb_field_bytes(&idx, 1, e.p, e.len);
		free(e.p);
	}
	b->len = 0;
	bytes_add(b, data, ix->off);
	swt_codec__put_le32(tmp, SWT_INDEX_FRAME_MAGIC);
	swt_codec__put_le32(tmp + 4, (uint32_t)idx.len + SWT_INDEX_TRAILER_LEN);
	bytes_add(b, tmp, 8);
	bytes_add(b, idx.p, idx.len);
	swt_codec__put_le32(tmp, (uint32_t)idx.len);
	swt_codec__put_le32(tmp + 4, swt_codec__crc32c(idx.p, idx.len));
	bytes_add(b, tmp, 8);
	swt_codec__put_le64(tmp, ix->off);
	bytes_add(b, tmp, 8);
	bytes_add(b, SWT_INDEX_MAGIC, SWT_INDEX_MAGIC_LEN);
	free(idx.p);
	return b->len;
}

/* Read a reader to the end (not strict): the records' times never go
 * back, and the kinds and times are those of the store without records
 * [skip_from, skip_to). */
static void expect_store_without(struct swt_reader *r, const struct store *s,
				 size_t skip_from, size_t skip_to)
{
	const struct swt_record *rec;
	size_t i = 0;
	int64_t prev = INT64_MIN;
	int rc;

	while ((rc = swt_reader_next(r, &rec)) == 0) {
		if (rec->kind == SWT_REC_HEADER)
			continue;
		if (i == skip_from)
			i = skip_to;
		assert_true(i < s->n);
		assert_true(rec->t_ns >= prev);
		prev = rec->t_ns;
		assert_record_equal(&s->recs[i], rec);
		i++;
	}
	assert_status(SWT_ITEROVER, rc);
	if (i == skip_from)
		i = skip_to;
	assert_int_equal(i, s->n);
}

/* Two neighbouring chunks swapped in place (every frame still checks out):
 * the index no longer matches, which is reported once (nothing lost), and
 * the chunk that comes second although its records are earlier is damage
 * naming its offset, skipped whole. The records handed out never go back
 * in time. Without the index, only the second report. */
static void swapped_chunks_are_damage(void **state)
{
	struct sandbox *sb = *state;
	struct store s = { 0 };
	struct layout l;
	size_t start[MAX_FRAMES + 1], len, k;
	unsigned char *data;
	struct bytes b = { 0 };
	const struct frame *fa, *fb;
	const struct swt_damage *d;
	const struct swt_record *rec;
	struct swt_reader *r;
	int64_t t0, t1;
	char want[64];
	const char *path = sandbox_path(sb, "swap.swt");

	gen_session(&s, 200, 7);
	write_finished(path, &s, 4096, NULL);
	data = swt_test_read_file(path, &len);
	file_layout(data, len, &l);
	assert_true(l.n_chunks >= 4);
	chunk_starts(data, &l, start);
	/* two neighbours of different sizes, not the first chunk */
	for (k = 1; k + 1 < l.n_chunks; k++)
		if (l.f[l.chunk[k]].len != l.f[l.chunk[k + 1]].len)
			break;
	assert_true(k + 1 < l.n_chunks);
	fa = &l.f[l.chunk[k]];
	fb = &l.f[l.chunk[k + 1]];
	bytes_add(&b, data, fa->off);
	bytes_add(&b, data + fb->off, fb->len);
	bytes_add(&b, data + fa->off, fa->len);
	bytes_add(&b, data + fb->off + fb->len, len - fb->off - fb->len);
	assert_int_equal(b.len, len);

	r = open_mem_ok(b.p, b.len, 0);
	expect_store_without(r, &s, start[k], start[k + 1]);
	assert_int_equal(swt_reader_damage_count(r), 2);
	d = swt_reader_get_damage(r, 0);
	assert_int_equal(d->status, SWT_ECORRUPT);
	assert_true(d->no_loss);
	assert_int_equal(d->offset, l.f[l.n - 1].off);
	snprintf(want, sizeof(want), "chunk at offset %zu", fa->off);
	assert_contains(d->what, "index disagrees");
	assert_contains(d->what, want);
	d = swt_reader_get_damage(r, 1);
	assert_int_equal(d->status, SWT_ECORRUPT);
	assert_false(d->no_loss);
	assert_int_equal(d->offset, fa->off + fb->len);
	assert_int_equal(d->length, fa->len);
	snprintf(want, sizeof(want), "chunk at offset %zu",
		 fa->off + fb->len);
	assert_contains(d->what, want);
	assert_contains(d->what, "goes back in time");
	assert_true(d->lost_span);
	store_span(&s, start[k], start[k + 1], &t0, &t1);
	assert_int_equal(d->lost_first_ns, t0);
	assert_int_equal(d->lost_last_ns, t1);
	swt_reader_free(r);

	/* scanning frames only: the time order alone finds it */
	r = open_mem_ok(b.p, b.len, SWT_READER_NO_INDEX);
	expect_store_without(r, &s, start[k], start[k + 1]);
	assert_int_equal(swt_reader_damage_count(r), 1);
	assert_contains(swt_reader_get_damage(r, 0)->what,
			"goes back in time");
	swt_reader_free(r);

	/* strict: both reports, in file order, then the rest */
	r = open_mem_ok(b.p, b.len, SWT_READER_STRICT);
	while (swt_reader_next(r, &rec) == 0)
		;
	assert_contains(swt_reader_errmsg(r), "index disagrees");
	while (swt_reader_next(r, &rec) == 0)
		;
	assert_contains(swt_reader_errmsg(r), "goes back in time");
	snprintf(want, sizeof(want), "offset %zu:", fa->off + fb->len);
	assert_contains(swt_reader_errmsg(r), want);
	while (swt_reader_next(r, &rec) == 0)
		;
	assert_status(SWT_ITEROVER, swt_reader_next(r, &rec));
	swt_reader_free(r);
	free(b.p);
	free(data);
	store_fini(&s);
}

/* An index (valid CRC) whose time range of one chunk is not the chunk's:
 * the index is reported and ignored, and no record is lost. The same index
 * with the right times is accepted silently (the test's index is sound). */
static void index_times_must_match_the_chunks(void **state)
{
	struct sandbox *sb = *state;
	struct store s = { 0 };
	struct layout l;
	size_t start[MAX_FRAMES + 1], len;
	unsigned char *data;
	struct bytes b = { 0 };
	struct swt_reader_stats rs;
	struct swt_reader *r;
	char want[64];
	const char *path = sandbox_path(sb, "ixtimes.swt");

	gen_session(&s, 200, 9);
	write_finished(path, &s, 4096, NULL);
	data = swt_test_read_file(path, &len);
	file_layout(data, len, &l);
	assert_true(l.n_chunks >= 3);
	chunk_starts(data, &l, start);

	rewrite_index(&b, data, &l, &s, start, SIZE_MAX);
	r = open_mem_ok(b.p, b.len, 0);
	swt_reader_get_stats(r, &rs);
	assert_true(rs.has_index);
	expect_header_record(r);
	assert_int_equal(expect_records(r, &s, 0), s.n);
	assert_int_equal(swt_reader_damage_count(r), 0);
	swt_reader_free(r);

	rewrite_index(&b, data, &l, &s, start, 2);
	r = open_mem_ok(b.p, b.len, 0);
	expect_header_record(r);
	assert_int_equal(expect_records(r, &s, 0), s.n);
	assert_int_equal(swt_reader_damage_count(r), 1);
	assert_true(swt_reader_get_damage(r, 0)->no_loss);
	snprintf(want, sizeof(want), "chunk at offset %zu",
		 l.f[l.chunk[2]].off);
	assert_contains(swt_reader_get_damage(r, 0)->what, want);
	assert_contains(swt_reader_get_damage(r, 0)->what, "times");
	swt_reader_free(r);
	free(b.p);
	free(data);
	store_fini(&s);
}

/* A header frame whose SessionHeader is empty (length 0) or lacks
 * clock_ticks cannot be interpreted: open fails naming the offset. */
static void open_refuses_empty_session_header(void **state)
{
	struct sandbox *sb = *state;
	struct store s = { 0 };
	struct layout l;
	struct swt_reader *r = NULL;
	struct bytes b = { 0 }, h = { 0 };
	unsigned char *data, tmp[8];
	char err[256] = "";
	size_t len;

	data = small_session(sb, &s, &len, &l);
	memset(data + 24, 0, 4);
	assert_status(SWT_ECORRUPT, swt_reader_open_mem(&r, data, len, "m", 0,
							err, sizeof(err)));
	assert_null(r);
	assert_contains(err, "offset 24:");
	assert_contains(err, "session header length is 0");

	/* a header with page size only: no clock_ticks */
	pb_field_varint(&h, 6, 4096);
	swt_codec__put_le32(tmp, SWT_HEADER_FRAME_MAGIC);
	swt_codec__put_le32(tmp + 4, (uint32_t)(20 + h.len));
	bytes_add(&b, tmp, 8);
	bytes_add(&b, data + 8, 16);	/* file magic, version, flags */
	swt_codec__put_le32(tmp, (uint32_t)h.len);
	bytes_add(&b, tmp, 4);
	bytes_add(&b, h.p, h.len);
	bytes_add(&b, data + l.hdr_end, len - l.hdr_end);
	assert_status(SWT_ECORRUPT, swt_reader_open_mem(&r, b.p, b.len, "m",
							0, err, sizeof(err)));
	assert_null(r);
	assert_contains(err, "offset 28:");
	assert_contains(err, "without clock_ticks");
	free(b.p);
	free(h.p);
	free(data);
	store_fini(&s);
}

static void open_rejects_wrong_magic(void **state)
{
	struct sandbox *sb = *state;
	struct store s = { 0 };
	struct layout l;
	struct swt_reader *r = (struct swt_reader *)&l; /* must be reset */
	unsigned char *data;
	char err[256];
	size_t len;
	const char *path;

	data = small_session(sb, &s, &len, &l);
	/* the file magic inside the header frame */
	assert_memory_equal(data + 8, SWT_FILE_MAGIC, SWT_FILE_MAGIC_LEN);
	data[8 + 3] = 'X';
	err[0] = '\0';
	assert_status(SWT_ECORRUPT, swt_reader_open_mem(&r, data, len, "m1",
							0, err, sizeof(err)));
	assert_null(r);
	assert_contains(err, "m1");
	/* through a path: the message names the file */
	path = sandbox_path(sb, "badmagic.swt");
	swt_test_write_file(path, data, len);
	r = (struct swt_reader *)&l;
	assert_status(SWT_ECORRUPT, swt_reader_open(&r, path, 0, err,
						     sizeof(err)));
	assert_null(r);
	assert_contains(err, path);
	data[8 + 3] = SWT_FILE_MAGIC[3];
	/* another skippable frame magic */
	data[0] ^= 0x01;
	assert_status(SWT_ECORRUPT, swt_reader_open_mem(&r, data, len, "m2",
							0, err, sizeof(err)));
	data[0] ^= 0x01;
	/* a chunk where the header belongs */
	assert_status(SWT_ECORRUPT,
		      swt_reader_open_mem(&r, data + l.hdr_end,
					  len - l.hdr_end, "m3", 0, err,
					  sizeof(err)));
	/* text */
	assert_status(SWT_ECORRUPT,
		      swt_reader_open_mem(&r, "hello, world\n", 13, "m4", 0,
					  err, sizeof(err)));
	/* a plain zstd frame */
	{
		struct bytes b = { 0 };

		zstd_frame(&b, "hello, world\n", 13);
		assert_status(SWT_ECORRUPT,
			      swt_reader_open_mem(&r, b.p, b.len, "m5", 0, err,
						  sizeof(err)));
		free(b.p);
	}
	/* the empty file, and NULL errmsg is allowed */
	assert_status_either(SWT_ECORRUPT, SWT_ETRUNCATED,
			     swt_reader_open_mem(&r, data, 0, "m6", 0, NULL,
						 0));
	assert_null(r);
	/* the original still opens */
	r = open_mem_ok(data, len, 0);
	swt_reader_free(r);
	free(data);
	store_fini(&s);
}

static void open_missing_file_is_enotfound(void **state)
{
	struct sandbox *sb = *state;
	struct swt_reader *r = NULL;
	char err[512] = "";
	const char *path = sandbox_path(sb, "does-not-exist.swt");

	assert_status(SWT_ENOTFOUND, swt_reader_open(&r, path, 0, err,
						     sizeof(err)));
	assert_null(r);
	assert_contains(err, path);
	assert_contains(err, strerror(ENOENT));
	/* a directory: not a regular file */
	assert_status(SWT_EIO, swt_reader_open(&r, sb->dir, 0, err,
					       sizeof(err)));
	assert_null(r);
	swt_reader_free(NULL); /* no-op */
	swt_writer_free(NULL);
}

/* Patch the major version of the header frame prefix ("SWTRACE\0" major
 * minor flags hdrlen, little-endian like zstd's own fields). */
static void open_refuses_future_major_version(void **state)
{
	struct sandbox *sb = *state;
	struct store s = { 0 };
	struct layout l;
	struct swt_reader *r = NULL;
	unsigned char *data;
	char err[256] = "";
	size_t len;
	const char *path;

	data = small_session(sb, &s, &len, &l);
	assert_int_equal(data[16], SWT_FORMAT_MAJOR);
	data[16] = SWT_FORMAT_MAJOR + 1;
	assert_status(SWT_EVERSION, swt_reader_open_mem(&r, data, len, "fut",
							0, err, sizeof(err)));
	assert_null(r);
	assert_contains(err, "fut");
	assert_contains(err, "version");
	assert_contains(err, "2"); /* the version found */
	path = sandbox_path(sb, "future.swt");
	swt_test_write_file(path, data, len);
	assert_status(SWT_EVERSION, swt_reader_open(&r, path, 0, err,
						    sizeof(err)));
	assert_contains(err, path);
	/* a far future: 255 */
	data[16] = 0xff;
	assert_status(SWT_EVERSION, swt_reader_open_mem(&r, data, len, "fut",
							0, err, sizeof(err)));
	free(data);
	store_fini(&s);
}

/* Build header frame + `bad` chunk + the good chunk of a small session:
 * the bad chunk is one SWT_ECORRUPT damage range, the good one reads. */
static void expect_bad_chunk(const unsigned char *data, const struct layout *l,
			     const struct store *s, const struct bytes *raw,
			     const char *what)
{
	const struct frame *good = &l->f[l->chunk[0]];
	struct bytes file = { 0 }, bad = { 0 };
	struct swt_reader *r;
	const struct swt_damage *d;
	const struct swt_record *rec;
	size_t n;

	zstd_frame(&bad, raw->p, raw->len);
	bytes_add(&file, data, l->hdr_end);
	bytes_add(&file, bad.p, bad.len);
	bytes_add(&file, data + good->off, good->len);

	r = open_mem_ok(file.p, file.len, 0);
	expect_header_record(r);
	n = expect_records(r, s, 0);
	if (n != s->n || swt_reader_damage_count(r) != 2)
		print_error("%s: %zu of %zu records, %zu damage\n", what, n,
			    s->n, swt_reader_damage_count(r));
	assert_int_equal(n, s->n);
	/* the bad chunk, and the missing index at the end */
	assert_int_equal(swt_reader_damage_count(r), 2);
	expect_unfinished_at_eof(r, file.len);
	d = swt_reader_get_damage(r, 0);
	assert_status(SWT_ECORRUPT, d->status);
	assert_int_equal(d->offset, l->hdr_end);
	assert_int_equal(d->length, bad.len);
	swt_reader_free(r);

	r = open_mem_ok(file.p, file.len, SWT_READER_STRICT);
	expect_header_record(r);
	assert_status(SWT_ECORRUPT, swt_reader_next(r, &rec));
	assert_true(swt_reader_errmsg(r)[0] != '\0');
	for (n = 0; n < s->n; n++) {
		assert_ok(swt_reader_next(r, &rec));
		assert_record_equal(&s->recs[n], rec);
	}
	/* strict: then the missing index, once, then the end */
	assert_status(SWT_ETRUNCATED, swt_reader_next(r, &rec));
	assert_status(SWT_ITEROVER, swt_reader_next(r, &rec));
	swt_reader_free(r);

	/* the same without the good chunk, in a child process whose address
	 * space is too small for an allocation of the claimed size: an
	 * attempt aborts it (swt_zalloc) and the test sees the signal */
#ifndef SWT_TEST_ASAN
	{
		pid_t pid = fork();
		int wstatus;

		assert_true(pid >= 0);
		if (pid == 0) {
			struct rlimit rl;
			unsigned long vm_pages = 0;
			FILE *f = fopen("/proc/self/statm", "r");

			if (!f || fscanf(f, "%lu", &vm_pages) != 1)
				_exit(20);
			fclose(f);
			rl.rlim_cur = rl.rlim_max =
				(rlim_t)vm_pages *
					(rlim_t)sysconf(_SC_PAGESIZE) +
				(16u << 20);
			if (setrlimit(RLIMIT_AS, &rl) != 0)
				_exit(21);
			if (swt_reader_open_mem(&r, file.p,
						l->hdr_end + bad.len, "x", 0,
						NULL, 0) != 0)
				_exit(22);
			while (swt_reader_next(r, &rec) == 0)
				;
			swt_reader_free(r);
			_exit(0);
		}
		assert_int_equal(waitpid(pid, &wstatus, 0), pid);
		if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0)
			print_error("%s: reader child %s %d (a huge "
				    "allocation?)\n", what,
				    WIFSIGNALED(wstatus) ? "killed by signal" :
							   "exited with",
				    WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) :
							   WEXITSTATUS(wstatus));
		assert_true(WIFEXITED(wstatus));
		assert_int_equal(WEXITSTATUS(wstatus), 0);
	}
#endif
	free(file.p);
	free(bad.p);
}

static void oversized_length_prefix_is_corruption(void **state)
{
	struct sandbox *sb = *state;
	struct store s = { 0 };
	struct layout l;
	unsigned char *data;
	size_t len;
	struct bytes raw = { 0 };
	static const unsigned char junk[16] = { 0x08, 0x02 };

	data = small_session(sb, &s, &len, &l);
	/* one byte over the bound */
	pb_varint(&raw, (uint64_t)SWT_MAX_RECORD_BYTES + 1);
	bytes_add(&raw, junk, sizeof(junk));
	expect_bad_chunk(data, &l, &s, &raw, "MAX+1");
	/* absurd: 2^63 and 2^64-1 */
	raw.len = 0;
	pb_varint(&raw, UINT64_C(1) << 63);
	bytes_add(&raw, junk, sizeof(junk));
	expect_bad_chunk(data, &l, &s, &raw, "2^63");
	raw.len = 0;
	pb_varint(&raw, UINT64_MAX);
	bytes_add(&raw, junk, sizeof(junk));
	expect_bad_chunk(data, &l, &s, &raw, "2^64-1");
	/* a varint of 11 bytes is no varint */
	raw.len = 0;
	{
		static const unsigned char v11[11] = {
			0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			0xff, 0xff, 0xff, 0xff, 0x01 };

		bytes_add(&raw, v11, sizeof(v11));
		bytes_add(&raw, junk, sizeof(junk));
	}
	expect_bad_chunk(data, &l, &s, &raw, "11-byte varint");
	/* within the bound but past the end of the chunk (the frame's
	 * checksum matched, so this is what was written: corruption) */
	raw.len = 0;
	pb_varint(&raw, 1000);
	bytes_add(&raw, junk, sizeof(junk));
	expect_bad_chunk(data, &l, &s, &raw, "past the chunk");
	/* a record that is not a valid Record message */
	raw.len = 0;
	{
		static const unsigned char broken[] = { 0x05, 0x2a, 0x10,
							0xff, 0xff, 0xff };

		bytes_add(&raw, broken, sizeof(broken));
	}
	expect_bad_chunk(data, &l, &s, &raw, "bad protobuf");
	free(raw.p);
	free(data);
	store_fini(&s);
}

/* A chunk written by a newer writer: Records of kinds this reader does not
 * know (field numbers 99 and 100), a known kind with an unknown field.
 * The unknown ones are skipped and counted, their dt_ns still advances
 * the time of the chunk. */
static void unknown_record_kind_is_skipped(void **state)
{
	struct sandbox *sb = *state;
	struct store s = { 0 };
	struct layout l;
	struct bytes chunk = { 0 }, rec = { 0 }, msg = { 0 }, file = { 0 };
	struct swt_reader *r;
	struct swt_reader_stats rs;
	const struct swt_record *out;
	unsigned char *data;
	size_t len;

	data = small_session(sb, &s, &len, &l);
	/* unknown kind 99 (length-delimited) at t = 1000 */
	pb_field_varint(&rec, 1, zigzag(1000));
	pb_field_bytes(&rec, 99, "abc", 3);
	pb_delimited(&chunk, &rec);
	/* ProcExit at t = 1010 with an unknown field 50 */
	rec.len = 0;
	pb_field_varint(&msg, 1, 42);
	pb_field_varint(&msg, 2, 7);
	pb_field_varint(&msg, 3, 1);
	pb_field_varint(&msg, 4, 3);
	pb_field_varint(&msg, 50, 5);
	pb_field_varint(&rec, 1, zigzag(10));
	pb_field_bytes(&rec, 4, msg.p, msg.len);
	pb_delimited(&chunk, &rec);
	/* unknown kind 100 (varint) at t = 1015 */
	rec.len = 0;
	pb_field_varint(&rec, 1, zigzag(5));
	pb_field_varint(&rec, 100, 12345);
	pb_delimited(&chunk, &rec);
	/* Drops at t = 1020 */
	rec.len = 0;
	msg.len = 0;
	pb_field_varint(&msg, 1, 42);
	pb_field_varint(&msg, 2, 9);
	pb_field_varint(&msg, 3, 11);
	pb_field_varint(&rec, 1, zigzag(5));
	pb_field_bytes(&rec, 8, msg.p, msg.len);
	pb_delimited(&chunk, &rec);

	bytes_add(&file, data, l.hdr_end);
	zstd_frame(&file, chunk.p, chunk.len);
	r = open_mem_ok(file.p, file.len, SWT_READER_STRICT);
	expect_header_record(r);
	assert_ok(swt_reader_next(r, &out));
	assert_int_equal(out->kind, SWT_REC_PROC_EXIT);
	assert_int_equal(out->t_ns, 1010);
	assert_int_equal(out->u.proc_exit.pid, 42);
	assert_int_equal(out->u.proc_exit.start_ticks, 7);
	assert_true(out->u.proc_exit.has_status);
	assert_int_equal(out->u.proc_exit.exit_code, 3);
	assert_ok(swt_reader_next(r, &out));
	assert_int_equal(out->kind, SWT_REC_DROPS);
	assert_int_equal(out->t_ns, 1020);
	assert_int_equal(out->u.drops.pid, 42);
	assert_int_equal(out->u.drops.dropped, 9);
	assert_int_equal(out->u.drops.total_dropped, 11);
	swt_test_str("", out->u.drops.reason, "reason", __FILE__, __LINE__);
	/* strict: the missing index is reported once, then the end */
	assert_status(SWT_ETRUNCATED, swt_reader_next(r, &out));
	assert_status(SWT_ITEROVER, swt_reader_next(r, &out));
	assert_int_equal(swt_reader_damage_count(r), 1);
	expect_unfinished_at_eof(r, file.len);
	swt_reader_get_stats(r, &rs);
	assert_int_equal(rs.unknown_records, 2);
	assert_int_equal(rs.records, 2);
	assert_int_equal(rs.chunks_ok, 1);
	swt_reader_free(r);
	free(chunk.p);
	free(rec.p);
	free(msg.p);
	free(file.p);
	free(data);
	store_fini(&s);
}

/* ---- tests: Sample records in every encoding protobuf allows ----------- *
 *
 * The reader decodes Sample records in the writer's encoding itself and
 * leaves any other to protobuf-c: the same samples written with the fields
 * in another order, repeated fields not packed, columns split in two,
 * unknown fields, long tags must decode to the same rows, and malformed
 * ones must be the same damage. */

#define ENC_PROCS 5
#define ENC_THREADS 3
#define ENC_SAMPLES 3

struct enc_sample {
	int64_t dt;
	uint64_t scal[8];	/* fields 1..7 */
	uint64_t steal;
	uint64_t pressure[7];
	size_t n, nt, n_pressure;
	int32_t pid_delta[ENC_PROCS];
	uint32_t flags[ENC_PROCS];
	int64_t col[19][ENC_PROCS];	/* fields 11..29, 22 unused */
	int32_t tid_delta[ENC_THREADS];
	int32_t tgid_off[ENC_THREADS];
	uint32_t tname[ENC_THREADS];
	int64_t tutime[ENC_THREADS], tstime[ENC_THREADS];
	uint32_t nd_name;
	uint64_t nd_rx, nd_tx;
	int sparse;			/* 1: a sparse_sample (format 1.8),
					 * 2: a sparse_threads_sample (1.9) */
	size_t n_gone;
	int32_t gone_delta[ENC_PROCS];
	size_t n_tgone;
	int32_t tgone_delta[ENC_THREADS];
};

enum enc_style {
	ENC_WRITER,		/* as the writer does: packed, in order */
	ENC_REVERSED,		/* fields in reverse order */
	ENC_UNPACKED,		/* repeated fields one value per field */
	ENC_SPLIT,		/* every column in two packed halves */
	ENC_EMPTY_FIRST,	/* an empty packed column before each */
	ENC_UNKNOWN,		/* with an unknown field */
	ENC_LONG_TAG,		/* a tag in two bytes where one does */
	ENC_STYLES
};

/* The raw varint values of field f of sample e (zigzagged as its type
 * wants), into v; their count. */
static size_t enc_values(const struct enc_sample *e, unsigned f, uint64_t *v)
{
	size_t i;

	switch (f) {
	case 9:
		memcpy(v, e->pressure, e->n_pressure * sizeof(*v));
		return e->n_pressure;
	case 10:
		for (i = 0; i < e->n; i++)
			v[i] = zigzag(e->pid_delta[i]) & 0xffffffffu;
		return e->n;
	case 22:
		for (i = 0; i < e->n; i++)
			v[i] = e->flags[i];
		return e->n;
	case 30:
	case 31:
		for (i = 0; i < e->nt; i++)
			v[i] = zigzag(f == 30 ? e->tid_delta[i] :
						e->tgid_off[i]) & 0xffffffffu;
		return e->nt;
	case 32:
		for (i = 0; i < e->nt; i++)
			v[i] = e->tname[i];
		return e->nt;
	case 36:
		for (i = 0; i < e->n_gone; i++)
			v[i] = zigzag(e->gone_delta[i]) & 0xffffffffu;
		return e->n_gone;
	case 37:
		for (i = 0; i < e->n_tgone; i++)
			v[i] = zigzag(e->tgone_delta[i]) & 0xffffffffu;
		return e->n_tgone;
	case 33:
	case 34:
		for (i = 0; i < e->nt; i++)
			v[i] = zigzag(f == 33 ? e->tutime[i] : e->tstime[i]);
		return e->nt;
	default:
		assert_true(f >= 11 && f <= 29);
		for (i = 0; i < e->n; i++)
			v[i] = zigzag(e->col[f - 11][i]);
		return e->n;
	}
}

static void enc_packed(struct bytes *b, unsigned f, const uint64_t *v,
		       size_t n)
{
	struct bytes p = { 0 };
	size_t i;

	for (i = 0; i < n; i++)
		pb_varint(&p, v[i]);
	pb_field_bytes(b, f, p.p, p.len);
	free(p.p);
}

static void enc_field(struct bytes *b, const struct enc_sample *e,
		      unsigned f, enum enc_style st)
{
	uint64_t v[16];
	size_t n, i;

	if (f == 8) {
		struct bytes nd = { 0 };

		pb_field_varint(&nd, 1, e->nd_name);
		pb_field_varint(&nd, 2, e->nd_rx);
		pb_field_varint(&nd, 3, e->nd_tx);
		pb_field_bytes(b, 8, nd.p, nd.len);
		free(nd.p);
		return;
	}
	if (f <= 7 || f == 35) {
		if (st == ENC_LONG_TAG && f == 1) {
			unsigned char t[2] = { 0x88, 0x00 };

			bytes_add(b, t, 2);
			pb_varint(b, e->scal[1]);
			return;
		}
		pb_field_varint(b, f, f == 35 ? e->steal : e->scal[f]);
		return;
	}
	n = enc_values(e, f, v);
	if (!n)
		return;
	switch (st) {
	case ENC_UNPACKED:
		for (i = 0; i < n; i++)
			pb_field_varint(b, f, v[i]);
		break;
	case ENC_SPLIT:
		enc_packed(b, f, v, n / 2);
		enc_packed(b, f, v + n / 2, n - n / 2);
		break;
	case ENC_EMPTY_FIRST:
		pb_field_bytes(b, f, "", 0);
		enc_packed(b, f, v, n);
		break;
	default:
		enc_packed(b, f, v, n);
		break;
	}
}

/* Record of sample e in style st (the writer's field order: 1-7, 9, 35,
 * 10-29, 8, 30-34). */
static void enc_record(struct bytes *out, const struct enc_sample *e,
		       enum enc_style st)
{
	static const unsigned order[] = { 1, 2, 3, 4, 5, 6, 7, 9, 35,
		10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
		25, 26, 27, 28, 29, 8, 30, 31, 32, 33, 34, 36, 37 };
	const size_t n_order = sizeof(order) / sizeof(order[0]);
	struct bytes smp = { 0 }, rec = { 0 };
	size_t i;

	for (i = 0; i < n_order; i++)
		enc_field(&smp, e, order[st == ENC_REVERSED ? n_order - 1 - i :
							       i], st);
	if (st == ENC_UNKNOWN)
		pb_field_varint(&smp, 40, 77);
	pb_field_varint(&rec, 1, zigzag(e->dt));
	pb_field_bytes(&rec, e->sparse == 2 ? 12 : e->sparse ? 11 : 5, smp.p,
		       smp.len);
	pb_delimited(out, &rec);
	free(smp.p);
	free(rec.p);
}

static void enc_samples(struct enc_sample *es, uint64_t seed)
{
	static const int32_t pids[ENC_SAMPLES][ENC_PROCS] = {
		{ 10, 20, 30, 40, 50 }, { 10, 30, 45, 50, 0 },
		{ 1, 10, 30, 45, 50 } };
	static const size_t ns[ENC_SAMPLES] = { 5, 4, 5 };
	uint64_t rng = seed;
	size_t k, i, c;

	memset(es, 0, ENC_SAMPLES * sizeof(*es));
	for (k = 0; k < ENC_SAMPLES; k++) {
		struct enc_sample *e = &es[k];

		e->dt = k ? 1000000000 : 5000;
		for (i = 1; i <= 7; i++)
			e->scal[i] = rng_next(&rng) >> (i * 7);
		e->steal = k;
		e->n_pressure = k == 1 ? 7 : 6;
		for (i = 0; i < e->n_pressure; i++)
			e->pressure[i] = rng_next(&rng) >> 20;
		e->n = ns[k];
		for (i = 0; i < e->n; i++) {
			e->pid_delta[i] = pids[k][i] - (i ? pids[k][i - 1] : 0);
			e->flags[i] = (uint32_t)(rng_next(&rng) & 31);
			for (c = 0; c < 19; c++)
				e->col[c][i] = c == 11 ? 0 :
					k == 2 && c == 5 ? INT64_MIN :
					rng_range(&rng, -100000, 1000000);
		}
		e->nt = ENC_THREADS;
		for (i = 0; i < e->nt; i++) {
			e->tid_delta[i] = i == 0 ? 100 : (int32_t)i;
			e->tgid_off[i] = (int32_t)i;
			e->tname[i] = (uint32_t)i;
			e->tutime[i] = rng_range(&rng, -5, 50);
			e->tstime[i] = rng_range(&rng, -5, 50);
		}
		e->nd_name = 1;
		e->nd_rx = rng_next(&rng);
		e->nd_tx = k;
	}
}

/* One chunk: a string, then the samples in style st. */
static void enc_file(struct bytes *file, const unsigned char *data,
		     const struct layout *l, const struct enc_sample *es,
		     enum enc_style st, const struct bytes *extra)
{
	struct bytes chunk = { 0 }, rec = { 0 }, def = { 0 };
	size_t k;

	pb_field_varint(&def, 1, 1);
	pb_field_bytes(&def, 2, "eth0", 4);
	pb_field_varint(&rec, 1, zigzag(1000));
	pb_field_bytes(&rec, 2, def.p, def.len);
	pb_delimited(&chunk, &rec);
	for (k = 0; k < ENC_SAMPLES; k++)
		enc_record(&chunk, &es[k], st);
	if (extra)
		bytes_add(&chunk, extra->p, extra->len);
	file->len = 0;
	bytes_add(file, data, l->hdr_end);
	zstd_frame(file, chunk.p, chunk.len);
	free(chunk.p);
	free(rec.p);
	free(def.p);
}

/* Everything a sample record says, as text. */
static void sample_text(struct bytes *t, const struct swt_record *rec)
{
	const struct swt_sample *s = &rec->u.sample;
	char line[512];
	size_t i;
	int n;

	n = snprintf(line, sizeof(line),
		     "t %" PRId64 " %" PRId64 " %" PRIu64 " %" PRIu64
		     " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
		     " steal %" PRIu64 " psi %d %" PRIu64 " %" PRIu64 "\n",
		     rec->t_ns, s->scheduled_ns, s->recorder_cpu_ns,
		     s->recorder_rss_kib, s->sys_busy_ticks, s->sys_idle_ticks,
		     s->mem_total_kib, s->mem_available_kib, s->steal_ticks,
		     s->has_pressure, s->pressure_us[0], s->pressure_us[5]);
	bytes_add(t, line, (size_t)n);
	for (i = 0; i < s->n_procs; i++) {
		const struct swt_proc_row *p = &s->procs[i];

		n = snprintf(line, sizeof(line),
			     "p %d %u %" PRId64 " %" PRId64 " %" PRId64
			     " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64
			     " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64
			     " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64
			     " %" PRId64 " %" PRId64 " %" PRId64 "\n",
			     p->pid, p->flags, p->utime, p->stime, p->rss_kib,
			     p->vsz_kib, p->nthreads, p->minflt, p->majflt,
			     p->io_read, p->io_write, p->vctxsw, p->ivctxsw,
			     p->cutime, p->cstime, p->net_tx, p->net_rx,
			     p->socks_tcp, p->socks_udp, p->socks_other);
		bytes_add(t, line, (size_t)n);
	}
	for (i = 0; i < s->n_threads; i++) {
		const struct swt_thread_row *th = &s->threads[i];

		n = snprintf(line, sizeof(line),
			     "t %d %d '%s' %" PRId64 " %" PRId64 "\n", th->tid,
			     th->tgid, th->name, th->utime, th->stime);
		bytes_add(t, line, (size_t)n);
	}
	for (i = 0; i < s->n_netdevs; i++) {
		n = snprintf(line, sizeof(line),
			     "n '%s' %" PRIu64 " %" PRIu64 "\n",
			     s->netdevs[i].name, s->netdevs[i].rx_bytes,
			     s->netdevs[i].tx_bytes);
		bytes_add(t, line, (size_t)n);
	}
}

/* Read the file: its samples as text, then its damage; on threads too. */
static void enc_read(const struct bytes *file, unsigned threads,
		     struct bytes *t)
{
	struct swt_reader *r = open_mem_ok(file->p, file->len, 0);
	const struct swt_record *rec;
	size_t i;
	char line[256];
	int n;

	if (threads > 1)
		assert_ok(swt_reader_set_threads(r, threads));
	t->len = 0;
	while (swt_reader_next(r, &rec) == 0)
		if (rec->kind == SWT_REC_SAMPLE)
			sample_text(t, rec);
	for (i = 0; i < swt_reader_damage_count(r); i++) {
		const struct swt_damage *d = swt_reader_get_damage(r, i);

		n = snprintf(line, sizeof(line), "damage %d %s\n", d->status,
			     d->what);
		bytes_add(t, line, (size_t)n);
	}
	bytes_add(t, "", 1);
	swt_reader_free(r);
}

/* The samples es, in every encoding style, read as want, on one thread
 * and on two. */
static void expect_every_style_reads(const unsigned char *data,
				     const struct layout *l,
				     const struct enc_sample *es,
				     const struct bytes *want)
{
	struct bytes file = { 0 }, got = { 0 };
	int st;

	for (st = 0; st < ENC_STYLES; st++) {
		unsigned th;

		enc_file(&file, data, l, es, (enum enc_style)st, NULL);
		for (th = 1; th <= 2; th++) {
			enc_read(&file, th, &got);
			if (strcmp((char *)want->p, (char *)got.p))
				print_error("style %d, %u threads:\n%s\n"
					    "instead of\n%s\n", st, th,
					    (char *)got.p, (char *)want->p);
			assert_string_equal(want->p, got.p);
		}
	}
	free(file.p);
	free(got.p);
}

/* file reads alike on one thread and two, with damage `what` (case n). */
static void expect_damage(const struct bytes *file, const char *what, int n)
{
	struct bytes one = { 0 }, two = { 0 };

	enc_read(file, 1, &one);
	enc_read(file, 2, &two);
	assert_string_equal(one.p, two.p);
	if (!strstr((char *)one.p, what))
		print_error("case %d:\n%.2000s\n", n, (char *)one.p);
	assert_non_null(strstr((char *)one.p, what));
	free(one.p);
	free(two.p);
}

static void sample_encodings_decode_alike(void **state)
{
	struct sandbox *sb = *state;
	struct store s = { 0 };
	struct layout l;
	struct enc_sample es[ENC_SAMPLES];
	struct bytes file = { 0 }, want = { 0 }, got = { 0 }, extra = { 0 };
	unsigned char *data;
	size_t len;
	int st;

	data = small_session(sb, &s, &len, &l);
	enc_samples(es, 7);
	enc_file(&file, data, &l, es, ENC_WRITER, NULL);
	enc_read(&file, 1, &want);
	/* what the samples are, in part: the second's 45 is new, the
	 * third's 1 too; the others add their deltas */
	assert_non_null(strstr((char *)want.p, "\np 45 "));
	assert_non_null(strstr((char *)want.p, "\np 1 "));
	assert_non_null(strstr((char *)want.p, "n 'eth0' "));
	assert_null(strstr((char *)want.p, "damage -3"));
	expect_every_style_reads(data, &l, es, &want);

	/* malformed: a column one value short, a column cut inside a
	 * varint, a pid out of order, in the writer's encoding and not */
	for (st = 0; st < 4; st++) {
		struct enc_sample bad = es[1];
		enum enc_style a = st & 1 ? ENC_UNPACKED : ENC_WRITER;
		const char *what;

		extra.len = 0;
		bad.dt = 1;
		switch (st / 2) {
		case 0:
			/* one value short: the pressure has no count to
			 * check, so take utime through a split record */
			bad.n = 4;
			enc_record(&extra, &bad, a);
			/* the same record with pid column one longer */
			extra.len = 0;
			{
				struct bytes smp = { 0 }, rec = { 0 };
				uint64_t v[8];
				size_t n = enc_values(&bad, 10, v);

				v[n++] = 2;
				enc_packed(&smp, 10, v, n);
				n = enc_values(&bad, 11, v);
				if (a == ENC_UNPACKED) {
					size_t i;

					for (i = 0; i < n; i++)
						pb_field_varint(&smp, 11,
								v[i]);
				} else {
					enc_packed(&smp, 11, v, n);
				}
				pb_field_varint(&rec, 1, zigzag(1));
				pb_field_bytes(&rec, 5, smp.p, smp.len);
				pb_delimited(&extra, &rec);
				free(smp.p);
				free(rec.p);
			}
			what = "damage -3 malformed record at byte ";
			break;
		default:
			/* a pid going back */
			bad.pid_delta[2] = -25;
			enc_record(&extra, &bad, a);
			what = "damage -3 malformed record at byte ";
			break;
		}
		enc_file(&file, data, &l, es, ENC_WRITER, &extra);
		expect_damage(&file, what, st);
	}
	/* a column cut inside its last varint: undecodable either way */
	{
		struct bytes smp = { 0 }, rec = { 0 };
		const unsigned char cut[] = { 0x04, 0x02, 0x80 };

		extra.len = 0;
		pb_field_bytes(&smp, 10, "\x02\x02", 2);
		pb_field_bytes(&smp, 11, cut, sizeof(cut));
		pb_field_varint(&rec, 1, zigzag(1));
		pb_field_bytes(&rec, 5, smp.p, smp.len);
		pb_delimited(&extra, &rec);
		enc_file(&file, data, &l, es, ENC_WRITER, &extra);
		enc_read(&file, 1, &got);
		assert_non_null(strstr((char *)got.p,
				       "damage -3 undecodable record at byte "));
		free(smp.p);
		free(rec.p);
	}
	free(file.p);
	free(want.p);
	free(got.p);
	free(extra.p);
	free(data);
	store_fini(&s);
}

/* Sparse samples (format 1.8): the second sample without its two
 * unchanged rows (pids 10 and 50) and with the two gone ones (20, 40)
 * listed reads as the full one, in every encoding, on one thread or two;
 * a malformed gone list is damage either way. */
static void sparse_samples_decode_as_full(void **state)
{
	struct sandbox *sb = *state;
	struct store s = { 0 };
	struct layout l;
	struct enc_sample es[ENC_SAMPLES], sp[ENC_SAMPLES];
	struct bytes file = { 0 }, want = { 0 };
	unsigned char *data;
	size_t len, c;
	int bad;

	data = small_session(sb, &s, &len, &l);
	enc_samples(es, 11);
	/* pids 10 and 50 of the second sample unchanged since the first */
	for (c = 0; c < 19; c++) {
		es[1].col[c][0] = 0;
		es[1].col[c][3] = 0;
	}
	es[1].flags[0] = es[0].flags[0];
	es[1].flags[3] = es[0].flags[4];
	enc_file(&file, data, &l, es, ENC_WRITER, NULL);
	enc_read(&file, 1, &want);
	assert_non_null(strstr((char *)want.p, "\np 50 "));
	assert_null(strstr((char *)want.p, "damage -3"));

	memcpy(sp, es, sizeof(sp));
	sp[1].sparse = 1;
	sp[1].n = 2;
	sp[1].pid_delta[0] = 30;
	sp[1].pid_delta[1] = 15;
	for (c = 0; c < 2; c++) {
		size_t k;

		sp[1].flags[c] = es[1].flags[c + 1];
		for (k = 0; k < 19; k++)
			sp[1].col[k][c] = es[1].col[k][c + 1];
	}
	sp[1].n_gone = 2;
	sp[1].gone_delta[0] = 20;
	sp[1].gone_delta[1] = 20;
	expect_every_style_reads(data, &l, sp, &want);

	/* malformed: gone pids not ascending; more gone pids than the
	 * previous sample has rows (a sparse first sample) */
	for (bad = 0; bad < 4; bad++) {
		struct enc_sample b2[ENC_SAMPLES];

		memcpy(b2, sp, sizeof(b2));
		if (bad / 2 == 0) {
			b2[1].gone_delta[1] = -5;
		} else {
			b2[0].sparse = 1;
			b2[0].n_gone = 1;
			b2[0].gone_delta[0] = 3;
		}
		enc_file(&file, data, &l, b2,
			 bad & 1 ? ENC_UNKNOWN : ENC_WRITER, NULL);
		expect_damage(&file, "damage -3 malformed record at ", bad);
	}
	free(file.p);
	free(want.p);
	free(data);
	store_fini(&s);
}

/* Sparse thread rows (format 1.9): the second sample without its
 * unchanged thread 100, with thread 101 gone and 103 changed and its process
 * rows sparse as in a sparse_sample, reads as the full one, in every
 * encoding (protobuf-c's path included), on one thread or two; malformed
 * gone tids are damage. */
static void sparse_threads_decode_as_full(void **state)
{
	struct sandbox *sb = *state;
	struct store s = { 0 };
	struct layout l;
	struct enc_sample es[ENC_SAMPLES], sp[ENC_SAMPLES];
	struct bytes file = { 0 }, want = { 0 };
	unsigned char *data;
	size_t len, c;
	int bad;

	data = small_session(sb, &s, &len, &l);
	enc_samples(es, 12);
	/* the second sample: thread 100 (of 100) unchanged, 103 (of 101)
	 * 5 ticks more, 101 gone; pid 10 unchanged (the threads of the
	 * first: 100, 101, 103) */
	es[1].nt = 2;
	es[1].tid_delta[0] = 100;
	es[1].tid_delta[1] = 3;
	es[1].tgid_off[1] = 2;
	es[1].tname[1] = 2;
	es[1].tutime[0] = es[1].tstime[0] = 0;
	es[1].tutime[1] = 5;
	es[1].tstime[1] = 0;
	for (c = 0; c < 19; c++)
		es[1].col[c][0] = 0;
	es[1].flags[0] = es[0].flags[0];
	/* (the third: thread 101 new again, all of its ticks) */
	enc_file(&file, data, &l, es, ENC_WRITER, NULL);
	enc_read(&file, 1, &want);
	assert_null(strstr((char *)want.p, "damage -3"));

	memcpy(sp, es, sizeof(sp));
	sp[1].sparse = 2;
	sp[1].nt = 1;
	sp[1].tid_delta[0] = 103;
	sp[1].tgid_off[0] = 2;
	sp[1].tname[0] = 2;
	sp[1].tutime[0] = 5;
	sp[1].tstime[0] = 0;
	sp[1].n_tgone = 1;
	sp[1].tgone_delta[0] = 101;
	/* its process rows without pid 10 (unchanged), 20 and 40 gone */
	sp[1].n = 3;
	sp[1].pid_delta[0] = 30;
	sp[1].pid_delta[1] = 15;
	sp[1].pid_delta[2] = 5;
	for (c = 0; c < 3; c++) {
		size_t k;

		sp[1].flags[c] = es[1].flags[c + 1];
		for (k = 0; k < 19; k++)
			sp[1].col[k][c] = es[1].col[k][c + 1];
	}
	sp[1].n_gone = 2;
	sp[1].gone_delta[0] = 20;
	sp[1].gone_delta[1] = 20;
	expect_every_style_reads(data, &l, sp, &want);

	/* malformed: gone tids not ascending; more gone tids than the
	 * previous sample had threads */
	for (bad = 0; bad < 4; bad++) {
		struct enc_sample b2[ENC_SAMPLES];

		memcpy(b2, sp, sizeof(b2));
		b2[1].n_tgone = bad / 2 == 0 ? 2 : ENC_THREADS + 1;
		b2[1].tgone_delta[0] = 101;
		b2[1].tgone_delta[1] = bad / 2 == 0 ? -1 : 1;
		if (bad / 2) {
			b2[1].n_tgone = ENC_THREADS;
			b2[0].nt = 1;
		}
		enc_file(&file, data, &l, b2,
			 bad & 1 ? ENC_UNKNOWN : ENC_WRITER, NULL);
		expect_damage(&file, "damage -3 malformed record at ", bad);
	}
	free(file.p);
	free(want.p);
	free(data);
	store_fini(&s);
}

/* The writer's sparse samples against its plain ones: the same session
 * written both ways reads the same, record by record; sparse leaves
 * process and thread rows out and the file's records are smaller (its
 * compressed size need not be: zstd compresses the repeated columns of
 * unchanged threads to almost nothing). */
static void sparse_writer_reads_as_plain(void **state)
{
	struct sandbox *sb = *state;
	struct store s = { 0 };
	struct swt_writer_stats ws[2];
	char path[2][PATH_MAX + 16];
	struct bytes txt[2][2] = { { { 0 } } };
	int v;

	gen_session(&s, 300, 42);
	for (v = 0; v < 2; v++) {
		struct write_opts wo = { .chunk_raw_bytes = 64 << 10,
					 .finish = true, .plain = v == 1 };

		snprintf(path[v], sizeof(path[v]), "%s/sp%d.swt", sb->dir, v);
		write_store(path[v], &s, &wo, &ws[v]);
	}
	assert_true(ws[0].rows_left_out > 0);
	assert_int_equal(ws[1].rows_left_out, 0);
	assert_true(ws[0].thread_rows_left_out > 0);
	assert_int_equal(ws[1].thread_rows_left_out, 0);
	assert_int_equal(ws[0].proc_samples, ws[1].proc_samples);
	assert_true(ws[0].raw_bytes < ws[1].raw_bytes);
	for (v = 0; v < 2; v++) {
		unsigned th;

		for (th = 1; th <= 2; th++) {
			struct swt_reader *r;
			const struct swt_record *rec;
			size_t n = 0;

			r = open_path_ok(path[v], 0);
			if (th > 1)
				assert_ok(swt_reader_set_threads(r, th));
			while (swt_reader_next(r, &rec) == 0) {
				if (rec->kind == SWT_REC_SAMPLE)
					sample_text(&txt[v][th - 1], rec);
				n++;
			}
			assert_int_equal(swt_reader_damage_count(r), 0);
			bytes_add(&txt[v][th - 1], "", 1);
			swt_reader_free(r);
			assert_true(n >= s.n);
		}
	}
	assert_string_equal(txt[0][0].p, txt[1][0].p);
	assert_string_equal(txt[0][1].p, txt[1][0].p);
	assert_string_equal(txt[1][1].p, txt[1][0].p);
	for (v = 0; v < 2; v++) {
		free(txt[v][0].p);
		free(txt[v][1].p);
	}
	store_fini(&s);
}

/* swt_rows_put_cols(): each listed row's columns and flags in its place,
 * nothing else of it; places that do not ascend or do not fit, and columns
 * that are not int64_t members (inside pid and flags, unaligned, past the
 * row, too many), are refused. */
static void listed_columns_put_in_place(void **state)
{
	struct swt_proc_row t[4], want[4];
	const uint8_t cols[2] = { offsetof(struct swt_proc_row, utime),
				  offsetof(struct swt_proc_row, rss_kib) };
	const int64_t vals[4] = { 11, 12, 21, 22 };
	const uint32_t flags[2] = { 5, 0 };
	uint32_t at[2] = { 1, 3 };
	uint8_t bad[20], same[4];
	struct swt_sample s;
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		memset(&t[i], 0, sizeof(t[i]));
		t[i].pid = (int32_t)(10 + i);
		t[i].flags = 7;
		t[i].utime = t[i].stime = t[i].rss_kib = t[i].vsz_kib = 100;
	}
	memcpy(want, t, sizeof(t));
	want[1].utime = 11;
	want[1].rss_kib = 12;
	want[1].flags = 5;
	want[3].utime = 21;
	want[3].rss_kib = 22;
	want[3].flags = 0;
	memset(&s, 0, sizeof(s));
	s.proc_listed = true;
	s.proc_at = at;
	s.n_proc_at = 2;
	s.proc_cols = cols;
	s.n_proc_cols = 2;
	s.proc_vals = vals;
	s.proc_flags = flags;
	assert_true(swt_rows_put_cols(t, 4, &s, same));
	assert_memory_equal(t, want, sizeof(t));
	assert_int_equal(same[0], 1);
	assert_int_equal(same[1], 0);
	assert_int_equal(same[2], 1);
	assert_int_equal(same[3], 0);
	/* places */
	assert_false(swt_rows_put_cols(t, 3, &s, NULL));
	at[0] = 3;
	assert_false(swt_rows_put_cols(t, 4, &s, NULL));
	at[0] = 1;
	/* columns */
	s.proc_cols = bad;
	bad[0] = offsetof(struct swt_proc_row, flags);
	assert_false(swt_rows_put_cols(t, 4, &s, NULL));
	bad[0] = offsetof(struct swt_proc_row, utime) + 4;
	assert_false(swt_rows_put_cols(t, 4, &s, NULL));
	bad[0] = sizeof(struct swt_proc_row);
	assert_false(swt_rows_put_cols(t, 4, &s, NULL));
	bad[0] = offsetof(struct swt_proc_row, socks_other);
	bad[1] = offsetof(struct swt_proc_row, stime);
	assert_true(swt_rows_put_cols(t, 4, &s, NULL));
	assert_int_equal(t[1].socks_other, 11);
	assert_int_equal(t[3].stime, 22);
	for (i = 0; i < sizeof(bad); i++)
		bad[i] = offsetof(struct swt_proc_row, utime);
	s.n_proc_cols = sizeof(bad);
	assert_false(swt_rows_put_cols(t, 4, &s, NULL));
}

/* swt_rows_keep_sample(): a whole sample kept, the next one's listed rows
 * put in place with their repeats; a listed sample that does not follow
 * the one kept in its chunk (one left out, another chunk, nothing kept, a
 * sample without keep_rows before it) refused, leaving nothing kept. */
static void listed_samples_kept_whole(void **state)
{
	struct swt_proc_row p[3], lp[1];
	struct swt_thread_row t[2], lt[1];
	uint32_t pat[1] = { 2 }, tat[1] = { 0 };
	struct swt_rows_kept k = { 0 };
	struct swt_sample w, l;
	size_t i;

	(void)state;
	memset(p, 0, sizeof(p));
	memset(t, 0, sizeof(t));
	for (i = 0; i < 3; i++) {
		p[i].pid = (int32_t)(10 + i);
		p[i].utime = 100;
	}
	t[0].tid = 10;
	t[1].tid = 11;
	t[0].tgid = t[1].tgid = 10;
	lp[0] = p[2];
	lp[0].utime = 150;
	lt[0] = t[0];
	lt[0].utime = 7;
	memset(&w, 0, sizeof(w));
	w.keep_rows = true;
	w.procs = p;
	w.n_procs = 3;
	w.threads = t;
	w.n_threads = 2;
	w.chunk_id = 5;
	w.chunk_sample = 0;
	l = w;
	l.procs = lp;
	l.threads = lt;
	l.proc_listed = l.thread_listed = true;
	l.proc_at = pat;
	l.n_proc_at = 1;
	l.thread_at = tat;
	l.n_thread_at = 1;
	l.chunk_sample = 1;

	/* a listed sample with nothing kept */
	assert_false(swt_rows_keep_sample(&k, &l, true));
	assert_false(k.have);
	/* whole, then listed: put in place, repeats said */
	assert_true(swt_rows_keep_sample(&k, &w, true));
	assert_true(k.have);
	assert_memory_equal(k.procs, p, sizeof(p));
	assert_true(swt_rows_keep_sample(&k, &l, true));
	assert_int_equal(k.sample, 1);
	assert_int_equal(k.procs[2].utime, 150);
	assert_int_equal(k.procs[1].utime, 100);
	assert_int_equal(k.threads[0].utime, 7);
	assert_int_equal(k.proc_same[0], 1);
	assert_int_equal(k.proc_same[2], 0);
	assert_int_equal(k.thread_same[0], 0);
	assert_int_equal(k.thread_same[1], 1);
	/* the same listed sample again: it does not follow */
	assert_false(swt_rows_keep_sample(&k, &l, true));
	assert_false(k.have);
	assert_false(swt_rows_keep_sample(&k, &l, true));
	/* a sample left out */
	assert_true(swt_rows_keep_sample(&k, &w, false));
	l.chunk_sample = 2;
	assert_false(swt_rows_keep_sample(&k, &l, false));
	/* another chunk */
	assert_true(swt_rows_keep_sample(&k, &w, false));
	l.chunk_sample = 1;
	l.chunk_id = 6;
	assert_false(swt_rows_keep_sample(&k, &l, false));
	l.chunk_id = 5;
	/* a place past the table: refused */
	assert_true(swt_rows_keep_sample(&k, &w, false));
	pat[0] = 3;
	assert_false(swt_rows_keep_sample(&k, &l, false));
	assert_false(k.have);
	pat[0] = 2;
	/* a sample without keep_rows keeps nothing; listed, it is refused */
	assert_true(swt_rows_keep_sample(&k, &w, false));
	w.keep_rows = false;
	assert_true(swt_rows_keep_sample(&k, &w, false));
	assert_false(k.have);
	l.keep_rows = false;
	assert_false(swt_rows_keep_sample(&k, &l, false));
	swt_rows_kept_fini(&k);
	assert_null(k.procs);
}

/* The last sample read with deltas asked for (swt_reader_set_deltas()),
 * and what the places said. */
struct kept {
	struct swt_proc_row *procs;
	struct swt_thread_row *thrs;
	uint8_t *psame, *tsame;
	size_t n, nt;
	uint64_t chunk;
	uint32_t sample;
	bool have;
	struct swt_record rec;
	size_t deltas, tdeltas, rows_out, listed, cols;
};

/* One table of a sample read with deltas: when its places are said, the
 * last sample of the chunk is kept, the pids (tids) are its own in the same
 * places, the places ascend, a row not listed is the same as there, and
 * the repeats (proc_same) say just that; listed rows alone are put in
 * their places. The rows, whole, are kept; *same their repeats. */
static void kept_table(void **keep, uint8_t **same, size_t *n_keep,
		       const void *rows, size_t n, size_t size, bool listed,
		       const uint32_t *at, size_t n_at, const uint8_t *same_in,
		       size_t *said, size_t *out)
{
	unsigned char *k;
	size_t i, a = 0;

	assert_true(!listed || at);
	if (at) {
		assert_int_equal(n, *n_keep);
		assert_true(listed ? !same_in : same_in != NULL);
		k = *keep;
		for (i = 0; i < n; i++) {
			bool l = a < n_at && at[a] == i;
			const unsigned char *r =
				listed ? (l ? (const unsigned char *)rows +
						      a * size :
					      k + i * size) :
					 (const unsigned char *)rows + i * size;

			if (l) {
				assert_true(!a || at[a] > at[a - 1]);
				a++;
			} else {
				assert_memory_equal(r, k + i * size, size);
			}
			/* (the id first) */
			assert_memory_equal(r, k + i * size, sizeof(int32_t));
			if (!listed)
				assert_int_equal(same_in[i], !l);
			if (r != k + i * size)
				memcpy(k + i * size, r, size);
			(*same)[i] = !l;
		}
		assert_int_equal(a, n_at);
		(*said)++;
		*out += n - n_at;
		return;
	}
	*keep = realloc(*keep, (n + 1) * size);
	*same = realloc(*same, n + 1);
	assert_non_null(*keep);
	assert_non_null(*same);
	if (n)
		memcpy(*keep, rows, n * size);
	*n_keep = n;
}

/* A sample's listed process rows that come as columns
 * (swt_sample.proc_cols), made rows again from the kept table: into *buf
 * (n_proc_at rows). */
static const struct swt_proc_row *cols_rows(const struct kept *k,
					    const struct swt_sample *s,
					    struct swt_proc_row **buf)
{
	struct swt_proc_row *t;
	size_t i;

	assert_true(s->proc_listed);
	assert_null(s->procs);
	assert_int_equal(s->n_procs, k->n);
	t = malloc((k->n + 1) * sizeof(*t));
	assert_non_null(t);
	if (k->n)
		memcpy(t, k->procs, k->n * sizeof(*t));
	assert_true(swt_rows_put_cols(t, k->n, s, NULL));
	*buf = realloc(*buf, (s->n_proc_at + 1) * sizeof(**buf));
	assert_non_null(*buf);
	for (i = 0; i < s->n_proc_at; i++)
		(*buf)[i] = t[s->proc_at[i]];
	free(t);
	return *buf;
}

/* The sample made whole (as the engine does). */
static const struct swt_record *kept_sample(struct kept *k,
					    const struct swt_record *rec)
{
	const struct swt_sample *s = &rec->u.sample;
	struct swt_proc_row *cbuf = NULL;
	const struct swt_proc_row *prows = s->procs;

	if (s->proc_at || s->thread_at) {
		assert_true(k->have);
		assert_true(s->chunk_id == k->chunk);
		assert_int_equal(s->chunk_sample, k->sample + 1);
	}
	assert_true(!s->proc_at || s->same_pids);
	assert_true(!s->thread_at || s->same_tids);
	if (s->proc_cols) {
		prows = cols_rows(k, s, &cbuf);
		k->cols++;
	}
	kept_table((void **)&k->procs, &k->psame, &k->n, prows,
		   s->n_procs, sizeof(*s->procs), s->proc_listed, s->proc_at,
		   s->n_proc_at, s->proc_same, &k->deltas, &k->rows_out);
	free(cbuf);
	kept_table((void **)&k->thrs, &k->tsame, &k->nt, s->threads,
		   s->n_threads, sizeof(*s->threads), s->thread_listed,
		   s->thread_at, s->n_thread_at, s->thread_same, &k->tdeltas,
		   &k->rows_out);
	k->listed += s->proc_listed;
	k->have = true;
	k->chunk = s->chunk_id;
	k->sample = s->chunk_sample;
	k->rec = *rec;
	k->rec.u.sample.procs = k->procs;
	k->rec.u.sample.threads = k->thrs;
	return &k->rec;
}

/* Samples read with the places of their changed rows said
 * (swt_reader_set_deltas()) are the samples read without, on one thread
 * and on three (there with the changed rows alone handed over, or the
 * whole table), in a sparse file and in the same file damaged (a frame
 * cut short in the middle: the reader starts again at the next chunk), and
 * what the places say holds (kept_table()); a plain file (no sparse
 * sample) says none, and a reader that has read already takes no
 * change. */
static void deltas_say_the_changed_rows(void **state)
{
	struct sandbox *sb = *state;
	struct store s = { 0 };
	struct swt_writer_stats ws;
	char path[2][PATH_MAX + 16];
	int v;

	gen_session(&s, 300, 42);
	for (v = 0; v < 2; v++) {
		struct write_opts wo = { .chunk_raw_bytes = 64 << 10,
					 .finish = true, .plain = v == 1 };

		snprintf(path[v], sizeof(path[v]), "%s/dl%d.swt", sb->dir, v);
		write_store(path[v], &s, &wo, &ws);
	}
	for (v = 0; v < 3; v++) {
		unsigned char *data;
		size_t len;
		struct bytes want = { 0 };
		const struct swt_record *rec;
		struct swt_reader *r;
		int m;

		data = swt_test_read_file(path[v == 2], &len);
		if (v == 1) {
			/* damage in the middle of the file */
			data[len / 2] ^= 0x5a;
			data[len / 2 + 1] ^= 0xa5;
		}
		/* read whole */
		r = open_mem_ok(data, len, 0);
		while (swt_reader_next(r, &rec) == 0)
			if (rec->kind == SWT_REC_SAMPLE)
				sample_text(&want, rec);
		bytes_add(&want, "", 1);
		swt_reader_free(r);
		/* m: 1 thread; 3 with the whole table; 3 with rows listed */
		for (m = 0; m < 3; m++) {
			struct bytes got = { 0 };
			struct kept k = { 0 };

			r = open_mem_ok(data, len, 0);
			if (m)
				assert_ok(swt_reader_set_threads(r, 3));
			assert_ok(swt_reader_set_deltas(r, true, m == 2));
			while (swt_reader_next(r, &rec) == 0)
				if (rec->kind == SWT_REC_SAMPLE)
					sample_text(&got,
						    kept_sample(&k, rec));
			bytes_add(&got, "", 1);
			assert_int_equal(swt_reader_damage_count(r),
					 v == 1 ? 1 : 0);
			assert_int_equal(swt_reader_set_deltas(r, false,
							       false),
					 SWT_EINVAL);
			swt_reader_free(r);
			assert_string_equal(got.p, want.p);
			print_message("# %s, %s: %zu samples said their "
				      "changed processes (%zu listed "
				      "alone), %zu their changed threads; "
				      "%zu rows said unchanged\n",
				      v == 0   ? "sparse" :
				      v == 1 ? "damaged" :
					       "plain",
				      m == 0   ? "1 thread" :
				      m == 1 ? "3 threads" :
					       "3 threads, listed",
				      k.deltas, k.listed, k.tdeltas,
				      k.rows_out);
			if (v == 2) {
				assert_int_equal(k.deltas, 0);
				assert_int_equal(k.tdeltas, 0);
			} else {
				assert_true(k.deltas > 30);
				assert_true(k.tdeltas > 30);
				assert_true(k.rows_out > 100);
				assert_true(m == 2 ? k.listed == k.deltas :
						     k.listed == 0);
				/* (a decoding thread's listed rows go
				 * over as their columns) */
				assert_int_equal(k.cols, k.listed);
			}
			free(got.p);
			free(k.procs);
			free(k.thrs);
			free(k.psame);
			free(k.tsame);
		}
		free(want.p);
		free(data);
	}
	store_fini(&s);
}

/* swrec's sampler tells the writer which rows it read, when the rest
 * stood (swt_sample.changed), and which came and went
 * (swt_sample.removed, .inserted): the file is the same, byte for byte,
 * as when the writer compares every row, and the lists were taken, those
 * with processes come and gone too (not where a pid was reused). */
static void changed_rows_write_the_same_file(void **state)
{
	struct sandbox *sb = *state;
	struct store s = { 0 };
	struct swt_writer_stats ws[2];
	char path[2][PATH_MAX + 16];
	unsigned char *data[2];
	size_t len[2];
	int v;

	gen_session(&s, 300, 42);
	for (v = 0; v < 2; v++) {
		struct write_opts wo = { .chunk_raw_bytes = 64 << 10,
					 .finish = true, .changed = v == 1 };

		snprintf(path[v], sizeof(path[v]), "%s/ch%d.swt", sb->dir, v);
		write_store(path[v], &s, &wo, &ws[v]);
		data[v] = swt_test_read_file(path[v], &len[v]);
	}
	print_message("# %llu of 300 samples with lists of changed rows, "
		      "%llu of them with processes come and gone\n",
		      (unsigned long long)ws[1].changed_lists,
		      (unsigned long long)ws[1].reshaped_lists);
	assert_int_equal(ws[0].changed_lists, 0);
	assert_true(ws[1].changed_lists >= 30);
	assert_true(ws[1].reshaped_lists >= 10);
	assert_int_equal(ws[0].rows_left_out, ws[1].rows_left_out);
	assert_int_equal(len[0], len[1]);
	assert_memory_equal(data[0], data[1], len[0]);
	free(data[0]);
	free(data[1]);
	store_fini(&s);
}

/* A sample claiming more rows than any machine has tasks: each costs the
 * reader a row of about 150 bytes whatever one byte encodes it, so such a
 * record is damage, not gigabytes allocated; the samples before it are
 * read, on one thread or two. */
static void sample_rows_are_bounded(void **state)
{
	struct sandbox *sb = *state;
	struct store s = { 0 };
	struct layout l;
	struct enc_sample es[ENC_SAMPLES];
	struct bytes file = { 0 }, got = { 0 }, extra = { 0 };
	unsigned char *data;
	size_t len, i;
	int c;

	data = small_session(sb, &s, &len, &l);
	enc_samples(es, 7);
	/* c 0: processes alone, one over; c 1: processes and threads
	 * together, one over (neither alone is) */
	for (c = 0; c < 2; c++) {
		struct bytes smp = { 0 }, rec = { 0 }, col = { 0 };
		size_t n = c == 0 ? SWT_MAX_SAMPLE_ROWS + 1 :
				    SWT_MAX_SAMPLE_ROWS / 2 + 1;
		size_t nt = c == 0 ? 0 : SWT_MAX_SAMPLE_ROWS / 2;

		/* pids 1, 2, 3 ...: a delta of 1 each, one byte */
		for (i = 0; i < n; i++)
			pb_varint(&col, 2);
		pb_field_bytes(&smp, 10, col.p, col.len);
		if (nt) {
			col.len = 0;
			for (i = 0; i < nt; i++)
				pb_varint(&col, 2);
			pb_field_bytes(&smp, 30, col.p, col.len);
		}
		extra.len = 0;
		pb_field_varint(&rec, 1, zigzag(1));
		pb_field_bytes(&rec, 5, smp.p, smp.len);
		pb_delimited(&extra, &rec);
		enc_file(&file, data, &l, es, ENC_WRITER, &extra);
		expect_damage(&file, "damage -3 sample with more rows than "
				     "a machine has tasks at byte ", c);
		/* the three samples before it were read */
		enc_read(&file, 1, &got);
		assert_non_null(strstr((char *)got.p, "\np 45 "));
		free(smp.p);
		free(rec.p);
		free(col.p);
	}
	free(file.p);
	free(got.p);
	free(extra.p);
	free(data);
	store_fini(&s);
}

/* ---- tests: the zstd CLI ----------------------------------------------- */

static void zstd_cli_reads_finished_file(void **state)
{
	struct sandbox *sb = *state;
	struct store s = { 0 };
	struct swt_writer_stats ws;
	char file[PATH_MAX + 64], raw[PATH_MAX + 64], cmd[3 * PATH_MAX];
	unsigned char *data;
	size_t len, off = 0, n = 0, strings = 0, sparse = 0;

	gen_session(&s, 200, 61);
	swt_test_path(file, sizeof(file), sb->dir, "cli.swt");
	swt_test_path(raw, sizeof(raw), sb->dir, "cli.raw");
	write_finished(file, &s, 4096, &ws);
	assert_true(ws.chunks >= 3);
	snprintf(cmd, sizeof(cmd), "zstd -q -t '%s'", file);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "zstd -q -dc '%s' > '%s'", file, raw);
	assert_int_equal(system(cmd), 0);
	data = swt_test_read_file(raw, &len);
	assert_int_equal(len, ws.raw_bytes);
	/* varint length | Record, back to back, nothing else */
	while (off < len) {
		const unsigned char *msg;
		size_t rlen = swt_test_next_record(data, len, &off, &msg);
		int kind = swt_test_record_kind(msg, rlen);

		assert_true(kind >= 2 && kind <= 12);
		/* protobuf-c's own encoding, byte for byte (the writer
		 * encodes some kinds itself) */
		{
			Swt__Pb__Record *m =
				swt__pb__record__unpack(NULL, rlen, msg);
			unsigned char *re;

			assert_non_null(m);
			assert_int_equal(swt__pb__record__get_packed_size(m),
					 rlen);
			re = malloc(rlen + 1);
			assert_int_equal(swt__pb__record__pack(m, re), rlen);
			assert_memory_equal(re, msg, rlen);
			free(re);
			swt__pb__record__free_unpacked(m, NULL);
		}
		if (kind == 2)
			strings++;
		else
			n++;
		if (kind == 11 || kind == 12)
			sparse++;
	}
	assert_int_equal(off, len);
	assert_int_equal(n, s.n);
	assert_true(strings > 0);
	assert_true(sparse > 0);	/* idle processes were left out */
	free(data);
	store_fini(&s);
}

/* ---- tests: writer refusals -------------------------------------------- */

static int open_writer(struct swt_writer **w, const char *path, bool force,
		       char *err, size_t errlen)
{
	struct swt_writer_opts o;
	struct swt_header h;

	writer_opts(&o, 0);
	o.force = force;
	test_header(&h);
	*w = (struct swt_writer *)&o; /* must be reset to NULL on failure */
	err[0] = '\0';
	return swt_writer_open(w, path, &o, &h, err, errlen);
}

static void writer_refuses_existing_file(void **state)
{
	struct sandbox *sb = *state;
	struct swt_writer *w;
	struct swt_reader *r;
	char err[512];
	size_t len;
	unsigned char *data;
	const char *path = sandbox_path(sb, "exists.swt");

	swt_test_write_file(path, "keep me", 7);
	assert_status(SWT_EEXIST, open_writer(&w, path, false, err,
					      sizeof(err)));
	assert_null(w);
	assert_contains(err, path);
	data = swt_test_read_file(path, &len);
	assert_int_equal(len, 7);
	assert_memory_equal(data, "keep me", 7);
	free(data);
	/* force replaces it */
	assert_ok(open_writer(&w, path, true, err, sizeof(err)));
	assert_non_null(w);
	assert_ok(swt_writer_finish(w, NULL, 0));
	swt_writer_free(w);
	r = open_path_ok(path, 0);
	expect_header_record(r);
	swt_reader_free(r);
}

static void writer_refuses_symlink(void **state)
{
	struct sandbox *sb = *state;
	struct swt_writer *w;
	char target[PATH_MAX + 64], link1[PATH_MAX + 64],
		link2[PATH_MAX + 64], err[512];
	struct stat st;
	unsigned char *data;
	size_t len;

	swt_test_path(target, sizeof(target), sb->dir, "target");
	swt_test_path(link1, sizeof(link1), sb->dir, "to-target.swt");
	swt_test_path(link2, sizeof(link2), sb->dir, "dangling.swt");
	swt_test_write_file(target, "victim", 6);
	assert_int_equal(symlink(target, link1), 0);
	assert_int_equal(symlink("nowhere.swt", link2), 0);

	assert_status(SWT_EEXIST, open_writer(&w, link1, false, err,
					      sizeof(err)));
	assert_null(w);
	assert_status(SWT_EEXIST, open_writer(&w, link2, false, err,
					      sizeof(err)));
	assert_null(w);
	/* not even with force, which replaces regular files only: a
	 * symlink path is a bad argument */
	assert_status(SWT_EINVAL,
		      open_writer(&w, link1, true, err, sizeof(err)));
	assert_null(w);
	assert_contains(err, link1);
	assert_status(SWT_EINVAL,
		      open_writer(&w, link2, true, err, sizeof(err)));
	assert_null(w);
	/* nothing was touched */
	data = swt_test_read_file(target, &len);
	assert_int_equal(len, 6);
	assert_memory_equal(data, "victim", 6);
	free(data);
	assert_int_equal(lstat(link1, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(lstat(link2, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	swt_test_path(target, sizeof(target), sb->dir, "nowhere.swt");
	assert_int_equal(lstat(target, &st), -1);
}

static void writer_reports_eio_for_unwritable_dir(void **state)
{
	struct sandbox *sb = *state;
	struct swt_writer *w;
	char dir[PATH_MAX + 64], path[2 * PATH_MAX], err[1024];
	int fds[2], wstatus, status = 0;
	pid_t pid;

	/* a missing directory */
	snprintf(path, sizeof(path), "%s/no/such/dir/x.swt", sb->dir);
	assert_status(SWT_EIO, open_writer(&w, path, false, err, sizeof(err)));
	assert_null(w);
	assert_contains(err, path);
	assert_contains(err, strerror(ENOENT));

	/* a directory we may not write: as an unprivileged user (root may
	 * write anywhere), in a child that reports back through a pipe */
	swt_test_path(dir, sizeof(dir), sb->dir, "ro");
	assert_int_equal(mkdir(dir, 0555), 0);
	assert_int_equal(chmod(sb->dir, 0755), 0);
	snprintf(path, sizeof(path), "%s/x.swt", dir);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int rc;

		close(fds[0]);
		if (geteuid() == 0 &&
		    (setgid(65534) != 0 || setuid(65534) != 0))
			_exit(30);
		rc = open_writer(&w, path, false, err, sizeof(err));
		if (write(fds[1], &rc, sizeof(rc)) != sizeof(rc) ||
		    write(fds[1], err, sizeof(err)) != sizeof(err))
			_exit(31);
		_exit(0);
	}
	close(fds[1]);
	memset(err, 0, sizeof(err));
	assert_int_equal(read(fds[0], &status, sizeof(status)),
			 sizeof(status));
	assert_int_equal(read(fds[0], err, sizeof(err)), sizeof(err));
	close(fds[0]);
	assert_int_equal(waitpid(pid, &wstatus, 0), pid);
	assert_true(WIFEXITED(wstatus));
	assert_int_equal(WEXITSTATUS(wstatus), 0);
	err[sizeof(err) - 1] = '\0';
	assert_status(SWT_EIO, status);
	assert_contains(err, path);
	assert_contains(err, strerror(EACCES));
	assert_int_equal(access(path, F_OK), -1);
}

/* Bad records are refused with SWT_EINVAL, write nothing, and leave the
 * writer usable. */
static void writer_rejects_bad_records(void **state)
{
	struct sandbox *sb = *state;
	struct store good = { 0 };
	struct swt_writer_opts o;
	struct swt_writer *w = NULL;
	struct swt_header h;
	struct swt_reader *r;
	struct swt_record bad;
	const char *path = sandbox_path(sb, "bad.swt");
	static const struct swt_proc_row unsorted[] = { { .pid = 5 },
							{ .pid = 3 } };
	static const struct swt_proc_row dup[] = { { .pid = 5 },
						   { .pid = 5 } };
	static const struct swt_thread_row tunsorted[] = {
		{ .tid = 9, .tgid = 9, .name = "a" },
		{ .tid = 8, .tgid = 9, .name = "b" } };
	struct swt_event backwards[2] = {
		{ 0, SWT_EV_BEGIN, 1, "x", 0 },
		{ 0, SWT_EV_END, 1, "x", 0 } };
	size_t i;

	gen_session(&good, 4, 71);
	writer_opts(&o, 0);
	test_header(&h);
	assert_ok(swt_writer_open(&w, path, &o, &h, NULL, 0));
	for (i = 0; i + 1 < good.n; i++) {
		memset(&bad, 0, sizeof(bad));
		bad.t_ns = good.recs[i].t_ns;
		switch (i % 7) {
		case 0:
			bad.kind = SWT_REC_HEADER;
			test_header(&bad.u.header);
			break;
		case 1:
			bad.kind = (enum swt_record_kind)0;
			break;
		case 2:
			bad.kind = (enum swt_record_kind)42;
			break;
		case 3:
			bad.kind = SWT_REC_SAMPLE;
			bad.u.sample.n_procs = 2;
			bad.u.sample.procs = unsorted;
			break;
		case 4:
			bad.kind = SWT_REC_SAMPLE;
			bad.u.sample.n_procs = 2;
			bad.u.sample.procs = dup;
			break;
		case 5:
			bad.kind = SWT_REC_SAMPLE;
			bad.u.sample.n_threads = 2;
			bad.u.sample.threads = tunsorted;
			break;
		case 6:
			/* in record time order, but not within */
			backwards[0].t_ns = bad.t_ns + 10;
			backwards[1].t_ns = bad.t_ns + 5;
			bad.kind = SWT_REC_EVENTS;
			bad.t_ns = backwards[0].t_ns;
			bad.u.events.pid = 1;
			bad.u.events.n = 2;
			bad.u.events.events = backwards;
			break;
		}
		if (swt_writer_append(w, &bad) != SWT_EINVAL)
			print_error("bad record variant %zu accepted\n", i % 7);
		assert_status(SWT_EINVAL, swt_writer_append(w, &bad));
		assert_true(swt_writer_errmsg(w)[0] != '\0');
		assert_ok(swt_writer_append(w, &good.recs[i]));
	}
	assert_ok(swt_writer_finish(w, &good.recs[i].u.end,
				    good.recs[i].t_ns));
	swt_writer_free(w);
	r = open_path_ok(path, 0);
	expect_header_record(r);
	assert_int_equal(expect_records(r, &good, 0), good.n);
	assert_int_equal(swt_reader_damage_count(r), 0);
	swt_reader_free(r);
	store_fini(&good);
}

/* swt_writer_fdopen takes the descriptor: closed after finish/free, and
 * also when opening fails. */
static void writer_fdopen_owns_the_descriptor(void **state)
{
	struct sandbox *sb = *state;
	struct store s = { 0 };
	struct swt_writer_opts o;
	struct swt_writer *w = NULL;
	struct swt_header h;
	struct swt_reader *r;
	char err[256] = "";
	size_t i;
	int fd;
	const char *path = sandbox_path(sb, "fd.swt");

	gen_session(&s, 10, 81);
	writer_opts(&o, 0);
	test_header(&h);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_ok(swt_writer_fdopen(&w, fd, "fd.swt", &o, &h, err,
				    sizeof(err)));
	for (i = 0; i + 1 < s.n; i++)
		assert_ok(swt_writer_append(w, &s.recs[i]));
	assert_ok(swt_writer_finish(w, &s.recs[i].u.end, s.recs[i].t_ns));
	swt_writer_free(w);
	assert_int_equal(fcntl(fd, F_GETFD), -1);
	r = open_path_ok(path, 0);
	expect_header_record(r);
	assert_int_equal(expect_records(r, &s, 0), s.n);
	swt_reader_free(r);

	/* a read-only descriptor: the header cannot be written */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	w = (struct swt_writer *)&o;
	assert_status(SWT_EIO, swt_writer_fdopen(&w, fd, "ro-fd", &o, &h,
						 err, sizeof(err)));
	assert_null(w);
	assert_contains(err, "ro-fd");
	assert_int_equal(fcntl(fd, F_GETFD), -1);
	store_fini(&s);
}

/* ---- tests: strict mode ------------------------------------------------ */

static void strict_mode_returns_damage_status(void **state)
{
	struct sandbox *sb = *state;
	struct store s = { 0 };
	struct layout l;
	struct swt_reader *r;
	const struct swt_record *rec;
	unsigned char *data;
	size_t len, n = 0, start[MAX_FRAMES + 1];
	const struct frame *f;
	int rc;
	const char *path = sandbox_path(sb, "strict.swt");

	gen_session(&s, 100, 91);
	write_finished(path, &s, 4096, NULL);
	data = swt_test_read_file(path, &len);
	file_layout(data, len, &l);
	assert_true(l.n_chunks >= 3);
	chunk_starts(data, &l, start);
	/* the last byte of chunk 1 is its checksum */
	f = &l.f[l.chunk[1]];
	data[f->off + f->len - 1] ^= 0xff;
	r = open_mem_ok(data, len, SWT_READER_STRICT);
	expect_header_record(r);
	while ((rc = swt_reader_next(r, &rec)) == 0)
		n++;
	assert_status(SWT_ECORRUPT, rc);
	assert_int_equal(n, start[1]);
	assert_true(swt_reader_errmsg(r)[0] != '\0');
	/* next continues after the damage */
	while ((rc = swt_reader_next(r, &rec)) == 0)
		n++;
	assert_status(SWT_ITEROVER, rc);
	assert_int_equal(n, s.n - (start[2] - start[1]));
	assert_int_equal(swt_reader_damage_count(r), 1);
	swt_reader_free(r);

	/* truncated inside the last chunk */
	f = &l.f[l.chunk[l.n_chunks - 1]];
	r = open_mem_ok(data, f->off + f->len / 2, SWT_READER_STRICT);
	expect_header_record(r);
	do
		rc = swt_reader_next(r, &rec);
	while (rc == 0);
	assert_status(SWT_ECORRUPT, rc); /* chunk 1, again */
	do
		rc = swt_reader_next(r, &rec);
	while (rc == 0);
	assert_status(SWT_ETRUNCATED, rc);
	assert_status(SWT_ITEROVER, swt_reader_next(r, &rec));
	swt_reader_free(r);
	free(data);
	store_fini(&s);
}

/* ---- tests: committed corrupt fixtures --------------------------------- */

/* fixtures/corrupt/<name>/session.swt with fixtures/corrupt/<name>/expected:
 * "open STATUS substring" (swt_reader_open fails so) or "next STATUS
 * substring" (opens; in strict mode a next() fails so, message in
 * swt_reader_errmsg()). */
/* One line of an expected file: "WHERE STATUS SUBSTRING". */
static void parse_expected(char *line, char *where, char *status,
			   const char **sub)
{
	const char *p;

	line[strcspn(line, "\n")] = '\0';
	assert_int_equal(sscanf(line, "%15s %31s", where, status), 2);
	p = strstr(line, status) + strlen(status);
	while (*p == ' ')
		p++;
	*sub = p;
}

/* The expected file's first line says what open() or the first damage
 * status of a strict reader must be; each further "next" line is the next
 * damage status met when reading goes on after the previous one. */
static void check_fixture(const char *dir, const char *name)
{
	char path[PATH_MAX + 300], line[512], err[512] = "";
	char where[16], status[32];
	const char *sub;
	struct swt_reader *r = NULL;
	const struct swt_record *rec;
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/%s/expected", dir, name);
	f = fopen(path, "r");
	if (!f) {
		print_error("%s: %s\n", path, strerror(errno));
		fail();
	}
	assert_non_null(fgets(line, sizeof(line), f));
	parse_expected(line, where, status, &sub);
	snprintf(path, sizeof(path), "%s/%s/session.swt", dir, name);
	rc = swt_reader_open(&r, path, SWT_READER_STRICT, err, sizeof(err));
	if (strcmp(where, "open") == 0) {
		if (strcmp(swt_status_name(rc), status) != 0 ||
		    !strstr(err, sub))
			print_error("%s: open gave %s \"%s\", expected %s "
				    "\"%s\"\n", name, swt_status_name(rc), err,
				    status, sub);
		assert_string_equal(swt_status_name(rc), status);
		assert_contains(err, sub);
		assert_null(r);
		assert_null(fgets(line, sizeof(line), f));
		fclose(f);
		return;
	}
	if (strcmp(where, "analyze") == 0) {
		/* intact chunks, absurd values: the reader reads it all
		 * (tests/test_engine.c checks what the engine says) */
		assert_ok(rc);
		while ((rc = swt_reader_next(r, &rec)) == 0)
			;
		assert_status(SWT_ITEROVER, rc);
		swt_reader_free(r);
		fclose(f);
		return;
	}
	if (rc != 0)
		print_error("%s: %s\n", name, err);
	assert_ok(rc);
	for (;;) {
		assert_string_equal(where, "next");
		while ((rc = swt_reader_next(r, &rec)) == 0)
			;
		if (strcmp(swt_status_name(rc), status) != 0 ||
		    !strstr(swt_reader_errmsg(r), sub))
			print_error("%s: next gave %s \"%s\", expected %s "
				    "\"%s\"\n", name, swt_status_name(rc),
				    swt_reader_errmsg(r), status, sub);
		assert_string_equal(swt_status_name(rc), status);
		assert_contains(swt_reader_errmsg(r), sub);
		if (!fgets(line, sizeof(line), f))
			break;
		parse_expected(line, where, status, &sub);
	}
	fclose(f);
	swt_reader_free(r);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void corrupt_fixtures_fail_as_expected(void **state)
{
	const char *dir = SWT_FIXTURE_DIR "/corrupt";
	char *names[64];
	size_t n = 0, i;
	struct dirent *de;
	DIR *d = opendir(dir);

	(void)state;
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		char p[PATH_MAX + 300];
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s/session.swt", dir, de->d_name);
		if (stat(p, &st) != 0)
			continue;
		assert_true(n < 64);
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	assert_true(n >= 6);
	qsort(names, n, sizeof(names[0]), cmp_str);
	for (i = 0; i < n; i++) {
		check_fixture(dir, names[i]);
		free(names[i]);
	}
}

/* ---- decoding on several threads --------------------------------------- */

static void expect_same_damage(const struct swt_damage *e,
			       const struct swt_damage *a)
{
	assert_non_null(e);
	assert_non_null(a);
	assert_int_equal(e->offset, a->offset);
	assert_int_equal(e->length, a->length);
	assert_int_equal(e->status, a->status);
	assert_true(e->t_prev_ns == a->t_prev_ns);
	assert_int_equal(e->no_loss, a->no_loss);
	assert_int_equal(e->lost_span, a->lost_span);
	assert_true(e->lost_first_ns == a->lost_first_ns);
	assert_true(e->lost_last_ns == a->lost_last_ns);
	assert_string_equal(e->what, a->what);
}

/* What reader b (on several threads) has said so far is what a (on the
 * caller's thread) has: damage, statistics, message. */
static void expect_same_state(struct swt_reader *a, struct swt_reader *b)
{
	struct swt_reader_stats sa, sb;
	size_t i;

	assert_int_equal(swt_reader_damage_count(a),
			 swt_reader_damage_count(b));
	for (i = 0; i < swt_reader_damage_count(a); i++)
		expect_same_damage(swt_reader_get_damage(a, i),
				   swt_reader_get_damage(b, i));
	swt_reader_get_stats(a, &sa);
	swt_reader_get_stats(b, &sb);
	assert_int_equal(sa.file_size, sb.file_size);
	assert_int_equal(sa.chunks, sb.chunks);
	assert_int_equal(sa.chunks_ok, sb.chunks_ok);
	assert_int_equal(sa.chunks_salvaged, sb.chunks_salvaged);
	assert_int_equal(sa.records, sb.records);
	assert_int_equal(sa.proc_samples, sb.proc_samples);
	assert_int_equal(sa.unknown_records, sb.unknown_records);
	assert_true(sa.t_first_ns == sb.t_first_ns);
	assert_true(sa.t_last_ns == sb.t_last_ns);
	assert_int_equal(sa.has_index, sb.has_index);
	assert_int_equal(sa.has_end, sb.has_end);
	assert_string_equal(swt_reader_errmsg(a), swt_reader_errmsg(b));
}

/* Read `data` on one thread and on `threads`, side by side: every status
 * of next(), every record and the offset of its frame, and at the end the
 * damage, the statistics and the message must be the same. Returns the
 * records read. */
static size_t expect_same_with_threads(const unsigned char *data, size_t len,
				       unsigned flags, unsigned threads)
{
	struct swt_reader *a = open_mem_ok(data, len, flags);
	struct swt_reader *b = open_mem_ok(data, len, flags);
	const struct swt_record *ra, *rb;
	size_t n = 0;
	int sa, sb;

	assert_ok(swt_reader_set_threads(b, threads));
	assert_true(swt_reader_get_threads(b) <= threads);
	for (;;) {
		sa = swt_reader_next(a, &ra);
		sb = swt_reader_next(b, &rb);
		assert_int_equal(sa, sb);
		if (sa == SWT_ITEROVER)
			break;
		if (sa == 0) {
			assert_record_equal(ra, rb);
			assert_int_equal(swt_reader_get_offset(a),
					 swt_reader_get_offset(b));
			n++;
		} else {
			assert_string_equal(swt_reader_errmsg(a),
					    swt_reader_errmsg(b));
		}
	}
	expect_same_state(a, b);
	swt_reader_free(a);
	swt_reader_free(b);
	return n;
}

static const unsigned thread_counts[] = { 2, 3, 8 };
static const unsigned read_modes[] = { 0, SWT_READER_NO_INDEX,
				       SWT_READER_STRICT,
				       SWT_READER_STRICT | SWT_READER_NO_INDEX };

static void expect_same_in_every_mode(const unsigned char *data, size_t len)
{
	size_t m, t;

	for (m = 0; m < sizeof(read_modes) / sizeof(*read_modes); m++)
		for (t = 0; t < sizeof(thread_counts) / sizeof(*thread_counts);
		     t++)
			expect_same_with_threads(data, len, read_modes[m],
						 thread_counts[t]);
}

/* A finished file of many chunks, with and without its index. */
static void threads_give_the_same_records(void **state)
{
	struct sandbox *sb = *state;
	struct store s = { 0 };
	const char *path = sandbox_path(sb, "threads.swt");
	const struct swt_record *rec;
	struct swt_reader *r;
	unsigned char *data;
	size_t len, i;

	gen_session(&s, 300, 42);
	write_finished(path, &s, 4096, NULL);
	data = swt_test_read_file(path, &len);
	expect_same_in_every_mode(data, len);
	/* the header and every record */
	assert_int_equal(expect_same_with_threads(data, len, 0, 3), s.n + 1);
	/* the threads do start on a file with chunks */
	r = open_mem_ok(data, len, 0);
	assert_ok(swt_reader_set_threads(r, 3));
	assert_int_equal(swt_reader_get_threads(r), 3);
	assert_status(SWT_EINVAL, swt_reader_set_threads(r, 0));
	assert_status(SWT_EINVAL, swt_reader_set_threads(
					  r, SWT_READER_MAX_THREADS + 1));
	expect_header_record(r);
	assert_int_equal(expect_records(r, &s, 0), s.n);
	swt_reader_free(r);
	/* freed while the threads decode ahead: they stop before the file
	 * is unmapped */
	r = open_path_ok(path, 0);
	assert_ok(swt_reader_set_threads(r, 3));
	expect_header_record(r);
	for (i = 0; i < 5; i++) {
		assert_ok(swt_reader_next(r, &rec));
		assert_record_equal(&s.recs[i], rec);
	}
	swt_reader_free(r);
	free(data);
	store_fini(&s);
}

/* Damage: a flipped byte in a chunk (first, middle, last), garbage between
 * two chunks (a resynchronisation the threads cannot predict), two chunks
 * swapped, the index cut off, and the file cut at many places (unfinished
 * last frames, salvaged). */
static void threads_report_damage_the_same(void **state)
{
	struct sandbox *sb = *state;
	struct store s = { 0 };
	const char *path = sandbox_path(sb, "threads-damage.swt");
	struct layout l;
	struct bytes b = { 0 };
	unsigned char *data, *copy;
	size_t len, k, cut;

	gen_session(&s, 200, 31);
	write_finished(path, &s, 4096, NULL);
	data = swt_test_read_file(path, &len);
	file_layout(data, len, &l);
	assert_true(l.n_chunks >= 4);
	copy = malloc(len);
	assert_non_null(copy);
	for (k = 0; k < l.n_chunks; k += l.n_chunks / 2 ? l.n_chunks / 2 : 1) {
		const struct frame *f = &l.f[l.chunk[k]];

		memcpy(copy, data, len);
		copy[f->off + f->len / 2] ^= 0x5a;
		expect_same_in_every_mode(copy, len);
	}
	{	/* garbage after the second chunk */
		const struct frame *f = &l.f[l.chunk[1]];
		static const char junk[37] = "not a frame, not a frame, not a fr";

		bytes_add(&b, data, f->off + f->len);
		bytes_add(&b, junk, sizeof(junk));
		bytes_add(&b, data + f->off + f->len, len - f->off - f->len);
		expect_same_in_every_mode(b.p, b.len);
	}
	{	/* chunks 1 and 2 swapped (both the same size or not) */
		const struct frame *f1 = &l.f[l.chunk[1]];
		const struct frame *f2 = &l.f[l.chunk[2]];

		b.len = 0;
		bytes_add(&b, data, f1->off);
		bytes_add(&b, data + f2->off, f2->len);
		bytes_add(&b, data + f1->off, f1->len);
		bytes_add(&b, data + f2->off + f2->len,
			  len - f2->off - f2->len);
		expect_same_in_every_mode(b.p, b.len);
	}
	/* no index: the file up to the end of its last chunk */
	{
		const struct frame *f = &l.f[l.chunk[l.n_chunks - 1]];

		expect_same_in_every_mode(data, f->off + f->len);
	}
	/* cut anywhere: inside frames (salvaged), at their ends */
	for (cut = l.hdr_end; cut < len; cut += 211)
		expect_same_with_threads(data, cut, 0, 2);
	for (k = 0; k < l.n_chunks; k++) {
		const struct frame *f = &l.f[l.chunk[k]];

		expect_same_with_threads(data, f->off + f->len - 1, 0, 3);
		expect_same_with_threads(data, f->off + f->len / 2,
					 SWT_READER_STRICT, 8);
	}
	free(b.p);
	free(copy);
	free(data);
	store_fini(&s);
}

/* Seeks (back and forth, past the end) with decoding threads. */
static void threads_seek_the_same(void **state)
{
	struct sandbox *sb = *state;
	struct store s = { 0 };
	const char *path = sandbox_path(sb, "threads-seek.swt");
	unsigned flags[] = { 0, SWT_READER_NO_INDEX };
	size_t i;

	gen_session(&s, 150, 12);
	write_finished(path, &s, 4096, NULL);
	for (i = 0; i < 2; i++) {
		struct swt_reader *r = open_path_ok(path, flags[i]);

		assert_ok(swt_reader_set_threads(r, 2 + (unsigned)i));
		check_seeks(r, &s, s.n);
		assert_int_equal(swt_reader_damage_count(r), 0);
		swt_reader_free(r);
	}
	store_fini(&s);
}

#define SB(f) cmocka_unit_test_setup_teardown(f, sandbox_setup, \
					      sandbox_teardown)

/* The constant CRC-32C table is the one the bitwise definition gives, and
 * the CRC the standard check value ("123456789" -> 0xE3069283). */
static void crc32c_table_and_check_value(void **state)
{
	uint32_t i, j, c;

	(void)state;
	for (i = 0; i < 256; i++) {
		c = i;
		for (j = 0; j < 8; j++)
			c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
		assert_int_equal(swt_codec__crc32c_table[i], c);
	}
	assert_int_equal(swt_codec__crc32c("123456789", 9), 0xE3069283u);
	assert_int_equal(swt_codec__crc32c("", 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(crc32c_table_and_check_value),
		cmocka_unit_test(kind_names_are_distinct),
		SB(roundtrip_every_record_kind),
		SB(roundtrip_extreme_values),
		SB(roundtrip_record_larger_than_chunk),
		SB(many_chunks_round_trip),
		SB(each_chunk_decodes_alone),
		SB(seek_with_index),
		SB(seek_ignoring_index),
		SB(seek_in_file_without_index),
		SB(seek_with_index_skips_earlier_chunks),
		SB(truncated_at_every_byte),
		SB(crash_after_flush_keeps_flushed_records),
		SB(directory_leaves_out_processes_that_exit_at_once),
		SB(crash_after_flush_across_chunks),
		SB(crash_by_sigkill_keeps_flushed_records),
		SB(corrupt_byte_loses_one_chunk),
		SB(corrupt_index_falls_back_to_scan),
		SB(swapped_chunks_are_damage),
		SB(index_times_must_match_the_chunks),
		SB(open_refuses_empty_session_header),
		SB(open_rejects_wrong_magic),
		SB(open_missing_file_is_enotfound),
		SB(open_refuses_future_major_version),
		SB(oversized_length_prefix_is_corruption),
		SB(unknown_record_kind_is_skipped),
		SB(sample_encodings_decode_alike),
		SB(sample_rows_are_bounded),
		SB(sparse_samples_decode_as_full),
		SB(sparse_threads_decode_as_full),
		SB(sparse_writer_reads_as_plain),
		SB(deltas_say_the_changed_rows),
		cmocka_unit_test(listed_columns_put_in_place),
		cmocka_unit_test(listed_samples_kept_whole),
		SB(changed_rows_write_the_same_file),
		SB(zstd_cli_reads_finished_file),
		SB(writer_refuses_existing_file),
		SB(writer_refuses_symlink),
		SB(writer_reports_eio_for_unwritable_dir),
		SB(writer_rejects_bad_records),
		SB(writer_fdopen_owns_the_descriptor),
		SB(strict_mode_returns_damage_status),
		SB(threads_give_the_same_records),
		SB(threads_report_damage_the_same),
		SB(threads_seek_the_same),
		cmocka_unit_test(corrupt_fixtures_fail_as_expected),
	};

	return cmocka_run_group_tests_name("codec", tests, NULL, NULL);
}
