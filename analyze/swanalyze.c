/* swanalyze — analyse a .swt session file and write a report.
 *
 * Kept thin (STYLE.md rule 1): option parsing, calls into libswt_engine and
 * libswt_proto, and the one mapping from status to exit code. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "swt_analysis.h"
#include "swt_buf.h"
#include "swt_cli.h"
#include "swt_config.h"
#include "swt_engine.h"
#include "swt_reader.h"
#include "swt_report.h"
#include "swt_status.h"
#include "swt_thresholds.h"

#define PROG "swanalyze"

enum exit_code {
	EXIT_OK = 0,
	EXIT_FINDINGS = 1,	/* --fail-on matched */
	EXIT_USAGE = 2,		/* bad arguments, config, or not a session */
	EXIT_BAD_DATA = 3,	/* damaged or truncated session */
	EXIT_IO = 4,		/* writing the report failed */
};

struct options {
	bool help, version;
	const char *path;
	bool have_report;
	enum swt_report_kind report;
	enum swt_report_format format;
	const char *output;
	const char *config;
	size_t n_thresholds;
	const char **thresholds;
	const char *group_by;	/* --group-by, or NULL */
	int fail_on;		/* enum swt_priority, or -1 */
};

static const char usage_text[] =
	"Usage: " PROG " FILE --report lightweight|full|weight-analysis\n"
	"                 [--format text|json|csv|markdown] [-o OUT]\n"
	"                 [--config CONF] [--threshold KEY=VALUE ...]\n"
	"                 [--group-by exe|comm|cmdline] [--fail-on critical|high]\n"
	"Analyse a swt session file (.swt) and write a report.\n"
	"\n"
	"  -r, --report KIND       lightweight: CPU and memory, active modules,\n"
	"                          alert count; weight-analysis: weights,\n"
	"                          leaks, bottlenecks, trend; full: all of it\n"
	"                          with counters, spikes, alerts and\n"
	"                          recommendations\n"
	"  -f, --format FORMAT     text (default), json, csv or markdown\n"
	"  -o, --output OUT        write the report to OUT instead of stdout\n"
	"                          (replaced; never through a symlink)\n"
	"  -c, --config CONF       read thresholds from CONF (KEY = VALUE lines)\n"
	"  -t, --threshold K=V     set one threshold (after --config); keys:\n"
	"                          memory_mb cpu_percent io_mb_per_s\n"
	"                          net_mb_per_s\n"
	"                          calls_per_minute starts_per_minute\n"
	"                          history_samples\n"
	"                          spike_factor leak_mb_per_min\n"
	"                          trend_mb_per_min trend_cpu_percent_per_min\n"
	"                          saturation_percent heavy_patterns\n"
	"                          ocr_per_minute event_listener_per_minute\n"
	"                          rate.COUNTER group_by group_patterns\n"
	"      --group-by HOW      process modules by exe (comm and program,\n"
	"                          the default), comm, or cmdline (one per\n"
	"                          command line); same as -t group_by=HOW\n"
	"      --fail-on LEVEL     exit 1 if a finding has priority LEVEL\n"
	"                          (critical or high) or above\n"
	"  -h, --help              print this help and exit\n"
	"  -V, --version           print the version and exit\n"
	"\n"
	"Exit status: 0 analysed; 1 findings at the --fail-on level; 2 usage\n"
	"error (bad option, config or threshold, FILE not a readable session);\n"
	"3 FILE is damaged or truncated (the readable part is analysed and the\n"
	"lost time ranges are named on stderr); 4 the report could not be\n"
	"written.\n";

/* true if both paths name one existing file (a hard link included): -o
 * must not replace the session being analysed with its report. */
