/* bpf_run — the BPF sampler's program alone: runs of it (one
 * BPF_PROG_TEST_RUN each) over every process of the machine, and its CPU
 * per process-sample, measured around the runs (the sampler's own stats:
 * CLOCK_THREAD_CPUTIME_ID).
 *
 *   swt-bench-rec-bpf-run RUNS
 *
 * Prints "runs R procs P run_us U per_proc_us X". Needs root (Linux 6.7+);
 * exits 77 with the reason where the program cannot load. */
#include <stdio.h>
#include <stdlib.h>

#include "swt_sampler_bpf.h"

int main(int argc, char **argv)
{
	struct swt_sampler_bpf *b;
	struct swt_sampler_bpf_stats st;
	char msg[400];
	long runs = argc > 1 ? atol(argv[1]) : 100, i;

	if (swt_sampler_bpf_open(&b, true, false, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "%s\n", msg);
		return 77;
	}
	for (i = 0; i < runs; i++)
		if (swt_sampler_bpf_run(b, true) < 0) {
			fprintf(stderr, "%s\n", swt_sampler_bpf_errmsg(b));
			return 1;
		}
	swt_sampler_bpf_get_stats(b, &st);
	printf("runs %llu procs %llu run_us %.2f per_proc_us %.4f\n",
	       (unsigned long long)st.runs,
	       (unsigned long long)(st.procs / st.runs),
	       (double)st.run_ns / 1e3 / (double)st.runs,
	       (double)st.run_ns / 1e3 / (double)st.procs);
	swt_sampler_bpf_free(b);
	return 0;
}
