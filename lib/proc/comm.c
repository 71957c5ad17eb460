// SPDX-License-Identifier: MIT
/*
 * /proc/PID/comm and /proc/PID/task/TID/comm.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "proc.h"

/* ---- comm ---- */

int proc_read_comm(pid_t pid, pid_t tid, char *buf, size_t len)
{
	char *b = NULL;
	size_t n = 0;
	int ret;

	if (!len)
		return -EINVAL;
	ret = read_task_file(pid, tid, "comm", 64, &b, &n);
	if (ret)
		return ret;
	/* Only the kernel's own newline: a comm may end in one of its own. */
	if (n && b[n - 1] == '\n')
		n--;
	if (n >= len) {
		ret = -ENAMETOOLONG;
	} else {
		memcpy(buf, b, n);
		buf[n] = '\0';
	}
	free(b);
	return ret;
}
