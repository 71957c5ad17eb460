// SPDX-License-Identifier: MIT
/*
 * The pipe and FIFO fd kinds (REC_FD_PIPE, REC_FD_FIFO): an object with
 * two ends and buffered bytes.  A pipe is recognised by its link
 * ("pipe:[INODE]"), a FIFO by its path's file type.  The object's size
 * and its buffered bytes are kept with the record of its lowest fd (the
 * bytes in IMG_REC_FILE_DATA records after it); an end held only outside
 * the process in an IMG_REC_PIPE_OUTSIDE record.  The restore makes the pipe once, or opens the FIFO by its name,
 * puts the bytes back and makes every description of it from that.
 *
 * Buffered pipe data is read without consuming it: tee(2) from the
 * reference to the target's read end into a pipe of sudcr's own, sized to
 * the target pipe (F_SETPIPE_SZ: as many slots, so one tee duplicates the
 * whole buffer, which a second tee could not continue), then read from
 * ours.  tee only takes page references, so the live pipe keeps its bytes
 * in order, which is what --leave-running needs.  pidfd_getfd rather than
 * an open of /proc/PID/fd/N, because such an open would be a new reader of
 * the pipe (fifo_open counts and wakes), the dup is not.
 *
 * Pipes and FIFOs with one end outside: who holds the other end is found
 * by looking through /proc/PID/fd of every process, for the warnings.
 * The restore makes by default a new pipe without that end, with a
 * warning naming who held it at the dump; --inherit-fd
 * fd[N]:pipe:[INODE] makes every description of the process on pipe
 * INODE a new open of sudcr restore's fd N (/proc/self/fd/N, so the flags
 * are the image's and sudcr's own description is left alone).  The bytes
 * that were buffered are written into it first, unless fd N is that very
 * pipe (it still holds them).
 *
 * A FIFO whose name was removed (REC_FD_FIFO_DELETED in xflags) is made
 * again in the stub under that name (another in the same directory if it
 * is taken), opened, and removed, with its mode and owner; its
 * descriptions are new opens of it.  An end of it held outside could not
 * be joined to the new one: refused at the dump.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cr.h"
#include "image.h"
#include <sudcr/log.h>

#include "fd.h"
#include "removed.h"
#include "fd_dump.h"
#include "files.h"

_Static_assert(sizeof(struct rec_pipe_outside) == 16, "rec_pipe_outside layout");

/* ---- dump ---- */

static int pipe_recognise(struct files_dump *f, struct dump_fd *x)
{
	(void)f;
	return strncmp(x->p->link, "pipe:[", 6) ? FD_NOT_MINE : FD_MINE;
}

/* A FIFO, also one whose name was removed (made again in its directory, which must be there). */
static int fifo_recognise(struct files_dump *f, struct dump_fd *x)
{
	struct stat st;
	char *dir, *slash;
	int ok;

	(void)f;
	if (!x->is_path || !S_ISFIFO(x->st.st_mode))
		return FD_NOT_MINE;
	if (!x->deleted)
		return FD_MINE;
	dir = strdup(x->path);
	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	ok = slash && !stat(dir, &st) && S_ISDIR(st.st_mode);
	free(dir);
	if (ok)
		return FD_MINE;
	x->what = "deleted FIFO whose directory is gone too";
	return FD_REFUSED;
}

/* Pipe ends present among the fds of object @obj, inherited ones left out. */
static void pipe_ends(struct files_dump *f, int obj, bool *rd, bool *wr)
{
	*rd = *wr = false;
	for (int i = 0; i < f->nr; i++) {
		struct dump_fd *y = &f->x[i];
		uint32_t acc = y->p->flags & O_ACCMODE;

		if (y->kind != f->x[obj].kind || y->stdio_inherit || !fd_dump_same_inode(y, &f->x[obj]))
			continue;
		if (acc == O_RDONLY || acc == O_RDWR)
			*rd = true;
		if (acc == O_WRONLY || acc == O_RDWR)
			*wr = true;
	}
}

