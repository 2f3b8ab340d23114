/* swt_reader.c — the session-file reader, verifier and salvager.
 *
 * Trust nothing read from the file: every length is bounded
 * (swt_format.h) before it is used, every column length is checked against
 * its table's row count, and a chunk's records are handed out only after
 * zstd has verified the frame checksum. The one exception is the last,
 * unfinished frame of a crashed recording: it has no checksum yet, so its
 * records are salvaged up to the last complete one. */
#include "swt_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "swt.pb-c.h"
#include "swt_alloc.h"
#include "swt_buf.h"
#include "swt_codec-private.h"
#include "swt_format.h"
#include "swt_status.h"

/* a + b with two's-complement wrap-around (the writer's deltas wrap). */
static inline int64_t wadd(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a + (uint64_t)b);
}

/* Largest string id a chunk may define: far above what a 64 MiB chunk can
 * hold, low enough that the id table can never be a large allocation. */
#define MAX_STRING_ID (1u << 22)

/* Bump allocator for protobuf-c: one record's allocations, released at
 * once before the next record is unpacked. */
struct arena {
	unsigned char *block;
	size_t cap, used;
	unsigned char **extra;	/* blocks that did not fit, freed at reset */
	size_t n_extra, cap_extra;
	size_t extra_bytes;
};

/* Storage that never moves: blocks handed out by a bump pointer, kept
 * (warm) for reuse after pool_reset(). Strings of a chunk live here, so
 * that every record of the chunk can point at them, and so do the records a
 * decoding thread hands over (their rows, events and bytes). */
struct pool {
	unsigned char **blocks;
	size_t *caps;
	size_t n_blocks, cap_blocks;
	size_t cur;		/* blocks in use: [0, cur) */
	size_t used;		/* bytes used in blocks[cur - 1] */
	size_t total;		/* bytes handed out since the reset */
};

struct str_ref {
	const char *p;
	bool defined;
};

/* The state of decoding one chunk's records; it restarts with every
 * chunk. The reader has one (decoding on the caller's thread) and every
 * decoding thread has its own. */
struct chunk_dec {
	struct arena arena;
	ProtobufCAllocator pballoc;
	const unsigned char *chunk;
	size_t chunk_len, chunk_pos;
	bool salvage;		/* an unfinished frame: stop at a cut */
	int64_t last_t;
	struct str_ref *strs;
	size_t cap_strs;
	struct pool *strings;	/* where this chunk's strings go */
	struct pool own_strings;
	struct swt_proc_row *procs[2];	/* [cur] returned, [!cur] base */
	size_t cap_procs[2];
	int cur_procs;
	struct swt_thread_row *threads[2];
	size_t cap_threads[2];
	int cur_threads;
	struct pool *rows_out;	/* rows go here instead (NULL: procs[],
				 * threads[]): a decoding thread's batch */
	const struct swt_proc_row *pbase;	/* the previous sample's */
	size_t n_pbase;
	const struct swt_thread_row *tbase;
	size_t n_tbase;
	/* the ids of the base rows packed (pbase[j].pid, tbase[j].tid),
	 * for finding a row's place without a cache line per row passed:
	 * valid while *_ok (a base of the same ids, rows_done()) */
	int32_t *bpids, *btids;
	size_t cap_bpids, cap_btids;
	bool bpids_ok, btids_ok;
	/* swt_reader_set_deltas(): an aligned sparse sample's own rows are
	 * put in place in the whole table kept here (no merge), their places
	 * said (swt_sample.proc_at) */
	bool deltas;
	bool listed;	/* a decoding thread's: only the listed rows go */
	int32_t *lpids;	/* a listed sample's pids (lcol, fast_sample()) */
	size_t cap_lpids;
	struct swt_proc_row *dprocs;	/* the base after such a sample */
	size_t cap_dprocs;
	struct swt_thread_row *dthreads;
	size_t cap_dthreads;
	uint8_t *dsame;		/* its repeats, on the caller's thread */
	size_t cap_dsame;
	uint8_t *dtsame;
	size_t cap_dtsame;
	uint64_t chunk_id;	/* the frame's offset + 1 */
	uint64_t decode_id;	/* swt_sample.decode_id */
	uint32_t n_samples;	/* samples decoded in this chunk */
	struct swt_netdev *netdevs;	/* of the last sample */
	size_t cap_netdevs;
	struct swt_thread_end *tends;	/* of the last ProcExit */
	size_t cap_tends;
	int32_t *reset_pids;
	size_t n_reset, cap_reset;
	int32_t *gone;		/* a sparse sample's gone pids */
	size_t cap_gone;
	int32_t *tgone;		/* ... and gone tids (format 1.9) */
	size_t cap_tgone;
	struct swt_event *events;
	size_t cap_events;
	struct swt_record rec;	/* the record decoded last */
	uint64_t unknown;	/* records of unknown kinds passed over since
				 * the last record decoded */
	const char *bad;	/* why convert() refused a record, when more
				 * is known than "malformed record" */
};

struct pdec;
static void pdec_free(struct pdec *pd);
static bool pdec_has_chunk(const struct pdec *pd);

struct swt_reader {
	const unsigned char *data;
	size_t len;
	bool mapped;
	char *name;
	unsigned flags;
	char errmsg[512];

	Swt__Pb__SessionHeader *hdr_msg;
	struct swt_header header;
	size_t data_start;	/* first byte after the header frame */
	size_t data_end;	/* index frame offset, or file size */
	Swt__Pb__Index *index;	/* NULL when absent or invalid */
	int dir_status;		/* swt_reader_directory(): 1 not loaded */
	struct swt_procdir dir;
	bool index_trusted;	/* false once a chunk disagreed with it */

	ZSTD_DCtx *dctx;

	/* iteration */
	bool header_done;
	bool have_peek;		/* rec holds a record seek() found */
	size_t pos;		/* next frame to read */
	bool in_chunk;
	bool salvage;		/* current chunk is an unfinished frame */
	int pending_status;	/* damage to report after this chunk */
	bool eof_checked;	/* end_without_index() ran */
	uint64_t chunk_off;
	int64_t prev_chunk_last_t; /* last record time of the previous chunk
				    * handed out, INT64_MIN if none */
	unsigned char *chunk;
	size_t chunk_cap;
	struct chunk_dec dec;	/* decoding on the caller's thread */

	/* decoding threads (swt_reader_set_threads()); NULL: none */
	unsigned threads;
	bool deltas, listed;	/* swt_reader_set_deltas() */
	struct pdec *pd;

	/* output */
	struct swt_record rec;
	int64_t last_rec_t;

	struct swt_damage *damage;
	size_t n_damage, cap_damage;
	struct swt_reader_stats stats;
};

/* ---- arena ------------------------------------------------------------ */

static void *arena_alloc(void *data, size_t size)
{
	struct arena *a = data;
	unsigned char *p;

	size = (size + 15) & ~(size_t)15;
	if (a->cap - a->used >= size) {
		p = a->block + a->used;
		a->used += size;
		return p;
	}
	a->extra = swt_grow(a->extra, &a->cap_extra, a->n_extra + 1,
			    sizeof(*a->extra));
	p = swt_zalloc(size);
	a->extra[a->n_extra++] = p;
	a->extra_bytes += size;
	return p;
}

static void arena_free(void *data, void *ptr)
{
	(void)data;
	(void)ptr;	/* released in bulk by arena_reset() */
}

static void arena_reset(struct arena *a)
{
	size_t i;

	for (i = 0; i < a->n_extra; i++)
		free(a->extra[i]);
	a->n_extra = 0;
	if (a->extra_bytes) {
		/* one block large enough for what the last record needed */
		size_t want = a->used + a->extra_bytes;

		free(a->block);
		a->cap = want < 65536 ? 65536 : want;
		a->block = swt_zalloc(a->cap);
		a->extra_bytes = 0;
	}
	a->used = 0;
}

static void arena_fini(struct arena *a)
{
	arena_reset(a);
	free(a->block);
	free(a->extra);
}

/* ---- pool --------------------------------------------------------------- */

#define POOL_BLOCK ((size_t)256 << 10)

static void *pool_alloc(struct pool *p, size_t size, size_t align)
{
	size_t at;

	if (p->cur) {
		at = (p->used + align - 1) & ~(align - 1);
		if (at <= p->caps[p->cur - 1] &&
		    size <= p->caps[p->cur - 1] - at) {
			p->used = at + size;
			p->total += size;
			return p->blocks[p->cur - 1] + at;
		}
	}
	if (p->cur == p->n_blocks) {
		p->blocks = swt_grow(p->blocks, &p->cap_blocks,
				     p->n_blocks + 1, sizeof(*p->blocks));
		p->caps = swt_reallocarray(p->caps, p->cap_blocks,
					   sizeof(*p->caps));
		p->blocks[p->n_blocks] = NULL;
		p->caps[p->n_blocks] = 0;
		p->n_blocks++;
	}
	if (p->caps[p->cur] < size) {
		/* a block too small for this one: replace it */
		free(p->blocks[p->cur]);
		p->caps[p->cur] = size > POOL_BLOCK ? size : POOL_BLOCK;
		p->blocks[p->cur] = swt_zalloc(p->caps[p->cur]);
	}
	p->cur++;
	p->used = size;
	p->total += size;
	return p->blocks[p->cur - 1];
}

static void *pool_dup(struct pool *p, const void *src, size_t size,
		      size_t align)
{
	void *d = pool_alloc(p, size ? size : 1, align);

	if (size)
		memcpy(d, src, size);
	return d;
}

/* A NUL-terminated copy of `len` bytes. */
static const char *pool_dup_str(struct pool *p, const char *src, size_t len)
{
	char *d = pool_alloc(p, len + 1, 1);

	if (len)
		memcpy(d, src, len);
	d[len] = '\0';
	return d;
}

static void pool_reset(struct pool *p)
{
	p->cur = 0;
	p->used = 0;
	p->total = 0;
}

static void pool_fini(struct pool *p)
{
	size_t i;

	for (i = 0; i < p->n_blocks; i++)
		free(p->blocks[i]);
	free(p->blocks);
	free(p->caps);
	memset(p, 0, sizeof(*p));
}

/* ---- chunk decoder ------------------------------------------------------ */

static void dec_init(struct chunk_dec *d)
{
	memset(d, 0, sizeof(*d));
	d->pballoc.alloc = arena_alloc;
	d->pballoc.free = arena_free;
	d->pballoc.allocator_data = &d->arena;
	d->strings = &d->own_strings;
}

static void dec_fini(struct chunk_dec *d)
{
	arena_fini(&d->arena);
	free(d->strs);
	pool_fini(&d->own_strings);
	free(d->procs[0]);
	free(d->procs[1]);
	free(d->dprocs);
	free(d->lpids);
	free(d->bpids);
	free(d->btids);
	free(d->dthreads);
	free(d->dsame);
	free(d->dtsame);
	free(d->threads[0]);
	free(d->threads[1]);
	free(d->netdevs);
	free(d->tends);
	free(d->reset_pids);
	free(d->gone);
	free(d->tgone);
	free(d->events);
}

/* Start decoding a decompressed chunk; its strings go to `strings`. */
static void dec_start(struct chunk_dec *d, const unsigned char *chunk,
		      size_t len, bool salvage, struct pool *strings,
		      size_t off)
{
	static uint64_t decodes;	/* (any reader, any thread) */

	d->chunk = chunk;
	d->chunk_id = (uint64_t)off + 1;
	d->decode_id = __atomic_add_fetch(&decodes, 1, __ATOMIC_RELAXED);
	d->n_samples = 0;
	d->chunk_len = len;
	d->chunk_pos = 0;
	d->salvage = salvage;
	d->last_t = 0;
	if (d->strs)
		memset(d->strs, 0, d->cap_strs * sizeof(*d->strs));
	d->strings = strings;
	pool_reset(strings);
	d->n_pbase = d->n_tbase = 0;
	d->bpids_ok = d->btids_ok = false;
	d->n_reset = 0;
	d->unknown = 0;
}

/* ---- errors and damage ------------------------------------------------- */

static int set_err(struct swt_reader *r, int status, uint64_t off,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int set_err(struct swt_reader *r, int status, uint64_t off,
		   const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(r->errmsg, sizeof(r->errmsg), "%s: offset %llu: ",
		     r->name, (unsigned long long)off);
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof(r->errmsg))
		vsnprintf(r->errmsg + n, sizeof(r->errmsg) - (size_t)n, fmt,
			  ap);
	va_end(ap);
	return status;
}

static int add_damage(struct swt_reader *r, int status, uint64_t off,
		      uint64_t len, const char *what)
{
	struct swt_damage *d;
	size_t i;

	set_err(r, status, off, "%s", what);
	for (i = 0; i < r->n_damage; i++)	/* seen before (re-scan) */
		if (r->damage[i].offset == off)
			return status;
	if (r->n_damage && status == SWT_ECORRUPT) {
		d = &r->damage[r->n_damage - 1];
		/* adjacent garbage found while resynchronising: extend */
		if (d->status == SWT_ECORRUPT && d->offset + d->length == off) {
			d->length += len;
			return status;
		}
	}
	r->damage = swt_grow(r->damage, &r->cap_damage, r->n_damage + 1,
			     sizeof(*r->damage));
	d = &r->damage[r->n_damage++];
	memset(d, 0, sizeof(*d));
	d->offset = off;
	d->length = len;
	d->status = status;
	d->t_prev_ns = r->last_rec_t;
	snprintf(d->what, sizeof(d->what), "%s", what);
	return status;
}

/* add_damage() for an index that is ignored: no record is lost. */
static int index_damage(struct swt_reader *r, uint64_t off, uint64_t len,
			const char *what)
{
	size_t n = r->n_damage;
	int status = add_damage(r, SWT_ECORRUPT, off, len, what);

	if (r->n_damage > n)
		r->damage[n].no_loss = true;
	return status;
}

uint64_t swt_reader_get_offset(const struct swt_reader *r)
{
	return r->chunk_off;
}

size_t swt_reader_damage_count(const struct swt_reader *r)
{
	return r->n_damage;
}

const struct swt_damage *swt_reader_get_damage(const struct swt_reader *r,
					       size_t i)
{
	return i < r->n_damage ? &r->damage[i] : NULL;
}

const char *swt_reader_errmsg(const struct swt_reader *r)
{
	return r ? r->errmsg : "";
}

void swt_reader_get_stats(const struct swt_reader *r,
			  struct swt_reader_stats *out)
{
	*out = r->stats;
}

const struct swt_header *swt_reader_get_header(const struct swt_reader *r)
{
	return &r->header;
}

/* ---- opening ------------------------------------------------------------ */

