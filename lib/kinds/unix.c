// SPDX-License-Identifier: MIT
/*
 * The AF_UNIX socket fd kind (REC_FD_UNIX): one end of an unbound socket
 * pair whose two ends are both in the process.  Its ops are in
 * fd_kind_unix, at the end.
 *
 * Dump of AF_UNIX socket pairs.
 *
 * sock_diag (NETLINK_SOCK_DIAG, one exact request per socket inode) tells
 * the peer, the state, the shutdown bits, whether the socket has a name,
 * and how much is queued (UNIX_DIAG_RQLEN: the bytes of the whole queue for
 * SOCK_STREAM and SOCK_SEQPACKET, the first message for SOCK_DGRAM; for
 * every type, the memory the socket's sent messages still hold).
 *
 * The receive queue is read through sudcr's own reference to the socket
 * (pidfd_getfd) with MSG_PEEK, walking it with SO_PEEK_OFF, which this
 * kernel honours for all three types (a peek moves the offset on by what
 * it copied).  While walking, SO_PASSCRED is on, so that every message
 * comes with its credentials (pid 0: none attached) and a SOCK_SEQPACKET
 * queue's end (0 bytes, no ancillary data, once shut down) is told from an
 * empty message (0 bytes with credentials).  SO_PEEK_OFF and SO_PASSCRED
 * are put back afterwards; the process is frozen meanwhile.
 *
 * What the kernel does to the queue: nothing, except that peeking an empty
 * datagram marks it "peeked", and the kernel skips peeked empty datagrams
 * when peeking at an offset.  So an empty datagram peeked before (by the
 * process, or by an earlier dump with --leave-running) cannot be seen by
 * this walk: the dump checks that what it read is all there is by
 * sending the same message lengths through a socket pair of its own and
 * comparing the memory they hold with what the peer's messages hold.
 *
 * Restore of AF_UNIX socket pairs, the counterpart of the dump above.
 *
 * unix_rec()/unix_queue_rec()/unix_check_pair() validate the IMG_REC_UNIX
 * and IMG_REC_UNIX_QUEUE records while files.c reads the fd table;
 * unix_create_pair() runs in the stub: it makes the pair, refills
 * each end's receive queue by sending from the other end, then sets the
 * options and the shutdown state.  files.c places the ends at their fds.
 */
#include <errno.h>
#include <stddef.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "cr.h"
#include "image_records.h"
#include "kernel_compat.h"
#include <sudcr/log.h>

#include "fd.h"
#include "fd_dump.h"
#include "unix.h"
#include "files.h"

_Static_assert(sizeof(struct rec_unix) == 80, "rec_unix layout");
_Static_assert(sizeof(struct rec_unix_queue) == 16, "rec_unix_queue layout");
_Static_assert(sizeof(struct rec_unix_msg) == 8, "rec_unix_msg layout");

/* One IMG_REC_UNIX_QUEUE record holds at most this many bytes and messages. */
#define Q_BYTES		(4u << 20)
#define Q_MSGS		65536u
/* A receive queue this long is refused (messages, for the check below). */
#define Q_MSGS_MAX	(1u << 22)

uint64_t unix_kdev_to_dev(uint32_t kdev)
{
	return makedev(kdev >> 20, kdev & 0xfffff);
}

int unix_diag_get(uint32_t ino, struct unix_diag_info *u)
{
	struct {
		struct nlmsghdr h;
		struct unix_diag_req r;
	} req = { 0 };
	union {
		char buf[8192];
		struct nlmsghdr h;
	} resp;
	struct unix_diag_msg *m;
	struct rtattr *a;
	int nl, len, ret = 0;
	ssize_t n;

	memset(u, 0, sizeof(*u));
	nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (nl < 0)
		return -errno;
	req.h.nlmsg_len = sizeof(req);
	req.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.h.nlmsg_flags = NLM_F_REQUEST;
	req.r.sdiag_family = AF_UNIX;
	req.r.udiag_states = ~0u;
	req.r.udiag_ino = ino;
	req.r.udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_VFS | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN;
	req.r.udiag_cookie[0] = req.r.udiag_cookie[1] = ~0u;	/* INET_DIAG_NOCOOKIE */
	if (send(nl, &req, sizeof(req), 0) != (ssize_t)sizeof(req)) {
		ret = -errno;
		goto out;
	}
	n = recv(nl, resp.buf, sizeof(resp.buf), 0);
	if (n < 0) {
		ret = -errno;
		goto out;
	}
	if (!NLMSG_OK(&resp.h, (size_t)n)) {
		ret = -EIO;
		goto out;
	}
	if (resp.h.nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(&resp.h);

		ret = resp.h.nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) && e->error ? e->error : -EIO;
		goto out;
	}
	if (resp.h.nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    resp.h.nlmsg_len < NLMSG_LENGTH(sizeof(*m))) {
		ret = -EIO;
		goto out;
	}
	m = NLMSG_DATA(&resp.h);
	if (m->udiag_family != AF_UNIX || m->udiag_ino != ino) {
		ret = -EIO;
		goto out;
	}
	u->ino = ino;
	u->type = m->udiag_type;
	u->state = m->udiag_state;
	len = (int)(resp.h.nlmsg_len - NLMSG_LENGTH(sizeof(*m)));
	for (a = (struct rtattr *)(m + 1); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		size_t plen = RTA_PAYLOAD(a);

		switch (a->rta_type) {
		case UNIX_DIAG_NAME:
			u->named = true;
			u->name_len = plen < sizeof(u->name) ? (uint32_t)plen : sizeof(u->name);
			memcpy(u->name, RTA_DATA(a), u->name_len);
			break;
		case UNIX_DIAG_VFS:
			u->named = true;
			if (plen >= sizeof(struct unix_diag_vfs)) {
				struct unix_diag_vfs v;

				memcpy(&v, RTA_DATA(a), sizeof(v));
				u->vfs = true;
				u->vfs_dev = unix_kdev_to_dev(v.udiag_vfs_dev);
				u->vfs_ino = v.udiag_vfs_ino;
			}
			break;
		case UNIX_DIAG_PEER:
			if (plen >= 4)
				memcpy(&u->peer, RTA_DATA(a), 4);
			break;
		case UNIX_DIAG_RQLEN:
			if (plen >= sizeof(struct unix_diag_rqlen)) {
				struct unix_diag_rqlen q;

				memcpy(&q, RTA_DATA(a), sizeof(q));
				u->rqlen = q.udiag_rqueue;
				u->wqlen = q.udiag_wqueue;
			}
			break;
		case UNIX_DIAG_SHUTDOWN:
			if (plen >= 1)
				u->shutdown = *(const uint8_t *)RTA_DATA(a);
			break;
		}
	}
