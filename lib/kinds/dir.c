// SPDX-License-Identifier: MIT
/*
 * The directory fd kind (REC_FD_DIR): opened again by its path, which
 * must still be a directory, and its position set.  A deleted directory
 * is deleted_dir.c's (asked first).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "fd.h"
#include "fd_dump.h"
#include "files.h"

/* ---- dump ---- */

static int dir_recognise(struct files_dump *f, struct dump_fd *x)
{
	(void)f;
	return x->is_path && S_ISDIR(x->st.st_mode) && !x->deleted ? FD_MINE : FD_NOT_MINE;
}

/* ---- restore ---- */

static int dir_check_file(struct restore_files_state *s, int i)
{
	struct stat st;

	return rf_stat_same_type(&s->fds[i], &st);
}

static int dir_open(struct restore_files_state *s, int i, bool *own)
{
	const struct rf_fd *e = &s->fds[i];

	(void)own;
	return open(e->path, (int)(e->rec->flags & RF_OPEN_FLAGS) | O_DIRECTORY | O_CLOEXEC);
}

const struct fd_kind fd_kind_dir = {
	.kind = REC_FD_DIR,
	.name = "directory",
	.show_name = "directory",
	.flags = FD_KIND_ABS_PATH | FD_KIND_SEEK,
	.recognise = dir_recognise,
	.check_file = dir_check_file,
	.open = dir_open,
};
