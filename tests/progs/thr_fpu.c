// SPDX-License-Identifier: MIT
/*
 * Registers and FPU state per thread.  Each of six threads loads values of
 * its own into xmm0-xmm15 (all of ymm0-ymm15 where the CPU has AVX),
 * rbx, rbp and r12-r15, sets its own MXCSR rounding mode and x87 control
 * word, then, in the same asm block: three wait in a raw FUTEX_WAIT (the
 * syscall keeps all of these), three spin on a flag in user mode, so
 * the dump stops them at an arbitrary instruction.  Afterwards the block
 * stores the registers back.
 *
 * After "go" every thread must find exactly its own values in every
 * register (a thread restored with another's extended state, or with
 * none, shows up), and its own MXCSR and x87 control word.
 */
#include "progs/thr.h"

#define NR_T	6
#define VLEN	32	/* bytes per vector register kept (16 without AVX) */

struct thr {
	/* Read by the asm at fixed offsets: keep these first. */
	unsigned char vin[16][VLEN];	/* 0 */
	unsigned char vout[16][VLEN];	/* 512 */
	uint64_t gin[6], gout[6];	/* 1024, 1072: rbx, rbp, r12-r15 */
	volatile uint32_t *word;	/* 1120: futex word or spin flag */
	/* Not used by the asm. */
	uint32_t mxcsr, mxcsr_after;
	uint16_t fcw, fcw_after;
	bool spin;
	volatile pid_t tid;
	volatile int started;
	pthread_t t;
};

_Static_assert(__builtin_offsetof(struct thr, vout) == 512, "layout");
_Static_assert(__builtin_offsetof(struct thr, gin) == 1024, "layout");
_Static_assert(__builtin_offsetof(struct thr, gout) == 1072, "layout");
_Static_assert(__builtin_offsetof(struct thr, word) == 1120, "layout");

static struct thr t[NR_T];
static volatile uint32_t gate, spin_flag;
static bool avx;

#define LDX(n) "movdqu " #n "*32(%[x]), %%xmm" #n "\n\t"
#define STX(n) "movdqu %%xmm" #n ", 512+" #n "*32(%[x])\n\t"
#define LDY(n) "vmovdqu " #n "*32(%[x]), %%ymm" #n "\n\t"
#define STY(n) "vmovdqu %%ymm" #n ", 512+" #n "*32(%[x])\n\t"
#define ALL16(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) M(8) M(9) M(10) M(11) M(12) M(13) M(14) M(15)

#define LOAD_GPRS                                                                                        \
	"mov 1024(%[x]), %%rbx\n\tmov 1032(%[x]), %%rbp\n\tmov 1040(%[x]), %%r12\n\t"                   \
	"mov 1048(%[x]), %%r13\n\tmov 1056(%[x]), %%r14\n\tmov 1064(%[x]), %%r15\n\t"
#define STORE_GPRS                                                                                       \
	"mov %%rbx, 1072(%[x])\n\tmov %%rbp, 1080(%[x])\n\tmov %%r12, 1088(%[x])\n\t"                   \
	"mov %%r13, 1096(%[x])\n\tmov %%r14, 1104(%[x])\n\tmov %%r15, 1112(%[x])\n\t"
/* Until *word != 0: FUTEX_WAIT_PRIVATE (128) on it, or spin. */
#define WAIT_FUTEX                                                                                       \
	"mov 1120(%[x]), %%rdi\n"                                                                        \
	"1:\n\tcmpl $0, (%%rdi)\n\tjne 2f\n\t"                                                           \
	"mov $202, %%eax\n\tmov $128, %%esi\n\txor %%edx, %%edx\n\txor %%r10d, %%r10d\n\tsyscall\n\t"   \
	"jmp 1b\n2:\n\t"
#define WAIT_SPIN                                                                                        \
	"mov 1120(%[x]), %%rdi\n"                                                                        \
	"1:\n\tpause\n\tcmpl $0, (%%rdi)\n\tje 1b\n\t"

#define CLOBBERS                                                                                         \
	"rax", "rcx", "rdx", "rsi", "rdi", "r10", "r11", "rbx", "r12", "r13", "r14", "r15", "memory", "xmm0", \
		"xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",  \
		"xmm12", "xmm13", "xmm14", "xmm15"

/*
 * rbp cannot be named as clobbered where it may be the frame pointer: it
 * is saved and put back by hand around the block, below the red zone.
 * The struct's address is pinned to r8 (which no syscall touches), so
 * that it is never in rbp.
 */
#define SAVE_RBP "sub $16, %%rsp\n\tmov %%rbp, (%%rsp)\n\t"
#define REST_RBP "mov (%%rsp), %%rbp\n\tadd $16, %%rsp\n\t"

static void run_sse(struct thr *xp)
{
	register struct thr *x asm("r8") = xp;

	if (x->spin)
		asm volatile("sub $128, %%rsp\n\t" SAVE_RBP ALL16(LDX) LOAD_GPRS WAIT_SPIN ALL16(STX) STORE_GPRS REST_RBP
			     "add $128, %%rsp\n\t" ::[x] "r"(x)
			     : CLOBBERS);
	else
		asm volatile("sub $128, %%rsp\n\t" SAVE_RBP ALL16(LDX) LOAD_GPRS WAIT_FUTEX ALL16(STX) STORE_GPRS REST_RBP
			     "add $128, %%rsp\n\t" ::[x] "r"(x)
			     : CLOBBERS);
}

