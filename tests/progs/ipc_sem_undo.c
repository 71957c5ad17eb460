// SPDX-License-Identifier: MIT
/*
 * System V semaphore undo values (semadj): a child holds a mutex taken with
 * SEM_UNDO (1 -> 0, semadj +1), has raised a counter with SEM_UNDO (5 -> 8,
 * semadj -3) and lowered a third without (7 -> 5), then waits on a pipe.
 * The dump kills the tree, whose exit gives the values back (1, 5, 5);
 * after restore the child must hold them again (0, 8, 5), and its exit,
 * once told, must give them back once more (1, 5, 5): only undo values it
 * has again do that.  A --leave-running dump cannot know them and refuses.
 */
// sudcr-test: leave-running-fails only its exit shows: not supported with --leave-running
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/wait.h>

#include "progs/prog.h"

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

static void check_values(int id, int a, int b, int c, const char *when)
{
	unsigned short v[3];
	union semun arg = { .array = v };

	if (!CHECK(!semctl(id, 0, GETALL, arg), "GETALL: %s", strerror(errno)))
		return;
	CHECK(v[0] == a && v[1] == b && v[2] == c, "%s: values %d %d %d, expected %d %d %d", when, v[0], v[1], v[2],
	      a, b, c);
}

int main(void)
{
	unsigned short init[3] = { 1, 5, 7 };
	union semun arg = { .array = init };
	int id, go[2], ready[2], st;
	char c = 0;
	pid_t child;

	/*
	 * A key of its own: a set left by an earlier run that failed goes
	 * first (a stray set would make the dumps of every multi-threaded
	 * process of the suite that run --leave-running refuse).
	 */
	id = semget(0x5e5e0001, 0, 0);
	if (id >= 0)
		semctl(id, 0, IPC_RMID);
	id = semget(0x5e5e0001, 3, IPC_CREAT | IPC_EXCL | 0600);
	SETUP(id >= 0 && !semctl(id, 0, SETALL, arg), "semget");
	SETUP(!pipe(go) && !pipe(ready), "pipe");
	child = fork();
	SETUP(child >= 0, "fork");
	if (!child) {
		struct sembuf ops[2] = { { 0, -1, SEM_UNDO }, { 1, 3, SEM_UNDO } }, down = { 2, -2, 0 };

		close(go[1]);
		close(ready[0]);
		if (semop(id, ops, 2) || semop(id, &down, 1) || write(ready[1], "r", 1) != 1)
			_exit(3);
		while (read(go[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(c == 'x' ? 0 : 4);
	}
	close(go[0]);
	close(ready[1]);
	SETUP(read(ready[0], &c, 1) == 1, "the child's semop");

	prog_ready();
	prog_wait();

	check_values(id, 0, 8, 5, "the child holds them");
	CHECK(write(go[1], "x", 1) == 1, "tell the child");
	if (CHECK(waitpid(child, &st, 0) == child, "waitpid: %s", strerror(errno)))
		CHECK(WIFEXITED(st) && !WEXITSTATUS(st), "the child ended with status %#x", st);
	check_values(id, 1, 5, 5, "after the child's exit");
	semctl(id, 0, IPC_RMID);
	prog_done();
}
