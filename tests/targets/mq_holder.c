// SPDX-License-Identifier: MIT
/*
 * mq_holder hold NAME READY - opens POSIX message queue NAME (made if
 * needed), queues one message, writes "ok" to READY (through a temporary
 * file) and sleeps in pause() until killed.
 * mq_holder replace NAME - unlinks NAME and makes another queue by that
 * name.  mq_holder unlink NAME - unlinks it.
 */
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char tmp[4096];
	FILE *f;
	mqd_t q;

	if (argc == 3 && !strcmp(argv[1], "unlink"))
		return mq_unlink(argv[2]) ? 1 : 0;
	if (argc == 3 && !strcmp(argv[1], "replace")) {
		mq_unlink(argv[2]);
		return mq_open(argv[2], O_CREAT | O_EXCL | O_RDWR, 0600, NULL) < 0;
	}
	if (argc != 4 || strcmp(argv[1], "hold")) {
		fprintf(stderr, "usage: mq_holder hold NAME READY | replace NAME | unlink NAME\n");
		return 2;
	}
	q = mq_open(argv[2], O_CREAT | O_RDWR, 0600, NULL);
	if (q < 0 || mq_send(q, "held", 4, 3)) {
		perror("mq_holder");
		return 1;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[3]);
	f = fopen(tmp, "w");
	if (!f || fputs("ok\n", f) < 0 || fclose(f) || rename(tmp, argv[3]))
		return 1;
	for (;;)
		pause();
}
