// SPDX-License-Identifier: MIT
/*
 * Scheduling state, per thread: policy (SCHED_OTHER, BATCH, IDLE, FIFO
 * and RR with their priorities, SCHED_RESET_ON_FORK), nice (also that of
 * RT threads), I/O priority, CPU affinity and timer slack.  Every thread
 * sets its own, different from the others' and from the defaults, notes
 * what the kernel then reports, and after restore checks that it reports
 * the same.  None of them runs while the dump happens: they wait in
 * read(2), so the FIFO thread starves nobody.
 */
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "progs/prog.h"

#define NR_THREADS 5

struct sattr {
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t prio;
	uint64_t runtime, deadline, period;
};

struct spec {
	int policy, prio, flags, nice, ioprio, cpu;
	unsigned long slack;
};

/* IOPRIO_PRIO_VALUE(class, level): class 1 RT, 2 BE, 3 IDLE. */
#define IOP(c, l) (((c) << 13) | (l))

static const struct spec specs[NR_THREADS] = {
	{ SCHED_OTHER, 0, 0, 5, IOP(2, 3), 0, 123000 },		/* the main thread */
	{ SCHED_IDLE, 0, 0, 2, IOP(3, 0), 1, 456000 },
	{ SCHED_FIFO, 10, 1 /* RESET_ON_FORK */, -3, IOP(1, 2), -1, 777000 },
	{ SCHED_RR, 5, 0, 4, IOP(2, 6), -1, 888000 },
	{ SCHED_BATCH, 0, 0, 10, IOP(2, 1), 1, 999000 },
};

struct seen {
	struct sattr a;
	int nice, ioprio;
	cpu_set_t cpus;
	long slack;
	char err[160];
};

static struct seen before[NR_THREADS], after[NR_THREADS];
static int go_pipe[2], ready_pipe[2], ncpus;

static void observe(struct seen *s)
{
	memset(s, 0, sizeof(*s));
	if (syscall(SYS_sched_getattr, 0, &s->a, sizeof(s->a), 0))
		snprintf(s->err, sizeof(s->err), "sched_getattr: %s", strerror(errno));
	errno = 0;
	s->nice = getpriority(PRIO_PROCESS, 0);
	s->ioprio = (int)syscall(SYS_ioprio_get, 1, 0);
	sched_getaffinity(0, sizeof(s->cpus), &s->cpus);
	s->slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
}

/* Set up thread @i's state (its own), note it; "" or why not. */
static void setup(int i, char *err, size_t len)
{
	const struct spec *sp = &specs[i];
	struct sattr a = { .size = sizeof(a), .policy = sp->policy, .flags = sp->flags,
			   .nice = sp->nice, .prio = sp->prio };

	err[0] = '\0';
	if (prctl(PR_SET_TIMERSLACK, sp->slack, 0, 0, 0))
		snprintf(err, len, "PR_SET_TIMERSLACK: %s", strerror(errno));
	else if (setpriority(PRIO_PROCESS, 0, sp->nice))
		snprintf(err, len, "setpriority %d: %s", sp->nice, strerror(errno));
	else if (syscall(SYS_sched_setattr, 0, &a, 0))
		snprintf(err, len, "sched_setattr policy %d: %s", sp->policy, strerror(errno));
	else if (syscall(SYS_ioprio_set, 1, 0, sp->ioprio))
		snprintf(err, len, "ioprio_set %#x: %s", sp->ioprio, strerror(errno));
	if (!err[0] && sp->cpu >= 0 && ncpus > 1) {
		cpu_set_t one;

		CPU_ZERO(&one);
		CPU_SET(sp->cpu, &one);
		if (sched_setaffinity(0, sizeof(one), &one))
			snprintf(err, len, "sched_setaffinity: %s", strerror(errno));
	}
	observe(&before[i]);
}

static void *thread_main(void *arg)
{
	int i = (int)(long)arg;
	char c = 1;

	setup(i, before[i].err, sizeof(before[i].err));
	if (write(ready_pipe[1], &c, 1) != 1)
		return NULL;
	while (read(go_pipe[0], &c, 1) < 0 && errno == EINTR)
		;
	observe(&after[i]);
	return NULL;
}

static void compare(int i)
{
	const struct seen *b = &before[i], *a = &after[i];

	CHECK(!a->err[0], "thread %d after: %s", i, a->err);
	CHECK(a->a.policy == b->a.policy && a->a.prio == b->a.prio && a->a.flags == b->a.flags,
	      "thread %d: policy %u prio %u flags %#llx, before %u %u %#llx", i, a->a.policy,
	      a->a.prio, (unsigned long long)a->a.flags, b->a.policy, b->a.prio,
	      (unsigned long long)b->a.flags);
	CHECK(a->nice == b->nice && a->a.nice == b->a.nice, "thread %d: nice %d/%d, before %d/%d",
	      i, a->nice, a->a.nice, b->nice, b->a.nice);
	CHECK(a->ioprio == b->ioprio, "thread %d: ioprio %#x, before %#x", i, a->ioprio, b->ioprio);
	CHECK(CPU_EQUAL(&a->cpus, &b->cpus), "thread %d: CPU affinity %d CPUs, before %d", i,
	      CPU_COUNT(&a->cpus), CPU_COUNT(&b->cpus));
	CHECK(a->slack == b->slack, "thread %d: timer slack %ld, before %ld", i, a->slack, b->slack);
}

int main(void)
{
	pthread_t t[NR_THREADS];
	char c, err[160];
	cpu_set_t all;

	SETUP(!sched_getaffinity(0, sizeof(all), &all), "sched_getaffinity");
	ncpus = CPU_COUNT(&all);
	if (ncpus > 1 && (!CPU_ISSET(0, &all) || !CPU_ISSET(1, &all)))
		ncpus = 1;	/* only use CPUs 0 and 1 when both are ours */
	SETUP(!pipe(go_pipe) && !pipe(ready_pipe), "pipe");
	for (int i = 1; i < NR_THREADS; i++)
		SETUP(!pthread_create(&t[i], NULL, thread_main, (void *)(long)i), "pthread_create");
	for (int i = 1; i < NR_THREADS; i++)
		SETUP(read(ready_pipe[0], &c, 1) == 1, "thread ready");
	for (int i = 1; i < NR_THREADS; i++)
		SETUP(!before[i].err[0], "thread %d: %s", i, before[i].err);
	setup(0, err, sizeof(err));
	SETUP(!err[0], "main thread: %s", err);
	/* The setup took: every thread differs from a new one. */
	SETUP(before[2].a.policy == SCHED_FIFO && before[2].a.flags == 1 && before[2].nice == -3,
	      "FIFO thread");
	SETUP(before[0].nice == 5 && before[0].slack == 123000, "main thread");

	prog_ready();
	prog_wait();

	observe(&after[0]);
	SETUP(write(go_pipe[1], "xxxxxxxx", NR_THREADS - 1) == NR_THREADS - 1, "wake threads");
	for (int i = 1; i < NR_THREADS; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < NR_THREADS; i++)
		compare(i);
	prog_done();
}
