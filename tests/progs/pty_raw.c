// SPDX-License-Identifier: MIT
/*
 * A pty in raw mode (cfmakeraw, as full-screen programs set it), with
 * bytes typed into the master and not read yet, special ones among them
 * (^C, DEL, CR, ^S, a byte with the high bit): after the restore the modes
 * are the same, the bytes come unchanged (no signal, no CR to NL, no
 * erase, no flow control), with no echo, and a new single byte is read at
 * once, without a newline.
 */
#include "progs/pty_util.h"

static const char typed[] = "a\003b\177c\rd\023e\377f";

int main(void)
{
	char name[64], buf[64];
	unsigned int index;
	struct termios t, t2;
	int m, s;

	m = pty_open_pair(&index, name, sizeof(name), &s, &t);
	SETUP(m >= 0, "a pty pair");
	cfmakeraw(&t);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	SETUP(!tcsetattr(s, TCSANOW, &t), "raw mode");
	SETUP(write(m, typed, sizeof(typed) - 1) == sizeof(typed) - 1, "type");
	SETUP(pty_wait_bytes(s, sizeof(typed) - 1) == sizeof(typed) - 1, "the input queued");

	prog_ready();
	prog_wait();

	CHECK(!tcgetattr(s, &t2) && pty_same_termios(&t, &t2), "modes changed");
	memset(buf, 0, sizeof(buf));
	CHECK(!pty_read_n(s, buf, sizeof(typed) - 1) && !memcmp(buf, typed, sizeof(typed) - 1),
	      "the queued bytes changed");
	CHECK(pty_quiet(s, 50), "more input than queued");
	CHECK(pty_quiet(m, 50), "an echo");
	CHECK(write(m, "z", 1) == 1 && !pty_read_n(s, buf, 1) && buf[0] == 'z', "one byte, raw");
	prog_done();
}
