// SPDX-License-Identifier: MIT
/*
 * The coredump filter (lib/kinds/coredump_filter.c) comes back as it was,
 * not as the restorer's (0x33 by default): 0x5e sets bits on and off.
 */
#include "progs/prog.h"

static long read_filter(const char *path)
{
	char buf[32];
	long n = prog_read_file(path, buf, sizeof(buf));

	return n > 0 ? strtol(buf, NULL, 16) : -1000 + n;
}

int main(void)
{
	char by_pid[64];
	int fd;

	fd = open("/proc/self/coredump_filter", O_WRONLY);
	SETUP(fd >= 0 && write(fd, "0x5e", 4) == 4, "write /proc/self/coredump_filter");
	close(fd);
	SETUP(read_filter("/proc/self/coredump_filter") == 0x5e, "coredump_filter not set");

	prog_ready();
	prog_wait();

	snprintf(by_pid, sizeof(by_pid), "/proc/%d/coredump_filter", getpid());
	CHECK_EQ(read_filter("/proc/self/coredump_filter"), 0x5e);
	CHECK_EQ(read_filter(by_pid), 0x5e);
	prog_done();
}
