// SPDX-License-Identifier: MIT
/*
 * The fanotify fd kind (REC_FD_FANOTIFY): an anon inode "[fanotify]" whose
 * fdinfo shows the group ("fanotify flags:%x event-flags:%x": what
 * fanotify_init was given) and its marks, one line each:
 *   inode       "fanotify ino:%lx sdev:%x mflags:%x mask:%x ignored_mask:%x
 *               fhandle-bytes:%x fhandle-type:%x f_handle:HEX"
 *   mount       "fanotify mnt_id:%x mflags:%x mask:%x ignored_mask:%x"
 *   filesystem  "fanotify sdev:%x mflags:%x mask:%x ignored_mask:%x"
 * Dump: an inode mark's path comes from its file handle (fsnotify.c), a
 * mount mark's from our mountinfo (its mount point, which must not be
 * covered by another mount), a filesystem mark's is a mount point of the
 * filesystem.  A group of a permission class (FAN_CLASS_CONTENT,
 * FAN_CLASS_PRE_CONTENT) whose marks ask for permission events is refused:
 * events queued or read and not answered yet (which no interface shows)
 * would leave the processes waiting on them blocked.  One IMG_REC_FANOTIFY
 * record per description holds the group and its marks, and the bytes of
 * events queued and not read (FIONREAD on our copy).
 *
 * Restore: every mark's path must still be what it was (inode, mount id,
 * filesystem), else one line.  In the stub, fanotify_init with the flags
 * and event flags, then fanotify_mark for the mask and for the ignore mask
 * of each mark (FAN_MARK_IGNORE or FAN_MARK_IGNORED_MASK as it was made,
 * FAN_MARK_IGNORED_SURV_MODIFY, FAN_MARK_EVICTABLE).  Queued events cannot
 * be queued again: the restore warns, naming the fd and the bytes lost.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include <sudcr/log.h>

#include "fd.h"
#include "fd_dump.h"
#include "files.h"
#include "fsnotify.h"

#ifndef FAN_MARK_EVICTABLE
#define FAN_MARK_EVICTABLE	0x00000200
#endif
#ifndef FAN_MARK_IGNORE
#define FAN_MARK_IGNORE		0x00000400
#endif
#ifndef FAN_PRE_ACCESS
#define FAN_PRE_ACCESS		0x00100000
#endif

#define MARK_FLAGS	(FAN_MARK_IGNORED_SURV_MODIFY | FAN_MARK_EVICTABLE | FAN_MARK_IGNORE)
#define PERM_EVENTS	(FAN_OPEN_PERM | FAN_ACCESS_PERM | FAN_OPEN_EXEC_PERM | FAN_PRE_ACCESS)
#define CLASS_BITS	(FAN_CLASS_CONTENT | FAN_CLASS_PRE_CONTENT)
/* fanotify_init's flags and event flags the record may hold (the kernel checks them again); 0100000: the kernel's O_LARGEFILE. */
#define GROUP_FLAGS	(0x7fffu)
#define EVENT_FLAGS	(O_ACCMODE | O_APPEND | O_DSYNC | O_NOATIME | O_NONBLOCK | O_SYNC | 0100000 | \
			 O_CLOEXEC)

struct fanotify_dump {
	size_t len;
	struct rec_fanotify rec;	/* + marks + paths */
};

static int fanotify_recognise(struct files_dump *f, struct dump_fd *x)
{
	(void)f;
	return !strcmp(x->p->link, "anon_inode:[fanotify]") ? FD_MINE : FD_NOT_MINE;
}

