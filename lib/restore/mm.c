// SPDX-License-Identifier: MIT
/*
 * Memory transplant.  The stub starts as a fork of sudcr; by injection we
 * unmap all of it but the vDSO/vvar block, move that block to the image's
 * addresses, create every mapping of the image at its address, fill the
 * stored pages with process_vm_writev straight from the mapped page files
 * (one worker per CPU, each checking the checksums of what it copied),
 * put protections and madvise state back, and set the mm fields with
 * PR_SET_MM_MAP.
 *
 * All of that runs as x86-64 syscalls, for ia32 images too: the stub is
 * 64-bit and its mappings lie above 4 GiB.  An ia32 process needs the
 * 32-bit vDSO instead of the stub's, and only a 64-bit
 * arch_prctl(ARCH_MAP_VDSO_32) maps it, refused while any vDSO is mapped:
 * the stub's vDSO is unmapped and the 32-bit one mapped through a syscall
 * instruction of sudcr's own (in the stub, a fork of sudcr), which stays
 * mapped until then.  At the end the thread goes to 32-bit mode at the new
 * vDSO's int $0x80, and every later step injects ia32 syscalls.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <unistd.h>

#include <sudcr/cr.h>
#include <sudcr/kernel_compat.h>
#include <sudcr/log.h>

#define PAGE 4096UL
#define USER_END 0x7ffffffff000ULL
#define SCRATCH_LEN (64 * 1024)

/* x86-64 syscall numbers: everything here runs in 64-bit mode (see the top). */
#define NR_OPENAT 257
#define NR_CLOSE 3
#define NR_MMAP 9
#define NR_MPROTECT 10
#define NR_MUNMAP 11
#define NR_MREMAP 25
#define NR_MADVISE 28
#define NR_MLOCKALL 151
#define NR_MLOCK2 325
#define NR_FCNTL 72
#define NR_MSEAL 462
#define NR_FTRUNCATE 77
#define NR_PRCTL 157
#define NR_MEMFD_CREATE 319
#define NR_UNLINKAT 263
#define NR_ARCH_PRCTL 158

#ifndef ARCH_MAP_VDSO_32
#define ARCH_MAP_VDSO_32 0x2002
#endif

/* See the top of the file; never executed by sudcr itself. */
__asm__(".pushsection .text\n"
	".globl sudcr_restore_syscall_insn\n"
	".hidden sudcr_restore_syscall_insn\n"
	"sudcr_restore_syscall_insn:\n"
	"\tsyscall\n"
	"\tud2\n"
	".popsection\n");
extern const char sudcr_restore_syscall_insn[];

struct vma_ent {
	const struct rec_vma *v;
	const char *path;	/* not NUL-terminated in the image: copied */
	bool has_pages;
	bool unmerge;		/* mapped elsewhere and moved in: it must not merge with its neighbour */
	bool touch;		/* given an anon_vma of its own (its file neighbour is moved in) */
	int obj;		/* index in restore_mm_state.objs, -1 if none */
};

/*
 * A shared memory object several mappings (or a mapping and an fd) may
 * share: shared anonymous memory, a memfd, a deleted file.  It is made
 * once, each of its mappings maps it, and so they stay one object.
 */
struct shared_obj {
	uint64_t dev, ino;	/* as in rec_vma */
	uint32_t kind;		/* REC_VMA_SHMEM, REC_VMA_MEMFD or REC_VMA_DELETED */
	const char *path;
	uint64_t size;		/* its size at the dump, else the end of the furthest mapping into it */
	uint32_t seals;		/* memfd made here: F_ADD_SEALS once its pages are in */
	bool shared_view;	/* the image has a shared mapping of it */
	int image_fd;		/* an fd of the image that is this object, or -1 */
	int image_fd_rank;	/* how fit it is to map from: 2 read-write, 1 read-only, 0 write-only */
	int64_t fd;		/* its fd in the new process while mapping, or -1 */
	bool own_fd;		/* we opened fd: close it when done */
	uint64_t master;	/* shared anonymous: mapped whole here while aliasing */
};

struct page_ent {
	const struct rec_pages *p;
	const void *data;
};

struct restore_mm_state {
	struct vma_ent *vmas;
	int nr_vmas;
	struct page_ent *pages;
	int nr_pages;
	const struct rec_vma *special[3];	/* vvar, vvar_vclock, vdso */
	struct shared_obj *objs;
	int nr_objs;
	const struct rec_mm_attrs *attrs;	/* NULL if the image has none */
	uint64_t unmerge_len;	/* the largest mapping moved in through the temporary area */
	uint64_t unmerge_temp;	/* that area in the new process */
};

static const uint32_t special_flag[3] = { REC_VMA_VVAR, REC_VMA_VVAR_VCLOCK, REC_VMA_VDSO };
static const enum proc_vma_kind special_kind[3] = { VMA_VVAR, VMA_VVAR_VCLOCK, VMA_VDSO };

static int special_index(uint32_t flags)
{
	for (int i = 0; i < 3; i++)
		if (flags & special_flag[i])
			return i;
	return -1;
}

static struct vma_ent *find_vma(struct restore_mm_state *s, uint64_t addr)
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

static uint32_t obj_kind(const struct rec_vma *v);

/*
 * What add_vma() does not check itself: the name a memfd is made with, the
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
	if (memchr(path, '\0', v->path_len))
		return img_record_invalid(r->img, "mapping %llx: NUL in its path", (unsigned long long)v->start);
	/* The kernel's limit for memfd_create() names is 249 bytes. */
	if ((v->flags & REC_VMA_MEMFD) &&
	    (v->path_len < 7 || v->path_len - 7 > 249 || memcmp(path, "/memfd:", 7)))
		return img_record_invalid(r->img, "mapping %llx: memfd without a \"/memfd:NAME\" name",
					  (unsigned long long)v->start);
	/* mmap(2) takes a signed offset; shared anonymous memory is mapped whole while restoring. */
	if (__builtin_add_overflow(v->pgoff, v->end - v->start, &obj_end) || obj_end > INT64_MAX ||
	    (obj_kind(v) == REC_VMA_SHMEM && obj_end > USER_END))
		return img_record_invalid(r->img, "mapping %llx: offset %#llx out of range", (unsigned long long)v->start,
					  (unsigned long long)v->pgoff);
	return 0;
}

