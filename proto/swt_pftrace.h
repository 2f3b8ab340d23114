/* swt_pftrace.h — Perfetto trace packets (perfetto_trace.proto, the part
 * of Perfetto's format swt writes) encoded from plain C structs.
 *
 * A Perfetto trace file is the message Trace { repeated TracePacket
 * packet = 1; }, whose encoding is its packets one after the other, each
 * as field 1 (a key byte, a varint length, the packet). So each function
 * here appends one such field to a buffer, and a trace is any
 * concatenation of them: a writer can sort, buffer or stream packets
 * without ever holding a Trace message. This is the only code that
 * touches the generated perfetto_trace.pb-c.h (as swt_codec.c is for
 * swt.proto).
 *
 * The encoding is deterministic: the same structs give the same bytes
 * (protobuf-c writes fields in field-number order; doubles are their
 * 8 little-endian IEEE 754 bytes). */
#ifndef SWT_PFTRACE_H
#define SWT_PFTRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "swt_buf.h"

/* TrackEvent.Type; values are Perfetto's. */
enum swt_pftrace_type {
	SWT_PFTRACE_SLICE_BEGIN = 1,
	SWT_PFTRACE_SLICE_END = 2,
	SWT_PFTRACE_INSTANT = 3,
	SWT_PFTRACE_COUNTER = 4,
};

/* What a TrackDescriptor describes. */
enum swt_pftrace_track_kind {
	SWT_PFTRACE_TRACK_PLAIN = 0,	/* a named track, no descriptor */
	SWT_PFTRACE_TRACK_PROCESS = 1,	/* ProcessDescriptor */
	SWT_PFTRACE_TRACK_THREAD = 2,	/* ThreadDescriptor */
	SWT_PFTRACE_TRACK_COUNTER = 3,	/* CounterDescriptor */
};

/* CounterDescriptor.Unit; values are Perfetto's. */
enum swt_pftrace_unit {
	SWT_PFTRACE_UNIT_UNSPECIFIED = 0,
	SWT_PFTRACE_UNIT_COUNT = 2,
};

struct swt_pftrace_track {
	uint64_t uuid;			/* never 0 (Perfetto's global track) */
	uint64_t parent_uuid;		/* 0: none */
	enum swt_pftrace_track_kind kind;
	/* PLAIN, COUNTER: TrackDescriptor.name; PROCESS: process_name;
	 * THREAD: thread_name. NULL: none. */
	const char *name;
	int32_t pid;			/* PROCESS, THREAD */
	int32_t tid;			/* THREAD */
	const char *cmdline;		/* PROCESS: one cmdline element;
					 * NULL: none */
	enum swt_pftrace_unit unit;	/* COUNTER */
};

/* A TrackEvent's debug annotation. */
enum swt_pftrace_arg_kind {
	SWT_PFTRACE_ARG_STRING = 0,
	SWT_PFTRACE_ARG_INT = 1,
	SWT_PFTRACE_ARG_BOOL = 2,
	SWT_PFTRACE_ARG_DOUBLE = 3,
};

struct swt_pftrace_arg {
	const char *name;
	enum swt_pftrace_arg_kind kind;
	const char *s;			/* STRING */
	int64_t i;			/* INT */
	bool b;				/* BOOL */
	double d;			/* DOUBLE */
};

struct swt_pftrace_event {
	uint64_t ts;			/* TracePacket.timestamp, ns */
	uint64_t track_uuid;
	enum swt_pftrace_type type;
	const char *name;		/* NULL: none (a SLICE_END needs none) */
	const char *category;		/* NULL: none */
	/* COUNTER: counter_value, or double_counter_value when is_double */
	bool is_double;
	int64_t value;
	double dvalue;
	const struct swt_pftrace_arg *args;
	size_t n_args;
};

/* Perfetto's TracePacket.SequenceFlags.SEQ_INCREMENTAL_STATE_CLEARED: the
 * flag of a sequence's first packet. */
#define SWT_PFTRACE_SEQ_CLEARED 1u

/* Append to out one Trace.packet holding a TrackDescriptor, on packet
 * sequence seq_id (trusted_packet_sequence_id, not 0) with sequence_flags
 * flags (0: none) and timestamp ts. Cannot fail (allocation aborts). */
void swt_pftrace_add_track(struct swt_buf *out, uint32_t seq_id,
			   uint32_t flags, uint64_t ts,
			   const struct swt_pftrace_track *t);

/* Append to out one Trace.packet holding the TrackEvent e (at e->ts), on
 * packet sequence seq_id with sequence_flags flags. Cannot fail. */
void swt_pftrace_add_event(struct swt_buf *out, uint32_t seq_id,
			   uint32_t flags, const struct swt_pftrace_event *e);

#endif
