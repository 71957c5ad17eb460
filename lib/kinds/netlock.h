/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_KINDS_NETLOCK_H
#define SUDCR_KINDS_NETLOCK_H

/*
 * The network lock of established TCP connections (netlock.c), as the
 * dump of their sockets (inet.c, tcp.c) uses it: every connection is
 * added, then the lock is taken for all of them at once, before any
 * socket is put in repair mode; each socket read is noted, so that the
 * dump puts it back in repair mode right before the kill.
 */

#include <stdbool.h>
#include <stdint.h>

#include "image_records.h"

struct dump_ctx;

/* Connection @c, of the socket at the process's fd @fd (inode @ino): 0 or -ENOMEM. */
int netlock_add(struct dump_ctx *d, const struct rec_netlock_conn *c, int fd, uint64_t ino);
/* The lock for every connection added (none: nothing): 0 or -errno, reported. */
int netlock_take(struct dump_ctx *d);
/* Whether the socket of inode @ino is under the lock taken. */
bool netlock_holds(const struct dump_ctx *d, uint64_t ino);
/* The socket of inode @ino was read (and is out of repair mode again); SO_REUSEADDR is @reuse. */
void netlock_dumped(struct dump_ctx *d, uint64_t ino, int reuse);

/*
 * sudcr netlock (lib/api.c): fn(name) for each lock table on this machine
 * (their number, or -errno); lift the one named, or those of image @dir (a
 * tree's too).  0 or -errno, reported.
 */
int netlock_list(void (*fn)(const char *table, void *arg), void *arg);
int netlock_lift_table(const char *name);
int netlock_lift_dir(const char *dir);

/* "sudcr_..." is an nft table name sudcr makes: [a-z0-9_], NUL within @size. */
bool netlock_name_ok(const char *name, size_t size);

#endif
