// SPDX-License-Identifier: MIT
/*
 * /proc/PID/maps: a mapping by name (in libsudcr-core; the whole list of
 * mappings comes from smaps, lib/proc/smaps.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "proc.h"

/* ---- maps ---- */

int proc_find_mapping(pid_t pid, const char *name, uint64_t *start, uint64_t *end)
{
	char path[64], *buf, *line, *save = NULL;
	size_t nlen = strlen(name);
	int ret;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	ret = proc_read_file(path, &buf, NULL);
	if (ret)
		return ret == -ENOENT ? -ESRCH : ret;
	ret = -ENOENT;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t l = strlen(line);
		unsigned long long s, e;

		if (l < nlen || strcmp(line + l - nlen, name))
			continue;
		if (sscanf(line, "%llx-%llx", &s, &e) != 2)
			continue;
		*start = s;
		*end = e;
		ret = 0;
		break;
	}
	free(buf);
	return ret;
}
