/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_TESTS_THR_SUD_H
#define SUDCR_TESTS_THR_SUD_H

/*
 * Per-thread Syscall User Dispatch for the thr_sud* programs (x86-64; also
 * built -m32 for the ia32 target sud_status_mt-32).
 *
 * SUD is per thread: each worker arms its own prctl, and each has its own
 * setup (enum thr_sud_mode).  The SIGSYS handler is process-wide, so it
 * finds the worker it runs for through a __thread pointer (thr_sud_me)
 * and counts there; it also asks the kernel for its TID (from the allowed
 * range) and counts a mismatch, so a handler that runs with another
 * thread's TLS is seen.
 *
 * Like tests/targets/sud_core.h, but per thread: thr_sud_call() issues
 * getppid from the one call site in the "thr_sud_intercept" section; when
 * it is dispatched the handler counts it in the worker's hits and answers
 * THR_SUD_MAGIC + salt + hits, where salt is the worker's own (so an
 * answer meant for another thread is wrong too); the caller counts calls
 * and expects exactly THR_SUD_MAGIC + salt + calls.  A lost interception
 * (a real getppid returns a PID), a dispatch the worker did not ask for
 * and a dispatch counted in the wrong thread all end in bad != 0 or
 * hits != calls.
 *
 * Setups:
 *   TS_SELECTOR        exclusive, no range, selector byte of its own: ALLOW,
 *                      BLOCK around each getppid (the handler sets ALLOW).
 *   TS_RANGE           exclusive, allowed range "thr_sud_allowed", no
 *                      selector: every syscall of the worker must go
 *                      through thr_sud_syscall(), rt_sigreturn through the
 *                      restorer in that range.
 *   TS_RANGE_SELECTOR  exclusive, allowed range and a selector held at
 *                      BLOCK.
 *   TS_INCLUSIVE       inclusive: syscalls from "thr_sud_intercept" are
 *                      dispatched.
 *   TS_OFF             no SUD: getppid is the real one, never dispatched.
 * While armed, a worker calls no libc function that makes a syscall (in
 * the range setups it would be dispatched): thr_sud_syscall() only.
 *
 * thr_sud_probe() checks, beyond the counts, that the setup is the one
 * armed: e.g. with the selector at ALLOW the same site is not dispatched,
 * a getppid from the allowed range never is, in inclusive mode a getppid
 * from outside the range is not.
 */

#include <sys/ucontext.h>

#include "kernel_compat.h"

#include "progs/thr.h"
#include "targets/sud_raw.h"

#ifdef __x86_64__
#define THR_SUD_REG_IP REG_RIP
#define THR_SUD_REG_AX REG_RAX
#elif defined(__i386__)
#define THR_SUD_REG_IP REG_EIP
#define THR_SUD_REG_AX REG_EAX
#else
#error "thr_sud.h: x86 only"
#endif

#define THR_SUD_MAGIC		0x5D000000UL
#define THR_SUD_PID_LIMIT	4194304L

#define THR_SUD_IN_ALLOWED	__attribute__((section("thr_sud_allowed"), noipa, used))
#define THR_SUD_IN_INTERCEPT	__attribute__((section("thr_sud_intercept"), noipa, used))
#define THR_SUD_HIDDEN		__attribute__((visibility("hidden")))

extern const char __start_thr_sud_allowed[] THR_SUD_HIDDEN, __stop_thr_sud_allowed[] THR_SUD_HIDDEN;
extern const char __start_thr_sud_intercept[] THR_SUD_HIDDEN, __stop_thr_sud_intercept[] THR_SUD_HIDDEN;
extern const char thr_sud_restorer[] THR_SUD_HIDDEN;

asm(".pushsection thr_sud_allowed,\"ax\",@progbits\n"
    ".globl thr_sud_restorer\n"
    ".hidden thr_sud_restorer\n"
    ".type thr_sud_restorer,@function\n"
    "thr_sud_restorer:\n\t" SUD_RAW_SIGRETURN_ASM ".size thr_sud_restorer,.-thr_sud_restorer\n"
    ".popsection\n");

enum thr_sud_mode { TS_OFF, TS_SELECTOR, TS_RANGE, TS_RANGE_SELECTOR, TS_INCLUSIVE };

