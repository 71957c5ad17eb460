// SPDX-License-Identifier: MIT
/*
 * Failure path: restore when the PID is taken (by a process of the runner,
 * or by the original itself with --leave-running) must fail with one line
 * and change nothing; once the PID is free the same image restores.
 */
// sudcr-test: restore-fails pid-taken
#include "progs/prog.h"

#define LEN (64 * 1024)

int main(void)
{
	unsigned char *p = malloc(LEN);

	SETUP(p, "malloc");
	prog_fill(p, LEN, 171);

	prog_ready();
	prog_wait();

	CHECK(prog_check_fill(p, LEN, 171) < 0, "memory differs");
	prog_done();
}