out:
	close(nl);
	return ret;
}

static int get_int(int s, int opt, int *v)
{
	socklen_t len = sizeof(*v);

	*v = 0;
	return getsockopt(s, SOL_SOCKET, opt, v, &len) ? -errno : 0;
}

static int set_int(int s, int opt, int v)
{
	return setsockopt(s, SOL_SOCKET, opt, &v, sizeof(v)) ? -errno : 0;
}

static int get_timeo(int s, int opt, int64_t *sec, int64_t *usec)
{
	struct timeval tv = { 0 };
	socklen_t len = sizeof(tv);

	if (getsockopt(s, SOL_SOCKET, opt, &tv, &len))
		return -errno;
	*sec = tv.tv_sec;
	*usec = tv.tv_usec;
	return 0;
}

/* The queue being read: messages gathered into one record at a time. */
struct qwalk {
	struct img_writer *img;
	int fd;			/* target fd, for messages */
	const char *link;
	const struct unix_owner *own;
	struct rec_unix_queue *rec;	/* header, msgs[Q_MSGS], then data */
	struct rec_unix_msg *msgs;
	char *data;
	uint32_t nr;
	size_t used;
	uint32_t *lens;		/* every message length, for the check */
	size_t nr_lens, cap_lens;
	char ctl[4096];
};

static int flush(struct qwalk *q)
{
	size_t mlen = (size_t)q->nr * sizeof(*q->msgs);
	int ret;

	if (!q->nr)
		return 0;
	q->rec->nr = q->nr;
	q->rec->len = q->used;
	/* Data behind the lengths actually used. */
	memmove((char *)q->msgs + mlen, q->data, q->used);
	ret = img_write_record(q->img, IMG_REC_UNIX_QUEUE, q->rec, sizeof(*q->rec) + mlen + q->used);
	q->nr = 0;
	q->used = 0;
	return ret;
}

/*
 * Ancillary data of a peeked message: its REC_UNIX_MSG_* flags, or
 * -EOPNOTSUPP (reported) for what the restore could not send again.
 * Fds it carried were installed in sudcr by the peek: closed here.
 */
static int msg_flags(struct qwalk *q, struct msghdr *mh, bool *seen_creds)
{
	int flags = 0, ret = 0;

	*seen_creds = false;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		size_t dlen = c->cmsg_len - CMSG_LEN(0);

		if (c->cmsg_level != SOL_SOCKET)
			continue;
		if (c->cmsg_type == SCM_RIGHTS || c->cmsg_type == SCM_PIDFD) {
			for (size_t k = 0; k + sizeof(int) <= dlen; k += sizeof(int)) {
				int f;

				memcpy(&f, CMSG_DATA(c) + k, sizeof(f));
				close(f);
			}
			if (c->cmsg_type == SCM_RIGHTS && !ret) {
				sudcr_error("fd %d: %s: a message in its receive queue carries file descriptors (SCM_RIGHTS): fds in flight are not supported yet",
					    q->fd, q->link);
				ret = -EOPNOTSUPP;
			}
		} else if (c->cmsg_type == SCM_CREDENTIALS && dlen >= sizeof(struct ucred)) {
			struct ucred uc;

			memcpy(&uc, CMSG_DATA(c), sizeof(uc));
			*seen_creds = true;
			if (!uc.pid)
				continue;
			if (uc.pid == q->own->pid && uc.uid == q->own->uid && uc.gid == q->own->gid) {
				flags |= REC_UNIX_MSG_CREDS;
			} else if (!ret) {
				sudcr_error("fd %d: %s: a message in its receive queue carries the credentials of pid %d uid %u gid %u (SCM_CREDENTIALS), not the process's own: not supported",
					    q->fd, q->link, (int)uc.pid, (unsigned int)uc.uid,
					    (unsigned int)uc.gid);
				ret = -EOPNOTSUPP;
			}
		}
	}
	if (!ret && (mh->msg_flags & MSG_CTRUNC)) {
		sudcr_error("fd %d: %s: a message in its receive queue carries more ancillary data than sudcr can read",
			    q->fd, q->link);
		ret = -EOPNOTSUPP;
	}
	return ret ? ret : flags;
}

/* Peek at the current offset into @buf; *flags from its ancillary data. */
static ssize_t peek(struct qwalk *q, int s, void *buf, size_t len, int extra, int *flags,
		    bool *seen_creds)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = q->ctl,
		.msg_controllen = sizeof(q->ctl),
	};
	ssize_t n = recvmsg(s, &mh, MSG_PEEK | MSG_DONTWAIT | MSG_CMSG_CLOEXEC | extra);
	int f;

	*flags = 0;
	*seen_creds = false;
	if (n < 0)
		return -errno;
	f = msg_flags(q, &mh, seen_creds);
	if (f < 0)
		return f;
	*flags = f;
	return n;
}

