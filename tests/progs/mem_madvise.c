// SPDX-License-Identifier: MIT
/*
 * madvise state: MADV_DONTFORK, MADV_WIPEONFORK and MADV_DONTDUMP on
 * separate mappings (VmFlags dc, wf, dd in /proc/self/smaps), and their
 * effect: in a child forked after restore, the DONTFORK mapping is absent
 * and the WIPEONFORK one reads zeros, while the plain one is copied.
 */
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "progs/prog.h"

static int has_flag(void *p, const char *flag)
{
	char flags[512], want[8];

	snprintf(want, sizeof(want), " %s ", flag);
	return !prog_vmflags(p, flags, sizeof(flags)) && strstr(flags, want);
}

int main(void)
{
	size_t page = sysconf(_SC_PAGESIZE);
	unsigned char *plain, *dontfork, *wipe, *dontdump;
	int status;
	pid_t pid;

	plain = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	dontfork = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	wipe = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	dontdump = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	SETUP(plain != MAP_FAILED && dontfork != MAP_FAILED && wipe != MAP_FAILED && dontdump != MAP_FAILED,
	      "mmap");
	memset(plain, 1, 2 * page);
	memset(dontfork, 2, 2 * page);
	memset(wipe, 3, 2 * page);
	memset(dontdump, 4, 2 * page);
	SETUP(!madvise(dontfork, 2 * page, MADV_DONTFORK), "MADV_DONTFORK");
	SETUP(!madvise(wipe, 2 * page, MADV_WIPEONFORK), "MADV_WIPEONFORK");
	SETUP(!madvise(dontdump, 2 * page, MADV_DONTDUMP), "MADV_DONTDUMP");
	SETUP(has_flag(dontfork, "dc") && has_flag(wipe, "wf") && has_flag(dontdump, "dd"), "VmFlags");

	prog_ready();
	prog_wait();

	CHECK(has_flag(dontfork, "dc"), "MADV_DONTFORK mapping lacks dc");
	CHECK(has_flag(wipe, "wf"), "MADV_WIPEONFORK mapping lacks wf");
	CHECK(has_flag(dontdump, "dd"), "MADV_DONTDUMP mapping lacks dd");
	CHECK(!has_flag(plain, "dc") && !has_flag(plain, "wf") && !has_flag(plain, "dd"),
	      "plain mapping got a madvise flag");
	CHECK(plain[0] == 1 && dontfork[page] == 2 && wipe[page] == 3 && dontdump[page] == 4, "contents");
	pid = fork();
	if (pid == 0) {
		char line[256];
		int bad = 0;

		if (plain[page] != 1)
			bad |= 1;
		if (!prog_maps_line(dontfork, line, sizeof(line)))
			bad |= 2;	/* DONTFORK: not in the child */
		if (wipe[0] != 0 || wipe[page] != 0)
			bad |= 4;	/* WIPEONFORK: zeros in the child */
		if (dontdump[0] != 4)
			bad |= 8;
		_exit(bad);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid, "fork/wait");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "in a forked child: status 0x%x (2: DONTFORK mapping present, 4: WIPEONFORK not wiped)", status);
	CHECK(wipe[0] == 3, "parent's WIPEONFORK mapping was wiped");
	prog_done();
}
