/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_DUMP_LOCKS_H
#define SUDCR_DUMP_LOCKS_H

/* File locks, for lib/dump/files.c. */

#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "image.h"
#include "image_records.h"
#include "proc/proc.h"

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
 * each on a file the process maps (@vmas: its mappings, as the mm dump
 * read them) is on a named regular file with an fd the restore can map
 * each such mapping through (locks_fd_can_map()).  One line and -EOPNOTSUPP if not.  Nothing to check (and
 * nothing read) when @nr_posix is 0.
 */
int dump_locks_check_posix(pid_t proc_pid, pid_t pid, int nr_posix, const struct lock_holder *h,
			   int nr, const struct proc_vma *vmas, int nr_vmas);

/*
 * Whether a file mapping (@shared: MAP_SHARED; @rw: one that is or may be
 * made writable) can be made through an fd open with @open_flags, and get
 * the same access: readable, and for a shared mapping writable exactly
 * when the mapping may write (a shared mapping through a writable fd may
 * be made writable by mprotect).
 */
static inline bool locks_fd_can_map(uint32_t open_flags, bool shared, bool rw)
{
	uint32_t acc = open_flags & O_ACCMODE;

	if ((open_flags & O_PATH) || (acc != O_RDONLY && acc != O_RDWR))
		return false;
	return !shared || (acc == O_RDWR) == rw;
}

struct restore_ctx;

/*
 * Restore: the fd of the process (at its number once the stub is done)
 * through which the mm maps @v, a mapping of a regular file on which the
 * process holds POSIX locks: mapping it by opening and closing the file in
 * the process would drop them.  -1 for any other mapping.
 */
int locks_mapping_fd(struct restore_ctx *r, const struct rec_vma *v);

/* The IMG_REC_LOCK records of the description at fd @fd. */
int dump_locks_write(struct img_writer *img, int fd, const struct proc_lock *locks, int nr);

#endif
