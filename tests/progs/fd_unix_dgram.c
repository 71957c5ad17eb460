// SPDX-License-Identifier: MIT
/*
 * AF_UNIX SOCK_DGRAM and SOCK_SEQPACKET pairs (a, b), both non-blocking:
 * messages of 100, 0, 1 and 60000 bytes queued from a to b, then, with
 * SO_PASSCRED on b, 3000 and 0 bytes that carry the process's credentials;
 * 7 and 0 bytes from b to a.  The SEQPACKET a is shut down for writing, so
 * b reads EOF after its messages.  After restore each end receives the
 * same messages, in order, each with its length and credentials (pid 0:
 * none), then nothing (DGRAM) or EOF (SEQPACKET: no credentials, which
 * tells it from an empty message); new messages flow both ways where not
 * shut down.
 */
#include <sys/socket.h>

#include "progs/prog.h"

static const unsigned int a2b[] = { 100, 0, 1, 60000, 3000, 0 };
#define NR_PLAIN 4		/* a2b[NR_PLAIN..] carry credentials */
static unsigned char data[60000], buf[70000];

/* One message: its length or -errno; *pid: its credentials' pid, -1 if none came. */
static long rd(int fd, int *pid)
{
	char ctl[CMSG_SPACE(sizeof(struct ucred))];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	long n = recvmsg(fd, &mh, MSG_DONTWAIT);
	struct cmsghdr *c = n >= 0 ? CMSG_FIRSTHDR(&mh) : NULL;

	*pid = -1;
	if (c && c->cmsg_type == SCM_CREDENTIALS) {
		struct ucred uc;

		memcpy(&uc, CMSG_DATA(c), sizeof(uc));
		*pid = uc.pid;
	}
	if (n >= 0 && (mh.msg_flags & MSG_TRUNC))
		return -EMSGSIZE;
	return n < 0 ? -errno : n;
}

static void check_pair(int type, int a, int b)
{
	const char *t = type == SOCK_DGRAM ? "DGRAM" : "SEQPACKET";
	int pid;
	long n;

	CHECK((fcntl(a, F_GETFL) & O_NONBLOCK) && (fcntl(b, F_GETFL) & O_NONBLOCK), "%s: O_NONBLOCK lost", t);
	for (unsigned int k = 0; k < sizeof(a2b) / sizeof(a2b[0]); k++) {
		int want = k < NR_PLAIN ? 0 : getpid();

		n = rd(b, &pid);
		CHECK(n == (long)a2b[k] && prog_check_fill(buf, n > 0 ? n : 0, k) == -1 && pid == want,
		      "%s: message %u from a: %ld bytes, credentials of pid %d; expected %u bytes, pid %d",
		      t, k, n, pid, a2b[k], want);
	}
	n = rd(b, &pid);
	if (type == SOCK_DGRAM)
		CHECK(n == -EAGAIN, "%s: b: after the messages: %ld", t, n);
	else
		CHECK(n == 0 && pid == -1, "%s: b: after the messages: %ld (pid %d), not EOF", t, n, pid);
	/* a has no SO_PASSCRED: no credentials come. */
	n = rd(a, &pid);
	CHECK(n == 7 && !memcmp(buf, "seven..", 7), "%s: a: first message %ld bytes", t, n);
	n = rd(a, &pid);
	CHECK(n == 0, "%s: a: second message %ld bytes", t, n);
	n = rd(a, &pid);
	CHECK(n == -EAGAIN, "%s: a: after the messages: %ld", t, n);
	/* New messages. */
	CHECK(send(b, "hello", 5, 0) == 5 && rd(a, &pid) == 5 && !memcmp(buf, "hello", 5), "%s: b to a is cut", t);
	if (type == SOCK_DGRAM)
		CHECK(send(a, "hi", 2, 0) == 2 && rd(b, &pid) == 2 && pid == getpid(), "%s: a to b is cut", t);
	else
		CHECK(send(a, "hi", 2, MSG_NOSIGNAL) < 0 && errno == EPIPE, "%s: a is not shut down", t);
}

int main(void)
{
	int types[2] = { SOCK_DGRAM, SOCK_SEQPACKET }, sv[2][2], one = 1;

	for (int i = 0; i < 2; i++) {
		int a, b;

		SETUP(!socketpair(AF_UNIX, types[i] | SOCK_NONBLOCK, 0, sv[i]), "socketpair");
		a = sv[i][0];
		b = sv[i][1];
		SETUP(send(b, "seven..", 7, 0) == 7 && send(b, "", 0, 0) == 0, "b to a");
		for (unsigned int k = 0; k < sizeof(a2b) / sizeof(a2b[0]); k++) {
			if (k == NR_PLAIN)
				SETUP(!setsockopt(b, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)), "SO_PASSCRED");
			prog_fill(data, a2b[k], k);
			SETUP(send(a, data, a2b[k], 0) == (long)a2b[k], "a to b, message %u", k);
		}
		if (types[i] == SOCK_SEQPACKET)
			SETUP(!shutdown(a, SHUT_WR), "shutdown");
	}

	prog_ready();
	prog_wait();

	for (int i = 0; i < 2; i++)
		check_pair(types[i], sv[i][0], sv[i][1]);
	prog_done();
}
