// SPDX-License-Identifier: MIT
/*
 * pthread mutexes held and waited for at the dump.  Thread O holds a
 * normal mutex, a recursive one (locked three times) and an error-checking
 * one; threads B, C and E wait in pthread_mutex_lock() for each of them
 * (in futex).
 *
 * After "go" each waiter must be back in futex and the mutexes still
 * behave as their types say: the main thread gets EBUSY from trylock on
 * all three and EPERM unlocking the recursive and error-checking ones (it
 * does not own them); O gets EDEADLK relocking the error-checking one.
 * When O unlocks the normal mutex, B gets it; the recursive one needs all
 * three unlocks (C still waits after two); then C can lock it twice more
 * and must unlock it three times, a fourth unlock being EPERM; E gets the
 * error-checking mutex, EDEADLK relocking it, EPERM unlocking it twice.
 * Who got what when is checked with a sequence counter.
 */
#include "progs/thr.h"

static pthread_mutex_t m_normal = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t m_rec, m_err;
static volatile uint32_t gate, gate_rec;
static int seq;

static int next_seq(void)
{
	return __atomic_add_fetch(&seq, 1, __ATOMIC_SEQ_CST);
}

/* The owner's results. */
static struct {
	volatile pid_t tid;
	int relock_err, unlock_normal, unlock_rec[3], unlock_err[2];
	int seq_normal, seq_rec;
	volatile int rec_at_one;
	pthread_t t;
} o;

struct waiter {
	const char *name;
	pthread_mutex_t *m;
	volatile pid_t tid;
	int lock, seq, relock, unlock[4];
	pthread_t t;
};

static struct waiter b = { .name = "normal mutex waiter", .m = &m_normal };
static struct waiter c = { .name = "recursive mutex waiter", .m = &m_rec };
static struct waiter e = { .name = "error-checking mutex waiter", .m = &m_err };

static void *owner_main(void *arg)
{
	(void)arg;
	SETUP(!pthread_mutex_lock(&m_normal), "lock normal");
	for (int i = 0; i < 3; i++)
		SETUP(!pthread_mutex_lock(&m_rec), "lock recursive");
	SETUP(!pthread_mutex_lock(&m_err), "lock error-checking");
	o.tid = gettid();
	thr_gate_wait(&gate);

	o.relock_err = pthread_mutex_lock(&m_err);
	o.seq_normal = next_seq();
	o.unlock_normal = pthread_mutex_unlock(&m_normal);
	o.unlock_rec[0] = pthread_mutex_unlock(&m_rec);
	o.unlock_rec[1] = pthread_mutex_unlock(&m_rec);
	o.rec_at_one = 1;
	thr_gate_wait(&gate_rec);
	o.seq_rec = next_seq();
	o.unlock_rec[2] = pthread_mutex_unlock(&m_rec);
	o.unlock_err[0] = pthread_mutex_unlock(&m_err);
	o.unlock_err[1] = pthread_mutex_unlock(&m_err);
	return NULL;
}

static void *waiter_main(void *arg)
{
	struct waiter *w = arg;

	w->tid = gettid();
	w->lock = pthread_mutex_lock(w->m);
	w->seq = next_seq();
	if (w == &b) {
		w->unlock[0] = pthread_mutex_unlock(w->m);
	} else if (w == &c) {
		w->relock = pthread_mutex_lock(w->m) | pthread_mutex_lock(w->m);
		for (int i = 0; i < 4; i++)
			w->unlock[i] = pthread_mutex_unlock(w->m);
	} else {
		w->relock = pthread_mutex_lock(w->m);
		w->unlock[0] = pthread_mutex_unlock(w->m);
		w->unlock[1] = pthread_mutex_unlock(w->m);
	}
	return NULL;
}

static void init_mutex(pthread_mutex_t *m, int type)
{
	pthread_mutexattr_t a;

	SETUP(!pthread_mutexattr_init(&a) && !pthread_mutexattr_settype(&a, type) && !pthread_mutex_init(m, &a),
	      "pthread_mutex_init type %d", type);
	pthread_mutexattr_destroy(&a);
}

static void join(pthread_t t, const char *name)
{
	int err = thr_join(t, NULL);

	CHECK(!err, "%s: pthread_join: %s", name, strerror(err));
}

