/* swrec's option parsing for fuzz_cli.c: the tool's source with its main
 * renamed (never called here), so nothing is launched or recorded. */
#include "cli_tools.h"

int swrec_main(int argc, char **argv);
#define main swrec_main
#include "swrec.c"
#undef main

int fuzz_cli_swrec(int argc, char **argv)
{
	struct options o;
	int err;

	memset(&o, 0, sizeof(o));
	optind = 0;	/* glibc: start a new scan, forget the last one */
	err = parse_args(&o, argc, argv);
	free(o.pids);
	free(o.thresholds);
	swt_fleet_cli_free(&o.rw_cli);	/* --label, --header (rw_stop()) */
	return err;
}
