// SPDX-License-Identifier: MIT
/*
 * AF_PACKET sockets (REC_FD_PACKET): SOCK_RAW and SOCK_DGRAM, hooked to a
 * protocol or not, bound to a device or to all, with their options,
 * memberships and classic BPF filter.  Each description's state is one
 * IMG_REC_PACKET record after its FD record.
 *
 * Dump, through sudcr's reference to the socket (pidfd_getfd), with
 * nothing the process could see changed:
 *  - SO_TYPE, SO_PROTOCOL; getsockname's sockaddr_ll: the protocol it is
 *    hooked to and the device it is bound to (its name kept too);
 *  - sock_diag (packet_diag) for what getsockopt does not give: the
 *    memberships (PACKET_ADD_MEMBERSHIP, with their counts), the copy
 *    threshold, whether it is hooked (PDI_RUNNING), the bytes queued, and
 *    whether it has rings or is in a fanout group;
 *  - the options: the SOL_SOCKET ones of inet.c's table (sockopt.h) and
 *    the SOL_PACKET ones below, those that differ from a new socket's;
 *  - the classic BPF filter and SO_LOCK_FILTER (netsock.c).
 *
 * Refused, one line each: a socket with a receive or transmit ring
 * (PACKET_RX_RING, PACKET_TX_RING: their mapping and the frames in them),
 * one in a fanout group (PACKET_FANOUT: the group is shared with other
 * sockets), frames queued and not read (they came from the wire and
 * cannot be made to come again: dropping them would be silent), a
 * pending error, an eBPF filter, the obsolete SOCK_PACKET.
 *
 * Not kept: PACKET_STATISTICS, which reading clears (the restored socket
 * counts from zero, as after a read of them).
 *
 * Restore, in the stub: socket(), at once a filter that drops every frame
 * (so that nothing from another device or protocol is queued before the
 * bind), the options, PACKET_COPY_THRESH, bind() to the protocol and the
 * device (whose name must still have that index), the memberships, then
 * the queue drained of what came before the drop filter, and the dumped
 * filter in its place (or none) and its lock.  Then protocol, device,
 * memberships, options, filter and packet_diag's flags are read back and
 * must be as dumped, and poll() must give the same events but POLLIN (a
 * frame may arrive at any time once it is bound).
 */
#include <errno.h>
#include <inttypes.h>
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/packet_diag.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cr.h"
#include "image.h"
#include "image_records.h"
#include <sudcr/log.h>

#include "../show.h"
#include "fd.h"
#include "fd_dump.h"
#include "files.h"
#include "sockopt.h"

_Static_assert(sizeof(struct rec_packet) == 72, "rec_packet layout");
_Static_assert(sizeof(struct rec_packet_mc) == 64, "rec_packet_mc layout");

#define POLL_EVENTS	(POLLIN | POLLPRI | POLLOUT | POLLRDHUP | POLLERR | POLLHUP)
#define MC_MAX		256

#ifndef SOL_PACKET
#define SOL_PACKET	263
#endif
#ifndef PACKET_VNET_HDR_SZ
#define PACKET_VNET_HDR_SZ	24	/* 6.2 */
#endif

/* In the order the restore sets them: PACKET_VNET_HDR_SZ after PACKET_VNET_HDR, which sets it too. */
static const struct famopt pk_opts[] = {
	FAMOPT(SOL_PACKET, PACKET_VERSION),
	FAMOPT(SOL_PACKET, PACKET_RESERVE),
	FAMOPT(SOL_PACKET, PACKET_LOSS),
	FAMOPT(SOL_PACKET, PACKET_AUXDATA),
	FAMOPT(SOL_PACKET, PACKET_ORIGDEV),
	FAMOPT(SOL_PACKET, PACKET_VNET_HDR),
	FAMOPT(SOL_PACKET, PACKET_VNET_HDR_SZ),
	FAMOPT(SOL_PACKET, PACKET_TIMESTAMP),
	FAMOPT(SOL_PACKET, PACKET_TX_HAS_OFF),
	FAMOPT(SOL_PACKET, PACKET_QDISC_BYPASS),
	FAMOPT(SOL_PACKET, PACKET_IGNORE_OUTGOING),
};
#define NR_PK_OPTS	(sizeof(pk_opts) / sizeof(pk_opts[0]))

