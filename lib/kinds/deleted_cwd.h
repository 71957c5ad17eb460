/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_KINDS_DELETED_CWD_H
#define SUDCR_KINDS_DELETED_CWD_H

/* A removed working directory (deleted_cwd.c), for misc's cwd. */

#include <sys/types.h>

struct restore_ctx;

/*
 * Dump: @path, as /proc/PID/cwd reads it, ends in " (deleted)" and the
 * directory was removed: strip the suffix and return 1 (0 if it was not
 * removed; one line and -errno if it cannot be made again).
 */
int deleted_cwd_strip(pid_t pid, char *path);
/* In the stub, if r->cwd_deleted: make @cwd again, enter it, remove it; 0 or -errno (said). */
int deleted_cwd_enter(const struct restore_ctx *r, const char *cwd);

#endif