static int parse_header(struct swt_reader *r)
{
	const unsigned char *d = r->data;
	uint32_t magic, size, hlen, major, minor;
	Swt__Pb__SessionHeader *h;

	if (r->len < 8 + SWT_HEADER_PREFIX_LEN) {
		if (r->len >= 4 &&
		    swt_codec__get_le32(d) != SWT_HEADER_FRAME_MAGIC)
			return set_err(r, SWT_ECORRUPT, 0,
				       "not a swt session file (bad magic)");
		return set_err(r, SWT_ETRUNCATED, r->len,
			       r->len ? "file ends inside the header frame" :
					"empty file");
	}
	magic = swt_codec__get_le32(d);
	if (magic != SWT_HEADER_FRAME_MAGIC ||
	    memcmp(d + 8, SWT_FILE_MAGIC, SWT_FILE_MAGIC_LEN) != 0)
		return set_err(r, SWT_ECORRUPT, magic != SWT_HEADER_FRAME_MAGIC ?
				       0 : 8,
			       "not a swt session file (bad magic)");
	major = (uint32_t)d[16] | (uint32_t)d[17] << 8;
	minor = (uint32_t)d[18] | (uint32_t)d[19] << 8;
	if (major != SWT_FORMAT_MAJOR)
		return set_err(r, SWT_EVERSION, 16,
			       "format version %u.%u is not supported (this "
			       "reader reads %u.x)",
			       major, minor, SWT_FORMAT_MAJOR);
	size = swt_codec__get_le32(d + 4);
	hlen = swt_codec__get_le32(d + 24);
	if (size < SWT_HEADER_PREFIX_LEN ||
	    size > SWT_HEADER_PREFIX_LEN + SWT_MAX_HEADER_BYTES ||
	    hlen > size - SWT_HEADER_PREFIX_LEN)
		return set_err(r, SWT_ECORRUPT, 4,
			       "bad header frame size %u (header %u bytes)",
			       size, hlen);
	if ((uint64_t)size + 8 > r->len)
		return set_err(r, SWT_ETRUNCATED, r->len,
			       "file ends inside the header frame (%u bytes "
			       "expected)",
			       size + 8);
	/* An empty SessionHeader decodes as a valid message of zeros, but
	 * without clock_ticks no CPU time of the file means anything: the
	 * session cannot be interpreted, as with a bad magic (format.md §2). */
	if (hlen == 0)
		return set_err(r, SWT_ECORRUPT, 24,
			       "session header length is 0 (no session "
			       "header)");
	h = swt__pb__session_header__unpack(NULL, hlen,
					   d + 8 + SWT_HEADER_PREFIX_LEN);
	if (!h)
		return set_err(r, SWT_ECORRUPT, 8 + SWT_HEADER_PREFIX_LEN,
			       "undecodable session header");
	if (h->clock_ticks == 0) {
		swt__pb__session_header__free_unpacked(h, NULL);
		return set_err(r, SWT_ECORRUPT, 8 + SWT_HEADER_PREFIX_LEN,
			       "session header without clock_ticks (the unit "
			       "of every CPU time)");
	}
	if (h->clock_ticks > SWT_MAX_CLOCK_TICKS) {
		uint32_t ct = h->clock_ticks;

		swt__pb__session_header__free_unpacked(h, NULL);
		return set_err(r, SWT_ECORRUPT, 8 + SWT_HEADER_PREFIX_LEN,
			       "session header: clock_ticks %u is absurd "
			       "(over %u per second)",
			       ct, SWT_MAX_CLOCK_TICKS);
	}
	r->hdr_msg = h;
	r->data_start = 8 + (size_t)size;
	r->header.format_major = major;
	r->header.format_minor = minor;
	r->header.recorder = h->recorder;
	r->header.zstd_version = h->zstd_version;
	r->header.kernel = h->kernel;
	r->header.alert_config = h->alert_config ? h->alert_config : "";
	r->header.sampler = h->sampler ? h->sampler : "";
	r->header.clock_ticks = h->clock_ticks;
	r->header.page_size = h->page_size;
	r->header.cpu_count = h->cpu_count;
	r->header.mem_total_kib = h->mem_total_kib;
	r->header.interval_ns = h->interval_ns;
	r->header.flush_interval_ns = h->flush_interval_ns;
	r->header.start_mono_ns = h->start_mono_ns;
	r->header.start_wall_ns = h->start_wall_ns;
	r->header.mode = (enum swt_mode)h->mode;
	r->header.n_command = h->n_command;
	r->header.command = (const char *const *)h->command;
	r->header.n_attach_pids = h->n_attach_pids;
	r->header.attach_pids = h->attach_pids;
	r->header.boot_time_s = h->boot_time_s;
	r->header.threads = h->threads;
	r->header.event_clock = h->event_clock ? h->event_clock : "";
	r->header.tsc_hz = h->tsc_hz;
	r->header.tsc0 = h->tsc0;
	r->header.tsc_mono0_ns = h->tsc_mono0_ns;
	r->header.tsc_mult = h->tsc_mult;
	r->header.tsc_shift = h->tsc_shift;
	r->header.tsc_skew_ns = h->tsc_skew_ns;
	return 0;
}

/* Find and validate the index frame at the end of the file. A missing
 * index is normal (crashed or live recording); a damaged one is damage. */
static void find_index(struct swt_reader *r)
{
	const unsigned char *d = r->data, *t;
	uint64_t frame_off, ilen;
	Swt__Pb__Index *idx;
	uint64_t prev_end;
	size_t i;

	r->data_end = r->len;
	if (r->len < r->data_start + 8 + SWT_INDEX_TRAILER_LEN)
		return;
	t = d + r->len - SWT_INDEX_TRAILER_LEN;
	if (memcmp(t + 16, SWT_INDEX_MAGIC, SWT_INDEX_MAGIC_LEN) != 0)
		return;
	ilen = swt_codec__get_le32(t);
	frame_off = swt_codec__get_le64(t + 8);
	if (ilen > SWT_MAX_INDEX_BYTES || frame_off < r->data_start ||
	    frame_off + 8 + ilen + SWT_INDEX_TRAILER_LEN != r->len ||
	    swt_codec__get_le32(d + frame_off) != SWT_INDEX_FRAME_MAGIC ||
	    swt_codec__get_le32(d + frame_off + 4) !=
		    ilen + SWT_INDEX_TRAILER_LEN ||
	    swt_codec__get_le32(t + 4) !=
		    swt_codec__crc32c(d + frame_off + 8, ilen)) {
		index_damage(r, r->len - SWT_INDEX_TRAILER_LEN,
			   SWT_INDEX_TRAILER_LEN,
			   "index frame damaged (ignored, scanning frames)");
		return;
	}
	idx = swt__pb__index__unpack(NULL, ilen, d + frame_off + 8);
	if (!idx) {
		index_damage(r, frame_off, 8 + ilen,
			   "undecodable index (ignored, scanning frames)");
		return;
	}
	prev_end = r->data_start;
	for (i = 0; i < idx->n_chunks; i++) {
		const Swt__Pb__IndexEntry *e = idx->chunks[i];

		if (e->offset < prev_end || e->size > frame_off ||
		    e->offset > frame_off - e->size) {
			index_damage(r, frame_off, 8 + ilen,
				   "index entries out of range (ignored)");
			swt__pb__index__free_unpacked(idx, NULL);
			return;
		}
		prev_end = e->offset + e->size;
	}
	r->index = idx;
	/* SWT_READER_NO_INDEX: the index is checked (a finished file) but
	 * not used: frames are scanned and chunks not compared with it */
	r->index_trusted = !(r->flags & SWT_READER_NO_INDEX);
	r->data_end = (size_t)frame_off;
	r->stats.has_index = true;
}

static int open_common(struct swt_reader *r)
{
	int err;

	r->dctx = ZSTD_createDCtx();
	if (!r->dctx)
		return set_err(r, SWT_EIO, 0, "cannot create zstd context");
	r->last_rec_t = INT64_MIN;
	r->prev_chunk_last_t = INT64_MIN;
	r->stats.file_size = r->len;
	r->stats.t_first_ns = INT64_MAX;
	r->stats.t_last_ns = INT64_MIN;
	err = parse_header(r);
	if (err < 0)
		return err;
	find_index(r);
	r->pos = r->data_start;
	return 0;
}

static struct swt_reader *reader_new(const char *name, unsigned flags)
{
	struct swt_reader *r = swt_zalloc(sizeof(*r));

	r->name = swt_strdup(name ? name : "(memory)");
	r->flags = flags;
	r->dir_status = 1;
	swt_procdir_init(&r->dir);
	dec_init(&r->dec);
	return r;
}

static int finish_open(struct swt_reader **out, struct swt_reader *r,
		       int err, char *errmsg, size_t errlen)
{
	if (err < 0) {
		if (errmsg && errlen)
			snprintf(errmsg, errlen, "%s", r->errmsg);
		swt_reader_free(r);
		return err;
	}
	*out = r;
	return 0;
}

int swt_reader_open_mem(struct swt_reader **out, const void *data,
			size_t len, const char *name, unsigned flags,
			char *errmsg, size_t errlen)
{
	struct swt_reader *r = reader_new(name, flags);

	*out = NULL;
	r->data = data;
	r->len = len;
	return finish_open(out, r, open_common(r), errmsg, errlen);
}

int swt_reader_open(struct swt_reader **out, const char *path, unsigned flags,
		    char *errmsg, size_t errlen)
{
	struct swt_reader *r = reader_new(path, flags);
	struct stat st;
	int fd = -1, err = 0;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno == ENOENT ? SWT_ENOTFOUND : SWT_EIO;
		snprintf(r->errmsg, sizeof(r->errmsg), "%s: %s", r->name,
			 strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		err = SWT_EIO;
		snprintf(r->errmsg, sizeof(r->errmsg), "%s: %s", r->name,
			 strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err = SWT_EIO;
		snprintf(r->errmsg, sizeof(r->errmsg),
			 "%s: not a regular file", r->name);
		goto out;
	}
	r->len = (size_t)st.st_size;
	if (r->len) {
		void *p = mmap(NULL, r->len, PROT_READ, MAP_PRIVATE, fd, 0);

		if (p == MAP_FAILED) {
			err = set_err(r, SWT_EIO, 0, "mmap: %s",
				      strerror(errno));
			goto out;
		}
		r->data = p;
		r->mapped = true;
		/* records are read front to back */
		madvise(p, r->len, MADV_SEQUENTIAL);
	}
	err = open_common(r);
out:
	if (fd >= 0)
		close(fd);
	return finish_open(out, r, err, errmsg, errlen);
}

static int load_directory(struct swt_reader *r)
{
	const Swt__Pb__Index *ix = r->index;
	const unsigned char *d = r->data;
	unsigned char *raw = NULL;
	Swt__Pb__Directory *m = NULL;
	uint64_t off, size, rawsz, chunks_end = r->data_start;
	unsigned long long content;
	size_t i;
	int err = SWT_ECORRUPT;

	if (!ix || ix->directory_size == 0)
		return SWT_ENOTFOUND;
	off = ix->directory_offset;
	size = ix->directory_size;
	rawsz = ix->directory_raw_size;
	if (ix->n_chunks)
		chunks_end = ix->chunks[ix->n_chunks - 1]->offset +
			     ix->chunks[ix->n_chunks - 1]->size;
	if (off < chunks_end || off > r->data_end || size > r->data_end ||
	    off + 8 > r->data_end - size ||
	    swt_codec__get_le32(d + off) != SWT_DIRECTORY_FRAME_MAGIC ||
	    swt_codec__get_le32(d + off + 4) != size) {
		set_err(r, SWT_ECORRUPT, off,
			"process directory out of place (read from the start)");
		return SWT_ECORRUPT;
	}
	if (swt_codec__crc32c(d + off + 8, (size_t)size) != ix->directory_crc) {
		set_err(r, SWT_ECORRUPT, off,
			"process directory checksum mismatch (read from the start)");
		return SWT_ECORRUPT;
	}
	content = ZSTD_getFrameContentSize(d + off + 8, (size_t)size);
	if (rawsz > SWT_MAX_DIRECTORY_BYTES || content != rawsz) {
		set_err(r, SWT_ECORRUPT, off,
			"process directory of a bad size (read from the start)");
		return SWT_ECORRUPT;
	}
	raw = malloc(rawsz ? (size_t)rawsz : 1);
	if (!raw)
		abort();
	if (ZSTD_decompress(raw, (size_t)rawsz, d + off + 8, (size_t)size) !=
		    rawsz ||
	    !(m = swt__pb__directory__unpack(NULL, (size_t)rawsz, raw))) {
		set_err(r, SWT_ECORRUPT, off,
			"undecodable process directory (read from the start)");
		goto out;
	}
	for (i = 0; i < m->n_procs; i++) {
		const Swt__Pb__DirProc *p = m->procs[i];
		struct swt_proc_start ps;

		if (p->exited && p->t_exit_ns < p->t_start_ns) {
			set_err(r, SWT_ECORRUPT, off,
				"process directory entry %zu exits before it starts (read from the start)", i);
			goto out;
		}
		memset(&ps, 0, sizeof(ps));
		ps.pid = p->pid;
		ps.ppid = p->ppid;
		ps.start_ticks = p->start_ticks;
		ps.uid = p->uid;
		ps.preexisting = p->preexisting;
		ps.comm = (const char *)p->comm.data;
		ps.exe = (const char *)p->exe.data;
		ps.cmdline = (const char *)p->cmdline.data;
		ps.cmdline_len = p->cmdline.len;
		swt_procdir_add(&r->dir, &ps, p->comm.len, p->exe.len,
				p->t_start_ns);
		r->dir.procs[r->dir.n - 1].exited = p->exited;
		r->dir.procs[r->dir.n - 1].t_exit_ns = p->t_exit_ns;
	}
	err = 0;
out:
	if (m)
		swt__pb__directory__free_unpacked(m, NULL);
	free(raw);
	return err;
}

int swt_reader_directory(struct swt_reader *r,
			 const struct swt_dir_proc **out, size_t *n)
{
	if (r->dir_status == 1)
		r->dir_status = load_directory(r);
	*out = r->dir_status == 0 ? r->dir.procs : NULL;
	*n = r->dir_status == 0 ? r->dir.n : 0;
	return r->dir_status;
}

void swt_reader_free(struct swt_reader *r)
{
	if (!r)
		return;
	pdec_free(r->pd);	/* its threads read the mapping */
	if (r->mapped)
		munmap((void *)(uintptr_t)r->data, r->len);
	if (r->hdr_msg)
		swt__pb__session_header__free_unpacked(r->hdr_msg, NULL);
	if (r->index)
		swt__pb__index__free_unpacked(r->index, NULL);
	swt_procdir_fini(&r->dir);
	ZSTD_freeDCtx(r->dctx);
	free(r->chunk);
	dec_fini(&r->dec);
	free(r->damage);
	free(r->name);
	free(r);
}

/* ---- frames --------------------------------------------------------------- */

static bool is_skippable(uint32_t magic)
{
	return (magic & 0xFFFFFFF0u) == 0x184D2A50u;
}

/* Offset of the next plausible frame start after `from`, or data_end. With
 * an index, the next indexed chunk is the answer. */
static size_t resync(const struct swt_reader *r, size_t from)
{
	size_t i;

	if (r->index_trusted) {
		const Swt__Pb__IndexEntry *last;

		for (i = 0; i < r->index->n_chunks; i++)
			if (r->index->chunks[i]->offset >= from)
				return (size_t)r->index->chunks[i]->offset;
		/* after the last chunk: the end of its frame (a process
		 * directory frame may follow it, format 1.6) */
		last = r->index->n_chunks ?
			       r->index->chunks[r->index->n_chunks - 1] :
			       NULL;
		if (last && last->offset + last->size >= from &&
		    last->offset + last->size < r->data_end)
			return (size_t)(last->offset + last->size);
		return r->data_end;
	}
	for (i = from; i + 4 <= r->data_end; i++) {
		uint32_t m = swt_codec__get_le32(r->data + i);

		if (m == SWT_ZSTD_FRAME_MAGIC || is_skippable(m))
			return i;
	}
	return r->data_end;
}

/* The times of the records of the decompressed chunk, by a light pass over
 * their dt_ns (field 1 of Record) without unpacking them: the first and
 * last, the smallest and the largest. Returns the record count; 0 when
 * there is none or the records are malformed (decoding reports that). A
 * salvaged chunk's cut last record is not counted. */
struct chunk_times {
	int64_t first, last, min, max;
};

static size_t scan_chunk_times(struct chunk_times *out,
			       const unsigned char *p, size_t len,
			       bool salvage)
{
	size_t pos = 0, n_rec = 0;
	int64_t t = 0;

	while (pos < len) {
		uint64_t rlen, tag, v;
		size_t end;
		int n = swt_codec__get_varint(p + pos, len - pos, &rlen);

		if (n <= 0 || rlen > len - pos - (size_t)n)
			return salvage ? n_rec : 0;
		pos += (size_t)n;
		end = pos + (size_t)rlen;
		v = 0;
		while (pos < end) {
			n = swt_codec__get_varint(p + pos, end - pos, &tag);
			if (n <= 0)
				return 0;
			pos += (size_t)n;
			switch (tag & 7) {
			case 0: {
				uint64_t x;

				n = swt_codec__get_varint(p + pos, end - pos,
							  &x);
				if (n <= 0)
					return 0;
				if (tag >> 3 == 1)
					v = x;
				pos += (size_t)n;
				break;
			}
			case 1:
			case 5:
				if (end - pos < ((tag & 7) == 1 ? 8u : 4u))
					return 0;
				pos += (tag & 7) == 1 ? 8 : 4;
				break;
			case 2: {
				uint64_t l;

				n = swt_codec__get_varint(p + pos, end - pos,
							  &l);
				if (n <= 0 || l > end - pos - (size_t)n)
					return 0;
				pos += (size_t)n + (size_t)l;
				break;
			}
			default:
				return 0;
			}
		}
		/* sint64: zigzag */
		t = wadd(t, (int64_t)(v >> 1) ^ -(int64_t)(v & 1));
		if (n_rec++ == 0) {
			out->first = out->min = out->max = t;
		} else {
			if (t < out->min)
				out->min = t;
			if (t > out->max)
				out->max = t;
		}
		out->last = t;
	}
	return n_rec;
}

/* The index entry of the chunk at `off`, or NULL. */
static const Swt__Pb__IndexEntry *index_entry_at(const struct swt_reader *r,
						 uint64_t off)
{
	size_t lo = 0, hi = r->index->n_chunks;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->index->chunks[mid]->offset < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < r->index->n_chunks && r->index->chunks[lo]->offset == off)
		return r->index->chunks[lo];
	return NULL;
}

/* Check a decompressed chunk (frame at `off`, `size` bytes) against the
 * index and against the chunk before it (format.md §5):
 *  - if the index does not list it with this size and these first and last
 *    times, the index is ignored from here on (damage with no record lost)
 *    and the frames are scanned;
 *  - if its first record is earlier than the last record of the previous
 *    chunk handed out, the file's chunks are out of order (moved or
 *    swapped): the chunk is damage and *skip is set.
 * Returns 0 or the status of the damage added. */
