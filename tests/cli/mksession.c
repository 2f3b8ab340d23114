/* mksession — write small, exactly known session files for the CLI tests.
 *
 *   mksession clean PATH      every record kind, finished cleanly
 *   mksession crash PATH      the same records, flushed, then the writer is
 *                             freed without finish (as after kill -9)
 *   mksession big PATH N      N samples of 16 processes in many small
 *                             chunks, finished cleanly
 *   mksession spans PATH      spans that break the rules (an END that
 *                             closes inner spans, an END without BEGIN,
 *                             a span never ended, an END earlier than the
 *                             thread's last event), an execve() and a
 *                             reused pid, names with commas and quotes:
 *                             what swreplay --export must repair
 *
 * It prints "records N" (records appended, the end record included) so the
 * tests can compare with what swreplay reads back. Written at a pinned zstd
 * level, without fsync (the tests do not need durability). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swt_status.h"
#include "swt_writer.h"

#define T0 INT64_C(1000000000)		/* first record time, ns */
#define TICK INT64_C(100000000)		/* 100 ms between records */
#define BIG_PROCS 16

static const char *const command[] = { "sh", "-c", "echo \"hi\"\tthere" };

static void make_header(struct swt_header *h)
{
	memset(h, 0, sizeof(*h));
	h->recorder = "mksession 1";
	h->kernel = "6.1.0-test";
	h->clock_ticks = 100;
	h->page_size = 4096;
	h->cpu_count = 2;
	h->mem_total_kib = 8000000;
	h->interval_ns = TICK;
	h->flush_interval_ns = 10 * TICK;
	h->start_mono_ns = T0;
	h->start_wall_ns = INT64_C(1700000000000000000);
	h->mode = SWT_MODE_LAUNCH;
	h->n_command = sizeof(command) / sizeof(command[0]);
	h->command = command;
	h->boot_time_s = 1700000000;
	h->threads = true;
}

static int append(struct swt_writer *w, const struct swt_record *rec,
		  unsigned *n)
{
	int err = swt_writer_append(w, rec);

	if (err < 0)
		fprintf(stderr, "mksession: append: %s: %s\n",
			swt_status_name(err), swt_writer_errmsg(w));
	else
		(*n)++;
	return err;
}

/* Two processes, one sample before and one after a few events, an alert,
 * drops, an anomaly and an exit: every kind the writer takes. */