/* Device name @n (16 bytes, maybe not terminated: an image's) into @out[17], printable, "?" if empty. */
static void shown_name(const char *n, char *out)
{
	size_t l = strnlen(n, 16);

	memcpy(out, l ? n : "?", l ? l : 1);
	out[l ? l : 1] = '\0';
	for (char *c = out; *c; c++)
		if (*c < 0x20 || *c > 0x7e || *c == '"' || *c == '\\')
			*c = '?';
}

/* "packet raw lo ETH_P 0x88b5", "packet dgram (all devices) ETH_P_ALL", "packet raw (not hooked)" */
static void describe(uint32_t type, uint32_t num, const char *ifname, int32_t ifindex, char *buf,
		     size_t size)
{
	char dev[40], proto[24];
	uint16_t p = ntohs((uint16_t)num);

	if (ifindex)
		shown_name(ifname, dev);
	else
		snprintf(dev, sizeof(dev), "(all devices)");
	if (!p)
		snprintf(proto, sizeof(proto), "(no protocol)");
	else if (p == 0x0003)
		snprintf(proto, sizeof(proto), "ETH_P_ALL");
	else
		snprintf(proto, sizeof(proto), "ETH_P 0x%04x", p);
	snprintf(buf, size, "packet %s %s %s", type == SOCK_RAW ? "raw" : "dgram", dev, proto);
}

/* ---- sock_diag ---- */

struct pk_diag {
	uint32_t ino;
	bool found, rings, fanout;
	uint16_t num;			/* host order */
	struct packet_diag_info info;
	uint32_t rmem;
	int nr_mc;
	bool mc_overflow;
	struct packet_diag_mclist mc[MC_MAX];
};

static int pk_diag_one(const struct nlmsghdr *h, void *arg)
{
	struct pk_diag *q = arg;
	const struct packet_diag_msg *m = NLMSG_DATA(h);
	const struct rtattr *a;
	int alen;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)) || m->pdiag_ino != q->ino)
		return 0;
	q->found = true;
	q->num = m->pdiag_num;
	alen = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*m)));
	for (a = (const struct rtattr *)(m + 1); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
		size_t pl = RTA_PAYLOAD(a);

		switch (a->rta_type) {
		case PACKET_DIAG_INFO:
			memcpy(&q->info, RTA_DATA(a), pl < sizeof(q->info) ? pl : sizeof(q->info));
			break;
		case PACKET_DIAG_RX_RING:
		case PACKET_DIAG_TX_RING:
			q->rings = true;
			break;
		case PACKET_DIAG_FANOUT:
			q->fanout = true;
			break;
		case PACKET_DIAG_MEMINFO:
			if (pl >= (SK_MEMINFO_RMEM_ALLOC + 1) * sizeof(uint32_t))
				memcpy(&q->rmem, (const uint32_t *)RTA_DATA(a) + SK_MEMINFO_RMEM_ALLOC,
				       sizeof(q->rmem));
			break;
		case PACKET_DIAG_MCLIST: {
			const struct packet_diag_mclist *mc = RTA_DATA(a);

			for (size_t k = 0; k < pl / sizeof(*mc); k++) {
				if (q->nr_mc == MC_MAX) {
					q->mc_overflow = true;
					break;
				}
				q->mc[q->nr_mc++] = mc[k];
			}
			break;
		}
		}
	}
	return 1;
}

