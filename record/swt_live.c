/* swt_live.c — live alerts while recording (see swt_live.h). */
#include "swt_live.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "swt_alloc.h"
#include "swt_buf.h"
#include "swt_engine.h"
#include "swt_fleet.h"
#include "swt_rwclient.h"
#include "swt_timeline.h"
#include "swt_json.h"

#define MAX_PENDING 64

struct swt_live {
	struct swt_engine *e;
	struct swt_live_opts o;
	bool dead;
	char err[256];
	int64_t origin_ns;
	uint64_t alerts, feeds;
	int64_t cpu_ns;
	/* alerts raised while a record is fed: written after it */
	size_t n_pending;
	struct pending {
		int64_t t_ns;
		enum swt_alert_kind kind;
		char *name;
		char *process;
		char *command;
		enum swt_module_kind subj_kind;
		int64_t value, threshold;
		int64_t eta_low, eta_high, level_mmb, target_mmb;
	} pending[MAX_PENDING];
	uint64_t lost;		/* beyond MAX_PENDING in one record */
	/* --on-alert commands still running */
	size_t n_kids;
	pid_t kids[SWT_LIVE_MAX_RUNNING];
	struct swt_live_cmd_stats cmd;
	int spawn_errno;	/* the first posix_spawn failure */
	swt_live_spawn_fn spawn_fn;
	void *spawn_payload;
	bool ended;
	int64_t last_t_ns;	/* the latest record fed */
	struct swt_live_rw_stats rw;
};

extern char **environ;

static int64_t thread_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void on_alert(const struct swt_alert_result *a, void *payload)
{
	struct swt_live *l = payload;
	struct pending *p;

	if (!l->o.alerts)
		return;
	if (l->n_pending == MAX_PENDING) {
		l->lost++;
		return;
	}
	p = &l->pending[l->n_pending++];
	p->t_ns = a->t_ns;
	p->kind = a->kind;
	p->name = swt_strdup(a->subj.name);
	p->process = swt_strdup(a->subj.process);
	p->command = swt_strdup(a->subj.command);
	p->subj_kind = a->subj.kind;
	p->value = a->value;
	p->threshold = a->threshold;
	p->eta_low = a->eta_low;
	p->eta_high = a->eta_high;
	p->level_mmb = a->level_mmb;
	p->target_mmb = a->target_mmb;
}

static void on_usage(const struct swt_usage_point *p, void *payload)
{
	struct swt_live *l = payload;

	swt_fleet_usage(l->o.fleet, p);
}

void swt_live_new(struct swt_live **out, const struct swt_live_opts *o)
{
	struct swt_live *l = swt_zalloc(sizeof(*l));
	struct swt_engine_opts eo;

	l->o = *o;
	memset(&eo, 0, sizeof(eo));
	eo.thresholds = o->thresholds;
	eo.on_alert = on_alert;
	if (o->fleet) {
		eo.on_usage = on_usage;
		eo.usage_totals = true;
	}
	eo.payload = l;
	swt_engine_new(&l->e, &eo);
	*out = l;
}

void swt_live_free(struct swt_live *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n_pending; i++) {
		free(l->pending[i].name);
		free(l->pending[i].process);
		free(l->pending[i].command);
	}
	swt_engine_free(l->e);
	free(l);
}

static void fail(struct swt_live *l, const char *why)
{
	l->dead = true;
	snprintf(l->err, sizeof(l->err), "%s", why);
}

void swt_live_header(struct swt_live *l, const struct swt_header *h)
{
	struct swt_record rec;

	memset(&rec, 0, sizeof(rec));
	rec.kind = SWT_REC_HEADER;
	rec.t_ns = h->start_mono_ns;
	rec.u.header = *h;
	l->origin_ns = h->start_mono_ns;
	if (l->o.fleet)
		swt_fleet_header(l->o.fleet, h);
	if (swt_engine_feed(l->e, &rec) < 0)
		fail(l, swt_engine_errmsg(l->e));
}

static const char *unit_sign(enum swt_alert_kind k)
{
	switch (k) {
	case SWT_ALERT_CPU:
		return " %";
	case SWT_ALERT_MEMORY:
		return " MB";
	case SWT_ALERT_RATE:
		return "/min";
	case SWT_ALERT_IO:
	case SWT_ALERT_NET:
		return " MB/s";
	case SWT_ALERT_FORECAST:
		return " min";
	}
	return "";
}

