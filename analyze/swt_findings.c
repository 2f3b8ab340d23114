/* swt_findings.c — what the engine concludes at the end of a session:
 * module figures and weights, counter rates, leaks, the resource trend,
 * bottlenecks and recommendations. Rules: docs/analysis.md. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "swt_alloc.h"
#include "swt_buf.h"
#include "swt_engine-private.h"

/* z of a one-sided Mann-Kendall test at 99 % (Phi(2.326) = 0.99). */
#define Z_99_MILLI ENGINE_Z_99_MILLI
/* Scores are capped at 2.0: beyond twice a threshold a module is not more
 * urgent, and one runaway figure must not hide the others. */
#define SCORE_CAP 2000
/* A thread is a bottleneck when saturated in at least half of the
 * intervals it was fully observed, over at least this many intervals. */
#define SATURATED_MIN_PERMILLE 500
#define SATURATED_MIN_SAMPLES 3

/* The time a module of kind's calls per minute are over in a session of
 * duration ns: the session, but a process module's restarts (and its
 * starts) over at least the window a counter's rate alert needs
 * (ENGINE_RATE_MIN_WINDOW_NS):
 * one restart of `true` in a session of a second read as 59 a minute,
 * scored and recommended against; 199 in 1.6 s are still a loop. */
static int64_t calls_span(enum swt_module_kind kind, int64_t duration)
{
	return kind == SWT_KIND_PROCESS &&
			       duration < ENGINE_RATE_MIN_WINDOW_NS ?
		       ENGINE_RATE_MIN_WINDOW_NS :
		       duration;
}

/* Module m's sample furthest above the machine's memory in use
 * (engine__module.over_kib), if any: *has, the summed RSS, the memory in
 * use and the time (relative). */
static void mem_over_result(const struct swt_engine *e,
			    const struct engine__module *m, bool *has,
			    int64_t *mmb, int64_t *in_use_mmb, int64_t *at_ns)
{
	if (m->over_kib <= 0)
		return;
	*has = true;
	*mmb = engine__kib_to_mmb(m->over_rss_kib);
	*in_use_mmb = engine__kib_to_mmb(m->over_in_use_kib);
	*at_ns = swt_sat_sub(m->over_t, e->origin_ns);
}

static int64_t score(int64_t value, int64_t threshold)
{
	int64_t s;

	if (value <= 0 || threshold <= 0)
		return 0;
	s = swt_muldiv(value, 1000, threshold);
	return s > SCORE_CAP ? SCORE_CAP : s;
}

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int cmp_subject(const struct swt_subject *a,
		       const struct swt_subject *b)
{
	int c = cmp_str(a->name, b->name);

	if (c)
		return c;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	c = cmp_str(a->process, b->process);
	if (c)
		return c;
	return cmp_str(a->command, b->command);
}

/* A copy of n elements (NULL for none). */
static void *dup(const void *p, size_t n, size_t size)
{
	void *c;

	if (!n)
		return NULL;
	c = swt_calloc(n, size);
	memcpy(c, p, n * size);
	return c;
}

