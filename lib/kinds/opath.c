// SPDX-License-Identifier: MIT
/*
 * The O_PATH fd kind (REC_FD_PATH): a descriptor that only names a file
 * (open(2) with O_PATH), whatever the file is.  Opened again by its path
 * with O_PATH (and O_NOFOLLOW, O_DIRECTORY as it had); it holds no locks
 * and has no status flags to set.  One of a removed regular file,
 * directory or mem device node is of their kinds (rf_reopen_path()), one
 * of a removed symlink or FIFO of deleted_node.c; of anything else
 * removed (a socket file), refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <sudcr/log.h>

#include "fd.h"
#include "fd_dump.h"
#include "files.h"

/* ---- dump ---- */

/*
 * Asked before the kinds of the files it may name.  One that names a
 * removed regular file, directory or mem device node is left to the kind
 * that makes those again (deleted.c, deleted_dir.c, chardev.c), whose
 * open makes it an O_PATH descriptor of what it made.
 */
static int path_recognise(struct files_dump *f, struct dump_fd *x)
{
	mode_t t = x->st.st_mode & S_IFMT;

	(void)f;
	if (!x->is_path || !(x->p->flags & O_PATH))
		return FD_NOT_MINE;
	if (!x->deleted)
		return FD_MINE;
	if ((t == S_IFREG && strncmp(x->path, "/memfd:", 7)) || t == S_IFDIR ||
	    (t == S_IFCHR && fd_chr_supported(x->st.st_rdev) && major(x->st.st_rdev) == 1))
		return FD_NOT_MINE;
	x->what = "O_PATH descriptor of a deleted file";
	return FD_REFUSED;
}

/* ---- restore ---- */

/* What it names is there (lstat: a symlink itself, with O_NOFOLLOW). */
static int path_check_file(struct restore_files_state *s, int i)
{
	const struct rf_fd *e = &s->fds[i];
	struct stat st;
	int err;

	if (!lstat(e->path, &st))
		return 0;
	err = -errno;
	sudcr_error("cannot restore fd %d (%s): %s", e->rec->fd, e->path, strerror(-err));
	return err;
}

static int path_open(struct restore_files_state *s, int i, bool *own)
{
	const struct rf_fd *e = &s->fds[i];

	(void)own;
	return open(e->path, O_PATH | O_CLOEXEC | (int)(e->rec->flags & (O_NOFOLLOW | O_DIRECTORY)));
}

const struct fd_kind fd_kind_path = {
	.kind = REC_FD_PATH,
	.name = "O_PATH fd",
	.show_name = "o-path",
	.flags = FD_KIND_ABS_PATH | FD_KIND_NO_SETFL,
	.no_locks = "an O_PATH fd",
	.recognise = path_recognise,
	.check_file = path_check_file,
	.open = path_open,
};
