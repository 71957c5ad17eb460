// SPDX-License-Identifier: MIT
/*
 * The pty fd kind (REC_FD_PTY): a pseudo-terminal pair of the tree, its
 * master (/dev/ptmx) in one process and its slave (/dev/pts/N, or
 * /dev/tty naming it) in that one or its descendants, as script(1), tmux
 * and screen have them.  Its ops are in fd_kind_pty, at the end.
 *
 * What the dump takes, with a reference to the master (pidfd_getfd of the
 * holder's fd: the pty's ioctls on the master change nothing): the index,
 * the slave's modes and window size (TCGETS and TIOCGWINSZ on a master
 * act on its slave), packet mode (TIOCGPKT), the lock (TIOCGPTLCK), the
 * foreground group (TIOCGPGRP), and through a new open of the slave
 * (TIOCGPTPEER) its exclusive flag.  The holder of the master also takes
 * the bytes queued each way: read from the master (the slave's output)
 * and from that open of the slave (input the slave has not read), and
 * written back at once, so that the process is left as found.  In
 * canonical mode the whole lines are read first (a line ended by VEOF
 * keeps its VEOF byte), then the line being typed, which the line
 * discipline gives only in non-canonical mode (drain_partial()); written
 * back in canonical mode, the lines are cut again where they were.
 *
 * The index: programs show the name (ttyname(), tmux, ps), and Linux gives
 * a new pty the lowest free index of the devpts instance, which cannot be
 * chosen.  The restore opens /dev/ptmx until it gets the saved index
 * (those below it that were free are closed again) and refuses, with one
 * line, when /dev/pts/N is taken by another terminal: a pty never comes
 * back under another name.
 *
 * The restore: in the stub of the master's holder (before its children
 * are made), the pair is made, the queued bytes are written back (input
 * through the master with echo and input processing off, waiting until
 * the line discipline has taken them; output into the slave with output
 * processing off), then the modes, window size and packet mode are set.
 * The slave is opened by path in the other holders' stubs, made after,
 * as descendants.  A session leader whose controlling terminal the pty
 * was takes it (TIOCSCTTY) in its stub, before its children, which
 * inherit it; /dev/tty is opened once it has it.  Once every stub has
 * made its fds (before the processes run), sudcr sets the exclusive flag
 * and the lock, and the session leader sets the foreground group
 * (TIOCSPGRP, injected: only a process of the session may), every group
 * existing by then.
 *
 * A slave whose master is outside the tree is the job's terminal
 * (tty.c, --shell-job) and not this kind; a master whose holder is not an
 * ancestor of (or) every slave holder is refused, since its slave could
 * not be opened before the master exists.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cr.h"
#include "image_records.h"
#include "kernel_compat.h"
#include <sudcr/log.h>

#include "../show.h"
#include "fd.h"
#include "fd_dump.h"
#include "files.h"
#include "tty.h"

_Static_assert(sizeof(struct rec_pty) == 96, "rec_pty layout");

/* Queued bytes one way: the line discipline's buffer and the flip buffers. */
#define PTY_QUEUE_MAX	(256u << 10)
#define PTY_INDEX_MAX	(1u << 20)
#define PTY_SETTLE_MS	2000
/* What the line discipline holds of the input (N_TTY_BUF_SIZE - 1): TIOCINQ sees no more. */
#define PTY_INQ_MAX	4095u

static bool is_master_rdev(dev_t rdev)
{
	return major(rdev) == 5 && minor(rdev) == 2;
}

static bool is_slave_rdev(dev_t rdev)
{
	return major(rdev) >= 136 && major(rdev) <= 143;
}

static unsigned int slave_index(dev_t rdev)
{
	return (major(rdev) - 136) * 256 + minor(rdev);
}

static dev_t slave_rdev(unsigned int index)
{
	return makedev(136 + index / 256, index % 256);
}

/* ---- the queues, both ways (dump's write-back and restore) ---- */

