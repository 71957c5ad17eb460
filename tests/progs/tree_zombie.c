// SPDX-License-Identifier: MIT
/*
 * A tree (dump -t): a running child and two zombies not reaped yet, one
 * that exited with 42 and one killed by SIGTERM.  After the restore the
 * running child is still this process's child (its PPid, and it answers
 * through a pipe with its getppid()), and each zombie is reaped here with
 * its own status.  Before that, a restore while another process holds
 * the root's PID fails in one line and leaves no process behind.
 */
// sudcr-test: restore-fails pid-taken
#include <signal.h>
#include <sys/wait.h>

#include "progs/prog.h"

static pid_t ppid_of(pid_t pid)
{
	char path[64], buf[512], *p;
	int fd, n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p ? (pid_t)atoi(p + 4) : -1;
}

int main(void)
{
	pid_t live, dead, killed, me = getpid(), got = 0;
	int st, to_child[2], from_child[2];

	SETUP(!pipe(to_child) && !pipe(from_child), "pipe");
	live = fork();
	SETUP(live >= 0, "fork");
	if (!live) {
		char c;
		pid_t pp;

		close(to_child[1]);
		close(from_child[0]);
		while (read(to_child[0], &c, 1) < 0 && errno == EINTR)
			;
		pp = getppid();
		if (write(from_child[1], &pp, sizeof(pp)) != sizeof(pp))
			_exit(3);
		_exit(5);
	}
	close(to_child[0]);
	close(from_child[1]);
	dead = fork();
	SETUP(dead >= 0, "fork");
	if (!dead)
		_exit(42);
	killed = fork();
	SETUP(killed >= 0, "fork");
	if (!killed) {
		for (;;)
			pause();
	}
	kill(killed, SIGTERM);
	/* Exited, not reaped. */
	SETUP(waitid(P_PID, dead, NULL, WEXITED | WNOWAIT) == 0, "waitid");
	SETUP(waitid(P_PID, killed, NULL, WEXITED | WNOWAIT) == 0, "waitid");

	prog_ready();
	prog_wait();

	CHECK_EQ(ppid_of(live), me);
	CHECK(waitpid(live, &st, WNOHANG) == 0, "the running child is gone");
	CHECK(waitpid(dead, &st, 0) == dead && WIFEXITED(st) && WEXITSTATUS(st) == 42,
	      "the exited child's status: %#x", st);
	CHECK(waitpid(killed, &st, 0) == killed && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM &&
	      !WCOREDUMP(st), "the killed child's status: %#x", st);
	CHECK(write(to_child[1], "g", 1) == 1, "write to the child");
	CHECK(read(from_child[0], &got, sizeof(got)) == sizeof(got), "the child's answer");
	CHECK_EQ(got, me);
	CHECK(waitpid(live, &st, 0) == live && WIFEXITED(st) && WEXITSTATUS(st) == 5,
	      "the running child's exit: %#x", st);
	CHECK(waitpid(-1, &st, WNOHANG) < 0 && errno == ECHILD, "another child");
	prog_done();
}
