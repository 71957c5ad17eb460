// SPDX-License-Identifier: MIT
/*
 * Memory transplant, the layout: the image's mappings as a list checked
 * for order and overlap, and how each is made in the new process (unmap
 * the stub, a free area for temporaries, mmap/mremap each mapping, and
 * keep apart the neighbours the kernel kept apart).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cr.h"
#include "kernel_compat.h"
#include <sudcr/log.h>

#include "mm.h"

struct vma_ent *rmm_find_vma(struct restore_mm_state *s, uint64_t addr)
{
	int lo = 0, hi = s->nr_vmas - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		const struct rec_vma *v = s->vmas[mid].v;

		if (addr < v->start)
			hi = mid - 1;
		else if (addr >= v->end)
			lo = mid + 1;
		else
			return &s->vmas[mid];
	}
	return NULL;
}

/*
 * Two alike neighbours the kernel kept apart would merge when made one
 * after the other.  Anonymous ones were apart by their page offsets (one
 * was moved by mremap): the second is made elsewhere and moved next to
 * the first, keeping the offset of where it was made.  Private mappings
 * of one file at following offsets were apart by their anon_vmas (each
 * copied pages of its own): both get one of their own, and the second is
 * moved in.  Mappings that differ in protection or flags are kept apart
 * by the kernel anyway.
 */
static void check_neighbour(struct restore_mm_state *s, struct vma_ent *prev, struct vma_ent *e)
{
	const uint32_t plain = REC_VMA_ANON | REC_VMA_FILE | REC_VMA_DELETED | REC_VMA_SHARED |
			       REC_VMA_SHMEM | REC_VMA_MEMFD | REC_VMA_GROWSDOWN | REC_VMA_VDSO |
			       REC_VMA_VVAR | REC_VMA_VVAR_VCLOCK | REC_VMA_STACK;
	const struct rec_vma *p = prev->v, *v = e->v;
	uint32_t kind = v->flags & plain;

	if (p->end != v->start || p->flags != v->flags || p->prot != v->prot ||
	    ((p->vmflags ^ v->vmflags) & ~PROC_VMF_SD) || strcmp(prev->path, e->path))
		return;
	if (kind == REC_VMA_FILE) {
		if (p->dev != v->dev || p->ino != v->ino || p->pgoff + (p->end - p->start) != v->pgoff)
			return;
		prev->touch = true;
	} else if (kind != REC_VMA_ANON) {
		return;
	}
	e->unmerge = true;
	if (v->end - v->start > s->unmerge_len)
		s->unmerge_len = v->end - v->start;
}

/*
 * What rmm_add_vma() does not check itself: the name a memfd is made with, the
 * offset into the file or object, the special mapping it is.
 */
static int check_vma(struct restore_ctx *r, const struct rec_vma *v)
{
	const char *path = (const char *)(v + 1);
	uint64_t obj_end;

	if (v->flags & ~REC_VMA_KNOWN)
		return img_record_invalid(r->img, "mapping %llx: unknown flags 0x%x", (unsigned long long)v->start,
					  v->flags & ~REC_VMA_KNOWN);
	if (__builtin_popcount(v->flags & (REC_VMA_VVAR | REC_VMA_VVAR_VCLOCK | REC_VMA_VDSO)) > 1)
		return img_record_invalid(r->img, "mapping %llx: more than one of vvar, vvar_vclock, vdso",
					  (unsigned long long)v->start);
	if ((v->flags & REC_VMA_SYSV) && (v->flags & ~REC_VMA_SYSV) != REC_VMA_SHARED)
		return img_record_invalid(r->img, "mapping %llx: System V attach with flags 0x%x",
					  (unsigned long long)v->start, v->flags);
	if (memchr(path, '\0', v->path_len))
		return img_record_invalid(r->img, "mapping %llx: NUL in its path", (unsigned long long)v->start);
	/* The kernel's limit for memfd_create() names is 249 bytes. */
	if ((v->flags & REC_VMA_MEMFD) &&
	    (v->path_len < 7 || v->path_len - 7 > 249 || memcmp(path, "/memfd:", 7)))
		return img_record_invalid(r->img, "mapping %llx: memfd without a \"/memfd:NAME\" name",
					  (unsigned long long)v->start);
	/* mmap(2) takes a signed offset; shared anonymous memory is mapped whole while restoring. */
	if (__builtin_add_overflow(v->pgoff, v->end - v->start, &obj_end) || obj_end > INT64_MAX ||
	    (rmm_obj_kind(v) == REC_VMA_SHMEM && obj_end > USER_END))
		return img_record_invalid(r->img, "mapping %llx: offset %#llx out of range", (unsigned long long)v->start,
					  (unsigned long long)v->pgoff);
	return 0;
}

