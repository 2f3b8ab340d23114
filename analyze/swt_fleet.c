/* swt_fleet.c — a session as Prometheus series (see swt_fleet.h). */
#include "swt_fleet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swt_alloc.h"
#include "swt_analysis.h"
#include "swt_engine.h"
#include "swt_reader.h"
#include "swt_buf.h"
#include "swt_checked.h"
#include "swt_stats.h"
#include "swt_status.h"

/* Label values are cut here (at a UTF-8 boundary): receivers bound them
 * (Mimir: 2 048 bytes by default) and a 4 kB command line is no key. */
#define MAX_VALUE 1024
#define MAX_COMMAND 256

struct cpu_pt {
	int64_t t_from, t_to;	/* relative ns */
	int64_t ticks;		/* micro clock ticks */
	int64_t mpct;
};

struct mem_pt {
	int64_t t;
	int64_t kib;
};

/* a running total's samples (swt_usage_point.has_totals) */
struct tot_pt {
	int64_t t;		/* relative ns */
	double v;
};

struct tot_ser {
	size_t n, cap;
	struct tot_pt *p;
	bool sent;		/* a sample was taken, at last_ms */
	int64_t last_ms;
};

/* the totals of a subject, by metric */
enum { TOT_IO_R, TOT_IO_W, TOT_NET_S, TOT_NET_R, TOT_CALLS, TOT_N };

static const char *const tot_session_name[TOT_N] = {
	"swt_session_io_read_bytes_total",
	"swt_session_io_written_bytes_total",
	"swt_session_network_sent_bytes_total",
	"swt_session_network_received_bytes_total",
	NULL,
};

static const char *const tot_module_name[TOT_N] = {
	"swt_module_io_read_bytes_total",
	"swt_module_io_written_bytes_total",
	"swt_module_network_sent_bytes_total",
	"swt_module_network_received_bytes_total",
	"swt_module_calls_total",
};

/* an application counter (swt_counter_total) */
struct ctr {
	char *name;		/* NULL: none of this id yet */
	struct tot_ser tot;
};

/* a part of an interval taken: where it starts, its CPU */
struct sent_part {
	int64_t t_from, ticks;
};
#define SENT_PARTS 3	/* parts of an interval, at most (usage_tell()) */

struct subj {
	bool named;
	bool session;
	size_t n_labels;
	struct swt_rw_label *labels;	/* kind, module, process, group */
	size_t n_cpu, cap_cpu, n_mem, cap_mem;
	struct cpu_pt *cpu;
	struct mem_pt *mem;
	/* what was taken: the total so far, the end of the last interval,
	 * and the last parts taken (a revision tells the subject's last
	 * interval again, in its parts, each by where it starts) */
	int64_t cum_ticks;
	bool has_last;
	int64_t last_to;
	size_t n_sent;
	struct sent_part sent[SENT_PARTS];
	int64_t adjust;		/* revisions of taken intervals */
	bool adj_sent;		/* a revision went as a sample of its own, */
	int64_t adj_ms;		/* ... at this time */
	struct tot_ser tot[TOT_N];
};

/* one sample at the end (swt_fleet_result) */
struct endpt {
	size_t n_labels;
	struct swt_rw_label *labels;	/* with __name__, owned */
	int64_t t_ms;
	double value;
};

struct swt_fleet {
	struct swt_fleet_opts o;
	struct swt_rw_label *user;	/* owned copies */
	bool have_header;
	int64_t wall0_ns;	/* the header's start_wall_ns */
	uint32_t clock_ticks;
	char session_id[17];
	char *command;
	size_t n_subj, cap_subj;
	struct subj *subj;	/* by usage id */
	size_t n_ctr, cap_ctr;
	struct ctr *ctr;	/* by counter id */
	size_t n_end, cap_end;
	struct endpt *end;
	uint64_t collisions;
};

/* ---- labels -------------------------------------------------------------- */

static bool name_ok(const char *s)
{
	size_t i;

	if (!s[0])
		return false;
	for (i = 0; s[i]; i++) {
		char c = s[i];
		bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     c == '_';

		if (!alpha && !(i > 0 && c >= '0' && c <= '9'))
			return false;
	}
	return true;
}

/* The longest prefix of s of at most max bytes that ends on a whole UTF-8
 * sequence (s is valid UTF-8: the display form). */
static size_t utf8_cut(const char *s, size_t max)
{
	size_t n = strlen(s), i = 0;

	if (n <= max)
		return n;
	while (i < n) {
		size_t l = swt_utf8_seq_len((const unsigned char *)s + i,
					    n - i);

		if (!l)
			l = 1;
		if (i + l > max)
			break;
		i += l;
	}
	return i;
}