static int check_chunk(struct swt_reader *r, size_t off, size_t size,
		       const struct chunk_times *tp, size_t n_rec, bool salvage,
		       bool *skip)
{
	struct chunk_times ct = *tp;
	char msg[320], why[128] = "";
	int st = 0;

	*skip = false;
	if (!n_rec)
		return 0;
	if (r->index_trusted && !salvage) {
		const Swt__Pb__IndexEntry *e = index_entry_at(r, off);

		if (!e)
			snprintf(why, sizeof(why), "no index entry");
		else if (e->size != size)
			snprintf(why, sizeof(why),
				 "%zu bytes, the index says %llu", size,
				 (unsigned long long)e->size);
		else if (e->t_first_ns != ct.min || e->t_last_ns != ct.max)
			snprintf(why, sizeof(why),
				 "times %lld..%lld, the index says %lld..%lld",
				 (long long)ct.min, (long long)ct.max,
				 (long long)e->t_first_ns,
				 (long long)e->t_last_ns);
		if (why[0]) {
			r->index_trusted = false;
			snprintf(msg, sizeof(msg),
				 "index disagrees with the chunk at offset "
				 "%zu (%s): index ignored, scanning frames",
				 off, why);
			st = index_damage(r, r->data_end,
					  r->len - r->data_end, msg);
		}
	}
	if (r->prev_chunk_last_t != INT64_MIN &&
	    ct.first < r->prev_chunk_last_t) {
		size_t n = r->n_damage;

		snprintf(msg, sizeof(msg),
			 "chunk at offset %zu goes back in time (first record "
			 "t=%lld ns, previous chunk ends t=%lld ns): skipped",
			 off, (long long)ct.first,
			 (long long)r->prev_chunk_last_t);
		st = add_damage(r, SWT_ECORRUPT, off, size, msg);
		if (r->n_damage > n) {
			r->damage[n].lost_span = true;
			r->damage[n].lost_first_ns = ct.min;
			r->damage[n].lost_last_ns = ct.max;
		}
		*skip = true;
		return st;
	}
	r->prev_chunk_last_t = ct.last;
	return st;
}

/* What decompressing one frame gave. */
struct zframe {
	int rc;			/* 0 complete (checksum verified), 1
				 * unfinished (input ends inside it), -1
				 * damaged */
	size_t consumed;	/* frame bytes, when complete */
	size_t len;		/* bytes decompressed */
	char what[160];		/* why damaged */
};

/* Decompress the zstd frame at `start` (the input runs to `end`) into
 * *buf, grown up to SWT_MAX_CHUNK_RAW_BYTES. The same on the caller's
 * thread and on a decoding thread, so both see the same bytes and the same
 * damage. */
static void decompress_frame(ZSTD_DCtx *dctx, const unsigned char *data,
			     size_t start, size_t end, unsigned char **buf,
			     size_t *cap, struct zframe *out)
{
	ZSTD_inBuffer in = { data + start, end - start, 0 };
	size_t rc = 1;

	ZSTD_DCtx_reset(dctx, ZSTD_reset_session_only);
	out->len = 0;
	out->consumed = 0;
	out->what[0] = '\0';
	for (;;) {
		ZSTD_outBuffer o;

		if (out->len == *cap) {
			if (*cap >= SWT_MAX_CHUNK_RAW_BYTES) {
				snprintf(out->what, sizeof(out->what),
					 "chunk larger than %u bytes "
					 "decompressed",
					 SWT_MAX_CHUNK_RAW_BYTES);
				out->rc = -1;
				return;
			}
			*cap = *cap ? *cap * 2 : (size_t)1 << 20;
			if (*cap > SWT_MAX_CHUNK_RAW_BYTES)
				*cap = SWT_MAX_CHUNK_RAW_BYTES;
			*buf = swt_reallocarray(*buf, *cap, 1);
		}
		o.dst = *buf;
		o.size = *cap;
		o.pos = out->len;
		rc = ZSTD_decompressStream(dctx, &o, &in);
		out->len = o.pos;
		if (ZSTD_isError(rc)) {
			snprintf(out->what, sizeof(out->what),
				 "damaged chunk: %s", ZSTD_getErrorName(rc));
			out->rc = -1;
			return;
		}
		if (rc == 0)
			break;	/* frame complete, checksum verified */
		if (in.pos == in.size && o.pos < o.size) {
			/* input exhausted inside the frame: unfinished */
			break;
		}
	}
	out->rc = rc == 0 ? 0 : 1;
	out->consumed = in.pos;
}

/* Account for the frame at r->pos that `z` describes (decompressed here or
 * by a decoding thread), its times `ct` over `n_rec` records. Returns 0
 * when the frame (or a salvageable prefix of it) is ready to be read, 1
 * when it was skipped as damaged, or a damage status (for strict mode). */
static int frame_loaded(struct swt_reader *r, const struct zframe *z,
			const struct chunk_times *ct, size_t n_rec)
{
	size_t start = r->pos, next;
	bool skip;
	int st;

	r->stats.chunks++;
	if (z->rc < 0) {
		next = resync(r, start + 1);
		if (!r->index_trusted) {
			size_t fs = ZSTD_findFrameCompressedSize(
				r->data + start, r->data_end - start);

			if (!ZSTD_isError(fs) && fs > 0 &&
			    start + fs <= r->data_end)
				next = start + fs;
		}
		r->pos = next;
		r->in_chunk = false;
		return add_damage(r, SWT_ECORRUPT, start, next - start,
				  z->what);
	}
	r->chunk_off = start;
	r->pending_status = 0;
	r->salvage = z->rc != 0;
	r->pos = z->rc == 0 ? start + z->consumed : r->data_end;
	st = check_chunk(r, start, r->pos - start, ct, n_rec, z->rc != 0,
			 &skip);
	if (skip) {
		r->in_chunk = false;
		return st;
	}
	r->in_chunk = true;
	if (z->rc == 0) {
		r->stats.chunks_ok++;
		return st;
	}
	r->stats.chunks_salvaged++;
	r->pending_status = add_damage(
		r, SWT_ETRUNCATED, start, r->data_end - start,
		"unfinished chunk (recording did not finish): records "
		"salvaged up to the last complete one");
	return 0;
}

static bool pdec_take(struct swt_reader *r, size_t start, int *status);
static void pdec_leave(struct swt_reader *r);

/* Load the zstd frame at r->pos: from the decoding threads when they have
 * it, else decompressed here into r->chunk. */
static int load_frame(struct swt_reader *r)
{
	struct chunk_times ct = { 0, 0, 0, 0 };
	struct zframe z;
	size_t n_rec = 0;
	int st;

	if (r->pd) {
		pdec_leave(r);
		if (pdec_take(r, r->pos, &st))
			return st;	/* frame_loaded() ran */
	}
	decompress_frame(r->dctx, r->data, r->pos, r->data_end, &r->chunk,
			 &r->chunk_cap, &z);
	if (z.rc >= 0) {
		n_rec = scan_chunk_times(&ct, r->chunk, z.len, z.rc != 0);
		dec_start(&r->dec, r->chunk, z.len, z.rc != 0,
			  &r->dec.own_strings, r->pos);
	}
	return frame_loaded(r, &z, &ct, n_rec);
}

/* ---- records ---------------------------------------------------------- */

static const char *str_get(const struct chunk_dec *d, uint32_t id)
{
	if (id == 0 || id >= d->cap_strs || !d->strs[id].defined)
		return "";
	return d->strs[id].p;
}

static int def_string(struct chunk_dec *d, const Swt__Pb__StringDef *s)
{
	size_t need = (size_t)s->id + 1;

	if (s->id == 0 || s->id > MAX_STRING_ID)
		return -1;
	if (need > d->cap_strs) {
		size_t old = d->cap_strs;

		d->strs = swt_grow(d->strs, &d->cap_strs, need,
				   sizeof(*d->strs));
		memset(d->strs + old, 0, (d->cap_strs - old) * sizeof(*d->strs));
	}
	d->strs[s->id].p = pool_dup_str(d->strings,
					(const char *)s->value.data,
					s->value.len);
	d->strs[s->id].defined = true;
	return 0;
}

static bool was_reset(const struct chunk_dec *d, int32_t pid)
{
	size_t i;

	for (i = 0; i < d->n_reset; i++)
		if (d->reset_pids[i] == pid)
			return true;
	return false;
}

/* A sparse sample's rows (format 1.8; its thread rows, 1.9): its own rows,
 * decoded into rows[nb, nb + n), go in id order among the base's rows that
 * are neither gone nor replaced by one of them, from rows[0] (a row is
 * never written over before it is read: the k-th row written comes from
 * rows[nb + i] with k <= nb + i). Rows of `size` bytes, their id (pid,
 * tid) the first int32_t, the pid a ProcStart names at reset_off. gone[0,
 * n_gone): ascending. same[k] says whether row k was carried over
 * (swt_sample.proc_same, thread_same). Returns the rows. */
static inline __attribute__((always_inline)) size_t
merge_rows(const struct chunk_dec *d, void *rows_v, size_t size,
	   size_t reset_off, uint8_t *same, const void *base_v, size_t nb,
	   size_t n, const int32_t *gone, size_t n_gone)
{
	unsigned char *rows = rows_v;
	const unsigned char *base = base_v, *own = rows + nb * size;
	size_t i = 0, j = 0, g = 0, o = 0;

#define ID(p) (*(const int32_t *)(const void *)(p))
	while (i < n || j < nb) {
		const unsigned char *b = base + j * size, *w = own + i * size;

		if (j < nb && (i == n || ID(b) < ID(w))) {
			while (g < n_gone && gone[g] < ID(b))
				g++;
			if (g == n_gone || gone[g] != ID(b)) {
				/* (a row of a pid started again in between
				 * is no repeat, whatever the file says) */
				same[o] = !d->n_reset ||
					  !was_reset(d, ID(b + reset_off));
				memcpy(rows + o * size, b, size);
				o++;
			}
			j++;
			continue;
		}
		if (j < nb && ID(b) == ID(w))
			j++;	/* its successor */
		if (rows + o * size != w)
			memcpy(rows + o * size, w, size);
		same[o] = 0;
		o++;
		i++;
	}
#undef ID
	return o;
}

static size_t sparse_merge(const struct chunk_dec *d,
			   struct swt_proc_row *rows, uint8_t *same,
			   const struct swt_proc_row *base, size_t nb,
			   size_t n, const int32_t *gone, size_t n_gone)
{
	return merge_rows(d, rows, sizeof(*rows),
			  offsetof(struct swt_proc_row, pid), same, base, nb,
			  n, gone, n_gone);
}

static size_t thread_merge(const struct chunk_dec *d,
			   struct swt_thread_row *rows, uint8_t *same,
			   const struct swt_thread_row *base, size_t nb,
			   size_t n, const int32_t *gone, size_t n_gone)
{
	return merge_rows(d, rows, sizeof(*rows),
			  offsetof(struct swt_thread_row, tgid), same, base,
			  nb, n, gone, n_gone);
}

/* A sparse sample's gone ids (pids or tids): n deltas from col, ascending,
 * no more than the base's rows, into *out. */
static bool gone_ids(int32_t **out, size_t *cap, const int32_t *col,
		     size_t n, size_t n_base)
{
	int64_t id = 0;
	size_t i;

	if (n > n_base)
		return false;
	*out = swt_grow(*out, cap, n ? n : 1, sizeof(**out));
	for (i = 0; i < n; i++) {
		id += col[i];
		if ((i && id <= (*out)[i - 1]) || id < INT32_MIN ||
		    id > INT32_MAX)
			return false;
		(*out)[i] = (int32_t)id;
	}
	return true;
}

/* Where the rows of the sample being decoded go: the batch a decoding
 * thread fills (d->rows_out), or the one of the two buffers that does not
 * hold the base; after them, one byte per row (swt_sample.proc_same). */
static struct swt_proc_row *proc_rows(struct chunk_dec *d, size_t n,
				      uint8_t **same)
{
	int cur = d->cur_procs ^ 1;
	size_t k = n + n / sizeof(struct swt_proc_row) + 1;
	struct swt_proc_row *rows;

	if (d->rows_out) {
		rows = pool_alloc(d->rows_out, k * sizeof(*rows), 16);
	} else {
		d->procs[cur] = swt_grow(d->procs[cur], &d->cap_procs[cur], k,
					 sizeof(**d->procs));
		rows = d->procs[cur];
	}
	*same = (uint8_t *)(rows + n);
	return rows;
}

static struct swt_thread_row *thread_rows(struct chunk_dec *d, size_t n,
					  uint8_t **same)
{
	int cur = d->cur_threads ^ 1;
	size_t k = n + n / sizeof(struct swt_thread_row) + 1;
	struct swt_thread_row *rows;

	if (d->rows_out) {
		rows = pool_alloc(d->rows_out, k * sizeof(*rows), 16);
	} else {
		d->threads[cur] = swt_grow(d->threads[cur],
					   &d->cap_threads[cur], k,
					   sizeof(**d->threads));
		rows = d->threads[cur];
	}
	*same = (uint8_t *)(rows + n);
	return rows;
}

/* Where an aligned sparse sample's own rows are decoded, with deltas asked
 * for (swt_reader_set_deltas()): n rows of `size` bytes, then their places
 * (*at), in the batch a decoding thread fills or in the output buffer that
 * does not hold the base (buf). With own_here, a decoding thread's rows
 * are room in buf (what goes over is decoded straight into the batch,
 * swt_sample.proc_cols: the rows are made there only when the sample's
 * pids came or went after all), their places go in the batch. */
static void *delta_rows(struct chunk_dec *d, void **buf, size_t *cap,
			size_t n, size_t size, uint32_t **at, bool own_here)
{
	size_t bytes = n * size + n * sizeof(uint32_t) + 1;
	unsigned char *rows;

	if (d->rows_out && own_here) {
		*buf = swt_grow(*buf, cap, n + 1, size);
		*at = pool_alloc(d->rows_out, n * sizeof(uint32_t) + 1, 16);
		return *buf;
	}
	if (d->rows_out) {
		rows = pool_alloc(d->rows_out, bytes, 16);
	} else {
		*buf = swt_grow(*buf, cap, bytes / size + 1, size);
		rows = *buf;
	}
	*at = (uint32_t *)(void *)(rows + n * size);
	return rows;
}

/* Such a sample taken (its rows come and go nowhere): the whole table, its
 * rows in base[0, nb) with the n own rows `own` in their places at[], is
 * kept in *keep (the base copied there first when it is elsewhere).
 * Returns the table, the next sample's base. */
static const void *delta_keep(void **keep, size_t *cap, const void *base,
			      size_t nb, const void *own, const uint32_t *at,
			      size_t n, size_t size)
{
	if (*keep != base || !nb) {
		*keep = swt_grow(*keep, cap, nb ? nb : 1, size);
		if (nb)
			memcpy(*keep, base, nb * size);
	}
	/* (always true: the places come from the pids matched, ascending) */
	(void)swt_rows_put(*keep, nb, own, size, at, n, NULL);
	return *keep;
}

/* The whole rows handed over for the table `keep` (nb rows of `size`
 * bytes, the own rows at places at[0, n)): the table itself on the
 * caller's thread (valid until the next record), a copy in the batch of a
 * decoding thread; *same its repeats (swt_sample.proc_same). */
static void *delta_whole(struct chunk_dec *d, const void *keep, size_t nb,
			 size_t size, const uint32_t *at, size_t n,
			 uint8_t **same, uint8_t **sbuf, size_t *scap)
{
	unsigned char *w;
	size_t i;

	if (d->rows_out) {
		w = pool_alloc(d->rows_out, nb * size + nb + 1, 16);
		if (nb)
			memcpy(w, keep, nb * size);
		*same = w + nb * size;
	} else {
		w = (unsigned char *)(uintptr_t)keep;
		*sbuf = swt_grow(*sbuf, scap, nb + 1, 1);
		*same = *sbuf;
	}
	if (nb)
		memset(*same, 1, nb);
	for (i = 0; i < n; i++)
		(*same)[at[i]] = 0;
	return w;
}

/* A sample whose rows came or went after all: its own n rows of `size`
 * bytes (decoded at own, from delta_rows()) moved after room for the
 * base's nb in rows (from proc_rows(), thread_rows()), for the merge. */
static void undelta(const struct chunk_dec *d, void *rows, const void *own,
		    size_t nb, size_t n, size_t size)
{
	unsigned char *r = rows;

	/* (on the caller's thread own is the start of the same buffer,
	 * perhaps moved) */
	if (!d->rows_out)
		memmove(r + nb * size, r, n * size);
	else if (n)
		memcpy(r + nb * size, own, n * size);
}

/* Whether thread row t (of a sample with a base) repeats its base row
 * b: its pid not started again in between, the same process, name and
 * counters (swt_sample.thread_same). */
static inline uint8_t thread_same(const struct chunk_dec *d,
				  const struct swt_thread_row *t,
				  const struct swt_thread_row *b)
{
	return b && t->tgid == b->tgid && t->name == b->name &&
	       t->utime == b->utime && t->stime == b->stime &&
	       (!d->n_reset || !was_reset(d, t->tgid));
}

