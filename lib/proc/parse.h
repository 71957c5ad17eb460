/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_LIB_PROC_PARSE_H
#define SUDCR_LIB_PROC_PARSE_H

/*
 * Private to lib/proc/: reading /proc files and the hand-written number
 * scanners its parsers share.  Static, so that neither libsudcr nor
 * libsudcr-core exports them; each file uses some of them.
 *
 * The text parsers walk a NUL-terminated buffer line by line with explicit end
 * pointers and never modify it, so the same code serves live /proc reads and
 * crafted test input. Numbers are parsed by hand with overflow checks: the
 * strto* family skips leading blanks, accepts signs where /proc never prints
 * them and saturates silently, all of which would hide malformed input.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef __maybe_unused
#define __maybe_unused __attribute__((unused))
#endif

/* ---- reading ---- */

/* Read all of @fd into a growing buffer, starting with @hint bytes. */
static __maybe_unused int read_fd_all(int fd, size_t hint, char **buf, size_t *len)
{
	size_t cap = hint < 256 ? 256 : hint, n = 0;
	char *b = malloc(cap);

	if (!b)
		return -ENOMEM;
	for (;;) {
		ssize_t r;

		if (n + 1 >= cap) {
			char *nb;

			if (cap > SIZE_MAX / 2) {
				free(b);
				return -EFBIG;
			}
			nb = realloc(b, cap * 2);
			if (!nb) {
				free(b);
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
			return r;
		}
		if (r == 0)
			break;
		n += r;
	}
	b[n] = '\0';
	*buf = b;
	if (len)
		*len = n;
	return 0;
}

static __maybe_unused int read_path_all(int dirfd, const char *path, size_t hint, char **buf, size_t *len)
{
	int fd, ret;

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = read_fd_all(fd, hint, buf, len);
	close(fd);
	return ret;
}

static __maybe_unused void proc_path(char *b, size_t n, pid_t pid, pid_t tid, const char *name)
{
	if (tid)
		snprintf(b, n, "/proc/%d/task/%d/%s", pid, tid, name);
	else
		snprintf(b, n, "/proc/%d/%s", pid, name);
}

/*
 * A file under /proc/PID that is missing: the process is gone (-ESRCH), or
 * this one file does not exist for it (-ENOENT).
 */
static __maybe_unused int proc_missing(pid_t pid, pid_t tid)
{
	char path[64];

	proc_path(path, sizeof(path), pid, tid, "");
	if (access(path, F_OK) && errno == ENOENT)
		return -ESRCH;
	return -ENOENT;
}

/* Read /proc/PID[/task/TID]/@name; a missing file means the task is gone. */
static __maybe_unused int read_task_file(pid_t pid, pid_t tid, const char *name, size_t hint,
					 char **buf, size_t *len)
{
	char path[96];
	int ret;

	if (pid <= 0 || tid < 0)
		return -EINVAL;
	proc_path(path, sizeof(path), pid, tid, name);
	ret = read_path_all(AT_FDCWD, path, hint, buf, len);
	return ret == -ENOENT ? -ESRCH : ret;
}

/* Make room for one more element of @size in *@arr holding @n of *@cap. */
static __maybe_unused int grow(void **arr, int *cap, int n, size_t size)
{
	int ncap;
	void *na;

	if (n < *cap)
		return 0;
	if (*cap > INT_MAX / 2)
		return -ENOMEM;
	ncap = *cap ? *cap * 2 : 16;
	if ((size_t)ncap > SIZE_MAX / size)
		return -ENOMEM;
	na = realloc(*arr, (size_t)ncap * size);
	if (!na)
		return -ENOMEM;
	*arr = na;
	*cap = ncap;
	return 0;
}

static __maybe_unused int open_task_dir(pid_t pid, const char *name)
{
	char path[64];
	int fd;

	if (pid <= 0)
		return -EINVAL;
	proc_path(path, sizeof(path), pid, 0, name);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	return fd;
}

/* The whole text of /proc/PID/fdinfo/FD (an epoll's or a locked file's may be long). */
static __maybe_unused int read_fdinfo(pid_t pid, int fd, char **buf)
{
	char name[32];
	int info_dir, ret;

	if (fd < 0)
		return -EINVAL;
	info_dir = open_task_dir(pid, "fdinfo");
	if (info_dir < 0)
		return info_dir;
	snprintf(name, sizeof(name), "%d", fd);
	ret = read_path_all(info_dir, name, 4096, buf, NULL);
	close(info_dir);
	return ret;
}

/* ---- scanning ---- */

/* Next line of *@pos as [*@ls, *@le), without its newline. */
static __maybe_unused bool next_line(const char **pos, const char **ls, const char **le)
{
	const char *p = *pos, *nl;

	if (!*p)
		return false;
	nl = strchr(p, '\n');
	if (!nl)
		nl = p + strlen(p);
	*ls = p;
	*le = nl;
	*pos = *nl ? nl + 1 : nl;
	return true;
}

static __maybe_unused int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static __maybe_unused int scan_hex(const char **p, const char *end, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;
	int d;

	if (s >= end || hexval(*s) < 0)
		return -EINVAL;
	for (; s < end && (d = hexval(*s)) >= 0; s++) {
		if (x >> 60)
			return -EINVAL;
		x = x << 4 | d;
	}
	*p = s;
	*v = x;
	return 0;
}

static __maybe_unused int scan_udec(const char **p, const char *end, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;

	if (s >= end || !isdigit((unsigned char)*s))
		return -EINVAL;
	for (; s < end && isdigit((unsigned char)*s); s++) {
		unsigned d = *s - '0';

		if (x > (UINT64_MAX - d) / 10)
			return -EINVAL;
		x = x * 10 + d;
	}
	*p = s;
	*v = x;
	return 0;
}

static __maybe_unused int scan_sdec(const char **p, const char *end, int64_t *v)
{
	const char *s = *p;
	bool neg = false;
	uint64_t u;

	if (s < end && *s == '-') {
		neg = true;
		s++;
	}
	if (scan_udec(&s, end, &u))
		return -EINVAL;
	if (neg ? u > (uint64_t)INT64_MAX + 1 : u > INT64_MAX)
		return -EINVAL;
	*v = neg ? (int64_t)(0 - u) : (int64_t)u;
	*p = s;
	return 0;
}

static __maybe_unused int scan_int(const char **p, const char *end, int *v)
{
	int64_t x;

	if (scan_sdec(p, end, &x) || x < INT_MIN || x > INT_MAX)
		return -EINVAL;
	*v = (int)x;
	return 0;
}

static __maybe_unused int scan_oct(const char **p, const char *end, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;

	if (s >= end || *s < '0' || *s > '7')
		return -EINVAL;
	for (; s < end && *s >= '0' && *s <= '7'; s++) {
		if (x >> 61)
			return -EINVAL;
		x = x << 3 | (uint64_t)(*s - '0');
	}
	*p = s;
	*v = x;
	return 0;
}

static __maybe_unused bool scan_char(const char **p, const char *end, char c)
{
	if (*p >= end || **p != c)
		return false;
	(*p)++;
	return true;
}

static __maybe_unused bool scan_word(const char **p, const char *end, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(end - *p) < n || memcmp(*p, w, n))
		return false;
	*p += n;
	return true;
}