int rmm_add_vma(struct restore_ctx *r, struct restore_mm_state *s, const void *data, size_t len)
{
	const struct rec_vma *v = data;
	struct vma_ent *e;
	char *path;
	int ret;

	if (len < sizeof(*v) || v->path_len != len - sizeof(*v) || v->path_len >= REC_PATH_MAX)
		return img_record_invalid(r->img, "bad mapping record length");
	if (v->start >= v->end || v->end > USER_END + 0x1000 || (v->start | v->end) % PAGE ||
	    v->prot & ~(uint32_t)(PROT_READ | PROT_WRITE | PROT_EXEC) || v->pgoff % PAGE)
		return img_record_invalid(r->img, "bad mapping %llx-%llx", (unsigned long long)v->start,
					  (unsigned long long)v->end);
	if (s->nr_vmas && s->vmas[s->nr_vmas - 1].v->end > v->start)
		return img_record_invalid(r->img, "mappings overlap or are out of order at %llx",
					  (unsigned long long)v->start);
	if ((v->flags & REC_VMA_FILE) && !(v->flags & REC_VMA_DELETED) &&
	    (!v->path_len || ((const char *)(v + 1))[0] != '/'))
		return img_record_invalid(r->img, "file mapping without an absolute path");
	if (v->obj_size > USER_END || ((v->obj_size || v->obj_seals) &&
				       !(v->flags & (REC_VMA_MEMFD | REC_VMA_SHMEM | REC_VMA_DELETED))) ||
	    (v->obj_seals & ~(uint32_t)(F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE |
					F_SEAL_FUTURE_WRITE | F_SEAL_EXEC)))
		return img_record_invalid(r->img, "bad object size or seals of mapping %llx",
					  (unsigned long long)v->start);
	if ((v->flags & (REC_VMA_OBJ_PRIVATE | REC_VMA_OBJ_HELD)) &&
	    (!(v->flags & (REC_VMA_MEMFD | REC_VMA_SHMEM | REC_VMA_DELETED)) ||
	     !(v->flags & REC_VMA_SHARED) == !(v->flags & REC_VMA_OBJ_PRIVATE) || (v->flags & REC_VMA_ANON)))
		return img_record_invalid(r->img, "bad object flags 0x%x of mapping %llx", v->flags,
					  (unsigned long long)v->start);
	ret = check_vma(r, v);
	if (ret)
		return ret;
	if (s->nr_vmas % 64 == 0) {
		struct vma_ent *n = realloc(s->vmas, (s->nr_vmas + 64) * sizeof(*n));

		if (!n)
			return -ENOMEM;
		s->vmas = n;
	}
	path = malloc(v->path_len + 1);
	if (!path)
		return -ENOMEM;
	memcpy(path, v + 1, v->path_len);
	path[v->path_len] = '\0';
	e = &s->vmas[s->nr_vmas++];
	e->v = v;
	e->path = path;
	e->has_pages = false;
	e->obj = -1;
	e->unmerge = false;
	e->touch = false;
	e->cow = NULL;
	e->cow_give = false;
	if (s->nr_vmas > 1)
		check_neighbour(s, &s->vmas[s->nr_vmas - 2], e);
	int si = rmm_special_index(v->flags);

	if (si >= 0) {
		if (s->special[si])
			return img_record_invalid(r->img, "two %s mappings", proc_vma_kind_name(rmm_special_kind[si]));
		s->special[si] = v;
	}
	return 0;
}

/*
 * An address range of @len free in the image and away from the stub's
 * mappings that stay for a while: [avoid_s, avoid_e) and [keep_s, keep_e).
 */
uint64_t rmm_find_free(struct restore_mm_state *s, uint64_t len, uint64_t avoid_s, uint64_t avoid_e,
		       uint64_t keep_s, uint64_t keep_e)
{
	for (uint64_t a = 0x100000000ULL; a + len < USER_END; a += 0x100000) {
		bool busy = overlaps(a, a + len, avoid_s, avoid_e) || overlaps(a, a + len, keep_s, keep_e);

		for (int i = 0; i < s->nr_vmas && !busy; i++)
			busy = overlaps(a, a + len, s->vmas[i].v->start, s->vmas[i].v->end);
		if (!busy)
			return a;
	}
	return 0;
}

