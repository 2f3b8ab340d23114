/* swt_export-private.h — the trace walker that the Trace Event Format
 * export (swt_export.c) and the Perfetto one (swt_perfetto.c) share.
 *
 * The walker reads the records once, feeds them to the analysis engine
 * (the tree's and the modules' CPU per interval are its figures), keeps
 * the CPU bases, names, counters and the spans open on each thread, repairs the spans (docs/exports.md
 * § Spans), and hands every trace event it derives, as a format-neutral
 * struct swt_export__item, to the format's emit function, which
 * serialises it. At the end it sorts the serialised events by time (ties
 * in the order they were derived) and lists the tracks (the session, the
 * processes, their counters and threads) in their output order. A format
 * then only writes its framing, its metadata from the tracks and the
 * events in order. */
#ifndef SWT_EXPORT_PRIVATE_H
#define SWT_EXPORT_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "swt_buf.h"
#include "swt_export.h"

/* Write the buffer out once it holds this much (as swt_dump.c). */
#define SWT_EXPORT__FLUSH_BYTES (64u * 1024u)

/* The pid of the whole recorded tree's counters and of global instants in
 * the Trace Event Format: no recorded process has it (Linux's pid 0 is the
 * idle task, never in /proc). */
#define SWT_EXPORT__SESSION_PID 0

enum swt_export__phase {
	SWT_EXPORT__BEGIN = 1,		/* a span opens */
	SWT_EXPORT__END = 2,		/* the innermost open span of its
					 * track closes */
	SWT_EXPORT__COUNTER = 3,	/* a counter's new value */
	SWT_EXPORT__INSTANT = 4,
};

enum swt_export__arg_kind {
	SWT_EXPORT__ARG_STR = 1,
	SWT_EXPORT__ARG_INT = 2,
	SWT_EXPORT__ARG_BOOL = 3,
	SWT_EXPORT__ARG_FIXED = 4,	/* v / 10^scale, `decimals` shown */
};

struct swt_export__arg {
	const char *key;
	enum swt_export__arg_kind kind;
	const char *s;			/* STR; NULL reads as "" */
	int64_t v;			/* INT, FIXED */
	unsigned scale, decimals;	/* FIXED */
	bool b;				/* BOOL */
};

#define SWT_EXPORT__MAX_ARGS 4

/* One trace event. Its strings are borrowed for the emit call only. */
struct swt_export__item {
	int64_t ts;			/* ns from the session start */
	enum swt_export__phase phase;
	const char *name;		/* never NULL */
	const char *cat;
	int32_t pid, tid;		/* the recorded ones; the session's
					 * events SWT_EXPORT__SESSION_PID */
	uint64_t track;			/* its track's uuid (tracks below) */
	bool global;			/* INSTANT: of the whole trace, not
					 * of the process */
	int64_t value;			/* COUNTER: value / 10^scale, */
	unsigned scale, decimals;	/* `decimals` shown */
	bool has_args;			/* args follow (even none) */
	struct swt_export__arg args[SWT_EXPORT__MAX_ARGS];
	size_t n_args;
};

/* Serialise `it` at the end of out. */
typedef void (*swt_export__emit_fn)(struct swt_buf *out,
				    const struct swt_export__item *it,
				    void *payload);

enum swt_export__track_kind {
	SWT_EXPORT__TRACK_SESSION = 1,	/* the whole recorded tree */
	SWT_EXPORT__TRACK_PROCESS = 2,
	SWT_EXPORT__TRACK_THREAD = 3,	/* parent: its process */
	SWT_EXPORT__TRACK_COUNTER = 4,	/* parent: the session or a process */
};

struct swt_export__track {
	enum swt_export__track_kind kind;
	uint64_t uuid;			/* never 0, unique in the trace */
	uint64_t parent_uuid;		/* 0: none */
	int32_t pid, tid;
	/* session: "session"; process: its comm ("pid N" if its ProcStart
	 * was not read); thread: its name (else the comm for the main
	 * thread, else the tid); counter: "CPU %", "RSS MB" or the
	 * swt_count() counter's name. Display form. */
	char *name;
	/* session: the recorded command; process: its command line
	 * (arguments joined by spaces); NULL: none known */
	char *cmdline;
	bool integer;			/* COUNTER: a swt_count() running
					 * total (integer values) */
};

struct swt_export__event {
	int64_t ts;			/* ns from the session start */
	size_t off, len;		/* its bytes, text[off, off + len) */
};

/* The walked trace: every member is valid until swt_export__trace_fini(). */
struct swt_export__trace {
	const char *text;		/* the serialised events */
	const struct swt_export__event *events;	/* by time, ties in the
						 * order derived */
	size_t n_events;
	/* the tracks with something in the trace, parents first: the
	 * session (if used) and its counters (the tree's, then the
	 * modules' by the engine's id), then the processes by pid,
	 * each followed by its counters (CPU %, RSS MB, then the
	 * swt_count() ones by name) and its threads by tid */
	const struct swt_export__track *tracks;
	size_t n_tracks;
	const char *command;		/* the recorded command, display
					 * form ("" if none) */
	struct swt_export_stats stats;
	void *priv;			/* the walker's state */
};

/* Read every record r still has to return, emit each trace event through
 * emit (payload passed on) and fill *out. Always call
 * swt_export__trace_fini() afterwards, whatever the result; out->stats is
 * set even on failure. Returns 0, or the status of swt_reader_next()
 * (message: the reader's). o may be NULL (no window). */
int swt_export__trace_read(struct swt_export__trace *out,
			   struct swt_reader *r,
			   const struct swt_export_opts *o,
			   swt_export__emit_fn emit, void *payload,
			   char *errmsg, size_t errlen);

void swt_export__trace_fini(struct swt_export__trace *t);

/* Write b to fp and empty it: 0, or SWT_EIO ("write error: ..."). */
int swt_export__write_buf(FILE *fp, struct swt_buf *b, char *errmsg,
			  size_t errlen);

/* Flush fp: 0, or SWT_EIO ("write error: ..."). */
int swt_export__finish_output(FILE *fp, char *errmsg, size_t errlen);

/* "<what><detail>" into errmsg (NULL: nothing). */
void swt_export__set_msg(char *errmsg, size_t errlen, const char *what,
			 const char *detail);

#endif
