// SPDX-License-Identifier: MIT
/*
 * Signal-driven I/O across a tree: a socket pair between this process
 * (P) and its child C, each end with O_ASYNC and P as its owner
 * (F_SETOWN), C's end with F_SETSIG SIGRTMIN+2, P's with the default
 * SIGIO, as nginx's master and workers set their channels.  After the
 * restore both ends still have their flags, owner and signal, and data
 * arriving at each end signals P: SIGIO for P's end, SIGRTMIN+2 with
 * si_fd C's fd number for C's end.
 */
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "progs/tree_util.h"

static int wait_sig(int sig, siginfo_t *si)
{
	struct timespec ts = { .tv_sec = 5 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	return sigtimedwait(&set, si, &ts);
}

static int set_async(int fd, pid_t owner, int sig)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 || fcntl(fd, F_SETFL, fl | O_ASYNC) || fcntl(fd, F_SETOWN, owner) ||
	       fcntl(fd, F_SETSIG, sig) ? -1 : 0;
}

int main(void)
{
	int sv[2], go[2], ready[2], st, rt = SIGRTMIN + 2;
	pid_t me = getpid(), c;
	sigset_t block;
	siginfo_t si;
	char b;

	sigemptyset(&block);
	sigaddset(&block, SIGIO);
	sigaddset(&block, rt);
	SETUP(!sigprocmask(SIG_BLOCK, &block, NULL), "sigprocmask");
	SETUP(!socketpair(AF_UNIX, SOCK_STREAM, 0, sv) && !pipe(go) && !pipe(ready), "socketpair, pipe");
	c = fork();
	SETUP(c >= 0, "fork");
	if (!c) {
		close(sv[0]);
		close(go[1]);
		close(ready[0]);
		if (set_async(sv[1], me, rt))
			_exit(10);
		if (write(ready[1], "r", 1) != 1)
			_exit(11);
		close(ready[1]);
		if (tree_wait_byte(go[0]) != 'g')
			_exit(12);
		if (!(fcntl(sv[1], F_GETFL) & O_ASYNC) || fcntl(sv[1], F_GETOWN) != me ||
		    fcntl(sv[1], F_GETSIG) != rt)
			_exit(13);
		if (read(sv[1], &b, 1) != 1 || b != 'y' || write(sv[1], "x", 1) != 1)
			_exit(14);
		_exit(0);
	}
	close(sv[1]);
	close(go[0]);
	close(ready[1]);
	SETUP(!set_async(sv[0], me, 0), "O_ASYNC on P's end");
	SETUP(read(ready[0], &b, 1) == 1, "C's end set up");
	close(ready[0]);

	prog_ready();
	prog_wait();

	CHECK((fcntl(sv[0], F_GETFL) & O_ASYNC) && fcntl(sv[0], F_GETOWN) == me && fcntl(sv[0], F_GETSIG) == 0,
	      "P's end: flags %#x, owner %d, signal %d", fcntl(sv[0], F_GETFL), fcntl(sv[0], F_GETOWN),
	      fcntl(sv[0], F_GETSIG));
	/* C reads only after its go: a reader waiting in read() gets no signal (SOCKWQ_ASYNC_WAITDATA). */
	CHECK(write(sv[0], "y", 1) == 1, "write to C");
	CHECK(wait_sig(rt, &si) == rt && si.si_fd == sv[1], "no SIGRTMIN+2 for P's byte arriving at C's end (fd %d): %s, si_fd %d",
	      sv[1], strerror(errno), si.si_fd);
	CHECK(write(go[1], "g", 1) == 1, "go");
	CHECK(wait_sig(SIGIO, &si) == SIGIO, "no SIGIO for C's byte arriving at P's end: %s", strerror(errno));
	CHECK(read(sv[0], &b, 1) == 1 && b == 'x', "C's byte");
	CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st) && !WEXITSTATUS(st), "C's exit: %#x", st);
	prog_done();
}
