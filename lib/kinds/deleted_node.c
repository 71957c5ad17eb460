// SPDX-License-Identifier: MIT
/*
 * The removed node fd kind (REC_FD_DELETED_NODE): an O_PATH descriptor of
 * a symlink (opened with O_PATH|O_NOFOLLOW) or of a FIFO whose name was
 * removed since ("/dir/name (deleted)").  Such a node holds nothing but
 * its inode: a symlink its target (in one IMG_REC_FILE_DATA record, read
 * with readlinkat(fd, "") through the description itself), both their
 * mode, owner and mtime (in the FD record).  A FIFO opened for reading
 * or writing is pipe.c's (REC_FD_FIFO_DELETED); only O_PATH ones are here.
 *
 * The restore makes it again where it was, in the stub: symlink() or
 * mkfifo() under its old name (another name in the same directory if
 * that one is taken), an O_PATH|O_NOFOLLOW open of it, unlink; so
 * /proc/PID/fd shows "/dir/name (deleted)" again.  Every description is
 * a new O_PATH open of that one node.  Its directory must still be there,
 * at the dump and at the restore.  A symlink's owner is set again
 * (lchown); its mode cannot be (symlinks are 0777) and its mtime is left
 * the restore's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include <sudcr/log.h>

#include "fd.h"
#include "fd_dump.h"
#include "files.h"
#include "removed.h"

#define LINK_MAX_LEN	4095

static bool removed_node(const struct dump_fd *x)
{
	return x->is_path && x->deleted && (x->p->flags & O_PATH) &&
	       (S_ISLNK(x->st.st_mode) || S_ISFIFO(x->st.st_mode));
}

/* ---- dump ---- */

/* Asked before opath.c, which would refuse it as a removed file. */
static int deleted_node_recognise(struct files_dump *f, struct dump_fd *x)
{
	(void)f;
	if (!removed_node(x))
		return FD_NOT_MINE;
	if (S_ISLNK(x->st.st_mode) && (x->st.st_size < 1 || x->st.st_size > LINK_MAX_LEN)) {
		x->what = "O_PATH descriptor of a removed symlink of an unusual length";
		return FD_REFUSED;
	}
	if (!path_parent_is_dir(x->path))
		return FD_MINE;
	x->what = "O_PATH descriptor of a removed symlink or FIFO whose directory is gone too";
	return FD_REFUSED;
}

/* A symlink's target, through the description: one FILE_DATA record. */
static int deleted_node_dump(struct files_dump *f, int i)
{
	struct dump_fd *x = &f->x[i];
	char *target = (char *)f->buf + sizeof(struct rec_file_data);
	ssize_t n;
	int g, err;

	if (!S_ISLNK(x->st.st_mode) || x->obj != i)
		return 0;
	g = fd_dump_getfd_of(f, x);
	if (g < 0)
		return g;
	n = readlinkat(g, "", target, LINK_MAX_LEN + 1);
	err = errno;
	close(g);
	if (n != x->st.st_size) {
		sudcr_error("cannot dump fd %d (%s (deleted)): cannot read the removed symlink's target: %s",
			    x->p->fd, x->path, n < 0 ? strerror(err) : "its length changed");
		return n < 0 ? -err : -EIO;
	}
	return fd_dump_write_data(f, x->p->fd, 0, (size_t)n);
}

/* ---- restore ---- */

static int deleted_node_check_fd(struct restore_ctx *r, const struct rec_fd *rec, const char *path)
{
	(void)path;
	if (!(rec->flags & O_PATH) || !(S_ISLNK(rec->mode) || S_ISFIFO(rec->mode)) ||
	    (S_ISLNK(rec->mode) && (rec->size < 1 || rec->size > LINK_MAX_LEN)))
		return img_record_invalid(r->img, "fd %d: removed node: not an O_PATH fd of a symlink or FIFO",
					  rec->fd);
	return 0;
}

/* A symlink has its whole target in one FILE_DATA record, without a NUL; a FIFO none. */
static int deleted_node_check_table(struct restore_files_state *s, int i)
{
	const struct rf_fd *e = &s->fds[i];
	const struct rf_data *d = &s->data[e->data];
	bool lnk = S_ISLNK(e->rec->mode);

	if (e->obj != i)
		return 0;
	if ((lnk && (e->nr_data != 1 || d->rec->len != e->rec->size || memchr(d->bytes, 0, d->rec->len))) ||
	    (!lnk && e->nr_data)) {
		sudcr_error("image: fd %d (%s (deleted)): bad target of a removed symlink", e->rec->fd, e->path);
		return -EINVAL;
	}
	return 0;
}

static int deleted_node_check_file(struct restore_files_state *s, int i)
{
	const struct rf_fd *e = &s->fds[i];
	int err = path_parent_is_dir(e->path);

	if (err)
		sudcr_error("cannot restore fd %d (%s (deleted)): its directory: %s", e->rec->fd, e->path,
			    strerror(-err));
	return err;
}

/* In the stub: the node at @at; 0 or -errno (-EEXIST: the name is taken). */
static int make_node(struct restore_files_state *s, const struct rf_fd *o, const char *at)
{
	const struct rec_fd *rec = o->rec;
	char *target;
	int ret;

	if (S_ISFIFO(rec->mode))
		return mkfifo(at, 0600) ? -errno : 0;
	target = strndup(s->data[o->data].bytes, s->data[o->data].rec->len);
	if (!target)
		return -ENOMEM;
	ret = symlink(target, at) ? -errno : 0;
	free(target);
	return ret;
}

static void deleted_node_create(struct restore_files_state *s, struct rf_fd *o)
{
	const struct rec_fd *rec = o->rec;
	char *name = NULL;
	const char *at = o->path;
	int n = 0, err;

	while ((err = make_node(s, o, at))) {
		if (err != -EEXIST || n == 100)
			rf_die_fd(o, "cannot make it again", -err);
		/* The name is taken: another name in the same directory. */
		free(name);
		at = name = path_stand_in(o->path, n++);
		if (!name)
			rf_die_fd(o, "cannot make it again", ENOMEM);
	}
	if (lchown(at, rec->uid, rec->gid) || (S_ISFIFO(rec->mode) && chmod(at, rec->mode & 07777)))
		rf_die_fd(o, "chown/chmod", errno);
	o->hold[0] = open(at, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (o->hold[0] < 0 || unlink(at))
		rf_die_fd(o, o->hold[0] < 0 ? "cannot open it again" : "unlink", errno);
	free(name);
}

static int deleted_node_open(struct restore_files_state *s, int i, bool *own)
{
	(void)own;
	return rf_reopen(s->fds[s->fds[i].obj].hold[0], O_PATH);
}

const struct fd_kind fd_kind_deleted_node = {
	.kind = REC_FD_DELETED_NODE,
	.name = "removed symlink or FIFO (O_PATH)",
	.show_name = "deleted-node",
	.flags = FD_KIND_OBJECT | FD_KIND_ABS_PATH | FD_KIND_NO_SETFL,
	.no_locks = "an O_PATH fd",
	.recognise = deleted_node_recognise,
	.dump = deleted_node_dump,
	.check_fd = deleted_node_check_fd,
	.check_table = deleted_node_check_table,
	.check_file = deleted_node_check_file,
	.create = deleted_node_create,
	.open = deleted_node_open,
};
