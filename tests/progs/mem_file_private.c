// SPDX-License-Identifier: MIT
/*
 * Private file mappings: a writable one with some pages written (private
 * copies) and the others only read, and a read-only one.  After restore,
 * written pages keep their private data; the others must still be the
 * file's pages, not copies: a change to the file made afterwards shows in
 * them (so only the pages that differ from the file may be in the image).
 */
#include <sys/mman.h>

#include "progs/prog.h"

#define PAGES 16

int main(void)
{
	size_t page = sysconf(_SC_PAGESIZE), len = PAGES * page;
	const char *path = prog_path("mem_file_private.dat");
	unsigned char *m, *ro, *file, *orig;
	char line[512];
	int fd;

	file = malloc(len);
	prog_fill(file, len, 41);
	orig = malloc(len);
	memcpy(orig, file, len);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	SETUP(fd >= 0 && write(fd, file, len) == (ssize_t)len, "create %s", path);
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ro = mmap(NULL, 4 * page, PROT_READ, MAP_PRIVATE, fd, 2 * page);
	SETUP(m != MAP_FAILED && ro != MAP_FAILED, "mmap");
	close(fd);
	for (int i = 0; i < PAGES; i++)
		(void)*(volatile unsigned char *)(m + i * page);
	memset(m + 1 * page, 0xa1, page);
	memset(m + 5 * page + 100, 0xa5, 10);
	(void)*(volatile unsigned char *)ro;

	prog_ready();
	prog_wait();

	CHECK(!prog_maps_line(m, line, sizeof(line)) && strstr(line, path) && strstr(line, " rw-p "),
	      "mapping is '%s'", line);
	CHECK(!prog_maps_line(ro, line, sizeof(line)) && strstr(line, path) && strstr(line, " r--p 00002000 "),
	      "read-only mapping is '%s'", line);
	memset(file + 1 * page, 0xa1, page);
	memset(file + 5 * page + 100, 0xa5, 10);
	for (int i = 0; i < PAGES; i++)
		CHECK(!memcmp(m + i * page, file + i * page, page), "page %d differs", i);
	CHECK(!memcmp(ro, orig + 2 * page, 4 * page), "read-only mapping differs");

	/* Change the file: its pages show it, private copies do not. */
	fd = open(path, O_RDWR | O_CLOEXEC);
	CHECK(fd >= 0, "reopen %s", path);
	for (int i = 0; i < PAGES; i++)
		CHECK(pwrite(fd, "NEW!", 4, i * page + 8) == 4, "pwrite");
	close(fd);
	for (int i = 0; i < PAGES; i++) {
		int copied = i == 1 || i == 5;

		CHECK(!memcmp(m + i * page + 8, "NEW!", 4) == !copied,
		      copied ? "written page %d follows the file" : "page %d no longer maps the file (stored as a copy?)",
		      i);
	}
	CHECK(!memcmp(ro + 8, "NEW!", 4), "read-only mapping no longer maps the file");
	prog_done();
}
