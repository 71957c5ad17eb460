// SPDX-License-Identifier: MIT
/*
 * Seize/inject/release of threads blocked in syscalls: each must resume its
 * syscall with the kernel's restart semantics and the right result, as if
 * never traced.  Also: a stopped process stays stopped, a vanished or
 * zombie process gives a clear error, not a hang.
 */
#include <fcntl.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

#include <sudcr/freeze.h>
#include <sudcr/inject.h>
#include "proc/proc.h"

#include "harness.h"
#include "target_ctl.h"

/* Wait until @pid is blocked in syscall @nr (/proc/PID/syscall). */
static bool wait_in_syscall(pid_t pid, long nr)
{
	char path[64], buf[256];

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	for (int i = 0; i < 400; i++) {
		int fd = open(path, O_RDONLY);
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
		char state = 0;

		if (fd >= 0)
			close(fd);
		proc_thread_state(pid, pid, &state);
		if (n > 0) {
			buf[n] = '\0';
			if (atol(buf) == nr && state == 'S')
				return true;
		}
		usleep(5000);
	}
	return false;
}

/* Freeze, inject a few calls, release. */
static void poke(pid_t pid)
{
	struct task_proc p;
	struct inject_ctx c;
	int64_t res = 0;

	if (freeze_process(pid, &p)) {
		CHECKF(0, "cannot freeze %d", pid);
		return;
	}
	CHECK(!inject_begin(&c, &p.threads[0]));
	CHECK(!inject_syscall6(&c, SYS_getpid, &res, 0, 0, 0, 0, 0, 0));
	CHECK_EQ(res, pid);
	CHECK(!inject_end(&c));
	CHECK(!thaw_process(&p));
}

static int child_status(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* nanosleep: -ERESTART_RESTARTBLOCK, continues with the time left. */
static void blocked_nanosleep(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct timespec ts = { 0, 400 * 1000 * 1000 };
		double t0 = now();
		int r = nanosleep(&ts, NULL);
		double dt = now() - t0;

		/* 0: slept the whole time, not cut short, not restarted from scratch twice */
		_exit(r ? 1 : dt < 0.399 ? 2 : dt > 1.5 ? 3 : 0);
	}
	CHECKF(wait_in_syscall(pid, SYS_clock_nanosleep) || wait_in_syscall(pid, SYS_nanosleep),
	       "child never slept");
	poke(pid);
	poke(pid);
	CHECK_EQ(child_status(pid), 0);
}

/* read on a pipe: -ERESTARTSYS, restarted, gets the data. */
static void blocked_read(void)
{
	int fds[2];
	pid_t pid;

	CHECK(!pipe(fds));
	pid = fork();
	if (pid == 0) {
		char c = 0;

		close(fds[1]);
		_exit(read(fds[0], &c, 1) == 1 && c == 'x' ? 0 : 1);
	}
	close(fds[0]);
	CHECKF(wait_in_syscall(pid, SYS_read), "child never blocked in read");
	poke(pid);
	CHECK_EQ(write(fds[1], "x", 1), 1);
	close(fds[1]);
	CHECK_EQ(child_status(pid), 0);
}

/* futex wait: restarted, returns 0 when woken. */
static void blocked_futex(void)
{
	int *word = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pid;

	*word = 0;
	pid = fork();
	if (pid == 0) {
		long r = syscall(SYS_futex, word, FUTEX_WAIT, 0, NULL, NULL, 0);

		_exit(r == 0 && *word == 1 ? 0 : 1);
	}
	CHECKF(wait_in_syscall(pid, SYS_futex), "child never blocked in futex");
	poke(pid);
	usleep(20000);
	__atomic_store_n(word, 1, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0);
	CHECK_EQ(child_status(pid), 0);
	munmap(word, 4096);
}

static volatile sig_atomic_t got_usr1;

static void on_usr1(int sig)
{
	(void)sig;
	got_usr1 = 1;
}

/* pause: -ERESTARTNOHAND, stays paused until a handled signal. */
static void blocked_pause(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		signal(SIGUSR1, on_usr1);
		pause();
		_exit(got_usr1 ? 0 : 1);
	}
	CHECKF(wait_in_syscall(pid, SYS_pause), "child never paused");
	poke(pid);
	usleep(50000);
	CHECKF(waitpid(pid, NULL, WNOHANG) == 0, "pause returned without a signal");
	kill(pid, SIGUSR1);
	CHECK_EQ(child_status(pid), 0);
}

/* A group-stopped process stays stopped after release. */
static void stays_stopped(void)
{
	pid_t pid = fork();
	char state = 0;
	int status;

	if (pid == 0) {
		for (;;)
			pause();
	}
	kill(pid, SIGSTOP);
	CHECK_EQ(waitpid(pid, &status, WUNTRACED), pid);
	poke(pid);
	usleep(50000);
	CHECK(!proc_thread_state(pid, pid, &state));
	CHECKF(state == 'T', "state %c after release, expected T (stopped)", state);
	kill(pid, SIGCONT);
	usleep(20000);
	CHECK(!proc_thread_state(pid, pid, &state));
	CHECKF(state == 'S', "state %c after SIGCONT", state);
	kill(pid, SIGKILL);
	child_status(pid);
}

/* Vanished and zombie processes: an error, no hang. */
static void gone_and_zombie(void)
{
	struct task_proc p;
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	usleep(50000);	/* now a zombie: we have not reaped it */
	CHECK(freeze_process(pid, &p) != 0);
	child_status(pid);
	CHECK_EQ(freeze_process(pid, &p), -ESRCH);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	RUN_TEST(blocked_nanosleep);
	RUN_TEST(blocked_read);
	RUN_TEST(blocked_futex);
	RUN_TEST(blocked_pause);
	RUN_TEST(stays_stopped);
	RUN_TEST(gone_and_zombie);
	return harness_exit();
}
