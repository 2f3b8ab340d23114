/* consumer — a program of libswt's users: it includes nothing of swt but
 * the installed <swt.h> and is built by tests/lib/test-installed.sh with
 * `pkg-config --cflags --libs swt` against a `meson install --destdir`
 * tree (C99, -pedantic -Werror).
 *
 *   consumer [-m] [-c CONF] [-t KEY=VALUE]... [-r KIND] [-f FORMAT]
 *            FILE OUT FIELDS
 *
 * Opens FILE (-m: read into memory, swt_report_open_mem()), with the
 * settings of -c (a config file, loaded as text) and -t (in that order, as
 * swanalyze's --config and --threshold), renders the report KIND (full)
 * in FORMAT (json) into OUT, and dumps every field of the report's structs
 * into FIELDS, one "SECTION<TAB>INDEX<TAB>FIELD<TAB>VALUE" line each
 * (check-fields.py compares them with the JSON report). The report's
 * message goes to stderr, each line prefixed "consumer: ", as swanalyze
 * prefixes its own. Exit status as swanalyze's: 0, 3 damaged (a report of
 * the readable part), 2 no report (or usage), 1 a check of the API failed
 * (4 a file could not be written). */
#include <swt.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE *fields;

static void f_str(const char *sec, size_t i, const char *key, const char *v)
{
	fprintf(fields, "%s\t%lu\t%s\t%s\n", sec, (unsigned long)i, key, v);
}

static void f_i64(const char *sec, size_t i, const char *key, int64_t v)
{
	fprintf(fields, "%s\t%lu\t%s\t%" PRId64 "\n", sec, (unsigned long)i,
		key, v);
}

static void f_u64(const char *sec, size_t i, const char *key, uint64_t v)
{
	fprintf(fields, "%s\t%lu\t%s\t%" PRIu64 "\n", sec, (unsigned long)i,
		key, v);
}

static void f_subject(const char *sec, size_t i,
		      const struct swt_subject_info *s)
{
	f_str(sec, i, "subject.kind", s->kind);
	f_str(sec, i, "subject.name", s->name);
	f_str(sec, i, "subject.process", s->process);
	f_str(sec, i, "subject.command", s->command);
}

