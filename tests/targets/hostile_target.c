// SPDX-License-Identifier: MIT
/*
 * hostile_target DIR: a process that holds one of nearly every kind of
 * state sudcr stores, so that its image has a record of each type for
 * tests/cli/hostile.sh to damage: memfd and shared anonymous mappings, a
 * pipe and a unix socket pair with data queued, an eventfd, an epoll, a
 * timerfd, a flock, a deleted file, a POSIX timer, an itimer, an
 * alternate signal stack, a handled and a pending signal, a seccomp
 * filter.  Writes DIR/ready, then waits for signals forever.
 */
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define CHECK(x) do { if (!(x)) { perror(#x); exit(1); } } while (0)

static void on_signal(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	static char altstack[65536];
	char path[4096];
	int p[2], sv[2], fd, ep, tfd;

	if (argc != 2)
		return 2;
	/* Nothing inherited: the image must be this program's alone. */
	syscall(SYS_close_range, 3, ~0u, 0);
	/* Memory: a memfd shared mapping, shared anonymous memory. */
	fd = memfd_create("hostile", MFD_CLOEXEC);
	CHECK(fd >= 0 && !ftruncate(fd, 8192));
	char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED);
	memset(m, 'm', 8192);
	char *s = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(s != MAP_FAILED);
	memset(s, 's', 8192);

	/* Files. */
	CHECK(!pipe(p) && write(p[1], "abc", 3) == 3);
	CHECK(!socketpair(AF_UNIX, SOCK_STREAM, 0, sv) && write(sv[0], "hello", 5) == 5);
	CHECK(eventfd(7, 0) >= 0);
	ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 42 };
	CHECK(ep >= 0 && !epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	tfd = timerfd_create(CLOCK_MONOTONIC, 0);
	struct itimerspec its = { .it_value = { 1000, 0 }, .it_interval = { 1000, 0 } };
	CHECK(tfd >= 0 && !timerfd_settime(tfd, 0, &its, NULL));
	snprintf(path, sizeof(path), "%s/locked", argv[1]);
	fd = open(path, O_RDWR | O_CREAT, 0600);
	CHECK(fd >= 0 && !flock(fd, LOCK_EX));
	snprintf(path, sizeof(path), "%s/deleted", argv[1]);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && write(fd, "gone", 4) == 4 && !unlink(path));

	/* Signals and timers. */
	struct sigaction sa = { .sa_handler = on_signal };
	CHECK(!sigaction(SIGUSR1, &sa, NULL) && !sigaction(SIGALRM, &sa, NULL));
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	CHECK(!sigaltstack(&ss, NULL));
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	CHECK(!sigprocmask(SIG_BLOCK, &set, NULL) && !raise(SIGUSR2));
	timer_t t;
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
	CHECK(!timer_create(CLOCK_MONOTONIC, &sev, &t) && !timer_settime(t, 0, &its, NULL));
	struct itimerval itv = { .it_value = { 1000, 0 } };
	CHECK(!setitimer(ITIMER_REAL, &itv, NULL));

	/* A filter that allows everything. */
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = { .len = 1, .filter = &allow };
	CHECK(!syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog));

	snprintf(path, sizeof(path), "%s/ready", argv[1]);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	CHECK(fd >= 0 && write(fd, "ready\n", 6) == 6 && !close(fd));
	for (;;)
		pause();
}