int swt_fleet_parse_label(char **name, char **value, const char *arg,
			  char *msg, size_t msglen)
{
	char *copy = swt_strdup(arg);
	char *eq = strchr(copy, '=');
	size_t vl;

	*name = *value = NULL;
	if (!eq) {
		snprintf(msg, msglen, "%s: not NAME=VALUE", arg);
		goto bad;
	}
	*eq = '\0';
	if (!name_ok(copy) || strncmp(copy, "__", 2) == 0) {
		snprintf(msg, msglen, "%s: a label name is [a-zA-Z_]"
			 "[a-zA-Z0-9_]* and does not start with __", copy);
		goto bad;
	}
	vl = strlen(eq + 1);
	if (vl == 0 || vl > MAX_VALUE ||
	    utf8_cut(eq + 1, vl) != vl) {
		snprintf(msg, msglen, "%s: a label value is 1 to %d bytes of "
			 "UTF-8", copy, MAX_VALUE);
		goto bad;
	}
	{
		/* every byte must be a whole UTF-8 sequence */
		const unsigned char *p = (const unsigned char *)eq + 1;
		size_t i = 0;

		while (i < vl) {
			size_t l = swt_utf8_seq_len(p + i, vl - i);

			if (!l) {
				snprintf(msg, msglen, "%s: a label value is "
					 "UTF-8", copy);
				goto bad;
			}
			i += l;
		}
	}
	*name = copy;
	*value = eq + 1;
	return 0;
bad:
	free(copy);
	return SWT_EINVAL;
}

int swt_fleet_cli_label(struct swt_fleet_cli *c, const char *arg, char *msg,
			size_t msglen)
{
	char *name, *value;

	if (swt_fleet_parse_label(&name, &value, arg, msg, msglen) < 0)
		return -1;
	c->labels = swt_reallocarray(c->labels, c->n_labels + 1,
				     sizeof(*c->labels));
	c->labels[c->n_labels].name = name;
	c->labels[c->n_labels++].value = value;
	return 0;
}

void swt_fleet_cli_header(struct swt_fleet_cli *c, const char *arg)
{
	c->headers = swt_reallocarray(c->headers, c->n_headers + 1,
				      sizeof(*c->headers));
	c->headers[c->n_headers++] = arg;
}

void swt_fleet_cli_free(struct swt_fleet_cli *c)
{
	size_t i;

	for (i = 0; i < c->n_labels; i++)
		free((char *)(uintptr_t)c->labels[i].name);
	free(c->labels);
	free(c->headers);
	memset(c, 0, sizeof(*c));
}

static int cmp_label(const void *a, const void *b)
{
	const struct swt_rw_label *x = a, *y = b;

	return strcmp(x->name, y->name);
}

/* A label set (owned strings): the metric, the session's labels, the
 * subject's (may be NULL), the extra pairs (n_extra, name and value
 * alternating) and the user's, which win over ours of their name; empty
 * values are left out (Prometheus drops them); sorted by name. */
static struct swt_rw_label *make_labels(struct swt_fleet *f, size_t *n_out,
					const char *metric,
					const struct subj *s,
					size_t n_extra,
					const char *const *extra)
{
	size_t cap = 3 + (s ? s->n_labels : 0) + n_extra + f->o.n_labels;
	struct swt_rw_label *l = swt_calloc(cap, sizeof(*l));
	size_t n = 0, i, j;

#define ADD(N, V)							\
	do {								\
		if ((V) && (V)[0]) {					\
			l[n].name = (N);				\
			l[n].value = (V);				\
			n++;						\
		}							\
	} while (0)
	ADD("__name__", metric);
	ADD("session", f->session_id);
	ADD("command", f->command);
	if (s)
		for (i = 0; i < s->n_labels; i++)
			ADD(s->labels[i].name, s->labels[i].value);
	for (i = 0; i < n_extra; i++)
		ADD(extra[2 * i], extra[2 * i + 1]);
#undef ADD
	for (i = 0; i < f->o.n_labels; i++) {
		for (j = 0; j < n; j++)
			if (!strcmp(l[j].name, f->user[i].name))
				break;
		l[j].name = f->user[i].name;
		l[j].value = f->user[i].value;
		if (j == n)
			n++;
	}
	qsort(l, n, sizeof(*l), cmp_label);
	for (i = 0; i < n; i++) {
		size_t vl = utf8_cut(l[i].value, MAX_VALUE);

		l[i].name = swt_strdup(l[i].name);
		l[i].value = swt_strndup(l[i].value, vl);
	}
	*n_out = n;
	return l;
}

static void free_labels(struct swt_rw_label *l, size_t n)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < n; i++) {
		free((char *)(uintptr_t)l[i].name);
		free((char *)(uintptr_t)l[i].value);
	}
	free(l);
}

/* ---- lifetime ------------------------------------------------------------ */

