/* swt-bench-codec — size, encode rate and decode rate of the .swt codec.
 *
 * Writes the synthetic session of swt_synth.h (default: 500 processes,
 * 3600 samples at 1 s) in four configurations — without and with thread
 * rows, each with the writer's defaults and with a swt_writer_flush()
 * after every sample — and reads each file back. Every measurement is
 * repeated (default 5 times) and reported as median [min-max]:
 *
 *   encode    wall time spent inside swt_writer_open/append/flush/finish
 *             (the generator's own time is excluded);
 *   decode    a child process (this binary, --decode-child) opens the file
 *             and runs swt_reader_next() over all of it, folding every row
 *             into a checksum that must equal the generator's; its peak
 *             RSS comes from wait4();
 *   zstd -dc  `zstd -dcq FILE > /dev/null`, wall time around fork/exec/
 *             wait, as the ceiling of any decoder of this file.
 *
 * Rates are process-samples (process rows) per second. The writer runs with
 * opts.sync = false: fdatasync() measures the disk, not the codec. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "swt_buf.h"
#include "swt_format.h"
#include "swt_parse.h"
#include "swt_reader.h"
#include "swt_status.h"
#include "swt_synth.h"
#include "swt_writer.h"

#define PROG "swt-bench-codec"
#define MAX_REPS 100

/* Targets of the issue, for the ratio lines. */
#define TARGET_BYTES_X100 400		/* <= 4 bytes per process-sample */
#define TARGET_DECODE_PS 5000000	/* >= 5 M process-samples/s */
#define TARGET_ENCODE_PS 2000000	/* >= 2 M process-samples/s */

struct options {
	struct swt_synth_opts synth;
	int reps;
	const char *dir;
	bool keep;
};

struct config {
	const char *name;	/* also the file name stem */
	const char *label;
	bool threads;
	bool flush_each;

	char path[PATH_MAX];
	int64_t enc_ns[MAX_REPS];
	int64_t dec_ns[MAX_REPS];
	int64_t zstd_ns[MAX_REPS];
	long dec_maxrss_kib;
	long zstd_maxrss_kib;
	struct swt_writer_stats ws;
	uint64_t file_bytes;
	uint64_t thread_rows;
	uint64_t sum[2];	/* generator's checksum */
	bool size_varies;	/* file size differed between repetitions */
};

struct decode_result {
	int64_t ns;
	uint64_t records;
	uint64_t proc_samples;
	uint64_t thread_rows;
	uint64_t sum[2];
	long maxrss_kib;
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2),
						     noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* Bad arguments: exit status 2, as every swt program. */
static void usage_die(const char *what, const char *arg)
	__attribute__((noreturn));

static void usage_die(const char *what, const char *arg)
{
	fprintf(stderr, PROG ": %s '%s'\nTry '" PROG " --help'.\n", what,
		arg);
	exit(2);
}

/* ---- encode ----------------------------------------------------------- */

