// SPDX-License-Identifier: MIT
/*
 * nl_holder PROTOCOL PORTID READY - binds a netlink socket of PROTOCOL to
 * port id PORTID, writes "ok" to READY (through a temporary file) and
 * sleeps in pause() until killed: a port id some other socket holds.
 */
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_nl a = { .nl_family = AF_NETLINK };
	char tmp[4096];
	FILE *f;
	int s;

	if (argc != 4) {
		fprintf(stderr, "usage: nl_holder PROTOCOL PORTID READY\n");
		return 2;
	}
	a.nl_pid = (unsigned int)strtoul(argv[2], NULL, 0);
	s = socket(AF_NETLINK, SOCK_RAW, atoi(argv[1]));
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a))) {
		perror("nl_holder");
		return 1;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[3]);
	f = fopen(tmp, "w");
	if (!f || fputs("ok\n", f) < 0 || fclose(f) || rename(tmp, argv[3])) {
		perror("nl_holder: READY");
		return 1;
	}
	for (;;)
		pause();
}