/* What packet_diag says of the socket of inode @ino (q->found false if nothing). 0 or -errno. */
static int pk_diag(uint32_t ino, struct pk_diag *q)
{
	struct {
		struct nlmsghdr h;
		struct packet_diag_req r;
	} req = { 0 };
	int ret;

	memset(q, 0, sizeof(*q));
	q->ino = ino;
	req.h.nlmsg_len = sizeof(req);
	req.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.r.sdiag_family = AF_PACKET;
	req.r.pdiag_show = PACKET_SHOW_INFO | PACKET_SHOW_MCLIST | PACKET_SHOW_RING_CFG |
			   PACKET_SHOW_FANOUT | PACKET_SHOW_MEMINFO;
	ret = sockdiag_walk(&req, sizeof(req), pk_diag_one, q);
	return ret > 0 ? 0 : ret;
}

/* ---- dump ---- */

static int pk_refuse(int fd, const char *what, uint32_t events, const struct pk_diag *q)
{
	if (!q->found) {
		sudcr_error("fd %d (%s): sock_diag does not list this packet socket (another network namespace?)",
			    fd, what);
		return -EOPNOTSUPP;
	}
	if (q->rings) {
		sudcr_error("fd %d (%s): it has a ring (PACKET_RX_RING or PACKET_TX_RING), which sudcr does not restore",
			    fd, what);
		return -EOPNOTSUPP;
	}
	if (q->fanout) {
		sudcr_error("fd %d (%s): it is in a fanout group (PACKET_FANOUT), which sudcr does not restore",
			    fd, what);
		return -EOPNOTSUPP;
	}
	if (events & POLLERR) {
		sudcr_error("fd %d (%s): a socket error is pending (SO_ERROR), which sudcr cannot read without clearing it",
			    fd, what);
		return -EOPNOTSUPP;
	}
	if (q->rmem || (events & POLLIN)) {
		sudcr_error("fd %d (%s): frames are queued and not read (%u bytes), which sudcr cannot queue again: read them before the dump",
			    fd, what, q->rmem);
		return -EOPNOTSUPP;
	}
	if (q->mc_overflow) {
		sudcr_error("fd %d (%s): more than %d memberships (PACKET_ADD_MEMBERSHIP)", fd, what,
			    MC_MAX);
		return -EOPNOTSUPP;
	}
	return 0;
}

static void if_name(int32_t ifindex, char *name)
{
	char n[IF_NAMESIZE];

	memset(name, 0, 16);
	if (ifindex > 0 && if_indextoname((unsigned int)ifindex, n))
		memcpy(name, n, strnlen(n, 15));
}