/* Whether another fd of the process is the other end of @i's pipe. */
static bool pipe_has_other_end(struct files_dump *f, int i)
{
	struct dump_fd *x = &f->x[i];
	uint32_t acc = x->p->flags & O_ACCMODE;

	if (acc == O_RDWR)
		return true;
	for (int j = 0; j < f->nr; j++) {
		struct dump_fd *y = &f->x[j];

		if (j != i && y->kind == x->kind && fd_dump_same_inode(x, y) &&
		    (y->p->flags & O_ACCMODE) != acc)
			return true;
	}
	return false;
}

/* --shell-job: a stdio pipe with no other end in the process is the caller's. */
static bool pipe_caller_end(struct files_dump *f, int i)
{
	return !pipe_has_other_end(f, i);
}

/* Whether fd @name of @pid is open for @end (REC_PIPE_READ or _WRITE): its fdinfo's flags. */
static bool holds_end(pid_t pid, const char *name, uint32_t end)
{
	char path[64 + 256], buf[512], *fl;
	unsigned int flags;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	fl = strstr(buf, "flags:");
	if (!fl || sscanf(fl + 6, "%o", &flags) != 1)
		return false;
	flags &= O_ACCMODE;
	return flags == O_RDWR || flags == (end == REC_PIPE_READ ? O_RDONLY : O_WRONLY);
}

/* Whether @pid holds the @end end of the pipe or FIFO @st (link text @link). */
static bool holds(pid_t pid, const struct stat *st, const char *link, uint32_t end)
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
		found = !stat(path, &s) && s.st_dev == st->st_dev && s.st_ino == st->st_ino &&
			holds_end(pid, de->d_name, end);
	}
	closedir(d);
	return found;
}

/*
 * PIDs of the processes other than @self that hold the @end end of the
 * pipe or FIFO @st (link text @link): at most @max in @pids, *nr of them.
 * Those holding only the end @self holds do not matter: the restore of
 * @self's end does not change what they are joined to.
 */
static void pipe_holders(pid_t self, const struct stat *st, const char *link, uint32_t end,
			 int32_t *pids, int max, int *nr)
{
	struct dirent *de;
	DIR *d = opendir("/proc");
	pid_t me = getpid();

	*nr = 0;
	if (!d)
		return;
	while (*nr < max && (de = readdir(d))) {
		char *e;
		long pid = strtol(de->d_name, &e, 10);

		if (*e || pid <= 0 || pid == self || pid == me)
			continue;
		if (holds((pid_t)pid, st, link, end))
			pids[(*nr)++] = (int32_t)pid;
	}
	closedir(d);
}

/*
 * Pipe or FIFO object @obj, of which the process holds only one end: is
 * the other one (@end) still open somewhere, and by whom?  An anonymous
 * pipe tells by poll: POLLHUP on a read end, POLLERR on a write end, when
 * no one holds the other.  If no one does, the restore is exact and there
 * is nothing to say.  Otherwise the restore cannot bring that end back
 * (unless --inherit-fd joins it): warn, with the holders sudcr can see.
 */
