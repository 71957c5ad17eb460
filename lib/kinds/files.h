/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_RESTORE_FILES_H
#define SUDCR_RESTORE_FILES_H

/*
 * Shared by the fd restore (lib/restore/files.c) and the fd kinds'
 * restore ops (lib/kinds/): the parsed fd table and the stub's helpers.
 */

#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <termios.h>

#include "cr.h"

struct rf_fd {
	const struct rec_fd *rec;
	char *path;		/* NUL-terminated copy */
	int desc;		/* index of the description's first fd */
	int obj;		/* index of the object's first fd */
	int data;		/* object leaders: first IMG_REC_FILE_DATA, into s->data */
	int nr_data;
	uint64_t data_end;	/* end of the data seen so far (validation) */
	const struct rec_timerfd *timer;	/* timerfd descriptions: its record */
	const struct rec_epoll *epoll;		/* epoll descriptions: its record */
	const struct rec_file_times *times;	/* deleted files' leaders: their times */
	pid_t proc_tid;		/* a file under /proc/TID of the process's own thread TID; else 0 */
	bool proc_later;	/* ... of a thread the stub does not have: opened by injection */
	const struct rec_unix *unx;		/* AF_UNIX socket descriptions: its record */
	int q, nr_q;		/* and its IMG_REC_UNIX_QUEUE records, into s->qs */
	const struct rec_pipe_outside *outside;	/* pipe objects with an end outside */
	int inherit_src;	/* pipe objects: sudcr restore's fd from --inherit-fd, or -1;
				 * unix sockets of a tree's pair: the one its maker made */
	const void *priv;	/* the kind's own (a record of the image, say); not freed */
	const struct rec_fd_own *own;	/* description leaders: owner and signal (fown.c) */
	bool inherit_same;	/* and it is that very pipe: its data is in it */
	/* In the stub. */
	int src;		/* the description, staged above the image's fds */
	int hold[2];		/* object leaders: the object while descriptions are made */
	bool used[2];		/* pipes, memfds: hold[end] became a description itself */
	bool tree_inherited;	/* description leaders: the parent's, inherited (restore_ctx.tree_fds) */
	int *tree_keep;		/* pipe objects a tree's descendants open too: where to keep a read end */
};

struct rf_data {
	const struct rec_file_data *rec;
	const void *bytes;
};

struct restore_files_state {
	int nr, cap;
	struct rf_fd *fds;
	int nr_data, cap_data;
	struct rf_data *data;
	int nr_q, cap_q;
	const struct rec_unix_queue **qs;
	int nr_locks, cap_locks;
	const struct rec_lock **locks;	/* in image order */
	int max_fd;		/* -1: no fds */
	bool inherit;
	bool stamped;		/* the image has file stamps: changed.c checks the files' times */
	/* --shell-job: the job's terminal (tty.c) */
	const struct rec_tty *tty;	/* its record, if the process had one */
	int tty_fd;		/* sudcr restore's terminal, -1 */
	bool tty_own;		/* tty_fd is ours to close (/dev/tty) */
	bool tty_set;		/* its modes were changed: saved_* put them back on failure */
	struct termios saved_tio;
	struct winsize saved_ws;
};

/* Highest fd number an image may use (the kernel's default NR_OPEN). */
#define FILES_FD_MAX	(1 << 20)

/* Flags open(2) takes from the image; F_SETFL sets the rest. */
#define RF_OPEN_FLAGS	(O_ACCMODE | O_APPEND | O_NONBLOCK | O_SYNC | O_DIRECT | O_NOATIME | \
			 O_LARGEFILE)
#define RF_SETFL_FLAGS	(O_APPEND | O_ASYNC | O_DIRECT | O_NOATIME | O_NONBLOCK)

/* The thread a kind's late op injects into, and 64 bytes of scratch there. */
struct rf_late {
	struct cr_thread *th;	/* NULL until rf_late_thread() */
	uint64_t scratch;
};
int rf_late_thread(struct restore_ctx *r, struct rf_late *l);

/* qsort's comparison of ints. */
int rf_cmp_int(const void *a, const void *b);
/* Index of fd in s->fds (sorted by fd), or -1. */
int rf_find_fd(const struct restore_files_state *s, int fd);
/* Make room for one more element of @size at index n of *arr (capacity *cap). */
int rf_grow(void **arr, int *cap, int n, size_t size);

/* In the stub: report one error line and _exit(1). */
void rf_stub_die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* "cannot restore fd N (PATH): WHAT: strerror(err)", then _exit(1). */
void rf_die_fd(const struct rf_fd *e, const char *what, int err) __attribute__((noreturn));

