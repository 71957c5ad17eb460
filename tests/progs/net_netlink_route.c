// SPDX-License-Identifier: MIT
/*
 * Netlink sockets: a route socket bound by the kernel's autobind (port id
 * the PID) with groups RTMGRP_LINK and RTMGRP_IPV4_IFADDR given to bind()
 * and RTNLGRP_BRVLAN (33, past getsockname's 32) joined, with
 * NETLINK_EXT_ACK, NETLINK_GET_STRICT_CHK, NETLINK_NO_ENOBUFS, SO_RCVBUF
 * and a classic BPF filter; a second route socket autobound (a negative
 * port id) with NETLINK_BROADCAST_ERROR and NETLINK_LISTEN_ALL_NSID; a route socket never bound; two NETLINK_USERSOCK sockets, one
 * bound to a port id of our choosing, the other connected to it.  After:
 * port ids, groups, peer, options and filter as they were; an RTM_GETLINK
 * dump on each route socket lists "lo"; a message from the connected
 * socket reaches the bound one from the connected one's port id.
 */
// sudcr-test: restore-fails pid-taken
#include <linux/filter.h>

#include "progs/nlsock.h"

int main(void)
{
	struct sockaddr_nl a = { .nl_family = AF_NETLINK };
	struct sock_filter accept[] = { BPF_STMT(BPF_RET | BPF_K, 0xffff) };
	struct sock_fprog prog = { .len = 1, .filter = accept };
	struct sock_filter got[4];
	socklen_t fl;
	uint32_t g[8], want_g[8], p1, p2, pu, pc, want_pu;
	int r1, r2, r3, u1, u2, rcv = 60000, rcvbuf, lo, n;
	char buf[256];
	struct sockaddr_nl from;
	socklen_t froml;

	r1 = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	SETUP(r1 >= 0, "socket");
	SETUP(!nls_seti(r1, NETLINK_EXT_ACK, 1) && !nls_seti(r1, NETLINK_GET_STRICT_CHK, 1) &&
	      !nls_seti(r1, NETLINK_NO_ENOBUFS, 1) &&
	      !setsockopt(r1, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv)) &&
	      !setsockopt(r1, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)), "options");
	a.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR;
	SETUP(!bind(r1, (struct sockaddr *)&a, sizeof(a)), "bind with groups");
	SETUP(!nls_join(r1, RTNLGRP_BRVLAN), "join RTNLGRP_BRVLAN");
	p1 = nls_portid(r1);
	SETUP(p1 == (uint32_t)getpid(), "the first autobind gives the PID (%u)", p1);
	SETUP(nls_groups(r1, want_g, 8) > 0, "NETLINK_LIST_MEMBERSHIPS");
	rcvbuf = net_geti(r1, SOL_SOCKET, SO_RCVBUF);

	r2 = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE);
	a.nl_groups = 0;
	SETUP(r2 >= 0 && !bind(r2, (struct sockaddr *)&a, sizeof(a)), "autobind");
	SETUP(!nls_seti(r2, NETLINK_BROADCAST_ERROR, 1) && !nls_seti(r2, NETLINK_LISTEN_ALL_NSID, 1),
	      "r2's options");
	p2 = nls_portid(r2);
	SETUP((int32_t)p2 < 0, "a second autobind gives a negative port id (%d)", (int32_t)p2);
	r3 = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	SETUP(r3 >= 0, "socket");

	u1 = socket(AF_NETLINK, SOCK_RAW, NETLINK_USERSOCK);
	SETUP(u1 >= 0, "usersock");
	want_pu = 0x40000000u + (uint32_t)getpid();
	a.nl_pid = want_pu;
	SETUP(!bind(u1, (struct sockaddr *)&a, sizeof(a)), "bind to port id 0x%x", want_pu);
	u2 = socket(AF_NETLINK, SOCK_RAW, NETLINK_USERSOCK);
	SETUP(u2 >= 0 && !connect(u2, (struct sockaddr *)&a, sizeof(a)), "connect");
	pc = nls_portid(u2);

	prog_ready();
	prog_wait();

	CHECK_EQ(nls_portid(r1), p1);
	CHECK_EQ(nls_portid(r2), p2);
	CHECK_EQ(nls_portid(r3), 0);
	CHECK(nls_groups(r1, g, 8) > 0 && !memcmp(g, want_g, sizeof(g)),
	      "r1's groups are 0x%x 0x%x, were 0x%x 0x%x", g[0], g[1], want_g[0], want_g[1]);
	CHECK_EQ(g[0], RTMGRP_LINK | RTMGRP_IPV4_IFADDR);
	CHECK_EQ(g[1], 1u << (RTNLGRP_BRVLAN - 33));
	CHECK(nls_groups(r2, g, 8) >= 0 && !g[0] && !g[1], "r2 has no groups");
	CHECK_EQ(nls_geti(r1, NETLINK_EXT_ACK), 1);
	CHECK_EQ(nls_geti(r1, NETLINK_GET_STRICT_CHK), 1);
	CHECK_EQ(nls_geti(r1, NETLINK_NO_ENOBUFS), 1);
	CHECK_EQ(nls_geti(r2, NETLINK_EXT_ACK), 0);
	CHECK_EQ(nls_geti(r2, NETLINK_BROADCAST_ERROR), 1);
	CHECK_EQ(nls_geti(r2, NETLINK_LISTEN_ALL_NSID), 1);
	CHECK_EQ(net_geti(r1, SOL_SOCKET, SO_RCVBUF), rcvbuf);
	fl = 4;
	CHECK(!getsockopt(r1, SOL_SOCKET, SO_GET_FILTER, got, &fl) && fl == 1 &&
	      !memcmp(got, accept, sizeof(accept)), "r1's filter (%u insns)", fl);
	CHECK_EQ(net_geti(r1, SOL_SOCKET, SO_TYPE), SOCK_RAW);
	CHECK_EQ(net_geti(r2, SOL_SOCKET, SO_TYPE), SOCK_DGRAM);
	CHECK_EQ(net_geti(r2, SOL_SOCKET, SO_PROTOCOL), NETLINK_ROUTE);

	n = nls_link_dump(r1, &lo);
	CHECK(n >= 1 && lo, "RTM_GETLINK on r1: %d links, lo %d", n, lo);
	n = nls_link_dump(r2, &lo);
	CHECK(n >= 1 && lo, "RTM_GETLINK on r2: %d links, lo %d", n, lo);
	n = nls_link_dump(r3, &lo);
	CHECK(n >= 1 && lo, "RTM_GETLINK on r3: %d links, lo %d", n, lo);
	CHECK((int32_t)nls_portid(r3) < 0, "r3, autobound by its first send, has port id %d (the PID is r1's)",
	      (int32_t)nls_portid(r3));

	pu = nls_portid(u1);
	CHECK_EQ(pu, want_pu);
	CHECK_EQ(nls_portid(u2), pc);
	froml = sizeof(from);
	CHECK(!getpeername(u2, (struct sockaddr *)&from, &froml) && from.nl_pid == want_pu,
	      "u2's peer is %u", from.nl_pid);
	CHECK(send(u2, "hello", 5, 0) == 5, "send on u2: %s", strerror(errno));
	froml = sizeof(from);
	memset(&from, 0, sizeof(from));
	CHECK(recvfrom(u1, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &froml) == 5 &&
	      !memcmp(buf, "hello", 5) && from.nl_pid == pc,
	      "u1 gets u2's message from its port id (%u, want %u)", from.nl_pid, pc);
	prog_done();
}
