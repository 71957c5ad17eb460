// SPDX-License-Identifier: MIT
/*
 * The slave in this process, its master only in a child (which opened
 * it): the restore could not open the slave before the child exists, so
 * the dump refuses, with one line, and leaves both running.
 */
// sudcr-test: dump-fails which is not an ancestor of this process
#include "progs/pty_util.h"

int main(void)
{
	char name[64];
	unsigned int index;
	int info[2], go[2], s, st;
	pid_t c;

	SETUP(!pipe(info) && !pipe(go), "pipe");
	c = fork();
	SETUP(c >= 0, "fork");
	if (!c) {
		int m = pty_open_master(&index, name, sizeof(name));

		if (m < 0 || write(info[1], &index, sizeof(index)) != sizeof(index))
			_exit(10);
		_exit(tree_wait_byte(go[0]) == 'g' ? 0 : 11);
	}
	SETUP(read(info[0], &index, sizeof(index)) == sizeof(index), "the child's pty");
	snprintf(name, sizeof(name), "/dev/pts/%u", index);
	s = open(name, O_RDWR | O_NOCTTY);
	SETUP(s >= 0, "open %s", name);

	prog_ready();
	prog_wait();

	CHECK(ttyname(s) && !strcmp(ttyname(s), name), "the slave");
	CHECK(write(go[1], "g", 1) == 1, "go");
	CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st) && !WEXITSTATUS(st), "the child: %#x", st);
	prog_done();
}
