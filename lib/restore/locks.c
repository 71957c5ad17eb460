// SPDX-License-Identifier: MIT
/*
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
 * drops POSIX locks: the dump refuses POSIX locks on mapped files): it
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
#include <unistd.h>

#include <sudcr/cr.h>
#include <sudcr/log.h>
#include <sudcr/proc.h>

#include "../kinds/files.h"

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
