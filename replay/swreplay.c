/* swreplay — read a .swt session file back.
 *
 * Kept thin (STYLE.md rule 1): option parsing, calls into libswt_replay and
 * libswt_proto, and the one mapping from status to exit code. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "swt_analysis.h"
#include "swt_buf.h"
#include "swt_cli.h"
#include "swt_config.h"
#include "swt_dump.h"
#include "swt_export.h"
#include "swt_format.h"
#include "swt_parse.h"
#include "swt_reader.h"
#include "swt_render.h"
#include "swt_stats.h"
#include "swt_report.h"
#include "swt_status.h"
#include "swt_thresholds.h"
#include "swt_timeline.h"

#define PROG "swreplay"

enum exit_code {
	EXIT_INTACT = 0,
	EXIT_MISMATCH = 1,	/* --verify: an alert differs */
	EXIT_USAGE = 2,		/* bad arguments, or FILE is no session */
	EXIT_BAD_DATA = 3,	/* damaged or truncated session */
	EXIT_IO = 4,		/* writing the output failed */
};

enum action {
	ACTION_NONE,		/* the timeline */
	ACTION_DUMP,
	ACTION_CHECK,
	ACTION_VERIFY,
	ACTION_FOLLOW,		/* the timeline of a file being written */
	ACTION_EXPORT,		/* --export FORMAT [-o OUT] */
	ACTION_HELP,
	ACTION_VERSION,
};

#define FORMAT_JSONL (SWT_FORMAT_HTML + 1)	/* after the report formats */

struct options {
	enum action action;
	const char *path;
	/* the timeline */
	int format;		/* enum swt_report_format or FORMAT_JSONL */
	bool format_given;
	int64_t from_ns, to_ns;
	int64_t speed_milli;	/* 0: as fast as it goes */
	const char *config;
	size_t n_thresholds;
	const char **thresholds;
	const char *group_by;
	/* --export */
	enum swt_export_format export_format;
	const char *output;	/* -o OUT; NULL or "-": standard output */
	unsigned threads;	/* --threads, or 0: the online CPUs */
};

static const char usage_text[] =
	"Usage: " PROG " FILE [--from T] [--to T] [--format FORMAT]\n"
	"                [--speed N | --realtime] [--config CONF]\n"
	"                [--threshold KEY=VALUE ...] [--group-by HOW]\n"
	"       " PROG " --dump FILE\n"
	"       " PROG " --check FILE\n"
	"       " PROG " --verify FILE\n"
	"       " PROG " --follow FILE [--format text|jsonl] [--from T] ...\n"
	"       " PROG " --export chrome-json|csv|perfetto FILE [-o OUT]\n"
	"                [--from T] [--to T]\n"
	"Read back a swt session file (.swt). Without --dump or --check, walk\n"
	"it in time order through swanalyze's engine and print the timeline:\n"
	"the session's start and end, process starts and exits, marks, alerts\n"
	"as they fire and clear, spikes (start, peak, end), each with its time\n"
	"from the session start.\n"
	"\n"
	"  -d, --dump          print every record as one JSON object per line\n"
	"  -c, --check         verify the whole file and print a summary\n"
	"      --verify        recompute every alert swrec --alerts wrote,\n"
	"                      with the thresholds it stored: exit 0 if all\n"
	"                      are identical (kind, subject, value, time),\n"
	"                      1 with the first difference\n"
	"      --follow        the timeline of a file swrec is still writing,\n"
	"                      as it grows (like tail -f: what swrec has\n"
	"                      flushed, every --flush, 1 s by default), until\n"
	"                      the session ends; spikes at the end\n"
	"      --export FMT    write the session for other tools: chrome-json\n"
	"                      (Trace Event Format: module spans, CPU and RSS\n"
	"                      counters, counts, marks, process starts and\n"
	"                      exits, alerts; Perfetto UI, chrome://tracing),\n"
	"                      csv (one row per sample per process, thread\n"
	"                      and the tree) or perfetto (the same trace as\n"
	"                      Perfetto's protobuf, binary: -o FILE.pftrace);\n"
	"                      --from/--to cut the window\n"
	"  -o, --output OUT    write the export to OUT (default, or -:\n"
	"                      standard output)\n"
	"      --from T        timeline events from T on (seconds from the\n"
	"                      session start, or 90s, 5m, 1h)\n"
	"      --to T          ... up to T (read from a warm-up before T: the\n"
	"                      whole session's events; a finished file only\n"
	"                      there, through its index)\n"
	"  -f, --format F      text (default), jsonl (one JSON object per\n"
	"                      event), json, csv or markdown\n"
	"      --speed N       pace the events at N times the recorded speed\n"
	"                      (text and jsonl)\n"
	"      --realtime      the same as --speed 1\n"
	"      --config CONF   thresholds from CONF (as swanalyze)\n"
	"  -t, --threshold K=V one threshold (after --config): what if the\n"
	"                      limit were another\n"
	"      --group-by HOW  process modules by exe, comm or cmdline\n"
	"      --threads N     decode FILE on N threads in all (default: the\n"
	"                      number of CPUs, at most 4; 1: on one thread);\n"
	"                      the output is the same whatever N\n"
	"  -h, --help          print this help and exit\n"
	"  -V, --version       print the version and exit\n"
	"\n"
	"Exit status: 0 intact (--verify: the alerts agree); 1 --verify: an\n"
	"alert differs; 2 usage error or FILE is not a readable session;\n"
	"3 FILE is damaged or truncated (everything readable is still\n"
	"printed); 4 the output could not be written.\n";

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
		return swt_cli_usage_error(PROG, "--dump, --check, --verify, "
					   "--follow and --export exclude each "
					   "other", "");
	opts->action = action;
	return 0;
}

