/* work — a CPU-bound program with a fixed amount of work, for the diff
 * benchmark (bench/diff/run.sh): N million iterations of a 64-bit LCG,
 * whose result is printed so that nothing is optimised away.
 *
 *   swt-bench-diff-work MILLIONS */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	uint64_t x = 1, i, n;

	if (argc != 2 || atol(argv[1]) <= 0) {
		fprintf(stderr, "usage: swt-bench-diff-work MILLIONS\n");
		return 2;
	}
	n = (uint64_t)atol(argv[1]) * 1000000u;
	for (i = 0; i < n; i++)
		x = x * UINT64_C(6364136223846793005) +
		    UINT64_C(1442695040888963407);
	printf("%llu\n", (unsigned long long)(x >> 60));
	return 0;
}
