/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_TASK_PRIVATE_H
#define SUDCR_TASK_PRIVATE_H

/*
 * Task control's private half: what the library's own layers use beyond
 * the public sudcr/task.h (extra ptrace options, threads created by a
 * traced one, the two halves of a seize, requeued signals).  Not exported.
 */

#include <stdbool.h>
#include <sys/types.h>

#include <sudcr/task.h>

/*
 * task_seize_thread() and task_seize_process() with ptrace options
 * (PTRACE_O_EXITKILL) added for every thread.
 */
int task_seize_thread_opts(struct task_thread *t, pid_t tgid, pid_t tid, unsigned long extra_opts);
int task_seize_process_opts(pid_t pid, struct task_proc *p, unsigned long extra_opts);

/*
 * Set the ptrace options of a seized thread to sudcr's own
 * (TRACESYSGOOD, SUSPEND_SECCOMP if it was granted, those given at the
 * seize) plus @extra.  PTRACE_SETOPTIONS replaces every bit: use this, so
 * that seccomp suspension and EXITKILL are never dropped on the way.
 */
int task_set_options(struct task_thread *t, unsigned long extra);

/*
 * A thread created by a traced one with PTRACE_O_TRACECLONE: it is
 * attached already, with its creator's options.
 */
void task_thread_cloned(struct task_thread *t, const struct task_thread *parent, pid_t tid);

/* Keep a swallowed signal's siginfo (grows t->intercepted). */
int task_keep_signal(struct task_thread *t, const siginfo_t *si);

/*
 * Queue again, with its full siginfo and in order, every signal kept in
 * t->intercepted, without injecting anything: each one replaces a SIGSTOP
 * sent to the thread at its signal-delivery-stop (PTRACE_SETSIGINFO), and
 * the kernel queues it back because all signals are blocked meanwhile.
 * The thread is left in an interrupt stop with its own signal mask.
 */
int task_requeue_intercepted(struct task_thread *t);

/*
 * The two halves of task_seize_process(): the first look at @pid (checks,
 * pidfd), and the seize of the process it found.  task_seize_opened()
 * fails with -ESRCH, leaving nothing seized, if that process is gone,
 * even if its PID now belongs to another.
 */
int task_open_process(pid_t pid, struct task_proc *p);
int task_seize_opened(struct task_proc *p);

/* Whether the process of @p (its pidfd) still exists; true without a pidfd. */
bool task_process_alive(const struct task_proc *p);

#endif
