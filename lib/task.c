// SPDX-License-Identifier: MIT
/* Seizing, stopping and releasing threads. See task.h for the model. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kernel_compat.h"
#include <sudcr/log.h>
#include "proc/proc.h"
#include <sudcr/task.h>
#include "task.h"

#define SEIZE_OPTS (PTRACE_O_TRACESYSGOOD)

#ifndef PF_KTHREAD
#define PF_KTHREAD 0x00200000	/* include/linux/sched.h */
#endif

static int seize_error(pid_t tid, int err)
{
	if (err == EPERM) {
		struct proc_status st;
		struct proc_stat ps;

		/* No one may trace a kernel thread: not a matter of privilege. */
		if (!proc_parse_stat(tid, 0, &ps) && ps.flags & PF_KTHREAD)
			sudcr_error("cannot seize %d: it is a kernel thread (%s), which cannot be traced or checkpointed",
				    tid, ps.comm);
		else if (proc_parse_status(tid, 0, &st))
			sudcr_error("cannot seize %d: Operation not permitted", tid);
		else if (st.tracer_pid == getpid())
			/* Its TID was taken over by a thread we hold: de_thread(). */
			sudcr_error("cannot seize %d: a thread of the process called execve during the seize", tid);
		else if (st.tracer_pid)
			sudcr_error("cannot seize %d: Operation not permitted (already traced by %d)", tid,
				    st.tracer_pid);
		else
			sudcr_error("cannot seize %d: Operation not permitted (are you root, or is another tracer attached?)",
				    tid);
	} else {
		sudcr_error("cannot seize %d: %s", tid, strerror(err));
	}
	return -err;
}

int task_keep_signal(struct task_thread *t, const siginfo_t *si)
{
	if (t->nr_intercepted == t->cap_intercepted) {
		int cap = t->cap_intercepted ? t->cap_intercepted * 2 : 4;
		siginfo_t *n = realloc(t->intercepted, cap * sizeof(*n));

		if (!n) {
			sudcr_error("thread %d: out of memory keeping a signal", t->tid);
			return -ENOMEM;
		}
		t->intercepted = n;
		t->cap_intercepted = cap;
	}
	t->intercepted[t->nr_intercepted++] = *si;
	return 0;
}

static int remember_signal(struct task_thread *t)
{
	siginfo_t si;
	int ret;

	if (ptrace(PTRACE_GETSIGINFO, t->tid, NULL, &si))
		return -errno;
	ret = task_keep_signal(t, &si);
	if (ret)
		return ret;
	sudcr_debug("thread %d: kept signal %d (si_code %d) to queue again", t->tid, si.si_signo,
		    si.si_code);
	return 0;
}

/*
 * Stop requests.  cancel_gen counts them, so that a wait can tell a request
 * made while it runs from one made before (the cleanup after a request
 * injects calls too, and those must run).  blocking_wait is the wait of this
 * thread, the tracer, that a request may cut short: a handler running on
 * the tracer thread sends the PTRACE_INTERRUPT itself, so there is no
 * window between a check of the flag and the blocking waitpid() in which a
 * request would be missed.  Initial-exec TLS: no allocation in the handler.
 */
static volatile sig_atomic_t cancel_requested;
static volatile sig_atomic_t cancel_gen;
static __thread struct {
	volatile pid_t tracee;
	volatile sig_atomic_t interrupted;
} blocking_wait __attribute__((tls_model("initial-exec")));

static void interrupt_blocking_wait(void)
{
	pid_t tid = blocking_wait.tracee;

	if (!tid || blocking_wait.interrupted)
		return;
	blocking_wait.interrupted = 1;
	syscall(SYS_ptrace, PTRACE_INTERRUPT, tid, NULL, NULL);
}

void sudcr_cancel(void)
{
	int saved_errno = errno;

	cancel_requested = 1;
	cancel_gen++;
	interrupt_blocking_wait();
	errno = saved_errno;
}

void sudcr_cancel_clear(void)
{
	cancel_requested = 0;
}

bool sudcr_cancel_requested(void)
{
	return cancel_requested;
}

int task_cancel_gen(void)
{
	return cancel_gen;
}

