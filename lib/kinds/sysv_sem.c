// SPDX-License-Identifier: MIT
/*
 * System V semaphores: what belongs to the process is its undo list, the
 * semadj values its SEM_UNDO operations left, which the kernel applies
 * when the process exits.  The kernel shows them nowhere (not in /proc,
 * not through semctl()), so the dump cannot read them, and a restore
 * without them would silently change what the process's exit does to
 * every set it used.  The dump refuses a process that has an undo list,
 * with one line.  Whether it has one, kcmp(KCMP_SYSVSEM) tells: it
 * compares the undo lists of two processes, and sudcr's own is empty (it
 * never uses SEM_UNDO).
 *
 * The sets themselves, and their values, are state of the IPC namespace,
 * not of a process (any process may use any set it may access by id): a
 * process that uses sets without SEM_UNDO is dumped, and the sets are
 * left as they are.  No records.
 */
#include <errno.h>
#include <linux/kcmp.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <sudcr/cr.h>
#include <sudcr/log.h>

#include "kinds.h"

static int sysv_sem_dump(struct dump_ctx *d)
{
	long r = syscall(SYS_kcmp, getpid(), d->proc_pid, KCMP_SYSVSEM, 0, 0);
	int err = errno;

	if (r == 0)
		return 0;
	if (r < 0) {
		sudcr_error("process %d: cannot tell whether it has System V semaphore undo entries (kcmp): %s",
			    d->pid, strerror(err));
		return -err;
	}
	sudcr_error("process %d has System V semaphore undo entries (semop with SEM_UNDO), which the kernel does not show: not supported",
		    d->pid);
	return -EOPNOTSUPP;
}

const struct cr_kind cr_kind_sysv_sem = {
	.name = "sysv_sem",
	.types = (const struct cr_rec_type[]){ { 0, NULL } },
	.dump = sysv_sem_dump,
};
