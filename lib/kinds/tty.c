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
 *
 * Restore of the outside ends of a process's files (the dump above says
 * what they are).
 *
 * The job's terminal (REC_FD_TTY, --shell-job): every fd on it becomes a
 * new open of the terminal of sudcr restore (its first of fds 0-2 that is
 * one, else /dev/tty), made in the stub (files.c), with the fd's own flags.
 * The modes the process had set are applied to that terminal by sudcr
 * itself once the process is about to run (rf_tty_apply()), and put back
 * if the restore fails after that: a failed restore must not leave the
 * user's shell in raw mode.  SIGTTOU is blocked meanwhile, so that a
 * restore run in the background is not stopped by it.
 *
 * Pipes with an end outside (IMG_REC_PIPE_OUTSIDE): by default a new pipe
 * without that end, with a warning naming who held it at the dump;
 * --inherit-fd fd[N]:pipe:[INODE] makes every description of the process
 * on pipe INODE a new open of sudcr restore's fd N (/proc/self/fd/N, so
 * the flags are the image's and sudcr's own description is left alone).
 * The bytes that were buffered are written into it first, unless fd N is
 * that very pipe (it still holds them).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include <sudcr/cr.h>
#include <sudcr/image_records.h>
#include <sudcr/kernel_compat.h>
#include <sudcr/log.h>

#include "tty.h"
#include "files.h"

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

/* ---- restore ---- */

bool rf_is_tty_rdev(uint64_t rdev)
{
	unsigned int maj = major(rdev), min = minor(rdev);

	return maj == 4 || (maj == 5 && (min == 0 || min == 1)) || (maj >= 136 && maj <= 143);
}

int rf_tty_rec(struct restore_ctx *r, struct restore_files_state *s, const struct rec_tty *t,
	       size_t len)
{
	int i;

	if (len != sizeof(*t) || t->pad[0] || t->pad[1] || t->pad[2] || t->pad2 ||
	    t->flags & ~REC_TTY_CTTY)
		return img_record_invalid(r->img, "bad terminal record");
	i = rf_find_fd(s, t->fd);
	if (s->tty || i < 0 || s->fds[i].rec->kind != REC_FD_TTY)
		return img_record_invalid(r->img, "terminal record for fd %d, which is no terminal fd before it",
					  t->fd);
	for (int k = 0; k < i; k++)
		if (s->fds[k].rec->kind == REC_FD_TTY)
			return img_record_invalid(r->img, "terminal record for fd %d, not the lowest (%d)",
						  t->fd, s->fds[k].rec->fd);
	s->tty = t;
	return 0;
}

int rf_outside_rec(struct restore_ctx *r, struct restore_files_state *s,
		   const struct rec_pipe_outside *o, size_t len)
{
	int i;

	if (len < sizeof(*o) || o->pad || o->nr_pids > REC_PIPE_PIDS_MAX ||
	    len != sizeof(*o) + o->nr_pids * sizeof(int32_t))
		return img_record_invalid(r->img, "bad outside pipe record");
	i = rf_find_fd(s, o->fd);
	if (i < 0 || (s->fds[i].rec->kind != REC_FD_PIPE && s->fds[i].rec->kind != REC_FD_FIFO) ||
	    s->fds[i].obj != i || s->fds[i].outside ||
	    (o->outside != REC_PIPE_READ && o->outside != REC_PIPE_WRITE))
		return img_record_invalid(r->img, "outside pipe record for fd %d, which is no pipe before it",
					  o->fd);
	s->fds[i].outside = o;
	return 0;
}

/* The ends of object @obj the process holds: REC_PIPE_READ | REC_PIPE_WRITE. */
static uint32_t held_ends(const struct restore_files_state *s, int obj)
{
	uint32_t ends = 0;

	for (int i = obj; i < s->nr; i++) {
		uint32_t acc = s->fds[i].rec->flags & O_ACCMODE;

		if (s->fds[i].obj != obj)
			continue;
		if (acc == O_RDONLY || acc == O_RDWR)
			ends |= REC_PIPE_READ;
		if (acc == O_WRONLY || acc == O_RDWR)
			ends |= REC_PIPE_WRITE;
	}
	return ends;
}

