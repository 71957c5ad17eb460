// SPDX-License-Identifier: MIT
/*
 * Character devices: /dev/null (write-only), /dev/zero (read-only),
 * /dev/urandom (read-only, O_CLOEXEC): the same device, path and flags
 * after restore, and they behave as such.
 */
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "progs/prog.h"

int main(void)
{
	const char *paths[] = { "/dev/null", "/dev/zero", "/dev/urandom" };
	const int flags[] = { O_WRONLY, O_RDONLY, O_RDONLY | O_CLOEXEC };
	int fd[3], fl[3], fdfl[3];
	struct stat st0[3], st;
	unsigned char buf[64];
	int zeros = 0;

	for (int i = 0; i < 3; i++) {
		fd[i] = open(paths[i], flags[i]);
		SETUP(fd[i] >= 0 && !fstat(fd[i], &st0[i]), "open %s", paths[i]);
		fl[i] = fcntl(fd[i], F_GETFL);
		fdfl[i] = fcntl(fd[i], F_GETFD);
	}

	prog_ready();
	prog_wait();

	for (int i = 0; i < 3; i++) {
		char proc[64], link[256] = "";

		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd[i]);
		CHECK(readlink(proc, link, sizeof(link) - 1) > 0 && !strcmp(link, paths[i]), "fd %d is '%s'",
		      fd[i], link);
		CHECK(!fstat(fd[i], &st) && S_ISCHR(st.st_mode) && st.st_rdev == st0[i].st_rdev,
		      "fd %d is device %u:%u", fd[i], major(st.st_rdev), minor(st.st_rdev));
		CHECK(fcntl(fd[i], F_GETFL) == fl[i] && fcntl(fd[i], F_GETFD) == fdfl[i], "fd %d flags", fd[i]);
	}
	CHECK(write(fd[0], "discard", 7) == 7, "write to /dev/null");
	memset(buf, 0xff, sizeof(buf));
	CHECK(read(fd[1], buf, sizeof(buf)) == sizeof(buf), "read /dev/zero");
	for (unsigned int i = 0; i < sizeof(buf); i++)
		zeros += !buf[i];
	CHECK(zeros == sizeof(buf), "/dev/zero gave non-zero bytes");
	memset(buf, 0, sizeof(buf));
	zeros = 0;
	CHECK(read(fd[2], buf, sizeof(buf)) == sizeof(buf), "read /dev/urandom");
	for (unsigned int i = 0; i < sizeof(buf); i++)
		zeros += !buf[i];
	CHECK(zeros < 8, "/dev/urandom gave %d zero bytes of 64", zeros);
	prog_done();
}
