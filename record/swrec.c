/* swrec — record a process tree into a .swt session file.
 *
 * main, option parsing and the mapping from outcome to exit status; the
 * work is in swt_session.c and swt_sampler.c. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "swt_alloc.h"
#include "swt_buf.h"
#include "swt_cli.h"
#include "swt_config.h"
#include "swt_parse.h"
#include "swt_fleet.h"
#include "swt_live.h"
#include "swt_ingest.h"
#include "swt_rwclient.h"
#include "swt_session.h"
#include "swt_procconn.h"
#include "swt_sampler_bpf.h"
#include "swt_status.h"
#include "swt_thresholds.h"

/* Exit statuses of swrec's own failures (before the command runs). In
 * launch mode swrec otherwise exits with the command's status. */
enum {
	EXIT_USAGE = 2,		/* bad option, no such pid */
	EXIT_IO = 4,		/* no output file, or recording failed */
	EXIT_NOEXEC = 126,	/* command found but not executable */
	EXIT_NOTFOUND = 127,	/* command not found */
};

#define MIN_INTERVAL_NS INT64_C(10000000)		/* 10 ms */
#define MAX_INTERVAL_NS INT64_C(3600000000000)		/* 1 h */
#define DEFAULT_OUTPUT "swrec.swt"
#define PROG "swrec"

struct options {
	struct swt_session_opts s;
	int32_t *pids;
	size_t pids_cap;
	bool all;
	bool quiet;
	bool done;		/* --help or --version: nothing to record */
	bool print_socket;
	/* live alerts */
	bool alerts;
	const char *alerts_path; /* JSON lines; NULL: text on stderr */
	const char *on_alert;	/* --on-alert CMD */
	const char *config;
	size_t n_thresholds;
	const char **thresholds;
	/* --remote-write */
	struct swt_rwclient_opts rw;
	struct swt_fleet_cli rw_cli;	/* --label, --header */
	uint64_t rw_queue;
	int64_t rw_drain_ms;
};

