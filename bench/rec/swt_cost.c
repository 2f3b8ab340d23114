/* swt_cost — what a recording cost, from the file itself.
 *
 *   swt_cost FILE [SKIP [FROM_NS TO_NS]]
 *   swt_cost --now
 *
 * Prints one line of key=value pairs: samples, process and thread rows,
 * file bytes and bytes per process-sample, and the recorder's own CPU time
 * per process-sample and per tick over the samples after the first SKIP
 * (default 3: the first tick lists the machine through libproc2 and the
 * allocator warms up), and the largest recorder RSS seen. CPU comes from
 * each sample's recorder_cpu_ns, so it covers sampling and encoding, and
 * the flushes in between. With FROM_NS and TO_NS (CLOCK_MONOTONIC, as
 * `swt_cost --now` prints it), also the samples, process rows and thread
 * rows whose time is in [FROM_NS, TO_NS): what a recorder that skipped
 * deadlines (starved of CPU) really sampled. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "swt_reader.h"
#include "swt_status.h"

int main(int argc, char **argv)
{
	struct swt_reader *r = NULL;
	const struct swt_record *rec;
	char err[512];
	uint64_t samples = 0, prows = 0, trows = 0, win_prows = 0;
	uint64_t win_trows = 0, cpu0 = 0, cpu1 = 0, rss_max = 0;
	int64_t t0 = 0, t1 = 0;
	long skip = argc > 2 ? atol(argv[2]) : 3;
	int64_t from = argc > 4 ? atoll(argv[3]) : 0;
	int64_t to = argc > 4 ? atoll(argv[4]) : 0;
	uint64_t w_samples = 0, w_prows = 0, w_trows = 0;
	struct stat st;

	if (argc == 2 && !strcmp(argv[1], "--now")) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		printf("%lld\n", (long long)ts.tv_sec * 1000000000LL +
					 ts.tv_nsec);
		return 0;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: swt_cost FILE [SKIP [FROM_NS TO_NS]]\n");
		return 2;
	}
	if (swt_reader_open(&r, argv[1], 0, err, sizeof(err)) < 0) {
		fprintf(stderr, "swt_cost: %s\n", err);
		return 2;
	}
	while (swt_reader_next(r, &rec) == 0) {
		const struct swt_sample *s = &rec->u.sample;

		if (rec->kind != SWT_REC_SAMPLE)
			continue;
		samples++;
		if (to > from && rec->t_ns >= from && rec->t_ns < to) {
			w_samples++;
			w_prows += s->n_procs;
			w_trows += s->n_threads;
		}
		prows += s->n_procs;
		trows += s->n_threads;
		if (s->recorder_rss_kib > rss_max)
			rss_max = s->recorder_rss_kib;
		if ((long)samples == skip) {
			cpu0 = s->recorder_cpu_ns;
			t0 = rec->t_ns;
		} else if ((long)samples > skip) {
			/* rows read during the window: every later tick */
			win_prows += s->n_procs;
			win_trows += s->n_threads;
			cpu1 = s->recorder_cpu_ns;
			t1 = rec->t_ns;
		}
	}
	swt_reader_free(r);
	if (stat(argv[1], &st) < 0)
		st.st_size = 0;
	printf("samples=%" PRIu64 " proc_rows=%" PRIu64 " thread_rows=%" PRIu64
	       " bytes=%lld bytes_per_proc_sample=%.3f",
	       samples, prows, trows, (long long)st.st_size,
	       prows ? (double)st.st_size / (double)prows : 0.0);
	if (win_prows && t1 > t0)
		printf(" cpu_ns_per_proc_sample=%.0f cpu_ns_per_row=%.0f"
		       " cpu_percent=%.3f",
		       (double)(cpu1 - cpu0) / (double)win_prows,
		       (double)(cpu1 - cpu0) / (double)(win_prows + win_trows),
		       100.0 * (double)(cpu1 - cpu0) / (double)(t1 - t0));
	if (to > from)
		printf(" window_samples=%" PRIu64 " window_proc_rows=%" PRIu64
		       " window_thread_rows=%" PRIu64,
		       w_samples, w_prows, w_trows);
	printf(" recorder_rss_max_kib=%" PRIu64 "\n", rss_max);
	return 0;
}