/* Unmap [a, b) of the stub but the mappings its stub made for the image (mm_cow.c). */
static int unmap_stub(struct cr_thread *th, uint64_t a, uint64_t b, const struct restore_ctx *r)
{
	const struct restore_mm_state *s = r->mm_state;

	for (int i = 0; i < s->nr_vmas && r->cow_placed && a < b; i++) {
		const struct rec_vma *v = s->vmas[i].v;
		int ret;

		if (!r->cow_placed[i] || v->end <= a || v->start >= b)
			continue;
		if (v->start > a) {
			ret = rmm_must(th, NULL, "unmap the stub", a, SC_MUNMAP, a, v->start - a, 0, 0, 0, 0);
			if (ret)
				return ret;
		}
		a = v->end;
	}
	if (a >= b)
		return 0;
	return rmm_must(th, NULL, "unmap the stub", a, SC_MUNMAP, a, b - a, 0, 0, 0, 0);
}

/*
 * Unmap everything of the stub but the vDSO block, the mapping that
 * holds @keep (0: none) and the mappings the stub made for the image, in
 * as few calls as possible.
 */
int rmm_clear_stub(struct cr_thread *th, const struct proc_vma *sv, int sn, uint64_t keep_addr,
		   const struct restore_ctx *r)
{
	uint64_t a = 0, b = 0;
	int ret;

	for (int i = 0; i <= sn; i++) {
		bool keep = i == sn || sv[i].kind == VMA_VDSO || sv[i].kind == VMA_VVAR ||
			    sv[i].kind == VMA_VVAR_VCLOCK || sv[i].kind == VMA_VSYSCALL ||
			    (keep_addr >= sv[i].start && keep_addr < sv[i].end);

		if (!keep) {
			if (!b)
				a = sv[i].start;
			b = sv[i].end;
			continue;
		}
		if (b) {
			ret = unmap_stub(th, a, b, r);
			if (ret)
				return ret;
			a = b = 0;
		}
	}
	return 0;
}

int rmm_open_in_target(struct cr_thread *th, uint64_t scratch, const char *path, int flags, int64_t *fd)
{
	size_t len = strlen(path) + 1;
	int ret;

	if (len > SCRATCH_LEN)
		return -ENAMETOOLONG;
	ret = inject_write_mem(th->tid, scratch, path, len);
	if (ret)
		return ret;
	return rmm_must(th, fd, "open a mapped file", 0, SC_OPENAT, (uint64_t)AT_FDCWD, scratch, flags, 0, 0, 0);
}

static int cached_open(struct cr_thread *th, uint64_t scratch, struct map_file_cache *c, const char *path,
		       int flags)
{
	if (c->path && c->flags == flags && !strcmp(c->path, path))
		return 0;
	if (c->fd >= 0)
		rmm_must(th, NULL, "close", 0, SC_CLOSE, c->fd, 0, 0, 0, 0, 0);
	c->fd = -1;
	c->path = NULL;
	int ret = rmm_open_in_target(th, scratch, path, flags | O_CLOEXEC, &c->fd);

	if (!ret) {
		c->path = path;
		c->flags = flags;
	}
	return ret;
}

/*
 * Give the private mapping at @at (mapped read-write) an anon_vma: a page
 * is written and dropped again, which leaves the anon_vma (and a private
 * file page following its file again).
 */
static int give_anon_vma(struct cr_thread *th, uint64_t at)
{
	const char zero = 0;
	int ret;

	ret = inject_write_mem(th->tid, at, &zero, 1);
	if (!ret)
		ret = rmm_must(th, NULL, "madvise", at, SC_MADVISE, at, PAGE, MADV_DONTNEED, 0, 0, 0);
	return ret;
}

/*
 * A mapping that must not merge with the one before it (check_neighbour()):
 * made in the temporary area and moved in.  mremap gives an anonymous
 * mapping without an anon_vma the page offset of its new place (so that it
 * merges): it gets an anon_vma first, and keeps the offset of the
 * temporary area.
 */
