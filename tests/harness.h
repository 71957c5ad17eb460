/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_TEST_HARNESS_H
#define SUDCR_TEST_HARNESS_H

/*
 * Test protocol shared by every test binary: one line per subtest on
 * stdout, "PASS: name", "FAIL: name: why" or "SKIP: name: why".  The runner
 * (tests/run.c) counts these lines; a binary that dies or exits non-zero
 * without printing FAIL counts as one failure, and one printing nothing
 * counts as a failure too.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int harness_failed;
static int harness_subtest_failed;
static const char *harness_cur;

static inline void harness_begin(const char *name)
{
	harness_cur = name;
	harness_subtest_failed = 0;
}

static inline void harness_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (harness_subtest_failed++)
		return;	/* one FAIL line per subtest */
	printf("FAIL: %s: %s:%d: ", harness_cur ? harness_cur : "?", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	harness_failed++;
}

static inline void harness_end(void)
{
	if (!harness_subtest_failed)
		printf("PASS: %s\n", harness_cur);
	fflush(stdout);
	harness_cur = NULL;
}

static inline void harness_skip(const char *name, const char *why)
{
	printf("SKIP: %s: %s\n", name, why);
	fflush(stdout);
}

static inline int harness_exit(void)
{
	return harness_failed ? 1 : 0;
}

/* Run one subtest: TEST(name) { body } is not C, so use a function. */
#define RUN_TEST(fn)                 \
	do {                         \
		harness_begin(#fn);  \
		fn();                \
		harness_end();       \
	} while (0)

/*
 * CHECK(cond) or CHECK(cond, "fmt", ...): the FAIL line names the condition
 * and, when given, the message (a string literal, checked as a format).
 */
static inline __attribute__((format(printf, 4, 5))) void
harness_check_failed(const char *file, int line, const char *cond, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	/* fmt is ": " plus the caller's: just ": " when there was none. */
	if (!fmt[2]) {
		harness_fail(file, line, "check '%s' failed", cond);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	harness_fail(file, line, "check '%s' failed%s", cond, msg);
}

#define CHECK(cond, ...)                                                             \
	do {                                                                         \
		if (!(cond))                                                         \
			harness_check_failed(__FILE__, __LINE__, #cond, ": " __VA_ARGS__); \
	} while (0)

#define CHECKF(cond, fmt, ...)                                              \
	do {                                                                \
		if (!(cond))                                                \
			harness_fail(__FILE__, __LINE__, fmt, ##__VA_ARGS__); \
	} while (0)

#define CHECK_EQ(a, b)                                                        \
	do {                                                                  \
		long long _a = (long long)(a), _b = (long long)(b);           \
		if (_a != _b)                                                 \
			harness_fail(__FILE__, __LINE__, "%s == %lld, expected %s == %lld", \
				     #a, _a, #b, _b);                         \
	} while (0)

#endif
