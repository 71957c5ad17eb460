// SPDX-License-Identifier: MIT
/*
 * File locks: their dump (lib/dump/files.c calls in) and, below, their
 * restore.
 *
 * fdinfo shows, for one open file description, its flock and OFD locks
 * (owner: the description) and the POSIX locks the process took through it
 * (owner: the fd table; pid: the process); every fd of the description
 * shows the same lines, so they are read once, from the lowest fd.
 * /proc/locks then tells whether the process holds POSIX locks through no
 * fd at all.  Only advisory flock, OFD and POSIX locks can be taken again
 * as they were; the rest is refused.
 *
 * Restore of file locks, the IMG_REC_LOCK records of lib/dump/files.c.
 *
 * rf_lock_rec() validates each record while files.c reads the fd table;
 * rf_take_locks() runs in the stub, once every fd is at its number (a
 * POSIX lock goes when any fd of its file is closed, and the staging
 * closes some), and takes each lock again on the restored description,
 * without waiting: flock() for a flock, F_OFD_SETLK for an OFD lock,
 * F_SETLK for a POSIX lock (the stub is the process: its PID and its fd
 * table own it).  A lock someone else holds now ends the restore with one
 * line.  rf_check_locks() runs in sudcr once the memory is in place
 * (restoring mappings opens and closes files in the process, and a close
 * drops POSIX locks: a file the process holds POSIX locks on is mapped
 * through the process's own fd, locks_mapping_fd()): it
 * reads the locks back from fdinfo and compares them with the image, the
 * kernel merging and splitting POSIX ranges as it does; what the process
 * gets must be what it had.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cr.h"
#include "image_records.h"
#include <sudcr/log.h>
#include "proc/proc.h"

#include "locks.h"
#include "files.h"

_Static_assert(sizeof(struct rec_lock) == 32, "rec_lock layout");

static const char *lock_type_name(int type)
{
	return type == F_RDLCK ? "READ" : type == F_WRLCK ? "WRITE" : "UNLCK";
}

/* See locks.h; the lines fdinfo shows are described at the top. */
int dump_locks_read(pid_t proc_pid, int fd, const char *link, const char *no_locks_why,
		    struct proc_lock **locks, int *nr, int *nr_posix)
{
	int ret = proc_read_fd_locks(proc_pid, fd, locks, nr);

	if (ret) {
		sudcr_error("fd %d (%s): cannot read its locks from fdinfo: %s", fd, link,
			    strerror(-ret));
		return ret;
	}
	for (int k = 0; k < *nr; k++) {
		const struct proc_lock *l = &(*locks)[k];

		if (l->kind == PROC_LOCK_OTHER || !l->advisory || l->type == F_UNLCK) {
			bool lease = !strcmp(l->name, "LEASE");

			sudcr_error("fd %d (%s): holds a %s (%s %s): %s not supported yet",
				    fd, link, lease ? "lease, F_SETLEASE" : "file lock",
				    l->name, lock_type_name(l->type),
				    lease ? "leases are" : "such locks are");
			return -EOPNOTSUPP;
		}
		if (no_locks_why) {
			sudcr_error("fd %d (%s): a lock on %s is not supported", fd, link, no_locks_why);
			return -EOPNOTSUPP;
		}
		if (l->kind == PROC_LOCK_POSIX && l->pid != proc_pid) {
			sudcr_error("fd %d (%s): holds a POSIX lock of process %d (an fd table shared with another process?): not supported",
				    fd, link, l->pid);
			return -EOPNOTSUPP;
		}
		if (l->kind == PROC_LOCK_POSIX)
			(*nr_posix)++;
	}
	return 0;
}

/*
 * The restore maps files by opening them in the process and closing the fd
 * again (lib/restore/mm.c), and any close of a file by the process drops
 * its POSIX locks on that file.  A mapping of a file the process holds
 * POSIX locks on is made through an fd the process has open on it instead
 * (locks_mapping_fd()): there must be one, named, with the access the
 * mapping needs.  sqlite3 in WAL mode maps its -shm file shared through
 * the very fd it locks it through.
 */
