// SPDX-License-Identifier: MIT
/*
 * A private mapping of a file the parent holds a POSIX lock on, its copied
 * pages shared copy-on-write with its child: the restore must not open and
 * close the file in the parent (that drops the lock), so the mapping comes
 * back by the transplant.  After the restore the child sees the parent's
 * lock (F_GETLK), and both see the copied pages' content.
 */
#include <sys/mman.h>
#include <sys/wait.h>

#include "progs/tree_util.h"

#define LEN (64 * 4096UL)

static volatile unsigned long *m;

static int content_ok(void)
{
	for (unsigned long i = 0; i < LEN / 8; i += 512)
		if (m[i] != i + 7)
			return 0;
	return 1;
}

int main(void)
{
	const char *path = prog_path("tree-cow-locked");
	struct flock lk = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1 };
	int fd, go[2], res[2], st;
	pid_t child, me = getpid();
	char c;

	unlink(path);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	SETUP(fd >= 0 && !ftruncate(fd, LEN) && !fcntl(fd, F_SETLK, &lk), "create and lock %s", path);
	m = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	SETUP(m != MAP_FAILED && !pipe(go) && !pipe(res), "mmap");
	for (unsigned long i = 0; i < LEN / 8; i += 512)
		m[i] = i + 7;
	child = fork();
	SETUP(child >= 0, "fork");
	if (!child) {
		struct flock q = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1 };
		int tfd = open(path, O_RDWR | O_CLOEXEC);

		tree_wait_byte(go[0]);
		c = 'o';
		if (!content_ok())
			c = 'c';
		else if (tfd < 0 || fcntl(tfd, F_GETLK, &q) || q.l_type != F_WRLCK || q.l_pid != me)
			c = 'l';
		if (write(res[1], &c, 1) != 1)
			_exit(3);
		_exit(0);
	}

	prog_ready();
	prog_wait();

	CHECK(content_ok(), "the parent's copied pages");
	CHECK(write(go[1], "g", 1) == 1, "write to the child");
	CHECK(read(res[0], &c, 1) == 1 && c == 'o', "the child's verdict: %c (c: content, l: the parent's lock is gone)", c);
	CHECK(waitpid(child, &st, 0) == child && WIFEXITED(st) && !WEXITSTATUS(st), "the child's exit: %#x", st);
	close(fd);
	prog_done();
}
