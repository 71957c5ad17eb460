/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_TESTS_THR_H
#define SUDCR_TESTS_THR_H

/*
 * Helpers for the multi-threaded self-checking programs (tests/progs/thr_*.c),
 * on top of prog.h.
 *
 * A program sets up its threads, makes sure each one is where the test
 * wants it at the dump (blocked in a given syscall: thr_wait_blocked(),
 * which reads /proc/self/task/TID/{stat,syscall}), then says READY.  After
 * "go" it checks the same again: a restored thread must be back in its
 * syscall (restarted), and then complete it exactly as if nothing had
 * happened.
 *
 * Nothing may hang: a lost wake-up, a thread that never comes back or a
 * join that never returns is turned into a FAIL with a reason by timed
 * waits (THR_TIMEOUT), well inside the runner's verdict timeout.
 *
 * CHECK() is not thread-safe: threads use TCHECK(), or leave their results
 * in memory for the main thread to check after joining them.
 */

#include <dirent.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/prctl.h>

#include "progs/prog.h"

/* Seconds within which anything that should happen at once must happen. */
#define THR_TIMEOUT 3.0

static PROG_UNUSED pthread_mutex_t thr_check_mutex = PTHREAD_MUTEX_INITIALIZER;

/* CHECK() from any thread. */
#define TCHECK(cond, ...)                                     \
	({                                                    \
		int _tok;                                     \
		pthread_mutex_lock(&thr_check_mutex);         \
		_tok = CHECK(cond, __VA_ARGS__);              \
		pthread_mutex_unlock(&thr_check_mutex);       \
		_tok;                                         \
	})

#define TCHECK_EQ(a, b)                                       \
	({                                                    \
		int _tok;                                     \
		pthread_mutex_lock(&thr_check_mutex);         \
		_tok = CHECK_EQ(a, b);                        \
		pthread_mutex_unlock(&thr_check_mutex);       \
		_tok;                                         \
	})

/* futex(2); the kernel's result: >= 0, or a negative errno. */
static inline PROG_UNUSED long thr_futex(volatile uint32_t *uaddr, int op, uint32_t val,
					 const struct timespec *ts, volatile uint32_t *uaddr2, uint32_t val3)
{
	long r = syscall(SYS_futex, uaddr, op, val, ts, uaddr2, val3);

	return r < 0 ? -errno : r;
}

/* Wait until *@word is not 0 (FUTEX_WAIT_PRIVATE, no timeout). */
static inline PROG_UNUSED void thr_gate_wait(volatile uint32_t *word)
{
	while (!__atomic_load_n(word, __ATOMIC_ACQUIRE))
		thr_futex(word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
}

/* Set *@word to 1 and wake its waiters; returns how many were woken. */
static inline PROG_UNUSED long thr_gate_open(volatile uint32_t *word)
{
	__atomic_store_n(word, 1, __ATOMIC_RELEASE);
	return thr_futex(word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

static inline PROG_UNUSED void thr_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * What /proc says thread @tid of this process is doing: its state letter
 * ('S', 'R', ...; 0 if gone) and the syscall it is blocked in (/proc/.../
 * syscall: the number; -1 when blocked outside a syscall, -2 "running",
 * -3 unreadable).
 */
static inline PROG_UNUSED void thr_task_state(pid_t tid, char *state, long *nr)
{
	char path[64], buf[512], *rp;
	long n;

	*state = 0;
	*nr = -3;
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	if (prog_read_file(path, buf, sizeof(buf)) > 0 && (rp = strrchr(buf, ')')) && rp[1] == ' ')
		*state = rp[2];
	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", tid);
	n = prog_read_file(path, buf, sizeof(buf));
	if (n > 0) {
		if (!strncmp(buf, "running", 7))
			*nr = -2;
		else
			*nr = strtol(buf, NULL, 10);
	}
}

/*
 * Wait (at most @timeout s) until thread @tid sleeps in syscall @nr, or in
 * restart_syscall: the kernel's own restart of a wait with a timeout after
 * a stop (what --leave-running gives).  0 if it does; else -1 and what was
 * last seen, in @why.
 */
static inline PROG_UNUSED int thr_wait_blocked_for(pid_t tid, long nr, double timeout, char *why, size_t size)
{
	double until = prog_now() + timeout;
	char state;
	long got;

	for (;;) {
		thr_task_state(tid, &state, &got);
		if (state == 'S' && (got == nr || got == SYS_restart_syscall))
			return 0;
		if (prog_now() > until)
			break;
		thr_sleep_ms(1);
	}
	snprintf(why, size, "thread %d is in state '%c', syscall %ld, expected 'S' in syscall %ld", tid,
		 state ? state : '-', got, nr);
	return -1;
}

static inline PROG_UNUSED int thr_wait_blocked(pid_t tid, long nr, char *why, size_t size)
{
	return thr_wait_blocked_for(tid, nr, THR_TIMEOUT, why, size);
}

/* Before READY: the thread must get there, or the setup failed. */
#define THR_SETUP_BLOCKED(tid, nr, what)                                           \
	do {                                                                       \
		char _why[256];                                                    \
		SETUP(!thr_wait_blocked(tid, nr, _why, sizeof(_why)), "%s: %s", what, _why); \
	} while (0)

/* After go: a restored thread must be back in its syscall. */
#define THR_CHECK_BLOCKED(tid, nr, what)                                           \
	({                                                                         \
		char _why[256];                                                    \
		int _b = !thr_wait_blocked(tid, nr, _why, sizeof(_why));           \
		CHECK(_b, "%s: not back in its syscall after restore: %s", what, _why); \
	})

/* pthread_create, or the setup fails. @stack: 0 for the default size. */
static inline PROG_UNUSED void thr_create(pthread_t *t, void *(*fn)(void *), void *arg, size_t stack)
{
	pthread_attr_t attr;
	int err;

	SETUP(!pthread_attr_init(&attr), "pthread_attr_init");
	if (stack)
		SETUP(!pthread_attr_setstacksize(&attr, stack), "pthread_attr_setstacksize");
	err = pthread_create(t, &attr, fn, arg);
	errno = err;
	SETUP(!err, "pthread_create");
	pthread_attr_destroy(&attr);
}

/* pthread_join that gives up after @timeout s: 0 or the error (ETIMEDOUT). */
static inline PROG_UNUSED int thr_join_for(pthread_t t, void **ret, double timeout)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)timeout;
	ts.tv_nsec += (long)((timeout - (time_t)timeout) * 1e9);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return pthread_clockjoin_np(t, ret, CLOCK_MONOTONIC, &ts);
}

static inline PROG_UNUSED int thr_join(pthread_t t, void **ret)
{
	return thr_join_for(t, ret, THR_TIMEOUT);
}

/* A field of /proc/self/task/@tid/status in hex (SigPnd, ShdPnd, SigBlk, ...). */
static inline PROG_UNUSED int thr_status_hex(pid_t tid, const char *field, uint64_t *val)
{
	char path[64], buf[4096], *p;
	size_t flen = strlen(field);

	snprintf(path, sizeof(path), "/proc/self/task/%d/status", tid);
	if (prog_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	for (p = buf; *p;) {
		char *nl = strchr(p, '\n');

		if (!strncmp(p, field, flen) && p[flen] == ':') {
			*val = strtoull(p + flen + 1, NULL, 16);
			return 0;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return -1;
}

/* The TIDs in /proc/self/task, sorted; returns how many (at most @max), -1 on error. */
static inline PROG_UNUSED int thr_list_tasks(pid_t *tids, int max)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n < max)
			tids[n] = atoi(de->d_name);
		n++;
	}
	closedir(d);
	if (n > max)
		n = max;
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && tids[j - 1] > tids[j]; j--) {
			pid_t t = tids[j];

			tids[j] = tids[j - 1];
			tids[j - 1] = t;
		}
	return n;
}

