// SPDX-License-Identifier: MIT
/*
 * Pending standard signals, blocked, in both queues: the process-wide one
 * (kill, sigqueue with a value) and the thread's (tgkill,
 * rt_tgsigqueueinfo with a made-up siginfo).  After restore each queue
 * holds the same signals (/proc/self/status SigPnd/ShdPnd), each with its
 * whole siginfo: code, sender, value.
 */
#include <signal.h>
#include <time.h>

#include "progs/prog.h"

static void expect(int sig, int code, int pid, int value, int check_value)
{
	sigset_t one;
	siginfo_t si;
	struct timespec zero = { 0, 0 };
	int got;

	sigemptyset(&one);
	sigaddset(&one, sig);
	memset(&si, 0, sizeof(si));
	got = sigtimedwait(&one, &si, &zero);
	if (!CHECK(got == sig, "signal %d is not pending (%s)", sig, strerror(errno)))
		return;
	CHECK(si.si_code == code, "signal %d: si_code %d, expected %d", sig, si.si_code, code);
	CHECK(si.si_pid == pid, "signal %d: si_pid %d, expected %d", sig, si.si_pid, pid);
	if (check_value)
		CHECK(si.si_value.sival_int == value, "signal %d: si_value %d, expected %d", sig,
		      si.si_value.sival_int, value);
}

/* The si_code a tgkill shows through sigtimedwait (glibc turns SI_TKILL into SI_USER). */
static int tgkill_code(void)
{
	struct timespec zero = { 0, 0 };
	sigset_t one;
	siginfo_t si;

	sigemptyset(&one);
	sigaddset(&one, SIGTTIN);
	sigprocmask(SIG_BLOCK, &one, NULL);
	SETUP(!prog_sys3(__NR_tgkill, getpid(), gettid(), SIGTTIN), "tgkill");
	SETUP(sigtimedwait(&one, &si, &zero) == SIGTTIN, "sigtimedwait");
	return si.si_code;
}

int main(void)
{
	const int sigs[] = { SIGUSR1, SIGUSR2, SIGHUP, SIGWINCH, SIGTERM, 0 };
	char sig0[64], shd0[64], sig1[64], shd1[64];
	sigset_t set, pending;
	siginfo_t si;
	pid_t pid = getpid();
	int tkill_code = tgkill_code();

	sigemptyset(&set);
	for (int i = 0; sigs[i]; i++)
		sigaddset(&set, sigs[i]);
	SETUP(!sigprocmask(SIG_SETMASK, &set, NULL), "sigprocmask");
	SETUP(!kill(pid, SIGUSR1), "kill");
	SETUP(!prog_sys3(__NR_tgkill, pid, gettid(), SIGUSR2), "tgkill");
	SETUP(!sigqueue(pid, SIGHUP, (union sigval){ .sival_int = 777 }), "sigqueue");
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGWINCH;
	si.si_code = -42;
	si.si_pid = 4242;
	si.si_uid = 4343;
	si.si_value.sival_int = 888;
	SETUP(!prog_sys4(__NR_rt_tgsigqueueinfo, pid, gettid(), SIGWINCH, (long)&si), "rt_tgsigqueueinfo");
	prog_status("SigPnd", sig0, sizeof(sig0));
	prog_status("ShdPnd", shd0, sizeof(shd0));

	prog_ready();
	prog_wait();

	prog_status("SigPnd", sig1, sizeof(sig1));
	prog_status("ShdPnd", shd1, sizeof(shd1));
	CHECK(!strcmp(sig0, sig1), "thread's pending signals SigPnd %s, were %s", sig1, sig0);
	CHECK(!strcmp(shd0, shd1), "process's pending signals ShdPnd %s, were %s", shd1, shd0);
	expect(SIGUSR2, tkill_code, pid, 0, 0);
	expect(SIGWINCH, -42, 4242, 888, 1);
	expect(SIGUSR1, SI_USER, pid, 0, 0);
	expect(SIGHUP, SI_QUEUE, pid, 777, 1);
	sigpending(&pending);
	for (int sig = 1; sig < 32; sig++)
		CHECK(!sigismember(&pending, sig), "signal %d is pending too", sig);
	prog_done();
}
