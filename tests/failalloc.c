// SPDX-License-Identifier: MIT
/*
 * Allocation-failure injection for the test build of sudcr
 * (build/tests/sudcr-failalloc, linked with --wrap=malloc,calloc,realloc):
 * with SUDCR_FAIL_ALLOC=N in the environment, the Nth malloc, calloc or
 * realloc made by sudcr's own code (not libc's inside) fails with ENOMEM,
 * and a line "sudcr-failalloc: failing allocation N" goes to stderr, so a
 * test knows the failure was reached.  Only in this binary: the real
 * sudcr has no such hook.  Counted per process (a stub forked by a
 * restore goes on counting from its parent's count).
 */
#include <errno.h>
#include <execinfo.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);

static long fail_at = -1;
static long count;

static int should_fail(void)
{
	char msg[64] = "sudcr-failalloc: failing allocation ";
	char num[24];
	int len = 0;
	long v;

	if (fail_at < 0) {
		const char *s = getenv("SUDCR_FAIL_ALLOC");

		fail_at = s ? atol(s) : 0;
	}
	if (!fail_at || ++count != fail_at)
		return 0;
	for (v = fail_at; v && len < (int)sizeof(num); v /= 10)
		num[len++] = '0' + v % 10;
	for (size_t o = strlen(msg); len && o < sizeof(msg) - 2; o++)
		msg[o] = num[--len], msg[o + 1] = '\0';
	strcat(msg, "\n");
	if (write(2, msg, strlen(msg)) < 0)
		return 1;
	if (getenv("SUDCR_FAIL_ALLOC_TRACE")) {
		void *bt[16];

		backtrace_symbols_fd(bt, backtrace(bt, 16), 2);
	}
	return 1;
}

void *__wrap_malloc(size_t n)
{
	if (should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	if (should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
	if (should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_realloc(p, n);
}
