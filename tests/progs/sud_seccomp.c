// SPDX-License-Identifier: MIT
/*
 * SUD with a selector toggled in a busy loop, under a seccomp filter that
 * kills the process on a real getppid.  SUD acts before seccomp, so the
 * loop's getppid calls are all dispatched and the process lives only while
 * no real getppid runs: not one lost interception, and every injected call
 * of the dump and restore run with seccomp suspended.  After restore the
 * filter must still be there (one filter, mode 2).
 */
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "progs/sud_prog.h"

static void install_filter(void)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SUD_RAW_AUDIT_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(filter) / sizeof(filter[0]), .filter = filter };

	SETUP(!prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "PR_SET_NO_NEW_PRIVS");
	SETUP(!prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0), "PR_SET_SECCOMP");
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
