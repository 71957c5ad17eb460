// SPDX-License-Identifier: MIT
/*
 * A process dumped inside a blocking read(2) of a pipe with a 64-byte
 * buffer: the read resumes with its arguments intact and returns exactly
 * the bytes the runner writes later.
 */
// sudcr-test: wait-syscall 0
// sudcr-test: wait-syscall32 3
#include "progs/prog.h"

int main(void)
{
	char buf[80];
	long ret;

	memset(buf, 'x', sizeof(buf));
	prog_ready();
	do
		ret = prog_sys3(__NR_read, 0, (long)(buf + 8), 64);
	while (ret == -EINTR);

	CHECK(ret == 3, "read returned %ld", ret);
	CHECK(!memcmp(buf + 8, "go\n", 3), "read '%.3s'", buf + 8);
	for (int i = 0; i < 80; i++)
		if (i < 8 || i >= 11)
			if (!CHECK(buf[i] == 'x', "byte %d of the buffer changed", i))
				break;
	prog_done();
}