static int find_outside(struct files_dump *f, int obj, uint32_t end)
{
	struct dump_fd *x = &f->x[obj];
	char who[256] = "";
	size_t used = 0;
	bool gone = false;

	x->out_pids = calloc(REC_PIPE_PIDS_MAX, sizeof(*x->out_pids));
	if (!x->out_pids)
		return -ENOMEM;
	/*
	 * A tree member's fd inherited from its parent: the parent (or the
	 * member above that got it first) speaks for it.  Not looked at
	 * again: each look scans every process's fds.
	 */
	if (dump_tree_fd_inherited(f->d, x->p->fd)) {
		x->outside = end;
		sudcr_debug("fd %d: %s: inherited from the parent in the tree", x->p->fd, x->p->link);
		return 0;
	}
	if (x->kind == REC_FD_PIPE) {
		struct pollfd pfd = { .events = POLLIN | POLLOUT };
		int g = fd_dump_getfd(f, x->p->fd);

		if (g < 0) {
			sudcr_error("fd %d (%s): pidfd_getfd: %s", x->p->fd, x->p->link, strerror(-g));
			return g;
		}
		pfd.fd = g;
		if (poll(&pfd, 1, 0) == 1)
			gone = pfd.revents & (end == REC_PIPE_WRITE ? POLLHUP : POLLERR);
		close(g);
	}
	if (!gone)
		pipe_holders(f->d->proc_pid, &x->st, x->p->link, end, x->out_pids, REC_PIPE_PIDS_MAX,
			     &x->nr_out_pids);
	if (gone || (x->kind == REC_FD_FIFO && !x->nr_out_pids)) {
		sudcr_debug("fd %d: %s: no one else holds it", x->p->fd, x->p->link);
		return 0;
	}
	x->outside = end;
	if (dump_tree_pipe_inside(f->d, x->p->fd, x->out_pids, x->nr_out_pids)) {
		sudcr_debug("fd %d: %s: its other end is in the tree", x->p->fd, x->p->link);
		return 0;
	}
	for (int k = 0; k < x->nr_out_pids && used < sizeof(who) - 16; k++)
		used += snprintf(who + used, sizeof(who) - used, "%s%d", k ? ", " : "PID ",
				 x->out_pids[k]);
	if (x->kind == REC_FD_PIPE)
		sudcr_warn("fd %d: %s: its %s end is outside the process (%s): the restore makes a new pipe without it, unless --inherit-fd fd[N]:%s joins fd N of sudcr restore",
			   x->p->fd, x->p->link, end == REC_PIPE_READ ? "read" : "write",
			   used ? who : "held by no process sudcr can see", x->p->link);
	else
		sudcr_warn("fd %d: FIFO %s: its %s end is held outside the process (%s); the restore opens the FIFO again by its name",
			   x->p->fd, x->p->link, end == REC_PIPE_READ ? "read" : "write", who);
	return 0;
}

/*
 * A FIFO whose name was removed is made again as a new FIFO: an end held
 * outside the process could not be joined to it.
 */
static int deleted_fifo_check(struct files_dump *f, int i)
{
	struct dump_fd *x = &f->x[i];
	char link[PATH_MAX + 16];
	int32_t pids[4];
	bool rd, wr;
	int nr;

	pipe_ends(f, i, &rd, &wr);
	if (rd && wr)
		return 0;
	/* As the others' /proc/PID/fd shows it (x->p->link has lost its " (deleted)"). */
	snprintf(link, sizeof(link), "%s (deleted)", x->path);
	pipe_holders(f->d->proc_pid, &x->st, link, rd ? REC_PIPE_WRITE : REC_PIPE_READ, pids, 4, &nr);
	if (!nr)
		return 0;
	sudcr_error("fd %d: deleted FIFO %s: its %s end is held outside the process (PID %d%s): not supported",
		    x->p->fd, x->path, rd ? "write" : "read", pids[0], nr > 1 ? " and others" : "");
	return -EOPNOTSUPP;
}

/* An object of which the process holds one end only: who holds the other. */
static int pipe_dump_check(struct files_dump *f, int i)
{
	struct dump_fd *x = &f->x[i];
	bool rd, wr;

	if (x->obj != i)
		return 0;
	if (x->kind == REC_FD_FIFO && x->deleted)
		return deleted_fifo_check(f, i);
	pipe_ends(f, i, &rd, &wr);
	if (!rd || !wr)
		return find_outside(f, i, rd ? REC_PIPE_WRITE : REC_PIPE_READ);
	return 0;
}

/*
 * Size and buffered bytes of the pipe object @obj; the bytes go to f->buf.
 * See the top of the file for why tee and pidfd_getfd.
 */
