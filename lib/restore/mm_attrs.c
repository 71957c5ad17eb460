// SPDX-License-Identifier: MIT
/*
 * Memory transplant, the attributes of mappings once they are made:
 * madvise state, memory locks (mlock2, mlockall) and mseal.
 */
#include <sys/mman.h>

#include "cr.h"
#include "kernel_compat.h"
#include <sudcr/log.h>

#include "mm.h"

int rmm_add_mm_attrs(struct restore_ctx *r, struct restore_mm_state *s, const void *data, size_t len)
{
	const struct rec_mm_attrs *m = data;

	if (len != sizeof(*m) || s->attrs || (m->mlockall && !(m->mlockall & MCL_FUTURE)) ||
	    (m->mlockall & ~(uint32_t)(MCL_FUTURE | MCL_ONFAULT)) || m->flags)
		return img_record_invalid(r->img, "bad or repeated mm attributes record");
	s->attrs = m;
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

/* The madvise state of the mapping v, made just now. */
int rmm_advise_vma(struct cr_thread *th, const struct rec_vma *v)
{
	uint64_t len = v->end - v->start;
	int ret = 0;

	for (size_t i = 0; i < sizeof(advices) / sizeof(advices[0]) && !ret; i++)
		if (v->vmflags & advices[i].vmf)
			ret = rmm_must(th, NULL, "madvise", v->start, SC_MADVISE, v->start, len, advices[i].advice, 0, 0, 0);
	return ret;
}

/*
 * Locks last: mlockall(MCL_FUTURE | MCL_ONFAULT) without MCL_CURRENT
 * unlocks every mapping, and mlock faults pages in, which the copy does
 * better.
 */
int rmm_lock_vmas(struct cr_thread *th, struct restore_mm_state *s)
{
	int ret = 0;

	if (s->attrs && s->attrs->mlockall)
		ret = rmm_must(th, NULL, "mlockall", 0, SC_MLOCKALL, s->attrs->mlockall, 0, 0, 0, 0, 0);
	for (int i = 0; i < s->nr_vmas && !ret; i++) {
		const struct rec_vma *v = s->vmas[i].v;

		if (!(v->vmflags & PROC_VMF_LO) || rmm_special_index(v->flags) >= 0)
			continue;
		ret = rmm_must(th, NULL, "lock memory (mlock2)", v->start, SC_MLOCK2, v->start, v->end - v->start,
			       (v->vmflags & PROC_VMF_LF) ? MLOCK_ONFAULT : 0, 0, 0, 0);
	}
	return ret;
}

/* mseal()ed mappings (VmFlags sl) are sealed again once nothing changes them any more. */
int rmm_seal_vmas(struct cr_thread *th, struct restore_mm_state *s)
{
	int ret = 0;

	for (int i = 0; i < s->nr_vmas && !ret; i++) {
		const struct rec_vma *v = s->vmas[i].v;

		if ((v->vmflags & PROC_VMF_SL) && rmm_special_index(v->flags) < 0)
			ret = rmm_must(th, NULL, "seal a mapping (mseal)", v->start, SC_MSEAL, v->start,
				       v->end - v->start, 0, 0, 0, 0);
	}
	return ret;
}
