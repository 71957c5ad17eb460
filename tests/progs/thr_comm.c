// SPDX-License-Identifier: MIT
/*
 * Thread names (comm) per thread.  The main thread renames itself with
 * PR_SET_NAME, three threads get names of their own with
 * pthread_setname_np() (one the full 15 characters), a fourth keeps the
 * name it inherited.
 *
 * After "go" /proc/self/task/TID/comm must show every thread's own name,
 * PR_GET_NAME in each thread must agree, and renaming after restore must
 * work (and show in /proc).
 */
#include "progs/thr.h"

#define NR_T 4

static const char *const names[NR_T + 1] = {
	"thr-main", "worker-one", "w2", "fifteen-chars-x", NULL,	/* NR_T: inherited */
};

struct thr {
	volatile pid_t tid;
	char own[16];			/* PR_GET_NAME after go */
	volatile uint32_t gate;
	pthread_t t;
};

static struct thr t[NR_T + 1];

static void *thr_main(void *arg)
{
	struct thr *x = arg;

	if (names[x - t])
		pthread_setname_np(pthread_self(), names[x - t]);
	x->tid = gettid();
	thr_gate_wait(&x->gate);
	prctl(PR_GET_NAME, x->own, 0, 0, 0);
	return NULL;
}

static void proc_comm(pid_t tid, char *buf, size_t size)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d/comm", tid);
	if (prog_read_file(path, buf, size) < 0)
		snprintf(buf, size, "(unreadable)");
	buf[strcspn(buf, "\n")] = '\0';
}

int main(void)
{
	char buf[64];
	const char *want;

	SETUP(!prctl(PR_SET_NAME, names[0], 0, 0, 0), "PR_SET_NAME");
	t[0].tid = gettid();
	for (int i = 1; i <= NR_T; i++) {
		thr_create(&t[i].t, thr_main, &t[i], 0);
		while (!t[i].tid)
			thr_sleep_ms(1);
	}
	for (int i = 1; i <= NR_T; i++)
		THR_SETUP_BLOCKED(t[i].tid, SYS_futex, "thread waiting for go");
	for (int i = 0; i <= NR_T; i++) {
		proc_comm(t[i].tid, buf, sizeof(buf));
		want = names[i] ? names[i] : names[0];
		SETUP(!strcmp(buf, want), "thread %d is '%s' before the dump, not '%s'", i, buf, want);
	}

	prog_ready();
	prog_wait();

	for (int i = 0; i <= NR_T; i++) {
		want = names[i] ? names[i] : names[0];
		proc_comm(t[i].tid, buf, sizeof(buf));
		CHECK(!strcmp(buf, want), "thread %d (%d): /proc comm '%s', expected '%s'", i, t[i].tid, buf, want);
	}
	prctl(PR_GET_NAME, t[0].own, 0, 0, 0);
	for (int i = 1; i <= NR_T; i++) {
		int err;

		thr_gate_open(&t[i].gate);
		err = thr_join(t[i].t, NULL);
		CHECK(!err, "thread %d: pthread_join: %s", i, strerror(err));
	}
	for (int i = 0; i <= NR_T; i++) {
		want = names[i] ? names[i] : names[0];
		CHECK(!strcmp(t[i].own, want), "thread %d: PR_GET_NAME '%s', expected '%s'", i, t[i].own, want);
	}
	CHECK(!prctl(PR_SET_NAME, "renamed", 0, 0, 0), "PR_SET_NAME after restore: %s", strerror(errno));
	proc_comm(gettid(), buf, sizeof(buf));
	CHECK(!strcmp(buf, "renamed"), "after renaming: /proc comm '%s'", buf);
	prog_done();
}
