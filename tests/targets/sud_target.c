// SPDX-License-Identifier: MIT
/*
 * sud_target MODE - a program that uses Syscall User Dispatch and checks,
 * call by call, that its interception works.  Built for x86-64 and ia32.
 *
 * In a busy loop it makes the checked getppid calls of sud_core.h (see
 * there how a lost interception, or a dispatch of a call the loop did not
 * make, shows in the counts hits, calls and bad).
 *
 * Modes:
 *   selector     exclusive, no range, selector byte: ALLOW normally, BLOCK
 *                just before each getppid; the handler sets ALLOW first.
 *   seccomp      selector, plus a seccomp filter that kills the process on
 *                a real getppid.  The loop's getppid calls are all dispatched
 *                (SUD acts before seccomp), so the process survives unless
 *                a getppid really runs: an injected one with seccomp not
 *                suspended, or a loop call whose interception was lost.
 *   range        exclusive, allowed range = the "sud_allowed" section, no
 *                selector: every syscall issued elsewhere is dispatched.
 *                All other syscalls, and rt_sigreturn (our own restorer),
 *                are issued from that section.
 *   inclusive    inclusive mode (PR_SYS_DISPATCH_INCLUSIVE_ON): syscalls
 *                issued from the "sud_intercept" section are dispatched.
 *   selector-ro  selector on a page made read-only after setup, staying at
 *                ALLOW: intercepts nothing (hits stays 0).  For injection
 *                tests: the selector cannot be written to suspend SUD.
 *   off          no SUD; same loop, real getppid (hits stays 0).
 *
 * Protocol: stdin and stdout are pipes from the test.
 *   after setup      the target writes "READY <pid>\n"
 *   "check\n"        -> "hits=H calls=C bad=B\n"
 *   "tid\n"          -> "tid=T\n"
 *   "wait\n"         -> "waiting\n", then blocks in read(0) until the next
 *                       line arrives (that line is then handled as a command)
 *   "quit\n"         -> "hits=H calls=C bad=B\n", exit 0 if bad == 0,
 *                       calls > 0 and hits == calls (hits == 0 in modes off
 *                       and selector-ro), else exit 1
 *   unknown line     -> "unknown command\n"
 *   EOF on stdin     -> exit 2 (the test is gone: never spin on as an orphan)
 * Setup errors exit 2 with a message on stderr.
 *
 * The loop and the handler call no libc function: in mode range any libc
 * syscall would be dispatched.  Setup uses libc before SUD is armed.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sud_core.h"

#define POLL_EVERY	1000

enum target_mode {
	MODE_OFF,
	MODE_SELECTOR,
	MODE_SECCOMP,
	MODE_RANGE,
	MODE_INCLUSIVE,
	MODE_SELECTOR_RO,
};

static const char *const mode_names[] = {
	[MODE_OFF] = "off",
	[MODE_SELECTOR] = "selector",
	[MODE_SECCOMP] = "seccomp",
	[MODE_RANGE] = "range",
	[MODE_INCLUSIVE] = "inclusive",
	[MODE_SELECTOR_RO] = "selector-ro",
};

static char cmd_buf[256];
static unsigned int cmd_len;

static void write_all(const char *p, unsigned long len)
{
	while (len) {
		long n = sud_allowed_syscall(__NR_write, 1, (long)p, (long)len, 0);

		if (n == -EINTR)
			continue;
		if (n <= 0)
			sud_allowed_syscall(__NR_exit_group, 3, 0, 0, 0);
		p += n;
		len -= n;
	}
}

static char *put_str(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

static char *put_ulong(char *p, unsigned long v)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

static void report_counts(void)
{
	char line[96], *p = line;

	p = put_str(p, "hits=");
	p = put_ulong(p, sud_hits);
	p = put_str(p, " calls=");
	p = put_ulong(p, sud_calls);
	p = put_str(p, " bad=");
	p = put_ulong(p, sud_bad);
	*p++ = '\n';
	write_all(line, p - line);
}

static void set_stdin_nonblock(int on)
{
	long fl = sud_allowed_syscall(__NR_fcntl, 0, F_GETFL, 0, 0);

	if (fl < 0 || sud_allowed_syscall(__NR_fcntl, 0, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK, 0))
		sud_allowed_syscall(__NR_exit_group, 3, 0, 0, 0);
}

/* Read what stdin has; block only if @block.  Exits on EOF or error. */
static void read_stdin(int block)
{
	long n;

	if (cmd_len == sizeof(cmd_buf))
		cmd_len = 0;	/* an overlong line: drop it */
	if (block)
		set_stdin_nonblock(0);
	do
		n = sud_allowed_syscall(__NR_read, 0, (long)(cmd_buf + cmd_len), sizeof(cmd_buf) - cmd_len, 0);
	while (block && n == -EINTR);
	if (block)
		set_stdin_nonblock(1);
	if (n == -EAGAIN || n == -EINTR)
		return;
	if (n == 0)
		sud_allowed_syscall(__NR_exit_group, 2, 0, 0, 0);
	if (n < 0)
		sud_allowed_syscall(__NR_exit_group, 3, 0, 0, 0);
	cmd_len += n;
}

