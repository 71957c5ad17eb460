// SPDX-License-Identifier: MIT
/*
 * The character device fd kind (REC_FD_CHR): the mem devices (null, zero,
 * full, random, urandom), opened again by their path, which must still be
 * the same device.  Terminals are tty.c's (asked first); other devices
 * are refused.
 *
 * The deleted device node kind (REC_FD_DELETED_CHR): a node of a mem
 * device whose name was removed ("/dir/null (deleted)"), one object per
 * inode.  The stub makes it again with mknod under that name (another in
 * the same directory if it is taken) where the caller may (CAP_MKNOD),
 * with its mode and owner, holds it by an O_PATH open, removes it, and
 * every description is a new open of it (an O_PATH fd on it too: opath.c
 * leaves it here).  A node of another device stays refused, deleted or
 * not.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <sudcr/log.h>

#include "fd.h"
#include "removed.h"
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

/* ---- the deleted device node ---- */

static bool is_mem_device(uint64_t rdev)
{
	return fd_chr_supported((dev_t)rdev) && !rf_is_tty_rdev(rdev);
}

/* Before chardev.c's own: a removed node of a mem device. */
static int chr_deleted_recognise(struct files_dump *f, struct dump_fd *x)
{
	(void)f;
	if (!x->is_path || !S_ISCHR(x->st.st_mode) || !x->deleted || !is_mem_device(x->st.st_rdev))
		return FD_NOT_MINE;
	return FD_MINE;
}

static int chr_deleted_check(struct restore_ctx *r, const struct rec_fd *rec, const char *path)
{
	(void)path;
	if (!S_ISCHR(rec->mode) || !is_mem_device(rec->rdev))
		return img_record_invalid(r->img, "fd %d: deleted device node of device %#llx", rec->fd,
					  (unsigned long long)rec->rdev);
	return 0;
}

static int chr_deleted_check_file(struct restore_files_state *s, int i)
{
	const struct rf_fd *e = &s->fds[i];
	char *dir = path_parent(e->path);
	struct stat st;
	int err;

	if (!dir)
		return -ENOMEM;
	err = stat(dir, &st) ? -errno : S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
	if (err)
		sudcr_error("cannot restore fd %d (%s (deleted)): its directory %s: %s", e->rec->fd, e->path,
			    dir, strerror(-err));
	free(dir);
	return err;
}

static void chr_deleted_create(struct restore_files_state *s, struct rf_fd *o)
{
	const struct rec_fd *rec = o->rec;
	char *name = NULL;
	const char *at = o->path;
	int n = 0;

	(void)s;
	while (mknod(at, S_IFCHR | 0600, (dev_t)rec->rdev)) {
		int err = errno;

		if (err == EPERM)
			rf_stub_die("cannot restore fd %d (%s (deleted)): mknod: %s (making a device node needs CAP_MKNOD)",
				    rec->fd, o->path, strerror(err));
		if (err != EEXIST || n == 100)
			rf_die_fd(o, "cannot make it again (mknod)", err);
		/* The name is taken: another name in the same directory. */
		free(name);
		at = name = path_stand_in(o->path, n++);
		if (!name)
			rf_die_fd(o, "cannot make it again", ENOMEM);
	}
	if (chown(at, rec->uid, rec->gid) || chmod(at, rec->mode & 07777))
		rf_die_fd(o, "chown/chmod", errno);
	o->hold[0] = open(at, O_PATH | O_CLOEXEC | O_NOFOLLOW);
	if (o->hold[0] < 0 || unlink(at))
		rf_die_fd(o, o->hold[0] < 0 ? "cannot open it again" : "unlink", errno);
	free(name);
}

static int chr_deleted_open(struct restore_files_state *s, int i, bool *own)
{
	const struct rf_fd *e = &s->fds[i];

	(void)own;
	return rf_reopen_or_path(e, s->fds[e->obj].hold[0], (int)(e->rec->flags & RF_OPEN_FLAGS) | O_NOCTTY);
}

const struct fd_kind fd_kind_chr_deleted = {
	.kind = REC_FD_DELETED_CHR,
	.name = "deleted device node",
	.show_name = "deleted-chardev",
	.flags = FD_KIND_OBJECT | FD_KIND_ABS_PATH,
	.recognise = chr_deleted_recognise,
	.check_fd = chr_deleted_check,
	.check_file = chr_deleted_check_file,
	.create = chr_deleted_create,
	.open = chr_deleted_open,
};

const struct fd_kind fd_kind_chr = {
	.kind = REC_FD_CHR,
	.name = "character device",
	.show_name = "chardev",
	.flags = FD_KIND_ABS_PATH,
	.recognise = chr_recognise,
	.check_file = chr_check_file,
	.open = chr_open,
};
