#include "swt_codec-private.h"

/* CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), bytewise table.
 * Only the small index frame is checksummed with it (zstd frames carry
 * their own XXH64-based checksum), so speed does not matter here. */
static uint32_t table[256];
static bool table_ready;

static void init_table(void)
{
	uint32_t i, j, c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (j = 0; j < 8; j++)
			c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
		table[i] = c;
	}
	table_ready = true;
}

uint32_t swt_codec__crc32c(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint32_t c = 0xffffffffu;

	/* Benign if two threads race here: both compute the same table. */
	if (!table_ready)
		init_table();
	while (len--)
		c = table[(c ^ *p++) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}
