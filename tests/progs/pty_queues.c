// SPDX-License-Identifier: MIT
/*
 * A pty pair held by this process, with bytes queued both ways: output
 * the slave wrote that the master has not read, and two whole lines typed
 * into the master that the slave (canonical mode) has not read.  After
 * the restore the pair has the same name (ttyname), the same modes and
 * window size, every byte is there once and in order, and new bytes pass
 * both ways after them, with the slave's output processing (ONLCR) as it
 * was.
 */
#include "progs/pty_util.h"

int main(void)
{
	char name[64], buf[256], *tn;
	unsigned int index, index2;
	struct termios t, t2;
	struct winsize ws = { .ws_row = 37, .ws_col = 111, .ws_xpixel = 5, .ws_ypixel = 7 }, ws2;
	int m, s;

	m = pty_open_pair(&index, name, sizeof(name), &s, &t);
	SETUP(m >= 0, "a pty pair");
	t.c_lflag &= ~(tcflag_t)ECHO;
	t.c_oflag |= OPOST | ONLCR;
	t.c_cc[VERASE] = 0x08;
	cfsetispeed(&t, B9600);
	cfsetospeed(&t, B9600);
	SETUP(!tcsetattr(s, TCSANOW, &t) && !ioctl(m, TIOCSWINSZ, &ws), "modes");
	SETUP(write(s, "out-bytes\n", 10) == 10, "write slave");
	SETUP(write(m, "line one\nline two\n", 18) == 18, "write master");
	SETUP(pty_wait_bytes(m, 11) == 11, "the output queued");
	SETUP(pty_wait_bytes(s, 18) == 18, "the input queued");

	prog_ready();
	prog_wait();

	tn = ttyname(s);
	CHECK(tn && !strcmp(tn, name), "ttyname %s, want %s", tn ? tn : "(none)", name);
	CHECK(!ioctl(m, TIOCGPTN, &index2) && index2 == index, "index %u, want %u", index2, index);
	CHECK(!tcgetattr(s, &t2) && pty_same_termios(&t, &t2), "modes changed");
	CHECK(!ioctl(s, TIOCGWINSZ, &ws2) && !memcmp(&ws, &ws2, sizeof(ws)), "window size %ux%u",
	      ws2.ws_col, ws2.ws_row);
	memset(buf, 0, sizeof(buf));
	CHECK(!pty_read_n(m, buf, 11) && !memcmp(buf, "out-bytes\r\n", 11), "output queue: '%s'", buf);
	CHECK(pty_quiet(m, 50), "more output than queued");
	memset(buf, 0, sizeof(buf));
	CHECK(read(s, buf, sizeof(buf)) == 9 && !strcmp(buf, "line one\n"), "first line: '%s'", buf);
	memset(buf, 0, sizeof(buf));
	CHECK(read(s, buf, sizeof(buf)) == 9 && !strcmp(buf, "line two\n"), "second line: '%s'", buf);
	CHECK(pty_quiet(s, 50), "more input than queued");
	CHECK(write(s, "x\n", 2) == 2 && !pty_read_n(m, buf, 3) && !memcmp(buf, "x\r\n", 3),
	      "new output");
	CHECK(write(m, "y\n", 2) == 2 && read(s, buf, sizeof(buf)) == 2 && !memcmp(buf, "y\n", 2),
	      "new input");
	prog_done();
}
