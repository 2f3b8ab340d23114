/* swanalyze's option parsing for fuzz_cli.c: the tool's source with its
 * main renamed (never called here), so the fuzzer runs the very
 * parse_options() and load_thresholds() that swanalyze runs. */
#include "cli_tools.h"

int swanalyze_main(int argc, char **argv);
#define main swanalyze_main
#include "swanalyze.c"
#undef main

int fuzz_cli_swanalyze_diff(int argc, char **argv, int history)
{
	struct diff_options o;
	struct swt_thresholds th;
	struct options lo;
	size_t i;
	int err, side;

	swt_thresholds_init(&th);
	err = parse_diff_options(&o, argc, argv, history != 0);
	if (err == 0 && !o.help) {
		/* the settings through the same loader (no --config file
		 * opened, no --budget read) */
		memset(&lo, 0, sizeof(lo));
		lo.thresholds = o.thresholds;
		lo.n_thresholds = o.n_thresholds;
		lo.group_by = o.group_by;
		err = load_thresholds(&th, &lo);
	}
	for (side = 0; side < 2; side++) {
		for (i = 0; i < o.n_paths[side]; i++)
			free(o.paths[side][i]);
		free(o.paths[side]);
	}
	free(o.thresholds);
	swt_thresholds_fini(&th);
	return err;
}

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
