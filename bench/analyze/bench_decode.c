/* bench_decode — the floor under an analysis: every record of a session
 * read as swanalyze reads it (deltas with the changed rows listed,
 * swt_reader_set_deltas(); THREADS decoding threads in all), and nothing
 * else, each listed row's CPU and RSS summed so that no row goes unread.
 * Used by bench/analyze/threads.sh beside `zstd -dc` and the analysis.
 *
 *   swt-bench-decode SESSION [THREADS]      (default 1)
 *
 * Prints "decode_s SECONDS samples N rows R sum S" on stdout (S only
 * keeps the reads from being dropped). Exit status 0, 1 on a damaged or
 * unreadable file, 2 on a usage error. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "swt_reader.h"
#include "swt_record.h"
#include "swt_status.h"

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	struct swt_reader *r = NULL;
	const struct swt_record *rec;
	uint64_t samples = 0, rows = 0, sum = 0;
	unsigned threads = 1;
	char msg[256];
	int64_t t0;
	int err;

	if (argc < 2 || argc > 3 ||
	    (argc == 3 && (threads = (unsigned)strtoul(argv[2], NULL, 10)) == 0)) {
		fprintf(stderr, "usage: swt-bench-decode SESSION [THREADS]\n");
		return 2;
	}
	t0 = now_ns();
	err = swt_reader_open(&r, argv[1], 0, msg, sizeof(msg));
	if (err < 0) {
		fprintf(stderr, "swt-bench-decode: %s\n", msg);
		return 1;
	}
	swt_reader_set_threads(r, threads);
	swt_reader_set_deltas(r, true, true);
	while ((err = swt_reader_next(r, &rec)) == 0) {
		const struct swt_sample *s;
		size_t i, n;

		if (rec->kind != SWT_REC_SAMPLE)
			continue;
		s = &rec->u.sample;
		samples++;
		/* the rows the analysis looks at: the listed ones where the
		 * sample lists them (in place, or alone), else every row */
		n = s->proc_at ? s->n_proc_at : s->n_procs;
		for (i = 0; i < n; i++) {
			size_t k = s->proc_at && !s->proc_listed ?
					   s->proc_at[i] : i;

			sum += (uint64_t)(s->procs[k].utime + s->procs[k].stime +
					  s->procs[k].rss_kib);
		}
		rows += n;
		n = s->thread_at ? s->n_thread_at : s->n_threads;
		for (i = 0; i < n; i++) {
			size_t k = s->thread_at && !s->thread_listed ?
					   s->thread_at[i] : i;

			sum += (uint64_t)(s->threads[k].utime +
					  s->threads[k].stime);
		}
		rows += n;
	}
	if (err != SWT_ITEROVER) {
		fprintf(stderr, "swt-bench-decode: %s: damaged (status %d)\n",
			argv[1], err);
		swt_reader_free(r);
		return 1;
	}
	swt_reader_free(r);
	printf("decode_s %.3f samples %" PRIu64 " rows %" PRIu64
	       " sum %" PRIu64 "\n",
	       (double)(now_ns() - t0) / 1e9, samples, rows, sum);
	return 0;
}