static void usage(FILE *f)
{
	fputs("Usage: swrec [options] -- COMMAND [ARG...]\n"
	      "       swrec [options] -p PID[,PID...]\n"
	      "       swrec [options] -a\n"
	      "Record a process tree's resource use into a .swt session file.\n"
	      "\n"
	      "  -o, --output FILE    session file (default " DEFAULT_OUTPUT
	      "); never overwritten\n"
	      "                       unless --force, never through a symlink\n"
	      "      --force          overwrite an existing regular file\n"
	      "  -p, --pid PID,...    attach to running processes and their "
	      "descendants\n"
	      "  -a, --all            record every process on the machine\n"
	      "  -i, --interval DUR   sampling interval, 10ms..1h "
	      "(default 1s)\n"
	      "      --duration DUR   stop recording after DUR\n"
	      "      --flush DUR      make data durable every DUR, 10ms..1h "
	      "(default 1s)\n"
	      "      --no-threads     no per-thread samples\n"
	      "      --level N        zstd level 1..19 (default 1)\n"
	      "      --no-events      take no events from instrumented "
	      "programs\n"
	      "      --no-exits       no kernel exit records (as root, "
	      "swrec takes one per\n"
	      "                       exiting process: CPU, peak RSS, I/O "
	      "of short lives)\n"
	      "      --max-short-lived N  processes living between two "
	      "samples written per\n"
	      "                       second at most (default 5000; 0: no "
	      "bound); the rest\n"
	      "                       are counted, their CPU goes to their "
	      "parents\n"
	      "      --no-proc-events no fork/exec events (as root, swrec "
	      "reads a short-lived\n"
	      "                       process's command line at its exec; "
	      "exit records stay)\n"
	      "      --proc-events=SRC  where they come from: auto (default: "
	      "bpf where it\n"
	      "                       loads), bpf (a BPF program that reads "
	      "each exec's\n"
	      "                       command line in the kernel), connector "
	      "(the proc\n"
	      "                       connector, command lines read from "
	      "/proc)\n"
	      "      --sampler=SRC    where the counters come from: auto "
	      "(default: bpf where\n"
	      "                       it loads), bpf (a BPF program reads "
	      "every process's\n"
	      "                       in one run, Linux 6.7+, root), proc "
	      "(files of /proc)\n"
	      "      --no-net         no network per process (TCP bytes from "
	      "the kernel's\n"
	      "                       socket table, sockets by kind, "
	      "interfaces)\n"
	      "      --plain-samples  write every process's and thread's row "
	      "in every sample\n"
	      "                       (a file older readers, format 1.7, read "
	      "whole)\n"
	      "      --no-span-cpu    launch mode: spans do not carry their "
	      "thread's CPU time\n"
	      "                       (saves ~2.5 us per span here)\n"
	      "      --no-span-rss    launch mode: no RSS readings around "
	      "spans\n"
	      "                       (saves ~3.4 us per span here)\n"
	      "      --event-clock=auto|tsc|monotonic\n"
	      "                       launch mode: what the command's C "
	      "clients stamp events\n"
	      "                       with: the TSC where it is invariant "
	      "and agrees across\n"
	      "                       CPUs (auto, default), or "
	      "clock_gettime (monotonic)\n"
	      "      --allow-other-users\n"
	      "                       take events from other users' "
	      "processes too\n"
	      "      --print-socket   print SWT_TRACE_SOCKET=PATH on stdout "
	      "first; with -p\n"
	      "                       or -a, programs started with it send "
	      "events\n"
	      ,
	      f);
	fputs("      --alerts[=FILE]  run swanalyze's engine while recording: "
	      "print each alert\n"
	      "                       the moment it fires (stderr; with FILE, "
	      "JSON lines\n"
	      "                       there) and write it into the session\n"
	      "      --on-alert CMD   with each alert, run /bin/sh -c CMD "
	      "(not waited for;\n"
	      "                       the alert in SWT_ALERT_* variables); "
	      "implies --alerts\n"
	      "      --config CONF    thresholds of the alerts (as swanalyze "
	      "--config)\n"
	      "  -t, --threshold K=V  one threshold of the alerts (after "
	      "--config)\n"
	      "      --remote-write URL  send the session's series (as "
	      "swanalyze export)\n"
	      "                       to a Prometheus remote-write receiver "
	      "while recording,\n"
	      "                       from a thread with a bounded queue; "
	      "what was not sent\n"
	      "                       is counted (the file has it all)\n"
	      "      --label K=V      a label on every series (repeatable)\n"
	      "      --bearer-token-file F, --basic-auth-file F  credentials "
	      "(first line)\n"
	      "      --header 'N: V'  an HTTP header (repeatable)\n"
	      "      --remote-write-queue N  samples queued at most (default "
	      "100000)\n"
	      "      --remote-write-timeout DUR  per request, and the wait "
	      "for the queue\n"
	      "                       at the end (default 10s)\n"
	      "  -q, --quiet          no summary line at the end\n"
	      "  -h, --help           show this help\n"
	      "  -V, --version        show the version\n"
	      "\n"
	      "DUR is seconds (0.1, 2) or a number with a unit: ms, s, m, h.\n"
	      "In launch mode swrec exits with the command's status (128+N if\n"
	      "it died of signal N); 2: usage error, 4: output error,\n"
	      "126/127: the command cannot be run. See swrec(1).\n",
	      f);
}

/* The message and the --help hint, as the other swt tools print them
 * (swt_cli.h); returns SWT_EINVAL. */
__attribute__((format(printf, 1, 2))) static int
usage_error(const char *fmt, ...)
{
	struct swt_buf msg = SWT_BUF_INIT;
	va_list ap;
	int err;

	va_start(ap, fmt);
	swt_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	err = swt_cli_usage_error(PROG, msg.ptr ? msg.ptr : "", "");
	swt_buf_fini(&msg);
	return err;
}

static int parse_dur(int64_t *out, const char *opt, const char *arg,
		     int64_t min, int64_t max)
{
	int64_t v;

	if (swt_parse_duration_ns(&v, arg) < 0)
		return usage_error("%s: invalid duration '%s' (examples: 0.1, "
				   "100ms, 2s, 1m)", opt, arg);
	if (v < min || v > max)
		return usage_error("%s: '%s' is out of range", opt, arg);
	*out = v;
	return 0;
}

/* Append the pids of one -p list. Strict: every element between commas
 * must be a pid ("1,", ",1" and "1,,2" are refused, as an empty list is).
 * Repeats are dropped later, by dedupe_pids(). */