void swt_fleet_new(struct swt_fleet **out, const struct swt_fleet_opts *o)
{
	struct swt_fleet *f = swt_zalloc(sizeof(*f));
	size_t i;

	f->o = *o;
	f->user = swt_calloc(o->n_labels ? o->n_labels : 1,
			     sizeof(*f->user));
	for (i = 0; i < o->n_labels; i++) {
		f->user[i].name = swt_strdup(o->labels[i].name);
		f->user[i].value = swt_strdup(o->labels[i].value);
	}
	f->o.labels = f->user;
	f->clock_ticks = 100;
	*out = f;
}

void swt_fleet_free(struct swt_fleet *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->n_subj; i++) {
		int k;

		free_labels(f->subj[i].labels, f->subj[i].n_labels);
		free(f->subj[i].cpu);
		free(f->subj[i].mem);
		for (k = 0; k < TOT_N; k++)
			free(f->subj[i].tot[k].p);
	}
	free(f->subj);
	for (i = 0; i < f->n_ctr; i++) {
		free(f->ctr[i].name);
		free(f->ctr[i].tot.p);
	}
	free(f->ctr);
	for (i = 0; i < f->n_end; i++)
		free_labels(f->end[i].labels, f->end[i].n_labels);
	free(f->end);
	free_labels(f->user, f->o.n_labels);
	free(f->command);
	free(f);
}

uint64_t swt_fleet_collisions(const struct swt_fleet *f)
{
	return f->collisions;
}

/* FNV-1a, 64 bits: the session id (docs/fleet.md) */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= UINT64_C(1099511628211);
	}
	return h;
}

static uint64_t fnv_i64(uint64_t h, int64_t v)
{
	unsigned char b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)((uint64_t)v >> (8 * i));
	return fnv(h, b, 8);
}

void swt_fleet_header(struct swt_fleet *f, const struct swt_header *h)
{
	struct swt_buf cmd = SWT_BUF_INIT;
	uint64_t id = UINT64_C(14695981039346656037);
	size_t i;
	char *disp;

	f->have_header = true;
	f->wall0_ns = h->start_wall_ns;
	f->clock_ticks = h->clock_ticks ? h->clock_ticks : 100;
	id = fnv_i64(id, h->start_wall_ns);
	id = fnv_i64(id, h->start_mono_ns);
	id = fnv_i64(id, (int64_t)h->boot_time_s);
	for (i = 0; i < h->n_command; i++) {
		if (i)
			swt_buf_putc(&cmd, ' ');
		swt_buf_puts(&cmd, h->command[i]);
		id = fnv(id, h->command[i], strlen(h->command[i]) + 1);
	}
	snprintf(f->session_id, sizeof(f->session_id), "%016llx",
		 (unsigned long long)id);
	disp = swt_display_bytes(cmd.ptr ? cmd.ptr : "", cmd.len);
	free(f->command);
	f->command = swt_strndup(disp, utf8_cut(disp, MAX_COMMAND));
	free(disp);
	swt_buf_fini(&cmd);
}

/* ---- what the engine tells ----------------------------------------------- */

static void subj_label_init(struct subj *s, const struct swt_subject *subj)
{
	const char *pairs[8];
	size_t n = 0, i;

	pairs[n++] = "group";
	pairs[n++] = subj->group;
	pairs[n++] = "kind";
	pairs[n++] = swt_kind_name(subj->kind);
	pairs[n++] = "module";
	pairs[n++] = subj->name;
	pairs[n++] = "process";
	pairs[n++] = subj->process;
	s->labels = swt_calloc(4, sizeof(*s->labels));
	for (i = 0; i < n / 2; i++) {
		const char *v = pairs[2 * i + 1] ? pairs[2 * i + 1] : "";

		s->labels[s->n_labels].name = swt_strdup(pairs[2 * i]);
		s->labels[s->n_labels].value = swt_strdup(v);
		s->n_labels++;
	}
}

static struct subj *get_subj(struct swt_fleet *f, uint32_t id,
			     const struct swt_subject *subj)
{
	struct subj *s;

	if (id >= f->n_subj) {
		f->subj = swt_grow(f->subj, &f->cap_subj, (size_t)id + 1,
				   sizeof(*f->subj));
		memset(f->subj + f->n_subj, 0,
		       ((size_t)id + 1 - f->n_subj) * sizeof(*f->subj));
		f->n_subj = (size_t)id + 1;
	}
	s = &f->subj[id];
	if (!s->named) {
		s->named = true;
		s->session = id == 0;
		if (!s->session)
			subj_label_init(s, subj);
	}
	return s;
}

/* A running total's value at t: one sample per time (a later value at the
 * same time, or an earlier time, replaces the last). */
