// SPDX-License-Identifier: MIT
/*
 * Failure path: an epoll watches a file of another thread's /proc
 * (/proc/self/task/TID/mountinfo, as one watches for mount changes).  The
 * restore can open that file only once the thread exists, after the
 * stub has filled the epolls, so the dump must fail with one line naming
 * the epoll and the fd, and leave the process as it was: the entry is
 * still there and the thread still runs.
 */
// sudcr-test: dump-fails
#include <pthread.h>
#include <sys/epoll.h>

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
	struct epoll_event ev = { .events = EPOLLPRI, .data.u64 = 0x5eed };
	char path[64], c = 'x';
	pthread_t t;
	int fd, ep;

	SETUP(!pipe(go_pipe), "pipe");
	SETUP(!pthread_create(&t, NULL, thread_main, NULL), "pthread_create");
	while (!thread_tid)
		usleep(1000);
	snprintf(path, sizeof(path), "/proc/self/task/%d/mountinfo", thread_tid);
	fd = open(path, O_RDONLY);
	SETUP(fd >= 0, "open %s", path);
	ep = epoll_create1(0);
	SETUP(ep >= 0 && !epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), "epoll");

	prog_ready();
	prog_wait();

	/* Still watched: adding it again says so. */
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0 && errno == EEXIST,
	      "the epoll no longer watches fd %d", fd);
	CHECK(write(go_pipe[1], &c, 1) == 1, "wake the thread");
	pthread_join(t, NULL);
	prog_done();
}
