// SPDX-License-Identifier: MIT
/*
 * A UDP socket that joined a multicast group (239.1.2.3 on lo): no socket
 * gives its groups back as a list, and a restored socket without them
 * would silently stop receiving the group's datagrams, so the dump refuses
 * with one line naming the group, and leaves the process as it was: after
 * the failed dump the socket is still a member and receives a datagram
 * sent to the group.
 */
// sudcr-test: dump-fails a member of multicast group 239.1.2.3 on device
#include <net/if.h>
#include <stdbool.h>

#include "progs/net.h"

static bool member(int s, const struct ip_mreqn *m)
{
	struct group_filter gf;
	struct sockaddr_in *g = (struct sockaddr_in *)&gf.gf_group;
	socklen_t len = sizeof(gf);

	memset(&gf, 0, sizeof(gf));
	gf.gf_interface = (uint32_t)m->imr_ifindex;
	g->sin_family = AF_INET;
	g->sin_addr = m->imr_multiaddr;
	return !getsockopt(s, IPPROTO_IP, MCAST_MSFILTER, &gf, &len);
}

int main(void)
{
	struct sockaddr_in a = net_lo4(0), grp = { .sin_family = AF_INET };
	struct ip_mreqn m = { .imr_ifindex = (int)if_nametoindex("lo") };
	struct in_addr lo = { .s_addr = htonl(INADDR_LOOPBACK) };
	int s, snd;
	char buf[8];

	SETUP(inet_pton(AF_INET, "239.1.2.3", &m.imr_multiaddr) == 1 && m.imr_ifindex > 0, "lo");
	s = socket(AF_INET, SOCK_DGRAM, 0);
	a.sin_addr.s_addr = htonl(INADDR_ANY);
	SETUP(s >= 0 && !bind(s, (struct sockaddr *)&a, sizeof(a)), "bind");
	if (setsockopt(s, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof(m)))
		prog_skip("IP_ADD_MEMBERSHIP on lo: %s", strerror(errno));
	SETUP(member(s, &m), "the membership is not seen");

	prog_ready();
	prog_wait();

	CHECK(member(s, &m), "the socket left the group");
	snd = socket(AF_INET, SOCK_DGRAM, 0);
	grp.sin_addr = m.imr_multiaddr;
	grp.sin_port = htons(net_port(s));
	CHECK(snd >= 0 && !setsockopt(snd, IPPROTO_IP, IP_MULTICAST_IF, &lo, sizeof(lo)) &&
	      sendto(snd, "mc", 2, 0, (struct sockaddr *)&grp, sizeof(grp)) == 2, "sendto the group");
	CHECK(recv(s, buf, sizeof(buf), 0) == 2 && !memcmp(buf, "mc", 2), "the group's datagram");
	prog_done();
}
