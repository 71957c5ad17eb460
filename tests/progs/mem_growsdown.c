// SPDX-License-Identifier: MIT
/*
 * A MAP_GROWSDOWN mapping (as thread stacks of some runtimes), already
 * grown once, with free space below it: after restore its contents are
 * there, its VmFlags still have gd, and touching below its start grows it
 * again.
 */
#include <sys/mman.h>

#include "progs/prog.h"

#define HOLE	(2048 * 4096UL)	/* free below: more than the 1 MiB stack guard gap */
#define PAGES	4

int main(void)
{
	size_t page = sysconf(_SC_PAGESIZE);
	unsigned char *base, *low;
	char flags[512], line[256];

	/* Reserve, then keep only the top for the mapping. */
	base = mmap(NULL, HOLE + PAGES * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	SETUP(base != MAP_FAILED, "mmap");
	SETUP(!munmap(base, HOLE), "munmap");
	base += HOLE;
	SETUP(mmap(base, PAGES * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_GROWSDOWN, -1, 0) == base, "mmap growsdown");
	prog_fill(base, PAGES * page, 3);
	/* Grow it by two pages. */
	low = base - 2 * page;
	*(volatile unsigned char *)low = 0x42;
	SETUP(!prog_maps_line(low, line, sizeof(line)), "did not grow");
	low[1] = 0x43;

	prog_ready();
	prog_wait();

	CHECK(prog_check_fill(base, PAGES * page, 3) < 0, "contents differ");
	CHECK(low[0] == 0x42 && low[1] == 0x43, "grown page lost its data");
	CHECK(!prog_vmflags(base, flags, sizeof(flags)) && strstr(flags, " gd "), "VmFlags '%s' lack gd", flags);
	CHECK(!prog_maps_line(low, line, sizeof(line)), "grown part is unmapped");
	/* Grow once more: a mapping restored without MAP_GROWSDOWN would SIGSEGV here. */
	unsigned char *lower = low - 16 * page;

	*(volatile unsigned char *)lower = 0x44;
	CHECK(*(volatile unsigned char *)lower == 0x44, "growth");
	CHECK(!prog_maps_line(lower, line, sizeof(line)), "did not grow after restore");
	prog_done();
}
