// SPDX-License-Identifier: MIT
/*
 * Death injection for the test build of sudcr (build/tests/sudcr-dieat,
 * linked with --wrap=ptrace): with SUDCR_DIE_AT_DELIVERY=1 in the
 * environment, sudcr SIGKILLs itself at its first answer to a
 * signal-delivery-stop of the seize (a PTRACE_CONT with a signal right
 * after PTRACE_SEIZE and PTRACE_INTERRUPT: the later requeues and
 * deliveries have other calls before their INTERRUPT), after writing "sudcr-dieat: dying" to stderr; the kill of sudcr
 * that tests/crash/dump_killed.sh lands at random, at the one instant
 * where it used to lose that signal.  Only in this binary.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <unistd.h>

long __real_ptrace(int req, pid_t pid, void *addr, void *data);
long __wrap_ptrace(int req, ...);

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
	    before_last == PTRACE_SEIZE) {
		if (write(2, msg, sizeof(msg) - 1) < 0)
			_exit(2);
		raise(SIGKILL);
	}
	before_last = last;
	last = req;
	return __real_ptrace(req, pid, addr, data);
}