static bool has_fd_to_map(pid_t proc_pid, const struct proc_vma *v, const struct proc_fd *fds, int nr)
{
	bool rw = v->shared && ((v->prot & PROT_WRITE) || (v->vmflags & PROC_VMF_MW));

	for (int i = 0; i < nr; i++) {
		const struct proc_fd *p = &fds[i];
		size_t len = strlen(p->link);
		char link[64];
		struct stat st;

		if (p->link[0] != '/' || (len > 10 && !strcmp(p->link + len - 10, " (deleted)")) ||
		    !locks_fd_can_map(p->flags, v->shared, rw))
			continue;
		snprintf(link, sizeof(link), "/proc/%d/fd/%d", proc_pid, p->fd);
		if (!stat(link, &st) && S_ISREG(st.st_mode) && st.st_ino == v->ino &&
		    major(st.st_dev) == v->dev_major && minor(st.st_dev) == v->dev_minor)
			return true;
	}
	return false;
}

static int check_posix_mapped(pid_t proc_pid, const struct proc_vma *vmas, int nr, const struct lock_holder *h,
			      int n)
{
	struct proc_fd *fds = NULL;
	int nr_fds = -1, ret = 0;

	for (int i = 0; i < n && !ret; i++) {
		for (int k = 0; k < h[i].nr && !ret; k++) {
			const struct proc_lock *l = &h[i].locks[k];

			if (l->kind != PROC_LOCK_POSIX)
				continue;
			for (int v = 0; v < nr && !ret; v++) {
				if (vmas[v].ino != l->ino || vmas[v].dev_major != l->dev_major ||
				    vmas[v].dev_minor != l->dev_minor)
					continue;
				if (nr_fds < 0) {
					ret = proc_list_fds(proc_pid, &fds, &nr_fds);
					if (ret) {
						sudcr_error("fd %d (%s): cannot list the fds of the process: %s",
							    h[i].fd, h[i].link, strerror(-ret));
						break;
					}
				}
				if (!vmas[v].deleted && has_fd_to_map(proc_pid, &vmas[v], fds, nr_fds))
					continue;
				sudcr_error("fd %d (%s): a POSIX lock on a file the process maps at %llx-%llx%s is not supported yet",
					    h[i].fd, h[i].link, (unsigned long long)vmas[v].start,
					    (unsigned long long)vmas[v].end,
					    vmas[v].deleted ? " (deleted)" : " with no fd open with the access of that mapping");
				ret = -EOPNOTSUPP;
			}
		}
	}
	free(fds);
	return ret;
}

/*
 * Every POSIX lock of the process must have been seen through an fd: one
 * held through a description the process no longer has at any fd could
 * not be taken again.  /proc/locks lists them all, by pid.  Reading it
 * costs an RCU grace period (its seq_file takes the file-lock percpu
 * rwsem for writing: 8-18 ms here), so only processes that hold POSIX
 * locks pay for it: closing any fd of a file drops the process's POSIX
 * locks on that file, so one with none at any fd holds none at all.
 */
int dump_locks_check_posix(pid_t proc_pid, pid_t pid, int nr_posix, const struct lock_holder *h,
			   int n_holders, const struct proc_vma *vmas, int nr_vmas)
{
	struct proc_lock *all = NULL;
	int nr = 0, ret, n = 0;

	if (!nr_posix)
		return 0;
	ret = proc_read_locks(&all, &nr);
	if (ret) {
		sudcr_error("cannot read /proc/locks: %s", strerror(-ret));
		return ret;
	}
	for (int k = 0; k < nr; k++)
		if (all[k].kind == PROC_LOCK_POSIX && all[k].pid == proc_pid)
			n++;
	free(all);
	if (n > nr_posix) {
		sudcr_error("process %d holds %d POSIX locks, %d of them through no fd it has open: not supported",
			    pid, n, n - nr_posix);
		return -EOPNOTSUPP;
	}
	return check_posix_mapped(proc_pid, vmas, nr_vmas, h, n_holders);
}

