/* bench_decode — the floor under an analysis: every record of a session
 * read as swanalyze reads it (deltas with the changed rows listed,
 * swt_reader_set_deltas(); THREADS decoding threads in all), its tables
 * kept whole as the engine keeps them from decoding threads (the listed
 * rows, or their columns, put in place), and nothing else, each listed
 * row's CPU and RSS summed so that no row goes unread.
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
	struct swt_rows_kept kept = { 0 };
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
		const struct swt_proc_row *pr;
		const struct swt_thread_row *tr;
		size_t i, n;

		if (rec->kind != SWT_REC_SAMPLE)
			continue;
		s = &rec->u.sample;
		samples++;
		pr = s->procs;
		tr = s->threads;

		/* the tables kept whole as the engine keeps them from a
		 * decoding thread (keep_rows, whole_sample()): a sample that
		 * lists its changed rows alone has them put in place */
		if (s->keep_rows || kept.have) {
			if (!swt_rows_keep_sample(&kept, s, false)) {
				fprintf(stderr, "swt-bench-decode: listed "
					"rows that do not fit\n");
				return 1;
			}
			if (kept.have) {
				pr = kept.procs;
				tr = kept.threads;
			}
		}
		/* the rows the analysis looks at: the listed ones where the
		 * sample lists them, else every row */
		n = s->proc_at ? s->n_proc_at : s->n_procs;
		for (i = 0; i < n; i++) {
			const struct swt_proc_row *p =
				&pr[s->proc_at ? s->proc_at[i] : i];

			sum += (uint64_t)(p->utime + p->stime + p->rss_kib);
		}
		rows += n;
		n = s->thread_at ? s->n_thread_at : s->n_threads;
		for (i = 0; i < n; i++) {
			const struct swt_thread_row *t =
				&tr[s->thread_at ? s->thread_at[i] : i];

			sum += (uint64_t)(t->utime + t->stime);
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
	swt_rows_kept_fini(&kept);
	printf("decode_s %.3f samples %" PRIu64 " rows %" PRIu64
	       " sum %" PRIu64 "\n",
	       (double)(now_ns() - t0) / 1e9, samples, rows, sum);
	return 0;
}
