#include "swt_dump.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "swt_json.h"
#include "swt_status.h"

/* Write the buffer out once it holds this much: large enough that fwrite
 * is called rarely, small enough to stay in cache. */
#define DUMP_FLUSH_BYTES (64u * 1024u)

/* Bytes reserved for one process row: 20 keys (~200 bytes), 20 numbers of
 * at most 20 digits and a sign, punctuation. */
#define PROC_ROW_MAX 768u

/* Constant strings are copied with their length known at compile time. */
#define LIT(b, s) swt_buf_add((b), (s), sizeof(s) - 1)
#define PUT_LIT(p, s) (memcpy((p), (s), sizeof(s) - 1), (p) += sizeof(s) - 1)

static void set_msg(char *errmsg, size_t errlen, const char *what,
		    const char *detail)
{
	if (errmsg && errlen)
		snprintf(errmsg, errlen, "%s%s", what, detail);
}

/* The records go through the one JSON writer of swt (swt_json.h, compact);
 * process and thread rows, millions of them in a session, are formatted
 * straight into reserved space instead (swt_json_raw()). */

static void dump_header(struct swt_json *w, const struct swt_header *h)
{
	size_t i;

	swt_json_u64(w, "format_major", h->format_major);
	swt_json_u64(w, "format_minor", h->format_minor);
	swt_json_str(w, "recorder", h->recorder);
	swt_json_str(w, "zstd_version", h->zstd_version);
	swt_json_str(w, "kernel", h->kernel);
	swt_json_u64(w, "clock_ticks", h->clock_ticks);
	swt_json_u64(w, "page_size", h->page_size);
	swt_json_u64(w, "cpu_count", h->cpu_count);
	swt_json_u64(w, "mem_total_kib", h->mem_total_kib);
	swt_json_i64(w, "interval_ns", h->interval_ns);
	swt_json_i64(w, "flush_interval_ns", h->flush_interval_ns);
	swt_json_i64(w, "start_mono_ns", h->start_mono_ns);
	swt_json_i64(w, "start_wall_ns", h->start_wall_ns);
	swt_json_str(w, "mode", swt_mode_name(h->mode));
	swt_json_begin_array(w, "command");
	for (i = 0; i < h->n_command; i++)
		swt_json_str(w, NULL, h->command[i]);
	swt_json_end_array(w);
	swt_json_begin_array(w, "attach_pids");
	for (i = 0; i < h->n_attach_pids; i++)
		swt_json_i64(w, NULL, h->attach_pids[i]);
	swt_json_end_array(w);
	swt_json_u64(w, "boot_time_s", h->boot_time_s);
	swt_json_bool(w, "threads", h->threads);
	swt_json_str(w, "alert_config",
		     h->alert_config ? h->alert_config : "");
	/* format 1.7; absent from older files' dumps */
	if (h->event_clock && h->event_clock[0])
		swt_json_str(w, "event_clock", h->event_clock);
	if (h->tsc_mult) {
		swt_json_u64(w, "tsc_hz", h->tsc_hz);
		swt_json_u64(w, "tsc0", h->tsc0);
		swt_json_i64(w, "tsc_mono0_ns", h->tsc_mono0_ns);
		swt_json_u64(w, "tsc_mult", h->tsc_mult);
		swt_json_u64(w, "tsc_shift", h->tsc_shift);
		swt_json_i64(w, "tsc_skew_ns", h->tsc_skew_ns);
	}
	/* only when known: dumps of older files stay as they were */
	if (h->sampler && h->sampler[0])
		swt_json_str(w, "sampler", h->sampler);
}

/* /proc/PID/cmdline is argv with a NUL after each argument. The last
 * argument may lack its NUL (a process that rewrote its title), so a final
 * unterminated piece is an argument too; an empty cmdline is []. */
