/* swt_procdir.c — the process directory (see swt_procdir.h). */
#include "swt_procdir.h"

#include <stdlib.h>
#include <string.h>

#include "swt_alloc.h"

bool swt_dir_proc_alive_at(const struct swt_dir_proc *p, int64_t t)
{
	return p->t_start_ns < t && !(p->exited && p->t_exit_ns < t);
}

void swt_procdir_init(struct swt_procdir *d)
{
	memset(d, 0, sizeof(*d));
	swt_imap_init(&d->pids);
}

void swt_procdir_fini(struct swt_procdir *d)
{
	size_t i;

	/* an entry's three strings are one allocation (swt_procdir_add) */
	for (i = 0; i < d->n; i++)
		free((char *)(uintptr_t)d->procs[i].ps.comm);
	free(d->procs);
	swt_imap_fini(&d->pids);
}

void swt_procdir_start(struct swt_procdir *d, const struct swt_proc_start *p,
		       int64_t t)
{
	swt_procdir_add(d, p, p->comm ? strlen(p->comm) : 0,
			p->exe ? strlen(p->exe) : 0, t);
}

/* Copies comm, exe and the command line into one allocation, each
 * NUL-terminated (NUL bytes within the command line kept): one malloc an
 * entry, which the recorder makes for every process it writes. */
void swt_procdir_add(struct swt_procdir *d, const struct swt_proc_start *p,
		     size_t comm, size_t exe, int64_t t)
{
	struct swt_dir_proc *o;
	size_t clen = p->cmdline ? p->cmdline_len : 0;
	char *b;

	d->procs = swt_grow(d->procs, &d->cap, d->n + 1, sizeof(*d->procs));
	o = &d->procs[d->n];
	memset(o, 0, sizeof(*o));
	o->ps = *p;
	b = swt_reallocarray(NULL, comm + exe + clen + 3, 1);
	if (comm)
		memcpy(b, p->comm, comm);
	b[comm] = '\0';
	o->ps.comm = b;
	b += comm + 1;
	if (exe)
		memcpy(b, p->exe, exe);
	b[exe] = '\0';
	o->ps.exe = b;
	b += exe + 1;
	if (clen)
		memcpy(b, p->cmdline, clen);
	b[clen] = '\0';
	o->ps.cmdline = b;
	o->ps.cmdline_len = clen;
	o->t_start_ns = t;
	swt_imap_put(&d->pids, p->pid, (uint32_t)d->n);
	d->n++;
	d->bytes += comm + exe + clen + 100;
}

void swt_procdir_exit(struct swt_procdir *d, const struct swt_proc_exit *p,
		      int64_t t)
{
	uint32_t i = swt_imap_get(&d->pids, p->pid);

	if (i == SWT_MAP_NONE || d->procs[i].exited ||
	    d->procs[i].ps.start_ticks != p->start_ticks)
		return;
	d->procs[i].exited = true;
	d->procs[i].t_exit_ns = t;
}
