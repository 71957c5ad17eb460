/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_RESTORE_TREE_H
#define SUDCR_RESTORE_TREE_H

/*
 * The restore of a process tree (lib/restore/tree.c) and the parts of the
 * single-process driver (restore.c) it runs once per process.
 */

#include "cr.h"

/* @opts->dir holds a tree image (IMG_REC_TREE_PROC records). */
int restore_tree(const struct restore_opts *opts, int *exit_status);

/* restore.c, one process: validate its image and check its PID is free. */
int restore_member_prepare(struct restore_ctx *r);
/* A close-on-exec pipe near the top of the fd limit, out of the images' fd numbers; 0 or -errno (said). */
int restore_high_pipe(int fds[2]);
/* The stub r->pid exists: seize it, injection active in every thread. */
int restore_member_seize(struct restore_ctx *r);
/* Transplant and the rest, up to the detach (task_detach_process(&r->tp)). */
int restore_member_finish(struct restore_ctx *r);
/* On failure: SIGKILL it, injection state dropped; the caller reaps it. */
void restore_member_kill(struct restore_ctx *r);
/* In a stub: messages go to @fd as the stub's report (see restore.c). */
void restore_stub_log_to(int fd);

#endif
