// SPDX-License-Identifier: MIT
/*
 * A PID reused between the first look at a process and its seize: the
 * process looked at exits, another one is made with its PID (clone3
 * set_tid, as root), and the seize must refuse (-ESRCH) and leave the new
 * process untouched (never traced).  Deterministic: the reuse is made, not
 * waited for.  Also the plain case: look, then seize, the same process.
 */
#include <errno.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <sudcr/freeze.h>
#include "proc/proc.h"
#include <sudcr/task.h>

#include "harness.h"
#include "task.h"

struct clone_args_t {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
		set_tid_size, cgroup;
};

static pid_t spawn_with_pid(pid_t want)
{
	struct clone_args_t args = {
		.exit_signal = SIGCHLD,
		.set_tid = want ? (uintptr_t)&want : 0,
		.set_tid_size = want ? 1 : 0,
	};
	long pid = syscall(SYS_clone3, &args, sizeof(args));

	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

static void reaped(pid_t pid)
{
	if (pid <= 0)
		return;	/* never kill(0) or kill(-1) */
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void same_process(void)
{
	struct task_proc p;
	pid_t pid = spawn_with_pid(0);

	CHECKF(pid > 0, "clone3: %s", strerror(errno));
	if (pid <= 0)
		return;
	CHECK(!task_open_process(pid, &p));
	CHECK(!task_seize_opened(&p));
	CHECK_EQ(p.nr_threads, 1);
	CHECK(!thaw_process(&p));
	reaped(pid);
}

static void reused(void)
{
	struct task_proc p;
	struct proc_status st;
	pid_t a = spawn_with_pid(0), b;
	char state = 0;

	CHECKF(a > 0, "clone3: %s", strerror(errno));
	if (a <= 0)
		return;
	CHECK(!task_open_process(a, &p));
	reaped(a);
	b = spawn_with_pid(a);
	if (b < 0 && (errno == EPERM || errno == EEXIST)) {
		printf("SKIP: reused: cannot make a process with PID %d: %s\n", a, strerror(errno));
		task_proc_free(&p);
		return;
	}
	CHECK_EQ(b, a);
	if (b != a) {
		reaped(b);
		task_proc_free(&p);
		return;
	}
	CHECK_EQ(task_seize_opened(&p), -ESRCH);
	CHECK(!proc_parse_status(b, 0, &st));
	CHECKF(st.tracer_pid == 0, "the new process with the PID is traced by %d", st.tracer_pid);
	CHECK(!proc_thread_state(b, b, &state));
	CHECKF(state != 't' && state != 'T', "the new process is in state %c", state);
	reaped(b);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	RUN_TEST(same_process);
	RUN_TEST(reused);
	return harness_exit();
}
