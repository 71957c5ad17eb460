// SPDX-License-Identifier: MIT
/*
 * Neighbouring mappings the kernel keeps apart: three pages of one
 * anonymous mapping moved next to each other with mremap keep their page
 * offsets, which do not follow on, so the three stay three mappings with
 * the same protection and flags.  After restore they must still be three
 * (made one after the other, they would merge into one), and stay three
 * when the middle one is made read-only and writable again.
 */
#include <sys/mman.h>

#include "progs/prog.h"

/* The mapping that holds @p is exactly [p, p + len). */
static int is_own_mapping(const unsigned char *p, size_t len)
{
	char line[512];
	unsigned long s, e;

	return !prog_maps_line(p, line, sizeof(line)) && sscanf(line, "%lx-%lx", &s, &e) == 2 &&
	       s == (unsigned long)p && e == (unsigned long)p + len;
}

static int three(unsigned char *at, size_t page)
{
	return is_own_mapping(at, page) && is_own_mapping(at + page, page) &&
	       is_own_mapping(at + 2 * page, page);
}

int main(void)
{
	size_t page = sysconf(_SC_PAGESIZE);
	unsigned char *src, *at;

	src = mmap(NULL, 6 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	at = mmap(NULL, 5 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	SETUP(src != MAP_FAILED && at != MAP_FAILED, "mmap");
	at += page;	/* PROT_NONE guards on both sides */
	for (int i = 0; i < 6; i++)
		memset(src + i * page, 'a' + i, page);
	for (int i = 0; i < 3; i++)
		SETUP(mremap(src + 2 * i * page, page, page, MREMAP_MAYMOVE | MREMAP_FIXED, at + i * page) ==
		      at + i * page, "mremap: %s", strerror(errno));
	SETUP(three(at, page), "the moved pages merged before the dump");

	prog_ready();
	prog_wait();

	CHECK(three(at, page), "the three neighbours are no longer three mappings");
	CHECK(!mprotect(at + page, page, PROT_READ) && !mprotect(at + page, page, PROT_READ | PROT_WRITE) &&
	      three(at, page), "the neighbours merged after mprotect");
	CHECK(at[0] == 'a' && at[page] == 'c' && at[2 * page] == 'e' && src[page] == 'b', "contents");
	prog_done();
}
