/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_ARCH_H
#define SUDCR_ARCH_H

/*
 * Architecture layer (x86-64, with ia32 compat tasks).  Generic code sees
 * registers only through these functions and struct arch_regs.
 */

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <signal.h>
#include <sys/user.h>

#include <sudcr/api.h>

enum arch_kind {
	ARCH_X86_64 = 0,
	ARCH_IA32 = 1,
};

struct arch_regs {
	struct user_regs_struct r;	/* 64-bit view, also for ia32 tasks */
};

/* Extended (FPU/SSE/AVX/AVX-512) state as NT_X86_XSTATE gives it. */
#define ARCH_XSTATE_MAX 16384
struct arch_xstate {
	size_t len;
	uint8_t buf[ARCH_XSTATE_MAX] __attribute__((aligned(64)));
};

SUDCR_API const char *arch_name(enum arch_kind kind);

SUDCR_API int arch_get_regs(pid_t tid, struct arch_regs *regs);
SUDCR_API int arch_set_regs(pid_t tid, const struct arch_regs *regs);
SUDCR_API int arch_get_xstate(pid_t tid, struct arch_xstate *xs);
SUDCR_API int arch_set_xstate(pid_t tid, const struct arch_xstate *xs);

/* Which kind of task the registers belong to (from the code segment). */
SUDCR_API enum arch_kind arch_regs_kind(const struct arch_regs *regs);
/*
 * Make @regs those of a @kind task: the user code and data segment
 * selectors of that mode (ia32: ip and sp cut to 32 bits).  Used to move a
 * thread between 64-bit and 32-bit mode with PTRACE_SETREGS.
 */
SUDCR_API void arch_regs_set_kind(struct arch_regs *regs, enum arch_kind kind);

/*
 * The thread-local storage entries of the GDT (set_thread_area(2)), which
 * ia32 threads point %gs at: struct user_desc of each, as
 * PTRACE_GET_THREAD_AREA gives it.
 */
#define ARCH_TLS_ENTRIES 3
#define ARCH_TLS_FIRST 12	/* GDT_ENTRY_TLS_MIN on x86-64 */
struct arch_tls_desc {
	uint32_t entry_number;
	uint32_t base_addr;
	uint32_t limit;
	uint32_t flags;		/* the bit fields of struct user_desc */
};
SUDCR_API int arch_get_tls(pid_t tid, struct arch_tls_desc tls[ARCH_TLS_ENTRIES]);
SUDCR_API int arch_set_tls(pid_t tid, const struct arch_tls_desc tls[ARCH_TLS_ENTRIES]);

SUDCR_API uint64_t arch_regs_ip(const struct arch_regs *regs);
SUDCR_API uint64_t arch_regs_sp(const struct arch_regs *regs);

/*
 * Prepare @regs to run syscall @nr with @args at the syscall instruction at
 * @ip.  orig_ax is set to -1 so that no syscall restart logic applies to
 * the prepared state.
 */
SUDCR_API void arch_setup_syscall(struct arch_regs *regs, enum arch_kind kind, uint64_t ip, long nr,
				  const uint64_t args[6]);
/* The syscall's return value, sign-extended (negative errno on error). */
SUDCR_API int64_t arch_syscall_result(const struct arch_regs *regs, enum arch_kind kind);
/* The syscall number at a syscall-entry stop. */
SUDCR_API long arch_syscall_nr(const struct arch_regs *regs);

/*
 * Find a syscall instruction (syscall for x86-64, int $0x80 for ia32) in
 * the vDSO of @tid; @vdso_start/@vdso_len is the [vdso] mapping.
 */
SUDCR_API int arch_find_syscall_insn(pid_t tid, enum arch_kind kind, uint64_t vdso_start,
				     size_t vdso_len, uint64_t *ip);

/* Syscall numbers by name and back, per kind of task; -1 / NULL if unknown. */
SUDCR_API long arch_syscall_by_name(enum arch_kind kind, const char *name);
SUDCR_API const char *arch_syscall_name(enum arch_kind kind, long nr);

