#include "swt_tracker.h"

#include <stdlib.h>
#include <string.h>

#include "swt_alloc.h"

struct known {
	int32_t pid;
	uint8_t state;	/* enum swt_tracker_state */
	uint64_t ino;
};

struct swt_tracker {
	enum swt_mode mode;
	int32_t self_pid;
	struct known *known;	/* sorted by pid */
	size_t n_known;
	size_t cap_known;
	size_t n_tracked;
	struct known *scratch;	/* merge target, swapped with known */
	size_t cap_scratch;
	struct swt_tracker_cand *cands;
	size_t cap_cands;
	/* never tracked, nor what they fork: the recorder itself (a child of
	 * a process it attached to) and the commands it runs */
	int32_t *never;
	size_t n_never, cap_never;
};

void swt_tracker_never(struct swt_tracker *t, int32_t pid, bool on)
{
	size_t i;

	for (i = 0; i < t->n_never; i++)
		if (t->never[i] == pid)
			break;
	if (on && i == t->n_never) {
		t->never = swt_grow(t->never, &t->cap_never, t->n_never + 1,
				    sizeof(*t->never));
		t->never[t->n_never++] = pid;
	} else if (!on && i < t->n_never) {
		t->never[i] = t->never[--t->n_never];
	}
}

static bool is_never(const struct swt_tracker *t, int32_t pid)
{
	size_t i;

	for (i = 0; i < t->n_never; i++)
		if (t->never[i] == pid)
			return true;
	return false;
}

void swt_tracker_new(struct swt_tracker **out, enum swt_mode mode,
		     int32_t self_pid)
{
	struct swt_tracker *t = swt_zalloc(sizeof(*t));

	t->mode = mode;
	t->self_pid = self_pid;
	*out = t;
}

void swt_tracker_free(struct swt_tracker *t)
{
	if (!t)
		return;
	free(t->known);
	free(t->scratch);
	free(t->cands);
	free(t->never);
	free(t);
}

