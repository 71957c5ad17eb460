/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_KINDS_FD_H
#define SUDCR_KINDS_FD_H

/*
 * The fd kinds (fd.c's table): what the fd drivers (lib/dump/files.c,
 * lib/restore/files.c) call, kind by kind.  fd.c's header says how to add
 * one.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image_records.h"
#include "proc/proc.h"

struct dump_ctx;
struct img_writer;
struct restore_ctx;
struct cr_thread;
struct files_dump;		/* fd_dump.h: the dump's fd table */
struct dump_fd;
struct restore_files_state;	/* files.h: the restore's fd table */
struct rf_fd;
struct rf_late;
struct show_ctx;		/* lib/show.h: show's output */

/* What a recognise op says of an fd. */
enum {
	FD_NOT_MINE = 0,	/* not this kind: the next one is asked */
	FD_MINE = 1,		/* this kind */
	FD_REFUSED = 2,		/* of this kind's family, but not supported: x->what/why/detail say why */
};

/* stage's open op placed the description itself (e->src): nothing more to do. */
#define FD_OPEN_IN_PLACE	(-2)

/* struct fd_kind.flags */
#define FD_KIND_OBJECT		(1u << 0)	/* fds of it share an object beyond the description */
#define FD_KIND_ABS_PATH	(1u << 1)	/* rec_fd.path is an absolute path */
#define FD_KIND_SEEK		(1u << 2)	/* rec_fd.pos is set again by lseek */
#define FD_KIND_NO_SETFL	(1u << 3)	/* status flags are not set by F_SETFL (O_PATH) */
#define FD_KIND_XFLAGS		(1u << 4)	/* owns rec_fd.xflags */
#define FD_KIND_PIPE_SIZE	(1u << 5)	/* owns rec_fd.pipe_size */
#define FD_KIND_SEALS		(1u << 6)	/* owns rec_fd.seals */
#define FD_KIND_INHERIT_FD	(1u << 7)	/* owns rec_fd.inherit_fd (else -1) */
#define FD_KIND_AFTER_INHERITED	(1u << 8)	/* its after op runs for a tree's inherited descriptions too */

/*
 * One fd kind.  Every op may be NULL: the driver then does nothing of the
 * kind's own at that step.  The ops are called in the driver's order, so
 * what a kind does between them is said in its file.
 */
struct fd_kind {
	uint32_t kind;		/* REC_FD_* */
	const char *name;	/* in restore's messages: "regular file" */
	const char *show_name;	/* in `sudcr show`: "file" */
	uint32_t flags;		/* FD_KIND_* */
	/* Why its description cannot hold a file lock, or NULL ("an O_PATH fd"). */
	const char *no_locks;
	/* Its own record types (IMG_REC_*), 0-terminated; their check is check_record. */
	uint32_t records[3];

	/* ---- dump (lib/dump/files.c) ---- */
	/*
	 * Whether fd entry @x (its link, fdinfo, stat) is of this kind: FD_*,
	 * or -errno.  Asked in fd.c's recognition order; the first that
	 * answers FD_MINE or FD_REFUSED decides.
	 */
	int (*recognise)(struct files_dump *f, struct dump_fd *x);
	/* Once every fd is recognised, before fds are linked: the whole table. */
	int (*dump_prepare)(struct files_dump *f);
	/* --shell-job, an fd 0-2 of this kind: it is the caller's end (the restore gives sudcr restore's). */
	bool (*caller_end)(struct files_dump *f, int i);
	/* The index of the lowest fd of the object of fd @i (FD_KIND_OBJECT); NULL: same inode. */
	int (*find_object)(struct files_dump *f, int i);
	/* Whether fd @i can be dumped (one line and -errno if not), fds linked. */
	int (*dump_check)(struct files_dump *f, int i);
	/* Fill the kind's part of fd @i's FD record @rec, before it is written. */
	int (*fill)(struct files_dump *f, int i, struct rec_fd *rec);
	/* Its own records, right after fd @i's FD record. */
	int (*dump)(struct files_dump *f, int i);

	/* ---- restore (lib/restore/files.c) ---- */
	/* Validate FD record @rec (untrusted, its path @path) by itself, once the driver's checks passed. */
	int (*check_fd)(struct restore_ctx *r, const struct rec_fd *rec, const char *path);
	/* ... and once it is fd @i of the table, against the fds before it. */
	int (*check)(struct restore_ctx *r, struct restore_files_state *s, int i);
	/* Validate one of its own records (@type in records[]). */
	int (*check_record)(struct restore_ctx *r, struct restore_files_state *s, uint32_t type,
			    const void *data, size_t len);
	/* Once every record is read: what fd @i needs of the others is there. */
	int (*check_table)(struct restore_files_state *s, int i);
	/*
	 * Once the table is checked, with the options (--shell-job,
	 * --inherit-fd): the whole table.  In fd.c's order, like dump_prepare.
	 */
	int (*prepare)(struct restore_ctx *r, struct restore_files_state *s);
	/* Before anything is created: the file description @i names is still what it was. */
	int (*check_file)(struct restore_files_state *s, int i);
	/* In the stub: the object whose first fd is @o (FD_KIND_OBJECT), in o->hold. */
	void (*create)(struct restore_files_state *s, struct rf_fd *o);
	/*
	 * In the stub: description @i, an fd (which the driver closes unless
	 * *own is set false), or -1 and errno, or FD_OPEN_IN_PLACE.
	 */
	int (*open)(struct restore_files_state *s, int i, bool *own);
	/* In the stub, every description made: the object @o no longer needs what it holds. */
	void (*finish)(struct rf_fd *o);
	/* In the stub, every fd at its number: fill-in of fd @i (epoll's watch list). */
	void (*after)(struct restore_files_state *s, int i);
	/* In sudcr, the process about to run: by injection into l's thread. */
	int (*late)(struct restore_ctx *r, struct restore_files_state *s, int i, struct rf_late *l);
	/* When the table is freed (restore's end, or its failure): what fd @e's priv holds. */
	void (*release)(struct rf_fd *e);

	/* ---- show ---- */
	/* show's detail of what the kind keeps in its FD record, into buf (text or JSON) */
	void (*show)(const struct rec_fd *rec, bool json, char *buf, size_t size);
	/*
	 * What its own records say of description @rec (its lowest fd), read
	 * from s->img: JSON members after the FD record's detail, or text
	 * lines under its line.  0 or -errno.
	 */
	int (*show_records)(struct show_ctx *s, const struct rec_fd *rec);
};

/* The kind of an FD record, NULL if there is none such. */
const struct fd_kind *fd_kind(uint32_t kind);
/* The fd kinds in recognition order (the dump's walk, the prepare ops'), NULL-terminated. */
extern const struct fd_kind *const fd_kinds_order[];
/* The fd kind owning record type @type, NULL if none. */
const struct fd_kind *fd_kind_of_record(uint32_t type);

/* A pipe or FIFO: an object with two ends and buffered bytes. */
static inline bool is_pipe_kind(uint32_t kind)
{
	return kind == REC_FD_PIPE || kind == REC_FD_FIFO;
}

/*
 * procfd.c: a path under /proc of another thread of the process, which the
 * restore opens only once the threads exist.
 */
bool procfd_other_thread(const struct dump_ctx *d, const char *path);

#endif