static int write_small(struct swt_writer *w, unsigned *n)
{
	static const char cmd_sh[] = "sh\0-c\0echo hi";	/* + final NUL */
	/* a rewritten title: invalid UTF-8 and no final NUL */
	static const char cmd_worker[] = { 'w', '\xc3', '\xb6', 'r', 'k', 0,
					   '-', '\xff', 'x' };
	static const char detail[] = { 'a', 0, 'b', '"' };
	struct swt_proc_row procs[2];
	static const struct swt_netdev netdevs[2] = { { "lo", 1000, 1000 },
						      { "eth0", 5000, 7000 } };
	struct swt_thread_row threads[3] = {
		{ 100, 100, "sh", 3, 1 },
		{ 101, 101, "w\xc3\xb6rker", 10, 2 },
		{ 102, 101, "io \"thread\"", 4, 4 },
	};
	/* a span measured by the client (thread CPU time, RSS readings
	 * around it: swt_record.h) */
	struct swt_event events[6] = {
		{ T0 + 4 * TICK, SWT_EV_RSS, 102, "parse", 2048 },
		{ T0 + 4 * TICK, SWT_EV_BEGIN, 102, "parse", 7000000 },
		{ T0 + 4 * TICK + 10, SWT_EV_COUNT, 102, "items", 5 },
		{ T0 + 4 * TICK + 20, SWT_EV_END, 102, "parse", 7000015 },
		{ T0 + 4 * TICK + 20, SWT_EV_RSS, 102, "parse", 3072 },
		{ T0 + 4 * TICK + 30, SWT_EV_MARK, 101, "done", 0 },
	};
	struct swt_record rec;
	int err;

	memset(&rec, 0, sizeof(rec));
	rec.kind = SWT_REC_PROC_START;
	rec.t_ns = T0;
	rec.u.proc_start.pid = 100;
	rec.u.proc_start.ppid = 1;
	rec.u.proc_start.start_ticks = 5000;
	rec.u.proc_start.comm = "sh";
	rec.u.proc_start.cmdline = cmd_sh;
	rec.u.proc_start.cmdline_len = sizeof(cmd_sh);
	rec.u.proc_start.uid = 1000;
	SWT_TRY(err = append(w, &rec, n));

	memset(&rec, 0, sizeof(rec));
	rec.kind = SWT_REC_PROC_START;
	rec.t_ns = T0 + TICK;
	rec.u.proc_start.pid = 101;
	rec.u.proc_start.ppid = 100;
	rec.u.proc_start.start_ticks = 5010;
	rec.u.proc_start.comm = "w\xc3\xb6rker";
	rec.u.proc_start.cmdline = cmd_worker;
	rec.u.proc_start.cmdline_len = sizeof(cmd_worker);
	rec.u.proc_start.uid = 0;
	rec.u.proc_start.preexisting = true;
	SWT_TRY(err = append(w, &rec, n));

	memset(procs, 0, sizeof(procs));
	procs[0] = (struct swt_proc_row){ 100, 0, 3, 1, 1200, 8000, 1, 90, 1,
					  4096, 512, 7, 2, 30, 10, 20000,
					  30000, 2, 1, 3 };
	procs[1] = (struct swt_proc_row){ 101,
					  SWT_PF_IO_UNAVAILABLE |
						  SWT_PF_NET_UNAVAILABLE,
					  12, 6, 30000, 90000, 2, 400, 0, 0, 0,
					  50, 9, 0, 0, 0, 0, 0, 0, 0 };
	memset(&rec, 0, sizeof(rec));
	rec.kind = SWT_REC_SAMPLE;
	rec.t_ns = T0 + 2 * TICK;
	rec.u.sample.scheduled_ns = T0 + 2 * TICK - 5;
	rec.u.sample.recorder_cpu_ns = 1500000;
	rec.u.sample.recorder_rss_kib = 3000;
	rec.u.sample.sys_busy_ticks = 123456;
	rec.u.sample.sys_idle_ticks = 654321;
	rec.u.sample.n_netdevs = 2;
	rec.u.sample.netdevs = netdevs;
	rec.u.sample.mem_total_kib = 8000000;
	rec.u.sample.mem_available_kib = 5000000;
	rec.u.sample.n_procs = 2;
	rec.u.sample.procs = procs;
	rec.u.sample.n_threads = 3;
	rec.u.sample.threads = threads;
	SWT_TRY(err = append(w, &rec, n));

	memset(&rec, 0, sizeof(rec));
	rec.kind = SWT_REC_EVENTS;
	rec.t_ns = events[0].t_ns;
	rec.u.events.pid = 101;
	rec.u.events.n = 6;
	rec.u.events.events = events;
	SWT_TRY(err = append(w, &rec, n));

	memset(&rec, 0, sizeof(rec));
	rec.kind = SWT_REC_ALERT;
	rec.t_ns = T0 + 5 * TICK;
	rec.u.alert.kind = "cpu";
	rec.u.alert.subject = "parse";
	rec.u.alert.value_milli = 1500;
	rec.u.alert.threshold_milli = 1000;
	SWT_TRY(err = append(w, &rec, n));

	memset(&rec, 0, sizeof(rec));
	rec.kind = SWT_REC_DROPS;
	rec.t_ns = T0 + 5 * TICK;
	rec.u.drops.pid = 101;
	rec.u.drops.dropped = 3;
	rec.u.drops.total_dropped = 3;
	rec.u.drops.reason = "ring-full";
	SWT_TRY(err = append(w, &rec, n));

	memset(&rec, 0, sizeof(rec));
	rec.kind = SWT_REC_ANOMALY;
	rec.t_ns = T0 + 6 * TICK;
	rec.u.anomaly.kind = "end-without-begin";
	rec.u.anomaly.pid = 101;
	rec.u.anomaly.tid = 102;
	rec.u.anomaly.subject = "parse";
	rec.u.anomaly.detail = detail;
	rec.u.anomaly.detail_len = sizeof(detail);
	SWT_TRY(err = append(w, &rec, n));

	procs[0].utime = 5;
	procs[0].rss_kib = 1300;
	procs[1].utime = 20;
	procs[1].flags = SWT_PF_IO_NOT_SAMPLED | SWT_PF_CTXSW_NOT_SAMPLED;
	procs[1].io_read = 8192;
	threads[1].utime = 15;
	memset(&rec, 0, sizeof(rec));
	rec.kind = SWT_REC_SAMPLE;
	rec.t_ns = T0 + 7 * TICK;
	rec.u.sample.scheduled_ns = T0 + 7 * TICK;
	rec.u.sample.recorder_cpu_ns = 2500000;
	rec.u.sample.recorder_rss_kib = 3100;
	rec.u.sample.sys_busy_ticks = 123500;
	rec.u.sample.sys_idle_ticks = 654400;
	rec.u.sample.mem_total_kib = 8000000;
	rec.u.sample.mem_available_kib = 4900000;
	rec.u.sample.n_procs = 2;
	rec.u.sample.procs = procs;
	rec.u.sample.n_threads = 3;
	rec.u.sample.threads = threads;
	SWT_TRY(err = append(w, &rec, n));

	memset(&rec, 0, sizeof(rec));
	rec.kind = SWT_REC_PROC_EXIT;
	rec.t_ns = T0 + 8 * TICK;
	rec.u.proc_exit.pid = 101;
	rec.u.proc_exit.start_ticks = 5010;
	rec.u.proc_exit.has_status = true;
	rec.u.proc_exit.signal = 9;
	rec.u.proc_exit.core_dumped = true;
	SWT_TRY(err = append(w, &rec, n));
out:
	return err;
}