static void dump_argv(struct swt_json *w, const char *key, const char *s,
		      size_t len)
{
	size_t pos = 0;

	swt_json_begin_array(w, key);
	while (s && pos < len) {
		const char *nul = memchr(s + pos, '\0', len - pos);
		size_t n = nul ? (size_t)(nul - (s + pos)) : len - pos;

		swt_json_strn(w, NULL, s + pos, n);
		pos += n + 1;
	}
	swt_json_end_array(w);
}

static void dump_proc_start(struct swt_json *w,
			    const struct swt_proc_start *p)
{
	swt_json_i64(w, "pid", p->pid);
	swt_json_i64(w, "ppid", p->ppid);
	swt_json_u64(w, "start_ticks", p->start_ticks);
	swt_json_str(w, "comm", p->comm);
	swt_json_str(w, "exe", p->exe);
	dump_argv(w, "cmdline", p->cmdline, p->cmdline_len);
	swt_json_u64(w, "uid", p->uid);
	swt_json_bool(w, "preexisting", p->preexisting);
}

static void dump_proc_exit(struct swt_json *w, const struct swt_proc_exit *p)
{
	swt_json_i64(w, "pid", p->pid);
	swt_json_u64(w, "start_ticks", p->start_ticks);
	swt_json_bool(w, "has_status", p->has_status);
	swt_json_i64(w, "exit_code", p->exit_code);
	swt_json_i64(w, "signal", p->signal);
	swt_json_bool(w, "core_dumped", p->core_dumped);
	swt_json_bool(w, "has_final", p->has_final);
	swt_json_i64(w, "utime", p->utime);
	swt_json_i64(w, "stime", p->stime);
	swt_json_i64(w, "cutime", p->cutime);
	swt_json_i64(w, "cstime", p->cstime);
	swt_json_bool(w, "has_acct", p->has_acct);
	swt_json_u64(w, "hiwater_rss_kib", p->hiwater_rss_kib);
	swt_json_u64(w, "read_bytes", p->read_bytes);
	swt_json_u64(w, "write_bytes", p->write_bytes);
	swt_json_u64(w, "nvcsw", p->nvcsw);
	swt_json_u64(w, "nivcsw", p->nivcsw);
	swt_json_u64(w, "utime_us", p->utime_us);
	swt_json_u64(w, "stime_us", p->stime_us);
	swt_json_bool(w, "has_final_io", p->has_final_io);
	swt_json_u64(w, "final_read_bytes", p->final_read_bytes);
	swt_json_u64(w, "final_write_bytes", p->final_write_bytes);
	swt_json_bool(w, "has_final_net", p->has_final_net);
	swt_json_u64(w, "final_net_tx", p->final_net_tx);
	swt_json_u64(w, "final_net_rx", p->final_net_rx);
	if (p->n_threads) {	/* (format 1.10; dumps of older files as
				 * they were) */
		size_t i;

		swt_json_begin_array(w, "threads");
		for (i = 0; i < p->n_threads; i++) {
			const struct swt_thread_end *te = &p->threads[i];

			swt_json_begin_object(w, NULL);
			swt_json_i64(w, "tid", te->tid);
			swt_json_str(w, "name", te->name);
			swt_json_u64(w, "utime_us", te->utime_us);
			swt_json_u64(w, "stime_us", te->stime_us);
			swt_json_end_object(w);
		}
		swt_json_end_array(w);
	}
}

/* The hot path of a dump: a session holds millions of process rows, so a
 * row is written straight into reserved space instead of through a dozen
 * swt_json calls. */