static int write_all_nb(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Where the last line of @in ends (canonical mode): the bytes after it
 * are the line being typed.  A byte that is VEOF, VEOL or VEOL2 ends a
 * line, as a newline does; *nr_eof counts the VEOF ones, which the line
 * discipline does not count (TIOCINQ).
 */
static size_t lines_end(const struct termios *t, const uint8_t *in, size_t len, size_t *nr_eof)
{
	size_t end = 0;

	*nr_eof = 0;
	for (size_t k = 0; k < len; k++) {
		uint8_t c = in[k];
		bool eof = t->c_cc[VEOF] != _POSIX_VDISABLE && c == t->c_cc[VEOF];

		if (c == '\n' || eof || (t->c_cc[VEOL] != _POSIX_VDISABLE && c == t->c_cc[VEOL]) ||
		    (t->c_cc[VEOL2] != _POSIX_VDISABLE && c == t->c_cc[VEOL2]))
			end = k + 1;
		if (eof)
			(*nr_eof)++;
	}
	return end;
}

/* Until the line discipline of slave @s has @want bytes to give (TIOCINQ). */
static int wait_inq(int s, size_t want)
{
	struct timespec ts = { 0, 1000000 };
	int n = 0;

	for (int k = 0; k < PTY_SETTLE_MS; k++) {
		if (ioctl(s, TIOCINQ, &n))
			return -errno;
		if ((size_t)n >= want)
			return 0;
		nanosleep(&ts, NULL);
	}
	return -ETIMEDOUT;
}

/* Read and drop @len bytes from master @m: the echo of what was written back. */
static int drop_echo(int m, size_t len)
{
	struct timespec ts = { 0, 1000000 };
	uint8_t chunk[4096];

	for (int k = 0; len && k < PTY_SETTLE_MS; k++) {
		ssize_t n = read(m, chunk, len < sizeof(chunk) ? len : sizeof(chunk));

		if (n > 0) {
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		nanosleep(&ts, NULL);
	}
	return len ? -ETIMEDOUT : 0;
}

/*
 * Put the queued bytes into pair @m/@s (both non-blocking), whose modes
 * are then @final: the input through the master with echo, signals and
 * input processing off (ICANON as in @final: the line discipline cuts the
 * lines again), the output into the slave with output processing off.
 * Each part is waited for before the modes change: the line discipline
 * takes input asynchronously.  Whole lines show in TIOCINQ; the line
 * being typed does not, so it is written with echo on, and its echo, once
 * on the master, is read and dropped.  0 or -errno.
 */
static int put_queues(int m, int s, const struct termios *final, const uint8_t *in, size_t in_len,
		      const uint8_t *out, size_t out_len)
{
	struct termios wb = *final, wbe;
	size_t lines = in_len, nr_eof = 0;
	int ret;

	if (!in_len && !out_len)
		return tcsetattr(s, TCSANOW, final) ? -errno : 0;
	if (final->c_lflag & ICANON)
		lines = lines_end(final, in, in_len, &nr_eof);
	wb.c_iflag = 0;
	wb.c_oflag &= ~(tcflag_t)OPOST;
	wb.c_lflag &= ICANON | EXTPROC;
	wbe = wb;
	wbe.c_lflag |= ECHO;
	if (tcsetattr(s, TCSANOW, &wb))
		return -errno;
	ret = write_all_nb(m, in, lines);
	if (!ret && lines)
		ret = wait_inq(s, lines - nr_eof < PTY_INQ_MAX ? lines - nr_eof : PTY_INQ_MAX);
	if (!ret && lines < in_len) {
		if (tcsetattr(s, TCSANOW, &wbe))
			ret = -errno;
		if (!ret)
			ret = write_all_nb(m, in + lines, in_len - lines);
		if (!ret)
			ret = drop_echo(m, in_len - lines);
		if (tcsetattr(s, TCSANOW, &wb) && !ret)
			ret = -errno;
	}
	if (!ret)
		ret = write_all_nb(s, out, out_len);
	if (tcsetattr(s, TCSANOW, final) && !ret)
		ret = -errno;
	return ret;
}

/* ---- dump ---- */

/* What the dump keeps of a pty fd (dump_fd.priv). */
struct pty_fd {
	unsigned int index;
	uint32_t role;		/* REC_FD_PTY_MASTER, _DEVTTY, or 0: the slave */
	pid_t master_pid;	/* a holder of the master, and its fd there */
	int master_fd;
};

static int fdinfo_tty_index(pid_t pid, const char *fd)
{
	char path[320], line[256];
	int index = -1;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", pid, fd);
	fp = fopen(path, "re");
	if (!fp)
		return -1;
	while (fgets(line, sizeof(line), fp))
		if (sscanf(line, "tty-index: %d", &index) == 1)
			break;
	fclose(fp);
	return index;
}

/* A fd of process @pid on the master of pty @index, or -1. */
static int find_master_in(pid_t pid, unsigned int index)
{
	char path[64], link[64];
	struct dirent *de;
	int found = -1;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	while (found < 0 && (de = readdir(dir))) {
		char p[384];
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, de->d_name);
		n = readlink(p, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (strcmp(link, "/dev/ptmx") && strcmp(link, "/dev/pts/ptmx"))
			continue;
		if (fdinfo_tty_index(pid, de->d_name) == (int)index)
			found = atoi(de->d_name);
	}
	closedir(dir);
	return found;
}

/* The holder of pty @index's master: the process itself first, then the tree's others. */
static bool find_master(struct files_dump *f, unsigned int index, pid_t *pid, int *fd)
{
	const struct dump_ctx *d = f->d;

	*pid = d->proc_pid;
	*fd = find_master_in(d->proc_pid, index);
	for (int k = 0; *fd < 0 && d->tree_member && k < d->nr_tree_pids; k++) {
		if (d->tree_pids[k] == d->pid)
			continue;
		*pid = d->tree_pids[k];
		*fd = find_master_in(*pid, index);
	}
	return *fd >= 0;
}

static pid_t parent_of(pid_t pid)
{
	struct proc_stat st;

	return proc_parse_stat(pid, 0, &st) ? 0 : st.ppid;
}

static bool is_ancestor(pid_t anc, pid_t pid)
{
	for (int k = 0; pid > 1 && k < 4096; k++) {
		if (pid == anc)
			return true;
		pid = parent_of(pid);
	}
	return false;
}

static int getfd_of(pid_t pid, int fd)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0), g, err;

	if (pidfd < 0)
		return -errno;
	g = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	err = errno;
	close(pidfd);
	return g < 0 ? -err : g;
}

/*
 * What an earlier fd of the process found of pty @index's master, so that
 * the tree's members are looked through once per pty and process: 1 and
 * the holder in *pid, *fd; -1 if it was found outside (the earlier fd is
 * tty.c's job terminal); 0 if no earlier fd is on it.
 */
static int known_master(const struct files_dump *f, const struct dump_fd *x, unsigned int index,
			pid_t *pid, int *fd)
{
	for (const struct dump_fd *y = f->x; y < x; y++) {
		const struct pty_fd *p = y->priv;

		if (y->kind == REC_FD_PTY && p && p->index == index) {
			*pid = p->master_pid;
			*fd = p->master_fd;
			return 1;
		}
		if (y->kind == REC_FD_TTY && is_slave_rdev(y->st.st_rdev) &&
		    slave_index(y->st.st_rdev) == index)
			return -1;
	}
	return 0;
}

/*
 * /dev/ptmx, /dev/pts/N and /dev/tty of a pty whose master is in the tree
 * (this process or another member): the slave of one outside is tty.c's.
 */
