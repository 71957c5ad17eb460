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
 *
 * This file reads the records and runs the steps in order; each concern
 * has a file of its own, listed in mm.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "cr.h"
#include "kernel_compat.h"
#include <sudcr/log.h>

#include "../kinds/changed.h"
#include "../kinds/locks.h"
#include "mm.h"

/*
 * Inject a call that must succeed; report it with @what otherwise.  @sc is
 * numbered for the thread's kind: x86-64 until rmm_enter_ia32().
 */
int rmm_must(struct cr_thread *th, int64_t *res, const char *what, uint64_t addr, enum arch_sc sc,
	     uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	int64_t v;
	int ret = cr_inject(th, arch_sc_nr(th->inj.kind, sc), &v, a0, a1, a2, a3, a4, a5);

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
			ret = rmm_add_vma(r, s, data, len);
		else if (type == IMG_REC_PAGES)
			ret = rmm_add_pages(r, s, data, len);
		else if (type == IMG_REC_MM_ATTRS)
			ret = rmm_add_mm_attrs(r, s, data, len);
		if (ret < 0)
			return ret;
	}
	if (ret < 0)
		return ret;
	if (!s->special[2]) {
		sudcr_error("%s: image has no [vdso] mapping", r->opts.dir);
		return -EINVAL;
	}
	ret = rmm_check_page_overlap(r, s);
	if (!ret)
		ret = rmm_collect_objects(r, s);
	if (!ret)
		ret = rmm_check_shmem_total(r, s);
	if (!ret)
		ret = rmm_cow_prepare(r, s);
	return ret;
}

/* After the image is known to be valid and its PID free: the files it maps are still there. */
int restore_mm_check(struct restore_ctx *r)
{
	struct restore_mm_state *s = r->mm_state;
	/* The stamps' check said it already (file_stamps_check(), before this one). */
	bool stamped = file_stamps_in_image(r);

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
		if (st.st_ino != v->ino && !stamped)
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
		ret = rmm_own_site_mapping(r, sv, sn, &site_s, &site_e);
		if (ret)
			goto out;
	}
	ret = rmm_clear_stub(th, sv, sn, site_s, r);
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
		if (s->objs[k].kind == REC_VMA_SHMEM && s->objs[k].image_fd < 0 && !s->objs[k].peer)
			need += (s->objs[k].size + PAGE - 1) & ~(PAGE - 1);
	need += s->unmerge_len;
	scratch = rmm_find_free(s, need, vs, ve, site_s, site_e);
	if (!scratch) {
		sudcr_error("no room for sudcr's temporary mappings in the new process");
		ret = -ENOMEM;
		goto out;
	}
	temp = scratch + SCRATCH_LEN + (ve - vs);
	ret = inject_scratch_at(&th->inj, scratch, SCRATCH_LEN);
	if (!ret && ia32)
		ret = rmm_map_vdso32(r, th, &sv, &sn);
	if (!ret)
		ret = rmm_move_vdso(r, th, sv, sn, scratch + SCRATCH_LEN);
	if (!ret)
		ret = rmm_open_objects(th, scratch, s, &temp);
	s->unmerge_temp = temp;
	for (int i = 0; i < s->nr_vmas && !ret; i++) {
		s->vmas[i].fd = locks_mapping_fd(r, s->vmas[i].v);
		/* System V attaches are made by sysv_shm.c, once the layout is in place. */
		if (rmm_special_index(s->vmas[i].v->flags) >= 0 || (s->vmas[i].v->flags & REC_VMA_SYSV))
			continue;
		/* Made by the stub, with its pages (mm_cow.c). */
		if (rmm_cow_placed(r, i))
			ret = rmm_advise_vma(th, s->vmas[i].v);
		else
			ret = rmm_map_vma(th, scratch, s, &s->vmas[i], &cache);
	}
	if (cache.fd >= 0)
		rmm_must(th, NULL, "close", 0, SC_CLOSE, cache.fd, 0, 0, 0, 0, 0);
	if (!ret)
		ret = rmm_fill_pages(r);
	if (!ret && r->nr_tree_cow)
		ret = rmm_cow_fill_inherited(r);
	if (!ret)
		ret = rmm_seal_objects(th, s);
	rmm_close_objects(th, s);
	for (int i = 0; i < s->nr_vmas && !ret; i++) {
		const struct rec_vma *v = s->vmas[i].v;

		if (rmm_special_index(v->flags) >= 0 || (!s->vmas[i].has_pages && !rmm_cow_placed(r, i)) ||
		    (v->prot & (PROT_READ | PROT_WRITE)) == (PROT_READ | PROT_WRITE))
			continue;
		ret = rmm_must(th, NULL, "set protection", v->start, SC_MPROTECT, v->start, v->end - v->start,
			       v->prot, 0, 0, 0);
	}
	if (!ret)
		ret = rmm_lock_vmas(th, s);
	if (!ret)
		ret = rmm_seal_vmas(th, s);
	if (!ret && ia32) {
		ret = rmm_enter_ia32(th, site_s, site_e);
		if (!ret)
			ret = cr_scratch(th, SCRATCH_LEN, &scratch);
	}
	if (!ret)
		ret = rmm_set_mm_fields(r, th, scratch);
out:
	free(sv);
	return ret;
}
