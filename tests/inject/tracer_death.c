// SPDX-License-Identifier: MIT
/*
 * sudcr dying in the middle of an injection leaves the thread as found.
 * A tracer (a child of the test) seizes a busy SUD target, begins an
 * injection (signals blocked, SUD off, CPU pinned, registers ours) and
 * exits at a chosen point, so the kernel lets the target go from there:
 *   begun     right after inject_begin() (at the exit stop of a call)
 *   called    after one more injected call
 *   entry     at the syscall-entry stop of an injected call
 *   parked    back at an interrupt stop between calls
 * The target must then run on with its counts exact (every call
 * intercepted, once), SUD armed as before, its signal mask and CPU
 * affinity as before, and quit cleanly.  Deterministic: the points are
 * reached by the tracer itself, not by timing.
 */
#include <sys/ptrace.h>
#include <sys/syscall.h>

#include <sudcr/freeze.h>
#include <sudcr/inject.h>
#include "proc/proc.h"

#include "harness.h"
#include "target_ctl.h"

enum point { BEGUN, CALLED, ENTRY, PARKED };
static const char *const point_name[] = { "begun", "called", "entry", "parked" };

static void __attribute__((noreturn)) tracer(pid_t pid, enum point at)
{
	struct task_proc p;
	struct inject_ctx c;
	struct arch_regs regs;
	const uint64_t none[6] = { 0 };
	int64_t r;
	int st;

	if (freeze_process(pid, &p) || inject_begin(&c, &p.threads[0]))
		_exit(10);
	if (!c.safety)
		_exit(11);
	switch (at) {
	case BEGUN:
		break;
	case CALLED:
		if (inject_syscall6(&c, SYS_getpid, &r, 0, 0, 0, 0, 0, 0) || r != pid)
			_exit(12);
		break;
	case ENTRY:
		regs = c.saved_regs;
		arch_setup_syscall(&regs, c.kind, c.sc_ip, SYS_getpid, none);
		if (arch_set_regs(pid, &regs) || ptrace(PTRACE_SYSCALL, pid, NULL, NULL) ||
		    waitpid(pid, &st, __WALL) != pid || !WIFSTOPPED(st) || WSTOPSIG(st) != (SIGTRAP | 0x80))
			_exit(13);
		break;
	case PARKED:
		if (inject_syscall6(&c, SYS_getpid, &r, 0, 0, 0, 0, 0, 0) ||
		    task_return_to_interrupt_stop(&p.threads[0]))
			_exit(14);
		break;
	}
	_exit(0);	/* the kernel detaches: the target goes on from here */
}

static void status_line(pid_t pid, const char *key, char *buf, size_t len)
{
	char path[64], all[4096], *s;
	FILE *f;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return;
	all[fread(all, 1, sizeof(all) - 1, f)] = '\0';
	fclose(f);
	s = strstr(all, key);
	if (s)
		snprintf(buf, len, "%.*s", (int)strcspn(s, "\n"), s);
}

static void one(const char *mode, enum point at)
{
	struct target t = { 0 };
	struct target_counts before, after;
	struct task_proc p;
	struct sud_config sud0, sud1;
	char cpus0[128], cpus1[128], tracer_pid[64];
	pid_t tp;
	int st;

	CHECKF(!target_start(&t, mode, false), "cannot start sud_target %s", mode);
	if (harness_subtest_failed)
		return;
	usleep(20000);
	CHECK(!freeze_process(t.pid, &p));
	CHECK(!sud_get(t.pid, &sud0));
	CHECK(!thaw_process(&p));
	status_line(t.pid, "Cpus_allowed_list:", cpus0, sizeof(cpus0));
	CHECK(!target_check(&t, &before));

	tp = fork();
	if (tp == 0)
		tracer(t.pid, at);
	CHECK_EQ(waitpid(tp, &st, 0), tp);
	CHECKF(WIFEXITED(st) && !WEXITSTATUS(st), "%s/%s: tracer failed (status 0x%x)", mode,
	       point_name[at], st);
	usleep(50000);

	status_line(t.pid, "TracerPid:", tracer_pid, sizeof(tracer_pid));
	CHECKF(!strcmp(tracer_pid, "TracerPid:\t0"), "%s/%s: %s", mode, point_name[at], tracer_pid);
	CHECKF(!target_check(&t, &after), "%s/%s: target does not answer", mode, point_name[at]);
	CHECKF(after.calls > before.calls && !after.bad && after.hits == after.calls,
	       "%s/%s: hits=%lu calls=%lu bad=%lu (before: calls=%lu)", mode, point_name[at], after.hits,
	       after.calls, after.bad, before.calls);
	status_line(t.pid, "Cpus_allowed_list:", cpus1, sizeof(cpus1));
	CHECKF(!strcmp(cpus0, cpus1), "%s/%s: %s, was %s", mode, point_name[at], cpus1, cpus0);
	if (!freeze_process(t.pid, &p)) {
		CHECK(!sud_get(t.pid, &sud1));
		CHECKF(!memcmp(&sud0, &sud1, sizeof(sud0)), "%s/%s: SUD mode %llu, was %llu", mode,
		       point_name[at], (unsigned long long)sud1.mode, (unsigned long long)sud0.mode);
		CHECK(!thaw_process(&p));
	}
	CHECKF(target_quit(&t) == 0, "%s/%s: target failed its own check", mode, point_name[at]);
}

static void points(void)
{
	static const char *const modes[] = { "selector", "range", "inclusive", "seccomp" };

	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++)
		for (int at = BEGUN; at <= PARKED; at++)
			for (int rep = 0; rep < 3; rep++)
				one(modes[m], at);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	RUN_TEST(points);
	return harness_exit();
}
