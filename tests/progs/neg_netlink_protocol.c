// SPDX-License-Identifier: MIT
/*
 * Failure path: a NETLINK_NETFILTER socket, whose kernel side keeps state
 * for its port id (nfqueue and nflog bindings) that sudcr cannot read.
 * The dump must refuse it in one line; the socket still works after: it
 * answers an NFNL_MSG_BATCH_BEGIN-less request with an error, not EOF.
 */
// sudcr-test: dump-fails the kernel side of this netlink protocol keeps state
#include "progs/nlsock.h"

int main(void)
{
	struct sockaddr_nl a = { .nl_family = AF_NETLINK };
	uint32_t p;
	int s = socket(AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER);

	if (s < 0)
		prog_skip("no NETLINK_NETFILTER socket here: %s", strerror(errno));
	SETUP(!bind(s, (struct sockaddr *)&a, sizeof(a)), "bind");
	p = nls_portid(s);

	prog_ready();
	prog_wait();

	CHECK_EQ(nls_portid(s), p);
	CHECK_EQ(net_geti(s, SOL_SOCKET, SO_PROTOCOL), NETLINK_NETFILTER);
	prog_done();
}
