/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_PROC_H
#define SUDCR_PROC_H

/* Parsers for /proc/PID/... files. All return 0 or a negative errno. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Read a whole /proc file into a malloc'ed NUL-terminated buffer. */
int proc_read_file(const char *path, char **buf, size_t *len);

/* Thread ids listed in /proc/PID/task, malloc'ed, in directory order. */
int proc_list_tasks(pid_t pid, pid_t **tids, int *nr);

/* One-letter state of a thread from /proc/PID/task/TID/stat ('R', 'S', 'Z', ...). */
int proc_thread_state(pid_t pid, pid_t tid, char *state);

/* Fields of /proc/PID/status. */
struct proc_status {
	pid_t tgid;
	pid_t ppid;
	pid_t tracer_pid;
	int seccomp;		/* Seccomp: 0 none, 1 strict, 2 filter */
	uint64_t sig_blk, sig_pnd, shd_pnd, sig_ign, sig_cgt;
	char name[64];
};
int proc_parse_status(pid_t pid, pid_t tid, struct proc_status *st);

/* First mapping whose path column ends with @name, e.g. "[vdso]". */
int proc_find_mapping(pid_t pid, const char *name, uint64_t *start, uint64_t *end);

/* CPU the thread last ran on (field 39 of stat). */
int proc_thread_cpu(pid_t pid, pid_t tid, int *cpu);

#endif
