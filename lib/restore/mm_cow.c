// SPDX-License-Identifier: MIT
/*
 * Memory transplant of a tree, the pages a process shared copy-on-write
 * with its parent (IMG_REC_TREE_COW, lib/dump/mm_cow.c): stored once, in
 * the parent's image, and one physical page again after the restore.
 *
 * Private anonymous mappings, and private mappings of files that have their
 * name (their copied pages; a page dropped follows the file again).  For
 * that the child's memory must come from its parent's by fork, after
 * the parent's memory is in place.  The stubs are made by their parents'
 * stubs (lib/restore/tree.c), before any is transplanted: so each stub,
 * before it makes its children, makes the private anonymous mappings its
 * children share pages of, at their addresses, with their content (from
 * the mapped page files, checksums checked), and its children inherit
 * them.  A child's stub keeps the ones it shares with its parent (the
 * parent's content, then its own stored pages written and the pages it
 * did not have dropped), unmaps the others, and makes its own for its
 * children in turn.  The transplant then keeps those mappings where they
 * are (rmm_clear_stub(), restore_mm()) instead of making them again.
 *
 * Why in the stubs rather than an injected clone3 in each restored parent:
 * the stubs' setup of sessions, groups and files stays plain C, and only
 * the mappings that share pages are made early.  A mapping a stub cannot
 * make at its address (sudcr's own memory is there) is made by the
 * transplant as any other, its shared pages copied from the nearest
 * ancestor's image that has them (rmm_cow_fill_inherited()): the same
 * content, not shared.  Which mappings each stub made is one byte per
 * mapping in memory shared with sudcr (restore_ctx.cow_placed).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>

#include "cr.h"
#include "kernel_compat.h"
#include <sudcr/log.h>

#include "../kinds/locks.h"
#include "mm.h"

static const struct rec_tree_cow_run *cow_runs(const struct rec_tree_cow *c)
{
	return (const struct rec_tree_cow_run *)(c + 1);
}

static bool cow_kind(const struct rec_vma *v)
{
	return (v->flags == REC_VMA_ANON || v->flags == (REC_VMA_ANON | REC_VMA_HEAP) || v->flags == REC_VMA_FILE) &&
	       !(v->vmflags & PROC_VMF_DP);
}

/*
 * Whether the stub may make mapping @e: not one the transplant must make
 * its own way (moved in to stay apart from its neighbour, given an
 * anon_vma of its own, or mapped through an fd because the process holds
 * POSIX locks on the file, which an open and close in it would drop).
 */
static bool stub_may_make(struct restore_ctx *r, const struct vma_ent *e)
{
	return !e->unmerge && !e->touch && ((e->v->flags & REC_VMA_ANON) || locks_mapping_fd(r, e->v) < 0);
}

/* The run of @c holding @addr, or NULL. */
static const struct rec_tree_cow_run *cow_run_at(const struct rec_tree_cow *c, uint64_t addr)
{
	const struct rec_tree_cow_run *runs = cow_runs(c);
	int lo = 0, hi = (int)c->nr_runs - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;

		if (addr < runs[mid].start)
			hi = mid - 1;
		else if (addr >= runs[mid].end)
			lo = mid + 1;
		else
			return &runs[mid];
	}
	return NULL;
}

int restore_mm_nr_vmas(const struct restore_ctx *r)
{
	return r->mm_state ? r->mm_state->nr_vmas : 0;
}

bool rmm_cow_placed(const struct restore_ctx *r, int vma)
{
	return r->cow_placed && r->cow_placed[vma];
}

int rmm_cow_prepare(struct restore_ctx *r, struct restore_mm_state *s)
{
	for (int k = 0; k < r->nr_tree_cow; k++) {
		const struct rec_tree_cow *c = r->tree_cow[k];
		const struct rec_tree_cow_run *runs = cow_runs(c);
		struct vma_ent *e = rmm_find_vma(s, c->start);

		/* The tree's records (its core.img), checked against this process's image. */
		if (!e || e->v->start != c->start || e->v->end != c->end || !cow_kind(e->v) || e->cow) {
			sudcr_error("%s: copy-on-write record for %llx-%llx: no private anonymous or file mapping of those bounds",
				    r->opts.dir, (unsigned long long)c->start, (unsigned long long)c->end);
			return -EINVAL;
		}
		for (uint32_t i = 0; i < c->nr_runs; i++)
			if (runs[i].start >= runs[i].end || (runs[i].start | runs[i].end) % PAGE ||
			    runs[i].start < (i ? runs[i - 1].end : c->start) || runs[i].end > c->end) {
				sudcr_error("%s: copy-on-write record for %llx: bad run %u", r->opts.dir,
					    (unsigned long long)c->start, i);
				return -EINVAL;
			}
		e->cow = c;
		if (c->nr_runs)
			e->has_pages = true;	/* written: mapped writable until then */
	}
	/* A page the image stores is not also the parent's. */
	for (int i = 0; i < s->nr_pages && r->nr_tree_cow; i++) {
		const struct rec_pages *p = s->pages[i].p;
		const struct vma_ent *e = rmm_find_vma(s, p->vaddr);

		for (uint64_t a = p->vaddr; e && e->cow && a < p->vaddr + p->nr_pages * PAGE; a += PAGE)
			if (cow_run_at(e->cow, a)) {
				sudcr_error("%s: the page at %llx is stored and also its parent's", r->opts.dir,
					    (unsigned long long)a);
				return -EINVAL;
			}
	}
	return 0;
}

