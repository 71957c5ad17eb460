// SPDX-License-Identifier: MIT
/*
 * mem_fill MIB FILE - MIB MiB of anonymous memory filled with a pattern
 * (and a page in every 64 KiB left untouched, so the image has many runs).
 * Writes "ready" to FILE, then on each SIGUSR1 checks the memory and
 * writes "ok" or "bad at OFFSET" to FILE.  All its fds are its own (stdio
 * is /dev/null for the tests), so plain dump and restore -d work.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static volatile sig_atomic_t asked;

static void on_usr1(int sig)
{
	(void)sig;
	asked = 1;
}

static uint64_t word(size_t i)
{
	return i * 0x9e3779b97f4a7c15ULL + 7;
}

/* Every 16th page of 4 KiB stays untouched (zero, not stored). */
static int hole(size_t i)
{
	return (i * 8 / 4096) % 16 == 15;
}

static void say(const char *file, const char *msg)
{
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, msg, strlen(msg)) < 0)
		_exit(3);
	close(fd);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	size_t len, n;
	uint64_t *mem;
	sigset_t none;

	if (argc != 3)
		return 2;
	len = strtoul(argv[1], NULL, 0) << 20;
	n = len / 8;
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED || sigaction(SIGUSR1, &sa, NULL))
		return 2;
	for (size_t i = 0; i < n; i++)
		if (!hole(i))
			mem[i] = word(i);
	sigemptyset(&none);
	say(argv[2], "ready\n");
	for (;;) {
		char msg[64];
		size_t bad = n;

		while (!asked)
			sigsuspend(&none);
		asked = 0;
		for (size_t i = 0; i < n && bad == n; i++)
			if (mem[i] != (hole(i) ? 0 : word(i)))
				bad = i;
		if (bad == n)
			snprintf(msg, sizeof(msg), "ok\n");
		else
			snprintf(msg, sizeof(msg), "bad at %zu\n", bad * 8);
		say(argv[2], msg);
	}
}
