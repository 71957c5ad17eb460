// SPDX-License-Identifier: MIT
/*
 * The regular file fd kind (REC_FD_REG): a file that still has its name.
 * The FD record keeps its path, size and mtime; the restore opens the path
 * again (the size must be the same, a changed mtime is warned of) and sets
 * the position.
 */
#include <errno.h>
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

const struct fd_kind fd_kind_reg = {
	.kind = REC_FD_REG,
	.name = "regular file",
	.show_name = "file",
	.flags = FD_KIND_ABS_PATH | FD_KIND_SEEK,
	.recognise = reg_recognise,
};