static int read_pipe(struct files_dump *f, int obj)
{
	struct dump_fd *x = &f->x[obj], *rx = NULL;
	int g = -1, tmp[2] = { -1, -1 }, ret = 0, avail = 0, sz;
	size_t got = 0;
	ssize_t n;

	for (int i = obj; i < f->nr && !rx; i++) {
		uint32_t acc = f->x[i].p->flags & O_ACCMODE;

		if (f->x[i].obj == obj && (acc == O_RDONLY || acc == O_RDWR))
			rx = &f->x[i];
	}
	/*
	 * Only a write end: what it holds is for the reader outside, which
	 * keeps it (the pipe lives on with the reader); only the size.
	 */
	if (!rx) {
		x->pipe_bytes = 0;
		g = fd_dump_getfd(f, x->p->fd);
		sz = g < 0 ? g : fcntl(g, F_GETPIPE_SZ);
		ret = sz < 0 ? (g < 0 ? g : -errno) : 0;
		if (g >= 0)
			close(g);
		if (ret)
			sudcr_error("fd %d (%s): cannot read the pipe's size: %s", x->p->fd,
				    x->p->link, strerror(-ret));
		x->pipe_size = (uint32_t)sz;
		return ret;
	}
	g = fd_dump_getfd(f, rx->p->fd);
	if (g < 0) {
		ret = g;
		sudcr_error("fd %d (%s): pidfd_getfd: %s", rx->p->fd, rx->p->link, strerror(-ret));
		return ret;
	}
	sz = fcntl(g, F_GETPIPE_SZ);
	if (sz < 0 || ioctl(g, FIONREAD, &avail) < 0) {
		ret = -errno;
		sudcr_error("fd %d (%s): cannot read the pipe's size: %s", rx->p->fd, rx->p->link,
			    strerror(-ret));
		goto out;
	}
	x->pipe_size = (uint32_t)sz;
	x->pipe_bytes = 0;
	if (avail <= 0)
		goto out;
	if ((size_t)avail > (size_t)sz || (size_t)avail > DATA_CHUNK) {
		ret = -EIO;
		sudcr_error("fd %d (%s): %d bytes buffered in a pipe of %d", rx->p->fd, rx->p->link,
			    avail, sz);
		goto out;
	}
	if (pipe2(tmp, O_CLOEXEC | O_NONBLOCK) || fcntl(tmp[1], F_SETPIPE_SZ, sz) < sz) {
		ret = -errno;
		sudcr_error("fd %d (%s): cannot make a pipe of %d bytes to copy its data: %s",
			    rx->p->fd, rx->p->link, sz, strerror(-ret));
		goto out;
	}
	n = tee(g, tmp[1], (size_t)avail, SPLICE_F_NONBLOCK);
	if (n != avail) {
		ret = n < 0 ? -errno : -EIO;
		sudcr_error("fd %d (%s): tee copied %zd of %d buffered bytes%s%s", rx->p->fd,
			    rx->p->link, n, avail, n < 0 ? ": " : "", n < 0 ? strerror(-ret) : "");
		goto out;
	}
	while (got < (size_t)avail) {
		n = read(tmp[0], (char *)f->buf + sizeof(struct rec_file_data) + got, avail - got);
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			sudcr_error("fd %d (%s): reading the copy of its data: %s", rx->p->fd,
				    rx->p->link, n < 0 ? strerror(-ret) : "short read");
			goto out;
		}
		got += n;
	}
	x->pipe_bytes = got;
out:
	if (tmp[0] >= 0)
		close(tmp[0]);
	if (tmp[1] >= 0)
		close(tmp[1]);
	close(g);
	return ret;
}

static int write_outside(struct files_dump *f, struct dump_fd *x)
{
	size_t len = sizeof(struct rec_pipe_outside) + x->nr_out_pids * sizeof(int32_t);
	struct rec_pipe_outside *o = calloc(1, len);
	int ret;

	if (!o)
		return -ENOMEM;
	o->fd = x->p->fd;
	o->outside = x->outside;
	o->nr_pids = (uint32_t)x->nr_out_pids;
	memcpy(o + 1, x->out_pids, x->nr_out_pids * sizeof(int32_t));
	ret = img_write_record(f->d->img, IMG_REC_PIPE_OUTSIDE, o, len);
	free(o);
	return ret;
}

