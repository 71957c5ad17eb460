// SPDX-License-Identifier: MIT
/*
 * AF_UNIX sockets that listen or are not connected (REC_FD_UNIX_SK):
 * bound to a path, to an abstract name (autobind included) or not bound,
 * SOCK_STREAM, SOCK_SEQPACKET and SOCK_DGRAM.  Socket pairs and their
 * queues are unix.c's.
 *
 * Dump: sock_diag (unix.c's unix_diag_get) gives the name, the socket
 * file (UNIX_DIAG_VFS), the state, the shutdown bits, and for a listening
 * socket its backlog and how many connections wait to be accepted; the
 * options (sockopt.h) and poll() go through sudcr's reference to the
 * socket.  The socket file is stat'ed by its path: if it is still that
 * file, its mode and owner are kept; if not (unlinked, or another file
 * there now), the socket is marked deleted.
 *
 * A stream or seqpacket socket whose peer has closed (the JVM's
 * leftover connections) comes back as one end of a new pair whose other
 * end is closed at once, if the peer had no name and nothing it sent is
 * still queued.
 *
 * Refused, one line each: connections waiting to be accepted, datagrams
 * queued on an unconnected socket (their senders' names are not kept
 * yet), a path that is not absolute (it was relative to the cwd of the
 * bind), and a stream socket whose connection has ended.
 *
 * Restore, in the stub: socket(), the options, bind() to the name, then
 * for a path the socket file's mode and owner (chmod, chown), or its
 * unlink if it was deleted; listen(), shutdown(), and the options and
 * poll() checked as inet.c does.  A socket file left at the path by the
 * dumped process (the same file, which no live socket is bound to any
 * more: sock_diag says) is unlinked first; any other file there, or a
 * socket file still bound (the original after --leave-running), fails the
 * restore with one line.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cr.h"
#include "image.h"
#include "image_records.h"
#include <sudcr/log.h>

#include "../show.h"
#include "fd.h"
#include "fd_dump.h"
#include "files.h"
#include "sockopt.h"
#include "unix.h"

_Static_assert(sizeof(struct rec_unix_sk) == 176, "rec_unix_sk layout");

#define ST_ESTABLISHED	1
#define ST_CLOSE	7
#define ST_LISTEN	10
#define POLL_EVENTS	(POLLIN | POLLPRI | POLLOUT | POLLRDHUP | POLLERR | POLLHUP)

static const char *type_name(uint32_t type)
{
	return type == SOCK_STREAM ? "stream" : type == SOCK_DGRAM ? "dgram" : "seqpacket";
}

/* "unix stream /run/x.sock", "unix dgram @name", "unix stream (unbound)" */
static void describe(uint32_t type, const uint8_t *name, uint32_t len, char *buf, size_t size)
{
	char n[220];
	size_t k = 0;

	if (!len) {
		snprintf(buf, size, "unix %s (unbound)", type_name(type));
		return;
	}
	for (uint32_t i = 0; i < len && k + 5 < sizeof(n); i++) {
		uint8_t c = name[i];

		if (!i && !c)
			n[k++] = '@';
		else if (!c && name[0])
			break;		/* a path's trailing NUL */
		else if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
			k += (size_t)snprintf(n + k, sizeof(n) - k, "\\x%02x", c);
		else
			n[k++] = (char)c;
	}
	n[k] = '\0';
	snprintf(buf, size, "unix %s %s", type_name(type), n);
}

/* ---- dump ---- */

/*
 * Listening, not connected, or a stream/seqpacket socket whose peer has
 * closed (sock_diag gives no peer then: the peer has no inode any more).
 */
static bool unix_sk_found(const struct unix_diag_info *u)
{
	return u->state == ST_LISTEN || (u->state == ST_CLOSE && !u->peer) ||
	       (u->state == ST_ESTABLISHED && !u->peer && u->type != SOCK_DGRAM);
}