static int add_vma(struct restore_ctx *r, struct restore_mm_state *s, const void *data, size_t len)
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
	if (s->nr_vmas > 1)
		check_neighbour(s, &s->vmas[s->nr_vmas - 2], e);
	int si = special_index(v->flags);

	if (si >= 0) {
		if (s->special[si])
			return img_record_invalid(r->img, "two %s mappings", proc_vma_kind_name(special_kind[si]));
		s->special[si] = v;
	}
	return 0;
}

static int add_pages(struct restore_ctx *r, struct restore_mm_state *s, const void *data, size_t len)
{
	const struct rec_pages *p = data;
	struct vma_ent *e;
	const void *ptr;
	uint64_t bytes;
	int ret;

	if (len != sizeof(*p))
		return img_record_invalid(r->img, "bad pages record length");
	if (!p->nr_pages || p->vaddr % PAGE || __builtin_mul_overflow(p->nr_pages, PAGE, &bytes) ||
	    p->vaddr + bytes < p->vaddr)
		return img_record_invalid(r->img, "bad page range");
	e = find_vma(s, p->vaddr);
	if (!e || p->vaddr + bytes > e->v->end || special_index(e->v->flags) >= 0)
		return img_record_invalid(r->img, "pages at %llx are outside any mapping",
					  (unsigned long long)p->vaddr);
	ret = img_pages_get(r->img, p->file, p->offset, bytes, &ptr);
	if (ret)
		return ret;
	e->has_pages = true;
	if (s->nr_pages % 256 == 0) {
		struct page_ent *n = realloc(s->pages, (s->nr_pages + 256) * sizeof(*n));

		if (!n)
			return -ENOMEM;
		s->pages = n;
	}
	s->pages[s->nr_pages++] = (struct page_ent){ p, ptr };
	return 0;
}

static int add_mm_attrs(struct restore_ctx *r, struct restore_mm_state *s, const void *data, size_t len)
{
	const struct rec_mm_attrs *m = data;

	if (len != sizeof(*m) || s->attrs || (m->mlockall && !(m->mlockall & MCL_FUTURE)) ||
	    (m->mlockall & ~(uint32_t)(MCL_FUTURE | MCL_ONFAULT)) || m->flags)
		return img_record_invalid(r->img, "bad or repeated mm attributes record");
	s->attrs = m;
	return 0;
}

static uint32_t obj_kind(const struct rec_vma *v)
{
	if (v->flags & REC_VMA_MEMFD)
		return REC_VMA_MEMFD;
	if ((v->flags & REC_VMA_SHMEM) && (v->flags & (REC_VMA_SHARED | REC_VMA_OBJ_PRIVATE)))
		return REC_VMA_SHMEM;
	if ((v->flags & REC_VMA_FILE) && (v->flags & REC_VMA_DELETED))
		return REC_VMA_DELETED;
	return 0;
}

/*
 * A mapping whose object's content the image stores elsewhere must find it
 * there: else its pages that followed the object would come back zero.
 */
static int check_objects(struct restore_ctx *r, struct restore_mm_state *s)
{
	for (int i = 0; i < s->nr_vmas; i++) {
		const struct rec_vma *v = s->vmas[i].v;
		const struct shared_obj *o;

		if (s->vmas[i].obj < 0)
			continue;
		o = &s->objs[s->vmas[i].obj];
		if ((v->flags & REC_VMA_OBJ_HELD) && o->image_fd < 0 &&
		    ((v->flags & REC_VMA_SHARED) || !o->shared_view))
			return img_record_invalid(r->img, "mapping %llx-%llx: its object's content is not in the image",
						  (unsigned long long)v->start, (unsigned long long)v->end);
		if (o->kind == REC_VMA_MEMFD && o->image_fd < 0 &&
		    (o->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))) {
			sudcr_error("cannot restore mapping %llx-%llx (%s): a memfd with write seals that no fd holds is not supported",
				    (unsigned long long)v->start, (unsigned long long)v->end, o->path);
			return -EOPNOTSUPP;
		}
	}
	return 0;
}

static int collect_objects(struct restore_ctx *r, struct restore_mm_state *s)
{
	const void *data;
	size_t len;
	int ret;

	for (int i = 0; i < s->nr_vmas; i++) {
		const struct rec_vma *v = s->vmas[i].v;
		uint32_t kind = obj_kind(v);
		struct shared_obj *o = NULL;
		int k;

		if (!kind)
			continue;
		for (k = 0; k < s->nr_objs; k++)
			if (s->objs[k].kind == kind && s->objs[k].dev == v->dev && s->objs[k].ino == v->ino)
				o = &s->objs[k];
		if (!o) {
			o = realloc(s->objs, (s->nr_objs + 1) * sizeof(*o));
			if (!o)
				return -ENOMEM;
			s->objs = o;
			o = &s->objs[s->nr_objs++];
			*o = (struct shared_obj){ .dev = v->dev, .ino = v->ino, .kind = kind,
						  .path = s->vmas[i].path, .image_fd = -1, .fd = -1 };
		}
		if (v->obj_size) {
			if (o->size && o->size != v->obj_size)
				return img_record_invalid(r->img, "mappings of one object disagree on its size at %llx",
							  (unsigned long long)v->start);
			o->size = v->obj_size;
		} else if (v->pgoff + (v->end - v->start) > o->size) {
			o->size = v->pgoff + (v->end - v->start);
		}
		if (kind == REC_VMA_MEMFD)
			o->seals = v->obj_seals;
		if (v->flags & REC_VMA_SHARED)
			o->shared_view = true;
		s->vmas[i].obj = o - s->objs;
	}
	/* The files module recreates memfds and deleted files an fd holds: map those. */
	img_rewind(r->img);
	while ((ret = cr_next_of_type(r->img, IMG_REC_FD, &data, &len)) == 1) {
		const struct rec_fd *f = data;
		uint64_t dev;

		if (len < sizeof(*f) || (f->kind != REC_FD_MEMFD && f->kind != REC_FD_DELETED))
			continue;
		dev = ((uint64_t)major(f->dev) << 32) | minor(f->dev);
		for (int k = 0; k < s->nr_objs; k++)
			if (s->objs[k].kind != REC_VMA_SHMEM && s->objs[k].dev == dev &&
			    s->objs[k].ino == f->ino) {
				/* mmap needs read access, and a shared mapping that may write, write access. */
				int acc = f->flags & O_ACCMODE;
				int rank = acc == O_RDWR ? 2 : acc == O_RDONLY ? 1 : 0;

				if (s->objs[k].image_fd < 0 || rank > s->objs[k].image_fd_rank) {
					s->objs[k].image_fd = f->fd;
					s->objs[k].image_fd_rank = rank;
				}
			}
	}
	if (ret < 0)
		return ret;
	return check_objects(r, s);
}