/* One mark line @l of fd @x into *m and *path (malloc'ed); 1 if @l is no mark. */
static int parse_mark(const struct dump_fd *x, const char *l, struct rec_fanotify_mark *m,
		      char **path)
{
	unsigned int sdev, mflags, mask, ign;
	unsigned long ino;
	int id, n = 0, ret;
	char buf[4096], what[48];
	struct stat st;

	if (sscanf(l, "fanotify ino:%lx sdev:%x mflags:%x mask:%x ignored_mask:%x%n", &ino, &sdev,
		   &mflags, &mask, &ign, &n) == 5 && n) {
		m->type = REC_FAN_MARK_INODE;
		snprintf(what, sizeof(what), "fanotify mark of inode %lu", ino);
		ret = fsn_inode_path(x->p->fd, what, sdev, ino, l + n, &st, path);
		if (ret)
			return ret;
		m->dev = st.st_dev;
		m->ino = st.st_ino;
	} else if (sscanf(l, "fanotify mnt_id:%x mflags:%x mask:%x ignored_mask:%x", (unsigned int *)&id,
			  &mflags, &mask, &ign) == 4) {
		m->type = REC_FAN_MARK_MOUNT;
		if (fsn_mount_path(0, id, buf, sizeof(buf)) || buf[0] != '/' ||
		    strlen(buf) >= REC_PATH_MAX || fsn_mnt_id(buf) != id) {
			sudcr_error("fd %d: fanotify mark of mount %d: no path leads to that mount (gone, or covered by another): not supported",
				    x->p->fd, id);
			return -EOPNOTSUPP;
		}
		m->ino = (uint64_t)id;
		*path = strdup(buf);
	} else if (sscanf(l, "fanotify sdev:%x mflags:%x mask:%x ignored_mask:%x", &sdev, &mflags,
			  &mask, &ign) == 4) {
		m->type = REC_FAN_MARK_FILESYSTEM;
		if (fsn_mount_path(fsn_dev(sdev), -1, buf, sizeof(buf)) || buf[0] != '/' ||
		    strlen(buf) >= REC_PATH_MAX || stat(buf, &st) || st.st_dev != fsn_dev(sdev)) {
			sudcr_error("fd %d: fanotify mark of filesystem %u:%u: no mount of it here: not supported",
				    x->p->fd, sdev >> 20, sdev & 0xfffff);
			return -EOPNOTSUPP;
		}
		m->dev = st.st_dev;
		*path = strdup(buf);
	} else {
		return 1;
	}
	if (!*path)
		return -ENOMEM;
	m->mflags = mflags;
	m->mask = mask;
	m->ignored_mask = ign;
	m->path_len = (uint32_t)strlen(*path);
	return 0;
}

static int fanotify_dump_check(struct files_dump *f, int i)
{
	struct dump_fd *x = &f->x[i];
	struct fanotify_dump *d;
	struct rec_fanotify_mark *ml = NULL, *m;
	char *info = NULL, *l, *next, **paths = NULL;
	unsigned int gflags = 0, eflags = 0;
	bool seen_group = false;
	size_t plen = 0, off;
	uint32_t nr = 0, perm = 0;
	int g, q = 0, ret;

	if (x->desc != i)
		return 0;
	ret = fsn_read_fdinfo(f->d->proc_pid, x->p->fd, &info);
	if (ret) {
		sudcr_error("fd %d (fanotify): cannot read its fdinfo: %s", x->p->fd, strerror(-ret));
		return ret;
	}
	for (l = info; *l; l = next) {
		struct rec_fanotify_mark mk = { 0 };
		char *path = NULL;
		void *np, *nm;

		next = strchr(l, '\n');
		if (next)
			*next++ = '\0';
		else
			next = l + strlen(l);
		if (sscanf(l, "fanotify flags:%x event-flags:%x", &gflags, &eflags) == 2) {
			seen_group = true;
			continue;
		}
		if (strncmp(l, "fanotify ", 9))
			continue;
		ret = parse_mark(x, l, &mk, &path);
		if (ret < 0)
			goto out;
		if (ret) {
			sudcr_error("fd %d (fanotify): cannot parse its fdinfo line '%.80s'", x->p->fd, l);
			ret = -EINVAL;
			goto out;
		}
		perm |= mk.mask & PERM_EVENTS;
		np = realloc(paths, (nr + 1) * sizeof(*paths));
		if (np)
			paths = np;
		nm = np ? realloc(ml, (nr + 1) * sizeof(*ml)) : NULL;
		if (!nm) {
			free(path);
			ret = -ENOMEM;
			goto out;
		}
		ml = nm;
		paths[nr] = path;
		ml[nr] = mk;
		plen += mk.path_len;
		nr++;
	}
	if (!seen_group) {
		sudcr_error("fd %d (fanotify): no group line in its fdinfo", x->p->fd);
		ret = -EINVAL;
		goto out;
	}
	g = fd_dump_getfd_of(f, x);
	if (g < 0) {
		ret = g;
		goto out;
	}
	if (ioctl(g, FIONREAD, &q))
		q = 0;
	close(g);
	if ((gflags & CLASS_BITS) && perm) {
		if (q > 0)
			sudcr_error("fd %d: fanotify group with permission events, %d bytes of them outstanding: not supported",
				    x->p->fd, q);
		else
			sudcr_error("fd %d: fanotify group with permission events (mask 0x%x): not supported (events read and not answered cannot be seen, and would stay unanswered)",
				    x->p->fd, perm);
		ret = -EOPNOTSUPP;
		goto out;
	}
	d = malloc(sizeof(*d) + nr * sizeof(*ml) + plen);
	if (!d) {
		ret = -ENOMEM;
		goto out;
	}
	x->priv = d;
	d->len = sizeof(d->rec) + nr * sizeof(*ml) + plen;
	d->rec = (struct rec_fanotify){ .fd = x->p->fd, .nr = nr,
					.flags = gflags,
					.event_flags = eflags, .queued = (uint64_t)(q > 0 ? q : 0) };
	m = (struct rec_fanotify_mark *)(&d->rec + 1);
	off = 0;
	for (uint32_t k = 0; k < nr; k++) {
		m[k] = ml[k];
		m[k].path_off = (uint32_t)off;
		memcpy((char *)(m + nr) + off, paths[k], ml[k].path_len);
		off += ml[k].path_len;
	}
out:
	for (uint32_t k = 0; k < nr; k++)
		free(paths[k]);
	free(paths);
	free(ml);
	free(info);
	return ret;
}

