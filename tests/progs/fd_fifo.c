// SPDX-License-Identifier: MIT
/*
 * A FIFO with both ends in the process (a reader, a writer and an O_RDWR
 * fd) and 3000 bytes buffered: after restore the fds name the FIFO, the
 * data comes out, and it still connects its ends.
 */
#include <sys/stat.h>

#include "progs/prog.h"

int main(void)
{
	const char *path = prog_path("fd_fifo.fifo");
	unsigned char data[3000], buf[4096];
	char link[4200] = "", proc[64];
	struct stat st0, st;
	int r, w, rw, fl[3];
	long n;

	prog_fill(data, sizeof(data), 141);
	unlink(path);
	SETUP(!mkfifo(path, 0600), "mkfifo %s", path);
	r = open(path, O_RDONLY | O_NONBLOCK);
	w = open(path, O_WRONLY);
	rw = open(path, O_RDWR);
	SETUP(r >= 0 && w >= 0 && rw >= 0, "open");
	SETUP(write(w, data, sizeof(data)) == sizeof(data), "write");
	SETUP(!stat(path, &st0), "stat");
	fl[0] = fcntl(r, F_GETFL);
	fl[1] = fcntl(w, F_GETFL);
	fl[2] = fcntl(rw, F_GETFL);
	SETUP((fl[0] & (O_ACCMODE | O_NONBLOCK)) == (O_RDONLY | O_NONBLOCK) && (fl[1] & O_ACCMODE) == O_WRONLY &&
	      (fl[2] & O_ACCMODE) == O_RDWR, "flags");

	prog_ready();
	prog_wait();

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", r);
	CHECK(readlink(proc, link, sizeof(link) - 1) > 0 && !strcmp(link, path), "fd %d is '%s'", r, link);
	CHECK(!fstat(rw, &st) && S_ISFIFO(st.st_mode) && st.st_ino == st0.st_ino, "fd %d is not the FIFO", rw);
	CHECK(fcntl(r, F_GETFL) == fl[0] && fcntl(w, F_GETFL) == fl[1] && fcntl(rw, F_GETFL) == fl[2],
	      "flags 0%o 0%o 0%o, were 0%o 0%o 0%o", fcntl(r, F_GETFL), fcntl(w, F_GETFL), fcntl(rw, F_GETFL), fl[0],
	      fl[1], fl[2]);
	n = read(r, buf, sizeof(buf));
	CHECK(n == sizeof(data) && !memcmp(buf, data, sizeof(data)), "the FIFO held %ld bytes, expected %zu", n,
	      sizeof(data));
	CHECK(write(w, "xyz", 3) == 3 && read(rw, buf, 8) == 3 && !memcmp(buf, "xyz", 3), "FIFO cut (w -> rw)");
	CHECK(write(rw, "uv", 2) == 2 && read(r, buf, 8) == 2 && !memcmp(buf, "uv", 2), "FIFO cut (rw -> r)");
	prog_done();
}
