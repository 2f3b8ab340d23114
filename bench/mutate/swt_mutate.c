/* swt-mutate — field-aware mutations of a real session, for robustness runs
 * of the readers (bench/mutate/run.sh).
 *
 *   swt-mutate IN OUT SEED [RATE]
 *
 * Reads every record of IN and writes a new session OUT through the codec,
 * changing, with probability RATE per mille (default 20) per record, one
 * of its fields to a value a crafted or broken file could hold: 0, -1, 1,
 * INT64_MAX, INT64_MIN, 2^62, a huge time jump, a random 64-bit number;
 * or a name to "", a 4 KiB name or invalid UTF-8; or the record is dropped,
 * written twice, or kept back and written after the next one. The header
 * is mutated the same way (clock ticks, page size, interval, start time).
 * The chunks of OUT are valid zstd frames with valid checksums: what byte
 * flips cannot reach (they mostly break a checksum and lose a chunk), these
 * do: the analysis of values that decode fine but mean nonsense.
 *
 * A mutation the writer refuses (SWT_EINVAL: a record it cannot encode) is
 * undone and the original written instead. Deterministic: the same IN,
 * SEED and RATE give the same OUT. Exit 0, 1 on an error (message on
 * stderr). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swt_reader.h"
#include "swt_status.h"
#include "swt_writer.h"

static uint64_t rng;

static uint64_t next(void)
{
	/* splitmix64 */
	uint64_t z = (rng += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static unsigned below(unsigned n)
{
	return (unsigned)(next() % n);
}

/* A value a field could be made to hold. */
static int64_t odd_value(int64_t v)
{
	switch (below(10)) {
	case 0: return 0;
	case 1: return -1;
	case 2: return 1;
	case 3: return INT64_MAX;
	case 4: return INT64_MIN;
	case 5: return INT64_C(1) << 62;
	case 6: return v + (INT64_C(1) << 40);	/* a jump of 18 minutes */
	case 7: return v - (INT64_C(1) << 40);
	case 8: return (int64_t)next();
	default: return v * 1000;
	}
}

static char long_name[4097];
static const char bad_utf8[] = "\xff\xfe\xc3\x28 broken";

static const char *odd_name(void)
{
	switch (below(3)) {
	case 0: return "";
	case 1: return long_name;
	default: return bad_utf8;
	}
}

/* One field of the record changed; arrays are the caller's copies. */
static void mutate(struct swt_record *r, struct swt_proc_row *procs,
		   struct swt_thread_row *thr, struct swt_event *evs)
{
	switch (r->kind) {
	case SWT_REC_SAMPLE: {
		struct swt_sample *s = &r->u.sample;

		if (s->n_procs && below(3)) {
			struct swt_proc_row *p = &procs[below((unsigned)s->n_procs)];
			int64_t *f[] = { &p->utime, &p->stime, &p->rss_kib,
					 &p->vsz_kib, &p->nthreads,
					 &p->minflt, &p->majflt, &p->io_read,
					 &p->io_write, &p->vctxsw,
					 &p->ivctxsw, &p->cutime,
					 &p->cstime };
			int64_t *x = f[below(sizeof(f) / sizeof(*f))];

			*x = odd_value(*x);
		} else if (s->n_threads && below(2)) {
			struct swt_thread_row *t =
				&thr[below((unsigned)s->n_threads)];

			switch (below(4)) {
			case 0: t->utime = odd_value(t->utime); break;
			case 1: t->stime = odd_value(t->stime); break;
			case 2: t->name = odd_name(); break;
			default: t->tgid = (int32_t)odd_value(t->tgid); break;
			}
		} else if (below(2)) {
			s->scheduled_ns = odd_value(s->scheduled_ns);
		} else {
			r->t_ns = odd_value(r->t_ns);
		}
		break;
	}
	case SWT_REC_EVENTS: {
		struct swt_event *e;

		if (!r->u.events.n)
			break;
		e = &evs[below((unsigned)r->u.events.n)];
		switch (below(5)) {
		case 0: e->value = odd_value(e->value); break;
		case 1: e->t_ns = odd_value(e->t_ns); break;
		case 2: e->name = odd_name(); break;
		case 3: e->kind = (enum swt_event_kind)(1 + below(5)); break;
		default: e->tid = (int32_t)odd_value(e->tid); break;
		}
		r->t_ns = r->u.events.events[0].t_ns;
		break;
	}
	case SWT_REC_PROC_START:
		switch (below(5)) {
		case 0: r->u.proc_start.comm = odd_name(); break;
		case 4: r->u.proc_start.exe = odd_name(); break;
		case 1:
			r->u.proc_start.start_ticks =
				(uint64_t)odd_value((int64_t)r->u.proc_start
							    .start_ticks);
			break;
		case 2: r->u.proc_start.ppid = r->u.proc_start.pid; break;
		default: r->t_ns = odd_value(r->t_ns); break;
		}
		break;
	case SWT_REC_PROC_EXIT: {
		struct swt_proc_exit *x = &r->u.proc_exit;
		static struct swt_thread_end ends[3];
		size_t k;

		switch (below(5)) {
		case 4:	/* its threads' ends (format 1.10) */
			for (k = 0; k < 3; k++) {
				ends[k].tid = k == 2 ? (int32_t)odd_value(0) :
						       x->pid + (int32_t)k;
				ends[k].name = k == 1 ? odd_name() : "";
				ends[k].utime_us = (uint64_t)odd_value(
					(int64_t)x->utime_us);
				ends[k].stime_us = (uint64_t)odd_value(0);
			}
			x->threads = ends;
			x->n_threads = 1 + below(3);
			x->has_final = x->has_acct = true;
			break;
		case 0:
			x->start_ticks = (uint64_t)odd_value(
				(int64_t)x->start_ticks);
			break;
		case 1:	/* last counters (format 1.1) */
			x->has_final = true;
			x->utime = odd_value(x->utime);
			x->cutime = odd_value(x->cutime);
			break;
		case 2:	/* a taskstats record */
			x->has_final = true;
			x->has_acct = true;
			x->utime_us = (uint64_t)odd_value((int64_t)x->utime_us);
			x->stime_us = (uint64_t)odd_value((int64_t)x->stime_us);
			x->hiwater_rss_kib = (uint64_t)odd_value(
				(int64_t)x->hiwater_rss_kib);
			break;
		default:
			x->cstime = odd_value(x->cstime);
			x->has_final = below(2) != 0;
			break;
		}
		break;
	}
	case SWT_REC_DROPS:
		r->u.drops.dropped = (uint64_t)odd_value(
			(int64_t)r->u.drops.dropped);
		break;
	default:
		r->t_ns = odd_value(r->t_ns);
		break;
	}
}

static void mutate_header(struct swt_header *h)
{
	switch (below(6)) {
	case 0: h->clock_ticks = (uint32_t)odd_value(h->clock_ticks); break;
	case 1: h->page_size = (uint32_t)odd_value(h->page_size); break;
	case 2: h->interval_ns = odd_value(h->interval_ns); break;
	case 3: h->start_mono_ns = odd_value(h->start_mono_ns); break;
	case 4: h->cpu_count = (uint32_t)odd_value(h->cpu_count); break;
	default: h->recorder = odd_name(); break;
	}
}

/* A deep enough copy of a record for the writer: arrays copied, strings
 * borrowed from the reader (valid until its next call) or static. */
struct held {
	struct swt_record r;
	struct swt_proc_row *procs;
	struct swt_thread_row *thr;
	struct swt_event *evs;
	size_t cap_p, cap_t, cap_e;
	char *strs;		/* the borrowed strings, kept for a held-back
				 * record */
};

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
	if (n <= *cap)
		return p;
	*cap = n;
	p = realloc(p, n * size);
	if (!p) {
		perror("swt-mutate");
		exit(1);
	}
	return p;
}

