// SPDX-License-Identifier: MIT
/*
 * Failure path: a route socket with a reply queued and not read (an
 * RTM_GETLINK of lo, not a dump).  The dump must refuse it in one line
 * naming the queued messages, and leave the queue as it was: the reply
 * is read afterwards.
 */
// sudcr-test: dump-fails messages are queued and not read
#include <net/if.h>

#include "progs/nlsock.h"

int main(void)
{
	struct {
		struct nlmsghdr h;
		struct ifinfomsg i;
	} req = { 0 };
	char buf[8192];
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	int s = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	ssize_t n;

	SETUP(s >= 0, "socket");
	req.h.nlmsg_len = sizeof(req);
	req.h.nlmsg_type = RTM_GETLINK;
	req.h.nlmsg_flags = NLM_F_REQUEST;
	req.h.nlmsg_seq = 99;
	req.i.ifi_index = (int)if_nametoindex("lo");
	SETUP(send(s, &req, sizeof(req), 0) == (ssize_t)sizeof(req), "send");

	prog_ready();
	prog_wait();

	n = recv(s, buf, sizeof(buf), MSG_DONTWAIT);
	CHECK(n >= (ssize_t)NLMSG_LENGTH(sizeof(struct ifinfomsg)) && h->nlmsg_seq == 99 &&
	      h->nlmsg_type == RTM_NEWLINK, "the queued reply: %zd bytes, type %d", n,
	      n > 0 ? h->nlmsg_type : -1);
	prog_done();
}
