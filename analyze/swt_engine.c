/* swt_engine.c — the streaming part of the engine: feed records, keep the
 * per-process/thread/module state, raise alerts and detect spikes as the
 * samples come. docs/analysis.md explains every rule used here. */
#include "swt_engine.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swt_alloc.h"
#include "swt_buf.h"
#include "swt_engine-private.h"
#include "swt_status.h"

#define DEFAULT_MAX_FINDINGS 1000
/* Scope bits of the module map: kind in the low bits, identity above. */
#define MOD_SCOPE(kind, ident) (((uint32_t)(ident) << 2) | (uint32_t)(kind))

const char *swt_kind_name(enum swt_module_kind kind)
{
	switch (kind) {
	case SWT_KIND_MODULE:
		return "module";
	case SWT_KIND_THREAD:
		return "thread";
	case SWT_KIND_PROCESS:
		return "process";
	case SWT_KIND_SESSION:
		return "session";
	case SWT_KIND_COUNTER:
		return "counter";
	}
	return "?";
}

const char *swt_priority_name(enum swt_priority p)
{
	switch (p) {
	case SWT_PRIO_LOW:
		return "low";
	case SWT_PRIO_MEDIUM:
		return "medium";
	case SWT_PRIO_HIGH:
		return "high";
	case SWT_PRIO_CRITICAL:
		return "critical";
	}
	return "?";
}

enum swt_priority swt_priority_of_weight(int64_t weight_milli)
{
	if (weight_milli >= 800)
		return SWT_PRIO_CRITICAL;
	if (weight_milli >= 400)
		return SWT_PRIO_HIGH;
	if (weight_milli >= 200)
		return SWT_PRIO_MEDIUM;
	return SWT_PRIO_LOW;
}

const char *swt_resource_name(enum swt_resource r)
{
	switch (r) {
	case SWT_RES_CPU:
		break;
	case SWT_RES_MEMORY:
		return "memory";
	case SWT_RES_IO:
		return "io";
	case SWT_RES_NET:
		return "net";
	}
	return "cpu";
}

const char *swt_direction_name(enum swt_direction d)
{
	switch (d) {
	case SWT_DIR_INCREASING:
		return "increasing";
	case SWT_DIR_DECREASING:
		return "decreasing";
	case SWT_DIR_FLUCTUATING:
		return "fluctuating";
	case SWT_DIR_STABLE:
		break;
	}
	return "stable";
}

const char *swt_mem_attribution_name(enum swt_mem_attribution a)
{
	switch (a) {
	case SWT_MEM_NOT_APPLICABLE:
		break;
	case SWT_MEM_NO_DATA:
		return "no_data";
	case SWT_MEM_NO_GROWTH:
		return "none";
	case SWT_MEM_SHARED:
		return "shared";
	case SWT_MEM_ATTRIBUTED:
		return "attributed";
	}
	return "";
}

const char *swt_cpu_source_name(enum swt_cpu_source s)
{
	switch (s) {
	case SWT_CPU_SAMPLED:
		break;
	case SWT_CPU_MEASURED:
		return "measured";
	case SWT_CPU_ESTIMATED:
		return "estimated";
	case SWT_CPU_MIXED:
		return "mixed";
	}
	return "sampled";
}

const char *swt_bottleneck_reason_name(enum swt_bottleneck_reason r)
{
	switch (r) {
	case SWT_BN_CPU_BOUND:
		return "cpu_bound";
	case SWT_BN_SATURATED:
		return "saturated_thread";
	case SWT_BN_HEAVY:
		return "heavy_pattern";
	}
	return "?";
}

const char *swt_alert_unit(enum swt_alert_kind k)
{
	switch (k) {
	case SWT_ALERT_CPU:
		return "percent";
	case SWT_ALERT_MEMORY:
		return "MB";
	case SWT_ALERT_RATE:
		return "per_minute";
	case SWT_ALERT_IO:
	case SWT_ALERT_NET:
		return "MB/s";
	case SWT_ALERT_FORECAST:
		return "min";
	}
	return "?";
}

const char *swt_resource_unit(enum swt_resource r)
{
	switch (r) {
	case SWT_RES_CPU:
		break;
	case SWT_RES_MEMORY:
		return "MB";
	case SWT_RES_IO:
	case SWT_RES_NET:
		return "MB/s";
	}
	return "percent";
}

const char *swt_alert_kind_name(enum swt_alert_kind k)
{
	switch (k) {
	case SWT_ALERT_CPU:
		return "cpu";
	case SWT_ALERT_MEMORY:
		return "memory";
	case SWT_ALERT_RATE:
		return "rate";
	case SWT_ALERT_IO:
		return "io";
	case SWT_ALERT_NET:
		return "net";
	case SWT_ALERT_FORECAST:
		return "forecast";
	}
	return "?";
}

static void set_err(struct swt_engine *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_err(struct swt_engine *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->errmsg, sizeof(e->errmsg), fmt, ap);
	va_end(ap);
}

const char *swt_engine_errmsg(const struct swt_engine *e)
{
	return e->errmsg;
}

/* ---- history rings ---------------------------------------------------- */

static void hist_init(struct engine__hist *h, size_t cap)
{
	h->v = swt_calloc(cap, sizeof(*h->v));
	h->cap = cap;
	h->n = h->head = 0;
	h->sum = 0;
}

/* The mean of the history, rounded half away from zero (the mean of int64
 * values is an int64 even when their sum is not). */
static int64_t hist_mean(const struct engine__hist *h)
{
	swt_i128 n = (swt_i128)h->n, q, r;

	/* the same quotient and remainder in 64 bits when the sum fits
	 * (always, but for absurd values): a 128-bit division is a call */
	if (h->sum >= INT64_MIN && h->sum <= INT64_MAX && h->n <= INT64_MAX)
		return swt_div_round((int64_t)h->sum, (int64_t)h->n);
	q = h->sum / n;
	r = h->sum % n;

	if (r < 0)
		r = -r;
	if (r >= n - r)
		q += h->sum < 0 ? -1 : 1;
	return (int64_t)q;
}

static void hist_push(struct engine__hist *h, int64_t v)
{
	if (h->n == h->cap)
		h->sum -= h->v[h->head];
	else
		h->n++;
	h->v[h->head] = v;
	h->sum += v;
	if (++h->head == h->cap)
		h->head = 0;
}

/* ---- modules ------------------------------------------------------------ */

static void module_setup(struct swt_engine *e, struct engine__module *m,
			 enum swt_module_kind kind, uint32_t ident,
			 const char *name)
{
	size_t h = (size_t)e->th.v[SWT_TH_HISTORY_SAMPLES];

	memset(m, 0, sizeof(*m));
	m->kind = kind;
	m->ident = ident;
	m->name = swt_strdup(name);
	m->first_seq = e->seq;
	if (kind == SWT_KIND_PROCESS || kind == SWT_KIND_SESSION) {
		m->mem_series = swt_zalloc(sizeof(*m->mem_series));
		swt_series_init(m->mem_series);
	}
	if (kind == SWT_KIND_PROCESS || kind == SWT_KIND_SESSION) {
		hist_init(&m->hist[SWT_RES_CPU], h);
		hist_init(&m->hist[SWT_RES_MEMORY], h);
		hist_init(&m->hist[SWT_RES_IO], h);
		hist_init(&m->hist[SWT_RES_NET], h);
	}
	if (kind == SWT_KIND_SESSION) {
		m->cpu_series = swt_zalloc(sizeof(*m->cpu_series));
		swt_series_init(m->cpu_series);
	}
}

static void module_fini(struct engine__module *m)
{
	free(m->name);
	free(m->mem_series);
	free(m->cpu_series);
	swt_slopes_free(m->mem_slopes);
	swt_slopes_free(m->cpu_slopes);
	free(m->usage);
	free(m->hist[SWT_RES_CPU].v);
	free(m->hist[SWT_RES_MEMORY].v);
	free(m->hist[SWT_RES_IO].v);
	free(m->hist[SWT_RES_NET].v);
}

static uint32_t module_get(struct swt_engine *e, enum swt_module_kind kind,
			   uint32_t ident, const char *name)
{
	uint32_t scope = MOD_SCOPE(kind, ident), idx;
	size_t len = strlen(name);

	idx = swt_smap_get(&e->mod_map, scope, name, len);
	if (idx != SWT_MAP_NONE)
		return idx;
	e->mods = swt_grow(e->mods, &e->cap_mods, e->n_mods + 1,
			   sizeof(*e->mods));
	idx = (uint32_t)e->n_mods++;
	module_setup(e, &e->mods[idx], kind, ident, name);
	swt_smap_put(&e->mod_map, scope, name, len, idx);
	return idx;
}

/* First use of m in the current sample: reset the per-sample values and
 * remember m so that the end of the sample visits it. */
static inline void bytes_touch(struct engine__module *m)
{
	int k;

	for (k = 0; k < BY_N; k++) {
		m->by[k].cur = 0;
		m->by[k].cur_has = false;
		memset(m->by[k].cur_socks, 0, sizeof(m->by[k].cur_socks));
	}
}

static void __attribute__((noinline))
touch_first(struct swt_engine *e, uint32_t idx)
{
	struct engine__module *m = &e->mods[idx];

	m->stamp = e->seq;
	m->cur_ticks_micro = 0;
	m->cur_obs_ns = 0;
	m->cur_rss_kib = 0;
	m->cur_mem = false;
	m->cur_sat = false;
	m->cur_mem_gen = 0;
	m->cur_mpct = 0;
	m->cur_mmb = 0;
	/* (most modules have no bytes: their pairs' lines are left alone) */
	if (m->cur_by) {
		bytes_touch(m);
		m->cur_by = false;
	}
	e->touched = swt_grow(e->touched, &e->cap_touched, e->n_touched + 1,
			      sizeof(*e->touched));
	e->touched[e->n_touched++] = idx;
}

/* Module idx takes part in the current sample: its values of the last
 * one are cleared the first time. */
static inline void touch(struct swt_engine *e, uint32_t idx)
{
	if (e->mods[idx].stamp != e->seq)
		touch_first(e, idx);
}

void engine__subject(const struct swt_engine *e,
		     const struct engine__module *m, struct swt_subject *out)
{
	out->kind = m->kind;
	out->name = m->name;
	if (m->ident == SWT_MAP_NONE) {
		out->process = "";
		out->command = "";
		out->group = "";
	} else {
		const struct engine__ident *id = &e->idents[m->ident];

		out->process = id->comm;
		out->command = id->n_variants > 1 ? id->group_command :
						    id->command;
		if (id->by_rule || e->th.group_by == SWT_GROUP_COMM)
			out->group = "";
		else if (e->th.group_by == SWT_GROUP_CMDLINE)
			out->group = id->command;
		else
			out->group = id->prog_key[0] ? id->program : "";
	}
}

/* ---- identities ---------------------------------------------------------- */

/* The display form of a name: control bytes and bytes that are not UTF-8
 * become '?', so every report shows one line of valid text; NUL bytes
 * (argv separators) become spaces. */
static char *display_bytes(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	char *out = swt_zalloc(len + 1);
	size_t i = 0, n;

	while (i < len) {
		if (u[i] == 0) {
			out[i++] = ' ';
		} else if (u[i] < 0x20 || u[i] == 0x7f) {
			out[i++] = '?';
		} else if ((n = swt_utf8_seq_len(u + i, len - i)) == 0) {
			out[i++] = '?';
		} else {
			memcpy(out + i, s + i, n);
			i += n;
		}
	}
	return out;
}

char *swt_display_bytes(const char *s, size_t len)
{
	return display_bytes(s ? s : "", s ? len : 0);
}

static char *display_command(const char *cmdline, size_t len)
{
	while (len && cmdline[len - 1] == '\0')
		len--;
	return display_bytes(cmdline ? cmdline : "", len);
}

static char *display_name(const char *name)
{
	return display_bytes(name ? name : "", name ? strlen(name) : 0);
}

static bool needs_display(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, n, len = strlen(s);

	for (i = 0; i < len; i += n) {
		if (u[i] < 0x20 || u[i] == 0x7f)
			return true;
		n = swt_utf8_seq_len(u + i, len - i);
		if (n == 0)
			return true;
	}
	return false;
}

/* name itself, or its display form (control bytes as '?') in e->namebuf:
 * modules are keyed by the display form, so that a name is compared the way
 * it is shown. Valid until the next call. */
static const char *clean_name(struct swt_engine *e, const char *name)
{
	char *d;

	if (!name)
		return "";
	if (!needs_display(name))
		return name;
	d = display_name(name);
	swt_buf_clear(&e->namebuf);
	swt_buf_puts(&e->namebuf, d);
	free(d);
	return e->namebuf.ptr;
}

/* The program a process runs, for grouping: its exe path without the
 * " (deleted)" the kernel appends when the file was replaced (a rebuilt
 * binary is the same program), else argv[0], else "". Points into exe or
 * cmdline; *len gets the length. */
static const char *program_of(const char *exe, const char *cmdline,
			      size_t cmdline_len, size_t *len)
{
	static const char deleted[] = " (deleted)";
	size_t n;

	if (exe && *exe) {
		n = strlen(exe);
		if (n > sizeof(deleted) - 1 &&
		    strcmp(exe + n - (sizeof(deleted) - 1), deleted) == 0)
			n -= sizeof(deleted) - 1;
		*len = n;
		return exe;
	}
	if (!cmdline)
		cmdline = "";
	n = 0;
	while (n < cmdline_len && cmdline[n])
		n++;
	*len = n;
	return cmdline;
}

/* Linux cuts a process's or thread's name (comm) to 15 bytes: a thread
 * named after the module it runs, "database_manager", reads
 * "database_manage"; a program swt-bench-mkfixture, "swt-bench-mkfix". */
#define COMM_MAX 15

/* The name a process module shows for comm: comm, or where comm has the
 * full COMM_MAX bytes and starts the base name of the process's program
 * (prog, program_of()) or of one of its first three arguments (a script:
 * "unattended-upgr" of `python3 /usr/bin/unattended-upgrade`), longer,
 * that base name. Into *len; points into comm, prog or cmdline. */
static const char *full_name(const char *comm, const char *prog,
			     size_t prog_len, const char *cmdline,
			     size_t cmdline_len, size_t *len)
{
	const char *cand[4];
	size_t cand_len[4], n = 0, i, a, k;

	*len = strlen(comm);
	if (*len != COMM_MAX)
		return comm;
	cand[n] = prog;
	cand_len[n++] = prog_len;
	for (i = 0, a = 0; cmdline && i < cmdline_len && a < 3; a++) {
		for (k = i; k < cmdline_len && cmdline[k]; k++)
			;
		cand[n] = cmdline + i;
		cand_len[n++] = k - i;
		i = k + 1;
	}
	for (i = 0; i < n; i++) {
		const char *b = cand[i], *slash;
		size_t bl = cand_len[i];

		slash = bl ? memrchr(b, '/', bl) : NULL;
		if (slash) {
			bl -= (size_t)(slash + 1 - b);
			b = slash + 1;
		}
		if (bl > COMM_MAX && memcmp(b, comm, COMM_MAX) == 0 &&
		    !memchr(b, '\0', bl)) {
			*len = bl;
			return b;
		}
	}
	return comm;
}

/* The identity (process module) of a process: by the first
 * group_patterns rule its command line matches, else by group_by
 * (docs/analysis.md § Process modules). `command` is the display form of
 * its command line. */
static uint32_t ident_get(struct swt_engine *e, const char *comm,
			  const char *cmdline, size_t cmdline_len,
			  const char *exe, const char *command)
{
	struct swt_buf key = SWT_BUF_INIT;
	struct engine__ident *id;
	const char *rule, *prog;
	size_t prog_len;
	uint32_t idx, primary = SWT_MAP_NONE;

	if (!comm)
		comm = "";
	prog = program_of(exe, cmdline, cmdline_len, &prog_len);
	rule = swt_thresholds_group_match(&e->th, *command ? command : comm);
	/* comm and rule names never contain NUL: the keys are unambiguous,
	 * and their first byte keeps the kinds apart */
	if (rule) {
		swt_buf_add(&key, "g", 1);
		swt_buf_add(&key, rule, strlen(rule) + 1);
	} else {
		swt_buf_add(&key, "p", 1);
		swt_buf_add(&key, comm, strlen(comm) + 1);
		if (e->th.group_by == SWT_GROUP_CMDLINE && cmdline_len)
			swt_buf_add(&key, cmdline, cmdline_len);
	}
	if (!rule && e->th.group_by == SWT_GROUP_EXE) {
		/* By comm and program. A process whose program is unknown
		 * (read inside an exec, or as a zombie) joins the first
		 * module of its comm (its primary), as does one whose
		 * program the primary did not know yet: only two known,
		 * different programs make two modules. */
		primary = swt_smap_get(&e->ident_map, 1, key.ptr, key.len);
		if (primary != SWT_MAP_NONE) {
			id = &e->idents[primary];
			if (!prog_len || !id->prog_key[0] ||
			    (strlen(id->prog_key) == prog_len &&
			     memcmp(id->prog_key, prog, prog_len) == 0)) {
				if (prog_len && !id->prog_key[0]) {
					free(id->prog_key);
					id->prog_key =
						swt_strndup(prog, prog_len);
					if (!id->group_command) {
						free(id->program);
						id->program = display_bytes(
							prog, prog_len);
					}
				}
				idx = primary;
				goto out;
			}
		}
		swt_buf_add(&key, prog, prog_len);
	}
	idx = swt_smap_get(&e->ident_map, 0, key.ptr, key.len);
	if (idx != SWT_MAP_NONE)
		goto out;
	e->idents = swt_grow(e->idents, &e->cap_idents, e->n_idents + 1,
			     sizeof(*e->idents));
	idx = (uint32_t)e->n_idents++;
	id = &e->idents[idx];
	memset(id, 0, sizeof(*id));
	if (rule) {
		id->comm = display_name(rule);
	} else {
		size_t nl;
		const char *nm = full_name(comm, prog, prog_len, cmdline,
					   cmdline_len, &nl);

		id->comm = display_bytes(nm, nl);
	}
	id->command = swt_strdup(command);
	id->program = prog_len ? display_bytes(prog, prog_len) :
				 display_name(comm);
	id->prog_key = swt_strndup(prog, prog_len);
	id->by_rule = rule != NULL;
	swt_smap_put(&e->ident_map, 0, key.ptr, key.len, idx);
	if (!rule && e->th.group_by == SWT_GROUP_EXE &&
	    primary == SWT_MAP_NONE)	/* the key without the program */
		swt_smap_put(&e->ident_map, 1, key.ptr,
			     key.len - prog_len, idx);
	id->proc_module = module_get(e, SWT_KIND_PROCESS, idx,
				     id->comm[0] ? id->comm : "?");
out:
	swt_buf_fini(&key);
	return idx;
}

/* The variant (command line) `command` of identity `ident`, created at
 * its first process. */
static uint32_t variant_get(struct swt_engine *e, uint32_t ident,
			    const char *command)
{
	struct engine__ident *id = &e->idents[ident];
	struct engine__variant *v;
	uint32_t idx = swt_smap_get(&e->variant_map, ident, command,
				    strlen(command));

	if (idx != SWT_MAP_NONE)
		return idx;
	e->variants = swt_grow(e->variants, &e->cap_variants,
			       e->n_variants + 1, sizeof(*e->variants));
	idx = (uint32_t)e->n_variants++;
	v = &e->variants[idx];
	memset(v, 0, sizeof(*v));
	v->ident = ident;
	v->command = swt_strdup(command);
	swt_smap_put(&e->variant_map, ident, command, strlen(command), idx);
	if (++id->n_variants == 2) {
		/* set once: subjects taken from now on keep pointing at it */
		struct swt_buf b = SWT_BUF_INIT;

		swt_buf_printf(&b, "%s (command lines vary)", id->program);
		id->group_command = swt_strdup(b.ptr);
		swt_buf_fini(&b);
	}
	return idx;
}

/* Instance idx now runs command line `command` of its identity. A
 * process whose command line was never read (one known only from its exit
 * record) is no command line of its module. */
static void inst_set_variant(struct swt_engine *e, uint32_t idx,
			     const char *command)
{
	struct engine__inst *in = &e->insts[idx];

	if (!*command) {
		in->variant = ENGINE_NO_VARIANT;
		return;
	}
	in->variant = variant_get(e, in->ident, command);
	e->variants[in->variant].processes++;
}

static uint32_t attr_col(struct swt_engine *e, uint32_t mi);
static void wake_all(struct swt_engine *e);
static void wake_inst(struct swt_engine *e, uint32_t idx);

/* An array parallel to the instances' (threads') slots, from old to cap
 * of them, the new ones zeroed (the quiet rows' small arrays). */
static void *slot_array(void *p, size_t old, size_t cap, size_t size)
{
	p = swt_reallocarray(p, cap, size);
	memset((char *)p + old * size, 0, (cap - old) * size);
	return p;
}

/* ---- process instances ----------------------------------------------- */

static void inst_drop_spans(struct swt_engine *e, struct engine__inst *in,
			    uint32_t idx, bool keep_pending)
{
	size_t i, k;

	/* what its spans burnt since the last sample still goes into the
	 * next one (attribute_spans()), when its exit said what the process
	 * burnt to its end (otherwise the tree's CPU does not have it, and
	 * a module would have more than its process) */
	for (i = 0; keep_pending && i < in->n_spans; i++)
		for (k = 0; k < in->spans[i].n; k++) {
			uint32_t mi = in->spans[i].ents[k].module;

			if (e->mods[mi].orphan)
				continue;
			e->mods[mi].orphan = true;
			e->orphan_mods = swt_grow(e->orphan_mods,
						  &e->cap_orphan_mods,
						  e->n_orphan_mods + 1,
						  sizeof(*e->orphan_mods));
			e->orphan_mods[e->n_orphan_mods++] = mi;
		}
	for (i = 0; i < in->n_spans; i++)
		free(in->spans[i].ents);
	free(in->spans);
	in->spans = NULL;
	in->n_spans = in->cap_spans = 0;
	if (in->in_span_list) {
		for (i = 0; i < e->n_span_insts; i++) {
			if (e->span_insts[i] == idx) {
				memmove(&e->span_insts[i],
					&e->span_insts[i + 1],
					(e->n_span_insts - i - 1) *
						sizeof(*e->span_insts));
				e->n_span_insts--;
				break;
			}
		}
		in->in_span_list = false;
	}
}

/* The entry of not yet announced parent `ppid` of a child that started at
 * start_ticks (engine__unborn). */
static struct engine__unborn *unborn_get(struct swt_engine *e, int32_t ppid,
					 uint64_t start_ticks)
{
	uint32_t u = swt_imap_get(&e->unborn_map, ppid);
	struct engine__unborn *b;

	if (u == SWT_MAP_NONE) {
		e->unborn = swt_grow(e->unborn, &e->cap_unborn,
				     e->n_unborn + 1, sizeof(*e->unborn));
		u = (uint32_t)e->n_unborn++;
		memset(&e->unborn[u], 0, sizeof(e->unborn[u]));
		e->unborn[u].pid = ppid;
		e->unborn[u].start_ticks = start_ticks;
		swt_imap_put(&e->unborn_map, ppid, u);
	}
	b = &e->unborn[u];
	if (start_ticks < b->start_ticks)
		b->start_ticks = start_ticks;
	return b;
}

/* A process that has gone: what was counted of it (its own ticks and its
 * reaped children's at its last row, and the rows of the children it
 * reaped after that row) will reach its parent's cutime + cstime when the
 * parent reaps it, and must not be counted again then. */
static void credit_parent(struct swt_engine *e, uint32_t idx, uint32_t fin)
{
	const struct engine__inst *in = &e->insts[idx];
	int64_t seen = in->pending_seen;
	int32_t ppid = in->ppid;
	uint32_t p = SWT_MAP_NONE, tomb;
	int depth;

	if (in->final_micro >= 0)
		seen = swt_sat_add(seen, in->final_micro);
	else if (in->has_base)
		seen = swt_sat_add(seen, swt_sat_mul(in->base_ticks, MICRO));
	if (in->has_cbase)
		seen = swt_sat_add(seen, swt_sat_mul(in->base_cticks, MICRO));
	/* remembered until the next sample, for its children's exits */
	if (in->pid > 0 && swt_imap_get(&e->tomb_map, in->pid) ==
				   SWT_MAP_NONE) {
		e->tombs = swt_grow(e->tombs, &e->cap_tombs, e->n_tombs + 1,
				    sizeof(*e->tombs));
		e->tombs[e->n_tombs].pid = in->pid;
		e->tombs[e->n_tombs].ppid = ppid;
		e->tombs[e->n_tombs].fin = fin;
		e->tombs[e->n_tombs].iofin = in->iofin;
		swt_imap_put(&e->tomb_map, in->pid, (uint32_t)e->n_tombs);
		e->n_tombs++;
	}
	if (seen <= 0)
		return;
	/* the nearest live ancestor: a parent gone in this tick was reaped
	 * by its own parent, whose cutime will hold this child too; a
	 * parent whose last counters came in this tick holds it in them */
	for (depth = 0; depth < 64 && ppid > 0; depth++) {
		p = swt_imap_get(&e->pid_map, ppid);
		if (p != SWT_MAP_NONE && p != idx && e->insts[p].used)
			break;
		p = SWT_MAP_NONE;
		tomb = swt_imap_get(&e->tomb_map, ppid);
		if (tomb == SWT_MAP_NONE) {
			/* a parent not announced yet: its ProcStart may
			 * follow in this tick */
			struct engine__unborn *b =
				unborn_get(e, ppid, in->start_ticks);

			b->seen = swt_sat_add(b->seen, seen);
			return;
		}
		if (e->tombs[tomb].fin != UINT32_MAX) {
			struct engine__fin *f = &e->fins[e->tombs[tomb].fin];

			f->pending = swt_sat_add(f->pending, seen);
			return;
		}
		ppid = e->tombs[tomb].ppid;
	}
	if (p == SWT_MAP_NONE)
		return;
	e->insts[p].pending_seen = swt_sat_add(e->insts[p].pending_seen,
					       seen);
}

/* A process that has gone: its counters (and those of its children it
 * had not reaped by its last reading, counted already) reach its nearest
 * live ancestor's counters when that reaps it. */
static void io_credit_parent(struct swt_engine *e, uint32_t idx)
{
	const struct engine__bytes *bs = &e->insts[idx].by[BY_IO];
	int64_t r = swt_sat_add(bs->have ? bs->a : 0, bs->pend_a);
	int64_t w = swt_sat_add(bs->have ? bs->b : 0, bs->pend_b);
	int32_t ppid = e->insts[idx].ppid;
	int depth;

	if (r <= 0 && w <= 0)
		return;
	for (depth = 0; depth < 64 && ppid > 0; depth++) {
		uint32_t p = swt_imap_get(&e->pid_map, ppid), tomb;

		if (p != SWT_MAP_NONE && p != idx && e->insts[p].used) {
			struct engine__bytes *pb = &e->insts[p].by[BY_IO];

			pb->pend_a = swt_sat_add(pb->pend_a, r);
			pb->pend_b = swt_sat_add(pb->pend_b, w);
			return;
		}
		tomb = swt_imap_get(&e->tomb_map, ppid);
		if (tomb == SWT_MAP_NONE) {
			struct engine__unborn *b = unborn_get(
				e, ppid, e->insts[idx].start_ticks);

			b->io_a = swt_sat_add(b->io_a, r);
			b->io_b = swt_sat_add(b->io_b, w);
			return;
		}
		if (e->tombs[tomb].iofin != UINT32_MAX) {
			/* a parent that exited earlier in this tick: its
			 * last reading holds this child */
			struct engine__iofin *f =
				&e->iofins[e->tombs[tomb].iofin];

			f->pend_a = swt_sat_add(f->pend_a, r);
			f->pend_b = swt_sat_add(f->pend_b, w);
			return;
		}
		ppid = e->tombs[tomb].ppid;
	}
}

static void inst_remove(struct swt_engine *e, uint32_t idx)
{
	struct engine__inst *in = &e->insts[idx];

	wake_inst(e, idx);
	credit_parent(e, idx, e->insts[idx].fin);
	io_credit_parent(e, idx);

	inst_drop_spans(e, in, idx, in->final_counted);
	free(in->at_acc);
	swt_imap_del(&e->pid_map, in->pid);
	memset(in, 0, sizeof(*in));
	e->free_insts = swt_grow(e->free_insts, &e->cap_free_insts,
				 e->n_free_insts + 1, sizeof(*e->free_insts));
	e->free_insts[e->n_free_insts++] = idx;
}

