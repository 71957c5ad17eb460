// SPDX-License-Identifier: MIT
/*
 * Failure path: two processes of a tree with System V semaphore undo
 * values on the same semaphore (each a semop with SEM_UNDO).  Their exits
 * add up on it, so the dump cannot tell whose undo value is whose: it must
 * refuse the tree with one line and leave both as they were (the value
 * still theirs); with --leave-running it refuses too, the undo values
 * being unknown.  A child of the child, gone first, shows that undo values
 * are what the kernel applies at exit.
 */
// sudcr-test: dump-fails System V semaphore undo
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/wait.h>

#include "progs/prog.h"

int main(void)
{
	struct sembuf up = { 0, 3, SEM_UNDO };
	int id, st, ready[2], go[2];
	char c = 0;
	pid_t child, g;

	/*
	 * A key of its own: a set left by an earlier run that failed goes
	 * first (a stray set would make the dumps of every multi-threaded
	 * process of the suite that run --leave-running refuse).
	 */
	id = semget(0x5e5e0003, 0, 0);
	if (id >= 0)
		semctl(id, 0, IPC_RMID);
	id = semget(0x5e5e0003, 1, IPC_CREAT | IPC_EXCL | 0600);
	SETUP(id >= 0, "semget");
	g = fork();
	SETUP(g >= 0, "fork");
	if (!g) {
		if (semop(id, &up, 1))
			_exit(1);
		_exit(semctl(id, 0, GETVAL) == 3 ? 0 : 2);
	}
	SETUP(waitpid(g, &st, 0) == g && WIFEXITED(st) && !WEXITSTATUS(st), "child's semop");
	SETUP(semctl(id, 0, GETVAL) == 0, "the child's exit did not undo its semop");
	SETUP(!pipe(ready) && !pipe(go), "pipe");
	child = fork();
	SETUP(child >= 0, "fork");
	if (!child) {
		if (semop(id, &up, 1) || write(ready[1], "r", 1) != 1)
			_exit(3);
		while (read(go[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	SETUP(read(ready[0], &c, 1) == 1, "the second child's semop");
	SETUP(!semop(id, &up, 1), "semop SEM_UNDO");

	prog_ready();
	prog_wait();

	CHECK_EQ(semctl(id, 0, GETVAL), 6);
	CHECK(write(go[1], "x", 1) == 1, "tell the child");
	CHECK(waitpid(child, &st, 0) == child, "waitpid: %s", strerror(errno));
	CHECK_EQ(semctl(id, 0, GETVAL), 3);
	semctl(id, 0, IPC_RMID);
	prog_done();
}
