/* swt_pftrace.c — Perfetto trace packets through protobuf-c (see
 * swt_pftrace.h). */
#include "swt_pftrace.h"

#include <stdlib.h>

#include "perfetto_trace.pb-c.h"
#include "swt_alloc.h"
#include "swt_codec-private.h"

/* Trace.packet: field 1, wire type 2 (length-delimited). */
#define TRACE_PACKET_KEY 0x0a

/* protobuf-c's structs hold `char *` for strings it only reads while
 * packing; the casts through uintptr_t say so without -Wcast-qual. */
static char *unconst(const char *s)
{
	return (char *)(uintptr_t)s;
}

/* Append the packet as one Trace.packet field. */
static void add_packet(struct swt_buf *out,
		       const Perfetto__Protos__TracePacket *p)
{
	size_t len = perfetto__protos__trace_packet__get_packed_size(p);
	unsigned char *dst = (unsigned char *)swt_buf_reserve(out, 11 + len);
	size_t n;

	dst[0] = TRACE_PACKET_KEY;
	n = 1 + swt_codec__put_varint(dst + 1, len);
	n += perfetto__protos__trace_packet__pack(p, dst + n);
	swt_buf_commit(out, n);
}

static void packet_init(Perfetto__Protos__TracePacket *p, uint32_t seq_id,
			uint32_t flags)
{
	perfetto__protos__trace_packet__init(p);
	p->has_trusted_packet_sequence_id = true;
	p->trusted_packet_sequence_id = seq_id;
	if (flags) {
		p->has_sequence_flags = true;
		p->sequence_flags = flags;
	}
}

void swt_pftrace_add_track(struct swt_buf *out, uint32_t seq_id,
			   uint32_t flags, uint64_t ts,
			   const struct swt_pftrace_track *t)
{
	Perfetto__Protos__TracePacket p;
	Perfetto__Protos__TrackDescriptor td;
	Perfetto__Protos__ProcessDescriptor pd;
	Perfetto__Protos__ThreadDescriptor thd;
	Perfetto__Protos__CounterDescriptor cd;
	char *cmdline[1];

	packet_init(&p, seq_id, flags);
	p.has_timestamp = true;
	p.timestamp = ts;
	perfetto__protos__track_descriptor__init(&td);
	td.has_uuid = true;
	td.uuid = t->uuid;
	if (t->parent_uuid) {
		td.has_parent_uuid = true;
		td.parent_uuid = t->parent_uuid;
	}
	switch (t->kind) {
	case SWT_PFTRACE_TRACK_PROCESS:
		perfetto__protos__process_descriptor__init(&pd);
		pd.has_pid = true;
		pd.pid = t->pid;
		pd.process_name = unconst(t->name);
		if (t->cmdline) {
			cmdline[0] = unconst(t->cmdline);
			pd.n_cmdline = 1;
			pd.cmdline = cmdline;
		}
		td.process = &pd;
		break;
	case SWT_PFTRACE_TRACK_THREAD:
		perfetto__protos__thread_descriptor__init(&thd);
		thd.has_pid = true;
		thd.pid = t->pid;
		thd.has_tid = true;
		thd.tid = t->tid;
		thd.thread_name = unconst(t->name);
		td.thread = &thd;
		break;
	case SWT_PFTRACE_TRACK_COUNTER:
		perfetto__protos__counter_descriptor__init(&cd);
		if (t->unit != SWT_PFTRACE_UNIT_UNSPECIFIED) {
			cd.has_unit = true;
			cd.unit = (Perfetto__Protos__CounterDescriptor__Unit)
				t->unit;
		}
		td.counter = &cd;
		td.name = unconst(t->name);
		break;
	case SWT_PFTRACE_TRACK_PLAIN:
		td.name = unconst(t->name);
		break;
	}
	p.track_descriptor = &td;
	add_packet(out, &p);
}

void swt_pftrace_add_event(struct swt_buf *out, uint32_t seq_id,
			   uint32_t flags, const struct swt_pftrace_event *e)
{
	Perfetto__Protos__TracePacket p;
	Perfetto__Protos__TrackEvent te;
	Perfetto__Protos__DebugAnnotation *ann = NULL, **annp = NULL;
	char *cat[1];
	size_t i;

	packet_init(&p, seq_id, flags);
	p.has_timestamp = true;
	p.timestamp = e->ts;
	perfetto__protos__track_event__init(&te);
	te.has_type = true;
	te.type = (Perfetto__Protos__TrackEvent__Type)e->type;
	te.has_track_uuid = true;
	te.track_uuid = e->track_uuid;
	te.name = unconst(e->name);
	if (e->category) {
		cat[0] = unconst(e->category);
		te.n_categories = 1;
		te.categories = cat;
	}
	if (e->type == SWT_PFTRACE_COUNTER) {
		if (e->is_double) {
			te.has_double_counter_value = true;
			te.double_counter_value = e->dvalue;
		} else {
			te.has_counter_value = true;
			te.counter_value = e->value;
		}
	}
	if (e->n_args) {
		ann = swt_calloc(e->n_args, sizeof(*ann));
		annp = swt_calloc(e->n_args, sizeof(*annp));
	}
	for (i = 0; i < e->n_args; i++) {
		const struct swt_pftrace_arg *a = &e->args[i];
		Perfetto__Protos__DebugAnnotation *d = &ann[i];

		perfetto__protos__debug_annotation__init(d);
		d->name = unconst(a->name);
		switch (a->kind) {
		case SWT_PFTRACE_ARG_STRING:
			d->string_value = unconst(a->s ? a->s : "");
			break;
		case SWT_PFTRACE_ARG_INT:
			d->has_int_value = true;
			d->int_value = a->i;
			break;
		case SWT_PFTRACE_ARG_BOOL:
			d->has_bool_value = true;
			d->bool_value = a->b;
			break;
		case SWT_PFTRACE_ARG_DOUBLE:
			d->has_double_value = true;
			d->double_value = a->d;
			break;
		}
		annp[i] = d;
	}
	te.n_debug_annotations = e->n_args;
	te.debug_annotations = annp;
	p.track_event = &te;
	add_packet(out, &p);
	free(annp);
	free(ann);
}
