// SPDX-License-Identifier: MIT
/*
 * Two ptys, two sessions: this process holds both masters, each of its
 * two children leads a session whose controlling terminal is one of the
 * slaves, as two windows of a terminal multiplexer.  After the restore
 * each child has its own terminal (tty_nr, ttyname of /dev/tty) and the
 * bytes typed into each master reach only its own child.
 */
#include "progs/pty_util.h"

static pid_t child(const char *name, int go, int m1, int m2)
{
	pid_t c = fork();

	if (c)
		return c;
	close(m1);
	close(m2);
	{
		int s, t;
		char b[16], w[64];

		if (setsid() < 0 || (s = open(name, O_RDWR)) < 0)
			_exit(10);
		if (tree_wait_byte(go) != 'g')
			_exit(11);
		t = open("/dev/tty", O_RDWR);
		if (t < 0 || !ttyname(t))
			_exit(12);
		snprintf(w, sizeof(w), "%s", ttyname(s));
		if (strcmp(w, name))
			_exit(13);
		if (read(s, b, sizeof(b)) != 4)
			_exit(14);
		b[3] = '\0';
		/* Answer with our terminal's name, through /dev/tty. */
		if (dprintf(t, "%s=%s", b, w) < 0)
			_exit(15);
		_exit(0);
	}
}

int main(void)
{
	char n1[64], n2[64], buf[128], want[128];
	unsigned int i1, i2;
	int m1, m2, go[2], st;
	pid_t c1, c2;
	struct tree_stat ps;

	m1 = pty_open_master(&i1, n1, sizeof(n1));
	m2 = pty_open_master(&i2, n2, sizeof(n2));
	SETUP(m1 >= 0 && m2 >= 0 && !pipe(go), "posix_openpt");
	c1 = child(n1, go[0], m1, m2);
	c2 = child(n2, go[0], m1, m2);
	SETUP(c1 > 0 && c2 > 0, "fork");
	for (int k = 0; k < 2000; k++) {
		struct tree_stat a, b;

		if (!tree_stat(c1, &a) && !tree_stat(c2, &b) && a.tty_nr && b.tty_nr)
			break;
		usleep(1000);
	}

	prog_ready();
	prog_wait();

	CHECK(!tree_stat(c1, &ps) && ps.sid == c1 && ps.tty_nr == pty_tty_nr(i1), "c1: tty %#x", ps.tty_nr);
	CHECK(!tree_stat(c2, &ps) && ps.sid == c2 && ps.tty_nr == pty_tty_nr(i2), "c2: tty %#x", ps.tty_nr);
	CHECK(write(go[1], "gg", 2) == 2, "go");
	CHECK(write(m1, "one\n", 4) == 4 && write(m2, "two\n", 4) == 4, "type");
	/* Each master: the echo "xxx\r\n", then its child's answer. */
	snprintf(want, sizeof(want), "one\r\none=%s", n1);
	memset(buf, 0, sizeof(buf));
	CHECK(!pty_read_n(m1, buf, strlen(want)) && !strcmp(buf, want), "m1: '%s', want '%s'", buf, want);
	snprintf(want, sizeof(want), "two\r\ntwo=%s", n2);
	memset(buf, 0, sizeof(buf));
	CHECK(!pty_read_n(m2, buf, strlen(want)) && !strcmp(buf, want), "m2: '%s', want '%s'", buf, want);
	CHECK(waitpid(c1, &st, 0) == c1 && WIFEXITED(st) && !WEXITSTATUS(st), "c1: %#x", st);
	CHECK(waitpid(c2, &st, 0) == c2 && WIFEXITED(st) && !WEXITSTATUS(st), "c2: %#x", st);
	prog_done();
}
