// SPDX-License-Identifier: MIT
/*
 * Established TCP connections (--tcp-established): IMG_REC_INET_TCP,
 * after the IMG_REC_INET record of the socket (inet.c does the rest of
 * the socket: addresses, options, its filter).
 *
 * Dump, once the network lock holds the connection (netlock.c: no packet
 * of it moves, so what is read stays true), on sudcr's reference to the
 * socket (pidfd_getfd):
 *  - TCP_REPAIR on for the read, off again after it (tcp_conn_dump());
 *    right before the kill netlock.c puts every socket back in repair
 *    mode, so that it closes without a FIN or a reset and leaves no
 *    orphan holding its 4-tuple;
 *  - TCP_INFO: the state must still be ESTABLISHED; the options the
 *    handshake agreed (SACK, timestamps, window scaling and both scales);
 *    ECN is refused (repair mode cannot set it);
 *  - per queue (TCP_REPAIR_QUEUE): TCP_QUEUE_SEQ, the sequence number past
 *    the queue (write_seq, rcv_nxt); its size (SIOCOUTQ: sent and not
 *    acknowledged, and not sent yet, SIOCOUTQNSD of them; SIOCINQ: not
 *    read); its bytes, by recv(MSG_PEEK), which in repair mode reads the
 *    send queue from its first unacknowledged byte;
 *  - TCP_MAXSEG (repair mode gives the MSS clamp), TCP_TIMESTAMP (the
 *    connection's timestamp clock), TCP_REPAIR_WINDOW.
 *
 * Restore, in the stub, on a new socket with inet.c's options set:
 * TCP_REPAIR on (which also lets it bind the port of a listening socket
 * of the process), bind(), each queue's sequence number set to where the
 * queue starts, TCP_TIMESTAMP, connect() (no SYN in repair mode: the
 * socket is ESTABLISHED at once), TCP_REPAIR_OPTIONS (MSS, window
 * scales, SACK, timestamps), the receive queue written back with send()
 * in TCP_RECV_QUEUE mode (it becomes data to read), the send queue with
 * send() in TCP_SEND_QUEUE mode (it counts as sent and not acknowledged:
 * the retransmission timer sends it again, the bytes the peer had already
 * got are acknowledged again), TCP_REPAIR_WINDOW; then what can be read
 * back is compared (both sequence numbers, the window, the queues' sizes).
 * The socket stays in repair mode until sudcr's last step before the
 * process runs (tcp_conns_release(), by pidfd_getfd): a restore that
 * fails before closes it in repair mode, sending nothing, and leaves no
 * half-closed connection holding the 4-tuple for the next attempt.
 *
 * Not restored, by the kernel's design: the peer's last timestamp
 * (ts_recent; the first segment from the peer sets it again), congestion
 * state (cwnd, RTT estimates: slow start again), urgent data marks.
 */
#include <errno.h>
#include <linux/sockios.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cr.h"
#include "image.h"
#include "image_records.h"
#include <sudcr/log.h>

#include "netlock.h"
#include "tcp.h"

_Static_assert(sizeof(struct rec_inet_tcp) == 64, "rec_inet_tcp layout");

/* The option codes of TCP_REPAIR_OPTIONS (the kernel's TCPOPT_*, RFC 793/1323/2018). */
#define OPT_MSS		2
#define OPT_WINDOW	3
#define OPT_SACK_PERM	4
#define OPT_TIMESTAMP	8

#define WSCALE_MAX	14
#define USER_MSS_MAX	32767	/* TCP_MAXSEG's, the kernel's MAX_TCP_WINDOW */
#define TCP_QUEUE_MAX	(32u << 20)	/* bytes in one queue, for IMG_RECORD_MAX */

#define ST_ESTABLISHED	1

static int sock_set(int s, int name, int v)
{
	return setsockopt(s, IPPROTO_TCP, name, &v, sizeof(v)) ? -errno : 0;
}

static int sock_get(int s, int level, int name, int *v)
{
	socklen_t len = sizeof(*v);

	*v = 0;
	return getsockopt(s, level, name, v, &len) ? -errno : 0;
}

