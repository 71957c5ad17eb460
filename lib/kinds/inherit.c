// SPDX-License-Identifier: MIT
/*
 * The inherited fd kind (REC_FD_INHERIT, --shell-job): stdio the caller
 * gave the job (its pipe or socket end, not the job's terminal, which is
 * tty.c's), and other fds on the same description or on another open of
 * that pipe (/dev/stdin).  Nothing of it is dumped but which of fds 0-2
 * it is (rec_fd.inherit_fd); the restore gives the process that fd of
 * sudcr restore, or a new open of it.  The dump's fd driver
 * (lib/dump/files.c, link_fds()) makes an fd this kind: no fd entry is
 * recognised as one by itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>

#include <sudcr/image.h>
#include <sudcr/log.h>

#include "fd.h"
#include "fd_dump.h"
#include "files.h"

/* ---- restore ---- */

/* Only the caller's stdio, which the image keeps as such, is inherited. */
static int inherit_check(struct restore_ctx *r, struct restore_files_state *s, int i)
{
	const struct rec_fd *rec = s->fds[i].rec;
	int k = rf_find_fd(s, rec->inherit_fd);
	const struct rec_fd *kr = k < 0 ? NULL : s->fds[k].rec;

	if (!kr || kr->kind != REC_FD_INHERIT || kr->inherit_fd != kr->fd || kr->desc != kr->fd)
		return img_record_invalid(r->img, "fd %d: inherits fd %d, which is not inherited",
					  rec->fd, rec->inherit_fd);
	if (rec->fd <= 2 && rec->inherit_fd != rec->fd)
		return img_record_invalid(r->img, "fd %d: inherits another stdio fd", rec->fd);
	s->inherit = true;
	return 0;
}

/* In the stub: sudcr restore's fd itself, or another open of the caller's terminal (or file). */
static int inherit_open(struct restore_files_state *s, int i, bool *own)
{
	struct rf_fd *e = &s->fds[i];
	const struct rec_fd *rec = e->rec;

	(void)own;
	if (rec->fd == rec->inherit_fd) {
		if (fcntl(rec->fd, F_GETFD) < 0)
			rf_stub_die("--shell-job: fd %d of sudcr restore is not open, the process needs it",
				    rec->fd);
		e->src = rec->fd;
		return FD_OPEN_IN_PLACE;
	}
	return rf_reopen(rec->inherit_fd, (int)(rec->flags & RF_OPEN_FLAGS) | O_NOCTTY);
}

static void inherit_show(const struct rec_fd *rec, bool json, char *buf, size_t size)
{
	if (json)
		snprintf(buf, size, ",\"inherit_fd\":%d", rec->inherit_fd);
	else
		snprintf(buf, size, " from restorer fd %d", rec->inherit_fd);
}

const struct fd_kind fd_kind_inherit = {
	.kind = REC_FD_INHERIT,
	.name = "inherited fd",
	.show_name = "inherited",
	.flags = FD_KIND_INHERIT_FD,
	.no_locks = "stdio the caller gave (--shell-job)",
	.check = inherit_check,
	.open = inherit_open,
	.show = inherit_show,
};
