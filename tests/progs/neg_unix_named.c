// SPDX-License-Identifier: MIT
/*
 * Failure path: AF_UNIX sockets with names: a stream socket listening on
 * a path in $TESTTMP, a client connected to it and the accepted socket
 * (which has the listener's name).  The dump must fail with one line and
 * leave the process as it was: the connection and the listener still work.
 */
// sudcr-test: dump-fails
#include <sys/socket.h>
#include <sys/un.h>

#include "progs/prog.h"

int main(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int l, c, s;
	char buf[8];

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", prog_path("sock"));
	unlink(addr.sun_path);
	l = socket(AF_UNIX, SOCK_STREAM, 0);
	SETUP(l >= 0 && !bind(l, (struct sockaddr *)&addr, sizeof(addr)) && !listen(l, 4), "listen");
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	SETUP(c >= 0 && !connect(c, (struct sockaddr *)&addr, sizeof(addr)), "connect");
	s = accept(l, NULL, NULL);
	SETUP(s >= 0 && write(c, "ping", 4) == 4, "accept");

	prog_ready();
	prog_wait();

	CHECK(read(s, buf, 4) == 4 && !memcmp(buf, "ping", 4), "data sent before the dump is lost");
	CHECK(write(s, "pong", 4) == 4 && read(c, buf, 4) == 4 && !memcmp(buf, "pong", 4), "connection broken");
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(c >= 0 && !connect(c, (struct sockaddr *)&addr, sizeof(addr)) && accept(l, NULL, NULL) >= 0,
	      "the listening socket no longer accepts");
	unlink(addr.sun_path);
	prog_done();
}
