/* swt_export.c — the Trace Event Format JSON and CSV exports (see
 * swt_export.h; the rules are written down in docs/exports.md), and the
 * trace walker they share with the Perfetto export (swt_perfetto.c,
 * through swt_export-private.h).
 *
 * Both walk the records once, in file order, keeping per process and per
 * thread what the rows need: the CPU base (the previous row's ticks and
 * time), the names, and for the traces the spans open on each thread. */
#include "swt_export.h"
#include "swt_export-private.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "swt_alloc.h"
#include "swt_buf.h"
#include "swt_checked.h"
#include "swt_dump.h"
#include "swt_engine.h"
#include "swt_json.h"
#include "swt_map.h"
#include "swt_stats.h"
#include "swt_status.h"

#define FLUSH_BYTES SWT_EXPORT__FLUSH_BYTES
#define SESSION_PID SWT_EXPORT__SESSION_PID

/* Track uuids: a kind in the bits above 40, the index of the process,
 * thread or counter (in the order the file first named it) below, so
 * that they are unique, never 0 and the same for the same file. */
enum uuid_kind {
	U_SESSION = 1,
	U_SESSION_CPU = 2,
	U_SESSION_RSS = 3,
	U_PROC = 4,
	U_PROC_CPU = 5,
	U_PROC_RSS = 6,
	U_THREAD = 7,
	U_COUNT = 8,
	U_MOD_CPU = 9,		/* a module's, by the engine's id */
	U_MOD_RSS = 10,
};

static uint64_t uuid_of(enum uuid_kind k, size_t idx)
{
	return (uint64_t)k << 40 | (uint64_t)idx;
}

int swt_export_format_parse(enum swt_export_format *out, const char *name)
{
	if (strcmp(name, "chrome-json") == 0)
		*out = SWT_EXPORT_CHROME_JSON;
	else if (strcmp(name, "csv") == 0)
		*out = SWT_EXPORT_CSV;
	else if (strcmp(name, "perfetto") == 0)
		*out = SWT_EXPORT_PERFETTO;
	else
		return SWT_EINVAL;
	return 0;
}

const char *swt_export_format_name(enum swt_export_format f)
{
	switch (f) {
	case SWT_EXPORT_CHROME_JSON:
		return "chrome-json";
	case SWT_EXPORT_CSV:
		return "csv";
	case SWT_EXPORT_PERFETTO:
		return "perfetto";
	}
	return "unknown";
}

void swt_export_opts_init(struct swt_export_opts *o)
{
	o->from_ns = INT64_MIN;
	o->to_ns = INT64_MAX;
}

/* ---- state shared by both exports ---------------------------------------- */

/* A span open on a thread. */
struct xspan {
	uint32_t name;		/* index into x->names */
	bool pending;		/* began before the window: its B is written
				 * (at the window's start) once the thread
				 * has something inside the window */
	bool outside;		/* began after the window: never written */
};

struct xproc {
	int32_t pid;
	bool started;		/* a ProcStart was read */
	uint64_t start_ticks;
	uint32_t gen;		/* bumped when the pid is reused: thread
				 * bases of an older generation are void */
	char *comm;		/* display form; NULL until known */
	char *cmdline;		/* display form, arguments joined by spaces */
	uint64_t uuid;		/* its track's, and its counters' index */
	size_t idx;
	bool used;		/* has something in the trace */
	bool cpu_used, rss_used;	/* its counters have values */
	bool has_base;		/* CPU base: the previous row */
	int64_t base_t, base_ticks;
	bool has_io_base;	/* the previous row that had I/O readings */
	int64_t io_read, io_write;
};

struct xthread {
	int32_t pid, tid;
	char *name;		/* the last thread row's name (display form);
				 * NULL: none recorded */
	uint64_t uuid;		/* its track's */
	bool used;		/* has something in the trace */
	bool has_last;
	int64_t last_t;		/* its latest span event's time (absolute) */
	struct xspan *stack;	/* open spans, innermost last */
	size_t depth, cap;
	bool has_base;		/* CSV: CPU base of the thread row */
	uint32_t base_gen;
	int64_t base_t, base_ticks;
};

/* One trace event, its bytes at text[off, off + len). */
struct xev {
	int64_t ts;
	uint64_t seq;
	size_t off, len;
};

/* A swt_count() counter of a process: its running total. */
struct xcount {
	int32_t pid;
	char *name;		/* as recorded */
	int64_t sum;
	uint64_t uuid;
	bool used;		/* has values in the trace */
};

/* A module of the engine with counters in the trace, by its id. */
struct xmod {
	char *label;		/* "KIND NAME[ of PROCESS]", unique */
	bool cpu_used, rss_used;
	/* the times of its values (window), to end each run of them with
	 * a 0 at the next sample without one */
	int64_t *ts[2];		/* CPU, RSS */
	size_t n_ts[2], cap_ts[2];
};

/* A module's figures in one sample (CSV). */
struct csv_mod {
	uint32_t id;
	char *kind, *name, *process;
	bool has_cpu, has_mem;
	int64_t cpu_centi, mem_kib;
};

/* A sample of the CSV while the engine's figures for it may still come:
 * its tree row's own columns, its process and thread rows (text), its
 * module rows. */
struct csv_block {
	int64_t t;		/* absolute */
	bool inside;		/* in the window */
	bool tree;		/* a tree row (rows, or the tree's CPU) */
	bool has_cpu;
	int64_t cpu_centi;
	int64_t rss_kib, threads, rd, wr;
	bool any_io;
	struct swt_buf rows;
	struct csv_mod *mods;
	size_t n_mods, cap_mods;
	struct swt_imap mod_map;	/* id -> index in mods */
};

struct xctx {
	const struct swt_export_opts *o;
	struct swt_export_stats st;
	bool origin_known;
	int64_t origin;
	uint32_t clock_ticks;
	char *session_cmd;	/* the recorded command, display form */
	bool have_last;
	int64_t t_last;		/* the latest time read (absolute) */

	struct xproc *procs;
	size_t n_procs, cap_procs;
	struct swt_imap proc_map;	/* pid -> index */
	struct xthread *threads;
	size_t n_threads, cap_threads;
	struct swt_smap thread_map;	/* (pid, tid's bytes) -> index: an
					 * imap key of both could be INT64_MIN,
					 * which it cannot hold */
	char **names;			/* interned span names */
	size_t n_names, cap_names;
	struct swt_smap name_map;
	struct xcount *counts;		/* per (pid, name) */
	size_t n_counts, cap_counts;
	struct swt_smap count_map;

	/* the traces */
	swt_export__emit_fn emit;
	void *payload;
	struct swt_buf text;
	struct xev *ev;
	size_t n_ev, cap_ev;
	struct swt_export__event *sorted;
	struct swt_export__track *tracks;
	size_t n_tracks, cap_tracks;
	bool session_used;
	bool session_cpu_used, session_rss_used;

	/* the engine, fed the same records: the tree's CPU per interval
	 * and the modules' figures come from it (docs/exports.md § CPU %
	 * and RSS MB), never from rules of the export's own */
	struct swt_engine *eng;
	bool eng_dead;		/* it refused a record (damage): no more */
	size_t eng_damage;	/* damage entries the engine has seen */
	bool csv;		/* the points go to CSV blocks */
	struct xmod *mods;	/* by the engine's id - 1 */
	size_t n_mods, cap_mods;
	struct swt_smap label_map;	/* labels taken */
	int64_t *grid;		/* the samples' times in the window */
	size_t n_grid, cap_grid;
	bool ses_told;		/* a tree interval was told in this feed */

	/* the CSV */
	struct swt_buf out;
	FILE *fp;
	struct csv_block *blocks;	/* samples whose figures are not all
					 * final yet, oldest first */
	size_t n_blocks, cap_blocks;
};

void swt_export__set_msg(char *errmsg, size_t errlen, const char *what,
			 const char *detail)
{
	if (errmsg && errlen)
		snprintf(errmsg, errlen, "%s%s", what, detail);
}

static void xctx_init(struct xctx *x, const struct swt_export_opts *o)
{
	memset(x, 0, sizeof(*x));
	x->o = o;
	swt_imap_init(&x->proc_map);
	swt_smap_init(&x->thread_map);
	swt_smap_init(&x->name_map);
	swt_smap_init(&x->count_map);
	swt_smap_init(&x->label_map);
}