static void tot_add(struct tot_ser *ts, int64_t t, double v)
{
	if (ts->n && ts->p[ts->n - 1].t >= t) {
		ts->p[ts->n - 1].v = v;
		return;
	}
	ts->p = swt_grow(ts->p, &ts->cap, ts->n + 1, sizeof(*ts->p));
	ts->p[ts->n].t = t;
	ts->p[ts->n].v = v;
	ts->n++;
}

static void usage_totals(struct swt_fleet *f, const struct swt_usage_point *p)
{
	struct subj *s;

	if (p->counter) {
		struct ctr *c;

		if (p->id >= f->n_ctr) {
			f->ctr = swt_grow(f->ctr, &f->cap_ctr,
					  (size_t)p->id + 1, sizeof(*f->ctr));
			memset(f->ctr + f->n_ctr, 0,
			       ((size_t)p->id + 1 - f->n_ctr) *
				       sizeof(*f->ctr));
			f->n_ctr = (size_t)p->id + 1;
		}
		c = &f->ctr[p->id];
		if (!c->name)
			c->name = swt_strdup(p->counter);
		tot_add(&c->tot, p->t_to_ns, (double)p->count);
		return;
	}
	s = get_subj(f, p->id, p->subj);
	if (p->has_io) {
		tot_add(&s->tot[TOT_IO_R], p->t_to_ns,
			(double)p->io_read_bytes);
		tot_add(&s->tot[TOT_IO_W], p->t_to_ns,
			(double)p->io_write_bytes);
	}
	if (p->has_net) {
		tot_add(&s->tot[TOT_NET_S], p->t_to_ns,
			(double)p->net_sent_bytes);
		tot_add(&s->tot[TOT_NET_R], p->t_to_ns,
			(double)p->net_recv_bytes);
	}
	if (p->has_calls && !s->session)
		tot_add(&s->tot[TOT_CALLS], p->t_to_ns, (double)p->calls);
}

void swt_fleet_usage(struct swt_fleet *f, const struct swt_usage_point *p)
{
	struct subj *s;
	size_t i;

	if (p->has_totals) {
		usage_totals(f, p);
		return;
	}
	if (p->has_cpu && p->cpu_estimated)
		return;	/* not the figure the report has (as CSV exports) */
	s = get_subj(f, p->id, p->subj);
	if (!p->has_cpu) {
		if (s->n_mem && s->mem[s->n_mem - 1].t == p->t_to_ns) {
			s->mem[s->n_mem - 1].kib = p->mem_kib;
			return;
		}
		s->mem = swt_grow(s->mem, &s->cap_mem, s->n_mem + 1,
				  sizeof(*s->mem));
		s->mem[s->n_mem].t = p->t_to_ns;
		s->mem[s->n_mem].kib = p->mem_kib;
		s->n_mem++;
		return;
	}
	if (p->revised) {
		/* a part of the subject's last interval, told again: not
		 * taken yet, it is replaced (its end may move); taken, its
		 * difference goes with the total's next sample; a part it
		 * did not have (its reach grew) is an interval of its own */
		for (i = s->n_cpu; i-- > 0;) {
			if (s->cpu[i].t_from == p->t_from_ns) {
				s->cpu[i].t_to = p->t_to_ns;
				s->cpu[i].ticks = p->cpu_micro_ticks;
				s->cpu[i].mpct = p->cpu_mpct;
				return;
			}
			if (s->cpu[i].t_from < p->t_from_ns)
				break;
		}
		for (i = 0; i < s->n_sent; i++) {
			if (s->sent[i].t_from == p->t_from_ns) {
				s->adjust = swt_sat_add(
					s->adjust,
					swt_sat_sub(p->cpu_micro_ticks,
						    s->sent[i].ticks));
				s->sent[i].ticks = p->cpu_micro_ticks;
				return;
			}
		}
	}
	s->cpu = swt_grow(s->cpu, &s->cap_cpu, s->n_cpu + 1, sizeof(*s->cpu));
	s->cpu[s->n_cpu].t_from = p->t_from_ns;
	s->cpu[s->n_cpu].t_to = p->t_to_ns;
	s->cpu[s->n_cpu].ticks = p->cpu_micro_ticks;
	s->cpu[s->n_cpu].mpct = p->cpu_mpct;
	s->n_cpu++;
}

static int64_t t_ms(const struct swt_fleet *f, int64_t rel_ns)
{
	int64_t t = swt_sat_add(f->wall0_ns, rel_ns);

	return t >= 0 ? t / 1000000 : -((-t + 999999) / 1000000);
}

