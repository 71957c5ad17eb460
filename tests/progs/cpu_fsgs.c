// SPDX-License-Identifier: MIT
/*
 * The fs and gs bases: fs is glibc's TLS (a __thread variable keeps its
 * address and value), gs is set by the program (arch_prctl, then wrgsbase
 * where FSGSBASE is enabled) and read back with %gs-relative loads.
 */
#include <asm/prctl.h>
#include <sys/auxv.h>

#include "progs/prog.h"

#ifndef HWCAP2_FSGSBASE
#define HWCAP2_FSGSBASE (1 << 1)
#endif

static __thread unsigned long tls_var = 0x715715;
static unsigned long gs_area[4] = { 0x65a0a0, 0x65a1a1, 0x65a2a2, 0x65a3a3 };
static unsigned long gs_area2[4] = { 0x65b0b0, 0x65b1b1, 0x65b2b2, 0x65b3b3 };

static unsigned long gs_load(int i)
{
	unsigned long v;

	asm volatile("mov %%gs:(%1), %0" : "=r"(v) : "r"((unsigned long)i * 8));
	return v;
}

static unsigned long get_base(int code)
{
	unsigned long v = 0;

	prog_sys3(__NR_arch_prctl, code, (long)&v, 0);
	return v;
}

int main(void)
{
	int fsgsbase = !!(getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE);
	unsigned long fs0, gs_want, *tls_addr = &tls_var;

	tls_var = 0xabcdef;
	fs0 = get_base(ARCH_GET_FS);
	SETUP(!prog_sys3(__NR_arch_prctl, ARCH_SET_GS, (long)gs_area, 0), "ARCH_SET_GS");
	gs_want = (unsigned long)gs_area;
	if (fsgsbase) {
		/* Straight into the register: the kernel must save what the CPU has. */
		asm volatile("wrgsbase %0" : : "r"((unsigned long)gs_area2));
		gs_want = (unsigned long)gs_area2;
	}
	SETUP(gs_load(1) == ((unsigned long *)gs_want)[1], "gs load");

	prog_ready();
	prog_wait();

	CHECK_EQ(get_base(ARCH_GET_FS), fs0);
	CHECK_EQ(get_base(ARCH_GET_GS), gs_want);
	CHECK(&tls_var == tls_addr && tls_var == 0xabcdef, "TLS variable moved or changed");
	for (int i = 0; i < 4; i++)
		CHECK(gs_load(i) == ((unsigned long *)gs_want)[i], "%%gs:%d reads 0x%lx", i * 8, gs_load(i));
	if (fsgsbase) {
		unsigned long fs, gs;

		asm volatile("rdfsbase %0" : "=r"(fs));
		asm volatile("rdgsbase %0" : "=r"(gs));
		CHECK(fs == fs0 && gs == gs_want, "rdfsbase 0x%lx rdgsbase 0x%lx", fs, gs);
	}
	prog_done();
}
