// SPDX-License-Identifier: MIT
/*
 * Packet sockets: a SOCK_RAW one bound to lo for ethertype 0x88b5 (local
 * experimental: nothing else sends it), with PACKET_AUXDATA,
 * PACKET_ORIGDEV, PACKET_VERSION (TPACKET_V2), PACKET_RESERVE,
 * PACKET_QDISC_BYPASS, PACKET_TIMESTAMP, PACKET_IGNORE_OUTGOING,
 * PACKET_COPY_THRESH, a classic BPF filter that takes only 0x88b5 frames,
 * a multicast membership added twice and an allmulti one on lo; a
 * SOCK_DGRAM one bound to lo and not hooked to a protocol, with SO_RCVBUF.
 * After: device, protocol, options and filter as they were; the
 * memberships are there, the multicast one twice (packet_diag's count);
 * a frame sent on lo comes back to the raw socket with
 * its auxiliary data, once (the outgoing copy ignored).
 */
// sudcr-test: restore-fails pid-taken
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/packet_diag.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <net/if.h>
#include <poll.h>
#include <sys/stat.h>

#include "progs/net.h"

#define ETH_P_TEST	0x88b5

static int pk_seti(int s, int name, int v)
{
	return setsockopt(s, SOL_PACKET, name, &v, sizeof(v));
}

static int pk_geti(int s, int name)
{
	return net_geti(s, SOL_PACKET, name);
}

/*
 * The count of membership (@type, @ifindex, @addr) of socket @s, from
 * packet_diag (the kernel's drop succeeds whether it finds one or not);
 * -1 if not found in sock_diag.
 */
static int mc_count(int s, int type, int ifindex, const unsigned char *addr, int alen)
{
	struct {
		struct nlmsghdr h;
		struct packet_diag_req r;
	} req = { 0 };
	static char buf[32768];
	struct stat st;
	int nl, ret = -1, done = 0;

	if (fstat(s, &st))
		return -1;
	nl = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_SOCK_DIAG);
	if (nl < 0)
		return -1;
	req.h.nlmsg_len = sizeof(req);
	req.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.r.sdiag_family = AF_PACKET;
	req.r.pdiag_show = PACKET_SHOW_MCLIST;
	if (send(nl, &req, sizeof(req), 0) != (ssize_t)sizeof(req))
		goto out;
	while (!done) {
		ssize_t n = recv(nl, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (n <= 0)
			break;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			struct packet_diag_msg *m = NLMSG_DATA(h);
			struct rtattr *a;
			int len;

			if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
				done = 1;
				break;
			}
			if (m->pdiag_ino != st.st_ino)
				continue;
			ret = 0;
			len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*m)));
			for (a = (struct rtattr *)(m + 1); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
				struct packet_diag_mclist *mc = RTA_DATA(a);

				if (a->rta_type != PACKET_DIAG_MCLIST)
					continue;
				for (size_t k = 0; k < RTA_PAYLOAD(a) / sizeof(*mc); k++)
					if (mc[k].pdmc_type == type && (int)mc[k].pdmc_index == ifindex &&
					    mc[k].pdmc_alen == alen && !memcmp(mc[k].pdmc_addr, addr, (size_t)alen))
						ret = (int)mc[k].pdmc_count;
			}
		}
	}
out:
	close(nl);
	return ret;
}

static int membership(int s, int op, int ifindex, int type, const unsigned char *addr, int alen)
{
	struct packet_mreq mr = { .mr_ifindex = ifindex, .mr_type = (unsigned short)type,
				  .mr_alen = (unsigned short)alen };

	memcpy(mr.mr_address, addr, (size_t)alen);
	return setsockopt(s, SOL_PACKET, op, &mr, sizeof(mr));
}