static int packet_dump(struct img_writer *img, int fd, int s, uint32_t ino)
{
	struct rec_packet r = { .fd = fd };
	struct rec_inet_opt *opts = NULL;
	struct rec_packet_mc *mc = NULL;
	struct sock_filter *filter = NULL;
	struct sockaddr_ll ll;
	socklen_t al = sizeof(ll);
	struct pollfd pfd = { .fd = s, .events = POLL_EVENTS };
	struct pk_diag *q = NULL;
	char what[96], *rec = NULL, *p;
	bool locked;
	size_t len;
	int fresh = -1, n, ret;

	if ((ret = sockopt_u32(s, SOL_SOCKET, SO_TYPE, &r.type)) ||
	    (ret = sockopt_u32(s, SOL_SOCKET, SO_PROTOCOL, &r.protocol)))
		return ret;
	memset(&ll, 0, sizeof(ll));
	if (getsockname(s, (struct sockaddr *)&ll, &al)) {
		ret = -errno;
		sudcr_error("fd %d (packet socket): getsockname: %s", fd, strerror(-ret));
		return ret;
	}
	r.num = ll.sll_protocol;
	r.ifindex = ll.sll_ifindex;
	if_name(r.ifindex, r.ifname);
	describe(r.type, r.num, r.ifname, r.ifindex, what, sizeof(what));
	if (r.type != SOCK_RAW && r.type != SOCK_DGRAM) {
		sudcr_error("fd %d (%s): a SOCK_PACKET socket (obsolete): not supported", fd, what);
		return -EOPNOTSUPP;
	}
	if (r.ifindex && !r.ifname[0]) {
		sudcr_error("fd %d (%s): bound to device index %d, which has no name", fd, what,
			    r.ifindex);
		return -EOPNOTSUPP;
	}
	q = malloc(sizeof(*q));
	opts = calloc(SOCKOPTS_MAX + NR_PK_OPTS, sizeof(*opts));
	if (!q || !opts) {
		ret = -ENOMEM;
		goto out;
	}
	if (poll(&pfd, 1, 0) < 0) {
		ret = -errno;
		goto out;
	}
	ret = pk_diag(ino, q);
	if (ret) {
		sudcr_error("fd %d (%s): sock_diag: %s", fd, what, strerror(-ret));
		goto out;
	}
	ret = pk_refuse(fd, what, (uint32_t)pfd.revents, q);
	if (ret)
		goto out;
	r.events = (uint32_t)pfd.revents & ~(uint32_t)POLLIN;
	r.pdi_flags = q->info.pdi_flags;
	r.copy_thresh = q->info.pdi_copy_thresh;
	r.nr_mc = (uint32_t)q->nr_mc;
	mc = calloc(q->nr_mc ? (size_t)q->nr_mc : 1, sizeof(*mc));
	if (!mc) {
		ret = -ENOMEM;
		goto out;
	}
	for (int k = 0; k < q->nr_mc; k++) {
		mc[k].ifindex = (int32_t)q->mc[k].pdmc_index;
		mc[k].count = q->mc[k].pdmc_count;
		mc[k].type = q->mc[k].pdmc_type;
		mc[k].alen = q->mc[k].pdmc_alen > 32 ? 32 : q->mc[k].pdmc_alen;
		memcpy(mc[k].addr, q->mc[k].pdmc_addr, mc[k].alen);
		if_name(mc[k].ifindex, mc[k].ifname);
		if (!mc[k].ifname[0] || !mc[k].count) {
			sudcr_error("fd %d (%s): a membership (PACKET_ADD_MEMBERSHIP) of device index %d, which has no name",
				    fd, what, mc[k].ifindex);
			ret = -EOPNOTSUPP;
			goto out;
		}
	}
	fresh = socket(AF_PACKET, (int)r.type | SOCK_CLOEXEC, 0);
	if (fresh < 0) {
		ret = -errno;
		sudcr_error("fd %d (%s): cannot make a socket like it to compare its options with: %s",
			    fd, what, strerror(-ret));
		goto out;
	}
	n = sockopts_read(fd, what, s, fresh, AF_PACKET, -1, opts);
	if (n < 0) {
		ret = n;
		goto out;
	}
	r.nr_opts = (uint32_t)n;
	n = famopts_read(fd, what, s, fresh, pk_opts, NR_PK_OPTS, opts + r.nr_opts);
	if (n < 0) {
		ret = n;
		goto out;
	}
	r.nr_popts = (uint32_t)n;
	ret = sockfilter_read(fd, what, s, &filter, &r.nr_filter, &locked);
	if (ret)
		goto out;
	if (locked)
		r.flags |= REC_PACKET_FILTER_LOCKED;
	len = sizeof(r) + (r.nr_opts + r.nr_popts) * sizeof(*opts) + r.nr_mc * sizeof(*mc) +
	      r.nr_filter * sizeof(*filter);
	rec = malloc(len);
	if (!rec) {
		ret = -ENOMEM;
		goto out;
	}
	p = rec;
	memcpy(p, &r, sizeof(r));
	p += sizeof(r);
	memcpy(p, opts, (r.nr_opts + r.nr_popts) * sizeof(*opts));
	p += (r.nr_opts + r.nr_popts) * sizeof(*opts);
	memcpy(p, mc, r.nr_mc * sizeof(*mc));
	p += r.nr_mc * sizeof(*mc);
	if (r.nr_filter)
		memcpy(p, filter, r.nr_filter * sizeof(*filter));
	ret = img_write_record(img, IMG_REC_PACKET, rec, len);
out:
	free(rec);
	free(filter);
	free(mc);
	free(opts);
	free(q);
	if (fresh >= 0)
		close(fresh);
	return ret;
}