static const char *const thr_sud_mode_names[] PROG_UNUSED = {
	[TS_OFF] = "off",
	[TS_SELECTOR] = "exclusive+selector",
	[TS_RANGE] = "exclusive+range",
	[TS_RANGE_SELECTOR] = "exclusive+range+selector",
	[TS_INCLUSIVE] = "inclusive",
};

/* Why a probe failed (thr_sud.probe). */
enum {
	TSP_OK,
	TSP_ALLOW_DISPATCHED,		/* selector ALLOW, still dispatched */
	TSP_BLOCK_NOT_DISPATCHED,	/* selector BLOCK again, not dispatched */
	TSP_ALLOWED_DISPATCHED,		/* getppid from the allowed range dispatched */
	TSP_OUTSIDE_DISPATCHED,		/* inclusive: getppid from outside the range dispatched */
	TSP_OFF_DISPATCHED,		/* no SUD, dispatched */
};

static const char *const thr_sud_probe_names[] PROG_UNUSED = {
	[TSP_OK] = "ok",
	[TSP_ALLOW_DISPATCHED] = "selector at ALLOW but getppid still dispatched",
	[TSP_BLOCK_NOT_DISPATCHED] = "selector at BLOCK again but getppid not dispatched",
	[TSP_ALLOWED_DISPATCHED] = "getppid from the allowed range was dispatched",
	[TSP_OUTSIDE_DISPATCHED] = "inclusive: getppid from outside the range was dispatched",
	[TSP_OFF_DISPATCHED] = "SUD off but getppid dispatched",
};

struct thr_sud {
	enum thr_sud_mode mode;
	unsigned long salt;
	volatile unsigned char sel;		/* this worker's selector byte */
	volatile pid_t tid;
	volatile unsigned long hits;		/* handler */
	volatile unsigned long calls;		/* caller */
	volatile unsigned long bad, wrong_tid;
	volatile unsigned long last_bad_nr;	/* si_syscall of the last bad dispatch */
	long arm_ret, disarm_ret;
	int probe;				/* TSP_* */
	unsigned long probe_calls;		/* thr_sud_call()s the probe made */

	/* Hold the handler at dispatch number hold_at (0: never). */
	unsigned long hold_at;
	int hold_in_futex;			/* wait in futex rather than spin */
	volatile uint32_t release;		/* set (and woken) to let it go */
	volatile int in_handler;		/* 1 while held, 2 after */
	uint64_t handler_mask;			/* blocked mask inside the held handler */
};

static __thread struct thr_sud *thr_sud_me;
static volatile unsigned long thr_sud_orphans;	/* dispatches in a thread without a worker */

/* Every syscall of a worker in a range setup goes through here. */
THR_SUD_IN_ALLOWED static long thr_sud_syscall(long nr, long a1, long a2, long a3, long a4, long a5)
{
	return sud_raw_syscall5(nr, a1, a2, a3, a4, a5);
}

/* The one call site that SUD is meant to dispatch. */
THR_SUD_IN_INTERCEPT static long thr_sud_intercepted_getppid(void)
{
	return sud_raw_syscall0(__NR_getppid);
}

