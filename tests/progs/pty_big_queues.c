// SPDX-License-Identifier: MIT
/*
 * Large queues in raw mode: 3000 bytes typed into the master and not
 * read, 8000 bytes written to the slave and not read (more than the line
 * discipline's buffer: the rest waits in the pty's own buffers), every
 * byte value among them.  After the restore each side reads exactly its
 * bytes, in order, and nothing more.
 */
#include "progs/pty_util.h"

#define IN_LEN	3000
#define OUT_LEN	8000

static char in[IN_LEN], out[OUT_LEN], buf[OUT_LEN];

int main(void)
{
	char name[64];
	unsigned int index;
	struct termios t;
	int m, s;

	for (int k = 0; k < IN_LEN; k++)
		in[k] = (char)(k * 7 + 3);
	for (int k = 0; k < OUT_LEN; k++)
		out[k] = (char)(k * 13 + 1);
	m = pty_open_pair(&index, name, sizeof(name), &s, &t);
	SETUP(m >= 0, "a pty pair");
	cfmakeraw(&t);
	SETUP(!tcsetattr(s, TCSANOW, &t), "raw");
	SETUP(fcntl(s, F_SETFL, O_NONBLOCK) == 0, "O_NONBLOCK");
	SETUP(write(m, in, IN_LEN) == IN_LEN, "type");
	SETUP(write(s, out, OUT_LEN) == OUT_LEN, "write the slave");
	SETUP(pty_wait_bytes(s, IN_LEN) == IN_LEN, "the input queued");
	SETUP(fcntl(s, F_SETFL, 0) == 0, "blocking");

	prog_ready();
	prog_wait();

	CHECK(!pty_read_n(s, buf, IN_LEN) && !memcmp(buf, in, IN_LEN), "the input changed");
	CHECK(pty_quiet(s, 50), "more input than queued");
	CHECK(!pty_read_n(m, buf, OUT_LEN) && !memcmp(buf, out, OUT_LEN), "the output changed");
	CHECK(pty_quiet(m, 50), "more output than queued");
	prog_done();
}
