// SPDX-License-Identifier: MIT
/*
 * Deleted directories held open: a directory (mode 0751, an mtime set in
 * the past) opened twice (two descriptions, one of them dup'ed) and then
 * removed; a second removed directory whose name a new directory took
 * before the dump.  After restore each fd is a removed directory again
 * (nlink 0, "(deleted)" in /proc/self/fd), with its mode and mtime, the
 * two descriptions on one inode, the dup on the same description, the
 * positions as they were, and, like any removed directory, it takes no
 * new entry.  The first keeps its old name in /proc/self/fd.
 */
#include <dirent.h>
#include <sys/stat.h>

#include "progs/prog.h"

static int link_is(int fd, const char *want)
{
	char link[64], buf[4096];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, sizeof(buf) - 1);
	if (n < 0)
		return 0;
	buf[n] = '\0';
	return !strcmp(buf, want);
}

int main(void)
{
	char d1[4096], d2[4096], want[4200];
	const struct timespec old[2] = { { 0, UTIME_OMIT }, { 1000000000, 123456789 } };
	struct stat a, c, t;
	int fa, fb, fc, fd;

	snprintf(d1, sizeof(d1), "%s", prog_path("fd_deleted_dir.1"));
	snprintf(d2, sizeof(d2), "%s", prog_path("fd_deleted_dir.2"));
	rmdir(d1);	/* the variant before left them */
	rmdir(d2);
	SETUP(!mkdir(d1, 0700) && !chmod(d1, 0751) && !utimensat(AT_FDCWD, d1, old, 0), "mkdir %s", d1);
	fa = open(d1, O_RDONLY | O_DIRECTORY);
	fc = open(d1, O_RDONLY | O_DIRECTORY | O_NONBLOCK);
	SETUP(fa >= 0 && fc >= 0, "open");
	fb = dup(fa);
	SETUP(fb >= 0 && !rmdir(d1), "rmdir");
	SETUP(!mkdir(d2, 0700), "mkdir %s", d2);
	fd = open(d2, O_RDONLY | O_DIRECTORY);
	SETUP(fd >= 0 && !rmdir(d2) && !mkdir(d2, 0700), "%s: rmdir, and a new one there", d2);
	SETUP(!fstat(fa, &a) && a.st_nlink == 0, "fstat");

	prog_ready();
	prog_wait();

	snprintf(want, sizeof(want), "%s (deleted)", d1);
	CHECK(!fstat(fa, &a) && S_ISDIR(a.st_mode) && a.st_nlink == 0, "fd a: a removed directory (nlink %lu)",
	      (unsigned long)a.st_nlink);
	CHECK((a.st_mode & 07777) == 0751, "mode %o", a.st_mode & 07777);
	CHECK(a.st_mtim.tv_sec == 1000000000 && a.st_mtim.tv_nsec == 123456789, "mtime %lld.%09ld",
	      (long long)a.st_mtim.tv_sec, a.st_mtim.tv_nsec);
	CHECK(link_is(fa, want) && link_is(fb, want) && link_is(fc, want), "/proc/self/fd shows %s", want);
	CHECK(!fstat(fc, &c) && c.st_ino == a.st_ino && c.st_dev == a.st_dev, "two opens of one directory");
	CHECK(!(fcntl(fa, F_GETFL) & O_NONBLOCK) && (fcntl(fc, F_GETFL) & O_NONBLOCK), "two descriptions");
	CHECK(!fcntl(fb, F_SETFL, O_NONBLOCK) && (fcntl(fa, F_GETFL) & O_NONBLOCK), "the dup shares its description");
	CHECK(openat(fa, "new", O_CREAT | O_WRONLY, 0600) == -1 && errno == ENOENT, "takes no new entry: %s",
	      strerror(errno));
	CHECK(!fstat(fd, &t) && S_ISDIR(t.st_mode) && t.st_nlink == 0, "fd d: a removed directory");
	CHECK(stat(d2, &t) == 0 && t.st_nlink == 2, "the new %s is left alone", d2);
	prog_done();
}