static void csv_block_fini(struct csv_block *b)
{
	size_t i;

	for (i = 0; i < b->n_mods; i++) {
		free(b->mods[i].kind);
		free(b->mods[i].name);
		free(b->mods[i].process);
	}
	free(b->mods);
	swt_imap_fini(&b->mod_map);
	swt_buf_fini(&b->rows);
}

static void xctx_fini(struct xctx *x)
{
	size_t i;

	swt_engine_free(x->eng);
	for (i = 0; i < x->n_mods; i++) {
		free(x->mods[i].label);
		free(x->mods[i].ts[0]);
		free(x->mods[i].ts[1]);
	}
	free(x->grid);
	free(x->mods);
	swt_smap_fini(&x->label_map);
	for (i = 0; i < x->n_blocks; i++)
		csv_block_fini(&x->blocks[i]);
	free(x->blocks);

	for (i = 0; i < x->n_procs; i++) {
		free(x->procs[i].comm);
		free(x->procs[i].cmdline);
	}
	for (i = 0; i < x->n_threads; i++) {
		free(x->threads[i].name);
		free(x->threads[i].stack);
	}
	for (i = 0; i < x->n_names; i++)
		free(x->names[i]);
	for (i = 0; i < x->n_counts; i++)
		free(x->counts[i].name);
	for (i = 0; i < x->n_tracks; i++) {
		free(x->tracks[i].name);
		free(x->tracks[i].cmdline);
	}
	free(x->tracks);
	free(x->sorted);
	free(x->procs);
	free(x->threads);
	free(x->names);
	free(x->counts);
	free(x->ev);
	free(x->session_cmd);
	swt_imap_fini(&x->proc_map);
	swt_smap_fini(&x->thread_map);
	swt_smap_fini(&x->name_map);
	swt_smap_fini(&x->count_map);
	swt_buf_fini(&x->text);
	swt_buf_fini(&x->out);
}

/* A time from the session start. */
static int64_t rel(const struct xctx *x, int64_t t)
{
	return swt_sat_sub(t, x->origin);
}

static bool in_window(const struct xctx *x, int64_t rel_t)
{
	return rel_t >= x->o->from_ns && rel_t <= x->o->to_ns;
}

static void saw_time(struct xctx *x, int64_t t)
{
	if (!x->have_last || t > x->t_last)
		x->t_last = t;
	x->have_last = true;
}

/* argv with NUL separators as one display string (NULs as spaces, a
 * trailing NUL dropped). */
static char *display_cmdline(const char *s, size_t len)
{
	while (len && s[len - 1] == '\0')
		len--;
	return swt_display_bytes(s, len);
}

static struct xproc *get_proc(struct xctx *x, int32_t pid)
{
	uint32_t i = swt_imap_get(&x->proc_map, pid);
	struct xproc *p;

	if (i != SWT_MAP_NONE)
		return &x->procs[i];
	x->procs = swt_grow(x->procs, &x->cap_procs, x->n_procs + 1,
			    sizeof(*x->procs));
	p = &x->procs[x->n_procs];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->idx = x->n_procs;
	p->uuid = uuid_of(U_PROC, x->n_procs);
	swt_imap_put(&x->proc_map, pid, (uint32_t)x->n_procs++);
	return p;
}

static struct xthread *get_thread(struct xctx *x, int32_t pid, int32_t tid)
{
	char key[sizeof(tid)];
	uint32_t i;
	struct xthread *t;

	memcpy(key, &tid, sizeof(tid));
	i = swt_smap_get(&x->thread_map, (uint32_t)pid, key, sizeof(key));
	if (i != SWT_MAP_NONE)
		return &x->threads[i];
	x->threads = swt_grow(x->threads, &x->cap_threads, x->n_threads + 1,
			      sizeof(*x->threads));
	t = &x->threads[x->n_threads];
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->tid = tid;
	t->uuid = uuid_of(U_THREAD, x->n_threads);
	swt_smap_put(&x->thread_map, (uint32_t)pid, key, sizeof(key),
		     (uint32_t)x->n_threads++);
	return t;
}

static uint32_t intern(struct xctx *x, const char *name)
{
	size_t len = name ? strlen(name) : 0;
	uint32_t i = swt_smap_get(&x->name_map, 0, name ? name : "", len);

	if (i != SWT_MAP_NONE)
		return i;
	x->names = swt_grow(x->names, &x->cap_names, x->n_names + 1,
			    sizeof(*x->names));
	x->names[x->n_names] = swt_strndup(name ? name : "", len);
	swt_smap_put(&x->name_map, 0, name ? name : "", len,
		     (uint32_t)x->n_names);
	return (uint32_t)x->n_names++;
}

/* Counter `name` of pid after adding v to its running total. */
static struct xcount *count_add(struct xctx *x, int32_t pid,
				const char *name, int64_t v)
{
	size_t len = name ? strlen(name) : 0;
	uint32_t i = swt_smap_get(&x->count_map, (uint32_t)pid,
				  name ? name : "", len);
	struct xcount *c;

	if (i == SWT_MAP_NONE) {
		x->counts = swt_grow(x->counts, &x->cap_counts,
				     x->n_counts + 1, sizeof(*x->counts));
		c = &x->counts[x->n_counts];
		memset(c, 0, sizeof(*c));
		c->pid = pid;
		c->name = swt_strndup(name ? name : "", len);
		c->uuid = uuid_of(U_COUNT, x->n_counts);
		i = (uint32_t)x->n_counts++;
		swt_smap_put(&x->count_map, (uint32_t)pid, name ? name : "",
			     len, i);
	}
	c = &x->counts[i];
	c->sum = swt_sat_add(c->sum, v);
	return c;
}

/* A ProcStart: a new process, a reused pid (another start_ticks: bases
 * restart) or an execve() (the same start_ticks: the same process, its
 * counters go on; only its names change). */
static void note_proc_start(struct xctx *x, const struct swt_proc_start *ps)
{
	struct xproc *p = get_proc(x, ps->pid);

	if (p->started && p->start_ticks != ps->start_ticks) {
		p->has_base = false;
		p->has_io_base = false;
		p->gen++;
	}
	p->started = true;
	p->start_ticks = ps->start_ticks;
	free(p->comm);
	free(p->cmdline);
	p->comm = swt_display_bytes(ps->comm ? ps->comm : "",
				    ps->comm ? strlen(ps->comm) : 0);
	p->cmdline = display_cmdline(ps->cmdline ? ps->cmdline : "",
				     ps->cmdline ? ps->cmdline_len : 0);
}

/* After its exit a pid's next row belongs to another process. */
static void note_proc_exit(struct xctx *x, const struct swt_proc_exit *pe)
{
	struct xproc *p = get_proc(x, pe->pid);

	p->has_base = false;
	p->has_io_base = false;
	p->gen++;
	p->started = false;
}

/* CPU in hundredths of a percent of one core between two readings of a
 * cumulative tick counter, or -1 when there is no value: no base, time not
 * going forward, or the counter going back (a reused id the file did not
 * announce, or damage). */
static int64_t cpu_centi(const struct xctx *x, bool has_base, int64_t base_t,
			 int64_t base_ticks, int64_t t, int64_t ticks)
{
	int64_t dt, dticks;

	if (!has_base || x->clock_ticks == 0 || !swt_sub_ok(&dt, t, base_t) ||
	    dt <= 0 || !swt_sub_ok(&dticks, ticks, base_ticks) || dticks < 0)
		return -1;
	/* ticks / clock_ticks s of CPU in dt / 1e9 s, x 100 %, x 100 */
	return swt_muldiv2(dticks, INT64_C(10000000000000), x->clock_ticks,
			   dt);
}

/* KiB as thousandths of a MB (MB = 1024 KiB, as the reports). */
static int64_t kib_mmb(int64_t kib)
{
	return swt_muldiv(kib, 1000, 1024);
}

/* Bytes as thousandths of a MB (1 MB = 1 MiB). */
static int64_t bytes_mmb(int64_t bytes)
{
	return swt_muldiv(bytes, 1000, INT64_C(1048576));
}

/* The process's name in the outputs: its comm, or "pid N" for a process
 * whose ProcStart was not read (lost in a damaged chunk). */
