/* swt_writer.c — the session-file writer.
 *
 * Records are packed with protobuf-c into `pending` (raw bytes of the open
 * chunk not yet given to zstd), compressed in bulk and written. Three zstd
 * end directives map onto the file's guarantees:
 *   ZSTD_e_continue  normal appends (zstd buffers internally);
 *   ZSTD_e_flush     swt_writer_flush(): every byte so far becomes decodable
 *                    without closing the frame (about 1 % size cost);
 *   ZSTD_e_end       chunk closed on size: epilogue + checksum.
 * Closing a frame per flush instead would roughly double the bytes per
 * process-sample at 1 s ticks (docs/performance.md), hence size-bound
 * chunks. */
#include "swt_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "swt.pb-c.h"
#include "swt_alloc.h"
#include "swt_buf.h"
#include "swt_codec-private.h"
#include "swt_format.h"
#include "swt_map.h"
#include "swt_procdir.h"
#include "swt_status.h"

/* a - b with two's-complement wrap-around: counters are arbitrary int64
 * values, and the reader adds the delta back with the same wrap. */
static inline int64_t wsub(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a - (uint64_t)b);
}

/* Raw bytes buffered before they are handed to the compressor. */
#define PENDING_FLUSH_BYTES (128u * 1024u)

struct intern_slot {
	uint32_t hash;
	uint32_t id;		/* 0: empty */
	uint32_t off;		/* into strings */
	uint32_t len;
};

struct swt_writer {
	int fd;
	char *name;
	struct swt_writer_opts opts;
	ZSTD_CCtx *cctx;
	bool failed;
	char errmsg[512];

	uint64_t file_off;	/* bytes written to fd */
	struct swt_buf pending;	/* raw record bytes not yet compressed */
	struct swt_buf tail;	/* a ProcExit's thread ends, encoded */
	unsigned char *zout;	/* compressor output buffer */
	size_t zout_cap;

	/* open chunk */
	bool chunk_open;
	uint64_t chunk_raw;
	int64_t last_t;
	int64_t rec_t;		/* time of the record being appended */
	Swt__Pb__IndexEntry cur;

	/* index */
	Swt__Pb__IndexEntry *entries;
	size_t n_entries, cap_entries;

	uint64_t pressure[6];	/* a sample's pressure totals */

	/* a sample's interfaces */
	Swt__Pb__Sample__NetDev *netdevs;
	Swt__Pb__Sample__NetDev **netdev_ptrs;
	size_t cap_netdevs, cap_netdev_ptrs;

	/* per-chunk string table (open addressing, power-of-two size) */
	struct intern_slot *slots;
	size_t n_slots, n_strings;
	struct swt_buf strings;

	/* delta bases: rows of the previous sample in this chunk */
	struct swt_proc_row *prev_procs;
	size_t n_prev_procs, cap_prev_procs;
	/* a hinted sample's listed rows: their indexes among prev_procs,
	 * UINT32_MAX for a new row */
	uint32_t *hint_old;
	size_t cap_hint_old;
	struct swt_thread_row *prev_threads;
	size_t n_prev_threads, cap_prev_threads;
	/* their names' string ids, and those of the sample being encoded */
	uint32_t *prev_tname, *cur_tname;
	size_t cap_prev_tname, cap_cur_tname;
	int32_t *reset_pids;	/* ProcStart seen since the previous sample */
	size_t n_reset, cap_reset;
	/* the sample being appended came with a list of its changed rows,
	 * which encode_sample() took (only those are remembered) */
	bool hinted;
	bool sample_failed;	/* the last sample was refused: the next
				 * one's list of changed rows is against
				 * another base than ours */

	/* scratch columns for samples and events */
	int64_t *cols;
	size_t cap_cols;
	uint32_t *ucols;
	size_t cap_ucols;
	int32_t *icols;
	size_t cap_icols;
	int32_t *gone;		/* a sparse sample's gone pids (deltas) */
	size_t cap_gone;
	int32_t *tgone;		/* ... and gone tids (format 1.9) */
	size_t cap_tgone;

	/* the process directory (format 1.6): every ProcStart written */
	struct swt_procdir dir;
	bool dir_full;			/* over SWT_MAX_DIRECTORY_BYTES */

	struct swt_writer_stats stats;
};

static int fail(struct swt_writer *w, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct swt_writer *w, int status, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(w->errmsg, sizeof(w->errmsg), "%s: ", w->name);
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof(w->errmsg))
		vsnprintf(w->errmsg + n, sizeof(w->errmsg) - (size_t)n, fmt,
			  ap);
	va_end(ap);
	if (status == SWT_EIO)
		w->failed = true;
	return status;
}

void swt_writer_opts_init(struct swt_writer_opts *opts)
{
	opts->level = SWT_DEFAULT_ZSTD_LEVEL;
	opts->chunk_raw_bytes = SWT_DEFAULT_CHUNK_RAW_BYTES;
	opts->sync = true;
	opts->force = false;
	opts->sparse = true;
}

const char *swt_writer_errmsg(const struct swt_writer *w)
{
	return w ? w->errmsg : "";
}

void swt_writer_get_stats(const struct swt_writer *w,
			  struct swt_writer_stats *out)
{
	*out = w->stats;
}

/* write() all of it, retrying on EINTR and short writes. */
static int write_all(struct swt_writer *w, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len) {
		ssize_t n = write(w->fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return fail(w, SWT_EIO, "write at offset %llu: %s",
				    (unsigned long long)w->file_off,
				    strerror(errno));
		}
		p += n;
		len -= (size_t)n;
		w->file_off += (uint64_t)n;
		w->stats.bytes += (uint64_t)n;
	}
	return 0;
}

/* Compress `pending` with the given end directive and write the output. */
static int compress_pending(struct swt_writer *w, ZSTD_EndDirective mode)
{
	ZSTD_inBuffer in = { w->pending.ptr, w->pending.len, 0 };
	size_t rem;
	int err = 0;

	do {
		ZSTD_outBuffer out = { w->zout, w->zout_cap, 0 };

		rem = ZSTD_compressStream2(w->cctx, &out, &in, mode);
		if (ZSTD_isError(rem))
			return fail(w, SWT_EIO, "zstd: %s",
				    ZSTD_getErrorName(rem));
		if (out.pos)
			SWT_TRY(err = write_all(w, w->zout, out.pos));
		/* continue: until input consumed; flush/end: until rem 0 */
	} while (mode == ZSTD_e_continue ? in.pos < in.size : rem != 0);
	swt_buf_clear(&w->pending);
out:
	return err;
}

static int sync_file(struct swt_writer *w)
{
	if (w->opts.sync && fdatasync(w->fd) < 0 && errno != EINVAL)
		return fail(w, SWT_EIO, "fdatasync: %s", strerror(errno));
	return 0;
}

static void reset_chunk_state(struct swt_writer *w)
{
	if (w->slots)
		memset(w->slots, 0, w->n_slots * sizeof(*w->slots));
	w->n_strings = 0;
	swt_buf_clear(&w->strings);
	w->n_prev_procs = 0;
	w->n_prev_threads = 0;
	w->n_reset = 0;
	w->last_t = 0;
	w->chunk_raw = 0;
}

static int close_chunk(struct swt_writer *w)
{
	int err = 0;

	if (!w->chunk_open)
		return 0;
	SWT_TRY(err = compress_pending(w, ZSTD_e_end));
	w->cur.size = w->file_off - w->cur.offset;
	w->entries = swt_grow(w->entries, &w->cap_entries, w->n_entries + 1,
			      sizeof(*w->entries));
	w->entries[w->n_entries++] = w->cur;
	w->chunk_open = false;
out:
	return err;
}

