// SPDX-License-Identifier: MIT
/*
 * Memory transplant, the switch to ia32: the stub is 64-bit, so an ia32
 * image's transplant runs as x86-64 syscalls until its end.  The stub's
 * vDSO is replaced by the 32-bit one (arch_prctl(ARCH_MAP_VDSO_32), only
 * while no vDSO is mapped: through a syscall instruction of sudcr's own),
 * and at the end the thread goes to 32-bit mode.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cr.h"
#include "kernel_compat.h"
#include <sudcr/log.h>

#include "mm.h"

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

/* The stub's mapping that holds sudcr's own syscall instruction. */
int rmm_own_site_mapping(struct restore_ctx *r, const struct proc_vma *sv, int sn, uint64_t *start,
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
 * image has it (rmm_move_vdso() moves it if the kernel put it elsewhere), and
 * read the maps again into *sv.
 */
int rmm_map_vdso32(struct restore_ctx *r, struct cr_thread *th, struct proc_vma **sv, int *sn)
{
	struct restore_mm_state *s = r->mm_state;
	uint64_t at = UINT64_MAX;
	int ret = 0;

	inject_set_site(&th->inj, (uintptr_t)sudcr_restore_syscall_insn);
	for (int i = 0; i < *sn && !ret; i++) {
		const struct proc_vma *v = &(*sv)[i];

		if (v->kind == VMA_VDSO || v->kind == VMA_VVAR || v->kind == VMA_VVAR_VCLOCK)
			ret = rmm_must(th, NULL, "unmap the 64-bit vDSO", v->start, SC_MUNMAP, v->start,
				       v->end - v->start, 0, 0, 0, 0);
	}
	if (ret)
		return ret;
	for (int k = 0; k < 3; k++)
		if (s->special[k] && s->special[k]->start < at)
			at = s->special[k]->start;
	ret = rmm_must(th, NULL, "map the 32-bit vDSO (arch_prctl ARCH_MAP_VDSO_32)", at, SC_ARCH_PRCTL,
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
int rmm_enter_ia32(struct cr_thread *th, uint64_t site_s, uint64_t site_e)
{
	int ret;

	ret = rmm_must(th, NULL, "unmap the scratch area", th->inj.scratch, SC_MUNMAP, th->inj.scratch,
		       th->inj.scratch_len, 0, 0, 0, 0);
	if (ret)
		return ret;
	th->inj.scratch = 0;
	th->inj.scratch_len = 0;
	ret = rmm_must(th, NULL, "unmap sudcr's code", site_s, SC_MUNMAP, site_s, site_e - site_s, 0, 0, 0, 0);
	if (!ret)
		ret = inject_set_kind(&th->inj, ARCH_IA32);
	return ret;
}
