// SPDX-License-Identifier: MIT
/*
 * tree_shm_fill KIND MIB N FILE - a parent with MIB MiB of shared memory
 * (KIND "anon": MAP_SHARED | MAP_ANONYMOUS; "memfd": a memfd whose fd is
 * closed) filled with a pattern, and N children forked after the fill,
 * each of which writes its own word into every page, so every page is in
 * every process's page tables.  KIND "private": MAP_PRIVATE anonymous
 * memory the children only read, so that every page is shared
 * copy-on-write by all.  Writes "ready" to FILE when all are, and the
 * memory's address (hex, as in /proc/PID/maps) to FILE.addr.
 * Then on each SIGUSR1 to the parent: each child checks the pattern and
 * that it sees the writes of every other child, and FILE gets "ok" or
 * "bad ...".  The children exit when the parent does (PR_SET_PDEATHSIG).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096
#define MAX_KIDS 64

static volatile sig_atomic_t asked;

static void on_usr1(int sig)
{
	(void)sig;
	asked = 1;
}

static void say(const char *file, const char *msg)
{
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd >= 0) {
		if (write(fd, msg, strlen(msg)) < 0)
			_exit(2);
		close(fd);
	}
}

/* Word 0 of each page: the pattern; word 1 + k: child k's mark. */
static int private_;

static int check(volatile uint64_t *m, size_t pages, int n)
{
	for (size_t p = 0; p < pages; p++) {
		volatile uint64_t *w = m + p * (PAGE / 8);

		if (w[0] != p * 0x9e3779b97f4a7c15ULL + 1 || w[PAGE / 8 - 1] != ~p)
			return 1;
		for (int k = 0; k < n && !private_; k++)
			if (w[1 + k] != p + (uint64_t)k * 1000003)
				return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int go[MAX_KIDS][2], done[2], n;
	size_t len, pages;
	volatile uint64_t *m;
	sigset_t usr1;
	char c;

	if (argc != 5 || (n = atoi(argv[3])) < 1 || n > MAX_KIDS)
		return 2;
	len = (size_t)atoi(argv[2]) << 20;
	pages = len / PAGE;
	if (!strcmp(argv[1], "anon") || !strcmp(argv[1], "private")) {
		private_ = !strcmp(argv[1], "private");
		m = mmap(NULL, len, PROT_READ | PROT_WRITE, (private_ ? MAP_PRIVATE : MAP_SHARED) | MAP_ANONYMOUS,
			 -1, 0);
	} else {
		int fd = memfd_create("tree_shm_fill", 0);

		if (fd < 0 || ftruncate(fd, len))
			return 2;
		m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		close(fd);
	}
	if (m == MAP_FAILED || pipe(done))
		return 2;
	for (size_t p = 0; p < pages; p++) {
		m[p * (PAGE / 8)] = p * 0x9e3779b97f4a7c15ULL + 1;
		m[p * (PAGE / 8) + PAGE / 8 - 1] = ~p;
	}
	signal(SIGUSR1, on_usr1);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	for (int k = 0; k < n; k++) {
		pid_t c;

		if (pipe(go[k]))
			return 2;
		c = fork();
		if (c < 0)
			return 2;
		if (!c) {
			char r;

			prctl(PR_SET_PDEATHSIG, SIGKILL);
			close(done[0]);
			for (size_t p = 0; p < pages && !private_; p++)
				m[p * (PAGE / 8) + 1 + k] = p + (uint64_t)k * 1000003;
			if (write(done[1], "r", 1) != 1)
				_exit(2);
			/* One byte per question: the answer, one byte, on done. */
			while (read(go[k][0], &r, 1) == 1)
				if (write(done[1], check(m, pages, n) ? "b" : "o", 1) != 1)
					_exit(2);
			_exit(0);
		}
		close(go[k][0]);
	}
	for (int k = 0; k < n; k++)
		if (read(done[0], &c, 1) != 1)
			return 2;
	{
		char addr[32], path[4096];

		snprintf(addr, sizeof(addr), "%lx", (unsigned long)m);
		snprintf(path, sizeof(path), "%s.addr", argv[4]);
		say(path, addr);
	}
	say(argv[4], "ready");
	sigemptyset(&usr1);
	for (;;) {
		int bad = 0;

		while (!asked)
			sigsuspend(&usr1);
		asked = 0;
		for (int k = 0; k < n; k++)
			if (write(go[k][1], "?", 1) != 1)
				bad = 1;
		for (int k = 0; k < n; k++)
			if (read(done[0], &c, 1) != 1 || c != 'o')
				bad = 1;
		say(argv[4], bad || check(m, pages, n) ? "bad" : "ok");
	}
}
