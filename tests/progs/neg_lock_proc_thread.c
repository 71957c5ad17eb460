// SPDX-License-Identifier: MIT
/*
 * Failure path: a flock on a file of another thread's /proc
 * (/proc/self/task/TID/status).  The stub takes file locks on what is at
 * each fd number, and there such a file is only a placeholder until the
 * thread exists: the dump must fail with one line naming the fd, and leave
 * the process as it was, its lock held.
 */
// sudcr-test: dump-fails
#include <pthread.h>
#include <sys/file.h>

#include "progs/prog.h"

static int go_pipe[2];
static volatile pid_t thread_tid;

static void *thread_main(void *arg)
{
	char c;

	(void)arg;
	thread_tid = gettid();
	while (read(go_pipe[0], &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

int main(void)
{
	char path[64], c = 'x';
	pthread_t t;
	int fd, other;

	SETUP(!pipe(go_pipe), "pipe");
	SETUP(!pthread_create(&t, NULL, thread_main, NULL), "pthread_create");
	while (!thread_tid)
		usleep(1000);
	snprintf(path, sizeof(path), "/proc/self/task/%d/status", thread_tid);
	fd = open(path, O_RDONLY);
	SETUP(fd >= 0 && !flock(fd, LOCK_EX), "flock %s", path);

	prog_ready();
	prog_wait();

	/* Still held: another open file description cannot take it. */
	other = open(path, O_RDONLY);
	CHECK(other >= 0 && flock(other, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK,
	      "the flock on %s is gone", path);
	CHECK(write(go_pipe[1], &c, 1) == 1, "wake the thread");
	pthread_join(t, NULL);
	prog_done();
}
