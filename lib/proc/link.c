// SPDX-License-Identifier: MIT
/*
 * Links under /proc/PID: cwd, root, exe, fd/N, ...
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "parse.h"
#include "proc.h"

/* ---- links ---- */

int proc_read_link(pid_t pid, const char *name, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t r;

	if (pid <= 0 || !name || !*name || name[0] == '/' || strstr(name, "..") || !len)
		return -EINVAL;
	if ((size_t)snprintf(path, sizeof(path), "/proc/%d/%s", pid, name) >= sizeof(path))
		return -ENAMETOOLONG;
	r = readlink(path, buf, len);
	if (r < 0)
		return errno == ENOENT ? proc_missing(pid, 0) : -errno;
	if ((size_t)r >= len)
		return -ENAMETOOLONG;
	buf[r] = '\0';
	return 0;
}
