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

#include <sudcr/log.h>

#include "fd.h"
#include "fd_dump.h"
#include "files.h"

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
	.show = inherit_show,
};
