// SPDX-License-Identifier: MIT
/*
 * TCP sockets that are not connected: one bound to 127.0.0.1 (port by
 * the kernel) and not listening, one bound with IP_BIND_ADDRESS_NO_PORT
 * (address, no port yet), one never bound, one AF_INET6 bound to [::1].
 * After: the same addresses; the bound one listens on its port and the
 * unbound one connects to it; the no-port one gets a port at connect.
 */
// sudcr-test: restore-fails pid-taken
#include "progs/net.h"

int main(void)
{
	struct sockaddr_in a = net_lo4(0), got;
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	socklen_t len;
	int b, np, u, b6 = -1, s, one = 1;
	uint16_t port, port6 = 0;

	b = socket(AF_INET, SOCK_STREAM, 0);
	SETUP(b >= 0 && !bind(b, (struct sockaddr *)&a, sizeof(a)), "bind");
	port = net_port(b);
	np = socket(AF_INET, SOCK_STREAM, 0);
	SETUP(np >= 0 && !setsockopt(np, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one)) &&
	      !bind(np, (struct sockaddr *)&a, sizeof(a)), "bind with IP_BIND_ADDRESS_NO_PORT");
	SETUP(net_port(np) == 0, "no port yet");
	u = socket(AF_INET, SOCK_STREAM, 0);
	SETUP(u >= 0, "socket");
	b6 = socket(AF_INET6, SOCK_STREAM, 0);
	if (b6 >= 0 && !bind(b6, (struct sockaddr *)&a6, sizeof(a6)))
		port6 = net_port(b6);
	else
		prog_log("no [::1] here: the AF_INET6 socket stays unbound");

	prog_ready();
	prog_wait();

	CHECK_EQ(net_port(b), port);
	CHECK_EQ(net_port(np), 0);
	CHECK_EQ(net_port(u), 0);
	CHECK_EQ(net_port(b6), port6);
	CHECK_EQ(net_geti(np, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT), 1);
	len = sizeof(got);
	CHECK(!getsockname(np, (struct sockaddr *)&got, &len) &&
	      got.sin_addr.s_addr == htonl(INADDR_LOOPBACK), "the no-port socket's address");
	CHECK_EQ(net_geti(b, SOL_SOCKET, SO_ACCEPTCONN), 0);
	CHECK(!listen(b, 2), "listen on the bound socket: %s", strerror(errno));
	a = net_lo4(port);
	CHECK(!connect(u, (struct sockaddr *)&a, sizeof(a)), "connect: %s", strerror(errno));
	s = accept(b, NULL, NULL);
	CHECK(s >= 0, "accept: %s", strerror(errno));
	CHECK(!connect(np, (struct sockaddr *)&a, sizeof(a)) && net_port(np), "connect the no-port one: %s",
	      strerror(errno));
	close(u);
	close(np);
	close(s);
	s = accept(b, NULL, NULL);
	if (s >= 0)
		close(s);
	prog_done();
}