int dump_locks_write(struct img_writer *img, int fd, const struct proc_lock *locks, int nr)
{
	for (int k = 0; k < nr; k++) {
		const struct proc_lock *l = &locks[k];
		struct rec_lock rec = {
			.fd = fd,
			.type = (uint32_t)l->type,
		};
		int ret;

		if (l->kind == PROC_LOCK_FLOCK) {
			rec.kind = REC_LOCK_FLOCK;
		} else {
			rec.kind = l->kind == PROC_LOCK_OFD ? REC_LOCK_OFD : REC_LOCK_POSIX;
			rec.start = l->start;
			rec.len = l->end == UINT64_MAX ? 0 : l->end - l->start + 1;
		}
		ret = img_write_record(img, IMG_REC_LOCK, &rec, sizeof(rec));
		if (ret)
			return ret;
		sudcr_debug("fd %d: %s %s lock %llu+%llu", fd, l->name,
			    lock_type_name(l->type), (unsigned long long)rec.start,
			    (unsigned long long)rec.len);
	}
	return 0;
}

/* ---- restore ---- */

int rf_lock_rec(struct restore_ctx *r, struct restore_files_state *s, const struct rec_lock *l,
		size_t len)
{
	uint32_t kind;
	int i, ret;

	if (len != sizeof(*l) || l->pad)
		return img_record_invalid(r->img, "bad lock record");
	i = rf_find_fd(s, l->fd);
	if (i < 0 || s->fds[i].desc != i)
		return img_record_invalid(r->img, "lock record for fd %d, which is no description before it",
					  l->fd);
	kind = s->fds[i].rec->kind;
	if (kind == REC_FD_INHERIT || kind == REC_FD_PATH)
		return img_record_invalid(r->img, "lock record for fd %d, a %s", l->fd,
					  kind == REC_FD_INHERIT ? "fd inherited from the caller" :
								   "O_PATH fd");
	if (l->type != F_RDLCK && l->type != F_WRLCK)
		return img_record_invalid(r->img, "fd %d: lock type %u", l->fd, l->type);
	if (l->kind == REC_LOCK_FLOCK ? l->start || l->len :
	    (l->kind != REC_LOCK_OFD && l->kind != REC_LOCK_POSIX) || l->start > INT64_MAX ||
	    (l->len && l->len - 1 > INT64_MAX - l->start))
		return img_record_invalid(r->img, "fd %d: bad lock", l->fd);
	ret = rf_grow((void **)&s->locks, &s->cap_locks, s->nr_locks, sizeof(*s->locks));
	if (ret)
		return ret;
	s->locks[s->nr_locks++] = l;
	return 0;
}

static const char *lock_name(const struct rec_lock *l)
{
	return l->kind == REC_LOCK_FLOCK ? "flock" : l->kind == REC_LOCK_OFD ? "OFD lock" :
									  "POSIX lock";
}

static void take_lock(const struct rf_fd *e, const struct rec_lock *l)
{
	struct flock fl = {
		.l_type = (short)l->type,
		.l_whence = SEEK_SET,
		.l_start = (off_t)l->start,
		.l_len = (off_t)l->len,
	};
	int ret;

	if (l->kind == REC_LOCK_FLOCK)
		ret = flock(e->rec->fd, (l->type == F_WRLCK ? LOCK_EX : LOCK_SH) | LOCK_NB);
	else
		ret = fcntl(e->rec->fd, l->kind == REC_LOCK_OFD ? F_OFD_SETLK : F_SETLK, &fl);
	if (!ret)
		return;
	if (errno == EWOULDBLOCK || errno == EAGAIN || errno == EACCES) {
		if (l->kind == REC_LOCK_FLOCK)
			rf_stub_die("cannot restore fd %d (%s): its flock (%s) is held by another process",
				    e->rec->fd, e->path, l->type == F_WRLCK ? "LOCK_EX" : "LOCK_SH");
		char end[32] = "EOF";

		if (l->len)
			snprintf(end, sizeof(end), "%llu", (unsigned long long)(l->start + l->len - 1));
		rf_stub_die("cannot restore fd %d (%s): its %s (%s, bytes %llu-%s) is held by another process",
			    e->rec->fd, e->path, lock_name(l), l->type == F_WRLCK ? "F_WRLCK" : "F_RDLCK",
			    (unsigned long long)l->start, end);
	}
	rf_die_fd(e, lock_name(l), errno);
}

