/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_RESTORE_MM_H
#define SUDCR_RESTORE_MM_H

/*
 * The memory transplant's state and steps, shared by the files that make
 * it up (mm.c drives them, in this order):
 *   mm_layout.c   the image's mappings, the stub cleared, each mapping made
 *   mm_vdso.c     the vvar/vvar_vclock/vdso block moved to its old place
 *   mm_objects.c  shared anonymous memory, memfds, deleted files
 *   mm_cow.c      a tree's pages shared copy-on-write, made in the stubs
 *   mm_pages.c    the page extents and the workers that copy them
 *   mm_attrs.c    madvise state, locks, mseal; mlockall
 *   mm_ia32.c     the 32-bit vDSO and the switch to 32-bit mode
 *   mm_fields.c   PR_SET_MM_MAP: brk, arg/env, auxv, exe
 * Private to lib/restore/.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cr.h"

#define PAGE 4096UL
#define USER_END 0x7ffffffff000ULL
#define SCRATCH_LEN (64 * 1024)

struct vma_ent {
	const struct rec_vma *v;
	const char *path;	/* not NUL-terminated in the image: copied */
	bool has_pages;
	bool unmerge;		/* mapped elsewhere and moved in: it must not merge with its neighbour */
	bool touch;		/* given an anon_vma of its own (its file neighbour is moved in) */
	int obj;		/* index in restore_mm_state.objs, -1 if none */
	int fd;			/* mapped through this fd of the process (its POSIX locks, locks.c), or -1 */
	const struct rec_tree_cow *cow;	/* pages it shares with its parent (IMG_REC_TREE_COW), or NULL */
	bool cow_give;		/* a child shares pages of it: its stub makes it before the children */
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
	const struct rec_tree_shm *peer;	/* made by an earlier process of the tree: opened from it */
};

struct page_ent {
	const struct rec_pages *p;
	const void *data;
	bool in_stub;		/* written by the stub (mm_cow.c), not by the copy */
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

/* One open file while its mappings are made in a row (they usually are). */
struct map_file_cache {
	int64_t fd;
	const char *path;
	int flags;
};


static inline bool overlaps(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
	return a < d && c < b;
}

/* mm.c */
int rmm_must(struct cr_thread *th, int64_t *res, const char *what, uint64_t addr, enum arch_sc sc,
	     uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);

/* mm_layout.c */
struct vma_ent *rmm_find_vma(struct restore_mm_state *s, uint64_t addr);
int rmm_add_vma(struct restore_ctx *r, struct restore_mm_state *s, const void *data, size_t len);
uint64_t rmm_find_free(struct restore_mm_state *s, uint64_t len, uint64_t avoid_s, uint64_t avoid_e,
		       uint64_t keep_s, uint64_t keep_e);
int rmm_clear_stub(struct cr_thread *th, const struct proc_vma *sv, int sn, uint64_t keep_addr,
		   const struct restore_ctx *r);
int rmm_open_in_target(struct cr_thread *th, uint64_t scratch, const char *path, int flags, int64_t *fd);
int rmm_map_vma(struct cr_thread *th, uint64_t scratch, struct restore_mm_state *s,
		const struct vma_ent *e, struct map_file_cache *cache);

/* mm_vdso.c */
extern const enum proc_vma_kind rmm_special_kind[3];	/* vvar, vvar_vclock, vdso */
int rmm_special_index(uint32_t flags);
int rmm_move_vdso(struct restore_ctx *r, struct cr_thread *th, const struct proc_vma *sv, int sn,
		  uint64_t temp);

/* mm_objects.c */
uint32_t rmm_obj_kind(const struct rec_vma *v);
int rmm_collect_objects(struct restore_ctx *r, struct restore_mm_state *s);
int rmm_check_shmem_total(struct restore_ctx *r, struct restore_mm_state *s);
int rmm_open_objects(struct cr_thread *th, uint64_t scratch, struct restore_mm_state *s, uint64_t *temp);
int rmm_seal_objects(struct cr_thread *th, struct restore_mm_state *s);
void rmm_close_objects(struct cr_thread *th, struct restore_mm_state *s);
int rmm_open_master(struct cr_thread *th, uint64_t scratch, const struct shared_obj *o, int64_t *fd);

/* mm_cow.c */
int rmm_cow_prepare(struct restore_ctx *r, struct restore_mm_state *s);
bool rmm_cow_placed(const struct restore_ctx *r, int vma);
int rmm_cow_fill_inherited(struct restore_ctx *r);

/* mm_pages.c */
int rmm_add_pages(struct restore_ctx *r, struct restore_mm_state *s, const void *data, size_t len);
int rmm_check_page_overlap(struct restore_ctx *r, struct restore_mm_state *s);
int rmm_fill_pages(struct restore_ctx *r);

/* mm_attrs.c */
int rmm_advise_vma(struct cr_thread *th, const struct rec_vma *v);
int rmm_add_mm_attrs(struct restore_ctx *r, struct restore_mm_state *s, const void *data, size_t len);
int rmm_lock_vmas(struct cr_thread *th, struct restore_mm_state *s);
int rmm_seal_vmas(struct cr_thread *th, struct restore_mm_state *s);

/* mm_fields.c */
int rmm_set_mm_fields(struct restore_ctx *r, struct cr_thread *th, uint64_t scratch);

/* mm_ia32.c */
int rmm_own_site_mapping(struct restore_ctx *r, const struct proc_vma *sv, int sn, uint64_t *start,
			 uint64_t *end);
int rmm_map_vdso32(struct restore_ctx *r, struct cr_thread *th, struct proc_vma **sv, int *sn);
int rmm_enter_ia32(struct cr_thread *th, uint64_t site_s, uint64_t site_e);

#endif
