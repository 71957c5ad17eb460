// SPDX-License-Identifier: MIT
/*
 * The eventfd fd kind (REC_FD_EVENTFD): an anon inode whose fdinfo shows
 * eventfd-count (and eventfd-semaphore).  The counter and the semaphore
 * flag are kept in the FD record itself (rec_fd.count, REC_FD_EFD_SEMAPHORE
 * in rec_fd.xflags); the restore makes a new eventfd in the stub and
 * writes the counter into it.  Its ops are in fd_kind_eventfd, at the end.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "image.h"

#include "fd.h"
#include "fd_dump.h"
#include "files.h"

static int eventfd_recognise(struct files_dump *f, struct dump_fd *x)
{
	(void)f;
	return !strncmp(x->p->link, "anon_inode:", 11) && x->p->has_eventfd ? FD_MINE : FD_NOT_MINE;
}

static int eventfd_fill(struct files_dump *f, int i, struct rec_fd *rec)
{
	const struct proc_fd *p = f->x[i].p;

	rec->count = p->eventfd_count;
	if (p->eventfd_semaphore)
		rec->xflags |= REC_FD_EFD_SEMAPHORE;
	return 0;
}

/* xflags are eventfd's alone (the driver checks the others'), and a counter can never be UINT64_MAX. */
static int eventfd_check(struct restore_ctx *r, const struct rec_fd *rec, const char *path)
{
	(void)path;
	if (rec->xflags & ~REC_FD_EFD_SEMAPHORE || rec->count == UINT64_MAX)
		return img_record_invalid(r->img, "fd %d: bad eventfd state", rec->fd);
	return 0;
}

/* In the stub: the new eventfd, its counter set; -1 and errno if it cannot be made. */
static int eventfd_open(struct restore_files_state *s, int i, bool *own)
{
	const struct rf_fd *e = &s->fds[i];
	const struct rec_fd *rec = e->rec;
	int t;

	(void)own;
	t = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK |
		       (rec->xflags & REC_FD_EFD_SEMAPHORE ? EFD_SEMAPHORE : 0));
	if (t >= 0 && rec->count && write(t, &rec->count, 8) != 8)
		rf_die_fd(e, "setting the counter", errno);
	return t;
}

static void eventfd_show(const struct rec_fd *rec, bool json, char *buf, size_t size)
{
	if (json)
		snprintf(buf, size, ",\"count\":\"0x%" PRIx64 "\"", rec->count);
	else
		snprintf(buf, size, " count %" PRIu64, rec->count);
}

const struct fd_kind fd_kind_eventfd = {
	.kind = REC_FD_EVENTFD,
	.name = "eventfd",
	.show_name = "eventfd",
	.recognise = eventfd_recognise,
	.flags = FD_KIND_XFLAGS,
	.fill = eventfd_fill,
	.check_fd = eventfd_check,
	.open = eventfd_open,
	.show = eventfd_show,
};
