/* swt_perfetto.c — the Perfetto protobuf export (see swt_export.h and
 * docs/exports.md § perfetto).
 *
 * The records are walked by the trace walker of the Trace Event Format
 * export (swt_export-private.h): the same events, CPU %, span repairs and
 * window. Each event becomes one TracePacket with a TrackEvent on the
 * track the walker names; the tracks are described first, parents before
 * children, so every uuid an event uses is known when it is read. The
 * packets are encoded by proto/swt_pftrace.c. No interning: names are
 * written inline, so the one packet sequence needs no state beyond the
 * first packet's SEQ_INCREMENTAL_STATE_CLEARED. */
#include "swt_export.h"
#include "swt_export-private.h"

#include <stdlib.h>
#include <string.h>

#include "swt_buf.h"
#include "swt_engine.h"
#include "swt_pftrace.h"
#include "swt_status.h"

/* The one packet sequence of the trace (0 is Perfetto's "invalid"). */
#define SEQ_ID 1u

/* Perfetto timestamps are unsigned: a time before the session start
 * (which swrec never writes) is put at the start. Monotonic, so the
 * walker's time order is kept. */
static uint64_t pf_ts(int64_t ts)
{
	return ts > 0 ? (uint64_t)ts : 0;
}

/* v / 10^scale as the nearest double: one correctly rounded IEEE 754
 * division of two exact values (|v| < 2^53 for any figure swt writes), so
 * the same on every machine. */
static double fixed_double(int64_t v, unsigned scale)
{
	double d = 1.0;

	while (scale--)
		d *= 10.0;
	return (double)v / d;
}

/* Protobuf strings are UTF-8: names from the file (span, counter and
 * mark names, alert subjects) go out in their display form, as the
 * reports show them (a new string). */
static char *display(const char *s)
{
	return swt_display_bytes(s ? s : "", s ? strlen(s) : 0);
}

static const enum swt_pftrace_type pf_type[] = {
	[SWT_EXPORT__BEGIN] = SWT_PFTRACE_SLICE_BEGIN,
	[SWT_EXPORT__END] = SWT_PFTRACE_SLICE_END,
	[SWT_EXPORT__COUNTER] = SWT_PFTRACE_COUNTER,
	[SWT_EXPORT__INSTANT] = SWT_PFTRACE_INSTANT,
};

/* One TracePacket for the walker's event. A SLICE_END carries no name
 * (it closes the innermost open slice of its track) and a counter value
 * neither name nor category (its track has them). */
static void pf_emit(struct swt_buf *out, const struct swt_export__item *it,
		    void *payload)
{
	struct swt_pftrace_arg args[SWT_EXPORT__MAX_ARGS];
	char *strs[SWT_EXPORT__MAX_ARGS] = { NULL };
	char *name = NULL;
	struct swt_pftrace_event e;
	size_t i;

	(void)payload;
	memset(&e, 0, sizeof(e));
	memset(args, 0, sizeof(args));
	e.ts = pf_ts(it->ts);
	e.track_uuid = it->track;
	e.type = pf_type[it->phase];
	if (it->phase == SWT_EXPORT__BEGIN ||
	    it->phase == SWT_EXPORT__INSTANT) {
		name = display(it->name);
		e.name = name;
		e.category = it->cat;
	}
	if (it->phase == SWT_EXPORT__COUNTER) {
		e.is_double = it->scale > 0;
		e.value = it->value;
		e.dvalue = fixed_double(it->value, it->scale);
	}
	for (i = 0; i < it->n_args; i++) {
		const struct swt_export__arg *a = &it->args[i];

		args[i].name = a->key;
		switch (a->kind) {
		case SWT_EXPORT__ARG_STR:
			args[i].kind = SWT_PFTRACE_ARG_STRING;
			strs[i] = display(a->s);
			args[i].s = strs[i];
			break;
		case SWT_EXPORT__ARG_INT:
			args[i].kind = SWT_PFTRACE_ARG_INT;
			args[i].i = a->v;
			break;
		case SWT_EXPORT__ARG_BOOL:
			args[i].kind = SWT_PFTRACE_ARG_BOOL;
			args[i].b = a->b;
			break;
		case SWT_EXPORT__ARG_FIXED:
			args[i].kind = SWT_PFTRACE_ARG_DOUBLE;
			args[i].d = fixed_double(a->v, a->scale);
			break;
		}
	}
	e.args = args;
	e.n_args = it->n_args;
	swt_pftrace_add_event(out, SEQ_ID, 0, &e);
	for (i = 0; i < it->n_args; i++)
		free(strs[i]);
	free(name);
}

/* The track descriptor of k, at ts. */
static void pf_track(struct swt_buf *b, const struct swt_export__track *k,
		     uint32_t flags, uint64_t ts)
{
	struct swt_pftrace_track t;
	char *name = display(k->name);

	memset(&t, 0, sizeof(t));
	t.uuid = k->uuid;
	t.parent_uuid = k->parent_uuid;
	t.name = name;
	t.pid = k->pid;
	t.tid = k->tid;
	switch (k->kind) {
	case SWT_EXPORT__TRACK_SESSION:
		t.kind = SWT_PFTRACE_TRACK_PLAIN;
		break;
	case SWT_EXPORT__TRACK_PROCESS:
		t.kind = SWT_PFTRACE_TRACK_PROCESS;
		if (k->cmdline && *k->cmdline)
			t.cmdline = k->cmdline;
		break;
	case SWT_EXPORT__TRACK_THREAD:
		t.kind = SWT_PFTRACE_TRACK_THREAD;
		break;
	case SWT_EXPORT__TRACK_COUNTER:
		t.kind = SWT_PFTRACE_TRACK_COUNTER;
		t.unit = k->integer ? SWT_PFTRACE_UNIT_COUNT :
			 SWT_PFTRACE_UNIT_UNSPECIFIED;
		break;
	}
	swt_pftrace_add_track(b, SEQ_ID, flags, ts, &t);
	free(name);
}

int swt_export_perfetto(struct swt_reader *r, const struct swt_export_opts *o,
			FILE *fp, struct swt_export_stats *stats,
			char *errmsg, size_t errlen)
{
	struct swt_export__trace t;
	struct swt_buf b = SWT_BUF_INIT;
	uint64_t first_ts;
	size_t i;
	int err;

	SWT_TRY(err = swt_export__trace_read(&t, r, o, pf_emit, NULL, errmsg,
					     errlen));
	/* the descriptors at the first event's time: in time order, and no
	 * earlier than anything in the trace */
	first_ts = t.n_events ? pf_ts(t.events[0].ts) : 0;
	for (i = 0; i < t.n_tracks; i++) {
		pf_track(&b, &t.tracks[i], i == 0 ? SWT_PFTRACE_SEQ_CLEARED : 0,
			 first_ts);
		if (b.len >= SWT_EXPORT__FLUSH_BYTES)
			SWT_TRY(err = swt_export__write_buf(fp, &b, errmsg,
							    errlen));
	}
	for (i = 0; i < t.n_events; i++) {
		swt_buf_add(&b, t.text + t.events[i].off, t.events[i].len);
		if (b.len >= SWT_EXPORT__FLUSH_BYTES)
			SWT_TRY(err = swt_export__write_buf(fp, &b, errmsg,
							    errlen));
	}
	SWT_TRY(err = swt_export__write_buf(fp, &b, errmsg, errlen));
	err = swt_export__finish_output(fp, errmsg, errlen);
out:
	if (stats)
		*stats = t.stats;
	swt_buf_fini(&b);
	swt_export__trace_fini(&t);
	return err;
}