/* The number of marks in the FD record too, for show. */
static int fanotify_fill(struct files_dump *f, int i, struct rec_fd *rec)
{
	const struct fanotify_dump *d = f->x[f->x[i].desc].priv;

	rec->count = d->rec.nr;
	return 0;
}

static int fanotify_dump(struct files_dump *f, int i)
{
	const struct fanotify_dump *d = f->x[i].priv;

	if (f->x[i].desc != i)
		return 0;
	return img_write_record(f->d->img, IMG_REC_FANOTIFY, &d->rec, d->len);
}

/* ---- restore ---- */

static const struct rec_fanotify_mark *marks(const struct rec_fanotify *h)
{
	return (const struct rec_fanotify_mark *)(h + 1);
}

/* The path of mark @m, NUL-terminated, into @buf (REC_PATH_MAX). */
static void copy_path(const struct rec_fanotify *h, const struct rec_fanotify_mark *m, char *buf)
{
	memcpy(buf, (const char *)(marks(h) + h->nr) + m->path_off, m->path_len);
	buf[m->path_len] = '\0';
}

static int fanotify_check_record(struct restore_ctx *r, struct restore_files_state *s,
				 uint32_t type, const void *data, size_t len)
{
	const struct rec_fanotify *h = data;
	const struct rec_fanotify_mark *m;
	size_t plen;
	int i;

	(void)type;
	if (len < sizeof(*h) || h->nr > (len - sizeof(*h)) / sizeof(*m))
		return img_record_invalid(r->img, "bad fanotify record length");
	m = marks(h);
	plen = len - sizeof(*h) - h->nr * sizeof(*m);
	i = rf_find_fd(s, h->fd);
	if (i < 0 || s->fds[i].rec->kind != REC_FD_FANOTIFY || s->fds[i].desc != i || s->fds[i].priv)
		return img_record_invalid(r->img, "fanotify record for fd %d, which is no fanotify description before it",
					  h->fd);
	if (h->flags & ~GROUP_FLAGS || h->event_flags & ~(uint32_t)EVENT_FLAGS ||
	    ((h->flags & CLASS_BITS) == CLASS_BITS))
		return img_record_invalid(r->img, "fd %d: bad fanotify group flags", h->fd);
	for (uint32_t k = 0; k < h->nr; k++) {
		const char *p = (const char *)(m + h->nr) + m[k].path_off;

		if (m[k].type > REC_FAN_MARK_FILESYSTEM || m[k].mflags & ~MARK_FLAGS ||
		    !(m[k].mask | m[k].ignored_mask) ||
		    ((h->flags & CLASS_BITS) && (m[k].mask & PERM_EVENTS)) ||
		    m[k].path_off > plen || m[k].path_len > plen - m[k].path_off || !m[k].path_len ||
		    m[k].path_len >= REC_PATH_MAX || p[0] != '/' || memchr(p, '\0', m[k].path_len))
			return img_record_invalid(r->img, "fd %d: bad fanotify mark %u", h->fd, k);
	}
	s->fds[i].priv = h;
	return 0;
}

static int fanotify_check_table(struct restore_files_state *s, int i)
{
	const struct rf_fd *e = &s->fds[i];
	const struct rec_fanotify *h = s->fds[e->desc].priv;

	if (!h || h->nr != e->rec->count) {
		sudcr_error("invalid image: fd %d: fanotify description without its marks", e->rec->fd);
		return -EINVAL;
	}
	return 0;
}

static const char *mark_name(uint32_t type)
{
	return type == REC_FAN_MARK_INODE ? "inode" : type == REC_FAN_MARK_MOUNT ? "mount" :
									     "filesystem";
}

