// SPDX-License-Identifier: MIT
/*
 * Threads blocked reading at the dump, each on its own object: read(2) on
 * a pipe (of 8 KiB, set with F_SETPIPE_SZ), readv(2) into two buffers on a
 * second pipe, read(2) on a third pipe whose write end the main thread
 * closes after "go" (EOF), and read(2) of an eventfd.
 *
 * After "go" each reader must be back in its read, and get exactly what
 * the main thread writes then: the same bytes, split over the iovecs as
 * readv does, 0 at EOF, the eventfd counter; afterwards nothing is left.
 */
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

#include "progs/thr.h"

enum { R_READ, R_READV, R_EOF, R_EVENTFD, NR_R };

struct reader {
	const char *name;
	long nr;
	int fd, wfd;			/* read end, write end (eventfd: the same) */
	volatile pid_t tid;
	long ret;
	char buf[128], buf2[64];
	uint64_t count;
	volatile int done;
	pthread_t t;
};

static struct reader r[NR_R] = {
	[R_READ] = { .name = "read(pipe)", .nr = SYS_read },
	[R_READV] = { .name = "readv(pipe)", .nr = SYS_readv },
	[R_EOF] = { .name = "read(pipe, write end closed after go)", .nr = SYS_read },
	[R_EVENTFD] = { .name = "read(eventfd)", .nr = SYS_read },
};

static const char msg_read[] = "alpha:0123456789";
static const char msg_readv[] = "0123456789AB";
#define EFD_VALUE 0x123456789ULL

static void *reader_main(void *arg)
{
	struct reader *me = arg;
	struct iovec iov[2] = { { me->buf, 5 }, { me->buf2, sizeof(me->buf2) } };

	me->tid = gettid();
	switch (me - r) {
	case R_READ:
	case R_EOF:
		me->ret = read(me->fd, me->buf, sizeof(me->buf));
		break;
	case R_READV:
		me->ret = readv(me->fd, iov, 2);
		break;
	case R_EVENTFD:
		me->ret = read(me->fd, &me->count, sizeof(me->count));
		break;
	}
	if (me->ret < 0)
		me->ret = -errno;
	__atomic_store_n(&me->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

int main(void)
{
	for (int i = 0; i < NR_R; i++) {
		int p[2];

		if (i == R_EVENTFD) {
			r[i].fd = r[i].wfd = eventfd(0, EFD_CLOEXEC);
			SETUP(r[i].fd >= 0, "eventfd");
		} else {
			SETUP(!pipe2(p, O_CLOEXEC), "pipe2");
			r[i].fd = p[0];
			r[i].wfd = p[1];
		}
	}
	SETUP(fcntl(r[R_READ].fd, F_SETPIPE_SZ, 8192) == 8192, "F_SETPIPE_SZ 8192");
	for (int i = 0; i < NR_R; i++) {
		thr_create(&r[i].t, reader_main, &r[i], 0);
		while (!r[i].tid)
			thr_sleep_ms(1);
	}
	for (int i = 0; i < NR_R; i++)
		THR_SETUP_BLOCKED(r[i].tid, r[i].nr, r[i].name);

	prog_ready();
	prog_wait();

	for (int i = 0; i < NR_R; i++) {
		CHECK(!r[i].done, "%s: returned %ld before go", r[i].name, r[i].ret);
		THR_CHECK_BLOCKED(r[i].tid, r[i].nr, r[i].name);
	}
	CHECK_EQ(fcntl(r[R_READ].fd, F_GETPIPE_SZ), 8192);
	CHECK_EQ(write(r[R_READ].wfd, msg_read, strlen(msg_read)), (long)strlen(msg_read));
	CHECK_EQ(write(r[R_READV].wfd, msg_readv, strlen(msg_readv)), (long)strlen(msg_readv));
	CHECK_EQ(close(r[R_EOF].wfd), 0);
	uint64_t v = EFD_VALUE;
	CHECK_EQ(write(r[R_EVENTFD].wfd, &v, sizeof(v)), (long)sizeof(v));

	for (int i = 0; i < NR_R; i++) {
		int err = thr_join(r[i].t, NULL);

		CHECK(!err, "%s: did not return after go: pthread_join: %s", r[i].name, strerror(err));
	}
	struct reader *x = &r[R_READ];
	if (CHECK(x->ret == (long)strlen(msg_read), "%s returned %ld, expected %zu", x->name, x->ret,
		  strlen(msg_read)))
		CHECK(!memcmp(x->buf, msg_read, x->ret), "%s got '%.*s', expected '%s'", x->name, (int)x->ret,
		      x->buf, msg_read);
	x = &r[R_READV];
	if (CHECK(x->ret == (long)strlen(msg_readv), "%s returned %ld, expected %zu", x->name, x->ret,
		  strlen(msg_readv)))
		CHECK(!memcmp(x->buf, msg_readv, 5) && !memcmp(x->buf2, msg_readv + 5, x->ret - 5),
		      "%s got '%.5s' + '%.*s', expected '%.5s' + '%s'", x->name, x->buf, (int)x->ret - 5, x->buf2,
		      msg_readv, msg_readv + 5);
	x = &r[R_EOF];
	CHECK(x->ret == 0, "%s returned %ld, expected 0 (EOF)", x->name, x->ret);
	x = &r[R_EVENTFD];
	CHECK(x->ret == 8 && x->count == EFD_VALUE, "%s returned %ld with 0x%llx, expected 8 with 0x%llx",
	      x->name, x->ret, (unsigned long long)x->count, (unsigned long long)EFD_VALUE);

	/* Nothing else in the pipes. */
	for (int i = R_READ; i <= R_READV; i++) {
		int left = -1;

		CHECK(!ioctl(r[i].fd, FIONREAD, &left) && left == 0, "%s: %d bytes left in the pipe", r[i].name,
		      left);
	}
	prog_done();
}
