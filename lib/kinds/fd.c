// SPDX-License-Identifier: MIT
/*
 * The table of fd kinds.  Each fd kind is one file of lib/kinds/ (the
 * list below says which) that defines its struct fd_kind (fd.h): its
 * REC_FD_* number, its names, its own record types and its ops, for the
 * dump (recognise an fd entry, check it, fill its FD record, write its own
 * records), the restore (validate its records, check the file it names,
 * make it again in the stub, fill it in once every fd is in place, finish
 * it by injection) and `sudcr show`.  The fd drivers (lib/dump/files.c,
 * lib/restore/files.c) call the ops; they know no kind by name beyond
 * what all kinds share (pipes' two ends, fds inherited under --shell-job).
 *
 * To add an fd kind:
 *  1. its REC_FD_* number in lib/image_records.h (and its own
 *     IMG_REC_* types, if it has records of its own);
 *  2. lib/kinds/NAME.c with its struct fd_kind: the ops it needs, NULL
 *     for the others, and a recognise op unless the driver makes fds of
 *     it (inherit.c);
 *  3. its name in the extern line below, one line in fd_kinds[] and, if
 *     it has a recognise op, one in fd_kinds_order[] at the place where it
 *     must be asked (before the kinds it must be told from);
 *  4. its rows in docs/image-format.md ("FD record kinds").
 * What a kind keeps of an fd between its ops goes in dump_fd.priv
 * (fd_dump.h: malloc'ed, the driver frees it) and rf_fd.priv (files.h:
 * its own record, say, which lives as long as the image), so that a new
 * kind needs no field in the drivers' structs.  The flags (FD_KIND_*)
 * tell the drivers what they do for it: whether its fds share an object,
 * have an absolute path, a position to seek to, which of the FD record's
 * fields are its own.
 */
#include <inttypes.h>
#include <stdio.h>

#include "image.h"

#include "../show.h"
#include "fd.h"

extern const struct fd_kind fd_kind_reg, fd_kind_deleted, fd_kind_dir, fd_kind_chr, fd_kind_pipe,
	fd_kind_fifo, fd_kind_eventfd, fd_kind_memfd, fd_kind_inherit, fd_kind_path,
	fd_kind_signalfd, fd_kind_timerfd, fd_kind_epoll, fd_kind_unix, fd_kind_tty, fd_kind_inet,
	fd_kind_unix_sk, fd_kind_pidfd, fd_kind_inotify, fd_kind_fanotify, fd_kind_deleted_dir,
	fd_kind_chr_deleted, fd_kind_mqueue, fd_kind_deleted_node, fd_kind_pty, fd_kind_netlink,
	fd_kind_packet;

/* By REC_FD_*. */
static const struct fd_kind *const fd_kinds[] = {
	[REC_FD_REG] = &fd_kind_reg,		/* reg.c */
	[REC_FD_DELETED] = &fd_kind_deleted,	/* deleted.c */
	[REC_FD_DIR] = &fd_kind_dir,		/* dir.c */
	[REC_FD_CHR] = &fd_kind_chr,		/* chardev.c */
	[REC_FD_PIPE] = &fd_kind_pipe,		/* pipe.c */
	[REC_FD_FIFO] = &fd_kind_fifo,		/* pipe.c */
	[REC_FD_EVENTFD] = &fd_kind_eventfd,	/* eventfd.c */
	[REC_FD_MEMFD] = &fd_kind_memfd,	/* memfd.c */
	[REC_FD_INHERIT] = &fd_kind_inherit,	/* inherit.c */
	[REC_FD_PATH] = &fd_kind_path,		/* opath.c */
	[REC_FD_SIGNALFD] = &fd_kind_signalfd,	/* signalfd.c */
	[REC_FD_TIMERFD] = &fd_kind_timerfd,	/* timerfd.c */
	[REC_FD_EPOLL] = &fd_kind_epoll,	/* epoll.c */
	[REC_FD_UNIX] = &fd_kind_unix,		/* unix.c */
	[REC_FD_TTY] = &fd_kind_tty,		/* tty.c */
	[REC_FD_PTY] = &fd_kind_pty,		/* pty.c */
	[REC_FD_INET] = &fd_kind_inet,		/* inet.c */
	[REC_FD_UNIX_SK] = &fd_kind_unix_sk,	/* unix_named.c */
	[REC_FD_NETLINK] = &fd_kind_netlink,	/* netlink.c */
	[REC_FD_PACKET] = &fd_kind_packet,	/* packet.c */
	[REC_FD_PIDFD] = &fd_kind_pidfd,	/* pidfd.c */
	[REC_FD_INOTIFY] = &fd_kind_inotify,	/* inotify.c */
	[REC_FD_FANOTIFY] = &fd_kind_fanotify,	/* fanotify.c */
	[REC_FD_DELETED_DIR] = &fd_kind_deleted_dir,	/* deleted_dir.c */
	[REC_FD_DELETED_CHR] = &fd_kind_chr_deleted,	/* chardev.c */
	[REC_FD_MQUEUE] = &fd_kind_mqueue,	/* mqueue.c */
	[REC_FD_DELETED_NODE] = &fd_kind_deleted_node,	/* deleted_node.c */
};

