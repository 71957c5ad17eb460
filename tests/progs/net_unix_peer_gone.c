// SPDX-License-Identifier: MIT
/*
 * AF_UNIX stream and seqpacket sockets whose peer has closed (the ends
 * left of socket pairs, as a JVM keeps them), with nothing left to read.
 * After: each reads EOF, a send fails with EPIPE, poll says POLLHUP.
 */
// sudcr-test: restore-fails pid-taken
#include <poll.h>

#include "progs/net.h"

static int survivor(int type)
{
	int sv[2];
	char buf[4];

	SETUP(!socketpair(AF_UNIX, type, 0, sv) && write(sv[1], "abc", 3) == 3 &&
	      read(sv[0], buf, sizeof(buf)) == 3, "socketpair");
	close(sv[1]);
	return sv[0];
}

static void check(int s, const char *what)
{
	struct pollfd p = { .fd = s, .events = POLLIN | POLLOUT | POLLRDHUP };
	char c;

	CHECK(poll(&p, 1, 0) == 1 && (p.revents & POLLHUP) && (p.revents & POLLRDHUP),
	      "%s: poll 0x%x", what, p.revents);
	CHECK(read(s, &c, 1) == 0, "%s: EOF", what);
	CHECK(send(s, "x", 1, MSG_NOSIGNAL) < 0 && errno == EPIPE, "%s: send: %s", what,
	      strerror(errno));
}

int main(void)
{
	int st = survivor(SOCK_STREAM), sq = survivor(SOCK_SEQPACKET);

	prog_ready();
	prog_wait();

	check(st, "stream");
	check(sq, "seqpacket");
	prog_done();
}