static int add_msg(struct qwalk *q, uint32_t len, int flags)
{
	if (q->nr_lens == q->cap_lens) {
		size_t ncap = q->cap_lens ? q->cap_lens * 2 : 256;
		uint32_t *p = realloc(q->lens, ncap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		q->lens = p;
		q->cap_lens = ncap;
	}
	q->lens[q->nr_lens++] = len;
	q->msgs[q->nr].len = len;
	q->msgs[q->nr].flags = (uint32_t)flags;
	q->nr++;
	q->used += len;
	return 0;
}

static int walk_stream(struct qwalk *q, int s, uint32_t want)
{
	uint64_t got = 0;
	int flags, ret;
	bool creds;

	while (got < want) {
		ssize_t n;

		if (q->used == Q_BYTES || q->nr == Q_MSGS) {
			ret = flush(q);
			if (ret)
				return ret;
		}
		n = peek(q, s, q->data + q->used, Q_BYTES - q->used, 0, &flags, &creds);
		if (n == -EOPNOTSUPP)
			return (int)n;
		if (n <= 0 || (uint64_t)n > want - got) {
			sudcr_error("fd %d: %s: read %llu%s of the %u bytes queued%s%s", q->fd, q->link,
				    (unsigned long long)got, n > 0 ? " and more" : "", want,
				    n < 0 ? ": " : "", n < 0 ? strerror((int)-n) : "");
			return n < 0 ? (int)n : -EIO;
		}
		ret = add_msg(q, (uint32_t)n, flags);
		if (ret)
			return ret;
		got += n;
	}
	return flush(q);
}

static int walk_dgram(struct qwalk *q, int s)
{
	int flags, ret;
	bool creds;

	for (;;) {
		ssize_t n;
		char c;

		/* How long the next message is; an empty one is read by this already. */
		n = peek(q, s, &c, 0, MSG_TRUNC, &flags, &creds);
		if (n == -EAGAIN || (n == 0 && !creds))
			break;		/* the end (0, no credentials: shut down) */
		if (n < 0) {
			if (n != -EOPNOTSUPP)
				sudcr_error("fd %d: %s: peeking at its receive queue: %s", q->fd,
					    q->link, strerror((int)-n));
			return (int)n;
		}
		if (q->nr_lens >= Q_MSGS_MAX) {
			sudcr_error("fd %d: %s: more than %u messages queued: too many to store",
				    q->fd, q->link, Q_MSGS_MAX);
			return -EFBIG;
		}
		if ((size_t)n > Q_BYTES) {
			sudcr_error("fd %d: %s: a message of %zd bytes is queued, more than sudcr stores (%u)",
				    q->fd, q->link, n, Q_BYTES);
			return -EFBIG;
		}
		if (q->used + (size_t)n > Q_BYTES || q->nr == Q_MSGS) {
			ret = flush(q);
			if (ret)
				return ret;
		}
		if (n > 0) {
			ssize_t m = peek(q, s, q->data + q->used, (size_t)n, 0, &flags, &creds);

			if (m == -EOPNOTSUPP)
				return (int)m;
			if (m != n) {
				sudcr_error("fd %d: %s: a message of %zd bytes read as %zd%s%s", q->fd,
					    q->link, n, m, m < 0 ? ": " : "",
					    m < 0 ? strerror((int)-m) : "");
				return m < 0 ? (int)m : -EIO;
			}
		}
		ret = add_msg(q, (uint32_t)n, flags);
		if (ret)
			return ret;
	}
	return flush(q);
}

/*
 * The memory messages of these lengths hold, sent as the process would
 * have: through a pair of sudcr's own, of the same type.  -errno if it
 * cannot tell.
 */
static long replica_wmem(int type, const uint32_t *lens, size_t nr)
{
	static char zeros[65536];
	int sv[2], big = INT32_MAX / 2;
	char *buf = NULL;
	long ret = 0;
	uint32_t max = 0;

	for (size_t k = 0; k < nr; k++)
		if (lens[k] > max)
			max = lens[k];
	if (socketpair(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv))
		return -errno;
	if (setsockopt(sv[0], SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big))) {
		ret = -errno;
		goto out;
	}
	buf = max > sizeof(zeros) ? calloc(1, max) : zeros;
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t k = 0; k < nr; k++) {
		if (send(sv[0], buf, lens[k], MSG_DONTWAIT) != (ssize_t)lens[k]) {
			ret = -errno;
			goto out;
		}
	}
	{
		uint32_t mem[SK_MEMINFO_VARS] = { 0 };
		socklen_t ml = sizeof(mem);

		if (getsockopt(sv[0], SOL_SOCKET, SO_MEMINFO, mem, &ml)) {
			ret = -errno;
			goto out;
		}
		ret = (long)mem[SK_MEMINFO_WMEM_ALLOC];
	}
out:
	if (buf && buf != zeros)
		free(buf);
	close(sv[0]);
	close(sv[1]);
	return ret;
}