static void open_chunk(struct swt_writer *w)
{
	reset_chunk_state(w);
	swt__pb__index_entry__init(&w->cur);
	w->cur.offset = w->file_off;
	w->cur.t_first_ns = INT64_MAX;	/* emit() narrows both */
	w->cur.t_last_ns = INT64_MIN;
	w->chunk_open = true;
	w->stats.chunks++;
}

/* A record of `bytes` (its length prefix included) at time t was put at
 * the end of pending. */
static void account(struct swt_writer *w, size_t bytes, int64_t t)
{
	w->pending.len += bytes;
	w->chunk_raw += bytes;
	w->cur.raw_size += bytes;
	w->stats.raw_bytes += bytes;
	if (t < w->cur.t_first_ns)
		w->cur.t_first_ns = t;
	if (t > w->cur.t_last_ns)
		w->cur.t_last_ns = t;
}

/* Pack one Record (with dt relative to the chunk's last time) into
 * pending, prefixed by its varint length. */
static void emit(struct swt_writer *w, Swt__Pb__Record *rec, int64_t t)
{
	size_t sz;
	unsigned char *p;
	size_t n;

	rec->dt_ns = wsub(t, w->last_t);
	w->last_t = t;
	sz = swt__pb__record__get_packed_size(rec);
	p = (unsigned char *)swt_buf_reserve(&w->pending, sz + 10);
	n = swt_codec__put_varint(p, sz);
	swt__pb__record__pack(rec, p + n);
	account(w, n + sz, t);
}

/* ProcStart and ProcExit, encoded here rather than by protobuf-c (the
 * same bytes: fields in number order, zeros left out, int32 and int64
 * sign-extended): a build's short-lived processes bring two of them each,
 * at a tick whose caches the /proc scan has just emptied, and protobuf-c's
 * descriptor-driven packing was most of what writing them cost. */
struct fv {
	unsigned char field;	/* 1..31 */
	uint64_t v;		/* 0: left out */
};

static size_t vlen(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static size_t tag_len(unsigned field)
{
	return field < 16 ? 1 : 2;
}

/* The bytes of the varint fields f[0..n) on the wire (zeros left out). */
static size_t fields_len(const struct fv *f, size_t n)
{
	size_t len = 0, i;

	for (i = 0; i < n; i++)
		if (f[i].v)
			len += tag_len(f[i].field) + vlen(f[i].v);
	return len;
}

/* Write the varint fields f[0..n) at q (zeros left out); returns the end. */
static unsigned char *put_fields(unsigned char *q, const struct fv *f,
				 size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!f[i].v)
			continue;
		q += swt_codec__put_varint(q, (unsigned)f[i].field << 3);
		q += swt_codec__put_varint(q, f[i].v);
	}
	return q;
}

/* Emit a Record whose kind is message field `kind` holding the varint
 * fields f[0..n) (in number order) and, if blen, bytes field bfield (in
 * number order with the others), then tlen bytes of fields encoded
 * already (tail: numbered above all of those), as emit() would. */
static void emit_fields(struct swt_writer *w, unsigned kind,
			const struct fv *f, size_t n, unsigned bfield,
			const void *bytes, size_t blen, const void *tail,
			size_t tlen, int64_t t)
{
	size_t msg = fields_len(f, n) + tlen, rec, k = 0;
	int64_t dt = wsub(t, w->last_t);
	uint64_t zdt = ((uint64_t)dt << 1) ^ (uint64_t)(dt >> 63);
	unsigned char *p, *q;

	if (blen)
		msg += tag_len(bfield) + vlen(blen) + blen;
	rec = (zdt ? 1 + vlen(zdt) : 0) + 1 + vlen(msg) + msg;
	w->last_t = t;
	p = (unsigned char *)swt_buf_reserve(&w->pending, rec + 10);
	q = p + swt_codec__put_varint(p, rec);
	if (zdt) {
		*q++ = 1 << 3;
		q += swt_codec__put_varint(q, zdt);
	}
	*q++ = (unsigned char)(kind << 3 | 2);
	q += swt_codec__put_varint(q, msg);
	/* the fields numbered below the bytes field, it, the others */
	while (blen && k < n && f[k].field < bfield)
		k++;
	q = put_fields(q, f, k);
	if (blen) {
		q += swt_codec__put_varint(q, bfield << 3 | 2);
		q += swt_codec__put_varint(q, blen);
		memcpy(q, bytes, blen);
		q += blen;
	}
	q = put_fields(q, f + k, n - k);
	if (tlen) {
		memcpy(q, tail, tlen);
		q += tlen;
	}
	account(w, (size_t)(q - p), t);
}

/* int32 and int64 on the wire: sign-extended to 64 bits */
#define SX(v) ((uint64_t)(int64_t)(v))

static uint32_t intern(struct swt_writer *w, const char *s);

/* ProcExit.threads (26) of x, encoded into w->tail (its names interned
 * first: a StringDef record goes before the record that uses it). */
static void thread_ends(struct swt_writer *w, const struct swt_proc_exit *x)
{
	size_t i;

	swt_buf_clear(&w->tail);
	for (i = 0; i < x->n_threads; i++) {
		const struct swt_thread_end *te = &x->threads[i];
		const struct fv f[4] = { { 1, SX(te->tid) },
					 { 2, intern(w, te->name) },
					 { 3, te->utime_us },
					 { 4, te->stime_us } };
		size_t len = fields_len(f, 4);
		unsigned char *p = (unsigned char *)swt_buf_reserve(
			&w->tail, 2 + 10 + len);
		unsigned char *q = p;

		q += swt_codec__put_varint(q, 26u << 3 | 2);
		q += swt_codec__put_varint(q, len);
		q = put_fields(q, f, 4);
		swt_buf_commit(&w->tail, (size_t)(q - p));
	}
}

/* The chunk-local id of string s, defining it (a StringDef record) on
 * first use in this chunk. NULL and "" map to 0. */
static uint32_t intern(struct swt_writer *w, const char *s)
{
	size_t len, mask, i;
	uint32_t h;
	struct intern_slot *sl;

	if (!s || !*s)
		return 0;
	len = strlen(s);
	if (len > UINT32_MAX / 2)
		len = UINT32_MAX / 2;
	if ((w->n_strings + 1) * 2 > w->n_slots) {
		/* grow and rehash */
		struct intern_slot *old = w->slots;
		size_t n_old = w->n_slots, j;

		w->n_slots = n_old ? n_old * 2 : 256;
		w->slots = swt_calloc(w->n_slots, sizeof(*w->slots));
		for (j = 0; j < n_old; j++) {
			if (!old[j].id)
				continue;
			i = old[j].hash & (w->n_slots - 1);
			while (w->slots[i].id)
				i = (i + 1) & (w->n_slots - 1);
			w->slots[i] = old[j];
		}
		free(old);
	}
	mask = w->n_slots - 1;
	h = swt_fnv1a(s, len);
	for (i = h & mask;; i = (i + 1) & mask) {
		sl = &w->slots[i];
		if (!sl->id)
			break;
		if (sl->hash == h && sl->len == len &&
		    memcmp(w->strings.ptr + sl->off, s, len) == 0)
			return sl->id;
	}
	sl->hash = h;
	sl->id = (uint32_t)++w->n_strings;
	sl->off = (uint32_t)w->strings.len;
	sl->len = (uint32_t)len;
	swt_buf_add(&w->strings, s, len);
	{
		Swt__Pb__Record rec;
		Swt__Pb__StringDef def;

		swt__pb__record__init(&rec);
		swt__pb__string_def__init(&def);
		def.id = sl->id;
		def.value.data = (uint8_t *)(uintptr_t)s;
		def.value.len = len;
		rec.kind_case = SWT__PB__RECORD__KIND_STRING;
		rec.string = &def;
		emit(w, &rec, w->rec_t);
	}
	return sl->id;
}

