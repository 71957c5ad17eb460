// SPDX-License-Identifier: MIT
/*
 * Failure path: an AF_UNIX stream socket listening on a path in $TESTTMP
 * with a connection waiting to be accepted (its client, of the process,
 * closed since).  The dump must refuse it in one line and leave it as it
 * was: the connection is accepted afterwards and reads its byte, then EOF.
 */
// sudcr-test: dump-fails
#include <stddef.h>
#include <sys/un.h>

#include "progs/net.h"

int main(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int l, c, s;
	char ch;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", prog_path("p.sock"));
	unlink(a.sun_path);
	l = socket(AF_UNIX, SOCK_STREAM, 0);
	SETUP(l >= 0 && !bind(l, (struct sockaddr *)&a, sizeof(a)) && !listen(l, 4), "listen");
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	SETUP(c >= 0 && !connect(c, (struct sockaddr *)&a, sizeof(a)) && write(c, "x", 1) == 1,
	      "connect");
	close(c);

	prog_ready();
	prog_wait();

	s = accept(l, NULL, NULL);
	CHECK(s >= 0, "the waiting connection is gone: %s", strerror(errno));
	CHECK(read(s, &ch, 1) == 1 && ch == 'x', "its byte");
	CHECK(read(s, &ch, 1) == 0, "its EOF");
	prog_done();
}