/* Index of pid, or of where it would go. */
static size_t lower_bound(const struct swt_tracker *t, int32_t pid)
{
	size_t lo = 0, hi = t->n_known;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->known[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void set_state(struct swt_tracker *t, int32_t pid, uint64_t ino,
		      enum swt_tracker_state state)
{
	size_t i = lower_bound(t, pid);

	if (i < t->n_known && t->known[i].pid == pid) {
		if (t->known[i].state == SWT_TRACKER_TRACKED)
			t->n_tracked--;
		if (state == SWT_TRACKER_UNKNOWN) {
			memmove(&t->known[i], &t->known[i + 1],
				(t->n_known - i - 1) * sizeof(t->known[0]));
			t->n_known--;
			return;
		}
	} else {
		if (state == SWT_TRACKER_UNKNOWN)
			return;
		t->known = swt_grow(t->known, &t->cap_known, t->n_known + 1,
				    sizeof(t->known[0]));
		memmove(&t->known[i + 1], &t->known[i],
			(t->n_known - i) * sizeof(t->known[0]));
		t->n_known++;
		t->known[i].pid = pid;
	}
	t->known[i].state = (uint8_t)state;
	t->known[i].ino = ino;
	if (state == SWT_TRACKER_TRACKED)
		t->n_tracked++;
}

void swt_tracker_track(struct swt_tracker *t, int32_t pid, uint64_t ino)
{
	set_state(t, pid, ino, SWT_TRACKER_TRACKED);
}

void swt_tracker_forget(struct swt_tracker *t, int32_t pid)
{
	set_state(t, pid, 0, SWT_TRACKER_UNKNOWN);
}

enum swt_tracker_state swt_tracker_get_state(const struct swt_tracker *t,
					     int32_t pid)
{
	size_t i = lower_bound(t, pid);

	if (i < t->n_known && t->known[i].pid == pid)
		return (enum swt_tracker_state)t->known[i].state;
	return SWT_TRACKER_UNKNOWN;
}

size_t swt_tracker_count(const struct swt_tracker *t)
{
	return t->n_tracked;
}

static void add_cand(struct swt_tracker *t, size_t *n,
		     const struct swt_tracker_entry *e)
{
	struct swt_tracker_cand *c = &t->cands[(*n)++];

	c->pid = e->pid;
	c->ppid = 0;
	c->ino = e->ino;
	c->track = false;
}

size_t swt_tracker_scan(struct swt_tracker *t, struct swt_tracker_cand **out,
			const struct swt_tracker_entry *list, size_t n)
{
	return swt_tracker_scan_range(t, out, list, n, 0, INT32_MAX);
}

size_t swt_tracker_scan_range(struct swt_tracker *t,
			      struct swt_tracker_cand **out,
			      const struct swt_tracker_entry *list, size_t n,
			      int32_t from, int32_t to)
{
	size_t i = 0, k = 0, n_out = 0, n_cands = 0;
	struct known *tmp;
	size_t tmp_cap;

	t->scratch = swt_grow(t->scratch, &t->cap_scratch, t->n_known + 1,
			      sizeof(t->scratch[0]));
	t->cands = swt_grow(t->cands, &t->cap_cands, n + 1,
			    sizeof(t->cands[0]));
	/* Merge of two sorted lists: known entries carry their state over,
	 * excluded ones only while their pid is listed with the same inode. */
	while (k < t->n_known || i < n) {
		const struct known *kn =
			k < t->n_known ? &t->known[k] : NULL;

		if (i == n || (kn && kn->pid < list[i].pid)) {
			/* not listed: gone, unless tracked (the sampler
			 * sees that) or outside the listed range */
			if (kn->state == SWT_TRACKER_TRACKED ||
			    kn->pid < from || kn->pid > to)
				t->scratch[n_out++] = *kn;
			k++;
		} else if (!kn || list[i].pid < kn->pid) {
			add_cand(t, &n_cands, &list[i]);
			i++;
		} else {
			struct known keep = *kn;

			/* An excluded pid listed with another inode is a
			 * new process. One first listed without an inode
			 * (libproc2's first listing has none: the sampler
			 * pairs it with a listing of /proc made just before,
			 * which a process born between the two is not in)
			 * is decided again too: its pid may have been reused since, by
			 * a process of the tree (at a wrap of the pid
			 * counter, the first free pids after 300 are those
			 * that just exited). That costs one read of each
			 * process outside the tree, once, at the first
			 * listing of /proc. */
			if (keep.state == SWT_TRACKER_EXCLUDED &&
			    list[i].ino && keep.ino != list[i].ino) {
				add_cand(t, &n_cands, &list[i]);
			} else {
				/* A tracked pid is checked by its descriptor;
				 * a new inode is only an evicted dentry. */
				if (list[i].ino)
					keep.ino = list[i].ino;
				t->scratch[n_out++] = keep;
			}
			k++;
			i++;
		}
	}
	tmp = t->known;
	tmp_cap = t->cap_known;
	t->known = t->scratch;
	t->cap_known = t->cap_scratch;
	t->scratch = tmp;
	t->cap_scratch = tmp_cap;
	t->n_known = n_out;
	*out = t->cands;
	return n_cands;
}

static bool parent_tracked(const struct swt_tracker *t, int32_t ppid)
{
	return ppid == t->self_pid ||
	       swt_tracker_get_state(t, ppid) == SWT_TRACKER_TRACKED;
}

void swt_tracker_decide(struct swt_tracker *t, struct swt_tracker_cand *cands,
			size_t n)
{
	bool progress = true;
	size_t i;

	for (i = 0; i < n; i++) {
		cands[i].track = t->mode == SWT_MODE_ALL && cands[i].ppid >= 0;
		if (is_never(t, cands[i].pid))
			cands[i].track = false;
		if (cands[i].track)
			set_state(t, cands[i].pid, cands[i].ino,
				  SWT_TRACKER_TRACKED);
	}
	/* Fixed point: a child listed before its parent is decided on a later
	 * pass. Trees are shallow, so few passes run. */
	while (progress && t->mode != SWT_MODE_ALL) {
		progress = false;
		for (i = 0; i < n; i++) {
			if (cands[i].track || cands[i].ppid < 0 ||
			    is_never(t, cands[i].pid) ||
			    !parent_tracked(t, cands[i].ppid))
				continue;
			cands[i].track = true;
			set_state(t, cands[i].pid, cands[i].ino,
				  SWT_TRACKER_TRACKED);
			progress = true;
		}
	}
	for (i = 0; i < n; i++)
		if (!cands[i].track)
			set_state(t, cands[i].pid, cands[i].ino,
				  SWT_TRACKER_EXCLUDED);
}
