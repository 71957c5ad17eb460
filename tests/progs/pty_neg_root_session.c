// SPDX-License-Identifier: MIT
/*
 * The dump's root leads a session whose controlling terminal is its own
 * pty: the root comes back in the session of sudcr restore, where it
 * could not take the terminal again, so the dump refuses with one line
 * and leaves it running with its terminal.
 */
// sudcr-test: dump-fails and the root of a dump comes back in the session of sudcr restore
#include "progs/pty_util.h"

int main(void)
{
	char name[64];
	unsigned int index;
	struct termios t;
	struct tree_stat st;
	int m, s;

	if (setsid() < 0)
		prog_skip("cannot lead a session of its own here: %s", strerror(errno));
	m = pty_open_pair(&index, name, sizeof(name), &s, &t);
	SETUP(m >= 0 && !ioctl(s, TIOCSCTTY, 0), "a pty pair as the controlling terminal");

	prog_ready();
	prog_wait();

	CHECK(!tree_stat(getpid(), &st) && st.sid == getpid() && st.tty_nr == pty_tty_nr(index),
	      "session %d, terminal %#x", st.sid, st.tty_nr);
	prog_done();
}
