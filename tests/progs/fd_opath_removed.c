// SPDX-License-Identifier: MIT
/*
 * O_PATH descriptors of removed symlinks and FIFOs: a symlink opened with
 * O_PATH|O_NOFOLLOW, owned by 1234:1235, held by two fds of their own
 * (one inode), then removed, and a regular file made at its name since; a
 * second symlink removed with nothing in its place; a FIFO of mode 0640
 * opened with O_PATH, then removed.  After restore each fd is O_PATH,
 * names a node of its type that has no name (nlink 0), the symlinks their
 * targets (readlinkat(fd, "")), the two fds of the first one inode; the
 * file now at the first symlink's name is untouched, and no stray node is
 * left in the directory.
 */
#include <dirent.h>
#include <sys/stat.h>

#include "progs/prog.h"

static void check_node(int fd, mode_t type, const char *target, const char *what)
{
	struct stat st;
	char buf[256];
	ssize_t n;

	CHECK((fcntl(fd, F_GETFL) & O_PATH) == O_PATH, "%s: not O_PATH", what);
	if (!CHECK(!fstat(fd, &st), "%s: fstat: %s", what, strerror(errno)))
		return;
	CHECK((st.st_mode & S_IFMT) == type, "%s: mode %o", what, st.st_mode);
	CHECK_EQ(st.st_nlink, 0);
	if (!target)
		return;
	n = readlinkat(fd, "", buf, sizeof(buf));
	CHECK(n == (ssize_t)strlen(target) && !memcmp(buf, target, n), "%s: target '%.*s'", what,
	      (int)(n < 0 ? 0 : n), buf);
}

static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

int main(void)
{
	const char *dir = prog_path("nodes");
	char l1[4096], l2[4096], ff[4096], buf[64];
	struct stat a, b;
	int fl, fl2, fl3, fp, fd;

	snprintf(l1, sizeof(l1), "%s/link1", dir);
	snprintf(l2, sizeof(l2), "%s/link2", dir);
	snprintf(ff, sizeof(ff), "%s/fifo", dir);
	SETUP(!mkdir(dir, 0755) || errno == EEXIST, "mkdir");
	unlink(l1);
	unlink(l2);
	unlink(ff);
	SETUP(!symlink("target/of/link1", l1) && !symlink("../elsewhere", l2), "symlink");
	SETUP(!lchown(l1, 1234, 1235), "lchown");
	SETUP(!mkfifo(ff, 0600) && !chmod(ff, 0640), "mkfifo");
	fl = open(l1, O_PATH | O_NOFOLLOW);
	fl2 = open(l1, O_PATH | O_NOFOLLOW);
	fl3 = open(l2, O_PATH | O_NOFOLLOW);
	fp = open(ff, O_PATH);
	SETUP(fl >= 0 && fl2 >= 0 && fl3 >= 0 && fp >= 0, "open O_PATH");
	SETUP(!unlink(l1) && !unlink(l2) && !unlink(ff), "unlink");
	/* Its name taken since: the restore must make it elsewhere, and leave this file be. */
	fd = open(l1, O_WRONLY | O_CREAT | O_EXCL, 0600);
	SETUP(fd >= 0 && write(fd, "mine", 4) == 4 && !close(fd), "the file at link1's name");

	prog_ready();
	prog_wait();

	check_node(fl, S_IFLNK, "target/of/link1", "link1");
	check_node(fl2, S_IFLNK, "target/of/link1", "link1, second fd");
	check_node(fl3, S_IFLNK, "../elsewhere", "link2");
	check_node(fp, S_IFIFO, NULL, "fifo");
	if (CHECK(!fstat(fl, &a) && !fstat(fl2, &b), "fstat: %s", strerror(errno))) {
		CHECK(a.st_dev == b.st_dev && a.st_ino == b.st_ino, "the two fds of link1 are two inodes");
		CHECK(a.st_uid == 1234 && a.st_gid == 1235, "link1 is owned by %u:%u", a.st_uid, a.st_gid);
	}
	if (CHECK(!fstat(fp, &a), "fstat fifo: %s", strerror(errno)))
		CHECK((a.st_mode & 07777) == 0640, "the fifo's mode is %o", a.st_mode & 07777);
	CHECK(prog_read_file(l1, buf, sizeof(buf)) == 4 && !strcmp(buf, "mine"), "the file at link1's name changed");
	CHECK_EQ(entries(dir), 1);
	unlink(l1);
	prog_done();
}
