// SPDX-License-Identifier: MIT
/*
 * Failure path: a TCP socket whose connection ended by a reset (its
 * peer, of the process, closed with SO_LINGER 0; the process read the
 * ECONNRESET).  It is in state CLOSE, shut down both ways, which a new
 * socket is not: the dump must refuse it in one line; the socket still
 * reads EOF afterwards.
 */
// sudcr-test: dump-fails
#include "progs/net.h"

int main(void)
{
	struct sockaddr_in a = net_lo4(0);
	struct linger lg = { 1, 0 };
	int l, c, s;
	char ch;

	l = socket(AF_INET, SOCK_STREAM, 0);
	SETUP(l >= 0 && !bind(l, (struct sockaddr *)&a, sizeof(a)) && !listen(l, 4), "listen");
	a = net_lo4(net_port(l));
	c = socket(AF_INET, SOCK_STREAM, 0);
	SETUP(c >= 0 && !connect(c, (struct sockaddr *)&a, sizeof(a)), "connect");
	s = accept(l, NULL, NULL);
	SETUP(s >= 0 && !setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), "accept");
	close(s);
	close(l);
	SETUP(read(c, &ch, 1) < 0 && errno == ECONNRESET, "no reset");

	prog_ready();
	prog_wait();

	CHECK(read(c, &ch, 1) == 0, "the ended connection reads EOF");
	prog_done();
}
