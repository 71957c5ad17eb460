/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_INJECT_H
#define SUDCR_INJECT_H

/*
 * Running syscalls inside a seized thread.
 *
 * inject_begin() saves everything injection could disturb (registers,
 * extended state, signal mask, SUD config, CPU affinity), blocks all
 * signals and switches SUD off, so injected syscalls run for real and
 * nothing is delivered in the middle.  Each injected call sets ip to a
 * syscall instruction that is not the target's code: the one in its vDSO,
 * or (x86-64 threads of a process that outlives sudcr) the one of a page
 * sudcr maps, whose code puts every saved item back by itself if the
 * thread is let go because sudcr died (see lib/inject_safety.c).  inject_end() queues again from inside the thread any
 * signal swallowed while stopping it, puts every saved item back, and
 * leaves the thread in an interrupt stop, ready to be detached.
 */

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>

#include <sudcr/api.h>
#include <sudcr/arch.h>
#include <sudcr/sud.h>
#include <sudcr/task.h>

struct inject_ctx {
	struct task_thread *t;
	enum arch_kind kind;
	bool active;
	bool at_syscall_exit;	/* regs are the injected call's, not saved ones */
	uint64_t sc_ip;		/* syscall instruction in the vDSO */
	uint64_t scratch;	/* page mapped in the target, 0 if none */
	size_t scratch_len;
	struct arch_regs saved_regs;
	struct arch_xstate *saved_xstate;
	uint64_t saved_mask;
	struct sud_config saved_sud;
	bool affinity_set;	/* the thread is pinned to pin_cpu */
	bool self_pinned;	/* sudcr is pinned to pin_cpu */
	int pin_cpu;
	cpu_set_t saved_self_cpus;
	cpu_set_t saved_target_cpus;
	/*
	 * The safety page (lib/inject_safety.c): the code that puts the
	 * saved state back if sudcr dies; 0 if none.  Injected calls then
	 * run at its syscall instruction; vdso_ip is the one in the vDSO.
	 */
	uint64_t safety;
	uint64_t vdso_ip;
	/*
	 * The mapping the safety pages are in, if this thread mapped it (0
	 * if it uses a slot of another thread's: inject_begin_shared()).
	 */
	uint64_t safety_area;
	size_t safety_area_len;
	uint64_t safety_slot;	/* the slot to take, before inject_begin_shared() installs it */
	/*
	 * What the fresh safety mapping showed of mlockall(): MCL_FUTURE if
	 * the kernel locked it, | MCL_ONFAULT if it did not fault it in; -1
	 * if unknown (no safety mapping of its own).  Only a new mapping
	 * shows it: the dump reads it here rather than map one more.
	 */
	int fresh_mcl;
	bool safety_pinning;
	bool poison_stack;	/* this call: rsp and rbp non-canonical (inject_safety.c) */
	bool regs_ready;	/* the next call's registers are already in (inject_begin()) */
	/*
	 * The bootstrap in the vDSO's padding that runs the mapping's mmap
	 * and munmap (inject_safety.c); 0 if none.
	 */
	uint64_t boot;
	uint64_t vdso_start, vdso_end;	/* the [vdso] mapping, as find_syscall_insn() saw it */
	/*
	 * The SUD config the thread goes through between its own and off
	 * (inject_safety.c): 0 none needed, 1 transit_sud, -1 none possible.
	 */
	int transit;
	struct sud_config transit_sud;
};

/* The thread must be in an interrupt stop. */
SUDCR_API int inject_begin(struct inject_ctx *c, struct task_thread *t);

/*
 * inject_begin() for thread @index of @nr threads of one process that are
 * all injected into at once: @index 0 (@first NULL) maps the safety pages
 * of all @nr in one call, the others take their slot in it (@first: the
 * context of thread 0) instead of mapping and unmapping one each, which
 * saves two injected calls per thread and makes their windows without a
 * safety page a few ptrace calls long (lib/inject_safety.c).  Thread 0's
 * inject_end() unmaps them all: end it last.
 */