static bool same_lock(const struct rec_lock *l, const struct proc_lock *p)
{
	int kind = l->kind == REC_LOCK_FLOCK ? PROC_LOCK_FLOCK :
		   l->kind == REC_LOCK_OFD ? PROC_LOCK_OFD : PROC_LOCK_POSIX;
	uint64_t end = l->len ? l->start + l->len - 1 : UINT64_MAX;

	if (p->kind != kind || p->type != (int)l->type)
		return false;
	return l->kind == REC_LOCK_FLOCK || (p->start == l->start && p->end == end);
}

/* The locks of description @e, read back, are those of the image, no more, no less. */
static int check_locks(pid_t pid, struct restore_files_state *s, const struct rf_fd *e)
{
	struct proc_lock *v = NULL;
	int nr = 0, want = 0, ret;

	ret = proc_read_fd_locks(pid, e->rec->fd, &v, &nr);
	if (ret) {
		sudcr_error("cannot restore fd %d (%s): reading its locks back: %s", e->rec->fd,
			    e->path, strerror(-ret));
		return ret;
	}
	for (int k = 0; k < s->nr_locks && !ret; k++) {
		const struct rec_lock *l = s->locks[k];
		bool found = false;

		if (l->fd != e->rec->fd)
			continue;
		want++;
		for (int j = 0; j < nr && !found; j++)
			found = same_lock(l, &v[j]);
		if (!found) {
			sudcr_error("cannot restore fd %d (%s): its %s on bytes %llu+%llu did not come back as it was",
				    e->rec->fd, e->path, lock_name(l), (unsigned long long)l->start,
				    (unsigned long long)l->len);
			ret = -EIO;
		}
	}
	free(v);
	if (!ret && nr != want) {
		sudcr_error("cannot restore fd %d (%s): %d locks came back, the image has %d",
			    e->rec->fd, e->path, nr, want);
		ret = -EIO;
	}
	return ret;
}

void rf_take_locks(struct restore_files_state *s)
{
	for (int k = 0; k < s->nr_locks; k++)
		take_lock(&s->fds[rf_find_fd(s, s->locks[k]->fd)], s->locks[k]);
}

int rf_check_locks(pid_t pid, struct restore_files_state *s)
{
	for (int i = 0; i < s->nr; i++) {
		if (s->fds[i].desc != i)
			continue;
		for (int k = 0; k < s->nr_locks; k++) {
			if (s->locks[k]->fd == s->fds[i].rec->fd) {
				int ret = check_locks(pid, s, &s->fds[i]);

				if (ret)
					return ret;
				break;
			}
		}
	}
	return 0;
}

static bool rec_same_file(const struct rec_fd *f, const struct rec_vma *v)
{
	return f->kind == REC_FD_REG && f->ino == v->ino && major(f->dev) == (v->dev >> 32) &&
	       minor(f->dev) == (uint32_t)v->dev;
}

int locks_mapping_fd(struct restore_ctx *r, const struct rec_vma *v)
{
	const struct restore_files_state *s = r->files_state;
	bool shared = v->flags & REC_VMA_SHARED, locked = false;
	bool rw = shared && ((v->prot & PROT_WRITE) || (v->vmflags & PROC_VMF_MW));

	if (!s || !(v->flags & REC_VMA_FILE) || (v->flags & (REC_VMA_DELETED | REC_VMA_MEMFD | REC_VMA_SHMEM)))
		return -1;
	for (int k = 0; k < s->nr_locks && !locked; k++) {
		int i = rf_find_fd(s, s->locks[k]->fd);

		locked = s->locks[k]->kind == REC_LOCK_POSIX && i >= 0 && rec_same_file(s->fds[i].rec, v);
	}
	if (!locked)
		return -1;
	for (int i = 0; i < s->nr; i++)
		if (rec_same_file(s->fds[i].rec, v) && locks_fd_can_map(s->fds[i].rec->flags, shared, rw))
			return s->fds[i].rec->fd;
	return -1;
}