/*
 * A thread's execve() waits in de_thread() until the other threads of its
 * process are reaped, and the reaper of traced ones is us: if we are then
 * in a blocking waitpid() for another thread, or in PTRACE_SEIZE of the
 * execing thread (which waits for the exec's cred_guard_mutex), neither
 * side ever goes on (seen: sudcr stuck for ever, 1 dump in 4 of a process
 * that execs in a loop).  Or the thread we wait for is released by
 * de_thread() and its TID now names a thread that is not our tracee.  So
 * such waits are cut every WATCH_PERIOD_NS by a per-thread timer signal;
 * its handler reaps the exits (only: waitid(WEXITED)) of the process's
 * threads, which lets de_thread() finish, and a wait gives up (ESRCH)
 * once its TID is no longer traced by us.
 */
#define WATCH_PERIOD_NS (100 * 1000 * 1000)

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static pthread_once_t watch_once = PTHREAD_ONCE_INIT;
static int watch_sig;
static __thread struct {
	bool made;
	timer_t timer;
	volatile pid_t tgid;		/* the process watched while armed, else 0 */
	volatile pid_t keep;		/* the thread waited for: its exit is the wait's */
} watch __attribute__((tls_model("initial-exec")));

/* Async-signal-safe: raw syscalls only, no allocation. */
static void watch_tick(int sig)
{
	int saved_errno = errno, fd, len = 0;
	pid_t tgid = watch.tgid;
	char buf[2048], path[32] = "/proc/", num[12];
	long n;

	(void)sig;
	if (tgid <= 0)
		goto out;
	do
		num[len++] = (char)('0' + tgid % 10);
	while ((tgid /= 10));
	for (int i = 0; i < len; i++)
		path[6 + i] = num[len - 1 - i];
	memcpy(path + 6 + len, "/task", 6);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		goto out;
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct linux_dirent64 *e = (struct linux_dirent64 *)(buf + off);
			pid_t tid = 0;
			siginfo_t si;

			for (const char *c = e->d_name; *c >= '0' && *c <= '9'; c++)
				tid = tid * 10 + (*c - '0');
			if (tid > 0 && tid != watch.keep)
				waitid(P_PID, tid, &si, WEXITED | WNOHANG | __WALL);
			off += e->d_reclen;
		}
	}
	close(fd);
out:
	errno = saved_errno;
}

static void watch_install(void)
{
	struct sigaction sa = { .sa_handler = watch_tick };

	watch_sig = SIGRTMAX;
	sigemptyset(&sa.sa_mask);
	if (sigaction(watch_sig, &sa, NULL))
		watch_sig = 0;
}

/* Arm the watch of @tgid's threads; false if it cannot be (then no watch). */
static bool watch_start(pid_t tgid, pid_t keep)
{
	struct itimerspec its = { .it_interval = { 0, WATCH_PERIOD_NS }, .it_value = { 0, WATCH_PERIOD_NS } };

	pthread_once(&watch_once, watch_install);
	if (!watch_sig)
		return false;
	if (!watch.made) {
		struct sigevent sev = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = watch_sig };

		sev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
		if (timer_create(CLOCK_MONOTONIC, &sev, &watch.timer))
			return false;
		watch.made = true;
	}
	watch.keep = keep;
	watch.tgid = tgid;
	if (timer_settime(watch.timer, 0, &its, NULL)) {
		watch.tgid = 0;
		return false;
	}
	return true;
}

static void watch_stop(void)
{
	struct itimerspec off = { 0 };
	int saved_errno = errno;

	timer_settime(watch.timer, 0, &off, NULL);
	watch.tgid = 0;
	errno = saved_errno;
}

/* False only for a live thread traced by someone else or no one: an exit is the wait's to see. */
static bool still_our_tracee(pid_t tid)
{
	struct proc_status st;
	struct proc_stat ps;

	if (proc_parse_status(tid, 0, &st) || st.tracer_pid == getpid())
		return true;
	return proc_parse_stat(tid, 0, &ps) || ps.state == 'Z' || ps.state == 'X' || (ps.flags & 0x4);
}

/* waitpid(t->tid, status, __WALL) that cannot hang on an execve() in the target. */
static pid_t wait_tracee(struct task_thread *t, int *status)
{
	pid_t r;

	r = waitpid(t->tid, status, __WALL | WNOHANG);
	if (r)
		return r;
	if (!watch_start(t->tgid, t->tid))
		return waitpid(t->tid, status, __WALL);
	for (;;) {
		r = waitpid(t->tid, status, __WALL);
		if (r >= 0 || errno != EINTR)
			break;
		r = waitpid(t->tid, status, __WALL | WNOHANG);
		if (r)
			break;
		if (!still_our_tracee(t->tid)) {
			sudcr_debug("thread %d: no longer traced by us (an execve in the process?)", t->tid);
			r = -1;
			errno = ESRCH;
			break;
		}
	}
	watch_stop();
	return r;
}