int dump_unix_end(struct img_writer *img, int fd, const char *link, int sock, int peer_fd,
		  const struct unix_diag_info *u, const struct unix_diag_info *peer,
		  const struct unix_owner *own)
{
	struct rec_unix r = { .fd = fd, .peer = peer_fd, .type = u->type, .shutdown = u->shutdown,
			      .peer_ino = peer_fd < 0 ? peer->ino : 0 };
	struct qwalk q = { .img = img, .fd = fd, .link = link, .own = own };
	int v, passcred = 0, peek_off = -1, ret, ret2;

	r.cred_uid = own->uid;
	r.cred_gid = own->gid;
	ret = get_int(sock, SO_SNDBUF, &v);
	r.sndbuf = (uint32_t)v;
	if (!ret)
		ret = get_int(sock, SO_RCVBUF, &v);
	r.rcvbuf = (uint32_t)v;
	if (!ret)
		ret = get_int(sock, SO_PEEK_OFF, &peek_off);
	r.peek_off = peek_off;
	if (!ret)
		ret = get_int(sock, SO_RCVLOWAT, &r.rcvlowat);
	if (!ret)
		ret = get_int(sock, SO_PASSCRED, &passcred);
	if (!ret && passcred)
		r.opts |= REC_UNIX_PASSCRED;
	if (!ret)
		ret = get_int(sock, SO_PASSSEC, &v);
	if (!ret && v)
		r.opts |= REC_UNIX_PASSSEC;
	if (!ret && !get_int(sock, SO_PASSPIDFD, &v) && v)	/* 6.5+; none before */
		r.opts |= REC_UNIX_PASSPIDFD;
	if (!ret)
		ret = get_timeo(sock, SO_RCVTIMEO, &r.rcvtimeo_sec, &r.rcvtimeo_usec);
	if (!ret)
		ret = get_timeo(sock, SO_SNDTIMEO, &r.sndtimeo_sec, &r.sndtimeo_usec);
	if (ret) {
		sudcr_error("fd %d: %s: getsockopt: %s", fd, link, strerror(-ret));
		return ret;
	}
	if (u->type == SOCK_STREAM) {
		char c;

		if (recv(sock, &c, 1, MSG_OOB | MSG_PEEK | MSG_DONTWAIT) >= 0) {
			sudcr_error("fd %d: %s: an out-of-band byte (MSG_OOB) is queued: not supported yet",
				    fd, link);
			return -EOPNOTSUPP;
		}
	}
	ret = img_write_record(img, IMG_REC_UNIX, &r, sizeof(r));
	if (ret)
		return ret;

	q.rec = malloc(sizeof(*q.rec) + Q_MSGS * sizeof(*q.msgs) + Q_BYTES);
	if (!q.rec)
		return -ENOMEM;
	q.rec->fd = fd;
	q.msgs = (struct rec_unix_msg *)(q.rec + 1);
	q.data = (char *)(q.msgs + Q_MSGS);

	/* See the top of the file; both are put back below, whatever happens. */
	ret = set_int(sock, SO_PASSCRED, 1);
	if (!ret)
		ret = set_int(sock, SO_PEEK_OFF, 0);
	if (ret) {
		sudcr_error("fd %d: %s: cannot peek at its receive queue (SO_PASSCRED, SO_PEEK_OFF): %s",
			    fd, link, strerror(-ret));
	} else if (u->type == SOCK_STREAM) {
		ret = walk_stream(&q, sock, u->rqlen);
	} else {
		ret = walk_dgram(&q, sock);
	}
	ret2 = set_int(sock, SO_PEEK_OFF, peek_off);
	if (!ret2)
		ret2 = set_int(sock, SO_PASSCRED, passcred);
	if (ret2) {
		sudcr_error("fd %d: %s: cannot put back SO_PEEK_OFF/SO_PASSCRED: %s", fd, link,
			    strerror(-ret2));
		if (!ret)
			ret = ret2;
	}
	if (ret)
		goto out;

	/* Everything queued was read: the peer's messages hold what these would. */
	if (u->type != SOCK_STREAM) {
		long want = replica_wmem(u->type, q.lens, q.nr_lens);
		uint64_t sum = 0;

		for (size_t k = 0; k < q.nr_lens; k++)
			sum += q.lens[k];
		if (want < 0) {
			ret = (int)want;
			sudcr_error("fd %d: %s: cannot check what was read of its receive queue: %s",
				    fd, link, strerror(-ret));
		} else if ((uint64_t)want != peer->wqlen ||
			   (u->type == SOCK_SEQPACKET && sum != u->rqlen) ||
			   (u->type == SOCK_DGRAM && (q.nr_lens ? q.lens[0] : 0) != u->rqlen)) {
			ret = -EOPNOTSUPP;
			sudcr_error("fd %d: %s: %zu messages (%llu bytes) read from its receive queue, but its peer's messages hold %u bytes of memory where these would hold %ld: messages the dump cannot see (an empty message peeked before, or messages the peer sent elsewhere)",
				    fd, link, q.nr_lens, (unsigned long long)sum, peer->wqlen, want);
		}
	}
out:
	free(q.lens);
	free(q.rec);
	return ret;
}

/* ---- the fd kind's dump ---- */

/* udiag_state values (the kernel's TCP_* states). */
#define TCP_ESTABLISHED_STATE	1
#define TCP_LISTEN_STATE	10

/*
 * An AF_UNIX socket: supported if it is one end of an unbound connected
 * pair (those that listen or are not connected are unix_named.c's, asked
 * first: what sock_diag told it is in x->ux).
 */
static int unix_recognise(struct files_dump *f, struct dump_fd *x)
{
	int ret = 0;

	if (strncmp(x->p->link, "socket:[", 8) || x->sk_family != AF_UNIX ||
	    (x->sk_type != SOCK_STREAM && x->sk_type != SOCK_DGRAM && x->sk_type != SOCK_SEQPACKET))
		return FD_NOT_MINE;
	if (x->ux.ino != (uint32_t)x->st.st_ino)
		ret = unix_diag_get((uint32_t)x->st.st_ino, &x->ux);
	if (ret) {
		x->why = ret == -ENOENT ? "sock_diag does not know it (another network namespace?)" :
					  "sock_diag cannot tell its peer";
		return FD_REFUSED;
	}
	/* Its tree makes a named end again (connect() to a listener of its name, accept()). */
	if (x->ux.named && !(x->ux.state == TCP_ESTABLISHED_STATE && x->ux.peer &&
			     dump_tree_sock(f->d, (uint32_t)x->st.st_ino)))
		x->why = "bound to a name (a path or an abstract name), and connected";
	else if (x->ux.state == TCP_LISTEN_STATE)
		x->why = "a listening socket";
	else if (x->ux.state != TCP_ESTABLISHED_STATE || !x->ux.peer)
		x->why = "not connected, or its peer was closed";
	else
		return FD_MINE;
	return FD_REFUSED;
}

/* One end of a pair a tree makes (dump_tree_sock()): its image holds it alone. */
static bool unix_lone(struct files_dump *f, int i)
{
	return dump_tree_sock(f->d, (uint32_t)f->x[i].st.st_ino);
}

