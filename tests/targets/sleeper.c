// SPDX-License-Identifier: MIT
/*
 * sleeper FILE - sleeps 20 ms at a time in nanosleep, in a loop, and after
 * each sleep writes "sleeps=N" (fixed width) over FILE.  Nearly always in a
 * restartable sleep: for tests that inject a call into such a thread.
 * sleeper_long_sleep is a timespec of about 34 years, for tests that inject
 * a nanosleep (they find its address with nm and /proc/PID/maps).
 */
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

__attribute__((used)) const struct timespec sleeper_long_sleep = { 1L << 30, 0 };

int main(int argc, char **argv)
{
	const struct timespec nap = { 0, 20 * 1000 * 1000 };
	unsigned long n = 0;
	char line[32];
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: sleeper FILE\n");
		return 2;
	}
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		perror(argv[1]);
		return 2;
	}
	for (;;) {
		int len = snprintf(line, sizeof(line), "sleeps=%-20lu\n", ++n);

		if (pwrite(fd, line, len, 0) != len)
			return 1;
		nanosleep(&nap, NULL);
	}
}