static void dump_proc_row(struct swt_json *w, const struct swt_proc_row *r)
{
	char *start, *p;
	bool no_io = (r->flags & SWT_PF_IO_UNAVAILABLE) != 0;
	bool no_net = (r->flags & SWT_PF_NET_UNAVAILABLE) != 0;
	const int64_t net[5] = { r->net_tx, r->net_rx, r->socks_tcp,
				 r->socks_udp, r->socks_other };
	static const char *const net_keys[5] = {
		",\"net_tx\":", ",\"net_rx\":", ",\"socks_tcp\":",
		",\"socks_udp\":", ",\"socks_other\":",
	};
	size_t i;

	swt_json_raw(w, NULL);
	start = p = swt_buf_reserve(w->b, PROC_ROW_MAX);
	PUT_LIT(p, "{\"pid\":");
	p = swt_put_i64(p, r->pid);
	PUT_LIT(p, ",\"flags\":");
	p = swt_put_u64(p, r->flags);
	PUT_LIT(p, ",\"utime\":");
	p = swt_put_i64(p, r->utime);
	PUT_LIT(p, ",\"stime\":");
	p = swt_put_i64(p, r->stime);
	PUT_LIT(p, ",\"rss_kib\":");
	p = swt_put_i64(p, r->rss_kib);
	PUT_LIT(p, ",\"vsz_kib\":");
	p = swt_put_i64(p, r->vsz_kib);
	PUT_LIT(p, ",\"nthreads\":");
	p = swt_put_i64(p, r->nthreads);
	PUT_LIT(p, ",\"minflt\":");
	p = swt_put_i64(p, r->minflt);
	PUT_LIT(p, ",\"majflt\":");
	p = swt_put_i64(p, r->majflt);
	/* io_* of an unreadable /proc/PID/io mean nothing: null, not 0. */
	PUT_LIT(p, ",\"io_read\":");
	if (no_io)
		PUT_LIT(p, "null");
	else
		p = swt_put_i64(p, r->io_read);
	PUT_LIT(p, ",\"io_write\":");
	if (no_io)
		PUT_LIT(p, "null");
	else
		p = swt_put_i64(p, r->io_write);
	PUT_LIT(p, ",\"vctxsw\":");
	p = swt_put_i64(p, r->vctxsw);
	PUT_LIT(p, ",\"ivctxsw\":");
	p = swt_put_i64(p, r->ivctxsw);
	PUT_LIT(p, ",\"cutime\":");
	p = swt_put_i64(p, r->cutime);
	PUT_LIT(p, ",\"cstime\":");
	p = swt_put_i64(p, r->cstime);
	/* (unknown for another user's process: null) */
	for (i = 0; i < 5; i++) {
		size_t len = strlen(net_keys[i]);

		memcpy(p, net_keys[i], len);
		p += len;
		if (no_net)
			PUT_LIT(p, "null");
		else
			p = swt_put_i64(p, net[i]);
	}
	*p++ = '}';
	swt_buf_commit(w->b, (size_t)(p - start));
}

static void dump_thread_row(struct swt_json *w,
			    const struct swt_thread_row *t)
{
	struct swt_buf *b = w->b;
	char *start, *p;

	swt_json_raw(w, NULL);
	start = p = swt_buf_reserve(b, 64);
	PUT_LIT(p, "{\"tid\":");
	p = swt_put_i64(p, t->tid);
	PUT_LIT(p, ",\"tgid\":");
	p = swt_put_i64(p, t->tgid);
	PUT_LIT(p, ",\"name\":");
	swt_buf_commit(b, (size_t)(p - start));
	swt_buf_json_str(b, t->name ? t->name : "",
			 t->name ? strlen(t->name) : 0);

	start = p = swt_buf_reserve(b, 64);
	PUT_LIT(p, ",\"utime\":");
	p = swt_put_i64(p, t->utime);
	PUT_LIT(p, ",\"stime\":");
	p = swt_put_i64(p, t->stime);
	*p++ = '}';
	swt_buf_commit(b, (size_t)(p - start));
}

