// SPDX-License-Identifier: MIT
/*
 * Failure path: a POSIX message queue with a notification registered
 * (mq_notify, SIGEV_SIGNAL).  Sending its messages back after reading
 * them would fire it, and the restore could not register it again: the
 * dump must refuse it with one line and leave the process as it was, the
 * registration still there (a message sent to the empty queue signals
 * it).
 */
// sudcr-test: dump-fails
#include <mqueue.h>
#include <signal.h>

#include "progs/prog.h"

int main(void)
{
	struct mq_attr attr = { .mq_maxmsg = 4, .mq_msgsize = 16 };
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
	struct timespec zero = { 0, 0 };
	char name[48], buf[16];
	sigset_t set;
	siginfo_t si;
	mqd_t q;

	snprintf(name, sizeof(name), "/sudcr-test-notify-%d", (int)getpid());
	mq_unlink(name);
	q = mq_open(name, O_CREAT | O_EXCL | O_RDWR, 0600, &attr);
	SETUP(q >= 0, "mq_open");
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	SETUP(!sigprocmask(SIG_BLOCK, &set, NULL), "sigprocmask");
	SETUP(!mq_notify(q, &sev), "mq_notify");

	prog_ready();
	prog_wait();

	CHECK(sigtimedwait(&set, &si, &zero) < 0, "SIGUSR1 came before a message");
	CHECK(!mq_send(q, "x", 1, 0), "mq_send");
	CHECK(sigtimedwait(&set, &si, &zero) == SIGUSR1, "the registration is gone");
	CHECK(mq_receive(q, buf, sizeof(buf), NULL) == 1, "mq_receive");
	mq_unlink(name);
	prog_done();
}
