// SPDX-License-Identifier: MIT
/*
 * Priority-inheritance futexes with a waiter at the dump.  The main thread
 * owns a raw PI futex word (its TID), thread W1 waits in FUTEX_LOCK_PI for
 * it; thread O holds a PTHREAD_PRIO_INHERIT mutex, thread W2 waits for it
 * in pthread_mutex_lock() (FUTEX_LOCK_PI as well).  The kernel's PI state
 * (owner, waiters) exists only in the old kernel: the restarted lock must
 * rebuild it from the futex word, which names the owner by TID.
 *
 * After "go" both waiters must be back in futex, each word still naming
 * its owner, with FUTEX_WAITERS set.  FUTEX_UNLOCK_PI by the main thread
 * must hand the word to W1 (its TID in it, its lock returning 0); the
 * owner's pthread_mutex_unlock() must hand the mutex to W2; both unlock
 * again, and the main thread can then lock both.
 */
#include "progs/thr.h"

static volatile uint32_t pi_word;
static pthread_mutex_t pm;
static volatile uint32_t gate_o;

static struct {
	volatile pid_t tid;
	long lock_ret;
	uint32_t word_after;
	long unlock_ret;
	pthread_t t;
} w1;

static struct {
	volatile pid_t tid;
	int lock, unlock;
	pthread_t t;
} o, w2;

static void *w1_main(void *arg)
{
	(void)arg;
	w1.tid = gettid();
	w1.lock_ret = thr_futex(&pi_word, FUTEX_LOCK_PI_PRIVATE, 0, NULL, NULL, 0);
	w1.word_after = pi_word;
	/* Uncontended now: give it back by hand, as glibc would. */
	uint32_t mine = gettid();

	if (__atomic_compare_exchange_n(&pi_word, &mine, 0, false, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		w1.unlock_ret = 0;
	else
		w1.unlock_ret = thr_futex(&pi_word, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0);
	return NULL;
}

static void *o_main(void *arg)
{
	(void)arg;
	SETUP(!pthread_mutex_lock(&pm), "lock the PI mutex");
	o.tid = gettid();
	thr_gate_wait(&gate_o);
	o.unlock = pthread_mutex_unlock(&pm);
	return NULL;
}

static void *w2_main(void *arg)
{
	(void)arg;
	w2.tid = gettid();
	w2.lock = pthread_mutex_lock(&pm);
	w2.unlock = pthread_mutex_unlock(&pm);
	return NULL;
}

int main(void)
{
	pthread_mutexattr_t a;
	pid_t me = gettid();
	long r;
	int err;

	SETUP(!pthread_mutexattr_init(&a) && !pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT) &&
		      !pthread_mutex_init(&pm, &a),
	      "PI mutex");
	pi_word = me;
	thr_create(&w1.t, w1_main, NULL, 0);
	thr_create(&o.t, o_main, NULL, 0);
	while (!w1.tid || !o.tid)
		thr_sleep_ms(1);
	thr_create(&w2.t, w2_main, NULL, 0);
	while (!w2.tid)
		thr_sleep_ms(1);
	THR_SETUP_BLOCKED(w1.tid, SYS_futex, "W1 in FUTEX_LOCK_PI");
	THR_SETUP_BLOCKED(w2.tid, SYS_futex, "W2 locking the PI mutex");
	THR_SETUP_BLOCKED(o.tid, SYS_futex, "O waiting for go");
	SETUP(pi_word == (me | FUTEX_WAITERS), "PI word 0x%x, expected 0x%x", pi_word, me | FUTEX_WAITERS);

	prog_ready();
	prog_wait();

	THR_CHECK_BLOCKED(w1.tid, SYS_futex, "W1 in FUTEX_LOCK_PI");
	THR_CHECK_BLOCKED(w2.tid, SYS_futex, "W2 locking the PI mutex");
	CHECK(pi_word == (me | FUTEX_WAITERS), "PI word 0x%x at go, expected 0x%x", pi_word, me | FUTEX_WAITERS);
	CHECK(!w1.lock_ret && !w1.word_after, "W1 got the PI futex before go (%ld)", w1.lock_ret);

	r = thr_futex(&pi_word, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0);
	CHECK(r == 0, "FUTEX_UNLOCK_PI by its owner: %s", strerror(-r));
	err = thr_join(w1.t, NULL);
	if (CHECK(!err, "W1 did not get the PI futex: pthread_join: %s", strerror(err))) {
		CHECK(w1.lock_ret == 0, "W1's FUTEX_LOCK_PI returned %ld", w1.lock_ret);
		CHECK((w1.word_after & FUTEX_TID_MASK) == (uint32_t)w1.tid,
		      "PI word 0x%x once W1 had it, expected its TID %d", w1.word_after, w1.tid);
		CHECK(w1.unlock_ret == 0, "W1 unlocking: %ld", w1.unlock_ret);
	}
	CHECK(pi_word == 0, "PI word 0x%x at the end", pi_word);

	thr_gate_open(&gate_o);
	err = thr_join(o.t, NULL);
	CHECK(!err && !o.unlock, "owner: join %s, unlock %s", strerror(err), strerror(o.unlock));
	err = thr_join(w2.t, NULL);
	if (CHECK(!err, "W2 did not get the PI mutex: pthread_join: %s", strerror(err)))
		CHECK(!w2.lock && !w2.unlock, "W2: lock %s, unlock %s", strerror(w2.lock), strerror(w2.unlock));
	CHECK_EQ(pthread_mutex_trylock(&pm), 0);
	CHECK_EQ(pthread_mutex_unlock(&pm), 0);
	prog_done();
}