static int proc_start(struct swt_writer *w, unsigned *n, int64_t t,
		      int32_t pid, uint64_t start_ticks, const char *comm,
		      const char *cmdline, size_t cmdline_len)
{
	struct swt_record rec;

	memset(&rec, 0, sizeof(rec));
	rec.kind = SWT_REC_PROC_START;
	rec.t_ns = t;
	rec.u.proc_start.pid = pid;
	rec.u.proc_start.ppid = 1;
	rec.u.proc_start.start_ticks = start_ticks;
	rec.u.proc_start.comm = comm;
	rec.u.proc_start.cmdline = cmdline;
	rec.u.proc_start.cmdline_len = cmdline_len;
	return append(w, &rec, n);
}

/* Process 300 (comm `a,"b"`, threads 300 and 301) and process 400, which
 * execs (same start_ticks: its CPU goes on) and exits, its pid then
 * reused (another start_ticks: its next row is a base). Spans, by time
 * (TICK = 100 ms):
 *   300: outer [2T, 2T+50ns], inner and leaf inside it, closed by outer's
 *        END; an END of "ghost" with no BEGIN; "late" from 2T+80ns, never
 *        ended (closed at the end record, 6T);
 *   301: a [2T+30, 2T+70] with b inside it, never ended (closed by a's
 *        END); c from 2T+90, whose END (2T+85, in a later batch) is
 *        earlier than that: moved to 2T+90. */
