/* bench_analyze — the swanalyze benchmark (docs/performance.md §
 * swanalyze).
 *
 *   bench_analyze SESSION SWANALYZE [RUNS]
 *
 * In one run, on the same file: the decode-only rate (every record read
 * through libswt_proto, nothing else) and the end-to-end rate of the real
 * `swanalyze SESSION --report full -o /dev/null` (a child process, so its
 * peak RSS is its own), each the median of RUNS (default 7) repetitions on
 * this shared, noisy machine. Prints the figures and checks the targets of
 * issue 5: end to end >= 5 M process-samples/s, >= 50 % of the decode-only
 * rate, peak RSS <= 64 MB. Exit status 0 when all three hold, 1 when one
 * does not, 2 on error. */
#include <errno.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>

#include "swt_buf.h"
#include "swt_reader.h"
#include "swt_status.h"

#define MAX_RUNS 51

extern char **environ;

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int64_t median(int64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_i64);
	return v[n / 2];
}

/* Read every record; *samples gets the process rows. */
static int decode(const char *path, uint64_t *samples, int64_t *ns)
{
	struct swt_reader *r = NULL;
	const struct swt_record *rec;
	struct swt_reader_stats st;
	char msg[256];
	int64_t t0 = now_ns();
	int err;

	err = swt_reader_open(&r, path, 0, msg, sizeof(msg));
	if (err < 0) {
		fprintf(stderr, "bench_analyze: %s\n", msg);
		return err;
	}
	while ((err = swt_reader_next(r, &rec)) == 0)
		;
	*ns = now_ns() - t0;
	swt_reader_get_stats(r, &st);
	*samples = st.proc_samples;
	swt_reader_free(r);
	return err == SWT_ITEROVER ? 0 : err;
}

static int analyze(char *exe, char *path, int64_t *ns, long *maxrss_kib)
{
	char *argv[] = { exe, path, "--report", "full", "-o", "/dev/null",
			 NULL };
	struct rusage ru;
	pid_t pid;
	int status, err;
	int64_t t0 = now_ns();

	err = posix_spawn(&pid, exe, NULL, NULL, argv, environ);
	if (err) {
		fprintf(stderr, "bench_analyze: %s: %s\n", exe, strerror(err));
		return SWT_EIO;
	}
	if (wait4(pid, &status, 0, &ru) < 0) {
		fprintf(stderr, "bench_analyze: wait4: %s\n", strerror(errno));
		return SWT_EIO;
	}
	*ns = now_ns() - t0;
	*maxrss_kib = ru.ru_maxrss;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench_analyze: swanalyze failed (status "
			"%d)\n", status);
		return SWT_EIO;
	}
	return 0;
}

/* samples per second in millions, 2 decimals */
static void rate(struct swt_buf *b, uint64_t samples, int64_t ns)
{
	swt_buf_fixed(b, (int64_t)samples * 100000 / ns, 2, 2);
}

/* "median [min-max]" of a rate */
static void rates(struct swt_buf *b, uint64_t samples, int64_t *ns, int n)
{
	rate(b, samples, median(ns, n));
	swt_buf_puts(b, " [");
	rate(b, samples, ns[n - 1]);	/* sorted by median() */
	swt_buf_puts(b, "-");
	rate(b, samples, ns[0]);
	swt_buf_puts(b, "]");
}

int main(int argc, char **argv)
{
	int64_t dec[MAX_RUNS], e2e[MAX_RUNS], dmed, emed, ratio_milli;
	long rss, maxrss = 0;
	uint64_t samples = 0;
	struct swt_buf b = SWT_BUF_INIT;
	int runs = 7, i;
	bool ok;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: bench_analyze SESSION SWANALYZE "
				"[RUNS]\n");
		return 2;
	}
	if (argc == 4)
		runs = atoi(argv[3]);
	if (runs < 1 || runs > MAX_RUNS)
		runs = 7;
	/* interleaved, so that a noisy moment hits both alike */
	for (i = 0; i < runs; i++) {
		if (decode(argv[1], &samples, &dec[i]) < 0 ||
		    analyze(argv[2], argv[1], &e2e[i], &rss) < 0)
			return 2;
		if (rss > maxrss)
			maxrss = rss;
	}
	dmed = median(dec, runs);
	emed = median(e2e, runs);
	/* e2e rate / decode rate = decode time / e2e time */
	ratio_milli = dmed * 100000 / emed;
	swt_buf_printf(&b, "session: %s\nprocess_samples: %" PRIu64
		       "\nruns: %d (medians)\ndecode_only_s: ",
		       argv[1], samples, runs);
	swt_buf_fixed(&b, dmed, 9, 3);
	swt_buf_puts(&b, "\ndecode_only_M_per_s: ");
	rates(&b, samples, dec, runs);
	swt_buf_puts(&b, "\nswanalyze_full_s: ");
	swt_buf_fixed(&b, emed, 9, 3);
	swt_buf_puts(&b, "\nswanalyze_full_M_per_s: ");
	rates(&b, samples, e2e, runs);
	swt_buf_puts(&b, "\nratio_to_decode_percent: ");
	swt_buf_fixed(&b, ratio_milli, 3, 1);
	swt_buf_printf(&b, "\npeak_rss_MB: ");
	swt_buf_fixed(&b, maxrss * 1000 / 1024, 3, 1);
	/* samples / (emed / 1e9) >= 5e6 */
	ok = (int64_t)samples * 1000 >= 5 * emed;
	swt_buf_printf(&b, "\ntarget_5M_per_s: %s", ok ? "pass" : "FAIL");
	swt_buf_printf(&b, "\ntarget_50_percent_of_decode: %s",
		       ratio_milli >= 50000 ? "pass" : "FAIL");
	ok = ok && ratio_milli >= 50000;
	swt_buf_printf(&b, "\ntarget_64_MB: %s\n",
		       maxrss <= 64 * 1024 ? "pass" : "FAIL");
	ok = ok && maxrss <= 64 * 1024;
	fputs(b.ptr, stdout);
	swt_buf_fini(&b);
	return ok ? 0 : 1;
}
