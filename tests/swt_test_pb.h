/* swt_test_pb.h — a session's records as they lie in its decompressed
 * chunks (varint length | Record, back to back: what `zstd -dc` of a
 * session gives), read in tests without the reader, with the codec's own
 * varint decoder: which kind each record is. */
#ifndef SWT_TEST_PB_H
#define SWT_TEST_PB_H

#include "swt_test.h"
#include "swt_codec-private.h"

/* The oneof field number of a Record message (0 if none, -1 if the wire
 * format is broken or it has two kinds). */
static inline int swt_test_record_kind(const unsigned char *p, size_t len)
{
	size_t off = 0;
	int kind = 0;

	while (off < len) {
		uint64_t key, v;
		int n = swt_codec__get_varint(p + off, len - off, &key);

		if (n <= 0)
			return -1;
		off += (size_t)n;
		switch (key & 7) {
		case 0:
			n = swt_codec__get_varint(p + off, len - off, &v);
			if (n <= 0)
				return -1;
			off += (size_t)n;
			break;
		case 2:
			n = swt_codec__get_varint(p + off, len - off, &v);
			if (n <= 0 || v > len - off - (size_t)n)
				return -1;
			off += (size_t)n + (size_t)v;
			break;
		default:
			return -1;
		}
		if ((key >> 3) >= 2) {
			if (kind)
				return -1;
			kind = (int)(key >> 3);
		}
	}
	return kind;
}

/* The length of the record at data[*off, len) and where its message
 * starts (*off moves past it); fails the test if it does not fit. */
static inline size_t swt_test_next_record(const unsigned char *data,
					  size_t len, size_t *off,
					  const unsigned char **msg)
{
	uint64_t rlen = 0;
	int k = swt_codec__get_varint(data + *off, len - *off, &rlen);

	assert_true(k > 0);
	assert_true(rlen <= len - *off - (size_t)k);
	*msg = data + *off + k;
	*off += (size_t)k + (size_t)rlen;
	return (size_t)rlen;
}

#endif
