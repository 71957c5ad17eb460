// SPDX-License-Identifier: MIT
/*
 * A working directory that was removed (/proc/PID/cwd reads "/dir/name
 * (deleted)").  The misc kind keeps the cwd's path (without the suffix);
 * this kind's one record says it was removed, with the directory's mode,
 * owner and mtime.  A removed directory is empty and takes no new entries,
 * so that is all there is to it.  The stub makes it again under that path
 * (another name in the same parent if it is taken), enters it and removes
 * it (deleted_cwd_enter(), called by misc's step in the stub instead of
 * its chdir).  Its parent must be there, at the dump and at the restore.
 * A removed root directory is made again the same way when it is the
 * working directory too (chroot into a directory, chdir("/"), and the
 * directory removed from outside): the record says so (its flags), and
 * fs.c's injected chroot() is then of "." (deleted_cwd_is_root()).  A
 * removed root that is not the working directory is refused (fs.c's
 * dump, deleted_root_strip()).
 *
 * IMG_REC_CWD_DELETED is not optional: a restorer that skipped it would
 * enter a directory of that name, if there were one, or fail.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cr.h"
#include <sudcr/log.h>

#include "deleted_cwd.h"
#include "kinds.h"
#include "removed.h"

#define IMG_REC_CWD_DELETED	151

#define REC_CWD_DELETED_ROOT	(1u << 0)	/* the root directory is this one too */

struct rec_cwd_deleted {
	uint32_t mode;			/* st_mode: a directory */
	uint32_t uid, gid;
	uint32_t flags;			/* REC_CWD_DELETED_* */
	int64_t mtime_sec, mtime_nsec;
};

/* ---- dump ---- */

/*
 * Whether @path, as /proc/@pid/@name reads it, is a removed directory:
 * then its " (deleted)" is stripped and 1 returned.  A directory really
 * named "... (deleted)" is not (fs.c's check says what it is).
 */
static int strip_removed(pid_t pid, const char *name, char *path)
{
	size_t len = strlen(path);
	char proc[64];
	struct stat st;

	if (len <= 10 || strcmp(path + len - 10, " (deleted)"))
		return 0;
	snprintf(proc, sizeof(proc), "/proc/%d/%s", pid, name);
	if (stat(proc, &st) || !S_ISDIR(st.st_mode) || st.st_nlink)
		return 0;
	path[len - 10] = '\0';
	return 1;
}

int deleted_cwd_strip(pid_t pid, char *path)
{
	if (!strip_removed(pid, "cwd", path))
		return 0;
	if (path_parent_is_dir(path)) {
		sudcr_error("process %d: its working directory %s was removed, and its parent too: not supported",
			    pid, path);
		return -EOPNOTSUPP;
	}
	return 1;
}

/* Whether /proc/@pid/root and /proc/@pid/cwd are one directory (0/1), or -errno. */
static int root_is_cwd(pid_t pid)
{
	char proc[64];
	struct stat root, cwd;

	snprintf(proc, sizeof(proc), "/proc/%d/root", pid);
	if (stat(proc, &root))
		return -errno;
	snprintf(proc, sizeof(proc), "/proc/%d/cwd", pid);
	if (stat(proc, &cwd))
		return -errno;
	return root.st_dev == cwd.st_dev && root.st_ino == cwd.st_ino;
}

int deleted_root_strip(pid_t pid, char *path)
{
	int same;

	if (!strip_removed(pid, "root", path))
		return 0;
	same = root_is_cwd(pid);
	if (same < 0) {
		sudcr_error("process %d: cannot stat its root and working directories: %s", pid, strerror(-same));
		return same;
	}
	if (!same) {
		sudcr_error("process %d: its root directory %s was removed, and is not its working directory: not supported",
			    pid, path);
		return -EOPNOTSUPP;
	}
	return 1;
}