static void add_end(struct swt_fleet *f, const char *metric,
		    const struct subj *s, size_t n_extra,
		    const char *const *extra, int64_t tms, double v)
{
	struct endpt *e;

	f->end = swt_grow(f->end, &f->cap_end, f->n_end + 1, sizeof(*f->end));
	e = &f->end[f->n_end++];
	e->labels = make_labels(f, &e->n_labels, metric, s, n_extra, extra);
	e->t_ms = tms;
	e->value = v;
}

/* thousandths of a MB (MiB) in bytes */
static double mmb_bytes(int64_t mmb)
{
	return (double)mmb * 1048576.0 / 1000.0;
}

void swt_fleet_result(struct swt_fleet *f, const struct swt_result *r)
{
	const struct swt_session_result *ss = &r->session;
	int64_t tms = t_ms(f, ss->duration_ns);
	static const char *const prio[] = { "low", "medium", "high",
					    "critical" };
	uint64_t alerts_by_kind[SWT_ALERT_FORECAST + 1];
	uint64_t recs[4] = { 0, 0, 0, 0 };
	size_t i;
	int k;

	add_end(f, "swt_session_duration_seconds", NULL, 0, NULL, tms,
		(double)ss->duration_ns / 1e9);
	add_end(f, "swt_session_total_weight", NULL, 0, NULL, tms,
		(double)r->total_weight / 1000.0);
	add_end(f, "swt_session_cpu_average_ratio", NULL, 0, NULL, tms,
		(double)ss->cpu_avg_mpct / 100000.0);
	add_end(f, "swt_session_cpu_peak_ratio", NULL, 0, NULL, tms,
		(double)ss->cpu_peak_mpct / 100000.0);
	add_end(f, "swt_session_memory_average_bytes", NULL, 0, NULL, tms,
		mmb_bytes(ss->mem_avg_mmb));
	add_end(f, "swt_session_memory_peak_bytes", NULL, 0, NULL, tms,
		mmb_bytes(ss->mem_peak_mmb));
	add_end(f, "swt_session_samples_missed_total", NULL, 0, NULL, tms,
		(double)ss->missed_samples);
	add_end(f, "swt_session_events_dropped_total", NULL, 0, NULL, tms,
		(double)ss->dropped_events);
	/* (disk and network bytes, calls and counters: per interval, their
	 * running totals, swt_fleet_usage()) */
	/* findings: how many of each, the alerts by kind, the
	 * recommendations by priority */
	{
		static const char *const names[] = {
			"alert", "spike", "leak", "forecast", "bottleneck",
			"recommendation" };
		uint64_t counts[6];

		counts[0] = r->alerts_total;
		counts[1] = r->spikes_total;
		counts[2] = r->n_leaks;
		counts[3] = r->n_forecasts;
		counts[4] = r->n_bottlenecks;
		counts[5] = r->n_recommendations;
		for (k = 0; k < 6; k++) {
			const char *ex[2] = { "finding", names[k] };

			add_end(f, "swt_session_findings", NULL, 1, ex, tms,
				(double)counts[k]);
		}
	}
	memset(alerts_by_kind, 0, sizeof(alerts_by_kind));
	for (i = 0; i < r->n_alerts; i++)
		if ((unsigned)r->alerts[i].kind <= SWT_ALERT_FORECAST)
			alerts_by_kind[r->alerts[i].kind]++;
	for (k = 0; k <= SWT_ALERT_FORECAST; k++) {
		const char *ex[2] = {
			"alert", swt_alert_kind_name((enum swt_alert_kind)k) };

		add_end(f, "swt_session_alerts", NULL, 1, ex, tms,
			(double)alerts_by_kind[k]);
	}
	for (i = 0; i < r->n_recommendations; i++)
		if ((unsigned)r->recommendations[i].priority < 4)
			recs[r->recommendations[i].priority]++;
	for (k = 0; k < 4; k++) {
		const char *ex[2] = { "priority", prio[k] };

		add_end(f, "swt_session_recommendations", NULL, 1, ex, tms,
			(double)recs[k]);
	}
	for (i = 0; i < r->n_modules; i++) {
		const struct swt_module_result *m = &r->modules[i];
		struct subj s;
		const char *ex[2] = { "priority", prio[m->priority & 3] };

		memset(&s, 0, sizeof(s));
		subj_label_init(&s, &m->subj);
		add_end(f, "swt_module_weight", &s, 0, NULL, tms,
			(double)m->weight / 1000.0);
		add_end(f, "swt_module_priority", &s, 1, ex, tms,
			(double)m->priority);
		add_end(f, "swt_module_cpu_average_ratio", &s, 0, NULL, tms,
			(double)m->cpu_avg_mpct / 100000.0);
		add_end(f, "swt_module_cpu_peak_ratio", &s, 0, NULL, tms,
			(double)m->cpu_peak_mpct / 100000.0);
		add_end(f, "swt_module_cpu_share_ratio", &s, 0, NULL, tms,
			(double)m->cpu_share_mpct / 100000.0);
		if (m->has_memory) {
			add_end(f, "swt_module_memory_average_bytes", &s, 0,
				NULL, tms, mmb_bytes(m->mem_avg_mmb));
			add_end(f, "swt_module_memory_peak_bytes", &s, 0,
				NULL, tms, mmb_bytes(m->mem_peak_mmb));
		}
		free_labels(s.labels, s.n_labels);
	}
	for (i = 0; i < r->n_counters; i++) {
		const struct swt_counter_result *c = &r->counters[i];
		const char *ex[2] = { "counter", c->name };

		add_end(f, "swt_counter_rate_per_minute", NULL, 1, ex, tms,
			(double)c->per_min_milli / 1000.0);
	}
	for (i = 0; i < r->n_leaks; i++) {
		const struct swt_leak_result *l = &r->leaks[i];
		struct subj s;

		memset(&s, 0, sizeof(s));
		subj_label_init(&s, &l->subj);
		add_end(f, "swt_module_leak_bytes_per_second", &s, 0, NULL,
			tms, mmb_bytes(l->slope_mmb_per_min) / 60.0);
		free_labels(s.labels, s.n_labels);
	}
}

