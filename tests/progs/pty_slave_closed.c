// SPDX-License-Identifier: MIT
/*
 * A master whose slave was opened, written to and closed: the output is
 * still queued, and after it the master reads EIO (the other side hung
 * up) and polls POLLHUP.  After the restore it is the same: the bytes,
 * then EIO; a new open of the slave clears the hang-up.
 */
#include "progs/pty_util.h"

int main(void)
{
	char name[64], buf[64];
	unsigned int index;
	struct pollfd p;
	int m, s;

	m = pty_open_master(&index, name, sizeof(name));
	SETUP(m >= 0, "posix_openpt");
	s = open(name, O_RDWR | O_NOCTTY);
	SETUP(s >= 0 && write(s, "last words", 10) == 10, "open %s and write", name);
	SETUP(pty_wait_bytes(m, 10) == 10, "the output queued");
	close(s);

	prog_ready();
	prog_wait();

	p.fd = m;
	p.events = POLLIN;
	CHECK(poll(&p, 1, 0) == 1 && (p.revents & POLLHUP), "no hang-up: %#x", p.revents);
	memset(buf, 0, sizeof(buf));
	CHECK(read(m, buf, sizeof(buf)) == 10 && !memcmp(buf, "last words", 10), "the output: '%s'", buf);
	CHECK(read(m, buf, sizeof(buf)) < 0 && errno == EIO, "after it: %s", strerror(errno));
	s = open(name, O_RDWR | O_NOCTTY);
	CHECK(s >= 0 && write(s, "x", 1) == 1 && !pty_read_n(m, buf, 1) && buf[0] == 'x',
	      "a new open of the slave");
	prog_done();
}
