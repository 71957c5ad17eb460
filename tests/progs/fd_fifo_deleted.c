// SPDX-License-Identifier: MIT
/*
 * FIFOs whose name was removed: one with a read end (O_NONBLOCK) and a
 * write end, mode 0640, a pipe size of 128 KiB and 5 bytes buffered; one
 * opened O_RDWR whose name a new FIFO took before the dump.  After restore
 * each is a FIFO again with no name (nlink 0, "(deleted)" in
 * /proc/self/fd for the first), its mode, size, flags and bytes, both ends
 * on one FIFO, and no other end held open: with the write end closed, the
 * reader sees end of file.
 */
#include <sys/stat.h>

#include "progs/prog.h"

int main(void)
{
	char f1[4096], f2[4096], want[4200], link[64], got[4200], buf[16];
	struct stat r, w, t;
	int fr, fw, f3;
	ssize_t n;

	snprintf(f1, sizeof(f1), "%s", prog_path("fd_fifo_deleted.1"));
	snprintf(f2, sizeof(f2), "%s", prog_path("fd_fifo_deleted.2"));
	unlink(f1);
	unlink(f2);
	SETUP(!mkfifo(f1, 0600) && !chmod(f1, 0640), "mkfifo %s", f1);
	fr = open(f1, O_RDONLY | O_NONBLOCK);
	fw = open(f1, O_WRONLY);
	SETUP(fr >= 0 && fw >= 0 && fcntl(fw, F_SETPIPE_SZ, 131072) == 131072, "open");
	SETUP(write(fw, "hello", 5) == 5 && !unlink(f1), "write, unlink");
	SETUP(!mkfifo(f2, 0600), "mkfifo %s", f2);
	f3 = open(f2, O_RDWR);
	SETUP(f3 >= 0 && !unlink(f2) && !mkfifo(f2, 0600), "%s: unlink, and a new one there", f2);

	prog_ready();
	prog_wait();

	snprintf(want, sizeof(want), "%s (deleted)", f1);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fr);
	n = readlink(link, got, sizeof(got) - 1);
	got[n > 0 ? n : 0] = '\0';
	CHECK(!strcmp(got, want), "/proc/self/fd/%d: %s", fr, got);
	CHECK(!fstat(fr, &r) && !fstat(fw, &w) && S_ISFIFO(r.st_mode) && r.st_nlink == 0, "a FIFO without a name");
	CHECK(r.st_ino == w.st_ino && r.st_dev == w.st_dev, "both ends on one FIFO");
	CHECK((r.st_mode & 07777) == 0640, "mode %o", r.st_mode & 07777);
	CHECK(fcntl(fw, F_GETPIPE_SZ) == 131072, "pipe size %d", fcntl(fw, F_GETPIPE_SZ));
	CHECK((fcntl(fr, F_GETFL) & O_NONBLOCK) && !(fcntl(fw, F_GETFL) & O_NONBLOCK), "flags");
	CHECK(read(fr, buf, sizeof(buf)) == 5 && !memcmp(buf, "hello", 5), "the buffered bytes");
	CHECK(write(fw, "abc", 3) == 3 && read(fr, buf, sizeof(buf)) == 3 && !memcmp(buf, "abc", 3), "a new write");
	CHECK(!close(fw) && read(fr, buf, sizeof(buf)) == 0, "end of file once the one writer is closed");
	CHECK(!fstat(f3, &t) && S_ISFIFO(t.st_mode) && t.st_nlink == 0, "the second: a FIFO without a name");
	CHECK(write(f3, "x", 1) == 1 && read(f3, buf, 1) == 1 && buf[0] == 'x', "the second reads and writes");
	CHECK(!stat(f2, &t) && S_ISFIFO(t.st_mode) && t.st_nlink == 1, "the new %s is left alone", f2);
	prog_done();
}
