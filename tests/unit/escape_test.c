// SPDX-License-Identifier: MIT
/*
 * sudcr_escape(): what every message and show print of a path or name
 * from a process or an image.  Printable ASCII and valid UTF-8 stay,
 * a backslash and \n \r \t become two-character escapes, every other
 * control byte, C1 control, overlong form, surrogate and stray byte
 * becomes \xHH; a short buffer is cut between whole escapes.  And the
 * default log function escapes what it prints.
 */
#include <errno.h>
#include <unistd.h>

#include <sudcr/log.h>

#include "harness.h"

static void check_one(const char *in, size_t len, const char *want)
{
	char out[256];
	size_t n = sudcr_escape(out, sizeof(out), in, len);

	CHECK(!strcmp(out, want) && n == strlen(want), "escaped to '%s' (%zu), expected '%s'", out, n, want);
}

static void escapes(void)
{
	check_one("/tmp/plain file", 100, "/tmp/plain file");
	check_one("a\rb\nc\td\\e", 100, "a\\rb\\nc\\td\\\\e");
	check_one("\x1b[2J\x01\x7f", 100, "\\x1b[2J\\x01\\x7f");
	/* UTF-8: é, €, 😀 stay; C1 U+0085, a lone continuation, an overlong '/', a surrogate do not. */
	check_one("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 100, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	check_one("\xc2\x85|\x80|\xc0\xaf|\xed\xa0\x80", 100, "\\xc2\\x85|\\x80|\\xc0\\xaf|\\xed\\xa0\\x80");
	/* A sequence cut by the length is not valid. */
	check_one("\xe2\x82\xac", 2, "\\xe2\\x82");
	/* The length bounds the input; a NUL ends it too. */
	check_one("abcdef", 3, "abc");
	check_one("ab\0cd", 5, "ab");
}

static void short_buffer(void)
{
	char out[6];

	/* "a" then "\r" (2) then "b": 4 bytes fit with the NUL; "\x01" does not. */
	CHECK_EQ(sudcr_escape(out, sizeof(out), "a\rb\x01", 4), 4);
	CHECK(!strcmp(out, "a\\rb"), "got '%s'", out);
	CHECK_EQ(sudcr_escape(out, 1, "abc", 3), 0);
	CHECK(!out[0], "got '%s'", out);
}

static void log_escapes(void)
{
	char buf[256] = "";
	int p[2], saved;
	ssize_t n;

	if (pipe(p)) {
		CHECK(0, "pipe: %s", strerror(errno));
		return;
	}
	fflush(stderr);
	saved = dup(2);
	dup2(p[1], 2);
	sudcr_error("cannot open %s: %s", "/tmp/a\rb\x1b[2J", "No such file");
	dup2(saved, 2);
	close(saved);
	close(p[1]);
	n = read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	buf[n > 0 ? n : 0] = '\0';
	CHECK(!strcmp(buf, "sudcr: cannot open /tmp/a\\rb\\x1b[2J: No such file\n"), "logged '%s'", buf);
}

int main(void)
{
	RUN_TEST(escapes);
	RUN_TEST(short_buffer);
	RUN_TEST(log_escapes);
	return harness_exit();
}
