// SPDX-License-Identifier: MIT
#include <unistd.h>

#include <sudcr/freeze.h>
#include <sudcr/proc.h>
#include <sudcr/inject.h>
#include <sudcr/log.h>
#include "task.h"

int freeze_process(pid_t pid, struct task_proc *p)
{
	return task_seize_process(pid, p);
}

/*
 * A thread that was group-stopped re-enters the stop on detach, but only
 * once it runs again (the kernel wakes it to stop): until then /proc shows
 * it running, and a parent that looks at once (or a waitpid(WUNTRACED)
 * right after) would see a process that is not as it was found.  Wait for
 * the stop, a bounded time: someone may have sent SIGCONT meanwhile.
 */
static void wait_stopped_again(struct task_proc *p)
{
	for (int i = 0; i < p->nr_threads; i++) {
		struct task_thread *t = &p->threads[i];
		char state = 0;

		if (!t->group_stop)
			continue;
		for (int k = 0; k < 2000; k++) {
			if (proc_thread_state(p->pid, t->tid, &state) || state == 'T')
				break;
			usleep(500);
		}
	}
}

int thaw_process(struct task_proc *p)
{
	int ret = 0;
	bool stopped = false;

	for (int i = 0; i < p->nr_threads; i++) {
		struct task_thread *t = &p->threads[i];
		int err;

		if (!t->seized)
			continue;
		/* Signals swallowed while stopping it go back first, siginfo and all. */
		err = task_requeue_intercepted(t);
		if (err && !ret)
			ret = err;
		err = task_detach_thread(t);
		if (err && !ret)
			ret = err;
		stopped |= t->group_stop;
	}
	if (stopped)
		wait_stopped_again(p);
	task_proc_free(p);
	return ret;
}
