// SPDX-License-Identifier: MIT
/*
 * Packet mode, the lock and exclusive mode.  Pty A is in packet mode
 * (TIOCPKT) with output queued, its slave in exclusive mode (TIOCEXCL);
 * pty B's slave is locked again (TIOCSPTLCK) and was never opened.  After
 * the restore: A is in packet mode (TIOCGPKT), each read of its master
 * starts with the status byte, the queued output comes first, its slave
 * is still exclusive (TIOCGEXCL); B is locked (TIOCGPTLCK, an open of its
 * slave fails), and opens once unlocked.
 */
#include "progs/pty_util.h"

int main(void)
{
	char name[64], nameb[64], buf[64];
	unsigned int index, indexb;
	int m, s, mb, one = 1, v, t;

	m = pty_open_master(&index, name, sizeof(name));
	mb = pty_open_master(&indexb, nameb, sizeof(nameb));
	SETUP(m >= 0 && mb >= 0, "posix_openpt");
	s = open(name, O_RDWR | O_NOCTTY);
	SETUP(s >= 0, "open %s", name);
	SETUP(!ioctl(m, TIOCPKT, &one) && !ioctl(s, TIOCEXCL) && !ioctl(mb, TIOCSPTLCK, &one),
	      "packet, exclusive, lock");
	SETUP(write(s, "pkt", 3) == 3 && pty_wait_bytes(m, 3) >= 3, "output");

	prog_ready();
	prog_wait();

	CHECK(!ioctl(m, TIOCGPKT, &v) && v == 1, "packet mode: %d", v);
	CHECK(!ioctl(s, TIOCGEXCL, &v) && v == 1, "exclusive: %d", v);
	CHECK(!ioctl(mb, TIOCGPTLCK, &v) && v == 1, "lock: %d", v);
	t = open(nameb, O_RDWR | O_NOCTTY);
	CHECK(t < 0 && errno == EIO, "a locked slave opens: %d (%s)", t, strerror(errno));
	v = 0;
	CHECK(!ioctl(mb, TIOCSPTLCK, &v), "unlock");
	t = open(nameb, O_RDWR | O_NOCTTY);
	CHECK(t >= 0, "the unlocked slave does not open: %s", strerror(errno));
	memset(buf, 0, sizeof(buf));
	CHECK(read(m, buf, sizeof(buf)) == 4 && !memcmp(buf, "\0pkt", 4), "packet: '%s'", buf + 1);
	CHECK(write(s, "xy", 2) == 2 && read(m, buf, sizeof(buf)) == 3 && !memcmp(buf, "\0xy", 3),
	      "new packet");
	prog_done();
}
