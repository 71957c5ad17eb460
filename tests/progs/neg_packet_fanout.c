// SPDX-License-Identifier: MIT
/*
 * Failure path: a packet socket in a fanout group (PACKET_FANOUT), which
 * sudcr does not restore (the group may be shared with other sockets and
 * processes).  The dump must refuse it in one line naming the group; the
 * socket is still in its group after (PACKET_FANOUT reads back).
 */
// sudcr-test: dump-fails it is in a fanout group (PACKET_FANOUT)
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/if.h>

#include "progs/net.h"

#define ETH_P_TEST	0x88b8

int main(void)
{
	struct sockaddr_ll ll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_TEST) };
	int s, lo = (int)if_nametoindex("lo"), id = (getpid() & 0xffff), fan;

	s = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_TEST));
	if (s < 0 && errno == EPERM)
		prog_skip("packet sockets cannot be opened here: %s", strerror(errno));
	SETUP(s >= 0 && lo > 0, "socket");
	ll.sll_ifindex = lo;
	fan = id | (PACKET_FANOUT_HASH << 16);
	SETUP(!bind(s, (struct sockaddr *)&ll, sizeof(ll)) &&
	      !setsockopt(s, SOL_PACKET, PACKET_FANOUT, &fan, sizeof(fan)), "PACKET_FANOUT");

	prog_ready();
	prog_wait();

	CHECK_EQ(net_geti(s, SOL_PACKET, PACKET_FANOUT) & 0xffff, id);
	prog_done();
}