static void encode_once(const struct options *o, struct config *c,
			int64_t *ns_out)
{
	struct swt_synth_opts so = o->synth;
	struct swt_synth *s = NULL;
	struct swt_writer_opts wo;
	struct swt_writer *w = NULL;
	const struct swt_record *rec;
	const struct swt_session_end *end;
	char errmsg[512] = "";
	int64_t t, t_end, ns = 0;
	struct stat st;
	int err;

	so.threads = c->threads;
	if (swt_synth_new(&s, &so) < 0)
		die("bad workload options");
	swt_writer_opts_init(&wo);
	wo.sync = false;
	wo.force = true;
	c->sum[0] = c->sum[1] = 0;
	c->thread_rows = 0;
	/* a new file each time: truncating the last one is not encoding */
	if (unlink(c->path) < 0 && errno != ENOENT)
		die("%s: %s", c->path, strerror(errno));

	t = now_ns();
	err = swt_writer_open(&w, c->path, &wo, swt_synth_get_header(s),
			      errmsg, sizeof(errmsg));
	ns += now_ns() - t;
	if (err < 0)
		die("%s", errmsg);
	while (swt_synth_next(s, &rec) == 0) {
		bool sample = rec->kind == SWT_REC_SAMPLE;

		if (sample) {
			swt_synth_fold_sample(c->sum, &rec->u.sample);
			c->thread_rows += rec->u.sample.n_threads;
		}
		t = now_ns();
		err = swt_writer_append(w, rec);
		if (err == 0 && sample && c->flush_each)
			err = swt_writer_flush(w);
		ns += now_ns() - t;
		if (err < 0)
			die("%s", swt_writer_errmsg(w));
	}
	end = swt_synth_get_end(s, &t_end);
	t = now_ns();
	err = swt_writer_finish(w, end, t_end);
	ns += now_ns() - t;
	if (err < 0)
		die("%s", swt_writer_errmsg(w));
	swt_writer_get_stats(w, &c->ws);
	swt_writer_free(w);
	swt_synth_free(s);

	if (stat(c->path, &st) < 0)
		die("%s: %s", c->path, strerror(errno));
	if (c->file_bytes && c->file_bytes != (uint64_t)st.st_size)
		c->size_varies = true;
	c->file_bytes = (uint64_t)st.st_size;
	*ns_out = ns;
}

/* ---- decode (in a child, for a clean peak RSS) -------------------------- */

static int decode_child(const char *path)
{
	struct swt_reader *r = NULL;
	const struct swt_record *rec;
	struct swt_reader_stats rs;
	uint64_t sum[2] = { 0, 0 }, thread_rows = 0;
	char errmsg[512] = "";
	int64_t t0, t1;
	int err;

	t0 = now_ns();
	err = swt_reader_open(&r, path, 0, errmsg, sizeof(errmsg));
	if (err < 0) {
		fprintf(stderr, PROG ": %s\n", errmsg);
		return 1;
	}
	while ((err = swt_reader_next(r, &rec)) == 0) {
		if (rec->kind != SWT_REC_SAMPLE)
			continue;
		swt_synth_fold_sample(sum, &rec->u.sample);
		thread_rows += rec->u.sample.n_threads;
	}
	swt_reader_get_stats(r, &rs);
	if (err != SWT_ITEROVER || swt_reader_damage_count(r)) {
		fprintf(stderr, PROG ": %s: %s %s\n", path,
			swt_status_name(err), swt_reader_errmsg(r));
		swt_reader_free(r);
		return 1;
	}
	swt_reader_free(r);
	t1 = now_ns();
	printf("%lld %llu %llu %llu %llu %llu\n", (long long)(t1 - t0),
	       (unsigned long long)rs.records,
	       (unsigned long long)rs.proc_samples,
	       (unsigned long long)thread_rows, (unsigned long long)sum[0],
	       (unsigned long long)sum[1]);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* Run argv with stdout to `out_fd` (or /dev/null when -1); return the
 * wall time around fork..wait and the child's peak RSS. Dies unless the
 * child exits 0. */
static int64_t run_child(char *const argv[], int out_fd, long *maxrss_kib)
{
	struct rusage ru;
	int64_t t0, t1;
	pid_t pid;
	int status;

	t0 = now_ns();
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		int fd = out_fd >= 0 ? out_fd : open("/dev/null", O_WRONLY);

		if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0)
			_exit(126);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (out_fd >= 0)
		close(out_fd);
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			die("wait4: %s", strerror(errno));
	t1 = now_ns();
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die("%s %s: failed (status %d)", argv[0], argv[1], status);
	*maxrss_kib = ru.ru_maxrss;
	return t1 - t0;
}

/* This program, as it was started (not /proc/self/exe: under valgrind
 * that is valgrind). */
static char *self_path;

