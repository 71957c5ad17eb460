// SPDX-License-Identifier: MIT
/*
 * AVX-512 state: distinctive values in all 512 bits of zmm0-zmm31 and in
 * the mask registers k0-k7, set in the same asm block as a blocking
 * read(0) and stored right after it returns.
 */
// sudcr-test: wait-syscall 0
#include "progs/prog.h"

#define LD(n) "vmovdqu64 " #n "*64(%[in]), %%zmm" #n "\n\t"
#define ST(n) "vmovdqu64 %%zmm" #n ", " #n "*64(%[out])\n\t"
#define KLD(n) "kmovq " #n "*8(%[kin]), %%k" #n "\n\t"
#define KST(n) "kmovq %%k" #n ", " #n "*8(%[kout])\n\t"

static __attribute__((target("avx512f,avx512bw"))) long wait_with_zmm(const unsigned char *in,
								       unsigned char *out,
								       const unsigned long *kin,
								       unsigned long *kout, char *buf)
{
	long ret;

	asm volatile(LD(0) LD(1) LD(2) LD(3) LD(4) LD(5) LD(6) LD(7)
		     LD(8) LD(9) LD(10) LD(11) LD(12) LD(13) LD(14) LD(15)
		     LD(16) LD(17) LD(18) LD(19) LD(20) LD(21) LD(22) LD(23)
		     LD(24) LD(25) LD(26) LD(27) LD(28) LD(29) LD(30) LD(31)
		     KLD(0) KLD(1) KLD(2) KLD(3) KLD(4) KLD(5) KLD(6) KLD(7)
		     "syscall\n\t"
		     ST(0) ST(1) ST(2) ST(3) ST(4) ST(5) ST(6) ST(7)
		     ST(8) ST(9) ST(10) ST(11) ST(12) ST(13) ST(14) ST(15)
		     ST(16) ST(17) ST(18) ST(19) ST(20) ST(21) ST(22) ST(23)
		     ST(24) ST(25) ST(26) ST(27) ST(28) ST(29) ST(30) ST(31)
		     KST(0) KST(1) KST(2) KST(3) KST(4) KST(5) KST(6) KST(7)
		     "vzeroupper\n\t"
		     : "=a"(ret)
		     : "a"(__NR_read), "D"(0L), "S"(buf), "d"(64L), [in] "r"(in), [out] "r"(out),
		       [kin] "r"(kin), [kout] "r"(kout)
		     : "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
		       "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "xmm16", "xmm17",
		       "xmm18", "xmm19", "xmm20", "xmm21", "xmm22", "xmm23", "xmm24", "xmm25", "xmm26", "xmm27",
		       "xmm28", "xmm29", "xmm30", "xmm31", "k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7");
	return ret;
}

int main(void)
{
	static unsigned char in[32 * 64], out[32 * 64];
	unsigned long kin[8], kout[8];
	char buf[64];
	long ret;

	__builtin_cpu_init();
	if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512bw"))
		prog_skip("no AVX-512 (F and BW) on this machine");
	prog_fill(in, sizeof(in), 101);
	prog_fill(kin, sizeof(kin), 102);
	memset(out, 0, sizeof(out));
	memset(kout, 0, sizeof(kout));
	prog_ready();
	ret = wait_with_zmm(in, out, kin, kout, buf);
	CHECK(ret == 3, "read returned %ld", ret);
	for (int i = 0; i < 32; i++) {
		CHECK(!memcmp(in + 64 * i, out + 64 * i, 16), "xmm%d differs", i);
		CHECK(!memcmp(in + 64 * i + 16, out + 64 * i + 16, 16), "bits 128-255 of zmm%d differ", i);
		CHECK(!memcmp(in + 64 * i + 32, out + 64 * i + 32, 32), "bits 256-511 of zmm%d differ", i);
	}
	for (int i = 0; i < 8; i++)
		CHECK(kin[i] == kout[i], "k%d is 0x%lx, expected 0x%lx", i, kout[i], kin[i]);
	prog_done();
}