/*
 * Like wait_tracee() but leaves the event to be waited for (WNOWAIT):
 * true with @si filled, false with errno set.  Collecting a stop clears
 * the tracee's exit_code (wait_task_stopped()), which is the signal of a
 * signal-delivery-stop: a tracer that dies after collecting one and before
 * answering it loses the signal (measured), one that only peeked does not
 * (the kernel resumes the tracee with its exit_code, the signal).
 */
static bool peek_tracee(struct task_thread *t, siginfo_t *si)
{
	const int how = WEXITED | WSTOPPED | WNOWAIT | __WALL;
	bool watched;

	si->si_pid = 0;
	if (waitid(P_PID, t->tid, si, how | WNOHANG))
		return false;
	if (si->si_pid)
		return true;
	watched = watch_start(t->tgid, t->tid);
	for (;;) {
		if (!waitid(P_PID, t->tid, si, how))
			break;
		if (errno != EINTR || !watched)
			goto out_err;
		if (!still_our_tracee(t->tid)) {
			errno = ESRCH;
			goto out_err;
		}
	}
	if (watched)
		watch_stop();
	return true;
out_err:
	if (watched)
		watch_stop();
	return false;
}

/*
 * @deliver: a signal-delivery-stop lets its signal go on as it was going,
 * with its siginfo (ptrace_signal() keeps it when the number is the same);
 * otherwise it is kept in t->intercepted and suppressed.
 */
static enum task_stop wait_stop_how(struct task_thread *t, int resume_req, int *status, bool deliver)
{
	int st;

	for (;;) {
		pid_t r;

		if (deliver) {
			siginfo_t si;

			/* A signal-delivery-stop is answered before it is collected (peek_tracee()). */
			if (!peek_tracee(t, &si)) {
				*status = -errno;
				return TASK_STOP_GONE;
			}
			if (si.si_code == CLD_TRAPPED && si.si_status > 0 && si.si_status < 0x80 &&
			    si.si_status != SIGTRAP) {
				if (ptrace(resume_req, t->tid, NULL, (void *)(long)si.si_status)) {
					*status = -errno;
					return TASK_STOP_GONE;
				}
				continue;
			}
		}
		r = wait_tracee(t, &st);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			*status = -errno;
			return TASK_STOP_GONE;
		}
		*status = st;
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			t->seized = false;
			return TASK_STOP_GONE;
		}
		if (!WIFSTOPPED(st))
			continue;
		if ((st >> 16) == PTRACE_EVENT_STOP) {
			t->stop_sig = WSTOPSIG(st);
			return TASK_STOP_INTERRUPT;
		}
		if (st >> 16)
			return TASK_STOP_OTHER;
		if (WSTOPSIG(st) == (SIGTRAP | 0x80))
			return TASK_STOP_SYSCALL;
		if (deliver) {
			if (ptrace(resume_req, t->tid, NULL, (void *)(long)WSTOPSIG(st))) {
				*status = -errno;
				return TASK_STOP_GONE;
			}
			continue;
		}
		/* A signal-delivery-stop: keep the siginfo, suppress the signal. */
		if (remember_signal(t))
			return TASK_STOP_OTHER;
		if (ptrace(resume_req, t->tid, NULL, NULL)) {
			*status = -errno;
			return TASK_STOP_GONE;
		}
	}
}

static enum task_stop wait_stop(struct task_thread *t, int resume_req, int *status)
{
	return wait_stop_how(t, resume_req, status, false);
}

enum task_stop task_wait_stop(struct task_thread *t, int resume_req, int *status)
{
	return wait_stop(t, resume_req, status);
}

enum task_stop task_wait_stop_cancellable(struct task_thread *t, int resume_req, int gen, int *status,
					  bool *interrupted)
{
	enum task_stop stop;

	blocking_wait.interrupted = 0;
	blocking_wait.tracee = t->tid;
	/* Published first, checked next: a request lands in one or the other. */
	if (cancel_gen != gen)
		interrupt_blocking_wait();
	stop = wait_stop(t, resume_req, status);
	blocking_wait.tracee = 0;
	*interrupted = blocking_wait.interrupted;
	return stop;
}

#define PF_EXITING_FLAG 0x4	/* PF_EXITING in the flags field of stat */

static bool thread_exiting(pid_t tgid, pid_t tid)
{
	struct proc_stat st;

	if (proc_parse_stat(tgid, tid, &st))
		return true;
	return st.state == 'Z' || st.state == 'X' || (st.flags & PF_EXITING_FLAG);
}

