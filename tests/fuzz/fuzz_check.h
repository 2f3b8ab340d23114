/* fuzz_check.h — what every libFuzzer target here shares: the entry
 * point's prototype and CHECK, a condition that must hold whatever the
 * input (a trap, which libFuzzer reports as a crash with the input). */
#ifndef SWT_FUZZ_CHECK_H
#define SWT_FUZZ_CHECK_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                          \
	do {                                 \
		if (!(cond))                 \
			__builtin_trap();    \
	} while (0)

#endif