static const char *proc_name(const struct xproc *p, char *tmp, size_t len)
{
	if (p->comm)
		return p->comm;
	snprintf(tmp, len, "pid %d", (int)p->pid);
	return tmp;
}


/* The header sets the clock; the first record sets it when the header
 * has no start time (as the engine). false: the header (nothing else to
 * do with it). */
static bool set_origin(struct xctx *x, const struct swt_record *rec)
{
	if (rec->kind == SWT_REC_HEADER) {
		const struct swt_header *h = &rec->u.header;
		struct swt_buf b = SWT_BUF_INIT;
		size_t i;

		if (h->start_mono_ns > 0) {
			x->origin = h->start_mono_ns;
			x->origin_known = true;
		}
		x->clock_ticks = h->clock_ticks;
		for (i = 0; i < h->n_command; i++) {
			if (i)
				swt_buf_putc(&b, ' ');
			swt_buf_puts(&b, h->command[i] ? h->command[i] : "");
		}
		free(x->session_cmd);
		x->session_cmd = swt_display_bytes(b.ptr ? b.ptr : "", b.len);
		swt_buf_fini(&b);
		return false;
	}
	if (!x->origin_known) {
		x->origin = rec->t_ns;
		x->origin_known = true;
	}
	saw_time(x, rec->t_ns);
	return true;
}

int swt_export__write_buf(FILE *fp, struct swt_buf *b, char *errmsg,
			  size_t errlen)
{
	if (b->len && fwrite(b->ptr, 1, b->len, fp) != b->len) {
		swt_export__set_msg(errmsg, errlen, "write error: ", strerror(errno));
		return SWT_EIO;
	}
	swt_buf_clear(b);
	return 0;
}

int swt_export__finish_output(FILE *fp, char *errmsg, size_t errlen)
{
	if (fflush(fp) != 0 || ferror(fp)) {
		swt_export__set_msg(errmsg, errlen, "write error: ", strerror(errno));
		return SWT_EIO;
	}
	return 0;
}

/* ---- the trace walker (swt_export-private.h) ------------------------------ */

static void item_init(struct swt_export__item *it, int64_t ts,
		      enum swt_export__phase phase, const char *name,
		      const char *cat, int32_t pid, int32_t tid,
		      uint64_t track)
{
	memset(it, 0, sizeof(*it));
	it->ts = ts;
	it->phase = phase;
	it->name = name ? name : "";
	it->cat = cat;
	it->pid = pid;
	it->tid = tid;
	it->track = track;
}

/* The item's next argument, of kind `kind` (at most
 * SWT_EXPORT__MAX_ARGS an item: the callers add fewer). */
static struct swt_export__arg *arg_add(struct swt_export__item *it,
				       const char *key,
				       enum swt_export__arg_kind kind)
{
	struct swt_export__arg *a = &it->args[it->n_args++];

	a->key = key;
	a->kind = kind;
	it->has_args = true;
	return a;
}

static void arg_str(struct swt_export__item *it, const char *key,
		    const char *s)
{
	arg_add(it, key, SWT_EXPORT__ARG_STR)->s = s;
}

static void arg_int(struct swt_export__item *it, const char *key, int64_t v)
{
	arg_add(it, key, SWT_EXPORT__ARG_INT)->v = v;
}

static void arg_bool(struct swt_export__item *it, const char *key, bool b)
{
	arg_add(it, key, SWT_EXPORT__ARG_BOOL)->b = b;
}

static void arg_fixed(struct swt_export__item *it, const char *key,
		      int64_t v, unsigned scale, unsigned decimals)
{
	struct swt_export__arg *a = arg_add(it, key, SWT_EXPORT__ARG_FIXED);

	a->v = v;
	a->scale = scale;
	a->decimals = decimals;
}

/* Hand one event to the format, which serialises it into x->text; it is
 * sorted by time (ties in this order) at the end. */
static void emit(struct xctx *x, const struct swt_export__item *it)
{
	struct xev *e;

	x->ev = swt_grow(x->ev, &x->cap_ev, x->n_ev + 1, sizeof(*x->ev));
	e = &x->ev[x->n_ev];
	e->ts = it->ts;
	e->seq = x->n_ev;
	e->off = x->text.len;
	x->emit(&x->text, it, x->payload);
	e->len = x->text.len - e->off;
	x->n_ev++;
	x->st.items++;
}

/* ---- the engine's figures ------------------------------------------------- */

static void ev_counter(struct xctx *x, int64_t ts, int32_t pid,
		       uint64_t track, const char *name, const char *cat,
		       int64_t v, unsigned scale, unsigned decimals);
static void csv_point(struct xctx *x, const struct swt_usage_point *p);

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* A module's counters drop to 0 at the first sample after a run of its
 * values that has none of it (its processes or threads gone): a viewer
 * holds a counter's last value until the next. */
static void module_zeros(struct xctx *x)
{
	struct swt_buf name = SWT_BUF_INIT;
	size_t i, j;
	int k;

	for (i = 0; i < x->n_mods; i++) {
		struct xmod *m = &x->mods[i];

		for (k = 0; k < 2; k++) {
			for (j = 0; j < m->n_ts[k]; j++) {
				const int64_t *g = bsearch(
					&m->ts[k][j], x->grid, x->n_grid,
					sizeof(*x->grid), cmp_i64);
				int64_t next;

				if (!g || g + 1 >= x->grid + x->n_grid)
					continue;
				next = g[1];
				if (j + 1 < m->n_ts[k] &&
				    m->ts[k][j + 1] <= next)
					continue;
				swt_buf_clear(&name);
				swt_buf_printf(&name, "%s %s",
					       k ? "RSS MB" : "CPU %",
					       m->label);
				ev_counter(x, next, SESSION_PID,
					   uuid_of(k ? U_MOD_RSS : U_MOD_CPU,
						   i + 1),
					   name.ptr, "module", 0, k ? 3 : 2,
					   k ? 3 : 2);
			}
		}
	}
	swt_buf_fini(&name);
}

/* Thousandths of a percent as hundredths, rounded half up (>= 0). */
static int64_t mpct_centi(int64_t mpct)
{
	return mpct > 0 ? swt_sat_add(mpct, 5) / 10 : 0;
}

/* The module of id (> 0), named on first use: "KIND NAME", " of
 * PROCESS" when that is another name, and " #ID" when another module took
 * that label (process modules of one comm and other programs). */
static struct xmod *get_mod(struct xctx *x, const struct swt_usage_point *p)
{
	size_t i = p->id - 1;
	struct swt_buf b = SWT_BUF_INIT;
	struct xmod *m;

	if (i >= x->n_mods) {
		x->mods = swt_grow(x->mods, &x->cap_mods, i + 1,
				   sizeof(*x->mods));
		memset(x->mods + x->n_mods, 0,
		       (i + 1 - x->n_mods) * sizeof(*x->mods));
		x->n_mods = i + 1;
	}
	m = &x->mods[i];
	if (m->label)
		return m;
	swt_buf_printf(&b, "%s %s", swt_kind_name(p->subj->kind),
		       p->subj->name);
	if (p->subj->process[0] && !p->reaped &&
	    strcmp(p->subj->process, p->subj->name))
		swt_buf_printf(&b, " of %s", p->subj->process);
	if (swt_smap_get(&x->label_map, 0, b.ptr, b.len) != SWT_MAP_NONE)
		swt_buf_printf(&b, " #%u", (unsigned)p->id);
	swt_smap_put(&x->label_map, 0, b.ptr, b.len, p->id);
	m->label = swt_strdup(b.ptr);
	swt_buf_fini(&b);
	return m;
}

/* A module's figure as a counter of the session's pid: "CPU % LABEL",
 * "RSS MB LABEL" (process modules' memory). */
