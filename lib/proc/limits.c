// SPDX-License-Identifier: MIT
/*
 * /proc/PID/limits: every resource limit of a process in one read, where
 * prlimit() on another process would need its uids (or CAP_SYS_RESOURCE)
 * and an injected prlimit64 costs a ptrace round trip per resource.
 *
 * The kernel (proc_pid_limits()) prints a header line, then one line per
 * resource in RLIMIT_* order: the name left-justified in 25 columns and a
 * space, the soft limit in 20 and a space, the hard limit in 20, then the
 * unit.  A limit is "unlimited" (RLIM_INFINITY) or a decimal number.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "parse.h"
#include "proc.h"

#define LIMITS_SOFT_COL 26
#define LIMITS_HARD_COL 47

static int limit_value(const char *line, size_t len, size_t col, uint64_t *v)
{
	char *end;

	if (len < col + 1 || line[col - 1] != ' ' || line[col] == ' ')
		return -EINVAL;
	if (!strncmp(line + col, "unlimited ", 10)) {
		*v = RLIM_INFINITY;
		return 0;
	}
	if (line[col] < '0' || line[col] > '9')
		return -EINVAL;
	errno = 0;
	*v = strtoull(line + col, &end, 10);
	return errno || (*end != ' ' && *end != '\n') ? -EINVAL : 0;
}

int proc_read_limits(pid_t pid, uint64_t cur[], uint64_t max[], int nr)
{
	char *b = NULL, *line, *nl;
	size_t n = 0;
	int ret, i = -1;

	ret = read_task_file(pid, 0, "limits", 4096, &b, &n);
	if (ret)
		return ret;
	for (line = b; i < nr && line < b + n; line = nl + 1, i++) {
		nl = memchr(line, '\n', b + n - line);
		if (!nl) {
			ret = -EINVAL;
			break;
		}
		if (i < 0)
			continue;	/* the header */
		ret = limit_value(line, nl - line + 1, LIMITS_SOFT_COL, &cur[i]);
		if (!ret)
			ret = limit_value(line, nl - line + 1, LIMITS_HARD_COL, &max[i]);
		if (ret)
			break;
	}
	if (!ret && i < nr)
		ret = -EINVAL;
	free(b);
	return ret;
}
