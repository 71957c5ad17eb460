/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_INJECT_SAFETY_H
#define SUDCR_INJECT_SAFETY_H

/*
 * The safety page: what makes an injection undo itself if sudcr dies.
 * Private to inject.c; see inject_safety.c for the model.
 */

#include <sudcr/inject.h>

/*
 * The safety mapping: the page of code and saved context, then the
 * scratch area of the injected calls (inject_scratch() uses it for any
 * request that fits).
 */
#define SAFETY_SCRATCH_OFF	4096
#define SAFETY_SCRATCH_LEN	8192
#define SAFETY_LEN		(SAFETY_SCRATCH_OFF + SAFETY_SCRATCH_LEN)

/* Whether the thread gets a safety page: an x86-64 thread that outlives us. */
bool safety_wanted(const struct inject_ctx *c);

/*
 * A thread that takes a slot of another thread's mapping: write its code
 * and saved context there before anything of the thread changes.
 */
int safety_prepare_slot(struct inject_ctx *c);

/* The arguments of the mmap safety_map() injects. */
void safety_map_args(const struct inject_ctx *c, uint64_t args[6]);

/*
 * Map the page (one injected mmap through the vDSO: SUD must already be
 * off), write the restore code and the saved context, and point the
 * thread's registers at it.  -EOPNOTSUPP: the process may not map it
 * (memory-deny-write-execute, an LSM); nothing was changed then.
 */
int safety_map(struct inject_ctx *c);

/*
 * Unmap the safety mappings a killed sudcr left in the process (found by
 * their code; none that a thread still runs or may return to), through
 * the thread's own safety page: the next sudcr to touch a process removes
 * what a killed one left.
 */
int safety_clear_leftovers(struct inject_ctx *c);

/* Write the saved context again (saved_regs changed, CPU pinning). */
int safety_update(struct inject_ctx *c);

/*
 * Unmap the page (the last injected call, through the vDSO) and, at that
 * call's exit stop, put back the thread's SUD config and signal mask; the
 * caller then puts back the affinity, and safety_resume_here() the
 * registers (restart applied): what a thread released there runs with.
 */
int safety_unmap(struct inject_ctx *c);
int safety_resume_here(struct inject_ctx *c);

#endif