static void decode_once(struct config *c, struct decode_result *out)
{
	char flag[] = "--decode-child";
	char *argv[] = { self_path, flag, c->path, NULL };
	char line[256];
	unsigned long long v[5];
	long long ns;
	FILE *f;
	int p[2];

	if (pipe(p) < 0)
		die("pipe: %s", strerror(errno));
	run_child(argv, p[1], &out->maxrss_kib);
	f = fdopen(p[0], "r");
	if (!f || !fgets(line, sizeof(line), f) ||
	    sscanf(line, "%lld %llu %llu %llu %llu %llu", &ns, &v[0], &v[1],
		   &v[2], &v[3], &v[4]) != 6)
		die("%s: no result from the decode child", c->path);
	fclose(f);
	out->ns = ns;
	out->records = v[0];
	out->proc_samples = v[1];
	out->thread_rows = v[2];
	out->sum[0] = v[3];
	out->sum[1] = v[4];
}

static int64_t zstd_once(struct config *c, long *maxrss_kib)
{
	char zstd[] = "zstd";
	char flags[] = "-dcq";
	char *argv[] = { zstd, flags, c->path, NULL };

	return run_child(argv, -1, maxrss_kib);
}

/* ---- figures ---------------------------------------------------------- */

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

struct spread {
	int64_t med, min, max;
};

static struct spread spread_of(const int64_t *v, int n)
{
	int64_t s[MAX_REPS];
	struct spread r;

	memcpy(s, v, (size_t)n * sizeof(*s));
	qsort(s, (size_t)n, sizeof(*s), cmp_i64);
	r.min = s[0];
	r.max = s[n - 1];
	r.med = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	return r;
}

/* Items per second for `items` in `ns`, in hundredths of a million.
 * items * 1e9 fits 64 bits below 1.8e10 items. */
static int64_t mrate_x100(uint64_t items, int64_t ns)
{
	if (ns <= 0)
		return 0;
	return swt_div_round((int64_t)(items * 1000000000u / 10000u), ns);
}

/* "2.51 [2.40-2.60]": the median time gives the median rate, the longest
 * time the lowest rate. */
static void put_rates(struct swt_buf *b, uint64_t items, const int64_t *ns,
		      int n)
{
	struct spread s = spread_of(ns, n);

	swt_buf_fixed(b, mrate_x100(items, s.med), 2, 2);
	swt_buf_puts(b, " [");
	swt_buf_fixed(b, mrate_x100(items, s.max), 2, 2);
	swt_buf_puts(b, "–");
	swt_buf_fixed(b, mrate_x100(items, s.min), 2, 2);
	swt_buf_puts(b, "]");
}

static int64_t per_x100(uint64_t num, uint64_t den)
{
	return den ? swt_div_round((int64_t)num * 100, (int64_t)den) : 0;
}

static void put_percent(struct swt_buf *b, int64_t num, int64_t den)
{
	swt_buf_i64(b, den ? swt_div_round(num * 100, den) : 0);
	swt_buf_puts(b, " %");
}

