/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_SUDCR_H
#define SUDCR_SUDCR_H

/*
 * The high-level API of libsudcr: checkpoint a process into an image
 * directory, restore it from one, print what an image holds, and probe
 * the kernel for what these need.  What the `sudcr` command does, as a
 * library.  Every function returns 0 or a negative errno; a failure is
 * reported once, through the log (sudcr/log.h), by the function that
 * knows its context: the caller only passes the code on.
 *
 * Options are opaque objects with one setter per option, not a struct the
 * caller fills.  The library owns their layout, so adding an option is
 * a field and a setter, which changes nothing a compiled caller uses; an
 * option may default to something other than zero; a setter checks its
 * value when it is given (-EINVAL); and a program written for a newer
 * library, using an option an older one lacks, fails to link instead of
 * having its option silently ignored.  A size field checked at run time
 * would give the last point too, but only when the call is made, and would
 * freeze the order and types of the fields in the header.
 *
 * Strings given to a setter are copied.  One options object may serve any
 * number of calls; none of the calls changes it.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <sudcr/api.h>

/* ---- dump ---- */

struct sudcr_dump_opts;

/* A new set of dump options, all off, no directory (-ENOMEM). */
SUDCR_API int sudcr_dump_opts_new(struct sudcr_dump_opts **opts);
SUDCR_API void sudcr_dump_opts_free(struct sudcr_dump_opts *opts);
/* Where the image goes (required; created if missing). */
SUDCR_API int sudcr_dump_opts_set_dir(struct sudcr_dump_opts *opts, const char *dir);
/* Keep the process running once the image is complete (default: it is killed). */
SUDCR_API int sudcr_dump_opts_set_leave_running(struct sudcr_dump_opts *opts, bool on);
/* The process's terminal and its stdio pipes belong to the caller (`dump --shell-job`). */
SUDCR_API int sudcr_dump_opts_set_shell_job(struct sudcr_dump_opts *opts, bool on);
/* Replace an image already in the directory. */
SUDCR_API int sudcr_dump_opts_set_overwrite(struct sudcr_dump_opts *opts, bool on);
/* Do not fsync the image (tmpfs, benchmarks). */
SUDCR_API int sudcr_dump_opts_set_no_sync(struct sudcr_dump_opts *opts, bool on);
/*
 * Take the process and every descendant (`dump -t`): one image per process
 * under DIR/PID and the tree in DIR/core.img (default, `dump -p`: the
 * process alone, refused if it has children).
 */
SUDCR_API int sudcr_dump_opts_set_tree(struct sudcr_dump_opts *opts, bool on);
/*
 * Dump established TCP connections (`dump --tcp-established`, default:
 * refused): TCP_REPAIR, and a network lock (nftables) that holds them
 * from the dump to the restore.
 */
SUDCR_API int sudcr_dump_opts_set_tcp_established(struct sudcr_dump_opts *opts, bool on);

/*
 * Checkpoint process @pid with all its threads (with the tree option, and
 * every descendant).  On failure the process (every process of the tree)
 * is left running as found and the directory holds no image.  sudcr_cancel()
 * (sudcr/task.h) stops it the same way (-EINTR).
 */
SUDCR_API int sudcr_dump(pid_t pid, const struct sudcr_dump_opts *opts);

/* ---- restore ---- */

struct sudcr_restore_opts;