static int unix_sk_dump(struct img_writer *img, int fd, int s, const struct unix_diag_info *u)
{
	struct rec_unix_sk r = { .fd = fd, .type = u->type, .state = u->state,
				 .shutdown = u->shutdown, .name_len = u->name_len };
	struct rec_inet_opt *opts = NULL;
	struct pollfd pfd = { .fd = s, .events = POLL_EVENTS };
	char what[256], *rec = NULL;
	int fresh = -1, n, ret;
	uint32_t fresh_events;
	size_t len;

	memcpy(r.name, u->name, u->name_len);
	describe(u->type, u->name, u->name_len, what, sizeof(what));
	if (poll(&pfd, 1, 0) < 0)
		return -errno;
	r.events = (uint32_t)pfd.revents;
	fresh = socket(AF_UNIX, (int)u->type | SOCK_CLOEXEC, 0);
	if (fresh < 0) {
		ret = -errno;
		sudcr_error("fd %d (%s): cannot make a socket like it: %s", fd, what, strerror(-ret));
		return ret;
	}
	pfd = (struct pollfd){ .fd = fresh, .events = POLL_EVENTS };
	if (poll(&pfd, 1, 0) < 0) {
		ret = -errno;
		goto out;
	}
	fresh_events = (uint32_t)pfd.revents;
	ret = -EOPNOTSUPP;
	if (u->state == ST_LISTEN && u->rqlen) {
		sudcr_error("fd %d (%s): %u connections wait to be accepted: not supported yet", fd,
			    what, u->rqlen);
		goto out;
	}
	if (u->state == ST_ESTABLISHED) {
		struct sockaddr_un pa;
		socklen_t pl = sizeof(pa);

		/*
		 * Its peer closed: a pair whose other end is closed is the same,
		 * if the peer had no name (getpeername still gives it) and
		 * nothing it sent is left.
		 */
		if (u->name_len || u->rqlen || u->shutdown != 3 ||
		    getpeername(s, (struct sockaddr *)&pa, &pl) || pl != sizeof(sa_family_t)) {
			sudcr_error("fd %d (%s): its peer has closed, and it %s: not supported yet", fd,
				    what, u->rqlen ? "still holds data the peer sent" :
				    u->name_len ? "is bound to a name" : "or its peer had a name");
			goto out;
		}
	} else if (u->state == ST_LISTEN) {
		r.backlog = u->wqlen;
	} else if (u->rqlen) {
		sudcr_error("fd %d (%s): messages are queued on it (%u bytes): not supported yet for sockets other than pairs",
			    fd, what, u->rqlen);
		goto out;
	} else if (u->type != SOCK_DGRAM && (r.events != fresh_events || u->shutdown)) {
		sudcr_error("fd %d (%s): a socket whose connection has ended, or that was shut down: not supported yet",
			    fd, what);
		goto out;
	}
	if (r.events & POLLERR) {
		sudcr_error("fd %d (%s): a socket error is pending (SO_ERROR), which sudcr cannot read without clearing it",
			    fd, what);
		goto out;
	}
	if (u->name_len && u->name[0] && u->name[0] != '/') {
		sudcr_error("fd %d (%s): bound to a relative path (relative to the working directory of the bind): not supported",
			    fd, what);
		goto out;
	}
	if (u->name_len && u->name[0]) {
		struct stat st;
		char path[sizeof(u->name) + 1];

		memcpy(path, u->name, u->name_len);
		path[u->name_len] = '\0';
		r.dev = u->vfs_dev;
		r.ino = u->vfs_ino;
		if (u->vfs && !lstat(path, &st) && S_ISSOCK(st.st_mode) && st.st_ino == u->vfs_ino &&
		    st.st_dev == u->vfs_dev) {
			r.mode = st.st_mode & 07777;
			r.uid = st.st_uid;
			r.gid = st.st_gid;
		} else {
			r.flags |= REC_UNIX_SK_DELETED;
		}
	}
	opts = calloc(SOCKOPTS_MAX, sizeof(*opts));
	if (!opts) {
		ret = -ENOMEM;
		goto out;
	}
	n = sockopts_read(fd, what, s, fresh, AF_UNIX, 0, opts);
	if (n < 0) {
		ret = n;
		goto out;
	}
	r.nr_opts = (uint32_t)n;
	len = sizeof(r) + r.nr_opts * sizeof(*opts);
	rec = malloc(len);
	if (!rec) {
		ret = -ENOMEM;
		goto out;
	}
	memcpy(rec, &r, sizeof(r));
	memcpy(rec + sizeof(r), opts, r.nr_opts * sizeof(*opts));
	ret = img_write_record(img, IMG_REC_UNIX_SK, rec, len);
out:
	free(rec);
	free(opts);
	close(fresh);
	return ret;
}