static void dump_sample(struct swt_json *w, const struct swt_sample *s)
{
	size_t i;

	swt_json_i64(w, "scheduled_ns", s->scheduled_ns);
	swt_json_u64(w, "recorder_cpu_ns", s->recorder_cpu_ns);
	swt_json_u64(w, "recorder_rss_kib", s->recorder_rss_kib);
	swt_json_u64(w, "sys_busy_ticks", s->sys_busy_ticks);
	swt_json_u64(w, "sys_idle_ticks", s->sys_idle_ticks);
	swt_json_u64(w, "mem_total_kib", s->mem_total_kib);
	swt_json_u64(w, "mem_available_kib", s->mem_available_kib);
	/* format 1.4: null when the kernel had no PSI */
	if (s->has_pressure) {
		swt_json_begin_array(w, "pressure_us");
		for (i = 0; i < 6; i++)
			swt_json_u64(w, NULL, s->pressure_us[i]);
		swt_json_end_array(w);
	} else {
		swt_json_null(w, "pressure_us");
	}
	swt_json_u64(w, "steal_ticks", s->steal_ticks);
	swt_json_begin_array(w, "procs");
	for (i = 0; i < s->n_procs; i++)
		dump_proc_row(w, &s->procs[i]);
	swt_json_end_array(w);
	swt_json_begin_array(w, "threads");
	for (i = 0; i < s->n_threads; i++)
		dump_thread_row(w, &s->threads[i]);
	swt_json_end_array(w);
	swt_json_begin_array(w, "netdevs");
	for (i = 0; i < s->n_netdevs; i++) {
		swt_json_begin_object(w, NULL);
		swt_json_str(w, "name", s->netdevs[i].name);
		swt_json_u64(w, "rx_bytes", s->netdevs[i].rx_bytes);
		swt_json_u64(w, "tx_bytes", s->netdevs[i].tx_bytes);
		swt_json_end_object(w);
	}
	swt_json_end_array(w);
}

static void dump_events(struct swt_json *w, const struct swt_event_batch *e)
{
	size_t i;

	swt_json_i64(w, "pid", e->pid);
	swt_json_begin_array(w, "events");
	for (i = 0; i < e->n; i++) {
		const struct swt_event *ev = &e->events[i];

		swt_json_begin_object(w, NULL);
		swt_json_i64(w, "t_ns", ev->t_ns);
		swt_json_str(w, "kind", swt_event_kind_name(ev->kind));
		swt_json_i64(w, "tid", ev->tid);
		swt_json_str(w, "name", ev->name);
		swt_json_i64(w, "value", ev->value);
		swt_json_end_object(w);
	}
	swt_json_end_array(w);
}

/* "kind" already names the record kind, so the kind strings of alerts and
 * anomalies are written as "alert_kind" and "anomaly_kind". */
static void dump_alert(struct swt_json *w, const struct swt_alert *a)
{
	swt_json_str(w, "alert_kind", a->kind);
	swt_json_str(w, "subject", a->subject);
	swt_json_i64(w, "value_milli", a->value_milli);
	swt_json_i64(w, "threshold_milli", a->threshold_milli);
}

static void dump_drops(struct swt_json *w, const struct swt_drops *d)
{
	swt_json_i64(w, "pid", d->pid);
	swt_json_u64(w, "dropped", d->dropped);
	swt_json_u64(w, "total_dropped", d->total_dropped);
	swt_json_str(w, "reason", d->reason);
}

static void dump_anomaly(struct swt_json *w, const struct swt_anomaly *a)
{
	swt_json_str(w, "anomaly_kind", a->kind);
	swt_json_i64(w, "pid", a->pid);
	swt_json_i64(w, "tid", a->tid);
	swt_json_str(w, "subject", a->subject);
	swt_json_strn(w, "detail", a->detail ? a->detail : "",
		      a->detail ? a->detail_len : 0);
}

