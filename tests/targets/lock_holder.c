// SPDX-License-Identifier: MIT
/*
 * lock_holder FILE - takes an exclusive flock and a POSIX write lock on
 * bytes 0-9 of FILE, writes "ready" to FILE.ready, then sleeps in pause()
 * for ever.  For tests of locks at dump and restore.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10 };
	char ready[4096];
	int fd, r;

	if (argc != 2) {
		fprintf(stderr, "usage: lock_holder FILE\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR);
	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) || fcntl(fd, F_SETLK, &fl)) {
		perror(argv[1]);
		return 2;
	}
	snprintf(ready, sizeof(ready), "%s.ready", argv[1]);
	r = open(ready, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (r < 0 || write(r, "ready\n", 6) != 6)
		return 2;
	close(r);
	for (;;)
		pause();
}
