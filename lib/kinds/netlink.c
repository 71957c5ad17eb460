// SPDX-License-Identifier: MIT
/*
 * AF_NETLINK sockets (REC_FD_NETLINK): route, generic, uevent, audit,
 * sock_diag, xfrm, selinux, connector and user sockets, bound or not,
 * with their multicast groups, connected or not.  Each description's
 * state is one IMG_REC_NETLINK record after its FD record.
 *
 * Dump, through sudcr's reference to the socket (pidfd_getfd), with
 * nothing the process could see changed:
 *  - SO_TYPE, SO_PROTOCOL; getsockname: the port id (0 if the socket was
 *    never bound: not bound, its first send autobinds it as before);
 *    getpeername: the connected port id and group;
 *  - NETLINK_LIST_MEMBERSHIPS: every group (getsockname's nl_groups has
 *    only the first 32);
 *  - poll() with no wait, and sock_diag (netlink_diag) for what only it
 *    tells: the bytes queued (NDIAG_SHOW_MEMINFO), and whether a dump
 *    (NLM_F_DUMP) is still being answered (NDIAG_FLAG_CB_RUNNING);
 *  - the options: the SOL_SOCKET ones of inet.c's table (sockopt.h) and
 *    the SOL_NETLINK ones below, those that differ from a new socket's;
 *  - the classic BPF filter and SO_LOCK_FILTER (netsock.c).
 *
 * Refused, one line each: messages queued and not read (a netlink
 * message's sender, the kernel most often, cannot be made to send it
 * again: dropping them would be silent loss); a dump being answered (the
 * rest of it is the kernel's, tied to the socket); a pending error
 * (ENOBUFS after an overrun: reading SO_ERROR would clear it); a socket
 * sock_diag does not list although it is bound (another network
 * namespace); an eBPF filter; the protocols whose kernel side keeps state
 * for a port id that cannot be read (netfilter's queue and log bindings,
 * iSCSI, RDMA, crypto, ...: only those of netlink_supported() are taken);
 * an audit socket of the registered audit daemon (AUDIT_SET: the kernel
 * forgets it when its socket closes).
 *
 * Not seen, and so not restored: what a generic netlink family keeps for
 * a port id by itself (taskstats' listeners, nl80211's socket-owned
 * interfaces): the kernel drops it when the socket closes.
 *
 * Restore, in the stub: socket(), the options, bind() to the port id
 * exactly (a port id taken by another socket, the original's after
 * --leave-running, fails the restore with one line), every group joined
 * (NETLINK_ADD_MEMBERSHIP), connect() to the peer, the filter and its
 * lock.  Then the port id, groups, peer, options and filter are read back
 * and must be as dumped, and poll() must give the same events but POLLIN
 * (a notification may arrive at any time once the groups are joined).
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/netlink_diag.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "cr.h"
#include "proc/proc.h"
#include "image.h"
#include "image_records.h"
#include <sudcr/log.h>

#include "../show.h"
#include "fd.h"
#include "fd_dump.h"
#include "files.h"
#include "sockopt.h"

_Static_assert(sizeof(struct rec_netlink) == 48, "rec_netlink layout");

#define POLL_EVENTS	(POLLIN | POLLPRI | POLLOUT | POLLRDHUP | POLLERR | POLLHUP)
#define GROUP_WORDS	1024	/* 32768 groups */

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

static const struct famopt nl_opts[] = {
	FAMOPT(SOL_NETLINK, NETLINK_PKTINFO),
	FAMOPT(SOL_NETLINK, NETLINK_BROADCAST_ERROR),
	FAMOPT(SOL_NETLINK, NETLINK_NO_ENOBUFS),
	FAMOPT(SOL_NETLINK, NETLINK_LISTEN_ALL_NSID),
	FAMOPT(SOL_NETLINK, NETLINK_CAP_ACK),
	FAMOPT(SOL_NETLINK, NETLINK_EXT_ACK),
	FAMOPT(SOL_NETLINK, NETLINK_GET_STRICT_CHK),
};
#define NR_NL_OPTS	(sizeof(nl_opts) / sizeof(nl_opts[0]))

