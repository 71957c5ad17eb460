// SPDX-License-Identifier: MIT
/*
 * The terminal fd kind (REC_FD_TTY, --shell-job): the job's terminal,
 * whose ops are in fd_kind_tty, at the end.
 *
 * Its other side, the pty master or the
 * console, is never in the process, so it cannot be made again; the
 * restore gives the process the terminal of sudcr restore instead, with
 * the modes the process had set on its own (raw mode, echo off, window
 * size: a full-screen program is unusable without them).  They are read
 * here through a reference to one of its fds (tcgetattr, TIOCGWINSZ),
 * which changes nothing.  TIOCGDEV names the terminal behind any open,
 * /dev/tty and /dev/console included.
 *
 * At the restore, every fd on it becomes a
 * new open of the terminal of sudcr restore (its first of fds 0-2 that is
 * one, else /dev/tty), made in the stub (files.c), with the fd's own flags.
 * The modes the process had set are applied to that terminal by sudcr
 * itself once the process is about to run (rf_tty_apply()), and put back
 * if the restore fails after that: a failed restore must not leave the
 * user's shell in raw mode.  SIGTTOU is blocked meanwhile, so that a
 * restore run in the background is not stopped by it.
 */
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

#include "cr.h"
#include "image_records.h"
#include "kernel_compat.h"
#include <sudcr/log.h>

#include "fd.h"
#include "fd_dump.h"
#include "tty.h"
#include "files.h"

_Static_assert(sizeof(struct rec_tty) == 88, "rec_tty layout");

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

int tty_modes_read(int g, struct rec_termios *m)
{
	struct termios tio;
	struct winsize ws;

	_Static_assert(sizeof(tio.c_cc) <= sizeof(m->cc), "c_cc fits");
	if (tcgetattr(g, &tio) || ioctl(g, TIOCGWINSZ, &ws))
		return -errno;
	memset(m, 0, sizeof(*m));
	m->iflag = tio.c_iflag;
	m->oflag = tio.c_oflag;
	m->cflag = tio.c_cflag;
	m->lflag = tio.c_lflag;
	m->ispeed = cfgetispeed(&tio);
	m->ospeed = cfgetospeed(&tio);
	m->line = tio.c_line;
	memcpy(m->cc, tio.c_cc, sizeof(tio.c_cc));
	m->ws_row = ws.ws_row;
	m->ws_col = ws.ws_col;
	m->ws_xpixel = ws.ws_xpixel;
	m->ws_ypixel = ws.ws_ypixel;
	return 0;
}

int tty_modes_termios(const struct rec_termios *m, struct termios *tio, struct winsize *ws)
{
	tio->c_iflag = m->iflag;
	tio->c_oflag = m->oflag;
	tio->c_cflag = m->cflag;
	tio->c_lflag = m->lflag;
	tio->c_line = m->line;
	memcpy(tio->c_cc, m->cc, sizeof(tio->c_cc));
	if (cfsetispeed(tio, m->ispeed) || cfsetospeed(tio, m->ospeed))
		return -EINVAL;
	memset(ws, 0, sizeof(*ws));
	ws->ws_row = m->ws_row;
	ws->ws_col = m->ws_col;
	ws->ws_xpixel = m->ws_xpixel;
	ws->ws_ypixel = m->ws_ypixel;
	return 0;
}

bool tty_modes_valid(const struct rec_termios *m)
{
	return !m->pad[0] && !m->pad[1] && !m->pad[2] && !m->pad2;
}

int dump_tty_write(struct img_writer *img, int fd, const char *link, int g, dev_t dev, bool ctty)
{
	struct rec_tty t = { .fd = fd, .rdev = dev, .flags = ctty ? REC_TTY_CTTY : 0 };
	int err = tty_modes_read(g, &t.m);

	if (err) {
		sudcr_error("fd %d (%s): cannot read the terminal's modes: %s", fd, link,
			    strerror(-err));
		return err;
	}
	return img_write_record(img, IMG_REC_TTY, &t, sizeof(t));
}

/* ---- the fd kind's dump ---- */

/* mem devices (null, zero, full, random, urandom) and terminals (chardev.c asks too). */
bool fd_chr_supported(dev_t rdev)
{
	unsigned int maj = major(rdev), min = minor(rdev);

	if (maj == 1)
		return min == 3 || min == 5 || min == 7 || min == 8 || min == 9;
	if (maj == 4)			/* tty0-63 (virtual consoles), ttyS* */
		return true;
	if (maj == 5)			/* /dev/tty, /dev/console; not /dev/ptmx */
		return min == 0 || min == 1;
	return maj >= 136 && maj <= 143;	/* /dev/pts/N */
}

static bool is_tty_rdev(dev_t rdev)
{
	return fd_chr_supported(rdev) && major(rdev) != 1;
}

/* A terminal, the job's or another (tty_dump_prepare() tells, once all fds are known). */
static int tty_recognise(struct files_dump *f, struct dump_fd *x)
{
	(void)f;
	return x->is_path && !(x->p->flags & O_PATH) && S_ISCHR(x->st.st_mode) && !x->deleted &&
	       is_tty_rdev(x->st.st_rdev) ? FD_MINE : FD_NOT_MINE;
}

/* The console and the terminals of the kernel's own drivers, or NULL (a pty). */
static const char *kernel_terminal(dev_t rdev)
{
	if (major(rdev) == 5 && minor(rdev) == 1)
		return "the system console";
	if (major(rdev) == 4 && minor(rdev) < 64)
		return "a virtual console";
	if (major(rdev) == 4)
		return "a serial terminal";
	return NULL;
}

