// SPDX-License-Identifier: MIT
/*
 * /proc/PID/fd/N and /proc/PID/fdinfo/N: open files, and the watch list of
 * an epoll fd (the "tfd:" lines of its fdinfo).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse.h"
#include "proc.h"

/* ---- fd, fdinfo ---- */

/* "(sec, nsec)" of timerfd's it_value and it_interval */
static int val_timespec(const char *p, const char *end, uint64_t *sec, uint64_t *nsec)
{
	if (!scan_char(&p, end, '(') || scan_udec(&p, end, sec) || !scan_char(&p, end, ','))
		return -EINVAL;
	skip_blanks(&p, end);
	if (scan_udec(&p, end, nsec) || !scan_char(&p, end, ')') || !at_eol(p, end))
		return -EINVAL;
	return 0;
}

int proc_parse_fdinfo_buf(const char *buf, struct proc_fd *fd)
{
	const size_t off = offsetof(struct proc_fd, pos);
	const char *pos = buf, *ls, *le;
	bool seen_pos = false, seen_flags = false, seen_mnt = false, seen_ino = false;

	memset((char *)fd + off, 0, sizeof(*fd) - off);
	fd->pidfd_pid = -1;
	while (next_line(&pos, &ls, &le)) {
		const char *ke, *v;
		uint64_t x;
		int64_t s;
		int ret = 0;

		/* epoll "tfd:", inotify, fanotify and others: not ours. */
		if (!split_key(ls, le, &ke, &v))
			continue;
		if (key_is(ls, ke, "lock")) {
			fd->nr_locks++;
		} else if (key_is(ls, ke, "pos")) {
			ret = scan_sdec(&v, le, &s) || !at_eol(v, le) ? -EINVAL : 0;
			fd->pos = (uint64_t)s;
			seen_pos = true;
		} else if (key_is(ls, ke, "flags")) {
			ret = val_oct(v, le, &x);
			if (!ret && x > UINT32_MAX)
				ret = -EINVAL;
			fd->flags = (uint32_t)x;
			seen_flags = true;
		} else if (key_is(ls, ke, "mnt_id")) {
			ret = val_int(v, le, &fd->mnt_id);
			seen_mnt = true;
		} else if (key_is(ls, ke, "ino")) {
			ret = val_udec(v, le, &fd->ino);
			seen_ino = true;
		} else if (key_is(ls, ke, "eventfd-count")) {
			/* printed "%16llx": padded with blanks, skipped by split_key() */
			ret = val_hex(v, le, &fd->eventfd_count);
			fd->has_eventfd = true;
		} else if (key_is(ls, ke, "eventfd-id")) {
			ret = val_int(v, le, &fd->eventfd_id);
		} else if (key_is(ls, ke, "eventfd-semaphore")) {
			ret = val_udec(v, le, &x);
			fd->eventfd_semaphore = x != 0;
		} else if (key_is(ls, ke, "sigmask")) {
			ret = val_hex(v, le, &fd->signalfd_mask);
			fd->has_signalfd = true;
		} else if (key_is(ls, ke, "clockid")) {
			ret = val_int(v, le, &fd->timerfd_clockid);
			fd->has_timerfd = true;
		} else if (key_is(ls, ke, "ticks")) {
			ret = val_udec(v, le, &fd->timerfd_ticks);
		} else if (key_is(ls, ke, "settime flags")) {
			ret = val_oct(v, le, &x);
			if (!ret && x > UINT32_MAX)
				ret = -EINVAL;
			fd->timerfd_settime_flags = (uint32_t)x;
		} else if (key_is(ls, ke, "it_value")) {
			ret = val_timespec(v, le, &fd->timerfd_value_sec, &fd->timerfd_value_nsec);
		} else if (key_is(ls, ke, "it_interval")) {
			ret = val_timespec(v, le, &fd->timerfd_interval_sec,
					   &fd->timerfd_interval_nsec);
		} else if (key_is(ls, ke, "Pid")) {
			ret = val_int(v, le, &fd->pidfd_pid);
			fd->has_pidfd = true;
		}
		if (ret)
			return -EINVAL;
	}
	if (!seen_pos || !seen_flags || !seen_mnt || !seen_ino)
		return -EINVAL;
	return 0;
}

/* One fd through directory fds of /proc/PID/fd and /proc/PID/fdinfo. */
static int read_fd_at(int fd_dir, int info_dir, int nfd, struct proc_fd *out)
{
	char name[16], *buf;
	ssize_t r;
	int ret;

	snprintf(name, sizeof(name), "%d", nfd);
	r = readlinkat(fd_dir, name, out->link, sizeof(out->link));
	if (r < 0)
		return -errno;
	if ((size_t)r >= sizeof(out->link))
		return -ENAMETOOLONG;
	out->link[r] = '\0';
	out->fd = nfd;
	ret = read_path_all(info_dir, name, 512, &buf, NULL);
	if (ret)
		return ret;
	ret = proc_parse_fdinfo_buf(buf, out);
	free(buf);
	return ret;
}

