// SPDX-License-Identifier: MIT
/*
 * The set of open fds, with holes (0-2, 3, 9, 50, 1000): after restore
 * exactly these are open, nothing of sudcr's is left in the process, and
 * each is still the file it was.
 */

#include <dirent.h>
#include <sys/stat.h>

#include "progs/prog.h"

static const int want[] = { 0, 1, 2, 3, 9, 50, 1000 };
#define NR (int)(sizeof(want) / sizeof(want[0]))

int main(void)
{
	struct stat st0[NR], st;
	int seen[NR] = { 0 };
	DIR *d;
	struct dirent *de;

	SETUP(open("/dev/null", O_RDONLY) == 3, "fd 3");
	SETUP(dup2(3, 9) == 9 && dup2(3, 50) == 50 && dup2(1, 1000) == 1000, "dup2");
	for (int i = 0; i < NR; i++)
		SETUP(!fstat(want[i], &st0[i]), "fstat %d", want[i]);

	prog_ready();
	prog_wait();

	d = opendir("/proc/self/fd");
	CHECK(d != NULL, "opendir");
	while (d && (de = readdir(d))) {
		int fd = atoi(de->d_name), i;

		if (de->d_name[0] == '.' || fd == dirfd(d))
			continue;
		for (i = 0; i < NR && want[i] != fd; i++)
			;
		if (CHECK(i < NR, "fd %d is open", fd))
			seen[i]++;
	}
	for (int i = 0; i < NR; i++) {
		CHECK(seen[i] == 1, "fd %d is not open", want[i]);
		CHECK(!fstat(want[i], &st) && st.st_rdev == st0[i].st_rdev && (st.st_mode & S_IFMT) ==
		      (st0[i].st_mode & S_IFMT), "fd %d is another kind of file", want[i]);
	}
	prog_done();
}