static void hold(struct held *h, const struct swt_record *r)
{
	h->r = *r;
	if (r->kind == SWT_REC_SAMPLE) {
		h->procs = grow(h->procs, &h->cap_p, r->u.sample.n_procs + 1,
				sizeof(*h->procs));
		if (r->u.sample.n_procs)
			memcpy(h->procs, r->u.sample.procs,
			       r->u.sample.n_procs * sizeof(*h->procs));
		h->r.u.sample.procs = h->procs;
		h->thr = grow(h->thr, &h->cap_t, r->u.sample.n_threads + 1,
			      sizeof(*h->thr));
		if (r->u.sample.n_threads)
			memcpy(h->thr, r->u.sample.threads,
			       r->u.sample.n_threads * sizeof(*h->thr));
		h->r.u.sample.threads = h->thr;
	} else if (r->kind == SWT_REC_EVENTS) {
		h->evs = grow(h->evs, &h->cap_e, r->u.events.n + 1,
			      sizeof(*h->evs));
		if (r->u.events.n)
			memcpy(h->evs, r->u.events.events,
			       r->u.events.n * sizeof(*h->evs));
		h->r.u.events.events = h->evs;
	}
}

/* Strings of a held-back record outlive the reader's next call only if
 * copied: names of threads and events, comm and cmdline. */
static void pin_strings(struct held *h)
{
	size_t need = 0, i, off = 0;
	struct swt_record *r = &h->r;

#define ADD(s) need += (s) ? strlen(s) + 1 : 0
#define PIN(s) do { if (s) { size_t l_ = strlen(s) + 1; \
	memcpy(h->strs + off, (s), l_); (s) = h->strs + off; off += l_; } } \
	while (0)
	if (r->kind == SWT_REC_SAMPLE)
		for (i = 0; i < r->u.sample.n_threads; i++)
			ADD(h->thr[i].name);
	else if (r->kind == SWT_REC_EVENTS)
		for (i = 0; i < r->u.events.n; i++)
			ADD(h->evs[i].name);
	else if (r->kind == SWT_REC_PROC_START)
		ADD(r->u.proc_start.comm);
	free(h->strs);
	h->strs = malloc(need + 1);
	if (!h->strs) {
		perror("swt-mutate");
		exit(1);
	}
	if (r->kind == SWT_REC_SAMPLE)
		for (i = 0; i < r->u.sample.n_threads; i++)
			PIN(h->thr[i].name);
	else if (r->kind == SWT_REC_EVENTS)
		for (i = 0; i < r->u.events.n; i++)
			PIN(h->evs[i].name);
	else if (r->kind == SWT_REC_PROC_START) {
		PIN(r->u.proc_start.comm);
		r->u.proc_start.cmdline = NULL;	/* not copied */
		r->u.proc_start.cmdline_len = 0;
	}