static int write_spans(struct swt_writer *w, unsigned *n)
{
	static const char cmd_app[] = "app\0--name=a,\"b\"";
	static const char cmd_sh[] = "sh\0-c\0exec python3";
	struct swt_proc_row procs[2];
	struct swt_thread_row threads[2] = {
		{ 300, 300, "main", 5, 0 },
		{ 301, 300, "w,\"1\"", 5, 0 },
	};
	const int64_t t2 = T0 + 2 * TICK;
	struct swt_event ev[12] = {
		{ t2, SWT_EV_BEGIN, 300, "outer", 0 },
		{ t2 + 10, SWT_EV_BEGIN, 300, "inner", 0 },
		{ t2 + 20, SWT_EV_BEGIN, 300, "leaf", 0 },
		{ t2 + 30, SWT_EV_BEGIN, 301, "a", 0 },
		{ t2 + 40, SWT_EV_BEGIN, 301, "b", 0 },
		{ t2 + 50, SWT_EV_END, 300, "outer", 0 },
		{ t2 + 60, SWT_EV_END, 300, "ghost", 0 },
		{ t2 + 70, SWT_EV_END, 301, "a", 0 },
		{ t2 + 80, SWT_EV_BEGIN, 300, "late", 0 },
		{ t2 + 90, SWT_EV_BEGIN, 301, "c", 0 },
		{ t2 + 95, SWT_EV_COUNT, 301, "jobs,done", 2 },
		{ t2 + 99, SWT_EV_MARK, 300, "checkpoint", 0 },
	};
	struct swt_event late_end = { t2 + 85, SWT_EV_END, 301, "c", 0 };
	struct swt_record rec;
	int64_t utime[3][2] = { { 10, 1 }, { 30, 21 }, { 50, 3 } };
	unsigned i;
	int err;

	SWT_TRY(err = proc_start(w, n, T0, 300, 6000, "a,\"b\"", cmd_app,
				 sizeof(cmd_app)));
	SWT_TRY(err = proc_start(w, n, T0, 400, 7000, "sh", cmd_sh,
				 sizeof(cmd_sh)));
	for (i = 0; i < 3; i++) {
		int64_t t = T0 + (i == 0 ? 1 : i == 1 ? 3 : 5) * TICK;

		if (i == 1) {
			/* the exec, then the spans */
			SWT_TRY(err = proc_start(w, n, t2, 400, 7000,
						 "python3", "python3",
						 sizeof("python3")));
			memset(&rec, 0, sizeof(rec));
			rec.kind = SWT_REC_EVENTS;
			rec.t_ns = ev[0].t_ns;
			rec.u.events.pid = 300;
			rec.u.events.n = sizeof(ev) / sizeof(ev[0]);
			rec.u.events.events = ev;
			SWT_TRY(err = append(w, &rec, n));
		}
		if (i == 2) {
			/* 400 exits and its pid is reused */
			memset(&rec, 0, sizeof(rec));
			rec.kind = SWT_REC_PROC_EXIT;
			rec.t_ns = T0 + 4 * TICK;
			rec.u.proc_exit.pid = 400;
			rec.u.proc_exit.start_ticks = 7000;
			SWT_TRY(err = append(w, &rec, n));
			SWT_TRY(err = proc_start(w, n, T0 + 4 * TICK, 400,
						 7100, "reused", "reused",
						 sizeof("reused")));
		}
		memset(procs, 0, sizeof(procs));
		procs[0].pid = 300;
		procs[0].utime = utime[i][0];
		procs[0].rss_kib = 2048 + 512 * i;
		procs[0].nthreads = 2;
		procs[1].pid = 400;
		procs[1].utime = utime[i][1];
		procs[1].rss_kib = 1000;
		procs[1].nthreads = 1;
		threads[0].utime = 5 + 10 * (int64_t)i;
		threads[1].utime = utime[i][0] - threads[0].utime;
		memset(&rec, 0, sizeof(rec));
		rec.kind = SWT_REC_SAMPLE;
		rec.t_ns = t;
		rec.u.sample.scheduled_ns = t;
		rec.u.sample.mem_total_kib = 8000000;
		rec.u.sample.mem_available_kib = 5000000;
		rec.u.sample.n_procs = 2;
		rec.u.sample.procs = procs;
		rec.u.sample.n_threads = 2;
		rec.u.sample.threads = threads;
		SWT_TRY(err = append(w, &rec, n));
		if (i == 1) {
			/* a batch earlier than the sample before it, as a
			 * writer other than swrec may leave one */
			memset(&rec, 0, sizeof(rec));
			rec.kind = SWT_REC_EVENTS;
			rec.t_ns = late_end.t_ns;
			rec.u.events.pid = 300;
			rec.u.events.n = 1;
			rec.u.events.events = &late_end;
			SWT_TRY(err = append(w, &rec, n));
		}
	}
out:
	return err;
}

/* n samples of BIG_PROCS processes: with a small chunk size this spreads
 * over many chunks, so that damage in one leaves others readable. */
