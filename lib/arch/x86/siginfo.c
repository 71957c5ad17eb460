// SPDX-License-Identifier: MIT
/*
 * siginfo layouts.  A 64-bit tracer gets the native layout from
 * PTRACE_GETSIGINFO; an ia32 task queueing a signal to itself passes the
 * compat layout, where the union starts at offset 12 and pointers, longs
 * and clock_t are 32 bits wide.
 */
#include <string.h>

#include <sudcr/arch.h>
#include "kernel_compat.h"

static void put32(uint8_t *out, size_t off, uint32_t v)
{
	memcpy(out + off, &v, 4);
}

static uint32_t get32(const uint8_t *in, size_t off)
{
	uint32_t v;

	memcpy(&v, in + off, 4);
	return v;
}

static uint64_t get64(const uint8_t *in, size_t off)
{
	uint64_t v;

	memcpy(&v, in + off, 8);
	return v;
}

void arch_siginfo_for_task(enum arch_kind kind, const siginfo_t *si, uint8_t out[128])
{
	const uint8_t *in = (const uint8_t *)si;
	int code = si->si_code, sig = si->si_signo;

	if (kind != ARCH_IA32) {
		memcpy(out, si, 128);
		return;
	}
	memset(out, 0, 128);
	memcpy(out, in, 12);	/* signo, errno, code */
	/* Native union at 16, compat union at 12. */
	if (code == SI_USER || code == SI_TKILL) {
		put32(out, 12, get32(in, 16));			/* pid */
		put32(out, 16, get32(in, 20));			/* uid */
	} else if (code == SI_SIGIO || (sig == SIGPOLL && code > 0)) {
		put32(out, 12, (uint32_t)get64(in, 16));	/* band */
		put32(out, 16, get32(in, 24));			/* fd */
	} else if (code == SI_TIMER) {
		put32(out, 12, get32(in, 16));			/* tid */
		put32(out, 16, get32(in, 20));			/* overrun */
		put32(out, 20, (uint32_t)get64(in, 24));	/* sigval */
	} else if (code < 0) {
		put32(out, 12, get32(in, 16));			/* pid */
		put32(out, 16, get32(in, 20));			/* uid */
		put32(out, 20, (uint32_t)get64(in, 24));	/* sigval */
	} else if (sig == SIGCHLD) {
		put32(out, 12, get32(in, 16));			/* pid */
		put32(out, 16, get32(in, 20));			/* uid */
		put32(out, 20, get32(in, 24));			/* status */
		put32(out, 24, (uint32_t)get64(in, 32));	/* utime */
		put32(out, 28, (uint32_t)get64(in, 40));	/* stime */
	} else if (sig == SIGSYS) {
		put32(out, 12, (uint32_t)get64(in, 16));	/* call_addr */
		put32(out, 16, get32(in, 24));			/* syscall */
		put32(out, 20, get32(in, 28));			/* arch */
	} else {
		put32(out, 12, (uint32_t)get64(in, 16));	/* fault addr */
	}
}
