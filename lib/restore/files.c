// SPDX-License-Identifier: MIT
/*
 * Restore of the file descriptor table.
 *
 * restore_files_prepare() reads and validates every IMG_REC_FD and
 * IMG_REC_FILE_DATA record and checks the files the image names (a regular
 * file must still be there with the size it had), so that a restore that
 * cannot succeed fails before anything is created.
 *
 * restore_files_in_stub() runs in the new process, in plain C:
 *  1. create every open file description (one per group of fds that shared
 *     one) and move it with F_DUPFD above the image's highest fd, so that
 *     nothing sits on a number the image uses; set its flags and position;
 *  2. close every fd the stub has besides those and the driver's keep_fds
 *     (close_range over the gaps);
 *  3. dup2 each description to each of its fds, close the staged copies,
 *     set FD_CLOEXEC per fd;
 *  4. fill each epoll: EPOLL_CTL_ADD on the fds at their numbers, which
 *     is what the kernel keys an entry by (see lib/kinds/epoll.c);
 *  5. take the file locks again (lib/kinds/locks.c).
 * Armed timerfds are armed later, by injection (restore_files()), when
 * the process is about to run.
 * Errors in any step end the stub with one message, which reaches sudcr
 * through the stub's report pipe (lib/restore/restore.c), not fd 2.
 *
 * Objects shared by several descriptions (the two ends of a pipe, opens of
 * one memfd or deleted file) are made once; further descriptions of them
 * are new opens of /proc/self/fd/N, as the originals were.
 *
 * Deleted files are made again where they were: created under their old
 * name (O_EXCL) and unlinked at once, so /proc/PID/fd shows the same
 * "/dir/name (deleted)".  If that name is taken by a new file meanwhile,
 * an O_TMPFILE in the same directory stands in (shown as "/dir/#ino").
 * Their content, owner, mode, atime and mtime are those of the dump.
 *
 * The job's terminal (REC_FD_TTY, --shell-job) and pipes with an end
 * outside the process (--inherit-fd) are described in lib/kinds/tty.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <sudcr/cr.h>
#include <sudcr/kernel_compat.h>
#include <sudcr/log.h>

#include "../kinds/fd.h"
#include "../kinds/files.h"

#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC	0x0020
#endif

#define PIPE_SIZE_MAX	(1u << 30)

/* Flags open(2) takes from the image; F_SETFL sets the rest. */
#define OPEN_FLAGS	(O_ACCMODE | O_APPEND | O_NONBLOCK | O_SYNC | O_DIRECT | O_NOATIME | \
			 O_LARGEFILE)
#define SETFL_FLAGS	(O_APPEND | O_ASYNC | O_DIRECT | O_NOATIME | O_NONBLOCK)
#define KNOWN_FLAGS	(OPEN_FLAGS | SETFL_FLAGS | O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CREAT | \
			 O_EXCL | O_NOCTTY | O_TRUNC | __O_TMPFILE)

static const char *kind_name(uint32_t kind)
{
	const struct fd_kind *k = fd_kind(kind);

	return k ? k->name : NULL;
}

static bool has_objects(uint32_t kind)
{
	return kind == REC_FD_PIPE || kind == REC_FD_FIFO || kind == REC_FD_MEMFD ||
	       kind == REC_FD_DELETED || kind == REC_FD_UNIX;
}

int rf_cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return x < y ? -1 : x > y;
}

