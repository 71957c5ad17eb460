// SPDX-License-Identifier: MIT
/*
 * The demo's patient: a program that intercepts its own syscalls with
 * Syscall User Dispatch.  Every 200 ms it asks for getppid() with the SUD
 * selector at BLOCK; the kernel dispatches the call to our SIGSYS handler,
 * which answers with a token derived from its own count of intercepted
 * calls.  The program prints the count and checks the answer, so it notices
 * (and says so, and exits 1) if interception is ever lost or a call is
 * counted twice.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#ifndef PR_SET_SYSCALL_USER_DISPATCH
#define PR_SET_SYSCALL_USER_DISPATCH 59
#endif
#define SUD_EXCLUSIVE 1
#define SYS_USER_DISPATCH_CODE 2
#define TOKEN 0x5d000000L

static volatile char selector;		/* 0 ALLOW, 1 BLOCK */
static volatile long intercepted;

static void on_sigsys(int sig, siginfo_t *si, void *uc_)
{
	ucontext_t *uc = uc_;

	(void)sig;
	selector = 0;			/* let our own return path through */
	if (si->si_code != SYS_USER_DISPATCH_CODE || si->si_syscall != SYS_getppid)
		return;
	intercepted++;
	uc->uc_mcontext.gregs[REG_RAX] = TOKEN + intercepted;
}

static long raw_getppid(void)
{
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"((long)SYS_getppid) : "rcx", "r11", "memory");
	return ret;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
	long limit = argc > 1 ? atol(argv[1]) : 0;
	struct timespec tick = { 0, 200 * 1000 * 1000 };

	sigaction(SIGSYS, &sa, NULL);
	if (prctl(PR_SET_SYSCALL_USER_DISPATCH, SUD_EXCLUSIVE, 0, 0, &selector)) {
		perror("prctl(PR_SET_SYSCALL_USER_DISPATCH)");
		return 2;
	}
	printf("sud_counter %d: intercepting getppid with SUD (selector at %p)\n", getpid(),
	       (void *)&selector);
	fflush(stdout);
	for (long n = 1; !limit || n <= limit; n++) {
		long got;

		selector = 1;
		got = raw_getppid();
		if (got != TOKEN + n || intercepted != n) {
			printf("sud_counter %d: INTERCEPTION LOST at call %ld (got %ld, handler count %ld)\n",
			       getpid(), n, got, intercepted);
			return 1;
		}
		printf("sud_counter %d: call %ld intercepted, handler count %ld\n", getpid(), n, intercepted);
		fflush(stdout);
		nanosleep(&tick, NULL);
	}
	printf("sud_counter %d: done, %ld calls, all intercepted\n", getpid(), intercepted);
	return 0;
}