static void trace_module_point(struct xctx *x,
			       const struct swt_usage_point *p)
{
	struct swt_buf name = SWT_BUF_INIT;
	struct xmod *m;
	int k;

	if (p->has_cpu && p->cpu_estimated)
		return;
	m = get_mod(x, p);
	x->session_used = true;
	swt_buf_printf(&name, "%s %s", p->has_cpu ? "CPU %" : "RSS MB",
		       m->label);
	k = p->has_cpu ? 0 : 1;
	if (!m->n_ts[k] || m->ts[k][m->n_ts[k] - 1] != p->t_to_ns) {
		m->ts[k] = swt_grow(m->ts[k], &m->cap_ts[k], m->n_ts[k] + 1,
				    sizeof(*m->ts[k]));
		m->ts[k][m->n_ts[k]++] = p->t_to_ns;
	}
	if (p->has_cpu) {
		m->cpu_used = true;
		ev_counter(x, p->t_to_ns, SESSION_PID,
			   uuid_of(U_MOD_CPU, p->id), name.ptr, "module",
			   mpct_centi(p->cpu_mpct), 2, 2);
	} else {
		m->rss_used = true;
		ev_counter(x, p->t_to_ns, SESSION_PID,
			   uuid_of(U_MOD_RSS, p->id), name.ptr, "module",
			   kib_mmb(p->mem_kib), 3, 3);
	}
	swt_buf_fini(&name);
}

/* A figure of the engine's series (swt_engine_opts.on_usage). */
static void on_usage(const struct swt_usage_point *p, void *payload)
{
	struct xctx *x = payload;

	if (p->id == 0 && p->has_cpu)
		x->ses_told = true;
	if (x->csv) {
		csv_point(x, p);
		return;
	}
	if (!in_window(x, p->t_to_ns))
		return;
	if (p->id == 0) {
		if (!p->has_cpu)
			return;	/* (the tree's RSS: the rows' sum) */
		x->session_used = true;
		x->session_cpu_used = true;
		ev_counter(x, p->t_to_ns, SESSION_PID,
			   uuid_of(U_SESSION_CPU, 0), "CPU %", "session",
			   mpct_centi(p->cpu_mpct), 2, 2);
		return;
	}
	trace_module_point(x, p);
}

static void eng_start(struct xctx *x, struct swt_reader *r, bool csv)
{
	struct swt_engine_opts eo;

	memset(&eo, 0, sizeof(eo));
	eo.on_usage = on_usage;
	eo.payload = x;
	swt_engine_new(&x->eng, &eo);
	x->csv = csv;
	x->eng_damage = swt_reader_damage_count(r);
}

/* Feed the engine a record; records lost to damage before it are a gap
 * (as swanalyze tells it). A record it refuses (damage it can tell) ends
 * its part: the figures stop there. */
static void eng_feed(struct xctx *x, struct swt_reader *r,
		     const struct swt_record *rec)
{
	size_t n = swt_reader_damage_count(r);

	if (x->eng_dead)
		return;
	if (n > x->eng_damage) {
		x->eng_damage = n;
		swt_engine_note_gap(x->eng);
	}
	if (swt_engine_feed(x->eng, rec) != 0)
		x->eng_dead = true;
}

/* The last intervals, now that no exit can add to them. */
static void eng_finish(struct xctx *x)
{
	const struct swt_result *res;

	(void)swt_engine_finish(x->eng, &res);
}

/* A counter's new value (value / 10^scale). */
static void ev_counter(struct xctx *x, int64_t ts, int32_t pid,
		       uint64_t track, const char *name, const char *cat,
		       int64_t v, unsigned scale, unsigned decimals)
{
	struct swt_export__item it;

	item_init(&it, ts, SWT_EXPORT__COUNTER, name, cat, pid, pid, track);
	it.value = v;
	it.scale = scale;
	it.decimals = decimals;
	emit(x, &it);
}

static void use_thread(struct xctx *x, struct xthread *t)
{
	t->used = true;
	get_proc(x, t->pid)->used = true;
}

static void span_mark(struct xctx *x, struct xthread *t, int64_t ts,
		      uint32_t name, enum swt_export__phase phase)
{
	struct swt_export__item it;

	item_init(&it, ts, phase, x->names[name], "module", t->pid, t->tid,
		  t->uuid);
	emit(x, &it);
	use_thread(x, t);
}

/* Write the B of every span of t that began before the window, at the
 * window's start, outermost first: called before anything of t inside the
 * window is written, so that the spans stay nested. */
static void flush_pending(struct xctx *x, struct xthread *t)
{
	size_t i;

	for (i = 0; i < t->depth; i++) {
		if (!t->stack[i].pending)
			continue;
		t->stack[i].pending = false;
		span_mark(x, t, x->o->from_ns, t->stack[i].name,
			  SWT_EXPORT__BEGIN);
	}
}

/* Close the innermost open span of t at te (ns from the start). */
static void pop_span(struct xctx *x, struct xthread *t, int64_t te)
{
	struct xspan s = t->stack[--t->depth];

	if (s.outside || te < x->o->from_ns)
		return;		/* all of it outside the window */
	t->depth++;		/* still open while its elders are written */
	flush_pending(x, t);
	t->depth--;
	span_mark(x, t, te < x->o->to_ns ? te : x->o->to_ns, s.name,
		  SWT_EXPORT__END);
	x->st.spans++;
}

static void span_begin(struct xctx *x, struct xthread *t, int64_t tb,
		       const char *name)
{
	struct xspan *s;

	t->stack = swt_grow(t->stack, &t->cap, t->depth + 1,
			    sizeof(*t->stack));
	s = &t->stack[t->depth++];
	s->name = intern(x, name);
	s->pending = tb < x->o->from_ns;
	s->outside = tb > x->o->to_ns;
	if (s->pending || s->outside)
		return;
	flush_pending(x, t);
	span_mark(x, t, tb, s->name, SWT_EXPORT__BEGIN);
}

/* An END closes the innermost open span of its name on its thread, and
 * first, at the same time, the spans opened inside it (their END was lost
 * or they were left open): the trace stays nested. An END with no such
 * span is dropped. */
static void span_end(struct xctx *x, struct xthread *t, int64_t te,
		     const char *name)
{
	size_t k = t->depth;
	uint32_t id = swt_smap_get(&x->name_map, 0, name ? name : "",
				   name ? strlen(name) : 0);

	/* a name never begun is no open span's */
	while (id != SWT_MAP_NONE && k > 0 && t->stack[k - 1].name != id)
		k--;
	if (id == SWT_MAP_NONE || k == 0) {
		x->st.ends_unmatched++;
		return;
	}
	while (t->depth >= k)
		pop_span(x, t, te);
}

static void trace_events(struct xctx *x, const struct swt_event_batch *b)
{
	struct swt_export__item it;
	size_t i;

	for (i = 0; i < b->n; i++) {
		const struct swt_event *e = &b->events[i];
		struct xthread *t = get_thread(x, b->pid, e->tid);
		int64_t at = e->t_ns, ts;

		/* a thread's span events are in time order when swrec
		 * wrote them; one that is not (damage, another writer) is
		 * moved to its predecessor's time, so that no E comes
		 * before its B. Counts and marks need no such care: the
		 * trace is sorted by time. */
		if (e->kind == SWT_EV_BEGIN || e->kind == SWT_EV_END) {
			if (t->has_last && at < t->last_t) {
				at = t->last_t;
				x->st.events_reordered++;
			}
			t->has_last = true;
			t->last_t = at;
		}
		saw_time(x, at);
		ts = rel(x, at);
		switch (e->kind) {
		case SWT_EV_BEGIN:
			span_begin(x, t, ts, e->name);
			break;
		case SWT_EV_END:
			span_end(x, t, ts, e->name);
			break;
		case SWT_EV_COUNT: {
			struct xcount *c = count_add(x, b->pid, e->name,
						     e->value);

			if (!in_window(x, ts))
				break;
			c->used = true;
			ev_counter(x, ts, b->pid, c->uuid, c->name, "counter",
				   c->sum, 0, 0);
			get_proc(x, b->pid)->used = true;
			break;
		}
		case SWT_EV_MARK:
			if (!in_window(x, ts))
				break;
			item_init(&it, ts, SWT_EXPORT__INSTANT, e->name,
				  "mark", b->pid, e->tid, t->uuid);
			emit(x, &it);
			use_thread(x, t);
			break;
		default:	/* RSS readings: the samples give the RSS */
			break;
		}
	}
}

