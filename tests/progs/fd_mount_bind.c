// SPDX-License-Identifier: MIT
/*
 * Files opened through another mount of the same filesystem: a read-only
 * bind mount of a scratch directory (same device and inodes as the
 * directory itself).  A file and the directory are opened through the
 * bind mount, another fd of the same file through the writable original.
 * After restore each fd is on the mount it was opened through (its
 * mnt_id is the one its path leads through; the read-only one gives
 * EROFS to a write open through /proc/self/fd, the other does not), and
 * the two fds of the file are one inode.
 */
#include <sys/mount.h>
#include <sys/stat.h>

#include "progs/prog.h"

static long long mnt_of(int fd, const char *path)
{
	struct statx sx;

	if (statx(fd, fd >= 0 ? "" : path, fd >= 0 ? AT_EMPTY_PATH : AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &sx) ||
	    !(sx.stx_mask & STATX_MNT_ID))
		return -1;
	return (long long)sx.stx_mnt_id;
}

static int reopen_write(int fd)
{
	char p[64];
	int w, err;

	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	w = open(p, O_WRONLY);
	err = errno;
	if (w >= 0)
		close(w);
	return w >= 0 ? 0 : err;
}

int main(void)
{
	char a[4096], b[4096], fa[4200], fb[4200], buf[16];
	struct stat s1, s2;
	int ro, rw, dir, fd;

	snprintf(a, sizeof(a), "%s", prog_path("orig"));
	snprintf(b, sizeof(b), "%s", prog_path("bind"));
	snprintf(fa, sizeof(fa), "%s/f", a);
	snprintf(fb, sizeof(fb), "%s/f", b);
	umount2(b, MNT_DETACH);
	SETUP((!mkdir(a, 0755) || errno == EEXIST) && (!mkdir(b, 0755) || errno == EEXIST), "mkdir");
	fd = open(fa, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	SETUP(fd >= 0 && write(fd, "bound", 5) == 5 && !close(fd), "create %s", fa);
	if (mount(a, b, NULL, MS_BIND, NULL))
		prog_skip("cannot bind-mount here: %s", strerror(errno));
	SETUP(!mount(NULL, b, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL), "remount read-only");
	ro = open(fb, O_RDONLY);
	dir = open(b, O_RDONLY | O_DIRECTORY);
	rw = open(fa, O_RDONLY);
	SETUP(ro >= 0 && dir >= 0 && rw >= 0, "open");
	SETUP(mnt_of(ro, NULL) != mnt_of(rw, NULL), "the bind mount is the same mount");

	prog_ready();
	prog_wait();

	CHECK(mnt_of(ro, NULL) == mnt_of(-1, fb), "the file's fd is on mount %lld, its path on %lld", mnt_of(ro, NULL),
	      mnt_of(-1, fb));
	CHECK(mnt_of(dir, NULL) == mnt_of(-1, b), "the directory's fd is on mount %lld, not %lld",
	      mnt_of(dir, NULL), mnt_of(-1, b));
	CHECK(mnt_of(rw, NULL) == mnt_of(-1, fa), "the original's fd is on mount %lld, not %lld", mnt_of(rw, NULL),
	      mnt_of(-1, fa));
	CHECK(reopen_write(ro) == EROFS, "a write open of the read-only mount's fd: %s", strerror(reopen_write(ro)));
	CHECK(reopen_write(rw) == 0, "a write open of the original's fd: %s", strerror(reopen_write(rw)));
	if (CHECK(!fstat(ro, &s1) && !fstat(rw, &s2), "fstat: %s", strerror(errno)))
		CHECK(s1.st_dev == s2.st_dev && s1.st_ino == s2.st_ino, "the two fds of f are two files");
	CHECK(pread(ro, buf, sizeof(buf), 0) == 5 && !memcmp(buf, "bound", 5), "the file's content");
	close(ro);
	close(dir);
	umount2(b, MNT_DETACH);
	prog_done();
}
