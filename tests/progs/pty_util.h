/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_TESTS_PTY_UTIL_H
#define SUDCR_TESTS_PTY_UTIL_H

/* Helpers of the pty programs (tests/progs/pty_*.c). */

#include <poll.h>
#include <stdbool.h>
#include <sys/stat.h>
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

/* A new pty pair with its slave open (not as controlling terminal), the slave's modes in *t. */
static inline int pty_open_pair(unsigned int *index, char *name, size_t size, int *s,
				struct termios *t)
{
	int m = pty_open_master(index, name, size);

	if (m < 0)
		return -1;
	*s = open(name, O_RDWR | O_NOCTTY);
	if (*s < 0 || tcgetattr(*s, t))
		return -1;
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


/* tty_nr of /dev/pts/@index (the kernel's new_encode_dev). */
static inline int pty_tty_nr(unsigned int index)
{
	unsigned int maj = 136 + index / 256, min = index % 256;

	return (int)((min & 0xff) | (maj << 8) | ((min & ~0xffu) << 12));
}

/* Wait until process @pid is in state @state (2 s at most). */
static inline bool pty_wait_state(pid_t pid, char state)
{
	struct tree_stat st;

	for (int i = 0; i < 2000; i++) {
		if (!tree_stat(pid, &st) && st.state == state)
			return true;
		usleep(1000);
	}
	return false;
}

/* Wait until thread @pid is blocked in syscall @nr (/proc/PID/syscall), 2 s at most. */
static inline bool pty_wait_syscall(pid_t pid, long nr)
{
	char path[64], buf[256];

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	for (int i = 0; i < 2000; i++) {
		if (tree_read_file(path, buf, sizeof(buf)) > 0 && atol(buf) == nr)
			return true;
		usleep(1000);
	}
	return false;
}

#endif