static void dump_end(struct swt_json *w, const struct swt_session_end *e)
{
	swt_json_str(w, "reason", swt_end_reason_name(e->reason));
	swt_json_bool(w, "has_status", e->has_status);
	swt_json_i64(w, "exit_code", e->exit_code);
	swt_json_i64(w, "signal", e->signal);
	swt_json_u64(w, "samples", e->samples);
	swt_json_u64(w, "records", e->records);
	swt_json_u64(w, "events", e->events);
	swt_json_u64(w, "dropped_events", e->dropped_events);
	swt_json_u64(w, "recorder_cpu_ns", e->recorder_cpu_ns);
	swt_json_u64(w, "recorder_peak_rss_kib", e->recorder_peak_rss_kib);
	swt_json_str(w, "error", e->error);
	swt_json_u64(w, "missed_samples", e->missed_samples);
	swt_json_u64(w, "late_events", e->late_events);
	swt_json_bool(w, "exit_acct", e->exit_acct);
	swt_json_u64(w, "exit_acct_overflows", e->exit_acct_overflows);
	swt_json_bool(w, "proc_events", e->proc_events);
	swt_json_u64(w, "proc_events_overflows", e->proc_events_overflows);
	swt_json_u64(w, "exits_dropped", e->exits_dropped);
	swt_json_u64(w, "exits_unmatched", e->exits_unmatched);
	swt_json_u64(w, "cmdlines_skipped", e->cmdlines_skipped);
	swt_json_u64(w, "exit_acct_cpu_ns", e->exit_acct_cpu_ns);
	if (e->exit_write_cpu_ns)
		swt_json_u64(w, "exit_write_cpu_ns", e->exit_write_cpu_ns);
	if (e->proc_events_source && e->proc_events_source[0])
		swt_json_str(w, "proc_events_source", e->proc_events_source);
	if (e->tsc_calibrations) {
		swt_json_u64(w, "tsc_calibrations", e->tsc_calibrations);
		swt_json_i64(w, "tsc_max_error_ns", e->tsc_max_error_ns);
		swt_json_u64(w, "tsc_resets", e->tsc_resets);
	}
	if (e->recorder_wait_ns)
		swt_json_u64(w, "recorder_wait_ns", e->recorder_wait_ns);
	if (e->proc_reads) {
		swt_json_u64(w, "proc_read_cpu_ns", e->proc_read_cpu_ns);
		swt_json_u64(w, "proc_reads", e->proc_reads);
	}
	if (e->proc_scans || e->proc_scans_skipped) {
		swt_json_u64(w, "proc_scans", e->proc_scans);
		swt_json_u64(w, "proc_scans_skipped", e->proc_scans_skipped);
	}
	if (e->proc_first_reads) {
		swt_json_u64(w, "proc_first_read_cpu_ns",
			     e->proc_first_read_cpu_ns);
		swt_json_u64(w, "proc_first_reads", e->proc_first_reads);
	}
	if (e->sampled_records) {
		swt_json_u64(w, "sampled_write_cpu_ns",
			     e->sampled_write_cpu_ns);
		swt_json_u64(w, "sampled_records", e->sampled_records);
	}
}

void swt_dump_record(struct swt_buf *b, const struct swt_record *rec)
{
	struct swt_json w;

	swt_json_init(&w, b, false);
	swt_json_begin_object(&w, NULL);
	swt_json_str(&w, "kind", swt_record_kind_name(rec->kind));
	swt_json_i64(&w, "t_ns", rec->t_ns);
	switch (rec->kind) {
	case SWT_REC_HEADER:
		dump_header(&w, &rec->u.header);
		break;
	case SWT_REC_PROC_START:
		dump_proc_start(&w, &rec->u.proc_start);
		break;
	case SWT_REC_PROC_EXIT:
		dump_proc_exit(&w, &rec->u.proc_exit);
		break;
	case SWT_REC_SAMPLE:
		dump_sample(&w, &rec->u.sample);
		break;
	case SWT_REC_EVENTS:
		dump_events(&w, &rec->u.events);
		break;
	case SWT_REC_ALERT:
		dump_alert(&w, &rec->u.alert);
		break;
	case SWT_REC_DROPS:
		dump_drops(&w, &rec->u.drops);
		break;
	case SWT_REC_ANOMALY:
		dump_anomaly(&w, &rec->u.anomaly);
		break;
	case SWT_REC_END:
		dump_end(&w, &rec->u.end);
		break;
	}
	swt_json_end_object(&w);
	LIT(b, "\n");
}

