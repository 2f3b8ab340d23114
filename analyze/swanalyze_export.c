/* swanalyze export — sessions into a time-series engine through
 * Prometheus remote-write (docs/fleet.md). Options and exit statuses only:
 * the series are swt_fleet's, the sending swt_rwclient's. */
#include "swanalyze_export.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swt_alloc.h"
#include "swt_analysis.h"
#include "swt_buf.h"
#include "swt_cli.h"
#include "swt_fleet.h"
#include "swt_parse.h"
#include "swt_reader.h"
#include "swt_rwclient.h"
#include "swt_status.h"
#include "swt_thresholds.h"

#define PROG "swanalyze"

enum {
	EXIT_OK = 0,
	EXIT_USAGE = 2,
	EXIT_BAD_DATA = 3,	/* a session is damaged (its readable part
				 * was sent) or not readable */
	EXIT_IO = 4,		/* some samples were not accepted */
};

static const char export_usage_text[] =
	"Usage: " PROG " export --remote-write URL [OPTIONS] FILE...\n"
	"       " PROG " export --print [OPTIONS] FILE...\n"
	"Send each session's series (CPU, memory per interval of the tree\n"
	"and of every module; weights, priorities, findings, counters, I/O at\n"
	"its end) to a Prometheus remote-write receiver: Prometheus, Mimir,\n"
	"Cortex, Thanos Receive, VictoriaMetrics (docs/fleet.md).\n"
	"\n"
	"      --remote-write URL  the receiver's write endpoint (e.g.\n"
	"                          http://prom:9090/api/v1/write)\n"
	"      --print             write the series as text on stdout, one\n"
	"                          sample a line (NAME{LABELS} VALUE MS)\n"
	"      --label K=V         a label on every series (repeatable; wins\n"
	"                          over swt's own of that name: host=...)\n"
	"      --step DURATION     at most one sample per series per step\n"
	"                          (e.g. 15s; default: every interval)\n"
	"      --bearer-token-file F   Authorization: Bearer (first line of F)\n"
	"      --basic-auth-file F     USER:PASSWORD (first line of F)\n"
	"      --header 'NAME: VALUE'  an HTTP header (repeatable)\n"
	"      --timeout DURATION  per request (default 30s)\n"
	"      --retries N         retries of a request on 5xx, 429 and\n"
	"                          transport errors (default 8)\n"
	"      --max-batch-bytes N protobuf bytes per request (default 1Mi)\n"
	"  -c, --config CONF       thresholds (as the reports)\n"
	"  -t, --threshold K=V     one setting (after --config)\n"
	"      --group-by HOW      exe (default), comm or cmdline\n"
	"  -h, --help              print this help and exit\n"
	"\n"
	"Exit status: 0 every sample accepted; 2 usage error; 3 a session is\n"
	"damaged (its readable part was sent) or cannot be read; 4 samples\n"
	"were refused or could not be sent (counted on stderr).\n";

enum {
	OPT_RW = 256,
	OPT_PRINT,
	OPT_LABEL,
	OPT_STEP,
	OPT_BEARER,
	OPT_BASIC,
	OPT_HEADER,
	OPT_TIMEOUT,
	OPT_RETRIES,
	OPT_BATCH,
	OPT_GROUP_BY,
};

struct export_opts {
	const char *url;
	bool print, help;
	struct swt_rwclient_opts c;
	struct swt_fleet_opts f;
	struct swt_fleet_cli cli;	/* --label, --header */
	const char *config, *group_by;
	size_t n_thresholds;
	const char **thresholds;
};

static void free_opts(struct export_opts *o)
{
	swt_fleet_cli_free(&o->cli);
	free(o->thresholds);
}

