// SPDX-License-Identifier: MIT
/*
 * Failure path: a PIDFD_THREAD pidfd of another thread of the process is
 * not supported yet: the dump fails with one line naming the fd and the
 * thread, and the process goes on, its pidfd still referring to the thread.
 */
// sudcr-test: dump-fails fd 3: pidfd of thread
#include <pthread.h>
#include <sys/syscall.h>

#include "progs/prog.h"

static int tid_pipe[2];

static void *thread_fn(void *arg)
{
	pid_t tid = (pid_t)syscall(SYS_gettid);

	(void)arg;
	if (write(tid_pipe[1], &tid, sizeof(tid)) != sizeof(tid))
		return NULL;
	for (;;)
		pause();
	return NULL;
}

int main(void)
{
	pthread_t t;
	pid_t tid = 0;
	int fd;

	SETUP(!pipe(tid_pipe) && !pthread_create(&t, NULL, thread_fn, NULL), "thread");
	SETUP(read(tid_pipe[0], &tid, sizeof(tid)) == sizeof(tid), "thread's TID");
	close(tid_pipe[0]);
	close(tid_pipe[1]);
	fd = (int)syscall(SYS_pidfd_open, tid, O_EXCL /* PIDFD_THREAD */);
	if (fd < 0 && errno == EINVAL)
		prog_skip("no PIDFD_THREAD (kernel before 6.9)");
	SETUP(fd == 3, "pidfd_open(%d, PIDFD_THREAD) gave %d: %s", tid, fd, strerror(errno));

	prog_ready();
	prog_wait();

	CHECK(syscall(SYS_pidfd_send_signal, fd, 0, NULL, 0) == 0, "signal 0 to the thread: %s", strerror(errno));
	prog_done();
}
