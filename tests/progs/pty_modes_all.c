// SPDX-License-Identifier: MIT
/*
 * Every termios field a program sets: input, output, control and local
 * flags out of the ordinary (parity, 7 bits, two stop bits), every
 * control character changed,
 * different input and output speeds, and an odd window size with pixels:
 * after the restore each is the same.
 */
#include "progs/pty_util.h"

int main(void)
{
	struct winsize ws = { .ws_row = 3, .ws_col = 501, .ws_xpixel = 1234, .ws_ypixel = 4321 }, w2;
	char name[64];
	unsigned int index;
	struct termios t, t2;
	int m, s;

	m = pty_open_pair(&index, name, sizeof(name), &s, &t);
	SETUP(m >= 0, "a pty pair");
	t.c_iflag = IGNBRK | IGNPAR | ISTRIP | INLCR | IXANY | IXOFF | IMAXBEL | IUTF8;
	t.c_oflag = OPOST | OCRNL | ONOCR | TAB3 | BS1 | VT1;
	t.c_cflag = (t.c_cflag & ~(tcflag_t)CSIZE) | CS7 | CSTOPB | PARENB | PARODD | HUPCL | CREAD;
	t.c_lflag = ISIG | ECHO | ECHONL | ECHOCTL | ECHOKE | NOFLSH | TOSTOP;
	for (int k = 0; k < NCCS && k < 17; k++)
		t.c_cc[k] = (cc_t)(1 + 3 * k);
	cfsetispeed(&t, B1200);
	cfsetospeed(&t, B115200);
	SETUP(!tcsetattr(s, TCSANOW, &t) && !ioctl(m, TIOCSWINSZ, &ws), "modes");
	SETUP(!tcgetattr(s, &t), "tcgetattr");

	prog_ready();
	prog_wait();

	CHECK(!tcgetattr(s, &t2), "tcgetattr");
	CHECK_EQ(t2.c_iflag, t.c_iflag);
	CHECK_EQ(t2.c_oflag, t.c_oflag);
	CHECK_EQ(t2.c_cflag, t.c_cflag);
	CHECK_EQ(t2.c_lflag, t.c_lflag);
	CHECK_EQ(cfgetispeed(&t2), cfgetispeed(&t));
	CHECK_EQ(cfgetospeed(&t2), cfgetospeed(&t));
	CHECK(!memcmp(t.c_cc, t2.c_cc, NCCS), "control characters changed");
	CHECK(!ioctl(s, TIOCGWINSZ, &w2) && !memcmp(&ws, &w2, sizeof(ws)), "window size %ux%u %ux%u",
	      w2.ws_col, w2.ws_row, w2.ws_xpixel, w2.ws_ypixel);
	prog_done();
}