/* Wait (at most THR_TIMEOUT) until /proc/self/task has @want entries; returns the last count. */
static inline PROG_UNUSED int thr_wait_task_count(int want)
{
	double until = prog_now() + THR_TIMEOUT;
	pid_t tids[512];
	int n;

	while ((n = thr_list_tasks(tids, 512)) != want && prog_now() < until)
		thr_sleep_ms(1);
	return n;
}

/* Signal set <-> the kernel's 64-bit mask (bit signo - 1). */
static inline PROG_UNUSED uint64_t thr_set_bits(const sigset_t *set)
{
	uint64_t m = 0;

	for (int s = 1; s <= 64; s++)
		if (sigismember(set, s) == 1)
			m |= 1ULL << (s - 1);
	return m;
}

static inline PROG_UNUSED void thr_bits_set(uint64_t m, sigset_t *set)
{
	sigemptyset(set);
	for (int s = 1; s <= 64; s++)
		if (m & (1ULL << (s - 1)))
			sigaddset(set, s);
}

static inline PROG_UNUSED uint64_t thr_sigbit(int sig)
{
	return 1ULL << (sig - 1);
}

/* The calling thread's blocked mask, as bits. */
static inline PROG_UNUSED uint64_t thr_blocked_bits(void)
{
	sigset_t cur;

	pthread_sigmask(SIG_SETMASK, NULL, &cur);
	return thr_set_bits(&cur);
}

static inline PROG_UNUSED void thr_block_bits(uint64_t m)
{
	sigset_t set;

	thr_bits_set(m, &set);
	pthread_sigmask(SIG_SETMASK, &set, NULL);
}

/* rt_tgsigqueueinfo with si_code SI_QUEUE and @value; 0 or -errno. */
static inline PROG_UNUSED int thr_tgsigqueue(pid_t tid, int sig, int value)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_int = value;
	return syscall(SYS_rt_tgsigqueueinfo, getpid(), tid, sig, &si) ? -errno : 0;
}

static inline PROG_UNUSED int thr_tgkill(pid_t tid, int sig)
{
	return syscall(SYS_tgkill, getpid(), tid, sig) ? -errno : 0;
}

/*
 * rt_sigtimedwait(2) itself: glibc's sigtimedwait() reports SI_TKILL as
 * SI_USER, and a test must see what the kernel queued.
 */
static inline PROG_UNUSED int thr_sigtimedwait(const sigset_t *set, siginfo_t *si, const struct timespec *ts)
{
	long r = syscall(SYS_rt_sigtimedwait, set, si, ts, 8);

	return r < 0 ? -errno : (int)r;
}

#endif
