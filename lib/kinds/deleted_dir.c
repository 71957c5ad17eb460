// SPDX-License-Identifier: MIT
/*
 * The deleted directory fd kind (REC_FD_DELETED_DIR): a directory removed
 * while the process holds it open ("/dir/name (deleted)").  A removed
 * directory is empty and takes no new entries, so all there is to it is
 * its inode: its mode, owner and mtime (in the FD record), and which
 * descriptions share it (one object, all opens of the same inode).
 *
 * The restore makes it again where it was, in the stub: mkdir under its
 * old name, open, rmdir, so /proc/PID/fd shows the same "/dir/name
 * (deleted)"; if that name is taken meanwhile, a new directory of another
 * name in the same parent stands in (shown as "/dir/.sudcr-deleted-XXXXXX
 * (deleted)").  Every description is a new open of that one directory.
 * Its parent must still be there, at the dump and at the restore.  An
 * O_PATH fd on such a directory is of this kind too (opath.c leaves it).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sudcr/log.h>

#include "fd.h"
#include "removed.h"
#include "fd_dump.h"
#include "files.h"

/* ---- dump ---- */

/* After opath.c (O_PATH fds are its), before dir.c. */
static int deleted_dir_recognise(struct files_dump *f, struct dump_fd *x)
{
	(void)f;
	if (!x->is_path || !S_ISDIR(x->st.st_mode) || !x->deleted)
		return FD_NOT_MINE;
	if (!path_parent_is_dir(x->path))
		return FD_MINE;
	/* Its parent was removed too (after it): there is nowhere to make it again. */
	x->what = "deleted directory whose parent directory is gone too";
	return FD_REFUSED;
}

/* ---- restore ---- */

static int deleted_dir_check_file(struct restore_files_state *s, int i)
{
	const struct rf_fd *e = &s->fds[i];
	int err = path_parent_is_dir(e->path);

	if (err)
		sudcr_error("cannot restore fd %d (%s (deleted)): its parent directory: %s", e->rec->fd,
			    e->path, strerror(-err));
	return err;
}

/* ---- in the stub ---- */

static int make_and_remove(struct rf_fd *o, const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		rf_die_fd(o, "cannot open it again", errno);
	if (rmdir(path))
		rf_die_fd(o, "rmdir", errno);
	return fd;
}

static void deleted_dir_create(struct restore_files_state *s, struct rf_fd *o)
{
	const struct rec_fd *rec = o->rec;
	const struct timespec ts[2] = { { 0, UTIME_OMIT }, { rec->mtime_sec, rec->mtime_nsec } };
	int fd;

	(void)s;
	if (!mkdir(o->path, 0700)) {
		fd = make_and_remove(o, o->path);
	} else if (errno == EEXIST) {
		/* The name is taken: a directory of another name there. */
		char *dir = path_parent(o->path), *tmp = NULL;

		if (!dir || asprintf(&tmp, "%s/.sudcr-deleted-XXXXXX", strcmp(dir, "/") ? dir : "") < 0)
			rf_die_fd(o, "cannot make it again", ENOMEM);
		if (!mkdtemp(tmp))
			rf_die_fd(o, "cannot make it again (mkdtemp)", errno);
		fd = make_and_remove(o, tmp);
		free(tmp);
		free(dir);
	} else {
		rf_die_fd(o, "cannot make it again (mkdir)", errno);
	}
	if (fchown(fd, rec->uid, rec->gid))
		rf_die_fd(o, "fchown", errno);
	if (fchmod(fd, rec->mode & 07777))
		rf_die_fd(o, "fchmod", errno);
	if (futimens(fd, ts))
		rf_die_fd(o, "futimens", errno);
	o->hold[0] = fd;
}

static int deleted_dir_open(struct restore_files_state *s, int i, bool *own)
{
	const struct rf_fd *e = &s->fds[i];

	(void)own;
	return rf_reopen_or_path(e, s->fds[e->obj].hold[0], (int)(e->rec->flags & RF_OPEN_FLAGS) | O_DIRECTORY);
}

const struct fd_kind fd_kind_deleted_dir = {
	.kind = REC_FD_DELETED_DIR,
	.name = "deleted directory",
	.show_name = "deleted-dir",
	.flags = FD_KIND_OBJECT | FD_KIND_ABS_PATH | FD_KIND_SEEK,
	.recognise = deleted_dir_recognise,
	.check_file = deleted_dir_check_file,
	.create = deleted_dir_create,
	.open = deleted_dir_open,
};
