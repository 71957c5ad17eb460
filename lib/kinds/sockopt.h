/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_KINDS_SOCKOPT_H
#define SUDCR_KINDS_SOCKOPT_H

/*
 * Socket options kept as struct rec_inet_opt (lib/kinds/inet.c's table),
 * for the socket kinds: inet.c and unix_named.c.  A socket's options are
 * those of the table that differ from a new socket's of the same family,
 * type and protocol; options of other levels than the socket's own
 * (IPPROTO_IP on AF_UNIX) are not on either, and so not kept.
 */

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "image_records.h"

#define SOCKOPTS_MAX	160

/* Into @opts (room for SOCKOPTS_MAX): their number, or -errno (reported, "fd N (WHAT): ..."). */
int sockopts_read(int fd, const char *what, int s, int fresh, int family, int protocol,
		  struct rec_inet_opt *opts);
/* An image's options: a message naming what is wrong, or NULL. */
const char *sockopts_bad(const struct rec_inet_opt *o, uint32_t nr, int family, int protocol);
/* Set @o on @t: 0 or -errno; *label names it. */
int sockopt_set(int t, const struct rec_inet_opt *o, const char **label);
/* 0 if @o reads back from @t as kept; -errno, or -ESTALE if otherwise. */
int sockopt_check(int t, const struct rec_inet_opt *o, const char **label);
/* show's text (" NAME=VALUE") or JSON member of @o into buf; its length. */
size_t sockopt_str(const struct rec_inet_opt *o, bool json, char *buf, size_t size);

/*
 * netsock.c, for netlink.c and packet.c: int options of a family's own
 * level (SOL_NETLINK, SOL_PACKET), a table of each kind's, kept as struct
 * rec_inet_opt too (len 4); the classic BPF filter; a sock_diag walk.
 */
struct famopt {
	int level, name;
	const char *label;
};
#define FAMOPT(l, n)	{ l, n, #n }

/* Those of @tab that differ on @s from @fresh, into @opts (room for @nr): how many, or -errno (reported). */
int famopts_read(int fd, const char *what, int s, int fresh, const struct famopt *tab, size_t nr,
		 struct rec_inet_opt *opts);
/* An image's: a message naming what is wrong, or NULL. */
const char *famopts_bad(const struct rec_inet_opt *o, uint32_t nr, const struct famopt *tab,
			size_t nr_tab);
const char *famopt_label(const struct rec_inet_opt *o, const struct famopt *tab, size_t nr);
/* Set @o on @t; read it back: 0, -errno, or -ESTALE if it differs. */
int famopt_set(int t, const struct rec_inet_opt *o);
int famopt_check(int t, const struct rec_inet_opt *o);
size_t famopt_str(const struct rec_inet_opt *o, const struct famopt *tab, size_t nr, bool json,
		  char *buf, size_t size);

/* An int socket option of @s as a uint32_t: 0, or -errno. */
int sockopt_u32(int s, int level, int name, uint32_t *v);

#define SOCKFILTER_MAX	4096	/* BPF_MAXINSNS */
struct sock_filter;
/*
 * The classic BPF filter of @s into *filter (malloc'ed), its length in
 * *nr, SO_LOCK_FILTER in *locked; 0 or -errno, reported ("fd N (WHAT):
 * ..."); an eBPF filter cannot be read back and is refused.
 */
int sockfilter_read(int fd, const char *what, int s, struct sock_filter **filter, uint32_t *nr,
		    bool *locked);
/* Attach @f (@nr instructions) to @t; whether @t's filter is @f (-ESTALE if not). 0 or -errno. */
int sockfilter_attach(int t, const struct sock_filter *f, uint32_t nr);
int sockfilter_check(int t, const struct sock_filter *f, uint32_t nr);

/* A socket's two lists of options: SOL_SOCKET ones (inet.c's table), then its family's (@tab). */
struct famsock_opts {
	const struct rec_inet_opt *opts, *fam;
	uint32_t nr, nr_fam;
	const struct famopt *tab;
	size_t nr_tab;
};
/* Set each on @t, in order; read each back (-ESTALE: otherwise). 0 or -errno, *label the option's. */
int famsock_set_opts(int t, const struct famsock_opts *o, const char **label);
int famsock_check_opts(int t, const struct famsock_opts *o, const char **label);
/* show's " options: A=1 B=2", or JSON members "A":1,"B":2; the length. */
size_t famsock_opts_str(const struct famsock_opts *o, bool json, char *buf, size_t size);

struct show_ctx;
struct rec_fd;
/*
 * show: the first record of @rec_type of description @rec (its fd first
 * in the record), through @describe: a "socket" JSON member or a line.
 */
int famsock_show(struct show_ctx *sc, const struct rec_fd *rec, uint32_t rec_type,
		 int (*describe)(const void *data, size_t len, bool json, char *buf, size_t size));

struct restore_ctx;
struct restore_files_state;
/*
 * The check_record op of a socket kind whose record (@min_len at least,
 * its fd first) is one per description of fd kind @kind, right after it:
 * the description is there and has no record yet, @bad (a message or
 * NULL) takes it; its priv is then the record.  Its check_table op: every
 * description has one.
 */
int famsock_check_record(struct restore_ctx *r, struct restore_files_state *s, uint32_t kind,
			 const void *data, size_t len, size_t min_len,
			 const char *(*bad)(const void *data, size_t len));
int famsock_check_table(struct restore_files_state *s, int i);

struct nlmsghdr;
/*
 * Send sock_diag request @req (NLM_F_DUMP) and give each answer to @one
 * until the dump is done, or @one returns non-zero (returned).  0 or -errno.
 */
int sockdiag_walk(const void *req, size_t len, int (*one)(const struct nlmsghdr *h, void *arg),
		  void *arg);

/*
 * inet_mcast.c: 0 when socket @s (fd @fd of the process, described by
 * @what) has joined no multicast group; else one line and -EOPNOTSUPP.
 */
int inet_check_multicast(int fd, int s, int family, const char *what);

#endif