static int parse_options(struct options *out, int argc, char **argv)
{
	enum { OPT_FROM = 256, OPT_TO, OPT_SPEED, OPT_REALTIME, OPT_CONFIG,
	       OPT_GROUP_BY, OPT_VERIFY, OPT_FOLLOW, OPT_EXPORT, OPT_THREADS };
	static const struct option longopts[] = {
		{ "dump", no_argument, NULL, 'd' },
		{ "check", no_argument, NULL, 'c' },
		{ "verify", no_argument, NULL, OPT_VERIFY },
		{ "follow", no_argument, NULL, OPT_FOLLOW },
		{ "export", required_argument, NULL, OPT_EXPORT },
		{ "output", required_argument, NULL, 'o' },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "to", required_argument, NULL, OPT_TO },
		{ "format", required_argument, NULL, 'f' },
		{ "speed", required_argument, NULL, OPT_SPEED },
		{ "realtime", no_argument, NULL, OPT_REALTIME },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "threshold", required_argument, NULL, 't' },
		{ "group-by", required_argument, NULL, OPT_GROUP_BY },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c, err = 0;

	memset(out, 0, sizeof(*out));
	out->from_ns = INT64_MIN;
	out->to_ns = INT64_MAX;
	out->thresholds = calloc((size_t)argc + 1, sizeof(*out->thresholds));
	if (!out->thresholds)
		abort();
	opterr = 0;	/* our messages, one line, named "swreplay" */
	while ((c = getopt_long(argc, argv, ":dchVf:t:o:", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case OPT_FROM:
		case OPT_TO:
			SWT_TRY(err = swt_cli_time_option(
					PROG, c == OPT_FROM, optarg,
					c == OPT_FROM ? &out->from_ns :
							&out->to_ns));
			break;
		case 'f': {
			enum swt_report_format f;

			out->format_given = true;
			if (strcmp(optarg, "jsonl") == 0) {
				out->format = FORMAT_JSONL;
			} else if (swt_report_format_parse(&f, optarg) == 0 &&
				   f != SWT_FORMAT_HTML) {
				/* (a timeline is a stream: no HTML page) */
				out->format = (int)f;
			} else {
				err = swt_cli_usage_error(
					PROG, "unknown format (expected text, "
					      "jsonl, json, csv or markdown): ",
					optarg);
				goto out;
			}
			break;
		}
		case OPT_SPEED:
			if (swt_parse_fixed(&out->speed_milli, optarg, 3) < 0 ||
			    out->speed_milli <= 0 ||
			    out->speed_milli > INT64_C(1000000000)) {
				err = swt_cli_usage_error(
					PROG, "--speed expects a positive "
					      "factor (0.5, 1, 60), not ",
					optarg);
				goto out;
			}
			break;
		case OPT_REALTIME:
			out->speed_milli = 1000;
			break;
		case OPT_CONFIG:
			if (out->config) {
				err = swt_cli_usage_error(
					PROG, "--config given twice", "");
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
		case 'd':
			SWT_TRY(err = set_action(out, ACTION_DUMP));
			break;
		case 'c':
			SWT_TRY(err = set_action(out, ACTION_CHECK));
			break;
		case OPT_THREADS:
			SWT_TRY(err = swt_cli_threads_option(PROG, optarg,
							     &out->threads));
			break;
		case OPT_VERIFY:
			SWT_TRY(err = set_action(out, ACTION_VERIFY));
			break;
		case OPT_FOLLOW:
			SWT_TRY(err = set_action(out, ACTION_FOLLOW));
			break;
		case OPT_EXPORT:
			SWT_TRY(err = set_action(out, ACTION_EXPORT));
			if (swt_export_format_parse(&out->export_format,
						    optarg) < 0) {
				err = swt_cli_usage_error(
					PROG, "unknown export format "
					      "(expected chrome-json, csv "
					      "or perfetto): ", optarg);
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
	err = swt_cli_one_file(PROG, argc, argv, &out->path);
	if (err == 0 && out->from_ns != INT64_MIN && out->to_ns != INT64_MAX &&
	    out->from_ns > out->to_ns)
		err = swt_cli_usage_error(PROG, "--from is after --to", "");
	if (err == 0 && out->speed_milli && out->format != SWT_FORMAT_TEXT &&
	    out->format != FORMAT_JSONL)
		err = swt_cli_usage_error(PROG, "--speed and --realtime pace "
					  "text or jsonl only", "");
	if (err == 0 && out->action == ACTION_FOLLOW &&
	    (out->speed_milli || (out->format != SWT_FORMAT_TEXT &&
				  out->format != FORMAT_JSONL)))
		err = swt_cli_usage_error(PROG, "--follow prints text or jsonl, "
					  "as the file grows (no --speed)",
					  "");
	if (err == 0 && out->output && out->action != ACTION_EXPORT)
		err = swt_cli_usage_error(PROG, "-o/--output goes with "
					  "--export", "");
	if (err == 0 && out->action == ACTION_EXPORT &&
	    (out->format_given || out->speed_milli || out->config ||
	     out->n_thresholds || out->group_by))
		err = swt_cli_usage_error(PROG, "--export takes --from, --to "
					  "and -o only (no --format, --speed, "
					  "thresholds or --group-by)", "");
	if (err == 0 && out->output && strcmp(out->output, "-") != 0 &&
	    swt_cli_same_file(out->output, out->path))
		err = swt_cli_usage_error(PROG, "-o/--output is the session "
					  "file itself: ", out->output);
	/* binary bytes on a terminal are garbage there (and may drive it);
	 * a pipe or a file is what was meant */
	if (err == 0 && out->action == ACTION_EXPORT &&
	    out->export_format == SWT_EXPORT_PERFETTO &&
	    (!out->output || strcmp(out->output, "-") == 0) &&
	    isatty(STDOUT_FILENO))
		err = swt_cli_usage_error(PROG, "--export perfetto writes a "
					  "binary trace: not to a terminal "
					  "(use -o FILE.pftrace or a pipe)",
					  "");
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

/* Thresholds from --config then every --threshold, then --group-by, as
 * swanalyze loads them. 0 or SWT_EINVAL (message printed). */
static int load_thresholds(struct swt_thresholds *th,
			   const struct options *o)
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

static void sleep_ns(int64_t ns)
{
	struct timespec ts;

	if (ns <= 0)
		return;
	ts.tv_sec = (time_t)(ns / 1000000000);
	ts.tv_nsec = (long)(ns % 1000000000);
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Write out to stdout; with a speed, the last n_rows lines (the events,
 * in order) each when its time comes, at speed_milli / 1000 times the
 * recorded pace. */
static int write_paced(const struct swt_buf *out, const struct swt_model *m,
		       int64_t speed_milli)
{
	const struct swt_model_section *s = m->n_sections ? m->sections[0] :
							     NULL;
	size_t n_rows = s ? s->n_rows : 0, lines = 0, i, row = 0, first;
	const char *p = out->ptr, *end = out->ptr + out->len;
	int64_t prev = 0;
	bool have_prev = false;

	if (!speed_milli || !n_rows)
		return write_stdout(out);
	for (i = 0; i < out->len; i++)
		lines += out->ptr[i] == '\n';
	first = lines - n_rows;	/* the rows are the last lines */
	for (i = 0; p < end; i++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);

		if (i >= first && row < n_rows) {
			int64_t t = s->rows[row].cells[0].i;

			if (have_prev)
				sleep_ns(swt_muldiv(t - prev, 1000,
						    speed_milli));
			prev = t;
			have_prev = true;
			row++;
		}
		if (fwrite(p, 1, len, stdout) != len || fflush(stdout) != 0)
			return SWT_EIO;
		p += len;
	}
	return 0;
}

/* The timeline of FILE through the engine. */
static int timeline(const struct options *o, struct swt_reader *r,
		    char *errmsg, size_t errlen)
{
	struct swt_thresholds th;
	struct swt_engine_opts eo;
	struct swt_timeline *tl = NULL;
	struct swt_window win;
	struct swt_model *m = NULL;
	struct swt_buf out = SWT_BUF_INIT;
	int err;

	swt_thresholds_init(&th);
	err = load_thresholds(&th, o);
	if (err < 0)
		goto out;
	memset(&eo, 0, sizeof(eo));
	eo.thresholds = &th;
	if (o->from_ns != INT64_MIN || o->to_ns != INT64_MAX) {
		/* only the chunks of the window, and a warm-up before it as
		 * long as the spike baseline and rate window look back, so
		 * that its alerts and spikes are those of the whole file */
		const struct swt_header *h = swt_reader_get_header(r);
		int64_t warm = swt_sat_mul(h->interval_ns > 0 ?
						   h->interval_ns :
						   INT64_C(1000000000),
					   th.v[SWT_TH_HISTORY_SAMPLES] +
						   1);

		memset(&win, 0, sizeof(win));
		win.from_ns = o->from_ns == INT64_MIN ? 0 : o->from_ns;
		win.to_ns = o->to_ns;
		win.warmup_ns = warm;
		win.scan = getenv("SWT_WINDOW_SCAN") != NULL;
		err = swt_timeline_run_window(&tl, r, &eo, &win, errmsg,
					      errlen);
	} else {
		err = swt_timeline_run(&tl, r, &eo, errmsg, errlen);
	}
	if (err < 0) {
		swt_cli_error_line(PROG, o->path, err, errmsg);
		err = SWT_ECORRUPT;
		goto out;
	}
	swt_timeline_model_build(&m, tl, o->from_ns, o->to_ns);
	if (o->format == FORMAT_JSONL)
		swt_render_jsonl(&out, m);
	else
		swt_report_render(&out, m, (enum swt_report_format)o->format);
	err = write_paced(&out, m, o->speed_milli);
	if (err < 0) {
		swt_cli_error_line(PROG, "standard output", err,
				   strerror(errno));
		goto out;
	}
	{
		struct swt_report_input in;
		struct swt_buf pre = SWT_BUF_INIT, lines = SWT_BUF_INIT;

		memset(&in, 0, sizeof(in));
		in.result = tl->an->result;
		in.n_lost = tl->an->n_lost;
		in.lost = tl->an->lost;
		in.truncated = tl->an->truncated;
		swt_buf_printf(&pre, "%s: %s", PROG, o->path);
		swt_report_warnings(&lines, pre.ptr, &in);
		if (lines.len)
			fputs(lines.ptr, stderr);
		swt_buf_fini(&lines);
		swt_buf_fini(&pre);
	}
	err = swt_analysis_incomplete(tl->an) ? SWT_ECORRUPT : 0;
out:
	swt_model_free(m);
	swt_timeline_free(tl);
	swt_buf_fini(&out);
	swt_thresholds_fini(&th);
	return err;
}

/* ---- --export ---------------------------------------------------------------- */

/* What the trace had to repair, one line on stderr (not an error: the
 * spans are closed, the stray ends dropped, as docs/exports.md says). */
static void note_repairs(const char *path, const struct swt_export_stats *st)
{
	struct swt_buf b = SWT_BUF_INIT;

	if (st->spans_closed)
		swt_buf_printf(&b, "; %llu span%s still open at the end, "
			       "closed at the last time read",
			       (unsigned long long)st->spans_closed,
			       st->spans_closed == 1 ? "" : "s");
	if (st->ends_unmatched)
		swt_buf_printf(&b, "; %llu end%s without a begin dropped",
			       (unsigned long long)st->ends_unmatched,
			       st->ends_unmatched == 1 ? "" : "s");
	if (st->events_reordered)
		swt_buf_printf(&b, "; %llu span event%s out of time order "
			       "on %s thread, moved forward",
			       (unsigned long long)st->events_reordered,
			       st->events_reordered == 1 ? "" : "s",
			       st->events_reordered == 1 ? "its" : "their");
	if (b.len)
		fprintf(stderr, PROG ": %s: export: %s\n", path, b.ptr + 2);
	swt_buf_fini(&b);
}

/* --export FORMAT [-o OUT]: the readable records of FILE, then the damage
 * warnings as --dump gives them (exit 3 with the export written). The
 * output is opened only once FILE is known to be a session, so a wrong
 * FILE never truncates OUT. */
static int export(const struct options *o, struct swt_reader *r)
{
	bool to_stdout = !o->output || strcmp(o->output, "-") == 0;
	const char *out_name = to_stdout ? "standard output" : o->output;
	struct swt_export_opts eo;
	struct swt_export_stats st;
	struct swt_check_result res;
	char errmsg[512] = "";
	FILE *f = stdout;
	int err;

	if (!to_stdout) {
		f = swt_cli_open_output(PROG, o->output);
		if (!f)
			return SWT_EIO;
	}
	swt_export_opts_init(&eo);
	eo.from_ns = o->from_ns;
	eo.to_ns = o->to_ns;
	err = swt_export_write(r, o->export_format, &eo, f, &st, errmsg,
			       sizeof(errmsg));
	if (!to_stdout && fclose(f) != 0 && err == 0) {
		snprintf(errmsg, sizeof(errmsg), "%s", strerror(errno));
		err = SWT_EIO;
	}
	if (err < 0) {
		swt_cli_error_line(PROG, err == SWT_EIO ? out_name : o->path,
				   err, errmsg);
		return err;
	}
	note_repairs(o->path, &st);
	swt_dump_check_summarize(&res, r);
	warn_damage(o->path, r, &res);
	if (res.status)
		fprintf(stderr, PROG ": %s: exported the readable part "
			"only\n", o->path);
	return res.status;
}

/* ---- --verify ---------------------------------------------------------------- */

struct valert {
	int64_t t_ns;		/* absolute, as in the file */
	const char *kind;	/* static */
	char *subject;
	int64_t value, threshold;
};

struct vlist {
	struct valert *v;
	size_t n, cap;
};

struct vctx {
	struct vlist rec, calc;	/* written live, recomputed */
};

static void vpush(struct vlist *l, int64_t t, const char *kind,
		  const char *subject, int64_t value, int64_t threshold)
{
	struct valert *a;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (!l->v)
			abort();
	}
	a = &l->v[l->n++];
	a->t_ns = t;
	a->kind = kind;
	a->subject = strdup(subject ? subject : "");
	if (!a->subject)
		abort();
	a->value = value;
	a->threshold = threshold;
}

static const char *kind_static(const char *k)
{
	static const char *const kinds[] = { "cpu",	"memory", "rate",
					     "io",	"net",	  "forecast" };
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (k && strcmp(k, kinds[i]) == 0)
			return kinds[i];
	return "unknown";
}

static void verify_record(const struct swt_record *rec, void *payload)
{
	struct vctx *c = payload;

	if (rec->kind == SWT_REC_ALERT)
		vpush(&c->rec, rec->t_ns, kind_static(rec->u.alert.kind),
		      rec->u.alert.subject, rec->u.alert.value_milli,
		      rec->u.alert.threshold_milli);
}

static void verify_alert(const struct swt_alert_result *a, void *payload)
{
	struct vctx *c = payload;

	/* relative here: made absolute once the origin is known */
	vpush(&c->calc, a->t_ns, swt_alert_kind_name(a->kind), a->subj.name,
	      a->value, a->threshold);
}

static void vfree(struct vlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].subject);
	free(l->v);
}

static void describe(struct swt_buf *b, const struct valert *a,
		     int64_t origin)
{
	swt_buf_printf(b, "%s of %s, value ", a->kind, a->subject);
	swt_buf_fixed(b, a->value, 3, 1);
	swt_buf_puts(b, " (threshold ");
	swt_buf_fixed(b, a->threshold, 3, 1);
	swt_buf_puts(b, ") at ");
	swt_buf_fixed(b, a->t_ns - origin, 9, 3);
	swt_buf_puts(b, " s");
}

static int verify(const struct options *o, struct swt_reader *r,
		  char *errmsg, size_t errlen)
{
	const struct swt_header *h = swt_reader_get_header(r);
	struct swt_thresholds th;
	struct swt_engine_opts eo;
	struct swt_analysis *an = NULL;
	struct vctx c;
	struct swt_buf msg = SWT_BUF_INIT;
	char tmsg[512];
	size_t i, n;
	int64_t origin;
	int err = 0;

	memset(&c, 0, sizeof(c));
	swt_thresholds_init(&th);
	if (h->alert_config && *h->alert_config &&
	    swt_thresholds_load(&th, h->alert_config,
				strlen(h->alert_config), "alert_config", tmsg,
				sizeof(tmsg)) < 0) {
		fprintf(stderr, PROG ": %s: the stored thresholds do not "
			"load: %s\n", o->path, tmsg);
		err = SWT_ECORRUPT;
		goto out;
	}
	memset(&eo, 0, sizeof(eo));
	eo.thresholds = &th;
	eo.on_alert = verify_alert;
	eo.payload = &c;
	err = swt_analysis_run_hook(&an, r, &eo, verify_record, &c, errmsg,
				    errlen);
	if (err < 0) {
		swt_cli_error_line(PROG, o->path, err, errmsg);
		err = SWT_ECORRUPT;
		goto out;
	}
	if (!*h->alert_config && c.rec.n == 0) {
		printf("%s: recorded without swrec --alerts: no live alerts "
		       "to verify\n", o->path);
		err = swt_analysis_incomplete(an) ? SWT_ECORRUPT : 0;
		goto out;
	}
	origin = an->result->session.start_ns;
	for (i = 0; i < c.calc.n; i++)
		c.calc.v[i].t_ns += origin;
	n = c.rec.n < c.calc.n ? c.rec.n : c.calc.n;
	for (i = 0; i < n; i++) {
		const struct valert *a = &c.rec.v[i], *b = &c.calc.v[i];

		if (a->t_ns != b->t_ns || strcmp(a->kind, b->kind) != 0 ||
		    strcmp(a->subject, b->subject) != 0 ||
		    a->value != b->value || a->threshold != b->threshold)
			break;
	}
	if (i == n && c.rec.n == c.calc.n) {
		printf("%s: %zu alert%s verified: recomputed identical (kind, "
		       "subject, value, threshold, time)\n",
		       o->path, c.rec.n, c.rec.n == 1 ? "" : "s");
		err = swt_analysis_incomplete(an) ? SWT_ECORRUPT : 0;
		goto out;
	}
	swt_buf_printf(&msg, PROG ": %s: alert %zu differs: ", o->path, i + 1);
	if (i < c.rec.n) {
		swt_buf_puts(&msg, "recorded ");
		describe(&msg, &c.rec.v[i], origin);
	} else {
		swt_buf_puts(&msg, "not recorded");
	}
	swt_buf_puts(&msg, "; recomputed ");
	if (i < c.calc.n)
		describe(&msg, &c.calc.v[i], origin);
	else
		swt_buf_puts(&msg, "none");
	fprintf(stderr, "%s\n", msg.ptr);
	err = 1;
out:
	swt_buf_fini(&msg);
	vfree(&c.rec);
	vfree(&c.calc);
	swt_analysis_free(an);
	swt_thresholds_fini(&th);
	return err;
}

/* ---- --follow ------------------------------------------------------------ */

/* One event as a line of text (--follow: the table cannot be aligned
 * before the session ends). */
static void follow_text_line(struct swt_buf *b,
			     const struct swt_timeline_event *e)
{
	struct swt_buf t = SWT_BUF_INIT;

	swt_buf_fixed(&t, e->t_ns, 9, 3);
	swt_buf_printf(b, "%10s  %-16s", t.ptr ? t.ptr : "", e->event);
	swt_buf_fini(&t);
	if (*e->kind)
		swt_buf_printf(b, " %s", e->kind);
	if (e->name && *e->name)
		swt_buf_printf(b, " %s", e->name);
	if (e->process && *e->process && (!e->name ||
					  strcmp(e->process, e->name) != 0))
		swt_buf_printf(b, " (process %s)", e->process);
	if (e->has_value) {
		swt_buf_putc(b, ' ');
		swt_buf_fixed(b, e->value, 3, 1);
	}
	if (e->has_threshold) {
		swt_buf_puts(b, e->has_value ? " above " : " threshold ");
		swt_buf_fixed(b, e->threshold, 3, 1);
	}
	if (e->unit && (e->has_value || e->has_threshold))
		swt_buf_printf(b, " %s", e->unit);
	if (e->detail && *e->detail)
		swt_buf_printf(b, "%s%s",
			       *e->kind || (e->name && *e->name) ? ": " : " ",
			       e->detail);
	swt_buf_putc(b, '\n');
}

/* Print the events found since *printed (sorted among themselves). */
static int follow_print(const struct options *o, struct swt_timeline *tl,
			size_t *printed)
{
	struct swt_buf out = SWT_BUF_INIT;
	size_t i;
	int err = 0;

	swt_timeline_sort(tl, *printed);
	if (o->format == FORMAT_JSONL) {
		struct swt_timeline view = *tl;
		struct swt_model *m;

		view.ev = tl->ev + *printed;
		view.n = tl->n - *printed;
		swt_timeline_model_build(&m, &view, o->from_ns, o->to_ns);
		swt_render_jsonl(&out, m);
		swt_model_free(m);
	} else {
		for (i = *printed; i < tl->n; i++)
			if (tl->ev[i].t_ns >= o->from_ns &&
			    tl->ev[i].t_ns <= o->to_ns)
				follow_text_line(&out, &tl->ev[i]);
	}
	*printed = tl->n;
	err = write_stdout(&out);
	swt_buf_fini(&out);
	return err;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Read what the file has from `base` (a frame's offset) on: the header
 * frame and those bytes, as one session in memory. NULL if the file is
 * shorter than its header yet. */
static unsigned char *follow_read(int fd, uint64_t hdr_len, uint64_t base,
				  uint64_t size, size_t *len)
{
	unsigned char *buf;
	size_t n, got;
	ssize_t k;

	if (size < hdr_len || size < base)
		return NULL;
	n = (size_t)(hdr_len + (size - base));
	buf = malloc(n ? n : 1);
	if (!buf)
		abort();
	for (got = 0; got < n;) {
		uint64_t off = got < hdr_len ? got : base + (got - hdr_len);
		size_t want = got < hdr_len ? (size_t)(hdr_len - got) :
					      n - got;

		k = pread(fd, buf + got, want, (off_t)off);
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	*len = got;
	return buf;
}

/* --follow: feed the records as the file grows, print each poll's new
 * events, stop after the session's end record. Each poll re-reads the
 * file from the frame that held its last record (the frame swrec is still
 * writing: its complete records are read, those fed already skipped), so
 * a long session costs what it adds. */
static int follow(const struct options *o)
{
	struct swt_thresholds th;
	struct swt_engine_opts eo;
	struct swt_timeline *tl = NULL;
	unsigned char h8[8];
	uint64_t hdr_len, base, skip = 0, last_size = UINT64_MAX;
	uint64_t warned = 0;
	size_t printed = 0;
	bool header_fed = false, ended = false;
	char errmsg[512] = "";
	int fd, err;

	swt_thresholds_init(&th);
	err = load_thresholds(&th, o);
	if (err < 0) {
		swt_thresholds_fini(&th);
		return err;
	}
	fd = open(o->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(errmsg, sizeof(errmsg), "%s: %s", o->path,
			 strerror(errno));
		swt_cli_error_line(PROG, o->path,
				   errno == ENOENT ? SWT_ENOTFOUND : SWT_EIO,
				   errmsg);
		swt_thresholds_fini(&th);
		return errno == ENOENT ? SWT_ENOTFOUND : SWT_EIO;
	}
	if (pread(fd, h8, 8, 0) != 8 ||
	    le32(h8) != SWT_HEADER_FRAME_MAGIC ||
	    le32(h8 + 4) > SWT_MAX_HEADER_BYTES + 64) {
		swt_cli_error_line(PROG, o->path, SWT_ECORRUPT,
				   "offset 0: not a swt session file (no "
				   "header frame)");
		close(fd);
		swt_thresholds_fini(&th);
		return SWT_ECORRUPT;
	}
	hdr_len = 8 + (uint64_t)le32(h8 + 4);
	base = hdr_len;
	memset(&eo, 0, sizeof(eo));
	eo.thresholds = &th;
	swt_timeline_open(&tl, &eo);
	while (!ended) {
		struct swt_reader *r = NULL;
		const struct swt_record *rec;
		unsigned char *buf;
		struct stat st;
		uint64_t cur = base, k = 0;
		size_t len = 0, i;

		if (fstat(fd, &st) < 0) {
			err = SWT_EIO;
			break;
		}
		if ((uint64_t)st.st_size == last_size) {
			sleep_ms(200);
			continue;
		}
		last_size = (uint64_t)st.st_size;
		buf = follow_read(fd, hdr_len, base, last_size, &len);
		if (!buf) {
			sleep_ms(200);
			continue;
		}
		err = swt_reader_open_mem(&r, buf, len, o->path, 0, errmsg,
					  sizeof(errmsg));
		if (err < 0) {
			free(buf);
			swt_cli_error_line(PROG, o->path, err, errmsg);
			break;
		}
		while ((err = swt_reader_next(r, &rec)) == 0) {
			uint64_t off;

			if (rec->kind == SWT_REC_HEADER) {
				if (!header_fed &&
				    swt_timeline_feed(tl, rec, errmsg,
						      sizeof(errmsg)) < 0)
					break;
				header_fed = true;
				continue;
			}
			off = swt_reader_get_offset(r) - hdr_len + base;
			if (off != cur) {
				cur = off;
				k = 0;
			}
			k++;
			if (off == base && k <= skip)
				continue;	/* fed on an earlier poll */
			err = swt_timeline_feed(tl, rec, errmsg,
						sizeof(errmsg));
			if (err < 0)
				break;
			if (rec->kind == SWT_REC_END)
				ended = true;
		}
		/* damage before the frame being written is damage */
		for (i = 0; i < swt_reader_damage_count(r); i++) {
			const struct swt_damage *d = swt_reader_get_damage(r, i);
			uint64_t at = d->offset - hdr_len + base;

			if (d->no_loss || d->status != SWT_ECORRUPT ||
			    at < warned)
				continue;
			warned = at + 1;
			fprintf(stderr, PROG ": %s: offset %llu: %s (skipped)\n",
				o->path, (unsigned long long)at, d->what);
		}
		swt_reader_free(r);
		free(buf);
		if (err < 0 && err != SWT_ITEROVER) {
			swt_cli_error_line(PROG, o->path, err, errmsg);
			break;
		}
		err = 0;
		if (cur != base) {
			base = cur;
			skip = k;
		} else if (k > skip) {
			skip = k;
		}
		if (ended && swt_timeline_close(tl, errmsg, sizeof(errmsg)) < 0) {
			err = SWT_ECORRUPT;
			swt_cli_error_line(PROG, o->path, err, errmsg);
			break;
		}
		if (follow_print(o, tl, &printed) < 0) {
			err = SWT_EIO;
			break;
		}
	}
	close(fd);
	swt_timeline_free(tl);
	swt_thresholds_fini(&th);
	return err;
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

	err = parse_options(&opts, argc, argv);
	if (err < 0)
		goto out;
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

	if (opts.action == ACTION_FOLLOW) {
		err = follow(&opts);
		goto out;
	}
	err = swt_reader_open(&r, opts.path, 0, errmsg, sizeof(errmsg));
	if (err < 0) {
		swt_cli_error_line(PROG, opts.path, err, errmsg);
		goto out;
	}
	opened = true;
	/* the same records and damage on any number of threads; if none
	 * starts, the file is decoded on this one */
	swt_reader_set_threads(r, opts.threads ? opts.threads :
						 swt_cli_default_threads());

	if (opts.action == ACTION_NONE) {
		err = timeline(&opts, r, errmsg, sizeof(errmsg));
		/* a bad threshold is a usage error (exit 2) */
		goto out;
	}
	if (opts.action == ACTION_EXPORT) {
		err = export(&opts, r);
		goto out;
	}
	if (opts.action == ACTION_VERIFY) {
		err = verify(&opts, r, errmsg, sizeof(errmsg));
		if (err == 1) {
			swt_buf_fini(&report);
			swt_reader_free(r);
			free(opts.thresholds);
			return EXIT_MISMATCH;
		}
		goto out;
	}
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
	free(opts.thresholds);
	return exit_code(err, opened);
}