/* The object's size and buffered bytes, read with its lowest fd. */
static int pipe_fill(struct files_dump *f, int i, struct rec_fd *rec)
{
	struct dump_fd *x = &f->x[i];

	if (x->obj == i) {
		int ret = read_pipe(f, i);

		if (ret)
			return ret;
	} else {
		x->pipe_size = f->x[x->obj].pipe_size;
	}
	rec->size = f->x[x->obj].pipe_bytes;
	rec->pipe_size = x->pipe_size;
	return 0;
}

static int fifo_fill(struct files_dump *f, int i, struct rec_fd *rec)
{
	if (f->x[i].deleted)
		rec->xflags |= REC_FD_FIFO_DELETED;
	return pipe_fill(f, i, rec);
}

static int pipe_dump(struct files_dump *f, int i)
{
	struct dump_fd *x = &f->x[i];
	int ret = 0;

	if (x->obj != i)
		return 0;
	if (x->pipe_bytes)
		ret = fd_dump_write_data(f, x->p->fd, 0, x->pipe_bytes);
	if (!ret && x->outside)
		ret = write_outside(f, x);
	return ret;
}

/* ---- restore ---- */

#define PIPE_SIZE_MAX	(1u << 30)

static int pipe_check(struct restore_ctx *r, const struct rec_fd *rec, const char *path)
{
	(void)path;
	if (!rec->pipe_size || rec->pipe_size > PIPE_SIZE_MAX || rec->size > rec->pipe_size)
		return img_record_invalid(r->img, "fd %d: bad pipe size", rec->fd);
	return 0;
}