/* Index of the record of @fd, -1 if none (fds are in increasing order). */
int rf_find_fd(const struct restore_files_state *s, int fd)
{
	int lo = 0, hi = s->nr - 1;

	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;

		if (s->fds[mid].rec->fd == fd)
			return mid;
		if (s->fds[mid].rec->fd < fd)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

int rf_grow(void **arr, int *cap, int n, size_t size)
{
	void *p;
	int ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	p = realloc(*arr, (size_t)ncap * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

static int check_fd_rec(struct restore_ctx *r, struct restore_files_state *s,
			const struct rec_fd *rec, size_t len)
{
	const char *path;
	struct rf_fd *e;
	int ret;

	/* rec is NULL for an empty payload: no pointer arithmetic before this. */
	if (len < sizeof(*rec) || rec->path_len != len - sizeof(*rec))
		return img_record_invalid(r->img, "bad fd record length");
	path = (const char *)(rec + 1);
	if (rec->path_len >= REC_PATH_MAX || memchr(path, '\0', rec->path_len))
		return img_record_invalid(r->img, "bad path in fd record");
	if (rec->fd < 0 || rec->fd >= FILES_FD_MAX)
		return img_record_invalid(r->img, "fd %d out of range", rec->fd);
	if (s->nr && rec->fd <= s->fds[s->nr - 1].rec->fd)
		return img_record_invalid(r->img, "fd %d out of order", rec->fd);
	if (!kind_name(rec->kind))
		return img_record_invalid(r->img, "fd %d: unknown kind %u", rec->fd, rec->kind);
	if (rec->flags & ~(uint32_t)KNOWN_FLAGS || rec->fd_flags & ~(uint32_t)FD_CLOEXEC)
		return img_record_invalid(r->img, "fd %d: unknown flags", rec->fd);
	if (rec->desc < 0 || rec->desc > rec->fd || rec->obj < 0 || rec->obj > rec->fd)
		return img_record_invalid(r->img, "fd %d: bad description or object", rec->fd);
	if (rec->kind == REC_FD_INHERIT ? rec->inherit_fd < 0 || rec->inherit_fd > 2 :
					  rec->inherit_fd != -1)
		return img_record_invalid(r->img, "fd %d: bad inherited fd", rec->fd);
	if (eventfd_rec_bad(rec))
		return img_record_invalid(r->img, "fd %d: bad eventfd state", rec->fd);
	if (is_pipe_kind(rec->kind) ? !rec->pipe_size || rec->pipe_size > PIPE_SIZE_MAX ||
				      rec->size > rec->pipe_size : rec->pipe_size)
		return img_record_invalid(r->img, "fd %d: bad pipe size", rec->fd);
	if (memfd_rec_bad(rec, path))
		return img_record_invalid(r->img, "fd %d: bad memfd", rec->fd);
	if ((rec->kind == REC_FD_REG || rec->kind == REC_FD_DELETED || rec->kind == REC_FD_DIR ||
	     rec->kind == REC_FD_CHR || rec->kind == REC_FD_FIFO || rec->kind == REC_FD_PATH) &&
	    (rec->path_len == 0 || path[0] != '/'))
		return img_record_invalid(r->img, "fd %d: path is not absolute", rec->fd);
	if ((rec->kind == REC_FD_DELETED || rec->kind == REC_FD_MEMFD) && rec->size > INT64_MAX)
		return img_record_invalid(r->img, "fd %d: bad size", rec->fd);

	ret = rf_grow((void **)&s->fds, &s->cap, s->nr, sizeof(*s->fds));
	if (ret)
		return ret;
	e = &s->fds[s->nr];
	memset(e, 0, sizeof(*e));
	e->rec = rec;
	e->hold[0] = e->hold[1] = -1;
	e->src = -1;
	e->inherit_src = -1;
	e->path = strndup(path, rec->path_len);
	if (!e->path)
		return -ENOMEM;
	s->nr++;

	e->desc = rf_find_fd(s, rec->desc);
	e->obj = rf_find_fd(s, rec->obj);
	if (e->desc < 0 || e->obj < 0)
		return img_record_invalid(r->img, "fd %d: description or object of a missing fd",
					  rec->fd);
	if (e->desc != s->nr - 1) {
		const struct rec_fd *d = s->fds[e->desc].rec;

		if (d->desc != d->fd || d->kind != rec->kind || d->flags != rec->flags ||
		    d->pos != rec->pos || d->inherit_fd != rec->inherit_fd || d->obj != rec->obj)
			return img_record_invalid(r->img, "fd %d: differs from fd %d it shares a description with",
						  rec->fd, d->fd);
	}
	if (!has_objects(rec->kind) && rec->obj != rec->desc)
		return img_record_invalid(r->img, "fd %d: an object of a kind that has none", rec->fd);
	if (has_objects(rec->kind) && e->obj != s->nr - 1) {
		const struct rec_fd *o = s->fds[e->obj].rec;

		if (o->obj != o->fd || o->kind != rec->kind ||
		    o->size != rec->size || o->pipe_size != rec->pipe_size || o->seals != rec->seals)
			return img_record_invalid(r->img, "fd %d: differs from fd %d of the same object",
						  rec->fd, o->fd);
	}
	if (rec->kind == REC_FD_INHERIT) {
		/* Only the caller's stdio, which the image keeps as such, is inherited. */
		int k = rf_find_fd(s, rec->inherit_fd);
		const struct rec_fd *kr = k < 0 ? NULL : s->fds[k].rec;

		if (!kr || kr->kind != REC_FD_INHERIT || kr->inherit_fd != kr->fd ||
		    kr->desc != kr->fd)
			return img_record_invalid(r->img, "fd %d: inherits fd %d, which is not inherited",
						  rec->fd, rec->inherit_fd);
		if (rec->fd <= 2 && rec->inherit_fd != rec->fd)
			return img_record_invalid(r->img, "fd %d: inherits another stdio fd", rec->fd);
		s->inherit = true;
	}
	if (rec->fd > s->max_fd)
		s->max_fd = rec->fd;
	return 0;
}

static int check_data_rec(struct restore_ctx *r, struct restore_files_state *s,
			  const struct rec_file_data *h, size_t len)
{
	struct rf_fd *o;
	int i, ret;

	if (len < sizeof(*h) || h->len != len - sizeof(*h) || h->pad)
		return img_record_invalid(r->img, "bad file data record length");
	i = rf_find_fd(s, h->fd);
	if (i < 0)
		return img_record_invalid(r->img, "file data for fd %d, which comes later or not at all",
					  h->fd);
	o = &s->fds[i];
	if (!has_objects(o->rec->kind) || o->obj != i || !h->len)
		return img_record_invalid(r->img, "file data for fd %d (%s)", h->fd,
					  kind_name(o->rec->kind));
	/* In order, without overlap; pipe data is one run of bytes from 0. */
	if (h->offset < o->data_end || (is_pipe_kind(o->rec->kind) && h->offset != o->data_end) ||
	    h->offset > o->rec->size || h->len > o->rec->size - h->offset)
		return img_record_invalid(r->img, "file data for fd %d out of place", h->fd);
	ret = rf_grow((void **)&s->data, &s->cap_data, s->nr_data, sizeof(*s->data));
	if (ret)
		return ret;
	if (!o->nr_data)
		o->data = s->nr_data;
	else if (o->data + o->nr_data != s->nr_data)
		return img_record_invalid(r->img, "file data for fd %d not together", h->fd);
	s->data[s->nr_data].rec = h;
	s->data[s->nr_data].bytes = h + 1;
	s->nr_data++;
	o->nr_data++;
	o->data_end = h->offset + h->len;
	return 0;
}

/* The times of a deleted file, after its fd record. */
static int check_times_rec(struct restore_ctx *r, struct restore_files_state *s,
			   const struct rec_file_times *t, size_t len)
{
	int i;

	if (len != sizeof(*t))
		return img_record_invalid(r->img, "file times record of %zu bytes", len);
	i = rf_find_fd(s, t->fd);
	if (i < 0 || s->fds[i].rec->kind != REC_FD_DELETED || s->fds[i].obj != i ||
	    s->fds[i].times)
		return img_record_invalid(r->img, "file times for fd %d, which is no deleted file "
					  "before it", t->fd);
	if (t->atime_nsec < 0 || t->atime_nsec >= 1000000000 || t->mtime_nsec < 0 ||
	    t->mtime_nsec >= 1000000000)
		return img_record_invalid(r->img, "fd %d: bad file times", t->fd);
	s->fds[i].times = t;
	return 0;
}

static int read_records(struct restore_ctx *r, struct restore_files_state *s)
{
	const void *data;
	uint32_t type;
	size_t len;
	int ret;

	img_rewind(r->img);
	while ((ret = img_next_record(r->img, &type, &data, &len)) == 1) {
		if (type == IMG_REC_FD)
			ret = check_fd_rec(r, s, data, len);
		else if (type == IMG_REC_FILE_DATA)
			ret = check_data_rec(r, s, data, len);
		else if (type == IMG_REC_TIMERFD)
			ret = rf_timerfd_rec(r, s, data, len);
		else if (type == IMG_REC_EPOLL)
			ret = rf_epoll_rec(r, s, data, len);
		else if (type == IMG_REC_UNIX)
			ret = rf_unix_rec(r, s, data, len);
		else if (type == IMG_REC_UNIX_QUEUE)
			ret = rf_unix_queue_rec(r, s, data, len);
		else if (type == IMG_REC_LOCK)
			ret = rf_lock_rec(r, s, data, len);
		else if (type == IMG_REC_TTY)
			ret = rf_tty_rec(r, s, data, len);
		else if (type == IMG_REC_PIPE_OUTSIDE)
			ret = rf_outside_rec(r, s, data, len);
		else if (type == IMG_REC_FILE_TIMES)
			ret = check_times_rec(r, s, data, len);
		else
			continue;
		if (ret)
			return ret;
	}
	if (ret)
		return ret;
	for (int i = 0; i < s->nr; i++) {
		const struct rec_fd *rec = s->fds[i].rec;

		if (rec->kind == REC_FD_DELETED && s->fds[i].obj == i && !s->fds[i].times) {
			sudcr_error("image: fd %d (deleted file): no file times record", rec->fd);
			return -EINVAL;
		}
		if (rec->kind == REC_FD_TIMERFD && s->fds[i].desc == i && !s->fds[i].timer) {
			sudcr_error("image: fd %d (timerfd): no timerfd record", rec->fd);
			return -EINVAL;
		}
		if (rec->kind == REC_FD_EPOLL && s->fds[i].desc == i) {
			if (!s->fds[i].epoll) {
				sudcr_error("image: fd %d (epoll): no epoll record", rec->fd);
				return -EINVAL;
			}
			ret = rf_epoll_check_targets(s, i);
			if (ret)
				return ret;
		}
		if (rec->kind == REC_FD_UNIX && s->fds[i].desc == i) {
			ret = rf_unix_check_pair(s, i);
			if (ret)
				return ret;
		}
		if (is_pipe_kind(rec->kind) && s->fds[i].obj == i && s->fds[i].data_end != rec->size) {
			sudcr_error("image: fd %d (%s): %llu of %llu buffered bytes stored", rec->fd,
				    s->fds[i].path, (unsigned long long)s->fds[i].data_end,
				    (unsigned long long)rec->size);
			return -EINVAL;
		}
	}
	return 0;
}

/* The file @e names must still be what it was; one clear error if not. */
static int check_file(struct restore_files_state *s, int i)
{
	struct rf_fd *e = &s->fds[i];
	const struct rec_fd *rec = e->rec;
	struct stat st;
	int err;

	if (e->desc != i || e->proc_tid)
		return 0;	/* own /proc files exist once the process does */
	switch (rec->kind) {
	case REC_FD_REG:
	case REC_FD_DIR:
	case REC_FD_CHR:
	case REC_FD_FIFO:
		if (stat(e->path, &st))
			goto out_errno;
		if ((st.st_mode & S_IFMT) != (rec->mode & S_IFMT)) {
			sudcr_error("cannot restore fd %d (%s): no longer a %s", rec->fd, e->path,
				    kind_name(rec->kind));
			return -ESTALE;
		}
		break;
	case REC_FD_PATH:
		if (lstat(e->path, &st))
			goto out_errno;
		return 0;
	case REC_FD_DELETED: {
		char *dir = strdup(e->path), *slash;

		if (!dir)
			return -ENOMEM;
		slash = strrchr(dir, '/');
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
		err = stat(dir, &st) ? -errno : S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
		if (err)
			sudcr_error("cannot restore fd %d (%s (deleted)): its directory %s: %s",
				    rec->fd, e->path, dir, strerror(-err));
		free(dir);
		return err;
	}
	default:
		return 0;
	}
	if (rec->kind == REC_FD_REG && (uint64_t)st.st_size != rec->size) {
		sudcr_error("cannot restore fd %d (%s): file size changed %llu -> %llu", rec->fd,
			    e->path, (unsigned long long)rec->size, (unsigned long long)st.st_size);
		return -ESTALE;
	}
	if (rec->kind == REC_FD_REG &&
	    (st.st_mtim.tv_sec != rec->mtime_sec || st.st_mtim.tv_nsec != rec->mtime_nsec))
		sudcr_warn("fd %d (%s): file modified since the dump (same size)", rec->fd, e->path);
	if (rec->kind == REC_FD_CHR && st.st_rdev != rec->rdev) {
		sudcr_error("cannot restore fd %d (%s): now another device", rec->fd, e->path);
		return -ESTALE;
	}
	/* An image made before --shell-job meant the job's terminal: never by path. */
	if (rec->kind == REC_FD_CHR && rf_is_tty_rdev(rec->rdev)) {
		sudcr_error("cannot restore fd %d (%s): a terminal, which by its path may now be someone else's; dump with --shell-job and restore with --shell-job",
			    rec->fd, e->path);
		return -EPERM;
	}
	return 0;
out_errno:
	err = -errno;
	sudcr_error("cannot restore fd %d (%s): %s", rec->fd, e->path, strerror(-err));
	return err;
}

void restore_files_free(struct restore_ctx *r)
{
	struct restore_files_state *s = r->files_state;

	if (!s)
		return;
	rf_tty_free(s);
	for (int i = 0; i < s->nr; i++)
		free(s->fds[i].path);
	free(s->fds);
	free(s->data);
	free(s->qs);
	free(s->locks);
	free(s);
	r->files_state = NULL;
}

int restore_files_prepare(struct restore_ctx *r)
{
	struct restore_files_state *s;
	int ret;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->max_fd = -1;
	s->tty_fd = -1;
	r->files_state = s;
	ret = read_records(r, s);
	if (ret)
		goto out_free;
	if (s->inherit && !r->opts.shell_job) {
		sudcr_error("the image was dumped with --shell-job (stdio from the caller): restore needs --shell-job too");
		ret = -EINVAL;
		goto out_free;
	}
	for (int i = 0; i < s->nr; i++)
		rf_mark_own_proc(r, &s->fds[i]);
	ret = rf_outside_prepare(r, s);
	if (!ret)
		ret = rf_refuse_watched_later(s);
	if (ret)
		goto out_free;
	return 0;
out_free:
	restore_files_free(r);
	return ret;
}

/* After the image is known to be valid and its PID free: the files it names are still there. */
int restore_files_check(struct restore_ctx *r)
{
	struct restore_files_state *s = r->files_state;

	for (int i = 0; i < s->nr; i++) {
		int ret = check_file(s, i);

		if (ret)
			return ret;
	}
	return 0;
}

/* ---- in the stub ---- */

/* The stub's log goes to sudcr through its report pipe (restore.c), whatever fd 2 is. */
void rf_stub_die(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sudcr_error("%s", msg);
	_exit(1);
}

static int write_all(int fd, const void *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		buf = (const char *)buf + n;
		len -= n;
	}
	return 0;
}

static int pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	while (len) {
		ssize_t n = pwrite(fd, buf, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		buf = (const char *)buf + n;
		len -= n;
		off += n;
	}
	return 0;
}

/* "WHAT: strerror(errno)", errno read before anything else runs. */
static void __attribute__((noreturn)) rf_die_errno(const char *what)
{
	int err = errno;

	rf_stub_die("%s: %s", what, strerror(err));
}

void rf_die_fd(const struct rf_fd *e, const char *what, int err)
{
	rf_stub_die("cannot restore fd %d (%s): %s: %s", e->rec->fd, e->path, what, strerror(err));
}

static void put_data(struct restore_files_state *s, struct rf_fd *o, int fd, bool stream)
{
	for (int k = 0; k < o->nr_data; k++) {
		const struct rf_data *dd = &s->data[o->data + k];
		int ret = stream ? write_all(fd, dd->bytes, dd->rec->len) :
				   pwrite_all(fd, dd->bytes, dd->rec->len, dd->rec->offset);

		if (ret)
			rf_die_fd(o, "writing its data", -ret);
	}
}

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

/* Owner, mode and contents of a new memfd or deleted file. */
void rf_fill_file(struct restore_files_state *s, struct rf_fd *o, int fd)
{
	const struct rec_fd *rec = o->rec;

	if (ftruncate(fd, (off_t)rec->size))
		rf_die_fd(o, "ftruncate", errno);
	put_data(s, o, fd, false);
	if (fchown(fd, rec->uid, rec->gid))
		rf_die_fd(o, "fchown", errno);
	if (fchmod(fd, rec->mode & 07777))
		rf_die_fd(o, "fchmod", errno);
}

static int create_deleted(struct rf_fd *o)
{
	char *dir, *slash;
	int fd;

	fd = open(o->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd >= 0) {
		if (unlink(o->path)) {
			int err = errno;

			close(fd);
			rf_die_fd(o, "unlink", err);
		}
		return fd;
	}
	/* The name is taken (or the directory takes no new names): a nameless file there. */
	dir = strdup(o->path);
	if (!dir)
		rf_die_fd(o, "strdup", ENOMEM);
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		rf_die_fd(o, "cannot create it again (O_TMPFILE)", errno);
	free(dir);
	return fd;
}

static int reopen(int fd, int flags);

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
	w = reopen(o->inherit_src, O_WRONLY | O_NONBLOCK);
	if (w < 0)
		rf_die_fd(o, "opening the pipe of --inherit-fd to write its buffered bytes", errno);
	if (ioctl(w, FIONREAD, &n) || n)
		rf_stub_die("cannot restore fd %d (%s): the pipe of --inherit-fd already holds %d bytes, and the %llu buffered at the dump must come first",
			    o->rec->fd, o->path, n, (unsigned long long)o->rec->size);
	put_data(s, o, w, true);
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

/* Make the object whose first fd is @o, kept in o->hold until every description has it. */
static void create_object(struct restore_files_state *s, struct rf_fd *o)
{
	const struct rec_fd *rec = o->rec;

	switch (rec->kind) {
	case REC_FD_PIPE: {
		/* Packet mode can only be set at creation; F_SETFL clears it where not wanted. */
		int direct = 0;

		if (o->inherit_src >= 0) {
			inherit_pipe_data(s, o);
			break;
		}
		for (int i = 0; i < s->nr; i++)
			if (&s->fds[s->fds[i].obj] == o)
				direct |= s->fds[i].rec->flags & O_DIRECT;
		if (pipe2(o->hold, O_CLOEXEC | O_NONBLOCK | direct))
			rf_die_fd(o, "pipe2", errno);
		set_pipe_size(o, o->hold[1]);
		put_data(s, o, o->hold[1], true);
		break;
	}
	case REC_FD_FIFO:
		/* A reader and writer both, so that no open of it blocks. */
		o->hold[0] = open(o->path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (o->hold[0] < 0)
			rf_die_fd(o, "open", errno);
		set_pipe_size(o, o->hold[0]);
		if (!fifo_kept_data(o))
			put_data(s, o, o->hold[0], true);
		break;
	case REC_FD_MEMFD:
		o->hold[0] = memfd_open(s, o);
		break;
	case REC_FD_DELETED: {
		const struct timespec ts[2] = {
			{ o->times->atime_sec, o->times->atime_nsec },
			{ o->times->mtime_sec, o->times->mtime_nsec },
		};

		o->hold[0] = create_deleted(o);
		rf_fill_file(s, o, o->hold[0]);
		/* Last: writing the contents set the times to now. */
		if (futimens(o->hold[0], ts))
			rf_die_fd(o, "futimens", errno);
		break;
	}
	case REC_FD_UNIX:
		rf_unix_create_pair(s, o);
		break;
	}
}

static int reopen(int fd, int flags)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return open(path, flags | O_CLOEXEC);
}

/* Make the description of entry @i and stage it at or above @hi. */
static void stage_desc(struct restore_files_state *s, int i, int hi)
{
	struct rf_fd *e = &s->fds[i], *o = &s->fds[e->obj];
	const struct rec_fd *rec = e->rec;
	int oflags = rec->flags & OPEN_FLAGS, t = -1;
	uint32_t acc = rec->flags & O_ACCMODE;
	bool own = true;	/* t is ours to close once staged */

	if (has_objects(rec->kind) && e->obj == i) {
		create_object(s, o);
		/* A tree's descendants open it again (lib/restore/tree.c): a read end stays. */
		if (o->tree_keep && rec->kind == REC_FD_PIPE &&
		    (*o->tree_keep = fcntl(o->hold[0], F_DUPFD_CLOEXEC, hi)) < 0)
			rf_die_fd(o, "F_DUPFD of the pipe for the child processes", errno);
	}

	switch (e->proc_later ? 0 : rec->kind) {
	case 0:
		/* Holds the number until the thread exists (restore_files()). */
		t = open(rec->kind == REC_FD_DIR ? "/" : "/dev/null",
			 (rec->kind == REC_FD_DIR ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
		break;
	case REC_FD_REG:
		t = open(e->path, oflags | O_CLOEXEC);
		break;
	case REC_FD_DIR:
		t = open(e->path, oflags | O_DIRECTORY | O_CLOEXEC);
		break;
	case REC_FD_CHR:
		/* The controlling terminal is session state, not the fd's. */
		t = open(e->path, oflags | O_NOCTTY | O_CLOEXEC);
		break;
	case REC_FD_PATH:
		t = open(e->path, O_PATH | O_CLOEXEC | (rec->flags & (O_NOFOLLOW | O_DIRECTORY)));
		break;
	case REC_FD_FIFO:
		t = open(e->path, oflags | O_NONBLOCK | O_CLOEXEC);
		break;
	case REC_FD_INHERIT:
		if (rec->fd == rec->inherit_fd) {
			if (fcntl(rec->fd, F_GETFD) < 0)
				rf_stub_die("--shell-job: fd %d of sudcr restore is not open, the process needs it",
					 rec->fd);
			e->src = rec->fd;
			return;
		}
		/* Another open of the caller's terminal (or file). */
		t = reopen(rec->inherit_fd, oflags | O_NOCTTY);
		break;
	case REC_FD_TTY:
		/* The job's terminal: sudcr restore's, a new open with the fd's own flags. */
		t = reopen(s->tty_fd, oflags | O_NOCTTY);
		break;
	case REC_FD_EVENTFD:
		t = eventfd_open(e);
		break;
	case REC_FD_TIMERFD:
		t = timerfd_open(e);
		break;
	case REC_FD_EPOLL:
		t = epoll_create1(EPOLL_CLOEXEC);
		break;
	case REC_FD_SIGNALFD:
		t = signalfd_open(e);
		break;
	case REC_FD_PIPE: {
		int end = acc == O_WRONLY ? 1 : 0;

		if (o->inherit_src >= 0) {
			t = reopen(o->inherit_src, oflags);
		} else if (acc != O_RDWR && !o->used[end]) {
			o->used[end] = true;
			t = o->hold[end];
			own = false;
		} else {
			t = reopen(o->hold[end], oflags);
		}
		break;
	}
	case REC_FD_MEMFD:
		/*
		 * The description memfd_create() made is no writer of the
		 * inode, an open of /proc/self/fd/N is (execveat of it then
		 * fails with ETXTBSY): the first read-write one is that.
		 */
		if (acc == O_RDWR && !o->used[0]) {
			o->used[0] = true;
			t = o->hold[0];
			own = false;
		} else {
			t = reopen(o->hold[0], oflags);
		}
		break;
	case REC_FD_DELETED:
		t = reopen(o->hold[0], oflags);
		break;
	case REC_FD_UNIX:
		/* A socket has one description: each end's is the one socketpair made. */
		t = o->hold[e->obj == i ? 0 : 1];
		own = false;
		break;
	}
	if (t < 0)
		rf_die_fd(e, "open", errno);
	e->src = fcntl(t, F_DUPFD_CLOEXEC, hi);
	if (e->src < 0)
		rf_die_fd(e, "F_DUPFD", errno);
	if (own)
		close(t);

	if (rec->kind != REC_FD_PATH) {
		int cur = fcntl(e->src, F_GETFL), want;

		if (cur < 0)
			rf_die_fd(e, "F_GETFL", errno);
		want = (cur & ~SETFL_FLAGS) | (rec->flags & SETFL_FLAGS);
		if (want != cur && fcntl(e->src, F_SETFL, want))
			rf_die_fd(e, "F_SETFL", errno);
	}
	if ((rec->kind == REC_FD_REG || rec->kind == REC_FD_DIR || rec->kind == REC_FD_MEMFD ||
	     rec->kind == REC_FD_DELETED) && rec->pos && !e->proc_later &&
	    lseek(e->src, (off_t)rec->pos, SEEK_SET) != (off_t)rec->pos)
		rf_die_fd(e, "lseek", errno);
}

/* Seal memfds, drop what was held to make further descriptions. */
static void finish_object(struct rf_fd *o)
{
	if (o->rec->kind == REC_FD_MEMFD)
		memfd_seal(o);
	for (int k = 0; k < 2; k++)
		if (o->hold[k] >= 0)
			close(o->hold[k]);
	o->hold[0] = o->hold[1] = -1;
}

/* Room under RLIMIT_NOFILE for @need fds: the image's and the staged copies. */
static void raise_nofile(int need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		rf_die_errno("getrlimit");
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)need) {
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < (rlim_t)need)
			rf_stub_die("the process needs %d fds, RLIMIT_NOFILE of sudcr allows %llu",
				 need, (unsigned long long)rl.rlim_max);
		rl.rlim_cur = need;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			rf_die_errno("setrlimit(RLIMIT_NOFILE)");
	}
}

/*
 * A process of a tree: the fd of the parent's that the description of
 * entry @i is, inherited through the fork of this stub (lib/restore/tree.c),
 * or -1.
 */
static int tree_parent_fd(const struct restore_ctx *r, const struct restore_files_state *s, int i)
{
	for (int k = 0; k < r->nr_tree_fds; k++)
		for (int j = i; j < s->nr; j++)
			if (s->fds[j].desc == i && s->fds[j].rec->fd == r->tree_fds[k].fd)
				return r->tree_fds[k].parent_fd;
	return -1;
}

/* The parent's description, staged as stage_desc() would: shared, nothing to set. */
static void stage_inherited(struct rf_fd *e, int parent_fd, int hi)
{
	e->src = fcntl(parent_fd, F_DUPFD_CLOEXEC, hi);
	if (e->src < 0)
		rf_die_fd(e, "the parent's fd: F_DUPFD", errno);
	e->tree_inherited = true;
}

int restore_files_in_stub(struct restore_ctx *r)
{
	struct restore_files_state *s = r->files_state;
	int hi, nr_desc = 0, nr_kept = 0, *kept;
	unsigned int lo;

	if (!s || r->nr_keep_fds < 0 || r->nr_keep_fds > 4)
		rf_stub_die("files: bad restore state");
	/* F_DUPFD skips the driver's fds; they must only not be numbers the image uses. */
	for (int k = 0; k < r->nr_keep_fds; k++)
		if (r->keep_fds[k] < 0 || rf_find_fd(s, r->keep_fds[k]) >= 0)
			rf_stub_die("internal: sudcr's fd %d is one the process uses", r->keep_fds[k]);
	hi = s->max_fd + 1 > 3 ? s->max_fd + 1 : 3;
	for (int i = 0; i < s->nr; i++)
		if (s->fds[i].desc == i)
			nr_desc++;
	raise_nofile(hi + nr_desc + r->nr_keep_fds + 8);

	/* 1. Every description, above every number the image uses. */
	for (int i = 0; i < s->nr; i++) {
		int pfd = s->fds[i].desc == i ? tree_parent_fd(r, s, i) : -1;

		if (pfd >= 0)
			stage_inherited(&s->fds[i], pfd, hi);
		else if (s->fds[i].desc == i)
			stage_desc(s, i, hi);
	}
	for (int i = 0; i < s->nr; i++)
		if (s->fds[i].obj == i && has_objects(s->fds[i].rec->kind) && !s->fds[i].tree_inherited)
			finish_object(&s->fds[i]);

	/* 2. Nothing else stays open: stray fds of sudcr's are no business of the process. */
	kept = malloc(sizeof(int) * (nr_desc + r->nr_keep_fds + r->nr_tree_keep + 1));
	if (!kept)
		rf_stub_die("out of memory");
	for (int i = 0; i < s->nr; i++)
		if (s->fds[i].desc == i)
			kept[nr_kept++] = s->fds[i].src;
	for (int k = 0; k < r->nr_keep_fds; k++)
		kept[nr_kept++] = r->keep_fds[k];
	for (int k = 0; k < r->nr_tree_keep; k++)
		if (r->tree_keep[k] >= 0)
			kept[nr_kept++] = r->tree_keep[k];
	qsort(kept, nr_kept, sizeof(int), rf_cmp_int);
	lo = 0;
	for (int k = 0; k <= nr_kept; k++) {
		unsigned int end = k < nr_kept ? (unsigned int)kept[k] : ~0U;

		if (end > lo && close_range(lo, end - 1, 0))
			rf_die_errno("close_range");
		if (k < nr_kept)
			lo = (unsigned int)kept[k] + 1;
	}
	free(kept);

	/* 3. Each fd at its number. */
	for (int i = 0; i < s->nr; i++) {
		struct rf_fd *e = &s->fds[i];
		int src = s->fds[e->desc].src;

		if (src != e->rec->fd && dup2(src, e->rec->fd) < 0)
			rf_die_fd(e, "dup2", errno);
	}
	for (int i = 0; i < s->nr; i++)
		if (s->fds[i].desc == i && s->fds[i].src > s->max_fd)
			close(s->fds[i].src);
	for (int i = 0; i < s->nr; i++) {
		const struct rec_fd *rec = s->fds[i].rec;

		if (fcntl(rec->fd, F_SETFD, (int)(rec->fd_flags & FD_CLOEXEC)))
			rf_die_fd(&s->fds[i], "F_SETFD", errno);
	}

	/* 4. What each epoll watches: the files at their numbers. */
	for (int i = 0; i < s->nr; i++)
		if (s->fds[i].epoll && !s->fds[i].tree_inherited)
			epoll_fill(&s->fds[i]);

	/* 5. The file locks, every fd being where it stays. */
	rf_take_locks(s);
	return 0;
}

/* ---- injected ---- */

int files_inject(struct cr_thread *th, const struct rf_fd *e, const char *what, long nr,
		 uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	int64_t v;
	int ret = cr_inject(th, nr, &v, a0, a1, a2, a3, 0, 0);

	if (ret)
		return ret;
	if (v < 0) {
		sudcr_error("cannot restore fd %d (%s): %s: %s%s", e->rec->fd, kind_name(e->rec->kind),
			    what, strerror((int)-v), v == -ENOTTY && nr == SYS_ioctl ?
			    " (TFD_IOC_SET_TICKS needs a kernel with CONFIG_CHECKPOINT_RESTORE)" : "");
		return (int)v;
	}
	return 0;
}

int files_write(struct cr_thread *th, uint64_t addr, const void *buf, size_t len)
{
	int ret = inject_write_mem(th->tid, addr, buf, len);

	if (ret)
		sudcr_error("thread %d: cannot write to its scratch area: %s", th->tid,
			    strerror(-ret));
	return ret;
}

void restore_files_undo(struct restore_ctx *r)
{
	if (r->files_state)
		rf_tty_undo(r->files_state);
}

int restore_files(struct restore_ctx *r)
{
	struct restore_files_state *s = r->files_state;
	struct cr_thread *th = NULL;
	uint64_t scratch = 0;
	int ret;

	ret = rf_check_locks(r->pid, s);
	if (!ret)
		ret = rf_tty_apply(s);
	if (ret)
		return ret;
	ret = rf_reopen_own_proc(r, s);
	if (ret)
		return ret;
	/* Everything else was done in the stub, before the memory was replaced. */
	for (int i = 0; i < s->nr; i++) {
		const struct rf_fd *e = &s->fds[i];

		if (!e->timer || !timerfd_armed(e->timer))
			continue;
		if (!th) {
			for (int k = 0; k < r->tp.nr_threads && !th; k++)
				if (r->cthreads[k].tid == r->proc.pid)
					th = &r->cthreads[k];
			if (!th) {
				sudcr_error("thread %d of the image is missing in the new process",
					    r->proc.pid);
				return -ESRCH;
			}
			ret = cr_scratch(th, 64, &scratch);
			if (ret)
				return ret;
		}
		ret = timerfd_arm(r, th, e, scratch);
		if (ret)
			return ret;
	}
	return 0;
}
