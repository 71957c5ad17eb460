// SPDX-License-Identifier: MIT
/*
 * epoll: an epoll watching a pipe's read end, an eventfd (edge-triggered)
 * and a dup of it (for writing), a timerfd, a signalfd, and the pipe's
 * write end as a one-shot entry that has fired (disarmed); a second epoll
 * watching the first one and another eventfd (EPOLLEXCLUSIVE).  After
 * restore the watch lists are the same (fd, events, data, from fdinfo),
 * and readiness comes out right: nothing but what is ready at once, then
 * each file reported with its data when it becomes ready, edge-triggered
 * once, the disarmed entry only after EPOLL_CTL_MOD re-arms it, the inner
 * epoll through the outer one.
 */
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>

#include "progs/prog.h"

#define MAX_WATCH 16

struct watch {
	int tfd;
	unsigned int events;
	unsigned long long data;
};

/* The watch list of @ep from fdinfo, sorted by fd. */
static int watch_list(int ep, struct watch *w)
{
	char path[64], buf[8192], *p;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", ep);
	if (prog_read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	for (p = strstr(buf, "tfd:"); p && n < MAX_WATCH; p = strstr(p + 1, "tfd:")) {
		if (sscanf(p, "tfd: %d events: %x data: %llx", &w[n].tfd, &w[n].events,
			   &w[n].data) != 3)
			return -1;
		n++;
	}
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && w[j - 1].tfd > w[j].tfd; j--) {
			struct watch t = w[j];

			w[j] = w[j - 1];
			w[j - 1] = t;
		}
	return n;
}

static void add(int ep, int fd, unsigned int events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	SETUP(!epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), "EPOLL_CTL_ADD %d", fd);
}

/* Bit i set when data value D_BASE + i was reported by one epoll_wait. */
#define D_BASE 0x5ca1ab1e00000000ULL
enum { D_PIPE, D_EFD_ET, D_EFD_OUT, D_TIMER, D_SIG, D_ONESHOT, D_INNER, D_EFD2, D_NR };

static unsigned int wait_mask(int ep, int timeout_ms, unsigned int *events_of_pipe)
{
	struct epoll_event evs[16];
	unsigned int mask = 0;
	int n = epoll_wait(ep, evs, 16, timeout_ms);

	if (!CHECK(n >= 0, "epoll_wait: %s", strerror(errno)))
		return 0;
	for (int i = 0; i < n; i++) {
		uint64_t k = evs[i].data.u64 - D_BASE;

		if (!CHECK(k < D_NR, "epoll_wait returned data %#llx",
			   (unsigned long long)evs[i].data.u64))
			continue;
		CHECK(!(mask & 1u << k), "data %#llx twice", (unsigned long long)evs[i].data.u64);
		mask |= 1u << k;
		if (k == D_PIPE && events_of_pipe)
			*events_of_pipe = evs[i].events;
	}
	return mask;
}