/* ---- taking the series --------------------------------------------------- */

struct outs {
	size_t n, cap;
	struct swt_rw_series *s;
	uint64_t samples;
};

static void outs_add(struct outs *o, struct swt_rw_label *labels,
		     size_t n_labels, struct swt_rw_sample *smp, size_t n_smp)
{
	struct swt_rw_series *s;
	size_t i, w = 0;

	if (!n_smp) {
		free_labels(labels, n_labels);
		free(smp);
		return;
	}
	/* one sample per millisecond: the last */
	for (i = 0; i < n_smp; i++) {
		if (w && smp[w - 1].t_ms == smp[i].t_ms)
			w--;
		smp[w++] = smp[i];
	}
	o->s = swt_grow(o->s, &o->cap, o->n + 1, sizeof(*o->s));
	s = &o->s[o->n++];
	s->labels = labels;
	s->n_labels = n_labels;
	s->samples = smp;
	s->n_samples = w;
	o->samples += w;
}

static int cmp_series(const void *a, const void *b)
{
	const struct swt_rw_series *x = a, *y = b;
	size_t i;
	int c;

	for (i = 0; i < x->n_labels && i < y->n_labels; i++) {
		c = strcmp(x->labels[i].name, y->labels[i].name);
		if (c)
			return c;
		c = strcmp(x->labels[i].value, y->labels[i].value);
		if (c)
			return c;
	}
	if (x->n_labels != y->n_labels)
		return x->n_labels < y->n_labels ? -1 : 1;
	/* equal labels: by the first sample, so that the order is total
	 * (the later one is dropped as a collision) */
	if (x->samples[0].t_ms != y->samples[0].t_ms)
		return x->samples[0].t_ms < y->samples[0].t_ms ? -1 : 1;
	return x->samples[0].value < y->samples[0].value ? -1 :
	       x->samples[0].value > y->samples[0].value;
}

static double ticks_s(const struct swt_fleet *f, int64_t micro_ticks)
{
	return (double)micro_ticks / ((double)f->clock_ticks * 1e6);
}

/* --step: whether a series' point i of n, at time t, is sent: every one
 * without a step; with one, the first, the last, and otherwise one a step
 * after the last sent (at kept_t, when any_kept). */
static bool step_keep(const struct swt_fleet *f, size_t i, size_t n,
		      bool any_kept, int64_t t, int64_t kept_t)
{
	return !f->o.step_ns || !any_kept || i + 1 == n ||
	       t - kept_t >= f->o.step_ns;
}

