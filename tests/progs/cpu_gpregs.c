// SPDX-License-Identifier: MIT
/*
 * General registers: distinctive values in every register a syscall
 * preserves (rbx rbp rsp rdi rsi rdx r8 r9 r10 r12-r15, and CF and DF in
 * rflags), set right before a blocking read(0) in the same asm block, and
 * compared with what they hold when the read returns after restore.
 */
// sudcr-test: wait-syscall 0
#include "progs/prog.h"

enum { R_RBX, R_RBP, R_R8, R_R9, R_R10, R_R12, R_R13, R_R14, R_R15, R_RDI, R_RSI, R_RDX, R_RSP, R_RAX,
       R_FLAGS, NR_OUT };

static const char *const names[NR_OUT] = { "rbx", "rbp", "r8", "r9", "r10", "r12", "r13", "r14", "r15",
					   "rdi", "rsi", "rdx", "rsp", "rax (read's result)", "rflags" };

/*
 * long wait_with_regs(unsigned long out[NR_OUT], char buf[64], unsigned long rsp_out[1]):
 * read(0, buf, 64) with the values below in the registers.
 */
asm(".text\n"
    ".type wait_with_regs,@function\n"
    "wait_with_regs:\n\t"
    "push %rbp\n\tpush %rbx\n\tpush %r12\n\tpush %r13\n\tpush %r14\n\tpush %r15\n\t"
    "push %rdi\n\t"			/* out */
    "push %rdx\n\t"			/* rsp_out */
    "mov %rsp, (%rdx)\n\t"
    "movabs $0x1111111111111bbb, %rbx\n\t"
    "movabs $0x2222222222222bbb, %rbp\n\t"
    "movabs $0x8888888888888888, %r8\n\t"
    "movabs $0x9999999999999999, %r9\n\t"
    "movabs $0x1010101010101010, %r10\n\t"
    "movabs $0x1212121212121212, %r12\n\t"
    "movabs $0x1313131313131313, %r13\n\t"
    "movabs $0x1414141414141414, %r14\n\t"
    "movabs $0x1515151515151515, %r15\n\t"
    "xor %edi, %edi\n\t"		/* fd 0; buf already in rsi */
    "mov $64, %edx\n\t"
    "xor %eax, %eax\n\t"		/* __NR_read */
    "stc\n\tstd\n\t"
    "syscall\n\t"
    "pushfq\n\t"
    "cld\n\t"
    "push %rax\n\t"
    "mov 24(%rsp), %rax\n\t"		/* out */
    "mov %rbx, 0(%rax)\n\tmov %rbp, 8(%rax)\n\tmov %r8, 16(%rax)\n\tmov %r9, 24(%rax)\n\t"
    "mov %r10, 32(%rax)\n\tmov %r12, 40(%rax)\n\tmov %r13, 48(%rax)\n\tmov %r14, 56(%rax)\n\t"
    "mov %r15, 64(%rax)\n\tmov %rdi, 72(%rax)\n\tmov %rsi, 80(%rax)\n\tmov %rdx, 88(%rax)\n\t"
    "lea 16(%rsp), %rbx\n\tmov %rbx, 96(%rax)\n\t"	/* rsp as it was at the syscall */
    "pop %rbx\n\tmov %rbx, 104(%rax)\n\t"		/* read's result */
    "pop %rbx\n\tmov %rbx, 112(%rax)\n\t"		/* rflags */
    "pop %rdx\n\tpop %rdi\n\t"
    "pop %r15\n\tpop %r14\n\tpop %r13\n\tpop %r12\n\tpop %rbx\n\tpop %rbp\n\t"
    "mov 104(%rdi), %rax\n\t"
    "ret\n"
    ".size wait_with_regs,.-wait_with_regs\n");

long wait_with_regs(unsigned long *out, char *buf, unsigned long *rsp_out);

int main(void)
{
	unsigned long out[NR_OUT], want[NR_OUT] = {
		0x1111111111111bbb, 0x2222222222222bbb, 0x8888888888888888, 0x9999999999999999,
		0x1010101010101010, 0x1212121212121212, 0x1313131313131313, 0x1414141414141414,
		0x1515151515151515, 0, 0, 64, 0, 3, 0,
	};
	unsigned long rsp;
	char buf[64];

	prog_ready();
	wait_with_regs(out, buf, &rsp);
	want[R_RSI] = (unsigned long)buf;
	want[R_RSP] = rsp;
	for (int i = 0; i < R_FLAGS; i++)
		CHECK(out[i] == want[i], "%s is 0x%lx, expected 0x%lx", names[i], out[i], want[i]);
	CHECK((out[R_FLAGS] & 0x401) == 0x401, "rflags 0x%lx lost CF or DF", out[R_FLAGS]);
	CHECK(!memcmp(buf, "go\n", 3), "read the wrong bytes");
	prog_done();
}