/* The @len bytes of the queue in repair mode @queue into @buf (MSG_PEEK); 0 or -errno. */
static int peek_queue(int s, int queue, char *buf, uint32_t len)
{
	ssize_t n;

	if (sock_set(s, TCP_REPAIR_QUEUE, queue))
		return -errno;
	if (!len)
		return 0;
	n = recv(s, buf, len, MSG_PEEK | MSG_DONTWAIT);
	if (n < 0)
		return -errno;
	return (uint32_t)n == len ? 0 : -EAGAIN;
}

/* Socket @s in repair mode: its record written; 0 or -errno, reported. */
static int conn_read(struct dump_ctx *d, int fd, const char *what, int s)
{
	struct rec_inet_tcp c = { .fd = fd };
	struct tcp_repair_window w;
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	int inq, outq, nsd, peek_off = -1, off = -1, v, ret;
	const char *step;
	char *rec = NULL;

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(s, IPPROTO_TCP, TCP_INFO, &ti, &len)) {
		ret = -errno;
		step = "TCP_INFO";
		goto fail;
	}
	if (ti.tcpi_state != ST_ESTABLISHED) {
		sudcr_error("fd %d (%s): the connection left ESTABLISHED during the dump (state %u): dump again",
			    fd, what, ti.tcpi_state);
		return -EAGAIN;
	}
	if (ti.tcpi_options & TCPI_OPT_ECN) {
		sudcr_error("fd %d (%s): the connection negotiated ECN, which TCP_REPAIR cannot set again",
			    fd, what);
		return -EOPNOTSUPP;
	}
	if (ti.tcpi_options & TCPI_OPT_SACK)
		c.flags |= REC_TCP_SACK;
	if (ti.tcpi_options & TCPI_OPT_TIMESTAMPS)
		c.flags |= REC_TCP_TSTAMP;
	if (ti.tcpi_options & TCPI_OPT_WSCALE) {
		c.flags |= REC_TCP_WSCALE;
		c.snd_wscale = ti.tcpi_snd_wscale;
		c.rcv_wscale = ti.tcpi_rcv_wscale;
	}
	step = "SIOCOUTQ";
	if (ioctl(s, SIOCOUTQ, &outq) || ioctl(s, SIOCOUTQNSD, &nsd) || (step = "SIOCINQ", ioctl(s, SIOCINQ, &inq))) {
		ret = -errno;
		goto fail;
	}
	if (outq < 0 || inq < 0 || nsd < 0 || nsd > outq || (uint32_t)outq > TCP_QUEUE_MAX ||
	    (uint32_t)inq > TCP_QUEUE_MAX) {
		sudcr_error("fd %d (%s): queues of %d bytes to send, %d to read: not supported", fd,
			    what, outq, inq);
		return -EOPNOTSUPP;
	}
	c.sndq_len = (uint32_t)outq;
	c.unsent_len = (uint32_t)nsd;
	c.rcvq_len = (uint32_t)inq;
	rec = malloc(sizeof(c) + c.sndq_len + c.rcvq_len + 1);
	if (!rec)
		return -ENOMEM;
	step = "the send queue";
	ret = peek_queue(s, TCP_SEND_QUEUE, rec + sizeof(c), c.sndq_len);
	if (!ret)
		ret = sock_get(s, IPPROTO_TCP, TCP_QUEUE_SEQ, &v);
	if (ret)
		goto fail;
	c.snd_seq = (uint32_t)v;
	/* A peek offset (SO_PEEK_OFF) would move the peek and be moved by it: none meanwhile. */
	step = "SO_PEEK_OFF";
	ret = sock_get(s, SOL_SOCKET, SO_PEEK_OFF, &peek_off);
	if (!ret && peek_off >= 0 && setsockopt(s, SOL_SOCKET, SO_PEEK_OFF, &off, sizeof(off)))
		ret = -errno;
	if (ret)
		goto fail;
	step = "the receive queue";
	ret = peek_queue(s, TCP_RECV_QUEUE, rec + sizeof(c) + c.sndq_len, c.rcvq_len);
	if (peek_off >= 0 && setsockopt(s, SOL_SOCKET, SO_PEEK_OFF, &peek_off, sizeof(peek_off)) && !ret) {
		ret = -errno;
		step = "SO_PEEK_OFF";
	}
	if (!ret)
		ret = sock_get(s, IPPROTO_TCP, TCP_QUEUE_SEQ, &v);
	if (ret)
		goto fail;
	c.rcv_seq = (uint32_t)v;
	step = "TCP_REPAIR_QUEUE";
	ret = sock_set(s, TCP_REPAIR_QUEUE, TCP_NO_QUEUE);
	if (!ret) {
		step = "TCP_MAXSEG";
		ret = sock_get(s, IPPROTO_TCP, TCP_MAXSEG, &v);
		c.mss = (uint32_t)v;
	}
	if (!ret) {
		step = "TCP_TIMESTAMP";
		ret = sock_get(s, IPPROTO_TCP, TCP_TIMESTAMP, &v);
		c.timestamp = (uint32_t)v;
	}
	if (!ret) {
		socklen_t wl = sizeof(w);

		step = "TCP_REPAIR_WINDOW";
		if (getsockopt(s, IPPROTO_TCP, TCP_REPAIR_WINDOW, &w, &wl) || wl != sizeof(w))
			ret = errno ? -errno : -EIO;
		c.snd_wl1 = w.snd_wl1;
		c.snd_wnd = w.snd_wnd;
		c.max_window = w.max_window;
		c.rcv_wnd = w.rcv_wnd;
		c.rcv_wup = w.rcv_wup;
	}
	if (ret)
		goto fail;
	memcpy(rec, &c, sizeof(c));
	ret = img_write_record(d->img, IMG_REC_INET_TCP, rec, sizeof(c) + c.sndq_len + c.rcvq_len);
	free(rec);
	return ret;
