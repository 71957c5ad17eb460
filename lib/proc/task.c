// SPDX-License-Identifier: MIT
/*
 * /proc/PID/task: the threads of a process, and a thread's state (in
 * libsudcr-core).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "proc.h"

/* ---- tasks ---- */

int proc_list_tasks(pid_t pid, pid_t **tids, int *nr)
{
	char path[64];
	struct dirent *de;
	pid_t *v = NULL;
	int n = 0, cap = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		return errno == ENOENT ? -ESRCH : -errno;
	while ((de = readdir(d))) {
		char *end;
		long t;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		t = strtol(de->d_name, &end, 10);
		if (*end)
			continue;
		if (n == cap) {
			pid_t *nv;

			cap = cap ? cap * 2 : 16;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				closedir(d);
				return -ENOMEM;
			}
			v = nv;
		}
		v[n++] = (pid_t)t;
	}
	closedir(d);
	*tids = v;
	*nr = n;
	return 0;
}

int proc_thread_state(pid_t pid, pid_t tid, char *state)
{
	char path[64], *buf, *p;
	int ret;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	ret = proc_read_file(path, &buf, NULL);
	if (ret)
		return ret == -ENOENT ? -ESRCH : ret;
	/* comm may contain ')' and spaces: the state follows the last ')'. */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || !p[2]) {
		free(buf);
		return -EINVAL;
	}
	*state = p[2];
	free(buf);
	return 0;
}
