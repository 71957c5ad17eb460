// SPDX-License-Identifier: MIT
/* Seizing, stopping and releasing threads. See task.h for the model. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sudcr/kernel_compat.h>
#include <sudcr/log.h>
#include <sudcr/proc.h>
#include <sudcr/task.h>

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
		else if (!proc_parse_status(tid, 0, &st) && st.tracer_pid)
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

static int remember_signal(struct task_thread *t)
{
	siginfo_t si;

	if (ptrace(PTRACE_GETSIGINFO, t->tid, NULL, &si))
		return -errno;
	if (t->nr_intercepted == TASK_MAX_INTERCEPTED) {
		sudcr_error("thread %d: too many signals arrived while stopping it", t->tid);
		return -EAGAIN;
	}
	t->intercepted[t->nr_intercepted++] = si;
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

static enum task_stop wait_stop(struct task_thread *t, int resume_req, int *status)
{
	int st;

	for (;;) {
		pid_t r = waitpid(t->tid, &st, __WALL);

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
		/* A signal-delivery-stop: keep the siginfo, suppress the signal. */
		if (remember_signal(t))
			return TASK_STOP_OTHER;
		if (ptrace(resume_req, t->tid, NULL, NULL)) {
			*status = -errno;
			return TASK_STOP_GONE;
		}
	}
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

int task_seize_thread(struct task_thread *t, pid_t tgid, pid_t tid)
{
	enum task_stop stop;
	int status;

	memset(t, 0, sizeof(*t));
	t->tgid = tgid;
	t->tid = tid;
	if (ptrace(PTRACE_SEIZE, tid, NULL, (void *)(long)(SEIZE_OPTS | PTRACE_O_SUSPEND_SECCOMP))) {
		int err = errno;

		/* SUSPEND_SECCOMP needs CAP_SYS_ADMIN; seize without it then. */
		if (err == EPERM && !ptrace(PTRACE_SEIZE, tid, NULL, (void *)(long)SEIZE_OPTS))
			goto seized;
		err = errno;
		/* A thread that is exiting refuses with EPERM: it is as good as gone. */
		if (err == ESRCH || (err == EPERM && thread_exiting(tgid, tid)))
			return -ESRCH;
		return seize_error(tid, err);
	}
seized:
	t->seized = true;
	if (ptrace(PTRACE_INTERRUPT, tid, NULL, NULL)) {
		int err = errno;

		ptrace(PTRACE_DETACH, tid, NULL, NULL);
		t->seized = false;
		return err == ESRCH ? -ESRCH : seize_error(tid, err);
	}
	stop = task_wait_stop(t, PTRACE_CONT, &status);
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

int task_return_to_interrupt_stop(struct task_thread *t)
{
	enum task_stop stop;
	int status;

	if (ptrace(PTRACE_INTERRUPT, t->tid, NULL, NULL) || ptrace(PTRACE_CONT, t->tid, NULL, NULL)) {
		int err = errno;

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

int task_detach_thread(struct task_thread *t)
{
	long sig = 0;

	if (!t->seized)
		return 0;
	t->seized = false;
	/*
	 * Signals we swallowed are normally queued again by injection before
	 * this point.  If that failed, hand the first one back with the detach
	 * so it is at least not lost (its siginfo is, though).
	 */
	if (t->nr_intercepted) {
		sig = t->intercepted[0].si_signo;
		sudcr_warn("thread %d: signal %ld re-sent without its siginfo", t->tid, sig);
		t->nr_intercepted = 0;
	}
	/*
	 * From an interrupt stop the thread goes on through get_signal() and
	 * the syscall restart logic; a thread that was group-stopped re-enters
	 * the group stop (the kernel re-arms it on detach).
	 */
	if (ptrace(PTRACE_DETACH, t->tid, NULL, (void *)sig) && errno != ESRCH) {
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
	ret = task_seize_thread(t, p->pid, tid);
	if (ret)
		return ret;
	p->nr_threads++;
	return 0;
}

int task_seize_process(pid_t pid, struct task_proc *p)
{
	bool changed;
	int ret;

	memset(p, 0, sizeof(*p));
	p->pid = pid;
	ret = task_check_pid(pid);
	if (ret)
		return ret;
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
		ret = proc_list_tasks(pid, &tids, &nr);
		if (ret) {
			if (ret == -ESRCH)
				sudcr_error("process %d exited", pid);
			goto fail;
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
				goto fail;
			}
		}
		free(tids);
	} while (changed);
	if (!p->nr_threads) {
		sudcr_error("process %d has no live threads", pid);
		ret = -ESRCH;
		goto fail;
	}
	return 0;
fail:
	task_detach_process(p);
	task_proc_free(p);
	return ret;
}

void task_detach_process(struct task_proc *p)
{
	for (int i = 0; i < p->nr_threads; i++)
		task_detach_thread(&p->threads[i]);
}

void task_kill_process(struct task_proc *p)
{
	int status, pidfd = syscall(SYS_pidfd_open, p->pid, 0);

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
	free(p->threads);
	p->threads = NULL;
	p->nr_threads = p->cap_threads = 0;
}