#undef ADD
#undef PIN
}

static void held_free(struct held *h)
{
	free(h->procs);
	free(h->thr);
	free(h->evs);
	free(h->strs);
}

/* Append a mutated copy of r, or r itself if the writer refuses it. */
static int put(struct swt_writer *w, const struct swt_record *r,
	       struct held *tmp, unsigned rate)
{
	int err;

	if (below(1000) >= rate)
		return swt_writer_append(w, r);
	hold(tmp, r);
	mutate(&tmp->r, tmp->procs, tmp->thr, tmp->evs);
	err = swt_writer_append(w, &tmp->r);
	if (err == SWT_EINVAL)
		err = swt_writer_append(w, r);
	return err;
}

int main(int argc, char **argv)
{
	struct swt_reader *rd = NULL;
	struct swt_writer *wr = NULL;
	struct swt_writer_opts o;
	struct swt_header h;
	struct held tmp, back;
	const struct swt_record *r;
	char msg[512];
	unsigned rate = 20;
	struct swt_session_end end;
	int64_t end_t = 0;
	bool have_back = false, have_end = false;
	int err, ret = 1;

	memset(&tmp, 0, sizeof(tmp));
	memset(&back, 0, sizeof(back));
	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: swt-mutate IN OUT SEED [RATE]\n");
		return 2;
	}
	rng = strtoull(argv[3], NULL, 10);
	if (argc == 5)
		rate = (unsigned)strtoul(argv[4], NULL, 10);
	memset(long_name, 'x', sizeof(long_name) - 1);
	if (swt_reader_open(&rd, argv[1], 0, msg, sizeof(msg)) != 0) {
		fprintf(stderr, "swt-mutate: %s\n", msg);
		return 1;
	}
	h = *swt_reader_get_header(rd);
	if (below(1000) < rate * 5)
		mutate_header(&h);
	swt_writer_opts_init(&o);
	o.sync = false;
	o.force = true;
	o.chunk_raw_bytes = 16384;	/* many chunks: more to get wrong */
	if (swt_writer_open(&wr, argv[2], &o, &h, msg, sizeof(msg)) != 0) {
		/* a header the writer refuses: write the original one */
		h = *swt_reader_get_header(rd);
		if (swt_writer_open(&wr, argv[2], &o, &h, msg,
				    sizeof(msg)) != 0) {
			fprintf(stderr, "swt-mutate: %s\n", msg);
			goto out;
		}
	}
	for (;;) {
		err = swt_reader_next(rd, &r);
		if (err == SWT_ITEROVER)
			break;
		if (err)
			continue;	/* damage in the input: skip it */
		if (r->kind == SWT_REC_END) {
			/* written by finish, at its time */
			end = r->u.end;
			end.error = NULL;
			end_t = r->t_ns;
			have_end = true;
			continue;
		}
		if (have_back) {
			/* the held-back record comes after this one */
			err = put(wr, r, &tmp, rate);
			if (!err)
				err = swt_writer_append(wr, &back.r);
			have_back = false;
		} else if (below(1000) < rate / 4) {
			continue;	/* dropped */
		} else if (below(1000) < rate / 4) {
			err = put(wr, r, &tmp, rate);
			if (!err || err == SWT_EINVAL)
				err = put(wr, r, &tmp, rate);	/* twice */
		} else if (below(1000) < rate / 4) {
			hold(&back, r);
			pin_strings(&back);
			have_back = true;
			err = 0;
		} else {
			err = put(wr, r, &tmp, rate);
		}
		if (err == SWT_EINVAL)
			continue;	/* a swap the writer refuses */
		if (err) {
			fprintf(stderr, "swt-mutate: %s\n",
				swt_writer_errmsg(wr));
			goto out;
		}
	}
	if (have_back && swt_writer_append(wr, &back.r) == SWT_EIO) {
		fprintf(stderr, "swt-mutate: %s\n", swt_writer_errmsg(wr));
		goto out;
	}
	if (swt_writer_finish(wr, have_end ? &end : NULL, end_t) != 0) {
		fprintf(stderr, "swt-mutate: %s\n", swt_writer_errmsg(wr));
		goto out;
	}
	ret = 0;
out:
	swt_writer_free(wr);
	swt_reader_free(rd);
	held_free(&tmp);
	held_free(&back);
	return ret;
}
