/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_TESTS_NLSOCK_H
#define SUDCR_TESTS_NLSOCK_H

/* Helpers of the netlink socket programs (tests/progs/net_netlink_*.c). */

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "progs/net.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

/* getsockname's nl_pid, or 0xdeadbeef if it fails. */
static inline uint32_t nls_portid(int s)
{
	struct sockaddr_nl a;
	socklen_t l = sizeof(a);

	memset(&a, 0, sizeof(a));
	if (getsockname(s, (struct sockaddr *)&a, &l))
		return 0xdeadbeef;
	return a.nl_pid;
}

/* NETLINK_LIST_MEMBERSHIPS into g[n] (zeroed first); the bytes given, or -1. */
static inline int nls_groups(int s, uint32_t *g, int n)
{
	socklen_t l = (socklen_t)(n * sizeof(*g));

	memset(g, 0, l);
	if (getsockopt(s, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, g, &l))
		return -1;
	return (int)l;
}

static inline int nls_join(int s, int group)
{
	return setsockopt(s, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group));
}

static inline int nls_seti(int s, int name, int v)
{
	return setsockopt(s, SOL_NETLINK, name, &v, sizeof(v));
}

static inline int nls_geti(int s, int name)
{
	int v = -12345;
	socklen_t l = sizeof(v);

	if (getsockopt(s, SOL_NETLINK, name, &v, &l))
		return -12345;
	return v;
}

/*
 * An RTM_GETLINK dump on route socket @s, answered to its port id: the
 * number of links listed, with "lo" among them (*lo set), or -1.
 */
static inline int nls_link_dump(int s, int *lo)
{
	struct {
		struct nlmsghdr h;
		struct ifinfomsg i;
	} req = { 0 };
	static char buf[65536];
	int links = 0;

	*lo = 0;
	req.h.nlmsg_len = sizeof(req);
	req.h.nlmsg_type = RTM_GETLINK;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.h.nlmsg_seq = 4242;
	req.i.ifi_family = AF_UNSPEC;
	if (send(s, &req, sizeof(req), 0) != (ssize_t)sizeof(req))
		return -1;
	for (;;) {
		ssize_t n = recv(s, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (n <= 0)
			return -1;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			struct ifinfomsg *ifi = NLMSG_DATA(h);
			struct rtattr *a;
			int alen;

			if (h->nlmsg_seq != 4242)
				continue;	/* a notification of a group */
			if (h->nlmsg_type == NLMSG_DONE)
				return links;
			if (h->nlmsg_type == NLMSG_ERROR)
				return -1;
			if (h->nlmsg_type != RTM_NEWLINK)
				continue;
			links++;
			alen = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi)));
			for (a = IFLA_RTA(ifi); RTA_OK(a, alen); a = RTA_NEXT(a, alen))
				if (a->rta_type == IFLA_IFNAME && !strcmp(RTA_DATA(a), "lo"))
					*lo = 1;
		}
	}
}

#endif
