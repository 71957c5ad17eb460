// SPDX-License-Identifier: MIT
/*
 * AF_INET6 TCP listening sockets: one on [::1] with IPV6_V6ONLY, one on
 * [::] without it, which accepts an IPv4 connection (its peer then shows
 * as the v4-mapped ::ffff:127.0.0.1), and two on one port of [::1] with
 * SO_REUSEPORT.  Ports, options and backlogs come back; each accepts.
 */
#include "progs/net.h"

static const struct net_iopt opts[] = {
	NET_IOPT(IPPROTO_IPV6, IPV6_V6ONLY, 1),
	NET_IOPT(IPPROTO_IPV6, IPV6_TCLASS, 0x20),
	NET_IOPT(IPPROTO_IPV6, IPV6_UNICAST_HOPS, 17),
	NET_IOPT(SOL_SOCKET, SO_REUSEADDR, 1),
};
#define NR	(int)(sizeof(opts) / sizeof(opts[0]))

static int listen6(const struct in6_addr *addr, uint16_t port, int v6only, int reuseport, int backlog)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = *addr };
	int s = socket(AF_INET6, SOCK_STREAM, 0);

	SETUP(s >= 0, "socket");
	SETUP(!setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(int)), "IPV6_V6ONLY");
	if (reuseport)
		SETUP(!setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &reuseport, sizeof(int)), "SO_REUSEPORT");
	if (bind(s, (struct sockaddr *)&a, sizeof(a))) {
		if (errno == EADDRNOTAVAIL)
			prog_skip("no IPv6 loopback address here (bind [::1]: %s)", strerror(errno));
		SETUP(0, "bind: %s", strerror(errno));
	}
	SETUP(!listen(s, backlog), "listen");
	return s;
}

static int connect_accept(int l, int family, uint16_t port, struct sockaddr_in6 *peer)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(port),
				   .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_in a4 = net_lo4(port);
	socklen_t len = sizeof(*peer);
	int c = socket(family, SOCK_STREAM, 0), s;

	if (c < 0 || (family == AF_INET ? connect(c, (struct sockaddr *)&a4, sizeof(a4)) :
					  connect(c, (struct sockaddr *)&a6, sizeof(a6)))) {
		CHECK(0, "connect to port %u: %s", port, strerror(errno));
		return -1;
	}
	s = accept(l, (struct sockaddr *)peer, &len);
	CHECK(s >= 0, "accept on port %u: %s", port, strerror(errno));
	close(c);
	if (s >= 0)
		close(s);
	return s >= 0 ? 0 : -1;
}

int main(void)
{
	const struct in6_addr lo = IN6ADDR_LOOPBACK_INIT, any = IN6ADDR_ANY_INIT;
	int l6, ld, r1, r2, want[NR];
	uint16_t p6, pd, pr;
	struct sockaddr_in6 peer;
	char a[INET6_ADDRSTRLEN] = "";

	l6 = listen6(&lo, 0, 1, 0, 4);
	net_set_iopts(l6, opts + 1, NR - 1);
	net_read_iopts(l6, opts, NR, want);
	p6 = net_port(l6);
	ld = listen6(&any, 0, 0, 0, 2);
	pd = net_port(ld);
	r1 = listen6(&lo, 0, 1, 1, 5);
	pr = net_port(r1);
	r2 = listen6(&lo, pr, 1, 1, 6);

	prog_ready();
	prog_wait();

	CHECK_EQ(net_port(l6), p6);
	CHECK_EQ(net_port(ld), pd);
	CHECK_EQ(net_port(r1), pr);
	CHECK_EQ(net_port(r2), pr);
	net_check_iopts(l6, opts, NR, want);
	CHECK_EQ(net_geti(ld, IPPROTO_IPV6, IPV6_V6ONLY), 0);
	CHECK_EQ(net_geti(r1, SOL_SOCKET, SO_REUSEPORT), 1);
	CHECK_EQ(net_geti(r2, SOL_SOCKET, SO_REUSEPORT), 1);
	connect_accept(l6, AF_INET6, p6, &peer);
	if (!connect_accept(ld, AF_INET, pd, &peer)) {
		inet_ntop(AF_INET6, &peer.sin6_addr, a, sizeof(a));
		CHECK(IN6_IS_ADDR_V4MAPPED(&peer.sin6_addr), "peer of the IPv4 connection is %s", a);
	}
	{
		/* Only IPv6 on the v6-only one. */
		struct sockaddr_in a4 = net_lo4(p6);
		int c = socket(AF_INET, SOCK_STREAM, 0);

		CHECK(connect(c, (struct sockaddr *)&a4, sizeof(a4)) && errno == ECONNREFUSED,
		      "IPv4 connect to the IPV6_V6ONLY socket's port");
		close(c);
	}
	prog_done();
}