/* One alert as a JSON object (--alerts=FILE, SWT_ALERT_JSON). */
static void alert_json(const struct pending *p, struct swt_buf *b)
{
	struct swt_json w;

	swt_json_init(&w, b, false);
	swt_json_begin_object(&w, NULL);
	swt_json_fixed(&w, "t_s", p->t_ns, 9, 3);
	swt_json_str(&w, "kind", swt_alert_kind_name(p->kind));
	swt_json_str(&w, "subject_kind", swt_kind_name(p->subj_kind));
	swt_json_str(&w, "name", p->name);
	swt_json_str(&w, "process", p->process);
	swt_json_fixed(&w, "value", p->value, 3, 1);
	swt_json_fixed(&w, "threshold", p->threshold, 3, 1);
	swt_json_str(&w, "unit", swt_alert_unit(p->kind));
	swt_json_str(&w, "command", p->command);
	swt_json_end_object(&w);
}

static void print(struct swt_live *l, const struct pending *p)
{
	struct swt_buf b = SWT_BUF_INIT;

	if (l->o.text) {
		swt_buf_puts(&b, "swrec: alert at ");
		swt_buf_fixed(&b, p->t_ns, 9, 3);
		swt_buf_printf(&b, " s: %s of %s %s", swt_alert_kind_name(p->kind),
			       swt_kind_name(p->subj_kind), p->name);
		if (*p->process && strcmp(p->process, p->name) != 0)
			swt_buf_printf(&b, " (process %s)", p->process);
		if (p->kind == SWT_ALERT_FORECAST) {
			/* "reaches 500.0 MB in 14.2 min (10.1-19.3 min),
			 * within 30.0 min" */
			swt_buf_puts(&b, " ");
			swt_forecast_phrase(&b, p->target_mmb, p->value,
					    p->eta_low, p->eta_high);
			swt_buf_puts(&b, ", within ");
		} else {
			swt_buf_puts(&b, " ");
			swt_buf_fixed(&b, p->value, 3, 1);
			swt_buf_puts(&b, unit_sign(p->kind));
			swt_buf_puts(&b, " above ");
		}
		swt_buf_fixed(&b, p->threshold, 3, 1);
		swt_buf_puts(&b, unit_sign(p->kind));
		swt_buf_putc(&b, '\n');
		fwrite(b.ptr, 1, b.len, l->o.text);
		fflush(l->o.text);
		swt_buf_clear(&b);
	}
	if (l->o.jsonl) {
		alert_json(p, &b);
		swt_buf_putc(&b, '\n');
		fwrite(b.ptr, 1, b.len, l->o.jsonl);
		fflush(l->o.jsonl);
	}
	swt_buf_fini(&b);
}

/* --on-alert command i has gone: its status counted if known, the
 * recorder told, its slot freed. */
static void kid_gone(struct swt_live *l, size_t i, bool known, int st)
{
	if (known && !(WIFEXITED(st) && WEXITSTATUS(st) == 0))
		l->cmd.failed++;
	if (l->spawn_fn)
		l->spawn_fn(l->kids[i], false, l->spawn_payload);
	l->kids[i] = l->kids[--l->n_kids];
}

/* Forget the --on-alert commands that have exited (reaped here, or by the
 * session's reap loop, which tells swt_live_note_exit()). */
static void poll_kids(struct swt_live *l)
{
	size_t i;
	int st;

	for (i = 0; i < l->n_kids;) {
		pid_t r = waitpid(l->kids[i], &st, WNOHANG);

		if (r == 0)
			i++;
		else	/* (r < 0: reaped by the session, counted there) */
			kid_gone(l, i, r == l->kids[i], st);
	}
}

void swt_live_note_exit(struct swt_live *l, int32_t pid, int wstatus)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n_kids; i++) {
		if (l->kids[i] == (pid_t)pid) {
			kid_gone(l, i, true, wstatus);
			return;
		}
	}
}

static bool own_var(const char *v)
{
	return strncmp(v, "SWT_ALERT_", 10) == 0 ||
	       strncmp(v, "SWT_SESSION=", 12) == 0;
}

static void put_var(char **env, size_t *n, const char *name,
		    const char *value)
{
	size_t a, b;
	char *v;

	if (!value)
		value = "";
	a = strlen(name);
	b = strlen(value);
	v = swt_calloc(a + b + 2, 1);
	memcpy(v, name, a);
	v[a] = '=';
	memcpy(v + a + 1, value, b + 1);
	env[(*n)++] = v;
}

static void put_fixed_var(char **env, size_t *n, const char *name,
			  int64_t value, int scale, int digits)
{
	struct swt_buf b = SWT_BUF_INIT;

	swt_buf_fixed(&b, value, scale, digits);
	put_var(env, n, name, b.ptr ? b.ptr : "");
	swt_buf_fini(&b);
}

