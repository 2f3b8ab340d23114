/* swt_dump.h — session records as JSON lines, and the file check report.
 *
 * This is the library behind `swreplay --dump` and `swreplay --check`
 * (libswt_replay.a). It never prints diagnostics: the dump goes to the FILE
 * the caller gives, the check report into a buffer, and errors come back as
 * a status with a message in the caller's errmsg buffer.
 *
 * The JSON is deterministic: one object per record and line, keys in a fixed
 * order (the order of the fields in swt_record.h), integers only, strings
 * through swt_buf_json_str(). docs and swreplay(1) list the keys. */
#ifndef SWT_DUMP_H
#define SWT_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "swt_buf.h"
#include "swt_reader.h"
#include "swt_record.h"

/* Append the JSON object of one record, followed by '\n', to b. Records of
 * a kind this function does not know are written as {"kind":"unknown",
 * "t_ns":...}. */
void swt_dump_record(struct swt_buf *b, const struct swt_record *rec);

/* swt_reader_next() stepping over the damage statuses a
 * SWT_READER_STRICT reader returns (the reader keeps them in its damage
 * list); a damage status that added no entry is returned (it would
 * repeat for ever). Shared by the dump and the exports. */
int swt_dump_next(struct swt_reader *r, const struct swt_record **out);

/* Write every record r still has to return (all of them, header first, on a
 * fresh reader) to fp as JSON lines. Output is built in a buffer and written
 * with fwrite() every ~64 KiB; fp is flushed at the end.
 *
 * Damaged chunks do not stop the dump (unless r was opened with
 * SWT_READER_STRICT, where the first damage status is returned): the caller
 * asks the reader for swt_reader_get_damage() afterwards.
 *
 * Returns 0 when the readable data was dumped, SWT_EIO when writing to fp
 * failed (message: "write error: ..."), or the status of
 * swt_reader_next() (message: the reader's). errmsg may be NULL. */
int swt_dump_json(struct swt_reader *r, FILE *fp, char *errmsg,
		  size_t errlen);

/* Result of swt_dump_check(). */
struct swt_check_result {
	struct swt_reader_stats stats;
	size_t n_damage;	/* damaged byte ranges */
	bool truncated;		/* no valid index, no end record or an
				 * unfinished last frame: the recorder did not
				 * finish cleanly */
	bool corrupt;		/* some byte range is SWT_ECORRUPT */
	int status;		/* 0 (intact), SWT_ECORRUPT if corrupt,
				 * else SWT_ETRUNCATED if truncated */
};

/* Read every remaining record of r (on a fresh reader: verify the whole
 * file) and fill *out with swt_dump_check_summarize(). Damage does not stop
 * the check. Returns 0, or the status of swt_reader_next() if the reader
 * failed in a way that is not damage (message copied into errmsg, which may
 * be NULL). */
int swt_dump_check(struct swt_check_result *out, struct swt_reader *r,
		   char *errmsg, size_t errlen);

/* Fill *out from what r has met so far (after swt_dump_json() or
 * swt_dump_check() ran to the end: the whole file). Never fails. */
void swt_dump_check_summarize(struct swt_check_result *out,
			      const struct swt_reader *r);

/* Append the text report of a check to b: one "key: value" line per item,
 * then one "damage:" line per damaged range (offset, length, status name,
 * reason) and a final "status:" line (intact, damaged, truncated or
 * "damaged, truncated"). `path` names the file in the report. */
void swt_dump_check_report(struct swt_buf *b, const char *path,
			   const struct swt_reader *r,
			   const struct swt_check_result *res);

/* Append the diagnostics of a check to b, one line each, every line
 * "<prefix><path>: ...\n" and naming a byte offset: one per damaged range,
 * and one "truncated at byte N" line (N = file size) when the file has no
 * index or no end record. Nothing when res->status is 0. */
void swt_dump_check_warnings(struct swt_buf *b, const char *prefix,
			     const char *path, const struct swt_reader *r,
			     const struct swt_check_result *res);

#endif