static int packet_recognise(struct files_dump *f, struct dump_fd *x)
{
	(void)f;
	if (strncmp(x->p->link, "socket:[", 8) || x->sk_family != AF_PACKET)
		return FD_NOT_MINE;
	return FD_MINE;
}

static int packet_dump_op(struct files_dump *f, int i)
{
	struct dump_fd *x = &f->x[i];
	int g, ret;

	if (x->desc != i)
		return 0;
	g = fd_dump_getfd_of(f, x);
	if (g < 0)
		return g;
	ret = packet_dump(f->d->img, x->p->fd, g, (uint32_t)x->st.st_ino);
	close(g);
	return ret;
}

/* ---- restore: validation ---- */

struct pk_parts {
	const struct rec_inet_opt *opts, *popts;
	const struct rec_packet_mc *mc;
	const struct sock_filter *filter;
};

static void parts(const struct rec_packet *h, struct pk_parts *p)
{
	p->opts = (const struct rec_inet_opt *)(h + 1);
	p->popts = p->opts + h->nr_opts;
	p->mc = (const struct rec_packet_mc *)(p->popts + h->nr_popts);
	p->filter = (const struct sock_filter *)(p->mc + h->nr_mc);
}

static struct famsock_opts opts_of(const struct rec_packet *h, const struct pk_parts *p)
{
	return (struct famsock_opts){ .opts = p->opts, .fam = p->popts, .nr = h->nr_opts,
				      .nr_fam = h->nr_popts, .tab = pk_opts, .nr_tab = NR_PK_OPTS };
}

static bool name_bad(const char *n, bool empty_ok)
{
	size_t l = strnlen(n, 16);

	if (l == 16 || (!l && !empty_ok))
		return true;
	for (size_t k = l; k < 16; k++)
		if (n[k])
			return true;
	return false;
}

static const char *packet_rec_bad(const struct rec_packet *h, size_t len)
{
	struct pk_parts p;
	const char *bad;

	if (len < sizeof(*h) || h->nr_opts > SOCKOPTS_MAX || h->nr_popts > NR_PK_OPTS ||
	    h->nr_mc > MC_MAX || h->nr_filter > SOCKFILTER_MAX ||
	    len != sizeof(*h) + (h->nr_opts + h->nr_popts) * sizeof(struct rec_inet_opt) +
		   h->nr_mc * sizeof(struct rec_packet_mc) +
		   h->nr_filter * sizeof(struct sock_filter))
		return "bad length";
	parts(h, &p);
	if (h->type != SOCK_RAW && h->type != SOCK_DGRAM)
		return "bad type";
	if (h->protocol > 0xffff || h->num > 0xffff || h->ifindex < 0 || h->pad)
		return "bad protocol or device";
	if (h->flags & ~REC_PACKET_FILTER_LOCKED)
		return "unknown flags";
	if (name_bad(h->ifname, !h->ifindex) || (!h->ifindex && h->ifname[0]))
		return "bad device name";
	if (h->events & ~(uint32_t)POLL_EVENTS || h->events & (POLLERR | POLLIN))
		return "bad poll events";
	if (h->pdi_flags & ~(uint32_t)(PDI_RUNNING | PDI_AUXDATA | PDI_ORIGDEV | PDI_VNETHDR |
				       PDI_LOSS))
		return "unknown packet_diag flags";
	for (uint32_t k = 0; k < h->nr_mc; k++)
		if (p.mc[k].ifindex <= 0 || !p.mc[k].count || p.mc[k].count > 65536 ||
		    p.mc[k].type > PACKET_MR_UNICAST || p.mc[k].alen > 32 || p.mc[k].pad ||
		    name_bad(p.mc[k].ifname, false))
			return "bad membership";
	bad = sockopts_bad(p.opts, h->nr_opts, AF_PACKET, -1);
	return bad ? bad : famopts_bad(p.popts, h->nr_popts, pk_opts, NR_PK_OPTS);
}

