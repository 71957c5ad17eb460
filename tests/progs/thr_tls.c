// SPDX-License-Identifier: MIT
/*
 * Thread-local storage per thread: __thread variables (an initialized
 * long, a 4 KiB array, a pointer), their addresses and the thread pointer
 * (fs_base, by arch_prctl(ARCH_GET_FS)), pthread_self(), and pthread keys:
 * 40 of them (more than glibc's first-level array of 32, so some values
 * live in a second-level block), one with a destructor.  Each of four
 * threads and the main thread sets its own values before the dump.
 *
 * After "go" every thread must find exactly its own values at the same
 * addresses, then exit; the destructor must run once per thread with that
 * thread's value.  A key created after restore must work in the main
 * thread and in a thread created after restore, which must also see the
 * __thread initial values, not anyone's current ones.
 */
#include <asm/prctl.h>

#include "progs/thr.h"

#define NR_T	4
#define NR_KEYS	40
#define KEY_DTOR 0		/* keys[0] has the destructor */

static __thread long tls_long = 42;
static __thread unsigned char tls_array[4096];
static __thread void *tls_ptr;

static pthread_key_t keys[NR_KEYS];

struct thr {
	int idx;			/* 0: main */
	volatile pid_t tid;
	pthread_t self;
	unsigned long fs;
	long *a_long;
	unsigned char *a_array;
	void **a_ptr;
	bool ok_done;
	pthread_t t;
};

static struct thr t[NR_T + 1];
static volatile uint32_t gate;
static pthread_mutex_t dtor_lock = PTHREAD_MUTEX_INITIALIZER;
/* Per thread index; NR_T + 1 is the thread created after restore, NR_T + 2 nobody's. */
static int dtor_calls[NR_T + 3];
static void *dtor_value[NR_T + 3];
static pid_t dtor_tid[NR_T + 3];

static unsigned long get_fs(void)
{
	unsigned long fs = 0;

	syscall(SYS_arch_prctl, ARCH_GET_FS, &fs);
	return fs;
}

/* What key @k of thread @idx holds. */
static void *key_value(int idx, int k)
{
	return (void *)(uintptr_t)(0x10000 * (idx + 1) + k + 1);
}

static void dtor(void *v)
{
	uintptr_t x = (uintptr_t)v;
	int idx = (int)(x / 0x10000) - 1;

	if (idx < 0 || idx > NR_T + 1 || x != (uintptr_t)key_value(idx, 0))
		idx = NR_T + 2;
	pthread_mutex_lock(&dtor_lock);
	dtor_calls[idx]++;
	dtor_value[idx] = v;
	dtor_tid[idx] = gettid();
	pthread_mutex_unlock(&dtor_lock);
}

static void set_mine(struct thr *me)
{
	me->tid = gettid();
	me->self = pthread_self();
	me->fs = get_fs();
	tls_long = 1000 + me->idx;
	prog_fill(tls_array, sizeof(tls_array), 300 + me->idx);
	tls_ptr = me;
	me->a_long = &tls_long;
	me->a_array = tls_array;
	me->a_ptr = &tls_ptr;
	for (int k = 0; k < NR_KEYS; k++)
		if (k % 3 == 0 || k >= 32)
			SETUP(!pthread_setspecific(keys[k], key_value(me->idx, k)), "pthread_setspecific");
}

/* Thread-safe: every failure through TCHECK. */
static void check_mine(struct thr *me)
{
	int i = me->idx;
	long off;

	TCHECK(gettid() == me->tid, "thread %d: gettid() %d, expected %d", i, gettid(), me->tid);
	TCHECK(pthread_equal(pthread_self(), me->self), "thread %d: pthread_self() changed", i);
	TCHECK(get_fs() == me->fs, "thread %d: fs_base 0x%lx, expected 0x%lx", i, get_fs(), me->fs);
	TCHECK(&tls_long == me->a_long && tls_array == me->a_array && &tls_ptr == me->a_ptr,
	       "thread %d: __thread variables moved: %p %p %p, expected %p %p %p", i, (void *)&tls_long,
	       (void *)tls_array, (void *)&tls_ptr, (void *)me->a_long, (void *)me->a_array, (void *)me->a_ptr);
	TCHECK(tls_long == 1000 + i, "thread %d: __thread long is %ld, expected %d", i, tls_long, 1000 + i);
	off = prog_check_fill(tls_array, sizeof(tls_array), 300 + i);
	TCHECK(off < 0, "thread %d: __thread array differs at byte %ld", i, off);
	TCHECK(tls_ptr == me, "thread %d: __thread pointer %p, expected %p", i, tls_ptr, (void *)me);
	for (int k = 0; k < NR_KEYS; k++) {
		void *want = k % 3 == 0 || k >= 32 ? key_value(i, k) : NULL;
		void *got = pthread_getspecific(keys[k]);

		if (!TCHECK(got == want, "thread %d: key %d holds %p, expected %p", i, k, got, want))
			break;
	}
}

