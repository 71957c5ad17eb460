// SPDX-License-Identifier: MIT
/*
 * The POSIX message queue fd kind (REC_FD_MQUEUE): an fd of mq_open(3),
 * a file of the kernel's mqueue filesystem (statfs says MQUEUE_MAGIC),
 * its name in the FD record's path.  Its IMG_REC_MQUEUE record, right
 * after the FD record of the description, holds the queue's attributes
 * (mq_maxmsg, mq_msgsize), whether it was unlinked, and the queued
 * messages with their priorities, in the order they would be received.
 *
 * The kernel has no way to peek at a queue: the dump receives every
 * message through an open of its own (/proc/PID/fd/N, O_RDWR|O_NONBLOCK)
 * and sends them back at once in the order received, which is the
 * queue's order again (by priority, first in first out within one).  So
 * the dump leaves the queue as it found it, as long as no process outside
 * the dump sends to or receives from it meanwhile; if sending one back
 * fails, the dump fails naming how many messages are gone.
 *
 * Refused at the dump, with one line naming the fd: a queue with a
 * notification registered (mq_notify, by the process or another: sending
 * the messages back would fire it), and a second open of one queue in the
 * process (each description would be made with a queue of its own).
 *
 * At restore (in the stub): a named queue that exists must be the same
 * (its inode) and is then opened as it is, live messages and all; another
 * queue by that name fails the restore.  A named queue that is gone, or
 * an unlinked one, is made again with its attributes, mode and owner and
 * filled with the messages (an unlinked one under a temporary name,
 * unlinked at once); attributes above /proc/sys/fs/mqueue's limits need
 * CAP_SYS_RESOURCE.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "image.h"
#include <sudcr/log.h>

#include "fd.h"
#include "fd_dump.h"
#include "files.h"

#ifndef MQUEUE_MAGIC
#define MQUEUE_MAGIC	0x19800202
#endif
#define MQ_PRIO_LIMIT	32768		/* the kernel's MQ_PRIO_MAX */

struct rec_mqueue {
	int32_t fd;			/* rec_fd.desc of the queue's description */
	uint32_t flags;			/* REC_MQ_* */
	int64_t maxmsg, msgsize;	/* mq_getattr() */
	uint32_t nr_msgs;		/* followed by nr_msgs of (struct rec_mq_msg + len bytes) */
	uint32_t pad;
};
#define REC_MQ_UNLINKED	(1u << 0)

struct rec_mq_msg {
	uint32_t prio;
	uint32_t len;
};

/* ---- dump ---- */

static int mqueue_recognise(struct files_dump *f, struct dump_fd *x)
{
	char proc[64];
	struct statfs sf;

	if (!x->is_path || !S_ISREG(x->st.st_mode))
		return FD_NOT_MINE;
	snprintf(proc, sizeof(proc), "/proc/%d/fd/%d", f->d->proc_pid, x->p->fd);
	if (statfs(proc, &sf))
		return -errno;
	return sf.f_type == MQUEUE_MAGIC ? FD_MINE : FD_NOT_MINE;
}

