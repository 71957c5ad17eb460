// SPDX-License-Identifier: MIT
/*
 * Threads blocked writing to full pipes at the dump: each pipe is sized to
 * one page (F_SETPIPE_SZ 4096) and filled by the main thread, then a
 * thread writes 12 KiB more to it: write(2) on one pipe, writev(2) of
 * three buffers on the other.  Nothing of theirs is in the pipe yet.
 *
 * After "go" each writer must be back in its write, the pipes still one
 * page and full; the main thread reads everything: the page it wrote, then
 * the writer's bytes, in order.  Each writer's single call must return the
 * whole length (no short write: nothing interrupted it after restore).
 */
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

#include "progs/thr.h"

#define PIPE_SZ	4096
#define LEN	(3 * 4096)

enum { W_WRITE, W_WRITEV, NR_W };

struct writer {
	const char *name;
	long nr;
	int fd[2];
	volatile pid_t tid;
	unsigned char data[LEN];
	long ret;
	int calls;
	volatile int done;
	pthread_t t;
};

static struct writer w[NR_W] = {
	[W_WRITE] = { .name = "write(full pipe)", .nr = SYS_write },
	[W_WRITEV] = { .name = "writev(full pipe)", .nr = SYS_writev },
};

static void *writer_main(void *arg)
{
	struct writer *me = arg;
	struct iovec iov[3] = { { me->data, 1000 }, { me->data + 1000, 5000 }, { me->data + 6000, LEN - 6000 } };

	me->tid = gettid();
	me->calls++;
	if (me == &w[W_WRITE])
		me->ret = write(me->fd[1], me->data, LEN);
	else
		me->ret = writev(me->fd[1], iov, 3);
	if (me->ret < 0)
		me->ret = -errno;
	__atomic_store_n(&me->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Read exactly @len bytes from @fd (each wait at most THR_TIMEOUT); returns how many came. */
static size_t read_exactly(int fd, unsigned char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, THR_TIMEOUT * 1000) != 1)
			break;
		n = read(fd, buf + got, len - got);
		if (n <= 0)
			break;
		got += n;
	}
	return got;
}

int main(void)
{
	static unsigned char first[PIPE_SZ], buf[PIPE_SZ + LEN];

	prog_fill(first, sizeof(first), 1);
	for (int i = 0; i < NR_W; i++) {
		SETUP(!pipe2(w[i].fd, O_CLOEXEC), "pipe2");
		SETUP(fcntl(w[i].fd[1], F_SETPIPE_SZ, PIPE_SZ) == PIPE_SZ, "F_SETPIPE_SZ");
		SETUP(write(w[i].fd[1], first, PIPE_SZ) == PIPE_SZ, "fill the pipe");
		prog_fill(w[i].data, LEN, 10 + i);
		thr_create(&w[i].t, writer_main, &w[i], 0);
		while (!w[i].tid)
			thr_sleep_ms(1);
	}
	for (int i = 0; i < NR_W; i++)
		THR_SETUP_BLOCKED(w[i].tid, w[i].nr, w[i].name);

	prog_ready();
	prog_wait();

	for (int i = 0; i < NR_W; i++) {
		struct writer *x = &w[i];
		int queued = -1;

		CHECK(!x->done, "%s: returned %ld before go", x->name, x->ret);
		THR_CHECK_BLOCKED(x->tid, x->nr, x->name);
		CHECK_EQ(fcntl(x->fd[0], F_GETPIPE_SZ), PIPE_SZ);
		CHECK(!ioctl(x->fd[0], FIONREAD, &queued) && queued == PIPE_SZ,
		      "%s: %d bytes in the pipe, expected %d", x->name, queued, PIPE_SZ);

		size_t got = read_exactly(x->fd[0], buf, PIPE_SZ + LEN);
		long off;

		CHECK(got == PIPE_SZ + LEN, "%s: read %zu bytes from the pipe, expected %d", x->name, got,
		      PIPE_SZ + LEN);
		if (got >= PIPE_SZ)
			CHECK((off = prog_check_fill(buf, PIPE_SZ, 1)) < 0,
			      "%s: the page in the pipe at the dump differs at byte %ld", x->name, off);
		if (got == PIPE_SZ + LEN)
			CHECK((off = prog_check_fill(buf + PIPE_SZ, LEN, 10 + i)) < 0,
			      "%s: the writer's bytes differ at byte %ld", x->name, off);

		int err = thr_join(x->t, NULL);

		if (CHECK(!err, "%s: pthread_join: %s", x->name, strerror(err)))
			CHECK(x->ret == LEN && x->calls == 1, "%s: returned %ld after %d call(s), expected %d from one",
			      x->name, x->ret, x->calls, LEN);
		queued = -1;
		CHECK(!ioctl(x->fd[0], FIONREAD, &queued) && queued == 0, "%s: %d bytes left in the pipe", x->name,
		      queued);
	}
	prog_done();
}
