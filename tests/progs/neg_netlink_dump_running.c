// SPDX-License-Identifier: MIT
/*
 * Failure path: a sock_diag socket whose dump request is still being
 * answered (a unix_diag dump of the 100 sockets of 50 pairs, more than
 * the first part of the answer holds: the kernel keeps the rest, tied to
 * the socket, and goes on when it is read).  The dump must refuse it in
 * one line; the answer is all there after: every one of the 100 sockets
 * is listed, then NLMSG_DONE.
 */
// sudcr-test: dump-fails a dump request (NLM_F_DUMP) is still being answered
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <sys/stat.h>

#include "progs/nlsock.h"

#define PAIRS	50

int main(void)
{
	struct {
		struct nlmsghdr h;
		struct unix_diag_req r;
	} req = { 0 };
	static char buf[65536];
	uint32_t ino[2 * PAIRS];
	int s, sv[2], found = 0, done = 0;

	for (int k = 0; k < PAIRS; k++) {
		struct stat st;

		SETUP(!socketpair(AF_UNIX, SOCK_STREAM, 0, sv), "socketpair");
		SETUP(!fstat(sv[0], &st), "fstat");
		ino[2 * k] = (uint32_t)st.st_ino;
		SETUP(!fstat(sv[1], &st), "fstat");
		ino[2 * k + 1] = (uint32_t)st.st_ino;
	}
	s = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_SOCK_DIAG);
	SETUP(s >= 0, "socket");
	req.h.nlmsg_len = sizeof(req);
	req.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.r.sdiag_family = AF_UNIX;
	req.r.udiag_states = ~0u;
	req.r.udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_VFS | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN;
	SETUP(send(s, &req, sizeof(req), 0) == (ssize_t)sizeof(req), "send");

	prog_ready();
	prog_wait();

	while (!done) {
		ssize_t n = recv(s, buf, sizeof(buf), MSG_DONTWAIT);
		struct nlmsghdr *h;

		if (!CHECK(n > 0, "the answer stops before NLMSG_DONE: %s", strerror(errno)))
			break;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			const struct unix_diag_msg *m = NLMSG_DATA(h);

			if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
				done = 1;
				break;
			}
			for (int k = 0; k < 2 * PAIRS; k++)
				if (m->udiag_ino == ino[k])
					found++;
		}
	}
	CHECK_EQ(found, 2 * PAIRS);
	prog_done();
}