/* The queue's "QSIZE:... NOTIFY:... SIGNO:... NOTIFY_PID:..." line: who is registered, 0 if none. */
static int notify_pid(int q, int *pid)
{
	char buf[128], *p;
	ssize_t n = pread(q, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	buf[n] = '\0';
	p = strstr(buf, "NOTIFY_PID:");
	if (!p)
		return -EIO;
	*pid = atoi(p + 11);
	return 0;
}

static int open_queue(struct files_dump *f, const struct dump_fd *x)
{
	char proc[64];
	int q;

	snprintf(proc, sizeof(proc), "/proc/%d/fd/%d", f->d->proc_pid, x->p->fd);
	q = open(proc, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (q < 0) {
		q = -errno;
		sudcr_error("fd %d (POSIX message queue %s): cannot open it: %s", x->p->fd, x->path, strerror(-q));
	}
	return q;
}

static int mqueue_dump_check(struct files_dump *f, int i)
{
	const struct dump_fd *x = &f->x[i];
	int q, pid = 0, ret;

	if (x->desc != i)
		return 0;
	for (int j = 0; j < f->nr; j++) {
		if (j != i && f->x[j].kind == REC_FD_MQUEUE && f->x[j].desc == j && fd_dump_same_inode(x, &f->x[j])) {
			sudcr_error("fd %d (POSIX message queue %s): another open of the same queue (fd %d) is not supported yet",
				    x->p->fd, x->path, f->x[j].p->fd);
			return -EOPNOTSUPP;
		}
	}
	q = open_queue(f, x);
	if (q < 0)
		return q;
	ret = notify_pid(q, &pid);
	close(q);
	if (ret) {
		sudcr_error("fd %d (POSIX message queue %s): cannot read its state: %s", x->p->fd, x->path,
			    strerror(-ret));
		return ret;
	}
	if (pid) {
		sudcr_error("fd %d (POSIX message queue %s): a notification registered (mq_notify, by PID %d) is not supported yet",
			    x->p->fd, x->path, pid);
		return -EOPNOTSUPP;
	}
	return 0;
}

/* Every message, received in order and sent back in the same order, into the record after *hdr. */
static int mqueue_dump(struct files_dump *f, int i)
{
	const struct dump_fd *x = &f->x[i];
	struct rec_mqueue *rec = NULL;
	struct mq_attr a;
	size_t cap, used = sizeof(*rec);
	char *buf = NULL, *p;
	uint32_t n = 0, sent = 0;
	int q, ret;

	if (x->desc != i)
		return 0;
	q = open_queue(f, x);
	if (q < 0)
		return q;
	if (mq_getattr(q, &a)) {
		ret = -errno;
		sudcr_error("fd %d (POSIX message queue %s): mq_getattr: %s", x->p->fd, x->path, strerror(-ret));
		goto out;
	}
	cap = sizeof(*rec) + (size_t)a.mq_curmsgs * (sizeof(struct rec_mq_msg) + (size_t)a.mq_msgsize);
	if (a.mq_msgsize <= 0 || a.mq_maxmsg <= 0 || cap > IMG_RECORD_MAX) {
		sudcr_error("fd %d (POSIX message queue %s): %ld messages of up to %ld bytes do not fit in an image record",
			    x->p->fd, x->path, (long)a.mq_curmsgs, (long)a.mq_msgsize);
		ret = -EOPNOTSUPP;
		goto out;
	}
	buf = malloc(cap + a.mq_msgsize);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	rec = (struct rec_mqueue *)buf;
	/* Receive all there is (it may differ from mq_curmsgs only if someone else uses the queue). */
	for (;;) {
		struct rec_mq_msg m;
		unsigned int prio;
		ssize_t len;

		if (used + sizeof(m) + a.mq_msgsize > cap + a.mq_msgsize)
			break;
		len = mq_receive(q, buf + used + sizeof(m), a.mq_msgsize, &prio);
		if (len < 0)
			break;
		m.prio = prio;
		m.len = (uint32_t)len;
		memcpy(buf + used, &m, sizeof(m));
		used += sizeof(m) + len;
		n++;
	}
	ret = errno == EAGAIN || n == (uint32_t)a.mq_curmsgs ? 0 : -errno;
	for (p = buf + sizeof(*rec); sent < n; sent++) {
		struct rec_mq_msg m;

		memcpy(&m, p, sizeof(m));
		if (mq_send(q, p + sizeof(m), m.len, m.prio))
			break;
		p += sizeof(m) + m.len;
	}
	if (sent < n) {
		ret = -errno;
		sudcr_error("fd %d (POSIX message queue %s): %u of its %u messages could not be sent back and are lost: %s",
			    x->p->fd, x->path, n - sent, n, strerror(-ret));
		goto out;
	}
	if (ret) {
		sudcr_error("fd %d (POSIX message queue %s): mq_receive: %s", x->p->fd, x->path, strerror(-ret));
		goto out;
	}
	memset(rec, 0, sizeof(*rec));
	rec->fd = x->p->fd;
	rec->flags = x->deleted ? REC_MQ_UNLINKED : 0;
	rec->maxmsg = a.mq_maxmsg;
	rec->msgsize = a.mq_msgsize;
	rec->nr_msgs = n;
	ret = img_write_record(f->d->img, IMG_REC_MQUEUE, rec, used);
out:
	free(buf);
	close(q);
	return ret;
}

/* ---- restore ---- */

static int mqueue_check_fd(struct restore_ctx *r, const struct rec_fd *rec, const char *path)
{
	size_t l = strlen(path);

	if (l < 2 || l > NAME_MAX + 1 || path[0] != '/' || strchr(path + 1, '/') || !S_ISREG(rec->mode))
		return img_record_invalid(r->img, "fd %d: bad POSIX message queue \"%.64s\"", rec->fd, path);
	return 0;
}

static int mqueue_check_record(struct restore_ctx *r, struct restore_files_state *s, uint32_t type,
			       const void *data, size_t len)
{
	const struct rec_mqueue *q = data;
	const char *p = (const char *)(q + 1), *end = (const char *)data + len;
	int i;

	(void)type;
	if (len < sizeof(*q) || q->pad || (q->flags & ~REC_MQ_UNLINKED))
		return img_record_invalid(r->img, "bad POSIX message queue record");
	i = rf_find_fd(s, q->fd);
	if (i < 0 || s->fds[i].rec->kind != REC_FD_MQUEUE || s->fds[i].desc != i || s->fds[i].priv)
		return img_record_invalid(r->img, "message queue record for fd %d, which is no queue description before it",
					  q->fd);
	if (q->maxmsg <= 0 || q->msgsize <= 0 || q->maxmsg > INT_MAX || q->msgsize > INT_MAX ||
	    q->nr_msgs > q->maxmsg)
		return img_record_invalid(r->img, "fd %d: bad message queue attributes", q->fd);
	for (uint32_t k = 0; k < q->nr_msgs; k++) {
		struct rec_mq_msg m;

		if ((size_t)(end - p) < sizeof(m))
			return img_record_invalid(r->img, "fd %d: message queue record too short", q->fd);
		memcpy(&m, p, sizeof(m));
		p += sizeof(m);
		if (m.len > q->msgsize || m.prio >= MQ_PRIO_LIMIT || (size_t)(end - p) < m.len)
			return img_record_invalid(r->img, "fd %d: bad queued message %u", q->fd, k);
		p += m.len;
	}
	if (p != end)
		return img_record_invalid(r->img, "fd %d: message queue record too long", q->fd);
	s->fds[i].priv = q;
	return 0;
}

static int mqueue_check_table(struct restore_files_state *s, int i)
{
	if (s->fds[i].desc == i && !s->fds[i].priv) {
		sudcr_error("image: fd %d (POSIX message queue): no queue record", s->fds[i].rec->fd);
		return -EINVAL;
	}
	return 0;
}

/* In the stub: a new queue with the image's attributes, mode, owner and messages; its creating fd. */
static int make_queue(const struct rf_fd *e, const struct rec_mqueue *q, const char *name)
{
	struct mq_attr a = { .mq_maxmsg = q->maxmsg, .mq_msgsize = q->msgsize };
	const char *p = (const char *)(q + 1);
	int c;

	c = mq_open(name, O_CREAT | O_EXCL | O_RDWR | O_NONBLOCK, 0600, &a);
	if (c < 0)
		rf_die_fd(e, errno == EINVAL || errno == EMFILE ?
			  "making the queue again (attributes above /proc/sys/fs/mqueue's limits need CAP_SYS_RESOURCE)" :
			  "making the queue again", errno);
	for (uint32_t k = 0; k < q->nr_msgs; k++) {
		struct rec_mq_msg m;

		memcpy(&m, p, sizeof(m));
		if (mq_send(c, p + sizeof(m), m.len, m.prio))
			rf_die_fd(e, "queueing its messages again", errno);
		p += sizeof(m) + m.len;
	}
	if (fchmod(c, e->rec->mode & 07777) || fchown(c, e->rec->uid, e->rec->gid))
		rf_die_fd(e, "giving the queue its mode and owner", errno);
	return c;
}

/*
 * Every description through mq_open(): open(2) would add O_LARGEFILE to its
 * flags, and O_CLOEXEC is left out (mq_open would keep it in the flags
 * F_GETFL shows; its fds are close-on-exec anyway, the driver sets the
 * image's fd flags).
 */
static int mqueue_open(struct restore_files_state *s, int i, bool *own)
{
	const struct rf_fd *e = &s->fds[i];
	const struct rec_mqueue *q = e->priv;
	int acc = (int)(e->rec->flags & O_ACCMODE), c, t;
	const char *name = e->path;
	char tmp[64];
	struct stat st;

	(void)own;
	if (!(q->flags & REC_MQ_UNLINKED)) {
		t = mq_open(name, acc);
		if (t >= 0) {
			if (fstat(t, &st) || st.st_ino != e->rec->ino || st.st_dev != e->rec->dev)
				rf_stub_die("cannot restore fd %d (POSIX message queue %s): another queue has its name now",
					    e->rec->fd, e->path);
			return t;	/* the live queue, with its live messages */
		}
		if (errno != ENOENT)
			rf_die_fd(e, "mq_open", errno);
	} else {
		snprintf(tmp, sizeof(tmp), "/.sudcr-%d-%d", (int)getpid(), e->rec->fd);
		name = tmp;
	}
	c = make_queue(e, q, name);
	t = mq_open(name, acc);
	if (t < 0) {
		int err = errno;

		if (q->flags & REC_MQ_UNLINKED)
			mq_unlink(name);
		rf_die_fd(e, "opening the queue made again", err);
	}
	if (q->flags & REC_MQ_UNLINKED)
		mq_unlink(name);
	close(c);
	return t;
}

static void mqueue_show(const struct rec_fd *rec, bool json, char *buf, size_t size)
{
	(void)rec;
	if (json)
		snprintf(buf, size, ",\"mqueue\":true");
	else
		snprintf(buf, size, " (POSIX message queue)");
}

const struct fd_kind fd_kind_mqueue = {
	.kind = REC_FD_MQUEUE,
	.name = "POSIX message queue",
	.show_name = "mqueue",
	.records = { IMG_REC_MQUEUE },
	.recognise = mqueue_recognise,
	.dump_check = mqueue_dump_check,
	.dump = mqueue_dump,
	.check_fd = mqueue_check_fd,
	.check_record = mqueue_check_record,
	.check_table = mqueue_check_table,
	.open = mqueue_open,
	.show = mqueue_show,
};
