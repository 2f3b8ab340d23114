/* rec_file.h — a session file loaded into plain arrays for the swrec
 * tests (through the reader API, as any consumer reads it). Works on files
 * still being written: the unfinished last chunk is salvaged. */
#ifndef REC_FILE_H
#define REC_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "swt_record.h"

struct rf_start {
	size_t seq;		/* position in the record stream */
	int64_t t;
	int32_t pid;
	int32_t ppid;
	uint64_t start_ticks;
	uint32_t uid;
	bool preexisting;
	char comm[64];
	char cmdline[512];	/* NUL-separated, truncated */
	size_t cmdline_len;
};

struct rf_exit {
	size_t seq;
	int64_t t;
	int32_t pid;
	uint64_t start_ticks;
	bool has_status;
	int32_t exit_code;
	int32_t signal;
};

struct rf_trow {
	int32_t tid;
	int32_t tgid;
	int64_t utime;
	int64_t stime;
	char name[64];
};

struct rf_sample {
	size_t seq;
	int64_t t;
	int64_t scheduled;
	uint64_t cpu_ns;
	uint64_t rss_kib;
	uint64_t busy;
	uint64_t idle;
	uint64_t mem_total;
	uint64_t mem_avail;
	size_t row0, n_rows;	/* into rf.rows */
	size_t trow0, n_trows;	/* into rf.trows */
};

struct rf {
	enum swt_mode mode;
	int64_t interval_ns;
	int64_t flush_ns;
	uint32_t clock_ticks;
	uint32_t page_size;
	bool threads;
	size_t n_command;
	size_t n_attach;
	char recorder[64];
	struct rf_start *starts;
	size_t n_starts;
	struct rf_exit *exits;
	size_t n_exits;
	struct rf_sample *samples;
	size_t n_samples;
	struct swt_proc_row *rows;
	size_t n_rows;
	struct rf_trow *trows;
	size_t n_trows;
	bool has_end;
	struct swt_session_end end;	/* .error NULL: see end_error;
					 * .proc_events_source NULL: see
					 * end_source */
	char end_source[16];
	char end_error[256];
	bool has_index;
	size_t damage;
	size_t records;
	bool time_ordered;	/* record times never decrease */
};

/* Load path. Returns 0 or the status of swt_reader_open (message in
 * err). */
int rf_load(struct rf *rf, const char *path, char *err, size_t errlen);
void rf_free(struct rf *rf);

/* The row of pid in sample i, or NULL. */
const struct swt_proc_row *rf_row(const struct rf *rf, size_t i, int32_t pid);

/* First / last start record of pid, or NULL. */
const struct rf_start *rf_start_of(const struct rf *rf, int32_t pid);
const struct rf_start *rf_last_start_of(const struct rf *rf, int32_t pid);
/* First start record with this comm, or NULL. */
const struct rf_start *rf_start_by_comm(const struct rf *rf,
					const char *comm);
/* First exit record of pid, or NULL. */
const struct rf_exit *rf_exit_of(const struct rf *rf, int32_t pid);

/* Number of samples that have a row for pid. */
size_t rf_rows_of(const struct rf *rf, int32_t pid);

#endif