/* The repeats of a sample (swt_sample.proc_same, thread_same): only
 * against a base, the previous sample of the chunk. */
static void set_same(struct chunk_dec *d, struct swt_sample *s,
		     const uint8_t *psame, const uint8_t *tsame, bool based)
{
	s->chunk_id = d->chunk_id;
	s->decode_id = d->decode_id;
	s->chunk_sample = d->n_samples++;
	s->proc_same = based ? psame : NULL;
	s->thread_same = based ? tsame : NULL;
	s->same_pids = based && s->same_pids;
	s->same_tids = based && s->same_tids;
	s->keep_rows = d->listed && d->rows_out;
}

/* A sample decoded: its rows are the base of the next. */
static void rows_done(struct chunk_dec *d, const struct swt_proc_row *rows,
		      size_t n, const struct swt_thread_row *trows, size_t nt,
		      bool same_pids, bool same_tids)
{
	/* (the packed ids hold while the base keeps its ids) */
	d->bpids_ok = d->bpids_ok && same_pids;
	d->btids_ok = d->btids_ok && same_tids;
	d->pbase = rows;
	d->n_pbase = n;
	d->tbase = trows;
	d->n_tbase = nt;
	if (!d->rows_out) {
		d->cur_procs ^= 1;
		d->cur_threads ^= 1;
	}
}

/* Column value i, or 0 when the column is absent. */
#define COLV(m, f, i) ((m)->n_##f ? (m)->f[i] : 0)

