// SPDX-License-Identifier: MIT
/*
 * Failure path: a packet socket with a receive ring (PACKET_RX_RING,
 * TPACKET_V2, not mapped yet: a mapped one is refused first as a mapping
 * of a socket), which sudcr does not restore.  The dump must refuse it in
 * one line naming the ring, and leave the socket as it was: mapped after,
 * a frame sent on lo lands in the ring.
 */
// sudcr-test: dump-fails it has a ring (PACKET_RX_RING or PACKET_TX_RING)
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/mman.h>

#include "progs/net.h"

#define ETH_P_TEST	0x88b6

int main(void)
{
	struct tpacket_req req = { .tp_block_size = 4096, .tp_block_nr = 4, .tp_frame_size = 2048,
				   .tp_frame_nr = 8 };
	struct sockaddr_ll ll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_TEST) };
	unsigned char frame[60] = { 0 };
	struct pollfd pfd;
	int v = TPACKET_V2, s, lo = (int)if_nametoindex("lo"), found = 0;
	char *ring;

	s = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_TEST));
	if (s < 0 && errno == EPERM)
		prog_skip("packet sockets cannot be opened here: %s", strerror(errno));
	SETUP(s >= 0 && lo > 0, "socket");
	ll.sll_ifindex = lo;
	SETUP(!setsockopt(s, SOL_PACKET, PACKET_VERSION, &v, sizeof(v)) &&
	      !setsockopt(s, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)), "PACKET_RX_RING");
	SETUP(!bind(s, (struct sockaddr *)&ll, sizeof(ll)), "bind");

	prog_ready();
	prog_wait();

	ring = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, s, 0);
	CHECK(ring != MAP_FAILED, "mmap of the ring: %s", strerror(errno));
	if (ring == MAP_FAILED)
		prog_done();

	frame[12] = ETH_P_TEST >> 8;
	frame[13] = ETH_P_TEST & 0xff;
	ll.sll_halen = 6;
	CHECK(sendto(s, frame, sizeof(frame), 0, (struct sockaddr *)&ll, sizeof(ll)) ==
	      (ssize_t)sizeof(frame), "sendto: %s", strerror(errno));
	pfd = (struct pollfd){ .fd = s, .events = POLLIN };
	CHECK(poll(&pfd, 1, 2000) == 1, "poll");
	for (int k = 0; k < 8; k++)
		if (((struct tpacket2_hdr *)(ring + k * 2048))->tp_status & TP_STATUS_USER)
			found = 1;
	CHECK(found, "the frame in the ring");
	prog_done();
}
