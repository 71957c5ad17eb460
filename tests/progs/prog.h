/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_TESTS_PROG_H
#define SUDCR_TESTS_PROG_H

/*
 * Self-checking programs for the dump/restore suite: tests/progs/NAME.c,
 * built as build/tests/progs/NAME and driven by the "progs" kind of
 * tests/run.c.  Each program owns one kind of state.
 *
 * Protocol (stdin, stdout and stderr are pipes from the runner):
 *   1. set up the state, then write "READY\n" (prog_ready());
 *   2. block reading one line from stdin (prog_wait(): a blocking read(0)).
 *      Meanwhile the runner dumps the process and restores it (it comes
 *      back with the same pipes, by --shell-job), or dumps it with
 *      --leave-running; then it writes "go\n";
 *   3. verify that everything is as it was, write "PASS\n" and exit 0, or
 *      "FAIL: reason\n" and exit 1 (prog_done()).
 * A program that cannot run here writes "SKIP: reason\n" instead of READY
 * and exits 0 (prog_skip()); one whose setup fails writes "FAIL: ..." and
 * exits 1 (SETUP()).  EOF on stdin means the runner is gone: exit 2.
 * Diagnostics go to stderr, which the runner shows when a test fails.
 *
 * How the runner treats a program (expected dump failure, stopped state,
 * ...) is said by tag lines at the top of its .c file, "// sudcr-test: TAG
 * ARGS"; tests/run.c lists the tags.
 *
 * Output and the wait use raw syscalls, not stdio: nothing is buffered at
 * the dump, and a program can tell exactly which syscall it is blocked in.
 * Scratch files go into $TESTTMP (prog_path()), which the runner empties
 * for each test; a program runs twice there (once per variant), so it
 * creates its files afresh.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "targets/sud_raw.h"

#define PROG_UNUSED __attribute__((unused))

/* Raw syscalls, past libc: the ones of tests/targets/sud_raw.h. */
#define prog_sys3 sud_raw_syscall3
#define prog_sys4 sud_raw_syscall4

static inline void prog_write_all(int fd, const char *p, size_t len)
{
	while (len) {
		long n = prog_sys3(__NR_write, fd, (long)p, (long)len);

		if (n == -EINTR)
			continue;
		if (n <= 0)
			prog_sys3(__NR_exit_group, 3, 0, 0);
		p += n;
		len -= n;
	}
}

static inline void prog_puts(const char *s)
{
	prog_write_all(1, s, strlen(s));
}

static inline __attribute__((format(printf, 1, 2))) void prog_log(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	prog_write_all(2, buf, n);
}

/*
 * Read one line from stdin into @buf (NUL-terminated, newline dropped),
 * with a blocking read(0) that is restarted after EINTR.  Returns the
 * length.  Reads one byte at a time: nothing after the line is consumed.
 */
static inline size_t prog_read_line(char *buf, size_t size)
{
	size_t len = 0;

	for (;;) {
		char c;
		long n = prog_sys3(__NR_read, 0, (long)&c, 1);

		if (n == -EINTR)
			continue;
		if (n == 0)
			prog_sys3(__NR_exit_group, 2, 0, 0);
		if (n < 0)
			prog_sys3(__NR_exit_group, 3, 0, 0);
		if (c == '\n')
			break;
		if (len + 1 < size)
			buf[len++] = c;
	}
	buf[len] = '\0';
	return len;
}

static inline void prog_ready(void)
{
	prog_puts("READY\n");
}

/* Step 2: wait for "go". */
static inline void prog_wait(void)
{
	char line[64];

	prog_read_line(line, sizeof(line));
	if (strcmp(line, "go"))
		prog_log("expected 'go', got '%s'", line);
}

/* ---- verdicts ---- */

static char prog_why[768];
static int prog_nr_failed;

static inline __attribute__((format(printf, 2, 3))) void prog_failf(int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Every failure goes to stderr; the first one is the verdict. */
	prog_log("line %d: %s", line, msg);
	if (!prog_nr_failed++)
		snprintf(prog_why, sizeof(prog_why), "line %d: %s", line, msg);
}

/* CHECK(cond, fmt, ...): note a failure and go on; true if cond holds. */
#define CHECK(cond, ...)                                    \
	({                                                  \
		int _ok = !!(cond);                         \
		if (!_ok)                                   \
			prog_failf(__LINE__, __VA_ARGS__);  \
		_ok;                                        \
	})

