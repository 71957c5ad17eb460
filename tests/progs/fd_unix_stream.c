// SPDX-License-Identifier: MIT
/*
 * AF_UNIX stream socket pairs.  Pair 1: 5000 bytes queued from a to b (in
 * three writes) and 300 bytes from b to a, a shut down for writing (b
 * reads EOF after its bytes, a sends EPIPE), b dup'ed, a non-blocking,
 * a's SO_SNDBUF and b's SO_RCVLOWAT/SO_RCVTIMEO changed.  Pair 2: empty,
 * with SO_PEEK_OFF in use and bytes sent with and without credentials
 * (SO_PASSCRED on the receiver for part of them).  After restore: the same
 * bytes come out of each end, then EOF where shut down; flags, options and
 * the dup are kept, and new data flows both ways.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "progs/prog.h"

#define A2B 5000
#define B2A 300

static int sockopt(int fd, int opt)
{
	int v = -12345;
	socklen_t len = sizeof(v);

	getsockopt(fd, SOL_SOCKET, opt, &v, &len);
	return v;
}

/* Read @len bytes (non-blocking), the pid of their credentials in *pid (0: none, -1: no cmsg). */
static long rd(int fd, void *buf, size_t len, int *pid)
{
	char ctl[CMSG_SPACE(sizeof(struct ucred))];
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	long n = recvmsg(fd, &mh, MSG_DONTWAIT);
	struct cmsghdr *c = n >= 0 ? CMSG_FIRSTHDR(&mh) : NULL;

	*pid = -1;
	if (c && c->cmsg_type == SCM_CREDENTIALS) {
		struct ucred uc;

		memcpy(&uc, CMSG_DATA(c), sizeof(uc));
		*pid = uc.pid;
	}
	return n < 0 ? -errno : n;
}

