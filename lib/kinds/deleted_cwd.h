/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_KINDS_DELETED_CWD_H
#define SUDCR_KINDS_DELETED_CWD_H

/* A removed working directory (deleted_cwd.c), for misc's cwd. */

#include <stdbool.h>
#include <sys/types.h>

struct restore_ctx;

/*
 * Dump: @path, as /proc/PID/cwd reads it, ends in " (deleted)" and the
 * directory was removed: strip the suffix and return 1 (0 if it was not
 * removed; one line and -errno if it cannot be made again).
 */
int deleted_cwd_strip(pid_t pid, char *path);
/*
 * Dump: the same for @path as /proc/PID/root reads it: 1 if the root was
 * removed and is the (removed) working directory, suffix stripped; 0 if
 * not removed; one line and -errno if removed but not the cwd.
 */
int deleted_root_strip(pid_t pid, char *path);
/* Restore: the removed cwd that the stub entered is the root directory too. */
bool deleted_cwd_is_root(const struct restore_ctx *r);
/* In the stub, if r->cwd_deleted: make @cwd again, enter it, remove it; 0 or -errno (said). */
int deleted_cwd_enter(const struct restore_ctx *r, const char *cwd);

#endif