/*
 * Numbers the generic code injects, per kind: the one way to name a
 * syscall.  Both number columns are generated at build time from the
 * installed <asm/unistd_{64,32}.h> (Makefile, sc_nr_%.inc): SC_FOO is
 * __NR_foo, or the name after "ia32:" in its comment for ia32 tasks; -1
 * where the kind has no such syscall.
 */
enum arch_sc {
	SC_MMAP,		/* ia32: mmap2 (offset in pages) */
	SC_MUNMAP,
	SC_MPROTECT,
	SC_MREMAP,
	SC_GETPID,
	SC_GETTID,
	SC_RT_TGSIGQUEUEINFO,
	SC_RT_SIGACTION,
	SC_PRCTL,
	SC_CLOSE,
	SC_EXIT,
	SC_UMASK,
	SC_PERSONALITY,
	SC_PRLIMIT64,
	SC_GETITIMER,
	SC_SETITIMER,
	SC_TIMER_CREATE,
	SC_TIMER_DELETE,
	SC_TIMER_GETTIME,
	SC_TIMER_SETTIME,
	SC_TIMER_GETTIME64,	/* ia32 only: timer_gettime with a 64-bit itimerspec */
	SC_TIMER_SETTIME64,	/* ia32 only */
	SC_GET_ROBUST_LIST,
	SC_SET_ROBUST_LIST,
	SC_SET_TID_ADDRESS,
	SC_RSEQ,
	SC_CLONE3,
	SC_RESTART_SYSCALL,
	SC_SECCOMP,
	SC_CHROOT,
	SC_SIGALTSTACK,
	SC_RT_SIGQUEUEINFO,
	SC_MEMBARRIER,
	SC_ARCH_PRCTL,
	SC_OPENAT,
	SC_DUP3,
	SC_FCNTL,
	SC_LSEEK,
	SC_CAPSET,
	SC_SETGROUPS,		/* ia32: setgroups32 (32-bit ids) */
	SC_SETRESGID,		/* ia32: setresgid32 */
	SC_SETFSGID,		/* ia32: setfsgid32 */
	SC_SETRESUID,		/* ia32: setresuid32 */
	SC_SETFSUID,		/* ia32: setfsuid32 */
	/* the memory dump and transplant (lib/dump/mm*.c, lib/restore/mm*.c) */
	SC_BRK,
	SC_FTRUNCATE,
	SC_MADVISE,
	SC_MEMFD_CREATE,
	SC_MLOCK2,
	SC_MLOCKALL,
	SC_MSEAL,		/* nr: 462 (6.10+; not in older installed headers) */
	SC_UNLINKAT,
	SC_SHMAT,
	/* process trees (lib/restore/tree.c) */
	SC_SETPGID,
	SC_WAIT4,
	SC__MAX,
};
SUDCR_API long arch_sc_nr(enum arch_kind kind, enum arch_sc sc);

/*
 * Lay out @si (native 64-bit siginfo) as a task of @kind expects it in
 * memory, for rt_tgsigqueueinfo from inside the task (128 bytes either way).
 */
SUDCR_API void arch_siginfo_for_task(enum arch_kind kind, const siginfo_t *si, uint8_t out[128]);

/*
 * struct sigaction as rt_sigaction(2) takes it, and stack_t, for x86-64 and
 * ia32 tasks.  The ia32 ones are packed: compat_sigset_t is two 32-bit
 * words at offset 12.
 */
struct ksigaction64 {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

struct ksigaction32 {
	uint32_t handler;
	uint32_t flags;
	uint32_t restorer;
	uint32_t mask[2];
} __attribute__((packed));

struct kstack64 {
	uint64_t sp;
	int32_t flags;
	int32_t pad;
	uint64_t size;
};

struct kstack32 {
	uint32_t sp;
	int32_t flags;
	uint32_t size;
};

#endif