static int pty_recognise(struct files_dump *f, struct dump_fd *x)
{
	struct pty_fd *p;
	dev_t rdev = x->st.st_rdev;
	uint32_t role = 0;
	unsigned int index;
	pid_t mpid;
	int mfd, known;

	if (!x->is_path || (x->p->flags & O_PATH) || !S_ISCHR(x->st.st_mode) || x->deleted)
		return FD_NOT_MINE;
	if (is_master_rdev(rdev)) {
		int g = fd_dump_getfd(f, x->p->fd), ret;

		if (g < 0)
			return g;
		ret = ioctl(g, TIOCGPTN, &index) ? -errno : 0;
		close(g);
		if (ret)
			return ret;
		role = REC_FD_PTY_MASTER;
	} else if (major(rdev) == 5 && minor(rdev) == 0) {
		int g = fd_dump_getfd(f, x->p->fd), ret;

		if (g < 0)
			return g;
		ret = dump_tty_device(g, &rdev);
		close(g);
		if (ret || !is_slave_rdev(rdev))
			return FD_NOT_MINE;	/* tty.c's: the job's terminal, or refused */
		index = slave_index(rdev);
		role = REC_FD_PTY_DEVTTY;
	} else if (is_slave_rdev(rdev)) {
		index = slave_index(rdev);
	} else {
		return FD_NOT_MINE;
	}
	known = known_master(f, x, index, &mpid, &mfd);
	if (known < 0 || (!known && !find_master(f, index, &mpid, &mfd))) {
		if (role == REC_FD_PTY_MASTER)
			return -EIO;	/* our own master, gone while we looked */
		return FD_NOT_MINE;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->index = index;
	p->role = role;
	p->master_pid = mpid;
	p->master_fd = mfd;
	x->priv = p;
	return FD_MINE;
}

static const struct pty_fd *pty_of(const struct dump_fd *x)
{
	return x->priv;
}

static int pty_find_object(struct files_dump *f, int i)
{
	for (int j = 0; j < i; j++)
		if (f->x[j].kind == REC_FD_PTY && pty_of(&f->x[j])->index == pty_of(&f->x[i])->index)
			return f->x[j].obj;
	return i;
}

static bool holds_end(const struct files_dump *f, int obj, uint32_t role)
{
	for (int j = obj; j < f->nr; j++)
		if (f->x[j].kind == REC_FD_PTY && f->x[j].obj == obj && pty_of(&f->x[j])->role == role)
			return true;
	return false;
}

/* Whether @pid is a process of the dumped tree (the root's parent is not). */
static bool in_tree(const struct dump_ctx *d, pid_t pid)
{
	for (int k = 0; d->tree_member && k < d->nr_tree_pids; k++)
		if (d->tree_pids[k] == pid)
			return true;
	return false;
}

static int pty_dump_check(struct files_dump *f, int i)
{
	const struct dump_fd *x = &f->x[i];
	const struct pty_fd *p = pty_of(x);

	if (x->obj != i)
		return 0;
	if (p->master_pid != f->d->proc_pid && !is_ancestor(p->master_pid, f->d->proc_pid)) {
		sudcr_error("fd %d: /dev/pts/%u, whose master is held by process %d, which is not an ancestor of this process %d: not supported",
			    x->p->fd, p->index, p->master_pid, f->d->pid);
		return -EOPNOTSUPP;
	}
	if (f->d->stat.session != f->d->pid || !f->d->stat.tty_nr ||
	    dump_tty_of_stat(f->d->stat.tty_nr) != slave_rdev(p->index))
		return 0;
	if (!holds_end(f, i, 0) && !holds_end(f, i, REC_FD_PTY_DEVTTY)) {
		sudcr_error("process %d leads the session of its controlling terminal /dev/pts/%u and holds only its master: not supported",
			    f->d->pid, p->index);
		return -EOPNOTSUPP;
	}
	if (!in_tree(f->d, f->d->stat.ppid)) {
		sudcr_error("process %d leads the session of its controlling terminal /dev/pts/%u, and the root of a dump comes back in the session of sudcr restore: not supported",
			    f->d->pid, p->index);
		return -EOPNOTSUPP;
	}
	return 0;
}

/* Process @d leads a session whose controlling terminal is a pty of the tree none of whose fds it holds. */
static int pty_dump_prepare(struct files_dump *f)
{
	dev_t ctty = dump_tty_of_stat(f->d->stat.tty_nr);

	if (!ctty || !is_slave_rdev(ctty) || f->d->stat.session != f->d->pid)
		return 0;
	for (int i = 0; i < f->nr; i++)
		if (f->x[i].kind == REC_FD_PTY && pty_of(&f->x[i])->index == slave_index(ctty))
			return 0;
	for (int i = 0; i < f->nr; i++)
		if (f->x[i].kind == REC_FD_TTY)
			return 0;	/* the job's terminal: tty.c's */
	{
		pid_t mpid;
		int mfd;

		if (!find_master(f, slave_index(ctty), &mpid, &mfd))
			return 0;	/* outside the tree: --shell-job's */
	}
	sudcr_error("process %d leads the session of its controlling terminal /dev/pts/%u, a pty of the tree, and holds no fd on it: not supported",
		    f->d->pid, slave_index(ctty));
	return -EOPNOTSUPP;
}

static int pty_fill(struct files_dump *f, int i, struct rec_fd *rec)
{
	rec->xflags = pty_of(&f->x[i])->role;
	return 0;
}

/*
 * Whether the pty's buffers had more for @fd's line discipline: poll()
 * makes it take what is pending there (n_tty_poll() flushes the buffer
 * work when it has nothing to give).
 */
static bool more_to_read(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

/* Read what @fd holds (non-blocking) into *buf; @pkt: each read starts with a status byte. */
static int drain(int fd, bool pkt, uint8_t **buf, size_t *len)
{
	uint8_t chunk[4096];

	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		uint8_t *nb;
		size_t skip = pkt ? 1 : 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN && more_to_read(fd))
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EIO))
			return 0;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		if ((size_t)n <= skip)
			continue;
		if (*len + (size_t)n > PTY_QUEUE_MAX)
			return -EFBIG;
		nb = realloc(*buf, *len + (size_t)n);
		if (!nb)
			return -ENOMEM;
		*buf = nb;
		memcpy(*buf + *len, chunk + skip, (size_t)n - skip);
		*len += (size_t)n - skip;
	}
}

/*
 * The line being typed, in canonical mode, once the whole lines are read:
 * the line discipline gives it only in non-canonical mode.  Switching to
 * it and back with an empty buffer leaves the line discipline as it was
 * (n_tty_set_termios() starts a new line then).
 */