/* The seize of a thread in execve() waits for the exec: under the watch (wait_tracee()). */
static int seize_watched(pid_t tgid, pid_t tid, unsigned long opts)
{
	bool watched = watch_start(tgid, tid);
	long ret = ptrace(PTRACE_SEIZE, tid, NULL, (void *)opts);

	if (watched)
		watch_stop();
	return ret ? -1 : 0;
}

int task_seize_thread_opts(struct task_thread *t, pid_t tgid, pid_t tid, unsigned long extra_opts)
{
	unsigned long opts = SEIZE_OPTS | extra_opts;
	enum task_stop stop;
	int status;

	memset(t, 0, sizeof(*t));
	t->tgid = tgid;
	t->tid = tid;
	if (!seize_watched(tgid, tid, opts | PTRACE_O_SUSPEND_SECCOMP)) {
		t->seccomp_suspended = true;
		opts |= PTRACE_O_SUSPEND_SECCOMP;
	} else {
		int err = errno;

		/*
		 * SUSPEND_SECCOMP needs CAP_SYS_ADMIN: seize without it, and
		 * task_seize_opened() refuses the process if it has filters.
		 */
		if (err == EPERM && !seize_watched(tgid, tid, opts))
			goto seized;
		err = errno;
		/* A thread that is exiting refuses with EPERM: it is as good as gone. */
		if (err == ESRCH || (err == EPERM && thread_exiting(tgid, tid)))
			return -ESRCH;
		return seize_error(tid, err);
	}
seized:
	t->seized = true;
	t->opts = opts;
	if (ptrace(PTRACE_INTERRUPT, tid, NULL, NULL)) {
		int err = errno;

		ptrace(PTRACE_DETACH, tid, NULL, NULL);
		t->seized = false;
		return err == ESRCH ? -ESRCH : seize_error(tid, err);
	}
	/*
	 * The first stop can be the delivery of a signal already on its way
	 * (on a busy SUD thread, the SIGSYS of a dispatch): let it be
	 * delivered, the handler's frame set up as it would have been, and
	 * the interrupt stop comes next, at the handler's first instruction.
	 * Kept by us instead, it would live in our memory only until we
	 * queue it again: lost if sudcr dies meanwhile.  The stop is
	 * answered without being collected (peek_tracee()): should we die
	 * before the answer, the kernel resumes the thread with its signal.
	 */
	stop = wait_stop_how(t, PTRACE_CONT, &status, true);
	if (stop == TASK_STOP_GONE)
		return -ESRCH;
	if (stop != TASK_STOP_INTERRUPT) {
		sudcr_error("thread %d: unexpected stop 0x%x while seizing", tid, status);
		task_detach_thread(t);
		return -EIO;
	}
	t->group_stop = t->stop_sig != SIGTRAP;
	return 0;
}

int task_seize_thread(struct task_thread *t, pid_t tgid, pid_t tid)
{
	return task_seize_thread_opts(t, tgid, tid, 0);
}

int task_set_options(struct task_thread *t, unsigned long extra)
{
	unsigned long opts = t->opts | extra;

	if (ptrace(PTRACE_SETOPTIONS, t->tid, NULL, (void *)opts)) {
		int err = errno;

		sudcr_error("thread %d: cannot set ptrace options %#lx: %s", t->tid, opts, strerror(err));
		return -err;
	}
	return 0;
}

void task_thread_cloned(struct task_thread *t, const struct task_thread *parent, pid_t tid)
{
	memset(t, 0, sizeof(*t));
	t->tgid = parent->tgid;
	t->tid = tid;
	t->seized = true;
	/* The kernel copies the creator's options, PTRACE_SETOPTIONS'd extras included. */
	t->opts = parent->opts;
	t->seccomp_suspended = parent->seccomp_suspended;
}

int task_return_to_interrupt_stop(struct task_thread *t)
{
	enum task_stop stop;
	int status;

	if (ptrace(PTRACE_INTERRUPT, t->tid, NULL, NULL) || ptrace(PTRACE_CONT, t->tid, NULL, NULL)) {
		int err = errno;

		/* Killed meanwhile (by someone else): said once, by whoever saw it first. */
		if (err != ESRCH)
			sudcr_error("thread %d: cannot interrupt: %s", t->tid, strerror(err));
		return -err;
	}
	stop = task_wait_stop(t, PTRACE_CONT, &status);
	if (stop == TASK_STOP_GONE) {
		sudcr_error("thread %d exited while stopped by us", t->tid);
		return -ESRCH;
	}
	if (stop != TASK_STOP_INTERRUPT) {
		sudcr_error("thread %d: unexpected stop 0x%x, expected interrupt stop", t->tid, status);
		return -EIO;
	}
	return 0;
}

