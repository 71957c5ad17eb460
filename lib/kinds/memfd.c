// SPDX-License-Identifier: MIT
/*
 * The memfd fd kind (REC_FD_MEMFD): an unlinked tmpfs file named
 * "/memfd:NAME (deleted)".  Its contents are kept like a deleted file's
 * (IMG_REC_FILE_DATA, by the fd driver), its seals in the FD record
 * (rec_fd.seals); the restore makes a new memfd of the same name in the
 * stub, fills it as the driver fills a deleted file, and seals it once
 * every description of it is made.  The fd driver (dump/files.c,
 * restore/files.c) calls these at its per-kind places.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/statfs.h>

#include <sudcr/log.h>

#include "fd.h"
#include "files.h"

#ifndef MFD_EXEC
#define MFD_EXEC	0x0010U
#endif

/* The longest NAME memfd_create() takes. */
#define MEMFD_NAME_MAX	249

/* ---- dump ---- */

/* A deleted "/memfd:..." file: a memfd if on tmpfs, a deleted file elsewhere. */
int memfd_classify(pid_t pid, int fd, uint32_t *kind, const char **what)
{
	char proc[64];
	struct statfs sfs;

	snprintf(proc, sizeof(proc), "/proc/%d/fd/%d", pid, fd);
	if (statfs(proc, &sfs))
		return -errno;
	if (sfs.f_type == TMPFS_MAGIC)
		*kind = REC_FD_MEMFD;
	else if (sfs.f_type == HUGETLBFS_MAGIC)
		*what = "hugetlb memfd";
	else
		*kind = REC_FD_DELETED;
	return 0;
}

/* Its seals, through @rfd, the driver's reference to its contents. */
int memfd_read_seals(int fd, const char *path, int rfd, uint32_t *out)
{
	int seals = fcntl(rfd, F_GET_SEALS), ret;

	if (seals < 0) {
		ret = -errno;
		sudcr_error("fd %d (%s): F_GET_SEALS: %s", fd, path, strerror(-ret));
		return ret;
	}
	*out = (uint32_t)seals;
	return 0;
}

/* ---- validation ---- */

/* A memfd's path is "/memfd:" and a name memfd_create() takes; only memfds have seals. */
bool memfd_rec_bad(const struct rec_fd *rec, const char *path)
{
	return rec->kind == REC_FD_MEMFD ? rec->path_len < 7 || rec->path_len - 7 > MEMFD_NAME_MAX ||
					   memcmp(path, "/memfd:", 7) : rec->seals != 0;
}

/* ---- in the stub ---- */

int memfd_open(struct restore_files_state *s, struct rf_fd *o)
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
	return fd;
}

/* Once every description of it is made. */
void memfd_seal(const struct rf_fd *o)
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

const struct fd_kind fd_kind_memfd = { "memfd", "memfd", memfd_show };