static void dump(const struct swt_report *rep)
{
	const struct swt_session_info *s = swt_report_get_session(rep);
	const struct swt_trend_info *t = swt_report_get_trend(rep);
	size_t i, j, n_var = 0;

	f_str("session", 0, "recorder", s->recorder);
	for (j = 0; j < s->n_command; j++)
		f_str("session", 0, "command", s->command[j]);
	f_i64("session", 0, "duration_ns", s->duration_ns);
	f_i64("session", 0, "interval_ns", s->interval_ns);
	f_i64("session", 0, "start_wall_ns", s->start_wall_ns);
	f_u64("session", 0, "samples", s->samples);
	f_u64("session", 0, "processes", s->processes);
	f_u64("session", 0, "events", s->events);
	f_u64("session", 0, "cpu_count", s->cpu_count);
	f_u64("session", 0, "clock_ticks", s->clock_ticks);
	f_u64("session", 0, "mem_total_kib", s->mem_total_kib);
	f_i64("session", 0, "cpu_ms", s->cpu_ms);
	f_i64("session", 0, "cpu_avg_mpct", s->cpu_avg_mpct);
	f_i64("session", 0, "cpu_peak_mpct", s->cpu_peak_mpct);
	f_i64("session", 0, "cpu_end_mpct", s->cpu_end_mpct);
	f_i64("session", 0, "mem_avg_mmb", s->mem_avg_mmb);
	f_i64("session", 0, "mem_peak_mmb", s->mem_peak_mmb);
	f_i64("session", 0, "mem_end_mmb", s->mem_end_mmb);
	f_i64("session", 0, "total_weight", s->total_weight);
	f_u64("session", 0, "dropped_events", s->dropped_events);
	f_u64("session", 0, "missed_samples", s->missed_samples);
	f_u64("session", 0, "alerts_total", s->alerts_total);
	f_u64("session", 0, "spikes_total", s->spikes_total);
	f_i64("session", 0, "complete", s->complete);
	f_i64("session", 0, "status", swt_report_status(rep));
	f_i64("session", 0, "max_priority", swt_report_max_priority(rep));

	for (i = 0; i < swt_report_module_count(rep); i++) {
		const struct swt_module_info *m = swt_report_get_module(rep, i);

		f_str("module", i, "kind", m->kind);
		f_str("module", i, "name", m->name);
		f_str("module", i, "process", m->process);
		f_str("module", i, "command", m->command);
		f_str("module", i, "group", m->group);
		f_u64("module", i, "instances", m->instances);
		f_i64("module", i, "cpu_avg_mpct", m->cpu_avg_mpct);
		f_i64("module", i, "cpu_peak_mpct", m->cpu_peak_mpct);
		f_i64("module", i, "cpu_ms", m->cpu_ms);
		f_i64("module", i, "cpu_share_mpct", m->cpu_share_mpct);
		f_str("module", i, "cpu_source", m->cpu_source);
		f_i64("module", i, "has_memory", m->has_memory);
		f_i64("module", i, "mem_avg_mmb", m->mem_avg_mmb);
		f_i64("module", i, "mem_peak_mmb", m->mem_peak_mmb);
		f_str("module", i, "mem_attribution", m->mem_attribution);
		f_i64("module", i, "calls", m->calls);
		f_i64("module", i, "calls_per_min_milli",
		      m->calls_per_min_milli);
		f_i64("module", i, "cpu_score", m->cpu_score);
		f_i64("module", i, "mem_score", m->mem_score);
		f_i64("module", i, "freq_score", m->freq_score);
		f_i64("module", i, "weight", m->weight);
		f_i64("module", i, "priority", m->priority);
		f_str("module", i, "priority_name", m->priority_name);
		f_i64("module", i, "in_total", m->in_total);
		f_i64("module", i, "has_io", m->has_io);
		f_i64("module", i, "io_read_mmb", m->io_read_mmb);
		f_i64("module", i, "io_write_mmb", m->io_write_mmb);
		f_i64("module", i, "has_net", m->has_net);
		f_i64("module", i, "net_sent_mmb", m->net_sent_mmb);
		f_i64("module", i, "net_recv_mmb", m->net_recv_mmb);
		f_i64("module", i, "cpu_session_mpct", m->cpu_session_mpct);
		f_i64("module", i, "has_starts", m->has_starts);
		f_i64("module", i, "starts", m->starts);
		f_i64("module", i, "starts_per_min_milli",
		      m->starts_per_min_milli);
		f_u64("module", i, "n_variants", m->n_variants);
		f_u64("module", i, "n_top_variants", m->n_top_variants);
		for (j = 0; j < m->n_top_variants; j++) {
			const struct swt_variant_info *v =
				swt_report_get_module_variant(rep, i, j);

			f_str("variant", n_var, "module", m->name);
			f_u64("variant", n_var, "rank", j + 1);
			f_str("variant", n_var, "command", v->command);
			f_u64("variant", n_var, "processes", v->processes);
			f_i64("variant", n_var, "cpu_ms", v->cpu_ms);
			f_u64("variant", n_var, "n_variants", m->n_variants);
			f_str("variant", n_var, "kind", m->kind);
			n_var++;
		}
	}
	for (i = 0; i < swt_report_alert_count(rep); i++) {
		const struct swt_alert_info *a = swt_report_get_alert(rep, i);

		f_i64("alert", i, "t_ns", a->t_ns);
		f_str("alert", i, "kind", a->kind);
		f_subject("alert", i, &a->subject);
		f_i64("alert", i, "value_milli", a->value_milli);
		f_i64("alert", i, "threshold_milli", a->threshold_milli);
		f_str("alert", i, "unit", a->unit);
	}
	for (i = 0; i < swt_report_spike_count(rep); i++) {
		const struct swt_spike_info *p = swt_report_get_spike(rep, i);

		f_str("spike", i, "resource", p->resource);
		f_str("spike", i, "unit", p->unit);
		f_subject("spike", i, &p->subject);
		f_i64("spike", i, "start_ns", p->start_ns);
		f_i64("spike", i, "duration_ns", p->duration_ns);
		f_i64("spike", i, "peak_t_ns", p->peak_t_ns);
		f_i64("spike", i, "peak_milli", p->peak_milli);
		f_i64("spike", i, "baseline_milli", p->baseline_milli);
		f_i64("spike", i, "threshold_milli", p->threshold_milli);
		for (j = 0; j < p->n_active; j++)
			f_str("spike", i, "active", p->active[j]);
	}
	for (i = 0; i < swt_report_leak_count(rep); i++) {
		const struct swt_leak_info *l = swt_report_get_leak(rep, i);

		f_subject("leak", i, &l->subject);
		f_i64("leak", i, "slope_mmb_per_min", l->slope_mmb_per_min);
		f_i64("leak", i, "confidence_mpct", l->confidence_mpct);
		f_i64("leak", i, "first_mmb", l->first_mmb);
		f_i64("leak", i, "last_mmb", l->last_mmb);
		f_str("leak", i, "attributed_to", l->attributed_to);
		f_i64("leak", i, "significant_ns", l->significant_ns);
	}
	for (i = 0; i < swt_report_counter_count(rep); i++) {
		const struct swt_counter_info *c =
			swt_report_get_counter(rep, i);

		f_str("counter", i, "name", c->name);
		f_i64("counter", i, "count", c->count);
		f_i64("counter", i, "per_min_milli", c->per_min_milli);
		f_i64("counter", i, "has_threshold", c->has_threshold);
		f_i64("counter", i, "threshold_per_min_milli",
		      c->threshold_per_min_milli);
		f_i64("counter", i, "exceeded", c->exceeded);
		f_u64("counter", i, "alerts", c->alerts);
		f_str("counter", i, "note", c->note);
	}
	for (i = 0; i < swt_report_forecast_count(rep); i++) {
		const struct swt_forecast_info *f =
			swt_report_get_forecast(rep, i);

		f_subject("forecast", i, &f->subject);
		f_i64("forecast", i, "at_ns", f->at_ns);
		f_i64("forecast", i, "level_mmb", f->level_mmb);
		f_i64("forecast", i, "target_mmb", f->target_mmb);
		f_i64("forecast", i, "slope_mmb_per_min", f->slope_mmb_per_min);
		f_i64("forecast", i, "slope_low_mmb_per_min",
		      f->slope_low_mmb_per_min);
		f_i64("forecast", i, "slope_high_mmb_per_min",
		      f->slope_high_mmb_per_min);
		f_i64("forecast", i, "eta_mmin", f->eta_mmin);
		f_i64("forecast", i, "eta_low_mmin", f->eta_low_mmin);
		f_i64("forecast", i, "eta_high_mmin", f->eta_high_mmin);
	}
	f_str("trend", 0, "overall", t->overall);
	f_str("trend", 0, "memory", t->memory);
	f_i64("trend", 0, "memory_slope_mmb_per_min",
	      t->memory_slope_mmb_per_min);
	f_str("trend", 0, "cpu", t->cpu);
	f_i64("trend", 0, "cpu_slope_mpct_per_min", t->cpu_slope_mpct_per_min);
	for (i = 0; i < swt_report_bottleneck_count(rep); i++) {
		const struct swt_bottleneck_info *b =
			swt_report_get_bottleneck(rep, i);

		f_subject("bottleneck", i, &b->subject);
		f_str("bottleneck", i, "reason", b->reason);
		f_i64("bottleneck", i, "cpu_avg_mpct", b->cpu_avg_mpct);
		f_i64("bottleneck", i, "cpu_peak_mpct", b->cpu_peak_mpct);
		f_i64("bottleneck", i, "saturated_permille",
		      b->saturated_permille);
		f_i64("bottleneck", i, "calls_per_min_milli",
		      b->calls_per_min_milli);
		f_str("bottleneck", i, "pattern", b->pattern);
	}
	for (i = 0; i < swt_report_threshold_count(rep); i++) {
		const struct swt_threshold_info *h =
			swt_report_get_threshold(rep, i);

		f_str("threshold", i, "key", h->key);
		f_i64("threshold", i, "value_milli", h->value_milli);
		f_i64("threshold", i, "is_count", h->is_count);
		f_str("threshold", i, "source", h->source);
	}
	for (i = 0; i < swt_report_rate_threshold_count(rep); i++) {
		const struct swt_rate_threshold_info *h =
			swt_report_get_rate_threshold(rep, i);

		f_str("rate_threshold", i, "counter", h->counter);
		f_i64("rate_threshold", i, "per_min_milli", h->per_min_milli);
		f_str("rate_threshold", i, "source", h->source);
	}
	for (i = 0; i < swt_report_recommendation_count(rep); i++) {
		const struct swt_recommendation_info *r =
			swt_report_get_recommendation(rep, i);

		f_i64("recommendation", i, "priority", r->priority);
		f_str("recommendation", i, "priority_name", r->priority_name);
		f_str("recommendation", i, "subject", r->subject);
		f_str("recommendation", i, "text", r->text);
	}
	for (i = 0; i < swt_report_damage_count(rep); i++) {
		const struct swt_damage_info *d = swt_report_get_damage(rep, i);

		f_str("damage", i, "status", swt_status_name(d->status));
		f_u64("damage", i, "offset", d->offset);
		f_u64("damage", i, "length", d->length);
		f_i64("damage", i, "lost", d->lost);
		f_i64("damage", i, "from_known", d->from_known);
		f_i64("damage", i, "from_ns", d->from_ns);
		f_i64("damage", i, "to_end", d->to_end);
		f_i64("damage", i, "to_ns", d->to_ns);
		f_str("damage", i, "what", d->what);
	}
}

