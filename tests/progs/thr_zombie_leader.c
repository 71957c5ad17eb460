// SPDX-License-Identifier: MIT
/*
 * The thread group leader has exited (pthread_exit in main) while two
 * threads run: it is a zombie whose TID is the PID.  After restore the
 * process must have the same PID, the leader must be a zombie again
 * (/proc/PID/task/PID/stat state Z), both threads must keep their TIDs and
 * their TLS, and a thread created after restore must work.
 */
#include <pthread.h>
#include <sys/syscall.h>

#include "progs/prog.h"

static __thread long tls_value;
static volatile pid_t tids[2];
static volatile int started;
static pid_t pid;

static char leader_state(void)
{
	char path[64], buf[512], *p;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, pid);
	if (prog_read_file(path, buf, sizeof(buf)) <= 0)
		return '?';
	p = strrchr(buf, ')');
	return p && p[1] ? p[2] : '?';
}

static void *spinner(void *arg)
{
	long idx = (long)arg;

	tls_value = 1000 + idx;
	tids[idx] = (pid_t)syscall(SYS_gettid);
	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	for (;;) {
		if (tls_value != 1000 + idx)
			prog_failf(__LINE__, "thread %ld lost its TLS value", idx);
		usleep(1000);
	}
	return NULL;
}

static void *new_thread(void *arg)
{
	(void)arg;
	tls_value = 7;
	return (void *)(long)syscall(SYS_gettid);
}

static void *checker(void *arg)
{
	void *res;
	pthread_t t;

	(void)arg;
	tls_value = 2000;
	while (leader_state() != 'Z')
		usleep(1000);
	prog_ready();
	prog_wait();

	CHECK(getpid() == pid, "PID %d, was %d", getpid(), pid);
	CHECK(leader_state() == 'Z', "the leader's state is %c, not a zombie", leader_state());
	for (int i = 0; i < 2; i++) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/task/%d", pid, tids[i]);
		CHECK(!access(path, F_OK), "thread %d is gone", tids[i]);
	}
	CHECK(tls_value == 2000, "checker TLS %ld", tls_value);
	CHECK(!pthread_create(&t, NULL, new_thread, NULL) && !pthread_join(t, &res) && (long)res > 0,
	      "a new thread does not work");
	prog_done();
}

int main(void)
{
	pthread_t t;

	pid = getpid();
	for (long i = 0; i < 2; i++)
		SETUP(!pthread_create(&t, NULL, spinner, (void *)i), "pthread_create");
	while (started < 2)
		usleep(1000);
	SETUP(!pthread_create(&t, NULL, checker, NULL), "pthread_create");
	pthread_exit(NULL);
}
