/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_FREEZE_H
#define SUDCR_FREEZE_H

/*
 * Freezing and thawing a whole process: the entry and exit every command
 * goes through.  freeze_process() seizes all threads (task layer);
 * thaw_process() queues again any signal swallowed while stopping a thread
 * (inject layer) and detaches, leaving the process as it was found.
 */

#include <sudcr/api.h>
#include <sudcr/task.h>

SUDCR_API int freeze_process(pid_t pid, struct task_proc *p);
SUDCR_API int thaw_process(struct task_proc *p);

#endif