/* The signal that task_requeue_intercepted() sends to make a signal-delivery-stop. */
static int carrier_signal(const struct task_thread *t)
{
	for (int sig = SIGRTMAX;; sig--) {
		bool used = false;

		for (int i = 0; i < t->nr_intercepted && !used; i++)
			used = t->intercepted[i].si_signo == sig;
		if (!used)
			return sig;
	}
}

/*
 * Wait for the signal-delivery-stop of the carrier signal we sent.  Any
 * other signal reported first (another process's instance of the same
 * signal) is kept, to be queued again in its turn.
 */
static int wait_carrier(struct task_thread *t, int carrier)
{
	for (;;) {
		siginfo_t si;
		int st;

		if (waitpid(t->tid, &st, __WALL) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			t->seized = false;
			return -ESRCH;
		}
		if (!WIFSTOPPED(st))
			continue;
		if (!(st >> 16) && WSTOPSIG(st) != (SIGTRAP | 0x80)) {
			if (ptrace(PTRACE_GETSIGINFO, t->tid, NULL, &si))
				return -errno;
			if (si.si_signo == carrier && si.si_code == SI_TKILL && si.si_pid == getpid())
				return 0;
			if (task_keep_signal(t, &si))
				return -ENOMEM;
		}
		if (ptrace(PTRACE_CONT, t->tid, NULL, NULL))
			return -errno;
	}
}

int task_requeue_intercepted(struct task_thread *t)
{
	static const uint64_t all = ~0ULL;
	uint64_t mask, but_carrier;
	int ret = 0, carrier;

	if (!t->seized || !t->nr_intercepted)
		return 0;
	if (ptrace(PTRACE_GETSIGMASK, t->tid, (void *)sizeof(mask), &mask)) {
		ret = -errno;
		goto out_err;
	}
	carrier = carrier_signal(t);
	but_carrier = all & ~(1ULL << (carrier - 1));
	if (ptrace(PTRACE_SETSIGMASK, t->tid, (void *)sizeof(but_carrier), &but_carrier)) {
		ret = -errno;
		goto out_err;
	}
	while (t->nr_intercepted) {
		siginfo_t si = t->intercepted[0];
		enum task_stop stop;
		int status;

		if (syscall(SYS_tgkill, t->tgid, t->tid, carrier) || ptrace(PTRACE_CONT, t->tid, NULL, NULL)) {
			ret = -errno;
			break;
		}
		ret = wait_carrier(t, carrier);
		if (ret)
			break;
		/*
		 * The carrier becomes the kept signal, siginfo and all; it is
		 * blocked (the carrier never is one of the kept signals), so
		 * ptrace_signal() queues it back.  The interrupt request
		 * stops the thread again right after.
		 */
		if (ptrace(PTRACE_SETSIGINFO, t->tid, NULL, &si) ||
		    ptrace(PTRACE_SETSIGMASK, t->tid, (void *)sizeof(all), &all) ||
		    ptrace(PTRACE_INTERRUPT, t->tid, NULL, NULL) ||
		    ptrace(PTRACE_CONT, t->tid, NULL, (void *)(long)si.si_signo)) {
			ret = -errno;
			break;
		}
		memmove(&t->intercepted[0], &t->intercepted[1], --t->nr_intercepted * sizeof(si));
		stop = task_wait_stop(t, PTRACE_CONT, &status);
		if (stop == TASK_STOP_GONE) {
			ret = -ESRCH;
			break;
		}
		if (stop != TASK_STOP_INTERRUPT) {
			sudcr_error("thread %d: unexpected stop 0x%x while queueing signals again", t->tid,
				    status);
			ret = -EIO;
			break;
		}
		if (ptrace(PTRACE_SETSIGMASK, t->tid, (void *)sizeof(but_carrier), &but_carrier)) {
			ret = -errno;
			break;
		}
	}
	if (ret == -ESRCH || !t->seized)
		return -ESRCH;
	if (ptrace(PTRACE_SETSIGMASK, t->tid, (void *)sizeof(mask), &mask) && !ret)
		ret = -errno;
	if (!ret)
		return 0;
out_err:
	sudcr_error("thread %d: cannot queue %d kept signal%s again: %s", t->tid, t->nr_intercepted,
		    t->nr_intercepted == 1 ? "" : "s", strerror(-ret));
	return ret;
}