/* A live socket of sudcr's network namespace is bound to file dev:ino (sock_diag): 1, 0, -errno. */
int unix_vfs_in_use(uint64_t dev, uint32_t ino)
{
	struct {
		struct nlmsghdr h;
		struct unix_diag_req r;
	} req = { 0 };
	static char buf[32768];
	int nl, ret = 0;

	nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (nl < 0)
		return -errno;
	req.h.nlmsg_len = sizeof(req);
	req.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.r.sdiag_family = AF_UNIX;
	req.r.udiag_states = ~0u;
	req.r.udiag_show = UDIAG_SHOW_VFS;
	if (send(nl, &req, sizeof(req), 0) != (ssize_t)sizeof(req)) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		ssize_t n = recv(nl, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			goto out;
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			const struct unix_diag_msg *m = NLMSG_DATA(h);
			const struct rtattr *a;
			int alen;

			if (h->nlmsg_type == NLMSG_DONE)
				goto out;
			if (h->nlmsg_type == NLMSG_ERROR) {
				ret = -EIO;
				goto out;
			}
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
				continue;
			alen = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*m)));
			for (a = (const struct rtattr *)(m + 1); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
				struct unix_diag_vfs v;

				if (a->rta_type != UNIX_DIAG_VFS || RTA_PAYLOAD(a) < sizeof(v))
					continue;
				memcpy(&v, RTA_DATA(a), sizeof(v));
				if (unix_kdev_to_dev(v.udiag_vfs_dev) == dev && v.udiag_vfs_ino == ino)
					ret = 1;
			}
		}
	}
out:
	close(nl);
	return ret;
}

/* ---- restore: validation ---- */

static const char *unix_sk_bad(const struct rec_unix_sk *h, size_t len)
{
	const struct rec_inet_opt *o = (const struct rec_inet_opt *)(h + 1);

	if (len < sizeof(*h) || h->nr_opts > SOCKOPTS_MAX ||
	    len != sizeof(*h) + h->nr_opts * sizeof(*o) || h->pad)
		return "bad length";
	if (h->type != SOCK_STREAM && h->type != SOCK_DGRAM && h->type != SOCK_SEQPACKET)
		return "bad type";
	if (h->state != ST_LISTEN && h->state != ST_CLOSE && h->state != ST_ESTABLISHED)
		return "a state that cannot be restored";
	if (h->state == ST_ESTABLISHED && (h->type == SOCK_DGRAM || h->name_len || h->shutdown != 3))
		return "its peer closed, but a datagram socket, named, or not shut down";
	if (h->state == ST_LISTEN && (h->type == SOCK_DGRAM || !h->name_len))
		return "listening, but a datagram socket or not bound";
	if ((h->state != ST_LISTEN && h->backlog) || h->backlog > INT32_MAX)
		return "bad backlog";
	if (h->flags & ~REC_UNIX_SK_DELETED || h->shutdown & ~3u ||
	    h->events & ~(uint32_t)POLL_EVENTS || h->events & POLLERR)
		return "bad flags, shutdown or poll events";
	if (h->name_len > sizeof(h->name))
		return "bad name length";
	for (uint32_t k = h->name_len; k < sizeof(h->name); k++)
		if (h->name[k])
			return "bytes past the name";
	if (h->name_len && h->name[0]) {
		uint32_t k = 0;

		if (h->name[0] != '/')
			return "a path that is not absolute";
		while (k < h->name_len && h->name[k])
			k++;
		while (k < h->name_len && !h->name[k])
			k++;
		if (k != h->name_len)
			return "a NUL inside the path";
		if (h->mode & ~07777u)
			return "bad mode";
	} else if (h->flags || h->mode || h->uid || h->gid || h->dev || h->ino) {
		return "a file for a socket not bound to a path";
	}
	return sockopts_bad(o, h->nr_opts, AF_UNIX, 0);
}