/* IMG_REC_PIPE_OUTSIDE, of pipes and FIFOs. */
static int pipe_check_record(struct restore_ctx *r, struct restore_files_state *s, uint32_t type,
			     const void *data, size_t len)
{
	const struct rec_pipe_outside *o = data;
	int i;

	(void)type;
	if (len < sizeof(*o) || o->pad || o->nr_pids > REC_PIPE_PIDS_MAX ||
	    len != sizeof(*o) + o->nr_pids * sizeof(int32_t))
		return img_record_invalid(r->img, "bad outside pipe record");
	i = rf_find_fd(s, o->fd);
	if (i < 0 || (s->fds[i].rec->kind != REC_FD_PIPE && s->fds[i].rec->kind != REC_FD_FIFO) ||
	    (s->fds[i].rec->xflags & REC_FD_FIFO_DELETED) || s->fds[i].obj != i || s->fds[i].outside ||
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

/* --inherit-fd, and the warnings for the ends outside that come back without it. */
static int pipe_prepare(struct restore_ctx *r, struct restore_files_state *s)
{
	int ret;

	for (int k = 0; k < r->opts.nr_inherit; k++) {
		ret = inherit_one(s, &r->opts.inherit[k]);
		if (ret)
			return ret;
	}
	for (int i = 0; i < s->nr; i++)
		if (s->fds[i].outside && s->fds[i].inherit_src < 0 &&
		    !restore_tree_pipe_inside(r, &s->fds[i]))
			warn_outside(&s->fds[i]);
	return 0;
}

/* Its buffered bytes are all in the image. */
static int pipe_check_table(struct restore_files_state *s, int i)
{
	const struct rec_fd *rec = s->fds[i].rec;

	if (s->fds[i].obj == i && s->fds[i].data_end != rec->size) {
		sudcr_error("image: fd %d (%s): %llu of %llu buffered bytes stored", rec->fd,
			    s->fds[i].path, (unsigned long long)s->fds[i].data_end,
			    (unsigned long long)rec->size);
		return -EINVAL;
	}
	return 0;
}

static int fifo_check(struct restore_ctx *r, const struct rec_fd *rec, const char *path)
{
	if (rec->xflags & ~REC_FD_FIFO_DELETED)
		return img_record_invalid(r->img, "fd %d: FIFO flags %#x", rec->fd, rec->xflags);
	return pipe_check(r, rec, path);
}

/* A FIFO by name is still a FIFO; one to make again has its directory. */
static int fifo_check_file(struct restore_files_state *s, int i)
{
	const struct rf_fd *e = &s->fds[i];
	struct stat st;
	char *dir;
	int err;

	if (!(e->rec->xflags & REC_FD_FIFO_DELETED))
		return rf_stat_same_type(e, &st);
	if (e->obj != i)
		return 0;
	dir = path_parent(e->path);
	if (!dir)
		return -ENOMEM;
	err = stat(dir, &st) ? -errno : S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
	if (err)
		sudcr_error("cannot restore fd %d (%s (deleted)): its directory %s: %s", e->rec->fd, e->path, dir,
			    strerror(-err));
	free(dir);
	return err;
}

/* ---- in the stub ---- */

static void set_pipe_size(struct rf_fd *o, int fd)
{
	int cur = fcntl(fd, F_GETPIPE_SZ);

	if (cur != (int)o->rec->pipe_size && fcntl(fd, F_SETPIPE_SZ, (int)o->rec->pipe_size) < 0) {
		int err = errno;

		rf_stub_die("cannot restore fd %d (%s): cannot make the pipe %u bytes: %s%s",
			 o->rec->fd, o->path, o->rec->pipe_size, strerror(err),
			 err == EPERM ? " (above /proc/sys/fs/pipe-max-size)" : "");
	}
}

/*
 * --inherit-fd: the pipe is sudcr restore's fd; what was buffered goes in
 * first, unless it is the very pipe of the dump, which still holds it.  If
 * the pipe has data already, those bytes would come out of order: refused.
 */
static void inherit_pipe_data(struct restore_files_state *s, struct rf_fd *o)
{
	int w, n = -1;

	if (o->inherit_same || !o->nr_data)
		return;
	w = rf_reopen(o->inherit_src, O_WRONLY | O_NONBLOCK);
	if (w < 0)
		rf_die_fd(o, "opening the pipe of --inherit-fd to write its buffered bytes", errno);
	if (ioctl(w, FIONREAD, &n) || n)
		rf_stub_die("cannot restore fd %d (%s): the pipe of --inherit-fd already holds %d bytes, and the %llu buffered at the dump must come first",
			    o->rec->fd, o->path, n, (unsigned long long)o->rec->size);
	rf_put_data(s, o, w, true);
	close(w);
}

/*
 * A FIFO whose other end was held outside lives on while it is: its bytes
 * are still in it, and written again they would be there twice.
 */
static bool fifo_kept_data(const struct rf_fd *o)
{
	int n = 0;

	return o->outside && !ioctl(o->hold[0], FIONREAD, &n) && n > 0;
}

/* The pipe, held in o->hold until every description has it. */
static void pipe_create(struct restore_files_state *s, struct rf_fd *o)
{
	/* Packet mode can only be set at creation; F_SETFL clears it where not wanted. */
	int direct = 0;

	if (o->inherit_src >= 0) {
		inherit_pipe_data(s, o);
		return;
	}
	for (int i = 0; i < s->nr; i++)
		if (&s->fds[s->fds[i].obj] == o)
			direct |= s->fds[i].rec->flags & O_DIRECT;
	if (pipe2(o->hold, O_CLOEXEC | O_NONBLOCK | direct))
		rf_die_fd(o, "pipe2", errno);
	set_pipe_size(o, o->hold[1]);
	rf_put_data(s, o, o->hold[1], true);
}

/*
 * A FIFO whose name was removed: made again under that name (another one
 * in the same directory if it is taken), opened, and removed again.
 */
static int make_deleted_fifo(struct rf_fd *o)
{
	char *dir = NULL, *name = NULL;
	const char *at = o->path;
	int fd, n = 0;

	while (mkfifo(at, 0600)) {
		if (errno != EEXIST || n == 100)
			rf_die_fd(o, "cannot make it again (mkfifo)", errno);
		free(name);
		dir = dir ? dir : path_parent(o->path);
		if (!dir || asprintf(&name, "%s/.sudcr-deleted-%d-%d", strcmp(dir, "/") ? dir : "", getpid(), n++) < 0)
			rf_die_fd(o, "cannot make it again", ENOMEM);
		at = name;
	}
	fd = open(at, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || unlink(at))
		rf_die_fd(o, fd < 0 ? "cannot open it again" : "unlink", errno);
	if (fchown(fd, o->rec->uid, o->rec->gid))
		rf_die_fd(o, "fchown", errno);
	if (fchmod(fd, o->rec->mode & 07777))
		rf_die_fd(o, "fchmod", errno);
	free(name);
	free(dir);
	return fd;
}

/* The FIFO opened by its name, a reader and writer both, so that no open of it blocks. */
static void fifo_create(struct restore_files_state *s, struct rf_fd *o)
{
	if (o->rec->xflags & REC_FD_FIFO_DELETED)
		o->hold[0] = make_deleted_fifo(o);
	else
		o->hold[0] = open(o->path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (o->hold[0] < 0)
		rf_die_fd(o, "open", errno);
	set_pipe_size(o, o->hold[0]);
	if (!fifo_kept_data(o))
		rf_put_data(s, o, o->hold[0], true);
}

/* One end of the pipe: the one pipe2() made for the first of its kind, new opens for the others. */
static int pipe_open(struct restore_files_state *s, int i, bool *own)
{
	struct rf_fd *e = &s->fds[i], *o = &s->fds[e->obj];
	int oflags = (int)(e->rec->flags & RF_OPEN_FLAGS);
	uint32_t acc = e->rec->flags & O_ACCMODE;
	int end = acc == O_WRONLY ? 1 : 0;

	if (o->inherit_src >= 0)
		return rf_reopen(o->inherit_src, oflags);
	if (acc != O_RDWR && !o->used[end]) {
		o->used[end] = true;
		*own = false;
		return o->hold[end];
	}
	return rf_reopen(o->hold[end], oflags);
}

static int fifo_open(struct restore_files_state *s, int i, bool *own)
{
	const struct rf_fd *e = &s->fds[i];
	int oflags = (int)(e->rec->flags & RF_OPEN_FLAGS) | O_NONBLOCK;

	(void)own;
	if (e->rec->xflags & REC_FD_FIFO_DELETED)
		return rf_reopen(s->fds[e->obj].hold[0], oflags);
	return open(e->path, oflags | O_CLOEXEC);
}

static void pipe_show(const struct rec_fd *rec, bool json, char *buf, size_t size)
{
	if (json)
		snprintf(buf, size, ",\"pipe_size\":%u", rec->pipe_size);
	else
		snprintf(buf, size, " pipe-size %u", rec->pipe_size);
}

const struct fd_kind fd_kind_pipe = {
	.kind = REC_FD_PIPE,
	.name = "pipe",
	.show_name = "pipe",
	.flags = FD_KIND_OBJECT | FD_KIND_PIPE_SIZE,
	.records = { IMG_REC_PIPE_OUTSIDE },
	.recognise = pipe_recognise,
	.caller_end = pipe_caller_end,
	.dump_check = pipe_dump_check,
	.fill = pipe_fill,
	.dump = pipe_dump,
	.check_fd = pipe_check,
	.check_record = pipe_check_record,
	.check_table = pipe_check_table,
	.prepare = pipe_prepare,
	.create = pipe_create,
	.open = pipe_open,
	.show = pipe_show,
};

const struct fd_kind fd_kind_fifo = {
	.kind = REC_FD_FIFO,
	.name = "FIFO",
	.show_name = "fifo",
	.flags = FD_KIND_OBJECT | FD_KIND_ABS_PATH | FD_KIND_PIPE_SIZE | FD_KIND_XFLAGS,
	.recognise = fifo_recognise,
	.caller_end = pipe_caller_end,
	.dump_check = pipe_dump_check,
	.fill = fifo_fill,
	.dump = pipe_dump,
	.check_fd = fifo_check,
	.check_table = pipe_check_table,
	.check_file = fifo_check_file,
	.create = fifo_create,
	.open = fifo_open,
	.show = pipe_show,
};
