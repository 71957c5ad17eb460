// SPDX-License-Identifier: MIT
/*
 * A pipeline, as a shell makes one: this process makes a pipe, forks a
 * writer and a reader, and closes both ends, so each child holds one end,
 * of a description of its own.  The writer has put bytes in, not read
 * yet.  After the restore the two ends are one pipe again (made by this
 * process, which holds none of it): the reader gets the old bytes, then
 * the writer's new ones, then end of file once the writer exits.
 */
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

#include "progs/tree_util.h"

int main(void)
{
	int p[2], go[2], go_r[2], st;
	pid_t w, r;

	SETUP(!pipe(p) && !pipe(go) && !pipe(go_r), "pipe");
	w = fork();
	SETUP(w >= 0, "fork");
	if (!w) {
		close(p[0]);
		close(go[1]);
		close(go_r[1]);
		if (write(p[1], "old-bytes|", 10) != 10)
			_exit(10);
		if (tree_wait_byte(go[0]) != 'w')
			_exit(11);
		_exit(write(p[1], "new-bytes", 9) == 9 ? 0 : 12);
	}
	r = fork();
	SETUP(r >= 0, "fork");
	if (!r) {
		char buf[64] = "";
		size_t got = 0;
		ssize_t n;

		close(p[1]);
		close(go[1]);
		close(go_r[1]);
		if (tree_wait_byte(go_r[0]) != 'r')
			_exit(20);
		while (got < sizeof(buf) - 1 && (n = read(p[0], buf + got, sizeof(buf) - 1 - got)) > 0)
			got += n;
		_exit(!strcmp(buf, "old-bytes|new-bytes") ? 0 : 21);
	}
	close(p[0]);
	close(p[1]);
	/*
	 * The writer's bytes are in, and each child has closed the end it
	 * does not keep, before we say READY (else both hold it, neither from
	 * the other: the dump rightly refuses): they wait for their go after.
	 */
	usleep(1000);
	for (int i = 0; i < 5000; i++) {
		char path[64], link[64] = "";
		int n = 0, fd;
		bool closed;

		snprintf(path, sizeof(path), "/proc/%d/fd/%d", r, p[1]);
		closed = access(path, F_OK) != 0;
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", w, p[0]);
		closed = closed && access(path, F_OK) != 0;
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", r, p[0]);
		if (readlink(path, link, sizeof(link) - 1) > 0 && (fd = open(path, O_RDONLY | O_NONBLOCK)) >= 0) {
			ioctl(fd, FIONREAD, &n);
			close(fd);
		}
		if (n >= 10 && closed)
			break;
		usleep(1000);
	}

	prog_ready();
	prog_wait();

	CHECK(write(go_r[1], "r", 1) == 1, "go, reader");
	CHECK(write(go[1], "w", 1) == 1, "go, writer");
	CHECK(waitpid(w, &st, 0) == w && WIFEXITED(st) && !WEXITSTATUS(st), "the writer's exit: %#x", st);
	CHECK(waitpid(r, &st, 0) == r && WIFEXITED(st) && !WEXITSTATUS(st),
	      "the reader's exit (21: not old then new bytes, then EOF): %#x", st);
	prog_done();
}
