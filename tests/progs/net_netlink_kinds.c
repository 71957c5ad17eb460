// SPDX-License-Identifier: MIT
/*
 * Netlink sockets of other protocols: a uevent socket (NETLINK_KOBJECT_UEVENT)
 * bound to group 1 as udev's listeners are, with SO_PASSCRED; an audit
 * socket autobound; a generic netlink socket (NETLINK_GENERIC) bound, in
 * nlctrl's "notify" group (GENL_ID_CTRL's first group), with
 * NETLINK_CAP_ACK and NETLINK_PKTINFO; a sock_diag socket.  After: each
 * has its port id, groups and options; the generic socket resolves the
 * "nlctrl" family (CTRL_CMD_GETFAMILY) and is answered on its port id;
 * the sock_diag socket lists netlink sockets.  A protocol that cannot be
 * opened here is left out, said so on stderr (all of them: SKIP).
 */
// sudcr-test: restore-fails pid-taken
#include <linux/genetlink.h>
#include <linux/netlink_diag.h>
#include <linux/sock_diag.h>

#include "progs/nlsock.h"

/* CTRL_CMD_GETFAMILY "nlctrl" on @s: the family id answered (GENL_ID_CTRL), or -1. */
static int genl_nlctrl(int s)
{
	struct {
		struct nlmsghdr h;
		struct genlmsghdr g;
		struct nlattr a;
		char name[8];
	} req = { 0 };
	static char buf[16384];
	ssize_t n;
	struct nlmsghdr *h;

	req.h.nlmsg_len = sizeof(req);
	req.h.nlmsg_type = GENL_ID_CTRL;
	req.h.nlmsg_flags = NLM_F_REQUEST;
	req.h.nlmsg_seq = 77;
	req.g.cmd = CTRL_CMD_GETFAMILY;
	req.g.version = 1;
	req.a.nla_len = NLA_HDRLEN + 7;
	req.a.nla_type = CTRL_ATTR_FAMILY_NAME;
	memcpy(req.name, "nlctrl", 7);
	if (send(s, &req, sizeof(req), 0) != (ssize_t)sizeof(req))
		return -1;
	for (;;) {
		n = recv(s, buf, sizeof(buf), 0);
		if (n <= 0)
			return -1;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			struct genlmsghdr *g = NLMSG_DATA(h);
			struct nlattr *a = (struct nlattr *)((char *)g + GENL_HDRLEN);
			int alen = (int)h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;

			if (h->nlmsg_seq != 77)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR)
				return -1;
			while (alen >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= alen) {
				if (a->nla_type == CTRL_ATTR_FAMILY_ID)
					return *(uint16_t *)((char *)a + NLA_HDRLEN);
				alen -= NLA_ALIGN(a->nla_len);
				a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len));
			}
			return -1;
		}
	}
}

/* How many netlink sockets sock_diag lists (all protocols), or -1. */
static int diag_count(int s)
{
	struct {
		struct nlmsghdr h;
		struct netlink_diag_req r;
	} req = { 0 };
	static char buf[32768];
	int nr = 0;

	req.h.nlmsg_len = sizeof(req);
	req.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.r.sdiag_family = AF_NETLINK;
	req.r.sdiag_protocol = NDIAG_PROTO_ALL;
	if (send(s, &req, sizeof(req), 0) != (ssize_t)sizeof(req))
		return -1;
	for (;;) {
		ssize_t n = recv(s, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (n <= 0)
			return -1;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return nr;
			if (h->nlmsg_type == NLMSG_ERROR)
				return -1;
			nr++;
		}
	}
}

int main(void)
{
	struct sockaddr_nl a = { .nl_family = AF_NETLINK };
	uint32_t g[4], pu = 0, pa = 0, pg = 0;
	int ue, au, ge, sd, one = 1, have = 0;

	ue = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_KOBJECT_UEVENT);
	if (ue >= 0) {
		a.nl_groups = 1;
		SETUP(!setsockopt(ue, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) &&
		      !bind(ue, (struct sockaddr *)&a, sizeof(a)), "uevent bind");
		pu = nls_portid(ue);
		have++;
	} else {
		prog_log("no uevent socket here: %s", strerror(errno));
	}
	au = socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT);
	if (au >= 0) {
		a.nl_groups = 0;
		SETUP(!bind(au, (struct sockaddr *)&a, sizeof(a)), "audit bind");
		pa = nls_portid(au);
		have++;
	} else {
		prog_log("no audit socket here: %s", strerror(errno));
	}
	ge = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);
	if (ge >= 0) {
		a.nl_groups = 0;
		SETUP(!nls_seti(ge, NETLINK_CAP_ACK, 1) && !nls_seti(ge, NETLINK_PKTINFO, 1) &&
		      !bind(ge, (struct sockaddr *)&a, sizeof(a)), "generic bind");
		/* nlctrl's "notify" group has id GENL_ID_CTRL. */
		SETUP(!nls_join(ge, GENL_ID_CTRL), "join nlctrl's notify group");
		pg = nls_portid(ge);
		have++;
	} else {
		prog_log("no generic netlink socket here: %s", strerror(errno));
	}
	sd = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_SOCK_DIAG);
	SETUP(sd >= 0, "sock_diag socket");
	if (!have)
		prog_skip("neither uevent, audit nor generic netlink sockets can be opened here");

	prog_ready();
	prog_wait();

	if (ue >= 0) {
		CHECK_EQ(nls_portid(ue), pu);
		CHECK(nls_groups(ue, g, 4) >= 4 && g[0] == 1, "uevent groups 0x%x", g[0]);
		CHECK_EQ(net_geti(ue, SOL_SOCKET, SO_PASSCRED), 1);
		CHECK_EQ(net_geti(ue, SOL_SOCKET, SO_PROTOCOL), NETLINK_KOBJECT_UEVENT);
	}
	if (au >= 0) {
		CHECK_EQ(nls_portid(au), pa);
		CHECK_EQ(net_geti(au, SOL_SOCKET, SO_PROTOCOL), NETLINK_AUDIT);
	}
	if (ge >= 0) {
		CHECK_EQ(nls_portid(ge), pg);
		CHECK(nls_groups(ge, g, 4) >= 4 && g[0] == 1u << (GENL_ID_CTRL - 1),
		      "generic groups 0x%x", g[0]);
		CHECK_EQ(nls_geti(ge, NETLINK_CAP_ACK), 1);
		CHECK_EQ(nls_geti(ge, NETLINK_PKTINFO), 1);
		CHECK_EQ(genl_nlctrl(ge), GENL_ID_CTRL);
	}
	CHECK(diag_count(sd) >= have, "sock_diag lists netlink sockets");
	prog_done();
}