/*
 * Terminals.  Their other side (a pty master, the console) is outside the
 * process, and a path like /dev/pts/3 may name someone else's terminal by
 * the time of the restore: without --shell-job they are refused.  With it,
 * the job's terminal (the controlling one, else the first at fds 0-2)
 * is REC_FD_TTY, which the restore replaces by its own; another
 * terminal cannot be replaced by anything and is refused.
 */
static int tty_dump_prepare(struct files_dump *f)
{
	char job[64];

	f->job_tty = dump_tty_of_stat(f->d->stat.tty_nr);
	f->job_ctty = f->job_tty != 0;
	for (int i = 0; i < f->nr; i++) {
		struct dump_fd *x = &f->x[i];
		int g, ret;

		if (x->kind != REC_FD_TTY)
			continue;
		if (!f->d->opts.shell_job) {
			const char *what = kernel_terminal(x->st.st_rdev);

			if (what)
				sudcr_error("fd %d: %s is %s, which only the kernel drives and a restore cannot make again: not supported (a job run on it can be restored onto the terminal of sudcr restore with --shell-job)",
					    x->p->fd, x->p->link, what);
			else
				sudcr_error("fd %d: %s is a terminal, whose other side is outside the process: use --shell-job (the restore then gives the process the terminal of sudcr restore, with the modes it had)",
					    x->p->fd, x->p->link);
			return -EOPNOTSUPP;
		}
		g = fd_dump_getfd(f, x->p->fd);
		ret = g < 0 ? g : dump_tty_device(g, &x->tty);
		if (g >= 0)
			close(g);
		if (ret) {
			sudcr_error("fd %d (%s): cannot tell which terminal it is (TIOCGDEV): %s",
				    x->p->fd, x->p->link, strerror(-ret));
			return ret;
		}
		if (!f->job_tty && x->p->fd <= 2)
			f->job_tty = x->tty;
	}
	for (int i = 0; i < f->nr; i++) {
		struct dump_fd *x = &f->x[i];

		if (x->kind != REC_FD_TTY)
			continue;
		if (f->job_tty && x->tty == f->job_tty)
			continue;
		if (f->job_tty && kernel_terminal(x->tty)) {
			dump_tty_name(f->job_tty, job, sizeof(job));
			sudcr_error("fd %d: %s is %s, other than the job's terminal (%s): not supported",
				    x->p->fd, x->p->link, kernel_terminal(x->tty), job);
		} else if (f->job_tty) {
			dump_tty_name(f->job_tty, job, sizeof(job));
			sudcr_error("fd %d: %s is a terminal other than the job's (%s): only the job's own terminal can be given back (--shell-job)",
				    x->p->fd, x->p->link, job);
		} else {
			sudcr_error("fd %d: %s is a terminal, and the job has none (no controlling terminal, none at fds 0-2): only the job's own terminal can be given back (--shell-job)",
				    x->p->fd, x->p->link);
		}
		return -EOPNOTSUPP;
	}
	return 0;
}

static int write_tty(struct files_dump *f, struct dump_fd *x)
{
	int g = fd_dump_getfd_of(f, x), ret;

	if (g < 0)
		return g;
	ret = dump_tty_write(f->d->img, x->p->fd, x->p->link, g, x->tty, f->job_ctty);
	close(g);
	f->tty_written = true;
	return ret;
}

/* The job's terminal: its modes, in one IMG_REC_TTY with its lowest fd. */
static int tty_dump(struct files_dump *f, int i)
{
	return f->tty_written ? 0 : write_tty(f, &f->x[i]);
}

/* ---- restore ---- */

bool rf_is_tty_rdev(uint64_t rdev)
{
	unsigned int maj = major(rdev), min = minor(rdev);

	return maj == 4 || (maj == 5 && (min == 0 || min == 1)) || (maj >= 136 && maj <= 143);
}

static int tty_rec(struct restore_ctx *r, struct restore_files_state *s, const struct rec_tty *t,
		   size_t len)
{
	int i;

	if (len != sizeof(*t) || !tty_modes_valid(&t->m) || t->flags & ~REC_TTY_CTTY)
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

/* The job's terminal: the image has its record, the restore --shell-job, sudcr restore a terminal. */
static int tty_prepare(struct restore_ctx *r, struct restore_files_state *s)
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
	struct winsize ws;
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
	if (tty_modes_termios(&t->m, &tio, &ws)) {
		ret = -EINVAL;
		sudcr_error("fd %d (terminal): the image's line speeds %u/%u are not valid", t->fd,
			    t->m.ispeed, t->m.ospeed);
		goto out;
	}
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

static int tty_check_record(struct restore_ctx *r, struct restore_files_state *s, uint32_t type,
			    const void *data, size_t len)
{
	(void)type;
	return tty_rec(r, s, data, len);
}

/* In the stub: the job's terminal, sudcr restore's, a new open with the fd's own flags. */
static int tty_open(struct restore_files_state *s, int i, bool *own)
{
	(void)own;
	return rf_reopen(s->tty_fd, (int)(s->fds[i].rec->flags & RF_OPEN_FLAGS) | O_NOCTTY);
}

const struct fd_kind fd_kind_tty = {
	.kind = REC_FD_TTY,
	.name = "terminal",
	.show_name = "terminal",
	.records = { IMG_REC_TTY },
	.recognise = tty_recognise,
	.dump_prepare = tty_dump_prepare,
	.dump = tty_dump,
	.check_record = tty_check_record,
	.prepare = tty_prepare,
	.open = tty_open,
};
