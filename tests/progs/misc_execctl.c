// SPDX-License-Identifier: MIT
/*
 * x86 execution controls and memory-deny-write-execute survive: a thread
 * with rdtsc faulting (PR_SET_TSC PR_TSC_SIGSEGV), the main thread with
 * CPUID faulting (ARCH_SET_CPUID 0, where the CPU can), and the process
 * with PR_SET_MDWE(PR_MDWE_REFUSE_EXEC_GAIN).  Each is checked by what it
 * does after restore, not only by what the kernel reports: rdtsc and cpuid
 * raise SIGSEGV, a writable and executable mapping is refused, and the
 * threads without the control still run rdtsc.  PR_SET_MEMORY_MERGE is
 * checked too where this process may set it (CAP_SYS_RESOURCE).
 */
#include <asm/prctl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#include "progs/prog.h"

#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65
#define PR_GET_MDWE 66
#endif
#ifndef PR_MDWE_REFUSE_EXEC_GAIN
#define PR_MDWE_REFUSE_EXEC_GAIN 1
#endif
#ifndef PR_SET_MEMORY_MERGE
#define PR_SET_MEMORY_MERGE 67
#define PR_GET_MEMORY_MERGE 68
#endif

static __thread sigjmp_buf jb;
static __thread volatile int faulted;

static void on_segv(int sig)
{
	(void)sig;
	faulted = 1;
	siglongjmp(jb, 1);
}

/* Whether @insn (0: rdtsc, 1: cpuid) raised SIGSEGV in this thread. */
static bool faults(int insn)
{
	faulted = 0;
	if (!sigsetjmp(jb, 1)) {
		if (insn == 0) {
			unsigned int lo, hi;

			__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
		} else {
			unsigned int a = 0, b, c = 0, d;

			__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
		}
	}
	return faulted;
}

static int go_pipe[2], ready_pipe[2];
static int thr_tsc_mode = -1, thr_rdtsc_faults = -1;

static void *tsc_thread(void *arg)
{
	char c = 1;

	(void)arg;
	if (prctl(PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0) || !faults(0))
		c = 0;
	if (write(ready_pipe[1], &c, 1) != 1)
		return NULL;
	while (read(go_pipe[0], &c, 1) < 0 && errno == EINTR)
		;
	prctl(PR_GET_TSC, &thr_tsc_mode, 0, 0, 0);
	thr_rdtsc_faults = faults(0);
	return NULL;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_segv, .sa_flags = SA_NODEFER };
	bool cpuid_faulting, merge;
	pthread_t t;
	char c = 0;
	void *p;
	int tsc = -1;

	SETUP(!sigaction(SIGSEGV, &sa, NULL), "sigaction");
	SETUP(!pipe(go_pipe) && !pipe(ready_pipe), "pipe");
	SETUP(!pthread_create(&t, NULL, tsc_thread, NULL), "pthread_create");
	SETUP(read(ready_pipe[0], &c, 1) == 1 && c == 1, "PR_TSC_SIGSEGV in the thread");
	cpuid_faulting = !syscall(SYS_arch_prctl, ARCH_SET_CPUID, 0);
	if (cpuid_faulting)
		SETUP(faults(1), "cpuid does not fault after ARCH_SET_CPUID 0");
	else
		prog_log("no CPUID faulting here (%s): not checked", strerror(errno));
	merge = !prctl(PR_SET_MEMORY_MERGE, 1, 0, 0, 0);
	if (!merge)
		prog_log("PR_SET_MEMORY_MERGE: %s: not checked", strerror(errno));
	SETUP(!prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0), "PR_SET_MDWE");

	prog_ready();
	prog_wait();

	CHECK_EQ(prctl(PR_GET_MDWE, 0, 0, 0, 0), PR_MDWE_REFUSE_EXEC_GAIN);
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p == MAP_FAILED, "a writable and executable mapping was allowed");
	if (cpuid_faulting) {
		CHECK_EQ(syscall(SYS_arch_prctl, ARCH_GET_CPUID, 0), 0);
		CHECK(faults(1), "cpuid does not fault in the main thread");
	}
	if (merge)
		CHECK_EQ(prctl(PR_GET_MEMORY_MERGE, 0, 0, 0, 0), 1);
	CHECK(!prctl(PR_GET_TSC, &tsc, 0, 0, 0) && tsc == PR_TSC_ENABLE, "main thread TSC mode %d",
	      tsc);
	CHECK(!faults(0), "rdtsc faults in the main thread");
	c = 1;
	CHECK(write(go_pipe[1], &c, 1) == 1, "wake the thread");
	pthread_join(t, NULL);
	CHECK_EQ(thr_tsc_mode, PR_TSC_SIGSEGV);
	CHECK_EQ(thr_rdtsc_faults, 1);
	prog_done();
}
