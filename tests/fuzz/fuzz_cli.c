/* fuzz_cli.c — libFuzzer target over the command-line option parsing of
 * swanalyze, swreplay and swrec (the parsers of the tools' own sources,
 * see cli_tools.h), and of swanalyze diff and history. The first byte of
 * the input picks the tool (modulo 5); the rest
 * is its arguments, separated by NUL bytes, each in a buffer of its own
 * size so that a read past an argument's end is an ASan report. Besides
 * the sanitizers it checks that a parser returns 0 or SWT_EINVAL only.
 *
 * Run with -close_fd_mask=3: the parsers print usage errors and --help. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli_tools.h"
#include "fuzz_check.h"
#include "swt_status.h"

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "swanalyze", "swreplay",
					     "swrec", "diff", "history" };
	char *argv[MAX_ARGS + 2];
	int argc = 0, err, i, tool;
	size_t at, end;

	if (size == 0)
		return 0;
	tool = data[0] % 5;
	argv[argc++] = strdup(names[tool]);
	for (at = 1; at < size && argc <= MAX_ARGS; at = end + 1) {
		end = at;
		while (end < size && data[end] != '\0')
			end++;
		argv[argc] = malloc(end - at + 1);
		if (!argv[argc])
			break;
		memcpy(argv[argc], data + at, end - at);
		argv[argc][end - at] = '\0';
		argc++;
	}
	argv[argc] = NULL;
	switch (tool) {
	case 0:
		err = fuzz_cli_swanalyze(argc, argv);
		break;
	case 1:
		err = fuzz_cli_swreplay(argc, argv);
		break;
	case 3:
	case 4:
		/* argv[0] stands for the subcommand, as in swanalyze */
		err = fuzz_cli_swanalyze_diff(argc, argv, tool == 4);
		break;
	default:
		err = fuzz_cli_swrec(argc, argv);
		break;
	}
	CHECK(err == 0 || err == SWT_EINVAL);
	for (i = 0; i < argc; i++)
		free(argv[i]);
	return 0;
}
