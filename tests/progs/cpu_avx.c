// SPDX-License-Identifier: MIT
/*
 * AVX state: distinctive values in all 256 bits of ymm0-ymm15 (upper
 * halves included), set in the same asm block as a blocking read(0) and
 * stored right after it returns.
 */
// sudcr-test: wait-syscall 0
#include "progs/prog.h"

#define LD(n) "vmovdqu " #n "*32(%[in]), %%ymm" #n "\n\t"
#define ST(n) "vmovdqu %%ymm" #n ", " #n "*32(%[out])\n\t"

static __attribute__((target("avx"))) long wait_with_ymm(const unsigned char *in, unsigned char *out,
							   char *buf)
{
	long ret;

	asm volatile(LD(0) LD(1) LD(2) LD(3) LD(4) LD(5) LD(6) LD(7)
		     LD(8) LD(9) LD(10) LD(11) LD(12) LD(13) LD(14) LD(15)
		     "syscall\n\t"
		     ST(0) ST(1) ST(2) ST(3) ST(4) ST(5) ST(6) ST(7)
		     ST(8) ST(9) ST(10) ST(11) ST(12) ST(13) ST(14) ST(15)
		     "vzeroupper\n\t"
		     : "=a"(ret)
		     : "a"(__NR_read), "D"(0L), "S"(buf), "d"(64L), [in] "r"(in), [out] "r"(out)
		     : "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
		       "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
	return ret;
}

int main(void)
{
	unsigned char in[16 * 32], out[16 * 32];
	char buf[64];
	long ret;

	__builtin_cpu_init();
	if (!__builtin_cpu_supports("avx"))
		prog_skip("no AVX on this machine");
	prog_fill(in, sizeof(in), 91);
	memset(out, 0, sizeof(out));
	prog_ready();
	ret = wait_with_ymm(in, out, buf);
	CHECK(ret == 3, "read returned %ld", ret);
	for (int i = 0; i < 16; i++) {
		CHECK(!memcmp(in + 32 * i, out + 32 * i, 16), "xmm%d (low half of ymm%d) differs", i, i);
		CHECK(!memcmp(in + 32 * i + 16, out + 32 * i + 16, 16), "upper half of ymm%d differs", i);
	}
	prog_done();
}
