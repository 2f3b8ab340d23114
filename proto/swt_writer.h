/* swt_writer.h — append records to a .swt session file.
 *
 * The writer keeps one zstd frame ("chunk") open and appends length-
 * delimited Record messages to it. swt_writer_flush() pushes everything
 * appended so far through the compressor (a zstd flush inside the open
 * frame), write()s it and, unless opts.sync is false, fdatasync()s it: after
 * a crash the file decodes up to the last flush. A chunk is closed (frame
 * epilogue with checksum) when its raw size reaches opts.chunk_raw_bytes; the
 * next record starts a new, self-contained chunk (delta bases and string ids
 * restart). swt_writer_finish() closes the chunk and appends the index.
 *
 * Not thread-safe: one writer per thread. */
#ifndef SWT_WRITER_H
#define SWT_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "swt_record.h"

struct swt_writer;

struct swt_writer_opts {
	int level;		/* zstd level, default 3 */
	size_t chunk_raw_bytes;	/* close a chunk past this, default 1 MiB */
	bool sync;		/* fdatasync on flush/finish, default true */
	bool force;		/* overwrite an existing regular file */
	bool sparse;		/* leave unchanged process rows out of a
				 * sample (format 1.8), default true */
};

/* Fill *opts with the defaults above. */
void swt_writer_opts_init(struct swt_writer_opts *opts);

/* Create `path` and write the header frame. opts may be NULL. An existing
 * path is refused with SWT_EEXIST unless opts->force (then a regular file
 * is truncated, anything else refused with SWT_EEXIST); a symbolic link is
 * never followed: SWT_EEXIST without force, SWT_EINVAL with it.
 * hdr->format_*, hdr->zstd_version are filled in by the writer.
 * Returns 0, SWT_EEXIST, SWT_EIO or SWT_EINVAL; on failure *out is NULL and,
 * if errmsg is not NULL, a message is copied into errmsg[0..errlen). */
int swt_writer_open(struct swt_writer **out, const char *path,
		    const struct swt_writer_opts *opts,
		    const struct swt_header *hdr, char *errmsg, size_t errlen);

/* Same on an already open file descriptor (the writer owns it from now on
 * and closes it in finish/free, even on failure). `name` is used in
 * messages. */
int swt_writer_fdopen(struct swt_writer **out, int fd, const char *name,
		      const struct swt_writer_opts *opts,
		      const struct swt_header *hdr, char *errmsg,
		      size_t errlen);

/* Append one record (any kind except SWT_REC_HEADER). Records should come
 * in time order (rec->t_ns not decreasing); the writer does not reorder.
 * Sample rows must have positive pids/tids (and tgids), strictly
 * ascending; an event batch needs a positive pid, positive tids and events
 * in time order (its record time is its first event's). Returns 0, SWT_EINVAL (bad record; nothing
 * written) or SWT_EIO (the file is now unusable: only free it). */
int swt_writer_append(struct swt_writer *w, const struct swt_record *rec);

/* Make everything appended so far decodable on disk. 0 or SWT_EIO. */
int swt_writer_flush(struct swt_writer *w);

/* Append `end` (if not NULL) at time t_ns, close the chunk, write the
 * index frame, sync and close the file. The writer must still be freed.
 * 0 or SWT_EIO. */
int swt_writer_finish(struct swt_writer *w, const struct swt_session_end *end,
		      int64_t t_ns);

/* Close without finishing (as after a crash: what was flushed stays
 * decodable, the rest is lost) and free. NULL is a no-op. */
void swt_writer_free(struct swt_writer *w);

/* The last error, naming the file and byte offset; "" if none. Valid until
 * the next call on w. */
const char *swt_writer_errmsg(const struct swt_writer *w);

struct swt_writer_stats {
	uint64_t bytes;		/* bytes written to the file so far */
	uint64_t raw_bytes;	/* record bytes before compression */
	uint64_t records;
	uint64_t proc_samples;	/* process rows appended */
	uint64_t rows_left_out;	/* of them, unchanged: not written (sparse) */
	uint64_t thread_rows_left_out;	/* thread rows unchanged (1.9) */
	uint64_t chunks;	/* chunks started */
	uint64_t changed_lists;	/* samples whose list of changed rows
				 * (swt_sample.changed) was taken */
	uint64_t reshaped_lists; /* of them, with rows removed or inserted */
};

void swt_writer_get_stats(const struct swt_writer *w,
			  struct swt_writer_stats *out);

#endif
