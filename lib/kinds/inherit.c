// SPDX-License-Identifier: MIT
/*
 * The inherited fd kind (REC_FD_INHERIT, --shell-job): stdio the caller
 * gave the job (its pipe or socket end, not the job's terminal, which is
 * tty.c's), and other fds on the same description or on another open of
 * that pipe (/dev/stdin).  Nothing of it is dumped but which of fds 0-2
 * it is (rec_fd.inherit_fd); the restore gives the process that fd of
 * sudcr restore, or a new open of it.  No fd entry is recognised as one
 * by itself: the dump's fd driver (lib/dump/files.c, link_fds()) has
 * inherit_mark_stdio() and inherit_spread() make fds of this kind, around
 * its linking of descriptions.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "image.h"
#include <sudcr/log.h>

#include "fd.h"
#include "fd_dump.h"
#include "files.h"

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

/* ---- dump ---- */

/*
 * --shell-job: stdio that is the caller's pipe (or socket) end is replaced
 * by sudcr restore's; the terminal by the tty kind; anything else (a log
 * file, /dev/null) stays what it is.
 */
void inherit_mark_stdio(struct files_dump *f)
{
	if (!f->d->opts.shell_job)
		return;
	for (int i = 0; i < f->nr; i++) {
		struct dump_fd *x = &f->x[i];
		const struct fd_kind *k = fd_kind(x->kind);

		if (x->p->fd > 2)
			continue;
		if (k ? !k->caller_end || !k->caller_end(f, i) :
		    !x->what || strcmp(x->what, "socket"))
			continue;
		x->stdio_inherit = true;
		x->kind = REC_FD_INHERIT;
		x->inherit_fd = x->p->fd;
	}
}

/* In fd order, so that a description's lowest fd is decided before the others. */
void inherit_spread(struct files_dump *f)
{
	for (int i = 0; i < f->nr; i++) {
		struct dump_fd *x = &f->x[i];

		if (x->stdio_inherit)
			continue;
		if (x->desc != i) {
			struct dump_fd *y = &f->x[x->desc];

			if (y->kind == REC_FD_INHERIT) {
				x->kind = REC_FD_INHERIT;
				x->inherit_fd = y->inherit_fd;
				x->what = NULL;
			}
			continue;
		}
		/* Another open of the caller's stdio pipe (/dev/stdin): an open of ours. */
		if (f->d->opts.shell_job && is_pipe_kind(x->kind)) {
			for (int j = 0; j < f->nr; j++) {
				struct dump_fd *y = &f->x[j];

				if (y->stdio_inherit && fd_dump_same_inode(x, y)) {
					x->kind = REC_FD_INHERIT;
					x->inherit_fd = y->p->fd;
					break;
				}
			}
		}
	}
}

/* ---- restore ---- */

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
