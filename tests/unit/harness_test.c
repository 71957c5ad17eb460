// SPDX-License-Identifier: MIT
/*
 * The harness itself: a failed CHECK says which condition failed and the
 * message given with it; one without a message names the condition alone;
 * CHECK_EQ gives both values.  Each case runs in a child whose stdout is
 * read back here.
 */
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

/* Run @fn in a child with stdout into a pipe; its output in @buf. */
static int child_output(void (*fn)(void), char *buf, size_t size)
{
	size_t len = 0;
	int p[2], status;
	pid_t pid;

	if (pipe(p))
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		harness_failed = 0;
		harness_begin("inner");
		fn();
		harness_end();
		_exit(harness_exit());
	}
	close(p[1]);
	for (;;) {
		ssize_t n = read(p[0], buf + len, size - 1 - len);

		if (n <= 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	close(p[0]);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void inner_check_message(void)
{
	int answer = 41;

	CHECK(answer == 42, "answer is %d, the file said %s", answer, "42");
}

static void inner_check_bare(void)
{
	CHECK(1 + 1 == 3);
}

static void inner_check_eq(void)
{
	CHECK_EQ(6 * 7, 43);
}

static void inner_pass(void)
{
	CHECK(1 + 1 == 2, "never shown %d", 1);
}

static void check_message_kept(void)
{
	char out[4096];

	CHECK_EQ(child_output(inner_check_message, out, sizeof(out)), 1);
	CHECKF(strstr(out, "FAIL: inner: ") && strstr(out, "check 'answer == 42' failed: answer is 41, the file said 42\n"),
	       "output '%s'", out);
}

static void check_bare(void)
{
	char out[4096];

	CHECK_EQ(child_output(inner_check_bare, out, sizeof(out)), 1);
	CHECKF(strstr(out, "check '1 + 1 == 3' failed\n"), "output '%s'", out);
}

static void check_eq(void)
{
	char out[4096];

	CHECK_EQ(child_output(inner_check_eq, out, sizeof(out)), 1);
	CHECKF(strstr(out, "6 * 7 == 42, expected 43 == 43"), "output '%s'", out);
}

static void check_pass(void)
{
	char out[4096];

	CHECK_EQ(child_output(inner_pass, out, sizeof(out)), 0);
	CHECKF(!strcmp(out, "PASS: inner\n"), "output '%s'", out);
}

int main(void)
{
	RUN_TEST(check_message_kept);
	RUN_TEST(check_bare);
	RUN_TEST(check_eq);
	RUN_TEST(check_pass);
	return harness_exit();
}
