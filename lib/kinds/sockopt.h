/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_KINDS_SOCKOPT_H
#define SUDCR_KINDS_SOCKOPT_H

/*
 * Socket options kept as struct rec_inet_opt (lib/kinds/inet.c's table),
 * for the socket kinds: inet.c and unix_named.c.  A socket's options are
 * those of the table that differ from a new socket's of the same family,
 * type and protocol; options of other levels than the socket's own
 * (IPPROTO_IP on AF_UNIX) are not on either, and so not kept.
 */

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "image_records.h"

#define SOCKOPTS_MAX	160

/* Into @opts (room for SOCKOPTS_MAX): their number, or -errno (reported, "fd N (WHAT): ..."). */
int sockopts_read(int fd, const char *what, int s, int fresh, int family, int protocol,
		  struct rec_inet_opt *opts);
/* An image's options: a message naming what is wrong, or NULL. */
const char *sockopts_bad(const struct rec_inet_opt *o, uint32_t nr, int family, int protocol);
/* Set @o on @t: 0 or -errno; *label names it. */
int sockopt_set(int t, const struct rec_inet_opt *o, const char **label);
/* 0 if @o reads back from @t as kept; -errno, or -ESTALE if otherwise. */
int sockopt_check(int t, const struct rec_inet_opt *o, const char **label);
/* show's text (" NAME=VALUE") or JSON member of @o into buf; its length. */
size_t sockopt_str(const struct rec_inet_opt *o, bool json, char *buf, size_t size);

#endif
