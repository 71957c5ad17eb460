// SPDX-License-Identifier: MIT
/*
 * The AF_INET and AF_INET6 fd kind (REC_FD_INET): TCP sockets that listen
 * or are not connected (bound or not), UDP sockets bound or not,
 * connected or not, with nothing queued.  Each description's state is one
 * IMG_REC_INET record after its FD record.
 *
 * Dump, through sudcr's own reference to the socket (pidfd_getfd), with
 * nothing the process could see changed:
 *  - getsockname/getpeername, TCP_INFO's state, poll() with no wait (what
 *    a reader or writer of the socket would be told: data or connections
 *    queued, shutdown, a pending error), and sock_diag (NETLINK_SOCK_DIAG,
 *    inet_diag) for what only it tells: the backlog and accept queue of a
 *    listening socket, the shutdown bits of a hashed one;
 *  - the options: every option of the table below is read from the socket
 *    and from a new socket of the same family, type and protocol made by
 *    sudcr; those that differ are kept in the record.  An option that the
 *    socket does not give back while a new one does, or one marked
 *    "refused" here that differs (TCP_ULP, IP_OPTIONS), fails the dump;
 *  - the classic BPF filter (SO_GET_FILTER) and SO_LOCK_FILTER; an eBPF
 *    filter (SO_ATTACH_BPF) cannot be read back and fails the dump.
 * A pending error (SO_ERROR, which reading clears) is refused from poll's
 * POLLERR, so that the dump never consumes it.
 *
 * Established connections, with --tcp-established (tcp.c reads and
 * writes their connection, netlock.c holds their packets from the dump to
 * the restore): before any socket is read, the dump_prepare op lists the
 * established connections of the process and takes the network lock for
 * all of them at once.  Their options are compared as for any socket, but
 * for TCP_MAXSEG (the connection's MSS, which TCP_REPAIR_OPTIONS sets).
 *
 * Refused, one line each: an established connection without
 * --tcp-established, naming its 4-tuple and the option; one being opened
 * or closed (SYN_SENT, FIN_WAIT, CLOSE_WAIT ...), or shut down for
 * reading, with it; connections queued on a listening socket and not
 * accepted yet, naming them; a TCP socket whose connection has ended
 * (closed with shutdown bits); a UDP socket with datagrams queued.
 *
 * Restore, in the stub: socket(), every kept option in table order (all
 * of them can be set before bind, and those that must be, SO_REUSEADDR,
 * SO_REUSEPORT, SO_BINDTODEVICE, IP_FREEBIND, IP_TRANSPARENT,
 * IPV6_V6ONLY, IP_BIND_ADDRESS_NO_PORT, are), the filter and its lock,
 * bind() if it was bound, listen() with the backlog, connect() for a
 * connected UDP socket, shutdown().  Then every kept option is read back
 * and must equal the dump's value, and poll() must give the same events:
 * a socket that came back otherwise fails the restore.  Binding the
 * address of a process that still holds it (the original, after a dump
 * with --leave-running) fails with EADDRINUSE, said so.
 */
#include <errno.h>
#include <inttypes.h>
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include "cr.h"
#include "image.h"
#include "image_records.h"
#include "kernel_compat.h"
#include <sudcr/log.h>

#include "../show.h"
#include "fd.h"
#include "fd_dump.h"
#include "files.h"
#include "netlock.h"
#include "sockopt.h"
#include "tcp.h"

_Static_assert(sizeof(struct rec_inet) == 88, "rec_inet layout");
_Static_assert(sizeof(struct rec_inet_opt) == 48, "rec_inet_opt layout");

/* The kernel's TCP states (include/net/tcp_states.h). */
enum {
	ST_ESTABLISHED = 1, ST_SYN_SENT, ST_SYN_RECV, ST_FIN_WAIT1, ST_FIN_WAIT2, ST_TIME_WAIT,
	ST_CLOSE, ST_CLOSE_WAIT, ST_LAST_ACK, ST_LISTEN, ST_CLOSING,
};

#define POLL_EVENTS	(POLLIN | POLLPRI | POLLOUT | POLLRDHUP | POLLERR | POLLHUP)

/* ---- the options ---- */

enum {
	O_INT = 1,	/* an int */
	O_BYTES,	/* up to 32 bytes, compared and set as given (structs, names) */
};

#define OF_V4		(1u << 0)	/* AF_INET only (IPPROTO_IP on AF_INET6 too, by default) */
#define OF_V6		(1u << 1)	/* AF_INET6 only */
#define OF_TCP		(1u << 2)
#define OF_UDP		(1u << 3)
#define OF_HALF		(1u << 4)	/* getsockopt gives twice what setsockopt takes */
#define OF_REFUSE	(1u << 5)	/* not restored: a socket where it differs is refused */
#define OF_STRING	(1u << 6)	/* set with the length of the string, not the buffer */
#define OF_CONN		(1u << 7)	/* of the connection, on an established one: not kept */
#define OF_EST_AFTER	(1u << 8)	/* an established one's: set again after connect() */

struct inet_opt {
	int level, name;
	const char *label;
	unsigned int kind, flags;
	unsigned int size;	/* O_BYTES: the buffer getsockopt is given */
};

#define SOCK_(n, ...)	{ SOL_SOCKET, n, #n, __VA_ARGS__ }
#define IP_(n, ...)	{ IPPROTO_IP, n, #n, __VA_ARGS__ }
#define IP6_(n, ...)	{ IPPROTO_IPV6, n, #n, __VA_ARGS__ }
#define TCP_(n, ...)	{ IPPROTO_TCP, n, #n, __VA_ARGS__ }
#define UDP_(n, ...)	{ IPPROTO_UDP, n, #n, __VA_ARGS__ }

