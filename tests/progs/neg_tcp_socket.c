// SPDX-License-Identifier: MIT
/*
 * Failure path: a process with a TCP socket (listening, plus a connected
 * pair) cannot be dumped.  The dump must fail with one clear error and no
 * image in DIR, and leave the process as it was: it still passes its
 * verification afterwards (the sockets still work).
 */
// sudcr-test: dump-fails
#include <netinet/in.h>
#include <sys/socket.h>

#include "progs/prog.h"

int main(void)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in a0, a1;
	socklen_t len = sizeof(addr);
	int l, c, s;
	char buf[8];

	l = socket(AF_INET, SOCK_STREAM, 0);
	SETUP(l >= 0 && !bind(l, (struct sockaddr *)&addr, sizeof(addr)) && !listen(l, 4), "listen");
	SETUP(!getsockname(l, (struct sockaddr *)&a0, &len), "getsockname");
	c = socket(AF_INET, SOCK_STREAM, 0);
	SETUP(c >= 0 && !connect(c, (struct sockaddr *)&a0, sizeof(a0)), "connect");
	s = accept(l, NULL, NULL);
	SETUP(s >= 0 && write(c, "ping", 4) == 4, "accept");

	prog_ready();
	prog_wait();

	len = sizeof(a1);
	CHECK(!getsockname(l, (struct sockaddr *)&a1, &len) && a1.sin_port == a0.sin_port, "listening socket");
	CHECK(read(s, buf, 4) == 4 && !memcmp(buf, "ping", 4), "data sent before the dump is lost");
	CHECK(write(s, "pong", 4) == 4 && read(c, buf, 4) == 4 && !memcmp(buf, "pong", 4), "connection broken");
	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(c >= 0 && !connect(c, (struct sockaddr *)&a0, sizeof(a0)) && accept(l, NULL, NULL) >= 0,
	      "the listening socket no longer accepts");
	prog_done();
}
