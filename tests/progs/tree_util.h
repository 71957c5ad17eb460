/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_TESTS_TREE_UTIL_H
#define SUDCR_TESTS_TREE_UTIL_H

/* Helpers of the tree programs (tests/progs/tree_*.c, pty_*.c): fields of /proc/PID/stat. */

#include "progs/prog.h"

struct tree_stat {
	char state;
	pid_t ppid, pgid, sid;
	int tty_nr;		/* the controlling terminal (the kernel's encoding), 0 if none */
	pid_t tpgid;		/* its foreground process group, -1 if none */
};

/* The contents of /proc file @path, NUL-terminated, or -1. */
static inline int tree_read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return n;
}

static inline int tree_stat(pid_t pid, struct tree_stat *st)
{
	char path[64], buf[1024], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (tree_read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%c %d %d %d %d %d", &st->state, &st->ppid, &st->pgid, &st->sid,
			 &st->tty_nr, &st->tpgid) != 6)
		return -1;
	return 0;
}

/* Block until the byte in @fd comes (or EOF): a child waiting for its go. */
static inline int tree_wait_byte(int fd)
{
	char c;
	long n;

	while ((n = read(fd, &c, 1)) < 0 && errno == EINTR)
		;
	return n == 1 ? c : -1;
}

#endif
