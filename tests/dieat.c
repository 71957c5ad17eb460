// SPDX-License-Identifier: MIT
/*
 * Death injection for the test build of sudcr (build/tests/sudcr-dieat,
 * linked with --wrap for ptrace, waitpid, waitid, process_vm_writev and
 * sched_setaffinity: every call by which sudcr changes or waits for a
 * target thread).  Only in this binary.
 *
 *  - SUDCR_DIE_AT_DELIVERY=1: sudcr SIGKILLs itself at its first answer
 *    to a signal-delivery-stop of the seize (a PTRACE_CONT with a signal
 *    right after PTRACE_SEIZE and PTRACE_INTERRUPT: the later requeues
 *    and deliveries have other calls before their INTERRUPT), after
 *    writing "sudcr-dieat: dying" to stderr; the kill of sudcr that
 *    tests/crash/dump_killed.sh lands at random, at the one instant
 *    where it used to lose that signal.
 *  - SUDCR_DIE_AT=N: sudcr SIGKILLs itself right before its Nth call of
 *    the wrapped ones (counted from 1), after writing
 *    "sudcr-dieat: dying at N: CALL" to stderr.  Every state a target
 *    can be left in by a kill of sudcr is the state before one of these
 *    calls (the target changes only through them; between two of them it
 *    is stopped, or running, in a wait, as before the wait).  Sweeping N
 *    from 1 until the command ends by itself visits each one
 *    (tests/cli/killed_sweep.sh).  SUDCR_DIE_TRACE=1 lists every
 *    call with its number.
 *  - SUDCR_DIE_AFTER_PROGRAM=1: sudcr SIGKILLs itself right before the
 *    first wrapped call that follows its first waitpid(PID, 0) (the wait
 *    for a program it ran, as nft for the network lock of --tcp-established,
 *    not for a target: those waits have __WALL), after writing
 *    "sudcr-dieat: dying after a program" to stderr
 *    (tests/cli/net_tcp_established.sh: once the lock is taken and the
 *    sockets are in repair mode).
 */
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

long __real_ptrace(int req, pid_t pid, void *addr, void *data);
long __wrap_ptrace(int req, ...);
pid_t __real_waitpid(pid_t pid, int *status, int options);
pid_t __wrap_waitpid(pid_t pid, int *status, int options);
int __real_waitid(idtype_t idtype, id_t id, siginfo_t *info, int options);
int __wrap_waitid(idtype_t idtype, id_t id, siginfo_t *info, int options);
ssize_t __real_process_vm_writev(pid_t pid, const struct iovec *local, unsigned long nl,
				 const struct iovec *remote, unsigned long nr, unsigned long flags);
ssize_t __wrap_process_vm_writev(pid_t pid, const struct iovec *local, unsigned long nl,
				 const struct iovec *remote, unsigned long nr, unsigned long flags);
int __real_sched_setaffinity(pid_t pid, size_t size, const cpu_set_t *set);
int __wrap_sched_setaffinity(pid_t pid, size_t size, const cpu_set_t *set);

static void die(const char *msg, size_t len)
{
	if (write(2, msg, len) < 0)
		_exit(2);
	raise(SIGKILL);
}

/* The Nth wrapped call: die before it if SUDCR_DIE_AT says so. */
static void kill_point(const char *what, long a, long b)
{
	static long n, at = -1;
	static bool trace;
	static int after_program = -1;	/* 1: armed; 2: the program was waited for */
	char msg[128];
	int len;

	if (after_program < 0) {
		const char *e = getenv("SUDCR_DIE_AFTER_PROGRAM");

		after_program = e && *e == '1';
	}
	if (after_program == 2) {
		static const char m[] = "sudcr-dieat: dying after a program\n";

		die(m, sizeof(m) - 1);
	}
	if (after_program == 1 && !strcmp(what, "waitpid") && b == 0)
		after_program = 2;
	if (at < 0) {
		const char *e = getenv("SUDCR_DIE_AT");

		at = e ? atol(e) : 0;
		trace = getenv("SUDCR_DIE_TRACE");
	}
	if (trace)
		fprintf(stderr, "sudcr-dieat: %ld: %s(%ld, %ld)\n", n + 1, what, a, b);
	if (!at || ++n != at) {
		n += !at;
		return;
	}
	len = snprintf(msg, sizeof(msg), "sudcr-dieat: dying at %ld: %s(%ld, %ld)\n", n, what, a, b);
	die(msg, len > 0 && len < (int)sizeof(msg) ? (size_t)len : 0);
}

long __wrap_ptrace(int req, ...)
{
	static const char msg[] = "sudcr-dieat: dying\n";
	static int last = -1, before_last = -1;
	const char *e = getenv("SUDCR_DIE_AT_DELIVERY");
	va_list ap;
	pid_t pid;
	void *addr, *data;

	va_start(ap, req);
	pid = va_arg(ap, pid_t);
	addr = va_arg(ap, void *);
	data = va_arg(ap, void *);
	va_end(ap);
	if (e && *e == '1' && req == PTRACE_CONT && data && last == PTRACE_INTERRUPT &&
	    before_last == PTRACE_SEIZE)
		die(msg, sizeof(msg) - 1);
	kill_point("ptrace", req, pid);
	before_last = last;
	last = req;
	return __real_ptrace(req, pid, addr, data);
}

pid_t __wrap_waitpid(pid_t pid, int *status, int options)
{
	kill_point("waitpid", pid, options);
	return __real_waitpid(pid, status, options);
}

int __wrap_waitid(idtype_t idtype, id_t id, siginfo_t *info, int options)
{
	kill_point("waitid", id, options);
	return __real_waitid(idtype, id, info, options);
}

ssize_t __wrap_process_vm_writev(pid_t pid, const struct iovec *local, unsigned long nl,
				 const struct iovec *remote, unsigned long nr, unsigned long flags)
{
	kill_point("process_vm_writev", pid, nr ? (long)remote[0].iov_base : 0);
	return __real_process_vm_writev(pid, local, nl, remote, nr, flags);
}

int __wrap_sched_setaffinity(pid_t pid, size_t size, const cpu_set_t *set)
{
	kill_point("sched_setaffinity", pid, (long)size);
	return __real_sched_setaffinity(pid, size, set);
}
