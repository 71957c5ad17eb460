/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_KINDS_FD_DUMP_H
#define SUDCR_KINDS_FD_DUMP_H

/*
 * The dump's fd table (lib/dump/files.c), as the fd kinds' dump ops see
 * it, and the driver's helpers they use.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "cr.h"
#include "proc/proc.h"

#include "fd.h"
#include "unix.h"

/* One IMG_REC_FILE_DATA record holds at most this much. */
#define DATA_CHUNK		(4u << 20)

struct dump_fd {
	struct proc_fd *p;
	struct stat st;
	uint32_t kind;		/* REC_FD_*; 0: not supported */
	const char *what;	/* not supported: what it is */
	char detail[64];	/* and more about it, may be empty */
	char *path;		/* into p->link, " (deleted)" stripped */
	bool is_path;		/* the link is a path ("/...") */
	bool deleted;		/* ... of an unlinked dentry (the " (deleted)" stripped) */
	int sk_family, sk_type, sk_protocol;	/* sockets: SO_DOMAIN, _TYPE, _PROTOCOL; -1 if unknown */
	bool stdio_inherit;	/* fd 0-2 taken from the caller (--shell-job) */
	int desc;		/* index of the lowest fd sharing the description */
	int obj;		/* index of the lowest fd of the same object */
	int inherit_fd;
	int rfd;		/* memfds, deleted files: sudcr's open to read the contents, -1 */
	uint32_t pipe_size;
	uint64_t pipe_bytes;
	uint32_t seals;
	struct proc_epoll_tfd *tfds;	/* epoll descriptions: what it watches */
	int nr_tfds;
	struct unix_diag_info ux;	/* AF_UNIX sockets */
	const char *why;	/* a socket not supported: why, for the message */
	struct proc_lock *locks;	/* description leaders: the locks taken through it */
	int nr_locks;
	dev_t tty;		/* terminals: the one behind the fd (TIOCGDEV) */
	uint32_t outside;	/* pipe objects: REC_PIPE_* end held outside only, or 0 */
	int32_t *out_pids;	/* and who held it */
	int nr_out_pids;
	void *priv;		/* the kind's own, malloc'ed (the driver frees it) */
	struct rec_fd_own own;	/* description leaders: F_GETOWN_EX and F_GETSIG (fown.c) */
	bool own_set;		/* ... to be written */
};

struct files_dump {
	struct dump_ctx *d;
	struct dump_fd *x;
	int nr;
	int pidfd;
	struct unix_owner own;	/* uid and gid 0 until asked */
	bool own_read;
	dev_t job_tty;		/* --shell-job: the job's terminal, 0 if none */
	bool job_ctty;		/* it is the controlling terminal */
	bool tty_written;	/* its IMG_REC_TTY */
	uint64_t data_total;
	void *buf;		/* DATA_CHUNK + header */
};

static inline bool fd_dump_same_inode(const struct dump_fd *a, const struct dump_fd *b)
{
	return a->st.st_dev == b->st.st_dev && a->st.st_ino == b->st.st_ino;
}

/*
 * inherit.c, --shell-job: before the fds are linked, stdio that is the
 * caller's end becomes REC_FD_INHERIT; once their descriptions are known,
 * so do the fds that share one with it, and other opens of its pipe.
 */
void inherit_mark_stdio(struct files_dump *f);
void inherit_spread(struct files_dump *f);

/*
 * refused.c: whether fd entry @x is of what is refused whatever it holds
 * (io_uring, userfaultfd, BPF, perf events, KVM): x->what and x->why say.
 */
bool fd_refused(struct dump_fd *x);

/*
 * fown.c: the owner and signal of description leader @x's signal-driven
 * I/O (O_ASYNC) or SIGURG, read and checked (x->own); then its record.
 */
int fown_dump_read(struct files_dump *f, struct dump_fd *x);
int fown_dump_write(struct files_dump *f, const struct dump_fd *x);

/* The character devices the dump takes: mem devices and terminals (tty.c). */
bool fd_chr_supported(dev_t rdev);

/* A second reference to the target's description of @fd (pidfd_getfd), or -errno. */
int fd_dump_getfd(struct files_dump *f, int fd);
/* The same, its failure reported for fd entry @x. */
int fd_dump_getfd_of(struct files_dump *f, const struct dump_fd *x);
/* An IMG_REC_FILE_DATA record of @len bytes at @off, from f->buf past its header. */
int fd_dump_write_data(struct files_dump *f, int fd, uint64_t off, size_t len);
/* Open the contents of fd entry @x for reading (x->rfd), and store them in FILE_DATA records. */
int fd_dump_open_contents(struct files_dump *f, struct dump_fd *x);
int fd_dump_contents(struct files_dump *f, struct dump_fd *x);

/*
 * A process of a tree (lib/dump/tree.c): whether fd @fd of @d is its
 * parent's description, inherited; whether the other end of pipe fd @fd,
 * held by @pids, is in the tree (no warning then): the fd is inherited, or
 * every holder is a process of the tree.
 */
bool dump_tree_fd_inherited(const struct dump_ctx *d, int fd);
bool dump_tree_pipe_inside(const struct dump_ctx *d, int fd, const int32_t *pids, int nr);
/*
 * A process of a tree: whether AF_UNIX socket @ino is one end of a pair
 * the tree makes (its other end, or this one, held by other processes of
 * the tree too): the process's image holds its ends alone.
 */
bool dump_tree_sock(const struct dump_ctx *d, uint32_t ino);

#endif