int main(void)
{
	struct watch before[2][MAX_WATCH], after[MAX_WATCH];
	int pfd[2], efd, efd_out, tfd, sfd, efd2, ep, ep2, nr[2], sig = SIGRTMIN + 5;
	struct itimerspec its = { { 0, 50000000 }, { 0, 50000000 } };
	struct epoll_event ev;
	unsigned int m, pev = 0;
	uint64_t one = 1, v;
	sigset_t set;
	char c;

	sigemptyset(&set);
	sigaddset(&set, sig);
	SETUP(!sigprocmask(SIG_BLOCK, &set, NULL), "sigprocmask");
	SETUP(!pipe2(pfd, O_NONBLOCK), "pipe");
	efd = eventfd(0, EFD_NONBLOCK);
	efd_out = dup(efd);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	sfd = signalfd(-1, &set, SFD_NONBLOCK);
	efd2 = eventfd(1, EFD_NONBLOCK);
	ep = epoll_create1(EPOLL_CLOEXEC);
	ep2 = epoll_create1(0);
	SETUP(efd >= 0 && efd_out >= 0 && tfd >= 0 && sfd >= 0 && efd2 >= 0 && ep >= 0 && ep2 >= 0,
	      "create");
	SETUP(!timerfd_settime(tfd, 0, &its, NULL), "timerfd_settime");
	add(ep, pfd[0], EPOLLIN | EPOLLRDHUP, D_BASE + D_PIPE);
	add(ep, efd, EPOLLIN | EPOLLET, D_BASE + D_EFD_ET);
	add(ep, efd_out, EPOLLOUT, D_BASE + D_EFD_OUT);
	add(ep, tfd, EPOLLIN, D_BASE + D_TIMER);
	add(ep, sfd, EPOLLIN, D_BASE + D_SIG);
	add(ep, pfd[1], EPOLLOUT | EPOLLONESHOT, D_BASE + D_ONESHOT);
	add(ep2, ep, EPOLLIN, D_BASE + D_INNER);
	add(ep2, efd2, EPOLLIN | EPOLLEXCLUSIVE, D_BASE + D_EFD2);
	/* The one-shot entry fires (the pipe has room) and is disarmed. */
	m = wait_mask(ep, 0, NULL);
	SETUP(m & 1u << D_ONESHOT && !prog_nr_failed, "one-shot entry did not fire: %#x", m);
	nr[0] = watch_list(ep, before[0]);
	nr[1] = watch_list(ep2, before[1]);
	SETUP(nr[0] == 6 && nr[1] == 2, "watch lists of %d and %d", nr[0], nr[1]);

	prog_ready();
	prog_wait();

	/* The same watch lists. */
	for (int k = 0; k < 2; k++) {
		int n = watch_list(k ? ep2 : ep, after);

		if (!CHECK(n == nr[k], "epoll %d watches %d fds, not %d", k ? ep2 : ep, n, nr[k]))
			continue;
		for (int i = 0; i < n; i++)
			CHECK(after[i].tfd == before[k][i].tfd && after[i].events == before[k][i].events &&
			      after[i].data == before[k][i].data,
			      "epoll %d: fd %d events %#x data %#llx, was fd %d events %#x data %#llx",
			      k ? ep2 : ep, after[i].tfd, after[i].events, after[i].data,
			      before[k][i].tfd, before[k][i].events, before[k][i].data);
	}
	CHECK(fcntl(ep, F_GETFD) == FD_CLOEXEC && fcntl(ep2, F_GETFD) == 0, "epoll fd flags");

	/* The outer epoll: the inner one (it has ready entries) and efd2. */
	m = wait_mask(ep2, 0, NULL);
	CHECK_EQ(m, 1u << D_INNER | 1u << D_EFD2);

	/* Ready at once: the writable eventfd, maybe the timer; not the disarmed one. */
	m = wait_mask(ep, 0, NULL) & ~(1u << D_TIMER);
	CHECK_EQ(m, 1u << D_EFD_OUT);

	CHECK(write(pfd[1], "x", 1) == 1, "write to the pipe");
	m = wait_mask(ep, 0, &pev) & ~(1u << D_TIMER);
	CHECK_EQ(m, 1u << D_PIPE | 1u << D_EFD_OUT);
	CHECK_EQ(pev, EPOLLIN);
	CHECK(read(pfd[0], &c, 1) == 1 && c == 'x', "read from the pipe");

	/* Edge-triggered: once per write. */
	CHECK(write(efd, &one, 8) == 8, "write to the eventfd");
	m = wait_mask(ep, 0, NULL) & ~(1u << D_TIMER);
	CHECK_EQ(m, 1u << D_EFD_ET | 1u << D_EFD_OUT);
	m = wait_mask(ep, 0, NULL) & ~(1u << D_TIMER);
	CHECK_EQ(m, 1u << D_EFD_OUT);
	CHECK(read(efd, &v, 8) == 8 && v == 1, "read the eventfd");

	CHECK(!sigqueue(getpid(), sig, (union sigval){ .sival_int = 0 }), "sigqueue");
	m = wait_mask(ep, 0, NULL) & ~(1u << D_TIMER);
	CHECK_EQ(m, 1u << D_SIG | 1u << D_EFD_OUT);

	/* The timer keeps firing, and says so through the epoll. */
	read(tfd, &v, 8);
	CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, efd_out, NULL) == 0 &&
	      epoll_ctl(ep, EPOLL_CTL_DEL, sfd, NULL) == 0, "EPOLL_CTL_DEL");
	m = wait_mask(ep, 500, NULL);
	CHECK_EQ(m, 1u << D_TIMER);

	/* The disarmed entry is there: re-armed, it reports the writable pipe. */
	ev = (struct epoll_event){ .events = EPOLLOUT | EPOLLONESHOT, .data.u64 = D_BASE + D_ONESHOT };
	CHECK(!epoll_ctl(ep, EPOLL_CTL_MOD, pfd[1], &ev), "EPOLL_CTL_MOD: %s", strerror(errno));
	read(tfd, &v, 8);
	m = wait_mask(ep, 0, NULL) & ~(1u << D_TIMER);
	CHECK_EQ(m, 1u << D_ONESHOT);
	prog_done();
}
