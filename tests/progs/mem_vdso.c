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

static double ts_sec(const struct timespec *ts)
{
	return ts->tv_sec + ts->tv_nsec / 1e9;
}

int main(void)
{
	struct area a0[] = { { "[vdso]", 0, 0 }, { "[vvar]", 0, 0 }, { "[vvar_vclock]", 0, 0 } };
	struct area a1[] = { { "[vdso]", 0, 0 }, { "[vvar]", 0, 0 }, { "[vvar_vclock]", 0, 0 } };
	struct timespec before, v, s;
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
	CHECK(!clock_gettime(CLOCK_MONOTONIC, &v), "clock_gettime");
	CHECK(!prog_sys3(__NR_clock_gettime, CLOCK_MONOTONIC, (long)&s, 0), "clock_gettime syscall");
	CHECK(ts_sec(&v) >= ts_sec(&before) && ts_sec(&s) - ts_sec(&v) >= 0 && ts_sec(&s) - ts_sec(&v) < 1,
	      "CLOCK_MONOTONIC: vDSO %.6f, syscall %.6f, before %.6f", ts_sec(&v), ts_sec(&s), ts_sec(&before));
	CHECK(!clock_gettime(CLOCK_REALTIME, &v) && !prog_sys3(__NR_clock_gettime, CLOCK_REALTIME, (long)&s, 0) &&
	      ts_sec(&s) - ts_sec(&v) >= 0 && ts_sec(&s) - ts_sec(&v) < 1,
	      "CLOCK_REALTIME: vDSO %.6f, syscall %.6f", ts_sec(&v), ts_sec(&s));
	CHECK(!gettimeofday(&tv, NULL) && tv.tv_sec - s.tv_sec < 2 && s.tv_sec - tv.tv_sec < 2, "gettimeofday");
	CHECK(labs(time(NULL) - s.tv_sec) < 2, "time()");
	prog_done();
}
