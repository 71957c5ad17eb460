// SPDX-License-Identifier: MIT
/*
 * An established TCP connection with both ends in the process: one end
 * connected to its own listening socket on 127.0.0.1, the other accepted
 * from it, with bytes queued both ways and not read: 200,000 from the
 * connecting end (most of them not sent yet: the accepted end's receive
 * buffer is small; the rest in its receive queue), 7 back.  Each end's
 * options come back (TCP_NODELAY, SO_KEEPALIVE and its times, SO_SNDBUF);
 * both ends keep their addresses; every queued byte arrives, in order,
 * and the connection carries more both ways; the listening socket still
 * accepts on the port the accepted end shares.
 */
#include <fcntl.h>
#include <linux/sockios.h>
#include <poll.h>
#include <stdbool.h>
#include <sys/ioctl.h>

// sudcr-test: tcp-established
#include "progs/net.h"

#define BIG	200000

static const struct net_iopt opts[] = {
	NET_IOPT(IPPROTO_TCP, TCP_NODELAY, 1),
	NET_IOPT(SOL_SOCKET, SO_KEEPALIVE, 1),
	NET_IOPT(IPPROTO_TCP, TCP_KEEPIDLE, 77),
	NET_IOPT(IPPROTO_TCP, TCP_KEEPINTVL, 11),
	NET_IOPT(SOL_SOCKET, SO_SNDBUF, 400000),
};
#define NR	(int)(sizeof(opts) / sizeof(opts[0]))

static struct sockaddr_in name_of(int s, bool peer)
{
	struct sockaddr_in a = { 0 };
	socklen_t len = sizeof(a);

	if (peer)
		getpeername(s, (struct sockaddr *)&a, &len);
	else
		getsockname(s, (struct sockaddr *)&a, &len);
	return a;
}

/* All @len bytes from @s into @buf (blocking, with a poll timeout of 10 s); 0 if they came. */
static int read_all(int s, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		struct pollfd p = { .fd = s, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 10000) != 1)
			return -1;
		n = read(s, buf + got, len - got);
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

int main(void)
{
	struct sockaddr_in a = net_lo4(0), ca, sa;
	static char big[BIG], back[BIG];
	int l, c, s, small = 4096, flags, want_c[NR], want_s[NR];
	uint16_t port;
	ssize_t n;

	for (int i = 0; i < BIG; i++)
		big[i] = (char)(i * 7 + i / 251);
	l = socket(AF_INET, SOCK_STREAM, 0);
	SETUP(l >= 0 && !bind(l, (struct sockaddr *)&a, sizeof(a)) && !listen(l, 4), "listen");
	port = net_port(l);
	a = net_lo4(port);
	c = socket(AF_INET, SOCK_STREAM, 0);
	SETUP(c >= 0, "socket");
	net_set_iopts(c, opts, NR);
	SETUP(!connect(c, (struct sockaddr *)&a, sizeof(a)), "connect: %s", strerror(errno));
	s = accept(l, NULL, NULL);
	SETUP(s >= 0, "accept: %s", strerror(errno));
	SETUP(!setsockopt(s, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)), "SO_RCVBUF");
	net_set_iopts(s, opts, NR - 1);
	net_read_iopts(c, opts, NR, want_c);
	net_read_iopts(s, opts, NR - 1, want_s);
	ca = name_of(c, false);
	sa = name_of(s, false);
	/* Queued both ways: what the small receive buffer leaves waits in c's send queue. */
	flags = fcntl(c, F_GETFL);
	SETUP(!fcntl(c, F_SETFL, flags | O_NONBLOCK), "O_NONBLOCK");
	n = write(c, big, BIG);
	SETUP(n == BIG, "write of %d bytes queued %zd", BIG, n);
	SETUP(!fcntl(c, F_SETFL, flags), "blocking again");
	SETUP(write(s, "7 bytes", 7) == 7, "write back");
	usleep(100000);
	{
		int inq = 0, outq = 0;

		ioctl(s, SIOCINQ, &inq);
		ioctl(c, SIOCOUTQ, &outq);
		SETUP(inq > 0 && outq > 0, "queued: %d to read, %d to send", inq, outq);
		prog_log("queued: %d bytes to read at the accepted end, %d to send at the other", inq, outq);
	}

	prog_ready();
	prog_wait();

	net_check_iopts(c, opts, NR, want_c);
	net_check_iopts(s, opts, NR - 1, want_s);
	{
		struct sockaddr_in ca2 = name_of(c, false), sa2 = name_of(s, false);
		struct sockaddr_in cp = name_of(c, true), sp = name_of(s, true);

		CHECK(!memcmp(&ca, &ca2, sizeof(ca)) && !memcmp(&sa, &sa2, sizeof(sa)) &&
		      cp.sin_port == sa.sin_port && sp.sin_port == ca.sin_port, "the ends' addresses");
	}
	CHECK_EQ(net_port(s), port);
	CHECK(!read_all(s, back, BIG) && !memcmp(back, big, BIG), "the %d queued bytes", BIG);
	CHECK(!read_all(c, back, 7) && !memcmp(back, "7 bytes", 7), "the 7 bytes queued back");
	CHECK(write(s, "more", 4) == 4 && !read_all(c, back, 4) && !memcmp(back, "more", 4),
	      "more, accepted end to the other");
	CHECK(write(c, "again", 5) == 5 && !read_all(s, back, 5) && !memcmp(back, "again", 5),
	      "more, the other way");
	{
		int c2 = socket(AF_INET, SOCK_STREAM, 0), s2;

		CHECK(c2 >= 0 && !connect(c2, (struct sockaddr *)&a, sizeof(a)), "connect again: %s",
		      strerror(errno));
		s2 = accept(l, NULL, NULL);
		CHECK(s2 >= 0, "accept again: %s", strerror(errno));
		close(c2);
		close(s2);
	}
	prog_done();
}
