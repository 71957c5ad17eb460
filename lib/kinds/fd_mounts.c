// SPDX-License-Identifier: MIT
/*
 * The mounts the process's files were opened through (fdinfo's mnt_id).
 * The restore opens a file, directory, device node, FIFO or O_PATH fd
 * again by its path, and the path picks the mount: another mount of the
 * same filesystem may be there now (unmounted and mounted again with
 * other options, a bind mount of another directory put in its place, or
 * a mount over it), which the file stamps (device and inode) do not tell
 * from the one the process used, for the inode can be the same.  Through
 * a read-only, nosuid, noexec or idmapped mount a file is not the same
 * file to the process.
 *
 * One record per mount: the fds opened through it, and what identifies it
 * in mountinfo: its mount point, the directory of its filesystem it shows
 * (root), the filesystem's device and type, and its per-mount options
 * (ro/rw, nosuid, nodev, noexec, atime flags, idmapped).  Its id is kept
 * for the messages: ids are not stable across a reboot, nor when a
 * filesystem is unmounted and mounted again, which is the same mount to
 * the process if everything else is the same.
 *
 * Before anything is created, the restore finds, for each of those fds
 * whose kind opens it by path, the mount its path leads through now
 * (statx STATX_MNT_ID, our mountinfo).  If it is not the image's (another
 * point, root, device, type or options), the restore fails with one line:
 * naming the mount that is there now, and whether the image's is gone or
 * only out of the path's way (mounted over: it cannot be reached by a
 * path, and a file opened through another mount would not be the same).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cr.h"
#include "image.h"
#include <sudcr/log.h>

#include "../proc/proc.h"
#include "files.h"
#include "fsnotify.h"
#include "kinds.h"

#define IMG_REC_FD_MOUNT	152
#define MNT_STR_MAX		4096

struct rec_fd_mount {
	int32_t mnt_id;			/* at the dump, for messages */
	uint32_t major, minor;		/* the filesystem's device, as mountinfo shows it */
	uint32_t nr_fds;		/* followed by int32_t fds[nr_fds] */
	uint16_t point_len, root_len, opts_len, type_len;	/* then these strings, no NULs */
};

/* One mountinfo line, its strings unescaped. */
struct mnt {
	int id;
	unsigned int major, minor;
	char root[MNT_STR_MAX], point[MNT_STR_MAX], opts[256], type[64];
};

/*
 * Mount @id (>= 0) of our mountinfo into *m, or with @id < 0 the first
 * mount like *want (point, root, device, type, options).  0, -ENOENT, or
 * -errno.
 */
static int find_mount(int id, const struct mnt *want, struct mnt *m)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL, *dash;
	size_t cap = 0;
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while (ret == -ENOENT && getline(&line, &cap, f) > 0) {
		if (sscanf(line, "%d %*d %u:%u %4095s %4095s %255s", &m->id, &m->major, &m->minor, m->root, m->point,
			   m->opts) != 6)
			continue;
		dash = strstr(line, " - ");
		if (!dash || sscanf(dash + 3, "%63s", m->type) != 1)
			continue;
		fsn_unescape(m->root);
		fsn_unescape(m->point);
		if (id >= 0 ? m->id == id :
		    m->major == want->major && m->minor == want->minor && !strcmp(m->root, want->root) &&
		    !strcmp(m->point, want->point) && !strcmp(m->opts, want->opts) && !strcmp(m->type, want->type))
			ret = 0;
	}
	free(line);
	fclose(f);
	return ret;
}

/* ---- dump ---- */

struct used_mount {
	int id;
	int32_t *fds;
	uint32_t nr;
};