static int parse(struct export_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "remote-write", required_argument, NULL, OPT_RW },
		{ "print", no_argument, NULL, OPT_PRINT },
		{ "label", required_argument, NULL, OPT_LABEL },
		{ "step", required_argument, NULL, OPT_STEP },
		{ "bearer-token-file", required_argument, NULL, OPT_BEARER },
		{ "basic-auth-file", required_argument, NULL, OPT_BASIC },
		{ "header", required_argument, NULL, OPT_HEADER },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "retries", required_argument, NULL, OPT_RETRIES },
		{ "max-batch-bytes", required_argument, NULL, OPT_BATCH },
		{ "config", required_argument, NULL, 'c' },
		{ "threshold", required_argument, NULL, 't' },
		{ "group-by", required_argument, NULL, OPT_GROUP_BY },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char msg[1200];
	int c;

	o->c.max_retries = 8;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:t:h", longopts, NULL)) != -1) {
		int64_t v;
		uint64_t u;

		switch (c) {
		case OPT_RW:
			o->url = optarg;
			break;
		case OPT_PRINT:
			o->print = true;
			break;
		case OPT_LABEL:
			if (swt_fleet_cli_label(&o->cli, optarg, msg,
						sizeof(msg)) < 0)
				return swt_cli_usage_error(PROG, "export: "
							   "--label ", msg);
			break;
		case OPT_STEP:
			if (swt_parse_duration_ns(&v, optarg) < 0 || v <= 0)
				return swt_cli_usage_error(PROG, "export: "
					"--step: not a duration: ", optarg);
			o->f.step_ns = v;
			break;
		case OPT_BEARER:
			o->c.bearer_token_file = optarg;
			break;
		case OPT_BASIC:
			o->c.basic_auth_file = optarg;
			break;
		case OPT_HEADER:
			swt_fleet_cli_header(&o->cli, optarg);
			break;
		case OPT_TIMEOUT:
			if (swt_parse_duration_ns(&v, optarg) < 0 ||
			    v < 1000000 || v > INT64_C(3600000000000))
				return swt_cli_usage_error(PROG, "export: "
					"--timeout: 1ms to 1h: ", optarg);
			o->c.timeout_ms = v / 1000000;
			break;
		case OPT_RETRIES:
			if (swt_parse_i64(&v, optarg) < 0 || v < 0 || v > 100)
				return swt_cli_usage_error(PROG, "export: "
					"--retries: 0 to 100: ", optarg);
			o->c.max_retries = (int)v;
			break;
		case OPT_BATCH:
			if (swt_parse_size(&u, optarg) < 0 || u < 1024 ||
			    u > (64u << 20))
				return swt_cli_usage_error(PROG, "export: "
					"--max-batch-bytes: 1Ki to 64Mi: ",
					optarg);
			o->c.max_batch_bytes = (size_t)u;
			break;
		case 'c':
			o->config = optarg;
			break;
		case 't':
			o->thresholds = swt_reallocarray(o->thresholds,
							 o->n_thresholds + 1,
							 sizeof(char *));
			o->thresholds[o->n_thresholds++] = optarg;
			break;
		case OPT_GROUP_BY:
			o->group_by = optarg;
			break;
		case 'h':
			o->help = true;
			return 0;
		default:
			return swt_cli_usage_error(PROG, "export: see "
						   PROG " export --help", "");
		}
	}
	if (!o->url && !o->print)
		return swt_cli_usage_error(PROG, "export: needs "
					   "--remote-write URL or --print",
					   "");
	if (optind >= argc)
		return swt_cli_usage_error(PROG, "export: needs session "
					   "files", "");
	o->c.url = o->url;
	o->c.n_headers = o->cli.n_headers;
	o->c.headers = o->cli.headers;
	o->f.n_labels = o->cli.n_labels;
	o->f.labels = o->cli.labels;
	return 0;
}

