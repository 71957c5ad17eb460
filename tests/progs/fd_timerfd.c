// SPDX-License-Identifier: MIT
/*
 * timerfds, each checked after restore:
 *  - fired: a one-shot timer that expired once, not read: reads 1 and is
 *    disarmed;
 *  - slow: an interval timer (10 s) that expired once, not read: reads
 *    exactly 1 (an image taken without moving it to its next expiry, or
 *    without its tick, reads 2 or nothing), then waits ~10 s again;
 *  - fast: an interval timer of 100 ms, non-blocking, close-on-exec: same
 *    interval, and it keeps firing at 10 per second;
 *  - off: armed, then disarmed, blocking: stays disarmed and unreadable;
 *  - boot: one hour on CLOCK_BOOTTIME: same clock, about an hour left;
 *  - mabs: absolute on CLOCK_MONOTONIC, an hour ahead: still absolute,
 *    about an hour left (that clock starts again at boot: what was left
 *    counts, not the expiry);
 *  - wall: absolute on CLOCK_REALTIME with TFD_TIMER_CANCEL_ON_SET, an hour
 *    ahead: same flags, same wall-clock expiry.
 */
#include <poll.h>
#include <sys/timerfd.h>

#include "progs/prog.h"

#define MS 1000000L

/* A line of the fdinfo of @fd ("clockid", "settime flags") as a number; -1 if none. */
static long fdinfo_num(int fd, const char *key, int base)
{
	char path[64], buf[4096], want[64], *p;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	snprintf(want, sizeof(want), "\n%s:", key);
	if (prog_read_file(path, buf, sizeof(buf)) < 0 || !(p = strstr(buf, want)))
		return -1;
	return strtol(p + strlen(want), NULL, base);
}

static double ts_sec(const struct timespec *ts)
{
	return ts->tv_sec + ts->tv_nsec / 1e9;
}

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts_sec(&ts);
}

static uint64_t read_ticks(int fd)
{
	uint64_t n = 0;

	if (read(fd, &n, 8) != 8)
		return 0;
	return n;
}

static int make_timer(int clock, int flags, int sflags, long val_s, long val_ns, long int_s,
		      long int_ns)
{
	struct itimerspec its = { { int_s, int_ns }, { val_s, val_ns } };
	int fd = timerfd_create(clock, flags);

	SETUP(fd >= 0, "timerfd_create(%d)", clock);
	SETUP(!timerfd_settime(fd, sflags, &its, NULL), "timerfd_settime");
	return fd;
}

