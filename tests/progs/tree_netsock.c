// SPDX-License-Identifier: MIT
/*
 * Netlink and packet sockets in a tree: the parent's route socket (bound,
 * its port id the parent's PID, in RTMGRP_LINK) and packet socket (lo,
 * ethertype 0x88b9) are inherited by its child, which has a route socket
 * of its own (autobound after the fork: its port id is the child's PID).
 * After the restore each process sees the same sockets: the inherited
 * ones with the parent's port id and lo, the child's own with its PID;
 * the child's socket and the parent's each answer an RTM_GETLINK dump.
 */
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/wait.h>

#include "progs/nlsock.h"
#include "progs/tree_util.h"

#define ETH_P_TEST	0x88b9

static int packet_ok(int pk, int lo)
{
	struct sockaddr_ll ll;
	socklen_t l = sizeof(ll);

	memset(&ll, 0, sizeof(ll));
	return !getsockname(pk, (struct sockaddr *)&ll, &l) && ll.sll_ifindex == lo &&
	       ll.sll_protocol == htons(ETH_P_TEST);
}

int main(void)
{
	struct sockaddr_nl a = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	struct sockaddr_ll ll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_TEST) };
	int go[2], ready[2], r, pk, lo = (int)if_nametoindex("lo"), st, links, has_lo;
	pid_t me = getpid(), child;
	uint32_t g[2];
	char c;

	SETUP(lo > 0 && !pipe(go) && !pipe(ready), "pipe");
	r = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	SETUP(r >= 0 && !bind(r, (struct sockaddr *)&a, sizeof(a)), "route socket");
	SETUP(nls_portid(r) == (uint32_t)me, "its port id is the PID");
	pk = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_TEST));
	if (pk < 0 && errno == EPERM)
		prog_skip("packet sockets cannot be opened here: %s", strerror(errno));
	ll.sll_ifindex = lo;
	SETUP(pk >= 0 && !bind(pk, (struct sockaddr *)&ll, sizeof(ll)), "packet socket");
	child = fork();
	SETUP(child >= 0, "fork");
	if (!child) {
		int own = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
		struct sockaddr_nl b = { .nl_family = AF_NETLINK };

		close(go[1]);
		close(ready[0]);
		if (own < 0 || bind(own, (struct sockaddr *)&b, sizeof(b)) ||
		    nls_portid(own) != (uint32_t)getpid())
			_exit(10);
		if (write(ready[1], "r", 1) != 1)
			_exit(11);
		if (tree_wait_byte(go[0]) != 'g')
			_exit(12);
		if (nls_portid(r) != (uint32_t)me || !packet_ok(pk, lo))
			_exit(13);
		if (nls_portid(own) != (uint32_t)getpid())
			_exit(14);
		links = nls_link_dump(own, &has_lo);
		if (links < 1 || !has_lo)
			_exit(15);
		_exit(7);
	}
	close(go[0]);
	close(ready[1]);
	SETUP(read(ready[0], &c, 1) == 1, "the child is ready");

	prog_ready();
	prog_wait();

	CHECK_EQ(nls_portid(r), me);
	CHECK(nls_groups(r, g, 2) > 0 && g[0] == RTMGRP_LINK, "the route socket's groups 0x%x", g[0]);
	CHECK(packet_ok(pk, lo), "the packet socket's device and protocol");
	CHECK(write(go[1], "g", 1) == 1, "go");
	CHECK(waitpid(child, &st, 0) == child && WIFEXITED(st) && WEXITSTATUS(st) == 7,
	      "the child's exit: %#x", st);
	links = nls_link_dump(r, &has_lo);
	CHECK(links >= 1 && has_lo, "RTM_GETLINK on the route socket: %d links, lo %d", links, has_lo);
	prog_done();
}