static int unix_sk_rec(struct restore_ctx *r, struct restore_files_state *s,
		       const struct rec_unix_sk *h, size_t len)
{
	const char *bad;
	int i;

	if (len < sizeof(*h))
		return img_record_invalid(r->img, "bad unix socket record length");
	i = rf_find_fd(s, h->fd);
	if (i < 0 || s->fds[i].rec->kind != REC_FD_UNIX_SK || s->fds[i].desc != i || s->fds[i].priv)
		return img_record_invalid(r->img, "unix socket record for fd %d, which is no such unix socket description before it",
					  h->fd);
	bad = unix_sk_bad(h, len);
	if (bad)
		return img_record_invalid(r->img, "fd %d (unix socket): %s", h->fd, bad);
	s->fds[i].priv = h;
	return 0;
}

static int unix_sk_check_record(struct restore_ctx *r, struct restore_files_state *s,
				uint32_t type, const void *data, size_t len)
{
	(void)type;
	return unix_sk_rec(r, s, data, len);
}

static int unix_sk_check_table(struct restore_files_state *s, int i)
{
	if (s->fds[i].desc == i && !s->fds[i].priv) {
		sudcr_error("image: fd %d (unix socket): no unix socket record", s->fds[i].rec->fd);
		return -EINVAL;
	}
	return 0;
}

/* ---- restore: in the stub ---- */

static void __attribute__((noreturn)) usk_die(const struct rf_fd *e, const char *what, int err,
					      const char *hint)
{
	char d[256];

	const struct rec_unix_sk *h = e->priv;

	describe(h->type, h->name, h->name_len, d, sizeof(d));
	if (err)
		rf_stub_die("cannot restore fd %d (%s): %s: %s%s", e->rec->fd, d, what, strerror(err),
			    hint ? hint : "");
	rf_stub_die("cannot restore fd %d (%s): %s", e->rec->fd, d, what);
}

/* The path is free to bind: what the dumped process left there is gone. */
static void free_path(const struct rf_fd *e, const char *path)
{
	const struct rec_unix_sk *h = e->priv;
	struct stat st;
	int used;

	if (lstat(path, &st)) {
		if (errno != ENOENT)
			usk_die(e, "lstat of its path", errno, NULL);
		return;
	}
	if (h->flags & REC_UNIX_SK_DELETED || !S_ISSOCK(st.st_mode) || st.st_ino != h->ino ||
	    st.st_dev != h->dev)
		usk_die(e, "its path is taken by another file", 0, NULL);
	used = unix_vfs_in_use((uint64_t)st.st_dev, (uint32_t)st.st_ino);
	if (used < 0)
		usk_die(e, "sock_diag", -used, NULL);
	if (used)
		usk_die(e, "its socket file is still bound by a live socket (is the dumped process still running?)",
			0, NULL);
	if (unlink(path))
		usk_die(e, "unlink of the socket file the dumped process left", errno, NULL);
}