/* The shortest of %.15g, %.16g, %.17g that reads back as v. */
static void put_double(struct swt_buf *b, double v)
{
	char tmp[40];
	int p;

	for (p = 15; p <= 17; p++) {
		snprintf(tmp, sizeof(tmp), "%.*g", p, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	swt_buf_puts(b, tmp);
}

/* NAME{L="V",...} VALUE MS — the exposition format's escapes. The value
 * as the double it is on the wire (the fewest digits that read back as
 * it): a listing of what is sent, not a report. */
static void print_set(const struct swt_rw_set *set, struct swt_buf *b)
{
	size_t i, j, k;

	for (i = 0; i < set->n; i++) {
		const struct swt_rw_series *s = &set->series[i];

		for (k = 0; k < s->n_samples; k++) {
			bool first = true;

			for (j = 0; j < s->n_labels; j++)
				if (!strcmp(s->labels[j].name, "__name__"))
					swt_buf_puts(b, s->labels[j].value);
			swt_buf_putc(b, '{');
			for (j = 0; j < s->n_labels; j++) {
				const char *v = s->labels[j].value;

				if (!strcmp(s->labels[j].name, "__name__"))
					continue;
				swt_buf_printf(b, "%s%s=\"", first ? "" : ",",
					       s->labels[j].name);
				first = false;
				for (; *v; v++) {
					if (*v == '"' || *v == '\\')
						swt_buf_putc(b, '\\');
					if (*v == '\n')
						swt_buf_puts(b, "\\n");
					else
						swt_buf_putc(b, *v);
				}
				swt_buf_putc(b, '"');
			}
			swt_buf_puts(b, "} ");
			put_double(b, s->samples[k].value);
			swt_buf_putc(b, ' ');
			swt_buf_i64(b, s->samples[k].t_ms);
			swt_buf_putc(b, '\n');
		}
	}
}

int swanalyze_export_main(int argc, char **argv)
{
	struct export_opts o;
	struct swt_thresholds th;
	struct swt_engine_opts eo;
	struct swt_rwclient *client = NULL;
	char msg[1200];
	int code = EXIT_OK, i;

	memset(&o, 0, sizeof(o));
	swt_thresholds_init(&th);
	if (parse(&o, argc, argv) < 0) {
		code = EXIT_USAGE;
		goto out;
	}
	if (o.help) {
		fputs(export_usage_text, stdout);
		code = fflush(stdout) ? EXIT_IO : EXIT_OK;
		goto out;
	}
	if (swt_thresholds_from_options(&th, o.config, o.thresholds,
					o.n_thresholds, o.group_by, msg,
					sizeof(msg)) < 0) {
		fprintf(stderr, PROG ": %s\n", msg);
		code = EXIT_USAGE;
		goto out;
	}
	if (o.url && swt_rwclient_new(&client, &o.c, msg, sizeof(msg)) < 0) {
		fprintf(stderr, PROG ": export: %s\n", msg);
		code = EXIT_USAGE;
		goto out;
	}
	memset(&eo, 0, sizeof(eo));
	eo.thresholds = &th;
	for (i = optind; i < argc; i++) {
		struct swt_reader *r = NULL;
		struct swt_analysis *an = NULL;
		struct swt_rw_set *set = NULL;
		uint64_t coll = 0;
		int err;

		err = swt_reader_open(&r, argv[i], 0, msg, sizeof(msg));
		if (err < 0) {
			swt_cli_error_line(PROG, argv[i], err, msg);
			code = code == EXIT_OK ? EXIT_BAD_DATA : code;
			continue;
		}
		err = swt_fleet_from_session(&set, &an, r, &eo, &o.f, &coll,
					     msg, sizeof(msg));
		if (err < 0) {
			swt_cli_error_line(PROG, argv[i], err, msg);
			code = code == EXIT_OK ? EXIT_BAD_DATA : code;
			goto next;
		}
		if (swt_analysis_incomplete(an)) {
			fprintf(stderr, PROG ": %s: damaged or truncated: its "
				"readable part is sent\n", argv[i]);
			code = code == EXIT_OK ? EXIT_BAD_DATA : code;
		}
		if (coll)
			fprintf(stderr, PROG ": %s: %llu series left out: "
				"their labels equal another's once cut\n",
				argv[i], (unsigned long long)coll);
		if (set && o.print) {
			struct swt_buf b = SWT_BUF_INIT;

			print_set(set, &b);
			if (b.len && fwrite(b.ptr, 1, b.len, stdout) != b.len)
				code = EXIT_IO;
			swt_buf_fini(&b);
		}
		if (set && client) {
			struct swt_rwclient_stats before, after;

			swt_rwclient_get_stats(client, &before);
			err = swt_rwclient_send(client, set->series, set->n);
			swt_rwclient_get_stats(client, &after);
			fprintf(stderr, PROG ": %s: %zu series, %llu samples "
				"sent, %llu failed, in %llu requests (%llu "
				"retries)\n", argv[i], set->n,
				(unsigned long long)(after.samples_sent -
						     before.samples_sent),
				(unsigned long long)(after.samples_failed -
						     before.samples_failed),
				(unsigned long long)(after.requests -
						     before.requests),
				(unsigned long long)(after.retries -
						     before.retries));
			if (err < 0) {
				fprintf(stderr, PROG ": %s: %s\n", argv[i],
					swt_rwclient_errmsg(client));
				code = EXIT_IO;
			}
		}
next:
		swt_rw_set_free(set);
		swt_analysis_free(an);
		swt_reader_free(r);
	}
	if (o.print && fflush(stdout))
		code = EXIT_IO;
out:
	swt_rwclient_free(client);
	swt_thresholds_fini(&th);
	free_opts(&o);
	return code;
}
