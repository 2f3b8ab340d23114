/* mkcorrupt.c — regenerate the corrupt session fixtures.
 *
 *   mkcorrupt DIR        (normally: mkcorrupt fixtures/corrupt)
 *
 * Writes DIR/<name>/session.swt for every case below, starting from one
 * small session made with the real writer (zstd level 3, single-threaded,
 * fixed header values) and damaging it in one documented way. The
 * DIR/<name>/expected files are written by hand and reviewed: they state
 * what the reader must say, and are not generated from what it says.
 * fixtures/corrupt/README.md describes each case. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "swt_format.h"
#include "swt_writer.h"

struct file {
	unsigned char *p;
	size_t len;
};

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "mkcorrupt: %s: %s\n", what, detail);
	exit(1);
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void add(struct file *f, const void *data, size_t len)
{
	f->p = realloc(f->p, f->len + len + 1);
	if (!f->p)
		die("realloc", strerror(errno));
	if (len)
		memcpy(f->p + f->len, data, len);
	f->len += len;
}

static void read_whole(struct file *f, const char *path)
{
	FILE *fp = fopen(path, "rb");
	unsigned char buf[4096];
	size_t n;

	if (!fp)
		die(path, strerror(errno));
	f->p = NULL;
	f->len = 0;
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		add(f, buf, n);
	fclose(fp);
}

static void write_case(const char *dir, const char *name,
		       const unsigned char *data, size_t len)
{
	char path[4096];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		die(path, strerror(errno));
	snprintf(path, sizeof(path), "%s/%s/session.swt", dir, name);
	fp = fopen(path, "wb");
	if (!fp)
		die(path, strerror(errno));
	if (len && fwrite(data, 1, len, fp) != len)
		die(path, "short write");
	if (fclose(fp) != 0)
		die(path, strerror(errno));
	printf("%s (%zu bytes)\n", path, len);
}

/* The records of the base session: one process, a few samples and an
 * event batch, so that every chunk holds string definitions and deltas. */
static const char cmdline[] = "ocr\0--lang\0deu";

static void append_all(struct swt_writer *w, int from, int to)
{
	struct swt_proc_row row = { .pid = 4242, .nthreads = 2 };
	struct swt_thread_row th[2] = {
		{ .tid = 4242, .tgid = 4242, .name = "ocr" },
		{ .tid = 4243, .tgid = 4242, .name = "worker" },
	};
	struct swt_event ev[3] = {
		{ 0, SWT_EV_BEGIN, 4243, "page", 0 },
		{ 0, SWT_EV_COUNT, 4243, "words", 250 },
		{ 0, SWT_EV_END, 4243, "page", 0 },
	};
	struct swt_record rec;
	int i;

	for (i = from; i < to; i++) {
		int64_t t = INT64_C(1000000000) + i * INT64_C(100000000);

		memset(&rec, 0, sizeof(rec));
		if (i == 0) {
			rec.kind = SWT_REC_PROC_START;
			rec.t_ns = t;
			rec.u.proc_start.pid = 4242;
			rec.u.proc_start.ppid = 1;
			rec.u.proc_start.start_ticks = 777;
			rec.u.proc_start.comm = "ocr";
			rec.u.proc_start.cmdline = cmdline;
			rec.u.proc_start.cmdline_len = sizeof(cmdline);
			if (swt_writer_append(w, &rec) != 0)
				die("append", swt_writer_errmsg(w));
		}
		row.utime = 10 * i;
		row.stime = 3 * i;
		row.rss_kib = 20000 + 100 * (i % 5) - 40 * i;
		row.vsz_kib = 90000;
		row.minflt = 50 * i;
		row.io_read = 4096 * i;
		th[0].utime = 6 * i;
		th[1].utime = 4 * i;
		rec.kind = SWT_REC_SAMPLE;
		rec.t_ns = t;
		rec.u.sample.scheduled_ns = t;
		rec.u.sample.sys_busy_ticks = (uint64_t)(20 * i);
		rec.u.sample.sys_idle_ticks = (uint64_t)(180 * i);
		rec.u.sample.mem_total_kib = 8000000;
		rec.u.sample.mem_available_kib = 4000000;
		rec.u.sample.n_procs = 1;
		rec.u.sample.procs = &row;
		rec.u.sample.n_threads = 2;
		rec.u.sample.threads = th;
		if (swt_writer_append(w, &rec) != 0)
			die("append", swt_writer_errmsg(w));
		memset(&rec, 0, sizeof(rec));
		ev[0].t_ns = t + 1000;
		ev[1].t_ns = t + 2000;
		ev[2].t_ns = t + 3000;
		rec.kind = SWT_REC_EVENTS;
		rec.t_ns = ev[0].t_ns;
		rec.u.events.pid = 4242;
		rec.u.events.n = 3;
		rec.u.events.events = ev;
		if (swt_writer_append(w, &rec) != 0)
			die("append", swt_writer_errmsg(w));
	}
}

