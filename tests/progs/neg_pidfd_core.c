// SPDX-License-Identifier: MIT
/*
 * Failure path: a dead pidfd of a child that dumped core (SIGQUIT, a core
 * file in $TESTTMP) is refused: its exit cannot be made again.  The dump
 * fails with one line naming the fd, and the pidfd still reports the core.
 */
// sudcr-test: dump-fails fd 3: pidfd of a process that exited dumping core
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "progs/prog.h"

int main(void)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	int fd, st = 0;
	pid_t c;

	SETUP(!chdir(prog_path("")), "chdir");
	if (setrlimit(RLIMIT_CORE, &rl)) {
		rl.rlim_cur = rl.rlim_max = 1 << 20;
		if (setrlimit(RLIMIT_CORE, &rl))
			prog_skip("RLIMIT_CORE cannot be raised: %s", strerror(errno));
	}
	c = fork();
	SETUP(c >= 0, "fork");
	if (!c) {
		signal(SIGQUIT, SIG_DFL);
		raise(SIGQUIT);
		_exit(0);
	}
	fd = (int)syscall(SYS_pidfd_open, c, 0);
	SETUP(fd == 3 && waitpid(c, &st, 0) == c, "pidfd_open");
	if (!WCOREDUMP(st))
		prog_skip("no core dumped here (status 0x%x; core_pattern or limits)", st);
	rl.rlim_cur = 0;
	setrlimit(RLIMIT_CORE, &rl);

	prog_ready();
	prog_wait();

	CHECK(syscall(SYS_pidfd_send_signal, fd, 0, NULL, 0) < 0 && errno == ESRCH, "the pidfd is not dead");
	prog_done();
}
