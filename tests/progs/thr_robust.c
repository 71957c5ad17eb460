// SPDX-License-Identifier: MIT
/*
 * Robust mutexes whose owners die after restore.  Thread O1 holds robust
 * mutex r1, which thread W1 waits for (in futex); O2 holds r2, nobody
 * waits; O3 holds r3 and then r4 (two entries on its robust list), W3
 * waits for r3, the second one the kernel finds on the list.
 *
 * After "go": every thread's robust list head (get_robust_list(2)) must be
 * what it was.  The owners then return without unlocking.  The kernel
 * walks each dead owner's robust list (as restored), marks the mutexes
 * FUTEX_OWNER_DIED and wakes a waiter: W1 and W3 must get EOWNERDEAD, make
 * their mutex consistent and unlock it.  The main thread must get
 * EOWNERDEAD for r2 and r4; r2, unlocked without pthread_mutex_consistent,
 * is then ENOTRECOVERABLE; r4, made consistent, locks normally again.
 * Lost robust lists show as waits that never end: they are timed.
 */
#include <linux/futex.h>

#include "progs/thr.h"

static pthread_mutex_t r1, r2, r3, r4;
static volatile uint32_t gate;

struct thr {
	const char *name;
	pthread_mutex_t *hold[2];	/* owners: what they lock */
	pthread_mutex_t *wait;		/* waiters: what they wait for */
	volatile pid_t tid;
	void *head;
	size_t len;
	int lock, consistent, unlock;
	pthread_t t;
};

static struct thr o1 = { .name = "O1", .hold = { &r1 } };
static struct thr o2 = { .name = "O2", .hold = { &r2 } };
static struct thr o3 = { .name = "O3", .hold = { &r3, &r4 } };
static struct thr w1 = { .name = "W1 (waits for r1)", .wait = &r1 };
static struct thr w3 = { .name = "W3 (waits for r3)", .wait = &r3 };
static struct thr mt = { .name = "main" };

static void *owner_main(void *arg)
{
	struct thr *me = arg;

	for (int i = 0; i < 2 && me->hold[i]; i++)
		SETUP(!pthread_mutex_lock(me->hold[i]), "%s: lock", me->name);
	me->tid = gettid();
	thr_gate_wait(&gate);
	return NULL;		/* dies holding them */
}

static void *waiter_main(void *arg)
{
	struct thr *me = arg;

	me->tid = gettid();
	me->lock = pthread_mutex_lock(me->wait);
	if (me->lock == EOWNERDEAD)
		me->consistent = pthread_mutex_consistent(me->wait);
	me->unlock = pthread_mutex_unlock(me->wait);
	return NULL;
}

static int robust_list(pid_t tid, void **head, size_t *len)
{
	struct robust_list_head *h = NULL;

	if (syscall(SYS_get_robust_list, tid, &h, len))
		return -errno;
	*head = h;
	return 0;
}

static int timedlock(pthread_mutex_t *m)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += (time_t)THR_TIMEOUT;
	return pthread_mutex_timedlock(m, &ts);
}

int main(void)
{
	struct thr *all[] = { &o1, &o2, &o3, &w1, &w3, &mt };
	int nr = sizeof(all) / sizeof(all[0]);
	pthread_mutexattr_t a;
	int err;

	SETUP(!pthread_mutexattr_init(&a) && !pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST), "mutexattr");
	SETUP(!pthread_mutex_init(&r1, &a) && !pthread_mutex_init(&r2, &a) && !pthread_mutex_init(&r3, &a) &&
		      !pthread_mutex_init(&r4, &a),
	      "pthread_mutex_init");
	mt.tid = gettid();
	for (int i = 0; i < 3; i++) {
		thr_create(&all[i]->t, owner_main, all[i], 0);
		while (!all[i]->tid)
			thr_sleep_ms(1);
	}
	for (int i = 3; i < 5; i++) {
		thr_create(&all[i]->t, waiter_main, all[i], 0);
		while (!all[i]->tid)
			thr_sleep_ms(1);
	}
	for (int i = 0; i < 5; i++)
		THR_SETUP_BLOCKED(all[i]->tid, SYS_futex, all[i]->name);
	for (int i = 0; i < nr; i++) {
		errno = -robust_list(all[i]->tid, &all[i]->head, &all[i]->len);
		SETUP(!errno && all[i]->head, "get_robust_list(%s)", all[i]->name);
	}

	prog_ready();
	prog_wait();

	for (int i = 0; i < nr; i++) {
		void *head = NULL;
		size_t len = 0;
		int r = robust_list(all[i]->tid, &head, &len);

		CHECK(!r && head == all[i]->head && len == all[i]->len,
		      "%s (%d): robust list %p len %zu (%s), expected %p len %zu", all[i]->name, all[i]->tid, head, len,
		      strerror(-r), all[i]->head, all[i]->len);
	}
	for (int i = 3; i < 5; i++) {
		THR_CHECK_BLOCKED(all[i]->tid, SYS_futex, all[i]->name);
		CHECK(!all[i]->lock, "%s: lock returned %d before go", all[i]->name, all[i]->lock);
	}

	thr_gate_open(&gate);
	for (int i = 0; i < 3; i++) {
		err = thr_join(all[i]->t, NULL);
		CHECK(!err, "%s: pthread_join: %s", all[i]->name, strerror(err));
	}
	for (int i = 3; i < 5; i++) {
		struct thr *w = all[i];

		err = thr_join(w->t, NULL);
		if (!CHECK(!err, "%s did not get its mutex within %.0f s of its owner's death (pthread_join: %s)",
			   w->name, THR_TIMEOUT, strerror(err)))
			continue;
		CHECK(w->lock == EOWNERDEAD && !w->consistent && !w->unlock,
		      "%s: lock %s, consistent %s, unlock %s; expected EOWNERDEAD, success, success", w->name,
		      strerror(w->lock), strerror(w->consistent), strerror(w->unlock));
	}

	err = timedlock(&r2);
	if (CHECK(err == EOWNERDEAD, "main locking r2 (owner O2 died): %s, expected EOWNERDEAD", strerror(err))) {
		CHECK_EQ(pthread_mutex_unlock(&r2), 0);
		err = timedlock(&r2);
		CHECK(err == ENOTRECOVERABLE, "r2 unlocked while inconsistent, locked again: %s, expected ENOTRECOVERABLE",
		      strerror(err));
	}
	err = timedlock(&r4);
	if (CHECK(err == EOWNERDEAD, "main locking r4 (owner O3 died): %s, expected EOWNERDEAD", strerror(err))) {
		CHECK_EQ(pthread_mutex_consistent(&r4), 0);
		CHECK_EQ(pthread_mutex_unlock(&r4), 0);
		CHECK_EQ(timedlock(&r4), 0);
		CHECK_EQ(pthread_mutex_unlock(&r4), 0);
	}
	/* r1 and r3 were made consistent by their waiters. */
	CHECK_EQ(timedlock(&r1), 0);
	CHECK_EQ(timedlock(&r3), 0);
	prog_done();
}