/* mode 0: finished; mode 1: flushed after 10 ticks and after 20, then
 * freed without finishing (*flush1 gets the size after the first flush);
 * mode 2: finished, with chunks closed past 400 raw bytes (several chunks
 * of about 3 ticks each). */
static void base_session(struct file *f, const char *path, int mode,
			 uint64_t *flush1)
{
	static const char *const command[] = { "ocr", "--lang", "deu" };
	struct swt_writer_opts o;
	struct swt_writer *w = NULL;
	struct swt_header h;
	struct swt_session_end end;
	struct swt_writer_stats st;
	char err[512];

	memset(&h, 0, sizeof(h));
	h.recorder = "swrec fixture";
	h.kernel = "fixture";
	h.clock_ticks = 100;
	h.page_size = 4096;
	h.cpu_count = 2;
	h.mem_total_kib = 8000000;
	h.interval_ns = INT64_C(100000000);
	h.flush_interval_ns = INT64_C(1000000000);
	h.start_mono_ns = INT64_C(1000000000);
	h.start_wall_ns = INT64_C(1700000000000000000);
	h.mode = SWT_MODE_LAUNCH;
	h.n_command = 3;
	h.command = command;
	h.boot_time_s = 1700000000;
	h.threads = true;
	swt_writer_opts_init(&o);
	o.level = SWT_DEFAULT_ZSTD_LEVEL;
	o.sync = false;
	o.force = true;
	if (mode == 2)
		o.chunk_raw_bytes = 400;
	if (swt_writer_open(&w, path, &o, &h, err, sizeof(err)) != 0)
		die("open", err);
	if (mode != 1) {
		append_all(w, 0, 20);
		memset(&end, 0, sizeof(end));
		end.reason = SWT_END_EXITED;
		end.has_status = true;
		end.samples = 20;
		if (swt_writer_finish(w, &end, INT64_C(3100000000)) != 0)
			die("finish", swt_writer_errmsg(w));
	} else {
		append_all(w, 0, 10);
		if (swt_writer_flush(w) != 0)
			die("flush", swt_writer_errmsg(w));
		swt_writer_get_stats(w, &st);
		*flush1 = st.bytes;
		append_all(w, 10, 20);
		if (swt_writer_flush(w) != 0)
			die("flush", swt_writer_errmsg(w));
	}
	swt_writer_free(w);
	read_whole(f, path);
	unlink(path);
}

/* A zstd frame with checksum holding raw bytes, as the writer's chunks. */
static void zstd_frame(struct file *f, const void *raw, size_t len)
{
	ZSTD_CCtx *cctx = ZSTD_createCCtx();
	size_t bound = ZSTD_compressBound(len), n;
	unsigned char *tmp = malloc(bound);

	if (!cctx || !tmp)
		die("zstd", "out of memory");
	ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel,
			       SWT_DEFAULT_ZSTD_LEVEL);
	ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
	n = ZSTD_compress2(cctx, tmp, bound, raw, len);
	if (ZSTD_isError(n))
		die("zstd", ZSTD_getErrorName(n));
	add(f, tmp, n);
	free(tmp);
	ZSTD_freeCCtx(cctx);
}

/* The offsets of the frames of f after the header frame (at most max). */
static size_t frame_offsets(const struct file *f, size_t hdr_end,
			    size_t *off, size_t max)
{
	size_t pos = hdr_end, n = 0;

	while (pos < f->len && n < max) {
		size_t len = ZSTD_findFrameCompressedSize(f->p + pos,
							  f->len - pos);

		if (ZSTD_isError(len))
			die("frame walk", ZSTD_getErrorName(len));
		off[n++] = pos;
		pos += len;
	}
	return n;
}