/* The protocols taken, by name; NULL: refused (their kernel side keeps state per port id). */
static const char *const nl_protocols[] = {
	[NETLINK_ROUTE] = "route",
	[NETLINK_USERSOCK] = "usersock",
	[NETLINK_SOCK_DIAG] = "sock_diag",
	[NETLINK_XFRM] = "xfrm",
	[NETLINK_SELINUX] = "selinux",
	[NETLINK_AUDIT] = "audit",
	[NETLINK_CONNECTOR] = "connector",
	[NETLINK_KOBJECT_UEVENT] = "uevent",
	[NETLINK_GENERIC] = "generic",
};

static const char *netlink_supported(uint32_t protocol)
{
	return protocol < sizeof(nl_protocols) / sizeof(nl_protocols[0]) ? nl_protocols[protocol] :
	       NULL;
}

/* "netlink route port 1234", "netlink uevent (unbound)", "netlink protocol 12 port -4097" */
static void describe(uint32_t protocol, uint32_t portid, char *buf, size_t size)
{
	const char *name = netlink_supported(protocol);
	char p[24];

	if (name)
		snprintf(p, sizeof(p), "%s", name);
	else
		snprintf(p, sizeof(p), "protocol %u", protocol);
	if (portid)
		snprintf(buf, size, "netlink %s port %d", p, (int32_t)portid);
	else
		snprintf(buf, size, "netlink %s (unbound)", p);
}

static uint32_t groups_used(const uint32_t *g, uint32_t words)
{
	while (words && !g[words - 1])
		words--;
	return words;
}

/* NETLINK_LIST_MEMBERSHIPS into @g (GROUP_WORDS), the words in use in *nr; 0 or -errno. */
static int read_groups(int s, uint32_t *g, uint32_t *nr)
{
	socklen_t len = GROUP_WORDS * sizeof(*g);

	memset(g, 0, len);
	if (getsockopt(s, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, g, &len))
		return -errno;
	if (len > GROUP_WORDS * sizeof(*g))
		return -E2BIG;
	*nr = groups_used(g, len / sizeof(*g));
	return 0;
}

/* ---- dump ---- */

struct nl_diag {
	uint32_t ino;
	bool found;
	uint32_t rmem, flags;
};

static int nl_diag_one(const struct nlmsghdr *h, void *arg)
{
	struct nl_diag *q = arg;
	const struct netlink_diag_msg *m = NLMSG_DATA(h);
	const struct rtattr *a;
	int alen;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)) || m->ndiag_ino != q->ino)
		return 0;
	q->found = true;
	alen = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*m)));
	for (a = (const struct rtattr *)(m + 1); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
		if (a->rta_type == NETLINK_DIAG_MEMINFO &&
		    RTA_PAYLOAD(a) >= (SK_MEMINFO_RMEM_ALLOC + 1) * sizeof(uint32_t))
			memcpy(&q->rmem, (const uint32_t *)RTA_DATA(a) + SK_MEMINFO_RMEM_ALLOC,
			       sizeof(q->rmem));
		else if (a->rta_type == NETLINK_DIAG_FLAGS && RTA_PAYLOAD(a) >= sizeof(uint32_t))
			memcpy(&q->flags, RTA_DATA(a), sizeof(q->flags));
	}
	return 0;
}

static int nl_diag(uint32_t protocol, uint32_t ino, struct nl_diag *q)
{
	struct {
		struct nlmsghdr h;
		struct netlink_diag_req r;
	} req = { 0 };

	memset(q, 0, sizeof(*q));
	q->ino = ino;
	req.h.nlmsg_len = sizeof(req);
	req.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.r.sdiag_family = AF_NETLINK;
	req.r.sdiag_protocol = (uint8_t)protocol;
	req.r.ndiag_show = NDIAG_SHOW_MEMINFO | NDIAG_SHOW_FLAGS;
	return sockdiag_walk(&req, sizeof(req), nl_diag_one, q);
}

struct audit_q {
	bool got;
	uint32_t pid;
};

static int audit_one(const struct nlmsghdr *h, void *arg)
{
	struct audit_q *q = arg;
	struct audit_status st;

	if (h->nlmsg_type != AUDIT_GET)
		return 0;
	memset(&st, 0, sizeof(st));
	memcpy(&st, NLMSG_DATA(h), h->nlmsg_len - NLMSG_HDRLEN < sizeof(st) ?
	       h->nlmsg_len - NLMSG_HDRLEN : sizeof(st));
	q->got = true;
	q->pid = st.pid;
	return 1;
}