static void trace_sample(struct xctx *x, int64_t t,
			 const struct swt_sample *s)
{
	int64_t ts = rel(x, t), rss_sum = 0;
	bool inside = in_window(x, ts);
	size_t i;

	for (i = 0; i < s->n_procs; i++) {
		const struct swt_proc_row *row = &s->procs[i];
		struct xproc *p = get_proc(x, row->pid);
		int64_t ticks = swt_sat_add(row->utime, row->stime);
		int64_t cpu = cpu_centi(x, p->has_base, p->base_t,
					p->base_ticks, t, ticks);

		p->has_base = true;
		p->base_t = t;
		p->base_ticks = ticks;
		if (!inside)
			continue;
		p->used = true;
		if (cpu >= 0) {
			p->cpu_used = true;
			ev_counter(x, ts, row->pid, uuid_of(U_PROC_CPU, p->idx),
				   "CPU %", "process", cpu, 2, 2);
		}
		p->rss_used = true;
		ev_counter(x, ts, row->pid, uuid_of(U_PROC_RSS, p->idx),
			   "RSS MB", "process", kib_mmb(row->rss_kib), 3, 3);
		rss_sum = swt_sat_add(rss_sum, row->rss_kib);
	}
	if (inside && (!x->n_grid || x->grid[x->n_grid - 1] < ts)) {
		x->grid = swt_grow(x->grid, &x->cap_grid, x->n_grid + 1,
				   sizeof(*x->grid));
		x->grid[x->n_grid++] = ts;
	}
	for (i = 0; i < s->n_threads; i++) {
		const struct swt_thread_row *tr = &s->threads[i];
		struct xthread *th = get_thread(x, tr->tgid, tr->tid);

		if (tr->name && *tr->name &&
		    (!th->name || strcmp(th->name, tr->name) != 0)) {
			free(th->name);
			th->name = swt_display_bytes(tr->name,
						     strlen(tr->name));
		}
		if (inside)
			use_thread(x, th);
	}
	if (!inside || s->n_procs == 0)
		return;
	x->session_used = true;
	x->session_rss_used = true;
	ev_counter(x, ts, SESSION_PID, uuid_of(U_SESSION_RSS, 0), "RSS MB",
		   "session", kib_mmb(rss_sum), 3, 3);
}

static void trace_proc_start(struct xctx *x, int64_t t,
			     const struct swt_proc_start *ps)
{
	struct xproc *p = get_proc(x, ps->pid);
	bool exec = p->started && p->start_ticks == ps->start_ticks;
	int64_t ts = rel(x, t);
	struct swt_export__item it;

	note_proc_start(x, ps);
	if (!in_window(x, ts))
		return;
	p = get_proc(x, ps->pid);
	p->used = true;
	item_init(&it, ts, SWT_EXPORT__INSTANT,
		  exec ? "process exec" : "process start", "process",
		  ps->pid, ps->pid, p->uuid);
	arg_str(&it, "comm", p->comm);
	arg_str(&it, "cmdline", p->cmdline);
	arg_int(&it, "ppid", ps->ppid);
	arg_bool(&it, "preexisting", ps->preexisting);
	emit(x, &it);
}

static void trace_proc_exit(struct xctx *x, int64_t t,
			    const struct swt_proc_exit *pe)
{
	int64_t ts = rel(x, t);
	struct swt_export__item it;
	struct xproc *p;

	note_proc_exit(x, pe);
	if (!in_window(x, ts))
		return;
	p = get_proc(x, pe->pid);
	p->used = true;
	item_init(&it, ts, SWT_EXPORT__INSTANT, "process exit", "process",
		  pe->pid, pe->pid, p->uuid);
	it.has_args = true;
	if (pe->has_status) {
		arg_int(&it, "exit_code", pe->exit_code);
		arg_int(&it, "signal", pe->signal);
		arg_bool(&it, "core_dumped", pe->core_dumped);
	}
	emit(x, &it);
}

static void trace_alert(struct xctx *x, int64_t t, const struct swt_alert *a)
{
	int64_t ts = rel(x, t);
	struct swt_buf name = SWT_BUF_INIT;
	struct swt_export__item it;

	if (!in_window(x, ts))
		return;
	swt_buf_printf(&name, "alert: %s of %s", a->kind ? a->kind : "",
		       a->subject ? a->subject : "");
	x->session_used = true;
	item_init(&it, ts, SWT_EXPORT__INSTANT, name.ptr, "alert",
		  SESSION_PID, SESSION_PID, uuid_of(U_SESSION, 0));
	it.global = true;
	arg_str(&it, "kind", a->kind);
	arg_str(&it, "subject", a->subject);
	arg_fixed(&it, "value", a->value_milli, 3, 3);
	arg_fixed(&it, "threshold", a->threshold_milli, 3, 3);
	emit(x, &it);
	swt_buf_fini(&name);
}

static void trace_end(struct xctx *x, int64_t t,
		      const struct swt_session_end *e)
{
	int64_t ts = rel(x, t);
	struct swt_export__item it;

	if (!in_window(x, ts))
		return;
	x->session_used = true;
	item_init(&it, ts, SWT_EXPORT__INSTANT, "session end", "session",
		  SESSION_PID, SESSION_PID, uuid_of(U_SESSION, 0));
	it.global = true;
	arg_str(&it, "reason", swt_end_reason_name(e->reason));
	if (e->has_status) {
		arg_int(&it, "exit_code", e->exit_code);
		arg_int(&it, "signal", e->signal);
	}
	emit(x, &it);
}

/* Spans still open when the reading ended: closed at the last time read
 * (the window's end if earlier), innermost first, thread by thread in the
 * order the threads appeared. */
static void close_open_spans(struct xctx *x)
{
	int64_t te = x->have_last ? rel(x, x->t_last) : 0;
	size_t i;

	for (i = 0; i < x->n_threads; i++) {
		struct xthread *t = &x->threads[i];

		x->st.spans_closed += t->depth;
		while (t->depth > 0)
			pop_span(x, t, te);
	}
}

static int cmp_ev(const void *a, const void *b)
{
	const struct xev *ea = a, *eb = b;

	if (ea->ts != eb->ts)
		return ea->ts < eb->ts ? -1 : 1;
	return ea->seq < eb->seq ? -1 : ea->seq > eb->seq;
}

static int cmp_thread(const void *a, const void *b)
{
	const struct xthread *ta = a, *tb = b;

	if (ta->pid != tb->pid)
		return ta->pid < tb->pid ? -1 : 1;
	return ta->tid < tb->tid ? -1 : ta->tid > tb->tid;
}

static int cmp_proc(const void *a, const void *b)
{
	const struct xproc *pa = a, *pb = b;

	return pa->pid < pb->pid ? -1 : pa->pid > pb->pid;
}

/* swt_count() counters by pid, then name (bytes). */
static int cmp_count(const void *a, const void *b)
{
	const struct xcount *ca = a, *cb = b;

	if (ca->pid != cb->pid)
		return ca->pid < cb->pid ? -1 : 1;
	return strcmp(ca->name, cb->name);
}

static struct swt_export__track *add_track(struct xctx *x,
					   enum swt_export__track_kind kind,
					   uint64_t uuid, uint64_t parent,
					   int32_t pid, int32_t tid,
					   const char *name,
					   const char *cmdline)
{
	struct swt_export__track *t;

	x->tracks = swt_grow(x->tracks, &x->cap_tracks, x->n_tracks + 1,
			     sizeof(*x->tracks));
	t = &x->tracks[x->n_tracks++];
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->uuid = uuid;
	t->parent_uuid = parent;
	t->pid = pid;
	t->tid = tid;
	t->name = swt_strdup(name);
	t->cmdline = cmdline ? swt_strdup(cmdline) : NULL;
	return t;
}

/* The tracks with something in the trace, in their output order (see
 * struct swt_export__trace). Sorts the process, thread and counter tables
 * (their maps are not used after this). */
