// SPDX-License-Identifier: MIT
/*
 * killer DELAY_US CMD [ARGS...] - run CMD and SIGKILL it DELAY_US
 * microseconds after it was started (measured from the fork, on
 * CLOCK_MONOTONIC), unless it ended before.  Prints one line:
 *   "killed DELAY_US" if the kill landed (CMD was still running), or
 *   "exited STATUS US" if CMD ended by itself first, US its run time.
 * For the crash tests (tests/cli/crash_*.sh): a kill at a chosen instant,
 * without the fork and exec of sleep(1) and kill(1) in between.  Exit 0,
 * or 2 on a usage or system error.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

int main(int argc, char **argv)
{
	long long delay, start, left;
	int status;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: killer DELAY_US CMD [ARGS...]\n");
		return 2;
	}
	delay = atoll(argv[1]);
	start = now_us();
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid) {
			printf("exited %d %lld\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
			       now_us() - start);
			return 0;
		}
		left = start + delay - now_us();
		if (left <= 0)
			break;
		struct timespec ts = { 0, (left > 200 ? 200 : left) * 1000 };

		nanosleep(&ts, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	/* It may have ended between the last look and the kill. */
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		printf("killed %lld\n", delay);
	else
		printf("exited %d %lld\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
		       now_us() - start);
	return 0;
}
