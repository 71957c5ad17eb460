// SPDX-License-Identifier: MIT
/*
 * rseq registration: the program registers its own rseq area, with its own
 * signature (glibc's registration is turned off: it re-executes itself
 * with GLIBC_TUNABLES=glibc.pthread.rseq=0).  After restore the same area,
 * length and signature are registered (the kernel answers EBUSY to the
 * same registration, EPERM to another signature) and the kernel updates
 * the area's cpu_id again.
 */
#include <linux/rseq.h>
#include <sched.h>
#include <signal.h>

#include "progs/prog.h"

#define MY_SIG 0x5ca1ab1e

static struct rseq area __attribute__((aligned(32)));

static long sys_rseq(void *a, unsigned int len, int flags, unsigned int sig)
{
	return prog_sys4(__NR_rseq, (long)a, len, flags, sig);
}

static void on_usr1(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	long ret;

	(void)argc;
	if (!getenv("GLIBC_TUNABLES")) {
		setenv("GLIBC_TUNABLES", "glibc.pthread.rseq=0", 1);
		execv("/proc/self/exe", argv);
		SETUP(0, "execv");
	}
	area.cpu_id = RSEQ_CPU_ID_UNINITIALIZED;
	ret = sys_rseq(&area, sizeof(area), 0, MY_SIG);
	if (ret) {
		errno = -ret;
		SETUP(0, "rseq register (is glibc's registration still on?)");
	}
	SETUP(sys_rseq(&area, sizeof(area), 0, MY_SIG) == -EBUSY, "rseq EBUSY");
	SETUP(!sigaction(SIGUSR1, &sa, NULL), "sigaction");

	prog_ready();
	prog_wait();

	CHECK((ret = sys_rseq(&area, sizeof(area), 0, MY_SIG)) == -EBUSY,
	      "registering the same area again returned %ld, expected -EBUSY (still registered)", ret);
	CHECK((ret = sys_rseq(&area, sizeof(area), 0, MY_SIG + 1)) == -EPERM,
	      "registering with another signature returned %ld, expected -EPERM (signature kept)", ret);
	/* Scribble, then have the kernel rewrite it on the way back from a signal. */
	area.cpu_id = 0xdead;
	area.cpu_id_start = 0xdead;
	raise(SIGUSR1);
	CHECK(area.cpu_id != 0xdead && area.cpu_id < 4096, "the kernel no longer updates rseq cpu_id (%u)",
	      area.cpu_id);
	CHECK(area.cpu_id_start != 0xdead, "the kernel no longer updates rseq cpu_id_start");
	CHECK(sys_rseq(&area, sizeof(area), RSEQ_FLAG_UNREGISTER, MY_SIG) == 0, "unregister");
	prog_done();
}