static const char *packet_bad(const void *data, size_t len)
{
	return packet_rec_bad(data, len);
}

static int packet_check_record(struct restore_ctx *r, struct restore_files_state *s,
				uint32_t type, const void *data, size_t len)
{
	(void)type;
	return famsock_check_record(r, s, REC_FD_PACKET, data, len, sizeof(struct rec_packet), packet_bad);
}

/* ---- restore: in the stub ---- */

static void __attribute__((noreturn)) pk_die(const struct rf_fd *e, const char *what, int err)
{
	const struct rec_packet *h = e->priv;
	char d[96];

	describe(h->type, h->num, h->ifname, h->ifindex, d, sizeof(d));
	if (err)
		rf_stub_die("cannot restore fd %d (%s): %s: %s", e->rec->fd, d, what, strerror(err));
	rf_stub_die("cannot restore fd %d (%s): %s", e->rec->fd, d, what);
}

/* Device @name still has index @ifindex. */
static void same_device(const struct rf_fd *e, int32_t ifindex, const char *name)
{
	char n[17], shown[17], what[96];
	unsigned int now;

	memcpy(n, name, 16);
	n[16] = '\0';
	now = if_nametoindex(n);
	if (now == (unsigned int)ifindex)
		return;
	shown_name(name, shown);
	if (now)
		snprintf(what, sizeof(what), "device %s has index %u now, %d at the dump", shown, now,
			 ifindex);
	else
		snprintf(what, sizeof(what), "device %s (index %d at the dump) is gone", shown,
			 ifindex);
	pk_die(e, what, 0);
}

static void add_membership(const struct rf_fd *e, int t, const struct rec_packet_mc *m)
{
	struct {
		int mr_ifindex;
		unsigned short mr_type, mr_alen;
		unsigned char mr_address[32];
	} mr = { .mr_ifindex = m->ifindex, .mr_type = m->type, .mr_alen = m->alen };

	same_device(e, m->ifindex, m->ifname);
	memcpy(mr.mr_address, m->addr, m->alen);
	for (uint32_t c = 0; c < m->count; c++)
		if (setsockopt(t, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)))
			pk_die(e, "PACKET_ADD_MEMBERSHIP", errno);
}

static bool mc_same(const struct rec_packet_mc *m, const struct packet_diag_mclist *d)
{
	return (int32_t)d->pdmc_index == m->ifindex && d->pdmc_count == m->count &&
	       d->pdmc_type == m->type && d->pdmc_alen == m->alen &&
	       !memcmp(d->pdmc_addr, m->addr, m->alen);
}