static int parse_pids(struct options *o, const char *arg)
{
	const char *p = arg, *comma;
	char tok[32];
	int err = 0;

	for (;; p = comma + 1) {
		size_t len;
		uint64_t v;

		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == 0) {
			err = usage_error("-p/--pid: empty process id in '%s'",
					  arg);
			break;
		}
		if (len < sizeof(tok)) {
			memcpy(tok, p, len);
			tok[len] = '\0';
		}
		if (len >= sizeof(tok) || swt_parse_u64(&v, tok) < 0 ||
		    v == 0 || v > INT32_MAX) {
			err = usage_error("-p/--pid: invalid process id "
					  "'%.*s'",
					  (int)(len < 64 ? len : 64), p);
			break;
		}
		o->pids = swt_grow(o->pids, &o->pids_cap, o->s.n_pids + 1,
				   sizeof(o->pids[0]));
		o->pids[o->s.n_pids++] = (int32_t)v;
		if (!comma)
			break;
	}
	return err;
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return x < y ? -1 : x > y;
}

/* Drop repeated pids, keeping the first of each in the order given: a
 * sorted copy and a flag per distinct pid, n log n (a long -p list must
 * not cost n^2). */
static void dedupe_pids(struct options *o)
{
	size_t n = o->s.n_pids, i, k = 0;
	int32_t *sorted;
	bool *taken;

	if (n < 2)
		return;
	sorted = swt_calloc(n, sizeof(*sorted));
	taken = swt_calloc(n, sizeof(*taken));
	memcpy(sorted, o->pids, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_i32);
	for (i = 0; i < n; i++) {
		int32_t *at = bsearch(&o->pids[i], sorted, n, sizeof(*sorted),
				      cmp_i32);
		size_t j = (size_t)(at - sorted);

		/* the first of a run of equal values stands for them all */
		while (j > 0 && sorted[j - 1] == o->pids[i])
			j--;
		if (taken[j])
			continue;
		taken[j] = true;
		o->pids[k++] = o->pids[i];
	}
	o->s.n_pids = k;
	free(sorted);
	free(taken);
}

enum {
	OPT_FORCE = 256,
	OPT_DURATION,
	OPT_FLUSH,
	OPT_NO_THREADS,
	OPT_LEVEL,
	OPT_SLOW_EVERY,
	OPT_LIBPROC2_SCANS,
	OPT_NO_EVENTS,
	OPT_ALLOW_OTHER_USERS,
	OPT_PRINT_SOCKET,
	OPT_NO_SPAN_CPU,
	OPT_NO_SPAN_RSS,
	OPT_EVENT_CLOCK,
	OPT_NO_EXITS,
	OPT_NO_PROC_EVENTS,
	OPT_PROC_EVENTS,
	OPT_SAMPLER,
	OPT_MAX_SHORT_LIVED,
	OPT_NO_NET,
	OPT_PLAIN_SAMPLES,
	OPT_ALERTS,
	OPT_ON_ALERT,
	OPT_CONFIG,
	OPT_RW,
	OPT_RW_LABEL,
	OPT_RW_BEARER,
	OPT_RW_BASIC,
	OPT_RW_HEADER,
	OPT_RW_QUEUE,
	OPT_RW_TIMEOUT,
};

/* Returns 0 (o->done for --help/--version) or SWT_EINVAL (the message is
 * printed). */