static int unix_sk_open_desc(const struct rf_fd *e)
{
	const struct rec_unix_sk *h = e->priv;
	const struct rec_inet_opt *o = (const struct rec_inet_opt *)(h + 1);
	struct pollfd pfd;
	char path[sizeof(h->name) + 1];
	int t;

	if (h->state == ST_ESTABLISHED) {
		/* Its peer closed: a pair whose other end is closed at once. */
		int sv[2];

		if (socketpair(AF_UNIX, (int)h->type | SOCK_CLOEXEC, 0, sv))
			usk_die(e, "socketpair", errno, NULL);
		close(sv[1]);
		t = sv[0];
	} else {
		t = socket(AF_UNIX, (int)h->type | SOCK_CLOEXEC, 0);
	}
	if (t < 0)
		usk_die(e, "socket", errno, NULL);
	for (uint32_t k = 0; k < h->nr_opts; k++) {
		const char *label = "?";
		int err = sockopt_set(t, &o[k], &label);

		if (err)
			usk_die(e, label, -err, NULL);
	}
	if (h->name_len) {
		struct sockaddr_un a = { .sun_family = AF_UNIX };
		bool is_path = h->name[0];

		memcpy(a.sun_path, h->name, h->name_len);
		if (is_path) {
			memcpy(path, h->name, h->name_len);
			path[h->name_len] = '\0';
			free_path(e, path);
		}
		if (bind(t, (struct sockaddr *)&a, (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
							     h->name_len)))
			usk_die(e, "bind", errno, errno == EADDRINUSE && !is_path ?
				" (the abstract name is still bound: is the dumped process still running?)" :
				NULL);
		if (is_path && h->flags & REC_UNIX_SK_DELETED) {
			if (unlink(path))
				usk_die(e, "unlink (it was deleted)", errno, NULL);
		} else if (is_path && (chown(path, h->uid, h->gid) || chmod(path, h->mode))) {
			usk_die(e, "the socket file's owner and mode", errno, NULL);
		}
	}
	if (h->state == ST_LISTEN && listen(t, (int)h->backlog))
		usk_die(e, "listen", errno, NULL);
	if (h->shutdown && h->state != ST_ESTABLISHED && shutdown(t, (int)h->shutdown - 1) &&
	    errno != ENOTCONN)
		usk_die(e, "shutdown", errno, NULL);
	for (uint32_t k = 0; k < h->nr_opts; k++) {
		const char *label = "?";
		int err = sockopt_check(t, &o[k], &label);

		if (err == -ESTALE)
			rf_stub_die("cannot restore fd %d (unix socket): %s reads back otherwise than it was dumped",
				    e->rec->fd, label);
		if (err)
			usk_die(e, label, -err, " (reading it back)");
	}
	pfd = (struct pollfd){ .fd = t, .events = POLL_EVENTS };
	if (poll(&pfd, 1, 0) < 0)
		usk_die(e, "poll", errno, NULL);
	if ((uint32_t)pfd.revents != h->events)
		rf_stub_die("cannot restore fd %d (unix socket): the new socket polls 0x%x, the dumped one 0x%x",
			    e->rec->fd, (unsigned int)pfd.revents, h->events);
	return t;
}

/* ---- show ---- */

static const char *show_state(const struct rec_unix_sk *h)
{
	return h->state == ST_LISTEN ? "LISTEN" : h->state == ST_ESTABLISHED ?
	       "CONNECTED, its peer closed" : "UNCONNECTED";
}