static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static int parse_options(struct options *out, int argc, char **argv)
{
	enum { OPT_FAIL_ON = 256, OPT_GROUP_BY };
	static const struct option longopts[] = {
		{ "report", required_argument, NULL, 'r' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "config", required_argument, NULL, 'c' },
		{ "threshold", required_argument, NULL, 't' },
		{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
		{ "group-by", required_argument, NULL, OPT_GROUP_BY },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c, err = 0;

	memset(out, 0, sizeof(*out));
	out->fail_on = -1;
	out->thresholds = calloc((size_t)argc, sizeof(*out->thresholds));
	if (!out->thresholds)
		abort();
	opterr = 0;	/* our messages, one line, named "swanalyze" */
	while ((c = getopt_long(argc, argv, ":r:f:o:c:t:hV", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'r':
			if (swt_report_kind_parse(&out->report, optarg) < 0) {
				err = swt_cli_usage_error(PROG, "unknown report (expected "
						  "lightweight, full or "
						  "weight-analysis): ",
						  optarg);
				goto out;
			}
			out->have_report = true;
			break;
		case 'f':
			if (swt_report_format_parse(&out->format, optarg) < 0) {
				err = swt_cli_usage_error(PROG, "unknown format (expected "
						  "text, json, csv or "
						  "markdown): ",
						  optarg);
				goto out;
			}
			break;
		case 'o':
			if (!*optarg) {
				err = swt_cli_usage_error(PROG, "-o/--output: "
							  "empty file name",
							  "");
				goto out;
			}
			out->output = optarg;
			break;
		case 'c':
			if (out->config) {
				err = swt_cli_usage_error(PROG, "--config given twice", "");
				goto out;
			}
			out->config = optarg;
			break;
		case 't':
			out->thresholds[out->n_thresholds++] = optarg;
			break;
		case OPT_GROUP_BY:
			out->group_by = optarg;
			break;
		case OPT_FAIL_ON:
			if (strcmp(optarg, "critical") == 0) {
				out->fail_on = SWT_PRIO_CRITICAL;
			} else if (strcmp(optarg, "high") == 0) {
				out->fail_on = SWT_PRIO_HIGH;
			} else {
				err = swt_cli_usage_error(PROG, "--fail-on expects critical "
						  "or high, not ",
						  optarg);
				goto out;
			}
			break;
		case 'h':
			out->help = true;
			goto out;
		case 'V':
			out->version = true;
			goto out;
		default:	/* '?' or ':' */
			err = swt_cli_getopt_error(PROG, c, argv);
			goto out;
		}
	}
	SWT_TRY(err = swt_cli_one_file(PROG, argc, argv, &out->path));
	if (out->output && same_file(out->output, out->path)) {
		err = swt_cli_usage_error(PROG, "-o/--output is the session "
					  "file itself: ", out->output);
		goto out;
	}
	if (!out->have_report)
		err = swt_cli_usage_error(PROG, "missing --report (lightweight, full or "
				  "weight-analysis)", "");
out:
	return err;
}

/* Thresholds from --config then every --threshold, in order. */
static int load_thresholds(struct swt_thresholds *th,
			   const struct options *opts)
{
	char msg[512];
	int err = 0;

	if (opts->config) {
		err = swt_thresholds_load_file(th, opts->config, msg,
					       sizeof(msg));
		if (err < 0) {
			fprintf(stderr, PROG ": %s\n", msg);
			goto out;
		}
	}
	/* all at once: n log n for many rate.NAME (one by one is n^2) */
	err = swt_thresholds_set_assignments(th, opts->thresholds,
					     opts->n_thresholds, SWT_TH_OPTION,
					     msg, sizeof(msg));
	if (err < 0) {
		fprintf(stderr, PROG ": --threshold: %s\n", msg);
		goto out;
	}
	/* after every --threshold, as the later option it is */
	if (opts->group_by) {
		err = swt_thresholds_set(th, "group_by", opts->group_by,
					 SWT_TH_OPTION, msg, sizeof(msg));
		if (err < 0)
			fprintf(stderr, PROG ": --group-by: %s\n", msg);
	}
out:
	return err < 0 ? SWT_EINVAL : 0;
}

/* Open -o OUT for writing, as swrec opens its output: never through a
 * symbolic link (O_NOFOLLOW; a link could point anywhere, and a report
 * run by a privileged job must not clobber what it points to), and a
 * regular file is truncated only once it is known to be one. Devices and
 * FIFOs (/dev/null, a named pipe) are written as they are. NULL on error,
 * with the message printed. */
static FILE *open_output(const char *path)
{
	struct stat st;
	FILE *f = NULL;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		if (errno == ELOOP)
			fprintf(stderr, PROG ": %s: exists and is not a "
				"regular file (a symbolic link, not "
				"followed)\n", path);
		else
			fprintf(stderr, PROG ": %s: %s\n", path,
				strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) != 0 ||
	    (S_ISREG(st.st_mode) && ftruncate(fd, 0) != 0)) {
		fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
		goto out;
	}
	f = fdopen(fd, "wb");
	if (!f)
		fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
	else
		fd = -1;
out:
	if (fd >= 0)
		close(fd);
	return f;
}

static int write_report(const struct swt_buf *b, const char *path)
{
	FILE *f = path ? open_output(path) : stdout;
	int err = 0;

	if (!f)
		return SWT_EIO;
	if ((b->len && fwrite(b->ptr, 1, b->len, f) != b->len) ||
	    fflush(f) != 0) {
		fprintf(stderr, PROG ": %s: write error: %s\n",
			path ? path : "standard output", strerror(errno));
		err = SWT_EIO;
	}
	if (path && fclose(f) != 0 && err == 0) {
		fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
		err = SWT_EIO;
	}
	return err;
}

int main(int argc, char **argv)
{
	struct options opts;
	struct swt_thresholds th;
	struct swt_engine_opts eopts;
	struct swt_reader *r = NULL;
	struct swt_analysis *an = NULL;
	struct swt_report_input in;
	struct swt_buf report = SWT_BUF_INIT, warn = SWT_BUF_INIT;
	char errmsg[512] = "";
	int err, code = EXIT_OK;

	swt_thresholds_init(&th);
	err = parse_options(&opts, argc, argv);
	if (err < 0 || opts.help || opts.version) {
		if (opts.help)
			fputs(usage_text, stdout);
		else if (opts.version)
			fputs(PROG " " SWT_VERSION "\n", stdout);
		if (err == 0 && fflush(stdout) != 0)
			code = EXIT_IO;
		else
			code = err < 0 ? EXIT_USAGE : EXIT_OK;
		goto out;
	}
	if (load_thresholds(&th, &opts) < 0) {
		code = EXIT_USAGE;
		goto out;
	}
	err = swt_reader_open(&r, opts.path, 0, errmsg, sizeof(errmsg));
	if (err < 0) {
		/* not a session we can read: the arguments are wrong */
		swt_cli_error_line(PROG, opts.path, err, errmsg);
		code = EXIT_USAGE;
		goto out;
	}
	memset(&eopts, 0, sizeof(eopts));
	eopts.thresholds = &th;
	err = swt_analysis_run(&an, r, &eopts, errmsg, sizeof(errmsg));
	if (err < 0) {
		swt_cli_error_line(PROG, opts.path, err, errmsg);
		code = EXIT_BAD_DATA;
		goto out;
	}
	in.result = an->result;
	in.n_lost = an->n_lost;
	in.lost = an->lost;
	in.truncated = an->truncated;
	swt_report_write(&report, &in, opts.report, opts.format);
	if (write_report(&report, opts.output) < 0) {
		code = EXIT_IO;
		goto out;
	}
	swt_buf_printf(&warn, "%s: %s", PROG, opts.path);
	{
		struct swt_buf lines = SWT_BUF_INIT;

		swt_report_warnings(&lines, warn.ptr, &in);
		if (lines.len)
			fputs(lines.ptr, stderr);
		swt_buf_fini(&lines);
	}
	if (swt_analysis_incomplete(an))
		code = EXIT_BAD_DATA;
	else if (opts.fail_on >= 0 &&
		 swt_result_max_priority(an->result) >= opts.fail_on)
		code = EXIT_FINDINGS;
out:
	swt_buf_fini(&report);
	swt_buf_fini(&warn);
	swt_analysis_free(an);
	swt_reader_free(r);
	swt_thresholds_fini(&th);
	free(opts.thresholds);
	return code;
}