static int parse_args(struct options *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "pid", required_argument, NULL, 'p' },
		{ "all", no_argument, NULL, 'a' },
		{ "interval", required_argument, NULL, 'i' },
		{ "duration", required_argument, NULL, OPT_DURATION },
		{ "flush", required_argument, NULL, OPT_FLUSH },
		{ "no-threads", no_argument, NULL, OPT_NO_THREADS },
		{ "level", required_argument, NULL, OPT_LEVEL },
		{ "no-events", no_argument, NULL, OPT_NO_EVENTS },
		{ "no-exits", no_argument, NULL, OPT_NO_EXITS },
		{ "no-proc-events", no_argument, NULL, OPT_NO_PROC_EVENTS },
		{ "proc-events", required_argument, NULL, OPT_PROC_EVENTS },
		{ "sampler", required_argument, NULL, OPT_SAMPLER },
		{ "max-short-lived", required_argument, NULL,
		  OPT_MAX_SHORT_LIVED },
		{ "no-net", no_argument, NULL, OPT_NO_NET },
		{ "plain-samples", no_argument, NULL, OPT_PLAIN_SAMPLES },
		{ "allow-other-users", no_argument, NULL,
		  OPT_ALLOW_OTHER_USERS },
		{ "print-socket", no_argument, NULL, OPT_PRINT_SOCKET },
		{ "no-span-cpu", no_argument, NULL, OPT_NO_SPAN_CPU },
		{ "no-span-rss", no_argument, NULL, OPT_NO_SPAN_RSS },
		{ "event-clock", required_argument, NULL, OPT_EVENT_CLOCK },
		/* Undocumented, for the benchmark: status/io period. */
		{ "slow-every", required_argument, NULL, OPT_SLOW_EVERY },
		/* Undocumented, for the benchmark: libproc2 for every scan. */
		{ "libproc2-scans", no_argument, NULL, OPT_LIBPROC2_SCANS },
		{ "alerts", optional_argument, NULL, OPT_ALERTS },
		{ "on-alert", required_argument, NULL, OPT_ON_ALERT },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "threshold", required_argument, NULL, 't' },
		{ "remote-write", required_argument, NULL, OPT_RW },
		{ "label", required_argument, NULL, OPT_RW_LABEL },
		{ "bearer-token-file", required_argument, NULL,
		  OPT_RW_BEARER },
		{ "basic-auth-file", required_argument, NULL, OPT_RW_BASIC },
		{ "header", required_argument, NULL, OPT_RW_HEADER },
		{ "remote-write-queue", required_argument, NULL,
		  OPT_RW_QUEUE },
		{ "remote-write-timeout", required_argument, NULL,
		  OPT_RW_TIMEOUT },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c, err;

	swt_session_opts_init(&o->s);
	o->s.path = DEFAULT_OUTPUT;
	o->thresholds = calloc((size_t)argc + 1, sizeof(*o->thresholds));
	if (!o->thresholds)
		abort();
	opterr = 0;
	/* '+': options end at the command, whose own options are its own. */
	while ((c = getopt_long(argc, argv, "+:o:p:ai:t:qhV", longopts,
				NULL)) != -1) {
		int64_t v;

		switch (c) {
		case 'o':
			if (!*optarg)
				return usage_error("-o/--output: empty file "
						   "name");
			o->s.path = optarg;
			break;
		case OPT_FORCE:
			o->s.force = true;
			break;
		case 'p':
			if ((err = parse_pids(o, optarg)))
				return err;
			break;
		case 'a':
			o->all = true;
			break;
		case 'i':
			if ((err = parse_dur(&o->s.interval_ns, "-i/--interval",
					     optarg, MIN_INTERVAL_NS,
					     MAX_INTERVAL_NS)))
				return err;
			break;
		case OPT_DURATION:
			if ((err = parse_dur(&o->s.duration_ns, "--duration",
					     optarg, 1, INT64_MAX)))
				return err;
			break;
		case OPT_FLUSH:
			if ((err = parse_dur(&o->s.flush_ns, "--flush", optarg,
					     MIN_INTERVAL_NS,
					     MAX_INTERVAL_NS)))
				return err;
			break;
		case OPT_NO_THREADS:
			o->s.threads = false;
			break;
		case OPT_LEVEL:
			if (swt_parse_i64(&v, optarg) < 0 || v < 1 || v > 19)
				return usage_error("--level: invalid zstd level"
						   " '%s' (1..19)", optarg);
			o->s.level = (int)v;
			break;
		case OPT_SLOW_EVERY:
			if (swt_parse_i64(&v, optarg) < 0 || v < 1 || v > 1000)
				return usage_error("--slow-every: invalid value"
						   " '%s'", optarg);
			o->s.slow_every = (unsigned)v;
			break;
		case OPT_LIBPROC2_SCANS:
			o->s.libproc2_scans = true;
			break;
		case OPT_NO_EVENTS:
			o->s.events = false;
			break;
		case OPT_NO_EXITS:
			o->s.exits = false;
			break;
		case OPT_MAX_SHORT_LIVED:
			if (swt_parse_i64(&v, optarg) < 0 || v < 0 ||
			    v > 1000000000)
				return usage_error("--max-short-lived: invalid "
						   "value '%s' (0..1000000000)",
						   optarg);
			o->s.max_short_lived = v ? (uint64_t)v : UINT64_MAX;
			break;
		case OPT_NO_PROC_EVENTS:
			o->s.proc_events = false;
			break;
		case OPT_PROC_EVENTS:
			if (!strcmp(optarg, "auto"))
				o->s.proc_events_source = SWT_PROCCONN_AUTO;
			else if (!strcmp(optarg, "bpf"))
				o->s.proc_events_source = SWT_PROCCONN_BPF;
			else if (!strcmp(optarg, "connector"))
				o->s.proc_events_source =
					SWT_PROCCONN_CONNECTOR;
			else
				return usage_error("--proc-events: invalid "
						   "value '%s' (auto, bpf, "
						   "connector)",
						   optarg);
			break;
		case OPT_SAMPLER:
			if (!strcmp(optarg, "auto"))
				o->s.sampler = SWT_SAMPLER_AUTO;
			else if (!strcmp(optarg, "bpf"))
				o->s.sampler = SWT_SAMPLER_BPF;
			else if (!strcmp(optarg, "proc"))
				o->s.sampler = SWT_SAMPLER_PROC;
			else
				return usage_error("--sampler: invalid value "
						   "'%s' (auto, bpf, proc)",
						   optarg);
			break;
		case OPT_NO_NET:
			o->s.net = false;
			break;
		case OPT_PLAIN_SAMPLES:
			o->s.plain_samples = true;
			break;
		case OPT_ALLOW_OTHER_USERS:
			o->s.allow_other_users = true;
			break;
		case OPT_PRINT_SOCKET:
			o->print_socket = true;
			break;
		case OPT_NO_SPAN_CPU:
			o->s.span_cpu = false;
			break;
		case OPT_NO_SPAN_RSS:
			o->s.span_rss = false;
			break;
		case OPT_EVENT_CLOCK:
			if (!strcmp(optarg, "auto"))
				o->s.event_clock = SWT_EVENT_CLOCK_AUTO;
			else if (!strcmp(optarg, "tsc"))
				o->s.event_clock = SWT_EVENT_CLOCK_TSC;
			else if (!strcmp(optarg, "monotonic"))
				o->s.event_clock = SWT_EVENT_CLOCK_MONOTONIC;
			else
				return usage_error("--event-clock: invalid "
						   "value '%s' (auto, tsc, "
						   "monotonic)",
						   optarg);
			break;
		case OPT_ALERTS:
			o->alerts = true;
			if (optarg) {
				if (!*optarg)
					return usage_error("--alerts=: empty "
							   "file name");
				o->alerts_path = optarg;
			}
			break;
		case OPT_ON_ALERT:
			if (o->on_alert)
				return usage_error("--on-alert given twice");
			if (!*optarg)
				return usage_error("--on-alert: empty command");
			o->on_alert = optarg;
			o->alerts = true;
			break;
		case OPT_RW:
			o->rw.url = optarg;
			break;
		case OPT_RW_LABEL: {
			char msg[1200];

			if (swt_fleet_cli_label(&o->rw_cli, optarg, msg,
						sizeof(msg)) < 0)
				return usage_error("--label %s", msg);
			break;
		}
		case OPT_RW_BEARER:
			o->rw.bearer_token_file = optarg;
			break;
		case OPT_RW_BASIC:
			o->rw.basic_auth_file = optarg;
			break;
		case OPT_RW_HEADER:
			swt_fleet_cli_header(&o->rw_cli, optarg);
			break;
		case OPT_RW_QUEUE:
			if (swt_parse_i64(&v, optarg) < 0 || v < 1 ||
			    v > 100000000)
				return usage_error("--remote-write-queue: 1 to "
						   "100000000: %s", optarg);
			o->rw_queue = (uint64_t)v;
			break;
		case OPT_RW_TIMEOUT:
			if (swt_parse_duration_ns(&v, optarg) < 0 ||
			    v < 1000000 || v > INT64_C(3600000000000))
				return usage_error("--remote-write-timeout: 1ms "
						   "to 1h: %s", optarg);
			o->rw_drain_ms = v / 1000000;
			break;
		case OPT_CONFIG:
			if (o->config)
				return usage_error("--config given twice");
			o->config = optarg;
			break;
		case 't':
			o->thresholds[o->n_thresholds++] = optarg;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			usage(stdout);
			o->done = true;
			return 0;
		case 'V':
			printf("swrec %s\n", SWT_VERSION);
			o->done = true;
			return 0;
		case ':':
			return usage_error("option '%s' needs a value",
					   argv[optind - 1]);
		default:	/* '?': "--force=1" is not "unknown" */
			return swt_cli_getopt_error(PROG, c, argv);
		}
	}
	dedupe_pids(o);
	if (optind < argc) {
		o->s.mode = SWT_MODE_LAUNCH;
		o->s.command = argv + optind;
	}
	if ((o->all != 0) + (o->s.n_pids != 0) + (optind < argc) != 1)
		return usage_error("give exactly one of: -- COMMAND, -p PID, "
				   "-a");
	if (o->all)
		o->s.mode = SWT_MODE_ALL;
	if (o->s.n_pids) {
		o->s.mode = SWT_MODE_ATTACH;
		o->s.pids = o->pids;
	}
	if (o->print_socket && !o->s.events)
		return usage_error("--print-socket and --no-events exclude "
				   "each other");
	if ((o->config || o->n_thresholds) && !o->alerts && !o->rw.url)
		return usage_error("--config and --threshold set the "
				   "thresholds of --alerts (and of the "
				   "--remote-write series)");
	if (!o->rw.url && (o->rw_cli.n_labels || o->rw_cli.n_headers ||
			   o->rw_queue ||
			   o->rw_drain_ms || o->rw.bearer_token_file ||
			   o->rw.basic_auth_file))
		return usage_error("--label, --header, --bearer-token-file, "
				   "--basic-auth-file and --remote-write-* "
				   "need --remote-write URL");
	return 0;
}