/* In the order the restore sets them, all before bind() (IPV6_TCLASS does not touch SO_PRIORITY). */
static const struct inet_opt inet_opts[] = {
	SOCK_(SO_REUSEADDR, O_INT, 0, 0),
	SOCK_(SO_REUSEPORT, O_INT, 0, 0),
	SOCK_(SO_BINDTODEVICE, O_BYTES, OF_STRING, IFNAMSIZ),
	SOCK_(SO_KEEPALIVE, O_INT, 0, 0),
	SOCK_(SO_BROADCAST, O_INT, 0, 0),
	SOCK_(SO_DONTROUTE, O_INT, 0, 0),
	SOCK_(SO_OOBINLINE, O_INT, 0, 0),
	SOCK_(SO_NO_CHECK, O_INT, 0, 0),
	SOCK_(SO_SNDBUF, O_INT, OF_HALF, 0),
	SOCK_(SO_RCVBUF, O_INT, OF_HALF, 0),
	SOCK_(SO_RCVLOWAT, O_INT, 0, 0),
	SOCK_(SO_RCVTIMEO_OLD, O_BYTES, 0, sizeof(struct timeval)),
	SOCK_(SO_SNDTIMEO_OLD, O_BYTES, 0, sizeof(struct timeval)),
	SOCK_(SO_LINGER, O_BYTES, 0, sizeof(struct linger)),
	SOCK_(SO_MARK, O_INT, 0, 0),
	SOCK_(SO_PASSCRED, O_INT, 0, 0),
	SOCK_(SO_PASSSEC, O_INT, 0, 0),
	SOCK_(SO_TIMESTAMP_OLD, O_INT, 0, 0),
	SOCK_(SO_TIMESTAMPNS_OLD, O_INT, 0, 0),
	SOCK_(SO_TIMESTAMP_NEW, O_INT, 0, 0),
	SOCK_(SO_TIMESTAMPNS_NEW, O_INT, 0, 0),
	SOCK_(SO_TIMESTAMPING_OLD, O_BYTES, 0, 8),
	SOCK_(SO_RXQ_OVFL, O_INT, 0, 0),
	SOCK_(SO_WIFI_STATUS, O_INT, 0, 0),
	SOCK_(SO_PEEK_OFF, O_INT, 0, 0),
	SOCK_(SO_SELECT_ERR_QUEUE, O_INT, 0, 0),
	SOCK_(SO_BUSY_POLL, O_INT, 0, 0),
	SOCK_(SO_PREFER_BUSY_POLL, O_INT, 0, 0),
	SOCK_(SO_BUSY_POLL_BUDGET, O_INT, 0, 0),
	SOCK_(SO_MAX_PACING_RATE, O_BYTES, 0, 8),
	SOCK_(SO_INCOMING_CPU, O_INT, OF_CONN, 0),	/* a connection's: where its packets came in */
	SOCK_(SO_ZEROCOPY, O_INT, 0, 0),
	SOCK_(SO_TXTIME, O_BYTES, 0, 8),
	SOCK_(SO_TXREHASH, O_INT, 0, 0),
	SOCK_(SO_RCVMARK, O_INT, 0, 0),
	SOCK_(SO_RESERVE_MEM, O_INT, 0, 0),

	IP_(IP_TOS, O_INT, 0, 0),
	IP_(IP_TTL, O_INT, 0, 0),
	IP_(IP_OPTIONS, O_BYTES, OF_REFUSE, 32),
	IP_(IP_RECVOPTS, O_INT, 0, 0),
	IP_(IP_RETOPTS, O_INT, 0, 0),
	IP_(IP_PKTINFO, O_INT, 0, 0),
	IP_(IP_MTU_DISCOVER, O_INT, 0, 0),
	IP_(IP_RECVERR, O_INT, 0, 0),
	IP_(IP_RECVTTL, O_INT, 0, 0),
	IP_(IP_RECVTOS, O_INT, 0, 0),
	IP_(IP_FREEBIND, O_INT, 0, 0),
	IP_(IP_PASSSEC, O_INT, 0, 0),
	IP_(IP_TRANSPARENT, O_INT, 0, 0),
	IP_(IP_RECVORIGDSTADDR, O_INT, 0, 0),
	IP_(IP_MINTTL, O_INT, 0, 0),
	IP_(IP_NODEFRAG, O_INT, 0, 0),
	IP_(IP_CHECKSUM, O_INT, 0, 0),
	IP_(IP_BIND_ADDRESS_NO_PORT, O_INT, 0, 0),
	IP_(IP_RECVFRAGSIZE, O_INT, 0, 0),
	IP_(IP_RECVERR_RFC4884, O_INT, 0, 0),
	IP_(IP_MULTICAST_IF, O_BYTES, 0, sizeof(struct in_addr)),
	IP_(IP_MULTICAST_TTL, O_INT, OF_CONN, 0),	/* a TCP connection's: the SYN's TTL */
	IP_(IP_MULTICAST_LOOP, O_INT, 0, 0),
	IP_(IP_MULTICAST_ALL, O_INT, 0, 0),
	IP_(IP_UNICAST_IF, O_INT, 0, 0),
	IP_(IP_LOCAL_PORT_RANGE, O_INT, 0, 0),
	/* After IP_TOS, which sets it too. */
	SOCK_(SO_PRIORITY, O_INT, 0, 0),

	IP6_(IPV6_V6ONLY, O_INT, OF_V6, 0),
	IP6_(IPV6_FREEBIND, O_INT, OF_V6, 0),
	IP6_(IPV6_TRANSPARENT, O_INT, OF_V6, 0),
	IP6_(IPV6_UNICAST_HOPS, O_INT, OF_V6, 0),
	/* On a TCP connection, the SYN's interface and hop limit. */
	IP6_(IPV6_MULTICAST_IF, O_INT, OF_V6 | OF_CONN, 0),
	IP6_(IPV6_MULTICAST_HOPS, O_INT, OF_V6 | OF_CONN, 0),
	IP6_(IPV6_MULTICAST_LOOP, O_INT, OF_V6, 0),
	IP6_(IPV6_MULTICAST_ALL, O_INT, OF_V6, 0),
	IP6_(IPV6_MTU_DISCOVER, O_INT, OF_V6, 0),
	IP6_(IPV6_MTU, O_INT, OF_V6, 0),
	IP6_(IPV6_RECVERR, O_INT, OF_V6, 0),
	IP6_(IPV6_RECVERR_RFC4884, O_INT, OF_V6, 0),
	IP6_(IPV6_RECVPKTINFO, O_INT, OF_V6, 0),
	IP6_(IPV6_RECVHOPLIMIT, O_INT, OF_V6, 0),
	IP6_(IPV6_RECVRTHDR, O_INT, OF_V6, 0),
	IP6_(IPV6_RECVHOPOPTS, O_INT, OF_V6, 0),
	IP6_(IPV6_RECVDSTOPTS, O_INT, OF_V6, 0),
	IP6_(IPV6_RECVTCLASS, O_INT, OF_V6, 0),
	IP6_(IPV6_TCLASS, O_INT, OF_V6, 0),
	IP6_(IPV6_RECVPATHMTU, O_INT, OF_V6, 0),
	IP6_(IPV6_DONTFRAG, O_INT, OF_V6, 0),
	IP6_(IPV6_AUTOFLOWLABEL, O_INT, OF_V6, 0),
	IP6_(IPV6_ADDR_PREFERENCES, O_INT, OF_V6, 0),
	IP6_(IPV6_MINHOPCOUNT, O_INT, OF_V6, 0),
	IP6_(IPV6_RECVORIGDSTADDR, O_INT, OF_V6, 0),
	IP6_(IPV6_UNICAST_IF, O_INT, OF_V6, 0),
	IP6_(IPV6_RECVFRAGSIZE, O_INT, OF_V6, 0),
	IP6_(IPV6_FLOWINFO, O_INT, OF_V6, 0),
	IP6_(IPV6_FLOWINFO_SEND, O_INT, OF_V6, 0),

	TCP_(TCP_NODELAY, O_INT, OF_TCP, 0),
	TCP_(TCP_MAXSEG, O_INT, OF_TCP | OF_CONN, 0),
	TCP_(TCP_CORK, O_INT, OF_TCP, 0),
	TCP_(TCP_KEEPIDLE, O_INT, OF_TCP, 0),
	TCP_(TCP_KEEPINTVL, O_INT, OF_TCP, 0),
	TCP_(TCP_KEEPCNT, O_INT, OF_TCP, 0),
	TCP_(TCP_SYNCNT, O_INT, OF_TCP, 0),
	TCP_(TCP_LINGER2, O_INT, OF_TCP, 0),
	TCP_(TCP_DEFER_ACCEPT, O_INT, OF_TCP, 0),
	TCP_(TCP_WINDOW_CLAMP, O_INT, OF_TCP | OF_EST_AFTER, 0),
	TCP_(TCP_QUICKACK, O_INT, OF_TCP, 0),
	TCP_(TCP_CONGESTION, O_BYTES, OF_TCP | OF_STRING, 16),
	TCP_(TCP_ULP, O_BYTES, OF_TCP | OF_REFUSE, 16),
	TCP_(TCP_THIN_LINEAR_TIMEOUTS, O_INT, OF_TCP, 0),
	TCP_(TCP_USER_TIMEOUT, O_INT, OF_TCP, 0),
	TCP_(TCP_FASTOPEN, O_INT, OF_TCP, 0),
	TCP_(TCP_NOTSENT_LOWAT, O_INT, OF_TCP, 0),
	TCP_(TCP_SAVE_SYN, O_INT, OF_TCP, 0),
	TCP_(TCP_FASTOPEN_CONNECT, O_INT, OF_TCP, 0),
	TCP_(TCP_FASTOPEN_NO_COOKIE, O_INT, OF_TCP, 0),
	TCP_(TCP_INQ, O_INT, OF_TCP, 0),
	TCP_(TCP_TX_DELAY, O_INT, OF_TCP, 0),
	TCP_(TCP_RTO_MIN_US, O_INT, OF_TCP, 0),
	TCP_(TCP_DELACK_MAX_US, O_INT, OF_TCP, 0),

	UDP_(UDP_CORK, O_INT, OF_UDP, 0),
	UDP_(UDP_ENCAP, O_INT, OF_UDP, 0),
	UDP_(UDP_NO_CHECK6_TX, O_INT, OF_UDP, 0),
	UDP_(UDP_NO_CHECK6_RX, O_INT, OF_UDP, 0),
	UDP_(UDP_SEGMENT, O_INT, OF_UDP, 0),
	UDP_(UDP_GRO, O_INT, OF_UDP, 0),
};
#define NR_OPTS	(sizeof(inet_opts) / sizeof(inet_opts[0]))
_Static_assert(NR_OPTS <= SOCKOPTS_MAX, "SOCKOPTS_MAX");

static bool opt_applies(const struct inet_opt *o, int family, int protocol)
{
	if ((o->flags & OF_V6) && family != AF_INET6)
		return false;
	if ((o->flags & OF_V4) && family != AF_INET)
		return false;
	if ((o->flags & OF_TCP) && protocol != IPPROTO_TCP)
		return false;
	if ((o->flags & OF_UDP) && protocol != IPPROTO_UDP)
		return false;
	return true;
}

static const struct inet_opt *opt_find(int level, int name)
{
	for (size_t k = 0; k < NR_OPTS; k++)
		if (inet_opts[k].level == level && inet_opts[k].name == name)
			return &inet_opts[k];
	return NULL;
}

/* One option's value into @v (32 bytes, zeroed first); its length in *len. 0 or -errno. */
static int opt_get(int s, const struct inet_opt *o, uint8_t *v, uint32_t *len)
{
	socklen_t l = o->kind == O_INT ? sizeof(int) : o->size;

	memset(v, 0, 32);
	if (getsockopt(s, o->level, o->name, v, &l))
		return -errno;
	*len = l;
	return 0;
}

/* ---- names ---- */

static const char *proto_name(uint32_t family, uint32_t protocol)
{
	if (protocol == IPPROTO_TCP)
		return family == AF_INET6 ? "TCP6" : "TCP";
	return family == AF_INET6 ? "UDP6" : "UDP";
}

static const char *state_name(uint32_t state)
{
	static const char *const names[] = {
		[ST_ESTABLISHED] = "ESTABLISHED", [ST_SYN_SENT] = "SYN_SENT",
		[ST_SYN_RECV] = "SYN_RECV", [ST_FIN_WAIT1] = "FIN_WAIT1",
		[ST_FIN_WAIT2] = "FIN_WAIT2", [ST_TIME_WAIT] = "TIME_WAIT",
		[ST_CLOSE] = "CLOSE", [ST_CLOSE_WAIT] = "CLOSE_WAIT", [ST_LAST_ACK] = "LAST_ACK",
		[ST_LISTEN] = "LISTEN", [ST_CLOSING] = "CLOSING",
	};

	return state < sizeof(names) / sizeof(names[0]) && names[state] ? names[state] : "?";
}

