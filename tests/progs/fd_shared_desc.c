// SPDX-License-Identifier: MIT
/*
 * fds sharing one open file description (dup, dup2 to 100, F_DUPFD_CLOEXEC
 * to 50 or above) next to a separate open of the same file: after restore
 * the shared ones still share the offset and the status flags, each keeps
 * its own FD_CLOEXEC, and the separate open stays separate.
 */
#include "progs/prog.h"

int main(void)
{
	const char *path = prog_path("fd_shared_desc.dat");
	unsigned char data[8192];
	int fd, d1, d2, d3, other;

	prog_fill(data, sizeof(data), 161);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	SETUP(fd >= 0 && write(fd, data, sizeof(data)) == sizeof(data), "create %s", path);
	d1 = dup(fd);
	d2 = dup2(fd, 100);
	d3 = fcntl(fd, F_DUPFD_CLOEXEC, 50);
	other = open(path, O_RDONLY);
	SETUP(d1 >= 0 && d2 == 100 && d3 >= 50 && other >= 0, "dup");
	SETUP(lseek(fd, 300, SEEK_SET) == 300 && lseek(other, 7, SEEK_SET) == 7, "lseek");

	prog_ready();
	prog_wait();

	CHECK(lseek(d1, 0, SEEK_CUR) == 300 && lseek(d2, 0, SEEK_CUR) == 300 && lseek(d3, 0, SEEK_CUR) == 300,
	      "offsets of the dups: %lld %lld %lld", (long long)lseek(d1, 0, SEEK_CUR),
	      (long long)lseek(d2, 0, SEEK_CUR), (long long)lseek(d3, 0, SEEK_CUR));
	CHECK(lseek(fd, 1000, SEEK_SET) == 1000 && lseek(d2, 0, SEEK_CUR) == 1000 && lseek(d3, 0, SEEK_CUR) == 1000,
	      "the dups no longer share their offset");
	CHECK(lseek(other, 0, SEEK_CUR) == 7, "the separate open's offset is %lld",
	      (long long)lseek(other, 0, SEEK_CUR));
	CHECK(!fcntl(fd, F_SETFL, O_APPEND) && (fcntl(d2, F_GETFL) & O_APPEND) &&
	      !(fcntl(other, F_GETFL) & O_APPEND),
	      "status flags are not shared as they were");
	CHECK(fcntl(d3, F_GETFD) == FD_CLOEXEC && fcntl(fd, F_GETFD) == 0 && fcntl(d2, F_GETFD) == 0 &&
	      fcntl(d1, F_GETFD) == 0, "FD_CLOEXEC");
	CHECK(fcntl(d2 - 1, F_GETFD) < 0 && fcntl(101, F_GETFD) < 0, "fds appeared next to fd 100");
	prog_done();
}