/* The thresholds of --alerts, as swanalyze loads them. */
static int load_alert_thresholds(struct swt_thresholds *th,
				 const struct options *o)
{
	char msg[600];

	if (swt_thresholds_from_options(th, o->config, o->thresholds,
					o->n_thresholds, NULL, msg,
					sizeof(msg)) < 0) {
		fprintf(stderr, "swrec: %s\n", msg);
		return SWT_EINVAL;
	}
	return 0;
}

/* One line, flushed at once: a script waiting for it (or a pipe) sees it
 * before anything is recorded. */
static void print_socket(const char *env, void *payload)
{
	(void)payload;
	printf("%s\n", env);
	fflush(stdout);
}

static void print_error(const char *msg, void *payload)
{
	(void)payload;
	fprintf(stderr, "swrec: %s; recording stopped\n", msg);
}

/* The one mapping from outcome to exit status: the status of the option
 * parser or of swt_session_run(), then what the session says (r is NULL
 * when nothing was recorded: --help, --version or a usage error). */
static int exit_status(int err, const struct options *o,
		       const struct swt_session_result *r)
{
	if (err == SWT_EINVAL || err == SWT_ENOTFOUND)
		return EXIT_USAGE;
	if (err < 0)
		return EXIT_IO;
	if (!r)
		return 0;
	if (r->exec_errno)
		return WIFEXITED(r->wstatus) ? WEXITSTATUS(r->wstatus) :
					       EXIT_NOTFOUND;
	if (o->s.mode == SWT_MODE_LAUNCH) {
		if (r->has_status && WIFEXITED(r->wstatus))
			return WEXITSTATUS(r->wstatus);
		if (r->has_status && WIFSIGNALED(r->wstatus))
			return 128 + WTERMSIG(r->wstatus);
		/* Stopped by a signal while the command runs on. */
		return 128 + r->stop_signal;
	}
	return r->recording_failed ? EXIT_IO : 0;
}