/* Run the --on-alert command for one alert: `/bin/sh -c CMD`, stdin from
 * /dev/null, in a process group of its own (a ^C at the terminal is for
 * the recorded command, not for it), signals unblocked and at their
 * defaults, the alert in SWT_ALERT_* (swrec(1)). Not waited for. */
static void run_command(struct swt_live *l, const struct pending *p)
{
	enum { OWN = 12 };
	struct swt_buf json = SWT_BUF_INIT;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t sa;
	sigset_t none, def;
	size_t n_env = 0, own, i;
	char **env;
	char *cmd;
	char sh[] = "sh", dash_c[] = "-c";
	char *argv[] = { sh, dash_c, NULL, NULL };
	pid_t pid;
	int err;

	poll_kids(l);
	if (l->n_kids == SWT_LIVE_MAX_RUNNING) {
		l->cmd.skipped++;
		return;
	}
	/* (after the early return: a skipped alert allocates nothing) */
	cmd = swt_strdup(l->o.on_alert);
	argv[2] = cmd;
	for (i = 0; environ && environ[i]; i++)
		n_env++;
	env = swt_calloc(n_env + OWN + 1, sizeof(*env));
	for (i = 0, n_env = 0; environ && environ[i]; i++)
		if (!own_var(environ[i]))
			env[n_env++] = environ[i];
	own = n_env;
	put_fixed_var(env, &n_env, "SWT_ALERT_T_S", p->t_ns, 9, 3);
	put_var(env, &n_env, "SWT_ALERT_KIND", swt_alert_kind_name(p->kind));
	put_var(env, &n_env, "SWT_ALERT_SUBJECT", p->name);
	put_var(env, &n_env, "SWT_ALERT_SUBJECT_KIND",
		swt_kind_name(p->subj_kind));
	put_var(env, &n_env, "SWT_ALERT_PROCESS", p->process);
	put_fixed_var(env, &n_env, "SWT_ALERT_VALUE", p->value, 3, 1);
	put_fixed_var(env, &n_env, "SWT_ALERT_THRESHOLD", p->threshold, 3, 1);
	put_var(env, &n_env, "SWT_ALERT_UNIT", swt_alert_unit(p->kind));
	put_var(env, &n_env, "SWT_ALERT_COMMAND", p->command);
	alert_json(p, &json);
	put_var(env, &n_env, "SWT_ALERT_JSON", json.ptr ? json.ptr : "{}");
	put_var(env, &n_env, "SWT_SESSION",
		l->o.session_path ? l->o.session_path : "");
	env[n_env] = NULL;

	sigemptyset(&none);
	sigemptyset(&def);
	sigaddset(&def, SIGINT);
	sigaddset(&def, SIGTERM);
	sigaddset(&def, SIGHUP);
	sigaddset(&def, SIGCHLD);
	sigaddset(&def, SIGPIPE);
	posix_spawnattr_init(&sa);
	posix_spawnattr_setsigmask(&sa, &none);
	posix_spawnattr_setsigdefault(&sa, &def);
	posix_spawnattr_setpgroup(&sa, 0);
	posix_spawnattr_setflags(&sa, POSIX_SPAWN_SETSIGMASK |
					      POSIX_SPAWN_SETSIGDEF |
					      POSIX_SPAWN_SETPGROUP);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	err = posix_spawn(&pid, "/bin/sh", &fa, &sa, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&sa);
	if (err == 0) {
		l->kids[l->n_kids++] = pid;
		l->cmd.run++;
		if (l->spawn_fn)
			l->spawn_fn((int32_t)pid, true, l->spawn_payload);
	} else {
		l->cmd.skipped++;
		if (!l->spawn_errno)
			l->spawn_errno = err;
	}
	for (i = own; i < n_env; i++)
		free(env[i]);
	free(env);
	free(cmd);
	swt_buf_fini(&json);
}

size_t swt_live_finish(struct swt_live *l, int timeout_ms)
{
	struct timespec ts = { 0, 10 * 1000000 };
	int waited = 0;

	if (!l)
		return 0;
	for (;;) {
		poll_kids(l);
		if (!l->n_kids || waited >= timeout_ms)
			break;
		nanosleep(&ts, NULL);
		waited += 10;
	}
	return l->n_kids;
}

void swt_live_set_spawn_hook(struct swt_live *l, swt_live_spawn_fn fn,
			     void *payload)
{
	l->spawn_fn = fn;
	l->spawn_payload = payload;
}

void swt_live_cmd_stats(const struct swt_live *l,
			struct swt_live_cmd_stats *out)
{
	*out = l->cmd;
}