int main(void)
{
	int fired, slow, fast, off, boot, mabs, wall, fl_fast, fl_off;
	struct timespec mono;
	struct itimerspec its, zero = { 0 };
	struct pollfd p;
	double t0 = prog_now(), wall_at, t, span;
	uint64_t n;

	fired = make_timer(CLOCK_MONOTONIC, TFD_NONBLOCK, 0, 0, 10 * MS, 0, 0);
	slow = make_timer(CLOCK_MONOTONIC, TFD_NONBLOCK, 0, 0, 10 * MS, 10, 0);
	fast = make_timer(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC, 0, 0, 100 * MS, 0, 100 * MS);
	off = make_timer(CLOCK_MONOTONIC, 0, 0, 0, 50 * MS, 0, 0);
	SETUP(!timerfd_settime(off, 0, &zero, NULL), "disarm");
	boot = make_timer(CLOCK_BOOTTIME, TFD_NONBLOCK, 0, 3600, 0, 0, 0);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	mabs = make_timer(CLOCK_MONOTONIC, TFD_NONBLOCK, TFD_TIMER_ABSTIME, mono.tv_sec + 3600,
			  mono.tv_nsec, 0, 0);
	wall_at = (double)(long)wall_now() + 3600;
	wall = make_timer(CLOCK_REALTIME, TFD_NONBLOCK, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET,
			  (long)wall_at, 0, 0, 0);
	fl_fast = fcntl(fast, F_GETFL);
	fl_off = fcntl(off, F_GETFL);
	/* fired and slow expire meanwhile, and nobody reads them. */
	usleep(60000);

	prog_ready();
	prog_wait();

	/* fired: its one expiry, and nothing more. */
	CHECK_EQ(read_ticks(fired), 1);
	CHECK(!timerfd_gettime(fired, &its) && !its.it_value.tv_sec && !its.it_value.tv_nsec &&
	      !its.it_interval.tv_sec && !its.it_interval.tv_nsec, "fired: armed again");
	CHECK(read_ticks(fired) == 0 && errno == EAGAIN, "fired: readable twice");

	/* slow: one expiry, the next some 10 s after the first. */
	CHECK_EQ(read_ticks(slow), 1);
	CHECK(!timerfd_gettime(slow, &its), "gettime slow");
	CHECK(its.it_interval.tv_sec == 10 && its.it_interval.tv_nsec == 0, "slow: interval %ld.%09ld",
	      (long)its.it_interval.tv_sec, its.it_interval.tv_nsec);
	t = ts_sec(&its.it_value);
	CHECK(t > 10 - (prog_now() - t0) - 0.5 && t <= 10, "slow: %.3f s left", t);

	/* fast: same interval, flags, and ten expirations a second. */
	CHECK_EQ(fcntl(fast, F_GETFL), fl_fast);
	CHECK_EQ(fcntl(fast, F_GETFD), FD_CLOEXEC);
	CHECK(!timerfd_gettime(fast, &its) && its.it_interval.tv_sec == 0 &&
	      its.it_interval.tv_nsec == 100 * MS, "fast: interval %ld.%09ld",
	      (long)its.it_interval.tv_sec, its.it_interval.tv_nsec);
	CHECK(ts_sec(&its.it_value) > 0 && ts_sec(&its.it_value) <= 0.1, "fast: %.3f s left",
	      ts_sec(&its.it_value));
	/*
	 * The expirations between two reads: at most one more than fit in
	 * the time from before the first read to after the second, at least
	 * one less than fit from after the first to before the second.
	 */
	{
		double before_first, after_first, before_second;

		before_first = prog_now();
		read_ticks(fast);
		after_first = prog_now();
		usleep(600000);
		before_second = prog_now();
		n = read_ticks(fast);
		span = prog_now() - before_first;
		CHECK(n <= span * 10 + 1 && n + 1 >= (before_second - after_first) * 10,
		      "fast: %llu expirations in %.3f to %.3f s", (unsigned long long)n,
		      before_second - after_first, span);
	}

	/* off: disarmed, blocking, never readable. */
	CHECK_EQ(fcntl(off, F_GETFL), fl_off);
	CHECK_EQ(fcntl(off, F_GETFD), 0);
	CHECK(!timerfd_gettime(off, &its) && !its.it_value.tv_sec && !its.it_value.tv_nsec,
	      "off: armed");
	p = (struct pollfd){ .fd = off, .events = POLLIN };
	CHECK(poll(&p, 1, 100) == 0, "off: readable");

	/* boot: its clock, an hour less the time the test ran. */
	CHECK_EQ(fdinfo_num(boot, "clockid", 10), CLOCK_BOOTTIME);
	CHECK(!timerfd_gettime(boot, &its), "gettime boot");
	t = ts_sec(&its.it_value);
	CHECK(t <= 3600 && t > 3600 - (prog_now() - t0) - 1, "boot: %.3f s left", t);

	/* mabs: absolute, an hour less the time the test ran. */
	CHECK_EQ(fdinfo_num(mabs, "settime flags", 8), TFD_TIMER_ABSTIME);
	CHECK(!timerfd_gettime(mabs, &its), "gettime mabs");
	t = ts_sec(&its.it_value);
	CHECK(t <= 3600 && t > 3600 - (prog_now() - t0) - 1, "mabs: %.3f s left", t);

	/* wall: absolute, cancel on set, same expiry on the wall clock. */
	CHECK_EQ(fdinfo_num(wall, "clockid", 10), CLOCK_REALTIME);
	CHECK_EQ(fdinfo_num(wall, "settime flags", 8), TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET);
	/* The wall clock read on each side of the reading: the expiry is between. */
	{
		double w0 = wall_now(), w1;

		CHECK(!timerfd_gettime(wall, &its), "gettime wall");
		w1 = wall_now();
		t = ts_sec(&its.it_value);
		CHECK(w0 + t <= wall_at + 0.001 && w1 + t >= wall_at - 0.001,
		      "wall: expires between %.3f and %.3f, not at %.3f", w0 + t, w1 + t, wall_at);
	}
	prog_done();
}