int task_detach_thread(struct task_thread *t)
{
	if (!t->seized)
		return 0;
	/*
	 * Signals we swallowed are normally queued again by injection before
	 * this point; on an error path they may not have been.
	 */
	task_requeue_intercepted(t);
	if (!t->seized)
		return 0;
	t->seized = false;
	if (t->nr_intercepted) {
		sudcr_warn("thread %d: %d signal%s lost (first: %d)", t->tid, t->nr_intercepted,
			   t->nr_intercepted == 1 ? "" : "s", t->intercepted[0].si_signo);
		t->nr_intercepted = 0;
	}
	/*
	 * From an interrupt stop the thread goes on through get_signal() and
	 * the syscall restart logic; a thread that was group-stopped re-enters
	 * the group stop (the kernel re-arms it on detach).
	 */
	if (ptrace(PTRACE_DETACH, t->tid, NULL, NULL) && errno != ESRCH) {
		int err = errno;

		sudcr_error("cannot detach from thread %d: %s", t->tid, strerror(err));
		return -err;
	}
	return 0;
}

int task_check_pid(pid_t pid)
{
	struct proc_status st;
	int ret;

	if (pid <= 0) {
		sudcr_error("invalid PID %d", pid);
		return -EINVAL;
	}
	if (pid == getpid()) {
		sudcr_error("refusing to operate on sudcr itself (PID %d)", pid);
		return -EINVAL;
	}
	ret = proc_parse_status(pid, 0, &st);
	if (ret == -ESRCH) {
		sudcr_error("no process with PID %d", pid);
		return ret;
	}
	if (ret) {
		sudcr_error("cannot read /proc/%d/status: %s", pid, strerror(-ret));
		return ret;
	}
	if (st.tgid != pid) {
		sudcr_error("%d is a thread of process %d, not a process; use the process ID", pid, st.tgid);
		return -EINVAL;
	}
	return 0;
}

struct task_thread *task_find_thread(struct task_proc *p, pid_t tid)
{
	for (int i = 0; i < p->nr_threads; i++)
		if (p->threads[i].tid == tid)
			return &p->threads[i];
	return NULL;
}

static int add_thread(struct task_proc *p, pid_t tid)
{
	struct task_thread *t;
	char state;
	int ret;

	/* A zombie thread never reaches a ptrace stop: leave it alone. */
	ret = proc_thread_state(p->pid, tid, &state);
	if (ret)
		return ret;
	if (state == 'Z' || state == 'X')
		return -EALREADY;
	if (p->nr_threads == p->cap_threads) {
		int cap = p->cap_threads ? p->cap_threads * 2 : 8;
		struct task_thread *nt = realloc(p->threads, cap * sizeof(*nt));

		if (!nt)
			return -ENOMEM;
		p->threads = nt;
		p->cap_threads = cap;
	}
	t = &p->threads[p->nr_threads];
	ret = task_seize_thread_opts(t, p->pid, tid, p->extra_opts);
	if (ret)
		return ret;
	p->nr_threads++;
	return 0;
}

bool task_process_alive(const struct task_proc *p)
{
	if (!p->has_pidfd)
		return true;
	/* Signal 0 to a pidfd fails with ESRCH once its process has been reaped. */
	return !syscall(SYS_pidfd_send_signal, p->pidfd, 0, NULL, 0) || errno != ESRCH;
}

static void close_pidfd(struct task_proc *p)
{
	if (p->has_pidfd)
		close(p->pidfd);
	p->has_pidfd = false;
}

int task_open_process(pid_t pid, struct task_proc *p)
{
	int ret, fd;

	memset(p, 0, sizeof(*p));
	p->pid = pid;
	ret = task_check_pid(pid);
	if (ret)
		return ret;
	fd = syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0) {
		int err = errno;

		if (err == ESRCH) {
			sudcr_error("process %d exited", pid);
			return -ESRCH;
		}
		/* A kernel without pidfds (before 5.3): go on without one. */
		if (err != ENOSYS) {
			sudcr_error("cannot open process %d (pidfd_open): %s", pid, strerror(err));
			return -err;
		}
		return 0;
	}
	p->pidfd = fd;
	p->has_pidfd = true;
	/* What task_check_pid() saw may have been another process with the PID. */
	if (!task_process_alive(p)) {
		sudcr_error("process %d exited", pid);
		close_pidfd(p);
		return -ESRCH;
	}
	return 0;
}