static int cmp_page_ent(const void *a, const void *b)
{
	const struct page_ent *x = a, *y = b;

	return (x->p->vaddr > y->p->vaddr) - (x->p->vaddr < y->p->vaddr);
}

/*
 * Each page is stored once: overlapping extents would make the copy's
 * result depend on the order of the workers (and their sum could wrap).
 */
static int check_page_overlap(struct restore_ctx *r, struct restore_mm_state *s)
{
	struct page_ent *sorted;
	int ret = 0;

	if (s->nr_pages < 2)
		return 0;
	sorted = malloc(s->nr_pages * sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	memcpy(sorted, s->pages, s->nr_pages * sizeof(*sorted));
	qsort(sorted, s->nr_pages, sizeof(*sorted), cmp_page_ent);
	for (int i = 1; i < s->nr_pages; i++) {
		const struct rec_pages *a = sorted[i - 1].p, *b = sorted[i].p;

		if (a->vaddr + a->nr_pages * PAGE > b->vaddr) {
			sudcr_error("%s: image stores the page at %llx twice", r->opts.dir,
				    (unsigned long long)b->vaddr);
			ret = -EINVAL;
			break;
		}
	}
	free(sorted);
	return ret;
}

/* The master mappings of shared anonymous objects must fit in the address space together. */
static int check_shmem_total(struct restore_ctx *r, struct restore_mm_state *s)
{
	uint64_t need = 0;

	for (int k = 0; k < s->nr_objs; k++) {
		if (s->objs[k].kind != REC_VMA_SHMEM || s->objs[k].image_fd >= 0)
			continue;
		need += (s->objs[k].size + PAGE - 1) & ~(PAGE - 1);
		if (need > USER_END) {
			sudcr_error("%s: shared memory objects of more than %llu bytes", r->opts.dir,
				    (unsigned long long)USER_END);
			return -EINVAL;
		}
	}
	return 0;
}

int restore_mm_prepare(struct restore_ctx *r)
{
	struct restore_mm_state *s = calloc(1, sizeof(*s));
	const void *data;
	uint32_t type;
	size_t len;
	int ret;

	if (!s)
		return -ENOMEM;
	r->mm_state = s;
	/* VMA records come before PAGES records (dump writes them in address order). */
	img_rewind(r->img);
	while ((ret = img_next_record(r->img, &type, &data, &len)) == 1) {
		if (type == IMG_REC_VMA)
			ret = add_vma(r, s, data, len);
		else if (type == IMG_REC_PAGES)
			ret = add_pages(r, s, data, len);
		else if (type == IMG_REC_MM_ATTRS)
			ret = add_mm_attrs(r, s, data, len);
		if (ret < 0)
			return ret;
	}
	if (ret < 0)
		return ret;
	if (!s->special[2]) {
		sudcr_error("%s: image has no [vdso] mapping", r->opts.dir);
		return -EINVAL;
	}
	ret = check_page_overlap(r, s);
	if (!ret)
		ret = collect_objects(r, s);
	if (!ret)
		ret = check_shmem_total(r, s);
	return ret;
}

/* After the image is known to be valid and its PID free: the files it maps are still there. */
int restore_mm_check(struct restore_ctx *r)
{
	struct restore_mm_state *s = r->mm_state;

	for (int i = 0; i < s->nr_vmas; i++) {
		const struct rec_vma *v = s->vmas[i].v;
		struct stat st;

		if (!(v->flags & REC_VMA_FILE) || (v->flags & REC_VMA_DELETED))
			continue;
		if (stat(s->vmas[i].path, &st)) {
			int err = errno;

			sudcr_error("cannot restore mapping %llx-%llx: %s: %s", (unsigned long long)v->start,
				    (unsigned long long)v->end, s->vmas[i].path, strerror(err));
			return -err;
		}
		if (st.st_ino != v->ino)
			sudcr_warn("%s was replaced since the dump (inode %llu, was %llu)", s->vmas[i].path,
				   (unsigned long long)st.st_ino, (unsigned long long)v->ino);
	}
	return 0;
}

void restore_mm_free(struct restore_ctx *r)
{
	struct restore_mm_state *s = r->mm_state;

	if (!s)
		return;
	for (int i = 0; i < s->nr_vmas; i++)
		free((char *)s->vmas[i].path);
	free(s->vmas);
	free(s->pages);
	free(s->objs);
	free(s);
	r->mm_state = NULL;
}

/* Inject a call that must succeed; report it with @what otherwise. */
static int must(struct cr_thread *th, int64_t *res, const char *what, uint64_t addr, long nr,
		uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	int64_t v;
	int ret = cr_inject(th, nr, &v, a0, a1, a2, a3, a4, a5);

	if (ret)
		return ret;
	if (v < 0 && v > -4096) {
		sudcr_error("cannot %s at %llx in the new process: %s", what, (unsigned long long)addr,
			    strerror((int)-v));
		return (int)v;
	}
	if (res)
		*res = v;
	return 0;
}

static bool overlaps(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
	return a < d && c < b;
}

/*
 * An address range of @len free in the image and away from the stub's
 * mappings that stay for a while: [avoid_s, avoid_e) and [keep_s, keep_e).
 */
static uint64_t find_free(struct restore_mm_state *s, uint64_t len, uint64_t avoid_s, uint64_t avoid_e,
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

/* Move the stub's vvar/vvar_vclock/vdso block to the image's addresses. */
static int move_vdso(struct restore_ctx *r, struct cr_thread *th, const struct proc_vma *sv, int sn,
		     uint64_t temp)
{
	struct restore_mm_state *s = r->mm_state;
	const struct proc_vma *cur[3] = { NULL };
	uint64_t cur_addr[3], blk_s = UINT64_MAX, blk_e = 0, img_s = UINT64_MAX, img_e = 0;
	int ret;

	for (int i = 0; i < sn; i++)
		for (int k = 0; k < 3; k++)
			if (sv[i].kind == special_kind[k])
				cur[k] = &sv[i];
	for (int k = 0; k < 3; k++) {
		const struct rec_vma *iv = s->special[k];

		if (!cur[k] != !iv || (iv && iv->end - iv->start != cur[k]->end - cur[k]->start)) {
			sudcr_error("the image's vDSO layout differs from this kernel's (image from another kernel?)");
			return -EINVAL;
		}
		if (!iv)
			continue;
		cur_addr[k] = cur[k]->start;
		blk_s = cur[k]->start < blk_s ? cur[k]->start : blk_s;
		blk_e = cur[k]->end > blk_e ? cur[k]->end : blk_e;
		img_s = iv->start < img_s ? iv->start : img_s;
		img_e = iv->end > img_e ? iv->end : img_e;
	}
	for (int pass = 0; pass < 2; pass++) {
		uint64_t base = 0;

		if (pass == 0) {
			/* Overlapping moves are refused by mremap: go through a free spot. */
			if (!overlaps(blk_s, blk_e, img_s, img_e) || blk_s == img_s)
				continue;
			base = temp;
		}
		for (int k = 0; k < 3; k++) {
			const struct rec_vma *iv = s->special[k];
			uint64_t len, dst;

			if (!iv)
				continue;
			len = iv->end - iv->start;
			dst = pass == 0 ? base + (cur_addr[k] - blk_s) : iv->start;
			if (dst == cur_addr[k])
				continue;
			ret = must(th, NULL, "move the vDSO", dst, NR_MREMAP, cur_addr[k], len, len,
				   MREMAP_MAYMOVE | MREMAP_FIXED, dst, 0);
			if (ret)
				return ret;
			if (k == 2)
				inject_vdso_moved(&th->inj, cur_addr[k], len, dst);
			cur_addr[k] = dst;
		}
		if (pass == 0) {
			blk_e = base + (blk_e - blk_s);
			blk_s = base;
		}
	}
	return 0;
}

/*
 * Unmap everything of the stub but the vDSO block and the mapping that
 * holds @keep (0: none), in as few calls as possible.
 */
static int clear_stub(struct cr_thread *th, const struct proc_vma *sv, int sn, uint64_t keep_addr)
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
			ret = must(th, NULL, "unmap the stub", a, NR_MUNMAP, a, b - a, 0, 0, 0, 0);
			if (ret)
				return ret;
			a = b = 0;
		}
	}
	return 0;
}

