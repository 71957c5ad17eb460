// SPDX-License-Identifier: MIT
/*
 * The inotify fd kind (REC_FD_INOTIFY): an anon inode "inotify" whose
 * fdinfo lists the watches, one line each ("inotify wd:%x ino:%lx sdev:%x
 * mask:%x ignored_mask:0 fhandle-bytes:%x fhandle-type:%x f_handle:HEX").
 *
 * Dump: each watch's inode is opened from its file handle
 * (open_by_handle_at through a mount of its filesystem, O_PATH) and its
 * path read back from that fd (fsnotify.c); the path must still lead to
 * the same inode (a watch of an unlinked inode, or of one whose
 * filesystem gives no file handle, is refused with one line naming the fd
 * and the wd).  The watches
 * go into one IMG_REC_INOTIFY record per description, in wd order, with
 * the bytes of events queued and not read yet (FIONREAD on our copy, which
 * reads nothing).
 *
 * Restore: before anything is created, every path must still be the
 * inode it was (else one line: the inode is gone).  In the stub, a new
 * instance gets each watch at its wd: INOTIFY_IOC_SETNEXTWD (a
 * CONFIG_CHECKPOINT_RESTORE ioctl) and inotify_add_watch with the mask and
 * IN_DONT_FOLLOW (the path names the inode itself, a symlink included).
 * Events queued at the dump cannot be queued again (the kernel makes them
 * only from what happens to the inodes): the restore warns, naming the fd
 * and how many bytes of events are lost.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include <sudcr/log.h>

#include "fd.h"
#include "fd_dump.h"
#include "files.h"
#include "fsnotify.h"

#ifndef INOTIFY_IOC_SETNEXTWD
#define INOTIFY_IOC_SETNEXTWD _IOW('I', 0, int)
#endif

/* What fdinfo shows of a watch's mask: its events and the two flags the kernel keeps. */
#define WATCH_MASK	(IN_ALL_EVENTS | IN_ONESHOT | IN_EXCL_UNLINK)

/* The dump's record of one description (x->priv). */
struct inotify_dump {
	size_t len;
	struct rec_inotify rec;		/* + watches + paths */
};

static int inotify_recognise(struct files_dump *f, struct dump_fd *x)
{
	(void)f;
	return !strcmp(x->p->link, "anon_inode:inotify") ? FD_MINE : FD_NOT_MINE;
}

/*
 * Watch line @l of fd @x: its path, from its file handle; the path must
 * lead to the same inode.  *path is malloc'ed.
 */
static int watch_path(const struct dump_fd *x, const char *l, int *wd, uint32_t *mask,
		      struct stat *st, char **path)
{
	unsigned long ino;
	unsigned int sdev, m, ign;
	int n = 0;
	char what[48];

	if (sscanf(l, "inotify wd:%x ino:%lx sdev:%x mask:%x ignored_mask:%x%n", (unsigned int *)wd,
		   &ino, &sdev, &m, &ign, &n) != 5 || !n) {
		sudcr_error("fd %d (inotify): cannot parse its fdinfo line '%.80s'", x->p->fd, l);
		return -EINVAL;
	}
	*mask = m;
	snprintf(what, sizeof(what), "inotify watch wd %d", *wd);
	return fsn_inode_path(x->p->fd, what, sdev, ino, l + n, st, path);
}

static int cmp_watch(const void *a, const void *b)
{
	const struct rec_inotify_watch *x = a, *y = b;

	return x->wd < y->wd ? -1 : x->wd > y->wd;
}

