// SPDX-License-Identifier: MIT
/*
 * Failure path: a process with System V semaphore undo entries (a semop
 * with SEM_UNDO).  The kernel shows its semadj nowhere, and a restore
 * without them would change silently what its exit does to the set: the
 * dump must refuse it with one line and leave the process as it was (the
 * set's value still its own).  A child's semop first shows that undo
 * entries are what the kernel applies at exit.
 */
// sudcr-test: dump-fails
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/wait.h>

#include "progs/prog.h"

int main(void)
{
	struct sembuf up = { 0, 3, SEM_UNDO };
	int id, st;
	pid_t c;

	id = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	SETUP(id >= 0, "semget");
	/* The undo list is the process's; a child of its own shows the exit's undo. */
	c = fork();
	SETUP(c >= 0, "fork");
	if (!c) {
		if (semop(id, &up, 1))
			_exit(1);
		_exit(semctl(id, 0, GETVAL) == 3 ? 0 : 2);
	}
	SETUP(waitpid(c, &st, 0) == c && WIFEXITED(st) && !WEXITSTATUS(st), "child's semop");
	SETUP(semctl(id, 0, GETVAL) == 0, "the child's exit did not undo its semop");
	SETUP(!semop(id, &up, 1), "semop SEM_UNDO");

	prog_ready();
	prog_wait();

	CHECK_EQ(semctl(id, 0, GETVAL), 3);
	semctl(id, 0, IPC_RMID);
	prog_done();
}
