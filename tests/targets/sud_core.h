/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_TESTS_SUD_CORE_H
#define SUDCR_TESTS_SUD_CORE_H

/*
 * The counting core of a program that uses Syscall User Dispatch and checks,
 * call by call, that its interception works (x86-64 and ia32).  Shared by
 * tests/targets/sud_target.c and the SUD programs of tests/progs/.
 *
 * sud_one_call() issues getppid as a raw syscall from one call site (the
 * "sud_intercept" section).  When SUD dispatches it, the SIGSYS handler
 * counts it in sud_hits and answers SUD_MAGIC + hits; the caller counts
 * sud_calls and expects exactly SUD_MAGIC + calls.  So a call whose
 * interception was lost (a real getppid returns a PID), and a handler run
 * for a call the program did not make (e.g. a syscall injected by a tracer
 * and dispatched), are both seen: the first as a wrong value, the second
 * as hits != calls and a wrong value for every later call.  Anything
 * unexpected counts in sud_bad.
 *
 * Setups (sud_core_arm() after sud_core_install_handler()):
 *   SUD_SELECTOR   exclusive, no range, selector byte: ALLOW normally,
 *                  BLOCK just before each getppid; the handler sets ALLOW
 *                  first (sud_toggling).
 *   SUD_RANGE      exclusive, allowed range = the "sud_allowed" section, no
 *                  selector: every syscall issued elsewhere is dispatched.
 *                  Every other syscall of the program, and rt_sigreturn
 *                  (our own restorer), must go through sud_allowed_syscall().
 *   SUD_RANGE_SELECTOR  exclusive, allowed range "sud_allowed" and a
 *                  selector, armed at BLOCK: every syscall issued outside
 *                  the range is dispatched.  The handler leaves the
 *                  selector alone; with ALLOW nothing is dispatched.
 *   SUD_INCLUSIVE  inclusive mode: syscalls issued from the "sud_intercept"
 *                  section are dispatched.
 *
 * The handler and sud_one_call() call no libc function: in the range
 * setups any libc syscall would be dispatched.
 */

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/ucontext.h>

#include "kernel_compat.h"

#include "sud_raw.h"

#define SUD_MAGIC	0x5D000000UL
#define SUD_PID_LIMIT	4194304L	/* PID_MAX_LIMIT: real PIDs are below it */

#ifdef __x86_64__
#define SUD_REG_IP REG_RIP
#define SUD_REG_AX REG_RAX
#else
#define SUD_REG_IP REG_EIP
#define SUD_REG_AX REG_EAX
#endif

/* noipa: no inlining or cloning that could move the syscall elsewhere. */
#define IN_ALLOWED   __attribute__((section("sud_allowed"), noipa, used))
#define IN_INTERCEPT __attribute__((section("sud_intercept"), noipa, used))

#define SUD_HIDDEN __attribute__((visibility("hidden")))
extern const char __start_sud_allowed[] SUD_HIDDEN, __stop_sud_allowed[] SUD_HIDDEN;
extern const char __start_sud_intercept[] SUD_HIDDEN, __stop_sud_intercept[] SUD_HIDDEN;
extern const char sud_restorer[] SUD_HIDDEN;

/* The restorer the handler returns to; it must be in the allowed range. */
asm(".pushsection sud_allowed,\"ax\",@progbits\n"
    ".globl sud_restorer\n"
    ".hidden sud_restorer\n"
    ".type sud_restorer,@function\n"
    "sud_restorer:\n\t"
    SUD_RAW_SIGRETURN_ASM
    ".size sud_restorer,.-sud_restorer\n"
    ".popsection\n");

enum sud_setup {
	SUD_SELECTOR,
	SUD_RANGE,
	SUD_RANGE_SELECTOR,
	SUD_INCLUSIVE,
};

/* Set once during setup. */
static int sud_intercepting;		/* sud_one_call()'s getppid is dispatched */
static int sud_toggling;		/* sud_one_call() toggles the selector */
static volatile unsigned char *sud_selector;
static volatile unsigned char sud_selector_byte;

static volatile unsigned long sud_hits;	/* handler: dispatched getppid calls */
static volatile unsigned long sud_bad;	/* handler and caller: anything wrong */
static unsigned long sud_calls;		/* caller: getppid calls made */

/* Every syscall made while a range setup is armed goes through here. */
IN_ALLOWED static long sud_allowed_syscall5(long nr, long a1, long a2, long a3, long a4, long a5)
{
	return sud_raw_syscall5(nr, a1, a2, a3, a4, a5);
}

static inline long sud_allowed_syscall(long nr, long a1, long a2, long a3, long a4)
{
	return sud_allowed_syscall5(nr, a1, a2, a3, a4, 0);
}

/* The one call site that SUD is meant to dispatch. */
IN_INTERCEPT static long sud_intercepted_getppid(void)
{
	return sud_raw_syscall0(__NR_getppid);
}