static int line_is(const char *line, unsigned int len, const char *word)
{
	unsigned int i;

	for (i = 0; i < len && word[i]; i++)
		if (line[i] != word[i])
			return 0;
	return i == len && !word[i];
}

static int have_line(void)
{
	unsigned int i;

	for (i = 0; i < cmd_len; i++)
		if (cmd_buf[i] == '\n')
			return 1;
	return 0;
}

static void handle_command(const char *line, unsigned int len)
{
	char out[48], *p;

	if (line_is(line, len, "check")) {
		report_counts();
	} else if (line_is(line, len, "quit")) {
		int ok = sud_bad == 0 && sud_calls > 0 && sud_hits == (sud_intercepting ? sud_calls : 0);

		report_counts();
		sud_allowed_syscall(__NR_exit_group, ok ? 0 : 1, 0, 0, 0);
	} else if (line_is(line, len, "tid")) {
		p = put_str(out, "tid=");
		p = put_ulong(p, sud_allowed_syscall(__NR_gettid, 0, 0, 0, 0));
		*p++ = '\n';
		write_all(out, p - out);
	} else if (line_is(line, len, "wait")) {
		write_all("waiting\n", 8);
		while (!have_line())
			read_stdin(1);
	} else {
		write_all("unknown command\n", 16);
	}
}

static void poll_commands(void)
{
	unsigned int start, i;

	read_stdin(0);
	for (;;) {
		for (i = 0; i < cmd_len && cmd_buf[i] != '\n'; i++)
			;
		if (i == cmd_len)
			return;
		/* Take the line out first: a command may read more input. */
		start = i + 1;
		{
			char line[sizeof(cmd_buf)];
			unsigned int j, len = i;

			for (j = 0; j < len; j++)
				line[j] = cmd_buf[j];
			for (j = start; j < cmd_len; j++)
				cmd_buf[j - start] = cmd_buf[j];
			cmd_len -= start;
			handle_command(line, len);
		}
	}
}

static __attribute__((noreturn)) void run_loop(void)
{
	char line[40], *p;
	int i;

	p = put_str(line, "READY ");
	p = put_ulong(p, sud_allowed_syscall(__NR_getpid, 0, 0, 0, 0));
	*p++ = '\n';
	write_all(line, p - line);
	for (;;) {
		for (i = 0; i < POLL_EVERY; i++)
			sud_one_call();
		poll_commands();
	}
}

/* @ret: 0 or a negative errno from sud_core_arm()/sud_core_prctl(). */
static int armed(long ret)
{
	if (ret) {
		fprintf(stderr, "sud_target: PR_SET_SYSCALL_USER_DISPATCH: %s\n", strerror(-ret));
		return -1;
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: sud_target selector|seccomp|range|inclusive|selector-ro|off\n");
}

int main(int argc, char **argv)
{
	unsigned int mode;
	long ret;
	void *page;

	if (argc != 2) {
		usage();
		return 2;
	}
	for (mode = 0; mode < sizeof(mode_names) / sizeof(mode_names[0]); mode++)
		if (!strcmp(argv[1], mode_names[mode]))
			break;
	if (mode == sizeof(mode_names) / sizeof(mode_names[0])) {
		usage();
		return 2;
	}

	ret = fcntl(0, F_GETFL);
	if (ret < 0 || fcntl(0, F_SETFL, ret | O_NONBLOCK)) {
		perror("sud_target: stdin O_NONBLOCK");
		return 2;
	}
	/* Raw, so that the kernel returns through our restorer. */
	ret = sud_core_install_handler();
	if (ret) {
		fprintf(stderr, "sud_target: rt_sigaction: %s\n", strerror(-ret));
		return 2;
	}

	switch (mode) {
	case MODE_OFF:
		break;
	case MODE_SECCOMP:
		if (sud_core_kill_on_getppid()) {
			perror("sud_target: seccomp filter");
			return 2;
		}
		/* fall through */
	case MODE_SELECTOR:
		if (armed(sud_core_arm(SUD_SELECTOR, NULL)))
			return 2;
		break;
	case MODE_RANGE:
		if (armed(sud_core_arm(SUD_RANGE, NULL)))
			return 2;
		break;
	case MODE_INCLUSIVE:
		if (armed(sud_core_arm(SUD_INCLUSIVE, NULL)))
			return 2;
		break;
	case MODE_SELECTOR_RO:
		page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (page == MAP_FAILED) {
			perror("sud_target: mmap");
			return 2;
		}
		/* Not intercepting: the selector stays at ALLOW. */
		sud_selector = page;
		*sud_selector = SYSCALL_DISPATCH_FILTER_ALLOW;
		if (armed(sud_core_prctl(PR_SYS_DISPATCH_EXCLUSIVE_ON, NULL, NULL, sud_selector)))
			return 2;
		if (mprotect(page, 4096, PROT_READ)) {
			perror("sud_target: mprotect");
			return 2;
		}
		break;
	}
	run_loop();
}
