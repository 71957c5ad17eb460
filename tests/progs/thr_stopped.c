// SPDX-License-Identifier: MIT
/*
 * A stopped multi-threaded process: four threads blocked in futex waits and
 * the main thread stop together (SIGSTOP after READY).  It is dumped
 * stopped and comes back stopped, every thread in state T (threads made by
 * the restore join the group stop); after SIGCONT the SIGCONT handler has
 * run exactly once, every thread has its TID and is back in its wait, and
 * each wakes exactly once.
 */
// sudcr-test: stopped
#include <linux/futex.h>
#include <signal.h>
#include <sys/syscall.h>

#include "progs/thr.h"

#define NR_T 4

static volatile int conts;
static volatile uint32_t word[NR_T];
static volatile pid_t tids[NR_T];
static volatile int woken[NR_T];

static void on_cont(int sig)
{
	(void)sig;
	conts++;
}

static void *waiter(void *arg)
{
	long i = (long)arg;

	tids[i] = (pid_t)syscall(SYS_gettid);
	while (!word[i])
		syscall(SYS_futex, &word[i], FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	woken[i]++;
	return NULL;
}

static int count_state(char want)
{
	char path[64], buf[512], *p;
	int n = 0;

	for (int i = 0; i < NR_T; i++) {
		snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tids[i]);
		if (prog_read_file(path, buf, sizeof(buf)) <= 0)
			continue;
		p = strrchr(buf, ')');
		n += p && p[1] && p[2] == want;
	}
	return n;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_cont, .sa_flags = SA_RESTART };
	pthread_t t[NR_T];
	pid_t before[NR_T];

	SETUP(!sigaction(SIGCONT, &sa, NULL), "sigaction");
	for (long i = 0; i < NR_T; i++)
		SETUP(!pthread_create(&t[i], NULL, waiter, (void *)i), "pthread_create");
	for (int tries = 0; count_state('S') < NR_T && tries < 1000; tries++)
		usleep(1000);
	SETUP(count_state('S') == NR_T, "waiters did not block");
	for (int i = 0; i < NR_T; i++)
		before[i] = tids[i];
	prog_ready();
	raise(SIGSTOP);
	prog_wait();

	CHECK(conts == 1, "SIGCONT handler ran %d times", conts);
	for (int i = 0; i < NR_T; i++)
		CHECK(tids[i] == before[i], "thread %d has TID %d, had %d", i, tids[i], before[i]);
	/* The SIGCONT handler may have run in a waiter: give it a moment to wait again. */
	for (int tries = 0; count_state('S') < NR_T && tries < 1000; tries++)
		usleep(1000);
	CHECK(count_state('S') == NR_T, "%d of %d waiters are back in their wait", count_state('S'), NR_T);
	for (int i = 0; i < NR_T; i++) {
		word[i] = 1;
		syscall(SYS_futex, &word[i], FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
		pthread_join(t[i], NULL);
		CHECK(woken[i] == 1, "waiter %d woke %d times", i, woken[i]);
	}
	prog_done();
}
