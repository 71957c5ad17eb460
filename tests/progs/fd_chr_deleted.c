// SPDX-License-Identifier: MIT
/*
 * Device nodes whose name was removed: a node of /dev/null's device (1:3,
 * mode 0620) opened for writing twice (two descriptions) and dup'ed, and
 * one of /dev/zero's (1:5) opened for reading, both removed.  After
 * restore each is that device again through a node without a name (nlink
 * 0, "(deleted)" in /proc/self/fd), with its mode, the two descriptions on
 * one inode, the dup on one description; writes to null go, reads of zero
 * give zeros.  Skipped where mknod is not allowed (no CAP_MKNOD) or the
 * scratch directory is on a nodev mount.
 */
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "progs/prog.h"

int main(void)
{
	char n1[4096], n2[4096], want[4200], link[64], got[4200], buf[64];
	struct stat a, c;
	int fa, fb, fc, fz;
	ssize_t n;

	snprintf(n1, sizeof(n1), "%s", prog_path("fd_chr_deleted.null"));
	snprintf(n2, sizeof(n2), "%s", prog_path("fd_chr_deleted.zero"));
	unlink(n1);
	unlink(n2);
	if (mknod(n1, S_IFCHR | 0600, makedev(1, 3)) || mknod(n2, S_IFCHR | 0600, makedev(1, 5)))
		prog_skip("mknod: %s", strerror(errno));
	fa = open(n1, O_WRONLY);
	if (fa < 0 && errno == EACCES)
		prog_skip("cannot open a device node in %s (a nodev mount?)", n1);
	SETUP(!chmod(n1, 0620), "chmod");
	fc = open(n1, O_WRONLY | O_APPEND);
	fz = open(n2, O_RDONLY);
	SETUP(fa >= 0 && fc >= 0 && fz >= 0, "open");
	fb = dup(fa);
	SETUP(fb >= 0 && !unlink(n1) && !unlink(n2), "unlink");

	prog_ready();
	prog_wait();

	snprintf(want, sizeof(want), "%s (deleted)", n1);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fa);
	n = readlink(link, got, sizeof(got) - 1);
	got[n > 0 ? n : 0] = '\0';
	CHECK(!strcmp(got, want), "/proc/self/fd/%d: %s", fa, got);
	CHECK(!fstat(fa, &a) && S_ISCHR(a.st_mode) && a.st_rdev == makedev(1, 3) && a.st_nlink == 0,
	      "null: device %u:%u, nlink %lu", major(a.st_rdev), minor(a.st_rdev), (unsigned long)a.st_nlink);
	CHECK((a.st_mode & 07777) == 0620, "mode %o", a.st_mode & 07777);
	CHECK(!fstat(fc, &c) && c.st_ino == a.st_ino && c.st_dev == a.st_dev, "two opens of one node");
	CHECK(!(fcntl(fa, F_GETFL) & O_APPEND) && (fcntl(fc, F_GETFL) & O_APPEND), "two descriptions");
	CHECK(!fcntl(fb, F_SETFL, O_APPEND) && (fcntl(fa, F_GETFL) & O_APPEND), "the dup shares its description");
	CHECK(write(fa, "x", 1) == 1 && write(fc, "y", 1) == 1, "null takes writes");
	memset(buf, 1, sizeof(buf));
	CHECK(read(fz, buf, sizeof(buf)) == sizeof(buf) && !buf[0] && !buf[63], "zero reads zeros");
	CHECK(!fstat(fz, &c) && c.st_rdev == makedev(1, 5) && c.st_nlink == 0, "zero: a node without a name");
	prog_done();
}
