/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_TEST_TARGET_CTL_H
#define SUDCR_TEST_TARGET_CTL_H

/*
 * Starting and talking to tests/targets/sud_target (see its header comment
 * for the protocol) from C tests.
 */

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

struct target {
	pid_t pid;
	int to;		/* its stdin */
	int from;	/* its stdout */
	FILE *in;
};

struct target_counts {
	unsigned long hits, calls, bad;
};

/* Directory of the test binaries (build/tests), from our own path. */
static inline const char *test_bindir(void)
{
	static char dir[PATH_MAX - 64];
	ssize_t n;

	if (dir[0])
		return dir;
	n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
	if (n < 0)
		return ".";
	dir[n] = '\0';
	/* .../build/tests/inject/NAME -> .../build/tests */
	for (int i = 0; i < 2; i++) {
		char *s = strrchr(dir, '/');

		if (s)
			*s = '\0';
	}
	return dir;
}

/* Why the -32 target is missing, or NULL when it is there. */
static inline const char *ia32_skip_reason(void)
{
	static char why[256];
	char path[PATH_MAX + 64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/targets/sud_target-32", test_bindir());
	if (!access(path, X_OK))
		return NULL;
	snprintf(path, sizeof(path), "%s/ia32.skip", test_bindir());
	f = fopen(path, "r");
	snprintf(why, sizeof(why), "ia32 unavailable");
	if (f) {
		if (fgets(why, sizeof(why), f))
			why[strcspn(why, "\n")] = '\0';
		fclose(f);
	}
	return why;
}

static inline int target_start(struct target *t, const char *mode, bool ia32)
{
	char path[PATH_MAX + 64], line[128];
	int in[2], out[2];

	snprintf(path, sizeof(path), "%s/targets/sud_target%s", test_bindir(), ia32 ? "-32" : "");
	if (pipe(in) || pipe(out))
		return -errno;
	t->pid = fork();
	if (t->pid < 0)
		return -errno;
	if (t->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]); close(in[1]); close(out[0]); close(out[1]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execl(path, path, mode, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	t->to = in[1];
	t->from = out[0];
	t->in = fdopen(t->from, "r");
	if (!fgets(line, sizeof(line), t->in) || strncmp(line, "READY ", 6)) {
		kill(t->pid, SIGKILL);
		waitpid(t->pid, NULL, 0);
		return -EIO;
	}
	return 0;
}

static inline int target_cmd(struct target *t, const char *cmd, char *reply, size_t len)
{
	if (write(t->to, cmd, strlen(cmd)) != (ssize_t)strlen(cmd))
		return -EIO;
	if (!reply)
		return 0;
	if (!fgets(reply, len, t->in))
		return -EIO;
	return 0;
}

static inline int target_check(struct target *t, struct target_counts *c)
{
	char line[128];

	if (target_cmd(t, "check\n", line, sizeof(line)))
		return -EIO;
	if (sscanf(line, "hits=%lu calls=%lu bad=%lu", &c->hits, &c->calls, &c->bad) != 3)
		return -EINVAL;
	return 0;
}

/* Send quit, return the exit status (or 128+signal, or -1). */
static inline int target_quit(struct target *t)
{
	char line[128];
	int status;

	target_cmd(t, "quit\n", line, sizeof(line));
	close(t->to);
	fclose(t->in);
	if (waitpid(t->pid, &status, 0) != t->pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static inline void target_kill(struct target *t)
{
	kill(t->pid, SIGKILL);
	close(t->to);
	fclose(t->in);
	waitpid(t->pid, NULL, 0);
}

#endif
