// SPDX-License-Identifier: MIT
/*
 * Restore of AF_UNIX socket pairs, the counterpart of lib/dump/unix.c.
 *
 * rf_unix_rec()/rf_unix_queue_rec()/rf_unix_check_pair() validate the
 * IMG_REC_UNIX and IMG_REC_UNIX_QUEUE records while files.c reads the fd
 * table; rf_unix_create_pair() runs in the stub: it makes the pair, refills
 * each end's receive queue by sending from the other end, then sets the
 * options and the shutdown state.  files.c places the ends at their fds.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <sudcr/cr.h>
#include <sudcr/kernel_compat.h>
#include <sudcr/log.h>

#include "../kinds/files.h"

#define UNIX_OPTS	(REC_UNIX_PASSCRED | REC_UNIX_PASSSEC | REC_UNIX_PASSPIDFD)

static bool timeo_ok(int64_t sec, int64_t usec)
{
	return sec >= 0 && usec >= 0 && usec < 1000000;
}

int rf_unix_rec(struct restore_ctx *r, struct restore_files_state *s, const struct rec_unix *u,
		size_t len)
{
	int i;

	if (len != sizeof(*u) || u->pad)
		return img_record_invalid(r->img, "bad unix socket record");
	i = rf_find_fd(s, u->fd);
	if (i < 0 || s->fds[i].rec->kind != REC_FD_UNIX || s->fds[i].desc != i || s->fds[i].unx)
		return img_record_invalid(r->img, "unix socket record for fd %d, which is no unix socket description before it",
					  u->fd);
	if (u->type != SOCK_STREAM && u->type != SOCK_DGRAM && u->type != SOCK_SEQPACKET)
		return img_record_invalid(r->img, "fd %d: socket type %u", u->fd, u->type);
	if (u->shutdown & ~3u || u->opts & ~UNIX_OPTS || u->peer < 0 || u->peer == u->fd ||
	    u->sndbuf > INT32_MAX || u->rcvbuf > INT32_MAX || u->peek_off < -1 ||
	    !timeo_ok(u->rcvtimeo_sec, u->rcvtimeo_usec) ||
	    !timeo_ok(u->sndtimeo_sec, u->sndtimeo_usec))
		return img_record_invalid(r->img, "fd %d: bad unix socket state", u->fd);
	s->fds[i].unx = u;
	return 0;
}

int rf_unix_queue_rec(struct restore_ctx *r, struct restore_files_state *s,
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

/* The two ends of a pair agree; messages with credentials can be sent as they were. */
int rf_unix_check_pair(struct restore_files_state *s, int i)
{
	const struct rec_unix *u = s->fds[i].unx;
	const struct rec_unix *pu;
	int j;

	if (!u) {
		sudcr_error("image: fd %d (unix socket): no unix socket record", s->fds[i].rec->fd);
		return -EINVAL;
	}
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

/* The pair whose lowest fd is @o: hold[0] the end of o's description, hold[1] the other. */
void rf_unix_create_pair(struct restore_files_state *s, struct rf_fd *o)
{
	const struct rf_fd *p = &s->fds[rf_find_fd(s, o->unx->peer)];

	if (socketpair(AF_UNIX, (int)o->unx->type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, o->hold))
		rf_die_fd(o, "socketpair", errno);
	unix_refill(s, o, o->hold[0], o->hold[1]);
	unix_refill(s, p, o->hold[1], o->hold[0]);
	unix_finish_end(o, o->hold[0]);
	unix_finish_end(p, o->hold[1]);
}