static int drain_partial(int s, const struct termios *t, uint8_t **buf, size_t *len)
{
	struct termios nc = *t;
	int ret;

	nc.c_lflag &= ~(tcflag_t)ICANON;
	nc.c_cc[VMIN] = 0;
	nc.c_cc[VTIME] = 0;
	if (tcsetattr(s, TCSANOW, &nc))
		return -errno;
	ret = drain(s, false, buf, len);
	if (tcsetattr(s, TCSANOW, t) && !ret)
		ret = -errno;
	return ret;
}

/*
 * The slave's unread input: in canonical mode the whole lines, each with
 * its end (VEOF kept), then the line being typed.
 */
static int drain_input(int s, const struct termios *t, uint8_t **buf, size_t *len)
{
	uint8_t chunk[8192];	/* a canonical line is at most 4095 bytes */

	if (!(t->c_lflag & ICANON))
		return drain(s, false, buf, len);
	for (int lines = 0; lines < 65536; lines++) {
		ssize_t n = read(s, chunk, sizeof(chunk));
		uint8_t *nb, last;
		bool eof;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return drain_partial(s, t, buf, len);
		if (n < 0 && errno == EIO)
			return 0;
		if (n < 0)
			return -errno;
		last = n ? chunk[n - 1] : 0;
		eof = !n || (last != '\n' && (t->c_cc[VEOL] == _POSIX_VDISABLE || last != t->c_cc[VEOL]) &&
			     (t->c_cc[VEOL2] == _POSIX_VDISABLE || last != t->c_cc[VEOL2]));
		if (eof && t->c_cc[VEOF] != _POSIX_VDISABLE)
			chunk[n++] = t->c_cc[VEOF];
		if (*len + (size_t)n > PTY_QUEUE_MAX)
			return -EFBIG;
		nb = realloc(*buf, *len + (size_t)n);
		if (!nb)
			return -ENOMEM;
		*buf = nb;
		memcpy(*buf + *len, chunk, (size_t)n);
		*len += (size_t)n;
	}
	return -E2BIG;
}

/* A new open of the slave through master @m (unlocked meanwhile), or -errno. */
static int open_peer(int m, bool locked)
{
	int zero = 0, one = 1, s, err;

	if (locked && ioctl(m, TIOCSPTLCK, &zero))
		return -errno;
	s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	err = errno;
	if (locked)
		ioctl(m, TIOCSPTLCK, &one);
	return s < 0 ? -err : s;
}

/* The queues of master @m (a reference to the target's description), read and put back. */
static int take_queues(const struct dump_fd *x, int m, int s, bool pkt, struct rec_pty *r,
		       uint8_t **data)
{
	uint8_t *in = NULL, *out = NULL;
	size_t in_len = 0, out_len = 0;
	struct termios t;
	int fl = fcntl(m, F_GETFL), inq = 0, ret;

	if (fl < 0 || tcgetattr(s, &t) || ioctl(s, TIOCINQ, &inq))
		return -errno;
	/*
	 * In packet mode, a status byte not read yet (a flush, a stop or start
	 * of output, a change of IXON: TIOCPKT_*) is what a read of the master
	 * gives first; the line discipline makes one only on such an event,
	 * and the restore could not make that one again.  poll() tells it
	 * (POLLPRI) without taking it: refused before anything is read.
	 */
	if (pkt) {
		struct pollfd pfd = { .fd = m, .events = POLLPRI };

		if (poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLPRI)) {
			sudcr_error("fd %d (/dev/pts/%u): a packet-mode status byte (TIOCPKT) is waiting to be read from the master: it cannot be made again",
				    x->p->fd, pty_of(x)->index);
			return -EOPNOTSUPP;
		}
	}
	/*
	 * A full line discipline holds back more in the pty's buffers, which
	 * would come after what is put back: refused before anything is read.
	 */
	if ((size_t)inq >= PTY_INQ_MAX) {
		sudcr_error("fd %d (/dev/pts/%u): %d bytes typed and not read, more than the %u the restore can put back exactly",
			    x->p->fd, pty_of(x)->index, inq, PTY_INQ_MAX - 1);
		return -EOPNOTSUPP;
	}
	if (!(fl & O_NONBLOCK) && fcntl(m, F_SETFL, fl | O_NONBLOCK))
		return -errno;
	ret = drain(m, pkt, &out, &out_len);
	if (!ret)
		ret = drain_input(s, &t, &in, &in_len);
	if (in_len || out_len) {
		int off = 0, on = 1, err;

		/* In packet mode the changes of flow control would queue status bytes. */
		if (pkt)
			ioctl(m, TIOCPKT, &off);
		err = put_queues(m, s, &t, in, in_len, out, out_len);
		if (pkt)
			ioctl(m, TIOCPKT, &on);
		if (err && !ret) {
			sudcr_error("fd %d (/dev/pts/%u): cannot put the queued bytes back (%zu typed, %zu written, lost to the process): %s",
				    x->p->fd, pty_of(x)->index, in_len, out_len, strerror(-err));
			ret = -EIO;	/* said */
		}
	}
	if (!(fl & O_NONBLOCK))
		fcntl(m, F_SETFL, fl);
	if (ret == -EIO) {
		/* said above */
	} else if (!ret && in_len >= PTY_INQ_MAX) {
		/* The rest would be taken with the modes set after it: not exactly. */
		sudcr_error("fd %d (/dev/pts/%u): %zu bytes typed and not read, more than the %u the restore can put back exactly",
			    x->p->fd, pty_of(x)->index, in_len, PTY_INQ_MAX - 1);
		ret = -EOPNOTSUPP;
	} else if (ret == -EFBIG)
		sudcr_error("fd %d (/dev/pts/%u): more than %u bytes queued", x->p->fd,
			    pty_of(x)->index, PTY_QUEUE_MAX);
	else if (ret)
		sudcr_error("fd %d (/dev/pts/%u): cannot read the queued bytes: %s", x->p->fd,
			    pty_of(x)->index, strerror(-ret));
	if (!ret && (in_len || out_len)) {
		*data = malloc(in_len + out_len + 1);
		if (!*data)
			ret = -ENOMEM;
		else {
			if (in_len)
				memcpy(*data, in, in_len);
			if (out_len)
				memcpy(*data + in_len, out, out_len);
			r->in_len = (uint32_t)in_len;
			r->out_len = (uint32_t)out_len;
		}
	}
	free(in);
	free(out);
	return ret;
}

