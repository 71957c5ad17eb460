// SPDX-License-Identifier: MIT
/*
 * Seccomp filters, two stacked: the first makes uname fail with EXFULL and
 * getpriority with EBADSLT, the second (newer) makes uname fail with
 * ENOANO.  After restore: mode 2, two filters, and each filtered syscall
 * returns its errno (uname the newer filter's: the order is kept).
 */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>

#include "progs/prog.h"

#define ERRNO_RET(e) (SECCOMP_RET_ERRNO | (e))

static void install(int nr1, int err1, int nr2, int err2)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xc000003e, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr1, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, ERRNO_RET(err1)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr2, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, ERRNO_RET(err2)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	SETUP(!prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0), "PR_SET_SECCOMP");
}

int main(void)
{
	char buf[512], v[32];
	long r;

	install(__NR_uname, EXFULL, __NR_getpriority, EBADSLT);
	install(__NR_uname, ENOANO, -1, 0);
	SETUP(prog_sys3(__NR_uname, (long)buf, 0, 0) == -ENOANO, "filters");

	prog_ready();
	prog_wait();

	CHECK_EQ(prctl(PR_GET_SECCOMP, 0, 0, 0, 0), SECCOMP_MODE_FILTER);
	CHECK(!strcmp(prog_status("Seccomp_filters", v, sizeof(v)), "2"), "Seccomp_filters: %s", v);
	r = prog_sys3(__NR_uname, (long)buf, 0, 0);
	CHECK(r == -ENOANO, "uname returned %ld, expected -ENOANO (%d) from the newer filter", r, -ENOANO);
	r = prog_sys3(__NR_getpriority, 0, 0, 0);
	CHECK(r == -EBADSLT, "getpriority returned %ld, expected -EBADSLT (%d)", r, -EBADSLT);
	CHECK(prog_sys3(__NR_getpid, 0, 0, 0) == getpid(), "getpid");
	prog_done();
}