static uint32_t inst_create(struct swt_engine *e, int32_t pid,
			    uint32_t ident)
{
	struct engine__inst *in;
	struct engine__module *pm;
	uint32_t idx;

	if (e->n_free_insts) {
		idx = e->free_insts[--e->n_free_insts];
	} else {
		e->insts = swt_grow(e->insts, &e->cap_insts, e->n_insts + 1,
				    sizeof(*e->insts));
		idx = (uint32_t)e->n_insts++;
	}
	in = &e->insts[idx];
	memset(in, 0, sizeof(*in));
	in->used = true;
	in->pid = pid;
	in->ident = ident;
	in->variant = ENGINE_NO_VARIANT;
	in->fin = UINT32_MAX;
	in->iofin = UINT32_MAX;
	in->final_micro = -1;
	in->reaped_in = UINT32_MAX;
	in->cident = ident;
	in->proc_module = e->idents[ident].proc_module;
	in->gen = ++e->next_gen;
	if (e->cap_insts > e->cap_q_inst) {
		size_t old = e->cap_q_inst, cap = e->cap_insts;

		e->q_inst = slot_array(e->q_inst, old, cap, sizeof(*e->q_inst));
		e->inst_seq = slot_array(e->inst_seq, old, cap,
					 sizeof(*e->inst_seq));
		e->q_nthr = slot_array(e->q_nthr, old, cap, sizeof(*e->q_nthr));
		e->cap_q_inst = cap;
	}
	e->q_inst[idx] = 0;
	e->inst_seq[idx] = 0;
	e->q_nthr[idx] = 0;
	/* (awake, perhaps in a slot: procs_aligned_delta()) */
	e->wake_gen++;
	e->pawake_ok = false;
	swt_imap_put(&e->pid_map, pid, idx);
	pm = &e->mods[e->idents[ident].proc_module];
	pm->instances++;
	e->n_processes++;
	return idx;
}

/* The instance of pid, created under an anonymous identity "[pid N]" when
 * its ProcStart was never seen (lost in a damaged chunk). */
static uint32_t inst_lookup(struct swt_engine *e, int32_t pid)
{
	uint32_t idx = swt_imap_get(&e->pid_map, pid);
	char name[32];

	if (idx != SWT_MAP_NONE)
		return idx;
	snprintf(name, sizeof(name), "[pid %d]", (int)pid);
	idx = inst_create(e, pid, ident_get(e, name, NULL, 0, NULL, ""));
	e->insts[idx].anonymous = true;
	return idx;
}

static struct swt_usage_acc *usage_of(struct swt_engine *e,
				      struct engine__module *m);
static void usage_commit(struct swt_engine *e, struct engine__module *m);

/* Fold the totals of module `from` (of an anonymous identity) into `to`
 * and hide `from`. Only totals move: a memory series, spike history or
 * alert state of `from` (samples before the ProcStart) does not. */
static void module_merge(struct swt_engine *e, uint32_t from, uint32_t to)
{
	struct engine__module *f = &e->mods[from], *m = &e->mods[to];
	int k, j;

	if (from == to)
		return;
	wake_all(e);
	/* (totals of file values: saturated) */
	m->ticks_micro = swt_sat_add(m->ticks_micro, f->ticks_micro);
	m->early_micro = swt_sat_add(m->early_micro, f->early_micro);
	f->early_micro = 0;
	m->observed_ns = swt_sat_add(m->observed_ns, f->observed_ns);
	if (f->cpu_peak_mpct > m->cpu_peak_mpct)
		m->cpu_peak_mpct = f->cpu_peak_mpct;
	m->mem_sum_kib = swt_sat_add(m->mem_sum_kib, f->mem_sum_kib);
	m->mem_n += f->mem_n;
	if (f->mem_peak_kib > m->mem_peak_kib)
		m->mem_peak_kib = f->mem_peak_kib;
	if (f->proc_peak_kib > m->proc_peak_kib)
		m->proc_peak_kib = f->proc_peak_kib;
	if (f->over_kib > m->over_kib) {
		m->over_kib = f->over_kib;
		m->over_rss_kib = f->over_rss_kib;
		m->over_in_use_kib = f->over_in_use_kib;
		m->over_t = f->over_t;
	}
	m->calls += f->calls;
	m->starts += f->starts;
	m->cpu_self_ns = swt_sat_add(m->cpu_self_ns, f->cpu_self_ns);
	m->cpu_total_ns = swt_sat_add(m->cpu_total_ns, f->cpu_total_ns);
	m->spans_measured += f->spans_measured;
	m->spans_estimated += f->spans_estimated;
	m->meas_wall_ns = swt_sat_add(m->meas_wall_ns, f->meas_wall_ns);
	m->unmeas_pend_ns = swt_sat_add(m->unmeas_pend_ns, f->unmeas_pend_ns);
	f->unmeas_pend_ns = 0;
	m->meas_cpu_ns = swt_sat_add(m->meas_cpu_ns, f->meas_cpu_ns);
	m->n_timed += f->n_timed;
	m->timed_ns = swt_sat_add(m->timed_ns, f->timed_ns);
	m->untimed_pend += f->untimed_pend;
	f->untimed_pend = 0;
	m->cpu_est_ns = swt_sat_add(m->cpu_est_ns, f->cpu_est_ns);
	m->n_stretches += f->n_stretches;
	m->st_c += f->st_c;
	m->st_w += f->st_w;
	m->st_cc += f->st_cc;
	m->st_ww += f->st_ww;
	m->st_cw += f->st_cw;
	m->pend_micro = swt_sat_add(m->pend_micro, f->pend_micro);
	f->pend_micro = 0;
	if (f->est_frac_ppm > m->est_frac_ppm)
		m->est_frac_ppm = f->est_frac_ppm;
	m->full_n += f->full_n;
	m->sat_n += f->sat_n;
	for (k = 0; k < BY_N; k++) {
		struct engine__bytes_tot *dst = &m->by[k], *src = &f->by[k];

		dst->a = swt_sat_add(dst->a, src->a);
		dst->b = swt_sat_add(dst->b, src->b);
		dst->obs_ns = swt_sat_add(dst->obs_ns, src->obs_ns);
		if (src->peak > dst->peak)
			dst->peak = src->peak;
		for (j = 0; j < ENGINE_SOCK_KINDS; j++)
			if (src->peak_socks[j] > dst->peak_socks[j])
				dst->peak_socks[j] = src->peak_socks[j];
		dst->known = dst->known || src->known;
		dst->unavail += src->unavail;
	}
	/* a module counts an instance once (by generation); the process
	 * module's instance is counted by the caller, threads' when their
	 * rows name them again */
	if (m->kind == SWT_KIND_MODULE && f->last_gen > m->last_gen) {
		m->last_gen = f->last_gen;
		m->instances++;
	}
	/* its series over time too (the same grid) */
	usage_commit(e, f);
	if (f->usage) {
		struct swt_usage_acc *u = usage_of(e, m);
		size_t i;

		for (i = 0; i < e->ugrid.cap; i++)
			swt_usage_merge(&u[i], &f->usage[i]);
	}
	f->merged = true;
}

/* Give live instance idx the identity `ident`, keeping its CPU base, its
 * threads (their modules are looked up again under the new identity at
 * their next row) and, when `keep_spans`, its open spans. */
static void inst_reidentify(struct swt_engine *e, uint32_t idx,
			    uint32_t ident, bool keep_spans)
{
	struct engine__inst *in = &e->insts[idx];
	size_t i, j, k;

	wake_all(e);
	for (i = 0; i < e->n_thrs; i++) {
		struct engine__thr *th = &e->thrs[i];

		if (th->used && th->inst_idx == idx &&
		    th->inst_gen == in->gen) {
			th->module = SWT_MAP_NONE;
			th->name[0] = '\0';
		}
	}
	if (!keep_spans)
		inst_drop_spans(e, in, idx, false);
	for (j = 0; j < in->n_spans; j++) {
		struct engine__span_thr *st = &in->spans[j];

		st->gap_n = 0;	/* its modules are others now */
		st->gap_bad = true;
		for (k = 0; k < st->n; k++) {
			st->ents[k].module = module_get(
				e, SWT_KIND_MODULE, ident,
				e->mods[st->ents[k].module].name);
			attr_col(e, st->ents[k].module);
		}
		for (k = 0; k < st->n_stk && k < ENGINE_STACK; k++)
			st->stk[k] = module_get(e, SWT_KIND_MODULE, ident,
						e->mods[st->stk[k]].name);
	}
	in->ident = ident;
	in->proc_module = e->idents[ident].proc_module;
	e->mods[in->proc_module].instances++;
	/* the memory regression starts again under the new identity */
	in->at_t = 0;
	in->at_have = false;
	if (in->at_acc)
		memset(in->at_acc, 0, SWT_ATTRIB_MAX * sizeof(*in->at_acc));
}

/* An exec of live instance idx into identity `ident`. swrec sees an exec
 * (a new comm and command line) at its first sample after it and writes
 * the ProcStart with that sample, so the events the instance sent since
 * its last process row may already be the new program's: `sh -c 'exec env
 * python3 app.py'`, a pyenv shim or any wrapper that execs sends none, the
 * program it becomes starts sending at once. The modules that this
 * instance alone began since its last row therefore go to the new
 * identity, with their spans; the old program's other open spans are
 * gone. */
static void exec_reidentify(struct swt_engine *e, uint32_t idx,
			    uint32_t ident)
{
	struct engine__inst *in = &e->insts[idx];
	uint32_t old = in->ident;
	size_t i, j, k, w, n = e->n_mods;

	wake_all(e);
	for (j = 0; j < in->n_spans; j++) {
		struct engine__span_thr *st = &in->spans[j];

		st->gap_n = 0;
		st->gap_bad = true;
		for (k = 0, w = 0; k < st->n; k++) {
			const struct engine__module *m =
				&e->mods[st->ents[k].module];

			if (m->first_seq >= in->stamp &&
			    m->last_gen == in->gen && m->instances == 1)
				st->ents[w++] = st->ents[k];
		}
		st->n = w;
	}
	/* (emptied span lists are freed by the next attribute_spans()) */
	inst_reidentify(e, idx, ident, true);
	for (i = 0; i < n; i++) {
		const struct engine__module *m = &e->mods[i];

		if (m->ident != old || m->kind != SWT_KIND_MODULE ||
		    m->merged || m->first_seq < in->stamp ||
		    m->last_gen != in->gen || m->instances != 1)
			continue;
		module_merge(e, (uint32_t)i,
			     module_get(e, SWT_KIND_MODULE, ident, m->name));
	}
}

/* A start of module mod (identity ident) whose parent ppid was not known:
 * a restart (if `restart`) decided by restart_settle(); its parent, when
 * it comes, is no restart of it. */
static void restart_later(struct swt_engine *e, uint32_t mod, uint32_t ident,
			  int32_t ppid, bool restart)
{
	struct engine__restart *r;

	e->restarts = swt_grow(e->restarts, &e->cap_restarts,
			       e->n_restarts + 1, sizeof(*e->restarts));
	r = &e->restarts[e->n_restarts++];
	r->mod = mod;
	r->ident = ident;
	r->ppid = ppid;
	r->restart = restart;
	swt_imap_put(&e->restart_ppids, ppid, ident);
}

/* The restarts set aside since the last sample (restart_later()): the
 * parent's ProcStart came after its children's (they lived and died
 * within its first interval), so it is known now; a start forked by a
 * process of its own identity is no restart. A parent still unknown (it
 * is outside the tree, or gone) leaves it one, as at once. */
static void restart_settle(struct swt_engine *e)
{
	size_t i;

	for (i = 0; i < e->n_restarts; i++) {
		const struct engine__restart *r = &e->restarts[i];
		uint32_t par = swt_imap_get(&e->pid_map, r->ppid);

		swt_imap_del(&e->restart_ppids, r->ppid);
		if (!r->restart || (par != SWT_MAP_NONE &&
				    e->insts[par].used &&
				    e->insts[par].ident == r->ident))
			continue;
		e->mods[r->mod].calls++;
	}
	e->n_restarts = 0;
}

static void on_proc_start(struct swt_engine *e, int64_t t,
			  const struct swt_proc_start *ps)
{
	uint32_t idx = swt_imap_get(&e->pid_map, ps->pid), ident;
	struct engine__inst *in;
	char *command = display_command(ps->cmdline, ps->cmdline_len);
	int k;

	ident = ident_get(e, ps->comm, ps->cmdline, ps->cmdline_len, ps->exe,
			  command);
	if (idx != SWT_MAP_NONE) {
		in = &e->insts[idx];
		if (in->anonymous && !in->has_base) {
			/* its events came before its ProcStart (a recorder
			 * race): adopt the instance and what its phantom
			 * identity "[pid N]" gathered under the real one.
			 * An anonymous instance with process rows lost its
			 * ProcStart to damage: a new ProcStart is a new
			 * process of that pid (below). */
			uint32_t old = in->ident;
			size_t i, n = e->n_mods;

			inst_reidentify(e, idx, ident, true);
			for (i = 0; i < n; i++) {
				struct engine__module *m = &e->mods[i];

				if (m->ident != old || m->merged ||
				    m->kind == SWT_KIND_PROCESS)
					continue;
				module_merge(e, (uint32_t)i,
					     module_get(e, m->kind, ident,
							m->name));
			}
			module_merge(e, e->idents[old].proc_module,
				     in->proc_module);
			in->anonymous = false;
			in->cident = ident;
			goto announced;
		}
		if (in->start_ticks == ps->start_ticks) {
			/* the same process announced again, or an exec: the
			 * process ends under its old identity and goes on
			 * under the new one (not a new start: the CPU base
			 * is kept and starts/min does not count it; the old
			 * program's open spans are gone) */
			if (in->ident != ident)
				exec_reidentify(e, idx, ident);
			if (in->variant == ENGINE_NO_VARIANT ||
			    in->ident != e->variants[in->variant].ident ||
			    strcmp(e->variants[in->variant].command,
				   command) != 0)
				inst_set_variant(e, idx, command);
			goto out;
		}
		inst_remove(e, idx);
	}
	idx = inst_create(e, ps->pid, ident);
	in = &e->insts[idx];
	{
		/* what its children that exited before its announcement in
		 * this tick credited it (one started before them) */
		uint32_t u = swt_imap_get(&e->unborn_map, ps->pid);

		if (u != SWT_MAP_NONE) {
			struct engine__unborn *b = &e->unborn[u];

			if (ps->start_ticks <= b->start_ticks) {
				in->pending_seen = b->seen;
				in->by[BY_IO].pend_a = b->io_a;
				in->by[BY_IO].pend_b = b->io_b;
			}
			swt_imap_del(&e->unborn_map, ps->pid);
		}
	}
announced:
	inst_set_variant(e, idx, command);
	in->ppid = ps->ppid;
	in->start_ticks = ps->start_ticks;
	if (!ps->preexisting) {
		struct engine__module *pm =
			&e->mods[e->idents[ident].proc_module];

		/* (an adopted instance already sampled keeps its base) */
		if (!in->has_base) {
			in->born = true;
			in->born_ns = t;
		}
		for (k = 0; k < BY_N; k++) {
			if (!in->by[k].have) {
				in->by[k].zero = true;
				in->by[k].t = t;
			}
		}
		/* a process's "calls" are its restarts: starts of a command
		 * line the module started before. One launch is no frequency
		 * problem, a respawn loop is; a build's compilers, each on
		 * its own file, are no loop, nor is a process forked by one
		 * of its own module (a shell's subshells, which carry its
		 * command line). A command line that could not be read
		 * counts while the module has no known one (a loop of
		 * processes too short to read) if the same parent started
		 * the one before (a supervisor's loop; a build's steps, each
		 * run by a shell of its own, are not one), and not beside
		 * known, different ones (more of the same build) */
		uint32_t par = swt_imap_get(&e->pid_map, ps->ppid);
		bool own_fork = par != SWT_MAP_NONE && par != idx &&
				e->insts[par].used &&
				e->insts[par].ident == ident;

		/* (the parent of forks of its program whose starts came
		 * first is the first of them, not a restart) */
		if (swt_imap_get(&e->restart_ppids, ps->pid) == ident)
			own_fork = true;

		bool restart =
			pm->starts++ > 0 && !own_fork &&
			(in->variant == ENGINE_NO_VARIANT ?
				 e->idents[ident].n_variants == 0 &&
					 pm->last_ppid == ps->ppid :
				 e->variants[in->variant].processes > 1);

		/* (a parent not known yet may be its own fork's: a test
		 * binary's thousand forks read 2 352 restarts a minute) */
		if (par == SWT_MAP_NONE)
			restart_later(e, e->idents[ident].proc_module, ident,
				      ps->ppid, restart);
		else if (restart)
			pm->calls++;
		pm->last_ppid = ps->ppid;
	}
out:
	free(command);
}

static uint32_t reaped_module(struct swt_engine *e, uint32_t ident);

static void carry(struct swt_engine *e, uint32_t mod, int64_t micro);
static void bytes_tail(struct swt_engine *e, uint32_t mi, int k, int64_t a,
		       int64_t b, bool first);

/* x micro-ticks reached a parent's cutime + cstime, *pending of which
 * the rows and exits of its exited children counted already (taken off
 * *pending): the rest was burnt unseen, by children that lived between
 * two samples or after their last row, and goes to the reaped module of
 * identity `ident` and to the tree, in this sample's interval (carry()).
 * *counted_in is the reaped module that counts the parent as an
 * instance. */
static void reap_unseen(struct swt_engine *e, uint32_t ident, int64_t x,
			int64_t *pending, uint32_t *counted_in)
{
	int64_t credit = x < *pending ? x : *pending, unseen = x - credit;
	uint32_t mi;

	*pending -= credit;
	if (unseen <= 0)
		return;
	mi = reaped_module(e, ident);
	if (*counted_in != mi) {
		e->mods[mi].instances++;
		*counted_in = mi;
	}
	carry(e, mi, unseen);
	e->reaped_micro = swt_sat_add(e->reaped_micro, unseen);
}

/* A process's own CPU that goes to its module (and its command line's
 * variant) through the carries, at the next sample: what its exit adds
 * to its last row (final_row()), or what a row shows in a short interval
 * after an earlier sample (short_late: seen; no interval of its own, it
 * joins its module's and the tree's last, late_credit()). */
static void carry_own(struct swt_engine *e, struct engine__inst *in,
		      int64_t micro, bool seen)
{
	carry(e, in->proc_module, micro);
	e->carries[e->n_carries - 1].seen = seen;
	if (in->variant != ENGINE_NO_VARIANT)
		e->variants[in->variant].micro =
			swt_sat_add(e->variants[in->variant].micro, micro);
}

/* A thread's CPU in a short interval after an earlier sample (short_late:
 * its row, full or quiet), for its thread module's last interval
 * (late_credit()); the tree has it from the process's row (carry_own()). */
static void carry_thread(struct swt_engine *e, uint32_t mod, int64_t micro,
			 bool seen)
{
	carry(e, mod, micro);
	e->carries[e->n_carries - 1].seen = seen;
	e->carries[e->n_carries - 1].thread = true;
}

/* The children's CPU of the exits of the last tick (final_row()), once
 * the exits that followed them in the tick have added to their pending. */
static void settle_fins(struct swt_engine *e)
{
	size_t i;

	for (i = 0; i < e->n_fins; i++) {
		struct engine__fin *f = &e->fins[i];

		reap_unseen(e, f->ident, f->x, &f->pending, &f->counted_in);
	}
	e->n_fins = 0;
	for (i = 0; i < e->n_iofins; i++) {
		const struct engine__iofin *f = &e->iofins[i];
		int64_t a = swt_sat_sub(f->a, f->pend_a);
		int64_t b = swt_sat_sub(f->b, f->pend_b);

		bytes_tail(e, f->mod, BY_IO, a > 0 ? a : 0, b > 0 ? b : 0,
			   f->first);
	}
	e->n_iofins = 0;
}

static int64_t clamp_u64(uint64_t v)
{
	return v > INT64_MAX ? INT64_MAX : (int64_t)v;
}

static void carry(struct swt_engine *e, uint32_t mod, int64_t micro)
{
	e->carries = swt_grow(e->carries, &e->cap_carries, e->n_carries + 1,
			      sizeof(*e->carries));
	e->carries[e->n_carries].mod = mod;
	e->carries[e->n_carries].micro = micro;
	memset(e->carries[e->n_carries].b, 0,
	       sizeof(e->carries[e->n_carries].b));
	e->carries[e->n_carries].seen = false;
	e->carries[e->n_carries].thread = false;
	e->n_carries++;
}

/* ---- disk I/O and network (docs/analysis.md § 2.5, 2.6) ---------------- */

/* Bytes of pair k (a: read or sent, b: written or received) of a
 * process of module mi: in its totals and the tree's. */
static void bytes_count(struct swt_engine *e, uint32_t mi, int k, int64_t a,
			int64_t b)
{
	struct engine__bytes_tot *m = &e->mods[mi].by[k];
	struct engine__bytes_tot *ses = &e->session.by[k];

	m->a = swt_sat_add(m->a, a);
	m->b = swt_sat_add(m->b, b);
	m->known = true;
	ses->a = swt_sat_add(ses->a, a);
	ses->b = swt_sat_add(ses->b, b);
	ses->known = true;
}

/* The bytes since the last reading of a process's pair bs to cumulative
 * counters a, b (all of them if it started in the session, none for the
 * first reading of an older one), less those of its exited children that
 * were counted already (disk I/O: its counters hold them once it has
 * reaped them). The reading becomes its last. */
static inline __attribute__((always_inline)) void
bytes_delta(struct engine__bytes *bs, int64_t a, int64_t b, int64_t *da,
	    int64_t *db)
{
	int64_t c;

	a = a > 0 ? a : 0;
	b = b > 0 ? b : 0;
	*da = *db = 0;
	if (bs->have) {
		*da = swt_sat_sub(a, bs->a);
		*db = swt_sat_sub(b, bs->b);
	} else if (bs->zero) {
		*da = a;
		*db = b;
	}
	if (*da < 0 || *db < 0) {	/* counters never go back: a rebase */
		*da = 0;
		*db = 0;
	}
	c = *da < bs->pend_a ? *da : bs->pend_a;
	*da -= c;
	bs->pend_a -= c;
	c = *db < bs->pend_b ? *db : bs->pend_b;
	*db -= c;
	bs->pend_b -= c;
	bs->have = true;
	bs->a = a;
	bs->b = b;
}

/* A reading of pair k of process in (module mi) at t, in the interval
 * [t0, t]: its bytes (bytes_delta()) are counted; its rate is over the
 * window since the last reading, and at least the interval: a few bytes
 * divided by a few milliseconds of life would make up huge peaks. */
static inline __attribute__((always_inline)) void
bytes_reading(struct swt_engine *e, struct engine__inst *in, uint32_t mi,
	      int k, int64_t a, int64_t b, int64_t t, int64_t t0)
{
	struct engine__bytes *bs = &in->by[k];
	int64_t da, db, since = bs->have || bs->zero ? bs->t : t;

	/* (a first reading of an older process is a base: no rate yet) */
	bs->rated = bs->have || bs->zero;
	bytes_delta(bs, a, b, &da, &db);
	if (since > t0)
		since = t0;
	bs->rate = bs->rated ? engine__mmbps(swt_sat_add(da, db),
					   swt_sat_sub(t, since)) :
			       0;
	bs->t = t;
	if (da > 0 || db > 0 || !e->mods[mi].by[k].known)
		bytes_count(e, mi, k, da, db);
}

/* Bytes of a process after its last reading, known at its exit: counted,
 * and in the next sample's interval (its exit came before it). */
static void bytes_tail(struct swt_engine *e, uint32_t mi, int k, int64_t a,
		       int64_t b, bool first)
{
	if (first || a > 0 || b > 0)
		bytes_count(e, mi, k, a, b);
	if (a > 0 || b > 0) {
		carry(e, mi, 0);
		e->carries[e->n_carries - 1].b[k] = swt_sat_add(a, b);
	}
}

/* The last counters of pair k of a process, at its exit (disk I/O read
 * as a zombie; TCP with its closed sockets' last bytes): the bytes since
 * its last reading (less its children's counted already) are counted, in
 * the next sample's interval. */
static void bytes_final(struct swt_engine *e, struct engine__inst *in, int k,
			uint64_t a, uint64_t b)
{
	bool first = !in->by[k].have;
	int64_t da, db;

	bytes_delta(&in->by[k], clamp_u64(a), clamp_u64(b), &da, &db);
	bytes_tail(e, in->proc_module, k, da, db, first);
}

/* The last disk I/O reading of a process, at its exit: as bytes_final(),
 * but counted at the next sample (settle_fins()), once the exits of its
 * children that come after it in this tick have taken their bytes off:
 * its reading holds the children it reaped. */
static void io_final(struct swt_engine *e, struct engine__inst *in,
		     uint64_t a, uint64_t b)
{
	struct engine__bytes *bs = &in->by[BY_IO];
	struct engine__iofin *f;

	e->iofins = swt_grow(e->iofins, &e->cap_iofins, e->n_iofins + 1,
			     sizeof(*e->iofins));
	f = &e->iofins[e->n_iofins];
	memset(f, 0, sizeof(*f));
	f->mod = in->proc_module;
	f->first = !bs->have;
	f->pend_a = bs->pend_a;
	f->pend_b = bs->pend_b;
	bs->pend_a = bs->pend_b = 0;
	bytes_delta(bs, clamp_u64(a), clamp_u64(b), &f->a, &f->b);
	in->iofin = (uint32_t)e->n_iofins++;
}

/* The bytes of an exit record beyond the process's last reading (all of
 * them for one never read): counted, and in the next sample's interval
 * (carried). The record sums its threads, not its reaped children: for a
 * process that reaped children after its last reading, the part of its
 * own after that reading is missed. */
static void io_exit(struct swt_engine *e, struct engine__inst *in,
		    const struct swt_proc_exit *px)
{
	struct engine__bytes *bs = &in->by[BY_IO];
	int64_t ar = clamp_u64(px->read_bytes), aw = clamp_u64(px->write_bytes);
	int64_t tr = 0, tw = 0;

	if (bs->have) {
		tr = swt_sat_sub(ar, bs->a);
		tw = swt_sat_sub(aw, bs->b);
	} else if (bs->zero) {
		tr = ar;
		tw = aw;
	}
	tr = tr > 0 ? tr : 0;
	tw = tw > 0 ? tw : 0;
	bytes_tail(e, in->proc_module, BY_IO, tr, tw, !bs->have);
	/* what its parent's counters will show of it */
	if (!bs->have || ar > bs->a)
		bs->a = ar;
	if (!bs->have || aw > bs->b)
		bs->b = aw;
	bs->have = true;
}

/* A process row's pair k that was not read this tick: unreadable (flag
 * `unavail`) or not read (`not_sampled`: the held rate goes on). */
static void row_bytes_unread(struct swt_engine *e, struct engine__inst *in,
			     uint32_t mi, int k, uint32_t flags,
			     uint32_t unavail, uint32_t not_sampled,
			     int64_t a, int64_t b, int64_t t)
{
	struct engine__bytes *bs = &in->by[k];

	if ((flags & not_sampled) && !(flags & unavail) && in->held_base &&
	    !bs->have && !bs->zero) {
		/* a window's first row: what it holds is the reading of a
		 * tick before the window, as good a base as the whole
		 * session had there */
		bs->a = a > 0 ? a : 0;
		bs->b = b > 0 ? b : 0;
		bs->have = true;
		bs->t = t;
		bs->rated = false;
	}
	if (flags & unavail) {
		if (!bs->unavail) {
			bs->unavail = true;
			e->mods[mi].by[k].unavail++;
			e->session.by[k].unavail++;
		}
		bs->rate = 0;
		bs->rated = false;
	}
}

/* A process row's pair k: unreadable (flag `unavail`), not read this
 * tick (`not_sampled`: the held rate goes on), or a reading; the held
 * rate goes into its module's and the tree's interval. */
