// SPDX-License-Identifier: MIT
/*
 * The table of fd kinds: an FD record's kind (REC_FD_*) -> what it is
 * called in restore's messages and in `sudcr show`, and the detail show
 * prints of what the kind keeps in the record.  A kind in a file of its
 * own (eventfd.c, signalfd.c, timerfd.c,
 * epoll.c, memfd.c, inet.c, unix_named.c) defines its struct fd_kind there; the kinds
 * still handled inline by the fd driver (dump/files.c, restore/files.c)
 * are described here until they move.
 */
#include <inttypes.h>
#include <stdio.h>

#include <sudcr/image.h>

#include "fd.h"

static void inherit_show(const struct rec_fd *rec, bool json, char *buf, size_t size)
{
	if (json)
		snprintf(buf, size, ",\"inherit_fd\":%d", rec->inherit_fd);
	else
		snprintf(buf, size, " from restorer fd %d", rec->inherit_fd);
}

static void pipe_show(const struct rec_fd *rec, bool json, char *buf, size_t size)
{
	if (json)
		snprintf(buf, size, ",\"pipe_size\":%u", rec->pipe_size);
	else
		snprintf(buf, size, " pipe-size %u", rec->pipe_size);
}

static const struct fd_kind fd_kind_reg = { "regular file", "file", NULL };
static const struct fd_kind fd_kind_deleted = { "deleted file", "deleted-file", NULL };
static const struct fd_kind fd_kind_dir = { "directory", "directory", NULL };
static const struct fd_kind fd_kind_chr = { "character device", "chardev", NULL };
static const struct fd_kind fd_kind_pipe = { "pipe", "pipe", pipe_show };
static const struct fd_kind fd_kind_fifo = { "FIFO", "fifo", pipe_show };
static const struct fd_kind fd_kind_inherit = { "inherited fd", "inherited", inherit_show };
static const struct fd_kind fd_kind_path = { "O_PATH fd", "o-path", NULL };
static const struct fd_kind fd_kind_unix = { "unix socket", "unix-socket", NULL };
static const struct fd_kind fd_kind_tty = { "terminal", "terminal", NULL };

static const struct fd_kind *const fd_kinds[] = {
	[REC_FD_REG] = &fd_kind_reg,
	[REC_FD_DELETED] = &fd_kind_deleted,
	[REC_FD_DIR] = &fd_kind_dir,
	[REC_FD_CHR] = &fd_kind_chr,
	[REC_FD_PIPE] = &fd_kind_pipe,
	[REC_FD_FIFO] = &fd_kind_fifo,
	[REC_FD_EVENTFD] = &fd_kind_eventfd,
	[REC_FD_MEMFD] = &fd_kind_memfd,
	[REC_FD_INHERIT] = &fd_kind_inherit,
	[REC_FD_PATH] = &fd_kind_path,
	[REC_FD_SIGNALFD] = &fd_kind_signalfd,
	[REC_FD_TIMERFD] = &fd_kind_timerfd,
	[REC_FD_EPOLL] = &fd_kind_epoll,
	[REC_FD_UNIX] = &fd_kind_unix,
	[REC_FD_TTY] = &fd_kind_tty,
	[REC_FD_INET] = &fd_kind_inet,
	[REC_FD_UNIX_SK] = &fd_kind_unix_sk,
};

const struct fd_kind *fd_kind(uint32_t kind)
{
	return kind < sizeof(fd_kinds) / sizeof(fd_kinds[0]) ? fd_kinds[kind] : NULL;
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
