/* swanalyze's option parsing for fuzz_cli.c: the tool's source with its
 * main renamed (never called here), so the fuzzer runs the very
 * parse_options() and load_thresholds() that swanalyze runs. */
#include "cli_tools.h"

int swanalyze_main(int argc, char **argv);
#define main swanalyze_main
#include "swanalyze.c"
#undef main

int fuzz_cli_swanalyze(int argc, char **argv)
{
	struct options opts;
	struct swt_thresholds th;
	int err;

	optind = 0;	/* glibc: start a new scan, forget the last one */
	swt_thresholds_init(&th);
	err = parse_options(&opts, argc, argv);
	if (err == 0 && !opts.help && !opts.version) {
		/* The --threshold values through the same loader; a --config
		 * file is not opened (the fuzzer would name /dev/zero). */
		opts.config = NULL;
		err = load_thresholds(&th, &opts);
	}
	swt_thresholds_fini(&th);
	free(opts.thresholds);
	return err;
}
