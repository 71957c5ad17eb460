// SPDX-License-Identifier: MIT
/*
 * Signal dispositions: handlers with SA_SIGINFO, SA_RESTART, SA_ONSTACK,
 * SA_NODEFER, SA_RESETHAND, SA_NOCLDSTOP, with masks, glibc's restorer and
 * one of our own, SIG_IGN.  After restore every one of the 64 dispositions
 * is what it was (handler, flags, restorer, mask, as rt_sigaction reports
 * them), and they act as they should: the handler's mask is applied,
 * SA_NODEFER and SA_RESETHAND work, our restorer returns from the handler.
 */
#include <signal.h>

#include "progs/prog.h"

struct ksigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	unsigned long mask;
};

#define KSA_RESTORER 0x04000000UL

static long ksigaction(int sig, const struct ksigaction *act, struct ksigaction *old)
{
	return prog_sys4(__NR_rt_sigaction, sig, (long)act, (long)old, 8);
}

extern const char my_restorer[];
asm(".text\n.type my_restorer,@function\nmy_restorer:\n\tmovl $15, %eax\n\tsyscall\n\thlt\n"
    ".size my_restorer,.-my_restorer\n");

static volatile int usr1, usr2, pipes, rt;
static volatile unsigned long usr1_mask, usr2_mask;
static volatile int usr1_code, usr1_pid, rt_value;

static unsigned long cur_mask(void)
{
	unsigned long m = 0;

	prog_sys4(__NR_rt_sigprocmask, SIG_BLOCK, 0, (long)&m, 8);
	return m;
}

#define BIT(sig) (1UL << ((sig) - 1))

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	usr1++;
	usr1_mask = cur_mask();
	usr1_code = si->si_code;
	usr1_pid = si->si_pid;
}

static void on_usr2(int sig)
{
	(void)sig;
	usr2++;
	usr2_mask = cur_mask();
}

static void on_pipe(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	(void)uc;
	pipes++;
}

static void on_rt(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	rt++;
	rt_value = si->si_value.sival_int;
}

static void set(int sig, void *handler, int flags, const int *mask_sigs)
{
	struct sigaction sa = { .sa_flags = flags };

	sa.sa_sigaction = handler;
	sigemptyset(&sa.sa_mask);
	for (; mask_sigs && *mask_sigs; mask_sigs++)
		sigaddset(&sa.sa_mask, *mask_sigs);
	SETUP(!sigaction(sig, &sa, NULL), "sigaction(%d)", sig);
}

static struct ksigaction before[65];

int main(void)
{
	const int usr1_blocks[] = { SIGUSR2, SIGRTMIN + 3, 0 };
	const int usr2_blocks[] = { SIGHUP, 0 };
	const int rt_blocks[] = { SIGRTMIN, SIGRTMIN + 1, SIGRTMAX, SIGTERM, 0 };
	struct ksigaction own = {
		.handler = (void *)on_pipe,
		.flags = SA_SIGINFO | KSA_RESTORER,
		.restorer = (void *)my_restorer,
		.mask = BIT(SIGALRM),
	};
	struct ksigaction k;

	set(SIGUSR1, on_usr1, SA_SIGINFO | SA_RESTART | SA_ONSTACK, usr1_blocks);
	set(SIGUSR2, on_usr2, SA_NODEFER | SA_RESETHAND, usr2_blocks);
	set(SIGHUP, SIG_IGN, 0, NULL);
	set(SIGTERM, SIG_DFL, SA_RESTART, NULL);
	set(SIGCHLD, on_usr2, SA_NOCLDSTOP | SA_RESTART, NULL);
	set(SIGSEGV, on_pipe, SA_SIGINFO | SA_ONSTACK | SA_NODEFER, usr1_blocks);
	set(SIGRTMIN + 5, on_rt, SA_SIGINFO, rt_blocks);
	SETUP(!ksigaction(SIGPIPE, &own, NULL), "rt_sigaction(SIGPIPE)");
	for (int sig = 1; sig <= 64; sig++)
		ksigaction(sig, NULL, &before[sig]);

	prog_ready();
	prog_wait();

	for (int sig = 1; sig <= 64; sig++) {
		memset(&k, 0, sizeof(k));
		ksigaction(sig, NULL, &k);
		CHECK(k.handler == before[sig].handler, "signal %d: handler %p, was %p", sig, k.handler,
		      before[sig].handler);
		CHECK(k.flags == before[sig].flags, "signal %d: flags 0x%lx, were 0x%lx", sig, k.flags,
		      before[sig].flags);
		CHECK(k.restorer == before[sig].restorer, "signal %d: restorer %p, was %p", sig, k.restorer,
		      before[sig].restorer);
		CHECK(k.mask == before[sig].mask, "signal %d: mask 0x%lx, was 0x%lx", sig, k.mask,
		      before[sig].mask);
	}

	raise(SIGUSR1);
	CHECK(usr1 == 1, "SIGUSR1 handler ran %d times", usr1);
	CHECK((usr1_mask & (BIT(SIGUSR1) | BIT(SIGUSR2) | BIT(SIGRTMIN + 3))) ==
		      (BIT(SIGUSR1) | BIT(SIGUSR2) | BIT(SIGRTMIN + 3)),
	      "mask in the SIGUSR1 handler is 0x%lx", usr1_mask);
	CHECK(usr1_code == SI_TKILL && usr1_pid == getpid(), "SIGUSR1 siginfo: code %d pid %d", usr1_code,
	      usr1_pid);
	raise(SIGUSR2);
	CHECK(usr2 == 1, "SIGUSR2 handler ran %d times", usr2);
	CHECK(!(usr2_mask & BIT(SIGUSR2)) && (usr2_mask & BIT(SIGHUP)),
	      "mask in the SIGUSR2 handler is 0x%lx (SA_NODEFER, mask SIGHUP)", usr2_mask);
	ksigaction(SIGUSR2, NULL, &k);
	CHECK(k.handler == SIG_DFL, "SA_RESETHAND did not reset SIGUSR2");
	raise(SIGHUP);
	raise(SIGPIPE);
	CHECK(pipes == 1, "SIGPIPE handler (own restorer) ran %d times", pipes);
	sigqueue(getpid(), SIGRTMIN + 5, (union sigval){ .sival_int = 5151 });
	CHECK(rt == 1 && rt_value == 5151, "SIGRTMIN+5: ran %d times, value %d", rt, rt_value);
	prog_done();
}