/* The whole file, or NULL (message printed). */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	size_t cap = 0, n;

	*len = 0;
	if (!f) {
		perror(path);
		return NULL;
	}
	for (;;) {
		char *p;

		if (*len + 4096 > cap) {
			cap = cap ? 2 * cap : 65536;
			p = (char *)realloc(data, cap);
			if (!p) {
				free(data);
				fclose(f);
				return NULL;
			}
			data = p;
		}
		n = fread(data + *len, 1, cap - *len, f);
		*len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		perror(path);
		free(data);
		data = NULL;
	}
	fclose(f);
	return data;
}

/* Print the message, one "consumer: LINE" per line. */
static void print_msg(const char *msg)
{
	while (*msg) {
		const char *nl = strchr(msg, '\n');
		size_t n = nl ? (size_t)(nl - msg) : strlen(msg);

		fprintf(stderr, "consumer: %.*s\n", (int)n, msg);
		msg += n + (nl ? 1 : 0);
	}
}

/* The report rendered twice as the API's documentation says (the length
 * first, then a buffer of that size plus the NUL), with its error paths
 * checked on the way; 0 or 1. */
static int render(const struct swt_report *rep, const char *kind,
		  const char *format, const char *path)
{
	size_t len = 1, len2 = 0;
	char *buf = NULL;
	FILE *f = NULL;
	int rc, code = 1;

	rc = swt_report_print(NULL, 0, &len, rep, kind, format);
	if (rc != SWT_ELIMIT || len == 0) {
		fprintf(stderr, "consumer: print(NULL, 0): %s, len %lu\n",
			swt_status_name(rc), (unsigned long)len);
		goto out;
	}
	buf = (char *)malloc(len + 1);
	if (!buf)
		goto out;
	/* one byte short: the start of it, NUL-terminated */
	rc = swt_report_print(buf, len, &len2, rep, kind, format);
	if (rc != SWT_ELIMIT || len2 != len || strlen(buf) != len - 1) {
		fprintf(stderr, "consumer: print one byte short: %s\n",
			swt_status_name(rc));
		goto out;
	}
	rc = swt_report_print(buf, len + 1, &len2, rep, kind, format);
	if (rc != 0 || len2 != len || strlen(buf) != len) {
		fprintf(stderr, "consumer: print: %s\n", swt_status_name(rc));
		goto out;
	}
	if (swt_report_print(buf, len + 1, &len2, rep, "heavy", format) !=
		    SWT_EINVAL ||
	    len2 != 0 || buf[0] != '\0') {
		fprintf(stderr, "consumer: print of an unknown kind\n");
		goto out;
	}
	rc = swt_report_print(buf, len + 1, NULL, rep, kind, format);
	if (rc != 0) {
		fprintf(stderr, "consumer: print: %s\n", swt_status_name(rc));
		goto out;
	}
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len) {
		perror(path);
		code = 4;
		goto out;
	}
	code = 0;