static int seize_threads(struct task_proc *p)
{
	bool changed;
	int ret;

	/*
	 * Threads we hold cannot create new ones.  One we could not seize
	 * because it was exiting may have created threads after our listing:
	 * scan again until a scan finds no thread we neither hold nor know to
	 * be a zombie.  Every round either seizes a thread or sees one gone,
	 * so this ends.
	 */
	do {
		pid_t *tids;
		int nr;

		changed = false;
		ret = proc_list_tasks(p->pid, &tids, &nr);
		if (ret) {
			if (ret == -ESRCH)
				sudcr_error("process %d exited", p->pid);
			return ret;
		}
		for (int i = 0; i < nr; i++) {
			if (task_find_thread(p, tids[i]))
				continue;
			ret = add_thread(p, tids[i]);
			if (ret == -EALREADY)
				continue;	/* a zombie: never stops, holds nothing */
			changed = true;
			if (ret == -ESRCH)
				continue;	/* exited meanwhile */
			if (ret) {
				free(tids);
				return ret;
			}
		}
		free(tids);
	} while (changed);
	if (!p->nr_threads) {
		sudcr_error("process %d has no live threads", p->pid);
		return -ESRCH;
	}
	return 0;
}

/*
 * A thread seized without seccomp suspension (no CAP_SYS_ADMIN) runs every
 * injected syscall through its filters: refuse it if it has any (another
 * thread may have given it some with TSYNC until we held that one too, so
 * look only once all are held).
 */
static int check_seccomp(struct task_proc *p)
{
	for (int i = 0; i < p->nr_threads; i++) {
		struct task_thread *t = &p->threads[i];
		struct proc_status st;

		if (t->seccomp_suspended)
			continue;
		if (proc_parse_status(p->pid, t->tid, &st))
			continue;	/* gone: nothing will be injected into it */
		if (st.seccomp) {
			sudcr_error("thread %d has seccomp %s and sudcr may not suspend it (PTRACE_O_SUSPEND_SECCOMP needs CAP_SYS_ADMIN): injected syscalls would go through them",
				    t->tid, st.seccomp == 1 ? "strict mode" : "filters");
			return -EPERM;
		}
	}
	return 0;
}

#define SIGBIT(sig) (1ULL << ((sig) - 1))

/* Signals @t would take now: pending for it or its process, not blocked. */
static int deliverable(const struct task_proc *p, const struct task_thread *t, uint64_t *sigs)
{
	struct proc_status st;
	int ret = proc_parse_status(p->pid, t->tid, &st);

	if (ret)
		return ret;
	*sigs = (st.sig_pnd | st.shd_pnd) & ~st.sig_blk & ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
	return 0;
}

/*
 * Let each thread take the signals it would take at once, before anything
 * is changed: their handlers then get the thread's own context in their
 * frame.  Left pending, they would be delivered, should sudcr die, when the
 * safety code puts the signal mask back (inject_safety.c), with that
 * code's context in the frame: a SUD SIGSYS handler, which writes its
 * answer into the frame, would answer into the void.  With every thread
 * held, nobody else can take a process-wide one: each round delivers one.
 */
static int deliver_pending(struct task_proc *p)
{
	for (int i = 0; i < p->nr_threads; i++) {
		struct task_thread *t = &p->threads[i];

		if (!t->seized || t->group_stop)
			continue;
		for (int n = 0; n < 64; n++) {
			enum task_stop stop;
			uint64_t sigs;
			siginfo_t si;
			int st, sig, ret = deliverable(p, t, &sigs);

			if (ret)
				return ret;
			if (!sigs)
				break;
			if (ptrace(PTRACE_CONT, t->tid, NULL, NULL))
				return -errno;
			/* Its signal-delivery-stop is answered uncollected (peek_tracee()). */
			if (!peek_tracee(t, &si))
				return -errno;
			if (si.si_code == CLD_TRAPPED && si.si_status > 0 && si.si_status < 0x80 &&
			    si.si_status != SIGTRAP) {
				sig = si.si_status;
				goto answer;
			}
			while (wait_tracee(t, &st) < 0)
				if (errno != EINTR)
					return -errno;
			if (WIFEXITED(st) || WIFSIGNALED(st)) {
				t->seized = false;
				return -ESRCH;
			}
			if (!WIFSTOPPED(st))
				return -EIO;
			if (st >> 16 == PTRACE_EVENT_STOP) {
				t->stop_sig = WSTOPSIG(st);
				break;	/* nothing was taken after all */
			}
			if ((st >> 16) || WSTOPSIG(st) == (SIGTRAP | 0x80)) {
				sudcr_error("thread %d: unexpected stop 0x%x while delivering its signals", t->tid, st);
				return -EIO;
			}
			sig = WSTOPSIG(st);
answer:
			if (ptrace(PTRACE_INTERRUPT, t->tid, NULL, NULL) ||
			    ptrace(PTRACE_CONT, t->tid, NULL, (void *)(long)sig))
				return -errno;
			stop = wait_stop_how(t, PTRACE_CONT, &st, true);
			if (stop == TASK_STOP_GONE)
				return -ESRCH;
			if (stop != TASK_STOP_INTERRUPT) {
				sudcr_error("thread %d: unexpected stop 0x%x while delivering its signals", t->tid, st);
				return -EIO;
			}
			t->group_stop = t->stop_sig != SIGTRAP;
			if (t->group_stop)
				break;
		}
	}
	return 0;
}

