// SPDX-License-Identifier: MIT
/*
 * Failure path: a socket pair with a message in flight that carries an fd
 * (SCM_RIGHTS: an eventfd the process closed), after a plain one.  The dump must fail with one line and
 * leave the process as it was: the queue, the fd in flight and the peek
 * state (SO_PEEK_OFF off, SO_PASSCRED off) are as before.
 */
// sudcr-test: dump-fails
#include <sys/eventfd.h>
#include <sys/socket.h>

#include "progs/prog.h"

int main(void)
{
	int sv[2], e, fd = -1, v;
	uint64_t cnt = 0;
	char ctl[CMSG_SPACE(sizeof(int))] = { 0 }, buf[8];
	struct iovec iov = { .iov_base = "fd", .iov_len = 2 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	socklen_t len = sizeof(v);

	e = eventfd(5, 0);
	SETUP(!socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) && e >= 0, "socketpair");
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &e, sizeof(int));
	SETUP(send(sv[0], "plain", 5, 0) == 5 && sendmsg(sv[0], &mh, 0) == 2, "send");
	close(e);

	prog_ready();
	prog_wait();

	CHECK(!getsockopt(sv[1], SOL_SOCKET, SO_PEEK_OFF, &v, &len) && v == -1, "SO_PEEK_OFF is %d", v);
	CHECK(!getsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &v, &len) && v == 0, "SO_PASSCRED is %d", v);
	CHECK(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT) == 5 && !memcmp(buf, "plain", 5), "first message");
	iov.iov_base = buf;
	iov.iov_len = sizeof(buf);
	mh.msg_controllen = sizeof(ctl);
	CHECK(recvmsg(sv[1], &mh, MSG_DONTWAIT) == 2 && (c = CMSG_FIRSTHDR(&mh)) && c->cmsg_type == SCM_RIGHTS,
	      "the message with the fd");
	if (c)
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	CHECK(read(fd, &cnt, 8) == 8 && cnt == 5, "the fd in flight: counter %llu", (unsigned long long)cnt);
	CHECK(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT) < 0 && errno == EAGAIN, "more messages");
	prog_done();
}