static void *thr_main(void *arg)
{
	struct thr *me = arg;

	set_mine(me);
	thr_gate_wait(&gate);
	check_mine(me);
	me->ok_done = true;
	return (void *)(uintptr_t)(0x700 + me->idx);
}

/* A thread created after restore: initial values everywhere. */
static pthread_key_t late_key;
static long late_long = -1;
static void *late_ptr = (void *)1, *late_key_val = (void *)1, *late_old_key = (void *)1;

static void *late_main(void *arg)
{
	(void)arg;
	late_long = tls_long;
	late_ptr = tls_ptr;
	late_old_key = pthread_getspecific(keys[3]);
	pthread_setspecific(late_key, (void *)0x1a7e);
	late_key_val = pthread_getspecific(late_key);
	/* The destructor of keys[0] runs for this value too. */
	pthread_setspecific(keys[KEY_DTOR], key_value(NR_T + 1, 0));
	return NULL;
}

int main(void)
{
	void *ret;
	int err;

	for (int k = 0; k < NR_KEYS; k++)
		SETUP(!pthread_key_create(&keys[k], k == KEY_DTOR ? dtor : NULL), "pthread_key_create");
	t[0].idx = 0;
	set_mine(&t[0]);
	for (int i = 1; i <= NR_T; i++) {
		t[i].idx = i;
		thr_create(&t[i].t, thr_main, &t[i], 0);
		while (!t[i].tid)
			thr_sleep_ms(1);
	}
	for (int i = 1; i <= NR_T; i++)
		THR_SETUP_BLOCKED(t[i].tid, SYS_futex, "thread waiting for go");

	prog_ready();
	prog_wait();

	check_mine(&t[0]);
	thr_gate_open(&gate);
	for (int i = 1; i <= NR_T; i++) {
		err = thr_join(t[i].t, &ret);
		if (!CHECK(!err, "thread %d: pthread_join: %s", i, strerror(err)))
			continue;
		CHECK(ret == (void *)(uintptr_t)(0x700 + i), "thread %d returned %p", i, ret);
		CHECK(t[i].ok_done, "thread %d did not finish its checks", i);
		CHECK(dtor_calls[i] == 1 && dtor_value[i] == key_value(i, 0) && dtor_tid[i] == t[i].tid,
		      "thread %d: destructor ran %d times, last with %p in thread %d; expected once with %p in %d", i,
		      dtor_calls[i], dtor_value[i], dtor_tid[i], key_value(i, 0), t[i].tid);
	}
	CHECK(dtor_calls[0] == 0 && dtor_calls[NR_T + 2] == 0,
	      "destructor ran with the main thread's value (%d) or a value of nobody's (%d, last %p)", dtor_calls[0],
	      dtor_calls[NR_T + 2], dtor_value[NR_T + 2]);

	/* After restore: a new key, a new thread. */
	pthread_t late;

	SETUP(!pthread_key_create(&late_key, NULL), "pthread_key_create after restore");
	CHECK(!pthread_setspecific(late_key, (void *)0x3a17) && pthread_getspecific(late_key) == (void *)0x3a17,
	      "a key created after restore does not hold its value in the main thread");
	err = pthread_create(&late, NULL, late_main, NULL);
	if (CHECK(!err, "pthread_create after restore: %s", strerror(err))) {
		err = thr_join(late, NULL);
		CHECK(!err, "new thread: pthread_join: %s", strerror(err));
		CHECK(late_long == 42 && late_ptr == NULL, "new thread: __thread long %ld, pointer %p; expected 42, NULL",
		      late_long, late_ptr);
		CHECK(late_old_key == NULL, "new thread: key 3 holds %p, expected NULL", late_old_key);
		CHECK(late_key_val == (void *)0x1a7e, "new thread: new key holds %p", late_key_val);
		CHECK(dtor_calls[NR_T + 1] == 1, "new thread: destructor ran %d times, expected once",
		      dtor_calls[NR_T + 1]);
	}
	CHECK(pthread_getspecific(late_key) == (void *)0x3a17, "main thread: new key changed by the new thread");
	check_mine(&t[0]);
	prog_done();
}
