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
#include <stdarg.h>
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

struct str_ref {
	uint32_t off;
	uint32_t len;
	bool defined;
};

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
	struct arena arena;
	ProtobufCAllocator pballoc;

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
	size_t chunk_len, chunk_cap, chunk_pos;

	/* per-chunk decoding state */
	int64_t last_t;
	struct str_ref *strs;
	size_t cap_strs;
	struct swt_buf strbuf;
	struct swt_proc_row *procs[2];	/* [cur] returned, [!cur] base */
	size_t n_procs[2], cap_procs[2];
	int cur_procs;
	struct swt_thread_row *threads[2];
	size_t n_threads[2], cap_threads[2];
	int cur_threads;
	struct swt_netdev *netdevs;	/* of the last sample */
	size_t cap_netdevs;
	int32_t *reset_pids;
	size_t n_reset, cap_reset;

	/* output */
	struct swt_record rec;
	struct swt_event *events;
	size_t cap_events;
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
	r->pballoc.alloc = arena_alloc;
	r->pballoc.free = arena_free;
	r->pballoc.allocator_data = &r->arena;
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
	if (r->mapped)
		munmap((void *)(uintptr_t)r->data, r->len);
	if (r->hdr_msg)
		swt__pb__session_header__free_unpacked(r->hdr_msg, NULL);
	if (r->index)
		swt__pb__index__free_unpacked(r->index, NULL);
	swt_procdir_fini(&r->dir);
	ZSTD_freeDCtx(r->dctx);
	arena_fini(&r->arena);
	free(r->chunk);
	free(r->strs);
	swt_buf_fini(&r->strbuf);
	free(r->procs[0]);
	free(r->procs[1]);
	free(r->threads[0]);
	free(r->threads[1]);
	free(r->netdevs);
	free(r->reset_pids);
	free(r->events);
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

