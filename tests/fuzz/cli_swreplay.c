/* swreplay's option parsing for fuzz_cli.c: the tool's source with its
 * main renamed (never called here). */
#include "cli_tools.h"

int swreplay_main(int argc, char **argv);
#define main swreplay_main
#include "swreplay.c"
#undef main

int fuzz_cli_swreplay(int argc, char **argv)
{
	struct options opts;
	int err;

	optind = 0;	/* glibc: start a new scan, forget the last one */
	err = parse_options(&opts, argc, argv);
	free(opts.thresholds);
	return err;
}