#define CHECK_EQ(a, b)                                                                       \
	({                                                                                   \
		long long _a = (long long)(a), _b = (long long)(b);                          \
		CHECK(_a == _b, "%s is %lld (0x%llx), expected %s = %lld (0x%llx)", #a, _a, \
		      (unsigned long long)_a, #b, _b, (unsigned long long)_b);               \
	})

/* Step 3: the verdict. */
static inline __attribute__((noreturn)) void prog_done(void)
{
	char line[sizeof(prog_why) + 64];

	if (!prog_nr_failed) {
		prog_puts("PASS\n");
		_exit(0);
	}
	if (prog_nr_failed > 1)
		snprintf(line, sizeof(line), "FAIL: %s (and %d more, see stderr)\n", prog_why,
			 prog_nr_failed - 1);
	else
		snprintf(line, sizeof(line), "FAIL: %s\n", prog_why);
	prog_puts(line);
	_exit(1);
}

static inline __attribute__((noreturn, format(printf, 1, 2))) void prog_skip(const char *fmt, ...)
{
	char msg[512], line[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(line, sizeof(line), "SKIP: %s\n", msg);
	prog_puts(line);
	_exit(0);
}

static inline __attribute__((noreturn, format(printf, 2, 3))) void prog_setup_failed(int line,
										 const char *fmt, ...)
{
	char msg[512], out[600];
	va_list ap;
	int err = errno;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(out, sizeof(out), "FAIL: setup, line %d: %s (errno %d: %s)\n", line, msg, err,
		 strerror(err));
	prog_puts(out);
	_exit(1);
}

/* SETUP(cond, fmt, ...): before READY; a false cond ends the program. */
#define SETUP(cond, ...)                                         \
	do {                                                     \
		if (!(cond))                                     \
			prog_setup_failed(__LINE__, __VA_ARGS__); \
	} while (0)

/* ---- small helpers ---- */

/* $TESTTMP/@name, in a static buffer (one of four, round robin). */
static inline PROG_UNUSED const char *prog_path(const char *name)
{
	static char bufs[4][4096];
	static int next;
	const char *dir = getenv("TESTTMP");
	char *b = bufs[next++ % 4];

	snprintf(b, sizeof(bufs[0]), "%s/%s", dir && *dir ? dir : "/tmp", name);
	return b;
}

/* Read a whole (small) file; returns its length or -errno.  NUL-terminated. */
static inline PROG_UNUSED long prog_read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;

	if (fd < 0)
		return -errno;
	while (len + 1 < size) {
		ssize_t n = read(fd, buf + len, size - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;

			close(fd);
			return -err;
		}
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	return len;
}

/* The value of "Key:" in /proc/self/status (up to the newline), "" if none. */
static inline PROG_UNUSED const char *prog_status(const char *key, char *val, size_t size)
{
	char buf[8192], want[64], *p;

	val[0] = '\0';
	snprintf(want, sizeof(want), "\n%s:", key);
	if (prog_read_file("/proc/self/status", buf, sizeof(buf)) > 0 && (p = strstr(buf, want))) {
		p += strlen(want);
		p += strspn(p, " \t");
		snprintf(val, size, "%.*s", (int)strcspn(p, "\n"), p);
	}
	return val;
}

/* The /proc/self/maps line of the mapping that holds @addr (newline dropped). */
static inline PROG_UNUSED int prog_maps_line(const void *addr, char *line, size_t size)
{
	static char buf[1 << 17];
	unsigned long a = (unsigned long)addr;
	char *p, *nl;

	if (prog_read_file("/proc/self/maps", buf, sizeof(buf)) < 0)
		return -1;
	for (p = buf; *p; p = nl + 1) {
		unsigned long s, e;

		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		if (sscanf(p, "%lx-%lx", &s, &e) == 2 && a >= s && a < e) {
			snprintf(line, size, "%.*s", (int)(nl - p), p);
			return 0;
		}
		if (!*nl)
			break;
	}
	return -1;
}

/*
 * The VmFlags of the mapping that holds @addr, from /proc/self/smaps, as
 * " rd wr mr ... " (spaces around every flag, for strstr(" dc ")).
 */
static inline PROG_UNUSED int prog_vmflags(const void *addr, char *flags, size_t size)
{
	static char buf[1 << 20];
	unsigned long a = (unsigned long)addr;
	int in = 0;
	char *p, *nl;

	if (prog_read_file("/proc/self/smaps", buf, sizeof(buf)) < 0)
		return -1;
	for (p = buf; *p; p = nl + 1) {
		unsigned long s, e;
		char c;

		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		/* A mapping's header line: "start-end perms ...". */
		if (sscanf(p, "%lx-%lx %c", &s, &e, &c) == 3 && p[strspn(p, "0123456789abcdef")] == '-')
			in = a >= s && a < e;
		else if (in && !strncmp(p, "VmFlags:", 8)) {
			snprintf(flags, size, "%.*s ", (int)(nl - p - 8), p + 8);
			return 0;
		}
		if (!*nl)
			break;
	}
	return -1;
}

/* Fill @len bytes at @p with a pattern that depends on @seed and the offset. */
static inline PROG_UNUSED void prog_fill(void *p, size_t len, uint64_t seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1;
	unsigned char *b = p;

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		b[i] = (unsigned char)x;
	}
}

/* Offset of the first byte that differs from prog_fill(@seed), or -1. */
static inline PROG_UNUSED long prog_check_fill(const void *p, size_t len, uint64_t seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1;
	const unsigned char *b = p;

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (b[i] != (unsigned char)x)
			return (long)i;
	}
	return -1;
}

/*
 * The process's start time on CLOCK_BOOTTIME (field 22 of
 * /proc/self/stat, rounded down to a clock tick), -1 if unreadable.  A
 * restored process is a new one, made after the dump: this changes.
 */
static inline PROG_UNUSED double prog_start_time(void)
{
	char buf[1024], *p;
	unsigned long long ticks = 0;

	if (prog_read_file("/proc/self/stat", buf, sizeof(buf)) <= 0 || !(p = strrchr(buf, ')')))
		return -1;
	/* p is at the end of field 2. */
	for (int f = 2; f < 22 && p; f++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", &ticks) != 1)
		return -1;
	return (double)ticks / sysconf(_SC_CLK_TCK);
}

static inline PROG_UNUSED double prog_boottime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline PROG_UNUSED double prog_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Use @sec seconds of CPU time: timers of CPU clocks move, and a timer
 * restored to its initial value instead of what was left shows.
 */
static inline PROG_UNUSED void prog_burn_cpu(double sec)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	do
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	while (t.tv_sec - t0.tv_sec + (t.tv_nsec - t0.tv_nsec) / 1e9 < sec);
}

#endif
