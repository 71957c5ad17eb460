/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_LIB_NAMESPACES_H
#define SUDCR_LIB_NAMESPACES_H

/*
 * Namespaces are not dumped or restored: a process is dumped only when it
 * is in sudcr's own namespaces, the image records which ones they were
 * (IMG_REC_NAMESPACES), and a restore runs only in those same ones.
 * Anything else would bring the process back in the restorer's
 * namespaces, silently different (another getpid(), other paths, other
 * network).
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cr.h"

/* The file under /proc/.../ns/ ("pid_for_children") and the name for messages ("PID"). */
const char *ns_file(int kind);
const char *ns_name(int kind);
/* Kinds that only say where future children go (pid_for_children, time_for_children). */
bool ns_for_children(int kind);

/* The id of a namespace made by unshare(CLONE_NEWPID) that has no init yet. */
#define NS_INO_UNBORN	UINT64_MAX

/* The identities of /proc/@dir/ns/ (@dir "thread-self", "PID/task/TID"); -errno if unreadable. */
int ns_read_ids(const char *dir, struct rec_ns_id ids[REC_NS_NR]);
/* The first kind where @a and @b differ, or -1. */
int ns_first_diff(const struct rec_ns_id *a, const struct rec_ns_id *b);
/* "pid:[4026531836]" (and the nsfs device when @other's differs). */
void ns_id_str(int kind, const struct rec_ns_id *id, const struct rec_ns_id *other, char *buf, size_t size);

/*
 * sudcr reads /proc/PID for PIDs of its own PID namespace: /proc must be
 * that namespace's procfs (nsenter -p without -m leaves the outer one).
 * 0, or -EINVAL with one message.
 */
int ns_check_procfs(void);

/* Refuse a process outside sudcr's namespaces before it is touched (lib/kinds/namespaces.c). */
int dump_namespaces_early(pid_t pid);
/* Every frozen thread checked again, and the record written. */
int dump_namespaces(struct dump_ctx *d);
/* The restorer's namespaces must be the image's (lib/kinds/namespaces.c). */
int restore_namespaces_prepare(struct restore_ctx *r);

#endif
