// SPDX-License-Identifier: MIT
/*
 * The main stack: the program waits at the bottom of a deep recursion whose
 * frames hold patterned data, so the stack pages must come back exactly;
 * the [stack] mapping must still grow down (VmFlags gd) and does: after
 * restore the program recurses 2 MiB deeper than it ever went.
 */
#include "progs/prog.h"

#define FRAME 4000
#define DEPTH 100	/* ~400 KiB */

static char stack_line[256];

static __attribute__((noinline)) long deep(int depth, int extra)
{
	volatile unsigned char buf[FRAME];
	long r;

	prog_fill((void *)buf, FRAME, depth);
	if (depth == DEPTH) {
		char flags[512];

		SETUP(!prog_maps_line((void *)buf, stack_line, sizeof(stack_line)), "no stack mapping");
		prog_ready();
		prog_wait();
		CHECK(!prog_vmflags((void *)buf, flags, sizeof(flags)) && strstr(flags, " gd "),
		      "stack VmFlags '%s' lack gd", flags);
		r = 0;
	} else if (depth > DEPTH) {
		r = extra ? deep(depth + 1, extra - 1) : 0;
	} else {
		r = deep(depth + 1, extra);
	}
	if (prog_check_fill((void *)buf, FRAME, depth) >= 0)
		r++;
	return r;
}

int main(void)
{
	char line[256];
	long bad = deep(0, 2 * 1024 * 1024 / FRAME);

	CHECK(bad == 0, "%ld stack frames differ", bad);
	CHECK(!prog_maps_line(&line, line, sizeof(line)) && strstr(line, "[stack]"),
	      "the stack mapping is now '%s'", line);
	prog_done();
}
