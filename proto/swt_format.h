/* swt_format.h — constants of the .swt session file format.
 *
 * Layout (docs/format.md has the full description):
 *
 *   +-----------------------------------------------------------------+
 *   | skippable frame 0x184D2A5A: "SWTRACE\0" major minor flags hdrlen |
 *   |   (u32 magic, u32 size, 8-byte magic, u16 major, u16 minor,       |
 *   |    u32 flags, u32 header length; all little-endian)               |
 *   |                             SessionHeader (protobuf)             |
 *   +-----------------------------------------------------------------+
 *   | zstd frame (checksum): varint len | Record | varint len | Record |
 *   | ...  one chunk: closed after ~1 MiB of raw records               |
 *   +-----------------------------------------------------------------+
 *   | zstd frame ... (last one may be unfinished after a crash)         |
 *   +-----------------------------------------------------------------+
 *   | skippable frame 0x184D2A5B: Index (protobuf) | trailer (24 bytes) |
 *   +-----------------------------------------------------------------+
 */
#ifndef SWT_FORMAT_H
#define SWT_FORMAT_H

/* Major changes make old readers refuse the file; minor ones are additions
 * that old readers skip. */
#define SWT_FORMAT_MAJOR 1
#define SWT_FORMAT_MINOR 10

/* zstd skippable frame magics (0x184D2A50..0x184D2A5F are skippable). */
#define SWT_HEADER_FRAME_MAGIC 0x184D2A5Au
#define SWT_INDEX_FRAME_MAGIC 0x184D2A5Bu
#define SWT_DIRECTORY_FRAME_MAGIC 0x184D2A5Cu	/* format 1.6 */
#define SWT_ZSTD_FRAME_MAGIC 0xFD2FB528u

/* First 8 bytes of the header frame payload. */
#define SWT_FILE_MAGIC "SWTRACE"	/* 7 chars + NUL = 8 bytes */
#define SWT_FILE_MAGIC_LEN 8
/* Last 8 bytes of the index frame payload (end of a finished file). */
#define SWT_INDEX_MAGIC "SWTINDEX"
#define SWT_INDEX_MAGIC_LEN 8
/* Trailer at the end of the index payload: u32 index length, u32 crc32c of
 * the index bytes, u64 offset of the index frame, 8-byte magic. */
#define SWT_INDEX_TRAILER_LEN 24

/* Bounds a reader enforces: larger values read from a file are corruption,
 * never an allocation. */
#define SWT_MAX_HEADER_BYTES (1u << 20)		/* SessionHeader */
/* Clock ticks per second a header may declare (Linux: 100): more cannot be
 * a real clock, and the unit of every CPU time cannot be trusted. */
#define SWT_MAX_CLOCK_TICKS 1000000u
#define SWT_MAX_RECORD_BYTES (32u << 20)	/* one Record */
#define SWT_MAX_CHUNK_RAW_BYTES (64u << 20)	/* one chunk, decompressed */
/* Rows of one Sample, processes and threads together: Linux's
 * PID_MAX_LIMIT, the most tasks (a process or a thread each holds an id)
 * any machine can have at once. A row costs the reader about 150 bytes
 * whatever few bytes encode it (absent columns are zeros), so a record
 * claiming more is damage, not an allocation of gigabytes. */
#define SWT_MAX_SAMPLE_ROWS (1u << 22)
#define SWT_MAX_INDEX_BYTES (64u << 20)		/* Index message */
/* Directory message, decompressed; the writer stops collecting (and
 * writes none) past it */
#define SWT_MAX_DIRECTORY_BYTES (64u << 20)

/* Writer defaults. */
#define SWT_DEFAULT_CHUNK_RAW_BYTES (1u << 20)
#define SWT_DEFAULT_ZSTD_LEVEL 3

#endif
