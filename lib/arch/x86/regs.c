// SPDX-License-Identifier: MIT
/* x86 registers and syscall entry for x86-64 and ia32 tasks. */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>

#include <sudcr/arch.h>
#include <sudcr/log.h>

#ifndef NT_X86_XSTATE
#define NT_X86_XSTATE 0x202
#endif

/* User segment selectors of the two kinds of task (__USER32_CS, __USER_CS, __USER_DS). */
#define X86_CS_IA32 0x23
#define X86_CS_64 0x33
#define X86_DS_USER 0x2b

const char *arch_name(enum arch_kind kind)
{
	return kind == ARCH_IA32 ? "ia32" : "x86_64";
}

int arch_get_regs(pid_t tid, struct arch_regs *regs)
{
	if (ptrace(PTRACE_GETREGS, tid, NULL, &regs->r))
		return -errno;
	return 0;
}

int arch_set_regs(pid_t tid, const struct arch_regs *regs)
{
	if (ptrace(PTRACE_SETREGS, tid, NULL, &regs->r))
		return -errno;
	return 0;
}

int arch_get_xstate(pid_t tid, struct arch_xstate *xs)
{
	struct iovec iov = { xs->buf, sizeof(xs->buf) };

	if (ptrace(PTRACE_GETREGSET, tid, (void *)NT_X86_XSTATE, &iov))
		return -errno;
	xs->len = iov.iov_len;
	return 0;
}

int arch_set_xstate(pid_t tid, const struct arch_xstate *xs)
{
	struct iovec iov = { (void *)xs->buf, xs->len };

	if (ptrace(PTRACE_SETREGSET, tid, (void *)NT_X86_XSTATE, &iov))
		return -errno;
	return 0;
}

enum arch_kind arch_regs_kind(const struct arch_regs *regs)
{
	return regs->r.cs == X86_CS_IA32 ? ARCH_IA32 : ARCH_X86_64;
}

void arch_regs_set_kind(struct arch_regs *regs, enum arch_kind kind)
{
	struct user_regs_struct *r = &regs->r;

	r->ss = X86_DS_USER;
	if (kind == ARCH_IA32) {
		/* A 32-bit thread also needs usable data segments. */
		r->cs = X86_CS_IA32;
		r->ds = r->es = X86_DS_USER;
		r->rip = (uint32_t)r->rip;
		r->rsp = (uint32_t)r->rsp;
	} else {
		r->cs = X86_CS_64;
	}
}

/* struct user_desc with its bit fields (seg_32bit ... useable, lm) as one word. */
struct x86_user_desc {
	uint32_t entry_number, base_addr, limit, flags;
};

int arch_get_tls(pid_t tid, struct arch_tls_desc tls[ARCH_TLS_ENTRIES])
{
	for (int i = 0; i < ARCH_TLS_ENTRIES; i++) {
		struct x86_user_desc d;

		memset(&d, 0, sizeof(d));
		if (ptrace(PTRACE_GET_THREAD_AREA, tid, (void *)(long)(ARCH_TLS_FIRST + i), &d))
			return -errno;
		tls[i] = (struct arch_tls_desc){ ARCH_TLS_FIRST + i, d.base_addr, d.limit, d.flags };
	}
	return 0;
}

int arch_set_tls(pid_t tid, const struct arch_tls_desc tls[ARCH_TLS_ENTRIES])
{
	for (int i = 0; i < ARCH_TLS_ENTRIES; i++) {
		struct x86_user_desc d = { ARCH_TLS_FIRST + i, tls[i].base_addr, tls[i].limit,
					   tls[i].flags };

		if (ptrace(PTRACE_SET_THREAD_AREA, tid, (void *)(long)(ARCH_TLS_FIRST + i), &d))
			return -errno;
	}
	return 0;
}

uint64_t arch_regs_ip(const struct arch_regs *regs)
{
	return regs->r.rip;
}

uint64_t arch_regs_sp(const struct arch_regs *regs)
{
	return regs->r.rsp;
}

void arch_setup_syscall(struct arch_regs *regs, enum arch_kind kind, uint64_t ip, long nr,
			const uint64_t a[6])
{
	struct user_regs_struct *r = &regs->r;

	r->rip = ip;
	r->rax = nr;
	r->orig_rax = -1;
	if (kind == ARCH_IA32) {
		r->rbx = (uint32_t)a[0];
		r->rcx = (uint32_t)a[1];
		r->rdx = (uint32_t)a[2];
		r->rsi = (uint32_t)a[3];
		r->rdi = (uint32_t)a[4];
		r->rbp = (uint32_t)a[5];
	} else {
		r->rdi = a[0];
		r->rsi = a[1];
		r->rdx = a[2];
		r->r10 = a[3];
		r->r8 = a[4];
		r->r9 = a[5];
	}
}

int64_t arch_syscall_result(const struct arch_regs *regs, enum arch_kind kind)
{
	if (kind == ARCH_IA32)
		return (int32_t)regs->r.rax;
	return (int64_t)regs->r.rax;
}

long arch_syscall_nr(const struct arch_regs *regs)
{
	return (long)regs->r.orig_rax;
}

/*
 * The kernel's own syscall fallbacks in the vDSO load the number with
 * "mov $imm32, %eax" (b8 imm32) right before the syscall instruction, and
 * the ia32 sigreturn trampoline is "mov $119, %eax; int $0x80".  Matching
 * the mov as well makes sure the two bytes we pick start an instruction.
 */
int arch_find_syscall_insn(pid_t tid, enum arch_kind kind, uint64_t vdso_start, size_t vdso_len,
			   uint64_t *ip)
{
	uint8_t b0 = kind == ARCH_IA32 ? 0xcd : 0x0f;
	uint8_t b1 = kind == ARCH_IA32 ? 0x80 : 0x05;
	struct iovec local, remote;
	uint8_t *buf;
	int ret = -ENOENT;

	if (vdso_len > (1 << 20) || vdso_len < 8)
		return -EINVAL;
	buf = malloc(vdso_len);
	if (!buf)
		return -ENOMEM;
	local = (struct iovec){ buf, vdso_len };
	remote = (struct iovec){ (void *)(uintptr_t)vdso_start, vdso_len };
	if (process_vm_readv(tid, &local, 1, &remote, 1, 0) != (ssize_t)vdso_len) {
		ret = errno ? -errno : -EIO;
		goto out;
	}
	for (size_t i = 5; i + 1 < vdso_len; i++) {
		if (buf[i] != b0 || buf[i + 1] != b1 || buf[i - 5] != 0xb8)
			continue;
		if (buf[i - 2] || buf[i - 1])
			continue;	/* imm32 must be a small syscall number */
		*ip = vdso_start + i;
		ret = 0;
		break;
	}
out:
	free(buf);
	return ret;
}
