// SPDX-License-Identifier: MIT
/*
 * The brk area: its pages (grown past the initial heap with sbrk), the
 * kernel's start_brk and brk, and that brk still moves: after restore it
 * grows by a page that is usable, and shrinks back.
 */
#include <sys/mman.h>

#include "progs/prog.h"

#define GROW_PAGES 9

/* Field @n (1-based) of /proc/self/stat. */
static unsigned long stat_field(int n)
{
	char buf[2048], *p;

	if (prog_read_file("/proc/self/stat", buf, sizeof(buf)) <= 0 || !(p = strrchr(buf, ')')))
		return 0;
	p += 2;	/* field 3 */
	for (int i = 3; i < n && p; i++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	return p ? strtoul(p, NULL, 10) : 0;
}

static unsigned long kernel_brk(unsigned long want)
{
	return prog_sys3(__NR_brk, (long)want, 0, 0);
}

int main(void)
{
	size_t page = sysconf(_SC_PAGESIZE);
	unsigned long start_brk, brk0, brk1, brk2;
	unsigned char *area;
	char line[256], heap_line[256];

	area = sbrk(0);
	SETUP(sbrk(GROW_PAGES * page) != (void *)-1, "sbrk");
	prog_fill(area, GROW_PAGES * page, 31);
	start_brk = stat_field(47);
	brk0 = kernel_brk(0);
	SETUP(start_brk && brk0 >= (unsigned long)area + GROW_PAGES * page, "brk 0x%lx start_brk 0x%lx", brk0,
	      start_brk);
	SETUP(!prog_maps_line(area, heap_line, sizeof(heap_line)), "no mapping at the brk area");

	prog_ready();
	prog_wait();

	CHECK_EQ(stat_field(47), start_brk);
	CHECK_EQ(kernel_brk(0), brk0);
	CHECK_EQ(sbrk(0), (void *)brk0);
	CHECK(prog_check_fill(area, GROW_PAGES * page, 31) < 0, "brk area differs at byte %ld",
	      prog_check_fill(area, GROW_PAGES * page, 31));
	CHECK(!prog_maps_line(area, line, sizeof(line)) && !strcmp(line, heap_line),
	      "brk mapping is '%s', was '%s'", line, heap_line);
	/* brk still moves, and the new page is memory. */
	brk1 = kernel_brk(brk0 + page);
	if (CHECK(brk1 == brk0 + page, "brk(0x%lx) returned 0x%lx", brk0 + page, brk1)) {
		memset((void *)brk0, 0x77, page);
		CHECK(((unsigned char *)brk0)[page - 1] == 0x77, "new brk page");
	}
	brk2 = kernel_brk(brk0);
	CHECK(brk2 == brk0, "brk back to 0x%lx returned 0x%lx", brk0, brk2);
	prog_done();
}
