// SPDX-License-Identifier: MIT
/*
 * A multi-threaded process whose seccomp filter kills it on munmap, which
 * the program itself never calls once the filter is on, but the restore
 * injects at its very end (to unmap its scratch area, after the image's
 * filters are installed).  The restore of more than one thread must keep
 * PTRACE_O_SUSPEND_SECCOMP when it adds PTRACE_O_TRACECLONE: otherwise
 * that munmap goes through the filter and the restored process is killed.
 *
 * After "go": both threads still run, and the filter is still there
 * (munmap in the second thread would kill us, so check the mode and the
 * filter count only, plus one filtered call that only errors: madvise
 * with MADV_HUGEPAGE gets EXFULL).
 */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/mman.h>

#include "progs/thr.h"

static volatile uint32_t gate;
static volatile pid_t worker_tid;
static volatile long worker_saw;

static void *worker(void *arg)
{
	(void)arg;
	worker_tid = gettid();
	thr_gate_wait(&gate);
	worker_saw = prog_sys3(__NR_getpid, 0, 0, 0);
	return NULL;
}

static void install(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xc000003e, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_munmap, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_madvise, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EXFULL),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	SETUP(!prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "PR_SET_NO_NEW_PRIVS");
	/* TSYNC: the worker gets it too. */
	SETUP(prog_sys3(__NR_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, (long)&prog) == 0,
	      "seccomp TSYNC");
}

int main(void)
{
	static char page[4096] __attribute__((aligned(4096)));
	pthread_t t;
	char v[32];
	long r;

	thr_create(&t, worker, NULL, 0);
	while (!worker_tid)
		sched_yield();
	install();
	SETUP(prog_sys3(__NR_madvise, (long)page, sizeof(page), MADV_HUGEPAGE) == -EXFULL, "filter");

	prog_ready();
	prog_wait();

	CHECK_EQ(prctl(PR_GET_SECCOMP, 0, 0, 0, 0), SECCOMP_MODE_FILTER);
	CHECK(!strcmp(prog_status("Seccomp_filters", v, sizeof(v)), "1"), "Seccomp_filters: %s", v);
	r = prog_sys3(__NR_madvise, (long)page, sizeof(page), MADV_HUGEPAGE);
	CHECK(r == -EXFULL, "madvise returned %ld, expected -EXFULL from the filter", r);
	thr_gate_open(&gate);
	for (int i = 0; i < 3000 && !worker_saw; i++)
		usleep(1000);
	CHECK(worker_saw == getpid(), "worker thread: getpid %ld", worker_saw);
	prog_done();
}
