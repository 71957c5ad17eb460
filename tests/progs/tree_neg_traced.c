// SPDX-License-Identifier: MIT
/*
 * Failure path: a child traced by its parent (PTRACE_SEIZE).  sudcr cannot
 * seize a traced process: the tree dump must fail with one line naming the
 * child and its tracer, and leave the tree running as it was, the child
 * still traced by its parent.
 */
// sudcr-test: dump-fails in the tree) is traced by process
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "progs/tree_util.h"

static pid_t tracer_of(pid_t pid)
{
	char path[64], buf[4096], *p;
	int fd, n;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, "TracerPid:");
	return p ? (pid_t)atoi(p + 10) : -1;
}

int main(void)
{
	pid_t child;
	int st;

	child = fork();
	SETUP(child >= 0, "fork");
	if (!child) {
		for (;;)
			pause();
	}
	SETUP(!ptrace(PTRACE_SEIZE, child, 0, 0), "PTRACE_SEIZE");

	prog_ready();
	prog_wait();

	CHECK_EQ(tracer_of(child), getpid());
	CHECK(waitpid(child, &st, WNOHANG) == 0, "the child is gone: %#x", st);
	kill(child, SIGKILL);
	CHECK(waitpid(child, &st, 0) == child && WIFSIGNALED(st), "the child's end: %#x", st);
	prog_done();
}
