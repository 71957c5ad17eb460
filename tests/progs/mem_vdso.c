// SPDX-License-Identifier: MIT
/*
 * The vDSO and vvar areas come back at their old addresses (glibc keeps
 * pointers into the vDSO, so a moved vDSO crashes the next clock_gettime)
 * and work: the vDSO clocks agree with the syscall clocks.
 */
#include <sys/auxv.h>
#include <sys/time.h>
#include <time.h>

#include "progs/prog.h"

struct area {
	const char *name;
	unsigned long start, end;
};

static void find_areas(struct area *a, int n)
{
	static char buf[1 << 17];
	char *p;

	for (int i = 0; i < n; i++)
		a[i].start = a[i].end = 0;
	if (prog_read_file("/proc/self/maps", buf, sizeof(buf)) < 0)
		return;
	for (p = strtok(buf, "\n"); p; p = strtok(NULL, "\n")) {
		unsigned long s, e;
		char *name = strrchr(p, ' ');

		if (!name || sscanf(p, "%lx-%lx", &s, &e) != 2)
			continue;
		for (int i = 0; i < n; i++)
			if (!strcmp(name + 1, a[i].name)) {
				a[i].start = s;
				a[i].end = e;
			}
	}
}

static long long ts_ns(const struct timespec *ts)
{
	return ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

static double ts_sec(const struct timespec *ts)
{
	return ts->tv_sec + ts->tv_nsec / 1e9;
}

int main(void)
{
	struct area a0[] = { { "[vdso]", 0, 0 }, { "[vvar]", 0, 0 }, { "[vvar_vclock]", 0, 0 } };
	struct area a1[] = { { "[vdso]", 0, 0 }, { "[vvar]", 0, 0 }, { "[vvar_vclock]", 0, 0 } };
	struct timespec before, v, s0, s;
	struct timeval tv;
	unsigned long ehdr = getauxval(AT_SYSINFO_EHDR);

	find_areas(a0, 3);
	SETUP(a0[0].start && a0[0].start == ehdr, "no vDSO");
	clock_gettime(CLOCK_MONOTONIC, &before);

	prog_ready();
	prog_wait();

	find_areas(a1, 3);
	for (int i = 0; i < 3; i++)
		CHECK(a0[i].start == a1[i].start && a0[i].end == a1[i].end, "%s is at %lx-%lx, was %lx-%lx",
		      a0[i].name, a1[i].start, a1[i].end, a0[i].start, a0[i].end);
	CHECK_EQ(getauxval(AT_SYSINFO_EHDR), ehdr);
	/*
	 * Each vDSO reading lies between two syscall readings of the same
	 * clock (s0 and s): ordering, no time window.
	 */
	CHECK(!prog_sys3(__NR_clock_gettime, CLOCK_MONOTONIC, (long)&s0, 0), "clock_gettime syscall");
	CHECK(!clock_gettime(CLOCK_MONOTONIC, &v), "clock_gettime");
	CHECK(!prog_sys3(__NR_clock_gettime, CLOCK_MONOTONIC, (long)&s, 0), "clock_gettime syscall");
	CHECK(ts_ns(&v) >= ts_ns(&before) && ts_ns(&v) >= ts_ns(&s0) && ts_ns(&v) <= ts_ns(&s),
	      "CLOCK_MONOTONIC: vDSO %.9f, syscall %.9f and %.9f, before %.9f", ts_sec(&v), ts_sec(&s0),
	      ts_sec(&s), ts_sec(&before));
	CHECK(!prog_sys3(__NR_clock_gettime, CLOCK_REALTIME, (long)&s0, 0) && !clock_gettime(CLOCK_REALTIME, &v) &&
	      !prog_sys3(__NR_clock_gettime, CLOCK_REALTIME, (long)&s, 0) &&
	      ts_ns(&v) >= ts_ns(&s0) && ts_ns(&v) <= ts_ns(&s),
	      "CLOCK_REALTIME: vDSO %.9f, syscall %.9f and %.9f", ts_sec(&v), ts_sec(&s0), ts_sec(&s));
	CHECK(!prog_sys3(__NR_clock_gettime, CLOCK_REALTIME, (long)&s0, 0) && !gettimeofday(&tv, NULL) &&
	      !prog_sys3(__NR_clock_gettime, CLOCK_REALTIME, (long)&s, 0) &&
	      tv.tv_sec * 1000000LL + tv.tv_usec >= ts_ns(&s0) / 1000 &&
	      tv.tv_sec * 1000000LL + tv.tv_usec <= ts_ns(&s) / 1000,
	      "gettimeofday %ld.%06ld, syscall %.9f and %.9f", (long)tv.tv_sec, (long)tv.tv_usec, ts_sec(&s0),
	      ts_sec(&s));
	/* time() is the coarse clock: it may lag a tick behind, so one second less. */
	{
		time_t t;

		prog_sys3(__NR_clock_gettime, CLOCK_REALTIME, (long)&s0, 0);
		t = time(NULL);
		prog_sys3(__NR_clock_gettime, CLOCK_REALTIME, (long)&s, 0);
		CHECK(t >= s0.tv_sec - 1 && t <= s.tv_sec, "time() %ld, syscall %ld and %ld", (long)t,
		      (long)s0.tv_sec, (long)s.tv_sec);
	}
	prog_done();
}