/* qsort() of nothing is undefined with a NULL base: skip it. */
static void sort(void *base, size_t n, size_t size,
		 int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

#define CMP_DESC(a, b) do { if ((a) != (b)) return (a) > (b) ? -1 : 1; } \
	while (0)
#define CMP_ASC(a, b) do { if ((a) != (b)) return (a) < (b) ? -1 : 1; } \
	while (0)

static int cmp_module(const void *pa, const void *pb)
{
	const struct swt_module_result *a = pa, *b = pb;

	CMP_DESC(a->weight, b->weight);
	return cmp_subject(&a->subj, &b->subj);
}

static int cmp_counter(const void *pa, const void *pb)
{
	const struct swt_counter_result *a = pa, *b = pb;

	return strcmp(a->name, b->name);
}

static int cmp_spike(const void *pa, const void *pb)
{
	const struct swt_spike_result *a = pa, *b = pb;
	int c;

	CMP_ASC(a->start_ns, b->start_ns);
	CMP_ASC(a->resource, b->resource);
	c = cmp_subject(&a->subj, &b->subj);
	if (c)
		return c;
	CMP_ASC(a->peak_t_ns, b->peak_t_ns);
	return 0;
}

static int cmp_leak(const void *pa, const void *pb)
{
	const struct swt_leak_result *a = pa, *b = pb;

	CMP_DESC(a->slope_mmb_per_min, b->slope_mmb_per_min);
	return cmp_subject(&a->subj, &b->subj);
}

static int cmp_forecast(const void *pa, const void *pb)
{
	const struct swt_forecast_result *a = pa, *b = pb;

	CMP_ASC(a->eta_mmin, b->eta_mmin);
	return cmp_subject(&a->subj, &b->subj);
}

static int cmp_bottleneck(const void *pa, const void *pb)
{
	const struct swt_bottleneck_result *a = pa, *b = pb;
	int c;

	CMP_DESC(a->cpu_avg_mpct, b->cpu_avg_mpct);
	c = cmp_subject(&a->subj, &b->subj);
	if (c)
		return c;
	CMP_ASC(a->reason, b->reason);
	return 0;
}

static int cmp_alert(const void *pa, const void *pb)
{
	const struct swt_alert_result *a = pa, *b = pb;
	int c;

	CMP_ASC(a->t_ns, b->t_ns);
	CMP_ASC(a->kind, b->kind);
	c = cmp_subject(&a->subj, &b->subj);
	if (c)
		return c;
	CMP_DESC(a->value, b->value);
	return 0;
}

static int cmp_rec(const void *pa, const void *pb)
{
	const struct swt_recommendation *a = pa, *b = pb;
	int c;

	CMP_DESC(a->priority, b->priority);
	c = strcmp(a->subject, b->subject);
	if (c)
		return c;
	return strcmp(a->text, b->text);
}

/* ---- attribution ------------------------------------------------------- */

/* The smallest variance the regressions assume for one observation: RSS
 * readings are whole pages (the difference of two rounded readings has
 * variance page^2/6), tick counts whole ticks (1/6 tick^2). */
#define PAGE_KIB 4

static void solve_fits(const struct swt_engine *e, struct engine__result *fr)
{
	size_t i;

	fr->f_mem = swt_calloc(e->n_idents ? e->n_idents : 1,
			      sizeof(*fr->f_mem));
	fr->f_cpu = swt_calloc(e->n_idents ? e->n_idents : 1,
			      sizeof(*fr->f_cpu));
	for (i = 0; i < e->n_idents; i++) {
		const struct engine__ident *id = &e->idents[i];

		if (id->mem_attr)
			swt_attrib_solve(id->mem_attr,
					 PAGE_KIB * PAGE_KIB / 6.0,
					 &fr->f_mem[i]);
		if (id->cpu_attr)
			swt_attrib_solve(id->cpu_attr,
					 (double)MICRO * (double)MICRO / 6.0,
					 &fr->f_cpu[i]);
	}
}

/* ppm -> thousandths of a percent */
static int64_t confidence_of(int64_t z_milli)
{
	return swt_normal_cdf_ppm(z_milli) / 10;
}

/* ppm -> thousandths of a percent, floored to the printed 0.1 %: a
 * module that is not decided never reads "100.0". */
static int64_t confidence_floor(int64_t ppm)
{
	return ppm / 1000 * 100;
}

/* How sure the estimate of a module's unmeasured time is that it burns
 * CPU at all (ppm): its rate R in the measured stretches (CPU over own
 * time) against the standard error of that ratio (residuals c - R w over
 * the n stretches), one-sided normal tail; a rate without spread is
 * sure, one stretch is not enough to tell. */
static int64_t stretch_confidence_ppm(const struct engine__module *m)
{
	double n = (double)m->n_stretches, r, var, se, p;

	if (m->n_stretches < 2 || m->st_w <= 0)
		return 0;
	r = m->st_c / m->st_w;
	if (r <= 0)
		return 0;
	var = (m->st_cc - 2 * r * m->st_cw + r * r * m->st_ww) / (n - 1);
	if (var <= 0)
		return 1000000;
	se = sqrt(var * n) / m->st_w;
	p = 0.5 * erfc(r / se / sqrt(2.0));
	return (int64_t)((1.0 - p) * 1e6);
}

/* ---- over time ------------------------------------------------------------ */

/* Storage for the series of the session and every module (one row of
 * buckets each, row 0 the session's), and the session's buckets' times. */
static void usage_alloc(const struct swt_engine *e, struct engine__result *fr)
{
	const struct swt_usage_grid *g = &e->ugrid;
	size_t nb = swt_usage_grid_count(g), k;

	fr->res.n_usage_buckets = nb;
	fr->res.usage_width_ns = swt_sat_mul(g->width, e->interval_ns);
	if (!nb)
		return;
	fr->r_usage = swt_calloc((e->n_mods + 1) * nb, sizeof(*fr->r_usage));
	for (k = 0; k < nb; k++) {
		struct swt_usage_bucket *b = &fr->r_usage[k];
		int64_t s0 = swt_sat_add(g->base,
					 swt_sat_mul((int64_t)k, g->width));
		int64_t s1 = swt_sat_add(s0, g->width);

		if (s1 > g->last + 1)
			s1 = g->last + 1;
		b->t_from_ns = swt_sat_mul(s0, e->interval_ns);
		b->t_to_ns = swt_sat_mul(s1, e->interval_ns);
	}
	/* the last slot ends at the last sample, not past the session (a
	 * 10.048 s session read "0.000-10.250 s") */
	{
		struct swt_usage_bucket *b = &fr->r_usage[nb - 1];
		int64_t last = e->have_prev ?
				       swt_sat_sub(e->t_prev, e->origin_ns) :
				       b->t_to_ns;

		if (last > b->t_from_ns && last < b->t_to_ns)
			b->t_to_ns = last;
	}
}

/* The series of m (row `row` of the storage) from its buckets. */
static void usage_fill(const struct swt_engine *e, struct engine__result *fr,
		       const struct engine__module *m, size_t row,
		       bool has_cpu, bool has_mem,
		       struct swt_usage_series *out)
{
	size_t nb = fr->res.n_usage_buckets, k;
	struct swt_usage_bucket *bs;

	out->has_cpu = has_cpu;
	out->has_memory = has_mem;
	out->n_buckets = nb;
	if (!nb)
		return;
	bs = &fr->r_usage[row * nb];
	out->buckets = bs;
	for (k = 0; k < nb; k++) {
		const struct swt_usage_acc *a = m->usage ? &m->usage[k] : NULL;
		struct swt_usage_bucket *b = &bs[k];

		b->t_from_ns = fr->r_usage[k].t_from_ns;
		b->t_to_ns = fr->r_usage[k].t_to_ns;
		if (!a)
			continue;
		if (has_cpu && a->cpu_n) {
			b->cpu_intervals = a->cpu_n;
			b->cpu_min_mpct = a->cpu_min;
			b->cpu_max_mpct = a->cpu_max;
			b->cpu_avg_mpct =
				a->cpu_ns > 0 ?
					swt_muldiv2(a->cpu_ticks,
						    INT64_C(100000000),
						    (int64_t)e->clock_ticks,
						    a->cpu_ns) :
					0;
			/* (rounded per interval and over their sum: never
			 * outside what the intervals showed) */
			if (b->cpu_avg_mpct < a->cpu_min)
				b->cpu_avg_mpct = a->cpu_min;
			if (b->cpu_avg_mpct > a->cpu_max)
				b->cpu_avg_mpct = a->cpu_max;
		}
		if (has_mem && a->mem_n) {
			b->mem_samples = a->mem_n;
			b->mem_min_mmb = engine__kib_to_mmb(a->mem_min);
			b->mem_max_mmb = engine__kib_to_mmb(a->mem_max);
			b->mem_avg_mmb = swt_muldiv2(a->mem_sum, 1000,
						     (int64_t)a->mem_n, 1024);
		}
	}
}

/* CPU and memory of instrumented module m (docs/analysis.md
 * § Attribution); ticks_micro gets the estimated CPU added. Returns true
 * when some of its CPU is the regression's estimate (not per interval). */
static bool module_attribution(const struct swt_engine *e,
			       struct engine__result *fr,
			       const struct engine__module *m,
			       struct swt_module_result *r,
			       int64_t *ticks_micro, int64_t duration,
			       int64_t t_end)
{
	const struct swt_attrib_fit *fc = &fr->f_cpu[m->ident];
	const struct swt_attrib_fit *fm = &fr->f_mem[m->ident];
	uint32_t c = m->attr_col;
	int64_t amount, ct = (int64_t)e->clock_ticks;
	bool regressed = false;
	size_t g;

	r->cpu_source = m->spans_estimated == 0 ? SWT_CPU_MEASURED :
			m->spans_measured == 0	? SWT_CPU_ESTIMATED :
						  SWT_CPU_MIXED;
	r->cpu_confidence_mpct = 100000;
	r->cpu_self_ms = swt_div_round(swt_sat_add(m->cpu_self_ns,
						   m->cpu_est_ns),
				       1000000);
	r->cpu_total_ms = swt_div_round(m->cpu_total_ns, 1000000);
	if (c && fc->solved && c < fc->k) {
		int64_t est, one_core;

		g = swt_attrib_group(c);
		est = fc->amount_group[g] > 0 ? fc->amount_group[g] : 0;
		/* never more than one core for as long as it was open on a
		 * thread: the regression has no upper bound of its own */
		one_core = swt_muldiv(fc->xsum[c], ct * MICRO, NS_PER_S);
		if (est > one_core)
			est = one_core;

		*ticks_micro = swt_sat_add(*ticks_micro, est);
		regressed = est > 0;
		if (r->cpu_source == SWT_CPU_MEASURED && est > 0)
			r->cpu_source = SWT_CPU_MIXED;
		if (r->cpu_source != SWT_CPU_MEASURED && est > 0)
			r->cpu_confidence_mpct =
				confidence_floor(fc->confidence_ppm[g]);
		else if (r->cpu_source != SWT_CPU_MEASURED)
			r->cpu_confidence_mpct = 0;
		if (est > 0 && fc->xsum[c] > 0) {
			/* the estimated peak: its rate over the largest
			 * share of an interval it covered (the per-call
			 * part spread over the session) */
			double pk = (double)est / (double)fc->xsum[c] *
				    1e8 / (double)e->clock_ticks *
				    (double)m->est_frac_ppm / 1e6;
			int64_t p = swt_attrib_round(pk);

			if (p > r->cpu_peak_mpct)
				r->cpu_peak_mpct = p;
		}
	}
	if (m->cpu_est_ns > 0) {
		/* spans measured one in many: the estimate at the measured
		 * rate, and how sure it is that the module burns CPU (the
		 * less sure of it and the regression's, if both estimated) */
		int64_t conf = confidence_floor(stretch_confidence_ppm(m));

		if (r->cpu_source == SWT_CPU_MEASURED)
			r->cpu_source = SWT_CPU_MIXED;
		if (!regressed || conf < r->cpu_confidence_mpct)
			r->cpu_confidence_mpct = conf;
	}
	r->mem_attribution = SWT_MEM_NO_DATA;
	r->has_memory = false;
	if (!c || !fm->solved || c >= fm->k)
		return regressed;
	g = swt_attrib_group(c);
	amount = fm->amount_group[g];
	r->mem_confidence_mpct =
		amount > 0 ? confidence_floor(fm->confidence_ppm[g]) : 0;
	/* (a positive amount that is not decided is always shared) */
	if (fm->shared[g]) {
		r->mem_attribution = SWT_MEM_SHARED;
		return regressed;
	}
	if (amount < PAGE_KIB) {
		r->mem_attribution = SWT_MEM_NO_GROWTH;
		r->has_memory = true;
		return regressed;
	}
	r->mem_attribution = SWT_MEM_ATTRIBUTED;
	r->has_memory = true;
	r->mem_growth_mmb = engine__kib_to_mmb(amount);
	r->mem_peak_mmb = r->mem_growth_mmb;
	/* what it was credited with so far, averaged over the session,
	 * taking the growth as proportional to its open time */
	if (duration > 0 && m->act_ns > 0) {
		/* its open time integrated to the end of the session */
		swt_i128 act = m->act_t && t_end > m->act_t ?
				       act_add(m->act_int, m->act_ns,
					       t_end - m->act_t) :
				       m->act_int;
		double avg = (double)amount * (double)act /
			     ((double)m->act_ns * (double)duration);

		r->mem_avg_mmb = engine__kib_to_mmb(swt_attrib_round(avg));
	}
	return regressed;
}

/* ---- modules ------------------------------------------------------------- */

/* a before b among a module's variants: CPU desc, processes desc,
 * command */
static bool variant_before(const struct swt_variant *a,
			   const struct swt_variant *b)
{
	if (a->cpu_ms != b->cpu_ms)
		return a->cpu_ms > b->cpu_ms;
	if (a->processes != b->processes)
		return a->processes > b->processes;
	return strcmp(a->command, b->command) < 0;
}

/* Every variant counted in its process module's row, the heaviest few
 * kept (one pass: insertion into SWT_VARIANTS_TOP slots). rix[mi] is 1 +
 * the row of module mi, 0 for none. */
static void variant_results(const struct swt_engine *e,
			    struct engine__result *fr, const size_t *rix)
{
	size_t i, k;

	for (i = 0; i < e->n_variants; i++) {
		const struct engine__variant *v = &e->variants[i];
		uint32_t mi = e->idents[v->ident].proc_module;
		struct swt_module_result *r;
		struct swt_variant x;

		if (!rix[mi])
			continue;
		r = &fr->r_mods[rix[mi] - 1];
		r->n_variants++;
		x.command = v->command;
		x.processes = v->processes;
		x.cpu_ms = swt_muldiv2(v->micro, 1000,
				       (int64_t)e->clock_ticks, MICRO);
		k = r->n_top_variants;
		if (k == SWT_VARIANTS_TOP) {
			if (!variant_before(&x, &r->top_variants[k - 1]))
				continue;
			k--;
		} else {
			r->n_top_variants++;
		}
		for (; k > 0 && variant_before(&x, &r->top_variants[k - 1]);
		     k--)
			r->top_variants[k] = r->top_variants[k - 1];
		r->top_variants[k] = x;
	}
}

/* A pair of byte counters (disk I/O, network) of a process module or
 * the session: MB each way, and the rate (both ways, thousandths of MB/s)
 * over the time it was observed (as its CPU: while a process of it
 * lived) and at its highest interval. */
static void bytes_result(const struct engine__module *m, int k, bool *has,
			 int64_t *a_mmb, int64_t *b_mmb, int64_t *avg,
			 int64_t *peak)
{
	const struct engine__bytes_tot *bt = &m->by[k];
	int64_t obs = m->observed_ns > bt->obs_ns ? m->observed_ns :
						    bt->obs_ns;

	*has = bt->known;
	*a_mmb = engine__bytes_to_mmb(bt->a);
	*b_mmb = engine__bytes_to_mmb(bt->b);
	*avg = engine__mmbps(swt_sat_add(bt->a, bt->b), obs);
	*peak = bt->peak > *avg ? bt->peak : *avg;
}

/* The machine's interfaces, by name. */
static int cmp_netdev(const void *pa, const void *pb)
{
	const struct swt_netdev_result *a = pa, *b = pb;

	return strcmp(a->name, b->name);
}

static void netdev_results(const struct swt_engine *e,
			   struct engine__result *fr)
{
	size_t i;

	fr->r_netdevs = swt_calloc(e->n_netdevs ? e->n_netdevs : 1,
				   sizeof(*fr->r_netdevs));
	for (i = 0; i < e->n_netdevs; i++) {
		const struct engine__netdev *n = &e->netdevs[i];
		struct swt_netdev_result *r = &fr->r_netdevs[i];
		int64_t span = swt_sat_sub(n->t, n->t0);

		r->name = n->name;
		r->recv_mmb = engine__bytes_to_mmb(n->rx_sum);
		r->sent_mmb = engine__bytes_to_mmb(n->tx_sum);
		r->recv_avg_mmbps = engine__mmbps(n->rx_sum, span);
		r->sent_avg_mmbps = engine__mmbps(n->tx_sum, span);
	}
	sort(fr->r_netdevs, e->n_netdevs, sizeof(*fr->r_netdevs), cmp_netdev);
	fr->res.n_netdevs = e->n_netdevs;
	fr->res.netdevs = fr->r_netdevs;
}

static void module_results(const struct swt_engine *e,
			   struct engine__result *fr,
			   int64_t duration)
{
	int64_t ct = (int64_t)e->clock_ticks, obs, thr, ticks;
	bool regressed;
	int64_t t_end = e->origin_ns + duration;
	size_t i, n, *rix = swt_calloc(e->n_mods ? e->n_mods : 1,
				       sizeof(*rix));

	solve_fits(e, fr);
	fr->r_mods = swt_calloc(e->n_mods, sizeof(*fr->r_mods));
	for (i = 0, n = 0; i < e->n_mods; i++) {
		const struct engine__module *m = &e->mods[i];
		struct swt_module_result *r;

		if (m->merged)
			continue;	/* adopted by a real identity */
		/* a reaped-children module with less than half a millisecond
		 * of CPU and no bytes is no module of the report (its CPU
		 * stays in the session's): what a shell's children burnt
		 * after their exit records, the kernel freeing them, read as
		 * a row of zeros */
		if (m->reaped && !m->calls &&
		    swt_muldiv2(m->ticks_micro, 1000, ct, MICRO) == 0 &&
		    !m->by[BY_IO].a && !m->by[BY_IO].b && !m->by[BY_NET].a &&
		    !m->by[BY_NET].b)
			continue;
		r = &fr->r_mods[n++];
		rix[i] = n;

		engine__subject(e, m, &r->subj);
		r->instances = m->instances;
		/* a module's average is over the life of its process */
		obs = m->kind == SWT_KIND_MODULE ?
			      e->mods[e->idents[m->ident].proc_module]
				      .observed_ns :
			      m->observed_ns;
		/* (measured CPU still pending — burnt after its process's
		 * last sample — is outside the observed time, as it is for
		 * the process row) */
		ticks = m->ticks_micro;
		r->cpu_peak_mpct = m->cpu_peak_mpct;
		/* (a module whose processes all lived between samples has
		 * no memory reading: unknown, not 0 MB) */
		r->has_memory = m->kind == SWT_KIND_PROCESS && !m->reaped &&
				m->mem_n > 0;
		regressed = false;
		if (m->kind == SWT_KIND_MODULE) {
			regressed = module_attribution(e, fr, m, r, &ticks,
						       duration, t_end);
		}
		usage_fill(e, fr, m, i + 1, !regressed,
			   (m->kind == SWT_KIND_PROCESS && !m->reaped),
			   &r->usage);
		r->cpu_ms = swt_muldiv2(ticks, 1000, ct, MICRO);
		r->cpu_share_mpct =
			fr->res.session.cpu_ms > 0 ?
				swt_muldiv(r->cpu_ms, 100000,
					   fr->res.session.cpu_ms) :
				0;
		/* (clock ticks x observed ns can pass int64) */
		r->cpu_avg_mpct = obs > 0 ? swt_muldiv2(ticks,
							INT64_C(100000000),
							ct, obs) :
					    0;
		if (m->kind == SWT_KIND_PROCESS) {
			bytes_result(m, BY_IO, &r->has_io, &r->io_read_mmb,
				     &r->io_write_mmb, &r->io_avg_mmbps,
				     &r->io_peak_mmbps);
			bytes_result(m, BY_NET, &r->has_net,
				     &r->net_sent_mmb, &r->net_recv_mmb,
				     &r->net_avg_mmbps, &r->net_peak_mmbps);
			memcpy(r->socks_peak, m->by[BY_NET].peak_socks,
			       sizeof(r->socks_peak));
		}
		r->io_unavailable = m->by[BY_IO].unavail;
		r->net_unavailable = m->by[BY_NET].unavail;
		if (m->kind == SWT_KIND_PROCESS && m->proc_peak_kib > 0) {
			r->has_proc_peak = true;
			r->proc_peak_mmb = engine__kib_to_mmb(m->proc_peak_kib);
		}
		if (m->kind == SWT_KIND_PROCESS)
			mem_over_result(e, m, &r->has_mem_over,
					&r->mem_over_mmb,
					&r->mem_over_in_use_mmb,
					&r->mem_over_at_ns);
		if (m->kind == SWT_KIND_PROCESS && m->mem_n > 0) {
			r->mem_avg_mmb = swt_muldiv2(m->mem_sum_kib, 1000,
						     m->mem_n, 1024);
			r->mem_peak_mmb = engine__kib_to_mmb(m->mem_peak_kib);
		}
		r->calls = m->calls;
		r->calls_per_min_milli =
			duration > 0 ? swt_muldiv(m->calls, NS_PER_MIN * 1000,
						  calls_span(m->kind,
							     duration)) :
				       0;
		if (m->kind == SWT_KIND_PROCESS && !m->reaped) {
			r->has_starts = true;
			r->starts = m->starts;
			/* (over the span of its restarts: one start of
			 * `sort` in a session of 2.5 s read 24 a minute) */
			r->starts_per_min_milli =
				duration > 0 ?
					swt_muldiv(m->starts,
						   NS_PER_MIN * 1000,
						   calls_span(m->kind,
							      duration)) :
					0;
		}
		/* A process's or thread's weight is its weight on the
		 * session: its CPU over the session's observed time, not
		 * over its own life, which made a shell shim that ran for
		 * 0.2 s of a 30 s session outrank the program it launched
		 * (docs/analysis.md § 4). An instrumented module's is over
		 * its process's life, as before. */
		r->cpu_session_mpct =
			e->session.observed_ns > 0 ?
				swt_muldiv2(ticks, INT64_C(100000000), ct,
					    e->session.observed_ns) :
				0;
		thr = -1;
		if (m->kind == SWT_KIND_MODULE)
			thr = swt_thresholds_rate(&e->th, m->name);
		if (thr < 0)
			thr = e->th.v[m->kind == SWT_KIND_PROCESS ?
					      SWT_TH_STARTS_PER_MINUTE :
					      SWT_TH_CALLS_PER_MINUTE];
		r->freq_threshold_milli = thr;
		r->cpu_score = score(m->kind == SWT_KIND_MODULE ?
					     r->cpu_avg_mpct :
					     r->cpu_session_mpct,
				     e->th.v[SWT_TH_CPU_PERCENT]);
		r->mem_score = r->has_memory ?
				       score(r->mem_avg_mmb,
					     e->th.v[SWT_TH_MEMORY_MB]) :
				       0;
		r->freq_score = score(r->calls_per_min_milli, thr);
		r->weight = swt_div_round(400 * r->cpu_score +
						  400 * r->mem_score +
						  200 * r->freq_score,
					  1000);
		r->priority = swt_priority_of_weight(r->weight);
		r->full_intervals = m->full_n;
		r->saturated_permille =
			m->full_n ? swt_muldiv(m->sat_n, 1000, m->full_n) : 0;
		/* the total counts every CPU second and MB once: over the
		 * process rows (thread and module rows describe parts of
		 * them) */
		r->in_total = m->kind == SWT_KIND_PROCESS;
		if (r->in_total)
			fr->res.total_weight += r->weight;
	}
	variant_results(e, fr, rix);
	free(rix);
	sort(fr->r_mods, n, sizeof(*fr->r_mods), cmp_module);
	fr->res.n_modules = n;
	fr->res.modules = fr->r_mods;
}

static void counter_results(const struct swt_engine *e,
			    struct engine__result *fr, int64_t duration)
{
	size_t i;

	fr->r_ctrs = swt_calloc(e->n_ctrs, sizeof(*fr->r_ctrs));
	for (i = 0; i < e->n_ctrs; i++) {
		const struct engine__counter *c = &e->ctrs[i];
		struct swt_counter_result *r = &fr->r_ctrs[i];

		r->name = c->name;
		r->count = c->count;
		r->per_min_milli =
			duration > 0 ? swt_muldiv(c->count, NS_PER_MIN * 1000,
						  duration) :
				       0;
		r->has_threshold = c->threshold >= 0;
		r->threshold_milli = r->has_threshold ? c->threshold : 0;
		r->exceeded = r->has_threshold &&
			      r->per_min_milli > r->threshold_milli;
		r->alerts = c->alerts;
		/* exceeded is the session's average, an alert a window's
		 * rate (docs/analysis.md 6): say why they disagree */
		r->note = "";
		if (r->exceeded && !c->alerts && !c->judged)
			r->note = "no rate alert: the session ended before "
				  "the rate window was judged";
		else if (r->exceeded && !c->alerts)
			r->note = "no rate alert: no window's rate went "
				  "above the limit";
		else if (!r->exceeded && c->alerts)
			r->note = "above the limit over a window, not over "
				  "the session";
	}
	sort(fr->r_ctrs, e->n_ctrs, sizeof(*fr->r_ctrs), cmp_counter);
	fr->res.n_counters = e->n_ctrs;
	fr->res.counters = fr->r_ctrs;
}

/* ---- leaks and trend ----------------------------------------------------- */

/* The leak rule (docs/analysis.md § Leaks): a significant and sizeable
 * Theil-Sen slope that is spread over the whole session (every quarter
 * higher than the one before) and still present at its end (the last
 * quarter's own slope at least a quarter of the overall one). */
bool engine__is_leak(const struct swt_engine *e, const struct swt_trend *tr,
		     int64_t slope_mmb)
{
	return tr->points >= 8 && tr->z_milli >= Z_99_MILLI &&
	       slope_mmb >= e->th.v[SWT_TH_LEAK_MB_PER_MIN] &&
	       tr->quarters_rising && tr->last_quarter_slope_milli > 0 &&
	       swt_sat_mul(tr->last_quarter_slope_milli, 4) >=
		       tr->slope_milli;
}

static struct swt_leak_result *add_leak(const struct swt_engine *e,
					struct engine__result *fr,
					const struct engine__module *m)
{
	struct swt_leak_result *l;

	fr->r_leaks = swt_grow(fr->r_leaks, &fr->cap_r_leaks, fr->n_r_leaks + 1,
			      sizeof(*fr->r_leaks));
	l = &fr->r_leaks[fr->n_r_leaks++];
	memset(l, 0, sizeof(*l));
	engine__subject(e, m, &l->subj);
	l->attributed_to = "";
	return l;
}

bool engine__forecast(const struct swt_engine *e, const struct swt_series *s,
		      struct swt_slopes **kept, const struct swt_trend *tr,
		      int64_t *scratch, struct swt_forecast_result *out)
{
	struct swt_fit fit;
	int64_t target = e->th.v[SWT_TH_MEMORY_MB], gap;

	memset(out, 0, sizeof(*out));
	if (tr->slope_milli <= 0 ||
	    !swt_series_fit_kept(s, kept, tr->slope_milli, tr->var_s18,
				 scratch, &fit))
		return false;
	/* thousandths of KiB: the series' unit */
	gap = swt_sat_sub(swt_sat_mul(target, 1024), fit.level_milli);
	if (gap <= 0)
		return false;
	out->at_ns = swt_sat_sub(swt_sat_add(s->origin_ns, s->last_t),
				 e->origin_ns);
	out->level_mmb = swt_div_round(fit.level_milli, 1024);
	out->target_mmb = target;
	out->slope_mmb_per_min = swt_div_round(tr->slope_milli, 1024);
	out->slope_low_mmb_per_min = swt_div_round(fit.slope_low_milli, 1024);
	out->slope_high_mmb_per_min =
		swt_div_round(fit.slope_high_milli, 1024);
	out->eta_mmin = swt_muldiv(gap, 1000, tr->slope_milli);
	out->eta_low_mmin = fit.slope_high_milli > 0 ?
				    swt_muldiv(gap, 1000,
					       fit.slope_high_milli) :
				    out->eta_mmin;
	out->eta_high_mmin = fit.slope_low_milli > 0 ?
				     swt_muldiv(gap, 1000, fit.slope_low_milli) :
				     -1;
	return true;
}

/* A leak or trend event that only the final test found (or a module's
 * leak row, decided at the end): told at t (relative). */
static void late_event(const struct swt_engine *e,
		       enum swt_engine_event_kind kind,
		       const struct swt_subject *subj, enum swt_resource r,
		       enum swt_direction dir, int64_t slope, int64_t z,
		       int64_t t)
{
	struct swt_engine_event ev;

	if (!e->on_event)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.t_ns = t;
	ev.subj = *subj;
	ev.resource = r;
	ev.direction = dir;
	ev.value = slope;
	ev.z_milli = z;
	e->on_event(&ev, e->payload);
}

/* An instrumented module's leak row (attributed growth), told at its
 * significant_ns: with the attribution test's confidence, not a z. */
static void attributed_event(const struct swt_engine *e,
			     const struct swt_leak_result *l)
{
	struct swt_engine_event ev;

	if (!e->on_event)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.kind = SWT_ENGINE_LEAK_SIGNIFICANT;
	ev.t_ns = l->significant_ns;
	ev.subj = l->subj;
	ev.resource = SWT_RES_MEMORY;
	ev.direction = SWT_DIR_INCREASING;
	ev.value = l->slope_mmb_per_min;
	ev.attributed = true;
	ev.confidence_mpct = l->confidence_mpct;
	e->on_event(&ev, e->payload);
}

/* The last sample's time, relative. */
static int64_t last_sample_ns(const struct swt_engine *e)
{
	return e->have_prev ? swt_sat_sub(e->t_prev, e->origin_ns) : 0;
}

static const char *own_str(struct engine__result *fr, const char *s)
{
	fr->r_rec_strs = swt_grow(fr->r_rec_strs, &fr->cap_r_rec_strs,
				 fr->n_r_rec_strs + 1, sizeof(*fr->r_rec_strs));
	return fr->r_rec_strs[fr->n_r_rec_strs++] = swt_strdup(s);
}

/* The modules of a leaking process (identity ident) that its growth is
 * attributed to, as leak rows of their own; returns what the process row
 * says of them. */
static const char *module_leaks(const struct swt_engine *e,
				struct engine__result *fr, uint32_t ident,
				int64_t duration)
{
	const struct engine__ident *id = &e->idents[ident];
	const struct swt_attrib_fit *f = &fr->f_mem[ident];
	struct swt_buf names = SWT_BUF_INIT;
	const char *out;
	bool any_growth = false;
	size_t c;

	if (id->n_cols < 2)
		return "";
	if (!f->solved) {
		out = "undecided";
		goto out;
	}
	for (c = 0; c < id->n_cols && c < f->k; c = c ? c + 2 : 1) {
		const struct engine__module *m;
		struct swt_leak_result *l;
		size_t g = swt_attrib_group(c);
		int64_t mmb, slope;

		if (f->amount_group[g] < PAGE_KIB)
			continue;
		any_growth = true;
		mmb = engine__kib_to_mmb(f->amount_group[g]);
		slope = duration > 0 ? swt_muldiv(mmb, NS_PER_MIN, duration) :
				       0;
		/* named only for a decided growth that is a leak by itself
		 * (a module that allocated a little once is no culprit) */
		if (!f->decided[g] ||
		    slope < e->th.v[SWT_TH_LEAK_MB_PER_MIN])
			continue;
		m = c ? &e->mods[id->cols[c]] : NULL;
		if (m && m->merged)
			continue;
		if (names.len)
			swt_buf_puts(&names, ", ");
		swt_buf_puts(&names, m ? m->name : "(outside spans)");
		if (!m)
			continue;
		l = add_leak(e, fr, m);
		l->slope_mmb_per_min = slope;
		/* (the attribution's test has no z: its confidence says it) */
		l->attributed = true;
		l->confidence_mpct = confidence_floor(f->confidence_ppm[g]);
		l->points = (size_t)f->n;
		l->samples = f->n;
		l->first_mmb = 0;
		l->last_mmb = mmb;
		l->significant_ns = last_sample_ns(e);
		attributed_event(e, l);
	}
	out = names.len ? own_str(fr, names.ptr) :
	      any_growth ? "undecided" :
			   "";
out:
	swt_buf_fini(&names);
	return out;
}

static void add_forecast(const struct swt_engine *e,
			 struct engine__result *fr,
			 const struct swt_subject *subj,
			 const struct swt_series *s, const struct swt_trend *tr)
{
	struct swt_forecast_result f;

	if (!engine__forecast(e, s, NULL, tr, fr->scratch, &f))
		return;
	f.subj = *subj;
	fr->r_fcs = swt_grow(fr->r_fcs, &fr->cap_r_fcs, fr->n_r_fcs + 1,
			     sizeof(*fr->r_fcs));
	fr->r_fcs[fr->n_r_fcs++] = f;
}

static void leak_check(const struct swt_engine *e, struct engine__result *fr,
		       const struct engine__module *m,
		       int64_t duration)
{
	struct swt_trend tr;
	struct swt_leak_result *l;
	const char *who;
	int64_t slope;
	size_t li;

	if (!m->mem_series || m->mem_series->n < 8)
		return;
	swt_series_trend(m->mem_series, fr->scratch, &tr);
	slope = swt_div_round(tr.slope_milli, 1024);	/* KiB -> MB */
	if (!engine__is_leak(e, &tr, slope))
		return;
	l = add_leak(e, fr, m);
	l->slope_mmb_per_min = slope;
	l->z_milli = tr.z_milli;
	l->confidence_mpct = confidence_of(tr.z_milli);
	l->points = tr.points;
	l->samples = m->mem_series->count;
	l->first_mmb = swt_div_round(tr.first_milli, 1024);
	l->last_mmb = swt_div_round(tr.last_milli, 1024);
	{
		const struct swt_series *ms = m->mem_series;
		struct swt_fit fit;

		if (swt_series_fit(ms, tr.slope_milli, tr.var_s18,
				   fr->scratch, &fit)) {
			/* (KiB thousandths; the line back along the slope
			 * from its level at the last sample) */
			l->has_fit = true;
			l->fit_from_ns = swt_sat_sub(ms->origin_ns,
						     e->origin_ns);
			l->fit_to_ns = swt_sat_add(l->fit_from_ns, ms->last_t);
			l->fit_to_mmb = swt_div_round(fit.level_milli, 1024);
			l->fit_from_mmb = swt_div_round(
				swt_sat_sub(fit.level_milli,
					    swt_muldiv(tr.slope_milli,
						       ms->last_t,
						       NS_PER_MIN)),
				1024);
		}
	}
	if (m->leak_sig) {
		l->significant_ns = swt_sat_sub(m->leak_sig_t, e->origin_ns);
	} else {
		/* only the final test: at the series' last value */
		l->significant_ns = swt_sat_sub(
			swt_sat_add(m->mem_series->origin_ns,
				    m->mem_series->last_t),
			e->origin_ns);
		late_event(e, SWT_ENGINE_LEAK_SIGNIFICANT, &l->subj,
			   SWT_RES_MEMORY, SWT_DIR_INCREASING, slope,
			   tr.z_milli, l->significant_ns);
	}
	add_forecast(e, fr, &l->subj, m->mem_series, &tr);
	/* (by index: module_leaks adds rows, and l may move) */
	li = fr->n_r_leaks - 1;
	who = module_leaks(e, fr, m->ident, duration);
	fr->r_leaks[li].attributed_to = who;
}

enum swt_direction engine__direction(const struct swt_trend *tr,
				     int64_t slope, int64_t min_slope,
				     int64_t unit)
{
	if (tr->points >= 8 && tr->z_milli >= Z_99_MILLI &&
	    slope >= min_slope)
		return SWT_DIR_INCREASING;
	if (tr->points >= 8 && tr->z_milli <= -Z_99_MILLI &&
	    slope <= -min_slope)
		return SWT_DIR_DECREASING;
	/* a slope that large, not significant: the series moved, but no
	 * direction can be told ("stable" beside 94 MB/min of a build
	 * whose compilers come and go read as a contradiction). Too few
	 * points to test (a session of seconds): so when it moved, from its
	 * first value to its last, at least as much as the minimum slope
	 * in a minute ("stable" beside 4 557 MB/min of a sort of 2.5 s;
	 * noise of 40 KiB over 3 s, 0.8 MB/min, is stable) */
	if (tr->points < 8) {
		int64_t moved = swt_sat_sub(tr->last_milli, tr->first_milli);

		moved = swt_div_round(moved, unit);
		if ((moved >= min_slope && slope >= min_slope) ||
		    (moved <= -min_slope && slope <= -min_slope))
			return SWT_DIR_FLUCTUATING;
		return SWT_DIR_STABLE;
	}
	if (slope >= min_slope || slope <= -min_slope)
		return SWT_DIR_FLUCTUATING;
	return SWT_DIR_STABLE;
}

/* A direction of the final trend that the tests while streaming did not
 * announce: told at the series' last value. */
static void trend_late(const struct swt_engine *e,
		       const struct swt_subject *subj, enum swt_resource r,
		       enum swt_direction dir, int64_t slope, int64_t z,
		       const struct swt_series *s)
{
	unsigned bit = dir == SWT_DIR_INCREASING ? 1u :
		       dir == SWT_DIR_DECREASING ? 2u :
						   0u;

	if (!bit || (e->session.trend_sig[r == SWT_RES_CPU] & bit))
		return;
	late_event(e, SWT_ENGINE_TREND_SIGNIFICANT, subj, r, dir, slope, z,
		   swt_sat_sub(swt_sat_add(s->origin_ns, s->last_t),
			       e->origin_ns));
}

static void trend_result(const struct swt_engine *e, struct engine__result *fr)
{
	struct swt_trend_result *t = &fr->res.trend;
	struct swt_trend tr;

	struct swt_subject subj;

	engine__subject(e, &e->session, &subj);
	swt_series_trend(e->session.mem_series, fr->scratch, &tr);
	t->memory_slope_mmb_per_min = swt_div_round(tr.slope_milli, 1024);
	t->memory_z_milli = tr.z_milli;
	t->memory = engine__direction(&tr, t->memory_slope_mmb_per_min,
				      e->th.v[SWT_TH_TREND_MB_PER_MIN], 1024);
	trend_late(e, &subj, SWT_RES_MEMORY, t->memory,
		   t->memory_slope_mmb_per_min, tr.z_milli,
		   e->session.mem_series);
	if (t->memory == SWT_DIR_INCREASING)
		add_forecast(e, fr, &subj, e->session.mem_series, &tr);
	swt_series_trend(e->session.cpu_series, fr->scratch, &tr);
	t->cpu_slope_mpct_per_min = swt_div_round(tr.slope_milli, 1000);
	t->cpu_z_milli = tr.z_milli;
	t->cpu = engine__direction(&tr, t->cpu_slope_mpct_per_min,
				   e->th.v[SWT_TH_TREND_CPU_PERCENT_PER_MIN],
				   1000);
	trend_late(e, &subj, SWT_RES_CPU, t->cpu, t->cpu_slope_mpct_per_min,
		   tr.z_milli, e->session.cpu_series);
	if (t->memory == SWT_DIR_INCREASING || t->cpu == SWT_DIR_INCREASING)
		t->overall = SWT_DIR_INCREASING;
	else if (t->memory == SWT_DIR_DECREASING ||
		 t->cpu == SWT_DIR_DECREASING)
		t->overall = SWT_DIR_DECREASING;
	else if (t->memory == SWT_DIR_FLUCTUATING ||
		 t->cpu == SWT_DIR_FLUCTUATING)
		t->overall = SWT_DIR_FLUCTUATING;
	else
		t->overall = SWT_DIR_STABLE;
}

/* ---- bottlenecks --------------------------------------------------------- */

static void add_bottleneck(struct engine__result *fr,
			   const struct swt_module_result *r,
			   enum swt_bottleneck_reason reason,
			   const char *pattern)
{
	struct swt_bottleneck_result *b;

	fr->r_bns = swt_grow(fr->r_bns, &fr->cap_r_bns, fr->n_r_bns + 1,
			    sizeof(*fr->r_bns));
	b = &fr->r_bns[fr->n_r_bns++];
	memset(b, 0, sizeof(*b));
	b->subj = r->subj;
	b->reason = reason;
	b->cpu_avg_mpct = r->cpu_avg_mpct;
	b->cpu_peak_mpct = r->cpu_peak_mpct;
	b->saturated_permille = r->saturated_permille;
	b->calls_per_min_milli = r->calls_per_min_milli;
	b->pattern = pattern ? pattern : "";
}

#define HEAVY_AVG_DIV 10

static void bottleneck_results(const struct swt_engine *e,
			       struct engine__result *fr)
{
	size_t i;

	for (i = 0; i < fr->res.n_modules; i++) {
		const struct swt_module_result *r = &fr->r_mods[i];
		const char *pattern = NULL;

		if (r->subj.kind != SWT_KIND_THREAD &&
		    r->cpu_avg_mpct >= e->th.v[SWT_TH_CPU_PERCENT])
			add_bottleneck(fr, r, SWT_BN_CPU_BOUND, NULL);
		if (r->subj.kind == SWT_KIND_THREAD &&
		    r->full_intervals >= SATURATED_MIN_SAMPLES &&
		    r->saturated_permille >= SATURATED_MIN_PERMILLE)
			add_bottleneck(fr, r, SWT_BN_SATURATED, NULL);
		/* known heavy work, when it is heavy here: a tenth of the
		 * CPU threshold on average, all of it at a peak, or called
		 * as often as the call threshold (not a module of 0.1 %
		 * CPU called 20 times a minute) */
		if ((swt_sat_mul(r->cpu_avg_mpct, HEAVY_AVG_DIV) >=
			     e->th.v[SWT_TH_CPU_PERCENT] ||
		     r->cpu_peak_mpct >= e->th.v[SWT_TH_CPU_PERCENT] ||
		     r->calls_per_min_milli >=
			     e->th.v[SWT_TH_CALLS_PER_MINUTE]) &&
		    (r->cpu_avg_mpct > 0 || r->calls > 0) &&
		    swt_thresholds_heavy_match(&e->th, r->subj.name, &pattern))
			add_bottleneck(fr, r, SWT_BN_HEAVY, pattern);
	}
}

/* ---- recommendations ----------------------------------------------------- */

static void put_fixed(struct swt_buf *b, int64_t v)
{
	swt_buf_fixed(b, v, 3, 1);
}

/* "process 'busy'", "thread 'worker' of process 'app'". */
static void put_who(struct swt_buf *b, const struct swt_subject *s)
{
	if (s->kind == SWT_KIND_SESSION) {
		swt_buf_puts(b, "the recorded process tree");
		return;
	}
	swt_buf_printf(b, "%s '%s'", swt_kind_name(s->kind), s->name);
	if (s->kind == SWT_KIND_THREAD || s->kind == SWT_KIND_MODULE)
		swt_buf_printf(b, " of process '%s'", s->process);
}

static void add_rec(struct engine__result *fr, enum swt_priority prio,
		    const char *subject, struct swt_buf *text)
{
	struct swt_recommendation *r;

	fr->r_recs = swt_grow(fr->r_recs, &fr->cap_r_recs, fr->n_r_recs + 1,
			     sizeof(*fr->r_recs));
	fr->r_rec_strs = swt_grow(fr->r_rec_strs, &fr->cap_r_rec_strs,
				 fr->n_r_rec_strs + 2, sizeof(*fr->r_rec_strs));
	r = &fr->r_recs[fr->n_r_recs++];
	r->priority = prio;
	r->subject = fr->r_rec_strs[fr->n_r_rec_strs++] = swt_strdup(subject);
	r->text = fr->r_rec_strs[fr->n_r_rec_strs++] =
		swt_strdup(text->ptr ? text->ptr : "");
	swt_buf_clear(text);
}

/* A recommendation's trigger: a positive threshold reached (as score(),
 * which is 0 without a threshold). */
static bool at_or_above(int64_t value, int64_t threshold)
{
	return threshold > 0 && value > 0 && value >= threshold;
}

/* What a byte-pair recommendation says: the pair's name, its two
 * directions, and the advice when the first or the second dominates. */
struct bytes_words {
	const char *what, *verb_a, *verb_b, *via, *more_a, *more_b;
};

static const struct bytes_words io_words = {
	"disk I/O", "reads", "writes", "",
	"read less (cache what it reads again, smaller inputs).",
	"write less (larger batches, fewer rewrites, temporary files on "
	"tmpfs).",
};

static const struct bytes_words net_words = {
	"network traffic", "sends", "receives", " over TCP",
	"send less (compress, batch, send changes rather than wholes).",
	"fetch less (cache responses, ask for less).",
};

/* A process module whose disk I/O (network) averages its threshold or
 * more: high priority from twice the threshold, else medium (neither is
 * in the weight). What to do depends on which way the bytes go. */
static void bytes_rec(struct engine__result *fr,
		      const struct swt_module_result *r,
		      const struct bytes_words *w, int64_t a, int64_t bb,
		      int64_t avg, int64_t peak, int64_t thr,
		      struct swt_buf *b)
{
	swt_buf_printf(b, "Reduce the %s of ", w->what);
	put_who(b, &r->subj);
	swt_buf_printf(b, ": it %s ", w->verb_a);
	put_fixed(b, a);
	swt_buf_printf(b, " MB and %s ", w->verb_b);
	put_fixed(b, bb);
	swt_buf_printf(b, " MB%s, ", w->via);
	put_fixed(b, avg);
	swt_buf_puts(b, " MB/s on average (peak ");
	put_fixed(b, peak);
	swt_buf_puts(b, " MB/s), at or above the threshold of ");
	put_fixed(b, thr);
	swt_buf_printf(b, " MB/s; %s", a > bb ? w->more_a : w->more_b);
	add_rec(fr, swt_sat_mul(thr, 2) <= avg ? SWT_PRIO_HIGH :
						 SWT_PRIO_MEDIUM,
		r->subj.name, b);
}

static void module_recs(const struct swt_engine *e, struct engine__result *fr,
			struct swt_buf *b)
{
	size_t i;

	for (i = 0; i < fr->res.n_modules; i++) {
		const struct swt_module_result *r = &fr->r_mods[i];

		/* threads: the saturation and the process say it */
		/* the value against the threshold, not the rounded score:
		 * 599.9/min over 600/min scores 1.000 but is below it */
		if (at_or_above(r->cpu_avg_mpct, e->th.v[SWT_TH_CPU_PERCENT]) &&
		    r->subj.kind != SWT_KIND_THREAD) {
			swt_buf_puts(b, "Reduce the CPU use of ");
			put_who(b, &r->subj);
			swt_buf_puts(b, ": it averages ");
			put_fixed(b, r->cpu_avg_mpct);
			swt_buf_puts(b, " % of a core (peak ");
			put_fixed(b, r->cpu_peak_mpct);
			swt_buf_puts(b, " %), at or above the threshold of ");
			put_fixed(b, e->th.v[SWT_TH_CPU_PERCENT]);
			swt_buf_puts(b, " %.");
			add_rec(fr, r->priority, r->subj.name, b);
		}
		if (r->has_memory &&
		    at_or_above(r->mem_avg_mmb, e->th.v[SWT_TH_MEMORY_MB])) {
			swt_buf_puts(b, "Reduce the memory of ");
			put_who(b, &r->subj);
			swt_buf_puts(b, ": it averages ");
			put_fixed(b, r->mem_avg_mmb);
			swt_buf_puts(b, " MB (peak ");
			put_fixed(b, r->mem_peak_mmb);
			swt_buf_puts(b, " MB), at or above the threshold of ");
			put_fixed(b, e->th.v[SWT_TH_MEMORY_MB]);
			swt_buf_puts(b, " MB.");
			add_rec(fr, r->priority, r->subj.name, b);
		}
		if (r->calls > 0 && at_or_above(r->calls_per_min_milli,
						r->freq_threshold_milli)) {
			swt_buf_puts(b, r->subj.kind == SWT_KIND_PROCESS ?
						"Start " :
						"Call ");
			put_who(b, &r->subj);
			swt_buf_puts(b, " less often: ");
			put_fixed(b, r->calls_per_min_milli);
			swt_buf_puts(b, r->subj.kind == SWT_KIND_PROCESS ?
						" restarts/min (of the same "
						"command line)" :
						" calls/min");
			swt_buf_puts(b, ", at or above the limit of ");
			put_fixed(b, r->freq_threshold_milli);
			swt_buf_puts(b, "/min.");
			add_rec(fr, r->priority, r->subj.name, b);
		}
		if (r->has_io && at_or_above(r->io_avg_mmbps,
					     e->th.v[SWT_TH_IO_MB_PER_S]))
			bytes_rec(fr, r, &io_words, r->io_read_mmb,
				  r->io_write_mmb, r->io_avg_mmbps,
				  r->io_peak_mmbps,
				  e->th.v[SWT_TH_IO_MB_PER_S], b);
		if (r->has_net && at_or_above(r->net_avg_mmbps,
					      e->th.v[SWT_TH_NET_MB_PER_S]))
			bytes_rec(fr, r, &net_words, r->net_sent_mmb,
				  r->net_recv_mmb, r->net_avg_mmbps,
				  r->net_peak_mmbps,
				  e->th.v[SWT_TH_NET_MB_PER_S], b);
	}
}

static void leak_recs(const struct swt_engine *e, struct engine__result *fr,
		      struct swt_buf *b)
{
	size_t i;

	for (i = 0; i < fr->n_r_leaks; i++) {
		const struct swt_leak_result *l = &fr->r_leaks[i];
		enum swt_priority p = l->last_mmb >= e->th.v[SWT_TH_MEMORY_MB] ?
					      SWT_PRIO_CRITICAL :
					      SWT_PRIO_HIGH;

		swt_buf_puts(b, "Find the leak in ");
		put_who(b, &l->subj);
		if (l->attributed) {
			/* not its memory from 0 MB: the growth of its
			 * process that its spans account for (§ 2.3) */
			swt_buf_puts(b, ": the growth of its process "
				     "attributed to it is ");
			put_fixed(b, l->slope_mmb_per_min);
			swt_buf_puts(b, " MB/min (confidence ");
			put_fixed(b, l->confidence_mpct);
			swt_buf_puts(b, " %), ");
			put_fixed(b, l->last_mmb);
			swt_buf_puts(b, " MB over the session.");
			add_rec(fr, p, l->subj.name, b);
			continue;
		}
		swt_buf_puts(b, ": its memory grows ");
		put_fixed(b, l->slope_mmb_per_min);
		swt_buf_puts(b, " MB/min (confidence ");
		put_fixed(b, l->confidence_mpct);
		swt_buf_puts(b, " %), from ");
		put_fixed(b, l->first_mmb);
		swt_buf_puts(b, " MB to ");
		put_fixed(b, l->last_mmb);
		swt_buf_puts(b, " MB.");
		add_rec(fr, p, l->subj.name, b);
	}
}

/* A counter that ticks once per call of the instrumented module of its
 * name (the seed's "event_listener", counted in the function that
 * @profile_module names the same): the module's advice to call it less
 * often says it already, at the same rate and limit. */
static bool counter_is_module_calls(const struct engine__result *fr,
				    const struct swt_counter_result *c)
{
	size_t i;

	for (i = 0; i < fr->res.n_modules; i++) {
		const struct swt_module_result *r = &fr->r_mods[i];

		if (r->subj.kind == SWT_KIND_MODULE && r->calls > 0 &&
		    strcmp(r->subj.name, c->name) == 0 &&
		    r->calls_per_min_milli == c->per_min_milli &&
		    r->freq_threshold_milli == c->threshold_milli &&
		    at_or_above(r->calls_per_min_milli,
				r->freq_threshold_milli))
			return true;
	}
	return false;
}

static void counter_recs(const struct swt_engine *e, struct engine__result *fr,
			 struct swt_buf *b)
{
	size_t i;

	for (i = 0; i < e->n_ctrs; i++) {
		const struct swt_counter_result *c = &fr->r_ctrs[i];

		if (!c->exceeded || counter_is_module_calls(fr, c))
			continue;
		swt_buf_printf(b, "Reduce counter '%s': it ticks ", c->name);
		put_fixed(b, c->per_min_milli);
		swt_buf_puts(b, " times/min, above its limit of ");
		put_fixed(b, c->threshold_milli);
		swt_buf_puts(b, "/min; batch or cache the work behind it.");
		add_rec(fr, SWT_PRIO_HIGH, c->name, b);
	}
}

static void bottleneck_recs(const struct swt_engine *e,
			    struct engine__result *fr, struct swt_buf *b)
{
	size_t i;

	for (i = 0; i < fr->n_r_bns; i++) {
		const struct swt_bottleneck_result *n = &fr->r_bns[i];
		enum swt_priority p = SWT_PRIO_LOW;

		switch (n->reason) {
		case SWT_BN_CPU_BOUND:
			break;	/* the CPU recommendation says it */
		case SWT_BN_SATURATED:
			swt_buf_puts(b, "Split the work of ");
			put_who(b, &n->subj);
			swt_buf_puts(b, ": it runs at or above ");
			put_fixed(b, e->th.v[SWT_TH_SATURATION_PERCENT]);
			swt_buf_puts(b, " % of a core in ");
			swt_buf_fixed(b, n->saturated_permille, 1, 1);
			swt_buf_puts(b, " % of the samples and limits "
					"throughput.");
			add_rec(fr, SWT_PRIO_MEDIUM, n->subj.name, b);
			break;
		case SWT_BN_HEAVY:
			if (swt_sat_mul(n->cpu_avg_mpct, 2) >=
			    e->th.v[SWT_TH_CPU_PERCENT])
				p = SWT_PRIO_MEDIUM;
			swt_buf_puts(b, "Keep heavy work off the hot path: ");
			put_who(b, &n->subj);
			swt_buf_printf(b, " matches '%s' and averages ",
				       n->pattern);
			put_fixed(b, n->cpu_avg_mpct);
			swt_buf_puts(b, " % CPU");
			if (n->subj.kind == SWT_KIND_MODULE) {
				swt_buf_puts(b, " at ");
				put_fixed(b, n->calls_per_min_milli);
				swt_buf_puts(b, " calls/min");
			}
			swt_buf_puts(b, ".");
			add_rec(fr, p, n->subj.name, b);
			break;
		}
	}
}

/* One recommendation per subject and resource with spikes. */
static void spike_recs(const struct swt_engine *e, struct engine__result *fr,
		       struct swt_buf *b)
{
	const struct swt_spike_result *sp = fr->res.spikes;
	size_t i, j, n;
	bool done;

	for (i = 0; i < e->n_spikes; i++) {
		const struct swt_spike_result *s = &sp[i], *big = s;

		for (j = 0, done = false; j < i && !done; j++)
			done = sp[j].resource == s->resource &&
			       cmp_subject(&sp[j].subj, &s->subj) == 0;
		if (done)
			continue;
		for (j = i, n = 0; j < e->n_spikes; j++) {
			const struct swt_spike_result *o = &sp[j];

			if (o->resource != s->resource ||
			    cmp_subject(&o->subj, &s->subj) != 0)
				continue;
			n++;
			if (o->peak > big->peak)
				big = o;
		}
		swt_buf_printf(b, "Smooth the %s load of ",
			       s->resource == SWT_RES_CPU    ? "CPU" :
			       s->resource == SWT_RES_MEMORY ? "memory" :
			       s->resource == SWT_RES_IO     ? "disk I/O" :
							       "network");
		put_who(b, &s->subj);
		swt_buf_printf(b, ": %zu spike%s, the largest ", n,
			       n == 1 ? "" : "s");
		put_fixed(b, big->peak);
		swt_buf_puts(b, s->resource == SWT_RES_CPU    ? " %" :
				s->resource == SWT_RES_MEMORY ? " MB" :
								" MB/s");
		swt_buf_puts(b, " at ");
		swt_buf_fixed(b, big->peak_t_ns, 9, 1);
		swt_buf_puts(b, " s lasting ");
		swt_buf_fixed(b, big->duration_ns, 9, 1);
		swt_buf_puts(b, " s");
		if (big->n_active) {
			swt_buf_puts(b, " (active: ");
			for (j = 0; j < big->n_active; j++)
				swt_buf_printf(b, "%s%s", j ? ", " : "",
					       big->active[j]);
			swt_buf_puts(b, ")");
		}
		swt_buf_puts(b, ".");
		add_rec(fr, SWT_PRIO_MEDIUM, s->subj.name, b);
	}
}

static void trend_recs(struct engine__result *fr, struct swt_buf *b)
{
	/* a leak found says more than the trend */
	if (fr->res.trend.memory != SWT_DIR_INCREASING || fr->n_r_leaks)
		return;
	swt_buf_puts(b, "Watch the memory of the recorded process tree: it "
			"rises ");
	put_fixed(b, fr->res.trend.memory_slope_mmb_per_min);
	swt_buf_puts(b, " MB/min over the session without the pattern of a "
			"leak.");
	add_rec(fr, SWT_PRIO_LOW, "session", b);
}

/* ---- the result ---------------------------------------------------------- */

static uint64_t open_spans(const struct swt_engine *e)
{
	uint64_t n = 0;
	size_t i, j, k;

	for (i = 0; i < e->n_span_insts; i++) {
		const struct engine__inst *in = &e->insts[e->span_insts[i]];

		for (j = 0; j < in->n_spans; j++)
			for (k = 0; k < in->spans[j].n; k++)
				n += in->spans[j].ents[k].depth > 0;
	}
	return n;
}

static void session_result(const struct swt_engine *e,
			   struct engine__result *fr,
			   int64_t duration)
{
	struct swt_session_result *s = &fr->res.session;
	const struct engine__module *ses = &e->session;

	s->recorder = e->recorder ? e->recorder : "";
	s->kernel = e->kernel ? e->kernel : "";
	s->page_size = e->page_size;
	s->mem_total_kib = e->mem_total_kib;
	mem_over_result(e, ses, &s->has_mem_over, &s->mem_over_mmb,
			&s->mem_over_in_use_mmb, &s->mem_over_at_ns);
	s->start_wall_ns = e->start_wall_ns;
	if (e->psi_have && e->psi_t[1] > e->psi_t[0]) {
		int k;

		s->has_pressure = true;
		for (k = 0; k < 6; k++) {
			uint64_t d = e->psi[1][k] >= e->psi[0][k] ?
					     e->psi[1][k] - e->psi[0][k] :
					     0;
			int64_t v = swt_muldiv(d > INT64_MAX ? INT64_MAX :
							      (int64_t)d,
					       100000000,
					       e->psi_t[1] - e->psi_t[0]);

			/* a share of the time: at most all of it */
			s->pressure_mpct[k] = v > 100000 ? 100000 : v;
		}
	}
	if (e->steal_have && e->all_ticks[1] > e->all_ticks[0]) {
		uint64_t d = e->steal[1] >= e->steal[0] ?
				     e->steal[1] - e->steal[0] :
				     0;
		uint64_t all = e->all_ticks[1] - e->all_ticks[0];

		s->has_steal = true;
		s->steal_mpct = swt_muldiv(
			d > INT64_MAX ? INT64_MAX : (int64_t)d, 100000,
			all > INT64_MAX ? INT64_MAX : (int64_t)all);
		if (s->steal_mpct > 100000)
			s->steal_mpct = 100000;
	}
	s->has_contention = s->has_pressure || s->has_steal;
	s->contention_mpct =
		swt_sat_add(s->has_pressure ? s->pressure_mpct[0] : 0,
			    s->has_steal ? s->steal_mpct : 0);
	s->n_command = e->n_command;
	s->command = (const char *const *)e->command;
	s->clock_ticks = e->clock_ticks;
	s->cpu_count = e->cpu_count;
	s->start_ns = e->origin_ns;
	s->duration_ns = duration;
	s->interval_ns = e->interval_ns;
	s->samples = e->seq;
	s->proc_samples = e->n_proc_samples;
	s->events = e->n_events;
	s->processes = e->n_processes;
	s->exit_records = e->exit_acct;
	s->exit_records_lost = e->exit_acct_overflows;
	s->exits_dropped = e->exits_dropped;
	s->reaped_ms = swt_muldiv2(e->reaped_micro, 1000,
				   (int64_t)e->clock_ticks, MICRO);
	s->has_end = e->has_end;
	s->dropped_events = e->dropped_events;
	s->recorded_alerts = e->recorded_alerts;
	/* spans still open at the end are anomalies too */
	s->span_anomalies = e->span_anomalies + open_spans(e);
	/* The recorder's own count when it finished the file; the gaps of
	 * the grid miss a skip just before its off-grid last look, and those
	 * across damage, so they are a lower bound for an unfinished file. */
	s->missed_samples = e->end_missed > e->missed_samples ?
				    e->end_missed :
				    e->missed_samples;
	s->cpu_avg_mpct = ses->observed_ns > 0 ?
				  swt_muldiv2(ses->ticks_micro,
					      INT64_C(100000000),
					      (int64_t)e->clock_ticks,
					      ses->observed_ns) :
				  0;
	s->cpu_ms = swt_muldiv2(ses->ticks_micro, 1000,
				(int64_t)e->clock_ticks, MICRO);
	s->cpu_peak_mpct = ses->cpu_peak_mpct;
	s->cpu_end_mpct = ses->stamp ? ses->cur_mpct : 0;
	if (ses->mem_n > 0)
		s->mem_avg_mmb = swt_muldiv2(ses->mem_sum_kib, 1000,
					     ses->mem_n, 1024);
	s->mem_peak_mmb = engine__kib_to_mmb(ses->mem_peak_kib);
	s->mem_end_mmb = e->mem_end_mmb;
	bytes_result(ses, BY_IO, &s->has_io, &s->io_read_mmb,
		     &s->io_write_mmb, &s->io_avg_mmbps, &s->io_peak_mmbps);
	s->io_end_mmbps = s->has_io ? e->by_end[BY_IO] : 0;
	s->io_unavailable = ses->by[BY_IO].unavail;
	bytes_result(ses, BY_NET, &s->has_net, &s->net_sent_mmb,
		     &s->net_recv_mmb, &s->net_avg_mmbps, &s->net_peak_mmbps);
	s->net_end_mmbps = s->has_net ? e->by_end[BY_NET] : 0;
	s->net_unavailable = ses->by[BY_NET].unavail;
}


void engine__findings(const struct swt_engine *e, struct engine__result *fr)
{
	struct swt_buf b = SWT_BUF_INIT;
	int64_t t_end = e->has_end ? e->t_end : e->t_last;
	int64_t start = swt_sat_add(e->origin_ns, e->window_from_ns);
	int64_t duration = e->origin_known && t_end > start ?
				   t_end - start :
				   0;
	size_t i;


	fr->res.thresholds = &e->th;
	usage_alloc(e, fr);
	usage_fill(e, fr, &e->session, 0, true, true, &fr->res.usage);
	session_result(e, fr, duration);
	module_results(e, fr, duration);
	counter_results(e, fr, duration);

	/* not the session: a sum of unrelated processes (a step here, a
	 * plateau there) can look like a leak; its direction is the trend */
	for (i = 0; i < e->n_mods; i++)
		if (!e->mods[i].merged &&
		    e->mods[i].kind == SWT_KIND_PROCESS)
			leak_check(e, fr, &e->mods[i], duration);
	sort(fr->r_leaks, fr->n_r_leaks, sizeof(*fr->r_leaks), cmp_leak);
	fr->res.n_leaks = fr->n_r_leaks;
	fr->res.leaks = fr->r_leaks;

	trend_result(e, fr);
	sort(fr->r_fcs, fr->n_r_fcs, sizeof(*fr->r_fcs), cmp_forecast);
	fr->res.n_forecasts = fr->n_r_fcs;
	fr->res.forecasts = fr->r_fcs;

	bottleneck_results(e, fr);
	sort(fr->r_bns, fr->n_r_bns, sizeof(*fr->r_bns), cmp_bottleneck);
	fr->res.n_bottlenecks = fr->n_r_bns;
	fr->res.bottlenecks = fr->r_bns;

	/* copies: the engine's lists stay in the order they were found */
	fr->r_spikes = dup(e->spikes, e->n_spikes, sizeof(*e->spikes));
	sort(fr->r_spikes, e->n_spikes, sizeof(*e->spikes), cmp_spike);
	fr->res.n_spikes = e->n_spikes;
	fr->res.spikes = fr->r_spikes;
	fr->res.spikes_total = e->spikes_total;
	fr->r_alerts = dup(e->alerts, e->n_alerts, sizeof(*e->alerts));
	sort(fr->r_alerts, e->n_alerts, sizeof(*e->alerts), cmp_alert);
	fr->res.n_alerts = e->n_alerts;
	fr->res.alerts = fr->r_alerts;
	fr->res.alerts_total = e->alerts_total;
	netdev_results(e, fr);

	module_recs(e, fr, &b);
	leak_recs(e, fr, &b);
	counter_recs(e, fr, &b);
	bottleneck_recs(e, fr, &b);
	spike_recs(e, fr, &b);
	trend_recs(fr, &b);
	sort(fr->r_recs, fr->n_r_recs, sizeof(*fr->r_recs), cmp_rec);
	fr->res.n_recommendations = fr->n_r_recs;
	fr->res.recommendations = fr->r_recs;
	swt_buf_fini(&b);
}

void engine__findings_free(struct engine__result *fr)
{
	size_t i;

	free(fr->f_mem);
	free(fr->f_cpu);
	free(fr->r_mods);
	free(fr->r_ctrs);
	free(fr->r_leaks);
	free(fr->r_fcs);
	free(fr->r_bns);
	for (i = 0; i < fr->n_r_rec_strs; i++)
		free(fr->r_rec_strs[i]);
	free(fr->r_rec_strs);
	free(fr->r_recs);
	free(fr->r_spikes);
	free(fr->r_alerts);
	free(fr->r_netdevs);
	free(fr->r_usage);
}