/* "127.0.0.1:80", "[::1]:80", "[fe80::1%2]:80" */
static void addr_str(uint32_t family, const uint8_t *addr, uint16_t port, uint32_t scope,
		     char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN] = "?";

	inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, addr, a, sizeof(a));
	if (family == AF_INET6 && scope)
		snprintf(buf, size, "[%s%%%u]:%u", a, scope, port);
	else if (family == AF_INET6)
		snprintf(buf, size, "[%s]:%u", a, port);
	else
		snprintf(buf, size, "%s:%u", a, port);
}

static void sa_split(const struct sockaddr_storage *ss, uint8_t *addr, uint16_t *port,
		     uint32_t *scope)
{
	memset(addr, 0, 16);
	*port = 0;
	*scope = 0;
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)ss;

		memcpy(addr, &in->sin_addr, 4);
		*port = ntohs(in->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;

		memcpy(addr, &in6->sin6_addr, 16);
		*port = ntohs(in6->sin6_port);
		*scope = in6->sin6_scope_id;
	}
}

static socklen_t sa_make(uint32_t family, const uint8_t *addr, uint16_t port, uint32_t scope,
			 struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		memcpy(&in->sin_addr, addr, 4);
		in->sin_port = htons(port);
		return sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		memcpy(&in6->sin6_addr, addr, 16);
		in6->sin6_port = htons(port);
		in6->sin6_scope_id = scope;
		return sizeof(*in6);
	}
}

static bool addr_any(const uint8_t *addr)
{
	static const uint8_t zero[16];

	return !memcmp(addr, zero, 16);
}

/* ---- sock_diag ---- */

struct diag_info {
	bool found;
	bool md5;		/* TCP_MD5SIG keys (shown to CAP_NET_ADMIN only) */
	uint32_t state, shutdown, rqueue, wqueue;
	/* Listening sockets: connections in the accept queue, some named. */
	char queued[160];
	size_t queued_len;
	int nr_queued;
};

struct diag_query {
	uint32_t ino;
	uint16_t port;		/* the listening socket's, for its queued connections */
	bool listening;
	struct diag_info *out;
};

static void diag_one(const struct inet_diag_msg *m, size_t len, struct diag_query *q)
{
	const struct rtattr *a;
	int alen = (int)(len - NLMSG_ALIGN(sizeof(*m)));

	if (m->idiag_inode == q->ino) {
		q->out->found = true;
		q->out->state = m->idiag_state;
		q->out->rqueue = m->idiag_rqueue;
		q->out->wqueue = m->idiag_wqueue;
		for (a = (const struct rtattr *)(m + 1); RTA_OK(a, alen); a = RTA_NEXT(a, alen))
			if (a->rta_type == INET_DIAG_SHUTDOWN && RTA_PAYLOAD(a) >= 1)
				q->out->shutdown = *(const uint8_t *)RTA_DATA(a);
			else if (a->rta_type == INET_DIAG_MD5SIG && RTA_PAYLOAD(a) > 0)
				q->out->md5 = true;
		return;
	}
	/* A connection no fd holds yet, on the listening port: in its accept queue. */
	if (q->listening && !m->idiag_inode && ntohs(m->id.idiag_sport) == q->port &&
	    (m->idiag_state == ST_ESTABLISHED || m->idiag_state == ST_CLOSE_WAIT)) {
		char peer[64];

		addr_str(m->idiag_family, (const uint8_t *)m->id.idiag_dst, ntohs(m->id.idiag_dport),
			 0, peer, sizeof(peer));
		if (q->out->nr_queued < 3 && q->out->queued_len < sizeof(q->out->queued) - 64)
			q->out->queued_len += snprintf(q->out->queued + q->out->queued_len,
						       sizeof(q->out->queued) - q->out->queued_len,
						       "%s%s", q->out->nr_queued ? ", " : "", peer);
		q->out->nr_queued++;
	}
}

/* Walk every socket of @family/@protocol that sock_diag lists (hashed ones). */
static int diag_walk(uint32_t family, uint32_t protocol, struct diag_query *q)
{
	struct {
		struct nlmsghdr h;
		struct inet_diag_req_v2 r;
	} req = { 0 };
	static char buf[32768];
	int nl, ret = 0;

	nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (nl < 0)
		return -errno;
	req.h.nlmsg_len = sizeof(req);
	req.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.r.sdiag_family = (uint8_t)family;
	req.r.sdiag_protocol = (uint8_t)protocol;
	req.r.idiag_states = ~0u;
	/* The kernel adds a TCP socket's aux attributes (INET_DIAG_MD5SIG) only with INFO asked for. */
	if (protocol == IPPROTO_TCP)
		req.r.idiag_ext = 1u << (INET_DIAG_INFO - 1);
	if (send(nl, &req, sizeof(req), 0) != (ssize_t)sizeof(req)) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		ssize_t n = recv(nl, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (n < 0) {
			ret = -errno;
			goto out;
		}
		if (n == 0) {
			ret = -EIO;
			goto out;
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE)
				goto out;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				ret = h->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) && e->error ?
				      e->error : -EIO;
				goto out;
			}
			if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct inet_diag_msg)))
				diag_one(NLMSG_DATA(h), h->nlmsg_len - NLMSG_HDRLEN, q);
		}
	}
out:
	close(nl);
	return ret;
}

/* ---- dump ---- */

static bool inet_found(int family, int type, int protocol)
{
	return (family == AF_INET || family == AF_INET6) &&
	       ((type == SOCK_STREAM && protocol == IPPROTO_TCP) ||
		(type == SOCK_DGRAM && protocol == IPPROTO_UDP));
}

static int sock_int(int s, int level, int name, int *v)
{
	socklen_t len = sizeof(*v);

	*v = 0;
	return getsockopt(s, level, name, v, &len) ? -errno : 0;
}

static int opts_read(int fd, const char *what, int s, int fresh, int family, int protocol,
		     bool conn, struct rec_inet_opt *opts)
{
	int n = 0;

	for (size_t k = 0; k < NR_OPTS; k++) {
		const struct inet_opt *o = &inet_opts[k];
		uint8_t v[32], f[32];
		uint32_t vl = 0, fl = 0;
		int ve, fe;

		if (!opt_applies(o, family, protocol) || (conn && o->flags & OF_CONN))
			continue;
		ve = opt_get(s, o, v, &vl);
		fe = opt_get(fresh, o, f, &fl);
		if (ve && fe)
			continue;	/* not on this kernel, or not for this socket */
		if (ve) {
			sudcr_error("fd %d (%s): %s cannot be read back (%s), so it cannot be restored",
				    fd, what, o->label, strerror(-ve));
			return ve;
		}
		if (!fe && vl == fl && !memcmp(v, f, vl))
			continue;
		if (o->flags & OF_REFUSE) {
			sudcr_error("fd %d (%s): %s is set, which sudcr cannot restore", fd, what,
				    o->label);
			return -EOPNOTSUPP;
		}
		opts[n].level = o->level;
		opts[n].name = o->name;
		opts[n].len = vl;
		memcpy(opts[n].val, v, sizeof(opts[n].val));
		n++;
	}
	return n;
}

int sockopts_read(int fd, const char *what, int s, int fresh, int family, int protocol,
		  struct rec_inet_opt *opts)
{
	return opts_read(fd, what, s, fresh, family, protocol, false, opts);
}

/* The classic BPF filter into *filter (malloc'd), its length in *nr; 0 or -errno (reported). */
/* Everything about @s but its options; 0 or -errno, reported; what names it for messages. */
static int read_state(int fd, int s, struct rec_inet *r, char *what, size_t wsize)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct pollfd pfd = { .fd = s, .events = POLL_EVENTS };
	char local[80], peer[80] = "";
	bool connected;
	int v;

	if (sock_int(s, SOL_SOCKET, SO_DOMAIN, &v))
		return -errno;
	r->family = (uint32_t)v;
	if (sock_int(s, SOL_SOCKET, SO_TYPE, &v))
		return -errno;
	r->type = (uint32_t)v;
	if (sock_int(s, SOL_SOCKET, SO_PROTOCOL, &v))
		return -errno;
	r->protocol = (uint32_t)v;
	if (getsockname(s, (struct sockaddr *)&ss, &sl)) {
		int err = -errno;

		sudcr_error("fd %d: getsockname: %s", fd, strerror(-err));
		return err;
	}
	sa_split(&ss, r->addr, &r->port, &r->scope_id);
	addr_str(r->family, r->addr, r->port, r->scope_id, local, sizeof(local));
	sl = sizeof(ss);
	connected = !getpeername(s, (struct sockaddr *)&ss, &sl);
	if (connected) {
		sa_split(&ss, r->peer_addr, &r->peer_port, &r->peer_scope_id);
		addr_str(r->family, r->peer_addr, r->peer_port, r->peer_scope_id, peer,
			 sizeof(peer));
	}
	snprintf(what, wsize, "%s %s%s%s", proto_name(r->family, r->protocol), local,
		 connected ? " -> " : "", peer);
	if (r->protocol == IPPROTO_TCP) {
		struct tcp_info ti;
		socklen_t tl = sizeof(ti);

		memset(&ti, 0, sizeof(ti));
		if (getsockopt(s, IPPROTO_TCP, TCP_INFO, &ti, &tl)) {
			int err = -errno;

			sudcr_error("fd %d (%s): TCP_INFO: %s", fd, what, strerror(-err));
			return err;
		}
		r->state = ti.tcpi_state;
	} else {
		r->state = connected ? ST_ESTABLISHED : ST_CLOSE;
	}
	if (poll(&pfd, 1, 0) < 0)
		return -errno;
	r->events = (uint32_t)pfd.revents;
	if (r->port || !addr_any(r->addr))
		r->flags |= REC_INET_BOUND;
	return 0;
}

