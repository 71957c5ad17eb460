// SPDX-License-Identifier: MIT
/*
 * An open file description shared through fork: the parent opened a file
 * and forked; the child set O_APPEND on it.  After the restore it is still
 * one description: the child reads 5 bytes and the parent's offset moves
 * with it, the parent sees the child's O_APPEND, and its append lands at
 * the end, which the child sees through the same offset.  A second file,
 * opened again by the child after the fork, is a description of its own
 * (its offset stays put when the parent's moves).
 */
#include <sys/wait.h>

#include "progs/tree_util.h"

int main(void)
{
	char path[256], buf[16] = "";
	int fd, own, go[2], st;
	pid_t child;

	snprintf(path, sizeof(path), "%s", prog_path("shared"));
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	SETUP(fd >= 0, "open");
	SETUP(write(fd, "0123456789abcdefghij", 20) == 20, "write");
	SETUP(lseek(fd, 7, SEEK_SET) == 7, "lseek");
	SETUP(!pipe(go), "pipe");
	child = fork();
	SETUP(child >= 0, "fork");
	if (!child) {
		close(go[1]);
		own = open(path, O_RDONLY);
		if (own < 0 || lseek(own, 3, SEEK_SET) != 3 ||
		    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_APPEND))
			_exit(10);
		if (tree_wait_byte(go[0]) != 'r')
			_exit(11);
		if (read(fd, buf, 5) != 5 || memcmp(buf, "789ab", 5))
			_exit(12);
		if (lseek(own, 0, SEEK_CUR) != 3)
			_exit(13);
		if (tree_wait_byte(go[0]) != 'e')
			_exit(14);
		/* The parent appended 3 bytes: the shared offset is at the end, 23. */
		_exit(lseek(fd, 0, SEEK_CUR) == 23 ? 0 : 15);
	}
	close(go[0]);
	/* The child has set O_APPEND before we say READY. */
	for (int i = 0; i < 5000 && !(fcntl(fd, F_GETFL) & O_APPEND); i++)
		usleep(1000);
	SETUP(fcntl(fd, F_GETFL) & O_APPEND, "the child's O_APPEND");

	prog_ready();
	prog_wait();

	CHECK(fcntl(fd, F_GETFL) & O_APPEND, "O_APPEND set by the child is gone");
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 7);
	CHECK(write(go[1], "r", 1) == 1, "write to the child");
	/* Its read moves our offset: wait for it, by the offset itself. */
	for (int i = 0; i < 5000 && lseek(fd, 0, SEEK_CUR) != 12; i++)
		usleep(1000);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 12);
	CHECK(write(fd, "XYZ", 3) == 3, "append");
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 23);
	CHECK(write(go[1], "e", 1) == 1, "write to the child");
	CHECK(waitpid(child, &st, 0) == child && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "the child's exit: %#x", st);
	prog_done();
}
