// SPDX-License-Identifier: MIT
/*
 * Three ptys, the middle one closed: this process holds /dev/pts/A and
 * /dev/pts/C with B free between them.  After the restore both have
 * their names (the restore gets index C with B free), each master
 * reaches its own slave, and B is free.
 */
#include "progs/pty_util.h"

int main(void)
{
	char na[64], nb[64], nc[64], buf[8];
	unsigned int a, b, c, a2, c2;
	int ma, mb, mc, sa, sc;
	struct stat st;

	ma = pty_open_master(&a, na, sizeof(na));
	mb = pty_open_master(&b, nb, sizeof(nb));
	mc = pty_open_master(&c, nc, sizeof(nc));
	SETUP(ma >= 0 && mb >= 0 && mc >= 0, "posix_openpt");
	close(mb);
	sa = open(na, O_RDWR | O_NOCTTY);
	sc = open(nc, O_RDWR | O_NOCTTY);
	SETUP(sa >= 0 && sc >= 0, "open the slaves");

	prog_ready();
	prog_wait();

	CHECK(!ioctl(ma, TIOCGPTN, &a2) && a2 == a, "A: %u, want %u", a2, a);
	CHECK(!ioctl(mc, TIOCGPTN, &c2) && c2 == c, "C: %u, want %u", c2, c);
	CHECK(ttyname(sa) && !strcmp(ttyname(sa), na), "A's slave");
	CHECK(ttyname(sc) && !strcmp(ttyname(sc), nc), "C's slave");
	CHECK(stat(nb, &st) < 0, "B is taken");
	CHECK(write(mc, "c\n", 2) == 2 && !pty_read_n(sc, buf, 2) && buf[0] == 'c', "C's pair");
	CHECK(write(ma, "a\n", 2) == 2 && !pty_read_n(sa, buf, 2) && buf[0] == 'a', "A's pair");
	prog_done();
}
