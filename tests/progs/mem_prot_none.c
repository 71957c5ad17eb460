// SPDX-License-Identifier: MIT
/*
 * Protections: a PROT_NONE reservation never touched, a region with data
 * made PROT_NONE, a read-only region with data, and one mapping split into
 * three by mprotect of its middle.  After restore the protections are as
 * they were (an access to PROT_NONE faults, a write to read-only faults)
 * and the data comes back when access is allowed again.
 */
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>

#include "progs/prog.h"

static sigjmp_buf jb;

static void on_segv(int sig)
{
	siglongjmp(jb, sig);
}

/* 0: the access worked; SIGSEGV: it faulted. */
static int try_access(volatile unsigned char *p, int write)
{
	int sig = sigsetjmp(jb, 1);

	if (sig)
		return sig;
	if (write)
		*p = *p;
	else
		(void)*p;
	return 0;
}

static int perms_are(void *p, const char *perms)
{
	char line[256];

	return !prog_maps_line(p, line, sizeof(line)) && !strncmp(strchr(line, ' ') + 1, perms, 4);
}

int main(void)
{
	size_t page = sysconf(_SC_PAGESIZE);
	unsigned char *none, *hidden, *ro, *split;
	struct sigaction sa = { .sa_handler = on_segv };

	none = mmap(NULL, 64 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	hidden = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ro = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	split = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	SETUP(none != MAP_FAILED && hidden != MAP_FAILED && ro != MAP_FAILED && split != MAP_FAILED, "mmap");
	prog_fill(hidden, 4 * page, 61);
	prog_fill(ro, 2 * page, 62);
	prog_fill(split, 3 * page, 63);
	SETUP(!mprotect(hidden, 4 * page, PROT_NONE) && !mprotect(ro, 2 * page, PROT_READ) &&
	      !mprotect(split + page, page, PROT_NONE), "mprotect");
	SETUP(!sigaction(SIGSEGV, &sa, NULL), "sigaction");

	prog_ready();
	prog_wait();

	CHECK(perms_are(none, "---p"), "reservation is no longer PROT_NONE");
	CHECK(perms_are(hidden, "---p"), "hidden region is no longer PROT_NONE");
	CHECK(perms_are(ro, "r--p"), "read-only region changed protection");
	CHECK(perms_are(split, "rw-p") && perms_are(split + page, "---p") && perms_are(split + 2 * page, "rw-p"),
	      "split mapping changed protections");
	CHECK(try_access(none + 5 * page, 0) == SIGSEGV, "PROT_NONE reservation is readable");
	CHECK(try_access(hidden, 0) == SIGSEGV, "PROT_NONE region is readable");
	CHECK(try_access(ro, 0) == 0 && try_access(ro, 1) == SIGSEGV, "read-only region is writable");
	CHECK(try_access(split + page, 0) == SIGSEGV, "middle of the split mapping is readable");
	CHECK(prog_check_fill(ro, 2 * page, 62) < 0, "read-only data differs");
	CHECK(prog_check_fill(split, page, 63) < 0, "split mapping data differs (first page)");
	CHECK(!mprotect(hidden, 4 * page, PROT_READ) && prog_check_fill(hidden, 4 * page, 61) < 0,
	      "data of the PROT_NONE region differs");
	CHECK(!mprotect(split + page, page, PROT_READ) && prog_check_fill(split, 3 * page, 63) < 0,
	      "split mapping data differs");
	for (size_t i = 0; i < 64 * page; i += page) {
		if (mprotect(none + i, page, PROT_READ) || none[i])
			CHECK(0, "reservation page %zu is not zero", i / page);
	}
	prog_done();
}
