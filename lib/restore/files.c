// SPDX-License-Identifier: MIT
/*
 * Restore of the file descriptor table.  This is the driver: it reads and
 * checks the records, and has each fd's kind (lib/kinds/fd.c's table)
 * validate, check, make and fill its fds, in the order below.  What a
 * kind keeps and how it is made again is in its file, lib/kinds/NAME.c.
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
 *  4. the kinds' fill-in once every fd is at its number (each epoll's
 *     watch list: EPOLL_CTL_ADD on the fds at their numbers, which is
 *     what the kernel keys an entry by, see lib/kinds/epoll.c);
 *  5. take the file locks again (lib/kinds/locks.c).
 * What a kind finishes by injection (armed timerfds) is done later
 * (restore_files()), when the process is about to run.
 * Errors in any step end the stub with one message, which reaches sudcr
 * through the stub's report pipe (lib/restore/restore.c), not fd 2.
 *
 * Objects shared by several descriptions (the two ends of a pipe, opens of
 * one memfd or deleted file) are made once; further descriptions of them
 * are new opens of /proc/self/fd/N, as the originals were.
 *
 * The job's terminal (REC_FD_TTY, --shell-job) is described in
 * lib/kinds/tty.c, pipes with an end outside the process (--inherit-fd)
 * in lib/kinds/pipe.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cr.h"
#include "kernel_compat.h"
#include <sudcr/log.h>

#include "../kinds/changed.h"
#include "../kinds/fd.h"
#include "../kinds/files.h"

#define KNOWN_FLAGS	(RF_OPEN_FLAGS | RF_SETFL_FLAGS | O_PATH | O_DIRECTORY | O_NOFOLLOW | \
			 O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | __O_TMPFILE)

static const char *kind_name(uint32_t kind)
{
	const struct fd_kind *k = fd_kind(kind);

	return k ? k->name : NULL;
}

static bool has_objects(uint32_t kind)
{
	const struct fd_kind *k = fd_kind(kind);

	return k && (k->flags & FD_KIND_OBJECT);
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
	const struct fd_kind *k;
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
	k = fd_kind(rec->kind);
	if (!k)
		return img_record_invalid(r->img, "fd %d: unknown kind %u", rec->fd, rec->kind);
	if (rec->flags & ~(uint32_t)KNOWN_FLAGS || rec->fd_flags & ~(uint32_t)FD_CLOEXEC)
		return img_record_invalid(r->img, "fd %d: unknown flags", rec->fd);
	if (rec->desc < 0 || rec->desc > rec->fd || rec->obj < 0 || rec->obj > rec->fd)
		return img_record_invalid(r->img, "fd %d: bad description or object", rec->fd);
	if (k->flags & FD_KIND_INHERIT_FD ? rec->inherit_fd < 0 || rec->inherit_fd > 2 :
					    rec->inherit_fd != -1)
		return img_record_invalid(r->img, "fd %d: bad inherited fd", rec->fd);
	/* The fields a kind owns are 0 in the records of the others. */
	if (!(k->flags & FD_KIND_XFLAGS) && rec->xflags)
		return img_record_invalid(r->img, "fd %d: bad eventfd state", rec->fd);
	if (!(k->flags & FD_KIND_PIPE_SIZE) && rec->pipe_size)
		return img_record_invalid(r->img, "fd %d: bad pipe size", rec->fd);
	if (!(k->flags & FD_KIND_SEALS) && rec->seals)
		return img_record_invalid(r->img, "fd %d: bad memfd", rec->fd);
	if (k->check_fd) {
		ret = k->check_fd(r, rec, path);
		if (ret)
			return ret;
	}
	if ((k->flags & FD_KIND_ABS_PATH) && (rec->path_len == 0 || path[0] != '/'))
		return img_record_invalid(r->img, "fd %d: path is not absolute", rec->fd);

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
	if (k->check) {
		ret = k->check(r, s, s->nr - 1);
		if (ret)
			return ret;
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

static int read_records(struct restore_ctx *r, struct restore_files_state *s)
{
	const void *data;
	uint32_t type;
	size_t len;
	int ret;

	img_rewind(r->img);
	while ((ret = img_next_record(r->img, &type, &data, &len)) == 1) {
		const struct fd_kind *k;

		if (type == IMG_REC_FD) {
			ret = check_fd_rec(r, s, data, len);
		} else if (type == IMG_REC_FILE_DATA) {
			ret = check_data_rec(r, s, data, len);
		} else if (type == IMG_REC_LOCK) {
			ret = rf_lock_rec(r, s, data, len);
		} else if (type == IMG_REC_FD_OWN) {
			ret = rf_fown_rec(r, s, data, len);
		} else {
			k = fd_kind_of_record(type);
			if (!k)
				continue;
			ret = k->check_record(r, s, type, data, len);
		}
		if (ret)
			return ret;
	}
	if (ret)
		return ret;
	for (int i = 0; i < s->nr; i++) {
		const struct fd_kind *k = fd_kind(s->fds[i].rec->kind);

		if (k->check_table) {
			ret = k->check_table(s, i);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* A file fd @e names by its path is still there and of the same type; one clear error if not. */
int rf_stat_same_type(const struct rf_fd *e, struct stat *st)
{
	int err;

	if (stat(e->path, st)) {
		err = -errno;
		sudcr_error("cannot restore fd %d (%s): %s", e->rec->fd, e->path, strerror(-err));
		return err;
	}
	if ((st->st_mode & S_IFMT) != (e->rec->mode & S_IFMT)) {
		sudcr_error("cannot restore fd %d (%s): no longer a %s", e->rec->fd, e->path,
			    kind_name(e->rec->kind));
		return -ESTALE;
	}
	return 0;
}

/* The file @e names must still be what it was; one clear error if not. */
static int check_file(struct restore_files_state *s, int i)
{
	struct rf_fd *e = &s->fds[i];
	const struct fd_kind *k = fd_kind(e->rec->kind);

	if (e->desc != i || e->proc_tid)
		return 0;	/* own /proc files exist once the process does */
	return k->check_file ? k->check_file(s, i) : 0;
}

void restore_files_free(struct restore_ctx *r)
{
	struct restore_files_state *s = r->files_state;

	if (!s)
		return;
	rf_tty_free(s);
	for (int i = 0; i < s->nr; i++) {
		const struct fd_kind *k = fd_kind(s->fds[i].rec->kind);

		if (k && k->release)
			k->release(&s->fds[i]);
		free(s->fds[i].path);
	}
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
	for (int k = 0; !ret && fd_kinds_order[k]; k++)
		if (fd_kinds_order[k]->prepare)
			ret = fd_kinds_order[k]->prepare(r, s);
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

	s->stamped = file_stamps_in_image(r);
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

void rf_put_data(struct restore_files_state *s, struct rf_fd *o, int fd, bool stream)
{
	for (int k = 0; k < o->nr_data; k++) {
		const struct rf_data *dd = &s->data[o->data + k];
		int ret = stream ? write_all(fd, dd->bytes, dd->rec->len) :
				   pwrite_all(fd, dd->bytes, dd->rec->len, dd->rec->offset);

		if (ret)
			rf_die_fd(o, "writing its data", -ret);
	}
}

/* Owner, mode and contents of a new memfd or deleted file. */
void rf_fill_file(struct restore_files_state *s, struct rf_fd *o, int fd)
{
	const struct rec_fd *rec = o->rec;

	if (ftruncate(fd, (off_t)rec->size))
		rf_die_fd(o, "ftruncate", errno);
	rf_put_data(s, o, fd, false);
	if (fchown(fd, rec->uid, rec->gid))
		rf_die_fd(o, "fchown", errno);
	if (fchmod(fd, rec->mode & 07777))
		rf_die_fd(o, "fchmod", errno);
}

int rf_reopen(int fd, int flags)
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
	const struct fd_kind *k = fd_kind(rec->kind);
	bool own = true;	/* t is ours to close once staged */
	int t;

	if ((k->flags & FD_KIND_OBJECT) && e->obj == i) {
		k->create(s, o);
		/* A tree's descendants open it again (lib/restore/tree.c): a read end stays. */
		if (o->tree_keep && rec->kind == REC_FD_PIPE &&
		    (*o->tree_keep = fcntl(o->hold[0], F_DUPFD_CLOEXEC, hi)) < 0)
			rf_die_fd(o, "F_DUPFD of the pipe for the child processes", errno);
	}
	if (e->proc_later) {
		t = rf_proc_placeholder(e);
	} else {
		t = k->open(s, i, &own);
		if (t == FD_OPEN_IN_PLACE)
			return;
	}
	if (t < 0)
		rf_die_fd(e, "open", errno);
	e->src = fcntl(t, F_DUPFD_CLOEXEC, hi);
	if (e->src < 0)
		rf_die_fd(e, "F_DUPFD", errno);
	if (own)
		close(t);

	if (!(k->flags & FD_KIND_NO_SETFL)) {
		int cur = fcntl(e->src, F_GETFL), want;

		if (cur < 0)
			rf_die_fd(e, "F_GETFL", errno);
		/* O_ASYNC once at its fd number: its signals' si_fd (rf_set_async()). */
		want = (cur & ~RF_SETFL_FLAGS) | (rec->flags & RF_SETFL_FLAGS & ~O_ASYNC);
		if (want != cur && fcntl(e->src, F_SETFL, want))
			rf_die_fd(e, "F_SETFL", errno);
	}
	if ((k->flags & FD_KIND_SEEK) && rec->pos && !e->proc_later &&
	    lseek(e->src, (off_t)rec->pos, SEEK_SET) != (off_t)rec->pos)
		rf_die_fd(e, "lseek", errno);
}

/* Let the kind finish the object (seal a memfd), drop what was held to make descriptions. */
static void finish_object(struct rf_fd *o)
{
	const struct fd_kind *k = fd_kind(o->rec->kind);

	if (k->finish)
		k->finish(o);
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
	if (r->files_shared)
		return 0;	/* the fd table is the parent's, which set it up */
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

	rf_set_async(s);

	/* 4. What the kinds fill in once every fd is at its number: each epoll's watch list. */
	for (int i = 0; i < s->nr; i++) {
		const struct fd_kind *k = fd_kind(s->fds[i].rec->kind);

		if (k->after && (!s->fds[i].tree_inherited || (k->flags & FD_KIND_AFTER_INHERITED)))
			k->after(s, i);
	}

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

/* The thread the kinds inject into, and its scratch area, found the first time. */
int rf_late_thread(struct restore_ctx *r, struct rf_late *l)
{
	if (l->th)
		return 0;
	for (int k = 0; k < r->tp.nr_threads && !l->th; k++)
		if (r->cthreads[k].tid == r->proc.pid)
			l->th = &r->cthreads[k];
	if (!l->th) {
		sudcr_error("thread %d of the image is missing in the new process", r->proc.pid);
		return -ESRCH;
	}
	return cr_scratch(l->th, 64, &l->scratch);
}

int restore_files(struct restore_ctx *r)
{
	struct restore_files_state *s = r->files_state;
	struct rf_late l = { 0 };
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
		const struct fd_kind *k = fd_kind(s->fds[i].rec->kind);

		if (s->fds[i].own) {
			ret = rf_fown_restore(r, &s->fds[i], &l);
			if (ret)
				return ret;
		}
		if (k->late) {
			ret = k->late(r, s, i, &l);
			if (ret)
				return ret;
		}
	}
	return 0;
}
