/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_CR_H
#define SUDCR_CR_H

/*
 * Private (lib/, the tests): the public API is sudcr/sudcr.h.
 * Checkpoint/restore drivers and the context their per-state modules
 * share.  lib/dump/X.c and lib/restore/X.c own one kind of state each
 * (mm, threads, signals, files, misc) and mirror each other.
 *
 * Dump order (lib/dump/dump.c): freeze all threads, begin injection in
 * every thread (SUD suspended, signals blocked), then threads, mm,
 * signals, misc, files; commit the image; end injection (SUD put back);
 * release or kill.
 *
 * Restore order (lib/restore/restore.c): read and validate the whole image
 * (every module's *_prepare), create the stub with the PID (clone3
 * set_tid); the stub runs every module's *_in_stub in plain C, then waits;
 * seize it, transplant mm, create the other threads, then signals, files'
 * injected part, misc, threads (registers) and SUD last; detach.  A
 * requested stop (sudcr_cancel()) is honoured between any two steps, in
 * both.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <sudcr/api.h>
#include <sudcr/arch.h>
#include <sudcr/inject.h>
#include <sudcr/task.h>

#include "image.h"
#include "image_records.h"
#include "kernel_compat.h"
#include "proc/proc.h"
#include "task.h"
#include "log.h"

struct dump_opts {
	const char *dir;
	bool leave_running;
	bool shell_job;
	bool overwrite;
	bool no_sync;		/* skip fsync (benchmarks on tmpfs) */
	bool tree;		/* PID and all its descendants (lib/dump/tree.c) */
	bool tcp_established;	/* established TCP connections are dumped (TCP_REPAIR, network lock) */
};

struct cr_thread {
	pid_t tid;
	struct task_thread *task;
	struct inject_ctx inj;
	bool inj_active;
};

struct dump_ctx {
	pid_t pid;
	/*
	 * Whose /proc directory to read process-wide state from: the PID, or
	 * a live thread when the thread group leader has exited (a zombie
	 * leader has no mm, fds or cwd of its own any more).
	 */
	pid_t proc_pid;
	bool leader_zombie;
	struct dump_opts opts;
	struct task_proc proc;
	enum arch_kind kind;
	int nr_threads;
	struct cr_thread *threads;	/* [0] is the thread group leader */
	struct img_writer *img;
	struct proc_vma *vmas;
	int nr_vmas;
	struct proc_stat stat;
	struct proc_status status;
	bool stopped;			/* group-stopped when seized */
	struct misc_dump *misc_dump;	/* lib/kinds/misc.h */
	struct netlock_dump *netlock;	/* lib/kinds/netlock.c: established TCP connections */
	bool tree_member;		/* one process of a tree: its children are the tree's */
	/* ... its fds inherited from its parent, and every process of the tree (sorted) */
	const struct rec_tree_fd *tree_fds;
	int nr_tree_fds;
	const pid_t *tree_pids;
	int nr_tree_pids;
	/* ... and the sockets of the pairs the tree makes (IMG_REC_TREE_UNIX), sorted */
	const uint32_t *tree_socks;
	int nr_tree_socks;
	/* ... the live processes of the tree (those dumped before it first), and its mappings of their objects */
	struct dump_ctx *const *tree_peers;
	int nr_tree_peers;	/* dumped before it */
	int nr_tree_live;	/* all */
	struct rec_tree_shm *tree_shm;
	int nr_tree_shm;
	/* ... its parent in the tree (NULL for the root), and its mappings sharing pages with it */
	struct dump_ctx *tree_parent;
	struct rec_tree_cow **tree_cow;
	int nr_tree_cow;
};

/*
 * Inject syscall @nr (x86-64 number; translated for ia32 where the module
 * says so) into thread @idx.  Returns 0 and the syscall's result in *ret.
 */
int cr_inject(struct cr_thread *th, long nr, int64_t *ret, uint64_t a0, uint64_t a1, uint64_t a2,
	      uint64_t a3, uint64_t a4, uint64_t a5);
/* Scratch memory in the target, shared by all modules of the thread. */
int cr_scratch(struct cr_thread *th, size_t len, uint64_t *addr);

