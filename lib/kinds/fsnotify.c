// SPDX-License-Identifier: MIT
/*
 * What the inotify and fanotify kinds (inotify.c, fanotify.c) share: their
 * fdinfo, read whole, and the path of a watched inode, found at dump from
 * the file handle fdinfo shows (open_by_handle_at through a mount of its
 * filesystem, then the link of that fd), which must lead to that inode.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "image_records.h"
#include <sudcr/log.h>
#include "proc/proc.h"

#include "fsnotify.h"

#define HANDLE_MAX	128

/* All of /proc/PID/fdinfo/FD, NUL-terminated (a watch is a line: it can be long). */
int fsn_read_fdinfo(pid_t pid, int fd, char **out)
{
	char path[64];
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	int f, ret = 0;

	if (!buf)
		return -ENOMEM;
	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", pid, fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0) {
		ret = -errno;
		goto out_free;
	}
	for (;;) {
		ssize_t n;

		if (cap - len < 2) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				ret = -ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(f, buf + len, cap - len - 1);
		if (n < 0) {
			ret = -errno;
			break;
		}
		if (!n)
			break;
		len += n;
	}
	close(f);
	if (ret)
		goto out_free;
	buf[len] = '\0';
	*out = buf;
	return 0;
out_free:
	free(buf);
	return ret;
}

void fsn_unescape(char *s)
{
	char *d = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
}

int fsn_mount_path(dev_t dev, int mnt_id, char *path, size_t size)
{
	FILE *m = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	bool found = false, found_root = false;

	if (!m)
		return -errno;
	while (fgets(line, sizeof(line), m)) {
		unsigned int maj, min;
		int id;
		char root[4096], point[4096];

		if (sscanf(line, "%d %*d %u:%u %4095s %4095s", &id, &maj, &min, root, point) != 5 ||
		    (mnt_id >= 0 ? id != mnt_id : makedev(maj, min) != dev))
			continue;
		if (!found || (!found_root && !strcmp(root, "/"))) {
			fsn_unescape(point);
			snprintf(path, size, "%s", point);
			found = true;
			found_root = !strcmp(root, "/");
		}
	}
	fclose(m);
	return found ? 0 : -ENODEV;
}

int fsn_mnt_id(const char *path)
{
	struct proc_fd pf;
	int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = proc_read_fd(getpid(), fd, &pf);
	close(fd);
	return ret ? ret : pf.mnt_id;
}

/* A directory fd on a mount of device @dev (ours), the filesystem's root mount preferred; -errno. */
static int open_mount_of(dev_t dev)
{
	char path[4096];
	int fd, ret = fsn_mount_path(dev, -1, path, sizeof(path));

	if (ret)
		return ret;
	/* An O_PATH mount fd gives ENOENT from open_by_handle_at here. */
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int fsn_inode_path(int fd, const char *what, unsigned int sdev, unsigned long ino,
		   const char *handle, struct stat *st, char **path)
{
	unsigned int hbytes;
	int htype, mfd, pfd, ret;
	union {
		struct file_handle h;
		unsigned char b[sizeof(struct file_handle) + HANDLE_MAX];
	} u;
	struct file_handle *fh = &u.h;
	const char *hex = handle ? strstr(handle, "f_handle:") : NULL;
	char proc[64], buf[REC_PATH_MAX + 16];
	ssize_t len;
	struct stat pst;
	dev_t dev = fsn_dev(sdev);

	if (!hex || sscanf(handle, " fhandle-bytes:%x fhandle-type:%x", &hbytes, &htype) != 2 ||
	    hbytes == 0 || hbytes > HANDLE_MAX) {
		sudcr_error("fd %d: %s (inode %lu on %u:%u): its filesystem gives no file handle, no path to watch again: not supported",
			    fd, what, ino, major(dev), minor(dev));
		return -EOPNOTSUPP;
	}
	hex += 9;
	for (unsigned int k = 0; k < hbytes; k++) {
		int hi = hexval(hex[2 * k]), lo = hi < 0 ? -1 : hexval(hex[2 * k + 1]);

		if (lo < 0) {
			sudcr_error("fd %d: %s: bad file handle in fdinfo", fd, what);
			return -EINVAL;
		}
		fh->f_handle[k] = (unsigned char)(hi << 4 | lo);
	}
	fh->handle_bytes = hbytes;
	fh->handle_type = htype;

	mfd = open_mount_of(dev);
	if (mfd < 0) {
		sudcr_error("fd %d: %s (inode %lu): no mount of its filesystem %u:%u here: %s", fd,
			    what, ino, major(dev), minor(dev), strerror(-mfd));
		return mfd;
	}
	pfd = open_by_handle_at(mfd, fh, O_PATH | O_CLOEXEC);
	ret = pfd < 0 ? -errno : 0;
	close(mfd);
	if (ret) {
		sudcr_error("fd %d: %s (inode %lu on %u:%u): cannot open it by its file handle: %s", fd,
			    what, ino, major(dev), minor(dev), strerror(-ret));
		return ret;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
	len = readlink(proc, buf, sizeof(buf) - 1);
	if (len < 0 || fstat(pfd, st)) {
		ret = -errno;
		close(pfd);
		sudcr_error("fd %d: %s: %s", fd, what, strerror(-ret));
		return ret;
	}
	close(pfd);
	buf[len] = '\0';
	if (buf[0] != '/' || (size_t)len >= REC_PATH_MAX || lstat(buf, &pst) ||
	    pst.st_dev != st->st_dev || pst.st_ino != st->st_ino) {
		size_t bl = strlen(buf), dl = strlen(" (deleted)");
		bool del = bl > dl && !strcmp(buf + bl - dl, " (deleted)");

		if (del)
			buf[bl - dl] = '\0';
		sudcr_error("fd %d: %s on %s: %s: not supported", fd, what, buf,
			    del ? "deleted, no path leads to the inode any more" :
				  "no longer the inode watched");
		return -EOPNOTSUPP;
	}
	*path = strdup(buf);
	return *path ? 0 : -ENOMEM;
}
