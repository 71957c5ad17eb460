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

/* Read or write the thread's memory through /proc/TID/mem (inject.c). */
int inject_mem_forced(pid_t tid, uint64_t addr, void *buf, size_t len, bool write);

/* Whether the thread gets a safety page: an x86-64 thread that outlives us. */
bool safety_wanted(const struct inject_ctx *c);

/*
 * Before anything of the thread changes: write what a thread let go runs
 * (a slot's code and saved context; for thread 0, the bootstrap in the
 * vDSO of the mapping's mmap), and choose its transit SUD config.  Takes
 * a config a killed sudcr left for the one it stood for.
 */
int safety_prepare(struct inject_ctx *c);
void safety_unprepare(struct inject_ctx *c);

/*
 * The transit config, then the registers of what a thread let go runs:
 * the mmap of the mapping through the bootstrap, or the slot's restore
 * code.  SUD off comes after (inject_begin_shared()).
 */
int safety_enter(struct inject_ctx *c);

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
 * Leave the page: unmap the mapping (the last injected call, through the
 * bootstrap), then put back the signal mask, the registers (restart
 * applied) and the SUD config, in an order where the thread, let go at
 * any step, puts back the rest itself; the caller puts back the affinity
 * before.
 */
int safety_unmap(struct inject_ctx *c);

#endif
