// SPDX-License-Identifier: MIT
/*
 * The alternate signal stack, with SS_AUTODISARM: the same stack and flags
 * after restore, and a SA_ONSTACK handler runs on it (with it disarmed
 * inside the handler, as SS_AUTODISARM does).
 */
#include <signal.h>

#include "progs/prog.h"

#define ALT_SIZE (64 * 1024)

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif

static volatile unsigned long handler_sp;
static volatile int handler_flags = -1, ran;

static void on_usr1(int sig)
{
	stack_t now;
	volatile char here;

	(void)sig;
	ran++;
	handler_sp = (unsigned long)&here;
	if (!sigaltstack(NULL, &now))
		handler_flags = now.ss_flags;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_ONSTACK };
	stack_t ss, now;
	char *alt = malloc(ALT_SIZE);

	SETUP(alt, "malloc");
	ss.ss_sp = alt;
	ss.ss_size = ALT_SIZE;
	ss.ss_flags = SS_AUTODISARM;
	SETUP(!sigaltstack(&ss, NULL), "sigaltstack");
	SETUP(!sigaction(SIGUSR1, &sa, NULL), "sigaction");

	prog_ready();
	prog_wait();

	memset(&now, 0, sizeof(now));
	CHECK(!sigaltstack(NULL, &now), "sigaltstack");
	CHECK(now.ss_sp == alt && now.ss_size == ALT_SIZE, "alternate stack is %p+%zu, was %p+%d", now.ss_sp,
	      now.ss_size, alt, ALT_SIZE);
	CHECK((unsigned int)now.ss_flags == SS_AUTODISARM, "alternate stack flags 0x%x, expected SS_AUTODISARM",
	      now.ss_flags);
	raise(SIGUSR1);
	CHECK(ran == 1, "handler ran %d times", ran);
	CHECK(handler_sp >= (unsigned long)alt && handler_sp < (unsigned long)alt + ALT_SIZE,
	      "handler ran at %#lx, not on the alternate stack %p", handler_sp, alt);
	CHECK(handler_flags == SS_DISABLE, "in the handler the stack flags were 0x%x (SS_AUTODISARM)",
	      handler_flags);
	prog_done();
}