/*
 * The fd restore's injection helpers, for the kinds that finish their fds
 * by injection (timerfd.c): one syscall in @th, its failure reported as
 * the fd's; bytes into @th's scratch area.
 */
int files_inject(struct cr_thread *th, const struct rf_fd *e, const char *what, long nr,
		 uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);
int files_write(struct cr_thread *th, uint64_t addr, const void *buf, size_t len);

/* The file fd @e names by path is still there, of the type it was (stat in *st); else one line. */
int rf_stat_same_type(const struct rf_fd *e, struct stat *st);

/* In the stub: the IMG_REC_FILE_DATA of object @o into @fd, written in order (@stream) or at their offsets. */
void rf_put_data(struct restore_files_state *s, struct rf_fd *o, int fd, bool stream);
/*
 * A process of a tree (lib/restore/tree.c): whether pipe object @o's other
 * end is in the tree (no warning then): its fd is inherited, or the pipe
 * is one the tree makes once for all its holders.
 */
bool restore_tree_pipe_inside(const struct restore_ctx *r, const struct rf_fd *o);
/* Whether the tree of @r makes the socket pair of inodes @ino and @peer_ino of @type (IMG_REC_TREE_UNIX). */
bool restore_tree_unix_pair(const struct restore_ctx *r, uint64_t ino, uint64_t peer_ino, uint32_t type);
/*
 * unix.c, in the stub of the process that makes such a pair @p: the socket
 * pair (socketpair(), or connect() to its name and accept()), @sv[0] the
 * end of entry @a of @sa, @sv[1] that of @b of @sb (two processes' fd
 * tables), each receive queue refilled, then the options.
 */
void unix_make_tree_pair(struct restore_files_state *sa, const struct rf_fd *a,
			 struct restore_files_state *sb, const struct rf_fd *b,
			 const struct rec_tree_unix *p, int sv[2]);

/* Owner, mode and contents of a new memfd or deleted file (in the stub). */
void rf_fill_file(struct restore_files_state *s, struct rf_fd *o, int fd);
/* In the stub: a new open of our fd @fd (/proc/self/fd/N), O_CLOEXEC, or -1 and errno. */
int rf_reopen(int fd, int flags);
/*
 * The description of @e made from @hold, what a deleted kind made: an
 * O_PATH one if @e is O_PATH (O_NOFOLLOW is left out: it would name the
 * /proc/self/fd link), else rf_reopen() with @flags.
 */
static inline int rf_reopen_or_path(const struct rf_fd *e, int hold, int flags)
{
	if (e->rec->flags & O_PATH)
		return rf_reopen(hold, O_PATH | (int)(e->rec->flags & O_DIRECTORY));
	return rf_reopen(hold, flags);
}

/*
 * Fds on the process's own /proc files (procfd.c): mark them (before
 * check_file(), which they would fail), refuse an epoll on one that the
 * stub only holds a placeholder for, hold the number of one with a
 * placeholder in the stub, and open those by injection once the threads
 * exist.
 */
void rf_mark_own_proc(const struct restore_ctx *r, struct rf_fd *e);
int rf_refuse_watched_later(const struct restore_files_state *s);
int rf_proc_placeholder(const struct rf_fd *e);
int rf_reopen_own_proc(struct restore_ctx *r, struct restore_files_state *s);

/*
 * The owner and signal of a description's O_ASYNC/SIGURG (fown.c): the
 * record's validation, and in sudcr once every process exists, injected.
 */
int rf_fown_rec(struct restore_ctx *r, struct restore_files_state *s, const struct rec_fd_own *o,
		size_t len);
int rf_fown_restore(struct restore_ctx *r, const struct rf_fd *e, struct rf_late *l);
/* In the stub, every fd at its number: O_ASYNC on each description that had it, at its lowest fd. */
void rf_set_async(struct restore_files_state *s);

/* File locks (locks.c): validation of their records, and in the stub, taking them again. */
int rf_lock_rec(struct restore_ctx *r, struct restore_files_state *s, const struct rec_lock *l,
		size_t len);
void rf_take_locks(struct restore_files_state *s);
/* In sudcr, once the memory is in place: the process has them all, as they were. */
int rf_check_locks(pid_t pid, struct restore_files_state *s);

/*
 * The job's terminal (tty.c): in sudcr, once the process is about to run,
 * the terminal's modes, and back on failure.
 */
int rf_tty_apply(struct restore_files_state *s);
void rf_tty_undo(struct restore_files_state *s);
void rf_tty_free(struct restore_files_state *s);
bool rf_is_tty_rdev(uint64_t rdev);

#endif