static int write_out(FILE *fp, struct swt_buf *b, char *errmsg, size_t errlen)
{
	if (b->len && fwrite(b->ptr, 1, b->len, fp) != b->len) {
		set_msg(errmsg, errlen, "write error: ", strerror(errno));
		return SWT_EIO;
	}
	swt_buf_clear(b);
	return 0;
}

/* Next record, stepping over the damage statuses a SWT_READER_STRICT reader
 * returns (the reader keeps them in its damage list). A damage status that
 * did not add a damage entry would repeat forever: it is returned. */
int swt_dump_next(struct swt_reader *r, const struct swt_record **out)
{
	int err;

	for (;;) {
		size_t n_damage = swt_reader_damage_count(r);

		err = swt_reader_next(r, out);
		if ((err == SWT_ECORRUPT || err == SWT_ETRUNCATED) &&
		    swt_reader_damage_count(r) > n_damage)
			continue;
		return err;
	}
}

int swt_dump_json(struct swt_reader *r, FILE *fp, char *errmsg,
		  size_t errlen)
{
	struct swt_buf b = SWT_BUF_INIT;
	const struct swt_record *rec;
	int err;

	swt_buf_reserve(&b, DUMP_FLUSH_BYTES + PROC_ROW_MAX);
	while ((err = swt_dump_next(r, &rec)) == 0) {
		swt_dump_record(&b, rec);
		if (b.len >= DUMP_FLUSH_BYTES)
			SWT_TRY(err = write_out(fp, &b, errmsg, errlen));
	}
	if (err != SWT_ITEROVER) {
		set_msg(errmsg, errlen, "", swt_reader_errmsg(r));
		goto out;
	}
	SWT_TRY(err = write_out(fp, &b, errmsg, errlen));
	if (fflush(fp) != 0) {
		set_msg(errmsg, errlen, "write error: ", strerror(errno));
		err = SWT_EIO;
		goto out;
	}
	err = 0;
out:
	swt_buf_fini(&b);
	return err;
}

void swt_dump_check_summarize(struct swt_check_result *out,
			      const struct swt_reader *r)
{
	bool short_end = false;
	size_t i;

	memset(out, 0, sizeof(*out));
	swt_reader_get_stats(r, &out->stats);
	out->n_damage = swt_reader_damage_count(r);
	for (i = 0; i < out->n_damage; i++) {
		const struct swt_damage *d = swt_reader_get_damage(r, i);

		if (d->status == SWT_ETRUNCATED)
			short_end = true;
		else
			out->corrupt = true;
	}
	out->truncated = short_end || !out->stats.has_index ||
			 !out->stats.has_end;
	if (out->corrupt)
		out->status = SWT_ECORRUPT;
	else if (out->truncated)
		out->status = SWT_ETRUNCATED;
}

int swt_dump_check(struct swt_check_result *out, struct swt_reader *r,
		   char *errmsg, size_t errlen)
{
	const struct swt_record *rec;
	int err;

	while ((err = swt_dump_next(r, &rec)) == 0)
		;
	if (err != SWT_ITEROVER) {
		set_msg(errmsg, errlen, "", swt_reader_errmsg(r));
		return err;
	}
	swt_dump_check_summarize(out, r);
	return 0;
}

/* Damage reasons come from the codec; keep a report line one line. */
static void put_reason(struct swt_buf *b, const char *what, size_t max)
{
	size_t i, n = strnlen(what, max);

	for (i = 0; i < n; i++)
		swt_buf_putc(b, (unsigned char)what[i] < 0x20 ? ' ' : what[i]);
}

static void put_time(struct swt_buf *b, int64_t t, int64_t none)
{
	if (t == none)
		LIT(b, "none");
	else
		swt_buf_i64(b, t);
}