/* What the dump refuses about a socket it read; one line, -EOPNOTSUPP; 0 if none. */
static int refuse(int fd, const char *what, const struct rec_inet *r, const struct diag_info *di,
		  uint32_t fresh_events, bool tcp_established)
{
	if (r->protocol == IPPROTO_TCP && r->state != ST_LISTEN && r->state != ST_CLOSE &&
	    !tcp_established) {
		sudcr_error("fd %d: connection %s (%s): established TCP connections need --tcp-established",
			    fd, what, state_name(r->state));
		return -EOPNOTSUPP;
	}
	if (r->protocol == IPPROTO_TCP && r->state != ST_LISTEN && r->state != ST_CLOSE &&
	    r->state != ST_ESTABLISHED) {
		sudcr_error("fd %d: connection %s (%s): sudcr restores ESTABLISHED connections only, not one being opened or closed",
			    fd, what, state_name(r->state));
		return -EOPNOTSUPP;
	}
	if (r->protocol == IPPROTO_TCP && r->state == ST_ESTABLISHED) {
		if (r->events & (POLLRDHUP | POLLHUP | POLLERR)) {
			sudcr_error("fd %d: connection %s: shut down for reading, or a pending error (poll events 0x%x): not supported",
				    fd, what, r->events);
			return -EOPNOTSUPP;
		}
		return 0;
	}
	if (r->events & POLLERR) {
		sudcr_error("fd %d (%s): a socket error is pending (SO_ERROR), which sudcr cannot read without clearing it",
			    fd, what);
		return -EOPNOTSUPP;
	}
	/* No getsockopt gives TCP_MD5SIG keys back; sock_diag tells that there are some. */
	if (di->md5) {
		sudcr_error("fd %d (%s): it has TCP_MD5SIG keys, which cannot be read back: not supported",
			    fd, what);
		return -EOPNOTSUPP;
	}
	if (r->protocol == IPPROTO_TCP && r->state == ST_LISTEN) {
		if (!di->found) {
			sudcr_error("fd %d (%s): sock_diag does not list this listening socket (another network namespace?)",
				    fd, what);
			return -EOPNOTSUPP;
		}
		if (di->rqueue || (r->events & POLLIN)) {
			sudcr_error("fd %d (%s): %u connections are queued and not accepted yet (%s%s): restoring them is not supported, --tcp-established or not",
				    fd, what, di->rqueue, di->nr_queued ? "from " : "peers not found",
				    di->queued);
			return -EOPNOTSUPP;
		}
		if (di->shutdown & ~2u) {
			sudcr_error("fd %d (%s): listening, shut down for reading: not supported", fd,
				    what);
			return -EOPNOTSUPP;
		}
		return 0;
	}
	if (r->protocol == IPPROTO_TCP) {
		if (r->events != fresh_events || (di->found && di->shutdown)) {
			sudcr_error("fd %d (%s): a TCP socket whose connection has ended, or that was shut down (poll events 0x%x, a new socket's 0x%x): not supported yet",
				    fd, what, r->events, fresh_events);
			return -EOPNOTSUPP;
		}
		return 0;
	}
	if (di->found && di->wqueue) {
		sudcr_error("fd %d (%s): %u bytes wait to be sent (UDP_CORK): not supported yet", fd,
			    what, di->wqueue);
		return -EOPNOTSUPP;
	}
	return 0;
}

/* One IMG_REC_INET_QUEUE record holds at most this many bytes and datagrams; a queue at most Q_MSGS_MAX. */
#define Q_BYTES		(4u << 20)
#define Q_MSGS		65536u
#define Q_MSGS_MAX	(1u << 20)
#define DGRAM_MAX	65536u

struct qbuf {
	struct rec_inet_queue *rec;	/* header, msgs[Q_MSGS], then data */
	struct rec_inet_msg *msgs;
	char *data;
	size_t used;
};

static int qflush(struct img_writer *img, struct qbuf *q)
{
	size_t mlen = (size_t)q->rec->nr * sizeof(*q->msgs);
	int ret;

	if (!q->rec->nr)
		return 0;
	q->rec->len = q->used;
	memmove((char *)q->msgs + mlen, q->data, q->used);
	ret = img_write_record(img, IMG_REC_INET_QUEUE, q->rec, sizeof(*q->rec) + mlen + q->used);
	q->rec->nr = 0;
	q->used = 0;
	return ret;
}

/*
 * The datagrams queued on UDP socket @s, each with its sender, read with
 * MSG_PEEK walked by SO_PEEK_OFF (put back afterwards; the process is
 * frozen), into IMG_REC_INET_QUEUE records.  A peek at an offset skips
 * empty datagrams that were peeked at before (by the process): those are
 * not seen.
 */
static int dump_queue(struct img_writer *img, int fd, const char *what, int s)
{
	struct qbuf q = { 0 };
	uint32_t total = 0;
	int peek_off = -1, zero = 0, ret = 0, ret2;

	if (sock_int(s, SOL_SOCKET, SO_PEEK_OFF, &peek_off))
		return -errno;
	q.rec = malloc(sizeof(*q.rec) + Q_MSGS * sizeof(*q.msgs) + Q_BYTES);
	if (!q.rec)
		return -ENOMEM;
	memset(q.rec, 0, sizeof(*q.rec));
	q.rec->fd = fd;
	q.msgs = (struct rec_inet_msg *)(q.rec + 1);
	q.data = (char *)(q.msgs + Q_MSGS);
	if (setsockopt(s, SOL_SOCKET, SO_PEEK_OFF, &zero, sizeof(zero))) {
		ret = -errno;
		sudcr_error("fd %d (%s): cannot peek at its receive queue (SO_PEEK_OFF): %s", fd, what,
			    strerror(-ret));
		goto out;
	}
	for (;;) {
		struct sockaddr_storage from;
		struct iovec iov;
		struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
				     .msg_iovlen = 1 };
		struct rec_inet_msg *m;
		ssize_t n;

		if (q.used + DGRAM_MAX > Q_BYTES || q.rec->nr == Q_MSGS) {
			ret = qflush(img, &q);
			if (ret)
				break;
		}
		iov.iov_base = q.data + q.used;
		iov.iov_len = DGRAM_MAX;
		memset(&from, 0, sizeof(from));
		n = recvmsg(s, &mh, MSG_PEEK | MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0) {
			ret = -errno;
			sudcr_error("fd %d (%s): peeking at its receive queue: %s", fd, what,
				    strerror(-ret));
			break;
		}
		if ((size_t)n > DGRAM_MAX || ++total > Q_MSGS_MAX ||
		    (from.ss_family != AF_INET && from.ss_family != AF_INET6)) {
			sudcr_error("fd %d (%s): a queued datagram of %zd bytes from address family %u, or more than %u datagrams: not supported",
				    fd, what, n, from.ss_family, Q_MSGS_MAX);
			ret = -EOPNOTSUPP;
			break;
		}
		m = &q.msgs[q.rec->nr++];
		memset(m, 0, sizeof(*m));
		m->len = (uint32_t)n;
		m->family = from.ss_family;
		sa_split(&from, m->addr, &m->port, &m->scope_id);
		q.used += (size_t)n;
	}
	if (!ret)
		ret = qflush(img, &q);
out:
	ret2 = setsockopt(s, SOL_SOCKET, SO_PEEK_OFF, &peek_off, sizeof(peek_off)) ? -errno : 0;
	if (ret2) {
		sudcr_error("fd %d (%s): cannot put back SO_PEEK_OFF: %s", fd, what, strerror(-ret2));
		if (!ret)
			ret = ret2;
	}
	free(q.rec);
	return ret;
}

