// SPDX-License-Identifier: MIT
/*
 * Mappings of a deleted file (unlinked and its fd closed): a shared one,
 * written through, and a private one with a copied page.  After restore the
 * contents are there, the maps say "(deleted)", and both mappings still
 * map one and the same file.
 */
#include <sys/mman.h>

#include "progs/prog.h"

#define PAGES 6

int main(void)
{
	size_t page = sysconf(_SC_PAGESIZE), len = PAGES * page;
	const char *path = prog_path("mem_deleted_file.dat");
	unsigned char *sh, *pr, *want;
	char line[512];
	int fd;

	want = malloc(len);
	prog_fill(want, len, 71);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	SETUP(fd >= 0 && write(fd, want, len) == (ssize_t)len, "create %s", path);
	sh = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	pr = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	SETUP(sh != MAP_FAILED && pr != MAP_FAILED, "mmap");
	close(fd);
	SETUP(!unlink(path), "unlink");
	memset(sh + page, 0x5e, 100);
	memset(want + page, 0x5e, 100);
	memset(pr + 4 * page, 0x9a, page);

	prog_ready();
	prog_wait();

	CHECK(!prog_maps_line(sh, line, sizeof(line)) && strstr(line, path) && strstr(line, "(deleted)"),
	      "shared mapping is '%s'", line);
	CHECK(!prog_maps_line(pr, line, sizeof(line)) && strstr(line, path) && strstr(line, "(deleted)"),
	      "private mapping is '%s'", line);
	CHECK(!memcmp(sh, want, len), "shared mapping differs");
	CHECK(!memcmp(pr, want, 4 * page) && !memcmp(pr + 5 * page, want + 5 * page, page),
	      "private mapping differs");
	for (size_t i = 0; i < page; i++)
		if (!CHECK(pr[4 * page + i] == 0x9a, "private copy differs at %zu", i))
			break;
	CHECK(access(path, F_OK) != 0, "%s exists again", path);
	sh[2 * page + 3] = 0x33;
	CHECK(pr[2 * page + 3] == 0x33, "the two mappings no longer map one file");
	prog_done();
}
