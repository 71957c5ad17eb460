// SPDX-License-Identifier: MIT
/*
 * personality(2): ADDR_NO_RANDOMIZE | READ_IMPLIES_EXEC | UNAME26, set
 * after some mappings exist.  After restore the same persona, in force
 * (uname reports a 2.6 release, a new PROT_READ mapping is executable),
 * and the mappings made before it was set kept their protections.
 */
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/utsname.h>

#include "progs/prog.h"

#define PERSONA (ADDR_NO_RANDOMIZE | READ_IMPLIES_EXEC | UNAME26)

int main(void)
{
	size_t page = sysconf(_SC_PAGESIZE);
	struct utsname u;
	char line[256];
	void *before, *after;
	int p;

	before = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	SETUP(before != MAP_FAILED, "mmap");
	SETUP(personality(PERSONA) >= 0 && personality(0xffffffff) == PERSONA, "personality");

	prog_ready();
	prog_wait();

	p = personality(0xffffffff);
	CHECK(p == PERSONA, "personality is 0x%x, expected 0x%x", p, PERSONA);
	CHECK(!uname(&u) && !strncmp(u.release, "2.6.", 4), "UNAME26: release is '%s'", u.release);
	after = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(after != MAP_FAILED && !prog_maps_line(after, line, sizeof(line)) && strstr(line, " r-xp "),
	      "READ_IMPLIES_EXEC: a new PROT_READ mapping is '%s'", line);
	CHECK(!prog_maps_line(before, line, sizeof(line)) && strstr(line, " r--p "),
	      "a PROT_READ mapping made before the persona is now '%s'", line);
	prog_done();
}