/* Index of the lowest fd of the other end of AF_UNIX socket @i, -1 if not in the process. */
static int unix_peer_index(struct files_dump *f, int i)
{
	if (unix_lone(f, i))
		return -1;
	for (int j = 0; j < f->nr; j++)
		if (f->x[j].kind == REC_FD_UNIX && f->x[j].st.st_ino == f->x[i].ux.peer)
			return j;
	return -1;
}

/* --shell-job: a stdio socket whose peer is not in the process is the caller's. */
static bool unix_caller_end(struct files_dump *f, int i)
{
	return !unix_lone(f, i) && unix_peer_index(f, i) < 0;
}

/* The pair is the object: its lowest fd, either end. */
static int unix_find_object(struct files_dump *f, int i)
{
	struct dump_fd *x = &f->x[i];

	if (unix_lone(f, i))
		return x->desc;
	for (int j = 0; j < i; j++) {
		struct dump_fd *y = &f->x[j];

		if (y->kind == REC_FD_UNIX && (y->st.st_ino == x->st.st_ino ||
					       y->st.st_ino == x->ux.peer))
			return y->obj;
	}
	return x->desc;
}

static int unix_dump_check(struct files_dump *f, int i)
{
	struct dump_fd *x = &f->x[i];
	int j;

	if (x->desc != i || unix_lone(f, i))
		return 0;
	j = unix_peer_index(f, i);
	if (j < 0 || f->x[j].ux.peer != x->st.st_ino) {
		struct unix_diag_info pu = { 0 };
		char pname[160] = "";

		/* Name the peer by its name too (/dev/log, a listener's path). */
		if (j < 0 && !unix_diag_get(x->ux.peer, &pu) && pu.name_len)
			snprintf(pname, sizeof(pname), " (%s%.*s)", pu.name[0] ? "" : "@",
				 (int)strnlen((const char *)pu.name + !pu.name[0],
					      pu.name_len - !pu.name[0]),
				 (const char *)pu.name + !pu.name[0]);
		sudcr_error("fd %d: %s (%s): its peer socket:[%u]%s is %s; only %s are supported",
			    x->p->fd, x->p->link, x->detail, x->ux.peer, pname,
			    j >= 0 ? "connected elsewhere" :
			    f->d->tree_member ? "in no process of the tree" : "not in the process",
			    f->d->tree_member ? "socket pairs with both ends in the tree" :
			    "unbound socket pairs with both ends in the process");
		return -EOPNOTSUPP;
	}
	return 0;
}

/*
 * One end of a socket pair: its state and receive queue (above).  An end
 * alone (unix_lone()) names its peer by inode; messages its peer's
 * process sent with credentials are refused (the pair's maker could not
 * send them as that process).
 */
static int unix_dump(struct files_dump *f, int i)
{
	struct unix_diag_info lone_peer;
	const struct unix_diag_info *pux;
	struct unix_owner nobody = { .pid = -1, .uid = ~0u, .gid = ~0u };
	int s, ret, j, peer_fd = -1;

	if (f->x[i].desc != i)
		return 0;
	if (unix_lone(f, i)) {
		ret = unix_diag_get(f->x[i].ux.peer, &lone_peer);
		if (ret) {
			sudcr_error("fd %d: %s: sock_diag cannot tell its peer socket:[%u]: %s",
				    f->x[i].p->fd, f->x[i].p->link, f->x[i].ux.peer, strerror(-ret));
			return ret;
		}
		pux = &lone_peer;
	} else {
		j = unix_peer_index(f, i);
		if (j < 0)
			return -EINVAL;		/* unix_dump_check() found it */
		pux = &f->x[j].ux;
		peer_fd = f->x[f->x[j].desc].p->fd;
	}

	if (!f->own_read) {
		struct proc_status st;

		ret = proc_parse_status(f->d->proc_pid, f->d->proc_pid, &st);
		if (ret) {
			sudcr_error("cannot read the status of process %d: %s", f->d->pid,
				    strerror(-ret));
			return ret;
		}
		f->own.pid = f->d->pid;
		f->own.uid = st.uid[0];
		f->own.gid = st.gid[0];
		f->own_read = true;
	}
	s = fd_dump_getfd_of(f, &f->x[i]);
	if (s < 0)
		return s;
	ret = dump_unix_end(f->d->img, f->x[i].p->fd, f->x[i].p->link, s, peer_fd, &f->x[i].ux, pux,
			    peer_fd < 0 ? &nobody : &f->own);
	close(s);
	return ret;
}

/* ---- restore ---- */

#define UNIX_OPTS	(REC_UNIX_PASSCRED | REC_UNIX_PASSSEC | REC_UNIX_PASSPIDFD)

static bool timeo_ok(int64_t sec, int64_t usec)
{
	return sec >= 0 && usec >= 0 && usec < 1000000;
}

static int unix_rec(struct restore_ctx *r, struct restore_files_state *s, const struct rec_unix *u,
		size_t len)
{
	int i;

	if (len != sizeof(*u) || (u->peer == -1) != (u->peer_ino != 0))
		return img_record_invalid(r->img, "bad unix socket record");
	i = rf_find_fd(s, u->fd);
	if (i < 0 || s->fds[i].rec->kind != REC_FD_UNIX || s->fds[i].desc != i || s->fds[i].unx)
		return img_record_invalid(r->img, "unix socket record for fd %d, which is no unix socket description before it",
					  u->fd);
	if (u->type != SOCK_STREAM && u->type != SOCK_DGRAM && u->type != SOCK_SEQPACKET)
		return img_record_invalid(r->img, "fd %d: socket type %u", u->fd, u->type);
	if (u->shutdown & ~3u || u->opts & ~UNIX_OPTS || u->peer < -1 || u->peer == u->fd ||
	    u->sndbuf > INT32_MAX || u->rcvbuf > INT32_MAX || u->peek_off < -1 ||
	    !timeo_ok(u->rcvtimeo_sec, u->rcvtimeo_usec) ||
	    !timeo_ok(u->sndtimeo_sec, u->sndtimeo_usec))
		return img_record_invalid(r->img, "fd %d: bad unix socket state", u->fd);
	s->fds[i].unx = u;
	return 0;
}

