// SPDX-License-Identifier: MIT
/*
 * A unix server and its clients in one tree: this process listens on a
 * path (SOCK_STREAM) and on an abstract name (SOCK_SEQPACKET), its
 * children C1 and C2 connect, one to each, and it accepts both.  Bytes
 * and messages wait in both directions.  After the restore each accepted
 * socket still has the listener's name (getsockname, and the client's
 * getpeername), every queued byte and message is there once, new ones
 * flow, and both listeners still take new connections.
 */
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "progs/tree_util.h"

static struct sockaddr_un path_addr, abs_addr;
static socklen_t path_len, abs_len;

static int same_name(int fd, bool peer, const struct sockaddr_un *want, socklen_t wlen)
{
	struct sockaddr_un a;
	socklen_t l = sizeof(a);

	memset(&a, 0, sizeof(a));
	if ((peer ? getpeername(fd, (struct sockaddr *)&a, &l) : getsockname(fd, (struct sockaddr *)&a, &l)))
		return 0;
	return l == wlen && !memcmp(&a, want, l);
}

/*
 * The hello goes once the server has accepted: a message sent to a socket
 * not accepted yet carries the sender's credentials, which the dump
 * refuses in a socket of another process (its maker cannot send them).
 */
static int client(int type, const struct sockaddr_un *a, socklen_t alen, int go, const char *hello)
{
	int s = socket(AF_UNIX, type, 0);
	char buf[64];

	if (s < 0 || connect(s, (const struct sockaddr *)a, alen) || tree_wait_byte(go) != 'a' ||
	    send(s, hello, strlen(hello), 0) != (ssize_t)strlen(hello))
		return 10;
	if (tree_wait_byte(go) != 'g')
		return 11;
	if (!same_name(s, true, a, alen))
		return 12;
	memset(buf, 0, sizeof(buf));
	if (recv(s, buf, sizeof(buf) - 1, 0) != 6 || strcmp(buf, "server"))
		return 13;
	return send(s, "again", 5, 0) == 5 ? 0 : 14;
}

int main(void)
{
	int lp, la, ap, aa, go[2], go2[2], st;
	char buf[64];
	pid_t c1, c2;

	path_addr.sun_family = abs_addr.sun_family = AF_UNIX;
	snprintf(path_addr.sun_path, sizeof(path_addr.sun_path), "%s", prog_path("srv.sock"));
	path_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path_addr.sun_path) + 1);
	snprintf(abs_addr.sun_path + 1, sizeof(abs_addr.sun_path) - 1, "sudcr-tree-srv-%d", (int)getpid());
	abs_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(abs_addr.sun_path + 1));
	unlink(path_addr.sun_path);
	lp = socket(AF_UNIX, SOCK_STREAM, 0);
	la = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	SETUP(lp >= 0 && la >= 0, "socket");
	SETUP(!bind(lp, (struct sockaddr *)&path_addr, path_len) && !listen(lp, 4), "bind %s", path_addr.sun_path);
	SETUP(!bind(la, (struct sockaddr *)&abs_addr, abs_len) && !listen(la, 4), "bind the abstract name");
	SETUP(!pipe(go) && !pipe(go2), "pipe");
	c1 = fork();
	SETUP(c1 >= 0, "fork");
	if (!c1) {
		close(go[1]);
		close(go2[1]);
		close(lp);
		close(la);
		_exit(client(SOCK_STREAM, &path_addr, path_len, go[0], "hello-1"));
	}
	c2 = fork();
	SETUP(c2 >= 0, "fork");
	if (!c2) {
		close(go[1]);
		close(go2[1]);
		close(lp);
		close(la);
		_exit(client(SOCK_SEQPACKET, &abs_addr, abs_len, go2[0], "hello-2"));
	}
	/* go[0], go2[0] stay: the children's are this process's descriptions (else two tops). */
	ap = accept(lp, NULL, NULL);
	aa = accept(la, NULL, NULL);
	SETUP(ap >= 0 && aa >= 0, "accept");
	SETUP(write(go[1], "a", 1) == 1 && write(go2[1], "a", 1) == 1, "accepted");
	SETUP(send(ap, "server", 6, 0) == 6 && send(aa, "server", 6, 0) == 6, "send to the clients");
	/* The clients' hellos are in before READY. */
	for (int i = 0; i < 5000; i++) {
		if (recv(ap, buf, 7, MSG_PEEK | MSG_DONTWAIT) == 7 && recv(aa, buf, 7, MSG_PEEK | MSG_DONTWAIT) == 7)
			break;
		usleep(1000);
	}

	prog_ready();
	prog_wait();

	CHECK(same_name(ap, false, &path_addr, path_len), "the accepted socket lost the listener's path");
	CHECK(same_name(aa, false, &abs_addr, abs_len), "the accepted socket lost the listener's abstract name");
	memset(buf, 0, sizeof(buf));
	CHECK(recv(ap, buf, 7, MSG_DONTWAIT) == 7 && !strcmp(buf, "hello-1"), "C1's queued bytes: '%s'", buf);
	memset(buf, 0, sizeof(buf));
	CHECK(recv(aa, buf, sizeof(buf), MSG_DONTWAIT) == 7 && !strcmp(buf, "hello-2"), "C2's queued message: '%s'", buf);
	CHECK(write(go[1], "g", 1) == 1 && write(go2[1], "g", 1) == 1, "go");
	memset(buf, 0, sizeof(buf));
	CHECK(recv(ap, buf, 5, MSG_WAITALL) == 5 && !strcmp(buf, "again"), "C1's new bytes: '%s'", buf);
	memset(buf, 0, sizeof(buf));
	CHECK(recv(aa, buf, sizeof(buf), 0) == 5 && !strcmp(buf, "again"), "C2's new message: '%s'", buf);
	CHECK(waitpid(c1, &st, 0) == c1 && WIFEXITED(st) && !WEXITSTATUS(st), "C1's exit: %#x", st);
	CHECK(waitpid(c2, &st, 0) == c2 && WIFEXITED(st) && !WEXITSTATUS(st), "C2's exit: %#x", st);
	{
		int n1 = socket(AF_UNIX, SOCK_STREAM, 0), n2 = socket(AF_UNIX, SOCK_SEQPACKET, 0);

		CHECK(!connect(n1, (struct sockaddr *)&path_addr, path_len), "a new connection to the path: %s",
		      strerror(errno));
		CHECK(!connect(n2, (struct sockaddr *)&abs_addr, abs_len), "a new connection to the abstract name: %s",
		      strerror(errno));
	}
	unlink(path_addr.sun_path);
	prog_done();
}
