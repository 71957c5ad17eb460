// SPDX-License-Identifier: MIT
/*
 * Queued real-time signals, several of a kind, with values, in both queues:
 * after restore they come out in the same order (thread queue first, lower
 * signal first, each signal's instances in the order sent) with their
 * values, and no more of them.
 */
#include <signal.h>
#include <time.h>

#include "progs/prog.h"

struct sent {
	int sig, value, thread;
};

int main(void)
{
	const int r = SIGRTMIN;
	const struct sent sent[] = {
		{ r + 1, 101, 0 }, { r + 1, 102, 0 }, { r, 103, 0 }, { r + 1, 104, 0 }, { SIGRTMAX, 105, 0 },
		{ r + 2, 201, 1 }, { r + 2, 202, 1 }, { r, 203, 1 },
	};
	/* The order sigwaitinfo gives them (indices into sent[]). */
	const int order[] = { 7, 5, 6, 2, 0, 1, 3, 4 };
	const int nr = sizeof(sent) / sizeof(sent[0]);
	struct timespec zero = { 0, 0 };
	sigset_t set;
	siginfo_t si;
	pid_t pid = getpid();

	sigemptyset(&set);
	for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
		sigaddset(&set, sig);
	SETUP(!sigprocmask(SIG_SETMASK, &set, NULL), "sigprocmask");
	for (int i = 0; i < nr; i++) {
		memset(&si, 0, sizeof(si));
		si.si_signo = sent[i].sig;
		si.si_code = SI_QUEUE;
		si.si_pid = pid;
		si.si_uid = getuid();
		si.si_value.sival_int = sent[i].value;
		if (sent[i].thread)
			SETUP(!prog_sys4(__NR_rt_tgsigqueueinfo, pid, gettid(), sent[i].sig, (long)&si),
			      "rt_tgsigqueueinfo");
		else
			SETUP(!sigqueue(pid, sent[i].sig, si.si_value), "sigqueue");
	}

	prog_ready();
	prog_wait();

	for (int i = 0; i < nr; i++) {
		const struct sent *w = &sent[order[i]];
		int got;

		memset(&si, 0, sizeof(si));
		got = sigtimedwait(&set, &si, &zero);
		if (!CHECK(got == w->sig && si.si_value.sival_int == w->value,
			   "signal %d of %d: got %d value %d, expected %d value %d", i + 1, nr, got,
			   si.si_value.sival_int, w->sig, w->value))
			break;
		CHECK(si.si_code == SI_QUEUE && si.si_pid == pid, "signal %d: code %d pid %d", got, si.si_code,
		      si.si_pid);
	}
	CHECK(sigtimedwait(&set, &si, &zero) < 0 && errno == EAGAIN, "one signal too many pending: %d",
	      si.si_signo);
	prog_done();
}
