// SPDX-License-Identifier: MIT
/*
 * A pty in canonical mode with echo, its own erase and kill keys: after
 * the restore a line is edited as before (erase, kill), given only at its
 * newline, and echoed with ONLCR; a line ended by VEOF (^D) queued at the
 * dump is read without it, an empty VEOF line reads as end of file, and
 * the line being typed at the dump ("par", no newline yet) is still
 * being typed: it ends with what is typed after.
 */
#include "progs/pty_util.h"

int main(void)
{
	char name[64], buf[64];
	unsigned int index;
	struct termios t, t2;
	int m, s;

	m = pty_open_pair(&index, name, sizeof(name), &s, &t);
	SETUP(m >= 0, "a pty pair");
	t.c_lflag |= ICANON | ECHO | ECHOE;
	t.c_cc[VERASE] = '#';
	t.c_cc[VKILL] = '@';
	SETUP(!tcsetattr(s, TCSANOW, &t), "canonical mode");
	/* "abc" ended by ^D, then an empty line ended by ^D: end of file. */
	SETUP(write(m, "abc\004\004par", 8) == 8, "type");
	SETUP(pty_wait_bytes(s, 3) == 3, "the lines queued");
	/* Their echo (the ^D are not echoed): read it now, it is not the test's. */
	SETUP(!pty_read_n(m, buf, 6), "the echo");

	prog_ready();
	prog_wait();

	CHECK(!tcgetattr(s, &t2) && pty_same_termios(&t, &t2), "modes changed");
	memset(buf, 0, sizeof(buf));
	CHECK(read(s, buf, sizeof(buf)) == 3 && !memcmp(buf, "abc", 3), "the VEOF line: '%s'", buf);
	CHECK(read(s, buf, sizeof(buf)) == 0, "the empty VEOF line is no end of file");
	CHECK(pty_quiet(s, 50), "the line being typed is given before its end");
	CHECK(write(m, "tial\n", 5) == 5, "type");
	memset(buf, 0, sizeof(buf));
	CHECK(read(s, buf, sizeof(buf)) == 8 && !memcmp(buf, "partial\n", 8), "the typed line: '%s'", buf);
	CHECK(!pty_read_n(m, buf, 6) && !memcmp(buf, "tial\r\n", 6), "its echo: '%s'", buf);
	CHECK(write(m, "xy#z\n", 5) == 5, "type");
	memset(buf, 0, sizeof(buf));
	CHECK(read(s, buf, sizeof(buf)) == 3 && !memcmp(buf, "xz\n", 3), "erase: '%s'", buf);
	CHECK(write(m, "junk@ok\n", 8) == 8, "type");
	memset(buf, 0, sizeof(buf));
	CHECK(read(s, buf, sizeof(buf)) == 3 && !memcmp(buf, "ok\n", 3), "kill: '%s'", buf);
	memset(buf, 0, sizeof(buf));
	/* The echo of "xy#z\n" starts with "xy". */
	CHECK(pty_read_n(m, buf, 2) == 0 && !memcmp(buf, "xy", 2), "the echo: '%s'", buf);
	prog_done();
}
