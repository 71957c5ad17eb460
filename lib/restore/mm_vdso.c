// SPDX-License-Identifier: MIT
/*
 * Memory transplant, the vDSO: the image's [vvar], [vvar_vclock] and
 * [vdso] mappings are not made but moved there from where the kernel put
 * the stub's.
 */
#include <errno.h>
#include <sys/mman.h>

#include "cr.h"
#include "kernel_compat.h"
#include <sudcr/log.h>

#include "mm.h"

static const uint32_t special_flag[3] = { REC_VMA_VVAR, REC_VMA_VVAR_VCLOCK, REC_VMA_VDSO };
const enum proc_vma_kind rmm_special_kind[3] = { VMA_VVAR, VMA_VVAR_VCLOCK, VMA_VDSO };

int rmm_special_index(uint32_t flags)
{
	for (int i = 0; i < 3; i++)
		if (flags & special_flag[i])
			return i;
	return -1;
}

/* Move the stub's vvar/vvar_vclock/vdso block to the image's addresses. */
int rmm_move_vdso(struct restore_ctx *r, struct cr_thread *th, const struct proc_vma *sv, int sn,
		  uint64_t temp)
{
	struct restore_mm_state *s = r->mm_state;
	const struct proc_vma *cur[3] = { NULL };
	uint64_t cur_addr[3], blk_s = UINT64_MAX, blk_e = 0, img_s = UINT64_MAX, img_e = 0;
	int ret;

	for (int i = 0; i < sn; i++)
		for (int k = 0; k < 3; k++)
			if (sv[i].kind == rmm_special_kind[k])
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
			ret = rmm_must(th, NULL, "move the vDSO", dst, SC_MREMAP, cur_addr[k], len, len,
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
