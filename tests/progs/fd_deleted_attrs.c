// SPDX-License-Identifier: MIT
/*
 * A deleted file the restore creates again keeps its mode, owner and
 * times: atime and mtime to the nanosecond (the mtime became the time of
 * the restore).  The times are set after the last write, to values no
 * restore could hit by chance, and nothing reads the file before the
 * check.
 */
#include <sys/stat.h>

#include "progs/prog.h"

#define UID 4321
#define GID 5432

int main(void)
{
	const char *path = prog_path("fd_deleted_attrs.dat");
	const struct timespec ts[2] = { { 1000000000, 123456789 }, { 1200000000, 987654321 } };
	struct stat st;
	int fd;

	if (geteuid() != 0)
		prog_skip("needs root to give the file another owner");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	SETUP(fd >= 0 && write(fd, "some bytes\n", 11) == 11, "create %s", path);
	SETUP(!fchown(fd, UID, GID) && !fchmod(fd, 02751), "fchown/fchmod");
	SETUP(!futimens(fd, ts), "futimens");
	SETUP(!unlink(path), "unlink");
	SETUP(!fstat(fd, &st) && st.st_atim.tv_nsec == ts[0].tv_nsec &&
	      st.st_mtim.tv_nsec == ts[1].tv_nsec, "the file system does not keep nanoseconds");

	prog_ready();
	prog_wait();

	if (!CHECK(!fstat(fd, &st), "fstat: %s", strerror(errno)))
		prog_done();
	CHECK_EQ(st.st_nlink, 0);
	CHECK_EQ(st.st_mode & 07777, 02751);
	CHECK_EQ(st.st_uid, UID);
	CHECK_EQ(st.st_gid, GID);
	CHECK_EQ(st.st_atim.tv_sec, ts[0].tv_sec);
	CHECK_EQ(st.st_atim.tv_nsec, ts[0].tv_nsec);
	CHECK_EQ(st.st_mtim.tv_sec, ts[1].tv_sec);
	CHECK_EQ(st.st_mtim.tv_nsec, ts[1].tv_nsec);
	prog_done();
}