static __maybe_unused void skip_blanks(const char **p, const char *end)
{
	while (*p < end && (**p == ' ' || **p == '\t'))
		(*p)++;
}

/* Nothing but blanks left on the line. */
static __maybe_unused bool at_eol(const char *p, const char *end)
{
	skip_blanks(&p, end);
	return p == end;
}

/*
 * "Key:<blanks>value" lines. Returns the key span and the value start, or
 * false for a line without ':'.
 */
static __maybe_unused bool split_key(const char *ls, const char *le, const char **ke, const char **val)
{
	const char *c = memchr(ls, ':', le - ls);

	if (!c)
		return false;
	*ke = c;
	*val = c + 1;
	skip_blanks(val, le);
	return true;
}

static __maybe_unused bool key_is(const char *ks, const char *ke, const char *name)
{
	size_t n = strlen(name);

	return (size_t)(ke - ks) == n && !memcmp(ks, name, n);
}

/* Whole-value parsers: the value must be followed by nothing but blanks. */
static __maybe_unused int val_int(const char *p, const char *end, int *v)
{
	return scan_int(&p, end, v) || !at_eol(p, end) ? -EINVAL : 0;
}

static __maybe_unused int val_udec(const char *p, const char *end, uint64_t *v)
{
	return scan_udec(&p, end, v) || !at_eol(p, end) ? -EINVAL : 0;
}

static __maybe_unused int val_hex(const char *p, const char *end, uint64_t *v)
{
	return scan_hex(&p, end, v) || !at_eol(p, end) ? -EINVAL : 0;
}

static __maybe_unused int val_oct(const char *p, const char *end, uint64_t *v)
{
	return scan_oct(&p, end, v) || !at_eol(p, end) ? -EINVAL : 0;
}


#endif
