// SPDX-License-Identifier: MIT
/*
 * An AF_INET TCP listening socket on 127.0.0.1 (port chosen by the
 * kernel), with a backlog of 3 and the options a server sets: every one
 * reads back as it was, the port is the same, and it accepts a connection
 * whose accepted socket inherits the options (TCP_NODELAY, SO_KEEPALIVE
 * and the keepalive times).  Its classic BPF filter (accept everything,
 * locked) is there.  A second socket listens on 127.0.0.1 through
 * listen() alone (autobound port).
 */
#include <linux/filter.h>
#include <net/if.h>

// sudcr-test: restore-fails pid-taken
#include "progs/net.h"

static const struct net_iopt opts[] = {
	NET_IOPT(SOL_SOCKET, SO_REUSEADDR, 1),
	NET_IOPT(SOL_SOCKET, SO_KEEPALIVE, 1),
	NET_IOPT(SOL_SOCKET, SO_SNDBUF, 65536),
	NET_IOPT(SOL_SOCKET, SO_RCVBUF, 100000),
	NET_IOPT(SOL_SOCKET, SO_MARK, 7),
	NET_IOPT(SOL_SOCKET, SO_BROADCAST, 1),
	NET_IOPT(SOL_SOCKET, SO_RCVLOWAT, 3),
	NET_IOPT(IPPROTO_IP, IP_TOS, 0x10),
	/* After IP_TOS, which sets the priority to 6 for 0x10. */
	NET_IOPT(SOL_SOCKET, SO_PRIORITY, 5),
	NET_IOPT(IPPROTO_IP, IP_TTL, 33),
	NET_IOPT(IPPROTO_IP, IP_FREEBIND, 1),
	NET_IOPT(IPPROTO_TCP, TCP_NODELAY, 1),
	NET_IOPT(IPPROTO_TCP, TCP_KEEPIDLE, 111),
	NET_IOPT(IPPROTO_TCP, TCP_KEEPINTVL, 22),
	NET_IOPT(IPPROTO_TCP, TCP_KEEPCNT, 4),
	NET_IOPT(IPPROTO_TCP, TCP_USER_TIMEOUT, 12345),
	NET_IOPT(IPPROTO_TCP, TCP_MAXSEG, 1200),
};
#define NR	(int)(sizeof(opts) / sizeof(opts[0]))

/* Accept what carries a byte, as a classic filter: ret #-1. */
static struct sock_filter prog[] = { { BPF_RET | BPF_K, 0, 0, 0xffffffff } };

int main(void)
{
	struct sockaddr_in a = net_lo4(0);
	struct linger lg = { 1, 9 }, lg2;
	struct sock_fprog fp = { 1, prog };
	struct sock_filter got[4];
	socklen_t len;
	int l, l2, c, s, want[NR], one = 1;
	uint16_t port, port2;
	char cong[16] = "", cong2[16];

	l = socket(AF_INET, SOCK_STREAM, 0);
	SETUP(l >= 0, "socket");
	net_set_iopts(l, opts, NR);
	SETUP(!setsockopt(l, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), "SO_LINGER");
	SETUP(!setsockopt(l, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp)), "SO_ATTACH_FILTER");
	SETUP(!setsockopt(l, SOL_SOCKET, SO_LOCK_FILTER, &one, sizeof(one)), "SO_LOCK_FILTER");
	if (setsockopt(l, IPPROTO_TCP, TCP_CONGESTION, "reno", 4))
		prog_log("no reno congestion control here: left as it is");
	len = sizeof(cong);
	SETUP(!getsockopt(l, IPPROTO_TCP, TCP_CONGESTION, cong, &len), "TCP_CONGESTION");
	SETUP(!bind(l, (struct sockaddr *)&a, sizeof(a)) && !listen(l, 3), "bind, listen");
	port = net_port(l);
	net_read_iopts(l, opts, NR, want);
	l2 = socket(AF_INET, SOCK_STREAM, 0);
	SETUP(l2 >= 0 && !listen(l2, 1), "listen without bind");
	port2 = net_port(l2);
	SETUP(port && port2, "ports");

	prog_ready();
	prog_wait();

	CHECK_EQ(net_port(l), port);
	CHECK_EQ(net_port(l2), port2);
	CHECK_EQ(net_geti(l, SOL_SOCKET, SO_ACCEPTCONN), 1);
	CHECK_EQ(net_geti(l2, SOL_SOCKET, SO_ACCEPTCONN), 1);
	net_check_iopts(l, opts, NR, want);
	len = sizeof(lg2);
	CHECK(!getsockopt(l, SOL_SOCKET, SO_LINGER, &lg2, &len) && lg2.l_onoff == 1 &&
	      lg2.l_linger == 9, "SO_LINGER");
	len = sizeof(cong2);
	CHECK(!getsockopt(l, IPPROTO_TCP, TCP_CONGESTION, cong2, &len) && !strcmp(cong, cong2),
	      "TCP_CONGESTION %s, was %s", cong2, cong);
	len = 4;
	CHECK(!getsockopt(l, SOL_SOCKET, SO_GET_FILTER, got, &len) && len == 1 &&
	      !memcmp(got, prog, sizeof(prog)), "the socket filter");
	CHECK_EQ(net_geti(l, SOL_SOCKET, SO_LOCK_FILTER), 1);

	a = net_lo4(port);
	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(c >= 0 && !connect(c, (struct sockaddr *)&a, sizeof(a)), "connect: %s", strerror(errno));
	s = accept(l, NULL, NULL);
	CHECK(s >= 0, "accept: %s", strerror(errno));
	CHECK_EQ(net_geti(s, IPPROTO_TCP, TCP_NODELAY), 1);
	CHECK_EQ(net_geti(s, SOL_SOCKET, SO_KEEPALIVE), 1);
	CHECK_EQ(net_geti(s, IPPROTO_TCP, TCP_KEEPIDLE), 111);
	CHECK(write(c, "hello", 5) == 5, "write");
	{
		char buf[8] = "";

		CHECK(read(s, buf, 5) == 5 && !memcmp(buf, "hello", 5), "read");
	}
	close(c);
	close(s);
	a = net_lo4(port2);
	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(c >= 0 && !connect(c, (struct sockaddr *)&a, sizeof(a)), "connect to the second: %s",
	      strerror(errno));
	s = accept(l2, NULL, NULL);
	CHECK(s >= 0, "accept on the second: %s", strerror(errno));
	close(c);
	close(s);
	prog_done();
}
