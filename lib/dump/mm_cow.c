// SPDX-License-Identifier: MIT
/*
 * Memory dump, the pages a process of a tree still shares copy-on-write
 * with its parent: a page of a private anonymous mapping (or a copied page
 * of a private file mapping) that the parent
 * has at the same place, in a mapping of the same bounds, and that both
 * map to one physical page (the same PFN in /proc/PID/pagemap, which root
 * reads) is the parent's, stored in the parent's image only.  The
 * mapping's IMG_REC_TREE_COW record lists those pages; the restore makes
 * the child from its restored parent's memory so that they are one page
 * again (lib/restore/mm_cow.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cr.h"
#include "kernel_compat.h"
#include <sudcr/log.h>

#include "mm.h"

#define PM_PRESENT	(1ULL << 63)
#define PM_PFN		((1ULL << 55) - 1)
#define PM_BATCH	512

/*
 * What a process of a tree shares with its parent: plain private anonymous
 * memory, and the copied pages of private mappings of files that have
 * their name.
 */
bool dmm_cow_kind(const struct proc_vma *v, uint32_t flags)
{
	return (flags == REC_VMA_ANON || flags == (REC_VMA_ANON | REC_VMA_HEAP) || flags == REC_VMA_FILE) &&
	       !(v->vmflags & PROC_VMF_DP);
}

static int add_cow_run(struct rec_tree_cow **c, uint32_t *cap, uint64_t start, uint64_t end)
{
	struct rec_tree_cow_run *runs = (struct rec_tree_cow_run *)(*c + 1);

	if ((*c)->nr_runs && runs[(*c)->nr_runs - 1].end == start) {
		runs[(*c)->nr_runs - 1].end = end;
		return 0;
	}
	if ((*c)->nr_runs == *cap) {
		uint32_t n = *cap * 2;
		struct rec_tree_cow *b = realloc(*c, sizeof(**c) + n * sizeof(*runs));

		if (!b)
			return -ENOMEM;
		*c = b;
		*cap = n;
		runs = (struct rec_tree_cow_run *)(*c + 1);
	}
	runs[(*c)->nr_runs++] = (struct rec_tree_cow_run){ start, end };
	return 0;
}

/* The pages of [start, end) that pagemaps @a and @b map to one frame. */
static int same_frames(int a, int b, uint64_t start, uint64_t end, struct rec_tree_cow **c, uint32_t *cap)
{
	uint64_t ea[PM_BATCH], eb[PM_BATCH];

	while (start < end) {
		size_t n = (end - start) / PAGE < PM_BATCH ? (end - start) / PAGE : PM_BATCH;
		off_t off = (off_t)(start / PAGE * 8);

		if (pread(a, ea, n * 8, off) != (ssize_t)(n * 8) || pread(b, eb, n * 8, off) != (ssize_t)(n * 8))
			return -EIO;
		for (size_t i = 0; i < n; i++) {
			int ret;

			if (!(ea[i] & PM_PRESENT) || !(eb[i] & PM_PRESENT) || !(ea[i] & PM_PFN) ||
			    (ea[i] & PM_PFN) != (eb[i] & PM_PFN))
				continue;
			ret = add_cow_run(c, cap, start + i * PAGE, start + (i + 1) * PAGE);
			if (ret)
				return ret;
		}
		start += n * PAGE;
	}
	return 0;
}

/*
 * Mapping v of flags @flags, whose pages to store are the runs of the
 * current mapping in @runs: those its parent shares go to a TREE_COW record.
 */
int dmm_tree_cow(struct dump_ctx *d, const struct proc_vma *v, uint32_t flags, int pagemap, struct page_runs *runs)
{
	const struct dump_ctx *p = d->tree_parent;
	const struct proc_vma *w = NULL;
	struct rec_tree_cow *c, **list;
	uint32_t cap = 16;
	char path[64];
	int pm, ret = 0;

	if (!p || runs->nr == runs->vma_first || d->kind == ARCH_IA32 || p->kind == ARCH_IA32 ||
	    !dmm_cow_kind(v, flags))
		return 0;
	for (int k = 0; k < p->nr_vmas && !w; k++)
		if (p->vmas[k].start == v->start && p->vmas[k].end == v->end && !p->vmas[k].shared &&
		    p->vmas[k].kind == v->kind && !(p->vmas[k].vmflags & PROC_VMF_DP) &&
		    p->vmas[k].ino == v->ino && p->vmas[k].pgoff == v->pgoff && p->vmas[k].deleted == v->deleted &&
		    !strcmp(p->vmas[k].path, v->path))
			w = &p->vmas[k];
	if (!w)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/pagemap", p->proc_pid);
	pm = open(path, O_RDONLY | O_CLOEXEC);
	if (pm < 0) {
		ret = -errno;
		sudcr_error("cannot open %s: %s", path, strerror(-ret));
		return ret;
	}
	c = malloc(sizeof(*c) + cap * sizeof(struct rec_tree_cow_run));
	if (!c) {
		close(pm);
		return -ENOMEM;
	}
	*c = (struct rec_tree_cow){ .pid = d->pid, .start = v->start, .end = v->end };
	for (int i = runs->vma_first; i < runs->nr && !ret; i++)
		ret = same_frames(pagemap, pm, runs->v[i].start, runs->v[i].end, &c, &cap);
	close(pm);
	if (ret)
		sudcr_error("cannot read the pagemaps of %d and its parent %d at %llx: %s", d->pid, p->pid,
			    (unsigned long long)v->start, strerror(-ret));
	if (!ret && c->nr_runs) {
		const struct rec_tree_cow_run *r = (const struct rec_tree_cow_run *)(c + 1);

		for (uint32_t k = 0; k < c->nr_runs && !ret; k++)
			ret = dmm_cut_runs(runs, r[k].start, r[k].end);
		list = ret ? NULL : realloc(d->tree_cow, (d->nr_tree_cow + 1) * sizeof(*list));
		if (list) {
			d->tree_cow = list;
			list[d->nr_tree_cow++] = c;
			return 0;
		}
		ret = ret ? ret : -ENOMEM;
	}
	free(c);
	return ret;
}