static int write_mount(struct dump_ctx *d, const struct used_mount *u)
{
	struct rec_fd_mount *rec;
	struct mnt m;
	size_t len, lp, lr, lo, lt;
	char *p;
	int ret = find_mount(u->id, NULL, &m);

	/* A kernel-internal mount (a POSIX message queue's): no path leads through it. */
	if (ret == -ENOENT)
		return 0;
	if (ret) {
		sudcr_error("process %d: fd %d: cannot find mount %d, which it was opened through, in mountinfo: %s",
			    d->pid, u->fds[0], u->id, strerror(-ret));
		return ret;
	}
	lp = strlen(m.point);
	lr = strlen(m.root);
	lo = strlen(m.opts);
	lt = strlen(m.type);
	len = sizeof(*rec) + u->nr * sizeof(int32_t) + lp + lr + lo + lt;
	rec = calloc(1, len);
	if (!rec)
		return -ENOMEM;
	rec->mnt_id = u->id;
	rec->major = m.major;
	rec->minor = m.minor;
	rec->nr_fds = u->nr;
	rec->point_len = (uint16_t)lp;
	rec->root_len = (uint16_t)lr;
	rec->opts_len = (uint16_t)lo;
	rec->type_len = (uint16_t)lt;
	memcpy(rec + 1, u->fds, u->nr * sizeof(int32_t));
	p = (char *)(rec + 1) + u->nr * sizeof(int32_t);
	memcpy(p, m.point, lp);
	memcpy(p + lp, m.root, lr);
	memcpy(p + lp + lr, m.opts, lo);
	memcpy(p + lp + lr + lo, m.type, lt);
	ret = img_write_record(d->img, IMG_REC_FD_MOUNT, rec, len);
	free(rec);
	return ret;
}

