// SPDX-License-Identifier: MIT
/*
 * Pipes with both ends in the process: one with 5000 bytes buffered (from
 * three writes) and a 128 KiB buffer size, one empty with O_NONBLOCK on
 * both ends, one holding exactly a full default buffer (64 KiB).  After
 * restore: the same bytes come out, sizes and flags are kept, and each
 * pipe still connects its two ends.
 */
#include <sys/stat.h>

#include "progs/prog.h"

#define FULL 65536

int main(void)
{
	int a[2], b[2], c[2], sz_a, sz_c;
	static unsigned char data[FULL], buf[FULL + 16];
	struct stat s0, s1;
	long n;

	prog_fill(data, FULL, 131);
	SETUP(!pipe(a) && !pipe2(b, O_NONBLOCK) && !pipe(c), "pipe");
	SETUP(fcntl(a[1], F_SETPIPE_SZ, 128 * 1024) >= 128 * 1024, "F_SETPIPE_SZ");
	SETUP(write(a[1], data, 1) == 1 && write(a[1], data + 1, 4095) == 4095 &&
	      write(a[1], data + 4096, 904) == 904, "fill a");
	fcntl(c[1], F_SETFL, O_NONBLOCK);
	for (n = 0; n < FULL;) {
		long w = write(c[1], data + n, FULL - n);

		SETUP(w > 0, "fill c");
		n += w;
	}
	fcntl(c[1], F_SETFL, 0);
	sz_a = fcntl(a[0], F_GETPIPE_SZ);
	sz_c = fcntl(c[0], F_GETPIPE_SZ);

	prog_ready();
	prog_wait();

	CHECK(fcntl(a[0], F_GETPIPE_SZ) == sz_a && fcntl(c[0], F_GETPIPE_SZ) == sz_c, "pipe sizes %d %d, were %d %d",
	      fcntl(a[0], F_GETPIPE_SZ), fcntl(c[0], F_GETPIPE_SZ), sz_a, sz_c);
	CHECK(!fstat(a[0], &s0) && !fstat(a[1], &s1) && s1.st_ino == s0.st_ino && S_ISFIFO(s1.st_mode),
	      "the ends of a are two pipes");
	CHECK((fcntl(b[0], F_GETFL) & O_NONBLOCK) && (fcntl(b[1], F_GETFL) & O_NONBLOCK), "b lost O_NONBLOCK");
	CHECK(!(fcntl(a[0], F_GETFL) & O_NONBLOCK), "a got O_NONBLOCK");
	CHECK(fcntl(a[0], F_GETFL) == O_RDONLY && fcntl(a[1], F_GETFL) == O_WRONLY, "a's access modes");
	fcntl(a[0], F_SETFL, O_NONBLOCK);
	n = read(a[0], buf, sizeof(buf));
	CHECK(n == 5000 && !memcmp(buf, data, 5000), "a held %ld bytes, expected the 5000 written", n);
	n = read(b[0], buf, 1);
	CHECK(n < 0 && errno == EAGAIN, "empty non-blocking pipe: read returned %ld", n);
	fcntl(c[0], F_SETFL, O_NONBLOCK);
	for (n = 0; n < FULL + 16;) {
		long r = read(c[0], buf + n, FULL + 16 - n);

		if (r <= 0)
			break;
		n += r;
	}
	CHECK(n == FULL && !memcmp(buf, data, FULL), "c held %ld bytes, expected %d", n, FULL);
	CHECK(write(a[1], "abc", 3) == 3 && read(a[0], buf, 8) == 3 && !memcmp(buf, "abc", 3), "a is cut");
	CHECK(write(b[1], "de", 2) == 2 && read(b[0], buf, 8) == 2 && !memcmp(buf, "de", 2), "b is cut");
	CHECK(write(c[1], "f", 1) == 1 && read(c[0], buf, 8) == 1 && buf[0] == 'f', "c is cut");
	prog_done();
}