static void list_tracks(struct xctx *x)
{
	uint64_t session = uuid_of(U_SESSION, 0);
	size_t i, j = 0, k = 0;
	char tmp[32];

	if (x->session_used)
		add_track(x, SWT_EXPORT__TRACK_SESSION, session, 0,
			  SESSION_PID, SESSION_PID, "session",
			  x->session_cmd ? x->session_cmd : "");
	if (x->session_cpu_used)
		add_track(x, SWT_EXPORT__TRACK_COUNTER,
			  uuid_of(U_SESSION_CPU, 0), session, SESSION_PID,
			  SESSION_PID, "CPU %", NULL);
	if (x->session_rss_used)
		add_track(x, SWT_EXPORT__TRACK_COUNTER,
			  uuid_of(U_SESSION_RSS, 0), session, SESSION_PID,
			  SESSION_PID, "RSS MB", NULL);
	/* the modules' counters, by the engine's id (the order it first
	 * named them) */
	for (i = 0; i < x->n_mods; i++) {
		const struct xmod *m = &x->mods[i];
		char *nm;

		if (!m->cpu_used && !m->rss_used)
			continue;
		nm = swt_zalloc(strlen(m->label) + 8);
		if (m->cpu_used) {
			sprintf(nm, "CPU %% %s", m->label);
			add_track(x, SWT_EXPORT__TRACK_COUNTER,
				  uuid_of(U_MOD_CPU, i + 1), session,
				  SESSION_PID, SESSION_PID, nm, NULL);
		}
		if (m->rss_used) {
			sprintf(nm, "RSS MB %s", m->label);
			add_track(x, SWT_EXPORT__TRACK_COUNTER,
				  uuid_of(U_MOD_RSS, i + 1), session,
				  SESSION_PID, SESSION_PID, nm, NULL);
		}
		free(nm);
	}
	if (x->n_procs)
		qsort(x->procs, x->n_procs, sizeof(*x->procs), cmp_proc);
	if (x->n_threads)
		qsort(x->threads, x->n_threads, sizeof(*x->threads),
		      cmp_thread);
	if (x->n_counts)
		qsort(x->counts, x->n_counts, sizeof(*x->counts), cmp_count);
	for (i = 0; i < x->n_procs; i++) {
		const struct xproc *p = &x->procs[i];
		const char *pname = proc_name(p, tmp, sizeof(tmp));

		if (p->used)
			add_track(x, SWT_EXPORT__TRACK_PROCESS, p->uuid, 0,
				  p->pid, p->pid, pname, p->cmdline);
		if (p->cpu_used)
			add_track(x, SWT_EXPORT__TRACK_COUNTER,
				  uuid_of(U_PROC_CPU, p->idx), p->uuid, p->pid,
				  p->pid, "CPU %", NULL);
		if (p->rss_used)
			add_track(x, SWT_EXPORT__TRACK_COUNTER,
				  uuid_of(U_PROC_RSS, p->idx), p->uuid, p->pid,
				  p->pid, "RSS MB", NULL);
		for (; k < x->n_counts && x->counts[k].pid <= p->pid; k++) {
			const struct xcount *c = &x->counts[k];

			if (c->used && c->pid == p->pid)
				add_track(x, SWT_EXPORT__TRACK_COUNTER,
					  c->uuid, p->uuid, p->pid, p->pid,
					  c->name, NULL)->integer = true;
		}
		for (; j < x->n_threads && x->threads[j].pid <= p->pid; j++) {
			const struct xthread *t = &x->threads[j];
			const char *tname = t->name;

			if (!t->used || t->pid != p->pid)
				continue;
			if (!tname && t->tid == t->pid) {
				tname = proc_name(p, tmp, sizeof(tmp));
			} else if (!tname) {
				snprintf(tmp, sizeof(tmp), "%d", (int)t->tid);
				tname = tmp;
			}
			add_track(x, SWT_EXPORT__TRACK_THREAD, t->uuid,
				  p->uuid, t->pid, t->tid, tname, NULL);
		}
	}
}

int swt_export__trace_read(struct swt_export__trace *out,
			   struct swt_reader *r,
			   const struct swt_export_opts *o,
			   swt_export__emit_fn emit_fn, void *payload,
			   char *errmsg, size_t errlen)
{
	static const struct swt_export_opts none = { INT64_MIN, INT64_MAX };
	const struct swt_record *rec;
	struct xctx *x = swt_zalloc(sizeof(*x));
	size_t i;
	int err;

	memset(out, 0, sizeof(*out));
	xctx_init(x, o ? o : &none);
	x->emit = emit_fn;
	x->payload = payload;
	out->priv = x;
	eng_start(x, r, false);
	while ((err = swt_dump_next(r, &rec)) == 0) {
		eng_feed(x, r, rec);
		if (!set_origin(x, rec))
			continue;
		switch (rec->kind) {
		case SWT_REC_PROC_START:
			trace_proc_start(x, rec->t_ns, &rec->u.proc_start);
			break;
		case SWT_REC_PROC_EXIT:
			trace_proc_exit(x, rec->t_ns, &rec->u.proc_exit);
			break;
		case SWT_REC_SAMPLE:
			trace_sample(x, rec->t_ns, &rec->u.sample);
			break;
		case SWT_REC_EVENTS:
			trace_events(x, &rec->u.events);
			break;
		case SWT_REC_ALERT:
			trace_alert(x, rec->t_ns, &rec->u.alert);
			break;
		case SWT_REC_END:
			trace_end(x, rec->t_ns, &rec->u.end);
			break;
		default:
			break;
		}
	}
	if (err != SWT_ITEROVER) {
		swt_export__set_msg(errmsg, errlen, "", swt_reader_errmsg(r));
		goto out;
	}
	err = 0;
	eng_finish(x);
	module_zeros(x);
	close_open_spans(x);
	if (x->n_ev)
		qsort(x->ev, x->n_ev, sizeof(*x->ev), cmp_ev);
	x->sorted = swt_calloc(x->n_ev ? x->n_ev : 1, sizeof(*x->sorted));
	for (i = 0; i < x->n_ev; i++) {
		x->sorted[i].ts = x->ev[i].ts;
		x->sorted[i].off = x->ev[i].off;
		x->sorted[i].len = x->ev[i].len;
	}
	list_tracks(x);
	out->text = x->text.ptr ? x->text.ptr : "";
	out->events = x->sorted;
	out->n_events = x->n_ev;
	out->tracks = x->tracks;
	out->n_tracks = x->n_tracks;
out:
	out->command = x->session_cmd ? x->session_cmd : "";
	out->stats = x->st;
	return err;
}

void swt_export__trace_fini(struct swt_export__trace *t)
{
	struct xctx *x = t->priv;

	if (x) {
		xctx_fini(x);
		free(x);
	}
	memset(t, 0, sizeof(*t));
}

/* ---- Trace Event Format --------------------------------------------------- */

static const char *const json_ph[] = {
	[SWT_EXPORT__BEGIN] = "B",
	[SWT_EXPORT__END] = "E",
	[SWT_EXPORT__COUNTER] = "C",
	[SWT_EXPORT__INSTANT] = "i",
};

/* One trace event: its common members in a fixed order, then "s" for
 * instants and "args". */
static void json_emit(struct swt_buf *out, const struct swt_export__item *it,
		      void *payload)
{
	struct swt_json w;
	size_t i;

	(void)payload;
	swt_json_init(&w, out, false);
	swt_json_begin_object(&w, NULL);
	swt_json_str(&w, "name", it->name);
	swt_json_str(&w, "cat", it->cat);
	swt_json_str(&w, "ph", json_ph[it->phase]);
	/* µs with the file's ns kept as three decimals */
	swt_json_fixed(&w, "ts", it->ts, 3, 3);
	swt_json_i64(&w, "pid", it->pid);
	swt_json_i64(&w, "tid", it->tid);
	if (it->phase == SWT_EXPORT__INSTANT)
		swt_json_str(&w, "s", it->global ? "g" : "p");
	if (it->phase == SWT_EXPORT__COUNTER) {
		swt_json_begin_object(&w, "args");
		swt_json_fixed(&w, "value", it->value, it->scale,
			       it->decimals);
		swt_json_end_object(&w);
	} else if (it->has_args) {
		swt_json_begin_object(&w, "args");
		for (i = 0; i < it->n_args; i++) {
			const struct swt_export__arg *a = &it->args[i];

			switch (a->kind) {
			case SWT_EXPORT__ARG_STR:
				swt_json_str(&w, a->key, a->s);
				break;
			case SWT_EXPORT__ARG_INT:
				swt_json_i64(&w, a->key, a->v);
				break;
			case SWT_EXPORT__ARG_BOOL:
				swt_json_bool(&w, a->key, a->b);
				break;
			case SWT_EXPORT__ARG_FIXED:
				swt_json_fixed(&w, a->key, a->v, a->scale,
					       a->decimals);
				break;
			}
		}
		swt_json_end_object(&w);
	}
	swt_json_end_object(&w);
}