static void mark_reset(struct swt_writer *w, int32_t pid)
{
	w->reset_pids = swt_grow(w->reset_pids, &w->cap_reset, w->n_reset + 1,
				 sizeof(*w->reset_pids));
	w->reset_pids[w->n_reset++] = pid;
}

static bool is_reset(const struct swt_writer *w, int32_t pid)
{
	size_t i;

	for (i = 0; i < w->n_reset; i++)
		if (w->reset_pids[i] == pid)
			return true;
	return false;
}

/* Set a column in the message, or leave it absent if every value is 0
 * (the reader treats an absent column as all zeros). */
static void set_col(size_t *n_out, int64_t **out, int64_t *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (v[i]) {
			*n_out = n;
			*out = v;
			return;
		}
	}
	*n_out = 0;
	*out = NULL;
}

#define N_PROC_COLS 18
#define N_THREAD_COLS 2

/* A row that changed nothing since its base (left out of a sparse
 * sample). */
static bool same_row(const struct swt_proc_row *p,
		     const struct swt_proc_row *b)
{
	return p->flags == b->flags && p->utime == b->utime &&
	       p->stime == b->stime && p->rss_kib == b->rss_kib &&
	       p->vsz_kib == b->vsz_kib && p->nthreads == b->nthreads &&
	       p->minflt == b->minflt && p->majflt == b->majflt &&
	       p->io_read == b->io_read && p->io_write == b->io_write &&
	       p->vctxsw == b->vctxsw && p->ivctxsw == b->ivctxsw &&
	       p->cutime == b->cutime && p->cstime == b->cstime &&
	       p->net_tx == b->net_tx && p->net_rx == b->net_rx &&
	       p->socks_tcp == b->socks_tcp && p->socks_udp == b->socks_udp &&
	       p->socks_other == b->socks_other;
}

/* The process rows a sample writes: columns of n rows each. */
struct row_cols {
	int64_t *c;
	size_t n, k;		/* rows written so far */
	int32_t *pid;		/* pid deltas */
	int32_t prev_id;
	uint32_t *flags;
	bool any_flag;
};

/* The next row of the columns: p's values less its base b. */
static void put_row(struct row_cols *rc, const struct swt_proc_row *p,
		    const struct swt_proc_row *b)
{
	int64_t *c = rc->c;
	size_t n = rc->n, k = rc->k;

	rc->pid[k] = p->pid - rc->prev_id;
	rc->prev_id = p->pid;
	rc->flags[k] = p->flags;
	if (p->flags)
		rc->any_flag = true;
	rc->k++;
	c[0 * n + k] = wsub(p->utime, b->utime);
	c[1 * n + k] = wsub(p->stime, b->stime);
	c[2 * n + k] = wsub(p->rss_kib, b->rss_kib);
	c[3 * n + k] = wsub(p->vsz_kib, b->vsz_kib);
	c[4 * n + k] = wsub(p->nthreads, b->nthreads);
	c[5 * n + k] = wsub(p->minflt, b->minflt);
	c[6 * n + k] = wsub(p->majflt, b->majflt);
	c[7 * n + k] = wsub(p->io_read, b->io_read);
	c[8 * n + k] = wsub(p->io_write, b->io_write);
	c[9 * n + k] = wsub(p->vctxsw, b->vctxsw);
	c[10 * n + k] = wsub(p->ivctxsw, b->ivctxsw);
	c[11 * n + k] = wsub(p->cutime, b->cutime);
	c[12 * n + k] = wsub(p->cstime, b->cstime);
	c[13 * n + k] = wsub(p->net_tx, b->net_tx);
	c[14 * n + k] = wsub(p->net_rx, b->net_rx);
	c[15 * n + k] = wsub(p->socks_tcp, b->socks_tcp);
	c[16 * n + k] = wsub(p->socks_udp, b->socks_udp);
	c[17 * n + k] = wsub(p->socks_other, b->socks_other);
}

/* A gone pid into the sample's list (pid deltas from *prev). */
static inline void add_gone(struct swt_writer *w, size_t *ng, int32_t *prev,
			    int32_t pid)
{
	w->gone[(*ng)++] = pid - *prev;
	*prev = pid;
}

/* Index of pid among n rows sorted by pid, or SIZE_MAX. */
static size_t find_pid(const struct swt_proc_row *rows, size_t n, int32_t pid)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (rows[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && rows[lo].pid == pid ? lo : SIZE_MAX;
}

/* Whether v (ascending, n) holds x. */
static bool has_index(const uint32_t *v, size_t n, uint32_t x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo] == x;
}

static bool ascending(const uint32_t *v, size_t n, size_t bound)
{
	size_t h;

	for (h = 0; h < n; h++)
		if (v[h] >= bound || (h && v[h] <= v[h - 1]))
			return false;
	return true;
}

/* Whether the sample's list of changed rows (swt_sample.changed, with
 * its removed and inserted rows) can be taken: checked as far as it is
 * cheap (the counts, the listed pids against their places in the last
 * sample, no pid reused, every process started since listed), else every
 * row is compared. Takes each listed row's index in prev_procs. */
static bool take_changed(struct swt_writer *w, const struct swt_sample *in)
{
	size_t h, a = 0, rm = 0, n = in->n_procs;

	if (!w->opts.sparse || !in->changed || !n || w->sample_failed ||
	    in->n_changed > n || in->n_removed > w->n_prev_procs ||
	    w->n_prev_procs - in->n_removed + in->n_inserted != n ||
	    !ascending(in->changed, in->n_changed, n) ||
	    !ascending(in->removed, in->n_removed, w->n_prev_procs) ||
	    !ascending(in->inserted, in->n_inserted, n))
		return false;
	w->hint_old = swt_grow(w->hint_old, &w->cap_hint_old,
			       in->n_changed + 1, sizeof(*w->hint_old));
	for (h = 0; h < in->n_changed; h++) {
		uint32_t i = in->changed[h];
		size_t o;

		while (a < in->n_inserted && in->inserted[a] < i)
			a++;
		if (a < in->n_inserted && in->inserted[a] == i) {
			/* new: its pid in none of the last rows (one reused
			 * would not be gone in the file) */
			if (find_pid(w->prev_procs, w->n_prev_procs,
				     in->procs[i].pid) != SIZE_MAX)
				return false;
			w->hint_old[h] = UINT32_MAX;
			continue;
		}
		/* its place among the last rows: past the removed ones */
		o = i - a;
		while (rm < in->n_removed && in->removed[rm] <= o + rm)
			rm++;
		o += rm;
		if (o >= w->n_prev_procs ||
		    in->procs[i].pid != w->prev_procs[o].pid)
			return false;
		w->hint_old[h] = (uint32_t)o;
	}
	/* every removed row gone (the file will say so) */
	for (h = 0; h < in->n_removed; h++)
		if (find_pid(in->procs, n,
			     w->prev_procs[in->removed[h]].pid) != SIZE_MAX)
			return false;
	/* every new row listed */
	for (h = 0; h < in->n_inserted; h++)
		if (!has_index(in->changed, in->n_changed, in->inserted[h]))
			return false;
	/* a process started since is compared against nothing: listed */
	for (h = 0; h < w->n_reset; h++) {
		size_t i = find_pid(in->procs, n, w->reset_pids[h]);

		if (i != SIZE_MAX &&
		    !has_index(in->changed, in->n_changed, (uint32_t)i))
			return false;
	}
	return true;
}

/* Fill the Sample message `s` from r. All scratch space is sized first so
 * the column pointers stay valid until the record is packed. String
 * definitions for thread names are emitted here, before the sample. */
