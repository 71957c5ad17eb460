// SPDX-License-Identifier: MIT
/*
 * sud_status_mt FILE - four threads, each with its own SUD setup
 * (exclusive with a selector, exclusive with an allowed range and no
 * selector, inclusive, off), busy-looping on checked getppid calls (the
 * per-thread counting of tests/progs/thr_sud.h).  The main thread, which
 * has no SUD, rewrites FILE every 20 ms with one line per worker:
 *   w<i> tid=T calls=C hits=H bad=B
 * For checks of plain `sudcr dump -t PID -D DIR` / `sudcr restore -D DIR -d`.
 */
#include <fcntl.h>

#include "progs/thr_sud.h"

static struct thr_sud w[] = {
	{ .mode = TS_SELECTOR, .salt = 0x100 },
	{ .mode = TS_RANGE, .salt = 0x200 },
	{ .mode = TS_INCLUSIVE, .salt = 0x300 },
	{ .mode = TS_OFF, .salt = 0x400 },
};
#define NR_W ((int)(sizeof(w) / sizeof(w[0])))

static void *worker(void *arg)
{
	struct thr_sud *s = arg;

	if (thr_sud_arm(s))
		s->bad = 1000000;
	for (;;)
		thr_sud_call(s);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;
	int fd;

	if (argc != 2 || thr_sud_install_handler())
		return 2;
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return 2;
	for (int i = 0; i < NR_W; i++)
		if (pthread_create(&t, NULL, worker, &w[i]))
			return 2;
	for (;;) {
		char buf[1024];
		int n = 0;

		for (int i = 0; i < NR_W; i++)
			n += snprintf(buf + n, sizeof(buf) - n, "w%d tid=%d calls=%lu hits=%lu bad=%lu\n", i,
				      w[i].tid, w[i].calls, w[i].hits, w[i].bad + w[i].wrong_tid);
		if (pwrite(fd, buf, n, 0) != n || ftruncate(fd, n))
			return 3;
		usleep(20000);
	}
}