static int inet_dump(struct dump_ctx *d, int fd, int s, uint32_t ino)
{
	struct img_writer *img = d->img;
	struct rec_inet r = { .fd = fd };
	struct rec_inet_opt *opts = NULL;
	struct sock_filter *filter = NULL;
	struct diag_info di = { 0 };
	struct diag_query q = { .ino = ino, .out = &di };
	struct pollfd pfd;
	char what[200];
	bool locked;
	size_t len;
	char *rec = NULL;
	int fresh = -1, n, ret;

	ret = read_state(fd, s, &r, what, sizeof(what));
	if (!ret && r.type != SOCK_STREAM)
		ret = inet_check_multicast(fd, s, (int)r.family, what);
	if (ret)
		return ret;
	fresh = socket((int)r.family, (int)r.type | SOCK_CLOEXEC, (int)r.protocol);
	if (fresh < 0) {
		ret = -errno;
		sudcr_error("fd %d (%s): cannot make a socket like it to compare its options with: %s",
			    fd, what, strerror(-ret));
		return ret;
	}
	pfd = (struct pollfd){ .fd = fresh, .events = POLL_EVENTS };
	if (poll(&pfd, 1, 0) < 0) {
		ret = -errno;
		goto out;
	}
	q.port = r.port;
	q.listening = r.protocol == IPPROTO_TCP && r.state == ST_LISTEN;
	/* An established TCP connection: no walk of every socket (1,000 connections, 1,000 walks). */
	if ((r.flags & REC_INET_BOUND || r.state == ST_ESTABLISHED) &&
	    !(r.protocol == IPPROTO_TCP && r.state == ST_ESTABLISHED)) {
		ret = diag_walk(r.family, r.protocol, &q);
		if (ret) {
			sudcr_error("fd %d (%s): sock_diag: %s", fd, what, strerror(-ret));
			goto out;
		}
	}
	ret = refuse(fd, what, &r, &di, (uint32_t)pfd.revents, d->opts.tcp_established);
	if (ret)
		goto out;
	if (q.listening) {
		r.backlog = di.wqueue;
		r.shutdown = di.shutdown;
	} else if (r.protocol == IPPROTO_UDP) {
		r.shutdown = di.found ? di.shutdown :
			     (r.events & POLLHUP ? 3u : r.events & POLLRDHUP ? 1u : 0u);
	}
	opts = calloc(SOCKOPTS_MAX, sizeof(*opts));
	if (!opts) {
		ret = -ENOMEM;
		goto out;
	}
	n = opts_read(fd, what, s, fresh, (int)r.family, (int)r.protocol,
		      r.protocol == IPPROTO_TCP && r.state == ST_ESTABLISHED, opts);
	if (n < 0) {
		ret = n;
		goto out;
	}
	r.nr_opts = (uint32_t)n;
	ret = sockfilter_read(fd, what, s, &filter, &r.nr_filter, &locked);
	if (ret)
		goto out;
	if (locked)
		r.flags |= REC_INET_FILTER_LOCKED;
	len = sizeof(r) + r.nr_opts * sizeof(*opts) + r.nr_filter * sizeof(*filter);
	rec = malloc(len);
	if (!rec) {
		ret = -ENOMEM;
		goto out;
	}
	memcpy(rec, &r, sizeof(r));
	memcpy(rec + sizeof(r), opts, r.nr_opts * sizeof(*opts));
	if (r.nr_filter)
		memcpy(rec + sizeof(r) + r.nr_opts * sizeof(*opts), filter,
		       r.nr_filter * sizeof(*filter));
	ret = img_write_record(img, IMG_REC_INET, rec, len);
	if (!ret && r.protocol == IPPROTO_UDP && di.found && di.rqueue)
		ret = dump_queue(img, fd, what, s);
	if (!ret && r.protocol == IPPROTO_TCP && r.state == ST_ESTABLISHED)
		ret = tcp_conn_dump(d, fd, what, s, ino);
out:
	free(rec);
	free(filter);
	free(opts);
	close(fresh);
	return ret;
}

/* A TCP or UDP socket of AF_INET or AF_INET6 (what else it is, the dump op says). */
static int inet_recognise(struct files_dump *f, struct dump_fd *x)
{
	(void)f;
	if (strncmp(x->p->link, "socket:[", 8) ||
	    !inet_found(x->sk_family, x->sk_type, x->sk_protocol))
		return FD_NOT_MINE;
	return FD_MINE;
}

/*
 * --shell-job: a TCP or UDP socket at fds 0-2 is the caller's (inetd's
 * connection, say), as a socket of a kind the dump does not take is.
 */
static bool inet_caller_end(struct files_dump *f, int i)
{
	(void)f;
	(void)i;
	return true;
}

/* The connection of established socket @s as the network lock matches its packets. */
static int lock_conn(int s, struct rec_netlock_conn *c)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	struct sockaddr_storage a, p;
	socklen_t al = sizeof(a), pl = sizeof(p);
	uint32_t scope;

	if (getsockname(s, (struct sockaddr *)&a, &al) || getpeername(s, (struct sockaddr *)&p, &pl))
		return -errno;
	memset(c, 0, sizeof(*c));
	c->family = a.ss_family;
	sa_split(&a, c->addr, &c->port, &scope);
	sa_split(&p, c->peer_addr, &c->peer_port, &scope);
	/* An AF_INET6 socket's IPv4 peer: its packets are IPv4 ones. */
	if (c->family == AF_INET6 && !memcmp(c->addr, mapped, 12) && !memcmp(c->peer_addr, mapped, 12)) {
		c->family = AF_INET;
		memmove(c->addr, c->addr + 12, 4);
		memmove(c->peer_addr, c->peer_addr + 12, 4);
		memset(c->addr + 4, 0, 12);
		memset(c->peer_addr + 4, 0, 12);
	}
	return 0;
}

/*
 * --tcp-established: every established TCP connection of the process
 * under the network lock, taken once for all of them, before any socket
 * is read (inet_dump_op, tcp.c).
 */
static int inet_dump_prepare(struct files_dump *f)
{
	int ret = 0;

	if (!f->d->opts.tcp_established)
		return 0;
	for (int i = 0; i < f->nr && !ret; i++) {
		struct dump_fd *x = &f->x[i];
		struct rec_netlock_conn c;
		struct tcp_info ti;
		socklen_t tl = sizeof(ti);
		int g;

		if (x->kind != REC_FD_INET || x->sk_protocol != IPPROTO_TCP)
			continue;
		g = fd_dump_getfd_of(f, x);
		if (g < 0)
			return g;
		memset(&ti, 0, sizeof(ti));
		if (!getsockopt(g, IPPROTO_TCP, TCP_INFO, &ti, &tl) && ti.tcpi_state == ST_ESTABLISHED) {
			ret = lock_conn(g, &c);
			if (ret)
				sudcr_error("fd %d (%s): its addresses: %s", x->p->fd, x->p->link,
					    strerror(-ret));
			else
				ret = netlock_add(f->d, &c, x->p->fd, (uint32_t)x->st.st_ino);
		}
		close(g);
	}
	return ret ? ret : netlock_take(f->d);
}

/* Its INET record (and INET_QUEUE records), once per description. */
static int inet_dump_op(struct files_dump *f, int i)
{
	struct dump_fd *x = &f->x[i];
	int g, ret;

	if (x->desc != i)
		return 0;
	g = fd_dump_getfd_of(f, x);
	if (g < 0)
		return g;
	ret = inet_dump(f->d, x->p->fd, g, (uint32_t)x->st.st_ino);
	close(g);
	return ret;
}

/* ---- restore: validation ---- */

static void describe(const struct rec_inet *h, char *buf, size_t size);

/* What a description keeps between the ops (rf_fd.priv): its record, its queue's. */
struct inet_rf {
	const struct rec_inet *h;
	const struct rec_inet_tcp *tcp;	/* an established TCP connection's */
	int nr_q, cap_q;
	const struct rec_inet_queue **q;
};

static const struct inet_rf *irf(const struct rf_fd *e)
{
	return e->priv;
}

static bool state_ok(const struct rec_inet *h)
{
	if (h->protocol == IPPROTO_TCP)
		return h->state == ST_LISTEN || h->state == ST_CLOSE || h->state == ST_ESTABLISHED;
	return h->state == ST_CLOSE || h->state == ST_ESTABLISHED;
}

const char *sockopts_bad(const struct rec_inet_opt *o, uint32_t nr, int family, int protocol)
{
	if (nr > SOCKOPTS_MAX)
		return "too many options";
	for (uint32_t k = 0; k < nr; k++) {
		const struct inet_opt *t = opt_find(o[k].level, o[k].name);

		if (!t || t->flags & OF_REFUSE || !opt_applies(t, family, protocol) ||
		    o[k].pad || (t->kind == O_INT ? o[k].len != sizeof(int) : o[k].len > t->size))
			return "an option sudcr does not restore";
		for (uint32_t j = 0; j < k; j++)
			if (o[j].level == o[k].level && o[j].name == o[k].name)
				return "an option twice";
		for (uint32_t b = o[k].len; b < sizeof(o[k].val); b++)
			if (o[k].val[b])
			return "bytes past an option's value";
	}
	return NULL;
}

/* The record's own consistency; a message naming what is wrong, or NULL. */
static const char *inet_rec_bad(const struct rec_inet *h, size_t len)
{
	const struct rec_inet_opt *o = (const struct rec_inet_opt *)(h + 1);
	static const uint8_t zero[16];

	if (len < sizeof(*h) || h->nr_opts > SOCKOPTS_MAX || h->nr_filter > SOCKFILTER_MAX ||
	    len != sizeof(*h) + h->nr_opts * sizeof(*o) + h->nr_filter * sizeof(struct sock_filter))
		return "bad length";
	if ((h->family != AF_INET && h->family != AF_INET6) ||
	    !inet_found((int)h->family, (int)h->type, (int)h->protocol))
		return "not a TCP or UDP socket of AF_INET or AF_INET6";
	if (!state_ok(h))
		return "a state that cannot be restored";
	if (h->flags & ~(REC_INET_BOUND | REC_INET_FILTER_LOCKED))
		return "unknown flags";
	if (h->family == AF_INET && (memcmp(h->addr + 4, zero, 12) || memcmp(h->peer_addr + 4, zero, 12) ||
				     h->scope_id || h->peer_scope_id))
		return "bad IPv4 address";
	if (!(h->flags & REC_INET_BOUND) && (h->port || !addr_any(h->addr) || h->state == ST_LISTEN))
		return "an address but not bound";
	if (h->state == ST_ESTABLISHED ? !h->peer_port :
	    h->peer_port || !addr_any(h->peer_addr) || h->peer_scope_id)
		return "bad peer address";
	if ((h->state != ST_LISTEN && h->backlog) || h->backlog > INT32_MAX)
		return "bad backlog";
	if (h->shutdown & ~3u || (h->protocol == IPPROTO_TCP && h->shutdown & ~2u) ||
	    (h->state != ST_LISTEN && h->protocol == IPPROTO_TCP && h->shutdown))
		return "bad shutdown state";
	if (h->events & ~(uint32_t)POLL_EVENTS || h->events & POLLERR)
		return "bad poll events";
	return sockopts_bad(o, h->nr_opts, (int)h->family, (int)h->protocol);
}