/* --on-alert: wait a little for the last commands, then say what ran
 * (failures and alerts not run even with -q). */
static void on_alert_summary(struct swt_live *live, bool quiet)
{
	struct swt_live_cmd_stats cs;
	size_t left = swt_live_finish(live, 5000);

	swt_live_cmd_stats(live, &cs);
	if (quiet && !cs.failed && !cs.skipped && !left)
		return;
	fprintf(stderr, "swrec: --on-alert: %llu commands run",
		(unsigned long long)cs.run);
	if (cs.failed)
		fprintf(stderr, ", %llu failed", (unsigned long long)cs.failed);
	if (cs.skipped)
		fprintf(stderr, ", %llu alerts without a command (%s)",
			(unsigned long long)cs.skipped,
			swt_live_spawn_errno(live) ?
				strerror(swt_live_spawn_errno(live)) :
				"4 commands were still running");
	if (left)
		fprintf(stderr, ", %zu still running after 5 s, left", left);
	fputc('\n', stderr);
}

/* --remote-write: the client, its queue and thread, the series builder
 * (swt_live feeds it). */
struct rw {
	struct swt_rwclient *client;
	struct swt_rwqueue *queue;
	struct swt_fleet *fleet;
};

static int rw_start(struct rw *rw, struct options *o)
{
	struct swt_fleet_opts fo;
	char msg[1200];

	if (!o->rw_drain_ms)
		o->rw_drain_ms = 10000;
	o->rw.headers = o->rw_cli.headers;
	o->rw.n_headers = o->rw_cli.n_headers;
	o->rw.timeout_ms = o->rw_drain_ms;
	o->rw.connect_timeout_ms = o->rw_drain_ms < 5000 ? o->rw_drain_ms :
							  5000;
	/* live: a batch waits in the queue while its retries run; later
	 * ones queue up behind it (and are dropped, counted, once it is
	 * full) */
	o->rw.max_retries = 5;
	o->rw.backoff_max_ms = 5000;
	if (swt_rwclient_new(&rw->client, &o->rw, msg, sizeof(msg)) < 0 ||
	    swt_rwqueue_new(&rw->queue, rw->client, o->rw_queue, msg,
			    sizeof(msg)) < 0) {
		fprintf(stderr, "swrec: %s\n", msg);
		return SWT_EINVAL;
	}
	memset(&fo, 0, sizeof(fo));
	fo.n_labels = o->rw_cli.n_labels;
	fo.labels = o->rw_cli.labels;
	swt_fleet_new(&rw->fleet, &fo);
	return 0;
}