/*
 * The PID of the registered audit daemon (AUDIT_GET), 0 if none; -errno
 * if it cannot be asked.  The answer is waited for 200 ms at most, so that
 * a dump never hangs on it (seen here: a probe run from one shell had its
 * request taken and never answered, while sudcr's own are answered at
 * once); no answer counts as no daemon, whose own work starts with
 * AUDIT_GET.
 */
static int64_t audit_daemon(void)
{
	struct nlmsghdr req = { .nlmsg_len = sizeof(req), .nlmsg_type = AUDIT_GET,
				.nlmsg_flags = NLM_F_REQUEST };
	struct timeval tv = { .tv_usec = 200000 };
	static char buf[8192];
	struct audit_q q = { 0 };
	int nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	int ret = 0;

	if (nl < 0)
		return errno == EPROTONOSUPPORT ? 0 : -errno;
	if (setsockopt(nl, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		ret = -errno;
		goto out;
	}
	if (send(nl, &req, sizeof(req), 0) != (ssize_t)sizeof(req)) {
		ret = errno == ECONNREFUSED ? 0 : -errno;
		goto out;
	}
	while (!q.got && !ret) {
		ssize_t n = recv(nl, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			break;
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				ret = h->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) && e->error ?
				      e->error : -EIO;
				break;
			}
			if (audit_one(h, &q))
				break;
		}
	}
out:
	close(nl);
	return ret ? ret : (int64_t)q.pid;
}

/*
 * Whether sudcr runs in the initial PID namespace: the only one with
 * kernel threads, kthreadd being PID 2 there (a child of PID 0).  The
 * kernel answers AUDIT_GET and AUDIT_SET only from it (audit_netlink_ok():
 * -EPERM elsewhere), so a process of another one, the target among them
 * (sudcr dumps only processes of its own namespaces), cannot be the
 * registered audit daemon.
 */
static bool in_initial_pid_ns(void)
{
	struct proc_stat st;
	char comm[32] = "";

	return !proc_parse_stat(2, 0, &st) && st.ppid == 0 && !proc_read_comm(2, 0, comm, sizeof(comm)) &&
	       !strcmp(comm, "kthreadd");
}

/* What the dump refuses of socket @r (sock_diag's @q); one line and -EOPNOTSUPP, or 0. */
static int nl_refuse(int fd, const char *what, const struct rec_netlink *r, uint32_t events,
		     uint32_t nr_groups, const struct nl_diag *q, pid_t pid)
{
	if (!netlink_supported(r->protocol)) {
		sudcr_error("fd %d (%s): not supported: the kernel side of this netlink protocol keeps state for the socket (bindings, queues) that sudcr cannot read",
			    fd, what);
		return -EOPNOTSUPP;
	}
	if (events & POLLERR) {
		sudcr_error("fd %d (%s): a socket error is pending (SO_ERROR: ENOBUFS after an overrun?), which sudcr cannot read without clearing it",
			    fd, what);
		return -EOPNOTSUPP;
	}
	if ((r->flags & REC_NETLINK_BOUND || nr_groups) && !q->found) {
		sudcr_error("fd %d (%s): sock_diag does not list this netlink socket (another network namespace?)",
			    fd, what);
		return -EOPNOTSUPP;
	}
	if (q->flags & NDIAG_FLAG_CB_RUNNING) {
		sudcr_error("fd %d (%s): a dump request (NLM_F_DUMP) is still being answered, and the rest of its answer is the kernel's: not supported",
			    fd, what);
		return -EOPNOTSUPP;
	}
	if (q->rmem || (events & POLLIN)) {
		sudcr_error("fd %d (%s): messages are queued and not read (%u bytes), which sudcr cannot queue again: read them before the dump",
			    fd, what, q->rmem);
		return -EOPNOTSUPP;
	}
	if (r->protocol == NETLINK_AUDIT) {
		int64_t d = audit_daemon();

		/* Refused for every process of this user or PID namespace: none is the daemon. */
		if (d == -ECONNREFUSED || (d == -EPERM && !in_initial_pid_ns()))
			d = 0;
		if (d < 0) {
			sudcr_error("fd %d (%s): cannot ask the kernel whether the process is the registered audit daemon (AUDIT_GET: %s)",
				    fd, what, strerror((int)-d));
			return -EOPNOTSUPP;
		}
		if (d == pid) {
			sudcr_error("fd %d (%s): the process is the registered audit daemon (AUDIT_SET), which the kernel forgets when its socket closes: not supported",
				    fd, what);
			return -EOPNOTSUPP;
		}
	}
	return 0;
}