static int inet_rec(struct restore_ctx *r, struct restore_files_state *s, const struct rec_inet *h,
		    size_t len)
{
	struct inet_rf *p;
	const char *bad;
	int i;

	if (len < sizeof(*h))
		return img_record_invalid(r->img, "bad inet socket record length");
	i = rf_find_fd(s, h->fd);
	if (i < 0 || s->fds[i].rec->kind != REC_FD_INET || s->fds[i].desc != i || s->fds[i].priv)
		return img_record_invalid(r->img, "inet socket record for fd %d, which is no inet socket description before it",
					  h->fd);
	bad = inet_rec_bad(h, len);
	if (bad)
		return img_record_invalid(r->img, "fd %d (inet socket): %s", h->fd, bad);
	if (h->protocol == IPPROTO_TCP && h->state == ST_ESTABLISHED && !r->opts.tcp_established) {
		char d[200];

		describe(h, d, sizeof(d));
		sudcr_error("cannot restore fd %d: connection %s (ESTABLISHED): established TCP connections need --tcp-established",
			    h->fd, d);
		return -EOPNOTSUPP;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->h = h;
	s->fds[i].priv = p;
	return 0;
}

static int inet_queue_rec(struct restore_ctx *r, struct restore_files_state *s,
			  const struct rec_inet_queue *h, size_t len)
{
	const struct rec_inet_msg *m;
	struct inet_rf *p;
	uint64_t sum = 0;
	int i, ret;

	if (len < sizeof(*h) || (len - sizeof(*h)) / sizeof(*m) < h->nr || !h->nr ||
	    h->len != len - sizeof(*h) - (uint64_t)h->nr * sizeof(*m))
		return img_record_invalid(r->img, "bad inet queue record length");
	m = (const struct rec_inet_msg *)(h + 1);
	i = rf_find_fd(s, h->fd);
	if (i < 0 || s->fds[i].rec->kind != REC_FD_INET || !s->fds[i].priv || s->fds[i].desc != i ||
	    irf(&s->fds[i])->h->protocol != IPPROTO_UDP)
		return img_record_invalid(r->img, "inet queue record for fd %d, which has no UDP socket record before it",
					  h->fd);
	p = (struct inet_rf *)s->fds[i].priv;
	for (uint32_t k = 0; k < h->nr; k++) {
		static const uint8_t zero[12];

		if ((m[k].family != AF_INET && m[k].family != AF_INET6) || m[k].pad ||
		    m[k].len >= DGRAM_MAX ||
		    (m[k].family == AF_INET && (memcmp(m[k].addr + 4, zero, 12) || m[k].scope_id)) ||
		    (m[k].family == AF_INET6 && p->h->family == AF_INET))
			return img_record_invalid(r->img, "fd %d: bad queued datagram", h->fd);
		sum += m[k].len;
	}
	if (sum != h->len)
		return img_record_invalid(r->img, "fd %d: queued datagrams do not add up", h->fd);
	ret = rf_grow((void **)&p->q, &p->cap_q, p->nr_q, sizeof(*p->q));
	if (ret)
		return ret;
	p->q[p->nr_q++] = h;
	return 0;
}

static int inet_tcp_rec(struct restore_ctx *r, struct restore_files_state *s,
			const struct rec_inet_tcp *c, size_t len)
{
	struct inet_rf *p;
	const char *bad;
	int i;

	if (len < sizeof(*c))
		return img_record_invalid(r->img, "bad inet TCP record length");
	i = rf_find_fd(s, c->fd);
	if (i < 0 || s->fds[i].rec->kind != REC_FD_INET || !s->fds[i].priv || s->fds[i].desc != i ||
	    irf(&s->fds[i])->tcp)
		return img_record_invalid(r->img, "inet TCP record for fd %d, which has no inet socket record before it, or one already",
					  c->fd);
	p = (struct inet_rf *)s->fds[i].priv;
	bad = tcp_conn_bad(p->h, c, len);
	if (bad)
		return img_record_invalid(r->img, "fd %d (TCP connection): %s", c->fd, bad);
	p->tcp = c;
	return 0;
}

static int inet_check_record(struct restore_ctx *r, struct restore_files_state *s, uint32_t type,
			     const void *data, size_t len)
{
	if (type == IMG_REC_INET_TCP)
		return inet_tcp_rec(r, s, data, len);
	return type == IMG_REC_INET ? inet_rec(r, s, data, len) : inet_queue_rec(r, s, data, len);
}

static int inet_check_table(struct restore_files_state *s, int i)
{
	if (s->fds[i].desc == i && !s->fds[i].priv) {
		sudcr_error("image: fd %d (inet socket): no inet socket record", s->fds[i].rec->fd);
		return -EINVAL;
	}
	if (s->fds[i].desc == i && irf(&s->fds[i])->h->protocol == IPPROTO_TCP &&
	    irf(&s->fds[i])->h->state == ST_ESTABLISHED && !irf(&s->fds[i])->tcp) {
		sudcr_error("image: fd %d (established TCP socket): no inet TCP record", s->fds[i].rec->fd);
		return -EINVAL;
	}
	return 0;
}

static void inet_release(struct rf_fd *e)
{
	struct inet_rf *p = (struct inet_rf *)e->priv;

	if (p)
		free(p->q);
	free(p);
	e->priv = NULL;
}

/* ---- restore: in the stub ---- */

static void describe(const struct rec_inet *h, char *buf, size_t size)
{
	char local[80], peer[80] = "";

	addr_str(h->family, h->addr, h->port, h->scope_id, local, sizeof(local));
	if (h->state == ST_ESTABLISHED)
		addr_str(h->family, h->peer_addr, h->peer_port, h->peer_scope_id, peer, sizeof(peer));
	snprintf(buf, size, "%s %s%s%s", proto_name(h->family, h->protocol), local,
		 peer[0] ? " -> " : "", peer);
}

static int net_rcvbuf(int t)
{
	int v = 0;

	sock_int(t, SOL_SOCKET, SO_RCVBUF, &v);
	return v;
}

static void __attribute__((noreturn)) inet_die(const struct rf_fd *e, const char *what, int err,
					       const char *hint)
{
	char d[200];

	describe(irf(e)->h, d, sizeof(d));
	rf_stub_die("cannot restore fd %d (%s): %s: %s%s", e->rec->fd, d, what, strerror(err),
		    hint ? hint : "");
}

int sockopt_set(int t, const struct rec_inet_opt *o, const char **label)
{
	const struct inet_opt *d = opt_find(o->level, o->name);
	uint8_t v[32];
	socklen_t len = o->len;

	memcpy(v, o->val, sizeof(v));
	if (d->flags & OF_STRING)
		len = (socklen_t)strnlen((const char *)v, o->len);
	if (d->flags & OF_HALF) {
		int x, force = o->name == SO_SNDBUF ? SO_SNDBUFFORCE : SO_RCVBUFFORCE;

		memcpy(&x, v, sizeof(x));
		x /= 2;
		/* The *FORCE one passes net.core.[rw]mem_max (CAP_NET_ADMIN); else the plain one. */
		if (!setsockopt(t, SOL_SOCKET, force, &x, sizeof(x)))
			return 0;
		memcpy(v, &x, sizeof(x));
	}
	*label = d->label;
	return setsockopt(t, o->level, o->name, v, len) ? -errno : 0;
}

/* 0 if @o reads back from @t as kept; -errno, or -ESTALE if otherwise; *label its name. */
int sockopt_check(int t, const struct rec_inet_opt *o, const char **label)
{
	const struct inet_opt *def = opt_find(o->level, o->name);
	uint8_t v[32];
	uint32_t len = 0;
	int err = opt_get(t, def, v, &len);

	*label = def->label;
	if (err)
		return err;
	return len != o->len || memcmp(v, o->val, len) ? -ESTALE : 0;
}

static void set_opt(const struct rf_fd *e, int t, const struct rec_inet_opt *o)
{
	const char *label = "?";
	int err = sockopt_set(t, o, &label);

	if (err)
		inet_die(e, label, -err, NULL);
}

/* After everything: each kept option reads back as it was dumped, and poll says the same. */
static void check_back(const struct rf_fd *e, int t)
{
	const struct rec_inet *h = irf(e)->h;
	const struct rec_inet_opt *o = (const struct rec_inet_opt *)(h + 1);
	struct pollfd pfd = { .fd = t, .events = POLL_EVENTS };
	char d[200];

	for (uint32_t k = 0; k < h->nr_opts; k++) {
		const char *label = "?";
		int err = sockopt_check(t, &o[k], &label);

		if (err == -ESTALE) {
			describe(h, d, sizeof(d));
			rf_stub_die("cannot restore fd %d (%s): %s reads back otherwise than it was dumped",
				    e->rec->fd, d, label);
		}
		if (err)
			inet_die(e, label, -err, " (reading it back)");
	}
	if (poll(&pfd, 1, 0) < 0)
		inet_die(e, "poll", errno, NULL);
	if ((uint32_t)pfd.revents != h->events) {
		describe(h, d, sizeof(d));
		rf_stub_die("cannot restore fd %d (%s): the new socket polls 0x%x, the dumped one 0x%x",
			    e->rec->fd, d, (unsigned int)pfd.revents, h->events);
	}
}

static uint32_t csum_add(uint32_t sum, const void *p, size_t len)
{
	const uint8_t *b = p;

	for (size_t k = 0; k + 1 < len; k += 2)
		sum += (uint32_t)(b[k] << 8 | b[k + 1]);
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * Send datagram @m with @data to the restored socket @h, from the sender
 * it had: a raw IPv4 or IPv6 packet (IPPROTO_RAW, our own headers; the
 * sender's address needs no socket of its own, so a sender still holding
 * its port is no obstacle), delivered through the loopback in order.  An
 * IPv4 sender of an AF_INET6 socket (v4-mapped) comes over IPv4.
 */
static void send_dgram(const struct rf_fd *e, int raw4, int raw6, const struct rec_inet_msg *m,
		       const char *data, char *pkt)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	const struct rec_inet *h = irf(e)->h;
	bool v4 = m->family == AF_INET || !memcmp(m->addr, mapped, 12);
	struct sockaddr_storage ss;
	uint8_t src[16] = { 0 }, dst[16] = { 0 };
	size_t hl = v4 ? 20 : 40, n = hl + 8 + m->len;
	uint8_t *ip = (uint8_t *)pkt, *udp = ip + hl;
	socklen_t sl;

	memcpy(src, v4 && m->family == AF_INET6 ? m->addr + 12 : m->addr, v4 ? 4 : 16);
	if (h->family == AF_INET6 && !v4)
		memcpy(dst, h->addr, 16);
	else if (h->family == AF_INET6)
		memcpy(dst, h->addr + 12, 4);	/* :: or ::ffff:a.b.c.d */
	else
		memcpy(dst, h->addr, 4);
	if (v4 && !memcmp(dst, (const uint8_t[4]){ 0 }, 4))
		dst[0] = 127, dst[3] = 1;
	if (!v4 && addr_any(dst))
		dst[15] = 1;
	memset(pkt, 0, hl + 8);
	if (v4) {
		ip[0] = 0x45;
		ip[2] = (uint8_t)(n >> 8), ip[3] = (uint8_t)n;
		ip[8] = 64;
		ip[9] = IPPROTO_UDP;
		memcpy(ip + 12, src, 4);
		memcpy(ip + 16, dst, 4);
	} else {
		ip[0] = 0x60;
		ip[4] = (uint8_t)((n - hl) >> 8), ip[5] = (uint8_t)(n - hl);
		ip[6] = IPPROTO_UDP;
		ip[7] = 64;
		memcpy(ip + 8, src, 16);
		memcpy(ip + 24, dst, 16);
	}
	udp[0] = (uint8_t)(m->port >> 8), udp[1] = (uint8_t)m->port;
	udp[2] = (uint8_t)(h->port >> 8), udp[3] = (uint8_t)h->port;
	udp[4] = (uint8_t)((8 + m->len) >> 8), udp[5] = (uint8_t)(8 + m->len);
	memcpy(udp + 8, data, m->len);
	if (!v4) {
		/* Mandatory over IPv6: over the pseudo-header, the UDP header and the data. */
		uint32_t sum = csum_add(0, ip + 8, 32) + (uint32_t)(8 + m->len) + IPPROTO_UDP;
		uint16_t c;

		sum = csum_add(sum, udp, 8 + m->len);
		c = csum_fold(sum);
		if (!c)
			c = 0xffff;
		udp[6] = (uint8_t)(c >> 8), udp[7] = (uint8_t)c;
	}
	sl = sa_make(v4 ? AF_INET : AF_INET6, dst, 0, v4 ? 0 : h->scope_id, &ss);
	if (sendto(v4 ? raw4 : raw6, pkt, n, 0, (struct sockaddr *)&ss, sl) != (ssize_t)n)
		inet_die(e, "sending a queued datagram again (raw socket)", errno, NULL);
}

/* How many datagrams @t holds, by a peek walk (SO_PEEK_OFF put back). */
static uint32_t count_queue(const struct rf_fd *e, int t)
{
	int off = -1, zero = 0;
	uint32_t n = 0;
	char c;

	if (sock_int(t, SOL_SOCKET, SO_PEEK_OFF, &off) ||
	    setsockopt(t, SOL_SOCKET, SO_PEEK_OFF, &zero, sizeof(zero)))
		inet_die(e, "SO_PEEK_OFF", errno, NULL);
	while (recv(t, &c, 1, MSG_PEEK | MSG_DONTWAIT | MSG_TRUNC) >= 0)
		n++;
	if (setsockopt(t, SOL_SOCKET, SO_PEEK_OFF, &off, sizeof(off)))
		inet_die(e, "SO_PEEK_OFF", errno, NULL);
	return n;
}

/*
 * The queued datagrams again, then a peek walk that finds them all (the
 * loopback delivers them before the send returns, as a rule; up to a
 * second is given).  The receive buffer is as large as allowed meanwhile.
 */
static void refill(const struct rf_fd *e, int t)
{
	int raw4 = -1, raw6 = -1, rcv, big = INT32_MAX / 2;
	uint32_t want = 0;
	char *pkt;

	if (!irf(e)->nr_q)
		return;
	rcv = net_rcvbuf(t);
	pkt = malloc(40 + 8 + DGRAM_MAX);
	raw4 = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (irf(e)->h->family == AF_INET6)
		raw6 = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (!pkt || raw4 < 0 || (irf(e)->h->family == AF_INET6 && raw6 < 0))
		inet_die(e, "a raw socket to send its queued datagrams again", pkt ? errno : ENOMEM,
			 errno == EPERM ? " (needs CAP_NET_RAW)" : NULL);
	setsockopt(t, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	for (int k = 0; k < irf(e)->nr_q; k++) {
		const struct rec_inet_queue *q = irf(e)->q[k];
		const struct rec_inet_msg *m = (const struct rec_inet_msg *)(q + 1);
		const char *p = (const char *)(m + q->nr);

		for (uint32_t j = 0; j < q->nr; j++) {
			send_dgram(e, raw4, raw6, &m[j], p, pkt);
			p += m[j].len;
		}
		want += q->nr;
	}
	for (int tries = 0; count_queue(e, t) < want; tries++) {
		if (tries == 1000) {
			char d[200];

			describe(irf(e)->h, d, sizeof(d));
			rf_stub_die("cannot restore fd %d (%s): %u of its %u queued datagrams arrived when sent again",
				    e->rec->fd, d, count_queue(e, t), want);
		}
		usleep(1000);
	}
	rcv /= 2;
	if (setsockopt(t, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)) &&
	    setsockopt(t, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv)))
		inet_die(e, "SO_RCVBUF", errno, NULL);
	free(pkt);
	close(raw4);
	if (raw6 >= 0)
		close(raw6);
}