int main(void)
{
	static const unsigned char mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };
	struct sock_filter only_test[] = {
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_TEST, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = 4, .filter = only_test };
	struct sock_filter got[8];
	struct sockaddr_ll ll = { .sll_family = AF_PACKET };
	socklen_t l;
	int raw, dg, lo, rcv = 70000, rcvbuf;
	unsigned char frame[64] = { 0 }, buf[256];
	char marker[32];
	int got_frames = 0, aux = 0;

	lo = (int)if_nametoindex("lo");
	SETUP(lo > 0, "no lo");
	raw = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_TEST));
	if (raw < 0 && (errno == EPERM || errno == EAFNOSUPPORT))
		prog_skip("packet sockets cannot be opened here: %s", strerror(errno));
	SETUP(raw >= 0, "socket");
	SETUP(!pk_seti(raw, PACKET_AUXDATA, 1) && !pk_seti(raw, PACKET_ORIGDEV, 1) &&
	      !pk_seti(raw, PACKET_VERSION, TPACKET_V2) && !pk_seti(raw, PACKET_RESERVE, 64) &&
	      !pk_seti(raw, PACKET_QDISC_BYPASS, 1) && !pk_seti(raw, PACKET_TIMESTAMP, 16) &&
	      !pk_seti(raw, PACKET_IGNORE_OUTGOING, 1) && !pk_seti(raw, PACKET_COPY_THRESH, 128) &&
	      !setsockopt(raw, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)), "options");
	ll.sll_protocol = htons(ETH_P_TEST);
	ll.sll_ifindex = lo;
	SETUP(!bind(raw, (struct sockaddr *)&ll, sizeof(ll)), "bind to lo");
	SETUP(!membership(raw, PACKET_ADD_MEMBERSHIP, lo, PACKET_MR_MULTICAST, mcast, 6) &&
	      !membership(raw, PACKET_ADD_MEMBERSHIP, lo, PACKET_MR_MULTICAST, mcast, 6) &&
	      !membership(raw, PACKET_ADD_MEMBERSHIP, lo, PACKET_MR_ALLMULTI, mcast, 0),
	      "memberships");

	dg = socket(AF_PACKET, SOCK_DGRAM, 0);
	SETUP(dg >= 0 && !setsockopt(dg, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv)), "dgram socket");
	ll.sll_protocol = 0;
	SETUP(!bind(dg, (struct sockaddr *)&ll, sizeof(ll)), "bind dgram to lo");
	rcvbuf = net_geti(dg, SOL_SOCKET, SO_RCVBUF);

	prog_ready();
	prog_wait();

	l = sizeof(ll);
	memset(&ll, 0, sizeof(ll));
	CHECK(!getsockname(raw, (struct sockaddr *)&ll, &l) && ll.sll_ifindex == lo &&
	      ll.sll_protocol == htons(ETH_P_TEST), "raw's device %d, protocol 0x%x",
	      ll.sll_ifindex, ntohs(ll.sll_protocol));
	CHECK_EQ(net_geti(raw, SOL_SOCKET, SO_TYPE), SOCK_RAW);
	CHECK_EQ(pk_geti(raw, PACKET_AUXDATA), 1);
	CHECK_EQ(pk_geti(raw, PACKET_ORIGDEV), 1);
	CHECK_EQ(pk_geti(raw, PACKET_VERSION), TPACKET_V2);
	CHECK_EQ(pk_geti(raw, PACKET_RESERVE), 64);
	CHECK_EQ(pk_geti(raw, PACKET_QDISC_BYPASS), 1);
	CHECK_EQ(pk_geti(raw, PACKET_TIMESTAMP), 16);
	CHECK_EQ(pk_geti(raw, PACKET_IGNORE_OUTGOING), 1);
	l = sizeof(got);
	CHECK(!getsockopt(raw, SOL_SOCKET, SO_GET_FILTER, got, &l) && l == 4 &&
	      !memcmp(got, only_test, sizeof(only_test)), "raw's filter (%u insns)", l);
	CHECK(mc_count(raw, PACKET_MR_MULTICAST, lo, mcast, 6) == 2,
	      "the multicast membership, twice: %d", mc_count(raw, PACKET_MR_MULTICAST, lo, mcast, 6));
	CHECK(mc_count(raw, PACKET_MR_ALLMULTI, lo, mcast, 0) == 1,
	      "the allmulti membership: %d", mc_count(raw, PACKET_MR_ALLMULTI, lo, mcast, 0));
	CHECK(mc_count(dg, PACKET_MR_ALLMULTI, lo, mcast, 0) == 0, "none on the dgram socket");
	l = sizeof(ll);
	memset(&ll, 0, sizeof(ll));
	CHECK(!getsockname(dg, (struct sockaddr *)&ll, &l) && ll.sll_ifindex == lo &&
	      !ll.sll_protocol, "dgram's device %d, protocol 0x%x", ll.sll_ifindex,
	      ntohs(ll.sll_protocol));
	CHECK_EQ(net_geti(dg, SOL_SOCKET, SO_TYPE), SOCK_DGRAM);
	CHECK_EQ(net_geti(dg, SOL_SOCKET, SO_RCVBUF), rcvbuf);

	/* A frame to ourselves on lo: 12 zero address bytes, the ethertype, a marker. */
	frame[12] = ETH_P_TEST >> 8;
	frame[13] = ETH_P_TEST & 0xff;
	snprintf(marker, sizeof(marker), "sudcr-packet-%d", (int)getpid());
	memcpy(frame + 14, marker, strlen(marker));
	memset(&ll, 0, sizeof(ll));
	ll.sll_family = AF_PACKET;
	ll.sll_ifindex = lo;
	ll.sll_protocol = htons(ETH_P_TEST);
	ll.sll_halen = 6;
	CHECK(sendto(raw, frame, sizeof(frame), 0, (struct sockaddr *)&ll, sizeof(ll)) ==
	      (ssize_t)sizeof(frame), "sendto: %s", strerror(errno));
	for (int tries = 0; tries < 20; tries++) {
		struct pollfd pfd = { .fd = raw, .events = POLLIN };
		char cbuf[256];
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
				     .msg_controllen = sizeof(cbuf) };
		ssize_t n;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = recvmsg(raw, &mh, MSG_DONTWAIT);
		if (n < 14 + (ssize_t)strlen(marker) || memcmp(buf + 14, marker, strlen(marker)))
			continue;
		got_frames++;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_PACKET && c->cmsg_type == PACKET_AUXDATA)
				aux++;
	}
	CHECK_EQ(got_frames, 1);
	CHECK_EQ(aux, 1);
	prog_done();
}