static int unix_sk_describe(const void *data, size_t len, bool json, char *buf, size_t size)
{
	const struct rec_unix_sk *h = data;
	const struct rec_inet_opt *o;
	char d[256];
	size_t n;

	if (!h || unix_sk_bad(h, len))
		return -EINVAL;
	o = (const struct rec_inet_opt *)(h + 1);
	describe(h->type, h->name, h->name_len, d, sizeof(d));
	for (char *c = d; json && *c; c++)
		if (*c == '\\')
			*c = '?';
	if (json)
		n = (size_t)snprintf(buf, size, "{\"socket\":\"%s\",\"state\":\"%s\",\"backlog\":%u,\"shutdown\":%u,\"deleted\":%s,\"mode\":\"0%o\",\"uid\":%u,\"gid\":%u,\"options\":{",
				     d, show_state(h), h->backlog,
				     h->shutdown, h->flags & REC_UNIX_SK_DELETED ? "true" : "false",
				     h->mode, h->uid, h->gid);
	else
		n = (size_t)snprintf(buf, size, "%s %s", d,
				     show_state(h));
	if (!json && h->state == ST_LISTEN && n < size)
		n += (size_t)snprintf(buf + n, size - n, " backlog %u", h->backlog);
	if (!json && h->name_len && h->name[0] && n < size)
		n += (size_t)snprintf(buf + n, size - n, h->flags & REC_UNIX_SK_DELETED ?
				      " (its file deleted)" : " file mode 0%o uid %u gid %u",
				      h->mode, h->uid, h->gid);
	if (!json && h->shutdown && n < size)
		n += (size_t)snprintf(buf + n, size - n, " shutdown%s%s",
				      h->shutdown & 1 ? " rd" : "", h->shutdown & 2 ? " wr" : "");
	if (!json && h->nr_opts && n < size)
		n += (size_t)snprintf(buf + n, size - n, " options:");
	for (uint32_t k = 0; k < h->nr_opts && n < size; k++) {
		if (json && k)
			n += (size_t)snprintf(buf + n, size - n, ",");
		if (n < size)
			n += sockopt_str(&o[k], json, buf + n, size - n);
	}
	if (json && n < size)
		snprintf(buf + n, size - n, "}}");
	return 0;
}

/* Description @rec's UNIX_SK record: one line, or a "socket" JSON member. */
static int unix_sk_show(struct show_ctx *sc, const struct rec_fd *rec)
{
	return famsock_show(sc, rec, IMG_REC_UNIX_SK, unix_sk_describe);
}

/* ---- the fd kind ---- */

/*
 * An AF_UNIX socket that listens, is not connected, or lost its unnamed
 * peer (sock_diag says, into x->ux, which unix.c's recognise reads
 * again); sock_diag's failure is left to unix.c, which refuses it.
 */
static int unix_sk_recognise(struct files_dump *f, struct dump_fd *x)
{
	(void)f;
	if (strncmp(x->p->link, "socket:[", 8) || x->sk_family != AF_UNIX ||
	    (x->sk_type != SOCK_STREAM && x->sk_type != SOCK_DGRAM && x->sk_type != SOCK_SEQPACKET))
		return FD_NOT_MINE;
	if (unix_diag_get((uint32_t)x->st.st_ino, &x->ux))
		return FD_NOT_MINE;
	return unix_sk_found(&x->ux) ? FD_MINE : FD_NOT_MINE;
}

static int unix_sk_dump_op(struct files_dump *f, int i)
{
	struct dump_fd *x = &f->x[i];
	int g, ret;

	if (x->desc != i)
		return 0;
	g = fd_dump_getfd_of(f, x);
	if (g < 0)
		return g;
	ret = unix_sk_dump(f->d->img, x->p->fd, g, &x->ux);
	close(g);
	return ret;
}

/* One description, made here; the driver closes ours. */
static int unix_sk_open(struct restore_files_state *s, int i, bool *own)
{
	(void)own;
	return unix_sk_open_desc(&s->fds[i]);
}

/* Not the caller's under --shell-job: a socket of the process's own, it comes back. */
const struct fd_kind fd_kind_unix_sk = {
	.kind = REC_FD_UNIX_SK,
	.name = "unix socket",
	.show_name = "unix-socket",
	.records = { IMG_REC_UNIX_SK },
	.recognise = unix_sk_recognise,
	.dump = unix_sk_dump_op,
	.check_record = unix_sk_check_record,
	.check_table = unix_sk_check_table,
	.open = unix_sk_open,
	.show_records = unix_sk_show,
};
