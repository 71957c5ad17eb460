/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_TESTS_SUD_RAW_H
#define SUDCR_TESTS_SUD_RAW_H

/*
 * Raw system calls for test targets, x86-64 ("syscall") and ia32
 * ("int $0x80"), without libc.  These are always inlined: the syscall
 * instruction lands in the function that uses them, and a target that runs
 * under Syscall User Dispatch chooses where its syscalls are issued from by
 * choosing which (non-inlined) function uses them.  Syscall numbers come
 * from <sys/syscall.h>, which gives the ia32 table under -m32.
 *
 * Results are the kernel's: a negative errno on error, errno is not set.
 */

#include <sys/syscall.h>

#if !defined(__x86_64__) && !defined(__i386__)
#error "sud_raw.h: x86-64 or ia32 only"
#endif

#define SUD_RAW_ALWAYS_INLINE static inline __attribute__((always_inline))

#ifdef __x86_64__

SUD_RAW_ALWAYS_INLINE long sud_raw_syscall0(long nr)
{
	long ret;

	asm volatile("syscall" : "=a"(ret) : "a"(nr) : "rcx", "r11", "memory");
	return ret;
}

SUD_RAW_ALWAYS_INLINE long sud_raw_syscall1(long nr, long a1)
{
	long ret;

	asm volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a1) : "rcx", "r11", "memory");
	return ret;
}

SUD_RAW_ALWAYS_INLINE long sud_raw_syscall2(long nr, long a1, long a2)
{
	long ret;

	asm volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a1), "S"(a2) : "rcx", "r11", "memory");
	return ret;
}

SUD_RAW_ALWAYS_INLINE long sud_raw_syscall3(long nr, long a1, long a2, long a3)
{
	long ret;

	asm volatile("syscall"
		     : "=a"(ret)
		     : "a"(nr), "D"(a1), "S"(a2), "d"(a3)
		     : "rcx", "r11", "memory");
	return ret;
}

SUD_RAW_ALWAYS_INLINE long sud_raw_syscall4(long nr, long a1, long a2, long a3, long a4)
{
	register long r10 asm("r10") = a4;
	long ret;

	asm volatile("syscall"
		     : "=a"(ret)
		     : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10)
		     : "rcx", "r11", "memory");
	return ret;
}

SUD_RAW_ALWAYS_INLINE long sud_raw_syscall5(long nr, long a1, long a2, long a3, long a4, long a5)
{
	register long r10 asm("r10") = a4;
	register long r8 asm("r8") = a5;
	long ret;

	asm volatile("syscall"
		     : "=a"(ret)
		     : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8)
		     : "rcx", "r11", "memory");
	return ret;
}

/* Body of an rt_sigreturn restorer (entered with sp at the signal frame). */
#define SUD_RAW_SIGRETURN_ASM "movl $15, %eax\n\tsyscall\n\thlt\n"

#define SUD_RAW_AUDIT_ARCH 0xc000003eU	/* AUDIT_ARCH_X86_64 */

#else /* __i386__ */

SUD_RAW_ALWAYS_INLINE long sud_raw_syscall0(long nr)
{
	long ret;

	asm volatile("int $0x80" : "=a"(ret) : "a"(nr) : "memory");
	return ret;
}

SUD_RAW_ALWAYS_INLINE long sud_raw_syscall1(long nr, long a1)
{
	long ret;

	asm volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a1) : "memory");
	return ret;
}

SUD_RAW_ALWAYS_INLINE long sud_raw_syscall2(long nr, long a1, long a2)
{
	long ret;

	asm volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a1), "c"(a2) : "memory");
	return ret;
}

SUD_RAW_ALWAYS_INLINE long sud_raw_syscall3(long nr, long a1, long a2, long a3)
{
	long ret;

	asm volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a1), "c"(a2), "d"(a3) : "memory");
	return ret;
}

SUD_RAW_ALWAYS_INLINE long sud_raw_syscall4(long nr, long a1, long a2, long a3, long a4)
{
	long ret;

	asm volatile("int $0x80"
		     : "=a"(ret)
		     : "a"(nr), "b"(a1), "c"(a2), "d"(a3), "S"(a4)
		     : "memory");
	return ret;
}

SUD_RAW_ALWAYS_INLINE long sud_raw_syscall5(long nr, long a1, long a2, long a3, long a4, long a5)
{
	long ret;

	asm volatile("int $0x80"
		     : "=a"(ret)
		     : "a"(nr), "b"(a1), "c"(a2), "d"(a3), "S"(a4), "D"(a5)
		     : "memory");
	return ret;
}

/* rt_sigreturn is 173 in the ia32 table. */
#define SUD_RAW_SIGRETURN_ASM "movl $173, %eax\n\tint $0x80\n\thlt\n"

#define SUD_RAW_AUDIT_ARCH 0x40000003U	/* AUDIT_ARCH_I386 */

#endif

/*
 * The kernel's struct sigaction for rt_sigaction(2).  Same field order on
 * both ABIs; the mask is 8 bytes (sigsetsize 8) and, being the last field,
 * needs no padding on ia32 either.
 */
struct sud_raw_sigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	unsigned long long mask;
};

#define SUD_RAW_SA_SIGINFO  0x00000004UL
#define SUD_RAW_SA_RESTORER 0x04000000UL

#endif
