/* swt_map.c — open addressing with linear probing (see swt_map.h). */
#include "swt_map.h"

#include <stdlib.h>
#include <string.h>

#include "swt_alloc.h"

#define EMPTY INT64_MIN

static uint64_t mix64(uint64_t x)
{
	/* splitmix64 finaliser */
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	x ^= x >> 31;
	return x;
}

void swt_imap_init(struct swt_imap *m)
{
	memset(m, 0, sizeof(*m));
}

void swt_imap_fini(struct swt_imap *m)
{
	free(m->keys);
	free(m->vals);
	swt_imap_init(m);
}

static size_t islot(const struct swt_imap *m, int64_t key)
{
	return (size_t)mix64((uint64_t)key) & (m->cap - 1);
}

uint32_t swt_imap_get(const struct swt_imap *m, int64_t key)
{
	size_t i;

	if (!m->cap)
		return SWT_MAP_NONE;
	for (i = islot(m, key); m->keys[i] != EMPTY;
	     i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == key)
			return m->vals[i];
	return SWT_MAP_NONE;
}

static void igrow(struct swt_imap *m)
{
	int64_t *ok = m->keys;
	uint32_t *ov = m->vals;
	size_t ocap = m->cap, i;

	m->cap = ocap ? ocap * 2 : 64;
	m->keys = swt_calloc(m->cap, sizeof(*m->keys));
	m->vals = swt_calloc(m->cap, sizeof(*m->vals));
	for (i = 0; i < m->cap; i++)
		m->keys[i] = EMPTY;
	m->len = 0;
	for (i = 0; i < ocap; i++)
		if (ok[i] != EMPTY)
			swt_imap_put(m, ok[i], ov[i]);
	free(ok);
	free(ov);
}

void swt_imap_put(struct swt_imap *m, int64_t key, uint32_t val)
{
	size_t i;

	if ((m->len + 1) * 2 > m->cap)
		igrow(m);
	for (i = islot(m, key); m->keys[i] != EMPTY;
	     i = (i + 1) & (m->cap - 1)) {
		if (m->keys[i] == key) {
			m->vals[i] = val;
			return;
		}
	}
	m->keys[i] = key;
	m->vals[i] = val;
	m->len++;
}

void swt_imap_clear(struct swt_imap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		m->keys[i] = EMPTY;
	m->len = 0;
}

void swt_imap_del(struct swt_imap *m, int64_t key)
{
	size_t i, j, k, mask = m->cap - 1;

	if (!m->cap)
		return;
	for (i = islot(m, key); m->keys[i] != key; i = (i + 1) & mask)
		if (m->keys[i] == EMPTY)
			return;
	/* backward-shift deletion: no tombstones */
	for (j = i;;) {
		m->keys[i] = EMPTY;
		for (;;) {
			j = (j + 1) & mask;
			if (m->keys[j] == EMPTY)
				goto done;
			k = islot(m, m->keys[j]);
			/* move j to i unless its home k lies cyclically in
			 * (i, j] */
			if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
				continue;
			break;
		}
		m->keys[i] = m->keys[j];
		m->vals[i] = m->vals[j];
		i = j;
	}
done:
	m->len--;
}

static uint64_t shash(uint32_t scope, const char *key, size_t len)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325) ^ scope;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)key[i];
		h *= UINT64_C(0x100000001b3);
	}
	return mix64(h);
}

void swt_smap_init(struct swt_smap *m)
{
	memset(m, 0, sizeof(*m));
}

void swt_smap_fini(struct swt_smap *m)
{
	size_t i;

	for (i = 0; i < m->len; i++)
		free(m->ents[i].key);
	free(m->ents);
	free(m->slots);
	swt_smap_init(m);
}

uint32_t swt_smap_get(const struct swt_smap *m, uint32_t scope,
		      const char *key, size_t len)
{
	uint64_t h;
	size_t i;

	if (!m->cap)
		return SWT_MAP_NONE;
	h = shash(scope, key, len);
	for (i = (size_t)h & (m->cap - 1); m->slots[i];
	     i = (i + 1) & (m->cap - 1)) {
		const struct swt_smap_entry *e = &m->ents[m->slots[i] - 1];

		if (e->hash == h && e->scope == scope && e->len == len &&
		    memcmp(e->key, key, len) == 0)
			return e->val;
	}
	return SWT_MAP_NONE;
}

static void sinsert(struct swt_smap *m, uint32_t idx)
{
	size_t i;

	for (i = (size_t)m->ents[idx].hash & (m->cap - 1); m->slots[i];
	     i = (i + 1) & (m->cap - 1))
		;
	m->slots[i] = idx + 1;
}

void swt_smap_put(struct swt_smap *m, uint32_t scope, const char *key,
		  size_t len, uint32_t val)
{
	struct swt_smap_entry *e;
	size_t i;

	if ((m->len + 1) * 2 > m->cap) {
		free(m->slots);
		m->cap = m->cap ? m->cap * 2 : 64;
		m->slots = swt_calloc(m->cap, sizeof(*m->slots));
		for (i = 0; i < m->len; i++)
			sinsert(m, (uint32_t)i);
	}
	m->ents = swt_grow(m->ents, &m->ents_cap, m->len + 1,
			   sizeof(*m->ents));
	e = &m->ents[m->len];
	e->hash = shash(scope, key, len);
	e->key = swt_strndup(key, len);
	e->len = len;
	e->scope = scope;
	e->val = val;
	sinsert(m, (uint32_t)m->len);
	m->len++;
}
