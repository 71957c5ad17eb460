// SPDX-License-Identifier: MIT
/*
 * x87 state: eight distinct values on the register stack and a
 * non-default control word (round up, single precision), set in the same
 * asm block as a blocking read(0) and popped right after it returns.
 */
// sudcr-test: wait-syscall 0
#include "progs/prog.h"

#define FCW_WANT 0x087f	/* all exceptions masked, PC single, RC up */

int main(void)
{
	long double in[8], out[8];
	unsigned short cw_in = FCW_WANT, cw_out = 0, cw_default = 0x037f;
	char buf[64];
	long ret;

	for (int i = 0; i < 8; i++)
		in[i] = 1.0L / (i + 3) + i * 1000.0L;
	memset(out, 0, sizeof(out));
	prog_ready();
	asm volatile("fninit\n\t"
		     "fldt 0(%[in])\n\tfldt 16(%[in])\n\tfldt 32(%[in])\n\tfldt 48(%[in])\n\t"
		     "fldt 64(%[in])\n\tfldt 80(%[in])\n\tfldt 96(%[in])\n\tfldt 112(%[in])\n\t"
		     "fldcw %[cw_in]\n\t"
		     "syscall\n\t"
		     "fnstcw %[cw_out]\n\t"
		     "fldcw %[cw_default]\n\t"
		     "fstpt 0(%[out])\n\tfstpt 16(%[out])\n\tfstpt 32(%[out])\n\tfstpt 48(%[out])\n\t"
		     "fstpt 64(%[out])\n\tfstpt 80(%[out])\n\tfstpt 96(%[out])\n\tfstpt 112(%[out])\n\t"
		     : "=a"(ret), [cw_out] "=m"(cw_out)
		     : "a"(__NR_read), "D"(0L), "S"(buf), "d"(64L), [in] "r"(in), [out] "r"(out),
		       [cw_in] "m"(cw_in), [cw_default] "m"(cw_default)
		     : "rcx", "r11", "memory", "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)",
		       "st(7)");
	CHECK(ret == 3, "read returned %ld", ret);
	/* Loaded in[0] first: it is popped last. */
	for (int i = 0; i < 8; i++)
		CHECK(!memcmp(&in[i], &out[7 - i], 10), "st(%d) is %Lg, expected %Lg", i, out[7 - i], in[i]);
	CHECK(cw_out == FCW_WANT, "x87 control word is 0x%x, expected 0x%x", cw_out, FCW_WANT);
	prog_done();
}
