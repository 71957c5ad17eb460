// SPDX-License-Identifier: MIT
/*
 * File locks: the "lock:" lines of /proc/PID/fdinfo/N and /proc/locks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "proc.h"

/* ---- file locks ---- */

/* The next blank-separated word of the line, as [*ws, *we). */
static bool next_word(const char **p, const char *end, const char **ws, const char **we)
{
	skip_blanks(p, end);
	if (*p == end)
		return false;
	*ws = *p;
	while (*p < end && **p != ' ' && **p != '\t')
		(*p)++;
	*we = *p;
	return true;
}

static bool word_is(const char *ws, const char *we, const char *w)
{
	return key_is(ws, we, w);
}

/* One line after "lock:" (fdinfo) or as it is (/proc/locks); 1 if it is a blocked waiter. */
static int parse_lock_line(const char *p, const char *end, struct proc_lock *l)
{
	const char *ws, *we;
	uint64_t id, x;
	int64_t start;

	memset(l, 0, sizeof(*l));
	skip_blanks(&p, end);
	if (scan_udec(&p, end, &id) || !scan_char(&p, end, ':'))
		return -EINVAL;
	if (!next_word(&p, end, &ws, &we))
		return -EINVAL;
	if (word_is(ws, we, "->"))
		return 1;
	if ((size_t)(we - ws) >= sizeof(l->name))
		return -EINVAL;
	memcpy(l->name, ws, we - ws);
	if (!strcmp(l->name, "FLOCK"))
		l->kind = PROC_LOCK_FLOCK;
	else if (!strcmp(l->name, "POSIX"))
		l->kind = PROC_LOCK_POSIX;
	else if (!strcmp(l->name, "OFDLCK"))
		l->kind = PROC_LOCK_OFD;
	if (!next_word(&p, end, &ws, &we))
		return -EINVAL;
	l->advisory = word_is(ws, we, "ADVISORY");
	if (!next_word(&p, end, &ws, &we))
		return -EINVAL;
	if (word_is(ws, we, "READ"))
		l->type = F_RDLCK;
	else if (word_is(ws, we, "WRITE"))
		l->type = F_WRLCK;
	else if (word_is(ws, we, "UNLCK"))
		l->type = F_UNLCK;
	else
		return -EINVAL;
	skip_blanks(&p, end);
	if (scan_int(&p, end, &l->pid))
		return -EINVAL;
	skip_blanks(&p, end);
	if (scan_word(&p, end, "<none>:0")) {
		/* no inode */
	} else {
		if (scan_hex(&p, end, &x) || x > UINT32_MAX || !scan_char(&p, end, ':'))
			return -EINVAL;
		l->dev_major = (unsigned int)x;
		if (scan_hex(&p, end, &x) || x > UINT32_MAX || !scan_char(&p, end, ':'))
			return -EINVAL;
		l->dev_minor = (unsigned int)x;
		if (scan_udec(&p, end, &l->ino))
			return -EINVAL;
	}
	skip_blanks(&p, end);
	if (scan_sdec(&p, end, &start) || start < 0)
		return -EINVAL;
	l->start = (uint64_t)start;
	skip_blanks(&p, end);
	if (scan_word(&p, end, "EOF")) {
		l->end = UINT64_MAX;
	} else {
		int64_t e;

		if (scan_sdec(&p, end, &e) || e < start)
			return -EINVAL;
		l->end = (uint64_t)e;
	}
	return at_eol(p, end) ? 0 : -EINVAL;
}

int proc_parse_locks_buf(const char *buf, bool fdinfo, struct proc_lock **out, int *nr)
{
	struct proc_lock *v = NULL;
	const char *pos = buf, *ls, *le;
	int n = 0, cap = 0, ret;

	while (next_line(&pos, &ls, &le)) {
		const char *p = ls;

		if (fdinfo && !scan_word(&p, le, "lock:"))
			continue;
		if (!fdinfo && at_eol(p, le))
			continue;
		ret = grow((void **)&v, &cap, n, sizeof(*v));
		if (ret)
			goto out_free;
		ret = parse_lock_line(p, le, &v[n]);
		if (ret < 0)
			goto out_free;
		if (ret == 0)
			n++;
	}
	*out = n ? v : NULL;
	if (!n)
		free(v);
	*nr = n;
	return 0;
out_free:
	free(v);
	return -EINVAL;
}

int proc_read_fd_locks(pid_t pid, int fd, struct proc_lock **v, int *nr)
{
	char *buf;
	int ret = read_fdinfo(pid, fd, &buf);

	if (ret)
		return ret;
	ret = proc_parse_locks_buf(buf, true, v, nr);
	free(buf);
	return ret;
}

int proc_read_locks(struct proc_lock **v, int *nr)
{
	char *buf;
	int ret = read_path_all(AT_FDCWD, "/proc/locks", 4096, &buf, NULL);

	if (ret)
		return ret;
	ret = proc_parse_locks_buf(buf, false, v, nr);
	free(buf);
	return ret;
}
