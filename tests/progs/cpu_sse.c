// SPDX-License-Identifier: MIT
/*
 * SSE state: distinctive values in xmm0-xmm15 and a non-default MXCSR
 * (round toward zero, FTZ, DAZ, some exceptions unmasked), set in the same
 * asm block as a blocking read(0) and stored right after it returns.
 */
// sudcr-test: wait-syscall 0
#include "progs/prog.h"

#define MXCSR_WANT 0xff40	/* RZ, FTZ, DAZ, PM/UM/OM/ZM masked, DM|IM unmasked */

#define LD(n) "movdqu " #n "*16(%[in]), %%xmm" #n "\n\t"
#define ST(n) "movdqu %%xmm" #n ", " #n "*16(%[out])\n\t"

int main(void)
{
	unsigned char in[16 * 16], out[16 * 16];
	unsigned int mx_in = MXCSR_WANT, mx_out = 0, mx_default = 0x1f80;
	char buf[64];
	long ret;

	prog_fill(in, sizeof(in), 81);
	memset(out, 0, sizeof(out));
	prog_ready();
	asm volatile(LD(0) LD(1) LD(2) LD(3) LD(4) LD(5) LD(6) LD(7)
		     LD(8) LD(9) LD(10) LD(11) LD(12) LD(13) LD(14) LD(15)
		     "ldmxcsr %[mx_in]\n\t"
		     "syscall\n\t"
		     "stmxcsr %[mx_out]\n\t"
		     "ldmxcsr %[mx_default]\n\t"
		     ST(0) ST(1) ST(2) ST(3) ST(4) ST(5) ST(6) ST(7)
		     ST(8) ST(9) ST(10) ST(11) ST(12) ST(13) ST(14) ST(15)
		     : "=a"(ret), [mx_out] "=m"(mx_out)
		     : "a"(__NR_read), "D"(0L), "S"(buf), "d"(64L), [in] "r"(in), [out] "r"(out),
		       [mx_in] "m"(mx_in), [mx_default] "m"(mx_default)
		     : "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
		       "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
	CHECK(ret == 3, "read returned %ld", ret);
	for (int i = 0; i < 16; i++)
		CHECK(!memcmp(in + 16 * i, out + 16 * i, 16), "xmm%d differs", i);
	CHECK(mx_out == MXCSR_WANT, "MXCSR is 0x%x, expected 0x%x", mx_out, MXCSR_WANT);
	prog_done();
}
