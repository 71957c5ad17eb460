// SPDX-License-Identifier: MIT
/*
 * The network lock (IMG_REC_NETLOCK) of a dump with --tcp-established.
 * Between the dump, which kills the process, and the restore, the
 * kernel would answer every packet of a dumped connection with a reset:
 * no socket holds it.  While the image exists and the process does not,
 * an nftables table of family inet, "sudcr_PID_RANDOM", drops in the
 * input and output hooks (priority -300, before conntrack) the packets
 * of exactly the dumped connections, both ways: two sets of (local
 * address, port, peer address, port), one per IP version, each matched
 * in both directions, so that a peer on this machine (whose packets go
 * out and come in through the loopback) is held like a remote one.
 * Nothing else on the machine is touched.  The peer retransmits into the
 * lock and keeps the connection; what it sent meanwhile arrives once,
 * after the restore, when the lock is gone.
 *
 * The rules are made by the nft program (the nftables package) in one
 * transaction (`nft -f -`): all of them or none.  The kernel mechanism
 * was chosen over holding the sockets in some process of sudcr's (the
 * dump ends; the image outlives it) and over iptables (nftables is the
 * current interface; sets keep 1,000 connections one lookup).
 *
 * Dump: inet.c adds every established connection of the process
 * (netlock_add) and takes the lock for all of them (netlock_take) before
 * any socket is put in repair mode; tcp.c reads each in repair mode and
 * takes it out again, and notes it (netlock_dumped).  Right before the
 * process is killed, every socket goes back into repair mode: it closes
 * in it (no FIN, no reset, no orphan keeping the 4-tuple), and the lock
 * stays, said so in the image (REC_NETLOCK_HELD).  When it is not killed
 * (the dump failed, or --leave-running), the lock goes: the process goes
 * on with its connections as found.  A guard process started with
 * the lock does the same if sudcr dies before it is done and the process
 * lives on (guard_run()).
 *
 * Restore: an image whose lock is held needs --tcp-established (one
 * line otherwise).  Once every socket is back (the finish step, after
 * the stubs made them), the table is deleted.  A restore that fails
 * leaves the lock: the peer still waits, and the image can be restored
 * again; `sudcr netlock --lift` (show prints NAME; --list lists them)
 * lifts it for good.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cr.h"
#include "image.h"
#include "image_records.h"
#include <sudcr/log.h>

#include "../show.h"
#include "kinds.h"
#include "netlock.h"
#include "tcp.h"

_Static_assert(sizeof(struct rec_netlock) == 40, "rec_netlock layout");
_Static_assert(sizeof(struct rec_netlock_conn) == 40, "rec_netlock_conn layout");

#define NETLOCK_MAX	(1u << 20)	/* connections in one lock */

struct netlock_entry {
	struct rec_netlock_conn c;
	int fd;
	uint64_t ino;
	bool dumped;		/* read: back into repair mode before the kill */
	int reuse;
};

struct netlock_dump {
	char table[32];
	bool taken;
	int pidfd;
	int nr, cap;
	struct netlock_entry *e;
	pid_t guard;		/* the guard (below), 0 if none */
	int guard_w;		/* its pipe: a byte, or EOF when sudcr dies */
};

bool netlock_name_ok(const char *name, size_t size)
{
	size_t n = strnlen(name, size);

	if (n == size || n <= 6 || strncmp(name, "sudcr_", 6))
		return false;
	for (size_t k = 0; k < n; k++)
		if (!((name[k] >= 'a' && name[k] <= 'z') || (name[k] >= '0' && name[k] <= '9') ||
		      name[k] == '_'))
			return false;
	for (size_t k = n; k < size; k++)
		if (name[k])
			return false;
	return true;
}

/* ---- nft ---- */

/*
 * Run `nft -f -` with @script on its stdin, its output (stdout and stderr)
 * into @out; 0, or -EIO with nft's first line of complaint in @out (or
 * why it did not run).
 */