static int unix_queue_rec(struct restore_ctx *r, struct restore_files_state *s,
		      const struct rec_unix_queue *h, size_t len)
{
	const struct rec_unix_msg *m;
	struct rf_fd *e;
	uint64_t sum = 0;
	int i, ret;

	if (len < sizeof(*h) || (len - sizeof(*h)) / sizeof(*m) < h->nr ||
	    h->len != len - sizeof(*h) - (uint64_t)h->nr * sizeof(*m) || !h->nr)
		return img_record_invalid(r->img, "bad unix queue record length");
	m = (const struct rec_unix_msg *)(h + 1);
	i = rf_find_fd(s, h->fd);
	if (i < 0 || !s->fds[i].unx || s->fds[i].desc != i)
		return img_record_invalid(r->img, "unix queue record for fd %d, which has no unix socket record before it",
					  h->fd);
	e = &s->fds[i];
	for (uint32_t k = 0; k < h->nr; k++) {
		if (m[k].flags & ~REC_UNIX_MSG_CREDS || (e->unx->type == SOCK_STREAM && !m[k].len))
			return img_record_invalid(r->img, "fd %d: bad queued message", h->fd);
		sum += m[k].len;
	}
	if (sum != h->len)
		return img_record_invalid(r->img, "fd %d: queued messages do not add up", h->fd);
	ret = rf_grow((void **)&s->qs, &s->cap_q, s->nr_q, sizeof(*s->qs));
	if (ret)
		return ret;
	if (!e->nr_q)
		e->q = s->nr_q;
	else if (e->q + e->nr_q != s->nr_q)
		return img_record_invalid(r->img, "unix queue records of fd %d not together", h->fd);
	s->qs[s->nr_q++] = h;
	e->nr_q++;
	return 0;
}

/*
 * An end alone, its peer in another process: one of a pair its tree makes
 * (lib/restore/tree.c), never with messages carrying credentials.
 */
static int unix_check_lone(const struct restore_ctx *r, struct restore_files_state *s, int i)
{
	const struct rf_fd *e = &s->fds[i];

	if (e->rec->obj != e->rec->fd ||
	    !restore_tree_unix_pair(r, e->rec->ino, e->unx->peer_ino, e->unx->type)) {
		sudcr_error("image: fd %d (unix socket): its peer socket:[%u] is in no other process of a tree restored with it",
			    e->rec->fd, e->unx->peer_ino);
		return -EINVAL;
	}
	for (int k = 0; k < e->nr_q; k++) {
		const struct rec_unix_queue *h = s->qs[e->q + k];
		const struct rec_unix_msg *m = (const struct rec_unix_msg *)(h + 1);

		for (uint32_t n = 0; n < h->nr; n++)
			if (m[n].flags & REC_UNIX_MSG_CREDS) {
				sudcr_error("image: fd %d (unix socket): a message with credentials from another process",
					    e->rec->fd);
				return -EINVAL;
			}
	}
	return 0;
}

/* The two ends of a pair agree; messages with credentials can be sent as they were. */
static int unix_check_pair(struct restore_files_state *s, int i)
{
	const struct rec_unix *u = s->fds[i].unx;
	const struct rec_unix *pu;
	int j;

	if (!u) {
		sudcr_error("image: fd %d (unix socket): no unix socket record", s->fds[i].rec->fd);
		return -EINVAL;
	}
	if (u->peer < 0)
		return 0;	/* unix_prepare() */
	j = rf_find_fd(s, u->peer);
	pu = j < 0 ? NULL : s->fds[j].unx;
	if (!pu || s->fds[j].desc != j || pu->peer != u->fd || pu->type != u->type ||
	    s->fds[j].rec->obj != s->fds[i].rec->obj ||
	    s->fds[i].rec->obj != (u->fd < u->peer ? u->fd : u->peer)) {
		sudcr_error("image: fd %d (unix socket): its peer fd %d is not the other end of its pair",
			    u->fd, u->peer);
		return -EINVAL;
	}
	for (int k = 0; k < s->fds[i].nr_q; k++) {
		const struct rec_unix_queue *h = s->qs[s->fds[i].q + k];
		const struct rec_unix_msg *m = (const struct rec_unix_msg *)(h + 1);

		for (uint32_t n = 0; n < h->nr; n++) {
			if (!(m[n].flags & REC_UNIX_MSG_CREDS) ||
			    (u->cred_uid == getuid() && u->cred_gid == getgid()))
				continue;
			sudcr_error("cannot restore fd %d (unix socket): messages queued carry the credentials of uid %u gid %u, the restore runs as uid %u gid %u",
				    u->fd, u->cred_uid, u->cred_gid, (unsigned int)getuid(),
				    (unsigned int)getgid());
			return -EPERM;
		}
	}
	return 0;
}

static void unix_setopt(const struct rf_fd *e, int fd, int opt, const void *v, socklen_t len,
			const char *what)
{
	if (setsockopt(fd, SOL_SOCKET, opt, v, len))
		rf_die_fd(e, what, errno);
}

static void unix_setint(const struct rf_fd *e, int fd, int opt, int v, const char *what)
{
	unix_setopt(e, fd, opt, &v, sizeof(v), what);
}

/*
 * SO_SNDBUF/SO_RCVBUF as getsockopt gave them (twice what was asked):
 * the *FORCE options, which pass the core limits (CAP_NET_ADMIN), else
 * the plain ones; the value must come out the same.
 */
