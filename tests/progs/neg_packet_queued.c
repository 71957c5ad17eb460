// SPDX-License-Identifier: MIT
/*
 * Failure path: a packet socket bound to lo with a frame queued and not
 * read (sent to itself).  The dump must refuse it in one line naming the
 * queued frames, and leave the queue as it was: the frame is read after.
 */
// sudcr-test: dump-fails frames are queued and not read
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>

#include "progs/net.h"

#define ETH_P_TEST	0x88b7

int main(void)
{
	struct sockaddr_ll ll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_TEST) };
	unsigned char frame[60] = { 0 }, buf[128];
	struct pollfd pfd;
	int s, lo = (int)if_nametoindex("lo"), one = 1;

	s = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_TEST));
	if (s < 0 && errno == EPERM)
		prog_skip("packet sockets cannot be opened here: %s", strerror(errno));
	SETUP(s >= 0 && lo > 0, "socket");
	ll.sll_ifindex = lo;
	SETUP(!setsockopt(s, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) &&
	      !bind(s, (struct sockaddr *)&ll, sizeof(ll)), "bind");
	frame[12] = ETH_P_TEST >> 8;
	frame[13] = ETH_P_TEST & 0xff;
	memcpy(frame + 14, "queued", 6);
	ll.sll_halen = 6;
	SETUP(sendto(s, frame, sizeof(frame), 0, (struct sockaddr *)&ll, sizeof(ll)) ==
	      (ssize_t)sizeof(frame), "sendto");
	pfd = (struct pollfd){ .fd = s, .events = POLLIN };
	SETUP(poll(&pfd, 1, 2000) == 1, "the frame is queued");

	prog_ready();
	prog_wait();

	CHECK(recv(s, buf, sizeof(buf), MSG_DONTWAIT) >= 20 && !memcmp(buf + 14, "queued", 6),
	      "the queued frame");
	prog_done();
}
