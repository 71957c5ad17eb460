/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_KINDS_TCP_H
#define SUDCR_KINDS_TCP_H

/*
 * Established TCP connections (tcp.c), for the inet fd kind (inet.c):
 * IMG_REC_INET_TCP, read and written again with TCP_REPAIR.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "image_records.h"

struct dump_ctx;
struct img_writer;

/*
 * Dump: sudcr's reference @s to the socket at fd @fd (inode @ino), whose
 * connection the network lock holds, goes into repair mode (and stays
 * there: closed so, it sends nothing) and its IMG_REC_INET_TCP record is
 * written.  0 or -errno, reported ("fd N (WHAT): ...").
 */
int tcp_conn_dump(struct dump_ctx *d, int fd, const char *what, int s, uint64_t ino);

/* The record @c of @len bytes (untrusted) for socket @h: a message naming what is wrong, or NULL. */
const char *tcp_conn_bad(const struct rec_inet *h, const struct rec_inet_tcp *c, size_t len);

/*
 * Restore, in the stub: new socket @t, its options set, gets the
 * connection back: repair mode, bound to @local, sequence numbers,
 * connect() to @peer (no SYN in repair mode), the handshake's options,
 * both queues, the window; what could be read back is compared.  It
 * stays in repair mode (tcp_conns_release()).  0, or an errno (-1: read back otherwise) with *step
 * naming what failed.
 */
int tcp_conn_restore(int t, const struct rec_inet_tcp *c, const struct sockaddr *local,
		     socklen_t llen, const struct sockaddr *peer, socklen_t plen, const char **step);

/*
 * Restore, the process about to run: each established connection of the
 * image out of repair mode (inet.c), SO_REUSEADDR set again.  0 or
 * -errno, reported.
 */
struct restore_ctx;
int tcp_conns_release(struct restore_ctx *r);

/* show: " seq snd S rcv R, queued ..." or JSON members (",\"tcp\":{...}"), into buf. */
void tcp_conn_str(const struct rec_inet_tcp *c, bool json, char *buf, size_t size);

#endif