static int netlink_dump(struct img_writer *img, int fd, int s, uint32_t ino, pid_t pid)
{
	struct rec_netlink r = { .fd = fd };
	struct rec_inet_opt *opts = NULL;
	struct sock_filter *filter = NULL;
	struct sockaddr_nl a;
	socklen_t al = sizeof(a);
	struct pollfd pfd = { .fd = s, .events = POLL_EVENTS };
	struct nl_diag q = { 0 };
	uint32_t *groups = NULL;
	char what[80], *rec = NULL, *p;
	bool locked;
	int fresh = -1, n, ret;

	if ((ret = sockopt_u32(s, SOL_SOCKET, SO_TYPE, &r.type)) ||
	    (ret = sockopt_u32(s, SOL_SOCKET, SO_PROTOCOL, &r.protocol)))
		return ret;
	memset(&a, 0, sizeof(a));
	if (getsockname(s, (struct sockaddr *)&a, &al)) {
		ret = -errno;
		sudcr_error("fd %d (netlink socket): getsockname: %s", fd, strerror(-ret));
		return ret;
	}
	r.portid = a.nl_pid;
	if (r.portid)
		r.flags |= REC_NETLINK_BOUND;
	describe(r.protocol, r.portid, what, sizeof(what));
	al = sizeof(a);
	memset(&a, 0, sizeof(a));
	if (getpeername(s, (struct sockaddr *)&a, &al)) {
		ret = -errno;
		sudcr_error("fd %d (%s): getpeername: %s", fd, what, strerror(-ret));
		return ret;
	}
	r.dst_portid = a.nl_pid;
	r.dst_group = a.nl_groups;
	if (r.dst_portid || r.dst_group)
		r.flags |= REC_NETLINK_CONNECTED;
	groups = calloc(GROUP_WORDS, sizeof(*groups));
	opts = calloc(SOCKOPTS_MAX + NR_NL_OPTS, sizeof(*opts));
	if (!groups || !opts) {
		ret = -ENOMEM;
		goto out;
	}
	ret = read_groups(s, groups, &r.nr_groups);
	if (ret) {
		sudcr_error("fd %d (%s): NETLINK_LIST_MEMBERSHIPS: %s", fd, what, strerror(-ret));
		goto out;
	}
	if (poll(&pfd, 1, 0) < 0) {
		ret = -errno;
		goto out;
	}
	if (netlink_supported(r.protocol)) {
		ret = nl_diag(r.protocol, ino, &q);
		if (ret) {
			sudcr_error("fd %d (%s): sock_diag: %s", fd, what, strerror(-ret));
			goto out;
		}
	}
	ret = nl_refuse(fd, what, &r, (uint32_t)pfd.revents, r.nr_groups, &q, pid);
	if (ret)
		goto out;
	r.events = (uint32_t)pfd.revents & ~(uint32_t)POLLIN;
	fresh = socket(AF_NETLINK, (int)r.type | SOCK_CLOEXEC, (int)r.protocol);
	if (fresh < 0) {
		ret = -errno;
		sudcr_error("fd %d (%s): cannot make a socket like it to compare its options with: %s",
			    fd, what, strerror(-ret));
		goto out;
	}
	n = sockopts_read(fd, what, s, fresh, AF_NETLINK, -1, opts);
	if (n < 0) {
		ret = n;
		goto out;
	}
	r.nr_opts = (uint32_t)n;
	n = famopts_read(fd, what, s, fresh, nl_opts, NR_NL_OPTS, opts + r.nr_opts);
	if (n < 0) {
		ret = n;
		goto out;
	}
	r.nr_nlopts = (uint32_t)n;
	ret = sockfilter_read(fd, what, s, &filter, &r.nr_filter, &locked);
	if (ret)
		goto out;
	if (locked)
		r.flags |= REC_NETLINK_FILTER_LOCKED;
	n = (int)(sizeof(r) + (r.nr_opts + r.nr_nlopts) * sizeof(*opts) +
		  r.nr_groups * sizeof(*groups) + r.nr_filter * sizeof(*filter));
	rec = malloc((size_t)n);
	if (!rec) {
		ret = -ENOMEM;
		goto out;
	}
	p = rec;
	memcpy(p, &r, sizeof(r));
	p += sizeof(r);
	memcpy(p, opts, (r.nr_opts + r.nr_nlopts) * sizeof(*opts));
	p += (r.nr_opts + r.nr_nlopts) * sizeof(*opts);
	memcpy(p, groups, r.nr_groups * sizeof(*groups));
	p += r.nr_groups * sizeof(*groups);
	if (r.nr_filter)
		memcpy(p, filter, r.nr_filter * sizeof(*filter));
	ret = img_write_record(img, IMG_REC_NETLINK, rec, (size_t)n);
out:
	free(rec);
	free(filter);
	free(opts);
	free(groups);
	if (fresh >= 0)
		close(fresh);
	return ret;
}

