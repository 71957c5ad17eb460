// SPDX-License-Identifier: MIT
/*
 * sud_status MODE FILE - the SUD counting loop (tests/targets/sud_core.h)
 * with no stdin protocol: it keeps FILE (a regular file) up to date with
 * one line "pid=P calls=C hits=H bad=B" and never exits.  For checks of
 * plain `sudcr dump -t PID -D DIR` / `sudcr restore -D DIR -d`, which need
 * a process whose fds are all its own (no pipes to the test).
 * MODE: selector, range or inclusive.
 * sud_status_long_sleep is a timespec of about 34 years, for tests that
 * inject a nanosleep (they find its address with nm and /proc/PID/maps).
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sud_core.h"

__attribute__((used)) const struct timespec sud_status_long_sleep = { 1L << 30, 0 };

static char *put_ulong(char *p, unsigned long v)
{
	char tmp[24];
	int n = 0;

	do
		tmp[n++] = '0' + v % 10;
	while ((v /= 10));
	while (n)
		*p++ = tmp[--n];
	return p;
}

static char *put_str(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

/* Fixed width, so each update overwrites the previous line entirely. */
static void report(int fd)
{
	char line[128], *p = line;

	p = put_str(p, "pid=");
	p = put_ulong(p, (unsigned long)sud_allowed_syscall(__NR_getpid, 0, 0, 0, 0));
	p = put_str(p, " calls=");
	p = put_ulong(p, sud_calls);
	p = put_str(p, " hits=");
	p = put_ulong(p, sud_hits);
	p = put_str(p, " bad=");
	p = put_ulong(p, sud_bad);
	while (p < line + sizeof(line) - 1)
		*p++ = ' ';
	*p++ = '\n';
	sud_allowed_syscall(__NR_pwrite64, fd, (long)line, p - line, 0);
}

int main(int argc, char **argv)
{
	enum sud_setup setup;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: sud_status selector|range|inclusive FILE\n");
		return 2;
	}
	if (!strcmp(argv[1], "selector"))
		setup = SUD_SELECTOR;
	else if (!strcmp(argv[1], "range"))
		setup = SUD_RANGE;
	else if (!strcmp(argv[1], "inclusive"))
		setup = SUD_INCLUSIVE;
	else
		return 2;
	fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || sud_core_install_handler() || sud_core_arm(setup, NULL)) {
		perror("sud_status setup");
		return 2;
	}
	for (;;) {
		for (int i = 0; i < 4096; i++)
			sud_one_call();
		report(fd);
	}
}