static int dump_cwd_deleted(struct dump_ctx *d)
{
	struct rec_cwd_deleted rec = { 0 };
	char proc[64], link[REC_PATH_MAX];
	struct stat st;
	int ret;

	ret = proc_read_link(d->proc_pid, "cwd", link, sizeof(link));
	if (ret) {
		sudcr_error("process %d: cannot read /proc/%d/cwd: %s", d->pid, d->proc_pid, strerror(-ret));
		return ret;
	}
	ret = deleted_cwd_strip(d->proc_pid, link);
	if (ret <= 0)
		return ret;
	snprintf(proc, sizeof(proc), "/proc/%d/cwd", d->proc_pid);
	if (stat(proc, &st)) {
		ret = -errno;
		sudcr_error("process %d: cannot stat its working directory: %s", d->pid, strerror(-ret));
		return ret;
	}
	rec.mode = st.st_mode;
	rec.uid = st.st_uid;
	rec.gid = st.st_gid;
	rec.mtime_sec = st.st_mtim.tv_sec;
	rec.mtime_nsec = st.st_mtim.tv_nsec;
	ret = proc_read_link(d->proc_pid, "root", link, sizeof(link));
	if (ret) {
		sudcr_error("process %d: cannot read /proc/%d/root: %s", d->pid, d->proc_pid, strerror(-ret));
		return ret;
	}
	ret = deleted_root_strip(d->proc_pid, link);
	if (ret < 0)
		return ret;
	if (ret)
		rec.flags |= REC_CWD_DELETED_ROOT;
	return img_write_record(d->img, IMG_REC_CWD_DELETED, &rec, sizeof(rec));
}

/* ---- restore ---- */

static int prepare_cwd_deleted(struct restore_ctx *r)
{
	const struct rec_cwd_deleted *rec;
	const void *data;
	size_t len;
	int ret, nr = 0;

	img_rewind(r->img);
	while ((ret = cr_next_of_type(r->img, IMG_REC_CWD_DELETED, &data, &len)) == 1) {
		rec = data;
		if (len != sizeof(*rec) || nr++)
			return img_record_invalid(r->img, "bad or repeated removed-cwd record");
		if (!S_ISDIR(rec->mode) || (rec->flags & ~REC_CWD_DELETED_ROOT) || rec->mtime_nsec < 0 || rec->mtime_nsec >= 1000000000)
			return img_record_invalid(r->img, "removed cwd: bad mode or mtime");
		r->cwd_deleted = rec;
	}
	return ret;
}

int deleted_cwd_enter(const struct restore_ctx *r, const char *cwd)
{
	const struct rec_cwd_deleted *rec = r->cwd_deleted;
	const struct timespec ts[2] = { { 0, UTIME_OMIT }, { rec->mtime_sec, rec->mtime_nsec } };
	char *tmp = NULL, *dir = NULL;
	const char *at = cwd;
	int err;

	if (mkdir(cwd, 0700)) {
		if (errno != EEXIST)
			goto out_err;
		/* The name is taken: a directory of another name there. */
		dir = path_parent(cwd);
		errno = ENOMEM;
		if (!dir || asprintf(&tmp, "%s/.sudcr-deleted-XXXXXX", strcmp(dir, "/") ? dir : "") < 0 ||
		    !mkdtemp(tmp))
			goto out_err;
		at = tmp;
	}
	if (chdir(at) || rmdir(at) || chown(".", rec->uid, rec->gid) || chmod(".", rec->mode & 07777) ||
	    utimensat(AT_FDCWD, ".", ts, 0))
		goto out_err;
	free(tmp);
	free(dir);
	return 0;
out_err:
	err = errno;
	sudcr_error("cannot restore the working directory %s (removed): making it again: %s", cwd, strerror(err));
	free(tmp);
	free(dir);
	return -err;
}

bool deleted_cwd_is_root(const struct restore_ctx *r)
{
	return r->cwd_deleted && (r->cwd_deleted->flags & REC_CWD_DELETED_ROOT);
}

const struct cr_kind cr_kind_cwd_deleted = {
	.name = "cwd_deleted",
	.types = (const struct cr_rec_type[]){
		{ IMG_REC_CWD_DELETED, "cwd_deleted" },
		{ 0, NULL },
	},
	.flags = CR_KIND_DUMP_LAST,
	.dump = dump_cwd_deleted,
	.prepare = prepare_cwd_deleted,
};