static int add_fd(struct used_mount **used, int *nr, int id, int fd)
{
	struct used_mount *u = NULL;
	int32_t *n;

	for (int i = 0; i < *nr && !u; i++)
		if ((*used)[i].id == id)
			u = &(*used)[i];
	if (!u) {
		u = realloc(*used, (*nr + 1) * sizeof(*u));
		if (!u)
			return -ENOMEM;
		*used = u;
		u = &u[(*nr)++];
		*u = (struct used_mount){ .id = id };
	}
	n = realloc(u->fds, (u->nr + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	u->fds = n;
	u->fds[u->nr++] = fd;
	return 0;
}

static int dump_fd_mounts(struct dump_ctx *d)
{
	struct used_mount *used = NULL;
	struct proc_fd *fds = NULL;
	int nr = 0, nr_used = 0, ret = proc_list_fds(d->proc_pid, &fds, &nr);

	if (ret) {
		sudcr_error("process %d: cannot list its fds: %s", d->pid, strerror(-ret));
		return ret;
	}
	for (int i = 0; i < nr && !ret; i++) {
		const struct proc_fd *p = &fds[i];
		size_t len = strlen(p->link);

		/* What is opened again by its path: a name, not removed, not of /proc. */
		if (p->link[0] != '/' || p->mnt_id <= 0 || !strncmp(p->link, "/proc/", 6) ||
		    (len > 10 && !strcmp(p->link + len - 10, " (deleted)")))
			continue;
		ret = add_fd(&used, &nr_used, p->mnt_id, p->fd);
	}
	for (int i = 0; i < nr_used && !ret; i++)
		ret = write_mount(d, &used[i]);
	for (int i = 0; i < nr_used; i++)
		free(used[i].fds);
	free(used);
	free(fds);
	return ret;
}

/* ---- restore ---- */

/* The kinds whose fds are opened again by their path. */
static bool by_path(const struct rf_fd *e)
{
	switch (e->rec->kind) {
	case REC_FD_REG:
	case REC_FD_DIR:
	case REC_FD_CHR:
	case REC_FD_PATH:
		return true;
	case REC_FD_FIFO:
		return !(e->rec->xflags & REC_FD_FIFO_DELETED);
	default:
		return false;
	}
}

static void describe(char *buf, size_t size, const struct mnt *m)
{
	snprintf(buf, size, "%s (%s of %u:%u, %s, %s)", m->point, m->root, m->major, m->minor, m->type, m->opts);
}

/*
 * Fd @e's path must lead through a mount like @want (the image's mount
 * @id); *ok: a mount id found so already (-1: none), which needs no
 * mountinfo again.
 */
static int check_fd(const struct rf_fd *e, int id, const struct mnt *want, long long *ok)
{
	char was[2 * MNT_STR_MAX + 400], is[2 * MNT_STR_MAX + 400];
	struct statx sx;
	struct mnt now, other;
	int ret;

	if (statx(AT_FDCWD, e->path, AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &sx) || !(sx.stx_mask & STATX_MNT_ID))
		return 0;	/* gone: the fd's kind says so */
	if ((long long)sx.stx_mnt_id == *ok)
		return 0;
	ret = find_mount((int)sx.stx_mnt_id, NULL, &now);
	if (ret) {
		sudcr_error("cannot restore fd %d (%s): cannot find its mount %llu in mountinfo: %s", e->rec->fd,
			    e->path, (unsigned long long)sx.stx_mnt_id, strerror(-ret));
		return ret;
	}
	if (now.major == want->major && now.minor == want->minor && !strcmp(now.root, want->root) &&
	    !strcmp(now.point, want->point) && !strcmp(now.opts, want->opts) && !strcmp(now.type, want->type)) {
		*ok = (long long)sx.stx_mnt_id;
		return 0;
	}
	describe(was, sizeof(was), want);
	describe(is, sizeof(is), &now);
	ret = find_mount(-1, want, &other);
	if (ret && ret != -ENOENT)
		return ret;
	sudcr_error("cannot restore fd %d (%s): it was opened through mount %d, %s, %s; its path leads through %s now",
		    e->rec->fd, e->path, id, was,
		    ret ? "which is gone" : "which is still there but out of the path's way (mounted over?)", is);
	return -ESTALE;
}

static int prepare_fd_mounts(struct restore_ctx *r)
{
	struct restore_files_state *s = r->files_state;
	const void *data;
	size_t len;
	int ret;

	img_rewind(r->img);
	while ((ret = cr_next_of_type(r->img, IMG_REC_FD_MOUNT, &data, &len)) == 1) {
		const struct rec_fd_mount *g = data;
		const int32_t *fds = (const int32_t *)(g + 1);
		const char *p;
		struct mnt want = { .id = g->mnt_id, .major = g->major, .minor = g->minor };
		long long ok = -1;
		size_t strs;

		if (len < sizeof(*g) || !g->nr_fds || g->nr_fds > FILES_FD_MAX)
			return img_record_invalid(r->img, "fd mount record of %zu bytes", len);
		strs = (size_t)g->point_len + g->root_len + g->opts_len + g->type_len;
		if (len != sizeof(*g) + g->nr_fds * sizeof(int32_t) + strs || !g->point_len || !g->root_len ||
		    !g->opts_len || !g->type_len || g->point_len >= sizeof(want.point) ||
		    g->root_len >= sizeof(want.root) || g->opts_len >= sizeof(want.opts) ||
		    g->type_len >= sizeof(want.type))
			return img_record_invalid(r->img, "fd mount record %d: bad lengths", g->mnt_id);
		p = (const char *)(fds + g->nr_fds);
		memcpy(want.point, p, g->point_len);
		memcpy(want.root, p + g->point_len, g->root_len);
		memcpy(want.opts, p + g->point_len + g->root_len, g->opts_len);
		memcpy(want.type, p + g->point_len + g->root_len + g->opts_len, g->type_len);
		if (memchr(p, 0, strs) || want.point[0] != '/' || want.root[0] != '/')
			return img_record_invalid(r->img, "fd mount record %d: bad mount point or root", g->mnt_id);
		for (uint32_t i = 0; i < g->nr_fds; i++) {
			int k = s ? rf_find_fd(s, fds[i]) : -1;

			/* Not of its own (a tree's process inherits it): its holder checks it. */
			if (k < 0 || !by_path(&s->fds[k]))
				continue;
			ret = check_fd(&s->fds[k], g->mnt_id, &want, &ok);
			if (ret)
				return ret;
		}
	}
	return ret;
}

const struct cr_kind cr_kind_fd_mounts = {
	.name = "fd_mounts",
	.types = (const struct cr_rec_type[]){
		{ IMG_REC_FD_MOUNT, "fd_mount" },
		{ 0, NULL },
	},
	.flags = CR_KIND_DUMP_LAST,
	.dump = dump_fd_mounts,
	.prepare = prepare_fd_mounts,
};
