/* swt_codec-private.h — internals shared by the writer and the reader. */
#ifndef SWT_CODEC_PRIVATE_H
#define SWT_CODEC_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* CRC-32C of len bytes; thread-safe (a constant table). */
uint32_t swt_codec__crc32c(const void *data, size_t len);
/* Its table, exposed for the test that regenerates it. */
extern const uint32_t swt_codec__crc32c_table[256];

static inline void swt_codec__put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static inline uint32_t swt_codec__get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline void swt_codec__put_le64(unsigned char *p, uint64_t v)
{
	swt_codec__put_le32(p, (uint32_t)v);
	swt_codec__put_le32(p + 4, (uint32_t)(v >> 32));
}

static inline uint64_t swt_codec__get_le64(const unsigned char *p)
{
	return (uint64_t)swt_codec__get_le32(p) |
	       (uint64_t)swt_codec__get_le32(p + 4) << 32;
}

/* Encode v as a base-128 varint into p (at least 10 bytes); return length. */
static inline size_t swt_codec__put_varint(unsigned char *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (unsigned char)v;
	return n;
}

/* Decode a varint from p[0..len). Returns bytes used, 0 if incomplete,
 * -1 if longer than 10 bytes (malformed). */
static inline int swt_codec__get_varint(const unsigned char *p, size_t len,
					uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < len && i < 10; i++) {
		v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80)) {
			*out = v;
			return (int)(i + 1);
		}
	}
	return i == 10 ? -1 : 0;
}

/* Header frame payload: magic(8) major(2) minor(2) flags(4) hdrlen(4). */
#define SWT_HEADER_PREFIX_LEN 20

#endif