static int write_big(struct swt_writer *w, unsigned n_samples, unsigned *n)
{
	struct swt_proc_row procs[BIG_PROCS];
	struct swt_record rec;
	unsigned i, j;
	int err = 0;

	for (i = 0; i < n_samples; i++) {
		memset(procs, 0, sizeof(procs));
		for (j = 0; j < BIG_PROCS; j++) {
			procs[j].pid = (int32_t)(1000 + 7 * j);
			procs[j].utime = (int64_t)(i * (j + 1));
			procs[j].stime = (int64_t)(i / 2);
			procs[j].rss_kib = (int64_t)(10000 + 37 * i + j);
			procs[j].vsz_kib = 200000;
			procs[j].nthreads = 1 + j % 3;
			procs[j].minflt = (int64_t)(i * 13 + j);
			procs[j].io_read = (int64_t)(4096 * i);
			procs[j].io_write = (int64_t)(512 * i * j);
			procs[j].vctxsw = (int64_t)(i * 3);
			procs[j].ivctxsw = (int64_t)i;
		}
		memset(&rec, 0, sizeof(rec));
		rec.kind = SWT_REC_SAMPLE;
		rec.t_ns = T0 + (int64_t)i * TICK;
		rec.u.sample.scheduled_ns = rec.t_ns;
		rec.u.sample.recorder_cpu_ns = 1000u * i;
		rec.u.sample.sys_busy_ticks = 10u * i;
		rec.u.sample.sys_idle_ticks = 30u * i;
		rec.u.sample.mem_total_kib = 8000000;
		rec.u.sample.mem_available_kib = 5000000 - i;
		rec.u.sample.n_procs = BIG_PROCS;
		rec.u.sample.procs = procs;
		SWT_TRY(err = append(w, &rec, n));
	}
out:
	return err;
}

int main(int argc, char **argv)
{
	struct swt_writer *w = NULL;
	struct swt_writer_opts opts;
	struct swt_header hdr;
	struct swt_session_end end;
	char errmsg[256] = "";
	unsigned n = 0, n_samples = 0;
	bool crash = false, spans = false;
	int64_t t_end;
	int err = SWT_EINVAL;

	if (argc < 3 || (strcmp(argv[1], "big") == 0) != (argc == 4)) {
		fprintf(stderr, "usage: mksession clean|crash|spans PATH\n"
			"       mksession big PATH N\n");
		return 2;
	}
	swt_writer_opts_init(&opts);
	opts.level = 3;
	opts.sync = false;
	opts.force = true;
	make_header(&hdr);
	if (strcmp(argv[1], "big") == 0) {
		n_samples = (unsigned)strtoul(argv[3], NULL, 10);
		opts.chunk_raw_bytes = 8192;
	} else if (strcmp(argv[1], "crash") == 0) {
		crash = true;
	} else if (strcmp(argv[1], "spans") == 0) {
		spans = true;
	} else if (strcmp(argv[1], "clean") != 0) {
		fprintf(stderr, "mksession: unknown kind %s\n", argv[1]);
		return 2;
	}

	err = swt_writer_open(&w, argv[2], &opts, &hdr, errmsg,
			      sizeof(errmsg));
	if (err < 0) {
		fprintf(stderr, "mksession: %s\n", errmsg);
		goto out;
	}
	if (n_samples) {
		SWT_TRY(err = write_big(w, n_samples, &n));
		t_end = T0 + (int64_t)n_samples * TICK;
	} else if (spans) {
		SWT_TRY(err = write_spans(w, &n));
		t_end = T0 + 6 * TICK;
	} else {
		SWT_TRY(err = write_small(w, &n));
		t_end = T0 + 9 * TICK;
	}
	if (crash) {
		err = swt_writer_flush(w);
		goto out;
	}
	memset(&end, 0, sizeof(end));
	end.reason = SWT_END_EXITED;
	end.has_status = true;
	end.exit_code = 0;
	end.samples = n_samples ? n_samples : spans ? 3 : 2;
	end.records = n + 1;
	end.events = n_samples ? 0 : 6;
	end.dropped_events = n_samples ? 0 : 3;
	end.recorder_cpu_ns = 3000000;
	end.recorder_peak_rss_kib = 3200;
	end.error = "";
	err = swt_writer_finish(w, &end, t_end);
	if (err == 0)
		n++;
out:
	if (err < 0 && w)
		fprintf(stderr, "mksession: %s: %s\n", swt_status_name(err),
			swt_writer_errmsg(w));
	swt_writer_free(w);
	if (err < 0)
		return 1;
	printf("records %u\n", n);
	return 0;
}