int main(void)
{
	static unsigned char a2b[A2B], b2a[B2A], buf[A2B + 64];
	int p1[2], p2[2], d, one = 1, pid, sndbuf, peek;
	struct timeval tv = { .tv_sec = 7, .tv_usec = 500000 }, tv2;
	socklen_t len = sizeof(tv2);
	struct stat s0, s1;
	long n;

	prog_fill(a2b, A2B, 11);
	prog_fill(b2a, B2A, 12);
	SETUP(!socketpair(AF_UNIX, SOCK_STREAM, 0, p1), "socketpair");
	SETUP(write(p1[0], a2b, 1) == 1 && write(p1[0], a2b + 1, 2999) == 2999 &&
	      write(p1[0], a2b + 3000, 2000) == 2000, "a to b");
	SETUP(write(p1[1], b2a, B2A) == B2A, "b to a");
	SETUP(!shutdown(p1[0], SHUT_WR), "shutdown");
	d = dup(p1[1]);
	SETUP(d >= 0, "dup");
	SETUP(!fcntl(p1[0], F_SETFL, O_NONBLOCK), "O_NONBLOCK");
	SETUP(!setsockopt(p1[0], SOL_SOCKET, SO_SNDBUF, (int[]){ 40000 }, sizeof(int)), "SO_SNDBUF");
	SETUP(!setsockopt(p1[1], SOL_SOCKET, SO_RCVLOWAT, (int[]){ 3 }, sizeof(int)), "SO_RCVLOWAT");
	SETUP(!setsockopt(p1[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), "SO_RCVTIMEO");
	sndbuf = sockopt(p1[0], SO_SNDBUF);

	SETUP(!socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p2), "socketpair 2");
	SETUP(write(p2[0], "plain", 5) == 5, "p2 plain");
	SETUP(!setsockopt(p2[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)), "SO_PASSCRED");
	SETUP(write(p2[0], "creds", 5) == 5, "p2 creds");
	SETUP(!setsockopt(p2[1], SOL_SOCKET, SO_PEEK_OFF, (int[]){ 0 }, sizeof(int)), "SO_PEEK_OFF");
	SETUP(recv(p2[1], buf, 2, MSG_PEEK) == 2, "peek");
	peek = sockopt(p2[1], SO_PEEK_OFF);

	prog_ready();
	prog_wait();

	CHECK(!fstat(p1[1], &s0) && !fstat(d, &s1) && s0.st_ino == s1.st_ino && S_ISSOCK(s0.st_mode),
	      "the dup is another socket");
	CHECK(fcntl(p1[0], F_GETFL) & O_NONBLOCK, "a lost O_NONBLOCK");
	CHECK(!(fcntl(p1[1], F_GETFL) & O_NONBLOCK), "b got O_NONBLOCK");
	CHECK(fcntl(p2[0], F_GETFD) == FD_CLOEXEC && fcntl(p1[0], F_GETFD) == 0, "FD_CLOEXEC");
	CHECK_EQ(sockopt(p1[0], SO_TYPE), SOCK_STREAM);
	CHECK_EQ(sockopt(p1[0], SO_SNDBUF), sndbuf);
	CHECK_EQ(sockopt(p1[1], SO_RCVLOWAT), 3);
	CHECK(!getsockopt(p1[1], SOL_SOCKET, SO_RCVTIMEO, &tv2, &len) && tv2.tv_sec == 7 &&
	      tv2.tv_usec == 500000, "SO_RCVTIMEO is %ld.%06ld", (long)tv2.tv_sec, (long)tv2.tv_usec);
	CHECK_EQ(sockopt(p2[1], SO_PASSCRED), 1);
	CHECK_EQ(sockopt(p2[1], SO_PEEK_OFF), peek);
	CHECK_EQ(sockopt(p1[0], SO_PEEK_OFF), -1);

	/* b: a's 5000 bytes, then EOF. */
	for (n = 0; n < A2B + 64;) {
		long r = rd(d, buf + n, A2B + 64 - n, &pid);

		if (r <= 0)
			break;
		n += r;
	}
	CHECK(n == A2B && !memcmp(buf, a2b, A2B), "b held %ld bytes, expected the %d written", n, A2B);
	CHECK_EQ(rd(p1[1], buf, 10, &pid), 0);
	/* a: b's 300 bytes, then nothing yet. */
	n = rd(p1[0], buf, sizeof(buf), &pid);
	CHECK(n == B2A && !memcmp(buf, b2a, B2A), "a held %ld bytes, expected %d", n, B2A);
	CHECK_EQ(rd(p1[0], buf, 10, &pid), -EAGAIN);
	CHECK_EQ(send(p1[0], "x", 1, MSG_NOSIGNAL), -1);
	CHECK(write(p1[1], "more", 4) == 4 && rd(p1[0], buf, 10, &pid) == 4 && !memcmp(buf, "more", 4),
	      "b to a is cut");

	/* p2: "plain" without credentials, "creds" with ours; the peek offset. */
	CHECK_EQ(peek, 2);
	CHECK_EQ(recv(p2[1], buf, 3, MSG_PEEK | MSG_DONTWAIT), 3);	/* from the peek offset */
	CHECK(!memcmp(buf, "ain", 3), "peek offset: peeked %.3s", buf);
	CHECK_EQ(sockopt(p2[1], SO_PEEK_OFF), peek + 3);
	CHECK_EQ(setsockopt(p2[1], SOL_SOCKET, SO_PEEK_OFF, (int[]){ -1 }, sizeof(int)), 0);
	n = rd(p2[1], buf, sizeof(buf), &pid);
	CHECK(n == 5 && !memcmp(buf, "plain", 5) && pid == 0, "p2: read %ld bytes, credentials of pid %d", n, pid);
	n = rd(p2[1], buf, sizeof(buf), &pid);
	CHECK(n == 5 && !memcmp(buf, "creds", 5) && pid == getpid(),
	      "p2: read %ld bytes, credentials of pid %d", n, pid);
	CHECK(write(p2[0], "ab", 2) == 2 && rd(p2[1], buf, 10, &pid) == 2 && write(p2[1], "cd", 2) == 2 &&
	      rd(p2[0], buf, 10, &pid) == 2 && !memcmp(buf, "cd", 2), "p2 is cut");
	prog_done();
}
