/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_DUMP_MM_H
#define SUDCR_DUMP_MM_H

/*
 * The memory dump's steps, shared by the files that make it up (mm.c
 * drives them):
 *   mm_vmas.c     the mapping records and which pages each stores
 *   mm_objects.c  memfds, shared anonymous memory, deleted files
 *   mm_cow.c      pages a process of a tree shares copy-on-write with its parent
 *   mm_pages.c    the runs of pages and the workers that copy them
 *   mm_fields.c   brk, arg/env, auxv, exe
 *   mm_attrs.c    mlockall
 * Private to lib/dump/.
 */

#include <stdbool.h>
#include <stdint.h>

#include "cr.h"

#define PAGE 4096UL

enum page_policy {
	PAGES_NONE,		/* re-mapped from the file, or special */
	PAGES_ANON,		/* present pages except the zero page */
	PAGES_COW,		/* private file mapping: copied-on-write pages only */
	PAGES_ALL,		/* deleted file: everything the mapping can read */
};

struct page_run {
	uint64_t start, end;
	bool via_mem;		/* read through /proc/PID/mem, not process_vm_readv */
};

struct page_runs {
	struct page_run *v;
	int nr, cap;
	int vma_first;		/* runs of the current mapping start here */
	uint64_t bytes;
};

/*
 * The memfds and deleted files the process holds open: their content is
 * stored with its fds (files.c), so the mappings of them need not store it.
 */
struct held_files {
	bool read;
	int nr;
	struct { uint64_t dev, ino, size; int fd; } *v;
};

/* mm_vmas.c */
int dmm_check_supported(const struct proc_vma *v);
int dmm_dump_vma(struct dump_ctx *d, const struct proc_vma *v, int pagemap, int memfd,
		 struct held_files *held, struct page_runs *runs);

/* mm_pages.c */
int dmm_dump_page_runs(struct dump_ctx *d, const struct page_runs *runs, int memfd);
int dmm_scan_present(int pagemap, uint64_t start, uint64_t end, struct page_runs *runs);
int dmm_cut_runs(struct page_runs *r, uint64_t start, uint64_t end);
int dmm_scan_vma(struct dump_ctx *d, const struct proc_vma *v, enum page_policy pol, int pagemap,
		 int memfd, struct page_runs *runs);

/* mm_objects.c */
bool dmm_held_by_fd(const struct held_files *h, const struct proc_vma *v);
int dmm_object_fd(struct dump_ctx *d, const struct proc_vma *v, int *fd);
int dmm_object_held(struct dump_ctx *d, struct held_files *h, const struct proc_vma *v,
		    uint64_t *obj_size, bool *held);
int dmm_object_info(struct dump_ctx *d, const struct proc_vma *v, uint64_t *size, uint32_t *seals);

/* mm_cow.c */
bool dmm_cow_kind(const struct proc_vma *v, uint32_t flags);
int dmm_tree_cow(struct dump_ctx *d, const struct proc_vma *v, uint32_t flags, int pagemap, struct page_runs *runs);

/* mm_fields.c */
int dmm_dump_mm_fields(struct dump_ctx *d);

/* mm_attrs.c */
int dmm_dump_mm_attrs(struct dump_ctx *d, int pagemap);

#endif
