// SPDX-License-Identifier: MIT
/*
 * The owner of an open file description (F_SETOWN/F_SETOWN_EX) and its
 * signal (F_SETSIG), which signal-driven I/O (O_ASYNC) and a socket's
 * out-of-band data (SIGURG) signal: the IMG_REC_FD_OWN record, one per
 * description that has either.  lib/dump/files.c and lib/restore/files.c
 * call in, as they do for file locks (locks.c).
 *
 * Dump: for each description with O_ASYNC, and each socket (SIGURG needs
 * no O_ASYNC), F_GETOWN_EX and F_GETSIG through sudcr's reference to it
 * (pidfd_getfd).  The owner must come back with the restore: a thread of
 * the process, the process itself, or a process of its tree; anything
 * else (a process outside, a process group) is refused with one line.
 *
 * Restore: the stub sets O_ASYNC once every fd is at its number
 * (rf_set_async()), on the description's lowest fd: the kernel gives the
 * fd that turned O_ASYNC on as the signals' si_fd, and cannot tell which
 * one that was, so a description with several fds that had O_ASYNC turned
 * on through another than the lowest signals with that one after the
 * restore.  The description has no owner yet, so no signal goes anywhere.
 * Once every thread of the process, and every process of its tree, exists
 * (the files kind's restore step, from sudcr), F_SETOWN_EX and F_SETSIG
 * are injected into the process.  The kernel keeps the credentials of the
 * caller of F_SETOWN to check each signal against the owner's: those are
 * the restored process's before its own credentials are put back (they
 * are set last), so a signal the original's credentials could not send
 * to its owner (an owner of another uid) is sent after the restore.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cr.h"
#include "image_records.h"
#include <sudcr/arch.h>
#include <sudcr/log.h>

#include "fd.h"
#include "fd_dump.h"
#include "files.h"

_Static_assert(sizeof(struct rec_fd_own) == 16, "rec_fd_own layout");

#define SIG_MAX	64

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return x < y ? -1 : x > y;
}

/* Whether owner @o comes back with the process of @d (its thread, itself, a process of its tree). */
static bool owner_restored(const struct dump_ctx *d, const struct f_owner_ex *o)
{
	if (o->type == F_OWNER_TID) {
		for (int k = 0; k < d->nr_threads; k++)
			if (d->threads[k].tid == o->pid)
				return true;
		return false;
	}
	if (o->type != F_OWNER_PID)
		return false;
	return o->pid == d->pid || (d->tree_member && bsearch(&o->pid, d->tree_pids, d->nr_tree_pids,
							      sizeof(pid_t), cmp_pid));
}

int fown_dump_read(struct files_dump *f, struct dump_fd *x)
{
	struct f_owner_ex o = { 0 };
	int s, sig, ret = 0;

	x->own_set = false;
	if (!(x->p->flags & O_ASYNC) && strncmp(x->p->link, "socket:", 7))
		return 0;
	s = fd_dump_getfd_of(f, x);
	if (s < 0)
		return s;
	if (fcntl(s, F_GETOWN_EX, &o) || (sig = fcntl(s, F_GETSIG)) < 0) {
		ret = -errno;
		sudcr_error("fd %d: %s: F_GETOWN_EX/F_GETSIG: %s", x->p->fd, x->p->link, strerror(-ret));
		goto out;
	}
	if (!o.pid && !sig)
		goto out;
	if (o.pid && !owner_restored(f->d, &o)) {
		sudcr_error("fd %d: %s: its %s signals go to %s %d (F_SETOWN), which is not dumped with it: not supported",
			    x->p->fd, x->p->link, x->p->flags & O_ASYNC ? "O_ASYNC" : "SIGURG",
			    o.type == F_OWNER_PGRP ? "process group" :
			    o.type == F_OWNER_TID ? "thread" : "process", o.pid);
		ret = -EOPNOTSUPP;
		goto out;
	}
	x->own = (struct rec_fd_own){ .fd = x->p->fd, .type = (uint32_t)o.type,
				      .pid = o.pid, .sig = (uint32_t)sig };
	x->own_set = true;
out:
	close(s);
	return ret;
}

int fown_dump_write(struct files_dump *f, const struct dump_fd *x)
{
	if (!x->own_set)
		return 0;
	return img_write_record(f->d->img, IMG_REC_FD_OWN, &x->own, sizeof(x->own));
}

void rf_set_async(struct restore_files_state *s)
{
	for (int i = 0; i < s->nr; i++) {
		const struct rf_fd *e = &s->fds[i];
		int fl;

		if (e->desc != i || e->tree_inherited || !(e->rec->flags & O_ASYNC) ||
		    (fd_kind(e->rec->kind)->flags & FD_KIND_NO_SETFL))
			continue;
		fl = fcntl(e->rec->fd, F_GETFL);
		if (fl < 0 || fcntl(e->rec->fd, F_SETFL, fl | O_ASYNC))
			rf_die_fd(e, "F_SETFL O_ASYNC", errno);
	}
}

int rf_fown_rec(struct restore_ctx *r, struct restore_files_state *s, const struct rec_fd_own *o,
		size_t len)
{
	int i;

	if (len != sizeof(*o))
		return img_record_invalid(r->img, "bad fd owner record");
	i = rf_find_fd(s, o->fd);
	if (i < 0 || s->fds[i].desc != i || s->fds[i].own)
		return img_record_invalid(r->img, "fd owner record for fd %d, which is no description before it, or twice",
					  o->fd);
	if ((o->type != F_OWNER_TID && o->type != F_OWNER_PID) || o->pid < 0 || o->sig > SIG_MAX ||
	    (!o->pid && !o->sig))
		return img_record_invalid(r->img, "fd %d: bad owner %u:%d, signal %u", o->fd, o->type,
					  o->pid, o->sig);
	s->fds[i].own = o;
	return 0;
}

int rf_fown_restore(struct restore_ctx *r, const struct rf_fd *e, struct rf_late *l)
{
	const struct rec_fd_own *o = e->own;
	struct f_owner_ex ex = { .type = (int)o->type, .pid = o->pid };
	long nr;
	int ret;

	ret = rf_late_thread(r, l);
	if (ret)
		return ret;
	nr = arch_sc_nr(l->th->inj.kind, SC_FCNTL);
	ret = files_write(l->th, l->scratch, &ex, sizeof(ex));
	if (!ret)
		ret = files_inject(l->th, e, "F_SETOWN_EX", nr, e->rec->fd, F_SETOWN_EX, l->scratch, 0);
	if (!ret)
		ret = files_inject(l->th, e, "F_SETSIG", nr, e->rec->fd, F_SETSIG, o->sig, 0);
	return ret;
}