static void reset_chunk_state(struct swt_reader *r)
{
	r->last_t = 0;
	if (r->strs)
		memset(r->strs, 0, r->cap_strs * sizeof(*r->strs));
	swt_buf_clear(&r->strbuf);
	r->n_procs[0] = r->n_procs[1] = 0;
	r->n_threads[0] = r->n_threads[1] = 0;
	r->n_reset = 0;
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
		       bool *skip)
{
	struct chunk_times ct = { 0, 0, 0, 0 };
	char msg[320], why[128] = "";
	int st = 0;

	*skip = false;
	if (!scan_chunk_times(&ct, r->chunk, r->chunk_len, r->salvage))
		return 0;
	if (r->index_trusted && !r->salvage) {
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

/* Decompress the zstd frame at r->pos into r->chunk. Returns 0 when the
 * frame (or a salvageable prefix of it) is ready, 1 when it was skipped as
 * damaged, or a damage status (for strict mode). */
static int load_frame(struct swt_reader *r)
{
	size_t start = r->pos, rc = 1, next;
	ZSTD_inBuffer in = { r->data + start, r->data_end - start, 0 };
	char what[160];
	bool skip;
	int st;

	ZSTD_DCtx_reset(r->dctx, ZSTD_reset_session_only);
	r->chunk_len = 0;
	r->chunk_pos = 0;
	r->stats.chunks++;
	for (;;) {
		ZSTD_outBuffer o;

		if (r->chunk_len == r->chunk_cap) {
			if (r->chunk_cap >= SWT_MAX_CHUNK_RAW_BYTES) {
				snprintf(what, sizeof(what),
					 "chunk larger than %u bytes "
					 "decompressed",
					 SWT_MAX_CHUNK_RAW_BYTES);
				goto damaged;
			}
			r->chunk_cap = r->chunk_cap ? r->chunk_cap * 2 :
						      (size_t)1 << 20;
			if (r->chunk_cap > SWT_MAX_CHUNK_RAW_BYTES)
				r->chunk_cap = SWT_MAX_CHUNK_RAW_BYTES;
			r->chunk = swt_reallocarray(r->chunk, r->chunk_cap, 1);
		}
		o.dst = r->chunk;
		o.size = r->chunk_cap;
		o.pos = r->chunk_len;
		rc = ZSTD_decompressStream(r->dctx, &o, &in);
		r->chunk_len = o.pos;
		if (ZSTD_isError(rc)) {
			snprintf(what, sizeof(what), "damaged chunk: %s",
				 ZSTD_getErrorName(rc));
			goto damaged;
		}
		if (rc == 0)
			break;	/* frame complete, checksum verified */
		if (in.pos == in.size && o.pos < o.size) {
			/* input exhausted inside the frame: unfinished */
			break;
		}
	}
	reset_chunk_state(r);
	r->chunk_off = start;
	r->pending_status = 0;
	r->salvage = rc != 0;
	r->pos = rc == 0 ? start + in.pos : r->data_end;
	st = check_chunk(r, start, r->pos - start, &skip);
	if (skip) {
		r->in_chunk = false;
		return st;
	}
	r->in_chunk = true;
	if (rc == 0) {
		r->stats.chunks_ok++;
		return st;
	}
	r->stats.chunks_salvaged++;
	r->pending_status = add_damage(
		r, SWT_ETRUNCATED, start, r->data_end - start,
		"unfinished chunk (recording did not finish): records "
		"salvaged up to the last complete one");
	return 0;

damaged:
	next = resync(r, start + 1);
	if (!r->index_trusted) {
		size_t fs = ZSTD_findFrameCompressedSize(r->data + start,
							 r->data_end - start);

		if (!ZSTD_isError(fs) && fs > 0 && start + fs <= r->data_end)
			next = start + fs;
	}
	r->pos = next;
	r->in_chunk = false;
	return add_damage(r, SWT_ECORRUPT, start, next - start, what);
}

/* ---- records ---------------------------------------------------------- */

static const char *str_get(const struct swt_reader *r, uint32_t id)
{
	if (id == 0 || id >= r->cap_strs || !r->strs[id].defined)
		return "";
	return r->strbuf.ptr + r->strs[id].off;
}

static int def_string(struct swt_reader *r, const Swt__Pb__StringDef *s)
{
	size_t need = (size_t)s->id + 1;

	if (s->id == 0 || s->id > MAX_STRING_ID)
		return -1;
	if (need > r->cap_strs) {
		size_t old = r->cap_strs;

		r->strs = swt_grow(r->strs, &r->cap_strs, need,
				   sizeof(*r->strs));
		memset(r->strs + old, 0, (r->cap_strs - old) * sizeof(*r->strs));
	}
	r->strs[s->id].off = (uint32_t)r->strbuf.len;
	r->strs[s->id].len = (uint32_t)s->value.len;
	r->strs[s->id].defined = true;
	swt_buf_add(&r->strbuf, s->value.data, s->value.len);
	swt_buf_putc(&r->strbuf, '\0');
	return 0;
}

static bool was_reset(const struct swt_reader *r, int32_t pid)
{
	size_t i;

	for (i = 0; i < r->n_reset; i++)
		if (r->reset_pids[i] == pid)
			return true;
	return false;
}

/* Column value i, or 0 when the column is absent. */
#define COLV(m, f, i) ((m)->n_##f ? (m)->f[i] : 0)

static int conv_sample(struct swt_reader *r, const Swt__Pb__Sample *m)
{
	struct swt_sample *s = &r->rec.u.sample;
	size_t n = m->n_pid, nt = m->n_tid, i, j;
	int cur = r->cur_procs ^ 1, curt = r->cur_threads ^ 1;
	const struct swt_proc_row *base = r->procs[r->cur_procs];
	size_t n_base = r->n_procs[r->cur_procs];
	const struct swt_thread_row *tbase = r->threads[r->cur_threads];
	size_t n_tbase = r->n_threads[r->cur_threads];
	struct swt_proc_row *rows;
	struct swt_thread_row *trows;
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

	r->procs[cur] = swt_grow(r->procs[cur], &r->cap_procs[cur], n,
				 sizeof(**r->procs));
	rows = r->procs[cur];
	for (i = 0, j = 0; i < n; i++) {
		static const struct swt_proc_row zero;
		const struct swt_proc_row *b = &zero;
		struct swt_proc_row *p = &rows[i];

		id += m->pid[i];
		if ((i && id <= rows[i - 1].pid) || id < INT32_MIN ||
		    id > INT32_MAX)
			return -1;
		p->pid = (int32_t)id;
		while (j < n_base && base[j].pid < p->pid)
			j++;
		if (j < n_base && base[j].pid == p->pid &&
		    !was_reset(r, p->pid))
			b = &base[j];
		p->flags = (uint32_t)COLV(m, flags, i);
		p->utime = wadd(b->utime, COLV(m, utime, i));
		p->stime = wadd(b->stime, COLV(m, stime, i));
		p->rss_kib = wadd(b->rss_kib, COLV(m, rss_kib, i));
		p->vsz_kib = wadd(b->vsz_kib, COLV(m, vsz_kib, i));
		p->nthreads = wadd(b->nthreads, COLV(m, nthreads, i));
		p->minflt = wadd(b->minflt, COLV(m, minflt, i));
		p->majflt = wadd(b->majflt, COLV(m, majflt, i));
		p->io_read = wadd(b->io_read, COLV(m, io_read, i));
		p->io_write = wadd(b->io_write, COLV(m, io_write, i));
		p->vctxsw = wadd(b->vctxsw, COLV(m, vctxsw, i));
		p->ivctxsw = wadd(b->ivctxsw, COLV(m, ivctxsw, i));
		p->cutime = wadd(b->cutime, COLV(m, cutime, i));
		p->cstime = wadd(b->cstime, COLV(m, cstime, i));
		p->net_tx = wadd(b->net_tx, COLV(m, net_tx, i));
		p->net_rx = wadd(b->net_rx, COLV(m, net_rx, i));
		p->socks_tcp = wadd(b->socks_tcp, COLV(m, socks_tcp, i));
		p->socks_udp = wadd(b->socks_udp, COLV(m, socks_udp, i));
		p->socks_other = wadd(b->socks_other, COLV(m, socks_other, i));
	}
	r->n_procs[cur] = n;
	r->cur_procs = cur;

	r->threads[curt] = swt_grow(r->threads[curt], &r->cap_threads[curt],
				    nt, sizeof(**r->threads));
	trows = r->threads[curt];
	id = 0;
	for (i = 0, j = 0; i < nt; i++) {
		struct swt_thread_row *t = &trows[i];
		int64_t tgid;

		id += m->tid[i];
		if ((i && id <= trows[i - 1].tid) || id < INT32_MIN ||
		    id > INT32_MAX)
			return -1;
		t->tid = (int32_t)id;
		tgid = id - COLV(m, tgid_off, i);
		if (tgid < INT32_MIN || tgid > INT32_MAX)
			return -1;
		t->tgid = (int32_t)tgid;
		t->name = str_get(r, (uint32_t)COLV(m, tname, i));
		t->utime = COLV(m, tutime, i);
		t->stime = COLV(m, tstime, i);
		while (j < n_tbase && tbase[j].tid < t->tid)
			j++;
		if (j < n_tbase && tbase[j].tid == t->tid &&
		    !was_reset(r, t->tgid)) {
			t->utime = wadd(t->utime, tbase[j].utime);
			t->stime = wadd(t->stime, tbase[j].stime);
		}
	}
	r->n_threads[curt] = nt;
	r->cur_threads = curt;
	r->n_reset = 0;

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
		r->netdevs = swt_grow(r->netdevs, &r->cap_netdevs, m->n_netdevs,
				      sizeof(*r->netdevs));
		for (i = 0; i < m->n_netdevs; i++) {
			const Swt__Pb__Sample__NetDev *d = m->netdevs[i];

			if (!d)
				return -1;
			r->netdevs[i].name = str_get(r, d->name);
			r->netdevs[i].rx_bytes = d->rx_bytes;
			r->netdevs[i].tx_bytes = d->tx_bytes;
		}
		s->n_netdevs = m->n_netdevs;
		s->netdevs = r->netdevs;
	}
	r->stats.proc_samples += n;
	return 0;
}

static int conv_events(struct swt_reader *r, const Swt__Pb__EventBatch *m)
{
	struct swt_event_batch *b = &r->rec.u.events;
	size_t n = m->n_t, i;
	int64_t t = r->rec.t_ns, tid;

	if (m->n_kind != n || m->n_name != n || m->n_tid != n ||
	    (m->n_value && m->n_value != n))
		return -1;
	r->events = swt_grow(r->events, &r->cap_events, n,
			     sizeof(*r->events));
	for (i = 0; i < n; i++) {
		struct swt_event *e = &r->events[i];

		t = wadd(t, m->t[i]);
		e->t_ns = t;
		e->kind = (enum swt_event_kind)m->kind[i];
		tid = (int64_t)m->pid + m->tid[i];
		e->tid = tid < INT32_MIN || tid > INT32_MAX ? 0 : (int32_t)tid;
		e->name = str_get(r, m->name[i]);
		e->value = COLV(m, value, i);
	}
	b->pid = m->pid;
	b->n = n;
	b->events = r->events;
	return 0;
}

/* Convert an unpacked record into r->rec. 1: a record for the caller,
 * 0: consumed internally (string) or unknown kind, -1: malformed. */
static int convert(struct swt_reader *r, const Swt__Pb__Record *m)
{
	struct swt_record *o = &r->rec;

	memset(o, 0, sizeof(*o));
	o->t_ns = r->last_t;
	switch (m->kind_case) {
	case SWT__PB__RECORD__KIND_STRING:
		return def_string(r, m->string) < 0 ? -1 : 0;
	case SWT__PB__RECORD__KIND_PROC_START: {
		const Swt__Pb__ProcStart *p = m->proc_start;

		o->kind = SWT_REC_PROC_START;
		o->u.proc_start.pid = p->pid;
		o->u.proc_start.ppid = p->ppid;
		o->u.proc_start.start_ticks = p->start_ticks;
		o->u.proc_start.comm = str_get(r, p->comm);
		o->u.proc_start.exe = str_get(r, p->exe);
		o->u.proc_start.cmdline = (const char *)p->cmdline.data;
		o->u.proc_start.cmdline_len = p->cmdline.len;
		if (!p->cmdline.data)
			o->u.proc_start.cmdline = "";
		o->u.proc_start.uid = p->uid;
		o->u.proc_start.preexisting = p->preexisting;
		r->reset_pids = swt_grow(r->reset_pids, &r->cap_reset,
					 r->n_reset + 1, sizeof(int32_t));
		r->reset_pids[r->n_reset++] = p->pid;
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
		return 1;
	}
	case SWT__PB__RECORD__KIND_SAMPLE:
		o->kind = SWT_REC_SAMPLE;
		return conv_sample(r, m->sample) < 0 ? -1 : 1;
	case SWT__PB__RECORD__KIND_EVENTS:
		o->kind = SWT_REC_EVENTS;
		return conv_events(r, m->events) < 0 ? -1 : 1;
	case SWT__PB__RECORD__KIND_ALERT:
		o->kind = SWT_REC_ALERT;
		o->u.alert.kind = str_get(r, m->alert->kind);
		o->u.alert.subject = str_get(r, m->alert->subject);
		o->u.alert.value_milli = m->alert->value_milli;
		o->u.alert.threshold_milli = m->alert->threshold_milli;
		return 1;
	case SWT__PB__RECORD__KIND_DROPS:
		o->kind = SWT_REC_DROPS;
		o->u.drops.pid = m->drops->pid;
		o->u.drops.dropped = m->drops->dropped;
		o->u.drops.total_dropped = m->drops->total_dropped;
		o->u.drops.reason = str_get(r, m->drops->reason);
		return 1;
	case SWT__PB__RECORD__KIND_ANOMALY:
		o->kind = SWT_REC_ANOMALY;
		o->u.anomaly.kind = str_get(r, m->anomaly->kind);
		o->u.anomaly.pid = m->anomaly->pid;
		o->u.anomaly.tid = m->anomaly->tid;
		o->u.anomaly.subject = str_get(r, m->anomaly->subject);
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
		o->u.end.proc_events_source =
			e->proc_events_source ? e->proc_events_source : "";
		r->stats.has_end = true;
		return 1;
	}
	case SWT__PB__RECORD__KIND__NOT_SET:
	default:
		r->stats.unknown_records++;
		return 0;
	}
}