static const struct {
	uint64_t vmf;
	int advice;
} advices[] = {
	{ PROC_VMF_DC, MADV_DONTFORK },
	{ PROC_VMF_WF, MADV_WIPEONFORK },
	{ PROC_VMF_DD, MADV_DONTDUMP },
	{ PROC_VMF_HG, MADV_HUGEPAGE },
	{ PROC_VMF_NH, MADV_NOHUGEPAGE },
	{ PROC_VMF_SR, MADV_SEQUENTIAL },
	{ PROC_VMF_RR, MADV_RANDOM },
	{ PROC_VMF_MG, MADV_MERGEABLE },
};

static int open_in_target(struct cr_thread *th, uint64_t scratch, const char *path, int flags, int64_t *fd)
{
	size_t len = strlen(path) + 1;
	int ret;

	if (len > SCRATCH_LEN)
		return -ENAMETOOLONG;
	ret = inject_write_mem(th->tid, scratch, path, len);
	if (ret)
		return ret;
	return must(th, fd, "open a mapped file", 0, NR_OPENAT, (uint64_t)AT_FDCWD, scratch, flags, 0, 0, 0);
}

/* Make (or find) each shared object in the new process, before its mappings. */
static int open_objects(struct cr_thread *th, uint64_t scratch, struct restore_mm_state *s, uint64_t *temp)
{
	for (int k = 0; k < s->nr_objs; k++) {
		struct shared_obj *o = &s->objs[k];
		size_t plen = strlen(o->path) + 1;
		int64_t fd;
		int ret;

		if (o->image_fd >= 0) {
			o->fd = o->image_fd;
			continue;
		}
		if (o->kind == REC_VMA_SHMEM) {
			o->master = *temp;
			*temp += (o->size + PAGE - 1) & ~(PAGE - 1);
			ret = must(th, NULL, "map shared memory", o->master, NR_MMAP, o->master, o->size,
				   PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
				   (uint64_t)-1, 0);
			if (ret)
				return ret;
			continue;
		}
		if (plen > SCRATCH_LEN / 2)
			return -ENAMETOOLONG;
		if (o->kind == REC_VMA_MEMFD) {
			const char *name = o->path + 7;	/* after "/memfd:", checked by add_vma() */
			/* Made without MFD_ALLOW_SEALING, a memfd has F_SEAL_SEAL and nothing else. */
			uint64_t mfd = o->seals == F_SEAL_SEAL ? 0 : MFD_ALLOW_SEALING;

			if (o->seals == F_SEAL_SEAL)
				o->seals = 0;
			ret = inject_write_mem(th->tid, scratch, name, strlen(name) + 1);
			if (!ret)
				ret = must(th, &fd, "create a memfd", 0, NR_MEMFD_CREATE, scratch, mfd, 0, 0, 0, 0);
		} else {
			/*
			 * A deleted file comes back deleted under its old name:
			 * created there and unlinked at once, so /proc shows
			 * "NAME (deleted)"; an unnamed file in its directory if
			 * the name is taken.
			 */
			ret = inject_write_mem(th->tid, scratch, o->path, plen);
			if (ret)
				return ret;
			ret = cr_inject(th, NR_OPENAT, &fd, (uint64_t)AT_FDCWD, scratch,
					O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600, 0, 0);
			if (!ret && fd >= 0) {
				ret = must(th, NULL, "unlink the recreated deleted file", 0, NR_UNLINKAT,
					   (uint64_t)AT_FDCWD, scratch, 0, 0, 0, 0);
			} else if (!ret) {
				char dir[REC_PATH_MAX];
				char *slash;

				snprintf(dir, sizeof(dir), "%s", o->path);
				slash = strrchr(dir, '/');
				if (slash)
					*(slash == dir ? slash + 1 : slash) = '\0';
				ret = inject_write_mem(th->tid, scratch, dir, strlen(dir) + 1);
				if (!ret)
					ret = must(th, &fd, "recreate a deleted file", 0, NR_OPENAT, (uint64_t)AT_FDCWD,
						   scratch, O_RDWR | O_TMPFILE | O_CLOEXEC, 0600, 0, 0);
			}
		}
		if (ret)
			return ret;
		o->fd = fd;
		o->own_fd = true;
		ret = must(th, NULL, "size a shared object", 0, NR_FTRUNCATE, fd, o->size, 0, 0, 0, 0);
		if (ret)
			return ret;
	}
	return 0;
}