int swt_live_spawn_errno(const struct swt_live *l)
{
	return l->spawn_errno;
}

void swt_live_feed(struct swt_live *l, const struct swt_record *rec,
		   swt_live_append_fn append, void *payload)
{
	int64_t t0;
	size_t i;

	if (l->dead || rec->kind == SWT_REC_ALERT)
		return;
	t0 = thread_ns();
	if (rec->t_ns > l->last_t_ns)
		l->last_t_ns = rec->t_ns;
	if (swt_engine_feed(l->e, rec) < 0)
		fail(l, swt_engine_errmsg(l->e));
	if (rec->kind == SWT_REC_SAMPLE) {
		l->feeds++;
		if (l->o.fleet && l->o.rwq && !l->dead) {
			struct swt_rw_set *set = NULL;

			swt_fleet_take(l->o.fleet, &set);
			swt_rwqueue_push(l->o.rwq, set);
		}
	}
	for (i = 0; i < l->n_pending; i++) {
		struct pending *p = &l->pending[i];
		struct swt_record ar;

		print(l, p);
		if (l->o.on_alert)
			run_command(l, p);
		memset(&ar, 0, sizeof(ar));
		ar.kind = SWT_REC_ALERT;
		/* at its time in the file: the record that raised it */
		ar.t_ns = rec->t_ns;
		ar.u.alert.kind = swt_alert_kind_name(p->kind);
		ar.u.alert.subject = p->name;
		ar.u.alert.value_milli = p->value;
		ar.u.alert.threshold_milli = p->threshold;
		if (append)
			append(&ar, payload);
		l->alerts++;
		free(p->name);
		free(p->process);
		free(p->command);
	}
	l->n_pending = 0;
	l->cpu_ns += thread_ns() - t0;
}

uint64_t swt_live_alerts(const struct swt_live *l)
{
	return l->alerts;
}

int64_t swt_live_cpu_ns(const struct swt_live *l)
{
	return l->cpu_ns;
}

uint64_t swt_live_feeds(const struct swt_live *l)
{
	return l->feeds;
}

const char *swt_live_error(const struct swt_live *l)
{
	return l->err;
}

void swt_live_end(struct swt_live *l, swt_live_append_fn append,
		  void *payload)
{
	struct swt_rwqueue_stats qs;
	const struct swt_result *res = NULL;
	struct swt_rw_set *set = NULL;
	struct swt_record ar;
	char detail[256];
	int64_t t0;

	if (!l || l->ended || !l->o.rwq)
		return;
	l->ended = true;
	t0 = thread_ns();
	if (!l->dead && swt_engine_finish(l->e, &res) == 0) {
		swt_fleet_result(l->o.fleet, res);
		l->dead = true;	/* (fed no more) */
	}
	swt_fleet_take(l->o.fleet, &set);
	swt_rwqueue_push(l->o.rwq, set);
	l->cpu_ns += thread_ns() - t0;
	swt_rwqueue_close(l->o.rwq, l->o.rw_drain_ms);
	swt_rwqueue_get_stats(l->o.rwq, &qs);
	l->rw.samples = qs.pushed;
	l->rw.sent = qs.client.samples_sent;
	l->rw.failed = qs.client.samples_failed;
	l->rw.dropped = qs.dropped;
	l->rw.unsent = qs.unsent;
	l->rw.requests = qs.client.requests;
	l->rw.retries = qs.client.retries;
	snprintf(l->rw.last_error, sizeof(l->rw.last_error), "%s",
		 qs.client.last_error);
	snprintf(detail, sizeof(detail),
		 "samples %llu sent %llu failed %llu dropped %llu unsent %llu "
		 "requests %llu retries %llu",
		 (unsigned long long)l->rw.samples,
		 (unsigned long long)l->rw.sent,
		 (unsigned long long)l->rw.failed,
		 (unsigned long long)l->rw.dropped,
		 (unsigned long long)l->rw.unsent,
		 (unsigned long long)l->rw.requests,
		 (unsigned long long)l->rw.retries);
	memset(&ar, 0, sizeof(ar));
	ar.kind = SWT_REC_ANOMALY;
	ar.t_ns = l->last_t_ns;
	ar.u.anomaly.kind = "remote_write";
	ar.u.anomaly.subject = "";
	ar.u.anomaly.detail = detail;
	ar.u.anomaly.detail_len = strlen(detail);
	if (append)
		append(&ar, payload);
}

void swt_live_rw_stats(const struct swt_live *l,
		       struct swt_live_rw_stats *out)
{
	*out = l->rw;
}
