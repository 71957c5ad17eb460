// SPDX-License-Identifier: MIT
/*
 * A memfd reachable only through its mappings (the fd is closed): two
 * MAP_SHARED mappings and a MAP_PRIVATE one with a copied-on-write page.
 * After restore: contents, names, the shared mappings are one object,
 * and the private mapping's untouched pages still show the memfd (a write
 * through a shared mapping appears there) while its written page keeps
 * its private copy.
 */
#include <sys/mman.h>

#include "progs/prog.h"

#define PAGES 8

int main(void)
{
	size_t page = sysconf(_SC_PAGESIZE), len = PAGES * page;
	unsigned char *s1, *s2, *p, *buf;
	char line[256];
	int fd;

	fd = memfd_create("sudcr-prog-map", 0);
	SETUP(fd >= 0, "memfd_create");
	buf = malloc(len);
	prog_fill(buf, len, 21);
	SETUP(write(fd, buf, len) == (ssize_t)len, "write");
	s1 = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	s2 = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	SETUP(s1 != MAP_FAILED && s2 != MAP_FAILED && p != MAP_FAILED, "mmap");
	close(fd);
	memset(p + 2 * page, 0xcc, page);	/* private copy */
	(void)*(volatile unsigned char *)(p + 3 * page);	/* read-faulted, still the memfd's */
	s1[0] = 0x11;

	prog_ready();
	prog_wait();

	buf[0] = 0x11;
	CHECK(!memcmp(s1, buf, len), "first shared mapping differs");
	CHECK(!memcmp(s2, buf, len), "second shared mapping differs");
	CHECK(!prog_maps_line(s1, line, sizeof(line)) && strstr(line, "/memfd:sudcr-prog-map"),
	      "mapping is '%s'", line);
	for (size_t i = 0; i < page; i++)
		if (!CHECK(p[2 * page + i] == 0xcc, "private copy lost at byte %zu", i))
			break;
	CHECK(!memcmp(p + 3 * page, buf + 3 * page, page), "private mapping's untouched page differs");
	s1[page + 9] = 0x99;
	CHECK(s2[page + 9] == 0x99, "the shared mappings are no longer one object");
	s1[3 * page + 1] = 0x98;
	CHECK(p[3 * page + 1] == 0x98, "the private mapping's untouched page no longer shows the memfd");
	s1[2 * page] = 0x97;
	CHECK(p[2 * page] == 0xcc, "the private copy follows the memfd");
	prog_done();
}
