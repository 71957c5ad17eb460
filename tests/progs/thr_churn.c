// SPDX-License-Identifier: MIT
/*
 * Threads being created and exiting all through the dump.  CHAINS chains
 * of short-lived threads run side by side: each thread of a chain first
 * joins its predecessor (checking its return value), takes a mutex, adds
 * its index to a counter and its TID to the set of live threads, works a
 * little, takes itself out of the set, creates its successor and exits.
 * So whenever the dump comes, some threads are being born (in clone),
 * some are dying (past their last user code), some wait in pthread_join
 * for a dying one; and the threads that create are the newest, the last
 * ones a dump that seizes by TID gets to.
 *
 * After "go" the churn must go on (at least MORE threads created after
 * restore), then stop; every thread must have been joined with its own
 * value, must have found its TID unique and unchanged, the counter be
 * exactly the sum of the indexes, the live set empty, the started and
 * finished counts equal to the created count, and only the main thread be
 * left.
 *
 * This found (a few runs in a hundred, before dd434be) threads missing
 * from the image: created by a thread that exited before the seize loop
 * got to it; and dumps failing with EPERM on a thread that was exiting.
 */
#include "progs/thr.h"

#define CHAINS		8
#define BEFORE		100	/* threads created before READY */
#define MORE		100	/* and after go */
#define WORK		50000

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static long long counter;		/* under m */
static pid_t live[2 * CHAINS + 4];	/* under m */
static int nr_live, started, finished;	/* under m */
static char anomaly[256];		/* under m: the first one */
static int nr_anomalies;		/* under m */

static volatile int created, joined, stop, create_err;
static pthread_t chain_end[CHAINS];	/* the last thread of each chain */
static long chain_end_idx[CHAINS];
static volatile uint32_t chain_ended[CHAINS];

struct link {
	long idx;
	int chain;
	bool has_prev;
	pthread_t prev;
	long prev_idx;
};

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&m);
	if (!nr_anomalies++) {
		va_start(ap, fmt);
		vsnprintf(anomaly, sizeof(anomaly), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&m);
}

static void join_checked(pthread_t t, long idx)
{
	void *ret = NULL;
	int err = thr_join(t, &ret);

	if (err)
		note("thread %ld: pthread_join: %s", idx, strerror(err));
	else if (ret != (void *)(idx * 2 + 1))
		note("thread %ld returned %p, expected %p", idx, ret, (void *)(idx * 2 + 1));
	else
		__atomic_add_fetch(&joined, 1, __ATOMIC_RELAXED);
}

static void *link_main(void *arg);

static int start_link(int chain, bool has_prev, pthread_t prev, long prev_idx)
{
	struct link *l = malloc(sizeof(*l));
	pthread_attr_t attr;
	pthread_t t;
	int err;

	if (!l)
		return ENOMEM;
	*l = (struct link){ .chain = chain, .has_prev = has_prev, .prev = prev, .prev_idx = prev_idx };
	l->idx = __atomic_fetch_add(&created, 1, __ATOMIC_ACQ_REL);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 << 10);
	err = pthread_create(&t, &attr, link_main, l);
	pthread_attr_destroy(&attr);
	if (err) {
		__atomic_sub_fetch(&created, 1, __ATOMIC_ACQ_REL);
		free(l);
	}
	return err;
}

static void *link_main(void *arg)
{
	struct link l = *(struct link *)arg;
	pid_t tid = gettid();
	volatile unsigned long x = 0;
	bool found;
	int i, err = 0;

	free(arg);
	if (l.has_prev)
		join_checked(l.prev, l.prev_idx);

	pthread_mutex_lock(&m);
	started++;
	counter += l.idx;
	for (i = 0; i < nr_live; i++)
		if (live[i] == tid)
			break;
	if (i < nr_live || nr_live == (int)(sizeof(live) / sizeof(live[0]))) {
		pthread_mutex_unlock(&m);
		note("thread %ld: TID %d already live, or %d threads live", l.idx, tid, nr_live);
		pthread_mutex_lock(&m);
	} else {
		live[nr_live++] = tid;
	}
	pthread_mutex_unlock(&m);

	for (i = 0; i < WORK; i++)
		x += i;

	pthread_mutex_lock(&m);
	for (i = 0; i < nr_live && live[i] != tid; i++)
		;
	found = i < nr_live;
	if (found)
		live[i] = live[--nr_live];
	finished++;
	pthread_mutex_unlock(&m);
	if (!found || gettid() != tid)
		note("thread %ld: gettid() %d, was %d; %s in the live set", l.idx, gettid(), tid,
		     found ? "found" : "not");

	if (__atomic_load_n(&stop, __ATOMIC_ACQUIRE) ||
	    (err = start_link(l.chain, true, pthread_self(), l.idx))) {
		if (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE))
			create_err = err;
		chain_end[l.chain] = pthread_self();
		chain_end_idx[l.chain] = l.idx;
		thr_gate_open(&chain_ended[l.chain]);
	}
	return (void *)(l.idx * 2 + 1);
}

static bool wait_created(int n)
{
	double until = prog_now() + THR_TIMEOUT;

	while (__atomic_load_n(&created, __ATOMIC_ACQUIRE) < n && !create_err && prog_now() < until)
		thr_sleep_ms(1);
	return created >= n;
}

int main(void)
{
	int at_go, n;

	for (int c = 0; c < CHAINS; c++) {
		errno = start_link(c, false, 0, 0);
		SETUP(!errno, "pthread_create");
	}
	errno = create_err;
	SETUP(wait_created(BEFORE), "only %d threads created", created);

	prog_ready();
	prog_wait();

	at_go = created;
	CHECK(wait_created(at_go + MORE), "%d threads created in %.0f s after go (pthread_create: %s)",
	      created - at_go, THR_TIMEOUT, strerror(create_err));
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	double until = prog_now() + THR_TIMEOUT;

	for (int c = 0; c < CHAINS; c++) {
		while (!__atomic_load_n(&chain_ended[c], __ATOMIC_ACQUIRE) && prog_now() < until)
			thr_sleep_ms(1);
		if (CHECK(chain_ended[c], "chain %d did not end within %.0f s of stopping (%d threads created, %d started)",
			  c, THR_TIMEOUT, created, started))
			join_checked(chain_end[c], chain_end_idx[c]);
	}

	CHECK(!create_err, "pthread_create failed: %s", strerror(create_err));
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += (time_t)THR_TIMEOUT;
	int err = pthread_mutex_timedlock(&m, &ts);

	if (!CHECK(!err, "the counter's mutex is still held %.0f s after the churn stopped: %s", THR_TIMEOUT,
		   strerror(err)))
		prog_done();
	CHECK(!nr_anomalies, "%d anomalies; first: %s", nr_anomalies, anomaly);
	CHECK(joined == created, "%d threads joined, %d created", joined, created);
	CHECK(started == created && finished == created, "%d threads started, %d finished, %d created", started,
	      finished, created);
	CHECK(counter == (long long)created * (created - 1) / 2, "counter %lld, expected %lld for %d threads",
	      counter, (long long)created * (created - 1) / 2, created);
	CHECK(nr_live == 0, "%d threads still in the live set (first TID %d)", nr_live, live[0]);
	pthread_mutex_unlock(&m);
	n = thr_wait_task_count(1);
	CHECK(n == 1, "%d tasks left, expected 1", n);
	prog_done();
}
