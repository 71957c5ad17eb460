// SPDX-License-Identifier: MIT
/*
 * Failure path: a connected UDP socket with an error pending (the ICMP
 * port unreachable of a datagram sent to a port no one has bound: the
 * next call returns ECONNREFUSED).  The dump must refuse it in one line
 * without clearing the error, which the process still reads afterwards.
 */
// sudcr-test: dump-fails
#include <poll.h>

#include "progs/net.h"

int main(void)
{
	struct sockaddr_in a = net_lo4(0);
	struct pollfd p;
	int t, c;

	/* A port free now: bound, then closed. */
	t = socket(AF_INET, SOCK_DGRAM, 0);
	SETUP(t >= 0 && !bind(t, (struct sockaddr *)&a, sizeof(a)), "bind");
	a = net_lo4(net_port(t));
	close(t);
	c = socket(AF_INET, SOCK_DGRAM, 0);
	SETUP(c >= 0 && !connect(c, (struct sockaddr *)&a, sizeof(a)), "connect");
	SETUP(send(c, "x", 1, 0) == 1, "send");
	p = (struct pollfd){ .fd = c, .events = POLLIN };
	SETUP(poll(&p, 1, 5000) == 1 && (p.revents & POLLERR), "no ICMP error came back");

	prog_ready();
	prog_wait();

	CHECK_EQ(net_geti(c, SOL_SOCKET, SO_ERROR), ECONNREFUSED);
	prog_done();
}
