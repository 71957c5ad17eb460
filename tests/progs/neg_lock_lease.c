// SPDX-License-Identifier: MIT
/*
 * Failure path: a read lease (F_SETLEASE) on a file.  A lease cannot be
 * taken again as it was (its break state, the signal it sends): the dump
 * must fail with one line naming the fd, and the process keeps its lease.
 */
// sudcr-test: dump-fails
#include "progs/prog.h"

int main(void)
{
	const char *p = prog_path("neg_lock_lease.dat");
	int fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600);

	SETUP(fd >= 0, "create");
	close(fd);
	fd = open(p, O_RDONLY);
	SETUP(fd >= 0 && !fcntl(fd, F_SETLEASE, F_RDLCK), "F_SETLEASE");

	prog_ready();
	prog_wait();

	CHECK_EQ(fcntl(fd, F_GETLEASE), F_RDLCK);
	prog_done();
}