static void thr_sud_on_sigsys(int sig, siginfo_t *si, void *ctx)
{
	greg_t *gregs = ((ucontext_t *)ctx)->uc_mcontext.gregs;
	struct thr_sud *s = thr_sud_me;
	unsigned long ip;

	if (!s) {
		thr_sud_orphans++;
		if (si->si_code == SYS_USER_DISPATCH)
			gregs[THR_SUD_REG_AX] = -ENOSYS;
		return;
	}
	if (s->mode == TS_SELECTOR)
		s->sel = SYSCALL_DISPATCH_FILTER_ALLOW;
	if (thr_sud_syscall(__NR_gettid, 0, 0, 0, 0, 0) != s->tid)
		s->wrong_tid++;

	if (s->hold_at && s->hits + 1 == s->hold_at) {
		uint64_t mask = 0;

		s->in_handler = 1;
		while (!__atomic_load_n(&s->release, __ATOMIC_ACQUIRE)) {
			if (s->hold_in_futex)
				thr_sud_syscall(__NR_futex, (long)&s->release, FUTEX_WAIT_PRIVATE, 0, 0, 0);
			else
				asm volatile("pause" ::: "memory");
		}
		thr_sud_syscall(__NR_rt_sigprocmask, SIG_BLOCK, 0, (long)&mask, 8, 0);
		s->handler_mask = mask;
		s->in_handler = 2;
	}

	/* Checked after any hold: the frame must have survived it. */
	ip = (unsigned long)gregs[THR_SUD_REG_IP];
	if (s->mode == TS_OFF || sig != SIGSYS || si->si_code != SYS_USER_DISPATCH ||
	    si->si_syscall != __NR_getppid || (unsigned int)si->si_arch != SUD_RAW_AUDIT_ARCH ||
	    (unsigned long)si->si_call_addr != ip || ip <= (unsigned long)__start_thr_sud_intercept ||
	    ip > (unsigned long)__stop_thr_sud_intercept) {
		s->bad++;
		s->last_bad_nr = si->si_syscall;
		if (si->si_code == SYS_USER_DISPATCH)
			gregs[THR_SUD_REG_AX] = -ENOSYS;
		return;
	}
	s->hits++;
	gregs[THR_SUD_REG_AX] = (greg_t)(THR_SUD_MAGIC + s->salt + s->hits);
}

/* One checked getppid from the intercepted site. */
static inline void thr_sud_call(struct thr_sud *s)
{
	unsigned long want = THR_SUD_MAGIC + s->salt + s->calls + 1;
	long r;

	if (s->mode == TS_SELECTOR)
		s->sel = SYSCALL_DISPATCH_FILTER_BLOCK;
	r = thr_sud_intercepted_getppid();
	s->calls++;
	if (s->mode == TS_OFF) {
		if (r <= 0 || r >= THR_SUD_PID_LIMIT)
			s->bad++;
		return;
	}
	if ((unsigned long)r != want)
		s->bad++;
	if (s->mode == TS_SELECTOR && s->sel != SYSCALL_DISPATCH_FILTER_ALLOW) {
		s->bad++;	/* the handler did not run */
		s->sel = SYSCALL_DISPATCH_FILTER_ALLOW;
	}
}

/* SIGSYS to the handler, returning through the restorer in the allowed range (any thread, once). */
static inline long thr_sud_install_handler(void)
{
	struct sud_raw_sigaction sa = {
		.handler = (void *)thr_sud_on_sigsys,
		.flags = SUD_RAW_SA_SIGINFO | SUD_RAW_SA_RESTORER,
		.restorer = (void *)thr_sud_restorer,
	};

	return thr_sud_syscall(__NR_rt_sigaction, SIGSYS, (long)&sa, 0, 8, 0);
}

static inline long thr_sud_prctl(unsigned long mode, const char *start, const char *end,
				 volatile unsigned char *sel)
{
	return thr_sud_syscall(__NR_prctl, PR_SET_SYSCALL_USER_DISPATCH, mode, (long)start, (long)(end - start),
			       (long)sel);
}

/* Arm @s->mode for the calling thread (which becomes @s's). */
static inline long thr_sud_arm(struct thr_sud *s)
{
	s->tid = gettid();
	thr_sud_me = s;
	switch (s->mode) {
	case TS_OFF:
		return 0;
	case TS_SELECTOR:
		s->sel = SYSCALL_DISPATCH_FILTER_ALLOW;
		return thr_sud_prctl(PR_SYS_DISPATCH_EXCLUSIVE_ON, NULL, NULL, &s->sel);
	case TS_RANGE:
		return thr_sud_prctl(PR_SYS_DISPATCH_EXCLUSIVE_ON, __start_thr_sud_allowed, __stop_thr_sud_allowed,
				     NULL);
	case TS_RANGE_SELECTOR:
		s->sel = SYSCALL_DISPATCH_FILTER_BLOCK;
		return thr_sud_prctl(PR_SYS_DISPATCH_EXCLUSIVE_ON, __start_thr_sud_allowed, __stop_thr_sud_allowed,
				     &s->sel);
	case TS_INCLUSIVE:
		return thr_sud_prctl(PR_SYS_DISPATCH_INCLUSIVE_ON, __start_thr_sud_intercept,
				     __stop_thr_sud_intercept, NULL);
	}
	return -EINVAL;
}