static void take_cpu(struct swt_fleet *f, struct subj *s, struct outs *o)
{
	struct swt_rw_sample *tot, *ratio;
	size_t i, n = 0, g0 = 0;
	int64_t kept_t = 0;
	bool have_kept = false;
	const char *mt = s->session ? "swt_session_cpu_seconds_total" :
				      "swt_module_cpu_seconds_total";
	const char *mr = s->session ? "swt_session_cpu_ratio" :
				      "swt_module_cpu_ratio";
	struct swt_rw_label *l;
	size_t nl;

	if (!s->n_cpu) {
		/* (live) a revision of an interval sent already, and no new
		 * interval to carry it: the corrected total just after the
		 * last one sent (the revised interval is at or before it) */
		if (!s->adjust || !s->has_last)
			return;
		tot = swt_calloc(1, sizeof(*tot));
		tot->t_ms = t_ms(f, s->last_to) + 1;
		if (s->adj_sent && tot->t_ms <= s->adj_ms)
			tot->t_ms = s->adj_ms + 1;
		s->cum_ticks = swt_sat_add(s->cum_ticks, s->adjust);
		s->adjust = 0;
		tot->value = ticks_s(f, s->cum_ticks);
		s->adj_sent = true;
		s->adj_ms = tot->t_ms;
		l = make_labels(f, &nl, mt, s->session ? NULL : s, 0, NULL);
		outs_add(o, l, nl, tot, 1);
		return;
	}
	tot = swt_calloc(s->n_cpu, sizeof(*tot));
	ratio = swt_calloc(s->n_cpu, sizeof(*ratio));
	for (i = 0; i < s->n_cpu; i++) {
		const struct cpu_pt *p = &s->cpu[i];
		bool keep = step_keep(f, i, s->n_cpu, have_kept, p->t_to,
				      kept_t);

		s->cum_ticks = swt_sat_add(s->cum_ticks,
					   swt_sat_add(p->ticks, s->adjust));
		s->adjust = 0;
		if (!keep)
			continue;
		{
			/* the mean of the intervals since the last kept, over
			 * their time (as the report's averages are) */
			swt_i128 num = 0;
			int64_t den = 0, sum = 0;
			size_t j;

			for (j = g0; j <= i; j++) {
				int64_t dt = s->cpu[j].t_to - s->cpu[j].t_from;

				if (dt > 0) {
					num += (swt_i128)s->cpu[j].mpct * dt;
					den += dt;
				}
				sum += s->cpu[j].mpct;
			}
			tot[n].t_ms = ratio[n].t_ms = t_ms(f, p->t_to);
			if (s->adj_sent && tot[n].t_ms <= s->adj_ms)
				tot[n].t_ms = ratio[n].t_ms = s->adj_ms + 1;
			tot[n].value = ticks_s(f, s->cum_ticks);
			ratio[n].value = den ? (double)num / (double)den /
						       100000.0 :
					       (double)sum /
						       (double)(i + 1 - g0) /
						       100000.0;
			n++;
		}
		have_kept = true;
		kept_t = p->t_to;
		g0 = i + 1;
	}
	s->has_last = true;
	s->last_to = s->cpu[s->n_cpu - 1].t_to;
	for (i = s->n_cpu > SENT_PARTS ? s->n_cpu - SENT_PARTS : 0;
	     i < s->n_cpu; i++) {
		if (s->n_sent == SENT_PARTS) {
			memmove(s->sent, s->sent + 1,
				(SENT_PARTS - 1) * sizeof(*s->sent));
			s->n_sent--;
		}
		s->sent[s->n_sent].t_from = s->cpu[i].t_from;
		s->sent[s->n_sent++].ticks = s->cpu[i].ticks;
	}
	s->n_cpu = 0;
	l = make_labels(f, &nl, mt, s->session ? NULL : s, 0, NULL);
	outs_add(o, l, nl, tot, n);
	l = make_labels(f, &nl, mr, s->session ? NULL : s, 0, NULL);
	outs_add(o, l, nl, ratio, n);
}

static void take_mem(struct swt_fleet *f, struct subj *s, struct outs *o)
{
	struct swt_rw_sample *m;
	size_t i, n = 0;
	int64_t kept_t = 0;
	struct swt_rw_label *l;
	size_t nl;

	if (!s->n_mem)
		return;
	m = swt_calloc(s->n_mem, sizeof(*m));
	for (i = 0; i < s->n_mem; i++) {
		if (!step_keep(f, i, s->n_mem, n > 0, s->mem[i].t, kept_t))
			continue;
		m[n].t_ms = t_ms(f, s->mem[i].t);
		m[n].value = (double)s->mem[i].kib * 1024.0;
		kept_t = s->mem[i].t;
		n++;
	}
	s->n_mem = 0;
	l = make_labels(f, &nl, s->session ? "swt_session_memory_bytes" :
					     "swt_module_memory_bytes",
			s->session ? NULL : s, 0, NULL);
	outs_add(o, l, nl, m, n);
}

/* A running total's samples: with --step at most one per step (the value
 * at the step's last interval, as the CPU total), always the last. A
 * sample never goes at or before one taken earlier (live: the end's
 * totals may fall in the last sample's millisecond). */
