// SPDX-License-Identifier: MIT
/*
 * What the netlink and packet socket kinds (netlink.c, packet.c) share
 * (sockopt.h): their family's int options, kept as struct rec_inet_opt
 * beside the SOL_SOCKET ones of inet.c's table; their classic BPF filter;
 * and a walk of a sock_diag dump (NETLINK_SOCK_DIAG), which tells of
 * their sockets what getsockopt cannot (queues, groups, rings, fanout,
 * memberships).
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "image.h"
#include <sudcr/log.h>

#include "../show.h"
#include "fd.h"
#include "files.h"
#include "sockopt.h"

/* ---- int options of a family's own level ---- */

static const struct famopt *famopt_find(const struct famopt *tab, size_t nr, int level, int name)
{
	for (size_t k = 0; k < nr; k++)
		if (tab[k].level == level && tab[k].name == name)
			return &tab[k];
	return NULL;
}

static int get_int(int s, int level, int name, int *v)
{
	socklen_t len = sizeof(*v);

	*v = 0;
	if (getsockopt(s, level, name, v, &len))
		return -errno;
	return len == sizeof(*v) ? 0 : -EINVAL;
}

int famopts_read(int fd, const char *what, int s, int fresh, const struct famopt *tab, size_t nr,
		 struct rec_inet_opt *opts)
{
	int n = 0;

	for (size_t k = 0; k < nr; k++) {
		int v, f, ve = get_int(s, tab[k].level, tab[k].name, &v);
		int fe = get_int(fresh, tab[k].level, tab[k].name, &f);

		if (ve && fe)
			continue;	/* not on this kernel */
		if (ve) {
			sudcr_error("fd %d (%s): %s cannot be read back (%s), so it cannot be restored",
				    fd, what, tab[k].label, strerror(-ve));
			return ve;
		}
		if (!fe && v == f)
			continue;
		memset(&opts[n], 0, sizeof(opts[n]));
		opts[n].level = tab[k].level;
		opts[n].name = tab[k].name;
		opts[n].len = sizeof(int);
		memcpy(opts[n].val, &v, sizeof(v));
		n++;
	}
	return n;
}

const char *famopts_bad(const struct rec_inet_opt *o, uint32_t nr, const struct famopt *tab,
			size_t nr_tab)
{
	if (nr > nr_tab)
		return "too many options";
	for (uint32_t k = 0; k < nr; k++) {
		if (!famopt_find(tab, nr_tab, o[k].level, o[k].name) || o[k].len != sizeof(int) ||
		    o[k].pad)
			return "an option sudcr does not restore";
		for (uint32_t j = 0; j < k; j++)
			if (o[j].level == o[k].level && o[j].name == o[k].name)
				return "an option twice";
		for (uint32_t b = sizeof(int); b < sizeof(o[k].val); b++)
			if (o[k].val[b])
				return "bytes past an option's value";
	}
	return NULL;
}

const char *famopt_label(const struct rec_inet_opt *o, const struct famopt *tab, size_t nr)
{
	const struct famopt *d = famopt_find(tab, nr, o->level, o->name);

	return d ? d->label : "?";
}

int famopt_set(int t, const struct rec_inet_opt *o)
{
	int v;

	memcpy(&v, o->val, sizeof(v));
	return setsockopt(t, o->level, o->name, &v, sizeof(v)) ? -errno : 0;
}

int famopt_check(int t, const struct rec_inet_opt *o)
{
	int v, want, err = get_int(t, o->level, o->name, &v);

	memcpy(&want, o->val, sizeof(want));
	if (err)
		return err;
	return v == want ? 0 : -ESTALE;
}

size_t famopt_str(const struct rec_inet_opt *o, const struct famopt *tab, size_t nr, bool json,
		  char *buf, size_t size)
{
	int v;

	memcpy(&v, o->val, sizeof(v));
	return (size_t)snprintf(buf, size, json ? "\"%s\":%d" : " %s=%d", famopt_label(o, tab, nr), v);
}

int sockopt_u32(int s, int level, int name, uint32_t *v)
{
	int x = 0;
	socklen_t len = sizeof(x);

	if (getsockopt(s, level, name, &x, &len))
		return -errno;
	*v = (uint32_t)x;
	return 0;
}

/* ---- the classic BPF filter ---- */

int sockfilter_read(int fd, const char *what, int s, struct sock_filter **filter, uint32_t *nr,
		    bool *locked)
{
	socklen_t len = 0;
	int v;

	*filter = NULL;
	*nr = 0;
	*locked = false;
	if (getsockopt(s, SOL_SOCKET, SO_GET_FILTER, NULL, &len)) {
		int err = -errno;

		if (err == -EACCES)
			sudcr_error("fd %d (%s): an eBPF socket filter (SO_ATTACH_BPF) is attached, which cannot be read back",
				    fd, what);
		else
			sudcr_error("fd %d (%s): SO_GET_FILTER: %s", fd, what, strerror(-err));
		return err;
	}
	if (!get_int(s, SOL_SOCKET, SO_LOCK_FILTER, &v) && v)
		*locked = true;
	if (!len)
		return 0;
	if (len > SOCKFILTER_MAX) {
		sudcr_error("fd %d (%s): a socket filter of %u instructions", fd, what, len);
		return -EINVAL;
	}
	*filter = calloc(len, sizeof(**filter));
	if (!*filter)
		return -ENOMEM;
	*nr = len;
	errno = 0;
	if (getsockopt(s, SOL_SOCKET, SO_GET_FILTER, *filter, &len) || len != *nr) {
		int err = errno ? -errno : -EIO;

		sudcr_error("fd %d (%s): SO_GET_FILTER: %s", fd, what, strerror(-err));
		free(*filter);
		*filter = NULL;
		return err;
	}
	return 0;
}

