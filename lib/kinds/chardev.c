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

/* ---- restore ---- */

static int chr_check_file(struct restore_files_state *s, int i)
{
	const struct rf_fd *e = &s->fds[i];
	const struct rec_fd *rec = e->rec;
	struct stat st;
	int ret = rf_stat_same_type(e, &st);

	if (ret)
		return ret;
	if (st.st_rdev != rec->rdev) {
		sudcr_error("cannot restore fd %d (%s): now another device", rec->fd, e->path);
		return -ESTALE;
	}
	/* An image made before --shell-job meant the job's terminal: never by path. */
	if (rf_is_tty_rdev(rec->rdev)) {
		sudcr_error("cannot restore fd %d (%s): a terminal, which by its path may now be someone else's; dump with --shell-job and restore with --shell-job",
			    rec->fd, e->path);
		return -EPERM;
	}
	return 0;
}

static int chr_open(struct restore_files_state *s, int i, bool *own)
{
	const struct rf_fd *e = &s->fds[i];

	(void)own;
	/* The controlling terminal is session state, not the fd's. */
	return open(e->path, (int)(e->rec->flags & RF_OPEN_FLAGS) | O_NOCTTY | O_CLOEXEC);
}

const struct fd_kind fd_kind_chr = {
	.kind = REC_FD_CHR,
	.name = "character device",
	.show_name = "chardev",
	.flags = FD_KIND_ABS_PATH,
	.recognise = chr_recognise,
	.check_file = chr_check_file,
	.open = chr_open,
};
