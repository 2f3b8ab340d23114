/* swreplay — read a .swt session file back.
 *
 * Kept thin (STYLE.md rule 1): option parsing, calls into libswt_replay and
 * libswt_proto, and the one mapping from status to exit code. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swt_buf.h"
#include "swt_cli.h"
#include "swt_config.h"
#include "swt_dump.h"
#include "swt_reader.h"
#include "swt_status.h"

#define PROG "swreplay"

enum exit_code {
	EXIT_INTACT = 0,
	EXIT_USAGE = 2,		/* bad arguments, or FILE is no session */
	EXIT_BAD_DATA = 3,	/* damaged or truncated session */
	EXIT_IO = 4,		/* writing the output failed */
};

enum action {
	ACTION_NONE,
	ACTION_DUMP,
	ACTION_CHECK,
	ACTION_HELP,
	ACTION_VERSION,
};

struct options {
	enum action action;
	const char *path;
};

static const char usage_text[] =
	"Usage: " PROG " --dump FILE\n"
	"       " PROG " --check FILE\n"
	"Read back a swt session file (.swt).\n"
	"\n"
	"  -d, --dump     print every record as one JSON object per line\n"
	"  -c, --check    verify the whole file and print a summary\n"
	"  -h, --help     print this help and exit\n"
	"  -V, --version  print the version and exit\n"
	"\n"
	"Exit status: 0 intact; 2 usage error or FILE is not a readable\n"
	"session; 3 FILE is damaged or truncated (everything readable is\n"
	"still printed); 4 the output could not be written.\n";

/* The one status -> exit code mapping. `opened` tells whether FILE was
 * opened as a session: before that, any failure (a missing file, a wrong
 * magic, a future version) means the arguments did not name a session we
 * can read, a usage error. After it, statuses describe the data or the
 * output. */
static int exit_code(int status, bool opened)
{
	if (status == 0)
		return EXIT_INTACT;
	if (!opened || status == SWT_EINVAL)
		return EXIT_USAGE;
	if (status == SWT_EIO)
		return EXIT_IO;
	return EXIT_BAD_DATA;
}

static int set_action(struct options *opts, enum action action)
{
	if (opts->action != ACTION_NONE && opts->action != action)
		return swt_cli_usage_error(PROG, "--dump and --check exclude each other", "");
	opts->action = action;
	return 0;
}

static int parse_options(struct options *out, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dump", no_argument, NULL, 'd' },
		{ "check", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c, err = 0;

	memset(out, 0, sizeof(*out));
	opterr = 0;	/* our messages, one line, named "swreplay" */
	while ((c = getopt_long(argc, argv, "dchV", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			SWT_TRY(err = set_action(out, ACTION_DUMP));
			break;
		case 'c':
			SWT_TRY(err = set_action(out, ACTION_CHECK));
			break;
		case 'h':
			out->action = ACTION_HELP;
			goto out;
		case 'V':
			out->action = ACTION_VERSION;
			goto out;
		default:	/* '?' */
			err = swt_cli_getopt_error(PROG, c, argv);
			goto out;
		}
	}
	if (out->action == ACTION_NONE) {
		err = swt_cli_usage_error(PROG, "no action given (--dump or --check)", "");
		goto out;
	}
	err = swt_cli_one_file(PROG, argc, argv, &out->path);
out:
	return err;
}

/* Damage and truncation warnings, one line per range, on stderr. */
static void warn_damage(const char *path, const struct swt_reader *r,
			const struct swt_check_result *res)
{
	struct swt_buf b = SWT_BUF_INIT;

	swt_dump_check_warnings(&b, PROG ": ", path, r, res);
	if (b.len)
		fwrite(b.ptr, 1, b.len, stderr);
	swt_buf_fini(&b);
}

static int write_stdout(const struct swt_buf *b)
{
	if ((b->len && fwrite(b->ptr, 1, b->len, stdout) != b->len) ||
	    fflush(stdout) != 0)
		return SWT_EIO;
	return 0;
}

int main(int argc, char **argv)
{
	struct options opts;
	struct swt_reader *r = NULL;
	struct swt_check_result res;
	struct swt_buf report = SWT_BUF_INIT;
	char errmsg[512] = "";
	bool opened = false;
	int err;

	SWT_TRY(err = parse_options(&opts, argc, argv));
	if (opts.action == ACTION_HELP) {
		fputs(usage_text, stdout);
		err = write_stdout(&report);
		goto out;
	}
	if (opts.action == ACTION_VERSION) {
		fputs(PROG " " SWT_VERSION "\n", stdout);
		err = write_stdout(&report);
		goto out;
	}

	err = swt_reader_open(&r, opts.path, 0, errmsg, sizeof(errmsg));
	if (err < 0) {
		swt_cli_error_line(PROG, opts.path, err, errmsg);
		goto out;
	}
	opened = true;

	if (opts.action == ACTION_DUMP) {
		err = swt_dump_json(r, stdout, errmsg, sizeof(errmsg));
		if (err < 0) {
			swt_cli_error_line(PROG, err == SWT_EIO ? "standard output" :
				   opts.path, err, errmsg);
			goto out;
		}
		swt_dump_check_summarize(&res, r);
	} else {
		err = swt_dump_check(&res, r, errmsg, sizeof(errmsg));
		if (err < 0) {
			swt_cli_error_line(PROG, opts.path, err, errmsg);
			goto out;
		}
		swt_dump_check_report(&report, opts.path, r, &res);
		err = write_stdout(&report);
		if (err < 0) {
			swt_cli_error_line(PROG, "standard output", err, strerror(errno));
			goto out;
		}
	}
	warn_damage(opts.path, r, &res);
	err = res.status;
out:
	swt_buf_fini(&report);
	swt_reader_free(r);
	return exit_code(err, opened);
}