static int netlink_recognise(struct files_dump *f, struct dump_fd *x)
{
	(void)f;
	if (strncmp(x->p->link, "socket:[", 8) || x->sk_family != AF_NETLINK)
		return FD_NOT_MINE;
	return FD_MINE;
}

static int netlink_dump_op(struct files_dump *f, int i)
{
	struct dump_fd *x = &f->x[i];
	int g, ret;

	if (x->desc != i)
		return 0;
	g = fd_dump_getfd_of(f, x);
	if (g < 0)
		return g;
	ret = netlink_dump(f->d->img, x->p->fd, g, (uint32_t)x->st.st_ino, f->d->pid);
	close(g);
	return ret;
}

/* ---- restore: validation ---- */

struct nl_parts {
	const struct rec_inet_opt *opts, *nlopts;
	const uint32_t *groups;
	const struct sock_filter *filter;
};

static void parts(const struct rec_netlink *h, struct nl_parts *p)
{
	p->opts = (const struct rec_inet_opt *)(h + 1);
	p->nlopts = p->opts + h->nr_opts;
	p->groups = (const uint32_t *)(p->nlopts + h->nr_nlopts);
	p->filter = (const struct sock_filter *)(p->groups + h->nr_groups);
}

static struct famsock_opts opts_of(const struct rec_netlink *h, const struct nl_parts *p)
{
	return (struct famsock_opts){ .opts = p->opts, .fam = p->nlopts, .nr = h->nr_opts,
				      .nr_fam = h->nr_nlopts, .tab = nl_opts, .nr_tab = NR_NL_OPTS };
}

static const char *netlink_rec_bad(const struct rec_netlink *h, size_t len)
{
	struct nl_parts p;
	const char *bad;

	if (len < sizeof(*h) || h->nr_opts > SOCKOPTS_MAX || h->nr_nlopts > NR_NL_OPTS ||
	    h->nr_groups > GROUP_WORDS || h->nr_filter > SOCKFILTER_MAX ||
	    len != sizeof(*h) + (h->nr_opts + h->nr_nlopts) * sizeof(struct rec_inet_opt) +
		   h->nr_groups * sizeof(uint32_t) + h->nr_filter * sizeof(struct sock_filter))
		return "bad length";
	parts(h, &p);
	if (h->type != SOCK_RAW && h->type != SOCK_DGRAM)
		return "bad type";
	if (!netlink_supported(h->protocol))
		return "a netlink protocol sudcr does not restore";
	if (h->flags & ~(REC_NETLINK_BOUND | REC_NETLINK_CONNECTED | REC_NETLINK_FILTER_LOCKED))
		return "unknown flags";
	if (!(h->flags & REC_NETLINK_BOUND) != !h->portid)
		return "a port id but not bound, or bound without one";
	if (h->flags & REC_NETLINK_CONNECTED ? !(h->flags & REC_NETLINK_BOUND) ||
	    !(h->dst_portid || h->dst_group) : h->dst_portid || h->dst_group)
		return "bad peer";
	if (h->events & ~(uint32_t)POLL_EVENTS || h->events & (POLLERR | POLLIN))
		return "bad poll events";
	if (groups_used(p.groups, h->nr_groups) != h->nr_groups)
		return "trailing empty group words";
	bad = sockopts_bad(p.opts, h->nr_opts, AF_NETLINK, -1);
	return bad ? bad : famopts_bad(p.nlopts, h->nr_nlopts, nl_opts, NR_NL_OPTS);
}

static const char *netlink_bad(const void *data, size_t len)
{
	return netlink_rec_bad(data, len);
}

static int netlink_check_record(struct restore_ctx *r, struct restore_files_state *s,
				uint32_t type, const void *data, size_t len)
{
	(void)type;
	return famsock_check_record(r, s, REC_FD_NETLINK, data, len, sizeof(struct rec_netlink), netlink_bad);
}

