// SPDX-License-Identifier: MIT
/*
 * sem_holder MODE READY - makes a System V semaphore set of 3, values
 * 1 5 2, and takes undo values on it: semaphore 0 lowered by 1 and
 * semaphore 1 raised by 3, both with SEM_UNDO (semadj +1 and -3).
 * MODE clamp: semaphore 2 also raised by 3 with SEM_UNDO, then lowered by
 * 5 without by a child (the value 0, its semadj still -3: the exit clamps
 * it).  Writes the set's id to READY (atomically) and waits in pause()
 * until killed.
 */
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/wait.h>
#include <unistd.h>

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

int main(int argc, char **argv)
{
	unsigned short init[3] = { 1, 5, 2 };
	union semun arg = { .array = init };
	struct sembuf ops[3] = { { 0, -1, SEM_UNDO }, { 1, 3, SEM_UNDO }, { 2, 3, SEM_UNDO } };
	struct sembuf down = { 2, -5, 0 };
	char tmp[4096];
	int id, st, clamp;
	FILE *f;
	pid_t c;

	if (argc != 3 || (strcmp(argv[1], "plain") && strcmp(argv[1], "clamp"))) {
		fprintf(stderr, "usage: sem_holder plain|clamp READY\n");
		return 2;
	}
	clamp = !strcmp(argv[1], "clamp");
	id = semget(IPC_PRIVATE, 3, IPC_CREAT | 0600);
	if (id < 0 || semctl(id, 0, SETALL, arg) || semop(id, ops, clamp ? 3 : 2)) {
		perror("sem_holder: semget/semop");
		return 1;
	}
	if (clamp) {
		c = fork();
		if (!c)
			_exit(semop(id, &down, 1) ? 1 : 0);
		if (c < 0 || waitpid(c, &st, 0) != c || st)
			return 1;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[2]);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%d\n", id) < 0 || fclose(f) || rename(tmp, argv[2]))
		return 1;
	for (;;)
		pause();
}
