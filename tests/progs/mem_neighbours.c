// SPDX-License-Identifier: MIT
/*
 * Neighbouring mappings the kernel keeps apart: three pages of one
 * anonymous mapping moved next to each other with mremap keep their page
 * offsets, which do not follow on, so the three stay three mappings with
 * the same protection and flags.  Two private mappings of one file at
 * following offsets, each with pages it copied (so each with its own
 * anon_vma), one moved next to the other, stay two as well.  After
 * restore they must still be apart (made one after the other, they would
 * merge), and stay apart when the middle one is made read-only and
 * writable again; the file pages not copied still follow the file.
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
	unsigned char *src, *at, *fa, *fb;
	int fd;

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

	/* File pages 0-1 at fa, page 2 made elsewhere and moved to fa + 2 pages. */
	fd = open(prog_path("file"), O_RDWR | O_CREAT | O_TRUNC, 0600);
	SETUP(fd >= 0 && !ftruncate(fd, 4 * page), "create the file");
	fa = mmap(NULL, 4 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	SETUP(fa != MAP_FAILED, "mmap");
	SETUP(mmap(fa, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd, 0) == fa, "mmap file");
	fb = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 2 * page);
	SETUP(fb != MAP_FAILED, "mmap file");
	fa[0] = 'A';
	fb[0] = 'B';
	SETUP(mremap(fb, 2 * page, 2 * page, MREMAP_MAYMOVE | MREMAP_FIXED, fa + 2 * page) == fa + 2 * page,
	      "mremap: %s", strerror(errno));
	fb = fa + 2 * page;
	SETUP(is_own_mapping(fa, 2 * page) && is_own_mapping(fb, 2 * page), "the file mappings merged");

	prog_ready();
	prog_wait();

	CHECK(three(at, page), "the three neighbours are no longer three mappings");
	CHECK(!mprotect(at + page, page, PROT_READ) && !mprotect(at + page, page, PROT_READ | PROT_WRITE) &&
	      three(at, page), "the neighbours merged after mprotect");
	CHECK(at[0] == 'a' && at[page] == 'c' && at[2 * page] == 'e' && src[page] == 'b', "contents");
	CHECK(is_own_mapping(fa, 2 * page) && is_own_mapping(fb, 2 * page),
	      "the two private mappings of the file are no longer two");
	CHECK(fa[0] == 'A' && fb[0] == 'B', "contents of the file mappings");
	CHECK(pwrite(fd, "xy", 2, page) == 2 && pwrite(fd, "zw", 2, 3 * page) == 2 && fa[page] == 'x' &&
	      fb[page] == 'z', "file pages not copied no longer follow the file");
	prog_done();
}