int main(int argc, char **argv)
{
	struct file base, crash, small, out;
	char tmp[4096];
	size_t hdr_end, chunk_len;
	uint64_t flush1 = 0;
	const char *dir;

	if (argc != 2) {
		fprintf(stderr, "usage: mkcorrupt DIR\n");
		return 2;
	}
	dir = argv[1];
	snprintf(tmp, sizeof(tmp), "%s/.mkcorrupt-base.swt", dir);
	base_session(&base, tmp, 0, NULL);
	base_session(&crash, tmp, 1, &flush1);
	base_session(&small, tmp, 2, NULL);
	hdr_end = 8 + (size_t)le32(base.p + 4);
	if (le32(base.p) != SWT_HEADER_FRAME_MAGIC ||
	    le32(base.p + hdr_end) != SWT_ZSTD_FRAME_MAGIC)
		die("base session", "unexpected layout");
	chunk_len = ZSTD_findFrameCompressedSize(base.p + hdr_end,
						 base.len - hdr_end);
	if (ZSTD_isError(chunk_len))
		die("base session", ZSTD_getErrorName(chunk_len));

	/* "SWTRACE\0" -> "SWTXACE\0" */
	out.p = NULL;
	out.len = 0;
	add(&out, base.p, base.len);
	out.p[8 + 3] = 'X';
	write_case(dir, "wrong-magic", out.p, out.len);

	/* major version (u16 LE after the magic) 1 -> 2 */
	memcpy(out.p, base.p, base.len);
	out.p[16] = SWT_FORMAT_MAJOR + 1;
	write_case(dir, "future-major-version", out.p, out.len);

	/* the first 12 bytes: the header frame is cut inside its magic */
	write_case(dir, "truncated-header", base.p, 12);

	/* the empty file */
	write_case(dir, "empty", base.p, 0);

	/* a plain zstd frame of text: a zstd file, not a swt one */
	free(out.p);
	out.p = NULL;
	out.len = 0;
	zstd_frame(&out, "hello, world\n", 13);
	write_case(dir, "not-swt", out.p, out.len);

	/* a crashed recorder's file cut half way between two flushes */
	write_case(dir, "truncated-chunk", crash.p,
		   (size_t)flush1 + (crash.len - (size_t)flush1) / 2);

	/* the last byte of the chunk frame is its XXH64-based checksum */
	free(out.p);
	out.p = NULL;
	out.len = 0;
	add(&out, base.p, base.len);
	out.p[hdr_end + chunk_len - 1] ^= 0xff;
	write_case(dir, "bad-checksum", out.p, out.len);

	/* header + a chunk whose first record claims SWT_MAX_RECORD_BYTES+1 */
	{
		unsigned char raw[32] = { 0 };
		uint64_t v = (uint64_t)SWT_MAX_RECORD_BYTES + 1;
		size_t n = 0;

		while (v >= 0x80) {
			raw[n++] = (unsigned char)(v | 0x80);
			v >>= 7;
		}
		raw[n++] = (unsigned char)v;
		free(out.p);
		out.p = NULL;
		out.len = 0;
		add(&out, base.p, hdr_end);
		zstd_frame(&out, raw, n + 16);
		write_case(dir, "bad-length-prefix", out.p, out.len);
	}

	/* header + bytes that are no frame at all */
	free(out.p);
	out.p = NULL;
	out.len = 0;
	add(&out, base.p, hdr_end);
	{
		static const char text[] =
			"this is not a zstd frame, just text after the header\n";

		add(&out, text, sizeof(text) - 1);
	}
	write_case(dir, "garbage-after-header", out.p, out.len);

	/* the length H of the SessionHeader message (u32 LE at offset 24)
	 * set to 0: the header frame stays well formed, the header empty */
	free(out.p);
	out.p = NULL;
	out.len = 0;
	add(&out, base.p, base.len);
	memset(out.p + 24, 0, 4);
	write_case(dir, "zero-header-length", out.p, out.len);

	/* chunks 1 and 2 of a several-chunk session swapped in place: every
	 * frame checks out, the index (unchanged) does not match, and time
	 * goes back between the two */
	{
		size_t off[16], n, a, b, c;

		n = frame_offsets(&small, 8 + (size_t)le32(small.p + 4), off,
				  16);
		if (n < 5 || le32(small.p + off[1]) != SWT_ZSTD_FRAME_MAGIC ||
		    le32(small.p + off[2]) != SWT_ZSTD_FRAME_MAGIC)
			die("small session", "fewer than 4 chunks");
		a = off[1];
		b = off[2];
		c = off[3];
		if (b - a == c - b)
			die("small session", "chunks 1 and 2 of equal size");
		free(out.p);
		out.p = NULL;
		out.len = 0;
		add(&out, small.p, a);
		add(&out, small.p + b, c - b);
		add(&out, small.p + a, b - a);
		add(&out, small.p + c, small.len - c);
		write_case(dir, "swapped-chunks", out.p, out.len);
	}

	free(out.p);
	free(base.p);
	free(crash.p);
	free(small.p);
	return 0;
}
