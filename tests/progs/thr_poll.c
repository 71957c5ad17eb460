// SPDX-License-Identifier: MIT
/*
 * Threads blocked in poll-like waits at the dump, one each: poll(2) on two
 * pipes without timeout, poll(2) with a 30 s timeout, poll(2) for POLLIN
 * on a pipe whose write end is closed after "go" (POLLHUP), poll(2) for
 * POLLOUT on a full pipe, select(2) on two pipes without timeout,
 * select(2) with a 30 s timeout and ppoll(2) without timeout or mask.
 *
 * After "go" each must be back in its syscall, and when the main thread
 * makes one fd ready it must return exactly 1 with exactly that fd and
 * event reported (and select's timeout left between 0 and 30 s).
 */
#include <poll.h>
#include <sys/select.h>

#include "progs/thr.h"

enum { P_POLL, P_POLL_TMO, P_POLL_HUP, P_POLL_OUT, P_SELECT, P_SELECT_TMO, P_PPOLL, NR_P };

struct poller {
	const char *name;
	long nr;
	int a[2], b[2];			/* pipes: b is the one made ready */
	struct pollfd pfd[2];
	fd_set rfds;
	struct timeval tv;
	volatile pid_t tid;
	long ret;
	volatile int done;
	pthread_t t;
};

static struct poller p[NR_P] = {
	[P_POLL] = { .name = "poll(2 pipes, no timeout)", .nr = SYS_poll },
	[P_POLL_TMO] = { .name = "poll(30 s timeout)", .nr = SYS_poll },
	[P_POLL_HUP] = { .name = "poll(POLLIN, writer closed after go)", .nr = SYS_poll },
	[P_POLL_OUT] = { .name = "poll(POLLOUT, full pipe)", .nr = SYS_poll },
	[P_SELECT] = { .name = "select(2 pipes, no timeout)", .nr = SYS_select },
	[P_SELECT_TMO] = { .name = "select(30 s timeout)", .nr = SYS_select },
	[P_PPOLL] = { .name = "ppoll(no timeout, no mask)", .nr = SYS_ppoll },
};

static void *poller_main(void *arg)
{
	struct poller *me = arg;
	int nfds = (me->a[0] > me->b[0] ? me->a[0] : me->b[0]) + 1;

	me->tid = gettid();
	switch (me - p) {
	case P_POLL:
		me->ret = syscall(SYS_poll, me->pfd, 2, -1);
		break;
	case P_POLL_TMO:
	case P_POLL_HUP:
	case P_POLL_OUT:
		me->ret = syscall(SYS_poll, me->pfd + 1, 1, me - p == P_POLL_TMO ? 30000 : -1);
		break;
	case P_SELECT:
		me->ret = syscall(SYS_select, nfds, &me->rfds, NULL, NULL, NULL);
		break;
	case P_SELECT_TMO:
		me->ret = syscall(SYS_select, nfds, &me->rfds, NULL, NULL, &me->tv);
		break;
	case P_PPOLL:
		me->ret = syscall(SYS_ppoll, me->pfd, 2, NULL, NULL, 8);
		break;
	}
	if (me->ret < 0)
		me->ret = -errno;
	__atomic_store_n(&me->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

int main(void)
{
	static char fill[4096];

	for (int i = 0; i < NR_P; i++) {
		struct poller *x = &p[i];

		SETUP(!pipe2(x->a, O_CLOEXEC) && !pipe2(x->b, O_CLOEXEC), "pipe2");
		x->pfd[0] = (struct pollfd){ .fd = x->a[0], .events = POLLIN };
		x->pfd[1] = (struct pollfd){ .fd = x->b[0], .events = POLLIN };
		FD_ZERO(&x->rfds);
		FD_SET(x->a[0], &x->rfds);
		FD_SET(x->b[0], &x->rfds);
		x->tv = (struct timeval){ 30, 0 };
		if (i == P_POLL_OUT) {
			SETUP(fcntl(x->b[1], F_SETPIPE_SZ, 4096) == 4096, "F_SETPIPE_SZ");
			SETUP(write(x->b[1], fill, sizeof(fill)) == sizeof(fill), "fill the pipe");
			x->pfd[1] = (struct pollfd){ .fd = x->b[1], .events = POLLOUT };
		}
		thr_create(&x->t, poller_main, x, 0);
		while (!x->tid)
			thr_sleep_ms(1);
	}
	for (int i = 0; i < NR_P; i++)
		THR_SETUP_BLOCKED(p[i].tid, p[i].nr, p[i].name);

	prog_ready();
	prog_wait();

	for (int i = 0; i < NR_P; i++) {
		CHECK(!p[i].done, "%s: returned %ld before go", p[i].name, p[i].ret);
		THR_CHECK_BLOCKED(p[i].tid, p[i].nr, p[i].name);
	}
	for (int i = 0; i < NR_P; i++) {
		struct poller *x = &p[i];

		if (i == P_POLL_HUP)
			CHECK_EQ(close(x->b[1]), 0);
		else if (i == P_POLL_OUT)
			CHECK_EQ(read(x->b[0], fill, sizeof(fill)), (long)sizeof(fill));
		else
			CHECK_EQ(write(x->b[1], "x", 1), 1);
	}
	for (int i = 0; i < NR_P; i++) {
		struct poller *x = &p[i];
		int err = thr_join(x->t, NULL);

		if (!CHECK(!err, "%s: did not return after go: pthread_join: %s", x->name, strerror(err)))
			continue;
		CHECK(x->ret == 1, "%s returned %ld, expected 1", x->name, x->ret);
		switch (i) {
		case P_POLL:
		case P_PPOLL:
			CHECK(x->pfd[0].revents == 0 && x->pfd[1].revents == POLLIN,
			      "%s: revents 0x%x 0x%x, expected 0 0x%x", x->name, x->pfd[0].revents, x->pfd[1].revents,
			      POLLIN);
			break;
		case P_POLL_TMO:
			CHECK_EQ(x->pfd[1].revents, POLLIN);
			break;
		case P_POLL_HUP:
			CHECK_EQ(x->pfd[1].revents, POLLHUP);
			break;
		case P_POLL_OUT:
			CHECK_EQ(x->pfd[1].revents, POLLOUT);
			break;
		case P_SELECT_TMO:
			CHECK(x->tv.tv_sec >= 0 && x->tv.tv_usec >= 0 && x->tv.tv_sec * 1000000L + x->tv.tv_usec > 0 &&
				      x->tv.tv_sec * 1000000L + x->tv.tv_usec <= 30000000L,
			      "%s: timeout left {%ld, %ld}, expected in (0, 30 s]", x->name, (long)x->tv.tv_sec,
			      (long)x->tv.tv_usec);
			/* fall through */
		case P_SELECT:
			CHECK(!FD_ISSET(x->a[0], &x->rfds) && FD_ISSET(x->b[0], &x->rfds),
			      "%s: fd %d %s, fd %d %s; expected only fd %d", x->name, x->a[0],
			      FD_ISSET(x->a[0], &x->rfds) ? "set" : "clear", x->b[0],
			      FD_ISSET(x->b[0], &x->rfds) ? "set" : "clear", x->b[0]);
			break;
		}
	}
	prog_done();
}
