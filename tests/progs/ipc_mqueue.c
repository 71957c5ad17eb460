// SPDX-License-Identifier: MIT
// sudcr-test: restore-fails pid-taken
/*
 * POSIX message queues: a named one (O_RDWR, mode 0640, 8 messages of up
 * to 64 bytes) holding five messages of three priorities, one of them
 * empty, and an unlinked one opened O_WRONLY|O_NONBLOCK holding two.
 * After restore: the attributes, flags and mode, the messages in the
 * order the kernel gives them (by priority, first in first out within
 * one), the name still leading to the queue the fd holds.
 *
 * The dump receives the messages and sends them back: in the
 * leave-running variant the original checks it found them as they were.
 * In the restore variant the named queue outlives the killed process and
 * is reused, the unlinked one is made again; the leave-running image is
 * restored once the original has emptied and unlinked its queue (the
 * restore-fails tag): both are made again.
 */
#include <mqueue.h>
#include <sys/stat.h>

#include "progs/prog.h"

static const struct {
	const char *text;
	unsigned int prio;
} sent1[] = { { "a", 1 }, { "bb", 5 }, { "ccc", 1 }, { "", 0 }, { "dd", 5 } };
static const int order1[] = { 1, 4, 0, 2, 3 };	/* of sent1, as received */

static void check_messages(mqd_t q, const char *what, const int *order, int nr, int seed)
{
	struct mq_attr a;
	char buf[64];

	CHECK(!mq_getattr(q, &a) && a.mq_curmsgs == nr, "%s: %ld messages, expected %d", what, (long)a.mq_curmsgs,
	      nr);
	for (int k = 0; k < nr; k++) {
		unsigned int prio = 99;
		ssize_t n = mq_receive(q, buf, sizeof(buf), &prio);
		const char *want = order ? sent1[order[k]].text : NULL;
		char alt[32];

		if (!want) {
			snprintf(alt, sizeof(alt), "msg-%d-%d", seed, k);
			want = alt;
		}
		CHECK(n == (ssize_t)strlen(want) && !memcmp(buf, want, n) &&
		      prio == (order ? sent1[order[k]].prio : (unsigned int)(7 - k)),
		      "%s: message %d is '%.*s' prio %u, expected '%s'", what, k, (int)(n < 0 ? 0 : n), buf, prio, want);
	}
}

int main(void)
{
	struct mq_attr attr = { .mq_maxmsg = 8, .mq_msgsize = 64 }, a;
	char name[48], proc[64], msg[16];
	struct stat st1, st2;
	mqd_t q1, q2, r2, byname;

	snprintf(name, sizeof(name), "/sudcr-test-%d", (int)getpid());
	mq_unlink(name);
	q1 = mq_open(name, O_CREAT | O_EXCL | O_RDWR, 0640, &attr);
	SETUP(q1 >= 0, "mq_open %s", name);
	SETUP(!fchmod(q1, 0640), "fchmod");
	for (size_t k = 0; k < sizeof(sent1) / sizeof(sent1[0]); k++)
		SETUP(!mq_send(q1, sent1[k].text, strlen(sent1[k].text), sent1[k].prio), "mq_send");
	snprintf(proc, sizeof(proc), "%s-u", name);
	q2 = mq_open(proc, O_CREAT | O_EXCL | O_WRONLY | O_NONBLOCK, 0600, &attr);
	SETUP(q2 >= 0 && !mq_unlink(proc), "unlinked queue");
	for (int k = 0; k < 2; k++) {
		snprintf(msg, sizeof(msg), "msg-2-%d", k);
		SETUP(!mq_send(q2, msg, strlen(msg), 7 - k), "mq_send");
	}

	prog_ready();
	prog_wait();

	CHECK(!mq_getattr(q1, &a) && a.mq_maxmsg == 8 && a.mq_msgsize == 64 && !a.mq_flags, "attributes of q1");
	CHECK(!fstat(q1, &st1) && (st1.st_mode & 07777) == 0640 && st1.st_uid == getuid(), "mode of q1 %o",
	      st1.st_mode);
	byname = mq_open(name, O_RDONLY);
	CHECK(byname >= 0 && !fstat(byname, &st2) && st2.st_ino == st1.st_ino, "%s leads to another queue", name);
	CHECK(fcntl(q1, F_GETFL) == O_RDWR, "flags of q1 %#x", fcntl(q1, F_GETFL));
	CHECK(fcntl(q2, F_GETFL) == (O_WRONLY | O_NONBLOCK), "flags of q2 %#x", fcntl(q2, F_GETFL));
	CHECK(!mq_getattr(q2, &a) && a.mq_maxmsg == 8 && a.mq_msgsize == 64 && a.mq_flags == O_NONBLOCK,
	      "attributes of q2");
	check_messages(q1, "q1", order1, 5, 1);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", q2);
	r2 = open(proc, O_RDONLY | O_NONBLOCK);
	CHECK(r2 >= 0, "reopen q2: %s", strerror(errno));
	if (r2 >= 0)
		check_messages(r2, "q2", NULL, 2, 2);
	mq_unlink(name);
	prog_done();
}
