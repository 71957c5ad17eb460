/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_PROC_H
#define SUDCR_PROC_H

/*
 * The /proc readers of the public API (libsudcr-core); the library's
 * other parsers are private (lib/proc/proc.h). All return 0 or a
 * negative errno; a process or thread that does not exist (any more) gives
 * -ESRCH. Arrays returned through a pointer are malloc'ed: free() them. On
 * error the output pointers are left untouched.
 */

#include <stdint.h>
#include <sys/types.h>

#include <sudcr/api.h>

/* Thread ids listed in /proc/PID/task, malloc'ed, in directory order. */
SUDCR_API int proc_list_tasks(pid_t pid, pid_t **tids, int *nr);

/* One-letter state of a thread from /proc/PID/task/TID/stat ('R', 'S', 'Z', ...). */
SUDCR_API int proc_thread_state(pid_t pid, pid_t tid, char *state);

/*
 * The process thread @tid belongs to (Tgid of /proc/TID/status) and the
 * signals that process catches (SigCgt: bit N - 1 for signal N).  Not
 * reported: -ESRCH or -ENOENT say there is no such thread.
 */
SUDCR_API int proc_thread_group(pid_t tid, pid_t *tgid, uint64_t *caught);

/* First mapping whose path column ends with @name, e.g. "[vdso]". */
SUDCR_API int proc_find_mapping(pid_t pid, const char *name, uint64_t *start, uint64_t *end);

#endif