/*
 * An established connection (tcp.c), on socket @t with its options set.
 * Then those that connect() computes anew (TCP_WINDOW_CLAMP) are set
 * again, and SO_REUSEADDR, which reads as SK_FORCE_REUSE in repair mode;
 * leaving repair mode (tcp_conns_release()) clears it, set once more
 * there.  No filter or shutdown: the dump refused them.
 */
static int tcp_open(const struct rf_fd *e, int t)
{
	const struct rec_inet *h = irf(e)->h;
	const struct rec_inet_opt *o = (const struct rec_inet_opt *)(h + 1);
	struct sockaddr_storage ls, ps;
	socklen_t ll, pl;
	const char *step = "?";
	char d[200];
	int err;

	ll = sa_make(h->family, h->addr, h->port, h->scope_id, &ls);
	pl = sa_make(h->family, h->peer_addr, h->peer_port, h->peer_scope_id, &ps);
	err = tcp_conn_restore(t, irf(e)->tcp, (struct sockaddr *)&ls, ll, (struct sockaddr *)&ps,
			       pl, &step);
	if (err == -1) {
		describe(h, d, sizeof(d));
		rf_stub_die("cannot restore fd %d (%s): %s differs from the dump's", e->rec->fd, d,
			    step);
	}
	if (err)
		inet_die(e, step, err, err == EADDRINUSE || err == EADDRNOTAVAIL ?
			 " (does the dumped process, or another, still hold the connection?)" : NULL);
	for (uint32_t k = 0; k < h->nr_opts; k++)
		if ((o[k].level == SOL_SOCKET && o[k].name == SO_REUSEADDR) ||
		    opt_find(o[k].level, o[k].name)->flags & OF_EST_AFTER)
			set_opt(e, t, &o[k]);
	check_back(e, t);
	return t;
}

/* Its SO_REUSEADDR option as kept, or NULL. */
static const struct rec_inet_opt *reuse_opt(const struct rec_inet *h)
{
	const struct rec_inet_opt *o = (const struct rec_inet_opt *)(h + 1);

	for (uint32_t k = 0; k < h->nr_opts; k++)
		if (o[k].level == SOL_SOCKET && o[k].name == SO_REUSEADDR)
			return &o[k];
	return NULL;
}

