/* swanalyze — analyse a .swt session file and write a report.
 *
 * Kept thin (STYLE.md rule 1): option parsing, calls into libswt_engine and
 * libswt_proto, and the one mapping from status to exit code. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <glob.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "swanalyze_export.h"
#include "swt_analysis.h"
#include "swt_buf.h"
#include "swt_cli.h"
#include "swt_parse.h"
#include "swt_config.h"
#include "swt_diff.h"
#include "swt_engine.h"
#include "swt_reader.h"
#include "swt_render.h"
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
	int64_t from_ns, to_ns;	/* --from/--to, or INT64_MIN/INT64_MAX */
	bool ascii;		/* --ascii: charts in ASCII */
	unsigned threads;	/* --threads, or 0: the online CPUs */
};

static const char usage_text[] =
	"Usage: " PROG " FILE --report lightweight|full|weight-analysis\n"
	"                 [--format text|json|csv|markdown|html] [-o OUT]\n"
	"                 [--config CONF] [--threshold KEY=VALUE ...]\n"
	"                 [--group-by exe|comm|cmdline] [--fail-on critical|high]\n"
	"                 [--from T] [--to T] [--ascii] [--threads N]\n"
	"       " PROG " diff BASE.swt NEW.swt [OPTIONS]\n"
	"       " PROG " diff --base B1.swt B2.swt ... --new N1.swt ... [OPTIONS]\n"
	"       " PROG " history FILE... [OPTIONS]\n"
	"       " PROG " export --remote-write URL FILE... [OPTIONS]\n"
	"Analyse a swt session file (.swt) and write a report; compare\n"
	"sessions (" PROG " diff --help); follow modules across sessions\n"
	"(" PROG " history --help).\n"
	"\n"
	"  -r, --report KIND       lightweight: CPU and memory, active modules,\n"
	"                          alert count; weight-analysis: weights,\n"
	"                          leaks, bottlenecks, trend; full: all of it\n"
	"                          with counters, spikes, alerts and\n"
	"                          recommendations\n"
	"  -f, --format FORMAT     text (default), json, csv, markdown or html\n"
	"                          (one self-contained page, charts included)\n"
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
	"                          saturation_percent forecast_minutes\n"
	"                          heavy_patterns\n"
	"                          ocr_per_minute event_listener_per_minute\n"
	"                          rate.COUNTER group_by group_patterns\n"
	"      --group-by HOW      process modules by exe (comm and program,\n"
	"                          the default), comm, or cmdline (one per\n"
	"                          command line); same as -t group_by=HOW\n"
	"      --fail-on LEVEL     exit 1 if a finding has priority LEVEL\n"
	"                          (critical or high) or above\n"
	"      --from T, --to T    analyse only this window (seconds from the\n"
	"                          session start, or 90s, 5m, 1h), from the\n"
	"                          last sample at or before each: a finished\n"
	"                          file is read only there, through its index\n"
	"      --ascii             text and Markdown: draw the charts over time\n"
	"                          with ASCII characters instead of Unicode\n"
	"                          blocks\n"
	"      --threads N         decode the file on N threads in all, the\n"
	"                          analysis's own included (default: the\n"
	"                          number of CPUs, at most 4; 1: on one\n"
	"                          thread); the report is the same whatever N\n"
	"  -h, --help              print this help and exit\n"
	"  -V, --version           print the version and exit\n"
	"\n"
	"Exit status: 0 analysed; 1 findings at the --fail-on level; 2 usage\n"
	"error (bad option, config or threshold, FILE not a readable session);\n"
	"3 FILE is damaged or truncated (the readable part is analysed and the\n"
	"lost time ranges are named on stderr); 4 the report could not be\n"
	"written.\n";

