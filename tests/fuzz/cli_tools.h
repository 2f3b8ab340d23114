/* cli_tools.h — the option parsers of the three command-line tools, each
 * compiled from the tool's own source (cli_swanalyze.c, cli_swreplay.c,
 * cli_swrec.c) for fuzz_cli.c. Each returns the parser's status (0 or
 * SWT_EINVAL) and frees what the parser allocated; getopt is reset first.
 */
#ifndef SWT_FUZZ_CLI_TOOLS_H
#define SWT_FUZZ_CLI_TOOLS_H

int fuzz_cli_swanalyze(int argc, char **argv);
/* swanalyze diff (history: swanalyze history), after the subcommand */
int fuzz_cli_swanalyze_diff(int argc, char **argv, int history);
int fuzz_cli_swreplay(int argc, char **argv);
int fuzz_cli_swrec(int argc, char **argv);

#endif
