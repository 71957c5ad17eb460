// SPDX-License-Identifier: MIT
/*
 * Files changed behind the image (issue #13): for every file the process
 * has open (a regular file that still has its name) or maps (executables
 * and libraries included), the dump records what it was (device, inode,
 * size, mtime, ctime, mode, mount id) and how the process held it; before
 * anything is created, the restore compares each with what is at its path
 * now.
 *
 * Why a refusal and not a warning: a process that had a file open for
 * writing, held a lock on it or mapped it works on the file's contents as
 * they were.  Someone else's change meanwhile is overwritten by its next
 * write, silently (sqlite3 in an open transaction, dumped, which releases
 * its locks: another client commits, the restored COMMIT writes over that
 * client's row and integrity_check still says ok).  A mapped library that
 * was rewritten at its path would be mapped into the process in place of
 * the one it ran.  So a change to such a file refuses the restore, one line
 * naming the file; --allow-changed-files goes on with a warning per file.
 * A file that was only open for reading is warned of (its size must still
 * be the same: the fd kind, reg.c, refuses a changed size, as before).
 *
 * ctime is compared too: it changes with every write, truncate, chmod or
 * link, also when the mtime was set back (touch -d), and cannot be set
 * back.  The mount id is kept for show and messages: it is not stable
 * across a remount, the device and inode are what say "the same file".
 *
 * One record per (path, device, inode), after the files' records.  Not
 * optional: a restorer that does not know it would skip the check.
 *
 * The dump also checks that the path of each file, directory or FIFO fd
 * still leads through the mount the fd was opened through (fdinfo's
 * mnt_id against statx's): a path mounted over since, by another mount of
 * the same filesystem or any other, would be opened there by the restore.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "cr.h"
#include <sudcr/log.h>

#include "../proc/proc.h"
#include "changed.h"
#include "kinds.h"

#define IMG_REC_FILE_STAMP	150

/* rec_file_stamp.flags: how the process held the file. */
#define REC_STAMP_READ		(1u << 0)	/* open for reading only */
#define REC_STAMP_WRITE		(1u << 1)	/* open for writing */
#define REC_STAMP_LOCKED	(1u << 2)	/* a file lock taken through one of its fds */
#define REC_STAMP_MAP_SHARED	(1u << 3)	/* mapped MAP_SHARED */
#define REC_STAMP_MAP_PRIVATE	(1u << 4)	/* mapped MAP_PRIVATE */
#define REC_STAMP_MAP_EXEC	(1u << 5)	/* mapped executable (a program or library) */
#define REC_STAMP_KNOWN		((1u << 6) - 1)
/* A change of a file held so refuses the restore. */
#define REC_STAMP_STRICT	(REC_STAMP_WRITE | REC_STAMP_LOCKED | REC_STAMP_MAP_SHARED | \
				 REC_STAMP_MAP_PRIVATE | REC_STAMP_MAP_EXEC)

struct rec_file_stamp {
	uint64_t dev, ino;		/* st_dev, st_ino */
	uint64_t size;			/* st_size */
	int64_t mtime_sec, mtime_nsec;
	int64_t ctime_sec, ctime_nsec;
	uint32_t mode;			/* st_mode */
	uint32_t flags;			/* REC_STAMP_* */
	int32_t mnt_id;			/* of an fd on it (fdinfo), -1 if only mapped */
	uint32_t path_len;		/* followed by path_len bytes, no NUL */
};

struct stamp {
	struct rec_file_stamp rec;
	char path[REC_PATH_MAX];
};

struct stamps {
	struct stamp *v;
	int nr, cap;
};

/* ---- dump ---- */

