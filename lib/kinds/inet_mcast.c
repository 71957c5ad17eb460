// SPDX-License-Identifier: MIT
/*
 * Multicast group memberships of an AF_INET or AF_INET6 socket
 * (IP_ADD_MEMBERSHIP, IPV6_JOIN_GROUP, MCAST_JOIN_GROUP ...), which no
 * socket gives back as a list: a restored socket without them would
 * silently stop receiving its groups' datagrams.  The dump refuses a
 * socket that has joined any group, with one line naming it.
 *
 * How they are found without changing anything: every group joined on
 * every device is in /proc/net/igmp (IPv4) or /proc/net/igmp6 (IPv6), one
 * line each with the device's index; getsockopt(MCAST_MSFILTER) of that
 * group and device on the socket succeeds exactly when the socket itself
 * has joined it (the kernel looks in the socket's own list: ip_mc_gsfget(),
 * ip6_mc_msfget()), and fails with EADDRNOTAVAIL otherwise.  Groups the
 * device joined by itself (224.0.0.1, ff02::1) are in /proc too, and are
 * no socket's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <sudcr/log.h>

#include "sockopt.h"

/* Whether socket @s has joined @group (struct sockaddr_in/_in6) on device @ifindex. */
static bool joined(int s, int level, unsigned int ifindex, const void *group, size_t glen)
{
	struct group_filter gf;
	socklen_t len = sizeof(gf);

	memset(&gf, 0, sizeof(gf));
	gf.gf_interface = ifindex;
	memcpy(&gf.gf_group, group, glen);
	return !getsockopt(s, level, MCAST_MSFILTER, &gf, &len);
}

static int refuse(int fd, const char *what, const char *group, unsigned int ifindex)
{
	sudcr_error("fd %d (%s): a member of multicast group %s on device %u, which a restored socket would not be: not supported",
		    fd, what, group, ifindex);
	return -EOPNOTSUPP;
}

static int check_v4(int fd, int s, const char *what)
{
	FILE *f = fopen("/proc/net/igmp", "re");
	char line[256], name[INET_ADDRSTRLEN];
	unsigned int ifindex = 0, addr;
	int ret = 0;

	if (!f)
		return errno == ENOENT ? 0 : -errno;	/* no IPv4 multicast in this kernel */
	while (!ret && fgets(line, sizeof(line), f)) {
		struct sockaddr_in g = { .sin_family = AF_INET };
		unsigned int idx;

		/* "IDX\tDEV : COUNT QUERIER" starts a device; "\t\t\t\tGROUP USERS ..." a group of it. */
		if (line[0] != '\t') {
			if (sscanf(line, "%u", &idx) == 1)
				ifindex = idx;
			continue;
		}
		if (sscanf(line, " %8x", &addr) != 1 || !ifindex)
			continue;
		g.sin_addr.s_addr = addr;	/* printed as the raw 32 bits */
		if (joined(s, IPPROTO_IP, ifindex, &g, sizeof(g)))
			ret = refuse(fd, what, inet_ntop(AF_INET, &g.sin_addr, name, sizeof(name)),
				     ifindex);
	}
	fclose(f);
	return ret;
}

static int check_v6(int fd, int s, const char *what)
{
	FILE *f = fopen("/proc/net/igmp6", "re");
	char line[256], hex[33], name[INET6_ADDRSTRLEN];
	unsigned int ifindex;
	int ret = 0;

	if (!f)
		return errno == ENOENT ? 0 : -errno;
	/* "IDX DEV GROUP(32 hex digits) USERS FLAGS TIMER", one line per group. */
	while (!ret && fgets(line, sizeof(line), f)) {
		struct sockaddr_in6 g = { .sin6_family = AF_INET6 };
		bool ok = true;

		if (sscanf(line, "%u %*s %32s", &ifindex, hex) != 2 || strlen(hex) != 32)
			continue;
		for (int i = 0; i < 16 && ok; i++) {
			unsigned int b;

			ok = sscanf(hex + 2 * i, "%2x", &b) == 1;
			g.sin6_addr.s6_addr[i] = (uint8_t)b;
		}
		if (ok && joined(s, IPPROTO_IPV6, ifindex, &g, sizeof(g)))
			ret = refuse(fd, what, inet_ntop(AF_INET6, &g.sin6_addr, name, sizeof(name)),
				     ifindex);
	}
	fclose(f);
	return ret;
}

int inet_check_multicast(int fd, int s, int family, const char *what)
{
	int ret = check_v4(fd, s, what);	/* a dual-stack IPv6 socket may join IPv4 groups too */

	if (!ret && family == AF_INET6)
		ret = check_v6(fd, s, what);
	if (ret && ret != -EOPNOTSUPP)
		sudcr_error("fd %d (%s): cannot read the multicast groups of this machine: %s", fd, what,
			    strerror(-ret));
	return ret;
}