static inline __attribute__((always_inline)) void
row_bytes(struct swt_engine *e, struct engine__inst *in, uint32_t mi, int k,
	  uint32_t flags, uint32_t unavail, uint32_t not_sampled, int64_t a,
	  int64_t b, int64_t t, int64_t t0)
{
	struct engine__bytes *bs = &in->by[k];
	struct engine__bytes_tot *m, *ses = &e->session.by[k];

	if (__builtin_expect((flags & (unavail | not_sampled)) != 0, 0)) {
		row_bytes_unread(e, in, mi, k, flags, unavail, not_sampled,
				 a, b, t);
	} else if (bs->have && a == bs->a && b == bs->b &&
		   (bs->pend_a | bs->pend_b) >= 0) {
		/* the counters of its last reading again (most rows): what
		 * bytes_reading() makes of them, no bytes and a rate of 0,
		 * without its arithmetic (a third of a row's instructions) */
		bs->rated = true;
		bs->rate = 0;
		bs->t = t;
		if (!e->mods[mi].by[k].known)
			bytes_count(e, mi, k, 0, 0);
	} else {
		bytes_reading(e, in, mi, k, a, b, t, t0);
	}
	if (!bs->rated || t <= t0)
		return;
	m = &e->mods[mi].by[k];
	/* (adding 0 changes nothing, saturated or not) */
	if (bs->rate) {
		m->cur = swt_sat_add(m->cur, bs->rate);
		ses->cur = swt_sat_add(ses->cur, bs->rate);
	}
	m->cur_has = true;
	ses->cur_has = true;
	e->mods[mi].cur_by = true;
	e->session.cur_by = true;
}

/* The sockets a process row shows (held between readings). */
static void row_socks(struct swt_engine *e, struct engine__inst *in,
		      uint32_t mi, const struct swt_proc_row *row)
{
	struct engine__bytes *bs = &in->by[BY_NET];
	struct engine__bytes_tot *m = &e->mods[mi].by[BY_NET];
	struct engine__bytes_tot *ses = &e->session.by[BY_NET];
	const int64_t v[ENGINE_SOCK_KINDS] = { row->socks_tcp, row->socks_udp,
					       row->socks_other };
	int k;

	/* (most processes: no sockets now, none held: nothing to store or
	 * add; the held counts are never negative) */
	if (!(bs->socks[0] | bs->socks[1] | bs->socks[2]) &&
	    ((row->flags & (SWT_PF_NET_NOT_SAMPLED | SWT_PF_NET_UNAVAILABLE)) ||
	     !(row->socks_tcp | row->socks_udp | row->socks_other)))
		return;
	if (!(row->flags & (SWT_PF_NET_NOT_SAMPLED | SWT_PF_NET_UNAVAILABLE)))
		for (k = 0; k < ENGINE_SOCK_KINDS; k++)
			bs->socks[k] = v[k] > 0 ? v[k] : 0;
	if (!bs->have)
		return;
	e->mods[mi].cur_by = true;
	e->session.cur_by = true;
	for (k = 0; k < ENGINE_SOCK_KINDS; k++) {
		if (!bs->socks[k])
			continue;	/* (adding 0 changes nothing) */
		m->cur_socks[k] = swt_sat_add(m->cur_socks[k], bs->socks[k]);
		ses->cur_socks[k] = swt_sat_add(ses->cur_socks[k],
						bs->socks[k]);
	}
}

/* The last counters of a process that exited (read as a zombie): the CPU
 * it burnt since its last row goes to its module, what its children
 * burnt unseen to its reaped module, both in the next sample's interval
 * (its exit came before that sample); then its parent is credited with
 * all of it (inst_remove()). */
static int64_t final_row(struct swt_engine *e, uint32_t idx,
			 const struct swt_proc_exit *px)
{
	struct engine__inst *in = &e->insts[idx];
	int64_t ticks = swt_sat_add(px->utime, px->stime);
	int64_t ct = swt_sat_add(px->cutime, px->cstime), d = 0, x = 0;
	int64_t own = swt_sat_mul(ticks, MICRO);

	/* a taskstats record has the CPU to the µs: micro-ticks are µs x
	 * clock_ticks (tick lengths of 1/clock_ticks s) */
	if (px->has_acct)
		own = swt_sat_mul(swt_sat_add(clamp_u64(px->utime_us),
					      clamp_u64(px->stime_us)),
				  (int64_t)e->clock_ticks);
	if (!in->has_base && !in->born) {
		/* Never counted: no base to count from (an old process of
		 * an attached tree that exited unseen: its record holds its
		 * CPU from long before the session). What it holds reaches
		 * its parent's cutime when reaped: seen (credit_parent()),
		 * so not counted there either. */
		in->final_micro = own > 0 ? own : 0;
		in->base_cticks = ct > 0 ? ct : 0;
		in->has_cbase = true;
		return 0;
	}
	d = in->has_base ? swt_sat_sub(own, swt_sat_mul(in->base_ticks, MICRO)) :
			   own;
	if (in->has_cbase)
		x = swt_sat_sub(ct, in->base_cticks);
	else if (in->born)
		x = ct;
	if (d > 0)
		carry_own(e, in, d, false);
	if (x > 0) {
		/* settled at the next sample (settle_fins()): children whose
		 * exits follow in this tick add to its pending */
		struct engine__fin *f;

		e->fins = swt_grow(e->fins, &e->cap_fins, e->n_fins + 1,
				   sizeof(*e->fins));
		f = &e->fins[e->n_fins];
		memset(f, 0, sizeof(*f));
		f->ident = in->cident;
		f->x = swt_sat_mul(x, MICRO);
		f->pending = in->pending_seen;
		f->counted_in = in->reaped_in;
		in->pending_seen = 0;
		in->fin = (uint32_t)e->n_fins++;
	}
	in->final_counted = true;
	/* never less than its rows showed: a thread group's record can
	 * miss threads that exited before the recording began */
	if (px->has_acct)
		in->final_micro = d > 0 || !in->has_base ?
					  (own > 0 ? own : 0) :
					  swt_sat_mul(in->base_ticks, MICRO);
	if (d > 0 || !in->has_base)
		in->base_ticks = ticks;
	if (x > 0 || !in->has_cbase)
		in->base_cticks = ct;
	in->has_base = true;
	in->has_cbase = true;
	return d > 0 ? d : 0;
}

/* The name of the thread module of a thread named name in instance in:
 * the display form (clean_name()); a name cut to COMM_MAX bytes that
 * starts its process module's longer one (its main thread, full_name())
 * is that name. */
static const char *thread_module_name(struct swt_engine *e,
				      const struct engine__inst *in,
				      const char *name)
{
	const struct engine__ident *id = &e->idents[in->ident];

	name = clean_name(e, name);
	if (strlen(name) == COMM_MAX && !id->by_rule &&
	    strlen(id->comm) > COMM_MAX && memcmp(id->comm, name, COMM_MAX) == 0)
		name = id->comm;
	return name;
}

/* The threads of an exiting process (format 1.10): each one's CPU since
 * its last row (its own exit record, to the µs) to its thread module, as
 * the process's since its last row goes to its process module, together
 * at most what the process's own took (room, micro-ticks: the process's
 * record is the sum of its threads'). A process that never had a thread
 * row (a multi-threaded command shorter than a sampling interval) gets
 * its threads' modules from their ends, by name, each with its CPU; in
 * one that had, a thread never sampled stays in its process's CPU alone
 * (its CPU may be before the process's last row). */
static void thread_ends(struct swt_engine *e, uint32_t idx,
			const struct swt_proc_exit *px, int64_t room)
{
	struct engine__inst *in = &e->insts[idx];
	bool rowless = in->thr_stamp == 0;
	size_t i;

	for (i = 0; i < px->n_threads && room > 0; i++) {
		const struct swt_thread_end *te = &px->threads[i];
		uint32_t ti = swt_imap_get(&e->tid_map, te->tid), mod;
		struct engine__thr *th = NULL;
		int64_t own, d;

		own = swt_sat_mul(swt_sat_add(clamp_u64(te->utime_us),
					      clamp_u64(te->stime_us)),
				  (int64_t)e->clock_ticks);
		if (ti != SWT_MAP_NONE) {
			th = &e->thrs[ti];
			if (!th->used || th->tgid != px->pid ||
			    th->inst_gen != in->gen ||
			    th->module == SWT_MAP_NONE)
				th = NULL;
		}
		if (th) {
			mod = th->module;
			d = swt_sat_sub(own,
					swt_sat_mul(th->base_ticks, MICRO));
		} else if (rowless && te->name[0]) {
			mod = module_get(e, SWT_KIND_THREAD, in->ident,
					 thread_module_name(e, in, te->name));
			e->mods[mod].instances++;
			d = own;
		} else {
			continue;
		}
		if (d <= 0)
			continue;
		if (d > room)
			d = room;
		carry_thread(e, mod, d, false);
		room -= d;
		/* (counted: nothing of it again) */
		if (th)
			th->base_ticks = swt_sat_add(th->base_ticks,
						     (d + MICRO - 1) / MICRO);
	}
}

static void on_proc_exit(struct swt_engine *e,
			 const struct swt_proc_exit *px)
{
	uint32_t idx = swt_imap_get(&e->pid_map, px->pid);
	struct engine__inst *in;
	int64_t room = 0;

	if (idx == SWT_MAP_NONE)
		return;
	in = &e->insts[idx];
	if (px->start_ticks && !in->anonymous &&
	    in->start_ticks != px->start_ticks)
		return;	/* an older process of the same pid */
	if (px->has_final && !in->anonymous)
		room = final_row(e, idx, px);
	if (px->n_threads && room > 0)
		thread_ends(e, idx, px, room);
	if (px->has_final_io && !in->anonymous && !in->by[BY_IO].unavail)
		io_final(e, in, px->final_read_bytes, px->final_write_bytes);
	if (px->has_final_net && !in->anonymous && e->net_in_file &&
	    !in->by[BY_NET].unavail)
		bytes_final(e, in, BY_NET, px->final_net_tx,
			    px->final_net_rx);
	if (px->has_acct && !in->anonymous) {
		struct engine__module *pm = &e->mods[in->proc_module];
		int64_t hw = clamp_u64(px->hiwater_rss_kib);

		if (hw > pm->proc_peak_kib)
			pm->proc_peak_kib = hw;
		io_exit(e, in, px);
	}
	inst_remove(e, idx);
}

/* ---- spans ------------------------------------------------------------- */

static struct engine__span_thr *span_thr(struct swt_engine *e, uint32_t idx,
					 int32_t tid, bool create)
{
	struct engine__inst *in = &e->insts[idx];
	struct engine__span_thr *st;
	size_t i;

	for (i = 0; i < in->n_spans; i++)
		if (in->spans[i].tid == tid)
			return &in->spans[i];
	if (!create)
		return NULL;
	in->spans = swt_grow(in->spans, &in->cap_spans, in->n_spans + 1,
			     sizeof(*in->spans));
	st = &in->spans[in->n_spans++];
	memset(st, 0, sizeof(*st));
	st->tid = tid;
	if (!in->in_span_list) {
		e->span_insts = swt_grow(e->span_insts, &e->cap_span_insts,
					 e->n_span_insts + 1,
					 sizeof(*e->span_insts));
		e->span_insts[e->n_span_insts++] = idx;
		in->in_span_list = true;
	}
	return st;
}

static struct engine__span_ent *span_ent(struct swt_engine *e,
					 struct engine__span_thr *st,
					 const char *name)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		if (strcmp(e->mods[st->ents[i].module].name, name) == 0)
			return &st->ents[i];
	return NULL;
}

/* ---- attribution --------------------------------------------------------- */

/* The column of module mi in its identity's regressions (0: none left). */
static uint32_t attr_col(struct swt_engine *e, uint32_t mi)
{
	struct engine__module *m = &e->mods[mi];
	struct engine__ident *id;

	if (m->attr_col || m->ident == SWT_MAP_NONE)
		return m->attr_col;
	id = &e->idents[m->ident];
	/* its processes' RSS readings become observations of its modules
	 * (at_reading()): none can stay quiet */
	wake_all(e);
	if (id->n_cols == 0)
		id->n_cols = 1;	/* column 0: outside every span */
	if (id->n_cols + 2 > SWT_ATTRIB_MAX) {
		id->cols_full = true;
		return 0;
	}
	/* its open time, then its spans ended */
	id->cols[id->n_cols] = mi;
	id->cols[id->n_cols + 1] = mi;
	m->attr_col = (uint32_t)id->n_cols;
	id->n_cols += 2;
	return m->attr_col;
}

/* Move module m's integral of open time to t. */
static void act_integrate(struct engine__module *m, int64_t t)
{
	if (t > m->act_t) {
		if (m->act_t)
			m->act_int = act_add(m->act_int, m->act_ns,
					     swt_sat_sub(t, m->act_t));
		m->act_t = t;
	}
}

/* Instance in's accumulators, allocated on first use. */
static int64_t *at_acc(struct engine__inst *in)
{
	if (!in->at_acc)
		in->at_acc = swt_calloc(SWT_ATTRIB_MAX, sizeof(*in->at_acc));
	return in->at_acc;
}

/* Advance instance in's open-time accumulators to t: every module open on
 * one of its threads gains the time once per thread, and the time with no
 * span open anywhere in the process goes to column 0. */
static void at_advance(struct swt_engine *e, struct engine__inst *in,
		       int64_t t)
{
	int64_t dt, *acc;
	bool any = false;
	size_t j, k;

	/* a process without instrumented modules has no regression: the
	 * common case, one test per process row */
	if (e->idents[in->ident].n_cols < 2) {
		in->at_t = t;
		return;
	}
	if (in->at_t == 0 || t <= in->at_t) {
		if (in->at_t == 0)
			in->at_t = t;
		return;
	}
	dt = swt_sat_sub(t, in->at_t);
	acc = at_acc(in);
	for (j = 0; j < in->n_spans; j++) {
		const struct engine__span_thr *st = &in->spans[j];

		for (k = 0; k < st->n; k++) {
			const struct engine__span_ent *ent = &st->ents[k];
			uint32_t c;

			if (ent->depth <= 0)
				continue;
			any = true;
			c = e->mods[ent->module].attr_col;
			if (c && e->mods[ent->module].ident == in->ident)
				acc[c] = swt_sat_add(acc[c], dt);
		}
	}
	if (!any)
		acc[0] = swt_sat_add(acc[0], dt);
	in->at_t = t;
}

/* An RSS reading of instance in at t: the change since its last reading
 * is one observation of its identity's memory regression. */
static void at_reading_cols(struct swt_engine *e, struct engine__inst *in,
			    int64_t t, int64_t rss_kib)
{
	struct engine__ident *id = &e->idents[in->ident];
	int64_t *acc;
	size_t c;

	at_advance(e, in, t);
	acc = at_acc(in);
	if (in->at_have) {
		if (!id->mem_attr) {
			id->mem_attr = swt_zalloc(sizeof(*id->mem_attr));
			swt_attrib_init(id->mem_attr);
		}
		swt_attrib_add(id->mem_attr, acc, id->n_cols,
			       rss_kib - in->at_rss);
		for (c = 1; c < id->n_cols; c += 2) {
			struct engine__module *m = &e->mods[id->cols[c]];

			if (!acc[c])
				continue;
			act_integrate(m, t);
			m->act_ns = swt_sat_add(m->act_ns, acc[c]);
		}
	}
	memset(acc, 0, SWT_ATTRIB_MAX * sizeof(*acc));
	in->at_have = true;
	in->at_rss = rss_kib;
}

static inline void at_reading(struct swt_engine *e, struct engine__inst *in,
			      int64_t t, int64_t rss_kib)
{
	if (e->idents[in->ident].n_cols >= 2) {
		at_reading_cols(e, in, t, rss_kib);
		return;
	}
	/* (the accumulators stay 0: at_advance adds nothing) */
	in->at_t = t;
	in->at_have = true;
	in->at_rss = rss_kib;
}

/* An unmeasured stretch of dt ns of module mi (SWT_MAP_NONE: outside any
 * span) into the thread's gap. */
static void gap_add(struct engine__span_thr *st, uint32_t mi, int64_t dt)
{
	uint32_t k;

	if (st->gap_bad)
		return;
	for (k = 0; k < st->gap_n; k++)
		if (st->gap_mod[k] == mi) {
			st->gap_wall[k] = swt_sat_add(st->gap_wall[k], dt);
			return;
		}
	if (st->gap_n == ENGINE_GAP) {
		st->gap_bad = true;
		return;
	}
	st->gap_mod[st->gap_n] = mi;
	st->gap_wall[st->gap_n++] = dt;
}

/* The thread burnt cpu (ns) between its last two readings, over the
 * unmeasured stretches of its gap: split among their modules (and the
 * time outside any span) in proportion to what each one's measured rate
 * says it burnt there, none more than its own time there. Where one of
 * them has no rate yet, the gap is left to the rates alone
 * (estimate_unmeasured(), at the sample). */
static void gap_settle(struct swt_engine *e, struct engine__span_thr *st,
		       int64_t cpu)
{
	int64_t wgt[ENGINE_GAP], est[ENGINE_GAP], wall = 0, sum = 0, total;
	int64_t rem;
	bool fixed[ENGINE_GAP];
	uint32_t k, n = st->gap_n;

	for (k = 0; k < n; k++) {
		int64_t c, w;

		if (st->gap_mod[k] == SWT_MAP_NONE) {
			c = st->out_cpu_ns;
			w = st->out_wall_ns;
		} else {
			c = e->mods[st->gap_mod[k]].meas_cpu_ns;
			w = e->mods[st->gap_mod[k]].meas_wall_ns;
		}
		if (w <= 0)
			return;
		wgt[k] = swt_muldiv(st->gap_wall[k], c, w);
		sum = swt_sat_add(sum, wgt[k]);
		wall = swt_sat_add(wall, st->gap_wall[k]);
		est[k] = 0;
		fixed[k] = false;
	}
	if (sum <= 0)	/* every rate 0: by time */
		for (k = 0; k < n; k++)
			wgt[k] = st->gap_wall[k];
	total = cpu < wall ? cpu : wall;	/* a thread burns one core */
	rem = total;
	for (;;) {
		int64_t wsum = 0;
		bool capped = false;

		for (k = 0; k < n; k++)
			if (!fixed[k])
				wsum = swt_sat_add(wsum, wgt[k]);
		if (wsum <= 0)
			break;
		for (k = 0; k < n; k++)
			if (!fixed[k] &&
			    swt_muldiv(rem, wgt[k], wsum) > st->gap_wall[k]) {
				est[k] = st->gap_wall[k];
				fixed[k] = true;
				capped = true;
			}
		if (capped) {
			rem = total;
			for (k = 0; k < n; k++)
				if (fixed[k])
					rem -= est[k];
			continue;
		}
		for (k = 0; k < n; k++)
			if (!fixed[k])
				est[k] = swt_muldiv(rem, wgt[k], wsum);
		break;
	}
	for (k = 0; k < n; k++) {
		struct engine__module *m;

		if (st->gap_mod[k] == SWT_MAP_NONE)
			continue;	/* outside modules: no one's */
		m = &e->mods[st->gap_mod[k]];
		m->unmeas_pend_ns = swt_sat_sub(m->unmeas_pend_ns,
						st->gap_wall[k]);
		if (m->unmeas_pend_ns < 0)
			m->unmeas_pend_ns = 0;
		if (est[k] <= 0)
			continue;
		m->cpu_est_ns = swt_sat_add(m->cpu_est_ns, est[k]);
		m->pend_micro = swt_sat_add(
			m->pend_micro,
			swt_muldiv(est[k], (int64_t)e->clock_ticks * MICRO,
				   NS_PER_S));
	}
}

/* A boundary of the thread's stretches at t (docs/analysis.md §
 * Attribution): a span's begin or end, v its CPU reading (0: not
 * measured), or a sample, v the thread's ticks so far (a reading that
 * continues a measured stretch but never starts one: ticks truncate). The
 * stretch since the previous boundary is the innermost open span's own
 * time: measured when both its ends are readings (the CPU between them
 * credited to it), otherwise waiting for an estimate at the module's
 * measured rate, or for its share of the CPU between the readings around
 * it when no sample comes between them (gap_settle()). A thread without
 * any reading yet is the regression's. */
static void boundary(struct swt_engine *e, struct engine__span_thr *st,
		     int64_t v, int64_t t, bool at_sample)
{
	bool reading = v > 0, measured = st->adjacent && reading;
	uint32_t n = st->n_stk;
	int64_t dt = t > st->t_bound ? t - st->t_bound : 0;
	int64_t d = measured && v > st->cpu_last ? v - st->cpu_last : 0;

	/* A sample's ticks are read some time after the sample's own time
	 * (a new process's first row: tens of ms on a loaded machine), so
	 * they may run ahead of the client's readings around it: a thread
	 * cannot burn more CPU than the time that passed, and what a sample
	 * credits is held to that (the span's end reading gives the rest). */
	if (at_sample && d > dt)
		d = dt;
	if (n > 0 && n <= ENGINE_STACK && st->cpu_last > 0) {
		struct engine__module *m = &e->mods[st->stk[n - 1]];

		if (d > 0) {
			m->cpu_self_ns = swt_sat_add(m->cpu_self_ns, d);
			m->pend_micro = swt_sat_add(
				m->pend_micro,
				swt_muldiv(d, (int64_t)e->clock_ticks * MICRO,
					   NS_PER_S));
		}
		if (dt > 0 && !at_sample) {
			m->n_timed++;
			m->timed_ns = swt_sat_add(m->timed_ns, dt);
		}
		if (measured && dt > 0) {
			double c = (double)d / 1e9, w = (double)dt / 1e9;

			m->meas_wall_ns = swt_sat_add(m->meas_wall_ns, dt);
			m->meas_cpu_ns = swt_sat_add(m->meas_cpu_ns, d);
			m->n_stretches++;
			m->st_c += c;
			m->st_w += w;
			m->st_cc += c * c;
			m->st_ww += w * w;
			m->st_cw += c * w;
		} else if (!measured && dt > 0) {
			m->unmeas_pend_ns = swt_sat_add(m->unmeas_pend_ns, dt);
			gap_add(st, st->stk[n - 1], dt);
		} else if (!measured && !at_sample) {
			m->untimed_pend++;
			st->gap_bad = true;
		}
	} else if (st->cpu_last > 0 && dt > 0) {
		if (n > ENGINE_STACK) {
			st->gap_bad = true;	/* whose, untracked */
		} else if (measured) {
			/* outside any span: the thread's own rate there */
			st->out_cpu_ns = swt_sat_add(st->out_cpu_ns, d);
			st->out_wall_ns = swt_sat_add(st->out_wall_ns, dt);
		} else {
			gap_add(st, SWT_MAP_NONE, dt);
		}
	}
	if (!at_sample && reading) {
		/* a reading closes the gap since the last one */
		if (!st->gap_bad && st->gap_n > 0 && st->cpu_last > 0)
			gap_settle(e, st, v > st->cpu_last ?
					      v - st->cpu_last : 0);
		st->gap_n = 0;
		st->gap_bad = false;
	}
	if (at_sample) {
		/* (adjacency stays: a tick reading starts nothing) */
		if (measured && d > 0)
			st->cpu_last += d;
	} else {
		st->adjacent = reading;
		if (v > st->cpu_last)
			st->cpu_last = v;
	}
	st->t_bound = t;
}

/* The CPU of module m's own time not measured in this interval: at its
 * rate in its measured stretches so far (none yet: it waits), never more
 * than one core. Into its interval's CPU. */
static void estimate_unmeasured(struct swt_engine *e, struct engine__module *m)
{
	int64_t est, wall = m->unmeas_pend_ns;

	if (m->untimed_pend && m->n_timed)
		wall = swt_sat_add(wall, swt_muldiv(m->timed_ns,
						    (int64_t)m->untimed_pend,
						    (int64_t)m->n_timed));
	if (wall <= 0 || m->meas_wall_ns <= 0)
		return;
	est = swt_muldiv(wall, m->meas_cpu_ns, m->meas_wall_ns);
	if (est > wall)
		est = wall;
	m->unmeas_pend_ns = 0;
	m->untimed_pend = 0;
	if (est <= 0)
		return;
	m->cpu_est_ns = swt_sat_add(m->cpu_est_ns, est);
	m->pend_micro = swt_sat_add(
		m->pend_micro,
		swt_muldiv(est, (int64_t)e->clock_ticks * MICRO, NS_PER_S));
}

static void stk_push(struct engine__span_thr *st, uint32_t mi, int64_t v,
		     int64_t t)
{
	if (st->n_stk == 0)
		st->busy_since = t;
	if (st->n_stk < ENGINE_STACK) {
		st->stk[st->n_stk] = mi;
		st->stk_begin[st->n_stk] = v;
	}
	st->n_stk++;
}

/* Pop module mi (the innermost entry of it); the outermost end of a
 * module adds its inclusive time. */
static void stk_pop(struct swt_engine *e, struct engine__span_thr *st,
		    uint32_t mi, int64_t v, bool measured, int64_t t)
{
	struct engine__module *m = &e->mods[mi];
	uint32_t n = st->n_stk < ENGINE_STACK ? st->n_stk : ENGINE_STACK;
	uint32_t i, j;
	bool outer = true;

	if (st->n_stk == 1 && t > st->busy_since)
		st->covered_ns = swt_sat_add(st->covered_ns,
					     t - st->busy_since);
	if (st->n_stk > ENGINE_STACK) {
		/* deeper than tracked: forget the untracked part */
		st->n_stk--;
		m->spans_estimated++;
		return;
	}
	for (i = n; i-- > 0;)
		if (st->stk[i] == mi)
			break;
	if (i == UINT32_MAX) {
		/* not on the stack (deeper than tracked when it began) */
		m->spans_estimated++;
		st->n_stk--;
		return;
	}
	for (j = 0; j < i; j++)
		if (st->stk[j] == mi)
			outer = false;
	if (measured && st->stk_begin[i] > 0) {
		m->spans_measured++;
		if (outer && v > st->stk_begin[i])
			m->cpu_total_ns = swt_sat_add(m->cpu_total_ns,
						      v - st->stk_begin[i]);
	} else {
		m->spans_estimated++;
	}
	memmove(&st->stk[i], &st->stk[i + 1], (n - i - 1) * sizeof(*st->stk));
	memmove(&st->stk_begin[i], &st->stk_begin[i + 1],
		(n - i - 1) * sizeof(*st->stk_begin));
	st->n_stk--;
}

