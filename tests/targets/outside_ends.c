// SPDX-License-Identifier: MIT
/*
 * outside_ends MODE DIR - a process whose files have their other end
 * outside it, for tests/cli/shell_job.sh and tests/cli/inherited_pipe.sh.
 * It writes its PID to DIR/ready once set up, waits (pause) for SIGUSR1, then checks
 * what it has and writes one line, "PASS" or "FAIL: why", to DIR/result,
 * and exits 0 or 1.
 *
 *   stdout  writes "before\n" to its stdout (a file); after the signal,
 *           "after\n": the file must then hold both, in order.
 *   raw     fd 0 is a terminal: puts it in raw mode with distinctive
 *           control characters and window size 33x77; after the signal,
 *           fd 0 must be another terminal (the restorer's) with exactly
 *           those modes, and one byte typed there ('x') must arrive alone,
 *           without Enter.
 *   hold    holds a terminal at fd 5 (given that way) and its stdio as given.
 *   pipe    fd 5 is the read end of a pipe whose writer is outside; after
 *           the signal it reads it to end of file and writes "got:DATA:eof"
 *           to DIR/result.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

static volatile sig_atomic_t kicked;
static const char *dir;

static void on_usr1(int sig)
{
	(void)sig;
	kicked = 1;
}

static void put_file(const char *name, const char *text)
{
	char path[4096], tmp[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) || rename(tmp, path))
		exit(3);
}

static int result(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int result(const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	strcat(line, "\n");
	put_file("result", line);
	return strncmp(line, "PASS", 4) ? 1 : 0;
}

static void wait_kick(void)
{
	sigset_t none;
	char line[32];

	snprintf(line, sizeof(line), "%d\n", (int)getpid());
	put_file("ready", line);
	sigemptyset(&none);
	while (!kicked)
		sigsuspend(&none);
}

static void raw_modes(struct termios *t)
{
	cfmakeraw(t);
	t->c_cc[VMIN] = 1;
	t->c_cc[VTIME] = 0;
	t->c_cc[VINTR] = 0x07;
	t->c_cc[VEOF] = 0x06;
	t->c_cc[VERASE] = 0x15;
	t->c_iflag |= IXANY;
	t->c_oflag |= OPOST | ONLCR;
}

static int mode_raw(void)
{
	struct termios want, now;
	struct winsize ws = { .ws_row = 33, .ws_col = 77 }, wsn;
	struct stat st0, st;
	char c[8];
	ssize_t n;

	if (!isatty(0) || tcgetattr(0, &want) || fstat(0, &st0))
		return result("FAIL: setup: fd 0 is no terminal");
	raw_modes(&want);
	if (tcsetattr(0, TCSANOW, &want) || ioctl(0, TIOCSWINSZ, &ws) || tcgetattr(0, &want))
		return result("FAIL: setup: cannot set raw mode: %s", strerror(errno));
	wait_kick();
	if (fstat(0, &st) || !isatty(0))
		return result("FAIL: fd 0 is no terminal after the restore");
	if (st.st_rdev == st0.st_rdev)
		return result("FAIL: fd 0 is still the terminal of the dump");
	if (tcgetattr(0, &now))
		return result("FAIL: tcgetattr: %s", strerror(errno));
	if (now.c_iflag != want.c_iflag || now.c_oflag != want.c_oflag ||
	    now.c_cflag != want.c_cflag || now.c_lflag != want.c_lflag)
		return result("FAIL: modes iflag %#x oflag %#x cflag %#x lflag %#x, want %#x %#x %#x %#x",
			      now.c_iflag, now.c_oflag, now.c_cflag, now.c_lflag, want.c_iflag,
			      want.c_oflag, want.c_cflag, want.c_lflag);
	for (int k = 0; k < NCCS; k++)
		if (now.c_cc[k] != want.c_cc[k])
			return result("FAIL: c_cc[%d] is %#x, want %#x", k, now.c_cc[k], want.c_cc[k]);
	if (ioctl(0, TIOCGWINSZ, &wsn) || wsn.ws_row != 33 || wsn.ws_col != 77)
		return result("FAIL: window %ux%u, want 33x77", wsn.ws_row, wsn.ws_col);
	put_file("waiting", "key\n");
	n = read(0, c, sizeof(c));
	if (n != 1 || c[0] != 'x')
		return result("FAIL: read %zd bytes, want the one key 'x' alone", n);
	return result("PASS");
}

static int mode_stdout(void)
{
	if (write(1, "before\n", 7) != 7)
		return result("FAIL: setup: write");
	wait_kick();
	if (write(1, "after\n", 6) != 6)
		return result("FAIL: write after the restore: %s", strerror(errno));
	return result("PASS");
}

static int mode_pipe(void)
{
	char buf[256], line[300];
	size_t got = 0;
	ssize_t n;

	wait_kick();
	while (got < sizeof(buf) - 1 && (n = read(5, buf + got, sizeof(buf) - 1 - got)) != 0) {
		if (n < 0)
			return result("FAIL: read: %s", strerror(errno));
		got += n;
	}
	buf[got] = '\0';
	snprintf(line, sizeof(line), "got:%s:eof", buf);
	return result("%s", line);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_usr1 };

	if (argc != 3) {
		fprintf(stderr, "usage: outside_ends stdout|raw|hold|pipe DIR\n");
		return 2;
	}
	dir = argv[2];
	sigaction(SIGUSR1, &sa, NULL);
	if (!strcmp(argv[1], "stdout"))
		return mode_stdout();
	if (!strcmp(argv[1], "raw"))
		return mode_raw();
	if (!strcmp(argv[1], "pipe"))
		return mode_pipe();
	if (!strcmp(argv[1], "hold")) {
		if (!isatty(5))
			return result("FAIL: setup: fd 5 is no terminal");
		wait_kick();
		return result("PASS");
	}
	return 2;
}
