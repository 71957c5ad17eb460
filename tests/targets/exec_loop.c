// SPDX-License-Identifier: MIT
/*
 * exec_loop N - a process whose second thread calls execve of this program
 * again, N times over, while the first thread and two more spin.  For a
 * test that dumps a process while one of its threads execs (the kernel's
 * de_thread() waits for its other threads, traced ones included, to be
 * reaped).  Exits 0 after the last exec.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char **args;
static long left;

static void *spin(void *arg)
{
	(void)arg;
	for (;;)
		__asm__ volatile("" ::: "memory");
	return NULL;
}

static void *execer(void *arg)
{
	char n[24];

	(void)arg;
	for (volatile int i = 0; i < 200000; i++)
		;
	snprintf(n, sizeof(n), "%ld", left - 1);
	execl("/proc/self/exe", args[0], n, (char *)NULL);
	perror("exec_loop: execl");
	exit(2);
}

int main(int argc, char **argv)
{
	pthread_t t;

	if (argc != 2) {
		fprintf(stderr, "usage: exec_loop N\n");
		return 2;
	}
	args = argv;
	left = atol(argv[1]);
	if (left <= 0)
		return 0;
	for (int i = 0; i < 2; i++)
		if (pthread_create(&t, NULL, spin, NULL))
			return 2;
	if (pthread_create(&t, NULL, execer, NULL))
		return 2;
	spin(NULL);
	return 0;
}