static void meta(struct swt_buf *b, const char *what, int32_t pid,
		 int32_t tid, const char *name, const char *cmdline)
{
	struct swt_json w;

	swt_json_init(&w, b, false);
	swt_json_begin_object(&w, NULL);
	swt_json_str(&w, "name", what);
	swt_json_str(&w, "ph", "M");
	swt_json_i64(&w, "ts", 0);
	swt_json_i64(&w, "pid", pid);
	swt_json_i64(&w, "tid", tid);
	swt_json_begin_object(&w, "args");
	swt_json_str(&w, "name", name);
	if (cmdline)
		swt_json_str(&w, "cmdline", cmdline);
	swt_json_end_object(&w);
	swt_json_end_object(&w);
	swt_buf_puts(b, ",\n");
}

/* The metadata: a process_name for the session and every process, a
 * thread_name for every thread, in the tracks' order (the counters are
 * named by their events). */
static void json_metadata(const struct swt_export__trace *t,
			  struct swt_buf *b)
{
	size_t i;

	for (i = 0; i < t->n_tracks; i++) {
		const struct swt_export__track *k = &t->tracks[i];

		switch (k->kind) {
		case SWT_EXPORT__TRACK_SESSION:
		case SWT_EXPORT__TRACK_PROCESS:
			meta(b, "process_name", k->pid, k->pid, k->name,
			     k->cmdline ? k->cmdline : "");
			break;
		case SWT_EXPORT__TRACK_THREAD:
			meta(b, "thread_name", k->pid, k->tid, k->name, NULL);
			break;
		case SWT_EXPORT__TRACK_COUNTER:
			break;
		}
	}
}

int swt_export_chrome_json(struct swt_reader *r,
			   const struct swt_export_opts *o, FILE *fp,
			   struct swt_export_stats *stats, char *errmsg,
			   size_t errlen)
{
	struct swt_export__trace t;
	struct swt_buf b = SWT_BUF_INIT;
	size_t i;
	int err;

	SWT_TRY(err = swt_export__trace_read(&t, r, o, json_emit, NULL,
					     errmsg, errlen));
	swt_buf_puts(&b, "{\"traceEvents\":[\n");
	json_metadata(&t, &b);
	for (i = 0; i < t.n_events; i++) {
		swt_buf_add(&b, t.text + t.events[i].off, t.events[i].len);
		if (i + 1 < t.n_events)
			swt_buf_puts(&b, ",\n");
		if (b.len >= FLUSH_BYTES)
			SWT_TRY(err = swt_export__write_buf(fp, &b, errmsg,
							    errlen));
	}
	/* metadata end with ",\n": with no other event, drop the comma */
	if (t.n_events == 0 && b.len >= 2 && b.ptr[b.len - 2] == ',') {
		b.len -= 2;
		b.ptr[b.len] = '\0';
	}
	swt_buf_puts(&b, "\n],\n\"displayTimeUnit\":\"ms\",\n\"otherData\":");
	{
		struct swt_json w;

		swt_json_init(&w, &b, false);
		swt_json_begin_object(&w, NULL);
		swt_json_str(&w, "source", "swt");
		swt_json_str(&w, "command", t.command);
		swt_json_end_object(&w);
	}
	swt_buf_puts(&b, "}\n");
	SWT_TRY(err = swt_export__write_buf(fp, &b, errmsg, errlen));
	err = swt_export__finish_output(fp, errmsg, errlen);
out:
	if (stats)
		*stats = t.stats;
	swt_buf_fini(&b);
	swt_export__trace_fini(&t);
	return err;
}

/* ---- CSV ------------------------------------------------------------------ */

static const char csv_header[] =
	"t_s,kind,name,pid,tid,process,cpu_percent,rss_mb,threads,"
	"io_read_mb,io_write_mb,module_kind\n";


/* ",value" or "," for none (v < 0 when has is false). */
static void csv_fixed(struct swt_buf *b, bool has, int64_t v, unsigned scale)
{
	swt_buf_putc(b, ',');
	if (has)
		swt_buf_fixed(b, v, scale, scale);
}

static void csv_int(struct swt_buf *b, bool has, int64_t v)
{
	swt_buf_putc(b, ',');
	if (has)
		swt_buf_i64(b, v);
}

/* The I/O of a row in the interval since the process's previous row with
 * readings (MB each way, thousandths), when both are readings. */
static bool io_delta(struct xproc *p, const struct swt_proc_row *row,
		     int64_t *rd, int64_t *wr)
{
	bool ok = false;
	int64_t dr, dw;

	if (row->flags & (SWT_PF_IO_UNAVAILABLE | SWT_PF_IO_NOT_SAMPLED))
		return false;	/* nothing read: the base stays */
	if (p->has_io_base && swt_sub_ok(&dr, row->io_read, p->io_read) &&
	    swt_sub_ok(&dw, row->io_write, p->io_write) && dr >= 0 &&
	    dw >= 0) {
		*rd = bytes_mmb(dr);
		*wr = bytes_mmb(dw);
		ok = true;
	}
	p->has_io_base = true;
	p->io_read = row->io_read;
	p->io_write = row->io_write;
	return ok;
}

/* A new block for the sample at t (the last of the queue). */
static struct csv_block *csv_block_new(struct xctx *x, int64_t t,
				       bool inside)
{
	struct csv_block *b;

	x->blocks = swt_grow(x->blocks, &x->cap_blocks, x->n_blocks + 1,
			     sizeof(*x->blocks));
	b = &x->blocks[x->n_blocks++];
	memset(b, 0, sizeof(*b));
	b->t = t;
	b->inside = inside;
	swt_imap_init(&b->mod_map);
	return b;
}

/* A module's row: t_s, "module", its name, no pid or tid, its process,
 * CPU %, RSS MB, no threads or I/O, its kind (swt_kind_name()). */
static void csv_mod_row(struct swt_buf *o, int64_t ts,
			const struct csv_mod *m)
{
	swt_buf_fixed(o, ts, 9, 3);
	swt_buf_puts(o, ",module,");
	swt_buf_csv_cell(o, m->name);
	swt_buf_puts(o, ",,,");
	swt_buf_csv_cell(o, m->process);
	csv_fixed(o, m->has_cpu, m->cpu_centi, 2);
	csv_fixed(o, m->has_mem, kib_mmb(m->mem_kib), 3);
	swt_buf_puts(o, ",,,,");
	swt_buf_csv_cell(o, m->kind);
	swt_buf_putc(o, '\n');
}

/* Write the first n blocks out: the tree row, the process and thread
 * rows, the module rows (in the order the engine named them). */
static void csv_flush(struct xctx *x, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		struct csv_block *b = &x->blocks[i];
		int64_t ts = rel(x, b->t);

		if (b->inside && b->tree) {
			swt_buf_fixed(&x->out, ts, 9, 3);
			swt_buf_puts(&x->out, ",tree,session,,,");
			csv_fixed(&x->out, b->has_cpu, b->cpu_centi, 2);
			csv_fixed(&x->out, true, kib_mmb(b->rss_kib), 3);
			csv_int(&x->out, true, b->threads);
			csv_fixed(&x->out, b->any_io, b->rd, 3);
			csv_fixed(&x->out, b->any_io, b->wr, 3);
			swt_buf_puts(&x->out, ",\n");
			x->st.items++;
		}
		if (b->inside) {
			swt_buf_add(&x->out, b->rows.ptr ? b->rows.ptr : "",
				    b->rows.len);
			for (j = 0; j < b->n_mods; j++) {
				csv_mod_row(&x->out, ts, &b->mods[j]);
				x->st.items++;
			}
		}
		csv_block_fini(b);
	}
	memmove(x->blocks, x->blocks + n, (x->n_blocks - n) * sizeof(*x->blocks));
	x->n_blocks -= n;
}

/* A figure of the engine (on_usage) into the block of its sample. A
 * figure for a sample already written (a revised interval, rare) is a
 * row of its own now, with the sample's time: it replaces the earlier
 * one (docs/exports.md § csv). */
