/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_DUMP_UNIX_H
#define SUDCR_DUMP_UNIX_H

/* AF_UNIX socket pairs (unix.c): what sock_diag tells, for the dump. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "image.h"

/* What sock_diag tells of one AF_UNIX socket. */
struct unix_diag_info {
	uint32_t ino;
	uint32_t peer;		/* inode of the peer; 0: none (or it was closed) */
	uint8_t type;		/* SOCK_* */
	uint8_t state;		/* TCP_ESTABLISHED, TCP_LISTEN, TCP_CLOSE */
	uint8_t shutdown;	/* RCV_SHUTDOWN 1 | SEND_SHUTDOWN 2 */
	bool named;		/* bound to a path or an abstract name (autobind too) */
	uint32_t rqlen;		/* UNIX_DIAG_RQLEN: bytes queued (SOCK_DGRAM: the first message) */
	uint32_t wqlen;		/* memory its sent messages still hold; listening: the backlog */
	uint32_t name_len;	/* UNIX_DIAG_NAME: sun_path's bytes */
	uint8_t name[108];
	bool vfs;		/* UNIX_DIAG_VFS: bound to a path, its file */
	uint64_t vfs_dev;	/* as stat's st_dev (sock_diag gives the kernel's dev_t) */
	uint32_t vfs_ino;
};

/* Ask sock_diag about socket inode @ino of sudcr's network namespace; -ENOENT: none. */
int unix_diag_get(uint32_t ino, struct unix_diag_info *u);

/* unix_named.c: whether a live socket is bound to the socket file @dev/@ino (sock_diag); -errno. */
int unix_vfs_in_use(uint64_t dev, uint32_t ino);

/* The kernel's dev_t (20 bits of minor) as stat's st_dev. */
uint64_t unix_kdev_to_dev(uint32_t kdev);

/* Whose messages are these: the process's own credentials. */
struct unix_owner {
	pid_t pid;
	uint32_t uid, gid;
};

/*
 * Write the IMG_REC_UNIX record of the end at target fd @fd (link text
 * @link; @sock: sudcr's reference to it from pidfd_getfd; @peer_fd: the
 * lowest fd of the other end, @peer what sock_diag says of it) and IMG_REC_UNIX_QUEUE records of its
 * receive queue, read with MSG_PEEK.  The socket is left as found.  A
 * queue that cannot be copied exactly is an error (-EOPNOTSUPP) reported
 * in one line.
 */
int dump_unix_end(struct img_writer *img, int fd, const char *link, int sock, int peer_fd,
		  const struct unix_diag_info *u, const struct unix_diag_info *peer,
		  const struct unix_owner *own);

#endif
