/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_KINDS_FSNOTIFY_H
#define SUDCR_KINDS_FSNOTIFY_H

/*
 * fsnotify.c: what inotify.c and fanotify.c share at dump (fd_mounts.c
 * too reads mountinfo with fsn_unescape()).
 */

#include <stddef.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>

/* The kernel's s_dev as fdinfo shows it (major << 20 | minor), as a dev_t. */
static inline dev_t fsn_dev(unsigned int sdev)
{
	return makedev(sdev >> 20, sdev & 0xfffff);
}

/* All of /proc/PID/fdinfo/FD, NUL-terminated, malloc'ed; -errno. */
int fsn_read_fdinfo(pid_t pid, int fd, char **out);
/*
 * The mount point of mount @mnt_id (>= 0), or of a mount of device @dev
 * (its filesystem's root mount preferred), from our mountinfo; -ENODEV.
 */
int fsn_mount_path(dev_t dev, int mnt_id, char *path, size_t size);
/* A "\040"-escaped field of mountinfo (fd_mounts.c's too), in place. */
void fsn_unescape(char *s);
/* The id of the mount @path is on (of the last mount on it, for a mount point); -errno. */
int fsn_mnt_id(const char *path);
/*
 * The path of the inode @ino of @sdev that fd @fd watches (@what, for the
 * messages: "inotify watch wd 3"), from @handle, the rest of its fdinfo
 * line (" fhandle-bytes:8 fhandle-type:1 f_handle:HEX"); it must lead to
 * that inode (*st: its stat).  One line and -errno if not.  *path is
 * malloc'ed.
 */
int fsn_inode_path(int fd, const char *what, unsigned int sdev, unsigned long ino,
		   const char *handle, struct stat *st, char **path);

#endif
