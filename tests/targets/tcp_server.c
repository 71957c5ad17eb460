// SPDX-License-Identifier: MIT
/*
 * tcp_server PORT [uffd|v6|dual|self|fork]: a TCP server of one connection
 * at a time on 127.0.0.1:PORT (v6: [::1]:PORT; dual: [::]:PORT, IPv4
 * clients v4-mapped), SO_REUSEADDR, for tests/cli/net_tcp_established.sh.
 * self: it holds a connection to itself too (both ends, one of them
 * accepted from its listening socket), through which every answer goes
 * first.  fork: each connection is served by a child (the parent keeps
 * listening).  Lines it takes:
 *   "REQ N"    answers "ANS N C", C the requests answered so far (its state)
 *   "BLOB K"   writes K bytes ('a' + i % 26) and a newline, at once: its
 *              send buffer (SO_SNDBUF 1 MiB) holds what the peer does not read
 *   "PAUSE S"  reads nothing for S seconds (what the peer sends meanwhile
 *              waits in the receive queue)
 * "uffd": it holds a userfaultfd as well, which sudcr refuses to dump (a
 * dump that fails once its connections are locked).  It prints "ready"
 * once listening.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int write_all(int s, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(s, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* self: the two ends of its connection to itself, or -1. */
static int self_a = -1, self_b = -1;

/* @len bytes of @p through the connection to itself and back; 0 if they came back whole. */
static int self_echo(const char *p, size_t len)
{
	char back[128];
	size_t got = 0;

	if (write_all(self_a, p, len))
		return -1;
	while (got < len) {
		ssize_t n = read(self_b, back + got, len - got);

		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return memcmp(back, p, len) ? -1 : 0;
}

static void serve(int c)
{
	char line[256], out[128];
	size_t have = 0;
	long answered = 0;
	int big = 1 << 20;

	setsockopt(c, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	for (;;) {
		char *nl = memchr(line, '\n', have);
		ssize_t n;

		if (!nl) {
			if (have == sizeof(line))
				return;
			n = read(c, line + have, sizeof(line) - have);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return;
			have += (size_t)n;
			continue;
		}
		*nl = '\0';
		if (!strncmp(line, "REQ ", 4)) {
			int len = snprintf(out, sizeof(out), "ANS %s %ld\n", line + 4, ++answered);

			if (self_a >= 0 && self_echo(out, (size_t)len))
				len = snprintf(out, sizeof(out), "BAD self\n");
			if (write_all(c, out, (size_t)len))
				return;
		} else if (!strncmp(line, "BLOB ", 5)) {
			long k = atol(line + 5);
			char *b = k > 0 && k < (64L << 20) ? malloc((size_t)k + 1) : NULL;

			if (!b)
				return;
			for (long i = 0; i < k; i++)
				b[i] = (char)('a' + i % 26);
			b[k] = '\n';
			if (write_all(c, b, (size_t)k + 1))
				return;
			free(b);
		} else if (!strncmp(line, "PAUSE ", 6)) {
			struct timespec ts = { .tv_sec = atol(line + 6) };

			while (nanosleep(&ts, &ts) && errno == EINTR)
				;
		}
		have -= (size_t)(nl + 1 - line);
		memmove(line, nl + 1, have);
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
	const char *mode = argc > 2 ? argv[2] : "";
	bool six = !strcmp(mode, "v6") || !strcmp(mode, "dual");
	int s, one = 1, zero = 0;

	if (argc < 2)
		return 2;
	if (!strcmp(mode, "uffd") && syscall(SYS_userfaultfd, 0) < 0) {
		perror("userfaultfd");
		return 1;
	}
	a.sin_port = a6.sin6_port = htons((unsigned short)atoi(argv[1]));
	if (!strcmp(mode, "v6"))
		a6.sin6_addr = in6addr_loopback;
	s = socket(six ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    (six && setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero))) ||
	    (six ? bind(s, (struct sockaddr *)&a6, sizeof(a6)) : bind(s, (struct sockaddr *)&a, sizeof(a))) ||
	    listen(s, 16)) {
		perror("listen");
		return 1;
	}
	if (!strcmp(mode, "self")) {
		self_a = socket(AF_INET, SOCK_STREAM, 0);
		if (self_a < 0 || connect(self_a, (struct sockaddr *)&a, sizeof(a)) ||
		    (self_b = accept(s, NULL, NULL)) < 0) {
			perror("self");
			return 1;
		}
	}
	if (!strcmp(mode, "fork"))
		signal(SIGCHLD, SIG_IGN);
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		int c = accept(s, NULL, NULL);

		if (c < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if (!strcmp(mode, "fork")) {
			pid_t p = fork();

			if (p < 0)
				return 1;
			if (p) {
				close(c);
				continue;
			}
			close(s);
			serve(c);
			_exit(0);
		}
		serve(c);
		close(c);
	}
}