/* Everything read back from @t as dumped. */
static void pk_check_back(const struct rf_fd *e, int t, const struct pk_parts *p)
{
	const struct rec_packet *h = e->priv;
	struct pollfd pfd = { .fd = t, .events = POLL_EVENTS };
	struct sockaddr_ll ll;
	socklen_t al = sizeof(ll);
	struct famsock_opts fo;
	const char *label = "?";
	struct pk_diag *q;
	struct stat st;
	uint32_t proto = 0;
	int err;

	memset(&ll, 0, sizeof(ll));
	if (getsockname(t, (struct sockaddr *)&ll, &al))
		pk_die(e, "getsockname", errno);
	if (ll.sll_protocol != h->num || ll.sll_ifindex != h->ifindex)
		pk_die(e, "its protocol or device reads back otherwise than it was dumped", 0);
	if (sockopt_u32(t, SOL_SOCKET, SO_PROTOCOL, &proto))
		pk_die(e, "SO_PROTOCOL", errno);
	if (proto != h->protocol)
		pk_die(e, "SO_PROTOCOL reads back otherwise than it was dumped", 0);
	q = malloc(sizeof(*q));
	if (!q)
		pk_die(e, "packet_diag", ENOMEM);
	if (fstat(t, &st))
		pk_die(e, "fstat", errno);
	err = pk_diag((uint32_t)st.st_ino, q);
	if (err || !q->found)
		pk_die(e, "sock_diag of the new socket", err ? -err : ENOENT);
	if (q->info.pdi_flags != h->pdi_flags || q->info.pdi_copy_thresh != h->copy_thresh)
		pk_die(e, "its packet_diag flags or copy threshold read back otherwise than they were dumped",
		       0);
	if ((uint32_t)q->nr_mc != h->nr_mc)
		pk_die(e, "its memberships read back otherwise than they were dumped", 0);
	for (uint32_t k = 0; k < h->nr_mc; k++)
		if (!mc_same(&p->mc[k], &q->mc[k]))
			pk_die(e, "its memberships read back otherwise than they were dumped", 0);
	free(q);
	fo = opts_of(h, p);
	err = famsock_check_opts(t, &fo, &label);
	if (err == -ESTALE)
		rf_stub_die("cannot restore fd %d (packet socket): %s reads back otherwise than it was dumped",
			    e->rec->fd, label);
	if (err)
		pk_die(e, label, -err);

	err = sockfilter_check(t, p->filter, h->nr_filter);
	if (err)
		pk_die(e, err == -ESTALE ? "its filter reads back otherwise than it was dumped" :
		       "SO_GET_FILTER", err == -ESTALE ? 0 : -err);
	if (poll(&pfd, 1, 0) < 0)
		pk_die(e, "poll", errno);
	if (((uint32_t)pfd.revents & ~(uint32_t)POLLIN) != h->events)
		rf_stub_die("cannot restore fd %d (packet socket): the new socket polls 0x%x, the dumped one 0x%x",
			    e->rec->fd, (unsigned int)pfd.revents, h->events);
}

static int packet_open(struct restore_files_state *s, int i, bool *own)
{
	static const struct sock_filter drop_all[] = { BPF_STMT(BPF_RET | BPF_K, 0) };
	const struct rf_fd *e = &s->fds[i];
	const struct rec_packet *h = e->priv;
	struct famsock_opts fo;
	const char *label = "?";
	struct pk_parts p;
	char c;
	int t, err;

	(void)own;
	parts(h, &p);
	if (h->ifindex)
		same_device(e, h->ifindex, h->ifname);
	t = socket(AF_PACKET, (int)h->type | SOCK_CLOEXEC, (int)h->protocol);
	if (t < 0)
		pk_die(e, "socket", errno);
	err = sockfilter_attach(t, drop_all, 1);
	if (err)
		pk_die(e, "SO_ATTACH_FILTER (dropping all frames until it is bound)", -err);
	fo = opts_of(h, &p);
	err = famsock_set_opts(t, &fo, &label);
	if (err)
		pk_die(e, label, -err);

	if (h->copy_thresh) {
		int v = (int)h->copy_thresh;

		if (setsockopt(t, SOL_PACKET, PACKET_COPY_THRESH, &v, sizeof(v)))
			pk_die(e, "PACKET_COPY_THRESH", errno);
	}
	if (h->ifindex || h->num != h->protocol) {
		struct sockaddr_ll ll = { .sll_family = AF_PACKET, .sll_protocol = (uint16_t)h->num,
					  .sll_ifindex = h->ifindex };

		if (bind(t, (struct sockaddr *)&ll, sizeof(ll)))
			pk_die(e, "bind", errno);
	}
	/* Last first: the kernel puts each new one at the head of its list, as packet_diag gives it. */
	for (uint32_t k = h->nr_mc; k--;)
		add_membership(e, t, &p.mc[k]);
	/* What came in before the drop filter: frames of before the bind, not the process's. */
	while (recv(t, &c, 1, MSG_DONTWAIT | MSG_TRUNC) >= 0)
		;
	if (h->nr_filter)
		err = sockfilter_attach(t, p.filter, h->nr_filter);
	else
		err = setsockopt(t, SOL_SOCKET, SO_DETACH_FILTER, &(int){ 0 }, sizeof(int)) ? -errno :
		      0;
	if (err)
		pk_die(e, h->nr_filter ? "SO_ATTACH_FILTER" : "SO_DETACH_FILTER", -err);
	if (h->flags & REC_PACKET_FILTER_LOCKED) {
		int one = 1;

		if (setsockopt(t, SOL_SOCKET, SO_LOCK_FILTER, &one, sizeof(one)))
			pk_die(e, "SO_LOCK_FILTER", errno);
	}
	pk_check_back(e, t, &p);
	return t;
}

