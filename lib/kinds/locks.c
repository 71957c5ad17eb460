// SPDX-License-Identifier: MIT
/*
 * Dump of file locks (lib/dump/files.c calls in), the counterpart of
 * lib/restore/locks.c.
 *
 * fdinfo shows, for one open file description, its flock and OFD locks
 * (owner: the description) and the POSIX locks the process took through it
 * (owner: the fd table; pid: the process); every fd of the description
 * shows the same lines, so they are read once, from the lowest fd.
 * /proc/locks then tells whether the process holds POSIX locks through no
 * fd at all.  Only advisory flock, OFD and POSIX locks can be taken again
 * as they were; the rest is refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include <sudcr/image_records.h>
#include <sudcr/log.h>

#include "locks.h"

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
 * its POSIX locks on that file: a POSIX lock on a file the process maps
 * would not survive the restore.
 */
static int check_posix_mapped(const struct proc_vma *vmas, int nr, const struct lock_holder *h, int n)
{
	int ret = 0;

	for (int i = 0; i < n && !ret; i++) {
		for (int k = 0; k < h[i].nr && !ret; k++) {
			const struct proc_lock *l = &h[i].locks[k];

			if (l->kind != PROC_LOCK_POSIX)
				continue;
			for (int v = 0; v < nr; v++) {
				if (vmas[v].ino != l->ino || vmas[v].dev_major != l->dev_major ||
				    vmas[v].dev_minor != l->dev_minor)
					continue;
				sudcr_error("fd %d (%s): a POSIX lock on a file the process also maps is not supported yet",
					    h[i].fd, h[i].link);
				ret = -EOPNOTSUPP;
				break;
			}
		}
	}
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
	return check_posix_mapped(vmas, nr_vmas, h, n_holders);
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
