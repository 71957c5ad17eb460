// SPDX-License-Identifier: MIT
/* Parsers for /proc files. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sudcr/proc.h>

int proc_read_file(const char *path, char **buf, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *b = malloc(cap);
	int fd;

	if (!b)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(b);
		return -errno;
	}
	for (;;) {
		ssize_t r;

		if (n + 1 >= cap) {
			char *nb = realloc(b, cap * 2);

			if (!nb) {
				free(b);
				close(fd);
				return -ENOMEM;
			}
			b = nb;
			cap *= 2;
		}
		r = read(fd, b + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			free(b);
			close(fd);
			return r;
		}
		if (r == 0)
			break;
		n += r;
	}
	close(fd);
	b[n] = '\0';
	*buf = b;
	if (len)
		*len = n;
	return 0;
}

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

static uint64_t parse_hex_field(const char *s)
{
	return strtoull(s, NULL, 16);
}

int proc_parse_status(pid_t pid, pid_t tid, struct proc_status *st)
{
	char path[64], *buf, *line, *save = NULL;
	int ret;

	if (tid)
		snprintf(path, sizeof(path), "/proc/%d/task/%d/status", pid, tid);
	else
		snprintf(path, sizeof(path), "/proc/%d/status", pid);
	ret = proc_read_file(path, &buf, NULL);
	if (ret)
		return ret == -ENOENT ? -ESRCH : ret;
	memset(st, 0, sizeof(*st));
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *v = strchr(line, ':');

		if (!v)
			continue;
		*v++ = '\0';
		while (*v == ' ' || *v == '\t')
			v++;
		if (!strcmp(line, "Name"))
			snprintf(st->name, sizeof(st->name), "%s", v);
		else if (!strcmp(line, "Tgid"))
			st->tgid = atoi(v);
		else if (!strcmp(line, "PPid"))
			st->ppid = atoi(v);
		else if (!strcmp(line, "TracerPid"))
			st->tracer_pid = atoi(v);
		else if (!strcmp(line, "Seccomp"))
			st->seccomp = atoi(v);
		else if (!strcmp(line, "SigBlk"))
			st->sig_blk = parse_hex_field(v);
		else if (!strcmp(line, "SigPnd"))
			st->sig_pnd = parse_hex_field(v);
		else if (!strcmp(line, "ShdPnd"))
			st->shd_pnd = parse_hex_field(v);
		else if (!strcmp(line, "SigIgn"))
			st->sig_ign = parse_hex_field(v);
		else if (!strcmp(line, "SigCgt"))
			st->sig_cgt = parse_hex_field(v);
	}
	free(buf);
	return 0;
}

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

int proc_thread_cpu(pid_t pid, pid_t tid, int *cpu)
{
	char path[64], *buf, *p;
	int ret, field = 3;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	ret = proc_read_file(path, &buf, NULL);
	if (ret)
		return ret == -ENOENT ? -ESRCH : ret;
	p = strrchr(buf, ')');
	ret = -EINVAL;
	/* Field 39 (processor); the state after ')' is field 3. */
	for (p = p ? p + 2 : NULL; p && *p; p++) {
		if (*p != ' ')
			continue;
		if (++field == 39) {
			*cpu = atoi(p + 1);
			ret = 0;
			break;
		}
	}
	free(buf);
	return ret;
}
