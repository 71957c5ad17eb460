// SPDX-License-Identifier: MIT
/*
 * Memory dump, the objects mappings share: the size and seals of a memfd,
 * shared anonymous memory or deleted file, and whether its content is
 * stored apart from a mapping of it (by an fd, or by shared mappings).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cr.h"
#include "kernel_compat.h"
#include <sudcr/log.h>

#include "mm.h"

/* The files of process @d, through /proc/@pid (its proc_pid, or its PID before its own dump set that). */
static int read_held_files(struct dump_ctx *d, pid_t pid, struct held_files *h)
{
	struct proc_fd *fds;
	int nr, ret;

	h->read = true;
	ret = proc_list_fds(pid, &fds, &nr);
	if (ret) {
		sudcr_error("cannot list the fds of %d: %s", d->pid, strerror(-ret));
		return ret;
	}
	h->v = calloc(nr ? nr : 1, sizeof(*h->v));
	if (!h->v) {
		free(fds);
		return -ENOMEM;
	}
	for (int i = 0; i < nr; i++) {
		char path[64];
		struct stat st;
		size_t l = strlen(fds[i].link);

		/* As files.c sees them: memfds and deleted regular files, not O_PATH. */
		if (l < 10 || fds[i].link[0] != '/' || strcmp(fds[i].link + l - 10, " (deleted)") ||
		    (fds[i].flags & O_PATH))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, fds[i].fd);
		if (stat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		h->v[h->nr].dev = ((uint64_t)major(st.st_dev) << 32) | minor(st.st_dev);
		h->v[h->nr].ino = st.st_ino;
		h->v[h->nr].fd = fds[i].fd;
		h->v[h->nr++].size = (uint64_t)st.st_size;
	}
	free(fds);
	return 0;
}

bool dmm_held_by_fd(const struct held_files *h, const struct proc_vma *v)
{
	uint64_t dev = ((uint64_t)v->dev_major << 32) | v->dev_minor;

	for (int i = 0; i < h->nr; i++)
		if (h->v[i].dev == dev && h->v[i].ino == v->ino)
			return true;
	return false;
}

/* An fd of process d that is the object v maps (a memfd or deleted file): *fd, or -1. */
int dmm_object_fd(struct dump_ctx *d, const struct proc_vma *v, int *fd)
{
	uint64_t dev = ((uint64_t)v->dev_major << 32) | v->dev_minor;
	struct held_files h = { 0 };
	int ret = read_held_files(d, d->proc_pid ? d->proc_pid : d->pid, &h);

	*fd = -1;
	for (int i = 0; !ret && i < h.nr && *fd < 0; i++)
		if (h.v[i].dev == dev && h.v[i].ino == v->ino)
			*fd = h.v[i].fd;
	free(h.v);
	return ret;
}

/*
 * Whether the content of the object v maps (memfd, shmem, deleted file) is
 * stored apart from v: by an fd of it, or by shared mappings of it that
 * cover v's part of the object (up to the object's end).
 */
int dmm_object_held(struct dump_ctx *d, struct held_files *h, const struct proc_vma *v,
		    uint64_t *obj_size, bool *held)
{
	uint64_t dev = ((uint64_t)v->dev_major << 32) | v->dev_minor;
	uint64_t want_s = v->pgoff, want_e = v->pgoff + (v->end - v->start);
	bool progress = true;
	int ret;

	*held = false;
	if (strcmp(v->path, "/dev/zero")) {
		if (!h->read) {
			ret = read_held_files(d, d->proc_pid, h);
			if (ret)
				return ret;
		}
		for (int i = 0; i < h->nr && !*held; i++) {
			if (h->v[i].dev == dev && h->v[i].ino == v->ino) {
				*held = true;
				if (!*obj_size)
					*obj_size = h->v[i].size;
			}
		}
		if (*held)
			return 0;
	}
	if (v->shared)
		return 0;	/* it is itself what stores the content */
	if (*obj_size && want_e > *obj_size)
		want_e = *obj_size;
	/* Shared mappings of it, in any order, must cover [want_s, want_e). */
	while (want_s < want_e && progress) {
		progress = false;
		for (int i = 0; i < d->nr_vmas; i++) {
			const struct proc_vma *o = &d->vmas[i];

			if (o->shared && o->ino == v->ino && o->dev_major == v->dev_major &&
			    o->dev_minor == v->dev_minor && o->pgoff <= want_s &&
			    o->pgoff + (o->end - o->start) > want_s) {
				want_s = o->pgoff + (o->end - o->start);
				progress = true;
			}
		}
	}
	*held = want_s >= want_e;
	return 0;
}

/*
 * Size (and memfd seals) of the object a mapping maps, through
 * /proc/PID/map_files (which needs CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN).
 * A private view of it needs the size: the pages past the object's end
 * must fault as they did.
 */
int dmm_object_info(struct dump_ctx *d, const struct proc_vma *v, uint64_t *size, uint32_t *seals)
{
	char path[96];
	struct stat st;
	int fd, err;

	*size = 0;
	*seals = 0;
	snprintf(path, sizeof(path), "/proc/%d/map_files/%llx-%llx", d->proc_pid,
		 (unsigned long long)v->start, (unsigned long long)v->end);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		err = errno;
		if (fd >= 0)
			close(fd);
		return -err;	/* the caller says whether it matters */
	}
	*size = (uint64_t)st.st_size;
	if (!strncmp(v->path, "/memfd:", 7)) {
		int r = fcntl(fd, F_GET_SEALS);

		*seals = r < 0 ? 0 : (uint32_t)r;
	}
	close(fd);
	return 0;
}