static void rw_stop(struct rw *rw, struct options *o)
{
	swt_rwqueue_free(rw->queue);
	swt_rwclient_free(rw->client);
	swt_fleet_free(rw->fleet);
	swt_fleet_cli_free(&o->rw_cli);
	memset(rw, 0, sizeof(*rw));
}

/* What was sent (with -q only when something was not). */
static void rw_summary(struct swt_live *live, bool quiet)
{
	struct swt_live_rw_stats st;

	swt_live_rw_stats(live, &st);
	if (quiet && !st.failed && !st.dropped && !st.unsent)
		return;
	fprintf(stderr, "swrec: remote-write: %llu samples, %llu sent, "
		"%llu failed, %llu dropped (queue full), %llu unsent, in %llu "
		"requests (%llu retries)%s%s\n",
		(unsigned long long)st.samples, (unsigned long long)st.sent,
		(unsigned long long)st.failed, (unsigned long long)st.dropped,
		(unsigned long long)st.unsent, (unsigned long long)st.requests,
		(unsigned long long)st.retries,
		st.last_error[0] ? "; last failure: " : "", st.last_error);
	if (st.failed || st.dropped || st.unsent)
		fprintf(stderr, "swrec: remote-write: the session file has "
			"every sample: swanalyze export --remote-write URL "
			"FILE sends it again\n");
}

