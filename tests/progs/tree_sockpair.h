/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_TESTS_TREE_SOCKPAIR_H
#define SUDCR_TESTS_TREE_SOCKPAIR_H

/*
 * AF_UNIX socket pairs whose ends are in different processes of a tree
 * (tests/progs/tree_sockpair_*.c, one per socket type): pair a between
 * the parent and its child C, pair b made by the parent, which then
 * closed both ends, between its children C1 and C2, and pair c whose both
 * ends the parent keeps while C holds one of them too.  Before the dump,
 * messages wait in every end's receive queue: a message of 3000 bytes
 * among short ones, and for the message types an empty one.  After the
 * restore each end receives exactly what was queued, message by message
 * where the type keeps boundaries, then what its peer sends anew, and
 * each child's exit status says whether all it read was right.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include "progs/tree_util.h"

static unsigned char big[3000], rbuf[8192];

static int sp_send(int fd, const void *p, size_t len)
{
	return send(fd, p, len, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

/* The next message (SOCK_STREAM: the next @len bytes) is @want: 0, or -1 with why in stderr. */
static int sp_expect(int fd, int type, const void *want, size_t len, const char *who)
{
	size_t got = 0;
	ssize_t n;

	if (type != SOCK_STREAM) {
		n = recv(fd, rbuf, sizeof(rbuf), MSG_TRUNC);
		if (n != (ssize_t)len || memcmp(rbuf, want, len)) {
			prog_log("%s: a message of %zd bytes, expected %zu (%s)", who, n, len,
				 n < 0 ? strerror(errno) : "contents or length");
			return -1;
		}
		return 0;
	}
	while (got < len) {
		n = recv(fd, rbuf + got, len - got, 0);
		if (n <= 0) {
			prog_log("%s: %zu of %zu bytes, then %zd (%s)", who, got, len, n,
				 n < 0 ? strerror(errno) : "EOF");
			return -1;
		}
		got += (size_t)n;
	}
	if (memcmp(rbuf, want, len)) {
		prog_log("%s: the bytes differ", who);
		return -1;
	}
	return 0;
}

/* Nothing more is queued: what was there before came once. */
static int sp_empty(int fd, const char *who)
{
	ssize_t n = recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);

	if (n >= 0 || errno != EAGAIN) {
		prog_log("%s: more queued than was sent: %zd (%s)", who, n, n < 0 ? strerror(errno) : "");
		return -1;
	}
	return 0;
}

static int sp_main(int type)
{
	int a[2], b[2], c_[2], ready[2], go[3][2], st;
	pid_t c, c1, c2;
	char r[3];

	for (size_t k = 0; k < sizeof(big); k++)
		big[k] = (unsigned char)(k * 7 + 3);
	SETUP(!socketpair(AF_UNIX, type, 0, a) && !socketpair(AF_UNIX, type, 0, b) &&
	      !socketpair(AF_UNIX, type, 0, c_), "socketpair");
	SETUP(!pipe(ready) && !pipe(go[0]) && !pipe(go[1]) && !pipe(go[2]), "pipe");

	c = fork();
	SETUP(c >= 0, "fork");
	if (!c) {
		close(a[0]);
		close(b[0]);
		close(b[1]);
		close(c_[0]);
		if (sp_send(c_[1], "c-to-p", 6) || sp_send(a[1], "c-one", 5) || sp_send(a[1], big, sizeof(big)) ||
		    write(ready[1], "c", 1) != 1)
			_exit(10);
		if (tree_wait_byte(go[0][0]) != 'g')
			_exit(11);
		if (sp_expect(a[1], type, "p-first", 7, "C: from P") ||
		    (type != SOCK_STREAM && sp_expect(a[1], type, "", 0, "C: P's empty message")) ||
		    sp_expect(a[1], type, "p-second", 8, "C: from P") || sp_empty(a[1], "C") ||
		    sp_expect(c_[1], type, "p-to-c", 6, "C: from P on c") || sp_empty(c_[1], "C, c"))
			_exit(12);
		_exit(sp_send(a[1], "c-after", 7) ? 13 : 0);
	}
	c1 = fork();
	SETUP(c1 >= 0, "fork");
	if (!c1) {
		close(a[0]);
		close(a[1]);
		close(b[1]);
		close(c_[0]);
		close(c_[1]);
		if (sp_send(b[0], "one", 3) || sp_send(b[0], "two-two", 7) ||
		    (type != SOCK_STREAM && sp_send(b[0], "", 0)) || write(ready[1], "1", 1) != 1)
			_exit(20);
		if (tree_wait_byte(go[1][0]) != 'g')
			_exit(21);
		if (sp_expect(b[0], type, "back", 4, "C1: from C2") ||
		    sp_expect(b[0], type, big, sizeof(big), "C1: from C2") ||
		    sp_expect(b[0], type, "c2-after", 8, "C1: from C2 after"))
			_exit(22);
		_exit(0);
	}
	c2 = fork();
	SETUP(c2 >= 0, "fork");
	if (!c2) {
		close(a[0]);
		close(a[1]);
		close(b[0]);
		close(c_[0]);
		close(c_[1]);
		if (sp_send(b[1], "back", 4) || sp_send(b[1], big, sizeof(big)) ||
		    write(ready[1], "2", 1) != 1)
			_exit(30);
		if (tree_wait_byte(go[2][0]) != 'g')
			_exit(31);
		if (sp_expect(b[1], type, "one", 3, "C2: from C1") ||
		    sp_expect(b[1], type, "two-two", 7, "C2: from C1") ||
		    (type != SOCK_STREAM && sp_expect(b[1], type, "", 0, "C2: C1's empty message")) ||
		    sp_empty(b[1], "C2"))
			_exit(32);
		_exit(sp_send(b[1], "c2-after", 8) ? 33 : 0);
	}
	close(a[1]);
	close(b[0]);
	close(b[1]);
	SETUP(sp_send(c_[0], "p-to-c", 6) == 0, "send on c");
	SETUP(sp_send(a[0], "p-first", 7) == 0 && (type == SOCK_STREAM || sp_send(a[0], "", 0) == 0) &&
	      sp_send(a[0], "p-second", 8) == 0, "send to C");
	for (int k = 0; k < 3; k++)
		SETUP(read(ready[0], &r[k], 1) == 1, "the children's ready");

	prog_ready();
	prog_wait();

	CHECK(sp_expect(a[0], type, "c-one", 5, "P: from C") == 0, "P: C's first queued message");
	CHECK(sp_expect(a[0], type, big, sizeof(big), "P: from C") == 0, "P: C's 3000 queued bytes");
	CHECK(sp_empty(a[0], "P") == 0, "P: nothing more from C yet");
	CHECK(sp_expect(c_[0], type, "c-to-p", 6, "P: from C on c") == 0 && sp_empty(c_[0], "P, c") == 0,
	      "P: C's message on c");
	for (int k = 0; k < 3; k++)
		CHECK(write(go[k][1], "g", 1) == 1, "go %d", k);
	CHECK(sp_expect(a[0], type, "c-after", 7, "P: from C after") == 0, "P: C's new message");
	CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st) && !WEXITSTATUS(st), "C's exit: %#x", st);
	CHECK(waitpid(c1, &st, 0) == c1 && WIFEXITED(st) && !WEXITSTATUS(st), "C1's exit: %#x", st);
	CHECK(waitpid(c2, &st, 0) == c2 && WIFEXITED(st) && !WEXITSTATUS(st), "C2's exit: %#x", st);
	prog_done();
}

#endif
