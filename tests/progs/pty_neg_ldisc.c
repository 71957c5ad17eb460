// SPDX-License-Identifier: MIT
/*
 * A pty whose slave has another line discipline than N_TTY (N_NULL here,
 * set with TIOCSETD): the restore could not make it again (termios's
 * c_line does not set it), so the dump refuses with one line and leaves
 * the process running with its line discipline.
 */
// sudcr-test: dump-fails its slave has line discipline 27, not N_TTY
#include "progs/pty_util.h"

#ifndef N_NULL
#define N_NULL 27
#endif

int main(void)
{
	char name[64];
	unsigned int index;
	struct termios t;
	int m, s, d = N_NULL;

	m = pty_open_pair(&index, name, sizeof(name), &s, &t);
	SETUP(m >= 0, "a pty pair");
	if (ioctl(s, TIOCSETD, &d))
		prog_skip("no N_NULL line discipline here: %s", strerror(errno));

	prog_ready();
	prog_wait();

	CHECK(!ioctl(s, TIOCGETD, &d) && d == N_NULL, "line discipline %d", d);
	prog_done();
}
