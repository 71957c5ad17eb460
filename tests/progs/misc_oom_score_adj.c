// SPDX-License-Identifier: MIT
/*
 * oom_score_adj comes back as it was (it came back as sudcr's, 0).  400 is
 * above the value and floor a process starts with, so any writer may set
 * it; the test reads the value through /proc/self and through the PID.
 */
#include "progs/prog.h"

static long read_adj(const char *path)
{
	char buf[32];
	long n = prog_read_file(path, buf, sizeof(buf));

	return n > 0 ? strtol(buf, NULL, 10) : -10000 + n;
}

int main(void)
{
	char by_pid[64];
	int fd;

	fd = open("/proc/self/oom_score_adj", O_WRONLY);
	SETUP(fd >= 0 && write(fd, "400", 3) == 3, "write /proc/self/oom_score_adj");
	close(fd);
	SETUP(read_adj("/proc/self/oom_score_adj") == 400, "oom_score_adj not set");

	prog_ready();
	prog_wait();

	snprintf(by_pid, sizeof(by_pid), "/proc/%d/oom_score_adj", getpid());
	CHECK_EQ(read_adj("/proc/self/oom_score_adj"), 400);
	CHECK_EQ(read_adj(by_pid), 400);
	/* And it is in force: lowering it again is allowed down to the old floor. */
	fd = open("/proc/self/oom_score_adj", O_WRONLY);
	CHECK(fd >= 0 && write(fd, "0", 1) == 1, "cannot lower oom_score_adj to 0: %s",
	      strerror(errno));
	close(fd);
	CHECK_EQ(read_adj("/proc/self/oom_score_adj"), 0);
	prog_done();
}
