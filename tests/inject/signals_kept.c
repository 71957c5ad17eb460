// SPDX-License-Identifier: MIT
/*
 * Signals swallowed while a thread is held (signal-delivery-stops) come
 * back, all of them, in order, each with its siginfo: through the normal
 * release (thaw_process()), and through a bare detach (the error paths,
 * where nothing was queued again by injection).  Twenty queued real-time
 * signals with distinct values: more than any fixed table, and each value
 * tells whether its siginfo survived.
 *
 * Deterministic: the target is held when the signals are queued, and the
 * tracer resumes it itself, so every one of them is dequeued under trace.
 */
#include <fcntl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <sudcr/freeze.h>
#include <sudcr/inject.h>
#include "proc/proc.h"

#include "harness.h"

#define NR_SIGS 20

static volatile int got;
static int values[NR_SIGS];
static int codes[NR_SIGS];
static pid_t senders[NR_SIGS];

static void on_rt(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (got < NR_SIGS) {
		values[got] = si->si_value.sival_int;
		codes[got] = si->si_code;
		senders[got] = si->si_pid;
	}
	got++;
}

/* Exit status: 0 all twenty in order with their siginfo, else what went wrong. */
static void __attribute__((noreturn)) target(pid_t parent)
{
	struct sigaction sa = { .sa_sigaction = on_rt, .sa_flags = SA_SIGINFO };

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGRTMIN, &sa, NULL))
		_exit(10);
	while (got < NR_SIGS)
		pause();
	for (int i = 0; i < NR_SIGS; i++)
		if (values[i] != 100 + i || codes[i] != SI_QUEUE || senders[i] != parent)
			_exit(20 + i);
	_exit(got == NR_SIGS ? 0 : 11);
}

static bool wait_in_pause(pid_t pid)
{
	char path[64], buf[256];

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	for (int i = 0; i < 400; i++) {
		int fd = open(path, O_RDONLY);
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

		if (fd >= 0)
			close(fd);
		if (n > 0) {
			buf[n] = '\0';
			if (atol(buf) == SYS_pause)
				return true;
		}
		usleep(5000);
	}
	return false;
}

static int child_status(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Hold the target, queue the signals, let it dequeue them all under trace. */
static bool swallow_all(pid_t pid, struct task_proc *p)
{
	struct task_thread *t;
	enum task_stop stop;
	int status;

	if (freeze_process(pid, p)) {
		CHECKF(0, "cannot freeze %d", pid);
		return false;
	}
	t = &p->threads[0];
	for (int i = 0; i < NR_SIGS; i++) {
		union sigval v = { .sival_int = 100 + i };

		CHECK(!sigqueue(pid, SIGRTMIN, v));
	}
	/* Each is a signal-delivery-stop, kept; then pause restarts: its entry stop. */
	CHECK(!ptrace(PTRACE_SYSCALL, pid, NULL, NULL));
	stop = task_wait_stop(t, PTRACE_SYSCALL, &status);
	CHECKF(stop == TASK_STOP_SYSCALL, "stop %d (status 0x%x) after %d kept signals", stop, status,
	       t->nr_intercepted);
	CHECK_EQ(t->nr_intercepted, NR_SIGS);
	if (stop != TASK_STOP_SYSCALL)
		return true;
	CHECK(!task_return_to_interrupt_stop(t));
	return true;
}

static void through_thaw(void)
{
	struct task_proc p;
	pid_t parent = getpid(), pid = fork();

	if (pid == 0)
		target(parent);
	CHECKF(wait_in_pause(pid), "target never paused");
	if (swallow_all(pid, &p))
		CHECK(!thaw_process(&p));
	CHECK_EQ(child_status(pid), 0);
}

static void through_bare_detach(void)
{
	struct task_proc p;
	pid_t parent = getpid(), pid = fork();

	if (pid == 0)
		target(parent);
	CHECKF(wait_in_pause(pid), "target never paused");
	if (swallow_all(pid, &p)) {
		task_detach_process(&p);
		task_proc_free(&p);
	}
	CHECK_EQ(child_status(pid), 0);
}

/* The same with an injection in between, as a dump does. */
static void through_injection(void)
{
	struct task_proc p;
	struct inject_ctx c;
	pid_t parent = getpid(), pid = fork();
	int64_t r;

	if (pid == 0)
		target(parent);
	CHECKF(wait_in_pause(pid), "target never paused");
	if (swallow_all(pid, &p)) {
		CHECK(!inject_begin(&c, &p.threads[0]));
		CHECK(!inject_syscall6(&c, SYS_getpid, &r, 0, 0, 0, 0, 0, 0));
		CHECK_EQ(r, pid);
		CHECK(!inject_end(&c));
		CHECK(!thaw_process(&p));
	}
	CHECK_EQ(child_status(pid), 0);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	RUN_TEST(through_thaw);
	RUN_TEST(through_bare_detach);
	RUN_TEST(through_injection);
	return harness_exit();
}