void swt_dump_check_report(struct swt_buf *b, const char *path,
			   const struct swt_reader *r,
			   const struct swt_check_result *res)
{
	const struct swt_reader_stats *st = &res->stats;
	const struct swt_header *h = swt_reader_get_header(r);
	bool have_time = st->t_first_ns <= st->t_last_ns;
	size_t i;

	swt_buf_printf(b, "file: %s\n", path);
	swt_buf_printf(b, "format: %" PRIu32 ".%" PRIu32 "\n",
		       h->format_major, h->format_minor);
	LIT(b, "recorder: ");
	put_reason(b, h->recorder ? h->recorder : "", SIZE_MAX);
	swt_buf_printf(b, "\nsize_bytes: %" PRIu64 "\n", st->file_size);
	swt_buf_printf(b,
		       "chunks: %" PRIu64 " total, %" PRIu64 " ok, %" PRIu64
		       " salvaged\n",
		       st->chunks, st->chunks_ok, st->chunks_salvaged);
	swt_buf_printf(b, "records: %" PRIu64 "\n", st->records);
	swt_buf_printf(b, "process_samples: %" PRIu64 "\n", st->proc_samples);
	swt_buf_printf(b, "unknown_records: %" PRIu64 "\n",
		       st->unknown_records);
	LIT(b, "t_first_ns: ");
	put_time(b, have_time ? st->t_first_ns : INT64_MIN, INT64_MIN);
	LIT(b, "\nt_last_ns: ");
	put_time(b, have_time ? st->t_last_ns : INT64_MIN, INT64_MIN);
	LIT(b, "\nduration_s: ");
	if (have_time) {
		/* Computed unsigned: damaged-but-checksummed times cannot make
		 * the subtraction overflow. */
		uint64_t d = (uint64_t)st->t_last_ns - (uint64_t)st->t_first_ns;

		swt_buf_fixed(b, d > INT64_MAX ? INT64_MAX : (int64_t)d, 9, 3);
	} else {
		LIT(b, "none");
	}
	swt_buf_printf(b, "\nindex: %s\n", st->has_index ? "yes" : "no");
	swt_buf_printf(b, "end_record: %s\n", st->has_end ? "yes" : "no");
	swt_buf_printf(b, "damaged_ranges: %zu\n", res->n_damage);
	for (i = 0; i < res->n_damage; i++) {
		const struct swt_damage *d = swt_reader_get_damage(r, i);

		swt_buf_printf(b, "damage: offset=%" PRIu64 " length=%" PRIu64
			       " status=%s t_prev_ns=", d->offset, d->length,
			       swt_status_name(d->status));
		put_time(b, d->t_prev_ns, INT64_MIN);
		LIT(b, " reason=");
		put_reason(b, d->what, sizeof(d->what));
		swt_buf_putc(b, '\n');
	}
	LIT(b, "status: ");
	if (res->corrupt && res->truncated)
		LIT(b, "damaged, truncated\n");
	else if (res->corrupt)
		LIT(b, "damaged\n");
	else if (res->truncated)
		LIT(b, "truncated\n");
	else
		LIT(b, "intact\n");
}

void swt_dump_check_warnings(struct swt_buf *b, const char *prefix,
			     const char *path, const struct swt_reader *r,
			     const struct swt_check_result *res)
{
	size_t i;

	for (i = 0; i < res->n_damage; i++) {
		const struct swt_damage *d = swt_reader_get_damage(r, i);

		swt_buf_printf(b, "%s%s: %s at byte %" PRIu64 " (%" PRIu64
			       " bytes, %s): ", prefix, path,
			       d->status == SWT_ETRUNCATED ? "truncated" :
			       "damaged", d->offset, d->length,
			       swt_status_name(d->status));
		put_reason(b, d->what, sizeof(d->what));
		swt_buf_putc(b, '\n');
	}
	/* a missing index is one of the reader's damage entries; a finished
	 * file (with index) may still lack its end record */
	if (res->stats.has_index && !res->stats.has_end)
		swt_buf_printf(b, "%s%s: truncated at byte %" PRIu64
			       ": no end record (the recorder did not "
			       "finish)\n",
			       prefix, path, res->stats.file_size);
}