static void on_events(struct swt_engine *e, const struct swt_event_batch *b)
{
	uint32_t idx = inst_lookup(e, b->pid);
	size_t i;

	for (i = 0; i < b->n; i++) {
		const struct swt_event *ev = &b->events[i];
		const char *name = clean_name(e, ev->name);
		struct engine__span_thr *st;
		struct engine__span_ent *ent;
		struct engine__inst *in = &e->insts[idx];
		int64_t t = ev->t_ns;

		/* an event older than the last sample is counted as of that
		 * sample: its interval is closed already */
		if (e->have_prev && t < e->t_prev)
			t = e->t_prev;
		if (ev->kind == SWT_EV_BEGIN || ev->kind == SWT_EV_END ||
		    ev->kind == SWT_EV_RSS)
			at_advance(e, in, t);
		switch (ev->kind) {
		case SWT_EV_BEGIN: {
			struct engine__module *m;
			uint32_t mi;

			st = span_thr(e, idx, ev->tid, true);
			ent = span_ent(e, st, name);
			if (!ent) {
				mi = module_get(e, SWT_KIND_MODULE, in->ident,
						name);
				st->ents = swt_grow(st->ents, &st->cap,
						    st->n + 1,
						    sizeof(*st->ents));
				ent = &st->ents[st->n++];
				memset(ent, 0, sizeof(*ent));
				ent->module = mi;
			}
			if (ent->depth == 0)
				ent->open_since = t;
			ent->depth++;
			attr_col(e, ent->module);
			boundary(e, st, ev->value, t, false);
			stk_push(st, ent->module, ev->value, t);
			m = &e->mods[ent->module];
			m->calls++;
			if (m->last_gen < in->gen) {
				m->last_gen = in->gen;
				m->instances++;
			}
			break;
		}
		case SWT_EV_END:
			st = span_thr(e, idx, ev->tid, false);
			ent = st ? span_ent(e, st, name) : NULL;
			if (!ent || ent->depth == 0) {
				e->span_anomalies++;
				break;
			}
			boundary(e, st, ev->value, t, false);
			stk_pop(e, st, ent->module, ev->value,
				ev->value > 0, t);
			ent->ends++;
			if (e->mods[ent->module].attr_col &&
			    e->mods[ent->module].ident == in->ident)
				at_acc(in)[e->mods[ent->module].attr_col +
					   1]++;
			if (--ent->depth == 0 && t > ent->open_since)
				ent->overlap_ns = swt_sat_add(
					ent->overlap_ns, t - ent->open_since);
			break;
		case SWT_EV_RSS:
			if (ev->value < 0)
				break;
			if (!in->client_rss) {
				/* its first: a baseline of the same kind */
				in->client_rss = true;
				in->at_have = false;
			}
			at_reading(e, in, t, ev->value);
			break;
		case SWT_EV_COUNT: {
			uint32_t ci = swt_smap_get(&e->ctr_map, 0, name,
						   strlen(name));
			struct engine__counter *c;

			if (ci == SWT_MAP_NONE) {
				e->ctrs = swt_grow(e->ctrs, &e->cap_ctrs,
						   e->n_ctrs + 1,
						   sizeof(*e->ctrs));
				ci = (uint32_t)e->n_ctrs++;
				c = &e->ctrs[ci];
				memset(c, 0, sizeof(*c));
				c->name = display_name(name);
				c->threshold = swt_thresholds_rate(&e->th,
								   name);
				c->ring = swt_calloc(
					(size_t)e->th.v[SWT_TH_HISTORY_SAMPLES],
					sizeof(*c->ring));
				swt_smap_put(&e->ctr_map, 0, name,
					     strlen(name), ci);
			}
			c = &e->ctrs[ci];
			c->count = swt_sat_add(c->count, ev->value);
			c->cur = swt_sat_add(c->cur, ev->value);
			break;
		}
		case SWT_EV_MARK:
			break;
		}
	}
	e->n_events += b->n;
}

void swt_engine_note_gap(struct swt_engine *e)
{
	size_t i, j, k;

	wake_all(e);
	e->q_have = false;
	e->sched_resync = true;
	for (i = 0; i < e->n_span_insts; i++) {
		struct engine__inst *in = &e->insts[e->span_insts[i]];

		for (j = 0; j < in->n_spans; j++) {
			struct engine__span_thr *st = &in->spans[j];

			for (k = 0; k < st->n; k++) {
				struct engine__span_ent *ent = &st->ents[k];

				if (ent->depth > 0 &&
				    e->t_last > ent->open_since)
					ent->overlap_ns = swt_sat_add(
						ent->overlap_ns,
						e->t_last - ent->open_since);
				ent->depth = 0;
			}
		}
	}
}

/* Attribute the threads' CPU of this interval to the modules whose spans
 * overlapped it (docs/analysis.md § Attribution). A thread whose spans
 * carry CPU readings gives each module exactly what it burnt (credited by
 * the events; a span still open at the sample gets the thread's ticks so
 * far). A thread without readings is one observation of its identity's
 * CPU regression: its ticks against the time each module was open on it. */
static void attribute_spans(struct swt_engine *e, int64_t t, int64_t t0)
{
	int64_t dt = t - t0, ct = (int64_t)e->clock_ticks;
	size_t i, j, k, w, ws;

	/* the modules of processes that exited in this interval */
	for (i = 0; i < e->n_orphan_mods; i++) {
		struct engine__module *m = &e->mods[e->orphan_mods[i]];

		m->orphan = false;
		touch(e, e->orphan_mods[i]);
		estimate_unmeasured(e, m);
		if (m->pend_micro > 0 && m->cur_obs_ns < dt)
			m->cur_obs_ns = dt;
		m->cur_ticks_micro = swt_sat_add(m->cur_ticks_micro,
						 m->pend_micro);
		m->pend_micro = 0;
	}
	e->n_orphan_mods = 0;

	for (i = 0; i < e->n_span_insts;) {
		uint32_t idx = e->span_insts[i];
		struct engine__inst *in = &e->insts[idx];
		struct engine__ident *id = &e->idents[in->ident];
		bool rows = in->stamp == e->seq;

		for (j = 0, ws = 0; j < in->n_spans; j++) {
			struct engine__span_thr *st = &in->spans[j];
			uint32_t ti = swt_imap_get(&e->tid_map, st->tid);
			int64_t d = 0, abs_ticks = -1, x[SWT_ATTRIB_MAX];
			int64_t covered = 0;
			bool known = false;

			if (ti != SWT_MAP_NONE && e->thrs[ti].stamp == e->seq &&
			    e->thrs[ti].tgid == in->pid) {
				d = e->thrs[ti].cur_delta_micro;
				abs_ticks = e->thrs[ti].base_ticks;
				known = true;
			} else if (rows && in->thr_stamp != e->seq) {
				/* no thread rows for this process: its
				 * ticks (of all its threads) stand in for
				 * the thread's */
				d = in->cur_delta_micro;
				known = true;
				if (in->thr_stamp == 0 && st->tid == in->pid)
					abs_ticks = in->base_ticks;
			}
			/* a measured span still open: the thread's ticks so
			 * far are a reading (ticks truncate, so it never
			 * credits more than was burnt); the interval's own
			 * time of the span ends here */
			if (st->n_stk > 0 && abs_ticks > 0)
				boundary(e, st,
					 swt_muldiv(abs_ticks, NS_PER_S, ct), t,
					 true);
			/* this interval's part of a gap is estimated now, at
			 * the rates: the gap is theirs to its end */
			st->gap_n = 0;
			st->gap_bad = true;
			memset(x, 0, sizeof(x));
			for (k = 0, w = 0; k < st->n; k++) {
				struct engine__span_ent ent = st->ents[k];
				int64_t ov = ent.overlap_ns;
				struct engine__module *m;

				if (ent.depth > 0 && t > ent.open_since)
					ov = swt_sat_add(ov, t - ent.open_since);
				if (ov > dt)
					ov = dt;
				touch(e, ent.module);
				m = &e->mods[ent.module];
				estimate_unmeasured(e, m);
				m->cur_ticks_micro = swt_sat_add(
					m->cur_ticks_micro, m->pend_micro);
				m->pend_micro = 0;
				if (ov > 0 && dt > 0) {
					m->cur_obs_ns = dt;
					if (st->cpu_last == 0 &&
					    m->attr_col &&
					    m->ident == in->ident) {
						int64_t f = swt_muldiv(
							ov, 1000000, dt);

						x[m->attr_col] = swt_sat_add(
							x[m->attr_col], ov);
						x[m->attr_col + 1] +=
							ent.ends;
						if (f > m->est_frac_ppm)
							m->est_frac_ppm = f;
					}
				}
				ent.overlap_ns = 0;
				ent.ends = 0;
				if (ent.depth > 0) {
					if (t > ent.open_since)
						ent.open_since = t;
					st->ents[w++] = ent;
				}
			}
			/* the time with a span open on it, nested ones once */
			covered = st->covered_ns;
			if (st->n_stk > 0 && t > st->busy_since)
				covered = swt_sat_add(covered,
						      t - st->busy_since);
			if (covered > dt)
				covered = dt;
			st->covered_ns = 0;
			if (st->n_stk > 0 && t > st->busy_since)
				st->busy_since = t;
			if (st->cpu_last == 0 && known && dt > 0 &&
			    covered > 0 && id->n_cols > 1) {
				x[0] = dt - covered;
				if (!id->cpu_attr) {
					id->cpu_attr = swt_zalloc(
						sizeof(*id->cpu_attr));
					swt_attrib_init(id->cpu_attr);
				}
				swt_attrib_add(id->cpu_attr, x, id->n_cols,
					       d < 0 ? 0 : d);
			}
			st->n = w;
			if (st->n)
				in->spans[ws++] = *st;
			else
				free(st->ents);
		}
		in->n_spans = ws;
		if (ws) {
			i++;
		} else {
			free(in->spans);
			in->spans = NULL;
			in->cap_spans = 0;
			in->in_span_list = false;
			memmove(&e->span_insts[i], &e->span_insts[i + 1],
				(e->n_span_insts - i - 1) *
					sizeof(*e->span_insts));
			e->n_span_insts--;
		}
	}
}

/* ---- alerts and spikes --------------------------------------------------- */

/* An alert, to the callback and into the (capped) list. */
static void emit_alert(struct swt_engine *e, const struct swt_alert_result *a)
{
	e->alerts_total++;
	if (e->on_alert)
		e->on_alert(a, e->payload);
	if (e->n_alerts < e->max_alerts) {
		e->alerts = swt_grow(e->alerts, &e->cap_alerts,
				     e->n_alerts + 1, sizeof(*e->alerts));
		e->alerts[e->n_alerts++] = *a;
	}
}

static void raise_alert(struct swt_engine *e, int64_t t,
			enum swt_alert_kind kind,
			const struct swt_subject *subj, int64_t value,
			int64_t threshold)
{
	struct swt_alert_result a;

	memset(&a, 0, sizeof(a));
	a.t_ns = t - e->origin_ns;
	a.kind = kind;
	a.subj = *subj;
	a.value = value;
	a.threshold = threshold;
	emit_alert(e, &a);
}

/* An alert that was on (raised at since_t with since_v) is cleared at t
 * by value (docs/analysis.md § 6). Nothing is kept: only the callback
 * hears of it. */
static void clear_alert(struct swt_engine *e, int64_t t,
			enum swt_alert_kind kind,
			const struct swt_subject *subj, int64_t since_t,
			int64_t since_v, int64_t value, int64_t threshold)
{
	struct swt_engine_event ev;

	if (!e->on_event)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.kind = SWT_ENGINE_ALERT_CLEARED;
	ev.t_ns = t - e->origin_ns;
	ev.alert.t_ns = since_t - e->origin_ns;
	ev.alert.kind = kind;
	ev.alert.subj = *subj;
	ev.alert.value = since_v;
	ev.alert.threshold = threshold;
	ev.duration_ns = swt_sat_sub(t, since_t);
	ev.value = value;
	ev.subj = *subj;
	e->on_event(&ev, e->payload);
}

/* alert_judge() at a crossing (above: v went above thr). */
static void __attribute__((noinline))
alert_turn(struct swt_engine *e, int64_t t, enum swt_alert_kind kind,
	   const struct swt_subject *subj, const struct engine__module *m,
	   int64_t v, int64_t thr, bool above, int64_t *since_t,
	   int64_t *since_v)
{
	struct swt_subject ms;

	if (!subj) {
		engine__subject(e, m, &ms);
		subj = &ms;
	}
	if (above) {
		raise_alert(e, t, kind, subj, v, thr);
		*since_t = t;
		*since_v = v;
	} else {
		clear_alert(e, t, kind, subj, *since_t, *since_v, v, thr);
	}
}

/* One judgement of value v against thr: an alert is raised when v goes
 * above, and cleared at the first judgement at or under it after that;
 * once per crossing. The subject is subj, or module m's when subj is NULL
 * (made only at a crossing: most judgements change nothing). */
static inline void alert_judge(struct swt_engine *e, int64_t t,
			       enum swt_alert_kind kind,
			       const struct swt_subject *subj,
			       const struct engine__module *m, int64_t v,
			       int64_t thr, bool *on, int64_t *since_t,
			       int64_t *since_v)
{
	bool above = v > thr;

	if (above != *on)
		alert_turn(e, t, kind, subj, m, v, thr, above, since_t,
			   since_v);
	*on = above;
}

/* ---- leaks, trends and forecasts while streaming ----------------------- */

/* The tests' schedule (docs/analysis.md § 8): at series counts c >= 8
 * that are multiples of k = pow2floor(c) / 4, between 2 and
 * ENGINE_TEST_EVERY_MAX: four tests per doubling of the series, then one
 * every ENGINE_TEST_EVERY_MAX values. The next count to test after c. */
static uint64_t next_test_count(uint64_t c)
{
	uint64_t p = 1, k;

	if (c < 8)
		return 8;
	while (p <= c / 2)
		p *= 2;
	k = p / 4;
	if (k < 2)
		k = 2;
	if (k > ENGINE_TEST_EVERY_MAX)
		k = ENGINE_TEST_EVERY_MAX;
	return (c / k + 1) * k;
}

static int64_t *engine_scratch(struct swt_engine *e)
{
	if (!e->scratch)
		e->scratch = swt_calloc(SWT_SERIES_SCRATCH, sizeof(*e->scratch));
	return e->scratch;
}

/* The forecast alert of process module m at a test at t: raised when its
 * leak test passes, its fitted level is under memory_mb and the forecast
 * reaches it within forecast_minutes (fc: the forecast, NULL if none).
 * With hysteresis, so that a young series does not make it flap: it
 * clears when the forecast goes beyond twice the horizon, or when two
 * tests in a row have no forecast (the leak test failed, or the level
 * reached memory_mb, where the memory alert speaks). */
static void forecast_judge(struct swt_engine *e, struct engine__module *m,
			   const struct swt_subject *subj, int64_t t,
			   const struct swt_forecast_result *fc)
{
	int64_t horizon = e->th.v[SWT_TH_FORECAST_MINUTES];
	bool on = fc && horizon > 0 && fc->eta_mmin <= horizon;

	if (fc)
		m->fc_miss = 0;
	else if (m->fc_miss < UINT8_MAX)
		m->fc_miss++;
	if (m->fc_on && !on && horizon > 0) {
		bool keep = fc ? fc->eta_mmin <= swt_sat_mul(horizon, 2) :
				 m->fc_miss < 2;

		if (keep)
			return;
	}

	if (on && !m->fc_on) {
		struct swt_alert_result *a = &m->fc_alert;

		memset(a, 0, sizeof(*a));
		a->t_ns = t - e->origin_ns;
		a->kind = SWT_ALERT_FORECAST;
		a->subj = *subj;
		a->value = fc->eta_mmin;
		a->threshold = horizon;
		a->eta_low = fc->eta_low_mmin;
		a->eta_high = fc->eta_high_mmin;
		a->level_mmb = fc->level_mmb;
		a->target_mmb = fc->target_mmb;
		emit_alert(e, a);
	} else if (!on && m->fc_on) {
		clear_alert(e, t, SWT_ALERT_FORECAST, subj,
			    swt_sat_add(m->fc_alert.t_ns, e->origin_ns),
			    m->fc_alert.value, fc ? fc->eta_mmin : -1, horizon);
	}
	m->fc_on = on;
}

/* The leak test of process module m on its series so far, at t (a
 * scheduled count): the first pass is told; the forecast alert is
 * judged. Most modules fail the quarters (O(buckets)) and cost nothing
 * more. */
static void leak_test(struct swt_engine *e, struct engine__module *m,
		      const struct swt_subject *subj, int64_t t)
{
	const struct swt_series *s = m->mem_series;
	struct swt_forecast_result fc;
	struct swt_trend tr;
	int64_t slope = 0;
	bool leak = false, has_fc = false;

	memset(&tr, 0, sizeof(tr));
	m->next_test = next_test_count(s->count);
	/* the rule's cheap necessary conditions first: rising quarters,
	 * then z (no Theil-Sen) */
	if (swt_series_quarters_rising(s) &&
	    swt_series_mk_z(s) >= ENGINE_Z_99_MILLI) {
		swt_series_trend_kept(s, &m->mem_slopes, engine_scratch(e),
				      &tr);
		slope = swt_div_round(tr.slope_milli, 1024);
		leak = engine__is_leak(e, &tr, slope);
	}
	if (leak && !m->leak_sig) {
		m->leak_sig = true;
		m->leak_sig_t = t;
		if (e->on_event) {
			struct swt_engine_event ev;

			memset(&ev, 0, sizeof(ev));
			ev.kind = SWT_ENGINE_LEAK_SIGNIFICANT;
			ev.t_ns = t - e->origin_ns;
			ev.subj = *subj;
			ev.resource = SWT_RES_MEMORY;
			ev.direction = SWT_DIR_INCREASING;
			ev.value = slope;
			ev.z_milli = tr.z_milli;
			e->on_event(&ev, e->payload);
		}
	}
	if (leak && e->th.v[SWT_TH_FORECAST_MINUTES] > 0)
		has_fc = engine__forecast(e, s, &m->mem_slopes, &tr,
					  engine_scratch(e), &fc);
	if (has_fc || m->fc_on)
		forecast_judge(e, m, subj, t, has_fc ? &fc : NULL);
}

/* The tree's memory (r memory) or CPU trend at a scheduled count: a
 * direction it takes for the first time is told. */
static void trend_test(struct swt_engine *e, enum swt_resource r, int64_t t)
{
	struct engine__module *ses = &e->session;
	const struct swt_series *s =
		r == SWT_RES_CPU ? ses->cpu_series : ses->mem_series;
	struct swt_trend tr;
	enum swt_direction dir;
	int64_t slope;
	unsigned bit;

	if (r == SWT_RES_CPU)
		ses->next_test_cpu = next_test_count(s->count);
	else
		ses->next_test = next_test_count(s->count);
	swt_series_trend_kept(s, r == SWT_RES_CPU ? &ses->cpu_slopes :
						    &ses->mem_slopes,
			      engine_scratch(e), &tr);
	if (r == SWT_RES_CPU) {
		slope = swt_div_round(tr.slope_milli, 1000);
		dir = engine__direction(
			&tr, slope, e->th.v[SWT_TH_TREND_CPU_PERCENT_PER_MIN],
			1000);
	} else {
		slope = swt_div_round(tr.slope_milli, 1024);
		dir = engine__direction(&tr, slope,
					e->th.v[SWT_TH_TREND_MB_PER_MIN], 1024);
	}
	bit = dir == SWT_DIR_INCREASING ? 1u :
	      dir == SWT_DIR_DECREASING ? 2u :
					  0u;
	if (!bit || (ses->trend_sig[r == SWT_RES_CPU] & bit))
		return;
	ses->trend_sig[r == SWT_RES_CPU] |= (uint8_t)bit;
	if (e->on_event) {
		struct swt_engine_event ev;

		memset(&ev, 0, sizeof(ev));
		ev.kind = SWT_ENGINE_TREND_SIGNIFICANT;
		ev.t_ns = t - e->origin_ns;
		engine__subject(e, ses, &ev.subj);
		ev.resource = r;
		ev.direction = dir;
		ev.value = slope;
		ev.z_milli = tr.z_milli;
		e->on_event(&ev, e->payload);
	}
}

static int64_t res_value(const struct engine__module *m,
			 enum swt_resource r)
{
	switch (r) {
	case SWT_RES_CPU:
		break;
	case SWT_RES_MEMORY:
		return m->cur_mmb;
	case SWT_RES_IO:
		return m->by[BY_IO].cur;
	case SWT_RES_NET:
		return m->by[BY_NET].cur;
	}
	return m->cur_mpct;
}

/* The threshold a value of resource r is judged against. */
static int64_t res_threshold(const struct swt_engine *e, enum swt_resource r)
{
	switch (r) {
	case SWT_RES_CPU:
		break;
	case SWT_RES_MEMORY:
		return e->th.v[SWT_TH_MEMORY_MB];
	case SWT_RES_IO:
		return e->th.v[SWT_TH_IO_MB_PER_S];
	case SWT_RES_NET:
		return e->th.v[SWT_TH_NET_MB_PER_S];
	}
	return e->th.v[SWT_TH_CPU_PERCENT];
}

/* Does module c take part in a spike of subject s (at the peak)? The session
 * lists processes and modules; a process lists its own threads and
 * modules. */
static bool spike_member(const struct engine__module *s,
			 const struct engine__module *c, enum swt_resource r)
{
	if (c == s)
		return false;
	if (r == SWT_RES_MEMORY && !c->cur_mem)
		return false;
	if (r == SWT_RES_IO && !c->by[BY_IO].cur_has)
		return false;
	if (r == SWT_RES_NET && !c->by[BY_NET].cur_has)
		return false;
	if (s->kind == SWT_KIND_SESSION)
		return c->kind == SWT_KIND_PROCESS ||
		       c->kind == SWT_KIND_MODULE;
	return c->kind != SWT_KIND_PROCESS && c->ident == s->ident;
}

/* Order of the "active" list: value desc, then name, kind. */
static bool active_before(const struct engine__module *a,
			  const struct engine__module *b,
			  enum swt_resource r)
{
	int64_t va = res_value(a, r), vb = res_value(b, r);
	int c;

	if (va != vb)
		return va > vb;
	c = strcmp(a->name, b->name);
	if (c != 0)
		return c < 0;
	return a->kind < b->kind;
}

static void spike_snapshot(struct swt_engine *e, struct engine__module *s,
			   enum swt_resource r)
{
	struct engine__spike *sp = &s->spike[r];
	size_t i, j;

	sp->n_active = 0;
	for (i = 0; i < e->n_touched; i++) {
		uint32_t ci = e->touched[i];
		struct engine__module *c = &e->mods[ci];

		if (!spike_member(s, c, r) || res_value(c, r) <= 0)
			continue;
		/* insertion into a top-N list */
		for (j = sp->n_active; j > 0; j--) {
			if (!active_before(c, &e->mods[sp->active[j - 1]], r))
				break;
			if (j < SWT_SPIKE_ACTIVE_MAX)
				sp->active[j] = sp->active[j - 1];
		}
		if (j < SWT_SPIKE_ACTIVE_MAX) {
			sp->active[j] = ci;
			if (sp->n_active < SWT_SPIKE_ACTIVE_MAX)
				sp->n_active++;
		}
	}
}

static void spike_close(struct swt_engine *e, struct engine__module *s,
			enum swt_resource r)
{
	struct engine__spike *sp = &s->spike[r];
	struct swt_spike_result *out;
	size_t i;

	if (!sp->open)
		return;
	sp->open = false;
	e->spikes_total++;
	if (e->n_spikes >= e->max_spikes)
		return;
	e->spikes = swt_grow(e->spikes, &e->cap_spikes, e->n_spikes + 1,
			     sizeof(*e->spikes));
	out = &e->spikes[e->n_spikes++];
	memset(out, 0, sizeof(*out));
	out->resource = r;
	engine__subject(e, s, &out->subj);
	out->start_ns = sp->start_ns - e->origin_ns;
	out->duration_ns = sp->last_ns - sp->start_ns;
	out->peak_t_ns = sp->peak_ns - e->origin_ns;
	out->peak = sp->peak;
	out->baseline = sp->baseline;
	out->threshold = res_threshold(e, r);
	out->n_active = sp->n_active;
	for (i = 0; i < sp->n_active; i++)
		out->active[i] = e->mods[sp->active[i]].name;
}

/* One step of the spike rule for subject s and resource r with value v at
 * time t (interval start t0). */
static void spike_step(struct swt_engine *e, struct engine__module *s,
		       enum swt_resource r, int64_t t0, int64_t t, int64_t v)
{
	struct engine__hist *h = &s->hist[r];
	struct engine__spike *sp = &s->spike[r];
	int64_t thr = res_threshold(e, r);
	int64_t factor = e->th.v[SWT_TH_SPIKE_FACTOR];
	int64_t base = 0;
	bool over_factor = false;

	/* (the baseline decides nothing for a value at or under the
	 * threshold, the common case: not computed then) */
	if (v > thr) {
		base = h->n ? hist_mean(h) : 0;
		/* v x 1000 >= base x factor, exactly (v can be absurd) */
		over_factor = (swt_i128)v * 1000 >= (swt_i128)base * factor;
	}
	/* the baseline moves with the history (which takes in the spike
	 * itself): a new level of load stops being a spike once it is the
	 * recent history */
	if (sp->open) {
		if (v > thr && over_factor) {
			sp->last_ns = t;
			if (v > sp->peak) {
				sp->peak = v;
				sp->peak_ns = t;
				spike_snapshot(e, s, r);
			}
		} else {
			spike_close(e, s, r);
		}
	} else if (h->n > 0) {
		if (v > thr && v > base && over_factor) {
			sp->open = true;
			sp->start_ns = t0;
			sp->last_ns = t;
			sp->baseline = base;
			sp->peak = v;
			sp->peak_ns = t;
			spike_snapshot(e, s, r);
			if (s->kind == SWT_KIND_PROCESS &&
			    !s->in_open_spikes) {
				e->open_spikes = swt_grow(
					e->open_spikes, &e->cap_open_spikes,
					e->n_open_spikes + 1,
					sizeof(*e->open_spikes));
				e->open_spikes[e->n_open_spikes++] =
					(uint32_t)(s - e->mods);
				s->in_open_spikes = true;
			}
		}
	}
	hist_push(h, v);
}

/* ---- samples ------------------------------------------------------------- */

/* ---- quiet processes and threads (docs/analysis.md § 15) --------------- */

/* The pairs of bytes a process row reads (row_bytes()): disk I/O, and the
 * network when the file has it. */
static inline int by_pairs(const struct swt_engine *e)
{
	return e->net_in_file ? BY_N : 1;
}

static const uint32_t by_unavail[BY_N] = { SWT_PF_IO_UNAVAILABLE,
					   SWT_PF_NET_UNAVAILABLE };
/* the flags a process row's bytes depend on (row_bytes()) */
#define Q_FLAGS (SWT_PF_IO_UNAVAILABLE | SWT_PF_IO_NOT_SAMPLED | \
		 SWT_PF_NET_UNAVAILABLE | SWT_PF_NET_NOT_SAMPLED)
static const uint32_t by_not_sampled[BY_N] = { SWT_PF_IO_NOT_SAMPLED,
					       SWT_PF_NET_NOT_SAMPLED };

static void qmod_update(struct swt_engine *e, uint32_t mi)
{
	struct engine__quiet *q = &e->mods[mi].q;
	bool want = q->n || q->n_thr;

	if (want && !q->pos) {
		e->qmods = swt_grow(e->qmods, &e->cap_qmods, e->n_qmods + 1,
				    sizeof(*e->qmods));
		e->qmods[e->n_qmods++] = mi;
		q->pos = (uint32_t)e->n_qmods;
	} else if (!want && q->pos) {
		uint32_t last = e->qmods[--e->n_qmods];

		e->qmods[q->pos - 1] = last;
		e->mods[last].q.pos = q->pos;
		q->pos = 0;
	}
}

/* What pair k of quiet instance in adds to its module's sums q (sign 1)
 * or takes back (-1). */
static inline void quiet_pair(struct engine__quiet *q,
			      const struct engine__inst *in, int k, int sign)
{
	/* a repeat of a reading reads nothing more: a rate of 0 (rated:
	 * the reading before is its base) */
	bool reading = in->q_tmask & (1u << k);

	if (!reading && !in->by[k].rated)
		return;
	q->n_rated[k] += (uint32_t)sign;
	if (!reading)
		q->rate[k] += sign * in->by[k].rate;
}

/* What quiet instance in adds to its module's sums (sign 1) or takes
 * back (-1): its state does not change while it is quiet. */
static void quiet_sums(struct swt_engine *e, const struct engine__inst *in,
		       int sign)
{
	struct engine__quiet *q = &e->mods[in->proc_module].q;
	int k, j;

	q->n += (uint32_t)sign;
	if (in->mem_row) {
		q->n_mem += (uint32_t)sign;
		q->rss_kib += sign * in->rss_kib;
	}
	for (k = 0; k < by_pairs(e); k++)
		quiet_pair(q, in, k, sign);
	if (e->net_in_file && in->by[BY_NET].have) {
		q->n_socks += (uint32_t)sign;
		for (j = 0; j < ENGINE_SOCK_KINDS; j++)
			q->socks[j] += sign * in->by[BY_NET].socks[j];
	}
}

/* After instance idx took a row (its flags `flags`): a repeat of it would
 * read no CPU, no bytes and the same memory, and every repeat after that
 * one changes nothing but the stamp and times of reading; each adds the
 * same to its module. Quiet from the next sample on (its repeats passed
 * over), unless something those repeats would do is not that simple. */