static int encode_sample(struct swt_writer *w, const struct swt_record *r,
			 Swt__Pb__Sample *s, int *sparse)
{
	static const struct swt_proc_row zero;
	const struct swt_sample *in = &r->u.sample;
	size_t n = in->n_procs, nt = in->n_threads, i, j, k, ng = 0, kt = 0;
	size_t ngt = 0;
	int32_t prev_gone = 0, prev_tgone = 0;
	int64_t *c, *tu, *ts;
	int32_t *pid, *tid, *toff;
	uint32_t *flags, *names;
	struct row_cols rc;
	int32_t prev_id;

	if (n > SWT_MAX_SAMPLE_ROWS || nt > SWT_MAX_SAMPLE_ROWS - n)
		return fail(w, SWT_EINVAL, "sample of more than %u rows",
			    SWT_MAX_SAMPLE_ROWS);
	w->hinted = take_changed(w, in);
	if (w->hinted)
		w->stats.changed_lists++;
	if (w->hinted && (in->n_removed || in->n_inserted))
		w->stats.reshaped_lists++;
	/* until remember_sample() says it was appended */
	w->sample_failed = true;
	/* positive ids, strictly ascending: the id deltas then fit int32
	 * (with a list of changed rows: as the previous sample's were) */
	for (i = 0; i < n && !w->hinted; i++)
		if (in->procs[i].pid <= (i ? in->procs[i - 1].pid : 0))
			return fail(w, SWT_EINVAL, "sample rows not sorted by "
						   "positive pid");
	for (i = 0; i < nt; i++)
		if (in->threads[i].tid <= (i ? in->threads[i - 1].tid : 0) ||
		    in->threads[i].tgid <= 0)
			return fail(w, SWT_EINVAL, "thread rows not sorted by "
						   "positive tid");
	w->cols = swt_grow(w->cols, &w->cap_cols,
			   n * N_PROC_COLS + nt * N_THREAD_COLS,
			   sizeof(int64_t));
	w->icols = swt_grow(w->icols, &w->cap_icols, n + 2 * nt,
			    sizeof(int32_t));
	w->ucols = swt_grow(w->ucols, &w->cap_ucols, n + nt,
			    sizeof(uint32_t));
	c = w->cols;
	tu = c + n * N_PROC_COLS;
	ts = tu + nt;
	pid = w->icols;
	tid = pid + n;
	toff = tid + nt;
	flags = w->ucols;
	names = flags + n;

	s->scheduled_ns = in->scheduled_ns;
	s->recorder_cpu_ns = in->recorder_cpu_ns;
	s->recorder_rss_kib = in->recorder_rss_kib;
	s->sys_busy_ticks = in->sys_busy_ticks;
	s->sys_idle_ticks = in->sys_idle_ticks;
	s->mem_total_kib = in->mem_total_kib;
	s->mem_available_kib = in->mem_available_kib;
	s->steal_ticks = in->steal_ticks;
	if (in->has_pressure) {
		memcpy(w->pressure, in->pressure_us, sizeof(w->pressure));
		s->n_pressure_us = 6;
		s->pressure_us = w->pressure;
	}

	/* processes: merge with the previous sample's rows (both sorted);
	 * sparse, a row that changed nothing is left out (k rows written)
	 * and the previous rows without a successor are listed as gone */
	if (w->opts.sparse)
		w->gone = swt_grow(w->gone, &w->cap_gone,
				   w->n_prev_procs ? w->n_prev_procs : 1,
				   sizeof(*w->gone));
	rc = (struct row_cols){ .c = c, .n = n, .pid = pid, .flags = flags };
	if (w->hinted) {
		/* the rows listed as changed, against their own bases (none
		 * for a new one, or one started since); the others are
		 * carried, and the removed ones have gone */
		for (j = 0; j < in->n_changed; j++) {
			const struct swt_proc_row *p =
				&in->procs[in->changed[j]];
			const struct swt_proc_row *b =
				w->hint_old[j] == UINT32_MAX ||
						is_reset(w, p->pid) ?
					&zero :
					&w->prev_procs[w->hint_old[j]];

			if (b == &zero || !same_row(p, b))
				put_row(&rc, p, b);
		}
		for (j = 0; j < in->n_removed; j++)
			add_gone(w, &ng, &prev_gone,
				 w->prev_procs[in->removed[j]].pid);
	} else {
		for (i = 0, j = 0; i < n; i++) {
			const struct swt_proc_row *p = &in->procs[i];
			const struct swt_proc_row *b = &zero;

			while (j < w->n_prev_procs &&
			       w->prev_procs[j].pid < p->pid) {
				if (w->opts.sparse)
					add_gone(w, &ng, &prev_gone,
						 w->prev_procs[j].pid);
				j++;
			}
			if (j < w->n_prev_procs &&
			    w->prev_procs[j].pid == p->pid) {
				if (!is_reset(w, p->pid))
					b = &w->prev_procs[j];
				j++;
			}
			if (w->opts.sparse && b != &zero && same_row(p, b))
				continue;
			put_row(&rc, p, b);
		}
		for (; j < w->n_prev_procs && w->opts.sparse; j++)
			add_gone(w, &ng, &prev_gone, w->prev_procs[j].pid);
	}
	k = rc.k;
	/* sparse only when a row was left out: otherwise a plain Sample,
	 * which every reader reads (its gone processes have no row) */
	*sparse = k < n;
	w->stats.rows_left_out += n - k;
	s->n_pid = k;
	s->pid = pid;
	set_col(&s->n_utime, &s->utime, c + 0 * n, k);
	set_col(&s->n_stime, &s->stime, c + 1 * n, k);
	set_col(&s->n_rss_kib, &s->rss_kib, c + 2 * n, k);
	set_col(&s->n_vsz_kib, &s->vsz_kib, c + 3 * n, k);
	set_col(&s->n_nthreads, &s->nthreads, c + 4 * n, k);
	set_col(&s->n_minflt, &s->minflt, c + 5 * n, k);
	set_col(&s->n_majflt, &s->majflt, c + 6 * n, k);
	set_col(&s->n_io_read, &s->io_read, c + 7 * n, k);
	set_col(&s->n_io_write, &s->io_write, c + 8 * n, k);
	set_col(&s->n_vctxsw, &s->vctxsw, c + 9 * n, k);
	set_col(&s->n_ivctxsw, &s->ivctxsw, c + 10 * n, k);
	set_col(&s->n_cutime, &s->cutime, c + 11 * n, k);
	set_col(&s->n_cstime, &s->cstime, c + 12 * n, k);
	set_col(&s->n_net_tx, &s->net_tx, c + 13 * n, k);
	set_col(&s->n_net_rx, &s->net_rx, c + 14 * n, k);
	set_col(&s->n_socks_tcp, &s->socks_tcp, c + 15 * n, k);
	set_col(&s->n_socks_udp, &s->socks_udp, c + 16 * n, k);
	set_col(&s->n_socks_other, &s->socks_other, c + 17 * n, k);
	if (in->n_netdevs) {
		if (in->n_netdevs > 4096)
			return fail(w, SWT_EINVAL, "too many interfaces");
		w->netdevs = swt_grow(w->netdevs, &w->cap_netdevs,
				      in->n_netdevs, sizeof(*w->netdevs));
		w->netdev_ptrs = swt_grow(w->netdev_ptrs,
					  &w->cap_netdev_ptrs, in->n_netdevs,
					  sizeof(*w->netdev_ptrs));
		for (i = 0; i < in->n_netdevs; i++) {
			Swt__Pb__Sample__NetDev *d = &w->netdevs[i];

			swt__pb__sample__net_dev__init(d);
			d->name = intern(w, in->netdevs[i].name);
			d->rx_bytes = in->netdevs[i].rx_bytes;
			d->tx_bytes = in->netdevs[i].tx_bytes;
			w->netdev_ptrs[i] = d;
		}
		s->n_netdevs = in->n_netdevs;
		s->netdevs = w->netdev_ptrs;
	}
	if (rc.any_flag) {
		s->n_flags = k;
		s->flags = flags;
	}

	/* threads, keyed by tid; sparse (format 1.9), a thread whose row
	 * would be zero deltas with the same process and name is left out
	 * (kt rows written) and the previous threads without a successor
	 * are listed as gone */
	w->cur_tname = swt_grow(w->cur_tname, &w->cap_cur_tname,
				nt ? nt : 1, sizeof(*w->cur_tname));
	if (w->opts.sparse)
		w->tgone = swt_grow(w->tgone, &w->cap_tgone,
				    w->n_prev_threads ? w->n_prev_threads : 1,
				    sizeof(*w->tgone));
	prev_id = 0;
	for (i = 0, j = 0; i < nt; i++) {
		const struct swt_thread_row *t = &in->threads[i];
		const struct swt_thread_row *b = NULL;
		uint32_t name = intern(w, t->name);

		w->cur_tname[i] = name;
		while (j < w->n_prev_threads &&
		       w->prev_threads[j].tid < t->tid) {
			if (w->opts.sparse) {
				w->tgone[ngt++] = w->prev_threads[j].tid -
						  prev_tgone;
				prev_tgone = w->prev_threads[j].tid;
			}
			j++;
		}
		if (j < w->n_prev_threads && w->prev_threads[j].tid == t->tid) {
			if (!is_reset(w, t->tgid))
				b = &w->prev_threads[j];
			j++;
		}
		if (w->opts.sparse && b && b->tgid == t->tgid &&
		    w->prev_tname[j - 1] == name && b->utime == t->utime &&
		    b->stime == t->stime)
			continue;
		tid[kt] = t->tid - prev_id;
		prev_id = t->tid;
		toff[kt] = t->tid - t->tgid;
		names[kt] = name;
		tu[kt] = wsub(t->utime, b ? b->utime : 0);
		ts[kt] = wsub(t->stime, b ? b->stime : 0);
		kt++;
	}
	for (; j < w->n_prev_threads && w->opts.sparse; j++) {
		w->tgone[ngt++] = w->prev_threads[j].tid - prev_tgone;
		prev_tgone = w->prev_threads[j].tid;
	}
	if (kt < nt) {
		/* threads left out: a Record.sparse_threads_sample, whose
		 * process rows are sparse too (its gone pids listed) */
		*sparse = 2;
		s->n_gone_tid = ngt;
		s->gone_tid = w->tgone;
		w->stats.thread_rows_left_out += nt - kt;
	}
	if (*sparse) {
		s->n_gone_pid = ng;
		s->gone_pid = w->gone;
	}
	s->n_tid = kt;
	s->tid = tid;
	s->n_tgid_off = kt;
	s->tgid_off = toff;
	s->n_tname = kt;
	s->tname = names;
	set_col(&s->n_tutime, &s->tutime, tu, kt);
	set_col(&s->n_tstime, &s->tstime, ts, kt);
	return 0;
}

