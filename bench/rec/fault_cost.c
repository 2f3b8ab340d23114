/* fault_cost.c — what a page of new memory costs the thread that touches
 * it, on this machine (docs/performance.md, "New memory"): a first touch
 * of an anonymous page (the fault: the kernel finds, zeroes and maps a
 * page), the same pages populated ahead with MADV_POPULATE_WRITE in
 * 16-page steps and then touched, and pages already touched, touched again
 * after a sleep (a cache or TLB miss, no fault). CPU time of the calling
 * thread, medians over ROUNDS rounds of 16 pages, each after a 20 ms
 * sleep as a recorder's tick would have.
 *
 *   swt-bench-rec-fault [ROUNDS]     (default 64) */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#define PAGE 4096u
#define STEP 16u

static double cpu_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void touch(volatile char *p)
{
	size_t i;

	for (i = 0; i < STEP; i++)
		p[i * PAGE]++;
}

int main(int argc, char **argv)
{
	size_t rounds = argc > 1 ? strtoul(argv[1], NULL, 10) : 64, r;
	size_t len = rounds * STEP * PAGE;
	char *fault, *pop, *warm;
	double *f, *p, *w, t0, t1;
	int adv = 0;

	if (rounds < 1 || rounds > 1u << 16) {
		fprintf(stderr, "usage: swt-bench-rec-fault [ROUNDS 1..65536]\n");
		return 2;
	}
	fault = mmap(NULL, len, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pop = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	warm = mmap(NULL, STEP * PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	f = calloc(rounds, sizeof(*f));
	p = calloc(rounds, sizeof(*p));
	w = calloc(rounds, sizeof(*w));
	if (fault == MAP_FAILED || pop == MAP_FAILED || warm == MAP_FAILED ||
	    !f || !p || !w) {
		perror("swt-bench-rec-fault");
		return 1;
	}
	touch(warm);
	for (r = 0; r < rounds; r++) {
		char *q = pop + r * STEP * PAGE;

		usleep(20000);
		t0 = cpu_ns();
		touch(fault + r * STEP * PAGE);
		t1 = cpu_ns();
		f[r] = (t1 - t0) / STEP;
		t0 = cpu_ns();
		adv |= madvise(q, STEP * PAGE, MADV_POPULATE_WRITE);
		touch(q);
		t1 = cpu_ns();
		p[r] = (t1 - t0) / STEP;
		t0 = cpu_ns();
		touch(warm);
		t1 = cpu_ns();
		w[r] = (t1 - t0) / STEP;
	}
	printf("per page, median of %zu rounds of %u pages (thread CPU):\n",
	       rounds, STEP);
	printf("  first touch (a fault)             %8.2f us\n",
	       median(f, rounds) / 1e3);
	printf("  populated ahead, then touched     %8.2f us%s\n",
	       median(p, rounds) / 1e3,
	       adv ? " (MADV_POPULATE_WRITE failed: a fault each)" : "");
	printf("  touched before, again after sleep %8.2f us\n",
	       median(w, rounds) / 1e3);
	return 0;
}