static void inst_rest(struct swt_engine *e, uint32_t idx, uint32_t flags)
{
	struct engine__inst *in = &e->insts[idx];
	uint32_t mi = in->proc_module;
	uint8_t tmask = 0;
	int k, j;

	if (!in->has_base || in->born || in->in_span_list ||
	    e->idents[in->ident].n_cols >= 2 || in->rss_kib >= ENGINE_QUIET_MAX)
		return;
	for (k = 0; k < by_pairs(e); k++) {
		const struct engine__bytes *bs = &in->by[k];

		if (!(flags & (by_unavail[k] | by_not_sampled[k]))) {
			/* a reading: its time moves; its module counted
			 * bytes already (bytes_reading()) */
			if (!e->mods[mi].by[k].known)
				return;
			tmask |= (uint8_t)(1u << k);
		}
		if (bs->rated && (bs->rate < 0 || bs->rate >= ENGINE_QUIET_MAX))
			return;
		if ((tmask & (1u << k)) && !bs->have)
			return;	/* (never: a reading sets it) */
	}
	if (e->net_in_file && in->by[BY_NET].have)
		for (j = 0; j < ENGINE_SOCK_KINDS; j++)
			if (in->by[BY_NET].socks[j] < 0 ||
			    in->by[BY_NET].socks[j] >= ENGINE_QUIET_MAX)
				return;
	in->q_tmask = tmask;
	in->q_flags = flags & Q_FLAGS;
	/* (read by this sample's thread rows only, which are taken) */
	in->born_now = false;
	quiet_sums(e, in, 1);
	qmod_update(e, mi);
	e->q_inst[idx] = 1;
	e->n_quiet_insts++;
}

/* The sample of instance idx's last row (taken or passed over as a
 * repeat): a quiet one had its row in every sample whose rows were all
 * walked as deltas since (procs_aligned_delta()), which sets no inst_seq
 * of its own. */
static inline uint64_t inst_last(const struct swt_engine *e, uint32_t idx)
{
	uint64_t v = e->inst_seq[idx];

	return e->q_inst[idx] && e->q_all_seq > v ? e->q_all_seq : v;
}

/* Quiet instance idx takes its place again as of the last sample: what
 * the repeats passed over since its last row taken (its stamp) would have
 * set, if there were any. */
static void inst_unrest(struct swt_engine *e, uint32_t idx)
{
	struct engine__inst *in = &e->insts[idx];
	int k;

	quiet_sums(e, in, -1);
	qmod_update(e, in->proc_module);
	e->inst_seq[idx] = inst_last(e, idx);
	e->q_inst[idx] = 0;
	e->n_quiet_insts--;
	if (e->inst_seq[idx] == in->stamp)
		return;	/* none: as its row left it */
	in->stamp = e->inst_seq[idx];
	in->counted = e->done_dt > 0;
	in->cur_delta_micro = 0;
	if (in->mem_row && !in->client_rss)
		in->at_t = e->done_t;
	for (k = 0; k < BY_N; k++) {
		if (!(in->q_tmask & (1u << k)))
			continue;
		in->by[k].t = e->done_t;
		in->by[k].rated = true;
		in->by[k].rate = 0;
	}
}

/* A quiet thread wakes. Nothing of it needs setting: its stamp and CPU
 * delta are read only in a sample it took a row in (attribute_spans(),
 * the removal of threads without a row), its process's thread stamp only
 * for being 0 (it is not) or this sample's. */
static void thr_unrest(struct swt_engine *e, uint32_t ti)
{
	if (!e->in_twalk) {
		/* (woken out of thrs_aligned(): its place is not listed) */
		e->twake_gen++;
		e->tawake_ok = false;
	}
	e->mods[e->thr_mod[ti]].q.n_thr--;
	qmod_update(e, e->thr_mod[ti]);
	e->q_thr[ti] = 0;
	e->n_quiet_thrs--;
	e->q_nthr[e->thr_inst[ti]]--;
}

/* The quiet threads of instance idx wake. */
static void wake_threads_of(struct swt_engine *e, uint32_t idx)
{
	size_t i;

	for (i = 0; i < e->n_thrs && e->q_nthr[idx]; i++)
		if (e->q_thr[i] && e->thr_inst[i] == idx)
			thr_unrest(e, (uint32_t)i);
}

/* Instance idx and its threads, quiet or not, as a full row would leave
 * them: before a record about it is taken. */
static void wake_inst(struct swt_engine *e, uint32_t idx)
{
	if (idx == SWT_MAP_NONE || idx >= e->n_insts)
		return;
	if (e->q_nthr[idx])
		wake_threads_of(e, idx);
	if (e->q_inst[idx]) {
		inst_unrest(e, idx);
		e->wake_gen++;
		e->pawake_ok = false;
	}
}

static void wake_all(struct swt_engine *e)
{
	size_t i;

	for (i = 0; i < e->n_thrs && e->n_quiet_thrs; i++)
		if (e->q_thr[i])
			thr_unrest(e, (uint32_t)i);
	for (i = 0; i < e->n_insts && e->n_quiet_insts; i++)
		if (e->q_inst[i])
			inst_unrest(e, (uint32_t)i);
	e->wake_gen++;
	e->pawake_ok = false;
}

/* After thread ti took a row: quiet from the next sample on (on_thread_row():
 * a repeat adds nothing but its module's time observed), if its process
 * took a base and has no spans. */
static void thr_rest(struct swt_engine *e, uint32_t ti)
{
	struct engine__thr *th = &e->thrs[ti];
	struct engine__inst *in = &e->insts[th->inst_idx];

	if (th->module == SWT_MAP_NONE || !th->name[0] || !in->has_base ||
	    in->in_span_list || e->idents[in->ident].n_cols >= 2)
		return;
	e->q_thr[ti] = 1;
	e->thr_inst[ti] = th->inst_idx;
	e->thr_mod[ti] = th->module;
	e->n_quiet_thrs++;
	e->q_nthr[th->inst_idx]++;
	e->mods[th->module].q.n_thr++;
	qmod_update(e, th->module);
}

/* What the quiet processes and threads add to this sample (on_proc_row(),
 * row_bytes(), row_socks(), on_thread_row() for a repeat): sums of
 * values that are never negative, in any order. */
static void quiet_sample(struct swt_engine *e, int64_t t, int64_t t0)
{
	struct engine__module *ses = &e->session;
	int64_t dt = t - t0;
	size_t i;
	int k, j;

	for (i = 0; i < e->n_qmods; i++) {
		uint32_t mi = e->qmods[i];
		struct engine__module *m = &e->mods[mi];
		const struct engine__quiet *q = &m->q;

		touch(e, mi);
		if (dt > 0 && dt > m->cur_obs_ns)
			m->cur_obs_ns = dt;
		if (q->n_thr) {
			e->n_thr_rows += q->n_thr;
			if (dt > 0 && e->sat_ticks <= 0)
				m->cur_sat = true;
		}
		if (!q->n)
			continue;
		if (dt > 0)
			e->any_counted = true;
		e->n_proc_samples += q->n;
		if (q->n_mem) {
			m->cur_rss_kib = swt_sat_add(m->cur_rss_kib,
						     q->rss_kib);
			m->cur_mem = true;
			ses->cur_rss_kib = swt_sat_add(ses->cur_rss_kib,
						       q->rss_kib);
			e->any_mem = true;
		}
		for (k = 0; k < BY_N && t > t0; k++) {
			if (!q->n_rated[k])
				continue;
			if (q->rate[k]) {
				m->by[k].cur = swt_sat_add(m->by[k].cur,
							   q->rate[k]);
				ses->by[k].cur = swt_sat_add(ses->by[k].cur,
							     q->rate[k]);
			}
			m->by[k].cur_has = true;
			ses->by[k].cur_has = true;
			m->cur_by = ses->cur_by = true;
		}
		for (j = 0; j < ENGINE_SOCK_KINDS && q->n_socks; j++) {
			if (!q->socks[j])
				continue;
			m->cur_by = ses->cur_by = true;
			m->by[BY_NET].cur_socks[j] = swt_sat_add(
				m->by[BY_NET].cur_socks[j], q->socks[j]);
			ses->by[BY_NET].cur_socks[j] = swt_sat_add(
				ses->by[BY_NET].cur_socks[j], q->socks[j]);
		}
	}
}

static void thread_remove(struct swt_engine *e, uint32_t ti)
{
	e->twake_gen++;
	e->tawake_ok = false;
	if (e->q_thr[ti])
		thr_unrest(e, ti);
	swt_imap_del(&e->tid_map, e->thrs[ti].tid);
	memset(&e->thrs[ti], 0, sizeof(e->thrs[ti]));
	e->free_thrs = swt_grow(e->free_thrs, &e->cap_free_thrs,
				e->n_free_thrs + 1, sizeof(*e->free_thrs));
	e->free_thrs[e->n_free_thrs++] = ti;
}

/* The slot of id in the previous sample's rows, found by walking them in
 * step with the current (sorted) rows; SWT_MAP_NONE if absent. */
static inline uint32_t walk(const struct engine__slot *prev, size_t n,
			    size_t *pos, int32_t id)
{
	size_t p = *pos;

	while (p < n && prev[p].id < id)
		p++;
	*pos = p;
	return p < n && prev[p].id == id ? prev[p].idx : SWT_MAP_NONE;
}