/* Seal the memfds made here, now that their pages are in. */
static int seal_objects(struct cr_thread *th, struct restore_mm_state *s)
{
	for (int k = 0; k < s->nr_objs; k++) {
		const struct shared_obj *o = &s->objs[k];
		int ret;

		if (!o->own_fd || o->kind != REC_VMA_MEMFD || !o->seals)
			continue;
		ret = must(th, NULL, "seal a memfd (F_ADD_SEALS)", 0, NR_FCNTL, o->fd, F_ADD_SEALS, o->seals,
			   0, 0, 0);
		if (ret)
			return ret;
	}
	return 0;
}

static void close_objects(struct cr_thread *th, struct restore_mm_state *s)
{
	for (int k = 0; k < s->nr_objs; k++) {
		struct shared_obj *o = &s->objs[k];

		if (o->own_fd)
			must(th, NULL, "close", 0, NR_CLOSE, o->fd, 0, 0, 0, 0, 0);
		if (o->master)
			must(th, NULL, "unmap", o->master, NR_MUNMAP, o->master, o->size, 0, 0, 0, 0);
		o->own_fd = false;
		o->master = 0;
		o->fd = -1;
	}
}

/* One open file while its mappings are made in a row (they usually are). */
struct map_file_cache {
	int64_t fd;
	const char *path;
	int flags;
};

static int cached_open(struct cr_thread *th, uint64_t scratch, struct map_file_cache *c, const char *path,
		       int flags)
{
	if (c->path && c->flags == flags && !strcmp(c->path, path))
		return 0;
	if (c->fd >= 0)
		must(th, NULL, "close", 0, NR_CLOSE, c->fd, 0, 0, 0, 0, 0);
	c->fd = -1;
	c->path = NULL;
	int ret = open_in_target(th, scratch, path, flags | O_CLOEXEC, &c->fd);

	if (!ret) {
		c->path = path;
		c->flags = flags;
	}
	return ret;
}

/*
 * A private view of a shared anonymous object: mmap needs a file, and the
 * object's is reached through its master mapping in /proc/self/map_files.
 */
static int open_master(struct cr_thread *th, uint64_t scratch, const struct shared_obj *o, int64_t *fd)
{
	char path[96];

	snprintf(path, sizeof(path), "/proc/self/map_files/%llx-%llx", (unsigned long long)o->master,
		 (unsigned long long)(o->master + ((o->size + PAGE - 1) & ~(PAGE - 1))));
	return open_in_target(th, scratch, path, O_RDONLY | O_CLOEXEC, fd);
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
		ret = must(th, NULL, "madvise", at, NR_MADVISE, at, PAGE, MADV_DONTNEED, 0, 0, 0);
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
	ret = must(th, &res, "map memory", v->start, NR_MMAP, at, len, PROT_READ | PROT_WRITE, flags, fd, off);
	if (!ret && (uint64_t)res != at) {
		sudcr_error("mapping %llx landed at %llx", (unsigned long long)at, (unsigned long long)res);
		ret = -EFAULT;
	}
	if (!ret)
		ret = give_anon_vma(th, at);
	if (!ret)
		ret = must(th, NULL, "move a mapping in place", v->start, NR_MREMAP, at, len, len,
			   MREMAP_MAYMOVE | MREMAP_FIXED, v->start, 0);
	if (!ret && prot != (PROT_READ | PROT_WRITE))
		ret = must(th, NULL, "set protection", v->start, NR_MPROTECT, v->start, len, prot, 0, 0, 0);
	return ret;
}

static int map_vma(struct cr_thread *th, uint64_t scratch, struct restore_mm_state *s,
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
		ret = open_master(th, scratch, &s->objs[e->obj], &own_fd);
		if (ret)
			return ret;
		fd = own_fd;
		off = v->pgoff;
	} else if (e->obj >= 0 && s->objs[e->obj].master) {
		/* Another view of the shared anonymous object: alias its master mapping. */
		ret = must(th, &res, "map shared memory", v->start, NR_MREMAP, s->objs[e->obj].master + v->pgoff,
			   0, len, MREMAP_MAYMOVE | MREMAP_FIXED, v->start, 0);
		if (!ret && prot != (PROT_READ | PROT_WRITE))
			ret = must(th, NULL, "set protection", v->start, NR_MPROTECT, v->start, len, prot, 0, 0, 0);
		goto advise;
	} else if (e->obj >= 0) {
		fd = s->objs[e->obj].fd;
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
	ret = must(th, &res, "map memory", v->start, NR_MMAP, v->start, len,
		   e->touch ? PROT_READ | PROT_WRITE : prot, flags, fd, off);
	if (!ret && (uint64_t)res != v->start) {
		sudcr_error("mapping %llx landed at %llx", (unsigned long long)v->start, (unsigned long long)res);
		ret = -EFAULT;
	}
	if (!ret && e->touch) {
		ret = give_anon_vma(th, v->start);
		if (!ret && prot != (PROT_READ | PROT_WRITE))
			ret = must(th, NULL, "set protection", v->start, NR_MPROTECT, v->start, len, prot, 0, 0, 0);
	}
	if (own_fd >= 0)
		must(th, NULL, "close", 0, NR_CLOSE, own_fd, 0, 0, 0, 0, 0);
advise:
	for (size_t i = 0; i < sizeof(advices) / sizeof(advices[0]) && !ret; i++)
		if (v->vmflags & advices[i].vmf)
			ret = must(th, NULL, "madvise", v->start, NR_MADVISE, v->start, len, advices[i].advice, 0, 0, 0);
	return ret;
}

