/* swt_reader.h — read, verify and salvage .swt session files.
 *
 * The reader maps the file and walks its zstd frames. A chunk frame is
 * decompressed whole and its checksum verified before any of its records is
 * handed out, so a damaged chunk yields nothing (its byte range is recorded
 * as damage) and reading resumes at the next frame. The last frame of a file
 * whose recorder crashed has no epilogue: its records are salvaged up to the
 * last complete record (and the truncation is recorded as damage).
 *
 * Records come out in file order: first the session header (kind
 * SWT_REC_HEADER), then every record of every readable chunk. A chunk whose
 * first record is earlier than the last record of the chunk before it is
 * damage and is skipped, so records never go back in time from one chunk to
 * the next; a chunk the index does not list with its offset, size and time
 * range makes the reader ignore the index (damage with no_loss set) and scan
 * frames (docs/format.md section 5). */
#ifndef SWT_READER_H
#define SWT_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "swt_procdir.h"
#include "swt_record.h"

struct swt_reader;

enum swt_reader_flags {
	SWT_READER_STRICT = 1u,		/* next() returns the damage status
					 * instead of skipping past it */
	SWT_READER_NO_INDEX = 2u,	/* ignore the index: scan frames
					 * (it is still checked; chunks are
					 * not compared with it) */
};

/* Open a file. Returns 0, SWT_ENOTFOUND (no such file), SWT_EIO (cannot
 * open or map it: permission, not a regular file, ...),
 * SWT_ECORRUPT (not a swt file: bad magic or header, an empty session
 * header or one without clock_ticks), SWT_EVERSION
 * (unsupported major version). On failure *out is NULL and a message naming
 * the file (and offset) is copied into errmsg if not NULL. */
int swt_reader_open(struct swt_reader **out, const char *path, unsigned flags,
		    char *errmsg, size_t errlen);

/* Read from memory (not copied: it must outlive the reader). `name` is used
 * in messages. Same statuses as swt_reader_open(). */
int swt_reader_open_mem(struct swt_reader **out, const void *data,
			size_t len, const char *name, unsigned flags,
			char *errmsg, size_t errlen);

void swt_reader_free(struct swt_reader *r);

/* The session header (borrowed, valid until swt_reader_free()). */
const struct swt_header *swt_reader_get_header(const struct swt_reader *r);

/* Most decoding threads swt_reader_set_threads() takes. */
#define SWT_READER_MAX_THREADS 64u

/* Decode with n threads in all: n == 1 (the default) decodes on the
 * caller's thread; n > 1 starts n - 1 threads that decompress and decode
 * the chunks ahead of the caller, which gets the same records, damage,
 * messages and statistics as with 1, in the same order (they are handed
 * over in file order; every decision about damage is still made on the
 * caller's thread). Memory stays bounded: about one chunk per thread.
 * Call it before reading, or between chunks. Returns 0, SWT_EINVAL (n is 0
 * or over SWT_READER_MAX_THREADS, or a chunk is being read) or SWT_EIO (no
 * thread could be started: message in swt_reader_errmsg(); the reader
 * decodes on the caller's thread). A file with no chunk starts no
 * thread. */
int swt_reader_set_threads(struct swt_reader *r, unsigned n);

/* Say which rows changed where the file allows it (format 1.8 and later,
 * sparse samples): a sample whose processes (threads) are those of the
 * previous sample of its chunk, in the same places, lists the places of
 * the rows that may differ (swt_sample.proc_at, thread_at). The decoder
 * keeps the whole table and puts those rows in place instead of merging
 * every row into a new table. On the caller's thread the sample's rows are
 * that table. With `listed`, a decoding thread hands over only the listed
 * rows (swt_sample.proc_listed; the process rows as their present
 * columns, swt_sample.proc_cols): every sample it decodes says keep_rows,
 * and the consumer keeps the rows of such a sample and puts the next one's
 * listed rows in place itself (swt_rows_keep_sample(); no whole table
 * copied between threads); it must then see every sample. Without, a
 * decoding thread copies the whole table. For a consumer that looks only
 * at what changed (the analysis engine). Call before the first record is
 * read. Returns 0 or SWT_EINVAL (records were read already). */
