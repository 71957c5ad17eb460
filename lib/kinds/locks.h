/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_DUMP_LOCKS_H
#define SUDCR_DUMP_LOCKS_H

/* File locks, for lib/dump/files.c. */

#include <sys/types.h>

#include <sudcr/image.h>
#include <sudcr/proc.h>

/*
 * The locks taken through the open file description at target fd @fd
 * (@link: its link text, for messages), into *locks (malloc'ed).  What
 * cannot be taken again as it was is refused with one line: leases,
 * delegations and other kinds, any lock when @no_locks_why says the fd
 * cannot hold one we could take again (e.g. "an O_PATH fd"), a POSIX lock
 * of another process.  *nr_posix counts the POSIX locks found.
 */
int dump_locks_read(pid_t proc_pid, int fd, const char *link, const char *no_locks_why,
		    struct proc_lock **locks, int *nr, int *nr_posix);

/* One description's locks, for dump_locks_check_posix(). */
struct lock_holder {
	int fd;
	const char *link;
	const struct proc_lock *locks;
	int nr;
};

/*
 * Every POSIX lock of process @pid (read through @proc_pid) was among the
 * @nr_posix seen through its fds (@h: every description with locks), and
 * none is on a file the process maps (@vmas: its mappings, as the mm dump
 * read them).  One line and -EOPNOTSUPP if not.  Nothing to check (and
 * nothing read) when @nr_posix is 0.
 */
int dump_locks_check_posix(pid_t proc_pid, pid_t pid, int nr_posix, const struct lock_holder *h,
			   int nr, const struct proc_vma *vmas, int nr_vmas);

/* The IMG_REC_LOCK records of the description at fd @fd. */
int dump_locks_write(struct img_writer *img, int fd, const struct proc_lock *locks, int nr);

#endif
