// SPDX-License-Identifier: MIT
/*
 * A SCHED_DEADLINE thread comes back with its runtime, deadline and period
 * (and SCHED_FLAG_RESET_ON_FORK, which a deadline thread needs to be
 * allowed to clone), in a process whose main thread stays SCHED_OTHER.
 * The thread waits in read(2) at the dump: it uses none of its runtime.
 */
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>

#include "progs/prog.h"

#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif

struct sattr {
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t prio;
	uint64_t runtime, deadline, period;
};

static int go_pipe[2], ready_pipe[2];
static struct sattr before, after;
static int setup_err;

static void *thread_main(void *arg)
{
	struct sattr a = { .size = 48, .policy = SCHED_DEADLINE, .flags = 1,
			   .runtime = 2000000, .deadline = 30000000, .period = 90000000 };
	char c = 1;

	(void)arg;
	if (syscall(SYS_sched_setattr, 0, &a, 0))
		setup_err = errno;
	syscall(SYS_sched_getattr, 0, &before, sizeof(before), 0);
	if (write(ready_pipe[1], &c, 1) != 1)
		return NULL;
	while (read(go_pipe[0], &c, 1) < 0 && errno == EINTR)
		;
	syscall(SYS_sched_getattr, 0, &after, sizeof(after), 0);
	return NULL;
}

int main(void)
{
	struct sattr mine = { 0 };
	pthread_t t;
	char c;

	SETUP(!pipe(go_pipe) && !pipe(ready_pipe), "pipe");
	SETUP(!pthread_create(&t, NULL, thread_main, NULL), "pthread_create");
	SETUP(read(ready_pipe[0], &c, 1) == 1, "thread ready");
	if (setup_err) {
		c = 1;
		if (write(go_pipe[1], &c, 1) == 1)
			pthread_join(t, NULL);
		prog_skip("SCHED_DEADLINE cannot be set here: %s", strerror(setup_err));
	}
	SETUP(before.policy == SCHED_DEADLINE && before.runtime == 2000000, "deadline thread");

	prog_ready();
	prog_wait();

	c = 1;
	CHECK(write(go_pipe[1], &c, 1) == 1, "wake the thread");
	pthread_join(t, NULL);
	CHECK_EQ(after.policy, SCHED_DEADLINE);
	CHECK_EQ(after.flags, before.flags);
	CHECK_EQ(after.runtime, 2000000);
	CHECK_EQ(after.deadline, 30000000);
	CHECK_EQ(after.period, 90000000);
	CHECK(!syscall(SYS_sched_getattr, 0, &mine, sizeof(mine), 0) && mine.policy == SCHED_OTHER,
	      "main thread policy %u", mine.policy);
	prog_done();
}
