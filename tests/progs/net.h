/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_TESTS_NET_H
#define SUDCR_TESTS_NET_H

/* Helpers of the socket programs (tests/progs/net_*.c). */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "progs/prog.h"

/* An int option: set it at setup, check it reads back after. */
struct net_iopt {
	int level, name;
	const char *label;
	int val;
};

#define NET_IOPT(l, n, v)	{ l, n, #n, v }

static inline int net_geti(int s, int level, int name)
{
	int v = -12345;
	socklen_t len = sizeof(v);

	if (getsockopt(s, level, name, &v, &len))
		return -12345;
	return v;
}

static inline void net_set_iopts(int s, const struct net_iopt *o, int n)
{
	for (int k = 0; k < n; k++)
		SETUP(!setsockopt(s, o[k].level, o[k].name, &o[k].val, sizeof(int)), "setsockopt %s",
		      o[k].label);
}

/* Each reads back as it read just after the setup (@want). */
static inline void net_check_iopts(int s, const struct net_iopt *o, int n, const int *want)
{
	for (int k = 0; k < n; k++) {
		int v = net_geti(s, o[k].level, o[k].name);

		CHECK(v == want[k], "%s is %d, was %d", o[k].label, v, want[k]);
	}
}

static inline void net_read_iopts(int s, const struct net_iopt *o, int n, int *got)
{
	for (int k = 0; k < n; k++)
		got[k] = net_geti(s, o[k].level, o[k].name);
}

static inline struct sockaddr_in net_lo4(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	return a;
}

static inline uint16_t net_port(int s)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(s, (struct sockaddr *)&ss, &len))
		return 0;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

#endif
