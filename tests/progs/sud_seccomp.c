// SPDX-License-Identifier: MIT
/*
 * SUD with a selector toggled in a busy loop, under a seccomp filter that
 * kills the process on a real getppid.  SUD acts before seccomp, so the
 * loop's getppid calls are all dispatched and the process lives only while
 * no real getppid runs: not one lost interception, and every injected call
 * of the dump and restore run with seccomp suspended.  After restore the
 * filter must still be there (one filter, mode 2).
 */
#include "progs/sud_prog.h"

static void install_filter(void)
{
	SETUP(!sud_core_kill_on_getppid(), "seccomp filter: %s", strerror(errno));
}

static int nr_filters(void)
{
	char status[4096], *p;

	if (prog_read_file("/proc/self/status", status, sizeof(status)) <= 0)
		return -1;
	p = strstr(status, "Seccomp_filters:");
	return p ? atoi(p + 16) : -1;
}

static void check_filter(void)
{
	CHECK_EQ(prctl(PR_GET_SECCOMP, 0, 0, 0, 0), SECCOMP_MODE_FILTER);
	CHECK_EQ(nr_filters(), 1);
}

int main(void)
{
	install_filter();
	SETUP(nr_filters() == 1, "expected one seccomp filter, /proc/self/status says %d", nr_filters());
	sud_prog_busy(SUD_SELECTOR, check_filter);
}
