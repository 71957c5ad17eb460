/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_TESTS_SUD_PROG_H
#define SUDCR_TESTS_SUD_PROG_H

/*
 * The SUD programs of the suite: tests/targets/sud_core.h (the counting
 * core shared with sud_target) under the protocol of prog.h.  While SUD is
 * armed every syscall goes through sud_allowed_syscall() (in the range
 * setups any other would be dispatched); the verdict is written once SUD
 * has been checked and turned off.
 *
 * A dump must not change what the program sees: after restore every
 * dispatch it counted and every call it made must still match exactly,
 * and its own getppid calls must still be dispatched (a real getppid
 * returns a PID, never SUD_MAGIC + n).
 */

#include <fcntl.h>

#include "progs/prog.h"
#include "targets/sud_core.h"

#define SUD_PROG_BEFORE	10000	/* checked calls before READY */
#define SUD_PROG_AFTER	20000	/* and after "go" */
#define SUD_PROG_BATCH	500	/* calls between two looks at stdin */

static inline void sud_prog_write(const char *s)
{
	unsigned long len = strlen(s);

	while (len) {
		long n = sud_allowed_syscall(__NR_write, 1, (long)s, (long)len, 0);

		if (n == -EINTR)
			continue;
		if (n <= 0)
			sud_allowed_syscall(__NR_exit_group, 3, 0, 0, 0);
		s += n;
		len -= n;
	}
}

/*
 * Read what stdin has, one byte at a time; true once a whole line is in.
 * @block: a blocking read(0) (issued from the allowed range).
 */
static inline int sud_prog_read_go(int block)
{
	for (;;) {
		char c;
		long n = sud_allowed_syscall(__NR_read, 0, (long)&c, 1, 0);

		if (n == -EINTR || (block && n == -EAGAIN))
			continue;
		if (n == -EAGAIN)
			return 0;
		if (n == 0)
			sud_allowed_syscall(__NR_exit_group, 2, 0, 0, 0);
		if (n < 0)
			sud_allowed_syscall(__NR_exit_group, 3, 0, 0, 0);
		if (c == '\n')
			return 1;
	}
}

/* Counts at one moment, for the verdict. */
struct sud_prog_counts {
	unsigned long hits, calls, bad;
};

static inline struct sud_prog_counts sud_prog_counts(void)
{
	return (struct sud_prog_counts){ .hits = sud_hits, .calls = sud_calls, .bad = sud_bad };
}

/* Exact counts: every call dispatched once, nothing else. */
static inline void sud_prog_check_counts(const char *when, struct sud_prog_counts c)
{
	CHECK(c.bad == 0, "%s: %lu bad results (lost interception or unexpected dispatch); hits %lu calls %lu",
	      when, c.bad, c.hits, c.calls);
	CHECK(c.hits == c.calls, "%s: handler counted %lu dispatches for %lu calls", when, c.hits, c.calls);
}

/* Set up the handler, arm @setup, make SUD_PROG_BEFORE checked calls. */
static inline void sud_prog_start(enum sud_setup setup, volatile unsigned char *sel)
{
	long ret;

	ret = sud_core_install_handler();
	if (ret) {
		errno = -ret;
		SETUP(0, "rt_sigaction(SIGSYS)");
	}
	ret = sud_core_arm(setup, sel);
	if (ret) {
		errno = -ret;
		SETUP(0, "PR_SET_SYSCALL_USER_DISPATCH");
	}
	for (int i = 0; i < SUD_PROG_BEFORE; i++)
		sud_one_call();
}

/*
 * The busy-loop programs: READY, then checked calls without a pause
 * until "go" (so the dump catches the loop anywhere, dispatches in flight
 * included), then SUD_PROG_AFTER more; verify, SUD off, @more_checks (if
 * any), verdict.
 */
static inline __attribute__((noreturn)) void sud_prog_busy(enum sud_setup setup, void (*more_checks)(void))
{
	struct sud_prog_counts ready, go, end;
	long fl = fcntl(0, F_GETFL);

	SETUP(fl >= 0 && !fcntl(0, F_SETFL, fl | O_NONBLOCK), "stdin O_NONBLOCK");
	sud_prog_start(setup, NULL);
	ready = sud_prog_counts();
	sud_prog_write("READY\n");
	for (;;) {
		for (int i = 0; i < SUD_PROG_BATCH; i++)
			sud_one_call();
		if (sud_prog_read_go(0))
			break;
	}
	go = sud_prog_counts();
	for (int i = 0; i < SUD_PROG_AFTER; i++)
		sud_one_call();
	end = sud_prog_counts();
	sud_core_disarm();

	sud_prog_check_counts("at READY", ready);
	sud_prog_check_counts("at go", go);
	sud_prog_check_counts("at the end", end);
	CHECK(end.calls == go.calls + SUD_PROG_AFTER, "calls %lu after go, expected %lu",
	      end.calls - go.calls, (unsigned long)SUD_PROG_AFTER);
	fcntl(0, F_SETFL, fl);
	if (more_checks)
		more_checks();
	prog_done();
}

#endif
