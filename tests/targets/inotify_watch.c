// SPDX-License-Identifier: MIT
/*
 * inotify_watch PATH READY - watches PATH with inotify (no fd on PATH
 * itself), writes "ready" to READY, then reads events forever, writing
 * "wd N mask 0xM" for each to stdout.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char buf[4096] __attribute__((aligned(8)));
	int fd, r;

	if (argc != 3) {
		fprintf(stderr, "usage: inotify_watch PATH READY\n");
		return 2;
	}
	fd = inotify_init1(IN_CLOEXEC);
	if (fd < 0 || inotify_add_watch(fd, argv[1], IN_MODIFY | IN_ATTRIB) < 0) {
		perror(argv[1]);
		return 2;
	}
	r = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (r < 0 || write(r, "ready\n", 6) != 6)
		return 2;
	close(r);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n <= 0)
			return 1;
		for (ssize_t off = 0; off < n;) {
			struct inotify_event *ev = (struct inotify_event *)(buf + off);

			printf("wd %d mask 0x%x\n", ev->wd, ev->mask);
			fflush(stdout);
			off += sizeof(*ev) + ev->len;
		}
	}
}
