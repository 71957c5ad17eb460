// SPDX-License-Identifier: MIT
/*
 * Memory dump, the mappings: each VMA with its protection, flags and
 * madvise state as one record, and which of its pages the image stores.
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
#include "../kinds/sysv_shm.h"

static uint32_t vma_rec_flags(const struct proc_vma *v)
{
	uint32_t f = 0;

	if (v->shared)
		f |= REC_VMA_SHARED;
	if (v->vmflags & PROC_VMF_GD)
		f |= REC_VMA_GROWSDOWN;
	switch (v->kind) {
	case VMA_HEAP:
		return f | REC_VMA_HEAP | REC_VMA_ANON;
	case VMA_STACK:
		return f | REC_VMA_STACK | REC_VMA_ANON;
	case VMA_VDSO:
		return f | REC_VMA_VDSO;
	case VMA_VVAR:
		return f | REC_VMA_VVAR;
	case VMA_VVAR_VCLOCK:
		return f | REC_VMA_VVAR_VCLOCK;
	case VMA_PLAIN:
	case VMA_ANON_NAMED:
		if (v->shared || !strncmp(v->path, "[anon_shmem:", 12))
			f |= REC_VMA_SHMEM;
		return f | REC_VMA_ANON;
	default:
		break;
	}
	if (sysv_shm_mapping(v))
		return f | REC_VMA_SYSV;	/* its segment and attach are sysv_shm.c's */
	if (!strncmp(v->path, "/memfd:", 7))
		return f | REC_VMA_MEMFD | REC_VMA_DELETED | (v->shared ? 0 : REC_VMA_OBJ_PRIVATE);
	if (v->deleted && !strcmp(v->path, "/dev/zero"))
		return f | REC_VMA_SHMEM | (v->shared ? REC_VMA_ANON : REC_VMA_OBJ_PRIVATE);
	f |= REC_VMA_FILE;
	if (v->deleted)
		f |= REC_VMA_DELETED | (v->shared ? 0 : REC_VMA_OBJ_PRIVATE);
	return f;
}

int dmm_check_supported(const struct proc_vma *v)
{
	const char *why = NULL;

	if (v->kind == VMA_OTHER_SPECIAL)
		why = "special kernel mapping";
	else if (!strncmp(v->path, "anon_inode:", 11))
		why = "mapping of an anonymous inode";
	else if (v->kind == VMA_FILE && v->dev_major == 0 && v->path[0] != '/')
		why = "mapping of a non-file object";
	else if (v->vmflags & PROC_VMF_HT)
		why = "hugetlb mapping";
	else if (v->vmflags & PROC_VMF_SS)
		why = "shadow stack";
	if (!why)
		return 0;
	sudcr_error("mapping %llx-%llx (%s): %s is not supported yet", (unsigned long long)v->start,
		    (unsigned long long)v->end, v->path[0] ? v->path : "anonymous", why);
	return -EOPNOTSUPP;
}

static enum page_policy page_policy(uint32_t f)
{
	if (f & (REC_VMA_VDSO | REC_VMA_VVAR | REC_VMA_VVAR_VCLOCK | REC_VMA_SYSV))
		return PAGES_NONE;
	if ((f & REC_VMA_OBJ_PRIVATE) && (f & REC_VMA_OBJ_HELD))
		return PAGES_COW;
	if ((f & REC_VMA_SHARED) && (f & REC_VMA_OBJ_HELD))
		return PAGES_NONE;
	if (f & REC_VMA_OBJ_PRIVATE)
		return PAGES_ALL;
	if (f & (REC_VMA_DELETED | REC_VMA_MEMFD))
		return PAGES_ALL;
	if (f & REC_VMA_ANON)
		return PAGES_ANON;
	if (f & REC_VMA_SHARED)
		return PAGES_NONE;
	return PAGES_COW;
}