static int map_unmerged(struct cr_thread *th, struct restore_mm_state *s, const struct rec_vma *v,
			uint32_t prot, uint64_t flags, int64_t fd, uint64_t off)
{
	uint64_t len = v->end - v->start, at = s->unmerge_temp;
	int64_t res;
	int ret;

	flags = (flags & ~(uint64_t)MAP_FIXED) | MAP_FIXED_NOREPLACE;
	ret = rmm_must(th, &res, "map memory", v->start, SC_MMAP, at, len, PROT_READ | PROT_WRITE, flags, fd, off);
	if (!ret && (uint64_t)res != at) {
		sudcr_error("mapping %llx landed at %llx", (unsigned long long)at, (unsigned long long)res);
		ret = -EFAULT;
	}
	if (!ret)
		ret = give_anon_vma(th, at);
	if (!ret)
		ret = rmm_must(th, NULL, "move a mapping in place", v->start, SC_MREMAP, at, len, len,
			       MREMAP_MAYMOVE | MREMAP_FIXED, v->start, 0);
	if (!ret && prot != (PROT_READ | PROT_WRITE))
		ret = rmm_must(th, NULL, "set protection", v->start, SC_MPROTECT, v->start, len, prot, 0, 0, 0);
	return ret;
}

int rmm_map_vma(struct cr_thread *th, uint64_t scratch, struct restore_mm_state *s,
		const struct vma_ent *e, struct map_file_cache *cache)
{
	const struct rec_vma *v = e->v;
	uint32_t prot = v->prot | (e->has_pages ? PROT_READ | PROT_WRITE : 0);
	uint64_t len = v->end - v->start, flags = MAP_FIXED, off = 0;
	int64_t fd = -1, res, own_fd = -1;
	int ret;

	if (v->vmflags & PROC_VMF_DP)
		flags |= MAP_DROPPABLE;
	else
		flags |= (v->flags & REC_VMA_SHARED) ? MAP_SHARED : MAP_PRIVATE;
	if (v->flags & REC_VMA_GROWSDOWN)
		flags |= MAP_GROWSDOWN;
	if (v->vmflags & PROC_VMF_NR)
		flags |= MAP_NORESERVE;
	if (e->obj >= 0 && s->objs[e->obj].master && (v->flags & REC_VMA_OBJ_PRIVATE)) {
		ret = rmm_open_master(th, scratch, &s->objs[e->obj], &own_fd);
		if (ret)
			return ret;
		fd = own_fd;
		off = v->pgoff;
	} else if (e->obj >= 0 && s->objs[e->obj].master) {
		/* Another view of the shared anonymous object: alias its master mapping. */
		ret = rmm_must(th, &res, "map shared memory", v->start, SC_MREMAP, s->objs[e->obj].master + v->pgoff,
			       0, len, MREMAP_MAYMOVE | MREMAP_FIXED, v->start, 0);
		if (!ret && prot != (PROT_READ | PROT_WRITE))
			ret = rmm_must(th, NULL, "set protection", v->start, SC_MPROTECT, v->start, len, prot, 0, 0, 0);
		goto advise;
	} else if (e->obj >= 0) {
		fd = s->objs[e->obj].fd;
		off = v->pgoff;
	} else if (e->fd >= 0) {
		/* An open and close of the file in the process would drop its POSIX locks on it. */
		fd = e->fd;
		off = v->pgoff;
	} else if ((v->flags & REC_VMA_FILE) && !(v->flags & REC_VMA_DELETED)) {
		/*
		 * A shared mapping that may be made writable (mprotect) needs a
		 * file open for writing, even if it is read-only now.
		 */
		bool rw = (v->flags & REC_VMA_SHARED) && ((v->prot & PROT_WRITE) || (v->vmflags & PROC_VMF_MW));

		ret = cached_open(th, scratch, cache, e->path, rw ? O_RDWR : O_RDONLY);
		if (ret)
			return ret;
		fd = cache->fd;
		off = v->pgoff;
	} else {
		flags |= MAP_ANONYMOUS;
	}
	if (e->unmerge) {
		ret = map_unmerged(th, s, v, prot, flags, fd, off);
		goto advise;
	}
	ret = rmm_must(th, &res, "map memory", v->start, SC_MMAP, v->start, len,
		       e->touch ? PROT_READ | PROT_WRITE : prot, flags, fd, off);
	if (!ret && (uint64_t)res != v->start) {
		sudcr_error("mapping %llx landed at %llx", (unsigned long long)v->start, (unsigned long long)res);
		ret = -EFAULT;
	}
	if (!ret && e->touch) {
		ret = give_anon_vma(th, v->start);
		if (!ret && prot != (PROT_READ | PROT_WRITE))
			ret = rmm_must(th, NULL, "set protection", v->start, SC_MPROTECT, v->start, len, prot, 0, 0, 0);
	}
	if (own_fd >= 0)
		rmm_must(th, NULL, "close", 0, SC_CLOSE, own_fd, 0, 0, 0, 0, 0);
advise:
	if (!ret)
		ret = rmm_advise_vma(th, v);
	return ret;
}