/*
 * The dump asks the kinds in this order which one an fd is; the first
 * that knows it decides.  O_PATH fds of removed symlinks and FIFOs before
 * other O_PATH fds, O_PATH before the files it can name, message
 * queues (regular files of the mqueue filesystem) before deleted and
 * regular files, memfds
 * before deleted files, deleted directories before directories, terminals
 * and deleted device nodes before other character devices (the
 * terminal's own test leaves O_PATH fds to opath.c), AF_UNIX sockets
 * that listen or are not connected (unix_named.c) before those of pairs
 * (unix.c asks sock_diag again only if unix_named.c could not), ptys of
 * the tree (pty.c) before terminals (tty.c: a slave whose master is
 * outside is the job's terminal).  The
 * kinds' prepare ops (dump and restore) run in this order too: the job's
 * terminal first, then the pipes' --inherit-fd and their warnings.
 */
const struct fd_kind *const fd_kinds_order[] = {
	&fd_kind_pty,
	&fd_kind_tty,
	&fd_kind_unix_sk,
	&fd_kind_unix,
	&fd_kind_inet,
	&fd_kind_netlink,
	&fd_kind_packet,
	&fd_kind_pipe,
	&fd_kind_eventfd,
	&fd_kind_signalfd,
	&fd_kind_timerfd,
	&fd_kind_epoll,
	&fd_kind_pidfd,
	&fd_kind_inotify,
	&fd_kind_fanotify,
	&fd_kind_deleted_node,
	&fd_kind_path,
	&fd_kind_mqueue,
	&fd_kind_memfd,
	&fd_kind_deleted,
	&fd_kind_reg,
	&fd_kind_deleted_dir,
	&fd_kind_dir,
	&fd_kind_chr_deleted,
	&fd_kind_chr,
	&fd_kind_fifo,
	NULL,
};

const struct fd_kind *fd_kind(uint32_t kind)
{
	return kind < sizeof(fd_kinds) / sizeof(fd_kinds[0]) ? fd_kinds[kind] : NULL;
}

const struct fd_kind *fd_kind_of_record(uint32_t type)
{
	for (size_t i = 0; i < sizeof(fd_kinds) / sizeof(fd_kinds[0]); i++) {
		const struct fd_kind *k = fd_kinds[i];

		for (int j = 0; k && j < 3 && k->records[j]; j++)
			if (k->records[j] == type)
				return k;
	}
	return NULL;
}

const char *sudcr_fd_kind_name(uint32_t kind)
{
	const struct fd_kind *k = fd_kind(kind);

	return k ? k->show_name : "unknown";
}

void sudcr_fd_kind_detail(const struct rec_fd *rec, bool json, char *buf, size_t size)
{
	const struct fd_kind *k = fd_kind(rec->kind);

	if (size)
		buf[0] = '\0';
	if (k && k->show)
		k->show(rec, json, buf, size);
}

int fd_kind_show_records(struct show_ctx *s, const struct rec_fd *rec)
{
	const struct fd_kind *k = fd_kind(rec->kind);

	return k && k->show_records ? k->show_records(s, rec) : 0;
}
