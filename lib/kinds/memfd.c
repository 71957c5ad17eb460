// SPDX-License-Identifier: MIT
/*
 * The memfd fd kind (REC_FD_MEMFD): an unlinked tmpfs file named
 * "/memfd:NAME (deleted)".  Its contents are kept like a deleted file's
 * (IMG_REC_FILE_DATA, by the fd driver), its seals in the FD record
 * (rec_fd.seals); the restore makes a new memfd of the same name in the
 * stub, fills it as the driver fills a deleted file, and seals it once
 * every description of it is made.  Its ops are in fd_kind_memfd, at the
 * end.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "image.h"
#include <sudcr/log.h>

#include "fd.h"
#include "fd_dump.h"
#include "files.h"

#ifndef MFD_EXEC
#define MFD_EXEC	0x0010U
#endif

/* The longest NAME memfd_create() takes. */
#define MEMFD_NAME_MAX	249

/* ---- dump ---- */

/* A deleted "/memfd:..." file: a memfd if on tmpfs, a deleted file elsewhere (deleted.c). */
static int memfd_recognise(struct files_dump *f, struct dump_fd *x)
{
	char proc[64];
	struct statfs sfs;

	if (!x->is_path || (x->p->flags & O_PATH) || !S_ISREG(x->st.st_mode) || !x->deleted ||
	    strncmp(x->path, "/memfd:", 7))
		return FD_NOT_MINE;
	snprintf(proc, sizeof(proc), "/proc/%d/fd/%d", f->d->proc_pid, x->p->fd);
	if (statfs(proc, &sfs))
		return -errno;
	if (sfs.f_type == TMPFS_MAGIC)
		return FD_MINE;
	if (sfs.f_type == HUGETLBFS_MAGIC) {
		x->what = "hugetlb memfd";
		return FD_REFUSED;
	}
	return FD_NOT_MINE;
}

/* Its contents opened (fd_dump_contents() reads them), its seals through that open. */
static int memfd_fill(struct files_dump *f, int i, struct rec_fd *rec)
{
	struct dump_fd *x = &f->x[i];
	int seals, ret;

	if (x->obj == i) {
		ret = fd_dump_open_contents(f, x);
		if (ret)
			return ret;
		seals = fcntl(x->rfd, F_GET_SEALS);
		if (seals < 0) {
			ret = -errno;
			sudcr_error("fd %d (%s): F_GET_SEALS: %s", x->p->fd, x->path, strerror(-ret));
			return ret;
		}
		x->seals = (uint32_t)seals;
	} else {
		x->seals = f->x[x->obj].seals;
	}
	rec->seals = x->seals;
	return 0;
}

static int memfd_dump(struct files_dump *f, int i)
{
	return f->x[i].rfd >= 0 ? fd_dump_contents(f, &f->x[i]) : 0;
}

/* ---- validation ---- */

/* A memfd's path is "/memfd:" and a name memfd_create() takes (only memfds have seals: the driver). */
static int memfd_check(struct restore_ctx *r, const struct rec_fd *rec, const char *path)
{
	if (rec->path_len < 7 || rec->path_len - 7 > MEMFD_NAME_MAX || memcmp(path, "/memfd:", 7))
		return img_record_invalid(r->img, "fd %d: bad memfd", rec->fd);
	if (rec->size > INT64_MAX)
		return img_record_invalid(r->img, "fd %d: bad size", rec->fd);
	return 0;
}

/* ---- in the stub ---- */

static void memfd_create_object(struct restore_files_state *s, struct rf_fd *o)
{
	const char *name = o->path + 7;
	int fd;

	/* MFD_EXEC: executable as before whatever vm.memfd_noexec says; fchmod sets the mode. */
	fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (fd < 0 && errno == EINVAL)
		fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		rf_die_fd(o, "memfd_create", errno);
	rf_fill_file(s, o, fd);
	o->hold[0] = fd;
}

static int memfd_open(struct restore_files_state *s, int i, bool *own)
{
	struct rf_fd *e = &s->fds[i], *o = &s->fds[e->obj];

	/*
	 * The description memfd_create() made is no writer of the inode, an
	 * open of /proc/self/fd/N is (execveat of it then fails with
	 * ETXTBSY): the first read-write one is that.
	 */
	if ((e->rec->flags & O_ACCMODE) == O_RDWR && !o->used[0]) {
		o->used[0] = true;
		*own = false;
		return o->hold[0];
	}
	return rf_reopen(o->hold[0], (int)(e->rec->flags & RF_OPEN_FLAGS));
}

/* Once every description of it is made. */
static void memfd_seal(struct rf_fd *o)
{
	if (o->rec->seals && fcntl(o->hold[0], F_ADD_SEALS, (int)o->rec->seals))
		rf_die_fd(o, "F_ADD_SEALS", errno);
}

static void memfd_show(const struct rec_fd *rec, bool json, char *buf, size_t size)
{
	if (json)
		snprintf(buf, size, ",\"seals\":\"0x%x\"", rec->seals);
	else
		snprintf(buf, size, " seals 0x%x", rec->seals);
}

const struct fd_kind fd_kind_memfd = {
	.kind = REC_FD_MEMFD,
	.name = "memfd",
	.show_name = "memfd",
	.flags = FD_KIND_OBJECT | FD_KIND_SEEK | FD_KIND_SEALS,
	.recognise = memfd_recognise,
	.fill = memfd_fill,
	.dump = memfd_dump,
	.check_fd = memfd_check,
	.create = memfd_create_object,
	.open = memfd_open,
	.finish = memfd_seal,
	.show = memfd_show,
};
