// SPDX-License-Identifier: MIT
/*
 * Shared anonymous memory (MAP_SHARED|MAP_ANONYMOUS), mapped twice (the
 * second mapping made with mremap(old_size 0), so both are the same
 * object): contents, untouched pages still zero, and after restore still
 * one object shared by both mappings and with a child forked afterwards.
 */
#include <sys/mman.h>
#include <sys/wait.h>

#include "progs/prog.h"

#define PAGES 16

int main(void)
{
	size_t page = sysconf(_SC_PAGESIZE), len = PAGES * page;
	unsigned char *a, *b;
	char line[256];
	int status;
	pid_t pid;

	a = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	SETUP(a != MAP_FAILED, "mmap");
	b = mremap(a, 0, len, MREMAP_MAYMOVE);
	SETUP(b != MAP_FAILED, "mremap alias");
	prog_fill(a, (PAGES - 2) * page, 11);	/* last two pages untouched */
	SETUP(!memcmp(a, b, len), "alias");

	prog_ready();
	prog_wait();

	CHECK(prog_check_fill(a, (PAGES - 2) * page, 11) < 0, "contents differ");
	CHECK(prog_check_fill(b, (PAGES - 2) * page, 11) < 0, "contents of the second mapping differ");
	for (size_t i = (PAGES - 2) * page; i < len; i++)
		if (!CHECK(a[i] == 0, "untouched byte %zu is 0x%x", i, a[i]))
			break;
	CHECK(!prog_maps_line(a, line, sizeof(line)) && strstr(line, " rw-s "), "mapping is '%s'", line);
	a[5] = 0xa5;
	CHECK(b[5] == 0xa5, "the two mappings are no longer one object");
	b[len - 1] = 0x5b;
	CHECK(a[len - 1] == 0x5b, "the two mappings are no longer one object (last page)");
	pid = fork();
	if (pid == 0) {
		a[7] = 0x77;
		_exit(0);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && status == 0, "child");
	CHECK(a[7] == 0x77 && b[7] == 0x77, "a write of a forked child is not seen: not shared");
	prog_done();
}