static bool same_object(const struct proc_vma *v, const struct proc_vma *w)
{
	return w->ino == v->ino && w->dev_major == v->dev_major && w->dev_minor == v->dev_minor &&
	       !(vma_rec_flags(w) & REC_VMA_SYSV) &&
	       (vma_rec_flags(w) & (REC_VMA_MEMFD | REC_VMA_SHMEM | REC_VMA_DELETED));
}

/*
 * Page data of the part [os, oe) of v's object that shared mapping w of
 * peer p stores (or an earlier peer did for it): taken out of v's runs.
 * For a memfd or deleted file that is all of it (the mapping stores all it
 * reads, or an fd of it stores the file); for shared anonymous memory, the
 * pages present in w.
 */
static int cut_peer_pages(const struct dump_ctx *p, const struct proc_vma *v, uint32_t flags,
			  const struct proc_vma *w, uint64_t os, uint64_t oe, struct page_runs *runs)
{
	struct page_runs pr = { 0 };
	char path[64];
	int pagemap, ret = 0;

	if (!(flags & REC_VMA_SHMEM))
		return dmm_cut_runs(runs, v->start + (os - v->pgoff), v->start + (oe - v->pgoff));
	snprintf(path, sizeof(path), "/proc/%d/pagemap", p->proc_pid);
	pagemap = open(path, O_RDONLY | O_CLOEXEC);
	if (pagemap < 0) {
		ret = -errno;
		sudcr_error("cannot open %s: %s", path, strerror(-ret));
		return ret;
	}
	ret = dmm_scan_present(pagemap, w->start + (os - w->pgoff), w->start + (oe - w->pgoff), &pr);
	close(pagemap);
	for (int i = 0; i < pr.nr && !ret; i++)
		ret = dmm_cut_runs(runs, v->start + (pr.v[i].start - w->start + w->pgoff - v->pgoff),
				   v->start + (pr.v[i].end - w->start + w->pgoff - v->pgoff));
	free(pr.v);
	return ret;
}

/*
 * A mapping of an object that a process of the tree dumped before this one
 * maps too: the restore maps that process's object (IMG_REC_TREE_SHM, the
 * first such mapping), and a shared mapping stores no page a shared mapping
 * of an earlier process stores.  A memfd or deleted file no earlier process
 * maps but another holds an fd of: the restore maps that fd's object.
 */
static int tree_peers(struct dump_ctx *d, const struct proc_vma *v, uint32_t flags, struct page_runs *runs)
{
	bool found = false;
	int ret = 0;

	for (int i = 0; i < d->nr_tree_peers && !ret; i++) {
		const struct dump_ctx *p = d->tree_peers[i];

		for (int k = 0; k < p->nr_vmas && !ret; k++) {
			const struct proc_vma *w = &p->vmas[k];
			uint64_t os = v->pgoff > w->pgoff ? v->pgoff : w->pgoff;
			uint64_t ve = v->pgoff + (v->end - v->start), we = w->pgoff + (w->end - w->start);
			uint64_t oe = ve < we ? ve : we;

			if (!same_object(v, w))
				continue;
			if (!found) {
				struct rec_tree_shm *n = realloc(d->tree_shm, (d->nr_tree_shm + 1) * sizeof(*n));

				if (!n)
					return -ENOMEM;
				d->tree_shm = n;
				n[d->nr_tree_shm++] = (struct rec_tree_shm){ .pid = d->pid, .peer = p->pid,
									    .start = v->start, .peer_start = w->start,
									    .peer_end = w->end, .peer_fd = -1 };
				found = true;
			}
			if (v->shared && w->shared && os < oe)
				ret = cut_peer_pages(p, v, flags, w, os, oe, runs);
		}
	}
	/* None maps it first: an fd of another process may be it (the restore makes fds first). */
	for (int i = 0; i < d->nr_tree_live && !found && !ret && !(flags & REC_VMA_SHMEM); i++) {
		struct dump_ctx *p = d->tree_peers[i];
		struct rec_tree_shm *n;
		int fd;

		if (p == d)
			continue;
		ret = dmm_object_fd(p, v, &fd);
		if (ret) {
			sudcr_error("cannot list the fds of %d: %s", p->pid, strerror(-ret));
			break;
		}
		if (fd < 0)
			continue;
		n = realloc(d->tree_shm, (d->nr_tree_shm + 1) * sizeof(*n));
		if (!n)
			return -ENOMEM;
		d->tree_shm = n;
		n[d->nr_tree_shm++] = (struct rec_tree_shm){ .pid = d->pid, .peer = p->pid, .start = v->start,
							    .peer_fd = fd };
		found = true;
	}
	return ret;
}