static void csv_point(struct xctx *x, const struct swt_usage_point *p)
{
	struct csv_block *b = NULL;
	struct csv_mod *m, late;
	uint32_t k;
	size_t i;

	for (i = x->n_blocks; i-- > 0;)
		if (rel(x, x->blocks[i].t) == p->t_to_ns) {
			b = &x->blocks[i];
			break;
		}
	if (p->id == 0) {
		if (b && p->has_cpu) {
			b->has_cpu = true;
			b->cpu_centi = mpct_centi(p->cpu_mpct);
			b->tree = true;
		}
		return;
	}
	if (!b) {
		if (!in_window(x, p->t_to_ns))
			return;
		memset(&late, 0, sizeof(late));
		late.kind = swt_strdup(swt_kind_name(p->subj->kind));
		late.name = swt_strdup(p->subj->name);
		late.process = swt_strdup(p->subj->process);
		late.has_cpu = p->has_cpu && !p->cpu_estimated;
		late.cpu_centi = mpct_centi(p->cpu_mpct);
		late.has_mem = !p->has_cpu;
		late.mem_kib = p->mem_kib;
		csv_mod_row(&x->out, p->t_to_ns, &late);
		x->st.items++;
		free(late.kind);
		free(late.name);
		free(late.process);
		return;
	}
	k = swt_imap_get(&b->mod_map, p->id);
	if (k == SWT_MAP_NONE) {
		b->mods = swt_grow(b->mods, &b->cap_mods, b->n_mods + 1,
				   sizeof(*b->mods));
		k = (uint32_t)b->n_mods++;
		m = &b->mods[k];
		memset(m, 0, sizeof(*m));
		m->id = p->id;
		m->kind = swt_strdup(swt_kind_name(p->subj->kind));
		m->name = swt_strdup(p->subj->name);
		m->process = swt_strdup(p->subj->process);
		swt_imap_put(&b->mod_map, p->id, k);
	}
	m = &b->mods[k];
	if (p->has_cpu) {
		m->has_cpu = !p->cpu_estimated;
		m->cpu_centi = mpct_centi(p->cpu_mpct);
	} else {
		m->has_mem = true;
		m->mem_kib = p->mem_kib;
	}
}

static void csv_sample(struct xctx *x, int64_t t, const struct swt_sample *s)
{
	int64_t ts = rel(x, t);
	bool inside = in_window(x, ts);
	struct csv_block *blk = csv_block_new(x, t, inside);
	struct swt_buf *rows = &blk->rows;
	char tmp[32];
	size_t i;

	for (i = 0; i < s->n_procs; i++) {
		const struct swt_proc_row *row = &s->procs[i];
		struct xproc *p = get_proc(x, row->pid);
		int64_t ticks = swt_sat_add(row->utime, row->stime);
		int64_t cpu = cpu_centi(x, p->has_base, p->base_t,
					p->base_ticks, t, ticks);
		int64_t rd = 0, wr = 0;
		bool io = io_delta(p, row, &rd, &wr);
		const char *name = proc_name(p, tmp, sizeof(tmp));

		p->has_base = true;
		p->base_t = t;
		p->base_ticks = ticks;
		if (!inside)
			continue;
		swt_buf_fixed(rows, ts, 9, 3);
		swt_buf_puts(rows, ",process,");
		swt_buf_csv_cell(rows, name);
		swt_buf_printf(rows, ",%d,,", (int)row->pid);
		swt_buf_csv_cell(rows, name);
		csv_fixed(rows, cpu >= 0, cpu, 2);
		csv_fixed(rows, true, kib_mmb(row->rss_kib), 3);
		csv_int(rows, true, row->nthreads);
		csv_fixed(rows, io, rd, 3);
		csv_fixed(rows, io, wr, 3);
		swt_buf_puts(rows, ",\n");
		x->st.items++;
		blk->rss_kib = swt_sat_add(blk->rss_kib, row->rss_kib);
		blk->threads = swt_sat_add(blk->threads, row->nthreads);
		if (io) {
			blk->rd = swt_sat_add(blk->rd, rd);
			blk->wr = swt_sat_add(blk->wr, wr);
			blk->any_io = true;
		}
	}
	for (i = 0; i < s->n_threads; i++) {
		const struct swt_thread_row *tr = &s->threads[i];
		struct xthread *th = get_thread(x, tr->tgid, tr->tid);
		struct xproc *p = get_proc(x, tr->tgid);
		int64_t ticks = swt_sat_add(tr->utime, tr->stime);
		int64_t cpu = cpu_centi(x, th->has_base &&
					th->base_gen == p->gen,
					th->base_t, th->base_ticks, t, ticks);
		char *tname;

		th->has_base = true;
		th->base_gen = p->gen;
		th->base_t = t;
		th->base_ticks = ticks;
		if (!inside)
			continue;
		tname = swt_display_bytes(tr->name ? tr->name : "",
					  tr->name ? strlen(tr->name) : 0);
		swt_buf_fixed(rows, ts, 9, 3);
		swt_buf_puts(rows, ",thread,");
		swt_buf_csv_cell(rows, tname);
		swt_buf_printf(rows, ",%d,%d,", (int)tr->tgid, (int)tr->tid);
		swt_buf_csv_cell(rows, proc_name(p, tmp, sizeof(tmp)));
		csv_fixed(rows, cpu >= 0, cpu, 2);
		swt_buf_puts(rows, ",,,,,\n");
		x->st.items++;
		free(tname);
	}
	blk->tree = s->n_procs > 0;
}

int swt_export_csv(struct swt_reader *r, const struct swt_export_opts *o,
		   FILE *fp, struct swt_export_stats *stats, char *errmsg,
		   size_t errlen)
{
	struct swt_export_opts none;
	const struct swt_record *rec;
	struct xctx x;
	int err;

	if (!o) {
		swt_export_opts_init(&none);
		o = &none;
	}
	xctx_init(&x, o);
	eng_start(&x, r, true);
	swt_buf_puts(&x.out, csv_header);
	while ((err = swt_dump_next(r, &rec)) == 0) {
		bool origin = set_origin(&x, rec);

		/* (the sample's block first: the engine's figures for it
		 * come while it is fed) */
		if (origin && rec->kind == SWT_REC_SAMPLE)
			csv_sample(&x, rec->t_ns, &rec->u.sample);
		x.ses_told = false;
		eng_feed(&x, r, rec);
		/* a new interval of the tree: the figures of the earlier
		 * samples are final (swt_engine_opts.on_usage) */
		if (x.eng_dead)
			csv_flush(&x, x.n_blocks);
		else if (x.ses_told && x.n_blocks > 1)
			csv_flush(&x, x.n_blocks - 1);
		if (!origin)
			continue;
		switch (rec->kind) {
		case SWT_REC_PROC_START:
			note_proc_start(&x, &rec->u.proc_start);
			break;
		case SWT_REC_PROC_EXIT:
			note_proc_exit(&x, &rec->u.proc_exit);
			break;
		default:
			break;
		}
		if (x.out.len >= FLUSH_BYTES)
			SWT_TRY(err = swt_export__write_buf(fp, &x.out, errmsg, errlen));
	}
	if (err != SWT_ITEROVER) {
		swt_export__set_msg(errmsg, errlen, "", swt_reader_errmsg(r));
		goto out;
	}
	eng_finish(&x);
	csv_flush(&x, x.n_blocks);
	SWT_TRY(err = swt_export__write_buf(fp, &x.out, errmsg, errlen));
	err = swt_export__finish_output(fp, errmsg, errlen);
out:
	if (stats)
		*stats = x.st;
	xctx_fini(&x);
	return err;
}

int swt_export_write(struct swt_reader *r, enum swt_export_format f,
		     const struct swt_export_opts *o, FILE *fp,
		     struct swt_export_stats *stats, char *errmsg,
		     size_t errlen)
{
	switch (f) {
	case SWT_EXPORT_CHROME_JSON:
		return swt_export_chrome_json(r, o, fp, stats, errmsg, errlen);
	case SWT_EXPORT_CSV:
		return swt_export_csv(r, o, fp, stats, errmsg, errlen);
	case SWT_EXPORT_PERFETTO:
		return swt_export_perfetto(r, o, fp, stats, errmsg, errlen);
	}
	swt_export__set_msg(errmsg, errlen, "unknown export format", "");
	return SWT_EINVAL;
}