/* After a sample is packed: its rows become the next delta bases. */
static void remember_sample(struct swt_writer *w, const struct swt_sample *in)
{
	size_t h;

	if (w->hinted) {
		/* the removed rows out and room for the new ones, in blocks
		 * (take_changed() checked the counts), then the listed
		 * rows */
		size_t kept = swt_array_drop(w->prev_procs,
					     sizeof(*w->prev_procs),
					     w->n_prev_procs, in->removed,
					     in->n_removed);

		w->prev_procs = swt_grow(w->prev_procs, &w->cap_prev_procs,
					 in->n_procs, sizeof(*w->prev_procs));
		swt_array_open(w->prev_procs, sizeof(*w->prev_procs), kept,
			       in->inserted, in->n_inserted);
		w->n_prev_procs = in->n_procs;
		for (h = 0; h < in->n_changed; h++)
			w->prev_procs[in->changed[h]] =
				in->procs[in->changed[h]];
	} else {
		w->prev_procs = swt_grow(w->prev_procs, &w->cap_prev_procs,
					 in->n_procs,
					 sizeof(*w->prev_procs));
		if (in->n_procs)
			memcpy(w->prev_procs, in->procs,
			       in->n_procs * sizeof(*in->procs));
		w->n_prev_procs = in->n_procs;
	}
	w->hinted = false;
	w->sample_failed = false;
	w->prev_threads = swt_grow(w->prev_threads, &w->cap_prev_threads,
				   in->n_threads, sizeof(*w->prev_threads));
	if (in->n_threads)
		memcpy(w->prev_threads, in->threads,
		       in->n_threads * sizeof(*in->threads));
	w->n_prev_threads = in->n_threads;
	{
		/* (the names' ids, as the rows: the pointers are the
		 * caller's, compared by id only) */
		uint32_t *tmp = w->prev_tname;
		size_t cap = w->cap_prev_tname;

		w->prev_tname = w->cur_tname;
		w->cap_prev_tname = w->cap_cur_tname;
		w->cur_tname = tmp;
		w->cap_cur_tname = cap;
	}
	w->n_reset = 0;
}

static int encode_events(struct swt_writer *w, const struct swt_record *r,
			 Swt__Pb__EventBatch *b, int64_t *t0)
{
	const struct swt_event_batch *in = &r->u.events;
	size_t n = in->n, i;
	int64_t *t, *v;
	uint32_t *kind, *name;
	int32_t *tid;
	int64_t prev;

	if (n > SWT_MAX_RECORD_BYTES / 8)
		return fail(w, SWT_EINVAL, "event batch too large");
	if (in->pid <= 0)
		return fail(w, SWT_EINVAL, "event batch without a pid");
	for (i = 0; i < n; i++) {
		const struct swt_event *e = &in->events[i];

		if (e->kind < SWT_EV_BEGIN || e->kind > SWT_EV_RSS)
			return fail(w, SWT_EINVAL, "bad event kind %d",
				    (int)e->kind);
		if (e->tid <= 0)
			return fail(w, SWT_EINVAL, "event without a tid");
		if (i && e->t_ns < in->events[i - 1].t_ns)
			return fail(w, SWT_EINVAL,
				    "event batch not in time order");
	}
	w->cols = swt_grow(w->cols, &w->cap_cols, 2 * n, sizeof(int64_t));
	w->ucols = swt_grow(w->ucols, &w->cap_ucols, 2 * n, sizeof(uint32_t));
	w->icols = swt_grow(w->icols, &w->cap_icols, n, sizeof(int32_t));
	t = w->cols;
	v = t + n;
	kind = w->ucols;
	name = kind + n;
	tid = w->icols;
	*t0 = n ? in->events[0].t_ns : r->t_ns;
	prev = *t0;
	for (i = 0; i < n; i++) {
		const struct swt_event *e = &in->events[i];

		t[i] = wsub(e->t_ns, prev);
		prev = e->t_ns;
		kind[i] = (uint32_t)e->kind;
		name[i] = intern(w, e->name);
		tid[i] = e->tid - in->pid;
		v[i] = e->value;
	}
	b->pid = in->pid;
	b->n_t = n;
	b->t = t;
	b->n_kind = n;
	b->kind = kind;
	b->n_name = n;
	b->name = name;
	b->n_tid = n;
	b->tid = tid;
	set_col(&b->n_value, &b->value, v, n);
	return 0;
}

