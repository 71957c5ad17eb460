// SPDX-License-Identifier: MIT
/*
 * /proc/PID/task/TID/children: the child processes of a process (a scan
 * of /proc/PID/status without it).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "parse.h"
#include "proc.h"

static int add_pid(pid_t **v, int *n, int *cap, pid_t p)
{
	if (*n == *cap) {
		int c = *cap ? *cap * 2 : 8;
		pid_t *nv = realloc(*v, c * sizeof(**v));

		if (!nv)
			return -ENOMEM;
		*v = nv;
		*cap = c;
	}
	(*v)[(*n)++] = p;
	return 0;
}

/* Without CONFIG_PROC_CHILDREN: every process whose PPid is @pid. */
static int scan_children(pid_t pid, pid_t **v, int *n, int *cap)
{
	struct dirent *de;
	DIR *d = opendir("/proc");
	int ret = 0;

	if (!d)
		return -errno;
	while (!ret && (de = readdir(d))) {
		struct proc_status st;
		char *end;
		long p = strtol(de->d_name, &end, 10);

		if (!isdigit((unsigned char)de->d_name[0]) || *end)
			continue;
		if (!proc_parse_status((pid_t)p, 0, &st) && st.ppid == pid)
			ret = add_pid(v, n, cap, (pid_t)p);
	}
	closedir(d);
	return ret;
}

int proc_children(pid_t pid, pid_t **kids, int *nr)
{
	pid_t *tids, *v = NULL;
	int nt, n = 0, cap = 0, ret;

	ret = proc_list_tasks(pid, &tids, &nt);
	if (ret)
		return ret;
	for (int i = 0; i < nt && !ret; i++) {
		char path[96], *buf, *p, *end;
		size_t len;

		snprintf(path, sizeof(path), "/proc/%d/task/%d/children", pid, tids[i]);
		ret = proc_read_file(path, &buf, &len);
		if (ret == -ENOENT && i == 0 && access(path, F_OK)) {
			/* No such file at all (not a vanished thread): the slow way. */
			ret = scan_children(pid, &v, &n, &cap);
			break;
		}
		if (ret == -ENOENT || ret == -ESRCH) {
			ret = 0;	/* the thread exited meanwhile */
			continue;
		}
		if (ret)
			break;
		for (p = buf; !ret; p = end) {
			long c = strtol(p, &end, 10);

			if (end == p)
				break;
			ret = add_pid(&v, &n, &cap, (pid_t)c);
		}
		free(buf);
	}
	free(tids);
	if (ret) {
		free(v);
		return ret;
	}
	*kids = v;
	*nr = n;
	return 0;
}
