// SPDX-License-Identifier: MIT
/*
 * stdin, stdout and stderr under --shell-job, restored with -d: they are
 * the runner's same three pipes again (same inodes), with their access
 * modes.
 */
// sudcr-test: detached
#include <sys/stat.h>

#include "progs/prog.h"

int main(void)
{
	struct stat st0[3], st;
	int fl[3];

	for (int i = 0; i < 3; i++) {
		SETUP(!fstat(i, &st0[i]) && S_ISFIFO(st0[i].st_mode), "fd %d is not a pipe", i);
		fl[i] = fcntl(i, F_GETFL);
	}

	prog_ready();
	prog_wait();

	for (int i = 0; i < 3; i++) {
		CHECK(!fstat(i, &st) && S_ISFIFO(st.st_mode) && st.st_ino == st0[i].st_ino,
		      "fd %d is inode %lu, was %lu", i, (unsigned long)st.st_ino, (unsigned long)st0[i].st_ino);
		CHECK(fcntl(i, F_GETFL) == fl[i], "fd %d flags 0%o, were 0%o", i, fcntl(i, F_GETFL), fl[i]);
	}
	prog_log("stderr works");
	prog_done();
}