SUDCR_API int inject_begin_shared(struct inject_ctx *c, struct task_thread *t,
				  const struct inject_ctx *first, int nr, int index);

/*
 * Run syscall @nr (number of the target's arch) and return its result in *ret.
 *
 * A call that blocks (pause, read of an empty pipe, nanosleep...) blocks
 * until sudcr_cancel() (task.h) is called on this thread, e.g. from a
 * SIGINT/SIGTERM handler: the call is then interrupted in the target
 * (PTRACE_INTERRUPT) and inject_syscall() returns -EINTR without printing.
 * The call is abandoned, not restarted; *ret is not set.  The thread stays
 * stopped with the injection active: further calls can be injected, and
 * inject_end() puts everything back as for any other call, so the thread
 * goes on as it was before inject_begin().  (If the thread was itself in a
 * restartable sleep, abandoning a call that also uses the restart block
 * makes it restart its own call from its arguments.)  A request that comes
 * after the call has returned changes nothing: its result is returned as
 * usual.  A request made before the call started does not stop it:
 * callers check sudcr_cancel_requested() first (cleanup code injects
 * calls after a request too).
 */
SUDCR_API int inject_syscall(struct inject_ctx *c, long nr, const uint64_t args[6], int64_t *ret);

/* Convenience: arguments as a list. */
SUDCR_API int inject_syscall6(struct inject_ctx *c, long nr, int64_t *ret, uint64_t a0, uint64_t a1,
			      uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);

/* Map (once) a private RW scratch area of at least @len bytes in the target. */
SUDCR_API int inject_scratch(struct inject_ctx *c, size_t len, uint64_t *addr);

/*
 * Map the scratch area at a fixed @addr (MAP_FIXED_NOREPLACE), for callers
 * that are about to lay out the whole address space themselves.
 */
SUDCR_API int inject_scratch_at(struct inject_ctx *c, uint64_t addr, size_t len);

/*
 * The vDSO moved from @old_start (@len bytes) to @new_start (restore moves
 * it): follow it if the injection site is in it.
 */
SUDCR_API void inject_vdso_moved(struct inject_ctx *c, uint64_t old_start, uint64_t len,
				 uint64_t new_start);

/*
 * Inject through the syscall instruction at @ip from now on, one of the
 * caller's own: the restore of an ia32 process uses one of sudcr's while
 * the new process has no vDSO.
 */
SUDCR_API void inject_set_site(struct inject_ctx *c, uint64_t ip);

/*
 * Run the injections that follow in @kind mode (64-bit or 32-bit), through
 * the syscall instruction of that kind in the thread's vDSO.  The restore
 * of an ia32 process switches its stub, a fork of the 64-bit sudcr, this
 * way: the kernel keys compat behaviour (the ia32 signal frames of
 * actions set by an ia32 rt_sigaction, the compat robust list) on the
 * kind of the syscall that set it.
 */
SUDCR_API int inject_set_kind(struct inject_ctx *c, enum arch_kind kind);

/* Copy memory to / from the target (process_vm_writev / readv). */
SUDCR_API int inject_write_mem(pid_t tid, uint64_t addr, const void *buf, size_t len);
SUDCR_API int inject_read_mem(pid_t tid, uint64_t addr, void *buf, size_t len);

/*
 * Queue @si to the thread from inside it (rt_tgsigqueueinfo to itself), so
 * it arrives with the full siginfo, si_code > 0 included.
 */
SUDCR_API int inject_queue_signal(struct inject_ctx *c, const siginfo_t *si);

/* Put everything back; the thread is left in an interrupt stop. */
SUDCR_API int inject_end(struct inject_ctx *c);

/*
 * Forget an injection without touching the thread (it is being killed):
 * frees the context and puts sudcr's own CPU affinity back.
 */
SUDCR_API void inject_abandon(struct inject_ctx *c);

/*
 * Queue again the signals task_seize_thread() swallowed, without other
 * injection; a no-op when there are none.  Used before detaching.
 */
SUDCR_API int inject_requeue_intercepted(struct task_thread *t);

#endif
