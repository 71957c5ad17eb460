// SPDX-License-Identifier: MIT
/*
 * The deleted file fd kind (REC_FD_DELETED): a regular file whose name is
 * gone ("/dir/name (deleted)"), not a memfd (memfd.c).  Its contents are
 * kept in IMG_REC_FILE_DATA records (holes skipped) after the record of
 * its lowest fd, its atime and mtime in an IMG_REC_FILE_TIMES record.
 *
 * The restore makes it again where it was: created under its old name
 * (O_EXCL) and unlinked at once, so /proc/PID/fd shows the same
 * "/dir/name (deleted)".  If that name is taken by a new file meanwhile,
 * an O_TMPFILE in the same directory stands in (shown as "/dir/#ino").
 * Its content, owner, mode, atime and mtime are those of the dump.  An
 * O_PATH fd on such a file is of this kind too (opath.c leaves it here).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image.h"
#include <sudcr/log.h>

#include "fd.h"
#include "fd_dump.h"
#include "files.h"

/* ---- dump ---- */

/* After memfd.c, which takes the deleted "/memfd:" files on tmpfs. */
static int deleted_recognise(struct files_dump *f, struct dump_fd *x)
{
	(void)f;
	return x->is_path && S_ISREG(x->st.st_mode) && x->deleted ? FD_MINE : FD_NOT_MINE;
}

static int deleted_fill(struct files_dump *f, int i, struct rec_fd *rec)
{
	(void)rec;
	return f->x[i].obj == i ? fd_dump_open_contents(f, &f->x[i]) : 0;
}

static int deleted_dump(struct files_dump *f, int i)
{
	struct dump_fd *x = &f->x[i];
	int ret;

	if (x->rfd < 0)
		return 0;
	ret = fd_dump_contents(f, x);
	if (!ret) {
		/* As stat saw them before the contents were read (O_NOATIME or not). */
		struct rec_file_times t = {
			.fd = x->p->fd,
			.atime_sec = x->st.st_atim.tv_sec, .atime_nsec = x->st.st_atim.tv_nsec,
			.mtime_sec = x->st.st_mtim.tv_sec, .mtime_nsec = x->st.st_mtim.tv_nsec,
		};

		ret = img_write_record(f->d->img, IMG_REC_FILE_TIMES, &t, sizeof(t));
	}
	return ret;
}

/* ---- restore ---- */

static int deleted_check(struct restore_ctx *r, const struct rec_fd *rec, const char *path)
{
	(void)path;
	if (rec->size > INT64_MAX)
		return img_record_invalid(r->img, "fd %d: bad size", rec->fd);
	return 0;
}

/* The times of a deleted file, after its fd record. */
static int deleted_check_record(struct restore_ctx *r, struct restore_files_state *s,
				uint32_t type, const void *data, size_t len)
{
	const struct rec_file_times *t = data;
	int i;

	(void)type;
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

/* Its object has its times. */
static int deleted_check_table(struct restore_files_state *s, int i)
{
	if (s->fds[i].obj == i && !s->fds[i].times) {
		sudcr_error("image: fd %d (deleted file): no file times record", s->fds[i].rec->fd);
		return -EINVAL;
	}
	return 0;
}

/* Its directory is still there, to make it again in. */
static int deleted_check_file(struct restore_files_state *s, int i)
{
	const struct rf_fd *e = &s->fds[i];
	const struct rec_fd *rec = e->rec;
	struct stat st;
	int err;
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

/* ---- in the stub ---- */

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

static void deleted_create(struct restore_files_state *s, struct rf_fd *o)
{
	const struct timespec ts[2] = {
		{ o->times->atime_sec, o->times->atime_nsec },
		{ o->times->mtime_sec, o->times->mtime_nsec },
	};

	o->hold[0] = create_deleted(o);
	rf_fill_file(s, o, o->hold[0]);
	/* Last: writing the contents set the times to now. */
	if (futimens(o->hold[0], ts))
		rf_die_fd(o, "futimens", errno);
}

static int deleted_open(struct restore_files_state *s, int i, bool *own)
{
	const struct rf_fd *e = &s->fds[i];

	(void)own;
	return rf_reopen_or_path(e, s->fds[e->obj].hold[0], (int)(e->rec->flags & RF_OPEN_FLAGS));
}

const struct fd_kind fd_kind_deleted = {
	.kind = REC_FD_DELETED,
	.name = "deleted file",
	.show_name = "deleted-file",
	.flags = FD_KIND_OBJECT | FD_KIND_ABS_PATH | FD_KIND_SEEK,
	.records = { IMG_REC_FILE_TIMES },
	.recognise = deleted_recognise,
	.fill = deleted_fill,
	.dump = deleted_dump,
	.check_fd = deleted_check,
	.check_record = deleted_check_record,
	.check_table = deleted_check_table,
	.check_file = deleted_check_file,
	.create = deleted_create,
	.open = deleted_open,
};
