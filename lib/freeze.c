// SPDX-License-Identifier: MIT
#include <sudcr/freeze.h>
#include <sudcr/inject.h>
#include <sudcr/log.h>
#include "task.h"

int freeze_process(pid_t pid, struct task_proc *p)
{
	return task_seize_process(pid, p);
}

int thaw_process(struct task_proc *p)
{
	int ret = 0;

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
	}
	task_proc_free(p);
	return ret;
}