/* ---- restore: in the stub ---- */

static void __attribute__((noreturn)) nl_die(const struct rf_fd *e, const char *what, int err,
					     const char *hint)
{
	const struct rec_netlink *h = e->priv;
	char d[80];

	describe(h->protocol, h->portid, d, sizeof(d));
	if (err)
		rf_stub_die("cannot restore fd %d (%s): %s: %s%s", e->rec->fd, d, what, strerror(err),
			    hint ? hint : "");
	rf_stub_die("cannot restore fd %d (%s): %s", e->rec->fd, d, what);
}

/* Port id, groups, peer, options, filter and poll() read back from @t as dumped. */
static void nl_check_back(const struct rf_fd *e, int t, const struct nl_parts *p)
{
	const struct rec_netlink *h = e->priv;
	struct sockaddr_nl a;
	socklen_t al = sizeof(a);
	struct pollfd pfd = { .fd = t, .events = POLL_EVENTS };
	struct famsock_opts fo;
	const char *label = "?";
	uint32_t *g, nr = 0;
	int err;

	memset(&a, 0, sizeof(a));
	if (getsockname(t, (struct sockaddr *)&a, &al))
		nl_die(e, "getsockname", errno, NULL);
	if (a.nl_pid != h->portid)
		nl_die(e, "its port id reads back otherwise than it was dumped", 0, NULL);
	al = sizeof(a);
	if (getpeername(t, (struct sockaddr *)&a, &al))
		nl_die(e, "getpeername", errno, NULL);
	if (a.nl_pid != h->dst_portid || a.nl_groups != h->dst_group)
		nl_die(e, "its peer reads back otherwise than it was dumped", 0, NULL);
	g = calloc(GROUP_WORDS, sizeof(*g));
	if (!g)
		nl_die(e, "its groups", ENOMEM, NULL);
	err = read_groups(t, g, &nr);
	if (err)
		nl_die(e, "NETLINK_LIST_MEMBERSHIPS", -err, NULL);
	if (nr != h->nr_groups || memcmp(g, p->groups, nr * sizeof(*g)))
		nl_die(e, "its groups read back otherwise than they were dumped", 0, NULL);
	free(g);
	fo = opts_of(h, p);
	err = famsock_check_opts(t, &fo, &label);
	if (err == -ESTALE)
		rf_stub_die("cannot restore fd %d (netlink socket): %s reads back otherwise than it was dumped",
			    e->rec->fd, label);
	if (err)
		nl_die(e, label, -err, " (reading it back)");

	err = sockfilter_check(t, p->filter, h->nr_filter);
	if (err)
		nl_die(e, err == -ESTALE ? "its filter reads back otherwise than it was dumped" :
		       "SO_GET_FILTER", err == -ESTALE ? 0 : -err, NULL);
	if (poll(&pfd, 1, 0) < 0)
		nl_die(e, "poll", errno, NULL);
	if (((uint32_t)pfd.revents & ~(uint32_t)POLLIN) != h->events)
		rf_stub_die("cannot restore fd %d (netlink socket): the new socket polls 0x%x, the dumped one 0x%x",
			    e->rec->fd, (unsigned int)pfd.revents, h->events);
}

