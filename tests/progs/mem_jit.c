// SPDX-License-Identifier: MIT
/*
 * Code generated at run time: an anonymous read+exec page holding a
 * function, and a read+write+exec page with another; both are called
 * after restore.
 */
#include <sys/mman.h>

#include "progs/prog.h"

/* mov $imm32, %eax; ret */
static void emit(unsigned char *p, unsigned int imm)
{
	p[0] = 0xb8;
	memcpy(p + 1, &imm, 4);
	p[5] = 0xc3;
}

int main(void)
{
	size_t page = sysconf(_SC_PAGESIZE);
	unsigned char *rx, *rwx;
	char line[256];

	rx = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	rwx = mmap(NULL, page, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	SETUP(rx != MAP_FAILED && rwx != MAP_FAILED, "mmap");
	emit(rx + 64, 0x1badc0de);
	emit(rwx + 128, 0x600df00d);
	SETUP(!mprotect(rx, page, PROT_READ | PROT_EXEC), "mprotect");
	SETUP(((unsigned int (*)(void))(rx + 64))() == 0x1badc0de, "generated code");

	prog_ready();
	prog_wait();

	CHECK(!prog_maps_line(rx, line, sizeof(line)) && strstr(line, " r-xp "), "code page is '%s'", line);
	CHECK(!prog_maps_line(rwx, line, sizeof(line)) && strstr(line, " rwxp "), "rwx page is '%s'", line);
	CHECK(((unsigned int (*)(void))(rx + 64))() == 0x1badc0de, "generated code returns another value");
	emit(rwx + 256, 0x12345678);
	CHECK(((unsigned int (*)(void))(rwx + 128))() == 0x600df00d, "rwx code returns another value");
	CHECK(((unsigned int (*)(void))(rwx + 256))() == 0x12345678, "code written after restore");
	prog_done();
}
