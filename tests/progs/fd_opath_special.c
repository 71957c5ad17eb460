// SPDX-License-Identifier: MIT
/*
 * O_PATH descriptors of removed files and of a symlink: O_PATH fds on a
 * removed regular file (its contents "data"), a removed directory and, where
 * mknod is allowed, a removed node of /dev/null's device; and an
 * O_PATH|O_NOFOLLOW fd on a symlink (the link itself).  After restore each
 * is O_PATH again, names what it named (a removed file with its contents,
 * readable through /proc/self/fd; a removed directory; the device), and
 * the symlink's fd still names the link, whose target readlinkat() gives.
 */
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "progs/prog.h"

static int reopen(int fd, int flags)
{
	char p[64];

	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	return open(p, flags);
}

int main(void)
{
	char f[4096], d[4096], n[4096], l[4096], buf[16];
	struct stat st;
	int pf, pd, pn = -1, pl, fd;
	ssize_t k;

	snprintf(f, sizeof(f), "%s", prog_path("fd_opath_special.file"));
	snprintf(d, sizeof(d), "%s", prog_path("fd_opath_special.dir"));
	snprintf(n, sizeof(n), "%s", prog_path("fd_opath_special.null"));
	snprintf(l, sizeof(l), "%s", prog_path("fd_opath_special.link"));
	unlink(f);
	rmdir(d);
	unlink(n);
	unlink(l);
	fd = open(f, O_WRONLY | O_CREAT | O_TRUNC, 0640);
	SETUP(fd >= 0 && write(fd, "data", 4) == 4 && !close(fd), "create %s", f);
	SETUP(!mkdir(d, 0700), "mkdir %s", d);
	SETUP(!symlink("some/target", l), "symlink %s", l);
	pf = open(f, O_PATH);
	pd = open(d, O_PATH | O_DIRECTORY);
	pl = open(l, O_PATH | O_NOFOLLOW);
	SETUP(pf >= 0 && pd >= 0 && pl >= 0, "O_PATH opens");
	if (!mknod(n, S_IFCHR | 0600, makedev(1, 3))) {
		pn = open(n, O_PATH);
		SETUP(pn >= 0 && !unlink(n), "O_PATH open of %s", n);
	} else {
		prog_log("no device node (mknod: %s): that part is left out", strerror(errno));
	}
	SETUP(!unlink(f) && !rmdir(d), "remove");

	prog_ready();
	prog_wait();

	CHECK((fcntl(pf, F_GETFL) & O_PATH) && (fcntl(pd, F_GETFL) & O_PATH) && (fcntl(pl, F_GETFL) & O_PATH),
	      "O_PATH kept");
	CHECK(!fstat(pf, &st) && S_ISREG(st.st_mode) && st.st_nlink == 0 && st.st_size == 4 &&
	      (st.st_mode & 07777) == 0640, "file: a removed regular file of 4 bytes, mode 0640");
	fd = reopen(pf, O_RDONLY);
	CHECK(fd >= 0 && read(fd, buf, sizeof(buf)) == 4 && !memcmp(buf, "data", 4), "file: its contents");
	CHECK(read(pf, buf, 1) == -1 && errno == EBADF, "file: an O_PATH fd reads nothing");
	CHECK(!fstat(pd, &st) && S_ISDIR(st.st_mode) && st.st_nlink == 0, "dir: a removed directory");
	if (pn >= 0)
		CHECK((fcntl(pn, F_GETFL) & O_PATH) && !fstat(pn, &st) && S_ISCHR(st.st_mode) &&
		      st.st_rdev == makedev(1, 3) && st.st_nlink == 0, "node: a removed null node, O_PATH");
	CHECK(!fstat(pl, &st) && S_ISLNK(st.st_mode), "link: the symlink itself");
	k = readlinkat(pl, "", buf, sizeof(buf) - 1);
	CHECK(k == 11 && !memcmp(buf, "some/target", 11), "link: its target");
	prog_done();
}
