/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_TASK_H
#define SUDCR_TASK_H

/*
 * Task control: seize the threads of a process with PTRACE_SEIZE +
 * PTRACE_INTERRUPT, keep them in a ptrace stop inside get_signal() (the
 * "interrupt stop"), and let them go exactly as found.
 *
 * Why the interrupt stop matters: a thread interrupted in a blocking
 * syscall stops there with ax = -ERESTART*; the kernel's restart logic runs
 * after get_signal() returns, on the registers as they are at that moment.
 * So a thread released from this stop with its original registers restarts
 * its syscall exactly as if it had never been traced.
 *
 * Signals that are being delivered when we interrupt (a signal-delivery-stop
 * comes first) are swallowed with their full siginfo and kept in
 * task_thread.intercepted; the injection layer queues them again from inside
 * the thread before release, so the handler sees the same siginfo.
 */

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include <sudcr/api.h>

struct task_thread {
	pid_t tgid;
	pid_t tid;
	bool seized;
	bool group_stop;	/* was in a group-stop (SIGSTOP etc.): stays stopped */
	bool seccomp_suspended;	/* PTRACE_O_SUSPEND_SECCOMP is in effect */
	int stop_sig;		/* WSTOPSIG of the current interrupt stop */
	unsigned long opts;	/* ptrace options in effect (task_set_options()) */
	int nr_intercepted;
	int cap_intercepted;
	siginfo_t *intercepted;	/* signals swallowed, in order; freed by task_proc_free() */
};

struct task_proc {
	pid_t pid;
	int nr_threads;
	int cap_threads;
	struct task_thread *threads;
	/*
	 * The process we looked at first (pidfd_open), so that a PID reused
	 * meanwhile is never taken for it; has_pidfd says pidfd is open.
	 */
	bool has_pidfd;
	int pidfd;
	unsigned long extra_opts;	/* ptrace options every thread gets (task_seize_process_opts()) */
};

/* How a wait for a stop ended. */
enum task_stop {
	TASK_STOP_INTERRUPT,	/* PTRACE_EVENT_STOP: interrupt or group stop */
	TASK_STOP_SYSCALL,	/* syscall-entry or -exit stop (TRACESYSGOOD) */
	TASK_STOP_OTHER,	/* another ptrace event */
	TASK_STOP_GONE,		/* exited or killed */
};

/*
 * Seize one thread and bring it to an interrupt stop.  Returns -ESRCH if
 * the thread does not exist (or exits meanwhile), -EPERM etc. otherwise.
 * Does not print for -ESRCH; prints for everything else.
 *
 * Seccomp is suspended for the tracee (PTRACE_O_SUSPEND_SECCOMP) when
 * sudcr may (CAP_SYS_ADMIN); without it the thread is seized anyway and
 * t->seccomp_suspended is false: task_seize_process() then refuses a
 * process that has seccomp filters, whose filters would apply to every
 * injected syscall (a kill filter would kill it).
 */
SUDCR_API int task_seize_thread(struct task_thread *t, pid_t tgid, pid_t tid);

/*
 * Wait until the thread reaches a ptrace stop other than a
 * signal-delivery-stop; those are swallowed into t->intercepted and the
 * thread is resumed with @resume_req (PTRACE_CONT or PTRACE_SYSCALL).
 */
SUDCR_API enum task_stop task_wait_stop(struct task_thread *t, int resume_req, int *status);

/*
 * Stop requests.  sudcr_cancel() asks whatever sudcr is doing to stop at its
 * next safe point: a dump or a restore (cr.h) fails with -EINTR, and an
 * injected syscall that is running (a call that blocks: pause, read,
 * nanosleep...) is interrupted in the target and abandoned (inject.h).
 * Async-signal-safe: meant for a SIGINT/SIGTERM handler.  To cut a blocked
 * injected call short, the handler must run on the thread that injects (the
 * tracer; only it may make ptrace requests): in a program with more
 * threads, block the signal in the others.  The request stays until
 * sudcr_cancel_clear().
 */
SUDCR_API void sudcr_cancel(void);
SUDCR_API void sudcr_cancel_clear(void);
SUDCR_API bool sudcr_cancel_requested(void);

/* Number of sudcr_cancel() calls so far, for task_wait_stop_cancellable(). */
SUDCR_API int task_cancel_gen(void);

/*
 * task_wait_stop() for a thread running something that may block: if
 * sudcr_cancel() is called during the wait (on this thread), or was called
 * since task_cancel_gen() returned @gen, the thread is sent
 * PTRACE_INTERRUPT and *interrupted is set.  The kernel then reports
 * (measured on 6.18) a syscall-exit-stop with ax = -ERESTARTSYS,
 * -ERESTARTNOHAND, -ERESTART_RESTARTBLOCK or -EINTR for a call that was
 * blocked, with no further stop; or, when the interrupt came after the
 * call had returned, the call's normal exit stop and then one
 * PTRACE_EVENT_STOP at the thread's next resume.
 */
SUDCR_API enum task_stop task_wait_stop_cancellable(struct task_thread *t, int resume_req, int gen,
						    int *status, bool *interrupted);

/*
 * From any ptrace stop, bring the thread back to an interrupt stop
 * (PTRACE_INTERRUPT + PTRACE_CONT).
 */
SUDCR_API int task_return_to_interrupt_stop(struct task_thread *t);

/*
 * Detach a thread that is in an interrupt stop.  Signals still kept in
 * t->intercepted (the injection layer normally queued them again already)
 * are handed back first, each with its full siginfo: see
 * task_requeue_intercepted() (lib/task.h).
 */
SUDCR_API int task_detach_thread(struct task_thread *t);

/*
 * Seize every thread of @pid, re-scanning /proc/PID/task until no new
 * thread shows up.  On failure everything seized so far is released.
 * The process is identified once by a pidfd (task_open_process()): a
 * process that exits and whose PID is reused meanwhile is never seized
 * in its place.
 */
SUDCR_API int task_seize_process(pid_t pid, struct task_proc *p);

/* Detach every seized thread (no injected state may be left). */
SUDCR_API void task_detach_process(struct task_proc *p);

/*
 * SIGKILL the process while we hold it and wait until each thread we
 * traced has died: a killed tracee waits for its tracer to collect it, so
 * a long-lived tracer (a library caller) must, or the threads stay zombies
 * and the PID is never freed.
 */
SUDCR_API void task_kill_process(struct task_proc *p);

SUDCR_API void task_proc_free(struct task_proc *p);

SUDCR_API struct task_thread *task_find_thread(struct task_proc *p, pid_t tid);

/* Process-level checks with clear messages. */
SUDCR_API int task_check_pid(pid_t pid);

#endif