static int inherit_one(struct restore_files_state *s, const struct restore_inherit_fd *in)
{
	char res[48];
	struct stat st;
	int obj = -1;

	snprintf(res, sizeof(res), "fd[%d]:pipe:[%llu]", in->fd, (unsigned long long)in->ino);
	for (int i = 0; i < s->nr && obj < 0; i++)
		if (s->fds[i].rec->kind == REC_FD_PIPE && s->fds[i].obj == i &&
		    s->fds[i].rec->ino == in->ino)
			obj = i;
	if (obj < 0) {
		sudcr_error("--inherit-fd %s: the process has no pipe:[%llu]", res,
			    (unsigned long long)in->ino);
		return -ENOENT;
	}
	if (held_ends(s, obj) == (REC_PIPE_READ | REC_PIPE_WRITE)) {
		sudcr_error("--inherit-fd %s: the process holds both ends of that pipe: only a pipe with an end outside it can be joined to another",
			    res);
		return -EINVAL;
	}
	if (s->fds[obj].inherit_src >= 0) {
		sudcr_error("--inherit-fd %s: pipe:[%llu] given twice", res,
			    (unsigned long long)in->ino);
		return -EINVAL;
	}
	if (fstat(in->fd, &st)) {
		int err = -errno;

		sudcr_error("--inherit-fd %s: fd %d of sudcr restore: %s", res, in->fd, strerror(-err));
		return err;
	}
	if (!S_ISFIFO(st.st_mode)) {
		sudcr_error("--inherit-fd %s: fd %d of sudcr restore is not a pipe", res, in->fd);
		return -EINVAL;
	}
	s->fds[obj].inherit_src = in->fd;
	s->fds[obj].inherit_same = st.st_ino == in->ino && st.st_dev == s->fds[obj].rec->dev;
	return 0;
}

static void warn_outside(const struct rf_fd *o)
{
	const int32_t *pids = (const int32_t *)(o->outside + 1);
	char who[256] = "";
	size_t used = 0;

	for (uint32_t k = 0; k < o->outside->nr_pids && used < sizeof(who) - 16; k++)
		used += snprintf(who + used, sizeof(who) - used, "%s%d", k ? ", " : "PID ", pids[k]);
	if (o->rec->kind == REC_FD_FIFO) {
		sudcr_warn("fd %d: FIFO %s: its %s end was held outside the process (%s): it is opened again by its name",
			   o->rec->fd, o->path,
			   o->outside->outside == REC_PIPE_READ ? "read" : "write",
			   used ? who : "by no process sudcr saw");
		return;
	}
	sudcr_warn("fd %d: %s: its %s end was held outside the process (%s) and is not restored: the process gets a new pipe without it (--inherit-fd fd[N]:%s joins fd N of sudcr restore instead)",
		   o->rec->fd, o->path, o->outside->outside == REC_PIPE_READ ? "read" : "write",
		   used ? who : "by no process sudcr saw", o->path);
}

/* sudcr restore's own terminal: the first of its fds 0-2 that is one, else /dev/tty. */
static int find_own_tty(struct restore_files_state *s, const struct rf_fd *e)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (isatty(fd)) {
			s->tty_fd = fd;
			return 0;
		}
	}
	s->tty_fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s->tty_fd >= 0) {
		s->tty_own = true;
		return 0;
	}
	sudcr_error("--shell-job: fd %d (%s) was the process's terminal, and sudcr restore has none to give it (its stdin, stdout and stderr are no terminal, nor is there a /dev/tty)",
		    e->rec->fd, e->path);
	return -ENOTTY;
}