/*
 * Page copies run on every CPU sudcr may use, not only the one injection
 * pinned it to (inject.c): how many that is, at most @max, with the set in
 * *cpus.  @th is a thread under injection (or NULL).
 */
int cr_worker_cpus(const struct cr_thread *th, int max, cpu_set_t *cpus);
/*
 * Call fn(args + i * size) for i in [0, nr): nr - 1 new threads and the
 * calling thread, all on *cpus; returns when every call has.  The caller's
 * own CPU affinity is put back afterwards.  If a thread cannot be started,
 * the calls share the threads there are: fn must take its work from a
 * common queue until it is empty, not rely on its index.
 */
void cr_run_workers(int nr, void *args, size_t size, void *(*fn)(void *), const cpu_set_t *cpus);

/*
 * Whether this kernel can set a timerfd's count of expirations not read
 * yet (TFD_IOC_SET_TICKS, CONFIG_CHECKPOINT_RESTORE): the restore needs it
 * for timerfds that have some.
 */
bool cr_can_set_timerfd_ticks(void);

/* Per-module dump steps; each writes its records to d->img. */
int dump_threads(struct dump_ctx *d);
int dump_mm(struct dump_ctx *d);
/* Drop from d->vmas the safety pages injection mapped (inject.h): not the process's. */
void dump_forget_safety_pages(struct dump_ctx *d);
int dump_files(struct dump_ctx *d);

/* The dump behind sudcr_dump() (sudcr/sudcr.h, lib/api.c). */
int cr_dump(pid_t pid, const struct dump_opts *opts);

/*
 * sudcr_cancel() (task.h) asks the dump or restore in progress to stop: it
 * fails with -EINTR at its next safe point, a dump leaving the process as
 * it found it and no image, a restore leaving no process.  Once the
 * restored process runs, a restore no longer stops.
 * cr_cancelled(): whether a stop was asked for (the modules' safe points).
 */
bool cr_cancelled(void);

/* --inherit-fd fd[N]:pipe:[INODE]: the image's pipe INODE is sudcr restore's fd N. */
struct restore_inherit_fd {
	int fd;
	uint64_t ino;
};
#define RESTORE_INHERIT_MAX	16

struct restore_opts {
	const char *dir;
	bool detach;		/* -d: exit once the process runs */
	bool shell_job;
	int nr_inherit;
	struct restore_inherit_fd inherit[RESTORE_INHERIT_MAX];
	/* --allow-changed-files: a file changed since the dump is warned of, not refused */
	bool allow_changed_files;
	/* --tcp-established: established TCP connections are restored, their network lock lifted */
	bool tcp_established;
	/* Without detach: called once the process runs, before waiting for it. */
	void (*on_running)(pid_t pid, void *arg);
	void *on_running_arg;
};

struct restore_ctx {
	struct restore_opts opts;
	struct img_reader *img;
	struct rec_process proc;
	const struct rec_thread *threads;	/* nr = proc.nr_threads, [0] the leader */
	struct rec_thread *thread_buf;		/* owns the copy threads points to */
	const struct rec_xstate **xstates;	/* per thread, same order, into the image */
	const struct rec_tls **tls;		/* per thread, same order; NULL for x86-64 ones */
	const struct rec_mm *mm;
	pid_t pid;
	struct task_proc tp;
	struct cr_thread *cthreads;
	/* Module-private parsed state. */
	struct restore_mm_state *mm_state;
	struct restore_signals_state *sig_state;
	struct restore_files_state *files_state;
	struct restore_misc_state *misc_state;
	struct restore_attrs_state *attrs_state;	/* procattr.c and sched.c */
	struct restore_creds_state *creds_state;
	const struct rec_cwd_deleted *cwd_deleted;	/* kinds/deleted_cwd.c: the cwd was removed */
	struct restore_sysv_shm_state *sysv_shm_state;
	/*
	 * A process of a tree whose stub its parent's made with CLONE_FILES,
	 * CLONE_FS (lib/restore/tree.c): its fd table, its cwd and umask are
	 * its parent's, set up there, not in its own stub.
	 */
	bool files_shared, fs_shared;
	struct restore_sysv_msg_state *sysv_msg_state;
	struct restore_sysv_sem_state *sysv_sem_state;
	const struct rec_netlock *netlock;	/* kinds/netlock.c: the image's network lock, or NULL */
	/* A process of a tree (lib/restore/tree.c): fds it inherits from its parent's stub. */
	const struct rec_tree_fd *tree_fds;
	int nr_tree_fds;
	/* ... the pipes the tree makes once for all their holders ... */
	const struct rec_tree_pipe *tree_pipes;
	int nr_tree_pipes;
	/* ... the socket pairs it makes so ... */
	const struct rec_tree_unix *tree_unix;
	int nr_tree_unix;
	/* ... and the fds it keeps open through its setup for its children (-1: none). */
	const int *tree_keep;
	int nr_tree_keep;
	/* ... and its mappings of objects an earlier process maps (IMG_REC_TREE_SHM) */
	const struct rec_tree_shm *tree_shm;
	int nr_tree_shm;
	/* ... its mappings sharing pages with its parent (IMG_REC_TREE_COW), the parent's restore, and
	 * one byte per mapping, shared by sudcr and the stubs: made by the stub (mm_cow.c) */
	const struct rec_tree_cow **tree_cow;
	int nr_tree_cow;
	struct restore_ctx *cow_parent;
	uint8_t *cow_placed;
	/* fds of sudcr's own the stub must keep while it sets up its files */
	int keep_fds[4];
	int nr_keep_fds;
};