static void fill_end(struct swt_writer *w, const struct swt_session_end *e,
		     Swt__Pb__SessionEnd *m)
{
	(void)w;
	m->reason = (Swt__Pb__SessionEnd__Reason)e->reason;
	m->has_status = e->has_status;
	m->exit_code = e->exit_code;
	m->signal = e->signal;
	m->samples = e->samples;
	m->records = e->records;
	m->events = e->events;
	m->dropped_events = e->dropped_events;
	m->recorder_cpu_ns = e->recorder_cpu_ns;
	m->recorder_peak_rss_kib = e->recorder_peak_rss_kib;
	m->error = (char *)(uintptr_t)(e->error ? e->error : "");
	m->missed_samples = e->missed_samples;
	m->late_events = e->late_events;
	m->exit_acct = e->exit_acct;
	m->exit_acct_overflows = e->exit_acct_overflows;
	m->proc_events = e->proc_events;
	m->proc_events_overflows = e->proc_events_overflows;
	m->exits_dropped = e->exits_dropped;
	m->exits_unmatched = e->exits_unmatched;
	m->cmdlines_skipped = e->cmdlines_skipped;
	m->exit_acct_cpu_ns = e->exit_acct_cpu_ns;
	m->exit_write_cpu_ns = e->exit_write_cpu_ns;
	m->tsc_calibrations = e->tsc_calibrations;
	m->tsc_max_error_ns = e->tsc_max_error_ns;
	m->tsc_resets = e->tsc_resets;
	m->recorder_wait_ns = e->recorder_wait_ns;
	m->proc_read_cpu_ns = e->proc_read_cpu_ns;
	m->proc_reads = e->proc_reads;
	m->proc_scans = e->proc_scans;
	m->proc_scans_skipped = e->proc_scans_skipped;
	m->proc_first_read_cpu_ns = e->proc_first_read_cpu_ns;
	m->proc_first_reads = e->proc_first_reads;
	m->sampled_write_cpu_ns = e->sampled_write_cpu_ns;
	m->sampled_records = e->sampled_records;
	m->proc_events_source = (char *)(uintptr_t)(e->proc_events_source
							? e->proc_events_source
							: "");
}

static void dir_start(struct swt_writer *w, const struct swt_proc_start *p,
		      int64_t t)
{
	size_t clen = p->cmdline ? p->cmdline_len : 0;
	size_t comm = p->comm ? strlen(p->comm) : 0;
	size_t exe = p->exe ? strlen(p->exe) : 0;

	/* A process whose exit has its start's time is alive at no record's
	 * time: no window announces it. Left out, it costs no copy of its
	 * command line: most of a build's processes are such, and new memory
	 * is the dearest part of their records (a page fault costs about
	 * 17 us on these virtual machines; docs/performance.md). */
	if (w->dir_full || p->exits_at_once)
		return;
	/* (an entry costs its strings and about 100 bytes in the message) */
	if (w->dir.bytes + clen + comm + exe + 2 * 16 + 100 >
	    SWT_MAX_DIRECTORY_BYTES) {
		w->dir_full = true;
		return;
	}
	swt_procdir_start(&w->dir, p, t);
}

int swt_writer_append(struct swt_writer *w, const struct swt_record *r)
{
	Swt__Pb__Record rec;
	Swt__Pb__Sample sm;
	Swt__Pb__EventBatch eb;
	Swt__Pb__Alert al;
	Swt__Pb__Drops dr;
	Swt__Pb__Anomaly an;
	Swt__Pb__SessionEnd en;
	int64_t t = r->t_ns;
	int err = 0;

	/* (each message is initialised in its case: the nine together are
	 * about 2 KB to copy at every record) */
	swt__pb__record__init(&rec);
	if (w->failed)
		return fail(w, SWT_EIO, "writer failed earlier");
	if (!w->chunk_open)
		open_chunk(w);
	/* string definitions get the time of the record that needs them */
	w->rec_t = t;
	if (r->kind == SWT_REC_EVENTS && r->u.events.n)
		w->rec_t = r->u.events.events[0].t_ns;

	switch (r->kind) {
	case SWT_REC_PROC_START: {
		const struct swt_proc_start *in = &r->u.proc_start;
		struct fv f[7];

		f[0] = (struct fv){ 1, SX(in->pid) };
		f[1] = (struct fv){ 2, SX(in->ppid) };
		f[2] = (struct fv){ 3, in->start_ticks };
		f[3] = (struct fv){ 4, intern(w, in->comm) };
		f[4] = (struct fv){ 6, in->uid };
		f[5] = (struct fv){ 7, in->preexisting };
		f[6] = (struct fv){ 8, intern(w, in->exe) };
		mark_reset(w, in->pid);
		dir_start(w, in, t);
		emit_fields(w, SWT__PB__RECORD__KIND_PROC_START, f, 7, 5,
			    in->cmdline, in->cmdline ? in->cmdline_len : 0,
			    NULL, 0, t);
		goto emitted;
	}
	case SWT_REC_PROC_EXIT: {
		const struct swt_proc_exit *x = &r->u.proc_exit;
		struct fv f[25];
		size_t n = 0;

		swt_procdir_exit(&w->dir, x, t);
		f[n++] = (struct fv){ 1, SX(x->pid) };
		f[n++] = (struct fv){ 2, x->start_ticks };
		f[n++] = (struct fv){ 3, x->has_status };
		f[n++] = (struct fv){ 4, SX(x->exit_code) };
		f[n++] = (struct fv){ 5, SX(x->signal) };
		f[n++] = (struct fv){ 6, x->core_dumped };
		if (x->has_final) {
			f[n++] = (struct fv){ 7, 1 };
			f[n++] = (struct fv){ 8, x->utime > 0 ?
						     (uint64_t)x->utime : 0 };
			f[n++] = (struct fv){ 9, x->stime > 0 ?
						     (uint64_t)x->stime : 0 };
			f[n++] = (struct fv){ 10, SX(x->cutime) };
			f[n++] = (struct fv){ 11, SX(x->cstime) };
		}
		if (x->has_acct) {
			f[n++] = (struct fv){ 12, 1 };
			f[n++] = (struct fv){ 13, x->hiwater_rss_kib };
			f[n++] = (struct fv){ 14, x->read_bytes };
			f[n++] = (struct fv){ 15, x->write_bytes };
			f[n++] = (struct fv){ 16, x->nvcsw };
			f[n++] = (struct fv){ 17, x->nivcsw };
			f[n++] = (struct fv){ 18, x->utime_us };
			f[n++] = (struct fv){ 19, x->stime_us };
		}
		if (x->has_final_io) {
			f[n++] = (struct fv){ 20, 1 };
			f[n++] = (struct fv){ 21, x->final_read_bytes };
			f[n++] = (struct fv){ 22, x->final_write_bytes };
		}
		if (x->has_final_net) {
			f[n++] = (struct fv){ 23, 1 };
			f[n++] = (struct fv){ 24, x->final_net_tx };
			f[n++] = (struct fv){ 25, x->final_net_rx };
		}
		thread_ends(w, x);
		emit_fields(w, SWT__PB__RECORD__KIND_PROC_EXIT, f, n, 0, NULL,
			    0, w->tail.ptr, w->tail.len, t);
		goto emitted;
	}
	case SWT_REC_SAMPLE: {
		int sparse = 0;

		swt__pb__sample__init(&sm);
		SWT_TRY(err = encode_sample(w, r, &sm, &sparse));
		if (sparse == 2) {
			rec.kind_case =
				SWT__PB__RECORD__KIND_SPARSE_THREADS_SAMPLE;
			rec.sparse_threads_sample = &sm;
		} else if (sparse) {
			rec.kind_case = SWT__PB__RECORD__KIND_SPARSE_SAMPLE;
			rec.sparse_sample = &sm;
		} else {
			rec.kind_case = SWT__PB__RECORD__KIND_SAMPLE;
			rec.sample = &sm;
		}
		w->stats.proc_samples += r->u.sample.n_procs;
		w->cur.proc_samples += r->u.sample.n_procs;
		break;
	}
	case SWT_REC_EVENTS:
		swt__pb__event_batch__init(&eb);
		SWT_TRY(err = encode_events(w, r, &eb, &t));
		rec.kind_case = SWT__PB__RECORD__KIND_EVENTS;
		rec.events = &eb;
		break;
	case SWT_REC_ALERT:
		swt__pb__alert__init(&al);
		al.kind = intern(w, r->u.alert.kind);
		al.subject = intern(w, r->u.alert.subject);
		al.value_milli = r->u.alert.value_milli;
		al.threshold_milli = r->u.alert.threshold_milli;
		rec.kind_case = SWT__PB__RECORD__KIND_ALERT;
		rec.alert = &al;
		break;
	case SWT_REC_DROPS:
		swt__pb__drops__init(&dr);
		dr.pid = r->u.drops.pid;
		dr.dropped = r->u.drops.dropped;
		dr.total_dropped = r->u.drops.total_dropped;
		dr.reason = intern(w, r->u.drops.reason);
		rec.kind_case = SWT__PB__RECORD__KIND_DROPS;
		rec.drops = &dr;
		break;
	case SWT_REC_ANOMALY:
		swt__pb__anomaly__init(&an);
		an.kind = intern(w, r->u.anomaly.kind);
		an.pid = r->u.anomaly.pid;
		an.tid = r->u.anomaly.tid;
		an.subject = intern(w, r->u.anomaly.subject);
		an.detail.data = (uint8_t *)(uintptr_t)r->u.anomaly.detail;
		an.detail.len = r->u.anomaly.detail ? r->u.anomaly.detail_len :
						      0;
		rec.kind_case = SWT__PB__RECORD__KIND_ANOMALY;
		rec.anomaly = &an;
		break;
	case SWT_REC_END:
		swt__pb__session_end__init(&en);
		fill_end(w, &r->u.end, &en);
		rec.kind_case = SWT__PB__RECORD__KIND_END;
		rec.end = &en;
		break;
	case SWT_REC_HEADER:
	default:
		return fail(w, SWT_EINVAL, "cannot append a record of kind %d",
			    (int)r->kind);
	}

	emit(w, &rec, t);
emitted:
	w->cur.records++;
	w->stats.records++;
	if (r->kind == SWT_REC_SAMPLE)
		remember_sample(w, &r->u.sample);

	if (w->chunk_raw >= w->opts.chunk_raw_bytes)
		SWT_TRY(err = close_chunk(w));
	else if (w->pending.len >= PENDING_FLUSH_BYTES)
		SWT_TRY(err = compress_pending(w, ZSTD_e_continue));
out:
	return err;
}