int main(void)
{
	struct waiter *ws[] = { &b, &c, &e };

	init_mutex(&m_rec, PTHREAD_MUTEX_RECURSIVE);
	init_mutex(&m_err, PTHREAD_MUTEX_ERRORCHECK);
	thr_create(&o.t, owner_main, NULL, 0);
	while (!o.tid)
		thr_sleep_ms(1);
	for (int i = 0; i < 3; i++) {
		thr_create(&ws[i]->t, waiter_main, ws[i], 0);
		while (!ws[i]->tid)
			thr_sleep_ms(1);
	}
	THR_SETUP_BLOCKED(o.tid, SYS_futex, "owner waiting for go");
	for (int i = 0; i < 3; i++)
		THR_SETUP_BLOCKED(ws[i]->tid, SYS_futex, ws[i]->name);

	prog_ready();
	prog_wait();

	for (int i = 0; i < 3; i++) {
		THR_CHECK_BLOCKED(ws[i]->tid, SYS_futex, ws[i]->name);
		CHECK(!ws[i]->seq, "%s got the mutex before go", ws[i]->name);
	}
	CHECK_EQ(pthread_mutex_trylock(&m_normal), EBUSY);
	CHECK_EQ(pthread_mutex_trylock(&m_rec), EBUSY);
	CHECK_EQ(pthread_mutex_trylock(&m_err), EBUSY);
	CHECK_EQ(pthread_mutex_unlock(&m_rec), EPERM);
	CHECK_EQ(pthread_mutex_unlock(&m_err), EPERM);

	thr_gate_open(&gate);
	double until = prog_now() + THR_TIMEOUT;

	while (!o.rec_at_one && prog_now() < until)
		thr_sleep_ms(1);
	if (CHECK(o.rec_at_one, "owner did not get through its first unlocks")) {
		/* Two of three unlocks: C must still wait. */
		thr_sleep_ms(20);
		CHECK(!c.seq, "%s got the mutex after 2 of 3 unlocks", c.name);
		THR_CHECK_BLOCKED(c.tid, SYS_futex, c.name);
	}
	thr_gate_open(&gate_rec);

	join(o.t, "owner");
	for (int i = 0; i < 3; i++)
		join(ws[i]->t, ws[i]->name);

	CHECK(o.relock_err == EDEADLK, "owner relocking the error-checking mutex: %s, expected EDEADLK",
	      strerror(o.relock_err));
	CHECK(!o.unlock_normal, "owner unlocking the normal mutex: %s", strerror(o.unlock_normal));
	for (int i = 0; i < 3; i++)
		CHECK(!o.unlock_rec[i], "owner's unlock %d of the recursive mutex: %s", i + 1, strerror(o.unlock_rec[i]));
	CHECK(!o.unlock_err[0] && o.unlock_err[1] == EPERM,
	      "owner unlocking the error-checking mutex twice: %s, %s; expected success, EPERM",
	      strerror(o.unlock_err[0]), strerror(o.unlock_err[1]));
	for (int i = 0; i < 3; i++)
		CHECK(!ws[i]->lock, "%s: pthread_mutex_lock: %s", ws[i]->name, strerror(ws[i]->lock));
	CHECK(b.seq > o.seq_normal, "%s got the mutex (seq %d) before the owner unlocked it (seq %d)", b.name, b.seq,
	      o.seq_normal);
	CHECK(c.seq > o.seq_rec, "%s got the mutex (seq %d) before its last unlock (seq %d)", c.name, c.seq,
	      o.seq_rec);
	CHECK(!b.unlock[0], "%s: unlock: %s", b.name, strerror(b.unlock[0]));
	CHECK(!c.relock && !c.unlock[0] && !c.unlock[1] && !c.unlock[2] && c.unlock[3] == EPERM,
	      "%s: relocks %s, unlocks %s, %s, %s, %s; expected success x5, then EPERM", c.name, strerror(c.relock),
	      strerror(c.unlock[0]), strerror(c.unlock[1]), strerror(c.unlock[2]), strerror(c.unlock[3]));
	CHECK(e.relock == EDEADLK && !e.unlock[0] && e.unlock[1] == EPERM,
	      "%s: relock %s, unlocks %s, %s; expected EDEADLK, success, EPERM", e.name, strerror(e.relock),
	      strerror(e.unlock[0]), strerror(e.unlock[1]));
	/* All free now. */
	CHECK_EQ(pthread_mutex_trylock(&m_normal), 0);
	CHECK_EQ(pthread_mutex_trylock(&m_rec), 0);
	CHECK_EQ(pthread_mutex_trylock(&m_err), 0);
	prog_done();
}