/* ---- show ---- */

static const char *const mr_names[] = { "multicast", "promisc", "allmulti", "unicast" };

static int packet_describe(const void *data, size_t len, bool json, char *buf, size_t size)
{
	const struct rec_packet *h = data;
	struct famsock_opts fo;
	struct pk_parts p;
	char d[96];
	size_t n;

	if (!size || !h || packet_rec_bad(h, len))
		return -EINVAL;
	parts(h, &p);
	describe(h->type, h->num, h->ifname, h->ifindex, d, sizeof(d));
	if (json)
		n = (size_t)snprintf(buf, size, "{\"socket\":\"%s\",\"protocol\":%u,\"ifindex\":%d,\"copy_thresh\":%u,\"diag_flags\":%u,\"filter\":%u,\"filter_locked\":%s,\"memberships\":[",
				     d, ntohs((uint16_t)h->num), h->ifindex, h->copy_thresh,
				     h->pdi_flags, h->nr_filter,
				     h->flags & REC_PACKET_FILTER_LOCKED ? "true" : "false");
	else
		n = (size_t)snprintf(buf, size, "%s%s", d,
				     h->pdi_flags & PDI_RUNNING ? "" : " (not hooked)");
	if (!json && h->copy_thresh && n < size)
		n += (size_t)snprintf(buf + n, size - n, " copy_thresh %u", h->copy_thresh);
	for (uint32_t k = 0; k < h->nr_mc && n < size; k++) {
		const struct rec_packet_mc *m = &p.mc[k];
		char dev[17];

		shown_name(m->ifname, dev);
		if (json)
			n += (size_t)snprintf(buf + n, size - n,
					      "%s{\"device\":\"%s\",\"type\":\"%s\",\"count\":%u}",
					      k ? "," : "", dev, mr_names[m->type], m->count);
		else
			n += (size_t)snprintf(buf + n, size - n, " %s %s x%u", mr_names[m->type],
					      dev, m->count);
	}
	if (json && n < size)
		n += (size_t)snprintf(buf + n, size - n, "],\"options\":{");
	if (!json && h->nr_filter && n < size)
		n += (size_t)snprintf(buf + n, size - n, " filter %u insns%s", h->nr_filter,
				      h->flags & REC_PACKET_FILTER_LOCKED ? " locked" : "");
	fo = opts_of(h, &p);
	if (n < size)
		n += famsock_opts_str(&fo, json, buf + n, size - n);
	if (json && n < size)
		snprintf(buf + n, size - n, "}}");
	return 0;
}

static int packet_show(struct show_ctx *sc, const struct rec_fd *rec)
{
	return famsock_show(sc, rec, IMG_REC_PACKET, packet_describe);
}

const struct fd_kind fd_kind_packet = {
	.kind = REC_FD_PACKET,
	.name = "packet socket",
	.show_name = "packet-socket",
	.records = { IMG_REC_PACKET },
	.recognise = packet_recognise,
	.dump = packet_dump_op,
	.check_record = packet_check_record,
	.check_table = famsock_check_table,
	.open = packet_open,
	.show_records = packet_show,
};
