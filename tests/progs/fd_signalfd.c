// SPDX-License-Identifier: MIT
/*
 * signalfds: a non-blocking close-on-exec one for SIGUSR1 and SIGRTMIN+3
 * with three signals pending for it (queued with values), and a blocking
 * one for SIGUSR2, dup'ed to a second fd.  After restore each has its mask
 * (fdinfo) and flags, the pending signals are read through the first one
 * in order with their values, and a SIGUSR2 raised afterwards is read
 * through the second one only.
 */
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>

#include "progs/prog.h"

/* The "sigmask:" line of fdinfo, as a number; ~0 if none. */
static uint64_t fdinfo_mask(int fd)
{
	char path[64], buf[4096], *p;
	unsigned long long m;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (prog_read_file(path, buf, sizeof(buf)) < 0 || !(p = strstr(buf, "sigmask:")) ||
	    sscanf(p + 8, "%llx", &m) != 1)
		return ~0ULL;
	return m;
}

static void read_one(int fd, int signo, int value)
{
	struct signalfd_siginfo si;
	ssize_t n = read(fd, &si, sizeof(si));

	if (!CHECK(n == sizeof(si), "read from signalfd %d: %zd (%s), expected signal %d", fd, n,
		   n < 0 ? strerror(errno) : "short", signo))
		return;
	CHECK_EQ(si.ssi_signo, signo);
	CHECK_EQ(si.ssi_code, SI_QUEUE);
	CHECK_EQ(si.ssi_pid, getpid());
	CHECK_EQ(si.ssi_int, value);
}

int main(void)
{
	int rt = SIGRTMIN + 3, a, b, b2, fl[2];
	uint64_t mask_a, mask_b;
	struct signalfd_siginfo si;
	struct pollfd p;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, rt);
	SETUP(!sigprocmask(SIG_BLOCK, &set, NULL), "sigprocmask");
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, rt);
	a = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	b = signalfd(-1, &set, 0);
	SETUP(a >= 0 && b >= 0, "signalfd");
	b2 = fcntl(b, F_DUPFD, 20);
	SETUP(b2 == 20, "dup");
	SETUP(!sigqueue(getpid(), SIGUSR1, (union sigval){ .sival_int = 42 }) &&
	      !sigqueue(getpid(), rt, (union sigval){ .sival_int = 1 }) &&
	      !sigqueue(getpid(), rt, (union sigval){ .sival_int = 2 }), "sigqueue");
	fl[0] = fcntl(a, F_GETFL);
	fl[1] = fcntl(b, F_GETFL);
	mask_a = fdinfo_mask(a);
	mask_b = fdinfo_mask(b);
	SETUP(mask_a == (1ULL << (SIGUSR1 - 1) | 1ULL << (rt - 1)) &&
	      mask_b == 1ULL << (SIGUSR2 - 1), "fdinfo masks %llx %llx",
	      (unsigned long long)mask_a, (unsigned long long)mask_b);

	prog_ready();
	prog_wait();

	CHECK_EQ(fdinfo_mask(a), mask_a);
	CHECK_EQ(fdinfo_mask(b), mask_b);
	CHECK_EQ(fdinfo_mask(b2), mask_b);
	CHECK_EQ(fcntl(a, F_GETFL), fl[0]);
	CHECK_EQ(fcntl(b, F_GETFL), fl[1]);
	CHECK(fl[0] & O_NONBLOCK && !(fl[1] & O_NONBLOCK), "flags 0%o 0%o", fl[0], fl[1]);
	CHECK(fcntl(a, F_GETFD) == FD_CLOEXEC && fcntl(b, F_GETFD) == 0 && fcntl(b2, F_GETFD) == 0,
	      "fd flags");
	/* One description: O_NONBLOCK set through b2 shows on b. */
	CHECK(!fcntl(b2, F_SETFL, O_NONBLOCK) && fcntl(b, F_GETFL) & O_NONBLOCK,
	      "b and b2 do not share a description");
	fcntl(b2, F_SETFL, 0);

	p = (struct pollfd){ .fd = a, .events = POLLIN };
	CHECK(poll(&p, 1, 0) == 1 && p.revents == POLLIN, "a not readable: poll %x", p.revents);
	read_one(a, SIGUSR1, 42);
	read_one(a, rt, 1);
	read_one(a, rt, 2);
	CHECK(read(a, &si, sizeof(si)) < 0 && errno == EAGAIN, "a: more than three signals pending");
	p = (struct pollfd){ .fd = b, .events = POLLIN };
	CHECK(poll(&p, 1, 0) == 0, "b readable before SIGUSR2 was sent");

	CHECK(!sigqueue(getpid(), SIGUSR2, (union sigval){ .sival_int = 7 }), "sigqueue SIGUSR2");
	CHECK(read(a, &si, sizeof(si)) < 0 && errno == EAGAIN, "a reads SIGUSR2, not in its mask");
	read_one(b, SIGUSR2, 7);
	prog_done();
}