static int parse_options(struct options *out, int argc, char **argv)
{
	enum { OPT_FAIL_ON = 256, OPT_GROUP_BY, OPT_FROM, OPT_TO, OPT_ASCII,
	       OPT_THREADS };
	static const struct option longopts[] = {
		{ "ascii", no_argument, NULL, OPT_ASCII },
		{ "report", required_argument, NULL, 'r' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "config", required_argument, NULL, 'c' },
		{ "threshold", required_argument, NULL, 't' },
		{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
		{ "group-by", required_argument, NULL, OPT_GROUP_BY },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "to", required_argument, NULL, OPT_TO },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c, err = 0;

	memset(out, 0, sizeof(*out));
	out->fail_on = -1;
	out->from_ns = INT64_MIN;
	out->to_ns = INT64_MAX;
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
						  "text, json, csv, "
						  "markdown or html): ",
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
		case OPT_ASCII:
			out->ascii = true;
			break;
		case OPT_THREADS:
			SWT_TRY(err = swt_cli_threads_option(PROG, optarg,
							     &out->threads));
			break;
		case OPT_FROM:
		case OPT_TO:
			SWT_TRY(err = swt_cli_time_option(
					PROG, c == OPT_FROM, optarg,
					c == OPT_FROM ? &out->from_ns :
							&out->to_ns));
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
	if (out->from_ns != INT64_MIN && out->to_ns != INT64_MAX &&
	    out->from_ns > out->to_ns) {
		err = swt_cli_usage_error(PROG, "--from is after --to", "");
		goto out;
	}
	SWT_TRY(err = swt_cli_one_file(PROG, argc, argv, &out->path));
	if (out->output && swt_cli_same_file(out->output, out->path)) {
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
	char msg[600];

	if (swt_thresholds_from_options(th, opts->config, opts->thresholds,
					opts->n_thresholds, opts->group_by,
					msg, sizeof(msg)) < 0) {
		fprintf(stderr, PROG ": %s\n", msg);
		return SWT_EINVAL;
	}
	return 0;
}

static int write_report(const struct swt_buf *b, const char *path)
{
	FILE *f = path ? swt_cli_open_output(PROG, path) : stdout;
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

/* ---- swanalyze diff ---------------------------------------------------------- */

static const char diff_usage_text[] =
	"Usage: " PROG " diff BASE.swt NEW.swt [OPTIONS]\n"
	"       " PROG " diff --base B1.swt B2.swt ... --new N1.swt N2.swt ... "
	"[OPTIONS]\n"
	"       " PROG " diff --budget BUDGET NEW.swt ... (no base)\n"
	"Compare sessions: match their modules by identity (kind, name and\n"
	"program, never PID) and give each metric of each module a verdict:\n"
	"regression, improvement, unchanged or inconclusive. One run a side is\n"
	"judged by minimum effects alone; more runs by the exact Mann-Whitney\n"
	"rank test and its confidence interval of the change (docs/ci.md).\n"
	"Operands may be glob patterns (quoted: expanded here, sorted).\n"
	"\n"
	"      --base FILE...      the sessions before the change\n"
	"      --new FILE...       the sessions after it\n"
	"  -f, --format FORMAT     text (default), json, csv, markdown (for a\n"
	"                          merge request), html (one page) or junit\n"
	"                          (XML, one test case per module and metric)\n"
	"  -o, --output OUT        write the diff to OUT instead of stdout\n"
	"  -c, --config CONF       thresholds and diff settings (KEY = VALUE)\n"
	"  -t, --threshold K=V     one setting (after --config): any threshold\n"
	"                          of the reports, and diff_min_change_percent\n"
	"                          diff_min_change_percent_repeated\n"
	"                          diff_min_cpu_s diff_min_cpu_percent\n"
	"                          diff_min_memory_mb diff_min_per_minute\n"
	"                          diff_min_bytes_mb diff_min_weight\n"
	"                          diff_min_duration_s diff_significance\n"
	"                          diff_contention_percent normalize_patterns\n"
	"      --group-by HOW      exe (default), comm or cmdline\n"
	"      --budget FILE       absolute limits, one per line: SUBJECT\n"
	"                          METRIC <= LIMIT (SUBJECT: session or\n"
	"                          KIND:NAME-GLOB); over a limit fails like\n"
	"                          a regression; works without a base\n"
	"      --fail-on WHAT      exit 1 on: regression (default), change\n"
	"                          (a regression, an improvement, or a module\n"
	"                          that appeared or disappeared), never\n"
	"  -j, --jobs N            analyse N sessions at a time (default: the\n"
	"                          number of CPUs)\n"
	"      --threads N         decode each session on N threads in all\n"
	"                          (default: the CPUs left over by --jobs; 1:\n"
	"                          on its analysis's thread); the same output\n"
	"                          whatever N\n"
	"      --ascii             nothing but ASCII: the charts over time drawn\n"
	"                          with .:-=+*#@, the arrows of the changes ^ v\n"
	"  -h, --help              print this help and exit\n"
	"\n"
	"Exit status: 0 no regression (or --fail-on never); 1 a regression or\n"
	"a budget exceeded (or any change, --fail-on change); 2 usage error (bad option, a file\n"
	"that is not a session); 3 a session is damaged or truncated (the\n"
	"diff compares its readable part and says so); 4 the diff could not\n"
	"be written.\n";

enum fail_on { FAIL_REGRESSION, FAIL_CHANGE, FAIL_NEVER };

struct diff_options {
	bool help;
	const char *output;
	const char *config;
	const char *group_by;
	const char *budget;	/* --budget FILE */
	int format;		/* enum swt_report_format, or FORMAT_JUNIT */
	bool ascii;		/* --ascii: charts in ASCII */
	enum fail_on fail_on;
	unsigned jobs;
	unsigned threads;	/* --threads: decoding each session */
	size_t n_thresholds;
	const char **thresholds;
	size_t n_paths[2];
	char **paths[2];	/* owned */
};

#define FORMAT_JUNIT (SWT_FORMAT_HTML + 1)

static bool has_glob_chars(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* Add one operand to a side: a pattern expands to its matches (sorted;
 * none is an error), a plain name is taken as it is. */
static int add_operand(struct diff_options *o, int side, const char *arg)
{
	glob_t g;
	size_t i;
	int rc;

	if (!has_glob_chars(arg)) {
		o->paths[side] = realloc(o->paths[side],
					 (o->n_paths[side] + 1) *
						 sizeof(char *));
		if (!o->paths[side])
			abort();
		o->paths[side][o->n_paths[side]++] = strdup(arg);
		return 0;
	}
	rc = glob(arg, 0, NULL, &g);
	if (rc != 0) {
		fprintf(stderr, PROG ": diff: %s: no file matches\n", arg);
		if (rc != GLOB_NOMATCH)
			globfree(&g);
		return SWT_EINVAL;
	}
	for (i = 0; i < g.gl_pathc; i++) {
		o->paths[side] = realloc(o->paths[side],
					 (o->n_paths[side] + 1) *
						 sizeof(char *));
		if (!o->paths[side])
			abort();
		o->paths[side][o->n_paths[side]++] = strdup(g.gl_pathv[i]);
	}
	globfree(&g);
	return 0;
}

/* The value of an option: "--opt=value" or the next argument. */
static const char *opt_value(int argc, char **argv, int *i, const char *eq)
{
	if (eq)
		return eq + 1;
	if (*i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

/* history: every operand a session (the new side), no --base, --new,
 * --budget or --fail-on. */
static int parse_diff_options(struct diff_options *o, int argc, char **argv,
			      bool history)
{
	int i, side = -1, err = 0;
	size_t n_plain = 0;
	char *plain[2] = { NULL, NULL };
	bool only_operands = false;

	memset(o, 0, sizeof(*o));
	o->thresholds = calloc((size_t)argc + 1, sizeof(*o->thresholds));
	if (!o->thresholds)
		abort();
	for (i = 1; i < argc && err == 0; i++) {
		const char *a = argv[i], *eq = NULL, *v;
		char name[32];
		size_t len;

		if (only_operands || a[0] != '-' || !a[1]) {
			if (history) {
				err = add_operand(o, SWT_DIFF_NEW, a);
			} else if (side >= 0) {
				err = add_operand(o, side, a);
			} else if (n_plain < 2) {
				plain[n_plain++] = argv[i];
			} else {
				err = swt_cli_usage_error(
					PROG, "diff: more than two sessions "
					      "(use --base ... --new ...): ",
					a);
			}
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_operands = true;
			continue;
		}
		if (a[1] == '-') {
			eq = strchr(a, '=');
			len = eq ? (size_t)(eq - a) : strlen(a);
		} else {
			/* -fVALUE or -f VALUE */
			len = 2;
			if (a[2])
				eq = a + 1;
		}
		if (len >= sizeof(name)) {
			err = swt_cli_usage_error(PROG, "diff: unknown option: ",
						  a);
			break;
		}
		memcpy(name, a, len);
		name[len] = '\0';
		if (history && (!strcmp(name, "--base") ||
				!strcmp(name, "--new") ||
				!strcmp(name, "--budget") ||
				!strcmp(name, "--fail-on"))) {
			err = swt_cli_usage_error(PROG, "history: no such "
						  "option: ", name);
			break;
		}
		if (strcmp(name, "--base") == 0 || strcmp(name, "--new") == 0) {
			side = name[2] == 'b' ? SWT_DIFF_BASE : SWT_DIFF_NEW;
			if (eq)
				err = add_operand(o, side, eq + 1);
			continue;
		}
		if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0) {
			o->help = true;
			break;
		}
		if (!history && strcmp(name, "--ascii") == 0) {
			if (eq)
				err = swt_cli_usage_error(PROG, "--ascii takes "
							  "no value: ", a);
			o->ascii = true;
			continue;
		}
		if (strcmp(name, "-f") && strcmp(name, "--format") &&
		    strcmp(name, "-o") && strcmp(name, "--output") &&
		    strcmp(name, "-c") && strcmp(name, "--config") &&
		    strcmp(name, "-t") && strcmp(name, "--threshold") &&
		    strcmp(name, "--group-by") && strcmp(name, "--fail-on") &&
		    strcmp(name, "--budget") &&
		    strcmp(name, "-j") && strcmp(name, "--jobs") &&
		    strcmp(name, "--threads")) {
			err = swt_cli_usage_error(PROG, "diff: unknown option: ",
						  a);
			break;
		}
		v = opt_value(argc, argv, &i, eq);
		if (!v) {
			err = swt_cli_usage_error(PROG, "diff: option needs a "
						  "value: ", name);
			break;
		}
		if (!strcmp(name, "-f") || !strcmp(name, "--format")) {
			enum swt_report_format f;

			if (strcmp(v, "junit") == 0)
				o->format = FORMAT_JUNIT;
			else if (swt_report_format_parse(&f, v) == 0)
				o->format = (int)f;
			else
				err = swt_cli_usage_error(
					PROG, "unknown format (expected text, "
					      "json, csv, markdown, html or "
					      "junit): ",
					v);
		} else if (!strcmp(name, "-o") || !strcmp(name, "--output")) {
			if (!*v)
				err = swt_cli_usage_error(PROG, "-o/--output: "
							  "empty file name",
							  "");
			o->output = v;
		} else if (!strcmp(name, "-c") || !strcmp(name, "--config")) {
			if (o->config)
				err = swt_cli_usage_error(
					PROG, "--config given twice", "");
			o->config = v;
		} else if (!strcmp(name, "-t") ||
			   !strcmp(name, "--threshold")) {
			o->thresholds[o->n_thresholds++] = v;
		} else if (!strcmp(name, "--group-by")) {
			o->group_by = v;
		} else if (!strcmp(name, "--budget")) {
			if (o->budget)
				err = swt_cli_usage_error(
					PROG, "--budget given twice", "");
			o->budget = v;
		} else if (!strcmp(name, "--fail-on")) {
			if (!strcmp(v, "regression"))
				o->fail_on = FAIL_REGRESSION;
			else if (!strcmp(v, "change"))
				o->fail_on = FAIL_CHANGE;
			else if (!strcmp(v, "never"))
				o->fail_on = FAIL_NEVER;
			else
				err = swt_cli_usage_error(
					PROG, "--fail-on expects regression, "
					      "change or never, not ",
					v);
		} else if (!strcmp(name, "--threads")) {
			err = swt_cli_threads_option(PROG, v, &o->threads);
		} else {	/* -j, --jobs */
			char *end;
			unsigned long j = strtoul(v, &end, 10);

			if (*end || !*v || j < 1 || j > 64)
				err = swt_cli_usage_error(
					PROG, "--jobs expects 1 to 64, not ",
					v);
			o->jobs = (unsigned)j;
		}
	}
	if (err || o->help)
		return err;
	if (history) {
		if (!o->n_paths[1])
			return swt_cli_usage_error(PROG, "history: needs "
						   "sessions (FILE...)", "");
		if (o->n_paths[1] > SWT_DIFF_MAX_RUNS)
			return swt_cli_usage_error(PROG, "history: at most "
						   "64 sessions", "");
		return 0;
	}
	if (n_plain == 1 && o->budget && !o->n_paths[0] && !o->n_paths[1]) {
		/* a budget check without a base: the one session is new */
		if (add_operand(o, SWT_DIFF_NEW, plain[0]) < 0)
			return SWT_EINVAL;
	} else if (n_plain) {
		if (o->n_paths[0] || o->n_paths[1] || n_plain != 2)
			return swt_cli_usage_error(
				PROG, "diff: give BASE NEW, or --base FILE... "
				      "--new FILE...", "");
		if (add_operand(o, SWT_DIFF_BASE, plain[0]) < 0 ||
		    add_operand(o, SWT_DIFF_NEW, plain[1]) < 0)
			return SWT_EINVAL;
	}
	if ((!o->n_paths[0] && !o->budget) || !o->n_paths[1])
		return swt_cli_usage_error(PROG, "diff: needs base and new "
					   "sessions (BASE NEW, or --base "
					   "FILE... --new FILE...; with "
					   "--budget, NEW alone)", "");
	if (o->n_paths[0] > SWT_DIFF_MAX_RUNS ||
	    o->n_paths[1] > SWT_DIFF_MAX_RUNS)
		return swt_cli_usage_error(PROG, "diff: at most 64 sessions "
					   "a side", "");
	return 0;
}

static const char history_usage_text[] =
	"Usage: " PROG " history FILE... [OPTIONS]\n"
	"Each module's CPU seconds, peak memory and weight (and the session's\n"
	"duration, counters' rates) across sessions in the order they were\n"
	"recorded (the start time in each file), with the trend and the\n"
	"session where a step change happened (docs/ci.md). Operands may be\n"
	"glob patterns; at most 64 sessions.\n"
	"\n"
	"  -f, --format FORMAT     text (default), json, csv, markdown or html\n"
	"  -o, --output OUT        write the history to OUT instead of stdout\n"
	"  -c, --config CONF       thresholds and diff settings (KEY = VALUE)\n"
	"  -t, --threshold K=V     one setting (after --config)\n"
	"      --group-by HOW      exe (default), comm or cmdline\n"
	"  -j, --jobs N            analyse N sessions at a time\n"
	"      --threads N         decode each session on N threads in all\n"
	"  -h, --help              print this help and exit\n"
	"\n"
	"Exit status: 0 written; 2 usage error; 3 a session is damaged or\n"
	"truncated (its readable part is used); 4 the history could not be\n"
	"written.\n";

/* The thresholds of a diff or history: --config, --threshold,
 * --group-by, as swanalyze's reports load them. */
static int diff_settings(struct swt_thresholds *th,
			 const struct diff_options *o)
{
	char msg[600];

	if (swt_thresholds_from_options(th, o->config, o->thresholds,
					o->n_thresholds, o->group_by, msg,
					sizeof(msg)) < 0) {
		fprintf(stderr, PROG ": %s\n", msg);
		return SWT_EINVAL;
	}
	return 0;
}

/* Analyse the runs (on o->jobs threads) and name on stderr each that
 * failed: EXIT_USAGE if one is not a session at all (nothing is written
 * then), EXIT_BAD_DATA if one could not be analysed or is damaged or
 * truncated (the others are compared), else EXIT_OK. */
static int analyse_runs(struct swt_diff_run *runs, size_t n,
			const struct swt_thresholds *th, unsigned jobs,
			unsigned threads)
{
	struct swt_engine_opts eopts;
	size_t i;
	int code = EXIT_OK;

	memset(&eopts, 0, sizeof(eopts));
	eopts.thresholds = th;
	swt_diff_load(runs, n, &eopts, jobs, threads);
	for (i = 0; i < n; i++) {
		if (!runs[i].opened) {
			swt_cli_error_line(PROG, runs[i].path, runs[i].status,
					   runs[i].errmsg);
			code = EXIT_USAGE;
		}
	}
	if (code != EXIT_OK)
		return code;
	for (i = 0; i < n; i++) {
		if (!runs[i].an) {
			swt_cli_error_line(PROG, runs[i].path, runs[i].status,
					   runs[i].errmsg);
			code = EXIT_BAD_DATA;
		} else if (swt_analysis_incomplete(runs[i].an)) {
			code = EXIT_BAD_DATA;
		}
	}
	return code;
}

static int history_main(int argc, char **argv);

static int diff_main(int argc, char **argv)
{
	struct diff_options o;
	struct swt_thresholds th;
	struct swt_diff_run *runs = NULL;
	struct swt_budget budget = { 0, NULL };
	struct swt_diff *d = NULL;
	struct swt_model *m = NULL;
	struct swt_buf out = SWT_BUF_INIT;
	size_t n = 0, i;
	int side, code = EXIT_OK;

	swt_thresholds_init(&th);
	if (parse_diff_options(&o, argc, argv, false) < 0) {
		code = EXIT_USAGE;
		goto out;
	}
	if (o.help) {
		fputs(diff_usage_text, stdout);
		code = fflush(stdout) != 0 ? EXIT_IO : EXIT_OK;
		goto out;
	}
	if (diff_settings(&th, &o) < 0) {
		code = EXIT_USAGE;
		goto out;
	}
	if (o.budget) {
		char msg[512];

		if (swt_budget_load(&budget, o.budget, msg, sizeof(msg)) < 0) {
			fprintf(stderr, PROG ": --budget: %s\n", msg);
			code = EXIT_USAGE;
			goto out;
		}
	}
	runs = calloc(o.n_paths[0] + o.n_paths[1], sizeof(*runs));
	if (!runs)
		abort();
	for (side = 0; side < 2; side++) {
		for (i = 0; i < o.n_paths[side]; i++) {
			if (o.output &&
			    swt_cli_same_file(o.output, o.paths[side][i])) {
				swt_cli_usage_error(PROG, "-o/--output is one "
						    "of the sessions: ",
						    o.output);
				code = EXIT_USAGE;
				goto out;
			}
			runs[n].path = o.paths[side][i];
			runs[n].side = (enum swt_diff_side)side;
			n++;
		}
	}
	code = analyse_runs(runs, n, &th, o.jobs, o.threads);
	if (code == EXIT_USAGE)
		goto out;
	if (swt_diff_compute(&d, runs, n, &th, o.budget ? &budget : NULL) <
	    0) {
		size_t ok[2] = { 0, 0 };

		for (i = 0; i < n; i++)
			ok[runs[i].side] += runs[i].an != NULL;
		fprintf(stderr, PROG ": diff: no readable session on the %s "
			"side: nothing to compare\n",
			ok[0] ? "new" : "base");
		code = EXIT_BAD_DATA;
		goto out;
	}
	swt_diff_model_build(&m, d, o.ascii);
	if (o.format == FORMAT_JUNIT)
		swt_render_junit(&out, m);
	else
		swt_report_render(&out, m, (enum swt_report_format)o.format);
	if (write_report(&out, o.output) < 0) {
		code = EXIT_IO;
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct swt_buf pre = SWT_BUF_INIT, lines = SWT_BUF_INIT;
		struct swt_report_input in;

		if (!runs[i].an)
			continue;
		memset(&in, 0, sizeof(in));
		in.result = runs[i].an->result;
		in.n_lost = runs[i].an->n_lost;
		in.lost = runs[i].an->lost;
		in.truncated = runs[i].an->truncated;
		swt_buf_printf(&pre, "%s: %s", PROG, runs[i].path);
		swt_report_warnings(&lines, pre.ptr, &in);
		if (lines.len)
			fputs(lines.ptr, stderr);
		swt_buf_fini(&lines);
		swt_buf_fini(&pre);
	}
	if (d->n_incomplete || d->n_failed)
		code = EXIT_BAD_DATA;
	else if (o.fail_on == FAIL_REGRESSION &&
		 (d->n_verdict[SWT_VERDICT_REGRESSION] || d->n_over))
		code = EXIT_FINDINGS;
	else if (o.fail_on == FAIL_CHANGE &&
		 (d->n_verdict[SWT_VERDICT_REGRESSION] || d->n_over ||
		  d->n_verdict[SWT_VERDICT_IMPROVEMENT] || d->n_appeared ||
		  d->n_disappeared))
		code = EXIT_FINDINGS;
out:
	swt_model_free(m);
	swt_diff_free(d);
	swt_diff_runs_fini(runs, n);
	free(runs);
	swt_budget_fini(&budget);
	swt_buf_fini(&out);
	for (side = 0; side < 2; side++) {
		for (i = 0; i < o.n_paths[side]; i++)
			free(o.paths[side][i]);
		free(o.paths[side]);
	}
	free(o.thresholds);
	swt_thresholds_fini(&th);
	return code;
}

static int history_main(int argc, char **argv)
{
	struct diff_options o;
	struct swt_thresholds th;
	struct swt_diff_run *runs = NULL;
	struct swt_history *h = NULL;
	struct swt_model *m = NULL;
	struct swt_buf out = SWT_BUF_INIT;
	size_t n = 0, i;
	int code = EXIT_OK;

	swt_thresholds_init(&th);
	if (parse_diff_options(&o, argc, argv, true) < 0) {
		code = EXIT_USAGE;
		goto out;
	}
	if (o.help) {
		fputs(history_usage_text, stdout);
		code = fflush(stdout) != 0 ? EXIT_IO : EXIT_OK;
		goto out;
	}
	if (o.format == FORMAT_JUNIT) {
		swt_cli_usage_error(PROG, "history: no junit format (text, "
				    "json, csv, markdown or html)", "");
		code = EXIT_USAGE;
		goto out;
	}
	if (diff_settings(&th, &o) < 0) {
		code = EXIT_USAGE;
		goto out;
	}
	runs = calloc(o.n_paths[1], sizeof(*runs));
	if (!runs)
		abort();
	for (i = 0; i < o.n_paths[1]; i++) {
		if (o.output &&
		    swt_cli_same_file(o.output, o.paths[1][i])) {
			swt_cli_usage_error(PROG, "-o/--output is one of the "
					    "sessions: ", o.output);
			code = EXIT_USAGE;
			goto out;
		}
		runs[n].path = o.paths[1][i];
		runs[n].side = SWT_DIFF_NEW;
		n++;
	}
	code = analyse_runs(runs, n, &th, o.jobs, o.threads);
	if (code == EXIT_USAGE)
		goto out;
	swt_history_sort(runs, n);
	if (swt_history_compute(&h, runs, n, &th) < 0) {
		fprintf(stderr, PROG ": history: no readable session\n");
		code = EXIT_BAD_DATA;
		goto out;
	}
	swt_history_model_build(&m, h);
	swt_report_render(&out, m, (enum swt_report_format)o.format);
	if (write_report(&out, o.output) < 0)
		code = EXIT_IO;
out:
	swt_model_free(m);
	swt_history_free(h);
	swt_diff_runs_fini(runs, n);
	free(runs);
	swt_buf_fini(&out);
	for (i = 0; i < o.n_paths[1]; i++)
		free(o.paths[1][i]);
	free(o.paths[0]);
	free(o.paths[1]);
	free(o.thresholds);
	swt_thresholds_fini(&th);
	return code;
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

	if (argc >= 2 && strcmp(argv[1], "diff") == 0)
		return diff_main(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "history") == 0)
		return history_main(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "export") == 0)
		return swanalyze_export_main(argc - 1, argv + 1);
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
	/* the records, damage and statistics are the same with any number
	 * of decoding threads (swt_reader_set_threads()); if none starts,
	 * the file is decoded on this one */
	swt_reader_set_threads(r, opts.threads ? opts.threads :
						 swt_cli_default_threads());
	memset(&eopts, 0, sizeof(eopts));
	eopts.thresholds = &th;
	memset(&in, 0, sizeof(in));
	if (opts.from_ns != INT64_MIN || opts.to_ns != INT64_MAX) {
		struct swt_window win;

		memset(&win, 0, sizeof(win));
		win.from_ns = opts.from_ns == INT64_MIN ? 0 : opts.from_ns;
		win.to_ns = opts.to_ns;
		win.scan = getenv("SWT_WINDOW_SCAN") != NULL;
		win.whole_intervals = true;
		err = swt_analysis_run_window(&an, r, &eopts, &win, NULL, NULL,
					      errmsg, sizeof(errmsg));
		in.has_window = true;
		in.window_from_ns = win.start_ns;
		in.window_to_ns = win.end_ns;
	} else {
		err = swt_analysis_run(&an, r, &eopts, errmsg, sizeof(errmsg));
	}
	if (err < 0) {
		swt_cli_error_line(PROG, opts.path, err, errmsg);
		code = EXIT_BAD_DATA;
		goto out;
	}
	in.result = an->result;
	in.n_lost = an->n_lost;
	in.lost = an->lost;
	in.truncated = an->truncated;
	in.ascii = opts.ascii;
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