int proc_read_fd(pid_t pid, int fd, struct proc_fd *out)
{
	int fd_dir, info_dir, ret;

	if (fd < 0)
		return -EINVAL;
	fd_dir = open_task_dir(pid, "fd");
	if (fd_dir < 0)
		return fd_dir;
	info_dir = open_task_dir(pid, "fdinfo");
	if (info_dir < 0) {
		ret = info_dir;
		goto out_fd_dir;
	}
	ret = read_fd_at(fd_dir, info_dir, fd, out);
	close(info_dir);
out_fd_dir:
	close(fd_dir);
	return ret;
}

static int cmp_fd(const void *a, const void *b)
{
	const struct proc_fd *x = a, *y = b;

	return (x->fd > y->fd) - (x->fd < y->fd);
}

int proc_list_fds(pid_t pid, struct proc_fd **fds, int *nr)
{
	struct proc_fd *v = NULL;
	int fd_dir, info_dir, n = 0, cap = 0, ret;
	struct dirent *de;
	DIR *d;

	fd_dir = open_task_dir(pid, "fd");
	if (fd_dir < 0)
		return fd_dir;
	info_dir = open_task_dir(pid, "fdinfo");
	if (info_dir < 0) {
		close(fd_dir);
		return info_dir;
	}
	d = fdopendir(fd_dir);
	if (!d) {
		ret = -errno;
		close(fd_dir);
		goto out_info;
	}
	ret = 0;
	/* readdir() sets errno only on error: clear it before each call. */
	for (errno = 0; (de = readdir(d)); errno = 0) {
		const char *p = de->d_name;
		int nfd;

		if (!isdigit((unsigned char)*p))
			continue;
		if (val_int(p, p + strlen(p), &nfd) || nfd < 0)
			continue;
		ret = grow((void **)&v, &cap, n, sizeof(*v));
		if (ret)
			goto out_free;
		ret = read_fd_at(dirfd(d), info_dir, nfd, &v[n]);
		if (ret == -ENOENT) {	/* closed meanwhile */
			ret = 0;
			continue;
		}
		if (ret)
			goto out_free;
		n++;
	}
	if (errno) {
		ret = -errno;
		goto out_free;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_fd);
	*fds = v;
	*nr = n;
	v = NULL;
out_free:
	free(v);
	closedir(d);
out_info:
	close(info_dir);
	return ret;
}

/*
 * "tfd: %8d events: %8x data: %16llx  pos:%lli ino:%lx sdev:%x": the
 * fields after data came in Linux 3.8 and are optional here.
 */
static int parse_tfd_line(const char *p, const char *end, struct proc_epoll_tfd *t)
{
	uint64_t x;
	int64_t pos;

	memset(t, 0, sizeof(*t));
	if (!scan_word(&p, end, "tfd:"))
		return -EINVAL;
	skip_blanks(&p, end);
	if (scan_int(&p, end, &t->tfd) || t->tfd < 0)
		return -EINVAL;
	skip_blanks(&p, end);
	if (!scan_word(&p, end, "events:"))
		return -EINVAL;
	skip_blanks(&p, end);
	if (scan_hex(&p, end, &x) || x > UINT32_MAX)
		return -EINVAL;
	t->events = (uint32_t)x;
	skip_blanks(&p, end);
	if (!scan_word(&p, end, "data:"))
		return -EINVAL;
	skip_blanks(&p, end);
	if (scan_hex(&p, end, &t->data))
		return -EINVAL;
	skip_blanks(&p, end);
	if (p == end)
		return 0;
	if (!scan_word(&p, end, "pos:") || scan_sdec(&p, end, &pos))
		return -EINVAL;
	skip_blanks(&p, end);
	if (!scan_word(&p, end, "ino:") || scan_hex(&p, end, &t->ino))
		return -EINVAL;
	skip_blanks(&p, end);
	if (!scan_word(&p, end, "sdev:") || scan_hex(&p, end, &x) || x > UINT32_MAX)
		return -EINVAL;
	t->sdev = (uint32_t)x;
	return at_eol(p, end) ? 0 : -EINVAL;
}

int proc_parse_epoll_buf(const char *buf, struct proc_epoll_tfd **out, int *nr)
{
	struct proc_epoll_tfd *v = NULL;
	const char *pos = buf, *ls, *le;
	int n = 0, cap = 0, ret;

	while (next_line(&pos, &ls, &le)) {
		if ((size_t)(le - ls) < 4 || memcmp(ls, "tfd:", 4))
			continue;
		ret = grow((void **)&v, &cap, n, sizeof(*v));
		if (!ret)
			ret = parse_tfd_line(ls, le, &v[n]);
		if (ret) {
			free(v);
			return ret;
		}
		n++;
	}
	*out = v;
	*nr = n;
	return 0;
}


int proc_read_epoll(pid_t pid, int fd, struct proc_epoll_tfd **v, int *nr)
{
	char *buf;
	int ret = read_fdinfo(pid, fd, &buf);

	if (ret)
		return ret;
	ret = proc_parse_epoll_buf(buf, v, nr);
	free(buf);
	return ret;
}