/* The description's watches, into the record it will write (x->priv). */
static int inotify_dump_check(struct files_dump *f, int i)
{
	struct dump_fd *x = &f->x[i];
	struct inotify_dump *d;
	struct rec_inotify_watch *wl = NULL, *w;
	char *info = NULL, *l, *next, **paths = NULL;
	size_t plen = 0, off;
	uint32_t nr = 0;
	int g, q = 0, ret;

	if (x->desc != i)
		return 0;
	ret = fsn_read_fdinfo(f->d->proc_pid, x->p->fd, &info);
	if (ret) {
		sudcr_error("fd %d (inotify): cannot read its fdinfo: %s", x->p->fd, strerror(-ret));
		return ret;
	}
	for (l = info; *l; l = next) {
		struct stat st;
		char *path;
		int wd;
		uint32_t mask;
		void *np, *nw;

		next = strchr(l, '\n');
		if (next)
			*next++ = '\0';
		else
			next = l + strlen(l);
		if (strncmp(l, "inotify wd:", 11))
			continue;
		ret = watch_path(x, l, &wd, &mask, &st, &path);
		if (ret)
			goto out;
		np = realloc(paths, (nr + 1) * sizeof(*paths));
		if (np)
			paths = np;
		nw = np ? realloc(wl, (nr + 1) * sizeof(*wl)) : NULL;
		if (!nw) {
			free(path);
			ret = -ENOMEM;
			goto out;
		}
		wl = nw;
		paths[nr] = path;
		/* path_off: which path, until the watches are sorted */
		wl[nr] = (struct rec_inotify_watch){ .wd = wd, .mask = mask, .dev = st.st_dev,
						     .ino = st.st_ino, .path_off = nr,
						     .path_len = (uint32_t)strlen(path) };
		plen += wl[nr].path_len;
		nr++;
	}
	if (nr)
		qsort(wl, nr, sizeof(*wl), cmp_watch);
	d = malloc(sizeof(*d) + nr * sizeof(*wl) + plen);
	if (!d) {
		ret = -ENOMEM;
		goto out;
	}
	x->priv = d;
	d->len = sizeof(d->rec) + nr * sizeof(*wl) + plen;
	w = (struct rec_inotify_watch *)(&d->rec + 1);
	off = 0;
	for (uint32_t k = 0; k < nr; k++) {
		w[k] = wl[k];
		memcpy((char *)(w + nr) + off, paths[wl[k].path_off], wl[k].path_len);
		w[k].path_off = (uint32_t)off;
		off += wl[k].path_len;
	}
	g = fd_dump_getfd_of(f, x);
	if (g < 0) {
		ret = g;
		goto out;
	}
	if (ioctl(g, FIONREAD, &q)) {
		ret = -errno;
		sudcr_error("fd %d (inotify): FIONREAD: %s", x->p->fd, strerror(-ret));
	}
	close(g);
	d->rec.fd = x->p->fd;
	d->rec.nr = nr;
	d->rec.queued = (uint64_t)(q > 0 ? q : 0);
out:
	for (uint32_t k = 0; k < nr; k++)
		free(paths[k]);
	free(paths);
	free(wl);
	free(info);
	return ret;
}

/* The number of watches in the FD record too, for show. */
static int inotify_fill(struct files_dump *f, int i, struct rec_fd *rec)
{
	const struct inotify_dump *d = f->x[f->x[i].desc].priv;

	rec->count = d->rec.nr;
	return 0;
}

static int inotify_dump(struct files_dump *f, int i)
{
	const struct inotify_dump *d = f->x[i].priv;

	if (f->x[i].desc != i)
		return 0;
	return img_write_record(f->d->img, IMG_REC_INOTIFY, &d->rec, d->len);
}

/* ---- restore ---- */

static const struct rec_inotify_watch *watches(const struct rec_inotify *h)
{
	return (const struct rec_inotify_watch *)(h + 1);
}

static const char *watch_path_of(const struct rec_inotify *h, const struct rec_inotify_watch *w)
{
	return (const char *)(watches(h) + h->nr) + w->path_off;
}

static int inotify_check_record(struct restore_ctx *r, struct restore_files_state *s,
				uint32_t type, const void *data, size_t len)
{
	const struct rec_inotify *h = data;
	const struct rec_inotify_watch *w;
	size_t plen;
	int i;

	(void)type;
	if (len < sizeof(*h) || h->nr > (len - sizeof(*h)) / sizeof(*w))
		return img_record_invalid(r->img, "bad inotify record length");
	w = watches(h);
	plen = len - sizeof(*h) - h->nr * sizeof(*w);
	i = rf_find_fd(s, h->fd);
	if (i < 0 || s->fds[i].rec->kind != REC_FD_INOTIFY || s->fds[i].desc != i || s->fds[i].priv)
		return img_record_invalid(r->img, "inotify record for fd %d, which is no inotify description before it",
					  h->fd);
	for (uint32_t k = 0; k < h->nr; k++) {
		const char *p = (const char *)(w + h->nr) + w[k].path_off;

		if (w[k].wd <= 0 || (k && w[k].wd <= w[k - 1].wd) || w[k].mask & ~WATCH_MASK ||
		    !(w[k].mask & IN_ALL_EVENTS) || w[k].path_off > plen ||
		    w[k].path_len > plen - w[k].path_off || !w[k].path_len ||
		    w[k].path_len >= REC_PATH_MAX || p[0] != '/' || memchr(p, '\0', w[k].path_len))
			return img_record_invalid(r->img, "fd %d: bad inotify watch %u", h->fd, k);
		for (uint32_t j = 0; j < k; j++)
			if (w[j].dev == w[k].dev && w[j].ino == w[k].ino)
				return img_record_invalid(r->img, "fd %d: two inotify watches of one inode",
							  h->fd);
	}
	s->fds[i].priv = h;
	return 0;
}