/* The pty's record, after the FD record of the object's lowest fd. */
static int pty_dump(struct files_dump *f, int i)
{
	const struct dump_fd *x = &f->x[i];
	const struct pty_fd *p = pty_of(x);
	struct rec_pty *rec = NULL;
	struct rec_pty r = { .fd = x->p->fd, .index = p->index };
	uint8_t *data = NULL;
	int m, s = -1, v, ret;
	bool own_master = holds_end(f, i, REC_FD_PTY_MASTER);

	if (x->obj != i)
		return 0;
	m = getfd_of(p->master_pid, p->master_fd);
	if (m < 0) {
		sudcr_error("fd %d (/dev/pts/%u): cannot reach its master (fd %d of process %d): %s",
			    x->p->fd, p->index, p->master_fd, p->master_pid, strerror(-m));
		return m;
	}
	ret = tty_modes_read(m, &r.m);
	if (!ret && !ioctl(m, TIOCGPTLCK, &v) && v)
		r.flags |= REC_PTY_LOCKED;
	if (!ret && !ioctl(m, TIOCGPKT, &v) && v)
		r.flags |= REC_PTY_PKT;
	if (ret) {
		sudcr_error("fd %d (/dev/pts/%u): cannot read its modes: %s", x->p->fd, p->index,
			    strerror(-ret));
		goto out;
	}
	if (f->d->stat.session == f->d->pid &&
	    dump_tty_of_stat(f->d->stat.tty_nr) == slave_rdev(p->index)) {
		pid_t pg = 0;

		r.flags |= REC_PTY_CTTY;
		if (!ioctl(m, TIOCGPGRP, &pg) && pg > 0)
			r.pgrp = pg;
	}
	if (own_master) {
		/* The slave's side: its exclusive flag, its unread input. */
		s = open_peer(m, r.flags & REC_PTY_LOCKED);
		if (s >= 0 && !ioctl(s, TIOCGEXCL, &v) && v)
			r.flags |= REC_PTY_EXCL;
		/* Another line discipline (TIOCSETD: SLIP, HDLC...) is not made again. */
		if (s >= 0 && !ioctl(s, TIOCGETD, &v) && v != N_TTY) {
			sudcr_error("fd %d (/dev/pts/%u): its slave has line discipline %d, not N_TTY: not supported",
				    x->p->fd, p->index, v);
			ret = -EOPNOTSUPP;
			goto out;
		}
		if (s >= 0)
			ret = take_queues(x, m, s, r.flags & REC_PTY_PKT, &r, &data);
		else
			sudcr_debug("/dev/pts/%u: no open of the slave: %s", p->index, strerror(-s));
		if (ret)
			goto out;
	}
	rec = malloc(sizeof(*rec) + r.in_len + r.out_len);
	if (!rec) {
		ret = -ENOMEM;
		goto out;
	}
	*rec = r;
	if (data)
		memcpy(rec + 1, data, r.in_len + r.out_len);
	ret = img_write_record(f->d->img, IMG_REC_PTY, rec, sizeof(*rec) + r.in_len + r.out_len);
out:
	free(rec);
	free(data);
	if (s >= 0)
		close(s);
	close(m);
	return ret;
}

/* ---- restore ---- */

static const struct rec_pty *pty_rec(const struct restore_files_state *s, int i)
{
	return s->fds[s->fds[i].obj].priv;
}

static uint32_t role(const struct rf_fd *e)
{
	return e->rec->xflags;
}

static int pty_check_fd(struct restore_ctx *r, const struct rec_fd *rec, const char *path)
{
	(void)path;
	if (rec->xflags != 0 && rec->xflags != REC_FD_PTY_MASTER && rec->xflags != REC_FD_PTY_DEVTTY)
		return img_record_invalid(r->img, "fd %d: bad pty end", rec->fd);
	return 0;
}

static int pty_check_record(struct restore_ctx *r, struct restore_files_state *s, uint32_t type,
			    const void *data, size_t len)
{
	const struct rec_pty *p = data;
	int i;

	(void)type;
	if (len < sizeof(*p) || !tty_modes_valid(&p->m) ||
	    p->flags & ~(REC_PTY_CTTY | REC_PTY_LOCKED | REC_PTY_PKT | REC_PTY_EXCL) ||
	    p->index >= PTY_INDEX_MAX || p->in_len > PTY_QUEUE_MAX || p->out_len > PTY_QUEUE_MAX ||
	    len != sizeof(*p) + p->in_len + p->out_len || p->pgrp < 0 ||
	    (p->pgrp && !(p->flags & REC_PTY_CTTY)))
		return img_record_invalid(r->img, "bad pty record");
	i = rf_find_fd(s, p->fd);
	if (i < 0 || s->fds[i].rec->kind != REC_FD_PTY || s->fds[i].obj != i || s->fds[i].priv)
		return img_record_invalid(r->img, "pty record for fd %d, which is no pty's first fd before it",
					  p->fd);
	s->fds[i].priv = p;
	return 0;
}

/* Each pty has its record; one master description at most; data only with it. */
static int pty_check_table(struct restore_files_state *s, int i)
{
	const struct rf_fd *e = &s->fds[i];
	const struct rec_pty *p = pty_rec(s, i);
	int masters = 0;

	if (!p) {
		sudcr_error("image: fd %d (pty): no pty record", e->rec->fd);
		return -EINVAL;
	}
	if (e->obj != i)
		return 0;
	for (int j = i; j < s->nr; j++)
		if (s->fds[j].obj == i && s->fds[j].desc == j && role(&s->fds[j]) == REC_FD_PTY_MASTER)
			masters++;
	if (masters > 1 || (!masters && (p->in_len || p->out_len || p->flags & REC_PTY_LOCKED))) {
		sudcr_error("image: /dev/pts/%u: %d master descriptions, or its queues without it",
			    p->index, masters);
		return -EINVAL;
	}
	return 0;
}

static bool has_master(const struct restore_files_state *s, int obj)
{
	for (int j = obj; j < s->nr; j++)
		if (s->fds[j].obj == obj && role(&s->fds[j]) == REC_FD_PTY_MASTER)
			return true;
	return false;
}