static void report(const struct options *o, struct config *cfg, size_t n)
{
	struct swt_buf b = SWT_BUF_INIT;
	size_t i;

	swt_buf_printf(&b,
		       "\n%zu processes at start, %zu samples, seed %llu, "
		       "%d repetitions; zstd level %d, %u KiB chunks, "
		       "sync=false\n\n",
		       o->synth.n_procs, o->synth.n_samples,
		       (unsigned long long)o->synth.seed, o->reps,
		       SWT_DEFAULT_ZSTD_LEVEL,
		       SWT_DEFAULT_CHUNK_RAW_BYTES / 1024);
	swt_buf_puts(&b,
		     "| workload | writer | B/ps on disk | raw B/ps | "
		     "encode M ps/s | decode M ps/s | zstd -dc M ps/s | "
		     "decode peak RSS |\n"
		     "|---|---|--:|--:|--:|--:|--:|--:|\n");
	for (i = 0; i < n; i++) {
		struct config *c = &cfg[i];
		uint64_t ps = c->ws.proc_samples;

		swt_buf_printf(&b, "| %s | %s | ",
			       c->threads ? "procs + threads" : "procs",
			       c->label);
		swt_buf_fixed(&b, per_x100(c->file_bytes, ps), 2, 2);
		swt_buf_puts(&b, " | ");
		swt_buf_fixed(&b, per_x100(c->ws.raw_bytes, ps), 2, 2);
		swt_buf_puts(&b, " | ");
		put_rates(&b, ps, c->enc_ns, o->reps);
		swt_buf_puts(&b, " | ");
		put_rates(&b, ps, c->dec_ns, o->reps);
		swt_buf_puts(&b, " | ");
		put_rates(&b, ps, c->zstd_ns, o->reps);
		swt_buf_puts(&b, " | ");
		swt_buf_fixed(&b, swt_div_round(c->dec_maxrss_kib * 10, 1024),
			      1, 1);
		swt_buf_puts(&b, " MiB |\n");
	}
	swt_buf_puts(&b, "\nps = process-sample (one process row). Rates: "
			 "median [min–max] of the repetitions; RSS: the "
			 "largest.\n\n");
	for (i = 0; i < n; i++) {
		struct config *c = &cfg[i];
		uint64_t ps = c->ws.proc_samples;
		int64_t enc = spread_of(c->enc_ns, o->reps).med;
		int64_t dec = spread_of(c->dec_ns, o->reps).med;
		int64_t zs = spread_of(c->zstd_ns, o->reps).med;

		swt_buf_printf(&b,
			       "%s: %llu bytes, %llu raw, %llu "
			       "process-samples, %llu thread rows, %llu "
			       "records, %llu chunks%s; zstd -dc peak RSS "
			       "%ld KiB\n",
			       c->name, (unsigned long long)c->file_bytes,
			       (unsigned long long)c->ws.raw_bytes,
			       (unsigned long long)ps,
			       (unsigned long long)c->thread_rows,
			       (unsigned long long)c->ws.records,
			       (unsigned long long)c->ws.chunks,
			       c->size_varies ? " (SIZE VARIED)" : "",
			       c->zstd_maxrss_kib);
		swt_buf_puts(&b, "  vs targets: size ");
		put_percent(&b, per_x100(c->file_bytes, ps), TARGET_BYTES_X100);
		swt_buf_puts(&b, " of 4 B; encode ");
		put_percent(&b, mrate_x100(ps, enc), TARGET_ENCODE_PS / 10000);
		swt_buf_puts(&b, " of 2 M/s; decode ");
		put_percent(&b, mrate_x100(ps, dec), TARGET_DECODE_PS / 10000);
		swt_buf_puts(&b, " of 5 M/s, ");
		put_percent(&b, zs, dec);
		swt_buf_puts(&b, " of the zstd -dc rate\n");
	}
	fwrite(b.ptr, 1, b.len, stdout);
	fflush(stdout);
	swt_buf_fini(&b);
}

/* ---- main ------------------------------------------------------------- */

static const char usage_text[] =
	"Usage: " PROG " [OPTION]...\n"
	"Benchmark the .swt codec on a synthetic session (see "
	"docs/performance.md).\n"
	"\n"
	"  -p, --procs N    processes at start (default 500)\n"
	"  -s, --samples N  samples at 1 s (default 3600)\n"
	"  -r, --reps N     repetitions of each measurement (default 5)\n"
	"  -S, --seed N     PRNG seed (default 1)\n"
	"  -d, --dir DIR    where the session files go (default .)\n"
	"  -k, --keep       keep the session files\n"
	"  -h, --help       print this help\n";

static size_t parse_count(const char *s, const char *what, uint64_t max)
{
	uint64_t v;

	if (swt_parse_u64(&v, s) < 0 || v == 0 || v > max)
		usage_die(what, s);
	return (size_t)v;
}