int task_seize_opened(struct task_proc *p)
{
	int ret;

	if (!task_process_alive(p)) {
		sudcr_error("process %d exited", p->pid);
		ret = -ESRCH;
		goto fail;
	}
	ret = seize_threads(p);
	if (ret)
		goto fail;
	/*
	 * Held now, the PID cannot change hands any more; but the process we
	 * looked at first may have gone before and another may have its PID.
	 */
	if (!task_process_alive(p)) {
		sudcr_error("process %d exited; its PID was taken by another process, left alone", p->pid);
		ret = -ESRCH;
		goto fail;
	}
	ret = check_seccomp(p);
	if (ret)
		goto fail;
	/* A process being rebuilt (EXITKILL) has nothing of its own to deliver. */
	if (!(p->extra_opts & PTRACE_O_EXITKILL)) {
		ret = deliver_pending(p);
		if (ret == -ESRCH)
			sudcr_error("process %d exited", p->pid);
		else if (ret)
			sudcr_error("process %d: cannot let its threads take their pending signals: %s", p->pid,
				    strerror(-ret));
		if (ret)
			goto fail;
	}
	return 0;
fail:
	task_detach_process(p);
	task_proc_free(p);
	return ret;
}

int task_seize_process_opts(pid_t pid, struct task_proc *p, unsigned long extra_opts)
{
	int ret = task_open_process(pid, p);

	if (ret)
		return ret;
	p->extra_opts = extra_opts;
	return task_seize_opened(p);
}

int task_seize_process(pid_t pid, struct task_proc *p)
{
	return task_seize_process_opts(pid, p, 0);
}

void task_detach_process(struct task_proc *p)
{
	for (int i = 0; i < p->nr_threads; i++)
		task_detach_thread(&p->threads[i]);
}

void task_kill_process(struct task_proc *p)
{
	int status, pidfd = p->has_pidfd ? p->pidfd : (int)syscall(SYS_pidfd_open, p->pid, 0);

	/* Through the pidfd: never a process that took the PID over. */
	if (pidfd < 0 || syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0))
		kill(p->pid, SIGKILL);
	/*
	 * The dying process frees its memory on its own CPU before its exit
	 * is reported; process_mrelease() frees it from ours at the same
	 * time (40 ms less for 1 GiB here).  Only an optimization: a failure
	 * (a shared mm, an old kernel) changes nothing.
	 */
	if (pidfd >= 0) {
		if (syscall(SYS_process_mrelease, pidfd, 0)) {
			int err = errno;

			sudcr_debug("process_mrelease(%d): %s", p->pid, strerror(err));
		}
		if (!p->has_pidfd)
			close(pidfd);
	}
	/* Other threads first: a traced leader's exit is reported last. */
	for (int i = p->nr_threads - 1; i >= 0; i--) {
		struct task_thread *t = &p->threads[i];

		if (!t->seized)
			continue;
		while (waitpid(t->tid, &status, __WALL) < 0 && errno == EINTR)
			;
		t->seized = false;
		t->nr_intercepted = 0;
	}
}

void task_proc_free(struct task_proc *p)
{
	for (int i = 0; i < p->nr_threads; i++) {
		free(p->threads[i].intercepted);
		p->threads[i].intercepted = NULL;
		p->threads[i].nr_intercepted = p->threads[i].cap_intercepted = 0;
	}
	free(p->threads);
	p->threads = NULL;
	p->nr_threads = p->cap_threads = 0;
	close_pidfd(p);
}