/* Where the pty is made here, its name must be free: another terminal may hold it now. */
static int pty_prepare(struct restore_ctx *r, struct restore_files_state *s)
{
	char path[64];
	struct stat st;

	(void)r;
	for (int i = 0; i < s->nr; i++) {
		const struct rec_pty *p = s->fds[i].priv;

		if (s->fds[i].rec->kind != REC_FD_PTY || s->fds[i].obj != i || !has_master(s, i))
			continue;
		snprintf(path, sizeof(path), "/dev/pts/%u", p->index);
		if (!stat(path, &st)) {
			sudcr_error("fd %d: the pty /dev/pts/%u cannot be made again: another terminal has that name now (programs show it, so no other is taken)",
				    s->fds[i].rec->fd, p->index);
			return -EBUSY;
		}
	}
	return 0;
}

/*
 * In the stub: a new pty of index @index.  /dev/ptmx gives the lowest
 * free index: the ones below it that are free are taken until it comes,
 * then closed.  Past it, it is taken.
 */
static int open_index(const struct rf_fd *o, unsigned int index)
{
	int *got = malloc(sizeof(int) * (index + 1)), m = -1;
	unsigned int nr = 0;

	if (!got)
		rf_stub_die("out of memory");
	while (nr <= index) {
		unsigned int n;
		int t = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);

		if (t < 0)
			rf_die_fd(o, "open /dev/ptmx", errno);
		if (ioctl(t, TIOCGPTN, &n))
			rf_die_fd(o, "TIOCGPTN", errno);
		if (n == index) {
			m = t;
			break;
		}
		got[nr++] = t;
		if (n > index)
			break;
	}
	while (nr)
		close(got[--nr]);
	free(got);
	if (m < 0)
		rf_stub_die("cannot restore fd %d: the pty /dev/pts/%u cannot be made again: its index is taken",
			    o->rec->fd, index);
	return m;
}

static void make_ctty(struct rf_fd *o, int slave)
{
	if (o->used[1])
		return;
	/* A tree's root comes back in sudcr restore's session (lib/restore/tree.c). */
	if (getsid(0) != getpid())
		rf_stub_die("cannot restore fd %d: the process led the session whose controlling terminal the pty was, and it comes back in the session of sudcr restore (the root of a tree does): not supported",
			    o->rec->fd);
	if (ioctl(slave, TIOCSCTTY, 0))
		rf_die_fd(o, "TIOCSCTTY (its controlling terminal)", errno);
	o->used[1] = true;
}

/*
 * In the stub, the pty's first fd: the pair where the master is here (its
 * queues, then its modes), else the slave opened by path (its master was
 * made by an ancestor's stub).  hold[0]: the master; hold[1]: the slave.
 */