int swt_reader_set_deltas(struct swt_reader *r, bool on, bool listed);

/* Threads decoding, the caller's included: 1 when they all failed to
 * start or swt_reader_set_threads() was not called. */
unsigned swt_reader_get_threads(const struct swt_reader *r);

/* Next record into *out (borrowed: valid until the next call of next, seek
 * or free). Returns 0, SWT_ITEROVER at the end of the readable data, or
 * with SWT_READER_STRICT the status of the first damage met
 * (SWT_ECORRUPT/SWT_ETRUNCATED; calling again continues after it). */
int swt_reader_next(struct swt_reader *r, const struct swt_record **out);

/* Position so that the next record is the first with t_ns >= t (the header
 * is not returned again). Uses the index when present (binary search over
 * chunks), otherwise scans from the start. 0, or SWT_ITEROVER when no such
 * record exists. */
int swt_reader_seek(struct swt_reader *r, int64_t t);

/* The process directory a finished file of format 1.6 has before its
 * index: every process it announced, in the order of their ProcStart
 * records, so that reading can start at any chunk knowing which processes
 * are alive there (swt_analysis_run_window()). Loaded and checked on the
 * first call (CRC, sizes within SWT_MAX_DIRECTORY_BYTES, times). Returns 0,
 * SWT_ENOTFOUND (no index, an older file, or a recorder over its bound:
 * read from the start instead) or SWT_ECORRUPT (damaged: message in
 * swt_reader_errmsg(); no record is lost, read from the start instead). */
int swt_reader_directory(struct swt_reader *r,
			 const struct swt_dir_proc **out, size_t *n);

/* One damaged byte range met so far. */
struct swt_damage {
	uint64_t offset;	/* first byte of the damaged frame/area */
	uint64_t length;	/* bytes affected: skipped to the next frame,
				 * or for SWT_ETRUNCATED the unfinished frame
				 * whose complete records were salvaged */
	int status;		/* SWT_ECORRUPT or SWT_ETRUNCATED */
	int64_t t_prev_ns;	/* last record time before it, or INT64_MIN */
	bool no_loss;		/* only the index is affected: it is ignored,
				 * the frames are scanned, no record lost */
	bool lost_span;		/* the lost records' times are known: */
	int64_t lost_first_ns;	/* a chunk skipped whole although readable
				 * (it goes back in time): its first and */
	int64_t lost_last_ns;	/* last record time */
	char what[160];		/* reason, e.g. "checksum mismatch" */
};

/* Byte offset in the file of the frame that held the record last returned
 * by swt_reader_next() (the header frame, 0, for the header), for messages
 * about that record. */
uint64_t swt_reader_get_offset(const struct swt_reader *r);

size_t swt_reader_damage_count(const struct swt_reader *r);
const struct swt_damage *swt_reader_get_damage(const struct swt_reader *r,
					       size_t i);

struct swt_reader_stats {
	uint64_t file_size;
	uint64_t chunks;	/* chunk frames met (readable or not) */
	uint64_t chunks_ok;	/* decoded and checksum verified */
	uint64_t chunks_salvaged; /* unfinished, complete records kept */
	uint64_t records;	/* records returned, excluding the header */
	uint64_t proc_samples;
	uint64_t unknown_records; /* records of kinds this reader skips */
	int64_t t_first_ns;	/* INT64_MAX / INT64_MIN if no record */
	int64_t t_last_ns;
	bool has_index;		/* a valid index frame was found */
	bool has_end;		/* a SessionEnd record was read */
};

void swt_reader_get_stats(const struct swt_reader *r,
			  struct swt_reader_stats *out);

/* The last error message (file, offset, what); "" if none. */
const char *swt_reader_errmsg(const struct swt_reader *r);

#endif