/* The VMA record of v; its pages are added to runs, stored later. */
int dmm_dump_vma(struct dump_ctx *d, const struct proc_vma *v, int pagemap, int memfd,
		 struct held_files *held, struct page_runs *runs)
{
	struct {
		struct rec_vma h;
		char path[REC_PATH_MAX];
	} r;
	uint32_t flags = vma_rec_flags(v);
	size_t plen = strlen(v->path);
	int ret;

	if (plen >= sizeof(r.path)) {
		sudcr_error("cannot dump mapping %llx-%llx: path too long", (unsigned long long)v->start,
			    (unsigned long long)v->end);
		return -ENAMETOOLONG;
	}
	memset(&r.h, 0, sizeof(r.h));
	if (flags & (REC_VMA_MEMFD | REC_VMA_SHMEM | REC_VMA_DELETED)) {
		bool is_held = false;
		int info = dmm_object_info(d, v, &r.h.obj_size, &r.h.obj_seals);

		if (!(flags & REC_VMA_ANON)) {
			ret = dmm_object_held(d, held, v, &r.h.obj_size, &is_held);
			if (ret)
				return ret;
		}
		/*
		 * A private view that follows its object must know where the
		 * object ends (the pages past it fault); one that stores all
		 * it reads, as before, is sized by its mappings.
		 */
		if (info && is_held && (flags & REC_VMA_OBJ_PRIVATE) && !r.h.obj_size) {
			sudcr_error("mapping %llx-%llx (%s): cannot read the size of the object it maps (/proc/%d/map_files): %s",
				    (unsigned long long)v->start, (unsigned long long)v->end, v->path,
				    d->proc_pid, strerror(-info));
			return info;
		}
		if (is_held)
			flags |= REC_VMA_OBJ_HELD;
		/* Made again for its mappings alone, it could not be both filled and sealed. */
		if ((flags & REC_VMA_MEMFD) && !is_held && (r.h.obj_seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) &&
		    !dmm_held_by_fd(held, v)) {
			sudcr_error("mapping %llx-%llx (%s): a memfd with write seals that no fd holds is not supported yet",
				    (unsigned long long)v->start, (unsigned long long)v->end, v->path);
			return -EOPNOTSUPP;
		}
	}
	r.h.start = v->start;
	r.h.end = v->end;
	r.h.pgoff = v->pgoff;
	r.h.prot = v->prot;
	r.h.flags = flags;
	r.h.vmflags = v->vmflags;
	r.h.dev = ((uint64_t)v->dev_major << 32) | v->dev_minor;
	r.h.ino = v->ino;
	r.h.shmid = -1;
	r.h.path_len = (uint32_t)plen;
	memcpy(r.path, v->path, plen);
	ret = img_write_record(d->img, IMG_REC_VMA, &r, sizeof(r.h) + r.h.path_len);
	if (!ret)
		ret = dmm_scan_vma(d, v, page_policy(flags), pagemap, memfd, runs);
	if (!ret && d->nr_tree_live > 1 && (flags & (REC_VMA_MEMFD | REC_VMA_SHMEM | REC_VMA_DELETED)) && v->ino)
		ret = tree_peers(d, v, flags, runs);
	if (!ret && d->tree_parent)
		ret = dmm_tree_cow(d, v, flags, pagemap, runs);
	return ret;
}
