/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_DUMP_CREDS_H
#define SUDCR_DUMP_CREDS_H

#include <sudcr/image_records.h>
#include <sys/types.h>

/*
 * The credentials of thread @tid of @pid as /proc/PID/task/TID/status
 * shows them, as a malloc'ed record of *len bytes (groups included);
 * securebits are left 0: /proc does not show them.  The dump writes it,
 * the restore reads the restored thread back with it.  0 or -errno.
 */
int creds_from_proc(pid_t pid, pid_t tid, struct rec_creds **rec, size_t *len);

#endif