/*
 * Locks last: mlockall(MCL_FUTURE | MCL_ONFAULT) without MCL_CURRENT
 * unlocks every mapping, and mlock faults pages in, which the copy does
 * better.
 */
static int lock_vmas(struct cr_thread *th, struct restore_mm_state *s)
{
	int ret = 0;

	if (s->attrs && s->attrs->mlockall)
		ret = must(th, NULL, "mlockall", 0, NR_MLOCKALL, s->attrs->mlockall, 0, 0, 0, 0, 0);
	for (int i = 0; i < s->nr_vmas && !ret; i++) {
		const struct rec_vma *v = s->vmas[i].v;

		if (!(v->vmflags & PROC_VMF_LO) || special_index(v->flags) >= 0)
			continue;
		ret = must(th, NULL, "lock memory (mlock2)", v->start, NR_MLOCK2, v->start, v->end - v->start,
			   (v->vmflags & PROC_VMF_LF) ? MLOCK_ONFAULT : 0, 0, 0, 0);
	}
	return ret;
}

/* mseal()ed mappings (VmFlags sl) are sealed again once nothing changes them any more. */
static int seal_vmas(struct cr_thread *th, struct restore_mm_state *s)
{
	int ret = 0;

	for (int i = 0; i < s->nr_vmas && !ret; i++) {
		const struct rec_vma *v = s->vmas[i].v;

		if ((v->vmflags & PROC_VMF_SL) && special_index(v->flags) < 0)
			ret = must(th, NULL, "seal a mapping (mseal)", v->start, NR_MSEAL, v->start,
				   v->end - v->start, 0, 0, 0, 0);
	}
	return ret;
}

/*
 * Stored pages are copied into the new process by one worker per CPU: the
 * kernel's part (allocating and zeroing the new process's pages) is most
 * of a large restore.  A worker takes PAGES extents in batches of about
 * FILL_CHUNK bytes, writes them with process_vm_writev from the mapped
 * page files, and checks their checksums while the data is in its cache.
 * The process never runs with a bad page: the restore fails first.
 */
#define FILL_CHUNK (1UL << 20)
#define FILL_WORKERS 8

struct fill_pool {
	struct restore_ctx *r;
	pthread_mutex_t lock;
	int next;		/* next extent to take */
	int err;
	int bad;		/* the first extent found corrupted, or -1 */
};

struct fill_worker {
	struct fill_pool *pool;
	struct iovec local[IOV_MAX], remote[IOV_MAX];
};

static void fill_fail(struct fill_pool *p, int err, int bad)
{
	pthread_mutex_lock(&p->lock);
	if (!p->err) {
		p->err = err;
		p->bad = bad;
		if (bad == -1)
			sudcr_error("cannot write memory of the new process: %s", strerror(-err));
	}
	pthread_mutex_unlock(&p->lock);
}

static void *fill_worker(void *arg)
{
	struct fill_worker *w = arg;
	struct fill_pool *p = w->pool;
	const struct restore_mm_state *s = p->r->mm_state;

	for (;;) {
		size_t total = 0;
		int first, n = 0;

		pthread_mutex_lock(&p->lock);
		if (!p->err && cr_cancelled())
			p->err = -EINTR;	/* reported by sudcr_restore() */
		first = p->next;
		while (!p->err && p->next < s->nr_pages && n < IOV_MAX && (!n || total < FILL_CHUNK)) {
			const struct page_ent *e = &s->pages[p->next++];
			size_t len = e->p->nr_pages * PAGE;

			w->local[n] = (struct iovec){ (void *)e->data, len };
			w->remote[n] = (struct iovec){ (void *)(uintptr_t)e->p->vaddr, len };
			n++;
			total += len;
		}
		pthread_mutex_unlock(&p->lock);
		if (!n)
			break;
		/* Checked first: img_pages_crc() survives a page file truncated meanwhile. */
		for (int i = 0; i < n; i++) {
			uint32_t crc;
			int err = img_pages_crc(p->r->img, w->local[i].iov_base, w->local[i].iov_len, &crc);

			if (err || crc != s->pages[first + i].p->crc) {
				fill_fail(p, err ? err : -EINVAL, err ? -2 : first + i);
				return NULL;
			}
		}
		ssize_t done = process_vm_writev(p->r->pid, w->local, n, w->remote, n, 0);

		if (done != (ssize_t)total) {
			fill_fail(p, done < 0 ? -errno : -EFAULT, -1);
			break;
		}
	}
	return NULL;
}

static int fill_pages(struct restore_ctx *r)
{
	struct restore_mm_state *s = r->mm_state;
	struct fill_pool p = { .r = r, .bad = -1 };
	struct fill_worker *w;
	uint64_t bytes = 0;
	cpu_set_t cpus;
	int nr;

	for (int i = 0; i < s->nr_pages; i++)
		bytes += s->pages[i].p->nr_pages * PAGE;
	nr = cr_worker_cpus(&r->cthreads[0], FILL_WORKERS, &cpus);
	if (bytes < 8 * FILL_CHUNK)
		nr = 1;
	w = calloc(nr, sizeof(*w));
	if (!w)
		return -ENOMEM;
	for (int i = 0; i < nr; i++)
		w[i].pool = &p;
	pthread_mutex_init(&p.lock, NULL);
	cr_run_workers(nr, w, sizeof(*w), fill_worker, &cpus);
	pthread_mutex_destroy(&p.lock);
	free(w);
	if (p.bad >= 0)
		sudcr_error("%s: page data for %llx fails its checksum (corrupted image)", r->opts.dir,
			    (unsigned long long)s->pages[p.bad].p->vaddr);
	return p.err;
}

