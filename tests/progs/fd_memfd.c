// SPDX-License-Identifier: MIT
/*
 * memfds: one sealed (F_SEAL_SHRINK|F_SEAL_GROW, sealing still allowed)
 * with content and an offset, one created without MFD_ALLOW_SEALING, and a
 * second open file description of the first (opened through /proc).  After
 * restore: names, content, offsets, seals (and their effect), and the two
 * descriptions are still one memfd.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include "progs/prog.h"

#define LEN (3 * 4096 + 100)

int main(void)
{
	unsigned char data[LEN], buf[LEN + 16];
	char proc[64], link[256] = "";
	int a, b, a2;

	prog_fill(data, LEN, 151);
	a = memfd_create("prog-sealed", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	b = memfd_create("prog-plain", 0);
	SETUP(a >= 0 && b >= 0, "memfd_create");
	SETUP(write(a, data, LEN) == LEN && write(b, "plain", 5) == 5, "write");
	SETUP(!fcntl(a, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW), "F_ADD_SEALS");
	SETUP(lseek(a, 777, SEEK_SET) == 777, "lseek");
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", a);
	a2 = open(proc, O_RDWR);
	SETUP(a2 >= 0 && lseek(a2, 10, SEEK_SET) == 10, "reopen through /proc");

	prog_ready();
	prog_wait();

	CHECK(readlink(proc, link, sizeof(link) - 1) > 0 && !strcmp(link, "/memfd:prog-sealed (deleted)"),
	      "fd %d is '%s'", a, link);
	CHECK(fcntl(a, F_GET_SEALS) == (F_SEAL_SHRINK | F_SEAL_GROW), "seals of a are 0x%x",
	      fcntl(a, F_GET_SEALS));
	CHECK(fcntl(b, F_GET_SEALS) == F_SEAL_SEAL, "seals of b are 0x%x (no MFD_ALLOW_SEALING: F_SEAL_SEAL)",
	      fcntl(b, F_GET_SEALS));
	CHECK(fcntl(a, F_GETFD) == FD_CLOEXEC && fcntl(b, F_GETFD) == 0, "fd flags");
	CHECK(lseek(a, 0, SEEK_CUR) == 777 && lseek(a2, 0, SEEK_CUR) == 10, "offsets %lld %lld",
	      (long long)lseek(a, 0, SEEK_CUR), (long long)lseek(a2, 0, SEEK_CUR));
	CHECK(pread(a, buf, LEN + 10, 0) == LEN && !memcmp(buf, data, LEN), "content of a");
	CHECK(pread(b, buf, 10, 0) == 5 && !memcmp(buf, "plain", 5), "content of b");
	CHECK(ftruncate(a, 2 * LEN) < 0 && errno == EPERM, "F_SEAL_GROW no longer holds");
	CHECK(ftruncate(a, 10) < 0 && errno == EPERM, "F_SEAL_SHRINK no longer holds");
	CHECK(pwrite(a, "sealed", 6, 50) == 6 && pread(a2, buf, 6, 50) == 6 && !memcmp(buf, "sealed", 6),
	      "the two opens are no longer one memfd");
	CHECK(!fcntl(a, F_ADD_SEALS, F_SEAL_SEAL) && fcntl(b, F_ADD_SEALS, F_SEAL_WRITE) < 0, "sealing");
	prog_done();
}
