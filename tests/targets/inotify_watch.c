// SPDX-License-Identifier: MIT
/*
 * inotify_watch [--fanotify] PATH READY - watches PATH with inotify (or
 * marks it with fanotify: FAN_MODIFY), with no fd on PATH itself, writes
 * "ready" to READY, then reads events forever, writing "wd N mask 0xM"
 * for each inotify event to stdout.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char buf[4096] __attribute__((aligned(8)));
	bool fan = argc == 4 && !strcmp(argv[1], "--fanotify");
	int fd, r;

	if (argc != 3 && !fan) {
		fprintf(stderr, "usage: inotify_watch [--fanotify] PATH READY\n");
		return 2;
	}
	argv += fan;
	if (fan) {
		fd = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC, O_RDONLY);
		if (fd < 0 || fanotify_mark(fd, FAN_MARK_ADD, FAN_MODIFY, AT_FDCWD, argv[1])) {
			perror(argv[1]);
			return 2;
		}
	} else {
		fd = inotify_init1(IN_CLOEXEC);
	}
	if (fd < 0 || (!fan && inotify_add_watch(fd, argv[1], IN_MODIFY | IN_ATTRIB) < 0)) {
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
		for (ssize_t off = 0; off < n && !fan;) {
			struct inotify_event *ev = (struct inotify_event *)(buf + off);

			printf("wd %d mask 0x%x\n", ev->wd, ev->mask);
			fflush(stdout);
			off += sizeof(*ev) + ev->len;
		}
	}
}
