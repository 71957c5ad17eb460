// SPDX-License-Identifier: MIT
/*
 * Job control on a pty of the tree, as a shell in a terminal emulator has
 * it.  This process holds the master; its child L leads a session whose
 * controlling terminal is the slave (fds 0-2 and an open of /dev/tty), and
 * has two jobs, each a process group of its own: F, in the foreground,
 * blocked reading the terminal, and B, in the background, stopped by
 * SIGTTIN for reading it.  After the restore: L leads its session with the
 * same terminal, F's group is the foreground one (tcgetpgrp, tpgid), F
 * gets the line typed into the master and answers through /dev/tty; B is
 * still stopped and, continued, stops again on its read (SIGTTIN): it is
 * still in the background.
 */
#include "progs/pty_util.h"

static void __attribute__((noreturn)) job_fg(int go)
{
	char buf[64];
	int t = open("/dev/tty", O_RDWR);
	ssize_t n;

	if (t < 0)
		_exit(20);
	if (tree_wait_byte(go) != 'g')
		_exit(21);
	n = read(0, buf, sizeof(buf));
	if (n != 6 || memcmp(buf, "hello\n", 6))
		_exit(22);
	if (write(t, "F:hello\n", 8) != 8)
		_exit(23);
	_exit(0);
}

static void __attribute__((noreturn)) job_bg(void)
{
	char c;

	/* SIGTTIN stops us at each try: a background job cannot read. */
	for (;;)
		if (read(0, &c, 1) >= 0)
			_exit(30);
}

static void __attribute__((noreturn)) leader(const char *name, int go, int info)
{
	pid_t f, b;
	int s, st;

	if (setsid() < 0)
		_exit(10);
	s = open(name, O_RDWR);		/* a session leader's first terminal: its controlling one */
	if (s < 0 || dup2(s, 0) < 0 || dup2(s, 1) < 0 || dup2(s, 2) < 0)
		_exit(11);
	close(s);
	signal(SIGTTOU, SIG_IGN);
	b = fork();
	if (!b) {
		setpgid(0, 0);
		signal(SIGTTOU, SIG_DFL);
		job_bg();
	}
	setpgid(b, b);
	f = fork();
	if (!f) {
		setpgid(0, 0);
		job_fg(go);
	}
	setpgid(f, f);
	if (tcsetpgrp(0, f))
		_exit(12);
	if (write(info, &f, sizeof(f)) != sizeof(f) || write(info, &b, sizeof(b)) != sizeof(b))
		_exit(13);
	if (waitpid(f, &st, 0) != f || !WIFEXITED(st) || WEXITSTATUS(st)) {
		dprintf(info, "F: %#x", st);
		_exit(14);
	}
	/* Back in the foreground, as a shell after its job. */
	if (tcgetpgrp(0) != f)
		_exit(15);
	if (tcsetpgrp(0, getpgrp()))
		_exit(16);
	kill(b, SIGKILL);
	waitpid(b, &st, 0);
	_exit(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL ? 0 : 17);
}

int main(void)
{
	char name[64], buf[64];
	unsigned int index;
	int m, go[2], info[2], st;
	pid_t l, f = 0, b = 0;
	struct tree_stat ps;

	m = pty_open_master(&index, name, sizeof(name));
	SETUP(m >= 0, "posix_openpt");
	SETUP(!pipe(go) && !pipe(info), "pipe");
	l = fork();
	SETUP(l >= 0, "fork");
	if (!l) {
		close(m);
		close(go[1]);
		close(info[0]);
		leader(name, go[0], info[1]);
	}
	close(go[0]);
	close(info[1]);
	SETUP(read(info[0], &f, sizeof(f)) == sizeof(f) && read(info[0], &b, sizeof(b)) == sizeof(b),
	      "the jobs' PIDs");
	SETUP(pty_wait_state(b, 'T'), "the background job stops on its read");
	SETUP(pty_wait_syscall(f, __NR_read), "the foreground job waits");

	prog_ready();
	prog_wait();

	CHECK(!tree_stat(l, &ps) && ps.sid == l && ps.tty_nr == pty_tty_nr(index) && ps.tpgid == f,
	      "leader: session %d, tty %#x (want %#x), foreground %d (want %d)", ps.sid, ps.tty_nr,
	      pty_tty_nr(index), ps.tpgid, f);
	CHECK(!tree_stat(f, &ps) && ps.sid == l && ps.pgid == f && ps.tty_nr == pty_tty_nr(index),
	      "F: session %d group %d tty %#x", ps.sid, ps.pgid, ps.tty_nr);
	/* Stopped again at once by its own read, if the release let it run. */
	CHECK(pty_wait_state(b, 'T') && !tree_stat(b, &ps) && ps.pgid == b, "B: state %c group %d",
	      ps.state, ps.pgid);
	kill(b, SIGCONT);
	usleep(20000);
	CHECK(pty_wait_state(b, 'T'), "B, continued, does not stop again on its read");
	CHECK(write(go[1], "g", 1) == 1, "go");
	CHECK(write(m, "hello\n", 6) == 6, "type into the master");
	memset(buf, 0, sizeof(buf));
	/* The line discipline echoes what is typed: "hello\r\n", then F's answer. */
	CHECK(!pty_read_n(m, buf, 16) && !memcmp(buf, "hello\r\nF:hello\r\n", 16), "the master reads '%s'",
	      buf);
	CHECK(waitpid(l, &st, 0) == l && WIFEXITED(st) && !WEXITSTATUS(st), "the leader's exit: %#x", st);
	prog_done();
}