int restore_mm_cow_link(struct restore_ctx *r, struct restore_ctx *parent)
{
	struct restore_mm_state *s = r->mm_state, *ps = parent->mm_state;

	r->cow_parent = parent;
	for (int i = 0; i < s->nr_vmas; i++) {
		const struct rec_vma *v = s->vmas[i].v;
		struct vma_ent *pe;

		if (!s->vmas[i].cow)
			continue;
		pe = rmm_find_vma(ps, v->start);
		if (!pe || pe->v->start != v->start || pe->v->end != v->end || pe->v->flags != v->flags ||
		    pe->v->vmflags & PROC_VMF_DP || pe->v->dev != v->dev || pe->v->ino != v->ino ||
		    pe->v->pgoff != v->pgoff || strcmp(pe->path, s->vmas[i].path)) {
			sudcr_error("%s: mapping %llx-%llx shares pages with the parent's (process %d), which has no such mapping",
				    r->opts.dir, (unsigned long long)v->start, (unsigned long long)v->end,
				    parent->proc.pid);
			return -EINVAL;
		}
		pe->cow_give = true;
	}
	return 0;
}

/* In the stub: the pages of mapping @e the image stores, written where they go. */
static int write_stored(struct restore_ctx *r, const struct vma_ent *e)
{
	struct restore_mm_state *s = r->mm_state;

	for (int i = 0; i < s->nr_pages; i++) {
		struct page_ent *pe = &s->pages[i];
		size_t len = pe->p->nr_pages * PAGE;
		uint32_t crc;
		int ret;

		if (pe->p->vaddr < e->v->start || pe->p->vaddr >= e->v->end)
			continue;
		ret = img_pages_crc(r->img, pe->data, len, &crc);
		if (ret)
			return ret;
		if (crc != pe->p->crc) {
			sudcr_error("%s: page data for %llx fails its checksum (corrupted image)", r->opts.dir,
				    (unsigned long long)pe->p->vaddr);
			return -EINVAL;
		}
		memcpy((void *)(uintptr_t)pe->p->vaddr, pe->data, len);
		pe->in_stub = true;
	}
	return 0;
}

/*
 * In the stub: mapping @e, inherited with its parent's content, becomes
 * ours: the pages it did not share are dropped (zero, as they were not
 * stored) and then its stored ones written.
 */
static int settle(struct restore_ctx *r, const struct vma_ent *e)
{
	const struct rec_tree_cow_run *runs = cow_runs(e->cow);
	uint64_t at = e->v->start;

	for (uint32_t i = 0; i <= e->cow->nr_runs; i++) {
		uint64_t to = i < e->cow->nr_runs ? runs[i].start : e->v->end;

		if (to > at && madvise((void *)(uintptr_t)at, to - at, MADV_DONTNEED)) {
			int err = errno;

			sudcr_error("cannot drop pages at %llx: %s", (unsigned long long)at, strerror(err));
			return -err;
		}
		if (i < e->cow->nr_runs)
			at = runs[i].end;
	}
	return write_stored(r, e);
}