fail:
	if (ret == -EAGAIN)
		sudcr_error("fd %d (%s): %s did not read whole (urgent data?): not supported", fd,
			    what, step);
	else
		sudcr_error("fd %d (%s): reading its connection in repair mode: %s: %s", fd, what,
			    step, strerror(-ret));
	free(rec);
	return ret;
}

/*
 * Into repair mode for the read, and out again at once (no window probe;
 * SO_REUSEADDR, which leaving repair mode clears, put back): under the
 * lock, with the process frozen, nothing the read saw changes.  The
 * sockets go back into repair mode only right before the kill
 * (netlock.c), so that a sudcr that dies in between leaves the process
 * no socket in repair mode (a read there fails with EPERM).
 */
int tcp_conn_dump(struct dump_ctx *d, int fd, const char *what, int s, uint64_t ino)
{
	int reuse, ret, err;

	if (!netlock_holds(d, ino)) {
		sudcr_error("fd %d (%s): the connection became established during the dump: dump again",
			    fd, what);
		return -EAGAIN;
	}
	ret = sock_get(s, SOL_SOCKET, SO_REUSEADDR, &reuse);
	if (!ret)
		ret = sock_set(s, TCP_REPAIR, TCP_REPAIR_ON);
	if (ret) {
		sudcr_error("fd %d (%s): cannot put it in repair mode (TCP_REPAIR): %s%s", fd, what,
			    strerror(-ret), ret == -EPERM ? " (needs CAP_NET_ADMIN)" : "");
		return ret;
	}
	ret = conn_read(d, fd, what, s);
	err = sock_set(s, TCP_REPAIR, TCP_REPAIR_OFF_NO_WP);
	if (!err && setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof(reuse)))
		err = -errno;
	if (err) {
		sudcr_error("fd %d (%s): cannot take it out of repair mode: %s", fd, what, strerror(-err));
		return ret ? ret : err;
	}
	if (!ret)
		netlock_dumped(d, ino, reuse);
	return ret;
}

