// SPDX-License-Identifier: MIT
/*
 * A pty in packet mode whose master has a status byte waiting (a flush of
 * the slave's queues: TIOCPKT_FLUSHREAD | TIOCPKT_FLUSHWRITE): the restore
 * could not make that event again, so the dump refuses with one line and
 * takes nothing: after the failed dump the master still reads the status
 * byte first, then the data written after it.
 */
// sudcr-test: dump-fails a packet-mode status byte (TIOCPKT) is waiting to be read from the master
#include <poll.h>

#include "progs/pty_util.h"

int main(void)
{
	char name[64], buf[16];
	unsigned int index;
	struct termios t;
	int m, s, one = 1;
	ssize_t n;

	m = pty_open_pair(&index, name, sizeof(name), &s, &t);
	SETUP(m >= 0, "a pty pair");
	SETUP(!ioctl(m, TIOCPKT, &one), "TIOCPKT");
	SETUP(!tcflush(s, TCIOFLUSH), "tcflush");
	SETUP(write(s, "ab", 2) == 2, "write");

	prog_ready();
	prog_wait();

	n = read(m, buf, sizeof(buf));
	CHECK(n == 1 && (buf[0] & (TIOCPKT_FLUSHREAD | TIOCPKT_FLUSHWRITE)),
	      "the status byte first: %zd bytes, first %#x", n, n > 0 ? buf[0] : 0);
	n = read(m, buf, sizeof(buf));
	CHECK(n == 3 && buf[0] == TIOCPKT_DATA && !memcmp(buf + 1, "ab", 2), "then the data: %zd bytes", n);
	prog_done();
}
