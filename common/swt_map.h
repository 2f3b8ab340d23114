/* swt_map.h — small hash maps (the engine's pid/tid tables and names,
 * the recorder's socket tables).
 *
 * Only lookups go through them: nothing that reaches a report is ever
 * listed in map order (reports sort by a total order), so the hash function
 * affects speed, never output. */
#ifndef SWT_MAP_H
#define SWT_MAP_H

#include <stddef.h>
#include <stdint.h>

#define SWT_MAP_NONE UINT32_MAX

/* FNV-1a of len bytes: the hash of the small string tables that do their
 * own probing (the writer's string interning, the recorder's cache of
 * program paths). */
static inline uint32_t swt_fnv1a(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/* int64 key -> uint32 value. INT64_MIN cannot be a key. */
struct swt_imap {
	int64_t *keys;
	uint32_t *vals;
	size_t cap;		/* power of 2, or 0 */
	size_t len;
};

void swt_imap_init(struct swt_imap *m);
void swt_imap_fini(struct swt_imap *m);
/* Value of key, or SWT_MAP_NONE. */
uint32_t swt_imap_get(const struct swt_imap *m, int64_t key);
/* Insert or replace. */
void swt_imap_put(struct swt_imap *m, int64_t key, uint32_t val);
/* Remove key if present. */
void swt_imap_del(struct swt_imap *m, int64_t key);
/* Remove every key (the storage is kept). */
void swt_imap_clear(struct swt_imap *m);

/* (scope, bytes) key -> uint32 value; keys are copied; no removal. */
struct swt_smap_entry {
	uint64_t hash;
	char *key;		/* len bytes + NUL */
	size_t len;
	uint32_t scope;
	uint32_t val;
};

struct swt_smap {
	uint32_t *slots;	/* entry index + 1, 0 = empty */
	size_t cap;
	struct swt_smap_entry *ents;
	size_t len, ents_cap;
};

void swt_smap_init(struct swt_smap *m);
void swt_smap_fini(struct swt_smap *m);
uint32_t swt_smap_get(const struct swt_smap *m, uint32_t scope,
		      const char *key, size_t len);
/* Insert (key must not be present). */
void swt_smap_put(struct swt_smap *m, uint32_t scope, const char *key,
		  size_t len, uint32_t val);

#endif