static int inotify_check_table(struct restore_files_state *s, int i)
{
	const struct rf_fd *e = &s->fds[i];

	const struct rec_inotify *h = s->fds[e->desc].priv;

	if (!h || h->nr != e->rec->count) {
		sudcr_error("invalid image: fd %d: inotify description without its watches", e->rec->fd);
		return -EINVAL;
	}
	return 0;
}

/* PATH of watch @w, NUL-terminated, into @buf (REC_PATH_MAX). */
static void copy_path(const struct rec_inotify *h, const struct rec_inotify_watch *w, char *buf)
{
	memcpy(buf, watch_path_of(h, w), w->path_len);
	buf[w->path_len] = '\0';
}

/* Every watched inode is still at its path; the events that are lost said once. */
static int inotify_check_file(struct restore_files_state *s, int i)
{
	const struct rf_fd *e = &s->fds[i];
	const struct rec_inotify *h = e->priv;
	char path[REC_PATH_MAX];
	struct stat st;

	for (uint32_t k = 0; k < h->nr; k++) {
		const struct rec_inotify_watch *w = &watches(h)[k];

		copy_path(h, w, path);
		if (lstat(path, &st)) {
			int err = errno;

			sudcr_error("cannot restore fd %d (inotify): watch wd %d on %s: the inode watched is gone: %s",
				    e->rec->fd, w->wd, path, strerror(err));
			return -ESTALE;
		}
		if (st.st_dev != w->dev || st.st_ino != w->ino) {
			sudcr_error("cannot restore fd %d (inotify): watch wd %d on %s: the inode watched is gone (another file is at the path)",
				    e->rec->fd, w->wd, path);
			return -ESTALE;
		}
	}
	if (h->queued)
		sudcr_warn("fd %d (inotify): %" PRIu64 " bytes of events queued at the dump and not read are lost (the kernel cannot queue them again)",
			   e->rec->fd, h->queued);
	return 0;
}

/* In the stub: a new instance with every watch at its wd. */
static int inotify_open(struct restore_files_state *s, int i, bool *own)
{
	const struct rf_fd *e = &s->fds[i];
	const struct rec_inotify *h = e->priv;
	char path[REC_PATH_MAX];
	int fd;

	(void)own;
	fd = inotify_init1(IN_CLOEXEC);
	if (fd < 0)
		return -1;
	for (uint32_t k = 0; k < h->nr; k++) {
		const struct rec_inotify_watch *w = &watches(h)[k];
		struct stat st;
		int wd, err = 0;

		copy_path(h, w, path);
		if (lstat(path, &st) || st.st_dev != w->dev || st.st_ino != w->ino)
			rf_stub_die("cannot restore fd %d (inotify): watch wd %d on %s: the inode watched is gone",
				    e->rec->fd, w->wd, path);
		if (ioctl(fd, INOTIFY_IOC_SETNEXTWD, w->wd))
			err = errno;
		wd = inotify_add_watch(fd, path, w->mask | IN_DONT_FOLLOW);
		if (wd < 0)
			rf_stub_die("cannot restore fd %d (inotify): watch wd %d on %s: %s", e->rec->fd,
				    w->wd, path, strerror(errno));
		if (wd != w->wd)
			rf_stub_die("cannot restore fd %d (inotify): watch on %s got wd %d, not %d%s%s",
				    e->rec->fd, path, wd, w->wd,
				    err ? ": INOTIFY_IOC_SETNEXTWD: " : "", err ? strerror(err) : "");
	}
	return fd;
}

static void inotify_show(const struct rec_fd *rec, bool json, char *buf, size_t size)
{
	if (json)
		snprintf(buf, size, ",\"watches\":%" PRIu64, rec->count);
	else
		snprintf(buf, size, " %" PRIu64 " watches", rec->count);
}

const struct fd_kind fd_kind_inotify = {
	.kind = REC_FD_INOTIFY,
	.name = "inotify",
	.show_name = "inotify",
	.no_locks = "an inotify fd",
	.records = { IMG_REC_INOTIFY },
	.recognise = inotify_recognise,
	.dump_check = inotify_dump_check,
	.fill = inotify_fill,
	.dump = inotify_dump,
	.check_record = inotify_check_record,
	.check_table = inotify_check_table,
	.check_file = inotify_check_file,
	.open = inotify_open,
	.show = inotify_show,
};