static inline long thr_sud_disarm(void)
{
	return thr_sud_syscall(__NR_prctl, PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_OFF, 0, 0, 0);
}

/* Wait for *@word != 0 from the allowed range (safe in every setup). */
static inline void thr_sud_wait(volatile uint32_t *word)
{
	while (!__atomic_load_n(word, __ATOMIC_ACQUIRE))
		thr_sud_syscall(__NR_futex, (long)word, FUTEX_WAIT_PRIVATE, 0, 0, 0);
}

/* Is a getppid that returned @r real (not answered by the handler)? */
static inline bool thr_sud_real(long r)
{
	return r > 0 && r < THR_SUD_PID_LIMIT;
}

/*
 * Check that the armed setup is the one intended, beyond the site that
 * thr_sud_call() uses; sets s->probe.  Leaves the counts consistent.
 */
static inline void thr_sud_probe(struct thr_sud *s)
{
	unsigned long hits = s->hits;
	long r;

	s->probe = TSP_OK;
	if (s->mode == TS_OFF) {
		if (!thr_sud_real(thr_sud_intercepted_getppid()) || s->hits != hits)
			s->probe = TSP_OFF_DISPATCHED;
		return;
	}
	if (s->mode == TS_SELECTOR || s->mode == TS_RANGE_SELECTOR) {
		s->sel = SYSCALL_DISPATCH_FILTER_ALLOW;
		r = thr_sud_intercepted_getppid();
		if (!thr_sud_real(r) || s->hits != hits) {
			s->probe = TSP_ALLOW_DISPATCHED;
			return;
		}
		s->sel = SYSCALL_DISPATCH_FILTER_BLOCK;
		thr_sud_call(s);
		s->probe_calls++;
		if (s->hits != hits + 1) {
			s->probe = TSP_BLOCK_NOT_DISPATCHED;
			return;
		}
		hits = s->hits;
	}
	if (s->mode == TS_RANGE || s->mode == TS_RANGE_SELECTOR) {
		r = thr_sud_syscall(__NR_getppid, 0, 0, 0, 0, 0);
		if (!thr_sud_real(r) || s->hits != hits)
			s->probe = TSP_ALLOWED_DISPATCHED;
	}
	if (s->mode == TS_INCLUSIVE) {
		r = thr_sud_syscall(__NR_getppid, 0, 0, 0, 0, 0);
		if (!thr_sud_real(r) || s->hits != hits)
			s->probe = TSP_OUTSIDE_DISPATCHED;
	}
}

/* The main thread's verdict on worker @s (joined), which made @want_calls calls besides the probe's. */
static inline void thr_sud_check(const char *who, struct thr_sud *s, unsigned long want_calls)
{
	const char *m = thr_sud_mode_names[s->mode];

	CHECK(s->arm_ret == 0, "%s (%s): arming SUD failed: %ld", who, m, s->arm_ret);
	CHECK(s->bad == 0, "%s (%s): %lu bad results (lost interception or unexpected dispatch, last syscall %lu); hits %lu calls %lu",
	      who, m, s->bad, s->last_bad_nr, s->hits, s->calls);
	CHECK(s->wrong_tid == 0, "%s (%s): handler ran %lu times with this worker's TLS in another thread", who, m,
	      s->wrong_tid);
	if (s->mode == TS_OFF)
		CHECK(s->hits == 0, "%s (%s): %lu dispatches without SUD", who, m, s->hits);
	else
		CHECK(s->hits == s->calls, "%s (%s): handler counted %lu dispatches for %lu calls", who, m, s->hits,
		      s->calls);
	CHECK(s->calls == want_calls + s->probe_calls, "%s (%s): %lu calls, expected %lu", who, m, s->calls,
	      want_calls + s->probe_calls);
	CHECK(s->probe == TSP_OK, "%s (%s): %s", who, m, thr_sud_probe_names[s->probe]);
	CHECK(s->disarm_ret == 0, "%s (%s): disarming SUD failed: %ld", who, m, s->disarm_ret);
}

#endif
