// SPDX-License-Identifier: MIT
/*
 * mseal(2) (6.10+): a sealed mapping (VmFlags sl) next to an unsealed one.
 * After restore the sealed one is still sealed, so munmap and mprotect of
 * it fail with EPERM, and the other one is not.
 */
#include <sys/mman.h>

#include "progs/prog.h"

#ifndef __NR_mseal
#define __NR_mseal 462
#endif

static int sealed(void *p)
{
	char flags[512];

	return !prog_vmflags(p, flags, sizeof(flags)) && strstr(flags, " sl ");
}

int main(void)
{
	size_t page = sysconf(_SC_PAGESIZE);
	unsigned char *seal, *plain;

	seal = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	plain = mmap(NULL, 2 * page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	SETUP(seal != MAP_FAILED && plain != MAP_FAILED, "mmap");
	memset(seal, 9, 2 * page);
	if (syscall(__NR_mseal, seal, 2 * page, 0))
		prog_skip("mseal: %s (kernel before 6.10?)", strerror(errno));
	SETUP(sealed(seal) && !sealed(plain), "VmFlags");

	prog_ready();
	prog_wait();

	CHECK(sealed(seal), "the sealed mapping lost sl");
	CHECK(munmap(seal, page) < 0 && errno == EPERM, "the sealed mapping can be unmapped");
	CHECK(mprotect(seal, page, PROT_READ) < 0 && errno == EPERM, "the sealed mapping can be mprotect()ed");
	CHECK(seal[page] == 9, "contents");
	CHECK(!sealed(plain) && !mprotect(plain, page, PROT_READ | PROT_WRITE), "the plain mapping got sealed");
	prog_done();
}
