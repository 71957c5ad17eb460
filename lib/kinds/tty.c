// SPDX-License-Identifier: MIT
/*
 * The outside ends of a process's files.
 *
 * The job's terminal (--shell-job): its other side, the pty master or the
 * console, is never in the process, so it cannot be made again; the
 * restore gives the process the terminal of sudcr restore instead, with
 * the modes the process had set on its own (raw mode, echo off, window
 * size: a full-screen program is unusable without them).  They are read
 * here through a reference to one of its fds (tcgetattr, TIOCGWINSZ),
 * which changes nothing.  TIOCGDEV names the terminal behind any open,
 * /dev/tty and /dev/console included.
 *
 * Pipes and FIFOs with one end outside: who holds the other end is found
 * by looking through /proc/PID/fd of every process, for the warnings.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include <sudcr/image_records.h>
#include <sudcr/kernel_compat.h>
#include <sudcr/log.h>

#include "tty.h"

_Static_assert(sizeof(struct rec_tty) == 88, "rec_tty layout");
_Static_assert(sizeof(struct rec_pipe_outside) == 16, "rec_pipe_outside layout");

/* The kernel's new_encode_dev() numbers (tty_nr, TIOCGDEV). */
static dev_t decode_dev(unsigned int v)
{
	return makedev((v & 0xfff00) >> 8, (v & 0xff) | ((v >> 12) & 0xfff00));
}

int dump_tty_device(int g, dev_t *dev)
{
	unsigned int v;

	if (ioctl(g, TIOCGDEV, &v))
		return -errno;
	*dev = decode_dev(v);
	return 0;
}

dev_t dump_tty_of_stat(int tty_nr)
{
	return tty_nr ? decode_dev((unsigned int)tty_nr) : 0;
}

void dump_tty_name(dev_t dev, char *buf, size_t len)
{
	if (major(dev) >= 136 && major(dev) <= 143)
		snprintf(buf, len, "/dev/pts/%u", (major(dev) - 136) * 256 + minor(dev));
	else if (major(dev) == 4 && minor(dev) < 64)
		snprintf(buf, len, "/dev/tty%u", minor(dev));
	else if (major(dev) == 4)
		snprintf(buf, len, "/dev/ttyS%u", minor(dev) - 64);
	else
		snprintf(buf, len, "tty %u:%u", major(dev), minor(dev));
}

int dump_tty_write(struct img_writer *img, int fd, const char *link, int g, dev_t dev, bool ctty)
{
	struct rec_tty t = { .fd = fd, .rdev = dev, .flags = ctty ? REC_TTY_CTTY : 0 };
	struct termios tio;
	struct winsize ws;

	_Static_assert(sizeof(tio.c_cc) <= sizeof(t.cc), "c_cc fits");
	if (tcgetattr(g, &tio) || ioctl(g, TIOCGWINSZ, &ws)) {
		int err = -errno;

		sudcr_error("fd %d (%s): cannot read the terminal's modes: %s", fd, link,
			    strerror(-err));
		return err;
	}
	t.iflag = tio.c_iflag;
	t.oflag = tio.c_oflag;
	t.cflag = tio.c_cflag;
	t.lflag = tio.c_lflag;
	t.ispeed = cfgetispeed(&tio);
	t.ospeed = cfgetospeed(&tio);
	t.line = tio.c_line;
	memcpy(t.cc, tio.c_cc, sizeof(tio.c_cc));
	t.ws_row = ws.ws_row;
	t.ws_col = ws.ws_col;
	t.ws_xpixel = ws.ws_xpixel;
	t.ws_ypixel = ws.ws_ypixel;
	return img_write_record(img, IMG_REC_TTY, &t, sizeof(t));
}

static bool holds(pid_t pid, const struct stat *st, const char *link)
{
	char dir[64], path[64 + 256], l[4096];
	struct dirent *de;
	bool found = false;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	d = opendir(dir);
	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		struct stat s;
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		n = readlink(path, l, sizeof(l) - 1);
		if (n <= 0)
			continue;
		l[n] = '\0';
		/* The link text first: a stat of every fd of every process costs. */
		if (strcmp(l, link))
			continue;
		found = !stat(path, &s) && s.st_dev == st->st_dev && s.st_ino == st->st_ino;
	}
	closedir(d);
	return found;
}

void dump_pipe_holders(pid_t self, const struct stat *st, const char *link, int32_t *pids,
		       int max, int *nr)
{
	struct dirent *de;
	DIR *d = opendir("/proc");

	*nr = 0;
	if (!d)
		return;
	while (*nr < max && (de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 0 || pid == self || pid == getpid())
			continue;
		if (holds((pid_t)pid, st, link))
			pids[(*nr)++] = (int32_t)pid;
	}
	closedir(d);
}