static void pty_create(struct restore_files_state *s, struct rf_fd *o)
{
	const struct rec_pty *p = o->priv;
	const uint8_t *data = (const void *)(p + 1);
	int zero = 0, one = 1, ret;
	struct termios tio;
	struct winsize ws;

	if (has_master(s, (int)(o - s->fds))) {
		o->hold[0] = open_index(o, p->index);
		if (ioctl(o->hold[0], TIOCSPTLCK, &zero))
			rf_die_fd(o, "TIOCSPTLCK", errno);
		o->hold[1] = ioctl(o->hold[0], TIOCGPTPEER, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
		if (o->hold[1] < 0)
			rf_die_fd(o, "TIOCGPTPEER", errno);
		if (tcgetattr(o->hold[1], &tio))
			rf_die_fd(o, "tcgetattr", errno);
		if (tty_modes_termios(&p->m, &tio, &ws))
			rf_stub_die("cannot restore fd %d: /dev/pts/%u: line speeds %u/%u not valid",
				    o->rec->fd, p->index, p->m.ispeed, p->m.ospeed);
		if (fcntl(o->hold[0], F_SETFL, O_NONBLOCK))
			rf_die_fd(o, "F_SETFL", errno);
		ret = put_queues(o->hold[0], o->hold[1], &tio, data, p->in_len, data + p->in_len,
				 p->out_len);
		if (ret)
			rf_die_fd(o, "putting the queued bytes back", -ret);
		if (ioctl(o->hold[0], TIOCSWINSZ, &ws))
			rf_die_fd(o, "TIOCSWINSZ", errno);
		if ((p->flags & REC_PTY_PKT) && ioctl(o->hold[0], TIOCPKT, &one))
			rf_die_fd(o, "TIOCPKT", errno);
	} else {
		char path[64];

		snprintf(path, sizeof(path), "/dev/pts/%u", p->index);
		o->hold[1] = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
		if (o->hold[1] < 0)
			rf_die_fd(o, "open (its master is made by an ancestor's stub)", errno);
	}
	if (p->flags & REC_PTY_CTTY)
		make_ctty(o, o->hold[1]);
}

static int pty_open(struct restore_files_state *s, int i, bool *own)
{
	struct rf_fd *e = &s->fds[i], *o = &s->fds[e->obj];
	int flags = (int)(e->rec->flags & RF_OPEN_FLAGS) | O_NOCTTY;
	char path[64];

	if (role(e) == REC_FD_PTY_MASTER) {
		*own = false;
		return o->hold[0];
	}
	if (role(e) == REC_FD_PTY_DEVTTY)
		return open("/dev/tty", flags | O_CLOEXEC);
	if (o->hold[1] >= 0)
		return rf_reopen(o->hold[1], flags);
	/* The pty's first description is the parent's (a tree): by path. */
	snprintf(path, sizeof(path), "/dev/pts/%u", pty_rec(s, i)->index);
	return open(path, flags | O_CLOEXEC);
}

/* Every fd at its number: a session leader whose slave fd is its parent's takes the terminal now. */
static void pty_after(struct restore_files_state *s, int i)
{
	struct rf_fd *e = &s->fds[i], *o = &s->fds[e->obj];
	const struct rec_pty *p = pty_rec(s, i);

	if ((p->flags & REC_PTY_CTTY) && e->desc == i && role(e) != REC_FD_PTY_MASTER)
		make_ctty(o, e->rec->fd);
}

/*
 * Once every stub made its fds: the exclusive flag and the lock (which
 * would have kept the other holders from opening the slave), and the
 * foreground group, set by the session leader.
 */
static int pty_late(struct restore_ctx *r, struct restore_files_state *s, int i, struct rf_late *l)
{
	const struct rf_fd *e = &s->fds[i];
	const struct rec_pty *p = pty_rec(s, i);
	int one = 1, ret = 0;

	if (role(e) == REC_FD_PTY_MASTER && e->desc == i && (p->flags & (REC_PTY_EXCL | REC_PTY_LOCKED))) {
		int m = getfd_of(r->pid, e->rec->fd), sl = -1;

		if (m < 0) {
			sudcr_error("cannot restore fd %d (/dev/pts/%u): pidfd_getfd: %s", e->rec->fd,
				    p->index, strerror(-m));
			return m;
		}
		if (p->flags & REC_PTY_EXCL) {
			sl = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
			if (sl < 0 || ioctl(sl, TIOCEXCL))
				ret = -errno;
		}
		if (!ret && (p->flags & REC_PTY_LOCKED) && ioctl(m, TIOCSPTLCK, &one))
			ret = -errno;
		if (ret)
			sudcr_error("cannot restore fd %d (/dev/pts/%u): its exclusive flag or lock: %s",
				    e->rec->fd, p->index, strerror(-ret));
		if (sl >= 0)
			close(sl);
		close(m);
		if (ret)
			return ret;
	}
	if ((p->flags & REC_PTY_CTTY) && p->pgrp && e->obj == i) {
		int32_t pg = p->pgrp;

		ret = rf_late_thread(r, l);
		if (!ret)
			ret = files_write(l->th, l->scratch, &pg, sizeof(pg));
		if (!ret)
			ret = files_inject(l->th, e, "TIOCSPGRP (the foreground process group)",
					   SYS_ioctl, (uint64_t)e->rec->fd, TIOCSPGRP, l->scratch, 0);
	}
	return ret;
}

/* ---- show ---- */

static void pty_show(const struct rec_fd *rec, bool json, char *buf, size_t size)
{
	const char *end = rec->xflags == REC_FD_PTY_MASTER ? "master" :
			  rec->xflags == REC_FD_PTY_DEVTTY ? "/dev/tty" : "slave";

	if (json)
		snprintf(buf, size, ",\"pty_end\":\"%s\"", end);
	else
		snprintf(buf, size, " %s", end);
}

static const char *mode_name(const struct rec_termios *m)
{
	if (m->lflag & ICANON)
		return "canonical";
	return m->lflag & ISIG ? "cbreak" : "raw";
}

static int pty_show_records(struct show_ctx *sc, const struct rec_fd *rec)
{
	const struct rec_pty *p;
	const void *data;
	uint32_t type;
	size_t len;
	int ret;

	if (rec->obj != rec->fd)
		return 0;
	img_rewind(sc->img);
	while ((ret = img_next_record(sc->img, &type, &data, &len)) == 1) {
		if (type != IMG_REC_PTY || len < sizeof(*p) || ((const struct rec_pty *)data)->fd != rec->fd)
			continue;
		p = data;
		if (sc->json)
			fprintf(sc->out,
				",\"pty\":{\"index\":%u,\"mode\":\"%s\",\"echo\":%s,\"iflag\":%u,\"oflag\":%u,\"cflag\":%u,\"lflag\":%u,\"ispeed\":%u,\"ospeed\":%u,\"rows\":%u,\"cols\":%u,\"ctty\":%s,\"pgrp\":%d,\"locked\":%s,\"packet\":%s,\"exclusive\":%s,\"in_bytes\":%u,\"out_bytes\":%u}",
				p->index, mode_name(&p->m), p->m.lflag & ECHO ? "true" : "false",
				p->m.iflag, p->m.oflag, p->m.cflag, p->m.lflag, p->m.ispeed, p->m.ospeed,
				p->m.ws_row, p->m.ws_col, p->flags & REC_PTY_CTTY ? "true" : "false",
				p->pgrp, p->flags & REC_PTY_LOCKED ? "true" : "false",
				p->flags & REC_PTY_PKT ? "true" : "false",
				p->flags & REC_PTY_EXCL ? "true" : "false", p->in_len, p->out_len);
		else
			fprintf(sc->out,
				"      pty: /dev/pts/%u %s%s, %ux%u, iflag %#o oflag %#o cflag %#o lflag %#o, speed %u/%u%s%s%s%s; queued %u in, %u out\n",
				p->index, mode_name(&p->m), p->m.lflag & ECHO ? " echo" : " noecho",
				p->m.ws_col, p->m.ws_row, p->m.iflag, p->m.oflag, p->m.cflag, p->m.lflag,
				p->m.ispeed, p->m.ospeed,
				p->flags & REC_PTY_CTTY ? ", controlling terminal of this session" : "",
				p->flags & REC_PTY_LOCKED ? ", locked" : "",
				p->flags & REC_PTY_PKT ? ", packet mode" : "",
				p->flags & REC_PTY_EXCL ? ", exclusive" : "", p->in_len, p->out_len);
		break;
	}
	return ret < 0 ? ret : 0;
}

/*
 * A tree's terminals (show of a tree image): each pty once, with its
 * index, modes and window size, the foreground group of its session, and
 * every fd on it, process by process.
 */
struct tree_pty {
	struct rec_pty rec;
	pid_t leader;		/* the session leader whose controlling terminal it is, 0 */
	char holders[1024];
	size_t used;
};

#define SHOW_OBJS_MAX	64

static void add_holder(struct tree_pty *t, bool json, pid_t pid, const struct rec_fd *fd)
{
	const char *end = fd->xflags == REC_FD_PTY_MASTER ? "master" :
			  fd->xflags == REC_FD_PTY_DEVTTY ? "/dev/tty" : "slave";
	size_t room = sizeof(t->holders) - t->used;
	int n;

	if (json)
		n = snprintf(t->holders + t->used, room, "%s{\"pid\":%d,\"fd\":%d,\"end\":\"%s\"}",
			     t->used ? "," : "", pid, fd->fd, end);
	else
		n = snprintf(t->holders + t->used, room, "%s%d fd %d (%s)", t->used ? ", " : "", pid,
			     fd->fd, end);
	if (n > 0)
		t->used += (size_t)n < room ? (size_t)n : room - 1;
}

static struct tree_pty *tree_pty_of(struct tree_pty **ts, int *nr, const struct rec_pty *p)
{
	struct tree_pty *n;

	for (int k = 0; k < *nr; k++)
		if ((*ts)[k].rec.index == p->index)
			return &(*ts)[k];
	n = realloc(*ts, (size_t)(*nr + 1) * sizeof(**ts));
	if (!n)
		return NULL;
	*ts = n;
	memset(&n[*nr], 0, sizeof(n[*nr]));
	n[*nr].rec = *p;
	return &n[(*nr)++];
}

/* Member @pid's image DIR/PID: its PTY records, then its fds on them. */
static int scan_member(struct show_ctx *sc, const char *dir, pid_t pid, struct tree_pty **ts, int *nr)
{
	int32_t obj_fd[SHOW_OBJS_MAX];
	unsigned int obj_index[SHOW_OBJS_MAX];
	int nr_obj = 0, ret;
	char path[4096];
	struct img_reader *r;
	const void *data;
	uint32_t type;
	size_t len;

	snprintf(path, sizeof(path), "%s/%d", dir, pid);
	ret = img_reader_open(&r, path);
	if (ret)
		return ret;
	while ((ret = img_next_record(r, &type, &data, &len)) == 1) {
		const struct rec_pty *p = data;
		struct tree_pty *t;

		if (type != IMG_REC_PTY || len < sizeof(*p) || nr_obj == SHOW_OBJS_MAX)
			continue;
		t = tree_pty_of(ts, nr, p);
		if (!t) {
			ret = -ENOMEM;
			break;
		}
		if (p->flags & REC_PTY_CTTY) {
			t->rec.pgrp = p->pgrp;
			t->leader = pid;
		}
		obj_fd[nr_obj] = p->fd;
		obj_index[nr_obj++] = p->index;
	}
	img_rewind(r);
	while (ret >= 0 && (ret = img_next_record(r, &type, &data, &len)) == 1) {
		const struct rec_fd *fd = data;

		if (type != IMG_REC_FD || len < sizeof(*fd) || fd->kind != REC_FD_PTY)
			continue;
		for (int o = 0; o < nr_obj; o++)
			for (int k = 0; obj_fd[o] == fd->obj && k < *nr; k++)
				if ((*ts)[k].rec.index == obj_index[o])
					add_holder(&(*ts)[k], sc->json, pid, fd);
	}
	img_reader_close(r);
	return ret < 0 ? ret : 0;
}

int pty_show_tree(struct show_ctx *sc, const char *dir)
{
	struct tree_pty *ts = NULL;
	pid_t *pids = NULL;
	int nr = 0, nr_pids = 0, ret;
	const void *data;
	uint32_t type;
	size_t len;

	img_rewind(sc->img);
	while ((ret = img_next_record(sc->img, &type, &data, &len)) == 1) {
		const struct rec_tree_proc *p = data;
		pid_t *n;

		if (type != IMG_REC_TREE_PROC || len != sizeof(*p) || p->state != REC_TREE_LIVE)
			continue;
		n = realloc(pids, (size_t)(nr_pids + 1) * sizeof(*pids));
		if (!n) {
			ret = -ENOMEM;
			break;
		}
		pids = n;
		pids[nr_pids++] = p->pid;
	}
	for (int i = 0; ret >= 0 && i < nr_pids; i++)
		ret = scan_member(sc, dir, pids[i], &ts, &nr);
	free(pids);
	if (ret < 0) {
		free(ts);
		return ret;
	}
	if (sc->json)
		fputs(",\"terminals\":[", sc->out);
	else if (nr)
		fputs("terminals:\n", sc->out);
	for (int k = 0; k < nr; k++) {
		const struct rec_pty *p = &ts[k].rec;

		if (sc->json)
			fprintf(sc->out,
				"%s{\"index\":%u,\"mode\":\"%s\",\"echo\":%s,\"rows\":%u,\"cols\":%u,\"session\":%d,\"foreground\":%d,\"holders\":[%s]}",
				k ? "," : "", p->index, mode_name(&p->m), p->m.lflag & ECHO ? "true" : "false",
				p->m.ws_row, p->m.ws_col, ts[k].leader, p->pgrp, ts[k].holders);
		else if (ts[k].leader)
			fprintf(sc->out, "  /dev/pts/%u %s%s, %ux%u, controlling terminal of session %d, foreground group %d: %s\n",
				p->index, mode_name(&p->m), p->m.lflag & ECHO ? " echo" : " noecho",
				p->m.ws_col, p->m.ws_row, ts[k].leader, p->pgrp, ts[k].holders);
		else
			fprintf(sc->out, "  /dev/pts/%u %s%s, %ux%u: %s\n", p->index, mode_name(&p->m),
				p->m.lflag & ECHO ? " echo" : " noecho", p->m.ws_col, p->m.ws_row,
				ts[k].holders);
	}
	if (sc->json)
		fputc(']', sc->out);
	free(ts);
	return 0;
}

const struct fd_kind fd_kind_pty = {
	.kind = REC_FD_PTY,
	.name = "pty",
	.show_name = "pty",
	.flags = FD_KIND_OBJECT | FD_KIND_XFLAGS | FD_KIND_AFTER_INHERITED,
	.records = { IMG_REC_PTY },
	.recognise = pty_recognise,
	.dump_prepare = pty_dump_prepare,
	.find_object = pty_find_object,
	.dump_check = pty_dump_check,
	.fill = pty_fill,
	.dump = pty_dump,
	.check_fd = pty_check_fd,
	.check_record = pty_check_record,
	.check_table = pty_check_table,
	.prepare = pty_prepare,
	.create = pty_create,
	.open = pty_open,
	.after = pty_after,
	.late = pty_late,
	.show = pty_show,
	.show_records = pty_show_records,
};