static __attribute__((target("avx"))) void run_avx(struct thr *xp)
{
	register struct thr *x asm("r8") = xp;

	if (x->spin)
		asm volatile("sub $128, %%rsp\n\t" SAVE_RBP ALL16(LDY) LOAD_GPRS WAIT_SPIN ALL16(STY) STORE_GPRS REST_RBP
			     "add $128, %%rsp\n\tvzeroupper\n\t" ::[x] "r"(x)
			     : CLOBBERS);
	else
		asm volatile("sub $128, %%rsp\n\t" SAVE_RBP ALL16(LDY) LOAD_GPRS WAIT_FUTEX ALL16(STY) STORE_GPRS REST_RBP
			     "add $128, %%rsp\n\tvzeroupper\n\t" ::[x] "r"(x)
			     : CLOBBERS);
}

static void *thr_main(void *arg)
{
	struct thr *x = arg;
	uint32_t mxcsr;
	uint16_t fcw;

	asm volatile("ldmxcsr %0" ::"m"(x->mxcsr));
	asm volatile("fldcw %0" ::"m"(x->fcw));
	x->tid = gettid();
	__atomic_store_n(&x->started, 1, __ATOMIC_RELEASE);
	if (avx)
		run_avx(x);
	else
		run_sse(x);
	asm volatile("stmxcsr %0" : "=m"(mxcsr));
	asm volatile("fnstcw %0" : "=m"(fcw));
	x->mxcsr_after = mxcsr;
	x->fcw_after = fcw;
	return NULL;
}

int main(void)
{
	int vlen;

	__builtin_cpu_init();
	avx = __builtin_cpu_supports("avx");
	vlen = avx ? 32 : 16;
	for (int i = 0; i < NR_T; i++) {
		struct thr *x = &t[i];

		prog_fill(x->vin, sizeof(x->vin), 500 + i);
		prog_fill(x->gin, sizeof(x->gin), 600 + i);
		/* Default MXCSR 0x1f80 with rounding mode i % 4, FZ/DAZ for some. */
		x->mxcsr = 0x1f80 | ((i % 4) << 13) | (i >= 4 ? 0x8040 : 0);
		/* Default x87 control word 0x37f with precision control and rounding of its own. */
		x->fcw = (0x37f & ~0xf00) | ((i % 4) << 10) | ((i % 3) << 8);
		x->spin = i % 2;
		x->word = x->spin ? &spin_flag : &gate;
		thr_create(&x->t, thr_main, x, 0);
		while (!x->started)
			thr_sleep_ms(1);
	}
	for (int i = 0; i < NR_T; i++)
		if (!t[i].spin)
			THR_SETUP_BLOCKED(t[i].tid, SYS_futex, "thread waiting with its registers loaded");
	thr_sleep_ms(5);	/* the spinning ones are in their loop */

	prog_ready();
	prog_wait();

	for (int i = 0; i < NR_T; i++)
		if (!t[i].spin)
			THR_CHECK_BLOCKED(t[i].tid, SYS_futex, "thread waiting with its registers loaded");
	__atomic_store_n(&spin_flag, 1, __ATOMIC_RELEASE);
	thr_gate_open(&gate);
	for (int i = 0; i < NR_T; i++) {
		struct thr *x = &t[i];
		const char *how = x->spin ? "spinning" : "in futex";
		int err = thr_join(x->t, NULL);

		if (!CHECK(!err, "thread %d (%s): pthread_join: %s", i, how, strerror(err)))
			continue;
		for (int r = 0; r < 16; r++) {
			int off = -1;

			for (int b = 0; b < vlen && off < 0; b++)
				if (x->vout[r][b] != x->vin[r][b])
					off = b;
			if (!CHECK(off < 0, "thread %d (%s): %s%d byte %d is 0x%02x, expected 0x%02x", i, how,
				   avx ? "ymm" : "xmm", r, off, x->vout[r][off < 0 ? 0 : off],
				   x->vin[r][off < 0 ? 0 : off]))
				break;
		}
		static const char *const gname[6] = { "rbx", "rbp", "r12", "r13", "r14", "r15" };

		for (int r = 0; r < 6; r++)
			CHECK(x->gout[r] == x->gin[r], "thread %d (%s): %s is 0x%llx, expected 0x%llx", i, how, gname[r],
			      (unsigned long long)x->gout[r], (unsigned long long)x->gin[r]);
		CHECK(x->mxcsr_after == x->mxcsr, "thread %d (%s): MXCSR 0x%x, expected 0x%x", i, how,
		      x->mxcsr_after, x->mxcsr);
		CHECK(x->fcw_after == x->fcw, "thread %d (%s): x87 control word 0x%x, expected 0x%x", i, how,
		      x->fcw_after, x->fcw);
	}
	prog_done();
}
