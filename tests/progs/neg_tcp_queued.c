// SPDX-License-Identifier: MIT
/*
 * Failure path: a listening TCP socket with a connection queued and not
 * accepted yet (its client, also of the process, closed since: the
 * process holds only the listening socket).  The dump must refuse it in
 * one line, and leave the queue as it was: the connection is accepted
 * afterwards and reads EOF.
 */
// sudcr-test: dump-fails
#include "progs/net.h"

int main(void)
{
	struct sockaddr_in a = net_lo4(0);
	int l, c, s;
	char ch;

	l = socket(AF_INET, SOCK_STREAM, 0);
	SETUP(l >= 0 && !bind(l, (struct sockaddr *)&a, sizeof(a)) && !listen(l, 4), "listen");
	a = net_lo4(net_port(l));
	c = socket(AF_INET, SOCK_STREAM, 0);
	SETUP(c >= 0 && !connect(c, (struct sockaddr *)&a, sizeof(a)), "connect");
	SETUP(write(c, "x", 1) == 1, "write");
	close(c);

	prog_ready();
	prog_wait();

	s = accept(l, NULL, NULL);
	CHECK(s >= 0, "the queued connection is gone: %s", strerror(errno));
	CHECK(read(s, &ch, 1) == 1 && ch == 'x', "its byte");
	CHECK(read(s, &ch, 1) == 0, "its EOF");
	prog_done();
}