static int netlink_open(struct restore_files_state *s, int i, bool *own)
{
	const struct rf_fd *e = &s->fds[i];
	const struct rec_netlink *h = e->priv;
	struct sockaddr_nl a = { .nl_family = AF_NETLINK };
	struct famsock_opts fo;
	const char *label = "?";
	struct nl_parts p;
	int t, err;

	(void)own;
	parts(h, &p);
	t = socket(AF_NETLINK, (int)h->type | SOCK_CLOEXEC, (int)h->protocol);
	if (t < 0)
		nl_die(e, "socket", errno, NULL);
	fo = opts_of(h, &p);
	err = famsock_set_opts(t, &fo, &label);
	if (err)
		nl_die(e, label, -err, NULL);

	if (h->flags & REC_NETLINK_BOUND) {
		a.nl_pid = h->portid;
		if (bind(t, (struct sockaddr *)&a, sizeof(a)))
			nl_die(e, "bind", errno, errno == EADDRINUSE ?
			       " (another socket holds the port id: is the dumped process still running?)" :
			       NULL);
	}
	for (uint32_t w = 0; w < h->nr_groups; w++)
		for (int b = 0; b < 32; b++) {
			int grp = (int)(w * 32 + (uint32_t)b + 1);

			if (!(p.groups[w] & (1u << b)))
				continue;
			if (setsockopt(t, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp))) {
				char what[64];

				snprintf(what, sizeof(what), "joining group %d (NETLINK_ADD_MEMBERSHIP)",
					 grp);
				nl_die(e, what, errno, NULL);
			}
		}
	if (h->flags & REC_NETLINK_CONNECTED) {
		struct sockaddr_nl d = { .nl_family = AF_NETLINK, .nl_pid = h->dst_portid,
					 .nl_groups = h->dst_group };

		if (connect(t, (struct sockaddr *)&d, sizeof(d)))
			nl_die(e, "connect", errno, NULL);
	}
	if (h->nr_filter && (err = sockfilter_attach(t, p.filter, h->nr_filter)))
		nl_die(e, "SO_ATTACH_FILTER", -err, NULL);
	if (h->flags & REC_NETLINK_FILTER_LOCKED) {
		int one = 1;

		if (setsockopt(t, SOL_SOCKET, SO_LOCK_FILTER, &one, sizeof(one)))
			nl_die(e, "SO_LOCK_FILTER", errno, NULL);
	}
	nl_check_back(e, t, &p);
	return t;
}

/* ---- show ---- */

static int netlink_describe(const void *data, size_t len, bool json, char *buf, size_t size)
{
	const struct rec_netlink *h = data;
	struct famsock_opts fo;
	struct nl_parts p;
	char d[80];
	size_t n;
	bool first = true;

	if (!size || !h || netlink_rec_bad(h, len))
		return -EINVAL;
	parts(h, &p);
	describe(h->protocol, h->portid, d, sizeof(d));
	if (json)
		n = (size_t)snprintf(buf, size, "{\"socket\":\"%s\",\"protocol\":%u,\"type\":\"%s\",\"port\":%d,\"peer_port\":%d,\"peer_group\":%u,\"filter\":%u,\"filter_locked\":%s,\"groups\":[",
				     d, h->protocol, h->type == SOCK_RAW ? "raw" : "dgram",
				     (int32_t)h->portid, (int32_t)h->dst_portid, h->dst_group,
				     h->nr_filter,
				     h->flags & REC_NETLINK_FILTER_LOCKED ? "true" : "false");
	else
		n = (size_t)snprintf(buf, size, "%s %s", d, h->type == SOCK_RAW ? "raw" : "dgram");
	if (!json && h->nr_groups && n < size)
		n += (size_t)snprintf(buf + n, size - n, " groups");
	for (uint32_t w = 0; w < h->nr_groups; w++)
		for (int b = 0; b < 32 && n < size; b++)
			if (p.groups[w] & (1u << b)) {
				n += (size_t)snprintf(buf + n, size - n, json ? "%s%u" : "%s%u",
						      first ? (json ? "" : " ") : ",",
						      w * 32 + (uint32_t)b + 1);
				first = false;
			}
	if (json && n < size)
		n += (size_t)snprintf(buf + n, size - n, "],\"options\":{");
	if (!json && h->flags & REC_NETLINK_CONNECTED && n < size)
		n += (size_t)snprintf(buf + n, size - n, " connected to port %d group %u",
				      (int32_t)h->dst_portid, h->dst_group);
	if (!json && h->nr_filter && n < size)
		n += (size_t)snprintf(buf + n, size - n, " filter %u insns%s", h->nr_filter,
				      h->flags & REC_NETLINK_FILTER_LOCKED ? " locked" : "");
	fo = opts_of(h, &p);
	if (n < size)
		n += famsock_opts_str(&fo, json, buf + n, size - n);
	if (json && n < size)
		snprintf(buf + n, size - n, "}}");
	return 0;
}

static int netlink_show(struct show_ctx *sc, const struct rec_fd *rec)
{
	return famsock_show(sc, rec, IMG_REC_NETLINK, netlink_describe);
}

const struct fd_kind fd_kind_netlink = {
	.kind = REC_FD_NETLINK,
	.name = "netlink socket",
	.show_name = "netlink-socket",
	.records = { IMG_REC_NETLINK },
	.recognise = netlink_recognise,
	.dump = netlink_dump_op,
	.check_record = netlink_check_record,
	.check_table = famsock_check_table,
	.open = netlink_open,
	.show_records = netlink_show,
};
