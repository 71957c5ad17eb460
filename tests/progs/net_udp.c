// SPDX-License-Identifier: MIT
/*
 * UDP sockets with nothing queued: one bound to 127.0.0.1 (SO_BROADCAST,
 * SO_RCVBUF set), one bound and connected to it, one never bound, one
 * AF_INET6 on [::1] connected to itself.  After: addresses and peers as
 * they were; a datagram from the connected one reaches the bound one with
 * the connected one's address as sender; the unbound one can send to it.
 */
// sudcr-test: restore-fails pid-taken
#include "progs/net.h"

int main(void)
{
	struct sockaddr_in a = net_lo4(0), from, peer;
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	socklen_t len;
	int b, c, u, s6, one = 1, rcv = 50000, rcvbuf;
	uint16_t pb, pc, p6 = 0;
	char buf[16];

	b = socket(AF_INET, SOCK_DGRAM, 0);
	SETUP(b >= 0 && !setsockopt(b, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)) &&
	      !setsockopt(b, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv)) &&
	      !bind(b, (struct sockaddr *)&a, sizeof(a)), "bind");
	rcvbuf = net_geti(b, SOL_SOCKET, SO_RCVBUF);
	pb = net_port(b);
	c = socket(AF_INET, SOCK_DGRAM, 0);
	a = net_lo4(pb);
	SETUP(c >= 0 && !connect(c, (struct sockaddr *)&a, sizeof(a)), "connect");
	pc = net_port(c);
	u = socket(AF_INET, SOCK_DGRAM, 0);
	SETUP(u >= 0, "socket");
	s6 = socket(AF_INET6, SOCK_DGRAM, 0);
	if (s6 >= 0 && !bind(s6, (struct sockaddr *)&a6, sizeof(a6))) {
		p6 = net_port(s6);
		a6.sin6_port = htons(p6);
		SETUP(!connect(s6, (struct sockaddr *)&a6, sizeof(a6)), "connect [::1]");
	} else {
		prog_log("no [::1] here: the AF_INET6 socket stays unbound");
	}

	prog_ready();
	prog_wait();

	CHECK_EQ(net_port(b), pb);
	CHECK_EQ(net_port(c), pc);
	CHECK_EQ(net_port(u), 0);
	CHECK_EQ(net_geti(b, SOL_SOCKET, SO_BROADCAST), 1);
	CHECK_EQ(net_geti(b, SOL_SOCKET, SO_RCVBUF), rcvbuf);
	len = sizeof(peer);
	CHECK(!getpeername(c, (struct sockaddr *)&peer, &len) && ntohs(peer.sin_port) == pb,
	      "the connected socket's peer");
	len = sizeof(peer);
	CHECK(getpeername(b, (struct sockaddr *)&peer, &len) && errno == ENOTCONN,
	      "the bound socket is not connected");
	CHECK(send(c, "one", 3, 0) == 3, "send: %s", strerror(errno));
	len = sizeof(from);
	CHECK(recvfrom(b, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &len) == 3 &&
	      !memcmp(buf, "one", 3) && ntohs(from.sin_port) == pc, "the datagram from the connected socket");
	CHECK(sendto(u, "two", 3, 0, (struct sockaddr *)&a, sizeof(a)) == 3, "sendto: %s", strerror(errno));
	CHECK(recv(b, buf, sizeof(buf), MSG_DONTWAIT) == 3 && !memcmp(buf, "two", 3),
	      "the datagram from the unbound socket");
	if (p6) {
		CHECK_EQ(net_port(s6), p6);
		CHECK(send(s6, "six", 3, 0) == 3 && recv(s6, buf, sizeof(buf), MSG_DONTWAIT) == 3 &&
		      !memcmp(buf, "six", 3), "the AF_INET6 socket talks to itself");
	}
	prog_done();
}
