// SPDX-License-Identifier: MIT
/*
 * System V message queues: a keyed queue with mode 0640 and a lowered
 * qbytes, holding messages of several types (one empty) that must come
 * back in their order, selected by type as before; and a private queue
 * that the process only received from last.  The runner's restore finds
 * both still in the IPC namespace: they must be the same queues, by id
 * and key, with every message.  (tests/cli/sysv_msg.sh removes them in
 * between, for the restore that makes them again.)
 */
#include <sys/ipc.h>
#include <sys/msg.h>

#include "progs/prog.h"

struct msg {
	long type;
	char text[64];
};

static const struct {
	long type;
	const char *text;
} msgs[] = {
	{ 3, "first of type 3" }, { 1, "" }, { 2, "two" }, { 3, "second of type 3" }, { 7, "last" },
};
#define NR_MSGS (int)(sizeof(msgs) / sizeof(msgs[0]))

static void check_recv(int id, long want_type, int i)
{
	struct msg m;
	ssize_t n = msgrcv(id, &m, sizeof(m.text), want_type, IPC_NOWAIT);

	if (!CHECK(n >= 0, "message %d: msgrcv: %s", i, strerror(errno)))
		return;
	CHECK_EQ(m.type, msgs[i].type);
	CHECK(n == (ssize_t)strlen(msgs[i].text) && !memcmp(m.text, msgs[i].text, n),
	      "message %d is '%.*s', expected '%s'", i, (int)n, m.text, msgs[i].text);
}

int main(void)
{
	key_t key = (key_t)(0x5e100000 | (getpid() & 0xffff));
	struct msqid_ds ds;
	struct msg m;
	int id, idp;

	id = msgget(key, IPC_CREAT | IPC_EXCL | 0640);
	idp = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	SETUP(id >= 0 && idp >= 0, "msgget");
	SETUP(!msgctl(id, IPC_STAT, &ds), "IPC_STAT");
	ds.msg_qbytes = 4000;
	SETUP(!msgctl(id, IPC_SET, &ds), "IPC_SET qbytes");
	for (int i = 0; i < NR_MSGS; i++) {
		m.type = msgs[i].type;
		memcpy(m.text, msgs[i].text, strlen(msgs[i].text));
		SETUP(!msgsnd(id, &m, strlen(msgs[i].text), IPC_NOWAIT), "msgsnd %d", i);
	}
	/* The private queue: a message left, one taken (its last receiver is this process). */
	m.type = 9;
	memcpy(m.text, "kept", 4);
	SETUP(!msgsnd(idp, &m, 4, 0) && !msgsnd(idp, &m, 4, 0), "msgsnd private");
	SETUP(msgrcv(idp, &m, sizeof(m.text), 0, 0) == 4, "msgrcv private");

	prog_ready();
	prog_wait();

	if (CHECK(!msgctl(id, IPC_STAT, &ds), "IPC_STAT: %s", strerror(errno))) {
		CHECK_EQ(ds.msg_perm.__key, key);
		CHECK_EQ(ds.msg_perm.mode, 0640);
		CHECK_EQ(ds.msg_qbytes, 4000);
		CHECK_EQ(ds.msg_qnum, NR_MSGS);
		CHECK_EQ(ds.msg_perm.uid, getuid());
	}
	CHECK_EQ(msgget(key, 0), id);
	/* By type first: the second message of type 2, then the rest in order. */
	check_recv(id, 2, 2);
	check_recv(id, -1, 1);
	check_recv(id, 0, 0);
	check_recv(id, 0, 3);
	check_recv(id, 0, 4);
	CHECK(msgrcv(id, &m, sizeof(m.text), 0, IPC_NOWAIT) < 0 && errno == ENOMSG, "a message too many");
	if (CHECK(!msgctl(idp, IPC_STAT, &ds), "IPC_STAT private: %s", strerror(errno)))
		CHECK_EQ(ds.msg_qnum, 1);
	CHECK(msgrcv(idp, &m, sizeof(m.text), 9, IPC_NOWAIT) == 4 && !memcmp(m.text, "kept", 4),
	      "the private queue's message");
	msgctl(id, IPC_RMID, NULL);
	msgctl(idp, IPC_RMID, NULL);
	prog_done();
}