static void unix_setbuf(const struct rf_fd *e, int fd, bool snd, uint32_t want)
{
	int force = snd ? SO_SNDBUFFORCE : SO_RCVBUFFORCE, opt = snd ? SO_SNDBUF : SO_RCVBUF;
	int v = (int)(want / 2), got = 0;
	socklen_t len = sizeof(got);

	if (setsockopt(fd, SOL_SOCKET, force, &v, sizeof(v)) &&
	    setsockopt(fd, SOL_SOCKET, opt, &v, sizeof(v)))
		rf_die_fd(e, snd ? "SO_SNDBUF" : "SO_RCVBUF", errno);
	if (getsockopt(fd, SOL_SOCKET, opt, &got, &len))
		rf_die_fd(e, snd ? "SO_SNDBUF" : "SO_RCVBUF", errno);
	if ((uint32_t)got != want)
		rf_stub_die("cannot restore fd %d (unix socket): %s is %d, not %u (above net.core.%cmem_max without CAP_NET_ADMIN?)",
			 e->rec->fd, snd ? "SO_SNDBUF" : "SO_RCVBUF", got, want, snd ? 'w' : 'r');
}

/*
 * Refill the receive queue of @e (socket @rx) by sending from the other
 * end @tx, one send per message (SOCK_STREAM: per piece), with the
 * receiver's SO_PASSCRED on exactly for the messages that carried the
 * process's credentials: that is what makes the kernel attach them.  The
 * sender's buffer is as large as the kernel allows meanwhile, so that
 * nothing blocks; the real sizes are set afterwards.
 */
static void unix_refill(struct restore_files_state *s, const struct rf_fd *e, int rx, int tx)
{
	int passcred = 0;

	unix_setint(e, tx, SO_SNDBUFFORCE, INT32_MAX / 2, "SO_SNDBUFFORCE");
	for (int k = 0; k < e->nr_q; k++) {
		const struct rec_unix_queue *h = s->qs[e->q + k];
		const struct rec_unix_msg *m = (const struct rec_unix_msg *)(h + 1);
		const char *p = (const char *)(m + h->nr);

		for (uint32_t n = 0; n < h->nr; n++) {
			int creds = !!(m[n].flags & REC_UNIX_MSG_CREDS);
			size_t done = 0;

			if (creds != passcred) {
				unix_setint(e, rx, SO_PASSCRED, creds, "SO_PASSCRED");
				passcred = creds;
			}
			do {
				ssize_t w = send(tx, p + done, m[n].len - done, MSG_DONTWAIT | MSG_NOSIGNAL);

				if (w < 0 && errno == EINTR)
					continue;
				if (w < 0)
					rf_die_fd(e, "refilling its receive queue", errno);
				done += (size_t)w;
				if (e->unx->type != SOCK_STREAM && done != m[n].len)
					rf_die_fd(e, "refilling its receive queue (short send)", EIO);
			} while (done < m[n].len);
			p += m[n].len;
		}
	}
	if (passcred)
		unix_setint(e, rx, SO_PASSCRED, 0, "SO_PASSCRED");
}

/* Options and shutdown of one end, once both queues are full. */
static void unix_finish_end(const struct rf_fd *e, int fd)
{
	const struct rec_unix *u = e->unx;
	struct timeval tv;
	int how;

	unix_setbuf(e, fd, true, u->sndbuf);
	unix_setbuf(e, fd, false, u->rcvbuf);
	unix_setint(e, fd, SO_RCVLOWAT, u->rcvlowat, "SO_RCVLOWAT");
	tv.tv_sec = (time_t)u->rcvtimeo_sec;
	tv.tv_usec = (suseconds_t)u->rcvtimeo_usec;
	unix_setopt(e, fd, SO_RCVTIMEO, &tv, sizeof(tv), "SO_RCVTIMEO");
	tv.tv_sec = (time_t)u->sndtimeo_sec;
	tv.tv_usec = (suseconds_t)u->sndtimeo_usec;
	unix_setopt(e, fd, SO_SNDTIMEO, &tv, sizeof(tv), "SO_SNDTIMEO");
	if (u->opts & REC_UNIX_PASSCRED)
		unix_setint(e, fd, SO_PASSCRED, 1, "SO_PASSCRED");
	if (u->opts & REC_UNIX_PASSSEC)
		unix_setint(e, fd, SO_PASSSEC, 1, "SO_PASSSEC");
	if (u->opts & REC_UNIX_PASSPIDFD)
		unix_setint(e, fd, SO_PASSPIDFD, 1, "SO_PASSPIDFD");
	if (u->peek_off != -1)
		unix_setint(e, fd, SO_PEEK_OFF, u->peek_off, "SO_PEEK_OFF");
	/* RCV_SHUTDOWN 1, SEND_SHUTDOWN 2: shutdown()'s how plus one. */
	how = (int)u->shutdown - 1;
	if (u->shutdown && shutdown(fd, how))
		rf_die_fd(e, "shutdown", errno);
}

/* A pair: @sv[0] the end of @a (an entry of @sa), @sv[1] that of @b; both queues refilled, then the options. */
static void unix_make_pair(struct restore_files_state *sa, const struct rf_fd *a,
			   struct restore_files_state *sb, const struct rf_fd *b, int sv[2])
{
	if (socketpair(AF_UNIX, (int)a->unx->type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv))
		rf_die_fd(a, "socketpair", errno);
	unix_refill(sa, a, sv[0], sv[1]);
	unix_refill(sb, b, sv[1], sv[0]);
	unix_finish_end(a, sv[0]);
	unix_finish_end(b, sv[1]);
}

static int bind_name(int fd, const uint8_t *name, uint32_t len)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	memcpy(a.sun_path, name, len);
	return bind(fd, (struct sockaddr *)&a, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len));
}

static int connect_name(int fd, const uint8_t *name, uint32_t len)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	memcpy(a.sun_path, name, len);
	return connect(fd, (struct sockaddr *)&a, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len));
}

