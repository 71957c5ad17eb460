// SPDX-License-Identifier: MIT
/*
 * The regular file fd kind (REC_FD_REG): a file that still has its name.
 * The FD record keeps its path, size and mtime; the restore opens the path
 * again (the size must be the same) and sets the position.  Whether the
 * file changed otherwise is changed.c's check (a changed mtime is warned
 * of here only in images of earlier versions, which lack its records).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <sudcr/log.h>

#include "fd.h"
#include "fd_dump.h"
#include "files.h"

/* ---- dump ---- */

static int reg_recognise(struct files_dump *f, struct dump_fd *x)
{
	(void)f;
	return x->is_path && S_ISREG(x->st.st_mode) && !x->deleted ? FD_MINE : FD_NOT_MINE;
}

/* ---- restore ---- */

static int reg_check_file(struct restore_files_state *s, int i)
{
	const struct rf_fd *e = &s->fds[i];
	const struct rec_fd *rec = e->rec;
	struct stat st;
	int ret = rf_stat_same_type(e, &st);

	if (ret)
		return ret;
	if ((uint64_t)st.st_size != rec->size) {
		sudcr_error("cannot restore fd %d (%s): file size changed %llu -> %llu", rec->fd,
			    e->path, (unsigned long long)rec->size, (unsigned long long)st.st_size);
		return -ESTALE;
	}
	/* An image of an earlier version: changed.c's stamps say more, once per file. */
	if (!s->stamped && (st.st_mtim.tv_sec != rec->mtime_sec || st.st_mtim.tv_nsec != rec->mtime_nsec))
		sudcr_warn("fd %d (%s): file modified since the dump (same size)", rec->fd, e->path);
	return 0;
}

static int reg_open(struct restore_files_state *s, int i, bool *own)
{
	const struct rf_fd *e = &s->fds[i];

	(void)own;
	return open(e->path, (int)(e->rec->flags & RF_OPEN_FLAGS) | O_CLOEXEC);
}

const struct fd_kind fd_kind_reg = {
	.kind = REC_FD_REG,
	.name = "regular file",
	.show_name = "file",
	.flags = FD_KIND_ABS_PATH | FD_KIND_SEEK,
	.recognise = reg_recognise,
	.check_file = reg_check_file,
	.open = reg_open,
};