static int stamp_add(struct stamps *s, const char *path, const struct stat *st, uint32_t flags, int mnt_id)
{
	size_t len = strlen(path);
	struct stamp *e;

	if (len >= REC_PATH_MAX)
		return -ENAMETOOLONG;
	for (int i = 0; i < s->nr; i++) {
		e = &s->v[i];
		if (e->rec.dev == (uint64_t)st->st_dev && e->rec.ino == (uint64_t)st->st_ino &&
		    e->rec.path_len == len && !memcmp(e->path, path, len)) {
			e->rec.flags |= flags;
			if (e->rec.mnt_id < 0)
				e->rec.mnt_id = mnt_id;
			return 0;
		}
	}
	if (s->nr == s->cap) {
		int cap = s->cap ? 2 * s->cap : 16;
		void *v = realloc(s->v, (size_t)cap * sizeof(*s->v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	e = &s->v[s->nr++];
	memset(&e->rec, 0, sizeof(e->rec));
	e->rec.dev = st->st_dev;
	e->rec.ino = st->st_ino;
	e->rec.size = (uint64_t)st->st_size;
	e->rec.mtime_sec = st->st_mtim.tv_sec;
	e->rec.mtime_nsec = st->st_mtim.tv_nsec;
	e->rec.ctime_sec = st->st_ctim.tv_sec;
	e->rec.ctime_nsec = st->st_ctim.tv_nsec;
	e->rec.mode = st->st_mode;
	e->rec.flags = flags;
	e->rec.mnt_id = mnt_id;
	e->rec.path_len = (uint32_t)len;
	memcpy(e->path, path, len);
	return 0;
}

/*
 * Files of /proc and /sys hold no contents of their own to be changed
 * behind the image, and their times are those of inodes made on demand.
 */
static bool pseudo_file(const char *path)
{
	return !strncmp(path, "/proc/", 6) || !strncmp(path, "/sys/", 5);
}

/*
 * The restore opens a file again by its path.  The fd names the mount it
 * was opened through (fdinfo's mnt_id); if the path leads through another
 * mount now (mounted over since, or another mount of the same filesystem
 * in its place), the restore would open another file, or the same one
 * through a mount with other flags: refused, one line.
 */
static int check_mount(const struct proc_fd *p, const struct stat *st)
{
	struct statx sx;
	int err;

	if (!S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode) && !S_ISFIFO(st->st_mode))
		return 0;
	if (!strncmp(p->link, "/proc/", 6) || p->mnt_id <= 0)
		return 0;	/* procfd.c's: another proc instance may say other ids */
	if (statx(AT_FDCWD, p->link, AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &sx))
		return 0;	/* gone: the fd's kind says what it does */
	if (!(sx.stx_mask & STATX_MNT_ID) || sx.stx_mnt_id == (uint64_t)p->mnt_id)
		return 0;
	err = -EOPNOTSUPP;
	sudcr_error("cannot dump fd %d (%s): opened through mount %d, but that path now leads through mount %llu (mounted over?): the restore would open it there",
		    p->fd, p->link, p->mnt_id, (unsigned long long)sx.stx_mnt_id);
	return err;
}

/* The open regular files that still have their names (what reg.c reopens). */
static int stamp_fds(struct dump_ctx *d, struct stamps *s)
{
	struct proc_fd *fds = NULL;
	int nr = 0, ret = proc_list_fds(d->proc_pid, &fds, &nr);

	if (ret) {
		sudcr_error("process %d: cannot list its fds: %s", d->pid, strerror(-ret));
		return ret;
	}
	for (int i = 0; i < nr && !ret; i++) {
		const struct proc_fd *p = &fds[i];
		size_t len = strlen(p->link);
		uint32_t flags;
		char link[64];
		struct stat st;

		if (p->link[0] != '/' || (len > 10 && !strcmp(p->link + len - 10, " (deleted)")))
			continue;
		snprintf(link, sizeof(link), "/proc/%d/fd/%d", d->proc_pid, p->fd);
		if (stat(link, &st))
			continue;	/* closed meanwhile?  its kind said what it was */
		ret = check_mount(p, &st);
		if (ret)
			break;
		if ((p->flags & O_PATH) || !S_ISREG(st.st_mode) || !st.st_nlink || pseudo_file(p->link))
			continue;	/* not a named regular file: its kind says what it is */
		flags = (p->flags & O_ACCMODE) == O_RDONLY ? REC_STAMP_READ : REC_STAMP_WRITE;
		if (p->nr_locks)
			flags |= REC_STAMP_LOCKED;
		ret = stamp_add(s, p->link, &st, flags, p->mnt_id);
		if (ret)
			sudcr_error("cannot dump fd %d (%s): %s", p->fd, p->link, strerror(-ret));
	}
	free(fds);
	return ret;
}

/* The mapped files that still have their names (what the mm maps again by path). */
static int stamp_vmas(struct dump_ctx *d, struct stamps *s)
{
	for (int i = 0; i < d->nr_vmas; i++) {
		const struct proc_vma *v = &d->vmas[i];
		char link[96];
		struct stat st;
		uint32_t flags;
		int ret;

		if (v->kind != VMA_FILE || v->deleted || v->path[0] != '/' || pseudo_file(v->path))
			continue;
		snprintf(link, sizeof(link), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, d->proc_pid,
			 v->start, v->end);
		if (stat(link, &st)) {
			ret = -errno;
			sudcr_error("cannot dump mapping %llx-%llx (%s): %s: %s", (unsigned long long)v->start,
				    (unsigned long long)v->end, v->path, link, strerror(-ret));
			return ret;
		}
		if (!S_ISREG(st.st_mode))
			continue;	/* a device mapping: the mm kind says what it does with it */
		flags = v->shared ? REC_STAMP_MAP_SHARED : REC_STAMP_MAP_PRIVATE;
		if (v->prot & PROT_EXEC)
			flags |= REC_STAMP_MAP_EXEC;
		ret = stamp_add(s, v->path, &st, flags, -1);
		if (ret) {
			sudcr_error("cannot dump mapping %llx-%llx (%s): %s", (unsigned long long)v->start,
				    (unsigned long long)v->end, v->path, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

static int dump_file_stamps(struct dump_ctx *d)
{
	struct stamps s = { 0 };
	int ret = stamp_fds(d, &s);

	if (!ret)
		ret = stamp_vmas(d, &s);
	for (int i = 0; i < s.nr && !ret; i++)
		ret = img_write_record(d->img, IMG_REC_FILE_STAMP, &s.v[i],
				       sizeof(s.v[i].rec) + s.v[i].rec.path_len);
	free(s.v);
	return ret;
}

/* ---- restore ---- */

/* The next checked stamp record: 1 with *rec and its path in @path, 0 at the end, or -errno. */
static int next_stamp(struct restore_ctx *r, const struct rec_file_stamp **rec, char *path)
{
	const void *data;
	size_t len;
	int ret = cr_next_of_type(r->img, IMG_REC_FILE_STAMP, &data, &len);
	const struct rec_file_stamp *s = data;

	if (ret != 1)
		return ret;
	if (len < sizeof(*s) || len - sizeof(*s) != s->path_len)
		return img_record_invalid(r->img, "file stamp: bad length %zu", len);
	if (!s->path_len || s->path_len >= REC_PATH_MAX)
		return img_record_invalid(r->img, "file stamp: path length %u", s->path_len);
	if (s->flags & ~REC_STAMP_KNOWN || !s->flags)
		return img_record_invalid(r->img, "file stamp: flags %#x", s->flags);
	if (!S_ISREG(s->mode) || s->mtime_nsec < 0 || s->mtime_nsec >= 1000000000 ||
	    s->ctime_nsec < 0 || s->ctime_nsec >= 1000000000 || s->size > INT64_MAX || s->mnt_id < -1)
		return img_record_invalid(r->img, "file stamp: bad mode, size, mount id or times");
	memcpy(path, s + 1, s->path_len);
	path[s->path_len] = '\0';
	if (path[0] != '/' || strlen(path) != s->path_len)
		return img_record_invalid(r->img, "file stamp: not an absolute path");
	*rec = s;
	return 1;
}

static int prepare_file_stamps(struct restore_ctx *r)
{
	const struct rec_file_stamp *s;
	char path[REC_PATH_MAX];
	int ret;

	img_rewind(r->img);
	while ((ret = next_stamp(r, &s, path)) == 1)
		;
	return ret;
}

static const char *held_as(uint32_t flags)
{
	if (flags & REC_STAMP_LOCKED)
		return "held a lock on it";
	if (flags & REC_STAMP_WRITE)
		return "had it open for writing";
	if (flags & REC_STAMP_MAP_SHARED)
		return "mapped it shared";
	if (flags & REC_STAMP_MAP_EXEC)
		return "mapped it as code";
	if (flags & REC_STAMP_MAP_PRIVATE)
		return "mapped it";
	return "had it open for reading";
}

/* What changed of @s, into @buf; false if nothing did. */
static bool what_changed(const struct rec_file_stamp *s, const struct stat *st, char *buf, size_t size)
{
	if ((uint64_t)st->st_dev != s->dev || (uint64_t)st->st_ino != s->ino)
		snprintf(buf, size, "another file at its path: device %llx inode %llu, was %llx inode %llu",
			 (unsigned long long)st->st_dev, (unsigned long long)st->st_ino,
			 (unsigned long long)s->dev, (unsigned long long)s->ino);
	else if ((st->st_mode & S_IFMT) != (s->mode & S_IFMT))
		snprintf(buf, size, "no longer a regular file");
	else if ((uint64_t)st->st_size != s->size)
		snprintf(buf, size, "size %llu -> %llu", (unsigned long long)s->size,
			 (unsigned long long)st->st_size);
	else if (st->st_mtim.tv_sec != s->mtime_sec || st->st_mtim.tv_nsec != s->mtime_nsec)
		snprintf(buf, size, "modified, same size");
	else if (st->st_ctim.tv_sec != s->ctime_sec || st->st_ctim.tv_nsec != s->ctime_nsec)
		snprintf(buf, size, "its inode changed (ctime), same size and mtime");
	else
		return false;
	return true;
}

int file_stamps_check(struct restore_ctx *r)
{
	const struct rec_file_stamp *s;
	char path[REC_PATH_MAX], what[160];
	int ret;

	img_rewind(r->img);
	while ((ret = next_stamp(r, &s, path)) == 1) {
		struct stat st;

		/* Gone: the fd's or the mapping's own check says so, with its fd or addresses. */
		if (stat(path, &st) || !what_changed(s, &st, what, sizeof(what)))
			continue;
		if (!(s->flags & REC_STAMP_STRICT)) {
			/* Open for reading only: a new size is reg.c's refusal. */
			if ((uint64_t)st.st_dev == s->dev && (uint64_t)st.st_ino == s->ino &&
			    (uint64_t)st.st_size != s->size)
				continue;
			sudcr_warn("%s changed since the dump (%s); the process had it open for reading",
				   path, what);
			continue;
		}
		if (r->opts.allow_changed_files) {
			sudcr_warn("%s changed since the dump (%s) and the process %s: restored anyway (--allow-changed-files)",
				   path, what, held_as(s->flags));
			continue;
		}
		sudcr_error("cannot restore: %s changed since the dump (%s) and the process %s (--allow-changed-files restores it anyway)",
			    path, what, held_as(s->flags));
		return -ESTALE;
	}
	return ret;
}

bool file_stamps_in_image(struct restore_ctx *r)
{
	const void *data;
	size_t len;

	img_rewind(r->img);
	return cr_next_of_type(r->img, IMG_REC_FILE_STAMP, &data, &len) == 1;
}

const struct cr_kind cr_kind_file_stamps = {
	.name = "file_stamps",
	.types = (const struct cr_rec_type[]){
		{ IMG_REC_FILE_STAMP, "file_stamp" },
		{ 0, NULL },
	},
	.flags = CR_KIND_DUMP_LAST,
	.dump = dump_file_stamps,
	.prepare = prepare_file_stamps,
};