/* Abandon the rest of the current chunk after a malformed record. */
static int chunk_damage(struct swt_reader *r, const char *what)
{
	uint64_t off = r->chunk_off;
	char msg[160];

	snprintf(msg, sizeof(msg), "%s at byte %zu of the chunk's records",
		 what, r->chunk_pos);
	r->in_chunk = false;
	/* a chunk cut short is already reported as truncated */
	if (r->salvage)
		return r->pending_status;
	r->stats.chunks_ok--;	/* its frame checked out, its records not */
	return add_damage(r, SWT_ECORRUPT, off, r->pos - off, msg);
}

/* Next record from the current chunk: 1 record, 0 chunk exhausted,
 * negative damage status. */
static int next_in_chunk(struct swt_reader *r)
{
	while (r->chunk_pos < r->chunk_len) {
		const unsigned char *p = r->chunk + r->chunk_pos;
		size_t avail = r->chunk_len - r->chunk_pos;
		Swt__Pb__Record *m;
		uint64_t len;
		int n, c;

		n = swt_codec__get_varint(p, avail, &len);
		if (n <= 0) {
			if (r->salvage)
				break;	/* cut inside the prefix */
			return chunk_damage(r, "bad record length prefix");
		}
		if (len > SWT_MAX_RECORD_BYTES)
			return chunk_damage(r, "record length over the "
					       "maximum");
		if (len > avail - (size_t)n) {
			if (r->salvage)
				break;	/* cut inside the record */
			return chunk_damage(r, "record runs past the chunk");
		}
		arena_reset(&r->arena);
		m = swt__pb__record__unpack(&r->pballoc, (size_t)len, p + n);
		if (!m)
			return chunk_damage(r, "undecodable record");
		r->chunk_pos += (size_t)n + (size_t)len;
		r->last_t = wadd(r->last_t, m->dt_ns);
		c = convert(r, m);
		if (c < 0)
			return chunk_damage(r, "malformed record");
		if (c == 0)
			continue;
		r->rec.t_ns = r->last_t;
		if (r->rec.kind == SWT_REC_EVENTS && r->rec.u.events.n)
			r->rec.t_ns = r->rec.u.events.events[0].t_ns;
		return 1;
	}
	r->in_chunk = false;
	return 0;
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