SUDCR_API int sudcr_restore_opts_new(struct sudcr_restore_opts **opts);
SUDCR_API void sudcr_restore_opts_free(struct sudcr_restore_opts *opts);
/* The image to restore (required). */
SUDCR_API int sudcr_restore_opts_set_dir(struct sudcr_restore_opts *opts, const char *dir);
/* Return once the process runs, instead of waiting for it to end. */
SUDCR_API int sudcr_restore_opts_set_detach(struct sudcr_restore_opts *opts, bool on);
/* The process's terminal and stdio pipes become the caller's (`restore --shell-job`). */
SUDCR_API int sudcr_restore_opts_set_shell_job(struct sudcr_restore_opts *opts, bool on);
/* Restore even if files the process wrote, locked or mapped changed since the dump, warning of each. */
SUDCR_API int sudcr_restore_opts_set_allow_changed_files(struct sudcr_restore_opts *opts, bool on);
/* Restore established TCP connections and lift their network lock (`restore --tcp-established`). */
SUDCR_API int sudcr_restore_opts_set_tcp_established(struct sudcr_restore_opts *opts, bool on);
/*
 * The image's pipe @pipe_ino, whose other end was outside the process, is
 * joined to the caller's fd @fd (`--inherit-fd fd[N]:pipe:[INODE]`).  At
 * most SUDCR_RESTORE_INHERIT_MAX of them (-E2BIG); -EINVAL for a negative
 * fd or inode 0.  Not reported: the caller knows how it was asked.
 */
#define SUDCR_RESTORE_INHERIT_MAX	16
SUDCR_API int sudcr_restore_opts_add_inherit_fd(struct sudcr_restore_opts *opts, int fd, uint64_t pipe_ino);
/* Without detach: @fn(pid, @arg) is called once the process runs, before the wait for it. */
SUDCR_API int sudcr_restore_opts_set_on_running(struct sudcr_restore_opts *opts,
						void (*fn)(pid_t pid, void *arg), void *arg);

/*
 * Restore the process of the image with its PID (a tree's image: every
 * process of the tree, each with its PID, under its parent; the root's is
 * the one waited for and given to on_running).  Without detach, waits for
 * it and gives its exit status in *exit_status (128 + N if signal N killed
 * it); 0 with detach.  On failure no process is left behind.
 */
SUDCR_API int sudcr_restore(const struct sudcr_restore_opts *opts, int *exit_status);

/* ---- network locks (dump --tcp-established) ---- */

/*
 * The network locks of dumps with --tcp-established on this machine
 * (nftables tables "inet sudcr_..."): @fn(name, @arg) for each.  Their
 * number, or -errno (reported).
 */
SUDCR_API int sudcr_netlock_list(void (*fn)(const char *table, void *arg), void *arg);
/*
 * Lift a lock left by a dump whose image will not be restored: that of
 * image @dir (every process's of a tree image), or table @table (one of
 * the two, the other NULL).  0, or -errno (reported; -ENOENT: the image
 * holds none).  The peers of its connections then get resets.
 */
SUDCR_API int sudcr_netlock_lift(const char *dir, const char *table);

/* ---- show ---- */

struct sudcr_image;

/* Open and validate the image in @dir (reported if it cannot be read). */
SUDCR_API int sudcr_image_open(struct sudcr_image **img, const char *dir);
SUDCR_API void sudcr_image_close(struct sudcr_image *img);

enum sudcr_show_format {
	SUDCR_SHOW_TEXT = 0,	/* lines for people; bytes from the image escaped */
	SUDCR_SHOW_JSON = 1,	/* one JSON object and a newline */
};

/* Print what @img holds to @out, as `sudcr show` does. */
SUDCR_API int sudcr_image_show(struct sudcr_image *img, FILE *out, enum sudcr_show_format format);

/* ---- check ---- */

/* One item `sudcr check` prints. */
struct sudcr_check_item {
	const char *what;	/* "clone3 with set_tid" */
	bool ok;		/* present on this kernel, held by this process */
	bool needed;		/* dump/restore cannot work without it */
	const char *why;	/* when not needed: what it is for, "(...)" */
};

/*
 * Probe the running kernel and the caller's privileges for everything
 * dump and restore use: @fn(item, @arg) once per item, in a fixed order,
 * each right after its probe.  Some probes run in a child process.
 * Returns how many needed items are missing.
 */
SUDCR_API int sudcr_check(void (*fn)(const struct sudcr_check_item *item, void *arg), void *arg);

#endif