int sockfilter_attach(int t, const struct sock_filter *f, uint32_t nr)
{
	struct sock_fprog prog = { .len = (unsigned short)nr, .filter = (struct sock_filter *)f };

	return setsockopt(t, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) ? -errno : 0;
}

int sockfilter_check(int t, const struct sock_filter *f, uint32_t nr)
{
	struct sock_filter got[SOCKFILTER_MAX];
	socklen_t len = 0;

	if (getsockopt(t, SOL_SOCKET, SO_GET_FILTER, NULL, &len))
		return -errno;
	if (len != nr)
		return -ESTALE;
	if (!nr)
		return 0;
	if (getsockopt(t, SOL_SOCKET, SO_GET_FILTER, got, &len))
		return -errno;
	return len == nr && !memcmp(got, f, nr * sizeof(*f)) ? 0 : -ESTALE;
}

/* ---- sock_diag ---- */

int sockdiag_walk(const void *req, size_t len, int (*one)(const struct nlmsghdr *h, void *arg),
		  void *arg)
{
	static char buf[32768];
	int nl, ret = 0;

	nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (nl < 0)
		return -errno;
	if (send(nl, req, len, 0) != (ssize_t)len) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		ssize_t n = recv(nl, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			goto out;
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE)
				goto out;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				ret = h->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) && e->error ?
				      e->error : -EIO;
				goto out;
			}
			ret = one(h, arg);
			if (ret)
				goto out;
		}
	}
out:
	close(nl);
	return ret;
}

/* ---- both lists of options: the SOL_SOCKET ones (inet.c's table), then the family's ---- */

int famsock_set_opts(int t, const struct famsock_opts *o, const char **label)
{
	int err;

	for (uint32_t k = 0; k < o->nr; k++) {
		err = sockopt_set(t, &o->opts[k], label);
		if (err)
			return err;
	}
	for (uint32_t k = 0; k < o->nr_fam; k++) {
		*label = famopt_label(&o->fam[k], o->tab, o->nr_tab);
		err = famopt_set(t, &o->fam[k]);
		if (err)
			return err;
	}
	return 0;
}

int famsock_check_opts(int t, const struct famsock_opts *o, const char **label)
{
	int err;

	for (uint32_t k = 0; k < o->nr; k++) {
		err = sockopt_check(t, &o->opts[k], label);
		if (err)
			return err;
	}
	for (uint32_t k = 0; k < o->nr_fam; k++) {
		*label = famopt_label(&o->fam[k], o->tab, o->nr_tab);
		err = famopt_check(t, &o->fam[k]);
		if (err)
			return err;
	}
	return 0;
}

size_t famsock_opts_str(const struct famsock_opts *o, bool json, char *buf, size_t size)
{
	size_t n = 0;

	if (!json && o->nr + o->nr_fam)
		n += (size_t)snprintf(buf, size, " options:");
	for (uint32_t k = 0; k < o->nr + o->nr_fam && n < size; k++) {
		if (json && k)
			n += (size_t)snprintf(buf + n, size - n, ",");
		if (n >= size)
			break;
		if (k < o->nr)
			n += sockopt_str(&o->opts[k], json, buf + n, size - n);
		else
			n += famopt_str(&o->fam[k - o->nr], o->tab, o->nr_tab, json, buf + n, size - n);
	}
	return n;
}

/* ---- show ---- */

int famsock_show(struct show_ctx *sc, const struct rec_fd *rec, uint32_t rec_type,
		 int (*describe)(const void *data, size_t len, bool json, char *buf, size_t size))
{
	const void *data;
	uint32_t type;
	size_t len;
	char buf[8192];
	int ret;

	img_rewind(sc->img);
	while ((ret = img_next_record(sc->img, &type, &data, &len)) == 1) {
		if (type != rec_type || len < sizeof(int32_t) || *(const int32_t *)data != rec->fd)
			continue;
		if (describe(data, len, sc->json, buf, sizeof(buf)))
			return -EINVAL;
		if (sc->json)
			fprintf(sc->out, ",\"socket\":%s", buf);
		else
			fprintf(sc->out, "      socket: %s\n", buf);
		break;
	}
	return ret < 0 ? ret : 0;
}

/* ---- restore: validation ---- */

int famsock_check_record(struct restore_ctx *r, struct restore_files_state *s, uint32_t kind,
			 const void *data, size_t len, size_t min_len,
			 const char *(*bad)(const void *data, size_t len))
{
	const char *name = fd_kind(kind)->name, *why;
	int32_t fd;
	int i;

	if (len < min_len || len < sizeof(fd))
		return img_record_invalid(r->img, "bad %s record length", name);
	memcpy(&fd, data, sizeof(fd));
	i = rf_find_fd(s, fd);
	if (i < 0 || s->fds[i].rec->kind != kind || s->fds[i].desc != i || s->fds[i].priv)
		return img_record_invalid(r->img, "%s record for fd %d, which is no %s description before it",
					  name, fd, name);
	why = bad(data, len);
	if (why)
		return img_record_invalid(r->img, "fd %d (%s): %s", fd, name, why);
	s->fds[i].priv = data;
	return 0;
}

int famsock_check_table(struct restore_files_state *s, int i)
{
	const char *name = fd_kind(s->fds[i].rec->kind)->name;

	if (s->fds[i].desc == i && !s->fds[i].priv) {
		sudcr_error("image: fd %d (%s): no %s record", s->fds[i].rec->fd, name, name);
		return -EINVAL;
	}
	return 0;
}
