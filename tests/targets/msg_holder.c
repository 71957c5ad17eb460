// SPDX-License-Identifier: MIT
/*
 * msg_holder READY KEY - makes a System V message queue with KEY (hex),
 * mode 0640 and qbytes 3000, sends it three messages (types 5, 1, 5),
 * writes its id to READY (atomically: through a temporary file) and waits
 * in pause().  On SIGUSR1 it takes every message from the queue (type 0,
 * IPC_NOWAIT) and writes them to READY.out, one "TYPE TEXT" line each,
 * then "end", and waits again.  Killed to end.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <unistd.h>

static volatile sig_atomic_t asked;

static void on_usr1(int sig)
{
	(void)sig;
	asked = 1;
}

struct msg {
	long type;
	char text[128];
};

static int put(int id, long type, const char *text)
{
	struct msg m = { .type = type };

	memcpy(m.text, text, strlen(text));
	return msgsnd(id, &m, strlen(text), IPC_NOWAIT);
}

static int write_out(const char *ready, int id)
{
	char path[4096], tmp[4200];
	struct msg m;
	ssize_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s.out", ready);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	while ((n = msgrcv(id, &m, sizeof(m.text), 0, IPC_NOWAIT)) >= 0)
		fprintf(f, "%ld %.*s\n", m.type, (int)n, m.text);
	fprintf(f, "%s\n", errno == ENOMSG ? "end" : strerror(errno));
	return fclose(f) || rename(tmp, path) ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct msqid_ds ds;
	char tmp[4096];
	FILE *f;
	int id;

	if (argc != 3) {
		fprintf(stderr, "usage: msg_holder READY KEY\n");
		return 2;
	}
	id = msgget((key_t)strtoul(argv[2], NULL, 16), IPC_CREAT | IPC_EXCL | 0640);
	if (id < 0 || msgctl(id, IPC_STAT, &ds)) {
		perror("msg_holder: msgget");
		return 1;
	}
	ds.msg_qbytes = 3000;
	if (msgctl(id, IPC_SET, &ds) || put(id, 5, "one") || put(id, 1, "two, type 1") || put(id, 5, "three"))
		return 1;
	if (sigaction(SIGUSR1, &sa, NULL))
		return 1;
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[1]);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%d\n", id) < 0 || fclose(f) || rename(tmp, argv[1]))
		return 1;
	for (;;) {
		pause();
		if (asked && write_out(argv[1], id))
			return 1;
		asked = 0;
	}
}
