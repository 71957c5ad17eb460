// SPDX-License-Identifier: MIT
/*
 * A pty in cbreak mode (no ICANON, no ECHO, signals on: less and many
 * REPLs), VMIN 1: after the restore the modes are the same, a single key
 * is read at once without Enter and not echoed, and the erase key is a
 * byte like another.
 */
#include "progs/pty_util.h"

int main(void)
{
	char name[64], buf[8];
	unsigned int index;
	struct termios t, t2;
	int m, s;

	m = pty_open_pair(&index, name, sizeof(name), &s, &t);
	SETUP(m >= 0, "a pty pair");
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	t.c_lflag |= ISIG;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	SETUP(!tcsetattr(s, TCSANOW, &t), "cbreak mode");

	prog_ready();
	prog_wait();

	CHECK(!tcgetattr(s, &t2) && pty_same_termios(&t, &t2), "modes changed");
	CHECK(!(t2.c_lflag & (ICANON | ECHO)) && (t2.c_lflag & ISIG), "not cbreak: lflag %#o",
	      t2.c_lflag);
	CHECK(write(m, "q", 1) == 1 && !pty_read_n(s, buf, 1) && buf[0] == 'q', "one key");
	CHECK(write(m, "\177", 1) == 1 && !pty_read_n(s, buf, 1) && buf[0] == 0x7f, "erase read as a byte");
	CHECK(pty_quiet(m, 50), "an echo");
	prog_done();
}
