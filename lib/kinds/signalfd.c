// SPDX-License-Identifier: MIT
/*
 * The signalfd fd kind (REC_FD_SIGNALFD): an anon inode whose fdinfo shows
 * sigmask.  The mask is kept in the FD record itself (rec_fd.count); the
 * restore makes a new signalfd with it in the stub.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fd.h"
#include "fd_dump.h"
#include "files.h"

static int signalfd_recognise(struct files_dump *f, struct dump_fd *x)
{
	(void)f;
	return x->p->has_signalfd && !strcmp(x->p->link, "anon_inode:[signalfd]") ? FD_MINE :
										      FD_NOT_MINE;
}

static int signalfd_fill(struct files_dump *f, int i, struct rec_fd *rec)
{
	rec->count = f->x[i].p->signalfd_mask;
	return 0;
}

/* In the stub: the new signalfd; -1 and errno if it cannot be made. */
static int signalfd_open(struct restore_files_state *s, int i, bool *own)
{
	/* The kernel's sigset: 8 bytes, bit N-1 for signal N; it drops SIGKILL/SIGSTOP. */
	uint64_t mask = s->fds[i].rec->count;

	(void)own;
	return (int)syscall(SYS_signalfd4, -1, &mask, sizeof(mask), SFD_CLOEXEC | SFD_NONBLOCK);
}

static void signalfd_show(const struct rec_fd *rec, bool json, char *buf, size_t size)
{
	if (json)
		snprintf(buf, size, ",\"count\":\"0x%" PRIx64 "\"", rec->count);
	else
		snprintf(buf, size, " mask 0x%" PRIx64, rec->count);
}

const struct fd_kind fd_kind_signalfd = {
	.kind = REC_FD_SIGNALFD,
	.name = "signalfd",
	.show_name = "signalfd",
	.recognise = signalfd_recognise,
	.fill = signalfd_fill,
	.open = signalfd_open,
	.show = signalfd_show,
};
