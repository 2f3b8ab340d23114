#include "rec_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swt_alloc.h"
#include "swt_reader.h"
#include "swt_status.h"

static void copy_str(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

int rf_load(struct rf *rf, const char *path, char *err, size_t errlen)
{
	struct swt_reader *r = NULL;
	const struct swt_header *h;
	const struct swt_record *rec;
	struct swt_reader_stats st;
	size_t cap_s = 0, cap_e = 0, cap_m = 0, cap_r = 0, cap_t = 0, seq = 0;
	int64_t last_t = INT64_MIN;
	int rc;

	memset(rf, 0, sizeof(*rf));
	rf->time_ordered = true;
	rc = swt_reader_open(&r, path, 0, err, errlen);
	if (rc < 0)
		return rc;
	h = swt_reader_get_header(r);
	rf->mode = h->mode;
	rf->interval_ns = h->interval_ns;
	rf->flush_ns = h->flush_interval_ns;
	rf->clock_ticks = h->clock_ticks;
	rf->page_size = h->page_size;
	rf->threads = h->threads;
	rf->n_command = h->n_command;
	rf->n_attach = h->n_attach_pids;
	copy_str(rf->recorder, sizeof(rf->recorder), h->recorder);
	while ((rc = swt_reader_next(r, &rec)) == 0) {
		seq++;
		if (rec->kind == SWT_REC_HEADER)
			continue;
		if (rec->t_ns < last_t)
			rf->time_ordered = false;
		last_t = rec->t_ns;
		switch (rec->kind) {
		case SWT_REC_PROC_START: {
			const struct swt_proc_start *p = &rec->u.proc_start;
			struct rf_start *s;

			rf->starts = swt_grow(rf->starts, &cap_s,
					      rf->n_starts + 1,
					      sizeof(rf->starts[0]));
			s = &rf->starts[rf->n_starts++];
			memset(s, 0, sizeof(*s));
			s->seq = seq;
			s->t = rec->t_ns;
			s->pid = p->pid;
			s->ppid = p->ppid;
			s->start_ticks = p->start_ticks;
			s->uid = p->uid;
			s->preexisting = p->preexisting;
			copy_str(s->comm, sizeof(s->comm), p->comm);
			s->cmdline_len = p->cmdline_len < sizeof(s->cmdline) ?
						 p->cmdline_len :
						 sizeof(s->cmdline);
			if (s->cmdline_len)
				memcpy(s->cmdline, p->cmdline, s->cmdline_len);
			break;
		}
		case SWT_REC_PROC_EXIT: {
			const struct swt_proc_exit *p = &rec->u.proc_exit;
			struct rf_exit *e;

			rf->exits = swt_grow(rf->exits, &cap_e, rf->n_exits + 1,
					     sizeof(rf->exits[0]));
			e = &rf->exits[rf->n_exits++];
			e->seq = seq;
			e->t = rec->t_ns;
			e->pid = p->pid;
			e->start_ticks = p->start_ticks;
			e->has_status = p->has_status;
			e->exit_code = p->exit_code;
			e->signal = p->signal;
			break;
		}
		case SWT_REC_SAMPLE: {
			const struct swt_sample *p = &rec->u.sample;
			struct rf_sample *s;
			size_t i;

			rf->samples = swt_grow(rf->samples, &cap_m,
					       rf->n_samples + 1,
					       sizeof(rf->samples[0]));
			s = &rf->samples[rf->n_samples++];
			s->seq = seq;
			s->t = rec->t_ns;
			s->scheduled = p->scheduled_ns;
			s->cpu_ns = p->recorder_cpu_ns;
			s->rss_kib = p->recorder_rss_kib;
			s->busy = p->sys_busy_ticks;
			s->idle = p->sys_idle_ticks;
			s->mem_total = p->mem_total_kib;
			s->mem_avail = p->mem_available_kib;
			s->row0 = rf->n_rows;
			s->n_rows = p->n_procs;
			rf->rows = swt_grow(rf->rows, &cap_r,
					    rf->n_rows + p->n_procs + 1,
					    sizeof(rf->rows[0]));
			if (p->n_procs)
				memcpy(rf->rows + rf->n_rows, p->procs,
				       p->n_procs * sizeof(rf->rows[0]));
			rf->n_rows += p->n_procs;
			s->trow0 = rf->n_trows;
			s->n_trows = p->n_threads;
			rf->trows = swt_grow(rf->trows, &cap_t,
					     rf->n_trows + p->n_threads + 1,
					     sizeof(rf->trows[0]));
			for (i = 0; i < p->n_threads; i++) {
				struct rf_trow *t = &rf->trows[rf->n_trows++];

				t->tid = p->threads[i].tid;
				t->tgid = p->threads[i].tgid;
				t->utime = p->threads[i].utime;
				t->stime = p->threads[i].stime;
				copy_str(t->name, sizeof(t->name),
					 p->threads[i].name);
			}
			break;
		}
		case SWT_REC_END:
			rf->has_end = true;
			rf->end = rec->u.end;
			copy_str(rf->end_error, sizeof(rf->end_error),
				 rec->u.end.error);
			rf->end.error = NULL;
			copy_str(rf->end_source, sizeof(rf->end_source),
				 rec->u.end.proc_events_source);
			rf->end.proc_events_source = NULL;
			break;
		default:
			break;
		}
	}
	swt_reader_get_stats(r, &st);
	rf->has_index = st.has_index;
	rf->records = st.records;
	rf->damage = swt_reader_damage_count(r);
	swt_reader_free(r);
	return 0;
}

void rf_free(struct rf *rf)
{
	free(rf->starts);
	free(rf->exits);
	free(rf->samples);
	free(rf->rows);
	free(rf->trows);
	memset(rf, 0, sizeof(*rf));
}

const struct swt_proc_row *rf_row(const struct rf *rf, size_t i, int32_t pid)
{
	const struct rf_sample *s = &rf->samples[i];
	size_t k;

	for (k = 0; k < s->n_rows; k++)
		if (rf->rows[s->row0 + k].pid == pid)
			return &rf->rows[s->row0 + k];
	return NULL;
}

const struct rf_start *rf_start_of(const struct rf *rf, int32_t pid)
{
	size_t i;

	for (i = 0; i < rf->n_starts; i++)
		if (rf->starts[i].pid == pid)
			return &rf->starts[i];
	return NULL;
}

const struct rf_start *rf_last_start_of(const struct rf *rf, int32_t pid)
{
	const struct rf_start *found = NULL;
	size_t i;

	for (i = 0; i < rf->n_starts; i++)
		if (rf->starts[i].pid == pid)
			found = &rf->starts[i];
	return found;
}

const struct rf_start *rf_start_by_comm(const struct rf *rf,
					const char *comm)
{
	size_t i;

	for (i = 0; i < rf->n_starts; i++)
		if (!strcmp(rf->starts[i].comm, comm))
			return &rf->starts[i];
	return NULL;
}

const struct rf_exit *rf_exit_of(const struct rf *rf, int32_t pid)
{
	size_t i;

	for (i = 0; i < rf->n_exits; i++)
		if (rf->exits[i].pid == pid)
			return &rf->exits[i];
	return NULL;
}

size_t rf_rows_of(const struct rf *rf, int32_t pid)
{
	size_t i, n = 0;

	for (i = 0; i < rf->n_samples; i++)
		if (rf_row(rf, i, pid))
			n++;
	return n;
}
