// SPDX-License-Identifier: MIT
/*
 * UDP receive queues: an AF_INET socket on 127.0.0.1 holding datagrams
 * from a socket of the process (still open), from one closed since, an
 * empty one and one of 60000 bytes; an AF_INET6 socket on [::] (dual
 * stack) holding one from [::1] and one over IPv4 (its sender v4-mapped).
 * After: each is read in order with its bytes and its sender; the dump
 * left SO_PEEK_OFF as it was (off).
 */
// sudcr-test: restore-fails pid-taken
#include <stdbool.h>

#include "progs/net.h"

static char big[60000];

static void expect4(int r, const void *want, size_t len, uint16_t port, const char *what)
{
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	ssize_t n = recvfrom(r, big + 0, 0, MSG_DONTWAIT | MSG_PEEK | MSG_TRUNC, NULL, NULL);
	static char buf[65536];

	CHECK((size_t)n == len, "%s: %zd bytes queued first, expected %zu", what, n, len);
	n = recvfrom(r, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
	CHECK((size_t)n == len && !memcmp(buf, want, len) && ntohs(from.sin_port) == port &&
	      from.sin_addr.s_addr == htonl(INADDR_LOOPBACK), "%s: read %zd bytes from port %u",
	      what, n, ntohs(from.sin_port));
}

int main(void)
{
	struct sockaddr_in a = net_lo4(0);
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT }, from6;
	int r, s1, s2, r6, s6, off = 0, zero = 0;
	uint16_t p1, p2, pr, pr6, ps6 = 0, ps4;
	socklen_t fl;
	char buf[64];
	ssize_t n;
	bool have6;

	for (size_t k = 0; k < sizeof(big); k++)
		big[k] = (char)(k * 7);
	r = socket(AF_INET, SOCK_DGRAM, 0);
	SETUP(r >= 0 && !bind(r, (struct sockaddr *)&a, sizeof(a)), "bind");
	pr = net_port(r);
	s1 = socket(AF_INET, SOCK_DGRAM, 0);
	s2 = socket(AF_INET, SOCK_DGRAM, 0);
	SETUP(s1 >= 0 && !bind(s1, (struct sockaddr *)&a, sizeof(a)) && s2 >= 0 &&
	      !bind(s2, (struct sockaddr *)&a, sizeof(a)), "bind the senders");
	p1 = net_port(s1);
	p2 = net_port(s2);
	a = net_lo4(pr);
	SETUP(sendto(s1, "first", 5, 0, (struct sockaddr *)&a, sizeof(a)) == 5 &&
	      sendto(s2, "second", 6, 0, (struct sockaddr *)&a, sizeof(a)) == 6 &&
	      sendto(s1, "", 0, 0, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	      sendto(s1, big, sizeof(big), 0, (struct sockaddr *)&a, sizeof(a)) == sizeof(big),
	      "send");
	close(s2);

	r6 = socket(AF_INET6, SOCK_DGRAM, 0);
	SETUP(r6 >= 0 && !setsockopt(r6, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) &&
	      !bind(r6, (struct sockaddr *)&a6, sizeof(a6)), "bind [::]");
	pr6 = net_port(r6);
	s6 = socket(AF_INET6, SOCK_DGRAM, 0);
	a6.sin6_addr = in6addr_loopback;
	a6.sin6_port = htons(pr6);
	have6 = s6 >= 0 && sendto(s6, "six", 3, 0, (struct sockaddr *)&a6, sizeof(a6)) == 3;
	if (have6)
		ps6 = net_port(s6);
	else
		prog_log("no [::1] here: no IPv6 datagram");
	a = net_lo4(pr6);
	SETUP(sendto(s1, "four", 4, 0, (struct sockaddr *)&a, sizeof(a)) == 4, "send to [::] over IPv4");
	ps4 = p1;

	prog_ready();
	prog_wait();

	CHECK_EQ(net_geti(r, SOL_SOCKET, SO_PEEK_OFF), -1);
	expect4(r, "first", 5, p1, "first");
	expect4(r, "second", 6, p2, "second (its sender closed)");
	expect4(r, "", 0, p1, "empty");
	expect4(r, big, sizeof(big), p1, "big");
	CHECK(recv(r, buf, sizeof(buf), MSG_DONTWAIT) < 0 && errno == EAGAIN, "more was queued");
	if (have6) {
		fl = sizeof(from6);
		n = recvfrom(r6, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from6, &fl);
		CHECK(n == 3 && !memcmp(buf, "six", 3) && ntohs(from6.sin6_port) == ps6 &&
		      IN6_IS_ADDR_LOOPBACK(&from6.sin6_addr), "the IPv6 datagram");
	}
	fl = sizeof(from6);
	n = recvfrom(r6, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from6, &fl);
	CHECK(n == 4 && !memcmp(buf, "four", 4) && ntohs(from6.sin6_port) == ps4 &&
	      IN6_IS_ADDR_V4MAPPED(&from6.sin6_addr), "the IPv4 datagram on [::]: %zd", n);
	(void)off;
	prog_done();
}
