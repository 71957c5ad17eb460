// SPDX-License-Identifier: MIT
/*
 * ns_unshared MODE FILE - a process whose namespaces differ from its
 * launcher's only where a look at the process as a whole (/proc/PID/ns)
 * does not show it, then writes "ready" to FILE and waits forever:
 *   thread-uts    a second thread calls unshare(CLONE_NEWUTS): that thread
 *                 alone is in a new UTS namespace;
 *   children-pid  the process calls unshare(CLONE_NEWPID): it stays in its
 *                 PID namespace, but its future children would not.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int thread_err = -1;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done = PTHREAD_COND_INITIALIZER;

static void *uts_thread(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	thread_err = unshare(CLONE_NEWUTS) ? errno : 0;
	pthread_cond_signal(&done);
	pthread_mutex_unlock(&lock);
	for (;;)
		pause();
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;
	int fd, err;

	if (argc != 3) {
		fprintf(stderr, "usage: ns_unshared thread-uts|children-pid FILE\n");
		return 2;
	}
	if (!strcmp(argv[1], "thread-uts")) {
		err = pthread_create(&t, NULL, uts_thread, NULL);
		if (err) {
			fprintf(stderr, "pthread_create: %s\n", strerror(err));
			return 1;
		}
		pthread_mutex_lock(&lock);
		while (thread_err < 0)
			pthread_cond_wait(&done, &lock);
		err = thread_err;
		pthread_mutex_unlock(&lock);
	} else if (!strcmp(argv[1], "children-pid")) {
		err = unshare(CLONE_NEWPID) ? errno : 0;
	} else {
		fprintf(stderr, "ns_unshared: unknown mode %s\n", argv[1]);
		return 2;
	}
	if (err) {
		fprintf(stderr, "unshare: %s\n", strerror(err));
		return 1;
	}
	fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, "ready\n", 6) != 6) {
		perror(argv[2]);
		return 1;
	}
	close(fd);
	for (;;)
		pause();
}