struct prctl_mm_map_sudcr {
	uint64_t start_code, end_code, start_data, end_data, start_brk, brk, start_stack;
	uint64_t arg_start, arg_end, env_start, env_end;
	uint64_t auxv;
	uint32_t auxv_size;
	uint32_t exe_fd;
};

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return !stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/*
 * For an ia32 process this runs after enter_ia32(): the kernel refuses to
 * change the exe link while the old executable (sudcr, whose code held our
 * syscall instruction) is mapped.  Hence numbers of the thread's kind.
 */
static int set_mm_fields(struct restore_ctx *r, struct cr_thread *th, uint64_t scratch)
{
	const long nr_openat = arch_syscall_by_name(th->inj.kind, "openat");
	const long nr_prctl = arch_syscall_by_name(th->inj.kind, "prctl");
	const long nr_close = arch_syscall_by_name(th->inj.kind, "close");
	const struct rec_mm *m = r->mm;
	struct prctl_mm_map_sudcr map = {
		.start_code = m->start_code, .end_code = m->end_code,
		.start_data = m->start_data, .end_data = m->end_data,
		.start_brk = m->start_brk, .brk = m->brk, .start_stack = m->start_stack,
		.arg_start = m->arg_start, .arg_end = m->arg_end,
		.env_start = m->env_start, .env_end = m->env_end,
		.exe_fd = (uint32_t)-1,
	};
	uint64_t auxv_addr = scratch + 1024, path_addr = scratch + 2048;
	int64_t exe_fd = -1;
	int ret;

	if (m->auxv_len > 64 || m->auxv_len % 2)
		return img_record_invalid(r->img, "bad auxv length %u", m->auxv_len);
	if (m->auxv_len && r->proc.arch == ARCH_IA32) {
		/* The kernel keeps an ia32 process's auxv as it gave it: 32-bit words. */
		uint32_t a32[64];

		for (uint32_t i = 0; i < m->auxv_len; i++)
			a32[i] = (uint32_t)m->auxv[i];
		map.auxv = auxv_addr;
		map.auxv_size = m->auxv_len * sizeof(uint32_t);
		ret = inject_write_mem(th->tid, auxv_addr, a32, map.auxv_size);
		if (ret)
			return ret;
	} else if (m->auxv_len) {
		map.auxv = auxv_addr;
		map.auxv_size = m->auxv_len * sizeof(uint64_t);
		ret = inject_write_mem(th->tid, auxv_addr, m->auxv, map.auxv_size);
		if (ret)
			return ret;
	}
	/*
	 * The stub's exe link is sudcr's (or, for a library caller, its own).
	 * When the image's executable is that very file it is right already,
	 * and the kernel would refuse to replace it while it is mapped.
	 */
	if (m->exe[0] && memchr(m->exe, 0, sizeof(m->exe)) && !same_file(m->exe, "/proc/self/exe")) {
		const char *exe = m->exe;
		size_t len = strlen(exe) + 1;
		int64_t fd;

		if (len < SCRATCH_LEN - 2048 && !inject_write_mem(th->tid, path_addr, exe, len) &&
		    !cr_inject(th, nr_openat, &fd, (uint64_t)AT_FDCWD, path_addr, O_RDONLY | O_CLOEXEC, 0, 0, 0) &&
		    fd >= 0) {
			exe_fd = fd;
			map.exe_fd = (uint32_t)fd;
		} else {
			sudcr_warn("cannot open the executable %s: /proc/%d/exe will point elsewhere", exe, r->pid);
		}
	}
	ret = inject_write_mem(th->tid, scratch, &map, sizeof(map));
	if (!ret)
		ret = must(th, NULL, "set the mm fields (PR_SET_MM_MAP)", m->start_brk, nr_prctl, PR_SET_MM,
			   PR_SET_MM_MAP, scratch, sizeof(map), 0, 0);
	if (exe_fd >= 0)
		must(th, NULL, "close", 0, nr_close, exe_fd, 0, 0, 0, 0, 0);
	return ret;
}

/* The stub's mapping that holds sudcr's own syscall instruction. */
static int own_site_mapping(struct restore_ctx *r, const struct proc_vma *sv, int sn, uint64_t *start,
			    uint64_t *end)
{
	struct restore_mm_state *s = r->mm_state;
	uint64_t site = (uintptr_t)sudcr_restore_syscall_insn;

	for (int i = 0; i < sn; i++) {
		if (site < sv[i].start || site >= sv[i].end)
			continue;
		for (int k = 0; k < s->nr_vmas; k++) {
			if (overlaps(sv[i].start, sv[i].end, s->vmas[k].v->start, s->vmas[k].v->end)) {
				sudcr_error("cannot restore an ia32 process here: sudcr's own code at %llx-%llx overlaps its mapping at %llx",
					    (unsigned long long)sv[i].start, (unsigned long long)sv[i].end,
					    (unsigned long long)s->vmas[k].v->start);
				return -EBUSY;
			}
		}
		*start = sv[i].start;
		*end = sv[i].end;
		return 0;
	}
	sudcr_error("sudcr's own syscall instruction is not mapped in the new process");
	return -EFAULT;
}

/*
 * Replace the stub's 64-bit vDSO block by the 32-bit one, mapped where the
 * image has it (move_vdso() moves it if the kernel put it elsewhere), and
 * read the maps again into *sv.
 */
