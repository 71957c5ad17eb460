// SPDX-License-Identifier: MIT
/*
 * The character device fd kind (REC_FD_CHR): the mem devices (null, zero,
 * full, random, urandom), opened again by their path, which must still be
 * the same device.  Terminals are tty.c's (asked first); other devices
 * are refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <sudcr/log.h>

#include "fd.h"
#include "fd_dump.h"
#include "files.h"

/* ---- dump ---- */

static int chr_recognise(struct files_dump *f, struct dump_fd *x)
{
	(void)f;
	if (!x->is_path || !S_ISCHR(x->st.st_mode))
		return FD_NOT_MINE;
	if (!x->deleted && fd_chr_supported(x->st.st_rdev))
		return FD_MINE;
	x->what = "character device";
	snprintf(x->detail, sizeof(x->detail), "%u:%u", major(x->st.st_rdev), minor(x->st.st_rdev));
	return FD_REFUSED;
}

const struct fd_kind fd_kind_chr = {
	.kind = REC_FD_CHR,
	.name = "character device",
	.show_name = "chardev",
	.flags = FD_KIND_ABS_PATH,
	.recognise = chr_recognise,
};
