// SPDX-License-Identifier: MIT
/*
 * A multi-threaded process using a System V semaphore set without
 * SEM_UNDO: its threads share an undo list (CLONE_SYSVSEM), empty.  A
 * second thread is blocked in semop() waiting for a semaphore (0); the
 * main thread has lowered another (4 -> 1).  The dump that kills it reads the set a second after its
 * last semop(), so that the restore can tell that the exit adjusted
 * nothing (its otime is still that one): after restore the values are those of the dump, the blocked
 * thread is still waiting and takes its semaphore once the main thread
 * raises it.  With --leave-running the list cannot be known empty: refused.
 */
// sudcr-test: leave-running-fails only its exit shows: not supported with --leave-running
#include <pthread.h>
#include <sys/ipc.h>
#include <sys/sem.h>

#include "progs/prog.h"

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

static int id;
static volatile int taken;

static void *waiter(void *arg)
{
	struct sembuf down = { 0, -1, 0 };

	(void)arg;
	while (semop(id, &down, 1) && errno == EINTR)
		;
	taken = 1;
	return NULL;
}

int main(void)
{
	unsigned short init[2] = { 0, 4 }, v[2];
	union semun arg = { .array = init };
	struct sembuf down3 = { 1, -3, 0 }, up = { 0, 1, 0 };
	pthread_t t;

	/*
	 * A key of its own: a set left by an earlier run that failed goes
	 * first (a stray set would make the dumps of every multi-threaded
	 * process of the suite that run --leave-running refuse).
	 */
	id = semget(0x5e5e0002, 0, 0);
	if (id >= 0)
		semctl(id, 0, IPC_RMID);
	id = semget(0x5e5e0002, 2, IPC_CREAT | IPC_EXCL | 0600);
	SETUP(id >= 0 && !semctl(id, 0, SETALL, arg), "semget");
	SETUP(!semop(id, &down3, 1), "semop");
	SETUP(!pthread_create(&t, NULL, waiter, NULL), "pthread_create");
	/* The waiter is blocked in semop: the semaphore counts it. */
	for (int i = 0; i < 500 && semctl(id, 0, GETNCNT) != 1; i++)
		usleep(10000);
	SETUP(semctl(id, 0, GETNCNT) == 1, "the waiter does not wait");
	/* The dump reads the set in a later second than its last semop: untouched since, provably. */
	for (time_t t0 = time(NULL); time(NULL) == t0;)
		usleep(20000);

	prog_ready();
	prog_wait();

	arg.array = v;
	if (CHECK(!semctl(id, 0, GETALL, arg), "GETALL: %s", strerror(errno)))
		CHECK(v[0] == 0 && v[1] == 1, "values %d %d, expected 0 1", v[0], v[1]);
	CHECK(!taken, "the waiter went on without its semaphore");
	for (int i = 0; i < 500 && semctl(id, 0, GETNCNT) != 1; i++)
		usleep(10000);
	CHECK_EQ(semctl(id, 0, GETNCNT), 1);
	CHECK(!semop(id, &up, 1), "semop up: %s", strerror(errno));
	CHECK(!pthread_join(t, NULL) && taken, "the waiter did not take its semaphore");
	CHECK_EQ(semctl(id, 0, GETVAL), 0);
	semctl(id, 0, IPC_RMID);
	prog_done();
}