static void parse_options(struct options *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "procs", required_argument, NULL, 'p' },
		{ "samples", required_argument, NULL, 's' },
		{ "reps", required_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, 'S' },
		{ "dir", required_argument, NULL, 'd' },
		{ "keep", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	swt_synth_opts_init(&o->synth);
	o->reps = 5;
	o->dir = ".";
	while ((c = getopt_long(argc, argv, "p:s:r:S:d:kh", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'p':
			o->synth.n_procs = parse_count(optarg, "bad --procs",
						       1000000);
			break;
		case 's':
			o->synth.n_samples = parse_count(
				optarg, "bad --samples", 10000000);
			break;
		case 'r':
			o->reps = (int)parse_count(optarg, "bad --reps",
						     MAX_REPS);
			break;
		case 'S':
			if (swt_parse_u64(&o->synth.seed, optarg) < 0)
				usage_die("bad --seed", optarg);
			break;
		case 'd':
			o->dir = optarg;
			break;
		case 'k':
			o->keep = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		default:
			fputs(usage_text, stderr);
			exit(2);
		}
	}
	if (optind != argc)
		usage_die("unexpected argument", argv[optind]);
}

int main(int argc, char **argv)
{
	struct config cfg[] = {
		{ .name = "procs-default", .label = "defaults" },
		{ .name = "procs-flush", .label = "flush every tick",
		  .flush_each = true },
		{ .name = "threads-default", .label = "defaults",
		  .threads = true },
		{ .name = "threads-flush", .label = "flush every tick",
		  .threads = true, .flush_each = true },
	};
	const size_t n_cfg = sizeof(cfg) / sizeof(cfg[0]);
	struct options o;
	size_t i;
	int rep;

	if (argc == 3 && strcmp(argv[1], "--decode-child") == 0)
		return decode_child(argv[2]);
	self_path = argv[0];
	parse_options(&o, argc, argv);
	for (i = 0; i < n_cfg; i++) {
		int n = snprintf(cfg[i].path, sizeof(cfg[i].path), "%s/%s.swt",
				 o.dir, cfg[i].name);

		if (n < 0 || (size_t)n >= sizeof(cfg[i].path))
			die("--dir too long");
	}

	/* Interleaved: each repetition runs every configuration once, so a
	 * noisy neighbour's burst spreads over all of them, and the starting
	 * configuration rotates, so that none is always first after the
	 * writes (page-cache writeback, cold caches). */
	for (rep = 0; rep < o.reps; rep++) {
		fprintf(stderr, PROG ": repetition %d/%d\n", rep + 1, o.reps);
		for (i = 0; i < n_cfg; i++) {
			struct config *c = &cfg[(i + (size_t)rep) % n_cfg];

			encode_once(&o, c, &c->enc_ns[rep]);
		}
		for (i = 0; i < n_cfg; i++) {
			struct config *c = &cfg[(i + (size_t)rep) % n_cfg];
			struct decode_result d;
			long zrss;

			decode_once(c, &d);
			if (d.proc_samples != c->ws.proc_samples ||
			    d.thread_rows != c->thread_rows ||
			    d.records != c->ws.records ||
			    d.sum[0] != c->sum[0] || d.sum[1] != c->sum[1])
				die("%s: decoded data differ from what was "
				    "written (%llu/%llu process-samples)",
				    c->path,
				    (unsigned long long)d.proc_samples,
				    (unsigned long long)c->ws.proc_samples);
			c->dec_ns[rep] = d.ns;
			if (d.maxrss_kib > c->dec_maxrss_kib)
				c->dec_maxrss_kib = d.maxrss_kib;
			c->zstd_ns[rep] = zstd_once(c, &zrss);
			if (zrss > c->zstd_maxrss_kib)
				c->zstd_maxrss_kib = zrss;
		}
	}
	report(&o, cfg, n_cfg);
	if (!o.keep)
		for (i = 0; i < n_cfg; i++)
			unlink(cfg[i].path);
	return 0;
}