int swt_writer_flush(struct swt_writer *w)
{
	int err = 0;

	if (w->failed)
		return fail(w, SWT_EIO, "writer failed earlier");
	if (w->chunk_open)
		SWT_TRY(err = compress_pending(w, ZSTD_e_flush));
	SWT_TRY(err = sync_file(w));
out:
	return err;
}

/* The process directory frame (format 1.6): a skippable frame whose
 * payload is the zstd-compressed Directory message. Sets where it is in
 * idx; none when the directory grew past its bound or is empty. */
static int write_directory(struct swt_writer *w, Swt__Pb__Index *idx)
{
	Swt__Pb__Directory dir;
	Swt__Pb__DirProc *procs = NULL, **ptrs = NULL;
	unsigned char *raw = NULL, *frame = NULL;
	size_t len, bound, zlen, i;
	int err = 0;

	if (w->dir_full || w->dir.n == 0)
		return 0;
	swt__pb__directory__init(&dir);
	procs = swt_calloc(w->dir.n, sizeof(*procs));
	ptrs = swt_calloc(w->dir.n, sizeof(*ptrs));
	for (i = 0; i < w->dir.n; i++) {
		const struct swt_dir_proc *d = &w->dir.procs[i];
		Swt__Pb__DirProc *p = &procs[i];

		swt__pb__dir_proc__init(p);
		p->pid = d->ps.pid;
		p->ppid = d->ps.ppid;
		p->start_ticks = d->ps.start_ticks;
		p->uid = d->ps.uid;
		p->preexisting = d->ps.preexisting;
		p->comm.data = (uint8_t *)(uintptr_t)d->ps.comm;
		p->comm.len = strlen(d->ps.comm);
		p->exe.data = (uint8_t *)(uintptr_t)d->ps.exe;
		p->exe.len = strlen(d->ps.exe);
		p->cmdline.data = (uint8_t *)(uintptr_t)d->ps.cmdline;
		p->cmdline.len = d->ps.cmdline_len;
		p->t_start_ns = d->t_start_ns;
		p->exited = d->exited;
		p->t_exit_ns = d->exited ? d->t_exit_ns : 0;
		ptrs[i] = p;
	}
	dir.n_procs = w->dir.n;
	dir.procs = ptrs;
	len = swt__pb__directory__get_packed_size(&dir);
	if (len > SWT_MAX_DIRECTORY_BYTES)
		goto out;	/* (cannot be: bounded as collected) */
	raw = swt_zalloc(len ? len : 1);
	swt__pb__directory__pack(&dir, raw);
	bound = ZSTD_compressBound(len);
	frame = swt_zalloc(8 + bound);
	zlen = ZSTD_compress(frame + 8, bound, raw, len,
			     w->opts.level > 0 ? w->opts.level :
						 SWT_DEFAULT_ZSTD_LEVEL);
	if (ZSTD_isError(zlen)) {
		err = fail(w, SWT_EIO, "directory: zstd: %s",
			   ZSTD_getErrorName(zlen));
		goto out;
	}
	swt_codec__put_le32(frame, SWT_DIRECTORY_FRAME_MAGIC);
	swt_codec__put_le32(frame + 4, (uint32_t)zlen);
	idx->directory_offset = w->file_off;
	idx->directory_size = zlen;
	idx->directory_raw_size = len;
	idx->directory_crc = swt_codec__crc32c(frame + 8, zlen);
	SWT_TRY(err = write_all(w, frame, 8 + zlen));
out:
	free(frame);
	free(raw);
	free(ptrs);
	free(procs);
	return err;
}

static int write_index(struct swt_writer *w)
{
	Swt__Pb__Index idx;
	Swt__Pb__IndexEntry **ptrs = NULL;
	unsigned char *buf = NULL;
	size_t len, total, i;
	uint64_t frame_off;
	int err = 0;

	swt__pb__index__init(&idx);
	SWT_TRY(err = write_directory(w, &idx));
	frame_off = w->file_off;
	ptrs = swt_calloc(w->n_entries, sizeof(*ptrs));
	for (i = 0; i < w->n_entries; i++)
		ptrs[i] = &w->entries[i];
	idx.n_chunks = w->n_entries;
	idx.chunks = ptrs;
	len = swt__pb__index__get_packed_size(&idx);
	total = 8 + len + SWT_INDEX_TRAILER_LEN;
	buf = swt_zalloc(total);
	swt_codec__put_le32(buf, SWT_INDEX_FRAME_MAGIC);
	swt_codec__put_le32(buf + 4, (uint32_t)(len + SWT_INDEX_TRAILER_LEN));
	swt__pb__index__pack(&idx, buf + 8);
	swt_codec__put_le32(buf + 8 + len, (uint32_t)len);
	swt_codec__put_le32(buf + 12 + len, swt_codec__crc32c(buf + 8, len));
	swt_codec__put_le64(buf + 16 + len, frame_off);
	memcpy(buf + 24 + len, SWT_INDEX_MAGIC, SWT_INDEX_MAGIC_LEN);
	SWT_TRY(err = write_all(w, buf, total));
out:
	free(buf);
	free(ptrs);
	return err;
}

int swt_writer_finish(struct swt_writer *w, const struct swt_session_end *end,
		      int64_t t_ns)
{
	int err = 0;

	if (w->failed)
		return fail(w, SWT_EIO, "writer failed earlier");
	if (end) {
		struct swt_record r;

		memset(&r, 0, sizeof(r));
		r.kind = SWT_REC_END;
		r.t_ns = t_ns;
		r.u.end = *end;
		SWT_TRY(err = swt_writer_append(w, &r));
	}
	SWT_TRY(err = close_chunk(w));
	SWT_TRY(err = write_index(w));
	SWT_TRY(err = sync_file(w));
	if (close(w->fd) < 0) {
		w->fd = -1;
		err = fail(w, SWT_EIO, "close: %s", strerror(errno));
		goto out;
	}
	w->fd = -1;
out:
	return err;
}