static int conv_sample(struct chunk_dec *d, const Swt__Pb__Sample *m,
		       int sparse)
{
	struct swt_sample *s = &d->rec.u.sample;
	size_t n = m->n_pid, nt = m->n_tid, i, j, n_gone = 0, n_tgone = 0;
	const struct swt_proc_row *base = d->pbase;
	size_t n_base = d->n_pbase;
	const struct swt_thread_row *tbase = d->tbase;
	size_t n_tbase = d->n_tbase;
	struct swt_proc_row *rows;
	struct swt_thread_row *trows;
	uint8_t *psame, *tsame;
	bool based = d->n_samples > 0;
	size_t n_match = 0, t_match = 0;
	int64_t id = 0;

#define CHECK_COL(f, len) \
	if (m->n_##f != 0 && m->n_##f != (len)) \
		return -1;
	CHECK_COL(utime, n) CHECK_COL(stime, n) CHECK_COL(rss_kib, n)
	CHECK_COL(vsz_kib, n) CHECK_COL(nthreads, n) CHECK_COL(minflt, n)
	CHECK_COL(majflt, n) CHECK_COL(io_read, n) CHECK_COL(io_write, n)
	CHECK_COL(vctxsw, n) CHECK_COL(ivctxsw, n) CHECK_COL(flags, n)
	CHECK_COL(cutime, n) CHECK_COL(cstime, n)
	CHECK_COL(net_tx, n) CHECK_COL(net_rx, n) CHECK_COL(socks_tcp, n)
	CHECK_COL(socks_udp, n) CHECK_COL(socks_other, n)
	CHECK_COL(tgid_off, nt) CHECK_COL(tname, nt) CHECK_COL(tutime, nt)
	CHECK_COL(tstime, nt)
#undef CHECK_COL
	if (n > SWT_MAX_SAMPLE_ROWS || nt > SWT_MAX_SAMPLE_ROWS - n) {
		d->bad = "sample with more rows than a machine has tasks";
		return -1;
	}
	if (sparse) {
		if (!gone_ids(&d->gone, &d->cap_gone, m->gone_pid,
			      m->n_gone_pid, n_base))
			return -1;
		n_gone = m->n_gone_pid;
	}

	/* sparse: its own rows after room for the base's */
	rows = proc_rows(d, sparse ? n_base + n : n, &psame);
	{
	struct swt_proc_row *const own = sparse ? rows + n_base : rows;
	/* the columns in locals, NULL when absent: the message's counts
	 * (size_t) could alias the rows written (int64_t) for the compiler,
	 * which would read them again for every value */
#define COLP(f) const int64_t *const c_##f = m->n_##f ? m->f : NULL
#define CV(f, i) (c_##f ? c_##f[i] : 0)
	const uint32_t *const c_flags = m->n_flags ? m->flags : NULL;
	COLP(utime);
	COLP(stime);
	COLP(rss_kib);
	COLP(vsz_kib);
	COLP(nthreads);
	COLP(minflt);
	COLP(majflt);
	COLP(io_read);
	COLP(io_write);
	COLP(vctxsw);
	COLP(ivctxsw);
	COLP(cutime);
	COLP(cstime);
	COLP(net_tx);
	COLP(net_rx);
	COLP(socks_tcp);
	COLP(socks_udp);
	COLP(socks_other);

	for (i = 0, j = 0; i < n; i++) {
		static const struct swt_proc_row zero;
		const struct swt_proc_row *b = &zero;
		struct swt_proc_row *p = &own[i];

		id += m->pid[i];
		if ((i && id <= own[i - 1].pid) || id < INT32_MIN ||
		    id > INT32_MAX)
			return -1;
		p->pid = (int32_t)id;
		while (j < n_base && base[j].pid < p->pid)
			j++;
		n_match += j < n_base && base[j].pid == p->pid;
		if (j < n_base && base[j].pid == p->pid &&
		    !was_reset(d, p->pid))
			b = &base[j];
		p->flags = (uint32_t)CV(flags, i);
		p->utime = wadd(b->utime, CV(utime, i));
		p->stime = wadd(b->stime, CV(stime, i));
		p->rss_kib = wadd(b->rss_kib, CV(rss_kib, i));
		p->vsz_kib = wadd(b->vsz_kib, CV(vsz_kib, i));
		p->nthreads = wadd(b->nthreads, CV(nthreads, i));
		p->minflt = wadd(b->minflt, CV(minflt, i));
		p->majflt = wadd(b->majflt, CV(majflt, i));
		p->io_read = wadd(b->io_read, CV(io_read, i));
		p->io_write = wadd(b->io_write, CV(io_write, i));
		p->vctxsw = wadd(b->vctxsw, CV(vctxsw, i));
		p->ivctxsw = wadd(b->ivctxsw, CV(ivctxsw, i));
		p->cutime = wadd(b->cutime, CV(cutime, i));
		p->cstime = wadd(b->cstime, CV(cstime, i));
		p->net_tx = wadd(b->net_tx, CV(net_tx, i));
		p->net_rx = wadd(b->net_rx, CV(net_rx, i));
		p->socks_tcp = wadd(b->socks_tcp, CV(socks_tcp, i));
		p->socks_udp = wadd(b->socks_udp, CV(socks_udp, i));
		p->socks_other = wadd(b->socks_other, CV(socks_other, i));
	}
#undef CV
#undef COLP
	}
	s->same_pids = sparse ? n_gone == 0 && n_match == n :
				n_match == n && n == n_base;
	if (sparse) {
		n = sparse_merge(d, rows, psame, base, n_base, n, d->gone,
				 n_gone);
		if (nt > SWT_MAX_SAMPLE_ROWS - n) {
			d->bad = "sample with more rows than a machine has "
				 "tasks";
			return -1;
		}
	} else {
		memset(psame, 0, n);
	}

	if (sparse == 2) {
		if (!gone_ids(&d->tgone, &d->cap_tgone, m->gone_tid,
			      m->n_gone_tid, n_tbase))
			return -1;
		n_tgone = m->n_gone_tid;
	}
	/* sparse threads (1.9): its own rows after room for the base's */
	trows = thread_rows(d, sparse == 2 ? n_tbase + nt : nt, &tsame);
	{
	struct swt_thread_row *const town = sparse == 2 ? trows + n_tbase :
							  trows;

	id = 0;
	for (i = 0, j = 0; i < nt; i++) {
		struct swt_thread_row *t = &town[i];
		int64_t tgid;

		id += m->tid[i];
		if ((i && id <= town[i - 1].tid) || id < INT32_MIN ||
		    id > INT32_MAX)
			return -1;
		t->tid = (int32_t)id;
		tgid = id - COLV(m, tgid_off, i);
		if (tgid < INT32_MIN || tgid > INT32_MAX)
			return -1;
		t->tgid = (int32_t)tgid;
		t->name = str_get(d, (uint32_t)COLV(m, tname, i));
		t->utime = COLV(m, tutime, i);
		t->stime = COLV(m, tstime, i);
		while (j < n_tbase && tbase[j].tid < t->tid)
			j++;
		t_match += j < n_tbase && tbase[j].tid == t->tid;
		if (sparse != 2)
			tsame[i] = 0;
		if (j < n_tbase && tbase[j].tid == t->tid &&
		    !was_reset(d, t->tgid)) {
			t->utime = wadd(t->utime, tbase[j].utime);
			t->stime = wadd(t->stime, tbase[j].stime);
			if (sparse != 2)
				tsame[i] = thread_same(d, t, &tbase[j]);
		}
	}
	}
	if (sparse == 2) {
		s->same_tids = n_tgone == 0 && t_match == nt;
		nt = thread_merge(d, trows, tsame, tbase, n_tbase, nt,
				  d->tgone, n_tgone);
		if (nt > SWT_MAX_SAMPLE_ROWS - n) {
			d->bad = "sample with more rows than a machine has "
				 "tasks";
			return -1;
		}
	} else {
		s->same_tids = t_match == nt && nt == n_tbase;
	}
	set_same(d, s, psame, tsame, based);
	rows_done(d, rows, n, trows, nt, false, false);
	d->n_reset = 0;

	s->scheduled_ns = m->scheduled_ns;
	s->recorder_cpu_ns = m->recorder_cpu_ns;
	s->recorder_rss_kib = m->recorder_rss_kib;
	s->sys_busy_ticks = m->sys_busy_ticks;
	s->sys_idle_ticks = m->sys_idle_ticks;
	s->mem_total_kib = m->mem_total_kib;
	s->mem_available_kib = m->mem_available_kib;
	s->steal_ticks = m->steal_ticks;
	/* six totals, or none (fewer: not what a writer writes; more: later
	 * additions, skipped) */
	s->has_pressure = m->n_pressure_us >= 6;
	if (s->has_pressure)
		memcpy(s->pressure_us, m->pressure_us, sizeof(s->pressure_us));
	else
		memset(s->pressure_us, 0, sizeof(s->pressure_us));
	s->n_procs = n;
	s->procs = rows;
	s->n_threads = nt;
	s->threads = trows;
	s->n_netdevs = 0;
	s->netdevs = NULL;
	if (m->n_netdevs) {
		d->netdevs = swt_grow(d->netdevs, &d->cap_netdevs, m->n_netdevs,
				      sizeof(*d->netdevs));
		for (i = 0; i < m->n_netdevs; i++) {
			const Swt__Pb__Sample__NetDev *nd = m->netdevs[i];

			if (!nd)
				return -1;
			d->netdevs[i].name = str_get(d, nd->name);
			d->netdevs[i].rx_bytes = nd->rx_bytes;
			d->netdevs[i].tx_bytes = nd->tx_bytes;
		}
		s->n_netdevs = m->n_netdevs;
		s->netdevs = d->netdevs;
	}
		return 0;
}

static int conv_events(struct chunk_dec *d, const Swt__Pb__EventBatch *m)
{
	struct swt_event_batch *b = &d->rec.u.events;
	size_t n = m->n_t, i;
	int64_t t = d->rec.t_ns, tid;

	if (m->n_kind != n || m->n_name != n || m->n_tid != n ||
	    (m->n_value && m->n_value != n))
		return -1;
	d->events = swt_grow(d->events, &d->cap_events, n,
			     sizeof(*d->events));
	for (i = 0; i < n; i++) {
		struct swt_event *e = &d->events[i];

		t = wadd(t, m->t[i]);
		e->t_ns = t;
		e->kind = (enum swt_event_kind)m->kind[i];
		tid = (int64_t)m->pid + m->tid[i];
		e->tid = tid < INT32_MIN || tid > INT32_MAX ? 0 : (int32_t)tid;
		e->name = str_get(d, m->name[i]);
		e->value = COLV(m, value, i);
	}
	b->pid = m->pid;
	b->n = n;
	b->events = d->events;
	return 0;
}

/* Convert an unpacked record into d->rec. 1: a record for the caller,
 * 0: consumed internally (string) or unknown kind, -1: malformed. */
static int convert(struct chunk_dec *d, const Swt__Pb__Record *m)
{
	struct swt_record *o = &d->rec;

	memset(o, 0, sizeof(*o));
	o->t_ns = d->last_t;
	switch (m->kind_case) {
	case SWT__PB__RECORD__KIND_STRING:
		return def_string(d, m->string) < 0 ? -1 : 0;
	case SWT__PB__RECORD__KIND_PROC_START: {
		const Swt__Pb__ProcStart *p = m->proc_start;

		o->kind = SWT_REC_PROC_START;
		o->u.proc_start.pid = p->pid;
		o->u.proc_start.ppid = p->ppid;
		o->u.proc_start.start_ticks = p->start_ticks;
		o->u.proc_start.comm = str_get(d, p->comm);
		o->u.proc_start.exe = str_get(d, p->exe);
		o->u.proc_start.cmdline = (const char *)p->cmdline.data;
		o->u.proc_start.cmdline_len = p->cmdline.len;
		if (!p->cmdline.data)
			o->u.proc_start.cmdline = "";
		o->u.proc_start.uid = p->uid;
		o->u.proc_start.preexisting = p->preexisting;
		d->reset_pids = swt_grow(d->reset_pids, &d->cap_reset,
					 d->n_reset + 1, sizeof(int32_t));
		d->reset_pids[d->n_reset++] = p->pid;
		return 1;
	}
	case SWT__PB__RECORD__KIND_PROC_EXIT: {
		const Swt__Pb__ProcExit *p = m->proc_exit;

		o->kind = SWT_REC_PROC_EXIT;
		o->u.proc_exit.pid = p->pid;
		o->u.proc_exit.start_ticks = p->start_ticks;
		o->u.proc_exit.has_status = p->has_status;
		o->u.proc_exit.exit_code = p->exit_code;
		o->u.proc_exit.signal = p->signal;
		o->u.proc_exit.core_dumped = p->core_dumped;
		o->u.proc_exit.has_final = p->has_final;
		o->u.proc_exit.utime = p->utime > INT64_MAX ? INT64_MAX :
							     (int64_t)p->utime;
		o->u.proc_exit.stime = p->stime > INT64_MAX ? INT64_MAX :
							     (int64_t)p->stime;
		o->u.proc_exit.cutime = p->cutime;
		o->u.proc_exit.cstime = p->cstime;
		o->u.proc_exit.has_acct = p->has_acct;
		o->u.proc_exit.hiwater_rss_kib = p->hiwater_rss_kib;
		o->u.proc_exit.read_bytes = p->read_bytes;
		o->u.proc_exit.write_bytes = p->write_bytes;
		o->u.proc_exit.nvcsw = p->nvcsw;
		o->u.proc_exit.nivcsw = p->nivcsw;
		o->u.proc_exit.utime_us = p->utime_us;
		o->u.proc_exit.stime_us = p->stime_us;
		o->u.proc_exit.has_final_io = p->has_final_io;
		o->u.proc_exit.final_read_bytes = p->final_read_bytes;
		o->u.proc_exit.final_write_bytes = p->final_write_bytes;
		o->u.proc_exit.has_final_net = p->has_final_net;
		o->u.proc_exit.final_net_tx = p->final_net_tx;
		o->u.proc_exit.final_net_rx = p->final_net_rx;
		o->u.proc_exit.n_threads = 0;
		o->u.proc_exit.threads = NULL;
		if (p->n_threads > SWT_MAX_SAMPLE_ROWS) {
			d->bad = "process exit with more threads than a "
				 "machine has tasks";
			return -1;
		}
		if (p->n_threads) {
			size_t i;

			d->tends = swt_grow(d->tends, &d->cap_tends,
					    p->n_threads, sizeof(*d->tends));
			for (i = 0; i < p->n_threads; i++) {
				const Swt__Pb__ProcExit__ThreadEnd *te =
					p->threads[i];

				d->tends[i].tid = te->tid;
				d->tends[i].name = str_get(d, te->name);
				d->tends[i].utime_us = te->utime_us;
				d->tends[i].stime_us = te->stime_us;
			}
			o->u.proc_exit.n_threads = p->n_threads;
			o->u.proc_exit.threads = d->tends;
		}
		return 1;
	}
	case SWT__PB__RECORD__KIND_SAMPLE:
		o->kind = SWT_REC_SAMPLE;
		return conv_sample(d, m->sample, 0) < 0 ? -1 : 1;
	case SWT__PB__RECORD__KIND_SPARSE_SAMPLE:
		o->kind = SWT_REC_SAMPLE;
		return conv_sample(d, m->sparse_sample, 1) < 0 ? -1 : 1;
	case SWT__PB__RECORD__KIND_SPARSE_THREADS_SAMPLE:
		o->kind = SWT_REC_SAMPLE;
		return conv_sample(d, m->sparse_threads_sample, 2) < 0 ? -1 :
									  1;
	case SWT__PB__RECORD__KIND_EVENTS:
		o->kind = SWT_REC_EVENTS;
		return conv_events(d, m->events) < 0 ? -1 : 1;
	case SWT__PB__RECORD__KIND_ALERT:
		o->kind = SWT_REC_ALERT;
		o->u.alert.kind = str_get(d, m->alert->kind);
		o->u.alert.subject = str_get(d, m->alert->subject);
		o->u.alert.value_milli = m->alert->value_milli;
		o->u.alert.threshold_milli = m->alert->threshold_milli;
		return 1;
	case SWT__PB__RECORD__KIND_DROPS:
		o->kind = SWT_REC_DROPS;
		o->u.drops.pid = m->drops->pid;
		o->u.drops.dropped = m->drops->dropped;
		o->u.drops.total_dropped = m->drops->total_dropped;
		o->u.drops.reason = str_get(d, m->drops->reason);
		return 1;
	case SWT__PB__RECORD__KIND_ANOMALY:
		o->kind = SWT_REC_ANOMALY;
		o->u.anomaly.kind = str_get(d, m->anomaly->kind);
		o->u.anomaly.pid = m->anomaly->pid;
		o->u.anomaly.tid = m->anomaly->tid;
		o->u.anomaly.subject = str_get(d, m->anomaly->subject);
		o->u.anomaly.detail = m->anomaly->detail.data ?
					      (const char *)m->anomaly->detail.data :
					      "";
		o->u.anomaly.detail_len = m->anomaly->detail.len;
		return 1;
	case SWT__PB__RECORD__KIND_END: {
		const Swt__Pb__SessionEnd *e = m->end;

		o->kind = SWT_REC_END;
		o->u.end.reason = (enum swt_end_reason)e->reason;
		o->u.end.has_status = e->has_status;
		o->u.end.exit_code = e->exit_code;
		o->u.end.signal = e->signal;
		o->u.end.samples = e->samples;
		o->u.end.records = e->records;
		o->u.end.events = e->events;
		o->u.end.dropped_events = e->dropped_events;
		o->u.end.recorder_cpu_ns = e->recorder_cpu_ns;
		o->u.end.recorder_peak_rss_kib = e->recorder_peak_rss_kib;
		o->u.end.error = e->error ? e->error : "";
		o->u.end.missed_samples = e->missed_samples;
		o->u.end.late_events = e->late_events;
		o->u.end.exit_acct = e->exit_acct;
		o->u.end.exit_acct_overflows = e->exit_acct_overflows;
		o->u.end.proc_events = e->proc_events;
		o->u.end.proc_events_overflows = e->proc_events_overflows;
		o->u.end.exits_dropped = e->exits_dropped;
		o->u.end.exits_unmatched = e->exits_unmatched;
		o->u.end.cmdlines_skipped = e->cmdlines_skipped;
		o->u.end.exit_acct_cpu_ns = e->exit_acct_cpu_ns;
		o->u.end.exit_write_cpu_ns = e->exit_write_cpu_ns;
		o->u.end.tsc_calibrations = e->tsc_calibrations;
		o->u.end.tsc_max_error_ns = e->tsc_max_error_ns;
		o->u.end.tsc_resets = e->tsc_resets;
		o->u.end.recorder_wait_ns = e->recorder_wait_ns;
		o->u.end.proc_read_cpu_ns = e->proc_read_cpu_ns;
		o->u.end.proc_reads = e->proc_reads;
		o->u.end.proc_scans = e->proc_scans;
		o->u.end.proc_scans_skipped = e->proc_scans_skipped;
		o->u.end.proc_first_read_cpu_ns = e->proc_first_read_cpu_ns;
		o->u.end.proc_first_reads = e->proc_first_reads;
		o->u.end.sampled_write_cpu_ns = e->sampled_write_cpu_ns;
		o->u.end.sampled_records = e->sampled_records;
		o->u.end.proc_events_source =
			e->proc_events_source ? e->proc_events_source : "";
		return 1;
	}
	case SWT__PB__RECORD__KIND__NOT_SET:
	default:
		d->unknown++;
		return 0;
	}
}

/* ---- Sample records without protobuf-c ---------------------------------
 *
 * Sample records are nearly all of a session's bytes. fast_record()
 * decodes a Record holding a Sample in one walk over its wire format, the
 * packed zigzag varint columns straight into the rows, without unpacking
 * the message into arrays first. It takes only the encoding the writer
 * produces (every field at most once, NetDev excepted, with its expected
 * wire type; packed columns; minimal tags; no unknown field) and any
 * record it does not take, or that is malformed in any way, is left
 * untouched for protobuf-c and conv_sample(), which decide what it means
 * or how it is malformed: the records and the errors are those of
 * protobuf-c whatever the input. Nothing of the decoder's state that a
 * later record depends on changes until the record is accepted. */

/* A varint from [*pp, end): false when cut or over 10 bytes (protobuf-c's
 * scan_varint()). */
static inline bool fv_get(const unsigned char **pp, const unsigned char *end,
			  uint64_t *out)
{
	const unsigned char *p = *pp;
	uint64_t v = 0;
	unsigned shift = 0;

	if (p < end && *p < 0x80) {
		*out = *p;
		*pp = p + 1;
		return true;
	}
	/* (two bytes: most deltas that are not one, p[0] >= 0x80 here) */
	if (end - p >= 2 && p[1] < 0x80) {
		*out = (p[0] & 0x7fu) | (uint64_t)p[1] << 7;
		*pp = p + 2;
		return true;
	}
	for (;;) {
		unsigned b;

		if (p == end || shift > 63)
			return false;
		b = *p++;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (b < 0x80)
			break;
		shift += 7;
	}
	*out = v;
	*pp = p;
	return true;
}

/* m varints from a column [*pp, end) into out; all 0 when the column is
 * absent (*pp NULL). */
static inline bool fv_col(const unsigned char **pp, const unsigned char *end,
			  uint64_t *out, size_t m)
{
	const unsigned char *p = *pp;
	size_t i;

	if (!p) {
		memset(out, 0, m * sizeof(*out));
		return true;
	}
	for (i = 0; i < m; i++)
		if (!fv_get(&p, end, &out[i]))
			return false;
	*pp = p;
	return true;
}

static inline int64_t fv_zz64(uint64_t v)
{
	return (int64_t)((v >> 1) ^ (~(v & 1) + 1));
}

/* The high bits of eight bytes: none set, eight varints of one byte. */
#define ONE_BYTE_EACH UINT64_C(0x8080808080808080)

/* Eight one-byte zigzag deltas, the bytes of w (the first in its low
 * byte), added to the int64_t at dst and every `stride` bytes after. All
 * eight: a loop that stopped after the last nonzero byte missed a branch
 * once a run, the runs' lengths varying. */
static inline void add8(char *dst, uint64_t w, size_t stride)
{
	unsigned x;

	for (x = 0; x < 8; x++, w >>= 8, dst += stride)
		*(int64_t *)(void *)dst =
			wadd(*(int64_t *)(void *)dst, fv_zz64(w & 0xff));
}

static inline int32_t fv_zz32(uint32_t v)
{
	return (int32_t)((v >> 1) ^ (~(v & 1) + 1));
}

/* A sparse sample's gone ids (pids or tids) from their packed column [b,
 * e), as gone_ids() takes them from protobuf-c's: deltas, ascending, no
 * more than the base's n_base rows; their count into *n. */
static bool fv_gone_ids(int32_t **out, size_t *cap, const unsigned char *b,
			const unsigned char *e, size_t n_base, size_t *n)
{
	const unsigned char *q;
	int64_t id = 0;
	size_t i, k = 0;

	if (e[-1] & 0x80)
		return false;
	for (q = b; q < e; q++)
		k += *q < 0x80;
	if (k > n_base)
		return false;
	*out = swt_grow(*out, cap, k, sizeof(**out));
	for (i = 0, q = b; i < k; i++) {
		uint64_t v;

		if (!fv_get(&q, e, &v))
			return false;
		id += fv_zz32((uint32_t)v);
		if ((i && id <= (*out)[i - 1]) || id < INT32_MIN ||
		    id > INT32_MAX)
			return false;
		(*out)[i] = (int32_t)id;
	}
	*n = k;
	return true;
}

/* A field's tag of one or two bytes in minimal form (protobuf-c takes
 * more; such a record is left to it): its number, 0 when not taken. */
static inline unsigned fv_tag(const unsigned char **pp,
			      const unsigned char *end, unsigned *wt)
{
	const unsigned char *p = *pp;
	unsigned tag;

	if (p == end || *p < 0x08)
		return 0;
	if (*p < 0x80) {
		tag = *p;
		*pp = p + 1;
	} else {
		if (end - p < 2 || p[1] == 0 || p[1] >= 0x80)
			return 0;
		tag = (p[0] & 0x7fu) | (unsigned)p[1] << 7;
		*pp = p + 2;
	}
	*wt = tag & 7;
	return tag >> 3;
}

/* A length-delimited field's bytes [*b, *e) (the prefix at most 4 bytes:
 * protobuf-c reads 5, a record is at most SWT_MAX_RECORD_BYTES). */
static inline bool fv_span(const unsigned char **pp, const unsigned char *end,
			   const unsigned char **b, const unsigned char **e)
{
	const unsigned char *p = *pp;
	uint64_t len;

	if (!fv_get(&p, end, &len) || p - *pp > 4 ||
	    len > (uint64_t)(end - p))
		return false;
	*b = p;
	*e = p + len;
	*pp = *e;
	return true;
}

/* Rows decoded at a time (in the cache while every column is added). */
#define FAST_BLOCK 32

/* Sample field numbers. */
enum {
	FS_SCHEDULED = 1, FS_STEAL = 35, FS_NETDEVS = 8, FS_PRESSURE = 9,
	FS_PID = 10, FS_FLAGS = 22, FS_TID = 30, FS_TGID_OFF = 31,
	FS_TNAME = 32, FS_TUTIME = 33, FS_TSTIME = 34, FS_GONE = 36,
	FS_GONE_TID = 37, FS_MAX = 37
};

/* The sint64 process columns: field number and member. */
static const struct {
	unsigned char field;
	unsigned char off;
} proc_cols[] = {
#define PC(n, f) { n, (unsigned char)offsetof(struct swt_proc_row, f) }
	PC(11, utime), PC(12, stime), PC(13, rss_kib), PC(14, vsz_kib),
	PC(15, nthreads), PC(16, minflt), PC(17, majflt), PC(18, io_read),
	PC(19, io_write), PC(20, vctxsw), PC(21, ivctxsw), PC(23, cutime),
	PC(24, cstime), PC(25, net_tx), PC(26, net_rx), PC(27, socks_tcp),
	PC(28, socks_udp), PC(29, socks_other),
#undef PC
};

/* Decode a NetDev message [p, end) into *nd: false when not taken. */
static bool fast_netdev(const struct chunk_dec *d, const unsigned char *p,
			const unsigned char *end, struct swt_netdev *nd)
{
	unsigned seen = 0, f, wt;
	uint32_t name = 0;
	uint64_t v;

	nd->rx_bytes = nd->tx_bytes = 0;
	while (p < end) {
		f = fv_tag(&p, end, &wt);
		if (f < 1 || f > 3 || wt != 0 || (seen & 1u << f) ||
		    !fv_get(&p, end, &v))
			return false;
		seen |= 1u << f;
		if (f == 1)
			name = (uint32_t)v;
		else if (f == 2)
			nd->rx_bytes = v;
		else
			nd->tx_bytes = v;
	}
	nd->name = str_get(d, name);
	return true;
}

/* Ids past the end of packed_ids(): none is below any id. */
#define IDS_PAD 8

/* The ids of n base rows of `size` bytes (the int32_t at id_off: pid,
 * tid) packed into *ids, made again when not *ok (the base's ids may have
 * changed), followed by IDS_PAD of INT32_MAX (ids_skip()). */
static const int32_t *packed_ids(int32_t **ids, size_t *cap, bool *ok,
				 const void *rows, size_t n, size_t size,
				 size_t id_off)
{
	size_t j;

	if (!*ok) {
		*ids = swt_grow(*ids, cap, n + IDS_PAD, sizeof(**ids));
		for (j = 0; j < n; j++)
			memcpy(&(*ids)[j],
			       (const unsigned char *)rows + j * size + id_off,
			       sizeof(**ids));
		for (j = n; j < n + IDS_PAD; j++)
			(*ids)[j] = INT32_MAX;
		*ok = true;
	}
	return *ids;
}

/* The first place from j of packed ids (packed_ids(): ascending, padded)
 * whose id is not below id: at most their count. Eight ids compared at a
 * time without a branch on each (the gaps between the rows that changed
 * vary from row to row: a branch per id missed once a row). */
typedef int32_t ids_v4 __attribute__((vector_size(16)));

static inline size_t ids_skip(const int32_t *ids, size_t j, int32_t id)
{
	const ids_v4 key = { id, id, id, id };

	for (;;) {
		ids_v4 a, b, m;
		int32_t c;

		memcpy(&a, ids + j, sizeof(a));
		memcpy(&b, ids + j + 4, sizeof(b));
		/* (each lane -1 where the id is below) */
		m = (a < key) + (b < key);
		c = -(m[0] + m[1] + m[2] + m[3]);
		j += (size_t)c;
		if (c < IDS_PAD)
			return j;
	}
}

/* A column's next m deltas from [*pp, end) added to the int64_t at dst
 * and every `stride` bytes after: false when a value is cut or too long. */
static inline __attribute__((always_inline)) bool
col_add(const unsigned char **pp, const unsigned char *end, char *dst,
	size_t stride, size_t m)
{
	const unsigned char *cq = *pp;
	size_t i;

	for (i = 0; i < m; i++) {
		uint64_t v;

		/* eight deltas of one byte each (no high bit set) at once;
		 * eight of 0 (the columns of whole tables are mostly such
		 * runs) leave eight values */
		if (m - i >= 8 && end - cq >= 8) {
			uint64_t w;

			memcpy(&w, cq, sizeof(w));
			if (!(w & ONE_BYTE_EACH)) {
				if (w)
					add8(dst, w, stride);
				cq += 8;
				dst += 8 * stride;
				i += 7;
				continue;
			}
		}
		if (!fv_get(&cq, end, &v))
			return false;
		*(int64_t *)(void *)dst =
			wadd(*(int64_t *)(void *)dst, fv_zz64(v));
		dst += stride;
	}
	*pp = cq;
	return true;
}

/* Decode Sample message [p, end) into d->rec.u.sample, as conv_sample()
 * would from protobuf-c's unpacking: true when taken (and valid). */
static bool fast_sample(struct chunk_dec *d, const unsigned char *p,
			const unsigned char *end, int sparse)
{
	struct swt_sample *s = &d->rec.u.sample;
	const unsigned char *cb[FS_MAX + 1], *ce[FS_MAX + 1];
	uint64_t scal[FS_MAX + 1];
	uint64_t seen = 0;
	size_t n = 0, nt = 0, n_nd = 0, n_gone = 0, n_tgone = 0, i, j, k;
	const struct swt_proc_row *base = d->pbase;
	size_t n_base = d->n_pbase;
	const struct swt_thread_row *tbase = d->tbase;
	size_t n_tbase = d->n_tbase;
	const int32_t *bpid = packed_ids(&d->bpids, &d->cap_bpids,
					 &d->bpids_ok, d->pbase, d->n_pbase,
					 sizeof(*d->pbase),
					 offsetof(struct swt_proc_row, pid));
	const int32_t *btid = packed_ids(&d->btids, &d->cap_btids,
					 &d->btids_ok, d->tbase, d->n_tbase,
					 sizeof(*d->tbase),
					 offsetof(struct swt_thread_row, tid));
	struct swt_proc_row *rows;
	struct swt_thread_row *trows;
	const unsigned char *q, *qe;
	uint8_t *psame, *tsame;
	bool based = d->n_samples > 0;
	size_t n_match = 0, t_match = 0;
	int64_t id = 0;
	unsigned f, wt;
	/* deltas (swt_reader_set_deltas()): the own rows of a sparse sample
	 * with a base, no pid started again in between, are put in their
	 * places when no row came or went */
	const bool pdelta = sparse && d->deltas && based && !d->n_reset;
	const bool tdelta = sparse == 2 && d->deltas && based && !d->n_reset;
	/* a decoding thread's listed rows (swt_sample.proc_listed): decoded
	 * straight into the columns that go over (their values, np to a
	 * row, in the batch), from the base's values of those columns; no
	 * row of their own is made unless the pids came or went after all,
	 * and the table kept here takes those columns as the caller's does
	 * (swt_rows_put_cols()) */
	const bool lcol = pdelta && d->listed && d->rows_out;
	int64_t *vals = NULL;
	uint32_t *lflags = NULL;
	uint8_t *lcols = NULL;
	struct swt_proc_row *own;
	struct swt_thread_row *town;
	uint32_t *pat = NULL, *tat = NULL;
	const void *pkeep = NULL, *tkeep = NULL;
	bool pput = false, tput = false;
	size_t n_own = 0, nt_own = 0;
	/* the present process columns: their members' offsets */
	size_t off[20], np = 0;

	/* the fields: scalars into scal[], columns as spans */
	memset(scal, 0, sizeof(scal));
	while (p < end) {
		f = fv_tag(&p, end, &wt);
		if (f == 0 || f > FS_MAX)
			return false;
		if (f == FS_NETDEVS) {
			const unsigned char *b, *e;

			if (wt != 2 || !fv_span(&p, end, &b, &e))
				return false;
			d->netdevs = swt_grow(d->netdevs, &d->cap_netdevs,
					      n_nd + 1, sizeof(*d->netdevs));
			if (!fast_netdev(d, b, e, &d->netdevs[n_nd]))
				return false;
			n_nd++;
			continue;
		}
		if (seen & (uint64_t)1 << f)
			return false;
		seen |= (uint64_t)1 << f;
		if (f <= 7 || f == FS_STEAL) {
			if (wt != 0 || !fv_get(&p, end, &scal[f]))
				return false;
		} else if (wt != 2 || !fv_span(&p, end, &cb[f], &ce[f])) {
			return false;
		} else if (cb[f] == ce[f]) {
			seen &= ~((uint64_t)1 << f);	/* empty: absent */
		}
	}
#define HAS(f) ((seen & (uint64_t)1 << (f)) != 0)

	/* the row counts: values in the pid and tid columns (a last byte
	 * with its high bit set is malformed) */
	if (HAS(FS_PID)) {
		if (ce[FS_PID][-1] & 0x80)
			return false;
		for (q = cb[FS_PID]; q < ce[FS_PID]; q++)
			n += *q < 0x80;
	}
	if (HAS(FS_TID)) {
		if (ce[FS_TID][-1] & 0x80)
			return false;
		for (q = cb[FS_TID]; q < ce[FS_TID]; q++)
			nt += *q < 0x80;
	}
	/* every other column of a table holds as many values: 1 to 10
	 * bytes each (checked before the rows are allocated, as protobuf-c
	 * and conv_sample() check the counts first) */
	for (f = FS_PID + 1; f <= FS_TSTIME; f++) {
		size_t m = f < FS_TID ? n : nt, len;

		if (!HAS(f))
			continue;
		len = (size_t)(ce[f] - cb[f]);
		if (len < m || len / 10 > m)
			return false;
	}
	if (n > SWT_MAX_SAMPLE_ROWS || nt > SWT_MAX_SAMPLE_ROWS - n)
		return false;	/* damage: protobuf-c's path says so */
	if (sparse && HAS(FS_GONE) &&
	    !fv_gone_ids(&d->gone, &d->cap_gone, cb[FS_GONE], ce[FS_GONE],
			 n_base, &n_gone))
		return false;

	/* processes, row by row: the base row, then the pid, the flags and
	 * the present columns' deltas, each column exactly n values (a
	 * sparse sample's after room for the base's rows, then merged) */
	if (pdelta) {
		own = delta_rows(d, (void **)&d->procs[d->cur_procs ^ 1],
				 &d->cap_procs[d->cur_procs ^ 1], n,
				 sizeof(*own), &pat, d->listed);
		rows = own;
		psame = NULL;
	} else {
		rows = proc_rows(d, sparse ? n_base + n : n, &psame);
		own = sparse ? rows + n_base : rows;
	}
	{
		const unsigned char *c[20], *e[20];
		size_t i0, i1;
		const unsigned char *cp = HAS(FS_PID) ? cb[FS_PID] : NULL;
		const unsigned char *ep = HAS(FS_PID) ? ce[FS_PID] : NULL;
		const unsigned char *cf = HAS(FS_FLAGS) ? cb[FS_FLAGS] : NULL;
		const unsigned char *ef = HAS(FS_FLAGS) ? ce[FS_FLAGS] : NULL;

		/* where the columns' values go: the rows' members, or the
		 * listed columns (lcol), np values a row */
		size_t rs = sizeof(*own);
		char *dst0 = (char *)own;
		int64_t last = 0;

		for (k = 0; k < sizeof(proc_cols) / sizeof(proc_cols[0]);
		     k++) {
			f = proc_cols[k].field;
			if (!HAS(f))
				continue;
			c[np] = cb[f];
			e[np] = ce[f];
			off[np++] = proc_cols[k].off;
		}
		if (lcol) {
			lcols = pool_alloc(d->rows_out, np + 1, 1);
			for (k = 0; k < np; k++)
				lcols[k] = (uint8_t)off[k];
			vals = pool_alloc(d->rows_out,
					  (n * np + 1) * sizeof(*vals), 16);
			lflags = pool_alloc(d->rows_out,
					    (n + 1) * sizeof(*lflags), 16);
			d->lpids = swt_grow(d->lpids, &d->cap_lpids, n + 1,
					    sizeof(*d->lpids));
			rs = np * sizeof(*vals);
			dst0 = (char *)vals;
		}
		/* in blocks of rows that stay in the cache while every
		 * column adds its deltas to them */
		for (i0 = 0, j = 0; i0 < n; i0 = i1) {
			i1 = n - i0 > FAST_BLOCK ? i0 + FAST_BLOCK : n;
			for (i = i0; i < i1; i++) {
				static const struct swt_proc_row zero;
				const struct swt_proc_row *src = &zero;
				uint64_t v;
				uint32_t fl = 0;
				int32_t pid;

				if (!fv_get(&cp, ep, &v))
					return false;
				id += fv_zz32((uint32_t)v);
				if ((i && id <= last) ||
				    id < INT32_MIN || id > INT32_MAX)
					return false;
				last = id;
				pid = (int32_t)id;
				j = ids_skip(bpid, j, pid);
				if (j < n_base && bpid[j] == pid) {
					n_match++;
					if (pat)
						pat[i] = (uint32_t)j;
				} else if (lcol) {
					pat[i] = UINT32_MAX;	/* (none) */
				}
				if (j < n_base && bpid[j] == pid &&
				    !was_reset(d, pid))
					src = &base[j];
				if (cf) {
					if (!fv_get(&cf, ef, &v))
						return false;
					fl = (uint32_t)v;
				}
				if (lcol) {
					for (k = 0; k < np; k++)
						memcpy(&vals[i * np + k],
						       (const char *)src +
							       off[k],
						       sizeof(*vals));
					d->lpids[i] = pid;
					lflags[i] = fl;
				} else {
					own[i] = *src;
					own[i].pid = pid;
					own[i].flags = fl;
				}
			}
			for (k = 0; k < np; k++) {
				char *dst = dst0 + i0 * rs +
					    (lcol ? k * sizeof(*vals) : off[k]);

				/* (the rows' stride a constant where it
				 * can be) */
				if (!(lcol ? col_add(&c[k], e[k], dst, rs,
						     i1 - i0) :
					     col_add(&c[k], e[k], dst,
						     sizeof(*own), i1 - i0)))
					return false;
			}
		}
		if (cf != ef)
			return false;
		for (k = 0; k < np; k++)
			if (c[k] != e[k])
				return false;
	}
	s->same_pids = sparse ? n_gone == 0 && n_match == n :
				n_match == n && n == n_base;
	if (pdelta && s->same_pids) {
		/* the rows of the table that changed go in their places once
		 * the whole sample is checked (below): the table may be the
		 * base itself, which the protobuf-c path reads when this one
		 * refuses the record */
		pput = true;
		n_own = n;
		s->proc_at = pat;
		s->n_proc_at = n;
		n = n_base;
		if (nt > SWT_MAX_SAMPLE_ROWS - n)
			return false;
	} else if (sparse) {
		if (lcol) {
			/* the rows after all: each its base's (or zero) with
			 * the columns' values, its pid and its flags, as the
			 * loop above makes them without lcol (no pid was
			 * started again: pdelta) */
			for (i = 0; i < n; i++) {
				static const struct swt_proc_row zero;

				own[i] = pat[i] != UINT32_MAX ? base[pat[i]] :
								zero;
				own[i].pid = d->lpids[i];
				own[i].flags = lflags[i];
				for (k = 0; k < np; k++)
					memcpy((char *)&own[i] + off[k],
					       &vals[i * np + k],
					       sizeof(*vals));
			}
		}
		if (pdelta) {
			rows = proc_rows(d, n_base + n, &psame);
			undelta(d, rows, own, n_base, n, sizeof(*rows));
		}
		n = sparse_merge(d, rows, psame, base, n_base, n, d->gone,
				 n_gone);
		if (nt > SWT_MAX_SAMPLE_ROWS - n)
			return false;
	} else {
		memset(psame, 0, n);
	}

	/* the gone tids of a sparse-threads sample (1.9): as the pids */
	if (sparse == 2 && HAS(FS_GONE_TID) &&
	    !fv_gone_ids(&d->tgone, &d->cap_tgone, cb[FS_GONE_TID],
			 ce[FS_GONE_TID], n_tbase, &n_tgone))
		return false;

	/* threads, in blocks: the raw values of each column, then the rows
	 * (a sparse-threads sample's after room for the base's, then
	 * merged) */
	if (tdelta) {
		town = delta_rows(d, (void **)&d->threads[d->cur_threads ^ 1],
				  &d->cap_threads[d->cur_threads ^ 1], nt,
				  sizeof(*town), &tat, false);
		trows = town;
		tsame = NULL;
	} else {
		trows = thread_rows(d, sparse == 2 ? n_tbase + nt : nt, &tsame);
		town = sparse == 2 ? trows + n_tbase : trows;
	}
	{
		const unsigned char *c[5], *e[5];
		static const unsigned char tf[5] = { FS_TID, FS_TGID_OFF,
						     FS_TNAME, FS_TUTIME,
						     FS_TSTIME };
		uint64_t v[5][FAST_BLOCK];
		size_t i0, i1;

		for (k = 0; k < 5; k++) {
			c[k] = HAS(tf[k]) ? cb[tf[k]] : NULL;
			e[k] = HAS(tf[k]) ? ce[tf[k]] : NULL;
		}
		id = 0;
		for (i0 = 0, j = 0; i0 < nt; i0 = i1) {
			i1 = nt - i0 > FAST_BLOCK ? i0 + FAST_BLOCK : nt;
			for (k = 0; k < 5; k++)
				if (!fv_col(&c[k], e[k], v[k], i1 - i0))
					return false;
			for (i = i0; i < i1; i++) {
				struct swt_thread_row *t = &town[i];
				size_t x = i - i0;
				int64_t tgid;

				id += fv_zz32((uint32_t)v[0][x]);
				if ((i && id <= town[i - 1].tid) ||
				    id < INT32_MIN || id > INT32_MAX)
					return false;
				t->tid = (int32_t)id;
				tgid = id - fv_zz32((uint32_t)v[1][x]);
				if (tgid < INT32_MIN || tgid > INT32_MAX)
					return false;
				t->tgid = (int32_t)tgid;
				t->name = str_get(d, (uint32_t)v[2][x]);
				t->utime = fv_zz64(v[3][x]);
				t->stime = fv_zz64(v[4][x]);
				j = ids_skip(btid, j, t->tid);
				if (j < n_tbase && btid[j] == t->tid) {
					t_match++;
					if (tat)
						tat[i] = (uint32_t)j;
				}
				if (sparse != 2)
					tsame[i] = 0;
				if (j < n_tbase && btid[j] == t->tid &&
				    !was_reset(d, t->tgid)) {
					t->utime =
						wadd(t->utime, tbase[j].utime);
					t->stime =
						wadd(t->stime, tbase[j].stime);
					if (sparse != 2)
						tsame[i] = thread_same(
							d, t, &tbase[j]);
				}
			}
		}
		for (k = 0; k < 5; k++)
			if (c[k] != e[k])
				return false;
	}

	/* the pressure totals: all well-formed, six or more kept */
	s->has_pressure = false;
	memset(s->pressure_us, 0, sizeof(s->pressure_us));
	if (HAS(FS_PRESSURE)) {
		uint64_t pv[6];

		q = cb[FS_PRESSURE];
		qe = ce[FS_PRESSURE];
		for (i = 0; q < qe; i++) {
			uint64_t v;

			if (!fv_get(&q, qe, &v))
				return false;
			if (i < 6)
				pv[i] = v;
		}
		if (i >= 6) {
			s->has_pressure = true;
			memcpy(s->pressure_us, pv, sizeof(pv));
		}
	}
#undef HAS

	if (sparse == 2) {
		s->same_tids = n_tgone == 0 && t_match == nt;
		if (tdelta && s->same_tids) {
			/* (in their places below, as the process rows) */
			tput = true;
			nt_own = nt;
			s->thread_at = tat;
			s->n_thread_at = nt;
			nt = n_tbase;
		} else {
			if (tdelta) {
				trows = thread_rows(d, n_tbase + nt, &tsame);
				undelta(d, trows, town, n_tbase, nt,
					sizeof(*trows));
			}
			nt = thread_merge(d, trows, tsame, tbase, n_tbase, nt,
					  d->tgone, n_tgone);
		}
		if (nt > SWT_MAX_SAMPLE_ROWS - n)
			return false;
	} else {
		s->same_tids = t_match == nt && nt == n_tbase;
	}

	/* accepted: the rows that changed in their places (nothing of the
	 * base was written before), then what conv_sample() leaves */
	if (pput) {
		if (lcol) {
			/* the listed rows go over as their present columns
			 * (a column absent is all deltas of 0: a listed row's
			 * other members are its row's in the table kept),
			 * and the table kept here takes them */
			s->proc_listed = true;
			s->proc_cols = lcols;
			s->n_proc_cols = np;
			s->proc_vals = vals;
			s->proc_flags = lflags;
			pkeep = delta_keep((void **)&d->dprocs, &d->cap_dprocs,
					   base, n_base, NULL, NULL, 0,
					   sizeof(*own));
			(void)swt_rows_put_cols(d->dprocs, n_base, s, NULL);
			rows = NULL;
		} else {
			pkeep = delta_keep((void **)&d->dprocs,
					   &d->cap_dprocs, base, n_base, own,
					   pat, n_own, sizeof(*own));
			rows = delta_whole(d, pkeep, n_base, sizeof(*own),
					   pat, n_own, &psame, &d->dsame,
					   &d->cap_dsame);
		}
	}
	if (tput) {
		tkeep = delta_keep((void **)&d->dthreads, &d->cap_dthreads,
				   tbase, n_tbase, town, tat, nt_own,
				   sizeof(*town));
		if (d->listed && d->rows_out)
			s->thread_listed = true;	/* town */
		else
			trows = delta_whole(d, tkeep, n_tbase, sizeof(*town),
					    tat, nt_own, &tsame, &d->dtsame,
					    &d->cap_dtsame);
	}
	set_same(d, s, psame, tsame, based);
	rows_done(d, pkeep ? pkeep : rows, n, tkeep ? tkeep : trows, nt,
		  pkeep != NULL, tkeep != NULL);
	d->n_reset = 0;
	s->scheduled_ns = (int64_t)scal[1];
	s->recorder_cpu_ns = scal[2];
	s->recorder_rss_kib = scal[3];
	s->sys_busy_ticks = scal[4];
	s->sys_idle_ticks = scal[5];
	s->mem_total_kib = scal[6];
	s->mem_available_kib = scal[7];
	s->steal_ticks = scal[FS_STEAL];
	s->n_procs = n;
	s->procs = rows;
	s->n_threads = nt;
	s->threads = trows;
	s->n_netdevs = n_nd;
	s->netdevs = n_nd ? d->netdevs : NULL;
	return true;
}

/* A Record [p, p + len) holding a Sample, decoded into d->rec with its
 * time delta in *dt: true when taken. */
static bool fast_record(struct chunk_dec *d, const unsigned char *p,
			size_t len, int64_t *dt)
{
	const unsigned char *end = p + len, *b = NULL, *e = NULL;
	uint64_t v = 0;
	bool has_dt = false;
	int sparse = 0;
	unsigned f, wt;

	while (p < end) {
		f = fv_tag(&p, end, &wt);
		if (f == 1 && wt == 0 && !has_dt) {
			if (!fv_get(&p, end, &v))
				return false;
			has_dt = true;
		} else if ((f == 5 || f == 11 || f == 12) && wt == 2 && !b) {
			if (!fv_span(&p, end, &b, &e))
				return false;
			sparse = f == 12 ? 2 : f == 11;
		} else {
			return false;
		}
	}
	if (!b)
		return false;
	memset(&d->rec, 0, sizeof(d->rec));
	d->rec.kind = SWT_REC_SAMPLE;
	if (!fast_sample(d, b, e, sparse))
		return false;
	*dt = fv_zz64(v);
	return true;
}

/* Next record of the chunk into d->rec: 1 record, 0 chunk exhausted (or
 * cut, when salvaging), -1 malformed: *what says why and d->chunk_pos
 * where. */
static int dec_next(struct chunk_dec *d, const char **what)
{
	while (d->chunk_pos < d->chunk_len) {
		const unsigned char *p = d->chunk + d->chunk_pos;
		size_t avail = d->chunk_len - d->chunk_pos;
		Swt__Pb__Record *m;
		uint64_t len;
		int64_t dt;
		int n, c;

		n = swt_codec__get_varint(p, avail, &len);
		if (n <= 0) {
			if (d->salvage)
				break;	/* cut inside the prefix */
			*what = "bad record length prefix";
			return -1;
		}
		if (len > SWT_MAX_RECORD_BYTES) {
			*what = "record length over the maximum";
			return -1;
		}
		if (len > avail - (size_t)n) {
			if (d->salvage)
				break;	/* cut inside the record */
			*what = "record runs past the chunk";
			return -1;
		}
		if (fast_record(d, p + n, (size_t)len, &dt)) {
			d->chunk_pos += (size_t)n + (size_t)len;
			d->last_t = wadd(d->last_t, dt);
			d->rec.t_ns = d->last_t;
			return 1;
		}
		arena_reset(&d->arena);
		m = swt__pb__record__unpack(&d->pballoc, (size_t)len, p + n);
		if (!m) {
			*what = "undecodable record";
			return -1;
		}
		d->chunk_pos += (size_t)n + (size_t)len;
		d->last_t = wadd(d->last_t, m->dt_ns);
		d->bad = NULL;
		c = convert(d, m);
		if (c < 0) {
			*what = d->bad ? d->bad : "malformed record";
			return -1;
		}
		if (c == 0)
			continue;
		d->rec.t_ns = d->last_t;
		if (d->rec.kind == SWT_REC_EVENTS && d->rec.u.events.n)
			d->rec.t_ns = d->rec.u.events.events[0].t_ns;
		return 1;
	}
	return 0;
}

/* Abandon the rest of the current chunk after a malformed record at byte
 * `at` of its records. */
static int chunk_damage(struct swt_reader *r, const char *what, size_t at)
{
	uint64_t off = r->chunk_off;
	char msg[160];

	snprintf(msg, sizeof(msg), "%s at byte %zu of the chunk's records",
		 what, at);
	r->in_chunk = false;
	/* a chunk cut short is already reported as truncated */
	if (r->salvage)
		return r->pending_status;
	r->stats.chunks_ok--;	/* its frame checked out, its records not */
	return add_damage(r, SWT_ECORRUPT, off, r->pos - off, msg);
}

/* A record decoded (here or by a decoding thread) becomes the reader's. */
static void accept_record(struct swt_reader *r, const struct swt_record *rec,
			  uint64_t unknown_before)
{
	r->stats.unknown_records += unknown_before;
	r->rec = *rec;
	if (rec->kind == SWT_REC_SAMPLE)
		r->stats.proc_samples += rec->u.sample.n_procs;
	else if (rec->kind == SWT_REC_END)
		r->stats.has_end = true;
}

static int pdec_next_in_chunk(struct swt_reader *r);

/* Next record from the current chunk: 1 record, 0 chunk exhausted,
 * negative damage status. */
static int next_in_chunk(struct swt_reader *r)
{
	const char *what = NULL;
	int rc;

	if (r->pd && pdec_has_chunk(r->pd))
		return pdec_next_in_chunk(r);
	rc = dec_next(&r->dec, &what);
	if (rc == 1) {
		accept_record(r, &r->dec.rec, r->dec.unknown);
		r->dec.unknown = 0;
		return 1;
	}
	r->stats.unknown_records += r->dec.unknown;
	r->dec.unknown = 0;
	if (rc < 0)
		return chunk_damage(r, what, r->dec.chunk_pos);
	r->in_chunk = false;
	return 0;
}

/* ---- decoding threads --------------------------------------------------
 *
 * With swt_reader_set_threads(r, n > 1), n - 1 threads decode the chunks
 * ahead of the caller: a thread decompresses a frame, takes its times as
 * load_frame() would, decodes its records with a chunk_dec of its own and
 * hands them over in small batches. The caller's thread still walks the
 * frames in file order and makes every decision about damage, skipping and
 * the index (frame_loaded(), chunk_damage()) from what the thread found, so
 * the records, the damage and the statistics are exactly those of decoding
 * on the caller's thread (decompress_frame() and dec_next() are the same
 * code on both sides).
 *
 * Which frames come next is predicted by walking the frame headers
 * (ZSTD_findFrameCompressedSize()), which needs neither the index nor the
 * frames' contents. When the caller asks for a frame the threads do not
 * have (a resynchronisation after damage, a seek, a frame the walk could
 * not size), the frames in flight are dropped and prediction restarts at
 * that frame.
 *
 * Memory is bounded: one frame per thread in flight, plus the one being
 * read; each holds at most PDEC_HELD bytes of decoded records not yet read
 * (plus one record, at most what decoding on one thread would hold), its
 * decompressed bytes (SWT_MAX_CHUNK_RAW_BYTES at most) and its strings;
 * and each thread the next frame decompressed ahead (pdec_ahead()).
 * Records go over in batches of about PDEC_BATCH bytes that are read soon
 * after they are written, while they are still in the cache, and are then
 * reused: a whole chunk of decoded rows (about 15 MB at 1 000 processes)
 * would go through memory twice, which costs more than decoding it. A
 * sample's rows are decoded straight into the batch (chunk_dec.rows_out),
 * not copied there; the batch holding the rows a thread decodes its next
 * sample against stays pinned (not reused, released or not) until that
 * sample is decoded. With deltas (swt_reader_set_deltas()) the rows of a
 * sample that lists its changed places are based on the table the thread
 * keeps (chunk_dec.dprocs, dthreads), and pin nothing; the batch gets
 * those rows alone (listed) or a copy of the table. */

#define PDEC_BATCH ((size_t)192 << 10)
/* (4 MB: at 1 MB, a thread woken when half of it was read was often not
 * yet running when the other half had been: the caller waited, 0.2 to
 * 0.6 s over a 24 h session of 1 000 processes; here the thread is woken
 * with 3 MB left, about 70 samples) */
#define PDEC_HELD ((size_t)4 << 20)
/* A thread that stopped at PDEC_HELD goes on once its slot holds no more
 * than this: woken once per megabyte read, not at every batch (a futex
 * wake and a wait per batch were 3 % of the caller's time) */
#define PDEC_HELD_LOW (PDEC_HELD / 4 * 3)

struct pdec_rec {
	struct swt_record rec;
	uint64_t unknown_before;	/* unknown records passed before it */
};

struct pdec_batch {
	struct pool pool;	/* what the records point at */
	struct pdec_rec *recs;
	size_t n, cap;
	size_t bytes;		/* counted in its slot's `held` */
	bool pinned;		/* its last sample's rows are the base of a
				 * thread's next sample: not reused yet */
	bool released;		/* released while pinned */
	struct pdec_batch *next;
};

enum pdec_state { SLOT_QUEUED, SLOT_RUNNING, SLOT_DONE };

struct pdec_slot {
	size_t off;		/* the frame */
	enum pdec_state state;
	bool cancel;		/* dropped: stop decoding it */
	bool loaded;		/* z, ct and n_rec are set */
	struct zframe z;
	struct chunk_times ct;
	size_t n_rec;
	struct pool strings;	/* the chunk's strings */
	struct pdec_batch *first, *last; /* decoded, not yet read */
	size_t held;		/* bytes of its batches not yet released */
	bool finished;		/* decoding ended: */
	int end_rc;		/* 0, or -1: malformed, */
	const char *end_what;	/* why */
	size_t end_pos;		/* where (chunk_dec.chunk_pos) */
	uint64_t end_unknown;	/* unknown records after the last one */
};

/* A frame a thread decompressed: the one at `off`, its bytes, and what
 * frame_loaded() takes of it. */
struct wframe {
	size_t off;
	unsigned char *buf;
	size_t cap;
	struct zframe z;
	struct chunk_times ct;
	size_t n_rec;
};

struct pdec_worker {
	struct pdec *pd;
	pthread_t th;
	ZSTD_DCtx *dctx;
	struct wframe cur;	/* the frame of the slot it decodes */
	struct wframe ahead;	/* the next one, when have_ahead
				 * (pdec_ahead()) */
	bool have_ahead;
	struct chunk_dec dec;
	struct pdec_batch *base_batch;	/* pinned: holds dec's base rows */
};

struct pdec {
	pthread_mutex_t mu;
	pthread_cond_t work;	/* a slot was queued, or stop */
	pthread_cond_t ready;	/* a slot loaded, a batch out, a slot done */
	pthread_cond_t space;	/* a batch released, or a slot cancelled */
	const unsigned char *data;
	size_t data_end;
	struct pdec_worker *w;
	unsigned n_w;
	struct pdec_slot *slots;	/* a ring, in file order */
	size_t n_slots, head, n;
	size_t predict;		/* next frame to queue; SIZE_MAX: unknown */
	bool stop;
	struct pdec_batch *spare;	/* released batches, kept warm */
	/* the caller's side */
	bool have_chunk;	/* slots[head] is the chunk being read */
	struct pdec_batch *cur;	/* the batch being read */
	size_t cur_i;
};

static void batch_free(struct pdec_batch *b)
{
	pool_fini(&b->pool);
	free(b->recs);
	free(b);
}

/* Keep b for reuse, once no thread decodes against its rows. Under
 * pd->mu. */
static void batch_to_spare(struct pdec *pd, struct pdec_batch *b)
{
	if (b->pinned) {
		b->released = true;
		return;
	}
	b->next = pd->spare;
	pd->spare = b;
}

/* Under pd->mu. */
static void batch_release(struct pdec *pd, struct pdec_slot *s,
			  struct pdec_batch *b)
{
	size_t before = s->held;

	s->held -= b->bytes;
	batch_to_spare(pd, b);
	if (before > PDEC_HELD_LOW && s->held <= PDEC_HELD_LOW)
		pthread_cond_broadcast(&pd->space);
}

/* Whether d's base rows (the last sample's) are in the batch it fills: not
 * when both tables are kept in d (a delta sample, or none). */
static bool base_out(const struct chunk_dec *d)
{
	return (d->n_pbase && d->pbase != d->dprocs) ||
	       (d->n_tbase && d->tbase != d->dthreads);
}

/* Worker w's base rows are now in batch b (NULL: it has none): unpin the
 * batch that held them. b is the batch w fills, not yet handed over. */
static void base_moves(struct pdec_worker *w, struct pdec_batch *b)
{
	struct pdec_batch *old = w->base_batch;

	if (old == b)
		return;
	if (b)
		b->pinned = true;
	w->base_batch = b;
	if (!old)
		return;
	pthread_mutex_lock(&w->pd->mu);
	old->pinned = false;
	if (old->released) {
		old->released = false;
		batch_to_spare(w->pd, old);
	}
	pthread_mutex_unlock(&w->pd->mu);
}

/* Copy a record decoded by a thread into batch b: what it points at in the
 * thread's buffers (events, the unpacked message's bytes) goes into the
 * batch's pool; a sample's rows were decoded into that pool
 * (chunk_dec.rows_out), its strings are in the slot's pool. */
static void keep_record(struct pdec_batch *b, const struct swt_record *src,
			uint64_t unknown)
{
	struct pdec_rec *k;
	struct swt_record *o;

	b->recs = swt_grow(b->recs, &b->cap, b->n + 1, sizeof(*b->recs));
	k = &b->recs[b->n++];
	k->rec = *src;
	k->unknown_before = unknown;
	o = &k->rec;
	switch (o->kind) {
	case SWT_REC_SAMPLE: {
		struct swt_sample *s = &o->u.sample;

		if (s->n_netdevs)
			s->netdevs = pool_dup(&b->pool, s->netdevs,
					      s->n_netdevs *
						      sizeof(*s->netdevs),
					      16);
		break;
	}
	case SWT_REC_EVENTS:
		o->u.events.events = pool_dup(&b->pool, o->u.events.events,
					      o->u.events.n *
						      sizeof(struct swt_event),
					      16);
		break;
	case SWT_REC_PROC_START:
		o->u.proc_start.cmdline =
			pool_dup_str(&b->pool, o->u.proc_start.cmdline,
				     o->u.proc_start.cmdline_len);
		break;
	case SWT_REC_PROC_EXIT:
		if (o->u.proc_exit.n_threads)
			o->u.proc_exit.threads = pool_dup(
				&b->pool, o->u.proc_exit.threads,
				o->u.proc_exit.n_threads *
					sizeof(struct swt_thread_end),
				16);
		break;
	case SWT_REC_ANOMALY:
		o->u.anomaly.detail =
			pool_dup_str(&b->pool, o->u.anomaly.detail,
				     o->u.anomaly.detail_len);
		break;
	case SWT_REC_END:
		o->u.end.error = pool_dup_str(&b->pool, o->u.end.error,
					      strlen(o->u.end.error));
		o->u.end.proc_events_source = pool_dup_str(
			&b->pool, o->u.end.proc_events_source,
			strlen(o->u.end.proc_events_source));
		break;
	default:
		break;	/* no pointer into the unpacked message */
	}
}

static struct pdec_slot *oldest_queued(struct pdec *pd);

/* Decompress the frame at off into f (its buffer reused), as load_frame()
 * does on the caller's thread. */
static void wframe_load(struct pdec_worker *w, struct wframe *f, size_t off)
{
	struct pdec *pd = w->pd;

	f->off = off;
	memset(&f->ct, 0, sizeof(f->ct));
	f->n_rec = 0;
	decompress_frame(w->dctx, pd->data, off, pd->data_end, &f->buf,
			 &f->cap, &f->z);
	if (f->z.rc >= 0)
		f->n_rec = scan_chunk_times(&f->ct, f->buf, f->z.len,
					    f->z.rc != 0);
}

/* Worker w, about to wait for room in its slot, decompresses the frame of
 * the slot it takes next (the oldest queued) meanwhile, if not done yet:
 * pdec_run() takes it from there. Else the reader, once it has read the
 * slot, would wait for that frame to be decompressed, every frame (about
 * zstd's whole time over a session, the decoding thread being ahead and
 * idle). The same bytes and damage as decompressed later: the file does
 * not change. Under pd->mu, released while decompressing. */
static void pdec_ahead(struct pdec_worker *w)
{
	struct pdec *pd = w->pd;
	struct pdec_slot *next;
	size_t off;

	if (w->have_ahead || !(next = oldest_queued(pd)))
		return;
	off = next->off;
	pthread_mutex_unlock(&pd->mu);
	wframe_load(w, &w->ahead, off);
	w->have_ahead = true;
	pthread_mutex_lock(&pd->mu);
}

/* A batch to fill for worker w's slot s, once s holds less than PDEC_HELD
 * (after holding that much, once it holds PDEC_HELD_LOW); NULL when s was
 * cancelled. */
static struct pdec_batch *batch_get(struct pdec_worker *w,
				    struct pdec_slot *s)
{
	struct pdec *pd = w->pd;
	struct pdec_batch *b = NULL;

	pthread_mutex_lock(&pd->mu);
	if (s->held >= PDEC_HELD) {
		pdec_ahead(w);
		while (!s->cancel && s->held > PDEC_HELD_LOW)
			pthread_cond_wait(&pd->space, &pd->mu);
	}
	if (!s->cancel) {
		b = pd->spare;
		if (b)
			pd->spare = b->next;
		else
			b = swt_zalloc(sizeof(*b));
	}
	pthread_mutex_unlock(&pd->mu);
	if (b) {
		pool_reset(&b->pool);
		b->n = 0;
		b->next = NULL;
	}
	return b;
}

/* Hand batch b of slot s over; false when s was cancelled (b is kept). */
static bool batch_publish(struct pdec *pd, struct pdec_slot *s,
			  struct pdec_batch *b)
{
	bool ok;

	pthread_mutex_lock(&pd->mu);
	ok = !s->cancel;
	if (ok) {
		b->bytes = b->pool.total + b->n * sizeof(*b->recs);
		s->held += b->bytes;
		if (s->last)
			s->last->next = b;
		else
			s->first = b;
		s->last = b;
		pthread_cond_broadcast(&pd->ready);
	} else {
		batch_to_spare(pd, b);
	}
	pthread_mutex_unlock(&pd->mu);
	return ok;
}

/* Decode slot s's frame on worker w. */
static void pdec_run(struct pdec_worker *w, struct pdec_slot *s)
{
	struct pdec *pd = w->pd;
	struct pdec_batch *b = NULL;
	const char *what = NULL;
	int rc;

	if (w->have_ahead && w->ahead.off == s->off) {
		struct wframe f = w->cur;

		w->cur = w->ahead;
		w->ahead = f;
	} else {
		wframe_load(w, &w->cur, s->off);
	}
	w->have_ahead = false;
	pthread_mutex_lock(&pd->mu);
	s->z = w->cur.z;
	s->ct = w->cur.ct;
	s->n_rec = w->cur.n_rec;
	s->loaded = true;
	s->finished = w->cur.z.rc < 0;
	pthread_cond_broadcast(&pd->ready);
	pthread_mutex_unlock(&pd->mu);
	if (w->cur.z.rc < 0)
		return;
	dec_start(&w->dec, w->cur.buf, w->cur.z.len, w->cur.z.rc != 0,
		  &s->strings, s->off);
	for (;;) {
		/* the rows go straight into the batch, which is taken
		 * before decoding */
		if (!b && !(b = batch_get(w, s))) {
			base_moves(w, NULL);
			return;	/* cancelled */
		}
		w->dec.rows_out = &b->pool;
		rc = dec_next(&w->dec, &what);
		if (rc != 1)
			break;
		keep_record(b, &w->dec.rec, w->dec.unknown);
		w->dec.unknown = 0;
		if (w->dec.rec.kind == SWT_REC_SAMPLE)
			base_moves(w, base_out(&w->dec) ? b : NULL);
		if (b->pool.total >= PDEC_BATCH) {
			if (!batch_publish(pd, s, b)) {
				base_moves(w, NULL);
				return;
			}
			b = NULL;
		}
	}
	base_moves(w, NULL);
	if (b->n) {
		if (!batch_publish(pd, s, b))
			return;
	} else {
		pthread_mutex_lock(&pd->mu);
		batch_to_spare(pd, b);
		pthread_mutex_unlock(&pd->mu);
	}
	pthread_mutex_lock(&pd->mu);
	s->finished = true;
	s->end_rc = rc;
	s->end_what = what;
	s->end_pos = w->dec.chunk_pos;
	s->end_unknown = w->dec.unknown;
	pthread_cond_broadcast(&pd->ready);
	pthread_mutex_unlock(&pd->mu);
}

/* The oldest queued slot, or NULL. Under pd->mu. */
static struct pdec_slot *oldest_queued(struct pdec *pd)
{
	size_t i;

	for (i = 0; i < pd->n; i++) {
		struct pdec_slot *s = &pd->slots[(pd->head + i) % pd->n_slots];

		if (s->state == SLOT_QUEUED)
			return s;
	}
	return NULL;
}

static void *pdec_main(void *arg)
{
	struct pdec_worker *w = arg;
	struct pdec *pd = w->pd;
	struct pdec_slot *s = NULL;

	pthread_mutex_lock(&pd->mu);
	for (;;) {
		while (!pd->stop && !(s = oldest_queued(pd)))
			pthread_cond_wait(&pd->work, &pd->mu);
		if (pd->stop)
			break;
		s->state = SLOT_RUNNING;
		pthread_mutex_unlock(&pd->mu);
		pdec_run(w, s);
		pthread_mutex_lock(&pd->mu);
		s->state = SLOT_DONE;
		pthread_cond_broadcast(&pd->ready);
	}
	pthread_mutex_unlock(&pd->mu);
	return NULL;
}

/* Drop the oldest slot, waiting for its thread. Under pd->mu. */
static void drop_head(struct pdec *pd)
{
	struct pdec_slot *s = &pd->slots[pd->head];

	s->cancel = true;
	pthread_cond_broadcast(&pd->space);
	while (s->state == SLOT_RUNNING)
		pthread_cond_wait(&pd->ready, &pd->mu);
	while (s->first) {
		struct pdec_batch *b = s->first;

		s->first = b->next;
		batch_release(pd, s, b);
	}
	s->last = NULL;
	pd->head = (pd->head + 1) % pd->n_slots;
	pd->n--;
}

/* Queue the predicted frames while there is room. Under pd->mu. */
static void pdec_fill(struct pdec *pd)
{
	while (pd->n < pd->n_slots && pd->predict < pd->data_end) {
		size_t at = pd->predict, left = pd->data_end - at, fs;
		uint32_t magic;
		struct pdec_slot *s;

		if (left < 8) {
			pd->predict = SIZE_MAX;
			break;
		}
		magic = swt_codec__get_le32(pd->data + at);
		if (is_skippable(magic)) {
			uint32_t size = swt_codec__get_le32(pd->data + at + 4);

			pd->predict = size > left - 8 ? SIZE_MAX :
							at + 8 + size;
			continue;
		}
		if (magic != SWT_ZSTD_FRAME_MAGIC) {
			pd->predict = SIZE_MAX;
			break;
		}
		s = &pd->slots[(pd->head + pd->n) % pd->n_slots];
		s->off = at;
		s->state = SLOT_QUEUED;
		s->cancel = false;
		s->loaded = false;
		s->finished = false;
		s->first = s->last = NULL;
		s->held = 0;
		s->end_rc = 0;
		s->end_what = NULL;
		s->end_pos = 0;
		s->end_unknown = 0;
		pd->n++;
		pthread_cond_signal(&pd->work);
		/* a frame that cannot be sized (cut, damaged) is still
		 * decoded: only what follows it is unknown */
		fs = ZSTD_findFrameCompressedSize(pd->data + at, left);
		pd->predict = ZSTD_isError(fs) || fs == 0 ? SIZE_MAX : at + fs;
	}
}

static bool pdec_has_chunk(const struct pdec *pd)
{
	return pd->have_chunk;
}

/* Done with the chunk being read, read to its end or not (a seek): drop
 * its slot, so that reading it again decodes it again. */
static void pdec_leave(struct swt_reader *r)
{
	struct pdec *pd = r->pd;

	if (!pd->have_chunk)
		return;
	pthread_mutex_lock(&pd->mu);
	if (pd->cur)
		batch_release(pd, &pd->slots[pd->head], pd->cur);
	pd->cur = NULL;
	pd->have_chunk = false;
	drop_head(pd);
	pthread_mutex_unlock(&pd->mu);
}

/* The frame at `start` from the threads: true when they had it, with
 * *status what frame_loaded() returned for it; false when they do not
 * have it (decode it here). */
static bool pdec_take(struct swt_reader *r, size_t start, int *status)
{
	struct pdec *pd = r->pd;
	struct pdec_slot *s;

	pthread_mutex_lock(&pd->mu);
	while (pd->n && pd->slots[pd->head].off < start)
		drop_head(pd);
	if (pd->n && pd->slots[pd->head].off != start)
		while (pd->n)
			drop_head(pd);
	if (!pd->n)
		pd->predict = start;
	pdec_fill(pd);
	if (!pd->n || pd->slots[pd->head].off != start) {
		pthread_mutex_unlock(&pd->mu);
		return false;
	}
	s = &pd->slots[pd->head];
	while (!s->loaded)
		pthread_cond_wait(&pd->ready, &pd->mu);
	pthread_mutex_unlock(&pd->mu);
	pd->have_chunk = true;
	pd->cur = NULL;
	*status = frame_loaded(r, &s->z, &s->ct, s->n_rec);
	return true;
}

static int pdec_next_in_chunk(struct swt_reader *r)
{
	struct pdec *pd = r->pd;
	struct pdec_slot *s = &pd->slots[pd->head];

	for (;;) {
		if (pd->cur && pd->cur_i < pd->cur->n) {
			const struct pdec_rec *k = &pd->cur->recs[pd->cur_i++];

			accept_record(r, &k->rec, k->unknown_before);
			return 1;
		}
		pthread_mutex_lock(&pd->mu);
		if (pd->cur)
			batch_release(pd, s, pd->cur);
		pd->cur = NULL;
		while (!s->first && !s->finished)
			pthread_cond_wait(&pd->ready, &pd->mu);
		if (s->first) {
			pd->cur = s->first;
			s->first = pd->cur->next;
			if (!s->first)
				s->last = NULL;
			pd->cur_i = 0;
		}
		pthread_mutex_unlock(&pd->mu);
		if (!pd->cur)
			break;
	}
	r->stats.unknown_records += s->end_unknown;
	s->end_unknown = 0;
	if (s->end_rc < 0)
		return chunk_damage(r, s->end_what, s->end_pos);
	r->in_chunk = false;
	return 0;
}

static void pdec_free(struct pdec *pd)
{
	unsigned i;
	size_t k;

	if (!pd)
		return;
	pthread_mutex_lock(&pd->mu);
	if (pd->cur && pd->have_chunk)
		batch_release(pd, &pd->slots[pd->head], pd->cur);
	pd->cur = NULL;
	while (pd->n)
		drop_head(pd);
	pd->stop = true;
	pthread_cond_broadcast(&pd->work);
	pthread_mutex_unlock(&pd->mu);
	for (i = 0; i < pd->n_w; i++) {
		pthread_join(pd->w[i].th, NULL);
		ZSTD_freeDCtx(pd->w[i].dctx);
		free(pd->w[i].cur.buf);
		free(pd->w[i].ahead.buf);
		dec_fini(&pd->w[i].dec);
	}
	for (k = 0; k < pd->n_slots; k++)
		pool_fini(&pd->slots[k].strings);
	while (pd->spare) {
		struct pdec_batch *b = pd->spare;

		pd->spare = b->next;
		batch_free(b);
	}
	pthread_mutex_destroy(&pd->mu);
	pthread_cond_destroy(&pd->work);
	pthread_cond_destroy(&pd->ready);
	pthread_cond_destroy(&pd->space);
	free(pd->slots);
	free(pd->w);
	free(pd);
}

/* n decoding threads for r, or NULL (with the reason in r's message) when
 * not even one could be started. */
static struct pdec *pdec_new(struct swt_reader *r, unsigned n)
{
	struct pdec *pd = swt_zalloc(sizeof(*pd));
	unsigned i;

	pthread_mutex_init(&pd->mu, NULL);
	pthread_cond_init(&pd->work, NULL);
	pthread_cond_init(&pd->ready, NULL);
	pthread_cond_init(&pd->space, NULL);
	pd->data = r->data;
	pd->data_end = r->data_end;
	pd->predict = SIZE_MAX;
	pd->n_slots = (size_t)n + 1;
	pd->slots = swt_zalloc(pd->n_slots * sizeof(*pd->slots));
	pd->w = swt_zalloc(n * sizeof(*pd->w));
	for (i = 0; i < n; i++) {
		struct pdec_worker *w = &pd->w[i];
		int err;

		w->pd = pd;
		dec_init(&w->dec);
		w->dec.deltas = r->deltas;
		w->dec.listed = r->listed;
		w->dctx = ZSTD_createDCtx();
		err = w->dctx ? pthread_create(&w->th, NULL, pdec_main, w) :
				ENOMEM;
		if (err) {
			ZSTD_freeDCtx(w->dctx);
			dec_fini(&w->dec);
			set_err(r, SWT_EIO, 0, "cannot start a decoding "
				"thread: %s", strerror(err));
			break;
		}
		/* a name of its own, for top -H, perf and swrec's thread
		 * modules (its CPU apart from the caller's); a name refused
		 * changes nothing */
		(void)pthread_setname_np(w->th, "swt-decode");
		pd->n_w++;
	}
	if (!pd->n_w) {
		pdec_free(pd);
		return NULL;
	}
	return pd;
}

int swt_reader_set_threads(struct swt_reader *r, unsigned n)
{
	if (n == 0 || n > SWT_READER_MAX_THREADS)
		return SWT_EINVAL;
	if (r->pd && r->pd->have_chunk && r->in_chunk)
		return SWT_EINVAL;
	pdec_free(r->pd);
	r->pd = NULL;
	r->threads = n;
	if (n > 1 && r->data_end > r->data_start) {
		r->pd = pdec_new(r, n - 1);
		if (!r->pd)
			return SWT_EIO;
	}
	return 0;
}

int swt_reader_set_deltas(struct swt_reader *r, bool on, bool listed)
{
	if (r->header_done || r->have_peek)
		return SWT_EINVAL;
	/* (sparse samples came with format 1.8) */
	r->deltas = on && (r->header.format_major > 1 ||
			   r->header.format_minor >= 8);
	r->listed = r->deltas && listed;
	r->dec.deltas = r->deltas;
	if (!r->pd)
		return 0;
	/* the decoding threads read it when given a frame: with none queued
	 * yet (the usual case, nothing read), set under the lock they take to
	 * find one; else they start again */
	pthread_mutex_lock(&r->pd->mu);
	if (!r->pd->n && !r->pd->have_chunk) {
		unsigned i;

		for (i = 0; i < r->pd->n_w; i++) {
			r->pd->w[i].dec.deltas = r->deltas;
			r->pd->w[i].dec.listed = r->listed;
		}
		pthread_mutex_unlock(&r->pd->mu);
		return 0;
	}
	pthread_mutex_unlock(&r->pd->mu);
	return swt_reader_set_threads(r, r->threads);
}

unsigned swt_reader_get_threads(const struct swt_reader *r)
{
	return r->pd ? r->pd->n_w + 1 : 1;
}

static void count_record(struct swt_reader *r)
{
	int64_t t = r->rec.t_ns;

	r->stats.records++;
	if (t < r->stats.t_first_ns)
		r->stats.t_first_ns = t;
	if (t > r->stats.t_last_ns)
		r->stats.t_last_ns = t;
	r->last_rec_t = t;
}

/* A file that ends without an index did not finish cleanly (crash, live
 * recording, truncation). Frames that were cut are already reported; a
 * cut exactly at a frame boundary is reported here, once. */
static int end_without_index(struct swt_reader *r)
{
	size_t i;

	if (r->index || r->eof_checked)
		return 0;
	r->eof_checked = true;
	for (i = 0; i < r->n_damage; i++)
		if (r->damage[i].status == SWT_ETRUNCATED)
			return 0;
	return add_damage(r, SWT_ETRUNCATED, r->len, 0,
			  "file ends without an index (recording did not "
			  "finish)");
}

/* Core iteration without the header and peek logic. */
static int next_record(struct swt_reader *r)
{
	int rc;

	for (;;) {
		if (r->in_chunk) {
			rc = next_in_chunk(r);
			if (rc == 1)
				return 0;
			if (rc < 0 && (r->flags & SWT_READER_STRICT))
				return rc;
			if (rc == 0 && r->pending_status &&
			    (r->flags & SWT_READER_STRICT)) {
				rc = r->pending_status;
				r->pending_status = 0;
				return rc;
			}
			continue;
		}
		if (r->pos >= r->data_end) {
			rc = end_without_index(r);
			if (rc < 0 && (r->flags & SWT_READER_STRICT))
				return rc;
			return SWT_ITEROVER;
		}
		if (r->data_end - r->pos < 4) {
			rc = add_damage(r, SWT_ETRUNCATED, r->pos,
					r->data_end - r->pos,
					"file ends inside a frame header");
			r->pos = r->data_end;
		} else {
			uint32_t magic = swt_codec__get_le32(r->data + r->pos);

			if (magic == SWT_ZSTD_FRAME_MAGIC) {
				rc = load_frame(r);
			} else if (is_skippable(magic)) {
				uint64_t size = r->data_end - r->pos >= 8 ?
					swt_codec__get_le32(r->data + r->pos +
							    4) :
					UINT64_MAX;

				if (size > r->data_end - r->pos - 8) {
					rc = add_damage(
						r, SWT_ETRUNCATED, r->pos,
						r->data_end - r->pos,
						"file ends inside a skippable "
						"frame");
					r->pos = r->data_end;
				} else {
					/* a frame of a newer writer: skip */
					r->pos += 8 + (size_t)size;
					rc = 0;
				}
			} else {
				size_t next = resync(r, r->pos + 1);

				rc = add_damage(r, SWT_ECORRUPT, r->pos,
						next - r->pos,
						"bytes that start no frame");
				r->pos = next;
			}
		}
		if (rc < 0 && (r->flags & SWT_READER_STRICT))
			return rc;
	}
}

int swt_reader_next(struct swt_reader *r, const struct swt_record **out)
{
	int rc;

	if (!r->header_done) {
		r->header_done = true;
		memset(&r->rec, 0, sizeof(r->rec));
		r->rec.kind = SWT_REC_HEADER;
		r->rec.t_ns = r->header.start_mono_ns;
		r->rec.u.header = r->header;
		*out = &r->rec;
		return 0;
	}
	if (r->have_peek) {
		r->have_peek = false;
		count_record(r);
		*out = &r->rec;
		return 0;
	}
	rc = next_record(r);
	if (rc < 0)
		return rc;
	count_record(r);
	*out = &r->rec;
	return 0;
}

int swt_reader_seek(struct swt_reader *r, int64_t t)
{
	int rc;

	r->header_done = true;
	r->have_peek = false;
	r->in_chunk = false;
	r->pos = r->data_start;
	r->prev_chunk_last_t = INT64_MIN;
	if (r->index_trusted) {
		size_t lo = 0, hi = r->index->n_chunks;

		/* first chunk whose last record is at or after t */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (r->index->chunks[mid]->t_last_ns < t)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == r->index->n_chunks) {
			r->pos = r->data_end;
			return SWT_ITEROVER;
		}
		r->pos = (size_t)r->index->chunks[lo]->offset;
	}
	for (;;) {
		rc = next_record(r);
		if (rc == SWT_ITEROVER)
			return rc;
		if (rc < 0)
			continue;	/* strict: damage passed over */
		if (r->rec.t_ns >= t) {
			r->have_peek = true;
			return 0;
		}
	}
}