/* A path to bind for a moment: a socket file left there by the dumped listener moves aside (*aside). */
static void free_for_moment(const struct rf_fd *e, const char *path, char *aside, size_t size)
{
	struct stat st;
	int used;

	aside[0] = '\0';
	if (lstat(path, &st))
		return;
	if (!S_ISSOCK(st.st_mode))
		rf_die_fd(e, "its listener's path is taken by another file", EEXIST);
	used = unix_vfs_in_use((uint64_t)st.st_dev, (uint32_t)st.st_ino);
	if (used)
		rf_die_fd(e, "its listener's socket file is still bound by a live socket (is the dumped process still running?)",
			  used < 0 ? -used : EADDRINUSE);
	snprintf(aside, size, "%s.sudcr-%d", path, (int)getpid());
	if (rename(path, aside))
		rf_die_fd(e, "moving the listener's socket file aside", errno);
}

/*
 * A pair as connect() and accept() made it: sv[named] accepted from a
 * listener bound for a moment to @p's name, which it keeps as its own
 * (getsockname, and its peer's getpeername); sv[!named] the connecting
 * end, without a name.  A socket file of the dumped listener at the path
 * is moved aside meanwhile and put back for the listener's own restore;
 * the one bound here is removed.
 */
static void unix_connect_pair(const struct rf_fd *e, const struct rec_tree_unix *p, int sv[2])
{
	char path[sizeof(p->name) + 1] = "", aside[sizeof(path) + 32] = "";
	int l, c, a = -1, err = 0;
	bool bound = false;
	const char *what = NULL;

	if (p->name[0]) {
		memcpy(path, p->name, p->name_len);
		path[p->name_len] = '\0';
		free_for_moment(e, path, aside, sizeof(aside));
	}
	l = socket(AF_UNIX, (int)p->type | SOCK_CLOEXEC, 0);
	c = socket(AF_UNIX, (int)p->type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (l < 0 || c < 0)
		what = "socket";
	else if (bind_name(l, p->name, p->name_len))
		what = "bind to its listener's name";
	else if (!(bound = true) || listen(l, 1))
		what = "listen";
	else if (connect_name(c, p->name, p->name_len))
		what = "connect";
	else if ((a = accept4(l, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) < 0)
		what = "accept";
	err = errno;
	if (l >= 0)
		close(l);
	if (path[0] && bound && unlink(path) && !what)
		what = "unlink of the listener's name bound for a moment", err = errno;
	if (aside[0] && rename(aside, path) && !what)
		what = "putting the listener's socket file back", err = errno;
	if (what)
		rf_die_fd(e, what, err);
	sv[p->named_end] = a;
	sv[!p->named_end] = c;
}

void unix_make_tree_pair(struct restore_files_state *sa, const struct rf_fd *a,
			 struct restore_files_state *sb, const struct rf_fd *b,
			 const struct rec_tree_unix *p, int sv[2])
{
	if (!p->name_len) {
		unix_make_pair(sa, a, sb, b, sv);
		return;
	}
	unix_connect_pair(a, p, sv);
	unix_refill(sa, a, sv[0], sv[1]);
	unix_refill(sb, b, sv[1], sv[0]);
	unix_finish_end(a, sv[0]);
	unix_finish_end(b, sv[1]);
}

/*
 * The pair whose lowest fd is @o: hold[0] the end of o's description,
 * hold[1] the other.  An end alone is the socket its tree made
 * (lib/restore/tree.c), handed down: o->inherit_src.
 */
static void unix_create_pair(struct restore_files_state *s, struct rf_fd *o)
{
	if (o->unx->peer < 0) {
		if (o->inherit_src < 0)
			rf_stub_die("internal: fd %d (unix socket): the socket its tree made is not open",
				    o->rec->fd);
		o->hold[0] = fcntl(o->inherit_src, F_DUPFD_CLOEXEC, 0);
		if (o->hold[0] < 0)
			rf_die_fd(o, "F_DUPFD of the socket its tree made", errno);
		return;
	}
	unix_make_pair(s, o, s, &s->fds[rf_find_fd(s, o->unx->peer)], o->hold);
}

static int unix_check_record(struct restore_ctx *r, struct restore_files_state *s, uint32_t type,
			     const void *data, size_t len)
{
	return type == IMG_REC_UNIX ? unix_rec(r, s, data, len) : unix_queue_rec(r, s, data, len);
}

static int unix_check_table(struct restore_files_state *s, int i)
{
	return s->fds[i].desc == i ? unix_check_pair(s, i) : 0;
}

/* Ends alone: their tree's (unix_check_lone()). */
static int unix_prepare(struct restore_ctx *r, struct restore_files_state *s)
{
	for (int i = 0; i < s->nr; i++) {
		int ret;

		if (s->fds[i].rec->kind != REC_FD_UNIX || s->fds[i].desc != i || !s->fds[i].unx ||
		    s->fds[i].unx->peer >= 0)
			continue;
		ret = unix_check_lone(r, s, i);
		if (ret)
			return ret;
	}
	return 0;
}

/* A socket has one description: each end's is the one socketpair made. */
static int unix_open(struct restore_files_state *s, int i, bool *own)
{
	struct rf_fd *e = &s->fds[i], *o = &s->fds[e->obj];

	*own = false;
	return o->hold[e->obj == i ? 0 : 1];
}

const struct fd_kind fd_kind_unix = {
	.kind = REC_FD_UNIX,
	.name = "unix socket",
	.show_name = "unix-socket",
	.flags = FD_KIND_OBJECT,
	.records = { IMG_REC_UNIX, IMG_REC_UNIX_QUEUE },
	.recognise = unix_recognise,
	.caller_end = unix_caller_end,
	.find_object = unix_find_object,
	.dump_check = unix_dump_check,
	.dump = unix_dump,
	.check_record = unix_check_record,
	.check_table = unix_check_table,
	.prepare = unix_prepare,
	.create = unix_create_pair,
	.open = unix_open,
};
