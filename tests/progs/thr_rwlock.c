// SPDX-License-Identifier: MIT
/*
 * A writer-preferring rwlock (PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP)
 * with waiters at the dump: readers R1 and R2 hold it, writer W waits in
 * pthread_rwlock_wrlock(), and reader R3, arriving after W, waits too (a
 * waiting writer keeps new readers out).
 *
 * After "go" W and R3 must be back in futex and the lock must still keep
 * its word: the main thread's tryrdlock and trywrlock fail with EBUSY;
 * after R1 unlocks, W and R3 still wait; after R2 unlocks, W gets it (and
 * R3 still waits); after W unlocks, R3 gets it.  The order is checked with
 * a sequence counter, and the lock is free at the end.
 */
#include "progs/thr.h"

static pthread_rwlock_t rw;
static int seq;

struct thr {
	const char *name;
	volatile pid_t tid;
	volatile uint32_t gate;
	int lock, unlock;
	volatile int got_seq, unlock_seq;
	pthread_t t;
};

static struct thr r1 = { .name = "R1" }, r2 = { .name = "R2" }, w = { .name = "W" }, r3 = { .name = "R3" };

static int next_seq(void)
{
	return __atomic_add_fetch(&seq, 1, __ATOMIC_SEQ_CST);
}

static void *reader_holding(void *arg)
{
	struct thr *x = arg;

	SETUP(!pthread_rwlock_rdlock(&rw), "%s: rdlock", x->name);
	x->tid = gettid();
	thr_gate_wait(&x->gate);
	x->unlock_seq = next_seq();
	x->unlock = pthread_rwlock_unlock(&rw);
	return NULL;
}

static void *waiter(void *arg)
{
	struct thr *x = arg;

	x->tid = gettid();
	x->lock = x == &w ? pthread_rwlock_wrlock(&rw) : pthread_rwlock_rdlock(&rw);
	x->got_seq = next_seq();
	if (x == &w)
		thr_gate_wait(&x->gate);
	x->unlock_seq = next_seq();
	x->unlock = pthread_rwlock_unlock(&rw);
	return NULL;
}

static void still_waiting(struct thr *x, const char *when)
{
	thr_sleep_ms(20);
	CHECK(!x->got_seq, "%s got the lock %s", x->name, when);
	THR_CHECK_BLOCKED(x->tid, SYS_futex, x->name);
}

static bool wait_seq(struct thr *x)
{
	double until = prog_now() + THR_TIMEOUT;

	while (!x->got_seq && prog_now() < until)
		thr_sleep_ms(1);
	return x->got_seq;
}

int main(void)
{
	pthread_rwlockattr_t a;
	struct thr *all[] = { &r1, &r2, &w, &r3 };

	SETUP(!pthread_rwlockattr_init(&a) &&
		      !pthread_rwlockattr_setkind_np(&a, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP) &&
		      !pthread_rwlock_init(&rw, &a),
	      "rwlock");
	thr_create(&r1.t, reader_holding, &r1, 0);
	thr_create(&r2.t, reader_holding, &r2, 0);
	while (!r1.tid || !r2.tid)
		thr_sleep_ms(1);
	thr_create(&w.t, waiter, &w, 0);
	while (!w.tid)
		thr_sleep_ms(1);
	THR_SETUP_BLOCKED(w.tid, SYS_futex, "W");
	thr_create(&r3.t, waiter, &r3, 0);
	while (!r3.tid)
		thr_sleep_ms(1);
	for (int i = 0; i < 4; i++)
		THR_SETUP_BLOCKED(all[i]->tid, SYS_futex, all[i]->name);

	prog_ready();
	prog_wait();

	for (int i = 0; i < 4; i++)
		THR_CHECK_BLOCKED(all[i]->tid, SYS_futex, all[i]->name);
	CHECK(!w.got_seq && !r3.got_seq, "W (%d) or R3 (%d) got the lock before go", w.got_seq, r3.got_seq);
	CHECK_EQ(pthread_rwlock_tryrdlock(&rw), EBUSY);
	CHECK_EQ(pthread_rwlock_trywrlock(&rw), EBUSY);

	thr_gate_open(&r1.gate);
	CHECK_EQ(thr_join(r1.t, NULL), 0);
	still_waiting(&w, "with R2 still reading");
	still_waiting(&r3, "with W waiting");

	thr_gate_open(&r2.gate);
	CHECK_EQ(thr_join(r2.t, NULL), 0);
	if (CHECK(wait_seq(&w), "W did not get the lock when the last reader left"))
		still_waiting(&r3, "while W held it");
	CHECK_EQ(pthread_rwlock_tryrdlock(&rw), EBUSY);

	thr_gate_open(&w.gate);
	CHECK_EQ(thr_join(w.t, NULL), 0);
	CHECK(wait_seq(&r3), "R3 did not get the lock when W left");
	CHECK_EQ(thr_join(r3.t, NULL), 0);

	CHECK(r2.unlock_seq > r1.unlock_seq && w.got_seq > r2.unlock_seq && r3.got_seq > w.unlock_seq,
	      "order: R1 unlock %d, R2 unlock %d, W got %d, W unlock %d, R3 got %d", r1.unlock_seq, r2.unlock_seq,
	      w.got_seq, w.unlock_seq, r3.got_seq);
	for (int i = 0; i < 4; i++)
		CHECK(!all[i]->lock && !all[i]->unlock, "%s: lock %s, unlock %s", all[i]->name, strerror(all[i]->lock),
		      strerror(all[i]->unlock));
	CHECK_EQ(pthread_rwlock_trywrlock(&rw), 0);
	prog_done();
}