out:
	if (f && fclose(f) != 0 && code == 0) {
		perror(path);
		code = 4;
	}
	free(buf);
	return code;
}

int main(int argc, char **argv)
{
	struct swt_settings *set = NULL;
	struct swt_report *rep = NULL;
	const char *kind = "full", *format = "json";
	char msg[4096], *data = NULL, *conf = NULL;
	size_t len;
	int i, rc, code = 2, mem = 0;

	if (strcmp(swt_version(), SWT_VERSION_STRING) != 0 ||
	    SWT_VERSION_NUMBER != SWT_VERSION_MAJOR * 10000 +
					  SWT_VERSION_MINOR * 100 +
					  SWT_VERSION_PATCH) {
		fprintf(stderr, "consumer: library %s, header %s\n",
			swt_version(), SWT_VERSION_STRING);
		return 1;
	}
	if (swt_settings_new(&set) != 0)
		return 1;
	for (i = 1; i < argc - 3; i++) {
		if (strcmp(argv[i], "-m") == 0) {
			mem = 1;
		} else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc - 3) {
			conf = slurp(argv[++i], &len);
			if (!conf ||
			    swt_settings_load(set, conf, len, argv[i]) != 0) {
				fprintf(stderr, "consumer: %s\n",
					swt_settings_errmsg(set));
				goto out;
			}
		} else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc - 3) {
			if (swt_settings_set(set, argv[++i]) != 0) {
				fprintf(stderr, "consumer: %s\n",
					swt_settings_errmsg(set));
				goto out;
			}
		} else if (strcmp(argv[i], "-r") == 0 && i + 1 < argc - 3) {
			kind = argv[++i];
		} else if (strcmp(argv[i], "-f") == 0 && i + 1 < argc - 3) {
			format = argv[++i];
		} else {
			break;
		}
	}
	if (i != argc - 3) {
		fprintf(stderr, "usage: consumer [-m] [-c CONF] [-t K=V]... "
				"[-r KIND] [-f FORMAT] FILE OUT FIELDS\n");
		goto out;
	}
	if (mem) {
		data = slurp(argv[i], &len);
		if (!data)
			goto out;
		rc = swt_report_open_mem(&rep, data, len, argv[i], set, msg,
					 sizeof(msg));
		/* the report keeps nothing of the bytes */
		memset(data, 0, len);
	} else {
		rc = swt_report_open(&rep, argv[i], set, msg, sizeof(msg));
	}
	/* the settings were copied */
	swt_settings_free(set);
	set = NULL;
	if (!rep) {
		print_msg(msg);
		if (rc >= 0 || !msg[0]) {
			fprintf(stderr, "consumer: no report, status %d\n", rc);
			code = 1;
		}
		goto out;
	}
	print_msg(msg);
	if (rc != swt_report_status(rep) ||
	    strcmp(msg, swt_report_errmsg(rep)) != 0 ||
	    (rc == 0) != (msg[0] == '\0') ||
	    (rc == 0) != swt_report_get_session(rep)->complete ||
	    (rc != 0 && rc != SWT_ECORRUPT && rc != SWT_ETRUNCATED) ||
	    swt_report_get_module(rep, swt_report_module_count(rep)) ||
	    swt_report_get_damage(rep, swt_report_damage_count(rep)) ||
	    swt_report_get_counter(rep, swt_report_counter_count(rep)) ||
	    swt_report_get_forecast(rep, swt_report_forecast_count(rep)) ||
	    swt_report_get_bottleneck(rep,
				      swt_report_bottleneck_count(rep)) ||
	    swt_report_get_threshold(rep, swt_report_threshold_count(rep)) ||
	    swt_report_get_rate_threshold(
		    rep, swt_report_rate_threshold_count(rep)) ||
	    swt_report_get_module_variant(rep, swt_report_module_count(rep),
					  0) ||
	    !swt_report_get_trend(rep)) {
		fprintf(stderr, "consumer: status %s and message disagree\n",
			swt_status_name(rc));
		code = 1;
		goto out;
	}
	code = render(rep, kind, format, argv[i + 1]);
	if (code != 0)
		goto out;
	fields = fopen(argv[i + 2], "w");
	if (!fields) {
		perror(argv[i + 2]);
		code = 4;
		goto out;
	}
	dump(rep);
	if (fclose(fields) != 0) {
		perror(argv[i + 2]);
		code = 4;
		goto out;
	}
	code = rc == 0 ? 0 : 3;
out:
	swt_report_free(rep);
	swt_settings_free(set);
	free(data);
	free(conf);
	return code;
}