static void sud_on_sigsys(int sig, siginfo_t *si, void *ctx)
{
	greg_t *gregs = ((ucontext_t *)ctx)->uc_mcontext.gregs;
	unsigned long ip = (unsigned long)gregs[SUD_REG_IP];

	if (sud_toggling)
		*sud_selector = SYSCALL_DISPATCH_FILTER_ALLOW;

	/*
	 * A dispatch from our site leaves ip right after its syscall
	 * instruction, and reports that address as si_call_addr.
	 */
	if (!sud_intercepting || sig != SIGSYS || si->si_code != SYS_USER_DISPATCH ||
	    si->si_syscall != __NR_getppid || (unsigned int)si->si_arch != SUD_RAW_AUDIT_ARCH ||
	    (unsigned long)si->si_call_addr != ip || ip <= (unsigned long)__start_sud_intercept ||
	    ip > (unsigned long)__stop_sud_intercept) {
		sud_bad++;
		/* Only a dispatched syscall has a result to give. */
		if (si->si_code == SYS_USER_DISPATCH)
			gregs[SUD_REG_AX] = -ENOSYS;
		return;
	}
	sud_hits++;
	gregs[SUD_REG_AX] = (greg_t)(SUD_MAGIC + sud_hits);
}

/* One getppid from the intercepted site, checked. */
static inline void sud_one_call(void)
{
	unsigned long want = SUD_MAGIC + sud_calls + 1;
	long r;

	if (sud_toggling)
		*sud_selector = SYSCALL_DISPATCH_FILTER_BLOCK;
	r = sud_intercepted_getppid();
	sud_calls++;
	if (sud_intercepting) {
		if ((unsigned long)r != want)
			sud_bad++;
		if (sud_toggling && *sud_selector != SYSCALL_DISPATCH_FILTER_ALLOW) {
			/* The handler did not run. */
			sud_bad++;
			*sud_selector = SYSCALL_DISPATCH_FILTER_ALLOW;
		}
	} else if (r < 0 || r >= SUD_PID_LIMIT) {
		sud_bad++;
	}
}

/* SIGSYS -> sud_on_sigsys, by a raw rt_sigaction: the kernel returns through our restorer. */
static inline long sud_core_install_handler(void)
{
	struct sud_raw_sigaction sa = {
		.handler = (void *)sud_on_sigsys,
		.flags = SUD_RAW_SA_SIGINFO | SUD_RAW_SA_RESTORER,
		.restorer = (void *)sud_restorer,
	};

	return sud_allowed_syscall(__NR_rt_sigaction, SIGSYS, (long)&sa, 0, 8);
}

static inline long sud_core_prctl(unsigned long mode, const char *start, const char *end,
				  volatile unsigned char *sel)
{
	return sud_allowed_syscall5(__NR_prctl, PR_SET_SYSCALL_USER_DISPATCH, mode, (long)start,
				    (long)(end - start), (long)sel);
}

/*
 * Arm SUD for @setup; @sel is the selector byte for the selector setups
 * (NULL: our own static one).  Returns 0 or a negative errno.
 */
static inline long sud_core_arm(enum sud_setup setup, volatile unsigned char *sel)
{
	switch (setup) {
	case SUD_SELECTOR:
		sud_intercepting = sud_toggling = 1;
		sud_selector = sel ? sel : &sud_selector_byte;
		*sud_selector = SYSCALL_DISPATCH_FILTER_ALLOW;
		return sud_core_prctl(PR_SYS_DISPATCH_EXCLUSIVE_ON, NULL, NULL, sud_selector);
	case SUD_RANGE:
		sud_intercepting = 1;
		return sud_core_prctl(PR_SYS_DISPATCH_EXCLUSIVE_ON, __start_sud_allowed, __stop_sud_allowed,
				      NULL);
	case SUD_RANGE_SELECTOR:
		sud_intercepting = 1;
		sud_selector = sel ? sel : &sud_selector_byte;
		*sud_selector = SYSCALL_DISPATCH_FILTER_BLOCK;
		return sud_core_prctl(PR_SYS_DISPATCH_EXCLUSIVE_ON, __start_sud_allowed, __stop_sud_allowed,
				      sud_selector);
	case SUD_INCLUSIVE:
		sud_intercepting = 1;
		return sud_core_prctl(PR_SYS_DISPATCH_INCLUSIVE_ON, __start_sud_intercept,
				      __stop_sud_intercept, NULL);
	}
	return -EINVAL;
}

/*
 * A seccomp filter that kills the process on a real getppid of our arch:
 * the loop's getppid calls are dispatched by SUD before seccomp sees them,
 * so the process lives exactly as long as every one of them is
 * intercepted, and no getppid injected from outside runs with seccomp on.
 * Returns 0, or -1 with errno set.  Call before arming SUD.
 */
static inline int sud_core_kill_on_getppid(void)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SUD_RAW_AUDIT_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(filter) / sizeof(filter[0]),
		.filter = filter,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
}

/* SUD off, from the allowed range (works in every setup). */
static inline long sud_core_disarm(void)
{
	return sud_allowed_syscall5(__NR_prctl, PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_OFF, 0, 0, 0);
}

#endif