const char *tcp_conn_bad(const struct rec_inet *h, const struct rec_inet_tcp *c, size_t len)
{
	if (len < sizeof(*c) || c->sndq_len > TCP_QUEUE_MAX || c->rcvq_len > TCP_QUEUE_MAX ||
	    len != sizeof(*c) + (size_t)c->sndq_len + c->rcvq_len)
		return "bad length";
	if (h->protocol != IPPROTO_TCP || h->state != ST_ESTABLISHED)
		return "not an established TCP socket";
	if (c->flags & ~(REC_TCP_SACK | REC_TCP_TSTAMP | REC_TCP_WSCALE))
		return "unknown flags";
	if (c->unsent_len > c->sndq_len)
		return "more unsent bytes than queued";
	if (!c->mss || c->mss > 65535)
		return "bad MSS";
	if (c->flags & REC_TCP_WSCALE ? c->snd_wscale > WSCALE_MAX || c->rcv_wscale > WSCALE_MAX :
	    c->snd_wscale || c->rcv_wscale)
		return "bad window scale";
	if (c->max_window < c->snd_wnd)
		return "bad window";
	return NULL;
}

/* All @len bytes of @p into queue @queue of @t, in repair mode: 0 or errno. */
static int fill_queue(int t, int queue, const char *p, uint32_t len)
{
	if (sock_set(t, TCP_REPAIR_QUEUE, queue))
		return errno;
	while (len) {
		ssize_t n = send(t, p, len, MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno : EIO;
		p += n;
		len -= (uint32_t)n;
	}
	return 0;
}

static int queue_seq(int t, int queue, int *seq)
{
	if (sock_set(t, TCP_REPAIR_QUEUE, queue))
		return errno;
	return sock_get(t, IPPROTO_TCP, TCP_QUEUE_SEQ, seq) ? errno : 0;
}

int tcp_conn_restore(int t, const struct rec_inet_tcp *c, const struct sockaddr *local,
		     socklen_t llen, const struct sockaddr *peer, socklen_t plen, const char **step)
{
	const char *sndq = (const char *)(c + 1), *rcvq = sndq + c->sndq_len;
	struct tcp_repair_opt opts[4];
	struct tcp_repair_window w = {
		.snd_wl1 = c->snd_wl1, .snd_wnd = c->snd_wnd, .max_window = c->max_window,
		.rcv_wnd = c->rcv_wnd, .rcv_wup = c->rcv_wup,
	};
	struct tcp_repair_window wb;
	socklen_t wl = sizeof(wb);
	int n = 0, seq, err, v;

#define STEP(name, call) do { *step = (name); if (call) return errno; } while (0)
	STEP("TCP_REPAIR", sock_set(t, TCP_REPAIR, TCP_REPAIR_ON));
	STEP("bind", bind(t, local, llen));
	STEP("TCP_REPAIR_QUEUE", sock_set(t, TCP_REPAIR_QUEUE, TCP_SEND_QUEUE));
	STEP("TCP_QUEUE_SEQ (send)", sock_set(t, TCP_QUEUE_SEQ, (int)(c->snd_seq - c->sndq_len)));
	STEP("TCP_REPAIR_QUEUE", sock_set(t, TCP_REPAIR_QUEUE, TCP_RECV_QUEUE));
	STEP("TCP_QUEUE_SEQ (receive)", sock_set(t, TCP_QUEUE_SEQ, (int)(c->rcv_seq - c->rcvq_len)));
	STEP("TCP_REPAIR_QUEUE", sock_set(t, TCP_REPAIR_QUEUE, TCP_NO_QUEUE));
	STEP("TCP_TIMESTAMP", sock_set(t, TCP_TIMESTAMP, (int)c->timestamp));
	/*
	 * The MSS: a connect() in repair mode sizes its segments (mss_cache)
	 * by the MSS clamp it finds, and TCP_REPAIR_OPTIONS sets only the
	 * clamp: without this, 536 bytes.  The user MSS it takes it from
	 * (at most MAX_TCP_WINDOW, 32767) is cleared again at once.
	 */
	STEP("TCP_MAXSEG", sock_set(t, TCP_MAXSEG, c->mss < USER_MSS_MAX ? (int)c->mss : USER_MSS_MAX));
	STEP("connect (repair mode)", connect(t, peer, plen));
	STEP("TCP_MAXSEG", sock_set(t, TCP_MAXSEG, 0));
	opts[n++] = (struct tcp_repair_opt){ OPT_MSS, c->mss };
	if (c->flags & REC_TCP_WSCALE)
		opts[n++] = (struct tcp_repair_opt){ OPT_WINDOW, c->snd_wscale | c->rcv_wscale << 16 };
	if (c->flags & REC_TCP_SACK)
		opts[n++] = (struct tcp_repair_opt){ OPT_SACK_PERM, 0 };
	if (c->flags & REC_TCP_TSTAMP)
		opts[n++] = (struct tcp_repair_opt){ OPT_TIMESTAMP, 0 };
	STEP("TCP_REPAIR_OPTIONS", setsockopt(t, IPPROTO_TCP, TCP_REPAIR_OPTIONS, opts,
					      (socklen_t)(n * sizeof(opts[0]))));
	*step = "writing the receive queue back";
	err = fill_queue(t, TCP_RECV_QUEUE, rcvq, c->rcvq_len);
	if (err)
		return err;
	*step = "writing the send queue back";
	err = fill_queue(t, TCP_SEND_QUEUE, sndq, c->sndq_len);
	if (err)
		return err;
	STEP("TCP_REPAIR_QUEUE", sock_set(t, TCP_REPAIR_QUEUE, TCP_NO_QUEUE));
	STEP("TCP_REPAIR_WINDOW", setsockopt(t, IPPROTO_TCP, TCP_REPAIR_WINDOW, &w, sizeof(w)));

	/* Read back, still in repair mode. */
	*step = "the send queue's sequence number read back";
	if ((err = queue_seq(t, TCP_SEND_QUEUE, &seq)))
		return err;
	if ((uint32_t)seq != c->snd_seq)
		return -1;
	*step = "the receive queue's sequence number read back";
	if ((err = queue_seq(t, TCP_RECV_QUEUE, &seq)))
		return err;
	if ((uint32_t)seq != c->rcv_seq)
		return -1;
	STEP("TCP_REPAIR_QUEUE", sock_set(t, TCP_REPAIR_QUEUE, TCP_NO_QUEUE));
	STEP("TCP_REPAIR_WINDOW (read back)", getsockopt(t, IPPROTO_TCP, TCP_REPAIR_WINDOW, &wb, &wl));
	*step = "the window read back";
	if (wl != sizeof(wb) || memcmp(&w, &wb, sizeof(w)))
		return -1;
	STEP("SIOCOUTQ", ioctl(t, SIOCOUTQ, &v));
	*step = "the send queue's size read back";
	if ((uint32_t)v != c->sndq_len)
		return -1;
	STEP("SIOCINQ", ioctl(t, SIOCINQ, &v));
	*step = "the receive queue's size read back";
	if ((uint32_t)v != c->rcvq_len)
		return -1;
#undef STEP
	return 0;
}

void tcp_conn_str(const struct rec_inet_tcp *c, bool json, char *buf, size_t size)
{
	if (json)
		snprintf(buf, size, ",\"tcp\":{\"snd_seq\":%u,\"rcv_seq\":%u,\"send_queue\":%u,\"unsent\":%u,\"recv_queue\":%u,\"mss\":%u,\"sack\":%s,\"timestamps\":%s,\"wscale\":%s,\"snd_wscale\":%u,\"rcv_wscale\":%u,\"timestamp\":%u,\"snd_wnd\":%u,\"rcv_wnd\":%u}",
			 c->snd_seq, c->rcv_seq, c->sndq_len, c->unsent_len, c->rcvq_len, c->mss,
			 c->flags & REC_TCP_SACK ? "true" : "false",
			 c->flags & REC_TCP_TSTAMP ? "true" : "false",
			 c->flags & REC_TCP_WSCALE ? "true" : "false", c->snd_wscale, c->rcv_wscale,
			 c->timestamp, c->snd_wnd, c->rcv_wnd);
	else
		snprintf(buf, size, "tcp: seq snd %u rcv %u, queued to send %u (unsent %u), to read %u; mss %u%s%s wscale %s%u/%u; window snd %u rcv %u",
			 c->snd_seq, c->rcv_seq, c->sndq_len, c->unsent_len, c->rcvq_len, c->mss,
			 c->flags & REC_TCP_SACK ? " sack" : "",
			 c->flags & REC_TCP_TSTAMP ? " timestamps" : "",
			 c->flags & REC_TCP_WSCALE ? "" : "off ", c->snd_wscale, c->rcv_wscale,
			 c->snd_wnd, c->rcv_wnd);
}
