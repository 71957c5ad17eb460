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
 * Its content, owner, mode, atime and mtime are those of the dump.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sudcr/image.h>
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

const struct fd_kind fd_kind_deleted = {
	.kind = REC_FD_DELETED,
	.name = "deleted file",
	.show_name = "deleted-file",
	.flags = FD_KIND_OBJECT | FD_KIND_ABS_PATH | FD_KIND_SEEK,
	.records = { IMG_REC_FILE_TIMES },
	.recognise = deleted_recognise,
	.fill = deleted_fill,
	.dump = deleted_dump,
};
