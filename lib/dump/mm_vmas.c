// SPDX-License-Identifier: MIT
/*
 * Memory dump, the mappings: each VMA with its protection, flags and
 * madvise state as one record, and which of its pages the image stores.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

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
	if (ret)
		return ret;
	return dmm_scan_vma(d, v, page_policy(flags), pagemap, memfd, runs);
}