int rf_outside_prepare(struct restore_ctx *r, struct restore_files_state *s)
{
	int ret;

	for (int i = 0; i < s->nr; i++) {
		const struct rf_fd *e = &s->fds[i];

		if (e->rec->kind != REC_FD_TTY)
			continue;
		if (!s->tty) {
			sudcr_error("image: fd %d (terminal): no terminal record", e->rec->fd);
			return -EINVAL;
		}
		if (!r->opts.shell_job) {
			sudcr_error("fd %d (%s) is the job's terminal: restore with --shell-job, which gives the process the terminal of sudcr restore",
				    e->rec->fd, e->path);
			return -EINVAL;
		}
		if (s->tty_fd < 0) {
			ret = find_own_tty(s, e);
			if (ret)
				return ret;
		}
	}
	for (int k = 0; k < r->opts.nr_inherit; k++) {
		ret = inherit_one(s, &r->opts.inherit[k]);
		if (ret)
			return ret;
	}
	for (int i = 0; i < s->nr; i++)
		if (s->fds[i].outside && s->fds[i].inherit_src < 0 && !restore_tree_pipe_inside(r, &s->fds[i]))
			warn_outside(&s->fds[i]);
	return 0;
}

static void block_ttou(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTTOU);
	sigprocmask(SIG_BLOCK, &set, old);
}

int rf_tty_apply(struct restore_files_state *s)
{
	const struct rec_tty *t = s->tty;
	struct winsize ws = { 0 };
	struct termios tio;
	sigset_t old;
	int ret = 0;

	if (!t || s->tty_fd < 0)
		return 0;
	block_ttou(&old);
	if (tcgetattr(s->tty_fd, &s->saved_tio) || ioctl(s->tty_fd, TIOCGWINSZ, &s->saved_ws)) {
		ret = -errno;
		sudcr_error("--shell-job: cannot read the modes of the terminal of sudcr restore: %s",
			    strerror(-ret));
		goto out;
	}
	tio = s->saved_tio;
	tio.c_iflag = t->iflag;
	tio.c_oflag = t->oflag;
	tio.c_cflag = t->cflag;
	tio.c_lflag = t->lflag;
	tio.c_line = t->line;
	memcpy(tio.c_cc, t->cc, sizeof(tio.c_cc));
	if (cfsetispeed(&tio, t->ispeed) || cfsetospeed(&tio, t->ospeed)) {
		ret = -EINVAL;
		sudcr_error("fd %d (terminal): the image's line speeds %u/%u are not valid", t->fd,
			    t->ispeed, t->ospeed);
		goto out;
	}
	ws.ws_row = t->ws_row;
	ws.ws_col = t->ws_col;
	ws.ws_xpixel = t->ws_xpixel;
	ws.ws_ypixel = t->ws_ypixel;
	s->tty_set = true;
	/* No size known (0x0) stays the terminal's; the same one needs no SIGWINCH. */
	if (tcsetattr(s->tty_fd, TCSANOW, &tio) ||
	    ((ws.ws_row || ws.ws_col) && memcmp(&ws, &s->saved_ws, sizeof(ws)) &&
	     ioctl(s->tty_fd, TIOCSWINSZ, &ws))) {
		ret = -errno;
		sudcr_error("--shell-job: cannot give the terminal of sudcr restore the process's modes: %s",
			    strerror(-ret));
		rf_tty_undo(s);
	}
out:
	sigprocmask(SIG_SETMASK, &old, NULL);
	return ret;
}

void rf_tty_undo(struct restore_files_state *s)
{
	sigset_t old;

	if (!s->tty_set)
		return;
	block_ttou(&old);
	tcsetattr(s->tty_fd, TCSANOW, &s->saved_tio);
	ioctl(s->tty_fd, TIOCSWINSZ, &s->saved_ws);
	sigprocmask(SIG_SETMASK, &old, NULL);
	s->tty_set = false;
}

void rf_tty_free(struct restore_files_state *s)
{
	if (s->tty_own && s->tty_fd >= 0)
		close(s->tty_fd);
	s->tty_fd = -1;
	s->tty_own = false;
}