static int map_vdso32(struct restore_ctx *r, struct cr_thread *th, struct proc_vma **sv, int *sn)
{
	struct restore_mm_state *s = r->mm_state;
	uint64_t at = UINT64_MAX;
	int ret = 0;

	inject_set_site(&th->inj, (uintptr_t)sudcr_restore_syscall_insn);
	for (int i = 0; i < *sn && !ret; i++) {
		const struct proc_vma *v = &(*sv)[i];

		if (v->kind == VMA_VDSO || v->kind == VMA_VVAR || v->kind == VMA_VVAR_VCLOCK)
			ret = must(th, NULL, "unmap the 64-bit vDSO", v->start, NR_MUNMAP, v->start,
				   v->end - v->start, 0, 0, 0, 0);
	}
	if (ret)
		return ret;
	for (int k = 0; k < 3; k++)
		if (s->special[k] && s->special[k]->start < at)
			at = s->special[k]->start;
	ret = must(th, NULL, "map the 32-bit vDSO (arch_prctl ARCH_MAP_VDSO_32)", at, NR_ARCH_PRCTL,
		   ARCH_MAP_VDSO_32, at, 0, 0, 0, 0);
	if (ret) {
		if (ret == -EINVAL || ret == -ENOSYS)
			sudcr_error("this kernel cannot map a 32-bit vDSO into a 64-bit process (needs CONFIG_CHECKPOINT_RESTORE and CONFIG_IA32_EMULATION)");
		return ret;
	}
	free(*sv);
	*sv = NULL;
	ret = proc_parse_maps(r->pid, sv, sn);
	if (ret)
		sudcr_error("cannot read the maps of the new process: %s", strerror(-ret));
	return ret;
}

/*
 * The 64-bit part is over: unmap what is left of it (our scratch area
 * above 4 GiB, then sudcr's code, through its own syscall instruction: a
 * syscall-exit stop never returns to it) and go to 32-bit mode.
 */
static int enter_ia32(struct cr_thread *th, uint64_t site_s, uint64_t site_e)
{
	int ret;

	ret = must(th, NULL, "unmap the scratch area", th->inj.scratch, NR_MUNMAP, th->inj.scratch,
		   th->inj.scratch_len, 0, 0, 0, 0);
	if (ret)
		return ret;
	th->inj.scratch = 0;
	th->inj.scratch_len = 0;
	ret = must(th, NULL, "unmap sudcr's code", site_s, NR_MUNMAP, site_s, site_e - site_s, 0, 0, 0, 0);
	if (!ret)
		ret = inject_set_kind(&th->inj, ARCH_IA32);
	return ret;
}

int restore_mm(struct restore_ctx *r)
{
	struct restore_mm_state *s = r->mm_state;
	struct cr_thread *th = &r->cthreads[0];
	struct map_file_cache cache = { .fd = -1 };
	struct proc_vma *sv = NULL;
	uint64_t scratch;
	int sn = 0, ret;

	ret = proc_parse_maps(r->pid, &sv, &sn);
	if (ret) {
		sudcr_error("cannot read the maps of the new process: %s", strerror(-ret));
		return ret;
	}
	bool ia32 = r->proc.arch == ARCH_IA32;
	uint64_t site_s = 0, site_e = 0;

	if (ia32) {
		ret = own_site_mapping(r, sv, sn, &site_s, &site_e);
		if (ret)
			goto out;
	}
	ret = clear_stub(th, sv, sn, site_s);
	if (ret)
		goto out;
	/* The vDSO block is all that is left of the stub: keep clear of it. */
	uint64_t vs = UINT64_MAX, ve = 0;

	for (int i = 0; i < sn; i++) {
		if (sv[i].kind != VMA_VDSO && sv[i].kind != VMA_VVAR && sv[i].kind != VMA_VVAR_VCLOCK)
			continue;
		vs = sv[i].start < vs ? sv[i].start : vs;
		ve = sv[i].end > ve ? sv[i].end : ve;
	}
	/*
	 * One free area, away from the image's mappings and the vDSO block,
	 * holds our temporaries: the scratch page, a stop-over for the vDSO
	 * block, and the master mappings of shared anonymous objects.
	 */
	uint64_t need = SCRATCH_LEN + (ve - vs), temp;

	for (int k = 0; k < s->nr_objs; k++)
		if (s->objs[k].kind == REC_VMA_SHMEM && s->objs[k].image_fd < 0)
			need += (s->objs[k].size + PAGE - 1) & ~(PAGE - 1);
	need += s->unmerge_len;
	scratch = find_free(s, need, vs, ve, site_s, site_e);
	if (!scratch) {
		sudcr_error("no room for sudcr's temporary mappings in the new process");
		ret = -ENOMEM;
		goto out;
	}
	temp = scratch + SCRATCH_LEN + (ve - vs);
	ret = inject_scratch_at(&th->inj, scratch, SCRATCH_LEN);
	if (!ret && ia32)
		ret = map_vdso32(r, th, &sv, &sn);
	if (!ret)
		ret = move_vdso(r, th, sv, sn, scratch + SCRATCH_LEN);
	if (!ret)
		ret = open_objects(th, scratch, s, &temp);
	s->unmerge_temp = temp;
	for (int i = 0; i < s->nr_vmas && !ret; i++) {
		if (special_index(s->vmas[i].v->flags) >= 0)
			continue;
		ret = map_vma(th, scratch, s, &s->vmas[i], &cache);
	}
	if (cache.fd >= 0)
		must(th, NULL, "close", 0, NR_CLOSE, cache.fd, 0, 0, 0, 0, 0);
	if (!ret)
		ret = fill_pages(r);
	if (!ret)
		ret = seal_objects(th, s);
	close_objects(th, s);
	for (int i = 0; i < s->nr_vmas && !ret; i++) {
		const struct rec_vma *v = s->vmas[i].v;

		if (special_index(v->flags) >= 0 || !s->vmas[i].has_pages ||
		    (v->prot & (PROT_READ | PROT_WRITE)) == (PROT_READ | PROT_WRITE))
			continue;
		ret = must(th, NULL, "set protection", v->start, NR_MPROTECT, v->start, v->end - v->start,
			   v->prot, 0, 0, 0);
	}
	if (!ret)
		ret = lock_vmas(th, s);
	if (!ret)
		ret = seal_vmas(th, s);
	if (!ret && ia32) {
		ret = enter_ia32(th, site_s, site_e);
		if (!ret)
			ret = cr_scratch(th, SCRATCH_LEN, &scratch);
	}
	if (!ret)
		ret = set_mm_fields(r, th, scratch);
out:
	free(sv);
	return ret;
}
