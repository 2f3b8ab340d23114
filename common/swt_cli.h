/* swt_cli.h — the diagnostics every swt command-line tool prints the same
 * way. Only the thin CLIs (swrec, swreplay, swanalyze) use this module;
 * libraries never print. */
#ifndef SWT_CLI_H
#define SWT_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* One line on stderr, "PROG: PATH: MSG". Codec and engine messages usually
 * start with the file name already ("PATH: offset N: ..."); it is not
 * repeated then. An empty msg prints the status name. */
void swt_cli_error_line(const char *prog, const char *path, int status,
			const char *msg);

/* "PROG: WHATARG" and a --help hint on stderr; returns SWT_EINVAL so that
 * option parsers can `return swt_cli_usage_error(...)`. */
int swt_cli_usage_error(const char *prog, const char *what, const char *arg);

/* The usage error for an option getopt_long() refused (it returned '?',
 * or ':' for a missing argument when the option string starts with ':'),
 * with opterr = 0: "unknown option -x", "unknown option --name",
 * "missing argument for --name", "option takes no value: --name" (for
 * --name=VALUE). Reads getopt's optopt and optind. */
int swt_cli_getopt_error(const char *prog, int c, char *const argv[]);

/* --from or --to (is_from): a time from the session start (90, 90s, 5m,
 * 1h) into *out, or the usage error naming the option and the value. */
int swt_cli_time_option(const char *prog, bool is_from, const char *arg,
			int64_t *out);

/* Most threads --threads takes (SWT_READER_MAX_THREADS). */
#define SWT_CLI_MAX_THREADS 64u

/* --threads N: 1 to SWT_CLI_MAX_THREADS into *out, or the usage error. */
int swt_cli_threads_option(const char *prog, const char *arg,
			   unsigned *out);

/* The default of --threads: the online CPUs (1 if unknown), at most
 * SWT_CLI_DEFAULT_MAX_THREADS: one analysis consumes what about two
 * decoding threads produce (docs/performance.md), and every thread holds
 * a chunk. */
#define SWT_CLI_DEFAULT_MAX_THREADS 4u

unsigned swt_cli_default_threads(void);

/* The one FILE operand left after the options (argv[optind]) into *path,
 * or the usage error for none ("missing FILE") or more than one. */
int swt_cli_one_file(const char *prog, int argc, char *const argv[],
		     const char **path);

/* true if both paths name one existing file (a hard link included): an
 * output (-o) must not replace the session being read. */
bool swt_cli_same_file(const char *a, const char *b);

/* Open OUT (-o) for writing, as swrec opens its output: never through a
 * symbolic link (O_NOFOLLOW; a link could point anywhere, and a report
 * run by a privileged job must not clobber what it points to), and a
 * regular file is truncated only once it is known to be one. Devices and
 * FIFOs (/dev/null, a named pipe) are written as they are. NULL on error,
 * with the message ("PROG: OUT: ...") printed. */
FILE *swt_cli_open_output(const char *prog, const char *path);

#endif