static int write_header(struct swt_writer *w, const struct swt_header *h)
{
	Swt__Pb__SessionHeader m;
	unsigned char *buf = NULL;
	size_t len, total;
	int err = 0;

	swt__pb__session_header__init(&m);
	m.format_major = SWT_FORMAT_MAJOR;
	m.format_minor = SWT_FORMAT_MINOR;
	m.recorder = (char *)(uintptr_t)(h->recorder ? h->recorder : "");
	m.zstd_version = (char *)(uintptr_t)ZSTD_versionString();
	m.kernel = (char *)(uintptr_t)(h->kernel ? h->kernel : "");
	m.alert_config =
		(char *)(uintptr_t)(h->alert_config ? h->alert_config : "");
	m.sampler = (char *)(uintptr_t)(h->sampler ? h->sampler : "");
	m.clock_ticks = h->clock_ticks;
	m.page_size = h->page_size;
	m.cpu_count = h->cpu_count;
	m.mem_total_kib = h->mem_total_kib;
	m.interval_ns = h->interval_ns;
	m.flush_interval_ns = h->flush_interval_ns;
	m.n_command = h->n_command;
	m.command = (char **)(uintptr_t)h->command;
	m.start_mono_ns = h->start_mono_ns;
	m.start_wall_ns = h->start_wall_ns;
	m.mode = (Swt__Pb__SessionHeader__Mode)h->mode;
	m.n_attach_pids = h->n_attach_pids;
	m.attach_pids = (int32_t *)(uintptr_t)h->attach_pids;
	m.boot_time_s = h->boot_time_s;
	m.threads = h->threads;
	m.event_clock =
		(char *)(uintptr_t)(h->event_clock ? h->event_clock : "");
	m.tsc_hz = h->tsc_hz;
	m.tsc0 = h->tsc0;
	m.tsc_mono0_ns = h->tsc_mono0_ns;
	m.tsc_mult = h->tsc_mult;
	m.tsc_shift = h->tsc_shift;
	m.tsc_skew_ns = h->tsc_skew_ns;

	len = swt__pb__session_header__get_packed_size(&m);
	if (len > SWT_MAX_HEADER_BYTES)
		return fail(w, SWT_EINVAL, "session header too large");
	total = 8 + SWT_HEADER_PREFIX_LEN + len;
	buf = swt_zalloc(total);
	swt_codec__put_le32(buf, SWT_HEADER_FRAME_MAGIC);
	swt_codec__put_le32(buf + 4, (uint32_t)(SWT_HEADER_PREFIX_LEN + len));
	memcpy(buf + 8, SWT_FILE_MAGIC, SWT_FILE_MAGIC_LEN);
	buf[16] = SWT_FORMAT_MAJOR & 0xff;
	buf[17] = SWT_FORMAT_MAJOR >> 8;
	buf[18] = SWT_FORMAT_MINOR & 0xff;
	buf[19] = SWT_FORMAT_MINOR >> 8;
	swt_codec__put_le32(buf + 20, 0);	/* flags */
	swt_codec__put_le32(buf + 24, (uint32_t)len);
	swt__pb__session_header__pack(&m, buf + 8 + SWT_HEADER_PREFIX_LEN);
	err = write_all(w, buf, total);
	free(buf);
	return err;
}

int swt_writer_fdopen(struct swt_writer **out, int fd, const char *name,
		      const struct swt_writer_opts *opts,
		      const struct swt_header *hdr, char *errmsg,
		      size_t errlen)
{
	struct swt_writer *w;
	size_t rc;
	int err = 0;

	*out = NULL;
	w = swt_zalloc(sizeof(*w));
	swt_procdir_init(&w->dir);
	w->fd = fd;
	w->name = swt_strdup(name ? name : "(fd)");
	if (opts)
		w->opts = *opts;
	else
		swt_writer_opts_init(&w->opts);
	if (w->opts.chunk_raw_bytes == 0)
		w->opts.chunk_raw_bytes = SWT_DEFAULT_CHUNK_RAW_BYTES;
	if (w->opts.chunk_raw_bytes > SWT_MAX_CHUNK_RAW_BYTES / 2)
		w->opts.chunk_raw_bytes = SWT_MAX_CHUNK_RAW_BYTES / 2;
	if (w->opts.level < ZSTD_minCLevel() ||
	    w->opts.level > ZSTD_maxCLevel()) {
		err = fail(w, SWT_EINVAL, "zstd level %d out of range %d..%d",
			   w->opts.level, ZSTD_minCLevel(), ZSTD_maxCLevel());
		goto out;
	}
	w->cctx = ZSTD_createCCtx();
	if (!w->cctx) {
		err = fail(w, SWT_EIO, "cannot create zstd context");
		goto out;
	}
	rc = ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel,
				    w->opts.level);
	if (!ZSTD_isError(rc))
		rc = ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1);
	if (ZSTD_isError(rc)) {
		err = fail(w, SWT_EINVAL, "zstd: %s", ZSTD_getErrorName(rc));
		goto out;
	}
	w->zout_cap = ZSTD_CStreamOutSize();
	w->zout = swt_zalloc(w->zout_cap);
	SWT_TRY(err = write_header(w, hdr));
	SWT_TRY(err = sync_file(w));
out:
	if (err < 0) {
		if (errmsg && errlen)
			snprintf(errmsg, errlen, "%s", w->errmsg);
		swt_writer_free(w);
		return err;
	}
	*out = w;
	return 0;
}

int swt_writer_open(struct swt_writer **out, const char *path,
		    const struct swt_writer_opts *opts,
		    const struct swt_header *hdr, char *errmsg, size_t errlen)
{
	int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC;
	int fd;

	*out = NULL;
	if (opts && opts->force) {
		struct stat st;

		/* never truncate something that is not a regular file */
		if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
			if (errmsg && errlen)
				snprintf(errmsg, errlen,
					 "%s: exists and is not a regular "
					 "file",
					 path);
			return S_ISLNK(st.st_mode) ? SWT_EINVAL : SWT_EEXIST;
		}
		flags |= O_TRUNC;
	} else {
		flags |= O_EXCL;
	}
	fd = open(path, flags, 0644);
	if (fd < 0) {
		int e = errno;

		if (errmsg && errlen)
			snprintf(errmsg, errlen, "%s: %s", path,
				 e == ELOOP ? "is a symbolic link (not "
					      "followed)" :
				 e == EEXIST ? "exists (use --force to "
					       "overwrite)" :
					       strerror(e));
		return e == EEXIST ? SWT_EEXIST :
		       e == ELOOP  ? SWT_EINVAL :
				     SWT_EIO;
	}
	return swt_writer_fdopen(out, fd, path, opts, hdr, errmsg, errlen);
}

void swt_writer_free(struct swt_writer *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	ZSTD_freeCCtx(w->cctx);
	free(w->name);
	swt_buf_fini(&w->pending);
	swt_buf_fini(&w->tail);
	swt_buf_fini(&w->strings);
	swt_procdir_fini(&w->dir);
	free(w->zout);
	free(w->entries);
	free(w->slots);
	free(w->prev_procs);
	free(w->hint_old);
	free(w->prev_threads);
	free(w->reset_pids);
	free(w->cols);
	free(w->ucols);
	free(w->netdevs);
	free(w->netdev_ptrs);
	free(w->icols);
	free(w->gone);
	free(w->tgone);
	free(w->prev_tname);
	free(w->cur_tname);
	free(w);
}
