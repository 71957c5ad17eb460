/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_TESTS_PTY_UTIL_H
#define SUDCR_TESTS_PTY_UTIL_H

/* Helpers of the pty programs (tests/progs/pty_*.c). */

#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>

#include "progs/tree_util.h"

/* A new pty pair: the master, its index in *index, its slave's name in @name. */
static inline int pty_open_master(unsigned int *index, char *name, size_t size)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (m < 0 || grantpt(m) || unlockpt(m) || ioctl(m, TIOCGPTN, index))
		return -1;
	snprintf(name, size, "/dev/pts/%u", *index);
	return m;
}

/* Wait until @fd has @n bytes to read (FIONREAD), at most 2 s. */
static inline int pty_wait_bytes(int fd, int n)
{
	int q = 0;

	for (int i = 0; i < 2000; i++) {
		if (ioctl(fd, FIONREAD, &q))
			return -1;
		if (q >= n)
			return q;
		usleep(1000);
	}
	return q;
}

/* Read exactly @len bytes from @fd (2 s at most), 0 or -1. */
static inline int pty_read_n(int fd, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t n;

		if (poll(&p, 1, 2000) <= 0)
			return -1;
		n = read(fd, buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

/* Nothing more to read on @fd within @ms. */
static inline bool pty_quiet(int fd, int ms)
{
	struct pollfd p = { fd, POLLIN, 0 };

	return poll(&p, 1, ms) == 0;
}

static inline bool pty_same_termios(const struct termios *a, const struct termios *b)
{
	return a->c_iflag == b->c_iflag && a->c_oflag == b->c_oflag && a->c_cflag == b->c_cflag &&
	       a->c_lflag == b->c_lflag && !memcmp(a->c_cc, b->c_cc, NCCS) &&
	       cfgetispeed(a) == cfgetispeed(b) && cfgetospeed(a) == cfgetospeed(b);
}

#endif
