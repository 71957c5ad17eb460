/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_KINDS_FD_H
#define SUDCR_KINDS_FD_H

/* What the dump and the restore of fds (dump/files.c, restore/files.c) both know of fd kinds. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sudcr/image_records.h>
#include <sudcr/proc.h>

struct dump_ctx;
struct img_writer;
struct rf_fd;

/* One fd kind (fd.c's table, by REC_FD_*). */
struct fd_kind {
	const char *name;	/* in restore's messages: "regular file" */
	const char *show_name;	/* in `sudcr show`: "file" */
	/* show's detail of what the kind keeps in its FD record, into buf (text or JSON); may be NULL */
	void (*show)(const struct rec_fd *rec, bool json, char *buf, size_t size);
};

/* The kind of an FD record, NULL if there is none such. */
const struct fd_kind *fd_kind(uint32_t kind);

/* A pipe or FIFO: an object with two ends and buffered bytes. */
static inline bool is_pipe_kind(uint32_t kind)
{
	return kind == REC_FD_PIPE || kind == REC_FD_FIFO;
}

/* eventfd.c: found by its fdinfo, kept in the FD record, made again in the stub. */
bool eventfd_found(const struct proc_fd *p);
void eventfd_dump(const struct proc_fd *p, struct rec_fd *rec);
bool eventfd_rec_bad(const struct rec_fd *rec);
int eventfd_open(const struct rf_fd *e);
extern const struct fd_kind fd_kind_eventfd;

/* signalfd.c: found by its fdinfo, its mask kept in the FD record, made again in the stub. */
bool signalfd_found(const struct proc_fd *p);
void signalfd_dump(const struct proc_fd *p, struct rec_fd *rec);
int signalfd_open(const struct rf_fd *e);
extern const struct fd_kind fd_kind_signalfd;

/* timerfd.c: found by its fdinfo, its timer in an IMG_REC_TIMERFD record, made again in the stub. */
bool timerfd_found(const struct proc_fd *p);
/* Its unread expirations can be set again here, or an error. */
int timerfd_check_ticks(const struct proc_fd *p, uint64_t ticks);
/* Its IMG_REC_TIMERFD record, read through @g, a second reference to it. */
int timerfd_dump(struct img_writer *img, const struct proc_fd *p, int g);
bool timerfd_armed(const struct rec_timerfd *t);
int timerfd_open(const struct rf_fd *e);
extern const struct fd_kind fd_kind_timerfd;

/* epoll.c: found by its link, what it watches in an IMG_REC_EPOLL record, filled again in the stub. */
bool epoll_found(const struct proc_fd *p);
int epoll_read(pid_t pid, const struct proc_fd *p, struct proc_epoll_tfd **tfds, int *nr_tfds);
void epoll_fill(const struct rf_fd *e);
extern const struct fd_kind fd_kind_epoll;

/* memfd.c: told from a deleted file by its filesystem, its seals in the FD record. */
int memfd_classify(pid_t pid, int fd, uint32_t *kind, const char **what);
int memfd_read_seals(int fd, const char *path, int rfd, uint32_t *seals);
bool memfd_rec_bad(const struct rec_fd *rec, const char *path);
void memfd_seal(const struct rf_fd *o);
extern const struct fd_kind fd_kind_memfd;

/*
 * inet.c: AF_INET/AF_INET6 TCP and UDP sockets, found by SO_DOMAIN/TYPE/PROTOCOL,
 * their state in an IMG_REC_INET record (read through @s, a second
 * reference to socket inode @ino), made again in the stub.
 */
struct img_writer;
bool inet_found(int family, int type, int protocol);
int inet_dump(struct img_writer *img, int fd, int s, uint32_t ino);
struct restore_files_state;
int inet_open(const struct restore_files_state *s, const struct rf_fd *e);
extern const struct fd_kind fd_kind_inet;
/* unix_named.c: AF_UNIX sockets listening or not connected (found and dumped through unix.h). */
int unix_sk_open(const struct rf_fd *e);
extern const struct fd_kind fd_kind_unix_sk;
/* show's text of an IMG_REC_UNIX_SK record; -EINVAL if not valid. */
int unix_sk_describe(const void *data, size_t len, bool json, char *buf, size_t size);
int inet_describe(const void *data, size_t len, bool json, char *buf, size_t size);

/*
 * procfd.c: a path under /proc of another thread of the process, which the
 * restore opens only once the threads exist.
 */
bool procfd_other_thread(const struct dump_ctx *d, const char *path);

#endif