int main(int argc, char **argv)
{
	struct rw rw = { NULL, NULL, NULL };
	struct options o;
	struct swt_session_result r;
	struct swt_thresholds th;
	struct swt_live *live = NULL;
	struct swt_buf alert_config = SWT_BUF_INIT;
	FILE *alerts_fp = NULL;
	int err;

	memset(&o, 0, sizeof(o));
	swt_thresholds_init(&th);
	err = parse_args(&o, argc, argv);
	if (err == 0 && !o.done && o.rw.url)
		err = rw_start(&rw, &o);
	if (err == 0 && !o.done && (o.alerts || o.rw.url)) {
		struct swt_live_opts lo;

		err = load_alert_thresholds(&th, &o);
		memset(&lo, 0, sizeof(lo));
		lo.thresholds = &th;
		lo.alerts = o.alerts;
		lo.fleet = rw.fleet;
		lo.rwq = rw.queue;
		lo.rw_drain_ms = o.rw_drain_ms;
		lo.text = o.alerts ? stderr : NULL;
		lo.on_alert = o.on_alert;
		lo.session_path = o.s.path;
		if (err == 0 && o.alerts_path) {
			/* appended: several recordings may share a log */
			alerts_fp = fopen(o.alerts_path, "ae");
			if (!alerts_fp) {
				fprintf(stderr, "swrec: %s: %s\n",
					o.alerts_path, strerror(errno));
				err = SWT_EINVAL;
			}
			lo.text = NULL;
			lo.jsonl = alerts_fp;
		}
		if (err == 0) {
			swt_live_new(&live, &lo);
			o.s.live = live;
			/* stored, so that swreplay --verify replays them */
			if (o.alerts) {
				swt_thresholds_format(&th, &alert_config);
				o.s.alert_config = alert_config.ptr;
			}
		}
	}
	if (err || o.done) {
		rw_stop(&rw, &o);
		free(o.pids);
		free(o.thresholds);
		swt_buf_fini(&alert_config);
		swt_thresholds_fini(&th);
		if (alerts_fp)
			fclose(alerts_fp);
		return exit_status(err, &o, NULL);
	}
	o.s.on_error = print_error;
	if (o.print_socket)
		o.s.on_socket = print_socket;
	err = swt_session_run(&r, &o.s);
	if (err < 0) {
		fprintf(stderr, "swrec: %s\n", r.errmsg);
	} else if (r.exec_errno) {
		fprintf(stderr, "swrec: %s\n", r.errmsg);
	} else if (!o.quiet && !r.recording_failed) {
		char ev[256] = "", missed[96] = "";
		const char *evs = r.events == 1 ? "event" : "events";

		if (r.skipped_ticks)
			snprintf(missed, sizeof(missed),
				 "; %llu deadline%s missed: swrec waited "
				 "%.1f s for a CPU",
				 (unsigned long long)r.skipped_ticks,
				 r.skipped_ticks == 1 ? "" : "s",
				 (double)r.wait_ns / 1e9);
		/* late: events that reached swrec after it had written
		 * past their time; kept, their time raised (swrec.1,
		 * docs/analysis.md § 2.3), said so when there are any */
		if ((r.clients || r.refused_clients) && r.late_events)
			snprintf(ev, sizeof(ev),
				 ", %llu %s (%llu dropped; %llu late, kept "
				 "with their time moved up to keep the file "
				 "in order)",
				 (unsigned long long)r.events, evs,
				 (unsigned long long)r.dropped_events,
				 (unsigned long long)r.late_events);
		else if (r.clients || r.refused_clients)
			snprintf(ev, sizeof(ev), ", %llu %s (%llu dropped)",
				 (unsigned long long)r.events, evs,
				 (unsigned long long)r.dropped_events);
		fprintf(stderr,
			"swrec: %llu samples (%llu process, %llu thread rows%s)"
			"%s in %s, %llu bytes, sampled from %s\n",
			(unsigned long long)r.samples,
			(unsigned long long)r.proc_samples,
			(unsigned long long)r.thread_samples, missed, ev,
			o.s.path, (unsigned long long)r.bytes,
			r.sampler && !strcmp(r.sampler, "bpf") ? "BPF"
							       : "/proc");
		if (r.sampler_msg[0] && o.s.sampler == SWT_SAMPLER_AUTO)
			fprintf(stderr, "swrec: sampled /proc: %s\n",
				r.sampler_msg);
		if (live && o.alerts)
			fprintf(stderr,
				"swrec: %llu alerts; the engine took %.3f ms "
				"of CPU, %.1f us a sample%s%s\n",
				(unsigned long long)swt_live_alerts(live),
				(double)swt_live_cpu_ns(live) / 1e6,
				swt_live_feeds(live) ?
					(double)swt_live_cpu_ns(live) / 1e3 /
						(double)swt_live_feeds(live) :
					0.0,
				*swt_live_error(live) ? "; stopped: " : "",
				swt_live_error(live));
		else if (live)
			fprintf(stderr,
				"swrec: remote-write: the engine took %.3f ms "
				"of CPU, %.1f us a sample%s%s\n",
				(double)swt_live_cpu_ns(live) / 1e6,
				swt_live_feeds(live) ?
					(double)swt_live_cpu_ns(live) / 1e3 /
						(double)swt_live_feeds(live) :
					0.0,
				*swt_live_error(live) ? "; stopped: " : "",
				swt_live_error(live));
	}
	if (live && o.on_alert)
		on_alert_summary(live, o.quiet);
	if (live && o.rw.url)
		rw_summary(live, o.quiet);
	swt_live_free(live);
	rw_stop(&rw, &o);
	swt_buf_fini(&alert_config);
	if (alerts_fp)
		fclose(alerts_fp);
	swt_thresholds_fini(&th);
	free(o.thresholds);
	free(o.pids);
	return exit_status(err, &o, &r);
}
