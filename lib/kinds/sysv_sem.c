// SPDX-License-Identifier: MIT
/*
 * System V semaphores: what belongs to the process is its undo list, the
 * semadj values its SEM_UNDO operations left, which the kernel applies
 * when the process exits.  The kernel shows them nowhere (not in /proc,
 * not through semctl()), so the dump cannot read them, and a restore
 * without them would silently change what the process's exit does to
 * the sets it used.
 *
 * What can be seen: whether the process has an undo list at all
 * (kcmp(KCMP_SYSVSEM) against that of a fork of sudcr, which has none: a
 * fork does not inherit the list; sudcr's own is not empty once it has
 * made a thread, as its page copy does), and whether any semaphore set exists in the IPC
 * namespace (/proc/sysvipc/sem; undo entries go with their set).  A
 * semop() with SEM_UNDO makes the list, but so does the first thread
 * made with CLONE_SYSVSEM (every pthread), so a list may be empty.  The
 * dump refuses a process with an undo list while semaphore sets exist,
 * with one line; a process without a list, or any process while there
 * are no sets, is dumped.
 *
 * The sets themselves, and their values, are state of the IPC namespace,
 * not of a process (any process may use any set it may access by id): a
 * process that uses sets without SEM_UNDO is dumped, and the sets are
 * left as they are.  No records.
 */
#include <errno.h>
#include <linux/kcmp.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cr.h"
#include <sudcr/log.h>

#include "kinds.h"

/* How many semaphore sets /proc/sysvipc/sem lists (after its heading), or -errno. */
static int nr_sem_sets(void)
{
	char line[512];
	FILE *f = fopen("/proc/sysvipc/sem", "re");
	int n = -1;

	if (!f)
		return errno == ENOENT ? 0 : -errno;	/* no CONFIG_SYSVIPC: no sets */
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n < 0 ? 0 : n;
}

/* Whether @pid has an undo list: 1, 0 or -errno. */
static int has_undo_list(pid_t pid)
{
	pid_t none = fork();
	long r;
	int err;

	if (none < 0)
		return -errno;
	if (!none) {
		pause();
		_exit(0);
	}
	r = syscall(SYS_kcmp, none, pid, KCMP_SYSVSEM, 0, 0);
	err = errno;
	kill(none, SIGKILL);
	while (waitpid(none, NULL, 0) < 0 && errno == EINTR)
		;
	return r < 0 ? -err : r != 0;
}

static int sysv_sem_dump(struct dump_ctx *d)
{
	int sets = nr_sem_sets(), r;

	if (sets < 0) {
		sudcr_error("cannot read /proc/sysvipc/sem: %s", strerror(-sets));
		return sets;
	}
	if (!sets)
		return 0;
	r = has_undo_list(d->proc_pid);
	if (r <= 0) {
		if (r)
			sudcr_error("process %d: cannot tell whether it has System V semaphore undo entries (kcmp): %s",
				    d->pid, strerror(-r));
		return r;
	}
	sudcr_error("process %d may have System V semaphore undo entries (SEM_UNDO), which the kernel does not show: it has an undo list and %d semaphore set%s exist%s: not supported",
		    d->pid, sets, sets == 1 ? "" : "s", sets == 1 ? "s" : "");
	return -EOPNOTSUPP;
}

const struct cr_kind cr_kind_sysv_sem = {
	.name = "sysv_sem",
	.types = (const struct cr_rec_type[]){ { 0, NULL } },
	.dump = sysv_sem_dump,
};
