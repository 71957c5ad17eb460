/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_KINDS_FSNOTIFY_H
#define SUDCR_KINDS_FSNOTIFY_H

/* fsnotify.c: what inotify.c and fanotify.c share at dump. */

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
/* A directory fd on a mount of device @dev here, the filesystem's root mount preferred; -errno. */
int fsn_open_mount_of(dev_t dev);
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
