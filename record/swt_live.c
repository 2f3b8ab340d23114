/* swt_live.c — live alerts while recording (see swt_live.h). */
#include "swt_live.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "swt_alloc.h"
#include "swt_buf.h"
#include "swt_engine.h"
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
	} pending[MAX_PENDING];
	uint64_t lost;		/* beyond MAX_PENDING in one record */
};

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
}

void swt_live_new(struct swt_live **out, const struct swt_live_opts *o)
{
	struct swt_live *l = swt_zalloc(sizeof(*l));
	struct swt_engine_opts eo;

	l->o = *o;
	memset(&eo, 0, sizeof(eo));
	eo.thresholds = o->thresholds;
	eo.on_alert = on_alert;
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
	}
	return "";
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
		swt_buf_puts(&b, " ");
		swt_buf_fixed(&b, p->value, 3, 1);
		swt_buf_puts(&b, unit_sign(p->kind));
		swt_buf_puts(&b, " above ");
		swt_buf_fixed(&b, p->threshold, 3, 1);
		swt_buf_puts(&b, unit_sign(p->kind));
		swt_buf_putc(&b, '\n');
		fwrite(b.ptr, 1, b.len, l->o.text);
		fflush(l->o.text);
		swt_buf_clear(&b);
	}
	if (l->o.jsonl) {
		struct swt_json w;

		swt_json_init(&w, &b, false);
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
		swt_buf_putc(&b, '\n');
		fwrite(b.ptr, 1, b.len, l->o.jsonl);
		fflush(l->o.jsonl);
	}
	swt_buf_fini(&b);
}

void swt_live_feed(struct swt_live *l, const struct swt_record *rec,
		   swt_live_append_fn append, void *payload)
{
	int64_t t0;
	size_t i;

	if (l->dead || rec->kind == SWT_REC_ALERT)
		return;
	t0 = thread_ns();
	if (swt_engine_feed(l->e, rec) < 0)
		fail(l, swt_engine_errmsg(l->e));
	if (rec->kind == SWT_REC_SAMPLE)
		l->feeds++;
	for (i = 0; i < l->n_pending; i++) {
		struct pending *p = &l->pending[i];
		struct swt_record ar;

		print(l, p);
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