static void take_tot(struct swt_fleet *f, struct tot_ser *ts,
		     const char *metric, const struct subj *s, size_t n_extra,
		     const char *const *extra, struct outs *o)
{
	struct swt_rw_sample *smp;
	size_t i, n = 0;
	int64_t kept_t = 0;
	struct swt_rw_label *l;
	size_t nl;

	if (!ts->n)
		return;
	smp = swt_calloc(ts->n, sizeof(*smp));
	for (i = 0; i < ts->n; i++) {
		int64_t ms;

		if (!step_keep(f, i, ts->n, n > 0, ts->p[i].t, kept_t))
			continue;
		ms = t_ms(f, ts->p[i].t);
		if (ts->sent && ms <= ts->last_ms)
			ms = ts->last_ms + 1;
		smp[n].t_ms = ms;
		smp[n].value = ts->p[i].v;
		kept_t = ts->p[i].t;
		n++;
	}
	ts->n = 0;
	/* (outs_add keeps the last of a millisecond) */
	ts->sent = true;
	ts->last_ms = smp[n - 1].t_ms;
	l = make_labels(f, &nl, metric, s, n_extra, extra);
	outs_add(o, l, nl, smp, n);
}

void swt_fleet_take(struct swt_fleet *f, struct swt_rw_set **out)
{
	struct outs o;
	struct swt_rw_set *set;
	size_t i, w;

	*out = NULL;
	memset(&o, 0, sizeof(o));
	for (i = 0; i < f->n_subj; i++) {
		struct subj *s = &f->subj[i];
		int k;

		if (!s->named)
			continue;
		take_cpu(f, s, &o);
		take_mem(f, s, &o);
		for (k = 0; k < TOT_N; k++) {
			const char *m = s->session ? tot_session_name[k] :
						     tot_module_name[k];

			if (m)
				take_tot(f, &s->tot[k], m,
					 s->session ? NULL : s, 0, NULL,
					 &o);
		}
	}
	for (i = 0; i < f->n_ctr; i++) {
		const char *ex[2] = { "counter", f->ctr[i].name };

		if (f->ctr[i].name)
			take_tot(f, &f->ctr[i].tot, "swt_counter_total", NULL,
				 1, ex, &o);
	}
	for (i = 0; i < f->n_end; i++) {
		struct swt_rw_sample *smp = swt_calloc(1, sizeof(*smp));

		smp->t_ms = f->end[i].t_ms;
		smp->value = f->end[i].value;
		outs_add(&o, f->end[i].labels, f->end[i].n_labels, smp, 1);
	}
	f->n_end = 0;
	if (!o.n) {
		free(o.s);
		return;
	}
	qsort(o.s, o.n, sizeof(*o.s), cmp_series);
	/* one series per label set: a later one of the same labels (values
	 * cut at their bound) is left out and counted */
	for (i = 0, w = 0; i < o.n; i++) {
		if (w && o.s[w - 1].n_labels == o.s[i].n_labels) {
			size_t j;

			for (j = 0; j < o.s[i].n_labels; j++)
				if (strcmp(o.s[w - 1].labels[j].name,
					   o.s[i].labels[j].name) ||
				    strcmp(o.s[w - 1].labels[j].value,
					   o.s[i].labels[j].value))
					break;
			if (j == o.s[i].n_labels) {
				f->collisions++;
				o.samples -= o.s[i].n_samples;
				free_labels((struct swt_rw_label *)(uintptr_t)
						    o.s[i].labels,
					    o.s[i].n_labels);
				free((void *)(uintptr_t)o.s[i].samples);
				continue;
			}
		}
		o.s[w++] = o.s[i];
	}
	set = swt_zalloc(sizeof(*set));
	set->n = w;
	set->series = o.s;
	set->samples = o.samples;
	*out = set;
}

void swt_rw_set_free(struct swt_rw_set *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++) {
		free_labels((struct swt_rw_label *)(uintptr_t)
				    s->series[i].labels,
			    s->series[i].n_labels);
		free((void *)(uintptr_t)s->series[i].samples);
	}
	free(s->series);
	free(s);
}

/* ---- a session file ------------------------------------------------------ */

static void on_record(const struct swt_record *rec, void *payload)
{
	if (rec->kind == SWT_REC_HEADER)
		swt_fleet_header(payload, &rec->u.header);
}

static void on_usage(const struct swt_usage_point *p, void *payload)
{
	swt_fleet_usage(payload, p);
}

int swt_fleet_from_session(struct swt_rw_set **out, struct swt_analysis **an,
			   struct swt_reader *r,
			   const struct swt_engine_opts *eo,
			   const struct swt_fleet_opts *fo, uint64_t *collisions,
			   char *errmsg, size_t errlen)
{
	struct swt_engine_opts e = *eo;
	struct swt_fleet *f = NULL;
	int err;

	*out = NULL;
	*an = NULL;
	swt_fleet_new(&f, fo);
	e.on_usage = on_usage;
	e.usage_totals = true;
	e.payload = f;
	err = swt_analysis_run_hook(an, r, &e, on_record, f, errmsg, errlen);
	if (err < 0)
		goto out;
	swt_fleet_result(f, (*an)->result);
	swt_fleet_take(f, out);
	if (collisions)
		*collisions = swt_fleet_collisions(f);
out:
	swt_fleet_free(f);
	return err;
}
