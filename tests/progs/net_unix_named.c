// SPDX-License-Identifier: MIT
/*
 * AF_UNIX sockets that are not of a pair: a stream socket listening on a
 * path in $TESTTMP (its file chmod 0640, SO_PASSCRED, backlog 7), a
 * seqpacket one listening on an abstract name, a datagram one bound to a
 * path since unlinked, a datagram one autobound (bind with only the
 * family), and a stream one never bound.  After: the same names, the
 * socket file with its mode, the unlinked path still absent; the
 * listeners accept, the autobound one receives at its name.
 */
// sudcr-test: restore-fails pid-taken
#include <sys/stat.h>
#include <sys/un.h>
#include <stddef.h>

#include "progs/net.h"

static socklen_t name_of(int s, struct sockaddr_un *a)
{
	socklen_t len = sizeof(*a);

	memset(a, 0, sizeof(*a));
	if (getsockname(s, (struct sockaddr *)a, &len))
		return 0;
	return len;
}

static int bound(int type, const char *name, size_t nlen)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, type, 0);

	memcpy(a.sun_path, name, nlen);
	SETUP(s >= 0 && !bind(s, (struct sockaddr *)&a, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + nlen)),
	      "bind %s: %s", name[0] ? name : name + 1, strerror(errno));
	return s;
}

static int connect_to(int type, const struct sockaddr_un *a, socklen_t len)
{
	int c = socket(AF_UNIX, type, 0);

	if (c < 0 || connect(c, (const struct sockaddr *)a, len)) {
		CHECK(0, "connect: %s", strerror(errno));
		return -1;
	}
	return c;
}

int main(void)
{
	struct sockaddr_un nl, ns, nd, na, nu, got;
	socklen_t ll, ls, ld, la, lu, gl;
	char lpath[256], dpath[256], abs[64];
	int l, sq, d, au, u, c, s, one = 1;
	struct stat st;
	char buf[8];

	snprintf(lpath, sizeof(lpath), "%s", prog_path("l.sock"));
	snprintf(dpath, sizeof(dpath), "%s", prog_path("d.sock"));
	unlink(lpath);
	unlink(dpath);
	snprintf(abs, sizeof(abs), "%csudcr-net-unix-%d", 0, (int)getpid());

	l = bound(SOCK_STREAM, lpath, strlen(lpath));
	SETUP(!chmod(lpath, 0640) && !setsockopt(l, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) &&
	      !listen(l, 7), "listen on the path");
	sq = bound(SOCK_SEQPACKET, abs, 1 + strlen(abs + 1));
	SETUP(!listen(sq, 3), "listen on the abstract name");
	d = bound(SOCK_DGRAM, dpath, strlen(dpath));
	SETUP(!unlink(dpath), "unlink");
	au = socket(AF_UNIX, SOCK_DGRAM, 0);
	{
		struct sockaddr_un a = { .sun_family = AF_UNIX };

		SETUP(au >= 0 && !bind(au, (struct sockaddr *)&a, sizeof(sa_family_t)), "autobind");
	}
	u = socket(AF_UNIX, SOCK_STREAM, 0);
	SETUP(u >= 0, "socket");
	ll = name_of(l, &nl);
	ls = name_of(sq, &ns);
	ld = name_of(d, &nd);
	la = name_of(au, &na);
	lu = name_of(u, &nu);
	SETUP(la > sizeof(sa_family_t) && !na.sun_path[0], "autobound to an abstract name");

	prog_ready();
	prog_wait();

	gl = name_of(l, &got);
	CHECK(gl == ll && !memcmp(&got, &nl, ll), "the path listener's name");
	gl = name_of(sq, &got);
	CHECK(gl == ls && !memcmp(&got, &ns, ls), "the abstract listener's name");
	gl = name_of(d, &got);
	CHECK(gl == ld && !memcmp(&got, &nd, ld), "the deleted path's name");
	gl = name_of(au, &got);
	CHECK(gl == la && !memcmp(&got, &na, la), "the autobound name");
	gl = name_of(u, &got);
	CHECK(gl == lu, "the unbound one: %u bytes of name, was %u", gl, lu);
	CHECK(!lstat(lpath, &st) && S_ISSOCK(st.st_mode) && (st.st_mode & 07777) == 0640,
	      "the socket file %s: mode 0%o", lpath, st.st_mode);
	CHECK(lstat(dpath, &st) && errno == ENOENT, "the unlinked path is back");
	CHECK_EQ(net_geti(l, SOL_SOCKET, SO_ACCEPTCONN), 1);
	CHECK_EQ(net_geti(l, SOL_SOCKET, SO_PASSCRED), 1);
	CHECK_EQ(net_geti(sq, SOL_SOCKET, SO_ACCEPTCONN), 1);
	c = connect_to(SOCK_STREAM, &nl, ll);
	s = accept(l, NULL, NULL);
	CHECK(s >= 0 && write(c, "ab", 2) == 2 && read(s, buf, 2) == 2 && !memcmp(buf, "ab", 2),
	      "a connection on the path");
	close(c);
	close(s);
	c = connect_to(SOCK_SEQPACKET, &ns, ls);
	s = accept(sq, NULL, NULL);
	CHECK(s >= 0, "accept on the abstract name: %s", strerror(errno));
	close(c);
	close(s);
	c = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK(sendto(c, "xy", 2, 0, (struct sockaddr *)&na, la) == 2 &&
	      recv(au, buf, sizeof(buf), MSG_DONTWAIT) == 2 && !memcmp(buf, "xy", 2),
	      "a datagram to the autobound name: %s", strerror(errno));
	close(c);
	CHECK(!connect(u, (struct sockaddr *)&nl, ll), "the unbound one connects: %s", strerror(errno));
	s = accept(l, NULL, NULL);
	if (s >= 0)
		close(s);
	prog_done();
}