int restore_mm_cow_in_stub(struct restore_ctx *r)
{
	struct restore_mm_state *s = r->mm_state;
	const struct restore_ctx *p = r->cow_parent;
	int ret;

	if (!r->cow_placed)
		return 0;
	/* What the parent's stub made: ours if we share it, else gone. */
	for (int k = 0; p && k < p->mm_state->nr_vmas; k++) {
		const struct rec_vma *pv = p->mm_state->vmas[k].v;
		struct vma_ent *e;

		if (!p->cow_placed[k])
			continue;
		e = rmm_find_vma(s, pv->start);
		if (e && e->cow && stub_may_make(r, e) && e->v->start == pv->start && e->v->end == pv->end) {
			ret = settle(r, e);
			if (ret)
				return ret;
			r->cow_placed[e - s->vmas] = 1;
		} else if (munmap((void *)(uintptr_t)pv->start, pv->end - pv->start)) {
			ret = -errno;
			sudcr_error("cannot unmap %llx: %s", (unsigned long long)pv->start, strerror(-ret));
			return ret;
		}
	}
	/* What our children share, made now with our content. */
	for (int i = 0; i < s->nr_vmas; i++) {
		struct vma_ent *e = &s->vmas[i];
		uint64_t len = e->v->end - e->v->start;
		int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE;
		void *at;

		int fd = -1;

		/* One whose content is partly an ancestor's is made later. */
		if (!e->cow_give || r->cow_placed[i] || e->cow || !stub_may_make(r, e))
			continue;
		if (e->v->vmflags & PROC_VMF_NR)
			flags |= MAP_NORESERVE;
		if (e->v->flags & REC_VMA_FILE) {
			fd = open(e->path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue;	/* the transplant says why */
			flags &= ~MAP_ANONYMOUS;
		}
		at = mmap((void *)(uintptr_t)e->v->start, len, PROT_READ | PROT_WRITE, flags, fd,
			  fd >= 0 ? (off_t)e->v->pgoff : 0);
		if (fd >= 0)
			close(fd);
		if (at == MAP_FAILED)
			continue;
		if (at != (void *)(uintptr_t)e->v->start) {
			munmap(at, len);
			continue;
		}
		ret = write_stored(r, e);
		if (ret)
			return ret;
		r->cow_placed[i] = 1;
	}
	return 0;
}

/* The page data for @addr: in the image of the nearest ancestor that stores it. */
static const struct page_ent *inherited_page(const struct restore_ctx *r, uint64_t addr,
					     const struct restore_ctx **from)
{
	for (const struct restore_ctx *q = r->cow_parent; q; q = q->cow_parent) {
		const struct restore_mm_state *qs = q->mm_state;
		const struct vma_ent *qe;

		for (int i = 0; i < qs->nr_pages; i++)
			if (addr >= qs->pages[i].p->vaddr && addr < qs->pages[i].p->vaddr + qs->pages[i].p->nr_pages * PAGE) {
				*from = q;
				return &qs->pages[i];
			}
		qe = rmm_find_vma((struct restore_mm_state *)qs, addr);
		if (!qe || !qe->cow || !cow_run_at(qe->cow, addr))
			break;
	}
	return NULL;
}

/*
 * In sudcr, after the copy: a mapping sharing pages with the parent that
 * no stub made (or not with its parent's content) gets those pages from
 * the ancestors' images.
 */
int rmm_cow_fill_inherited(struct restore_ctx *r)
{
	struct restore_mm_state *s = r->mm_state;
	const struct page_ent *checked = NULL;

	for (int i = 0; i < s->nr_vmas; i++) {
		const struct vma_ent *e = &s->vmas[i];
		const struct rec_tree_cow_run *runs;

		if (!e->cow || rmm_cow_placed(r, i))
			continue;
		runs = cow_runs(e->cow);
		for (uint32_t k = 0; k < e->cow->nr_runs; k++) {
			for (uint64_t a = runs[k].start; a < runs[k].end;) {
				const struct restore_ctx *from = NULL;
				const struct page_ent *pe = inherited_page(r, a, &from);
				uint64_t pend, n;
				struct iovec l, rem;
				uint32_t crc;
				int ret;

				if (!pe) {
					sudcr_error("%s: page %llx is its parent's, but no ancestor's image stores it",
						    r->opts.dir, (unsigned long long)a);
					return -EINVAL;
				}
				/* As far as the same extent is the source (an ancestor between may store some). */
				pend = pe->p->vaddr + pe->p->nr_pages * PAGE;
				n = PAGE;
				while (a + n < runs[k].end && a + n < pend) {
					const struct restore_ctx *f2 = NULL;

					if (inherited_page(r, a + n, &f2) != pe)
						break;
					n += PAGE;
				}
				if (pe != checked) {
					ret = img_pages_crc(from->img, pe->data, pe->p->nr_pages * PAGE, &crc);
					if (!ret && crc != pe->p->crc) {
						sudcr_error("%s: page data for %llx fails its checksum (corrupted image)",
							    from->opts.dir, (unsigned long long)pe->p->vaddr);
						ret = -EINVAL;
					}
					if (ret)
						return ret;
					checked = pe;
				}
				l = (struct iovec){ (char *)pe->data + (a - pe->p->vaddr), n };
				rem = (struct iovec){ (void *)(uintptr_t)a, n };
				if (process_vm_writev(r->pid, &l, 1, &rem, 1, 0) != (ssize_t)n) {
					ret = -errno;
					sudcr_error("cannot write memory of the new process at %llx: %s",
						    (unsigned long long)a, strerror(-ret));
					return ret ? ret : -EFAULT;
				}
				a += n;
			}
		}
	}
	return 0;
}