int tcp_conns_release(struct restore_ctx *r)
{
	const void *data;
	size_t len;
	int pidfd = -1, ret, err = 0;

	img_rewind(r->img);
	while (!err && (ret = cr_next_of_type(r->img, IMG_REC_INET, &data, &len)) == 1) {
		const struct rec_inet *h = data;
		const struct rec_inet_opt *o;
		const char *label = "?";
		int g, off = TCP_REPAIR_OFF;

		if (h->protocol != IPPROTO_TCP || h->state != ST_ESTABLISHED)
			continue;
		if (pidfd < 0) {
			pidfd = (int)syscall(SYS_pidfd_open, r->pid, 0);
			if (pidfd < 0) {
				err = -errno;
				sudcr_error("pidfd_open(%d): %s", r->pid, strerror(-err));
				break;
			}
		}
		g = (int)syscall(SYS_pidfd_getfd, pidfd, h->fd, 0);
		if (g < 0 || setsockopt(g, IPPROTO_TCP, TCP_REPAIR, &off, sizeof(off))) {
			err = -errno;
			sudcr_error("cannot restore fd %d: taking its TCP connection out of repair mode: %s",
				    h->fd, strerror(-err));
		}
		o = reuse_opt(h);
		if (!err && o && ((err = sockopt_set(g, o, &label)) || (err = sockopt_check(g, o, &label))))
			sudcr_error("cannot restore fd %d: %s once out of repair mode: %s", h->fd, label,
				    err == -ESTALE ? "reads back otherwise" : strerror(-err));
		if (g >= 0)
			close(g);
	}
	if (pidfd >= 0)
		close(pidfd);
	return err ? err : ret;
}

static int inet_open_desc(const struct rf_fd *e)
{
	const struct rec_inet *h = irf(e)->h;
	const struct rec_inet_opt *o = (const struct rec_inet_opt *)(h + 1);
	struct sockaddr_storage ss;
	socklen_t sl;
	int t;

	t = socket((int)h->family, (int)h->type | SOCK_CLOEXEC, (int)h->protocol);
	if (t < 0)
		inet_die(e, "socket", errno, NULL);
	for (uint32_t k = 0; k < h->nr_opts; k++)
		set_opt(e, t, &o[k]);
	if (irf(e)->tcp)
		return tcp_open(e, t);
	if (h->flags & REC_INET_BOUND) {
		sl = sa_make(h->family, h->addr, h->port, h->scope_id, &ss);
		if (bind(t, (struct sockaddr *)&ss, sl))
			inet_die(e, "bind", errno, errno == EADDRINUSE ?
				 " (is the dumped process, or another, still holding it? or, without SO_REUSEADDR, connections it closed still in TIME_WAIT?)" : NULL);
	}
	if (h->state == ST_LISTEN && listen(t, (int)h->backlog))
		inet_die(e, "listen", errno, NULL);
	if (h->state == ST_ESTABLISHED) {
		sl = sa_make(h->family, h->peer_addr, h->peer_port, h->peer_scope_id, &ss);
		if (connect(t, (struct sockaddr *)&ss, sl))
			inet_die(e, "connect", errno, NULL);
	}
	/* Before the filter, which they passed once already. */
	refill(e, t);
	if (h->nr_filter) {
		int err = sockfilter_attach(t, (const struct sock_filter *)(o + h->nr_opts), h->nr_filter);

		if (err)
			inet_die(e, "SO_ATTACH_FILTER", -err, NULL);
	}
	if (h->flags & REC_INET_FILTER_LOCKED) {
		int one = 1;

		if (setsockopt(t, SOL_SOCKET, SO_LOCK_FILTER, &one, sizeof(one)))
			inet_die(e, "SO_LOCK_FILTER", errno, NULL);
	}
	/* RCV_SHUTDOWN 1, SEND_SHUTDOWN 2: how plus one; unconnected UDP says ENOTCONN but takes it. */
	if (h->shutdown && shutdown(t, (int)h->shutdown - 1) && errno != ENOTCONN)
		inet_die(e, "shutdown", errno, NULL);
	check_back(e, t);
	return t;
}

/* A socket has one description: made here, the driver closes ours. */
static int inet_open(struct restore_files_state *s, int i, bool *own)
{
	(void)own;
	return inet_open_desc(&s->fds[i]);
}

/* ---- show ---- */

size_t sockopt_str(const struct rec_inet_opt *o, bool json, char *buf, size_t size)
{
	const struct inet_opt *d = opt_find(o->level, o->name);
	const char *label = d ? d->label : "?";
	int x;

	if (d && d->kind == O_INT) {
		memcpy(&x, o->val, sizeof(x));
		return (size_t)snprintf(buf, size, json ? "\"%s\":%d" : " %s=%d", label, x);
	}
	if (d && d->flags & OF_STRING) {
		char str[33];

		memcpy(str, o->val, 32);
		str[sizeof(str) - 1] = '\0';
		for (char *c = str; *c; c++)
			if (*c < 0x20 || *c > 0x7e || *c == '"' || *c == '\\')
				*c = '?';
		return (size_t)snprintf(buf, size, json ? "\"%s\":\"%s\"" : " %s=%s", label, str);
	}
	{
		size_t n = (size_t)snprintf(buf, size, json ? "\"%s\":\"" : " %s=0x", label);

		for (uint32_t k = 0; k < o->len && k < sizeof(o->val) && n < size; k++)
			n += (size_t)snprintf(buf + n, size - n, "%02x", o->val[k]);
		if (json && n < size)
			n += (size_t)snprintf(buf + n, size - n, "\"");
		return n;
	}
}

static const char *show_state(const struct rec_inet *h)
{
	if (h->protocol == IPPROTO_UDP)
		return h->state == ST_ESTABLISHED ? "CONNECTED" : "UNCONNECTED";
	return state_name(h->state);
}

static int inet_describe(const void *data, size_t len, bool json, char *buf, size_t size)
{
	const struct rec_inet *h = data;
	const struct rec_inet_opt *o;
	char d[200];
	size_t n;

	if (!size)
		return -EINVAL;
	buf[0] = '\0';
	if (!h || inet_rec_bad(h, len))
		return -EINVAL;
	o = (const struct rec_inet_opt *)(h + 1);
	describe(h, d, sizeof(d));
	if (json)
		n = (size_t)snprintf(buf, size, "{\"socket\":\"%s\",\"state\":\"%s\",\"backlog\":%u,\"shutdown\":%u,\"filter\":%u,\"filter_locked\":%s,\"options\":{",
				     d, show_state(h), h->backlog, h->shutdown, h->nr_filter,
				     h->flags & REC_INET_FILTER_LOCKED ? "true" : "false");
	else
		n = (size_t)snprintf(buf, size, "%s %s%s", d, show_state(h),
				     h->flags & REC_INET_BOUND ? "" : " unbound");
	if (!json && h->state == ST_LISTEN && n < size)
		n += (size_t)snprintf(buf + n, size - n, " backlog %u", h->backlog);
	if (!json && h->shutdown && n < size)
		n += (size_t)snprintf(buf + n, size - n, " shutdown%s%s",
				      h->shutdown & 1 ? " rd" : "", h->shutdown & 2 ? " wr" : "");
	if (!json && h->nr_filter && n < size)
		n += (size_t)snprintf(buf + n, size - n, " filter %u insns%s", h->nr_filter,
				      h->flags & REC_INET_FILTER_LOCKED ? " locked" : "");
	if (!json && h->nr_opts && n < size)
		n += (size_t)snprintf(buf + n, size - n, " options:");
	for (uint32_t k = 0; k < h->nr_opts && n < size; k++) {
		if (json && k && n < size)
			n += (size_t)snprintf(buf + n, size - n, ",");
		if (n < size)
			n += sockopt_str(&o[k], json, buf + n, size - n);
	}
	if (json && n < size)
		snprintf(buf + n, size - n, "}}");
	return 0;
}

/*
 * Description @rec's INET record, one line or a "socket" JSON member, and
 * its queued datagrams: how many, how many bytes.
 */
static int inet_show(struct show_ctx *sc, const struct rec_fd *rec)
{
	const void *data;
	uint32_t type;
	size_t len;
	uint64_t nr = 0, bytes = 0;
	char buf[4096];
	int ret = famsock_show(sc, rec, IMG_REC_INET, inet_describe);

	if (ret)
		return ret;
	img_rewind(sc->img);
	while ((ret = img_next_record(sc->img, &type, &data, &len)) == 1) {
		const struct rec_inet_queue *q = data;

		if (type != IMG_REC_INET_QUEUE || len < sizeof(*q) || q->fd != rec->fd)
			continue;
		nr += q->nr;
		bytes += q->len;
	}
	if (ret < 0)
		return ret;
	img_rewind(sc->img);
	while ((ret = img_next_record(sc->img, &type, &data, &len)) == 1) {
		const struct rec_inet_tcp *c = data;

		if (type != IMG_REC_INET_TCP || len < sizeof(*c) || c->fd != rec->fd)
			continue;
		tcp_conn_str(c, sc->json, buf, sizeof(buf));
		if (sc->json)
			fputs(buf, sc->out);
		else
			fprintf(sc->out, "      %s\n", buf);
		break;
	}
	if (ret < 0)
		return ret;
	if (sc->json)
		fprintf(sc->out, ",\"queued\":%" PRIu64 ",\"queued_bytes\":%" PRIu64, nr, bytes);
	else if (nr)
		fprintf(sc->out, "      queue: %" PRIu64 " datagrams, %" PRIu64 " bytes\n", nr, bytes);
	return 0;
}

const struct fd_kind fd_kind_inet = {
	.kind = REC_FD_INET,
	.name = "inet socket",
	.show_name = "inet-socket",
	.records = { IMG_REC_INET, IMG_REC_INET_QUEUE, IMG_REC_INET_TCP },
	.recognise = inet_recognise,
	.dump_prepare = inet_dump_prepare,
	.caller_end = inet_caller_end,
	.dump = inet_dump_op,
	.check_record = inet_check_record,
	.check_table = inet_check_table,
	.open = inet_open,
	.release = inet_release,
	.show_records = inet_show,
};