/* Mark @m's path still names what it did: one line if not. */
static int mark_same(const struct rf_fd *e, const struct rec_fanotify_mark *m, const char *path)
{
	struct stat st;
	int id;

	if (m->type == REC_FAN_MARK_MOUNT) {
		id = fsn_mnt_id(path);
		if (id == (int)m->ino)
			return 0;
		sudcr_error("cannot restore fd %d (fanotify): mark of mount %" PRIu64 " at %s: %s",
			    e->rec->fd, m->ino, path, id < 0 ? strerror(-id) : "another mount is there now");
		return -ESTALE;
	}
	if (lstat(path, &st)) {
		int err = errno;

		sudcr_error("cannot restore fd %d (fanotify): %s mark on %s: gone: %s", e->rec->fd,
			    mark_name(m->type), path, strerror(err));
		return -ESTALE;
	}
	if (st.st_dev != m->dev || (m->type == REC_FAN_MARK_INODE && st.st_ino != m->ino)) {
		sudcr_error("cannot restore fd %d (fanotify): %s mark on %s: the %s marked is gone (another is at the path)",
			    e->rec->fd, mark_name(m->type), path,
			    m->type == REC_FAN_MARK_INODE ? "inode" : "filesystem");
		return -ESTALE;
	}
	return 0;
}

static int fanotify_check_file(struct restore_files_state *s, int i)
{
	const struct rf_fd *e = &s->fds[i];
	const struct rec_fanotify *h = e->priv;
	char path[REC_PATH_MAX];

	for (uint32_t k = 0; k < h->nr; k++) {
		int ret;

		copy_path(h, &marks(h)[k], path);
		ret = mark_same(e, &marks(h)[k], path);
		if (ret)
			return ret;
	}
	if (h->queued)
		sudcr_warn("fd %d (fanotify): %" PRIu64 " bytes of events queued at the dump and not read are lost (the kernel cannot queue them again)",
			   e->rec->fd, h->queued);
	return 0;
}

/* In the stub: the group again, with every mark. */
static int fanotify_open(struct restore_files_state *s, int i, bool *own)
{
	const struct rf_fd *e = &s->fds[i];
	const struct rec_fanotify *h = e->priv;
	char path[REC_PATH_MAX];
	int fd;

	(void)own;
	/* As it was made, FAN_CLOEXEC and FAN_NONBLOCK too (fdinfo shows them); the driver sets the fd's own. */
	fd = fanotify_init(h->flags, h->event_flags);
	if (fd < 0)
		return -1;
	for (uint32_t k = 0; k < h->nr; k++) {
		const struct rec_fanotify_mark *m = &marks(h)[k];
		unsigned int how = FAN_MARK_ADD | (m->mflags & FAN_MARK_EVICTABLE) |
				   (m->type == REC_FAN_MARK_MOUNT ? FAN_MARK_MOUNT :
				    m->type == REC_FAN_MARK_FILESYSTEM ? FAN_MARK_FILESYSTEM :
									   FAN_MARK_DONT_FOLLOW);

		copy_path(h, m, path);
		if (mark_same(e, m, path))
			rf_stub_die("cannot restore fd %d (fanotify): %s mark on %s changed", e->rec->fd,
				    mark_name(m->type), path);
		if (m->mask && fanotify_mark(fd, how, m->mask, AT_FDCWD, path))
			rf_stub_die("cannot restore fd %d (fanotify): %s mark on %s (mask 0x%x): %s",
				    e->rec->fd, mark_name(m->type), path, m->mask, strerror(errno));
		how |= (m->mflags & FAN_MARK_IGNORE ? FAN_MARK_IGNORE : FAN_MARK_IGNORED_MASK) |
		       (m->mflags & FAN_MARK_IGNORED_SURV_MODIFY);
		if (m->ignored_mask && fanotify_mark(fd, how, m->ignored_mask, AT_FDCWD, path))
			rf_stub_die("cannot restore fd %d (fanotify): %s mark on %s (ignore mask 0x%x): %s",
				    e->rec->fd, mark_name(m->type), path, m->ignored_mask,
				    strerror(errno));
	}
	return fd;
}

static void fanotify_show(const struct rec_fd *rec, bool json, char *buf, size_t size)
{
	if (json)
		snprintf(buf, size, ",\"marks\":%" PRIu64, rec->count);
	else
		snprintf(buf, size, " %" PRIu64 " marks", rec->count);
}

const struct fd_kind fd_kind_fanotify = {
	.kind = REC_FD_FANOTIFY,
	.name = "fanotify",
	.show_name = "fanotify",
	.no_locks = "a fanotify fd",
	.records = { IMG_REC_FANOTIFY },
	.recognise = fanotify_recognise,
	.dump_check = fanotify_dump_check,
	.fill = fanotify_fill,
	.dump = fanotify_dump,
	.check_record = fanotify_check_record,
	.check_table = fanotify_check_table,
	.check_file = fanotify_check_file,
	.open = fanotify_open,
	.show = fanotify_show,
};