/* Where the nft program is, or NULL. */
static const char *nft_path(void)
{
	static const char *const paths[] = { "/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft", NULL };

	for (int k = 0; paths[k]; k++)
		if (!access(paths[k], X_OK))
			return paths[k];
	return NULL;
}

static int nft_output(const char *script, char *err, size_t errsize)
{
	char *const argv[] = { "nft", "-f", "-", NULL };
	posix_spawn_file_actions_t fa;
	int in[2], out[2], status, ret = -ENOENT;
	size_t len = strlen(script), done = 0, got = 0;
	const char *path = nft_path();
	pid_t pid;

	err[0] = '\0';
	if (!path) {
		snprintf(err, errsize, "the nft program (Debian package nftables) is not installed");
		return -ENOENT;
	}
	if (pipe2(in, O_CLOEXEC))
		return -errno;
	if (pipe2(out, O_CLOEXEC)) {
		ret = -errno;
		close(in[0]);
		close(in[1]);
		return ret;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, out[1], 2);
	ret = posix_spawn(&pid, path, &fa, NULL, argv, (char *const[]){ "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL });
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(out[1]);
	if (ret) {
		snprintf(err, errsize, "cannot run %s: %s", path, strerror(ret));
		close(in[1]);
		close(out[0]);
		return -ret;
	}
	while (done < len) {
		ssize_t n = write(in[1], script + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	close(in[1]);
	for (;;) {
		ssize_t n = read(out[0], err + got, errsize - 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
		if (got == errsize - 1) {
			char sink[256];

			while (read(out[0], sink, sizeof(sink)) > 0)
				;
			break;
		}
	}
	err[got] = '\0';
	close(out[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && !WEXITSTATUS(status) && done == len)
		return 0;
	/* One line: nft's first. */
	err[strcspn(err, "\n")] = '\0';
	if (!err[0])
		snprintf(err, errsize, "nft exited with status %d", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return -EIO;
}

/* The same, @err its first line only. */
static int nft_run(const char *script, char *err, size_t errsize)
{
	int ret = nft_output(script, err, errsize);

	err[strcspn(err, "\n")] = '\0';
	return ret;
}

static int nft_delete(const char *table, char *err, size_t errsize)
{
	char script[96];

	snprintf(script, sizeof(script), "delete table inet %s\n", table);
	return nft_run(script, err, errsize);
}

/* Appends to a growing string; false once out of memory (then it stays so). */
struct sbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

static void __attribute__((format(printf, 2, 3))) sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if (b->s && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = (b->cap ? b->cap * 2 : 4096) + (size_t)n;
		char *s = realloc(b->s, cap);

		if (!s) {
			b->oom = true;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
}

static void conn_str(const struct rec_netlock_conn *c, bool peer, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN] = "?";

	inet_ntop(c->family == AF_INET6 ? AF_INET6 : AF_INET, peer ? c->peer_addr : c->addr, a,
		  sizeof(a));
	snprintf(buf, size, "%s . %u", a, peer ? c->peer_port : c->port);
}

/* The table, its sets and chains, and the elements, as one nft script. */
static char *lock_script(const struct netlock_dump *l)
{
	static const char *const chains[][2] = { { "in", "input" }, { "out", "output" } };
	struct sbuf b = { 0 };

	sb_add(&b, "table inet %s {\n"
		   "\tset c4 { type ipv4_addr . inet_service . ipv4_addr . inet_service; }\n"
		   "\tset c6 { type ipv6_addr . inet_service . ipv6_addr . inet_service; }\n", l->table);
	for (int h = 0; h < 2; h++)
		sb_add(&b, "\tchain %s { type filter hook %s priority -300; policy accept;\n"
			   "\t\tip saddr . tcp sport . ip daddr . tcp dport @c4 drop\n"
			   "\t\tip daddr . tcp dport . ip saddr . tcp sport @c4 drop\n"
			   "\t\tip6 saddr . tcp sport . ip6 daddr . tcp dport @c6 drop\n"
			   "\t\tip6 daddr . tcp dport . ip6 saddr . tcp sport @c6 drop\n"
			   "\t}\n", chains[h][0], chains[h][1]);
	sb_add(&b, "}\n");
	for (int six = 0; six < 2; six++) {
		bool first = true;

		for (int k = 0; k < l->nr; k++) {
			const struct rec_netlock_conn *c = &l->e[k].c;
			char a[80], p[80];

			if ((c->family == AF_INET6) != six)
				continue;
			conn_str(c, false, a, sizeof(a));
			conn_str(c, true, p, sizeof(p));
			if (first)
				sb_add(&b, "add element inet %s %s { ", l->table, six ? "c6" : "c4");
			sb_add(&b, "%s%s . %s", first ? "" : ", ", a, p);
			first = false;
		}
		if (!first)
			sb_add(&b, " }\n");
	}
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

/* ---- dump ---- */

int netlock_add(struct dump_ctx *d, const struct rec_netlock_conn *c, int fd, uint64_t ino)
{
	struct netlock_dump *l = d->netlock;

	if (!l) {
		l = calloc(1, sizeof(*l));
		if (!l)
			return -ENOMEM;
		l->pidfd = -1;
		l->guard_w = -1;
		d->netlock = l;
	}
	for (int k = 0; k < l->nr; k++)
		if (l->e[k].ino == ino)
			return 0;
	if ((unsigned int)l->nr == NETLOCK_MAX) {
		sudcr_error("more than %u established TCP connections: not supported", NETLOCK_MAX);
		return -E2BIG;
	}
	if (l->nr == l->cap) {
		int cap = l->cap ? l->cap * 2 : 16;
		struct netlock_entry *e = realloc(l->e, (size_t)cap * sizeof(*e));

		if (!e)
			return -ENOMEM;
		l->e = e;
		l->cap = cap;
	}
	l->e[l->nr++] = (struct netlock_entry){ .c = *c, .fd = fd, .ino = ino, .reuse = -1 };
	return 0;
}

/*
 * The guard: a child of sudcr's that waits on a pipe while the lock is
 * taken for a dump.  sudcr writes a byte once it has dealt with the lock
 * itself (kept it for a killed process, or undone it).  EOF means sudcr
 * died in between: if the process still lives (sudcr's death let it go),
 * the guard takes each of its sockets out of repair mode (SO_REUSEADDR as
 * it was) and deletes the table, so that the process goes on with its
 * connections; if it is dead, its sockets closed in repair mode and the
 * lock stays for its image (sudcr netlock --lift).  Only async-signal-safe
 * calls after the fork.
 */
static void __attribute__((noreturn)) guard_run(const struct netlock_dump *l, int rfd, const char *nft)
{
	char *const argv[] = { "nft", "delete", "table", "inet", (char *)l->table, NULL };
	struct pollfd p = { .fd = l->pidfd, .events = POLLIN };
	int lo = rfd < l->pidfd ? rfd : l->pidfd, hi = rfd < l->pidfd ? l->pidfd : rfd;
	ssize_t n;
	char c;

	/* Nothing of sudcr's held meanwhile but its stdio, the pipe and the pidfd. */
	if (lo > 3)
		syscall(SYS_close_range, 3, lo - 1, 0);
	if (hi > lo + 1)
		syscall(SYS_close_range, lo + 1, hi - 1, 0);
	syscall(SYS_close_range, hi + 1, ~0U, 0);
	do
		n = read(rfd, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n == 1 || poll(&p, 1, 0) != 0)
		_exit(0);
	for (int k = 0; k < l->nr; k++) {
		const struct netlock_entry *e = &l->e[k];
		int g = (int)syscall(SYS_pidfd_getfd, l->pidfd, e->fd, 0), on = 0, off = TCP_REPAIR_OFF;
		socklen_t len = sizeof(on);

		if (g < 0)
			continue;
		if (!getsockopt(g, IPPROTO_TCP, TCP_REPAIR, &on, &len) && on &&
		    !setsockopt(g, IPPROTO_TCP, TCP_REPAIR, &off, sizeof(off)) && e->reuse >= 0)
			setsockopt(g, SOL_SOCKET, SO_REUSEADDR, &e->reuse, sizeof(e->reuse));
		close(g);
	}
	if (nft)
		execv(nft, argv);
	_exit(1);
}

/* The guard started, before the table is made; 0 or -errno (reported). */
static int guard_start(struct netlock_dump *l)
{
	const char *nft = nft_path();
	int p[2], err;

	if (pipe2(p, O_CLOEXEC)) {
		err = -errno;
		sudcr_error("cannot make a pipe for the network lock's guard: %s", strerror(-err));
		return err;
	}
	l->guard = fork();
	if (l->guard < 0) {
		err = -errno;
		l->guard = 0;
		close(p[0]);
		close(p[1]);
		sudcr_error("cannot start the network lock's guard: %s", strerror(-err));
		return err;
	}
	if (!l->guard) {
		close(p[1]);
		guard_run(l, p[0], nft);
	}
	close(p[0]);
	l->guard_w = p[1];
	return 0;
}

/* sudcr has dealt with the lock: the guard goes. */
static void guard_stop(struct netlock_dump *l)
{
	int status;

	if (!l->guard)
		return;
	if (write(l->guard_w, "d", 1) != 1)
		sudcr_debug("network lock guard: %s", strerror(errno));
	close(l->guard_w);
	while (waitpid(l->guard, &status, 0) < 0 && errno == EINTR)
		;
	l->guard = 0;
}

int netlock_take(struct dump_ctx *d)
{
	struct netlock_dump *l = d->netlock;
	char err[512], *script;
	uint32_t rnd = 0;
	int ret;

	if (!l || !l->nr || l->taken)
		return 0;
	if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
		rnd = (uint32_t)getpid() ^ (uint32_t)time(NULL);
	snprintf(l->table, sizeof(l->table), "sudcr_%d_%08x", d->pid, rnd);
	l->pidfd = (int)syscall(SYS_pidfd_open, d->proc_pid, d->leader_zombie ? O_EXCL : 0);
	if (l->pidfd < 0) {
		ret = -errno;
		sudcr_error("pidfd_open(%d): %s", d->pid, strerror(-ret));
		return ret;
	}
	/* SO_REUSEADDR as the process has it, for whoever takes the sockets out of repair mode. */
	for (int k = 0; k < l->nr; k++) {
		int g = (int)syscall(SYS_pidfd_getfd, l->pidfd, l->e[k].fd, 0);
		socklen_t len = sizeof(l->e[k].reuse);

		if (g < 0 || getsockopt(g, SOL_SOCKET, SO_REUSEADDR, &l->e[k].reuse, &len)) {
			ret = -errno;
			sudcr_error("fd %d: SO_REUSEADDR: %s", l->e[k].fd, strerror(-ret));
			if (g >= 0)
				close(g);
			return ret;
		}
		close(g);
	}
	ret = guard_start(l);
	if (ret)
		return ret;
	script = lock_script(l);
	if (!script)
		return -ENOMEM;
	sudcr_debug("network lock %s: %d connections", l->table, l->nr);
	ret = nft_run(script, err, sizeof(err));
	free(script);
	if (ret) {
		sudcr_error("cannot lock the network for %d established TCP connection%s (--tcp-established needs nftables): %s",
			    l->nr, l->nr == 1 ? "" : "s", err);
		return ret;
	}
	l->taken = true;
	return 0;
}

bool netlock_holds(const struct dump_ctx *d, uint64_t ino)
{
	const struct netlock_dump *l = d->netlock;

	for (int k = 0; l && l->taken && k < l->nr; k++)
		if (l->e[k].ino == ino)
			return true;
	return false;
}

void netlock_dumped(struct dump_ctx *d, uint64_t ino, int reuse)
{
	struct netlock_dump *l = d->netlock;

	for (int k = 0; l && k < l->nr; k++)
		if (l->e[k].ino == ino) {
			l->e[k].dumped = true;
			l->e[k].reuse = reuse;
		}
}

/* The NETLOCK record, once the files' records are written. */
static int netlock_dump(struct dump_ctx *d)
{
	struct netlock_dump *l = d->netlock;
	struct rec_netlock *r;
	size_t len;
	int ret;

	if (!l || !l->taken)
		return 0;
	len = sizeof(*r) + (size_t)l->nr * sizeof(struct rec_netlock_conn);
	r = calloc(1, len);
	if (!r)
		return -ENOMEM;
	memcpy(r->table, l->table, sizeof(r->table));
	r->flags = d->opts.leave_running ? 0 : REC_NETLOCK_HELD;
	r->nr = (uint32_t)l->nr;
	for (int k = 0; k < l->nr; k++)
		((struct rec_netlock_conn *)(r + 1))[k] = l->e[k].c;
	ret = img_write_record(d->img, IMG_REC_NETLOCK, r, len);
	free(r);
	return ret;
}

/*
 * The process is about to be killed (@killed): every socket read goes
 * back into repair mode, to close in it, and the lock stays.  Otherwise
 * (the dump failed, or --leave-running) the lock goes; a socket still in
 * repair mode (a read that failed half-way) leaves it first.
 */
static void netlock_dump_done(struct dump_ctx *d, bool killed)
{
	struct netlock_dump *l = d->netlock;
	char err[512];

	if (!l)
		return;
	d->netlock = NULL;
	for (int k = 0; k < l->nr; k++) {
		struct netlock_entry *e = &l->e[k];
		int on = 0, mode = killed ? TCP_REPAIR_ON : TCP_REPAIR_OFF_NO_WP, g;
		socklen_t len = sizeof(on);

		if (killed && !e->dumped)
			continue;
		g = (int)syscall(SYS_pidfd_getfd, l->pidfd, e->fd, 0);
		/* Gone (killed by someone else): its sockets closed already. */
		if (g < 0 && errno == ESRCH)
			continue;
		if (g >= 0 && !killed && (getsockopt(g, IPPROTO_TCP, TCP_REPAIR, &on, &len) || !on)) {
			close(g);
			continue;
		}
		if (g < 0 || setsockopt(g, IPPROTO_TCP, TCP_REPAIR, &mode, sizeof(mode)) ||
		    (!killed && e->reuse >= 0 &&
		     setsockopt(g, SOL_SOCKET, SO_REUSEADDR, &e->reuse, sizeof(e->reuse))))
			sudcr_error(killed ? "fd %d: cannot put its TCP connection back in repair mode before the kill (%s): it will close with a FIN, held by the lock, and its 4-tuple may be taken at the restore" :
				    "fd %d: cannot take its TCP connection out of repair mode: %s", e->fd,
				    strerror(errno));
		if (g >= 0)
			close(g);
	}
	if (l->taken && killed)
		sudcr_info("network lock %s holds %d TCP connection%s until the restore", l->table,
			   l->nr, l->nr == 1 ? "" : "s");
	if (l->taken && !killed && nft_delete(l->table, err, sizeof(err)))
		sudcr_error("cannot remove the network lock (nft table inet %s): %s", l->table, err);
	guard_stop(l);
	if (l->pidfd >= 0)
		close(l->pidfd);
	free(l->e);
	free(l);
}

/* ---- restore ---- */

static const char *netlock_bad(const struct rec_netlock *r, size_t len)
{
	const struct rec_netlock_conn *c = (const struct rec_netlock_conn *)(r + 1);
	static const uint8_t zero[12];

	if (len < sizeof(*r) || !r->nr || r->nr > NETLOCK_MAX ||
	    len != sizeof(*r) + (size_t)r->nr * sizeof(*c))
		return "bad length";
	if (!netlock_name_ok(r->table, sizeof(r->table)))
		return "bad table name";
	if (r->flags & ~REC_NETLOCK_HELD)
		return "unknown flags";
	for (uint32_t k = 0; k < r->nr; k++)
		if ((c[k].family != AF_INET && c[k].family != AF_INET6) || !c[k].port ||
		    !c[k].peer_port ||
		    (c[k].family == AF_INET && (memcmp(c[k].addr + 4, zero, 12) ||
						memcmp(c[k].peer_addr + 4, zero, 12))))
			return "a bad connection";
	return NULL;
}

static int netlock_prepare(struct restore_ctx *r)
{
	const void *data;
	size_t len;
	int ret, n = 0;

	img_rewind(r->img);
	while ((ret = cr_next_of_type(r->img, IMG_REC_NETLOCK, &data, &len)) == 1) {
		const char *bad = netlock_bad(data, len);

		if (bad)
			return img_record_invalid(r->img, "network lock: %s", bad);
		if (++n > 1)
			return img_record_invalid(r->img, "two network lock records");
		r->netlock = data;
	}
	if (ret < 0)
		return ret;
	if (r->netlock && r->netlock->flags & REC_NETLOCK_HELD && !r->opts.tcp_established) {
		sudcr_error("%s: the image holds %u established TCP connection%s under a network lock (nft table inet %s): restore them with --tcp-established",
			    r->opts.dir, r->netlock->nr, r->netlock->nr == 1 ? "" : "s",
			    r->netlock->table);
		return -EOPNOTSUPP;
	}
	return 0;
}

/* Every socket is back (the stubs made them): out of repair mode, then the lock goes. */
static int netlock_finish(struct restore_ctx *r)
{
	char err[512];
	int ret = tcp_conns_release(r);

	if (ret)
		return ret;
	if (!r->netlock || !(r->netlock->flags & REC_NETLOCK_HELD))
		return 0;
	if (nft_delete(r->netlock->table, err, sizeof(err))) {
		/* The connections are back: a lock already gone is no reason to fail them. */
		sudcr_warn("network lock nft table inet %s: cannot remove it: %s", r->netlock->table,
			   err);
		return 0;
	}
	sudcr_debug("network lock %s removed", r->netlock->table);
	return 0;
}

/* ---- locks left (sudcr netlock) ---- */

int netlock_list(void (*fn)(const char *table, void *arg), void *arg)
{
	size_t size = 1 << 20;
	char *out = malloc(size), *line, *save = NULL;
	int ret, n = 0;

	if (!out)
		return -ENOMEM;
	ret = nft_output("list tables inet\n", out, size);
	if (ret) {
		sudcr_error("cannot list the nftables tables: %s", out);
		free(out);
		return ret;
	}
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[64];

		if (sscanf(line, "table inet %63s", name) == 1 && netlock_name_ok(name, strlen(name) + 1) &&
		    strlen(name) < sizeof(((struct rec_netlock *)0)->table)) {
			fn(name, arg);
			n++;
		}
	}
	free(out);
	return n;
}

int netlock_lift_table(const char *name)
{
	char err[512];
	int ret;

	if (!netlock_name_ok(name, strlen(name) + 1) || strlen(name) >= sizeof(((struct rec_netlock *)0)->table)) {
		sudcr_error("'%s' is not the name of a network lock of sudcr's (inet sudcr_...)", name);
		return -EINVAL;
	}
	ret = nft_delete(name, err, sizeof(err));
	if (ret)
		sudcr_error("cannot remove the network lock (nft table inet %s): %s", name, err);
	else
		sudcr_info("network lock %s lifted", name);
	return ret;
}

/* The lock of the single-process image @dir, if it holds one: 1 lifted, 0 none, -errno. */
static int lift_image(const char *dir)
{
	struct img_reader *img;
	const void *data;
	size_t len;
	int ret, lifted = 0;

	ret = img_reader_open(&img, dir);
	if (ret)
		return ret;
	while ((ret = cr_next_of_type(img, IMG_REC_NETLOCK, &data, &len)) == 1) {
		const struct rec_netlock *r = data;

		if (netlock_bad(r, len)) {
			ret = img_record_invalid(img, "network lock: %s", netlock_bad(r, len));
			break;
		}
		if (!(r->flags & REC_NETLOCK_HELD))
			continue;
		ret = netlock_lift_table(r->table);
		if (ret)
			break;
		lifted = 1;
	}
	img_reader_close(img);
	return ret < 0 ? ret : lifted;
}

int netlock_lift_dir(const char *dir)
{
	struct dirent *de;
	DIR *d;
	int ret, n = 0;
	char path[4096];

	ret = lift_image(dir);
	if (ret < 0)
		return ret;
	n += ret;
	/* A tree's image: each process's under DIR/PID. */
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		if (de->d_name[strspn(de->d_name, "0123456789")] || !de->d_name[0])
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		ret = lift_image(path);
		if (ret < 0)
			break;
		n += ret;
	}
	if (d)
		closedir(d);
	if (ret < 0)
		return ret;
	if (!n) {
		sudcr_error("%s: the image holds no network lock (dumped without --tcp-established or without connections, with --leave-running, or lifted already)",
			    dir);
		return -ENOENT;
	}
	return 0;
}

/* ---- show ---- */

static int show_netlock(struct show_ctx *s, const void *data, size_t len, bool first)
{
	const struct rec_netlock *r = data;
	const struct rec_netlock_conn *c = (const struct rec_netlock_conn *)(r + 1);

	if (netlock_bad(r, len))
		return -EINVAL;
	if (s->json)
		fprintf(s->out, "%s{\"table\":\"inet %s\",\"held\":%s,\"connections\":[", first ? "" : ",",
			r->table, r->flags & REC_NETLOCK_HELD ? "true" : "false");
	else
		fprintf(s->out, "%s  nft table inet %s, %s, %u connection%s:\n",
			first ? "network lock:\n" : "", r->table,
			r->flags & REC_NETLOCK_HELD ? "held until the restore" :
			"lifted by the dump (--leave-running)", r->nr, r->nr == 1 ? "" : "s");
	for (uint32_t k = 0; k < r->nr; k++) {
		char a[INET6_ADDRSTRLEN], p[INET6_ADDRSTRLEN];
		int f = c[k].family == AF_INET6 ? AF_INET6 : AF_INET;
		bool six = f == AF_INET6;

		inet_ntop(f, c[k].addr, a, sizeof(a));
		inet_ntop(f, c[k].peer_addr, p, sizeof(p));
		if (s->json)
			fprintf(s->out, "%s\"%s%s%s:%u -> %s%s%s:%u\"", k ? "," : "", six ? "[" : "", a,
				six ? "]" : "", c[k].port, six ? "[" : "", p, six ? "]" : "", c[k].peer_port);
		else if (k < 16)
			fprintf(s->out, "    %s%s%s:%u -> %s%s%s:%u\n", six ? "[" : "", a, six ? "]" : "",
				c[k].port, six ? "[" : "", p, six ? "]" : "", c[k].peer_port);
	}
	if (s->json)
		fprintf(s->out, "]}");
	else if (r->nr > 16)
		fprintf(s->out, "    ... and %u more\n", r->nr - 16);
	return 0;
}

static const struct cr_rec_show netlock_show[] = {
	/* A heading of its own only when there is one: most images have none. */
	{ IMG_REC_NETLOCK, 55, "netlock", "", show_netlock },
	{ 0 },
};

const struct cr_kind cr_kind_netlock = {
	.name = "netlock",
	.show = netlock_show,
	.types = (const struct cr_rec_type[]){
		{ IMG_REC_NETLOCK, "netlock" },
		{ 0, NULL },
	},
	.flags = CR_KIND_DUMP_LAST,
	.dump = netlock_dump,
	.dump_done = netlock_dump_done,
	.prepare = netlock_prepare,
	.finish = netlock_finish,
};
