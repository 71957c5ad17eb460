// SPDX-License-Identifier: MIT
/*
 * Failure path: a socket pair one end of which is bound to a path in
 * $TESTTMP (bind(2) on a socketpair end), with a message queued to it.
 * The dump must fail with one line and leave the process as it was: the
 * name, the message and the pair are still there.
 */
// sudcr-test: dump-fails
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "progs/prog.h"

int main(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX }, got;
	socklen_t len = sizeof(got);
	struct stat st;
	int sv[2];
	char buf[8];

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", prog_path("sock"));
	unlink(addr.sun_path);
	SETUP(!socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), "socketpair");
	SETUP(!bind(sv[0], (struct sockaddr *)&addr, sizeof(addr)), "bind");
	SETUP(send(sv[1], "ping", 4, 0) == 4, "send");

	prog_ready();
	prog_wait();

	CHECK(!getsockname(sv[0], (struct sockaddr *)&got, &len) && !strcmp(got.sun_path, addr.sun_path),
	      "the name is gone");
	CHECK(!stat(addr.sun_path, &st) && S_ISSOCK(st.st_mode), "the socket file is gone");
	CHECK(recv(sv[0], buf, 8, MSG_DONTWAIT) == 4 && !memcmp(buf, "ping", 4), "the message is lost");
	CHECK(send(sv[0], "pong", 4, 0) == 4 && recv(sv[1], buf, 8, MSG_DONTWAIT) == 4, "the pair is cut");
	unlink(addr.sun_path);
	prog_done();
}