/*
 * Restore modules: *_prepare reads and validates their records before
 * anything is created (an image is untrusted input); *_in_stub runs inside
 * the new process before it is seized (plain C, sudcr's own libc; it must
 * not return on error: print and _exit(1)); the third step runs from
 * sudcr with the stub seized and injection active in every thread.
 */
int restore_mm_prepare(struct restore_ctx *r);
int restore_mm_check(struct restore_ctx *r);
/* A tree's: the mapping @ref names in @peer's image maps the object @r's mapping does. */
/* A tree's copy-on-write sharing (lib/restore/mm_cow.c): @r's mappings that share pages with @parent's. */
int restore_mm_cow_link(struct restore_ctx *r, struct restore_ctx *parent);
int restore_mm_nr_vmas(const struct restore_ctx *r);
int restore_mm_cow_in_stub(struct restore_ctx *r);
int restore_mm_check_peer(struct restore_ctx *r, const struct restore_ctx *peer, const struct rec_tree_shm *ref);
int restore_mm(struct restore_ctx *r);
void restore_mm_free(struct restore_ctx *r);
void restore_files_free(struct restore_ctx *r);
int restore_files_prepare(struct restore_ctx *r);
int restore_files_check(struct restore_ctx *r);
int restore_files_in_stub(struct restore_ctx *r);
int restore_files(struct restore_ctx *r);
/* The restore failed after restore_files(): give sudcr's terminal its modes back. */
void restore_files_undo(struct restore_ctx *r);
/* Credentials: after misc, the last injected step that needs privileges. */
/* After mm: the other threads, with their TIDs, seized, injection begun. */
int restore_create_threads(struct restore_ctx *r);
int restore_threads(struct restore_ctx *r);	/* registers, masks, SUD: last */
void restore_free(struct restore_ctx *r);
/*
 * Open r->opts.dir and check every record, as a restore does before it
 * creates anything; creates nothing.  For the fuzzer and its replay test.
 */
int restore_validate(struct restore_ctx *r);
/* The image's THREAD record of @tid (once read_core() has read them): its place, or -1 / NULL. */
int restore_image_thread_index(const struct restore_ctx *r, long tid);
/*
 * An array of @declared elements of @size for the records of @type, once
 * the image holds exactly that many (an image can state 4 billion):
 * "DIR: N WHAT records, the misc record says M" otherwise.  *out is NULL
 * for none.
 */
int restore_alloc_counted(struct restore_ctx *r, uint32_t type, uint32_t declared, size_t size,
			  const char *what, void **out);
const struct rec_thread *restore_image_thread(const struct restore_ctx *r, long tid);

/* The restore behind sudcr_restore() (sudcr/sudcr.h, lib/api.c). */
int cr_restore(const struct restore_opts *opts, int *exit_status);

/* Iterate over records of one type: returns 1 with data, 0 at end, <0. */
int cr_next_of_type(struct img_reader *img, uint32_t want, const void **data, size_t *len);

#endif