/* strcmp(a, b) == 0, inline: thread names are short */
static inline bool same_str(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* Whether a row's name is thread th's (kept inline, not ""): the name of
 * the row of the same decoding found equal before, at the same address,
 * or the same bytes (then remembered). */
static inline bool thr_name_same(const struct swt_engine *e,
				 struct engine__thr *th, const char *name)
{
	if (!th->name[0])
		return false;
	if (name == th->name_p && e->decode_id && e->decode_id == th->name_dec)
		return true;
	if (!same_str(th->name, name))
		return false;
	th->name_p = name;
	th->name_dec = e->decode_id;
	return true;
}

static inline void remember(struct engine__slot **arr, size_t *n, size_t *cap,
		     int32_t id, uint32_t idx)
{
	if (*n == *cap)
		*arr = swt_grow(*arr, cap, *n + 1, sizeof(**arr));
	(*arr)[*n].id = id;
	(*arr)[*n].idx = idx;
	(*n)++;
}

static uint32_t pid_slot(struct swt_engine *e, int32_t pid)
{
	uint32_t idx = walk(e->prev_pids, e->n_prev_pids, &e->walk_pid, pid);

	/* the cached slot is right if it still holds this pid: a slot freed
	 * and reused for the same pid is that pid's current instance */
	if (idx == SWT_MAP_NONE || !e->insts[idx].used ||
	    e->insts[idx].pid != pid)
		idx = inst_lookup(e, pid);
	remember(&e->cur_pids, &e->n_cur_pids, &e->cap_cur_pids, pid, idx);
	return idx;
}

/* The module "COMM (reaped children)" of identity ident. */
static uint32_t reaped_module(struct swt_engine *e, uint32_t ident)
{
	struct swt_buf name = SWT_BUF_INIT;
	uint32_t mi;

	if (e->idents[ident].has_reaped)
		return e->idents[ident].reaped_module;
	swt_buf_printf(&name, "%s (reaped children)",
		       e->idents[ident].comm[0] ? e->idents[ident].comm : "?");
	mi = module_get(e, SWT_KIND_PROCESS, ident, name.ptr);
	swt_buf_fini(&name);
	e->mods[mi].reaped = true;
	e->idents[ident].reaped_module = mi;
	e->idents[ident].has_reaped = true;
	return mi;
}

static void on_proc_row(struct swt_engine *e, const struct swt_proc_row *row,
			uint32_t idx, int64_t t, int64_t t0)
{
	struct engine__inst *in = &e->insts[idx];
	int64_t ticks = swt_sat_add(row->utime, row->stime), d = 0, obs = 0;
	int64_t dt = t - t0;
	uint32_t mi = in->proc_module;
	struct engine__module *m;
	/* (a process born since the start of a launched session, in a first
	 * sample that is no baseline for it: no base taken) */
	bool defer = e->defer_first && in->born && !in->has_base;

	in->counted = false;
	in->born_now = false;
	if (in->has_base) {
		d = swt_sat_sub(ticks, in->base_ticks);
		obs = dt;
		in->counted = dt > 0;
	} else if (in->born && dt > 0) {
		/* started during this interval: all its ticks are new. It
		 * counts as observed for the whole interval: its ticks are
		 * whole 1/clock_ticks s, and dividing them by a few
		 * milliseconds of life would make up huge peaks. */
		d = ticks;
		obs = dt;
		in->counted = true;
		in->born_now = true;
	}
	/* a short interval after an earlier sample: the CPU since (all of
	 * it for a process born in it, and for its threads) joins the last
	 * interval of its module and of the tree */
	if (e->short_late && !in->has_base && in->born) {
		d = ticks;
		in->born_now = true;
	}
	if (e->short_late && (in->has_base || in->born) && d > 0)
		carry_own(e, in, swt_sat_mul(d, MICRO), true);
	if (d < 0 || !in->counted)
		d = 0;	/* counters never go back; a reset rebases */
	if (obs < 0)
		obs = 0;
	if (in->counted)
		e->any_counted = true;
	/* the children it reaped in this interval (all it reaped if it was
	 * born in it; the first reading of an older process is a base) */
	{
		int64_t ct = swt_sat_add(row->cutime, row->cstime), x = 0;

		if (in->has_cbase)
			x = swt_sat_sub(ct, in->base_cticks);
		else if (in->born && (dt > 0 || e->short_late))
			x = ct;
		if (!defer) {
			in->has_cbase = true;
			in->base_cticks = ct;
		}
		if (x > 0 &&
		    (in->counted ||
		     (e->short_late && (in->has_base || in->born))))
			reap_unseen(e, in->cident, swt_sat_mul(x, MICRO),
				    &in->pending_seen, &in->reaped_in);
		in->cident = in->ident;
	}
	if (!defer) {
		in->born = false;
		in->has_base = true;
		in->base_ticks = ticks;
	}
	if (in->variant != ENGINE_NO_VARIANT)
		e->variants[in->variant].micro = swt_sat_add(
			e->variants[in->variant].micro, swt_sat_mul(d, MICRO));
	in->stamp = e->seq;
	e->inst_seq[idx] = e->seq;
	in->cur_delta_micro = swt_sat_mul(d, MICRO);
	in->rss_kib = row->rss_kib > 0 ? row->rss_kib : 0;
	/* a row with neither RSS nor VSZ is a process read while it exits
	 * (a zombie, its memory already freed): its CPU counts, but it is
	 * no memory observation (it would pull a series down to 0 at its
	 * end) */
	in->mem_row = row->rss_kib != 0 || row->vsz_kib != 0;
	/* a process whose client reads its RSS at span boundaries is
	 * regressed on those readings alone: the sampler's come from another
	 * file (/proc/PID/stat, an approximate per-CPU sum on recent kernels)
	 * and can differ by hundreds of KiB, a sawtooth the regression would
	 * pin on whichever module ends next */
	if (in->mem_row && !in->client_rss)
		at_reading(e, in, t, in->rss_kib);

	touch(e, mi);
	m = &e->mods[mi];
	m->cur_ticks_micro = swt_sat_add(m->cur_ticks_micro,
					 in->cur_delta_micro);
	if (obs > m->cur_obs_ns)
		m->cur_obs_ns = obs;
	e->session.cur_ticks_micro = swt_sat_add(e->session.cur_ticks_micro,
						 in->cur_delta_micro);
	if (in->mem_row) {
		if (in->rss_kib > m->proc_peak_kib)
			m->proc_peak_kib = in->rss_kib;
		m->cur_rss_kib = swt_sat_add(m->cur_rss_kib, in->rss_kib);
		m->cur_mem = true;
		e->session.cur_rss_kib = swt_sat_add(e->session.cur_rss_kib,
						     in->rss_kib);
		e->any_mem = true;
	}
	/* disk I/O and network: read every few ticks (about once a
	 * second); the rate of the last window is held in between */
	row_bytes(e, in, mi, BY_IO, row->flags, SWT_PF_IO_UNAVAILABLE,
		  SWT_PF_IO_NOT_SAMPLED, row->io_read, row->io_write, t, t0);
	if (e->net_in_file) {
		row_bytes(e, in, mi, BY_NET, row->flags,
			  SWT_PF_NET_UNAVAILABLE, SWT_PF_NET_NOT_SAMPLED,
			  row->net_tx, row->net_rx, t, t0);
		row_socks(e, in, mi, row);
	}
	in->held_base = false;
	e->n_proc_samples++;
}

/* Thread row `row`; ti its slot in the previous sample's rows (or
 * SWT_MAP_NONE). Returns its slot now, SWT_MAP_NONE when not taken. */
static uint32_t on_thread_row(struct swt_engine *e,
			      const struct swt_thread_row *row, int64_t dt,
			      uint32_t ti)
{
	uint32_t idx;
	const char *name = row->name ? row->name : "";
	struct engine__inst *in;
	struct engine__thr *th;
	struct engine__module *m;
	int64_t ticks = swt_sat_add(row->utime, row->stime), d, obs = dt;
	int64_t late = 0;
	bool fresh, counted, born_now;

	if (ti != SWT_MAP_NONE &&
	    (!e->thrs[ti].used || e->thrs[ti].tid != row->tid))
		ti = SWT_MAP_NONE;
	if (ti != SWT_MAP_NONE && e->thrs[ti].tgid == row->tgid &&
	    e->insts[e->thrs[ti].inst_idx].used &&
	    e->insts[e->thrs[ti].inst_idx].gen == e->thrs[ti].inst_gen &&
	    inst_last(e, e->thrs[ti].inst_idx) == e->seq)
		idx = e->thrs[ti].inst_idx;
	else
		idx = swt_imap_get(&e->pid_map, row->tgid);
	if (idx == SWT_MAP_NONE)
		return SWT_MAP_NONE;	/* a thread of a process without a row */
	in = &e->insts[idx];
	/* a process that took no base in this sample (defer_first): its
	 * threads neither, they are new in the next one */
	if (e->defer_first && in->born && !in->has_base)
		return SWT_MAP_NONE;
	/* (a quiet process took no row: its repeat would have counted it,
	 * as any process with a base, and it was not born in it) */
	counted = e->q_inst[idx] ? dt > 0 : in->counted;
	born_now = e->q_inst[idx] ? false : in->born_now;
	if (in->thr_stamp != e->seq) {
		/* its first thread row in this sample */
		in->thr_seen = in->thr_stamp != 0;
		in->thr_stamp = e->seq;
	}
	if (ti == SWT_MAP_NONE)
		ti = swt_imap_get(&e->tid_map, row->tid);
	fresh = ti == SWT_MAP_NONE || e->thrs[ti].inst_gen != in->gen ||
		e->thrs[ti].tgid != row->tgid;
	if (ti == SWT_MAP_NONE) {
		if (e->n_free_thrs) {
			ti = e->free_thrs[--e->n_free_thrs];
		} else {
			e->thrs = swt_grow(e->thrs, &e->cap_thrs,
					   e->n_thrs + 1, sizeof(*e->thrs));
			ti = (uint32_t)e->n_thrs++;
			if (e->cap_thrs > e->cap_q_thr) {
				size_t old = e->cap_q_thr, cap = e->cap_thrs;

				e->q_thr = slot_array(e->q_thr, old, cap,
						      sizeof(*e->q_thr));
				e->thr_inst = slot_array(e->thr_inst, old, cap,
							 sizeof(*e->thr_inst));
				e->thr_mod = slot_array(e->thr_mod, old, cap,
							sizeof(*e->thr_mod));
				e->cap_q_thr = cap;
			}
		}
		swt_imap_put(&e->tid_map, row->tid, ti);
	}
	th = &e->thrs[ti];
	if (fresh) {
		th->used = true;
		th->tid = row->tid;
		th->tgid = row->tgid;
		th->inst_gen = in->gen;
		th->inst_idx = idx;
		th->module = SWT_MAP_NONE;
		/* a thread new in a process already sampled with threads (or
		 * born in this interval) started in this interval */
		if (counted && (born_now || in->thr_seen)) {
			d = ticks;
		} else {
			/* (in a short interval after an earlier sample, a
			 * thread new in a process sampled with threads, or
			 * born in it, has all its ticks in it) */
			if (e->short_late && (born_now || in->thr_seen))
				late = ticks;
			d = 0;
			obs = 0;
		}
	} else {
		d = swt_sat_sub(ticks, th->base_ticks);
		if (!counted) {
			/* (a short interval after an earlier sample: its
			 * CPU joins its module's last interval, as its
			 * process's does) */
			if (e->short_late)
				late = d;
			d = 0;
			obs = 0;
		}
	}
	if (d < 0)
		d = 0;
	/* the same raw name as last time: the same module (the inline copy
	 * avoids a cache miss on the module's name) */
	if (th->module == SWT_MAP_NONE || !thr_name_same(e, th, name)) {
		size_t len = strlen(name);

		if (len < ENGINE_THR_NAME)
			memcpy(th->name, name, len + 1);
		else
			th->name[0] = '\0';
		th->name_p = name;
		th->name_dec = e->decode_id;
		name = thread_module_name(e, in, name);
		if (th->module == SWT_MAP_NONE ||
		    strcmp(e->mods[th->module].name, name) != 0) {
			th->module = module_get(e, SWT_KIND_THREAD, in->ident,
						name);
			e->mods[th->module].instances++;
		}
	}
	th->base_ticks = ticks;
	th->stamp = e->seq;
	th->cur_delta_micro = swt_sat_mul(d, MICRO);
	e->n_thr_rows++;
	if (late > 0)
		carry_thread(e, th->module, swt_sat_mul(late, MICRO), true);

	touch(e, th->module);
	m = &e->mods[th->module];
	m->cur_ticks_micro = swt_sat_add(m->cur_ticks_micro,
					 th->cur_delta_micro);
	if (obs > m->cur_obs_ns)
		m->cur_obs_ns = obs;
	/* saturation is a property of one thread, not of the sum of the
	 * threads that share a name */
	if (obs >= dt && dt > 0 && d >= e->sat_ticks)
		m->cur_sat = true;
	return ti;
}

/* The rows of a sample, every one taken. */
static void rows_full(struct swt_engine *e, const struct swt_sample *s,
		      int64_t t, int64_t t0)
{
	size_t i;

	for (i = 0; i < s->n_procs; i++) {
		uint32_t idx = pid_slot(e, s->procs[i].pid);

		on_proc_row(e, &s->procs[i], idx, t, t0);
	}
	for (i = 0; i < s->n_threads; i++) {
		uint32_t ti = on_thread_row(
			e, &s->threads[i], t - t0,
			walk(e->prev_tids, e->n_prev_tids, &e->walk_tid,
			     s->threads[i].tid));

		if (ti != SWT_MAP_NONE)
			remember(&e->cur_tids, &e->n_cur_tids,
				 &e->cap_cur_tids, s->threads[i].tid, ti);
	}
}

static inline int64_t clamp0(int64_t v)
{
	return v > 0 ? v : 0;
}

/* Whether the counters of pair k in a row (a, b; for the network, the
 * row's sockets too) are what quiet instance in holds: as its repeats
 * carry them (clamped, proc_repeats()) for a pair its quiet rows read
 * (`was`); for one they did not, the counters of its last reading as
 * row_bytes() takes them in three stores, and a module that can go quiet
 * with it (inst_rest()). */
static inline bool pair_same(const struct swt_engine *e,
			     const struct engine__inst *in, int k,
			     const struct swt_proc_row *row, bool was)
{
	const struct engine__bytes *bs = &in->by[k];
	int64_t a = k == BY_IO ? row->io_read : row->net_tx;
	int64_t b = k == BY_IO ? row->io_write : row->net_rx;

	if (k == BY_NET &&
	    (clamp0(row->socks_tcp) != bs->socks[0] ||
	     clamp0(row->socks_udp) != bs->socks[1] ||
	     clamp0(row->socks_other) != bs->socks[2]))
		return false;
	if (was)
		return clamp0(a) == bs->a && clamp0(b) == bs->b;
	return bs->have && a == bs->a && b == bs->b &&
	       (bs->pend_a | bs->pend_b) >= 0 &&
	       e->mods[in->proc_module].by[k].known;
}

/* Whether the pairs quiet instance in's rows read (q_tmask) show in row
 * the counters, and for the network the sockets, it holds. */
static inline bool held_pairs_same(const struct swt_engine *e,
				   const struct engine__inst *in,
				   const struct swt_proc_row *row)
{
	return (!(in->q_tmask & (1u << BY_IO)) ||
		pair_same(e, in, BY_IO, row, true)) &&
	       (!(in->q_tmask & (1u << BY_NET)) ||
		pair_same(e, in, BY_NET, row, true));
}

/* Whether thread row `row` is quiet thread th's: the same tid, process
 * and name (kept inline, as a quiet thread's is). */
static inline bool thr_same_thread(const struct swt_engine *e,
				   struct engine__thr *th,
				   const struct swt_thread_row *row)
{
	return th->used && th->tid == row->tid && th->tgid == row->tgid &&
	       thr_name_same(e, th, row->name ? row->name : "");
}

/* Quiet instance idx's row `row` reads other pairs than its quiet rows
 * (its flags of disk I/O and network not read this tick changed; nothing
 * else but its CPU and memory, inst_tick()): when the pairs it reads show
 * the counters it holds, it goes on quiet with its pairs as waking it,
 * taking the row and putting it to rest again would leave them, and true.
 * A pair its quiet rows read and this one does not holds the rate of its
 * last reading: 0 once a repeat of that reading came (inst_unrest()). A
 * pair this row reads and the quiet rows did not is a reading of the same
 * counters: a rate of 0 (row_bytes(); waking it would set the same). Its
 * quiet sums follow. False, nothing done, otherwise. */
static bool __attribute__((noinline))
inst_reflag(struct swt_engine *e, uint32_t idx,
	    const struct swt_proc_row *row, int64_t t)
{
	struct engine__inst *in = &e->insts[idx];
	struct engine__quiet *q = &e->mods[in->proc_module].q;
	uint32_t flags = row->flags & Q_FLAGS;
	uint8_t tmask = 0;
	bool repeats;
	int k;

	/* (readable or not: the full row) */
	if ((flags ^ in->q_flags) &
	    (SWT_PF_IO_UNAVAILABLE | SWT_PF_NET_UNAVAILABLE))
		return false;
	for (k = 0; k < by_pairs(e); k++) {
		if (flags & (by_unavail[k] | by_not_sampled[k]))
			continue;
		if (!pair_same(e, in, k, row, in->q_tmask & (1u << k)))
			return false;
		tmask |= (uint8_t)(1u << k);
	}
	repeats = inst_last(e, idx) != in->stamp;
	for (k = 0; k < by_pairs(e); k++) {
		struct engine__bytes *bs = &in->by[k];
		uint8_t bit = (uint8_t)(1u << k);

		if ((in->q_tmask ^ tmask) & bit) {
			quiet_pair(q, in, k, -1);
			if (tmask & bit) {
				bs->t = t;
				bs->rated = true;
				bs->rate = 0;
			} else if (repeats) {
				bs->t = e->done_t;
				bs->rated = true;
				bs->rate = 0;
			}
			in->q_tmask ^= bit;
			quiet_pair(q, in, k, 1);
		}
	}
	in->q_flags = flags;
	return true;
}

/* Quiet instance idx's row `row`, which is not a repeat, when it differs
 * from what the instance last took in its CPU and memory, and in which of
 * its counters of disk I/O and network were read, alone (the columns
 * on_proc_row() reads; proc_repeats() for the rest): taken without waking
 * it, as on_proc_row() would take it (docs/analysis.md § 15). Its quiet
 * sums follow its RSS (and its pairs, inst_reflag()); its ticks go to its
 * module as an awake row's do, in the same place of the walk. False,
 * nothing done, for any other change. */
static inline __attribute__((always_inline)) bool
inst_tick(struct swt_engine *e, uint32_t idx, const struct swt_proc_row *row,
	  int64_t t, int64_t dt)
{
	struct engine__inst *in = &e->insts[idx];
	int64_t ticks, d, rss = clamp0(row->rss_kib);

	if (!in->used || in->pid != row->pid ||
	    swt_sat_add(row->cutime, row->cstime) != in->base_cticks ||
	    (row->rss_kib != 0 || row->vsz_kib != 0) != in->mem_row ||
	    rss >= ENGINE_QUIET_MAX)
		return false;
	if ((row->flags & Q_FLAGS) != in->q_flags) {
		if (!inst_reflag(e, idx, row, t))
			return false;
	} else if (!held_pairs_same(e, in, row)) {
		return false;
	}
	ticks = swt_sat_add(row->utime, row->stime);
	d = swt_sat_sub(ticks, in->base_ticks);
	in->base_ticks = ticks;	/* (a reset rebases) */
	if (d > 0 && dt <= 0 && e->short_late)
		carry_own(e, in, swt_sat_mul(d, MICRO), true);
	if (d > 0 && dt > 0) {
		int64_t micro = swt_sat_mul(d, MICRO);
		uint32_t mi = in->proc_module;
		struct engine__module *m;

		if (in->variant != ENGINE_NO_VARIANT)
			e->variants[in->variant].micro = swt_sat_add(
				e->variants[in->variant].micro, micro);
		touch(e, mi);
		m = &e->mods[mi];
		m->cur_ticks_micro = swt_sat_add(m->cur_ticks_micro, micro);
		e->session.cur_ticks_micro =
			swt_sat_add(e->session.cur_ticks_micro, micro);
	}
	if (rss != in->rss_kib) {
		/* (a process with memory: without, its RSS is 0) */
		struct engine__module *m = &e->mods[in->proc_module];

		m->q.rss_kib += rss - in->rss_kib;
		in->rss_kib = rss;
		if (rss > m->proc_peak_kib)
			m->proc_peak_kib = rss;
		if (!in->client_rss)
			in->at_rss = rss;	/* (at_reading()) */
	}
	e->n_ticks_p++;
	return true;
}

/* The same for quiet thread ti, whose process has its row in this sample:
 * its row differs from its last in its CPU alone (on_thread_row(),
 * thr_repeats()). */
static inline __attribute__((always_inline)) bool
thr_tick(struct swt_engine *e, uint32_t ti, const struct swt_thread_row *row,
	 int64_t dt)
{
	struct engine__thr *th = &e->thrs[ti];
	const struct engine__inst *in = &e->insts[th->inst_idx];
	int64_t ticks, d;

	if (!in->used || in->gen != th->inst_gen ||
	    !thr_same_thread(e, th, row))
		return false;
	ticks = swt_sat_add(row->utime, row->stime);
	d = swt_sat_sub(ticks, th->base_ticks);
	th->base_ticks = ticks;
	if (d > 0 && dt <= 0 && e->short_late)
		carry_thread(e, th->module, swt_sat_mul(d, MICRO), true);
	/* (on_thread_row(): its process counts when the interval has a
	 * length, quiet or not, as it has a base; a repeat's saturation is
	 * quiet_sample()'s. Its stamp and its process's thread stamp are
	 * read only once it wakes: thr_unrest()) */
	if (d > 0 && dt > 0) {
		struct engine__module *m;

		touch(e, th->module);
		m = &e->mods[th->module];
		m->cur_ticks_micro = swt_sat_add(m->cur_ticks_micro,
						 swt_sat_mul(d, MICRO));
		if (d >= e->sat_ticks)
			m->cur_sat = true;
	}
	e->n_ticks_t++;
	return true;
}

/* Whether awake instance idx's row, about to be taken, changed in its CPU
 * and memory alone, as far as a glance tells (its children's CPU and its
 * bytes as they were): a process that keeps changing that way is cheaper
 * quiet, its rows taken in place (inst_tick()). Only a guess: what goes
 * quiet is inst_rest()'s to decide. */
static inline bool proc_simple(const struct swt_engine *e, uint32_t idx,
			       const struct swt_proc_row *row)
{
	const struct engine__inst *in = &e->insts[idx];

	return in->has_cbase && in->pid == row->pid &&
	       swt_sat_add(row->cutime, row->cstime) == in->base_cticks &&
	       row->io_read == in->by[BY_IO].a &&
	       row->io_write == in->by[BY_IO].b &&
	       row->net_tx == in->by[BY_NET].a &&
	       row->net_rx == in->by[BY_NET].b;
}

/* What took a row in this sample is quiet once this sample's quiet ones are
 * summed (rows_incremental()). */
static void rest_later_p(struct swt_engine *e, uint32_t idx, uint32_t flags)
{
	e->rest_p = swt_grow(e->rest_p, &e->cap_rest_p, e->n_rest_p + 1,
			     sizeof(*e->rest_p));
	e->rest_p[e->n_rest_p].id = (int32_t)flags;
	e->rest_p[e->n_rest_p++].idx = idx;
}

static void rest_later_t(struct swt_engine *e, uint32_t ti)
{
	e->rest_t = swt_grow(e->rest_t, &e->cap_rest_t, e->n_rest_t + 1,
			     sizeof(*e->rest_t));
	e->rest_t[e->n_rest_t++] = ti;
}

/* The row of slot i of a sample with the pids of the last one, kept in
 * place (procs_aligned(), procs_aligned_delta()): same says it repeats;
 * true when it was taken. */
static inline __attribute__((always_inline)) bool
proc_aligned_row(struct swt_engine *e, const struct swt_sample *s, size_t i,
		 bool same, int64_t t, int64_t t0)
{
	struct engine__slot *sl = e->prev_pids;
	const struct swt_proc_row *row;
	uint32_t idx = sl[i].idx;
	bool was = e->q_inst[idx], simple;

	if (was) {
		if (same || inst_tick(e, idx, &s->procs[i], t, t - t0))
			return false;
		inst_unrest(e, idx);
	}
	row = &s->procs[i];
	if (!e->insts[idx].used || e->insts[idx].pid != row->pid) {
		idx = inst_lookup(e, row->pid);
		sl[i].id = row->pid;
		sl[i].idx = idx;
	}
	simple = was || same || proc_simple(e, idx, row);
	on_proc_row(e, row, idx, t, t0);
	if (simple)
		rest_later_p(e, idx, row->flags);
	return true;
}

/* The process rows of a sample with the pids of the last one, in the same
 * places (swt_sample.same_pids): its slots are the last sample's, kept. */
static void procs_aligned(struct swt_engine *e, const struct swt_sample *s,
			  int64_t t, int64_t t0)
{
	size_t i;

	for (i = 0; i < s->n_procs; i++)
		if (!proc_aligned_row(e, s, i, s->proc_same[i], t, t0)) {
			e->n_quiet_prows++;
			e->inst_seq[e->prev_pids[i].idx] = e->seq;
		}
	e->keep_pids = true;
}

/* The next place of the union of two ascending lists of places: those of
 * the rows that may differ, at[*d, nd), and those still awake, aw[*a, na).
 * False at the end; else the place in *i, and *same when it is not one of
 * the rows that may differ. */
static inline bool next_place(const uint32_t *at, size_t *d, size_t nd,
			      const uint32_t *aw, size_t *a, size_t na,
			      size_t *i, bool *same)
{
	if (*d == nd && *a == na)
		return false;
	*same = *d == nd || (*a < na && aw[*a] < at[*d]);
	if (*same) {
		*i = aw[(*a)++];
	} else {
		*i = at[(*d)++];
		if (*a < na && aw[*a] == *i)
			(*a)++;
	}
	return true;
}

/* Swap two lists of places (the one kept and the one being filled). */
static void swap_places(uint32_t **x, size_t *cap_x, uint32_t **y,
			size_t *cap_y)
{
	uint32_t *p = *x;
	size_t c = *cap_x;

	*x = *y;
	*cap_x = *cap_y;
	*y = p;
	*cap_y = c;
}

/* procs_aligned() for a sample handed over as deltas (swt_sample.proc_at:
 * the places of the rows that may differ, every other row a repeat): a
 * quiet instance's repeat is passed over without a look at its row or a
 * mark of its own (inst_last()). With `awake` (the places of the last
 * sample's rows whose instances stayed awake, none woken since), only
 * those and the rows that differ are looked at: every other place holds a
 * quiet instance's repeat. The places taken go to e->pvisit
 * (awake_after()). */
static void procs_aligned_delta(struct swt_engine *e,
				const struct swt_sample *s, int64_t t,
				int64_t t0, bool awake)
{
	const uint32_t *at = s->proc_at, *aw = e->pawake;
	size_t i, d = 0, nd = s->n_proc_at, a = 0, na = e->n_pawake;
	size_t looked = 0, taken = 0;

	e->pvisit = swt_grow(e->pvisit, &e->cap_pvisit,
			     (awake ? nd + na : s->n_procs) + 1,
			     sizeof(*e->pvisit));
	if (awake) {
		bool same;

		while (next_place(at, &d, nd, aw, &a, na, &i, &same)) {
			looked++;
			if (proc_aligned_row(e, s, i, same, t, t0))
				e->pvisit[taken++] = (uint32_t)i;
		}
	} else {
		for (i = 0; i < s->n_procs; i++) {
			bool same = d == nd || at[d] != i;

			d += !same;
			if (proc_aligned_row(e, s, i, same, t, t0))
				e->pvisit[taken++] = (uint32_t)i;
		}
		looked = s->n_procs;
	}
	e->n_pvisit = taken;
	e->n_quiet_prows += s->n_procs - looked + (looked - taken);
	e->n_delta_walks++;
	e->n_awake_walks += awake;
	e->n_prows_looked += looked;
	e->q_all_seq = e->seq;
	e->keep_pids = true;
}

/* After the rests of a sample walked by procs_aligned_delta(), nothing
 * woken since: the places of its rows whose instances stayed awake are
 * where the next one looks (with its rows that differ). */
static void awake_after(struct swt_engine *e)
{
	const struct engine__slot *sl = e->prev_pids;
	size_t i, k = 0;

	for (i = 0; i < e->n_pvisit; i++)
		if (!e->q_inst[sl[e->pvisit[i]].idx])
			e->pvisit[k++] = e->pvisit[i];
	swap_places(&e->pawake, &e->cap_pawake, &e->pvisit, &e->cap_pvisit);
	e->n_pawake = k;
	e->n_pvisit = 0;
	e->pawake_ok = true;
}

/* Thread row i of a sample with the tids of the last one, kept in place
 * (thrs_aligned()): same says it repeats. Returns 0 passed over, 1 taken,
 * -1 not taken (no process row: a hole in the slots). */
static inline __attribute__((always_inline)) int
thr_aligned_row(struct swt_engine *e, const struct swt_sample *s, size_t i,
		bool same, int64_t dt)
{
	struct engine__slot *sl = e->prev_tids;
	uint32_t ti = sl[i].idx;
	bool was = e->q_thr[ti];

	if (was) {
		/* (its process has its row in this sample) */
		if (inst_last(e, e->thr_inst[ti]) == e->seq &&
		    (same || thr_tick(e, ti, &s->threads[i], dt)))
			return 0;
		thr_unrest(e, ti);
	}
	ti = on_thread_row(e, &s->threads[i], dt, ti);
	sl[i].id = s->threads[i].tid;
	sl[i].idx = ti;
	if (ti == SWT_MAP_NONE)
		return -1;
	/* (a thread row changes in its CPU alone, or in its name: quiet,
	 * the next is taken in place, thr_tick()) */
	rest_later_t(e, ti);
	return 1;
}

/* The thread rows of a sample with the tids of the last one, each of which
 * was taken (swt_sample.same_tids): its slots are the last one's, kept.
 * With the places of the rows that changed (swt_sample.thread_at) and
 * `awake` (the places of the last sample's threads that stayed awake, no
 * thread woken since, and every process of the sample's slots with its
 * row: procs_aligned_delta()), only those places are looked at: every
 * other holds a quiet thread's repeat whose process has its row. The
 * places taken go to e->tvisit (thr_awake_after()). */
static void thrs_aligned(struct swt_engine *e, const struct swt_sample *s,
			 int64_t dt, bool awake)
{
	const uint32_t *at = s->thread_at, *aw = e->tawake;
	size_t d = 0, nd = at ? s->n_thread_at : 0, a = 0, na = e->n_tawake;
	struct engine__slot *sl = e->prev_tids;
	size_t i, w, looked = 0, taken = 0;
	bool holes = false;
	int r;

	e->tvisit = swt_grow(e->tvisit, &e->cap_tvisit,
			     (awake ? nd + na : s->n_threads) + 1,
			     sizeof(*e->tvisit));
	e->in_twalk = true;
	if (at && awake) {
		bool same;

		while (next_place(at, &d, nd, aw, &a, na, &i, &same)) {
			looked++;
			r = thr_aligned_row(e, s, i, same, dt);
			holes |= r < 0;
			if (r > 0)
				e->tvisit[taken++] = (uint32_t)i;
		}
	} else {
		for (i = 0; i < s->n_threads; i++) {
			bool same;

			if (at) {
				same = d == nd || at[d] != i;
				d += !same;
			} else {
				same = s->thread_same[i];
			}
			r = thr_aligned_row(e, s, i, same, dt);
			holes |= r < 0;
			if (r > 0)
				e->tvisit[taken++] = (uint32_t)i;
		}
		looked = s->n_threads;
	}
	e->in_twalk = false;
	e->n_tawake_walks += at && awake;
	e->n_trows_looked += looked;
	e->n_tvisit = taken;
	e->n_quiet_trows += s->n_threads - looked + (looked - taken);
	if (holes) {
		/* rows not taken (no process row) have no slot */
		for (i = 0, w = 0; i < e->n_prev_tids; i++)
			if (sl[i].idx != SWT_MAP_NONE)
				sl[w++] = sl[i];
		e->n_prev_tids = w;
		e->n_tvisit = 0;
		e->tawake_ok = false;
		e->twake_gen++;	/* (the places moved) */
	}
	e->keep_tids = true;
}

/* After the rests of a sample whose threads thrs_aligned() walked by the
 * places of their changed rows (its processes by procs_aligned_delta()),
 * no thread woken since: the places of its threads that stayed awake are
 * where the next one looks, provided every thread that went quiet has its
 * process's row in this sample (as every quiet thread passed over had). */
static void thr_awake_after(struct swt_engine *e)
{
	const struct engine__slot *sl = e->prev_tids;
	size_t i, k = 0;

	for (i = 0; i < e->n_tvisit; i++) {
		uint32_t ti = sl[e->tvisit[i]].idx;

		if (!e->q_thr[ti])
			e->tvisit[k++] = e->tvisit[i];
		else if (inst_last(e, e->thr_inst[ti]) != e->seq)
			return;	/* (tawake_ok stays false) */
	}
	swap_places(&e->tawake, &e->cap_tawake, &e->tvisit, &e->cap_tvisit);
	e->n_tawake = k;
	e->n_tvisit = 0;
	e->tawake_ok = true;
}

/* Whether quiet instance idx's row `row` would do what a repeat of its
 * last does (on_proc_row(): the values it reads equal what the last row
 * left), for a sample the reader says nothing of (a chunk's first). */
static bool proc_repeats(const struct swt_engine *e, uint32_t idx,
			 const struct swt_proc_row *row)
{
	const struct engine__inst *in = &e->insts[idx];

	return in->used && in->pid == row->pid && in->has_cbase &&
	       (row->flags & Q_FLAGS) == in->q_flags &&
	       swt_sat_add(row->utime, row->stime) == in->base_ticks &&
	       swt_sat_add(row->cutime, row->cstime) == in->base_cticks &&
	       clamp0(row->rss_kib) == in->rss_kib &&
	       (row->rss_kib != 0 || row->vsz_kib != 0) == in->mem_row &&
	       held_pairs_same(e, in, row);
}

/* The same of quiet thread ti (on_thread_row()). */
static bool thr_repeats(struct swt_engine *e, uint32_t ti,
			const struct swt_thread_row *row)
{
	struct engine__thr *th = &e->thrs[ti];

	return swt_sat_add(row->utime, row->stime) == th->base_ticks &&
	       thr_same_thread(e, th, row);
}

/* The process rows of a sample whose pids came or went, or of one the
 * reader says nothing of (flags false: a quiet instance's row is then
 * compared with what it last took): walked in step with the last sample's
 * slots; a quiet instance whose pid is not in these rows has gone, and
 * wakes. */
static void procs_walk(struct swt_engine *e, const struct swt_sample *s,
		       int64_t t, int64_t t0, bool flags)
{
	const struct engine__slot *prev = e->prev_pids;
	size_t i, p = 0, np = e->n_prev_pids;

	for (i = 0; i < s->n_procs; i++) {
		const struct swt_proc_row *row = &s->procs[i];
		int32_t pid = row->pid;
		uint32_t idx = SWT_MAP_NONE;
		bool was = false, simple;

		for (; p < np && prev[p].id < pid; p++)
			if (e->q_inst[prev[p].idx])
				inst_unrest(e, prev[p].idx);
		if (p < np && prev[p].id == pid) {
			idx = prev[p++].idx;
			/* (a quiet instance is the one its slot was
			 * remembered with: it wakes before it goes) */
			was = e->q_inst[idx];
			if (was) {
				if ((flags ? s->proc_same[i] :
					     proc_repeats(e, idx, row)) ||
				    inst_tick(e, idx, row, t, t - t0)) {
					e->n_quiet_prows++;
					e->inst_seq[idx] = e->seq;
					remember(&e->cur_pids, &e->n_cur_pids,
						 &e->cap_cur_pids, pid, idx);
					continue;
				}
				inst_unrest(e, idx);
			}
			if (!e->insts[idx].used || e->insts[idx].pid != pid)
				idx = SWT_MAP_NONE;
		}
		if (idx == SWT_MAP_NONE)
			idx = inst_lookup(e, pid);
		remember(&e->cur_pids, &e->n_cur_pids, &e->cap_cur_pids, pid,
			 idx);
		simple = was || (flags && s->proc_same[i]) ||
			 proc_simple(e, idx, row);
		on_proc_row(e, row, idx, t, t0);
		if (simple)
			rest_later_p(e, idx, row->flags);
	}
	for (; p < np; p++)
		if (e->q_inst[prev[p].idx])
			inst_unrest(e, prev[p].idx);
}

/* The thread rows of a sample whose tids came or went (procs_walk()). */
static void thrs_walk(struct swt_engine *e, const struct swt_sample *s,
		      int64_t dt, bool flags)
{
	const struct engine__slot *prev = e->prev_tids;
	size_t i, p = 0, np = e->n_prev_tids;

	for (i = 0; i < s->n_threads; i++) {
		const struct swt_thread_row *row = &s->threads[i];
		int32_t tid = row->tid;
		uint32_t ti = SWT_MAP_NONE;
		bool was = false;

		for (; p < np && prev[p].id < tid; p++)
			if (e->q_thr[prev[p].idx])
				thr_unrest(e, prev[p].idx);
		if (p < np && prev[p].id == tid) {
			ti = prev[p++].idx;
			was = e->q_thr[ti];
			if (was) {
				/* (its process has its row in this sample) */
				if (inst_last(e, e->thr_inst[ti]) == e->seq &&
				    ((flags ? s->thread_same[i] :
					      thr_repeats(e, ti, row)) ||
				     thr_tick(e, ti, row, dt))) {
					e->n_quiet_trows++;
					remember(&e->cur_tids, &e->n_cur_tids,
						 &e->cap_cur_tids, tid, ti);
					continue;
				}
				thr_unrest(e, ti);
			}
		}
		ti = on_thread_row(e, row, dt, ti);
		if (ti == SWT_MAP_NONE)
			continue;
		remember(&e->cur_tids, &e->n_cur_tids, &e->cap_cur_tids, tid,
			 ti);
		rest_later_t(e, ti);	/* (thr_aligned_row()) */
	}
	for (; p < np; p++)
		if (e->q_thr[prev[p].idx])
			thr_unrest(e, prev[p].idx);
}

/* The rows of a sample that follows the last one taken in its chunk
 * (swt_sample.proc_same, thread_same): a quiet process's or thread's
 * repeat is passed over; any other row is taken. What took a repeat, or a
 * change after it was quiet, can be quiet from the next sample on (one
 * that changed twice in a row is likely to change again: it stays awake
 * until it repeats). What is in the last sample's rows and not in these
 * has gone, and wakes. */
static void rows_incremental(struct swt_engine *e,
			     const struct swt_sample *s, int64_t t, int64_t t0,
			     bool flags)
{
	size_t i;
	bool awake = e->pawake_ok, delta = false, tawake = e->tawake_ok;
	bool tdelta = false;
	uint64_t gen, tgen;

	e->pawake_ok = false;
	e->tawake_ok = false;
	if (flags && s->same_pids && s->n_procs == e->n_prev_pids &&
	    s->proc_at) {
		procs_aligned_delta(e, s, t, t0, awake);
		delta = true;
	} else if (flags && s->same_pids && s->n_procs == e->n_prev_pids) {
		procs_aligned(e, s, t, t0);
	} else {
		procs_walk(e, s, t, t0, flags);
	}
	gen = e->wake_gen;
	tgen = e->twake_gen;
	if (flags && s->same_tids && s->n_threads == e->n_prev_tids) {
		/* (the awake places only when every process of the slots
		 * has its row: walked by its changed places now) */
		thrs_aligned(e, s, t - t0, tawake && delta);
		tdelta = delta && s->thread_at && e->twake_gen == tgen;
		tgen = e->twake_gen;
	} else {
		thrs_walk(e, s, t - t0, flags);
	}
	quiet_sample(e, t, t0);
	for (i = 0; i < e->n_rest_p; i++)
		inst_rest(e, e->rest_p[i].idx, (uint32_t)e->rest_p[i].id);
	for (i = 0; i < e->n_rest_t; i++)
		thr_rest(e, e->rest_t[i]);
	e->n_rest_p = e->n_rest_t = 0;
	if (delta && e->wake_gen == gen)
		awake_after(e);
	if (tdelta && e->twake_gen == tgen && e->wake_gen == gen)
		thr_awake_after(e);
}

/* (COMM_MAX: above, with full_name()) */

/* At the end of the session: a thread module whose name has the full 15
 * bytes takes the name of the one instrumented module of its process
 * identity that it is the start of ("database_manage" becomes
 * "database_manager"), so that the report names one subject, not two
 * unrelated ones. With no such module, or more than one (or a module of
 * exactly that name), the name stays cut. The spikes' lists of active
 * modules, taken while streaming, follow. */
static void threads_take_module_names(struct swt_engine *e)
{
	size_t i, j, k, n = e->n_mods;

	for (i = 0; i < n; i++) {
		const char *cut = e->mods[i].name, *full = NULL;
		uint32_t ident = e->mods[i].ident, to;
		size_t n_full = 0;

		if (e->mods[i].kind != SWT_KIND_THREAD || e->mods[i].merged ||
		    strlen(cut) != COMM_MAX)
			continue;
		for (j = 0; j < n; j++) {
			const struct engine__module *m = &e->mods[j];

			if (m->kind != SWT_KIND_MODULE || m->ident != ident ||
			    m->merged || strncmp(m->name, cut, COMM_MAX) != 0)
				continue;
			full = m->name;
			n_full++;
		}
		if (n_full != 1 || strlen(full) == COMM_MAX)
			continue;
		/* (a thread row of the full name, not from Linux, is left
		 * alone: its samples would count twice) */
		if (swt_smap_get(&e->mod_map, MOD_SCOPE(SWT_KIND_THREAD, ident),
				 full, strlen(full)) != SWT_MAP_NONE)
			continue;
		to = module_get(e, SWT_KIND_THREAD, ident, full);
		module_merge(e, (uint32_t)i, to);
		e->mods[to].instances += e->mods[i].instances;
		for (j = 0; j < e->n_spikes; j++)
			for (k = 0; k < e->spikes[j].n_active; k++)
				if (e->spikes[j].active[k] == cut)
					e->spikes[j].active[k] =
						e->mods[to].name;
	}
}

static void counters_step(struct swt_engine *e, int64_t t0, int64_t t)
{
	size_t h = (size_t)e->th.v[SWT_TH_HISTORY_SAMPLES], i;
	int64_t window, rate;
	struct swt_subject subj;
	bool ready;

	/* t_ring holds the interval boundaries: h + 1 times for h
	 * intervals */
	if (e->t_n == 0) {
		e->t_ring[0] = t0;
		e->t_n = 1;
		e->t_head = 1;
	}
	e->t_ring[e->t_head] = t;
	e->t_head = (e->t_head + 1) % (h + 1);
	if (e->t_n < h + 1)
		e->t_n++;
	window = t - e->t_ring[e->t_n < h + 1 ? 0 : e->t_head];
	if (e->ring_n < h)
		e->ring_n++;
	/* the rate over the window so far, once it covers 10 s: a minute
	 * (or history_samples intervals) before the first judgement left a
	 * short session exceeding its limit without an alert */
	ready = window > 0 &&
		(e->ring_n == h || window >= ENGINE_RATE_MIN_WINDOW_NS);
	for (i = 0; i < e->n_ctrs; i++) {
		struct engine__counter *c = &e->ctrs[i];

		c->ring_sum += (swt_i128)c->cur - c->ring[e->ring_head];
		c->ring[e->ring_head] = c->cur;
		c->cur = 0;
		if (!ready || c->threshold < 0)
			continue;
		c->judged = true;
		rate = swt_muldiv(c->ring_sum > INT64_MAX   ? INT64_MAX :
				  c->ring_sum < INT64_MIN ? INT64_MIN :
							    (int64_t)c->ring_sum,
				  NS_PER_MIN * 1000, window);
		subj.kind = SWT_KIND_COUNTER;
		subj.name = c->name;
		subj.process = "";
		subj.command = "";
		subj.group = "";
		if (rate > c->threshold && !c->alert_on)
			c->alerts++;
		alert_judge(e, t, SWT_ALERT_RATE, &subj, NULL, rate,
			    c->threshold, &c->alert_on, &c->alert_t,
			    &c->alert_v);
	}
	e->ring_head = (e->ring_head + 1) % h;
}

/* The time an interval of dt ns that holds micro micro-ticks of CPU
 * stands for: dt, unless the machine (all its CPUs) could not burn that
 * much in dt. That happens with children's CPU, which reaches a parent's
 * cutime and cstime only when it reaps them: a parent that reaps late (a
 * fork storm reaping in bursts) brings in one interval what its children
 * burnt over several. Their rate is then the machine's capacity, for as
 * long as it takes: an interval never shows more CPU than the machine
 * has, and the average is over that longer time. */
static int64_t busy_span(const struct swt_engine *e, int64_t micro,
			 int64_t dt)
{
	int64_t need;

	if (e->cpu_count == 0 || e->clock_ticks == 0 || micro <= 0)
		return dt;
	need = swt_muldiv2(micro, NS_PER_S,
			   (int64_t)e->clock_ticks * (int64_t)e->cpu_count,
			   MICRO);
	return need > dt ? need : dt;
}

/* ---- over time (swt_usage.h, docs/analysis.md § 14) ---------------------- */

static struct swt_usage_acc *usage_of(struct swt_engine *e,
				      struct engine__module *m)
{
	if (!m->usage)
		m->usage = swt_calloc(e->ugrid.cap, sizeof(*m->usage));
	return m->usage;
}

/* Hand a value of m's series to on_usage: its pending interval's CPU
 * (cpu), else the current sample's memory. */
static void usage_tell(struct swt_engine *e, struct engine__module *m,
		       bool cpu, bool revised)
{
	struct swt_usage_point p;
	struct swt_subject subj;

	memset(&p, 0, sizeof(p));
	engine__subject(e, m, &subj);
	p.subj = &subj;
	p.id = m == &e->session ? 0 : (uint32_t)(m - e->mods) + 1;
	p.reaped = m->reaped;
	p.revised = revised;
	if (cpu) {
		/* Every figure ends at a sample, as the exports' rows and
		 * counters do. An interval can span two: a launched session's
		 * first reaches back to the start past its first, short
		 * sample (defer_first), and the CPU of one the machine could
		 * not hold reaches into the short interval after it
		 * (late_credit()). It is then told in parts, each with the
		 * CPU its time holds: the interval's percentage up to its
		 * sample, after it the rest at the rate it makes there. A
		 * revision tells every part again (the parts told stay,
		 * each starting where it did; one may be added). */
		int64_t t0 = m->u_pend_t0, tc = m->u_pend_tc;
		int64_t end = m->u_pend_t, len = swt_sat_sub(end, t0);
		int64_t cut[3], given = 0, from = t0;
		int n = 0, k;

		if (m->u_pend_tm > t0 && m->u_pend_tm < tc)
			cut[n++] = m->u_pend_tm;
		if (end > tc && m->u_pend_t2 > tc) {
			cut[n++] = tc;
			cut[n++] = m->u_pend_t2;
		} else {
			cut[n++] = end;
		}
		p.has_cpu = true;
		p.cpu_estimated = m->kind == SWT_KIND_MODULE &&
				  m->spans_estimated > 0;
		m->u_told = true;
		for (k = 0; k < n; k++) {
			int64_t reach = cut[k] < end ? cut[k] : end;
			int64_t got = len > 0 && k + 1 < n ?
					      swt_muldiv(m->u_pend_ticks,
							 swt_sat_sub(reach, t0),
							 len) :
					      m->u_pend_ticks;

			p.t_from_ns = swt_sat_sub(from, e->origin_ns);
			p.t_to_ns = swt_sat_sub(cut[k], e->origin_ns);
			p.cpu_mpct = cut[k] > tc ?
					     swt_muldiv(m->u_pend_mpct,
							swt_sat_sub(end, tc),
							swt_sat_sub(cut[k],
								    tc)) :
					     m->u_pend_mpct;
			p.cpu_micro_ticks = swt_sat_sub(got, given);
			given = got;
			from = cut[k];
			if (k + 1 < n)
				e->on_usage(&p, e->payload);
		}
	} else {
		p.t_from_ns = p.t_to_ns = swt_sat_sub(e->u_t, e->origin_ns);
		p.mem_kib = m->cur_rss_kib;
	}
	e->on_usage(&p, e->payload);
}

/* The module's held-back interval into its bucket, or its buckets: an
 * interval that spans several slots (usage_place()) gives each bucket the
 * share of its CPU and of its time that falls in that bucket's time, at
 * its CPU % (the shares add up exactly: each is what the time so far
 * holds, less what the buckets before took). */
static void usage_commit(struct swt_engine *e, struct engine__module *m)
{
	int64_t first = m->u_pend_slot, n = m->u_pend_slots, last, given = 0,
		given_ns = 0, w = e->ugrid.width, p0 = m->u_pend_p0,
		len = swt_sat_sub(m->u_pend_p1, m->u_pend_p0);
	size_t b, b0, b1;

	if (!m->u_pend)
		return;
	if (e->on_usage && !m->u_told)
		usage_tell(e, m, true, false);
	m->u_pend = false;
	if (n <= 1 || len <= 0) {
		swt_usage_add_cpu(&usage_of(e, m)[swt_usage_grid_index(
					  &e->ugrid, first)],
				  m->u_pend_mpct, m->u_pend_ticks,
				  m->u_pend_span);
		return;
	}
	last = swt_sat_add(first, n - 1);
	b0 = swt_usage_grid_index(&e->ugrid, first);
	b1 = swt_usage_grid_index(&e->ugrid, last);
	for (b = b0; b <= b1; b++) {
		/* the interval's time up to the end of bucket b (the last
		 * bucket takes the rest, with what the grid clamps into it) */
		int64_t upto = len, tk, ns;

		if (b < b1) {
			int64_t end = swt_sat_add(
				e->origin_ns,
				swt_sat_mul(swt_sat_add(e->ugrid.base,
							swt_sat_mul((int64_t)b +
									    1,
								    w)),
					    e->interval_ns));

			upto = swt_sat_sub(end, p0);
			if (upto < 0)
				upto = 0;
			if (upto > len)
				upto = len;
		}
		tk = swt_muldiv(m->u_pend_ticks, upto, len);
		ns = swt_muldiv(m->u_pend_span, upto, len);
		swt_usage_add_cpu(&usage_of(e, m)[b], m->u_pend_mpct,
				  tk - given, ns - given_ns);
		given = tk;
		given_ns = ns;
	}
}

/* This sample's interval of m (its CPU % and span computed): held back. */
static void usage_cpu(struct swt_engine *e, struct engine__module *m,
		      int64_t span, int64_t dt)
{
	if (!e->u_on)
		return;
	usage_commit(e, m);
	m->u_pend = true;
	m->u_pend_slot = e->u_slot0;
	m->u_pend_slots = e->u_slots;
	m->u_pend_p0 = e->u_p0;
	m->u_pend_p1 = e->u_p1;
	m->u_pend_ticks = m->cur_ticks_micro;
	m->u_pend_span = span;
	m->u_pend_mpct = m->cur_mpct;
	m->u_pend_t0 = swt_sat_sub(e->u_t, dt);
	m->u_pend_t = e->u_t;
	m->u_pend_tc = e->u_t;
	m->u_pend_t2 = e->u_t;
	m->u_pend_tm = e->u_mid;
	m->u_pend_seq = e->seq;
	m->u_told = false;
}

/* The tree has a new interval: the subjects' intervals of earlier samples
 * still held back are told (on_usage) as they stand. Only an exit during
 * a short interval can still add to them (late_credit()), rarely: a
 * module with no interval since. */
static void usage_tell_held(struct swt_engine *e)
{
	size_t i;

	for (i = 0; i < e->n_mods; i++) {
		struct engine__module *m = &e->mods[i];

		if (m->u_pend && !m->u_told && m->u_pend_seq != e->seq &&
		    !m->merged)
			usage_tell(e, m, true, false);
	}
}

static void usage_mem(struct swt_engine *e, struct engine__module *m)
{
	if (!e->u_on || m->reaped ||
	    (m->kind != SWT_KIND_PROCESS && m->kind != SWT_KIND_SESSION))
		return;
	swt_usage_add_mem(&usage_of(e, m)[swt_usage_grid_index(
				  &e->ugrid, e->u_slot)],
			  m->cur_rss_kib);
	if (e->on_usage)
		usage_tell(e, m, false, false);
}

/* The running totals of m (swt_engine_opts.usage_totals) to on_usage, at
 * t (relative): at a sample when m had a row or span in it or they
 * changed, at the end (final) when they changed since or were never told.
 * The same figures as the report's (bytes_result(), r->calls). */
static void usage_totals_one(struct swt_engine *e, struct engine__module *m,
			     int64_t t, bool final)
{
	struct swt_usage_point p;
	struct swt_subject subj;
	int64_t v[5];
	bool bytes, calls, changed;

	if (m->merged)
		return;
	bytes = m->kind == SWT_KIND_PROCESS || m->kind == SWT_KIND_SESSION;
	calls = m->kind == SWT_KIND_PROCESS || m->kind == SWT_KIND_MODULE;
	if (!bytes && !calls)
		return;
	memset(&p, 0, sizeof(p));
	p.has_io = bytes && m->by[BY_IO].known;
	p.has_net = bytes && m->by[BY_NET].known;
	p.has_calls = calls;
	if (!p.has_io && !p.has_net && !p.has_calls)
		return;
	v[0] = p.has_io ? m->by[BY_IO].a : 0;
	v[1] = p.has_io ? m->by[BY_IO].b : 0;
	v[2] = p.has_net ? m->by[BY_NET].a : 0;
	v[3] = p.has_net ? m->by[BY_NET].b : 0;
	v[4] = calls ? m->calls : 0;
	changed = !m->ut_told || memcmp(v, m->ut_v, sizeof(v)) != 0;
	if (!changed && final)
		return;
	if (!changed) {
		/* unchanged: at the samples its process had a row in (an
		 * instrumented module: its identity's process module) */
		const struct engine__module *live = m;

		if (m->kind == SWT_KIND_MODULE && m->ident != SWT_MAP_NONE)
			live = &e->mods[e->idents[m->ident].proc_module];
		if (live->stamp != e->seq)
			return;
	}
	m->ut_told = true;
	memcpy(m->ut_v, v, sizeof(v));
	engine__subject(e, m, &subj);
	p.subj = &subj;
	p.id = m == &e->session ? 0 : (uint32_t)(m - e->mods) + 1;
	p.reaped = m->reaped;
	p.t_from_ns = p.t_to_ns = t;
	p.has_totals = true;
	p.io_read_bytes = v[0];
	p.io_write_bytes = v[1];
	p.net_sent_bytes = v[2];
	p.net_recv_bytes = v[3];
	p.calls = v[4];
	e->on_usage(&p, e->payload);
}

/* Every subject's and counter's running totals (usage_totals_one()). */
static void usage_totals(struct swt_engine *e, int64_t t, bool final)
{
	struct swt_usage_point p;
	struct swt_subject subj;
	size_t i;

	usage_totals_one(e, &e->session, t, final);
	for (i = 0; i < e->n_mods; i++)
		usage_totals_one(e, &e->mods[i], t, final);
	if (!e->n_ctrs)
		return;
	engine__subject(e, &e->session, &subj);
	for (i = 0; i < e->n_ctrs; i++) {
		struct engine__counter *c = &e->ctrs[i];

		if (final && c->ut_told && c->ut_count == c->count)
			continue;
		c->ut_told = true;
		c->ut_count = c->count;
		memset(&p, 0, sizeof(p));
		p.subj = &subj;
		p.id = (uint32_t)i;
		p.t_from_ns = p.t_to_ns = t;
		p.has_totals = true;
		p.counter = c->name;
		p.count = c->count;
		e->on_usage(&p, e->payload);
	}
}

/* The slot of the sample at t closing the interval from t0 (the previous
 * sample; the session start or t itself for the first): the sampling
 * interval, counted from the session start, that holds the interval's
 * middle, so that a sample a little early or late stays in its slot. A
 * window's first sample is its base: no slot. Folds every series when the
 * grid doubles. */
static void usage_place(struct swt_engine *e, int64_t t0, int64_t t)
{
	int64_t mid = t0 + (t - t0) / 2, rel, len = swt_sat_sub(t, t0);
	unsigned folds;
	size_t i;

	e->u_t = t;
	e->u_on = !(e->window_from_ns > 0 && !e->have_prev);
	if (!e->u_on)
		return;
	/* an interval of 1.5 sampling intervals or more (a first sample a
	 * quarter of a second late on a machine of 10 000 processes, or
	 * samples the recorder missed) spans the slots its time covers,
	 * each taking the part of it that falls in its time
	 * (usage_commit()): one bucket would hold all its time, and the
	 * ones before it none. A shorter one goes to the slot that holds
	 * its middle. */
	e->u_slots = 1;
	e->u_p0 = t0;
	e->u_p1 = t;
	rel = swt_sat_sub(mid, e->origin_ns);
	if (len >= swt_sat_add(e->interval_ns, e->interval_ns / 2)) {
		rel = swt_sat_sub(t0, e->origin_ns);
		e->u_slot0 = rel > 0 ? rel / e->interval_ns : 0;
		rel = swt_sat_sub(swt_sat_sub(t, 1), e->origin_ns);
		rel = rel > 0 ? rel / e->interval_ns : 0;
		if (rel > e->u_slot0)
			e->u_slots = rel - e->u_slot0 + 1;
	} else {
		e->u_slot0 = rel > 0 ? rel / e->interval_ns : 0;
	}
	folds = swt_usage_grid_place(&e->ugrid, e->u_slot0);
	if (e->u_slot0 < e->ugrid.last)
		e->u_slot0 = e->ugrid.last;
	if (e->u_slots > 1)
		folds += swt_usage_grid_place(
			&e->ugrid, swt_sat_add(e->u_slot0, e->u_slots - 1));
	/* (the sample's memory: in the slot of the interval's middle) */
	rel = swt_sat_sub(mid, e->origin_ns);
	e->u_slot = rel > 0 ? rel / e->interval_ns : 0;
	if (e->u_slot < e->u_slot0)
		e->u_slot = e->u_slot0;
	if (e->u_slot > e->ugrid.last)
		e->u_slot = e->ugrid.last;
	if (!folds)
		return;
	if (e->session.usage)
		swt_usage_fold(e->session.usage, e->ugrid.cap, folds);
	for (i = 0; i < e->n_mods; i++)
		if (e->mods[i].usage)
			swt_usage_fold(e->mods[i].usage, e->ugrid.cap, folds);
}

/* CPU that came with exits after the module's last interval, when no
 * interval can take it (the next sample's is a baseline, or none follows):
 * it joins that last interval, whose CPU % and the peak are recomputed,
 * so that the average (total over observed time) never passes the peak.
 * A module with no interval yet keeps it for its first (early_micro):
 * the exits of a launched session's short first interval, which the next
 * interval reaches back over, are in that interval's CPU % (in its total
 * only, they made a shell shim's module average 4.9 % beside a peak of
 * 4.5 %); if none comes, in its total alone (swt_engine_finish()). */
/* The time m's last interval stands for: the time the machine needed
 * for its CPU (busy_span()), or as much of the short interval after it
 * as its rows were seen through, if longer. */
static int64_t late_span(struct swt_engine *e, const struct engine__module *m)
{
	int64_t span = busy_span(e, m->last_ticks_micro, m->last_dt);
	int64_t seen = swt_sat_add(m->last_dt, m->late_seen_ns);

	return seen > span ? seen : span;
}

static void late_credit(struct swt_engine *e, struct engine__module *m,
			int64_t micro, int64_t sdt, bool seen)
{
	if (m->last_dt > 0) {
		int64_t mpct, before, span;

		/* The CPU joins the last interval. If the machine could not
		 * burn it all in that interval, the interval stands for the
		 * longer time it needed (busy_span()), in its CPU % and in
		 * the time the average is over (a launched command's last
		 * exits, seen by swrec's last look 0.1 s after a full
		 * interval, made a tree of two CPUs average 203 %, above
		 * the machine and its own peak), and its point over time
		 * reaches into the short interval sdt (ns) for it, where that
		 * CPU was burnt: the series still adds up to the CPU. CPU a
		 * row shows in the short interval (seen) makes it stand for
		 * that much longer in any case: the process was observed
		 * through it (a single thread busy for a second and the 0.1 s
		 * of the last look is 100 %, not 110 %). */
		m->ticks_micro = swt_sat_add(m->ticks_micro, micro);
		before = late_span(e, m);
		m->last_ticks_micro = swt_sat_add(m->last_ticks_micro, micro);
		if (seen && sdt > m->late_seen_ns)
			m->late_seen_ns = sdt;
		span = late_span(e, m);
		m->observed_ns = swt_sat_add(m->observed_ns,
					     swt_sat_sub(span, before));
		mpct = swt_muldiv2(m->last_ticks_micro, INT64_C(100000000),
				   (int64_t)e->clock_ticks, span);
		if (mpct > m->cpu_peak_mpct)
			m->cpu_peak_mpct = mpct;
		/* (so does its interval over time, if not in a bucket
		 * yet: the same interval) */
		if (m->u_pend) {
			int64_t over = swt_sat_sub(span, m->last_dt);

			/* (its reach never shrinks: the parts told stay, and
			 * a revision tells each again; at the end, where no
			 * short interval follows, sdt is 0) */
			if (sdt < swt_sat_sub(m->u_pend_t2, m->u_pend_tc))
				sdt = swt_sat_sub(m->u_pend_t2, m->u_pend_tc);
			m->u_pend_ticks = swt_sat_add(m->u_pend_ticks, micro);
			m->u_pend_span = span;
			m->u_pend_mpct = mpct;
			m->u_pend_t = swt_sat_add(
				swt_sat_add(m->u_pend_t0, m->last_dt),
				over < sdt ? over : sdt);
			m->u_pend_t2 = swt_sat_add(m->u_pend_tc, sdt);
			if (m->u_told && e->on_usage)
				usage_tell(e, m, true, true);
		}
	} else {
		/* no interval yet: the first one takes it */
		m->early_micro = swt_sat_add(m->early_micro, micro);
	}
}

/* The end of a sample for one subject: per-interval CPU %, memory, their
 * totals and peaks. */
static void module_close_sample(struct swt_engine *e,
				struct engine__module *m, int64_t dt)
{
	int64_t ct = (int64_t)e->clock_ticks;
	int k, j;

	/* the history slots spike_step() replaces after every module is
	 * closed: asked for now, they are in the cache then (a hint; only
	 * process modules and the session have a history) */
	for (k = 0; k < SWT_RES_N &&
		    (m->kind == SWT_KIND_PROCESS || m->kind == SWT_KIND_SESSION);
	     k++)
		if (m->hist[k].v)
			__builtin_prefetch(&m->hist[k].v[m->hist[k].head], 1);
	if (dt > 0 && m->cur_obs_ns > 0) {
		int64_t span;

		/* (its first interval: the exits before it, late_credit()) */
		if (m->early_micro) {
			m->cur_ticks_micro = swt_sat_add(m->cur_ticks_micro,
							 m->early_micro);
			m->early_micro = 0;
		}
		span = busy_span(e, m->cur_ticks_micro, dt);

		/* clock ticks x interval can pass int64 (issue 11: 100 x
		 * 2^62 wrapped to 0, then divided by it) */
		m->cur_mpct = swt_muldiv2(m->cur_ticks_micro,
					  INT64_C(100000000), ct, span);
		m->ticks_micro = swt_sat_add(m->ticks_micro,
					     m->cur_ticks_micro);
		m->observed_ns = swt_sat_add(m->observed_ns,
					     swt_sat_add(m->cur_obs_ns,
							 span - dt));
		m->last_ticks_micro = m->cur_ticks_micro;
		m->last_dt = dt;
		m->late_seen_ns = 0;
		if (m->cur_mpct > m->cpu_peak_mpct)
			m->cpu_peak_mpct = m->cur_mpct;
		if (m->kind == SWT_KIND_THREAD && m->cur_obs_ns >= dt) {
			m->full_n++;
			m->sat_n += m->cur_sat;
		}
		usage_cpu(e, m, span, dt);
	}
	/* (no bytes written in this sample: all 0, nothing to keep) */
	for (k = 0; k < BY_N && m->cur_by; k++) {
		struct engine__bytes_tot *bt = &m->by[k];

		if (dt > 0 && bt->cur_has) {
			bt->obs_ns = swt_sat_add(bt->obs_ns, dt);
			if (bt->cur > bt->peak)
				bt->peak = bt->cur;
		}
		for (j = 0; j < ENGINE_SOCK_KINDS; j++)
			if (bt->cur_socks[j] > bt->peak_socks[j])
				bt->peak_socks[j] = bt->cur_socks[j];
	}
	if (m->cur_mem) {
		/* (more than the machine holds: shared pages, each
		 * process's RSS counting them) */
		if (e->in_use_kib > 0 && m->cur_rss_kib > e->in_use_kib &&
		    m->cur_rss_kib - e->in_use_kib > m->over_kib) {
			m->over_kib = m->cur_rss_kib - e->in_use_kib;
			m->over_rss_kib = m->cur_rss_kib;
			m->over_in_use_kib = e->in_use_kib;
			m->over_t = e->sample_t;
		}
		m->cur_mmb = engine__kib_to_mmb(m->cur_rss_kib);
		m->mem_sum_kib = swt_sat_add(m->mem_sum_kib, m->cur_rss_kib);
		m->mem_n++;
		if (m->cur_rss_kib > m->mem_peak_kib)
			m->mem_peak_kib = m->cur_rss_kib;
		usage_mem(e, m);
	}
}

static void swap_slots(struct engine__slot **a, size_t *na, size_t *capa,
		       struct engine__slot **b, size_t *nb, size_t *capb)
{
	struct engine__slot *p = *a;
	size_t cap = *capa;

	*a = *b;
	*na = *nb;
	*capa = *capb;
	*b = p;
	*nb = 0;
	*capb = cap;
}

/* Deadlines the recorder skipped: sample k is due at the first one's
 * scheduled time + k intervals, so a gap of n intervals between two
 * samples on that grid hides n - 1. Samples off the grid (swrec's last
 * look when the command exits, or when every attached process has) are
 * extra ones and take no part. */
static void count_missed(struct swt_engine *e, int64_t sched)
{
	int64_t iv = e->interval_ns, from_grid, gap;

	if (!e->have_sched) {
		e->grid0 = e->prev_sched = sched;
		e->have_sched = true;
		return;
	}
	/* (scheduled times come from the file: a difference that does not
	 * fit is off the grid) */
	if (iv <= 0 || sched <= e->prev_sched || sched < e->grid0 ||
	    !swt_sub_ok(&from_grid, sched, e->grid0) ||
	    !swt_sub_ok(&gap, sched, e->prev_sched) || from_grid % iv != 0)
		return;
	/* after damage, the samples in between were lost, not missed */
	if (!e->sched_resync)
		e->missed_samples += (uint64_t)(gap / iv - 1);
	e->sched_resync = false;
	e->prev_sched = sched;
}

/* Alerts and spikes of pair k of process module m at the end of an
 * interval (network: only with a threshold). */
static void bytes_judge(struct swt_engine *e, struct engine__module *m,
			int k, int64_t t0, int64_t t, int64_t dt)
{
	enum swt_resource r = k == BY_IO ? SWT_RES_IO : SWT_RES_NET;
	int64_t thr = res_threshold(e, r), v = m->by[k].cur;

	if (dt <= 0 || !m->by[k].cur_has || thr <= 0)
		return;
	alert_judge(e, t, k == BY_IO ? SWT_ALERT_IO : SWT_ALERT_NET, NULL, m,
		    v, thr, &m->alert_on[r], &m->alert_t[r], &m->alert_v[r]);
	spike_step(e, m, r, t0, t, v);
}

/* An interface's cumulative bytes at t: what it moved since its last
 * reading (a counter that went back was reset: it starts again). A
 * machine has few interfaces; names past ENGINE_NETDEVS_MAX are
 * ignored. */
#define ENGINE_NETDEVS_MAX 256

static void netdev_reading(struct swt_engine *e, const struct swt_netdev *d,
			   int64_t t)
{
	const char *name = d->name ? d->name : "";
	struct engine__netdev *n = NULL;
	size_t i;

	for (i = 0; i < e->n_netdevs; i++)
		if (!strcmp(e->netdevs[i].name, name)) {
			n = &e->netdevs[i];
			break;
		}
	if (!n) {
		if (e->n_netdevs >= ENGINE_NETDEVS_MAX)
			return;
		e->netdevs = swt_grow(e->netdevs, &e->cap_netdevs,
				      e->n_netdevs + 1, sizeof(*e->netdevs));
		n = &e->netdevs[e->n_netdevs++];
		memset(n, 0, sizeof(*n));
		n->name = swt_strdup(name);
		n->t0 = t;
	} else {
		if (d->rx_bytes >= n->rx)
			n->rx_sum = swt_sat_add(n->rx_sum,
						clamp_u64(d->rx_bytes - n->rx));
		if (d->tx_bytes >= n->tx)
			n->tx_sum = swt_sat_add(n->tx_sum,
						clamp_u64(d->tx_bytes - n->tx));
	}
	n->rx = d->rx_bytes;
	n->tx = d->tx_bytes;
	n->t = t;
}

/* The touched modules in index order: set as bits of a map (kept all 0
 * in between), read back in order; linear in the touched and the words
 * of the map, whatever order the rows touched them in. */
static void sort_touched(struct swt_engine *e)
{
	size_t i, w, k = 0, nw = (e->n_mods + 63) / 64;
	uint64_t *bits;

	if (e->n_touched < 2)
		return;
	if (nw > e->n_touched_bits) {
		e->touched_bits = swt_grow(e->touched_bits,
					   &e->cap_touched_bits, nw,
					   sizeof(*e->touched_bits));
		memset(e->touched_bits + e->n_touched_bits, 0,
		       (nw - e->n_touched_bits) * sizeof(*e->touched_bits));
		e->n_touched_bits = nw;
	}
	bits = e->touched_bits;
	for (i = 0; i < e->n_touched; i++)
		bits[e->touched[i] >> 6] |= (uint64_t)1 << (e->touched[i] & 63);
	for (w = 0; w < nw; w++)
		while (bits[w]) {
			e->touched[k++] =
				(uint32_t)(w * 64 + (size_t)__builtin_ctzll(
							    bits[w]));
			bits[w] &= bits[w] - 1;
		}
}

static void on_sample(struct swt_engine *e, int64_t t,
		      const struct swt_sample *s)
{
	struct engine__module *ses = &e->session;
	struct swt_subject subj;
	int64_t t0, t0_mem, dt, short_dt;
	size_t i;
	int k;

	e->seq++;
	restart_settle(e);
	/* (every name compared byte for byte when every row is taken:
	 * SWT_ENGINE_FULL, the reference the quiet test compares with) */
	e->decode_id = e->no_quiet ? 0 : s->decode_id;
	/* the exits of this tick came before its sample: a child that
	 * exits later, after its parent, is an orphan reaped by another */
	for (i = 0; i < e->n_tombs; i++)
		swt_imap_del(&e->tomb_map, e->tombs[i].pid);
	e->n_tombs = 0;
	for (i = 0; i < e->n_unborn; i++)
		swt_imap_del(&e->unborn_map, e->unborn[i].pid);
	e->n_unborn = 0;
	settle_fins(e);
	count_missed(e, s->scheduled_ns);
	e->defer_first = false;
	e->u_mid = e->have_prev && e->defer_next ? e->t_prev : 0;
	if (e->have_prev)
		t0 = e->defer_next ? e->origin_ns : e->t_prev;
	else if (e->origin_from_header && e->origin_ns < t)
		t0 = e->origin_ns;
	else
		t0 = t;	/* the first sample is only a baseline */
	e->defer_next = false;
	t0_mem = t0;
	short_dt = t > t0 ? t - t0 : 0;
	/* an interval shorter than half the sampling interval (typically the
	 * first, from the session start to a first sample a few ms later) is
	 * a baseline only: one whole clock tick in it would read as hundreds
	 * of percent, and a near-empty interval as a zero baseline. Its
	 * memory and counter events still count. In a launched session the
	 * processes born since the start take no base from it: the next
	 * interval reaches back to the start and counts their CPU from
	 * their start (it was lost, up to half an interval of it, a
	 * quarter of a second after a slow first scan of the machine). */
	e->short_late = false;
	if (t > t0 && e->interval_ns > 0 &&
	    (t - t0) < (int64_t)(e->interval_ns / 2)) {
		e->defer_first = !e->have_prev && e->launched &&
				 t0 == e->origin_ns &&
				 e->window_from_ns <= 0;
		e->defer_next = e->defer_first;
		e->short_late = e->have_prev;
		t0 = t;
	}
	dt = t - t0;
	usage_place(e, t0_mem, t);
	if (s->has_pressure) {
		if (!e->psi_have) {
			e->psi_t[0] = t;
			memcpy(e->psi[0], s->pressure_us, sizeof(e->psi[0]));
			e->psi_have = true;
		}
		e->psi_t[1] = t;
		memcpy(e->psi[1], s->pressure_us, sizeof(e->psi[1]));
	}
	if (e->contention_in_file) {
		uint64_t all = s->sys_busy_ticks + s->sys_idle_ticks;

		if (!e->steal_have) {
			e->steal[0] = s->steal_ticks;
			e->all_ticks[0] = all;
			e->steal_have = true;
		}
		e->steal[1] = s->steal_ticks;
		e->all_ticks[1] = all;
	}
	e->n_touched = 0;
	e->in_use_kib = s->mem_available_kib > 0 &&
				s->mem_total_kib > s->mem_available_kib &&
				s->mem_total_kib - s->mem_available_kib <
					(uint64_t)INT64_MAX ?
			(int64_t)(s->mem_total_kib - s->mem_available_kib) :
			0;
	e->sample_t = t;
	ses->stamp = e->seq;
	ses->cur_ticks_micro = 0;
	ses->cur_rss_kib = 0;
	ses->cur_mem = true;
	bytes_touch(ses);
	ses->cur_by = false;
	e->any_counted = false;
	e->any_mem = false;

	/* a thread is saturated in this interval from this many ticks on:
	 * ticks x 1e14 / (clock x dt) >= saturation (thousandths of %) */
	if (dt > 0)
		e->sat_ticks = swt_muldiv_ceil(
			swt_sat_mul(e->th.v[SWT_TH_SATURATION_PERCENT],
				    (int64_t)e->clock_ticks),
			dt, INT64_C(100000000000000));
	e->walk_pid = e->walk_tid = 0;
	e->n_cur_pids = e->n_cur_tids = 0;
	e->keep_pids = e->keep_tids = false;
	e->n_thr_rows = 0;
	if (!e->no_quiet && s->proc_same && s->thread_same && s->chunk_id &&
	    e->q_have && s->chunk_id == e->q_chunk &&
	    s->chunk_sample == e->q_chunk_sample + 1 && !e->defer_first) {
		rows_incremental(e, s, t, t0, true);
	} else if (!e->no_quiet && !e->defer_first &&
		   (e->n_quiet_insts || e->n_quiet_thrs)) {
		/* the reader says nothing of this sample (a chunk's first):
		 * the quiet ones' rows are compared with what they took */
		rows_incremental(e, s, t, t0, false);
	} else {
		wake_all(e);
		rows_full(e, s, t, t0);
	}
	/* the last CPU of the processes that exited since the last sample
	 * (in the totals only when this interval is too short to be one) */
	for (i = 0; i < e->n_carries; i++) {
		struct engine__module *m;

		for (k = 0; k < BY_N; k++) {
			/* an exit's last bytes: in this interval's rate
			 * (counted in the totals already) */
			int64_t v = engine__mmbps(e->carries[i].b[k], dt);

			if (e->carries[i].b[k] <= 0 || dt <= 0)
				continue;
			touch(e, e->carries[i].mod);
			m = &e->mods[e->carries[i].mod];
			m->by[k].cur = swt_sat_add(m->by[k].cur, v);
			m->by[k].cur_has = true;
			ses->by[k].cur = swt_sat_add(ses->by[k].cur, v);
			ses->by[k].cur_has = true;
			m->cur_by = ses->cur_by = true;
		}
		if (e->carries[i].micro == 0)
			continue;	/* bytes alone */
		if (dt <= 0) {
			late_credit(e, &e->mods[e->carries[i].mod],
				    e->carries[i].micro, short_dt,
				    e->carries[i].seen);
			if (!e->carries[i].thread)
				late_credit(e, ses, e->carries[i].micro,
					    short_dt, e->carries[i].seen);
			continue;
		}
		touch(e, e->carries[i].mod);
		m = &e->mods[e->carries[i].mod];
		m->cur_ticks_micro = swt_sat_add(m->cur_ticks_micro,
						 e->carries[i].micro);
		if (dt > m->cur_obs_ns)
			m->cur_obs_ns = dt;
		if (!e->carries[i].thread)
			ses->cur_ticks_micro = swt_sat_add(
				ses->cur_ticks_micro, e->carries[i].micro);
		e->any_counted = true;
	}
	e->n_carries = 0;
	if (!e->keep_pids)
		swap_slots(&e->prev_pids, &e->n_prev_pids, &e->cap_prev_pids,
			   &e->cur_pids, &e->n_cur_pids, &e->cap_cur_pids);
	if (s->n_threads && !e->keep_tids)
		swap_slots(&e->prev_tids, &e->n_prev_tids, &e->cap_prev_tids,
			   &e->cur_tids, &e->n_cur_tids, &e->cap_cur_tids);
	/* threads absent from a sample with threads have ended (nothing to
	 * look for when every live thread had its row; a quiet one had) */
	if (s->n_threads && e->n_thr_rows != e->n_thrs - e->n_free_thrs) {
		for (i = 0; i < e->n_thrs; i++)
			if (e->thrs[i].used && e->thrs[i].stamp != e->seq &&
			    !e->q_thr[i])
				thread_remove(e, (uint32_t)i);
	}
	attribute_spans(e, t, t0);
	/* the tree's memory is observed unless every row was a zombie's,
	 * and not in a sample without rows: that is swrec's last look after
	 * the launched command (or every attached process) has gone, not a
	 * tree using 0 MB */
	ses->cur_mem = e->any_mem;
	/* the tree's CPU is known for this interval only if some process
	 * was: the first sample of preexisting processes is a baseline */
	ses->cur_obs_ns = e->any_counted ? dt : 0;

	/* the subjects of this sample in the order they were made (module
	 * index): the same whichever rows were read or carried */
	sort_touched(e);
	/* per-interval values of every subject first: the spike snapshots
	 * compare them */
	for (i = 0; i < e->n_touched; i++)
		module_close_sample(e, &e->mods[e->touched[i]], dt);
	module_close_sample(e, ses, dt);
	if (e->on_usage && ses->u_pend && ses->u_pend_seq == e->seq)
		usage_tell_held(e);
	/* the memory "at the end" is the tree's last with a live process:
	 * not the empty tree after a launched command has exited */
	if (e->any_mem)
		e->mem_end_mmb = ses->cur_mmb;

	for (i = 0; i < e->n_touched; i++) {
		struct engine__module *m = &e->mods[e->touched[i]];

		if (m->kind != SWT_KIND_THREAD && m->cur_mem)
			swt_series_add(m->mem_series, t, m->cur_rss_kib);
		if (m->kind != SWT_KIND_PROCESS)
			continue;
		if (m->cur_mem && m->mem_series->count >= m->next_test) {
			engine__subject(e, m, &subj);
			leak_test(e, m, &subj, t);
		}
		if (dt > 0 && m->cur_obs_ns > 0) {
			alert_judge(e, t, SWT_ALERT_CPU, NULL, m, m->cur_mpct,
				    e->th.v[SWT_TH_CPU_PERCENT],
				    &m->alert_on[SWT_RES_CPU],
				    &m->alert_t[SWT_RES_CPU],
				    &m->alert_v[SWT_RES_CPU]);
			spike_step(e, m, SWT_RES_CPU, t0, t, m->cur_mpct);
		}
		if (m->cur_mem) {
			alert_judge(e, t, SWT_ALERT_MEMORY, NULL, m, m->cur_mmb,
				    e->th.v[SWT_TH_MEMORY_MB],
				    &m->alert_on[SWT_RES_MEMORY],
				    &m->alert_t[SWT_RES_MEMORY],
				    &m->alert_v[SWT_RES_MEMORY]);
			spike_step(e, m, SWT_RES_MEMORY, t0_mem, t, m->cur_mmb);
		}
		bytes_judge(e, m, BY_IO, t0, t, dt);
		bytes_judge(e, m, BY_NET, t0, t, dt);
	}
	if (ses->cur_mem) {
		swt_series_add(ses->mem_series, t, ses->cur_rss_kib);
		if (ses->mem_series->count >= ses->next_test)
			trend_test(e, SWT_RES_MEMORY, t);
	}
	if (dt > 0 && ses->cur_obs_ns > 0) {
		swt_series_add(ses->cpu_series, t, ses->cur_mpct);
		if (ses->cpu_series->count >= ses->next_test_cpu)
			trend_test(e, SWT_RES_CPU, t);
		spike_step(e, ses, SWT_RES_CPU, t0, t, ses->cur_mpct);
	}
	if (ses->cur_mem)
		spike_step(e, ses, SWT_RES_MEMORY, t0_mem, t, ses->cur_mmb);
	if (dt > 0 && ses->by[BY_IO].cur_has)
		spike_step(e, ses, SWT_RES_IO, t0, t, ses->by[BY_IO].cur);
	if (dt > 0 && ses->by[BY_NET].cur_has &&
	    e->th.v[SWT_TH_NET_MB_PER_S] > 0)
		spike_step(e, ses, SWT_RES_NET, t0, t, ses->by[BY_NET].cur);
	/* (at the end: the last interval with a live process, as memory) */
	if (dt > 0 && e->any_mem)
		for (k = 0; k < BY_N; k++)
			e->by_end[k] = ses->by[k].cur;
	for (i = 0; i < s->n_netdevs; i++)
		netdev_reading(e, &s->netdevs[i], t);

	/* a process gone in the middle of a spike ends it */
	for (i = 0; i < e->n_open_spikes;) {
		struct engine__module *m = &e->mods[e->open_spikes[i]];

		if (m->stamp != e->seq) {
			spike_close(e, m, SWT_RES_CPU);
			spike_close(e, m, SWT_RES_MEMORY);
			spike_close(e, m, SWT_RES_IO);
			spike_close(e, m, SWT_RES_NET);
		}
		if (m->spike[SWT_RES_CPU].open ||
		    m->spike[SWT_RES_MEMORY].open ||
		    m->spike[SWT_RES_IO].open ||
		    m->spike[SWT_RES_NET].open) {
			i++;
		} else {
			m->in_open_spikes = false;
			e->open_spikes[i] = e->open_spikes[--e->n_open_spikes];
		}
	}
	counters_step(e, t0_mem, t);
	if (e->usage_totals && e->u_on)
		usage_totals(e, swt_sat_sub(t, e->origin_ns), false);
	e->t_prev = t;
	e->have_prev = true;
	e->q_have = true;
	e->q_chunk = s->chunk_id;
	e->q_chunk_sample = s->chunk_sample;
	e->done_seq = e->seq;
	e->done_t = t;
	e->done_dt = dt;
}

/* ---- feed ---------------------------------------------------------------- */

static int on_header(struct swt_engine *e, const struct swt_header *h)
{
	size_t i;

	/* values the arithmetic relies on (swt_engine.h, docs/analysis.md
	 * § 11): a header outside them is damage, not a session */
	if (h->clock_ticks == 0) {
		set_err(e, "session header: clock_ticks is 0");
		return SWT_ECORRUPT;
	}
	if (h->clock_ticks > SWT_ENGINE_MAX_CLOCK_TICKS) {
		set_err(e, "session header: clock_ticks %" PRIu32
			   " is absurd (over %d per second)",
			h->clock_ticks, SWT_ENGINE_MAX_CLOCK_TICKS);
		return SWT_ECORRUPT;
	}
	if (h->page_size != 0 &&
	    (h->page_size < SWT_ENGINE_MIN_PAGE_SIZE ||
	     h->page_size > SWT_ENGINE_MAX_PAGE_SIZE ||
	     (h->page_size & (h->page_size - 1)) != 0)) {
		set_err(e, "session header: page_size %" PRIu32
			   " is absurd (not a power of 2 from %d to %d)",
			h->page_size, SWT_ENGINE_MIN_PAGE_SIZE,
			SWT_ENGINE_MAX_PAGE_SIZE);
		return SWT_ECORRUPT;
	}
	if (h->interval_ns <= 0 || h->interval_ns > SWT_ENGINE_MAX_INTERVAL_NS) {
		set_err(e, "session header: interval_ns %" PRId64
			   " is absurd (not in 1 ns .. 1 day)",
			h->interval_ns);
		return SWT_ECORRUPT;
	}
	e->recorder = display_name(h->recorder);
	e->launched = h->mode == SWT_MODE_LAUNCH;
	e->n_command = h->n_command;
	e->command = swt_calloc(h->n_command, sizeof(*e->command));
	for (i = 0; i < h->n_command; i++)
		e->command[i] = display_name(h->command[i]);
	e->clock_ticks = h->clock_ticks;
	e->cpu_count = h->cpu_count;
	e->kernel = display_name(h->kernel ? h->kernel : "");
	e->page_size = h->page_size;
	e->mem_total_kib = h->mem_total_kib;
	e->start_wall_ns = h->start_wall_ns;
	e->interval_ns = h->interval_ns;
	/* files before format 1.2 have no network columns: unknown, not 0
	 * (a header built in memory, major 0, is of the current format) */
	e->net_in_file = h->format_major != 1 || h->format_minor >= 2;
	e->contention_in_file = h->format_major != 1 || h->format_minor >= 4;
	if (h->start_mono_ns > 0) {
		e->origin_ns = h->start_mono_ns;
		e->origin_known = true;
		e->origin_from_header = true;
	}
	e->have_header = true;
	return 0;
}

/* Is t within SWT_ENGINE_MAX_SPAN_NS of the session start? Then the
 * difference of any two accepted times fits in int64 with room to spare
 * (docs/analysis.md § 11). */
static bool time_sane(const struct swt_engine *e, int64_t t)
{
	int64_t rel;

	return swt_sub_ok(&rel, t, e->origin_ns) &&
	       rel <= SWT_ENGINE_MAX_SPAN_NS && rel >= -SWT_ENGINE_MAX_SPAN_NS;
}

static int check_times(struct swt_engine *e, const struct swt_record *rec)
{
	size_t i;

	if (!time_sane(e, rec->t_ns)) {
		set_err(e, "record %" PRIu64 " (%s): time %" PRId64
			   " ns is more than a year from the session start %"
			   PRId64 " ns",
			e->n_fed - 1, swt_record_kind_name(rec->kind), rec->t_ns,
			e->origin_ns);
		return SWT_ECORRUPT;
	}
	if (rec->kind != SWT_REC_EVENTS)
		return 0;
	for (i = 0; i < rec->u.events.n; i++) {
		int64_t t = rec->u.events.events[i].t_ns;

		if (!time_sane(e, t)) {
			set_err(e, "record %" PRIu64 " (events): event %zu "
				   "time %" PRId64 " ns is more than a year "
				   "from the session start %" PRId64 " ns",
				e->n_fed - 1, i, t, e->origin_ns);
			return SWT_ECORRUPT;
		}
	}
	return 0;
}

int swt_engine_announce(struct swt_engine *e, const struct swt_proc_start *ps,
			int64_t t, bool held_base)
{
	struct swt_record rec;
	uint32_t idx;
	int err;

	memset(&rec, 0, sizeof(rec));
	rec.kind = SWT_REC_PROC_START;
	rec.t_ns = t;
	rec.u.proc_start = *ps;
	rec.u.proc_start.preexisting = true;
	err = swt_engine_feed(e, &rec);
	if (err < 0)
		return err;
	idx = swt_imap_get(&e->pid_map, ps->pid);
	if (idx != SWT_MAP_NONE)
		e->insts[idx].held_base = held_base;
	return 0;
}

/* A sample from a reader handing over only the rows that changed
 * (swt_reader_set_deltas() with listed, swt_sample.keep_rows): its rows
 * are kept; one whose rows are listed only is made whole from them
 * (e->k_rec). Returns the record to take, NULL when listed rows do not
 * follow the sample kept or fit it (a reader misused: samples left out). */
static const struct swt_record *whole_sample(struct swt_engine *e,
					     const struct swt_record *rec)
{
	const struct swt_sample *s = &rec->u.sample;
	struct swt_sample *w = &e->k_rec.u.sample;

	if (!swt_rows_keep_sample(&e->kept, s, true))
		return NULL;
	if (!s->proc_listed && !s->thread_listed)
		return rec;
	e->k_rec = *rec;
	if (s->proc_listed) {
		w->procs = e->kept.procs;
		w->proc_same = e->kept.proc_same;
		w->proc_listed = false;
		w->proc_cols = NULL;
	}
	if (s->thread_listed) {
		w->threads = e->kept.threads;
		w->thread_same = e->kept.thread_same;
		w->thread_listed = false;
	}
	return &e->k_rec;
}

int swt_engine_feed(struct swt_engine *e, const struct swt_record *rec)
{
	int64_t t = rec->t_ns;
	int err;

	if (e->finished) {
		set_err(e, "record fed after swt_engine_finish()");
		return SWT_EINVAL;
	}
	e->n_fed++;
	if (rec->kind == SWT_REC_HEADER) {
		if (e->have_header) {
			set_err(e, "a second session header");
			return SWT_EINVAL;
		}
		return on_header(e, &rec->u.header);
	}
	if (!e->have_header) {
		set_err(e, "the first record must be the session header");
		return SWT_EINVAL;
	}
	if (rec->kind == SWT_REC_SAMPLE &&
	    (rec->u.sample.keep_rows || e->kept.have)) {
		/* (before anything may pass it over: the next one may list
		 * its changed rows alone; one without keep_rows ends what is
		 * kept) */
		rec = whole_sample(e, rec);
		if (!rec) {
			set_err(e, "a sample of changed rows alone without "
				   "the sample before it");
			return SWT_EINVAL;
		}
	}
	if (!e->origin_known) {
		e->origin_ns = t;
		e->origin_known = true;
	}
	/* nothing of a record with an absurd time is applied */
	err = check_times(e, rec);
	if (err < 0)
		return err;
	if (e->have_prev && t < e->t_prev)
		t = e->t_prev;
	if (t > e->t_last)
		e->t_last = t;
	/* a record about a quiet process: it takes its place first */
	if (e->n_quiet_insts || e->n_quiet_thrs) {
		int32_t pid = rec->kind == SWT_REC_PROC_START ?
				      rec->u.proc_start.pid :
			      rec->kind == SWT_REC_PROC_EXIT ?
				      rec->u.proc_exit.pid :
			      rec->kind == SWT_REC_EVENTS ?
				      rec->u.events.pid :
				      0;

		if (pid)
			wake_inst(e, swt_imap_get(&e->pid_map, pid));
	}
	switch (rec->kind) {
	case SWT_REC_PROC_START:
		on_proc_start(e, t, &rec->u.proc_start);
		break;
	case SWT_REC_PROC_EXIT:
		on_proc_exit(e, &rec->u.proc_exit);
		break;
	case SWT_REC_SAMPLE:
		on_sample(e, t, &rec->u.sample);
		break;
	case SWT_REC_EVENTS:
		on_events(e, &rec->u.events);
		break;
	case SWT_REC_ALERT:
		e->recorded_alerts++;
		break;
	case SWT_REC_DROPS:
		e->dropped_events += rec->u.drops.dropped;
		break;
	case SWT_REC_END:
		e->has_end = true;
		e->t_end = t;
		e->end_missed = rec->u.end.missed_samples;
		e->exit_acct = rec->u.end.exit_acct;
		e->exit_acct_overflows = rec->u.end.exit_acct_overflows;
		e->exits_dropped = rec->u.end.exits_dropped;
		break;
	case SWT_REC_ANOMALY:
	case SWT_REC_HEADER:
		break;
	}
	return 0;
}

/* ---- lifetime ------------------------------------------------------------ */

void swt_engine_new(struct swt_engine **out,
		    const struct swt_engine_opts *opts)
{
	struct swt_engine *e = swt_zalloc(sizeof(*e));
	size_t h;

	if (opts && opts->thresholds)
		swt_thresholds_copy(&e->th, opts->thresholds);
	else
		swt_thresholds_init(&e->th);
	if (opts) {
		e->on_alert = opts->on_alert;
		e->on_event = opts->on_event;
		e->on_usage = opts->on_usage;
		e->usage_totals = opts->on_usage && opts->usage_totals;
		e->payload = opts->payload;
		e->max_spikes = opts->max_spikes;
		e->max_alerts = opts->max_alerts;
		e->window_from_ns = opts->window_from_ns > 0 ?
					    opts->window_from_ns : 0;
	}
	swt_usage_grid_init(&e->ugrid, opts ? opts->usage_buckets : 0);
	/* every row taken, none passed over as a repeat: for tests that
	 * compare the two (docs/analysis.md § 15) */
	{
		const char *full = getenv("SWT_ENGINE_FULL");

		e->no_quiet = full && *full && strcmp(full, "0") != 0;
	}
	if (!e->max_spikes)
		e->max_spikes = DEFAULT_MAX_FINDINGS;
	if (!e->max_alerts)
		e->max_alerts = DEFAULT_MAX_FINDINGS;
	swt_smap_init(&e->ident_map);
	swt_smap_init(&e->variant_map);
	swt_imap_init(&e->tomb_map);
	swt_imap_init(&e->unborn_map);
	swt_imap_init(&e->restart_ppids);
	swt_smap_init(&e->mod_map);
	swt_smap_init(&e->ctr_map);
	swt_imap_init(&e->pid_map);
	swt_imap_init(&e->tid_map);
	module_setup(e, &e->session, SWT_KIND_SESSION, SWT_MAP_NONE,
		     "session");
	h = (size_t)e->th.v[SWT_TH_HISTORY_SAMPLES];
	e->t_ring = swt_calloc(h + 1, sizeof(*e->t_ring));
	e->t_last = INT64_MIN;
	*out = e;
}

void swt_engine_set_window_from(struct swt_engine *e, int64_t from_ns)
{
	e->window_from_ns = from_ns > 0 ? from_ns : 0;
}

bool swt_engine_takes_deltas(const struct swt_engine *e)
{
	return !e->no_quiet;
}

void swt_engine_free(struct swt_engine *e)
{
	size_t i, j;

	if (!e)
		return;
	if (e->out)
		engine__findings_free(e->out);
	free(e->out);
	free(e->q_inst);
	free(e->inst_seq);
	free(e->q_thr);
	free(e->thr_inst);
	free(e->q_nthr);
	free(e->thr_mod);
	free(e->qmods);
	free(e->restarts);
	free(e->rest_p);
	free(e->rest_t);
	for (i = 0; i < e->n_insts; i++) {
		for (j = 0; j < e->insts[i].n_spans; j++)
			free(e->insts[i].spans[j].ents);
		free(e->insts[i].spans);
		free(e->insts[i].at_acc);
	}
	free(e->insts);
	free(e->free_insts);
	free(e->thrs);
	free(e->free_thrs);
	free(e->span_insts);
	free(e->orphan_mods);
	for (i = 0; i < e->n_mods; i++)
		module_fini(&e->mods[i]);
	free(e->mods);
	module_fini(&e->session);
	for (i = 0; i < e->n_idents; i++) {
		free(e->idents[i].comm);
		free(e->idents[i].command);
		free(e->idents[i].program);
		free(e->idents[i].prog_key);
		free(e->idents[i].group_command);
		free(e->idents[i].mem_attr);
		free(e->idents[i].cpu_attr);
	}
	free(e->idents);
	for (i = 0; i < e->n_variants; i++)
		free(e->variants[i].command);
	free(e->variants);
	for (i = 0; i < e->n_netdevs; i++)
		free(e->netdevs[i].name);
	free(e->netdevs);
	for (i = 0; i < e->n_ctrs; i++) {
		free(e->ctrs[i].name);
		free(e->ctrs[i].ring);
	}
	free(e->ctrs);
	swt_smap_fini(&e->ident_map);
	swt_smap_fini(&e->variant_map);
	swt_imap_fini(&e->tomb_map);
	free(e->tombs);
	swt_imap_fini(&e->unborn_map);
	swt_imap_fini(&e->restart_ppids);
	free(e->unborn);
	free(e->carries);
	free(e->fins);
	free(e->iofins);
	swt_smap_fini(&e->mod_map);
	swt_smap_fini(&e->ctr_map);
	swt_imap_fini(&e->pid_map);
	swt_imap_fini(&e->tid_map);
	free(e->touched);
	free(e->touched_bits);
	swt_rows_kept_fini(&e->kept);
	free(e->pawake);
	free(e->pvisit);
	free(e->tawake);
	free(e->tvisit);
	free(e->prev_pids);
	free(e->cur_pids);
	free(e->prev_tids);
	free(e->cur_tids);
	free(e->open_spikes);
	free(e->t_ring);
	free(e->alerts);
	free(e->scratch);
	free(e->spikes);
	free(e->recorder);
	free(e->kernel);
	swt_buf_fini(&e->namebuf);
	for (i = 0; i < e->n_command; i++)
		free(e->command[i]);
	free(e->command);
	swt_thresholds_fini(&e->th);
	free(e);
}

/* The exits of m before any interval of it (late_credit()), into its
 * total. */
static void early_to_total(struct engine__module *m)
{
	m->ticks_micro = swt_sat_add(m->ticks_micro, m->early_micro);
	m->early_micro = 0;
}

/* One interval of span ns for m, which had none (whole_session()): all
 * its CPU so far in it, as if its interval had been closed with it. */
static void one_interval(struct swt_engine *e, struct engine__module *m,
			 int64_t span)
{
	int64_t sp;

	early_to_total(m);
	sp = busy_span(e, m->ticks_micro, span);
	m->last_dt = span;
	m->last_ticks_micro = m->ticks_micro;
	m->late_seen_ns = 0;
	m->observed_ns = sp;
	m->cur_mpct = swt_muldiv2(m->ticks_micro, INT64_C(100000000),
				  (int64_t)e->clock_ticks, sp);
	if (m->cur_mpct > m->cpu_peak_mpct)
		m->cpu_peak_mpct = m->cur_mpct;
	/* (over time, its one point carries all of it) */
	m->cur_ticks_micro = m->ticks_micro;
	usage_cpu(e, m, sp, span);
}

/* A session too short for any interval of the tree to count — every one
 * shorter than half the sampling interval, a baseline only (a command of
 * 0.3 s recorded at the default 1 s) — had its CPU in its totals and no
 * CPU % at all: 0.0 % beside 0.3 s of CPU. It is one interval, from its
 * start to its last sample, for the tree and for each process and thread
 * module (which has none either); the CPU that comes after (exits of the
 * last look) joins it as it joins any last interval (late_credit()).
 * Not in a window, whose first sample is its base. */
static void whole_session(struct swt_engine *e)
{
	int64_t span;
	size_t i;

	if (e->session.last_dt > 0 || e->session.observed_ns > 0 ||
	    !e->have_prev || e->window_from_ns > 0 || e->clock_ticks == 0)
		return;
	span = swt_sat_sub(e->t_prev, e->origin_ns);
	if (span <= 0)
		return;
	one_interval(e, &e->session, span);
	for (i = 0; i < e->n_mods; i++) {
		struct engine__module *m = &e->mods[i];

		if (m->last_dt == 0 && !m->merged &&
		    (m->kind == SWT_KIND_PROCESS || m->kind == SWT_KIND_THREAD))
			one_interval(e, m, span);
	}
}

int swt_engine_finish(struct swt_engine *e, const struct swt_result **out)
{
	size_t i;

	*out = NULL;
	if (!e->have_header) {
		set_err(e, "no session header was fed");
		return SWT_EINVAL;
	}
	if (!e->finished) {
		restart_settle(e);	/* (records after the last sample) */
		/* (for tests/analyze/test-quiet.sh: that rows were passed
		 * over at all) */
		if (getenv("SWT_ENGINE_STATS")) {
			fprintf(stderr,
				"swt engine: %" PRIu64 " of %" PRIu64
				" process rows and %" PRIu64
				" thread rows passed over (quiet)\n",
				e->n_quiet_prows, e->n_proc_samples,
				e->n_quiet_trows);
			fprintf(stderr,
				"swt engine: %" PRIu64 " samples as deltas, %"
				PRIu64 " walked by their awake places; %" PRIu64
				" process rows looked at; %" PRIu64
				" thread walks by awake places, %" PRIu64
				" thread rows looked at\n",
				e->n_delta_walks, e->n_awake_walks,
				e->n_prows_looked, e->n_tawake_walks,
				e->n_trows_looked);
			fprintf(stderr,
				"swt engine: %" PRIu64 " process rows and %"
				PRIu64 " thread rows of them changed in their "
				"CPU, memory or pairs read alone, taken in "
				"place\n",
				e->n_ticks_p, e->n_ticks_t);
		}
		wake_all(e);
		e->finished = true;
		for (i = 0; i < e->n_open_spikes; i++) {
			spike_close(e, &e->mods[e->open_spikes[i]],
				    SWT_RES_CPU);
			spike_close(e, &e->mods[e->open_spikes[i]],
				    SWT_RES_MEMORY);
			spike_close(e, &e->mods[e->open_spikes[i]],
				    SWT_RES_IO);
			spike_close(e, &e->mods[e->open_spikes[i]],
				    SWT_RES_NET);
		}
		spike_close(e, &e->session, SWT_RES_CPU);
		spike_close(e, &e->session, SWT_RES_MEMORY);
		spike_close(e, &e->session, SWT_RES_IO);
		spike_close(e, &e->session, SWT_RES_NET);
		whole_session(e);
		/* exits after the last sample: in the totals only */
		settle_fins(e);
		for (i = 0; i < e->n_carries; i++) {
			late_credit(e, &e->mods[e->carries[i].mod],
				    e->carries[i].micro, 0, false);
			if (!e->carries[i].thread)
				late_credit(e, &e->session,
					    e->carries[i].micro, 0, false);
		}
		e->n_carries = 0;
		/* the exits of a module that never had an interval: in its
		 * total alone */
		early_to_total(&e->session);
		for (i = 0; i < e->n_mods; i++)
			early_to_total(&e->mods[i]);
		/* the last intervals over time, now that no exit can add to
		 * them */
		usage_commit(e, &e->session);
		for (i = 0; i < e->n_mods; i++)
			usage_commit(e, &e->mods[i]);
		if (e->usage_totals) {
			int64_t t = e->has_end ? e->t_end : e->t_last;

			if (e->have_prev && t < e->u_t)
				t = e->u_t;
			usage_totals(e, swt_sat_sub(t, e->origin_ns), true);
		}
		threads_take_module_names(e);
		e->out = swt_zalloc(sizeof(*e->out));
		engine__findings(e, e->out);
	}
	*out = &e->out->res;
	return 0;
}

int swt_result_max_priority(const struct swt_result *r)
{
	int best = -1;
	size_t i;

	for (i = 0; i < r->n_modules; i++)
		if ((int)r->modules[i].priority > best)
			best = (int)r->modules[i].priority;
	for (i = 0; i < r->n_recommendations; i++)
		if ((int)r->recommendations[i].priority > best)
			best = (int)r->recommendations[i].priority;
	return best;
}
